//! The protocol layer: tower-lsp in, the core out. Nothing outside this module knows LSP.

pub mod capabilities;
mod large_open;
pub mod position;
mod publisher;
pub mod server;
pub mod state;
pub mod store;
pub mod to_proto;
pub mod transport;

use std::sync::Arc;

use tower_lsp::{ClientSocket, LspService};

use server::Backend;
use state::ServerState;

/// Builds the service and the socket of messages to the client, sharing `state`.
pub fn build_service(state: Arc<ServerState>) -> (LspService<Backend>, ClientSocket) {
    LspService::new(move |client| Backend::new(client, state))
}

/// Serves LSP over stdin/stdout until `exit` or the end of stdin. Returns the process exit
/// code the specification asks for: 0 if `shutdown` came first, else 1.
pub async fn serve_stdio() -> u8 {
    let output = transport::output_channel();
    let state = Arc::new(ServerState::with_encoded_output(output.0.clone()));
    let (service, socket) = build_service(state.clone());
    let input = std::io::BufReader::with_capacity(1 << 20, std::io::stdin());
    let stop = transport::serve(service, socket, input, std::io::stdout(), output).await;
    tracing::info!(?stop, "stopped");
    if state.shutdown_requested() {
        0
    } else {
        1
    }
}
