//! Scanning a stretch of text for the facts the analysis is assembled from: heading lines,
//! note-label lines, markers and line widths.
//!
//! Every fact is local: it depends on its own line and, at most, on the nearest non-blank line
//! before it (where the previous content ends) and after it (a wrapped heading's tail). That is
//! what lets [`super::index::Index`] rescan only the lines an edit touched.

use super::headings::{self, is_sentence_punctuation, is_space, HeadingKind, HeadingLine};
use super::index::WidthHistogram;
use super::lines::line_spans;
use super::marker_style::{self, MarkerStyle, StyleSet};
use super::numerals::digit_value;
use super::syntax::Syntax;
use super::Marker;
use crate::text::TextRange;

/// A line that reads as a heading on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadingCandidate {
    /// The level by the rules (see [`HeadingCandidate::atx`] for Markdown's).
    pub level: u8,
    /// The level its markup gives it (`#`s, or an Aozora Bunko heading's size); 0 if none.
    pub atx: u8,
    pub kind: HeadingKind,
    /// The heading text on its own line.
    pub range: TextRange,
    /// Display width of the line's text (see [`display_width`]).
    pub width: u32,
    /// End of the last non-blank line before this one (0 if none).
    pub content_end_before: usize,
    /// The next non-blank line, when it is shaped like the tail of a wrapped heading.
    pub tail: Option<HeadingTail>,
    /// A numbered item (see [`is_item`]) next to another: one line of a list of titles
    /// (`1．某某条例` / `2．某某决定`), not a heading.
    pub listed: bool,
}

/// A short line that may continue the heading before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadingTail {
    /// The tail's text.
    pub range: TextRange,
    pub width: u32,
}

/// A line that starts with a note label (`〔n〕`, `⑴`, `①` …): a note entry, if it stands in a
/// notes section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabelLine {
    pub label: TextRange,
    /// The number the label writes.
    pub number: u32,
    pub style: MarkerStyle,
    pub content_end_before: usize,
    /// Whether the nearest non-blank line before is a separator line (`------`).
    pub after_separator: bool,
    /// Whether the line is indented (`　　〔1〕…`), as collected works print their notes.
    pub indented: bool,
    /// What the nearest non-blank line after is.
    pub next: NextLine,
    /// A label after another on the same line, of the same entry: `〔3〕` and `〔4〕` of
    /// `〔2〕〔3〕〔4〕均见…`, or the numbers after the first of a range label `〔5–7〕` (which
    /// all have its range).
    pub joined: bool,
}

/// What follows a label's line: an untitled notes section is a run of label lines that ends
/// a chapter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NextLine {
    /// Another line starting with a label.
    Label,
    /// Nothing (the end of the text), or a top-level heading.
    ChapterEnd,
    #[default]
    Other,
}

/// The facts found in one stretch of text, in document order.
#[derive(Debug, Default)]
pub struct Scan {
    pub candidates: Vec<HeadingCandidate>,
    pub labels: Vec<LabelLine>,
    pub markers: Vec<Marker>,
    /// The widths of the non-blank lines.
    pub widths: WidthHistogram,
    /// End of the last non-blank line of the stretch (or the value passed in if none).
    pub content_end: usize,
    /// Whether the last non-blank line of the stretch is a separator (or the value passed in
    /// if none).
    pub ends_with_separator: bool,
    /// Whether the last non-blank line of the stretch is a numbered item (or the value passed
    /// in if none).
    pub ends_with_item: bool,
}

/// What a stretch's first line needs to know of the text before it: where the last non-blank
/// line before it ends, and whether that line is a separator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Before {
    pub content_end: usize,
    pub separator: bool,
    /// Whether that line is a numbered item (`1．某某条例`, see [`is_item`]).
    pub item: bool,
}

impl Before {
    /// What the non-blank line `content`, ending at `content_end`, tells the line after it.
    pub fn of_line(content_end: usize, content: &str) -> Before {
        Before {
            content_end,
            separator: is_separator(content),
            item: is_item(content),
        }
    }
}

