//! Applying redactions: writes the de-identified text and the list of what was replaced where,
//! so an interface can highlight each replacement and let the clinician undo it or add more
//! ([`Edits`], [`revise`]).

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::detect::Ctx;
use crate::lexicon::Lexicon;
use crate::pseudonym::{PseudonymTable, Role};
use crate::tokens::{Case, Kind, tokenize};
use crate::{DatePolicy, Error, Label, NamePolicy, Options, Span, dates};

/// One replacement made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    /// Where the identifier was in the original text (bytes).
    pub original: Range<usize>,
    /// Where its replacement is in the output text (bytes).
    pub output: Range<usize>,
    /// What kind of identifier it was.
    pub label: Label,
    /// What it was replaced with.
    pub replacement: String,
}

/// De-identified text and what was replaced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redacted {
    /// The text with every identifier replaced.
    pub text: String,
    /// Every replacement, in order.
    pub replacements: Vec<Replacement>,
}

/// A clinician's corrections to what was detected: more to redact, and detections to undo.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edits {
    /// Extra spans to redact (they win over detections they overlap).
    pub add: Vec<Span>,
    /// Byte ranges whose detections are undone (every detection overlapping one is dropped).
    pub remove: Vec<Range<usize>>,
}

/// Applies `edits` to detected `spans`: drops undone detections, adds the extra spans, and
/// returns them sorted and non-overlapping, ready for `apply`.
pub fn revise(spans: &[Span], edits: &Edits) -> Vec<Span> {
    let overlaps = |a: &Range<usize>, b: &Range<usize>| a.start < b.end && b.start < a.end;
    let mut out: Vec<Span> = spans
        .iter()
        .filter(|s| !edits.remove.iter().any(|r| overlaps(&s.range(), r)))
        .filter(|s| !edits.add.iter().any(|a| overlaps(&s.range(), &a.range())))
        .copied()
        .collect();
    out.extend(edits.add.iter().copied());
    out.sort_by_key(|s| (s.start, s.end));
    out.dedup_by(|b, a| a.start < b.end && b.start < a.end);
    out
}

pub(crate) fn apply(
    lex: &'static Lexicon,
    options: Options,
    text: &str,
    spans: &[Span],
    table: &mut PseudonymTable,
    date_policy: DatePolicy,
) -> Result<Redacted, Error> {
    let mut sorted: Vec<Span> = spans.to_vec();
    sorted.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    for s in &sorted {
        if s.start > s.end
            || s.end > text.len()
            || !text.is_char_boundary(s.start)
            || !text.is_char_boundary(s.end)
        {
            return Err(Error::BadSpan);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut replacements = Vec::with_capacity(sorted.len());
    let mut pos = 0;
    for s in sorted {
        if s.start < pos || s.start == s.end {
            continue;
        }
        out.push_str(&text[pos..s.start]);
        let original = &text[s.start..s.end];
        let replacement = match s.label {
            Label::Name if options.names == NamePolicy::Pseudonyms => {
                pseudonymize(lex, original, table, after_title(&text[..s.start]))
            }
            Label::Date => date(lex, original, date_policy),
            other => placeholder(other, original).to_string(),
        };
        let at = out.len();
        out.push_str(&replacement);
        replacements.push(Replacement {
            original: s.start..s.end,
            output: at..out.len(),
            label: s.label,
            replacement,
        });
        pos = s.end;
    }
    out.push_str(&text[pos..]);
    Ok(Redacted {
        text: out,
        replacements,
    })
}

/// The typed placeholder for a label (an address, a city and a ZIP code are told apart).
fn placeholder(label: Label, original: &str) -> &'static str {
    match label {
        Label::Name => "[NAME]",
        Label::Date => "[DATE]",
        Label::Age => "90+",
        Label::Location => {
            if original.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                "[ZIP]"
            } else if original.bytes().next().is_some_and(|b| b.is_ascii_digit())
                || original.contains('#')
                || original.to_ascii_lowercase().starts_with("apt")
                || original.to_ascii_lowercase().starts_with("p")
                    && original.to_ascii_lowercase().contains("box")
            {
                "[ADDRESS]"
            } else {
                "[LOCATION]"
            }
        }
        Label::Phone => "[PHONE]",
        Label::Email => "[EMAIL]",
        Label::Id => "[ID]",
        Label::Url => "[URL]",
        Label::Ip => "[IP]",
        Label::Organization => "[ORGANIZATION]",
    }
}

