//! Requests whose answers can be large, encoded straight from their typed result.
//!
//! tower-lsp turns every result into a `serde_json::Value` before it is written: for the
//! outline of a 10 MB book that is 30 MB more at the peak, for a 100 MB book some 400 MB.
//! When serving stdio, the transport asks here first; the `LanguageServer` handlers call the
//! same functions, so both ways give the same answer.

use serde::Serialize;
use tower_lsp::jsonrpc::{Id, Request};
use tower_lsp::lsp_types::{DocumentSymbolParams, DocumentSymbolResponse};

use super::state::ServerState;
use super::to_proto;
use crate::features;

pub fn document_symbols(
    state: &ServerState,
    params: &DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let snapshot = state.documents.snapshot(&params.text_document.uri)?;
    let outline = features::outline::outline(&snapshot.document);
    let symbols = to_proto::document_symbols(snapshot.document.text(), outline, state.encoding());
    Some(DocumentSymbolResponse::Nested(symbols))
}

/// The encoded response to `request` if it is answered here; `None` sends it the ordinary way
/// (which also gives the errors: before `initialize`, after `shutdown`, bad params).
pub fn encoded_response(state: &ServerState, request: &Request) -> Option<Vec<u8>> {
    if !state.initialized() || state.shutdown_requested() {
        return None;
    }
    let id = request.id()?;
    match request.method() {
        "textDocument/documentSymbol" => {
            let params: DocumentSymbolParams =
                serde_json::from_value(request.params()?.clone()).ok()?;
            encode(id, &document_symbols(state, &params))
        }
        _ => None,
    }
}

fn encode(id: &Id, result: &impl Serialize) -> Option<Vec<u8>> {
    #[derive(Serialize)]
    struct Response<'a, T> {
        jsonrpc: &'static str,
        result: &'a T,
        id: &'a Id,
    }
    let response = Response {
        jsonrpc: "2.0",
        result,
        id,
    };
    serde_json::to_vec(&response)
        .map_err(|error| tracing::error!(%error, "cannot encode a response"))
        .ok()
}
