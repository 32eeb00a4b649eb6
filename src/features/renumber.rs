//! Editing notes so that every number stays right: adding an entry, inserting a note at the
//! cursor (renumbering every later one), deleting a note, renaming and swapping numbers, and
//! renumbering a whole document in order of first citation.
//!
//! Every operation returns text edits over the current text (byte ranges, none overlapping,
//! all relative to the text before any of them applies). They touch only what must change: a
//! renumbered marker or label has only its digits replaced, in the digits it was written in.

use ropey::Rope;

use super::references::{target_at, NoteTarget};
use crate::analysis::marker_style;
use crate::analysis::numerals::{chinese_prefix_len, digit_value, digits_prefix_len, parse_digits};
use crate::analysis::{Analysis, HeadingKind, Marker, MarkerStyle, Note};
use crate::text::TextRange;

/// Replace `range` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

impl TextEdit {
    fn insert(at: usize, new_text: String) -> TextEdit {
        TextEdit {
            range: TextRange::new(at, at),
            new_text,
        }
    }
}

/// Applies edits made by this module to `text` (used by the CLI and the tests).
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut result = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in sorted {
        let start = edit.range.start.clamp(at, text.len());
        result.push_str(&text[at..start]);
        result.push_str(&edit.new_text);
        at = edit.range.end.clamp(start, text.len());
    }
    result.push_str(&text[at..]);
    result
}

/// How a document writes note numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Digits {
    Ascii,
    FullWidth,
    /// `十二`: only when markers are told by a pattern that allows them.
    Chinese,
}

impl Digits {
    fn write(self, number: u32) -> String {
        use chinese_number::{ChineseCase, ChineseCountMethod, ChineseVariant, NumberToChinese};
        let ascii = number.to_string();
        match self {
            Digits::Ascii => ascii,
            Digits::FullWidth => ascii
                .chars()
                .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
                .collect(),
            Digits::Chinese => number
                .to_chinese(
                    ChineseVariant::Traditional,
                    ChineseCase::Lower,
                    ChineseCountMethod::TenThousand,
                )
                .unwrap_or(ascii),
        }
    }

    /// The digits a marker or label such as `〔１２〕` is written in.
    fn of(text: &str) -> Digits {
        let number = number_span(text).map_or(text, |span| &text[span]);
        if number.chars().any(|c| ('０'..='９').contains(&c)) {
            Digits::FullWidth
        } else if number.chars().any(|c| digit_value(c).is_none()) {
            Digits::Chinese
        } else {
            Digits::Ascii
        }
    }
}

/// Where the number is in the text of a marker or label: its first run of digits, or else
/// of Chinese numerals (a pattern from the settings may allow those).
fn number_span(text: &str) -> Option<std::ops::Range<usize>> {
    let run = |is_numeral: fn(&str) -> usize| {
        text.char_indices().find_map(|(at, _)| {
            let len = is_numeral(&text[at..]);
            (len > 0).then_some(at..at + len)
        })
    };
    run(digits_prefix_len).or_else(|| run(chinese_prefix_len))
}

/// How a document writes its markers, or its notes' labels: what comes before and after the
/// number (`〔` and `〕`, or what its own markers have) and the digits; or a glyph style
/// (`⑴`, `①`, `¹` …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerWriting {
    pub before: String,
    pub after: String,
    digits: Digits,
    /// A glyph style, with a marker written in it.
    glyphs: Option<(MarkerStyle, String)>,
    /// The glyph styles that continue a series once its own glyphs run out (`①` after `⒇`),
    /// with what they add to their glyphs' numbers and a label written in them.
    continued: Vec<(u16, MarkerStyle, String)>,
}

impl MarkerWriting {
    /// As the document's citations are written (its labels, if it cites nothing).
    pub fn of_markers(analysis: &Analysis, rope: &Rope) -> MarkerWriting {
        let markers = analysis
            .markers
            .iter()
            .filter(|m| !m.cross_reference)
            .map(Place::from);
        let labels = analysis.notes.iter().map(Place::from);
        MarkerWriting::of(rope, markers.chain(labels)).continued_in(analysis, rope)
    }

    /// As the document's notes' labels are written (its markers, if it has no note).
    pub fn of_labels(analysis: &Analysis, rope: &Rope) -> MarkerWriting {
        let markers = analysis.markers.iter().map(Place::from);
        let labels = analysis.notes.iter().map(Place::from);
        MarkerWriting::of(rope, labels.chain(markers)).continued_in(analysis, rope)
    }

    /// With the continued glyph series of `analysis`'s notes.
    fn continued_in(mut self, analysis: &Analysis, rope: &Rope) -> MarkerWriting {
        self.continued = glyph_series(rope, analysis.notes.iter().filter(|n| n.offset > 0));
        self
    }

    /// The style of the first of `samples`; for digits, the digits most of the first ones
    /// use (a book has tens of thousands).
    fn of(rope: &Rope, samples: impl Iterator<Item = Place>) -> MarkerWriting {
        const SAMPLE: usize = 64;
        // (A range label `〔5–6〕` is no sample of how one number is written.)
        let samples: Vec<(Place, String)> = samples
            .map(|place| (place, slice(rope, place.range)))
            .filter(|(_, text)| marker_style::read_range(text).is_none())
            .take(SAMPLE)
            .collect();
        if let Some((place, text)) = samples.first() {
            if place.style.is_glyph() || place.style == MarkerStyle::Superscript {
                return MarkerWriting {
                    before: String::new(),
                    after: String::new(),
                    digits: Digits::Ascii,
                    glyphs: Some((place.style, text.clone())),
                    continued: Vec::new(),
                };
            }
        }
        let (before, after) = samples
            .first()
            .and_then(|(_, text)| {
                let span = number_span(text)?;
                Some((text[..span.start].to_string(), text[span.end..].to_string()))
            })
            .unwrap_or_else(|| ("〔".to_string(), "〕".to_string()));
        let digits: Vec<Digits> = samples.iter().map(|(_, text)| Digits::of(text)).collect();
        let most = [Digits::Ascii, Digits::FullWidth, Digits::Chinese]
            .into_iter()
            .max_by_key(|d| {
                (
                    digits.iter().filter(|x| *x == d).count(),
                    *d == Digits::Ascii,
                )
            })
            .unwrap_or(Digits::Ascii);
        MarkerWriting {
            before,
            after,
            digits: most,
            glyphs: None,
            continued: Vec::new(),
        }
    }

