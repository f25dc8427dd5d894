//! The `confidant` command line: `init` refuses what it must refuse without leaving anything
//! behind, `serve` unseals with each method and refuses a wrong secret with one clear line and no
//! change to the data directory, and `demo` serves a usable fictional practice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{
    GOOD_PASSPHRASE, InitOptions, PASSPHRASE_VAR, Practice, Proc, Server, Unseal, run_cli,
    sample_client, snapshot, snapshot_diff,
};

/// A data dir path (not created) and a separate secrets dir (created), in fresh temp dirs.
struct Paths {
    _root: tempfile::TempDir,
    _secrets_root: tempfile::TempDir,
    data: PathBuf,
    key: PathBuf,
    token: PathBuf,
}

fn paths() -> Paths {
    let root = tempfile::tempdir().unwrap();
    let secrets_root = tempfile::tempdir().unwrap();
    Paths {
        data: root.path().join("practice"),
        key: secrets_root.path().join("practice.key"),
        token: secrets_root.path().join("owner-token"),
        _root: root,
        _secrets_root: secrets_root,
    }
}

fn init_args(data: &Path, key: Option<&Path>, passphrase: bool, token: &Path) -> Vec<OsString> {
    let mut a = args!["init", "--data", data, "--owner-token-out", token];
    if let Some(k) = key {
        a.extend(args!["--key-file", k]);
    }
    if passphrase {
        a.extend(args!["--passphrase-env", PASSPHRASE_VAR]);
    }
    a
}

/// Panics unless `dir` is absent or an empty directory.
fn assert_absent_or_empty(dir: &Path, what: &str) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let names: Vec<_> = entries.map(|e| e.unwrap().file_name()).collect();
        assert!(
            names.is_empty(),
            "{what}: {} should be absent or empty, holds {names:?}",
            dir.display()
        );
    }
}

fn assert_absent(path: &Path, what: &str) {
    assert!(
        !path.exists(),
        "{what}: {} should not have been created",
        path.display()
    );
}

#[test]
fn init_refuses_a_non_empty_data_dir_and_leaves_it_untouched() {
    let p = paths();
    std::fs::create_dir(&p.data).unwrap();
    std::fs::write(p.data.join("notes-from-last-year.txt"), b"precious").unwrap();
    let before = snapshot(&p.data);

    let out = run_cli(&init_args(&p.data, Some(&p.key), false, &p.token), &[]);
    out.assert_refused_with_one_line("init into a non-empty dir");

    assert_eq!(
        snapshot_diff(&before, &snapshot(&p.data)),
        "",
        "data dir changed"
    );
    assert_absent(&p.key, "refused init");
    assert_absent(&p.token, "refused init");
}

#[test]
fn init_refuses_a_key_file_inside_the_data_dir() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("practice");
    let other = root.path().join("elsewhere");
    std::fs::create_dir(&other).unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let token = secrets.path().join("owner-token");
    for key in [
        data.join("practice.key"),
        data.join("keys").join("practice.key"),
        // Inside once `..` is resolved.
        other.join("..").join("practice").join("practice.key"),
    ] {
        let out = run_cli(&init_args(&data, Some(&key), false, &token), &[]);
        out.assert_refused_with_one_line(&format!("init with key file {}", key.display()));
        assert_absent_or_empty(&data, "refused init");
        assert_absent(&token, "refused init");
    }
    // The same check when the data dir already exists (empty).
    std::fs::create_dir(&data).unwrap();
    let out = run_cli(
        &init_args(&data, Some(&data.join("practice.key")), false, &token),
        &[],
    );
    out.assert_refused_with_one_line("init with key file inside an existing data dir");
    assert_absent_or_empty(&data, "refused init");
    assert_absent(&token, "refused init");
}

#[test]
fn init_requires_at_least_one_unseal_method() {
    let p = paths();
    let out = run_cli(&init_args(&p.data, None, false, &p.token), &[]);
    assert!(
        !out.status.success() && out.status.code().is_some(),
        "init without --key-file or --passphrase-env should fail, got {}: {}",
        out.status,
        out.stdout
    );
    assert!(
        !out.stderr.trim().is_empty(),
        "init should say why it failed"
    );
    assert_absent_or_empty(&p.data, "refused init");
    assert_absent(&p.token, "refused init");
}

