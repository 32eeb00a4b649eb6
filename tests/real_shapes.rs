//! The corpus of real documents' shapes (`tests/fixtures/real-shapes/`, described in its
//! README): each fixture goes through the server in-process, and what every feature makes of
//! it is compared with its snapshot (`<name>.snap` beside it; `UPDATE_EXPECT=1` rewrites
//! them). Each snapshot shows the outline, the diagnostics, where each marker leads
//! (definition), what cites each entry (references), the hover of the first marker, the folds,
//! the semantic tokens of markers and labels, the document links, what completion offers after
//! a typed `〔`, a rename of the first note, and "Insert a note here" before the first marker,
//! the last three as the lines they change.

mod common;

use std::path::{Path, PathBuf};

use common::units::{apply, Units};
use common::{position_json, TestClient};
use serde_json::{json, Value};

const URI: &str = "file:///work/shape.txt";
const UNITS: Units = Units::Utf16;

fn fixtures() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-shapes");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("the fixtures folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn every_fixture_reads_as_its_snapshot_says() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 30, "the corpus is there");
    for path in fixtures {
        let text = std::fs::read_to_string(&path).expect("a UTF-8 fixture");
        let report = report(&text).await;
        expect_test::ExpectFile {
            path: path.with_extension("snap"),
            position: file!(),
        }
        .assert_eq(&report);
    }
}

/// A place in the text: `line:column` (1-based, in characters) and what is there.
fn place(text: &str, range: &Value) -> String {
    let start = UNITS.offset(text, &range["start"]);
    let end = UNITS.offset(text, &range["end"]);
    let line = text[..start].matches('\n').count() + 1;
    let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let column = text[line_start..start].chars().count() + 1;
    format!("{line}:{column} {}", &text[start..end])
}

async fn report(text: &str) -> String {
    let (mut client, _) = TestClient::initialized(&["utf-16"]).await;
    client.open(URI, 1, text).await;
    let diagnostics = client.diagnostics_for(1).await;
    let mut out = String::new();

    out.push_str("## outline\n");
    let symbols = client.document_symbols(URI).await;
    outline(text, &symbols, 0, &mut out);

    out.push_str("## diagnostics\n");
    for diagnostic in diagnostics["diagnostics"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{} {} {}\n",
            place(text, &diagnostic["range"]),
            diagnostic["code"].as_str().unwrap_or(""),
            diagnostic["message"].as_str().unwrap_or("")
        ));
    }

    let tokens = tokens(&mut client, text).await;
    let markers: Vec<&Token> = tokens.iter().filter(|t| t.kind == "noteMarker").collect();
    let labels: Vec<&Token> = tokens.iter().filter(|t| t.kind == "noteLabel").collect();
    out.push_str("## tokens (markers and labels)\n");
    for token in &tokens {
        if token.kind == "noteMarker" || token.kind == "noteLabel" {
            out.push_str(&format!("{} {}\n", place(text, &token.range), token.kind));
        }
    }

    out.push_str("## definition of each marker\n");
    for marker in &markers {
        let found = client
            .request("textDocument/definition", at(&marker.range["start"]))
            .await
            .unwrap_or(Value::Null);
        let target = match found.as_array().and_then(|a| a.first()).or(Some(&found)) {
            Some(location) if location.get("range").is_some() => place(text, &location["range"]),
            _ => "none".to_string(),
        };
        out.push_str(&format!("{} → {target}\n", place(text, &marker.range)));
    }

    out.push_str("## references of each entry\n");
    for label in &labels {
        let mut params = at(&label.range["start"]);
        params["context"] = json!({ "includeDeclaration": false });
        let found = client
            .request("textDocument/references", params)
            .await
            .unwrap_or(Value::Null);
        let cited: Vec<String> = found
            .as_array()
            .into_iter()
            .flatten()
            .map(|location| place(text, &location["range"]))
            .collect();
        out.push_str(&format!(
            "{} ← {}\n",
            place(text, &label.range),
            cited.join(", ")
        ));
    }

    if let Some(first) = markers.first() {
        let hover = client
            .request("textDocument/hover", at(&first.range["start"]))
            .await
            .unwrap_or(Value::Null);
        let shown = hover["contents"]["value"].as_str().unwrap_or("none");
        out.push_str(&format!(
            "## hover of the first marker\n{}\n",
            shown.lines().take(3).collect::<Vec<_>>().join(" / ")
        ));
    }

    out.push_str("## folding\n");
    let folds = client
        .request(
            "textDocument/foldingRange",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await
        .unwrap_or(Value::Null);
    for fold in folds.as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{}-{} {}\n",
            fold["startLine"].as_u64().unwrap_or(0) + 1,
            fold["endLine"].as_u64().unwrap_or(0) + 1,
            fold["kind"].as_str().unwrap_or("")
        ));
    }

    out.push_str("## links\n");
    let links = client
        .request(
            "textDocument/documentLink",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await
        .unwrap_or(Value::Null);
    for link in links.as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{} → {}\n",
            place(text, &link["range"]),
            link["target"].as_str().unwrap_or("")
        ));
    }

    if let Some(first) = markers.first() {
        completion(&mut client, text, &first.range, &mut out).await;
        rename(&mut client, text, first, labels.len(), &mut out).await;
        insert_note(&mut client, text, &first.range, &mut out).await;
    }
    out
}

