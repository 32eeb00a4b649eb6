//! Inputs the fuzz targets (`fuzz/`, see fuzz/README.md) found, kept in the normal suite.

use std::io::{Cursor, Write};
use std::sync::{Arc, Mutex};

use marginalia::lsp::state::ServerState;
use marginalia::lsp::{build_service, transport};
use serde_json::{json, Value};

/// The frame of a JSON-RPC message.
fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body.as_bytes());
    framed
}

/// What the server writes, kept for the test to read.
#[derive(Clone, Default)]
struct Written(Arc<Mutex<Vec<u8>>>);

impl Write for Written {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Serves `input` as the stdio server does, as the `stdio` fuzz targets do; what it wrote.
fn serve(input: Vec<u8>) -> (transport::Stop, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let written = Written::default();
    let output = written.clone();
    let stop = runtime.block_on(async move {
        let channel = transport::output_channel();
        let state = Arc::new(ServerState::with_encoded_output(channel.0.clone()));
        let (service, socket) = build_service(state.clone());
        transport::serve(service, socket, state, Cursor::new(input), output, channel).await
    });
    let written = written.0.lock().unwrap().clone();
    (stop, String::from_utf8_lossy(&written).into_owned())
}

/// `stdio_frames`, a timeout (over 20 s in the instrumented fuzz build): the client's answer to
/// a request the server never made, its string a million repetitions of a short piece full of
/// control characters (`\f`, five NULs), 4 MB once JSON escapes it. Not a hang: the release
/// server reads it in 0.17 s, in time linear in its size (0.6 s with 4 MB of text, 2.3 s with
/// 16 MB); its escapes are decoded four times over (the large-message reader, the put-back
/// message, the long-string `didChange` reader, serde_json), some ten times the cost of plain
/// text. The fuzz target now makes its long texts of known pieces. Kept, a quarter the size,
/// to show that such an answer goes through the large-message path and the session goes on.
#[test]
fn a_large_answer_full_of_escapes_is_read_and_the_session_goes_on() {
    let piece = "ʆ\u{c}\0\0\0\0\0\n";
    let long = piece.repeat((1 << 18) / piece.len() + 1);
    let answer = json!({
        "jsonrpc": "2.0",
        "id": 116,
        "result": {"contentChanges": [{
            "range": {"start": {"line": 255, "character": 65535}, "end": {"line": 255, "character": 65535}},
            "text": long,
        }]},
    });
    let mut input = frame(&json!({
        "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}},
    }));
    let answer = frame(&answer);
    assert!(
        answer.len() > 1 << 20,
        "a large message: {} bytes",
        answer.len()
    );
    input.extend(answer);
    input.extend(frame(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "shutdown"}),
    ));
    input.extend(frame(&json!({"jsonrpc": "2.0", "method": "exit"})));
    let (stop, written) = serve(input);
    assert_eq!(stop, transport::Stop::Exit);
    assert!(
        written.contains(r#""id":1"#) && written.contains(r#""result":null"#),
        "shutdown answered after the large answer: {written}"
    );
}
