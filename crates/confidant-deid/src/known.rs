//! The client's own identifiers from the chart (name, preferred name, family, emergency contact,
//! address, employer): always removed, whole or in part (first name alone, surname alone), in
//! any case, possessive or not.
//!
//! A part that is also an everyday word (a client named Hope) is removed when capitalised or
//! before a verb only a person does (`hope said`), so `lost hope` stays readable; the full name
//! is removed in any case.

use std::fmt;

use crate::Label;
use crate::detect::Ctx;
use crate::lexicon;
use crate::tokens::{Kind, tokenize};

/// One phrase to find: its lower-case tokens and its label.
#[derive(Clone)]
struct Phrase {
    tokens: Vec<String>,
    label: Label,
    /// Must be capitalised in the text (a part that is also an everyday word).
    needs_capital: bool,
}

/// Identifiers the caller already knows belong to the client and the people around them.
///
/// Its `Debug` output shows only how many there are: the values are client data.
#[derive(Clone, Default)]
pub struct KnownIdentifiers {
    phrases: Vec<Phrase>,
}

impl fmt::Debug for KnownIdentifiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KnownIdentifiers({} phrases)", self.phrases.len())
    }
}

/// Legal suffixes dropped from an employer's name to find it written without them.
const LEGAL: &[&str] = &[
    "inc",
    "llc",
    "ltd",
    "llp",
    "corp",
    "co",
    "pc",
    "pllc",
    "corporation",
    "company",
];

fn words(s: &str) -> Vec<String> {
    tokenize(s)
        .iter()
        .filter(|t| t.kind != Kind::Punct)
        .map(|t| s[t.start..t.end].to_lowercase())
        .collect()
}

impl KnownIdentifiers {
    /// No known identifiers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    fn push(&mut self, tokens: Vec<String>, label: Label, needs_capital: bool) {
        if tokens.is_empty()
            || self
                .phrases
                .iter()
                .any(|p| p.tokens == tokens && p.label == label)
        {
            return;
        }
        self.phrases.push(Phrase {
            tokens,
            label,
            needs_capital,
        });
    }

    /// A person's name (client, family member, contact): the whole name and each part of it.
    pub fn name(&mut self, name: &str) -> &mut Self {
        let all = words(name);
        let lex = lexicon::get();
        for part in &all {
            let skip = part.chars().count() < 2
                || crate::vocab::TITLES.contains(part)
                || crate::vocab::CREDENTIALS.contains(part)
                || part == "and";
            if skip {
                continue;
            }
            let common = lex.is_some_and(|l| l.get(part).is_word(50));
            self.push(vec![part.clone()], Label::Name, common);
        }
        self.push(all, Label::Name, false);
        self
    }

    /// An address: the whole of it and each comma-separated part (street, city, ZIP), but
    /// never a state alone.
    pub fn address(&mut self, address: &str) -> &mut Self {
        self.push(words(address), Label::Location, false);
        for part in address.split([',', '\n', ';']) {
            let w = words(part);
            let is_state = crate::vocab::STATES.contains(&w.join(" ").as_str())
                || (w.len() == 1
                    && crate::vocab::STATE_CODES
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(&w[0])));
            // `OR 97301`: keep the ZIP, drop the state.
            if w.len() == 2
                && crate::vocab::STATE_CODES
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&w[0]))
            {
                self.push(vec![w[1].clone()], Label::Location, false);
                continue;
            }
            if !is_state && !w.is_empty() {
                let common =
                    w.len() == 1 && lexicon::get().is_some_and(|l| l.get(&w[0]).is_word(50));
                self.push(w, Label::Location, common);
            }
        }
        self
    }

    /// An employer, school or facility: the whole name, and the name without `Inc.`/`LLC`.
    pub fn organization(&mut self, org: &str) -> &mut Self {
        let mut w = words(org);
        self.push(w.clone(), Label::Organization, false);
        while w.len() > 1 && w.last().is_some_and(|l| LEGAL.contains(&l.as_str())) {
            w.pop();
            self.push(w.clone(), Label::Organization, false);
        }
        self
    }

    /// Any other identifier (a phone number, an e-mail address, a chart number), found whole.
    pub fn other(&mut self, label: Label, value: &str) -> &mut Self {
        self.push(words(value), label, false);
        self
    }
}

/// Claims every occurrence of a known phrase, longest first.
pub(crate) fn find(cx: &mut Ctx, known: &KnownIdentifiers) {
    if known.is_empty() {
        return;
    }
    let mut order: Vec<&Phrase> = known.phrases.iter().collect();
    order.sort_by_key(|p| std::cmp::Reverse(p.tokens.len()));
    // The text's word tokens, lower-cased once.
    let idx: Vec<usize> = (0..cx.len())
        .filter(|&k| !cx.kind(k, Kind::Punct))
        .collect();
    let lower: Vec<String> = idx.iter().map(|&k| cx.s(k).to_lowercase()).collect();
    for p in order {
        let n = p.tokens.len();
        if n > idx.len() {
            continue;
        }
        for w in 0..=idx.len() - n {
            if lower[w] != p.tokens[0] || (1..n).any(|m| lower[w + m] != p.tokens[m]) {
                continue;
            }
            let (s, e) = (idx[w], idx[w + n - 1] + 1);
            // `hope said` is the client; `lost hope` is not.
            let person_next = cx.has(e, &crate::vocab::STRONG_NAME_VERBS)
                || (matches!(cx.s(e), "'" | "\u{2019}") && cx.is(e + 1, "s"));
            if p.needs_capital && !cx.tok(s).is_some_and(|t| t.is_capitalised()) && !person_next {
                continue;
            }
            // Whole words only, on one line.
            if (s + 1..e).any(|k| !cx.same_line(k)) {
                continue;
            }
            if cx.all_free(s, e) {
                cx.claim(s, e, p.label);
            }
        }
    }
}
