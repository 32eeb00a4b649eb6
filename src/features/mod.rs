//! One module per editor feature. Each takes a [`crate::document::Document`] (or its
//! analysis) and byte offsets, and returns plain data in byte offsets: no LSP types here.

pub mod code_actions;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod folding;
pub mod hover;
pub mod links;
pub mod outline;
pub mod references;
pub mod renumber;
pub mod repair;
pub mod selection;
pub mod tokens;
pub mod workspace_symbols;
