//! De-identification of English clinical and therapy free text: finds the HIPAA Safe Harbor
//! identifiers (45 CFR 164.514(b)(2)) and employers, schools and facilities, then replaces them
//! with consistent pseudonyms, shifted dates and typed placeholders.
//!
//! Pure and synchronous: no files, no network, no logging, no randomness of its own (the caller
//! passes the pseudonym seed and the date shift). The dictionaries are compiled in.
//!
//! ```
//! use confidant_deid::{DatePolicy, Deidentifier, KnownIdentifiers, Options, PseudonymTable};
//! let engine = Deidentifier::new(Options::default()).unwrap();
//! let text = "Met with Isaac Dorsey on 2023-08-16; call 555-201-7788.";
//! let spans = engine.detect(text, &KnownIdentifiers::new());
//! let mut table = PseudonymTable::new(7);
//! let out = engine.apply(text, &spans, &mut table, DatePolicy::Shift { days: 30 }).unwrap();
//! assert!(out.text.contains("2023-09-15") && out.text.contains("[PHONE]"));
//! assert!(!out.text.contains("Dorsey"));
//! ```

mod dates;
mod detect;
pub mod eval;
mod known;
mod lexicon;
mod names;
mod net;
mod numbers;
mod places;
mod pseudonym;
mod replace;
mod tokens;
mod vocab;

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use known::KnownIdentifiers;
pub use pseudonym::PseudonymTable;
pub use replace::{Edits, Redacted, Replacement, revise};

/// The kinds of identifier, as the development set labels them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Label {
    /// A person's name (client, family, staff, anyone).
    Name,
    /// Any date element but the year.
    Date,
    /// An age over 89.
    Age,
    /// A street address, city, county or ZIP code.
    Location,
    /// A phone or fax number.
    Phone,
    /// An e-mail address.
    Email,
    /// An SSN, chart, plan, account, licence, vehicle, device, case or student number, or a
    /// social handle.
    Id,
    /// A web address.
    Url,
    /// An IP address.
    Ip,
    /// An employer, school, facility or practice.
    Organization,
}

impl Label {
    /// Every label, in the order reports list them.
    pub const ALL: [Label; 10] = [
        Label::Name,
        Label::Date,
        Label::Age,
        Label::Location,
        Label::Phone,
        Label::Email,
        Label::Id,
        Label::Url,
        Label::Ip,
        Label::Organization,
    ];

    /// The label's name as written in the development set (`NAME`).
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Name => "NAME",
            Label::Date => "DATE",
            Label::Age => "AGE",
            Label::Location => "LOCATION",
            Label::Phone => "PHONE",
            Label::Email => "EMAIL",
            Label::Id => "ID",
            Label::Url => "URL",
            Label::Ip => "IP",
            Label::Organization => "ORGANIZATION",
        }
    }

    /// Parses a label name (`NAME`), for evaluation files.
    pub fn parse(s: &str) -> Option<Label> {
        Label::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s))
    }
}

/// One identifier found in a text: a byte range (`start..end`, on character boundaries) and
/// what it is. [`CharIndex`] converts to and from character offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What kind of identifier it is.
    pub label: Label,
}

impl Span {
    /// The byte range.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The compiled-in dictionaries could not be decompressed: the binary is damaged.
    #[error("the bundled de-identification dictionaries could not be read; reinstall Confidant")]
    Data,
    /// A span given to `apply` lies outside the text or splits a character.
    #[error("a redaction span lies outside the text or splits a character")]
    BadSpan,
}

/// How names are replaced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NamePolicy {
    /// Consistent pseudonyms (`Isaac Dorsey` → `Paul Kim`, later `Isaac` → `Paul`).
    #[default]
    Pseudonyms,
    /// `[NAME]` everywhere.
    Placeholders,
}

/// How dates are replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatePolicy {
    /// Moved by this many days, written as before; intervals between dates are kept. Use one
    /// random offset per client (the caller chooses it).
    Shift {
        /// Days to add (negative moves back).
        days: i32,
    },
    /// Only the year stays (`Jul 14, 2016` → `2016`); a date without a year becomes `[DATE]`.
    Year,
    /// `[DATE]` everywhere.
    Placeholder,
}

/// Engine settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// How names are replaced.
    pub names: NamePolicy,
}

/// The de-identification engine; cheap to create once its dictionaries are loaded (on first
/// use, shared by every engine in the process).
#[derive(Debug)]
pub struct Deidentifier {
    lex: &'static lexicon::Lexicon,
    options: Options,
}

impl std::fmt::Debug for lexicon::Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lexicon")
    }
}

impl Deidentifier {
    /// An engine with these options; fails only if the compiled-in dictionaries are damaged.
    pub fn new(options: Options) -> Result<Self, Error> {
        let lex = lexicon::get().ok_or(Error::Data)?;
        Ok(Self { lex, options })
    }

    /// Finds the identifiers in `text`, sorted and never overlapping; `known` lists the
    /// client's own identifiers, which are always found.
    pub fn detect(&self, text: &str, known: &KnownIdentifiers) -> Vec<Span> {
        detect::detect(self.lex, text, known)
    }

    /// Replaces `spans` in `text`: names by pseudonyms from `table`, dates per `dates`, ages
    /// by `90+`, everything else by a typed placeholder such as `[PHONE]`. Overlapping spans
    /// are merged into the first.
    pub fn apply(
        &self,
        text: &str,
        spans: &[Span],
        table: &mut PseudonymTable,
        dates: DatePolicy,
    ) -> Result<Redacted, Error> {
        replace::apply(self.lex, self.options, text, spans, table, dates)
    }

    /// [`detect`](Self::detect) then [`apply`](Self::apply).
    pub fn deidentify(
        &self,
        text: &str,
        known: &KnownIdentifiers,
        table: &mut PseudonymTable,
        dates: DatePolicy,
    ) -> Result<Redacted, Error> {
        let spans = self.detect(text, known);
        self.apply(text, &spans, table, dates)
    }
}

/// Converts between byte offsets (what [`Span`] holds) and character (code point) offsets
/// (what the development set and most interfaces use).
#[derive(Clone, Debug)]
pub struct CharIndex {
    /// Byte offset of each character, plus the text's length at the end.
    bytes: Vec<usize>,
}

impl CharIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        Self { bytes }
    }

    /// The character offset of byte offset `byte` (rounded down to a character start).
    pub fn char_of(&self, byte: usize) -> usize {
        self.bytes.partition_point(|&b| b <= byte).saturating_sub(1)
    }

    /// The byte offset of character offset `ch`, if within the text.
    pub fn byte_of(&self, ch: usize) -> Option<usize> {
        self.bytes.get(ch).copied()
    }
}
