//! `workspace/executeCommand`: the note operations of the code actions, run by name (from a
//! command palette or a key binding) and applied with `workspace/applyEdit`.

use serde_json::Value;
use tower_lsp::lsp_types::{ExecuteCommandParams, Position, Url};

use super::position::{self, Encoding};
use super::store::Snapshot;
use crate::features::code_actions::Operation;
use crate::features::renumber::TextEdit;

/// What a command does at the offset of its position argument (and with its number argument).
type MakeOperation = fn(usize, u32) -> Operation;

/// The commands, each with what it does.
pub const COMMANDS: [(&str, MakeOperation); 8] = [
    ("marginalia.insertNote", |at, _| Operation::InsertNote(at)),
    ("marginalia.deleteNote", |at, _| Operation::DeleteNote(at)),
    ("marginalia.addMissingNote", |at, _| {
        Operation::AddMissingNote(at)
    }),
    ("marginalia.deleteNoteEntry", |at, _| {
        Operation::DeleteEntry(at)
    }),
    ("marginalia.swapNotes", Operation::Swap),
    ("marginalia.renumberNotes", |_, _| {
        Operation::RenumberInOrder
    }),
    ("marginalia.reflowParagraphs", |_, _| Operation::Reflow),
    ("marginalia.repairScars", |_, _| Operation::RepairScars),
];

/// The commands that act on the whole document: they take only its URI.
const WHOLE_DOCUMENT: [&str; 3] = [
    "marginalia.renumberNotes",
    "marginalia.reflowParagraphs",
    "marginalia.repairScars",
];

/// A command: `[uri]` for the whole-document ones; `[uri, position]` for the others, and
/// `marginalia.swapNotes` also takes the other note's number (`[uri, position, number]`).
pub struct Command {
    uri: Url,
    position: Option<Position>,
    number: u32,
    operation: MakeOperation,
}

impl Command {
    pub fn parse(params: &ExecuteCommandParams) -> Option<Command> {
        let (name, operation) = COMMANDS.iter().find(|(name, _)| *name == params.command)?;
        let arguments = &params.arguments;
        let uri = arguments
            .first()
            .and_then(Value::as_str)
            .and_then(|uri| Url::parse(uri).ok())?;
        let position = arguments
            .get(1)
            .and_then(|position| serde_json::from_value(position.clone()).ok());
        let number = arguments.get(2).and_then(Value::as_u64);
        let complete = match *name {
            _ if WHOLE_DOCUMENT.contains(name) => true,
            "marginalia.swapNotes" => position.is_some() && number.is_some(),
            _ => position.is_some(),
        };
        complete.then(|| Command {
            uri,
            position,
            number: number.and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
            operation: *operation,
        })
    }

    pub fn uri(&self) -> &Url {
        &self.uri
    }

    /// The command's edits on `snapshot`; `None` for a position outside the document.
    pub fn edits(&self, snapshot: &Snapshot, encoding: Encoding) -> Option<Vec<TextEdit>> {
        let rope = snapshot.document.text();
        let offset = match self.position {
            Some(position) => position::offset(rope, position, encoding).ok()?,
            None => 0,
        };
        let operation = (self.operation)(offset, self.number);
        Some(operation.edits(&snapshot.document))
    }
}
