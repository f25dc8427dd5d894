//! Attachments end to end against the real `confidant` binary: files go up as raw request
//! bodies and come back byte for byte with the headers a browser needs; roles without
//! documents are refused; refused types, forged signatures and oversized files are 4xx problems
//! that leave nothing behind, as does an upload cut off by a disconnect; a 1 GiB recording streams up and down while the server's peak
//! memory stays under 100 MB; a blob cut short or with chunks swapped on disk fails with an
//! integrity error, never a clean short file; and no file's bytes or name reach the data
//! directory or the server's output in the clear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lc_rs::digest::{Context, SHA256};
use common::*;
use serde_json::Value;

/// Plaintext bytes per chunk of the stored stream, and the stream's framing around them.
const CHUNK: usize = 64 * 1024;
const HEADER: usize = 16;
const SEALED_CHUNK: usize = CHUNK + 16;

/// A practice, its server and the owner's API token as a caller.
fn start_with(extra: &[&str]) -> (Practice, Server, Caller) {
    let practice = Practice::with_key_file();
    let extra: Vec<std::ffi::OsString> = extra.iter().map(Into::into).collect();
    let server = Server::start(&practice.data_dir, &practice.unseal(), &extra, &[]);
    let owner = Caller::bearer(&server.base_url, &practice.token);
    (practice, server, owner)
}

fn start() -> (Practice, Server, Caller) {
    start_with(&[])
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(1800)))
        .proxy(None)
        .build()
        .into()
}