#[test]
fn init_refuses_a_passphrase_shorter_than_12_characters_or_unset() {
    let p = paths();
    // 11 characters; the second is 11 characters but 22 bytes (a byte count would pass it).
    for short in ["short pass1", "ñññññññññññ"] {
        let out = run_cli(
            &init_args(&p.data, None, true, &p.token),
            &[(PASSPHRASE_VAR, short)],
        );
        out.assert_refused_with_one_line(&format!("init with passphrase {short:?}"));
        assert_absent_or_empty(&p.data, "refused init");
        assert_absent(&p.token, "refused init");
    }
    // The variable named by --passphrase-env is not set at all.
    let out = run_cli(
        &args![
            "init",
            "--data",
            &p.data,
            "--owner-token-out",
            &p.token,
            "--passphrase-env",
            "CONFIDANT_E2E_SURELY_UNSET_VARIABLE"
        ],
        &[],
    );
    out.assert_refused_with_one_line("init with an unset passphrase variable");
    assert_absent_or_empty(&p.data, "refused init");
    assert_absent(&p.token, "refused init");
}

#[test]
fn init_prints_a_recovery_code_and_writes_a_0600_key_file_and_the_owner_token() {
    let a = Practice::with_key_file();
    let code = &a.recovery_code;
    assert!(
        common::is_recovery_code_format(code),
        "recovery code should be 8 groups of 4 hex digits, got {code:?}"
    );
    assert_eq!(
        a.init_output
            .stdout
            .lines()
            .filter(|l| l.contains("Recovery code:"))
            .count(),
        1,
        "exactly one recovery code line expected:\n{}",
        a.init_output.stdout
    );
    assert!(
        a.token.starts_with("cfd_") && a.token.len() > 20,
        "token {:?}",
        a.token
    );
    let key = a.key_file.as_ref().unwrap();
    let mode = std::fs::metadata(key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "key file mode is {mode:o}");
    // The secrets are not on stderr, and the token is not on stdout either (it goes to the file).
    assert!(
        !a.init_output.stdout.contains(&a.token),
        "token printed on stdout"
    );
    assert!(
        !a.init_output.stderr.contains(&a.token),
        "token printed on stderr"
    );
    assert!(
        !a.init_output.stderr.contains(code.as_str()),
        "recovery code on stderr"
    );

    // Every practice gets its own secrets.
    let b = Practice::with_key_file();
    assert_ne!(
        a.recovery_code, b.recovery_code,
        "two inits printed the same recovery code"
    );
    assert_ne!(a.token, b.token, "two inits wrote the same owner token");
    assert_ne!(
        std::fs::read(key).unwrap(),
        std::fs::read(b.key_file.as_ref().unwrap()).unwrap(),
        "two inits created the same key"
    );
}

/// Panics unless `path` has no group or other permission bits.
fn assert_owner_only(path: &Path) {
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode & 0o077,
        0,
        "{} is mode {mode:o}: group or others can access it",
        path.display()
    );
}

#[test]
fn the_data_dir_its_files_and_the_owner_token_are_private_to_the_owner() {
    let practice = Practice::with_key_file();
    assert_owner_only(&practice.secrets.path().join("owner-token"));
    assert_owner_only(&practice.data_dir);
    let server = practice.serve();
    let api = server.api(&practice.token);
    let id = api.create_client(&sample_client("Private Client"));
    api.create_note(&id, "progress", "private note");
    // While serving (WAL, shared memory and the like exist now) and after.
    let check = || {
        for f in common::files_under(&practice.data_dir) {
            assert_owner_only(&f);
        }
    };
    check();
    server.stop();
    check();
}

#[test]
fn init_refuses_to_overwrite_an_existing_owner_token_file() {
    let p = paths();
    std::fs::write(&p.token, b"someone else's token\n").unwrap();
    let out = run_cli(&init_args(&p.data, Some(&p.key), false, &p.token), &[]);
    out.assert_refused_with_one_line("init with an existing token file");
    assert_eq!(std::fs::read(&p.token).unwrap(), b"someone else's token\n");
    assert_absent_or_empty(&p.data, "refused init");
    assert_absent(&p.key, "refused init");
}

