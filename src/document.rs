//! A document as the core sees it: its text and the analysis of that text.
//!
//! This is the narrow interface the protocol layer and the CLI use; how the analysis is
//! brought up to date after an edit is this module's business alone.

use std::ops::Range;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use ropey::{Rope, RopeBuilder};

use crate::analysis::index::{self, Index, IndexBuilder, Shift};
use crate::analysis::lint::{LintJob, Lints};
use crate::analysis::paragraphs::Layout;
use crate::analysis::syntax::Syntax;
use crate::analysis::Analysis;

/// Texts at least this long build their rope on a thread of its own.
const PARALLEL_OPEN_BYTES: usize = 1 << 20;
/// A text of at least this many bytes has its form checked on a thread of its own: when it
/// is opened (a 10 MB book takes tens of milliseconds), and after edits only when asked
/// ([`Document::start_form_checks`], which the server does once typing pauses). Its note
/// problems are published after every edit without waiting; form problems are shown as they
/// were, moved with the text, until the checks are done. A smaller text is checked at once.
const BACKGROUND_LINT_BYTES: usize = 1 << 20;
/// A text larger than this (over 3,000 pages) has no form checks: on the 100 MB book they
/// raised the server's peak memory from 222 to 336 MB, past the 300 MB it must stay under.
const MAX_FORM_CHECK_BYTES: usize = 32 << 20;

/// Bytes `start..old_end` replaced, now `start..new_end`: `(start, old_end, new_end)`.
type ByteEdit = (usize, usize, usize);

/// A text with its analysis, and what it takes to update the analysis after an edit.
/// Readers take a [`DocumentSnapshot`].
#[derive(Clone, Debug)]
pub struct Document {
    text: Rope,
    /// The facts the analysis is assembled from, updated by each edit.
    index: Index,
    analysis: Arc<Analysis>,
    /// The checks of the text's form, kept up to date paragraph by paragraph (while `lint_job`
    /// runs: those from before it, moved by the edits since).
    lints: Arc<Lints>,
    /// The form checks of a large text (opened, or pasted), running on a thread of their own,
    /// and the edits made since (start, old end, new end), to bring their result up to date.
    lint_job: Option<(LintJob, Vec<ByteEdit>)>,
    /// Where the text's last non-blank line ends.
    content_end: usize,
    /// Edited since the analysis was made.
    stale: bool,
    /// For the edits since the analysis was made, how they moved the text, as long as they
    /// changed no fact; `None` once one did.
    pending_shifts: Option<Vec<Shift>>,
}

impl Document {
    /// A text read by the built-in rules.
    pub fn new(text: &str) -> Document {
        Document::with_syntax(text, Arc::default())
    }

    /// A text read by the rules of `syntax`.
    pub fn with_syntax(text: &str, syntax: Arc<Syntax>) -> Document {
        // A large text's rope is built while its facts are scanned.
        let (rope, (index, content_end)) = if text.len() < PARALLEL_OPEN_BYTES {
            (Rope::from_str(text), Index::with_syntax(text, syntax))
        } else {
            std::thread::scope(|scope| {
                let rope = scope.spawn(|| Rope::from_str(text));
                let index = Index::with_syntax(text, syntax);
                let rope = rope
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (rope, index)
            })
        };
        Document::from_parts(rope, index, content_end)
    }

    fn from_parts(rope: Rope, index: Index, content_end: usize) -> Document {
        let analysis = Arc::new(Analysis::from_index(&index, content_end));
        let layout = layout(&index);
        let (lints, lint_job) = if rope.len_bytes() < BACKGROUND_LINT_BYTES {
            (Lints::of_rope(&rope, &layout), None)
        } else if rope.len_bytes() > MAX_FORM_CHECK_BYTES {
            tracing::info!(
                bytes = rope.len_bytes(),
                "no form checks: the text is too large"
            );
            (Lints::default(), None)
        } else {
            let job = LintJob::start(Lints::default(), rope.clone(), layout);
            (Lints::default(), Some((job, Vec::new())))
        };
        Document {
            text: rope,
            index,
            analysis,
            lints: Arc::new(lints),
            lint_job,
            content_end,
            stale: false,
            pending_shifts: Some(Vec::new()),
        }
    }

    pub fn text(&self) -> &Rope {
        &self.text
    }

    /// The rules the text is read by.
    pub fn syntax(&self) -> &Arc<Syntax> {
        &self.index.syntax
    }

