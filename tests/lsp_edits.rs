//! The server's text is always the client's: random `didChange`s, in each position encoding,
//! applied by the document store are checked against a shadow string edited by the LSP rules
//! (written here without ropey), and the analysis and the published ranges against those of a
//! fresh document of the same text.

#[path = "common/shapes.rs"]
mod shapes;

use marginalia::analysis::Analysis;
use marginalia::lsp::position::Encoding;
use marginalia::lsp::store::DocumentStore;
use marginalia::lsp::to_proto::problem_ranges;
use proptest::prelude::*;
use shapes::{LINES, PIECES};
use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent, Url};

fn document_text() -> impl Strategy<Value = String> {
    let line = prop::sample::select(LINES);
    let line_break = prop::sample::select(&["\n", "\r\n", "\r", ""][..]);
    prop::collection::vec((line, line_break), 0..16)
        .prop_map(|lines| lines.into_iter().map(|(l, b)| format!("{l}{b}")).collect())
}

/// A position as a client might send it: mostly on a line of the text and within it, often
/// past its end or inside a character, sometimes past the end of the document.
fn position() -> impl Strategy<Value = Position> {
    let line = prop_oneof![8 => 0..12u32, 1 => 12..40u32, 1 => Just(u32::MAX)];
    let character = prop_oneof![8 => 0..24u32, 1 => 24..80u32, 1 => Just(u32::MAX)];
    (line, character).prop_map(|(line, character)| Position { line, character })
}

fn change() -> impl Strategy<Value = TextDocumentContentChangeEvent> {
    let text = prop::collection::vec(prop::sample::select(PIECES), 0..4).prop_map(|p| p.concat());
    let range = prop_oneof![
        // Usually a short stretch from its start: a keystroke, a deletion, a paste.
        6 => (position(), 0..6u32).prop_map(|(start, more)| Range {
            start,
            end: Position { line: start.line, character: start.character.saturating_add(more) },
        }),
        3 => (position(), position()).prop_map(|(start, end)| Range { start, end }),
    ];
    let range = prop_oneof![12 => range.prop_map(Some), 1 => Just(None)];
    (range, text).prop_map(|(range, text)| TextDocumentContentChangeEvent {
        range,
        range_length: None,
        text,
    })
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop::sample::select(&[Encoding::Utf8, Encoding::Utf16, Encoding::Utf32][..])
}

/// How many units of `encoding` a character takes.
fn units(c: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

/// Each line of `text` as (start byte, end of its content), split where LSP splits lines:
/// at `\r\n`, `\n` and a lone `\r`.
fn shadow_lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let (mut start, mut at) = (0, 0);
    while at < bytes.len() {
        let break_length = match bytes[at] {
            b'\r' if bytes.get(at + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if break_length > 0 {
            lines.push((start, at));
            start = at + break_length;
            at = start;
        } else {
            at += 1;
        }
    }
    lines.push((start, text.len()));
    lines
}

/// The byte offset of `position` by the LSP rules: a column past the line's end is its end,
/// one inside a character is that character's start; the line after the last one at column 0
/// is the end of the text; any other line past the end is no position.
fn shadow_offset(text: &str, position: Position, encoding: Encoding) -> Option<usize> {
    let lines = shadow_lines(text);
    let line = position.line as usize;
    let Some(&(start, end)) = lines.get(line) else {
        return (line == lines.len() && position.character == 0).then_some(text.len());
    };
    let column = position.character as usize;
    let mut counted = 0;
    for (byte, c) in text[start..end].char_indices() {
        if counted + units(c, encoding) > column {
            return Some(start + byte);
        }
        counted += units(c, encoding);
    }
    Some(end)
}

/// The LSP position of a byte offset (a character start) in `text`.
fn shadow_position(text: &str, offset: usize, encoding: Encoding) -> Position {
    let lines = shadow_lines(text);
    let line = lines.partition_point(|&(start, _)| start <= offset) - 1;
    let (start, end) = lines[line];
    let column: usize = text[start..offset.min(end)]
        .chars()
        .map(|c| units(c, encoding))
        .sum();
    Position::new(line as u32, column as u32)
}

/// Applies one change to the shadow text; a range outside the text leaves it as it is.
fn shadow_apply(text: &mut String, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
    let Some(range) = change.range else {
        *text = change.text.clone();
        return;
    };
    let start = shadow_offset(text, range.start, encoding);
    let end = shadow_offset(text, range.end, encoding);
    if let (Some(start), Some(end)) = (start, end) {
        text.replace_range(start..end.max(start), &change.text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn the_server_s_text_is_always_the_client_s(
        text in document_text(),
        encoding in encoding(),
        changes in prop::collection::vec(prop::collection::vec(change(), 1..4), 1..8),
    ) {
        let store = DocumentStore::default();
        let uri = Url::parse("file:///property.txt").unwrap();
        store.open(uri.clone(), 1, store.read(&text)).unwrap();
        let mut shadow = text.clone();
        for (version, did_change) in (2..).zip(&changes) {
            store.change(&uri, version, did_change, encoding).unwrap();
            for change in did_change {
                shadow_apply(&mut shadow, change, encoding);
            }
            let published = store.snapshot_to_publish(&uri, None, encoding).unwrap();
            let document = &published.snapshot.document;
            prop_assert_eq!(document.text().to_string(), shadow.clone(), "after {:?}", did_change);
            prop_assert_eq!(&**document.analysis(), &Analysis::new(&shadow), "after {:?}", did_change);
            // The ranges remembered from earlier versions and moved by the edits are where a
            // fresh conversion puts them.
            let ranges = problem_ranges(&published.problems);
            for (known, range) in published.known.iter().flatten().zip(&ranges) {
                if let Some(known) = known {
                    let fresh = Range::new(
                        shadow_position(&shadow, range.start, encoding),
                        shadow_position(&shadow, range.end, encoding),
                    );
                    prop_assert_eq!(*known, fresh, "{:?} after {:?} in {:?}", range, did_change, shadow);
                }
            }
            store.remember_ranges(&uri, &published.snapshot, encoding);
        }
    }
}

/// The shadow's own rules, on texts small enough to read.
#[test]
fn the_shadow_follows_the_lsp_rules() {
    let text = "a𠮷b\r\nc\rd\n";
    assert_eq!(shadow_lines(text), [(0, 6), (8, 9), (10, 11), (12, 12)]);
    let at =
        |line, character, encoding| shadow_offset(text, Position { line, character }, encoding);
    // Inside the surrogate pair of 𠮷 (UTF-16) or its UTF-8 sequence: its start.
    assert_eq!(at(0, 2, Encoding::Utf16), Some(1));
    assert_eq!(at(0, 3, Encoding::Utf8), Some(1));
    assert_eq!(at(0, 5, Encoding::Utf8), Some(5));
    assert_eq!(at(0, 2, Encoding::Utf32), Some(5));
    // Past the line's end: the end of its content, before `\r\n`.
    assert_eq!(at(0, 99, Encoding::Utf16), Some(6));
    assert_eq!(at(3, 0, Encoding::Utf16), Some(12));
    assert_eq!(at(4, 0, Encoding::Utf16), Some(12), "the end of the text");
    assert_eq!(at(4, 1, Encoding::Utf16), None);
    assert_eq!(
        shadow_position(text, 5, Encoding::Utf16),
        Position::new(0, 3)
    );
    assert_eq!(
        shadow_position(text, 10, Encoding::Utf8),
        Position::new(2, 0)
    );
}
