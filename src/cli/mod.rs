//! The command line: `marginalia [--stdio]` serves LSP; `check`, `outline` and `renumber` run
//! the same core on files.

mod check;
mod outline;
mod renumber;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::EnvFilter;

use crate::config::Config;
use crate::document::{Document, DocumentSnapshot};

#[derive(Parser, Debug)]
#[command(
    name = "marginalia",
    version,
    about = "A language server for annotated plain-text CJK documents",
    long_about = "A language server for annotated plain-text CJK documents: numbered headings, \
                  〔n〕 note markers and their notes.\n\nWith no command, serves the Language \
                  Server Protocol over stdin and stdout."
)]
pub struct Cli {
    /// Serve LSP over stdin/stdout (the default; accepted because editors pass it).
    #[arg(long)]
    stdio: bool,

    /// Read the settings from this JSON file: the keys of the editor's `marginalia` section
    /// (headings, noteMarker, notesTitles, diagnostics, checks, maxProblems), as README
    /// describes them. When serving LSP, the editor's settings are laid over them.
    #[arg(long, global = true, value_name = "FILE")]
    settings: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report the problems of each file (exit 1 if any is an error). A folder is walked for
    /// its `*.txt` and `*.md` files, skipping hidden and git-ignored paths; files are checked
    /// in parallel and reported in path order.
    Check {
        #[arg(required = true, value_name = "PATH")]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Print only the counts by code and the ten files with the most errors.
        #[arg(long)]
        summary: bool,
    },
    /// Print the heading tree of a file, with line numbers.
    Outline { file: PathBuf },
    /// Renumber the notes in order of first citation (markers 1, 2, 3… in reading order, the
    /// entries of 註釋 reordered to match) and print the text.
    Renumber {
        file: PathBuf,
        /// Rewrite the file instead (a temporary file renamed over it).
        #[arg(long)]
        write: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Exit code for files that cannot be read, are not UTF-8 or are over the size limits.
const EXIT_BAD_INPUT: u8 = 2;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_log = if cli.command.is_none() {
        "info"
    } else {
        "warn"
    };
    init_logging(default_log);
    let (settings, config) = match cli.settings.as_deref().map(settings).transpose() {
        Ok(read) => read.unwrap_or_default(),
        Err(message) => {
            eprintln!("marginalia: {message}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    match cli.command {
        None => ExitCode::from(serve(settings)),
        Some(Command::Check {
            files,
            format,
            summary,
        }) => ExitCode::from(check::run(&files, format, summary, &config)),
        Some(Command::Outline { file }) => ExitCode::from(outline::run(&file, &config)),
        Some(Command::Renumber { file, write }) => {
            ExitCode::from(renumber::run(&file, write, &config))
        }
    }
}

/// The settings in the JSON file at `path`; an error for a file that cannot be read, is not
/// JSON, or holds a setting that is not understood (a command line is not the place to go on
/// with defaults the user did not ask for).
fn settings(path: &Path) -> Result<(serde_json::Value, Config), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read the settings {}: {error}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| format!("the settings {} are not JSON: {error}", path.display()))?;
    match Config::from_json(&value) {
        (config, errors) if errors.is_empty() => {
            Ok((crate::config::section(&value).clone(), config))
        }
        (_, errors) => Err(format!(
            "in the settings {}:\n  {}",
            path.display(),
            errors.join("\n  ")
        )),
    }
}

/// Writes the output of a command to stdout with `write`; 0, or 1 if it could not be written.
/// A reader that stops reading (`marginalia check … | head`) is no error: the output ends
/// there.
fn write_out(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> u8 {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
        Ok(()) => 0,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            eprintln!("marginalia: cannot write the output: {error}");
            1
        }
    }
}

/// Logs go to stderr (stdout carries the protocol), filtered by `MARGINALIA_LOG`.
fn init_logging(default: &str) {
    let filter =
        EnvFilter::try_from_env("MARGINALIA_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

/// Serves LSP over stdio, starting from `settings` (the `--settings` file's).
fn serve(settings: serde_json::Value) -> u8 {
    crate::lsp::tune_malloc();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("marginalia: cannot start the async runtime: {error}");
            return 1;
        }
    };
    let code = runtime.block_on(crate::lsp::serve_stdio(settings));
    // The blocking stdin reader may still be waiting for input; do not wait for it.
    runtime.shutdown_background();
    code
}

/// Reads a file as a document, read by the rules `config` gives, or says why it cannot (not
/// readable, not UTF-8, over the size limits: a file over the document limit is not read).
fn load(path: &Path, config: &Config) -> Result<(String, DocumentSnapshot), String> {
    let refused = |too_large| format!("{} is not read: {too_large}", path.display());
    let cannot_read = |error| format!("cannot read {}: {error}", path.display());
    let size = std::fs::metadata(path).map_err(cannot_read)?.len();
    config.limits.check_size(size).map_err(refused)?;
    let bytes = std::fs::read(path).map_err(cannot_read)?;
    let text = String::from_utf8(bytes).map_err(|error| {
        format!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            error.utf8_error().valid_up_to()
        )
    })?;
    config.limits.check_text(&text).map_err(refused)?;
    let mut document = Document::with_syntax(&text, config.syntax.clone());
    document.wait_for_lints();
    Ok((text, document.snapshot()))
}