/// Whether a line's text is numbered as an item of a list (`1．某某条例`, `2. 方法`): a level-3
/// heading by its shape, which a run of such lines with nothing between makes a list.
#[inline]
pub fn is_item(content: &str) -> bool {
    // (An ASCII digit, or a full-width one's first byte: most lines are rejected here.)
    matches!(content.as_bytes().first(), Some(b'0'..=b'9' | 0xef))
        && content
            .chars()
            .next()
            .is_some_and(|c| digit_value(c).is_some())
        && headings::classify(content).is_some_and(|h| h.level == 3)
}

/// Scans `text` by the rules of `syntax`; it starts at byte `base` of the document and at the
/// start of a line.
///
/// `before` is what the stretch needs of the content before it; `line_after` gives the
/// first non-blank line after the stretch (its text), for a heading on the stretch's last
/// non-blank line.
pub fn scan(
    syntax: &Syntax,
    text: &str,
    base: usize,
    before: Before,
    line_after: impl FnOnce() -> Option<(usize, String)>,
) -> Scan {
    let mut scan = Scan {
        content_end: before.content_end,
        ..Scan::default()
    };
    // A heading waiting for the next non-blank line, which may be its tail.
    let mut waiting: Option<HeadingCandidate> = None;
    // The text of the nearest non-blank line before, once there is one in the stretch; what
    // is asked of it (a separator? an item?) is asked only when a heading or a label needs it.
    let mut previous: Option<&str> = None;
    let separator_before = |previous: Option<&str>| previous.map_or(before.separator, is_separator);
    let item_before = |previous: Option<&str>| previous.map_or(before.item, is_item);
    // A label line waiting for the next non-blank line.
    let mut label_waiting: Option<usize> = None;
    for span in line_spans(text) {
        let line = &text[span.start..span.end];
        let Some((lead, content)) = trim(line) else {
            continue;
        };
        let start = base + span.start + lead;
        let width = display_width(content);
        if let Some(candidate) = waiting.take() {
            let candidate = with_tail(candidate, content, start, width, syntax);
            scan.candidates.push(HeadingCandidate {
                listed: candidate.listed || (is_item_candidate(&candidate) && is_item(content)),
                ..candidate
            });
        }
        if let Some(label) = label_waiting.take().and_then(|i| scan.labels.get_mut(i)) {
            label.next = next_line(syntax, line, content);
        }
        let prev_end = scan.content_end;
        scan.widths.add(width);
        scan.content_end = start + content.len();
        if let Some(heading) = syntax.heading(line, content) {
            let found = candidate(base + span.start, heading, width, prev_end);
            waiting = Some(HeadingCandidate {
                listed: is_item_candidate(&found) && is_item(content) && item_before(previous),
                ..found
            });
        }
        // A short note reads as a heading too (`（９）　某某宛`): it is an entry where a notes
        // section holds it, a heading elsewhere; which one is the walk's to say.
        if let Some((skip, len, number, style)) = syntax.label_at(content) {
            let first = LabelLine {
                label: TextRange::new(start + skip, start + skip + len),
                number,
                style,
                content_end_before: prev_end,
                after_separator: separator_before(previous),
                indented: lead > 0,
                next: NextLine::Label,
                joined: false,
            };
            push_entry_labels(syntax, &mut scan.labels, first, &content[skip..]);
            label_waiting = Some(scan.labels.len() - 1);
        }
        previous = Some(content);
    }
    let after = if waiting.is_some() || label_waiting.is_some() {
        line_after()
    } else {
        None
    };
    if let Some(label) = label_waiting.and_then(|i| scan.labels.get_mut(i)) {
        label.next = match &after {
            Some((_, line)) => match trim(line) {
                Some((_, content)) => next_line(syntax, line, content),
                None => NextLine::ChapterEnd,
            },
            None => NextLine::ChapterEnd,
        };
    }
    if let Some(candidate) = waiting {
        let tail = after.and_then(|(start, line)| {
            let (lead, content) = trim(&line)?;
            Some((start + lead, content.to_string()))
        });
        scan.candidates.push(match tail {
            Some((start, content)) => {
                let width = display_width(&content);
                let candidate = with_tail(candidate, &content, start, width, syntax);
                HeadingCandidate {
                    listed: candidate.listed
                        || (is_item(&content) && is_item_candidate(&candidate)),
                    ..candidate
                }
            }
            None => candidate,
        });
    }
    scan.markers = syntax.markers(text, base);
    scan.ends_with_separator = separator_before(previous);
    scan.ends_with_item = item_before(previous);
    scan
}

