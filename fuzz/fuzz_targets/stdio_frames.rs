//! Well-framed messages into the stdio transport of a running server: each frame has a correct
//! `Content-Length`, so the fuzzer spends its time on JSON-RPC decoding and the handlers
//! rather than on the framing (the `stdio` target's business). Messages name the server's
//! methods with parameters of the shapes they take (any field may be missing or odd), and
//! some texts are long enough for the transport's large-message paths. The same demands as
//! `stdio`: no panic, no hang.
#![no_main]

mod common;

use arbitrary::{Arbitrary, Unstructured};
use common::{Piece, Prefix};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};

#[derive(Arbitrary, Debug)]
struct Session {
    prefix: Prefix,
    utf16: bool,
    messages: Vec<Message>,
}

#[derive(Arbitrary, Debug)]
enum Message {
    /// A request (with an id) or a notification (without).
    Call {
        id: Option<Id>,
        method: Method,
        params: Option<Params>,
    },
    /// An answer to one of the server's requests (`workspace/configuration`, `applyEdit`…).
    Answer { id: u8, result: Option<Params> },
    /// Any body at all.
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Id {
    Number(i64),
    Text(String),
}

/// Every method the server takes, and some it does not.
const METHODS: &[&str] = &[
    "initialize",
    "initialized",
    "shutdown",
    "exit",
    "$/cancelRequest",
    "$/setTrace",
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didSave",
    "textDocument/didClose",
    "workspace/didChangeConfiguration",
    "workspace/didChangeWatchedFiles",
    "workspace/symbol",
    "workspace/executeCommand",
    "textDocument/documentSymbol",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentHighlight",
    "textDocument/hover",
    "textDocument/codeAction",
    "codeAction/resolve",
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/completion",
    "completionItem/resolve",
    "textDocument/documentLink",
    "textDocument/diagnostic",
    "textDocument/selectionRange",
    "textDocument/semanticTokens/full",
    "textDocument/semanticTokens/full/delta",
    "textDocument/semanticTokens/range",
    "textDocument/foldingRange",
    "textDocument/codeLens",
    "marginalia/unknown",
];

#[derive(Debug)]
struct Method(String);

impl<'a> Arbitrary<'a> for Method {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Method> {
        let choice = usize::from(u8::arbitrary(u)?);
        Ok(Method(match METHODS.get(choice % 40) {
            Some(method) => method.to_string(),
            None => String::arbitrary(u)?,
        }))
    }
}

/// Parameters with every field some method reads, each there or not.
#[derive(Arbitrary, Debug)]
struct Params {
    uri: Option<Uri>,
    version: Option<i32>,
    text: Option<Text>,
    position: Option<Spot>,
    range: Option<(Spot, Spot)>,
    changes: Option<Vec<Change>>,
    include_declaration: Option<bool>,
    new_name: Option<String>,
    command: Option<Command>,
    number: Option<u32>,
    query: Option<String>,
    previous_result_id: Option<String>,
    settings: Option<Settings>,
    /// What `codeAction/resolve` and `completionItem/resolve` carry back: a range, a title,
    /// a label's byte offset.
    data: Option<(String, u64)>,
    /// The params replaced by a value of another shape.
    odd: Option<Odd>,
}

/// An edit of a `didChange`: `None` replaces the whole text.
#[derive(Arbitrary, Debug)]
struct Change {
    range: Option<(Spot, Spot)>,
    text: Text,
}

#[derive(Arbitrary, Debug)]
enum Uri {
    Opened,
    Other,
    Any(String),
}

/// A text; once in a while one long enough for the transport's large-message paths (a string
/// over 64 KB in a message, a message over 1 MB): one of the known pieces repeated, which JSON
/// escapes little. (Any string repeated to a megabyte, say of NULs, is a body of 6 MB, which
/// the instrumented build takes some 20 s to read: a timeout of the build, not of the server,
/// which reads it in a second.)
#[derive(Debug)]
struct Text(String);

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Text> {
        // Three texts in 1024 are long, one of them a megabyte: each takes the instrumented build
        // a second or more, as long as a thousand ordinary messages.
        let at_least = match u16::arbitrary(u)? % 1024 {
            0 | 1 => 65 << 10,
            2 => 1 << 20,
            _ => return Ok(Text(common::text(&Vec::<Piece>::arbitrary(u)?))),
        };
        let piece = common::PIECES[usize::from(u8::arbitrary(u)?) % common::PIECES.len()];
        Ok(Text(piece.repeat(at_least / piece.len() + 1)))
    }
}

#[derive(Arbitrary, Debug)]
struct Spot {
    line: u8,
    character: u16,
}

#[derive(Arbitrary, Debug)]
enum Command {
    Known(u8),
    Any(String),
}

const COMMANDS: [&str; 8] = [
    "marginalia.insertNote",
    "marginalia.deleteNote",
    "marginalia.addMissingNote",
    "marginalia.deleteNoteEntry",
    "marginalia.swapNotes",
    "marginalia.renumberNotes",
    "marginalia.reflowParagraphs",
    "marginalia.repairScars",
];

#[derive(Arbitrary, Debug)]
struct Settings {
    heading: Option<Pattern>,
    marker: Option<Pattern>,
    titles: Option<Vec<String>>,
    max_problems: Option<u64>,
    checks_off: Option<bool>,
}

