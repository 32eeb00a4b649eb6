//! `workspace/symbol` in-process: the headings and notes of a workspace folder's text files
//! (read in the background, with progress, kept current by watched-file changes) and of the
//! open documents; what is not read (other files, skipped folders, symlinks, non-UTF-8); and
//! the time of a search over a thousand files.

mod common;
#[path = "../benches/corpus.rs"]
mod corpus;

use std::path::Path;
use std::time::{Duration, Instant};

use common::TestClient;
use serde_json::{json, Value};
use tempfile::TempDir;
use tower_lsp::lsp_types::Url;

/// Headings and notes, with 𠮷 (two UTF-16 units, four UTF-8 bytes) in a heading.
const ARTICLE: &str = "前言〔1〕\n一、韓美同盟\n正文〔2〕。\n\n二、𠮷野家的結語\n正文。\n\n註釋：\n〔1〕 參見外交部白皮書，\n第二頁。\n\n〔2〕 美國國務院檔案。\n";
const CHAPTER: &str = "第一章　戰略\n\n（一）動因\n正文。\n";
/// Text without headings or markers: it contributes nothing.
const PLAIN: &str = "Just a letter, 沒有標題。\nSigned.\n";

/// A workspace folder with files to read and files to leave alone, and a folder outside it.
struct Workspace {
    folder: TempDir,
    outside: TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let workspace = Workspace {
            folder: tempfile::tempdir().unwrap(),
            outside: tempfile::tempdir().unwrap(),
        };
        workspace.write("article.txt", ARTICLE);
        workspace.write("sub/chapter.txt", CHAPTER);
        workspace.write("plain.txt", PLAIN);
        // A heading, then a Latin-1 é: not UTF-8, not read (read lossily, it would show).
        workspace.write_bytes("latin1.txt", b"1. Caf\xe9 heading\n");
        workspace.write("notes.md", "一、不是文本文件\n");
        // Over the 128 MB limit: a heading, then a hole (a sparse file, nothing written).
        workspace.write("huge.txt", "一、太大的文件\n");
        std::fs::File::options()
            .append(true)
            .open(workspace.path("huge.txt"))
            .unwrap()
            .set_len(129 << 20)
            .unwrap();
        for skipped in ["node_modules/dep", "target/doc", ".git"] {
            workspace.write(&format!("{skipped}/read_me.txt"), "一、跳過的文件夾\n");
        }
        let secret = workspace.outside.path().join("secret.txt");
        std::fs::write(&secret, "一、外面的秘密\n").unwrap();
        #[cfg(unix)]
        {
            let folder = workspace.folder.path();
            std::os::unix::fs::symlink(&secret, folder.join("linked.txt")).unwrap();
            std::os::unix::fs::symlink(workspace.outside.path(), folder.join("linked_dir"))
                .unwrap();
        }
        workspace
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.folder.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        self.write_bytes(relative, text.as_bytes());
    }

    fn write_bytes(&self, relative: &str, bytes: &[u8]) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn uri(&self, relative: &str) -> String {
        file_uri(&self.path(relative))
    }

    /// `initialize` params with this folder and `capabilities`.
    fn params(&self, capabilities: Value) -> Value {
        json!({
            "processId": null,
            "rootUri": null,
            "workspaceFolders": [{ "uri": file_uri(self.folder.path()), "name": "notes" }],
            "capabilities": capabilities,
        })
    }
}

fn file_uri(path: &Path) -> String {
    Url::from_file_path(path).unwrap().to_string()
}

/// A client that takes progress reports and registers file watchers.
fn capable_client(encoding: &str) -> Value {
    json!({
        "general": { "positionEncodings": [encoding] },
        "window": { "workDoneProgress": true },
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
    })
}

async fn symbols(client: &mut TestClient, query: &str) -> Vec<Value> {
    let answer = client
        .request("workspace/symbol", json!({ "query": query }))
        .await
        .expect("workspace/symbol succeeds");
    answer.as_array().cloned().unwrap_or_default()
}

fn names(symbols: &[Value]) -> Vec<&str> {
    symbols
        .iter()
        .map(|symbol| symbol["name"].as_str().unwrap_or_default())
        .collect()
}

