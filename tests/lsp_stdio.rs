//! The release-shaped binary driven as a real process over stdio.

mod common;
#[path = "../benches/corpus.rs"]
mod corpus;

use std::process::Command;
use std::time::Duration;

use common::stdio::{peak_rss_mb, StdioClient};
use common::{symbol_names, SEED};
use serde_json::{json, Value};

const URI: &str = "file:///work/seed.txt";

/// The exit code of the server, which must end within 10 s.
fn exit_code(client: &mut StdioClient) -> Option<i32> {
    client
        .wait(Duration::from_secs(10))
        .expect("the server exits")
        .code()
}

fn server() -> StdioClient {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marginalia"));
    command.arg("--stdio");
    StdioClient::spawn(command)
}

#[test]
fn a_whole_session_on_the_seed() {
    let mut client = server();
    let initialize = client.initialize(json!({ "general": { "positionEncodings": ["utf-16"] } }));
    assert_eq!(
        initialize["result"]["capabilities"]["positionEncoding"],
        "utf-16"
    );

    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 1, "text": SEED } }),
    );
    let diagnostics =
        client.notification("textDocument/publishDiagnostics", Duration::from_secs(10));
    assert_eq!(diagnostics["params"]["version"], 1);
    let list = diagnostics["params"]["diagnostics"].as_array().unwrap();
    let errors: Vec<&Value> = list.iter().filter(|d| d["severity"] == 1).collect();
    assert_eq!(errors.len(), 13);
    assert!(errors.iter().all(|d| d["code"] == "missing-note"));

    let symbols = client.document_symbols(URI);
    let names = symbol_names(&symbols["result"]);
    assert_eq!(
        names,
        [
            "一、戰略性接近的內外動因",
            "二、戰略性接近的總體態勢",
            "三、戰略性接近的外溢影響",
            "四、戰略性接近的限度和困境",
            "結語",
            "註釋"
        ]
    );

    // 〔1〕 on line 118 (1-based) goes to its note on line 886.
    let line = SEED.split('\n').nth(117).unwrap();
    let column = line[..line.find("〔1〕").unwrap()].encode_utf16().count();
    let definition = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 117, "character": column + 1 } }),
    );
    assert_eq!(
        definition["result"]["range"]["start"],
        json!({ "line": 885, "character": 0 })
    );

    let shutdown = client.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    assert!(shutdown.get("error").is_none());
    client.notify("exit", Value::Null);
    // The client keeps stdin open: the server must still exit on its own.
    assert_eq!(exit_code(&mut client), Some(0));
}

/// The answer to `method` on the seed over stdio and from the in-process service.
fn over_stdio_and_in_process(capabilities: &Value, method: &str, params: &Value) -> (Value, Value) {
    let mut client = server();
    client.initialize(capabilities.clone());
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 1, "text": SEED } }),
    );
    client.notification("textDocument/publishDiagnostics", Duration::from_secs(10));
    let over_stdio = client.request(method, params.clone());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let in_process = runtime.block_on(async {
        let mut client = common::TestClient::initialized_with(capabilities.clone()).await;
        client.open(URI, 1, SEED).await;
        client.request(method, params.clone()).await.unwrap()
    });
    (over_stdio["result"].clone(), in_process)
}

/// Over stdio the transport answers completion, folding and links straight from their typed
/// results (see `lsp/encoded.rs`): the same answers the service gives, for clients with and
/// without resolveSupport and lineFoldingOnly.
#[test]
fn answers_encoded_by_the_transport_are_the_answers_of_the_service() {
    let line = SEED.split('\n').nth(117).unwrap();
    let column = line[..line.find("〔1〕").unwrap()].encode_utf16().count() + 1;
    let at_marker =
        json!({ "textDocument": { "uri": URI }, "position": { "line": 117, "character": column } });
    let document = json!({ "textDocument": { "uri": URI } });
    let resolving = json!({ "textDocument": {
        "completion": { "completionItem": { "resolveSupport": { "properties": ["documentation"] } } },
        "foldingRange": { "lineFoldingOnly": true },
    } });
    for capabilities in [json!({}), resolving] {
        let (over_stdio, in_process) =
            over_stdio_and_in_process(&capabilities, "textDocument/completion", &at_marker);
        let items = over_stdio["items"].as_array().unwrap();
        assert!(items.len() >= 4, "{over_stdio}");
        assert_eq!(items[0]["label"], "〔1〕");
        assert_eq!(over_stdio, in_process);
        for method in ["textDocument/foldingRange", "textDocument/documentLink"] {
            let (over_stdio, in_process) =
                over_stdio_and_in_process(&capabilities, method, &document);
            assert!(
                over_stdio.as_array().unwrap().len() >= 4,
                "{method}: {over_stdio}"
            );
            assert_eq!(over_stdio, in_process, "{method}");
        }
    }
}

