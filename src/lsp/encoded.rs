//! Messages encoded straight from their typed values, for the stdio transport's writer.
//!
//! tower-lsp turns every result and notification into a `serde_json::Value` before it is
//! written: for the outline of a 10 MB book that is 30 MB more at the peak (some 400 MB for a
//! 100 MB book), for diagnostics a quarter of a keystroke's time, and for fifty completion
//! items (their maps hashed field by field) half of answering. When serving stdio, the
//! transport asks here first for the outline, folding, links and completion, and the
//! publisher encodes its notifications here; the `LanguageServer` handlers call the same
//! functions, so both ways give the same answer.

use ropey::Rope;
use serde::Serialize;
use tower_lsp::jsonrpc::{Id, Request};
use tower_lsp::lsp_types::{
    CompletionList, CompletionParams, CompletionResponse, DocumentLink, DocumentLinkParams,
    DocumentSymbolParams, DocumentSymbolResponse, FoldingRange, FoldingRangeParams, Position,
    Range, Url,
};

use super::json_text::write_string;
use super::position::{self, Encoding};
use super::range_cache;
use super::state::ServerState;
use super::to_proto;
use super::transport::{Outgoing, Output};
use crate::analysis::{Problem, Severity};
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

/// The notes to complete at `params`' position (see [`features::completion`]).
pub fn completions(state: &ServerState, params: &CompletionParams) -> Option<CompletionResponse> {
    let request = &params.text_document_position;
    let uri = &request.text_document.uri;
    let snapshot = state.documents.snapshot(uri)?;
    let encoding = state.encoding();
    let document = &snapshot.document;
    let offset = match position::offset(document.text(), request.position, encoding) {
        Ok(offset) => offset,
        Err(error) => {
            tracing::debug!(%uri, %error, "request position outside the document");
            return None;
        }
    };
    let support = state.client_support();
    let documentation = (!support.resolve_completion_documentation)
        .then_some(support.completion_documentation_markup);
    let found = features::completion::completions(
        document.analysis(),
        document.text(),
        offset,
        documentation,
    );
    if found.is_empty() {
        return None;
    }
    // With as many notes as can be shown, more may match: the client asks again as the user
    // types.
    let notes = found
        .iter()
        .filter(|item| item.additional.is_empty())
        .count();
    let markup = support.completion_documentation_markup;
    let items = to_proto::completions(
        document.text(),
        uri,
        snapshot.version,
        found,
        markup,
        encoding,
    );
    Some(CompletionResponse::List(CompletionList {
        is_incomplete: notes >= features::completion::MAX_NOTES,
        items,
    }))
}

/// What folds in the document (see [`features::folding`]).
pub fn folding_ranges(
    state: &ServerState,
    params: &FoldingRangeParams,
) -> Option<Vec<FoldingRange>> {
    let snapshot = state.documents.snapshot(&params.text_document.uri)?;
    let document = &snapshot.document;
    let folds = features::folding::folding_ranges(document.analysis(), document.text());
    let line_folding_only = state.client_support().line_folding_only;
    Some(to_proto::folding_ranges(
        document.text(),
        &folds,
        line_folding_only,
        state.encoding(),
    ))
}

/// The URLs of the document (see [`features::links`]).
pub fn document_links(
    state: &ServerState,
    params: &DocumentLinkParams,
) -> Option<Vec<DocumentLink>> {
    let snapshot = state.documents.snapshot(&params.text_document.uri)?;
    let rope = snapshot.document.text();
    let links = features::links::links(&rope.to_string());
    Some(to_proto::document_links(rope, &links, state.encoding()))
}

/// The encoded response to `request` if it is answered here; `None` sends it the ordinary way
/// (which also gives the errors: before `initialize`, after `shutdown`, bad params).
pub fn encoded_response(state: &ServerState, request: &Request) -> Option<Vec<u8>> {
    if !state.initialized() || state.shutdown_requested() {
        return None;
    }
    let id = request.id()?;
    #[cfg(feature = "test-hooks")]
    if request
        .params()
        .and_then(|params| params.pointer("/textDocument/uri"))
        .is_some_and(|uri| uri == "file:///test-hooks/panic")
    {
        panic!("test hook: an answer the transport encodes panics");
    }
    match request.method() {
        "textDocument/documentSymbol" => {
            let params: DocumentSymbolParams =
                serde_json::from_value(request.params()?.clone()).ok()?;
            response(id, &document_symbols(state, &params))
        }
        // A book has tens of thousands of folds and thousands of links.
        "textDocument/foldingRange" => {
            let params: FoldingRangeParams =
                serde_json::from_value(request.params()?.clone()).ok()?;
            response(id, &folding_ranges(state, &params))
        }
        "textDocument/documentLink" => {
            let params: DocumentLinkParams =
                serde_json::from_value(request.params()?.clone()).ok()?;
            response(id, &document_links(state, &params))
        }
        // Up to fifty items: as a `serde_json::Value`, most of the time of answering.
        "textDocument/completion" => {
            let params: CompletionParams =
                serde_json::from_value(request.params()?.clone()).ok()?;
            response(id, &completions(state, &params))
        }
        _ => None,
    }
}

