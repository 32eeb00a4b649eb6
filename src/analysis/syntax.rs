//! What counts as a heading, a note marker and a notes-section title: the built-in rules, or
//! the user's patterns (settings `headings`, `noteMarker`, `notesTitles`).
//!
//! The built-in rules are hand-written (the scan reads a 10 MB book in a few milliseconds);
//! a pattern the user set replaces the rule it names and is a `regex` matched line by line,
//! so that the facts of a line still depend on that line alone (see `scan.rs`).

use std::ops::Range;

use regex::{Regex, RegexBuilder};

use super::headings::{self, HeadingKind, HeadingLine};
use super::lines::line_spans;
use super::marker_style::{self, MarkerStyle, StyleSet};
use super::numerals::{digit_value, parse_chinese, parse_digits};
use super::scan;
use super::Marker;
use crate::text::TextRange;

/// How many heading levels can have a pattern of their own.
pub const PATTERN_LEVELS: usize = 3;

/// The rules a document is read by. `Syntax::default()` is the built-in rules.
#[derive(Clone, Debug, Default)]
pub struct Syntax {
    /// The user's pattern for each level (1 to 3), replacing the built-in numbering there.
    headings: [Option<Anchored>; PATTERN_LEVELS],
    marker: Option<MarkerPattern>,
    /// Replacing the built-in titles of notes sections, each without a final colon.
    notes_titles: Option<Vec<String>>,
    /// Built-in marker styles switched off.
    styles_off: StyleSet,
}

/// A pattern as the user wrote it, and compiled to match at the start of a line's text.
#[derive(Clone, Debug)]
struct Anchored {
    source: String,
    at_start: Regex,
}

/// The user's note-marker pattern: anywhere in a line, or at the start of a note's line.
#[derive(Clone, Debug)]
struct MarkerPattern {
    anywhere: Regex,
    /// The pattern over many lines at once (`^` and `$` at each line's ends), to skip the
    /// lines without a marker; `None` for one that anchors at the text's ends (`\A`, `\z`),
    /// which would then mean something else.
    across_lines: Option<Regex>,
    at_start: Anchored,
    /// The group holding the number: `number` if named so, else the first.
    group: usize,
}

impl PartialEq for Syntax {
    fn eq(&self, other: &Syntax) -> bool {
        fn source(pattern: &Option<Anchored>) -> Option<&str> {
            pattern.as_ref().map(|p| p.source.as_str())
        }
        fn marker(syntax: &Syntax) -> Option<&str> {
            syntax.marker.as_ref().map(|m| m.at_start.source.as_str())
        }
        self.headings
            .iter()
            .map(source)
            .eq(other.headings.iter().map(source))
            && marker(self) == marker(other)
            && self.notes_titles == other.notes_titles
            && self.styles_off == other.styles_off
    }
}

impl Eq for Syntax {}

impl Anchored {
    fn new(source: &str) -> Result<Anchored, String> {
        let at_start = Regex::new(&format!("^(?:{source})")).map_err(|e| one_line(&e))?;
        if at_start.is_match("") {
            return Err("it matches an empty line".into());
        }
        Ok(Anchored {
            source: source.to_string(),
            at_start,
        })
    }
}

/// A regex error on one line (they come as a drawing over several).
fn one_line(error: &regex::Error) -> String {
    let text = error.to_string();
    let last = text.lines().rev().find(|l| !l.trim().is_empty());
    format!("not a valid pattern ({})", last.unwrap_or("").trim())
}

impl Syntax {
    /// Whether this is the built-in rules.
    pub fn is_default(&self) -> bool {
        *self == Syntax::default()
    }

    /// Sets the pattern of heading `level` (1 to 3).
    pub fn set_heading_pattern(&mut self, level: usize, source: &str) -> Result<(), String> {
        let slot = level
            .checked_sub(1)
            .and_then(|i| self.headings.get_mut(i))
            .ok_or_else(|| format!("there are patterns for levels 1 to {PATTERN_LEVELS} only"))?;
        *slot = Some(Anchored::new(source)?);
        Ok(())
    }