/// Pushes the label line `first`, whose text from its label on is `text`, and the labels
/// joined to it: the other numbers of a range label, the labels right after it in its style.
/// All but the last are followed by a label.
fn push_entry_labels(syntax: &Syntax, labels: &mut Vec<LabelLine>, first: LabelLine, text: &str) {
    let label_len = first.label.len();
    labels.push(first);
    let joined = |label: TextRange, number: u32| LabelLine {
        label,
        number,
        joined: true,
        ..first
    };
    if let Some(last) = syntax.range_last(&text[..label_len]) {
        labels.extend((first.number + 1..=last).map(|n| joined(first.label, n)));
    } else {
        let mut at = label_len;
        while let Some((len, number, style)) = syntax.label_start(&text[at..]) {
            if style != first.style {
                break;
            }
            let start = first.label.start + at;
            labels.push(joined(TextRange::new(start, start + len), number));
            at += len;
        }
    }
}

/// Whether a heading line is a numbered item by its own text (a Markdown heading never is).
fn is_item_candidate(candidate: &HeadingCandidate) -> bool {
    candidate.level == 3 && candidate.atx == 0 && candidate.kind == HeadingKind::Numbered
}

/// What a non-blank line is to the label line before it.
fn next_line(syntax: &Syntax, line: &str, content: &str) -> NextLine {
    // (The label first: in a notes section nearly every line has one.)
    if syntax.label_at(content).is_some() {
        return NextLine::Label;
    }
    match syntax.heading(line, content) {
        Some(heading) if heading.level <= 1 || heading.atx > 0 => NextLine::ChapterEnd,
        _ => NextLine::Other,
    }
}

/// What the text before byte `offset` of `text` (a line start) tells the line there: where
/// its last non-blank line ends (or 0), and whether that line is a separator.
pub fn before_in(text: &str, offset: usize) -> Before {
    let mut end = offset;
    while end > 0 {
        let line_start =
            memchr::memrchr2(b'\n', b'\r', &text.as_bytes()[..end - 1]).map_or(0, |i| i + 1);
        let line = text[line_start..end].trim_end_matches(['\n', '\r']);
        if let Some((lead, content)) = trim(line) {
            return Before::of_line(line_start + lead + content.len(), content);
        }
        end = line_start;
    }
    Before::default()
}

/// The first non-blank line of `text` starting at or after byte `offset` (a line start): its
/// start and its text.
pub fn first_content_line_in(text: &str, offset: usize) -> Option<(usize, String)> {
    let rest = text.get(offset..)?;
    line_spans(rest)
        .find(|span| trim(&rest[span.start..span.end]).is_some())
        .map(|span| (offset + span.start, rest[span.start..span.end].to_string()))
}

/// The widths of the non-blank lines of `text`.
pub fn widths(text: &str) -> impl Iterator<Item = u32> + '_ {
    line_spans(text)
        .filter_map(|span| trim(&text[span.start..span.end]).map(|(_, c)| display_width(c)))
}

/// The line's text without surrounding spaces, and the length of the leading spaces; `None`
/// for a blank line.
///
/// Markdown's marks around plain text are no text: a fence line (`` ``` ``, `~~~`) and a
/// comment line (`<!-- … -->`) are blank, and a quotation's `>` belongs to the leading part.
#[inline(always)]
pub fn trim(line: &str) -> Option<(usize, &str)> {
    let (lead, content) = trim_spaces(line)?;
    match content.as_bytes()[0] {
        b'`' | b'~' | b'<' | b'>' | 0xef => markup(lead, content),
        _ => Some((lead, content)),
    }
}

/// [`trim`] of a line whose text starts with a Markdown mark.
fn markup(lead: usize, content: &str) -> Option<(usize, &str)> {
    let fence = content.starts_with("```") || content.starts_with("~~~");
    let comment = content.starts_with("<!--") && content.ends_with("-->");
    // An Aozora Bunko annotation alone on its line (`［＃改ページ］`, `［＃ここから２字下げ］`).
    let annotation = content.starts_with("［＃")
        && content.find('］').map(|end| end + '］'.len_utf8()) == Some(content.len());
    if fence || comment || annotation {
        return None;
    }
    if content.starts_with('>') {
        let quoted = content.trim_start_matches(|c| c == '>' || is_space(c));
        if quoted.is_empty() {
            return None;
        }
        return Some((lead + content.len() - quoted.len(), quoted));
    }
    Some((lead, content))
}