fn response(id: &Id, result: &impl Serialize) -> Option<Vec<u8>> {
    #[derive(Serialize)]
    struct Response<'a, T> {
        jsonrpc: &'static str,
        result: &'a T,
        id: &'a Id,
    }
    encode(&Response {
        jsonrpc: "2.0",
        result,
        id,
    })
}

pub fn notification(method: &str, params: &impl Serialize) -> Option<Vec<u8>> {
    #[derive(Serialize)]
    struct Notification<'a, T> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a T,
    }
    encode(&Notification {
        jsonrpc: "2.0",
        method,
        params,
    })
}

fn encode(message: &impl Serialize) -> Option<Vec<u8>> {
    serde_json::to_vec(message)
        .map_err(|error| tracing::error!(%error, "cannot encode a message"))
        .ok()
}

/// The `textDocument/publishDiagnostics` notification for `problems`: the JSON serde_json
/// writes for [`to_proto::diagnostics`], written here field by field. A paste can bring
/// thousands of problems, and serde_json spent more on escaping each field name and message
/// than the rest of publishing together; that many are also split between two threads.
pub fn publish_diagnostics(
    rope: &Rope,
    uri: &Url,
    problems: &[Problem],
    known: &[Option<Range>],
    version: Option<i32>,
    encoding: Encoding,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(200 + problems.len() * DIAGNOSTIC_BYTES);
    out.extend_from_slice(&notification_start(uri));
    // Only finding positions in the rope is worth a second thread: with the ranges known,
    // writing is faster on one.
    if positions_to_find(problems, known) < PARALLEL_PROBLEMS {
        write_diagnostics(&mut out, rope, uri, problems, known, encoding);
    } else {
        let (first, second) = problems.split_at(balanced_cut(problems));
        let first_ranges = to_proto::problem_ranges(first).len();
        let (known_first, known_second) = known.split_at(first_ranges.min(known.len()));
        let second = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let mut out = Vec::with_capacity(second.len() * DIAGNOSTIC_BYTES);
                write_diagnostics(&mut out, rope, uri, second, known_second, encoding);
                out
            });
            write_diagnostics(&mut out, rope, uri, first, known_first, encoding);
            second.join()
        });
        match second {
            Ok(second) => {
                out.push(b',');
                out.extend_from_slice(&second);
            }
            // Only a bug can panic there; the first half alone is still valid JSON.
            Err(_) => tracing::error!("writing half of the diagnostics failed"),
        }
    }
    out.extend_from_slice(&notification_end(version));
    out
}

/// Sends the `textDocument/publishDiagnostics` notification for `problems` to `output`: one
/// with thousands of problems (after a paste) in pieces, so that the first bytes are on their
/// way to the client while the rest is being written.
pub fn send_publish_diagnostics(output: &Output, notification: &Notification) {
    // (The writer is gone only once output has failed: nothing more can be said then.)
    let Notification {
        problems, known, ..
    } = *notification;
    if problems.len() < IN_PIECES_FROM || positions_to_find(problems, known) >= PARALLEL_PROBLEMS {
        let _ = output.send(Outgoing::Whole(notification.write()));
        return;
    }
    let (to_writer, pieces) = std::sync::mpsc::channel();
    notification.write_in_pieces(
        |length| {
            let _ = output.send(Outgoing::InPieces { length, pieces });
        },
        |piece| {
            let _ = to_writer.send(piece);
        },
    );
}

/// From this many problems on, a notification is sent in pieces.
const IN_PIECES_FROM: usize = 1000;

/// About the size of each piece.
const PIECE_BYTES: usize = 64 << 10;

/// What a `textDocument/publishDiagnostics` notification is made of.
#[derive(Clone, Copy)]
pub struct Notification<'a> {
    pub rope: &'a Rope,
    pub uri: &'a Url,
    pub problems: &'a [Problem],
    pub known: &'a [Option<Range>],
    pub version: Option<i32>,
    pub encoding: Encoding,
}