/// Asks `query` again until `done` holds for the answer (the workspace is read in the
/// background), at most 20 s.
async fn symbols_once(
    client: &mut TestClient,
    query: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = symbols(client, query).await;
        if done(&found) {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{query:?}: still {:?} after 20 s",
            names(&found)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The server's messages up to the `$/progress` that ends the reading, at most 60 s.
async fn messages_until_read(client: &mut TestClient) -> Vec<(String, Value)> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut messages = Vec::new();
    loop {
        for message in client.sent_so_far() {
            let params = message.params().cloned().unwrap_or(Value::Null);
            messages.push((message.method().to_string(), params));
        }
        let ended = messages
            .iter()
            .any(|(method, params)| method == "$/progress" && params["value"]["kind"] == "end");
        if ended {
            return messages;
        }
        assert!(
            Instant::now() < deadline,
            "no end of progress: {messages:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A symbol as `name [kind] in container @ file line:character-line:character`.
fn render(workspace: &Workspace, symbols: &[Value]) -> String {
    let folder = file_uri(workspace.folder.path());
    symbols
        .iter()
        .map(|symbol| {
            let location = &symbol["location"];
            let uri = location["uri"].as_str().unwrap_or_default();
            let range = &location["range"];
            let at = |position: &Value| format!("{}:{}", position["line"], position["character"]);
            format!(
                "{} [{}] in {} @ {} {}-{}\n",
                symbol["name"].as_str().unwrap_or_default(),
                symbol["kind"],
                symbol["containerName"].as_str().unwrap_or("-"),
                uri.strip_prefix(&folder).unwrap_or(uri),
                at(&range["start"]),
                at(&range["end"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_folder_s_text_files_are_read_with_progress_and_searched() {
    let workspace = Workspace::new();
    let mut client =
        TestClient::initialized_with_params(workspace.params(capable_client("utf-16"))).await;
    let messages = messages_until_read(&mut client).await;

    // The token is created first, then begin … end on it; changes to text files are watched.
    let methods: Vec<&str> = messages.iter().map(|(method, _)| method.as_str()).collect();
    let created = methods
        .iter()
        .position(|m| *m == "window/workDoneProgress/create")
        .expect("a progress token is created");
    let progress: Vec<&Value> = messages
        .iter()
        .filter(|(method, _)| method == "$/progress")
        .map(|(_, params)| params)
        .collect();
    assert!(created < methods.iter().position(|m| *m == "$/progress").unwrap());
    assert_eq!(progress[0]["value"]["kind"], "begin");
    assert_eq!(progress.last().unwrap()["value"]["kind"], "end");
    assert!(progress
        .iter()
        .all(|p| p["token"] == messages[created].1["token"]));
    let registration = messages
        .iter()
        .find(|(method, _)| method == "client/registerCapability")
        .map(|(_, params)| &params["registrations"][0])
        .expect("file watching is registered");
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registration["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.txt"
    );

    // Every symbol: the article's and the chapter's, nothing from the plain text, the
    // Latin-1 file, the Markdown file, the file over the size limit, the skipped folders or
    // through the symlinks.
    let all = symbols(&mut client, "").await;
    expect_test::expect![[r#"
        一、韓美同盟 [15] in - @ /article.txt 1:0-1:6
        二、𠮷野家的結語 [15] in - @ /article.txt 4:0-4:9
        註釋 [3] in - @ /article.txt 7:0-7:3
        〔1〕 參見外交部白皮書，第二頁。 [20] in 註釋 @ /article.txt 8:0-8:3
        〔2〕 美國國務院檔案。 [20] in 註釋 @ /article.txt 11:0-11:3
        第一章　戰略 [15] in - @ /sub/chapter.txt 0:0-0:6
        （一）動因 [15] in 第一章　戰略 @ /sub/chapter.txt 2:0-2:5
    "#]]
    .assert_eq(&render(&workspace, &all));

    // Fuzzy: the heading that is the query first; a note by the words of its text.
    let found = symbols(&mut client, "結語").await;
    assert_eq!(names(&found), ["二、𠮷野家的結語"]);
    let found = symbols(&mut client, "白皮書").await;
    assert_eq!(names(&found), ["〔1〕 參見外交部白皮書，第二頁。"]);
    let found = symbols(&mut client, "戰略").await;
    assert_eq!(names(&found)[0], "第一章　戰略");
    assert!(symbols(&mut client, "秘密").await.is_empty());
    assert!(symbols(&mut client, "跳過").await.is_empty());
}

/// The size limits of the settings apply to the files read as they do to open documents.
#[tokio::test]
async fn files_over_the_limits_of_the_settings_are_not_read() {
    let folder = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| std::fs::write(folder.path().join(name), text).unwrap();
    write("within.txt", "一、讀到的\n".to_string());
    write("long_line.txt", format!("一、長行\n{}\n", "長".repeat(40)));
    write("large.txt", format!("一、大文件\n{}", "短。\n".repeat(30)));
    let mut client = TestClient::initialized_with_params(json!({
        "workspaceFolders": [{ "uri": file_uri(folder.path()), "name": "notes" }],
        "capabilities": capable_client("utf-16"),
        "initializationOptions": { "maxDocumentBytes": 150, "maxLineBytes": 100 },
    }))
    .await;
    messages_until_read(&mut client).await;
    assert_eq!(names(&symbols(&mut client, "").await), ["一、讀到的"]);
}

#[tokio::test]
async fn ranges_are_in_the_negotiated_encoding() {
    let workspace = Workspace::new();
    let mut client =
        TestClient::initialized_with_params(workspace.params(capable_client("utf-8"))).await;
    messages_until_read(&mut client).await;
    let found = symbols(&mut client, "結語").await;
    // 二、 is six bytes, 𠮷 four, 野家的結語 fifteen.
    assert_eq!(
        found[0]["location"]["range"],
        json!({ "start": { "line": 4, "character": 0 }, "end": { "line": 4, "character": 25 } })
    );
    assert_eq!(found[0]["location"]["uri"], workspace.uri("article.txt"));
}

#[tokio::test]
async fn an_open_document_s_unsaved_text_stands_for_its_file() {
    let workspace = Workspace::new();
    let mut client = TestClient::initialized_with_params(workspace.params(json!({}))).await;
    symbols_once(&mut client, "韓美同盟", |found| !found.is_empty()).await;

    // Renamed in the editor, not on disk; a line inserted before it.
    let article = workspace.uri("article.txt");
    let edited = format!("新的一行\n{}", ARTICLE.replace("韓美同盟", "日韓關係"));
    client.open(&article, 1, &edited).await;
    assert!(symbols(&mut client, "韓美同盟").await.is_empty());
    let found = symbols(&mut client, "日韓關係").await;
    assert_eq!(names(&found), ["一、日韓關係"]);
    assert_eq!(found[0]["location"]["uri"], article.as_str());
    assert_eq!(found[0]["location"]["range"]["start"]["line"], 2);
    // Each symbol once: the disk's are not listed beside the open document's.
    assert_eq!(symbols(&mut client, "結語").await.len(), 1);

    // Edited further: the next version's symbols.
    client.edit(&article, 2, [2, 2, 2, 4], "中美").await;
    assert_eq!(names(&symbols(&mut client, "關係").await), ["一、中美關係"]);

    // A document that is not in the folder counts too.
    client
        .open("untitled:Untitled-1", 1, "一、草稿的標題\n")
        .await;
    assert_eq!(
        names(&symbols(&mut client, "草稿").await),
        ["一、草稿的標題"]
    );

    // Closed: the file on disk again.
    client
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": article } }),
        )
        .await;
    assert!(symbols(&mut client, "中美關係").await.is_empty());
    assert_eq!(
        names(&symbols(&mut client, "韓美同盟").await),
        ["一、韓美同盟"]
    );
}

#[tokio::test]
async fn watched_file_changes_keep_the_answer_current() {
    let workspace = Workspace::new();
    let mut client =
        TestClient::initialized_with_params(workspace.params(capable_client("utf-16"))).await;
    messages_until_read(&mut client).await;
    let changed = |uri: String, kind: u32| json!({ "changes": [{ "uri": uri, "type": kind }] });
    const CREATED: u32 = 1;
    const CHANGED: u32 = 2;
    const DELETED: u32 = 3;

    workspace.write("new.txt", "一、新的文件\n");
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            changed(workspace.uri("new.txt"), CREATED),
        )
        .await;
    let found = symbols_once(&mut client, "新的文件", |found| !found.is_empty()).await;
    assert_eq!(found[0]["location"]["uri"], workspace.uri("new.txt"));

    workspace.write("article.txt", &ARTICLE.replace("韓美同盟", "美日同盟"));
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            changed(workspace.uri("article.txt"), CHANGED),
        )
        .await;
    symbols_once(&mut client, "美日同盟", |found| !found.is_empty()).await;
    assert!(symbols(&mut client, "韓美同盟").await.is_empty());

    std::fs::remove_file(workspace.path("sub/chapter.txt")).unwrap();
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            changed(workspace.uri("sub/chapter.txt"), DELETED),
        )
        .await;
    symbols_once(&mut client, "戰略", |found| found.is_empty()).await;

    // Reported, but not read: under a skipped folder, a symlink, a file outside the folder.
    workspace.write("node_modules/dep/read_me.txt", "一、跳過的文件夾\n");
    for uri in [
        workspace.uri("node_modules/dep/read_me.txt"),
        workspace.uri("linked.txt"),
        workspace.uri("linked_dir/secret.txt"),
        file_uri(&workspace.outside.path().join("secret.txt")),
    ] {
        client
            .notify("workspace/didChangeWatchedFiles", changed(uri, CREATED))
            .await;
    }
    // Changes are handled in order: once this one is in, those before it were looked at.
    workspace.write("last.txt", "一、最後的文件\n");
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            changed(workspace.uri("last.txt"), CREATED),
        )
        .await;
    symbols_once(&mut client, "最後", |found| !found.is_empty()).await;
    assert!(symbols(&mut client, "跳過").await.is_empty());
    assert!(symbols(&mut client, "秘密").await.is_empty());
}

#[tokio::test]
async fn no_progress_or_watcher_for_a_client_without_them_and_the_root_uri_as_folder() {
    let workspace = Workspace::new();
    let mut client = TestClient::initialized_with_params(json!({
        "processId": null,
        "rootUri": file_uri(workspace.folder.path()),
        "capabilities": {},
    }))
    .await;
    symbols_once(&mut client, "", |found| found.len() == 7).await;
    // Whatever the server would send after the reading has had time to come.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent: Vec<String> = client
        .sent_so_far()
        .iter()
        .map(|message| message.method().to_string())
        .collect();
    assert!(
        sent.iter().all(|method| method != "$/progress"
            && method != "window/workDoneProgress/create"
            && method != "client/registerCapability"),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_server_without_a_workspace_folder_lists_the_open_documents() {
    let (mut client, initialize) = TestClient::initialized(&["utf-16"]).await;
    assert_eq!(
        initialize["capabilities"]["workspaceSymbolProvider"],
        json!(true)
    );
    assert!(symbols(&mut client, "").await.is_empty());
    client.open("file:///work/a.txt", 1, ARTICLE).await;
    client.open("file:///work/plain.txt", 1, PLAIN).await;
    let found = symbols(&mut client, "").await;
    assert_eq!(found.len(), 5);
    assert!(found
        .iter()
        .all(|symbol| symbol["location"]["uri"] == "file:///work/a.txt"));
}

#[tokio::test]
async fn files_and_open_documents_are_read_again_when_the_patterns_change() {
    let workspace = Workspace::new();
    workspace.write(
        "own.txt",
        "第一章 序\n\nA. 背景\n\n正文[1]。\n\n參考資料\n\n[1] 出處。\n",
    );
    let mut client = TestClient::initialized_with_params(json!({
        "processId": null,
        "rootUri": file_uri(workspace.folder.path()),
        "capabilities": {},
    }))
    .await;
    client
        .open("file:///work/open.txt", 1, "A. 打開的背景\n")
        .await;
    symbols_once(&mut client, "", |found| found.len() == 8).await;
    assert!(symbols(&mut client, "背景").await.is_empty());
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "marginalia": {
                "headings": { "level2": "[A-Z]\\. " },
                "noteMarker": "\\[(\\d+)\\]",
                "notesTitles": ["參考資料"],
            } } }),
        )
        .await;
    // The open document at once; the folder's file once it is read again.
    let found = symbols(&mut client, "背景").await;
    assert!(
        names(&found).contains(&"A. 打開的背景"),
        "{:?}",
        names(&found)
    );
    let found = symbols_once(&mut client, "背景", |found| found.len() == 2).await;
    let mut found = names(&found);
    found.sort();
    assert_eq!(found, ["A. 打開的背景", "A. 背景"]);
    let notes = symbols_once(&mut client, "出處", |found| !found.is_empty()).await;
    assert_eq!(notes[0]["location"]["uri"], json!(workspace.uri("own.txt")));
}

const BOOKS: usize = 1_000;
/// Queries a user types: a title word, two characters, a note's number, a longer phrase.
const QUERIES: [&str; 5] = ["結語", "韓美", "3", "戰略性接近", "重讀"];

/// A thousand books of about 30 KB (the seed's headings, 16 notes), each with its own
/// chapter title (`重讀`, its number, `韓美關係`).
fn library() -> TempDir {
    let folder = tempfile::tempdir().unwrap();
    let book = corpus::book(30 * 1024);
    for i in 0..BOOKS {
        let text = book.replacen("重讀", &format!("重讀{i}　韓美關係"), 1);
        std::fs::write(folder.path().join(format!("book{i:04}.txt")), text).unwrap();
    }
    folder
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The time of each of 20 searches over the library (once it is read).
async fn search_times(client: &mut TestClient) -> Vec<Duration> {
    let mut times = Vec::new();
    for query in QUERIES.iter().cycle().take(20) {
        let started = Instant::now();
        let found = client
            .request("workspace/symbol", json!({ "query": query }))
            .await
            .expect("workspace/symbol succeeds");
        times.push(started.elapsed());
        assert!(
            found.as_array().is_some_and(|found| !found.is_empty()),
            "{query}"
        );
    }
    times
}

/// A client of the library, and the time of a request answered while the library was being
/// read (some books found, not all), with how many books it found.
async fn library_client(library: &TempDir) -> (TestClient, Duration, usize) {
    let params = json!({
        "processId": null,
        "rootUri": file_uri(library.path()),
        "capabilities": { "window": { "workDoneProgress": true } },
    });
    let mut client = TestClient::initialized_with_params(params).await;
    loop {
        let started = Instant::now();
        let found = symbols(&mut client, "重讀").await;
        let elapsed = started.elapsed();
        let chapters = names(&found)
            .iter()
            .filter(|name| name.contains("重讀"))
            .count();
        assert!(
            chapters < BOOKS,
            "the library was read before a request saw it in part"
        );
        if chapters > 0 {
            return (client, elapsed, chapters);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A request sent while the library is being read is answered from what is read so far, at
/// once; when it is read, a search takes well under the 50 ms asked for in release (this
/// asserts a loose bound, for debug builds on a shared machine: see the test below).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_files_are_searched_while_and_after_they_are_read() {
    let library = library();
    let (mut client, while_reading, books_then) = library_client(&library).await;
    messages_until_read(&mut client).await;
    let all = symbols(&mut client, "重讀").await;
    let read = names(&all).iter().filter(|n| n.contains("重讀")).count();
    assert_eq!(read, BOOKS);
    let median = median(search_times(&mut client).await);
    eprintln!(
        "while reading ({books_then} books read): {while_reading:?}; median search: {median:?}"
    );
    assert!(
        while_reading < Duration::from_millis(500),
        "{while_reading:?}"
    );
    assert!(median < Duration::from_millis(500), "median {median:?}");
}

/// The requirement: a search over 1,000 files of 30 KB in under 50 ms (median of 20), and
/// a request while they are being read as fast.
/// `cargo test --release --test workspace_symbols -- --ignored`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing: run in release"]
async fn a_search_over_a_thousand_files_takes_under_50_ms() {
    let library = library();
    let (mut client, while_reading, books_then) = library_client(&library).await;
    messages_until_read(&mut client).await;
    let times = search_times(&mut client).await;
    let median = median(times.clone());
    eprintln!(
        "while reading ({books_then} books read): {while_reading:?}; searches: {times:?}; median {median:?}"
    );
    assert!(median < Duration::from_millis(50), "median {median:?}");
    assert!(
        while_reading < Duration::from_millis(50),
        "{while_reading:?}"
    );
}
