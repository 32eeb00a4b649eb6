//! The LSP ranges of a document's note markers and labels, remembered and moved by edits.
//!
//! A paste can turn thousands of markers into problems at once (a notes section cut in two),
//! and finding their positions means reading the whole text from one to the next. The places
//! where problems can be are known long before: every marker and every note label. Their
//! ranges are converted once, after the document is opened, by [`super::position::ranges`]
//! (so the cache only ever says what the conversion would), and each edit moves those after
//! it, as the edit moves them in the text: a line further down or up, and along the line for
//! those on the line where the edit ends. Ranges the edit touched are forgotten.

use ropey::Rope;
use tower_lsp::lsp_types::{Position, Range};

use super::position::{self, Encoding};
use crate::analysis::Analysis;
use crate::text::TextRange;

#[derive(Clone, Debug, Default)]
pub struct RangeCache {
    encoding: Encoding,
    /// In order of `start` (ranges with the same start side by side).
    entries: Vec<Entry>,
    /// The length of the longest range (edits forget ranges or move them whole, so it stays
    /// an upper bound): a range starting further than this before an edit is not touched.
    longest: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    start: usize,
    len: usize,
    range: Range,
}

/// An edit as the cache needs it: bytes `start..old_end` of the old text became
/// `start..new_end`; `old_end_at` was the old end's position, `new_end_at` is the new one's.
#[derive(Clone, Copy, Debug)]
pub struct Moved {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
    pub old_end_at: Position,
    pub new_end_at: Position,
}