/// The caller's credential (and CSRF token, for a session) as request headers.
fn auth_headers(caller: &Caller) -> Vec<(String, String)> {
    let mut h = Vec::new();
    match &caller.credential {
        Credential::Anonymous => {}
        Credential::Bearer(t) => h.push(("Authorization".into(), format!("Bearer {t}"))),
        Credential::Session { cookie } => h.push(("Cookie".into(), cookie.clone())),
    }
    if let Some(csrf) = &caller.csrf {
        h.push(("X-CSRF-Token".into(), csrf.clone()));
    }
    h
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn upload_path(client: &str, filename: &str) -> String {
    format!(
        "/api/v1/clients/{client}/attachments?filename={}",
        encode(filename)
    )
}

/// How an upload's body is sent.
enum Body {
    /// With its length (`Content-Length`).
    Sized(Vec<u8>),
    /// Chunked, so its length is known only at its end.
    Streamed(Box<dyn Read + Send>),
}

/// `POST path` with `body` as `content_type` (none if `None`), as `caller`.
fn post_file(caller: &Caller, path: &str, content_type: Option<&str>, body: Body) -> Resp {
    let mut rb = agent().post(format!("{}{path}", caller.base));
    for (k, v) in auth_headers(caller) {
        rb = rb.header(k, v);
    }
    if let Some(ct) = content_type {
        rb = rb.header("Content-Type", ct);
    }
    let sent = match body {
        Body::Sized(bytes) => rb.send(&bytes[..]),
        Body::Streamed(reader) => rb.send(ureq::SendBody::from_owned_reader(reader)),
    };
    let mut r = sent.unwrap_or_else(|e| panic!("POST {path}: transport error: {e}"));
    let resp = Resp {
        method: "POST".into(),
        path: path.into(),
        status: r.status().as_u16(),
        content_type: header(&r, "content-type"),
        body: r.body_mut().read_to_string().unwrap(),
    };
    assert!(resp.status < 500, "POST {path} → {resp:?}");
    resp
}

/// Uploads `bytes` as `content_type`, asserting 201; returns the attachment's id.
fn upload(
    caller: &Caller,
    client: &str,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> String {
    let path = upload_path(client, filename);
    let r = post_file(
        caller,
        &path,
        Some(content_type),
        Body::Sized(bytes.to_vec()),
    );
    r.expect_json(201);
    created_id(&r)
}

fn header(r: &ureq::http::Response<ureq::Body>, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A whole download: status, headers, and the body as far as it came, with the transport
/// error if it did not end cleanly.
struct Download {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
    broken: Option<io::Error>,
}

impl Download {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// As a `Resp`, for the problem checks.
    fn resp(&self, path: &str) -> Resp {
        Resp {
            method: "GET".into(),
            path: path.into(),
            status: self.status,
            content_type: self.header("content-type").to_owned(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        }
    }
}

/// `GET /api/v1/attachments/{id}`, reading the body until it ends or breaks.
fn download(caller: &Caller, id: &str) -> Download {
    let path = format!("/api/v1/attachments/{id}");
    let mut rb = agent().get(format!("{}{path}", caller.base));
    for (k, v) in auth_headers(caller) {
        rb = rb.header(k, v);
    }
    let mut r = rb
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: transport error: {e}"));
    let mut body = Vec::new();
    let broken = r.body_mut().as_reader().read_to_end(&mut body).err();
    Download {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body,
        broken,
    }
}

/// `GET /api/v1/clients/{id}/attachments` as `caller`, asserting 200; the `attachments`.
fn listed(caller: &Caller, client: &str) -> Vec<Value> {
    let v = caller
        .get(&format!("/api/v1/clients/{client}/attachments"))
        .expect_json(200);
    v["attachments"]
        .as_array()
        .unwrap_or_else(|| panic!("no `attachments` array in {v}"))
        .clone()
}

fn blob_dir(practice: &Practice) -> PathBuf {
    practice.data_dir.join("blobs")
}

/// Every file in the blob directory, committed or not.
fn blob_files(practice: &Practice) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(blob_dir(practice))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Deterministic bytes that differ from offset to offset.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

/// A PDF of `len` bytes: the signature, then filler.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend(pattern(len - bytes.len(), 3));
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_file_round_trips_with_its_exact_bytes_and_the_headers_a_browser_needs() {
    let (_practice, server, owner) = start();
    let client = owner.create_client("Ada Example");
    // Three times the JSON body limit: that limit does not apply to files.
    let content = pdf(3 * 1024 * 1024 + 12_345);
    let name = "Intake – Ada É \"final\".pdf";
    let id = upload(&owner, &client, name, "application/pdf", &content);
    let list = listed(&owner, &client);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["client_id"], client.as_str());
    assert_eq!(list[0]["filename"], name);
    assert_eq!(list[0]["content_type"], "application/pdf");
    assert_eq!(list[0]["size"], content.len() as u64);
    let d = download(&owner, &id);
    assert_eq!(d.status, 200);
    assert!(d.broken.is_none(), "{:?}", d.broken);
    assert!(d.body == content, "the bytes changed on the way");
    assert_eq!(d.header("content-type"), "application/pdf");
    assert_eq!(d.header("content-length"), content.len().to_string());
    assert_eq!(
        d.header("content-disposition"),
        "attachment; filename*=UTF-8''Intake%20%E2%80%93%20Ada%20%C3%89%20%22final%22.pdf"
    );
    assert_eq!(d.header("cache-control"), "no-store");
    assert_eq!(d.header("x-content-type-options"), "nosniff");
    // Plain text, declared with a charset, streamed without a length.
    let text = b"Session summary, typed up.\n".repeat(5000);
    let r = post_file(
        &owner,
        &upload_path(&client, "summary.txt"),
        Some("text/plain; charset=utf-8"),
        Body::Streamed(Box::new(io::Cursor::new(text.clone()))),
    );
    let text_id = created_id(&r);
    let d = download(&owner, &text_id);
    assert_eq!((d.status, d.header("content-type")), (200, "text/plain"));
    assert!(d.body == text);
    assert_eq!(listed(&owner, &client).len(), 2);
    for action in ["attachment.create", "attachment.read", "attachment.list"] {
        let events = owner.audit_events(&format!("action={action}"));
        assert!(
            events.iter().any(|e| e["resource_id"] == id.as_str()),
            "{action}: {events:?}"
        );
    }
    server.stop();
}

#[test]
fn roles_without_documents_are_refused_and_outsiders_cannot_tell_a_file_exists() {
    let (practice, server, owner) = start();
    let base = server.base_url.clone();
    let client = owner.create_client("Ada Example");
    let id = upload(&owner, &client, "scan.pdf", "application/pdf", &pdf(10_000));
    let before = blob_files(&practice);
    for role in ["front_desk", "biller"] {
        let who = sign_in(&base, &hire(&owner, role));
        let r = post_file(
            &who,
            &upload_path(&client, "x.pdf"),
            Some("application/pdf"),
            Body::Sized(pdf(5000)),
        );
        r.expect_problem(403);
        who.get(&format!("/api/v1/clients/{client}/attachments"))
            .expect_problem(403);
        download(&who, &id)
            .resp(&format!("/api/v1/attachments/{id}"))
            .expect_problem(403);
    }
    // A clinician off the care team gets exactly what a nonexistent id gets.
    let outsider = sign_in(&base, &hire(&owner, "clinician"));
    let hidden = download(&outsider, &id).resp("hidden");
    let missing = download(&outsider, &uuid::Uuid::new_v4().to_string()).resp("missing");
    assert_eq!(hidden.expect_problem(404), missing.expect_problem(404));
    outsider
        .get(&format!("/api/v1/clients/{client}/attachments"))
        .expect_problem(404);
    post_file(
        &outsider,
        &upload_path(&client, "x.pdf"),
        Some("application/pdf"),
        Body::Sized(pdf(5000)),
    )
    .expect_problem(404);
    assert_eq!(blob_files(&practice), before, "refused uploads left files");
    assert_eq!(listed(&owner, &client).len(), 1);
    server.stop();
}

#[test]
fn refused_types_forged_signatures_and_oversized_files_are_4xx_and_leave_nothing() {
    let limit = 1024 * 1024;
    let (practice, server, owner) = start_with(&["--max-attachment-bytes", "1048576"]);
    let client = owner.create_client("Ada Example");
    let name = "Secret-Name-5KQ.pdf";
    let fails = Failures::default();
    let cases: Vec<(&str, String, Option<&str>, Body, u16)> = vec![
        (
            "a type not on the list",
            upload_path(&client, name),
            Some("application/octet-stream"),
            Body::Sized(pdf(2000)),
            415,
        ),
        (
            "html",
            upload_path(&client, name),
            Some("text/html"),
            Body::Sized(b"<html><script>".to_vec()),
            415,
        ),
        (
            "no content type",
            upload_path(&client, name),
            None,
            Body::Sized(pdf(2000)),
            415,
        ),
        (
            "a PDF declared as PNG",
            upload_path(&client, name),
            Some("image/png"),
            Body::Sized(pdf(2000)),
            415,
        ),
        (
            "a program declared as PDF",
            upload_path(&client, name),
            Some("application/pdf"),
            Body::Sized(b"MZ\x90\x00\x03\x00\x00\x00".to_vec()),
            415,
        ),
        (
            "one byte over the limit, length declared",
            upload_path(&client, name),
            Some("application/pdf"),
            Body::Sized(pdf(limit + 1)),
            413,
        ),
        (
            "one byte over the limit, streamed",
            upload_path(&client, name),
            Some("application/pdf"),
            Body::Streamed(Box::new(io::Cursor::new(pdf(limit + 1)))),
            413,
        ),
        (
            "no file name",
            format!("/api/v1/clients/{client}/attachments"),
            Some("application/pdf"),
            Body::Sized(pdf(2000)),
            400,
        ),
        (
            "a path for a file name",
            upload_path(&client, "../../Secret-Name-5KQ.pdf"),
            Some("application/pdf"),
            Body::Sized(pdf(2000)),
            422,
        ),
        (
            "a blank file name",
            upload_path(&client, "   "),
            Some("application/pdf"),
            Body::Sized(pdf(2000)),
            422,
        ),
        (
            "an unknown client",
            upload_path(&uuid::Uuid::new_v4().to_string(), name),
            Some("application/pdf"),
            Body::Sized(pdf(2000)),
            404,
        ),
    ];
    for (what, path, ct, body, status) in cases {
        let r = post_file(&owner, &path, ct, body);
        fails.problem(what, &r, status);
        fails.check(!r.body.contains("Secret-Name"), || {
            format!("[{what}] the answer quotes the file name: {}", r.body)
        });
    }
    fails.assert_none();
    assert!(listed(&owner, &client).is_empty());
    assert!(
        blob_files(&practice).is_empty(),
        "{:?}",
        blob_files(&practice)
    );
    // Exactly at the limit is accepted.
    upload(&owner, &client, name, "application/pdf", &pdf(limit));
    assert_eq!(listed(&owner, &client).len(), 1);
    server.stop();
}

/// A recording generated on the fly, hashed as it is read: it never exists in memory whole.
struct Recording {
    left: u64,
    state: u64,
    head: &'static [u8],
    digest: Arc<Mutex<Context>>,
}

impl Recording {
    fn new(len: u64, digest: Arc<Mutex<Context>>) -> Self {
        Recording {
            left: len,
            state: 0x9E37_79B9_7F4A_7C15,
            head: b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",
            digest,
        }
    }
}

impl Read for Recording {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for word in buf[..n].chunks_mut(8) {
            // xorshift64: fast, and nothing like the blob's ciphertext.
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            word.copy_from_slice(&self.state.to_le_bytes()[..word.len()]);
        }
        if !self.head.is_empty() {
            let h = self.head.len().min(n);
            buf[..h].copy_from_slice(&self.head[..h]);
            self.head = &self.head[h..];
        }
        self.left -= n as u64;
        self.digest.lock().unwrap().update(&buf[..n]);
        Ok(n)
    }
}

/// The server's peak resident memory so far (`VmHWM`), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .map(|v| v.trim().parse().unwrap())
        .expect("VmHWM in /proc/<pid>/status");
    kb * 1024
}

#[cfg(target_os = "linux")]
#[test]
fn a_one_gib_recording_streams_up_and_down_while_the_server_stays_under_100_mb() {
    const LEN: u64 = 1 << 30;
    const CEILING: u64 = 100 * 1000 * 1000;
    let (practice, server, owner) = start();
    let pid = server.proc.pid();
    let client = owner.create_client("Ada Example");
    let before = peak_rss(pid);

    let sent = Arc::new(Mutex::new(Context::new(&SHA256)));
    let started = Instant::now();
    let r = post_file(
        &owner,
        &upload_path(&client, "session-recording.mp4"),
        Some("video/mp4"),
        Body::Streamed(Box::new(Recording::new(LEN, sent.clone()))),
    );
    r.expect_status(201);
    let id = created_id(&r);
    let up = started.elapsed();
    let sent = sent.lock().unwrap().clone().finish();
    let after_upload = peak_rss(pid);
    let blob_len = std::fs::metadata(blob_dir(&practice).join(&id))
        .unwrap()
        .len();
    assert_eq!(blob_len, HEADER as u64 + LEN + (LEN / CHUNK as u64) * 16);

    let started = Instant::now();
    let mut rb = agent().get(format!("{}/api/v1/attachments/{id}", server.base_url));
    for (k, v) in auth_headers(&owner) {
        rb = rb.header(k, v);
    }
    let mut resp = rb.call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(header(&resp, "content-length"), LEN.to_string());
    let mut received = Context::new(&SHA256);
    let mut reader = resp.body_mut().as_reader();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        received.update(&buf[..n]);
        total += n as u64;
    }
    let down = started.elapsed();
    let received = received.finish();
    let peak = peak_rss(pid);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "1 GiB attachment: upload {:.1} s ({:.0} MiB/s), download with integrity pass {:.1} s \
         ({:.0} MiB/s); server VmHWM {:.1} MiB before, {:.1} MiB after upload, {:.1} MiB after \
         download",
        up.as_secs_f64(),
        mib(LEN) / up.as_secs_f64(),
        down.as_secs_f64(),
        mib(LEN) / down.as_secs_f64(),
        mib(before),
        mib(after_upload),
        mib(peak)
    );
    assert_eq!(total, LEN);
    assert_eq!(hex(received.as_ref()), hex(sent.as_ref()), "digests differ");
    assert!(
        peak < CEILING,
        "server peak RSS {peak} bytes is over {CEILING}"
    );
    server.stop();
}

