//! The document text and its line index.
//!
//! Core positions are byte offsets into the UTF-8 text. The rope (ropey, built without
//! `unicode_lines` so that only `\n`, `\r\n` and `\r` break lines, as in LSP) is the line index:
//! every lookup below is O(log n).

use ropey::Rope;

/// A half-open byte range `start..end` into a document's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextRange {
    pub start: usize,
    pub end: usize,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> TextRange {
        debug_assert!(start <= end, "inverted range {start}..{end}");
        TextRange { start, end }
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` lies inside the range or on its end (a cursor just after a marker is
    /// still "on" it, as editors place the caret between characters).
    pub fn touches(self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The range `by` bytes further on: from offsets in a piece of the text to offsets in
    /// the whole text, when the piece starts at `by`.
    pub fn shifted(self, by: usize) -> TextRange {
        TextRange::new(self.start + by, self.end + by)
    }
}

/// A zero-based line and a zero-based column counted in Unicode scalar values (characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

/// The line and character column of a byte offset (clamped to the end of the text; an offset
/// inside a multi-byte character counts as that character).
pub fn line_col(rope: &Rope, byte: usize) -> LineCol {
    let byte = byte.min(rope.len_bytes());
    let char_idx = rope.byte_to_char(byte);
    let line = rope.char_to_line(char_idx);
    LineCol {
        line,
        col: char_idx - rope.line_to_char(line),
    }
}

/// Char index where line `line`'s content ends (before its line break).
pub fn line_content_end_char(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let len = slice.len_chars();
    let break_len = match (
        len.checked_sub(2).map(|i| slice.char(i)),
        len.checked_sub(1).map(|i| slice.char(i)),
    ) {
        (Some('\r'), Some('\n')) => 2,
        (_, Some('\n' | '\r')) => 1,
        _ => 0,
    };
    rope.line_to_char(line) + len - break_len
}

/// Replaces the characters `chars` of the rope with `new_text`.
///
/// The caller has already clamped `chars` to the rope (the protocol layer does it while
/// converting positions), so this never panics on a valid range.
pub fn replace(rope: &mut Rope, chars: std::ops::Range<usize>, new_text: &str) {
    debug_assert!(chars.start <= chars.end && chars.end <= rope.len_chars());
    if chars.start < chars.end {
        rope.remove(chars.clone());
    }
    if !new_text.is_empty() {
        rope.insert(chars.start, new_text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let rope = Rope::from_str("𠮷a\r\nb\rc〔1〕");
        assert_eq!(line_col(&rope, 0), LineCol { line: 0, col: 0 });
        assert_eq!(line_col(&rope, 4), LineCol { line: 0, col: 1 });
        assert_eq!(line_col(&rope, 7), LineCol { line: 1, col: 0 });
        // after the lone CR
        assert_eq!(line_col(&rope, 9), LineCol { line: 2, col: 0 });
        assert_eq!(line_col(&rope, 10), LineCol { line: 2, col: 1 });
        // past the end clamps
        assert_eq!(line_col(&rope, 1000), LineCol { line: 2, col: 4 });
    }

    #[test]
    fn only_lsp_line_breaks_count() {
        // U+2028, NEL, VT and FF are not line breaks in LSP.
        let rope = Rope::from_str("a\u{2028}b\u{85}c\u{b}d\u{c}e\nf");
        assert_eq!(rope.len_lines(), 2);
        assert_eq!(line_content_end_char(&rope, 0), 9);
    }

    #[test]
    fn line_content_end_excludes_each_kind_of_break() {
        let rope = Rope::from_str("ab\r\ncd\ref\ngh");
        assert_eq!(line_content_end_char(&rope, 0), 2);
        assert_eq!(line_content_end_char(&rope, 1), 6);
        assert_eq!(line_content_end_char(&rope, 2), 9);
        assert_eq!(line_content_end_char(&rope, 3), 12);
    }
}