    /// Note `number`'s marker (or label) in this style (`〔number〕` where a glyph style has
    /// no glyph for it).
    pub fn write(&self, number: u32) -> String {
        match &self.glyphs {
            Some((style, sample)) => in_glyphs(number, (*style, sample, 0), &self.continued),
            None => format!("{}{}{}", self.before, self.digits.write(number), self.after),
        }
    }
}

fn slice(rope: &Rope, range: TextRange) -> String {
    let end = range.end.min(rope.len_bytes());
    rope.byte_slice(range.start.min(end)..end).to_string()
}

/// A marker or a label as renumbering sees it: where it is, its style and what a continued
/// glyph series adds to its glyph.
#[derive(Clone, Copy, Debug)]
struct Place {
    range: TextRange,
    style: MarkerStyle,
    offset: u16,
    /// The series of notes it names.
    series: Series,
}

impl From<&Marker> for Place {
    fn from(marker: &Marker) -> Place {
        Place {
            range: marker.range,
            style: marker.style,
            offset: marker.offset,
            series: Series::from(NoteTarget::from(marker)),
        }
    }
}

impl From<&Note> for Place {
    fn from(note: &Note) -> Place {
        Place {
            range: note.label,
            style: note.style,
            offset: note.offset,
            series: Series::from(NoteTarget::from(note)),
        }
    }
}

/// The edit that makes the marker or label at `place` read `number`: in the style it is
/// written in — only its digits when it has digits (in the digits it was written in), the
/// whole glyph for `⑴`, `①`, `㈠`, `（⒈）` and superscripts.
fn renumbered(analysis: &Analysis, rope: &Rope, place: impl Into<Place>, number: u32) -> TextEdit {
    let place = place.into();
    let text = slice(rope, place.range);
    if let Some(glyph) = glyph_written(analysis, rope, &text, place, number) {
        return TextEdit {
            range: place.range,
            new_text: glyph,
        };
    }
    let span = number_span(&text).unwrap_or(0..text.len());
    TextEdit {
        range: TextRange::new(place.range.start + span.start, place.range.start + span.end),
        new_text: Digits::of(&text).write(number),
    }
}

/// A glyph-styled marker or label `text` written for `number`; when its style has no glyph
/// for it (`⑴` stops at 20), in the style its series continues with or is continued from
/// (`⒇`, then `①` for 21), else `〔number〕`. `None` for a style with digits.
fn glyph_written(
    analysis: &Analysis,
    rope: &Rope,
    text: &str,
    place: Place,
    number: u32,
) -> Option<String> {
    if !(place.style.is_glyph() || place.style == MarkerStyle::Superscript) {
        return None;
    }
    let own = (place.style, text, place.offset);
    if let Some(glyph) =
        glyph_number(number, place.offset).and_then(|n| marker_style::rewrite(text, place.style, n))
    {
        return Some(glyph);
    }
    // (The series' other glyph styles are looked up only when its own has no glyph.)
    let series = glyph_series(rope, entries_of(analysis, place.series));
    Some(in_glyphs(number, own, &series))
}

/// The number a glyph shows for note `number` in a series continued from `offset`.
fn glyph_number(number: u32, offset: u16) -> Option<u32> {
    number.checked_sub(u32::from(offset)).filter(|&n| n > 0)
}

/// Note `number` written in the glyph style `own` (with a text written in it and its offset);
/// past its glyphs, in the first style of `series` that has one (`⒇`, then `①`); else
/// `〔number〕`.
fn in_glyphs(
    number: u32,
    (style, sample, offset): (MarkerStyle, &str, u16),
    series: &[(u16, MarkerStyle, String)],
) -> String {
    let write = |style, sample: &str, offset| {
        marker_style::rewrite(sample, style, glyph_number(number, offset)?)
    };
    write(style, sample, offset)
        .or_else(|| {
            series
                .iter()
                .find_map(|(offset, style, sample)| write(*style, sample, *offset))
        })
        .unwrap_or_else(|| format!("〔{number}〕"))
}

/// The glyph styles of `notes`, one each, in the order of the numbers they start at (what a
/// continued series adds to them), with a label written in each.
fn glyph_series<'a>(
    rope: &Rope,
    notes: impl Iterator<Item = &'a Note>,
) -> Vec<(u16, MarkerStyle, String)> {
    let mut series: Vec<(u16, MarkerStyle, String)> = Vec::new();
    for note in notes.filter(|n| n.style.is_glyph()) {
        if !series.iter().any(|s| s.1 == note.style) {
            series.push((note.offset, note.style, slice(rope, note.label)));
        }
    }
    series.sort_by_key(|s| s.0);
    series
}

/// The marker or label at `place` (its text `text`) made to read `number`.
fn written_with(analysis: &Analysis, rope: &Rope, text: &str, place: Place, number: u32) -> String {
    if let Some(glyph) = glyph_written(analysis, rope, text, place, number) {
        return glyph;
    }
    let span = number_span(text).unwrap_or(0..text.len());
    let digits = Digits::of(text).write(number);
    format!("{}{digits}{}", &text[..span.start], &text[span.end..])
}

