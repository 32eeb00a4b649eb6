//! The stdio transport: `Content-Length` framed JSON-RPC in, the same out.
//!
//! It replaces tower-lsp's `Server` for four reasons. It parses each message once, straight
//! into a request (tower-lsp first buffers every message through an untagged enum: for a
//! 10 MB `didOpen` that is two extra copies and about 15 ms). It handles notifications in the
//! order they arrive (the synchronous part of each handler runs before the next message is
//! read), so edits can never be reordered; what handlers await runs concurrently. It stops as
//! soon as `exit` is handled. And it does blocking I/O on two threads of its own, one
//! hand-over per message, where tokio's stdin and stdout take several.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::io::{BufRead, Read, Write};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tower::{Service, ServiceExt};
use tower_lsp::jsonrpc::{Error, Id, Request, Response};
use tower_lsp::ClientSocket;
use tracing::{error, warn};

use super::encoded;
use super::large_message::{self, LargeMessage, ReadError};
use super::state::ServerState;

/// Larger messages are refused unread (a 128 MB document, JSON-escaped, fits).
const MAX_MESSAGE_BYTES: usize = 512 << 20;

/// A message as read: whole, or a large one decoded as it arrived.
enum Frame {
    Whole(Vec<u8>),
    /// Boxed: it holds a document's builder (one frame of megabytes in a thousand).
    Large(Box<LargeMessage>),
}

/// Why serving stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    Exit,
    EndOfInput,
}

/// Serves `service` over `input`/`output` until `exit` or the end of the input.
///
/// Reading and writing run on threads of their own with plain blocking I/O: one hand-over per
/// message, where tokio's stdin and stdout would take several. `outgoing` and `to_write` are
/// the two ends of [`output_channel`]: the server may send encoded messages on clones of
/// `outgoing` too. `state` receives the large documents built while they arrive.
pub async fn serve<I, O>(
    mut service: super::Service,
    socket: ClientSocket,
    state: std::sync::Arc<ServerState>,
    input: I,
    output: O,
    (outgoing, to_write): (Output, UnboundedReceiver<Outgoing>),
) -> Stop
where
    I: BufRead + Send + 'static,
    O: Write + Send + 'static,
{
    let writer = std::thread::spawn(move || write_messages(output, to_write));
    let (frames, mut incoming) = unbounded_channel::<Result<Frame, String>>();
    std::thread::spawn(move || read_messages(input, frames));
    let (mut server_messages, mut client_responses) = socket.split();
    let forward = outgoing.clone();
    let forwarding = tokio::spawn(async move {
        while let Some(request) = server_messages.next().await {
            send(&forward, &request);
        }
    });

    let stop = loop {
        let frame = match incoming.recv().await {
            Some(Ok(frame)) => frame,
            None => break Stop::EndOfInput,
            Some(Err(problem)) => {
                warn!("{problem}");
                send(
                    &outgoing,
                    &Response::from_error(Id::Null, Error::parse_error()),
                );
                continue;
            }
        };
        let started = std::time::Instant::now();
        let message = match frame {
            Frame::Whole(body) => parse(&body),
            Frame::Large(large) => match large.into_request() {
                Ok((request, received)) => {
                    state.offer_received_document(received);
                    Ok(Incoming::Request(request))
                }
                Err(body) => parse(&body),
            },
        };
        let message = match message {
            Ok(message) => message,
            Err(error) => {
                warn!(%error, "message is not JSON-RPC");
                send(&outgoing, &Response::from_error(Id::Null, error));
                continue;
            }
        };
        tracing::trace!(
            parse_ms = started.elapsed().as_secs_f64() * 1e3,
            "message parsed"
        );
        match message {
            Incoming::Response(response) => {
                if client_responses.send(response).await.is_err() {
                    warn!("a response from the client could not be delivered");
                }
            }
            Incoming::Request(request) => {
                // Answered here, under `catch_unwind` as the service's handlers are.
                let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    encoded::encoded_response(&state, &request)
                }));
                match answered {
                    Ok(Some(response)) => {
                        let _ = outgoing.send(Outgoing::Whole(response));
                        continue;
                    }
                    Ok(None) => {}
                    Err(_) => {
                        if let Some(answer) =
                            super::panicked(request.id().cloned(), request.method())
                        {
                            send(&outgoing, &answer);
                        }
                        continue;
                    }
                }
                let is_exit = request.method() == "exit";
                let Ok(ready) = service.ready().await else {
                    break Stop::Exit; // the service has exited
                };
                // Run the handler's synchronous part now, in arrival order (an edit is applied
                // before the next message is read); whatever it awaits goes on in a task, so
                // a handler waiting on the client cannot block reading the client's reply.
                let mut reply = ready.call(request);
                match futures::poll!(&mut reply) {
                    std::task::Poll::Ready(result) => reply_with(&outgoing, result),
                    std::task::Poll::Pending => {
                        let outgoing = outgoing.clone();
                        tokio::spawn(async move { reply_with(&outgoing, reply.await) });
                    }
                }
                if is_exit {
                    break Stop::Exit;
                }
            }
        }
    };
    // Let the messages already produced reach the client: the writer stops at this empty
    // message, after everything sent before it.
    forwarding.abort();
    let _ = outgoing.send(Outgoing::Whole(Vec::new()));
    drop(outgoing);
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    while !writer.is_finished() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    stop
}

