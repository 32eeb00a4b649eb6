//! References and highlights: every place that names one note, within its scope.

use crate::analysis::{Analysis, Note, NoteKey};
use crate::text::TextRange;

/// The note a cursor is on: its number, series and scope (the notes section, a heading
/// index; `None` for markers after the last notes section).
pub type NoteTarget = NoteKey;

/// The note named by the marker or the note label under `offset`.
pub fn target_at(analysis: &Analysis, offset: usize) -> Option<NoteTarget> {
    if let Some(marker) = analysis.marker_at(offset) {
        return Some(marker.into());
    }
    analysis.note_label_at(offset).map(NoteKey::from)
}

/// The markers citing `target` (cross-references in notes included), in document order.
pub fn citations(analysis: &Analysis, target: NoteTarget) -> Vec<TextRange> {
    analysis
        .markers
        .iter()
        .filter(|m| m.names(target))
        .map(|m| m.range)
        .collect()
}

/// The entries for `target` (more than one only when it is duplicated), in document order.
pub fn entries(analysis: &Analysis, target: NoteTarget) -> Vec<&Note> {
    let Some(scope) = target.scope else {
        return Vec::new();
    };
    analysis
        .notes_of(scope)
        .iter()
        .filter(|n| n.number == target.number && n.series == target.series)
        .collect()
}

