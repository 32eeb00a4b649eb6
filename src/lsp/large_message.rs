//! Large messages, read as they arrive.
//!
//! A `didOpen` of a 10 MB book is a 10 MB JSON string. Reading the whole frame, then parsing
//! it, then analysing the document would be three passes one after the other. Here the frame
//! is decoded block by block while the client is still writing it: the long string is
//! unescaped and checked as UTF-8 as it comes, and [`DocumentBuilder`]'s threads build the
//! document from it (rope and index) at the same time. The rest of the message (its
//! "skeleton", with that string replaced by `""`) is parsed by serde_json at the end. A message
//! that turns out not to be a `didOpen` is put back together and goes the ordinary way.

use std::borrow::Cow;
use std::io::Read;

use memchr::{memchr, memchr2};
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;
use tower_lsp::jsonrpc::Request;
use tower_lsp::lsp_types::Url;

use super::json_text;
use crate::document::{Document, DocumentBuilder};

/// Messages shorter than this are read whole.
pub const LARGE_MESSAGE_BYTES: usize = 1 << 20;

/// A string literal longer than this is taken out of the skeleton (the first one only).
pub const LONG_STRING_BYTES: usize = 64 << 10;

/// How much is read at a time: a quarter of the pipe, so the builders get the text in small
/// pieces and have less left to do after its last byte (2-3 ms sooner than with 1 MB).
const BLOCK_BYTES: usize = 256 << 10;

/// A large message as read: its skeleton and, if it had one, its long string.
#[derive(Debug)]
pub struct LargeMessage {
    skeleton: Vec<u8>,
    long_string: Option<LongString>,
}

#[derive(Debug)]
struct LongString {
    /// Where its `""` stands in the skeleton.
    at: usize,
    /// The document made of its value.
    document: Document,
}

/// The document of a large `didOpen`, already built; the request handed on carries an empty
/// text in its place.
#[derive(Debug)]
pub struct ReceivedDocument {
    pub uri: Url,
    pub version: i32,
    pub document: Document,
}

impl LargeMessage {
    /// The message as a request, with the document of a `didOpen`'s text; `Err` with the
    /// message's bytes, put back together, when it is not a `didOpen` with a long text.
    pub fn into_request(self) -> Result<(Request, ReceivedDocument), Vec<u8>> {
        let Some(long) = self.long_string else {
            return Err(self.skeleton);
        };
        let document = serde_json::from_slice::<Message<OpenParams>>(&self.skeleton)
            .ok()
            .filter(|message| is_did_open_with_text_at(message, &self.skeleton, long.at))
            .map(|message| message.params.text_document);
        let identity = document.and_then(|document| {
            let uri = Url::parse(&document.uri).ok()?;
            let version = i32::try_from(document.version).ok()?;
            Some((uri, version, document.language_id))
        });
        let Some((uri, version, language_id)) = identity else {
            return Err(reassemble(self.skeleton, long));
        };
        let item = json!({ "uri": uri, "languageId": language_id, "version": version, "text": "" });
        let request = Request::build("textDocument/didOpen")
            .params(json!({ "textDocument": item }))
            .finish();
        let received = ReceivedDocument {
            uri,
            version,
            document: long.document,
        };
        Ok((request, received))
    }
}

/// A message read from a skeleton, its params as `P`.
#[derive(Deserialize)]
struct Message<'a, P> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    method: Cow<'a, str>,
    params: P,
}

impl<P> Message<'_, P> {
    fn is_notification(&self, method: &str) -> bool {
        self.jsonrpc == "2.0" && self.id.is_none() && self.method == method
    }
}

/// Where `value`, read from `skeleton`, stands in it.
fn offset_in(skeleton: &[u8], value: &RawValue) -> usize {
    (value.get().as_ptr() as usize).wrapping_sub(skeleton.as_ptr() as usize)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenParams<'a> {
    #[serde(borrow)]
    text_document: OpenDocument<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OpenDocument<'a> {
    uri: String,
    language_id: String,
    version: i64,
    #[serde(borrow)]
    text: &'a RawValue,
}

/// Whether `message`, parsed from `skeleton`, is a `didOpen` notification whose text is the
/// `""` at `at`.
fn is_did_open_with_text_at(message: &Message<OpenParams>, skeleton: &[u8], at: usize) -> bool {
    let text = message.params.text_document.text;
    message.is_notification("textDocument/didOpen")
        && text.get() == "\"\""
        && offset_in(skeleton, text) == at
}