impl Notification<'_> {
    /// The notification's bytes ([`publish_diagnostics`]).
    pub fn write(&self) -> Vec<u8> {
        publish_diagnostics(
            self.rope,
            self.uri,
            self.problems,
            self.known,
            self.version,
            self.encoding,
        )
    }

    /// The same bytes as [`publish_diagnostics`] (on one thread): first their length goes to
    /// `begin`, then the bytes to `piece`, in pieces of about [`PIECE_BYTES`] as they are
    /// written.
    pub fn write_in_pieces(&self, begin: impl FnOnce(usize), mut piece: impl FnMut(Vec<u8>)) {
        let problems = self.problems;
        let ranges = range_cache::fill(
            self.rope,
            &to_proto::problem_ranges(problems),
            self.known,
            self.encoding,
        );
        let mut writer = DiagnosticWriter::new(self.uri);
        let (start, end) = (notification_start(self.uri), notification_end(self.version));
        let diagnostics: usize = with_ranges(problems, &ranges)
            .map(|(problem, ranges)| writer.len(problem, ranges))
            .sum();
        let commas = problems.len().saturating_sub(1);
        begin(start.len() + diagnostics + commas + end.len());
        let mut out = start;
        out.reserve(PIECE_BYTES + DIAGNOSTIC_BYTES);
        for (i, (problem, ranges)) in with_ranges(problems, &ranges).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            writer.write(&mut out, problem, ranges);
            if out.len() >= PIECE_BYTES {
                let next = Vec::with_capacity(PIECE_BYTES + DIAGNOSTIC_BYTES);
                piece(std::mem::replace(&mut out, next));
            }
        }
        out.extend_from_slice(&end);
        piece(out);
    }
}

/// The notification up to its first diagnostic.
fn notification_start(uri: &Url) -> Vec<u8> {
    let mut start =
        br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#.to_vec();
    write_string(&mut start, uri.as_str());
    start.extend_from_slice(br#","diagnostics":["#);
    start
}

/// The notification after its last diagnostic.
fn notification_end(version: Option<i32>) -> Vec<u8> {
    let mut end = b"]".to_vec();
    if let Some(version) = version {
        end.extend_from_slice(br#","version":"#);
        end.extend_from_slice(itoa::Buffer::new().format(version).as_bytes());
    }
    end.extend_from_slice(b"}}");
    end
}

/// How many of the problems' ranges are not known yet (must be found in the rope).
fn positions_to_find(problems: &[Problem], known: &[Option<Range>]) -> usize {
    problems
        .len()
        .saturating_sub(known.iter().flatten().count())
}

/// From this many problems whose positions must be found in the rope on, the notification is
/// written by two threads.
const PARALLEL_PROBLEMS: usize = 2000;

/// Where to cut `problems` (in document order) so that both halves take about as long to
/// write: finding their positions means reading the text from one to the next, so a half
/// costs the bytes it spans plus a share for each problem (measured on the 10 MB book: a
/// problem costs as much as reading some 250 bytes).
fn balanced_cut(problems: &[Problem]) -> usize {
    const BYTES_PER_PROBLEM: usize = 256;
    let start = problems.first().map_or(0, |p| p.range.start);
    let cost = |i: usize, problem: &Problem| {
        problem.range.start.saturating_sub(start) + i * BYTES_PER_PROBLEM
    };
    let total = problems
        .last()
        .map_or(0, |last| cost(problems.len() - 1, last));
    problems
        .iter()
        .enumerate()
        .position(|(i, problem)| cost(i, problem) >= total / 2)
        .unwrap_or(problems.len() / 2)
}

/// About the length of one diagnostic.
const DIAGNOSTIC_BYTES: usize = 220;

/// The diagnostics of `problems`, separated by commas.
fn write_diagnostics(
    out: &mut Vec<u8>,
    rope: &Rope,
    uri: &Url,
    problems: &[Problem],
    known: &[Option<Range>],
    encoding: Encoding,
) {
    let ranges = range_cache::fill(rope, &to_proto::problem_ranges(problems), known, encoding);
    let mut writer = DiagnosticWriter::new(uri);
    for (i, (problem, ranges)) in with_ranges(problems, &ranges).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        writer.write(out, problem, ranges);
    }
}

/// A problem's range, and the range of its related place if it has one.
type ProblemRanges<'a> = (&'a Range, Option<&'a Range>);

/// Each problem with its ranges (`ranges` as [`to_proto::problem_ranges`] lists them; were
/// there too few, the rest would be written as 0:0).
fn with_ranges<'a>(
    problems: &'a [Problem],
    ranges: &'a [Range],
) -> impl Iterator<Item = (&'a Problem, ProblemRanges<'a>)> + 'a {
    const NOWHERE: Range = Range {
        start: Position {
            line: 0,
            character: 0,
        },
        end: Position {
            line: 0,
            character: 0,
        },
    };
    let mut ranges = ranges.iter();
    problems.iter().map(move |problem| {
        let range = ranges.next().unwrap_or(&NOWHERE);
        let related = problem.related().map(|_| ranges.next().unwrap_or(&NOWHERE));
        (problem, (range, related))
    })
}

