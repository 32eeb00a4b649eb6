//! Edit sequences as a client sends them, through the server's document store: after each
//! `didChange` the text must be what the LSP rules make of it (worked out here on a plain
//! string, independently of the server's position code), the analysis, form problems and
//! shown problems what a fresh document of that text has (as tests/incremental.rs compares
//! them), and the problem ranges the store remembers across edits what a fresh conversion
//! gives.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use common::Piece;
use libfuzzer_sys::fuzz_target;
use marginalia::analysis::Analysis;
use marginalia::document::{Document, DocumentSnapshot};
use marginalia::lsp::position::{self, Encoding};
use marginalia::lsp::store::{problems, DocumentStore};
use marginalia::lsp::to_proto;
use tower_lsp::lsp_types::{Position, Range, TextDocumentContentChangeEvent, Url};

#[derive(Arbitrary, Debug)]
struct Session {
    text: Vec<Piece>,
    encoding: EncodingChoice,
    users_patterns: bool,
    steps: Vec<Step>,
}

#[derive(Arbitrary, Debug)]
enum Step {
    /// A `didChange` with these edits, applied in order.
    Change(Vec<Edit>),
    /// Problems published: the store starts remembering their ranges.
    Publish,
    /// The settings switch between the built-in rules and the user's patterns.
    SwitchPatterns,
}

#[derive(Arbitrary, Debug)]
struct Edit {
    /// `None` replaces the whole text.
    range: Option<(Spot, Spot)>,
    text: Vec<Piece>,
}

/// An LSP position: mostly near the start of the text, sometimes anywhere.
#[derive(Arbitrary, Debug)]
struct Spot {
    line: Number,
    character: Number,
}

#[derive(Arbitrary, Debug)]
enum Number {
    Small(u8),
    Any(u32),
}

#[derive(Arbitrary, Clone, Copy, Debug)]
enum EncodingChoice {
    Utf8,
    Utf16,
    Utf32,
}

/// Enough steps to build up and tear down a document; more only slow each input down.
const MAX_STEPS: usize = 24;
const MAX_EDITS_PER_CHANGE: usize = 4;

fuzz_target!(|session: Session| run(session));

fn run(session: Session) {
    let encoding = match session.encoding {
        EncodingChoice::Utf8 => Encoding::Utf8,
        EncodingChoice::Utf16 => Encoding::Utf16,
        EncodingChoice::Utf32 => Encoding::Utf32,
    };
    let mut users_patterns = session.users_patterns;
    let store = DocumentStore::default();
    store.set_config(config(users_patterns));
    let uri = Url::parse("file:///fuzz/edited.txt").unwrap();
    let mut shadow = common::text(&session.text);
    store
        .open(uri.clone(), 1, store.read(&shadow))
        .expect("a fuzzed text is far under the size limits");
    let mut version = 1;
    for step in session.steps.iter().take(MAX_STEPS) {
        match step {
            Step::Publish => {
                let published = store.snapshot_to_publish(&uri, None, encoding).unwrap();
                store.remember_ranges(&uri, &published.snapshot, encoding);
            }
            Step::SwitchPatterns => {
                users_patterns = !users_patterns;
                store.set_config(config(users_patterns));
            }
            Step::Change(edits) => {
                let changes: Vec<_> = edits
                    .iter()
                    .take(MAX_EDITS_PER_CHANGE)
                    .map(change_event)
                    .collect();
                for change in &changes {
                    apply_by_the_rules(&mut shadow, change, encoding);
                }
                version += 1;
                store.change(&uri, version, &changes, encoding).unwrap();
            }
        }
        compare(&store, &uri, &shadow, users_patterns, encoding);
    }
}

fn config(users_patterns: bool) -> marginalia::config::Config {
    match users_patterns {
        true => common::config_with(common::users_syntax()),
        false => Default::default(),
    }
}

fn change_event(edit: &Edit) -> TextDocumentContentChangeEvent {
    let position = |spot: &Spot| Position::new(spot.line.value(), spot.character.value());
    TextDocumentContentChangeEvent {
        range: edit
            .range
            .as_ref()
            .map(|(start, end)| Range::new(position(start), position(end))),
        range_length: None,
        text: common::text(&edit.text),
    }
}

impl Number {
    fn value(&self) -> u32 {
        match *self {
            Number::Small(small) => u32::from(small % 16),
            Number::Any(any) => any,
        }
    }
}

/// The store's document equals a fresh one of `shadow`.
fn compare(store: &DocumentStore, uri: &Url, shadow: &str, users: bool, encoding: Encoding) {
    let config = config(users);
    let snapshot = store.snapshot(uri).unwrap();
    let document = &snapshot.document;
    assert_eq!(document.text().to_string(), shadow);
    let mut fresh = Document::with_syntax(shadow, config.syntax.clone());
    fresh.wait_for_lints();
    let fresh: DocumentSnapshot = fresh.snapshot();
    assert_eq!(
        **document.analysis(),
        Analysis::with_syntax(shadow, config.syntax.clone()),
        "analysis of {shadow:?}"
    );
    assert_eq!(
        document.lints(),
        fresh.lints(),
        "form problems of {shadow:?}"
    );
    assert_eq!(
        problems(document, &config),
        problems(&fresh, &config),
        "problems shown for {shadow:?}"
    );
    // The ranges the store remembers are those a conversion gives now.
    let published = store.snapshot_to_publish(uri, None, encoding).unwrap();
    let shown = to_proto::problem_ranges(&published.problems);
    let converted = position::ranges(document.text(), &shown, encoding);
    if let Some(known) = published.known {
        assert_eq!(known.len(), converted.len());
        for (known, converted) in known.iter().zip(&converted) {
            if let Some(known) = known {
                assert_eq!(known, converted, "remembered range in {shadow:?}");
            }
        }
    }
}

/// Applies `change` to `text` by the LSP rules, as a client means it.
fn apply_by_the_rules(
    text: &mut String,
    change: &TextDocumentContentChangeEvent,
    encoding: Encoding,
) {
    let Some(range) = change.range else {
        *text = change.text.clone();
        return;
    };
    let (Some(start), Some(end)) = (
        offset_by_the_rules(text, range.start, encoding),
        offset_by_the_rules(text, range.end, encoding),
    ) else {
        return; // a line past the end: the whole edit is ignored
    };
    text.replace_range(start..end.max(start), &change.text);
}

/// The byte offset of `position` in `text`: lines end at `\n`, `\r\n` or a lone `\r`; a column
/// past the line's end is the line's end; a column inside a character (a surrogate pair, a
/// UTF-8 sequence) is that character's start; the line just after the last one, at column 0,
/// is the end of the text. `None` for any other line past the end.
fn offset_by_the_rules(text: &str, position: Position, encoding: Encoding) -> Option<usize> {
    let lines = lines(text);
    let line = position.line as usize;
    let Some(&(start, end)) = lines.get(line) else {
        return (line == lines.len() && position.character == 0).then_some(text.len());
    };
    let column = position.character as usize;
    let mut counted = 0;
    for (at, c) in text[start..end].char_indices() {
        let units = match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        };
        if counted + units > column {
            return Some(start + at);
        }
        counted += units;
    }
    Some(end)
}

/// Each line's content: where it starts and where its line break (if any) starts.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let break_length = match (bytes[at], bytes.get(at + 1)) {
            (b'\r', Some(b'\n')) => 2,
            (b'\r' | b'\n', _) => 1,
            _ => 0,
        };
        if break_length == 0 {
            at += 1;
            continue;
        }
        lines.push((start, at));
        at += break_length;
        start = at;
    }
    lines.push((start, bytes.len()));
    lines
}
