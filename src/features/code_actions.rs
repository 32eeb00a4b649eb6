//! Code actions: quick fixes for the note problems, note edits at the cursor, and renumbering
//! the whole document. Each carries its edits (see [`super::renumber`]).

use ropey::Rope;

use super::renumber::{self, TextEdit};
use crate::analysis::{Analysis, ProblemCode, ProblemKind};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    /// `refactor.rewrite`
    Rewrite,
    /// `source.organizeNotes`
    OrganizeNotes,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    pub edits: Vec<TextEdit>,
    /// The problem a quick fix fixes: its range and code.
    pub fixes: Option<(TextRange, ProblemCode)>,
}

/// The actions for the selection `range`.
pub fn actions(analysis: &Analysis, rope: &Rope, range: TextRange) -> Vec<Action> {
    let mut actions = quick_fixes(analysis, rope, range);
    actions.extend(at_cursor(analysis, rope, range.start));
    let renumbered = renumber::renumber_in_order(analysis, rope);
    if !renumbered.is_empty() {
        actions.push(Action {
            title: "Renumber notes in order of first citation".to_string(),
            kind: ActionKind::OrganizeNotes,
            edits: renumbered,
            fixes: None,
        });
    }
    actions
}

fn quick_fixes(analysis: &Analysis, rope: &Rope, range: TextRange) -> Vec<Action> {
    let touched = |problem: TextRange| problem.start <= range.end && range.start <= problem.end;
    let mut actions = Vec::new();
    for problem in analysis.problems.iter().filter(|p| touched(p.range)) {
        let at = problem.range.start;
        let (title, edits) = match problem.kind {
            ProblemKind::MissingNote { number, .. } => (
                format!("Add note 〔{number}〕 to 註釋"),
                renumber::add_missing_note(analysis, rope, at).map(|edit| vec![edit]),
            ),
            ProblemKind::UnusedNote { number } => (
                format!("Delete note 〔{number}〕"),
                renumber::delete_entry(analysis, rope, at).map(|edit| vec![edit]),
            ),
            ProblemKind::DuplicateNote { .. } => (
                "Renumber this duplicate as a new note".to_string(),
                renumber::renumber_duplicate(analysis, rope, at).map(|edit| vec![edit]),
            ),
            ProblemKind::NoteOrder { .. }
            | ProblemKind::NoteGap { .. }
            | ProblemKind::NotesOutOfOrder { .. } => (
                "Renumber notes in order of first citation".to_string(),
                Some(renumber::renumber_in_order(analysis, rope)).filter(|e| !e.is_empty()),
            ),
        };
        if let Some(edits) = edits {
            actions.push(Action {
                title,
                kind: ActionKind::QuickFix,
                edits,
                fixes: Some((problem.range, problem.code())),
            });
        }
    }
    actions
}

fn at_cursor(analysis: &Analysis, rope: &Rope, offset: usize) -> Vec<Action> {
    let rewrite = |title: String, edits: Vec<TextEdit>| Action {
        title,
        kind: ActionKind::Rewrite,
        edits,
        fixes: None,
    };
    let mut actions = Vec::new();
    let on_label = analysis.note_label_at(offset).is_some();
    if !on_label {
        let (_, number) = renumber::new_note_number(analysis, offset);
        actions.push(rewrite(
            format!("Insert a note here (〔{number}〕)"),
            renumber::insert_note(analysis, rope, offset),
        ));
    }
    if let Some(marker) = analysis.marker_at(offset) {
        if let Some(edits) = renumber::delete_note(analysis, rope, offset) {
            actions.push(rewrite(
                format!("Delete this note (〔{}〕)", marker.number),
                edits,
            ));
        }
    }
    if let Some((_, number)) = renumber::rename_target(analysis, offset) {
        for other in [number.checked_sub(1), number.checked_add(1)]
            .into_iter()
            .flatten()
        {
            if other == 0 {
                continue;
            }
            if let Some(edits) = renumber::swap(analysis, rope, offset, other) {
                if edits.len() > 1 {
                    actions.push(rewrite(format!("Swap notes {number} and {other}"), edits));
                }
            }
        }
    }
    actions
}
