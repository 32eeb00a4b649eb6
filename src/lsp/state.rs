//! State shared by the handlers and the diagnostics publisher.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use tower_lsp::lsp_types::{ClientCapabilities, MarkupKind, Url};

use crate::features::hover::Markup;

use super::large_message::ReceivedDocument;
use super::position::Encoding;
use super::store::DocumentStore;
use super::transport::Output;
use super::workspace_index::WorkspaceIndex;
use crate::config::Config;
use crate::document::Document;

#[derive(Default)]
pub struct ServerState {
    pub documents: DocumentStore,
    encoding: OnceLock<Encoding>,
    shutdown_requested: AtomicBool,
    /// The stdio transport's writer, for messages already encoded (see `publisher::Sink`).
    encoded_output: Option<Output>,
    /// The document of a large `didOpen`, built by the transport as its text arrived.
    received_document: Mutex<Option<ReceivedDocument>>,
    /// What the client said it supports, at `initialize`.
    client: OnceLock<ClientSupport>,
    /// What lsp-types could not read of them, from the raw `initialize` parameters.
    raw_capabilities: OnceLock<RawCapabilities>,
    /// The folders of the workspace, at `initialize` (local paths only).
    workspace_folders: OnceLock<Vec<PathBuf>>,
    /// The symbols of the workspace's files, read in the background.
    pub workspace: WorkspaceIndex,
    /// Settings not understood at `initialize`, shown to the user once initialized.
    setting_errors: Mutex<Vec<String>>,
    /// The settings of the `--settings` file (the `marginalia` section), under the editor's.
    base_settings: serde_json::Value,
    /// The last semantic tokens sent for each document, for deltas.
    pub tokens: super::semantic_tokens::TokenResults,
}

/// The client capabilities the server's answers depend on.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientSupport {
    /// Workspace edits as versioned `documentChanges` (else plain `changes`).
    pub document_changes: bool,
    /// `codeAction/resolve` for an action's edit: code actions are listed without their
    /// edits, made only for the one picked.
    pub resolve_code_action_edit: bool,
    /// `completionItem/resolve` for an item's documentation: notes' texts are sent only for
    /// the item shown.
    pub resolve_completion_documentation: bool,
    /// How hovers are written: Markdown only for a client that lists it in `contentFormat`, else
    /// a plain string.
    pub hover_markup: Markup,
    /// How completion items' documentation is written (`documentationFormat`).
    pub completion_documentation_markup: Markup,
    /// Folding by whole lines only: folding ranges carry no characters.
    pub line_folding_only: bool,
    /// `$/progress` reports on tokens the server creates (`window.workDoneProgress`).
    pub work_done_progress: bool,
    /// `workspace/didChangeWatchedFiles` registered by the server, with its own globs.
    pub watched_files_registration: bool,
    /// Diagnostics pulled with `textDocument/diagnostic` (LSP 3.17): none are published.
    pub pull_diagnostics: bool,
    /// `workspace/diagnostic/refresh`: the client pulls again when asked.
    pub diagnostic_refresh: bool,
    /// `workspace/configuration`: the server may ask for the settings.
    pub configuration: bool,
}

impl From<&ClientCapabilities> for ClientSupport {
    fn from(capabilities: &ClientCapabilities) -> ClientSupport {
        let document_changes = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.workspace_edit.as_ref())
            .and_then(|edit| edit.document_changes)
            .unwrap_or(false);
        let resolve_code_action_edit = capabilities
            .text_document
            .as_ref()
            .and_then(|text| text.code_action.as_ref())
            .and_then(|action| action.resolve_support.as_ref())
            .is_some_and(|resolve| resolve.properties.iter().any(|p| p == "edit"));
        let resolve_completion_documentation = capabilities
            .text_document
            .as_ref()
            .and_then(|text| text.completion.as_ref())
            .and_then(|completion| completion.completion_item.as_ref())
            .and_then(|item| item.resolve_support.as_ref())
            .is_some_and(|resolve| resolve.properties.iter().any(|p| p == "documentation"));
        let text = capabilities.text_document.as_ref();
        let hover_markup = markup(
            text.and_then(|text| text.hover.as_ref())
                .and_then(|hover| hover.content_format.as_deref()),
        );
        let completion_documentation_markup = markup(
            text.and_then(|text| text.completion.as_ref())
                .and_then(|completion| completion.completion_item.as_ref())
                .and_then(|item| item.documentation_format.as_deref()),
        );
        let line_folding_only = capabilities
            .text_document
            .as_ref()
            .and_then(|text| text.folding_range.as_ref())
            .and_then(|folding| folding.line_folding_only)
            .unwrap_or(false);
        let work_done_progress = capabilities
            .window
            .as_ref()
            .and_then(|window| window.work_done_progress)
            .unwrap_or(false);
        let watched_files_registration = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        let pull_diagnostics = capabilities
            .text_document
            .as_ref()
            .is_some_and(|text| text.diagnostic.is_some());
        let diagnostic_refresh = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.diagnostic.as_ref())
            .and_then(|diagnostic| diagnostic.refresh_support)
            .unwrap_or(false);
        let configuration = capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.configuration)
            .unwrap_or(false);
        ClientSupport {
            configuration,
            pull_diagnostics,
            diagnostic_refresh,
            document_changes,
            resolve_code_action_edit,
            resolve_completion_documentation,
            hover_markup,
            completion_documentation_markup,
            line_folding_only,
            work_done_progress,
            watched_files_registration,
        }
    }
}

