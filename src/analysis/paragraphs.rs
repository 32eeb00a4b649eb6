//! Paragraphs of PDF-extracted text: the printed lines put back together.
//!
//! PDF extraction writes each printed line as a line of its own, often with a blank line after
//! it. A paragraph ends at a line that is clearly shorter than the printed width and ends a
//! sentence, at a heading (with the short tail of a wrapped heading), and before a note entry.
//! Whether two lines belong together depends only on them, the line before the first, and the
//! printed width (the median width of the document's lines): an edit changes the paragraphs
//! around it and nowhere else, which is what lets the checks built on them be kept up to date
//! edit by edit (see `lint.rs`).

use std::sync::Arc;

use ropey::Rope;

use super::assemble::takes_tail;
use super::headings::HeadingKind;
use super::index::WidthHistogram;
use super::lines::line_spans;
use super::scan::{display_width, is_tail_shaped, trim};
use super::syntax::Syntax;
use crate::text::TextRange;

/// A line this much narrower than the printed width is "clearly shorter" (two CJK characters).
const SHORT_BY: u32 = 4;
/// The share of the printed width a page's line fills, all but a paragraph's last.
const FILLED_SHARE: f64 = 0.8;
/// A line this much wider than the printed width that ends a sentence is a paragraph already
/// joined. (Printed lines of Latin text measure wider than CJK ones: ASCII counts half a CJK
/// character, but a proportional font sets it narrower still.)
const OVER_BY: u32 = 6;
/// Printed text has most lines at the full width: at least this share (in tenths) of the
/// lines within `SHORT_BY` of the median width. Text already in paragraphs has not.
const PRINTED_SHARE_TENTHS: u64 = 4;
/// Below this printed width the lines are verse, a list or a table, not printed prose: no line
/// is joined to another.
const MIN_PRINTED_WIDTH: u32 = 20;

/// Four ASCII spaces before a line's text are a paragraph's indent.
const INDENT_SPACES: usize = 4;

/// A non-blank line as paragraphs see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// Where the line starts, leading spaces included.
    pub start: usize,
    /// The line's text without the spaces around it.
    pub content: TextRange,
    width: u32,
    role: Role,
    /// Starts with a paragraph's indent (`　　`, four spaces or a tab).
    indented: bool,
    ends_sentence: bool,
    /// Has no sentence or list punctuation and no marker: may be a wrapped title's tail.
    title_shaped: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Heading(HeadingKind),
    /// A line that starts with a note label `〔n〕`.
    Label,
    Text,
}

impl Line {
    /// The line `text` (without its line break) starting at byte `start`; `None` when blank.
    pub fn new(text: &str, start: usize, layout: &Layout) -> Option<Line> {
        let (lead, content) = trim(text)?;
        let syntax = &*layout.syntax;
        let role = if let Some(heading) = syntax.heading(text, content) {
            Role::Heading(heading.kind)
        } else if syntax.label_at(content).is_some() {
            Role::Label
        } else {
            Role::Text
        };
        let width = display_width(content);
        let indent = &text[..lead];
        Some(Line {
            start,
            content: TextRange::new(start + lead, start + lead + content.len()),
            width,
            role,
            indented: indent.contains(['\u{3000}', '\t']) || indent.len() >= INDENT_SPACES,
            ends_sentence: ends_sentence(content, syntax),
            // Only a line short enough for a tail can be one (see `takes_tail`).
            title_shaped: 2 * width <= layout.printed_width && is_tail_shaped(content, syntax),
        })
    }

    pub fn is_heading(&self) -> bool {
        matches!(self.role, Role::Heading(_))
    }
}

/// Closing quotes and brackets, which stay with the sentence they close.
pub const CLOSING_MARKS: [char; 9] = ['」', '』', '”', '’', '）', ')', '》', '〉', '】'];

/// Whether a line's last characters end a sentence: `。`, `！`, `？`, `：`, `…` (or their ASCII
/// forms), possibly inside closing quotes or brackets, or a note marker right after one.
fn ends_sentence(content: &str, syntax: &Syntax) -> bool {
    // A note marker after the full stop (`…的力度。〔3〕`) still ends the sentence.
    let rest = match syntax.marker_ending(content) {
        Some(marker) => &content[..marker],
        None => content,
    };
    let rest = rest.trim_end_matches(CLOSING_MARKS);
    if rest.ends_with(['。', '！', '？', '：', '…']) {
        return true;
    }
    if !rest.ends_with(['.', '!', '?', ':']) {
        return false;
    }
    // ASCII punctuation ends a sentence, unless it ends a piece of a URL (`www.yomiuri.`).
    let last_word = rest
        .rsplit(|c: char| c == ' ' || !c.is_ascii())
        .next()
        .unwrap_or("");
    !(last_word.contains('/') || last_word.starts_with("www."))
}

