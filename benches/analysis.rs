//! Full analysis of the seed and of generated books (by the built-in rules, and by the same
//! rules given as the settings' patterns), and their form checks, beside two baselines over the same bytes:
//! a `memchr::memmem` scan counting `〔` (the memory-bandwidth limit) and `Rope::from_str`.
//!
//! `cargo bench --bench analysis`

mod corpus;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use marginalia::analysis::index::Index;
use marginalia::analysis::lint::Lints;
use marginalia::analysis::paragraphs::Layout;
use marginalia::analysis::syntax::Syntax;
use marginalia::analysis::Analysis;

fn documents() -> Vec<(&'static str, String)> {
    vec![
        ("seed", corpus::SEED.to_string()),
        ("1MB", corpus::book(1 << 20)),
        ("10MB", corpus::book(10 << 20)),
    ]
}

/// The built-in markers and notes titles, and a level-1 numbering, as patterns.
fn patterns() -> Syntax {
    let mut syntax = Syntax::default();
    syntax
        .set_heading_pattern(1, "[一二三四五六七八九十]+、")
        .expect("a valid pattern");
    syntax
        .set_marker_pattern(r"〔(\d{1,5})〕")
        .expect("a valid pattern");
    syntax
        .set_notes_titles(&["註釋".to_string(), "注释".to_string()])
        .expect("valid titles");
    syntax
}

fn full_analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("full_analysis");
    group.sample_size(20);
    for (name, text) in documents() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("analysis", name), &text, |b, text| {
            b.iter(|| Analysis::new(black_box(text)))
        });
        // The same rules written as the settings' patterns: what a user who sets them pays.
        group.bench_with_input(BenchmarkId::new("by_patterns", name), &text, |b, text| {
            let syntax = std::sync::Arc::new(patterns());
            b.iter(|| Analysis::with_syntax(black_box(text), syntax.clone()))
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
