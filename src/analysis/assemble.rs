//! From the facts of a document ([`Index`]) to its [`Analysis`]: which heading lines are
//! headings, where notes sections and notes begin and end, which `〔n〕` are citations, and the
//! problems. Works on the facts alone, never on the text, so it costs the same after any edit.

use super::headings::HeadingKind;
use super::index::Index;
use super::marker_style::{MarkerStyle, StyleSet};
use super::scan::{HeadingCandidate, LabelLine, NextLine};
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
    let levels = Levels::of(&index.candidates);
    // Sized up front: growing vectors of thousands of notes copies them over and over.
    let mut walk = Walk {
        headings: Vec::with_capacity(index.candidates.len()),
        notes: Vec::with_capacity(index.labels.len()),
        content_end_before: Vec::with_capacity(index.candidates.len()),
        levels,
        ..Walk::default()
    };
    let untitled = untitled_sections(index, levels);
    let mut untitled = untitled.iter().peekable();
    let mut candidates = index.candidates.iter().peekable();
    let mut labels = index.labels.iter().enumerate().peekable();
    loop {
        let next_is_label = match (candidates.peek(), labels.peek()) {
            (Some(c), Some((_, l))) => l.label.start < c.range.start,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (None, None) => break,
        };
        if next_is_label {
            if let Some((at, label)) = labels.next() {
                if untitled.next_if_eq(&&at).is_some() {
                    walk.untitled_section(label);
                }
                walk.label(label, labels.peek().map(|&(_, next)| next));
            }
        } else if let Some(candidate) = candidates.next() {
            walk.candidate(candidate, full_width);
        }
    }
    walk.close_note(content_end);
    walk.close_sections(content_end);
    let continuations = series(&mut walk.notes);
    let markers = citations(
        &index.markers,
        &index.labels,
        &walk.notes,
        &walk.headings,
        &continuations,
    );
    let problems = note_problems(&markers, &walk.notes, &walk.headings);
    Analysis {
        headings: walk.headings,
        markers,
        notes: walk.notes,
        problems,
        syntax: index.syntax.clone(),
    }
}

/// The labels (indices in `index.labels`) that open a notes section without a title: in a
/// chapter (the text between top-level headings) that is not followed by a titled notes
/// section, either the last label line after a separator line (`------`) with every label
/// line after it, or a run of at least two label lines from one labelled 1 to the chapter's
/// end, each line of it starting with a label.
fn untitled_sections(index: &Index, levels: Levels) -> Vec<usize> {
    let labels = &index.labels;
    if labels.is_empty() {
        return Vec::new();
    }
    // Chapters end at top-level headings; a titled notes section is no chapter.
    let tops: Vec<&HeadingCandidate> = index
        .candidates
        .iter()
        .filter(|c| levels.of_candidate(c) == 1)
        .collect();
    let mut starts = Vec::new();
    let mut first = 0;
    for chapter in 0..=tops.len() {
        let opened_by = chapter.checked_sub(1).map(|i| tops[i]);
        let closed_by = tops.get(chapter);
        let end = closed_by.map_or(usize::MAX, |c| c.range.start);
        let after = first + labels[first..].partition_point(|l| l.label.start < end);
        let in_chapter = first..after;
        first = after;
        let is_notes =
            |c: Option<&&HeadingCandidate>| c.is_some_and(|c| c.kind == HeadingKind::Notes);
        let chapter_start = opened_by.map_or(0, |c| c.range.start);
        if in_chapter.is_empty()
            || is_notes(opened_by.as_ref())
            || is_notes(closed_by)
            || has_notes_title(&index.candidates, chapter_start..end)
        {
            continue;
        }
        let chapter_labels = &labels[in_chapter.clone()];
        let start = untitled_start(chapter_labels).or_else(|| {
            let cited = |range: std::ops::Range<usize>| markers_in(&index.markers, range);
            cited_run_start(chapter_labels, |run_start| cited(chapter_start..run_start))
        });
        if let Some(start) = start {
            starts.push(in_chapter.start + start);
        }
    }
    starts
}

