//! Over HTTP on loopback, against the real binary: durable, audited, encrypted note writes per
//! second and note reads per second with their latency percentiles, at 64 concurrent
//! connections. Run with `cargo bench -p confidant-cli --bench http`. The load generator shares
//! the machine's cores with the server, so figures are a floor. Prints figures; asserts nothing.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const BIN: &str = env!("CARGO_BIN_EXE_confidant");
const CONNECTIONS: usize = 64;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path, secrets: &std::path::Path) -> Result<(Server, String)> {
    let data = dir.join("practice");
    let key = secrets.join("practice.key");
    let token_file = secrets.join("owner-token");
    let init = Command::new(BIN)
        .args(["init", "--data"])
        .arg(&data)
        .arg("--key-file")
        .arg(&key)
        .arg("--owner-token-out")
        .arg(&token_file)
        .output()?;
    if !init.status.success() {
        return Err("init failed".into());
    }
    let token = std::fs::read_to_string(&token_file)?.trim().to_owned();
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .arg("--key-file")
        .arg(&key)
        .env("CONFIDANT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().ok_or("server exited")??;
        if let Some(url) = line.strip_prefix("Listening on ") {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok((Server { child, base }, token))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections_per_host(1)
        .build()
        .into()
}

fn post(agent: &ureq::Agent, url: &str, token: &str, body: &Value) -> Result<String> {
    let mut resp = agent
        .post(url)
        .header("Authorization", &format!("Bearer {token}"))
        .send_json(body)?;
    let v: Value = resp.body_mut().read_json()?;
    Ok(v["id"].as_str().ok_or("no id")?.to_owned())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or_default()
}

fn report(label: &str, n: usize, elapsed: Duration, mut lat: Vec<Duration>) {
    lat.sort();
    println!(
        "{label:<40} {:>8.0} /s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({n} requests in {:.1} s)",
        n as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        elapsed.as_secs_f64()
    );
}

/// Runs `op` from `CONNECTIONS` threads, each on its own keep-alive connection, for `span`.
fn load(
    span: Duration,
    op: impl Fn(&ureq::Agent, usize) -> Result<()> + Sync,
) -> (usize, Duration, Vec<Duration>) {
    let done = AtomicUsize::new(0);
    let start = Instant::now();
    let lat = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CONNECTIONS)
            .map(|t| {
                let (op, done) = (&op, &done);
                s.spawn(move || {
                    let agent = agent();
                    let mut mine = Vec::new();
                    let mut i = 0;
                    while start.elapsed() < span {
                        let t0 = Instant::now();
                        if op(&agent, t * 1_000_000 + i).is_ok() {
                            mine.push(t0.elapsed());
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        i += 1;
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect::<Vec<_>>()
    });
    (done.load(Ordering::Relaxed), start.elapsed(), lat)
}

fn main() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let secrets = tempfile::tempdir()?;
    let (server, token) = start(dir.path(), secrets.path())?;
    let a = agent();
    let clients: Vec<String> = (0..64)
        .map(|i| {
            let body =
                json!({"legal_name": format!("Bench Person {i}"), "date_of_birth": "1980-01-01"});
            post(
                &a,
                &format!("{}/api/v1/clients", server.base),
                &token,
                &body,
            )
        })
        .collect::<Result<_>>()?;
    let body = "Session focused on sleep and routines. ".repeat(100); // ~4 KiB
    let notes_url = |i: usize| {
        format!(
            "{}/api/v1/clients/{}/notes",
            server.base,
            clients[i % clients.len()]
        )
    };

    let (n, elapsed, lat) = load(Duration::from_secs(8), |agent, i| {
        post(
            agent,
            &notes_url(i),
            &token,
            &json!({"kind": "progress", "body": body}),
        )
        .map(drop)
    });
    report("durable note writes (4 KiB, 64 conns)", n, elapsed, lat);

    let ids: Vec<String> = (0..500)
        .map(|i| {
            post(
                &a,
                &notes_url(i),
                &token,
                &json!({"kind": "progress", "body": body}),
            )
        })
        .collect::<Result<_>>()?;
    let (n, elapsed, lat) = load(Duration::from_secs(8), |agent, i| {
        let url = format!("{}/api/v1/notes/{}", server.base, ids[i % ids.len()]);
        let resp = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()?;
        if resp.status() == 200 {
            Ok(())
        } else {
            Err("status".into())
        }
    });
    report("audited encrypted note reads (64 conns)", n, elapsed, lat);
    drop(server);
    Ok(())
}
