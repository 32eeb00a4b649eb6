//! `workspace/executeCommand`: the note operations of the code actions, run by name (from a
//! command palette or a key binding) and applied with `workspace/applyEdit`.

use serde_json::Value;
use tower_lsp::lsp_types::{ExecuteCommandParams, Position, Url};

use super::capabilities::{INSERT_NOTE, RENUMBER_NOTES};
use super::position::{self, Encoding};
use super::store::Snapshot;
use crate::features::renumber::{self, TextEdit};

pub enum Command {
    /// `marginalia.insertNote` with the document's URI and the cursor's position.
    InsertNote { uri: Url, position: Position },
    /// `marginalia.renumberNotes` with the document's URI.
    RenumberNotes { uri: Url },
}

impl Command {
    pub fn parse(params: &ExecuteCommandParams) -> Option<Command> {
        let arguments = &params.arguments;
        let uri = arguments
            .first()
            .and_then(Value::as_str)
            .and_then(|uri| Url::parse(uri).ok())?;
        match params.command.as_str() {
            INSERT_NOTE => {
                let position = serde_json::from_value(arguments.get(1)?.clone()).ok()?;
                Some(Command::InsertNote { uri, position })
            }
            RENUMBER_NOTES => Some(Command::RenumberNotes { uri }),
            _ => None,
        }
    }

    pub fn uri(&self) -> &Url {
        match self {
            Command::InsertNote { uri, .. } | Command::RenumberNotes { uri } => uri,
        }
    }

    /// The command's edits on `snapshot`; `None` for a position outside the document.
    pub fn edits(&self, snapshot: &Snapshot, encoding: Encoding) -> Option<Vec<TextEdit>> {
        let rope = snapshot.document.text();
        let analysis = snapshot.document.analysis();
        match self {
            Command::InsertNote { position, .. } => {
                let offset = position::offset(rope, *position, encoding).ok()?;
                Some(renumber::insert_note(analysis, rope, offset))
            }
            Command::RenumberNotes { .. } => Some(renumber::renumber_in_order(analysis, rope)),
        }
    }
}
