//! Seeing a document's structure and repairing what PDF extraction broke, through the server
//! in-process: folding, links, the PDF-scar and typography checks with their fixes, reflow.

mod common;

use common::units::{apply, Units};
use common::{TestClient, SEED};
use marginalia::analysis::{join_lines, Analysis};
use serde_json::{json, Value};

const URI: &str = "file:///work/seed.txt";

async fn folding(capabilities: Value, text: &str) -> Vec<Value> {
    let mut client = TestClient::initialized_with(capabilities).await;
    client.open(URI, 1, text).await;
    client.diagnostics_for(1).await;
    let folds = client
        .request(
            "textDocument/foldingRange",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await
        .unwrap();
    folds.as_array().unwrap().clone()
}

/// A fold as `first-last kind` (1-based lines) and the first line's text.
fn render(text: &str, folds: &[Value]) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    folds
        .iter()
        .map(|fold| {
            let (start, end) = (
                fold["startLine"].as_u64().unwrap(),
                fold["endLine"].as_u64().unwrap(),
            );
            let first: String = lines[start as usize].trim().chars().take(12).collect();
            format!(
                "{}-{} {} {first}",
                start + 1,
                end + 1,
                fold["kind"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_seed_folds_by_section_and_its_notes_section_and_notes_by_entry() {
    let line_folding = json!({ "textDocument": { "foldingRange": { "lineFoldingOnly": true } } });
    let folds = folding(line_folding, SEED).await;
    expect_test::expect_file!["snapshots/seed_folding.txt"].assert_eq(&render(SEED, &folds));
    // Whole lines only, as the client asked.
    assert!(folds
        .iter()
        .all(|fold| fold.get("startCharacter").is_none() && fold.get("endCharacter").is_none()));
}

#[tokio::test]
async fn folds_end_where_the_text_ends_in_the_negotiated_units() {
    // 𠮷 is two UTF-16 units and four UTF-8 bytes: the section ends after it.
    let text = "一、甲\n正文𠮷\n\n註釋：\n〔1〕一，\n𠮷續。\n";
    for units in [Units::Utf16, Units::Utf8] {
        let capabilities = json!({ "general": { "positionEncodings": [units.name()] } });
        let folds = folding(capabilities, text).await;
        let ends: Vec<(u64, u64, &str)> = folds
            .iter()
            .map(|f| {
                (
                    f["endLine"].as_u64().unwrap(),
                    f["endCharacter"].as_u64().unwrap(),
                    f["kind"].as_str().unwrap(),
                )
            })
            .collect();
        // 正文𠮷 and 𠮷續。
        let (wide, note_end) = match units {
            Units::Utf16 => (2 + 2, 2 + 2),
            Units::Utf8 => (2 * 3 + 4, 4 + 2 * 3),
        };
        assert_eq!(
            ends,
            [
                (1, wide, "region"),
                (5, note_end, "region"),
                (5, note_end, "comment")
            ],
            "{units:?}"
        );
        assert!(folds.iter().all(|f| f["startCharacter"] == 0));
    }
}

/// The text a range covers (whole lines joined with `\n`), for UTF-16 positions.
fn covered(text: &str, range: &Value) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let at = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let units = position["character"].as_u64().unwrap() as usize;
        let before: usize = lines[..line].iter().map(|l| l.len() + 1).sum();
        let mut bytes = 0;
        let mut counted = 0;
        for c in lines[line].chars() {
            if counted >= units {
                break;
            }
            counted += c.len_utf16();
            bytes += c.len_utf8();
        }
        before + bytes
    };
    text[at(&range["start"])..at(&range["end"])].to_string()
}

#[tokio::test]
async fn the_seed_links_its_four_urls_mended_where_pdf_extraction_broke_them() {
    let (mut client, _) = TestClient::initialized(&["utf-16"]).await;
    client.open(URI, 1, SEED).await;
    let links = client
        .request(
            "textDocument/documentLink",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await
        .unwrap();
    let links = links.as_array().unwrap();
    let targets: Vec<&str> = links
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "https://www.arabnews.jp/article/japan/article_66759/",
            "https://edit3-537296i8ds97116.crntt.com/world/south-korea-us-japan-hold-anti-submarine-drills-counter-north-korea-threats-2023-04-03/",
            "https://www.yomiuri.co.jp/editorial/20230427-OYT1T50263/",
            "https://news.yahoo.co.jp/articles/fe60463710",
        ]
    );
    // Each range spans all the pieces, from `https` to the URL's last character, on the
    // lines of notes 1 to 4 (1-based 890, 898, 908, 915).
    let first_lines: Vec<u64> = links
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap() + 1)
        .collect();
    assert_eq!(first_lines, [890, 898, 908, 915]);
    for (link, target) in links.iter().zip(targets) {
        let pieces = covered(SEED, &link["range"]);
        let joined: String = pieces.split_whitespace().collect();
        assert_eq!(joined, target, "{pieces:?}");
    }
}

/// `(1-based line, code)` of each diagnostic with one of `codes`.
fn lines_of(diagnostics: &Value, codes: &[&str]) -> Vec<(u64, String)> {
    diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| codes.contains(&d["code"].as_str().unwrap()))
        .map(|d| {
            let line = d["range"]["start"]["line"].as_u64().unwrap() + 1;
            (line, d["code"].as_str().unwrap().to_string())
        })
        .collect()
}