/// The line's text without surrounding spaces, and the length of the leading spaces.
#[inline(always)]
fn trim_spaces(line: &str) -> Option<(usize, &str)> {
    // Fast path: the first and last bytes cannot start or end a space character.
    let bytes = line.as_bytes();
    let may_have_space = |b: u8| matches!(b, b' ' | b'\t' | 0xe3 | 0xc2 | 0x80 | 0xa0);
    match (bytes.first(), bytes.last()) {
        (None, _) | (_, None) => return None,
        (Some(&first), Some(&last)) if !may_have_space(first) && !may_have_space(last) => {
            return Some((0, line));
        }
        _ => {}
    }
    let rest = line.trim_start_matches(is_space);
    let content = rest.trim_end_matches(is_space);
    (!content.is_empty()).then(|| (line.len() - rest.len(), content))
}

/// Display width in a CJK context: ASCII counts 1, every other character 2.
///
/// In CJK documents nearly every non-ASCII character is wide or ambiguous (and ambiguous means
/// wide here), so this matches a CJK width table on the lines that matter, while being a plain
/// byte count the compiler vectorises: widths are taken of every line of a 100 MB book.
pub fn display_width(text: &str) -> u32 {
    // Byte sums in u8 over chunks short enough not to overflow (2 × 127 < 256) vectorise to
    // 16 or 32 bytes an instruction; most lines are a single chunk.
    text.as_bytes()
        .chunks(127)
        .map(|chunk| {
            let width = chunk.iter().fold(0u8, |sum, &b| {
                let ascii = u8::from(b < 0x80);
                let lead = u8::from(b >= 0xc0);
                sum.wrapping_add(ascii + 2 * lead)
            });
            u32::from(width)
        })
        .sum()
}

/// A cheap test on the first character that every heading passes.
///
/// A table lookup rather than [`starts_heading`] itself: lines start with any of thousands of
/// ideographs, and the comparisons of a `match` on them are branches no predictor learns.
#[inline(always)]
pub fn may_start_heading(content: &str) -> bool {
    static TABLE: std::sync::LazyLock<HeadingStarts> = std::sync::LazyLock::new(HeadingStarts::new);
    content.chars().next().is_some_and(|c| TABLE.contains(c))
}

/// The characters of the Basic Multilingual Plane that [`starts_heading`] accepts, a bit each
/// (none beyond it does).
struct HeadingStarts([u64; 1024]);

impl HeadingStarts {
    fn new() -> HeadingStarts {
        let mut bits = [0u64; 1024];
        for c in (0..=0xffff)
            .filter_map(char::from_u32)
            .filter(|&c| starts_heading(c))
        {
            bits[c as usize / 64] |= 1 << (c as usize % 64);
        }
        HeadingStarts(bits)
    }

    #[inline(always)]
    fn contains(&self, c: char) -> bool {
        let code = c as usize;
        self.0
            .get(code / 64)
            .is_some_and(|word| word & (1 << (code % 64)) != 0)
    }
}

/// Whether a heading may start with `c`: a digit, a numeral, an opening parenthesis, `第`, or
/// the first character of a section's title.
fn starts_heading(c: char) -> bool {
    digit_value(c).is_some()
        || matches!(
            c,
            '一' | '二'
                | '三'
                | '四'
                | '五'
                | '六'
                | '七'
                | '八'
                | '九'
                | '十'
                | '百'
                | '〇'
                | '零'
                | '两'
                | '兩'
                | '（'
                | '('
                | '第'
        )
        || headings::starts_a_section_title(c)
}

fn candidate(
    line_start: usize,
    heading: HeadingLine,
    width: u32,
    content_end_before: usize,
) -> HeadingCandidate {
    HeadingCandidate {
        level: heading.level,
        listed: false,
        atx: heading.atx,
        kind: heading.kind,
        range: TextRange::new(line_start + heading.start, line_start + heading.end),
        width,
        content_end_before,
        tail: None,
    }
}