/// The paragraphs' line widths are judged against `printed_width`; headings and notes are
/// told by `syntax`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub printed_width: u32,
    pub syntax: Arc<Syntax>,
}

impl Layout {
    /// The layout of a text whose lines are `widths` wide: printed lines if most of them are
    /// as wide as the median, else none (and nothing is joined).
    pub fn of(widths: &WidthHistogram, syntax: Arc<Syntax>) -> Layout {
        let median = widths.median();
        let (near, total) = widths.count_within(median.saturating_sub(SHORT_BY), median + SHORT_BY);
        let printed = total > 0 && near * 10 >= total * PRINTED_SHARE_TENTHS;
        Layout {
            printed_width: if printed { median } else { 0 },
            syntax,
        }
    }

    /// Printed lines `width` wide, read by the built-in rules.
    pub fn printed(width: u32) -> Layout {
        Layout {
            printed_width: width,
            syntax: Arc::default(),
        }
    }

    /// Whether the paragraph starting with `b` continues the block of text `a` ends, for the
    /// balance of quotation marks and brackets: in text that is not printed lines (Markdown,
    /// a file of long lines) the lines of a paragraph follow each other with no blank line
    /// between, and a line that starts with the indent starts a paragraph.
    pub fn continues_block(&self, a: &Line, b: &Line, adjacent: bool) -> bool {
        self.printed_width < MIN_PRINTED_WIDTH
            && adjacent
            && !a.is_heading()
            && b.role == Role::Text
            && !b.indented
    }

    /// Whether the text breaks between `a` and `b` for every check: a paragraph break that
    /// is no block's (see [`Layout::continues_block`]).
    fn separates(&self, before: Option<&Line>, a: &Line, b: &Line, adjacent: bool) -> bool {
        self.breaks(before, a, b) && !self.continues_block(a, b, adjacent)
    }

    fn is_short(&self, line: &Line) -> bool {
        line.width + SHORT_BY <= self.printed_width
    }

    /// Whether `paragraph` reads as a page's lines: each but its last nearly fills the
    /// printed width, and one at least breaks a sentence (a source line before a bracketed
    /// title, verse, a stanza's last line before a note do not).
    pub fn fills_lines(&self, paragraph: &Paragraph) -> bool {
        let before_last = paragraph.lines.len().saturating_sub(1);
        let full = f64::from(self.printed_width);
        let lines = &paragraph.lines[..before_last];
        lines
            .iter()
            .all(|line| f64::from(line.width) >= FILLED_SHARE * full)
            && lines.iter().any(|line| !line.ends_sentence)
    }

    /// Whether a paragraph ends between `a` and `b`, the next non-blank line; `before` is the
    /// non-blank line before `a`.
    fn breaks(&self, before: Option<&Line>, a: &Line, b: &Line) -> bool {
        // (An indented line starts a paragraph.)
        if self.printed_width < MIN_PRINTED_WIDTH || b.role != Role::Text || b.indented {
            return true;
        }
        match a.role {
            Role::Heading(_) => !self.is_tail(a, b),
            // The tail of a wrapped heading ends the heading's paragraph.
            _ if before.is_some_and(|heading| self.is_tail(heading, a)) => true,
            _ => {
                let over = a.width >= self.printed_width + OVER_BY;
                (a.ends_sentence && (self.is_short(a) || over)) || a.width >= 2 * self.printed_width
            }
        }
    }

    /// Whether `line` is the rest of `heading`'s title, wrapped: as the analysis decides it (a
    /// numbered heading filling its line, then a short line shaped like a title).
    fn is_tail(&self, heading: &Line, line: &Line) -> bool {
        heading.role == Role::Heading(HeadingKind::Numbered)
            && line.role == Role::Text
            && line.title_shaped
            && takes_tail(heading.width, line.width, f64::from(self.printed_width))
    }
}

/// One paragraph: its lines, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    pub lines: Vec<Line>,
    /// How many of its lines follow a blank line.
    pub blank_gaps: u32,
}

impl Paragraph {
    /// From the first line's text to the end of the last line's.
    pub fn range(&self) -> TextRange {
        match (self.lines.first(), self.lines.last()) {
            (Some(first), Some(last)) => TextRange::new(first.content.start, last.content.end),
            _ => TextRange::default(),
        }
    }

    /// A heading (and the tail of its wrapped title): never joined into prose.
    pub fn is_heading(&self) -> bool {
        self.lines.first().is_some_and(Line::is_heading)
    }