/// A series of notes of a scope (`None`: after the last notes section), numbered apart from
/// the others (see `Note::series`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Series {
    scope: Option<usize>,
    series: u8,
}

impl From<NoteTarget> for Series {
    fn from(target: NoteTarget) -> Series {
        Series {
            scope: target.scope,
            series: target.series,
        }
    }
}

/// The markers naming notes of `series`, cross-references included.
fn markers_of(analysis: &Analysis, series: Series) -> impl Iterator<Item = &Marker> {
    analysis
        .markers
        .iter()
        .filter(move |m| m.scope() == series.scope && m.series == series.series)
}

/// The entries of `series`.
fn entries_of(analysis: &Analysis, series: Series) -> impl Iterator<Item = &Note> {
    notes_of(analysis, series.scope)
        .iter()
        .filter(move |n| n.series == series.series)
}

/// Whether an entry's label can take a new number: all but a range label's (`〔5–7〕` writes
/// three numbers, which one edit of one of them would break).
fn rewritable(rope: &Rope, note: &Note) -> bool {
    !note.grouped
        || marker_style::read(&slice(rope, note.label))
            .is_some_and(|read| read.len == note.label.len())
}

/// A range label (`〔5–6〕`) with both its numbers `moved`, in the digits it was written in.
fn shifted_range_label(
    rope: &Rope,
    label: TextRange,
    moved: &impl Fn(u32) -> u32,
) -> Option<TextEdit> {
    let text = slice(rope, label);
    let (len, first, last, _) = marker_style::read_range(&text)?;
    let open = text.chars().next()?;
    let inside = &text[open.len_utf8()..len];
    let first_len = digits_prefix_len(inside);
    let rest = &inside[first_len..];
    let dash = rest.chars().next()?;
    let rest = &rest[dash.len_utf8()..];
    let last_len = digits_prefix_len(rest);
    let close = &rest[last_len..];
    let full_width = inside.chars().next().is_some_and(|c| !c.is_ascii_digit());
    let digits = if full_width {
        Digits::FullWidth
    } else {
        Digits::Ascii
    };
    Some(TextEdit {
        range: label,
        new_text: format!(
            "{open}{}{dash}{}{close}",
            digits.write(moved(first)),
            digits.write(moved(last))
        ),
    })
}

/// Every entry of the notes section `scope`, whatever its series.
fn notes_of(analysis: &Analysis, scope: Option<usize>) -> &[Note] {
    scope.map_or(&[], |scope| analysis.notes_of(scope))
}

/// What separates entries in a notes section: a blank line when the section's entries (or,
/// with fewer than two, the document's lines) are separated by one.
fn entry_separator(rope: &Rope, notes: &[Note]) -> &'static str {
    let blank_between =
        |from: usize, to: usize| slice(rope, TextRange::new(from, to)).matches('\n').count() >= 2;
    // (Two entries: notes of one entry share its text.)
    let second = notes
        .iter()
        .skip(1)
        .find(|n| notes.first().is_some_and(|f| !f.same_entry(n)));
    if let (Some(first), Some(second)) = (notes.first(), second) {
        return if blank_between(first.range.end, second.label.start.max(first.range.end)) {
            "\n\n"
        } else {
            "\n"
        };
    }
    // PDF text with a blank line after every printed line: a third or more of its lines are
    // blank (judged on the first ones).
    let lines = rope.len_lines().min(200);
    let blank = (0..lines)
        .filter(|&line| rope.line(line).chars().all(char::is_whitespace))
        .count();
    if lines > 2 && blank * 3 >= lines {
        "\n\n"
    } else {
        "\n"
    }
}

/// The edit that adds an empty entry `〔number〕` to the notes section `scope`, at its place
/// in number order; without a scope, a new notes section at the end of the document.
pub fn add_entry(analysis: &Analysis, rope: &Rope, scope: Option<usize>, number: u32) -> TextEdit {
    let series = Series { scope, series: 0 };
    add_entry_to(analysis, rope, series, number)
}

/// [`add_entry`] in `series`: labelled as that series' entries are (the document's, when it
/// has none), before the first entry of the series numbered as high.
fn add_entry_to(analysis: &Analysis, rope: &Rope, series: Series, number: u32) -> TextEdit {
    let scope = series.scope;
    let own = entries_of(analysis, series).map(Place::from);
    let all = analysis.notes.iter().map(Place::from);
    let markers = analysis.markers.iter().map(Place::from);
    let label = MarkerWriting::of(rope, own.chain(all).chain(markers)).write(number);
    let notes = notes_of(analysis, scope);
    let separator = entry_separator(rope, notes);
    let Some(scope) = scope else {
        let end = rope.len_bytes();
        let last_section = analysis
            .headings
            .iter()
            .rev()
            .find(|h| h.kind == HeadingKind::Notes);
        let title = match last_section {
            // After a section without a title, entries alone make the next one.
            Some(h) if h.untitled => return TextEdit::insert(end, format!("{separator}{label}")),
            Some(h) => slice(rope, h.range),
            None => analysis.syntax.new_notes_title(),
        };
        return TextEdit::insert(end, format!("{separator}{title}{separator}{label}"));
    };
    // Before the first entry numbered as high (when inserting, that one is about to move up).
    if let Some(next) = entries_of(analysis, series).find(|n| n.number >= number) {
        let line_start = rope.line_to_byte(rope.byte_to_line(next.label.start));
        let indent = slice(rope, TextRange::new(line_start, next.label.start));
        return TextEdit::insert(next.label.start, format!("{label}{separator}{indent}"));
    }
    let after = entries_of(analysis, series)
        .last()
        .or(notes.last())
        .map_or(analysis.headings[scope].range.end, |last| last.range.end);
    TextEdit::insert(after, format!("{separator}{label}"))
}

