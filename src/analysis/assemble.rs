//! From the facts of a document ([`Index`]) to its [`Analysis`]: which heading lines are
//! headings, where notes sections and notes begin and end, which `〔n〕` are citations, and the
//! problems. Works on the facts alone, never on the text, so it costs the same after any edit.

use super::headings::HeadingKind;
use super::index::Index;
use super::scan::{HeadingCandidate, LabelLine};
use super::{Analysis, Heading, Marker, MissingIn, Note, Problem, ProblemKind};
use crate::text::TextRange;

/// A heading line at least this share of the document's full line width may have been wrapped.
const WRAPPED_HEADING_MIN_SHARE: f64 = 0.8;
/// A continuation of a wrapped heading is at most this share of the full line width.
const TAIL_MAX_SHARE: f64 = 0.5;

/// Whether a heading line `heading_width` wide continues on a (tail-shaped) next line
/// `tail_width` wide, in a document whose full lines are `full_width` wide: the heading fills
/// its line and the tail is short.
pub fn takes_tail(heading_width: u32, tail_width: u32, full_width: f64) -> bool {
    full_width > 0.0
        && f64::from(heading_width) >= WRAPPED_HEADING_MIN_SHARE * full_width
        && f64::from(tail_width) <= TAIL_MAX_SHARE * full_width
}

pub fn assemble(index: &Index, content_end: usize) -> Analysis {
    let full_width = f64::from(index.widths.median());
    // Sized up front: growing vectors of thousands of notes copies them over and over.
    let mut walk = Walk {
        headings: Vec::with_capacity(index.candidates.len()),
        notes: Vec::with_capacity(index.labels.len()),
        content_end_before: Vec::with_capacity(index.candidates.len()),
        ..Walk::default()
    };
    let mut candidates = index.candidates.iter().peekable();
    let mut labels = index.labels.iter().peekable();
    loop {
        let next_is_label = match (candidates.peek(), labels.peek()) {
            (Some(c), Some(l)) => l.label.start < c.range.start,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (None, None) => break,
        };
        if next_is_label {
            if let Some(label) = labels.next() {
                walk.label(label);
            }
        } else if let Some(candidate) = candidates.next() {
            walk.candidate(candidate, full_width);
        }
    }
    walk.close_note(content_end);
    walk.close_sections(content_end);
    let markers = citations(&index.markers, &walk.notes, &walk.headings);
    let problems = note_problems(&markers, &walk.notes, &walk.headings);
    Analysis {
        headings: walk.headings,
        markers,
        notes: walk.notes,
        problems,
        syntax: index.syntax.clone(),
    }
}

#[derive(Default)]
struct Walk {
    headings: Vec<Heading>,
    notes: Vec<Note>,
    /// For each heading, the end of the last non-blank line before it.
    content_end_before: Vec<usize>,
    notes_section: Option<usize>,
    open_note: Option<usize>,
}

impl Walk {
    fn candidate(&mut self, candidate: &HeadingCandidate, full_width: f64) {
        // Inside a notes section only a top-level heading ends it: a `1.` or `（一）` at the
        // start of a note's line is part of the note.
        if self.notes_section.is_some() && candidate.level != 1 {
            return;
        }
        self.close_note(candidate.content_end_before);
        let tail = candidate
            .tail
            .as_ref()
            .filter(|tail| takes_tail(candidate.width, tail.width, full_width));
        let end = tail.map_or(candidate.range.end, |tail| tail.range.end);
        let range = TextRange::new(candidate.range.start, end);
        self.notes_section = (candidate.kind == HeadingKind::Notes).then_some(self.headings.len());
        self.headings.push(Heading {
            level: candidate.level,
            kind: candidate.kind,
            range,
            line: candidate.range,
            tail: tail.map(|tail| tail.range),
            // Set by `close_sections` once the following headings are known.
            section: range,
        });
        self.content_end_before.push(candidate.content_end_before);
    }

