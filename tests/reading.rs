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