/// The workspace folder is read in the background (its progress token created through a
/// request to the client and its answer); its headings and notes are searched.
#[test]
fn workspace_symbols_of_a_folder_over_stdio() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("seed.txt");
    std::fs::write(&path, SEED).unwrap();
    let folder_uri = tower_lsp::lsp_types::Url::from_file_path(folder.path()).unwrap();
    let seed_uri = tower_lsp::lsp_types::Url::from_file_path(&path).unwrap();
    let mut client = server();
    client.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": folder_uri,
            "capabilities": { "window": { "workDoneProgress": true } },
        }),
    );
    client.notify("initialized", json!({}));
    loop {
        let progress = client.notification("$/progress", Duration::from_secs(20));
        if progress["params"]["value"]["kind"] == "end" {
            break;
        }
    }
    let answer = client.request("workspace/symbol", json!({ "query": "結語" }));
    let found = answer["result"].as_array().unwrap();
    assert_eq!(found[0]["name"], "結語");
    assert_eq!(found[0]["location"]["uri"], seed_uri.as_str());
    let line = SEED.split('\n').position(|line| line == "結語").unwrap();
    assert_eq!(
        found[0]["location"]["range"],
        json!({ "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 2 } })
    );
    let notes = client.request("workspace/symbol", json!({ "query": "〔1〕" }));
    assert!(notes["result"][0]["name"]
        .as_str()
        .unwrap()
        .starts_with("〔1〕 「ウクライナ"));
}

#[test]
fn exit_without_shutdown_exits_with_1() {
    let mut client = server();
    client.initialize(json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(exit_code(&mut client), Some(1));
}

#[test]
fn end_of_input_ends_the_process() {
    let mut client = server();
    client.initialize(json!({}));
    client.close_stdin();
    assert_eq!(exit_code(&mut client), Some(1));
}

#[test]
fn no_arguments_also_serves_lsp() {
    let mut client = StdioClient::spawn(Command::new(env!("CARGO_BIN_EXE_marginalia")));
    let initialize = client.initialize(json!({}));
    assert_eq!(initialize["result"]["serverInfo"]["name"], "marginalia");
}

#[test]
fn malformed_messages_get_an_error_and_the_server_goes_on() {
    let mut client = server();
    client.initialize(json!({}));
    // Not JSON, then JSON that is no JSON-RPC message, then a frame without Content-Length.
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let error = client.response_with_null_id();
    assert_eq!(error["error"]["code"], -32700);
    client.send_raw(b"Content-Length: 2\r\n\r\n[]");
    let error = client.response_with_null_id();
    assert_eq!(
        error["error"]["code"], -32600,
        "valid JSON, but not a request"
    );
    client.send_raw(b"Content-Type: text/plain\r\n\r\n");
    let error = client.response_with_null_id();
    assert_eq!(error["error"]["code"], -32700);
    // `"params": null` for shutdown is accepted, as some clients send it.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 1, "text": "正文〔1〕" } }),
    );
    let symbols = client.document_symbols(URI);
    assert_eq!(symbols["result"], json!([]));
    let shutdown = client.request("shutdown", Value::Null);
    assert!(shutdown.get("error").is_none(), "{shutdown}");
}

#[test]
fn a_large_document_opens_with_the_same_analysis() {
    // Over 1 MB, with characters JSON must escape: the large-document path reads it.
    let text = format!("\"引號\"\t\\ 𠮷\u{1}\r\n{}", SEED.repeat(40));
    assert!(text.len() > 1 << 20);
    let expected = shown_problems(&text);
    let mut client = server();
    client.initialize(json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 7, "text": text } }),
    );
    // The note problems at once, then the form problems too, once checked on their thread.
    let count = |client: &mut StdioClient, version: i64| {
        let diagnostics =
            client.notification("textDocument/publishDiagnostics", Duration::from_secs(30));
        assert_eq!(diagnostics["params"]["version"], version);
        diagnostics["params"]["diagnostics"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(count(&mut client, 7), notes_only(&text));
    assert_eq!(count(&mut client, 7), expected);
    // The text arrived whole: the last section ends on the line of its last text.
    let symbols = client.document_symbols(URI);
    let last = symbols["result"]
        .as_array()
        .and_then(|s| s.last())
        .cloned()
        .unwrap_or_default();
    let last_text = text.rfind("fe60463710").expect("the seed's last note");
    let last_line = text[..last_text].matches('\n').count() as u64;
    assert_eq!(last["range"]["end"]["line"].as_u64(), Some(last_line));

    // A large message that is not a didOpen (a whole new text) goes the ordinary way.
    let text = SEED.repeat(41);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 8 }, "contentChanges": [{ "text": text }] }),
    );
    // All text is new: its form is checked once typing pauses.
    assert_eq!(count(&mut client, 8), notes_only(&text));
    assert_eq!(count(&mut client, 8), shown_problems(&text));
}

