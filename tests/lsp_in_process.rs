//! The server driven in-process through `LspService`.

mod common;

use common::{position_json, range_json, start_of, symbol_names, TestClient, SEED};
use serde_json::{json, Value};

const URI: &str = "file:///work/article.txt";

/// Line index and byte offset within that line of the first occurrence of `needle`.
fn find_in_seed(needle: &str) -> (usize, usize) {
    SEED.split('\n')
        .enumerate()
        .find_map(|(i, line)| line.find(needle).map(|byte| (i, byte)))
        .expect("needle is in the seed")
}

fn codes_and_starts(params: &Value) -> Vec<(String, (u64, u64))> {
    params["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                start_of(&d["range"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn negotiates_the_position_encoding() {
    let cases: [(&[&str], &str); 5] = [
        (&[], "utf-16"),
        (&["utf-16"], "utf-16"),
        (&["utf-16", "utf-32"], "utf-32"),
        (&["utf-16", "utf-8"], "utf-8"),
        (&["utf-32", "utf-8", "utf-16"], "utf-8"),
    ];
    for (offered, expected) in cases {
        let (_, result) = TestClient::initialized(offered).await;
        assert_eq!(
            result["capabilities"]["positionEncoding"], expected,
            "{offered:?}"
        );
        assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);
        assert_eq!(
            result["capabilities"]["textDocumentSync"]["openClose"],
            true
        );
        assert_eq!(result["serverInfo"]["name"], "marginalia");
    }
}

#[tokio::test]
async fn the_seed_has_thirteen_missing_notes_at_their_markers() {
    let (mut client, _) = TestClient::initialized(&["utf-16"]).await;
    client.open(URI, 1, SEED).await;
    let params = client.diagnostics_for(1).await;
    assert_eq!(params["uri"], URI);
    // The errors; the form checks (PDF scars, typography) are `tests/reading.rs`'s.
    let diagnostics: Vec<&Value> = params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == 1)
        .collect();
    assert_eq!(diagnostics.len(), 13);
    for (diagnostic, number) in diagnostics.into_iter().zip(5..) {
        assert_eq!(diagnostic["code"], "missing-note");
        assert_eq!(diagnostic["source"], "marginalia");
        assert_eq!(diagnostic["severity"], 1);
        let label = format!("〔{number}〕");
        assert_eq!(
            diagnostic["message"],
            format!("note {label} is cited but has no entry in 註釋")
        );
        // The range is exactly the marker, in UTF-16 units.
        let (line, byte) = find_in_seed(&label);
        let text_line = SEED.split('\n').nth(line).unwrap();
        let column = text_line[..byte].encode_utf16().count() as u32;
        let width = label.encode_utf16().count() as u32;
        assert_eq!(
            diagnostic["range"],
            range_json([line as u32, column, line as u32, column + width])
        );
    }
}

#[tokio::test]
async fn diagnostics_follow_each_incremental_edit() {
    let (mut client, _) = TestClient::initialized(&["utf-16"]).await;
    let text = "正文〔1〕。\n\n註釋：\n〔1〕第一條。";
    client.open(URI, 1, text).await;
    assert_eq!(codes_and_starts(&client.diagnostics_for(1).await), []);

    // Each edit, and the diagnostics it leaves (code, start line, start column).
    type Step = (
        &'static str,
        [u32; 4],
        &'static str,
        &'static [(&'static str, (u64, u64))],
    );
    let steps: [Step; 3] = [
        (
            "cite note 2, which does not exist",
            [0, 5, 0, 5],
            "〔2〕",
            &[("missing-note", (0, 5))],
        ),
        (
            "add its entry at the end of the notes",
            [3, 7, 3, 7],
            "\n〔2〕第二條。",
            &[],
        ),
        (
            "remove the first marker: note 1 is unused",
            [0, 2, 0, 5],
            "",
            &[("unused-note", (3, 0))],
        ),
    ];
    for (version, (what, range, text, expected)) in (2..).zip(steps) {
        client.edit(URI, version, range, text).await;
        let expected: Vec<(String, (u64, u64))> = expected
            .iter()
            .map(|&(code, start)| (code.to_string(), start))
            .collect();
        let diagnostics = client.diagnostics_for(version).await;
        assert_eq!(codes_and_starts(&diagnostics), expected, "{what}");
    }

    // A second entry for note 2: a duplicate, pointing at the first.
    client.edit(URI, 5, [4, 7, 4, 7], "\n〔2〕重複。").await;
    let params = client.diagnostics_for(5).await;
    assert_eq!(
        codes_and_starts(&params),
        [
            ("unused-note".to_string(), (3, 0)),
            ("duplicate-note".to_string(), (5, 0))
        ]
    );
    let related = &params["diagnostics"][1]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], URI);
    assert_eq!(start_of(&related["location"]["range"]), (4, 0));

    // Several changes in one notification apply in order; a full replacement too.
    client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": 6 },
                "contentChanges": [
                    { "text": "甲〔1〕\n註釋：\n〔1〕一。" },
                    { "range": range_json([0, 4, 0, 4]), "text": "〔2〕" },
                ],
            }),
        )
        .await;
    assert_eq!(
        codes_and_starts(&client.diagnostics_for(6).await),
        [("missing-note".to_string(), (0, 4))]
    );
}