/// The message with its long string escaped again in its place.
fn reassemble(mut skeleton: Vec<u8>, long: LongString) -> Vec<u8> {
    let tail = skeleton.split_off(long.at + 2);
    skeleton.truncate(long.at);
    // Escaping a String cannot fail.
    let _ = serde_json::to_writer(&mut skeleton, &long.document.text().to_string());
    skeleton.extend_from_slice(&tail);
    skeleton
}

/// A `didChange` with a long text (a paste), parsed with that text unescaped here (eight bytes
/// at a time; serde_json takes some three times as long over it) and the small rest by
/// serde_json. `None` for any other message, and for one that is not valid JSON-RPC: it then
/// goes the ordinary way, which says what is wrong.
pub fn did_change_with_long_text(body: &[u8]) -> Option<Request> {
    let (open, close) = first_long_string(body)?;
    let text = unescape_string(&body[open + 1..close])?;
    let mut skeleton = Vec::with_capacity(body.len() - (close - open) + 1);
    skeleton.extend_from_slice(&body[..=open]);
    skeleton.extend_from_slice(&body[close..]);
    let message: Message<ChangeParams> = serde_json::from_slice(&skeleton).ok()?;
    if !message.is_notification("textDocument/didChange") {
        return None;
    }
    let change = message
        .params
        .content_changes
        .iter()
        .position(|change| offset_in(&skeleton, change.text) == open)?;
    let mut value: serde_json::Value = serde_json::from_slice(&skeleton).ok()?;
    let slot = value.pointer_mut(&format!("/params/contentChanges/{change}/text"))?;
    *slot = serde_json::Value::String(text);
    serde_json::from_value(value).ok()
}

/// Where the first string longer than [`LONG_STRING_BYTES`] starts and ends (its quotes).
fn first_long_string(body: &[u8]) -> Option<(usize, usize)> {
    let mut at = 0;
    loop {
        let open = at + memchr(b'"', &body[at..])?;
        let mut inside = open + 1;
        let close = loop {
            let stop = inside + memchr2(b'"', b'\\', body.get(inside..)?)?;
            if body[stop] == b'"' {
                break stop;
            }
            // An escape: its backslash and the byte after (the rest of a `\u` has no quote).
            inside = stop + 2;
        };
        if close - open > LONG_STRING_BYTES {
            return Some((open, close));
        }
        at = close + 1;
    }
}

/// The text of a string's content (between its quotes), if it is valid JSON and UTF-8.
fn unescape_string(content: &[u8]) -> Option<String> {
    // Unescaping never lengthens the text: one allocation.
    let mut text = Vec::with_capacity(content.len());
    let mut at = 0;
    while let Some(stop) = json_text::first_byte_to_escape(&content[at..]) {
        text.extend_from_slice(&content[at..at + stop]);
        at += stop;
        if content[at] != b'\\' {
            return None; // a control character (a quote cannot be inside)
        }
        let length = escape_length(&content[at..])?;
        unescape(&content[at..at + length], &mut text).ok()?;
        at += length;
    }
    text.extend_from_slice(&content[at..]);
    simdutf8::basic::from_utf8(&text).ok()?;
    // SAFETY: simdutf8 has just checked that these bytes are UTF-8.
    Some(unsafe { String::from_utf8_unchecked(text) })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangeParams<'a> {
    #[serde(borrow)]
    content_changes: Vec<ChangeText<'a>>,
}

#[derive(Deserialize)]
struct ChangeText<'a> {
    #[serde(borrow)]
    text: &'a RawValue,
}

/// Reads a message body of `length` bytes from `input`, decoding it as it arrives.
/// `Err` says what was wrong: the input ended or failed, or the long string is not valid.
pub fn read(input: &mut impl Read, length: usize) -> Result<LargeMessage, ReadError> {
    let mut decoder = Decoder::default();
    let mut block = vec![0; BLOCK_BYTES.min(length) + MAX_ESCAPE_BYTES];
    let mut filled = 0; // bytes in `block` not yet decoded
    let mut remaining = length;
    while remaining > 0 {
        let room = (block.len() - filled).min(remaining);
        let read = match input.read(&mut block[filled..filled + room]) {
            Ok(0) => return Err(ReadError::EndOfInput),
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(ReadError::Io(error)),
        };
        remaining -= read;
        filled += read;
        let decoded = decoder.feed(&block[..filled], remaining == 0)?;
        block.copy_within(decoded..filled, 0);
        filled -= decoded;
    }
    decoder.finish()
}

