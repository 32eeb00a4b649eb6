//! Reading notes through the server in-process: references, highlights, hover and code lenses,
//! in UTF-16 and UTF-8, next to Extension-B characters, with one scope per chapter.

mod common;

use common::units::{find, range_array, range_of, Units};
use common::{position_json, TestClient, SEED};
use serde_json::{json, Value};

const URI: &str = "file:///work/book.txt";

/// Two chapters, each with its own notes; 𠮷 (two UTF-16 units, four UTF-8 bytes) before the
/// markers on their lines.
const BOOK: &str = "一、甲章\n𠮷甲〔1〕甲〔2〕𠮷〔1〕\n\n註釋：\n〔1〕甲一，https://example.com/a。\n〔2〕甲二。\n二、乙章\n𠮷乙〔1〕\n註釋：\n〔1〕乙一。\n〔3〕乙三。";

async fn opened(units: Units, text: &str) -> TestClient {
    let (mut client, _) = TestClient::initialized(&[units.name()]).await;
    client.open(URI, 1, text).await;
    client.diagnostics_for(1).await;
    client
}

fn at(units: Units, text: &str, needle: &str, nth: usize, inside: u32) -> Value {
    let (line, character) = find(text, needle, nth, units);
    json!({ "textDocument": { "uri": URI }, "position": position_json(line, character + inside) })
}

/// The ranges of a list of locations in `URI`.
fn location_ranges(locations: &Value) -> Vec<[u32; 4]> {
    locations
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            assert_eq!(l["uri"], URI);
            range_array(&l["range"])
        })
        .collect()
}

#[tokio::test]
async fn references_of_a_note_within_its_chapter() {
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, BOOK).await;
        // From the second 〔1〕 of chapter one (after 𠮷), with the declaration.
        let mut params = at(units, BOOK, "〔1〕", 1, 1);
        params["context"] = json!({ "includeDeclaration": true });
        let found = client
            .request("textDocument/references", params.clone())
            .await
            .unwrap();
        assert_eq!(
            location_ranges(&found),
            [
                range_of(BOOK, "〔1〕", 0, units),
                range_of(BOOK, "〔1〕", 1, units),
                range_of(BOOK, "〔1〕", 2, units),
            ]
        );
        // Without it, and from chapter two's label: chapter two's one citation.
        params["context"] = json!({ "includeDeclaration": false });
        let found = client
            .request("textDocument/references", params)
            .await
            .unwrap();
        assert_eq!(found.as_array().unwrap().len(), 2);
        let mut params = at(units, BOOK, "〔1〕乙一", 0, 0);
        params["context"] = json!({ "includeDeclaration": false });
        let found = client
            .request("textDocument/references", params)
            .await
            .unwrap();
        assert_eq!(location_ranges(&found), [range_of(BOOK, "〔1〕", 3, units)]);
    }
}

#[tokio::test]
async fn highlights_mark_the_entry_as_written_and_the_markers_as_read() {
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, BOOK).await;
        let found = client
            .request(
                "textDocument/documentHighlight",
                at(units, BOOK, "〔2〕", 0, 2),
            )
            .await
            .unwrap();
        let found: Vec<([u32; 4], u64)> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (range_array(&h["range"]), h["kind"].as_u64().unwrap()))
            .collect();
        // READ is 2, WRITE is 3.
        assert_eq!(
            found,
            [
                (range_of(BOOK, "〔2〕", 0, units), 2),
                (range_of(BOOK, "〔2〕", 1, units), 3)
            ]
        );
    }
}

#[tokio::test]
async fn hover_shows_the_note_or_where_it_is_cited() {
    for units in [Units::Utf16, Units::Utf8] {
        let mut client = opened(units, BOOK).await;
        let shown = client
            .request("textDocument/hover", at(units, BOOK, "〔1〕", 1, 2))
            .await
            .unwrap();
        assert_eq!(shown["contents"]["kind"], "markdown");
        assert_eq!(
            shown["contents"]["value"],
            "**Note 〔1〕**\n\n甲一，[https://example.com/a](<https://example.com/a>)。"
        );
        assert_eq!(
            range_array(&shown["range"]),
            range_of(BOOK, "〔1〕", 1, units)
        );
        // Chapter two's note 1, on its marker and on its label.
        let shown = client
            .request("textDocument/hover", at(units, BOOK, "〔1〕", 3, 0))
            .await
            .unwrap();
        assert_eq!(shown["contents"]["value"], "**Note 〔1〕**\n\n乙一。");
        let shown = client
            .request("textDocument/hover", at(units, BOOK, "〔1〕甲一", 0, 1))
            .await
            .unwrap();
        assert_eq!(
            shown["contents"]["value"],
            "**Note 〔1〕** is cited 2 times: line 2."
        );
        // Off any marker: nothing.
        let shown = client
            .request("textDocument/hover", at(units, BOOK, "甲章", 0, 0))
            .await
            .unwrap();
        assert_eq!(shown, Value::Null);
    }
}

#[tokio::test]
async fn code_lenses_count_the_citations_of_each_note() {
    let units = Units::Utf16;
    let mut client = opened(units, BOOK).await;
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await
        .unwrap();
    let lenses: Vec<([u32; 4], String)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                range_array(&l["range"]),
                l["command"]["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let lens = |needle: &str, nth: usize, title: &str| {
        (range_of(BOOK, needle, nth, units), title.to_string())
    };
    assert_eq!(
        lenses,
        [
            lens("〔1〕", 2, "cited 2 times"),
            lens("〔2〕", 1, "cited once"),
            lens("〔1〕", 4, "cited once"),
            lens("〔3〕", 0, "cited 0 times"),
        ]
    );
}

#[tokio::test]
async fn on_the_seed_hover_over_note_1_on_line_118_shows_its_text() {
    let mut client = opened(Units::Utf16, SEED).await;
    let line = SEED.split('\n').nth(117).unwrap();
    let column = line[..line.find('〔').unwrap()].encode_utf16().count() as u32;
    let shown = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": position_json(117, column + 1) }),
        )
        .await
        .unwrap();
    let value = shown["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("**Note 〔1〕**\n\n"), "{value}");
    // The note's text, its printed lines joined: the start of its first line and the end of
    // its last line are both there, without the blank lines between.
    let note_start = SEED.find("\n〔1〕").unwrap() + "\n〔1〕".len();
    let first_line: String = SEED[note_start..]
        .split('\n')
        .next()
        .unwrap()
        .chars()
        .take(8)
        .collect();
    assert!(value.contains(first_line.trim()), "{value}");
    // Its URL, broken over two printed lines, is one link.
    assert!(
        value.contains("(<https://www.arabnews.jp/article/japan/article_66759/>)"),
        "{value}"
    );
    assert!(
        !value.contains('\n') || value.matches('\n').count() == 2,
        "{value}"
    );
}