/// The markers that start in bytes `range`.
fn markers_in(markers: &[Marker], range: std::ops::Range<usize>) -> &[Marker] {
    let first = markers.partition_point(|m| m.range.start < range.start);
    let after = markers.partition_point(|m| m.range.start < range.end);
    &markers[first..after.max(first)]
}

/// Where the editors' notes of a chapter start when collected works print them with no
/// title: the last label numbered 1, the labels from it to the chapter's end indented and
/// numbered up (entries may run over several printed lines), at least two, and at least half
/// of their numbers cited in the chapter before them. `cited_before(offset)` gives the chapter's
/// markers before `offset`.
fn cited_run_start<'a>(
    labels: &[LabelLine],
    cited_before: impl Fn(usize) -> &'a [Marker],
) -> Option<usize> {
    let start = labels.iter().rposition(|l| l.number == 1)?;
    let run = &labels[start..];
    let rising = run.windows(2).all(|w| w[0].number < w[1].number);
    let printed_so = run
        .iter()
        .all(|l| l.indented && l.style != MarkerStyle::ParenNumber);
    if run.len() < 2 || !rising || !printed_so {
        return None;
    }
    let highest = run.last().map_or(0, |l| l.number) as usize;
    let mut cited = vec![false; highest + 1];
    for marker in cited_before(run[0].label.start) {
        if let Some(slot) = cited.get_mut(marker.number as usize) {
            *slot = true;
        }
    }
    let cited_labels = run.iter().filter(|l| cited[l.number as usize]).count();
    (2 * cited_labels >= run.len()).then_some(start)
}

/// Whether a notes title stands between bytes `range` (a chapter, whose sub-headings may
/// include its titled notes section).
fn has_notes_title(candidates: &[HeadingCandidate], range: std::ops::Range<usize>) -> bool {
    let first = candidates.partition_point(|c| c.range.start < range.start);
    candidates[first..]
        .iter()
        .take_while(|c| c.range.start < range.end)
        .any(|c| c.kind == HeadingKind::Notes)
}

/// Where the untitled notes section of a chapter with these label lines starts, if it has one.
fn untitled_start(labels: &[LabelLine]) -> Option<usize> {
    // `（1）` items are a list's, unless a notes title says otherwise.
    let start = untitled_run(labels)?;
    let listed = labels[start..]
        .iter()
        .any(|l| l.style == MarkerStyle::ParenNumber);
    (!listed).then_some(start)
}

/// [`untitled_start`], whatever the labels' style.
fn untitled_run(labels: &[LabelLine]) -> Option<usize> {
    if let Some(separated) = labels.iter().rposition(|l| l.after_separator) {
        return Some(separated);
    }
    let last = labels.len() - 1;
    if labels[last].next != NextLine::ChapterEnd {
        return None;
    }
    let run_start = labels[..last]
        .iter()
        .rposition(|l| l.next != NextLine::Label)
        .map_or(0, |i| i + 1);
    let start = run_start + labels[run_start..].iter().position(|l| l.number == 1)?;
    (start < last).then_some(start)
}

/// Where a notes section's glyph series runs out and another continues it: `from` entries up
/// to `last` (`⑴`…`⒇`), then `to` entries numbered on from `last` (`①` is note 21).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Continuation {
    section: usize,
    from: MarkerStyle,
    last: u32,
    to: MarkerStyle,
    offset: u16,
}

/// Numbers each section's entries on across a glyph series' continuation, and gives each the
/// series of its style (see [`Note::series`]); returns the continuations found.
fn series(notes: &mut [Note]) -> Vec<Continuation> {
    let mut continuations = Vec::new();
    for section in notes.chunk_by_mut(|a, b| a.section == b.section) {
        let first = continuations.len();
        // The styles that start a series, in the order of their first entries.
        let mut roots: Vec<MarkerStyle> = Vec::new();
        let mut previous: Option<Note> = None;
        for note in section.iter_mut() {
            let known = continuations[first..]
                .iter()
                .find(|c: &&Continuation| c.to == note.style)
                .copied();
            // (A style seen before in the section continues nothing: the chain stays acyclic.)
            let continued = known.or_else(|| {
                if roots.contains(&note.style) {
                    return None;
                }
                let new = continuation(previous?, note)?;
                continuations.push(new);
                Some(new)
            });
            let root = match continued {
                Some(c) => {
                    note.offset = c.offset;
                    note.number += u32::from(c.offset);
                    root_of(&continuations[first..], c.from)
                }
                None => note.style,
            };
            if !roots.contains(&root) {
                roots.push(root);
            }
            let index = roots.iter().position(|&s| s == root).unwrap_or(0);
            note.series = u8::try_from(index).unwrap_or(0);
            previous = Some(*note);
        }
    }
    continuations
}

