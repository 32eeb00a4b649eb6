//! Publishes diagnostics from one task, in order.
//!
//! Handlers only say which document changed; the publisher reads the newest snapshot when it
//! gets to it. So a burst of edits is coalesced (only the newest version is published), and
//! an older version's diagnostics can never follow a newer one's.

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower_lsp::lsp_types::Url;
use tower_lsp::Client;

use super::encoded::{self, Notification};
use super::state::ServerState;
use super::store::{Published, ToPublish};
use super::to_proto;
use super::transport::Output;
use crate::analysis::Problem;

#[derive(Debug)]
pub enum PublishEvent {
    Changed(Url),
    /// Publish even an unchanged version (the settings changed).
    Republish(Url),
    Closed(Url),
}

pub type Publisher = UnboundedSender<PublishEvent>;

/// Where diagnostics go: through tower-lsp's client, or, when serving stdio, straight to the
/// transport's writer as encoded messages (see [`encoded`]).
pub enum Sink {
    Client(Client),
    Encoded(Output),
}

impl Sink {
    async fn publish(&self, notification: &Notification<'_>) {
        match self {
            Sink::Client(client) => {
                let Notification {
                    rope,
                    uri,
                    problems,
                    known,
                    version,
                    encoding,
                } = *notification;
                let diagnostics = to_proto::diagnostics(rope, uri, problems, known, encoding);
                client
                    .publish_diagnostics(uri.clone(), diagnostics, version)
                    .await
            }
            Sink::Encoded(output) => encoded::send_publish_diagnostics(output, notification),
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
    // The version last published for each document, to skip republishing it, and what was
    // published for it.
    let mut published: HashMap<Url, Published> = HashMap::new();
    let mut shown: HashMap<Url, Vec<Problem>> = HashMap::new();
    while let Some(event) = events.recv().await {
        if let PublishEvent::Republish(uri) = &event {
            published.remove(uri);
        }
        match event {
            // A client that pulls diagnostics is never sent them as well.
            _ if state.client_support().pull_diagnostics => continue,
            PublishEvent::Changed(uri) | PublishEvent::Republish(uri) => {
                let started = std::time::Instant::now();
                let already = published.get(&uri).copied();
                let Some(ToPublish {
                    snapshot,
                    problems,
                    known,
                    ..
                }) = state
                    .documents
                    .snapshot_to_publish(&uri, already, state.encoding())
                else {
                    continue; // closed meanwhile, or this version published already
                };
                let snapshot_ms = started.elapsed().as_secs_f64() * 1e3;
                let lints_pending = snapshot.document.lints_pending();
                let version = snapshot.version;
                // The same version again, now that its form checks are done: only if they
                // changed what is shown (a paste far into a book seldom does).
                let same_version = already.is_some_and(|p| p.version == version);
                if same_version && shown.get(&uri) == Some(&problems) {
                    published.insert(
                        uri,
                        Published {
                            version,
                            lints_pending,
                        },
                    );
                    continue;
                }
                let notification = Notification {
                    rope: snapshot.document.text(),
                    uri: &uri,
                    problems: &problems,
                    known: known.as_deref().unwrap_or_default(),
                    version: Some(snapshot.version),
                    encoding: state.encoding(),
                };
                sink.publish(&notification).await;
                tracing::trace!(
                    version = snapshot.version,
                    count = problems.len(),
                    snapshot_ms,
                    remembered = known
                        .as_ref()
                        .map_or(0, |known| known.iter().flatten().count()),
                    elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
                    "published"
                );
                // The first time, remember where markers and labels are (off this task: a
                // large book takes milliseconds) for the next publications.
                if known.is_none() {
                    let state = state.clone();
                    let uri = uri.clone();
                    let snapshot = snapshot.clone();
                    tokio::task::spawn_blocking(move || {
                        state
                            .documents
                            .remember_ranges(&uri, &snapshot, state.encoding())
                    });
                }
                published.insert(
                    uri.clone(),
                    Published {
                        version,
                        lints_pending,
                    },
                );
                shown.insert(uri, problems);
            }
            PublishEvent::Closed(uri) => {
                published.remove(&uri);
                shown.remove(&uri);
                let empty = Rope::new();
                let notification = Notification {
                    rope: &empty,
                    uri: &uri,
                    problems: &[],
                    known: &[],
                    version: None,
                    encoding: state.encoding(),
                };
                sink.publish(&notification).await;
            }
        }
    }
}