#[test]
fn init_reuses_a_valid_key_file_and_refuses_an_invalid_one() {
    // A second practice sealed with the first practice's existing key file.
    let first = Practice::with_key_file();
    let key = first.key_file.clone().unwrap();
    let key_before = std::fs::read(&key).unwrap();
    let p = paths();
    let out = run_cli(&init_args(&p.data, Some(&key), false, &p.token), &[]);
    out.assert_success("init with an existing valid key file");
    assert_eq!(
        std::fs::read(&key).unwrap(),
        key_before,
        "init rewrote an existing key file"
    );
    let token = std::fs::read_to_string(&p.token)
        .unwrap()
        .trim()
        .to_string();
    let server = Server::start(&p.data, &Unseal::KeyFile(key), &[], &[]);
    server.api(&token).get("/api/v1/clients").expect_status(200);
    server.stop();

    // A file that is not a key file.
    let q = paths();
    std::fs::write(&q.key, b"this is not a key file\n").unwrap();
    let out = run_cli(&init_args(&q.data, Some(&q.key), false, &q.token), &[]);
    out.assert_refused_with_one_line("init with an invalid key file");
    assert_eq!(std::fs::read(&q.key).unwrap(), b"this is not a key file\n");
    assert_absent_or_empty(&q.data, "refused init");
    assert_absent(&q.token, "refused init");
}

/// Runs `serve` expecting a refusal; checks one stderr line, no `Listening` line, and that the
/// data dir is byte-identical afterwards.
fn assert_serve_refused(practice: &Practice, unseal: &Unseal, what: &str) {
    let before = snapshot(&practice.data_dir);
    assert!(!before.is_empty(), "test setup: empty data dir");
    let (unseal_args, env) = unseal.args_and_env();
    let mut a = args![
        "serve",
        "--data",
        &practice.data_dir,
        "--listen",
        "127.0.0.1:0"
    ];
    a.extend(unseal_args);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = run_cli(&a, &env);
    out.assert_refused_with_one_line(what);
    assert!(
        !out.stdout.contains("Listening on"),
        "{what}: serve said it was listening:\n{}",
        out.stdout
    );
    let diff = snapshot_diff(&before, &snapshot(&practice.data_dir));
    assert!(diff.is_empty(), "{what}: the data dir changed:\n{diff}");
}

/// A practice with a key file and a passphrase, holding one client, server stopped.
fn practice_with_data() -> Practice {
    let practice = Practice::init(&InitOptions {
        key_file: true,
        passphrase: Some(GOOD_PASSPHRASE.to_string()),
    });
    let server = practice.serve();
    server
        .api(&practice.token)
        .create_client(&sample_client("Existing Client"));
    server.stop();
    practice
}

#[test]
fn serve_with_a_wrong_passphrase_exits_with_one_line_and_changes_nothing() {
    let practice = practice_with_data();
    assert_serve_refused(
        &practice,
        &Unseal::Passphrase("correct horse battery stapler".to_string()),
        "serve with a wrong passphrase",
    );
}

#[test]
fn serve_with_a_wrong_key_file_or_recovery_code_exits_with_one_line_and_changes_nothing() {
    let practice = practice_with_data();
    let other = Practice::with_key_file();
    assert_serve_refused(
        &practice,
        &Unseal::KeyFile(other.key_file.clone().unwrap()),
        "serve with another practice's key file",
    );
    let missing = practice.secrets.path().join("no-such.key");
    assert_serve_refused(
        &practice,
        &Unseal::KeyFile(missing),
        "serve with a missing key file",
    );
    assert_serve_refused(
        &practice,
        &Unseal::RecoveryCode(other.recovery_code.clone()),
        "serve with another practice's recovery code",
    );
    assert_serve_refused(
        &practice,
        &Unseal::RecoveryCode("not-a-recovery-code".to_string()),
        "serve with a malformed recovery code",
    );
}

#[test]
fn serve_with_an_unseal_method_the_practice_was_not_given_exits_with_one_line() {
    // Initialised with a key file only: a passphrase, even a plausible one, cannot open it.
    let practice = Practice::with_key_file();
    let server = practice.serve();
    server
        .api(&practice.token)
        .create_client(&sample_client("Existing Client"));
    server.stop();
    assert_serve_refused(
        &practice,
        &Unseal::Passphrase(GOOD_PASSPHRASE.to_string()),
        "serve with a passphrase on a key-file-only practice",
    );
}

#[test]
fn serve_refuses_a_data_dir_that_was_never_initialised() {
    let p = paths();
    std::fs::create_dir(&p.data).unwrap();
    let practice = Practice::with_key_file();
    let out = run_cli(
        &args![
            "serve",
            "--data",
            &p.data,
            "--listen",
            "127.0.0.1:0",
            "--key-file",
            practice.key_file.as_ref().unwrap()
        ],
        &[],
    );
    out.assert_refused_with_one_line("serve on an empty dir");
    assert_absent_or_empty(&p.data, "refused serve");
}