#[tokio::test]
async fn edits_next_to_extension_b_characters_in_utf16_and_utf8() {
    for (encoding, after_ext_b) in [("utf-16", 2), ("utf-8", 4), ("utf-32", 1)] {
        let (mut client, result) = TestClient::initialized(&[encoding]).await;
        assert_eq!(result["capabilities"]["positionEncoding"], encoding);
        client.open(URI, 1, "𠮷正文\n註釋：\n〔1〕一。").await;
        assert_eq!(
            codes_and_starts(&client.diagnostics_for(1).await),
            [("unused-note".to_string(), (2, 0))]
        );
        // Insert a marker right after 𠮷: its column is the width of 𠮷 in this encoding.
        client
            .edit(URI, 2, [0, after_ext_b, 0, after_ext_b], "〔1〕")
            .await;
        assert_eq!(codes_and_starts(&client.diagnostics_for(2).await), []);
        let definition = client
            .request(
                "textDocument/definition",
                json!({ "textDocument": { "uri": URI }, "position": position_json(0, after_ext_b + 1) }),
            )
            .await
            .unwrap();
        assert_eq!(start_of(&definition["range"]), (2, 0), "{encoding}");
        // A marker after the Ext-B character is reported in the same units (cited before
        // 〔1〕, it is also out of sequence).
        client
            .edit(URI, 3, [0, after_ext_b, 0, after_ext_b], "〔2〕")
            .await;
        let at = (0, after_ext_b as u64);
        assert_eq!(
            codes_and_starts(&client.diagnostics_for(3).await),
            [
                ("missing-note".to_string(), at),
                ("note-order".to_string(), at)
            ],
            "{encoding}"
        );
    }
}

#[tokio::test]
async fn document_symbols_are_the_outline_of_the_seed() {
    let (mut client, _) = TestClient::initialized(&[]).await;
    client.open(URI, 1, SEED).await;
    let symbols = client.document_symbols(URI).await;
    let top: Vec<(&str, usize)> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let children = s["children"].as_array().map_or(0, Vec::len);
            (s["name"].as_str().unwrap(), children)
        })
        .collect();
    assert_eq!(
        top,
        [
            ("一、戰略性接近的內外動因", 5),
            ("二、戰略性接近的總體態勢", 3),
            ("三、戰略性接近的外溢影響", 3),
            ("四、戰略性接近的限度和困境", 3),
            ("結語", 0),
            ("註釋", 4),
        ]
    );
    let second = &symbols[1];
    let wrapped = symbol_names(&second["children"]);
    assert_eq!(
        wrapped,
        [
            "（一）首腦“穿梭外交”和各層級對話機制形成",
            "（二）以“朝鮮威脅”為由重啓軍事安全合作",
            "（三）聯手構建產業供應鏈以改善兩國經貿關係",
        ]
    );
    // Selection: the heading text (both wrapped lines); range: the whole section.
    let first_child = &second["children"][0];
    assert_eq!(start_of(&first_child["selectionRange"]), (381, 0));
    assert_eq!(
        first_child["selectionRange"]["end"],
        json!({"line": 383, "character": 2})
    );
    assert_eq!(start_of(&first_child["range"]), (381, 0));
    assert_eq!(first_child["range"]["end"]["line"], 445);
    let notes = &symbols[5]["children"];
    for (i, note) in notes.as_array().unwrap().iter().enumerate() {
        assert!(note["name"]
            .as_str()
            .unwrap()
            .starts_with(&format!("〔{}〕 ", i + 1)));
    }
    assert_eq!(start_of(&notes[0]["selectionRange"]), (885, 0));
}