/// An encoded message for the client.
pub enum Outgoing {
    Whole(Vec<u8>),
    /// A message whose length is known before all its bytes are: they follow on `pieces`, and
    /// the writer sends each as it comes (other messages wait until this one is complete).
    InPieces {
        length: usize,
        pieces: std::sync::mpsc::Receiver<Vec<u8>>,
    },
}

/// Where encoded messages for the client go: the writer of the client's output.
pub type Output = UnboundedSender<Outgoing>;

/// The channel of encoded messages to the client's output.
pub fn output_channel() -> (Output, UnboundedReceiver<Outgoing>) {
    unbounded_channel()
}

fn reply_with<E>(outgoing: &Output, result: Result<Option<Response>, E>) {
    if let Ok(Some(response)) = result {
        send(outgoing, &response);
    }
}

enum Incoming {
    Request(Request),
    Response(Response),
}

/// One JSON parse for a request or notification (a message with a `method`); responses from
/// the client are small and parsed again as such.
fn parse(body: &[u8]) -> Result<Incoming, Error> {
    if body.len() > large_message::LONG_STRING_BYTES {
        if let Some(request) = large_message::did_change_with_long_text(body) {
            return Ok(Incoming::Request(request));
        }
    }
    let request: Request = serde_json::from_slice(body).map_err(|error| {
        if error.is_data() {
            Error::invalid_request()
        } else {
            Error::parse_error()
        }
    })?;
    if !request.method().is_empty() {
        return Ok(Incoming::Request(without_null_params(request)));
    }
    serde_json::from_slice::<Response>(body)
        .map(Incoming::Response)
        .map_err(|_| Error::invalid_request())
}

/// Reads `"params": null` as no params: some clients send it for `shutdown` and `exit`, which
/// tower-lsp would refuse.
fn without_null_params(request: Request) -> Request {
    if request.params() != Some(&Value::Null) {
        return request;
    }
    let (method, id, _) = request.into_parts();
    let builder = Request::build(method);
    match id {
        Some(id) => builder.id(id).finish(),
        None => builder.finish(),
    }
}

fn send(outgoing: &Output, message: &impl serde::Serialize) {
    match serde_json::to_vec(message) {
        Ok(bytes) => {
            // The writer is gone only when output has failed; nothing more can be said.
            let _ = outgoing.send(Outgoing::Whole(bytes));
        }
        Err(error) => error!(%error, "cannot encode a message"),
    }
}

/// Writes each message as one frame, flushing when no other message is waiting.
fn write_messages(output: impl Write, mut messages: UnboundedReceiver<Outgoing>) {
    let mut output = std::io::BufWriter::with_capacity(64 << 10, output);
    while let Some(message) = messages.blocking_recv() {
        let started = std::time::Instant::now();
        let (written, bytes) = match message {
            Outgoing::Whole(body) if body.is_empty() => {
                let _ = output.flush();
                return; // serving has stopped
            }
            Outgoing::Whole(body) => (write_frame(&mut output, &body), body.len()),
            Outgoing::InPieces { length, pieces } => {
                (write_frame_in_pieces(&mut output, length, pieces), length)
            }
        };
        let written = written.and_then(|()| {
            if messages.is_empty() {
                output.flush()
            } else {
                Ok(())
            }
        });
        if let Err(error) = written {
            error!(%error, "cannot write to the client; stopping output");
            return;
        }
        tracing::trace!(
            bytes,
            write_ms = started.elapsed().as_secs_f64() * 1e3,
            "frame written"
        );
    }
}

fn write_frame(output: &mut impl Write, body: &[u8]) -> std::io::Result<()> {
    write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
    output.write_all(body)
}

