//! Seeing a document's structure through the server in-process (the reading-and-repair
//! features as they land): folding.

mod common;

use common::units::Units;
use common::{TestClient, SEED};
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
