//! Shared helpers for the end-to-end tests.
//!
//! - [`Proc`]: a spawned `confidant` process whose stdout and stderr are drained by threads into
//!   buffers (so logs can be searched), killed on drop.
//! - [`Practice`]: `confidant init` in a temp dir, with the key file and the owner-token file in a
//!   *separate* temp dir.
//! - [`Server`]: `confidant serve --listen 127.0.0.1:0`, port read from stdout, `/healthz` polled.
//! - [`Api`]: a ureq agent that never turns statuses into errors and panics on any 5xx.
//! - [`scan`]: search bytes for marker strings as UTF-8, UTF-16LE and UTF-16BE.
#![allow(
    dead_code,
    unused_macros,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_confidant");

/// How long a process may take to print its first expected line (generous: CI is slow).
pub const STARTUP_DEADLINE: Duration = Duration::from_secs(60);
/// How long a process may take to exit after being asked to.
pub const EXIT_DEADLINE: Duration = Duration::from_secs(60);

/// Environment variable names the tests use to hand secrets to the CLI.
pub const PASSPHRASE_VAR: &str = "CONFIDANT_E2E_PASSPHRASE";
pub const RECOVERY_VAR: &str = "CONFIDANT_E2E_RECOVERY_CODE";

/// A passphrase that satisfies the ≥ 12 characters rule.
pub const GOOD_PASSPHRASE: &str = "correct horse battery staple";

// ---------------------------------------------------------------------------------------------
// Randomness (no `rand` dependency: uuid v4 is backed by the OS RNG).

/// `n` random lowercase hex digits (n ≤ 32).
pub fn random_hex(n: usize) -> String {
    let s = uuid::Uuid::new_v4().simple().to_string();
    s[..n.min(32)].to_string()
}

/// A random number in `0..bound`.
pub fn random_below(bound: u64) -> u64 {
    let x = uuid::Uuid::new_v4().as_u128();
    u64::try_from(x % u128::from(bound)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Processes

/// Bytes drained from a child's pipe.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
}

fn drain(
    pipe: impl Read + Send + 'static,
    buf: Captured,
    lines: Option<Sender<String>>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    buf.0.lock().unwrap().extend_from_slice(&line);
                    if let Some(tx) = &lines {
                        let text = String::from_utf8_lossy(&line).trim_end().to_string();
                        // The receiver may be gone; that is fine.
                        let _ = tx.send(text);
                    }
                }
            }
        }
    })
}

