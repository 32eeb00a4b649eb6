//! The incremental analysis equals a full analysis of the same text, after any edits.

use marginalia::analysis::index::{Index, IndexBuilder};
use marginalia::analysis::lint::Lints;
use marginalia::analysis::syntax::Syntax;
use marginalia::analysis::Analysis;
use marginalia::document::{Document, DocumentSnapshot};
use proptest::prelude::*;
use std::sync::Arc;

#[path = "common/shapes.rs"]
mod shapes;
use shapes::{LINES, PIECES};

fn document_text() -> impl Strategy<Value = String> {
    let line = prop::sample::select(LINES);
    let line_break = prop::sample::select(&["\n", "\n\n", "\r\n", "\r"][..]);
    prop::collection::vec((line, line_break), 0..40).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(line, line_break)| format!("{line}{line_break}"))
            .collect()
    })
}

#[derive(Clone, Debug)]
struct Edit {
    /// Where the edit starts and how many characters it removes, as fractions of the text.
    start: f64,
    removed: usize,
    inserted: String,
}

fn edit() -> impl Strategy<Value = Edit> {
    let inserted =
        prop::collection::vec(prop::sample::select(PIECES), 0..4).prop_map(|p| p.concat());
    (
        0.0..=1.0f64,
        prop_oneof![3 => 0..3usize, 1 => 0..60usize],
        inserted,
    )
        .prop_map(|(start, removed, inserted)| Edit {
            start,
            removed,
            inserted,
        })
}

/// The form problems a fresh document of `text` has.
fn fresh_lints(text: &str) -> Lints {
    Lints::clone(Document::new(text).lints())
}

/// Makes `edit` in the document (without refreshing it) and in its shadow string.
fn replace_in_both(document: &mut Document, shadow: &mut String, edit: &Edit) {
    let len = shadow.chars().count();
    let start = ((len as f64) * edit.start) as usize;
    let end = (start + edit.removed).min(len);
    document.replace(start..end, &edit.inserted);
    apply(shadow, start..end, &edit.inserted);
}

/// Applies an edit to the shadow string, by characters.
fn apply(shadow: &mut String, chars: std::ops::Range<usize>, inserted: &str) {
    let byte = |c: usize| {
        shadow
            .char_indices()
            .nth(c)
            .map_or(shadow.len(), |(b, _)| b)
    };
    let range = byte(chars.start)..byte(chars.end);
    shadow.replace_range(range, inserted);
}

