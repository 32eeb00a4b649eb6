//! The parser: text in, an immutable [`Analysis`] out. Parsing never fails: whatever the text,
//! the analysis holds what was found and the problems with it.
//!
//! Everything here speaks in byte offsets ([`TextRange`]); nothing knows about LSP.

mod assemble;
pub mod headings;
pub mod index;
mod lines;
pub mod lint;
pub mod marker_style;
pub mod numerals;
pub mod paragraphs;
mod scan;
pub mod syntax;
pub mod urls;

pub use headings::HeadingKind;
pub use lines::{join_lines, joins_with_space};
pub use marker_style::MarkerStyle;

use crate::text::TextRange;

/// Everything the features need to know about one version of a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// In document order.
    pub headings: Vec<Heading>,
    /// Note markers cited in the text (note labels excluded), in document order.
    pub markers: Vec<Marker>,
    /// Note entries of the notes sections, in document order.
    pub notes: Vec<Note>,
    /// Sorted by position.
    pub problems: Vec<Problem>,
    /// The rules the text was read by.
    pub syntax: std::sync::Arc<syntax::Syntax>,
}

// (No title text: copying thousands of titles into each analysis, one per heading, was a third
// of re-analysing a book after an edit. `title` reads it from the text when it is shown.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heading {
    /// 1 is the top level.
    pub level: u8,
    pub kind: HeadingKind,
    /// The heading's text, a PDF-wrapped continuation line included.
    pub range: TextRange,
    /// The heading's text on its own line.
    pub line: TextRange,
    /// The continuation line of a heading that PDF extraction wrapped.
    pub tail: Option<TextRange>,
    /// From the heading to the end of the last non-blank line before the next heading of the
    /// same or a higher level.
    pub section: TextRange,
    /// A notes section with no title line (a run of entries at the end of a chapter): its
    /// `range` and `line` are its first entry's label.
    pub untitled: bool,
}

impl Heading {
    /// Whether its section has text after the heading line.
    pub fn holds_text(&self) -> bool {
        self.section.end > self.range.end
    }

    /// The heading's text, a wrapped continuation joined on and a trailing colon dropped.
    /// `text` is the text this heading was found in.
    pub fn title(&self, text: &ropey::Rope) -> String {
        if self.untitled {
            return UNTITLED_NOTES.to_string();
        }
        let read = |range: TextRange| {
            text.get_byte_slice(range.start..range.end)
                .map(String::from)
                .unwrap_or_default()
        };
        let mut title = read(self.line);
        if let Some(tail) = self.tail {
            lines::push_joined(without_colon(&mut title), &read(tail));
        }
        without_colon(&mut title);
        title
    }
}

/// What a notes section without a title is called in the outline.
pub const UNTITLED_NOTES: &str = "（註釋）";

/// Drops the colon that ends a title such as `註釋：`.
fn without_colon(title: &mut String) -> &mut String {
    let len = title.trim_end_matches(['：', ':']).len();
    title.truncate(len);
    title
}

/// A citation such as `〔3〕` (or `⑶`, `③`, `³` …) in the text, or a cross-reference such as
/// `见注〔3〕` inside a note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marker {
    pub range: TextRange,
    /// The note's number: the number its glyph or digits write, plus [`Marker::offset`].
    pub number: u32,
    pub style: MarkerStyle,
    /// What a glyph series continued from an earlier one adds to the glyph's number (`①`
    /// after `⒇` is note 21); 0 otherwise.
    pub offset: u16,
    /// Which of its notes section's series of entries the marker cites (see [`Note::series`]).
    pub series: u8,
    /// A reference to a note rather than a citation: a marker after `注` (`见注〔18〕`,
    /// `本文注〔18〕`) or inside a note. It resolves like a citation but does not count for
    /// the order of first citation, nor makes another style's citation of its number
    /// ambiguous.
    pub cross_reference: bool,
    /// A marker that starts a line outside notes sections, as a note's label does: an entry
    /// whose notes title or marker was lost, or a citation wrapped onto a new line. It
    /// resolves like a citation, but is never reported as a missing note.
    pub starts_line: bool,
    /// The notes section the marker belongs to (see [`Marker::scope`]).
    scope: u32,
}

/// A marker in no scope: no notes section follows it (or it has not been assembled yet).
const NO_SCOPE: u32 = u32::MAX;

impl Marker {
    pub fn new(range: TextRange, number: u32, style: MarkerStyle) -> Marker {
        Marker {
            range,
            number,
            style,
            offset: 0,
            series: 0,
            cross_reference: false,
            starts_line: false,
            scope: NO_SCOPE,
        }
    }