/// "Add note 〔n〕 to 註釋", for the missing note cited by the marker at `offset`.
pub fn add_missing_note(analysis: &Analysis, rope: &Rope, offset: usize) -> Option<TextEdit> {
    let marker = analysis.marker_at(offset)?;
    if analysis.note_of(marker).is_some() {
        return None;
    }
    // A marker whose number is in several series cites none: it adds to its own style's.
    let series = match marker.series {
        u8::MAX => 0,
        series => series,
    };
    let series = Series {
        scope: marker.scope(),
        series,
    };
    Some(add_entry_to(analysis, rope, series, marker.number))
}

/// The number a new note cited at `offset` gets, in order of first citation: one more than the
/// highest number cited before it in its scope.
pub fn new_note_number(analysis: &Analysis, offset: usize) -> (Option<usize>, u32) {
    let scope = analysis.scope_at(offset);
    let before = markers_of(analysis, Series { scope, series: 0 })
        .filter(|m| !m.cross_reference)
        .take_while(|m| m.range.start < offset)
        .map(|m| m.number)
        .max()
        .unwrap_or(0);
    (scope, before + 1)
}

/// "Insert a note here": a marker `〔k〕` at `offset` (k in order of first citation), every
/// later marker and entry of the scope renumbered +1, and an empty entry `〔k〕` at its place.
pub fn insert_note(analysis: &Analysis, rope: &Rope, offset: usize) -> Vec<TextEdit> {
    // Not inside a marker: after it.
    let offset = analysis
        .markers
        .iter()
        .find(|m| m.range.start < offset && offset < m.range.end)
        .map_or(offset, |m| m.range.end);
    let (_, marker, mut edits) = new_note_at(analysis, rope, offset);
    edits.insert(0, TextEdit::insert(offset, marker));
    edits
}

/// A new note cited at `offset`: its number, its marker as the document writes markers, and
/// the other edits it takes (every later note renumbered +1, its empty entry in 註釋).
pub fn new_note_at(
    analysis: &Analysis,
    rope: &Rope,
    offset: usize,
) -> (u32, String, Vec<TextEdit>) {
    let (scope, number) = new_note_number(analysis, offset);
    let mut edits = shift_numbers(analysis, rope, Series { scope, series: 0 }, number, 1);
    edits.push(add_entry(analysis, rope, scope, number));
    let marker = MarkerWriting::of_markers(analysis, rope).write(number);
    (number, marker, edits)
}

/// A marker citing note `number` at `offset`, in the document's digits.
pub fn cite(analysis: &Analysis, rope: &Rope, offset: usize, number: u32) -> TextEdit {
    TextEdit::insert(
        offset,
        MarkerWriting::of_markers(analysis, rope).write(number),
    )
}

/// Every marker and entry of `series` numbered `from` or more, renumbered by `by`.
fn shift_numbers(
    analysis: &Analysis,
    rope: &Rope,
    series: Series,
    from: u32,
    by: i64,
) -> Vec<TextEdit> {
    let moved = |number: u32| u32::try_from(i64::from(number) + by).unwrap_or(number);
    // A range label moves whole when its first number does (`〔5–6〕` → `〔6–7〕`).
    let mut ranges: Vec<TextRange> = entries_of(analysis, series)
        .filter(|n| n.number >= from && !rewritable(rope, n))
        .map(|n| n.label)
        .collect();
    ranges.dedup();
    markers_of(analysis, series)
        .filter(|m| m.number >= from)
        .map(|m| renumbered(analysis, rope, m, moved(m.number)))
        .chain(
            entries_of(analysis, series)
                .filter(|n| n.number >= from && rewritable(rope, n))
                .map(|n| renumbered(analysis, rope, n, moved(n.number))),
        )
        .chain(
            ranges
                .into_iter()
                .filter_map(|label| shifted_range_label(rope, label, &moved)),
        )
        .collect()
}

/// The whole of an entry as a deletion removes it: from its line's start to the next entry's
/// line start (or, for the last one, from the end of the content before it).
fn entry_extent(rope: &Rope, notes: &[Note], index: usize) -> TextRange {
    let note = &notes[index];
    let line_start = |offset: usize| rope.line_to_byte(rope.byte_to_line(offset));
    match notes.get(index + 1) {
        Some(next) => TextRange::new(line_start(note.label.start), line_start(next.label.start)),
        None => {
            // The separator before it goes with it.
            let start = match index.checked_sub(1) {
                Some(previous) => notes[previous].range.end,
                None => line_start(note.label.start),
            };
            TextRange::new(start, note.range.end)
        }
    }
}

/// "Delete note 〔n〕": the entry whose label is at `offset`, and nothing else (not an entry
/// other notes share).
pub fn delete_entry(analysis: &Analysis, rope: &Rope, offset: usize) -> Option<TextEdit> {
    let note = analysis.note_label_at(offset).filter(|n| !n.grouped)?;
    let notes = analysis.notes_of(note.section);
    let index = notes.iter().position(|n| n.label == note.label)?;
    Some(TextEdit {
        range: entry_extent(rope, notes, index),
        new_text: String::new(),
    })
}

/// "Delete this note" on a marker: the marker goes; if it was the note's last citation, its
/// entry goes too and every later note of the scope is renumbered −1.
pub fn delete_note(analysis: &Analysis, rope: &Rope, offset: usize) -> Option<Vec<TextEdit>> {
    let marker = *analysis.marker_at(offset)?;
    let mut edits = vec![TextEdit {
        range: marker.range,
        new_text: String::new(),
    }];
    let series = Series::from(NoteTarget::from(&marker));
    let cited_elsewhere =
        markers_of(analysis, series).any(|m| m.number == marker.number && m.range != marker.range);
    if cited_elsewhere {
        return Some(edits);
    }
    let notes = notes_of(analysis, series.scope);
    for (index, note) in notes.iter().enumerate() {
        if note.number == marker.number && note.series == series.series {
            edits.push(TextEdit {
                range: entry_extent(rope, notes, index),
                new_text: String::new(),
            });
        }
    }
    let renumbered: Vec<TextEdit> = shift_numbers(analysis, rope, series, marker.number + 1, -1)
        .into_iter()
        .filter(|edit| !edits.iter().any(|e| e.range.contains(edit.range.start)))
        .collect();
    edits.extend(renumbered);
    Some(edits)
}