impl RangeCache {
    /// The ranges of every marker and note label of `analysis` and of `more` (the form
    /// problems), one walk through `rope`.
    pub fn build(
        rope: &Rope,
        analysis: &Analysis,
        more: impl Iterator<Item = TextRange>,
        encoding: Encoding,
    ) -> RangeCache {
        let mut ranges: Vec<TextRange> = analysis
            .markers
            .iter()
            .map(|marker| marker.range)
            .chain(analysis.notes.iter().map(|note| note.label))
            .chain(more)
            .collect();
        ranges.sort_unstable();
        ranges.dedup();
        let converted = position::ranges(rope, &ranges, encoding);
        let entries = ranges
            .iter()
            .zip(converted)
            .map(|(text, range)| Entry {
                start: text.start,
                len: text.end - text.start,
                range,
            })
            .collect();
        let longest = ranges.iter().map(|r| r.end - r.start).max().unwrap_or(0);
        RangeCache {
            encoding,
            entries,
            longest,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The LSP range of `range` in `encoding`, if remembered.
    pub fn get(&self, range: TextRange, encoding: Encoding) -> Option<Range> {
        self.get_after(&mut 0, range, encoding)
    }

    /// [`RangeCache::get`], searching from entry `*cursor` on first and leaving the cursor at
    /// the entry found: problems come mostly in document order, a few entries apart.
    fn get_after(&self, cursor: &mut usize, range: TextRange, encoding: Encoding) -> Option<Range> {
        if encoding != self.encoding {
            return None;
        }
        let from = (*cursor).min(self.entries.len());
        let ahead = &self.entries[from..];
        // Galloping: the entry is most often within a few steps ahead.
        let mut step = 1;
        while step < ahead.len() && ahead[step].start < range.start {
            step *= 2;
        }
        let window = &ahead[..(step + 1).min(ahead.len())];
        let at = match window.binary_search_by_key(&range.start, |entry| entry.start) {
            Ok(at) => from + at,
            Err(_) => self
                .entries
                .binary_search_by_key(&range.start, |entry| entry.start)
                .ok()?,
        };
        *cursor = at;
        // Ranges with the same start (a note's label and its paragraph) are side by side.
        let same_start = |i: &usize| self.entries[*i].start == range.start;
        let first = (0..at).rev().take_while(same_start).last().unwrap_or(at);
        (first..self.entries.len())
            .take_while(same_start)
            .map(|i| self.entries[i])
            .find(|entry| entry.len == range.end - range.start)
            .map(|entry| entry.range)
    }

    /// The remembered LSP range of each of `ranges` (in any order; fastest in document order).
    pub fn lookup(&self, ranges: &[TextRange], encoding: Encoding) -> Vec<Option<Range>> {
        let mut cursor = 0;
        ranges
            .iter()
            .map(|&range| self.get_after(&mut cursor, range, encoding))
            .collect()
    }

    /// Follows an edit: forgets the ranges it touched, moves those after it.
    pub fn edit(&mut self, moved: &Moved) {
        // Ranges overlapping the replaced bytes (or holding an insertion point) changed. They
        // may nest (a paragraph's range holds its markers'), so every range starting before
        // the edit's end that may reach it is asked whether it ends before the edit.
        let first_after = self
            .entries
            .partition_point(|entry| entry.start < moved.old_end.max(moved.start + 1));
        let reach = moved.start.saturating_sub(self.longest);
        let first_reaching = self.entries[..first_after].partition_point(|e| e.start < reach);
        let mut kept = first_reaching;
        for read in first_reaching..first_after {
            let entry = self.entries[read];
            if entry.start + entry.len <= moved.start {
                self.entries[kept] = entry;
                kept += 1;
            }
        }
        self.entries.drain(kept..first_after);
        let end_line = moved.old_end_at.line;
        let lines = i64::from(moved.new_end_at.line) - i64::from(end_line);
        // Each end of a range on its own: on the line where the edit ends, moved along it
        // after the new end; on a later line, moved up or down.
        let moved_position = |position: Position| {
            if position.line == end_line {
                Position {
                    line: moved.new_end_at.line,
                    character: position
                        .character
                        .saturating_sub(moved.old_end_at.character)
                        .saturating_add(moved.new_end_at.character),
                }
            } else {
                Position {
                    line: u32::try_from((i64::from(position.line) + lines).max(0))
                        .unwrap_or(u32::MAX),
                    ..position
                }
            }
        };
        for entry in &mut self.entries[kept..] {
            entry.start = (entry.start + moved.new_end).saturating_sub(moved.old_end);
            entry.range = Range::new(
                moved_position(entry.range.start),
                moved_position(entry.range.end),
            );
        }
    }
}

/// The LSP ranges of `ranges`: `known[i]` where given (from [`RangeCache::lookup`]), the
/// others converted in one walk through `rope`.
pub fn fill(
    rope: &Rope,
    ranges: &[TextRange],
    known: &[Option<Range>],
    encoding: Encoding,
) -> Vec<Range> {
    let mut result = Vec::with_capacity(ranges.len());
    let mut unknown = Vec::new();
    for (i, range) in ranges.iter().enumerate() {
        match known.get(i).copied().flatten() {
            Some(known) => result.push(known),
            None => {
                unknown.push((i, *range));
                result.push(Range::default());
            }
        }
    }
    if !unknown.is_empty() {
        let unknown_ranges: Vec<TextRange> = unknown.iter().map(|&(_, range)| range).collect();
        let converted = position::ranges(rope, &unknown_ranges, encoding);
        for ((i, _), range) in unknown.into_iter().zip(converted) {
            result[i] = range;
        }
    }
    result
}

/// Whether the cache can follow replacing bytes `start..old_end` of `rope` with `new_text` by
/// moving lines and columns: not when a `\r` is involved, as a `\r\n` could be made or broken
/// at the edit's edges (rare in these documents; the cache is then built again).
pub fn can_follow(rope: &Rope, start: usize, old_end: usize, new_text: &str) -> bool {
    let return_before = start > 0 && rope.get_byte(start - 1) == Some(b'\r');
    let return_removed = rope.get_byte_slice(start..old_end).is_some_and(|removed| {
        removed
            .chunks()
            .any(|chunk| memchr::memchr(b'\r', chunk.as_bytes()).is_some())
    });
    !return_before && !return_removed && !new_text.contains('\r')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use proptest::prelude::*;

    /// Applies `edit` (bytes of the current text, snapped to characters) to the document and
    /// to the cache, as the store does.
    fn apply(
        document: &mut Document,
        cache: &mut RangeCache,
        (from, to, new_text): (usize, usize, &str),
    ) {
        let rope = document.text();
        let snap = |byte: usize| rope.byte_to_char(byte.min(rope.len_bytes()));
        let (start_char, end_char) = (snap(from.min(to)), snap(from.max(to)));
        let (start, old_end) = (rope.char_to_byte(start_char), rope.char_to_byte(end_char));
        let follow = can_follow(rope, start, old_end, new_text);
        let old_end_at = position::position(rope, old_end, cache.encoding);
        document.replace(start_char..end_char, new_text);
        document.refresh();
        if !follow {
            cache.entries.clear(); // the store builds it again
            return;
        }
        let new_end = start + new_text.len();
        let new_end_at = position::position(document.text(), new_end, cache.encoding);
        cache.edit(&Moved {
            start,
            old_end,
            new_end,
            old_end_at,
            new_end_at,
        });
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// After any edits, every range the cache still holds is what a conversion of the
        /// edited text gives, and the markers no edit touched are still held.
        #[test]
        fn remembered_ranges_are_the_converted_ranges_after_edits(
            pieces in proptest::collection::vec(
                "(正文|𠮷|a|〔1〕|〔2〕|〔３〕|〔40〕|\n註釋：\n|\n〔1〕甲|\n〔2〕乙|\n一、標題\n|\r\n|\n|\n\n| 「甲|,乙)",
                0..40,
            ),
            edits in proptest::collection::vec(
                (0usize..400, 0usize..400, "(|字|𠮷|〔7〕|\n|\n\n|ab|\r\n|〔)"),
                1..8,
            ),
        ) {
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let mut document = Document::new(&pieces.concat());
                // With the form problems: ranges over lines, some starting where a label does.
                let problems: Vec<TextRange> = document.lints().iter().map(|p| p.range).collect();
                let mut cache = RangeCache::build(document.text(), document.analysis(), problems.into_iter(), encoding);
                for (from, to, new_text) in &edits {
                    apply(&mut document, &mut cache, (*from, *to, new_text));
                    let rope = document.text();
                    for entry in &cache.entries {
                        let text = TextRange::new(entry.start, entry.start + entry.len);
                        prop_assert_eq!(entry.range, position::range(rope, text, encoding));
                    }
                    // Looked up in any order, through a subset or not: what a conversion gives.
                    let analysis = document.analysis();
                    let mut wanted: Vec<TextRange> = analysis.markers.iter().map(|m| m.range)
                        .chain(analysis.notes.iter().map(|n| n.label))
                        .chain(document.lints().iter().map(|p| p.range))
                        .collect();
                    wanted.reverse();
                    let third = wanted.len() / 3;
                    wanted.rotate_left(third);
                    let converted = position::ranges(rope, &wanted, encoding);
                    let known = cache.lookup(&wanted, encoding);
                    prop_assert_eq!(&fill(rope, &wanted, &known, encoding), &converted);
                }
            }
        }
    }

    /// Found by the property test above: a form problem's range over three lines (a
    /// paragraph's) holds the edit, and ranges inside it start after it.
    #[test]
    fn a_range_over_lines_that_holds_the_edit_is_forgotten_and_nested_ones_follow() {
        let text = "正文 「甲正文正文正文正文正文\n\n正文 「甲 「甲正文 「甲正文。";
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let mut document = Document::new(text);
            let problems: Vec<TextRange> = document.lints().iter().map(|p| p.range).collect();
            assert!(problems
                .iter()
                .any(|r| r.start == 0 && r.end > text.find('\n').unwrap_or(0)));
            let mut cache = RangeCache::build(
                document.text(),
                document.analysis(),
                problems.into_iter(),
                encoding,
            );
            apply(&mut document, &mut cache, (10, 10, "字"));
            for entry in &cache.entries {
                let at = TextRange::new(entry.start, entry.start + entry.len);
                assert_eq!(entry.range, position::range(document.text(), at, encoding));
            }
        }
    }