    /// Sets the note-marker pattern: a group around the number (named `number`, or the first).
    pub fn set_marker_pattern(&mut self, source: &str) -> Result<(), String> {
        let at_start = Anchored::new(source)?;
        let anywhere = Regex::new(source).map_err(|e| one_line(&e))?;
        let group = match anywhere.capture_names().position(|n| n == Some("number")) {
            Some(named) => named,
            None if anywhere.captures_len() > 1 => 1,
            None => return Err(
                "it needs a group around the number, as in 〔(\\d+)〕 or \\[(?P<number>\\d+)\\]"
                    .into(),
            ),
        };
        let across_lines = (!source.contains("\\A") && !source.contains("\\z"))
            .then(|| {
                RegexBuilder::new(source)
                    .multi_line(true)
                    .crlf(true)
                    .build()
                    .ok()
            })
            .flatten();
        self.marker = Some(MarkerPattern {
            across_lines,
            anywhere,
            at_start,
            group,
        });
        Ok(())
    }

    /// Switches a built-in marker style off.
    pub fn switch_off(&mut self, style: MarkerStyle) {
        self.styles_off.insert(style);
    }

    /// Sets the titles that open a notes section (a final colon is allowed after each).
    pub fn set_notes_titles(&mut self, titles: &[String]) -> Result<(), String> {
        let titles: Vec<String> = titles
            .iter()
            .map(|t| headings::notes_title_form(t).to_string())
            .collect();
        if titles.iter().any(String::is_empty) {
            return Err("a title is empty".into());
        }
        self.notes_titles = Some(titles);
        Ok(())
    }

    /// The title a new notes section is given: the first of the user's titles, or 註釋.
    pub fn new_notes_title(&self) -> String {
        let title = self.notes_titles.iter().flatten().next();
        format!("{}：", title.map_or("註釋", String::as_str))
    }

    /// The heading `line` (without its line break) is, if any. `content` is its text without
    /// surrounding spaces (see [`scan::trim`]).
    #[inline]
    pub fn heading(&self, line: &str, content: &str) -> Option<HeadingLine> {
        // (This runs on every line, and most are rejected by their first character here,
        // without a call.)
        let marked = matches!(content.as_bytes().first(), Some(b'#' | b'*' | b'_' | 0xef))
            || content.as_bytes().last() == Some(&0xbd);
        if !marked && !self.may_start_heading(content) {
            return None;
        }
        self.marked_or_plain_heading(line, content)
    }

    /// [`Syntax::heading`] of a line that passed its quick test.
    #[inline(never)]
    fn marked_or_plain_heading(&self, line: &str, content: &str) -> Option<HeadingLine> {
        // (Told apart by the first and last bytes.)
        let bytes = content.as_bytes();
        match bytes.first() {
            Some(b'#') => return self.markdown_heading(line, content),
            Some(b'*' | b'_') => {
                let inner = headings::bold_inner(content)?;
                return self.within(line, inner, 0);
            }
            // `［＃…］` before, or `…］` after: an Aozora Bunko annotation.
            Some(0xef) => {}
            _ if bytes.last() == Some(&0xbd) => {}
            _ => return self.plain_heading(line, content),
        }
        let Some(text) = headings::without_annotations(content) else {
            return self.plain_heading(line, content);
        };
        match headings::aozora_level(content) {
            // An Aozora heading's size nests it as a Markdown heading's `#`s do.
            Some(level) => Some(self.marked(line, text, level)),
            None => self.within(line, text, 0),
        }
    }

    /// A Markdown heading (`## 第一章`, `### 注释`): the rules apply to its text; a text that
    /// no rule reads as a heading is still one, as Markdown marks it.
    fn markdown_heading(&self, line: &str, content: &str) -> Option<HeadingLine> {
        let (hashes, text) = headings::atx(content)?;
        Some(self.marked(line, text, hashes))
    }

    /// A heading whose markup gives it level `hashes` (`##`, `中見出し`): the heading `text` by
    /// the rules if it is one, else a [`HeadingKind::Marked`] heading.
    fn marked(&self, line: &str, text: &str, hashes: u8) -> HeadingLine {
        self.within(line, text, hashes).unwrap_or_else(|| {
            let start = offset_in(line, text);
            HeadingLine {
                level: 1,
                kind: HeadingKind::Marked,
                start,
                end: start + text.len(),
                atx: hashes,
            }
        })
    }

    /// The heading `text`, a part of `line`, is by the rules, placed in `line`.
    fn within(&self, line: &str, text: &str, atx: u8) -> Option<HeadingLine> {
        let start = offset_in(line, text);
        let heading = self.plain_heading(text, text)?;
        Some(HeadingLine {
            start: start + heading.start,
            end: start + heading.end,
            atx,
            ..heading
        })
    }

