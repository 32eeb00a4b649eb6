//! The facts of a whole document, kept up to date edit by edit.
//!
//! An edit rescans only the lines it touched, widened to the nearest non-blank line on each
//! side (the facts of a line depend on those neighbours, see [`super::scan`]); the facts after
//! it move by the edit's length change. The analysis is then assembled from the facts
//! ([`super::assemble`]), so an edited document and a freshly opened one are analysed by the
//! same code from the same facts.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ropey::Rope;

use super::headings::is_space;
use super::scan::{self, HeadingCandidate, LabelLine, Scan};
use super::syntax::Syntax;
use super::Marker;
use crate::text::TextRange;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    pub candidates: Vec<HeadingCandidate>,
    pub labels: Vec<LabelLine>,
    pub markers: Vec<Marker>,
    pub widths: WidthHistogram,
    /// The rules the facts were found by.
    pub syntax: Arc<Syntax>,
}

impl Index {
    /// The facts of a whole text by the built-in rules, and where its content ends.
    pub fn new(text: &str) -> (Index, usize) {
        Index::with_syntax(text, Arc::default())
    }

    /// The facts of a whole text by the rules of `syntax`, and where its content ends.
    pub fn with_syntax(text: &str, syntax: Arc<Syntax>) -> (Index, usize) {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Index::in_stretches(text, (text.len() / STRETCH_BYTES).max(1), cores, syntax)
    }

