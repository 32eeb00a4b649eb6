//! Core results to LSP types. Positions go through [`super::position`], nothing else.

use ropey::Rope;
use tower_lsp::lsp_types::{
    CodeAction, CodeActionContext, CodeActionKind, CodeLens, Command, CompletionItem,
    CompletionItemKind, CompletionTextEdit, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DocumentChanges, DocumentHighlight, DocumentHighlightKind, DocumentLink,
    DocumentSymbol, Documentation, FoldingRange, FoldingRangeKind, Hover, HoverContents, Location,
    MarkedString, MarkupContent, MarkupKind, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range, SymbolInformation, SymbolKind,
    TextDocumentEdit, TextEdit, Url, WorkspaceEdit,
};

use super::position::{self, Encoding};
use super::range_cache;
use super::state::ClientSupport;
use super::store::Snapshot;
use crate::analysis::{Problem, Severity};
use crate::features::code_actions::{Action, ActionKind};
use crate::features::completion::Completion;
use crate::features::folding::{Fold, FoldKind};
use crate::features::hover;
use crate::features::hover::Markup;
use crate::features::links::Link;
use crate::features::outline::{OutlineItem, OutlineKind};
use crate::features::references::HighlightKind;
use crate::features::renumber;
use crate::features::workspace_symbols::Symbol;
use crate::text::TextRange;

pub const SOURCE: &str = "marginalia";

/// A pulled diagnostic report: `unchanged` when `previous` is the result id of what
/// `found` holds now (its version, whether its form checks were done, and the settings it
/// was shown by), else all of it.
pub fn diagnostic_report(
    found: Option<&super::store::ToPublish>,
    previous: Option<&str>,
    uri: &Url,
    encoding: Encoding,
) -> tower_lsp::lsp_types::DocumentDiagnosticReportResult {
    use tower_lsp::lsp_types::{
        DocumentDiagnosticReport, FullDocumentDiagnosticReport,
        RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport,
        UnchangedDocumentDiagnosticReport,
    };
    let Some(found) = found else {
        return DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport::default())
            .into();
    };
    let snapshot = &found.snapshot;
    let pending = u8::from(snapshot.document.lints_pending());
    let result_id = format!("{}.{pending}.{}", snapshot.version, found.settings);
    if previous == Some(result_id.as_str()) {
        let unchanged = UnchangedDocumentDiagnosticReport { result_id };
        return DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: unchanged,
        })
        .into();
    }
    let known = found.known.as_deref().unwrap_or_default();
    let items = diagnostics(
        snapshot.document.text(),
        uri,
        &found.problems,
        known,
        encoding,
    );
    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport {
            result_id: Some(result_id),
            items,
        },
    })
    .into()
}

/// Nested selection ranges, `ranges` given innermost first.
pub fn selection_range(
    rope: &Rope,
    ranges: &[TextRange],
    encoding: Encoding,
) -> tower_lsp::lsp_types::SelectionRange {
    let converted = position::ranges(rope, ranges, encoding);
    let mut outer: Option<tower_lsp::lsp_types::SelectionRange> = None;
    for range in converted.into_iter().rev() {
        outer = Some(tower_lsp::lsp_types::SelectionRange {
            range,
            parent: outer.map(Box::new),
        });
    }
    outer.unwrap_or_default()
}

/// The diagnostics of `problems`, their positions taken from `known` (aligned with
/// [`problem_ranges`]) or converted all at once. (The stdio transport
/// writes the same JSON straight from the problems: [`super::encoded::publish_diagnostics`].)
pub fn diagnostics(
    rope: &Rope,
    uri: &Url,
    problems: &[Problem],
    known: &[Option<Range>],
    encoding: Encoding,
) -> Vec<Diagnostic> {
    let ranges = range_cache::fill(rope, &problem_ranges(problems), known, encoding);
    let mut ranges = ranges.into_iter();
    problems
        .iter()
        .map(|problem| {
            let range = ranges.next().unwrap_or_default();
            let related = problem
                .related()
                .map(|(_, message)| DiagnosticRelatedInformation {
                    location: Location::new(uri.clone(), ranges.next().unwrap_or_default()),
                    message,
                });
            Diagnostic {
                range,
                severity: Some(severity(problem.severity)),
                code: Some(NumberOrString::String(problem.code().as_str().to_string())),
                source: Some(SOURCE.to_string()),
                message: problem.message().to_string(),
                related_information: related.map(|related| vec![related]),
                ..Default::default()
            }
        })
        .collect()
}