#[tokio::test]
async fn definition_goes_from_a_marker_to_its_note() {
    let (mut client, _) = TestClient::initialized(&["utf-16"]).await;
    client.open(URI, 1, SEED).await;
    let line_118 = SEED.split('\n').nth(117).unwrap();
    let column = line_118[..line_118.find('〔').unwrap()]
        .encode_utf16()
        .count() as u32;
    for offset in 0..3 {
        let definition = client
            .request(
                "textDocument/definition",
                json!({ "textDocument": { "uri": URI }, "position": position_json(117, column + offset) }),
            )
            .await
            .unwrap();
        assert_eq!(definition["uri"], URI);
        assert_eq!(definition["range"], range_json([885, 0, 885, 3]));
    }
    // 〔5〕 has no note.
    let (line, byte) = find_in_seed("〔5〕");
    let column = SEED.split('\n').nth(line).unwrap()[..byte]
        .encode_utf16()
        .count() as u32;
    let definition = client
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": URI }, "position": position_json(line as u32, column + 1) }),
        )
        .await
        .unwrap();
    assert_eq!(definition, Value::Null);
}

#[tokio::test]
async fn close_publishes_an_empty_list() {
    let (mut client, _) = TestClient::initialized(&[]).await;
    client.open(URI, 1, SEED).await;
    let published = client.diagnostics_for(1).await;
    let missing = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "missing-note");
    assert_eq!(missing.count(), 13);
    client
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    let params = client.diagnostics().await;
    assert_eq!(params["uri"], URI);
    assert_eq!(params["diagnostics"], json!([]));
    // The document is gone: requests on it answer null.
    let symbols = client.document_symbols(URI).await;
    assert_eq!(symbols, Value::Null);
}

#[tokio::test]
async fn plain_text_gets_an_empty_list_and_no_symbols() {
    let (mut client, _) = TestClient::initialized(&[]).await;
    client
        .open(URI, 1, "Shopping list:\n- eggs [2]\n- milk (1)\n")
        .await;
    let params = client.diagnostics_for(1).await;
    assert_eq!(params["diagnostics"], json!([]));
    let symbols = client.document_symbols(URI).await;
    assert_eq!(symbols, json!([]));
}

#[tokio::test]
async fn bad_edits_are_ignored_and_the_text_stays_whole() {
    let (mut client, _) = TestClient::initialized(&[]).await;
    client.open(URI, 1, "甲〔1〕\n註釋：\n〔1〕一。").await;
    client.diagnostics_for(1).await;
    // An edit for a document that is not open.
    client
        .edit("file:///nowhere.txt", 2, [0, 0, 0, 0], "〔7〕")
        .await;
    // A range far past the end of the document.
    client.edit(URI, 2, [90, 0, 95, 0], "〔8〕").await;
    // A column past the end of a line clamps to the line's end.
    client.edit(URI, 3, [0, 99, 0, 120], "〔2〕").await;
    assert_eq!(
        codes_and_starts(&client.diagnostics_for(3).await),
        [("missing-note".to_string(), (0, 4))]
    );
    // Positions past the end of a request's line or document never fail the request.
    let definition = client
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": URI }, "position": position_json(500, 500) }),
        )
        .await
        .unwrap();
    assert_eq!(definition, Value::Null);
    let inside_first_marker = client
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": URI }, "position": position_json(0, 2) }),
        )
        .await
        .unwrap();
    assert_eq!(inside_first_marker["range"], range_json([2, 0, 2, 3]));
}

#[tokio::test]
async fn a_burst_of_edits_never_publishes_an_older_version_after_a_newer_one() {
    let (mut client, _) = TestClient::initialized(&[]).await;
    client.open(URI, 1, "正文\n註釋：\n〔1〕一。").await;
    // Each edit appends a marker; none waits for diagnostics.
    for version in 2..=60u32 {
        client
            .edit(
                URI,
                version as i64,
                [0, 1 + 3 * (version - 2), 0, 1 + 3 * (version - 2)],
                "〔1〕",
            )
            .await;
    }
    let mut last = 0;
    loop {
        let params = client.diagnostics().await;
        let version = params["version"].as_i64().expect("versioned diagnostics");
        assert!(version > last, "version {version} published after {last}");
        last = version;
        if version == 60 {
            assert_eq!(params["diagnostics"], json!([]));
            break;
        }
    }
}