    /// Reads the text again by the rules of `syntax`, if they are not those it was read by.
    pub fn reread(&mut self, syntax: &Arc<Syntax>) {
        debug_assert!(!self.stale, "reread before refresh");
        if self.index.syntax == *syntax {
            return;
        }
        let (index, content_end) = Index::with_syntax(&self.text.to_string(), syntax.clone());
        *self = Document::from_parts(self.text.clone(), index, content_end);
    }

    /// A consistent view of the current version, O(1): later edits do not disturb it.
    pub fn snapshot(&self) -> DocumentSnapshot {
        debug_assert!(!self.stale, "snapshot taken before refresh");
        DocumentSnapshot {
            text: self.text.clone(),
            analysis: self.analysis.clone(),
            lints: self.lints.clone(),
            lints_pending: self.lints_pending(),
            layout: layout(&self.index),
        }
    }

    /// The analysis of the current text (see [`Document::refresh`]).
    pub fn analysis(&self) -> &Arc<Analysis> {
        debug_assert!(!self.stale, "analysis read before refresh");
        &self.analysis
    }

    /// Replaces the characters `chars` (already clamped to the text) with `new_text`.
    /// Several replacements can be made in a row; call [`Document::refresh`] after the last.
    pub fn replace(&mut self, chars: Range<usize>, new_text: &str) {
        let start = self.text.char_to_byte(chars.start);
        let old_end = self.text.char_to_byte(chars.end);
        let new_end = start + new_text.len();
        if let Some((_, edits)) = &mut self.lint_job {
            edits.push((start, old_end, new_end));
        }
        // Moved meanwhile, to be shown until the checks running are done.
        Arc::make_mut(&mut self.lints).edited(start, old_end, new_end);
        let shift = self.index.replace(&mut self.text, chars, new_text);
        self.stale = true;
        match (shift, &mut self.pending_shifts) {
            (Some(shift), Some(shifts)) => shifts.push(shift),
            _ => self.pending_shifts = None,
        }
    }

    /// Brings the analysis up to date with the text.
    pub fn refresh(&mut self) {
        if !self.stale {
            return;
        }
        let content_end = index::content_end(&self.text);
        let shifts = self.pending_shifts.replace(Vec::new());
        let moved_content_end = shifts.as_ref().map(|shifts| {
            shifts
                .iter()
                .try_fold(self.content_end, |end, shift| shift.position(end))
        });
        let moved = match shifts {
            Some(shifts) if moved_content_end == Some(Some(content_end)) => {
                // Nothing but positions changed: move the analysis (in place when no reader
                // holds it) instead of assembling it again.
                let analysis = Arc::make_mut(&mut self.analysis);
                shifts.iter().all(|shift| analysis.shift(shift))
            }
            _ => false,
        };
        if !moved {
            self.analysis = Arc::new(Analysis::from_index(&self.index, content_end));
        }
        self.check_form();
        self.content_end = content_end;
        self.stale = false;
        if self.lint_job.is_some() {
            self.adopt_lints();
        }
    }

    /// Brings the form checks of a small text up to date (a large one's wait to be asked,
    /// see [`BACKGROUND_LINT_BYTES`]).
    fn check_form(&mut self) {
        if self.lint_job.is_none() && self.text.len_bytes() < BACKGROUND_LINT_BYTES {
            Arc::make_mut(&mut self.lints).refresh(&self.text, &layout(&self.index));
        }
    }

    /// Whether the form checks are behind the text: running, or waiting to be asked for.
    pub fn lints_pending(&self) -> bool {
        self.lint_job.is_some() || self.lints.is_dirty()
    }

    /// Whether the form checks wait to be asked for after edits (see
    /// [`BACKGROUND_LINT_BYTES`]).
    pub fn checks_form_later(&self) -> bool {
        self.text.len_bytes() >= BACKGROUND_LINT_BYTES
    }

    fn too_large_for_form_checks(&self) -> bool {
        self.text.len_bytes() > MAX_FORM_CHECK_BYTES
    }

    /// Starts bringing the form checks up to date on a thread of their own, if they are not
    /// (and none are running); the checks running, if any.
    pub fn start_form_checks(&mut self) -> Option<LintJob> {
        debug_assert!(!self.stale, "form checks started before refresh");
        if self.too_large_for_form_checks() {
            // Grown too large since it was checked: no form problems rather than stale ones.
            if !self.lints.is_empty() {
                self.lints = Arc::default();
            }
            return self.lint_job();
        }
        if self.lint_job.is_none() {
            let layout = layout(&self.index);
            if self.lints.work(&self.text, &layout) == 0 {
                return None;
            }
            let job = LintJob::start(Lints::clone(&self.lints), self.text.clone(), layout);
            self.lint_job = Some((job, Vec::new()));
        }
        self.lint_job()
    }

