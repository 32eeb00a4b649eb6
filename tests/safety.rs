//! The server never runs a program, never opens a network connection and never writes a
//! file: a whole session, workspace reading and every editing feature included, is run under
//! `strace` and its system calls are checked. (The CLI's `renumber --write` is the one place
//! marginalia writes a file, at the user's word; it is not the server.)

mod common;

use std::process::Command;
use std::time::Duration;

use common::stdio::StdioClient;
use common::SEED;
use serde_json::json;

/// Whether `strace` can trace here. CI installs it (`.ci/run`); elsewhere a machine without
/// it skips the test with a note, and CI fails instead of skipping.
fn strace_available() -> bool {
    let works = Command::new("strace")
        .args(["-qq", "-o", "/dev/null", "true"])
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        works || std::env::var_os("CI").is_none(),
        "CI must run this test: install strace"
    );
    works
}

#[test]
fn a_session_runs_no_program_opens_no_connection_and_writes_no_file() {
    if !strace_available() {
        eprintln!("strace is not installed: skipped");
        return;
    }
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(folder.path().join("article.txt"), SEED).unwrap();
    std::fs::create_dir(folder.path().join("sub")).unwrap();
    std::fs::write(folder.path().join("sub/chapter.txt"), "一、章\n正文〔1〕\n").unwrap();
    let folder_uri = tower_lsp::lsp_types::Url::from_directory_path(folder.path()).unwrap();
    let uri = folder_uri.join("article.txt").unwrap().to_string();
    let document = json!({ "uri": uri });
    // On the marker typed below.
    let marker = json!({ "line": 0, "character": 1 });
    let whole =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 900, "character": 0 } });
    let trace = folder.path().join("trace");
    let mut strace = Command::new("strace");
    strace
        .args(["-f", "-qq", "-e", "trace=process,network,file,desc", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_marginalia"))
        .env("MARGINALIA_LOG", "error");
    let mut client = StdioClient::spawn(strace);
    client.request(
        "initialize",
        json!({
            "processId": null,
            "workspaceFolders": [{ "uri": folder_uri, "name": "notes" }],
            "capabilities": {
                "workspace": { "workspaceEdit": { "documentChanges": true }, "applyEdit": true,
                               "didChangeWatchedFiles": { "dynamicRegistration": true } },
                "window": { "workDoneProgress": true },
            },
        }),
    );
    client.notify("initialized", json!({}));
    // The workspace is read in the background: until its progress ends.
    while client.notification("$/progress", Duration::from_secs(30))["params"]["value"]["kind"]
        != "end"
    {}
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
        "uri": uri, "languageId": "plaintext", "version": 1, "text": SEED } }),
    );
    client.notify("textDocument/didChange", json!({ "textDocument": { "uri": uri, "version": 2 },
        "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                             "text": "〔18〕" }] }));
    let requests = [
        (
            "textDocument/documentSymbol",
            json!({ "textDocument": document }),
        ),
        (
            "textDocument/hover",
            json!({ "textDocument": document, "position": marker }),
        ),
        (
            "textDocument/definition",
            json!({ "textDocument": document, "position": marker }),
        ),
        (
            "textDocument/references",
            json!({ "textDocument": document, "position": marker,
            "context": { "includeDeclaration": true } }),
        ),
        (
            "textDocument/completion",
            json!({ "textDocument": document, "position": marker }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": document, "range": whole,
            "context": { "diagnostics": [] } }),
        ),
        (
            "textDocument/rename",
            json!({ "textDocument": document, "position": marker, "newName": "30" }),
        ),
        (
            "workspace/executeCommand",
            json!({ "command": "marginalia.renumberNotes", "arguments": [uri] }),
        ),
        (
            "workspace/executeCommand",
            json!({ "command": "marginalia.repairScars", "arguments": [uri] }),
        ),
        (
            "textDocument/foldingRange",
            json!({ "textDocument": document }),
        ),
        (
            "textDocument/semanticTokens/full",
            json!({ "textDocument": document }),
        ),
        (
            "textDocument/documentLink",
            json!({ "textDocument": document }),
        ),
        ("workspace/symbol", json!({ "query": "章" })),
    ];
    for (method, params) in requests {
        let response = client.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
    }
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [
        { "uri": folder_uri.join("sub/chapter.txt").unwrap(), "type": 2 }] }),
    );
    client.notify("textDocument/didSave", json!({ "textDocument": document }));
    client.request("shutdown", json!(null));
    client.notify("exit", json!(null));
    let status = client
        .wait(Duration::from_secs(30))
        .expect("the server ends");
    assert_eq!(status.code(), Some(0));
    let trace = std::fs::read_to_string(trace).expect("the trace is written");
    let calls: Vec<&str> = trace.lines().collect();
    let named = |name: &str| -> Vec<&str> {
        calls
            .iter()
            .copied()
            .filter(|line| {
                line.split_whitespace()
                    .nth(1)
                    .is_some_and(|call| call.starts_with(&format!("{name}(")))
            })
            .collect()
    };
    // The files it read: the workspace's (the trace shows the reading happened).
    assert!(
        named("openat")
            .iter()
            .any(|call| call.contains("chapter.txt")),
        "the workspace was read"
    );
    assert_eq!(
        named("execve").len(),
        1,
        "only the server itself is executed: {:?}",
        named("execve")
    );
    for forbidden in [
        "execveat",
        "fork",
        "vfork",
        "socket",
        "connect",
        "bind",
        "sendto",
        "rename",
        "renameat",
        "renameat2",
        "unlink",
        "unlinkat",
        "mkdir",
        "mkdirat",
        "creat",
        "truncate",
        "symlink",
        "symlinkat",
        "link",
        "linkat",
        "chmod",
        "fchmodat",
    ] {
        assert_eq!(named(forbidden), [] as [&str; 0], "{forbidden}");
    }
    for open in named("openat").into_iter().chain(named("open")) {
        assert!(
            !["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"]
                .iter()
                .any(|flag| open.contains(flag)),
            "a file opened for writing: {open}"
        );
    }
}
