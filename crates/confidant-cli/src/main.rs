//! The `confidant` binary: a thin shell that parses arguments, wires the store, core and server
//! together, and prints. All the work lives in the library crates.
//!
//! Errors leave as one line on stderr with a non-zero exit code; nothing here ever prints a
//! secret except the one-time recovery code and demo credentials it exists to show.

mod audit;
mod deid;
mod demo;
mod paths;
mod secrets;
mod user;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand};
use confidant_core::attachment::MAX_ATTACHMENT_BYTES;
use confidant_core::login::SessionLimits;
use confidant_core::passkey::PasskeyConfig;
use confidant_core::ports::SystemClock;
use confidant_core::{AuditConfig, Options, Vault};
use confidant_server::{AppState, CookieSecurity, DEFAULT_MAX_BODY_BYTES, ServerConfig};
use confidant_store::{FsBlobStore, SqliteStore};

/// Confidant: a clinical-records server that keeps what clients say confidential.
#[derive(Debug, Parser)]
#[command(name = "confidant", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new practice in an empty data directory.
    Init(InitArgs),
    /// Unseal a practice and serve the API.
    Serve(ServeArgs),
    /// Run a throwaway practice with fictional clients, served at once.
    Demo(DemoArgs),
    /// Administer staff accounts from the server console.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Check or export the tamper-evident audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// De-identify therapy text, or score the de-identifier on a labelled file.
    Deid(deid::DeidArgs),
}

#[derive(Debug, Args)]
struct InitArgs {
    /// Data directory (created if missing; must be empty).
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Key file that unseals the practice, kept outside DIR (created if missing).
    #[arg(long, value_name = "PATH")]
    key_file: Option<PathBuf>,
    /// Name of an environment variable holding an unseal passphrase (12+ characters).
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// Where to write the owner's API token (must not exist yet; kept outside DIR).
    #[arg(long, value_name = "FILE")]
    owner_token_out: PathBuf,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Data directory made by `confidant init`.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    unseal: secrets::UnsealArgs,
    /// Largest request body accepted, in bytes.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Sign an audit checkpoint after this many events.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every_events: u64,
    /// Sign an audit checkpoint after this many seconds if there are new events.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    checkpoint_every_secs: u64,
    /// Sessions end after this many minutes without a request.
    #[arg(long, value_name = "MIN", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=1440))]
    idle_timeout_mins: u64,
    /// Sessions end this many hours after sign-in.
    #[arg(long, value_name = "HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=168))]
    session_max_hours: u64,
    /// How long break-glass access lasts, in minutes.
    #[arg(long, value_name = "MIN", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=1440))]
    break_glass_mins: u64,
    /// Development only, and only on a loopback address: session cookies without `Secure`, so
    /// a browser keeps them over plain http.
    #[arg(long)]
    insecure_dev_cookies: bool,
    /// The address staff open in their browsers, e.g. https://confidant.example.org: turns on
    /// passkeys, which are bound to its host name (a new host name orphans every passkey).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Largest attachment accepted, in bytes (at most 4 GiB, the default).
    #[arg(long, value_name = "N", default_value_t = MAX_ATTACHMENT_BYTES, value_parser = clap::value_parser!(u64).range(1..=MAX_ATTACHMENT_BYTES))]
    max_attachment_bytes: u64,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Keep the demo practice in DIR (new or empty) instead of a temporary directory.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(args) => init(args),
        Command::Serve(args) => serve(args),
        Command::Demo(args) => demo::run(args.data.as_deref(), args.listen),
        Command::Audit(cmd) => audit::run(cmd),
        Command::Deid(args) => deid::run(args),
        Command::User(cmd) => user::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init(args: InitArgs) -> Result<()> {
    // Check everything that can be checked before writing anything.
    paths::check_empty_or_missing(&args.data)?;
    paths::check_outside("--owner-token-out", &args.owner_token_out, &args.data)?;
    let methods = secrets::init_methods(
        args.key_file.as_deref(),
        args.passphrase_env.as_deref(),
        &args.data,
    )?;
    let mut created_dir = false;
    let outcome = (|| -> Result<_> {
        let token_file = paths::NewFile::create(&args.owner_token_out).with_context(|| {
            format!(
                "cannot create the owner token file {}",
                args.owner_token_out.display()
            )
        })?;
        created_dir = paths::prepare_empty_dir(&args.data)?;
        let store = SqliteStore::open(&args.data).context("cannot create the database")?;
        let done = confidant_core::init(&store, &SystemClock, &methods.secrets)?;
        Ok((token_file, done))
    })();
    let (mut token_file, done) = match outcome {
        Ok(ok) => ok,
        Err(e) => {
            // Leave nothing half-made: what this run created goes again.
            if created_dir {
                let _ = std::fs::remove_dir_all(&args.data);
            }
            methods.discard_created_key_file();
            return Err(e);
        }
    };
    token_file.write_all_and_keep(format!("{}\n", done.owner_token.reveal()).as_bytes())?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Initialized practice {} in {}",
        done.practice_id,
        args.data.display()
    )?;
    if let Some(k) = &methods.created_key_file {
        writeln!(
            out,
            "Created key file {}: keep it outside the data directory and its backups",
            k.display()
        )?;
    }
    writeln!(
        out,
        "Owner API token written to {}",
        args.owner_token_out.display()
    )?;
    writeln!(out, "Recovery code: {}", &*done.recovery_code.reveal())?;
    writeln!(
        out,
        "Write the recovery code down and keep it offline: it unseals the practice if every other method is lost, and it is shown only now."
    )?;
    Ok(())
}