/// How many note problems `text` has.
fn notes_only(text: &str) -> usize {
    marginalia::analysis::Analysis::new(text).problems.len()
}

/// How many problems an editor is shown for `text`: the note problems, and the form problems
/// of each kind up to `SHOWN_PER_KIND` and one "more".
fn shown_problems(text: &str) -> usize {
    use marginalia::config::Config;
    use marginalia::features::diagnostics::{diagnostics, Shown};
    let document = marginalia::document::DocumentSnapshot::new(text);
    let config = Config::default();
    let shown = Shown::in_editor(&config);
    let shown = diagnostics(document.analysis(), document.lints(), &config, Some(shown)).len();
    assert!(shown > document.analysis().problems.len());
    shown
}

#[cfg(target_os = "linux")]
#[test]
fn the_outline_of_a_10_mb_book_is_sent_without_a_second_copy_in_memory() {
    let text = corpus::book(10 << 20);
    let mut client = server();
    client.initialize(json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 1, "text": text } }),
    );
    drop(text);
    client.notification("textDocument/publishDiagnostics", Duration::from_secs(60));
    let peak_before = peak_rss_mb(client.pid());
    let symbols = client.document_symbols(URI);
    let headings = symbols["result"].as_array().map_or(0, Vec::len);
    assert!(headings > 1000, "{headings} top-level headings");
    // A serde_json::Value of this outline would raise the peak by some 30 MB. (The 40 MB
    // target is for the release build; `cargo bench --bench lsp_latency` reports it.)
    let peak_after = peak_rss_mb(client.pid());
    assert!(
        peak_after - peak_before < 10.0,
        "peak RSS {peak_before:.1} MB before the outline, {peak_after:.1} MB after"
    );
}

#[test]
fn logs_go_to_stderr_at_the_level_of_marginalia_log() {
    use common::stdio::{run_session, text_frame as frame};
    let input = [
        frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#),
        frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#),
        frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
    ];
    let run = |level: &str| run_session(&input, level);
    let debug = run("debug");
    assert_eq!(debug.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&debug.stderr);
    assert!(stderr.contains("initialize"), "{stderr}");
    // stdout carries nothing but the protocol.
    let stdout = String::from_utf8_lossy(&debug.stdout);
    assert!(stdout.starts_with("Content-Length: "), "{stdout}");
    assert!(
        !stdout.contains("INFO") && !stdout.contains("DEBUG"),
        "{stdout}"
    );
    let quiet = run("error");
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
}

