//! Where unseal secrets come from: a key file, or an environment variable named on the command
//! line (never the secret itself as an argument, which `ps` would show).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::Args;
use confidant_crypto::{KeyFileSecret, Passphrase, RecoveryCode, UnsealSecret};

use crate::paths::{self, NewFile};

/// Exactly one way to unseal.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct UnsealArgs {
    /// Key file made at init.
    #[arg(long, value_name = "PATH")]
    key_file: Option<PathBuf>,
    /// Name of an environment variable holding the passphrase.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// Name of an environment variable holding the recovery code.
    #[arg(long, value_name = "VAR")]
    recovery_code_env: Option<String>,
}

fn env_secret(var: &str, what: &str) -> Result<String> {
    std::env::var(var)
        .with_context(|| format!("environment variable {var} (the {what}) is not set"))
}

fn read_key_file(path: &Path) -> Result<KeyFileSecret> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    KeyFileSecret::parse(&text).with_context(|| format!("key file {}", path.display()))
}

impl UnsealArgs {
    /// The secret the operator chose.
    pub fn secret(&self) -> Result<UnsealSecret> {
        if let Some(path) = &self.key_file {
            return Ok(UnsealSecret::KeyFile(read_key_file(path)?));
        }
        if let Some(var) = &self.passphrase_env {
            return Ok(UnsealSecret::Passphrase(Passphrase::for_unseal(
                env_secret(var, "passphrase")?,
            )));
        }
        if let Some(var) = &self.recovery_code_env {
            let code = RecoveryCode::parse(&env_secret(var, "recovery code")?)?;
            return Ok(UnsealSecret::RecoveryCode(code));
        }
        bail!("give one of --key-file, --passphrase-env or --recovery-code-env")
    }
}

/// The unseal methods `init` will create, and a key file it made (to remove if init fails).
pub struct InitMethods {
    /// One secret per method.
    pub secrets: Vec<UnsealSecret>,
    /// A key file this run created.
    pub created_key_file: Option<PathBuf>,
}

impl InitMethods {
    /// Removes a key file this run created, after a failed init.
    pub fn discard_created_key_file(&self) {
        if let Some(p) = &self.created_key_file {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Reads or creates the secrets for `init`, checking them before anything is written.
pub fn init_methods(
    key_file: Option<&Path>,
    passphrase_env: Option<&str>,
    data: &Path,
) -> Result<InitMethods> {
    if key_file.is_none() && passphrase_env.is_none() {
        bail!("give --key-file PATH and/or --passphrase-env VAR so the practice can be unsealed");
    }
    let mut secrets = Vec::new();
    if let Some(var) = passphrase_env {
        secrets.push(UnsealSecret::Passphrase(Passphrase::new(env_secret(
            var,
            "passphrase",
        )?)?));
    }
    let mut created_key_file = None;
    if let Some(path) = key_file {
        paths::check_outside("--key-file", path, data)?;
        if path.exists() {
            secrets.push(UnsealSecret::KeyFile(read_key_file(path)?));
        } else {
            let secret = KeyFileSecret::generate()?;
            NewFile::create(path)
                .and_then(|mut f| f.write_all_and_keep(secret.encode().as_bytes()))
                .with_context(|| format!("cannot create key file {}", path.display()))?;
            created_key_file = Some(path.to_path_buf());
            secrets.push(UnsealSecret::KeyFile(secret));
        }
    }
    Ok(InitMethods {
        secrets,
        created_key_file,
    })
}
