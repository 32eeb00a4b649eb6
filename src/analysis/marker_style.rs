//! The ways published Chinese and Japanese texts write a note's number: `〔1〕`, `［1］`, `[1]`,
//! `⑴`, `①`, `㈠`, `（⒈）`, `〔一〕`, `¹`. Finding them, reading their number, and writing a
//! number back in the same style.

use std::sync::OnceLock;

use aho_corasick::packed;

use super::numerals::{chinese_prefix_len, digit_value, parse_chinese, parse_digits};

/// How a marker or a note's label writes its number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MarkerStyle {
    /// `〔1〕`, `〔１〕`
    #[default]
    Tortoise,
    /// `〔一〕`, `〔十二〕`
    TortoiseChinese,
    /// `［1］`
    FullSquare,
    /// `[1]`
    Square,
    /// `⑴` … `⒇`
    ParenDigit,
    /// `①` … `⑳`, `㉑` … `㊿`
    Circled,
    /// `㈠` … `㈩`
    ParenIdeograph,
    /// `（⒈）` … `（⒛）`
    FullStop,
    /// `¹²³`
    Superscript,
    /// `(21)`, `（21）`: the `⑴` series cited on past `⒇` (a marker only where `⒇` was cited
    /// before it, or where the notes are labelled so); `（1）` labels entries in a notes
    /// section.
    ParenNumber,
    /// Found by the user's marker pattern.
    Pattern,
}

impl MarkerStyle {
    /// The built-in styles, in the order of the README's table.
    pub const BUILT_IN: [MarkerStyle; 10] = [
        MarkerStyle::Tortoise,
        MarkerStyle::TortoiseChinese,
        MarkerStyle::FullSquare,
        MarkerStyle::Square,
        MarkerStyle::ParenDigit,
        MarkerStyle::Circled,
        MarkerStyle::ParenIdeograph,
        MarkerStyle::FullStop,
        MarkerStyle::Superscript,
        MarkerStyle::ParenNumber,
    ];

    /// The style's name in the settings (`marginalia.markerStylesOff`).
    pub fn name(self) -> &'static str {
        match self {
            MarkerStyle::Tortoise => "tortoise",
            MarkerStyle::TortoiseChinese => "tortoise-chinese",
            MarkerStyle::FullSquare => "full-width-square",
            MarkerStyle::Square => "square",
            MarkerStyle::ParenDigit => "parenthesized",
            MarkerStyle::Circled => "circled",
            MarkerStyle::ParenIdeograph => "parenthesized-ideograph",
            MarkerStyle::FullStop => "full-stop",
            MarkerStyle::Superscript => "superscript",
            MarkerStyle::ParenNumber => "parenthesized-number",
            MarkerStyle::Pattern => "pattern",
        }
    }

    pub fn from_name(name: &str) -> Option<MarkerStyle> {
        MarkerStyle::BUILT_IN.into_iter().find(|s| s.name() == name)
    }

    /// The highest number the style has a glyph for; `None` when any number can be written.
    pub fn last_glyph(self) -> Option<u32> {
        match self {
            MarkerStyle::ParenDigit | MarkerStyle::FullStop => Some(20),
            MarkerStyle::Circled => Some(50),
            MarkerStyle::ParenIdeograph => Some(10),
            _ => None,
        }
    }

    /// Whether the number is a single glyph (`⑴`, `①`), not digits.
    pub fn is_glyph(self) -> bool {
        self.last_glyph().is_some()
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of marker styles (those switched off by the settings).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StyleSet(u16);

impl StyleSet {
    pub fn contains(self, style: MarkerStyle) -> bool {
        self.0 & style.bit() != 0
    }

    pub fn insert(&mut self, style: MarkerStyle) {
        self.0 |= style.bit();
    }
}

/// A marker read at the start of a text: its length in bytes, the number its glyph or digits
/// write, and its style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Read {
    pub len: usize,
    pub number: u32,
    pub style: MarkerStyle,
}

/// The most digits a note number may have.
const MAX_DIGITS: usize = 5;