/// Whether a line could be the rest of a wrapped heading: no sentence punctuation, list comma
/// or marker, and not a heading itself.
pub fn is_tail_shaped(content: &str, syntax: &Syntax) -> bool {
    !content
        .chars()
        .any(|c| is_sentence_punctuation(c) || c == '、')
        && !syntax.has_marker(content)
        && syntax.heading(content, content).is_none()
}

/// Attaches the next non-blank line as a tail if it is shaped like one: not a heading, and no
/// sentence punctuation, list comma or marker. Whether it is short enough is decided later,
/// against the document's line width.
fn with_tail(
    mut candidate: HeadingCandidate,
    content: &str,
    start: usize,
    width: u32,
    syntax: &Syntax,
) -> HeadingCandidate {
    // (A Markdown heading is one line.)
    let shaped = candidate.kind == HeadingKind::Numbered
        && candidate.atx == 0
        && is_tail_shaped(content, syntax);
    if shaped {
        candidate.tail = Some(HeadingTail {
            range: TextRange::new(start, start + content.len()),
            width,
        });
    }
    candidate
}

/// Whether a line's text is a separator drawn between the text and its notes: `------`,
/// `——————`, `＊＊＊`, `────`.
pub fn is_separator(content: &str) -> bool {
    // Rejected on the first byte, as nearly every line is.
    let first_byte = content.as_bytes().first().copied().unwrap_or(0);
    if !matches!(
        first_byte,
        b'-' | b'_' | b'=' | b'*' | b'~' | 0xc2 | 0xe2 | 0xef
    ) {
        return false;
    }
    let mut chars = content.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let drawn = matches!(
        first,
        '-' | '—' | '─' | '━' | '_' | '＿' | '=' | '＝' | '*' | '＊' | '～' | '~' | '·' | '－'
    );
    // (Tested first: this runs on every line.)
    if !drawn || !chars.clone().all(|c| c == first) {
        return false;
    }
    1 + chars.count() >= if first == '—' { 2 } else { 3 }
}

/// Whether a marker after `before` refers to a note rather than cites it: `见注〔3〕`,
/// `本文注〔18〕`, `同注〔2〕` (not `关注〔1〕`, a citation after a word ending with 注).
fn refers_to_a_note(before: &str) -> bool {
    const REFERRING: [&str; 12] = [
        "见", "見", "本文", "本篇", "前", "上", "下", "同", "參", "参", "後", "后",
    ];
    before
        .strip_suffix(['注', '註'])
        .is_some_and(|rest| REFERRING.iter().any(|word| rest.ends_with(word)))
}

/// Every marker of the built-in styles not in `off` in `text` (which starts at a line start),
/// with offsets from `base`.
pub fn markers(text: &str, base: usize, off: StyleSet) -> Vec<Marker> {
    marker_style::find(text, off)
        .into_iter()
        .map(|(at, read)| {
            let range = TextRange::new(base + at, base + at + read.len);
            Marker {
                cross_reference: refers_to_a_note(&text[..at]),
                ..Marker::new(range, read.number, read.style)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_in_a_document_number_is_no_marker() {
        let found = |text: &str| {
            markers(text, 0, StyleSet::default())
                .iter()
                .map(|m| m.number)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("依國發〔2023〕5號辦理〔1〕"), [1]);
        assert_eq!(found("国办发〔2024〕１２号"), [] as [u32; 0]);
        assert_eq!(found("見〔2023〕。另〔2023〕5頁"), [2023, 2023]);
        // With no office before it: the year, then digits and 号.
        assert_eq!(found("〔2023〕5號"), [] as [u32; 0]);
        assert_eq!(found("(〔1982〕3号)與〔94〕财税字第089号〔3〕"), [3]);
    }

    #[test]
    fn heading_starts_table_agrees_with_the_rule() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let mut text = [0u8; 4];
            assert_eq!(
                may_start_heading(c.encode_utf8(&mut text)),
                starts_heading(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn separator_lines() {
        for line in ["------", "——————", "——", "＊＊＊", "────────", "___"]
        {
            assert!(is_separator(line), "{line}");
        }
        for line in ["--", "-", "—", "-- a", "——注", "=-="] {
            assert!(!is_separator(line), "{line}");
        }
    }

    #[test]
    fn widths_count_cjk_as_two() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("日韓"), 4);
        assert_eq!(display_width("“穿梭”"), 8);
        assert_eq!(display_width("𠮷"), 2);
    }
}
