//! Editing notes through the server in-process: quick fixes, inserting a note, renumbering,
//! renaming and commands. Each returned edit is applied to the text here, as a client would,
//! in UTF-16 and UTF-8, with Extension-B characters on the edited lines.

mod common;

use common::units::{apply, position_of, Units};
use common::{position_json, TestClient, SEED};
use serde_json::{json, Value};

const URI: &str = "file:///work/article.txt";

/// A server that takes versioned `documentChanges`, with `text` open at version 1.
async fn opened(units: Units, text: &str) -> TestClient {
    let mut client = TestClient::initialized_with(json!({
        "general": { "positionEncodings": [units.name()] },
        "workspace": { "workspaceEdit": { "documentChanges": true } },
        "textDocument": { "completion": { "completionItem": {
            "documentationFormat": ["markdown", "plaintext"] } } },
    }))
    .await;
    client.open(URI, 1, text).await;
    client.diagnostics_for(1).await;
    client
}

/// The text edits of a workspace edit for `URI`, checking they are versioned for `version`.
fn edits_of(edit: &Value, version: i64) -> Vec<Value> {
    let changes = edit["documentChanges"].as_array().expect("documentChanges");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["textDocument"]["uri"], URI);
    assert_eq!(changes[0]["textDocument"]["version"], version);
    changes[0]["edits"].as_array().unwrap().clone()
}

/// Sends `edits` as one `didChange` (last first, so that each range is still right).
async fn send_edits(
    client: &mut TestClient,
    text: &str,
    edits: &[Value],
    units: Units,
    version: i64,
) {
    let mut sorted = edits.to_vec();
    sorted.sort_by_key(|e| std::cmp::Reverse(units.offset(text, &e["range"]["start"])));
    let changes: Vec<Value> = sorted
        .iter()
        .map(|e| json!({ "range": e["range"], "text": e["newText"] }))
        .collect();
    client
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": changes }),
        )
        .await;
}

async fn code_actions(
    client: &mut TestClient,
    range: Value,
    diagnostics: Value,
    only: &str,
) -> Vec<Value> {
    client.code_actions(URI, range, diagnostics, only).await
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(title)))
        .unwrap_or_else(|| panic!("no action {title:?} in {actions:#?}"))
}

#[tokio::test]
async fn adding_note_5_to_the_seed_leaves_twelve_missing_notes() {
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, SEED).await;
        // The diagnostics of version 1 are gone by now: ask again through a no-op edit.
        send_edits(&mut client, SEED, &[], units, 2).await;
        let published = client.diagnostics_for(2).await;
        let diagnostics = published["diagnostics"].as_array().unwrap();
        let five = diagnostics
            .iter()
            .find(|d| d["message"].as_str().unwrap().contains("〔5〕"))
            .expect("〔5〕 is missing")
            .clone();
        let actions = code_actions(
            &mut client,
            five["range"].clone(),
            json!([five]),
            "quickfix",
        )
        .await;
        let add = titled(&actions, "Add note 〔5〕 to 註釋");
        assert_eq!(add["kind"], "quickfix");
        assert_eq!(add["diagnostics"], json!([five]));
        let edits = edits_of(&add["edit"], 2);
        let added = apply(SEED, &edits, units);
        // Right after entry 〔4〕's text, in the seed's blank-line style; nothing else changed.
        let end_of_four = SEED.trim_end().len();
        assert_eq!(
            added,
            format!("{}\n\n〔5〕{}", &SEED[..end_of_four], &SEED[end_of_four..])
        );
        send_edits(&mut client, SEED, &edits, units, 3).await;
        let published = client.diagnostics_for(3).await;
        let diagnostics: Vec<&Value> = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "missing-note")
            .collect();
        assert_eq!(diagnostics.len(), 12);
        assert!(diagnostics
            .iter()
            .all(|d| !d["message"].as_str().unwrap().contains("〔5〕")));
    }
}

/// The markers and labels of `text`, in order.
fn numbers(text: &str) -> Vec<String> {
    text.match_indices('〔')
        .filter_map(|(at, _)| {
            let rest = &text[at + '〔'.len_utf8()..];
            let end = rest.find('〕')?;
            rest[..end]
                .chars()
                .all(|c| c.is_ascii_digit())
                .then(|| rest[..end].to_string())
        })
        .collect()
}