async fn opened(units: Units, text: &str) -> (TestClient, Value) {
    let mut client = TestClient::initialized_with(json!({
        "general": { "positionEncodings": [units.name()] },
    }))
    .await;
    client.open(URI, 1, text).await;
    let diagnostics = client.diagnostics_for(1).await;
    (client, diagnostics)
}

async fn code_actions(client: &mut TestClient, range: &Value, only: &str) -> Vec<Value> {
    client
        .code_actions(URI, range.clone(), json!([]), only)
        .await
}

/// The text edits for `URI` of the action titled `title`.
fn edits_of<'a>(actions: &'a [Value], title: &str) -> &'a [Value] {
    let action = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(title)))
        .unwrap_or_else(|| panic!("no action {title:?} in {actions:#?}"));
    action["edit"]["changes"][URI].as_array().unwrap()
}

#[tokio::test]
async fn the_seed_shows_its_pdf_scars_as_hints_and_its_typography_as_warnings() {
    let (_, diagnostics) = opened(Units::Utf16, SEED).await;
    let scars = lines_of(&diagnostics, &["page-break-space", "broken-url"]);
    let expected: Vec<(u64, String)> = [
        (1, "page-break-space"),
        (76, "page-break-space"),
        (209, "page-break-space"),
        (344, "page-break-space"),
        (477, "page-break-space"),
        (610, "page-break-space"),
        (743, "page-break-space"),
        (876, "page-break-space"),
        (890, "broken-url"),
        (898, "broken-url"),
        (908, "broken-url"),
        (913, "page-break-space"),
    ]
    .iter()
    .map(|&(line, code)| (line, code.to_string()))
    .collect();
    assert_eq!(scars, expected);
    let all = diagnostics["diagnostics"].as_array().unwrap();
    let severity_of = |code: &str| {
        let found: Vec<u64> = all
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| d["severity"].as_u64().unwrap())
            .collect();
        found
    };
    assert!(severity_of("page-break-space").iter().all(|&s| s == 4));
    assert!(severity_of("hard-wrap").iter().all(|&s| s == 4));
    // The seed's paragraphs are all printed lines with blank lines between them.
    assert!(severity_of("hard-wrap").len() > 30);
    // `“制衡”(balancing) 的做法 ,` and `(hedging)` two lines down.
    let typography = lines_of(
        &diagnostics,
        &["half-width-punctuation", "unbalanced-punctuation"],
    );
    assert_eq!(
        typography,
        [
            (690, "half-width-punctuation".to_string()),
            (690, "half-width-punctuation".to_string()),
            (692, "half-width-punctuation".to_string()),
        ]
    );
    assert_eq!(severity_of("half-width-punctuation"), [2, 2, 2]);
    assert_eq!(severity_of("missing-note").len(), 13);
}

