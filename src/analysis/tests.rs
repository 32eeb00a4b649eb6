use expect_test::{expect, Expect};

use super::*;

const SEED: &str = include_str!("../../seeds/000_f8c5198825835df1.txt");

fn slice(text: &str, range: TextRange) -> &str {
    &text[range.start..range.end]
}

fn title(heading: &Heading, text: &str) -> String {
    heading.title(&ropey::Rope::from_str(text))
}

/// Headings as `level title | heading text`, one per line.
fn check_headings(text: &str, expect: Expect) {
    let analysis = Analysis::new(text);
    let rendered: Vec<String> = analysis
        .headings
        .iter()
        .map(|h| {
            format!(
                "{} {} | {:?}",
                h.level,
                title(h, text),
                slice(text, h.range)
            )
        })
        .collect();
    expect.assert_eq(&rendered.join("\n"));
}

/// A body paragraph of printed lines `width` characters wide, separated by blank lines.
fn printed_lines(count: usize, width: usize) -> String {
    let line: String = "正".repeat(width);
    vec![line; count].join("\n\n")
}

#[test]
fn the_seed_has_the_expected_outline() {
    let analysis = Analysis::new(SEED);
    let titles: Vec<(u8, String)> = analysis
        .headings
        .iter()
        .map(|h| (h.level, title(h, SEED)))
        .collect();
    assert_eq!(titles.len(), 20, "{titles:#?}");
    assert_eq!(titles[0], (1, "一、戰略性接近的內外動因".to_string()));
    assert_eq!(titles[18], (1, "結語".to_string()));
    assert_eq!(titles[19], (1, "註釋".to_string()));
    assert_eq!(analysis.headings[19].kind, HeadingKind::Notes);
}

#[test]
fn each_wrapped_heading_of_the_seed_is_joined() {
    let analysis = Analysis::new(SEED);
    let wrapped: Vec<(String, &str)> = analysis
        .headings
        .iter()
        .filter(|h| slice(SEED, h.range).contains('\n'))
        .map(|h| (title(h, SEED), slice(SEED, h.range)))
        .collect();
    let wrapped: Vec<(&str, &str)> = wrapped.iter().map(|(t, r)| (t.as_str(), *r)).collect();
    assert_eq!(
        wrapped,
        [
            (
                "（一）首腦“穿梭外交”和各層級對話機制形成",
                "（一）首腦“穿梭外交”和各層級對話機制\n\n形成"
            ),
            (
                "（二）以“朝鮮威脅”為由重啓軍事安全合作",
                "（二）以“朝鮮威脅”為由重啓軍事安全合\n\n作"
            ),
            (
                "（三）聯手構建產業供應鏈以改善兩國經貿關係",
                "（三）聯手構建產業供應鏈以改善兩國經貿\n\n關係"
            ),
            (
                "（二）從“非對稱”到“對稱”引發的日韓對立情緒",
                "（二）從“非對稱”到“對稱”引發的日韓\n\n對立情緒"
            ),
        ]
    );
}

#[test]
fn the_seed_cites_seventeen_notes_and_lists_four() {
    let analysis = Analysis::new(SEED);
    let cited: Vec<u32> = analysis.markers.iter().map(|m| m.number).collect();
    assert_eq!(cited, (1..=17).collect::<Vec<_>>());
    let listed: Vec<u32> = analysis.notes.iter().map(|n| n.number).collect();
    assert_eq!(listed, [1, 2, 3, 4]);
    // Note 4 runs to the end of its last line, leaving the final page-break space out.
    let last = analysis.notes[3];
    assert!(slice(SEED, last.range).ends_with("fe60463710"));
    let missing: Vec<&str> = analysis
        .problems
        .iter()
        .map(|p| {
            assert_eq!(p.code(), ProblemCode::MissingNote);
            slice(SEED, p.range)
        })
        .collect();
    assert_eq!(missing.len(), 13);
    assert_eq!(missing[0], "〔5〕");
}

