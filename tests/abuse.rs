//! Abuse over stdio (issue 7): malformed frames, broken JSON, invalid UTF-8, NUL bytes, huge and
//! pathological documents, requests out of order, cancellation, and a client that goes away.
//! Bad input gets a clear error (a response with a null id when the request cannot be named)
//! or is skipped with a log line; after each case the same process still answers
//! `textDocument/documentSymbol` right, and an end of stdin or a broken stdout ends it at
//! once, with no panic.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::stdio::{frame, peak_rss_mb, read_frame, StdioClient};
use serde_json::{json, Value};

/// A small annotated document: two headings, one under the other, a second chapter, a marker
/// and its note under 註釋.
const SMALL: &str =
    "一、總論\n（一）緣起\n正文〔1〕。\n二、結論\n結語正文。\n註釋：\n〔1〕一條註釋。\n";
const URI: &str = "file:///work/small.txt";

/// Its outline: each heading as `[name, [children…]]`.
fn small_outline() -> Value {
    json!([
        ["一、總論", [["（一）緣起", []]]],
        ["二、結論", []],
        ["註釋", [["〔1〕 一條註釋。", []]]],
    ])
}

/// The names of an answer's document symbols, as a tree `[name, [children…]]`.
fn outline_of(symbols: &Value) -> Value {
    symbols
        .as_array()
        .map(|symbols| {
            symbols
                .iter()
                .map(|symbol| json!([symbol["name"], outline_of(&symbol["children"])]))
                .collect()
        })
        .unwrap_or_else(|| json!([]))
}

fn server() -> StdioClient {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marginalia"));
    command.env("MARGINALIA_LOG", "info");
    StdioClient::spawn_logged(command)
}

/// A server, initialized, with [`SMALL`] open at [`URI`] and its outline checked.
fn serving() -> StdioClient {
    let mut client = server();
    let initialize = client.initialize(json!({}));
    assert!(initialize.get("result").is_some(), "{initialize}");
    open(&mut client, URI, 1, SMALL);
    assert_serves(&mut client);
    client
}

fn open(client: &mut StdioClient, uri: &str, version: i64, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "plaintext", "version": version, "text": text } }),
    );
}

/// The outline of [`URI`] is still [`small_outline`].
fn assert_serves(client: &mut StdioClient) {
    let answer = client.document_symbols(URI);
    assert_eq!(outline_of(&answer["result"]), small_outline(), "{answer}");
}

/// At the end of a case: a new document opens and is outlined right, the old one is
/// unchanged, the server has not panicked, and answered nothing unasked but the
/// `expected_errors` (null-id errors of these codes, in order).
fn assert_still_serves(client: &mut StdioClient, expected_errors: &[i64]) {
    let uri = "file:///work/after.txt";
    open(client, uri, 1, SMALL);
    let answer = client.document_symbols(uri);
    assert_eq!(outline_of(&answer["result"]), small_outline(), "{answer}");
    assert_serves(client);
    let errors: Vec<i64> = client
        .received_so_far()
        .into_iter()
        .filter(|message| message.get("method").is_none())
        .map(|message| {
            assert!(message["id"].is_null(), "an unexpected answer: {message}");
            message["error"]["code"].as_i64().unwrap_or_default()
        })
        .collect();
    assert_eq!(errors, expected_errors);
    assert_no_panic(client);
}

fn assert_no_panic(client: &mut StdioClient) {
    let log = client.log();
    assert!(!log.to_lowercase().contains("panic"), "{log}");
}

/// The next error response with a null id: its code.
fn null_id_error(client: &mut StdioClient) -> i64 {
    let error = client.response_with_null_id();
    error["error"]["code"].as_i64().unwrap_or_default()
}

fn document_symbol_body(id: i64, uri: &str) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol",
        "params": { "textDocument": { "uri": uri } } })
    .to_string()
}

/// The CPU time (user and system) a process has used so far, in seconds (Linux).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command's name (in parentheses): state is field 3, utime and stime 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i - 3)?.parse::<f64>().ok();
    // /proc counts in USER_HZ, 100 a second on Linux.
    Some((ticks(14)? + ticks(15)?) / 100.0)
}