/// Everything a process wrote, once it is gone.
#[derive(Clone, Debug)]
pub struct Logs {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Logs {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// A spawned `confidant` process. Killed (SIGKILL) and reaped on drop if still running.
pub struct Proc {
    child: Child,
    label: String,
    pub stdout: Captured,
    pub stderr: Captured,
    stdout_lines: Receiver<String>,
    readers: Vec<JoinHandle<()>>,
    exit: Option<ExitStatus>,
}

impl Proc {
    /// Spawns the binary with `args`, extra `envs`, stdin closed.
    pub fn spawn(args: &[OsString], envs: &[(&str, &str)]) -> Proc {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let label = format!(
            "confidant {}",
            args.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawning `{label}`: {e}"));
        let stdout = Captured::default();
        let stderr = Captured::default();
        let (tx, rx) = mpsc::channel();
        let readers = vec![
            drain(child.stdout.take().unwrap(), stdout.clone(), Some(tx)),
            drain(child.stderr.take().unwrap(), stderr.clone(), None),
        ];
        Proc {
            child,
            label,
            stdout,
            stderr,
            stdout_lines: rx,
            readers,
            exit: None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn describe(&self) -> String {
        format!(
            "`{}`\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.label,
            self.stdout.text(),
            self.stderr.text()
        )
    }

    /// Waits for a stdout line matching `pred` and returns it. Panics (with the process output)
    /// if the process exits first or `deadline` passes.
    pub fn wait_for_stdout_line(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + STARTUP_DEADLINE;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self
                .stdout_lines
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(line) if pred(&line) => return line,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    if Instant::now() >= until {
                        panic!(
                            "no {what} line on stdout within {STARTUP_DEADLINE:?} from {}",
                            self.describe()
                        );
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.wait_exit();
                    panic!(
                        "process exited ({status}) before printing a {what} line: {}",
                        self.describe()
                    );
                }
            }
        }
    }

    /// Returns the exit status if the process has exited.
    pub fn try_exit(&mut self) -> Option<ExitStatus> {
        if self.exit.is_none() {
            self.exit = self.child.try_wait().unwrap();
        }
        self.exit
    }

    /// Waits (bounded) for the process to exit, then for its pipes to be drained.
    /// On timeout it kills the process and panics.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let until = Instant::now() + EXIT_DEADLINE;
        let status = loop {
            if let Some(s) = self.try_exit() {
                break s;
            }
            if Instant::now() >= until {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "process did not exit within {EXIT_DEADLINE:?}: {}",
                    self.describe()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        status
    }

    /// Sends SIGTERM (via `kill -TERM`, the crate forbids `unsafe`).
    pub fn sigterm(&self) {
        self.signal("TERM");
    }

    /// Sends SIGINT.
    pub fn sigint(&self) {
        self.signal("INT");
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status()
            .unwrap_or_else(|e| panic!("running kill -{sig}: {e}"))
            .success();
        assert!(ok, "kill -{sig} {} failed", self.pid());
    }

    /// SIGKILL and reap.
    pub fn kill9(&mut self) -> ExitStatus {
        let _ = self.child.kill();
        let status = self.child.wait().unwrap();
        self.exit = Some(status);
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        status
    }

    pub fn logs(&self) -> Logs {
        Logs {
            stdout: self.stdout.bytes(),
            stderr: self.stderr.bytes(),
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.try_exit().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The outcome of a CLI command that runs to completion.
#[derive(Debug)]
pub struct CliOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl CliOutput {
    /// Panics unless the command succeeded.
    pub fn assert_success(&self, what: &str) {
        assert!(
            self.status.success(),
            "{what} failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
    }

    /// Panics unless the command failed with exactly one non-empty line on stderr, and returns
    /// that line.
    pub fn assert_refused_with_one_line(&self, what: &str) -> String {
        assert!(
            !self.status.success(),
            "{what} should have failed but exited {}:\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        assert!(
            self.status.code().is_some(),
            "{what} should exit with a code, not die from a signal ({})\n--- stderr ---\n{}",
            self.status,
            self.stderr
        );
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "{what}: expected exactly one line on stderr, got {}:\n{}",
            lines.len(),
            self.stderr
        );
        lines[0].to_string()
    }
}

/// Runs the binary to completion (bounded) and captures its output.
pub fn run_cli(args: &[OsString], envs: &[(&str, &str)]) -> CliOutput {
    let mut p = Proc::spawn(args, envs);
    let status = p.wait_exit();
    CliOutput {
        status,
        stdout: p.stdout.text(),
        stderr: p.stderr.text(),
    }
}

/// Builds an argument vector from anything path- or string-like.
macro_rules! args {
    ($($a:expr),* $(,)?) => {
        ::std::vec::Vec::<::std::ffi::OsString>::from([$(::std::ffi::OsString::from($a)),*])
    };
}

// ---------------------------------------------------------------------------------------------
// Practices

/// How a server unseals the practice.
#[derive(Clone, Debug)]
pub enum Unseal {
    KeyFile(PathBuf),
    Passphrase(String),
    RecoveryCode(String),
}

impl Unseal {
    /// The CLI arguments and environment for this unseal method.
    pub fn args_and_env(&self) -> (Vec<OsString>, Vec<(&'static str, String)>) {
        match self {
            Unseal::KeyFile(p) => (args!["--key-file", p], vec![]),
            Unseal::Passphrase(s) => (
                args!["--passphrase-env", PASSPHRASE_VAR],
                vec![(PASSPHRASE_VAR, s.clone())],
            ),
            Unseal::RecoveryCode(s) => (
                args!["--recovery-code-env", RECOVERY_VAR],
                vec![(RECOVERY_VAR, s.clone())],
            ),
        }
    }
}

/// Options for `confidant init`.
#[derive(Clone, Debug, Default)]
pub struct InitOptions {
    pub key_file: bool,
    pub passphrase: Option<String>,
}

/// An initialised practice: data dir in one temp dir, secrets (key file, owner token) in another.
pub struct Practice {
    /// Parent of `data_dir` (the data dir itself is created by `init`).
    pub data_root: TempDir,
    pub data_dir: PathBuf,
    /// Holds the key file and the owner-token file; never inside `data_dir`.
    pub secrets: TempDir,
    pub key_file: Option<PathBuf>,
    pub passphrase: Option<String>,
    pub token: String,
    pub recovery_code: String,
    pub init_output: CliOutput,
}

/// Extracts the recovery code from `init`'s stdout (panics if the line is missing).
pub fn recovery_code_from(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("Recovery code:"))
        .map(|c| c.trim().to_string())
        .unwrap_or_else(|| panic!("no `Recovery code:` line in init stdout:\n{stdout}"))
}

/// True if `code` is 8 groups of 4 hex digits separated by `-`.
pub fn is_recovery_code_format(code: &str) -> bool {
    let groups: Vec<&str> = code.split('-').collect();
    groups.len() == 8
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit()))
}

impl Practice {
    /// A practice unsealed by a key file (the fast path).
    pub fn with_key_file() -> Practice {
        Practice::init(&InitOptions {
            key_file: true,
            passphrase: None,
        })
    }

    pub fn init(opts: &InitOptions) -> Practice {
        let data_root = tempfile::tempdir().unwrap();
        let secrets = tempfile::tempdir().unwrap();
        let data_dir = data_root.path().join("practice");
        let token_file = secrets.path().join("owner-token");
        let key_file = opts.key_file.then(|| secrets.path().join("practice.key"));
        let mut args = args![
            "init",
            "--data",
            &data_dir,
            "--owner-token-out",
            &token_file
        ];
        let mut envs: Vec<(&str, &str)> = vec![];
        if let Some(k) = &key_file {
            args.extend(args!["--key-file", k]);
        }
        if let Some(p) = &opts.passphrase {
            args.extend(args!["--passphrase-env", PASSPHRASE_VAR]);
            envs.push((PASSPHRASE_VAR, p));
        }
        let out = run_cli(&args, &envs);
        out.assert_success("confidant init");
        let recovery_code = recovery_code_from(&out.stdout);
        let token = std::fs::read_to_string(&token_file)
            .unwrap_or_else(|e| panic!("reading owner token file {}: {e}", token_file.display()))
            .trim()
            .to_string();
        assert!(
            token.starts_with("cfd_"),
            "owner token should start with cfd_: {token:?}"
        );
        Practice {
            data_root,
            data_dir,
            secrets,
            key_file,
            passphrase: opts.passphrase.clone(),
            token,
            recovery_code,
            init_output: out,
        }
    }

    /// The fastest available unseal method.
    pub fn unseal(&self) -> Unseal {
        match (&self.key_file, &self.passphrase) {
            (Some(k), _) => Unseal::KeyFile(k.clone()),
            (None, Some(p)) => Unseal::Passphrase(p.clone()),
            (None, None) => Unseal::RecoveryCode(self.recovery_code.clone()),
        }
    }

    /// `serve` with the fastest unseal method.
    pub fn serve(&self) -> Server {
        Server::start(&self.data_dir, &self.unseal(), &[], &[])
    }
}

// ---------------------------------------------------------------------------------------------
// Servers

/// A running `confidant serve` (or `demo`).
pub struct Server {
    pub proc: Proc,
    pub base_url: String,
}

/// Parses `Listening on http://HOST:PORT` into the base URL.
fn listening_url(line: &str) -> Option<String> {
    let url = line.trim().strip_prefix("Listening on ")?.trim();
    url.starts_with("http://")
        .then(|| url.trim_end_matches('/').to_string())
}

impl Server {
    /// `confidant serve --data DIR --listen 127.0.0.1:0 <unseal> <extra>`; waits for the
    /// `Listening on` line and a 200 from `/healthz`.
    pub fn start(
        data_dir: &Path,
        unseal: &Unseal,
        extra: &[OsString],
        extra_env: &[(&str, &str)],
    ) -> Server {
        let (unseal_args, unseal_env) = unseal.args_and_env();
        let mut args = args!["serve", "--data", data_dir, "--listen", "127.0.0.1:0"];
        args.extend(unseal_args);
        args.extend(extra.iter().cloned());
        let mut envs: Vec<(&str, &str)> =
            unseal_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        envs.extend_from_slice(extra_env);
        Server::spawn_and_wait(Proc::spawn(&args, &envs))
    }

    /// Waits for `Listening on` and `/healthz` on an already spawned process.
    pub fn spawn_and_wait(mut proc: Proc) -> Server {
        let line =
            proc.wait_for_stdout_line("`Listening on http://…`", |l| listening_url(l).is_some());
        let base_url = listening_url(&line).unwrap();
        let server = Server { proc, base_url };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&self) {
        let api = Api::new(&self.base_url, None);
        let until = Instant::now() + STARTUP_DEADLINE;
        let mut last = String::new();
        while Instant::now() < until {
            match api.try_get("/healthz") {
                Ok(r) if r.status == 200 => return,
                Ok(r) => last = format!("status {}: {}", r.status, r.body),
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "/healthz never returned 200 (last: {last}): {}",
            self.proc.describe()
        );
    }

    /// An API client authenticated with `token`.
    pub fn api(&self, token: &str) -> Api {
        Api::new(&self.base_url, Some(token))
    }

    /// An API client that sends no token.
    pub fn anonymous(&self) -> Api {
        Api::new(&self.base_url, None)
    }

    /// SIGTERM, then wait for a clean exit (status 0). Returns everything it printed.
    pub fn stop(mut self) -> Logs {
        self.proc.sigterm();
        let status = self.proc.wait_exit();
        assert!(
            status.success(),
            "serve should exit 0 after SIGTERM, got {status}: {}",
            self.proc.describe()
        );
        self.proc.logs()
    }

    /// SIGKILL. Returns everything it printed.
    pub fn kill9(mut self) -> Logs {
        self.proc.kill9();
        self.proc.logs()
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP

/// A response with its body already read.
#[derive(Clone, Debug)]
pub struct Resp {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Resp {
    /// The body as JSON; panics (with the body) if it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} {} → {}: body is not JSON ({e}): {:?}",
                self.method, self.path, self.status, self.body
            )
        })
    }

    /// Panics unless the status is `expected`.
    pub fn expect_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status, expected,
            "{} {}: expected {expected}, got {} with content-type {:?} and body {:?}",
            self.method, self.path, self.status, self.content_type, self.body
        );
        self
    }

    /// Panics unless the status is `expected` and the body is `application/json`; returns the
    /// parsed body.
    pub fn expect_json(&self, expected: u16) -> Value {
        self.expect_status(expected);
        let ct = self.content_type.to_ascii_lowercase();
        assert!(
            ct.split(';').next().map(str::trim) == Some("application/json"),
            "{} {} → {}: content-type should be application/json, got {:?}",
            self.method,
            self.path,
            self.status,
            self.content_type
        );
        self.json()
    }

    /// Why this is not an RFC 9457 problem with HTTP status `expected` (content type
    /// `application/problem+json`, a JSON object with a string `type`, a non-empty `title`,
    /// `status == expected` and a non-empty `detail`), or `None` if it is one.
    pub fn problem_mismatch(&self, expected: u16) -> Option<String> {
        let ctx = format!(
            "{} {} → {} {:?} {:?}",
            self.method, self.path, self.status, self.content_type, self.body
        );
        if self.status != expected {
            return Some(format!("{ctx}: expected status {expected}"));
        }
        let ct = self.content_type.to_ascii_lowercase();
        if ct.split(';').next().map(str::trim) != Some("application/problem+json") {
            return Some(format!(
                "{ctx}: content-type should be application/problem+json"
            ));
        }
        let Ok(v) = serde_json::from_str::<Value>(&self.body) else {
            return Some(format!("{ctx}: body is not JSON"));
        };
        if !v.is_object() {
            return Some(format!("{ctx}: problem body must be an object"));
        }
        if v["status"].as_u64() != Some(u64::from(expected)) {
            return Some(format!(
                "{ctx}: problem `status` must equal the HTTP status"
            ));
        }
        if !v["type"].is_string() {
            return Some(format!("{ctx}: problem needs a string `type`"));
        }
        if v["title"].as_str().is_none_or(|t| t.trim().is_empty()) {
            return Some(format!("{ctx}: problem needs a non-empty `title`"));
        }
        if v["detail"].as_str().is_none_or(|d| d.trim().is_empty()) {
            return Some(format!("{ctx}: problem needs a non-empty `detail`"));
        }
        None
    }

    /// Panics unless this is an RFC 9457 problem with HTTP status `expected` (see
    /// [`Resp::problem_mismatch`]); returns the problem document.
    pub fn expect_problem(&self, expected: u16) -> Value {
        if let Some(why) = self.problem_mismatch(expected) {
            panic!("{why}");
        }
        self.json()
    }
}

/// Collects every failed expectation of a table-driven test, so one run reports them all.
#[derive(Default)]
pub struct Failures(std::cell::RefCell<Vec<String>>);

impl Failures {
    /// Records a failure unless `r` is a problem with status `expected`.
    pub fn problem(&self, what: &str, r: &Resp, expected: u16) {
        if let Some(why) = r.problem_mismatch(expected) {
            self.0.borrow_mut().push(format!("[{what}] {why}"));
        }
    }