#[test]
fn a_flood_of_edits_and_requests_is_answered_and_ends_in_the_same_state_as_a_fresh_open() {
    const EDITS: usize = 10_001;
    let mut client = server();
    client.initialize(json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 0, "text": SEED } }),
    );
    client.notification("textDocument/publishDiagnostics", Duration::from_secs(10));
    // Each pair of edits types a marker at the start of a line and deletes it again; the last
    // edit leaves one in. Requests are interleaved; nothing waits for anything.
    let mut shadow = SEED.to_string();
    let line_count = SEED.split('\n').count();
    let mut batch = String::new();
    let mut request_ids = Vec::new();
    let mut hovered_lines = std::collections::HashMap::new();
    let frame = |message: Value| {
        let body = message.to_string();
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    };
    for version in 1..=EDITS {
        let line = (version.div_ceil(2) * 37) % line_count;
        let insert = version % 2 == 1;
        let range = if insert {
            [line, 0, line, 0]
        } else {
            [line, 0, line, 4]
        };
        let text = if insert { "〔99〕" } else { "" };
        batch.push_str(&frame(json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [{
                    "range": { "start": { "line": range[0], "character": range[1] }, "end": { "line": range[2], "character": range[3] } },
                    "text": text,
                }],
            },
        })));
        let line_start: usize = shadow.split('\n').take(line).map(|l| l.len() + 1).sum();
        if insert {
            shadow.insert_str(line_start, "〔99〕");
        } else {
            shadow.replace_range(line_start..line_start + "〔99〕".len(), "");
        }
        if version % 100 == 0 {
            let id = 1_000_000 + version as i64;
            request_ids.push(id);
            batch.push_str(&frame(json!({
                "jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
                "params": { "textDocument": { "uri": URI } },
            })));
        }
        // A hover on the marker just typed (or where it was).
        if version % 100 == 51 {
            let id = 2_000_000 + version as i64;
            request_ids.push(id);
            hovered_lines.insert(id, line);
            batch.push_str(&frame(json!({
                "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
                "params": { "textDocument": { "uri": URI }, "position": { "line": line, "character": 1 } },
            })));
        }
    }
    client.send_raw(batch.as_bytes());
    let mut hovers = 0;
    for id in request_ids {
        let response = client.response(id);
        let result = response.get("result");
        assert!(result.is_some(), "request {id} answered: {response}");
        if let Some(&line) = hovered_lines.get(&id) {
            // The edits before it were applied, the ones after it not yet: 〔99〕 is there (a
            // marker with no note, or in the notes section a note never cited).
            let hover = result.cloned().unwrap_or_default();
            let contents = hover["contents"].as_str().unwrap_or_default();
            assert!(contents.starts_with("Note 〔99〕"), "{hover}");
            assert_eq!(hover["range"]["start"]["line"], line);
            hovers += 1;
        }
    }
    assert_eq!(hovers, 100);
    let mut published = 0;
    let last = loop {
        let message =
            client.notification("textDocument/publishDiagnostics", Duration::from_secs(60));
        published += 1;
        if message["params"]["version"] == json!(EDITS) {
            break message;
        }
    };
    assert!(
        published < EDITS,
        "{published} publications for {EDITS} edits: not coalesced"
    );
    // The same text opened fresh gives the same diagnostics and outline.
    let fresh = "file:///work/fresh.txt";
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": fresh, "languageId": "plaintext", "version": 1, "text": shadow } }),
    );
    let fresh_diagnostics = loop {
        let message =
            client.notification("textDocument/publishDiagnostics", Duration::from_secs(10));
        if message["params"]["uri"] == fresh {
            break message;
        }
    };
    assert_eq!(
        last["params"]["diagnostics"],
        fresh_diagnostics["params"]["diagnostics"]
    );
    assert!(!last["params"]["diagnostics"].as_array().unwrap().is_empty());
    let outline =
        |client: &mut StdioClient, uri: &str| client.document_symbols(uri)["result"].clone();
    assert_eq!(outline(&mut client, URI), outline(&mut client, fresh));
}

#[test]
fn the_settings_file_is_the_base_the_editor_s_settings_are_laid_over() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let settings = folder.path().join("settings.json");
    let file = r#"{ "marginalia": { "diagnostics": { "missing-note": "warning" } } }"#;
    std::fs::write(&settings, file).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_marginalia"));
    command.args(["--stdio", "--settings"]).arg(&settings);
    let mut client = StdioClient::spawn(command);
    // The editor switches the PDF-scar checks off and says nothing of missing notes.
    let options = json!({ "marginalia": { "checks": { "pdfScars": false } } });
    let initialize = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {}, "initializationOptions": options }),
    );
    assert!(initialize.get("error").is_none(), "{initialize}");
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "plaintext", "version": 1, "text": SEED } }),
    );
    let published = client.notification("textDocument/publishDiagnostics", Duration::from_secs(10));
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
    let of = |code: &str| -> Vec<i64> {
        diagnostics
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| d["severity"].as_i64().unwrap())
            .collect()
    };
    // The file's severity for missing notes (2: warning), the editor's checks (no hint).
    assert_eq!(of("missing-note"), vec![2; 13]);
    assert!(of("hard-wrap").is_empty() && of("page-break-space").is_empty());
    assert_eq!(
        of("half-width-punctuation").len() + of("unbalanced-punctuation").len(),
        3
    );
    assert_eq!(diagnostics.len(), 16);
}