#[derive(Arbitrary, Debug)]
enum Pattern {
    Known(u8),
    Any(String),
}

const PATTERNS: [&str; 6] = [
    r"[A-Z]\. ",
    r"\[(\d+)\]",
    r"第(\d+)章",
    "(",
    "",
    r"(\d)(\d)",
];

#[derive(Arbitrary, Debug)]
enum Odd {
    Null,
    Number(f64),
    Text(String),
    Array(Vec<u8>),
}

/// Inputs larger than this are skipped: two long messages are no deeper than one, only slower.
const MAX_INPUT_BYTES: usize = 3 << 20;

fuzz_target!(|session: Session| {
    let mut input = common::prefix(session.prefix, session.utf16);
    for message in &session.messages {
        input.extend(common::frame(&body(message)));
    }
    if input.len() > MAX_INPUT_BYTES || common::names_workspace_folders(&input) {
        return;
    }
    common::serve(input);
});

fn body(message: &Message) -> Vec<u8> {
    let mut object = Map::new();
    object.insert("jsonrpc".into(), json!("2.0"));
    match message {
        Message::Raw(bytes) => return bytes.clone(),
        Message::Answer { id, result } => {
            object.insert("id".into(), json!(id));
            object.insert("result".into(), result.as_ref().map_or(Value::Null, params));
        }
        Message::Call {
            id,
            method,
            params: p,
        } => {
            match id {
                Some(Id::Number(n)) => object.insert("id".into(), json!(n)),
                Some(Id::Text(text)) => object.insert("id".into(), json!(text)),
                None => None,
            };
            object.insert("method".into(), json!(method.0));
            if let Some(p) = p {
                object.insert("params".into(), params(p));
            }
        }
    }
    Value::Object(object).to_string().into_bytes()
}

fn params(p: &Params) -> Value {
    if let Some(odd) = &p.odd {
        return match odd {
            Odd::Null => Value::Null,
            Odd::Number(n) => json!(n),
            Odd::Text(text) => json!(text),
            Odd::Array(items) => json!(items),
        };
    }
    let uri = p.uri.as_ref().map(|uri| match uri {
        Uri::Opened => common::OPENED_URI.to_string(),
        Uri::Other => "file:///fuzz/other.txt".to_string(),
        Uri::Any(any) => any.clone(),
    });
    let position = |spot: &Spot| json!({"line": spot.line, "character": spot.character});
    let range =
        |(start, end): &(Spot, Spot)| json!({"start": position(start), "end": position(end)});
    let mut object = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            object.insert(key.into(), value);
        }
    };
    let mut document = Map::new();
    if let Some(uri) = &uri {
        document.insert("uri".into(), json!(uri));
    }
    if let Some(version) = p.version {
        document.insert("version".into(), json!(version));
    }
    if let Some(text) = &p.text {
        document.insert("text".into(), json!(text.0));
        document.insert("languageId".into(), json!("plaintext"));
    }
    put("textDocument", Some(Value::Object(document)));
    put("position", p.position.as_ref().map(position));
    put("range", p.range.as_ref().map(range));
    put(
        "positions",
        p.position.as_ref().map(|spot| json!([position(spot)])),
    );
    put(
        "contentChanges",
        p.changes.as_ref().map(|changes| {
            let changes = changes.iter().map(|change| match &change.range {
                Some(edited) => json!({"range": range(edited), "text": change.text.0}),
                None => json!({"text": change.text.0}),
            });
            Value::Array(changes.collect())
        }),
    );
    put(
        "context",
        p.include_declaration.map(
            |include| json!({"includeDeclaration": include, "diagnostics": [], "triggerKind": 1}),
        ),
    );
    put("newName", p.new_name.as_ref().map(|name| json!(name)));
    put(
        "command",
        p.command.as_ref().map(|command| match command {
            Command::Known(n) => json!(COMMANDS[usize::from(*n) % COMMANDS.len()]),
            Command::Any(any) => json!(any),
        }),
    );
    put(
        "arguments",
        p.command
            .as_ref()
            .map(|_| json!([uri, p.position.as_ref().map(position), p.number])),
    );
    put("query", p.query.as_ref().map(|query| json!(query)));
    put(
        "previousResultId",
        p.previous_result_id.as_ref().map(|id| json!(id)),
    );
    put("settings", p.settings.as_ref().map(settings));
    put("id", p.number.map(|n| json!(n)));
    if let Some((title, label)) = &p.data {
        put("title", Some(json!(title)));
        put("label", Some(json!(title)));
        put(
            "data",
            Some(json!({
                "uri": uri, "version": p.version, "label": label, "title": title,
                "range": p.range.as_ref().map(range),
            })),
        );
    }
    Value::Object(object)
}

fn settings(settings: &Settings) -> Value {
    let pattern = |pattern: &Pattern| match pattern {
        Pattern::Known(n) => json!(PATTERNS[usize::from(*n) % PATTERNS.len()]),
        Pattern::Any(any) => json!(any),
    };
    json!({"marginalia": {
        "headings": settings.heading.as_ref().map(|p| json!({"level2": pattern(p)})),
        "noteMarker": settings.marker.as_ref().map(pattern),
        "notesTitles": settings.titles,
        "maxProblems": settings.max_problems,
        "checks": settings.checks_off.map(|off| json!({"typography": !off, "pdfScars": !off})),
    }})
}