#[derive(Debug)]
pub enum ReadError {
    EndOfInput,
    Io(std::io::Error),
    Invalid(&'static str),
}

/// `\uD83D\uDE00`: the longest escape.
const MAX_ESCAPE_BYTES: usize = 12;

#[derive(Default)]
struct Decoder {
    skeleton: Vec<u8>,
    state: State,
    /// Where the string being read starts in the skeleton (its opening quote).
    string_start: usize,
    /// The long string once it is closed.
    long_string: Option<LongString>,
}

#[derive(Default)]
enum State {
    #[default]
    Outside,
    InString,
    InLongString(LongDecoder),
}

/// The long string being unescaped, and the document being built of it.
struct LongDecoder {
    /// Unescaped bytes not yet checked as UTF-8 (a character may be cut at a block's end).
    unchecked: Vec<u8>,
    document: DocumentBuilder,
}

impl LongDecoder {
    fn start() -> Result<LongDecoder, ReadError> {
        Ok(LongDecoder {
            unchecked: Vec::new(),
            // By the built-in rules: the store reads it again if the settings give others.
            document: DocumentBuilder::start(Default::default()).map_err(ReadError::Io)?,
        })
    }

    fn finish(self) -> Result<Document, ReadError> {
        self.document
            .finish()
            .ok_or(ReadError::Invalid("the document could not be built"))
    }
}

impl Decoder {
    /// Decodes what it can of `bytes`; returns how many bytes it used. The rest (an escape cut
    /// at the block's end, at most a few bytes) comes again at the start of the next block.
    fn feed(&mut self, bytes: &[u8], last: bool) -> Result<usize, ReadError> {
        let mut at = 0;
        while at < bytes.len() {
            let rest = &bytes[at..];
            let used = match &mut self.state {
                State::Outside => self.outside(rest),
                State::InString => self.in_string(rest)?,
                State::InLongString(long) => {
                    let (used, closed) = long.unescape_until_quote(rest)?;
                    if closed {
                        self.close_long()?;
                    }
                    used
                }
            };
            if used == 0 {
                break; // an escape needs more bytes
            }
            at += used;
        }
        if let State::InLongString(long) = &mut self.state {
            long.check_utf8(last)?;
        }
        if last && at < bytes.len() {
            return Err(ReadError::Invalid("the message ends inside an escape"));
        }
        Ok(at)
    }

    fn finish(self) -> Result<LargeMessage, ReadError> {
        if !matches!(self.state, State::Outside) {
            return Err(ReadError::Invalid("the message ends inside a string"));
        }
        Ok(LargeMessage {
            skeleton: self.skeleton,
            long_string: self.long_string,
        })
    }

    fn outside(&mut self, bytes: &[u8]) -> usize {
        match memchr(b'"', bytes) {
            None => {
                self.skeleton.extend_from_slice(bytes);
                bytes.len()
            }
            Some(quote) => {
                self.string_start = self.skeleton.len() + quote;
                self.skeleton.extend_from_slice(&bytes[..=quote]);
                self.state = State::InString;
                quote + 1
            }
        }
    }

    fn in_string(&mut self, bytes: &[u8]) -> Result<usize, ReadError> {
        let used = match memchr2(b'"', b'\\', bytes) {
            None => bytes.len(),
            Some(stop) if bytes[stop] == b'"' => {
                self.state = State::Outside;
                stop + 1
            }
            // Escapes are copied whole, so the skeleton never ends inside one.
            Some(backslash) => match escape_length(&bytes[backslash..]) {
                Some(length) => backslash + length,
                None => backslash,
            },
        };
        self.skeleton.extend_from_slice(&bytes[..used]);
        if self.long_string.is_none() && self.skeleton.len() - self.string_start > LONG_STRING_BYTES
        {
            self.become_long()?;
        }
        Ok(used)
    }

    /// Takes the string being read (or just read) out of the skeleton and unescapes it.
    fn become_long(&mut self) -> Result<(), ReadError> {
        let closed = matches!(self.state, State::Outside);
        let mut content = self.skeleton.split_off(self.string_start + 1);
        self.skeleton.truncate(self.string_start);
        if closed {
            content.pop(); // the closing quote
        }
        let mut long = LongDecoder::start()?;
        // The content holds whole escapes only, and no closing quote: it is used up at once.
        let (used, _) = long.unescape_until_quote(&content)?;
        debug_assert_eq!(used, content.len());
        self.state = State::InLongString(long);
        if closed {
            self.close_long()?;
        }
        Ok(())
    }

