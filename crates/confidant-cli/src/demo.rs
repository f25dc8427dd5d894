//! `confidant demo`: a throwaway practice with a dozen fictional clients, served at once.
//!
//! Every person here is invented (phone numbers in the 555-01xx range reserved for fiction,
//! e-mail at example.org). The practice is sealed under a key held only in memory; the
//! recovery code printed at start is the one way to reopen a kept `--data` directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use confidant_core::attachment::MAX_ATTACHMENT_BYTES;
use confidant_core::ports::SystemClock;
use confidant_core::{Access, ClientInput, NoteInput, NoteKind, Purpose, Vault};
use confidant_crypto::{KeyFileSecret, UnsealSecret};
use confidant_store::{FsBlobStore, SqliteStore};

use crate::{paths, run_server};

/// (legal name, preferred name, date of birth, city) of each fictional client.
const PEOPLE: [(&str, Option<&str>, &str, &str); 12] = [
    ("Juniper Vale", Some("June"), "1988-03-14", "Maplewood"),
    ("Orrin Castell", None, "1975-11-02", "Brightwater"),
    ("Maribel Quist", Some("Mari"), "1999-06-21", "Harrow Glen"),
    ("Tobias Wrenfield", None, "1964-01-30", "Maplewood"),
    ("Selene Farrowby", None, "2003-09-09", "Eastmere"),
    (
        "Dashiell Brookhart",
        Some("Dash"),
        "1991-12-12",
        "Brightwater",
    ),
    ("Imogen Thornquist", None, "1982-07-04", "Harrow Glen"),
    ("Caspian Halloway", Some("Cas"), "1996-02-17", "Eastmere"),
    (
        "Wilhelmina Rookwood",
        Some("Billie"),
        "1958-10-23",
        "Maplewood",
    ),
    ("Ezra Callowmere", None, "2001-05-05", "Brightwater"),
    ("Posy Lindqvane", None, "1979-08-30", "Eastmere"),
    (
        "Rafferty Mossgrove",
        Some("Raff"),
        "1986-04-11",
        "Harrow Glen",
    ),
];

/// Fictional progress-note texts, cycled over the clients.
const NOTES: [&str; 4] = [
    "Client reports improved sleep since starting the wind-down routine. Practised paced breathing in session. Plan: continue sleep diary; review in two weeks.",
    "Discussed stressors at work and a recent conflict with a sibling. Identified two cognitive distortions and reframed them. Homework: thought record, three entries.",
    "Mood more stable this week (self-rated 6/10). Explored values exercise; client named connection and curiosity. Plan: schedule one valued activity daily.",
    "Client arrived on time, engaged well. Reviewed safety plan, no current risk indicated. Continued exposure hierarchy, step 3 completed with moderate anxiety.",
];

/// Creates the demo practice and serves it until interrupted.
pub fn run(data: Option<&Path>, listen: SocketAddr) -> Result<()> {
    crate::init_logging();
    let temp = match data {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("confidant-demo-")
                .tempdir()?,
        ),
    };
    let dir: PathBuf = match (&temp, data) {
        (Some(t), _) => t.path().to_path_buf(),
        (None, Some(d)) => d.to_path_buf(),
        (None, None) => anyhow::bail!("no data directory"),
    };
    paths::check_empty_or_missing(&dir)?;
    paths::prepare_empty_dir(&dir)?;
    let store = Arc::new(SqliteStore::open(&dir).context("cannot create the demo database")?);
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate()?);
    let done = confidant_core::init(store.as_ref(), &SystemClock, std::slice::from_ref(&key))?;
    let blobs =
        FsBlobStore::in_data_dir(&dir).context("cannot create the demo's attachment directory")?;
    let vault = Arc::new(
        Vault::unseal(store, Arc::new(SystemClock), &key)?
            .with_attachments(Arc::new(blobs), MAX_ATTACHMENT_BYTES),
    );
    drop(key);
    populate(&vault, &done.owner_token)?;
    let token = done.owner_token.reveal().to_owned();
    let recovery = done.recovery_code.reveal();
    let kept = temp.is_none();
    run_server(vault, listen, demo_config(listen), move |addr| {
        println!("Confidant demo: a throwaway practice with 12 fictional clients.");
        println!("URL: http://{addr}");
        println!("Token: {token}");
        println!("Try: curl -H 'Authorization: Bearer {token}' http://{addr}/api/v1/clients");
        if kept {
            println!(
                "Data: {} (kept; reopen with `confidant serve --recovery-code-env VAR`)",
                dir.display()
            );
            println!("Recovery code: {}", &*recovery);
        } else {
            println!("Data: {} (deleted when the demo stops)", dir.display());
        }
        println!("Listening on http://{addr}");
    })?;
    drop(temp);
    Ok(())
}

/// The demo serves plain http on loopback, so its session cookies drop `Secure` there.
fn demo_config(listen: SocketAddr) -> confidant_server::ServerConfig {
    let cookies = if listen.ip().is_loopback() {
        confidant_server::CookieSecurity::LoopbackDevelopment
    } else {
        confidant_server::CookieSecurity::Secure
    };
    confidant_server::ServerConfig {
        cookies,
        ..Default::default()
    }
}

fn populate(vault: &Vault, token: &confidant_crypto::ApiTokenSecret) -> Result<()> {
    let owner = Access {
        actor: vault.authenticate(token)?,
        purpose: Purpose::Operations,
        source: None,
    };
    for (i, (legal, preferred, dob, city)) in PEOPLE.iter().enumerate() {
        let first = legal.split(' ').next().unwrap_or(legal).to_lowercase();
        let input = ClientInput {
            legal_name: (*legal).to_owned(),
            preferred_name: preferred.map(str::to_owned),
            date_of_birth: (*dob).to_owned(),
            phone: Some(format!("555-01{:02}", 10 + i)),
            email: Some(format!("{first}@example.org")),
            address: Some(format!("{} Example Lane, {city}", 10 + i * 7)),
            emergency_contact: Some(format!("Fictional Contact {}, 555-01{:02}", i + 1, 40 + i)),
        };
        let client = vault.create_client(&owner, input)?;
        for n in 0..2 {
            let body = NOTES[(i + n) % NOTES.len()].to_owned();
            vault.create_note(
                &owner,
                client,
                NoteInput {
                    sign: true,
                    ..NoteInput::free(NoteKind::Progress, body)
                },
            )?;
        }
    }
    Ok(())
}
