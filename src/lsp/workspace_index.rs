//! `workspace/symbol`: the headings and notes of the open documents and of the `*.txt` files
//! under the workspace folders.
//!
//! The files are read after `initialized` by one background task, a file at a time on a
//! blocking thread, and kept current by `workspace/didChangeWatchedFiles`; a request never
//! waits for it, and answers from what is read so far. Only each file's symbols are kept,
//! with their LSP ranges converted while its text was at hand (the encoding is negotiated
//! before the reading starts): a thousand texts would be 30 MB, their symbols are one.
//! An open document's live analysis stands for its file.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use tokio::sync::{mpsc, watch};
use tower_lsp::lsp_types::notification::Progress;
use tower_lsp::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp::lsp_types::{
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions, FileChangeType,
    FileSystemWatcher, GlobPattern, InitializeParams, NumberOrString, ProgressParams,
    ProgressParamsValue, Range, Registration, SymbolInformation, Url, WorkDoneProgress,
    WorkDoneProgressBegin, WorkDoneProgressCreateParams, WorkDoneProgressEnd,
    WorkDoneProgressReport,
};
use tower_lsp::Client;
use tracing::{debug, info, warn};
use walkdir::WalkDir;

use super::position::{self, Encoding};
use super::state::ServerState;
use super::store::{DocumentStore, Snapshot};
use super::to_proto;
use crate::config::Config;
use crate::document::{Document, DocumentSnapshot};
use crate::features::workspace_symbols::{self, Symbol, MAX_RESULTS};
use crate::limits::Limits;

/// Folders never read: version control, and the dependencies and build output of projects
/// that keep their notes next to their code.
const SKIPPED_FOLDERS: [&str; 3] = [".git", "node_modules", "target"];

/// The only files read: plain text, as the watcher's glob says.
const EXTENSION: &str = "txt";
const WATCHED_GLOB: &str = "**/*.txt";
const WATCHER_ID: &str = "marginalia/watchedTextFiles";

const PROGRESS_TOKEN: &str = "marginalia/indexing";
/// At most ten progress reports a second: a file takes well under a millisecond.
const REPORT_INTERVAL: Duration = Duration::from_millis(100);

/// A file's symbols and, for each, its LSP range.
#[derive(Debug)]
struct IndexedFile {
    uri: Url,
    symbols: Vec<Symbol>,
    ranges: Vec<Range>,
}

impl IndexedFile {
    /// `None` for a document without symbols (without headings or markers).
    fn new(uri: Url, document: &DocumentSnapshot, encoding: Encoding) -> Option<IndexedFile> {
        let symbols = workspace_symbols::symbols(document);
        if symbols.is_empty() {
            return None;
        }
        let ranges: Vec<_> = symbols.iter().map(|symbol| symbol.range).collect();
        let ranges = position::ranges(document.text(), &ranges, encoding);
        Some(IndexedFile {
            uri,
            symbols,
            ranges,
        })
    }
}

/// What the background task is asked to do, in order (a file changed and then deleted must
/// end up deleted).
enum Job {
    /// Read every file of the workspace folders, reporting progress.
    Scan(watch::Sender<ScanProgress>),
    /// Read this file again (created or changed).
    Read(PathBuf),
    /// Drop this file, or every file under this folder (deleted).
    Forget(PathBuf),
}

#[derive(Clone, Copy, Debug, Default)]
struct ScanProgress {
    read: usize,
    /// How many files there are to read, once the folders are walked.
    total: Option<usize>,
    finished: bool,
}

/// Open documents' entries, each for the version it was made from.
type OpenEntry = (i32, Option<Arc<IndexedFile>>);