/// The continuation `note` starts after `previous`: a glyph style starting again at 1 right
/// after another glyph style's last glyph (or its 20th).
fn continuation(previous: Note, note: &Note) -> Option<Continuation> {
    let last = previous.number - u32::from(previous.offset);
    let continues = previous.style != note.style
        && note.number == 1
        && note.style.is_glyph()
        && previous.style.is_glyph()
        && (last == 20 || Some(last) == previous.style.last_glyph());
    continues.then_some(Continuation {
        section: note.section,
        from: previous.style,
        last,
        to: note.style,
        offset: u16::try_from(previous.number).ok()?,
    })
}

/// The style that starts the series `style` belongs to (itself, unless it continues another).
fn root_of(continuations: &[Continuation], mut style: MarkerStyle) -> MarkerStyle {
    while let Some(c) = continuations.iter().find(|c| c.to == style) {
        style = c.from;
    }
    style
}

/// The levels headings take: the rules', or, in a document that marks its headings with
/// Markdown's `#`s, theirs (the fewest `#`s used make level 1), and the rules' levels below
/// the deepest of them for the lines without `#`s.
#[derive(Clone, Copy, Debug, Default)]
struct Levels {
    fewest_hashes: u8,
    /// The deepest level the `#`s make; 0 in a document without them.
    deepest: u8,
    /// 1 in a document of `第X编` (level 0 by the rules), whose chapters are then level 2.
    lift: u8,
}

impl Levels {
    fn of(candidates: &[HeadingCandidate]) -> Levels {
        let lift = u8::from(candidates.iter().any(|c| c.atx == 0 && c.level == 0));
        let mut hashes = candidates.iter().map(|c| c.atx).filter(|&n| n > 0);
        let Some(first) = hashes.next() else {
            return Levels {
                lift,
                ..Levels::default()
            };
        };
        let (fewest, most) = hashes.fold((first, first), |(lo, hi), n| (lo.min(n), hi.max(n)));
        Levels {
            fewest_hashes: fewest,
            deepest: most - fewest + 1,
            lift,
        }
    }

    fn of_candidate(&self, candidate: &HeadingCandidate) -> u8 {
        let by_rules = candidate.level.saturating_add(self.lift);
        match (self.deepest, candidate.atx) {
            (0, _) => by_rules,
            (_, 0) => self.deepest.saturating_add(by_rules),
            (_, hashes) => hashes - self.fewest_hashes + 1,
        }
    }
}

#[derive(Default)]
struct Walk {
    levels: Levels,
    headings: Vec<Heading>,
    notes: Vec<Note>,
    /// For each heading, the end of the last non-blank line before it.
    content_end_before: Vec<usize>,
    notes_section: Option<usize>,
    open_note: Option<usize>,
    /// The headings inside the notes section since its last entry (a chapter's title among
    /// the notes of a book), and where the last of them starts.
    headings_since_entry: (u32, usize),
    /// A numbered list inside the open entry: its labels' style and the last number.
    inner_list: Option<(MarkerStyle, u32)>,
    /// The first note of the open entry when it labels several (`〔2〕〔3〕〔4〕…`).
    group_start: Option<usize>,
}