    /// Records `msg` unless `ok`.
    pub fn check(&self, ok: bool, msg: impl FnOnce() -> String) {
        if !ok {
            self.0.borrow_mut().push(msg());
        }
    }

    /// Panics listing every recorded failure.
    pub fn assert_none(&self) {
        let f = self.0.borrow();
        assert!(
            f.is_empty(),
            "{} failed expectation(s):\n{}",
            f.len(),
            f.join("\n")
        );
    }
}

/// Blocking HTTP client for the API. Never turns a status into an error; panics on any 5xx
/// (the server promises never to answer 500).
#[derive(Clone)]
pub struct Api {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

/// Largest response body the tests will read.
const MAX_RESPONSE: u64 = 64 * 1024 * 1024;

impl Api {
    pub fn new(base: &str, token: Option<&str>) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .proxy(None)
            .build()
            .into();
        Api {
            agent,
            base: base.trim_end_matches('/').to_string(),
            token: token.map(str::to_string),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The same server with another `Authorization` setup (`None` = no header).
    pub fn with_token(&self, token: Option<&str>) -> Api {
        Api::new(&self.base, token)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn finish(
        method: &str,
        path: &str,
        r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Resp, ureq::Error> {
        let mut r = r?;
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = r
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()?;
        let resp = Resp {
            method: method.to_string(),
            path: path.to_string(),
            status,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        assert!(
            resp.status < 500,
            "the server must never answer 5xx: {method} {path} → {} {:?}",
            resp.status,
            resp.body
        );
        Ok(resp)
    }

    /// GET with the configured token (if any).
    pub fn try_get(&self, path: &str) -> Result<Resp, ureq::Error> {
        let mut rb = self.agent.get(self.url(path));
        if let Some(t) = &self.token {
            rb = rb.header("Authorization", format!("Bearer {t}"));
        }
        Self::finish("GET", path, rb.call())
    }

    pub fn get(&self, path: &str) -> Resp {
        self.try_get(path)
            .unwrap_or_else(|e| panic!("GET {path}: transport error: {e}"))
    }

    /// GET with an explicit raw `Authorization` header value.
    pub fn get_with_authorization(&self, path: &str, authorization: &str) -> Resp {
        let rb = self
            .agent
            .get(self.url(path))
            .header("Authorization", authorization);
        Self::finish("GET", path, rb.call())
            .unwrap_or_else(|e| panic!("GET {path}: transport error: {e}"))
    }

    /// POST raw bytes with an optional content type.
    pub fn try_post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Resp, ureq::Error> {
        let mut rb = self.agent.post(self.url(path));
        if let Some(t) = &self.token {
            rb = rb.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            rb = rb.content_type(ct);
        }
        Self::finish("POST", path, rb.send(body))
    }

    /// POST a JSON body with `Transfer-Encoding: chunked` (no `Content-Length`), so a body
    /// limit cannot be enforced from the header alone.
    pub fn post_chunked_json(&self, path: &str, body: &[u8]) -> Resp {
        let mut rb = self.agent.post(self.url(path));
        if let Some(t) = &self.token {
            rb = rb.header("Authorization", format!("Bearer {t}"));
        }
        let reader = std::io::Cursor::new(body.to_vec());
        let r = rb
            .content_type("application/json")
            .send(ureq::SendBody::from_owned_reader(reader));
        Self::finish("POST", path, r)
            .unwrap_or_else(|e| panic!("POST {path}: transport error: {e}"))
    }

    pub fn post_raw(&self, path: &str, content_type: Option<&str>, body: &[u8]) -> Resp {
        self.try_post_raw(path, content_type, body)
            .unwrap_or_else(|e| panic!("POST {path}: transport error: {e}"))
    }

    pub fn try_post_json(&self, path: &str, body: &Value) -> Result<Resp, ureq::Error> {
        self.try_post_raw(
            path,
            Some("application/json"),
            serde_json::to_vec(body).unwrap().as_slice(),
        )
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Resp {
        self.try_post_json(path, body)
            .unwrap_or_else(|e| panic!("POST {path}: transport error: {e}"))
    }

    /// A request with an arbitrary body-less method (DELETE, PUT with empty body...).
    pub fn send_method(&self, method: &str, path: &str) -> Resp {
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let url = self.url(path);
        let r = match method {
            "DELETE" => {
                let mut rb = self.agent.delete(url);
                if let Some(a) = &auth {
                    rb = rb.header("Authorization", a);
                }
                rb.call()
            }
            "PUT" | "PATCH" => {
                let mut rb = if method == "PUT" {
                    self.agent.put(url)
                } else {
                    self.agent.patch(url)
                };
                if let Some(a) = &auth {
                    rb = rb.header("Authorization", a);
                }
                rb.content_type("application/json").send("{}")
            }
            other => panic!("send_method: unsupported method {other}"),
        };
        Self::finish(method, path, r)
            .unwrap_or_else(|e| panic!("{method} {path}: transport error: {e}"))
    }

    // --- domain helpers -------------------------------------------------------------------

    /// POST /api/v1/clients, asserting 201; returns the new id.
    pub fn create_client(&self, client: &Value) -> String {
        let r = self.post_json("/api/v1/clients", client);
        r.expect_json(201);
        created_id(&r)
    }

    pub fn get_client(&self, id: &str) -> Value {
        self.get(&format!("/api/v1/clients/{id}")).expect_json(200)
    }

    /// POST /api/v1/clients/{id}/notes, asserting 201; returns the new note id.
    pub fn create_note(&self, client_id: &str, kind: &str, body: &str) -> String {
        let r = self.post_json(
            &format!("/api/v1/clients/{client_id}/notes"),
            &json!({"kind": kind, "body": body}),
        );
        r.expect_json(201);
        created_id(&r)
    }

    pub fn get_note(&self, id: &str) -> Value {
        self.get(&format!("/api/v1/notes/{id}")).expect_json(200)
    }

    /// Every client, following `next` with the maximum page size.
    pub fn list_all_clients(&self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..10_000 {
            let path = match &after {
                None => "/api/v1/clients?limit=500".to_string(),
                Some(a) => format!("/api/v1/clients?limit=500&after={a}"),
            };
            let v = self.get(&path).expect_json(200);
            let page = v["clients"]
                .as_array()
                .unwrap_or_else(|| panic!("GET {path}: no `clients` array in {v}"));
            all.extend(page.iter().cloned());
            match &v["next"] {
                Value::Null => return all,
                Value::String(n) => after = Some(n.clone()),
                other => panic!("GET {path}: `next` must be null or a string, got {other}"),
            }
        }
        panic!("client pagination never ended");
    }

    /// `GET /api/v1/clients/{id}/notes`, asserting 200; the `notes` array.
    pub fn notes_of(&self, client_id: &str) -> Vec<Value> {
        let path = format!("/api/v1/clients/{client_id}/notes");
        let v = self.get(&path).expect_json(200);
        v["notes"]
            .as_array()
            .unwrap_or_else(|| panic!("GET {path}: no `notes` array in {v}"))
            .clone()
    }

    /// The ids of a client's notes, sorted.
    pub fn note_ids_of(&self, client_id: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .notes_of(client_id)
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    }

    /// The ids of every client, sorted.
    pub fn client_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .list_all_clients()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    }
}

/// The `id` of a 201 response, checked to be a UUID.
pub fn created_id(r: &Resp) -> String {
    let v = r.json();
    let id = v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{} {}: no string `id` in {v}", r.method, r.path))
        .to_string();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "{} {}: id {id:?} is not a UUID",
        r.method,
        r.path
    );
    id
}

/// A plain, valid client with no markers.
pub fn sample_client(legal_name: &str) -> Value {
    json!({
        "legal_name": legal_name,
        "date_of_birth": "1984-06-02",
    })
}

// ---------------------------------------------------------------------------------------------
// Files

/// Every regular file under `dir`, recursively (symlinks are not followed).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("reading dir {}: {e}", d.display()),
        };
        for entry in entries {
            let entry = entry.unwrap();
            let ft = entry.file_type().unwrap();
            if ft.is_dir() {
                stack.push(entry.path());
            } else if ft.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

/// Every entry (files, dirs, symlinks) under `dir` mapped to its content (files) or a tag.
/// Used to prove a failed command changed nothing.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(dir).unwrap().to_path_buf();
            let ft = entry.file_type().unwrap();
            if ft.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                stack.push(path);
            } else if ft.is_file() {
                out.insert(rel, std::fs::read(&path).unwrap());
            } else {
                out.insert(rel, b"<other>".to_vec());
            }
        }
    }
    out
}

/// Describes how two snapshots differ (empty if equal).
pub fn snapshot_diff(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> String {
    let mut s = String::new();
    for (p, b) in before {
        match after.get(p) {
            None => writeln!(s, "removed: {}", p.display()).unwrap(),
            Some(a) if a != b => writeln!(
                s,
                "changed: {} ({} → {} bytes)",
                p.display(),
                b.len(),
                a.len()
            )
            .unwrap(),
            Some(_) => {}
        }
    }
    for (p, a) in after {
        if !before.contains_key(p) {
            writeln!(s, "added: {} ({} bytes)", p.display(), a.len()).unwrap();
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Scanning for markers

/// One occurrence of a marker.
#[derive(Debug)]
pub struct Hit {
    pub marker: String,
    pub encoding: &'static str,
    pub place: String,
    pub offset: usize,
    pub context: String,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} ({}) in {} at byte {}: …{}…",
            self.marker, self.encoding, self.place, self.offset, self.context
        )
    }
}

pub fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

/// Searches `haystack` for every marker as UTF-8, UTF-16LE and UTF-16BE, ignoring ASCII case.
pub fn scan(place: &str, haystack: &[u8], markers: &[String]) -> Vec<Hit> {
    let hay = haystack.to_ascii_lowercase();
    let mut needles: Vec<(usize, &'static str, Vec<u8>)> = Vec::new();
    for (i, m) in markers.iter().enumerate() {
        let m = m.to_ascii_lowercase();
        assert!(m.len() >= 2, "markers must be at least 2 bytes");
        needles.push((i, "UTF-8", m.as_bytes().to_vec()));
        needles.push((i, "UTF-16LE", utf16(&m, false)));
        needles.push((i, "UTF-16BE", utf16(&m, true)));
    }
    // One pass: a table of the first two bytes of every needle filters positions cheaply.
    let mut first2 = vec![false; 1 << 16];
    for (_, _, n) in &needles {
        first2[(usize::from(n[0]) << 8) | usize::from(n[1])] = true;
    }
    let mut hits = Vec::new();
    if hay.len() < 2 {
        return hits;
    }
    for pos in 0..hay.len() - 1 {
        if !first2[(usize::from(hay[pos]) << 8) | usize::from(hay[pos + 1])] {
            continue;
        }
        for (i, enc, n) in &needles {
            if hay[pos..].starts_with(n) {
                let lo = pos.saturating_sub(24);
                let hi = (pos + n.len() + 24).min(hay.len());
                hits.push(Hit {
                    marker: markers[*i].clone(),
                    encoding: enc,
                    place: place.to_string(),
                    offset: pos,
                    context: String::from_utf8_lossy(&haystack[lo..hi])
                        .escape_debug()
                        .to_string(),
                });
            }
        }
    }
    hits
}

/// Scans every file under `dir` (recursively).
pub fn scan_dir(dir: &Path, markers: &[String]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for f in files_under(dir) {
        let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display()));
        hits.extend(scan(&f.display().to_string(), &bytes, markers));
    }
    hits
}

/// Panics listing every hit (markers are synthetic, fine to print).
pub fn assert_no_hits(what: &str, hits: &[Hit]) {
    if hits.is_empty() {
        return;
    }
    let mut msg = format!("{what}: {} plaintext occurrence(s) found:\n", hits.len());
    for h in hits.iter().take(50) {
        writeln!(msg, "  {h}").unwrap();
    }
    if hits.len() > 50 {
        writeln!(msg, "  … and {} more", hits.len() - 50).unwrap();
    }
    panic!("{msg}");
}

// ---------------------------------------------------------------------------------------------
// People: staff accounts, sign-in with a password and TOTP, sessions with CSRF, any credential.
// (Used by tests/people*.rs.)

/// Decodes RFC 4648 base32 (upper or lower case, padding optional); panics on other characters.
pub fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET
            .iter()
            .position(|&a| a == c.to_ascii_uppercase())
            .unwrap_or_else(|| panic!("{:?} is not a base32 character", char::from(c)));
        buffer = (buffer << 5) | u32::try_from(value).unwrap();
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from(buffer >> bits).unwrap());
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A response with its headers.
#[derive(Clone, Debug)]
pub struct Reply {
    pub resp: Resp,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers_named(name).into_iter().next()
    }