#[test]
fn malformed_headers_get_an_error_or_are_skipped_and_the_server_goes_on() {
    let mut client = serving();
    let body = document_symbol_body(100, URI);
    let length = body.len();

    // A line with no colon before a frame: skipped (logged), the frame is read.
    client.send_raw(b"NoColonHere\r\n");
    assert_serves(&mut client);
    // A line with no colon, and an unknown header, inside a frame's headers: ignored.
    let framed = format!("X-Unknown: yes\r\nContent-Length: {length}\r\nNoColon\r\n\r\n{body}");
    client.send_raw(framed.as_bytes());
    assert_eq!(client.response(100)["result"][0]["name"], "一、總論");
    // Headers are case-insensitive.
    let framed = format!(
        "content-length: {length}\r\n{}\r\n\r\n{}",
        "content-type: application/vscode-jsonrpc; charset=utf-8",
        document_symbol_body(101, URI)
    );
    client.send_raw(framed.as_bytes());
    assert_eq!(client.response(101)["result"][0]["name"], "一、總論");

    // A Content-Length that is no length: ParseError; the body, of unknown length, is skipped
    // up to the next frame's header.
    for value in ["abc", "-5", "1e3", ""] {
        let framed = format!(
            "Content-Length: {value}\r\n\r\n{}",
            document_symbol_body(102, URI)
        );
        client.send_raw(framed.as_bytes());
        assert_eq!(
            null_id_error(&mut client),
            -32700,
            "Content-Length: {value}"
        );
        assert_serves(&mut client);
    }

    // A frame without the blank line after its headers: the next frame's header follows its
    // body on the same line. It cannot be read (ParseError); the next frame is.
    let framed = format!(
        "Content-Length: {length}\r\n{}",
        document_symbol_body(103, URI)
    );
    client.send_raw(framed.as_bytes());
    assert_serves(&mut client);
    assert_eq!(null_id_error(&mut client), -32700);

    // A huge line with no header in it (32 MB, then the next frame): only its last kilobyte
    // is ever kept, looking for a header; the rest is skipped as it comes, memory unchanged.
    let peak_before = peak_rss_mb(client.pid());
    let mut huge = vec![b'x'; 32 << 20];
    huge.extend_from_slice(&frame(
        &serde_json::from_str(&document_symbol_body(104, URI)).unwrap(),
    ));
    client.send_raw(&huge);
    assert_eq!(client.response(104)["result"][0]["name"], "一、總論");
    // The same as a header inside a frame's headers: ignored.
    let framed = format!(
        "Content-Length: {length}\r\nX-Huge: {}\r\n\r\n{}",
        "y".repeat(32 << 20),
        document_symbol_body(105, URI)
    );
    client.send_raw(framed.as_bytes());
    assert_eq!(client.response(105)["result"][0]["name"], "一、總論");
    let peak_after = peak_rss_mb(client.pid());
    assert!(
        peak_after - peak_before < 16.0,
        "peak RSS {peak_before:.1} MB before two 32 MB header lines, {peak_after:.1} MB after"
    );
    // What was skipped or ignored is logged.
    let log = client.log();
    assert!(log.contains("input that is no frame skipped"), "{log}");
    assert!(log.contains("no header; ignored"), "{log}");
    assert!(log.contains("is no length"), "{log}");
    // The request whose headers were broken, and those with a bad length, were not answered.
    assert_still_serves(&mut client, &[]);
}