    #[inline]
    fn plain_heading(&self, line: &str, content: &str) -> Option<HeadingLine> {
        if !self.may_start_heading(content) {
            return None;
        }
        if self.is_builtin_headings() {
            return headings::classify(line);
        }
        headings::classify_by(line, |text| {
            headings::shape_by(
                text,
                |title| self.is_notes_title(title),
                |text| self.custom_level(text),
                |level| self.builtin_level(level),
            )
        })
    }

    #[inline]
    fn is_builtin_headings(&self) -> bool {
        self.notes_titles.is_none() && self.headings.iter().all(Option::is_none)
    }

    /// A cheap test every heading's text passes.
    #[inline(always)]
    fn may_start_heading(&self, content: &str) -> bool {
        scan::may_start_heading(content)
            || (!self.is_builtin_headings() && self.may_start_custom_heading(content))
    }

    /// Whether the user's rules may read `content` as a heading.
    #[inline(never)]
    fn may_start_custom_heading(&self, content: &str) -> bool {
        if self.headings.iter().any(Option::is_some) {
            return true;
        }
        let first = content.chars().next();
        self.notes_titles
            .iter()
            .flatten()
            .any(|title| title.chars().next() == first)
    }

    fn is_notes_title(&self, text: &str) -> bool {
        match &self.notes_titles {
            Some(titles) => {
                let title = headings::notes_title_form(text);
                titles.iter().any(|t| *t == title)
            }
            None => headings::is_notes_title(text),
        }
    }

    fn custom_level(&self, text: &str) -> Option<u8> {
        let level = self
            .headings
            .iter()
            .position(|h| h.as_ref().is_some_and(|h| h.at_start.is_match(text)))?;
        u8::try_from(level + 1).ok()
    }

    fn builtin_level(&self, level: u8) -> bool {
        let slot = usize::from(level).checked_sub(1);
        !slot
            .and_then(|i| self.headings.get(i))
            .is_some_and(Option::is_some)
    }

    /// The label that starts `content` (a note's line), after a Markdown list bullet if one
    /// comes first (`- 〔1〕…`): where it starts in `content`, its length, number and style.
    #[inline]
    pub fn label_at(&self, content: &str) -> Option<(usize, usize, u32, MarkerStyle)> {
        // An ideograph starts most lines, and no built-in label: rejected without a call.
        if matches!(content.as_bytes().first(), Some(0xe4..=0xe9)) && self.marker.is_none() {
            return None;
        }
        self.label_after_bullet(content)
    }

    /// [`Syntax::label_at`] of a line that passed its quick test.
    #[inline(never)]
    fn label_after_bullet(&self, content: &str) -> Option<(usize, usize, u32, MarkerStyle)> {
        let skip = match content.as_bytes() {
            [b'-' | b'*' | b'+', b' ', ..] => 2,
            _ => 0,
        };
        let rest = &content[skip..];
        let rest_start = skip + rest.len() - rest.trim_start_matches(' ').len();
        let (len, number, style) = self.label_start(&content[rest_start..])?;
        let after = &content[rest_start + len..];
        if headings::only_annotations(after) {
            // `（13）［＃「（13）」は縦中横］` alone: a poem's or a section's number.
            return None;
        }
        Some((rest_start, len, number, style))
    }

    /// The last number of a label that defines a range of notes (`〔42–44〕`), if `label` is
    /// one.
    pub fn range_last(&self, label: &str) -> Option<u32> {
        if self.marker.is_some() {
            return None;
        }
        marker_style::read_range(label)
            .filter(|&(len, _, _, style)| len == label.len() && !self.styles_off.contains(style))
            .map(|(_, _, last, _)| last)
    }

    /// The marker at the start of `content` (or a range label's first number): its length,
    /// number and style. Also a label right after another on its line (`〔2〕〔3〕〔4〕…` labels
    /// one entry for three notes).
    pub fn label_start(&self, content: &str) -> Option<(usize, u32, MarkerStyle)> {
        match &self.marker {
            None => marker_style::read(content)
                .map(|read| (read.len, read.number, read.style))
                .or_else(|| {
                    marker_style::read_range(content)
                        .map(|(len, first, _, style)| (len, first, style))
                })
                .filter(|&(_, _, style)| !self.styles_off.contains(style)),
            Some(pattern) => {
                let captures = pattern.at_start.at_start.captures(content)?;
                let whole = captures.get(0)?;
                let number = number(captures.get(pattern.group)?.as_str())?;
                Some((whole.end(), number, MarkerStyle::Pattern))
            }
        }
    }

