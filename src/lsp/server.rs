//! The `LanguageServer` implementation. Each handler converts in, calls the core, converts
//! out; document edits are applied before any `.await`.

use std::sync::Arc;

use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{
    CodeAction, CodeActionOrCommand, CodeActionParams, CodeActionResponse, CodeLens,
    CodeLensParams, CompletionItem, CompletionParams, CompletionResponse, ConfigurationItem,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentHighlight,
    DocumentHighlightParams, DocumentLink, DocumentLinkParams, DocumentSymbolParams,
    DocumentSymbolResponse, ExecuteCommandParams, FoldingRange, FoldingRangeParams,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverParams, InitializeParams,
    InitializeResult, InitializedParams, Location, MessageType, Position, PrepareRenameResponse,
    ReferenceParams, RenameParams, ServerInfo, TextDocumentPositionParams, Url, WorkspaceEdit,
};
use tower_lsp::{Client, LanguageServer};
use tracing::{debug, info, warn};

use super::capabilities::server_capabilities;
use super::commands;
use super::encoded;
use super::position;
use super::publisher::{self, PublishEvent, Publisher, Sink};
use super::semantic_tokens;
use super::state::ServerState;
use super::store::{ChangeError, Snapshot};
use super::to_proto;
use super::workspace_index;
use crate::analysis::lint::LintJob;
use crate::config::Config;
use crate::features;
use crate::limits::TooLarge;

pub struct Backend {
    client: Client,
    state: Arc<ServerState>,
    publisher: Publisher,
}

impl Backend {
    pub fn new(client: Client, state: Arc<ServerState>) -> Backend {
        let sink = match state.encoded_output() {
            Some(output) => Sink::Encoded(output),
            None => Sink::Client(client.clone()),
        };
        let publisher = publisher::spawn(sink, state.clone());
        Backend {
            client,
            state,
            publisher,
        }
    }

    fn publish(&self, event: PublishEvent) {
        if self.publisher.send(event).is_err() {
            warn!("diagnostics publisher has stopped");
        }
    }

    /// For a large document, whose form is not checked after each edit: checks it once no
    /// edit has come for [`FORM_CHECK_PAUSE`] after `version`. One task waits per document,
    /// looking again after each pause whether an edit came meanwhile.
    fn check_form_when_typing_pauses(&self, uri: Url, version: i32) {
        if !self.state.documents.watch_for_pause(&uri) {
            return;
        }
        let state = self.state.clone();
        let publisher = self.publisher.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            let mut seen = version;
            let job = loop {
                tokio::time::sleep(FORM_CHECK_PAUSE).await;
                match state.documents.typing_paused(&uri, seen) {
                    Ok(job) => break job,
                    Err(newer) => seen = newer,
                }
            };
            if let Some(job) = job {
                publish_when_checked(state, publisher, Some(client), uri, job).await;
            }
        });
    }

    /// Publishes `uri` again once the form checks running on a thread of their own (since it
    /// was opened, or a large edit) are done; edits meanwhile take them in anyway.
    fn publish_when_checked(&self, uri: Url, job: LintJob) {
        let (state, publisher) = (self.state.clone(), self.publisher.clone());
        let client = Some(self.client.clone());
        tokio::spawn(publish_when_checked(state, publisher, client, uri, job));
    }

    /// Tells the user that the document at `uri` is not (or no longer) served and why, and
    /// takes back what was shown for it.
    async fn refuse(&self, uri: Url, too_large: TooLarge) {
        warn!(%uri, %too_large, "document refused");
        let name = uri
            .path_segments()
            .and_then(|mut segments| segments.next_back())
            .filter(|name| !name.is_empty())
            .map_or_else(|| uri.to_string(), str::to_string);
        let message = format!(
            "marginalia does not read {name}: {too_large}. It gets no diagnostics, outline or navigation."
        );
        self.state.tokens.forget(&uri);
        self.publish(PublishEvent::Closed(uri));
        self.client.show_message(MessageType::ERROR, message).await;
    }

    /// Takes the settings in `value`; what was not understood, to tell the user.
    fn apply_settings(&self, value: &serde_json::Value) -> Vec<String> {
        let (config, errors) = Config::from_json(&self.state.settings_over_base(value));
        info!(?config, "settings");
        let syntax_changed = self.state.documents.config().syntax != config.syntax;
        self.state.documents.set_config(config);
        if syntax_changed {
            workspace_index::read_again(&self.state);
        }
        errors
    }

    /// Every open document's problems shown again, after the settings changed.
    async fn show_everything_again(&self) {
        let events = self.state.documents.uris().into_iter();
        let events = events.map(PublishEvent::Republish);
        show_again(&self.state, &self.publisher, Some(&self.client), events).await;
    }

    fn snapshot(&self, uri: &Url) -> Option<Snapshot> {
        let snapshot = self.state.documents.snapshot(uri);
        if snapshot.is_none() {
            debug!(%uri, "request for a document that is not open");
        }
        snapshot
    }

    fn workspace_edit(
        &self,
        snapshot: &Snapshot,
        uri: &Url,
        edits: &[features::renumber::TextEdit],
    ) -> WorkspaceEdit {
        to_proto::workspace_edit(
            snapshot.document.text(),
            uri,
            snapshot.version,
            edits,
            self.state.encoding(),
            self.state.client_support().document_changes,
        )
    }

    /// The snapshot and the byte offset of a request's position.
    fn at(&self, uri: &Url, position: Position) -> Option<(Snapshot, usize)> {
        let snapshot = self.snapshot(uri)?;
        let encoding = self.state.encoding();
        match position::offset(snapshot.document.text(), position, encoding) {
            Ok(offset) => Some((snapshot, offset)),
            Err(error) => {
                debug!(%uri, %error, "request position outside the document");
                None
            }
        }
    }
}