/// Writes the frame of a message of `length` bytes, each piece as it arrives. The frame keeps
/// its length whatever comes, so that the messages after it stay readable: were the pieces
/// shorter (only a bug could make them so, or a writer that stopped), the rest is spaces,
/// which JSON allows after a value; were they longer, the excess is left out.
fn write_frame_in_pieces(
    output: &mut impl Write,
    length: usize,
    pieces: std::sync::mpsc::Receiver<Vec<u8>>,
) -> std::io::Result<()> {
    write!(output, "Content-Length: {length}\r\n\r\n")?;
    let mut left = length;
    for piece in pieces {
        if piece.len() > left {
            error!(
                length,
                "a message is longer than announced; its end is left out"
            );
        }
        let piece = &piece[..piece.len().min(left)];
        output.write_all(piece)?;
        output.flush()?;
        left -= piece.len();
    }
    if left > 0 {
        error!(
            length,
            left, "a message is shorter than announced; padded with spaces"
        );
        output.write_all(&vec![b' '; left])?;
    }
    Ok(())
}

/// Reads frames until the end of the input, handing each body (or what was wrong with it) on.
fn read_messages(mut input: impl BufRead, frames: UnboundedSender<Result<Frame, String>>) {
    while let Some(frame) = read_message(&mut input).transpose() {
        if frames.send(frame).is_err() {
            return; // serving has stopped
        }
    }
}

/// Reads one message. `Ok(None)` at the end of the input; `Err` for a frame that cannot be
/// read (reading resumes at the next header).
fn read_message(input: &mut impl BufRead) -> Result<Option<Frame>, String> {
    let mut content_length: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(error) => return Err(format!("unreadable header: {error}")),
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank line between messages
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().ok();
            }
        }
    }
    let length = content_length.ok_or("a message without a valid Content-Length header")?;
    if length > MAX_MESSAGE_BYTES {
        let skipped = std::io::copy(&mut input.take(length as u64), &mut std::io::sink());
        return match skipped {
            Ok(n) if n == length as u64 => Err(format!(
                "a message of {length} bytes is over the limit; skipped"
            )),
            _ => Ok(None),
        };
    }
    let started = std::time::Instant::now();
    let frame = if length >= large_message::LARGE_MESSAGE_BYTES {
        read_large(input, length)
    } else {
        let mut body = vec![0; length];
        match input.read_exact(&mut body) {
            Ok(()) => Ok(Some(Frame::Whole(body))),
            Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(error) => Err(format!("unreadable message body: {error}")),
        }
    };
    tracing::trace!(
        bytes = length,
        read_ms = started.elapsed().as_secs_f64() * 1e3,
        "frame read"
    );
    frame
}

fn read_large(input: &mut impl BufRead, length: usize) -> Result<Option<Frame>, String> {
    let mut body = input.take(length as u64);
    let read = large_message::read(&mut body, length);
    match read {
        Ok(large) => Ok(Some(Frame::Large(Box::new(large)))),
        Err(ReadError::EndOfInput) => Ok(None),
        Err(ReadError::Io(error)) => Err(format!("unreadable message body: {error}")),
        Err(ReadError::Invalid(problem)) => {
            // Skip the rest of the frame so reading resumes at the next header.
            let _ = std::io::copy(&mut body, &mut std::io::sink());
            Err(format!("a large message is not valid JSON: {problem}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frame written for a message announced as `length` bytes and sent as `pieces`.
    fn frame_in_pieces(length: usize, pieces: &[&[u8]]) -> Vec<u8> {
        let (sender, receiver) = std::sync::mpsc::channel();
        for piece in pieces {
            sender.send(piece.to_vec()).unwrap();
        }
        drop(sender);
        let mut output = Vec::new();
        write_frame_in_pieces(&mut output, length, receiver).unwrap();
        output
    }

    #[test]
    fn a_message_in_pieces_is_one_frame_of_its_announced_length() {
        assert_eq!(
            frame_in_pieces(7, &[b"[1,", b"2,", b"3]"]),
            b"Content-Length: 7\r\n\r\n[1,2,3]"
        );
        // Whatever the pieces, the frame keeps its length, so the next frame is read right:
        // too short, spaces (JSON allows them after the value); too long, the excess left out.
        assert_eq!(
            frame_in_pieces(9, &[b"[1,", b"2]"]),
            b"Content-Length: 9\r\n\r\n[1,2]    "
        );
        assert_eq!(
            frame_in_pieces(3, &[b"[1]", b"xx"]),
            b"Content-Length: 3\r\n\r\n[1]"
        );
    }
}
