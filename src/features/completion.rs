//! Completion of note markers, after `〔` or inside `〔…〕` (or the brackets of the document's
//! own markers: `［`, `[`, or what a pattern from the settings tells): first a new note
//! (numbered in order of first citation, every later note renumbered with it), then the notes
//! of the scope. Each is written as the document writes its citations — `⑶`, `③`, `³` in a
//! document that cites so, whatever was typed to ask.

use ropey::Rope;

use super::hover;
use super::renumber::{self, TextEdit};
use crate::analysis::numerals::digit_value;
use crate::analysis::{join_lines, Analysis};
use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub detail: String,
    /// Markdown (see [`completions`]).
    pub documentation: Option<String>,
    /// The entry an item for an existing note stands for: its label.
    pub note_label: Option<TextRange>,
    /// Replaces what was typed of the marker.
    pub edit: TextEdit,
    /// Elsewhere in the document (renumbering, the new entry).
    pub additional: Vec<TextEdit>,
    /// The order to show items in.
    pub sort: String,
    /// What the typed text is matched against.
    pub filter: String,
}

/// How much of the detail a note's text shows.
const DETAIL_CHARS: usize = 30;
/// How much of a note's text is read for its detail (more than the detail: lines are joined).
const DETAIL_BYTES: usize = 4 * DETAIL_CHARS * 3;

/// The most notes offered at once; typing digits narrows them down (the list is then marked
/// incomplete, so the client asks again).
pub const MAX_NOTES: usize = 50;

/// The completions at `offset`; each note's whole text as documentation, in `documentation`'s
/// markup, only when it is given (a client that resolves items asks for it with
/// [`documentation`] for the one shown).
pub fn completions(
    analysis: &Analysis,
    rope: &Rope,
    offset: usize,
    documentation: Option<hover::Markup>,
) -> Vec<Completion> {
    let style = renumber::MarkerWriting::of_markers(analysis, rope);
    let Some((typed, opening)) = typed_marker(rope, offset, &style) else {
        return Vec::new();
    };
    let mut items = Vec::new();
    // Inside an existing marker, renumbering would also move the marker being replaced.
    let on_marker = analysis.markers.iter().any(|m| m.range == typed);
    if !on_marker {
        let (number, marker, additional) = renumber::new_note_at(analysis, rope, typed.start);
        items.push(Completion {
            label: format!("{} new note", style.write(number)),
            detail: "insert a new note here, renumbering the later ones".to_string(),
            documentation: None,
            note_label: None,
            edit: TextEdit {
                range: typed,
                new_text: marker,
            },
            additional,
            sort: "0".to_string(),
            filter: format!("{opening}{number}"),
        });
    }
    let scope = analysis.scope_at(offset);
    let notes = scope.map_or(&[][..], |scope| analysis.notes_of(scope));
    // Entries in several series (an author's `〔1〕`, a translator's `①`) are cited as
    // labelled; otherwise as the document cites.
    let several_series = notes.iter().any(|n| n.series != 0);
    // The digits typed so far narrow the notes down (a book has thousands).
    let typed_digits: String = rope
        .byte_slice(typed.start..offset.clamp(typed.start, typed.end).max(typed.start))
        .chars()
        .filter_map(digit_value)
        .map(|d| char::from(b'0' + d as u8))
        .collect();
    let matching = notes
        .iter()
        .filter(|note| starts_with_digits(note.number, &typed_digits))
        .take(MAX_NOTES);
    for note in matching {
        // The start of the note's text is enough for the detail (a note can be long).
        let end = note
            .range
            .end
            .max(note.label.end)
            .min(note.label.end + DETAIL_BYTES);
        // (Cut at a character boundary: the byte count can fall inside one.)
        let chars = rope.byte_to_char(note.label.end)..rope.byte_to_char(end);
        let start_of_text = rope.slice(chars).to_string();
        let detail: String = join_lines(&start_of_text)
            .chars()
            .take(DETAIL_CHARS)
            .collect();
        let label_text = rope
            .byte_slice(note.label.start..note.label.end)
            .to_string();
        let citation = match several_series {
            true => label_text.clone(),
            false => style.write(note.number),
        };
        items.push(Completion {
            label: citation.clone(),
            detail,
            documentation: documentation.map(|markup| hover::note_text(rope, note, markup)),
            note_label: Some(note.label),
            edit: TextEdit {
                range: typed,
                new_text: citation,
            },
            additional: Vec::new(),
            sort: format!("1{:05}", note.number),
            filter: format!("{opening}{}", note.number),
        });
    }
    items
}

/// Whether `number` written in decimal starts with `digits` (ASCII), without writing it: a
/// book has thousands of notes to test.
fn starts_with_digits(number: u32, digits: &str) -> bool {
    let Ok(prefix) = digits.parse::<u64>() else {
        return digits.is_empty();
    };
    let mut number = u64::from(number);
    let mut length: usize = 1;
    let mut power: u64 = 10;
    while number >= power {
        length += 1;
        power *= 10;
    }
    let Some(drop) = length.checked_sub(digits.len()) else {
        return false;
    };
    number /= 10u64.pow(drop as u32);
    number == prefix && !digits.starts_with('0')
}

/// The documentation of the completion item for the note labelled at `label`.
pub fn documentation(
    analysis: &Analysis,
    rope: &Rope,
    label: usize,
    markup: hover::Markup,
) -> Option<String> {
    let note = analysis.note_label_at(label)?;
    Some(hover::note_text(rope, note, markup))
}

