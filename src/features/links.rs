//! Document links: every URL in the text, with the address it is when PDF extraction broke it
//! (found by the analysis, which also reports the broken ones: see `analysis::urls`).

pub use crate::analysis::urls::{is_url_char, links, Link};