#[test]
fn a_wrong_content_length_loses_that_frame_and_reading_resynchronises() {
    let mut client = serving();
    // Shorter than the body: the body is cut (ParseError), and the rest of it is skipped up to
    // the next frame's header.
    let body = document_symbol_body(200, URI);
    client.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 10).as_bytes());
    assert_eq!(null_id_error(&mut client), -32700);
    assert_serves(&mut client);

    // Longer than the body: the start of the next frame is taken for its end (ParseError),
    // and the rest of that next frame, `ngth: …` and its body, is a frame with no length
    // (ParseError), then skipped.
    let body = document_symbol_body(201, URI);
    client.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 10).as_bytes());
    client.send_raw(&frame(
        &serde_json::from_str(&document_symbol_body(202, URI)).unwrap(),
    ));
    assert_serves(&mut client);
    assert_eq!(null_id_error(&mut client), -32700);
    assert_eq!(null_id_error(&mut client), -32700);

    // Far longer: it swallows the next frames. The client goes on sending; from the first
    // frame after the swallowed bytes, every one is answered, and right.
    let body = document_symbol_body(203, URI);
    let mut burst = format!("Content-Length: {}\r\n\r\n{body}", body.len() + 1000).into_bytes();
    let next = |id| frame(&serde_json::from_str(&document_symbol_body(id, URI)).unwrap());
    let each = next(300).len();
    for id in 300..320 {
        burst.extend_from_slice(&next(id));
    }
    client.send_raw(&burst);
    let last = client.response(319);
    assert_eq!(outline_of(&last["result"]), small_outline());
    // Answers come in order: all that will come have.
    let answered: Vec<i64> = (300..319)
        .filter(|&id| {
            let answer = client.try_response(id, Duration::ZERO);
            answer.is_some_and(|answer| outline_of(&answer["result"]) == small_outline())
        })
        .collect();
    // Lost: the frames the 1,000 bytes swallowed, whole or in part.
    let first = 300 + 1000_usize.div_ceil(each) as i64;
    assert_eq!(
        answered,
        (first..319).collect::<Vec<_>>(),
        "frames of {each} bytes"
    );
    // The long frame is no JSON (ParseError); where it ends in the frame it cuts, the rest
    // may look like a header block with no length (another ParseError) or not (skipped).
    assert_eq!(null_id_error(&mut client), -32700);
    let cut_in_a_header = (1.."Content-Length:".len()).contains(&(1000 % each));
    let more = if cut_in_a_header {
        vec![-32700]
    } else {
        vec![]
    };
    // Nothing else: no answer to a swallowed request.
    assert_still_serves(&mut client, &more);
}

