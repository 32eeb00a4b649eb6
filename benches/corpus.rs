//! Generated "books" for benchmarks and tests: the seed article repeated, its markers
//! renumbered to run 1…N across the whole book, every fifth repetition under a new chapter
//! heading, and one notes section at the end holding every note but one in fifty (so the book
//! has real `missing-note` problems).
#![allow(dead_code)] // each bench uses a different part of it

use std::fmt::Write;

use regex::Regex;

pub const SEED: &str = include_str!("../seeds/000_f8c5198825835df1.txt");

/// Every fiftieth note has no entry.
pub const MISSING_EVERY: u32 = 50;

/// A book of about `target_bytes` bytes (it ends with its notes section).
pub fn book(target_bytes: usize) -> String {
    let (body, note_texts) = split_seed();
    let marker = Regex::new("〔([0-9]+)〕").expect("valid pattern");
    let markers_per_body = marker.find_iter(body).count() as u32;
    let notes_per_body: usize = (0..markers_per_body as usize)
        .map(|i| note_texts[i % note_texts.len()].len() + 12)
        .sum();
    let mut book = String::with_capacity(target_bytes + target_bytes / 4);
    let mut cited = 0u32;
    let mut repetition = 0u32;
    // Stop when the body and the notes it will need reach the target size.
    while book.len() + notes_per_body * (repetition as usize) < target_bytes {
        if repetition % 5 == 0 {
            let _ = write!(book, "第{}章　重讀\n\n", repetition / 5 + 1);
        }
        let renumbered = marker.replace_all(body, |captures: &regex::Captures| {
            let n: u32 = captures[1].parse().unwrap_or(0);
            format!("〔{}〕", cited + n)
        });
        book.push_str(&renumbered);
        book.push_str("\n\n");
        cited += markers_per_body;
        repetition += 1;
    }
    book.push_str("註釋：\n\n");
    for number in 1..=cited {
        if number % MISSING_EVERY != 0 {
            let text = note_texts[(number as usize - 1) % note_texts.len()];
            let _ = write!(book, "〔{number}〕{text}\n\n");
        }
    }
    book
}

/// The seed's body (before its notes section) and the texts of its note entries.
fn split_seed() -> (&'static str, Vec<&'static str>) {
    let notes_start = SEED.find("註釋：").expect("the seed has a notes section");
    let body = SEED[..notes_start].trim_end();
    let texts = SEED[notes_start..]
        .split('〔')
        .skip(1)
        .filter_map(|entry| entry.split_once('〕').map(|(_, text)| text.trim_end()))
        .collect();
    (body, texts)
}

/// The same document as Markdown, for measuring a Markdown language server on the same text:
/// headings become `#` headings, markers `[^n]`, note entries `[^n]: …` (each on one line, as
/// Markdown footnotes cannot hold blank lines without indentation).
pub fn to_markdown(text: &str) -> String {
    let analysis = marginalia::analysis::Analysis::new(text);
    let rope = ropey::Rope::from_str(text);
    // (byte range, replacement) in document order.
    let mut replacements: Vec<(usize, usize, String)> = Vec::new();
    for heading in &analysis.headings {
        let hashes = "#".repeat(heading.level as usize);
        replacements.push((
            heading.range.start,
            heading.range.end,
            format!("{hashes} {}", heading.title(&rope)),
        ));
    }
    for marker in &analysis.markers {
        replacements.push((
            marker.range.start,
            marker.range.end,
            format!("[^{}]", marker.number),
        ));
    }
    for note in &analysis.notes {
        let body = marginalia::analysis::join_lines(&text[note.body().start..note.body().end]);
        replacements.push((
            note.range.start,
            note.range.end,
            format!("[^{}]: {body}", note.number),
        ));
    }
    replacements.sort_by_key(|r| r.0);
    let mut markdown = String::with_capacity(text.len() + text.len() / 10);
    let mut copied = 0;
    for (start, end, replacement) in replacements {
        if start < copied {
            continue; // a marker inside a note entry already rewritten
        }
        markdown.push_str(&text[copied..start]);
        markdown.push_str(&replacement);
        copied = end;
    }
    markdown.push_str(&text[copied..]);
    markdown
}