#[test]
fn serve_unseals_with_the_recovery_code_printed_at_init() {
    let practice = Practice::with_key_file();
    let server = practice.serve();
    let id = server
        .api(&practice.token)
        .create_client(&sample_client("Recovered Client"));
    server.stop();

    let server = Server::start(
        &practice.data_dir,
        &Unseal::RecoveryCode(practice.recovery_code.clone()),
        &[],
        &[],
    );
    let got = server.api(&practice.token).get_client(&id);
    assert_eq!(got["legal_name"], "Recovered Client");
    server.stop();
}

#[test]
fn serve_unseals_with_the_passphrase_given_at_init() {
    // Exactly 12 characters: the shortest allowed.
    let passphrase = "twelve chars";
    assert_eq!(passphrase.chars().count(), 12);
    let practice = Practice::init(&InitOptions {
        key_file: false,
        passphrase: Some(passphrase.to_string()),
    });
    let server = practice.serve();
    let id = server
        .api(&practice.token)
        .create_client(&sample_client("Passphrase Client"));
    server.stop();
    let server = practice.serve();
    let got = server.api(&practice.token).get_client(&id);
    assert_eq!(got["legal_name"], "Passphrase Client");
    server.stop();
}

#[test]
fn serve_exits_cleanly_on_sigint() {
    let practice = Practice::with_key_file();
    let mut server = practice.serve();
    server.proc.sigint();
    let status = server.proc.wait_exit();
    assert!(
        status.success(),
        "serve should exit 0 on SIGINT, got {status}"
    );
}

/// A running `confidant demo`, its API, and its data dir.
struct Demo {
    proc: Proc,
    api: common::Api,
    dir: tempfile::TempDir,
}

/// `confidant demo --listen 127.0.0.1:0 --data <fresh temp dir>`; waits for `URL:`, `Token:` and
/// a 200 from `/healthz`.
fn start_demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let mut proc = Proc::spawn(
        &args!["demo", "--listen", "127.0.0.1:0", "--data", dir.path()],
        &[],
    );
    let mut url = None;
    let mut token = None;
    while url.is_none() || token.is_none() {
        let line = proc.wait_for_stdout_line("`URL:` and `Token:`", |l| {
            l.starts_with("URL:") || l.starts_with("Token:")
        });
        if let Some(u) = line.strip_prefix("URL:") {
            url = Some(u.trim().trim_end_matches('/').to_string());
        } else if let Some(t) = line.strip_prefix("Token:") {
            token = Some(t.trim().to_string());
        }
    }
    let (url, token) = (url.unwrap(), token.unwrap());
    assert!(url.starts_with("http://127.0.0.1:"), "URL {url:?}");
    assert!(token.starts_with("cfd_"), "token {token:?}");
    // `Listening on` is the promise that connections are accepted.
    proc.wait_for_stdout_line("`Listening on`", |l| l.starts_with("Listening on http://"));
    let api = common::Api::new(&url, Some(&token));
    api.get("/healthz").expect_status(200);
    Demo { proc, api, dir }
}

#[test]
fn demo_serves_a_dozen_fictional_clients_and_stops_cleanly() {
    let mut demo = start_demo();
    let clients = demo.api.list_all_clients();
    assert!(
        clients.len() >= 12,
        "demo has only {} clients",
        clients.len()
    );
    for c in &clients {
        let id = c["id"].as_str().unwrap();
        let got = demo.api.get_client(id);
        assert!(
            got["legal_name"]
                .as_str()
                .is_some_and(|n| !n.trim().is_empty()),
            "demo client {id} has no legal name: {got}"
        );
        assert_eq!(
            &got, c,
            "GET of demo client {id} differs from its list entry"
        );
    }
    assert!(
        !common::files_under(demo.dir.path()).is_empty(),
        "demo wrote nothing into --data {}",
        demo.dir.path().display()
    );
    demo.proc.sigterm();
    let status = demo.proc.wait_exit();
    assert!(
        status.success(),
        "demo should exit 0 on SIGTERM, got {status}"
    );
}

#[test]
fn demo_clients_each_have_readable_notes() {
    let demo = start_demo();
    for c in demo.api.list_all_clients() {
        let id = c["id"].as_str().unwrap();
        let notes = demo.api.notes_of(id);
        assert!(!notes.is_empty(), "demo client {id} has no notes");
        for n in &notes {
            let note_id = n["id"].as_str().unwrap();
            let got = demo.api.get_note(note_id);
            assert_eq!(got["client_id"].as_str(), Some(id), "note {note_id}");
            assert!(
                got["body"].as_str().is_some_and(|b| !b.trim().is_empty()),
                "demo note {note_id} has no body: {got}"
            );
        }
    }
}
