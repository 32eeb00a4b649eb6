//! Publishes diagnostics from one task, in order.
//!
//! Handlers only say which document changed; the publisher reads the newest snapshot when it
//! gets to it. So a burst of edits is coalesced (only the newest version is published), and
//! an older version's diagnostics can never follow a newer one's.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower_lsp::lsp_types::Url;
use tower_lsp::Client;

use super::state::ServerState;
use super::to_proto;
use crate::features::diagnostics::diagnostics;

#[derive(Debug)]
pub enum PublishEvent {
    Changed(Url),
    Closed(Url),
}

pub type Publisher = UnboundedSender<PublishEvent>;

/// Starts the publishing task; it ends when every sender is dropped.
pub fn spawn(client: Client, state: Arc<ServerState>) -> Publisher {
    let (sender, receiver) = unbounded_channel();
    tokio::spawn(run(client, state, receiver));
    sender
}

async fn run(client: Client, state: Arc<ServerState>, mut events: UnboundedReceiver<PublishEvent>) {
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
                let diagnostics: Vec<_> = diagnostics(analysis)
                    .iter()
                    .map(|problem| to_proto::diagnostic(rope, &uri, problem, encoding))
                    .collect();
                tracing::trace!(
                    version = snapshot.version,
                    count = diagnostics.len(),
                    elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
                    "publishing"
                );
                client
                    .publish_diagnostics(uri.clone(), diagnostics, Some(snapshot.version))
                    .await;
                published.insert(uri, snapshot.version);
            }
            PublishEvent::Closed(uri) => {
                published.remove(&uri);
                client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }
}