fn at(position: &Value) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": position })
}

fn outline(text: &str, symbols: &Value, depth: usize, out: &mut String) {
    for symbol in symbols.as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{}{} ({})\n",
            "  ".repeat(depth),
            symbol["name"].as_str().unwrap_or(""),
            place(text, &symbol["selectionRange"])
        ));
        outline(text, &symbol["children"], depth + 1, out);
    }
}

struct Token {
    range: Value,
    kind: String,
}

/// The semantic tokens, decoded from LSP's relative form.
async fn tokens(client: &mut TestClient, text: &str) -> Vec<Token> {
    let legend = ["heading", "noteMarker", "noteLabel", "url", "string"];
    let found = client
        .request(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await
        .unwrap_or(Value::Null);
    let data: Vec<u64> = found["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect();
    let (mut line, mut column) = (0, 0);
    let mut decoded = Vec::new();
    for token in data.chunks(5) {
        let [delta_line, delta_start, length, kind, _] = token else {
            continue;
        };
        if *delta_line > 0 {
            column = 0;
        }
        line += delta_line;
        column += delta_start;
        let range = json!({
            "start": { "line": line, "character": column },
            "end": { "line": line, "character": column + length },
        });
        let kind = legend.get(*kind as usize).copied().unwrap_or("?");
        decoded.push(Token {
            range,
            kind: kind.to_string(),
        });
    }
    let _ = text;
    decoded
}

/// The lines that differ between `before` and `after` (same line count expected; else all).
fn changed_lines(before: &str, after: &str, out: &mut String) {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    if old.len() != new.len() {
        for (number, line) in new.iter().enumerate() {
            if old.get(number) != Some(line) {
                out.push_str(&format!("{}: {line}\n", number + 1));
            }
        }
        return;
    }
    for (number, (a, b)) in old.iter().zip(&new).enumerate() {
        if a != b {
            out.push_str(&format!("{}: {a} → {b}\n", number + 1));
        }
    }
}

fn edits_of(edit: &Value) -> Vec<Value> {
    if let Some(changes) = edit["documentChanges"].as_array() {
        return changes
            .iter()
            .flat_map(|change| change["edits"].as_array().cloned().unwrap_or_default())
            .collect();
    }
    edit["changes"][URI].as_array().cloned().unwrap_or_default()
}

/// Types `〔` after the first marker, asks for completion there, and shows the items and
/// the lines the first one changes; then takes the `〔` back.
async fn completion(client: &mut TestClient, text: &str, marker: &Value, out: &mut String) {
    let end = &marker["end"];
    let (line, character) = (
        end["line"].as_u64().unwrap_or(0) as u32,
        end["character"].as_u64().unwrap_or(0) as u32,
    );
    client
        .edit(URI, 2, [line, character, line, character], "〔")
        .await;
    let typed = apply(
        text,
        &[
            json!({ "range": common::range_json([line, character, line, character]), "newText": "〔" }),
        ],
        UNITS,
    );
    let found = client
        .request(
            "textDocument/completion",
            at(&position_json(line, character + 1)),
        )
        .await
        .unwrap_or(Value::Null);
    let items = found["items"]
        .as_array()
        .or(found.as_array())
        .cloned()
        .unwrap_or_default();
    out.push_str("## completion after a typed 〔\n");
    for item in &items {
        out.push_str(&format!(
            "{} → {}\n",
            item["label"].as_str().unwrap_or(""),
            item["textEdit"]["newText"].as_str().unwrap_or("")
        ));
    }
    if let Some(first) = items.first() {
        let mut edits = first["additionalTextEdits"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        edits.push(first["textEdit"].clone());
        out.push_str("### the first item changes\n");
        changed_lines(text, &apply(&typed, &edits, UNITS), out);
    }
    client
        .edit(URI, 3, [line, character, line, character + 1], "")
        .await;
}

/// Renames the first marker's note to the number after the last entry.
async fn rename(
    client: &mut TestClient,
    text: &str,
    marker: &Token,
    entries: usize,
    out: &mut String,
) {
    let to = entries + 1;
    let mut params = at(&marker.range["start"]);
    params["newName"] = json!(to.to_string());
    let found = client.request("textDocument/rename", params).await;
    out.push_str(&format!("## rename the first marker's note to {to}\n"));
    match found {
        Ok(edit) => changed_lines(text, &apply(text, &edits_of(&edit), UNITS), out),
        Err(error) => out.push_str(&format!("refused: {}\n", error["message"])),
    }
}

/// "Insert a note here" at the first marker.
async fn insert_note(client: &mut TestClient, text: &str, marker: &Value, out: &mut String) {
    let start = &marker["start"];
    let actions = client
        .code_actions(
            URI,
            json!({ "start": start, "end": start }),
            json!([]),
            "refactor.rewrite",
        )
        .await;
    let insert = actions.iter().find(|a| {
        a["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Insert a note here"))
    });
    out.push_str("## insert a note before the first marker\n");
    match insert {
        Some(action) => changed_lines(text, &apply(text, &edits_of(&action["edit"]), UNITS), out),
        None => out.push_str("no such action\n"),
    }
}
