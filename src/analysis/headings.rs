//! Recognising a heading from one line's text alone.
//!
//! Whether a heading line continues on the next line (a PDF-wrapped heading) depends on the
//! document's line width and is decided in `analysis::build`, not here.

use super::numerals::{chinese_prefix_len, digits_prefix_len, parse_chinese, parse_digits};

/// Headings are short: a longer line is body text even when it starts like a heading.
pub const MAX_HEADING_CHARS: usize = 40;

/// Unnumbered section titles that stand alone on their line (level 1).
const SECTION_TITLES: &[&str] = &[
    "前言",
    "引言",
    "導論",
    "导论",
    "結語",
    "结语",
    "結論",
    "结论",
    "餘論",
    "余论",
    "參考文獻",
    "参考文献",
    "附錄",
    "附录",
    "附件",
];

/// What an appendix's title starts with (`附录：关于某某问题的决议`, `附表一　…`): a
/// top-level heading, whose text is a scope of its own.
const APPENDIX_WORDS: [&str; 5] = ["附录", "附錄", "附件", "附表", "附図"];

/// Titles that open a notes section (as [`notes_title_form`] gives them).
const NOTES_TITLES: &[&str] = &[
    "註釋",
    "注釋",
    "注释",
    "註",
    "注",
    "附注",
    "附註",
    "校注",
    "校註",
    "譯注",
    "譯註",
    "译注",
    "訳注",
    "原注",
    "原註",
    "注解",
    "註解",
    "Notes",
    "NOTES",
    "Footnotes",
    "FOOTNOTES",
    "Endnotes",
    "ENDNOTES",
];

/// Whether a line's text is a built-in notes title (compared as [`notes_title_form`] gives
/// it).
pub fn is_notes_title(text: &str) -> bool {
    // Every built-in title has one of these: most lines are rejected without a copy.
    if !(has_notes_word(text) || memchr::memchr2(b'o', b'O', text.as_bytes()).is_some()) {
        return false;
    }
    let form = notes_title_form(text);
    NOTES_TITLES.contains(&&*form) || is_collation_title(&form)
}

/// Whether `text` holds 注, 註 or 校, one of which every built-in CJK notes title has.
fn has_notes_word(text: &str) -> bool {
    // (Found by their first bytes, `\xe6` and `\xe8`: the titles' lines are short, and a
    // search for a character or a set of them costs more to set up than to run on them.)
    const WORDS: [&str; 3] = ["注", "註", "校"];
    let bytes = text.as_bytes();
    memchr::memchr2_iter(0xe6, 0xe8, bytes).any(|at| {
        WORDS
            .iter()
            .any(|word| bytes[at..].starts_with(word.as_bytes()))
    })
}

/// Collation notes' titles: `校記`, `校勘记`, and those that name their editor
/// (`【某某校記】`).
fn is_collation_title(form: &str) -> bool {
    const TITLES: [&str; 4] = ["校記", "校记", "校勘記", "校勘记"];
    const MAX_NAME_CHARS: usize = 4;
    TITLES.iter().any(|title| {
        form.strip_suffix(title).is_some_and(|name| {
            name.chars().count() <= MAX_NAME_CHARS && !name.contains(is_sentence_punctuation)
        })
    })
}

/// The longest a notes title's line may be (`【 注 释 】：` and the user's longer titles).
const MAX_NOTES_TITLE_BYTES: usize = 64;

/// Marks set before a title to decorate it (`□注释`, `■注`).
fn is_decoration(c: char) -> bool {
    matches!(
        c,
        '□' | '■'
            | '◇'
            | '◆'
            | '○'
            | '●'
            | '◎'
            | '※'
            | '★'
            | '☆'
            | '▲'
            | '△'
            | '▼'
            | '▽'
            | '►'
            | '▶'
    )
}

