//! Selection ranges: from the cursor outwards, the marker or label under it, its sentence,
//! its paragraph (printed lines put back together), each section around it, the document.

use crate::analysis::paragraphs::{paragraph_at, CLOSING_MARKS};
use crate::document::DocumentSnapshot;
use crate::text::TextRange;

/// The ranges around `offset`, innermost first, each inside the next.
pub fn selection_ranges(document: &DocumentSnapshot, offset: usize) -> Vec<TextRange> {
    let (rope, analysis) = (document.text(), document.analysis());
    let mut ranges = Vec::new();
    if let Some(marker) = analysis.marker_at(offset) {
        ranges.push(marker.range);
    } else if let Some(note) = analysis.note_label_at(offset) {
        ranges.push(note.label);
    }
    if let Some(paragraph) =
        paragraph_at(rope, offset, document.layout()).filter(|p| p.range().touches(offset))
    {
        let range = paragraph.range();
        let text = rope.byte_slice(range.start..range.end).to_string();
        if let Some(sentence) = sentence_at(&text, offset - range.start) {
            ranges.push(TextRange::new(
                range.start + sentence.start,
                range.start + sentence.end,
            ));
        }
        ranges.push(range);
    }
    // Sections around the offset, the deepest first.
    let mut sections: Vec<TextRange> = analysis
        .headings
        .iter()
        .map(|h| h.section)
        .filter(|s| s.touches(offset))
        .collect();
    sections.sort_by_key(|s| s.len());
    ranges.extend(sections);
    ranges.push(TextRange::new(0, rope.len_bytes()));
    nested(ranges)
}

/// Marks that end a sentence (closing quotes after them stay with it).
const SENTENCE_ENDS: [char; 6] = ['。', '！', '？', '!', '?', '；'];

/// The sentence of `text` around byte `at`: from after the previous sentence's end (spaces
/// and line breaks skipped) to after its own end mark and closing quotes.
fn sentence_at(text: &str, at: usize) -> Option<TextRange> {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))?;
    let start = text[..at]
        .char_indices()
        .rev()
        .find(|&(_, c)| SENTENCE_ENDS.contains(&c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let start = start + closers_len(&text[start..]);
    let start = start + (text[start..].len() - text[start..].trim_start().len());
    let end = text[at..]
        .char_indices()
        .find(|&(_, c)| SENTENCE_ENDS.contains(&c))
        .map_or(text.len(), |(i, c)| at + i + c.len_utf8());
    let end = end + closers_len(&text[end..]);
    (start < end).then(|| TextRange::new(start, end))
}

/// How many bytes of closing quotes and brackets start `text`.
fn closers_len(text: &str) -> usize {
    text.len() - text.trim_start_matches(CLOSING_MARKS).len()
}

/// The ranges with each kept only if it holds the one before and is larger.
fn nested(ranges: Vec<TextRange>) -> Vec<TextRange> {
    let mut kept: Vec<TextRange> = Vec::with_capacity(ranges.len());
    for range in ranges {
        let holds_last = kept.last().map_or(true, |last| {
            range.start <= last.start && last.end <= range.end && range != *last
        });
        if holds_last {
            kept.push(range);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_sentence_paragraph_sections_document() {
        let text = "一、甲\n\n（一）乙\n\n前句。他說「好〔1〕」。後句。\n\n註釋：\n〔1〕一。";
        let document = DocumentSnapshot::new(text);
        let at = text.find("〔1〕").unwrap_or(0) + 2;
        let shown: Vec<&str> = selection_ranges(&document, at)
            .iter()
            .map(|r| &text[r.start..r.end])
            .collect();
        assert_eq!(
            shown,
            [
                "〔1〕",
                "他說「好〔1〕」。",
                "前句。他說「好〔1〕」。後句。",
                "（一）乙\n\n前句。他說「好〔1〕」。後句。",
                "一、甲\n\n（一）乙\n\n前句。他說「好〔1〕」。後句。",
                text,
            ]
        );
    }
}
