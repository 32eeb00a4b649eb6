//! A document as the core sees it: its text and the analysis of that text.
//!
//! This is the narrow interface the protocol layer and the CLI use; how the analysis is
//! brought up to date after an edit is this module's business alone.

use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;

use crate::analysis::index::{self, Index};
use crate::analysis::Analysis;

/// A text with its analysis. Cloning is cheap (the rope and the analysis are shared), so a
/// clone is a consistent snapshot that later edits do not disturb.
#[derive(Clone, Debug)]
pub struct Document {
    text: Rope,
    /// The facts the analysis is assembled from, updated by each edit.
    index: Index,
    analysis: Arc<Analysis>,
    /// Edited since the analysis was made.
    stale: bool,
}

impl Document {
    pub fn new(text: &str) -> Document {
        let (index, content_end) = Index::new(text);
        let analysis = Arc::new(Analysis::from_index(&index, content_end));
        Document {
            text: Rope::from_str(text),
            index,
            analysis,
            stale: false,
        }
    }

    pub fn text(&self) -> &Rope {
        &self.text
    }

    /// The analysis of the current text (see [`Document::refresh`]).
    pub fn analysis(&self) -> &Arc<Analysis> {
        debug_assert!(!self.stale, "analysis read before refresh");
        &self.analysis
    }

    /// Replaces the characters `chars` (already clamped to the text) with `new_text`.
    /// Several replacements can be made in a row; call [`Document::refresh`] after the last.
    pub fn replace(&mut self, chars: Range<usize>, new_text: &str) {
        self.index.replace(&mut self.text, chars, new_text);
        self.stale = true;
    }

    /// Brings the analysis up to date with the text.
    pub fn refresh(&mut self) {
        if self.stale {
            let content_end = index::content_end(&self.text);
            self.analysis = Arc::new(Analysis::from_index(&self.index, content_end));
            self.stale = false;
        }
    }
}