/// Each problem's range followed by its related place's, if any.
pub fn problem_ranges(problems: &[Problem]) -> Vec<TextRange> {
    problems
        .iter()
        .flat_map(|problem| {
            std::iter::once(problem.range).chain(problem.related().map(|(range, _)| range))
        })
        .collect()
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn document_symbols(
    rope: &Rope,
    items: Vec<OutlineItem>,
    encoding: Encoding,
) -> Vec<DocumentSymbol> {
    items
        .into_iter()
        .map(|item| document_symbol(rope, item, encoding))
        .collect()
}

#[allow(deprecated)] // `deprecated` is a required field of the struct
fn document_symbol(rope: &Rope, item: OutlineItem, encoding: Encoding) -> DocumentSymbol {
    let children = document_symbols(rope, item.children, encoding);
    DocumentSymbol {
        name: item.name,
        detail: None,
        kind: symbol_kind(item.kind),
        tags: None,
        deprecated: None,
        range: position::range(rope, item.range, encoding),
        selection_range: position::range(rope, item.selection, encoding),
        children: (!children.is_empty()).then_some(children),
    }
}

/// A heading or note of the workspace, at `range` (converted when its file was read).
#[allow(deprecated)] // `deprecated` is a required field of the struct
pub fn workspace_symbol(uri: &Url, symbol: &Symbol, range: Range) -> SymbolInformation {
    SymbolInformation {
        name: symbol.name.clone(),
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        location: Location::new(uri.clone(), range),
        container_name: symbol.container.as_deref().map(str::to_string),
    }
}

fn symbol_kind(kind: OutlineKind) -> SymbolKind {
    match kind {
        // The kinds Markdown servers use for headings, so editors draw them the same way.
        OutlineKind::Heading { .. } => SymbolKind::STRING,
        OutlineKind::NotesSection => SymbolKind::NAMESPACE,
        OutlineKind::Note => SymbolKind::KEY,
    }
}

/// Each item with the LSP range of its `range_of`, all converted in one walk over the rope
/// (one tree lookup each costs more once there are thousands).
fn with_lsp_ranges<'a, T>(
    rope: &Rope,
    items: &'a [T],
    range_of: impl Fn(&T) -> TextRange,
    encoding: Encoding,
) -> impl Iterator<Item = (Range, &'a T)> {
    let ranges: Vec<TextRange> = items.iter().map(range_of).collect();
    position::ranges(rope, &ranges, encoding)
        .into_iter()
        .zip(items)
}

pub fn highlights(
    rope: &Rope,
    found: &[(TextRange, HighlightKind)],
    encoding: Encoding,
) -> Vec<DocumentHighlight> {
    with_lsp_ranges(rope, found, |(range, _)| *range, encoding)
        .map(|(range, (_, kind))| DocumentHighlight {
            range,
            kind: Some(match kind {
                HighlightKind::Read => DocumentHighlightKind::READ,
                HighlightKind::Write => DocumentHighlightKind::WRITE,
            }),
        })
        .collect()
}

pub fn hover(rope: &Rope, hover: hover::Hover, encoding: Encoding) -> Hover {
    Hover {
        // As for documentation: a plain string for plain text.
        contents: match hover.markup {
            Markup::Markdown => HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: hover.text,
            }),
            Markup::PlainText => HoverContents::Scalar(MarkedString::String(hover.text)),
        },
        range: Some(position::range(rope, hover.range, encoding)),
    }
}

