//! Test fixtures in the style of rust-analyzer: `$0` marks the cursor in the text.

pub struct Fixture {
    pub text: String,
    /// Byte offset of the cursor.
    pub cursor: usize,
}

impl Fixture {
    pub fn parse(fixture: &str) -> Fixture {
        let cursor = fixture.find("$0").expect("fixture has a $0 cursor");
        Fixture {
            text: fixture.replacen("$0", "", 1),
            cursor,
        }
    }
}