#[tokio::test]
async fn each_scar_and_half_width_mark_has_a_quick_fix() {
    for units in [Units::Utf16, Units::Utf8] {
        let (mut client, diagnostics) = opened(units, SEED).await;
        let all = diagnostics["diagnostics"].as_array().unwrap().clone();
        let first = |code: &str, line: u64| {
            all.iter()
                .find(|d| d["code"] == code && d["range"]["start"]["line"] == line - 1)
                .unwrap_or_else(|| panic!("no {code} on line {line}"))
                .clone()
        };
        let lines: Vec<&str> = SEED.split('\n').collect();
        let fixed = |title: &str, actions: &[Value]| apply(SEED, edits_of(actions, title), units);

        let space = first("page-break-space", 76);
        let actions = code_actions(&mut client, &space["range"], "quickfix").await;
        let text = fixed("Remove the stray space", &actions);
        assert_eq!(text.split('\n').nth(75), Some(lines[75].trim_start()));

        let url = first("broken-url", 898);
        let actions = code_actions(&mut client, &url["range"], "quickfix").await;
        let text = fixed("Join the broken URL", &actions);
        let crntt = "https://edit3-537296i8ds97116.crntt.com/world/south-korea-us-japan-hold-anti-submarine-drills-counter-north-korea-threats-2023-04-03/";
        assert!(text.contains(crntt), "{}", &text[text.len() - 1200..]);

        let comma = first("half-width-punctuation", 690);
        let actions = code_actions(&mut client, &comma["range"], "quickfix").await;
        let text = fixed("Write （…）", &actions);
        assert!(
            text.contains("“制衡”（balancing）的做法 ,"),
            "{}",
            text.split('\n').nth(689).unwrap()
        );

        let wrap = first("hard-wrap", 1);
        let actions = code_actions(&mut client, &wrap["range"], "quickfix").await;
        let text = fixed("Join this paragraph's lines", &actions);
        let paragraph = text.split('\n').next().unwrap();
        assert!(paragraph.starts_with(" 自 1951 年《舊金山和約》簽訂後，作為美國"));
        assert!(paragraph.ends_with("關係逐漸走低。"), "{paragraph}");
        assert_eq!(
            join_lines(&SEED[..SEED.find("關係逐漸走低。").unwrap()]),
            join_lines(paragraph.trim_end_matches("關係逐漸走低。"))
        );
    }
}

/// What a reader sees of an analysis: the headings' titles, the markers' numbers in order,
/// each note's number and text (spaces and line breaks aside), and the problems with notes.
fn structure(text: &str) -> Structure {
    let analysis = Analysis::new(text);
    let rope = ropey::Rope::from_str(text);
    let titles = analysis.headings.iter().map(|h| h.title(&rope)).collect();
    let markers = analysis.markers.iter().map(|m| m.number).collect();
    let notes = analysis
        .notes
        .iter()
        .map(|n| {
            let body: String = text[n.body().start..n.body().end]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            (n.number, body)
        })
        .collect();
    let problems = analysis
        .problems
        .iter()
        .map(|p| p.message().to_string())
        .collect();
    Structure {
        titles,
        markers,
        notes,
        problems,
    }
}

#[derive(Debug, PartialEq)]
struct Structure {
    titles: Vec<String>,
    markers: Vec<u32>,
    notes: Vec<(u32, String)>,
    problems: Vec<String>,
}