/// A title line's text as notes titles are compared: without spaces inside it (`注　　释`),
/// decorations before it (`□注释`), the brackets around it (`【注釋】`, `〖注〗`) and a final
/// colon.
pub fn notes_title_form(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.trim_matches(is_space).trim_end_matches(['：', ':']);
    let text = text.trim_start_matches(is_decoration);
    let text = [('【', '】'), ('〖', '〗')]
        .iter()
        .find_map(|&(open, close)| text.strip_prefix(open)?.strip_suffix(close))
        .unwrap_or(text)
        .trim_end_matches(['：', ':']);
    if text.contains(is_space) {
        text.chars()
            .filter(|&c| !is_space(c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeadingKind {
    /// `一、`, `（一）`, `1.`, `第一章` …
    Numbered,
    /// An unnumbered section title such as `結語`.
    Titled,
    /// The title of a notes section (`註釋：`).
    Notes,
    /// A Markdown heading (`# 题目`) whose text no rule reads as a heading: a heading all the
    /// same, but not what makes a text marginalia's (a README has them).
    Marked,
}

/// A heading as seen on a single line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadingLine {
    /// 1 is the top level.
    pub level: u8,
    pub kind: HeadingKind,
    /// Byte offsets, within the line, of the heading text without surrounding spaces (and
    /// without Markdown's `#`s and `**`).
    pub start: usize,
    pub end: usize,
    /// The level markup gives the heading: how many `#`s mark a Markdown heading
    /// (`## 第一章`), or the size of an Aozora Bunko one (中見出し is 2); 0 for a line without.
    pub atx: u8,
}

/// Whether `c` is the first character of an unnumbered section title or a notes title.
/// (A `match`, not a search of the lists: it runs on every line of the document.)
pub fn starts_a_section_title(c: char) -> bool {
    matches!(
        c,
        '前' | '引'
            | '導'
            | '导'
            | '結'
            | '结'
            | '餘'
            | '余'
            | '參'
            | '参'
            | '附'
            | '註'
            | '注'
            | '校'
            | '譯'
            | '译'
            | '訳'
            | '原'
            | '【'
            | '〖'
            | 'N'
            | 'F'
            | 'E'
    ) || is_decoration(c)
}

/// Spaces that PDF extraction and CJK typesetting leave around a line's text.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}' | '\u{a0}')
}

/// Punctuation that ends a sentence or a clause: a line ending with one is body text.
pub fn is_sentence_punctuation(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '；' | '，' | '.' | '!' | '?' | ';' | ','
    )
}

fn is_closing_quote(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '》' | '〉')
}

/// Classifies one line (without its line break) by the built-in rules.
pub fn classify(line: &str) -> Option<HeadingLine> {
    classify_by(line, |text| {
        shape_by(text, is_notes_title, |_| None, |_| true)
    })
}

/// The number of characters of `text`: its bytes that are not a character's continuation.
fn char_count(text: &str) -> usize {
    // Counted in u8 over chunks short enough not to overflow, which vectorises (see
    // `scan::display_width`).
    text.as_bytes()
        .chunks(255)
        .map(|chunk| {
            let count = chunk.iter().fold(0u8, |sum, &b| {
                sum.wrapping_add(u8::from((b as i8) >= -0x40))
            });
            usize::from(count)
        })
        .sum()
}

/// Classifies one line by `shape`, which sees the line's text without surrounding spaces and
/// only when that text could be a heading: short, and not ending a sentence.
pub fn classify_by(
    line: &str,
    shape: impl FnOnce(&str) -> Option<(u8, HeadingKind)>,
) -> Option<HeadingLine> {
    let start = line.len() - line.trim_start_matches(is_space).len();
    let text = line[start..].trim_end_matches(is_space);
    // (A character is at most 4 bytes: a longer text is told without counting; the count
    // is of the bytes that start a character, which needs no decoding.)
    let too_long = text.len() > 4 * MAX_HEADING_CHARS
        || (text.len() > MAX_HEADING_CHARS && char_count(text) > MAX_HEADING_CHARS);
    if text.is_empty() || too_long {
        return None;
    }
    let last_meaningful = text.trim_end_matches(is_closing_quote).chars().next_back();
    if last_meaningful.is_some_and(is_sentence_punctuation) {
        return None;
    }
    let (level, kind) = shape(text)?;
    // A heading stands alone on its line: a full stop or a semicolon inside it, or a second
    // item (`（一）……，（二）……`), makes it a sentence or a list.
    if text.contains('。') || text.contains('；') || text.contains(';') || has_second_item(text) {
        return None;
    }
    Some(HeadingLine {
        level,
        kind,
        start,
        end: start + text.len(),
        atx: 0,
    })
}

/// The most `#`s a Markdown heading has.
const MAX_ATX: usize = 6;

/// A Markdown ATX heading's `#`s and its text: `## 第一章　总论` (a space after the `#`s,
/// closing `#`s dropped), `None` for a line that is no such heading (`#話題#`).
pub fn atx(content: &str) -> Option<(u8, &str)> {
    let hashes = content.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > MAX_ATX {
        return None;
    }
    let rest = &content[hashes..];
    let text = rest.trim_start_matches(is_space);
    if text.len() == rest.len() {
        return None;
    }
    // Closing `#`s count only after a space (`# C#` keeps its `#`).
    let closed = text.trim_end_matches('#');
    let text = if closed.len() < text.len() && closed.ends_with(is_space) {
        closed.trim_end_matches(is_space)
    } else {
        text
    };
    let text = bold_inner(text).unwrap_or(text);
    (!text.is_empty()).then(|| (u8::try_from(hashes).unwrap_or(1), text))
}

