//! Keystroke latency of a language server over stdio, as an editor sees it.
//!
//! Starts the server, opens a document, makes single-character edits (insert one CJK character,
//! then delete it) at random places, and reports median / p99 / max for
//! - didChange → the publishDiagnostics for that version,
//! - a definition / hover / completion request sent right after the edit → its response,
//!
//! plus didOpen → first diagnostics and the server's resident memory (from /proc).
//!
//! ```sh
//! cargo bench --bench lsp_latency                        # marginalia on the 10 MB book
//! cargo bench --bench lsp_latency -- --size-mb 100       # the 100 MB book
//! cargo bench --bench lsp_latency -- --structural         # edits that change structure
//! cargo bench --bench lsp_latency -- --server 'other-server --stdio' --doc book.txt --markdown
//! ```
//! `--settings JSON` sends the server those settings (a `workspace/didChangeConfiguration`
//! with `{"settings": {"marginalia": JSON}}`) before the document is opened, e.g.
//! `--settings '{"maxProblems": 0}'` to be sent every problem.
//! `--markdown` converts the document first (`[^n]` markers, `[^n]:` notes, `#` headings) and
//! opens it as `markdown`, to measure a Markdown server on the same text. `--save FILE` writes
//! the document (generated, converted) to FILE instead of measuring. With `SHOW_WORST` set in
//! the environment, the five slowest samples of each kind are printed with their order.

mod corpus;
#[path = "../tests/common/stdio.rs"]
mod stdio;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use stdio::StdioClient;

struct Options {
    server: Vec<String>,
    doc: Option<String>,
    size_mb: usize,
    edits: usize,
    markdown: bool,
    save: Option<String>,
    structural: bool,
    settings: Option<Value>,
}

fn options() -> Options {
    let mut options = Options {
        server: vec![
            env!("CARGO_BIN_EXE_marginalia").to_string(),
            "--stdio".to_string(),
        ],
        doc: None,
        size_mb: 10,
        edits: 500,
        markdown: false,
        save: None,
        structural: false,
        settings: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--server" => {
                options.server = args
                    .next()
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(String::from)
                    .collect()
            }
            "--doc" => options.doc = args.next(),
            "--size-mb" => options.size_mb = args.next().and_then(|s| s.parse().ok()).unwrap_or(10),
            "--edits" => options.edits = args.next().and_then(|s| s.parse().ok()).unwrap_or(500),
            "--markdown" => options.markdown = true,
            "--save" => options.save = args.next(),
            "--structural" => options.structural = true,
            "--settings" => {
                let settings = args.next().unwrap_or_default();
                let settings = serde_json::from_str(&settings).expect("--settings takes JSON");
                options.settings = Some(settings);
            }
            _ => {} // cargo bench passes --bench
        }
    }
    options
}

