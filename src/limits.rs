//! How large a document and its lines may be. A text over either limit is refused whole (not
//! read, not analysed) with a message saying which limit and how to raise it: a server that
//! stays up and says why beats one that swaps or answers each request in seconds.

use std::fmt;

use ropey::Rope;

/// The limits, from the settings `maxDocumentBytes` and `maxLineBytes` (0 there: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub document_bytes: usize,
    pub line_bytes: usize,
}

impl Default for Limits {
    /// 128 MB a document (a long book is under 10 MB); 16 MB a line: a whole book extracted
    /// without line breaks is served, a minified data file mistaken for text is not.
    fn default() -> Limits {
        Limits {
            document_bytes: 128 << 20,
            line_bytes: 16 << 20,
        }
    }
}

/// Why a text is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TooLarge {
    Document {
        bytes: usize,
        limit: usize,
    },
    /// `line` counts from 0.
    Line {
        line: usize,
        bytes: usize,
        limit: usize,
    },
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TooLarge::Document { bytes, limit } => write!(
                f,
                "the document is {}, over the limit of {} (setting marginalia.maxDocumentBytes, 0 for none)",
                size(bytes),
                size(limit)
            ),
            TooLarge::Line { line, bytes, limit } => write!(
                f,
                "line {} is {} long, over the limit of {} a line (setting marginalia.maxLineBytes, 0 for none)",
                line + 1,
                size(bytes),
                size(limit)
            ),
        }
    }
}

/// A size as people read it: bytes under a kilobyte, else KB or MB with one decimal.
fn size(bytes: usize) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

impl Limits {
    /// Whether a file of `bytes` may be read at all (checked before reading it).
    pub fn check_size(&self, bytes: u64) -> Result<(), TooLarge> {
        let limit = self.document_bytes;
        if limit > 0 && bytes > limit as u64 {
            let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
            return Err(TooLarge::Document { bytes, limit });
        }
        Ok(())
    }

    /// Whether the whole of `text` is within the limits.
    pub fn check(&self, text: &Rope) -> Result<(), TooLarge> {
        self.check_size(text.len_bytes() as u64)?;
        self.check_lines(text, 0..text.len_lines())
    }

    /// [`Limits::check`] on a text not yet in a rope (read before it is analysed).
    pub fn check_text(&self, text: &str) -> Result<(), TooLarge> {
        self.check_size(text.len() as u64)?;
        self.line_within_limit(longest_line(std::iter::once(text)), 0)
    }

    /// Whether `text` is within the limits after `inserted` was put at char `start`: its size,
    /// and the lines the inserted text spans (the others were within them before). Cheap on
    /// a keystroke: a few tree walks, nothing read.
    pub fn check_edit(&self, text: &Rope, start: usize, inserted: &str) -> Result<(), TooLarge> {
        self.check_size(text.len_bytes() as u64)?;
        let from = text.char_to_byte(start.min(text.len_chars()));
        let to = (from + inserted.len()).min(text.len_bytes());
        self.check_lines(text, text.byte_to_line(from)..text.byte_to_line(to) + 1)
    }

    /// Whether lines `lines` of `text` (line numbers, clamped to the text) are within the
    /// line limit: after an edit, only the lines it touched need a look.
    pub fn check_lines(&self, text: &Rope, lines: std::ops::Range<usize>) -> Result<(), TooLarge> {
        let limit = self.line_bytes;
        let last = text.len_lines();
        let (first, end) = (lines.start.min(last), lines.end.min(last));
        // A text shorter than the limit has no line over it.
        if limit == 0 || first >= end || text.len_bytes() <= limit {
            return Ok(());
        }
        let start = text.line_to_char(first);
        let stop = if end >= last {
            text.len_chars()
        } else {
            text.line_to_char(end)
        };
        self.line_within_limit(longest_line(text.slice(start..stop).chunks()), first)
    }

    /// Whether `longest`, counted from line `first`, is within the line limit.
    fn line_within_limit(&self, longest: (usize, usize), first: usize) -> Result<(), TooLarge> {
        let (line, bytes) = longest;
        let limit = self.line_bytes;
        if limit > 0 && bytes > limit {
            return Err(TooLarge::Line {
                line: first + line,
                bytes,
                limit,
            });
        }
        Ok(())
    }
}

