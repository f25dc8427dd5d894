//! `confidant audit verify` and `confidant audit checkpoint`: check the log from the database
//! alone (no unseal needed), and export the latest signed checkpoint for safekeeping elsewhere.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use confidant_audit::AuditVerifierKey;
use confidant_core::audit::verify_log;
use confidant_core::ports::{AuditStore, Store};
use confidant_store::SqliteStore;
use indicatif::{ProgressBar, ProgressStyle};

/// The audit subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the log's Merkle tree and check every checkpoint against it.
    Verify(VerifyArgs),
    /// Export the latest signed checkpoint to a file kept elsewhere.
    Checkpoint(CheckpointArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Data directory.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// A checkpoint exported earlier (repeatable): the log must still extend it.
    #[arg(long = "checkpoint", value_name = "FILE")]
    checkpoints: Vec<PathBuf>,
    /// The audit verifier key printed by `serve`, to check signatures against a key kept
    /// outside the database.
    #[arg(long, value_name = "KEY")]
    verifier_key: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// Data directory.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    /// Where to write the checkpoint (outside DIR).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

fn open_store(data: &Path) -> Result<SqliteStore> {
    if !SqliteStore::exists(data) {
        bail!("no practice in {}; check --data", data.display());
    }
    SqliteStore::open(data).context("cannot open the database")
}

/// Runs an audit subcommand; verification failure is exit code 1 like any error.
pub fn run(cmd: AuditCommand) -> Result<()> {
    match cmd {
        AuditCommand::Verify(args) => verify(&args),
        AuditCommand::Checkpoint(args) => export(&args),
    }
}

fn verify(args: &VerifyArgs) -> Result<()> {
    let pinned = args
        .verifier_key
        .as_deref()
        .map(AuditVerifierKey::parse)
        .transpose()
        .context("--verifier-key is not an audit verifier key (name+id+key)")?;
    let external = args
        .checkpoints
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read checkpoint {}", p.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let store = open_store(&args.data)?;
    let total = store.audit_size()?;
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "verifying {bar:40} {pos}/{len} events ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if total < 100_000 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let outcome = verify_log(
        &store as &dyn Store,
        pinned.as_ref(),
        &external,
        &mut |done, _| bar.set_position(done),
    )?;
    bar.finish_and_clear();
    match outcome {
        Ok(r) => {
            println!(
                "audit log OK: {} events, root {}, {} stored and {} external checkpoints verified, signatures checked against {}",
                r.size,
                r.root.to_hex(),
                r.stored_checkpoints,
                r.external_checkpoints,
                if r.key_pinned {
                    "the given verifier key"
                } else {
                    "the key stored in the database (pin one with --verifier-key)"
                }
            );
            Ok(())
        }
        Err(failure) => match failure.first_bad_seq() {
            Some(seq) => bail!("audit log verification FAILED at event {seq}: {failure}"),
            None => bail!("audit log verification FAILED: {failure}"),
        },
    }
}

fn export(args: &CheckpointArgs) -> Result<()> {
    crate::paths::check_outside("--out", &args.out, &args.data)?;
    let store = open_store(&args.data)?;
    let Some(row) = store.latest_checkpoint()? else {
        bail!(
            "the audit log has no checkpoint yet; serve the practice (a checkpoint is signed at shutdown) and try again"
        );
    };
    let key = store
        .audit_key()?
        .map(|k| k.verifier_key)
        .unwrap_or_default();
    std::fs::write(&args.out, &row.note)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "Exported the checkpoint of {} events to {}",
        row.size,
        args.out.display()
    );
    println!("Audit verifier key: {key}");
    Ok(())
}