const DIAGNOSTIC_START: &[u8] = br#"{"range":"#;
const RELATED_START: &[u8] = br#","relatedInformation":[{"location":{"uri":"#;
const RELATED_RANGE: &[u8] = br#","range":"#;
const RELATED_MESSAGE: &[u8] = br#"},"message":"#;
const RELATED_END: &[u8] = b"}]";
const DIAGNOSTIC_END: &[u8] = b"}";

/// Writes one diagnostic at a time, and can say beforehand how many bytes it will take.
struct DiagnosticWriter {
    /// The document's URI as a JSON string, for related places.
    uri: Vec<u8>,
    pieces: MessagePieces,
}

impl DiagnosticWriter {
    fn new(uri: &Url) -> DiagnosticWriter {
        let mut quoted = Vec::new();
        write_string(&mut quoted, uri.as_str());
        DiagnosticWriter {
            uri: quoted,
            pieces: MessagePieces::default(),
        }
    }

    fn write(&mut self, out: &mut Vec<u8>, problem: &Problem, (range, related): ProblemRanges) {
        out.extend_from_slice(DIAGNOSTIC_START);
        write_range(out, range);
        let (head, tail) = self.pieces.of(problem);
        out.extend_from_slice(head);
        if let Some(number) = problem.message().parts().1 {
            write_number(out, number);
        }
        out.extend_from_slice(tail);
        if let (Some((_, message)), Some(related)) = (problem.related(), related) {
            out.extend_from_slice(RELATED_START);
            out.extend_from_slice(&self.uri);
            out.extend_from_slice(RELATED_RANGE);
            write_range(out, related);
            out.extend_from_slice(RELATED_MESSAGE);
            write_string(out, &message);
            out.extend_from_slice(RELATED_END);
        }
        out.extend_from_slice(DIAGNOSTIC_END);
    }

    /// How many bytes [`Self::write`] writes for the same problem.
    fn len(&mut self, problem: &Problem, (range, related): ProblemRanges) -> usize {
        let (head, tail) = self.pieces.of(problem);
        let mut len = DIAGNOSTIC_START.len()
            + range_len(range)
            + head.len()
            + problem.message().parts().1.map_or(0, digits)
            + tail.len()
            + DIAGNOSTIC_END.len();
        if let (Some((_, message)), Some(related)) = (problem.related(), related) {
            let mut quoted = Vec::new();
            write_string(&mut quoted, &message);
            len += RELATED_START.len()
                + self.uri.len()
                + RELATED_RANGE.len()
                + range_len(related)
                + RELATED_MESSAGE.len()
                + quoted.len()
                + RELATED_END.len();
        }
        len
    }
}

/// The JSON of a diagnostic from its severity to its message's number, and after the number,
/// written once for each kind of problem: thousands of diagnostics share a handful of them.
#[derive(Default)]
struct MessagePieces {
    written: Vec<(PiecesKey, Vec<u8>, Vec<u8>)>,
}