    /// Every marker of `text`, which starts at byte `base` of the document, at a line start.
    pub fn markers(&self, text: &str, base: usize) -> Vec<Marker> {
        let Some(pattern) = &self.marker else {
            return scan::markers(text, base, self.styles_off);
        };
        let mut found = Vec::new();
        for span in pattern.lines_with_markers(text) {
            let line = &text[span.start..span.end];
            for captures in pattern.anywhere.captures_iter(line) {
                let (Some(whole), Some(digits)) = (captures.get(0), captures.get(pattern.group))
                else {
                    continue;
                };
                let Some(n) = number(digits.as_str()) else {
                    continue;
                };
                let (start, end) = (span.start + whole.start(), span.start + whole.end());
                if whole.is_empty()
                    || marker_style::is_document_number(&text[..start], &text[end..])
                {
                    continue;
                }
                let range = TextRange::new(start, end).shifted(base);
                found.push(Marker::new(range, n, MarkerStyle::Pattern));
            }
        }
        found
    }

    /// Where a marker ending `text` starts, if one does.
    pub fn marker_ending(&self, text: &str) -> Option<usize> {
        match &self.marker {
            None => marker_style::ending(text, self.styles_off),
            Some(pattern) => pattern
                .anywhere
                .find_iter(text)
                .filter(|m| m.end() == text.len() && !m.is_empty())
                .map(|m| m.start())
                .next(),
        }
    }

    /// Whether `content` holds the start of a marker (a wrapped title's tail has none).
    pub fn has_marker(&self, content: &str) -> bool {
        match &self.marker {
            None => !marker_style::find(content, self.styles_off).is_empty(),
            Some(pattern) => pattern.anywhere.is_match(content),
        }
    }
}

impl MarkerPattern {
    /// The lines of `text` (without their line breaks) that may hold a marker: each line
    /// where the pattern matches when run over the whole text. A match within a line is one
    /// over the whole text too (`^` and `$` match at every line break, and `\A`/`\z` are not
    /// used), so no line with a marker is skipped; a line is then searched on its own.
    fn lines_with_markers<'t>(
        &'t self,
        text: &'t str,
    ) -> Box<dyn Iterator<Item = Range<usize>> + 't> {
        let Some(across_lines) = &self.across_lines else {
            return Box::new(line_spans(text).map(|span| span.start..span.end));
        };
        let bytes = text.as_bytes();
        let mut from = Some(0);
        Box::new(std::iter::from_fn(move || {
            let found = across_lines.find_at(text, from?)?.start();
            let start = memchr::memrchr2(b'\n', b'\r', &bytes[..found]).map_or(0, |i| i + 1);
            let end =
                memchr::memchr2(b'\n', b'\r', &bytes[found..]).map_or(text.len(), |i| found + i);
            from = match bytes.get(end..) {
                None | Some([]) => None,
                Some([b'\r', b'\n', ..]) => Some(end + 2),
                Some(_) => Some(end + 1),
            };
            Some(start..end)
        }))
    }
}

/// Where `part`, a slice of `whole`, starts in it.
fn offset_in(whole: &str, part: &str) -> usize {
    let at = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    at.min(whole.len().saturating_sub(part.len()))
}