    /// Printed lines that reflowing would join: more than one (a wrapped heading's too).
    pub fn is_wrapped(&self) -> bool {
        self.lines.len() > 1
    }

    /// Whether a blank line follows most of its printed lines, as PDF extraction leaves
    /// them; verse sets only its stanzas apart.
    pub fn is_spaced_out(&self) -> bool {
        let joins = self.lines.len().saturating_sub(1);
        joins > 0 && 2 * self.blank_gaps as usize >= joins
    }
}

/// The paragraphs of `text`, which starts at byte `base` of the document, at a line start.
pub fn paragraphs(text: &str, base: usize, layout: &Layout) -> Vec<Paragraph> {
    let mut found = Vec::new();
    for_each_paragraph(text, base, layout, |paragraph| {
        found.push(paragraph.clone())
    });
    found
}

/// Calls `visit` with each paragraph of `text` in turn (one buffer for all: a book has
/// a hundred thousand of them).
pub fn for_each_paragraph(
    text: &str,
    base: usize,
    layout: &Layout,
    mut visit: impl FnMut(&Paragraph),
) {
    let mut current = Paragraph {
        lines: Vec::new(),
        blank_gaps: 0,
    };
    let mut blank_before = false;
    // The last two non-blank lines read, whichever paragraphs they are in.
    let mut last_line: Option<Line> = None;
    let mut before_last: Option<Line> = None;
    for span in line_spans(text) {
        let Some(line) = Line::new(&text[span.start..span.end], base + span.start, layout) else {
            blank_before = true;
            continue;
        };
        if let Some(last) = &last_line {
            if layout.breaks(before_last.as_ref(), last, &line) {
                visit(&current);
                current.lines.clear();
                current.blank_gaps = 0;
            } else {
                current.blank_gaps += u32::from(blank_before);
            }
        }
        before_last = last_line.replace(line);
        current.lines.push(line);
        blank_before = false;
    }
    if !current.lines.is_empty() {
        visit(&current);
    }
}

/// The paragraph around `offset` (or the nearest one before it, when `offset` is on a blank
/// line), found by reading only the lines around it.
pub fn paragraph_at(rope: &Rope, offset: usize, layout: &Layout) -> Option<Paragraph> {
    let offset = offset.min(rope.len_bytes());
    let region = region_around(rope, offset, offset, layout);
    let text = rope.byte_slice(region.start..region.end).to_string();
    let mut found = paragraphs(&text, region.start, layout);
    let at = found.partition_point(|p| p.range().start <= offset);
    (at > 0).then(|| found.swap_remove(at - 1))
}

/// Whole lines around `start..end` that begin and end where paragraphs break whatever the
/// lines inside say: the paragraphs of this region are those of the whole text there.
///
/// A break depends on two lines and the line before them, so the region reaches back to the
/// first break whose three lines all come before `start`'s line, and on to the first break
/// whose three lines all come after `end`'s.
pub fn region_around(rope: &Rope, start: usize, end: usize, layout: &Layout) -> TextRange {
    let first_line = rope.byte_to_line(start.min(rope.len_bytes()));
    let last_line = rope.byte_to_line(end.min(rope.len_bytes()));
    TextRange::new(
        region_start(rope, first_line, layout),
        region_end(rope, last_line, layout),
    )
}

fn region_start(rope: &Rope, line: usize, layout: &Layout) -> usize {
    // The non-blank lines before `line` are read nearest first (with their line numbers);
    // the break between the two read before (`mid`, `later`) is decided once the line before
    // them is known.
    let mut later: Option<(usize, Line)> = None;
    let mut mid: Option<(usize, Line)> = None;
    for index in (0..line).rev() {
        let Some(found) = line_at(rope, index, layout) else {
            continue;
        };
        if let (Some((row_b, b)), Some((row_a, a))) = (&later, &mid) {
            if layout.separates(Some(&found), a, b, row_b - row_a == 1) {
                return b.start;
            }
        }
        later = mid;
        mid = Some((index, found));
    }
    match (later, mid) {
        (Some((row_b, b)), Some((row_a, a)))
            if layout.separates(None, &a, &b, row_b - row_a == 1) =>
        {
            b.start
        }
        _ => 0,
    }
}

fn region_end(rope: &Rope, line: usize, layout: &Layout) -> usize {
    // Non-blank lines after `line`, in order; a break between `y[k]` and `y[k + 1]` decided
    // by `y[k - 1]`, `y[k]`, `y[k + 1]` with `k >= 1` reads no line inside the region.
    let mut after: Vec<(usize, Line)> = Vec::with_capacity(3);
    for index in line + 1..rope.len_lines() {
        let Some(found) = line_at(rope, index, layout) else {
            continue;
        };
        after.push((index, found));
        if after.len() == 3 {
            let ((_, before), (row_a, a), (row_b, b)) = (&after[0], &after[1], &after[2]);
            if layout.separates(Some(before), a, b, row_b - row_a == 1) {
                return b.start;
            }
            after.remove(0);
        }
    }
    rope.len_bytes()
}