#[test]
fn a_blob_cut_short_or_with_two_chunks_swapped_on_disk_fails_with_an_integrity_error() {
    let (practice, server, owner) = start();
    let client = owner.create_client("Ada Example");
    let content = pdf(4 * CHUNK + 777);
    let id = upload(&owner, &client, "scan.pdf", "application/pdf", &content);
    let path = blob_dir(&practice).join(&id);
    let good = std::fs::read(&path).unwrap();
    let chunk = |i: usize| HEADER + i * SEALED_CHUNK..HEADER + (i + 1) * SEALED_CHUNK;
    let mut swapped = good.clone();
    swapped[chunk(1)].copy_from_slice(&good[chunk(2)]);
    swapped[chunk(2)].copy_from_slice(&good[chunk(1)]);
    let damaged = [
        ("cut at a chunk boundary", good[..chunk(3).end].to_vec()),
        ("cut inside a chunk", good[..chunk(3).start + 100].to_vec()),
        ("two chunks swapped", swapped),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&path, &bytes).unwrap();
        let d = download(&owner, &id);
        let problem = d.resp(what).expect_problem(500);
        assert_eq!(problem["type"], "urn:confidant:problem:integrity", "{what}");
        assert!(
            !d.body.windows(9).any(|w| w == b"%PDF-1.7\n"),
            "{what}: content was sent"
        );
    }
    std::fs::write(&path, &good).unwrap();
    let d = download(&owner, &id);
    assert_eq!(d.status, 200);
    assert!(d.body == content);
    server.stop();
}