/// A lens above each note's label: how many times the note is cited. It only informs: its
/// command is empty, so clicking it does nothing.
pub fn citation_lenses(
    rope: &Rope,
    counts: &[(TextRange, usize)],
    encoding: Encoding,
) -> Vec<CodeLens> {
    with_lsp_ranges(rope, counts, |(label, _)| *label, encoding)
        .map(|(range, (_, count))| CodeLens {
            range,
            command: Some(Command {
                title: match count {
                    1 => "cited once".to_string(),
                    n => format!("cited {n} times"),
                },
                command: String::new(),
                arguments: None,
            }),
            data: None,
        })
        .collect()
}

/// One workspace edit for the document at `version`: versioned `documentChanges` when the
/// client takes them (it then refuses the edit if the text has moved on), else `changes`.
pub fn workspace_edit(
    rope: &Rope,
    uri: &Url,
    version: i32,
    edits: &[renumber::TextEdit],
    encoding: Encoding,
    document_changes: bool,
) -> WorkspaceEdit {
    let edits: Vec<TextEdit> = with_lsp_ranges(rope, edits, |edit| edit.range, encoding)
        .map(|(range, edit)| TextEdit::new(range, edit.new_text.clone()))
        .collect();
    if document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..WorkspaceEdit::default()
        }
    }
}

/// The code actions the client asked for (`context.only`), the quick fixes with the
/// diagnostics they fix. Each has its workspace edit, or, for a client that resolves actions,
/// `data` to make it from (see [`resolve_data`]).
pub fn code_actions(
    snapshot: &Snapshot,
    uri: &Url,
    request_range: Range,
    actions: Vec<Action>,
    context: &CodeActionContext,
    encoding: Encoding,
    support: ClientSupport,
) -> Vec<CodeAction> {
    let rope = snapshot.document.text();
    // A kind is wanted when no kinds are asked for, or it is one of them or under one.
    let wanted = |kind: &CodeActionKind| match &context.only {
        None => true,
        Some(only) => only.iter().any(|asked| {
            let (kind, asked) = (kind.as_str(), asked.as_str());
            kind == asked
                || kind
                    .strip_prefix(asked)
                    .is_some_and(|rest| rest.starts_with('.'))
        }),
    };
    actions
        .into_iter()
        .filter_map(|action| {
            let kind = code_action_kind(action.kind);
            if !wanted(&kind) {
                return None;
            }
            let diagnostics = action.fixes.map(|(range, code)| {
                let range = position::range(rope, range, encoding);
                context
                    .diagnostics
                    .iter()
                    .filter(|d| {
                        d.range == range
                            && d.code == Some(NumberOrString::String(code.as_str().to_string()))
                    })
                    .cloned()
                    .collect::<Vec<_>>()
            });
            let (edit, data) = if support.resolve_code_action_edit {
                let data = serde_json::json!({
                    "uri": uri,
                    "range": request_range,
                    "title": action.title,
                });
                (None, Some(data))
            } else {
                let edits = action.edits(&snapshot.document);
                let edit = workspace_edit(
                    rope,
                    uri,
                    snapshot.version,
                    &edits,
                    encoding,
                    support.document_changes,
                );
                (Some(edit), None)
            };
            Some(CodeAction {
                title: action.title,
                kind: Some(kind),
                diagnostics: diagnostics.filter(|d| !d.is_empty()),
                edit,
                data,
                is_preferred: Some(action.fixes.is_some()),
                ..CodeAction::default()
            })
        })
        .collect()
}

fn code_action_kind(kind: ActionKind) -> CodeActionKind {
    match kind {
        ActionKind::QuickFix => CodeActionKind::QUICKFIX,
        ActionKind::Rewrite => CodeActionKind::REFACTOR_REWRITE,
        ActionKind::OrganizeNotes => CodeActionKind::from(super::capabilities::ORGANIZE_NOTES),
        ActionKind::Reflow => CodeActionKind::from(super::capabilities::REFLOW_PARAGRAPHS),
        ActionKind::RepairScars => CodeActionKind::from(super::capabilities::REPAIR_SCARS),
    }
}

/// What a lazily listed code action carries to be resolved.
#[derive(serde::Deserialize)]
pub struct ResolveData {
    pub uri: Url,
    pub range: Range,
    pub title: String,
}

