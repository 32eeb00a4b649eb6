//! `marginalia check FILE...`

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{load, write_out, Format, EXIT_BAD_INPUT};
use crate::analysis::{Problem, Severity};
use crate::config::Config;
use crate::document::DocumentSnapshot;
use crate::features::diagnostics::diagnostics;
use crate::text::line_col;

/// One problem of one file, positioned for people (1-based lines and character columns).
struct Report<'a> {
    file: &'a Path,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    problem: Problem,
}

pub fn run(files: &[PathBuf], format: Format, config: &Config) -> u8 {
    let mut unreadable = false;
    let mut loaded = Vec::new();
    for file in files {
        match load(file, config) {
            Ok((_, document)) => loaded.push((file.as_path(), document)),
            Err(message) => {
                eprintln!("marginalia: {message}");
                unreadable = true;
            }
        }
    }
    let reports: Vec<Report> = loaded
        .iter()
        .flat_map(|(file, document)| reports(file, document, config))
        .collect();
    let written = write_out(|out| match format {
        Format::Text => print_text(out, &reports, loaded.len()),
        Format::Json => print_json(out, &reports),
    });
    if unreadable {
        EXIT_BAD_INPUT
    } else if written != 0 {
        written
    } else if reports
        .iter()
        .any(|r| r.problem.severity == Severity::Error)
    {
        1
    } else {
        0
    }
}

fn reports<'a>(
    file: &'a Path,
    document: &'a DocumentSnapshot,
    config: &Config,
) -> impl Iterator<Item = Report<'a>> {
    let rope = document.text();
    let problems = diagnostics(document.analysis(), document.lints(), config, None).into_owned();
    problems.into_iter().map(move |problem| {
        let start = line_col(rope, problem.range.start);
        let end = line_col(rope, problem.range.end);
        Report {
            file,
            line: start.line + 1,
            column: start.col + 1,
            end_line: end.line + 1,
            end_column: end.col + 1,
            problem,
        }
    })
}

fn print_text(out: &mut dyn Write, reports: &[Report], file_count: usize) -> io::Result<()> {
    for r in reports {
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            r.file.display(),
            r.line,
            r.column,
            r.problem.severity.as_str(),
            r.problem.code().as_str(),
            r.problem.message()
        )?;
    }
    let count = |severity| {
        reports
            .iter()
            .filter(|r| r.problem.severity == severity)
            .count()
    };
    writeln!(
        out,
        "{} in {}",
        summary(&[
            (count(Severity::Error), "error"),
            (count(Severity::Warning), "warning"),
            (count(Severity::Information), "remark"),
            (count(Severity::Hint), "hint"),
        ]),
        plural(file_count, "file")
    )
}

fn summary(counts: &[(usize, &str)]) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|&(n, what)| plural(n, what))
        .collect();
    if parts.is_empty() {
        "no problems".to_string()
    } else {
        parts.join(", ")
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn print_json(out: &mut dyn Write, reports: &[Report]) -> io::Result<()> {
    let values: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            json!({
                "file": r.file.display().to_string(),
                "line": r.line,
                "column": r.column,
                "endLine": r.end_line,
                "endColumn": r.end_column,
                "severity": r.problem.severity.as_str(),
                "code": r.problem.code().as_str(),
                "message": r.problem.message().to_string(),
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &values)?;
    writeln!(out)
}