    /// [`Index::new`], scanning `count` stretches of the text on up to `workers` threads.
    ///
    /// Each stretch's facts depend only on its own lines and on the nearest non-blank line on
    /// either side, which is cheap to find. Stretches are handed out one at a time, so a worker
    /// on a slow stretch (a notes section takes longer than body text) does not hold the
    /// others up.
    fn in_stretches(
        text: &str,
        count: usize,
        workers: usize,
        syntax: Arc<Syntax>,
    ) -> (Index, usize) {
        let chunks = chunks(text, count);
        let scan_chunk = |chunk: &Range<usize>| {
            scan::scan(
                &syntax,
                &text[chunk.clone()],
                chunk.start,
                scan::before_in(text, chunk.start),
                || scan::first_content_line_in(text, chunk.end),
            )
        };
        let workers = workers.clamp(1, chunks.len());
        if workers == 1 {
            return Index::from_scans(chunks.iter().map(scan_chunk).collect(), syntax.clone());
        }
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            while let Some(chunk) = chunks.get(next.fetch_add(1, Ordering::Relaxed)) {
                done.push((chunk.start, scan_chunk(chunk)));
            }
            done
        };
        let mut scans = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(work)).collect();
            let mut scans = work();
            for helper in helpers {
                scans.extend(
                    helper
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            scans
        });
        scans.sort_unstable_by_key(|(start, _)| *start);
        let scans = scans.into_iter().map(|(_, scan)| scan).collect();
        Index::from_scans(scans, syntax.clone())
    }

    /// The index of consecutive stretches, in order, scanned by the rules of `syntax`.
    pub(crate) fn from_scans(scans: Vec<Scan>, syntax: Arc<Syntax>) -> (Index, usize) {
        let mut index = Index {
            syntax,
            ..Index::default()
        };
        let mut content_end = 0;
        for scan in scans {
            index.widths.merge(&scan.widths);
            index.candidates.extend(scan.candidates);
            index.labels.extend(scan.labels);
            index.markers.extend(scan.markers);
            content_end = scan.content_end;
        }
        (index, content_end)
    }

    /// Replaces the characters `chars` of `rope` with `new_text`, updating the facts.
    ///
    /// Returns the [`Shift`] when the edit only moved the facts (typing inside a sentence, the
    /// common case): then the analysis can be moved the same way instead of being assembled
    /// again. `None` when a fact appeared, disappeared or changed.
    pub fn replace(
        &mut self,
        rope: &mut Rope,
        chars: Range<usize>,
        new_text: &str,
    ) -> Option<Shift> {
        let median = self.widths.median();
        let start = rope.char_to_byte(chars.start);
        let old_end = rope.char_to_byte(chars.end);
        let region = affected_region(rope, start, old_end);
        let old_region_text = rope.byte_slice(region.clone()).to_string();
        scan::widths(&old_region_text).for_each(|w| self.widths.remove(w));

        crate::text::replace(rope, chars, new_text);

        let delta = new_text.len() as isize - (old_end - start) as isize;
        let new_end = offset_by(region.end, delta);
        let new_region_text = rope.byte_slice(region.start..new_end).to_string();
        let scan = scan::scan(
            &self.syntax,
            &new_region_text,
            region.start,
            before(rope, region.start),
            || first_content_line_from(rope, new_end),
        );
        let shift = Shift {
            start,
            old_end,
            delta,
        };
        let only_moved = self.only_moved(&region, &scan, &shift);
        self.splice(region, delta, scan);
        (only_moved && self.widths.median() == median).then_some(shift)
    }

    /// Whether the facts `scan` found in the edited region are the old ones, moved by `shift`.
    fn only_moved(&self, region: &Range<usize>, scan: &Scan, shift: &Shift) -> bool {
        fn old<'a, T>(items: &'a [T], region: &Range<usize>, key: impl Fn(&T) -> usize) -> &'a [T] {
            let first = items.partition_point(|item| key(item) < region.start);
            let after = items.partition_point(|item| key(item) < region.end);
            &items[first..after]
        }
        let candidates = old(&self.candidates, region, |c| c.range.start);
        let labels = old(&self.labels, region, |l| l.label.start);
        let markers = old(&self.markers, region, |m| m.range.start);
        candidates.len() == scan.candidates.len()
            && labels.len() == scan.labels.len()
            && markers.len() == scan.markers.len()
            && candidates
                .iter()
                .zip(&scan.candidates)
                .all(|(old, new)| shift.candidate(old).as_ref() == Some(new))
            && labels
                .iter()
                .zip(&scan.labels)
                .all(|(old, new)| shift.label(old).as_ref() == Some(new))
            && markers.iter().zip(&scan.markers).all(|(old, new)| {
                shift
                    .range(old.range)
                    .map(|range| Marker { range, ..*old })
                    .as_ref()
                    == Some(new)
            })
    }

    fn splice(&mut self, region: Range<usize>, delta: isize, scan: Scan) {
        self.widths.merge(&scan.widths);
        splice(
            &mut self.candidates,
            region.clone(),
            scan.candidates,
            delta,
            |c| c.range.start,
            shift_candidate,
        );
        splice(
            &mut self.labels,
            region.clone(),
            scan.labels,
            delta,
            |l| l.label.start,
            |l, d| {
                l.label = shift_range(l.label, d);
                l.content_end_before = offset_by(l.content_end_before, d);
            },
        );
        splice(
            &mut self.markers,
            region,
            scan.markers,
            delta,
            |m| m.range.start,
            |m, d| {
                m.range = shift_range(m.range, d);
            },
        );
    }
}

/// How an edit moves offsets: bytes `start..old_end` were replaced, changing the length by
/// `delta`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shift {
    pub start: usize,
    pub old_end: usize,
    pub delta: isize,
}

impl Shift {
    /// Where a start of something, or the end of a line's content, moves: text typed at it
    /// goes before a start, and extends the content of its line. `None` inside removed text.
    pub fn position(&self, offset: usize) -> Option<usize> {
        if offset >= self.old_end {
            Some(offset_by(offset, self.delta))
        } else if offset <= self.start {
            Some(offset)
        } else {
            None
        }
    }

    /// Where the end of a range moves: text typed at it goes after the range.
    pub fn end(&self, offset: usize) -> Option<usize> {
        if offset <= self.start {
            Some(offset)
        } else if offset >= self.old_end {
            Some(offset_by(offset, self.delta))
        } else {
            None
        }
    }

    pub fn range(&self, range: TextRange) -> Option<TextRange> {
        let start = self.position(range.start)?;
        let end = self.end(range.end)?;
        (start <= end).then(|| TextRange::new(start, end))
    }