impl Walk {
    fn candidate(&mut self, candidate: &HeadingCandidate, full_width: f64) {
        // Inside a notes section only a heading of its level or above ends it: a `1.` or
        // `（一）` at the start of a note's line is part of the note.
        if candidate.listed {
            return; // an item of a list of titles
        }
        let level = self.levels.of_candidate(candidate);
        let section_level = self
            .notes_section
            .and_then(|i| self.headings.get(i))
            .map(|h| h.level);
        if section_level.is_some_and(|notes| level > notes) {
            let (count, _) = self.headings_since_entry;
            self.headings_since_entry = (count + 1, candidate.range.start);
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
        self.inner_list = None;
        self.headings_since_entry = (0, 0);
        self.headings.push(Heading {
            level,
            kind: candidate.kind,
            range,
            line: candidate.range,
            tail: tail.map(|tail| tail.range),
            // Set by `close_sections` once the following headings are known.
            section: range,
            untitled: false,
        });
        self.content_end_before.push(candidate.content_end_before);
    }

    /// Opens a notes section without a title at `label`, its first entry.
    fn untitled_section(&mut self, label: &LabelLine) {
        self.close_note(label.content_end_before);
        self.notes_section = Some(self.headings.len());
        self.headings.push(Heading {
            level: 1,
            kind: HeadingKind::Notes,
            range: label.label,
            line: label.label,
            tail: None,
            section: label.label,
            untitled: true,
        });
        self.content_end_before.push(label.content_end_before);
    }

    /// Reads the label line `label`, which `next` follows.
    fn label(&mut self, label: &LabelLine, next: Option<&LabelLine>) {
        let Some(section) = self.notes_section else {
            return; // outside a notes section `〔n〕` is a citation
        };
        if label.joined {
            self.join(label, section);
            return;
        }
        if self.in_inner_list(label, next, section) {
            return;
        }
        self.headings_since_entry = (0, 0);
        self.close_note(label.content_end_before);
        self.open(label, section, false);
    }

    /// Opens the entry of `label` in notes section `section`.
    fn open(&mut self, label: &LabelLine, section: usize, grouped: bool) {
        self.open_note = Some(self.notes.len());
        self.notes.push(Note {
            number: label.number,
            style: label.style,
            offset: 0,
            series: 0,
            label: label.label,
            range: label.label,
            section,
            grouped,
        });
    }

    /// Reads a label joined to the open entry's (`〔3〕` of `〔2〕〔3〕…`): a note of its own
    /// whose entry is the open one's.
    fn join(&mut self, label: &LabelLine, section: usize) {
        let Some(open) = self.open_note.filter(|_| self.inner_list.is_none()) else {
            return; // joined to an item of a list inside an entry, or to no entry
        };
        self.group_start.get_or_insert(open);
        if let Some(note) = self.notes.get_mut(open) {
            note.grouped = true;
        }
        self.open(label, section, true);
    }

    /// Whether `label` numbers an item of a list inside the open entry (a song's lines, the
    /// readings of a passage): labels that start again at 1 after an entry numbered higher,
    /// in the entry's style and with no heading between, and go on 2, 3, … (A lone `〔1〕`
    /// after `〔2〕` is an entry out of order.)
    fn in_inner_list(
        &mut self,
        label: &LabelLine,
        next: Option<&LabelLine>,
        section: usize,
    ) -> bool {
        if let Some((style, last)) = self.inner_list.take() {
            if label.style == style && label.number == last + 1 {
                self.inner_list = Some((style, label.number));
                return true;
            }
        }
        let open = self.open_note.and_then(|i| self.notes.get(i));
        let restarts = open.is_some_and(|note| {
            note.section == section && note.style == label.style && note.number >= 2
        });
        let goes_on = next.is_some_and(|next| next.style == label.style && next.number == 2);
        // (A short item is a heading by its shape: its own line does not count.)
        let heading_between = match self.headings_since_entry {
            (0, _) => false,
            (1, start) => start != label.label.start,
            _ => true,
        };
        if label.number == 1 && restarts && goes_on && !heading_between {
            self.inner_list = Some((label.style, 1));
            return true;
        }
        false
    }

    /// Ends the entry being read at `content_end`.
    fn close_note(&mut self, content_end: usize) {
        let Some(open) = self.open_note.take() else {
            return;
        };
        let first = self.group_start.take().unwrap_or(open);
        for note in self.notes.get_mut(first..=open).into_iter().flatten() {
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
/// the first notes section after it, or the one it stands in (a cross-reference); each with
/// its number on across a continued glyph series and the series of entries it cites.
/// Superscripts count only where a scope uses them consistently (see [`superscripts_cite`]).
fn citations(
    markers: &[Marker],
    label_lines: &[LabelLine],
    notes: &[Note],
    headings: &[Heading],
    continuations: &[Continuation],
) -> Vec<Marker> {
    let mut labels = notes.iter().map(|n| n.label.start).peekable();
    let mut line_starts = label_lines.iter().map(|l| l.label.start).peekable();
    let mut sections = headings
        .iter()
        .enumerate()
        .filter(|(_, h)| h.kind == HeadingKind::Notes)
        .peekable();
    let mut inside: Option<(usize, &Heading)> = None;
    let mut citations = Vec::with_capacity(markers.len());
    let mut styles_listed = vec![StyleSet::default(); headings.len()];
    for note in notes {
        styles_listed[note.section].insert(note.style);
    }
    for marker in markers {
        while labels.next_if(|&l| l < marker.range.start).is_some() {}
        if labels.peek() == Some(&marker.range.start) {
            continue;
        }
        while let Some(passed) = sections.next_if(|(_, h)| h.range.start < marker.range.start) {
            inside = Some(passed);
        }
        let mut in_section = inside.filter(|(_, h)| marker.range.start < h.section.end);
        // Inside a note, a number in a style none of its section's entries has cites the next
        // section's (a commentary's collation marks `①`, listed under `校記`) if those are
        // written so; else it is a page or a source's (`［176］` after notes labelled `（1）`),
        // unless `见注` points with it.
        let next_section = |sections: &mut _| section_after(sections, &styles_listed, marker.style);
        if let Some((section, _)) = in_section {
            if !marker.cross_reference && !styles_listed[section].contains(marker.style) {
                let next_lists_it = next_section(&mut sections)
                    .is_some_and(|next| styles_listed[next].contains(marker.style));
                if !next_lists_it {
                    continue;
                }
                in_section = None;
            }
        }
        let scope = match in_section {
            Some((scope, _)) => Some(scope),
            None => next_section(&mut sections),
        };
        while line_starts.next_if(|&l| l < marker.range.start).is_some() {}
        citations.push(Marker {
            cross_reference: marker.cross_reference || in_section.is_some(),
            starts_line: line_starts.peek() == Some(&marker.range.start),
            ..marker.with_scope(scope)
        });
    }
    let mut start = 0;
    while start < citations.len() {
        let scope = citations[start].scope();
        let len = citations[start..].partition_point(|m| m.scope() == scope);
        let scope_notes = scope.map_or(&[][..], |scope| notes_in(notes, scope));
        resolve_scope(
            &mut citations[start..start + len],
            scope_notes,
            continuations,
        );
        start += len;
    }
    if citations.iter().any(|m| m.number == 0) {
        citations.retain(|m| m.number != 0);
    }
    citations
}

/// The notes section after a marker (`sections` are those after it), or, past one with no
/// entry that can be read (a commentary keyed `〖詩句〗`), the one after that if it lists
/// entries in the marker's `style` (the commentary's collation notes).
fn section_after<'h, I>(
    sections: &mut std::iter::Peekable<I>,
    styles_listed: &[StyleSet],
    style: MarkerStyle,
) -> Option<usize>
where
    I: Iterator<Item = (usize, &'h Heading)> + Clone,
{
    let &(next, heading) = sections.peek()?;
    let unread = styles_listed[next] == StyleSet::default() && heading.holds_text();
    let after = unread
        .then(|| sections.clone().nth(1).map(|(i, _)| i))
        .flatten()
        .filter(|&i| styles_listed[i].contains(style));
    Some(after.unwrap_or(next))
}

/// The entries of the notes section `scope`.
fn notes_in(notes: &[Note], scope: usize) -> &[Note] {
    let first = notes.partition_point(|n| n.section < scope);
    let after = notes.partition_point(|n| n.section <= scope);
    &notes[first..after]
}

/// The series of a marker that cites no series (its number is in several).
const NO_SERIES: u8 = u8::MAX;

/// Numbers the markers of one scope on across its notes' continuations, picks the series each
/// cites, and marks (number 0) superscripts that are not markers there.
fn resolve_scope(markers: &mut [Marker], notes: &[Note], continuations: &[Continuation]) {
    if markers.iter().any(|m| m.style == MarkerStyle::Superscript)
        && !superscripts_cite(markers, notes)
    {
        for marker in markers
            .iter_mut()
            .filter(|m| m.style == MarkerStyle::Superscript)
        {
            marker.number = 0;
        }
    }
    let paren_labels = notes.iter().any(|n| n.style == MarkerStyle::ParenNumber);
    if !paren_labels && markers.iter().any(|m| m.style == MarkerStyle::ParenNumber) {
        drop_paren_numbers_before_twenty(markers);
    }
    let section = notes.first().map(|n| n.section);
    let continuations: Vec<&Continuation> = continuations
        .iter()
        .filter(|c| Some(c.section) == section)
        .collect();
    let mut running_out: Vec<bool> = vec![false; continuations.len()];
    for marker in markers.iter_mut() {
        for (c, reached) in continuations.iter().zip(running_out.iter_mut()) {
            // (Compared before the marker's own offset is added: as written.)
            if marker.style == c.from && marker.number == c.last {
                *reached = true;
            }
        }
        let continued = continuations
            .iter()
            .zip(&running_out)
            .rfind(|(c, reached)| **reached && c.to == marker.style)
            .map(|(c, _)| c.offset);
        if let Some(offset) = continued.filter(|_| marker.number != 0) {
            marker.offset = offset;
            marker.number += u32::from(offset);
        }
    }
    // The numbers cited in the glyphs of the entries: a marker of another style citing one of
    // them by number would be ambiguous (`⑴` and `①` both for an entry `⑴`).
    // (Looked up by style: a book's notes section has thousands of entries.)
    let mut series_of_style: [Option<u8>; STYLES] = [None; STYLES];
    for note in notes {
        series_of_style[note.style as usize].get_or_insert(note.series);
    }
    // (Only for a scope with markers in a style no entry has: sorting every citation's number
    // after each structural edit of a book cost more than the rest of this.)
    let unlisted = |m: &Marker| series_of_style[m.style as usize].is_none();
    let mut cited_as_listed: Vec<u32> = Vec::new();
    if markers.iter().any(unlisted) {
        cited_as_listed = markers
            .iter()
            .filter(|m| !unlisted(m) && !m.cross_reference)
            .map(|m| m.number)
            .collect();
        cited_as_listed.sort_unstable();
    }
    let one_series = notes.iter().all(|n| n.series == 0);
    for marker in markers.iter_mut() {
        marker.series = match series_of_style[marker.style as usize] {
            Some(series) => series,
            None if cited_as_listed.binary_search(&marker.number).is_ok() => NO_SERIES,
            None if one_series => 0,
            None => series_by_number(marker, notes),
        };
    }
}

/// Marks (number 0) the `(21)` that come before a `⒇` in their scope: only after `⒇` do
/// they cite the `⑴` series on.
fn drop_paren_numbers_before_twenty(markers: &mut [Marker]) {
    let mut after_twenty = false;
    for marker in markers {
        match marker.style {
            MarkerStyle::ParenDigit if marker.number == 20 => after_twenty = true,
            MarkerStyle::ParenNumber if !after_twenty => marker.number = 0,
            _ => {}
        }
    }
}

/// How many marker styles there are (built-in and the user's pattern).
const STYLES: usize = MarkerStyle::Pattern as usize + 1;

/// The series of entries a marker of a style no entry has cites: the one series that has
/// its number, if only one does.
fn series_by_number(marker: &Marker, notes: &[Note]) -> u8 {
    let mut series = notes
        .iter()
        .filter(|n| n.number == marker.number)
        .map(|n| n.series);
    match series.next() {
        Some(first) if series.all(|s| s == first) => first,
        // No entry, or entries of that number in several series: it cites none (missing).
        _ => NO_SERIES,
    }
}

/// Whether a scope's superscripts are note markers: its entries are labelled with
/// superscripts, or its superscripts number 1, 2, … from the first (at least two). Otherwise
/// they are exponents and units (`m²`, `10⁶`).
fn superscripts_cite(markers: &[Marker], notes: &[Note]) -> bool {
    if notes.iter().any(|n| n.style == MarkerStyle::Superscript) {
        return true;
    }
    let mut numbers = markers
        .iter()
        .filter(|m| m.style == MarkerStyle::Superscript)
        .map(|m| m.number);
    numbers.next() == Some(1) && numbers.any(|n| n == 2)
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
    let any_entry = !notes.is_empty();
    let cites_notes = markers.iter().any(|m| m.scope().is_some());
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
        if scope_notes.is_empty() && headings.get(scope).is_some_and(Heading::holds_text) {
            // Its entries are written in a way not read here (`1. …`, `〖1〗…`): what is
            // missing from it cannot be told.
            continue;
        }
        if scope_markers.is_empty() && cites_notes {
            // In a text that cites its notes, a section none of whose entries is cited is
            // keyed to the text otherwise (collation notes by the line they follow).
            continue;
        }
        let one_series = scope_markers.iter().all(|m| m.series == 0)
            && scope_notes.iter().all(|n| n.series == 0);
        if one_series {
            check_scope(
                scope_markers,
                scope_notes,
                &mut first_entry,
                &mut cited,
                &mut problems,
            );
        } else {
            check_each_series(scope_markers, scope_notes, table_len, &mut problems);
        }
    }
    // What is left are markers after the last notes section: notes whose entries were lost
    // where the document lists notes elsewhere, or where they are numbered as notes are.
    let lost = any_entry || numbered_as_notes(markers);
    for marker in markers.iter().filter(|m| lost && !m.starts_line) {
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

/// Whether markers, in a document with no entries, are numbered as notes are: 1, 2, 3 and
/// on in order, each cited once. Numbers that come back (`方程式［４］` cited again and
/// again) or that start elsewhere (a gloss `〔十三〕`) are something else's.
fn numbered_as_notes(markers: &[Marker]) -> bool {
    let numbers = markers.iter().filter(|m| !m.starts_line).map(|m| m.number);
    let mut count = 0;
    for number in numbers {
        if number != count + 1 {
            return false;
        }
        count = number;
    }
    count >= MIN_NUMBERED_AS_NOTES
}

/// The fewest markers [`numbered_as_notes`] takes for notes.
const MIN_NUMBERED_AS_NOTES: u32 = 3;

/// The problems of a scope whose entries are in several series (see [`Note::series`]), series
/// by series.
fn check_each_series(
    markers: &[Marker],
    notes: &[Note],
    table_len: usize,
    problems: &mut Vec<Problem>,
) {
    let mut series: Vec<u8> = markers
        .iter()
        .map(|m| m.series)
        .chain(notes.iter().map(|n| n.series))
        .collect();
    series.sort_unstable();
    series.dedup();
    for each in series {
        let markers: Vec<Marker> = markers
            .iter()
            .filter(|m| m.series == each)
            .copied()
            .collect();
        let notes: Vec<Note> = notes.iter().filter(|n| n.series == each).copied().collect();
        let mut first_entry = vec![None; table_len];
        let mut cited = vec![false; table_len];
        check_scope(&markers, &notes, &mut first_entry, &mut cited, problems);
    }
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
        if first_entry[marker.number as usize].is_none() && !marker.starts_line {
            let kind = ProblemKind::MissingNote {
                number: marker.number,
                scope: MissingIn::NotesSection,
            };
            problems.push(Problem::new(kind, marker.range));
        }
    }
    // (An entry labelled `(1)` may be an item of a list inside a note: left alone uncited.)
    for note in notes.iter().filter(|n| n.style != MarkerStyle::ParenNumber) {
        let number = note.number as usize;
        if first_entry[number].is_some_and(|first| std::ptr::eq(first, note)) && !cited[number] {
            let kind = ProblemKind::UnusedNote {
                number: note.number,
            };
            problems.push(Problem::new(kind, note.label));
        }
    }
    // A cross-reference (`见注〔18〕` in a note) does not count for the order of citation.
    if markers.iter().any(|m| m.cross_reference) {
        let citations: Vec<Marker> = markers
            .iter()
            .filter(|m| !m.cross_reference)
            .copied()
            .collect();
        order_problems(&citations, notes, problems);
    } else {
        order_problems(markers, notes, problems);
    }
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
