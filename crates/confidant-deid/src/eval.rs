//! Token-level scoring against labelled text, as `../shared/deid/README.md` defines it: a token
//! (a maximal run of letters and digits) is an identifier if any labelled span overlaps it, and
//! removed if any detected span overlaps it. Recall is the share of identifier tokens removed,
//! precision the share of removed tokens that are identifiers ("any identifier": a name found as
//! a place still counts). Per label, recall is over the tokens of that gold label and precision
//! over the tokens detected with that label.

use std::fmt;

use crate::{Label, Span};

/// Counts of one label (or of all).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Tokens labelled as identifiers.
    pub gold: u64,
    /// Of those, tokens removed.
    pub gold_removed: u64,
    /// Tokens removed.
    pub removed: u64,
    /// Of those, tokens that are identifiers.
    pub removed_gold: u64,
}

impl Counts {
    /// Share of identifier tokens removed (1 when there are none).
    pub fn recall(&self) -> f64 {
        ratio(self.gold_removed, self.gold)
    }
    /// Share of removed tokens that are identifiers (1 when nothing was removed).
    pub fn precision(&self) -> f64 {
        ratio(self.removed_gold, self.removed)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Scores accumulated over documents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Every label together.
    pub overall: Counts,
    /// Per label, in [`Label::ALL`] order.
    pub per_label: [Counts; 10],
    /// Documents scored.
    pub documents: u64,
}

fn bit(l: Label) -> u16 {
    1 << Label::ALL.iter().position(|x| *x == l).unwrap_or(0)
}

fn mark(text: &str, spans: &[Span]) -> Vec<u16> {
    let mut m = vec![0u16; text.len()];
    for s in spans {
        let end = s.end.min(text.len());
        for b in &mut m[s.start.min(end)..end] {
            *b |= bit(s.label);
        }
    }
    m
}

impl Tally {
    /// Adds one document: its text, the labelled spans and the detected ones (byte offsets).
    pub fn add(&mut self, text: &str, gold: &[Span], detected: &[Span]) {
        let g = mark(text, gold);
        let d = mark(text, detected);
        self.documents += 1;
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(b, c2)) = chars.peek() {
                if !c2.is_alphanumeric() {
                    break;
                }
                end = b + c2.len_utf8();
                chars.next();
            }
            let gl = g[start..end].iter().fold(0, |a, b| a | b);
            let dl = d[start..end].iter().fold(0, |a, b| a | b);
            self.count(gl, dl);
        }
    }

    fn count(&mut self, gl: u16, dl: u16) {
        if gl != 0 {
            self.overall.gold += 1;
            self.overall.gold_removed += u64::from(dl != 0);
        }
        if dl != 0 {
            self.overall.removed += 1;
            self.overall.removed_gold += u64::from(gl != 0);
        }
        for (n, c) in self.per_label.iter_mut().enumerate() {
            let b = 1u16 << n;
            if gl & b != 0 {
                c.gold += 1;
                c.gold_removed += u64::from(dl != 0);
            }
            if dl & b != 0 {
                c.removed += 1;
                c.removed_gold += u64::from(gl != 0);
            }
        }
    }

    /// The counts of one label.
    pub fn label(&self, l: Label) -> Counts {
        self.per_label[Label::ALL.iter().position(|x| *x == l).unwrap_or(0)]
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<14} {:>8} {:>8} {:>10} {:>10}",
            "label", "recall", "precis.", "id tokens", "removed"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, c: &Counts| {
            writeln!(
                f,
                "{:<14} {:>8.4} {:>8.4} {:>10} {:>10}",
                name,
                c.recall(),
                c.precision(),
                c.gold,
                c.removed
            )
        };
        row(f, "ANY", &self.overall)?;
        for (l, c) in Label::ALL.iter().zip(&self.per_label) {
            if c.gold > 0 || c.removed > 0 {
                row(f, l.as_str(), c)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_scored_by_overlap_and_punctuation_is_ignored() {
        let text = "Isaac's job at Acme Inc. on 5/6.";
        let gold = [
            Span {
                start: 0,
                end: 5,
                label: Label::Name,
            },
            Span {
                start: 15,
                end: 24,
                label: Label::Organization,
            },
        ];
        // Finds the name with its possessive, misses the organisation, and marks `on`.
        let found = [
            Span {
                start: 0,
                end: 7,
                label: Label::Name,
            },
            Span {
                start: 25,
                end: 27,
                label: Label::Date,
            },
        ];
        let mut t = Tally::default();
        t.add(text, &gold, &found);
        // Tokens: Isaac s job at Acme Inc on 5 6; gold: Isaac Acme Inc; removed: Isaac s on.
        assert_eq!(
            t.overall,
            Counts {
                gold: 3,
                gold_removed: 1,
                removed: 3,
                removed_gold: 1
            }
        );
        assert_eq!(
            t.label(Label::Name),
            Counts {
                gold: 1,
                gold_removed: 1,
                removed: 2,
                removed_gold: 1
            }
        );
        assert_eq!(t.label(Label::Organization).recall(), 0.0);
    }
}