#[derive(Default)]
pub struct WorkspaceIndex {
    /// The files read from the workspace folders that have symbols, by path.
    files: DashMap<PathBuf, Arc<IndexedFile>>,
    /// The symbols of open documents, made by requests and kept until their next version.
    open: DashMap<Url, OpenEntry>,
    /// How many documents have been opened: a search that saw a document opened meanwhile
    /// does not keep its symbols (a document closed and opened again may have a version
    /// number it had before).
    opened: AtomicU64,
    jobs: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl WorkspaceIndex {
    /// How many files with symbols have been read from the workspace folders.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// A document was opened: its symbols are made again, even for a version number it had
    /// before it was closed.
    pub fn document_opened(&self, uri: &Url) {
        self.opened.fetch_add(1, Ordering::SeqCst);
        self.open.remove(uri);
    }

    fn queue(&self, job: Job) {
        match self.jobs.get() {
            Some(jobs) if jobs.send(job).is_ok() => {}
            _ => debug!("no workspace indexing: the change is not followed"),
        }
    }

    /// The files to search: the open documents (those with symbols), and the files read
    /// from the folders that are not open.
    fn files(&self, documents: &DocumentStore, encoding: Encoding) -> Vec<Arc<IndexedFile>> {
        let opened = self.opened.load(Ordering::SeqCst);
        let open = documents.snapshots();
        let open_uris: HashSet<&Url> = open.iter().map(|(uri, _)| uri).collect();
        self.open.retain(|uri, _| open_uris.contains(uri));
        let open_paths: HashSet<PathBuf> = open_uris
            .iter()
            .filter_map(|uri| uri.to_file_path().ok())
            .collect();
        let mut files: Vec<Arc<IndexedFile>> = open
            .iter()
            .filter_map(|(uri, snapshot)| self.open_document(uri, snapshot, opened, encoding))
            .collect();
        // Cloned out (an `Arc` each) so that no lock is held while matching.
        files.extend(
            self.files
                .iter()
                .filter(|entry| !open_paths.contains(entry.key()))
                .map(|entry| entry.value().clone()),
        );
        files
    }

    /// The symbols of an open document, made again for a new version. `opened` is the count
    /// of opened documents before `snapshot` was taken.
    fn open_document(
        &self,
        uri: &Url,
        snapshot: &Snapshot,
        opened: u64,
        encoding: Encoding,
    ) -> Option<Arc<IndexedFile>> {
        if let Some(entry) = self.open.get(uri) {
            if entry.0 == snapshot.version {
                return entry.1.clone();
            }
        }
        let file = IndexedFile::new(uri.clone(), &snapshot.document, encoding).map(Arc::new);
        // Checked with the entry locked: `document_opened` counts before it removes.
        let entry = self.open.entry(uri.clone());
        if self.opened.load(Ordering::SeqCst) == opened {
            entry.insert((snapshot.version, file.clone()));
        }
        file
    }
}

/// The workspace folders of `initialize` (the root URI for clients without folders), as
/// local paths.
pub fn folders(params: &InitializeParams) -> Vec<PathBuf> {
    #[allow(deprecated)] // `root_uri`: the one folder of clients without workspace folders
    let uris: Vec<&Url> = match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => folders.iter().map(|f| &f.uri).collect(),
        _ => params.root_uri.iter().collect(),
    };
    uris.into_iter()
        .filter_map(|uri| match uri.to_file_path() {
            Ok(path) => Some(path),
            Err(()) => {
                info!(%uri, "workspace folder is not a local path: not read");
                None
            }
        })
        .collect()
}

/// Starts reading the workspace folders in the background (with progress reports when the
/// client takes them), and asks the client to report changes to their text files. Returns at
/// once.
pub fn start(state: &Arc<ServerState>, client: &Client) {
    if state.workspace_folders().is_empty() {
        return;
    }
    let (jobs, queued) = mpsc::unbounded_channel();
    if state.workspace.jobs.set(jobs.clone()).is_err() {
        warn!("workspace indexing already started");
        return;
    }
    tokio::spawn(run_jobs(state.clone(), queued));
    let (progress, progress_seen) = watch::channel(ScanProgress::default());
    let _ = jobs.send(Job::Scan(progress));
    let support = state.client_support();
    if support.work_done_progress {
        tokio::spawn(report_progress(client.clone(), progress_seen));
    }
    if support.watched_files_registration {
        tokio::spawn(watch_text_files(client.clone()));
    }
}

