//! Workspace symbols: the headings and notes of a document as a flat list, and a fuzzy search
//! of a query over the symbols of many documents.

use std::cmp::Ordering;
use std::sync::Arc;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{chars, Config, Matcher, Utf32String};

use super::outline::{outline, OutlineItem, OutlineKind};
use crate::document::DocumentSnapshot;
use crate::text::TextRange;

/// The most symbols one search returns. An empty query asks for every symbol of the workspace
/// (tens of thousands in a large one): the first ones are enough for a picker, which asks
/// again as the user types.
pub const MAX_RESULTS: usize = 1_000;

/// A heading or a note, as a workspace symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// A heading's title; a note's label and first words (`〔3〕 first words…`), as in the
    /// outline.
    pub name: String,
    pub kind: OutlineKind,
    /// The name of the heading the symbol lies under (a note's: its notes section), shared by
    /// its siblings.
    pub container: Option<Arc<str>>,
    /// Where an editor goes: the heading's text, the note's label.
    pub range: TextRange,
    /// The name as the matcher compares it (see [`folded`]), made once: splitting the names
    /// into graphemes was three quarters of the time of a search, and folding each character
    /// (which the matcher would do at every search) three quarters of the rest.
    matched: Utf32String,
}

/// The headings and notes of `document`, in document order; none for a text without headings
/// or markers (any plain-text file in the workspace may be read).
pub fn symbols(document: &DocumentSnapshot) -> Vec<Symbol> {
    let analysis = document.analysis();
    if analysis.headings.is_empty() && analysis.markers.is_empty() {
        return Vec::new();
    }
    let mut symbols = Vec::new();
    flatten(outline(document), None, &mut symbols);
    symbols.sort_by_key(|symbol| symbol.range.start);
    symbols
}

/// Appends `items` and their descendants, each with the name of its parent.
fn flatten(items: Vec<OutlineItem>, container: Option<Arc<str>>, symbols: &mut Vec<Symbol>) {
    for item in items {
        let name: Arc<str> = Arc::from(item.name.as_str());
        symbols.push(Symbol {
            matched: folded(&item.name),
            name: item.name,
            kind: item.kind,
            container: container.clone(),
            range: item.selection,
        });
        flatten(item.children, Some(name), symbols);
    }
}

/// One symbol a search found: the `index` of the symbol in the list of `file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found<F> {
    pub file: F,
    pub index: usize,
    pub score: u32,
}

/// The symbols of `files` whose names match `query` fuzzily, best first, at most `limit`.
///
/// Each word of the query must match (in order within the word, with gaps, in any case and
/// without regard to accents); an empty query matches every symbol. Equal scores keep the order of the files (by `F`)
/// and of their symbols, so the answer does not depend on the order files were given in.
pub fn search<'a, F: Ord + Copy>(
    query: &str,
    files: impl IntoIterator<Item = (F, &'a [Symbol])>,
    limit: usize,
) -> Vec<Found<F>> {
    // Query and names are folded alike beforehand: the matcher compares them as they are.
    let query: String = match folded(query) {
        Utf32String::Ascii(ascii) => ascii.into(),
        Utf32String::Unicode(chars) => chars.iter().collect(),
    };
    let pattern = Pattern::new(
        &query,
        CaseMatching::Respect,
        Normalization::Never,
        AtomKind::Fuzzy,
    );
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut found = Vec::new();
    for (file, symbols) in files {
        for (index, symbol) in symbols.iter().enumerate() {
            let score = if pattern.atoms.is_empty() {
                Some(0)
            } else {
                pattern.score(symbol.matched.slice(..), &mut matcher)
            };
            if let Some(score) = score {
                found.push(Found { file, index, score });
            }
        }
    }
    best(found, limit)
}

/// `text` as the matcher compares it: a character per grapheme (the matcher's unit), without
/// accents, in lower case, as nucleo-matcher folds text when told to ignore case and accents.
fn folded(text: &str) -> Utf32String {
    let folded: Vec<char> = chars::graphemes(text)
        .map(|c| chars::to_lower_case(chars::normalize(c)))
        .collect();
    if folded.iter().all(char::is_ascii) {
        Utf32String::Ascii(folded.into_iter().collect::<String>().into_boxed_str())
    } else {
        Utf32String::Unicode(folded.into_boxed_slice())
    }
}

/// The `limit` best of `found`, in order.
fn best<F: Ord>(mut found: Vec<Found<F>>, limit: usize) -> Vec<Found<F>> {
    if limit == 0 {
        return Vec::new();
    }
    if found.len() > limit {
        // Only the kept ones are sorted: a one-letter query can match most of the workspace.
        found.select_nth_unstable_by(limit - 1, better_first);
        found.truncate(limit);
    }
    found.sort_unstable_by(better_first);
    found
}