#[tokio::test]
async fn reflowing_the_seed_keeps_its_outline_markers_and_notes() {
    for units in [Units::Utf16, Units::Utf8] {
        let (mut client, _) = opened(units, SEED).await;
        let anywhere =
            json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } });
        let actions = code_actions(&mut client, &anywhere, "source").await;
        let reflowed = apply(
            SEED,
            edits_of(&actions, "Reflow the document into paragraphs"),
            units,
        );
        let repaired = apply(SEED, edits_of(&actions, "Repair PDF scars"), units);
        for text in [&reflowed, &repaired] {
            assert_eq!(structure(text), structure(SEED));
            assert!(
                text.lines().count() < SEED.lines().count() / 4,
                "paragraphs joined"
            );
        }
        // Nothing is left to join or repair, and the outline the client sees is the same.
        let (mut after, diagnostics) = opened(units, &repaired).await;
        let left = lines_of(
            &diagnostics,
            &["page-break-space", "hard-wrap", "broken-url"],
        );
        assert_eq!(left, []);
        let (mut before, _) = opened(units, SEED).await;
        let names = |symbols: &Value| {
            common::symbol_names(symbols)
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&after.document_symbols(URI).await),
            names(&before.document_symbols(URI).await)
        );
        // Reflowing again changes nothing.
        let again = code_actions(&mut after, &anywhere, "source.reflowParagraphs").await;
        assert!(edits_of(&again, "Reflow the document into paragraphs").is_empty());
    }
}

#[tokio::test]
async fn typography_checks_on_small_texts() {
    // Each text ends with a heading: marginalia checks annotated texts only.
    let check = |text: &'static str| async move {
        let text = format!("{text}\n\n一、附記");
        let (_, diagnostics) = opened(Units::Utf16, &text).await;
        diagnostics["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let range = &d["range"];
                format!(
                    "{} {}:{}-{}",
                    d["code"].as_str().unwrap(),
                    range["start"]["line"],
                    range["start"]["character"],
                    range["end"]["character"]
                )
            })
            .collect::<Vec<_>>()
    };
    // A document number's bracketed year is no note marker: nothing to report.
    assert_eq!(
        check("依據國發〔2023〕5號和国办发〔2024〕12号文件。").await,
        [] as [String; 0]
    );
    // A quotation may run over paragraphs up to the next heading, not past it.
    assert_eq!(
        check("他說：「我們走吧。\n\n二、續記\n\n𠮷他答：好」。").await,
        [
            "unbalanced-punctuation 0:3-4",
            "unbalanced-punctuation 4:6-7"
        ]
    );
    assert_eq!(
        check("他說：「我們走吧。\n\n𠮷他答：好」。").await,
        [] as [String; 0]
    );
    assert_eq!(
        check("𠮷日本, 韓國;美國(US)等。don’t").await,
        [
            "half-width-punctuation 0:4-6",
            "half-width-punctuation 0:8-9",
            "half-width-punctuation 0:11-15"
        ]
    );
}

