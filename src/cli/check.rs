//! `marginalia check PATH...`: files, and folders walked for their `*.txt` and `*.md` files.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::json;

use super::{load, write_out, Format, EXIT_BAD_INPUT};
use crate::analysis::{Problem, Severity};
use crate::config::Config;
use crate::document::DocumentSnapshot;
use crate::features::diagnostics::diagnostics;
use crate::text::line_col;

/// The extensions of the files a folder is walked for.
const TEXT_EXTENSIONS: [&str; 2] = ["txt", "md"];

/// How many files `--summary` names, those with the most errors first.
const MOST_ERRORS_SHOWN: usize = 10;

/// One problem of one file, positioned for people (1-based lines and character columns).
struct Report {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    problem: Problem,
}

/// A file checked: its problems in order, and its size.
struct Checked {
    path: PathBuf,
    bytes: u64,
    reports: Vec<Report>,
}

impl Checked {
    fn count(&self, severity: Severity) -> usize {
        self.reports
            .iter()
            .filter(|r| r.problem.severity == severity)
            .count()
    }
}

pub fn run(paths: &[PathBuf], format: Format, summary_only: bool, config: &Config) -> u8 {
    let (files, mut unreadable) = text_files(paths);
    // Checked in parallel, kept in path order.
    let results: Vec<Result<Checked, String>> =
        files.par_iter().map(|file| check(file, config)).collect();
    let mut checked = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(file) => checked.push(file),
            Err(message) => unreadable.push(message),
        }
    }
    for message in &unreadable {
        eprintln!("marginalia: {message}");
    }
    let written = write_out(|out| match (format, summary_only) {
        (Format::Text, false) => print_text(out, &checked),
        (Format::Text, true) => print_summary(out, &checked),
        (Format::Json, false) => print_json(out, &checked),
        (Format::Json, true) => print_summary_json(out, &checked),
    });
    let any_error = checked.iter().any(|c| c.count(Severity::Error) > 0);
    if !unreadable.is_empty() {
        EXIT_BAD_INPUT
    } else if written != 0 {
        written
    } else {
        u8::from(any_error)
    }
}

/// The files `paths` name: each file itself, and under each folder its `*.txt` and `*.md`
/// files, skipping hidden and git-ignored paths as ripgrep does; in path order. Also says
/// which paths could not be walked.
fn text_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        for entry in ignore::WalkBuilder::new(path).build() {
            match entry {
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    if has_text_extension(entry.path()) {
                        found.push(entry.into_path());
                    }
                }
                Ok(_) => {}
                Err(error) => problems.push(format!("cannot walk {}: {error}", path.display())),
            }
        }
        found.sort();
        files.extend(found);
    }
    (files, problems)
}

fn has_text_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TEXT_EXTENSIONS.iter().any(|t| e.eq_ignore_ascii_case(t)))
}

fn check(file: &Path, config: &Config) -> Result<Checked, String> {
    let (text, document) = load(file, config)?;
    Ok(Checked {
        path: file.to_path_buf(),
        bytes: text.len() as u64,
        reports: reports(&document, config),
    })
}

fn reports(document: &DocumentSnapshot, config: &Config) -> Vec<Report> {
    let rope = document.text();
    let problems = diagnostics(document.analysis(), document.lints(), config, None).into_owned();
    problems
        .into_iter()
        .map(|problem| {
            let start = line_col(rope, problem.range.start);
            let end = line_col(rope, problem.range.end);
            Report {
                line: start.line + 1,
                column: start.col + 1,
                end_line: end.line + 1,
                end_column: end.col + 1,
                problem,
            }
        })
        .collect()
}

fn print_text(out: &mut dyn Write, checked: &[Checked]) -> io::Result<()> {
    for file in checked {
        for r in &file.reports {
            writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                file.path.display(),
                r.line,
                r.column,
                r.problem.severity.as_str(),
                r.problem.code().as_str(),
                r.problem.message()
            )?;
        }
    }
    writeln!(out, "{}", totals_line(checked))
}

/// `3 errors, 1 warning in 2 files`.
fn totals_line(checked: &[Checked]) -> String {
    let count = |severity| checked.iter().map(|c| c.count(severity)).sum::<usize>();
    format!(
        "{} in {}",
        summary(&[
            (count(Severity::Error), "error"),
            (count(Severity::Warning), "warning"),
            (count(Severity::Information), "remark"),
            (count(Severity::Hint), "hint"),
        ]),
        plural(checked.len(), "file")
    )
}

/// The problems of every file counted by severity and code, in order of severity then code.
fn counts_by_code(checked: &[Checked]) -> BTreeMap<(Severity, &'static str), usize> {
    let mut counts = BTreeMap::new();
    for report in checked.iter().flat_map(|c| &c.reports) {
        let key = (report.problem.severity, report.problem.code().as_str());
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// The files with errors, most first (then in path order), at most `MOST_ERRORS_SHOWN`.
fn most_errors(checked: &[Checked]) -> Vec<(&Path, usize)> {
    let mut files: Vec<(&Path, usize)> = checked
        .iter()
        .map(|c| (c.path.as_path(), c.count(Severity::Error)))
        .filter(|&(_, errors)| errors > 0)
        .collect();
    files.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    files.truncate(MOST_ERRORS_SHOWN);
    files
}

fn print_summary(out: &mut dyn Write, checked: &[Checked]) -> io::Result<()> {
    let bytes: u64 = checked.iter().map(|c| c.bytes).sum();
    let with_errors = checked
        .iter()
        .filter(|c| c.count(Severity::Error) > 0)
        .count();
    writeln!(
        out,
        "{} ({bytes} bytes), {with_errors} with errors",
        plural(checked.len(), "file")
    )?;
    for ((severity, code), count) in counts_by_code(checked) {
        writeln!(out, "{count:>8}  {}[{code}]", severity.as_str())?;
    }
    let most = most_errors(checked);
    if !most.is_empty() {
        writeln!(out, "most errors:")?;
        for (path, errors) in most {
            writeln!(out, "{errors:>8}  {}", path.display())?;
        }
    }
    writeln!(out, "{}", totals_line(checked))
}

fn print_summary_json(out: &mut dyn Write, checked: &[Checked]) -> io::Result<()> {
    let counts: Vec<serde_json::Value> = counts_by_code(checked)
        .into_iter()
        .map(|((severity, code), count)| {
            json!({ "severity": severity.as_str(), "code": code, "count": count })
        })
        .collect();
    let most: Vec<serde_json::Value> = most_errors(checked)
        .into_iter()
        .map(|(path, errors)| json!({ "file": path.display().to_string(), "errors": errors }))
        .collect();
    let value = json!({
        "files": checked.len(),
        "bytes": checked.iter().map(|c| c.bytes).sum::<u64>(),
        "filesWithErrors": checked.iter().filter(|c| c.count(Severity::Error) > 0).count(),
        "counts": counts,
        "mostErrors": most,
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
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

fn print_json(out: &mut dyn Write, checked: &[Checked]) -> io::Result<()> {
    let values: Vec<serde_json::Value> = checked
        .iter()
        .flat_map(|file| {
            file.reports.iter().map(|r| {
                json!({
                    "file": file.path.display().to_string(),
                    "line": r.line,
                    "column": r.column,
                    "endLine": r.end_line,
                    "endColumn": r.end_column,
                    "severity": r.problem.severity.as_str(),
                    "code": r.problem.code().as_str(),
                    "message": r.problem.message().to_string(),
                })
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &values)?;
    writeln!(out)
}