    /// The index in [`Analysis::headings`] of the notes section the marker belongs to: the
    /// first one after it (books restart numbering in each chapter, each chapter ending with
    /// its own notes), or the one it stands in (a cross-reference). `None` when no notes
    /// section follows.
    pub fn scope(&self) -> Option<usize> {
        (self.scope != NO_SCOPE).then_some(self.scope as usize)
    }

    /// The number as the marker's glyph or digits write it.
    pub fn written_number(&self) -> u32 {
        self.number - u32::from(self.offset)
    }

    /// Whether the marker names the note `key`.
    pub fn names(&self, key: NoteKey) -> bool {
        self.number == key.number && self.series == key.series && self.scope() == key.scope
    }

    fn with_scope(self, scope: Option<usize>) -> Marker {
        let scope = scope
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(NO_SCOPE);
        Marker { scope, ..self }
    }
}

/// Which note a marker or label names: its number in a series of a notes section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NoteKey {
    /// The notes section (a heading index); `None` for markers after the last one.
    pub scope: Option<usize>,
    pub number: u32,
    pub series: u8,
}

impl From<&Marker> for NoteKey {
    fn from(marker: &Marker) -> NoteKey {
        NoteKey {
            scope: marker.scope(),
            number: marker.number,
            series: marker.series,
        }
    }
}

impl From<&Note> for NoteKey {
    fn from(note: &Note) -> NoteKey {
        NoteKey {
            scope: Some(note.section),
            number: note.number,
            series: note.series,
        }
    }
}

/// An entry of a notes section: a line starting with a label (`〔n〕`, `⑴`, `①` …) and the
/// lines that follow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    /// The note's number: its label's number plus [`Note::offset`].
    pub number: u32,
    pub style: MarkerStyle,
    /// What a glyph series continued from an earlier one adds (`①` after `⒇` is note 21).
    pub offset: u16,
    /// A notes section listing entries in more than one style (an author's `〔1〕` and a
    /// translator's `①`) has a series per style, numbered apart; a continued glyph series
    /// belongs to the series it continues. 0 in a section of one style.
    pub series: u8,
    /// The label that starts the entry.
    pub label: TextRange,
    /// From the label to the end of the entry's last non-blank line.
    pub range: TextRange,
    /// Index into [`Analysis::headings`] of the notes section the entry belongs to.
    pub section: usize,
    /// Its entry is other notes' too (`〔2〕〔3〕〔4〕均见…`, `〔5–7〕同上`): what would move
    /// it apart from them or rewrite one number of a range leaves it as it is.
    pub grouped: bool,
}

impl Note {
    /// Whether `self` and `other` are notes of one entry (see [`Note::grouped`]).
    pub fn same_entry(&self, other: &Note) -> bool {
        self.grouped
            && other.grouped
            && self.section == other.section
            && self.range.end == other.range.end
    }

    /// The entry's text after its label.
    pub fn body(&self) -> TextRange {
        TextRange::new(self.label.end, self.range.end)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "info",
            Severity::Hint => "hint",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemCode {
    MissingNote,
    UnusedNote,
    DuplicateNote,
    NoteOrder,
    NoteGap,
    NotesOutOfOrder,
    PageBreakSpace,
    HardWrap,
    BrokenUrl,
    UnbalancedPunctuation,
    HalfWidthPunctuation,
    /// Problems an editor was not sent (see [`ProblemKind::NotShown`]).
    NotShown,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::MissingNote => "missing-note",
            ProblemCode::UnusedNote => "unused-note",
            ProblemCode::DuplicateNote => "duplicate-note",
            ProblemCode::NoteOrder => "note-order",
            ProblemCode::NoteGap => "note-gap",
            ProblemCode::NotesOutOfOrder => "notes-out-of-order",
            ProblemCode::PageBreakSpace => "page-break-space",
            ProblemCode::HardWrap => "hard-wrap",
            ProblemCode::BrokenUrl => "broken-url",
            ProblemCode::UnbalancedPunctuation => "unbalanced-punctuation",
            ProblemCode::HalfWidthPunctuation => "half-width-punctuation",
            ProblemCode::NotShown => "not-shown",
        }
    }

    pub fn default_severity(self) -> Severity {
        match self {
            ProblemCode::MissingNote | ProblemCode::DuplicateNote => Severity::Error,
            ProblemCode::UnusedNote
            | ProblemCode::NoteGap
            | ProblemCode::NotesOutOfOrder
            | ProblemCode::UnbalancedPunctuation
            | ProblemCode::HalfWidthPunctuation => Severity::Warning,
            ProblemCode::NoteOrder | ProblemCode::NotShown => Severity::Information,
            ProblemCode::PageBreakSpace | ProblemCode::HardWrap | ProblemCode::BrokenUrl => {
                Severity::Hint
            }
        }
    }
}