#[test]
fn a_blob_cut_while_it_is_being_sent_breaks_the_transfer_instead_of_ending_it_cleanly() {
    let (practice, server, owner) = start();
    let client = owner.create_client("Ada Example");
    let len = 64 * 1024 * 1024;
    let content = pdf(len);
    let id = upload(&owner, &client, "scan.pdf", "application/pdf", &content);
    let path = blob_dir(&practice).join(&id);
    let mut rb = agent().get(format!("{}/api/v1/attachments/{id}", server.base_url));
    for (k, v) in auth_headers(&owner) {
        rb = rb.header(k, v);
    }
    let mut resp = rb.call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut reader = resp.body_mut().as_reader();
    let mut first = vec![0u8; 1024];
    reader.read_exact(&mut first).unwrap();
    // The server has checked the blob and started sending; now the disk loses its second half.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len((HEADER + 512 * SEALED_CHUNK) as u64)
        .unwrap();
    let mut rest = Vec::new();
    let outcome = reader.read_to_end(&mut rest);
    let got = first.len() + rest.len();
    assert!(
        outcome.is_err(),
        "the transfer ended cleanly after {got} of {len} bytes"
    );
    assert!(got < len, "got {got} of {len} bytes");
    server.stop();
}

#[test]
fn an_upload_cut_off_by_a_disconnect_leaves_no_row_and_no_file() {
    use std::io::Write as _;
    let (practice, server, owner) = start();
    let client = owner.create_client("Ada Example");
    let addr = server.base_url.trim_start_matches("http://").to_owned();
    for (framing, announced) in [
        ("Content-Length", "10485760"),
        ("Transfer-Encoding", "chunked"),
    ] {
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/pdf\r\n{framing}: {announced}\r\n\r\n",
            upload_path(&client, "cut.pdf"),
            practice.token
        );
        conn.write_all(head.as_bytes()).unwrap();
        let part = pdf(3 * CHUNK + 10);
        if framing == "Content-Length" {
            conn.write_all(&part).unwrap();
        } else {
            conn.write_all(format!("{:x}\r\n", part.len()).as_bytes())
                .unwrap();
            conn.write_all(&part).unwrap();
            conn.write_all(b"\r\n").unwrap();
        }
        conn.flush().unwrap();
        // Wait until the server is writing the blob, then hang up mid-file.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !blob_files(&practice).iter().any(|f| f.ends_with(".part")) {
            assert!(Instant::now() < deadline, "{framing}: no blob was begun");
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(conn);
        while !blob_files(&practice).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            blob_files(&practice).is_empty(),
            "{framing}: {:?}",
            blob_files(&practice)
        );
        assert!(listed(&owner, &client).is_empty(), "{framing}");
    }
    assert!(owner.audit_events("action=attachment.create").is_empty());
    server.stop();
}

