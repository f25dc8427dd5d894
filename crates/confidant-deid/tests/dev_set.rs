//! The development set (`../shared/deid/dev.jsonl`, beside the repository) scored as `confidant
//! deid eval` scores it: recall ≥ 0.99 and precision ≥ 0.90 on "any identifier".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use confidant_deid::eval::Tally;
use confidant_deid::{CharIndex, Deidentifier, KnownIdentifiers, Label, Options, Span};
use serde_json::Value;

fn dev_set() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/deid/dev.jsonl")
}

#[test]
fn development_set_meets_the_recall_and_precision_targets() {
    let path = dev_set();
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the development set is missing: expected {} (shared/deid/dev.jsonl beside the repository): {e}",
            path.display()
        )
    });
    let engine = Deidentifier::new(Options::default()).unwrap();
    let known = KnownIdentifiers::new();
    let mut tally = Tally::default();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let text = v["text"].as_str().unwrap();
        let idx = CharIndex::new(text);
        let gold: Vec<Span> = v["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| Span {
                start: idx.byte_of(s["start"].as_u64().unwrap() as usize).unwrap(),
                end: idx.byte_of(s["end"].as_u64().unwrap() as usize).unwrap(),
                label: Label::parse(s["label"].as_str().unwrap()).unwrap(),
            })
            .collect();
        tally.add(text, &gold, &engine.detect(text, &known));
    }
    println!("{tally}");
    assert!(tally.documents >= 300, "only {} documents", tally.documents);
    let o = tally.overall;
    assert!(
        o.recall() >= 0.99,
        "recall {:.4} < 0.99\n{tally}",
        o.recall()
    );
    assert!(
        o.precision() >= 0.90,
        "precision {:.4} < 0.90\n{tally}",
        o.precision()
    );
}