#[test]
fn bodies_that_are_not_json_rpc_get_an_error() {
    let mut client = serving();
    let cases: [(&str, i64); 9] = [
        ("{not json", -32700),
        ("\u{1}\u{2}binary", -32700),
        ("", -32700),
        (r#"{"hello":"world"}"#, -32600),
        (r#"{"jsonrpc":"1.0","id":1,"method":"shutdown"}"#, -32600),
        (r#"{"jsonrpc":"2.0","id":1}"#, -32600),
        (r#""a string""#, -32600),
        ("42", -32600),
        // A batch: JSON-RPC has them, LSP does not.
        (
            r#"[{"jsonrpc":"2.0","id":9,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///work/small.txt"}}}]"#,
            -32600,
        ),
    ];
    for (body, code) in cases {
        client.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        assert_eq!(null_id_error(&mut client), code, "{body}");
        assert_serves(&mut client);
    }
    // A response to a request the server never made: ignored.
    client.send(&json!({ "jsonrpc": "2.0", "id": 12345, "result": null }));
    assert_still_serves(&mut client, &[]);
}

/// `message` as JSON, with the first `marker` in it replaced by a byte that is never UTF-8.
fn with_invalid_utf8(message: &Value, marker: &str) -> Vec<u8> {
    let body = message.to_string();
    let at = body.find(marker).expect("the marker is in the message");
    let mut bytes = body.into_bytes();
    bytes.splice(at..at + marker.len(), [0xff]);
    let mut framed = format!("Content-Length: {}\r\n\r\n", bytes.len()).into_bytes();
    framed.extend_from_slice(&bytes);
    framed
}

#[test]
fn invalid_utf8_in_a_message_is_a_parse_error_and_nothing_is_opened_or_changed() {
    let mut client = serving();
    // In a request's method, and in its params.
    let request = json!({ "jsonrpc": "2.0", "id": 400, "method": "textDocument/document@Symbol",
        "params": { "textDocument": { "uri": URI } } });
    client.send_raw(&with_invalid_utf8(&request, "@"));
    assert_eq!(null_id_error(&mut client), -32700);
    let request = json!({ "jsonrpc": "2.0", "id": 401, "method": "textDocument/documentSymbol",
        "params": { "textDocument": { "uri": "file:///work/sm@all.txt" } } });
    client.send_raw(&with_invalid_utf8(&request, "@"));
    assert_eq!(null_id_error(&mut client), -32700);

    // In a didOpen's text: small, then large (over 1 MB: decoded as it arrives).
    let large = format!("{}@{}", SMALL.repeat(10_000), SMALL.repeat(10_000));
    assert!(large.len() > 1 << 20);
    for (uri, text) in [
        ("file:///work/bad-small.txt", format!("{SMALL}@")),
        ("file:///work/bad-large.txt", large.clone()),
    ] {
        let open = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": { "uri": uri, "languageId": "plaintext", "version": 1, "text": text } } });
        client.send_raw(&with_invalid_utf8(&open, "@"));
        assert_eq!(null_id_error(&mut client), -32700, "{uri}");
        // Not opened.
        let answer = client.document_symbols(uri);
        assert_eq!(answer["result"], Value::Null, "{answer}");
    }
    // In a didChange's text, small and large: the document is left as it was.
    for text in ["一、改@".to_string(), large] {
        let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": text }] } });
        client.send_raw(&with_invalid_utf8(&change, "@"));
        assert_eq!(null_id_error(&mut client), -32700);
        assert_serves(&mut client);
    }
    assert_still_serves(&mut client, &[]);
}

#[test]
fn nul_bytes_are_kept_in_a_text_and_refused_in_headers() {
    let mut client = serving();
    // In a document's text (`\u0000` in the JSON): kept, as any other character.
    let uri = "file:///work/nul.txt";
    let text = "一、甲\u{0}乙\n正文〔1〕\u{0}。\n註釋\n〔1〕\u{0}註。\n";
    open(&mut client, uri, 1, text);
    let answer = client.document_symbols(uri);
    assert_eq!(
        outline_of(&answer["result"]),
        json!([["一、甲\u{0}乙", []], ["註釋", [["〔1〕 \u{0}註。", []]]]]),
        "{answer}"
    );
    // The NUL counts as one character: 〔1〕 is found at its place on line 1.
    let definition = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 3 } }),
    );
    assert_eq!(
        definition["result"]["range"]["start"],
        json!({ "line": 3, "character": 0 }),
        "{definition}"
    );

    // NUL bytes in headers: before a frame (skipped), in a header's name or an unknown
    // header's value (ignored), in the Content-Length (ParseError).
    let body = document_symbol_body(500, URI);
    let length = body.len();
    client.send_raw(format!("\0\0\0Content-Length: {length}\r\n\r\n{body}").as_bytes());
    assert_eq!(client.response(500)["result"][0]["name"], "一、總論");
    let body = document_symbol_body(501, URI);
    client.send_raw(
        format!("X-\0: a\r\nX-Nul: \0\r\nContent-Length: {length}\r\n\r\n{body}").as_bytes(),
    );
    assert_eq!(client.response(501)["result"][0]["name"], "一、總論");
    let body = document_symbol_body(502, URI);
    client.send_raw(format!("Content-Length: {length}\0\r\n\r\n{body}").as_bytes());
    assert_eq!(null_id_error(&mut client), -32700);
    // A raw NUL in the JSON (not escaped): not JSON.
    let body = document_symbol_body(503, "file:///work/@.txt").replace('@', "\0");
    client.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    assert_eq!(null_id_error(&mut client), -32700);
    assert_still_serves(&mut client, &[]);
}

#[test]
fn requests_before_initialize_are_refused_then_the_server_serves() {
    let mut client = server();
    let refused = [
        client.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": URI } }),
        ),
        client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
        ),
        client.request("shutdown", Value::Null),
    ];
    for answer in refused {
        assert_eq!(answer["error"]["code"], -32002, "{answer}");
    }
    // A document opened before initialize is not kept (a notification: dropped).
    open(&mut client, URI, 1, SMALL);
    let initialize = client.initialize(json!({}));
    assert!(initialize.get("result").is_some(), "{initialize}");
    let answer = client.document_symbols(URI);
    assert_eq!(answer["result"], Value::Null, "{answer}");
    open(&mut client, URI, 1, SMALL);
    assert_still_serves(&mut client, &[]);
}