/// Reads the marker at the start of `text`, in any built-in style.
pub fn read(text: &str) -> Option<Read> {
    // Most lines and characters start otherwise (an ideograph: 0xe4…0xe9): rejected on the
    // first byte, without decoding it.
    if !matches!(
        text.as_bytes().first(),
        Some(b'[' | b'(' | 0xc2 | 0xe2 | 0xe3 | 0xef)
    ) {
        return None;
    }
    let first = text.chars().next()?;
    let glyph = |number: u32, style| {
        Some(Read {
            len: first.len_utf8(),
            number,
            style,
        })
    };
    let code = first as u32;
    match first {
        '〔' => bracketed(text, '〔', '〕', true),
        '［' => bracketed(text, '［', '］', false),
        '[' => bracketed(text, '[', ']', false),
        '⑴'..='⒇' => glyph(code - 0x2473, MarkerStyle::ParenDigit),
        '①'..='⑳' => glyph(code - 0x245f, MarkerStyle::Circled),
        '㉑'..='㉟' => glyph(code - 0x3251 + 21, MarkerStyle::Circled),
        '㊱'..='㊿' => glyph(code - 0x32b1 + 36, MarkerStyle::Circled),
        '㈠'..='㈩' => glyph(code - 0x321f, MarkerStyle::ParenIdeograph),
        // The dingbat circled digits are the same numbers as `①`….
        '➀'..='➉' => glyph(code - 0x277f, MarkerStyle::Circled),
        '❶'..='❿' => glyph(code - 0x2775, MarkerStyle::Circled),
        '➊'..='➓' => glyph(code - 0x2789, MarkerStyle::Circled),
        '（' | '(' => full_stop(text).or_else(|| paren_number(text)),
        _ if superscript_value(first).is_some_and(|v| v > 0) => superscript(text),
        _ => None,
    }
}

/// `〔12〕`, `［12］`, `[12]`, and, in `〔〕` only, `〔十二〕`.
fn bracketed(text: &str, open: char, close: char, chinese: bool) -> Option<Read> {
    let inside = &text[open.len_utf8()..];
    let end = inside
        .char_indices()
        .take(MAX_DIGITS + 2)
        .find(|&(_, c)| c == close)?
        .0;
    // (`[*1]`: a note's number with the asterisk of a footnote, in `[]` only.)
    let number = &inside[..end];
    let number = if open == '[' {
        number.strip_prefix('*').unwrap_or(number)
    } else {
        number
    };
    let len = open.len_utf8() + end + close.len_utf8();
    if let Some(n) = parse_digits(number).filter(|&n| n > 0) {
        let style = match open {
            '〔' => MarkerStyle::Tortoise,
            '［' => MarkerStyle::FullSquare,
            _ => MarkerStyle::Square,
        };
        return Some(Read {
            len,
            number: n,
            style,
        });
    }
    // (Digit by digit, `〔一八〕七三年`, is a year's part, not a note's number.)
    let positional = number.chars().count() == 1 || number.contains(['十', '百']);
    let is_chinese = chinese && positional && chinese_prefix_len(number) == number.len();
    let n = parse_chinese(number).filter(|_| is_chinese)?;
    Some(Read {
        len,
        number: n,
        style: MarkerStyle::TortoiseChinese,
    })
}

/// The most notes one range label defines (`〔42–44〕`): more is no range of notes.
pub const MAX_RANGE_NOTES: u32 = 50;

/// A label that defines a range of notes, `〔42–44〕` (also with `-`, `—`, `～` or `至`), in
/// `〔〕`, `［］` or `[]`: its length, its first and last numbers and its style.
pub fn read_range(text: &str) -> Option<(usize, u32, u32, MarkerStyle)> {
    let open = text.chars().next()?;
    let (close, style) = match open {
        '〔' => ('〕', MarkerStyle::Tortoise),
        '［' => ('］', MarkerStyle::FullSquare),
        '[' => (']', MarkerStyle::Square),
        _ => return None,
    };
    let inside = &text[open.len_utf8()..];
    let first_len = super::numerals::digits_prefix_len(inside);
    let first = parse_digits(&inside[..first_len])?;
    let rest = &inside[first_len..];
    let dash = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '–' | '-' | '—' | '－' | '～' | '~' | '至'))?;
    let rest = &rest[dash.len_utf8()..];
    let last_len = super::numerals::digits_prefix_len(rest);
    let last = parse_digits(&rest[..last_len])?;
    let after = rest[last_len..].strip_prefix(close)?;
    let in_range = first > 0 && first < last && last - first < MAX_RANGE_NOTES;
    in_range.then(|| (text.len() - after.len(), first, last, style))
}

