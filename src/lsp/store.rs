//! The open documents, keyed by URI. Edits are applied here, synchronously and in the order
//! the notifications arrive, so no `.await` can let a later edit overtake an earlier one.

use dashmap::DashMap;
use tower_lsp::lsp_types::{TextDocumentContentChangeEvent, Url};
use tracing::warn;

use super::position::{self, Encoding};
use crate::document::{Document, DocumentSnapshot};

/// A consistent view of one version of a document.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub version: i32,
    pub document: DocumentSnapshot,
}

/// An open document: the version the client last sent, and the text with its analysis.
struct OpenDocument {
    version: i32,
    document: Document,
}

#[derive(Debug)]
pub enum ChangeError {
    UnknownDocument,
}

#[derive(Default)]
pub struct DocumentStore {
    documents: DashMap<Url, OpenDocument>,
}

impl DocumentStore {
    pub fn open(&self, uri: Url, version: i32, document: Document) {
        self.documents
            .insert(uri, OpenDocument { version, document });
    }

    /// Applies a `didChange`'s edits in order, then re-analyses once.
    ///
    /// An edit whose range lies outside the text is logged and skipped: the other edits still
    /// apply, and the text is never corrupted.
    pub fn change(
        &self,
        uri: &Url,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: Encoding,
    ) -> Result<(), ChangeError> {
        let mut entry = self
            .documents
            .get_mut(uri)
            .ok_or(ChangeError::UnknownDocument)?;
        let snapshot = entry.value_mut();
        if version <= snapshot.version {
            warn!(
                %uri,
                version,
                current = snapshot.version,
                "document version did not increase; applying the change anyway"
            );
        }
        for change in changes {
            let document = &mut snapshot.document;
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
            document.replace(chars, &change.text);
        }
        snapshot.document.refresh();
        snapshot.version = version;
        Ok(())
    }

    pub fn close(&self, uri: &Url) -> bool {
        self.documents.remove(uri).is_some()
    }

    pub fn snapshot(&self, uri: &Url) -> Option<Snapshot> {
        self.documents.get(uri).map(|entry| Snapshot {
            version: entry.version,
            document: entry.document.snapshot(),
        })
    }
}