#[tokio::test]
async fn inserting_a_note_at_line_118_of_the_seed_renumbers_everything_after_it() {
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, SEED).await;
        let start = position_json(117, 0);
        let actions = code_actions(
            &mut client,
            json!({ "start": start, "end": start }),
            json!([]),
            "refactor.rewrite",
        )
        .await;
        let insert = titled(&actions, "Insert a note here (〔1〕)");
        let inserted = apply(SEED, &edits_of(&insert["edit"], 1), units);
        // Markers 〔1〕…〔17〕 became 〔2〕…〔18〕 with the new 〔1〕 first; the entries 〔1〕…〔4〕
        // became 〔2〕…〔5〕, after a new empty 〔1〕.
        let before = numbers(SEED);
        let after = numbers(&inserted);
        let shifted: Vec<String> = before
            .iter()
            .map(|n| (n.parse::<u32>().unwrap() + 1).to_string())
            .collect();
        let notes_at = before.len() - 4;
        let mut expected = vec!["1".to_string()];
        expected.extend_from_slice(&shifted[..notes_at]);
        expected.push("1".to_string());
        expected.extend_from_slice(&shifted[notes_at..]);
        assert_eq!(after, expected);
        assert!(inserted.split('\n').nth(117).unwrap().starts_with("〔1〕"));
        // Every other byte unchanged: the differences are digits and the two insertions.
        for chunk in dissimilar::diff(SEED, &inserted) {
            match chunk {
                dissimilar::Chunk::Equal(_) => {}
                dissimilar::Chunk::Delete(gone) => {
                    assert!(gone.chars().all(|c| c.is_ascii_digit()), "deleted {gone:?}")
                }
                dissimilar::Chunk::Insert(new) => assert!(
                    new.chars()
                        .all(|c| c.is_ascii_digit() || "〔〕\n".contains(c)),
                    "inserted {new:?}"
                ),
            }
        }
        // Each entry's text is still after its (new) label.
        for (old, new) in [
            ("〔1〕「ウクライナ", "〔2〕「ウクライナ"),
            ("〔4〕", "〔5〕"),
        ] {
            let text_after = |text: &str, label: &str| {
                let at = text.rfind(label).unwrap() + label.len();
                text[at..].chars().take(20).collect::<String>()
            };
            assert_eq!(text_after(SEED, old), text_after(&inserted, new));
        }
    }
}

#[tokio::test]
async fn renumbering_carries_each_note_with_the_sentence_that_cites_it() {
    let text = "𠮷甲〔2〕乙𠮷〔1〕丙〔3〕。\n\n註釋：\n\n〔1〕𠮷乙的注，\n\n續行。\n\n〔2〕甲的注。\n\n〔3〕丙的注。";
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, text).await;
        let start = position_json(0, 0);
        let actions = code_actions(
            &mut client,
            json!({ "start": start, "end": start }),
            json!([]),
            "source.organizeNotes",
        )
        .await;
        assert!(actions.iter().all(|a| a["kind"] == "source.organizeNotes"));
        // 〔2〕 cited before 〔1〕 is reported, with the renumbering as its quick fix.
        send_edits(&mut client, text, &[], units, 2).await;
        let published = client.diagnostics_for(2).await;
        let order = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "note-order")
            .expect("note-order is reported")
            .clone();
        assert_eq!(order["severity"], 3);
        assert_eq!(
            order["range"]["start"],
            position_of(text, "〔2〕", 0, units)
        );
        let fixes = code_actions(
            &mut client,
            order["range"].clone(),
            json!([order]),
            "quickfix",
        )
        .await;
        let fix = titled(&fixes, "Renumber notes in order of first citation");
        assert_eq!(fix["diagnostics"][0]["code"], "note-order");
        let renumber = titled(&actions, "Renumber notes in order of first citation");
        let renumbered = apply(text, &edits_of(&renumber["edit"], 1), units);
        assert_eq!(apply(text, &edits_of(&fix["edit"], 2), units), renumbered);
        assert_eq!(
            renumbered,
            "𠮷甲〔1〕乙𠮷〔2〕丙〔3〕。\n\n註釋：\n\n〔1〕甲的注。\n\n〔2〕𠮷乙的注，\n\n續行。\n\n〔3〕丙的注。"
        );
        // The same through the command, applied with workspace/applyEdit.
        let result = client
            .request(
                "workspace/executeCommand",
                json!({ "command": "marginalia.renumberNotes", "arguments": [URI] }),
            )
            .await
            .unwrap();
        assert_eq!(result, Value::Null);
        let applied = client.next_from_server("workspace/applyEdit").await;
        assert_eq!(
            apply(text, &edits_of(&applied["edit"], 2), units),
            renumbered
        );
    }
}