pub fn resolve_data(action: &CodeAction) -> Option<ResolveData> {
    serde_json::from_value(action.data.clone()?).ok()
}

/// Completion items; an item for an existing note carries the document's URI and version and
/// its label's offset in `data`, for `completionItem/resolve` (see [`completion_note`]).
pub fn completions(
    rope: &Rope,
    uri: &Url,
    version: i32,
    found: Vec<Completion>,
    markup: Markup,
    encoding: Encoding,
) -> Vec<CompletionItem> {
    // All items replace the same typed text: its range is converted once.
    let mut converted: Option<(TextRange, Range)> = None;
    let mut lsp_range = |range: TextRange| match converted {
        Some((known, lsp)) if known == range => lsp,
        _ => {
            let lsp = position::range(rope, range, encoding);
            converted = Some((range, lsp));
            lsp
        }
    };
    found
        .into_iter()
        .map(|item| {
            let text_edit = TextEdit::new(lsp_range(item.edit.range), item.edit.new_text);
            let additional: Vec<TextEdit> = item
                .additional
                .iter()
                .map(|edit| {
                    TextEdit::new(
                        position::range(rope, edit.range, encoding),
                        edit.new_text.clone(),
                    )
                })
                .collect();
            CompletionItem {
                label: item.label,
                kind: Some(CompletionItemKind::REFERENCE),
                detail: Some(item.detail),
                documentation: item.documentation.map(|text| documentation(text, markup)),
                sort_text: Some(item.sort),
                filter_text: Some(item.filter),
                text_edit: Some(CompletionTextEdit::Edit(text_edit)),
                additional_text_edits: (!additional.is_empty()).then_some(additional),
                data: item.note_label.map(|label| {
                    serde_json::json!({ "uri": uri, "version": version, "label": label.start })
                }),
                ..CompletionItem::default()
            }
        })
        .collect()
}

/// Document links; a target that is not a valid URL (a mended piece gone wrong) is left out.
pub fn document_links(rope: &Rope, links: &[Link], encoding: Encoding) -> Vec<DocumentLink> {
    with_lsp_ranges(rope, links, |link| link.range, encoding)
        .filter_map(|(range, link)| {
            let target = Url::parse(&link.target)
                .map_err(|error| tracing::debug!(target = link.target, %error, "not a link"))
                .ok()?;
            Some(DocumentLink {
                range,
                target: Some(target),
                tooltip: None,
                data: None,
            })
        })
        .collect()
}

/// Folding ranges: by lines (the first stays shown), with the characters where they start and
/// end unless the client folds whole lines only.
pub fn folding_ranges(
    rope: &Rope,
    folds: &[Fold],
    line_folding_only: bool,
    encoding: Encoding,
) -> Vec<FoldingRange> {
    with_lsp_ranges(rope, folds, |fold| fold.range, encoding)
        .map(|(range, fold)| {
            let characters = |character: u32| (!line_folding_only).then_some(character);
            FoldingRange {
                start_line: range.start.line,
                start_character: characters(range.start.character),
                end_line: range.end.line,
                end_character: characters(range.end.character),
                kind: Some(match fold.kind {
                    FoldKind::Section => FoldingRangeKind::Region,
                    FoldKind::Note => FoldingRangeKind::Comment,
                }),
                collapsed_text: None,
            }
        })
        .collect()
}

/// Markdown as `MarkupContent`; plain text as a plain string, which every client reads (one
/// that declares no format at all may refuse even `MarkupContent` of kind `plaintext`).
pub fn documentation(value: String, markup: Markup) -> Documentation {
    match markup {
        Markup::Markdown => Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        Markup::PlainText => Documentation::String(value),
    }
}

/// The document, its version and the note label offset a completion item stands for.
pub fn completion_note(item: &CompletionItem) -> Option<(Url, i32, usize)> {
    #[derive(serde::Deserialize)]
    struct Data {
        uri: Url,
        version: i32,
        label: usize,
    }
    let data: Data = serde_json::from_value(item.data.clone()?).ok()?;
    Some((data.uri, data.version, data.label))
}
