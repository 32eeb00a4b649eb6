//! The settings that tell headings, note markers and notes sections (`headings`,
//! `noteMarker`, `notesTitles`), through the real server in process.

mod common;

use common::{position_json, symbol_names, TestClient, SEED};
use serde_json::{json, Value};

const SEED_URI: &str = "file:///work/seed.txt";
const OWN_URI: &str = "file:///work/own.txt";

/// A document that writes its own way: a level-2 heading `A. …`, markers `[n]`, and a notes
/// section titled 參考資料. By the built-in rules it has one heading and no note at all.
const OWN: &str = "第一章 はじめに\n\n本文です<1>。さらに<2>。\n\nA. 背景\n\n説明<3>。\n\n參考資料\n\n<1> 最初の注。\n\n<2> 二番目の注。\n";

fn own_rules() -> Value {
    json!({
        "headings": { "level2": "[A-Z]\\. " },
        "noteMarker": "<(\\d+)>",
        "notesTitles": ["參考資料"],
    })
}

/// The codes of the note problems published, with their lines.
fn note_problems(published: &Value) -> Vec<(String, u64)> {
    let mut found: Vec<(String, u64)> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"].as_str().unwrap().contains("note"))
        .map(|d| {
            let code = d["code"].as_str().unwrap().to_string();
            (code, d["range"]["start"]["line"].as_u64().unwrap())
        })
        .collect();
    found.sort();
    found
}

/// The next publication for each of `uris`, by URI.
async fn published_for(client: &mut TestClient, uris: &[&str]) -> Vec<Value> {
    let mut found = vec![Value::Null; uris.len()];
    while found.iter().any(Value::is_null) {
        let published = client.diagnostics().await;
        if let Some(at) = uris.iter().position(|uri| published["uri"] == *uri) {
            found[at] = published;
        }
    }
    found
}

