//! The one place where core offsets and LSP positions meet.
//!
//! Core offsets are bytes into the UTF-8 text; an LSP `character` counts code units of the
//! negotiated encoding (UTF-8 bytes, UTF-16 units or UTF-32 scalar values) within its line.
//! Every lookup goes through the rope in O(log n). A column past the end of its line clamps to
//! the end of the line; a column inside a character snaps to that character's start.

use ropey::Rope;
use tower_lsp::lsp_types::{ClientCapabilities, Position, PositionEncodingKind, Range};

use crate::text::{line_content_end_char, TextRange};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// The LSP default, for clients that offer nothing else.
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }
}

/// Picks the encoding from what the client offers: UTF-8 or UTF-32 when offered (no
/// surrogate arithmetic), else UTF-16, which every client understands.
pub fn negotiate(capabilities: &ClientCapabilities) -> Encoding {
    let offered = capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_deref())
        .unwrap_or_default();
    if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if offered.contains(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

/// A position whose line is past the end of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfRange {
    pub line: u32,
    pub line_count: usize,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is past the end of the document ({} lines)",
            self.line, self.line_count
        )
    }
}

/// The char index of an LSP position.
///
/// The line just after the last one, at column 0, is the end of the document (some clients
/// address the end of the text that way); any other line past the end is an error.
pub fn char_index(
    rope: &Rope,
    position: Position,
    encoding: Encoding,
) -> Result<usize, OutOfRange> {
    let line = position.line as usize;
    let line_count = rope.len_lines();
    if line >= line_count {
        return if line == line_count && position.character == 0 {
            Ok(rope.len_chars())
        } else {
            Err(OutOfRange {
                line: position.line,
                line_count,
            })
        };
    }
    let start = rope.line_to_char(line);
    let end = line_content_end_char(rope, line);
    let column = position.character as usize;
    Ok(match encoding {
        Encoding::Utf32 => start + column.min(end - start),
        Encoding::Utf16 => {
            let start_unit = rope.char_to_utf16_cu(start);
            let end_unit = rope.char_to_utf16_cu(end);
            // Inside a surrogate pair this yields the pair's character: its start.
            rope.utf16_cu_to_char((start_unit + column).min(end_unit))
        }
        Encoding::Utf8 => {
            let start_byte = rope.char_to_byte(start);
            let end_byte = rope.char_to_byte(end);
            rope.byte_to_char((start_byte + column).min(end_byte))
        }
    })
}

/// The byte offset of an LSP position (see [`char_index`]).
pub fn offset(rope: &Rope, position: Position, encoding: Encoding) -> Result<usize, OutOfRange> {
    char_index(rope, position, encoding).map(|c| rope.char_to_byte(c))
}

/// The char range of an LSP range; a range whose end comes before its start is empty at its
/// start.
pub fn char_range(
    rope: &Rope,
    range: Range,
    encoding: Encoding,
) -> Result<std::ops::Range<usize>, OutOfRange> {
    let start = char_index(rope, range.start, encoding)?;
    let end = char_index(rope, range.end, encoding)?;
    Ok(start..end.max(start))
}

/// The byte range of an LSP range (see [`char_range`]).
pub fn byte_range(rope: &Rope, range: Range, encoding: Encoding) -> Result<TextRange, OutOfRange> {
    let chars = char_range(rope, range, encoding)?;
    Ok(TextRange::new(
        rope.char_to_byte(chars.start),
        rope.char_to_byte(chars.end),
    ))
}

/// The LSP position of a byte offset (clamped to the text; inside a character, its start).
pub fn position(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    position_within_chunk(rope, offset, encoding)
        .unwrap_or_else(|| position_by_lookups(rope, offset, encoding))
}

