//! The command line, run as a process.

use std::path::Path;
use std::process::{Command, Output};

use expect_test::expect_file;
use serde_json::Value;

const SEED_PATH: &str = "seeds/000_f8c5198825835df1.txt";

fn marginalia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("marginalia runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

#[test]
fn check_the_seed() {
    let output = marginalia(&["check", SEED_PATH]);
    expect_file!["snapshots/check_seed.txt"].assert_eq(&stdout(&output));
    assert_eq!(output.status.code(), Some(1), "errors exit 1");
}

#[test]
fn check_the_seed_as_json() {
    let output = marginalia(&["check", "--format", "json", SEED_PATH]);
    assert_eq!(output.status.code(), Some(1));
    let problems: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let problems = problems.as_array().expect("a JSON array");
    let errors: Vec<&Value> = problems
        .iter()
        .filter(|p| p["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 13);
    // The form checks come too: the seed's stray spaces, wrapped paragraphs, broken URLs.
    assert!(problems.iter().any(|p| p["code"] == "page-break-space"));
    assert!(problems.iter().any(|p| p["code"] == "broken-url"));
    let problems = errors;
    assert_eq!(problems[0]["file"], SEED_PATH);
    assert_eq!(problems[0]["line"], 283);
    assert_eq!(problems[0]["column"], 14);
    assert_eq!(problems[0]["endColumn"], 17);
    assert_eq!(problems[0]["severity"], "error");
    assert_eq!(problems[0]["code"], "missing-note");
}

#[test]
fn outline_of_the_seed() {
    let output = marginalia(&["outline", SEED_PATH]);
    assert_eq!(output.status.code(), Some(0));
    expect_file!["snapshots/outline_seed.txt"].assert_eq(&stdout(&output));
}

#[test]
fn a_clean_file_exits_0_and_warnings_alone_do_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.txt");
    std::fs::write(&clean, "正文〔1〕\n註釋：\n〔1〕一。").unwrap();
    let unused = dir.path().join("unused.txt");
    std::fs::write(&unused, "正文\n註釋：\n〔1〕一。").unwrap();
    let output = marginalia(&["check", path(&clean), path(&unused)]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.contains(
            "unused.txt:3:1: warning[unused-note]: note 〔1〕 is never cited in the text"
        ),
        "{text}"
    );
    assert!(text.ends_with("1 warning in 2 files\n"), "{text}");
    let output = marginalia(&["check", path(&clean)]);
    assert_eq!(stdout(&output), "no problems in 1 file\n");
}

#[test]
fn unreadable_files_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let output = marginalia(&["check", path(&missing)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read") && stderr(&output).contains("missing.txt"));

    let latin1 = dir.path().join("latin1.txt");
    std::fs::write(&latin1, b"caf\xe9 \xe3\x80\x94").unwrap();
    for command in ["check", "outline"] {
        let output = marginalia(&[command, path(&latin1)]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        assert!(
            stderr(&output).contains("latin1.txt is not UTF-8 text (invalid byte at offset 3)"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn help_and_version() {
    let output = marginalia(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        format!("marginalia {}\n", env!("CARGO_PKG_VERSION"))
    );
    let output = marginalia(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    for word in ["check", "outline", "--stdio"] {
        assert!(stdout(&output).contains(word), "{word}");
    }
}

fn path(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn the_seed_is_kept_byte_for_byte() {
    let seed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED_PATH)).unwrap();
    // It starts with a page-break space and has no final newline.
    assert_eq!(seed.first(), Some(&b' '));
    assert_ne!(seed.last(), Some(&b'\n'));
    assert_eq!(seed.len(), 28475);
    // Where the shared copy is beside the checkout (as in CI), it is the same file.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(SEED_PATH);
    if let Ok(original) = std::fs::read(shared) {
        assert_eq!(seed, original);
    }
}

#[test]
fn renumber_prints_or_rewrites_the_file() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("notes.txt");
    let text = "𠮷甲〔2〕乙〔1〕。\n\n註釋：\n\n〔1〕乙的注。\n\n〔2〕甲的注。";
    let renumbered = "𠮷甲〔1〕乙〔2〕。\n\n註釋：\n\n〔1〕甲的注。\n\n〔2〕乙的注。";
    std::fs::write(&file, text).unwrap();
    let output = marginalia(&["renumber", path(&file)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), renumbered);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text,
        "printing leaves the file"
    );
    // A second name for the original file: a write in place would change what it shows.
    let original = folder.path().join("original.txt");
    std::fs::hard_link(&file, &original).unwrap();
    let output = marginalia(&["renumber", "--write", path(&file)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), renumbered);
    assert_eq!(
        std::fs::read_to_string(&original).unwrap(),
        text,
        "the old file was never written: a new one was renamed over its name"
    );
    // Only the two names are left in the folder: the temporary file was renamed over it.
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 2);
    let output = marginalia(&["renumber", path(&folder.path().join("missing.txt"))]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn files_over_the_size_limits_exit_2_and_say_which_limit() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let text = folder.path().join("long.txt");
    std::fs::write(
        &text,
        format!("一、甲\n{}〔1〕\n註釋：\n", "長".repeat(400)),
    )
    .unwrap();
    let settings = folder.path().join("settings.json");
    let text = path(&text);
    let with = |limits: &str, command: &str| {
        std::fs::write(&settings, limits).unwrap();
        marginalia(&[command, "--settings", path(&settings), text])
    };
    for command in ["check", "outline", "renumber"] {
        let output = with(r#"{ "maxDocumentBytes": 1000 }"#, command);
        assert_eq!(output.status.code(), Some(2), "{command}");
        assert_eq!(
            stderr(&output),
            format!("marginalia: {text} is not read: the document is 1.2 KB, over the limit of 1000 bytes (setting marginalia.maxDocumentBytes, 0 for none)\n")
        );
        // `check` still sums up the files it read: none.
        assert!(!stdout(&output).contains("長"), "{command}");
    }
    let output = with(r#"{ "maxLineBytes": 1000 }"#, "check");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("line 2 is 1.2 KB long, over the limit of 1000 bytes a line"),
        "{}",
        stderr(&output)
    );
    // Within the limits (the defaults): read and checked.
    let output = marginalia(&["check", text]);
    assert_eq!(output.status.code(), Some(1), "a missing note is an error");
}

#[test]
fn settings_from_a_file_tell_markers_and_set_severities() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let text = folder.path().join("own.txt");
    std::fs::write(
        &text,
        "第一章 はじめに\n\n本文です<1>。説明<3>。\n\n參考資料\n\n<1> 最初の注。\n",
    )
    .unwrap();
    let settings = folder.path().join("settings.json");
    let own_rules = r#"{ "marginalia": { "noteMarker": "<(\\d+)>", "notesTitles": ["參考資料"],
                          "diagnostics": { "missing-note": "warning" } } }"#;
    std::fs::write(&settings, own_rules).unwrap();
    let text = text.to_str().unwrap();
    // By the built-in rules: no marker, no note, nothing to say.
    let output = marginalia(&["check", text]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stdout(&output).contains("missing-note"));
    // By the file's: <3> has no note, shown as a warning (so the exit code is 0).
    let output = marginalia(&["check", "--settings", settings.to_str().unwrap(), text]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines: Vec<String> = stdout(&output)
        .lines()
        .filter(|l| l.contains("[missing-note]"))
        .map(|l| l.replace(text, "own.txt"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("own.txt:3:11: warning[missing-note]"),
        "{lines:?}"
    );
    // A setting that is not understood is an error, not a silent default.
    std::fs::write(&settings, r#"{ "noteMarker": "\\[\\d+\\]" }"#).unwrap();
    let output = marginalia(&["outline", "--settings", settings.to_str().unwrap(), text]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("marginalia.noteMarker: it needs a group"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_reader_that_stops_reading_ends_the_output_quietly() {
    // Far more than a pipe holds, so the writer is still writing when the reader goes away.
    let folder = tempfile::tempdir().expect("a temporary folder");
    let book = folder.path().join("book.txt");
    let seed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED_PATH))
        .expect("the seed is readable");
    std::fs::write(&book, seed.repeat(40)).unwrap();
    for command in ["check", "outline", "renumber"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .args([command, path(&book)])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("marginalia runs");
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let mut first = [0u8; 100];
        std::io::Read::read_exact(&mut stdout, &mut first).expect("the output starts");
        drop(stdout); // as `| head -c 100` does
        let output = child.wait_with_output().expect("marginalia ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
        // Not 101 (a panic): what check found (1: the book has errors), or 0.
        let expected = if command == "check" { 1 } else { 0 };
        assert_eq!(output.status.code(), Some(expected), "{command}: {stderr}");
    }
}

#[test]
fn the_real_shapes_corpus_checks_clean_and_outlines_its_untitled_notes() {
    let folder = "tests/fixtures/real-shapes";
    let mut files: Vec<String> = std::fs::read_dir(folder)
        .expect("the corpus")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let output = marginalia(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    for code in [
        "missing-note",
        "unused-note",
        "duplicate-note",
        "note-order",
        "note-gap",
    ] {
        assert!(!stdout(&output).contains(code), "{}", stdout(&output));
    }
    let output = marginalia(&[
        "outline",
        "tests/fixtures/real-shapes/untitled-notes-per-chapter.txt",
    ]);
    let outline = stdout(&output);
    assert_eq!(outline.matches("（註釋）").count(), 2, "{outline}");
    assert!(outline.contains("第二章 隆庆开关"), "{outline}");
}

#[test]
fn a_folder_is_walked_for_its_text_files_in_path_order_and_summed_up() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |name: &str, text: &str| {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    // A missing note in a `.md`, another in a `.txt` in a sub-folder; a hidden folder and a
    // file of another kind are not read.
    write(
        "b.md",
        "### 第一章\n正文〔1〕〔2〕。\n### 注释\n〔1〕一。\n",
    );
    write("a/c.txt", "正文〔1〕。\n註釋：\n〔2〕二。\n");
    write(".hidden/d.md", "正文〔9〕。\n");
    write("e.json", "正文〔9〕。\n");
    let output = marginalia(&["check", path(root)]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let files: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split(':').next())
        .filter(|file| file.ends_with(".md") || file.ends_with(".txt"))
        .collect();
    assert!(
        files.first().is_some_and(|f| f.ends_with("a/c.txt"))
            && files.last().is_some_and(|f| f.ends_with("b.md")),
        "{text}"
    );
    assert!(
        !text.contains(".hidden") && !text.contains("e.json"),
        "{text}"
    );
    assert!(text.ends_with("in 2 files\n"), "{text}");

    let output = marginalia(&["check", "--summary", path(root)]);
    let text = stdout(&output);
    assert!(text.starts_with("2 files ("), "{text}");
    assert!(text.contains("       2  error[missing-note]"), "{text}");
    assert!(text.contains("most errors:"), "{text}");
    assert!(!text.contains("〔"), "only counts: {text}");
}