/// Rules a user might set: a level-2 pattern, `[n]` markers, two notes titles.
fn users_syntax() -> Arc<Syntax> {
    let mut syntax = Syntax::default();
    syntax.set_heading_pattern(2, r"[A-Z]\. ").unwrap();
    syntax.set_marker_pattern(r"\[(\d+)\]").unwrap();
    syntax
        .set_notes_titles(&["參考資料".to_string(), "註釋".to_string()])
        .unwrap();
    Arc::new(syntax)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn incremental_equals_full_by_the_user_s_patterns(
        text in document_text(),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let syntax = users_syntax();
        let mut document = Document::with_syntax(&text, syntax.clone());
        let mut shadow = text.clone();
        for edit in edits {
            replace_in_both(&mut document, &mut shadow, &edit);
            document.refresh();
            let fresh = Document::with_syntax(&shadow, syntax.clone());
            prop_assert_eq!(document.text().to_string(), shadow.clone());
            prop_assert_eq!(&**document.analysis(), &Analysis::with_syntax(&shadow, syntax.clone()), "after {:?} in {:?}", edit, shadow);
            prop_assert_eq!(&**document.lints(), &**fresh.lints(), "after {:?} in {:?}", edit, shadow);
        }
    }

    #[test]
    fn incremental_equals_full(text in document_text(), edits in prop::collection::vec(edit(), 1..8)) {
        let mut document = Document::new(&text);
        let mut shadow = text.clone();
        for edit in edits {
            replace_in_both(&mut document, &mut shadow, &edit);
            document.refresh();
            prop_assert_eq!(document.text().to_string(), shadow.clone());
            prop_assert_eq!(&**document.analysis(), &Analysis::new(&shadow), "after {:?} in {:?}", edit, shadow);
            prop_assert_eq!(&**document.lints(), &fresh_lints(&shadow), "after {:?} in {:?}", edit, shadow);
        }
    }

    #[test]
    fn several_edits_then_one_refresh(text in document_text(), edits in prop::collection::vec(edit(), 1..8)) {
        let mut document = Document::new(&text);
        let mut shadow = text.clone();
        for edit in &edits {
            replace_in_both(&mut document, &mut shadow, edit);
        }
        document.refresh();
        prop_assert_eq!(&**document.analysis(), &Analysis::new(&shadow));
        prop_assert_eq!(&**document.lints(), &fresh_lints(&shadow));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// A document received piece by piece is scanned stretch by stretch as it arrives.
    #[test]
    fn an_index_built_from_pieces_equals_the_full_one(
        text in document_text(),
        cuts in prop::collection::vec(0.0..=1.0f64, 0..12),
        stretch_bytes in 1usize..200,
    ) {
        let mut cuts: Vec<usize> = cuts
            .into_iter()
            .map(|f| (text.len() as f64 * f) as usize)
            .map(|mut at| { while !text.is_char_boundary(at) { at += 1 } at })
            .collect();
        cuts.sort();
        cuts.push(text.len());
        let mut builder = IndexBuilder::with_stretch_bytes(stretch_bytes, Default::default());
        let mut start = 0;
        for cut in cuts {
            builder.push(&text[start..cut]);
            start = cut;
        }
        prop_assert_eq!(builder.finish(), Index::new(&text));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// A book's form problems fill many chunks and are checked on a thread of their own after
    /// it opens: edits made before and after they are taken in give what a fresh check gives.
    #[test]
    fn a_book_s_form_problems_follow_edits(
        early in prop::collection::vec(edit(), 0..3),
        later in prop::collection::vec(edit(), 1..6),
        paste_at in prop::option::of(0.0..=1.0f64),
        paste_copies in prop::sample::select(&[2usize, 40][..]),
    ) {
        let seed = include_str!("../seeds/000_f8c5198825835df1.txt");
        let mut shadow = seed.repeat(40);
        let mut document = Document::new(&shadow);
        for edit in &early {
            replace_in_both(&mut document, &mut shadow, edit);
            document.refresh();
        }
        if let Some(job) = document.lint_job() {
            job.wait();
        }
        // A paste large enough to be checked on a thread of its own, edits made meanwhile.
        let inserted = seed.repeat(paste_copies);
        let paste = paste_at.map(|start| Edit { start, removed: 0, inserted: inserted.clone() });
        for edit in paste.iter().chain(&later) {
            replace_in_both(&mut document, &mut shadow, edit);
            document.refresh();
        }
        document.wait_for_lints();
        let fresh = DocumentSnapshot::new(&shadow);
        prop_assert!(document.lint_job().is_none(), "the checks were taken in");
        prop_assert_eq!(&**document.lints(), fresh.lints());
        prop_assert!(fresh.lints().chunks().count() > 3);
    }
}

#[test]
fn typing_through_the_seed_stays_equal() {
    let seed = include_str!("../seeds/000_f8c5198825835df1.txt");
    let mut document = Document::new(seed);
    let mut shadow = seed.to_string();
    // Type a marker, a heading and a notes entry at spread-out places, then delete them.
    let len = shadow.chars().count();
    for (i, piece) in ["〔18〕", "\n\n五、新節\n\n", "\n〔5〕補註。\n", "結語"]
        .iter()
        .enumerate()
    {
        let at = len * (i + 1) / 5;
        document.replace(at..at, piece);
        apply(&mut shadow, at..at, piece);
        document.refresh();
        assert_eq!(&**document.analysis(), &Analysis::new(&shadow), "{piece:?}");
        assert_eq!(&**document.lints(), &fresh_lints(&shadow), "{piece:?}");
        let count = piece.chars().count();
        document.replace(at..at + count, "");
        apply(&mut shadow, at..at + count, "");
        document.refresh();
        assert_eq!(&**document.analysis(), &Analysis::new(&shadow));
    }
    assert_eq!(shadow, seed);
}
