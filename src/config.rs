//! The user's settings (section `marginalia`): each check's severity, or `off`, which groups
//! of checks run, and how headings, note markers and notes sections are told. Passed
//! explicitly to what needs it; never global.
//!
//! ```json
//! { "diagnostics": { "hard-wrap": "off", "half-width-punctuation": "info" },
//!   "checks": { "notes": true, "pdfScars": true, "typography": false },
//!   "headings": { "level1": "第[一二三四五六七八九十]+章", "level2": "[A-Z]\\. " },
//!   "noteMarker": "\\[(\\d+)\\]",
//!   "notesTitles": ["註釋", "參考資料"],
//!   "markerStylesOff": ["superscript", "square"],
//!   "maxProblems": 1000, "maxDocumentBytes": 134217728, "maxLineBytes": 16777216 }
//! ```

use std::sync::Arc;

use serde_json::Value;

use crate::analysis::syntax::{Syntax, PATTERN_LEVELS};
use crate::analysis::MarkerStyle;
use crate::analysis::{Problem, ProblemCode, Severity};
use crate::limits::Limits;

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
    /// How headings, note markers and notes sections are told.
    pub syntax: Arc<Syntax>,
    /// How many problems of a document an editor is sent.
    pub max_problems: MaxProblems,
    /// How large a document and its lines may be.
    pub limits: Limits,
}

/// How many problems of a document an editor is sent at most; the rest are counted in one.
/// VS Code shows at most 1,000 a file (errors first) and drops the others after they were
/// sent; after a paste that leaves ten thousand, sending them all costs milliseconds per
/// keystroke for nothing a reader can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxProblems(pub usize);

impl Default for MaxProblems {
    fn default() -> MaxProblems {
        MaxProblems(1000)
    }
}

impl Config {
    /// The settings in `value` (the `marginalia` section, or an object holding it), and a
    /// message for each setting that was not understood (it keeps its default).
    pub fn from_json(value: &Value) -> (Config, Vec<String>) {
        let section = section(value);
        let mut config = Config::default();
        let mut errors = Vec::new();
        if let Some(diagnostics) = section.get("diagnostics").and_then(Value::as_object) {
            // `null`: the default, as for every setting (editors send it for one unset).
            for (name, level) in diagnostics.iter().filter(|(_, level)| !level.is_null()) {
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
                    Some(Value::Bool(true) | Value::Null) | None => {}
                    Some(other) => errors.push(format!(
                        "marginalia.checks.{}: {other} is not true or false",
                        group.setting()
                    )),
                }
            }
        }
        if let Some(n) = whole_number(section, "maxProblems", &mut errors) {
            config.max_problems = MaxProblems(n);
        }
        if let Some(n) = whole_number(section, "maxDocumentBytes", &mut errors) {
            config.limits.document_bytes = n;
        }
        if let Some(n) = whole_number(section, "maxLineBytes", &mut errors) {
            config.limits.line_bytes = n;
        }
        config.syntax = Arc::new(syntax(section, &mut errors));
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

    /// Whether problems are shown as found: no severity set and no check switched off
    /// (whatever the patterns).
    pub fn shows_problems_as_found(&self) -> bool {
        self.severities.is_empty() && self.off.is_empty()
    }
}

/// The limit set as `name`: a whole number, 0 for none (`usize::MAX`); `None` when unset,
/// `null`, or not understood (reported in `errors`).
fn whole_number(section: &Value, name: &str, errors: &mut Vec<String>) -> Option<usize> {
    match section.get(name) {
        Some(Value::Number(n)) if n.as_u64().is_some() => {
            let n = n.as_u64().and_then(|n| usize::try_from(n).ok());
            Some(n.filter(|&n| n > 0).unwrap_or(usize::MAX))
        }
        Some(Value::Null) | None => None,
        Some(other) => {
            errors.push(format!(
                "marginalia.{name}: {other} is not a whole number (0 for no limit)"
            ));
            None
        }
    }
}

/// The `marginalia` section of `value`, or `value` itself when it is the section.
pub fn section(value: &Value) -> &Value {
    value.get("marginalia").unwrap_or(value)
}

