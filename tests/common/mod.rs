//! An in-process LSP client for tests: drives `LspService` directly and keeps draining the
//! client socket (tower-lsp's channel holds one message; an undrained socket stalls the server).
#![allow(dead_code)] // each test binary uses a different part of it

pub mod stdio;
pub mod units;

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use marginalia::lsp::build_service;
use marginalia::lsp::state::ServerState;
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tower::{Service, ServiceExt};
use tower_lsp::jsonrpc::{Request, Response};

pub const SEED: &str = include_str!("../../seeds/000_f8c5198825835df1.txt");

/// The names of a list of document symbols (empty if it is not a list).
pub fn symbol_names(symbols: &Value) -> Vec<&str> {
    symbols
        .as_array()
        .into_iter()
        .flatten()
        .map(|symbol| symbol["name"].as_str().unwrap_or_default())
        .collect()
}

pub struct TestClient {
    service: marginalia::lsp::Service,
    /// Notifications from the server, in the order it sent them.
    notifications: UnboundedReceiver<Request>,
    next_id: i64,
    /// What the client answers `workspace/configuration` with (the `marginalia` section).
    pub settings: Arc<std::sync::Mutex<Value>>,
}

impl TestClient {
    /// A started and initialized server, offering `encodings` as `general.positionEncodings`;
    /// a client that shows Markdown in hovers and completion documentation, as editors do.
    pub async fn initialized(encodings: &[&str]) -> (TestClient, Value) {
        let mut client = TestClient::new();
        let result = client
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": null,
                    "capabilities": {
                        "general": { "positionEncodings": encodings },
                        "textDocument": {
                            "hover": { "contentFormat": ["markdown", "plaintext"] },
                            "completion": { "completionItem": {
                                "documentationFormat": ["markdown", "plaintext"] } },
                        },
                    },
                }),
            )
            .await
            .expect("initialize succeeds");
        client.notify("initialized", json!({})).await;
        (client, result)
    }

    /// A started server initialized with these client capabilities.
    pub async fn initialized_with(capabilities: Value) -> TestClient {
        let mut client = TestClient::new();
        client
            .request(
                "initialize",
                json!({ "processId": null, "rootUri": null, "capabilities": capabilities }),
            )
            .await
            .expect("initialize succeeds");
        client.notify("initialized", json!({})).await;
        client
    }

    /// A started server initialized with these `initialize` params (a workspace's folders,
    /// capabilities).
    pub async fn initialized_with_params(params: Value) -> TestClient {
        let mut client = TestClient::new();
        client
            .request("initialize", params)
            .await
            .expect("initialize succeeds");
        client.notify("initialized", json!({})).await;
        client
    }

    /// The requests and notifications the server has sent so far, without waiting.
    pub fn sent_so_far(&mut self) -> Vec<Request> {
        std::iter::from_fn(|| self.notifications.try_recv().ok()).collect()
    }

    /// The next request or notification from the server.
    pub async fn next_message(&mut self) -> Request {
        tokio::time::timeout(Duration::from_secs(10), self.notifications.recv())
            .await
            .expect("a message arrives within 10 s")
            .expect("server is running")
    }

    /// The params of the next request or notification `method` from the server.
    pub async fn next_from_server(&mut self, method: &str) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.notifications.recv())
                .await
                .expect("the message arrives within 10 s")
                .expect("server is running");
            if message.method() == method {
                return message.params().cloned().unwrap_or(Value::Null);
            }
        }
    }

    pub fn new() -> TestClient {
        let (service, socket) = build_service(Arc::new(ServerState::default()));
        let (mut from_server, mut to_server) = socket.split();
        let (sender, notifications) = unbounded_channel();
        let settings = Arc::new(std::sync::Mutex::new(Value::Null));
        let answer_settings = settings.clone();
        tokio::spawn(async move {
            while let Some(message) = from_server.next().await {
                match message.id().cloned() {
                    // A request to the client: answer it so the server never waits (an edit
                    // is reported applied), and let the test see it.
                    Some(id) => {
                        let result = match message.method() {
                            "workspace/applyEdit" => json!({ "applied": true }),
                            "workspace/configuration" => {
                                let settings = answer_settings.lock().map(|s| s.clone());
                                json!([settings.unwrap_or_default()])
                            }
                            _ => Value::Null,
                        };
                        let _ = to_server.send(Response::from_ok(id, result)).await;
                        let _ = sender.send(message);
                    }
                    None => {
                        let _ = sender.send(message);
                    }
                }
            }
        });
        TestClient {
            service,
            notifications,
            next_id: 0,
            settings,
        }
    }

    /// Sends a request and returns its result, or its error object.
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let request = Request::build(method.to_string())
            .id(self.next_id)
            .params(params)
            .finish();
        let response = self.call(request).await.expect("a request gets a response");
        let (_, result) = response.into_parts();
        result.map_err(|error| serde_json::to_value(error).unwrap_or(Value::Null))
    }

    /// The result of `textDocument/documentSymbol` for `uri`.
    pub async fn document_symbols(&mut self, uri: &str) -> Value {
        let params = json!({ "textDocument": { "uri": uri } });
        self.request("textDocument/documentSymbol", params)
            .await
            .expect("documentSymbol succeeds")
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let notification = Request::build(method.to_string()).params(params).finish();
        let response = self.call(notification).await;
        assert!(response.is_none(), "a notification gets no response");
    }

    async fn call(&mut self, request: Request) -> Option<Response> {
        let service = self.service.ready().await.expect("service is ready");
        service.call(request).await.expect("service has not exited")
    }

    /// The next `textDocument/publishDiagnostics`, skipping other notifications.
    pub async fn diagnostics(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.notifications.recv())
                .await
                .expect("diagnostics arrive within 10 s")
                .expect("server is running");
            if message.method() == "textDocument/publishDiagnostics" {
                return message.params().cloned().unwrap_or(Value::Null);
            }
        }
    }

    /// The code actions of kind `only` for `range` of `uri`, given the `diagnostics` there.
    pub async fn code_actions(
        &mut self,
        uri: &str,
        range: Value,
        diagnostics: Value,
        only: &str,
    ) -> Vec<Value> {
        let actions = self
            .request(
                "textDocument/codeAction",
                json!({
                    "textDocument": { "uri": uri },
                    "range": range,
                    "context": { "diagnostics": diagnostics, "only": [only] },
                }),
            )
            .await
            .expect("code actions are answered");
        actions.as_array().cloned().unwrap_or_default()
    }

    /// Whether any `textDocument/publishDiagnostics` arrives within `wait`.
    pub async fn any_diagnostics_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(message)) =
            tokio::time::timeout_at(deadline, self.notifications.recv()).await
        {
            if message.method() == "textDocument/publishDiagnostics" {
                return true;
            }
        }
        false
    }

    /// Diagnostics for `version`, skipping any published for older versions.
    pub async fn diagnostics_for(&mut self, version: i64) -> Value {
        loop {
            let params = self.diagnostics().await;
            if params["version"].as_i64() == Some(version) {
                return params;
            }
            assert!(
                params["version"].as_i64() < Some(version),
                "diagnostics for a newer version than {version}: {params}"
            );
        }
    }

    pub async fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "plaintext", "version": version, "text": text } }),
        )
        .await;
    }

    /// One incremental edit: replace `range` ([start line, start char, end line, end char]).
    pub async fn edit(&mut self, uri: &str, version: i64, range: [u32; 4], text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": range_json(range), "text": text }],
            }),
        )
        .await;
    }
}

pub fn range_json([start_line, start_char, end_line, end_char]: [u32; 4]) -> Value {
    json!({
        "start": { "line": start_line, "character": start_char },
        "end": { "line": end_line, "character": end_char },
    })
}

pub fn position_json(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

/// `(line, character)` of a range's start.
pub fn start_of(range: &Value) -> (u64, u64) {
    (
        range["start"]["line"].as_u64().unwrap_or(u64::MAX),
        range["start"]["character"].as_u64().unwrap_or(u64::MAX),
    )
}
