//! A fast path for opening a large document.
//!
//! serde_json unescapes a JSON string into a scratch buffer and then copies it into a `String`:
//! for a 100 MB book that is two extra copies of the book (a third of the peak memory of
//! opening it) and most of the time. Here the `didOpen` message is scanned once, borrowing the
//! document's JSON string, which is unescaped straight into a `String` of the right size. Any
//! message this path does not fully understand goes the ordinary way.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tower_lsp::jsonrpc::Request;

/// Messages shorter than this go the ordinary way.
pub const LARGE_MESSAGE_BYTES: usize = 1 << 20;

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    method: Cow<'a, str>,
    #[serde(borrow)]
    params: OpenParams<'a>,
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

/// The `textDocument/didOpen` notification in `body`, or `None` for any other message.
pub fn parse_did_open(body: &[u8]) -> Option<Request> {
    // One validation of the whole body, then no more per string.
    let body = std::str::from_utf8(body).ok()?;
    let message: Message = serde_json::from_str(body).ok()?;
    if message.jsonrpc != "2.0" || message.id.is_some() || message.method != "textDocument/didOpen"
    {
        return None;
    }
    let document = message.params.text_document;
    let text = unescape(document.text.get())?;
    let mut item = Map::new();
    item.insert("uri".into(), Value::String(document.uri));
    item.insert("languageId".into(), Value::String(document.language_id));
    item.insert("version".into(), Value::from(document.version));
    item.insert("text".into(), Value::String(text));
    let mut params = Map::new();
    params.insert("textDocument".into(), Value::Object(item));
    Some(
        Request::build("textDocument/didOpen")
            .params(Value::Object(params))
            .finish(),
    )
}

/// The value of a JSON string literal (quotes included, as serde_json has already checked it),
/// or `None` for anything unexpected, such as a lone surrogate escape.
pub fn unescape(literal: &str) -> Option<String> {
    let mut rest = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut text = String::with_capacity(rest.len());
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        text.push_str(&rest[..at]);
        let escape = rest.as_bytes().get(at + 1)?;
        let mut consumed = 2;
        match escape {
            b'"' => text.push('"'),
            b'\\' => text.push('\\'),
            b'/' => text.push('/'),
            b'b' => text.push('\u{8}'),
            b'f' => text.push('\u{c}'),
            b'n' => text.push('\n'),
            b'r' => text.push('\r'),
            b't' => text.push('\t'),
            b'u' => {
                let high = hex4(rest.get(at + 2..at + 6)?)?;
                consumed = 6;
                let c = if (0xd800..0xdc00).contains(&high) {
                    let low = rest
                        .get(at + 6..at + 12)?
                        .strip_prefix("\\u")
                        .and_then(hex4)?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return None;
                    }
                    consumed = 12;
                    char::from_u32(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))?
                } else {
                    char::from_u32(high)?
                };
                text.push(c);
            }
            _ => return None,
        }
        rest = &rest[at + consumed..];
    }
    text.push_str(rest);
    Some(text)
}

fn hex4(digits: &str) -> Option<u32> {
    (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u32::from_str_radix(digits, 16).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn unescapes_what_serde_json_escapes(text in "(\\PC|[\\n\\r\\t\\u{0}-\\u{1f}\"\\\\/]|𠮷|😀){0,64}") {
            let literal = serde_json::to_string(&text).unwrap();
            prop_assert_eq!(unescape(&literal), Some(text));
        }
    }

    #[test]
    fn unicode_escapes_and_surrogate_pairs() {
        assert_eq!(unescape(r#""\u4e2d\u6587""#).as_deref(), Some("中文"));
        assert_eq!(unescape(r#""\ud842\udfb7""#).as_deref(), Some("𠮷"));
        assert_eq!(unescape(r#""a\/b""#).as_deref(), Some("a/b"));
        // A lone surrogate: left to the ordinary path.
        assert_eq!(unescape(r#""\ud842x""#), None);
        assert_eq!(unescape(r#""\udfb7""#), None);
    }

    #[test]
    fn a_did_open_becomes_the_same_request_as_the_ordinary_parse() {
        let text = "註釋：\n〔1〕“引文”\t\\ 𠮷\r\n";
        let message = serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": { "textDocument": { "uri": "file:///a.txt", "languageId": "plaintext", "version": 3, "text": text } },
        })
        .to_string();
        let fast = parse_did_open(message.as_bytes()).expect("a didOpen");
        let ordinary: Request = serde_json::from_str(&message).unwrap();
        assert_eq!(fast, ordinary);
    }

    #[test]
    fn other_messages_are_not_taken() {
        let change = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a","version":2},"contentChanges":[]}}"#;
        assert_eq!(parse_did_open(change.as_bytes()), None);
        assert_eq!(parse_did_open(b"{not json"), None);
    }
}