#[test]
fn a_long_request_is_cancelled_at_once_and_other_cancels_are_ignored() {
    let mut client = serving();
    let slow = client.send_request("marginalia/test/slow", json!({ "millis": 60_000 }));
    // It does not hold up other requests.
    assert_serves(&mut client);
    let cancelled = Instant::now();
    client.notify("$/cancelRequest", json!({ "id": slow }));
    let answer = client.response(slow);
    let took = cancelled.elapsed();
    assert_eq!(answer["error"]["code"], -32800, "{answer}");
    assert!(took < Duration::from_secs(2), "cancelled after {took:?}");
    // A cancel of an unknown id, of one already answered, and again of the cancelled one.
    let quick = client.send_request("marginalia/test/slow", json!({ "millis": 10 }));
    assert_eq!(client.response(quick)["result"], json!({ "slept": 10 }));
    for id in [
        json!(987_654),
        json!("no such request"),
        json!(quick),
        json!(slow),
    ] {
        client.notify("$/cancelRequest", json!({ "id": id }));
    }
    assert_still_serves(&mut client, &[]);
}

/// A single line of `bytes` bytes (or a little more) of CJK text with a marker every hundred
/// bytes or so, none with a note; and how many markers it has.
fn one_long_line(bytes: usize) -> (String, usize) {
    let mut text = String::with_capacity(bytes + 100);
    let mut markers = 0;
    while text.len() < bytes {
        markers += 1;
        text.push_str("正文甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黃宇宙洪荒");
        text.push_str(&format!("〔{markers}〕"));
    }
    (text, markers)
}

/// The `publishDiagnostics` of `uri`, waiting at most `timeout`.
fn diagnostics_of(client: &mut StdioClient, uri: &str, timeout: Duration) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let published = client.notification("textDocument/publishDiagnostics", left);
        if published["params"]["uri"] == uri {
            return published["params"].clone();
        }
    }
}

/// The 1,000 problems shown (`maxProblems` unless set) and the `not-shown` one after them.
fn assert_capped(diagnostics: &Value) {
    let list = diagnostics["diagnostics"].as_array().expect("a list");
    assert_eq!(list.len(), 1001);
    assert!(list[..1000].iter().all(|d| d["code"] == "missing-note"));
    assert_eq!(list[1000]["code"], "not-shown");
}

#[test]
fn a_10_mb_single_line_document_is_served() {
    let (text, markers) = one_long_line(10 << 20);
    let mut client = serving();
    let uri = "file:///work/one-line.txt";
    let started = Instant::now();
    open(&mut client, uri, 1, &text);
    let diagnostics = diagnostics_of(&mut client, uri, Duration::from_secs(60));
    let published = started.elapsed();
    assert_capped(&diagnostics);
    // The positions of a long line are right: the 1,000th marker, in UTF-16 units.
    let thousandth = "〔1000〕";
    let column = text[..text.find(thousandth).unwrap()]
        .encode_utf16()
        .count();
    assert_eq!(
        diagnostics["diagnostics"][999]["range"],
        json!({ "start": { "line": 0, "character": column },
                "end": { "line": 0, "character": column + thousandth.chars().count() } })
    );
    let answer = client.document_symbols(uri);
    assert_eq!(answer["result"], json!([]), "no heading: an empty outline");
    // And the last marker, at the far end of the line: a hover on it.
    let last = format!("〔{markers}〕");
    let column = text[..text.rfind(&last).unwrap()].encode_utf16().count();
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": column + 1 } }),
    );
    assert_eq!(
        hover["result"]["range"]["start"],
        json!({ "line": 0, "character": column }),
        "{hover}"
    );
    let served = started.elapsed();
    eprintln!(
        "10 MB on one line ({markers} markers): diagnostics in {published:?}, served in {served:?}"
    );
    assert!(served < Duration::from_secs(30), "{served:?}");
    assert_still_serves(&mut client, &[]);
}