/// The common case in one lookup: the offset's line starts in the same chunk of the rope, so
/// its line is the chunk's first line plus the line breaks before the offset, and its column is
/// counted from the last of them.
fn position_within_chunk(rope: &Rope, offset: usize, encoding: Encoding) -> Option<Position> {
    let (chunk, chunk_byte, _, chunk_line) = rope.get_chunk_at_byte(offset)?;
    let prefix = chunk.get(..offset - chunk_byte)?;
    let bytes = prefix.as_bytes();
    let last_break = memchr::memrchr2(b'\n', b'\r', bytes)?;
    if bytes[last_break] == b'\r' && chunk.as_bytes().get(offset - chunk_byte) == Some(&b'\n') {
        return None; // inside a CRLF
    }
    let has_return = memchr::memchr(b'\r', bytes).is_some();
    let (breaks, _) = line_breaks(chunk.as_bytes(), 0..bytes.len(), has_return);
    let line = chunk_line + breaks;
    let column: usize = prefix[last_break + 1..]
        .chars()
        .map(|c| units(c, encoding))
        .sum();
    Some(Position::new(saturate(line), saturate(column)))
}

fn position_by_lookups(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    // On an ordinary line, counting the characters before the offset is cheaper than two more
    // lookups in the rope; a very long line uses the lookups.
    const SHORT_PREFIX: usize = 1024;
    if offset - line_start <= SHORT_PREFIX {
        if let Some(prefix) = rope.get_byte_slice(line_start..offset) {
            let column: usize = prefix.chars().map(|c| units(c, encoding)).sum();
            return Position::new(saturate(line), saturate(column));
        }
    }
    let char_idx = rope.byte_to_char(offset);
    let line_start = rope.line_to_char(line);
    let column = match encoding {
        Encoding::Utf32 => char_idx - line_start,
        Encoding::Utf16 => rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start),
        Encoding::Utf8 => rope.char_to_byte(char_idx) - rope.line_to_byte(line),
    };
    Position::new(saturate(line), saturate(column))
}

/// The LSP range of a byte range.
pub fn range(rope: &Rope, range: TextRange, encoding: Encoding) -> Range {
    let start = position(rope, range.start, encoding);
    Range::new(start, end_position(rope, start, range, encoding))
}

/// The position of `range`'s end, its start being at `start`.
fn end_position(rope: &Rope, start: Position, range: TextRange, encoding: Encoding) -> Position {
    // Most ranges (markers, labels, headings) are short, on one line and in one chunk of the
    // rope: count the end from the start instead of looking it up again.
    let clamped = TextRange::new(range.start, range.end.min(rope.len_bytes()));
    rope.get_chunk_at_byte(range.start)
        .and_then(|(chunk, chunk_start, _, _)| {
            end_on_the_same_line(chunk, chunk_start, start, clamped, encoding)
        })
        .unwrap_or_else(|| position(rope, range.end, encoding))
}

/// The position of `range`'s end when the range lies on one line within `chunk` (which starts
/// at byte `chunk_start`), its start being at `start`.
fn end_on_the_same_line(
    chunk: &str,
    chunk_start: usize,
    start: Position,
    range: TextRange,
    encoding: Encoding,
) -> Option<Position> {
    let text =
        chunk.get(range.start.checked_sub(chunk_start)?..range.end.checked_sub(chunk_start)?)?;
    if memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_some() {
        return None;
    }
    let units: usize = text.chars().map(|c| units(c, encoding)).sum();
    Some(Position::new(
        start.line,
        start.character.saturating_add(saturate(units)),
    ))
}

/// The line breaks in `bytes[span]`: every `\n`, and every `\r` not followed by `\n` (the byte
/// after the span counts, so a CRLF is one break); and where the line after the last one
/// starts. Without a `\r` (`has_return` false) the `\n` are counted, not iterated: in these
/// documents a line ends every few dozen bytes.
fn line_breaks(
    bytes: &[u8],
    span: std::ops::Range<usize>,
    has_return: bool,
) -> (usize, Option<usize>) {
    let start = span.start;
    let spanned = &bytes[span];
    if !has_return {
        return match memchr::memrchr(b'\n', spanned) {
            Some(last) => (
                memchr::memchr_iter(b'\n', spanned).count(),
                Some(start + last + 1),
            ),
            None => (0, None),
        };
    }
    let mut count = 0;
    let mut after_last = None;
    for at in memchr::memchr2_iter(b'\n', b'\r', spanned).map(|at| start + at) {
        if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            continue;
        }
        count += 1;
        after_last = Some(at + 1);
    }
    (count, after_last)
}

