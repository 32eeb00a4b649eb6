//! The full analysis of a text: lines → headings and notes → markers → problems.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use unicode_width::UnicodeWidthStr;

use super::headings::{self, is_sentence_punctuation, is_space, HeadingKind, HeadingLine};
use super::lines::{line_spans, push_joined, LineSpan};
use super::numerals::parse_digits;
use super::{Analysis, Heading, Marker, Note, Problem, ProblemCode};
use crate::text::TextRange;

/// A heading line at least this share of the document's full line width may have been wrapped.
const WRAPPED_HEADING_MIN_SHARE: f64 = 0.8;
/// A continuation fragment of a wrapped heading is at most this share of the full line width.
const FRAGMENT_MAX_SHARE: f64 = 0.5;

/// `〔n〕` with ASCII or full-width digits.
fn marker_regex() -> &'static Regex {
    static MARKER: OnceLock<Regex> = OnceLock::new();
    MARKER.get_or_init(|| Regex::new("〔([0-9０-９]{1,5})〕").expect("marker pattern is valid"))
}

/// What one line is, seen alone.
struct LineFacts {
    span: LineSpan,
    /// The line without surrounding spaces, as a byte range of the text (empty when blank).
    trimmed: TextRange,
    heading: Option<HeadingLine>,
    /// Display width in a CJK context (wide and ambiguous characters count 2).
    width: usize,
}

impl LineFacts {
    fn new(text: &str, span: LineSpan) -> LineFacts {
        let line = &text[span.start..span.end];
        let lead = line.len() - line.trim_start_matches(is_space).len();
        let content = line[lead..].trim_end_matches(is_space);
        let start = span.start + lead;
        LineFacts {
            span,
            trimmed: TextRange::new(start, start + content.len()),
            heading: headings::classify(line),
            width: content.width_cjk(),
        }
    }

    fn is_blank(&self) -> bool {
        self.trimmed.is_empty()
    }
}

pub fn analyze(text: &str) -> Analysis {
    let lines: Vec<LineFacts> = line_spans(text).map(|s| LineFacts::new(text, s)).collect();
    let full_width = typical_width(&lines);
    let structure = Structure::build(text, &lines, full_width);
    let markers = find_markers(text, &structure.notes);
    let problems = note_problems(&markers, &structure.notes, &structure.headings);
    Analysis {
        headings: structure.headings,
        markers,
        notes: structure.notes,
        problems,
    }
}

/// The width of a full printed line: the median width of the non-blank lines.
fn typical_width(lines: &[LineFacts]) -> usize {
    let mut widths: Vec<usize> = lines
        .iter()
        .filter(|l| !l.is_blank())
        .map(|l| l.width)
        .collect();
    if widths.is_empty() {
        return 0;
    }
    let middle = widths.len() / 2;
    *widths.select_nth_unstable(middle).1
}

/// Headings and note entries, found in one walk over the lines.
#[derive(Default)]
struct Structure {
    headings: Vec<Heading>,
    notes: Vec<Note>,
    /// For each heading, the end of the last non-blank line before it.
    content_end_before: Vec<usize>,
    /// The entry whose text is still being read.
    open_note: Option<usize>,
}

impl Structure {
    fn build(text: &str, lines: &[LineFacts], full_width: usize) -> Structure {
        let mut structure = Structure::default();
        let mut notes_section: Option<usize> = None;
        let mut last_content_end = 0;
        let mut index = 0;
        while index < lines.len() {
            let line = &lines[index];
            index += 1;
            if line.is_blank() {
                continue;
            }
            // Inside a notes section only a top-level heading ends it: a `1.` or `（一）` at
            // the start of a note's line is part of the note.
            let heading = line
                .heading
                .filter(|h| notes_section.is_none() || h.level == 1);
            if let Some(heading) = heading {
                structure.close_note(last_content_end);
                let fragment = wrapped_fragment(text, lines, index - 1, heading, full_width);
                let end = fragment.map_or(line.trimmed.end, |f| lines[f].trimmed.end);
                structure.push_heading(
                    text,
                    line,
                    heading,
                    fragment.map(|f| &lines[f]),
                    last_content_end,
                );
                if let Some(f) = fragment {
                    index = f + 1;
                }
                notes_section =
                    (heading.kind == HeadingKind::Notes).then(|| structure.headings.len() - 1);
                last_content_end = end;
                continue;
            }
            if let Some(section) = notes_section {
                if let Some((label, number)) = note_label(text, line.trimmed) {
                    structure.close_note(last_content_end);
                    structure.open_note = Some(structure.notes.len());
                    structure.notes.push(Note {
                        number,
                        label,
                        range: label,
                        section,
                    });
                }
            }
            last_content_end = line.trimmed.end;
        }
        structure.close_note(last_content_end);
        structure.close_sections(last_content_end);
        structure
    }

    fn push_heading(
        &mut self,
        text: &str,
        line: &LineFacts,
        heading: HeadingLine,
        fragment: Option<&LineFacts>,
        content_end_before: usize,
    ) {
        let start = line.span.start + heading.start;
        let mut end = line.span.start + heading.end;
        let mut title = text[start..end].to_string();
        if let Some(fragment) = fragment {
            push_joined(
                &mut title,
                &text[fragment.trimmed.start..fragment.trimmed.end],
            );
            end = fragment.trimmed.end;
        }
        let title_len = title.trim_end_matches(['：', ':']).len();
        title.truncate(title_len);
        self.headings.push(Heading {
            level: heading.level,
            kind: heading.kind,
            range: TextRange::new(start, end),
            title,
            // Set by `close_sections` once the following headings are known.
            section: TextRange::new(start, end),
        });
        self.content_end_before.push(content_end_before);
    }

