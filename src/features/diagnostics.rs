//! The problems of a document, as the editor and the `check` command report them.

use std::borrow::Cow;

use crate::analysis::lint::{kind_index, Lints, FORM_KINDS};
use crate::analysis::{Analysis, Problem, ProblemKind};

/// How many form problems (PDF scars, typography) of one kind an editor is shown one by one.
/// A 10 MB book out of PDF has tens of thousands of hard-wrapped paragraphs: sending each after
/// every keystroke would cost milliseconds and tell the reader nothing more than one
/// "and 24,000 more" does (the source actions repair them all, `marginalia check` lists them).
pub const SHOWN_PER_KIND: usize = 50;

/// The problems to report, in document order: the note problems, and the form problems up to
/// `shown_per_kind` of each kind (the rest counted in one [`ProblemKind::More`] where they
/// start); `None` shows them all.
pub fn diagnostics<'a>(
    analysis: &'a Analysis,
    lints: &Lints,
    shown_per_kind: Option<usize>,
) -> Cow<'a, [Problem]> {
    if lints.is_empty() {
        return Cow::Borrowed(&analysis.problems);
    }
    let form = limited(lints, shown_per_kind.unwrap_or(usize::MAX));
    Cow::Owned(merged(&analysis.problems, &form))
}

/// The form problems in order, at most `shown` of each kind, and for a kind with more, one
/// [`ProblemKind::More`] where the first not shown starts.
fn limited(lints: &Lints, shown: usize) -> Vec<Problem> {
    let totals = lints.totals();
    let shown = u32::try_from(shown).unwrap_or(u32::MAX);
    let mut seen = [0u32; FORM_KINDS];
    let mut kept = Vec::new();
    // Once a kind has all its problems, or its `shown` and its "more", a chunk with nothing
    // else is skipped.
    let full =
        |seen: &[u32; FORM_KINDS], kind: usize| seen[kind] >= totals[kind] || seen[kind] > shown;
    for chunk in lints.chunks() {
        if (0..FORM_KINDS).all(|kind| full(&seen, kind)) {
            break;
        }
        let counts = chunk.counts();
        if !(0..FORM_KINDS).any(|kind| counts[kind] > 0 && !full(&seen, kind)) {
            continue;
        }
        for problem in chunk.iter() {
            let Some(kind) = kind_index(problem.code()) else {
                continue;
            };
            seen[kind] += 1;
            if seen[kind] <= shown {
                kept.push(problem);
            } else if seen[kind] == shown + 1 {
                kept.push(Problem {
                    kind: ProblemKind::More {
                        code: problem.code(),
                    },
                    ..problem
                });
            }
        }
    }
    kept
}

/// Two lists in document order, merged; `b` is the short one (the form problems shown), so
/// `a` is copied in runs between them.
fn merged(a: &[Problem], b: &[Problem]) -> Vec<Problem> {
    debug_assert!(a.windows(2).all(|w| w[0].range.start <= w[1].range.start));
    let mut all = Vec::with_capacity(a.len() + b.len());
    let mut from = 0;
    for problem in b {
        // Before the first of `a` that starts after it (equal starts: `a`'s first).
        let at = from + a[from..].partition_point(|p| p.range.start <= problem.range.start);
        all.extend_from_slice(&a[from..at]);
        all.push(*problem);
        from = at;
    }
    all.extend_from_slice(&a[from..]);
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