    /// Takes the result of the form checks running on their own thread if they are done,
    /// brought up to date with the edits made since; whether it did.
    pub fn adopt_lints(&mut self) -> bool {
        let Some(mut lints) = self.lint_job.as_ref().and_then(|(job, _)| job.take()) else {
            return false;
        };
        let edits = self
            .lint_job
            .take()
            .map(|(_, edits)| edits)
            .unwrap_or_default();
        for (start, old_end, new_end) in edits {
            lints.edited(start, old_end, new_end);
        }
        self.lints = Arc::new(lints);
        if !self.stale {
            self.check_form();
        }
        true
    }

    /// Brings the form checks up to date, waiting for them if they run on their own thread.
    pub fn wait_for_lints(&mut self) {
        while let Some(job) = self.start_form_checks() {
            job.wait();
            self.adopt_lints();
        }
    }

    /// The form checks running (since the document was opened, or a large edit), to wait for.
    pub fn lint_job(&self) -> Option<LintJob> {
        self.lint_job.as_ref().map(|(job, _)| job.clone())
    }

    /// The checks of the text's form (see [`Document::refresh`]).
    pub fn lints(&self) -> &Arc<Lints> {
        debug_assert!(!self.stale, "lints read before refresh");
        &self.lints
    }
}

/// How wide the document's printed lines are, if it has printed lines.
fn layout(index: &Index) -> Layout {
    Layout::of(&index.widths, index.syntax.clone())
}

/// Builds a [`Document`] from a text that arrives piece by piece, so that a large document is
/// analysed while it is still being received: its rope and its index are built on two threads
/// of their own as the pieces come. The result equals `Document::new` of the whole text.
pub struct DocumentBuilder {
    to_rope: SyncSender<Arc<String>>,
    to_index: SyncSender<Arc<String>>,
    rope: JoinHandle<Rope>,
    index: JoinHandle<(Index, usize)>,
}

impl DocumentBuilder {
    /// A builder for a text read by the rules of `syntax`.
    pub fn start(syntax: Arc<Syntax>) -> std::io::Result<DocumentBuilder> {
        let (to_rope, rope) = spawn_builder(
            "rope-builder",
            RopeBuilder::new(),
            |rope, piece| rope.append(piece),
            RopeBuilder::finish,
        )?;
        let (to_index, index) = spawn_builder(
            "index-builder",
            IndexBuilder::new(syntax),
            |index, piece| index.push(piece),
            IndexBuilder::finish,
        )?;
        Ok(DocumentBuilder {
            to_rope,
            to_index,
            rope,
            index,
        })
    }

    /// Adds the next piece of the text (cut anywhere between characters).
    pub fn push(&self, piece: String) {
        let piece = Arc::new(piece);
        // A builder thread is gone only if it panicked, which `finish` passes on.
        let _ = self.to_rope.send(piece.clone());
        let _ = self.to_index.send(piece);
    }

    /// The document, or `None` if a builder thread panicked (the panic hook has reported it).
    pub fn finish(self) -> Option<Document> {
        drop((self.to_rope, self.to_index));
        let rope = self.rope.join().ok()?;
        let (index, content_end) = self.index.join().ok()?;
        Some(Document::from_parts(rope, index, content_end))
    }
}

/// Pieces sent to a builder thread and not yet taken by it, at most.
const PIECES_IN_FLIGHT: usize = 16;

/// A thread feeding the pieces it receives to `builder`, and the channel to send them on. A
/// few pieces in flight at most: if the thread falls behind, the sender waits rather than the
/// whole text being held a second time.
fn spawn_builder<B: Send + 'static, T: Send + 'static>(
    name: &str,
    mut builder: B,
    push: fn(&mut B, &str),
    finish: fn(B) -> T,
) -> std::io::Result<(SyncSender<Arc<String>>, JoinHandle<T>)> {
    let (sender, pieces) = sync_channel::<Arc<String>>(PIECES_IN_FLIGHT);
    let thread = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            pieces.iter().for_each(|piece| push(&mut builder, &piece));
            finish(builder)
        })?;
    Ok((sender, thread))
}