    /// Ends the entry being read at the end of the content seen so far.
    fn close_note(&mut self, content_end: usize) {
        if let Some(note) = self.open_note.take().and_then(|i| self.notes.get_mut(i)) {
            note.range.end = content_end.max(note.label.end);
        }
    }

    /// A section runs to the last content before the next heading of its level or higher.
    fn close_sections(&mut self, document_content_end: usize) {
        let mut open: Vec<usize> = Vec::new();
        for next in 0..self.headings.len() {
            let level = self.headings[next].level;
            while let Some(&top) = open.last() {
                if self.headings[top].level < level {
                    break;
                }
                open.pop();
                let end = self.content_end_before[next].max(self.headings[top].range.end);
                self.headings[top].section.end = end;
            }
            open.push(next);
        }
        for top in open {
            let end = document_content_end.max(self.headings[top].range.end);
            self.headings[top].section.end = end;
        }
    }
}

/// The index of the line that continues a PDF-wrapped heading, if there is one: the heading
/// line fills the printed line, and the next non-blank line is a short fragment that is neither
/// a heading nor a sentence.
fn wrapped_fragment(
    text: &str,
    lines: &[LineFacts],
    heading_line: usize,
    heading: HeadingLine,
    full_width: usize,
) -> Option<usize> {
    if heading.kind != HeadingKind::Numbered || full_width == 0 {
        return None;
    }
    let fills_line =
        lines[heading_line].width as f64 >= WRAPPED_HEADING_MIN_SHARE * full_width as f64;
    if !fills_line {
        return None;
    }
    let next = heading_line
        + 1
        + lines[heading_line + 1..]
            .iter()
            .position(|l| !l.is_blank())?;
    let fragment = &lines[next];
    let short = fragment.width as f64 <= FRAGMENT_MAX_SHARE * full_width as f64;
    let tail = &text[fragment.trimmed.start..fragment.trimmed.end];
    (short && fragment.heading.is_none() && is_heading_tail(tail)).then_some(next)
}

/// Whether a fragment line reads as the tail of a heading rather than as a sentence.
fn is_heading_tail(text: &str) -> bool {
    !text
        .chars()
        .any(|c| is_sentence_punctuation(c) || c == '〔' || c == '、')
}

/// A note entry's label: `〔n〕` at the start of a (trimmed) line.
fn note_label(text: &str, trimmed: TextRange) -> Option<(TextRange, u32)> {
    let line = &text[trimmed.start..trimmed.end];
    let captures = marker_regex().captures(line)?;
    let whole = captures.get(0)?;
    if whole.start() != 0 {
        return None;
    }
    let number = parse_digits(captures.get(1)?.as_str())?;
    Some((
        TextRange::new(trimmed.start, trimmed.start + whole.end()),
        number,
    ))
}

fn find_markers(text: &str, notes: &[Note]) -> Vec<Marker> {
    let mut labels = notes.iter().map(|n| n.label.start).peekable();
    let mut markers = Vec::new();
    for captures in marker_regex().captures_iter(text) {
        let (Some(whole), Some(digits)) = (captures.get(0), captures.get(1)) else {
            continue;
        };
        while labels.next_if(|&l| l < whole.start()).is_some() {}
        if labels.peek() == Some(&whole.start()) {
            continue;
        }
        if let Some(number) = parse_digits(digits.as_str()) {
            markers.push(Marker {
                range: TextRange::new(whole.start(), whole.end()),
                number,
            });
        }
    }
    markers
}

/// missing-note, unused-note and duplicate-note: the markers checked against the entries.
fn note_problems(markers: &[Marker], notes: &[Note], headings: &[Heading]) -> Vec<Problem> {
    let mut first_entry: HashMap<u32, &Note> = HashMap::new();
    let mut problems = Vec::new();
    for note in notes {
        match first_entry.get(&note.number) {
            Some(first) => problems.push(Problem {
                code: ProblemCode::DuplicateNote,
                severity: ProblemCode::DuplicateNote.default_severity(),
                range: note.label,
                message: format!("note 〔{}〕 has more than one entry", note.number),
                related: vec![(
                    first.label,
                    format!("first entry for note 〔{}〕", note.number),
                )],
            }),
            None => {
                first_entry.insert(note.number, note);
            }
        }
    }
    let has_notes_section = headings.iter().any(|h| h.kind == HeadingKind::Notes);
    let mut cited: HashMap<u32, usize> = HashMap::new();
    for marker in markers {
        *cited.entry(marker.number).or_default() += 1;
        if first_entry.contains_key(&marker.number) {
            continue;
        }
        let message = if has_notes_section {
            format!(
                "note 〔{}〕 is cited but has no entry in 註釋",
                marker.number
            )
        } else {
            format!(
                "note 〔{}〕 is cited but the document has no notes section (註釋)",
                marker.number
            )
        };
        problems.push(Problem {
            code: ProblemCode::MissingNote,
            severity: ProblemCode::MissingNote.default_severity(),
            range: marker.range,
            message,
            related: Vec::new(),
        });
    }
    for note in first_entry.values() {
        if !cited.contains_key(&note.number) {
            problems.push(Problem {
                code: ProblemCode::UnusedNote,
                severity: ProblemCode::UnusedNote.default_severity(),
                range: note.label,
                message: format!("note 〔{}〕 is never cited in the text", note.number),
                related: Vec::new(),
            });
        }
    }
    problems.sort_by_key(|p| (p.range, p.code.as_str()));
    problems
}