fn serve(args: ServeArgs) -> Result<()> {
    init_logging();
    let passkeys = args
        .public_url
        .as_deref()
        .map(PasskeyConfig::from_public_url)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--public-url {}", e.problem))?;
    let secret = args.unseal.secret()?;
    let cookies = if args.insecure_dev_cookies {
        if !args.listen.ip().is_loopback() {
            bail!("--insecure-dev-cookies is only allowed when listening on a loopback address");
        }
        tracing::warn!(
            "session cookies are sent without Secure: development only, never in production"
        );
        CookieSecurity::LoopbackDevelopment
    } else {
        CookieSecurity::Secure
    };
    let options = Options {
        audit: AuditConfig {
            checkpoint_every_events: args.checkpoint_every_events,
            checkpoint_every: Duration::from_secs(args.checkpoint_every_secs),
        },
        sessions: SessionLimits {
            idle: Duration::from_secs(args.idle_timeout_mins * 60),
            absolute: Duration::from_secs(args.session_max_hours * 3600),
            ..SessionLimits::default()
        },
        passkeys: passkeys.clone(),
    };
    let vault = open_vault_limited(&args.data, &secret, options, args.max_attachment_bytes)?;
    drop(secret);
    match &passkeys {
        Some(p) => tracing::info!(rp_id = %p.rp_id, origin = %p.origin, "passkeys enabled"),
        None => tracing::info!("passkeys disabled: start with --public-url to enable them"),
    }
    let verifier = vault.audit_verifier_key().to_owned();
    let config = ServerConfig {
        max_body_bytes: args.max_body_bytes,
        cookies,
        break_glass_ttl: Duration::from_secs(args.break_glass_mins * 60),
        ..ServerConfig::default()
    };
    run_server(vault, args.listen, config, |addr| {
        println!("Audit verifier key: {verifier}");
        println!("Listening on http://{addr}");
    })
}

/// Opens an existing practice's store and unseals it, its attachments kept in `DATA/blobs`.
fn open_vault(
    data: &Path,
    secret: &confidant_crypto::UnsealSecret,
    options: Options,
) -> Result<Arc<Vault>> {
    open_vault_limited(data, secret, options, MAX_ATTACHMENT_BYTES)
}

/// Like `open_vault`, accepting attachments of at most `max_attachment_bytes`.
fn open_vault_limited(
    data: &Path,
    secret: &confidant_crypto::UnsealSecret,
    options: Options,
    max_attachment_bytes: u64,
) -> Result<Arc<Vault>> {
    if !SqliteStore::exists(data) {
        bail!(
            "no practice in {}; run `confidant init --data {}` first",
            data.display(),
            data.display()
        );
    }
    let store = SqliteStore::open(data).context("cannot open the database")?;
    let vault = Vault::unseal_with(Arc::new(store), Arc::new(SystemClock), secret, options)?;
    // Only once unsealed, so a wrong secret leaves the data directory as it was.
    let blobs = FsBlobStore::in_data_dir(data).context("cannot open the attachment directory")?;
    let vault = vault.with_attachments(Arc::new(blobs), max_attachment_bytes);
    Ok(Arc::new(vault))
}

/// Binds, announces the address, and serves until SIGINT or SIGTERM.
fn run_server(
    vault: Arc<Vault>,
    listen: SocketAddr,
    config: ServerConfig,
    announce: impl FnOnce(SocketAddr),
) -> Result<()> {
    warn_if_insecure_build();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        announce(addr);
        std::io::stdout().flush()?;
        tracing::info!(practice = %vault.practice_id(), %addr, "unsealed and serving");
        let app = confidant_server::app(AppState::new(vault.clone(), config));
        confidant_server::serve(listener, app, shutdown_signal()).await?;
        // Sign the log as it stands, so an exported checkpoint covers everything until now.
        let signed = tokio::task::spawn_blocking(move || vault.checkpoint_now()).await?;
        match signed {
            Ok(size) => tracing::info!(size, "audit checkpoint signed"),
            Err(e) => tracing::error!(error = %e, "could not sign the final audit checkpoint"),
        }
        tracing::info!("stopped");
        Ok(())
    })
}

/// Says, as loudly as it can, that a `bench-insecure-plaintext` binary keeps nothing
/// confidential.
fn warn_if_insecure_build() {
    if !(confidant_crypto::INSECURE_PLAINTEXT || confidant_core::audit::AUDIT_OFF) {
        return;
    }
    let warning = "WARNING: this binary was built with `bench-insecure-plaintext`: client records \
                   are stored UNENCRYPTED and NOTHING is audited. It exists only to benchmark \
                   what encryption and auditing cost; never serve real records with it.";
    for _ in 0..3 {
        eprintln!("{warning}");
    }
    println!("{warning}");
    tracing::warn!("{warning}");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CONFIDANT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
