//! Publishes diagnostics from one task, in order.
//!
//! Handlers only say which document changed; the publisher reads the newest snapshot when it
//! gets to it. So a burst of edits is coalesced (only the newest version is published), and
//! an older version's diagnostics can never follow a newer one's.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower_lsp::lsp_types::{Diagnostic, PublishDiagnosticsParams, Url};
use tower_lsp::Client;

use super::encoded;
use super::state::ServerState;
use super::to_proto;
use crate::features::diagnostics::diagnostics;

#[derive(Debug)]
pub enum PublishEvent {
    Changed(Url),
    Closed(Url),
}

pub type Publisher = UnboundedSender<PublishEvent>;

/// Where diagnostics go: through tower-lsp's client, or, when serving stdio, straight to the
/// transport's writer as encoded messages (see [`encoded`]).
pub enum Sink {
    Client(Client),
    Encoded(UnboundedSender<Vec<u8>>),
}

impl Sink {
    async fn publish(&self, uri: Url, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        match self {
            Sink::Client(client) => client.publish_diagnostics(uri, diagnostics, version).await,
            Sink::Encoded(output) => {
                let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
                if let Some(message) =
                    encoded::notification("textDocument/publishDiagnostics", &params)
                {
                    // The writer is gone only once output has failed.
                    let _ = output.send(message);
                }
            }
        }
    }
}

/// Starts the publishing task; it ends when every sender is dropped.
pub fn spawn(sink: Sink, state: Arc<ServerState>) -> Publisher {
    let (sender, receiver) = unbounded_channel();
    tokio::spawn(run(sink, state, receiver));
    sender
}

async fn run(sink: Sink, state: Arc<ServerState>, mut events: UnboundedReceiver<PublishEvent>) {
    // The version last published for each document, to skip republishing it.
    let mut published: HashMap<Url, i32> = HashMap::new();
    while let Some(event) = events.recv().await {
        match event {
            PublishEvent::Changed(uri) => {
                let Some(snapshot) = state.documents.snapshot(&uri) else {
                    continue; // closed meanwhile
                };
                if published.get(&uri) == Some(&snapshot.version) {
                    continue;
                }
                let analysis = snapshot.document.analysis();
                let started = std::time::Instant::now();
                let rope = snapshot.document.text();
                let encoding = state.encoding();
                let diagnostics =
                    to_proto::diagnostics(rope, &uri, diagnostics(analysis), encoding);
                tracing::trace!(
                    version = snapshot.version,
                    count = diagnostics.len(),
                    elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
                    "publishing"
                );
                sink.publish(uri.clone(), diagnostics, Some(snapshot.version))
                    .await;
                published.insert(uri, snapshot.version);
            }
            PublishEvent::Closed(uri) => {
                published.remove(&uri);
                sink.publish(uri, Vec::new(), None).await;
            }
        }
    }
}