/// The longest line of the text in `chunks` (its index and its length in bytes, without the
/// line break), found by scanning for line breaks chunk by chunk: linear at memchr's speed,
/// where asking a rope for each line would cost a tree walk per line.
fn longest_line<'a>(chunks: impl Iterator<Item = &'a str>) -> (usize, usize) {
    let mut longest = (0, 0);
    let (mut line, mut length) = (0, 0);
    // A `\r` that ended the last chunk: a `\n` starting the next is part of the same break.
    let mut after_cr = false;
    let end_line = |line: usize, length: usize, longest: &mut (usize, usize)| {
        if length > longest.1 {
            *longest = (line, length);
        }
    };
    for chunk in chunks {
        let bytes = chunk.as_bytes();
        let mut at = 0;
        if after_cr && bytes.first() == Some(&b'\n') {
            at = 1;
        }
        after_cr = false;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[at..]) {
            let brk = at + found;
            end_line(line, length + found, &mut longest);
            line += 1;
            length = 0;
            at = brk + 1;
            if bytes[brk] == b'\r' {
                match bytes.get(at) {
                    Some(b'\n') => at += 1,
                    None => after_cr = true,
                    Some(_) => {}
                }
            }
        }
        length += bytes.len() - at;
    }
    end_line(line, length, &mut longest);
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(document_bytes: usize, line_bytes: usize) -> Limits {
        Limits {
            document_bytes,
            line_bytes,
        }
    }

    #[test]
    fn the_longest_line_is_found_across_every_kind_of_line_break() {
        let longest = |text: &str| {
            let in_one_piece = longest_line(std::iter::once(text));
            assert_eq!(longest_line(Rope::from_str(text).chunks()), in_one_piece);
            in_one_piece
        };
        assert_eq!(longest(""), (0, 0));
        assert_eq!(longest("ab\r\nabcd\rabc\n"), (1, 4));
        assert_eq!(longest("甲乙\n𠮷"), (0, 6));
        // Lines across the rope's chunks, and a `\r\n` split between two of them.
        let text = format!("{}\r\n{}\n短", "長".repeat(3000), "x".repeat(9500));
        assert_eq!(longest(&text), (1, 9500));
        for cut in [1000, 1023, 1024, 1025] {
            let text = format!("{}\r\n{}", "a".repeat(cut), "b".repeat(cut + 1));
            let mut rope = Rope::new();
            rope.insert(0, &text[cut..]);
            rope.insert(0, &text[..cut]);
            assert_eq!(longest_line(rope.chunks()), (1, cut + 1), "{cut}");
            assert_eq!(rope.len_lines(), 2);
        }
    }

    #[test]
    fn a_text_over_either_limit_is_refused_and_says_which() {
        let text = Rope::from_str("一、甲\n正文正文〔1〕\n註釋：\n");
        assert_eq!(limits(1000, 1000).check(&text), Ok(()));
        assert_eq!(
            limits(0, 16).check_text(&text.to_string()),
            limits(0, 16).check(&text)
        );
        assert_eq!(limits(0, 0).check(&text), Ok(()), "0: no limit");
        let over = limits(10, 0).check(&text).unwrap_err();
        assert_eq!(
            over,
            TooLarge::Document {
                bytes: 40,
                limit: 10
            }
        );
        assert_eq!(
            over.to_string(),
            "the document is 40 bytes, over the limit of 10 bytes (setting marginalia.maxDocumentBytes, 0 for none)"
        );
        let over = limits(0, 16).check(&text).unwrap_err();
        assert_eq!(
            over,
            TooLarge::Line {
                line: 1,
                bytes: 19,
                limit: 16
            }
        );
        assert!(over.to_string().starts_with("line 2 is 19 bytes long"));
        // Only the lines asked about are looked at.
        assert_eq!(limits(0, 16).check_lines(&text, 2..9), Ok(()));
        assert!(limits(0, 16).check_lines(&text, 1..2).is_err());
        // After an edit, the lines the inserted text spans: `〔1〕` ends on line 1.
        assert!(limits(0, 16).check_edit(&text, 10, "〔1〕").is_err());
        assert_eq!(limits(0, 16).check_edit(&text, 27, "註"), Ok(()));
        assert_eq!(
            TooLarge::Document { bytes: 200 << 20, limit: 128 << 20 }.to_string(),
            "the document is 200.0 MB, over the limit of 128.0 MB (setting marginalia.maxDocumentBytes, 0 for none)"
        );
    }
}
