//! What the fuzz targets share: the patterns a user might set, texts made of the pieces these
//! documents are made of, and a server run over bytes.
// Each target uses only part of this module.
#![allow(dead_code)]

use std::sync::{Arc, LazyLock};

use arbitrary::{Arbitrary, Unstructured};
use marginalia::analysis::syntax::Syntax;
use marginalia::config::Config;
use marginalia::lsp::state::ServerState;
use marginalia::lsp::{build_service, transport};

/// Rules a user might set (as in tests/incremental.rs): a level-2 pattern, `[n]` markers, two
/// notes titles. Built once: compiling the patterns would cost more than a small input's
/// analysis.
pub fn users_syntax() -> Arc<Syntax> {
    static SYNTAX: LazyLock<Arc<Syntax>> = LazyLock::new(|| {
        let mut syntax = Syntax::default();
        syntax.set_heading_pattern(2, r"[A-Z]\. ").unwrap();
        syntax.set_marker_pattern(r"\[(\d+)\]").unwrap();
        syntax
            .set_notes_titles(&["參考資料".to_string(), "註釋".to_string()])
            .unwrap();
        Arc::new(syntax)
    });
    SYNTAX.clone()
}

/// The settings that read a text by `syntax`.
pub fn config_with(syntax: Arc<Syntax>) -> Config {
    let mut config = Config::default();
    config.syntax = syntax;
    config
}

/// What documents are made of: headings, markers and notes in both patterns, line breaks of
/// every kind, wide and astral characters, URLs, the marks the form checks pair. Random
/// strings alone would almost never spell `〔1〕` or `註釋：`.
pub const PIECES: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "〔",
    "〕",
    "1",
    "２",
    "〔1〕",
    "〔2〕",
    "〔4〕",
    "〔１〕",
    "〔十二〕",
    "、",
    "一、",
    "二、",
    "（二）",
    "1. ",
    "註釋：",
    "\n註釋：\n",
    " ",
    "　",
    "正文",
    "正文正文正文正文正文正文正文正文正文正文",
    "𠮷",
    "😀",
    "結語",
    "。",
    "，",
    "abc",
    "「",
    "」",
    "(",
    ")",
    ",",
    "https://a.b/",
    "https://www.example.com/a-",
    "[",
    "]",
    "[3]",
    // The other marker styles, notes titles and what is not a note (issue 8).
    "⑴",
    "⒇",
    "①",
    "㉑",
    "㈠",
    "（⒈）",
    "¹",
    "²³",
    "m²",
    "［2］",
    "〔一〕",
    "〔17续〕",
    "见注〔1〕",
    "\n注　　释\n",
    "\n【注釋】\n",
    "\n------\n",
    "\n〔1〕甲\n〔2〕乙\n",
    "国发〔2023〕5号",
    "B. ",
    "參考資料",
    "國發〔2023〕5號",
    "1998 年",
    "\u{feff}",
    "\t",
    "：",
    "\u{301}",
    // Markdown-wrapped texts, collected works, references into other works, law books,
    // quotations over paragraphs, code and maths (issue 20).
    "\n```\n",
    "\n## ",
    "\n### 注释\n",
    "**",
    "> ",
    "- ",
    "<!-- 注 -->",
    "\n　　",
    "    ",
    "\n \n",
    "《某文》注〔4〕",
    "本书第一卷",
    "本文注〔1〕",
    "关注〔1〕",
    "(21)",
    "（22）",
    "➂",
    "❶",
    "\n附录：某决议\n",
    "第一编　总则",
    "\n1．甲条例\n2．乙决定\n",
    "修改为：“",
    "”",
    "1）",
    "$",
    "`",
    "(〔1982〕3号)",
    "〔2〕〔3〕",
    "〔4–6〕",
    "［＃「１」は中見出し］",
    "（２）、",
    "\nNOTES\n",
    "\n【某氏校記】\n",
    "〖1〗",
    "［＃「（13）」は縦中横］",
    "\n Latin",
];