fn main() {
    let options = options();
    let text = match &options.doc {
        Some(path) => std::fs::read_to_string(path).expect("the document is readable UTF-8"),
        None => corpus::book(options.size_mb << 20),
    };
    let (text, language) = if options.markdown {
        (corpus::to_markdown(&text), "markdown")
    } else {
        (text, "plaintext")
    };
    if let Some(path) = &options.save {
        std::fs::write(path, &text).expect("the document can be saved");
        println!("saved the document to {path}");
        return;
    }
    let (marker_open, marker_number_offset) = if options.markdown {
        ("[^", 2)
    } else {
        ("〔", 1)
    };
    println!(
        "server: {}\ndocument: {:.1} MB, {} lines, opened as {language}",
        options.server.join(" "),
        text.len() as f64 / 1e6,
        text.lines().count()
    );

    let mut command = Command::new(&options.server[0]);
    command.args(&options.server[1..]);
    let mut client = StdioClient::spawn(command);
    let capabilities = json!({
        "general": { "positionEncodings": ["utf-16"] },
        "textDocument": {
            "publishDiagnostics": { "versionSupport": true },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            // As VS Code asks: documentation, detail and additional edits resolved per item,
            // a code action's edit resolved when it is picked.
            "completion": { "completionItem": {
                "snippetSupport": false,
                "resolveSupport": { "properties": ["documentation", "detail", "additionalTextEdits"] },
            } },
            "codeAction": { "resolveSupport": { "properties": ["edit"] } },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
        },
    });
    client.initialize(capabilities);
    if let Some(settings) = &options.settings {
        client.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": settings } }),
        );
    }
    let pid = client.pid();
    println!("RSS after initialize: {}", rss(pid));

    let uri = "file:///tmp/marginalia-latency-book.txt";
    // Encode the message first: the clock measures the server, not this client's JSON encoder.
    let did_open = json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": { "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } },
    })
    .to_string();
    let frame = format!("Content-Length: {}\r\n\r\n{did_open}", did_open.len());
    drop(did_open);
    let opened = Instant::now();
    client.send_raw(frame.as_bytes());
    match wait_diagnostics(&mut client, 1, Duration::from_secs(60)) {
        // Until the notification was read, as for the edits (not until this client parsed it).
        Some(_) => {
            let arrived = client.last_arrival.unwrap_or_else(Instant::now);
            println!(
                "didOpen -> first diagnostics: {:.1} ms",
                ms(arrived - opened)
            )
        }
        None => println!("didOpen -> first diagnostics: none within 60 s"),
    }
    // (Freed after the clock: unmapping 10 MB is this client's work.)
    drop(frame);
    println!("RSS after open: {}", rss(pid));

    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let top_at_start = symbols["result"].as_array().map_or(0, Vec::len);
    let lines: Vec<&str> = text.split('\n').collect();
    let markers: Vec<(usize, usize)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let byte = line.find(marker_open)?;
            Some((
                i,
                line[..byte].encode_utf16().count() + marker_number_offset,
            ))
        })
        .collect();
    let editable: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].is_empty()).collect();
    let mut random = fastrand::Rng::with_seed(2026);
    let mut diagnostics_ms = Vec::new();
    let mut requests_ms: Vec<(&str, f64)> = Vec::new();
    let mut missed = 0;
    // Every other edit undoes the one before, so the document stays the one opened and the
    // positions computed from it stay right.
    let mut undo: Option<Edit> = None;
    let paste: String = corpus::SEED.chars().cycle().take(34_000).collect(); // about 100 KB
    let heading_lines: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with('（') && i + 1 < lines.len())
        .collect();
    for edit in 0..options.edits {
        let version = edit as i64 + 2;
        let change = match undo.take() {
            Some(inverse) => inverse,
            None => {
                let line = editable[random.usize(..editable.len())];
                let column = random.usize(..=lines[line].encode_utf16().count());
                let change = match (options.structural, (edit / 2) % 3) {
                    (false, _) => Edit::insert(line, column, "字").kind("one character"),
                    (true, 0) => Edit::insert(line, column, "〔12〕").kind("〔12〕"),
                    (true, 1) if !heading_lines.is_empty() => {
                        let heading = heading_lines[random.usize(..heading_lines.len())];
                        Edit::delete_line(heading, lines[heading]).kind("a heading line")
                    }
                    (true, _) => Edit::insert(line, 0, &paste).kind("100 KB"),
                };
                undo = Some(change.inverse());
                change
            }
        };
        let (line, column, end_line, end_column) = change.range;
        let text = change.text.as_str();
        let method = [
            "textDocument/definition",
            "textDocument/hover",
            "textDocument/completion",
        ][edit % 3];
        // A marker on another line, so the edit does not move it.
        let (marker_line, marker_column) = loop {
            let candidate = markers
                .get(random.usize(..markers.len().max(1)))
                .copied()
                .unwrap_or((0, 0));
            if candidate.0 != line || markers.len() < 2 {
                break candidate;
            }
        };
        let frame = stdio::notification_frame(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{
                    "range": { "start": { "line": line, "character": column }, "end": { "line": end_line, "character": end_column } },
                    "text": text,
                }],
            }),
        );
        // Timed from the moment the edit is sent, already encoded as any client has it then.
        let sent = Instant::now();
        client.send_raw(&frame);
        let request_sent = Instant::now();
        let id = client.send_request(
            method,
            json!({ "textDocument": { "uri": uri }, "position": { "line": marker_line, "character": marker_column } }),
        );
        client.response(id);
        let answered = client.last_arrival.unwrap_or_else(Instant::now);
        requests_ms.push((method, ms(answered - request_sent)));
        match wait_diagnostics(&mut client, version, Duration::from_secs(5)) {
            Some(()) => {
                let published = client.last_arrival.unwrap_or_else(Instant::now);
                diagnostics_ms.push((change.kind, ms(published - sent)));
            }
            None => missed += 1,
        }
    }
    println!(
        "\n{} edits at random places, each undone by the next",
        options.edits
    );
    let mut kinds: Vec<&str> = diagnostics_ms.iter().map(|(kind, _)| *kind).collect();
    kinds.dedup();
    kinds.sort();
    kinds.dedup();
    for kind in kinds {
        let mut times: Vec<f64> = diagnostics_ms
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| *t)
            .collect();
        report(
            &format!("didChange ({kind}) -> publishDiagnostics"),
            &mut times,
        );
    }
    if missed > 0 {
        println!("  ({missed} edits got no diagnostics for their version within 5 s)");
    }
    for method in [
        "textDocument/definition",
        "textDocument/hover",
        "textDocument/completion",
    ] {
        let mut times: Vec<f64> = requests_ms
            .iter()
            .filter(|(m, _)| *m == method)
            .map(|(_, t)| *t)
            .collect();
        report(&format!("{method} right after the edit"), &mut times);
    }
    // Every edit was undone: the server must see the document it opened.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let top = symbols["result"].as_array().map_or(0, Vec::len);
    println!("\noutline at the end: {top} top-level headings (at the start: {top_at_start})");
    println!("RSS at the end: {}", rss(pid));
    let _ = client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = client.wait(Duration::from_secs(5));
}

