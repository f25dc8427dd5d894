//! Over HTTP on loopback, against the real binary: durable, audited, encrypted note writes per
//! second and note reads per second with their latency percentiles, at 64 concurrent keep-alive
//! connections, with the CPU each request cost the server and the load generator; beside it the
//! same binary built with encryption and auditing switched off (`bench-insecure-plaintext`,
//! built here into `target/bench-plaintext`), and the ratio. The two run in alternating slices,
//! so the machine's other load weighs on both alike.
//!
//! Run with `cargo bench -p confidant-cli --bench http`; set `CONFIDANT_BENCH_SECURE_ONLY=1` to
//! skip the plaintext build. The load generator is one thread driving every connection (a
//! minimal HTTP/1.1 client, so it takes as little of the machine's cores from the server as it
//! can); figures are still a floor. Prints figures; asserts nothing.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::TcpStream;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Makes the `i`th request of a phase.
type MakeRequest = Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync>;
/// Whether a response (status, body) counts as a success.
type Check = Arc<dyn Fn(u16, &[u8]) -> bool + Send + Sync>;

const BIN: &str = env!("CARGO_BIN_EXE_confidant");
const CONNECTIONS: usize = 64;
const SPAN: Duration = Duration::from_secs(8);
/// Reads per second offered in the paced phase (the target for audited reads).
const OFFERED: f64 = 10_000.0;
/// What a note says: about 4 KiB.
const SENTENCE: &str = "Session focused on sleep and routines. ";

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Initialises a practice in a fresh directory and serves it with `bin`.
fn start(bin: &Path, dir: &Path, secrets: &Path) -> Result<(Server, String)> {
    let data = dir.join("practice");
    let key = secrets.join("practice.key");
    let token_file = secrets.join("owner-token");
    let init = Command::new(bin)
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
    let mut child = Command::new(bin)
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
    let url = loop {
        let line = lines.next().ok_or("server exited")??;
        if let Some(url) = line.strip_prefix("Listening on http://") {
            break url.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok((
        Server {
            child,
            addr: url.parse()?,
        },
        token,
    ))
}

/// One keep-alive HTTP/1.1 connection: a request out, a `Content-Length` response back.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends `request`; returns the status and the body.
    async fn send(&mut self, request: &[u8]) -> Result<(u16, &[u8])> {
        let mut sent = 0;
        while sent < request.len() {
            self.stream.writable().await?;
            match self.stream.try_write(&request[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.buf.clear();
        let head = loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                break end + 4;
            }
            self.fill().await?;
        };
        let text = std::str::from_utf8(&self.buf[..head])?;
        let status: u16 = text.get(9..12).ok_or("short status line")?.parse()?;
        let length: usize = text
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .ok_or("no content-length")?;
        while self.buf.len() < head + length {
            self.fill().await?;
        }
        Ok((status, &self.buf[head..head + length]))
    }

    async fn fill(&mut self) -> Result<()> {
        let start = self.buf.len();
        self.buf.resize(start + 16 * 1024, 0);
        let n = loop {
            self.stream.readable().await?;
            match self.stream.try_read(&mut self.buf[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    self.buf.truncate(start);
                    return Err(e.into());
                }
            }
        };
        self.buf.truncate(start + n);
        if n == 0 {
            return Err("connection closed".into());
        }
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn get(path: &str, token: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n")
        .into_bytes()
}

fn post(path: &str, token: &str, body: &Value) -> Vec<u8> {
    let body = body.to_string();
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or_default()
}

/// CPU time a process has used so far (all its threads, user and system), from `/proc`.
fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports in USER_HZ, 100 on every mainstream build.
    Some(Duration::from_millis(ticks * 10))
}

/// What one phase measured.
struct Figures {
    ok: usize,
    failed: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    /// CPU the server and the load generator used during the phase.
    cpu: Option<(Duration, Duration)>,
}

impl Figures {
    /// Both slices of a phase as one.
    fn add(mut self, other: Self) -> Self {
        self.ok += other.ok;
        self.failed += other.failed;
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.cpu = self
            .cpu
            .zip(other.cpu)
            .map(|((s0, c0), (s1, c1))| (s0 + s1, c0 + c1));
        self
    }

    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    fn print(&mut self, label: &str) {
        self.latencies.sort();
        let ms = |p| percentile(&self.latencies, p).as_secs_f64() * 1e3;
        let failed = if self.failed > 0 {
            format!(", {} FAILED", self.failed)
        } else {
            String::new()
        };
        let cpu = self.cpu.map_or(String::new(), |(server, client)| {
            let per = |d: Duration| d.as_secs_f64() * 1e6 / (self.ok + self.failed).max(1) as f64;
            format!(
                "; CPU/request: server {:.0} µs, load {:.0} µs",
                per(server),
                per(client)
            )
        });
        println!(
            "{label:<48} {:>7.0} /s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({} in {:.1} s{failed}{cpu})",
            self.rate(),
            ms(0.50),
            ms(0.99),
            self.ok,
            self.elapsed.as_secs_f64(),
        );
    }
}

/// Runs `make(i)` requests on `CONNECTIONS` connections for `span`, each connection waiting for
/// its response before sending the next (or, with `every`, also for its next slot, so the
/// offered rate is `CONNECTIONS / every`); `check` says whether a response counts.
fn load(
    server: &Server,
    span: Duration,
    every: Option<Duration>,
    make: MakeRequest,
    check: Check,
) -> Result<Figures> {
    let addr = server.addr;
    let pid = server.child.id().to_string();
    let cpu_before = cpu_time(&pid).zip(cpu_time("self"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut figures = runtime.block_on(async move {
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for c in 0..CONNECTIONS {
            let (make, check) = (make.clone(), check.clone());
            tasks.spawn(async move {
                let mut conn = Conn::open(addr).await?;
                let (mut ok, mut failed, mut latencies) = (0, 0, Vec::new());
                // Paced connections start spread over one interval.
                let mut slot = start + every.map_or(Duration::ZERO, |e| e * c as u32 / 64);
                let mut i = c * 1_000_000;
                while start.elapsed() < span {
                    let request = make(i);
                    i += 1;
                    // Paced, latency counts from the slot the request was due in, so a server
                    // that falls behind the offered rate shows it.
                    let t0 = match every {
                        Some(every) => {
                            let due = slot;
                            slot += every;
                            tokio::time::sleep_until(due.into()).await;
                            due
                        }
                        None => Instant::now(),
                    };
                    let (status, body) = conn.send(&request).await?;
                    if check(status, body) {
                        ok += 1;
                        latencies.push(t0.elapsed());
                    } else {
                        failed += 1;
                    }
                }
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>((ok, failed, latencies))
            });
        }
        let mut figures = Figures {
            ok: 0,
            failed: 0,
            elapsed: Duration::ZERO,
            latencies: Vec::new(),
            cpu: None,
        };
        while let Some(done) = tasks.join_next().await {
            let (ok, failed, latencies) = done??;
            figures.ok += ok;
            figures.failed += failed;
            figures.latencies.extend(latencies);
        }
        figures.elapsed = start.elapsed();
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(figures)
    })?;
    let cpu_after = cpu_time(&pid).zip(cpu_time("self"));
    figures.cpu = cpu_before
        .zip(cpu_after)
        .map(|((s0, c0), (s1, c1))| (s1.saturating_sub(s0), c1.saturating_sub(c0)));
    Ok(figures)
}

/// Sends requests one after another on one connection; returns each response's `id`.
fn sequential(addr: SocketAddr, requests: Vec<Vec<u8>>) -> Result<Vec<String>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut conn = Conn::open(addr).await?;
        let mut ids = Vec::with_capacity(requests.len());
        for request in requests {
            let (status, body) = conn.send(&request).await?;
            let v: Value = serde_json::from_slice(body)?;
            let id = v["id"]
                .as_str()
                .ok_or_else(|| format!("status {status}, no id"))?;
            ids.push(id.to_owned());
        }
        Ok(ids)
    })
}

/// One build under test: its server, the owner's token, and the clients and notes it holds.
struct Target {
    label: &'static str,
    server: Server,
    token: Arc<str>,
    clients: Arc<[String]>,
    // Dropped last, after the server.
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl Target {
    /// Starts `bin` on a fresh practice with 64 clients.
    fn start(bin: &Path, label: &'static str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let secrets = tempfile::tempdir()?;
        let (server, token) = start(bin, dir.path(), secrets.path())?;
        let token: Arc<str> = token.into();
        let clients = sequential(
            server.addr,
            (0..64)
                .map(|i| {
                    let body = json!({"legal_name": format!("Bench Person {i}"),
                                      "date_of_birth": "1980-01-01"});
                    post("/api/v1/clients", &token, &body)
                })
                .collect(),
        )?;
        Ok(Self {
            label,
            server,
            token,
            clients: clients.into(),
            _dirs: (dir, secrets),
        })
    }

    /// The `i`th note write: 4 KiB to one of the clients in turn.
    fn write(&self) -> impl Fn(usize) -> Vec<u8> + Clone + Send + Sync + 'static {
        let (clients, token) = (self.clients.clone(), self.token.clone());
        let note = json!({"kind": "progress", "body": SENTENCE.repeat(100)});
        move |i: usize| {
            let client = &clients[i % clients.len()];
            post(&format!("/api/v1/clients/{client}/notes"), &token, &note)
        }
    }

    /// Writes 500 notes and returns a maker of reads over them.
    fn reads(&self) -> Result<MakeRequest> {
        let ids: Arc<[String]> =
            sequential(self.server.addr, (0..500).map(self.write()).collect())?.into();
        let token = self.token.clone();
        Ok(Arc::new(move |i: usize| {
            get(&format!("/api/v1/notes/{}", ids[i % ids.len()]), &token)
        }))
    }
}

/// Runs each phase on every target in turn, in `ROUNDS` slices each, so a change in the
/// machine's other load weighs on every build alike; prints each build's figures and returns
/// each build's (writes/s, reads/s).
fn measure(targets: &[Target]) -> Result<Vec<(f64, f64)>> {
    const ROUNDS: u32 = 2;
    let slice = SPAN / ROUNDS;
    let interleaved = |make: &dyn Fn(&Target) -> Result<MakeRequest>, check: Check| {
        let makers = targets.iter().map(make).collect::<Result<Vec<_>>>()?;
        let mut totals: Vec<Option<Figures>> = targets.iter().map(|_| None).collect();
        for _ in 0..ROUNDS {
            for ((target, make), total) in targets.iter().zip(&makers).zip(&mut totals) {
                let part = load(&target.server, slice, None, make.clone(), check.clone())?;
                *total = Some(match total.take() {
                    Some(sum) => sum.add(part),
                    None => part,
                });
            }
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((
            makers,
            totals.into_iter().flatten().collect::<Vec<_>>(),
        ))
    };

    for target in targets {
        let mut health = load(
            &target.server,
            Duration::from_secs(3),
            None,
            Arc::new(|_| b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n".to_vec()),
            Arc::new(|status, _| status == 200),
        )?;
        health.print(&format!("{}: GET /healthz (HTTP alone)", target.label));
    }
    let (_, mut writes) = interleaved(
        &|t: &Target| Ok(Arc::new(t.write()) as MakeRequest),
        Arc::new(|status, _| status == 201),
    )?;
    let check: Check =
        Arc::new(|status, body: &[u8]| status == 200 && find(body, SENTENCE.as_bytes()).is_some());
    let (reads_of, mut reads) = interleaved(&|t: &Target| t.reads(), check.clone())?;
    let mut rates = Vec::new();
    for (((target, write), read), make) in targets
        .iter()
        .zip(&mut writes)
        .zip(&mut reads)
        .zip(reads_of)
    {
        write.print(&format!("{}: durable note writes (4 KiB)", target.label));
        read.print(&format!("{}: note reads", target.label));
        // The same reads offered at a steady rate, the target for audited reads: the latency a
        // practice would see at that load (a build slower than that shows its queue growing).
        let every = Duration::from_secs_f64(CONNECTIONS as f64 / OFFERED);
        let mut paced = load(&target.server, SPAN, Some(every), make, check.clone())?;
        paced.print(&format!(
            "{}: note reads offered at {OFFERED:.0}/s",
            target.label
        ));
        rates.push((write.rate(), read.rate()));
    }
    Ok(rates)
}

/// Builds the binary with encryption and auditing switched off, beside the normal target dir.
fn plaintext_binary() -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.join("../..");
    let target = workspace.join("target/bench-plaintext");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    println!(
        "building the plaintext comparison binary in {}",
        target.display()
    );
    let status = Command::new(cargo)
        .current_dir(&workspace)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "confidant-cli",
            "--features",
            "bench-insecure-plaintext",
            "--target-dir",
        ])
        .arg(&target)
        // The feature refuses to build without it, so it cannot be switched on by accident.
        .env("CONFIDANT_BENCH_PLAINTEXT_ACK", "1")
        .status()?;
    if !status.success() {
        return Err("building the plaintext binary failed".into());
    }
    Ok(target.join("release/confidant"))
}

fn main() -> Result<()> {
    let mut targets = vec![Target::start(Path::new(BIN), "secure")?];
    if std::env::var_os("CONFIDANT_BENCH_SECURE_ONLY").is_none() {
        // Built before anything is measured, so both builds are measured side by side.
        let bin = plaintext_binary()?;
        targets.push(Target::start(&bin, "PLAINTEXT, NO AUDIT")?);
    }
    let rates = measure(&targets)?;
    if let [(writes, reads), (plain_writes, plain_reads)] = rates[..] {
        println!(
            "plaintext/secure throughput: writes {:.2}x, reads {:.2}x",
            plain_writes / writes,
            plain_reads / reads
        );
    }
    Ok(())
}