/// The settings of `over` laid over those of `base` (each a `marginalia` section, or an object
/// holding one): objects merged key by key, any other value replaced, `null` leaving the
/// value below it. The server starts from the `--settings` file, and the editor's settings
/// change only what they set.
pub fn layered(base: &Value, over: &Value) -> Value {
    merged(section(base), section(over))
}

fn merged(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            let mut all = base.clone();
            for (key, value) in over.iter().filter(|(_, value)| !value.is_null()) {
                let value = merged(all.get(key).unwrap_or(&Value::Null), value);
                all.insert(key.clone(), value);
            }
            Value::Object(all)
        }
        (base, Value::Null) => base.clone(),
        (_, over) => over.clone(),
    }
}

/// The patterns and titles set in `section`; those not understood are reported in `errors`
/// and keep their built-in rules.
fn syntax(section: &Value, errors: &mut Vec<String>) -> Syntax {
    let mut syntax = Syntax::default();
    match section.get("headings") {
        Some(Value::Object(levels)) => {
            for (name, pattern) in levels.iter().filter(|(_, pattern)| !pattern.is_null()) {
                let level = name
                    .strip_prefix("level")
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| (1..=PATTERN_LEVELS).contains(n));
                let result = match (level, pattern.as_str()) {
                    (None, _) => Err(format!("use level1 to level{PATTERN_LEVELS}")),
                    (_, None) => Err(format!("{pattern} is not a string")),
                    (Some(level), Some(pattern)) => syntax.set_heading_pattern(level, pattern),
                };
                if let Err(why) = result {
                    errors.push(format!(
                        "marginalia.headings.{name}: {why}; the built-in rule stays"
                    ));
                }
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => errors.push(format!(
            "marginalia.headings: {other} is not an object such as {{\"level1\": \"…\"}}"
        )),
    }
    match section.get("noteMarker") {
        Some(Value::String(pattern)) => {
            if let Err(why) = syntax.set_marker_pattern(pattern) {
                errors.push(format!("marginalia.noteMarker: {why}; markers stay 〔n〕"));
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => errors.push(format!("marginalia.noteMarker: {other} is not a string")),
    }
    match section.get("notesTitles") {
        Some(Value::Array(titles)) => {
            let titles: Option<Vec<String>> = titles
                .iter()
                .map(|t| t.as_str().map(str::to_string))
                .collect();
            let result = titles
                .ok_or_else(|| "every title must be a string".to_string())
                .and_then(|titles| syntax.set_notes_titles(&titles));
            if let Err(why) = result {
                errors.push(format!(
                    "marginalia.notesTitles: {why}; the built-in titles stay"
                ));
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => errors.push(format!(
            "marginalia.notesTitles: {other} is not a list of titles"
        )),
    }
    match section.get("markerStylesOff") {
        Some(Value::Array(names)) => {
            for name in names {
                match name.as_str().and_then(MarkerStyle::from_name) {
                    Some(style) => syntax.switch_off(style),
                    None => errors.push(format!(
                        "marginalia.markerStylesOff: {name} is not a marker style (one of {})",
                        style_names()
                    )),
                }
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => errors.push(format!(
            "marginalia.markerStylesOff: {other} is not a list of marker styles"
        )),
    }
    syntax
}

/// The names of the built-in marker styles, for messages.
fn style_names() -> String {
    MarkerStyle::BUILT_IN
        .iter()
        .map(|style| style.name())
        .collect::<Vec<_>>()
        .join(", ")
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

    #[test]
    fn patterns_and_titles_each_kept_or_reported() {
        let (config, errors) = Config::from_json(&json!({
            "headings": { "level1": "第[一二三]+章", "level2": "(", "level7": "x" },
            "noteMarker": "\\[\\d+\\]",
            "notesTitles": ["參考資料"],
        }));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("marginalia.headings.level2: not a valid pattern"));
        assert!(errors[1].starts_with("marginalia.headings.level7: use level1 to level3"));
        assert!(errors[2].contains("noteMarker") && errors[2].contains("group"));
        let mut expected = Syntax::default();
        expected.set_heading_pattern(1, "第[一二三]+章").unwrap();
        expected.set_notes_titles(&["參考資料".into()]).unwrap();
        assert_eq!(*config.syntax, expected);
        assert!(!config.is_default());
        assert!(config.shows_problems_as_found());
        assert!(Config::from_json(&json!({})).0.is_default());
    }

    #[test]
    fn marker_styles_switched_off_by_name() {
        let (config, errors) = Config::from_json(&json!({
            "markerStylesOff": ["superscript", "square", "roman"],
        }));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("\"roman\" is not a marker style (one of tortoise,"));
        let mut expected = Syntax::default();
        expected.switch_off(MarkerStyle::Superscript);
        expected.switch_off(MarkerStyle::Square);
        assert_eq!(*config.syntax, expected);
        let text = "研究¹與[2]及〔3〕。\n註釋：\n¹ 甲\n[2] 乙\n〔3〕丙";
        let numbers = |syntax| {
            let analysis = crate::analysis::Analysis::with_syntax(text, syntax);
            analysis
                .markers
                .iter()
                .map(|m| m.number)
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(Arc::default()), [1, 2, 3]);
        assert_eq!(numbers(config.syntax.clone()), [3]);
        let (_, errors) = Config::from_json(&json!({ "markerStylesOff": "square" }));
        assert!(errors[0].contains("is not a list of marker styles"));
    }

    #[test]
    fn null_is_the_default_for_every_setting() {
        let (config, errors) = Config::from_json(&json!({
            "diagnostics": { "missing-note": null },
            "checks": { "typography": null },
            "headings": { "level1": null },
            "noteMarker": null,
            "notesTitles": null,
            "markerStylesOff": null,
            "maxProblems": null,
            "maxDocumentBytes": null,
            "maxLineBytes": null,
        }));
        assert_eq!(errors, [] as [String; 0]);
        assert!(config.is_default());
    }

    #[test]
    fn how_many_problems_are_sent() {
        let max = |value| {
            let (config, errors) = Config::from_json(&json!({ "maxProblems": value }));
            (config.max_problems.0, errors.len())
        };
        assert_eq!(max(json!(null)), (1000, 0));
        assert_eq!(max(json!(20)), (20, 0));
        assert_eq!(max(json!(0)), (usize::MAX, 0), "0: no limit");
        assert_eq!(max(json!(-1)), (1000, 1));
        assert_eq!(max(json!("all")), (1000, 1));
        assert_eq!(max(json!(2.5)), (1000, 1));
    }

    #[test]
    fn how_large_a_document_and_a_line_may_be() {
        let limits = |value| {
            let (config, errors) = Config::from_json(&value);
            (config.limits, errors)
        };
        assert_eq!(limits(json!({})), (Limits::default(), vec![]));
        let (set, errors) = limits(json!({ "maxDocumentBytes": 1000, "maxLineBytes": 0 }));
        assert_eq!((set.document_bytes, set.line_bytes), (1000, usize::MAX));
        assert!(errors.is_empty());
        let (set, errors) = limits(json!({ "maxLineBytes": "1 MB" }));
        assert_eq!(set, Limits::default());
        assert_eq!(
            errors,
            ["marginalia.maxLineBytes: \"1 MB\" is not a whole number (0 for no limit)"]
        );
    }

    #[test]
    fn the_editor_s_settings_are_laid_over_the_file_s() {
        let file = json!({ "marginalia": {
            "diagnostics": { "missing-note": "warning", "hard-wrap": "off" },
            "notesTitles": ["註釋", "參考資料"],
        }});
        let editor = json!({ "marginalia": {
            "diagnostics": { "hard-wrap": "hint" },
            "notesTitles": ["Notes"],
            "noteMarker": null,
        }});
        assert_eq!(
            layered(&file, &editor),
            json!({
                "diagnostics": { "missing-note": "warning", "hard-wrap": "hint" },
                "notesTitles": ["Notes"],
            })
        );
        assert_eq!(layered(&file, &Value::Null), file["marginalia"]);
        assert_eq!(layered(&Value::Null, &editor), editor["marginalia"]);
    }
}