/// A piece of text: mostly one of [`PIECES`], sometimes any string.
#[derive(Clone, Debug)]
pub enum Piece {
    Known(&'static str),
    Any(String),
}

impl<'a> Arbitrary<'a> for Piece {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Piece> {
        // Three in four pieces are known ones.
        let known = PIECES.len();
        let choice = usize::from(u16::arbitrary(u)?) % (known + known / 3);
        Ok(match PIECES.get(choice) {
            Some(piece) => Piece::Known(piece),
            None => Piece::Any(String::arbitrary(u)?),
        })
    }
}

/// The text of `pieces`, one after the other.
pub fn text(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Known(known) => *known,
            Piece::Any(any) => any.as_str(),
        })
        .collect()
}

/// One runtime for every execution: building one per input would cost more than most
/// inputs, and leave threads behind.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
});

/// Serves `input` as the stdio server does (the same service, state and transport; output
/// thrown away) until `exit` or the end of the input.
pub fn serve(input: Vec<u8>) -> transport::Stop {
    RUNTIME.block_on(async move {
        let output = transport::output_channel();
        let state = Arc::new(
            ServerState::with_encoded_output(output.0.clone())
                .with_base_settings(serde_json::Value::Null),
        );
        let (service, socket) = build_service(state.clone());
        let input = std::io::Cursor::new(input);
        transport::serve(service, socket, state, input, std::io::sink(), output).await
    })
}

/// Whether the input names workspace folders: the server would read every text file under
/// them (`file:///` is the whole disk), which is slow, not the server's input, and not this
/// machine's business. Such inputs are skipped.
pub fn names_workspace_folders(input: &[u8]) -> bool {
    const KEYS: [&[u8]; 3] = [b"rootUri", b"rootPath", b"workspaceFolders"];
    KEYS.iter()
        .any(|key| input.windows(key.len()).any(|window| window == *key))
}

/// A JSON-RPC frame: the header with the body's length, then the body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

/// The document the prefixes open, so that requests about it reach the features.
pub const OPENED_URI: &str = "file:///fuzz/opened.txt";
const OPENED_TEXT: &str =
    "一、標題\n\n正文〔1〕正文〔2〕\r\nhttps://a.b/\n\n（一）小節\n正文〔3〕。\n\n註釋：\n〔1〕一。\n〔2〕二\n續。\n〔2〕重複";

/// How far a session is set up before the fuzzer's bytes: not at all, initialized, or
/// initialized with a document open.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Prefix {
    None,
    Initialized,
    Opened,
}

/// The frames of `prefix`: `initialize` (offering UTF-8 positions, so every encoding path is
/// reached across prefixes: UTF-16 when `utf16`), `initialized`, a `didOpen`.
pub fn prefix(prefix: Prefix, utf16: bool) -> Vec<u8> {
    let encodings = if utf16 { "[]" } else { r#"["utf-8"]"# };
    let mut bytes = Vec::new();
    if matches!(prefix, Prefix::None) {
        return bytes;
    }
    let initialize = format!(
        r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"capabilities":{{"general":{{"positionEncodings":{encodings}}},"textDocument":{{"hover":{{"contentFormat":["markdown"]}},"codeAction":{{"resolveSupport":{{"properties":["edit"]}}}},"completion":{{"completionItem":{{"resolveSupport":{{"properties":["documentation"]}}}}}}}},"workspace":{{"workspaceEdit":{{"documentChanges":true}},"configuration":true}}}}}}}}"#
    );
    bytes.extend(frame(initialize.as_bytes()));
    bytes.extend(frame(
        br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    if matches!(prefix, Prefix::Opened) {
        let open = serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {
                "uri": OPENED_URI, "languageId": "plaintext", "version": 1, "text": OPENED_TEXT,
            }},
        });
        bytes.extend(frame(open.to_string().as_bytes()));
    }
    bytes
}
