//! The outline: headings as a tree, each notes section holding its notes.

use crate::analysis::{join_lines, Analysis, HeadingKind};
use crate::document::DocumentSnapshot;
use crate::text::TextRange;

/// How many characters of a note's text its outline entry shows.
const NOTE_PREVIEW_CHARS: usize = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineKind {
    Heading { level: u8 },
    NotesSection,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineItem {
    pub name: String,
    pub kind: OutlineKind,
    /// The whole section (or note).
    pub range: TextRange,
    /// The heading text (or the note's label).
    pub selection: TextRange,
    pub children: Vec<OutlineItem>,
}

/// The heading tree of `document`.
pub fn outline(document: &DocumentSnapshot) -> Vec<OutlineItem> {
    let analysis = document.analysis();
    let mut items: Vec<OutlineItem> = analysis
        .headings
        .iter()
        .map(|heading| OutlineItem {
            name: heading.title(document.text()),
            kind: match heading.kind {
                HeadingKind::Notes => OutlineKind::NotesSection,
                _ => OutlineKind::Heading {
                    level: heading.level,
                },
            },
            range: heading.section,
            selection: heading.range,
            children: Vec::new(),
        })
        .collect();
    for note in analysis.entries() {
        if let Some(section) = items.get_mut(note.section) {
            section.children.push(note_item(document, note));
        }
    }
    nest(analysis, items)
}

fn note_item(document: &DocumentSnapshot, note: &crate::analysis::Note) -> OutlineItem {
    let text = document.text();
    let label = text
        .byte_slice(note.label.start..note.label.end)
        .to_string();
    let body = join_lines(
        &text
            .byte_slice(note.body().start..note.body().end)
            .to_string(),
    );
    let mut preview: String = body.chars().take(NOTE_PREVIEW_CHARS).collect();
    if body.chars().nth(NOTE_PREVIEW_CHARS).is_some() {
        preview.push('…');
    }
    OutlineItem {
        name: format!("{label} {preview}").trim_end().to_string(),
        kind: OutlineKind::Note,
        range: note.range,
        selection: note.label,
        children: Vec::new(),
    }
}

/// Puts each heading under the nearest earlier heading of a higher level.
fn nest(analysis: &Analysis, items: Vec<OutlineItem>) -> Vec<OutlineItem> {
    let mut roots: Vec<OutlineItem> = Vec::new();
    // The chain of open headings, each with its level.
    let mut open: Vec<(u8, OutlineItem)> = Vec::new();
    for (heading, item) in analysis.headings.iter().zip(items) {
        close_until(&mut open, &mut roots, heading.level);
        open.push((heading.level, item));
    }
    close_until(&mut open, &mut roots, 0);
    roots
}

/// Closes the open headings of level `level` or deeper, attaching each to its parent.
fn close_until(open: &mut Vec<(u8, OutlineItem)>, roots: &mut Vec<OutlineItem>, level: u8) {
    while open.last().is_some_and(|(l, _)| *l >= level) {
        let Some((_, item)) = open.pop() else { break };
        match open.last_mut() {
            Some((_, parent)) => parent.children.insert(first_note_index(parent), item),
            None => roots.push(item),
        }
    }
}

/// Sub-headings go before a section's notes (which were attached first).
fn first_note_index(parent: &OutlineItem) -> usize {
    parent
        .children
        .iter()
        .position(|c| c.kind == OutlineKind::Note)
        .unwrap_or(parent.children.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn render(items: &[OutlineItem], text: &str, depth: usize, out: &mut String) {
        for item in items {
            out.push_str(&format!(
                "{}{} [{:?}] range={:?} selection={:?}\n",
                "  ".repeat(depth),
                item.name,
                item.kind,
                &text[item.range.start..item.range.end],
                &text[item.selection.start..item.selection.end],
            ));
            render(&item.children, text, depth + 1, out);
        }
    }

    fn check(text: &str, expect: Expect) {
        let document = DocumentSnapshot::new(text);
        let mut out = String::new();
        render(&outline(&document), text, 0, &mut out);
        expect.assert_eq(&out);
    }

    #[test]
    fn nests_levels_and_puts_notes_under_their_section() {
        check(
            "前文〔1〕\n一、甲\n\n（一）甲一\n正文。\n1. 細目\n細文。\n二、乙\n正文〔2〕。\n\n註釋：\n〔1〕第一\n條。\n\n〔2〕 second\nnote\n",
            expect![[r#"
                一、甲 [Heading { level: 1 }] range="一、甲\n\n（一）甲一\n正文。\n1. 細目\n細文。" selection="一、甲"
                  （一）甲一 [Heading { level: 2 }] range="（一）甲一\n正文。\n1. 細目\n細文。" selection="（一）甲一"
                    1. 細目 [Heading { level: 3 }] range="1. 細目\n細文。" selection="1. 細目"
                二、乙 [Heading { level: 1 }] range="二、乙\n正文〔2〕。" selection="二、乙"
                註釋 [NotesSection] range="註釋：\n〔1〕第一\n條。\n\n〔2〕 second\nnote" selection="註釋："
                  〔1〕 第一條。 [Note] range="〔1〕第一\n條。" selection="〔1〕"
                  〔2〕 second note [Note] range="〔2〕 second\nnote" selection="〔2〕"
            "#]],
        );
    }

    #[test]
    fn empty_for_text_without_headings() {
        check("just some text\nwith lines\n", expect![""]);
    }
}