/// Why a rename cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    NotANote,
    NotANumber(String),
    Taken { from: u32, to: u32 },
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameError::NotANote => write!(f, "there is no note marker or label here"),
            RenameError::NotANumber(name) => write!(
                f,
                "a note's new number must be a positive whole number, not \"{name}\""
            ),
            RenameError::Taken { from, to } => write!(
                f,
                "note 〔{to}〕 already exists; use the code action \"Swap notes {from} and {to}\" to exchange them"
            ),
        }
    }
}

/// The marker or label a rename at `offset` would change, and its number.
pub fn rename_target(analysis: &Analysis, offset: usize) -> Option<(TextRange, u32)> {
    if let Some(marker) = analysis.marker_at(offset) {
        return Some((marker.range, marker.number));
    }
    analysis.note_label_at(offset).map(|n| (n.label, n.number))
}

/// Renames the note under `offset` to `new_name` (ASCII or full-width digits, with or without
/// brackets): every marker citing it and its entries, in its scope.
pub fn rename(
    analysis: &Analysis,
    rope: &Rope,
    offset: usize,
    new_name: &str,
) -> Result<Vec<TextEdit>, RenameError> {
    let target = target_at(analysis, offset).ok_or(RenameError::NotANote)?;
    let to = parse_number(new_name).ok_or_else(|| RenameError::NotANumber(new_name.to_string()))?;
    if to == target.number {
        return Ok(Vec::new());
    }
    if number_exists(
        analysis,
        NoteTarget {
            number: to,
            ..target
        },
    ) {
        return Err(RenameError::Taken {
            from: target.number,
            to,
        });
    }
    Ok(renumber_target(analysis, rope, target, to))
}

/// "Swap notes n and m": every n becomes m and every m becomes n, in the scope of `offset`'s note.
pub fn swap(analysis: &Analysis, rope: &Rope, offset: usize, other: u32) -> Option<Vec<TextEdit>> {
    let target = target_at(analysis, offset)?;
    let mut edits = renumber_target(analysis, rope, target, other);
    let other_target = NoteTarget {
        number: other,
        ..target
    };
    edits.extend(renumber_target(analysis, rope, other_target, target.number));
    Some(edits)
}

fn renumber_target(analysis: &Analysis, rope: &Rope, target: NoteTarget, to: u32) -> Vec<TextEdit> {
    let series = Series::from(target);
    markers_of(analysis, series)
        .filter(|m| m.number == target.number)
        .map(|m| renumbered(analysis, rope, m, to))
        .chain(
            entries_of(analysis, series)
                .filter(|n| n.number == target.number && rewritable(rope, n))
                .map(|n| renumbered(analysis, rope, n, to)),
        )
        .collect()
}

/// Whether any marker or entry of the series of `note` has its number.
pub fn number_exists(analysis: &Analysis, note: NoteTarget) -> bool {
    let series = Series::from(note);
    markers_of(analysis, series).any(|m| m.number == note.number)
        || entries_of(analysis, series).any(|n| n.number == note.number)
}

/// A positive note number written in ASCII or full-width digits, brackets allowed.
pub fn parse_number(name: &str) -> Option<u32> {
    let trimmed = name
        .trim()
        .trim_start_matches(['〔', '[', '［'])
        .trim_end_matches(['〕', ']', '］']);
    if !trimmed.chars().all(|c| digit_value(c).is_some()) {
        return None;
    }
    parse_digits(trimmed).filter(|&n| n > 0)
}

/// "Renumber this duplicate as a new note": the second entry labelled like an earlier one
/// (its label at `offset`) becomes the scope's next free number.
pub fn renumber_duplicate(analysis: &Analysis, rope: &Rope, offset: usize) -> Option<TextEdit> {
    let note = analysis
        .note_label_at(offset)
        .filter(|n| rewritable(rope, n))?;
    let series = Series::from(NoteTarget::from(note));
    let highest = markers_of(analysis, series)
        .map(|m| m.number)
        .chain(entries_of(analysis, series).map(|n| n.number))
        .max()
        .unwrap_or(0);
    Some(renumbered(analysis, rope, note, highest + 1))
}

/// "Renumber notes in order of first citation": in each scope the markers run 1, 2, 3… in
/// reading order and the entries are reordered to match, each carrying all its text. Entries
/// nothing cites follow, in their order.
pub fn renumber_in_order(analysis: &Analysis, rope: &Rope) -> Vec<TextEdit> {
    let mut all: Vec<Series> = analysis
        .markers
        .iter()
        .map(|m| Series::from(NoteTarget::from(m)))
        .collect();
    all.extend(
        analysis
            .notes
            .iter()
            .map(|n| Series::from(NoteTarget::from(n))),
    );
    all.sort();
    all.dedup();
    let mut edits = Vec::new();
    let mut moves = Vec::new();
    // Markers whose number is in several series cite none: they are left as they are.
    for series in all.into_iter().filter(|series| series.series != u8::MAX) {
        renumber_series(analysis, rope, series, &mut edits, &mut moves);
    }
    if moves.is_empty() {
        return edits;
    }
    // An edit inside a moved entry (a cross-reference renumbered) goes with the text that
    // moves: made in the copy, not where the entry was.
    let inside = |edit: &TextEdit, range: TextRange| {
        range.start <= edit.range.start && edit.range.end <= range.end
    };
    let mut result: Vec<TextEdit> = edits
        .iter()
        .filter(|edit| !moves.iter().any(|m| inside(edit, m.slot)))
        .cloned()
        .collect();
    for moved in moves {
        let carried: Vec<TextEdit> = edits
            .iter()
            .filter(|edit| inside(edit, moved.body))
            .map(|edit| TextEdit {
                range: TextRange::new(
                    edit.range.start - moved.body.start,
                    edit.range.end - moved.body.start,
                ),
                new_text: edit.new_text.clone(),
            })
            .collect();
        let body = apply(&slice(rope, moved.body), &carried);
        result.push(TextEdit {
            range: moved.slot,
            new_text: moved.label + &body,
        });
    }
    result
}

