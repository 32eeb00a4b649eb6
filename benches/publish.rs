//! Publishing the diagnostics of a 10 MB book after 100 KB were pasted into its notes section
//! (the worst structural edit: thousands of note lines become citations of missing notes):
//! the analysis, converting positions, writing the notification (with positions converted as
//! they come, and as the server does it, with the remembered ranges of markers and labels,
//! whole and in pieces).
//!
//! `cargo bench --bench publish`

mod corpus;

use criterion::{criterion_group, criterion_main, Criterion};
use marginalia::config::Config;
use marginalia::document::Document;
use marginalia::features::diagnostics::{diagnostics, Shown, SHOWN_PER_KIND};
use marginalia::lsp::position::{self, Encoding};
use marginalia::lsp::store::DocumentStore;
use marginalia::lsp::{encoded, to_proto};
use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent, Url};

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
    // Every note problem, as a client that sets `maxProblems` to 0 is sent them: the
    // encoder's worst case.
    let every_note_problem = Shown {
        per_kind: SHOWN_PER_KIND,
        total: usize::MAX,
    };
    let config = Config::default();
    let shown = diagnostics(
        document.analysis(),
        document.lints(),
        &config,
        Some(every_note_problem),
    );
    let problems = &shown[..];
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
    // The problems an editor is shown by default, picked from the note problems and the form
    // problems (the book's form checked whole, as once typing pauses).
    let mut checked = document.clone();
    checked.wait_for_lints();
    group.bench_function("shown_problems", |b| {
        let snapshot = checked.snapshot();
        let shown = Shown::in_editor(&config);
        b.iter(|| diagnostics(snapshot.analysis(), snapshot.lints(), &config, Some(shown)).len())
    });
    let uri = Url::parse("file:///tmp/book.txt").expect("a valid URL");
    println!("{} problems", problems.len());
    group.bench_function("positions", |b| {
        let ranges = to_proto::problem_ranges(problems);
        b.iter(|| position::ranges(document.text(), &ranges, Encoding::Utf16))
    });
    group.bench_function("notification", |b| {
        b.iter(|| {
            encoded::publish_diagnostics(
                document.text(),
                &uri,
                problems,
                &[],
                Some(2),
                Encoding::Utf16,
            )
        })
    });
    // As the server publishes after the paste: the ranges of markers and labels were
    // remembered after opening, and moved by the paste.
    let store = DocumentStore::default();
    store.open(uri.clone(), 1, opened.clone()).unwrap();
    let first = store.snapshot(&uri).expect("the book is open");
    store.remember_ranges(&uri, &first, Encoding::Utf16);
    let paste_at = Position::new(notes_line as u32, 0);
    let change = TextDocumentContentChangeEvent {
        range: Some(Range::new(paste_at, paste_at)),
        range_length: None,
        text: paste.clone(),
    };
    store
        .change(&uri, 2, &[change], Encoding::Utf16)
        .expect("the book is open");
    // What the publisher takes after the paste: the snapshot, with the ranges remembered.
    let snapshot = || {
        let published = store
            .snapshot_to_publish(&uri, None, Encoding::Utf16)
            .expect("the book is open");
        let known = published.known.expect("the ranges were remembered");
        (published.snapshot, published.problems, known)
    };
    group.bench_function("notification_with_remembered_ranges", |b| {
        b.iter(|| {
            let (snapshot, problems, known) = snapshot();
            encoded::publish_diagnostics(
                snapshot.document.text(),
                &uri,
                &problems,
                &known,
                Some(2),
                Encoding::Utf16,
            )
        })
    });
    // The same in pieces, as the server sends a notification this large: its length first.
    group.bench_function("in_pieces_with_remembered_ranges", |b| {
        b.iter(|| {
            let (snapshot, problems, known) = snapshot();
            let notification = encoded::Notification {
                rope: snapshot.document.text(),
                uri: &uri,
                problems: &problems,
                known: &known,
                version: Some(2),
                encoding: Encoding::Utf16,
            };
            let mut pieces = Vec::new();
            notification.write_in_pieces(|_| {}, |piece| pieces.push(piece));
            pieces
        })
    });
    group.finish();
}

criterion_group!(benches, publish);
criterion_main!(benches);
