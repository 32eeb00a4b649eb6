//! Core results to LSP types. Positions go through [`super::position`], nothing else.

use ropey::Rope;
use tower_lsp::lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, Location,
    NumberOrString, Range, SymbolKind, Url,
};

use super::position::{self, Encoding};
use crate::analysis::{Problem, Severity};
use crate::features::outline::{OutlineItem, OutlineKind};
use crate::text::TextRange;

pub const SOURCE: &str = "marginalia";

/// The diagnostics of `problems`, their positions converted all at once.
pub fn diagnostics(
    rope: &Rope,
    uri: &Url,
    problems: &[Problem],
    encoding: Encoding,
) -> Vec<Diagnostic> {
    let text_ranges: Vec<TextRange> = problems
        .iter()
        .flat_map(|problem| {
            std::iter::once(problem.range).chain(problem.related.iter().map(|(range, _)| *range))
        })
        .collect();
    let mut ranges = position::ranges(rope, &text_ranges, encoding).into_iter();
    problems
        .iter()
        .map(|problem| {
            let range = ranges.next().unwrap_or_default();
            let related = problem
                .related
                .iter()
                .map(|(_, message)| (ranges.next().unwrap_or_default(), message));
            diagnostic(uri, problem, range, related)
        })
        .collect()
}

fn diagnostic<'a>(
    uri: &Url,
    problem: &Problem,
    range: Range,
    related: impl Iterator<Item = (Range, &'a String)>,
) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = related
        .map(|(range, message)| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range),
            message: message.clone(),
        })
        .collect();
    Diagnostic {
        range,
        severity: Some(severity(problem.severity)),
        code: Some(NumberOrString::String(problem.code.as_str().to_string())),
        source: Some(SOURCE.to_string()),
        message: problem.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
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

fn symbol_kind(kind: OutlineKind) -> SymbolKind {
    match kind {
        // The kinds Markdown servers use for headings, so editors draw them the same way.
        OutlineKind::Heading { .. } => SymbolKind::STRING,
        OutlineKind::NotesSection => SymbolKind::NAMESPACE,
        OutlineKind::Note => SymbolKind::KEY,
    }
}