/// Semantic tokens decoded: `line:text type+modifiers` with 1-based lines, the text read
/// from `text` in the client's units.
fn decode_tokens(text: &str, data: &[Value], units: Units, legend: &Value) -> Vec<String> {
    let names = |key: &str| -> Vec<String> {
        legend[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect()
    };
    let (types, modifiers) = (names("tokenTypes"), names("tokenModifiers"));
    let numbers: Vec<u64> = data.iter().map(|n| n.as_u64().unwrap()).collect();
    let (mut line, mut character) = (0, 0);
    numbers
        .chunks(5)
        .map(|t| {
            if t[0] > 0 {
                character = 0;
            }
            line += t[0];
            character += t[1];
            let at = |c: u64| json!({ "line": line, "character": c });
            let start = units.offset(text, &at(character));
            let end = units.offset(text, &at(character + t[2]));
            let mods: Vec<&str> = (0..modifiers.len())
                .filter(|bit| t[4] & (1 << bit) != 0)
                .map(|bit| modifiers[bit].as_str())
                .collect();
            format!(
                "{}:{} {}{}",
                line + 1,
                &text[start..end],
                types[t[3] as usize],
                mods.iter().map(|m| format!("+{m}")).collect::<String>()
            )
        })
        .collect()
}

#[tokio::test]
async fn semantic_tokens_of_the_seed_in_both_encodings_full_delta_and_range() {
    let mut decoded = Vec::new();
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = TestClient::initialized_with(json!({
            "general": { "positionEncodings": [units.name()] },
        }))
        .await;
        let initialize = client
            .request("initialize", json!({ "capabilities": {} }))
            .await;
        assert!(initialize.is_err(), "initialized already");
        let text = format!("𠮷 {SEED}");
        client.open(URI, 1, &text).await;
        client.diagnostics_for(1).await;
        let doc = json!({ "textDocument": { "uri": URI } });
        let full = client
            .request("textDocument/semanticTokens/full", doc.clone())
            .await
            .unwrap();
        let legend = marginalia::lsp::semantic_tokens::legend();
        let legend = serde_json::to_value(legend).unwrap();
        let tokens = decode_tokens(&text, full["data"].as_array().unwrap(), units, &legend);
        // The same tokens in UTF-16 and UTF-8.
        expect_test::expect_file!["snapshots/seed_tokens.txt"].assert_eq(&tokens.join("\n"));
        decoded.push(tokens.clone());

        // A marker typed into the first line: the delta, applied, gives the full tokens.
        let first_line = text.split('\n').next().unwrap();
        let end = units.count(first_line);
        client.edit(URI, 2, [0, end, 0, end], "〔1〕").await;
        let edited = format!("{first_line}〔1〕{}", &text[first_line.len()..]);
        let delta = client
            .request(
                "textDocument/semanticTokens/full/delta",
                json!({ "textDocument": { "uri": URI }, "previousResultId": full["resultId"] }),
            )
            .await
            .unwrap();
        let mut data = full["data"].as_array().unwrap().clone();
        for edit in delta["edits"].as_array().unwrap() {
            let start = edit["start"].as_u64().unwrap() as usize;
            let deleted = edit["deleteCount"].as_u64().unwrap() as usize;
            let inserted = edit["data"].as_array().cloned().unwrap_or_default();
            data.splice(start..start + deleted, inserted);
        }
        let again = client
            .request("textDocument/semanticTokens/full", doc.clone())
            .await
            .unwrap();
        assert_eq!(&data, again["data"].as_array().unwrap());
        let after = decode_tokens(&edited, &data, units, &legend);
        assert!(
            after.contains(&"1:〔1〕 noteMarker".to_string()),
            "{after:?}"
        );

        // A range: the tokens of lines 884–892 (1-based), the start of the notes section (and
        // the whole URL that starts there).
        let range = client
            .request(
                "textDocument/semanticTokens/range",
                json!({ "textDocument": { "uri": URI }, "range": {
                    "start": { "line": 883, "character": 0 }, "end": { "line": 892, "character": 0 } } }),
            )
            .await
            .unwrap();
        let in_range = decode_tokens(&edited, range["data"].as_array().unwrap(), units, &legend);
        assert_eq!(
            in_range,
            [
                "884:註釋： heading+level1",
                "886:〔1〕 noteLabel+definition",
                "886:「ウクライナの窮狀は東アジアでも再現され string",
                "888:る可能性がある、と日本の岸田首相が警告」 string",
                "890:https:// url",
                "892:www.arabnews.jp/article/japan/ article_66759/ url",
            ]
        );
    }
    assert_eq!(
        decoded[0], decoded[1],
        "the same tokens in UTF-16 and UTF-8"
    );
}