/// The outline as `name` lines indented by depth.
fn outline(symbols: &Value) -> Vec<String> {
    fn walk(symbols: &Value, depth: usize, out: &mut Vec<String>) {
        for symbol in symbols.as_array().into_iter().flatten() {
            out.push(format!(
                "{}{}",
                "  ".repeat(depth),
                symbol["name"].as_str().unwrap()
            ));
            walk(&symbol["children"], depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(symbols, 0, &mut out);
    out
}

#[tokio::test]
async fn the_user_s_patterns_tell_headings_markers_and_notes_for_every_feature() {
    let mut client = TestClient::initialized_with_params(json!({
        "capabilities": {},
        "initializationOptions": { "marginalia": own_rules() },
    }))
    .await;
    client.open(OWN_URI, 1, OWN).await;
    let published = client.diagnostics_for(1).await;
    // <3> has no note; <1> and <2> have theirs under 參考資料.
    assert_eq!(note_problems(&published), [("missing-note".to_string(), 6)]);
    let symbols = client.document_symbols(OWN_URI).await;
    assert_eq!(
        outline(&symbols),
        [
            "第一章 はじめに",
            "  A. 背景",
            "參考資料",
            "  <1> 最初の注。",
            "  <2> 二番目の注。"
        ]
    );
    let at = |line, character| json!({ "textDocument": { "uri": OWN_URI }, "position": position_json(line, character) });
    // Definition and hover of <2> (line 2, after 本文です<1>。さらに).
    let definition = client
        .request("textDocument/definition", at(2, 12))
        .await
        .unwrap();
    let target = if definition.is_array() {
        definition[0].clone()
    } else {
        definition
    };
    assert_eq!(target["range"]["start"], position_json(12, 0));
    let hover = client
        .request("textDocument/hover", at(2, 12))
        .await
        .unwrap();
    // A plain string: this client lists no Markdown.
    assert!(hover["contents"].as_str().unwrap().contains("二番目の注"));
    // Renaming note 1 to 7 writes the digits only, inside the document's own brackets.
    let rename = client
        .request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": OWN_URI }, "position": position_json(2, 5),
                    "newName": "7" }),
        )
        .await
        .unwrap();
    let edits = rename["changes"][OWN_URI]
        .as_array()
        .or_else(|| rename["documentChanges"][0]["edits"].as_array())
        .unwrap();
    let written: Vec<(u64, u64, &str)> = edits
        .iter()
        .map(|e| {
            let start = &e["range"]["start"];
            (
                start["line"].as_u64().unwrap(),
                start["character"].as_u64().unwrap(),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(written, [(2, 5, "7"), (10, 1, "7")]);
    // Completion after the document's own opening bracket offers a new note in its style.
    client.edit(OWN_URI, 2, [6, 2, 6, 2], "<").await;
    let completion = client
        .request("textDocument/completion", at(6, 3))
        .await
        .unwrap();
    let items = completion["items"]
        .as_array()
        .unwrap_or_else(|| completion.as_array().unwrap());
    let first = &items[0];
    assert_eq!(first["label"], "<3> new note", "{completion}");
    assert_eq!(first["textEdit"]["newText"], "<3>");
}

#[tokio::test]
async fn changed_patterns_read_every_open_document_again() {
    let mut client = TestClient::initialized_with(json!({})).await;
    client.open(SEED_URI, 1, SEED).await;
    client.open(OWN_URI, 1, OWN).await;
    let [seed, own] = &published_for(&mut client, &[SEED_URI, OWN_URI]).await[..] else {
        unreachable!()
    };
    let missing = |published: &Value| {
        note_problems(published)
            .iter()
            .filter(|(code, _)| code == "missing-note")
            .count()
    };
    assert_eq!(missing(seed), 13);
    assert_eq!(note_problems(own), []);
    assert_eq!(
        symbol_names(&client.document_symbols(OWN_URI).await),
        ["第一章 はじめに"]
    );
    // The document's own rules: its markers and notes are found; the seed's 〔n〕 are not
    // markers any more (and its 註釋 is no notes title).
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": own_rules() } }),
        )
        .await;
    let [seed, own] = &published_for(&mut client, &[SEED_URI, OWN_URI]).await[..] else {
        unreachable!()
    };
    assert_eq!(note_problems(seed), []);
    assert_eq!(note_problems(own), [("missing-note".to_string(), 6)]);
    assert_eq!(
        symbol_names(&client.document_symbols(OWN_URI).await),
        ["第一章 はじめに", "參考資料"]
    );
    let seed_outline = outline(&client.document_symbols(SEED_URI).await);
    assert!(
        !seed_outline.iter().any(|name| name.starts_with("註釋")),
        "{seed_outline:?}"
    );
    // Back to the built-in rules.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": {} } }),
        )
        .await;
    let [seed, own] = &published_for(&mut client, &[SEED_URI, OWN_URI]).await[..] else {
        unreachable!()
    };
    assert_eq!(missing(seed), 13);
    assert_eq!(note_problems(own), []);
}

#[tokio::test]
async fn an_invalid_pattern_is_reported_and_the_built_in_rules_stay() {
    let mut client = TestClient::initialized_with_params(json!({
        "capabilities": {},
        "initializationOptions": { "marginalia": {
            "noteMarker": "〔(\\d+",
            "headings": { "level2": "(" },
            "notesTitles": "參考資料",
        } },
    }))
    .await;
    let mut messages = Vec::new();
    for _ in 0..3 {
        let message = client.next_from_server("window/showMessage").await;
        messages.push(message["message"].as_str().unwrap().to_string());
    }
    messages.sort();
    assert!(
        messages[0].starts_with("marginalia.headings.level2: not a valid pattern"),
        "{messages:?}"
    );
    assert!(
        messages[1].starts_with("marginalia.noteMarker: not a valid pattern"),
        "{messages:?}"
    );
    assert!(
        messages[2].starts_with("marginalia.notesTitles:"),
        "{messages:?}"
    );
    client.open(SEED_URI, 1, SEED).await;
    let seed = client.diagnostics_for(1).await;
    let missing = note_problems(&seed)
        .iter()
        .filter(|(code, _)| code == "missing-note")
        .count();
    assert_eq!(missing, 13);
    let symbols = client.document_symbols(SEED_URI).await;
    let names = outline(&symbols);
    assert!(names.iter().any(|n| n.starts_with("  （一）")), "{names:?}");
}

#[tokio::test]
async fn a_pulling_client_gets_a_new_report_after_the_settings_change() {
    let mut client = TestClient::initialized_with(json!({
        "textDocument": { "diagnostic": { "dynamicRegistration": false } },
    }))
    .await;
    client.open(OWN_URI, 1, OWN).await;
    let pull = |previous: Option<&str>| json!({ "textDocument": { "uri": OWN_URI }, "previousResultId": previous });
    let first = client
        .request("textDocument/diagnostic", pull(None))
        .await
        .unwrap();
    let id = first["resultId"].as_str().unwrap().to_string();
    assert!(!first["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "missing-note"));
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": own_rules() } }),
        )
        .await;
    // Same version of the document, read differently: not `unchanged`.
    let after = client
        .request("textDocument/diagnostic", pull(Some(&id)))
        .await
        .unwrap();
    assert_eq!(after["kind"], "full", "{after}");
    let missing = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "missing-note")
        .count();
    assert_eq!(missing, 1);
}

#[tokio::test]
async fn an_editor_is_sent_at_most_max_problems_and_the_count_of_the_rest() {
    // 1,500 markers and no notes section: 1,500 missing notes.
    let text: String = (1..=1500).map(|n| format!("甲〔{n}〕\n")).collect();
    let codes = |published: &Value| -> Vec<String> {
        published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    let mut client = TestClient::initialized_with(json!({})).await;
    client.open(OWN_URI, 1, &text).await;
    // By default, 1,000 and one saying how many more from where they start.
    let published = client.diagnostics_for(1).await;
    let sent = codes(&published);
    assert_eq!(sent.len(), 1001);
    assert!(sent[..1000].iter().all(|code| code == "missing-note"));
    let last = &published["diagnostics"][1000];
    assert_eq!(last["code"], "not-shown");
    assert_eq!(last["severity"], 3, "information");
    assert_eq!(last["range"]["start"]["line"], 1000, "at marker 〔1001〕");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .starts_with("500 more problems from here on are not shown"),
        "{last}"
    );
    // Set to 20: twenty and the rest counted; to 0: all of them.
    for (max, expected) in [(20, 21), (0, 1500)] {
        client
            .notify(
                "workspace/didChangeConfiguration",
                json!({ "settings": { "marginalia": { "maxProblems": max } } }),
            )
            .await;
        let published = client.diagnostics_for(1).await;
        let sent = codes(&published);
        assert_eq!(sent.len(), expected, "maxProblems {max}");
        assert_eq!(sent.last().unwrap() == "not-shown", max != 0);
    }
}

#[tokio::test]
async fn a_client_that_can_refresh_is_asked_to_pull_again_after_the_settings_change() {
    // `workspace.diagnostics` as the specification and the editors write it (lsp-types 0.94
    // reads `workspace.diagnostic`, which no client sends).
    let mut client = TestClient::initialized_with(json!({
        "textDocument": { "diagnostic": { "dynamicRegistration": false } },
        "workspace": { "diagnostics": { "refreshSupport": true } },
    }))
    .await;
    client.open(OWN_URI, 1, OWN).await;
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": { "maxProblems": 5 } } }),
        )
        .await;
    let refresh = client
        .next_from_server("workspace/diagnostic/refresh")
        .await;
    assert_eq!(refresh, Value::Null);
}
