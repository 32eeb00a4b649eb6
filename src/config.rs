//! The user's settings (section `marginalia`): each check's severity, or `off`, and which
//! groups of checks run. Passed explicitly to what needs it; never global.
//!
//! ```json
//! { "diagnostics": { "hard-wrap": "off", "half-width-punctuation": "info" },
//!   "checks": { "notes": true, "pdfScars": true, "typography": false } }
//! ```

use serde_json::Value;

use crate::analysis::{Problem, ProblemCode, Severity};

/// Every problem code, for settings by name.
pub const CODES: [ProblemCode; 11] = [
    ProblemCode::MissingNote,
    ProblemCode::UnusedNote,
    ProblemCode::DuplicateNote,
    ProblemCode::NoteOrder,
    ProblemCode::NoteGap,
    ProblemCode::NotesOutOfOrder,
    ProblemCode::PageBreakSpace,
    ProblemCode::HardWrap,
    ProblemCode::BrokenUrl,
    ProblemCode::UnbalancedPunctuation,
    ProblemCode::HalfWidthPunctuation,
];

/// The groups of checks that can be switched off together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckGroup {
    Notes,
    PdfScars,
    Typography,
}

impl CheckGroup {
    pub fn of(code: ProblemCode) -> CheckGroup {
        match code {
            ProblemCode::PageBreakSpace | ProblemCode::HardWrap | ProblemCode::BrokenUrl => {
                CheckGroup::PdfScars
            }
            ProblemCode::UnbalancedPunctuation | ProblemCode::HalfWidthPunctuation => {
                CheckGroup::Typography
            }
            _ => CheckGroup::Notes,
        }
    }

    fn setting(self) -> &'static str {
        match self {
            CheckGroup::Notes => "notes",
            CheckGroup::PdfScars => "pdfScars",
            CheckGroup::Typography => "typography",
        }
    }
}

/// What the user set; the defaults where nothing (or something invalid) was set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// A severity per code set by the user (`None`: off).
    severities: Vec<(ProblemCode, Option<Severity>)>,
    /// Groups switched off.
    off: Vec<CheckGroup>,
}

impl Config {
    /// The settings in `value` (the `marginalia` section, or an object holding it), and a
    /// message for each setting that was not understood (it keeps its default).
    pub fn from_json(value: &Value) -> (Config, Vec<String>) {
        let section = value.get("marginalia").unwrap_or(value);
        let mut config = Config::default();
        let mut errors = Vec::new();
        if let Some(diagnostics) = section.get("diagnostics").and_then(Value::as_object) {
            for (name, level) in diagnostics {
                let code = CODES.iter().find(|code| code.as_str() == name);
                match (code, level.as_str().and_then(severity)) {
                    (Some(&code), Some(level)) => config.severities.push((code, level)),
                    (None, _) => errors.push(format!(
                        "marginalia.diagnostics: no check is called \"{name}\""
                    )),
                    (_, None) => errors.push(format!(
                        "marginalia.diagnostics.{name}: {level} is not one of \"error\", \"warning\", \"info\", \"hint\", \"off\""
                    )),
                }
            }
        }
        if let Some(checks) = section.get("checks").and_then(Value::as_object) {
            for group in [
                CheckGroup::Notes,
                CheckGroup::PdfScars,
                CheckGroup::Typography,
            ] {
                match checks.get(group.setting()) {
                    Some(Value::Bool(false)) => config.off.push(group),
                    Some(Value::Bool(true)) | None => {}
                    Some(other) => errors.push(format!(
                        "marginalia.checks.{}: {other} is not true or false",
                        group.setting()
                    )),
                }
            }
        }
        (config, errors)
    }

    /// The severity problems of `code` are shown with; `None` when they are not shown.
    pub fn severity(&self, code: ProblemCode) -> Option<Severity> {
        if self.off.contains(&CheckGroup::of(code)) {
            return None;
        }
        match self.severities.iter().rev().find(|(c, _)| *c == code) {
            Some(&(_, level)) => level,
            None => Some(code.default_severity()),
        }
    }

    /// `problems` as the user wants them: those switched off left out, severities set.
    pub fn apply(&self, problems: &[Problem]) -> Vec<Problem> {
        problems
            .iter()
            .filter_map(|problem| {
                let severity = self.severity(problem.code())?;
                Some(Problem {
                    severity,
                    ..*problem
                })
            })
            .collect()
    }

    /// Whether the settings change nothing.
    pub fn is_default(&self) -> bool {
        *self == Config::default()
    }
}

/// A setting's severity: `Some(None)` for off, `None` if not understood.
fn severity(name: &str) -> Option<Option<Severity>> {
    if name == "off" {
        return Some(None);
    }
    let name = if name == "information" { "info" } else { name };
    [
        Severity::Error,
        Severity::Warning,
        Severity::Information,
        Severity::Hint,
    ]
    .into_iter()
    .find(|severity| severity.as_str() == name)
    .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn severities_groups_and_what_was_not_understood() {
        let (config, errors) = Config::from_json(&json!({ "marginalia": {
            "diagnostics": { "hard-wrap": "off", "missing-note": "warning", "nonsense": "off",
                             "note-gap": "loud" },
            "checks": { "typography": false, "pdfScars": "yes" },
        }}));
        assert_eq!(config.severity(ProblemCode::HardWrap), None);
        assert_eq!(
            config.severity(ProblemCode::MissingNote),
            Some(Severity::Warning)
        );
        assert_eq!(config.severity(ProblemCode::HalfWidthPunctuation), None);
        assert_eq!(
            config.severity(ProblemCode::PageBreakSpace),
            Some(Severity::Hint)
        );
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("nonsense"));
    }
}
