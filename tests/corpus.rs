//! The generated books the benchmarks measure are what `benches/corpus.rs` says they are.

#[path = "../benches/corpus.rs"]
mod corpus;

use marginalia::analysis::{Analysis, ProblemCode};

#[test]
fn a_book_cites_its_notes_in_order_and_lacks_every_fiftieth() {
    let book = corpus::book(1 << 20);
    assert!(
        (1 << 20..(1 << 20) * 5 / 4).contains(&book.len()),
        "{} bytes",
        book.len()
    );
    let analysis = Analysis::new(&book);
    let rope = ropey::Rope::from_str(&book);

    // Markers renumbered to run 1…N across the book, in order of first citation.
    let mut first_citations: Vec<u32> = Vec::new();
    for marker in &analysis.markers {
        if !first_citations.contains(&marker.number) {
            first_citations.push(marker.number);
        }
    }
    let cited = first_citations.len() as u32;
    assert!(cited > 500, "{cited} notes cited");
    assert_eq!(first_citations, (1..=cited).collect::<Vec<_>>());

    // One notes section at the end, holding every note but one in fifty.
    let notes: Vec<u32> = analysis.notes.iter().map(|note| note.number).collect();
    let expected: Vec<u32> = (1..=cited)
        .filter(|n| n % corpus::MISSING_EVERY != 0)
        .collect();
    assert_eq!(notes, expected);
    let missing = analysis
        .problems
        .iter()
        .filter(|problem| problem.code() == ProblemCode::MissingNote)
        .count();
    let citing_missing = analysis
        .markers
        .iter()
        .filter(|marker| marker.number % corpus::MISSING_EVERY == 0)
        .count();
    assert!(missing > 0);
    assert_eq!(missing, citing_missing);
    assert_eq!(analysis.problems.len(), missing, "no other problem");

    // A level-1 chapter heading before every fifth repetition of the seed's body.
    let seed_start = corpus::SEED
        .trim_start()
        .split('\n')
        .next()
        .unwrap_or_default();
    let repetitions = book.matches(seed_start).count();
    let chapters = analysis
        .headings
        .iter()
        .filter(|heading| {
            let title = heading.title(&rope);
            heading.level == 1 && title.starts_with('第') && title.contains('章')
        })
        .count();
    assert!(repetitions > 5);
    assert_eq!(chapters, repetitions.div_ceil(5));
}

#[test]
fn the_markdown_version_has_the_same_headings_markers_and_notes() {
    let book = corpus::book(200 << 10);
    let analysis = Analysis::new(&book);
    let markdown = corpus::to_markdown(&book);
    let lines: Vec<&str> = markdown.lines().collect();
    let headings = lines.iter().filter(|line| line.starts_with('#')).count();
    let notes = lines.iter().filter(|line| line.starts_with("[^")).count();
    let references = markdown.matches("[^").count() - notes;
    assert_eq!(headings, analysis.headings.len());
    assert_eq!(notes, analysis.notes.len());
    assert_eq!(references, analysis.markers.len());
    assert!(
        !markdown.contains('〔'),
        "every marker and label became a footnote"
    );
}
