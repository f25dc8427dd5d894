//! `confidant deid` (de-identify a file or stdin, or JSON lines as one set) and `confidant deid
//! eval` (token-level recall and precision against a labelled JSONL file, and throughput).
//!
//! The work is in `confidant-deid`; this only reads, writes and prints. Errors name a line
//! number or a flag, never the text: the input is client content.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use confidant_deid::eval::Tally;
use confidant_deid::{
    CharIndex, DatePolicy, Deidentifier, KnownIdentifiers, Label, NamePolicy, Options,
    PseudonymTable, Span,
};
use serde_json::Value;

/// `confidant deid [--in FILE] [--out FILE] [--jsonl]`, or `confidant deid eval FILE`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DeidArgs {
    #[command(subcommand)]
    command: Option<DeidCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum DeidCommand {
    /// Score detection against a labelled JSONL file (id, text, spans) and time it.
    Eval(EvalArgs),
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// The labelled file: one {"id", "text", "spans": [{"start", "end", "label"}]} a line,
    /// offsets in characters.
    #[arg(value_name = "FILE.jsonl")]
    file: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Dates {
    /// Move every date by one random offset (or --shift-days), keeping intervals.
    Shift,
    /// Keep only the year.
    Year,
    /// Replace every date by [DATE].
    Remove,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Read from FILE instead of standard input.
    #[arg(long = "in", value_name = "FILE")]
    input: Option<PathBuf>,
    /// Write to FILE (must not exist) instead of standard output.
    #[arg(long = "out", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Input and output are JSON lines {"id", "text"}; the whole file is one set, so a person
    /// keeps one pseudonym and dates one shift throughout.
    #[arg(long)]
    jsonl: bool,
    /// What to do with dates.
    #[arg(long, value_enum, default_value = "shift")]
    dates: Dates,
    /// Shift dates by exactly N days instead of a random offset (±30 to ±365 days).
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = clap::value_parser!(i32).range(-36_500..=36_500))]
    shift_days: Option<i32>,
    /// Replace names by [NAME] instead of consistent pseudonyms.
    #[arg(long)]
    name_placeholders: bool,
}

/// Runs `confidant deid …`.
pub fn run(args: DeidArgs) -> Result<()> {
    match args.command {
        Some(DeidCommand::Eval(e)) => eval(&e.file),
        None => deidentify(&args.run),
    }
}

fn random_u64() -> Result<u64> {
    let mut b = [0u8; 8];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| anyhow!("the system random generator failed"))?;
    Ok(u64::from_le_bytes(b))
}

fn deidentify(args: &RunArgs) -> Result<()> {
    if args.shift_days.is_some() && !matches!(args.dates, Dates::Shift) {
        bail!("--shift-days only goes with --dates shift");
    }
    let input = match &args.input {
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?,
        None => {
            let mut b = Vec::new();
            std::io::stdin()
                .read_to_end(&mut b)
                .context("cannot read standard input")?;
            b
        }
    };
    let input = String::from_utf8(input).map_err(|_| anyhow!("the input is not UTF-8 text"))?;
    let engine = Deidentifier::new(Options {
        names: if args.name_placeholders {
            NamePolicy::Placeholders
        } else {
            NamePolicy::Pseudonyms
        },
    })?;
    let dates = match args.dates {
        Dates::Year => DatePolicy::Year,
        Dates::Remove => DatePolicy::Placeholder,
        Dates::Shift => DatePolicy::Shift {
            days: match args.shift_days {
                Some(d) => d,
                None => random_shift(random_u64()?),
            },
        },
    };
    let mut table = PseudonymTable::new(random_u64()?);
    let known = KnownIdentifiers::new();
    let output = if args.jsonl {
        let mut out = String::with_capacity(input.len());
        for (n, line) in input.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (id, text) = read_doc(line).ok_or_else(|| {
                anyhow!("line {} is not a JSON object with a string \"text\"", n + 1)
            })?;
            let red = engine.deidentify(&text, &known, &mut table, dates)?;
            let obj = serde_json::json!({ "id": id, "text": red.text });
            out.push_str(&obj.to_string());
            out.push('\n');
        }
        out
    } else {
        engine.deidentify(&input, &known, &mut table, dates)?.text
    };
    write_output(args.output.as_deref(), output.as_bytes())
}