    fn candidate(&self, candidate: &HeadingCandidate) -> Option<HeadingCandidate> {
        let tail = match &candidate.tail {
            Some(tail) => Some(scan::HeadingTail {
                range: self.range(tail.range)?,
                ..*tail
            }),
            None => None,
        };
        Some(HeadingCandidate {
            range: self.range(candidate.range)?,
            content_end_before: self.position(candidate.content_end_before)?,
            tail,
            ..*candidate
        })
    }

    fn label(&self, label: &LabelLine) -> Option<LabelLine> {
        Some(LabelLine {
            label: self.range(label.label)?,
            content_end_before: self.position(label.content_end_before)?,
            ..*label
        })
    }
}

/// The size of the stretches a text is scanned in: on one thread each when the whole text is
/// at hand ([`Index::new`]; shorter texts take one thread), one after another as a text
/// arrives ([`IndexBuilder`]).
const STRETCH_BYTES: usize = 1 << 20;

/// Builds an [`Index`] from a text that arrives piece by piece (a document being received),
/// scanning each stretch as soon as the line after it is known: the result is the same as
/// [`Index::new`] of the whole text.
pub struct IndexBuilder {
    syntax: Arc<Syntax>,
    /// How much text makes a stretch.
    stretch_bytes: usize,
    scans: Vec<Scan>,
    /// The text not scanned yet; it starts at a line start.
    pending: String,
    /// Where `pending` starts in the document.
    base: usize,
    /// What the stretch scanned next needs of the text before it.
    before: scan::Before,
    /// After an attempt found nothing ready (a very long line, or no complete line after the
    /// stretch yet), the length `pending` must reach before the next attempt: trying again on
    /// every piece would read the same text over and over.
    retry_at: usize,
}

impl IndexBuilder {
    /// A builder that reads by the rules of `syntax`.
    pub fn new(syntax: Arc<Syntax>) -> IndexBuilder {
        IndexBuilder::with_stretch_bytes(STRETCH_BYTES, syntax)
    }

    /// A builder that scans in stretches of about `bytes` (tests use tiny ones).
    pub fn with_stretch_bytes(bytes: usize, syntax: Arc<Syntax>) -> IndexBuilder {
        IndexBuilder {
            syntax,
            stretch_bytes: bytes.max(1),
            scans: Vec::new(),
            pending: String::new(),
            base: 0,
            before: scan::Before::default(),
            retry_at: 0,
        }
    }

    /// Adds the next piece of the text (cut anywhere, even inside a line).
    pub fn push(&mut self, piece: &str) {
        self.pending.push_str(piece);
        if self.pending.len() >= (2 * self.stretch_bytes).max(self.retry_at) {
            self.scan_ready();
        }
    }

    /// The index of the whole text, and where its content ends.
    pub fn finish(mut self) -> (Index, usize) {
        let pending = std::mem::take(&mut self.pending);
        self.scans.push(scan::scan(
            &self.syntax,
            &pending,
            self.base,
            self.before,
            || None,
        ));
        Index::from_scans(self.scans, self.syntax)
    }

    /// Scans the pending text up to the last line start before its last stretch, if a
    /// non-blank line follows that point (a heading's tail may be on it).
    fn scan_ready(&mut self) {
        let limit = self.pending.len() - self.stretch_bytes;
        self.retry_at = self.pending.len() + self.stretch_bytes;
        let Some(newline) = memchr::memrchr(b'\n', &self.pending.as_bytes()[..limit]) else {
            return;
        };
        let cut = newline + 1;
        let line_after = scan::first_content_line_in(&self.pending, cut);
        // Wait for more text if the line after is not complete yet (or not there).
        let Some((after_start, after)) =
            line_after.filter(|(start, line)| start + line.len() < self.pending.len())
        else {
            return;
        };
        let base = self.base;
        let line_after = Some((base + after_start, after));
        let scan = scan::scan(
            &self.syntax,
            &self.pending[..cut],
            base,
            self.before,
            || line_after,
        );
        self.before = scan::Before {
            content_end: scan.content_end,
            separator: scan.ends_with_separator,
            item: scan.ends_with_item,
        };
        self.scans.push(scan);
        self.pending.drain(..cut);
        self.base += cut;
        self.retry_at = 0;
    }
}