/// One version of a document: its text and analysis, shared (cloning is O(1)).
#[derive(Clone, Debug)]
pub struct DocumentSnapshot {
    text: Rope,
    analysis: Arc<Analysis>,
    lints: Arc<Lints>,
    /// The form checks were behind the text when it was taken: `lints` are those from before,
    /// moved with the text.
    lints_pending: bool,
    /// How its lines make paragraphs (from the text itself, even while `lints` are pending).
    layout: Layout,
}

impl DocumentSnapshot {
    /// The snapshot of a whole text, its form checks done.
    pub fn new(text: &str) -> DocumentSnapshot {
        let mut document = Document::new(text);
        document.wait_for_lints();
        document.snapshot()
    }

    pub fn text(&self) -> &Rope {
        &self.text
    }

    pub fn analysis(&self) -> &Arc<Analysis> {
        &self.analysis
    }

    /// The form problems; none for a text with no heading, marker or note: plain text that
    /// happens to be open (a letter, a README) is not marginalia's to correct.
    pub fn lints(&self) -> &Lints {
        static NONE: Lints = Lints::NONE;
        if self.analysis.is_annotated() {
            &self.lints
        } else {
            &NONE
        }
    }

    /// Whether the form checks of this version were still running when it was taken.
    pub fn lints_pending(&self) -> bool {
        self.lints_pending
    }

    /// How the lines of this version make paragraphs, and its headings and notes are told.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "一、甲\n\n正文〔1〕正文\n\n註釋：\n〔1〕一。";

    fn analysis_address(document: &Document) -> *const Analysis {
        Arc::as_ptr(document.analysis())
    }

    #[test]
    fn a_text_too_large_has_no_form_checks_and_one_within_the_limit_has() {
        let seed = include_str!("../seeds/000_f8c5198825835df1.txt");
        let within = seed.repeat(40);
        let mut document = Document::new(&within);
        document.wait_for_lints();
        assert!(!document.lints().is_empty());
        let too_large = seed.repeat(MAX_FORM_CHECK_BYTES / seed.len() + 1);
        let mut document = Document::new(&too_large);
        assert!(document.lint_job().is_none());
        document.replace(0..0, " ");
        document.refresh();
        document.wait_for_lints();
        assert!(document.lints().is_empty());
    }

    #[test]
    fn typing_inside_a_sentence_moves_the_analysis_in_place() {
        let mut document = Document::new(TEXT);
        let before = analysis_address(&document);
        let at = TEXT[..TEXT.find("正文〔").unwrap()].chars().count() + 1;
        document.replace(at..at, "字");
        document.refresh();
        assert_eq!(
            analysis_address(&document),
            before,
            "no new analysis was assembled"
        );
        assert_eq!(
            **document.analysis(),
            Analysis::new(&document.text().to_string())
        );
    }

    #[test]
    fn a_document_built_piece_by_piece_is_the_same_document() {
        // Long enough for several stretches, with a wrapped heading on a stretch's edge.
        let text = format!(
            "{}一、標題標題標題標題標題標題\n\n續行\n\n註釋：\n〔1〕一。",
            "正文〔1〕正文\r\n\n".repeat(250_000)
        );
        for piece in [1 << 16, 777_777, 3 << 20] {
            let builder = DocumentBuilder::start(Arc::default()).unwrap();
            let mut rest = text.as_str();
            while !rest.is_empty() {
                let mut cut = piece.min(rest.len());
                while !rest.is_char_boundary(cut) {
                    cut += 1;
                }
                builder.push(rest[..cut].to_string());
                rest = &rest[cut..];
            }
            let built = builder.finish().unwrap();
            let whole = Document::new(&text);
            assert_eq!(built.text(), whole.text());
            assert_eq!(built.index, whole.index);
            assert_eq!(built.analysis(), whole.analysis());
        }
    }

    #[test]
    fn a_snapshot_keeps_its_version_while_the_document_moves_on() {
        let mut document = Document::new(TEXT);
        let snapshot = document.snapshot();
        document.replace(0..0, "字");
        document.refresh();
        assert_eq!(**snapshot.analysis(), Analysis::new(TEXT));
        assert_eq!(snapshot.text().to_string(), TEXT);
        assert_ne!(snapshot.analysis(), document.analysis());
    }

    #[test]
    fn typing_a_marker_assembles_a_new_analysis() {
        let mut document = Document::new(TEXT);
        let before = analysis_address(&document);
        document.replace(2..2, "〔2〕");
        document.refresh();
        assert_ne!(analysis_address(&document), before);
        assert_eq!(document.analysis().markers.len(), 2);
    }
}