/// `textDocument/references`: the markers citing the note under `offset`, and its entries
/// when `include_declaration`; in document order.
pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<TextRange> {
    let Some(target) = target_at(analysis, offset) else {
        return Vec::new();
    };
    // A range label (`〔5–7〕`) names each of its notes.
    let mut targets = vec![target];
    if analysis.marker_at(offset).is_none() {
        targets = analysis
            .notes_labelled_at(offset)
            .iter()
            .map(NoteKey::from)
            .collect();
    }
    let mut found: Vec<TextRange> = targets
        .iter()
        .flat_map(|&target| citations(analysis, target))
        .collect();
    if include_declaration {
        found.extend(entries(analysis, target).iter().map(|n| n.label));
    }
    found.sort_by_key(|range| range.start);
    found.dedup();
    found
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightKind {
    /// A marker: the note is read there.
    Read,
    /// The note's entry: where it is written.
    Write,
}

/// `textDocument/documentHighlight`: every place with the number under `offset`, in document
/// order.
pub fn highlights(analysis: &Analysis, offset: usize) -> Vec<(TextRange, HighlightKind)> {
    let Some(target) = target_at(analysis, offset) else {
        return Vec::new();
    };
    let mut found: Vec<(TextRange, HighlightKind)> = citations(analysis, target)
        .into_iter()
        .map(|range| (range, HighlightKind::Read))
        .chain(
            entries(analysis, target)
                .iter()
                .map(|n| (n.label, HighlightKind::Write)),
        )
        .collect();
    found.sort_by_key(|(range, _)| range.start);
    found
}

/// How many markers cite each entry, for the code lens above it: `(label, count)` for every
/// entry, in document order.
pub fn citation_counts(analysis: &Analysis) -> Vec<(TextRange, usize)> {
    let max = analysis.markers.iter().map(|m| m.number).max().unwrap_or(0) as usize;
    // A count for each number of each series (a section can list an author's `〔1〕` and a
    // translator's `①`, each cited apart).
    let series = analysis.notes.iter().map(|n| n.series).max().unwrap_or(0) as usize + 1;
    let slot = |series: u8, number: u32| usize::from(series) * (max + 1) + number as usize;
    let mut counts = vec![0usize; series * (max + 1)];
    let mut markers = analysis.markers.iter().peekable();
    let mut lenses = Vec::with_capacity(analysis.notes.len());
    let mut notes = analysis.notes.iter().peekable();
    // Scope by scope: markers and notes both come in scope order.
    while let Some(&first) = notes.peek() {
        let scope = first.section;
        let mut counted = Vec::new();
        while let Some(marker) = markers.next_if(|m| m.scope().is_some_and(|s| s <= scope)) {
            let at = slot(marker.series, marker.number);
            if marker.scope() == Some(scope) && at < counts.len() {
                counts[at] += 1;
                counted.push(at);
            }
        }
        while let Some(note) = notes.next_if(|n| n.section == scope) {
            let count = counts
                .get(slot(note.series, note.number))
                .copied()
                .unwrap_or(0);
            lenses.push((note.label, count));
        }
        for at in counted {
            counts[at] = 0;
        }
    }
    lenses
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_fixture::Fixture;

    /// The text of each range, with its line (from 1).
    fn show(text: &str, ranges: impl IntoIterator<Item = TextRange>) -> Vec<String> {
        ranges
            .into_iter()
            .map(|r| {
                let line = text[..r.start].matches('\n').count() + 1;
                format!("{line}:{}", &text[r.start..r.end])
            })
            .collect()
    }

    const TWO_CHAPTERS: &str = "一、甲\n甲〔1〕甲〔2〕甲〔１〕\n註釋：\n〔1〕一。\n〔2〕二。\n二、乙\n乙〔1〕\n註釋：\n〔1〕乙一。\n三、丙\n末〔1〕";

    #[test]
    fn references_from_a_marker_or_a_label_stay_in_their_scope() {
        // Chapter one: markers on line 2, entries on lines 4 and 5.
        for cursor in ["甲〔$01〕甲〔2〕甲〔１〕", "甲〔1〕甲〔2〕甲〔１$0〕"] {
            let fixture =
                Fixture::parse(&TWO_CHAPTERS.replacen("甲〔1〕甲〔2〕甲〔１〕", cursor, 1));
            let analysis = Analysis::new(&fixture.text);
            let text = &fixture.text;
            assert_eq!(
                show(text, references(&analysis, fixture.cursor, false)),
                ["2:〔1〕", "2:〔１〕"]
            );
            assert_eq!(
                show(text, references(&analysis, fixture.cursor, true)),
                ["2:〔1〕", "2:〔１〕", "4:〔1〕"]
            );
        }
        // Chapter two's note 1, from its label: its one citation, not chapter one's.
        let fixture = Fixture::parse(&TWO_CHAPTERS.replacen("〔1〕乙一", "$0〔1〕乙一", 1));
        let analysis = Analysis::new(&fixture.text);
        assert_eq!(
            show(&fixture.text, references(&analysis, fixture.cursor, true)),
            ["7:〔1〕", "9:〔1〕"]
        );
        // After the last notes section: only the markers there.
        let fixture = Fixture::parse(&TWO_CHAPTERS.replacen("末〔1〕", "末〔$01〕", 1));
        let analysis = Analysis::new(&fixture.text);
        assert_eq!(
            show(&fixture.text, references(&analysis, fixture.cursor, true)),
            ["11:〔1〕"]
        );
    }

    #[test]
    fn nothing_off_a_marker() {
        let fixture = Fixture::parse(&TWO_CHAPTERS.replacen("甲〔1〕", "$0甲〔1〕", 1));
        let analysis = Analysis::new(&fixture.text);
        assert!(references(&analysis, fixture.cursor, true).is_empty());
        assert!(highlights(&analysis, fixture.cursor).is_empty());
    }

    #[test]
    fn highlights_read_markers_and_write_the_entry() {
        let fixture = Fixture::parse(&TWO_CHAPTERS.replacen("〔1〕一", "〔$01〕一", 1));
        let analysis = Analysis::new(&fixture.text);
        let found: Vec<String> = highlights(&analysis, fixture.cursor)
            .into_iter()
            .map(|(range, kind)| format!("{:?} {:?}", show(&fixture.text, [range]), kind))
            .collect();
        assert_eq!(
            found,
            [
                r#"["2:〔1〕"] Read"#,
                r#"["2:〔１〕"] Read"#,
                r#"["4:〔1〕"] Write"#
            ]
        );
    }

    #[test]
    fn citation_counts_per_series() {
        let text = "甲〔1〕乙①丙〔1〕丁〔2〕。\n注\n〔1〕一。\n〔2〕二。\n①譯一。";
        let analysis = Analysis::new(text);
        let counts: Vec<String> = citation_counts(&analysis)
            .into_iter()
            .map(|(label, count)| format!("{} {count}", &text[label.start..label.end]))
            .collect();
        assert_eq!(counts, ["〔1〕 2", "〔2〕 1", "① 1"]);
    }

    #[test]
    fn citation_counts_per_entry_and_scope() {
        let analysis = Analysis::new(TWO_CHAPTERS);
        let counts: Vec<String> = citation_counts(&analysis)
            .into_iter()
            .map(|(label, count)| format!("{:?} {count}", show(TWO_CHAPTERS, [label])))
            .collect();
        assert_eq!(
            counts,
            [r#"["4:〔1〕"] 2"#, r#"["5:〔2〕"] 1"#, r#"["9:〔1〕"] 1"#]
        );
    }
}
