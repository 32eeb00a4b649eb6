//! Full analysis of the seed and of generated books, and their form checks, beside two baselines over the same bytes:
//! a `memchr::memmem` scan counting `〔` (the memory-bandwidth limit) and `Rope::from_str`.
//!
//! `cargo bench --bench analysis`

mod corpus;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use marginalia::analysis::index::Index;
use marginalia::analysis::lint::Lints;
use marginalia::analysis::paragraphs::Layout;
use marginalia::analysis::Analysis;

fn documents() -> Vec<(&'static str, String)> {
    vec![
        ("seed", corpus::SEED.to_string()),
        ("1MB", corpus::book(1 << 20)),
        ("10MB", corpus::book(10 << 20)),
    ]
}

fn full_analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("full_analysis");
    group.sample_size(20);
    for (name, text) in documents() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("analysis", name), &text, |b, text| {
            b.iter(|| Analysis::new(black_box(text)))
        });
        group.bench_with_input(BenchmarkId::new("form_checks", name), &text, |b, text| {
            let layout = Layout::of(&Index::new(text).0.widths, Default::default());
            b.iter(|| Lints::new(black_box(text), &layout))
        });
        group.bench_with_input(BenchmarkId::new("memmem_count", name), &text, |b, text| {
            let finder = memchr::memmem::Finder::new("〔");
            b.iter(|| finder.find_iter(black_box(text.as_bytes())).count())
        });
        group.bench_with_input(BenchmarkId::new("rope_from_str", name), &text, |b, text| {
            b.iter(|| ropey::Rope::from_str(black_box(text)))
        });
    }
    group.finish();
}

criterion_group!(benches, full_analysis);
criterion_main!(benches);
