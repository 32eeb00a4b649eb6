//! Semantic tokens in LSP's form: the legend, the core's tokens encoded relative to each
//! other in the negotiated position encoding, and the last result of each document, which a
//! `full/delta` request is answered against.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp::lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensDelta,
    SemanticTokensEdit, SemanticTokensLegend, Url,
};

use super::position::{self, Encoding};
use super::store::Snapshot;
use crate::features::tokens::{tokens, Token, TokenKind};
use crate::text::TextRange;

/// The token types, in the order of [`type_index`]. Quotations and titles are standard
/// strings; LSP has no type for headings, note markers, note labels or URLs.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: vec![
            SemanticTokenType::new("heading"),
            SemanticTokenType::new("noteMarker"),
            SemanticTokenType::new("noteLabel"),
            SemanticTokenType::new("url"),
            SemanticTokenType::STRING,
        ],
        // The bits of `features::tokens::modifiers`, in order.
        token_modifiers: vec![
            SemanticTokenModifier::new("level1"),
            SemanticTokenModifier::new("level2"),
            SemanticTokenModifier::new("level3"),
            SemanticTokenModifier::new("missing"),
            SemanticTokenModifier::DEFINITION,
            SemanticTokenModifier::new("title"),
        ],
    }
}

/// The bit of the `title` modifier (after those of `features::tokens::modifiers`).
const TITLE: u32 = 1 << 5;

fn type_and_modifiers(token: &Token) -> (u32, u32) {
    match token.kind {
        TokenKind::Heading => (0, token.modifiers),
        TokenKind::Marker => (1, token.modifiers),
        TokenKind::Label => (2, token.modifiers),
        TokenKind::Url => (3, token.modifiers),
        TokenKind::Title => (4, token.modifiers | TITLE),
        TokenKind::Quotation => (4, token.modifiers),
    }
}

/// The last tokens sent for each document, by result id.
#[derive(Default)]
pub struct TokenResults {
    last: DashMap<Url, (String, Vec<SemanticToken>)>,
    next_id: AtomicU64,
}

impl TokenResults {
    /// All the tokens of the document, remembered for a later delta.
    pub fn full(&self, uri: &Url, snapshot: &Snapshot, encoding: Encoding) -> SemanticTokens {
        let data = encoded(snapshot, None, encoding);
        let result_id = self.remember(uri, &data);
        SemanticTokens {
            result_id: Some(result_id),
            data,
        }
    }

    /// The edits from the tokens sent as `previous` to the document's tokens now (all of them
    /// when `previous` is not the last result sent).
    pub fn delta(
        &self,
        uri: &Url,
        snapshot: &Snapshot,
        previous: &str,
        encoding: Encoding,
    ) -> Result<SemanticTokensDelta, SemanticTokens> {
        let data = encoded(snapshot, None, encoding);
        let old = self
            .last
            .get(uri)
            .filter(|last| last.0 == previous)
            .map(|last| last.1.clone());
        let result_id = self.remember(uri, &data);
        match old {
            Some(old) => Ok(SemanticTokensDelta {
                result_id: Some(result_id),
                edits: edits(&old, &data),
            }),
            None => Err(SemanticTokens {
                result_id: Some(result_id),
                data,
            }),
        }
    }

    pub fn forget(&self, uri: &Url) {
        self.last.remove(uri);
    }

    fn remember(&self, uri: &Url, data: &[SemanticToken]) -> String {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
        self.last.insert(uri.clone(), (id.clone(), data.to_vec()));
        id
    }
}

/// The tokens touching `within` (the whole document for `None`), encoded.
pub fn encoded(
    snapshot: &Snapshot,
    within: Option<TextRange>,
    encoding: Encoding,
) -> Vec<SemanticToken> {
    let document = &snapshot.document;
    let rope = document.text();
    let text: Cow<str> = rope.into();
    let within = within.unwrap_or(TextRange::new(0, text.len()));
    let found = tokens(&text, document.analysis(), document.layout(), within);
    relative(rope, &found, encoding)
}

/// Tokens as LSP sends them: each position relative to the previous token's.
fn relative(rope: &Rope, tokens: &[Token], encoding: Encoding) -> Vec<SemanticToken> {
    let ranges: Vec<TextRange> = tokens.iter().map(|t| t.range).collect();
    let converted = position::ranges(rope, &ranges, encoding);
    let (mut line, mut character) = (0, 0);
    tokens
        .iter()
        .zip(converted)
        .map(|(token, range)| {
            let delta_line = range.start.line - line;
            let delta_start = if delta_line == 0 {
                range.start.character - character
            } else {
                range.start.character
            };
            (line, character) = (range.start.line, range.start.character);
            let (token_type, token_modifiers_bitset) = type_and_modifiers(token);
            SemanticToken {
                delta_line,
                delta_start,
                length: range.end.character.saturating_sub(range.start.character),
                token_type,
                token_modifiers_bitset,
            }
        })
        .collect()
}

/// One edit turning `old` into `new`: what lies between their common start and common end.
fn edits(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    if prefix == old.len() && prefix == new.len() {
        return Vec::new();
    }
    let five = |n: usize| u32::try_from(n * 5).unwrap_or(u32::MAX);
    vec![SemanticTokensEdit {
        start: five(prefix),
        delete_count: five(old.len() - prefix - suffix),
        data: Some(new[prefix..new.len() - suffix].to_vec()),
    }]
}
