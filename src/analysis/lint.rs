//! Checks of the text's form, paragraph by paragraph: the scars PDF extraction leaves (a stray
//! space at a page break, printed lines never joined into paragraphs, URLs broken across
//! lines) and CJK typography (paired punctuation left open, half-width punctuation between CJK
//! characters).
//!
//! Each paragraph's problems depend on that paragraph alone (see `paragraphs.rs`), so after an
//! edit only the paragraphs around it are checked again ([`Lints::edited`], [`Lints::refresh`]);
//! the result is always that of checking the whole text (`tests/incremental.rs`).

use ropey::Rope;

use super::paragraphs::{is_cjk, paragraphs, region_around, Layout, Paragraph};
use super::urls::links;
use super::{Problem, ProblemKind};
use crate::text::TextRange;

/// Paired punctuation checked for balance: opening, closing.
pub const PAIRS: [(char, char); 9] = [
    ('“', '”'),
    ('‘', '’'),
    ('「', '」'),
    ('『', '』'),
    ('《', '》'),
    ('〈', '〉'),
    ('（', '）'),
    ('〔', '〕'),
    ('【', '】'),
];

/// Half-width punctuation and the full-width form that belongs between CJK characters (`(`
/// stands for a pair of parentheses, or an opening one left alone).
pub const HALF_WIDTH: [(char, char); 6] = [
    (',', '，'),
    (';', '；'),
    (':', '：'),
    ('?', '？'),
    ('!', '！'),
    ('(', '（'),
];

/// The messages of an opening mark of `PAIRS` never closed, in the same order.
pub const UNCLOSED: [&str; PAIRS.len()] = [
    "“ is never closed: no ” after it in this paragraph",
    "‘ is never closed: no ’ after it in this paragraph",
    "「 is never closed: no 」 after it in this paragraph",
    "『 is never closed: no 』 after it in this paragraph",
    "《 is never closed: no 》 after it in this paragraph",
    "〈 is never closed: no 〉 after it in this paragraph",
    "（ is never closed: no ） after it in this paragraph",
    "〔 is never closed: no 〕 after it in this paragraph",
    "【 is never closed: no 】 after it in this paragraph",
];

/// The messages of a closing mark of `PAIRS` that closes nothing, in the same order.
pub const UNOPENED: [&str; PAIRS.len()] = [
    "” closes nothing: no “ before it in this paragraph",
    "’ closes nothing: no ‘ before it in this paragraph",
    "」 closes nothing: no 「 before it in this paragraph",
    "』 closes nothing: no 『 before it in this paragraph",
    "》 closes nothing: no 《 before it in this paragraph",
    "〉 closes nothing: no 〈 before it in this paragraph",
    "） closes nothing: no （ before it in this paragraph",
    "〕 closes nothing: no 〔 before it in this paragraph",
    "】 closes nothing: no 【 before it in this paragraph",
];

/// The messages of the marks of `HALF_WIDTH`, in the same order.
pub const HALF_WIDTH_MESSAGES: [&str; HALF_WIDTH.len()] = [
    "half-width , between CJK characters: write ，",
    "half-width ; between CJK characters: write ；",
    "half-width : between CJK characters: write ：",
    "half-width ? between CJK characters: write ？",
    "half-width ! between CJK characters: write ！",
    "half-width parentheses after CJK text: write （…）",
];

/// The titles of the quick fixes of the marks of `HALF_WIDTH`, in the same order.
pub const HALF_WIDTH_FIXES: [&str; HALF_WIDTH.len()] = [
    "Write ， (full width)",
    "Write ； (full width)",
    "Write ： (full width)",
    "Write ？ (full width)",
    "Write ！ (full width)",
    "Write （…） (full width)",
];

/// The form problems of a document, kept up to date edit by edit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lints {
    /// Sorted by start.
    problems: Vec<Problem>,
    layout: Option<Layout>,
    /// The bytes edited since the last refresh (in the current text), to be checked again.
    dirty: Option<TextRange>,
}