    fn label(&mut self, label: &LabelLine) {
        let Some(section) = self.notes_section else {
            return; // outside a notes section `〔n〕` is a citation
        };
        self.close_note(label.content_end_before);
        self.open_note = Some(self.notes.len());
        self.notes.push(Note {
            number: label.number,
            label: label.label,
            range: label.label,
            section,
        });
    }

    /// Ends the entry being read at `content_end`.
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

/// The markers that are citations (all but the labels of note entries), each in its scope:
/// the first notes section after it.
fn citations(markers: &[Marker], notes: &[Note], headings: &[Heading]) -> Vec<Marker> {
    let mut labels = notes.iter().map(|n| n.label.start).peekable();
    let mut sections = headings
        .iter()
        .enumerate()
        .filter(|(_, h)| h.kind == HeadingKind::Notes)
        .map(|(i, h)| (i, h.range.start))
        .peekable();
    let mut citations = Vec::with_capacity(markers.len());
    for marker in markers {
        while labels.next_if(|&l| l < marker.range.start).is_some() {}
        if labels.peek() == Some(&marker.range.start) {
            continue;
        }
        while sections
            .next_if(|&(_, start)| start < marker.range.start)
            .is_some()
        {}
        citations.push(marker.with_scope(sections.peek().map(|&(i, _)| i)));
    }
    citations
}

/// missing-note, unused-note and duplicate-note: the markers checked against the entries of
/// their scope.
///
/// Note numbers are small (at most five digits), so tables indexed by number stand in for hash
/// maps, one scope after another: this runs after every keystroke.
fn note_problems(markers: &[Marker], notes: &[Note], headings: &[Heading]) -> Vec<Problem> {
    let table_len = notes
        .iter()
        .map(|n| n.number)
        .chain(markers.iter().map(|m| m.number))
        .max()
        .map_or(0, |max| max as usize + 1);
    // For each number, its first entry in the scope at hand, and whether it is cited there.
    let mut first_entry: Vec<Option<&Note>> = vec![None; table_len];
    let mut cited = vec![false; table_len];
    // (Not sized up front for the worst case: a 1.6 MB allocation per keystroke on a 10 MB
    // book is mapped and unmapped by malloc each time, which doubled re-analysing it.)
    let mut problems = Vec::new();
    let any_section = headings.iter().any(|h| h.kind == HeadingKind::Notes);
    // Markers come in document order, so scope by scope; so do notes.
    let mut notes = notes;
    let mut markers = markers;
    loop {
        let scope = match (markers.first(), notes.first()) {
            (None, None) => break,
            (Some(m), Some(n)) => m.scope().map_or(n.section, |s| s.min(n.section)),
            (Some(m), None) => match m.scope() {
                Some(scope) => scope,
                None => break,
            },
            (None, Some(n)) => n.section,
        };
        let in_scope = notes.partition_point(|n| n.section == scope);
        let (scope_notes, rest) = notes.split_at(in_scope);
        notes = rest;
        let in_scope = markers.partition_point(|m| m.scope() == Some(scope));
        let (scope_markers, rest) = markers.split_at(in_scope);
        markers = rest;
        check_scope(
            scope_markers,
            scope_notes,
            &mut first_entry,
            &mut cited,
            &mut problems,
        );
    }
    // What is left are markers after the last notes section.
    for marker in markers {
        let scope = if any_section {
            MissingIn::NoNotesSectionAfter
        } else {
            MissingIn::NoNotesSection
        };
        let kind = ProblemKind::MissingNote {
            number: marker.number,
            scope,
        };
        problems.push(Problem::new(kind, marker.range));
    }
    // Each scope's duplicates, missing and unused notes come in document order: a stable sort
    // finds these runs and merges them.
    problems.sort_by(|a, b| {
        (a.range.cmp(&b.range)).then_with(|| a.code().as_str().cmp(b.code().as_str()))
    });
    problems
}

/// The problems of one scope; `first_entry` and `cited` are all `None` and `false` before, and
/// left so after.
fn check_scope<'a>(
    markers: &[Marker],
    notes: &'a [Note],
    first_entry: &mut [Option<&'a Note>],
    cited: &mut [bool],
    problems: &mut Vec<Problem>,
) {
    for note in notes {
        let slot = &mut first_entry[note.number as usize];
        match slot {
            Some(first) => problems.push(Problem::new(
                ProblemKind::DuplicateNote {
                    number: note.number,
                    first: first.label,
                },
                note.label,
            )),
            None => *slot = Some(note),
        }
    }
    for marker in markers {
        cited[marker.number as usize] = true;
        if first_entry[marker.number as usize].is_none() {
            let kind = ProblemKind::MissingNote {
                number: marker.number,
                scope: MissingIn::NotesSection,
            };
            problems.push(Problem::new(kind, marker.range));
        }
    }
    for note in notes {
        let number = note.number as usize;
        if first_entry[number].is_some_and(|first| std::ptr::eq(first, note)) && !cited[number] {
            let kind = ProblemKind::UnusedNote {
                number: note.number,
            };
            problems.push(Problem::new(kind, note.label));
        }
    }
    order_problems(markers, notes, problems);
    // Reset only what this scope touched.
    for note in notes {
        first_entry[note.number as usize] = None;
    }
    for marker in markers {
        cited[marker.number as usize] = false;
    }
}

/// note-order, note-gap and notes-out-of-order in one scope.
fn order_problems(markers: &[Marker], notes: &[Note], problems: &mut Vec<Problem>) {
    // Numbers in order of first citation: one is out of sequence when a lower one is first
    // cited after it (suffix minima find those in one pass).
    let top = markers
        .iter()
        .map(|m| m.number)
        .chain(notes.iter().map(|n| n.number))
        .max()
        .unwrap_or(0);
    let mut seen = vec![false; top as usize + 1];
    let mut first_citations: Vec<&Marker> = Vec::new();
    for marker in markers {
        if !std::mem::replace(&mut seen[marker.number as usize], true) {
            first_citations.push(marker);
        }
    }
    let mut lowest_after = u32::MAX;
    let mut out_of_sequence = Vec::new();
    for marker in first_citations.iter().rev() {
        if marker.number > lowest_after {
            out_of_sequence.push(**marker);
        }
        lowest_after = lowest_after.min(marker.number);
    }
    for marker in out_of_sequence.iter().rev() {
        let kind = ProblemKind::NoteOrder {
            number: marker.number,
        };
        problems.push(Problem::new(kind, marker.range));
    }
    // Gaps: numbers below the highest that nothing uses, reported at the first use of the
    // next number that is used.
    let mut first_use: Vec<Option<TextRange>> = vec![None; top as usize + 1];
    let uses = markers
        .iter()
        .map(|m| (m.number, m.range))
        .chain(notes.iter().map(|n| (n.number, n.label)));
    for (number, range) in uses {
        first_use[number as usize].get_or_insert(range);
    }
    let mut number = 1;
    while number < top {
        if first_use[number as usize].is_some() {
            number += 1;
            continue;
        }
        let next = (number + 1..=top)
            .find(|&n| first_use[n as usize].is_some())
            .unwrap_or(top);
        if let Some(range) = first_use[next as usize] {
            problems.push(Problem::new(ProblemKind::NoteGap { number }, range));
        }
        number = next;
    }
    // Entries: each after one with a lower number (a duplicate is reported as such).
    let mut highest_entry = 0;
    let mut listed = vec![false; top as usize + 1];
    for note in notes {
        let duplicate = std::mem::replace(&mut listed[note.number as usize], true);
        if note.number < highest_entry && !duplicate {
            let kind = ProblemKind::NotesOutOfOrder {
                number: note.number,
            };
            problems.push(Problem::new(kind, note.label));
        }
        highest_entry = highest_entry.max(note.number);
    }
}
