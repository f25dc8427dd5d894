//! End to end: `confidant deid` on stdin, files and JSON lines, and `confidant deid eval` on a
//! labelled file, run as the real binary. All text is invented.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_confidant");

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn deid_replaces_identifiers_from_stdin_and_shifts_dates_by_the_given_days() {
    let o = run(
        &["deid", "--shift-days", "10"],
        "Session 2024-03-05 with Tobias Pemberton; call 406-555-0134 or t.p@example.net.\n",
    );
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    assert!(text.starts_with("Session 2024-03-15 with "), "{text}");
    assert!(text.ends_with("; call [PHONE] or [EMAIL].\n"), "{text}");
    assert!(
        !text.contains("Tobias") && !text.contains("Pemberton"),
        "{text}"
    );
}

#[test]
fn deid_jsonl_keeps_one_pseudonym_and_one_shift_across_the_file() {
    let input = concat!(
        r#"{"id":"a","text":"Met Marisol Okafor on 2024-01-10."}"#,
        "\n",
        r#"{"id":"b","text":"Marisol called on 2024-01-20."}"#,
        "\n"
    );
    let o = run(&["deid", "--jsonl"], input);
    assert!(o.status.success(), "{}", err(&o));
    let lines: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    let a = lines[0]["text"].as_str().unwrap();
    let b = lines[1]["text"].as_str().unwrap();
    assert!(
        !a.contains("Marisol") && !b.contains("Marisol") && !a.contains("Okafor"),
        "{a} / {b}"
    );
    let given = a.trim_start_matches("Met ").split(' ').next().unwrap();
    assert!(b.starts_with(&format!("{given} called on ")), "{a} / {b}");
    // The two dates keep their 10-day interval, whatever the random shift was.
    let day = |s: &str| -> i64 {
        let d = &s[s.len() - 11..s.len() - 1];
        let p: Vec<i64> = d.split('-').map(|x| x.parse().unwrap()).collect();
        days_from_civil(p[0], p[1], p[2])
    };
    assert_ne!(&a[a.len() - 11..], "2024-01-10.", "{a}");
    assert_eq!(day(b) - day(a), 10, "{a} / {b}");
}

#[test]
fn deid_reads_and_writes_files_and_will_not_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("note.txt");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, "Grace Whitfield lives at 12 Oak St, Apt 4B.\n").unwrap();
    let args = [
        "deid",
        "--in",
        input.to_str().unwrap(),
        "--out",
        output.to_str().unwrap(),
        "--dates",
        "year",
    ];
    let o = run(&args, "");
    assert!(o.status.success(), "{}", err(&o));
    let text = std::fs::read_to_string(&output).unwrap();
    assert!(
        text.ends_with(" lives at [ADDRESS].\n") && !text.contains("Whitfield"),
        "{text}"
    );
    let again = run(&args, "");
    assert!(!again.status.success());
    assert_eq!(std::fs::read_to_string(&output).unwrap(), text);
}

#[test]
fn deid_errors_are_one_line_and_never_echo_the_text() {
    let marker = "Zebulon Quarrington-Vale";
    let o = run(
        &["deid", "--jsonl"],
        &format!("{{\"id\": 1, \"text\": 5, \"note\": \"{marker}\"}}\n"),
    );
    assert!(!o.status.success());
    let e = err(&o);
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    assert!(e.contains("line 1") && !e.contains("Zebulon"), "{e}");
    assert!(out(&o).is_empty());
    let bad_eval = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        bad_eval.path(),
        format!("{{\"text\": \"{marker}\", \"spans\": [{{\"start\": 0}}]}}\n"),
    )
    .unwrap();
    let o = run(&["deid", "eval", bad_eval.path().to_str().unwrap()], "");
    assert!(!o.status.success());
    let e = err(&o);
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    assert!(!e.contains("Zebulon"), "{e}");
}

#[test]
fn deid_eval_prints_recall_precision_per_label_and_throughput() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let text = "Met Tobias Pemberton on 2024-03-05; PHQ-9: 14.";
    let doc = serde_json::json!({
        "id": "t1",
        "text": text,
        "spans": [
            {"start": 4, "end": 20, "label": "NAME"},
            {"start": 24, "end": 34, "label": "DATE"}
        ]
    });
    std::fs::write(file.path(), format!("{doc}\n")).unwrap();
    let o = run(&["deid", "eval", file.path().to_str().unwrap()], "");
    assert!(o.status.success(), "{}", err(&o));
    let report = out(&o);
    assert!(report.contains("1 documents"), "{report}");
    for row in ["ANY", "NAME", "DATE"] {
        let line = report
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("{report}"));
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&cols[1..3], ["1.0000", "1.0000"], "{report}");
    }
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("throughput: ") && l.contains("MB/s")),
        "{report}"
    );
}

/// Days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}