/// Splits `text` at line starts into `count` stretches of about the same size (fewer if it
/// has fewer `\n`).
fn chunks(text: &str, count: usize) -> Vec<Range<usize>> {
    let mut chunks = Vec::with_capacity(count);
    let mut start = 0;
    for i in 1..count {
        let target = text.len() * i / count;
        let Some(newline) = memchr::memchr(b'\n', &text.as_bytes()[target.max(start)..]) else {
            break;
        };
        let end = target.max(start) + newline + 1;
        chunks.push(start..end);
        start = end;
    }
    chunks.push(start..text.len());
    chunks
}

fn shift_candidate(candidate: &mut HeadingCandidate, delta: isize) {
    candidate.range = shift_range(candidate.range, delta);
    candidate.content_end_before = offset_by(candidate.content_end_before, delta);
    if let Some(tail) = &mut candidate.tail {
        tail.range = shift_range(tail.range, delta);
    }
}

/// Replaces the items whose key lies in `region` with `new_items`, and moves the items after
/// the region by `delta`.
fn splice<T>(
    items: &mut Vec<T>,
    region: Range<usize>,
    new_items: Vec<T>,
    delta: isize,
    key: impl Fn(&T) -> usize,
    shift: impl Fn(&mut T, isize),
) {
    let first = items.partition_point(|item| key(item) < region.start);
    let after = items.partition_point(|item| key(item) < region.end);
    if delta != 0 {
        items[after..]
            .iter_mut()
            .for_each(|item| shift(item, delta));
    }
    items.splice(first..after, new_items);
}

fn offset_by(offset: usize, delta: isize) -> usize {
    offset.checked_add_signed(delta).unwrap_or(0)
}

fn shift_range(range: TextRange, delta: isize) -> TextRange {
    TextRange::new(offset_by(range.start, delta), offset_by(range.end, delta))
}

/// The byte range of whole lines whose facts an edit of `start..old_end` can change: the
/// lines it touches, widened to the nearest non-blank line before and after.
fn affected_region(rope: &Rope, start: usize, old_end: usize) -> Range<usize> {
    let first_line = rope.byte_to_line(start);
    let last_line = rope.byte_to_line(old_end);
    let first = (0..first_line)
        .rev()
        .find(|&line| !is_blank(rope, line))
        .unwrap_or(first_line);
    let last = (last_line + 1..rope.len_lines())
        .find(|&line| !is_blank(rope, line))
        .unwrap_or(rope.len_lines() - 1);
    let end = if last + 1 < rope.len_lines() {
        rope.line_to_byte(last + 1)
    } else {
        rope.len_bytes()
    };
    rope.line_to_byte(first)..end
}

/// Blank as the scan sees it (spaces, a Markdown fence or comment line).
fn is_blank(rope: &Rope, line: usize) -> bool {
    let quick = rope
        .line(line)
        .chars()
        .all(|c| is_space(c) || c == '\n' || c == '\r');
    quick || scan::trim(&line_text(rope, line).1).is_none()
}

/// What the lines before byte `offset` (a line start) tell the line there: where the last
/// non-blank one ends (or 0), and whether it is a separator.
fn before(rope: &Rope, offset: usize) -> scan::Before {
    last_content(rope, (0..rope.byte_to_line(offset)).rev())
}

/// The end of the document's content: the end of its last non-blank line, or 0.
pub fn content_end(rope: &Rope) -> usize {
    last_content(rope, (0..rope.len_lines()).rev()).content_end
}

/// The first non-blank line among `lines` (taken in their order): where it ends and whether
/// it is a separator.
fn last_content(rope: &Rope, mut lines: impl Iterator<Item = usize>) -> scan::Before {
    lines
        .find_map(|line| {
            let (start, text) = line_text(rope, line);
            let (lead, content) = scan::trim(&text)?;
            Some(scan::Before::of_line(start + lead + content.len(), content))
        })
        .unwrap_or_default()
}