impl Lints {
    /// Checks the whole of `text`.
    pub fn new(text: &str, layout: Layout) -> Lints {
        Lints {
            problems: check(text, 0, layout),
            layout: Some(layout),
            dirty: None,
        }
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The layout the paragraphs were found with.
    pub fn layout(&self) -> Layout {
        self.layout.unwrap_or_default()
    }

    fn is_current(&self, layout: Layout) -> bool {
        self.dirty.is_none() && self.layout == Some(layout)
    }

    /// Records that bytes `start..old_end` were replaced by `start..new_end`: problems after
    /// the edit move with the text, problems it touched are dropped until the refresh.
    pub fn edited(&mut self, start: usize, old_end: usize, new_end: usize) {
        let moved = |offset: usize| {
            if offset <= start {
                offset
            } else if offset >= old_end {
                offset - old_end + new_end
            } else {
                new_end
            }
        };
        self.problems
            .retain(|p| p.range.end < start || p.range.start > old_end);
        let first = self.problems.partition_point(|p| p.range.end < start);
        for problem in &mut self.problems[first..] {
            problem.range = TextRange::new(moved(problem.range.start), moved(problem.range.end));
        }
        let dirty = match self.dirty {
            Some(d) => TextRange::new(moved(d.start).min(start), moved(d.end).max(new_end)),
            None => TextRange::new(start, new_end),
        };
        self.dirty = Some(dirty);
    }

    /// Checks again the paragraphs the edits since the last refresh touched (all of them when
    /// the printed width changed).
    pub fn refresh(&mut self, rope: &Rope, layout: Layout) {
        if self.is_current(layout) {
            return;
        }
        if self.layout != Some(layout) {
            *self = Lints::new(&rope.to_string(), layout);
            return;
        }
        let Some(dirty) = self.dirty.take() else {
            return;
        };
        let region = region_around(rope, dirty.start, dirty.end, layout);
        let text = rope.byte_slice(region.start..region.end).to_string();
        let fresh = check(&text, region.start, layout);
        let first = self
            .problems
            .partition_point(|p| p.range.start < region.start);
        let after = self
            .problems
            .partition_point(|p| p.range.start < region.end);
        self.problems.splice(first..after, fresh);
    }
}

/// The problems of `text`, which starts at byte `base` of the document at a line start.
fn check(text: &str, base: usize, layout: Layout) -> Vec<Problem> {
    let mut problems = Vec::new();
    for paragraph in paragraphs(text, base, layout) {
        let first = problems.len();
        check_paragraph(text, base, &paragraph, &mut problems);
        problems[first..].sort_by_key(|p: &Problem| p.range.start);
    }
    problems
}

fn check_paragraph(text: &str, base: usize, paragraph: &Paragraph, out: &mut Vec<Problem>) {
    let range = paragraph.range();
    if paragraph.is_wrapped() && paragraph.blank_gaps {
        let lines = u32::try_from(paragraph.lines.len()).unwrap_or(u32::MAX);
        out.push(Problem::new(ProblemKind::HardWrap { lines }, range));
    }
    for line in &paragraph.lines {
        let lead = &text[line.start - base..line.content.start - base];
        if lead.starts_with(' ') && lead.bytes().all(|b| b == b' ') {
            let spaces = TextRange::new(line.start, line.content.start);
            out.push(Problem::new(ProblemKind::PageBreakSpace, spaces));
        }
    }
    let body = &text[range.start - base..range.end - base];
    let urls: Vec<TextRange> = links(body)
        .into_iter()
        .map(|link| {
            let written = &body[link.range.start..link.range.end];
            let at = TextRange::new(range.start + link.range.start, range.start + link.range.end);
            if written != link.target {
                out.push(Problem::new(ProblemKind::BrokenUrl, at));
            }
            at
        })
        .collect();
    let outside_urls = |offset: usize| !urls.iter().any(|url| url.contains(offset));
    half_width_punctuation(body, range.start, &outside_urls, out);
    unbalanced_pairs(body, range.start, &outside_urls, out);
}

/// `,` `;` `:` `?` `!` between CJK characters, and `(…)` opened right after CJK text; the
/// problem's range takes the spaces between the mark and its CJK neighbours, which go with the
/// fix.
fn half_width_punctuation(
    body: &str,
    base: usize,
    outside_urls: &dyn Fn(usize) -> bool,
    out: &mut Vec<Problem>,
) {
    let cjk = |c: Option<char>| c.is_some_and(|c| is_cjk(c) || matches!(c, '“' | '”'));
    let mark_of = |c: char| {
        let mark = HALF_WIDTH
            .iter()
            .position(|&(half, _)| half == c)
            .unwrap_or(0);
        ProblemKind::HalfWidthPunctuation {
            mark: u8::try_from(mark).unwrap_or(0),
        }
    };
    let mut push = |kind: ProblemKind, start: usize, end: usize| {
        out.push(Problem::new(kind, TextRange::new(base + start, base + end)));
    };
    // The open parentheses: where each starts (with the spaces before it) and whether it
    // follows CJK text, which makes the pair one problem from `(` to `)`.
    let mut parens: Vec<(usize, bool)> = Vec::new();
    for (at, byte) in body.bytes().enumerate() {
        if !matches!(byte, b',' | b';' | b':' | b'?' | b'!' | b'(' | b')')
            || !outside_urls(base + at)
        {
            continue;
        }
        let (before_gap, before) = neighbour(body[..at].chars().rev());
        let (after_gap, after) = neighbour(body[at + 1..].chars());
        match byte {
            b'(' => parens.push((at - before_gap, cjk(before))),
            b')' => {
                if let Some((start, true)) = parens.pop() {
                    let gap = if cjk(after) { after_gap } else { 0 };
                    push(mark_of('('), start, at + 1 + gap);
                }
            }
            _ if cjk(before) && cjk(after) => {
                push(
                    mark_of(char::from(byte)),
                    at - before_gap,
                    at + 1 + after_gap,
                );
            }
            _ => {}
        }
    }
    // An opening one never closed: the `(` alone.
    for (start, after_cjk) in parens {
        if after_cjk {
            let at = start + body[start..].find('(').unwrap_or(0);
            push(mark_of('('), start, at + 1);
        }
    }
    out.sort_by_key(|p| p.range.start);
}

/// The first character that is not an ASCII space or a line break, and how many bytes of
/// spaces on the same line come before it (spaces across a line break are not the fix's).
fn neighbour(mut chars: impl Iterator<Item = char>) -> (usize, Option<char>) {
    let mut spaces = 0;
    let mut same_line = true;
    for c in chars.by_ref() {
        match c {
            ' ' if same_line => spaces += 1,
            ' ' => {}
            '\n' | '\r' => same_line = false,
            _ => return (spaces, Some(c)),
        }
    }
    (spaces, None)
}

/// Each opening mark without its closing one in the paragraph, and each closing mark without
/// its opening one.
fn unbalanced_pairs(
    body: &str,
    base: usize,
    outside_urls: &dyn Fn(usize) -> bool,
    out: &mut Vec<Problem>,
) {
    let mut open: [Vec<usize>; PAIRS.len()] = Default::default();
    let mut previous = None;
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next = chars.peek().map(|&(_, c)| c);
        let before = previous.replace(c);
        if !(c as u32 >= 0x2018 && outside_urls(base + at)) {
            continue;
        }
        // An apostrophe (don’t) is not a closing quote.
        let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
        if c == '’' && latin(before) && latin(next) {
            continue;
        }
        let range = TextRange::new(base + at, base + at + c.len_utf8());
        if let Some(pair) = PAIRS.iter().position(|&(o, _)| o == c) {
            open[pair].push(range.start);
        } else if let Some(pair) = PAIRS.iter().position(|&(_, close)| close == c) {
            if open[pair].pop().is_none() {
                let pair = u8::try_from(pair).unwrap_or(0);
                out.push(Problem::new(ProblemKind::Unopened { pair }, range));
            }
        }
    }
    for (pair, starts) in open.iter().enumerate() {
        let (opening, _) = PAIRS[pair];
        for &start in starts {
            let range = TextRange::new(start, start + opening.len_utf8());
            let pair = u8::try_from(pair).unwrap_or(0);
            out.push(Problem::new(ProblemKind::Unclosed { pair }, range));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check_text(text: &str, expect: Expect) {
        let layout = Layout { printed_width: 20 };
        let rendered: Vec<String> = Lints::new(text, layout)
            .problems()
            .iter()
            .map(|p| {
                format!(
                    "{} {:?} {}",
                    p.code().as_str(),
                    &text[p.range.start..p.range.end],
                    p.message()
                )
            })
            .collect();
        expect.assert_eq(&rendered.join("\n"));
    }

    #[test]
    fn pdf_scars() {
        check_text(
            " 一二三四五六七八九十\n\n 一二三四五六七八九十\n\n一二三。\n\n見 https://a.example/b-\n\nc/d 。\n",
            expect![[r#"
                page-break-space " " line starts with a stray space left by a page break
                hard-wrap "一二三四五六七八九十\n\n 一二三四五六七八九十\n\n一二三。" this paragraph's 3 printed lines are separated by blank lines (PDF extraction): join them
                page-break-space " " line starts with a stray space left by a page break
                hard-wrap "見 https://a.example/b-\n\nc/d 。" this paragraph's 2 printed lines are separated by blank lines (PDF extraction): join them
                broken-url "https://a.example/b-\n\nc/d" URL broken across lines: join its pieces"#]],
        );
    }

    #[test]
    fn half_width_punctuation_between_cjk() {
        check_text(
            "姿態，日本主要是采取“制衡”(balancing) 的做法 ,日本。\n\nTokyo, Japan (2023)。見 https://a.b/?x=1,2 。時間:下午",
            expect![[r#"
                half-width-punctuation "(balancing) " half-width parentheses after CJK text: write （…）
                half-width-punctuation " ," half-width , between CJK characters: write ，
                half-width-punctuation ":" half-width : between CJK characters: write ："#]],
        );
    }

    #[test]
    fn unbalanced_pairs_in_a_paragraph() {
        check_text(
            "他說：「我們《論語》，還有」\n\n』don’t（甲）。\n\n新段落「。",
            expect![[r#"
                hard-wrap "他說：「我們《論語》，還有」\n\n』don’t（甲）。" this paragraph's 2 printed lines are separated by blank lines (PDF extraction): join them
                unbalanced-punctuation "』" 』 closes nothing: no 『 before it in this paragraph
                unbalanced-punctuation "「" 「 is never closed: no 」 after it in this paragraph"#]],
        );
    }
}