/// A line's text without the Aozora Bunko annotations around it
/// (`［＃４字下げ］訳注［＃「訳注」は中見出し］` → `訳注`); `None` for a line without them.
pub fn without_annotations(content: &str) -> Option<&str> {
    const OPEN: &str = "［＃";
    if !(content.starts_with(OPEN) || content.ends_with('］') && content.contains(OPEN)) {
        return None;
    }
    let mut text = content;
    while let Some(rest) = text.strip_prefix(OPEN) {
        text = &rest[rest.find('］')? + '］'.len_utf8()..];
    }
    while text.ends_with('］') {
        let open = text.rfind(OPEN)?;
        // (The annotation is the whole end: `……［1］` after one is no annotation.)
        if text[open..].find('］')? + '］'.len_utf8() != text.len() - open {
            return None;
        }
        text = &text[..open];
    }
    let text = text.trim_matches(is_space);
    (!text.is_empty() && text.len() < content.len()).then_some(text)
}

/// Whether `text` holds Aozora Bunko annotations (`［＃…］`), at least one, and nothing else
/// but spaces.
pub fn only_annotations(text: &str) -> bool {
    const OPEN: &str = "［＃";
    let mut rest = text.trim_matches(is_space);
    if !rest.starts_with(OPEN) {
        return false;
    }
    while let Some(inside) = rest.strip_prefix(OPEN) {
        let Some(close) = inside.find('］') else {
            return false;
        };
        rest = inside[close + '］'.len_utf8()..].trim_start_matches(is_space);
    }
    rest.is_empty()
}

/// The level an Aozora Bunko annotation gives a heading line (`［＃「第一章」は大見出し］`,
/// `［＃中見出し］…［＃中見出し終わり］`): 1, 2 or 3 for 大, 中 and 小見出し. A heading set on
/// the same line as its text (同行見出し) or beside it (窓見出し) is not the line's.
pub fn aozora_level(content: &str) -> Option<u8> {
    let at = content.find("見出し")?;
    let before = &content[..at];
    let size = before.chars().next_back()?;
    let level = match size {
        '大' => 1,
        '中' => 2,
        '小' => 3,
        _ => return None,
    };
    let kind = &before[..before.len() - size.len_utf8()];
    let marks_line = kind.ends_with('は') || kind.ends_with("［＃");
    marks_line.then_some(level)
}

/// The text inside `**…**` or `__…__` around a whole line's text.
pub fn bold_inner(text: &str) -> Option<&str> {
    ["**", "__"].iter().find_map(|mark| {
        let inner = text.strip_prefix(mark)?.strip_suffix(mark)?;
        let inner = inner.trim_matches(is_space);
        (!inner.is_empty() && !inner.contains(mark)).then_some(inner)
    })
}

/// The heading shape of a line's text: a notes title (as `is_notes_title` says of the text),
/// an unnumbered section title, a level from `custom` (the user's
/// patterns), or a built-in numbering whose level `builtin_level` keeps.
pub fn shape_by(
    text: &str,
    is_notes_title: impl Fn(&str) -> bool,
    custom: impl Fn(&str) -> Option<u8>,
    builtin_level: impl Fn(u8) -> bool,
) -> Option<(u8, HeadingKind)> {
    // A notes title is short, even with its spaces and ornaments.
    if text.len() <= MAX_NOTES_TITLE_BYTES && is_notes_title(text) {
        return Some((1, HeadingKind::Notes));
    }
    let title = text.trim_end_matches(['：', ':']);
    if SECTION_TITLES.contains(&title) || is_appendix_title(title) {
        return Some((1, HeadingKind::Titled));
    }
    if let Some(level) = custom(text) {
        return Some((level, HeadingKind::Numbered));
    }
    let level = chapter_level(text)
        .or_else(|| enumerated_level(text))
        .or_else(|| parenthesised_level(text))
        .filter(|&level| builtin_level(level))?;
    Some((level, HeadingKind::Numbered))
}

/// `附录：关于某某问题的决议`, `附件一：…`, `附表二　…`: an appendix word, perhaps a numeral,
/// then a colon or a space and its title.
fn is_appendix_title(title: &str) -> bool {
    let Some(rest) = APPENDIX_WORDS.iter().find_map(|w| title.strip_prefix(w)) else {
        return false;
    };
    let rest = &rest[chinese_prefix_len(rest).max(digits_prefix_len(rest))..];
    let Some(name) = rest.strip_prefix(['：', ':', '　', ' ']) else {
        return false;
    };
    has_title(name)
}