/// Reads every file again, and makes the symbols of open documents again: the settings
/// changed how headings, markers or notes sections are told.
pub fn read_again(state: &ServerState) {
    let workspace = &state.workspace;
    workspace.opened.fetch_add(1, Ordering::SeqCst);
    workspace.open.clear();
    if workspace.jobs.get().is_some() {
        // No progress reports for this one: the first reading reported them.
        let (progress, _) = watch::channel(ScanProgress::default());
        workspace.queue(Job::Scan(progress));
    }
}

/// Queues the files the client reports changed on disk.
pub fn files_changed(state: &ServerState, params: DidChangeWatchedFilesParams) {
    for change in params.changes {
        let Ok(path) = change.uri.to_file_path() else {
            debug!(uri = %change.uri, "changed file is not a local path");
            continue;
        };
        let job = if change.typ == FileChangeType::DELETED {
            Job::Forget(path)
        } else {
            Job::Read(path)
        };
        state.workspace.queue(job);
    }
}

/// The symbols matching `query`, best first (see [`workspace_symbols::search`]), from the
/// open documents and the files read so far. Tens of thousands of names are matched on a
/// blocking thread: the messages after the request (edits) are not held up.
pub async fn symbols(state: Arc<ServerState>, query: String) -> Vec<SymbolInformation> {
    tokio::task::spawn_blocking(move || search(&state, &query))
        .await
        .unwrap_or_else(|error| {
            warn!(%error, "workspace symbol search failed");
            Vec::new()
        })
}

fn search(state: &ServerState, query: &str) -> Vec<SymbolInformation> {
    let files = state.workspace.files(&state.documents, state.encoding());
    // Each file as its URI (by which equal scores are ordered) and its place in `files`.
    let searched = files
        .iter()
        .enumerate()
        .map(|(i, file)| ((&file.uri, i), file.symbols.as_slice()));
    workspace_symbols::search(query, searched, MAX_RESULTS)
        .into_iter()
        .filter_map(|found| {
            let file = files.get(found.file.1)?;
            let symbol = file.symbols.get(found.index)?;
            let range = file.ranges.get(found.index)?;
            Some(to_proto::workspace_symbol(&file.uri, symbol, *range))
        })
        .collect()
}

/// Runs the jobs in order until the server shuts down. Each file is read on a blocking thread
/// of its own, so that stopping the runtime waits for one file, not for the whole scan.
async fn run_jobs(state: Arc<ServerState>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = jobs.recv().await {
        if state.shutdown_requested() {
            break;
        }
        match job {
            Job::Scan(progress) => scan(&state, progress).await,
            Job::Read(path) if reachable(state.workspace_folders(), &path) => {
                read_into_index(&state, path).await
            }
            Job::Read(path) => debug!(?path, "changed file outside the workspace's text files"),
            Job::Forget(path) => state
                .workspace
                .files
                .retain(|indexed, _| !indexed.starts_with(&path)),
        }
    }
}

