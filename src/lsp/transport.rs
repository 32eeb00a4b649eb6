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
    /// Writing to the client failed (it closed the pipe): nothing more can be answered.
    OutputFailed,
}

/// Serves `service` over `input`/`output` until `exit`, the end of the input, or a failed
/// write to the output.
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
    let (writer_stopped, mut output_failed) = tokio::sync::oneshot::channel::<()>();
    let writer = std::thread::spawn(move || {
        write_messages(output, to_write);
        // Before `exit`, the writer stops only when the output fails.
        let _ = writer_stopped.send(());
    });
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
        let received = tokio::select! {
            // First, so that a client that keeps writing cannot keep a server that can no
            // longer answer it busy.
            biased;
            _ = &mut output_failed => break Stop::OutputFailed,
            received = incoming.recv() => received,
        };
        let frame = match received {
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
fn read_messages(input: impl BufRead, frames: UnboundedSender<Result<Frame, String>>) {
    let mut reader = Reader::new(input);
    while let Some(frame) = reader.read_message().transpose() {
        if frames.send(frame).is_err() {
            return; // serving has stopped
        }
    }
}

/// A header line longer than this is no header: only its last bytes are kept, where the next
/// frame's header may follow what came before it (see [`Reader`]).
const MAX_HEADER_LINE_BYTES: usize = 1024;

/// The header that starts a frame, and that [`Reader`] resynchronises on.
const CONTENT_LENGTH: &[u8] = b"content-length:";

/// Reads frames from the client's input, recovering from bad ones.
///
/// A frame that cannot be read is reported once (the transport answers it with a
/// `ParseError`); what follows is skipped, logged, up to the next `Content-Length:` header,
/// even one in the middle of a line: the body of a frame has no line break, so the header of
/// the frame after a cut or unreadable one follows its body on the same line. Lines are read
/// with bounded memory, however long.
struct Reader<I> {
    input: I,
    /// A header line found at the end of a line, to read before the input.
    next_line: Option<Vec<u8>>,
    /// After a frame whose headers gave no length: its body comes, and is skipped quietly.
    after_unreadable_frame: bool,
}

/// One line of input, without its line break.
struct Line {
    /// Its last [`MAX_HEADER_LINE_BYTES`] bytes at most.
    kept: Vec<u8>,
    /// How many bytes before them were dropped.
    dropped: usize,
}

impl<I: BufRead> Reader<I> {
    fn new(input: I) -> Reader<I> {
        Reader {
            input,
            next_line: None,
            after_unreadable_frame: false,
        }
    }

    /// Reads one message. `Ok(None)` at the end of the input (or when it fails: there is
    /// nothing more to read); `Err` for a frame that cannot be read (reading resumes at the
    /// next header).
    fn read_message(&mut self) -> Result<Option<Frame>, String> {
        let mut content_length: Option<Result<usize, String>> = None;
        let mut saw_header = false;
        let mut skipped = 0;
        loop {
            let line = match self.next_line.take() {
                Some(kept) => Line { kept, dropped: 0 },
                None => match self.read_line() {
                    Ok(Some(line)) => line,
                    Ok(None) => return Ok(None),
                    Err(error) => {
                        error!(%error, "cannot read the client's input; stopping");
                        return Ok(None);
                    }
                },
            };
            // A frame's header after something else: what came before it is no header.
            let header_at = rfind_ignoring_case(&line.kept, CONTENT_LENGTH)
                .filter(|&at| at > 0 || line.dropped > 0);
            if let Some(at) = header_at {
                self.next_line = Some(line.kept[at..].to_vec());
                if saw_header {
                    // The headers of this frame run into the next: they had no blank line.
                    return Err(
                        "a frame's headers run into the next frame's; the frame is skipped"
                            .to_string(),
                    );
                }
                skipped += line.dropped + at;
                continue;
            }
            if line.kept.is_empty() {
                if saw_header {
                    break;
                }
                continue; // stray blank line between messages
            }
            match header(&line.kept) {
                Some((name, value)) if line.dropped == 0 => {
                    if !saw_header {
                        self.log_skipped(skipped);
                        skipped = 0;
                    }
                    saw_header = true;
                    if name.eq_ignore_ascii_case("content-length") {
                        content_length = Some(parse_length(value));
                    }
                }
                _ if saw_header => {
                    warn!(
                        bytes = line.kept.len() + line.dropped,
                        "a line among a frame's headers that is no header; ignored"
                    );
                }
                _ => skipped += line.kept.len() + line.dropped + 1,
            }
        }
        let length = match content_length {
            Some(Ok(length)) => length,
            problem => {
                self.after_unreadable_frame = true;
                let problem = match problem {
                    Some(Err(problem)) => problem,
                    _ => "no Content-Length header".to_string(),
                };
                return Err(format!("a frame that cannot be read: {problem}"));
            }
        };
        self.read_body(length)
    }

    /// Logs the `bytes` skipped before a frame's first header.
    fn log_skipped(&mut self, bytes: usize) {
        let after_unreadable_frame = std::mem::take(&mut self.after_unreadable_frame);
        if bytes == 0 {
            // Nothing skipped: this frame follows the one before right away.
        } else if after_unreadable_frame {
            tracing::debug!(
                bytes,
                "the body of the frame that could not be read skipped"
            );
        } else {
            warn!(
                bytes,
                "input that is no frame skipped, up to the next header"
            );
        }
    }

    /// The next line, however long, in bounded memory. `None` at the end of the input, also
    /// in the middle of a line (a frame cut there is no frame).
    fn read_line(&mut self) -> std::io::Result<Option<Line>> {
        let mut line = Line {
            kept: Vec::new(),
            dropped: 0,
        };
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            };
            if available.is_empty() {
                return Ok(None);
            }
            let end = memchr::memchr(b'\n', available);
            let piece = &available[..end.unwrap_or(available.len())];
            // Keep the last MAX_HEADER_LINE_BYTES bytes of the line.
            let from = piece.len().saturating_sub(MAX_HEADER_LINE_BYTES);
            line.dropped += from;
            line.kept.extend_from_slice(&piece[from..]);
            let excess = line.kept.len().saturating_sub(MAX_HEADER_LINE_BYTES);
            line.kept.drain(..excess);
            line.dropped += excess;
            let used = end.map_or(available.len(), |end| end + 1);
            self.input.consume(used);
            if end.is_some() {
                if line.kept.last() == Some(&b'\r') {
                    line.kept.pop();
                }
                return Ok(Some(line));
            }
        }
    }

    fn read_body(&mut self, length: usize) -> Result<Option<Frame>, String> {
        let input = &mut self.input;
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
                Err(error) => {
                    error!(%error, "cannot read the client's input; stopping");
                    Ok(None)
                }
            }
        };
        tracing::trace!(
            bytes = length,
            read_ms = started.elapsed().as_secs_f64() * 1e3,
            "frame read"
        );
        frame
    }
}