/// What was typed of a marker before `offset`: its opening (the document's, or `〔`), then
/// digits; with its closing after the cursor when there is one. `None` when the cursor is not
/// in one. With it, the opening typed.
fn typed_marker(
    rope: &Rope,
    offset: usize,
    style: &renumber::MarkerWriting,
) -> Option<(TextRange, String)> {
    let own = (!style.before.is_empty()).then_some((style.before.as_str(), style.after.as_str()));
    own.and_then(|(open, close)| typed_between(rope, offset, open, close).map(|r| (r, open)))
        .or_else(|| typed_between(rope, offset, "〔", "〕").map(|r| (r, "〔")))
        .map(|(range, open)| (range, open.to_string()))
}

/// What was typed of a marker opened with `open` and closed with `close` before `offset`.
fn typed_between(rope: &Rope, offset: usize, open: &str, close: &str) -> Option<TextRange> {
    let offset = offset.min(rope.len_bytes());
    let line_start = rope.line_to_byte(rope.byte_to_line(offset));
    let before = rope.byte_slice(line_start..offset).to_string();
    let digits_start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| digit_value(c).is_some())
        .last()
        .map_or(before.len(), |(i, _)| i);
    let open = before[..digits_start].strip_suffix(open)?;
    let start = line_start + open.len();
    // The rest of a marker the cursor is in: its digits and its `〕`.
    let line_end = rope.line_to_byte((rope.byte_to_line(offset) + 1).min(rope.len_lines()));
    let after = rope.byte_slice(offset..line_end.max(offset)).to_string();
    let digits_end = after
        .char_indices()
        .find(|&(_, c)| digit_value(c).is_none())
        .map_or(after.len(), |(i, _)| i);
    let closed = !close.is_empty() && after[digits_end..].starts_with(close);
    let end = match closed {
        true => digits_end + close.len(),
        false => 0,
    };
    Some(TextRange::new(start, offset + end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixture::Fixture;

    fn items(fixture: &str) -> (String, Vec<Completion>) {
        let fixture = Fixture::parse(fixture);
        let analysis = Analysis::new(&fixture.text);
        let rope = Rope::from_str(&fixture.text);
        let found = completions(
            &analysis,
            &rope,
            fixture.cursor,
            Some(hover::Markup::Markdown),
        );
        (fixture.text, found)
    }

    #[test]
    fn after_an_opening_bracket_a_new_note_then_the_notes() {
        let (text, found) =
            items("甲〔1〕乙〔$0丙〔2〕\n註釋：\n〔1〕第一條，\n長長的文字。\n〔2〕第二條。");
        let labels: Vec<&str> = found.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["〔2〕 new note", "〔1〕", "〔2〕"]);
        assert_eq!(found[1].detail, "第一條，長長的文字。");
        // Choosing the new note: 〔2〕 there, the old 〔2〕 becomes 〔3〕, an empty entry 〔2〕.
        let new = &found[0];
        let mut edits = new.additional.clone();
        edits.push(new.edit.clone());
        assert_eq!(
            renumber::apply(&text, &edits),
            "甲〔1〕乙〔2〕丙〔3〕\n註釋：\n〔1〕第一條，\n長長的文字。\n〔2〕\n〔3〕第二條。"
        );
        // Choosing an existing note only writes its marker.
        assert_eq!(
            renumber::apply(&text, &[found[1].edit.clone()]),
            "甲〔1〕乙〔1〕丙〔2〕\n註釋：\n〔1〕第一條，\n長長的文字。\n〔2〕第二條。"
        );
    }

    #[test]
    fn inside_a_marker_the_notes_replace_it_whole() {
        let (text, found) = items("𠮷〔$01〕\n註釋：\n〔1〕一。\n〔2〕二。");
        let labels: Vec<&str> = found.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["〔1〕", "〔2〕"]);
        assert_eq!(
            renumber::apply(&text, &[found[1].edit.clone()]),
            "𠮷〔2〕\n註釋：\n〔1〕一。\n〔2〕二。"
        );
    }

    #[test]
    fn typed_digits_narrow_the_notes_down() {
        let notes: String = (1..=150).map(|n| format!("\n〔{n}〕第{n}條。")).collect();
        let (_, found) = items(&format!("甲〔1〕乙〔1２$0{}\n註釋：{notes}", ""));
        let labels: Vec<&str> = found.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels[0], "〔2〕 new note");
        assert_eq!(
            &labels[1..],
            [
                "〔12〕",
                "〔120〕",
                "〔121〕",
                "〔122〕",
                "〔123〕",
                "〔124〕",
                "〔125〕",
                "〔126〕",
                "〔127〕",
                "〔128〕",
                "〔129〕"
            ]
        );
        let (_, found) = items(&format!("甲〔$0\n註釋：{notes}"));
        assert_eq!(found.len(), 1 + MAX_NOTES);
    }

    #[test]
    fn decimal_prefixes() {
        for (number, digits, expected) in [
            (120, "12", true),
            (12, "12", true),
            (1, "12", false),
            (312, "12", false),
            (5, "", true),
            (10, "0", false),
            (99_999, "9999", true),
        ] {
            assert_eq!(
                starts_with_digits(number, digits),
                expected,
                "{number} {digits}"
            );
        }
    }

    #[test]
    fn nothing_outside_a_marker() {
        assert!(items("甲$0〔1〕\n註釋：\n〔1〕一。").1.is_empty());
        assert!(items("甲〔x$0").1.is_empty());
    }
}
