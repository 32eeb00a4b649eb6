//! The problems of a document, as the editor and the `check` command report them.

use std::borrow::Cow;

use crate::analysis::lint::{kind_index, Lints, FORM_KINDS};
use crate::analysis::{Analysis, Heading, Problem, ProblemCode, ProblemKind};
use crate::config::Config;

/// How many form problems (PDF scars, typography) of one kind an editor is shown one by one.
/// A 10 MB book out of PDF has tens of thousands of hard-wrapped paragraphs: sending each after
/// every keystroke would cost milliseconds and tell the reader nothing more than one
/// "and 24,000 more" does (the source actions repair them all, `marginalia check` lists them).
pub const SHOWN_PER_KIND: usize = 50;

/// How many problems an editor is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shown {
    /// Form problems of one kind, one by one (the rest in one [`ProblemKind::More`]).
    pub per_kind: usize,
    /// Problems in all (the rest counted in one [`ProblemKind::NotShown`]).
    pub total: usize,
}

impl Shown {
    /// What an editor is shown by `config`.
    pub fn in_editor(config: &Config) -> Shown {
        Shown {
            per_kind: SHOWN_PER_KIND,
            total: config.max_problems.0,
        }
    }
}

/// The problems to report, in document order, as `config` wants them (those switched off
/// left out, severities set): the note problems and the form problems, as many as `shown`
/// says; `None` reports them all.
pub fn diagnostics<'a>(
    analysis: &'a Analysis,
    lints: &Lints,
    config: &Config,
    shown: Option<Shown>,
) -> Cow<'a, [Problem]> {
    let shown = shown.unwrap_or(Shown {
        per_kind: usize::MAX,
        total: usize::MAX,
    });
    let as_found = config.shows_problems_as_found();
    let notes = &analysis.problems;
    if as_found && lints.is_empty() && notes.len() <= shown.total {
        return Cow::Borrowed(notes);
    }
    let form = limited(lints, &analysis.headings, shown.per_kind);
    let (notes, form) = if as_found {
        (Cow::Borrowed(notes.as_slice()), form)
    } else {
        (Cow::Owned(config.apply(notes)), config.apply(&form))
    };
    let mut all = merged(&notes, &form);
    let mut kept = Vec::with_capacity((notes.len() + form.len()).min(shown.total));
    kept.extend(all.by_ref().take(shown.total));
    if let Some(first_not_shown) = all.next() {
        let count = notes.len() + form.len() - kept.len();
        let count = ProblemKind::NotShown {
            count: u32::try_from(count).unwrap_or(u32::MAX),
        };
        kept.push(Problem::new(count, first_not_shown.range));
    }
    Cow::Owned(kept)
}

/// The form problems in order, at most `shown` of each kind, and for a kind with more, one
/// [`ProblemKind::More`] where the first not shown starts.
fn limited(lints: &Lints, headings: &[Heading], shown: usize) -> Vec<Problem> {
    // Each with its place among the lints (chunk, index in it), to be put back in their order.
    let mut kept = Vec::new();
    let half_width = kind_index(ProblemCode::HalfWidthPunctuation);
    let unbalanced = kind_index(ProblemCode::UnbalancedPunctuation);
    let throughout = lints.half_width_throughout();
    for kind in 0..FORM_KINDS {
        if let (Some(count), true) = (throughout, Some(kind) == half_width) {
            kept.extend(half_width_throughout(lints, kind, count));
            continue;
        }
        let of_kind = lints.chunks().enumerate().flat_map(|(c, chunk)| {
            chunk
                .of_kind(kind)
                .map(move |(i, problem)| ((c, i), problem))
        });
        let of_kind: Box<dyn Iterator<Item = _>> = if Some(kind) == unbalanced {
            Box::new(across_paragraphs(of_kind, headings).into_iter())
        } else {
            Box::new(of_kind)
        };
        for (seen, (at, problem)) in of_kind.enumerate() {
            if seen == shown {
                let code = problem.code();
                let more = ProblemKind::More { code };
                kept.push((
                    at,
                    Problem {
                        kind: more,
                        ..problem
                    },
                ));
                break;
            }
            kept.push((at, problem));
        }
    }
    kept.sort_unstable_by_key(|(at, _)| *at);
    kept.into_iter().map(|(_, problem)| problem).collect()
}