/// The non-blank line `index` of the rope.
fn line_at(rope: &Rope, index: usize, layout: &Layout) -> Option<Line> {
    let slice = rope.line(index);
    let start = rope.line_to_byte(index);
    let text: std::borrow::Cow<str> = slice.into();
    let text = text.trim_end_matches(['\n', '\r']);
    Line::new(text, start, layout)
}

/// Whether `c` is written without spaces around it: CJK characters and punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2e80..=0x2fff // radicals
        | 0x3000..=0x303f // CJK punctuation
        | 0x3040..=0x30ff // kana
        | 0x3100..=0x31ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xac00..=0xd7af // hangul
        | 0xf900..=0xfaff
        | 0xff00..=0xffef // full-width forms
        | 0x20000..=0x3ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide() -> Layout {
        Layout::printed(20)
    }

    fn texts(text: &str) -> Vec<String> {
        paragraphs(text, 0, &wide())
            .iter()
            .map(|p| {
                p.lines
                    .iter()
                    .map(|l| &text[l.content.start..l.content.end])
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    }

    #[test]
    fn printed_lines_join_until_a_short_line_ends_a_sentence() {
        let text = "一二三四五六七八九十\n\n一二三四五六七八九十\n\n一二三。\n\n一二三四五六七八九十\n\n短行\n";
        assert_eq!(
            texts(text),
            [
                "一二三四五六七八九十|一二三四五六七八九十|一二三。",
                "一二三四五六七八九十|短行"
            ]
        );
    }

    #[test]
    fn an_indented_line_starts_a_paragraph() {
        let text = "一二三四五六七八九十\n\n一二三四五六七八九：\n\n　　“快來！”\n\n一二三四五六七八九十\n\n    四個空格。";
        assert_eq!(
            texts(text),
            [
                "一二三四五六七八九十|一二三四五六七八九：",
                "“快來！”",
                "一二三四五六七八九十",
                "四個空格。"
            ]
        );
    }

    #[test]
    fn headings_and_notes_stand_apart() {
        let text = "一、日韓關係的改善與美\n\n日\n\n一二三四五六七八九十\n\n一二三。\n\n註釋：\n\n〔1〕一二三四五六七八九\n\n一二三。\n\n〔2〕二。";
        assert_eq!(
            texts(text),
            [
                "一、日韓關係的改善與美|日",
                "一二三四五六七八九十|一二三。",
                "註釋：",
                "〔1〕一二三四五六七八九|一二三。",
                "〔2〕二。"
            ]
        );
    }

    #[test]
    fn a_full_stop_before_a_marker_still_ends_the_sentence() {
        assert!(ends_sentence("供延伸威懾的力度。〔3〕", &Syntax::default()));
        assert!(ends_sentence("他說：「好。」", &Syntax::default()));
        assert!(!ends_sentence("美國也面臨著同盟管", &Syntax::default()));
        assert!(ends_sentence("after 5 years.", &Syntax::default()));
        assert!(!ends_sentence(
            "読買新聞、2022 年４月 28 日、https://www.yomiuri.",
            &Syntax::default()
        ));
        assert!(!ends_sentence(
            "korea-threats-2023-04-03/.",
            &Syntax::default()
        ));
    }

    #[test]
    fn the_region_around_an_edit_begins_and_ends_where_paragraphs_break() {
        let text = "一二三四五六七八九十\n\n一二三。\n\n一二三四五六七八九十\n\n一二三四五六七八九十\n\n四五。\n\n一二三四五六七八九十\n\n六。\n\n七八。\n";
        let rope = Rope::from_str(text);
        let at = text.find("四五。").unwrap_or(0);
        let region = region_around(&rope, at, at, &wide());
        let whole = paragraphs(text, 0, &wide());
        let inside = paragraphs(&text[region.start..region.end], region.start, &wide());
        assert!(whole.iter().any(|p| p.range().start == region.start));
        for p in &inside {
            assert!(whole.contains(p), "{p:?}");
        }
        let found = paragraph_at(&rope, at, &wide()).map(|p| p.range());
        assert_eq!(
            found.map(|r| &text[r.start..r.end]),
            Some("一二三四五六七八九十\n\n一二三四五六七八九十\n\n四五。")
        );
    }
}
