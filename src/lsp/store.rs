//! The open documents, keyed by URI. Edits are applied here, synchronously and in the order
//! the notifications arrive, so no `.await` can let a later edit overtake an earlier one.

use dashmap::DashMap;
use tower_lsp::lsp_types::{Range, TextDocumentContentChangeEvent, Url};
use tracing::warn;

use super::position::{self, Encoding};
use super::range_cache::{self, Moved, RangeCache};
use super::to_proto;
use crate::analysis::lint::LintJob;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::analysis::Problem;
use crate::config::Config;
use crate::document::{Document, DocumentSnapshot};
use crate::features::diagnostics::{diagnostics, Shown};
use crate::limits::TooLarge;

/// A consistent view of one version of a document.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub version: i32,
    pub document: DocumentSnapshot,
}

/// What was last published for a document: the version, and whether its form checks were
/// still running (then the version is published again once they are done).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Published {
    pub version: i32,
    pub lints_pending: bool,
}

/// What to publish for a document: its snapshot, the problems an editor is shown, and the
/// remembered ranges of those problems (aligned with [`to_proto::problem_ranges`]; `None`
/// when the document's are not built).
pub struct ToPublish {
    pub snapshot: Snapshot,
    /// The [`DocumentStore::settings_generation`] the problems were chosen by.
    pub settings: u64,
    pub problems: Vec<Problem>,
    pub known: Option<Vec<Option<Range>>>,
}

/// The problems an editor is shown for a version of a document, as `config` wants them.
pub fn problems<'a>(document: &'a DocumentSnapshot, config: &Config) -> Cow<'a, [Problem]> {
    let shown = Shown::in_editor(config);
    diagnostics(document.analysis(), document.lints(), config, Some(shown))
}

/// An open document: the version the client last sent, the text with its analysis, and the
/// LSP ranges of its markers and labels (built after the first publication, and again after
/// an edit they could not follow).
struct OpenDocument {
    version: i32,
    document: Document,
    ranges: Option<RangeCache>,
    /// While the ranges are being built from an earlier version: the edits made since, to
    /// replay on them (`None` for one they cannot follow).
    building: Option<Vec<Option<Moved>>>,
    /// A task waits for typing to pause before checking the form (see
    /// [`DocumentStore::watch_for_pause`]).
    pause_watched: bool,
}

#[derive(Debug)]
pub enum ChangeError {
    UnknownDocument,
    /// The edits made the document larger than the settings allow: it is closed.
    TooLarge(TooLarge),
}

#[derive(Default)]
pub struct DocumentStore {
    documents: DashMap<Url, OpenDocument>,
    /// The user's settings, which decide the problems shown.
    config: RwLock<Arc<Config>>,
    settings_generation: AtomicU64,
}