fn better_first<F: Ord>(a: &Found<F>, b: &Found<F>) -> Ordering {
    b.score
        .cmp(&a.score)
        .then_with(|| a.file.cmp(&b.file))
        .then_with(|| a.index.cmp(&b.index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    const ARTICLE: &str = "前文〔1〕\n一、韓美同盟的演變\n\n（一）同盟的起源\n正文〔2〕。\n結語\n正文。\n\n註釋：\n〔1〕 參見韓國外交部\n白皮書。\n\n〔2〕 美國國務院檔案。\n";

    fn render(text: &str, symbols: &[Symbol]) -> String {
        symbols
            .iter()
            .map(|symbol| {
                format!(
                    "{} [{:?}] in {:?} at {:?}\n",
                    symbol.name,
                    symbol.kind,
                    symbol.container.as_deref(),
                    &text[symbol.range.start..symbol.range.end],
                )
            })
            .collect()
    }

    fn check_symbols(text: &str, expect: Expect) {
        let found = symbols(&DocumentSnapshot::new(text));
        expect.assert_eq(&render(text, &found));
    }

    /// The names `query` finds in `files`, best first.
    fn names(query: &str, files: &[(&str, &[Symbol])]) -> Vec<String> {
        search(query, files.iter().copied(), MAX_RESULTS)
            .into_iter()
            .map(|found| {
                let (file, symbols) = files
                    .iter()
                    .find(|(name, _)| *name == found.file)
                    .expect("a found file is one of the files");
                format!("{file}: {}", symbols[found.index].name)
            })
            .collect()
    }

    #[test]
    fn headings_and_notes_in_document_order_with_their_parents() {
        check_symbols(
            ARTICLE,
            expect![[r#"
                一、韓美同盟的演變 [Heading { level: 1 }] in None at "一、韓美同盟的演變"
                （一）同盟的起源 [Heading { level: 2 }] in Some("一、韓美同盟的演變") at "（一）同盟的起源"
                結語 [Heading { level: 1 }] in None at "結語"
                註釋 [NotesSection] in None at "註釋："
                〔1〕 參見韓國外交部白皮書。 [Note] in Some("註釋") at "〔1〕"
                〔2〕 美國國務院檔案。 [Note] in Some("註釋") at "〔2〕"
            "#]],
        );
    }

    #[test]
    fn a_text_without_headings_or_markers_has_none() {
        check_symbols("just some text\nwith lines\n", expect![""]);
    }

    #[test]
    fn a_query_finds_headings_and_notes_by_their_words_across_files() {
        let article = symbols(&DocumentSnapshot::new(ARTICLE));
        let other = symbols(&DocumentSnapshot::new(
            "一、結構性矛盾\n正文〔1〕\n\n註釋：\n〔1〕 語言。\n",
        ));
        let files: [(&str, &[Symbol]); 2] = [("a.txt", &article), ("b.txt", &other)];
        assert_eq!(names("結語", &files), ["a.txt: 結語"]);
        // Fuzzy: the characters in order, with gaps.
        assert_eq!(names("韓演變", &files), ["a.txt: 一、韓美同盟的演變"]);
        assert_eq!(names("國務院", &files), ["a.txt: 〔2〕 美國國務院檔案。"]);
        // Each word must match.
        assert_eq!(names("同盟 起源", &files), ["a.txt: （一）同盟的起源"]);
        assert!(names("結語 不在", &files).is_empty());
        // Latin in any case, accents or not.
        let latin = symbols(&DocumentSnapshot::new(
            "一、Café Reuters\n正文〔1〕\n\n註釋：\n〔1〕 Reuters, April 3, 2023.\n",
        ));
        let files: [(&str, &[Symbol]); 1] = [("c.txt", &latin)];
        for query in ["reuters", "REUTERS", "cafe reu", "CAFÉ"] {
            assert_eq!(
                names(query, &files)[0],
                "c.txt: 一、Café Reuters",
                "{query}"
            );
        }
        assert_eq!(
            names("april", &files),
            ["c.txt: 〔1〕 Reuters, April 3, 2023."]
        );
    }

    #[test]
    fn the_closest_match_ranks_first() {
        let article = symbols(&DocumentSnapshot::new(ARTICLE));
        let other = symbols(&DocumentSnapshot::new(
            "一、結構性矛盾與話語\n正文〔1〕\n\n註釋：\n〔1〕 同盟。\n",
        ));
        let files: [(&str, &[Symbol]); 2] = [("a.txt", &article), ("b.txt", &other)];
        // Characters in order, with a gap.
        assert_eq!(names("結構矛盾", &files), ["b.txt: 一、結構性矛盾與話語"]);
        // The heading that is the query ranks before one with the query's characters apart.
        assert_eq!(
            names("結語", &files),
            ["a.txt: 結語", "b.txt: 一、結構性矛盾與話語"]
        );
        // 同盟 at the start of a word (after a space, then after a bracket) before 同盟 inside
        // one.
        assert_eq!(
            names("同盟", &files),
            [
                "b.txt: 〔1〕 同盟。",
                "a.txt: （一）同盟的起源",
                "a.txt: 一、韓美同盟的演變"
            ]
        );
        assert_eq!(names("2", &files)[0], "a.txt: 〔2〕 美國國務院檔案。");
    }

    #[test]
    fn an_empty_query_lists_every_symbol_up_to_the_limit_in_file_order() {
        let article = symbols(&DocumentSnapshot::new(ARTICLE));
        let files: [(&str, &[Symbol]); 2] = [("b.txt", &article), ("a.txt", &article)];
        let all = names("", &files);
        assert_eq!(all.len(), 2 * article.len());
        assert_eq!(all[0], "a.txt: 一、韓美同盟的演變");
        assert_eq!(all[article.len()], "b.txt: 一、韓美同盟的演變");
        let first_three = search("", files.iter().copied(), 3);
        assert_eq!(
            first_three
                .iter()
                .map(|f| (f.file, f.index))
                .collect::<Vec<_>>(),
            [("a.txt", 0), ("a.txt", 1), ("a.txt", 2)]
        );
    }
}
