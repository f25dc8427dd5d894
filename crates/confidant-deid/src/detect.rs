//! The detection pipeline: tokenize once, then run the passes from the most certain (known
//! identifiers, e-mail addresses) to the least (names by dictionary and context), each claiming
//! the tokens it labels so later passes never relabel them.
//!
//! Owns the shared token helpers the passes use; never allocates per token.

use crate::known::KnownIdentifiers;
use crate::lexicon::{Entry, Lexicon};
use crate::tokens::{Gap, Kind, Tok, tokenize};
use crate::{Label, Span, dates, known, names, net, numbers, places, vocab};

/// The text, its tokens, and which tokens are already part of an identifier.
pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub toks: Vec<Tok>,
    pub lex: &'static Lexicon,
    /// What the dictionaries say of each word and mark (numbers get the empty entry).
    entries: Vec<Entry>,
    claimed: Vec<bool>,
    pub spans: Vec<Span>,
}

/// Finds every identifier in `text`, sorted by position and never overlapping.
pub(crate) fn detect(lex: &'static Lexicon, text: &str, known: &KnownIdentifiers) -> Vec<Span> {
    let mut cx = Ctx::from_tokens(lex, text, tokenize(text));
    known::find(&mut cx, known);
    net::find(&mut cx);
    numbers::find_phones(&mut cx);
    dates::find(&mut cx);
    numbers::find_ages(&mut cx);
    places::find_addresses(&mut cx);
    places::find_zips(&mut cx);
    numbers::find_ids(&mut cx);
    places::find_organizations(&mut cx);
    places::find_regions(&mut cx);
    names::find(&mut cx);
    places::find_places(&mut cx);
    names::propagate(&mut cx);
    let mut spans = cx.spans;
    spans.sort_by_key(|s| (s.start, s.end));
    spans
}

impl<'a> Ctx<'a> {
    /// A context over `text` and its tokens, nothing claimed yet.
    pub fn from_tokens(lex: &'static Lexicon, text: &'a str, toks: Vec<Tok>) -> Self {
        let entries = toks
            .iter()
            .map(|t| {
                let s = &text[t.start..t.end];
                match t.kind {
                    Kind::Num => Entry::default(),
                    // The only marks in the word lists.
                    Kind::Punct if !matches!(s, "#" | ":" | "." | "-" | "&") => Entry::default(),
                    _ => lex.get(s),
                }
            })
            .collect();
        Ctx {
            text,
            claimed: vec![false; toks.len()],
            toks,
            lex,
            entries,
            spans: Vec::new(),
        }
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// The text of token `i` ("" past the end).
    pub fn s(&self, i: usize) -> &'a str {
        match self.toks.get(i) {
            Some(t) => &self.text[t.start..t.end],
            None => "",
        }
    }

    /// Token `i`, if there is one.
    pub fn tok(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }

    /// Whether token `i` exists and is not yet part of an identifier.
    pub fn free(&self, i: usize) -> bool {
        self.claimed.get(i).is_some_and(|c| !c)
    }

    /// Whether tokens `i..j` all exist and are free.
    pub fn all_free(&self, i: usize, j: usize) -> bool {
        j <= self.toks.len() && (i..j).all(|k| !self.claimed[k])
    }

    /// Whether token `i` is `word`, ignoring ASCII case.
    pub fn is(&self, i: usize, word: &str) -> bool {
        self.s(i).eq_ignore_ascii_case(word)
    }

    /// What the dictionaries say of token `i`.
    pub fn entry(&self, i: usize) -> Entry {
        self.entries.get(i).copied().unwrap_or_default()
    }

    /// Whether token `i` is in `list`, ignoring ASCII case (a scan: for small ad hoc lists).
    pub fn is_in(&self, i: usize, list: &[&str]) -> bool {
        i < self.toks.len() && self.toks[i].kind != Kind::Num && vocab::is_in(list, self.s(i))
    }

    /// Whether token `i` is in an indexed `list`: one bit test.
    pub fn has(&self, i: usize, list: &vocab::List) -> bool {
        self.entries.get(i).is_some_and(|e| e.lists & list.bit != 0)
    }

    /// Whether token `i` touches the token before it.
    pub fn touches(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.gap == Gap::None)
    }

    /// Whether token `i` follows the one before it on the same line.
    pub fn same_line(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.gap < Gap::Line)
    }

    /// Whether token `i` is of `kind`.
    pub fn kind(&self, i: usize, kind: Kind) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == kind)
    }

    /// Whether token `i` is a whole number with `min..=max` digits.
    pub fn digits(&self, i: usize, min: usize, max: usize) -> bool {
        self.kind(i, Kind::Num) && (min..=max).contains(&self.s(i).len())
    }

    /// The value of number token `i`.
    pub fn num(&self, i: usize) -> Option<u32> {
        if self.kind(i, Kind::Num) && self.s(i).len() <= 9 {
            self.s(i).parse().ok()
        } else {
            None
        }
    }

    /// Labels tokens `i..j` (exclusive) as one identifier.
    pub fn claim(&mut self, i: usize, j: usize, label: Label) {
        if i >= j || j > self.toks.len() {
            return;
        }
        for c in &mut self.claimed[i..j] {
            *c = true;
        }
        self.spans.push(Span {
            start: self.toks[i].start,
            end: self.toks[j - 1].end,
            label,
        });
    }

    /// Marks tokens `i..j` as settled without labelling them (a state's name: later passes
    /// must not take its words for a city).
    pub fn settle(&mut self, i: usize, j: usize) {
        let j = j.min(self.toks.len());
        for c in self.claimed.get_mut(i..j).into_iter().flatten() {
            *c = true;
        }
    }

    /// Labels the byte range `start..end` and claims every token it touches, unless one of them
    /// is already claimed.
    pub fn claim_bytes(&mut self, start: usize, end: usize, label: Label) -> bool {
        let first = self.toks.partition_point(|t| t.end <= start);
        let last = self.toks.partition_point(|t| t.start < end);
        if first >= last || !self.all_free(first, last) {
            return false;
        }
        for c in &mut self.claimed[first..last] {
            *c = true;
        }
        self.spans.push(Span { start, end, label });
        true
    }

    /// Whether token `i` begins a sentence, a line or a header value: capitals there say
    /// nothing about names.
    pub fn sentence_start(&self, i: usize) -> bool {
        let mut j = i;
        loop {
            let Some(t) = self.toks.get(j) else {
                return true;
            };
            if t.gap == Gap::Line || j == 0 {
                return true;
            }
            let p = j - 1;
            match self.s(p) {
                "(" | "\"" | "\u{201c}" | "'" | "\u{2018}" | "[" | "*" | "\u{2022}" | "-"
                | "\u{2013}" | "\u{2014}" => j = p,
                "." => return !self.abbreviation_before_dot(p),
                "!" | "?" | ":" => return true,
                _ => return false,
            }
        }
    }

    /// Whether the `.` at `dot` ends a title or an initial (`Dr.`, `J.`) rather than a sentence.
    pub fn abbreviation_before_dot(&self, dot: usize) -> bool {
        if dot == 0 || !self.touches(dot) {
            return false;
        }
        let w = self.s(dot - 1);
        let t = &self.toks[dot - 1];
        (t.kind == Kind::Word && w.len() == 1 && t.case == crate::tokens::Case::Upper)
            || vocab::TITLES.contains(w)
            || vocab::is_in(&["st", "mt", "ft", "jr", "sr", "no", "vs", "apt", "ste"], w)
    }
}