#[test]
fn line_breaks_do_not_change_the_analysis() {
    let lf = Analysis::new(SEED);
    for line_break in ["\r\n", "\r"] {
        let text = SEED.replace('\n', line_break);
        let other = Analysis::new(&text);
        let titles = |a: &Analysis, text: &str| {
            a.headings
                .iter()
                .map(|h| title(h, text))
                .collect::<Vec<_>>()
        };
        assert_eq!(titles(&other, &text), titles(&lf, SEED), "{line_break:?}");
        assert_eq!(other.markers.len(), lf.markers.len());
        assert_eq!(other.notes.len(), lf.notes.len());
        assert_eq!(other.problems.len(), lf.problems.len());
    }
}

#[test]
fn a_wrapped_heading_needs_a_full_line_and_a_short_tail() {
    let body = printed_lines(6, 20);
    // 18 wide characters: 90% of the 20-character printed line.
    let heading = "一、甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳";
    check_headings(
        &format!("{body}\n\n{heading}\n\n形成\n\n{body}"),
        expect![[
            r#"1 一、甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳形成 | "一、甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳\n\n形成""#
        ]],
    );
    // A short heading is never wrapped: the short line after it is body text.
    check_headings(
        &format!("{body}\n\n一、甲乙\n\n形成\n\n{body}"),
        expect![[r#"1 一、甲乙 | "一、甲乙""#]],
    );
    // A tail that is a sentence, or a heading, stays what it is.
    check_headings(
        &format!("{body}\n\n{heading}\n\n完了。\n\n{body}"),
        expect![[
            r#"1 一、甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳 | "一、甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳""#
        ]],
    );
    check_headings(
        &format!("{body}\n\n{heading}\n\n結語\n\n{body}"),
        expect![[r#"
            1 一、甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳 | "一、甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳"
            1 結語 | "結語""#]],
    );
}

#[test]
fn a_body_line_starting_like_a_heading_is_body_text() {
    check_headings(
        "一、本文認為日韓關係的改善有其限度，原因如下。\n二、甲\n（一）曾因故意犯罪的；",
        expect![[r#"1 二、甲 | "二、甲""#]],
    );
}

#[test]
fn notes_run_over_lines_until_the_next_note_or_heading() {
    let text = "正文〔1〕〔2〕〔3〕\n\n註釋：\n\n〔1〕第一\n\n 續行\n\n　〔2〕 second\n1. still note two\n〔3〕三\n\n結語\n\n尾。";
    let analysis = Analysis::new(text);
    let notes: Vec<(u32, &str)> = analysis
        .notes
        .iter()
        .map(|n| (n.number, slice(text, n.range)))
        .collect();
    assert_eq!(
        notes,
        [
            (1, "〔1〕第一\n\n 續行"),
            (2, "〔2〕 second\n1. still note two"),
            (3, "〔3〕三"),
        ]
    );
    assert!(analysis.problems.is_empty(), "{:?}", analysis.problems);
    let titles: Vec<String> = analysis.headings.iter().map(|h| title(h, text)).collect();
    assert_eq!(titles, ["註釋", "結語"]);
}

#[test]
fn sections_end_before_the_next_heading_of_their_level() {
    let text = "一、甲\n正文\n（一）子\n子文\n\n二、乙\n乙文\n\n";
    let analysis = Analysis::new(text);
    let sections: Vec<&str> = analysis
        .headings
        .iter()
        .map(|h| slice(text, h.section))
        .collect();
    assert_eq!(
        sections,
        [
            "一、甲\n正文\n（一）子\n子文",
            "（一）子\n子文",
            "二、乙\n乙文"
        ]
    );
}

#[test]
fn markers_after_wide_characters_and_in_full_width_digits() {
    let text = "𠮷😀〔１〕𠮷〔２〕\n註釋：\n〔1〕ok\n〔2〕ok";
    let analysis = Analysis::new(text);
    assert_eq!(analysis.markers.len(), 2);
    assert_eq!(analysis.markers[0].number, 1);
    assert_eq!(slice(text, analysis.markers[0].range), "〔１〕");
    assert_eq!(analysis.markers[1].number, 2);
    assert!(analysis.problems.is_empty());
}

#[test]
fn plain_text_has_nothing() {
    for text in [
        "",
        "\n\n",
        "Hello, world.\nA second line.",
        "(a) [1] 〔〕 〔x〕",
    ] {
        assert_eq!(Analysis::new(text), Analysis::default(), "{text:?}");
    }
}

/// Each marker as `marker → entry` (or `→ none`), then the problems, one per line.
fn check_notes(text: &str, expect: Expect) {
    let analysis = Analysis::new(text);
    let mut lines: Vec<String> = analysis
        .markers
        .iter()
        .map(|m| {
            let target = analysis.note_of(m).map_or("none".to_string(), |n| {
                format!("{} ({})", slice(text, n.label), n.number)
            });
            let cross = if m.cross_reference {
                " cross-reference"
            } else {
                ""
            };
            format!("{} {}{cross} → {target}", slice(text, m.range), m.number)
        })
        .collect();
    lines.extend(
        analysis
            .problems
            .iter()
            .map(|p| format!("{} {:?}", p.code().as_str(), slice(text, p.range))),
    );
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn a_glyph_series_that_runs_out_continues_with_the_next_where_the_notes_show_it() {
    let cited: String = ('⑴'..='⒇').map(|c| format!("甲{c}")).collect();
    let listed: String = ('⑴'..='⒇').map(|c| format!("{c}注。\n")).collect();
    let text = format!("{cited}乙①丙②。\n註釋：\n{listed}①二十一。\n②二十二。\n");
    let analysis = Analysis::new(&text);
    assert!(analysis.problems.is_empty(), "{:?}", analysis.problems);
    let numbers: Vec<u32> = analysis.markers.iter().map(|m| m.number).collect();
    assert_eq!(numbers, (1..=22).collect::<Vec<_>>());
    let last = analysis.markers.last().unwrap();
    assert_eq!((last.written_number(), last.offset), (2, 20));
    assert_eq!(slice(&text, analysis.note_of(last).unwrap().label), "②");
    // A style seen before in the section continues nothing (`⑴` again after `⑳`).
    let circled: String = ('①'..='⑳').map(|c| format!("{c}注。\n")).collect();
    let text = format!("甲⑴。\n註釋：\n{listed}{circled}⑴又。\n");
    let analysis = Analysis::new(&text);
    let last = analysis.notes.last().unwrap();
    assert_eq!((last.number, last.offset), (1, 0));
    // Without the continuation in the notes, ① after ⒇ is a note 1 of its own series.
    let text = format!("{cited}乙①。\n註釋：\n{listed}");
    let analysis = Analysis::new(&text);
    let first = analysis.markers.last().unwrap();
    assert_eq!((first.number, first.offset), (1, 0));
    assert!(analysis.note_of(first).is_none());
}

#[test]
fn markers_match_their_own_glyph_first_and_by_number_only_when_unambiguous() {
    // One style in the notes: any style cites by number.
    check_notes(
        "甲⑴乙②丙〔3〕。\n註釋：\n〔1〕一。\n〔2〕二。\n〔3〕三。",
        expect![[r#"
            ⑴ 1 → 〔1〕 (1)
            ② 2 → 〔2〕 (2)
            〔3〕 3 → 〔3〕 (3)"#]],
    );
    // Two series: the same glyph wins; a third style cites by number only where one series
    // has that number.
    check_notes(
        "甲〔1〕乙①丙⑴丁⑶戊〔2〕。\n註釋：\n〔1〕一。\n〔2〕二。\n①譯一。\n〔3〕三。",
        expect![[r#"
            〔1〕 1 → 〔1〕 (1)
            ① 1 → ① (1)
            ⑴ 1 → none
            ⑶ 3 → 〔3〕 (3)
            〔2〕 2 → 〔2〕 (2)
            missing-note "⑴"
            note-order "⑶""#]],
    );
}

#[test]
fn book_parts_nest_chapters_and_a_run_of_numbered_titles_is_a_list() {
    check_headings(
        "第一编　总则\n第一章　规定\n第一条　正文。\n第二编　分则\n第一章　财产\n",
        expect![[r#"
            1 第一编　总则 | "第一编\u{3000}总则"
            2 第一章　规定 | "第一章\u{3000}规定"
            1 第二编　分则 | "第二编\u{3000}分则"
            2 第一章　财产 | "第一章\u{3000}财产""#]],
    );
    check_headings(
        "一、甲\n正文。\n1．甲条例\n2．乙决定\n\n3．丙办法\n二、乙\n1．方法\n正文。\n",
        expect![[r#"
            1 一、甲 | "一、甲"
            1 二、乙 | "二、乙"
            3 1．方法 | "1．方法""#]],
    );
}

#[test]
fn notes_sections_without_a_title() {
    // A run of label lines ending the document, from one labelled 1.
    check_headings(
        "一、甲\n正文〔1〕正文〔2〕。\n\n〔1〕一。\n〔2〕二。\n",
        expect![[r#"
            1 一、甲 | "一、甲"
            1 （註釋） | "〔1〕""#]],
    );
    // After a separator, entries may run on over several lines.
    check_headings(
        "一、甲\n正文〔1〕正文〔2〕。\n------\n〔1〕一，\n續。\n〔2〕二。\n二、乙\n乙。",
        expect![[r#"
            1 一、甲 | "一、甲"
            1 （註釋） | "〔1〕"
            1 二、乙 | "二、乙""#]],
    );
    // As collected works print editors' notes: indented, no title, cited before, an entry
    // over two printed lines, lines holding a space between them.
    check_headings(
        "一、甲\n　　正文〔1〕正文〔2〕。\n \n　　〔1〕一，\n　　續。\n \n　　〔2〕二。\n",
        expect![[r#"
            1 一、甲 | "一、甲"
            1 （註釋） | "〔1〕""#]],
    );
    // Not notes: one label line; a line starting with a marker inside a paragraph; a run
    // that does not end the chapter; a run not from 1.
    for text in [
        "一、甲\n正文〔1〕。\n\n〔1〕一。\n",
        "一、甲\n正文正文\n〔1〕正文正文〔2〕。\n〔2〕正文。\n正文。\n",
        "一、甲\n正文〔1〕〔2〕。\n〔1〕一。\n〔2〕二。\n正文在後。\n",
        "一、甲\n正文〔2〕〔3〕。\n〔2〕二。\n〔3〕三。\n",
    ] {
        let analysis = Analysis::new(text);
        assert!(
            analysis.notes.is_empty() && analysis.headings.len() == 1,
            "{text:?}: {:?}",
            analysis.headings
        );
    }
}

#[test]
fn a_cross_reference_in_a_note_resolves_but_does_not_count_for_order() {
    check_notes(
        "甲〔1〕乙〔2〕。\n註釋：\n〔1〕一。\n〔2〕二，見注〔1〕及注〔5〕。",
        expect![[r#"
            〔1〕 1 → 〔1〕 (1)
            〔2〕 2 → 〔2〕 (2)
            〔1〕 1 cross-reference → 〔1〕 (1)
            〔5〕 5 cross-reference → none
            missing-note "〔5〕""#]],
    );
}

#[test]
fn superscripts_are_markers_only_where_used_consistently() {
    // Numbered 1, 2, … from the first: markers.
    check_notes(
        "甲¹乙²。\n註釋：",
        expect![[r#"
            ¹ 1 → none
            ² 2 → none
            missing-note "¹"
            missing-note "²""#]],
    );
    // Exponents: no marker, no problem.
    check_notes(
        "面積 30 m²，體積 2 m³。\n單位：公里²。\n註釋：\n〔1〕一。",
        expect![[r#"unused-note "〔1〕""#]],
    );
    check_notes("公里²與公里³。", expect![""]);
}
