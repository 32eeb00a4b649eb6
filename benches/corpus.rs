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

/// A book of at least `target_bytes` bytes (it ends with its notes section).
pub fn book(target_bytes: usize) -> String {
    let (body, note_texts) = split_seed();
    let marker = Regex::new("〔([0-9]+)〕").expect("valid pattern");
    let markers_per_body = marker.find_iter(body).count() as u32;
    let mut book = String::with_capacity(target_bytes + target_bytes / 4);
    let mut cited = 0u32;
    let mut repetition = 0u32;
    // Leave room for the notes, about a fifth of the book.
    while book.len() < target_bytes * 4 / 5 {
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
    let mut number = 1;
    while number <= cited || book.len() < target_bytes {
        if number % MISSING_EVERY != 0 {
            let text = note_texts[(number as usize - 1) % note_texts.len()];
            let _ = write!(book, "〔{number}〕{text}\n\n");
        }
        number += 1;
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
