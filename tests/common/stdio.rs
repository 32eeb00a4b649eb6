//! A minimal LSP client over a child process's stdin/stdout, for tests and benchmarks.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub struct StdioClient {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Each message with the moment it was read off the pipe.
    incoming: Receiver<(Instant, Value)>,
    /// Notifications read while waiting for something else.
    pending: VecDeque<(Instant, Value)>,
    /// When the message last returned arrived.
    pub last_arrival: Option<Instant>,
    next_id: i64,
    /// What the server wrote to stderr so far, when spawned with [`StdioClient::spawn_logged`].
    log: Option<Log>,
}

/// A child's stderr, read all the time by a thread of its own.
struct Log {
    bytes: Arc<Mutex<Vec<u8>>>,
    /// Until it has been waited for, at the end of the process.
    reading: Option<std::thread::JoinHandle<()>>,
}

impl StdioClient {
    pub fn spawn(command: Command) -> StdioClient {
        StdioClient::spawn_with(command, false)
    }

    /// Like [`StdioClient::spawn`], with the server's stderr kept (see [`StdioClient::log`]).
    pub fn spawn_logged(command: Command) -> StdioClient {
        StdioClient::spawn_with(command, true)
    }

    fn spawn_with(mut command: Command, logged: bool) -> StdioClient {
        let stderr = if logged {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the server starts");
        // Read all the time, so that a server logging much never waits on a full pipe.
        let log = child.stderr.take().map(|mut stderr| {
            let log = Arc::new(Mutex::new(Vec::new()));
            let kept = log.clone();
            let reading = std::thread::spawn(move || {
                let mut buffer = [0; 4096];
                while let Ok(read @ 1..) = std::io::Read::read(&mut stderr, &mut buffer) {
                    if let Ok(mut kept) = kept.lock() {
                        kept.extend_from_slice(&buffer[..read]);
                    }
                }
            });
            Log {
                bytes: log,
                reading: Some(reading),
            }
        });
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, incoming) = channel();
        // One thread reads and times the frames, another parses them: a large message being
        // parsed must not delay the timing of the ones after it (this measures the server).
        let (frames, to_parse) = channel::<(Instant, Vec<u8>)>();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            // One buffer for every frame, so that a large one is read into memory already in
            // use (a fresh 2 MB buffer costs hundreds of page faults before the last byte is
            // read, which would be timed as the server's).
            let mut body = Vec::new();
            while let Some(arrival) = read_frame(&mut reader, &mut body) {
                if frames.send((arrival, body.clone())).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            for (arrival, body) in to_parse {
                let Ok(message) = serde_json::from_slice(&body) else {
                    continue;
                };
                if sender.send((arrival, message)).is_err() {
                    break;
                }
            }
        });
        StdioClient {
            child,
            stdin,
            incoming,
            pending: VecDeque::new(),
            last_arrival: None,
            next_id: 0,
            log,
        }
    }

    /// What the server has written to stderr (spawned with [`StdioClient::spawn_logged`]):
    /// all of it once the process has ended and been waited for.
    pub fn log(&mut self) -> String {
        let ended = matches!(self.child.try_wait(), Ok(Some(_)));
        let Some(log) = &mut self.log else {
            panic!("the server's stderr is not kept: spawn it with spawn_logged");
        };
        if ended {
            // Its stderr is closed: the thread reads to its end, then ends.
            if let Some(reading) = log.reading.take() {
                let _ = reading.join();
            }
        }
        let bytes = log
            .bytes
            .lock()
            .map(|bytes| bytes.clone())
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Every message received and not yet returned, without waiting: the notifications and
    /// responses skipped while waiting for others, then those that have arrived since.
    pub fn received_so_far(&mut self) -> Vec<Value> {
        let mut messages: Vec<Value> = self.pending.drain(..).map(|(_, m)| m).collect();
        loop {
            match self.incoming.try_recv() {
                Ok((_, message)) => messages.push(message),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return messages,
            }
        }
    }

    /// Writes raw bytes to the server (for framing tests).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("server reads stdin");
        stdin.flush().expect("server reads stdin");
    }

    pub fn send(&mut self, message: &Value) {
        self.send_raw(&frame(message));
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send_raw(&notification_frame(method, params));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and waits for its response (the whole message: `result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// The whole response to `textDocument/documentSymbol` for `uri`.
    pub fn document_symbols(&mut self, uri: &str) -> Value {
        let params = json!({ "textDocument": { "uri": uri } });
        self.request("textDocument/documentSymbol", params)
    }

    pub fn response(&mut self, id: i64) -> Value {
        let timeout = Duration::from_secs(30);
        self.try_response(id, timeout)
            .unwrap_or_else(|| panic!("no response to {id} in {timeout:?}, or the server is gone"))
    }

    /// The response to `id` if it comes within `timeout` (other messages are kept);
    /// `None` if it does not, or the server has gone.
    pub fn try_response(&mut self, id: i64, timeout: Duration) -> Option<Value> {
        let is_it = |message: &Value| message.get("method").is_none() && message["id"] == json!(id);
        if let Some(i) = self.pending.iter().position(|(_, m)| is_it(m)) {
            let (arrival, message) = self.pending.remove(i)?;
            self.last_arrival = Some(arrival);
            return Some(message);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (arrival, message) = match self.incoming.recv_timeout(left) {
                Ok(received) => received,
                Err(_) => return None,
            };
            if is_it(&message) {
                self.last_arrival = Some(arrival);
                return Some(message);
            }
            self.keep(arrival, message);
        }
    }

    /// The next error response that could not name its request (`"id": null`).
    pub fn response_with_null_id(&mut self) -> Value {
        let is_it = |message: &Value| message.get("method").is_none() && message["id"].is_null();
        if let Some(i) = self.pending.iter().position(|(_, m)| is_it(m)) {
            if let Some((_, message)) = self.pending.remove(i) {
                return message;
            }
        }
        loop {
            let (arrival, message) = self.next_message(Duration::from_secs(10));
            if is_it(&message) {
                return message;
            }
            self.keep(arrival, message);
        }
    }

    /// The next notification with `method`, skipping (and keeping) others.
    pub fn notification(&mut self, method: &str, timeout: Duration) -> Value {
        self.try_notification(method, timeout)
            .unwrap_or_else(|| panic!("no {method} from the server in {timeout:?}"))
    }

    /// Like [`StdioClient::notification`], but `None` on timeout or when the server is gone.
    pub fn try_notification(&mut self, method: &str, timeout: Duration) -> Option<Value> {
        if let Some(i) = self.pending.iter().position(|(_, m)| m["method"] == method) {
            let (arrival, message) = self.pending.remove(i)?;
            self.last_arrival = Some(arrival);
            return Some(message);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let (arrival, message) = self.incoming.recv_timeout(left).ok()?;
            if message["method"] == method {
                self.last_arrival = Some(arrival);
                return Some(message);
            }
            self.keep(arrival, message);
        }
    }

    fn keep(&mut self, arrival: Instant, message: Value) {
        if message.get("id").is_some() && message.get("method").is_some() {
            // A request from the server: answer it so it never waits.
            let id = message["id"].clone();
            self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
        } else {
            self.pending.push_back((arrival, message));
        }
    }

    fn next_message(&mut self, timeout: Duration) -> (Instant, Value) {
        match self.incoming.recv_timeout(timeout) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in {timeout:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its stdout"),
        }
    }

    pub fn initialize(&mut self, capabilities: Value) -> Value {
        let response = self.request(
            "initialize",
            json!({ "processId": std::process::id(), "rootUri": null, "capabilities": capabilities }),
        );
        self.notify("initialized", json!({}));
        response
    }

    /// Waits for the process to end (at most `timeout`); stdin stays open ([`Self::close_stdin`]).
    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for StdioClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `message` framed for sending.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body.as_bytes());
    frame
}

/// A notification framed for sending: a benchmark encodes it before it starts the clock, so
/// that the client's own encoding (of a 100 KB paste: a few tenths of a millisecond) is not
/// timed as the server's.
pub fn notification_frame(method: &str, params: Value) -> Vec<u8> {
    frame(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
}

/// Reads one `Content-Length`-framed message body into `body`; returns when its last byte was
/// read, `None` at the end of the stream.
pub fn read_frame(reader: &mut impl BufRead, body: &mut Vec<u8>) -> Option<Instant> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    body.resize(length?, 0);
    reader.read_exact(body).ok()?;
    Some(Instant::now())
}

/// Runs the server (`marginalia`, logging at `log_level`) on `frames` written all at once to
/// its stdin, which is then closed, and returns all it wrote and its exit status.
pub fn run_session(frames: &[String], log_level: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .env("MARGINALIA_LOG", log_level)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(frames.concat().as_bytes())
            .expect("the server reads stdin");
    }
    child.wait_with_output().expect("the server exits")
}

/// The server's peak resident memory so far, in MB (Linux).
pub fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A message's frame, from its JSON text.
pub fn text_frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}