#[test]
fn file_bytes_and_names_never_reach_the_data_directory_or_the_server_output() {
    let (practice, server, owner) = start();
    let client = owner.create_client("Ada Example");
    let markers = vec![
        format!("AttCanaryName{}", random_hex(12)),
        format!("AttCanaryBody{}", random_hex(12)),
        format!("AttCanaryRefused{}", random_hex(12)),
    ];
    let text = format!("Session notes. {} ", markers[1]).repeat(20_000);
    let pdf_with_marker = [
        b"%PDF-1.7\n".as_slice(),
        format!("({})", markers[1]).repeat(100).as_bytes(),
    ]
    .concat();
    let txt = upload(
        &owner,
        &client,
        &format!("{}.txt", markers[0]),
        "text/plain",
        text.as_bytes(),
    );
    let pdf_id = upload(
        &owner,
        &client,
        &format!("{} – scan.pdf", markers[0]),
        "application/pdf",
        &pdf_with_marker,
    );
    // Refused and interrupted uploads must not leave anything behind either.
    post_file(
        &owner,
        &upload_path(&client, &format!("{}.exe", markers[2])),
        Some("application/pdf"),
        Body::Sized(format!("MZ {}", markers[2]).into_bytes()),
    )
    .expect_problem(415);
    assert_eq!(listed(&owner, &client).len(), 2);
    assert!(download(&owner, &txt).body == text.as_bytes());
    assert!(download(&owner, &pdf_id).body == pdf_with_marker);
    let data_dir = practice.data_dir.clone();
    let logs = server.stop();
    assert_no_hits("data directory", &scan_dir(&data_dir, &markers));
    assert_no_hits("server stdout", &scan("stdout", &logs.stdout, &markers));
    assert_no_hits("server stderr", &scan("stderr", &logs.stderr, &markers));
    assert_eq!(blob_files(&practice).len(), 2);
}
