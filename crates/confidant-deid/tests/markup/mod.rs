//! Held-out sets written as inline markup, `[[LABEL|text]]`, and the scorer they share: the
//! plain text and gold spans, then token-level recall and precision, every identifier missed
//! (wholly or in part) and every extra printed for the reader.

use confidant_deid::eval::Tally;
use confidant_deid::{Deidentifier, KnownIdentifiers, Label, Options, Span};

/// Parses `[[LABEL|text]]` markup into plain text and gold spans (byte offsets).
pub fn parse(doc: &str) -> (String, Vec<Span>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut rest = doc;
    while let Some(open) = rest.find("[[") {
        text.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("]]").expect("markup closes");
        let (label, value) = after[..close].split_once('|').expect("LABEL|text");
        let label = Label::parse(label).unwrap_or_else(|| panic!("label {label}"));
        let start = text.len();
        text.push_str(value);
        spans.push(Span {
            start,
            end: text.len(),
            label,
        });
        rest = &after[close + 2..];
    }
    text.push_str(rest);
    (text, spans)
}

/// Scores `docs`, printing every identifier missed (wholly or in part) and every extra.
pub fn score(docs: &[&str]) -> Tally {
    let engine = Deidentifier::new(Options::default()).unwrap();
    let mut tally = Tally::default();
    for doc in docs {
        let (text, gold) = parse(doc);
        let found = engine.detect(&text, &KnownIdentifiers::new());
        for g in &gold {
            let covered = (g.start..g.end)
                .filter(|&b| text.is_char_boundary(b))
                .filter(|&b| text[b..].starts_with(char::is_alphanumeric))
                .all(|b| found.iter().any(|f| f.start <= b && b < f.end));
            if !covered {
                eprintln!("missed {:?} {:?}", g.label, &text[g.range()]);
            }
        }
        for f in &found {
            if !gold.iter().any(|g| f.start < g.end && g.start < f.end) {
                eprintln!("extra {:?} {:?}", f.label, &text[f.range()]);
            }
        }
        tally.add(&text, &gold, &found);
    }
    eprintln!("{tally}");
    tally
}

/// Asserts the targets on `docs`: recall ≥ 0.99, precision ≥ 0.90.
pub fn assert_targets(name: &str, docs: &[&str]) {
    let all = score(docs).overall;
    assert!(all.recall() >= 0.99, "{name}: recall {:.4}", all.recall());
    assert!(
        all.precision() >= 0.90,
        "{name}: precision {:.4}",
        all.precision()
    );
}
