//! Any text through the analysis and every feature, by the built-in rules and by a user's
//! patterns. Nothing may panic; every range the analysis and the features hand out must lie
//! within the text, on its character boundaries (the protocol layer converts them to LSP
//! positions, and an edit between the bytes of a character would corrupt the text); and the
//! conversion of offsets to LSP positions must come back to the same offsets.
#![no_main]

mod common;

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use marginalia::analysis::syntax::Syntax;
use marginalia::analysis::{Analysis, ProblemCode};
use marginalia::document::{Document, DocumentSnapshot};
use marginalia::features::code_actions::{self, Operation};
use marginalia::features::diagnostics::{diagnostics, Shown};
use marginalia::features::hover::{self, Markup};
use marginalia::features::renumber::{self, TextEdit};
use marginalia::features::{
    completion, definition, folding, links, outline, references, repair, selection, tokens,
    workspace_symbols,
};
use marginalia::lsp::position::{self, Encoding};
use marginalia::text::TextRange;

fuzz_target!(|data: &[u8]| {
    // A first byte 0xFF (never part of UTF-8) reads the rest by the user's patterns; anything
    // else is read whole by the built-in rules.
    let (syntax, bytes) = match data.split_first() {
        Some((0xFF, rest)) => (common::users_syntax(), rest),
        _ => (Arc::default(), data),
    };
    every_feature(&String::from_utf8_lossy(bytes), syntax, data);
});

/// The operations on the whole document, whatever the offset (made once per input).
const WHOLE_DOCUMENT: [Operation; 3] = [
    Operation::RenumberInOrder,
    Operation::Reflow,
    Operation::RepairScars,
];

/// New names a rename is asked for: numbers in each form it takes, and names it refuses.
const NEW_NAMES: [&str; 6] = ["3", "〔4〕", "０", "４２", "99999999999", "甲"];

fn every_feature(text: &str, syntax: Arc<Syntax>, data: &[u8]) {
    let mut document = Document::with_syntax(text, syntax.clone());
    document.wait_for_lints();
    let snapshot = document.snapshot();
    let (analysis, rope) = (&**snapshot.analysis(), snapshot.text());
    let check = Check { text };
    check.analysis(analysis);

    let config = common::config_with(syntax);
    let few = Shown {
        per_kind: 1,
        total: 3,
    };
    let mut problems = Vec::new();
    for shown in [None, Some(Shown::in_editor(&config)), Some(few)] {
        let found = diagnostics(analysis, snapshot.lints(), &config, shown);
        check.ranges(found.iter().map(|problem| problem.range));
        problems = found.into_owned();
    }
    for problem in &problems {
        check.edits(&repair::fix(&snapshot, problem));
    }
    let items = outline::outline(&snapshot);
    check.outline(&items);
    let folds = folding::folding_ranges(analysis, rope);
    check.ranges(folds.iter().map(|fold| fold.range));
    let whole = TextRange::new(0, text.len());
    let found = tokens::tokens(text, analysis, snapshot.layout(), whole);
    check.ranges(found.iter().map(|token| token.range));
    let found = links::links(text);
    check.ranges(found.iter().map(|link| link.range));
    let counts = references::citation_counts(analysis);
    check.ranges(counts.iter().map(|(range, _)| *range));
    let symbols = workspace_symbols::symbols(&snapshot);
    check.ranges(symbols.iter().map(|symbol| symbol.range));
    let query: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(3)
        .collect();
    workspace_symbols::search(&query, [(0, symbols.as_slice())], 10);
    for operation in WHOLE_DOCUMENT {
        check.edits(&operation.edits(&snapshot));
    }

    let offsets = offsets(text, analysis, data);
    for &offset in &offsets {
        at_offset(&check, &snapshot, offset);
        let other = offsets[offset % offsets.len()];
        let range = TextRange::new(offset.min(other), offset.max(other));
        for action in code_actions::actions(&snapshot, range) {
            if !WHOLE_DOCUMENT.contains(&action.operation) {
                check.edits(&action.edits(&snapshot));
            }
        }
        for tokens in [
            tokens::tokens(text, analysis, snapshot.layout(), range),
            tokens::tokens(
                text,
                analysis,
                snapshot.layout(),
                TextRange::new(offset, offset),
            ),
        ] {
            check.ranges(tokens.iter().map(|token| token.range));
        }
    }
    // A client sends a label's offset back to resolve a completion item: any number at all.
    for label in raw_offsets(data) {
        completion::documentation(analysis, rope, label, Markup::Markdown);
    }

    let mut ranges: Vec<TextRange> = problems.iter().map(|problem| problem.range).collect();
    ranges.extend(folds.iter().map(|fold| fold.range));
    check.positions(&snapshot, &offsets, &ranges);
}