/// `（⒈）` or `(⒈)`.
fn full_stop(text: &str) -> Option<Read> {
    let mut chars = text.char_indices();
    let (_, open) = chars.next()?;
    let (_, digit) = chars.next()?;
    let (at, close) = chars.next()?;
    let number = (digit as u32).checked_sub(0x2487)?;
    let matching = matches!((open, close), ('（', '）') | ('(', ')'));
    (matching && (1..=20).contains(&number)).then(|| Read {
        len: at + close.len_utf8(),
        number,
        style: MarkerStyle::FullStop,
    })
}

/// `(21)` or `（21）`: a number past the 20 of `⑴`…`⒇`, in parentheses.
fn paren_number(text: &str) -> Option<Read> {
    let open = text.chars().next()?;
    let inside = &text[open.len_utf8()..];
    let digits = super::numerals::digits_prefix_len(inside);
    let close = inside[digits..].chars().next()?;
    let matching = matches!((open, close), ('（', '）') | ('(', ')'));
    let number = parse_digits(&inside[..digits]).filter(|n| (1..1000).contains(n))?;
    matching.then(|| Read {
        len: open.len_utf8() + digits + close.len_utf8(),
        number,
        style: MarkerStyle::ParenNumber,
    })
}

fn superscript_value(c: char) -> Option<u32> {
    Some(match c {
        '⁰' => 0,
        '¹' => 1,
        '²' => 2,
        '³' => 3,
        '⁴'..='⁹' => c as u32 - '⁴' as u32 + 4,
        _ => return None,
    })
}

fn superscript(text: &str) -> Option<Read> {
    let mut number = 0u32;
    let mut len = 0;
    for (count, c) in text.chars().enumerate() {
        let Some(value) = superscript_value(c) else {
            break;
        };
        if count == MAX_DIGITS {
            return None;
        }
        number = number * 10 + value;
        len += c.len_utf8();
    }
    (number > 0).then_some(Read {
        len,
        number,
        style: MarkerStyle::Superscript,
    })
}

/// The first two bytes of `⁴`…`⁹`, `①`…`⒛` (`⒈`…`⒛` are looked for before their
/// parenthesis), `❶`…, `➀`…, `㈠`…, `㉑`…, `㊱`…
const GLYPH_STARTS: [&[u8]; 8] = [
    b"\xe2\x81",
    b"\xe2\x91",
    b"\xe2\x92",
    b"\xe2\x9d",
    b"\xe2\x9e",
    b"\xe3\x88",
    b"\xe3\x89",
    b"\xe3\x8a",
];

/// The last two bytes of `〔`, `［` and `（`, and their first byte. Their first two bytes are
/// those of the commonest CJK punctuation (`\xe3\x80`, `\xef\xbc`); their last two are rare
/// elsewhere (`—`, `途`, `鼻`…, told apart by the byte before).
const BRACKET_ENDS: [(&[u8], u8); 3] = [
    (b"\x80\x94", 0xe3),
    (b"\xbc\xbb", 0xef),
    (b"\xbc\x88", 0xef),
];

/// Which of [`BRACKET_ENDS`] is `（`'s.
const FULL_PAREN_END: usize = 2;

/// [`GLYPH_STARTS`] and [`BRACKET_ENDS`], found in one pass by a SIMD multi-literal search
/// (Teddy) on two bytes; `[`, `(` and `¹²³` (`\xc2`) are found with `memchr3`. A book is read
/// once on open: a byte-by-byte scan or a `regex` class costs more than the rest of the scan,
/// and each further pass over the text as much as the search for one literal (figures in
/// docs/performance.md).
fn starts() -> &'static packed::Searcher {
    // (Built once: a searcher's set-up is a noticeable share of scanning a short stretch. The
    // packed searcher on its own: an automaton around it would check each match again.)
    static STARTS: OnceLock<packed::Searcher> = OnceLock::new();
    STARTS.get_or_init(|| {
        let ends = BRACKET_ENDS.iter().map(|(end, _)| *end);
        packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(GLYPH_STARTS.into_iter().chain(ends))
            .build()
            .expect("eleven patterns are within the packed searcher's limits")
    })
}

