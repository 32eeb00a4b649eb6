//! Hover: on a marker, the note it cites; on a note's label, where it is cited.

use std::sync::OnceLock;

use regex::Regex;
use ropey::Rope;

use super::links::is_url_char;
use super::references::{citations, NoteTarget};
use crate::analysis::{join_lines, Analysis, Note};
use crate::text::TextRange;

/// What a hover shows, over the marker or label it is about, written in `markup`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub text: String,
    pub markup: Markup,
}

/// How a hover or a note's documentation is written: Markdown for a client that shows it,
/// plain text for one that does not say it does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Markup {
    Markdown,
    #[default]
    PlainText,
}

impl Markup {
    /// `text` in bold.
    fn strong(self, text: &str) -> String {
        match self {
            Markup::Markdown => format!("**{text}**"),
            Markup::PlainText => text.to_string(),
        }
    }
}

pub fn hover(analysis: &Analysis, text: &Rope, offset: usize, markup: Markup) -> Option<Hover> {
    if let Some(marker) = analysis.marker_at(offset) {
        let shown = match analysis.note_of(marker) {
            Some(note) => note_text(text, note, markup),
            None => missing_text(
                &name(text, marker.range, marker.offset, marker.number),
                marker.scope().is_some(),
                markup,
            ),
        };
        return Some(Hover {
            range: marker.range,
            text: shown,
            markup,
        });
    }
    let note = analysis.note_label_at(offset)?;
    let target = NoteTarget::from(note);
    let citations = citations(analysis, target);
    Some(Hover {
        range: note.label,
        text: citations_text(
            text,
            &name(text, note.label, note.offset, note.number),
            &citations,
            markup,
        ),
        markup,
    })
}

/// The note's number, then its text with its printed lines joined and (in Markdown) its
/// URLs as links.
pub fn note_text(text: &Rope, note: &Note, markup: Markup) -> String {
    let body = text
        .byte_slice(note.label.end..note.range.end.max(note.label.end))
        .to_string();
    let joined = mend_urls(&join_lines(&body));
    let title = markup.strong(&format!(
        "Note {}",
        name(text, note.label, note.offset, note.number)
    ));
    match markup {
        Markup::Markdown => format!("{title}\n\n{}", with_links(&joined)),
        Markup::PlainText => format!("{title}\n\n{joined}"),
    }
}

/// How a note is named: as its label or marker is written (`〔3〕`, `⑶`), with its number when
/// a continued glyph series numbers it on (`① (21)`).
fn name(text: &Rope, range: TextRange, offset: u16, number: u32) -> String {
    let written = text
        .get_byte_slice(range.start..range.end)
        .map(String::from)
        .unwrap_or_default();
    match offset {
        0 => written,
        _ => format!("{written} ({number})"),
    }
}

fn missing_text(name: &str, in_a_scope: bool, markup: Markup) -> String {
    let title = markup.strong(&format!("Note {name}"));
    if in_a_scope {
        format!("{title} has no entry in 註釋.")
    } else {
        format!("{title}: no notes section (註釋) follows this marker.")
    }
}

/// How many times and on which lines (counted from 1) the note is cited.
fn citations_text(text: &Rope, name: &str, citations: &[TextRange], markup: Markup) -> String {
    let title = markup.strong(&format!("Note {name}"));
    if citations.is_empty() {
        return format!("{title} is never cited in the text.");
    }
    let mut lines: Vec<usize> = citations
        .iter()
        .map(|c| text.byte_to_line(c.start.min(text.len_bytes())) + 1)
        .collect();
    lines.dedup();
    let times = match citations.len() {
        1 => "once".to_string(),
        n => format!("{n} times"),
    };
    let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
    let on = if lines.len() == 1 { "line" } else { "lines" };
    format!("{title} is cited {times}: {on} {}.", lines.join(", "))
}

/// URLs that PDF extraction broke across lines come back from joining with a space inside
/// them (`https:// www.example.com/a/ b-c/`): a space is dropped when the URL before it ends
/// where a line could break (`/`, `-`, `.`, `_`, `=`, `&`, `?`) and what follows it is more of
/// a URL (URL characters, with a `/` or a `.` in them).
fn mend_urls(text: &str) -> String {
    let mut mended = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = [rest.find("http://"), rest.find("https://")]
        .into_iter()
        .flatten()
        .min()
    {
        mended.push_str(&rest[..start]);
        let mut url = &rest[start..];
        loop {
            let end = url.find(|c: char| !is_url_char(c)).unwrap_or(url.len());
            mended.push_str(&url[..end]);
            let after = &url[end..];
            let next = after.strip_prefix(' ').unwrap_or("");
            let piece_end = next.find(|c: char| !is_url_char(c)).unwrap_or(next.len());
            let piece = &next[..piece_end];
            let breakable = url[..end].ends_with(['/', '-', '.', '_', '=', '&', '?']);
            if breakable && !piece.is_empty() && piece.contains(['/', '.']) {
                url = next;
                continue;
            }
            rest = after;
            break;
        }
    }
    mended.push_str(rest);
    mended
}

