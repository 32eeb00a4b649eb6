//! Code actions: quick fixes for the note and form problems, note edits and joining a
//! paragraph at the cursor, renumbering, reflowing and repairing the whole document. Listing them is cheap; their edits (see [`super::renumber`]) are made
//! by [`Action::edits`], when the client resolves the action it picked or, for clients that
//! cannot resolve, with the list.

use super::renumber::{self, TextEdit};
use super::repair;
use crate::analysis::paragraphs::paragraph_at;
use crate::analysis::{Analysis, NoteKey, Problem, ProblemCode, ProblemKind};
use crate::document::DocumentSnapshot;
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    /// `refactor.rewrite`
    Rewrite,
    /// `source.organizeNotes`
    OrganizeNotes,
    /// `source.reflowParagraphs`
    Reflow,
    /// `source.fixAll.marginalia`: every PDF scar repaired.
    RepairScars,
}

/// What an action does, at which byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    AddMissingNote(usize),
    DeleteEntry(usize),
    RenumberDuplicate(usize),
    InsertNote(usize),
    DeleteNote(usize),
    Swap(usize, u32),
    /// A marker for note `number` at the offset.
    Cite(usize, u32),
    RenumberInOrder,
    /// The quick fix of the form problem that starts at the offset, of this kind.
    FixForm(usize, ProblemCode),
    /// Every half-width mark between CJK characters written in full width.
    FullWidthThroughout,
    JoinParagraph(usize),
    Reflow,
    RepairScars,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    pub operation: Operation,
    /// The problem a quick fix fixes: its range and code.
    pub fixes: Option<(TextRange, ProblemCode)>,
}

impl Action {
    /// The action's edits on the text it was listed for.
    pub fn edits(&self, document: &DocumentSnapshot) -> Vec<TextEdit> {
        self.operation.edits(document)
    }
}

impl Operation {
    /// The operation's edits on `document`; none where it does not apply (no marker or note
    /// at its offset).
    pub fn edits(self, document: &DocumentSnapshot) -> Vec<TextEdit> {
        let (analysis, rope) = (&**document.analysis(), document.text());
        let one = |edit: Option<TextEdit>| edit.into_iter().collect();
        match self {
            Operation::AddMissingNote(at) => one(renumber::add_missing_note(analysis, rope, at)),
            Operation::DeleteEntry(at) => one(renumber::delete_entry(analysis, rope, at)),
            Operation::RenumberDuplicate(at) => {
                one(renumber::renumber_duplicate(analysis, rope, at))
            }
            Operation::InsertNote(at) => renumber::insert_note(analysis, rope, at),
            Operation::DeleteNote(at) => {
                renumber::delete_note(analysis, rope, at).unwrap_or_default()
            }
            Operation::Swap(at, other) => {
                renumber::swap(analysis, rope, at, other).unwrap_or_default()
            }
            Operation::Cite(at, number) => vec![renumber::cite(analysis, rope, at, number)],
            Operation::RenumberInOrder => renumber::renumber_in_order(analysis, rope),
            Operation::FixForm(at, code) => form_problem(document, at, code)
                .map(|problem| repair::fix(document, &problem))
                .unwrap_or_default(),
            Operation::FullWidthThroughout => repair::full_width_throughout(document),
            Operation::JoinParagraph(at) => repair::join_paragraph(document, at),
            Operation::Reflow => repair::reflow(document),
            Operation::RepairScars => repair::repair_scars(document),
        }
    }
}

/// The form problem of kind `code` that starts at `at`.
fn form_problem(document: &DocumentSnapshot, at: usize, code: ProblemCode) -> Option<Problem> {
    document
        .lints()
        .touching(at, at)
        .into_iter()
        .find(|p| p.range.start == at && p.code() == code)
}

/// The actions for the selection `range`.
pub fn actions(document: &DocumentSnapshot, range: TextRange) -> Vec<Action> {
    let analysis = document.analysis();
    let mut actions = quick_fixes(analysis, range);
    actions.extend(form_fixes(document, range));
    actions.extend(at_cursor(analysis, range.start));
    actions.extend(join_here(document, range.start, &actions));
    if !analysis.markers.is_empty() || !analysis.notes.is_empty() {
        actions.push(Action {
            title: RENUMBER.to_string(),
            kind: ActionKind::OrganizeNotes,
            operation: Operation::RenumberInOrder,
            fixes: None,
        });
    }
    let source = |title: &str, kind, operation| Action {
        title: title.to_string(),
        kind,
        operation,
        fixes: None,
    };
    actions.push(source(REFLOW, ActionKind::Reflow, Operation::Reflow));
    actions.push(source(
        "Repair PDF scars: join hard-wrapped paragraphs and broken URLs, remove page-break spaces",
        ActionKind::RepairScars,
        Operation::RepairScars,
    ));
    actions
}

const REFLOW: &str = "Reflow the document into paragraphs";
const JOIN: &str = "Join this paragraph's lines";