/// An entry moved by renumbering: the place it lands in (from the label there to the end of
/// that entry), its new label, and its text after its label where it was.
struct Move {
    slot: TextRange,
    label: String,
    body: TextRange,
}

fn renumber_series(
    analysis: &Analysis,
    rope: &Rope,
    series: Series,
    edits: &mut Vec<TextEdit>,
    moves: &mut Vec<Move>,
) {
    let notes: Vec<Note> = entries_of(analysis, series).copied().collect();
    let notes = &notes[..];
    if notes.iter().any(|n| n.grouped) {
        // An entry for several notes cannot move to one place: the series is left as it is.
        return;
    }
    // Old number → new number, in order of first citation (cross-references in notes do not
    // count), then uncited entries in order.
    let mut order: Vec<u32> = Vec::new();
    for marker in markers_of(analysis, series).filter(|m| !m.cross_reference) {
        if !order.contains(&marker.number) {
            order.push(marker.number);
        }
    }
    for note in notes {
        if !order.contains(&note.number) {
            order.push(note.number);
        }
    }
    let new_number = |old: u32| {
        order
            .iter()
            .position(|&n| n == old)
            .map_or(old, |i| i as u32 + 1)
    };
    edits.extend(
        markers_of(analysis, series)
            .filter(|m| new_number(m.number) != m.number)
            .map(|m| renumbered(analysis, rope, m, new_number(m.number))),
    );
    // Entries in their new order (a stable sort: duplicates keep theirs).
    let mut reordered: Vec<&Note> = notes.iter().collect();
    reordered.sort_by_key(|n| new_number(n.number));
    // Moved entries: each place an entry held takes the entry that now comes there, with its
    // new label (in the style of the place) and all its lines; the text between entries
    // stays as it is.
    for (slot, entry) in notes.iter().zip(&reordered) {
        if slot.label == entry.label {
            if new_number(entry.number) != entry.number {
                edits.push(renumbered(analysis, rope, *entry, new_number(entry.number)));
            }
            continue;
        }
        let label = written_with(
            analysis,
            rope,
            &slice(rope, slot.label),
            Place::from(slot),
            new_number(entry.number),
        );
        moves.push(Move {
            slot: TextRange::new(slot.label.start, slot.range.end),
            label,
            body: TextRange::new(entry.label.end, entry.range.end),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixture::Fixture;

    fn run(fixture: &str, operation: impl Fn(&Analysis, &Rope, usize) -> Vec<TextEdit>) -> String {
        let fixture = Fixture::parse(fixture);
        let analysis = Analysis::new(&fixture.text);
        let rope = Rope::from_str(&fixture.text);
        apply(&fixture.text, &operation(&analysis, &rope, fixture.cursor))
    }

    /// `run` on a text read by a marker pattern from the settings.
    fn run_by(
        marker_pattern: &str,
        fixture: &str,
        operation: impl Fn(&Analysis, &Rope, usize) -> Vec<TextEdit>,
    ) -> String {
        let mut syntax = crate::analysis::syntax::Syntax::default();
        syntax.set_marker_pattern(marker_pattern).unwrap();
        let fixture = Fixture::parse(fixture);
        let analysis = Analysis::with_syntax(&fixture.text, std::sync::Arc::new(syntax));
        let rope = Rope::from_str(&fixture.text);
        apply(&fixture.text, &operation(&analysis, &rope, fixture.cursor))
    }

    #[test]
    fn a_new_notes_section_takes_the_first_title_of_the_settings() {
        let mut syntax = crate::analysis::syntax::Syntax::default();
        syntax
            .set_notes_titles(&["參考資料".to_string(), "Notes".to_string()])
            .unwrap();
        let fixture = Fixture::parse("正文〔$01〕。\n");
        let analysis = Analysis::with_syntax(&fixture.text, std::sync::Arc::new(syntax));
        let rope = Rope::from_str(&fixture.text);
        let edit = add_missing_note(&analysis, &rope, fixture.cursor).unwrap();
        let text = apply(&fixture.text, &[edit]);
        assert_eq!(text, "正文〔1〕。\n\n參考資料：\n〔1〕");
        let again = Analysis::with_syntax(&text, analysis.syntax.clone());
        assert_eq!(again.notes.len(), 1);
        assert!(again.problems.is_empty(), "{:?}", again.problems);
    }

    #[test]
    fn notes_told_by_a_pattern_are_written_in_their_own_style() {
        let insert = |a: &Analysis, r: &Rope, at| insert_note(a, r, at);
        assert_eq!(
            run_by(
                r"\[(\d+)\]",
                "甲[1]乙$0丙[2]。\n\n註釋：\n[1] 一。\n[2] 二。\n",
                insert
            ),
            "甲[1]乙[2]丙[3]。\n\n註釋：\n[1] 一。\n[2]\n[3] 二。\n"
        );
        // Chinese numerals, each place renumbered in them (十 follows 九).
        let markers: String = (1..=9)
            .map(|n| {
                format!(
                    "〔{}〕",
                    ["一", "二", "三", "四", "五", "六", "七", "八", "九"][n - 1]
                )
            })
            .collect();
        let text = format!("$0{markers}\n註釋：\n〔九〕末。\n");
        let renumbered = run_by(r"〔([一二三四五六七八九十]+)〕", &text, insert);
        assert!(renumbered.starts_with("〔一〕〔二〕〔三〕"), "{renumbered}");
        assert!(renumbered.contains("〔九〕〔十〕\n"), "{renumbered}");
        assert!(renumbered.ends_with("〔一〕\n〔十〕末。\n"), "{renumbered}");
    }

    #[test]
    fn insert_a_note_renumbers_later_markers_and_entries() {
        let text = "甲〔1〕乙$0丙〔2〕丁〔2〕\n\n註釋：\n\n〔1〕一。\n\n〔2〕二。";
        assert_eq!(
            run(text, insert_note),
            "甲〔1〕乙〔2〕丙〔3〕丁〔3〕\n\n註釋：\n\n〔1〕一。\n\n〔2〕\n\n〔3〕二。"
        );
        // At the start, with full-width digits kept as they are written.
        assert_eq!(
            run(
                "$0甲〔１〕乙〔2〕\n註釋：\n〔１〕一。\n〔2〕二。",
                insert_note
            ),
            "〔1〕甲〔２〕乙〔3〕\n註釋：\n〔1〕\n〔２〕一。\n〔3〕二。"
        );
        // After the last note, and with no notes section: one is made.
        assert_eq!(
            run("甲〔1〕$0\n註釋：\n〔1〕一。", insert_note),
            "甲〔1〕〔2〕\n註釋：\n〔1〕一。\n〔2〕"
        );
        assert_eq!(run("甲$0", insert_note), "甲〔1〕\n註釋：\n〔1〕");
    }

    #[test]
    fn insert_a_note_in_the_second_chapter_leaves_the_first_alone() {
        let text = "一、甲\n甲〔1〕\n註釋：\n〔1〕甲一。\n二、乙\n$0乙〔1〕\n註釋：\n〔1〕乙一。";
        assert_eq!(
            run(text, insert_note),
            "一、甲\n甲〔1〕\n註釋：\n〔1〕甲一。\n二、乙\n〔1〕乙〔2〕\n註釋：\n〔1〕\n〔2〕乙一。"
        );
    }

    #[test]
    fn add_a_missing_note_at_its_place_in_number_order() {
        let add =
            |a: &Analysis, r: &Rope, o: usize| add_missing_note(a, r, o).into_iter().collect();
        assert_eq!(
            run(
                "甲〔1〕〔$02〕〔3〕\n\n註釋：\n\n〔1〕一。\n\n〔3〕三。",
                add
            ),
            "甲〔1〕〔2〕〔3〕\n\n註釋：\n\n〔1〕一。\n\n〔2〕\n\n〔3〕三。"
        );
        assert_eq!(
            run("甲〔$09〕\n註釋：\n〔1〕一。", add),
            "甲〔9〕\n註釋：\n〔1〕一。\n〔9〕"
        );
        // Nothing to add for a note that exists.
        assert_eq!(
            run("甲〔$01〕\n註釋：\n〔1〕一。", add),
            "甲〔1〕\n註釋：\n〔1〕一。"
        );
    }

    #[test]
    fn an_entry_for_several_notes_is_not_moved_apart_and_a_range_shifts_whole() {
        // Out of order, but `〔2〕〔3〕` is one entry: the section is left as it is.
        let text = "甲〔3〕乙〔2〕丙〔1〕\n註釋：\n〔1〕一。\n〔2〕〔3〕同上。$0";
        assert_eq!(
            run(text, |a, r, _| renumber_in_order(a, r)),
            text.replace("$0", "")
        );
        // A note inserted before a range label moves both its numbers.
        assert_eq!(
            run("甲$0乙〔1〕丙〔2〕\n註釋：\n〔1–2〕同上。", insert_note),
            "甲〔1〕乙〔2〕丙〔3〕\n註釋：\n〔1〕\n〔2–3〕同上。"
        );
        // Deleting an entry others share is refused.
        let fixture = Fixture::parse("甲〔1〕乙〔2〕\n註釋：\n〔1〕$0〔2〕同上。");
        let analysis = Analysis::new(&fixture.text);
        let rope = Rope::from_str(&fixture.text);
        assert_eq!(delete_entry(&analysis, &rope, fixture.cursor), None);
    }

    #[test]
    fn renumber_in_order_of_first_citation_carries_each_text() {
        let text = "甲〔2〕乙〔1〕丙〔3〕丁〔2〕\n\n註釋：\n\n〔1〕一，\n\n續一。\n\n〔2〕二。\n\n〔3〕三。$0";
        assert_eq!(
            run(text, |a, r, _| renumber_in_order(a, r)),
            "甲〔1〕乙〔2〕丙〔3〕丁〔1〕\n\n註釋：\n\n〔1〕二。\n\n〔2〕一，\n\n續一。\n\n〔3〕三。"
        );
        // Only what changes is touched: entry 〔3〕, in place and still 〔3〕, and the blank
        // lines between entries are in no edit.
        let fixture = Fixture::parse(text);
        let analysis = Analysis::new(&fixture.text);
        let edits = renumber_in_order(&analysis, &Rope::from_str(&fixture.text));
        let three = fixture.text.rfind("〔3〕").unwrap();
        let separators: Vec<usize> = fixture
            .text
            .match_indices("\n\n〔")
            .map(|(at, _)| at)
            .collect();
        for edit in &edits {
            assert!(
                !edit.range.contains(three) && edit.range.start != three,
                "{edit:?}"
            );
            for &at in &separators {
                assert!(!(edit.range.start <= at && at < edit.range.end), "{edit:?}");
            }
        }
        // Already in order: nothing changes.
        let ordered = "甲〔1〕乙〔2〕\n註釋：\n〔1〕一。\n〔2〕二。$0";
        assert_eq!(
            run(ordered, |a, r, _| renumber_in_order(a, r)),
            ordered.replace("$0", "")
        );
    }

    #[test]
    fn delete_a_note_and_renumber_the_later_ones() {
        let text = "甲〔1〕乙〔$02〕丙〔3〕\n註釋：\n〔1〕一。\n〔2〕二。\n〔3〕三。";
        assert_eq!(
            run(text, |a, r, o| delete_note(a, r, o).unwrap()),
            "甲〔1〕乙丙〔2〕\n註釋：\n〔1〕一。\n〔2〕三。"
        );
        // Still cited elsewhere: only the marker goes.
        let text = "甲〔$01〕乙〔1〕\n註釋：\n〔1〕一。";
        assert_eq!(
            run(text, |a, r, o| delete_note(a, r, o).unwrap()),
            "甲乙〔1〕\n註釋：\n〔1〕一。"
        );
        // The last entry takes its separator with it.
        let text = "甲〔1〕乙〔$02〕\n\n註釋：\n\n〔1〕一。\n\n〔2〕二。";
        assert_eq!(
            run(text, |a, r, o| delete_note(a, r, o).unwrap()),
            "甲〔1〕乙\n\n註釋：\n\n〔1〕一。"
        );
    }

    #[test]
    fn rename_and_swap() {
        let text = "甲〔$01〕乙〔２〕丙〔1〕\n註釋：\n〔1〕一。\n〔２〕二。";
        assert_eq!(
            run(text, |a, r, o| rename(a, r, o, "７").unwrap()),
            "甲〔7〕乙〔２〕丙〔7〕\n註釋：\n〔7〕一。\n〔２〕二。"
        );
        let fixture = Fixture::parse(text);
        let analysis = Analysis::new(&fixture.text);
        let rope = Rope::from_str(&fixture.text);
        let refused = rename(&analysis, &rope, fixture.cursor, "2").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "note 〔2〕 already exists; use the code action \"Swap notes 1 and 2\" to exchange them"
        );
        assert!(matches!(
            rename(&analysis, &rope, fixture.cursor, "0"),
            Err(RenameError::NotANumber(_))
        ));
        assert_eq!(
            run(text, |a, r, o| swap(a, r, o, 2).unwrap()),
            "甲〔2〕乙〔１〕丙〔2〕\n註釋：\n〔2〕一。\n〔１〕二。"
        );
    }

    #[test]
    fn delete_an_unused_entry_and_renumber_a_duplicate() {
        let text = "甲〔1〕\n註釋：\n〔1〕一。\n$0〔2〕二。\n〔3〕三。";
        assert_eq!(
            run(text, |a, r, o| delete_entry(a, r, o).into_iter().collect()),
            "甲〔1〕\n註釋：\n〔1〕一。\n〔3〕三。"
        );
        let text = "甲〔1〕乙〔2〕\n註釋：\n〔1〕一。\n〔2〕二。\n$0〔1〕重。";
        assert_eq!(
            run(text, |a, r, o| renumber_duplicate(a, r, o)
                .into_iter()
                .collect()),
            "甲〔1〕乙〔2〕\n註釋：\n〔1〕一。\n〔2〕二。\n〔3〕重。"
        );
    }

    #[test]
    fn renumbering_writes_each_place_in_its_own_glyphs() {
        let in_order = |text: &str| run(&format!("$0{text}"), |a, r, _| renumber_in_order(a, r));
        // Moved entries take the glyph of the place they land in.
        assert_eq!(
            in_order("甲⑵乙⑴。\n注：\n⑴一。\n⑵二。"),
            "甲⑴乙⑵。\n注：\n⑴二。\n⑵一。"
        );
        assert_eq!(
            in_order("甲²乙¹。\n注释\n¹ 一。\n² 二。"),
            "甲¹乙²。\n注释\n¹ 二。\n² 一。"
        );
        assert_eq!(
            in_order("甲〔二〕乙〔一〕。\n注释\n〔一〕一。\n〔二〕二。"),
            "甲〔一〕乙〔二〕。\n注释\n〔一〕二。\n〔二〕一。"
        );
        // Two series: each renumbered on its own; the translator's ① stay as they are.
        assert_eq!(
            in_order("甲〔2〕乙①丙〔1〕。\n注\n〔1〕一。\n〔2〕二。\n①譯。"),
            "甲〔1〕乙①丙〔2〕。\n注\n〔1〕二。\n〔2〕一。\n①譯。"
        );
        // A cross-reference is renumbered with its note but does not count for the order.
        assert_eq!(
            in_order("甲〔2〕乙〔1〕。\n註釋：\n〔1〕一，見注〔2〕。\n〔2〕二。"),
            "甲〔1〕乙〔2〕。\n註釋：\n〔1〕二。\n〔2〕一，見注〔1〕。"
        );
        // Past the glyphs of its style, a number is written as the notes continue it.
        let cited: String = ('⑴'..='⒇').map(|c| format!("甲{c}")).collect();
        let listed: String = ('⑴'..='⒇').map(|c| format!("{c}注。\n")).collect();
        let text = format!("$0乙{cited}丙①。\n註釋：\n{listed}①二十一。\n");
        let inserted = run(&text, insert_note);
        assert!(inserted.starts_with("⑴乙甲⑵"), "{inserted}");
        assert!(inserted.contains("甲①丙②。"), "{inserted}");
        assert!(
            inserted.ends_with("⒇注。\n①注。\n②二十一。\n"),
            "{inserted}"
        );
    }
}
