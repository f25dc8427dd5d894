//! `cargo xtask <task>`: the project's own commands. `test` is the one command that runs every
//! check CI runs, installing and starting whatever the tests need (OpenSSL's development files
//! if a machine lacks them).

use std::process::{Command, ExitCode};
use std::time::Instant;

/// One step: a label and a cargo invocation.
struct Step {
    label: &'static str,
    args: &'static [&'static str],
}

const TEST: &[Step] = &[
    Step {
        label: "formatting",
        args: &["fmt", "--all", "--check"],
    },
    Step {
        label: "lints",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    },
    Step {
        label: "tests",
        args: &["test", "--workspace", "--locked"],
    },
];

const BENCH: &[Step] = &[Step {
    label: "benchmarks",
    args: &["bench", "--workspace", "--locked"],
}];

/// Installs what the build needs beyond Rust and a C compiler (OpenSSL's development files,
/// for WebAuthn) when they are missing, with the system's package manager.
fn prerequisites() -> Result<(), String> {
    let has_openssl = Command::new("pkg-config")
        .args(["--exists", "openssl"])
        .status()
        .is_ok_and(|s| s.success());
    if has_openssl {
        return Ok(());
    }
    eprintln!("==> installing libssl-dev and pkg-config (needed to build WebAuthn support)");
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("cannot run apt-get: {e}"))
            .and_then(|s| {
                if s.success() {
                    Ok(())
                } else {
                    Err(format!("apt-get {} failed ({s})", args.join(" ")))
                }
            })
    };
    apt(&["update"])?;
    apt(&[
        "install",
        "-y",
        "--no-install-recommends",
        "libssl-dev",
        "pkg-config",
    ])
}

fn run(steps: &[Step]) -> ExitCode {
    if let Err(e) = prerequisites() {
        eprintln!("==> {e}; install libssl-dev and pkg-config by hand and try again");
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let started = Instant::now();
    for step in steps {
        eprintln!("==> {} (cargo {})", step.label, step.args.join(" "));
        let t = Instant::now();
        match Command::new(&cargo).args(step.args).status() {
            Ok(s) if s.success() => eprintln!("==> {} passed in {:.0?}", step.label, t.elapsed()),
            Ok(s) => {
                eprintln!("==> {} FAILED ({s})", step.label);
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("==> could not run cargo for {}: {e}", step.label);
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("==> all steps passed in {:.0?}", started.elapsed());
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("test") => run(TEST),
        Some("bench") => run(BENCH),
        _ => {
            eprintln!(
                "usage: cargo xtask <test|bench>\n  test   formatting, lints and every test (what CI runs)\n  bench  every benchmark, printing its figures"
            );
            ExitCode::from(2)
        }
    }
}