/// One change: a range (start line, start column, end line, end column; UTF-16), its new
/// text, and for a deletion the text it removes (to undo it).
struct Edit {
    range: (usize, usize, usize, usize),
    text: String,
    removed: Option<String>,
    /// What is typed or removed, for the report.
    kind: &'static str,
}

impl Edit {
    fn insert(line: usize, column: usize, text: &str) -> Edit {
        Edit {
            range: (line, column, line, column),
            text: text.to_string(),
            removed: None,
            kind: "",
        }
    }

    /// Deletes line `line` (whose text is `content`) with its line break.
    fn delete_line(line: usize, content: &str) -> Edit {
        Edit {
            range: (line, 0, line + 1, 0),
            text: String::new(),
            removed: Some(format!("{content}\n")),
            kind: "",
        }
    }

    fn kind(self, kind: &'static str) -> Edit {
        Edit { kind, ..self }
    }

    /// The edit that undoes this one.
    fn inverse(&self) -> Edit {
        let (line, column, _, _) = self.range;
        if let Some(removed) = &self.removed {
            return Edit::insert(line, column, removed).kind(self.kind);
        }
        let pieces: Vec<&str> = self.text.split('\n').collect();
        let last = pieces.last().map_or(0, |p| p.encode_utf16().count());
        let end = if pieces.len() == 1 {
            (line, column + last)
        } else {
            (line + pieces.len() - 1, last)
        };
        Edit {
            range: (line, column, end.0, end.1),
            text: String::new(),
            removed: None,
            kind: self.kind,
        }
    }
}

/// Waits for diagnostics of `version` (or, from a server that does not version them, any).
fn wait_diagnostics(client: &mut StdioClient, version: i64, timeout: Duration) -> Option<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        let message = client.try_notification("textDocument/publishDiagnostics", left)?;
        match message["params"]["version"].as_i64() {
            Some(v) if v < version => continue,
            _ => return Some(()),
        }
    }
}

fn report(what: &str, times: &mut [f64]) {
    if times.is_empty() {
        println!("{what}: no samples");
        return;
    }
    if std::env::var("SHOW_WORST").is_ok() {
        let mut indexed: Vec<(usize, f64)> = times.iter().copied().enumerate().collect();
        indexed.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!("{what} worst: {:?}", &indexed[..5.min(indexed.len())]);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}: median {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} samples)",
        at(0.5),
        at(0.99),
        times[times.len() - 1],
        times.len()
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Current and peak resident memory of a process, from /proc.
fn rss(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or("?".to_string(), |kb| format!("{:.1} MB", kb / 1024.0))
    };
    format!("{} (peak {})", field("VmRSS:"), field("VmHWM:"))
}