/// The unbalanced marks left once quotations (and brackets) over several paragraphs are
/// followed up to the next heading, by either convention: each paragraph of a quotation
/// opens with `“` and only the last closes it (an opening mark that starts its paragraph,
/// the next starting with the same mark), or it opens once and closes at the end of its last
/// paragraph (an opening mark never closed, then a closing mark that closes nothing).
fn across_paragraphs<T>(
    problems: impl Iterator<Item = (T, Problem)>,
    headings: &[Heading],
) -> Vec<(T, Problem)> {
    let mut kept: Vec<Option<(T, Problem)>> = Vec::new();
    // The marks still open (their index in `kept`), and the section they are in.
    let mut open: Vec<(usize, u8)> = Vec::new();
    let mut section = 0;
    for (at, problem) in problems {
        let in_section = headings.partition_point(|h| h.range.start <= problem.range.start);
        if in_section != section {
            open.clear();
            section = in_section;
        }
        match problem.kind {
            ProblemKind::Unclosed {
                continued: true, ..
            } => continue,
            ProblemKind::Unclosed { pair, .. } => open.push((kept.len(), pair)),
            ProblemKind::Unopened { pair } => {
                if let Some(at) = open.iter().rposition(|&(_, p)| p == pair) {
                    let (opening, _) = open.remove(at);
                    kept[opening] = None;
                    continue;
                }
            }
            _ => {}
        }
        kept.push(Some((at, problem)));
    }
    kept.into_iter().flatten().collect()
}

/// The one problem of a text that writes half-width punctuation throughout, at the first
/// place, with its place among the lints.
fn half_width_throughout(
    lints: &Lints,
    kind: usize,
    count: usize,
) -> Option<((usize, usize), Problem)> {
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    let mut of_kind = lints
        .chunks()
        .enumerate()
        .flat_map(|(c, chunk)| chunk.of_kind(kind).map(move |(i, p)| ((c, i), p)));
    let (at, first) = of_kind.next()?;
    Some((
        at,
        Problem {
            kind: ProblemKind::HalfWidthThroughout { count },
            ..first
        },
    ))
}

