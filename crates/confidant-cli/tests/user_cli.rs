//! `confidant user …` from the server console: invite, list, deactivate and reset a second
//! factor, acting as the owner; bad input gets one clear line and changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;

use std::ffi::OsString;

use common::*;

fn user(practice: &Practice, rest: &[&str]) -> CliOutput {
    let key = practice.key_file.as_ref().unwrap();
    let mut args: Vec<OsString> = args![
        "user",
        rest[0],
        "--data",
        &practice.data_dir,
        "--key-file",
        key
    ];
    args.extend(rest[1..].iter().map(OsString::from));
    run_cli(&args, &[])
}

fn listed(practice: &Practice) -> String {
    let out = user(practice, &["list"]);
    out.assert_success("user list");
    out.stdout
}

#[test]
fn the_console_invites_lists_resets_and_deactivates_staff() {
    let practice = Practice::with_key_file();
    let out = user(
        &practice,
        &[
            "add",
            "--email",
            "Ada@Practice.Example",
            "--name",
            "Ada Example",
            "--role",
            "clinician",
        ],
    );
    out.assert_success("user add");
    let id = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Invited staff member "))
        .unwrap()
        .trim()
        .to_owned();
    let token_line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("Invitation token"))
        .unwrap();
    assert!(token_line.contains("cfd_"), "{token_line}");

    let list = listed(&practice);
    let row = list.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        row.contains("clinician")
            && row.contains("invited")
            && row.contains("ada@practice.example"),
        "{row}"
    );
    assert!(
        list.lines()
            .any(|l| l.contains("owner") && l.contains("active")),
        "{list}"
    );

    user(&practice, &["reset-mfa", "--id", &id]).assert_success("user reset-mfa");
    user(&practice, &["deactivate", "--id", &id]).assert_success("user deactivate");
    let row = listed(&practice)
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap()
        .to_owned();
    assert!(row.contains("deactivated"), "{row}");
}

#[test]
fn bad_console_input_is_refused_with_one_line_and_changes_nothing() {
    let practice = Practice::with_key_file();
    let before = listed(&practice);
    for (what, rest) in [
        (
            "unknown role",
            vec![
                "add",
                "--email",
                "b@practice.example",
                "--name",
                "B",
                "--role",
                "wizard",
            ],
        ),
        (
            "bad e-mail",
            vec![
                "add",
                "--email",
                "not-an-email",
                "--name",
                "B",
                "--role",
                "biller",
            ],
        ),
        ("not an id", vec!["deactivate", "--id", "nope"]),
        (
            "unknown id",
            vec!["deactivate", "--id", "00000000-0000-4000-8000-000000000000"],
        ),
    ] {
        user(&practice, &rest).assert_refused_with_one_line(what);
    }
    let owner_row = before.lines().find(|l| l.contains(" owner ")).unwrap();
    let owner_id = owner_row.split_whitespace().next().unwrap();
    let line = user(&practice, &["deactivate", "--id", owner_id])
        .assert_refused_with_one_line("deactivating oneself");
    assert!(
        line.contains("own") || line.contains("themselves"),
        "{line}"
    );
    assert_eq!(listed(&practice), before);
}
