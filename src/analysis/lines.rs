//! Splitting text into lines (`\n`, `\r\n`, `\r`: the LSP line breaks, nothing else) and
//! joining PDF-wrapped lines back together.

use super::headings::is_space;

/// One line: `start..end` is its content, without the line break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineSpan {
    pub start: usize,
    pub end: usize,
}

/// The lines of `text`. A text ending with a line break has an empty last line, as in LSP.
pub fn line_spans(text: &str) -> impl Iterator<Item = LineSpan> + '_ {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        // Blank lines are half the lines of PDF text: skip the search for them.
        let found = match bytes.get(start) {
            Some(b'\n' | b'\r') => Some(0),
            _ => memchr::memchr2(b'\n', b'\r', &bytes[start..]),
        };
        match found {
            Some(i) => {
                let end = start + i;
                let crlf = bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n');
                let span = LineSpan { start, end };
                start = end + if crlf { 2 } else { 1 };
                Some(span)
            }
            None => {
                done = true;
                Some(LineSpan {
                    start,
                    end: bytes.len(),
                })
            }
        }
    })
}

/// Joins lines the way the printed text reads: CJK lines without a space, Latin words with
/// one; blank lines and the spaces around each line are dropped.
pub fn join_lines(text: &str) -> String {
    let mut joined = String::with_capacity(text.len());
    for span in line_spans(text) {
        let line = text[span.start..span.end].trim_matches(is_space);
        if line.is_empty() {
            continue;
        }
        push_joined(&mut joined, line);
    }
    joined
}

/// Appends `next` to `joined` as a continuation line.
pub fn push_joined(joined: &mut String, next: &str) {
    let needs_space = matches!(
        (joined.chars().next_back(), next.chars().next()),
        (Some(a), Some(b)) if joins_with_space(a, b)
    );
    if needs_space {
        joined.push(' ');
    }
    joined.push_str(next);
}

/// Whether a line ending with `before` continues with a space before a line starting with
/// `after`: both visible characters of Latin text (letters with accents, digits, punctuation,
/// `*`…), not CJK ones, which are written without spaces.
pub fn joins_with_space(before: char, after: char) -> bool {
    let latin = |c: char| !c.is_whitespace() && (c as u32) < 0x2e80;
    latin(before) && latin(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        line_spans(text).map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn splits_on_lsp_line_breaks_only() {
        assert_eq!(spans("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(spans("a\n"), ["a", ""]);
        assert_eq!(spans(""), [""]);
        assert_eq!(spans("\r\r\n"), ["", "", ""]);
        assert_eq!(spans("a\u{2028}b\u{85}c"), ["a\u{2028}b\u{85}c"]);
    }

    #[test]
    fn joins_cjk_without_space_and_latin_with_one() {
        assert_eq!(join_lines("日韓關係\n\n 改善"), "日韓關係改善");
        assert_eq!(join_lines("hold \n\nanother joint"), "hold another joint");
        assert_eq!(join_lines("日本\r\nJapan"), "日本Japan");
        assert_eq!(
            join_lines("Smith, *Notes*\n\nand more"),
            "Smith, *Notes* and more"
        );
        assert_eq!(join_lines("café\nnoir"), "café noir");
        assert_eq!(join_lines("見\nhttps://a.b/"), "見https://a.b/");
    }
}