/// Where a marker may start in `bytes`, in order: each start the searches find, a `⒈`…`⒛`
/// moved back to its opening parenthesis.
fn candidates(bytes: &[u8]) -> Vec<usize> {
    // A parenthesis is looked at only before a digit (`(21)`, `（３）`): in CJK text `（` is
    // common, and a candidate costs a read. (`（⒈）` is found by its glyph below.)
    let before_digit = |at: usize| {
        matches!(
            bytes.get(at + 1..),
            Some(
                [b'0'..=b'9', ..]
                    | [0xbc, 0x88, 0xef, 0xbc, 0x90..=0x99, ..]
                    | [0xbc, 0x88, b'0'..=b'9', ..]
            )
        )
    };
    let mut found: Vec<usize> = memchr::memchr3_iter(b'[', b'(', 0xc2, bytes)
        .filter(|&at| bytes[at] != b'(' || before_digit(at))
        .collect();
    for found_at in starts().find_iter(bytes) {
        let start = found_at.start();
        let candidate = match found_at
            .pattern()
            .as_usize()
            .checked_sub(GLYPH_STARTS.len())
        {
            Some(bracket) => bracket_start(bytes, start, bracket)
                .filter(|&open| bracket != FULL_PAREN_END || before_digit(open)),
            None => Some(glyph_start(bytes, start)),
        };
        found.extend(candidate);
    }
    found.sort_unstable();
    found
}

/// Where the bracket [`BRACKET_ENDS`]`[bracket]` whose last two bytes are at `end` starts,
/// if they are its.
fn bracket_start(bytes: &[u8], end: usize, bracket: usize) -> Option<usize> {
    let (_, first) = BRACKET_ENDS.get(bracket)?;
    let start = end.checked_sub(1)?;
    (bytes.get(start) == Some(first)).then_some(start)
}

/// Where a marker whose glyph starts at `start` starts: `⒈`…`⒛` at its opening parenthesis.
fn glyph_start(bytes: &[u8], start: usize) -> usize {
    let full_stop = bytes
        .get(start..start + 3)
        .is_some_and(|glyph| glyph[..2] == [0xe2, 0x92] && (0x88..=0x9b).contains(&glyph[2]));
    match &bytes[..start] {
        [.., b'('] if full_stop => start - 1,
        [.., 0xef, 0xbc, 0x88] if full_stop => start - 3,
        _ => start,
    }
}

/// Every marker of a built-in style not in `off` in `text`, as (start, read), in order and
/// not overlapping. `text` starts at a line start.
pub fn find(text: &str, off: StyleSet) -> Vec<(usize, Read)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut after = 0;
    for start in candidates(bytes) {
        if start < after {
            continue;
        }
        // Every candidate is a character's first byte: each literal begins with one.
        if let Some(read) = read(&text[start..]) {
            if !off.contains(read.style) && stands_as_marker(text, start, read) {
                found.push((start, read));
                after = start + read.len;
            }
        }
    }
    found
}

/// Where a marker of a built-in style not in `off` that ends `text` starts, if one does.
/// Looked for from the end (this runs on every line the form checks read): the opening of a
/// bracketed style, or the glyphs before the end.
pub fn ending(text: &str, off: StyleSet) -> Option<usize> {
    let last = text.chars().next_back()?;
    let start = match last {
        '〕' => text.rfind('〔')?,
        '］' => text.rfind('［')?,
        ']' => text.rfind('[')?,
        '）' | ')' => {
            let inside = &text[..text.len() - last.len_utf8()];
            let digits = inside.trim_end_matches(|c| digit_value(c).is_some());
            let mut chars = inside.char_indices().rev();
            let (_, glyph) = chars.next()?;
            let (open, _) = chars.next()?;
            if digits.len() < inside.len() {
                digits.char_indices().next_back()?.0
            } else if ('⒈'..='⒛').contains(&glyph) {
                open
            } else {
                return None;
            }
        }
        _ if superscript_value(last).is_some() => {
            let digits = text.trim_end_matches(|c| superscript_value(c).is_some());
            digits.len()
        }
        _ => text.len() - last.len_utf8(),
    };
    let read = read(&text[start..])?;
    let ends = start + read.len == text.len();
    (ends && !off.contains(read.style) && stands_as_marker(text, start, read)).then_some(start)
}

