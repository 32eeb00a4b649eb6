//! The protocol layer: tower-lsp in, the core out. Nothing outside this module knows LSP.

pub mod capabilities;
pub mod position;
mod publisher;
pub mod server;
pub mod state;
pub mod store;
pub mod to_proto;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::Notify;
use tower::Service;
use tower_lsp::jsonrpc::{Request, Response};
use tower_lsp::{ClientSocket, LspService, Server};

use server::Backend;
use state::ServerState;

/// Builds the service and the socket of messages to the client, sharing `state`.
pub fn build_service(state: Arc<ServerState>) -> (LspService<Backend>, ClientSocket) {
    LspService::new(move |client| Backend::new(client, state))
}

/// Serves LSP over stdin/stdout until `exit` or the end of stdin. Returns the process exit
/// code the specification asks for: 0 if `shutdown` came first, else 1.
pub async fn serve_stdio() -> u8 {
    let state = Arc::new(ServerState::default());
    let (service, socket) = build_service(state.clone());
    let exit = Arc::new(Notify::new());
    let service = Gateway {
        inner: service,
        exit: exit.clone(),
    };
    let server = Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service);
    // tower-lsp only notices `exit` when the next message arrives; a client may keep stdin
    // open after `exit`, so stop as soon as it is seen.
    tokio::select! {
        () = server => tracing::info!("end of input"),
        () = exit.notified() => tracing::info!("exit"),
    }
    if state.shutdown_requested() {
        0
    } else {
        1
    }
}

/// Stands between the transport and tower-lsp: passes every message on, reading `"params":
/// null` as no params (some clients send it for `shutdown` and `exit`, which tower-lsp would
/// refuse), and signals once an `exit` notification has been handled.
struct Gateway<S> {
    inner: S,
    exit: Arc<Notify>,
}

impl<S> Service<Request> for Gateway<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let is_exit = request.method() == "exit";
        let response = self.inner.call(without_null_params(request));
        let exit = self.exit.clone();
        Box::pin(async move {
            let response = response.await;
            if is_exit {
                exit.notify_one();
            }
            response
        })
    }
}

fn without_null_params(request: Request) -> Request {
    if request.params() != Some(&serde_json::Value::Null) {
        return request;
    }
    let (method, id, _) = request.into_parts();
    let builder = Request::build(method);
    match id {
        Some(id) => builder.id(id).finish(),
        None => builder.finish(),
    }
}