#[tokio::test]
async fn rename_renumbers_a_note_everywhere_or_says_why_not() {
    let text = "𠮷〔1〕乙〔2〕𠮷〔1〕\n註釋：\n〔1〕一。\n〔2〕二。";
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, text).await;
        let at = position_of(text, "〔1〕", 1, units);
        let prepared = client
            .request(
                "textDocument/prepareRename",
                json!({ "textDocument": { "uri": URI }, "position": at }),
            )
            .await
            .unwrap();
        assert_eq!(prepared["placeholder"], "1");
        assert_eq!(prepared["range"]["start"], at);
        let renamed = client
            .request(
                "textDocument/rename",
                json!({ "textDocument": { "uri": URI }, "position": at, "newName": "７" }),
            )
            .await
            .unwrap();
        assert_eq!(
            apply(text, &edits_of(&renamed, 1), units),
            "𠮷〔7〕乙〔2〕𠮷〔7〕\n註釋：\n〔7〕一。\n〔2〕二。"
        );
        let refused = client
            .request(
                "textDocument/rename",
                json!({ "textDocument": { "uri": URI }, "position": at, "newName": "2" }),
            )
            .await
            .unwrap_err();
        assert_eq!(refused["code"], -32803);
        assert!(refused["message"]
            .as_str()
            .unwrap()
            .contains("Swap notes 1 and 2"));
        // The swap it points to is offered at the marker.
        let actions = code_actions(
            &mut client,
            json!({ "start": at, "end": at }),
            json!([]),
            "refactor",
        )
        .await;
        let swap = titled(&actions, "Swap notes 1 and 2");
        assert_eq!(
            apply(text, &edits_of(&swap["edit"], 1), units),
            "𠮷〔2〕乙〔1〕𠮷〔2〕\n註釋：\n〔2〕一。\n〔1〕二。"
        );
    }
}

#[tokio::test]
async fn without_document_changes_the_edit_is_plain_changes() {
    let text = "甲〔2〕\n註釋：\n〔1〕一。";
    let (mut client, _) = TestClient::initialized(&["utf-16"]).await;
    client.open(URI, 1, text).await;
    client.diagnostics_for(1).await;
    let at = position_of(text, "〔2〕", 0, Units::Utf16);
    let actions = code_actions(
        &mut client,
        json!({ "start": at, "end": at }),
        json!([]),
        "quickfix",
    )
    .await;
    let add = titled(&actions, "Add note 〔2〕");
    assert!(add["edit"].get("documentChanges").is_none());
    let edits = add["edit"]["changes"][URI].as_array().unwrap();
    assert_eq!(
        apply(text, edits, Units::Utf16),
        "甲〔2〕\n註釋：\n〔1〕一。\n〔2〕"
    );
}

#[tokio::test]
async fn completing_after_an_opening_bracket_offers_a_new_note_and_the_notes() {
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, SEED).await;
        // Type 〔 at the start of line 118.
        let start = position_json(117, 0);
        client
            .notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": URI, "version": 2 },
                    "contentChanges": [{ "range": { "start": start, "end": start }, "text": "〔" }],
                }),
            )
            .await;
        let typed = {
            let line_start: usize = SEED.split('\n').take(117).map(|l| l.len() + 1).sum();
            format!("{}〔{}", &SEED[..line_start], &SEED[line_start..])
        };
        let items = client
            .request(
                "textDocument/completion",
                json!({
                    "textDocument": { "uri": URI },
                    "position": position_json(117, units.count("〔")),
                    "context": { "triggerKind": 2, "triggerCharacter": "〔" },
                }),
            )
            .await
            .unwrap();
        assert_eq!(items["isIncomplete"], false);
        let items = items["items"].as_array().unwrap();
        let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
        assert_eq!(
            labels,
            ["〔1〕 new note", "〔1〕", "〔2〕", "〔3〕", "〔4〕"]
        );
        assert!(items[1]["documentation"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**Note 〔1〕**"));
        // The new note: the same text as "Insert a note here" at that place.
        let mut edits = items[0]["additionalTextEdits"].as_array().unwrap().clone();
        edits.push(items[0]["textEdit"].clone());
        let completed = apply(&typed, &edits, units);
        let actions = {
            let mut fresh = opened(units, SEED).await;
            code_actions(
                &mut fresh,
                json!({ "start": start, "end": start }),
                json!([]),
                "refactor.rewrite",
            )
            .await
        };
        let inserted = apply(
            SEED,
            &edits_of(&titled(&actions, "Insert a note here")["edit"], 1),
            units,
        );
        assert_eq!(completed, inserted);
    }
}

