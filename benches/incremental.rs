//! Re-analysis after single edits of an open book: a keystroke (insert or delete one CJK
//! character), typing a marker, deleting a heading, pasting 100 KB.
//!
//! `cargo bench --bench incremental`

mod corpus;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use marginalia::document::Document;

/// Char offsets spread over the book, the same in every run.
fn places(document: &Document, count: usize) -> Vec<usize> {
    let len = document.text().len_chars();
    (1..=count).map(|i| len * i / (count + 1)).collect()
}

fn keystrokes(c: &mut Criterion) {
    let mut group = c.benchmark_group("incremental_10MB");
    let book = corpus::book(10 << 20);
    let mut document = Document::new(&book);
    let places = places(&document, 97);
    let mut next = places.iter().cycle();
    for (name, typed) in [
        ("insert_and_delete_one_char", "字"),
        ("type_a_marker", "〔12〕"),
    ] {
        let typed_chars = typed.chars().count();
        group.bench_function(name, |b| {
            b.iter(|| {
                let at = *next.next().unwrap_or(&0);
                document.replace(at..at, typed);
                document.refresh();
                document.replace(at..at + typed_chars, "");
                document.refresh();
            })
        });
    }
    let heading_line = book
        .lines()
        .position(|l| l.starts_with("二、"))
        .unwrap_or(0);
    group.bench_function("delete_and_restore_a_heading", |b| {
        let start = document.text().line_to_char(heading_line);
        let end = document.text().line_to_char(heading_line + 1);
        let line = document.text().slice(start..end).to_string();
        b.iter(|| {
            document.replace(start..end, "");
            document.refresh();
            document.replace(start..start, &line);
            document.refresh();
        })
    });
    let paste: String = corpus::SEED.chars().cycle().take(34_000).collect(); // ~100 KB
    group.sample_size(20);
    group.bench_function("paste_100KB", |b| {
        b.iter_batched(
            || document.clone(),
            |mut copy| {
                let at = copy.text().len_chars() / 2;
                copy.replace(at..at, &paste);
                copy.refresh();
                copy
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, keystrokes);
criterion_main!(benches);