/// A problem found in a document. Small and without text of its own: a large paste can turn
/// thousands of lines into problems, and each costs one keystroke's time when it is built,
/// sorted and sent; its message is written only when it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub range: TextRange,
    pub kind: ProblemKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A marker citing note `number`, which has no entry in its scope.
    MissingNote { number: u32, scope: MissingIn },
    /// The entry for note `number`, never cited.
    UnusedNote { number: u32 },
    /// A second entry for note `number`; `first` is the label of the first one.
    DuplicateNote { number: u32, first: TextRange },
    /// The first citation of note `number`, before that of a lower-numbered note: notes are
    /// numbered in order of first citation.
    NoteOrder { number: u32 },
    /// No marker and no entry has `number`, though higher numbers follow (at the first of
    /// them).
    NoteGap { number: u32 },
    /// The entry for note `number` comes after an entry with a higher number.
    NotesOutOfOrder { number: u32 },
    /// Spaces at the start of a line, left where a page broke.
    PageBreakSpace,
    /// A paragraph of `lines` printed lines with blank lines between them.
    HardWrap { lines: u32 },
    /// A URL in pieces (across lines, or split by a stray space).
    BrokenUrl,
    /// An opening mark of `lint::PAIRS[pair]` never closed in its paragraph.
    /// `continued`: it opens its paragraph, and the next paragraph opens with the same mark
    /// (a quotation over several paragraphs opens each one and closes only the last).
    Unclosed { pair: u8, continued: bool },
    /// A closing mark of `lint::PAIRS[pair]` with no opening one before it in its paragraph.
    Unopened { pair: u8 },
    /// The half-width `lint::HALF_WIDTH[mark]` between CJK characters.
    HalfWidthPunctuation { mark: u8 },
    /// A text that writes half-width punctuation between CJK characters throughout: its
    /// `count` places told once, at the first (see `lint::THROUGHOUT`).
    HalfWidthThroughout { count: u32 },
    /// More problems of `code` than are shown one by one, from here on. (How many is not
    /// said: a paste far from here would change it, and publishing again costs as much as
    /// the paste.)
    More { code: ProblemCode },
    /// The first of `count` problems an editor is not sent, from here on (it is sent at most
    /// `maxProblems`).
    NotShown { count: u32 },
}

impl Problem {
    pub fn new(kind: ProblemKind, range: TextRange) -> Problem {
        let code = kind.code();
        Problem {
            severity: code.default_severity(),
            range,
            kind,
        }
    }

    pub fn code(&self) -> ProblemCode {
        self.kind.code()
    }

    /// What is wrong, in a sentence (written out when displayed).
    pub fn message(&self) -> ProblemMessage<'_> {
        ProblemMessage(self)
    }

    /// Another place involved, with a short explanation.
    pub fn related(&self) -> Option<(TextRange, String)> {
        match self.kind {
            ProblemKind::DuplicateNote { number, first } => {
                Some((first, format!("first entry for note 〔{number}〕")))
            }
            _ => None,
        }
    }
}

/// Where a missing note was looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingIn {
    /// The notes section that follows the marker.
    NotesSection,
    /// Nowhere: the marker comes after the last notes section.
    NoNotesSectionAfter,
    /// Nowhere: the document has no notes section.
    NoNotesSection,
}

impl ProblemKind {
    pub fn code(self) -> ProblemCode {
        match self {
            ProblemKind::MissingNote { .. } => ProblemCode::MissingNote,
            ProblemKind::UnusedNote { .. } => ProblemCode::UnusedNote,
            ProblemKind::DuplicateNote { .. } => ProblemCode::DuplicateNote,
            ProblemKind::NoteOrder { .. } => ProblemCode::NoteOrder,
            ProblemKind::NoteGap { .. } => ProblemCode::NoteGap,
            ProblemKind::NotesOutOfOrder { .. } => ProblemCode::NotesOutOfOrder,
            ProblemKind::PageBreakSpace => ProblemCode::PageBreakSpace,
            ProblemKind::HardWrap { .. } => ProblemCode::HardWrap,
            ProblemKind::BrokenUrl => ProblemCode::BrokenUrl,
            ProblemKind::Unclosed { .. } | ProblemKind::Unopened { .. } => {
                ProblemCode::UnbalancedPunctuation
            }
            ProblemKind::HalfWidthPunctuation { .. } | ProblemKind::HalfWidthThroughout { .. } => {
                ProblemCode::HalfWidthPunctuation
            }
            ProblemKind::More { code, .. } => code,
            ProblemKind::NotShown { .. } => ProblemCode::NotShown,
        }
    }
}

