//! The problems of a document, as the editor and the `check` command report them.

use std::borrow::Cow;

use crate::analysis::lint::Lints;
use crate::analysis::{Analysis, Problem, ProblemCode, ProblemKind};

/// How many form problems (PDF scars, typography) of one kind an editor is shown one by one.
/// A 10 MB book out of PDF has tens of thousands of hard-wrapped paragraphs: sending each after
/// every keystroke would cost milliseconds and tell the reader nothing more than one
/// "and 24,000 more" does (the source actions repair them all, `marginalia check` lists them).
pub const SHOWN_PER_KIND: usize = 100;

/// The problems to report, in document order: the note problems, and the form problems up to
/// `shown_per_kind` of each kind (the rest counted in one [`ProblemKind::More`] where they
/// start); `None` shows them all.
pub fn diagnostics<'a>(
    analysis: &'a Analysis,
    lints: &Lints,
    shown_per_kind: Option<usize>,
) -> Cow<'a, [Problem]> {
    if lints.problems().is_empty() {
        return Cow::Borrowed(&analysis.problems);
    }
    let form = limited(lints.problems(), shown_per_kind.unwrap_or(usize::MAX));
    Cow::Owned(merged(&analysis.problems, &form))
}

/// `problems` (in order) with at most `shown` of each kind.
fn limited(problems: &[Problem], shown: usize) -> Vec<Problem> {
    let mut counts: Vec<(ProblemCode, usize)> = Vec::new();
    let mut kept = Vec::with_capacity(problems.len().min(shown.saturating_mul(8)));
    for problem in problems {
        let code = problem.code();
        let count = match counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, count)) => count,
            None => {
                counts.push((code, 0));
                &mut counts.last_mut().expect("just pushed").1
            }
        };
        *count += 1;
        if *count <= shown {
            kept.push(*problem);
        } else if *count == shown + 1 {
            // Counted below, once the total is known.
            kept.push(Problem {
                kind: ProblemKind::More { code, count: 0 },
                ..*problem
            });
        }
    }
    for problem in &mut kept {
        if let ProblemKind::More { code, count } = &mut problem.kind {
            let total = counts
                .iter()
                .find(|(c, _)| c == code)
                .map_or(0, |(_, n)| *n);
            *count = u32::try_from(total - shown).unwrap_or(u32::MAX);
        }
    }
    kept
}

/// Two lists in document order, merged.
fn merged(a: &[Problem], b: &[Problem]) -> Vec<Problem> {
    let mut all = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j].range.start < a[i].range.start {
            all.push(b[j]);
            j += 1;
        } else {
            all.push(a[i]);
            i += 1;
        }
    }
    all.extend_from_slice(&a[i..]);
    all.extend_from_slice(&b[j..]);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check(text: &str, expect: Expect) {
        let analysis = Analysis::new(text);
        let rendered: Vec<String> = diagnostics(&analysis, &Lints::default(), None)
            .iter()
            .map(|p| {
                let related: Vec<String> = p
                    .related()
                    .iter()
                    .map(|(r, m)| format!(" ({}: {m})", &text[r.start..r.end]))
                    .collect();
                format!(
                    "{} {} {:?} {}{}",
                    p.severity.as_str(),
                    p.code().as_str(),
                    &text[p.range.start..p.range.end],
                    p.message(),
                    related.concat()
                )
            })
            .collect();
        expect.assert_eq(&rendered.join("\n"));
    }

    #[test]
    fn plain_text_is_quiet() {
        check("Dear friend,\nnothing to see here. [1] (a)\n", expect![""]);
        check("", expect![""]);
    }

    #[test]
    fn missing_unused_and_duplicate_notes() {
        check(
            "甲〔1〕乙〔3〕丙〔１〕\n\n註釋：\n〔1〕一。\n〔2〕二。\n〔1〕重複。",
            expect![[r#"
                error missing-note "〔3〕" note 〔3〕 is cited but has no entry in 註釋
                warning unused-note "〔2〕" note 〔2〕 is never cited in the text
                error duplicate-note "〔1〕" note 〔1〕 has more than one entry (〔1〕: first entry for note 〔1〕)"#]],
        );
    }

    #[test]
    fn markers_without_any_notes_section() {
        check(
            "甲〔1〕",
            expect!["error missing-note \"〔1〕\" note 〔1〕 is cited but the document has no notes section (註釋)"],
        );
    }

    #[test]
    fn each_chapter_checks_its_markers_against_its_own_notes() {
        check(
            "一、甲\n甲〔1〕甲〔2〕\n註釋：\n〔1〕一。\n二、乙\n乙〔2〕\n註釋：\n〔2〕二。\n〔1〕一。\n末〔3〕",
            expect![[r#"
                error missing-note "〔2〕" note 〔2〕 is cited but has no entry in 註釋
                warning notes-out-of-order "〔1〕" note 〔1〕's entry comes after an entry with a higher number
                warning unused-note "〔1〕" note 〔1〕 is never cited in the text
                error missing-note "〔3〕" note 〔3〕 is cited but no notes section (註釋) follows it"#]],
        );
    }

    #[test]
    fn notes_out_of_sequence_skipped_or_listed_out_of_order() {
        // Cited 〔2〕 before 〔1〕; 〔4〕 with no 〔3〕 anywhere; entries 2 before 1.
        check(
            "甲〔2〕乙〔1〕丙〔4〕\n註釋：\n〔2〕二。\n〔1〕一。\n〔4〕四。",
            expect![[r#"
                info note-order "〔2〕" note 〔2〕 is first cited before a note with a lower number: notes are numbered in order of first citation
                warning note-gap "〔4〕" note 〔3〕 is skipped: no marker or entry has this number, though higher ones follow
                warning notes-out-of-order "〔1〕" note 〔1〕's entry comes after an entry with a higher number"#]],
        );
        // In order: nothing.
        check(
            "甲〔1〕乙〔2〕乙〔1〕\n註釋：\n〔1〕一。\n〔2〕二。",
            expect![""],
        );
    }

    #[test]
    fn a_bracketed_label_outside_the_notes_section_is_a_marker() {
        check("〔1〕開頭的正文。\n註釋：\n〔1〕一。", expect![""]);
    }
}