type PiecesKey = (Severity, &'static str, &'static str, &'static str);

impl MessagePieces {
    fn of(&mut self, problem: &Problem) -> (&[u8], &[u8]) {
        let (before, _, after) = problem.message().parts();
        let key = (problem.severity, problem.code().as_str(), before, after);
        // The texts are static: the same text is at the same address, so comparing addresses
        // is enough (were two copies at two addresses, their pieces would be written twice).
        let same = |(severity, code, before, after): &PiecesKey| {
            *severity == key.0
                && std::ptr::eq(*code, key.1)
                && std::ptr::eq(*before, key.2)
                && std::ptr::eq(*after, key.3)
        };
        let at = match self.written.iter().position(|(written, ..)| same(written)) {
            Some(at) => at,
            None => {
                self.written.push(Self::write(key));
                self.written.len() - 1
            }
        };
        let (_, head, tail) = &self.written[at];
        (head, tail)
    }

    fn write((severity, code, before, after): PiecesKey) -> (PiecesKey, Vec<u8>, Vec<u8>) {
        let mut head = Vec::new();
        head.extend_from_slice(br#","severity":"#);
        write_number(&mut head, severity_number(severity));
        head.extend_from_slice(br#","code":"#);
        write_string(&mut head, code);
        head.extend_from_slice(br#","source":"#);
        write_string(&mut head, to_proto::SOURCE);
        head.extend_from_slice(br#","message":"#);
        // The message is one JSON string around the number: its two parts are written
        // escaped, without their quotes.
        let quoted = |text: &str| {
            let mut written = Vec::new();
            write_string(&mut written, text);
            written[1..written.len() - 1].to_vec()
        };
        head.push(b'"');
        head.extend_from_slice(&quoted(before));
        let mut tail = quoted(after);
        tail.push(b'"');
        ((severity, code, before, after), head, tail)
    }
}

/// `DiagnosticSeverity` as the protocol numbers it.
fn severity_number(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Information => 3,
        Severity::Hint => 4,
    }
}

const RANGE_START: &[u8] = br#"{"start":"#;
const RANGE_END: &[u8] = br#","end":"#;
const POSITION_LINE: &[u8] = br#"{"line":"#;
const POSITION_CHARACTER: &[u8] = br#","character":"#;
const CLOSE: &[u8] = b"}";

fn write_range(out: &mut Vec<u8>, range: &Range) {
    for (key, position) in [(RANGE_START, range.start), (RANGE_END, range.end)] {
        out.extend_from_slice(key);
        out.extend_from_slice(POSITION_LINE);
        write_number(out, position.line);
        out.extend_from_slice(POSITION_CHARACTER);
        write_number(out, position.character);
        out.extend_from_slice(CLOSE);
    }
    out.extend_from_slice(CLOSE);
}

/// How many bytes [`write_range`] writes for `range`.
fn range_len(range: &Range) -> usize {
    let position_len = |position: Position| {
        POSITION_LINE.len()
            + digits(position.line)
            + POSITION_CHARACTER.len()
            + digits(position.character)
            + CLOSE.len()
    };
    RANGE_START.len()
        + position_len(range.start)
        + RANGE_END.len()
        + position_len(range.end)
        + CLOSE.len()
}

/// How many digits [`write_number`] writes for `number`.
fn digits(number: u32) -> usize {
    number.checked_ilog10().map_or(1, |log| log as usize + 1)
}

fn write_number(out: &mut Vec<u8>, number: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(number).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::lsp::range_cache::RangeCache;
    use crate::lsp::transport;
    use proptest::prelude::*;
    use tower_lsp::lsp_types::PublishDiagnosticsParams;

    fn typed_notification(
        document: &Document,
        uri: &Url,
        version: Option<i32>,
        encoding: Encoding,
    ) -> serde_json::Value {
        let problems = &document.analysis().problems;
        let diagnostics = to_proto::diagnostics(document.text(), uri, problems, &[], encoding);
        let params = PublishDiagnosticsParams::new(uri.clone(), diagnostics, version);
        serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/publishDiagnostics",
            "params": params,
        })
    }

    /// The bytes of `notification` written in pieces, checked against the announced length.
    fn in_pieces(notification: &Notification) -> Vec<u8> {
        let announced = std::cell::Cell::new(None);
        let mut bytes = Vec::new();
        notification.write_in_pieces(
            |length| announced.set(Some(length)),
            |piece| {
                assert!(announced.get().is_some(), "a piece before the length");
                bytes.extend_from_slice(&piece);
            },
        );
        assert_eq!(announced.get(), Some(bytes.len()));
        bytes
    }

    #[test]
    fn thousands_of_diagnostics_go_to_the_writer_in_pieces_of_the_announced_length() {
        let text = format!(
            "{}\n註釋：\n{}",
            "正文〔7〕𠮷。\n\n".repeat(3000),
            "〔1〕甲\n〔1〕乙\n"
        );
        let document = Document::new(&text);
        let uri = Url::parse("file:///tmp/book.txt").unwrap();
        let problems = &document.analysis().problems;
        let remembered = RangeCache::build(
            document.text(),
            document.analysis(),
            std::iter::empty(),
            Encoding::Utf16,
        );
        let known = remembered.lookup(&to_proto::problem_ranges(problems), Encoding::Utf16);
        let notification = Notification {
            rope: document.text(),
            uri: &uri,
            problems,
            known: &known,
            version: Some(9),
            encoding: Encoding::Utf16,
        };
        let (output, mut messages) = transport::output_channel();
        send_publish_diagnostics(&output, &notification);
        let Ok(Outgoing::InPieces { length, pieces }) = messages.try_recv() else {
            panic!("3,000 problems are sent in pieces");
        };
        let pieces: Vec<Vec<u8>> = pieces.try_iter().collect();
        assert!(pieces.len() > 4, "{} pieces", pieces.len());
        let bytes = pieces.concat();
        assert_eq!(bytes.len(), length);
        let whole = publish_diagnostics(
            document.text(),
            &uri,
            problems,
            &known,
            Some(9),
            Encoding::Utf16,
        );
        assert_eq!(bytes, whole);
        // (A duplicate entry among them: a related place is in the bytes counted.)
        assert!(String::from_utf8(bytes)
            .unwrap()
            .contains("relatedInformation"));
        // A few problems go whole.
        let few = Document::new("甲〔1〕\n註釋：\n");
        let problems = &few.analysis().problems;
        let notification = Notification {
            rope: few.text(),
            problems,
            known: &[],
            ..notification
        };
        send_publish_diagnostics(&output, &notification);
        assert!(matches!(messages.try_recv(), Ok(Outgoing::Whole(_))));
    }

    #[test]
    fn thousands_of_diagnostics_are_written_in_two_halves_the_same_way() {
        // Sparse problems, then dense ones (as after a paste into the notes section), and
        // duplicates with their related places.
        let text = format!(
            "{}{}\n註釋：\n{}",
            "正文〔7〕。\n\n".repeat(1500),
            "正〔9〕\n".repeat(1500),
            "〔1〕甲\n".repeat(300)
        );
        let document = Document::new(&text);
        let problems = &document.analysis().problems;
        assert!(problems.len() > PARALLEL_PROBLEMS);
        let cut = balanced_cut(problems);
        assert!(0 < cut && cut < problems.len());
        let uri = Url::parse("file:///tmp/book.txt").unwrap();
        let remembered = RangeCache::build(
            document.text(),
            document.analysis(),
            std::iter::empty(),
            Encoding::Utf16,
        );
        let all_known = remembered.lookup(&to_proto::problem_ranges(problems), Encoding::Utf16);
        // Some known: still two halves, each with its share of the known ranges.
        let mut some_known = all_known.clone();
        some_known[200..].fill(None);
        let typed = typed_notification(&document, &uri, Some(7), Encoding::Utf16);
        for known in [Vec::new(), some_known, all_known] {
            let written = publish_diagnostics(
                document.text(),
                &uri,
                problems,
                &known,
                Some(7),
                Encoding::Utf16,
            );
            let written: serde_json::Value = serde_json::from_slice(&written).unwrap();
            assert_eq!(written, typed);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn diagnostics_are_written_as_serde_json_writes_the_typed_values(
            pieces in proptest::collection::vec(
                "(正文|𠮷|a|〔1〕|〔2〕|〔３〕|〔40〕|\n註釋：\n|\n〔1〕甲|\n〔2〕乙|\n〔5〕丙|\n一、標題\n|\r\n|\r|\n)",
                0..60,
            ),
            version in proptest::option::of(0i32..1000),
        ) {
            let document = Document::new(&pieces.concat());
            let uri = Url::parse("file:///tmp/%E6%9B%B8%20a.txt").unwrap();
            let problems = &document.analysis().problems;
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let typed = typed_notification(&document, &uri, version, encoding);
                // With the ranges converted as they come and with remembered ones.
                let remembered = RangeCache::build(document.text(), document.analysis(), std::iter::empty(), encoding);
                let remembered = remembered.lookup(&to_proto::problem_ranges(problems), encoding);
                for known in [Vec::new(), remembered] {
                    let written =
                        publish_diagnostics(document.text(), &uri, problems, &known, version, encoding);
                    // The same bytes in pieces, as long as announced.
                    let notification = Notification {
                        rope: document.text(),
                        uri: &uri,
                        problems,
                        known: &known,
                        version,
                        encoding,
                    };
                    prop_assert_eq!(in_pieces(&notification), written.clone());
                    let written: serde_json::Value = serde_json::from_slice(&written).unwrap();
                    prop_assert_eq!(&written, &typed);
                }
            }
        }
    }
}