#[test]
fn a_hundred_thousand_markers_without_notes_give_capped_diagnostics() {
    let mut text = String::from("一、總論\n");
    for line in 0..1000 {
        for marker in 1..=100 {
            text.push_str(&format!("正文〔{}〕", line * 100 + marker));
        }
        text.push('\n');
    }
    let mut client = serving();
    let uri = "file:///work/markers.txt";
    let started = Instant::now();
    open(&mut client, uri, 1, &text);
    let diagnostics = diagnostics_of(&mut client, uri, Duration::from_secs(60));
    let published = started.elapsed();
    assert_capped(&diagnostics);
    assert_eq!(
        diagnostics["diagnostics"][0]["range"]["start"],
        json!({ "line": 1, "character": 2 })
    );
    let answer = client.document_symbols(uri);
    assert_eq!(outline_of(&answer["result"]), json!([["一、總論", []]]));
    let served = started.elapsed();
    eprintln!("100,000 markers: diagnostics in {published:?}, served in {served:?}");
    assert!(served < Duration::from_secs(20), "{served:?}");
    assert_still_serves(&mut client, &[]);
}

/// Closes stdin after `partial` (half a frame): the server must exit within 5 s, without a
/// panic; returns its exit code.
fn exit_after(partial: &[u8]) -> Option<i32> {
    let mut client = serving();
    client.send_raw(partial);
    client.close_stdin();
    let status = client
        .wait(Duration::from_secs(5))
        .expect("the server exits within 5 s of the end of stdin");
    assert_no_panic(&mut client);
    status.code()
}

#[test]
fn stdin_closed_mid_message_ends_the_process() {
    let body = document_symbol_body(600, URI);
    // Half a header, a header without its blank line, half a body.
    assert_eq!(exit_after(b"Content-Le"), Some(1));
    assert_eq!(
        exit_after(format!("Content-Length: {}\r\n", body.len()).as_bytes()),
        Some(1)
    );
    let framed = String::from_utf8(frame(&serde_json::from_str(&body).unwrap())).unwrap();
    assert_eq!(exit_after(&framed.as_bytes()[..framed.len() - 20]), Some(1));
    // Half of a large didOpen (decoded as it arrives).
    let open = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": "file:///work/large.txt", "languageId": "plaintext", "version": 1,
            "text": SMALL.repeat(30_000) } } });
    let framed = frame(&open);
    assert_eq!(exit_after(&framed[..framed.len() / 2]), Some(1));
}

#[cfg(target_os = "linux")]
#[test]
fn a_broken_stdout_ends_the_process() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let pid = server.id();
    let mut stdin = server.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(server.stdout.take().unwrap());
    let initialize = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "capabilities": {} } });
    stdin.write_all(&frame(&initialize)).unwrap();
    let mut body = Vec::new();
    read_frame(&mut stdout, &mut body).expect("initialize is answered");
    stdin
        .write_all(&frame(
            &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        ))
        .unwrap();
    // The client stops reading: the server's writes fail (EPIPE: Rust ignores SIGPIPE).
    drop(stdout);
    let closed = Instant::now();
    let mut cpu = 0.0;
    let mut id = 2;
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            closed.elapsed() < Duration::from_secs(5),
            "the server still runs 5 s after its stdout was closed"
        );
        cpu = cpu_seconds(pid).unwrap_or(cpu);
        // The client goes on writing requests, as long as the server reads them.
        let request = json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
            "params": { "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } } });
        id += 1;
        let _ = stdin.write_all(&frame(&request));
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = closed.elapsed();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut log).unwrap();
    eprintln!(
        "stdout closed: the server exited with {:?} after {took:?}, {cpu:.2} s of CPU",
        status.code()
    );
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(cpu < 1.0, "{cpu} s of CPU");
    assert!(log.contains("cannot write to the client"), "{log}");
    assert!(!log.to_lowercase().contains("panic"), "{log}");
}