/// Whether the marker read at `start` of `text` is a note marker in its context: not the year
/// of a document number, not an index or a link's part, not an exponent.
fn stands_as_marker(text: &str, start: usize, read: Read) -> bool {
    let before = &text[..start];
    let after = &text[start + read.len..];
    // The character before on the same line (a stretch may start at any line).
    let previous = before
        .chars()
        .next_back()
        .filter(|&c| c != '\n' && c != '\r');
    if refers_to_another_work(before) || in_annotation(before) {
        return false;
    }
    match read.style {
        MarkerStyle::Tortoise | MarkerStyle::FullSquare => !is_document_number(before, after),
        MarkerStyle::Square => {
            // In running text `[1]` cites only after CJK text (`……研究[1]。`): after a
            // space or a Latin letter it is a reference in English, a list or an index.
            let after_cjk = previous.map_or(true, |c| !c.is_ascii());
            after_cjk && !is_document_number(before, after) && !is_index_link_or_code(before)
        }
        MarkerStyle::Superscript => {
            // `m²`, `10³`, `x⁴`: an exponent follows a Latin letter or a digit.
            !previous.is_some_and(|c| c.is_ascii_alphanumeric() || digit_value(c).is_some())
        }
        // In running text, past 20 and after CJK text (`广州起义(21)`); below, an item,
        // unless an Aozora Bunko annotation sets it small as a note's number
        // (`电解质（３）［＃「（３）」は行右小書き］`) or it ends a clause (`…であります（８）。`:
        // an item is followed by its text).
        MarkerStyle::ParenNumber => {
            let after_cjk = previous.is_some_and(|c| !c.is_ascii());
            let ends_clause = after.starts_with(['、', '。', '，', '；']);
            (after_cjk && (read.number > 20 || ends_clause))
                || (previous.is_some() && set_small(after))
        }
        _ => true,
    }
}

/// Whether a marker after `before` is `注〔n〕` of another work: `见本书第一卷《某某》注〔4〕`,
/// `参见本卷《某某》注〔23〕和注〔24〕`. After `注` (or `註`), the clause before it names a
/// work (`《…》`) or a volume (`本卷`, `本书`, `同书`, `该书`, `第X卷`); `本文注〔18〕` is
/// this text's own note.
fn refers_to_another_work(before: &str) -> bool {
    let Some(clause) = before.strip_suffix(['注', '註']) else {
        return false;
    };
    // `《某某》注〔4〕`, `本卷注〔4〕`, `同书注〔4〕`; `……注〔23〕和注〔24〕` after one of those.
    // (`关注〔1〕` is a citation after a word ending with 注.)
    // (`《某某》。注〔15〕`: a full stop misplaced before the 注.)
    let clause = clause
        .strip_suffix('。')
        .filter(|c| c.ends_with('》'))
        .unwrap_or(clause);
    match clause.chars().next_back() {
        Some('》' | '卷' | '書' | '书') => return true,
        Some('和' | '及' | '与' | '與' | '或' | '、') => {}
        _ => return false,
    }
    let clause_start = clause
        .rfind(['。', '；', '！', '？', '，', '（', '\n', '\r'])
        .map_or(0, |at| {
            at + clause[at..].chars().next().map_or(1, char::len_utf8)
        });
    let clause = &clause[clause_start..];
    const VOLUMES: [&str; 7] = ["本卷", "本书", "本書", "同书", "同書", "该书", "該書"];
    clause.contains('》') || VOLUMES.iter().any(|v| clause.contains(v)) || names_a_volume(clause)
}