/// A header line's name and value, if it is one: a name of token characters (RFC 9110), a
/// colon, and a value.
fn header(line: &[u8]) -> Option<(&str, &[u8])> {
    let colon = memchr::memchr(b':', line)?;
    let name = std::str::from_utf8(&line[..colon]).ok()?;
    let is_token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    (!name.is_empty() && name.chars().all(is_token)).then_some((name, &line[colon + 1..]))
}

fn parse_length(value: &[u8]) -> Result<usize, String> {
    let text = String::from_utf8_lossy(value);
    text.trim_matches([' ', '\t'])
        .parse()
        .map_err(|_| format!("Content-Length {:?} is no length", text.trim()))
}

/// Where the last `needle` (lower case ASCII) is in `haystack`, in any case.
fn rfind_ignoring_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window.eq_ignore_ascii_case(needle))
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

    /// What a reader makes of `input`: each frame's body as text, `Err` for each frame that
    /// cannot be read, up to the end of the input.
    fn frames_of(input: &[u8]) -> Vec<Result<String, ()>> {
        let mut reader = Reader::new(input);
        let mut frames = Vec::new();
        while let Some(frame) = reader.read_message().transpose() {
            frames.push(frame.map_err(drop).map(|frame| match frame {
                Frame::Whole(body) => String::from_utf8(body).unwrap(),
                Frame::Large(_) => panic!("a large frame"),
            }));
        }
        frames
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn frames_and_their_headers_in_any_case() {
        let input = format!(
            "{}\r\ncontent-LENGTH: 3\r\nContent-Type: x\r\n\r\n{{}}2{}",
            framed("{}1"),
            framed("{}3")
        );
        assert_eq!(
            frames_of(input.as_bytes()),
            [Ok("{}1".into()), Ok("{}2".into()), Ok("{}3".into())]
        );
    }

    #[test]
    fn reading_resumes_at_the_next_header_after_a_bad_frame() {
        let next = framed("{}");
        // A length that is no length: its body runs into the next frame's header.
        for length in ["abc", "-5", "", "3\0"] {
            let input = format!("Content-Length: {length}\r\n\r\n{{\"body\":1}}{next}");
            assert_eq!(frames_of(input.as_bytes()), [Err(()), Ok("{}".into())]);
        }
        // No length at all; a header with no colon, or no header, inside the headers.
        let input = format!("Content-Type: x\r\n\r\n{{}}{next}");
        assert_eq!(frames_of(input.as_bytes()), [Err(()), Ok("{}".into())]);
        let input = "Content-Length: 2\r\nno colon\r\n{\"x\":0}: y\r\n\r\n{}";
        assert_eq!(frames_of(input.as_bytes()), [Ok("{}".into())]);
        // Too short: the end of the body is skipped up to the next header.
        let input = format!("Content-Length: 4\r\n\r\n{{\"a\":[1,2]}}{next}");
        assert_eq!(
            frames_of(input.as_bytes()),
            [Ok("{\"a\"".into()), Ok("{}".into())]
        );
        // Too long: it takes the start of the next frame, whose rest is skipped.
        let input = format!("Content-Length: 12\r\n\r\n{{}}{}{next}", framed("{}"));
        assert_eq!(
            frames_of(input.as_bytes()),
            [Ok("{}Content-Le".into()), Err(()), Ok("{}".into())]
        );
        // No blank line after the headers: the next frame's header follows the body.
        let input = format!("Content-Length: 2\r\n{{}}{next}");
        assert_eq!(frames_of(input.as_bytes()), [Err(()), Ok("{}".into())]);
        // Anything before a frame, even a header name inside it, and NUL bytes.
        let input = format!("garbage\r\n\0\0{{\"Content-Length: 9\"}}x{next}");
        assert_eq!(frames_of(input.as_bytes()), [Ok("{}".into())]);
    }

    #[test]
    fn a_line_of_any_length_is_read_in_bounded_memory() {
        let input = format!("{}\n", "x".repeat(3 * MAX_HEADER_LINE_BYTES + 7));
        let mut reader = Reader::new(std::io::BufReader::with_capacity(100, input.as_bytes()));
        let line = reader.read_line().unwrap().unwrap();
        assert_eq!(line.kept.len(), MAX_HEADER_LINE_BYTES);
        assert_eq!(line.dropped, 2 * MAX_HEADER_LINE_BYTES + 7);
        // A long line before a frame, or as a header: skipped, ignored.
        let long = "y".repeat(10 * MAX_HEADER_LINE_BYTES);
        let next = framed("{}");
        let input =
            format!("{long}{next}X-Long: {long}\r\nContent-Length: 2\r\nX: {long}\r\n\r\n[]");
        assert_eq!(
            frames_of(input.as_bytes()),
            [Ok("{}".into()), Ok("[]".into())]
        );
        // Cut by the end of the input: no frame.
        assert_eq!(frames_of(b"Content-Length: 2\r\n\r\n{"), []);
        assert_eq!(frames_of(b"Content-Len"), []);
    }

    #[test]
    fn input_that_fails_ends_reading() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("the input is broken"))
            }
        }
        let mut reader = Reader::new(std::io::BufReader::new(Failing));
        assert!(matches!(reader.read_message(), Ok(None)));
    }

    /// An input that gives `bytes`, then blocks for ever, as a client that stays.
    struct ThenBlocks(std::io::Cursor<Vec<u8>>);
    impl Read for ThenBlocks {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => loop {
                    std::thread::park();
                },
                read => Ok(read),
            }
        }
    }

    /// An output that fails, as a pipe whose reader has gone.
    struct BrokenPipe;
    impl Write for BrokenPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn serving_stops_when_the_output_fails() {
        let output = output_channel();
        let state = ServerState::with_encoded_output(output.0.clone());
        let state = std::sync::Arc::new(state);
        let (service, socket) = super::super::build_service(state.clone());
        let initialize = framed(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        );
        let input = std::io::BufReader::new(ThenBlocks(std::io::Cursor::new(initialize.into())));
        let serving = serve(service, socket, state, input, BrokenPipe, output);
        let stop = tokio::time::timeout(Duration::from_secs(5), serving).await;
        assert_eq!(stop, Ok(Stop::OutputFailed));
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