/// `text` as Markdown that shows it as it is, its URLs made links.
fn with_links(text: &str) -> String {
    static URL: OnceLock<Regex> = OnceLock::new();
    let url = URL.get_or_init(|| {
        // ASCII URL characters only: CJK punctuation right after a URL ends it.
        Regex::new(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+").expect("a valid regex")
    });
    let mut markdown = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for found in url.find_iter(text) {
        // Sentence punctuation after a URL is not part of it.
        let link = found
            .as_str()
            .trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
        push_escaped(&mut markdown, &text[last..found.start()]);
        markdown.push_str(&format!("[{}](<{link}>)", escape(link)));
        last = found.start() + link.len();
    }
    push_escaped(&mut markdown, &text[last..]);
    markdown
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    push_escaped(&mut escaped, text);
    escaped
}

/// Backslash-escapes the characters Markdown would read as markup.
fn push_escaped(markdown: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!'
        ) {
            markdown.push('\\');
        }
        markdown.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixture::Fixture;
    use expect_test::{expect, Expect};

    fn check(fixture: &str, expected: Expect) {
        let fixture = Fixture::parse(fixture);
        let analysis = Analysis::new(&fixture.text);
        let rope = Rope::from_str(&fixture.text);
        let shown = hover(&analysis, &rope, fixture.cursor, Markup::Markdown)
            .map_or(String::new(), |h| {
                format!("{}\n{}", &fixture.text[h.range.start..h.range.end], h.text)
            });
        expected.assert_eq(&shown);
    }

    const NOTES: &str = "\n\n註釋：\n〔1〕日本讀賣新聞社論，\n\n見https://www.yomiuri.co.jp/editorial/。\n〔2〕Smith, *Notes*\n\nand more.";

    #[test]
    fn on_a_marker_the_note_with_its_lines_joined_and_its_urls_linked() {
        check(
            &format!("正文〔$01〕。{NOTES}"),
            expect![[r#"
                〔1〕
                **Note 〔1〕**

                日本讀賣新聞社論，見[https://www.yomiuri.co.jp/editorial/](<https://www.yomiuri.co.jp/editorial/>)。"#]],
        );
        // Latin lines joined with a space; markup characters shown as they are.
        check(
            &format!("正文〔2$0〕。{NOTES}"),
            expect![[r#"
                〔2〕
                **Note 〔2〕**

                Smith, \*Notes\* and more."#]],
        );
    }

    #[test]
    fn urls_broken_across_lines_are_mended() {
        assert_eq!(
            mend_urls("見https:// www.arabnews.jp/article/japan/ article_66759/。後"),
            "見https://www.arabnews.jp/article/japan/article_66759/。後"
        );
        assert_eq!(
            mend_urls(
                "2023. https:// edit3-1.crntt.com/world/south-korea- us-japan-hold-2023-04-03/ ok"
            ),
            "2023. https://edit3-1.crntt.com/world/south-korea-us-japan-hold-2023-04-03/ ok"
        );
        // Words after a complete URL stay apart.
        assert_eq!(
            mend_urls("see https://a.com/ and more, http://b.org x"),
            "see https://a.com/ and more, http://b.org x"
        );
    }

    #[test]
    fn on_a_marker_without_a_note() {
        check(&format!("正文〔𠮷$03〕〔3〕{NOTES}"), expect![""]);
        check(
            &format!("𠮷〔$03〕{NOTES}"),
            expect![[r#"
                〔3〕
                **Note 〔3〕** has no entry in 註釋."#]],
        );
        check(
            "𠮷〔$03〕",
            expect![[r#"
                〔3〕
                **Note 〔3〕**: no notes section (註釋) follows this marker."#]],
        );
    }

    #[test]
    fn on_a_label_where_it_is_cited() {
        check(
            &format!(
                "甲〔1〕\n\n乙〔1〕丙〔１〕\n{}",
                NOTES.replacen("〔1〕日本", "$0〔1〕日本", 1)
            ),
            expect![[r#"
                〔1〕
                **Note 〔1〕** is cited 3 times: lines 1, 3."#]],
        );
        check(
            &format!(
                "甲〔1〕\n{}",
                NOTES.replacen("〔2〕Smith", "〔2$0〕Smith", 1)
            ),
            expect![[r#"
                〔2〕
                **Note 〔2〕** is never cited in the text."#]],
        );
    }

    #[test]
    fn nothing_elsewhere() {
        check(&format!("正$0文〔1〕{NOTES}"), expect![""]);
    }

    #[test]
    fn plain_text_for_a_client_that_does_not_show_markdown() {
        let fixture = Fixture::parse(&format!("正文〔$01〕〔2〕。{NOTES}"));
        let analysis = Analysis::new(&fixture.text);
        let rope = Rope::from_str(&fixture.text);
        let shown =
            |offset| hover(&analysis, &rope, offset, Markup::PlainText).map(|h| (h.text, h.markup));
        let (text, markup) = shown(fixture.cursor).unwrap();
        assert_eq!(markup, Markup::PlainText);
        assert_eq!(
            text,
            "Note 〔1〕\n\n日本讀賣新聞社論，見https://www.yomiuri.co.jp/editorial/。"
        );
        let second = fixture.text.find("〔2〕").unwrap();
        assert_eq!(
            shown(second).unwrap().0,
            "Note 〔2〕\n\nSmith, *Notes* and more."
        );
        let label = fixture.text.rfind("〔1〕").unwrap();
        assert_eq!(shown(label).unwrap().0, "Note 〔1〕 is cited once: line 1.");
    }
}