/// The quick fixes of the form problems the selection touches.
fn form_fixes(document: &DocumentSnapshot, range: TextRange) -> Vec<Action> {
    let throughout = document.lints().half_width_throughout().is_some();
    let mut offered_throughout = false;
    document
        .lints()
        .touching(range.start, range.end)
        .into_iter()
        .filter_map(|problem| {
            if throughout && problem.code() == ProblemCode::HalfWidthPunctuation {
                // (One action for all of them, however many the selection touches.)
                return (!std::mem::replace(&mut offered_throughout, true)).then(|| Action {
                    title: "Write full-width punctuation throughout".to_string(),
                    kind: ActionKind::QuickFix,
                    operation: Operation::FullWidthThroughout,
                    fixes: Some((problem.range, problem.code())),
                });
            }
            let title = match problem.kind {
                ProblemKind::PageBreakSpace => "Remove the stray space",
                ProblemKind::HardWrap { .. } => JOIN,
                ProblemKind::BrokenUrl => "Join the broken URL",
                ProblemKind::HalfWidthPunctuation { mark } => {
                    crate::analysis::lint::HALF_WIDTH_FIXES.get(usize::from(mark))?
                }
                _ => return None,
            };
            Some(Action {
                title: title.to_string(),
                kind: ActionKind::QuickFix,
                operation: Operation::FixForm(problem.range.start, problem.code()),
                fixes: Some((problem.range, problem.code())),
            })
        })
        .collect()
}

/// "Join this paragraph's lines" where the paragraph at the cursor has several (and no
/// hard-wrap quick fix offers it already: not every wrapped paragraph is reported).
fn join_here(document: &DocumentSnapshot, offset: usize, listed: &[Action]) -> Option<Action> {
    if listed.iter().any(|a| a.title == JOIN) {
        return None;
    }
    let paragraph = paragraph_at(document.text(), offset, document.layout())?;
    (paragraph.is_wrapped() && paragraph.range().touches(offset)).then(|| Action {
        title: JOIN.to_string(),
        kind: ActionKind::Rewrite,
        operation: Operation::JoinParagraph(offset),
        fixes: None,
    })
}

const RENUMBER: &str = "Renumber notes in order of first citation";

fn quick_fixes(analysis: &Analysis, range: TextRange) -> Vec<Action> {
    let touched = |problem: TextRange| problem.start <= range.end && range.start <= problem.end;
    let mut actions = Vec::new();
    for problem in analysis.problems.iter().filter(|p| touched(p.range)) {
        let at = problem.range.start;
        let (title, operation) = match problem.kind {
            ProblemKind::MissingNote { number, .. } => (
                format!("Add note 〔{number}〕 to 註釋"),
                Operation::AddMissingNote(at),
            ),
            ProblemKind::UnusedNote { number } => (
                format!("Delete note 〔{number}〕"),
                Operation::DeleteEntry(at),
            ),
            ProblemKind::DuplicateNote { .. } => (
                "Renumber this duplicate as a new note".to_string(),
                Operation::RenumberDuplicate(at),
            ),
            ProblemKind::NoteOrder { .. }
            | ProblemKind::NoteGap { .. }
            | ProblemKind::NotesOutOfOrder { .. } => {
                (RENUMBER.to_string(), Operation::RenumberInOrder)
            }
            _ => continue,
        };
        actions.push(Action {
            title,
            kind: ActionKind::QuickFix,
            operation,
            fixes: Some((problem.range, problem.code())),
        });
    }
    actions
}

fn at_cursor(analysis: &Analysis, offset: usize) -> Vec<Action> {
    let rewrite = |title: String, operation: Operation| Action {
        title,
        kind: ActionKind::Rewrite,
        operation,
        fixes: None,
    };
    let mut actions = Vec::new();
    if analysis.note_label_at(offset).is_none() {
        let (scope, number) = renumber::new_note_number(analysis, offset);
        actions.push(rewrite(
            format!("Insert a note here (〔{number}〕)"),
            Operation::InsertNote(offset),
        ));
        // An entry nothing cites yet, whose number is the one a citation here would have.
        let uncited = analysis.problems.iter().any(|p| {
            p.kind == ProblemKind::UnusedNote { number }
                && analysis
                    .note_label_at(p.range.start)
                    .is_some_and(|n| Some(n.section) == scope)
        });
        // A quick fix for the entry's unused-note, offered where the citation would go.
        if uncited && analysis.marker_at(offset).is_none() {
            actions.push(Action {
                title: format!("Cite note 〔{number}〕 here"),
                kind: ActionKind::QuickFix,
                operation: Operation::Cite(offset, number),
                fixes: None,
            });
        }
    }
    if let Some(marker) = analysis.marker_at(offset) {
        actions.push(rewrite(
            format!("Delete this note (〔{}〕)", marker.number),
            Operation::DeleteNote(offset),
        ));
    }
    if let Some(target) = super::references::target_at(analysis, offset) {
        let number = target.number;
        for other in [number.saturating_sub(1), number.saturating_add(1)] {
            if other != 0
                && other != number
                && renumber::number_exists(
                    analysis,
                    NoteKey {
                        number: other,
                        ..target
                    },
                )
            {
                actions.push(rewrite(
                    format!("Swap notes {number} and {other}"),
                    Operation::Swap(offset, other),
                ));
            }
        }
    }
    actions
}
