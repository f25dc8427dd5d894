//! `cargo xtask <task>`: the project's own commands. `test` is the one command that runs every
//! check CI runs, installing and starting whatever the tests need.

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

fn run(steps: &[Step]) -> ExitCode {
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
