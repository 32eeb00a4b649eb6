//! Publishing the diagnostics of a 10 MB book after 100 KB were pasted into its notes section
//! (the worst structural edit: thousands of note lines become citations of missing notes):
//! the analysis, converting positions, writing the notification.
//!
//! `cargo bench --bench publish`

mod corpus;

use criterion::{criterion_group, criterion_main, Criterion};
use marginalia::document::Document;
use marginalia::lsp::position::{self, Encoding};
use marginalia::lsp::{encoded, to_proto};
use tower_lsp::lsp_types::Url;

fn publish(c: &mut Criterion) {
    let book = corpus::book(10 << 20);
    let opened = Document::new(&book);
    let mut document = opened.clone();
    // Early in the notes section, so that most notes follow the paste.
    let lines: Vec<&str> = book.split('\n').collect();
    let notes_line = 1000
        + lines
            .iter()
            .rposition(|line| line.starts_with("註釋"))
            .expect("the book has a notes section");
    let at = document.text().line_to_char(notes_line);
    let paste: String = corpus::SEED.chars().cycle().take(34_000).collect(); // ~100 KB
    document.replace(at..at, &paste);
    document.refresh();
    let problems = &document.analysis().problems;
    let mut group = c.benchmark_group("publish_after_paste_10MB");
    group.sample_size(20);
    group.bench_function("analysis", |b| {
        b.iter_batched(
            || opened.clone(),
            |mut copy| {
                copy.replace(at..at, &paste);
                copy.refresh();
                copy
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let uri = Url::parse("file:///tmp/book.txt").expect("a valid URL");
    println!("{} problems", problems.len());
    group.bench_function("positions", |b| {
        let ranges = to_proto::problem_ranges(problems);
        b.iter(|| position::ranges(document.text(), &ranges, Encoding::Utf16))
    });
    group.bench_function("notification", |b| {
        b.iter(|| {
            encoded::publish_diagnostics(document.text(), &uri, problems, Some(2), Encoding::Utf16)
        })
    });
    group.finish();
}

criterion_group!(benches, publish);
criterion_main!(benches);
