//! Detection throughput on synthetic therapy text (one core): prints MB/s.
//! Run with `cargo bench -p confidant-deid`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Instant;

use confidant_deid::{Deidentifier, KnownIdentifiers, Options};

const SAMPLE: &str = "Session 2024-03-05 with Maribel Okafor and her son Desmond (age 9).\n\
Maribel reported that Desmond's teacher at Ridgeview Elementary School, Mr. Halvorsen, called \
on Tuesday the 12th. She works at Pinecrest Logistics and lives at 4410 Juniper Lane, Apt 3C, \
Bozeman, MT 59715. Call 406-555-0192 or write to m.okafor@example.net. PHQ-9: 14, GAD-7: 11; \
sertraline 50 mg continued (F41.1). CPT 90837. Next appointment on 3/19 at 10 am; video link \
https://video.example.org/r/58213. Chart #: 8841207. Her grandmother, 94-year-old Ines, lives \
in Billings.\n";

fn main() {
    let engine = Deidentifier::new(Options::default()).unwrap();
    let known = KnownIdentifiers::new();
    let text = SAMPLE.repeat(200);
    let _ = engine.detect(&text, &known);
    let start = Instant::now();
    let mut bytes = 0usize;
    let mut spans = 0usize;
    while start.elapsed().as_secs_f64() < 2.0 {
        spans += engine.detect(&text, &known).len();
        bytes += text.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "detect: {:.1} MB/s ({} bytes, {} spans per pass)",
        bytes as f64 / secs / 1e6,
        text.len(),
        spans * text.len() / bytes.max(1)
    );
}