/// A problem's message; `to_string()` it, or write it where it goes.
pub struct ProblemMessage<'a>(&'a Problem);

impl ProblemMessage<'_> {
    /// The message in three parts: text, a number (the note's, mostly), text. A paste can
    /// bring thousands of problems, and the encoder writes the parts without formatting.
    pub fn parts(&self) -> (&'static str, Option<u32>, &'static str) {
        let note = |number: u32, rest: &'static str| ("note 〔", Some(number), rest);
        let text = |message: &'static str| (message, None, "");
        match self.0.kind {
            ProblemKind::MissingNote { number, scope } => note(
                number,
                match scope {
                    MissingIn::NotesSection => "〕 is cited but has no entry in 註釋",
                    MissingIn::NoNotesSectionAfter => {
                        "〕 is cited but no notes section (註釋) follows it"
                    }
                    MissingIn::NoNotesSection => {
                        "〕 is cited but the document has no notes section (註釋)"
                    }
                },
            ),
            ProblemKind::UnusedNote { number } => note(number, "〕 is never cited in the text"),
            ProblemKind::DuplicateNote { number, .. } => note(number, "〕 has more than one entry"),
            ProblemKind::NoteOrder { number } => note(
                number,
                "〕 is first cited before a note with a lower number: notes are numbered in order of first citation",
            ),
            ProblemKind::NoteGap { number } => note(
                number,
                "〕 is skipped: no marker or entry has this number, though higher ones follow",
            ),
            ProblemKind::NotesOutOfOrder { number } => note(
                number,
                "〕's entry comes after an entry with a higher number",
            ),
            ProblemKind::PageBreakSpace => {
                text("line starts with a stray space left by a page break")
            }
            ProblemKind::HardWrap { lines } => (
                "this paragraph's ",
                Some(lines),
                " printed lines are separated by blank lines (PDF extraction): join them",
            ),
            ProblemKind::BrokenUrl => text("URL broken across lines: join its pieces"),
            ProblemKind::Unclosed { pair, .. } => {
                text(lint::UNCLOSED.get(usize::from(pair)).copied().unwrap_or(""))
            }
            ProblemKind::Unopened { pair } => {
                text(lint::UNOPENED.get(usize::from(pair)).copied().unwrap_or(""))
            }
            ProblemKind::HalfWidthPunctuation { mark } => {
                text(lint::HALF_WIDTH_MESSAGES.get(usize::from(mark)).copied().unwrap_or(""))
            }
            ProblemKind::HalfWidthThroughout { count } => (
                "this text writes half-width punctuation between CJK characters throughout (",
                Some(count),
                " places, from here on): the quick fix writes them all in full width",
            ),
            ProblemKind::More { .. } => text(
                "and more of this kind further on, not shown one by one (`marginalia check` lists them all; the source actions repair them all)",
            ),
            ProblemKind::NotShown { count } => (
                "",
                Some(count),
                " more problems from here on are not shown: an editor is sent at most the setting marginalia.maxProblems (1000 unless set; 0 for all); `marginalia check` lists them all",
            ),
        }
    }
}

impl std::fmt::Display for ProblemMessage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (before, number, after) = self.parts();
        match number {
            Some(number) => write!(f, "{before}{number}{after}"),
            None => write!(f, "{before}{after}"),
        }
    }
}

impl Analysis {
    /// Whether the text has a heading, a note marker or a note: what marginalia serves.
    pub fn is_annotated(&self) -> bool {
        let read_by_rules = |h: &Heading| h.kind != HeadingKind::Marked;
        self.headings.iter().any(read_by_rules)
            || !self.markers.is_empty()
            || !self.notes.is_empty()
    }

    /// Analyses a whole text by the built-in rules.
    pub fn new(text: &str) -> Analysis {
        Analysis::with_syntax(text, std::sync::Arc::default())
    }

    /// Analyses a whole text by the rules of `syntax`.
    pub fn with_syntax(text: &str, syntax: std::sync::Arc<syntax::Syntax>) -> Analysis {
        let (index, content_end) = index::Index::with_syntax(text, syntax);
        Analysis::from_index(&index, content_end)
    }

    /// Assembles the analysis from a document's facts; `content_end` is where the document's
    /// last non-blank line ends.
    pub fn from_index(index: &index::Index, content_end: usize) -> Analysis {
        assemble::assemble(index, content_end)
    }

