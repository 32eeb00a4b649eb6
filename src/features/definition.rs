//! Go to definition: from a marker `〔n〕` to the entry of note n.

use crate::analysis::Analysis;
use crate::text::TextRange;

/// The label of the note that the marker under `offset` cites (in the marker's scope: the
/// notes section after it). On a note's own label, that label (editors then offer its
/// references). `None` where there is no marker or no note.
pub fn definition(analysis: &Analysis, offset: usize) -> Option<TextRange> {
    if let Some(marker) = analysis.marker_at(offset) {
        return analysis.note_of(marker).map(|note| note.label);
    }
    analysis.note_label_at(offset).map(|note| note.label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixture::Fixture;

    fn check(fixture: &str, expected: Option<&str>) {
        let fixture = Fixture::parse(fixture);
        let analysis = Analysis::new(&fixture.text);
        let found = definition(&analysis, fixture.cursor).map(|range| {
            let line = crate::text::line_col(&ropey::Rope::from_str(&fixture.text), range.start);
            format!(
                "{}:{} {}",
                line.line + 1,
                line.col + 1,
                &fixture.text[range.start..range.end]
            )
        });
        assert_eq!(found.as_deref(), expected);
    }

    const NOTES: &str = "\n註釋：\n〔1〕第一條。\n〔2〕第二條。";

    #[test]
    fn from_anywhere_on_a_marker() {
        for cursor in ["$0〔2〕", "〔$02〕", "〔2$0〕", "〔2〕$0"] {
            check(&format!("正文{cursor}後文{NOTES}"), Some("4:1 〔2〕"));
        }
    }

    #[test]
    fn adjacent_markers_prefer_the_one_the_cursor_is_in() {
        check(&format!("正文〔1〕$0〔2〕{NOTES}"), Some("4:1 〔2〕"));
    }

    #[test]
    fn nothing_off_a_marker_or_without_a_note() {
        check(&format!("正$0文〔1〕{NOTES}"), None);
        check(&format!("正文〔3$0〕{NOTES}"), None);
    }

    #[test]
    fn after_wide_characters_on_the_same_line() {
        check(&format!("𠮷😀〔$01〕{NOTES}"), Some("3:1 〔1〕"));
    }

    #[test]
    fn full_width_digits_resolve_to_the_same_note() {
        check(&format!("正文〔$0１〕{NOTES}"), Some("3:1 〔1〕"));
    }

    #[test]
    fn each_chapter_its_own_notes() {
        let chapters =
            "一、甲\n甲〔1〕\n註釋：\n〔1〕甲一。\n二、乙\n乙〔$01〕\n註釋：\n〔1〕乙一。";
        check(chapters, Some("8:1 〔1〕"));
        check(
            &chapters
                .replace("乙〔$01〕", "乙〔1〕")
                .replace("甲〔1〕", "甲〔$01〕"),
            Some("4:1 〔1〕"),
        );
        // After the last notes section nothing follows to cite.
        check("正文〔1〕\n註釋：\n〔1〕一。\n三、後記\n後記〔$01〕", None);
        // Inside a note, a cross-reference to another note of its section.
        check(
            "正文〔1〕〔2〕\n註釋：\n〔1〕一。\n〔2〕見注〔$01〕。",
            Some("3:1 〔1〕"),
        );
    }

    #[test]
    fn on_a_note_label_its_own_label() {
        check("正文〔1〕\n註釋：\n$0〔1〕第一條。", Some("3:1 〔1〕"));
    }
}