/// Whether `text` holds `第X卷` (X in digits or Chinese numerals).
fn names_a_volume(text: &str) -> bool {
    text.match_indices('第').any(|(at, _)| {
        let rest = &text[at + '第'.len_utf8()..];
        let numeral = match super::numerals::digits_prefix_len(rest) {
            0 => chinese_prefix_len(rest),
            n => n,
        };
        numeral > 0 && rest[numeral..].starts_with('卷')
    })
}

/// Whether `after` starts with an Aozora Bunko annotation that sets the text before it small
/// beside the line or raised (`［＃「（３）」は行右小書き］`, `…上付き小文字］`).
fn set_small(after: &str) -> bool {
    let Some(rest) = after.strip_prefix("［＃「") else {
        return false;
    };
    let annotation = rest.find('］').map_or(rest, |end| &rest[..end]);
    annotation.contains("小書き") || annotation.contains("上付き")
}

/// Whether the text after `before` is inside an Aozora Bunko annotation (`［＃「[103]」は行右小
/// 書き］`): an editor's description of the text, not the text.
fn in_annotation(before: &str) -> bool {
    // (A number an annotation quotes follows its `「`: other markers are not looked at.)
    if !before.ends_with('「') {
        return false;
    }
    let line = before.rsplit(['\n', '\r']).next().unwrap_or(before);
    line.rfind("［＃")
        .is_some_and(|open| !line[open..].contains('］'))
}

/// Whether the bracketed number between `before` and `after` is the year of an official
/// document's number, as in `國發〔2023〕5號` or `国办发[2024]12号`: right after the issuing
/// office's abbreviation, the year, then the document's number and `號`.
#[inline]
pub fn is_document_number(before: &str, after: &str) -> bool {
    let office = before
        .chars()
        .next_back()
        .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let digits = after.len() - after.trim_start_matches(|c| digit_value(c).is_some()).len();
    (office && digits > 0 && after[digits..].starts_with(['號', '号'])) || numbered_after(after)
}

/// The most characters between a document's year and its number (`〔94〕财税字第089号`).
const DOCUMENT_WORD_CHARS: usize = 8;

/// Whether `after` goes on as a document's number with no office before the year:
/// `〔1982〕3号`, `〔94〕财税字第089号` — a few ideographs, digits, then `号`.
fn numbered_after(after: &str) -> bool {
    // (Rejected at once unless a digit or an ideograph follows, and a `号` close by: this runs
    // after every bracketed marker.)
    if !matches!(
        after.as_bytes().first(),
        Some(b'0'..=b'9' | 0xe4..=0xe9 | 0xef)
    ) {
        return false;
    }
    let window = &after.as_bytes()[..after.len().min(3 * (DOCUMENT_WORD_CHARS + 6))];
    if memchr::memchr2(0xb7, 0x9f, window).is_none() {
        return false;
    }
    let mut digits = false;
    for c in after.chars().take(DOCUMENT_WORD_CHARS + 6) {
        match c {
            '号' | '號' => return digits,
            _ if digit_value(c).is_some() => digits = true,
            _ if digits => return false,
            '第' | '字' => {}
            _ if ('\u{4e00}'..='\u{9fff}').contains(&c) => {}
            _ => return false,
        }
    }
    false
}

/// Whether an ASCII `[n]` after `before` (the text before it, from its line's start) is an
/// index (`a[1]`), part of a URL (`https://x.org/list[3]`) or inside inline code (`` `a[1]` ``).
fn is_index_link_or_code(before: &str) -> bool {
    let line = before.rsplit(['\n', '\r']).next().unwrap_or(before);
    let previous = line.chars().next_back();
    if previous.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ']' | ')')) {
        return true;
    }
    let word_start = line.rfind(|c: char| !c.is_ascii_graphic()).map_or(0, |at| {
        at + line[at..].chars().next().map_or(1, char::len_utf8)
    });
    let word = &line[word_start..];
    let in_url = word.contains("://") || word.starts_with("www.");
    let in_code = line.matches('`').count() % 2 == 1;
    in_url || in_code
}

