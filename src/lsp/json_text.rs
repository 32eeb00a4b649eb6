//! JSON string text: finding what must be escaped, and writing strings.

/// The first byte of `bytes` that a JSON string holds only escaped: `"`, `\\` or a control
/// character.
///
/// Eight bytes at a time in plain integer arithmetic: in a document's text a `\\n` comes
/// every line, too close together for memchr's vector setup to pay off (this is twice as fast
/// on the generated book).
pub fn first_byte_to_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    // The high bit of each byte that equals `byte`, or is below `byte`: the lowest bit set is
    // always a real match (borrows only run towards higher bytes).
    let equal = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGH_BITS
    };
    let below = |word: u64, byte: u8| word.wrapping_sub(ONES * u64::from(byte)) & !word & HIGH_BITS;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        let word = u64::from_le_bytes(eight);
        let found = equal(word, b'"') | equal(word, b'\\') | below(word, 0x20);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = words.remainder();
    rest.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

/// Appends `text` as a JSON string: as it is when nothing in it needs escaping (the common
/// case, found word by word), else escaped by serde_json.
pub fn write_string(out: &mut Vec<u8>, text: &str) {
    if first_byte_to_escape(text.as_bytes()).is_none() {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else if let Err(error) = serde_json::to_writer(&mut *out, text) {
        // Writing to a Vec does not fail; should it, the string is left out.
        tracing::error!(%error, "cannot write a string");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_word_at_a_time_search_finds_the_first_byte_to_escape(
            bytes in proptest::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), Just(b'\n'), 0u8..=255, 0x20u8..0x7f, 0x80u8..=255], 0..100),
            skip in 0usize..8,
        ) {
            let bytes = &bytes[skip.min(bytes.len())..];
            let expected = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(first_byte_to_escape(bytes), expected);
        }

        #[test]
        fn a_string_is_written_as_serde_json_writes_it(text in "(\\PC|[\n\u{0}-\u{1f}\"\\\\/]|𠮷){0,30}") {
            let mut out = Vec::new();
            write_string(&mut out, &text);
            prop_assert_eq!(out, serde_json::to_vec(&text).unwrap());
        }
    }
}
