//! Repairs of what PDF extraction broke, and of half-width punctuation: edits that change
//! only spaces and line breaks (and a punctuation mark for its full-width form), never the
//! author's words. Headings, notes and markers come out as they went in.

use std::borrow::Cow;

use super::renumber::TextEdit;
use crate::analysis::joins_with_space;
use crate::analysis::lint::{is_page_break_space, HALF_WIDTH};
use crate::analysis::paragraphs::{paragraph_at, paragraphs, Paragraph};
use crate::analysis::urls::links;
use crate::analysis::{Problem, ProblemKind};
use crate::document::DocumentSnapshot;
use crate::text::TextRange;

/// Joins the lines of the paragraph at `offset` (nothing if it has one line, or is a heading).
pub fn join_paragraph(document: &DocumentSnapshot, offset: usize) -> Vec<TextEdit> {
    let rope = document.text();
    match paragraph_at(rope, offset, document.layout()) {
        Some(paragraph) if paragraph.is_wrapped() => {
            let range = paragraph.range();
            let text = rope.byte_slice(range.start..range.end).to_string();
            joins(
                &text,
                range.start,
                &paragraph,
                &urls_of(&text, range.start, &paragraph),
            )
        }
        _ => Vec::new(),
    }
}

/// Joins the lines of every paragraph: the whole document reflowed.
pub fn reflow(document: &DocumentSnapshot) -> Vec<TextEdit> {
    let text: Cow<str> = document.text().into();
    paragraphs(&text, 0, document.layout())
        .iter()
        .filter(|paragraph| paragraph.is_wrapped())
        .flat_map(|paragraph| joins(&text, 0, paragraph, &urls_of(&text, 0, paragraph)))
        .collect()
}

/// Every PDF scar repaired: paragraphs reflowed, stray spaces at line starts removed, broken
/// URLs joined.
pub fn repair_scars(document: &DocumentSnapshot) -> Vec<TextEdit> {
    let text: Cow<str> = document.text().into();
    let mut edits = Vec::new();
    for paragraph in paragraphs(&text, 0, document.layout()) {
        let wrapped = paragraph.is_wrapped();
        // A join removes the spaces at the start of every line but the first.
        let lines = if wrapped {
            &paragraph.lines[..1]
        } else {
            &paragraph.lines[..]
        };
        for line in lines {
            if is_page_break_space(&text[line.start..line.content.start]) {
                edits.push(delete(TextRange::new(line.start, line.content.start)));
            }
        }
        let urls = urls_of(&text, 0, &paragraph);
        let joined = if wrapped {
            joins(&text, 0, &paragraph, &urls)
        } else {
            Vec::new()
        };
        for &url in &urls {
            let overlaps = |gap: &TextRange| {
                joined
                    .iter()
                    .any(|j| j.range.start < gap.end && gap.start < j.range.end)
            };
            edits.extend(url_gaps(&text, url).filter(|g| !overlaps(g)).map(delete));
        }
        edits.extend(joined);
    }
    edits.sort_by_key(|edit| edit.range.start);
    edits
}

/// Every half-width mark between CJK characters written in full width (the quick fix of a
/// text that writes them so throughout).
pub fn full_width_throughout(document: &DocumentSnapshot) -> Vec<TextEdit> {
    let mut edits: Vec<TextEdit> = Vec::new();
    let marks = document
        .lints()
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::HalfWidthPunctuation { .. }));
    for edit in marks.flat_map(|problem| fix(document, &problem)) {
        // (A `,` inside a `(…)` pair is left for a later check: edits may not overlap.)
        if edits
            .last()
            .map_or(true, |last| last.range.end <= edit.range.start)
        {
            edits.push(edit);
        }
    }
    edits
}

/// The edits of a form problem's quick fix (none for problems without a safe one).
pub fn fix(document: &DocumentSnapshot, problem: &Problem) -> Vec<TextEdit> {
    match problem.kind {
        ProblemKind::PageBreakSpace => vec![delete(problem.range)],
        ProblemKind::HardWrap { .. } => join_paragraph(document, problem.range.start),
        ProblemKind::BrokenUrl => {
            let rope = document.text();
            let range = problem.range;
            let text = rope.byte_slice(range.start..range.end).to_string();
            url_gaps(&text, TextRange::new(0, text.len()))
                .map(|gap| {
                    delete(TextRange::new(
                        range.start + gap.start,
                        range.start + gap.end,
                    ))
                })
                .collect()
        }
        ProblemKind::HalfWidthPunctuation { mark } => {
            let written = document
                .text()
                .byte_slice(problem.range.start..problem.range.end)
                .to_string();
            let full = HALF_WIDTH.get(usize::from(mark)).map(|&(_, full)| full);
            full.map(|full| TextEdit {
                range: problem.range,
                new_text: full_width(&written, full),
            })
            .into_iter()
            .collect()
        }
        _ => Vec::new(),
    }
}