#[tokio::test]
async fn clients_that_resolve_code_actions_get_the_edit_of_the_one_picked() {
    let text = "𠮷甲〔2〕乙〔1〕\n註釋：\n〔1〕一。\n〔2〕二。";
    let units = Units::Utf16;
    let mut client = TestClient::initialized_with(json!({
        "general": { "positionEncodings": ["utf-16"] },
        "workspace": { "workspaceEdit": { "documentChanges": true } },
        "textDocument": { "codeAction": { "resolveSupport": { "properties": ["edit"] } } },
    }))
    .await;
    client.open(URI, 1, text).await;
    client.diagnostics_for(1).await;
    let at = position_of(text, "〔2〕", 0, units);
    let actions = code_actions(
        &mut client,
        json!({ "start": at, "end": at }),
        json!([]),
        "source",
    )
    .await;
    let listed = titled(&actions, "Renumber notes in order of first citation").clone();
    assert!(listed.get("edit").is_none(), "{listed}");
    let resolved = client.request("codeAction/resolve", listed).await.unwrap();
    assert_eq!(
        apply(text, &edits_of(&resolved["edit"], 1), units),
        "𠮷甲〔1〕乙〔2〕\n註釋：\n〔1〕二。\n〔2〕一。"
    );
}

#[tokio::test]
async fn the_insert_note_command_applies_its_edit_through_the_client() {
    let text = "𠮷甲〔1〕乙。\n註釋：\n〔1〕一。";
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, text).await;
        let at = position_of(text, "乙", 0, units);
        client
            .request(
                "workspace/executeCommand",
                json!({ "command": "marginalia.insertNote", "arguments": [URI, at] }),
            )
            .await
            .unwrap();
        let applied = client.next_from_server("workspace/applyEdit").await;
        assert_eq!(
            apply(text, &edits_of(&applied["edit"], 1), units),
            "𠮷甲〔1〕〔2〕乙。\n註釋：\n〔1〕一。\n〔2〕"
        );
        let refused = client
            .request(
                "workspace/executeCommand",
                json!({ "command": "marginalia.nothing", "arguments": [URI] }),
            )
            .await
            .unwrap_err();
        assert_eq!(refused["code"], -32602);
    }
}

#[tokio::test]
async fn clients_that_resolve_completion_items_get_a_note_s_text_for_the_item_shown() {
    let text = "𠮷甲〔1〕乙〔\n註釋：\n〔1〕第一條，\n長的。";
    let units = Units::Utf16;
    let mut client = TestClient::initialized_with(json!({
        "general": { "positionEncodings": ["utf-16"] },
        "textDocument": { "completion": { "completionItem": {
            "resolveSupport": { "properties": ["documentation", "detail", "additionalTextEdits"] },
            "documentationFormat": ["markdown", "plaintext"],
        } } },
    }))
    .await;
    client.open(URI, 1, text).await;
    client.diagnostics_for(1).await;
    let note = item_after_the_open_bracket(&mut client, text, units, "〔1〕").await;
    assert!(note.get("documentation").is_none(), "{note}");
    assert_eq!(note["detail"], "第一條，長的。");
    let resolved = client
        .request("completionItem/resolve", note)
        .await
        .unwrap();
    assert_eq!(
        resolved["documentation"]["value"],
        "**Note 〔1〕**\n\n第一條，長的。"
    );
    assert_eq!(resolved["documentation"]["kind"], "markdown");
}