/// A note number written in ASCII or full-width digits, or in Chinese numerals.
fn number(text: &str) -> Option<u32> {
    if text.chars().all(|c| digit_value(c).is_some()) {
        parse_digits(text)
    } else {
        parse_chinese(text)
    }
    .filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(syntax: &Syntax, line: &str) -> Option<(u8, HeadingKind)> {
        let (_, content) = scan::trim(line)?;
        syntax.heading(line, content).map(|h| (h.level, h.kind))
    }

    fn found(syntax: &Syntax, text: &str) -> Vec<(usize, usize, u32)> {
        let markers = syntax.markers(text, 0);
        markers
            .iter()
            .map(|m| (m.range.start, m.range.end, m.number))
            .collect()
    }

    #[test]
    fn a_level_pattern_replaces_that_level_only() {
        let mut syntax = Syntax::default();
        syntax.set_heading_pattern(2, r"[A-Z]\. ").unwrap();
        assert_eq!(
            heading(&syntax, "B. Methods"),
            Some((2, HeadingKind::Numbered))
        );
        assert_eq!(heading(&syntax, "（一）甲"), None);
        assert_eq!(heading(&syntax, "一、甲"), Some((1, HeadingKind::Numbered)));
        assert_eq!(heading(&syntax, "B. Methods end here."), None);
        assert_eq!(heading(&syntax, "註釋："), Some((1, HeadingKind::Notes)));
        assert!(!syntax.is_default());
    }

    #[test]
    fn notes_titles_replace_the_built_in_ones() {
        let mut syntax = Syntax::default();
        syntax
            .set_notes_titles(&["參考資料：".to_string(), "Notes".to_string()])
            .unwrap();
        assert_eq!(heading(&syntax, "參考資料"), Some((1, HeadingKind::Notes)));
        assert_eq!(heading(&syntax, "Notes:"), Some((1, HeadingKind::Notes)));
        assert_eq!(heading(&syntax, "註釋："), None);
    }

    #[test]
    fn a_marker_pattern_finds_markers_and_labels_with_their_numbers() {
        let mut syntax = Syntax::default();
        syntax.set_marker_pattern(r"\[(\d+)\]").unwrap();
        assert_eq!(
            found(&syntax, "甲[1]乙[２]\n丙[x][30]"),
            [(3, 6, 1), (9, 14, 2), (21, 25, 30)]
        );
        assert_eq!(
            syntax.label_at("[12] 註文"),
            Some((0, 4, 12, MarkerStyle::Pattern))
        );
        assert_eq!(syntax.label_at("註文[12]"), None);
        assert_eq!(syntax.marker_ending("句。[3]"), Some(6));
        syntax
            .set_marker_pattern(r"注(?P<number>[一二三四五六七八九十]+)")
            .unwrap();
        assert_eq!(found(&syntax, "甲注十二乙"), [(3, 12, 12)]);
    }

    proptest::proptest! {
        /// Searching over many lines to skip those without a marker finds what searching
        /// each line finds, whatever the pattern's anchors and the line breaks.
        #[test]
        fn markers_found_across_lines_are_those_found_line_by_line(
            pattern in proptest::sample::select(&[
                r"\[(\d+)\]", r"(\d+)$", r"^(\d+)", r"\[(\d+)\s*\]", r".(\d)", r"\b(\d+)\b",
                r"〔(\d+)〕", r"(\d)\s", r"(?s).(\d)",
            ][..]),
            pieces in proptest::collection::vec(proptest::sample::select(&[
                "[", "]", "1", "23", " ", "\n", "\r", "\r\n", "a", "〔", "〕", "\n\n",
            ][..]), 0..30),
        ) {
            let text = pieces.concat();
            let mut syntax = Syntax::default();
            syntax.set_marker_pattern(pattern).unwrap();
            let mut line_by_line = syntax.clone();
            if let Some(marker) = &mut line_by_line.marker {
                marker.across_lines = None;
            }
            proptest::prop_assert_eq!(found(&syntax, &text), found(&line_by_line, &text));
        }
    }

    #[test]
    fn patterns_that_cannot_work_are_refused() {
        let mut syntax = Syntax::default();
        assert!(syntax
            .set_marker_pattern(r"\[\d+\]")
            .unwrap_err()
            .contains("group"));
        assert!(syntax
            .set_marker_pattern(r"(\d*)")
            .unwrap_err()
            .contains("empty"));
        assert!(syntax
            .set_heading_pattern(1, r"第(")
            .unwrap_err()
            .starts_with("not a valid pattern"));
        assert!(syntax.set_heading_pattern(4, "x").is_err());
        assert!(syntax.set_notes_titles(&[" ".into()]).is_err());
        assert!(syntax.is_default());
    }

    #[test]
    fn the_default_syntax_is_the_built_in_rules() {
        let syntax = Syntax::default();
        assert_eq!(found(&syntax, "甲〔1〕乙國發〔2023〕5號"), [(3, 10, 1)]);
        assert_eq!(
            syntax.label_at("〔4〕註"),
            Some((0, 7, 4, MarkerStyle::Tortoise))
        );
        assert_eq!(
            heading(&syntax, "（一）甲"),
            Some((2, HeadingKind::Numbered))
        );
    }
}
