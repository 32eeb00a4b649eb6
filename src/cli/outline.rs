//! `marginalia outline FILE`

use std::path::Path;

use super::{load, write_out, EXIT_BAD_INPUT};
use crate::config::Config;
use crate::features::outline::{outline, OutlineItem};
use crate::text::line_col;

pub fn run(file: &Path, config: &Config) -> u8 {
    let document = match load(file, config) {
        Ok((_, document)) => document,
        Err(message) => {
            eprintln!("marginalia: {message}");
            return EXIT_BAD_INPUT;
        }
    };
    let mut lines = Vec::new();
    render(&outline(&document), document.text(), 0, &mut lines);
    write_out(|out| lines.iter().try_for_each(|line| writeln!(out, "{line}")))
}

/// One line per item: its 1-based line number, then the name indented by depth.
fn render(items: &[OutlineItem], rope: &ropey::Rope, depth: usize, out: &mut Vec<String>) {
    for item in items {
        let line = line_col(rope, item.selection.start).line + 1;
        out.push(format!("{line:>5}  {}{}", "  ".repeat(depth), item.name));
        render(&item.children, rope, depth + 1, out);
    }
}