async fn scan(state: &Arc<ServerState>, progress: watch::Sender<ScanProgress>) {
    let started = Instant::now();
    let folders = state.workspace_folders().to_vec();
    let paths = tokio::task::spawn_blocking(move || {
        folders
            .iter()
            .flat_map(|folder| text_files(folder))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_else(|error| {
        warn!(%error, "walking the workspace folders failed");
        Vec::new()
    });
    let total = paths.len();
    progress.send_modify(|now| now.total = Some(total));
    for path in paths {
        if state.shutdown_requested() {
            break;
        }
        read_into_index(state, path).await;
        progress.send_modify(|now| now.read += 1);
    }
    progress.send_modify(|now| now.finished = true);
    info!(
        files = total,
        with_symbols = state.workspace.file_count(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
        "workspace read"
    );
}

/// Reads `path` on a blocking thread and keeps its symbols (or drops what was kept of it, if
/// it has none now, or cannot be read).
async fn read_into_index(state: &Arc<ServerState>, path: PathBuf) {
    let encoding = state.encoding();
    let config = state.documents.config();
    let reading = path.clone();
    match tokio::task::spawn_blocking(move || read_file(&reading, encoding, &config)).await {
        Ok(Some(file)) => {
            state.workspace.files.insert(path, Arc::new(file));
        }
        Ok(None) => {
            state.workspace.files.remove(&path);
        }
        Err(error) => warn!(?path, %error, "reading a workspace file failed"),
    }
}

/// The regular `*.txt` files under `folder`, through no symlink and no skipped folder (the
/// workspace folder itself may have any name).
fn text_files(folder: &Path) -> impl Iterator<Item = PathBuf> {
    WalkDir::new(folder)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| {
            let skipped = entry.file_type().is_dir() && is_skipped(entry.file_name());
            entry.depth() == 0 || !skipped
        })
        .filter_map(|entry| match entry {
            Ok(entry) => Some(entry),
            Err(error) => {
                debug!(%error, "part of a workspace folder not read");
                None
            }
        })
        .filter(|entry| entry.file_type().is_file() && is_text_file(entry.path()))
        .map(walkdir::DirEntry::into_path)
}

fn is_skipped(name: &std::ffi::OsStr) -> bool {
    SKIPPED_FOLDERS.iter().any(|skipped| name == *skipped)
}

fn is_text_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension == EXTENSION)
}

/// Whether the walk of a workspace folder would reach `path` (a file the client reported):
/// a text file under a folder, through folders that are neither symlinks nor skipped.
fn reachable(folders: &[PathBuf], path: &Path) -> bool {
    is_text_file(path)
        && folders
            .iter()
            .any(|folder| reachable_from(folder, path).unwrap_or(false))
}

fn reachable_from(folder: &Path, path: &Path) -> Option<bool> {
    let relative = path.strip_prefix(folder).ok()?;
    let mut at = folder.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        let Component::Normal(name) = component else {
            return Some(false); // `..` could lead out of the folder
        };
        if components.peek().is_none() {
            return Some(true); // the file itself is checked when it is opened
        }
        at.push(name);
        let is_folder = std::fs::symlink_metadata(&at).ok()?.is_dir();
        if !is_folder || is_skipped(name) {
            return Some(false);
        }
    }
    Some(false)
}

/// The symbols of the file at `path`, or `None` (with the reason logged) if it has none or is
/// not read: not a regular file, over the size limits of the settings (those of an open
/// document), not UTF-8.
fn read_file(path: &Path, encoding: Encoding, config: &Config) -> Option<IndexedFile> {
    let text = read_text(path, &config.limits)?;
    let Ok(uri) = Url::from_file_path(path) else {
        debug!(?path, "no URI for the path");
        return None;
    };
    let mut document = Document::with_syntax(&text, config.syntax.clone());
    document.wait_for_lints();
    IndexedFile::new(uri, &document.snapshot(), encoding)
}

fn read_text(path: &Path, limits: &Limits) -> Option<String> {
    // Checked before opening: opening a named pipe would wait for a writer.
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => {
            debug!(?path, %error, "workspace file not read");
            return None;
        }
    };
    if !metadata.is_file() {
        debug!(?path, "not a regular file: not read");
        return None;
    }
    if let Err(too_large) = limits.check_size(metadata.len()) {
        warn!(?path, %too_large, "workspace file not read");
        return None;
    }
    let bytes = match read_bytes(path, limits.document_bytes) {
        Ok(bytes) => bytes,
        Err(error) => {
            warn!(?path, %error, "workspace file not read");
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => match limits.check_text(&text) {
            Ok(()) => Some(text),
            Err(too_large) => {
                warn!(?path, %too_large, "workspace file not read");
                None
            }
        },
        Err(error) => {
            warn!(
                ?path,
                at_byte = error.utf8_error().valid_up_to(),
                "file is not UTF-8: not read"
            );
            None
        }
    }
}

/// The file's bytes, read without following a symlink put in its place since it was looked
/// at, and never more than `limit` bytes (it may have grown).
fn read_bytes(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    let file = open_without_following(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let capacity = usize::try_from(metadata.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other("grew over the size limit"));
    }
    Ok(bytes)
}