/// `第X编` (level 0: above the chapters, see `assemble::Levels`), `第X章` / `第X部` /
/// `第X篇` (level 1) and `第X節` / `第X节` (level 2).
fn chapter_level(text: &str) -> Option<u8> {
    let rest = text.strip_prefix('第')?;
    let numeral_len = match digits_prefix_len(rest) {
        0 => chinese_prefix_len(rest),
        n => n,
    };
    let (numeral, rest) = rest.split_at(numeral_len);
    parse_digits(numeral).or_else(|| parse_chinese(numeral))?;
    match rest.chars().next()? {
        // `第一编　总则` › `第一章` › `第一节`: a book of 编 lifts the levels below it.
        '编' | '編' => Some(0),
        '章' | '部' | '篇' => Some(1),
        '節' | '节' => Some(2),
        _ => None,
    }
}

/// `一、` (level 1) and `1.` `1．` `1、` (level 3), each followed by a title.
fn enumerated_level(text: &str) -> Option<u8> {
    let chinese_len = chinese_prefix_len(text);
    if chinese_len > 0 {
        let title = text[chinese_len..].strip_prefix('、')?;
        parse_chinese(&text[..chinese_len]).filter(|&n| n <= 99)?;
        return has_title(title).then_some(1);
    }
    let digits_len = digits_prefix_len(text);
    if digits_len == 0 || text[..digits_len].chars().count() > 3 {
        return None;
    }
    parse_digits(&text[..digits_len])?;
    let title = text[digits_len..].strip_prefix(['.', '．', '、'])?;
    // `1.5 倍` is a number, not a heading.
    let continues_number = title.chars().next().and_then(super::numerals::digit_value);
    (has_title(title) && continues_number.is_none()).then_some(3)
}

/// `（一）` / `(一)` (level 2) and `（1）` / `(1)` (level 3), each followed by a title.
fn parenthesised_level(text: &str) -> Option<u8> {
    let inner = text.strip_prefix(['（', '('])?;
    let close = inner.find(['）', ')'])?;
    let (number, after) = inner.split_at(close);
    let title = after.strip_prefix(['）', ')'])?;
    if !has_title(title) {
        return None;
    }
    if parse_chinese(number).is_some_and(|n| n <= 99) {
        Some(2)
    } else if number.chars().count() <= 3 && parse_digits(number).is_some() {
        Some(3)
    } else {
        None
    }
}

/// Whether a `（二）` or `(2)` follows somewhere after the start of `text`.
fn has_second_item(text: &str) -> bool {
    text.char_indices()
        .filter(|&(at, c)| at > 0 && matches!(c, '（' | '('))
        .any(|(at, c)| closes_an_item(&text[at + c.len_utf8()..]))
}

/// Whether `text` (after an opening parenthesis) is an item's number and its closing one: at
/// most two digits or three numerals (`（1945）` is a year).
fn closes_an_item(text: &str) -> bool {
    let (len, most) = match digits_prefix_len(text) {
        0 => (chinese_prefix_len(text), 3),
        digits => (digits, 2),
    };
    (1..=most).contains(&text[..len].chars().count()) && text[len..].starts_with(['）', ')'])
}