impl DocumentStore {
    pub fn config(&self) -> Arc<Config> {
        self.config
            .read()
            .map(|config| config.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    /// Takes the user's settings; every open document is read again if they change how
    /// headings, markers or notes sections are told.
    pub fn set_config(&self, config: Config) {
        let syntax = config.syntax.clone();
        match self.config.write() {
            Ok(mut current) => *current = Arc::new(config),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(config),
        }
        self.settings_generation.fetch_add(1, Ordering::Relaxed);
        for mut entry in self.documents.iter_mut() {
            if *entry.document.syntax() == syntax {
                continue;
            }
            entry.document.reread(&syntax);
            entry.ranges = None;
            // Ranges being built from the old reading must not be kept when they are done.
            entry.building = entry.building.take().map(|_| vec![None]);
        }
    }

    /// Counts the changes of settings: the same version of a document can be shown
    /// differently after one.
    pub fn settings_generation(&self) -> u64 {
        self.settings_generation.load(Ordering::Relaxed)
    }

    /// The open documents.
    pub fn uris(&self) -> Vec<Url> {
        self.documents
            .iter()
            .map(|entry| entry.key().clone())
            .collect()
    }

    /// `text` read by the rules the settings give.
    pub fn read(&self, text: &str) -> Document {
        Document::with_syntax(text, self.config().syntax.clone())
    }

    /// Opens `document`, read again if it was read by other rules than the settings give (a
    /// large one is read while it arrives, by the built-in rules).
    ///
    /// A document over the limits of the settings is refused: not opened, and the reason
    /// returned.
    pub fn open(&self, uri: Url, version: i32, mut document: Document) -> Result<(), TooLarge> {
        let config = self.config();
        config.limits.check(document.text())?;
        document.reread(&config.syntax);
        self.documents.insert(
            uri,
            OpenDocument {
                version,
                document,
                ranges: None,
                building: None,
                pause_watched: false,
            },
        );
        Ok(())
    }

    /// The form checks of `uri` running on a thread of their own.
    pub fn lint_job(&self, uri: &Url) -> Option<LintJob> {
        self.documents.get(uri)?.document.lint_job()
    }

    /// Starts the form checks of `uri` if `version` is still the current one (see
    /// [`start_checks`]).
    pub fn start_form_checks(&self, uri: &Url, version: i32) -> Option<LintJob> {
        let mut entry = self.documents.get_mut(uri)?;
        (entry.version == version)
            .then(|| start_checks(&mut entry))
            .flatten()
    }

    /// Whether a task should start waiting for typing to pause in `uri` (its form checked
    /// only when asked, and no task waiting yet): one waits per document, not one per edit.
    pub fn watch_for_pause(&self, uri: &Url) -> bool {
        let Some(mut entry) = self.documents.get_mut(uri) else {
            return false;
        };
        if !entry.document.checks_form_later() || entry.pause_watched {
            return false;
        }
        entry.pause_watched = true;
        true
    }

    /// After a pause, the waiting task's turn: if `seen` is still the version of `uri`, the
    /// wait ends and the form checks start (if they are behind and none run); else the
    /// version to wait on.
    pub fn typing_paused(&self, uri: &Url, seen: i32) -> Result<Option<LintJob>, i32> {
        let Some(mut entry) = self.documents.get_mut(uri) else {
            return Ok(None);
        };
        if entry.version != seen {
            return Err(entry.version);
        }
        entry.pause_watched = false;
        Ok(start_checks(&mut entry))
    }

    /// The version of `uri` if its form checks are behind it and none are running.
    pub fn version_with_form_behind(&self, uri: &Url) -> Option<i32> {
        let entry = self.documents.get(uri)?;
        let document = &entry.document;
        (document.lints_pending() && document.lint_job().is_none()).then_some(entry.version)
    }

    /// Takes the form checks of `uri` if they are done (see [`Document::adopt_lints`]).
    pub fn adopt_lints(&self, uri: &Url) -> bool {
        let Some(mut entry) = self.documents.get_mut(uri) else {
            return false;
        };
        let adopted = entry.document.adopt_lints();
        if adopted {
            // Built again with the ranges of the form problems, at the next publication (and
            // those being built without them are not kept).
            entry.ranges = None;
            entry.building = entry.building.take().map(|_| vec![None]);
        }
        adopted
    }

    /// Applies a `didChange`'s edits in order, then re-analyses once.
    ///
    /// An edit whose range lies outside the text is logged and skipped: the other edits still
    /// apply, and the text is never corrupted. A document the edits make larger than the
    /// limits allow is closed (the server no longer follows it).
    pub fn change(
        &self,
        uri: &Url,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: Encoding,
    ) -> Result<(), ChangeError> {
        let limits = self.config().limits;
        let mut entry = self
            .documents
            .get_mut(uri)
            .ok_or(ChangeError::UnknownDocument)?;
        let snapshot = entry.value_mut();
        let mut too_large = None;
        if version <= snapshot.version {
            warn!(
                %uri,
                version,
                current = snapshot.version,
                "document version did not increase; applying the change anyway"
            );
        }
        for change in changes {
            let open = &mut *snapshot;
            let document = &mut open.document;
            let chars = match change.range {
                None => 0..document.text().len_chars(),
                Some(range) => match position::char_range(document.text(), range, encoding) {
                    Ok(chars) => chars,
                    Err(error) => {
                        warn!(%uri, version, ?range, %error, "edit outside the text ignored");
                        continue;
                    }
                },
            };
            // A whole new text is a new document for the ranges: they are built again.
            let followed =
                (open.ranges.is_some() || open.building.is_some()) && change.range.is_some();
            let moved = followed
                .then(|| follow_edit(document.text(), &chars, &change.text, encoding))
                .flatten();
            let start = chars.start;
            document.replace(chars, &change.text);
            let within = match change.range {
                None => limits.check(document.text()),
                Some(_) => limits.check_edit(document.text(), start, &change.text),
            };
            too_large = too_large.or(within.err());
            let moved = moved.map(|mut moved| {
                moved.new_end_at = position::position(document.text(), moved.new_end, encoding);
                moved
            });
            match (&mut open.building, moved) {
                (Some(pending), moved) => pending.push(moved),
                (None, Some(moved)) => {
                    if let Some(ranges) = &mut open.ranges {
                        ranges.edit(&moved);
                    }
                }
                (None, None) => open.ranges = None,
            }
        }
        if let Some(too_large) = too_large {
            drop(entry);
            self.documents.remove(uri);
            return Err(ChangeError::TooLarge(too_large));
        }
        let applied = std::time::Instant::now();
        snapshot.document.refresh();
        tracing::trace!(
            version,
            refresh_ms = applied.elapsed().as_secs_f64() * 1e3,
            "refreshed"
        );
        snapshot.version = version;
        Ok(())
    }

    /// Closes the open documents over the limits the settings now give, with the reason of
    /// each.
    pub fn close_over_limits(&self) -> Vec<(Url, TooLarge)> {
        let limits = self.config().limits;
        let over: Vec<(Url, TooLarge)> = self
            .documents
            .iter()
            .filter_map(|entry| {
                let reason = limits.check(entry.document.text()).err()?;
                Some((entry.key().clone(), reason))
            })
            .collect();
        for (uri, _) in &over {
            self.documents.remove(uri);
        }
        over
    }

    pub fn close(&self, uri: &Url) -> bool {
        self.documents.remove(uri).is_some()
    }

    /// A snapshot to publish diagnostics from, with the remembered ranges of its problems
    /// (aligned with [`to_proto::problem_ranges`]; `None` when the document's are not built:
    /// see [`DocumentStore::remember_ranges`]). `None` if the document is not open or its
    /// version is `published`.
    pub fn snapshot_to_publish(
        &self,
        uri: &Url,
        published: Option<Published>,
        encoding: Encoding,
    ) -> Option<ToPublish> {
        let entry = self.documents.get(uri)?;
        let lints_pending = entry.document.lints_pending();
        let new = match published {
            Some(published) => {
                published.version != entry.version || (published.lints_pending && !lints_pending)
            }
            None => true,
        };
        new.then(|| {
            let document = entry.document.snapshot();
            let settings = self.settings_generation();
            let problems = problems(&document, &self.config()).into_owned();
            let known = entry
                .ranges
                .as_ref()
                .map(|ranges| ranges.lookup(&to_proto::problem_ranges(&problems), encoding));
            let version = entry.version;
            ToPublish {
                snapshot: Snapshot { version, document },
                settings,
                problems,
                known,
            }
        })
    }

    /// Remembers the ranges of the markers and labels of `snapshot` (the document's current
    /// version), unless it has them already. They are built outside the lock, and the edits
    /// made meanwhile are replayed on them.
    pub fn remember_ranges(&self, uri: &Url, snapshot: &Snapshot, encoding: Encoding) {
        if !self.start_remembering(uri, snapshot.version) {
            return;
        }
        let document = &snapshot.document;
        // The form problems shown (not the tens of thousands a book has: every edit moves
        // what the cache holds); others found later are converted when shown.
        let shown = problems(document, &self.config());
        let ranges = shown.iter().map(|problem| problem.range);
        let ranges = RangeCache::build(document.text(), document.analysis(), ranges, encoding);
        self.finish_remembering(uri, ranges);
    }

    /// Whether ranges are to be built for `version`; from now on edits are kept for them.
    fn start_remembering(&self, uri: &Url, version: i32) -> bool {
        let Some(mut entry) = self.documents.get_mut(uri) else {
            return false;
        };
        if entry.version != version || entry.ranges.is_some() || entry.building.is_some() {
            return false;
        }
        entry.building = Some(Vec::new());
        true
    }

    /// Keeps `ranges`, built for the version remembering started at, moved by the edits made
    /// since.
    fn finish_remembering(&self, uri: &Url, mut ranges: RangeCache) {
        let Some(mut entry) = self.documents.get_mut(uri) else {
            return;
        };
        // None if the document was closed and opened again meanwhile.
        let Some(edits) = entry.building.take() else {
            return;
        };
        for moved in edits {
            match moved {
                Some(moved) => ranges.edit(&moved),
                // Built again after the next publication.
                None => return,
            }
        }
        entry.ranges = Some(ranges);
    }

    /// Every open document with a snapshot of it.
    pub fn snapshots(&self) -> Vec<(Url, Snapshot)> {
        self.documents
            .iter()
            .map(|entry| {
                let snapshot = Snapshot {
                    version: entry.version,
                    document: entry.document.snapshot(),
                };
                (entry.key().clone(), snapshot)
            })
            .collect()
    }

    pub fn snapshot(&self, uri: &Url) -> Option<Snapshot> {
        self.documents.get(uri).map(|entry| Snapshot {
            version: entry.version,
            document: entry.document.snapshot(),
        })
    }
}

/// Starts the form checks of a document if edits left them behind (see
/// [`Document::start_form_checks`]) and none are running: whoever started those waits for
/// them.
fn start_checks(entry: &mut OpenDocument) -> Option<LintJob> {
    if entry.document.lint_job().is_some() {
        return None;
    }
    entry.document.start_form_checks()
}

/// How an edit of `chars` moves the remembered ranges (its new end's position still to be
/// set once the text is edited), or `None` if they cannot follow it.
fn follow_edit(
    rope: &ropey::Rope,
    chars: &std::ops::Range<usize>,
    new_text: &str,
    encoding: Encoding,
) -> Option<Moved> {
    let start = rope.char_to_byte(chars.start);
    let old_end = rope.char_to_byte(chars.end);
    range_cache::can_follow(rope, start, old_end, new_text).then(|| Moved {
        start,
        old_end,
        new_end: start + new_text.len(),
        old_end_at: position::position(rope, old_end, encoding),
        new_end_at: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tower_lsp::lsp_types::Position;

    /// The ranges of the problems of `uri` as a fresh conversion gives them.
    fn converted(store: &DocumentStore, uri: &Url, encoding: Encoding) -> Vec<Range> {
        let snapshot = store.snapshot(uri).unwrap();
        let problems = problems(&snapshot.document, &Config::default());
        position::ranges(
            snapshot.document.text(),
            &to_proto::problem_ranges(&problems),
            encoding,
        )
    }

    fn change(
        line: u32,
        character: u32,
        end_line: u32,
        end_character: u32,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(line, character),
                Position::new(end_line, end_character),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

        /// Edits made while the ranges are built are replayed on them, edits made after move
        /// them: either way, what the store hands the publisher is what a conversion gives.
        #[test]
        fn remembered_ranges_follow_edits_during_and_after_building(
            pieces in proptest::collection::vec(
                "(正文|𠮷|〔1〕|〔2〕|〔40〕|\n註釋：\n|\n〔1〕甲|\n〔2〕乙|\n一、標題\n|\r\n|\n|\n\n)",
                0..30,
            ),
            edits in proptest::collection::vec(
                ((0u32..12, 0u32..12, 0u32..3, 0u32..12), "(|字|𠮷|〔7〕|\n|\n\n〔1〕|ab|\r\n)"),
                1..10,
            ),
            during in 0usize..10,
            encoding in prop_oneof![Just(Encoding::Utf8), Just(Encoding::Utf16), Just(Encoding::Utf32)],
        ) {
            let store = DocumentStore::default();
            let uri = Url::parse("file:///tmp/a.txt").unwrap();
            store
                .open(uri.clone(), 1, Document::new(&pieces.concat()))
                .unwrap();
            let first = store.snapshot(&uri).unwrap();
            prop_assert!(store.start_remembering(&uri, 1));
            let built = RangeCache::build(first.document.text(), first.document.analysis(), std::iter::empty(), encoding);
            for (i, ((line, character, lines, end_character), text)) in edits.iter().enumerate() {
                if i == during {
                    store.finish_remembering(&uri, built.clone());
                }
                let edit = change(*line, *character, line + lines, *end_character, text);
                store.change(&uri, i as i32 + 2, &[edit], encoding).unwrap();
                let expected = converted(&store, &uri, encoding);
                let known = store.snapshot_to_publish(&uri, None, encoding).unwrap().known;
                for (known, expected) in known.unwrap_or_default().iter().zip(&expected) {
                    if let Some(known) = known {
                        prop_assert_eq!(known, expected);
                    }
                }
            }
        }
    }

    #[test]
    fn ranges_are_remembered_and_looked_up_after_edits() {
        let store = DocumentStore::default();
        let uri = Url::parse("file:///tmp/a.txt").unwrap();
        let text = "甲〔1〕乙〔2〕\n丙〔3〕\n\n註釋：\n〔1〕一";
        store.open(uri.clone(), 1, Document::new(text)).unwrap();
        let encoding = Encoding::Utf16;
        let first = store.snapshot(&uri).unwrap();
        store.remember_ranges(&uri, &first, encoding);
        store
            .change(&uri, 2, &[change(0, 0, 0, 0, "𠮷\n")], encoding)
            .unwrap();
        let known = store
            .snapshot_to_publish(&uri, None, encoding)
            .unwrap()
            .known;
        // Both missing notes (〔2〕 and 〔3〕) moved a line down, and are known.
        let known = known.unwrap();
        assert_eq!(known.len(), 2);
        assert!(known.iter().all(Option::is_some));
        assert_eq!(
            known.into_iter().flatten().collect::<Vec<_>>(),
            converted(&store, &uri, encoding)
        );
        // A whole new text forgets them (built again after the next publication).
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.to_string(),
        };
        store.change(&uri, 3, &[whole], encoding).unwrap();
        let known = store
            .snapshot_to_publish(&uri, None, encoding)
            .unwrap()
            .known;
        assert_eq!(known, None);
    }
}
