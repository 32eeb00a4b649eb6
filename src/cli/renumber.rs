//! `marginalia renumber FILE [--write]`: the notes renumbered in order of first citation.

use std::io::Write;
use std::path::Path;

use super::{load, write_out, EXIT_BAD_INPUT};
use crate::config::Config;
use crate::features::renumber::{apply, renumber_in_order};

pub fn run(file: &Path, write: bool, config: &Config) -> u8 {
    let (text, document) = match load(file, config) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("marginalia: {message}");
            return EXIT_BAD_INPUT;
        }
    };
    let edits = renumber_in_order(document.analysis(), document.text());
    let renumbered = apply(&text, &edits);
    if !write {
        return write_out(|out| out.write_all(renumbered.as_bytes()));
    }
    if edits.is_empty() {
        return 0;
    }
    match write_atomically(file, &renumbered) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("marginalia: cannot write {}: {error}", file.display());
            1
        }
    }
}

/// Writes `text` to a temporary file in `file`'s folder, then renames it over `file`: an
/// interrupted write leaves the old file whole.
fn write_atomically(file: &Path, text: &str) -> std::io::Result<()> {
    let folder = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    // Keep the original's permissions.
    if let Ok(metadata) = std::fs::metadata(file) {
        temporary
            .as_file()
            .set_permissions(metadata.permissions())?;
    }
    temporary.persist(file).map_err(|error| error.error)?;
    Ok(())
}