    #[test]
    fn an_edit_moves_later_ranges_and_forgets_touched_ones() {
        let mut document =
            Document::new("甲〔1〕乙〔2〕\n丙〔3〕\n\n註釋：\n〔1〕一\n〔2〕二\n〔3〕三");
        let encoding = Encoding::Utf16;
        let mut cache = RangeCache::build(
            document.text(),
            document.analysis(),
            std::iter::empty(),
            encoding,
        );
        assert_eq!(cache.entries.len(), 6);
        let marker = |document: &Document, i: usize| document.analysis().markers[i].range;
        // Typing inside 〔2〕 forgets it; a line break before 〔3〕's line moves the rest down.
        let inside_two = marker(&document, 1).start + "〔".len();
        apply(&mut document, &mut cache, (inside_two, inside_two, "1"));
        assert_eq!(cache.entries.len(), 5);
        assert_eq!(cache.get(marker(&document, 1), encoding), None);
        apply(&mut document, &mut cache, (0, 0, "𠮷\n"));
        let three = marker(&document, 2);
        assert_eq!(
            cache.get(three, encoding),
            Some(Range::new(Position::new(2, 1), Position::new(2, 4)))
        );
        // Text typed before 〔1〕 on its line moves it along the line.
        let one = marker(&document, 0);
        assert_eq!(
            cache.get(one, encoding),
            Some(Range::new(Position::new(1, 1), Position::new(1, 4)))
        );
        // Asked in another encoding, the cache knows nothing.
        assert_eq!(cache.get(one, Encoding::Utf8), None);
    }
}
