//! State shared by the handlers and the diagnostics publisher.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use super::position::Encoding;
use super::store::DocumentStore;

#[derive(Default)]
pub struct ServerState {
    pub documents: DocumentStore,
    encoding: OnceLock<Encoding>,
    shutdown_requested: AtomicBool,
}

impl ServerState {
    /// The encoding negotiated at `initialize` (UTF-16 until then).
    pub fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    pub fn set_encoding(&self, encoding: Encoding) {
        if self.encoding.set(encoding).is_err() {
            tracing::warn!("position encoding already negotiated; keeping the first");
        }
    }

    pub fn request_shutdown(&self) {
        self.shutdown_requested.store(true, Ordering::SeqCst);
    }

    pub fn shutdown_requested(&self) -> bool {
        self.shutdown_requested.load(Ordering::SeqCst)
    }
}