fn date(lex: &'static Lexicon, original: &str, policy: DatePolicy) -> String {
    let parsed = {
        let cx = Ctx::new(lex, original);
        dates::match_at(&cx, 0, true)
            .filter(|(e, _)| *e == cx.len())
            .map(|(_, p)| p)
    };
    let out = match (policy, parsed) {
        (DatePolicy::Shift { days }, Some(p)) => dates::shift(&p, days),
        (DatePolicy::Year, Some(p)) => dates::year_of(&p),
        _ => None,
    };
    out.unwrap_or_else(|| "[DATE]".to_string())
}

/// Replaces each word of a name by its pseudonym, keeping spaces, commas and dots.
/// Whether `before` ends with a formal title (`Mrs. `, `Dr `): the name after one is a
/// surname (after `Aunt` or `Grandpa` it is a given name).
fn after_title(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '.']);
    let word = trimmed
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    const FORMAL: &[&str] = &[
        "dr",
        "mr",
        "mrs",
        "ms",
        "mx",
        "miss",
        "mister",
        "prof",
        "professor",
        "rev",
        "det",
        "detective",
        "sgt",
        "officer",
        "judge",
        "capt",
        "captain",
        "lt",
        "dean",
        "attorney",
    ];
    trimmed.len() < before.len() && crate::vocab::is_in(FORMAL, word)
}

fn pseudonymize(
    lex: &Lexicon,
    original: &str,
    table: &mut PseudonymTable,
    after_title: bool,
) -> String {
    let toks = tokenize(original);
    let words: Vec<usize> = (0..toks.len())
        .filter(|&k| toks[k].kind == Kind::Word)
        .collect();
    if words.is_empty() {
        return "[NAME]".to_string();
    }
    let comma = toks.iter().any(|t| &original[t.start..t.end] == ",");
    let is_initial = |k: usize| {
        toks[k].case == Case::Upper && original[toks[k].start..toks[k].end].chars().count() == 1
    };
    let full: Vec<usize> = words.iter().copied().filter(|&k| !is_initial(k)).collect();
    let mut out = String::with_capacity(original.len() + 8);
    let mut pos = 0;
    for (n, &k) in words.iter().enumerate() {
        let t = toks[k];
        let w = &original[t.start..t.end];
        let role = if is_initial(k) {
            Role::Initial
        } else if comma {
            // `Dorsey, Isaac`: the surname comes first.
            if Some(&k) == full.first() {
                Role::Surname
            } else {
                Role::Given
            }
        } else if full.len() == 1 {
            let e = lex.get(w);
            let after_initial = n > 0 && is_initial(words[n - 1]);
            if after_initial
                || (after_title && !table.knows(w))
                || (e.is_surname() && !e.is_given())
                || (e.is_surname() && e.surname_rank > 0 && e.births < 1000 && !table.knows(w))
            {
                Role::Surname
            } else {
                Role::Given
            }
        } else if Some(&k) == full.first() {
            Role::Given
        } else if Some(&k) == full.last()
            || (k > 0 && &original[toks[k - 1].start..toks[k - 1].end] == "-")
            || toks
                .get(k + 1)
                .is_some_and(|t| &original[t.start..t.end] == "-")
        {
            Role::Surname
        } else {
            Role::Given
        };
        out.push_str(&original[pos..t.start]);
        out.push_str(&table.pseudonym(lex, w, role));
        pos = t.end;
    }
    out.push_str(&original[pos..]);
    out
}

impl<'a> Ctx<'a> {
    /// A context over `text` alone, for re-reading a span (a date) outside detection.
    pub(crate) fn new(lex: &'static Lexicon, text: &'a str) -> Self {
        Ctx::from_tokens(lex, text, tokenize(text))
    }
}