/// The text of a marker or label `text` (in `style`) made to read `number`; `None` when the
/// style has no glyph for it (`⑴` stops at 20).
pub fn rewrite(text: &str, style: MarkerStyle, number: u32) -> Option<String> {
    let glyph = |first: u32, base: u32| char::from_u32(first + number - base);
    let single = |c: Option<char>| c.map(String::from);
    match style {
        MarkerStyle::ParenDigit if (1..=20).contains(&number) => single(glyph(0x2474, 1)),
        MarkerStyle::Circled if (1..=20).contains(&number) => single(glyph(0x2460, 1)),
        MarkerStyle::Circled if (21..=35).contains(&number) => single(glyph(0x3251, 21)),
        MarkerStyle::Circled if (36..=50).contains(&number) => single(glyph(0x32b1, 36)),
        MarkerStyle::ParenIdeograph if (1..=10).contains(&number) => single(glyph(0x3220, 1)),
        MarkerStyle::FullStop if (1..=20).contains(&number) => {
            let mut chars = text.chars();
            let (open, close) = (chars.next()?, chars.next_back()?);
            Some(format!("{open}{}{close}", glyph(0x2488, 1)?))
        }
        MarkerStyle::Superscript if number > 0 => Some(
            number
                .to_string()
                .chars()
                .map(|d| match d {
                    '1' => '¹',
                    '2' => '²',
                    '3' => '³',
                    '0' => '⁰',
                    d => char::from_u32(d as u32 - '4' as u32 + '⁴' as u32).unwrap_or(d),
                })
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Vec<(&str, u32, MarkerStyle)> {
        find(text, StyleSet::default())
            .into_iter()
            .map(|(at, r)| (&text[at..at + r.len], r.number, r.style))
            .collect()
    }

    #[test]
    fn brackets_beside_characters_that_end_as_they_do() {
        use MarkerStyle::*;
        // `—`, `途`, `鼻` and `弈` end with the bytes that end `〔`, `［` and `（`.
        assert_eq!(
            read_all("〔1〕前途〔2〕——〔3〕鼻［4］弈之道（５）、（注）（6）"),
            [
                ("〔1〕", 1, Tortoise),
                ("〔2〕", 2, Tortoise),
                ("〔3〕", 3, Tortoise),
                ("［4］", 4, FullSquare),
                ("（５）", 5, ParenNumber),
            ]
        );
        assert!(read_all("途中——鼻弈（甲）").is_empty());
    }

    #[test]
    fn every_style_with_its_number() {
        use MarkerStyle::*;
        let text = "甲〔1〕乙〔１２〕丙［3］丁[4]戊⑸己⒇庚①辛⑳壬㉑癸㊿子㈠丑㈩寅（⒈）卯(⒛)辰〔一〕巳〔二十〕午。¹²未➂申❶酉➊戌(21)亥（22）";
        assert_eq!(
            read_all(text),
            [
                ("〔1〕", 1, Tortoise),
                ("〔１２〕", 12, Tortoise),
                ("［3］", 3, FullSquare),
                ("[4]", 4, Square),
                ("⑸", 5, ParenDigit),
                ("⒇", 20, ParenDigit),
                ("①", 1, Circled),
                ("⑳", 20, Circled),
                ("㉑", 21, Circled),
                ("㊿", 50, Circled),
                ("㈠", 1, ParenIdeograph),
                ("㈩", 10, ParenIdeograph),
                ("（⒈）", 1, FullStop),
                ("(⒛)", 20, FullStop),
                ("〔一〕", 1, TortoiseChinese),
                ("〔二十〕", 20, TortoiseChinese),
                ("¹²", 12, Superscript),
                ("➂", 3, Circled),
                ("❶", 1, Circled),
                ("➊", 1, Circled),
                ("(21)", 21, ParenNumber),
                ("（22）", 22, ParenNumber),
            ]
        );
        assert_eq!(
            read_all("电解质（３）［＃「（３）」は行右小書き］が"),
            [("（３）", 3, ParenNumber)]
        );
        assert_eq!(read_all("習慣である[*1]。"), [("[*1]", 1, Square)]);
        assert_eq!(
            read_all("でありまして（４）、その"),
            [("（４）", 4, ParenNumber)]
        );
    }

    #[test]
    fn range_labels() {
        use MarkerStyle::*;
        assert_eq!(
            read_range("〔42–44〕同上"),
            Some(("〔42–44〕".len(), 42, 44, Tortoise))
        );
        assert_eq!(
            read_range("〔42-44〕"),
            Some(("〔42-44〕".len(), 42, 44, Tortoise))
        );
        assert_eq!(
            read_range("［5至6］"),
            Some(("［5至6］".len(), 5, 6, FullSquare))
        );
        assert_eq!(read_range("〔44–42〕"), None);
        assert_eq!(read_range("〔1–900〕"), None);
        assert_eq!(read_range("〔42〕"), None);
    }

    #[test]
    fn what_is_not_a_marker() {
        let none: [(&str, u32, MarkerStyle); 0] = [];
        for text in [
            "〔神々の生成〕",
            "〔訳注: 高天原〕",
            "〔言胥〕",
            "〔17续〕",
            "〔〕",
            "〔123456〕",
            "〔0〕",
            "国发〔2023〕5号",
            "国办发[2024]12号",
            "國發［2021］８號",
            "見 https://example.org/list[3]/x 與 www.a.org/[2]",
            "代碼 `items [0] [5]` 中",
            "a[4] 與 x_[2] 與 f(x)[3]",
            "面積 30 m² 與 10³",
            "⁰",
            "（⒈",
            "（⒈)",
            "〔一八〕七三年",
            "［*1］",
            "[**1]",
            "［＃「[103]」は行右小書き］",
            "见本书第一卷《某文》注〔4〕",
            "参见本卷《某文》注〔23〕和注〔24〕",
            "见本卷《某文》。注〔15〕",
            "(〔1982〕3号)",
            "〔94〕财税字第089号",
            "甲(5)乙",
            "甲（５）乙",
            "（１）、（２）",
            "甲（３）［＃「（３）」は縦中横］",
        ] {
            assert_eq!(read_all(text), none, "{text}");
        }
        assert_eq!(read_all("國發〔2023〕。〔2023〕")[0].1, 2023);
    }

    #[test]
    fn a_marker_ending_a_line_is_found_from_the_end() {
        let ending = |text: &'static str| ending(text, StyleSet::default()).map(|at| &text[at..]);
        for (text, marker) in [
            ("的力度。〔3〕", Some("〔3〕")),
            ("的力度。［3］", Some("［3］")),
            ("的力度。[3]", Some("[3]")),
            ("的力度。（⒊）", Some("（⒊）")),
            ("的力度。⑶", Some("⑶")),
            ("的力度。③", Some("③")),
            ("的力度。¹²", Some("¹²")),
            ("的力度。", None),
            ("〔1〕後〔訳注〕", None),
            ("面積 m²", None),
            ("a[3]", None),
            ("（三）", None),
            ("", None),
        ] {
            assert_eq!(ending(text), marker, "{text}");
        }
        let mut off = StyleSet::default();
        off.insert(MarkerStyle::Circled);
        assert_eq!(super::ending("的力度。③", off), None);
    }

    #[test]
    fn numbers_are_written_back_in_the_style_of_the_place() {
        use MarkerStyle::*;
        assert_eq!(rewrite("⑴", ParenDigit, 20).as_deref(), Some("⒇"));
        assert_eq!(rewrite("⑴", ParenDigit, 21), None);
        assert_eq!(rewrite("①", Circled, 22).as_deref(), Some("㉒"));
        assert_eq!(rewrite("①", Circled, 36).as_deref(), Some("㊱"));
        assert_eq!(rewrite("㈠", ParenIdeograph, 10).as_deref(), Some("㈩"));
        assert_eq!(rewrite("(⒈)", FullStop, 3).as_deref(), Some("(⒊)"));
        assert_eq!(rewrite("¹", Superscript, 40).as_deref(), Some("⁴⁰"));
        for (style, number) in [
            (ParenDigit, 7),
            (Circled, 44),
            (FullStop, 19),
            (Superscript, 1234),
        ] {
            let text =
                rewrite(if style == FullStop { "（⒈）" } else { "" }, style, number).unwrap();
            let read = read(&text).unwrap();
            assert_eq!(
                (read.number, read.style, read.len),
                (number, style, text.len())
            );
        }
    }
}
