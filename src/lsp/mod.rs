//! The protocol layer: tower-lsp in, the core out. Nothing outside this module knows LSP.

pub mod capabilities;
mod commands;
pub mod encoded;
mod json_text;
mod large_message;
pub mod position;
mod publisher;
pub mod range_cache;
pub mod semantic_tokens;
pub mod server;
pub mod state;
pub mod store;
pub mod to_proto;
pub mod transport;
pub mod workspace_index;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::FutureExt;
use tower_lsp::jsonrpc::{self, Id, Request, Response};
use tower_lsp::{ClientSocket, ExitedError, LspService};

use server::Backend;
use state::ServerState;

/// Builds the service and the socket of messages to the client, sharing `state`.
pub fn build_service(state: Arc<ServerState>) -> (Service, ClientSocket) {
    let builder = LspService::build({
        let state = state.clone();
        move |client| Backend::new(client, state)
    });
    #[cfg(feature = "test-hooks")]
    let builder = builder
        .custom_method("marginalia/test/panic", Backend::test_panic)
        .custom_method(
            "marginalia/test/panicNotification",
            Backend::test_panic_notification,
        )
        .custom_method("marginalia/test/slow", Backend::test_slow);
    let (inner, socket) = builder.finish();
    (Service { inner, state }, socket)
}

/// The language server as a tower service: tower-lsp's, with a look at the raw `initialize`
/// parameters first, for the client capabilities lsp-types cannot read (see
/// [`state::RawCapabilities`]), and each message handled under `catch_unwind`: a panic in one
/// feature answers its request with `InternalError` (a notification's is only logged), and
/// the server goes on serving.
pub struct Service {
    inner: LspService<Backend>,
    state: Arc<ServerState>,
}

impl tower::Service<Request> for Service {
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, ExitedError>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), ExitedError>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() == "initialize" {
            self.state
                .set_raw_capabilities(state::RawCapabilities::of(request.params()));
        }
        let id = request.id().cloned();
        let method = request.method().to_string();
        let inner = &mut self.inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(request))) {
            Ok(answer) => Box::pin(
                AssertUnwindSafe(answer)
                    .catch_unwind()
                    .map(move |answer| answer.unwrap_or_else(|_| Ok(panicked(id, &method)))),
            ),
            Err(_) => Box::pin(std::future::ready(Ok(panicked(id, &method)))),
        }
    }
}

/// The answer to a message whose handler panicked (the panic itself, with its location, is
/// logged by the hook [`log_panics`] sets): `InternalError` for a request, none for a
/// notification.
pub(crate) fn panicked(id: Option<Id>, method: &str) -> Option<Response> {
    tracing::error!(method, "the handler panicked; the server goes on");
    let error = jsonrpc::Error {
        code: jsonrpc::ErrorCode::InternalError,
        message: format!("marginalia failed on {method}: an internal error (see its log)").into(),
        data: None,
    };
    id.map(|id| Response::from_error(id, error))
}

/// Panics are logged as errors, with their message and location, where the log goes.
pub fn log_panics() {
    std::panic::set_hook(Box::new(|panic| tracing::error!("{panic}")));
}

/// Serves LSP over stdin/stdout until `exit` or the end of stdin. Returns the process exit
/// code the specification asks for: 0 if `shutdown` came first, else 1.
pub async fn serve_stdio(settings: serde_json::Value) -> u8 {
    log_panics();
    let output = transport::output_channel();
    let state = ServerState::with_encoded_output(output.0.clone()).with_base_settings(settings);
    let state = Arc::new(state);
    let (service, socket) = build_service(state.clone());
    enlarge_pipes();
    let input = std::io::BufReader::with_capacity(1 << 20, std::io::stdin());
    let stop = transport::serve(service, socket, state.clone(), input, raw_stdout(), output).await;
    tracing::info!(?stop, "stopped");
    if state.shutdown_requested() {
        0
    } else {
        1
    }
}

/// Standard output without the standard library's line buffering, which looks for the last
/// line break of every write (a scan of each 2 MB notification, for none: JSON-RPC frames are
/// written whole by the transport's own buffered writer).
fn raw_stdout() -> Box<dyn std::io::Write + Send> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        match std::io::stdout().as_fd().try_clone_to_owned() {
            Ok(fd) => return Box::new(std::fs::File::from(fd)),
            Err(error) => tracing::debug!(%error, "standard output used through its line buffer"),
        }
    }
    Box::new(std::io::stdout())
}

/// Asks for 1 MB pipe buffers (the default is 64 KB), so that a client writing a large
/// document is not stopped every 64 KB while the server decodes it.
fn enlarge_pipes() {
    #[cfg(target_os = "linux")]
    for (name, result) in [
        (
            "stdin",
            rustix::pipe::fcntl_setpipe_size(std::io::stdin(), PIPE_BYTES),
        ),
        (
            "stdout",
            rustix::pipe::fcntl_setpipe_size(std::io::stdout(), PIPE_BYTES),
        ),
    ] {
        match result {
            Ok(size) => tracing::debug!(name, size, "pipe buffer"),
            // Not a pipe, or the system limit is lower: the default works, only slower.
            Err(error) => tracing::debug!(name, %error, "pipe buffer left as it is"),
        }
    }
}

#[cfg(target_os = "linux")]
const PIPE_BYTES: usize = 1 << 20;

/// Sets glibc's malloc up for a server that receives and frees large texts:
/// - at most two arenas. By default every thread that allocates may get an arena of its own
///   (up to eight per core), and memory freed in one is not reused by the others: after a few
///   large pastes the server's peak memory grew by a fifth. With one arena the threads that
///   build a received document would wait on each other's allocations.
/// - freed memory kept for reuse (no trimming below 8 MB, no `mmap` below 32 MB, the heap
///   grown 4 MB at a time). By default a freed megabyte goes back to the system at once and
///   the next one is faulted in again, page by page: a fifth of the time of opening a 10 MB
///   book went to page faults and heap growth.
///
/// Call it before the runtime's threads start.
pub fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    for (parameter, value, name) in [
        (libc::M_ARENA_MAX, 2, "arena limit"),
        (libc::M_MMAP_THRESHOLD, 32 << 20, "mmap threshold"),
        (libc::M_TRIM_THRESHOLD, 8 << 20, "trim threshold"),
        (libc::M_TOP_PAD, 4 << 20, "top pad"),
    ] {
        // SAFETY: mallopt only sets a malloc parameter (glibc takes its own lock), and an
        // unsupported value is refused with 0, not undefined behaviour.
        let accepted = unsafe { libc::mallopt(parameter, value) };
        if accepted == 0 {
            tracing::debug!(name, value, "malloc parameter refused");
        }
    }
}
