//! Never crash: a panic in one handler answers that request with `InternalError` (a
//! notification's is logged) and the server goes on. The panics come from handlers only the
//! cargo feature `test-hooks` adds (on for tests, through the dev-dependency on this crate).

mod common;

use common::stdio::{run_session, text_frame as frame};
use common::{symbol_names, TestClient, SEED};
use serde_json::{json, Value};

const URI: &str = "file:///work/seed.txt";

#[tokio::test]
async fn a_panicking_handler_answers_internal_error_and_the_server_goes_on() {
    let (mut client, _) = TestClient::initialized(&["utf-16"]).await;
    client.open(URI, 1, SEED).await;
    let before = symbol_names(&client.document_symbols(URI).await).len();
    assert!(before > 0);
    let error = client
        .request("marginalia/test/panic", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error["code"], -32603, "{error}");
    client
        .notify("marginalia/test/panicNotification", json!({}))
        .await;
    // Still serving, and still following edits: a new heading at the top.
    client.edit(URI, 2, [0, 0, 0, 0], "一、新的一章\n").await;
    let symbols = client.document_symbols(URI).await;
    let after = symbol_names(&symbols);
    assert_eq!(after.len(), before + 1, "{after:?}");
    assert_eq!(after[0], "一、新的一章");
}

#[test]
fn over_stdio_a_panic_is_logged_with_its_location_and_answered() {
    let open = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": URI, "languageId": "plaintext", "version": 1, "text": SEED } } });
    let input = [
        frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#),
        frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        frame(&open.to_string()),
        frame(r#"{"jsonrpc":"2.0","id":2,"method":"marginalia/test/panic","params":{}}"#),
        frame(r#"{"jsonrpc":"2.0","method":"marginalia/test/panicNotification","params":{}}"#),
        // An answer the transport encodes itself (an outline), panicking.
        frame(
            r#"{"jsonrpc":"2.0","id":5,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///test-hooks/panic"}}}"#,
        ),
        frame(&format!(
            r#"{{"jsonrpc":"2.0","id":3,"method":"textDocument/documentSymbol","params":{{"textDocument":{{"uri":"{URI}"}}}}}}"#
        )),
        frame(r#"{"jsonrpc":"2.0","id":4,"method":"shutdown"}"#),
        frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
    ];
    let output = run_session(&input, "error");
    // It went on to shutdown and exit as asked.
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(r#""id":2"#) && stdout.contains(r#""code":-32603"#),
        "{stdout}"
    );
    // Both panicking requests (2: a handler, 5: an answer the transport encodes) got an error.
    assert!(stdout.contains(r#""id":5"#), "{stdout}");
    assert_eq!(stdout.matches(r#""code":-32603"#).count(), 2, "{stdout}");
    assert!(stderr_of(&output).contains("an answer the transport encodes panics"));
    let symbols_answer = stdout
        .split("Content-Length")
        .find(|message| message.contains(r#""id":3"#))
        .unwrap_or_default();
    assert!(symbols_answer.contains("結語"), "{symbols_answer}");
    // The panics are in the log, with where they happened.
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("a request whose handler panicked")
            || stderr.contains("a request whose handler panics"),
        "{stderr}"
    );
    assert!(stderr.contains("src/lsp/server.rs:"), "{stderr}");
    assert!(
        stderr.contains("a notification whose handler panics"),
        "{stderr}"
    );
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_life_cycle_errors_of_the_specification() {
    let uri_params = format!(r#"{{"textDocument":{{"uri":"{URI}"}}}}"#);
    let input = [
        // Before initialize: ServerNotInitialized (-32002), whichever way it is answered.
        frame(&format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"textDocument/documentSymbol","params":{uri_params}}}"#
        )),
        frame(
            r#"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.txt"},"position":{"line":0,"character":0}}}"#,
        ),
        frame(r#"{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"capabilities":{}}}"#),
        frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        // A second initialize: an error.
        frame(r#"{"jsonrpc":"2.0","id":4,"method":"initialize","params":{"capabilities":{}}}"#),
        // An unknown method: MethodNotFound; an unknown $/ notification: ignored.
        frame(r#"{"jsonrpc":"2.0","id":5,"method":"marginalia/noSuchThing","params":{}}"#),
        frame(r#"{"jsonrpc":"2.0","method":"$/noSuchNotification","params":{}}"#),
        frame(r#"{"jsonrpc":"2.0","id":6,"method":"shutdown"}"#),
        // After shutdown: InvalidRequest.
        frame(&format!(
            r#"{{"jsonrpc":"2.0","id":7,"method":"textDocument/documentSymbol","params":{uri_params}}}"#
        )),
        frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
    ];
    let output = run_session(&input, "error");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answers: Vec<serde_json::Value> = stdout
        .split("Content-Length: ")
        .filter_map(|frame| frame.split_once("\r\n\r\n"))
        .map(|(_, body)| serde_json::from_str(body).expect("each answer is JSON"))
        .collect();
    let error_of = |id: i64| {
        let answer = answers
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("no answer to {id}: {stdout}"));
        answer["error"]["code"].as_i64()
    };
    assert_eq!(error_of(1), Some(-32002));
    assert_eq!(error_of(2), Some(-32002));
    assert_eq!(error_of(3), None, "the first initialize succeeds");
    assert!(error_of(4).is_some(), "a second initialize is an error");
    assert_eq!(error_of(5), Some(-32601));
    assert_eq!(error_of(6), None);
    assert_eq!(error_of(7), Some(-32600));
    // Nothing answered the $/ notification.
    assert_eq!(answers.iter().filter(|a| a.get("id").is_some()).count(), 7);
}

/// Every edit the server proposes names the version it was made for, so that a client can
/// refuse it once the text has moved on: code actions of every kind for every problem,
/// rename, and the edits commands ask the client to apply.
#[tokio::test]
async fn every_workspace_edit_carries_the_document_version() {
    let commands = {
        let (_, initialize) = TestClient::initialized(&["utf-16"]).await;
        initialize["capabilities"]["executeCommandProvider"]["commands"]
            .as_array()
            .cloned()
            .expect("commands are advertised")
    };
    let mut client = TestClient::initialized_with(json!({
        "general": { "positionEncodings": ["utf-16"] },
        "workspace": { "workspaceEdit": { "documentChanges": true } },
    }))
    .await;
    client.open(URI, 1, SEED).await;
    // Version 4: an unused note and a marker cited twice at the end.
    let end = SEED.lines().count() as u32;
    let added = "\n甲〔2〕乙〔2〕。\n〔20〕多餘。";
    client.edit(URI, 4, [end, 0, end, 0], added).await;
    let diagnostics = client.diagnostics_for(4).await["diagnostics"].clone();
    let mut edits = Vec::new();
    for diagnostic in diagnostics.as_array().expect("diagnostics") {
        let actions = client
            .request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": URI }, "range": diagnostic["range"],
                        "context": { "diagnostics": [diagnostic] } }),
            )
            .await
            .expect("code actions are answered");
        for action in actions.as_array().into_iter().flatten() {
            edits.extend(action.get("edit").map(|edit| ("code action", edit.clone())));
        }
    }
    let marker = json!({ "line": end + 1, "character": 2 });
    let rename = client
        .request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": URI }, "position": marker, "newName": "30" }),
        )
        .await
        .expect("rename is answered");
    edits.push(("rename", rename));
    for command in commands.iter().filter_map(|c| c.as_str()) {
        let arguments = match command {
            "marginalia.renumberNotes"
            | "marginalia.reflowParagraphs"
            | "marginalia.repairScars" => {
                json!([URI])
            }
            "marginalia.swapNotes" => json!([URI, marker, 1]),
            _ => json!([URI, marker]),
        };
        let _ = client
            .request(
                "workspace/executeCommand",
                json!({ "command": command, "arguments": arguments }),
            )
            .await;
        for request in client.sent_so_far() {
            if request.method() == "workspace/applyEdit" {
                let params = request.params().cloned().unwrap_or_default();
                edits.push(("command", params["edit"].clone()));
            }
        }
    }
    let kinds = |kind| edits.iter().filter(|(k, _)| *k == kind).count();
    assert!(kinds("code action") > 20, "{edits:?}");
    assert_eq!(kinds("rename"), 1);
    assert!(kinds("command") >= 5, "{edits:?}");
    for (kind, edit) in &edits {
        assert!(edit.get("changes").is_none(), "{kind}: {edit}");
        let changes = edit["documentChanges"].as_array().expect("documentChanges");
        for change in changes {
            assert_eq!(change["textDocument"]["uri"], URI, "{kind}: {edit}");
            assert_eq!(change["textDocument"]["version"], 4, "{kind}: {edit}");
        }
    }
}

/// The message the server shows when it refuses `uri`, as (type, text), after the empty
/// diagnostics that take back what was shown for it (in whichever order they come).
async fn refusal_of(client: &mut TestClient, uri: &str) -> (i64, String) {
    let (mut shown, mut taken_back) = (None, false);
    while shown.is_none() || !taken_back {
        let message = client.next_message().await;
        let params = message.params().cloned().unwrap_or_default();
        match message.method() {
            "window/showMessage" => {
                let text = params["message"].as_str().unwrap_or_default().to_string();
                shown = Some((params["type"].as_i64().unwrap_or_default(), text));
            }
            "textDocument/publishDiagnostics" if params["uri"] == uri => {
                assert_eq!(params["diagnostics"], json!([]), "{params}");
                taken_back = true;
            }
            _ => {}
        }
    }
    shown.unwrap_or_default()
}

/// A document over the size limit or with a line over the line limit is refused with a
/// message saying which limit and how to change it; the server stays up and serves the
/// others. An edit over a limit closes the document; so does a lower limit in the settings.
#[tokio::test]
async fn documents_over_the_size_limits_are_refused_with_a_message() {
    let small = "一、甲\n正文〔1〕。\n註釋：\n〔1〕注。\n";
    let mut client = TestClient::initialized_with_params(json!({
        "capabilities": {},
        "initializationOptions": { "maxDocumentBytes": 2000, "maxLineBytes": 300 },
    }))
    .await;
    let large_uri = "file:///work/large.txt";
    client.open(large_uri, 1, &small.repeat(60)).await;
    let (kind, message) = refusal_of(&mut client, large_uri).await;
    assert_eq!(kind, 1, "an error");
    assert!(
        message.starts_with("marginalia does not read large.txt: the document is 3.0 KB, over the limit of 2.0 KB (setting marginalia.maxDocumentBytes, 0 for none)"),
        "{message}"
    );
    assert_eq!(client.document_symbols(large_uri).await, Value::Null);
    // Edits to the refused document are ignored; the others are served.
    client.open(URI, 1, small).await;
    client.edit(large_uri, 2, [0, 0, 0, 0], "二、乙\n").await;
    assert_eq!(
        symbol_names(&client.document_symbols(URI).await),
        ["一、甲", "註釋"]
    );

    // A paste that makes a line too long: the document is no longer served.
    client.diagnostics_for(1).await;
    let long_line = "長".repeat(101);
    client.edit(URI, 2, [1, 0, 1, 0], &long_line).await;
    let (_, message) = refusal_of(&mut client, URI).await;
    assert!(
        message.contains("line 2 is 319 bytes long, over the limit of 300 bytes a line (setting marginalia.maxLineBytes"),
        "{message}"
    );
    assert_eq!(client.document_symbols(URI).await, Value::Null);

    // Opened again within the limits, then the limit lowered in the settings.
    client.open(URI, 3, small).await;
    client.diagnostics_for(3).await;
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": { "maxDocumentBytes": 20 } } }),
        )
        .await;
    let (_, message) = refusal_of(&mut client, URI).await;
    assert!(message.contains("over the limit of 20 bytes"), "{message}");
    assert_eq!(client.document_symbols(URI).await, Value::Null);
    // No limit at all: a document of any size is read.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": { "maxDocumentBytes": 0, "maxLineBytes": 0 } } }),
        )
        .await;
    client
        .open(large_uri, 5, &format!("{}{long_line}", small.repeat(60)))
        .await;
    assert_eq!(
        symbol_names(&client.document_symbols(large_uri).await).len(),
        120
    );
}