    /// Moves every offset as an edit that changed no fact moved the text (see
    /// [`index::Index::replace`]): cheaper than assembling the analysis again. `false` when
    /// that is not enough: a notes section gained its first text after its title, or lost its
    /// last (what a section without entries says depends on it); the analysis must then be
    /// assembled again.
    #[must_use]
    pub fn shift(&mut self, shift: &index::Shift) -> bool {
        let range = |r: TextRange| shift.range(r).unwrap_or(r);
        let position = |p: usize| shift.position(p).unwrap_or(p);
        let mut enough = true;
        // Headings ending before the edit stay put; only the end of their section may move.
        let first = self.headings.partition_point(|h| h.range.end < shift.start);
        let (before, after) = self.headings.split_at_mut(first);
        for heading in before {
            let held = heading.holds_text();
            heading.section.end = position(heading.section.end).max(heading.range.end);
            enough &= heading.kind != HeadingKind::Notes || held == heading.holds_text();
        }
        for heading in after {
            let held = heading.holds_text();
            heading.range = range(heading.range);
            heading.line = range(heading.line);
            heading.tail = heading.tail.map(range);
            heading.section = TextRange::new(
                position(heading.section.start),
                position(heading.section.end).max(heading.range.end),
            );
            enough &= heading.kind != HeadingKind::Notes || held == heading.holds_text();
        }
        // Markers and notes are in document order: those ending before the edit stay put.
        let first = self.markers.partition_point(|m| m.range.end < shift.start);
        for marker in &mut self.markers[first..] {
            marker.range = range(marker.range);
        }
        let first = self.notes.partition_point(|n| n.range.end < shift.start);
        for note in &mut self.notes[first..] {
            note.label = range(note.label);
            note.range = TextRange::new(
                note.label.start,
                position(note.range.end).max(note.label.end),
            );
        }
        for problem in &mut self.problems {
            problem.range = range(problem.range);
            if let ProblemKind::DuplicateNote { first, .. } = &mut problem.kind {
                *first = range(*first);
            }
        }
        enough
    }

    /// The notes that start an entry: one of each group of [`Note::grouped`] notes.
    pub fn entries(&self) -> impl Iterator<Item = &Note> {
        let previous = std::iter::once(None).chain(self.notes.iter().map(Some));
        self.notes
            .iter()
            .zip(previous)
            .filter(|(note, previous)| !previous.is_some_and(|p| p.same_entry(note)))
            .map(|(note, _)| note)
    }

    /// The marker under the cursor: one that contains `offset`, else one that ends there.
    pub fn marker_at(&self, offset: usize) -> Option<&Marker> {
        let after = self.markers.partition_point(|m| m.range.start <= offset);
        let candidates = &self.markers[after.saturating_sub(2)..after];
        candidates
            .iter()
            .rev()
            .find(|m| m.range.contains(offset))
            .or_else(|| candidates.iter().rev().find(|m| m.range.touches(offset)))
    }

    /// The note whose label is under the cursor (or just before it); of a range label
    /// (`〔5–7〕`), the first.
    pub fn note_label_at(&self, offset: usize) -> Option<&Note> {
        self.notes_labelled_at(offset).first()
    }

    /// The notes whose label is under the cursor: one, or those of a range label.
    pub fn notes_labelled_at(&self, offset: usize) -> &[Note] {
        let after = self.notes.partition_point(|n| n.label.start <= offset);
        let Some(last) = self.notes[..after]
            .last()
            .filter(|n| n.label.touches(offset))
        else {
            return &[];
        };
        let first = self.notes[..after].partition_point(|n| n.label.start < last.label.start);
        &self.notes[first..after]
    }

    /// The entries of the notes section `scope` (a heading index), in document order.
    pub fn notes_of(&self, scope: usize) -> &[Note] {
        let first = self.notes.partition_point(|n| n.section < scope);
        let after = self.notes.partition_point(|n| n.section <= scope);
        &self.notes[first..after]
    }

    /// The first entry for the note `key` names: the one the markers naming it resolve to.
    pub fn note_for(&self, key: NoteKey) -> Option<&Note> {
        self.notes_of(key.scope?)
            .iter()
            .find(|n| n.number == key.number && n.series == key.series)
    }

    /// The entry the marker cites.
    pub fn note_of(&self, marker: &Marker) -> Option<&Note> {
        self.note_for(marker.into())
    }

    /// The scope of text at `offset`: the first notes section after it (as for a marker
    /// there, see [`Marker::scope`]).
    pub fn scope_at(&self, offset: usize) -> Option<usize> {
        self.headings
            .iter()
            .position(|h| h.kind == HeadingKind::Notes && h.range.start >= offset)
    }
}

#[cfg(test)]
mod tests;