/// A shift of 30 to 365 days either way: far enough that no real date survives.
fn random_shift(r: u64) -> i32 {
    let magnitude = 30 + (r % 336) as i32;
    if r & (1 << 40) == 0 {
        magnitude
    } else {
        -magnitude
    }
}

fn read_doc(line: &str) -> Option<(Value, String)> {
    let v: Value = serde_json::from_str(line).ok()?;
    let text = v.get("text")?.as_str()?.to_string();
    Some((v.get("id").cloned().unwrap_or(Value::Null), text))
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(p) => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(p)
                .with_context(|| {
                    format!("cannot create {} (it must not exist yet)", p.display())
                })?;
            f.write_all(bytes)
                .with_context(|| format!("cannot write {}", p.display()))?;
            f.sync_all()
                .with_context(|| format!("cannot write {}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .context("cannot write standard output")?;
            out.flush().context("cannot write standard output")
        }
    }
}

/// One labelled document of an evaluation file.
struct Labelled {
    text: String,
    spans: Vec<Span>,
}

fn read_labelled(n: usize, line: &str) -> Result<Labelled> {
    let bad = || {
        anyhow!(
            "line {n}: expected {{\"text\": string, \"spans\": [{{\"start\", \"end\", \"label\"}}]}}"
        )
    };
    let v: Value = serde_json::from_str(line).map_err(|_| bad())?;
    let text = v
        .get("text")
        .and_then(Value::as_str)
        .ok_or_else(bad)?
        .to_string();
    let index = CharIndex::new(&text);
    let mut spans = Vec::new();
    for s in v.get("spans").and_then(Value::as_array).ok_or_else(bad)? {
        let num = |k: &str| {
            s.get(k)
                .and_then(Value::as_u64)
                .and_then(|x| usize::try_from(x).ok())
        };
        let (Some(start), Some(end)) = (num("start"), num("end")) else {
            return Err(bad());
        };
        let label = s
            .get("label")
            .and_then(Value::as_str)
            .and_then(Label::parse)
            .ok_or_else(|| anyhow!("line {n}: unknown span label"))?;
        let (Some(start), Some(end)) = (index.byte_of(start), index.byte_of(end)) else {
            bail!("line {n}: a span lies outside the text");
        };
        if start > end {
            bail!("line {n}: a span ends before it starts");
        }
        spans.push(Span { start, end, label });
    }
    Ok(Labelled { text, spans })
}

fn eval(file: &Path) -> Result<()> {
    let data = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let data =
        String::from_utf8(data).map_err(|_| anyhow!("{} is not UTF-8 text", file.display()))?;
    let docs = data
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| read_labelled(n + 1, l))
        .collect::<Result<Vec<_>>>()?;
    if docs.is_empty() {
        bail!("{} holds no documents", file.display());
    }
    let engine = Deidentifier::new(Options::default())?;
    let known = KnownIdentifiers::new();
    let mut tally = Tally::default();
    for d in &docs {
        tally.add(&d.text, &d.spans, &engine.detect(&d.text, &known));
    }
    // Throughput: detection only, over the whole file, repeated for at least a second.
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let start = Instant::now();
    let mut passes = 0u32;
    let mut found = 0usize;
    while passes == 0 || start.elapsed().as_secs_f64() < 1.0 {
        for d in &docs {
            found += engine.detect(&d.text, &known).len();
        }
        passes += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let mb_s = bytes as f64 * f64::from(passes) / secs / 1e6;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} documents; tokens are runs of letters and digits; a token counts if any span overlaps it",
        tally.documents
    )?;
    write!(out, "{tally}")?;
    writeln!(
        out,
        "throughput: {mb_s:.1} MB/s on one core ({bytes} bytes x {passes} passes in {secs:.2} s, {} spans a pass)",
        found / passes as usize
    )?;
    Ok(())
}
