//! marginalia: a language server for annotated plain-text CJK documents.
//!
//! The pure core ([`text`], [`analysis`], [`document`], [`features`], [`limits`]) knows nothing about LSP;
//! [`lsp`] is the thin protocol layer and [`cli`] the command line, both over the same core.
//! See ARCHITECTURE.md for the map.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod document;
pub mod features;
pub mod limits;
pub mod lsp;
pub mod text;

#[cfg(test)]
mod test_fixture;