/// Every feature that takes a cursor, at `offset`.
fn at_offset(check: &Check, snapshot: &DocumentSnapshot, offset: usize) {
    let (analysis, rope) = (&**snapshot.analysis(), snapshot.text());
    check.ranges(definition::definition(analysis, offset));
    for include_declaration in [false, true] {
        check.ranges(references::references(
            analysis,
            offset,
            include_declaration,
        ));
    }
    let highlights = references::highlights(analysis, offset);
    check.ranges(highlights.iter().map(|(range, _)| *range));
    for markup in [Markup::Markdown, Markup::PlainText] {
        check.ranges(hover::hover(analysis, rope, offset, markup).map(|hover| hover.range));
    }
    for documentation in [None, Some(Markup::Markdown)] {
        for item in completion::completions(analysis, rope, offset, documentation) {
            check.ranges(item.note_label);
            check.edits(&item.additional);
            check.edits(&[item.edit]);
        }
    }
    completion::documentation(analysis, rope, offset, Markup::PlainText);
    check.ranges(selection::selection_ranges(snapshot, offset));
    check.ranges(renumber::rename_target(analysis, offset).map(|(range, _)| range));
    for new_name in NEW_NAMES {
        if let Ok(edits) = renumber::rename(analysis, rope, offset, new_name) {
            check.edits(&edits);
        }
    }
    let number = analysis.markers.first().map_or(2, |marker| marker.number);
    for operation in [
        Operation::AddMissingNote(offset),
        Operation::DeleteEntry(offset),
        Operation::RenumberDuplicate(offset),
        Operation::InsertNote(offset),
        Operation::DeleteNote(offset),
        Operation::Swap(offset, number),
        Operation::Swap(offset, u32::MAX),
        Operation::Cite(offset, number),
        Operation::FixForm(offset, ProblemCode::HardWrap),
        Operation::JoinParagraph(offset),
    ] {
        check.edits(&operation.edits(snapshot));
    }
}

/// Cursor offsets worth trying (each on a character boundary, as a position from a client
/// always is): the ends of the text, the edges and inside of the first marker, the first
/// label and heading, and two the input picks. (Each offset costs some fifty features: more
/// would slow the fuzzer more than they find.)
fn offsets(text: &str, analysis: &Analysis, data: &[u8]) -> Vec<usize> {
    let mut offsets = vec![0, text.len()];
    if let Some(marker) = analysis.markers.first() {
        let range = marker.range;
        let inside = text
            .get(range.start..)
            .and_then(|rest| rest.chars().next())
            .map_or(range.start, |first| range.start + first.len_utf8());
        offsets.extend([range.start, inside, range.end]);
    }
    offsets.extend(analysis.notes.first().map(|note| note.label.start));
    offsets.extend(analysis.headings.first().map(|heading| heading.line.start));
    offsets.extend(raw_offsets(data).map(|at| at % (text.len() + 1)));
    for offset in &mut offsets {
        *offset = (*offset).min(text.len());
        while !text.is_char_boundary(*offset) {
            *offset -= 1;
        }
    }
    offsets.sort_unstable();
    offsets.dedup();
    offsets
}

/// Two numbers from the input's first and last bytes.
fn raw_offsets(data: &[u8]) -> impl Iterator<Item = usize> {
    let number = |bytes: &[u8]| bytes.iter().fold(0usize, |n, &b| n << 8 | usize::from(b));
    let first = number(&data[..data.len().min(2)]);
    let last = number(&data[data.len().saturating_sub(2)..]);
    [first, last].into_iter()
}

/// What every answer about `text` must satisfy.
struct Check<'a> {
    text: &'a str,
}

impl Check<'_> {
    fn range(&self, range: TextRange) {
        let text = self.text;
        assert!(
            range.start <= range.end && range.end <= text.len(),
            "range {range:?} outside the text of {} bytes",
            text.len()
        );
        assert!(
            text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
            "range {range:?} cuts a character"
        );
    }

    fn ranges(&self, ranges: impl IntoIterator<Item = TextRange>) {
        ranges.into_iter().for_each(|range| self.range(range));
    }

    fn analysis(&self, analysis: &Analysis) {
        for heading in &analysis.headings {
            self.ranges([heading.range, heading.line, heading.section]);
            self.ranges(heading.tail);
        }
        self.ranges(analysis.markers.iter().map(|marker| marker.range));
        for note in &analysis.notes {
            self.ranges([note.label, note.range, note.body()]);
        }
        for problem in &analysis.problems {
            self.range(problem.range);
            self.ranges(problem.related().map(|(range, _)| range));
        }
    }

    fn outline(&self, items: &[outline::OutlineItem]) {
        for item in items {
            self.ranges([item.range, item.selection]);
            self.outline(&item.children);
        }
    }

    /// Edits lie within the text, on its characters' boundaries, and can be applied.
    fn edits(&self, edits: &[TextEdit]) {
        self.ranges(edits.iter().map(|edit| edit.range));
        renumber::apply(self.text, edits);
    }

    /// Offsets (on character boundaries) and ranges converted to LSP positions in each
    /// encoding: a position converted back is the same offset (except between the two
    /// characters of a CRLF, which has no position of its own), and many ranges converted at
    /// once are what each converted alone is.
    fn positions(&self, snapshot: &DocumentSnapshot, offsets: &[usize], ranges: &[TextRange]) {
        let rope = snapshot.text();
        let bytes = self.text.as_bytes();
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for &offset in offsets {
                let inside_crlf =
                    offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n');
                let at = position::position(rope, offset, encoding);
                let back = position::offset(rope, at, encoding);
                if !inside_crlf {
                    assert_eq!(back, Ok(offset), "{offset} is at {at:?} in {encoding:?}");
                }
            }
            let together = position::ranges(rope, ranges, encoding);
            for (range, converted) in ranges.iter().zip(together) {
                let alone = position::range(rope, *range, encoding);
                assert_eq!(converted, alone, "{range:?} in {encoding:?}");
            }
        }
    }
}
