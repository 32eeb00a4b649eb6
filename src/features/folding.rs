//! Folding: each section under its heading, the whole notes section, and each note that runs
//! over more than one line.

use ropey::Rope;

use crate::analysis::Analysis;
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    /// A section under its heading; a notes section too.
    Section,
    /// A note entry: folded with the editor's comments (annotations, like them).
    Note,
}

/// A range that folds, from its first line (which stays shown) to its last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub range: TextRange,
    pub kind: FoldKind,
}

/// What folds in the document, in order of where it starts. A range on one line does not fold.
pub fn folding_ranges(analysis: &Analysis, rope: &Rope) -> Vec<Fold> {
    let spans_lines = |range: TextRange| {
        let end = range.end.min(rope.len_bytes());
        rope.byte_to_line(range.start.min(end)) < rope.byte_to_line(end)
    };
    let sections = analysis.headings.iter().map(|heading| Fold {
        range: heading.section,
        kind: FoldKind::Section,
    });
    let notes = analysis.entries().map(|note| Fold {
        range: note.range,
        kind: FoldKind::Note,
    });
    let mut folds: Vec<Fold> = sections
        .chain(notes)
        .filter(|fold| spans_lines(fold.range))
        .collect();
    // A notes section and its first note start together: the section first, as it is larger.
    folds.sort_by_key(|fold| (fold.range.start, std::cmp::Reverse(fold.range.end)));
    folds
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check(text: &str, expect: Expect) {
        let analysis = Analysis::new(text);
        let rope = Rope::from_str(text);
        let rendered: Vec<String> = folding_ranges(&analysis, &rope)
            .iter()
            .map(|fold| {
                let lines = (
                    rope.byte_to_line(fold.range.start) + 1,
                    rope.byte_to_line(fold.range.end) + 1,
                );
                format!("{:?} lines {}-{}", fold.kind, lines.0, lines.1)
            })
            .collect();
        expect.assert_eq(&rendered.join("\n"));
    }

    #[test]
    fn sections_the_notes_section_and_notes_of_several_lines() {
        check(
            "一、甲\n\n正文〔1〕。\n\n（一）乙\n\n正文〔2〕。\n\n二、丙\n結語\n\n註釋：\n\n〔1〕第一條，\n\n續行。\n〔2〕一行。\n",
            expect![[r#"
                Section lines 1-7
                Section lines 5-7
                Section lines 12-17
                Note lines 14-16"#]],
        );
    }

    #[test]
    fn nothing_folds_in_plain_text() {
        check("Dear friend,\n\nnothing to fold.\n", expect![""]);
    }
}