    /// Every value of header `name`.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// One request with arbitrary headers and an optional JSON body; panics on a transport error
/// or a 5xx, like [`Api`].
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&Value>,
) -> Reply {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .proxy(None)
        .build()
        .into();
    let url = format!("{}{path}", base.trim_end_matches('/'));
    let result = match method {
        "GET" | "DELETE" => {
            assert!(body.is_none(), "{method} {path}: no body allowed here");
            let mut rb = if method == "GET" {
                agent.get(&url)
            } else {
                agent.delete(&url)
            };
            for (k, v) in headers {
                rb = rb.header(k, v);
            }
            rb.call()
        }
        "POST" | "PUT" => {
            let mut rb = if method == "POST" {
                agent.post(&url)
            } else {
                agent.put(&url)
            };
            for (k, v) in headers {
                rb = rb.header(k, v);
            }
            match body {
                Some(b) => rb
                    .content_type("application/json")
                    .send(serde_json::to_vec(b).unwrap().as_slice()),
                None => rb.send_empty(),
            }
        }
        other => panic!("http: unsupported method {other}"),
    };
    let mut r = result.unwrap_or_else(|e| panic!("{method} {path}: transport error: {e}"));
    let headers: Vec<(String, String)> = r
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let bytes = r
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE)
        .read_to_vec()
        .unwrap_or_else(|e| panic!("{method} {path}: reading the body: {e}"));
    let content_type = headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let resp = Resp {
        method: method.to_string(),
        path: path.to_string(),
        status: r.status().as_u16(),
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    assert!(
        resp.status < 500,
        "the server must never answer 5xx: {method} {path} → {} {:?}",
        resp.status,
        resp.body
    );
    Reply { resp, headers }
}

/// How a [`Caller`] proves who it is.
#[derive(Clone, Debug)]
pub enum Credential {
    Anonymous,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Cookie: <NAME=VALUE>`, as the server set it.
    Session {
        cookie: String,
    },
}

/// Someone calling the API: a credential, the `X-CSRF-Token` to send with changes (sessions),
/// and an optional `Confidant-Purpose`.
#[derive(Clone, Debug)]
pub struct Caller {
    pub base: String,
    pub credential: Credential,
    /// Sent as `X-CSRF-Token` on every non-GET request.
    pub csrf: Option<String>,
    pub purpose: Option<String>,
}

impl Caller {
    pub fn anonymous(base: &str) -> Caller {
        Caller {
            base: base.to_string(),
            credential: Credential::Anonymous,
            csrf: None,
            purpose: None,
        }
    }

    pub fn bearer(base: &str, token: &str) -> Caller {
        Caller {
            credential: Credential::Bearer(token.to_string()),
            ..Caller::anonymous(base)
        }
    }

    /// A session: `cookie` is `NAME=VALUE`.
    pub fn session(base: &str, cookie: &str, csrf: &str) -> Caller {
        Caller {
            credential: Credential::Session {
                cookie: cookie.to_string(),
            },
            csrf: Some(csrf.to_string()),
            ..Caller::anonymous(base)
        }
    }

    /// The same caller, naming a purpose of use.
    pub fn for_purpose(&self, purpose: &str) -> Caller {
        Caller {
            purpose: Some(purpose.to_string()),
            ..self.clone()
        }
    }

    /// The same caller sending no CSRF token.
    pub fn without_csrf(&self) -> Caller {
        Caller {
            csrf: None,
            ..self.clone()
        }
    }

    /// The same caller sending `csrf` as its CSRF token.
    pub fn with_csrf(&self, csrf: &str) -> Caller {
        Caller {
            csrf: Some(csrf.to_string()),
            ..self.clone()
        }
    }

    fn headers(&self, method: &str) -> Vec<(String, String)> {
        let mut h = Vec::new();
        match &self.credential {
            Credential::Anonymous => {}
            Credential::Bearer(t) => h.push(("Authorization".into(), format!("Bearer {t}"))),
            Credential::Session { cookie } => h.push(("Cookie".into(), cookie.clone())),
        }
        if method != "GET"
            && let Some(c) = &self.csrf
        {
            h.push(("X-CSRF-Token".into(), c.clone()));
        }
        if let Some(p) = &self.purpose {
            h.push(("Confidant-Purpose".into(), p.clone()));
        }
        h
    }

    pub fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        http(&self.base, method, path, &self.headers(method), body)
    }

    pub fn get(&self, path: &str) -> Resp {
        self.send("GET", path, None).resp
    }

    pub fn post(&self, path: &str, body: &Value) -> Resp {
        self.send("POST", path, Some(body)).resp
    }

    pub fn post_empty(&self, path: &str) -> Resp {
        self.send("POST", path, None).resp
    }

    pub fn put(&self, path: &str, body: &Value) -> Resp {
        self.send("PUT", path, Some(body)).resp
    }

    pub fn delete(&self, path: &str) -> Resp {
        self.send("DELETE", path, None).resp
    }

    /// `GET /api/v1/auth/whoami`, asserting 200.
    pub fn whoami(&self) -> Value {
        self.get("/api/v1/auth/whoami").expect_json(200)
    }

    /// Adds a client, asserting 201; returns the id.
    pub fn create_client(&self, legal_name: &str) -> String {
        let r = self.post("/api/v1/clients", &sample_client(legal_name));
        r.expect_json(201);
        created_id(&r)
    }

    /// Writes a note, asserting 201; returns the id.
    pub fn create_note(&self, client: &str, kind: &str, body: &str) -> String {
        let r = self.post(
            &format!("/api/v1/clients/{client}/notes"),
            &json!({"kind": kind, "body": body}),
        );
        r.expect_json(201);
        created_id(&r)
    }

    /// The ids of the clients this caller may list (one page of up to 500), sorted.
    pub fn listed_client_ids(&self) -> Vec<String> {
        let v = self.get("/api/v1/clients?limit=500").expect_json(200);
        let mut ids: Vec<String> = v["clients"]
            .as_array()
            .unwrap_or_else(|| panic!("no `clients` array in {v}"))
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    }

    /// The ids of the notes this caller may list in a client's record (asserting 200).
    pub fn listed_note_ids(&self, client: &str) -> Vec<String> {
        let v = self
            .get(&format!("/api/v1/clients/{client}/notes"))
            .expect_json(200);
        v["notes"]
            .as_array()
            .unwrap_or_else(|| panic!("no `notes` array in {v}"))
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    }

    /// Issues a personal API token with `scope`, asserting 201; returns the token text.
    pub fn create_token(&self, label: &str, scope: &str) -> String {
        let v = self
            .post("/api/v1/tokens", &json!({"label": label, "scope": scope}))
            .expect_json(201);
        v["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {v}"))
            .to_string()
    }

    /// Audit events (the `event` objects) matching `query` (e.g. `action=auth.fail`), up to
    /// 1000, asserting 200.
    pub fn audit_events(&self, query: &str) -> Vec<Value> {
        let sep = if query.is_empty() { "" } else { "&" };
        let v = self
            .get(&format!("/api/v1/audit?limit=1000{sep}{query}"))
            .expect_json(200);
        v["events"]
            .as_array()
            .unwrap_or_else(|| panic!("no `events` array in {v}"))
            .iter()
            .map(|e| e["event"].clone())
            .collect()
    }
}

/// A staff member the test invited, with every secret they were given or chose.
#[derive(Debug)]
pub struct Staff {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub invitation_token: String,
    pub password: std::cell::RefCell<String>,
    /// The TOTP secret in base32, once enrolled.
    pub totp_secret: std::cell::RefCell<Option<String>>,
    /// The last TOTP time step this test used for the account (the server refuses it and older).
    last_step: std::cell::Cell<Option<u64>>,
    /// Every TOTP code the test sent, in order.
    pub codes_used: std::cell::RefCell<Vec<String>>,
    /// Recovery codes not used yet.
    pub recovery_codes: std::cell::RefCell<Vec<String>>,
}

/// A fresh password that passes the rules and shares nothing with names or e-mails made here.
pub fn fresh_password() -> String {
    format!("amber-{}-violin-{}", random_hex(8), random_hex(8))
}

/// The TOTP code of `secret_base32` for the step `step`.
pub fn totp_code(secret_base32: &str, step: u64) -> String {
    use confidant_core::auth::totp::{Params, TotpSecret, code_at};
    let secret = TotpSecret::from_bytes(&base32_decode(secret_base32)).unwrap();
    code_at(
        &secret,
        step * Params::CONFIDANT.step_seconds(),
        Params::CONFIDANT,
    )
}

impl Staff {
    pub fn password(&self) -> String {
        self.password.borrow().clone()
    }

    /// A code the server will take now: for a step after the last one used, within the one
    /// step of skew either side it allows (the step before now only well inside the current
    /// one, so a step boundary cannot push it out of the window). Waits if all are used.
    pub fn next_totp_code(&self) -> String {
        let secret = self
            .totp_secret
            .borrow()
            .clone()
            .unwrap_or_else(|| panic!("{} has not enrolled TOTP", self.email));
        loop {
            let now = unix_now();
            let step = now / 30;
            let lowest = if now % 30 < 24 { step - 1 } else { step };
            let candidate = self.last_step.get().map_or(lowest, |l| lowest.max(l + 1));
            if candidate <= step + 1 {
                self.last_step.set(Some(candidate));
                let code = totp_code(&secret, candidate);
                self.codes_used.borrow_mut().push(code.clone());
                return code;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Takes one unused recovery code.
    pub fn take_recovery_code(&self) -> String {
        self.recovery_codes
            .borrow_mut()
            .pop()
            .unwrap_or_else(|| panic!("{} has no recovery codes left", self.email))
    }
}

/// `POST /api/v1/staff` as `owner`, asserting 201. The account is not yet activated.
pub fn invite(owner: &Caller, role: &str) -> Staff {
    let tag = random_hex(8);
    let email = format!("{}.{tag}@example.org", role.replace('_', "-"));
    let display_name = format!("Robin Tester {tag}");
    let v = owner
        .post(
            "/api/v1/staff",
            &json!({"email": email, "display_name": display_name, "role": role}),
        )
        .expect_json(201);
    let id = v["id"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "staff id {id:?}");
    Staff {
        id,
        email,
        display_name,
        role: role.to_string(),
        invitation_token: v["invitation_token"].as_str().unwrap().to_string(),
        password: std::cell::RefCell::new(fresh_password()),
        totp_secret: std::cell::RefCell::new(None),
        last_step: std::cell::Cell::new(None),
        codes_used: std::cell::RefCell::new(Vec::new()),
        recovery_codes: std::cell::RefCell::new(Vec::new()),
    }
}

/// `POST /api/v1/invitations/accept` (no credential needed).
pub fn accept_invitation(base: &str, token: &str, password: &str) -> Resp {
    Caller::anonymous(base).post(
        "/api/v1/invitations/accept",
        &json!({"token": token, "password": password}),
    )
}

/// Invites and activates a staff member with a fresh password.
pub fn hire(owner: &Caller, role: &str) -> Staff {
    let staff = invite(owner, role);
    let r = accept_invitation(&owner.base, &staff.invitation_token, &staff.password());
    r.expect_json(201);
    assert_eq!(created_id(&r), staff.id, "accepting returns the account id");
    staff
}

/// A completed sign-in, with everything the server handed out.
#[derive(Debug)]
pub struct SignIn {
    pub caller: Caller,
    /// The whole `Set-Cookie` header.
    pub set_cookie: String,
    /// `NAME=VALUE` of the session cookie.
    pub cookie: String,
    pub csrf: String,
    pub challenge: String,
    /// The `POST /api/v1/auth/login` answer.
    pub login: Value,
    /// Recovery codes, on enrolment.
    pub recovery_codes: Option<Vec<String>>,
}

impl SignIn {
    /// The session cookie's value.
    pub fn cookie_value(&self) -> &str {
        self.cookie.split_once('=').unwrap().1
    }
}

/// `POST /api/v1/auth/login`.
pub fn begin_login(base: &str, email: &str, password: &str) -> Reply {
    Caller::anonymous(base).send(
        "POST",
        "/api/v1/auth/login",
        Some(&json!({"email": email, "password": password})),
    )
}

/// `POST /api/v1/auth/login/verify` with a TOTP code.
pub fn verify_code(base: &str, challenge: &str, code: &str) -> Reply {
    Caller::anonymous(base).send(
        "POST",
        "/api/v1/auth/login/verify",
        Some(&json!({"challenge": challenge, "code": code})),
    )
}

/// `POST /api/v1/auth/login/verify` with a recovery code.
pub fn verify_recovery_code(base: &str, challenge: &str, code: &str) -> Reply {
    Caller::anonymous(base).send(
        "POST",
        "/api/v1/auth/login/verify",
        Some(&json!({"challenge": challenge, "recovery_code": code})),
    )
}

/// The password step, asserting 200; enrols the TOTP secret when the server offers one.
/// Returns the challenge.
pub fn password_step(base: &str, staff: &Staff) -> (String, Value) {
    let login = begin_login(base, &staff.email, &staff.password())
        .resp
        .expect_json(200);
    let challenge = login["challenge"].as_str().unwrap().to_string();
    match login["step"].as_str() {
        Some("enroll") => {
            let secret = login["secret"].as_str().unwrap().to_string();
            assert!(
                login["otpauth_uri"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("otpauth://totp/") && u.contains(&secret)),
                "enrolment offers an otpauth URI with the secret: {login}"
            );
            *staff.totp_secret.borrow_mut() = Some(secret);
            staff.last_step.set(None);
        }
        Some("totp") => assert!(
            staff.totp_secret.borrow().is_some(),
            "the server asks {} for a code but the test never enrolled them",
            staff.email
        ),
        _ => panic!("unexpected login step: {login}"),
    }
    (challenge, login)
}

/// Turns a 200 from the verify step into a [`SignIn`].
pub fn finish_sign_in(
    base: &str,
    staff: &Staff,
    challenge: String,
    login: Value,
    reply: &Reply,
) -> SignIn {
    let v = reply.resp.expect_json(200);
    let csrf = v["csrf_token"].as_str().unwrap().to_string();
    let set_cookie = reply
        .header("set-cookie")
        .unwrap_or_else(|| panic!("no Set-Cookie after sign-in: {:?}", reply.headers))
        .to_string();
    let cookie = set_cookie.split(';').next().unwrap().trim().to_string();
    let recovery_codes = v["recovery_codes"].as_array().map(|codes| {
        codes
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    });
    if let Some(codes) = &recovery_codes {
        *staff.recovery_codes.borrow_mut() = codes.clone();
    }
    SignIn {
        caller: Caller::session(base, &cookie, &csrf),
        set_cookie,
        cookie,
        csrf,
        challenge,
        login,
        recovery_codes,
    }
}

/// Signs in with the password and a TOTP code (enrolling at first sign-in), asserting success.
pub fn sign_in_full(base: &str, staff: &Staff) -> SignIn {
    let (challenge, login) = password_step(base, staff);
    let reply = verify_code(base, &challenge, &staff.next_totp_code());
    finish_sign_in(base, staff, challenge, login, &reply)
}

/// Signs in, asserting success; the session as a [`Caller`].
pub fn sign_in(base: &str, staff: &Staff) -> Caller {
    sign_in_full(base, staff).caller
}

/// Signs in with the password and one of the account's recovery codes.
pub fn sign_in_with_recovery_code(base: &str, staff: &Staff) -> SignIn {
    let (challenge, login) = password_step(base, staff);
    assert_eq!(
        login["step"], "totp",
        "recovery codes exist only after enrolment"
    );
    let reply = verify_recovery_code(base, &challenge, &staff.take_recovery_code());
    finish_sign_in(base, staff, challenge, login, &reply)
}

/// Simulates time passing for one account's invitations: sets their `expires_at` to 0 in
/// the live database (the server keeps running).
pub fn expire_invitations_of(data_dir: &Path, user: &str) {
    let db = rusqlite::Connection::open(data_dir.join("confidant.db")).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let id = uuid::Uuid::parse_str(user).unwrap();
    let changed = db
        .execute(
            "UPDATE invitations SET expires_at = 0 WHERE user = ?1",
            [id.as_bytes().as_slice()],
        )
        .unwrap();
    assert_eq!(changed, 1, "one invitation row for {user}");
}

/// Every occurrence of the raw bytes `needle` under `dir` (for secrets that are not text).
pub fn scan_dir_bytes(dir: &Path, what: &str, needle: &[u8]) -> Vec<Hit> {
    assert!(
        needle.len() >= 8,
        "byte needles must be long enough to be unique"
    );
    let mut hits = Vec::new();
    for f in files_under(dir) {
        let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display()));
        for (offset, w) in bytes.windows(needle.len()).enumerate() {
            if w == needle {
                hits.push(Hit {
                    marker: what.to_string(),
                    encoding: "raw bytes",
                    place: f.display().to_string(),
                    offset,
                    context: String::new(),
                });
            }
        }
    }
    hits
}

/// Like [`scan`] for short all-digit markers (TOTP codes): a hit inside a longer run of digits
/// (a timestamp, a sequence number) is not one.
pub fn scan_digits(place: &str, haystack: &[u8], codes: &[String]) -> Vec<Hit> {
    let digit_at = |i: Option<usize>| {
        i.and_then(|i| haystack.get(i))
            .is_some_and(u8::is_ascii_digit)
    };
    scan(place, haystack, codes)
        .into_iter()
        .filter(|h| {
            let n = h.marker.len();
            let (before, after) = match h.encoding {
                "UTF-8" => (h.offset.checked_sub(1), Some(h.offset + n)),
                "UTF-16LE" => (h.offset.checked_sub(2), Some(h.offset + 2 * n)),
                _ => (h.offset.checked_sub(1), Some(h.offset + 2 * n + 1)),
            };
            !digit_at(before) && !digit_at(after)
        })
        .collect()
}

/// RFC 3339 (UTC, whole seconds) for a Unix time; days to a civil date by H. Hinnant's
/// algorithm.
pub fn rfc3339_at(unix_secs: i64) -> String {
    let (days, s) = (unix_secs.div_euclid(86_400), unix_secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// A practice with a key file, its server, and the owner's API token as a caller. Bound as
/// `let (practice, server, owner) = start();` they drop caller, server, then directories.
pub fn start() -> (Practice, Server, Caller) {
    let practice = Practice::with_key_file();
    let server = practice.serve();
    let owner = Caller::bearer(&server.base_url, &practice.token);
    (practice, server, owner)
}