/// The first non-blank line starting at or after byte `offset` (a line start): its start and
/// its text without the line break.
fn first_content_line_from(rope: &Rope, offset: usize) -> Option<(usize, String)> {
    if offset >= rope.len_bytes() {
        return None;
    }
    (rope.byte_to_line(offset)..rope.len_lines())
        .map(|line| line_text(rope, line))
        .find(|(_, text)| scan::trim(text).is_some())
}

/// A line's start and its text without the line break.
fn line_text(rope: &Rope, line: usize) -> (usize, String) {
    let mut text = rope.line(line).to_string();
    let len = text.trim_end_matches(['\n', '\r']).len();
    text.truncate(len);
    (rope.line_to_byte(line), text)
}

/// How many non-blank lines have each width, to find the width of a full printed line.
#[derive(Clone, Debug)]
pub struct WidthHistogram {
    counts: Vec<u32>,
    total: u64,
}

/// Wider lines are counted as this wide: the median only needs to know they are wide.
const MAX_TRACKED_WIDTH: usize = 1024;

impl Default for WidthHistogram {
    fn default() -> WidthHistogram {
        WidthHistogram {
            counts: vec![0; MAX_TRACKED_WIDTH + 1],
            total: 0,
        }
    }
}

impl WidthHistogram {
    fn bucket(width: u32) -> usize {
        (width as usize).min(MAX_TRACKED_WIDTH)
    }

    pub fn add(&mut self, width: u32) {
        self.counts[Self::bucket(width)] += 1;
        self.total += 1;
    }

    pub fn remove(&mut self, width: u32) {
        let count = &mut self.counts[Self::bucket(width)];
        debug_assert!(*count > 0, "removing a width that was never added");
        *count = count.saturating_sub(1);
        self.total = self.total.saturating_sub(1);
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &WidthHistogram) {
        for (count, added) in self.counts.iter_mut().zip(&other.counts) {
            *count += added;
        }
        self.total += other.total;
    }

    /// How many lines are `low..=high` wide, and how many lines there are.
    pub fn count_within(&self, low: u32, high: u32) -> (u64, u64) {
        let (low, high) = (Self::bucket(low), Self::bucket(high));
        let within = self.counts[low..=high].iter().map(|&c| u64::from(c)).sum();
        (within, self.total)
    }

    /// The median width (the upper one for an even count), 0 for no lines.
    pub fn median(&self) -> u32 {
        let mut seen = 0u64;
        for (width, &count) in self.counts.iter().enumerate() {
            seen += u64::from(count);
            if seen > self.total / 2 {
                return width as u32;
            }
        }
        0
    }
}

impl PartialEq for WidthHistogram {
    fn eq(&self, other: &WidthHistogram) -> bool {
        self.counts == other.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../seeds/000_f8c5198825835df1.txt");

    #[test]
    fn scanning_in_stretches_finds_the_same_facts() {
        let wrapped = "正文正文正文正文正文正文正文正文正文正\n\n一、甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳\n\n形成\n\n";
        let texts = [
            SEED.to_string(),
            SEED.replace('\n', "\r\n"),
            SEED.replace('\n', "\r"),
            wrapped.repeat(40),
            format!("{}\n\n\n　\n{}", SEED, "〔1〕x\n".repeat(30)),
        ];
        for text in &texts {
            let whole = Index::in_stretches(text, 1, 1, Arc::default());
            for (count, workers) in (2..=9).flat_map(|count| [(count, 1), (count, 2), (count, 3)]) {
                assert_eq!(
                    Index::in_stretches(text, count, workers, Arc::default()),
                    whole,
                    "{count} stretches, {workers} workers"
                );
            }
        }
    }

    #[test]
    fn stretches_cover_the_text_and_start_lines() {
        let text = "ab\ncd\r\nef\rgh\n";
        for count in 1..=8 {
            let chunks = chunks(text, count);
            assert_eq!(chunks.first().map(|c| c.start), Some(0));
            assert_eq!(chunks.last().map(|c| c.end), Some(text.len()));
            for pair in chunks.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert_eq!(text.as_bytes()[pair[1].start - 1], b'\n');
            }
        }
    }
}