/// Markdown if the client lists it among the `formats` it shows, else plain text (the only
/// format every client shows).
fn markup(formats: Option<&[MarkupKind]>) -> Markup {
    match formats {
        Some(formats) if formats.contains(&MarkupKind::Markdown) => Markup::Markdown,
        _ => Markup::PlainText,
    }
}

/// Client capabilities lsp-types 0.94 cannot read, read from the raw `initialize` parameters:
/// it looks for `workspace.diagnostic`, where the specification (and every client) writes
/// `workspace.diagnostics`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawCapabilities {
    /// `workspace.diagnostics.refreshSupport`.
    pub diagnostic_refresh: bool,
}

impl RawCapabilities {
    pub fn of(params: Option<&serde_json::Value>) -> RawCapabilities {
        let refresh = params.and_then(|params| {
            params.pointer("/capabilities/workspace/diagnostics/refreshSupport")
        });
        RawCapabilities {
            diagnostic_refresh: refresh == Some(&serde_json::Value::Bool(true)),
        }
    }
}

impl ServerState {
    /// State for a server whose transport also takes encoded messages on `output`.
    pub fn with_encoded_output(output: Output) -> ServerState {
        ServerState {
            encoded_output: Some(output),
            ..ServerState::default()
        }
    }

    /// State for a server that starts from the settings `base` (a `marginalia` section, from
    /// the `--settings` file, already checked); the editor's settings are laid over them.
    pub fn with_base_settings(mut self, base: serde_json::Value) -> ServerState {
        let (config, _) = Config::from_json(&base);
        self.documents.set_config(config);
        self.base_settings = base;
        self
    }

    /// `editor`'s settings laid over the `--settings` file's (see [`crate::config::layered`]).
    pub fn settings_over_base(&self, editor: &serde_json::Value) -> serde_json::Value {
        crate::config::layered(&self.base_settings, editor)
    }

    pub fn encoded_output(&self) -> Option<Output> {
        self.encoded_output.clone()
    }

    /// The encoding negotiated at `initialize` (UTF-16 until then).
    pub fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    /// Whether `initialize` has been answered (it negotiates the encoding).
    pub fn initialized(&self) -> bool {
        self.encoding.get().is_some()
    }

    pub fn set_encoding(&self, encoding: Encoding) {
        if self.encoding.set(encoding).is_err() {
            tracing::warn!("position encoding already negotiated; keeping the first");
        }
    }

    /// Keeps the document the transport built for the `didOpen` it is about to hand on (with
    /// an empty text in its place).
    pub fn offer_received_document(&self, received: ReceivedDocument) {
        if let Ok(mut slot) = self.received_document.lock() {
            *slot = Some(received);
        }
    }

    /// The document offered for this `didOpen`, if any.
    pub fn take_received_document(&self, uri: &Url, version: i32) -> Option<Document> {
        let received = self.received_document.lock().ok()?.take()?;
        (received.uri == *uri && received.version == version).then_some(received.document)
    }

    pub fn keep_setting_errors(&self, errors: Vec<String>) {
        if let Ok(mut kept) = self.setting_errors.lock() {
            kept.extend(errors);
        }
    }

    pub fn take_setting_errors(&self) -> Vec<String> {
        self.setting_errors
            .lock()
            .map(|mut kept| std::mem::take(&mut *kept))
            .unwrap_or_default()
    }

    /// What the client supports: `capabilities` as lsp-types read them, with what it could
    /// not read from the raw parameters (noted before `initialize` was handled).
    pub fn set_client_support(&self, capabilities: &ClientCapabilities) {
        let mut support = ClientSupport::from(capabilities);
        let raw = self.raw_capabilities.get().copied().unwrap_or_default();
        support.diagnostic_refresh |= raw.diagnostic_refresh;
        let _ = self.client.set(support);
    }

    pub fn set_raw_capabilities(&self, raw: RawCapabilities) {
        let _ = self.raw_capabilities.set(raw);
    }

    pub fn client_support(&self) -> ClientSupport {
        self.client.get().copied().unwrap_or_default()
    }

    pub fn set_workspace_folders(&self, folders: Vec<PathBuf>) {
        let _ = self.workspace_folders.set(folders);
    }

    pub fn workspace_folders(&self) -> &[PathBuf] {
        self.workspace_folders.get().map_or(&[], Vec::as_slice)
    }

    pub fn request_shutdown(&self) {
        self.shutdown_requested.store(true, Ordering::SeqCst);
    }

    pub fn shutdown_requested(&self) -> bool {
        self.shutdown_requested.load(Ordering::SeqCst)
    }
}