fn open_without_following(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options.open(path)
}

/// Reports the scan as `$/progress` on a token the client is asked to create: begin, a
/// report at most every [`REPORT_INTERVAL`], end. Runs beside the scan, which never waits
/// for the client.
async fn report_progress(client: Client, mut progress: watch::Receiver<ScanProgress>) {
    let token = NumberOrString::String(PROGRESS_TOKEN.to_string());
    let created = client
        .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
            token: token.clone(),
        })
        .await;
    if let Err(error) = created {
        debug!(%error, "no progress token: the workspace is read without reports");
        return;
    }
    let send = |value: WorkDoneProgress| {
        client.send_notification::<Progress>(ProgressParams {
            token: token.clone(),
            value: ProgressParamsValue::WorkDone(value),
        })
    };
    send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
        title: "Reading the workspace".to_string(),
        cancellable: Some(false),
        message: None,
        percentage: Some(0),
    }))
    .await;
    let last = loop {
        let now = *progress.borrow_and_update();
        if now.finished {
            break now;
        }
        if let Some(total) = now.total {
            send(WorkDoneProgress::Report(WorkDoneProgressReport {
                cancellable: Some(false),
                message: Some(format!("{}/{total} files", now.read)),
                percentage: Some(percent(now.read, total)),
            }))
            .await;
        }
        tokio::time::sleep(REPORT_INTERVAL).await;
        // An error: the scan is gone (the server is stopping).
        if progress.changed().await.is_err() {
            break *progress.borrow();
        }
    };
    send(WorkDoneProgress::End(WorkDoneProgressEnd {
        message: Some(format!("{} files read", last.read)),
    }))
    .await;
}

fn percent(done: usize, total: usize) -> u32 {
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    u32::try_from(percent.min(100)).unwrap_or(100)
}

/// Asks the client to report changes to the workspace's text files.
async fn watch_text_files(client: Client) {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String(WATCHED_GLOB.to_string()),
            kind: None, // created, changed and deleted
        }],
    };
    let registration = Registration {
        id: WATCHER_ID.to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(error) = client.register_capability(vec![registration]).await {
        warn!(%error, "file watching not registered: changes on disk are not followed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reported_file_is_read_only_where_the_walk_would_reach_it() {
        let workspace = tempfile::tempdir().unwrap();
        let folder = workspace.path();
        std::fs::create_dir_all(folder.join("notes/node_modules")).unwrap();
        let folders = [folder.to_path_buf()];
        assert!(reachable(&folders, &folder.join("a.txt")));
        assert!(reachable(&folders, &folder.join("notes/a.txt")));
        assert!(!reachable(&folders, &folder.join("notes/a.md")));
        assert!(!reachable(
            &folders,
            &folder.join("notes/node_modules/a.txt")
        ));
        assert!(!reachable(&folders, &folder.join("notes/../../a.txt")));
        assert!(!reachable(&folders, Path::new("/etc/a.txt")));
        // Not through a symlinked folder (nor a folder that does not exist).
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(outside.path(), folder.join("elsewhere")).unwrap();
            assert!(!reachable(&folders, &folder.join("elsewhere/a.txt")));
        }
        assert!(!reachable(&folders, &folder.join("missing/a.txt")));
    }

    #[test]
    fn a_workspace_folder_may_have_the_name_of_a_skipped_one() {
        let workspace = tempfile::tempdir().unwrap();
        let folder = workspace.path().join("target");
        std::fs::create_dir_all(folder.join("target")).unwrap();
        std::fs::write(folder.join("a.txt"), "一、甲\n").unwrap();
        std::fs::write(folder.join("target/b.txt"), "一、乙\n").unwrap();
        let found: Vec<PathBuf> = text_files(&folder).collect();
        assert_eq!(found, [folder.join("a.txt")]);
    }

    #[test]
    fn percentages_never_pass_a_hundred() {
        assert_eq!(percent(0, 10), 0);
        assert_eq!(percent(5, 10), 50);
        assert_eq!(percent(11, 10), 100);
        assert_eq!(percent(0, 0), 100);
    }
}