fn has_title(rest: &str) -> bool {
    !rest.trim_start_matches(is_space).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aozora_annotations_around_a_heading() {
        assert_eq!(
            without_annotations("［＃４字下げ］訳注［＃「訳注」は中見出し］"),
            Some("訳注")
        );
        assert_eq!(without_annotations("［＃改ページ］"), None);
        assert_eq!(without_annotations("本文［1］"), None);
        assert_eq!(without_annotations("［＃２字下げ］甲［＃注］乙［1］"), None);
        assert_eq!(
            aozora_level("［＃４字下げ］訳注［＃「訳注」は中見出し］"),
            Some(2)
        );
        assert_eq!(
            aozora_level("［＃大見出し］第一［＃大見出し終わり］"),
            Some(1)
        );
        assert_eq!(aozora_level("甲［＃「甲」は小見出し］"), Some(3));
        assert_eq!(aozora_level("甲［＃「甲」は同行小見出し］　本文"), None);
        assert_eq!(aozora_level("甲［＃「甲」は窓中見出し］"), None);
        assert_eq!(aozora_level("［＃２字下げ］甲"), None);
        assert!(only_annotations("［＃「（13）」は縦中横］"));
        assert!(!only_annotations("［＃「（13）」は縦中横］　甲"));
        assert!(!only_annotations(""));
    }

    fn shape(line: &str) -> Option<(u8, HeadingKind, &str)> {
        classify(line).map(|h| (h.level, h.kind, &line[h.start..h.end]))
    }

    #[test]
    fn numbered_levels() {
        use HeadingKind::*;
        assert_eq!(
            shape("一、戰略性接近的內外動因"),
            Some((1, Numbered, "一、戰略性接近的內外動因"))
        );
        assert_eq!(shape("十二、餘論"), Some((1, Numbered, "十二、餘論")));
        assert_eq!(shape("第三章 結構"), Some((1, Numbered, "第三章 結構")));
        assert_eq!(shape("第12篇"), Some((1, Numbered, "第12篇")));
        assert_eq!(shape("第二節 方法"), Some((2, Numbered, "第二節 方法")));
        assert_eq!(shape("第二节"), Some((2, Numbered, "第二节")));
        assert_eq!(
            shape("（一）俄烏衝突：助推日韓戰略轉型"),
            Some((2, Numbered, "（一）俄烏衝突：助推日韓戰略轉型"))
        );
        assert_eq!(shape("(三)半形括號"), Some((2, Numbered, "(三)半形括號")));
        assert_eq!(shape("1. 方法"), Some((3, Numbered, "1. 方法")));
        assert_eq!(shape("２．方法"), Some((3, Numbered, "２．方法")));
        assert_eq!(shape("3、方法"), Some((3, Numbered, "3、方法")));
        assert_eq!(shape("（1）方法"), Some((3, Numbered, "（1）方法")));
    }

    #[test]
    fn section_titles_alone_on_a_line() {
        use HeadingKind::*;
        assert_eq!(shape("結語"), Some((1, Titled, "結語")));
        assert_eq!(shape("　结论："), Some((1, Titled, "结论：")));
        assert_eq!(shape("註釋："), Some((1, Notes, "註釋：")));
        assert_eq!(shape("注释:"), Some((1, Notes, "注释:")));
        assert_eq!(shape(" 注釋 "), Some((1, Notes, "注釋")));
        assert_eq!(shape("結語部分"), None);
        for title in [
            "注　　释",
            "註　釋",
            "【注釋】",
            "〖注〗",
            "□注释",
            "注：",
            "附注",
            "校注",
            "譯注",
            "译注",
            "【 注 释 】：",
        ] {
            assert_eq!(shape(title).map(|s| s.1), Some(Notes), "{title}");
        }
        assert_eq!(shape("注：本表數據來自統計年鑑"), None);
        assert_eq!(shape("【附件】"), None);
    }

    #[test]
    fn a_heading_stands_alone_on_its_line() {
        assert_eq!(shape("（一）绝大部分半自耕农，（二）贫农"), None);
        assert_eq!(shape("（一）工人(二)农民"), None);
        assert_eq!(
            shape("（一）曾因故意犯罪被判处刑罚，执行期满未逾五年的；"),
            None
        );
        assert_eq!(shape("一、問題。其次"), None);
        assert_eq!(shape("（二）中国社会各阶级的分析").map(|s| s.0), Some(2));
        assert_eq!(shape("（三）日本（1945）的轉折").map(|s| s.0), Some(2));
    }

    #[test]
    fn every_title_starts_with_a_listed_character() {
        for title in SECTION_TITLES.iter().chain(NOTES_TITLES) {
            let first = title.chars().next().unwrap();
            assert!(starts_a_section_title(first), "{title}");
        }
    }

    #[test]
    fn body_text_is_not_a_heading() {
        // Sentence punctuation at the end.
        assert_eq!(shape("一、這是一個句子。"), None);
        assert_eq!(shape("一、這是一個句子，"), None);
        assert_eq!(shape("（一）曾因故意犯罪的；"), None);
        assert_eq!(shape("一、他說“好。”"), None);
        // Too long to be a heading.
        assert_eq!(
            shape("一、本輪日韓關係改善既有內部因素又有外部因素就外部因素而言在中美博弈和俄烏衝突叠加影響"),
            None
        );
        // Numbers that are not enumerations.
        assert_eq!(shape("1.5 倍的增長"), None);
        assert_eq!(shape("1951 年起與韓國開始了"), None);
        assert_eq!(shape("2023. 年度報告"), None);
        assert_eq!(shape("一階段的關係緩和無法為下一階段的徹底和解提"), None);
        assert_eq!(shape("一、"), None);
        assert_eq!(shape("（甲）其他"), None);
        assert_eq!(shape(""), None);
        assert_eq!(shape("   "), None);
    }
}