/// Shows problems again after `events`: a client that pulls them is asked to pull again (if
/// it can be asked), others are sent them. Whether the publisher still runs.
async fn show_again(
    state: &ServerState,
    publisher: &Publisher,
    client: Option<&Client>,
    events: impl IntoIterator<Item = PublishEvent>,
) -> bool {
    let support = state.client_support();
    if support.pull_diagnostics {
        if let (true, Some(client)) = (support.diagnostic_refresh, client) {
            if let Err(error) = client.workspace_diagnostic_refresh().await {
                debug!(%error, "diagnostic refresh refused");
            }
        }
        return true;
    }
    for event in events {
        if publisher.send(event).is_err() {
            warn!("diagnostics publisher has stopped");
            return false;
        }
    }
    true
}

/// How long typing must pause before a large document's form is checked again.
const FORM_CHECK_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

/// Waits for the form checks `job` of `uri`, takes them in and publishes; then, if edits were
/// made meanwhile, checks again once typing pauses (not at once: checking again after every
/// job would keep a core busy for as long as typing goes on).
async fn publish_when_checked(
    state: Arc<ServerState>,
    publisher: Publisher,
    client: Option<Client>,
    uri: Url,
    job: LintJob,
) {
    let mut job = job;
    loop {
        let running = job.clone();
        if tokio::task::spawn_blocking(move || running.wait())
            .await
            .is_err()
        {
            return;
        }
        state.documents.adopt_lints(&uri);
        let event = PublishEvent::Changed(uri.clone());
        if !show_again(&state, &publisher, client.as_ref(), [event]).await {
            return;
        }
        let Some(version) = state.documents.version_with_form_behind(&uri) else {
            return;
        };
        tokio::time::sleep(FORM_CHECK_PAUSE).await;
        match state.documents.start_form_checks(&uri, version) {
            Some(next) => job = next,
            None => return, // typing went on: its own pause starts the checks
        }
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = position::negotiate(&params.capabilities);
        self.state.set_encoding(encoding);
        self.state.set_client_support(&params.capabilities);
        self.state
            .set_workspace_folders(workspace_index::folders(&params));
        if let Some(options) = &params.initialization_options {
            let errors = self.apply_settings(options);
            // Shown once the client is listening (after `initialized`).
            self.state.keep_setting_errors(errors);
        }
        info!(?encoding, "initialize");
        Ok(InitializeResult {
            capabilities: server_capabilities(encoding.kind()),
            server_info: Some(ServerInfo {
                name: "marginalia".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        info!("initialized");
        for error in self.state.take_setting_errors() {
            self.client.show_message(MessageType::WARNING, error).await;
        }
        workspace_index::start(&self.state, &self.client);
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.request_shutdown();
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let started = std::time::Instant::now();
        // A large document arrives already built by the transport, with an empty text here.
        let received = item
            .text
            .is_empty()
            .then(|| self.state.take_received_document(&item.uri, item.version))
            .flatten();
        let document = received.unwrap_or_else(|| self.state.documents.read(&item.text));
        let bytes = document.text().len_bytes();
        let opened = self
            .state
            .documents
            .open(item.uri.clone(), item.version, document);
        if let Err(too_large) = opened {
            return self.refuse(item.uri, too_large).await;
        }
        self.state.workspace.document_opened(&item.uri);
        info!(
            uri = %item.uri,
            bytes,
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "opened"
        );
        if let Some(job) = self.state.documents.lint_job(&item.uri) {
            self.publish_when_checked(item.uri.clone(), job);
        }
        self.publish(PublishEvent::Changed(item.uri));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.state.encoding();
        let started = std::time::Instant::now();
        match self
            .state
            .documents
            .change(&uri, version, &params.content_changes, encoding)
        {
            Ok(()) => {
                tracing::trace!(
                    version,
                    elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
                    "changed"
                );
                self.check_form_when_typing_pauses(uri.clone(), version);
                self.publish(PublishEvent::Changed(uri))
            }
            Err(ChangeError::TooLarge(too_large)) => self.refuse(uri, too_large).await,
            Err(error) => warn!(%uri, version, ?error, "change ignored"),
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        debug!(uri = %params.text_document.uri, "saved");
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        if !self.state.documents.close(&uri) {
            warn!(%uri, "close of a document that is not open");
        }
        self.state.tokens.forget(&uri);
        self.publish(PublishEvent::Closed(uri));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Clients send the settings, or nothing and expect to be asked for them.
        let sent = Some(&params.settings).filter(|settings| !settings.is_null());
        let asked = match sent {
            Some(_) => None,
            None if self.state.client_support().configuration => {
                let item = ConfigurationItem {
                    scope_uri: None,
                    section: Some("marginalia".to_string()),
                };
                match self.client.configuration(vec![item]).await {
                    Ok(mut values) if !values.is_empty() => Some(values.swap_remove(0)),
                    Ok(_) => None,
                    Err(error) => {
                        warn!(%error, "workspace/configuration failed");
                        None
                    }
                }
            }
            None => None,
        };
        let Some(settings) = sent.cloned().or(asked) else {
            return;
        };
        let errors = self.apply_settings(&settings);
        let refused = self.state.documents.close_over_limits();
        for error in errors {
            self.client.show_message(MessageType::WARNING, error).await;
        }
        for (uri, too_large) in refused {
            self.refuse(uri, too_large).await;
        }
        self.show_everything_again().await;
    }

    async fn did_change_watched_files(
        &self,
        params: tower_lsp::lsp_types::DidChangeWatchedFilesParams,
    ) {
        workspace_index::files_changed(&self.state, params);
    }

    async fn symbol(
        &self,
        params: tower_lsp::lsp_types::WorkspaceSymbolParams,
    ) -> Result<Option<Vec<tower_lsp::lsp_types::SymbolInformation>>> {
        let state = self.state.clone();
        Ok(Some(workspace_index::symbols(state, params.query).await))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(encoded::document_symbols(&self.state, &params))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let request = params.text_document_position_params;
        let uri = request.text_document.uri;
        let Some((snapshot, offset)) = self.at(&uri, request.position) else {
            return Ok(None);
        };
        let analysis = snapshot.document.analysis();
        let Some(target) = features::definition::definition(analysis, offset) else {
            return Ok(None);
        };
        let range = position::range(snapshot.document.text(), target, self.state.encoding());
        Ok(Some(GotoDefinitionResponse::Scalar(Location::new(
            uri, range,
        ))))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let request = params.text_document_position;
        let uri = request.text_document.uri;
        let Some((snapshot, offset)) = self.at(&uri, request.position) else {
            return Ok(None);
        };
        let include_declaration = params.context.include_declaration;
        let found = features::references::references(
            snapshot.document.analysis(),
            offset,
            include_declaration,
        );
        let ranges = position::ranges(snapshot.document.text(), &found, self.state.encoding());
        Ok(Some(
            ranges
                .into_iter()
                .map(|range| Location::new(uri.clone(), range))
                .collect(),
        ))
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let request = params.text_document_position_params;
        let Some((snapshot, offset)) = self.at(&request.text_document.uri, request.position) else {
            return Ok(None);
        };
        let found = features::references::highlights(snapshot.document.analysis(), offset);
        Ok(Some(to_proto::highlights(
            snapshot.document.text(),
            &found,
            self.state.encoding(),
        )))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let request = params.text_document_position_params;
        let Some((snapshot, offset)) = self.at(&request.text_document.uri, request.position) else {
            return Ok(None);
        };
        let document = &snapshot.document;
        let markup = self.state.client_support().hover_markup;
        let found = features::hover::hover(document.analysis(), document.text(), offset, markup);
        Ok(found.map(|hover| to_proto::hover(document.text(), hover, self.state.encoding())))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(snapshot) = self.snapshot(&uri) else {
            return Ok(None);
        };
        let encoding = self.state.encoding();
        let rope = snapshot.document.text();
        let Ok(range) = position::byte_range(rope, params.range, encoding) else {
            return Ok(None);
        };
        let found = features::code_actions::actions(&snapshot.document, range);
        let actions = to_proto::code_actions(
            &snapshot,
            &uri,
            params.range,
            found,
            &params.context,
            encoding,
            self.state.client_support(),
        );
        Ok(Some(
            actions
                .into_iter()
                .map(CodeActionOrCommand::CodeAction)
                .collect(),
        ))
    }

    async fn code_action_resolve(&self, mut action: CodeAction) -> Result<CodeAction> {
        let Some(data) = to_proto::resolve_data(&action) else {
            return Ok(action);
        };
        let Some(snapshot) = self.snapshot(&data.uri) else {
            return Ok(action);
        };
        let encoding = self.state.encoding();
        let rope = snapshot.document.text();
        let Ok(range) = position::byte_range(rope, data.range, encoding) else {
            return Ok(action);
        };
        // Listed again on the current text: the one with the same title is the one picked.
        let picked = features::code_actions::actions(&snapshot.document, range)
            .into_iter()
            .find(|candidate| candidate.title == data.title);
        if let Some(picked) = picked {
            let edits = picked.edits(&snapshot.document);
            action.edit = Some(self.workspace_edit(&snapshot, &data.uri, &edits));
        }
        Ok(action)
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let Some((snapshot, offset)) = self.at(&params.text_document.uri, params.position) else {
            return Ok(None);
        };
        let rope = snapshot.document.text();
        let target = features::renumber::rename_target(snapshot.document.analysis(), offset);
        Ok(target.map(
            |(range, number)| PrepareRenameResponse::RangeWithPlaceholder {
                range: position::range(rope, range, self.state.encoding()),
                placeholder: number.to_string(),
            },
        ))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let request = params.text_document_position;
        let uri = request.text_document.uri;
        let Some((snapshot, offset)) = self.at(&uri, request.position) else {
            return Ok(None);
        };
        let rope = snapshot.document.text();
        let analysis = snapshot.document.analysis();
        match features::renumber::rename(analysis, rope, offset, &params.new_name) {
            Ok(edits) => Ok(Some(self.workspace_edit(&snapshot, &uri, &edits))),
            Err(error) => Err(tower_lsp::jsonrpc::Error {
                // RequestFailed: the request was valid, but cannot be carried out.
                code: tower_lsp::jsonrpc::ErrorCode::ServerError(-32803),
                message: error.to_string().into(),
                data: None,
            }),
        }
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        let Some(command) = commands::Command::parse(&params) else {
            return Err(tower_lsp::jsonrpc::Error::invalid_params(format!(
                "unknown command or arguments: {}",
                params.command
            )));
        };
        let Some(snapshot) = self.snapshot(command.uri()) else {
            return Ok(None);
        };
        let encoding = self.state.encoding();
        let Some(edits) = command.edits(&snapshot, encoding) else {
            return Ok(None);
        };
        let edit = self.workspace_edit(&snapshot, command.uri(), &edits);
        // The client answers once it has applied (or refused) the edit.
        match self.client.apply_edit(edit).await {
            Ok(response) if response.applied => Ok(None),
            Ok(response) => {
                warn!(reason = ?response.failure_reason, "client did not apply the edit");
                Ok(None)
            }
            Err(error) => {
                warn!(%error, "workspace/applyEdit failed");
                Ok(None)
            }
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        Ok(encoded::completions(&self.state, &params))
    }

    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        let Some((uri, version, label)) = to_proto::completion_note(&item) else {
            return Ok(item);
        };
        // The label's offset holds for the version the item was made for.
        let Some(snapshot) = self.snapshot(&uri).filter(|s| s.version == version) else {
            return Ok(item);
        };
        let document = &snapshot.document;
        let markup = self.state.client_support().completion_documentation_markup;
        let analysis = document.analysis();
        let text = features::completion::documentation(analysis, document.text(), label, markup);
        item.documentation = text.map(|text| to_proto::documentation(text, markup));
        Ok(item)
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        Ok(encoded::document_links(&self.state, &params))
    }

    async fn diagnostic(
        &self,
        params: tower_lsp::lsp_types::DocumentDiagnosticParams,
    ) -> Result<tower_lsp::lsp_types::DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let encoding = self.state.encoding();
        let Some(found) = self
            .state
            .documents
            .snapshot_to_publish(&uri, None, encoding)
        else {
            // Not open: nothing to say about it (an empty report, as the spec allows).
            return Ok(to_proto::diagnostic_report(None, None, &uri, encoding));
        };
        let previous = params.previous_result_id.as_deref();
        Ok(to_proto::diagnostic_report(
            Some(&found),
            previous,
            &uri,
            encoding,
        ))
    }

    async fn selection_range(
        &self,
        params: tower_lsp::lsp_types::SelectionRangeParams,
    ) -> Result<Option<Vec<tower_lsp::lsp_types::SelectionRange>>> {
        let Some(snapshot) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let (rope, encoding) = (snapshot.document.text(), self.state.encoding());
        let mut answers = Vec::with_capacity(params.positions.len());
        for position in params.positions {
            // Every position gets an answer (the spec wants one each): outside the text, the
            // place it clamps to.
            let offset = position::offset(rope, position, encoding).unwrap_or(rope.len_bytes());
            let ranges = features::selection::selection_ranges(&snapshot.document, offset);
            answers.push(to_proto::selection_range(rope, &ranges, encoding));
        }
        Ok(Some(answers))
    }

    async fn semantic_tokens_full(
        &self,
        params: tower_lsp::lsp_types::SemanticTokensParams,
    ) -> Result<Option<tower_lsp::lsp_types::SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let Some(snapshot) = self.snapshot(&uri) else {
            return Ok(None);
        };
        let tokens = self
            .state
            .tokens
            .full(&uri, &snapshot, self.state.encoding());
        Ok(Some(tokens.into()))
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: tower_lsp::lsp_types::SemanticTokensDeltaParams,
    ) -> Result<Option<tower_lsp::lsp_types::SemanticTokensFullDeltaResult>> {
        use tower_lsp::lsp_types::SemanticTokensFullDeltaResult as Delta;
        let uri = params.text_document.uri;
        let Some(snapshot) = self.snapshot(&uri) else {
            return Ok(None);
        };
        let previous = &params.previous_result_id;
        let encoding = self.state.encoding();
        Ok(Some(
            match self.state.tokens.delta(&uri, &snapshot, previous, encoding) {
                Ok(delta) => Delta::TokensDelta(delta),
                Err(full) => Delta::Tokens(full),
            },
        ))
    }

    async fn semantic_tokens_range(
        &self,
        params: tower_lsp::lsp_types::SemanticTokensRangeParams,
    ) -> Result<Option<tower_lsp::lsp_types::SemanticTokensRangeResult>> {
        let Some(snapshot) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let encoding = self.state.encoding();
        let Ok(range) = position::byte_range(snapshot.document.text(), params.range, encoding)
        else {
            return Ok(None);
        };
        let data = semantic_tokens::encoded(&snapshot, Some(range), encoding);
        let tokens = tower_lsp::lsp_types::SemanticTokens {
            result_id: None,
            data,
        };
        Ok(Some(tokens.into()))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        Ok(encoded::folding_ranges(&self.state, &params))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some(snapshot) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let counts = features::references::citation_counts(snapshot.document.analysis());
        Ok(Some(to_proto::citation_lenses(
            snapshot.document.text(),
            &counts,
            self.state.encoding(),
        )))
    }
}

/// Handlers only tests can reach (cargo feature `test-hooks`): two panic, as a bug in a
/// feature would, to show that one panic answers one request and the server goes on; one
/// takes long, to be cancelled.
#[cfg(feature = "test-hooks")]
impl Backend {
    pub async fn test_panic(&self, _params: serde_json::Value) -> Result<()> {
        panic!("test hook: a request whose handler panics");
    }

    pub async fn test_panic_notification(&self, _params: serde_json::Value) {
        panic!("test hook: a notification whose handler panics");
    }

    /// A long request: it answers after `millis` milliseconds, unless cancelled first.
    pub async fn test_slow(&self, params: serde_json::Value) -> Result<serde_json::Value> {
        let millis = params["millis"].as_u64().unwrap_or(60_000);
        tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
        Ok(serde_json::json!({ "slept": millis }))
    }
}