    fn close_long(&mut self) -> Result<(), ReadError> {
        let State::InLongString(mut long) = std::mem::take(&mut self.state) else {
            return Ok(());
        };
        long.check_utf8(true)?;
        let received = std::time::Instant::now();
        let document = long.finish()?;
        tracing::trace!(
            wait_ms = received.elapsed().as_secs_f64() * 1e3,
            "long string received; document built"
        );
        self.long_string = Some(LongString {
            at: self.string_start,
            document,
        });
        self.skeleton.extend_from_slice(b"\"\"");
        Ok(())
    }
}

impl LongDecoder {
    /// Unescapes `bytes` up to the string's closing quote, or up to an escape cut at their end.
    /// Returns how many bytes it used, and whether it used the closing quote.
    fn unescape_until_quote(&mut self, bytes: &[u8]) -> Result<(usize, bool), ReadError> {
        // Unescaping never lengthens the text: one allocation at most.
        self.unchecked.reserve(bytes.len());
        let mut at = 0;
        loop {
            let Some(stop) = json_text::first_byte_to_escape(&bytes[at..]) else {
                self.unchecked.extend_from_slice(&bytes[at..]);
                return Ok((bytes.len(), false));
            };
            self.unchecked.extend_from_slice(&bytes[at..at + stop]);
            at += stop;
            match bytes[at] {
                b'"' => return Ok((at + 1, true)),
                b'\\' => {}
                _ => return Err(ReadError::Invalid("a control character in a string")),
            }
            let Some(length) = escape_length(&bytes[at..]) else {
                return Ok((at, false));
            };
            unescape(&bytes[at..at + length], &mut self.unchecked)?;
            at += length;
        }
    }

