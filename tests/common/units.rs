//! Positions in a test's own text, counted as the client counts them (UTF-16 or UTF-8 units).

use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
pub enum Units {
    Utf16,
    Utf8,
}

impl Units {
    /// The name of the position encoding.
    pub fn name(self) -> &'static str {
        match self {
            Units::Utf16 => "utf-16",
            Units::Utf8 => "utf-8",
        }
    }

    pub fn count(self, text: &str) -> u32 {
        match self {
            Units::Utf16 => text.encode_utf16().count() as u32,
            Units::Utf8 => text.len() as u32,
        }
    }

    /// The byte offset of an LSP position (JSON) in `text`.
    pub fn offset(self, text: &str, position: &Value) -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as u32;
        let line_start: usize = text.split('\n').take(line).map(|l| l.len() + 1).sum();
        let mut counted = 0;
        for (byte, c) in text[line_start..].char_indices() {
            if counted >= character || c == '\n' {
                return line_start + byte;
            }
            counted += self.count(c.encode_utf8(&mut [0; 4]));
        }
        text.len()
    }
}

/// Line and character of the start of the `nth` `needle` in `text`.
pub fn find(text: &str, needle: &str, nth: usize, units: Units) -> (u32, u32) {
    let byte = text
        .match_indices(needle)
        .nth(nth)
        .expect("needle is in the text")
        .0;
    let line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..byte].matches('\n').count() as u32;
    (line, units.count(&text[line_start..byte]))
}

/// [`find`] as an LSP position.
pub fn position_of(text: &str, needle: &str, nth: usize, units: Units) -> Value {
    let (line, character) = find(text, needle, nth, units);
    json!({ "line": line, "character": character })
}

/// The range of the `nth` `needle`, as `[line, character, line, character]`.
pub fn range_of(text: &str, needle: &str, nth: usize, units: Units) -> [u32; 4] {
    let (line, character) = find(text, needle, nth, units);
    [line, character, line, character + units.count(needle)]
}

/// An LSP range (JSON) as `[line, character, line, character]`.
pub fn range_array(range: &Value) -> [u32; 4] {
    let number = |v: &Value| v.as_u64().expect("a number") as u32;
    [
        number(&range["start"]["line"]),
        number(&range["start"]["character"]),
        number(&range["end"]["line"]),
        number(&range["end"]["character"]),
    ]
}

/// `text` with LSP `edits` (all relative to `text`) applied.
pub fn apply(text: &str, edits: &[Value], units: Units) -> String {
    let mut resolved: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                units.offset(text, &e["range"]["start"]),
                units.offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    resolved.sort_by_key(|(start, end, _)| (*start, *end));
    let mut result = String::new();
    let mut at = 0;
    for (start, end, new_text) in resolved {
        assert!(start >= at, "edits overlap");
        result.push_str(&text[at..start]);
        result.push_str(&new_text);
        at = end;
    }
    result.push_str(&text[at..]);
    result
}