/// A half-width mark (`written`, with the spaces beside it) in full width: `,` → `，`, and
/// `(…)` → `（…）` with what is inside kept as it is.
fn full_width(written: &str, full: char) -> String {
    let mark = written.trim_matches(' ');
    match mark.strip_prefix('(') {
        Some(inside) => match inside.strip_suffix(')') {
            Some(inside) => format!("（{inside}）"),
            None => format!("（{inside}"),
        },
        None => full.to_string(),
    }
}

/// The URLs of a paragraph (`text` starts at byte `base`), in document offsets.
fn urls_of(text: &str, base: usize, paragraph: &Paragraph) -> Vec<TextRange> {
    let range = paragraph.range();
    links(&text[range.start - base..range.end - base])
        .into_iter()
        .map(|link| link.range.shifted(range.start))
        .collect()
}

/// The edits that join a paragraph's lines (`text` starts at byte `base`; `urls` are the
/// paragraph's): each line break, with the blank lines and spaces around it, becomes nothing
/// between CJK text or inside a URL, and one space between Latin words.
fn joins(text: &str, base: usize, paragraph: &Paragraph, urls: &[TextRange]) -> Vec<TextEdit> {
    paragraph
        .lines
        .windows(2)
        .map(|pair| {
            let gap = TextRange::new(pair[0].content.end, pair[1].content.start);
            let before = text[..gap.start - base].chars().next_back();
            let after = text[gap.end - base..].chars().next();
            let in_url = urls.iter().any(|u| u.start < gap.start && gap.end < u.end);
            let space = match (before, after) {
                (Some(b), Some(a)) => !in_url && joins_with_space(b, a),
                _ => false,
            };
            TextEdit {
                range: gap,
                new_text: if space { " " } else { "" }.to_string(),
            }
        })
        .collect()
}

/// The runs of spaces and line breaks inside the URL at `url` of `text` (the gaps between its
/// pieces).
fn url_gaps(text: &str, url: TextRange) -> impl Iterator<Item = TextRange> + '_ {
    let mut gaps = Vec::new();
    let mut open: Option<usize> = None;
    for (at, c) in text[url.start..url.end].char_indices() {
        let at = url.start + at;
        match (c.is_whitespace(), open) {
            (true, None) => open = Some(at),
            (false, Some(start)) => {
                gaps.push(TextRange::new(start, at));
                open = None;
            }
            _ => {}
        }
    }
    gaps.into_iter()
}

fn delete(range: TextRange) -> TextEdit {
    TextEdit {
        range,
        new_text: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ProblemCode;
    use crate::features::renumber::apply;

    #[test]
    fn reflow_joins_cjk_without_spaces_latin_with_one_and_urls_whole() {
        let line = "正文正文正文正文正文正文正文正文正文正文";
        let note = &line[..54];
        // Six full lines first: the printed width is the median line width.
        let full = format!("{line}\n\n").repeat(6);
        let text = format!(
            "{full}完。\n\n {line}\n\n {line}\n\nhold\n\nanother。\n\n一、標題\n\n見 https://a.example/b-\n\nc/d 。\n\n〔1〕{note}\n\n完。\n"
        );
        let joined = format!("{}完。", line.repeat(6));
        let document = DocumentSnapshot::new(&text);
        assert_eq!(
            apply(&text, &reflow(&document)),
            format!("{joined}\n\n {line}{line}hold another。\n\n一、標題\n\n見 https://a.example/b-c/d 。\n\n〔1〕{note}完。\n")
        );
        assert_eq!(
            apply(&text, &repair_scars(&document)),
            format!("{joined}\n\n{line}{line}hold another。\n\n一、標題\n\n見 https://a.example/b-c/d 。\n\n〔1〕{note}完。\n")
        );
    }

    #[test]
    fn quick_fixes_of_form_problems() {
        let text = "姿態，日本主要是采取“制衡”(balancing) 的做法 ,日本。\n\n https://a.example/ b/c 。\n\n一、附記";
        let document = DocumentSnapshot::new(text);
        let fixed = document
            .lints()
            .iter()
            .filter(|p| p.code() != ProblemCode::HardWrap)
            .fold(text.to_string(), |fixed, problem| {
                // Fixes apply one at a time, each to a fresh analysis of the text so far.
                let document = DocumentSnapshot::new(&fixed);
                let same = document.lints().iter().find(|p| p.kind == problem.kind);
                same.map_or(fixed.clone(), |p| apply(&fixed, &fix(&document, &p)))
            });
        assert_eq!(
            fixed,
            "姿態，日本主要是采取“制衡”（balancing）的做法，日本。\n\nhttps://a.example/b/c 。\n\n一、附記"
        );
    }
}
