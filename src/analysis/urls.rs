//! Links: every URL in the text, mended where PDF extraction broke it across lines (blank
//! lines between the pieces) or split it with a stray space.

use memchr::memmem;

use crate::text::TextRange;

/// A URL as it stands in the text (all its pieces) and the address it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub range: TextRange,
    pub target: String,
}

/// Every URL of `text` (`http://` or `https://`), in order.
pub fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    let mut from = 0;
    // Built once: a book asks for the links of each of its paragraphs.
    static HTTP: std::sync::LazyLock<memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memmem::Finder::new(b"http"));
    while let Some(at) = HTTP.find(&text.as_bytes()[from..]).map(|at| from + at) {
        let rest = &text[at..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            from = at + 4;
            continue;
        }
        let link = link_at(text, at);
        from = link.range.end.max(at + 4);
        found.push(link);
    }
    found
}

/// The URL starting at `start`, followed through the breaks that cut it.
fn link_at(text: &str, start: usize) -> Link {
    let mut target = String::new();
    let mut end = start;
    let mut piece_start = start;
    loop {
        let piece_end = piece_start + url_len(&text[piece_start..]);
        target.push_str(&text[piece_start..piece_end]);
        end = end.max(piece_end);
        match continuation(text, piece_end, &target) {
            Some(next) => piece_start = next,
            None => break,
        }
    }
    // Sentence punctuation after a URL is not part of it.
    let kept = target
        .trim_end_matches(['.', ',', ';', ':', ')', '!', '?'])
        .len();
    let cut = target.len() - kept;
    target.truncate(kept);
    Link {
        range: TextRange::new(start, end - cut),
        target,
    }
}

/// Where the URL written so far (`url`, ending at `end`) goes on, if it was broken there: only
/// after a character a line can break at, across one stray space or across line breaks and
/// blank lines, and only into what reads as more of a URL.
fn continuation(text: &str, end: usize, url: &str) -> Option<usize> {
    if !url.ends_with(['/', '-', '.', '_', '=', '&', '?']) {
        return None;
    }
    let after = &text[end..];
    let (skipped, across_lines) = match after.strip_prefix(' ') {
        Some(_) if !after[1..].starts_with([' ', '\n', '\r']) => (1, false),
        _ => {
            let gap = after.len()
                - after
                    .trim_start_matches(['\n', '\r', ' ', '\u{3000}'])
                    .len();
            if !after[..gap].contains(['\n', '\r']) || after[..gap].matches('\n').count() > 2 {
                return None;
            }
            (gap, true)
        }
    };
    let next = &after[skipped..];
    let piece = &next[..url_len(next)];
    let words = piece.contains(|c: char| c.is_ascii_alphanumeric());
    let more_of_a_url = words && piece.contains(['/', '.'])
        // A line that is nothing but URL up to its end (or to CJK text) goes on with it.
        || (across_lines && words && !next[piece.len()..].starts_with(' '));
    (more_of_a_url && !piece.starts_with("http")).then_some(end + skipped)
}

/// How many bytes at the start of `text` are URL characters.
fn url_len(text: &str) -> usize {
    text.find(|c: char| !is_url_char(c)).unwrap_or(text.len())
}

/// A character a URL can hold as written (ASCII only: CJK punctuation right after a URL ends
/// it).
pub fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | ':'
                | '/'
                | '?'
                | '#'
                | '['
                | ']'
                | '@'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | ';'
                | '='
                | '%'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(text: &str) -> Vec<(String, &str)> {
        links(text)
            .into_iter()
            .map(|link| (link.target, &text[link.range.start..link.range.end]))
            .collect()
    }

    #[test]
    fn urls_on_one_line_end_before_sentence_punctuation() {
        assert_eq!(
            targets("見 https://example.com/a?b=1。又 http://x.org/y. Done, https://z.net/"),
            [
                (
                    "https://example.com/a?b=1".to_string(),
                    "https://example.com/a?b=1"
                ),
                ("http://x.org/y".to_string(), "http://x.org/y"),
                ("https://z.net/".to_string(), "https://z.net/"),
            ]
        );
    }

    #[test]
    fn urls_broken_across_lines_or_by_a_stray_space_are_mended() {
        let text = "〔1〕報道，https://\n\nwww.example.jp/article/japan/ article_66759/。\n〔2〕Reuters. https://\n\nedit3.example.com/world/south-korea-\n\nus-japan-drills-counter-north-\n\nkorea-2023-04-03/.\n";
        let found = targets(text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].0,
            "https://www.example.jp/article/japan/article_66759/"
        );
        assert!(found[0].1.ends_with("article_66759/"));
        assert_eq!(
            found[1].0,
            "https://edit3.example.com/world/south-korea-us-japan-drills-counter-north-korea-2023-04-03/"
        );
        assert!(found[1].1.starts_with("https://\n\nedit3") && found[1].1.ends_with("04-03/"));
    }

    #[test]
    fn what_follows_a_complete_url_stays_apart() {
        // A word after the URL, a new paragraph, another URL.
        let text = "https://example.com/ and more\n\nhttps://a.org/\n\nThe next paragraph.\nhttps://b.org/-\nhttps://c.org/";
        let found: Vec<String> = links(text).into_iter().map(|link| link.target).collect();
        assert_eq!(
            found,
            [
                "https://example.com/",
                "https://a.org/",
                "https://b.org/-",
                "https://c.org/"
            ]
        );
    }
}