#[tokio::test]
async fn a_client_that_does_not_show_markdown_gets_plain_text() {
    // Neither hover.contentFormat nor completionItem.documentationFormat lists markdown (Emacs
    // declares none).
    let text = "甲〔1〕乙〔\n註釋：\n〔1〕第一條，見https://example.com/a_b。";
    let mut client = TestClient::initialized_with(json!({
        "textDocument": {
            "hover": { "contentFormat": ["plaintext"] },
            "completion": { "completionItem": {
                "resolveSupport": { "properties": ["documentation"] } } },
        },
    }))
    .await;
    client.open(URI, 1, text).await;
    client.diagnostics_for(1).await;
    let hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": position_of(text, "〔1〕", 0, Units::Utf16) }),
        )
        .await
        .unwrap();
    // A plain string: plain text to every client.
    assert_eq!(
        hover["contents"],
        json!("Note 〔1〕\n\n第一條，見https://example.com/a_b。")
    );
    let note = item_after_the_open_bracket(&mut client, text, Units::Utf16, "〔1〕").await;
    let resolved = client
        .request("completionItem/resolve", note)
        .await
        .unwrap();
    assert_eq!(
        resolved["documentation"],
        json!("Note 〔1〕\n\n第一條，見https://example.com/a_b。")
    );
}

/// Every code action, in UTF-16 and UTF-8, with 𠮷 on the lines it edits: the text, where the
/// cursor goes (the `nth` `needle`, plus `inside` characters), the kind asked for, the action,
/// and the text it leaves.
#[tokio::test]
async fn every_code_action_next_to_extension_b_characters() {
    type Case = (
        &'static str,
        (&'static str, usize, u32),
        &'static str,
        &'static str,
        &'static str,
    );
    let cases: [Case; 8] = [
        (
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷一。",
            ("〔2〕", 0, 1),
            "quickfix",
            "Add note 〔2〕 to 註釋",
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕",
        ),
        (
            "𠮷甲〔1〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。\n〔3〕𠮷三。",
            ("〔2〕", 0, 1),
            "quickfix",
            "Delete note 〔2〕",
            "𠮷甲〔1〕\n註釋：\n〔1〕𠮷一。\n〔3〕𠮷三。",
        ),
        (
            "𠮷甲〔1〕乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。\n〔1〕𠮷重。",
            ("〔1〕", 2, 1),
            "quickfix",
            "Renumber this duplicate as a new note",
            "𠮷甲〔1〕乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。\n〔3〕𠮷重。",
        ),
        (
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。",
            ("乙", 0, 0),
            "refactor.rewrite",
            "Insert a note here (〔2〕)",
            "𠮷甲〔1〕𠮷〔2〕乙〔3〕\n註釋：\n〔1〕𠮷一。\n〔2〕\n〔3〕𠮷二。",
        ),
        (
            "𠮷甲〔1〕𠮷乙〔2〕𠮷丙〔3〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。\n〔3〕𠮷三。",
            ("〔2〕", 0, 1),
            "refactor.rewrite",
            "Delete this note (〔2〕)",
            "𠮷甲〔1〕𠮷乙𠮷丙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷三。",
        ),
        (
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。",
            ("〔1〕", 0, 1),
            "refactor.rewrite",
            "Swap notes 1 and 2",
            "𠮷甲〔2〕𠮷乙〔1〕\n註釋：\n〔2〕𠮷一。\n〔1〕𠮷二。",
        ),
        (
            "𠮷甲〔1〕𠮷乙。\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。",
            ("乙", 0, 0),
            "quickfix",
            "Cite note 〔2〕 here",
            "𠮷甲〔1〕𠮷〔2〕乙。\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。",
        ),
        (
            "𠮷甲〔2〕𠮷乙〔1〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。",
            ("〔2〕", 0, 0),
            "source.organizeNotes",
            "Renumber notes in order of first citation",
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷二。\n〔2〕𠮷一。",
        ),
    ];
    for units in [Units::Utf16, Units::Utf8] {
        for (text, (needle, nth, inside), kind, title, expected) in cases {
            let mut client = opened(units, text).await;
            let mut at = position_of(text, needle, nth, units);
            at["character"] = json!(at["character"].as_u64().unwrap() + u64::from(inside));
            let actions = code_actions(
                &mut client,
                json!({ "start": at, "end": at }),
                json!([]),
                kind,
            )
            .await;
            let action = titled(&actions, title);
            assert_eq!(
                apply(text, &edits_of(&action["edit"], 1), units),
                expected,
                "{title} ({units:?})"
            );
        }
    }
}

#[tokio::test]
async fn completing_a_new_note_next_to_extension_b_characters() {
    let text = "𠮷甲〔1〕𠮷〔 乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。";
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, text).await;
        let mut at = position_of(text, "〔 ", 0, units);
        at["character"] = json!(at["character"].as_u64().unwrap() + u64::from(units.count("〔")));
        let list = client
            .request(
                "textDocument/completion",
                json!({ "textDocument": { "uri": URI }, "position": at }),
            )
            .await
            .unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items[0]["label"], "〔2〕 new note");
        let mut edits = items[0]["additionalTextEdits"].as_array().unwrap().clone();
        edits.push(items[0]["textEdit"].clone());
        assert_eq!(
            apply(text, &edits, units),
            "𠮷甲〔1〕𠮷〔2〕 乙〔3〕\n註釋：\n〔1〕𠮷一。\n〔2〕\n〔3〕𠮷二。",
            "{units:?}"
        );
        // An existing note: only the marker is written.
        let two = items.iter().find(|i| i["label"] == "〔2〕").unwrap();
        assert!(two.get("additionalTextEdits").is_none());
        assert_eq!(
            apply(text, &[two["textEdit"].clone()], units),
            "𠮷甲〔1〕𠮷〔2〕 乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。"
        );
    }
}