#[tokio::test]
async fn selection_grows_from_a_marker_to_its_sentence_paragraph_sections_and_the_document() {
    for units in [Units::Utf16, Units::Utf8] {
        // 𠮷 before the marker, on its line: positions after it differ by encoding.
        let text = SEED.replacen("時聲稱", "時𠮷聲稱", 1);
        let (mut client, _) = opened(units, &text).await;
        let line = text.split('\n').position(|l| l.contains("〔1〕")).unwrap();
        let before = &text.split('\n').nth(line).unwrap()
            [..text.split('\n').nth(line).unwrap().find("〔1〕").unwrap()];
        let character = units.count(before) + 1;
        let answer = client
            .request(
                "textDocument/selectionRange",
                json!({ "textDocument": { "uri": URI },
                        "positions": [{ "line": line, "character": character }] }),
            )
            .await
            .unwrap();
        let mut chain = Vec::new();
        let mut at = &answer[0];
        while !at.is_null() {
            let range = &at["range"];
            let start = units.offset(&text, &range["start"]);
            let end = units.offset(&text, &range["end"]);
            chain.push(text[start..end].to_string());
            at = &at["parent"];
        }
        assert_eq!(chain[0], "〔1〕");
        assert_eq!(
            chain[1].split_whitespace().collect::<String>(),
            "俄烏衝突不久後岸田文雄於2022年5月訪問英國時𠮷聲稱“今天烏克蘭就是明日的東亞”〔1〕。"
        );
        assert!(chain[2].starts_with("俄烏衝突不久後") || chain[2].contains("俄烏衝突不久後"));
        assert!(chain[2].contains("〔1〕") && chain[2].len() > chain[1].len());
        assert!(
            chain[3].starts_with("（一）俄烏衝突：助推日韓戰略轉型"),
            "{}",
            &chain[3][..60]
        );
        assert!(chain[4].starts_with("一、戰略性接近的內外動因"));
        assert_eq!(chain.last().map(String::as_str), Some(text.as_str()));
        assert_eq!(chain.len(), 6, "{chain:?}");
    }
}

