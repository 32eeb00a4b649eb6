//! Semantic tokens: headings by level, note markers (marked when their note is missing), note
//! labels, URLs, titles `《…》` and quotations `“…”` `「…」`. Tokens never overlap and never
//! cross a line break (what LSP clients take); where two would overlap, the one listed first
//! in [`TokenKind`] wins (a marker inside a quotation splits it).

use super::links::links;
use crate::analysis::headings::is_space;
use crate::analysis::lint::{closed_pairs, PAIRS};
use crate::analysis::paragraphs::Layout;
use crate::analysis::Analysis;
use crate::text::TextRange;

/// What a token is; earlier kinds win over later ones where they overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    Marker,
    Label,
    Url,
    Heading,
    Title,
    Quotation,
}

/// Token modifiers, as bits.
pub mod modifiers {
    /// Heading levels 1, 2 and 3 or deeper.
    pub const LEVEL_1: u32 = 1;
    pub const LEVEL_2: u32 = 1 << 1;
    pub const LEVEL_3: u32 = 1 << 2;
    /// A marker whose note has no entry.
    pub const MISSING: u32 = 1 << 3;
    /// A note label: where a note is defined.
    pub const DEFINITION: u32 = 1 << 4;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Within one line.
    pub range: TextRange,
    pub kind: TokenKind,
    pub modifiers: u32,
}

/// The tokens of `text` (the text `analysis` was made of) that touch `within`, in order.
pub fn tokens(text: &str, analysis: &Analysis, layout: &Layout, within: TextRange) -> Vec<Token> {
    let mut layers: Vec<Token> = Vec::new();
    let touches = |range: TextRange| range.start < within.end && within.start < range.end;
    let mut add = |range: TextRange, kind: TokenKind, modifiers: u32| {
        if touches(range) {
            layers.push(Token {
                range,
                kind,
                modifiers,
            });
        }
    };
    for marker in &analysis.markers {
        let missing = analysis.note_of(marker).is_none();
        let modifiers = if missing { modifiers::MISSING } else { 0 };
        add(marker.range, TokenKind::Marker, modifiers);
    }
    let mut previous = None;
    for note in &analysis.notes {
        // (The numbers of a range label `〔5–7〕` share it: one token.)
        if previous != Some(note.label) {
            add(note.label, TokenKind::Label, modifiers::DEFINITION);
        }
        previous = Some(note.label);
    }
    for heading in &analysis.headings {
        let level = match heading.level {
            1 => modifiers::LEVEL_1,
            2 => modifiers::LEVEL_2,
            _ => modifiers::LEVEL_3,
        };
        add(heading.line, TokenKind::Heading, level);
        if let Some(tail) = heading.tail {
            add(tail, TokenKind::Heading, level);
        }
    }
    // Only the lines around `within` are read for URLs and quotations.
    let (start, end) = (line_start(text, within.start), line_end(text, within.end));
    let region = text.get(start..end).unwrap_or("");
    for link in links(region) {
        add(link.range.shifted(start), TokenKind::Url, 0);
    }
    for (pair, range) in closed_pairs(region, start, layout) {
        let kind = if PAIRS[pair].0 == '《' {
            TokenKind::Title
        } else if matches!(PAIRS[pair].0, '“' | '「' | '『') {
            TokenKind::Quotation
        } else {
            continue;
        };
        add(range, kind, 0);
    }
    let painted = paint(layers);
    split_at_line_breaks(text, painted)
        .into_iter()
        .filter(|token| touches(token.range))
        .collect()
}

/// Where the line holding `offset` starts.
fn line_start(text: &str, offset: usize) -> usize {
    let offset = floor_char(text, offset);
    text[..offset].rfind(['\n', '\r']).map_or(0, |at| at + 1)
}

/// Where the line holding `offset` ends (its line break included).
fn line_end(text: &str, offset: usize) -> usize {
    let offset = floor_char(text, offset);
    text[offset..]
        .find('\n')
        .map_or(text.len(), |at| offset + at + 1)
}

fn floor_char(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Tokens that overlap none: a token keeps only what no earlier kind covers.
fn paint(mut tokens: Vec<Token>) -> Vec<Token> {
    tokens.sort_by_key(|t| (t.kind, t.range.start));
    // Covered ranges so far, in order of start, none overlapping.
    let mut painted: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        let mut pieces = vec![token.range];
        let first = painted.partition_point(|p| p.range.end <= token.range.start);
        for covered in painted[first..]
            .iter()
            .take_while(|p| p.range.start < token.range.end)
        {
            pieces = pieces
                .into_iter()
                .flat_map(|piece| subtract(piece, covered.range))
                .collect();
        }
        for range in pieces.into_iter().filter(|r| !r.is_empty()) {
            let at = painted.partition_point(|p| p.range.start < range.start);
            painted.insert(at, Token { range, ..token });
        }
    }
    painted
}

/// What of `piece` lies outside `covered` (zero, one or two ranges).
fn subtract(piece: TextRange, covered: TextRange) -> Vec<TextRange> {
    if covered.end <= piece.start || piece.end <= covered.start {
        return vec![piece];
    }
    let mut left = Vec::new();
    if piece.start < covered.start {
        left.push(TextRange::new(piece.start, covered.start));
    }
    if covered.end < piece.end {
        left.push(TextRange::new(covered.end, piece.end));
    }
    left
}

/// Each token cut at the line breaks inside it (the breaks themselves and blank lines left
/// out).
fn split_at_line_breaks(text: &str, tokens: Vec<Token>) -> Vec<Token> {
    let mut split = Vec::with_capacity(tokens.len());
    for token in tokens {
        let Some(inside) = text.get(token.range.start..token.range.end) else {
            continue;
        };
        let mut start = token.range.start;
        for (i, line) in inside.split_inclusive(['\n', '\r']).enumerate() {
            let content = line.trim_end_matches(['\n', '\r']);
            // A continuation line's leading spaces (a page break's) are not the token's.
            let lead = if i == 0 {
                0
            } else {
                content.len() - content.trim_start_matches(is_space).len()
            };
            if lead < content.len() {
                let range = TextRange::new(start + lead, start + content.len());
                split.push(Token { range, ..token });
            }
            start += line.len();
        }
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check(text: &str, expect: Expect) {
        let analysis = Analysis::new(text);
        let everything = TextRange::new(0, text.len());
        let layout = Layout::printed(40);
        let rendered: Vec<String> = tokens(text, &analysis, &layout, everything)
            .iter()
            .map(|t| {
                format!(
                    "{:?}/{} {:?}",
                    t.kind,
                    t.modifiers,
                    &text[t.range.start..t.range.end]
                )
            })
            .collect();
        expect.assert_eq(&rendered.join("\n"));
    }

    #[test]
    fn structure_and_quotations_without_overlaps() {
        check(
            "一、《舊金山和約》\n他說「見〔1〕與〔2〕」，\n“跨\n\n行”見 https://a.b/c\n\n註釋：\n〔1〕一。",
            expect![[r#"
                Heading/1 "一、《舊金山和約》"
                Quotation/0 "「見"
                Marker/0 "〔1〕"
                Quotation/0 "與"
                Marker/8 "〔2〕"
                Quotation/0 "」"
                Quotation/0 "“跨"
                Quotation/0 "行”"
                Url/0 "https://a.b/c"
                Heading/1 "註釋："
                Label/16 "〔1〕""#]],
        );
    }
}
