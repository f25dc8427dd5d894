//! `confidant user add | list | deactivate | reset-mfa`: staff administration from the server's
//! console, acting as the practice owner (audited as the owner, through the console).

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use confidant_core::ActorId;
use confidant_core::staff::{INVITATION_TTL, NewStaff};

use crate::secrets::UnsealArgs;

/// The user subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Invite a staff member; prints the one-time invitation token.
    Add(AddArgs),
    /// List staff accounts.
    List(Common),
    /// Deactivate an account: its sessions and tokens stop working at once.
    Deactivate(Target),
    /// Clear an account's second factor; they enrol again at next sign-in.
    ResetMfa(Target),
}

#[derive(Debug, Args)]
pub struct Common {
    /// Data directory.
    #[arg(long, value_name = "DIR")]
    data: PathBuf,
    #[command(flatten)]
    unseal: UnsealArgs,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    common: Common,
    /// Work e-mail (their sign-in name).
    #[arg(long)]
    email: String,
    /// Name shown to colleagues.
    #[arg(long)]
    name: String,
    /// owner, privacy_officer, clinician, supervisor, trainee, front_desk, biller or virtual_assistant.
    #[arg(long)]
    role: String,
}

#[derive(Debug, Args)]
pub struct Target {
    #[command(flatten)]
    common: Common,
    /// The account's id (from `user list`).
    #[arg(long, value_name = "ID")]
    id: String,
}

fn parse_id(text: &str) -> Result<ActorId> {
    ActorId::parse(text)
        .with_context(|| format!("{text} is not a staff id; see `confidant user list`"))
}

/// Runs a user subcommand.
pub fn run(cmd: UserCommand) -> Result<()> {
    let common = match &cmd {
        UserCommand::Add(a) => &a.common,
        UserCommand::List(c) => c,
        UserCommand::Deactivate(t) | UserCommand::ResetMfa(t) => &t.common,
    };
    let secret = common.unseal.secret()?;
    let vault = crate::open_vault(&common.data, &secret, confidant_core::Options::default())?;
    drop(secret);
    let console = vault.console_access()?;
    match cmd {
        UserCommand::Add(a) => {
            let new = NewStaff {
                email: a.email,
                display_name: a.name,
                role: a.role,
            };
            let inv = vault.invite_staff(&console, new, INVITATION_TTL)?;
            println!("Invited staff member {}", inv.user);
            println!(
                "Invitation token (give it to them privately; it works once, until {}): {}",
                inv.expires_at,
                inv.token.reveal()
            );
        }
        UserCommand::List(_) => {
            for s in vault.staff(&console)? {
                println!(
                    "{}  {:<18} {:<12} mfa:{:<3} {}  {}",
                    s.id,
                    s.role,
                    s.status,
                    if s.mfa_enrolled { "yes" } else { "no" },
                    s.email.as_deref().unwrap_or("-"),
                    s.display_name
                );
            }
        }
        UserCommand::Deactivate(t) => {
            vault.deactivate_staff(&console, parse_id(&t.id)?)?;
            println!(
                "Deactivated {}; its sessions and tokens no longer work",
                t.id
            );
        }
        UserCommand::ResetMfa(t) => {
            vault.reset_mfa(&console, parse_id(&t.id)?)?;
            println!(
                "Reset the second factor of {}; they enrol again at next sign-in",
                t.id
            );
        }
    }
    Ok(())
}