#[tokio::test]
async fn a_client_that_pulls_diagnostics_is_answered_and_never_sent_them() {
    let mut client = TestClient::initialized_with(json!({
        "general": { "positionEncodings": ["utf-16"] },
        "textDocument": { "diagnostic": { "dynamicRegistration": false } },
        "workspace": { "diagnostics": { "refreshSupport": true } },
    }))
    .await;
    client.open(URI, 1, SEED).await;
    let pull = |previous: Option<String>| json!({ "textDocument": { "uri": URI }, "previousResultId": previous });
    let first = client
        .request("textDocument/diagnostic", pull(None))
        .await
        .unwrap();
    assert_eq!(first["kind"], "full");
    let items = first["items"].as_array().unwrap();
    let errors = items.iter().filter(|d| d["code"] == "missing-note").count();
    assert_eq!(errors, 13);
    assert!(items.iter().any(|d| d["code"] == "page-break-space"));
    let id = first["resultId"].as_str().unwrap().to_string();
    // Nothing changed: unchanged, with the same id.
    let again = client
        .request("textDocument/diagnostic", pull(Some(id.clone())))
        .await
        .unwrap();
    assert_eq!(again, json!({ "kind": "unchanged", "resultId": id }));
    // An edit: a full report with a new id, one problem fewer (〔5〕 now has an entry).
    let end = SEED.split('\n').count() as u32 - 1;
    client.edit(URI, 2, [end, 0, end, 0], "\n〔5〕補註。").await;
    let edited = client
        .request("textDocument/diagnostic", pull(Some(id.clone())))
        .await
        .unwrap();
    assert_eq!(edited["kind"], "full");
    assert_ne!(edited["resultId"], json!(id));
    let errors = edited["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "missing-note")
        .count();
    assert_eq!(errors, 12);
    // Never both models for one document: nothing was published.
    assert!(
        !client
            .any_diagnostics_within(std::time::Duration::from_millis(300))
            .await
    );
}

/// The codes and severities published for version `version`.
fn codes_and_severities(published: &Value) -> Vec<(String, u64)> {
    let mut found: Vec<(String, u64)> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[tokio::test]
async fn settings_switch_checks_off_set_severities_and_report_what_is_not_understood() {
    let mut client = TestClient::initialized_with_params(json!({
        "capabilities": { "workspace": { "configuration": true } },
        "initializationOptions": { "marginalia": {
            "diagnostics": { "hard-wrap": "off", "page-break-spaces": "off" },
            "checks": { "typography": false },
        } },
    }))
    .await;
    // The misspelt name is reported, once the client listens.
    let message = client.next_from_server("window/showMessage").await;
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("page-break-spaces"),
        "{message}"
    );
    client.open(URI, 1, SEED).await;
    let codes = codes_and_severities(&client.diagnostics_for(1).await);
    assert_eq!(
        codes,
        [
            ("broken-url".to_string(), 4),
            ("missing-note".to_string(), 1),
            ("page-break-space".to_string(), 4),
        ]
    );
    // New settings sent with the notification: published again, same version.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": { "diagnostics": { "missing-note": "warning" },
                                                  "checks": { "pdfScars": false } } } }),
        )
        .await;
    let codes = codes_and_severities(&client.diagnostics_for(1).await);
    assert_eq!(
        codes,
        [
            ("half-width-punctuation".to_string(), 2),
            ("missing-note".to_string(), 2),
        ]
    );
    // No settings sent: the server asks for them.
    *client.settings.lock().unwrap() = json!({ "diagnostics": { "missing-note": "off" } });
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": null }),
        )
        .await;
    let codes = codes_and_severities(&client.diagnostics_for(1).await);
    assert!(
        codes.iter().all(|(code, _)| code != "missing-note"),
        "{codes:?}"
    );
    assert!(
        codes.iter().any(|(code, _)| code == "hard-wrap"),
        "{codes:?}"
    );
}

#[tokio::test]
async fn a_book_s_edits_made_while_its_form_is_checked_are_checked_once_typing_pauses() {
    let book = SEED.repeat(45);
    let mut client = TestClient::initialized_with(json!({})).await;
    client.open(URI, 1, &book).await;
    // At once, while the book's form checks run: a half-width comma between CJK characters
    // on the first line, before every other problem of its kind.
    client.edit(URI, 2, [0, 0, 0, 0], "甲,乙").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let published = client.diagnostics_for(2).await;
        let first_line_comma = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "half-width-punctuation" && d["range"]["start"]["line"] == 0);
        if first_line_comma {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never checked");
    }
}

#[tokio::test]
async fn text_with_no_heading_marker_or_note_gets_no_problems_and_no_fixes() {
    // A paragraph of an English letter in printed lines, and a Chinese one with a half-width
    // comma: both look like PDF scars or typography to the form checks, but are not
    // marginalia's texts.
    for text in [
        "The weather has been kind this week, and the garden is finally coming\n\nback to life after the long winter. We planted tomatoes, beans and a row\n\nof sunflowers along the fence; the children water them every evening.\n",
        "今天天氣很好,我們去公園。\n\n 明天再說。\n",
    ] {
        let (mut client, diagnostics) = opened(Units::Utf16, text).await;
        assert_eq!(diagnostics["diagnostics"], json!([]), "{text}");
        let everything = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 3, "character": 0 } });
        let fixes = client
            .code_actions(URI, everything, json!([]), "quickfix")
            .await;
        assert!(fixes.is_empty(), "{fixes:?}");
        // With a heading, the same text is checked.
        let annotated = format!("一、前言\n\n{text}");
        let (_, diagnostics) = opened(Units::Utf16, &annotated).await;
        assert_ne!(diagnostics["diagnostics"], json!([]), "{annotated}");
    }
}