/// The LSP ranges of many byte ranges at once (in any order), in one walk over the rope's
/// chunks from the first to the last: after a large paste there can be thousands of problems,
/// and a tree lookup for each costs more than reading the text between them. Ends are counted
/// from their starts when on the same line (see [`range`]).
pub fn ranges(rope: &Rope, ranges: &[TextRange], encoding: Encoding) -> Vec<Range> {
    let starts: Vec<usize> = ranges.iter().map(|range| range.start).collect();
    let mut result = vec![Range::default(); ranges.len()];
    walk_to_each(rope, &starts, encoding, |i, start, walk| {
        let range = ranges[i];
        let end = walk
            .and_then(|walk| walk.end_on_the_same_line(start, range))
            .unwrap_or_else(|| end_position(rope, start, range, encoding));
        result[i] = Range::new(start, end);
    });
    result
}

/// Calls `found` with the index and position of each offset, in the offsets' order, and the
/// walk that found it (`None` for an offset looked up alone).
fn walk_to_each(
    rope: &Rope,
    offsets: &[usize],
    encoding: Encoding,
    mut found: impl FnMut(usize, Position, Option<&Walk>),
) {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let mut walk: Option<Walk> = None;
    for (k, &i) in order.iter().enumerate() {
        let offset = offsets[i].min(rope.len_bytes());
        if let Some(walk) = walk.as_mut().filter(|walk| walk.can_reach(offset)) {
            found(i, walk.position(offset), Some(walk));
            continue;
        }
        // A lone offset is looked up; a walk starts where the next offset is near.
        let next_is_near = order
            .get(k + 1)
            .is_some_and(|&next| offsets[next] - offsets[i] <= WALK_AHEAD_BYTES);
        if next_is_near {
            let walk = walk.insert(Walk::start(rope, offset, encoding));
            found(i, walk.position(offset), Some(walk));
        } else {
            found(i, position(rope, offset, encoding), None);
        }
    }
}

/// A walk forward through a rope's chunks, keeping the line number and where the line began.
struct Walk<'a> {
    rope: &'a Rope,
    encoding: Encoding,
    chunks: ropey::iter::Chunks<'a>,
    chunk: &'a str,
    chunk_start: usize,
    /// Whether the chunk holds a `\r` (else its line breaks are simply counted).
    chunk_has_return: bool,
    /// Bytes of the chunk read so far, and the line at that point.
    read: usize,
    line: usize,
    /// Where the current line starts in the chunk, or, if it started in an earlier chunk, its
    /// width before this chunk (found only when needed: most lines start in their chunk).
    line_start: LineStart,
}

enum LineStart {
    InChunk(usize),
    Before(Option<usize>),
}

/// Farther than this, a lookup in the rope is cheaper than reading up to the offset.
const WALK_AHEAD_BYTES: usize = 64 << 10;