    /// Hands the whole characters of `unchecked` to the builder, checking them. At the `end`,
    /// there must be no cut character left.
    fn check_utf8(&mut self, end: bool) -> Result<(), ReadError> {
        let whole = if end {
            self.unchecked.len()
        } else {
            start_of_last_char(&self.unchecked)
        };
        simdutf8::basic::from_utf8(&self.unchecked[..whole])
            .map_err(|_| ReadError::Invalid("the document's text is not valid UTF-8"))?;
        // The checked bytes become the piece as they are (no copy of the text); the cut
        // character, a few bytes at most, starts the next one.
        let mut next = Vec::with_capacity(self.unchecked.capacity());
        next.extend_from_slice(&self.unchecked[whole..]);
        let mut piece = std::mem::replace(&mut self.unchecked, next);
        piece.truncate(whole);
        // SAFETY: simdutf8 has just checked that these bytes are UTF-8.
        let piece = unsafe { String::from_utf8_unchecked(piece) };
        self.document.push(piece);
        Ok(())
    }
}

/// Where the last (possibly incomplete) character of `bytes` starts.
fn start_of_last_char(bytes: &[u8]) -> usize {
    let continuation = |b: &u8| b & 0xc0 == 0x80;
    let trailing = bytes
        .iter()
        .rev()
        .take(3)
        .take_while(|b| continuation(b))
        .count();
    bytes.len().saturating_sub(trailing + 1)
}

/// The length of the escape at the start of `bytes` (a backslash), or `None` if `bytes` ends
/// before it does. An invalid escape counts as two bytes; [`unescape`] refuses it.
fn escape_length(bytes: &[u8]) -> Option<usize> {
    match bytes.get(1)? {
        b'u' => {
            let high = hex4(bytes.get(2..6)?);
            let is_high_surrogate = high.is_some_and(|unit| (0xd800..0xdc00).contains(&unit));
            if !is_high_surrogate {
                return Some(6);
            }
            match (bytes.get(6)?, bytes.get(7)) {
                (b'\\', None) => None,
                (b'\\', Some(b'u')) => bytes.get(8..12).map(|_| 12),
                _ => Some(6),
            }
        }
        _ => Some(2),
    }
}

/// Appends the character an escape stands for.
fn unescape(escape: &[u8], out: &mut Vec<u8>) -> Result<(), ReadError> {
    let invalid = ReadError::Invalid("an invalid escape in a string");
    let simple = match escape.get(1) {
        Some(b'"') => b'"',
        Some(b'\\') => b'\\',
        Some(b'/') => b'/',
        Some(b'b') => 0x08,
        Some(b'f') => 0x0c,
        Some(b'n') => b'\n',
        Some(b'r') => b'\r',
        Some(b't') => b'\t',
        Some(b'u') => {
            let high = escape.get(2..6).and_then(hex4).ok_or(invalid)?;
            let unit = match escape.get(8..12).and_then(hex4) {
                Some(low) if (0xdc00..0xe000).contains(&low) => {
                    0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
                }
                _ => high,
            };
            // A lone surrogate is not a character: serde_json refuses it too.
            let c = char::from_u32(unit)
                .ok_or(ReadError::Invalid("a lone surrogate escape in a string"))?;
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            return Ok(());
        }
        _ => return Err(invalid),
    };
    out.push(simple);
    Ok(())
}

fn hex4(digits: &[u8]) -> Option<u32> {
    let digits = std::str::from_utf8(digits).ok()?;
    (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u32::from_str_radix(digits, 16).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads `message` the large way, the input cut into pieces of `piece` bytes.
    fn read_in_pieces(message: &[u8], piece: usize) -> Result<LargeMessage, ReadError> {
        struct Pieces<'a>(&'a [u8], usize);
        impl Read for Pieces<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        read(&mut Pieces(message, piece), message.len())
    }

    fn did_open(text: &str) -> String {
        serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": { "textDocument": { "uri": "file:///a.txt", "languageId": "plaintext", "version": 3, "text": text } },
        })
        .to_string()
    }

    fn long_text(line: &str) -> String {
        line.repeat(LONG_STRING_BYTES / line.len() + 2)
    }

    proptest! {
        #[test]
        fn a_did_open_read_in_any_pieces_is_the_ordinary_request(
            line in "(\\PC|[\\n\\r\\t\\u{0}-\\u{1f}\"\\\\/]|𠮷|😀){1,40}",
            piece in 1usize..5000,
        ) {
            let text = long_text(&line);
            let message = did_open(&text);
            let Ok((request, received)) = read_in_pieces(message.as_bytes(), piece)
                .unwrap()
                .into_request() else {
                    panic!("not taken as a didOpen");
                };
            // The same request with the text left out, and the document of that text.
            let ordinary: Request = serde_json::from_str(&did_open("")).unwrap();
            prop_assert_eq!(request, ordinary);
            prop_assert_eq!((received.uri.as_str(), received.version), ("file:///a.txt", 3));
            let document = Document::new(&text);
            prop_assert_eq!(received.document.text(), document.text());
            prop_assert_eq!(received.document.analysis(), document.analysis());
        }

        #[test]
        fn any_other_message_comes_back_as_the_same_json(
            line in "(\\PC|[\\n\"\\\\]|𠮷){1,20}",
            piece in 1usize..5000,
        ) {
            let message = serde_json::json!({
                "jsonrpc": "2.0", "id": 1, "method": "workspace/executeCommand",
                "params": { "command": "x", "arguments": [long_text(&line), "short"] },
            }).to_string();
            let Err(bytes) = read_in_pieces(message.as_bytes(), piece).unwrap().into_request() else {
                panic!("taken as a didOpen");
            };
            let back: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let original: serde_json::Value = serde_json::from_str(&message).unwrap();
            prop_assert_eq!(back, original);
        }
    }

    /// A didChange of two changes, the second with `text` written as it is (already JSON).
    fn did_change_json(text_json: &str) -> String {
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"file:///a.txt","version":4}},"contentChanges":[{{"range":{{"start":{{"line":0,"character":0}},"end":{{"line":0,"character":1}}}},"text":"x"}},{{"text":"{text_json}"}}]}}}}"#
        )
    }

    proptest! {
        #[test]
        fn a_did_change_with_a_long_text_is_the_request_serde_json_reads(
            // Pieces of a JSON string as written: characters, and each kind of escape.
            pieces in proptest::collection::vec(
                "(\\PC|中|𠮷|😀|\\\\n|\\\\r\\\\n|\\\\t|\\\\\"|\\\\\\\\|\\\\/|\\\\u00e9|\\\\u0000|\\\\ud842\\\\udfb7)",
                1..40,
            ),
        ) {
            // (`\PC` also gives `"` and `\`: written escaped.)
            let line: String = pieces
                .iter()
                .map(|piece| match piece.as_str() {
                    "\"" => "\\\"".to_string(),
                    "\\" => "\\\\".to_string(),
                    piece => piece.to_string(),
                })
                .collect();
            let message = did_change_json(&long_text(&line));
            let ordinary: Request = serde_json::from_str(&message).unwrap();
            prop_assert_eq!(did_change_with_long_text(message.as_bytes()), Some(ordinary));
        }
    }

    #[test]
    fn only_a_valid_did_change_text_is_read_the_quick_way() {
        let valid = did_change_json(&long_text("中"));
        assert!(did_change_with_long_text(valid.as_bytes()).is_some());
        // What serde_json refuses goes the ordinary way (which says what is wrong): a lone
        // surrogate, a bad escape, a raw control character, invalid UTF-8.
        let lone = valid.replacen('中', "\\ud842", 1);
        let bad_escape = valid.replacen('中', "\\x", 1);
        let raw_newline = valid.replacen('中', "\n", 1);
        let mut not_utf8 = valid.clone().into_bytes();
        let at = not_utf8.len() / 2;
        not_utf8[at] = 0xff;
        for message in [
            lone.as_bytes(),
            bad_escape.as_bytes(),
            raw_newline.as_bytes(),
            &not_utf8,
        ] {
            assert!(serde_json::from_slice::<Request>(message).is_err());
            assert_eq!(did_change_with_long_text(message), None);
        }
        // A long string that is not a change's text, another method, a request.
        let long_uri = valid.replacen("file:///a.txt", &long_text("u"), 1);
        let other = valid.replacen("didChange", "didSave", 1);
        let request = valid.replacen(r#""jsonrpc":"2.0","#, r#""jsonrpc":"2.0","id":7,"#, 1);
        for message in [long_uri, other, request] {
            assert!(serde_json::from_str::<Request>(&message).is_ok());
            assert_eq!(did_change_with_long_text(message.as_bytes()), None);
        }
    }

    #[test]
    fn a_message_without_a_long_string_comes_back_byte_for_byte() {
        let message = br#"{"jsonrpc":"2.0","method":"x","params":{"a":"\"\\\u00e9"}}"#;
        let bytes = read_in_pieces(message, 3)
            .unwrap()
            .into_request()
            .unwrap_err();
        assert_eq!(bytes, message);
    }

    #[test]
    fn the_text_must_be_the_did_open_text() {
        // The long string is the uri, not the text: the ordinary path decides.
        let message = serde_json::json!({
            "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": { "textDocument": { "uri": long_text("u"), "languageId": "plaintext", "version": 1, "text": "" } },
        })
        .to_string();
        let bytes = read_in_pieces(message.as_bytes(), 1000)
            .unwrap()
            .into_request()
            .unwrap_err();
        assert_eq!(bytes, message.as_bytes());
    }

    #[test]
    fn invalid_text_is_an_error_not_a_panic() {
        let text = long_text("中");
        let valid = did_open(&text);
        // A lone surrogate, a bad escape, a raw control character, invalid UTF-8, a cut
        // message.
        let lone = valid.replacen('中', "\\ud842", 1);
        let bad_escape = valid.replacen('中', "\\x", 1);
        let raw_newline = valid.replacen('中', "\n", 1);
        assert!(serde_json::from_str::<serde_json::Value>(&raw_newline).is_err());
        let mut not_utf8 = valid.clone().into_bytes();
        let at = not_utf8.len() / 2;
        not_utf8[at] = 0xff;
        let cut = &valid.as_bytes()[..valid.len() - 40];
        for message in [
            lone.as_bytes(),
            bad_escape.as_bytes(),
            raw_newline.as_bytes(),
            &not_utf8,
        ] {
            assert!(matches!(
                read_in_pieces(message, 777),
                Err(ReadError::Invalid(_))
            ));
        }
        assert!(matches!(
            read(&mut &cut[..], valid.len()),
            Err(ReadError::EndOfInput)
        ));
        assert!(matches!(
            read_in_pieces(cut, 500),
            Err(ReadError::Invalid(_))
        ));
    }

    #[test]
    fn unicode_escapes_and_surrogate_pairs() {
        let mut out = Vec::new();
        for escape in [r"\u4e2d", r"\ud842\udfb7", r"\/", r"\n"] {
            assert_eq!(escape_length(escape.as_bytes()), Some(escape.len()));
            unescape(escape.as_bytes(), &mut out).unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "中𠮷/\n");
        assert_eq!(escape_length(br"\ud842\ud"), None);
        assert_eq!(escape_length(br"\ud842x"), Some(6));
        assert!(unescape(br"\ud842", &mut Vec::new()).is_err());
        assert!(unescape(br"\udfb7", &mut Vec::new()).is_err());
    }
}