/// The other commands, run by name with the cursor's position, in UTF-16 and UTF-8 with 𠮷 on
/// the edited lines, applied through `workspace/applyEdit`.
#[tokio::test]
async fn every_command_applies_its_edit_through_the_client() {
    type Case = (
        &'static str,
        &'static str,
        (&'static str, usize),
        Option<u32>,
        &'static str,
    );
    let cases: [Case; 4] = [
        (
            "marginalia.deleteNote",
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。",
            ("〔1〕", 0),
            None,
            "𠮷甲𠮷乙〔1〕\n註釋：\n〔1〕𠮷二。",
        ),
        (
            "marginalia.addMissingNote",
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷一。",
            ("〔2〕", 0),
            None,
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕",
        ),
        (
            "marginalia.deleteNoteEntry",
            "𠮷甲〔1〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。\n〔3〕𠮷三。",
            ("〔2〕", 0),
            None,
            "𠮷甲〔1〕\n註釋：\n〔1〕𠮷一。\n〔3〕𠮷三。",
        ),
        (
            "marginalia.swapNotes",
            "𠮷甲〔1〕𠮷乙〔2〕\n註釋：\n〔1〕𠮷一。\n〔2〕𠮷二。",
            ("〔1〕", 0),
            Some(2),
            "𠮷甲〔2〕𠮷乙〔1〕\n註釋：\n〔2〕𠮷一。\n〔1〕𠮷二。",
        ),
    ];
    for units in [Units::Utf16, Units::Utf8] {
        for (command, text, (needle, nth), number, expected) in cases {
            let mut client = opened(units, text).await;
            let mut arguments = vec![json!(URI), position_of(text, needle, nth, units)];
            arguments.extend(number.map(|n| json!(n)));
            client
                .request(
                    "workspace/executeCommand",
                    json!({ "command": command, "arguments": arguments }),
                )
                .await
                .unwrap();
            let applied = client.next_from_server("workspace/applyEdit").await;
            assert_eq!(
                apply(text, &edits_of(&applied["edit"], 1), units),
                expected,
                "{command} ({units:?})"
            );
        }
    }
}

/// The completion item `label` offered after the `〔` that ends a line of `text`.
async fn item_after_the_open_bracket(
    client: &mut TestClient,
    text: &str,
    units: Units,
    label: &str,
) -> Value {
    let mut after_open = position_of(text, "〔\n", 0, units);
    after_open["character"] = json!(after_open["character"].as_u64().unwrap() + 1);
    let list = client
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": URI }, "position": after_open }),
        )
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    let item = items.iter().find(|i| i["label"] == label);
    item.unwrap_or_else(|| panic!("no {label} in {items:?}"))
        .clone()
}