impl<'a> Walk<'a> {
    fn start(rope: &'a Rope, offset: usize, encoding: Encoding) -> Walk<'a> {
        let (chunks, chunk_start, _, line) = rope.chunks_at_byte(offset);
        let mut walk = Walk {
            rope,
            encoding,
            chunks,
            chunk: "",
            chunk_has_return: false,
            chunk_start,
            read: 0,
            line,
            line_start: LineStart::Before(None),
        };
        let first = walk.chunks.next().unwrap_or("");
        walk.enter(first);
        walk
    }

    fn enter(&mut self, chunk: &'a str) {
        self.chunk = chunk;
        self.chunk_has_return = memchr::memchr(b'\r', chunk.as_bytes()).is_some();
    }

    fn can_reach(&self, offset: usize) -> bool {
        offset >= self.chunk_start + self.read && offset - self.chunk_start <= WALK_AHEAD_BYTES
    }

    fn position(&mut self, offset: usize) -> Position {
        // Move to the chunk holding the offset (the last chunk holds the end of the text).
        while offset >= self.chunk_start + self.chunk.len() {
            let Some(next) = self.chunks.next() else {
                break;
            };
            self.read_up_to(self.chunk.len());
            self.line_start = LineStart::Before(match self.line_start {
                LineStart::InChunk(start) => Some(self.width(&self.chunk[start..])),
                LineStart::Before(width) => width.map(|width| width + self.width(self.chunk)),
            });
            self.chunk_start += self.chunk.len();
            self.enter(next);
            self.read = 0;
        }
        let local = offset - self.chunk_start;
        self.read_up_to(local);
        let column = match self.line_start {
            LineStart::InChunk(start) => self.width(&self.chunk[start..local]),
            LineStart::Before(width) => {
                let width = width.unwrap_or_else(|| self.width_before_chunk());
                self.line_start = LineStart::Before(Some(width));
                width + self.width(&self.chunk[..local])
            }
        };
        Position::new(saturate(self.line), saturate(column))
    }

    /// Counts the line breaks in the chunk up to `end`: every `\n`, and every `\r` not
    /// followed by `\n` (ropey never splits a CRLF between chunks).
    fn read_up_to(&mut self, end: usize) {
        let (breaks, after_last) =
            line_breaks(self.chunk.as_bytes(), self.read..end, self.chunk_has_return);
        self.line += breaks;
        if let Some(line_start) = after_last {
            self.line_start = LineStart::InChunk(line_start);
        }
        self.read = end;
    }

    /// The position of `range`'s end when it lies on the line of its start, in the chunk the
    /// walk has just reached for that start (at `start`).
    fn end_on_the_same_line(&self, start: Position, range: TextRange) -> Option<Position> {
        end_on_the_same_line(self.chunk, self.chunk_start, start, range, self.encoding)
    }

    /// The width of the current line before the chunk, which it started before.
    fn width_before_chunk(&self) -> usize {
        let line_byte = self.rope.line_to_byte(self.line);
        let before = self.rope.byte_slice(line_byte..self.chunk_start);
        before.chars().map(|c| units(c, self.encoding)).sum()
    }

    fn width(&self, text: &str) -> usize {
        text.chars().map(|c| units(c, self.encoding)).sum()
    }
}

fn units(c: char, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The positions of many offsets at once, as [`ranges`] finds its starts.
    fn positions(rope: &Rope, offsets: &[usize], encoding: Encoding) -> Vec<Position> {
        let mut positions = vec![Position::default(); offsets.len()];
        walk_to_each(rope, offsets, encoding, |i, position, _| {
            positions[i] = position
        });
        positions
    }

    const ALL: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

    #[test]
    fn many_positions_far_apart_and_in_any_order() {
        let text = "正文〔1〕\r\n𠮷\r".repeat(20_000);
        let rope = Rope::from_str(&text);
        let offsets: Vec<usize> = (0..text.len())
            .rev()
            .step_by(10_007)
            .map(|mut at| {
                while !text.is_char_boundary(at) {
                    at -= 1
                }
                at
            })
            .collect();
        for encoding in ALL {
            let one_by_one: Vec<Position> = offsets
                .iter()
                .map(|&at| position(&rope, at, encoding))
                .collect();
            assert_eq!(positions(&rope, &offsets, encoding), one_by_one);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        #[test]
        fn many_positions_at_once_are_the_positions_one_by_one(
            lines in proptest::collection::vec("(正文|𠮷|a|〔1〕|\\r\\n|\\r|\\n){0,40}", 1..150),
            picks in proptest::collection::vec(0.0..=1.0f64, 0..200),
        ) {
            // Several thousand bytes: a rope of many chunks.
            let text = lines.concat();
            let rope = Rope::from_str(&text);
            let offsets: Vec<usize> = picks
                .iter()
                .map(|f| (text.len() as f64 * f) as usize)
                .map(|mut at| { while !text.is_char_boundary(at) { at -= 1 } at })
                .chain([text.len(), text.len() + 5])
                .collect();
            let text_ranges: Vec<TextRange> = offsets
                .windows(2)
                .map(|pair| TextRange::new(pair[0].min(pair[1]), pair[0].max(pair[1])))
                .collect();
            for encoding in ALL {
                let one_by_one: Vec<Position> =
                    offsets.iter().map(|&at| position(&rope, at, encoding)).collect();
                proptest::prop_assert_eq!(positions(&rope, &offsets, encoding), one_by_one);
                let one_by_one: Vec<Range> =
                    text_ranges.iter().map(|&r| range(&rope, r, encoding)).collect();
                proptest::prop_assert_eq!(ranges(&rope, &text_ranges, encoding), one_by_one);
            }
        }
    }

    /// Columns of the `〔` in "𠮷😀a〔1〕", by encoding.
    fn marker_column(encoding: Encoding) -> u32 {
        match encoding {
            Encoding::Utf8 => 4 + 4 + 1,
            Encoding::Utf16 => 2 + 2 + 1,
            Encoding::Utf32 => 3,
        }
    }

    #[test]
    fn wide_characters_before_a_marker_in_every_encoding() {
        let text = "首行\n𠮷😀a〔1〕";
        let rope = Rope::from_str(text);
        let marker = text.find('〔').unwrap();
        for encoding in ALL {
            let expected = Position::new(1, marker_column(encoding));
            assert_eq!(position(&rope, marker, encoding), expected, "{encoding:?}");
            assert_eq!(
                offset(&rope, expected, encoding),
                Ok(marker),
                "{encoding:?}"
            );
        }
    }

    #[test]
    fn a_column_inside_a_character_snaps_to_its_start() {
        let rope = Rope::from_str("𠮷x");
        // UTF-16: the middle of the surrogate pair; UTF-8: each continuation byte.
        assert_eq!(offset(&rope, Position::new(0, 1), Encoding::Utf16), Ok(0));
        for column in 1..4 {
            assert_eq!(
                offset(&rope, Position::new(0, column), Encoding::Utf8),
                Ok(0)
            );
        }
        assert_eq!(offset(&rope, Position::new(0, 2), Encoding::Utf16), Ok(4));
    }

    #[test]
    fn a_column_past_the_line_end_clamps_before_the_line_break() {
        for text in ["ab\nc", "ab\r\nc", "ab\rc"] {
            let rope = Rope::from_str(text);
            for encoding in ALL {
                assert_eq!(
                    offset(&rope, Position::new(0, 99), encoding),
                    Ok(2),
                    "{text:?}"
                );
                assert_eq!(
                    offset(&rope, Position::new(1, 99), encoding),
                    Ok(text.len())
                );
            }
        }
    }

    #[test]
    fn lines_past_the_end() {
        let rope = Rope::from_str("ab\n");
        assert_eq!(offset(&rope, Position::new(1, 0), Encoding::Utf16), Ok(3));
        // The line after the last, column 0: the end of the text.
        assert_eq!(offset(&rope, Position::new(2, 0), Encoding::Utf16), Ok(3));
        assert!(offset(&rope, Position::new(2, 1), Encoding::Utf16).is_err());
        assert!(offset(&rope, Position::new(u32::MAX, 0), Encoding::Utf16).is_err());
    }

    #[test]
    fn crlf_and_lone_cr_break_lines() {
        let text = "甲\r\n乙\r丙\n丁";
        let rope = Rope::from_str(text);
        for (needle, line) in [("乙", 1), ("丙", 2), ("丁", 3)] {
            let at = text.find(needle).unwrap();
            for encoding in ALL {
                assert_eq!(position(&rope, at, encoding), Position::new(line, 0));
            }
        }
        // Just before the \r\n, and the \n inside it.
        let cr = text.find('\r').unwrap();
        assert_eq!(position(&rope, cr, Encoding::Utf8), Position::new(0, 3));
    }

    #[test]
    fn unicode_separators_are_not_line_breaks() {
        let rope = Rope::from_str("a\u{2028}b\u{85}c");
        assert_eq!(
            position(&rope, "a\u{2028}b\u{85}".len(), Encoding::Utf16),
            Position::new(0, 4)
        );
    }

    #[test]
    fn ranges_on_one_line_and_across_lines_agree_with_positions() {
        let text = "甲𠮷〔1〕😀\r\n乙〔23〕\r丙";
        let rope = Rope::from_str(text);
        let all_ranges = (0..=text.len())
            .filter(|&s| text.is_char_boundary(s))
            .flat_map(|s| {
                (s..=text.len())
                    .filter(|&e| text.is_char_boundary(e))
                    .map(move |e| (s, e))
            });
        for (start, end) in all_ranges {
            for encoding in ALL {
                let expected = Range::new(
                    position(&rope, start, encoding),
                    position(&rope, end, encoding),
                );
                assert_eq!(
                    range(&rope, TextRange::new(start, end), encoding),
                    expected,
                    "{start}..{end} {encoding:?}"
                );
            }
        }
    }

    #[test]
    fn positions_on_a_very_long_line() {
        let text = format!("{}𠮷〔1〕", "字".repeat(5000));
        let rope = Rope::from_str(&text);
        let marker = text.find('〔').unwrap();
        assert_eq!(
            position(&rope, marker, Encoding::Utf16),
            Position::new(0, 5002)
        );
        assert_eq!(
            position(&rope, marker, Encoding::Utf8),
            Position::new(0, 15004)
        );
        assert_eq!(
            position(&rope, marker, Encoding::Utf32),
            Position::new(0, 5001)
        );
        // Inside a character: its start.
        assert_eq!(
            position(&rope, marker - 1, Encoding::Utf32),
            Position::new(0, 5000)
        );
        assert_eq!(position(&rope, 1, Encoding::Utf32), Position::new(0, 0));
    }

    #[test]
    fn chunk_counting_agrees_with_lookups_everywhere() {
        // Long enough for many rope chunks, with every kind of line break and wide characters
        // on both sides of chunk boundaries.
        let piece = "甲𠮷〔1〕😀\r\n乙〔23〕\r丙ab\n\n丁\r\r\n";
        let text = piece.repeat(400);
        let rope = Rope::from_str(&text);
        assert!(rope.chunks().count() > 10);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            for encoding in ALL {
                assert_eq!(
                    position(&rope, offset, encoding),
                    position_by_lookups(&rope, offset, encoding),
                    "{offset} {encoding:?}"
                );
            }
        }
    }

    #[test]
    fn negotiation_prefers_utf8_then_utf32_then_utf16() {
        use tower_lsp::lsp_types::GeneralClientCapabilities;
        let offering = |kinds: Vec<PositionEncodingKind>| ClientCapabilities {
            general: Some(GeneralClientCapabilities {
                position_encodings: Some(kinds),
                ..Default::default()
            }),
            ..Default::default()
        };
        use PositionEncodingKind as K;
        assert_eq!(negotiate(&ClientCapabilities::default()), Encoding::Utf16);
        assert_eq!(negotiate(&offering(vec![K::UTF16])), Encoding::Utf16);
        assert_eq!(
            negotiate(&offering(vec![K::UTF16, K::UTF32])),
            Encoding::Utf32
        );
        assert_eq!(
            negotiate(&offering(vec![K::UTF32, K::UTF8])),
            Encoding::Utf8
        );
    }
}