/// Two lists in document order, merged (equal starts: `a`'s first). Lazy: a paste can leave
/// ten thousand note problems, of which an editor is shown the first thousand.
fn merged<'x>(mut a: &'x [Problem], mut b: &'x [Problem]) -> impl Iterator<Item = Problem> + 'x {
    debug_assert!(a.windows(2).all(|w| w[0].range.start <= w[1].range.start));
    std::iter::from_fn(move || {
        let from_a = match (a.first(), b.first()) {
            (Some(x), Some(y)) => x.range.start <= y.range.start,
            (x, _) => x.is_some(),
        };
        let list = if from_a { &mut a } else { &mut b };
        let (first, rest) = list.split_first()?;
        *list = rest;
        Some(*first)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Severity;
    use expect_test::{expect, Expect};

    fn check(text: &str, expect: Expect) {
        let analysis = Analysis::new(text);
        let rendered: Vec<String> =
            diagnostics(&analysis, &Lints::default(), &Config::default(), None)
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

    fn form(text: &str) -> Vec<String> {
        let document = crate::document::Document::new(text);
        let snapshot = document.snapshot();
        diagnostics(
            snapshot.analysis(),
            snapshot.lints(),
            &Config::default(),
            None,
        )
        .iter()
        .map(|p| {
            format!(
                "{} {:?}",
                p.code().as_str(),
                &text[p.range.start..p.range.end]
            )
        })
        .collect()
    }

    #[test]
    fn quotations_over_several_paragraphs_balance_by_either_convention() {
        // Each paragraph opens, the last closes; opened once, closed at the end of the last
        // (an amendment's text); a bracket over two paragraphs; an item's number `1）`.
        let text = "一、甲\n\n他寫道：\n\n“第一段。\n\n“第二段。\n\n“第三段。”\n\n修改為：“第一條。\n\n第二條。”\n\n（通過\n\n批准）\n\n1）甲；2）乙。\n\n二、乙\n\n“未完。\n\n三、丙\n\n多餘。”\n";
        assert_eq!(
            form(text),
            [
                "unbalanced-punctuation \"“\"",
                "unbalanced-punctuation \"”\""
            ]
        );
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
        // Numbered as notes are: 1, 2, 3, each once.
        check(
            "甲〔1〕乙〔2〕\n丙〔3〕",
            expect![[r#"
                error missing-note "〔1〕" note 〔1〕 is cited but the document has no notes section (註釋)
                error missing-note "〔2〕" note 〔2〕 is cited but the document has no notes section (註釋)
                error missing-note "〔3〕" note 〔3〕 is cited but the document has no notes section (註釋)"#]],
        );
        // Equations cited again and again, a lone gloss: no notes.
        check("式［1］與式［2］，由［1］得［3］。", expect![""]);
        check("甲〔十三〕乙", expect![""]);
        check("甲〔1〕", expect![""]);
    }

    #[test]
    fn each_chapter_checks_its_markers_against_its_own_notes() {
        check(
            "一、甲\n甲〔1〕甲〔2〕\n註釋：\n〔1〕一。\n二、乙\n乙〔2〕\n註釋：\n〔2〕二。\n〔1〕一。\n三、丙\n末〔3〕",
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

    /// `count` markers without notes, then as many notes, numbered after them, never cited.
    fn missing_and_unused(count: u32) -> String {
        let markers: String = (1..=count).map(|n| format!("甲〔{n}〕\n")).collect();
        let notes: String = (count + 1..=2 * count)
            .map(|n| format!("〔{n}〕注。\n"))
            .collect();
        format!("{markers}註釋：\n{notes}")
    }

    fn codes(problems: &[Problem]) -> Vec<String> {
        problems
            .iter()
            .map(|p| format!("{} {}", p.code().as_str(), p.message()))
            .collect()
    }

    #[test]
    fn an_editor_is_sent_at_most_the_total_and_a_count_of_the_rest_where_they_start() {
        let text = missing_and_unused(5);
        let analysis = Analysis::new(&text);
        assert_eq!(analysis.problems.len(), 10);
        let config = Config::default();
        let shown = |total| {
            Some(Shown {
                per_kind: 50,
                total,
            })
        };
        let problems = diagnostics(&analysis, &Lints::default(), &config, shown(3));
        expect![[r#"
            [
                "missing-note note 〔1〕 is cited but has no entry in 註釋",
                "missing-note note 〔2〕 is cited but has no entry in 註釋",
                "missing-note note 〔3〕 is cited but has no entry in 註釋",
                "not-shown 7 more problems from here on are not shown: an editor is sent at most the setting marginalia.maxProblems (1000 unless set; 0 for all); `marginalia check` lists them all",
            ]
        "#]]
        .assert_debug_eq(&codes(&problems));
        // Where the first not shown is: marker 〔4〕.
        assert_eq!(
            &text[problems[3].range.start..problems[3].range.end],
            "〔4〕"
        );
        assert_eq!(problems[3].severity, Severity::Information);
        // Within the total: the analysis' own list, not a copy.
        let all = diagnostics(&analysis, &Lints::default(), &config, shown(10));
        assert!(matches!(all, Cow::Borrowed(_)));
        assert_eq!(all.len(), 10);
    }

    #[test]
    fn the_total_counts_only_the_problems_the_settings_show() {
        let text = missing_and_unused(5);
        let analysis = Analysis::new(&text);
        let (config, errors) =
            Config::from_json(&serde_json::json!({ "diagnostics": { "missing-note": "off" } }));
        assert!(errors.is_empty());
        let shown = Some(Shown {
            per_kind: 50,
            total: 2,
        });
        let problems = diagnostics(&analysis, &Lints::default(), &config, shown);
        expect![[r#"
            [
                "unused-note note 〔6〕 is never cited in the text",
                "unused-note note 〔7〕 is never cited in the text",
                "not-shown 3 more problems from here on are not shown: an editor is sent at most the setting marginalia.maxProblems (1000 unless set; 0 for all); `marginalia check` lists them all",
            ]
        "#]]
        .assert_debug_eq(&codes(&problems));
    }

    #[test]
    fn form_problems_count_toward_the_total_in_document_order() {
        // A stray space (a hint) on the first line, then two missing notes.
        let text = " 甲〔1〕\n乙〔2〕\n丙〔3〕\n";
        let document = crate::document::DocumentSnapshot::new(text);
        let config = Config::default();
        let shown = Some(Shown {
            per_kind: 50,
            total: 2,
        });
        let problems = diagnostics(document.analysis(), document.lints(), &config, shown);
        let codes: Vec<&str> = problems.iter().map(|p| p.code().as_str()).collect();
        assert_eq!(codes, ["page-break-space", "missing-note", "not-shown"]);
    }

    #[test]
    fn each_form_kind_is_shown_up_to_its_limit_and_then_once_more_in_document_order() {
        // Stray spaces on lines 0, 2, 4, 6; a half-width comma on lines 1, 3, 5; a heading
        // (marginalia checks annotated texts only).
        let text = " 甲。\n甲,乙。\n 丙。\n丙,丁。\n 戊。\n戊,己。\n 庚。\n\n一、附記\n";
        let document = crate::document::DocumentSnapshot::new(text);
        let shown = Some(Shown {
            per_kind: 2,
            total: usize::MAX,
        });
        let problems = diagnostics(
            document.analysis(),
            document.lints(),
            &Config::default(),
            shown,
        );
        let lines: Vec<String> = problems
            .iter()
            .map(|p| {
                let line = text[..p.range.start].matches('\n').count();
                let more = matches!(p.kind, ProblemKind::More { .. });
                format!(
                    "{line} {}{}",
                    p.code().as_str(),
                    if more { " (more)" } else { "" }
                )
            })
            .collect();
        expect![[r#"
            [
                "0 page-break-space",
                "1 half-width-punctuation",
                "2 page-break-space",
                "3 half-width-punctuation",
                "4 page-break-space (more)",
                "5 half-width-punctuation (more)",
            ]
        "#]]
        .assert_debug_eq(&lines);
    }
}
