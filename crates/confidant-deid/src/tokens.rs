//! The tokenizer every rule works on: words, numbers, mixed codes and single punctuation marks,
//! each with its byte range, its capitalisation and the whitespace before it.
//!
//! It never allocates per token and never looks anything up; meaning comes later.

/// What a token is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters only (with an inner apostrophe in names such as O'Brien).
    Word,
    /// ASCII digits only.
    Num,
    /// Letters and digits mixed, such as `S9402024` or `14th`.
    Alnum,
    /// One character that is neither a letter, a digit nor whitespace.
    Punct,
}

/// The capitalisation of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    /// all lower case
    Lower,
    /// First letter upper case, some lower case after it (`Isaac`, `McKay`).
    Cap,
    /// Every letter upper case (`DBT`, `J`).
    Upper,
    /// Anything else (`iPhone`), and tokens without letters.
    Other,
}

/// The whitespace between a token and the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Gap {
    /// Touching the previous token.
    None,
    /// One space or tab.
    Space,
    /// Two or more spaces or tabs on the same line.
    Wide,
    /// At least one line break (or the start of the text).
    Line,
}

/// One token of the text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub case: Case,
    pub gap: Gap,
}

impl Tok {
    /// A word or code starting with a capital letter (`Isaac`, `DBT`, `J`).
    pub fn is_capitalised(&self) -> bool {
        self.kind == Kind::Word && matches!(self.case, Case::Cap | Case::Upper)
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Splits `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::with_capacity(text.len() / 4 + 1);
    let bytes = text.as_bytes();
    let mut gap = Gap::Line;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' || b == b'\r' {
            gap = Gap::Line;
            i += 1;
            continue;
        }
        if b == b' ' || b == b'\t' {
            gap = match gap {
                Gap::None => Gap::Space,
                Gap::Space => Gap::Wide,
                g => g,
            };
            i += 1;
            continue;
        }
        let c = if b < 0x80 {
            b as char
        } else {
            text[i..].chars().next().unwrap_or(' ')
        };
        if c.is_whitespace() {
            gap = if c == '\u{2028}' || c == '\u{2029}' || c == '\u{85}' {
                Gap::Line
            } else {
                match gap {
                    Gap::None => Gap::Space,
                    Gap::Space => Gap::Wide,
                    g => g,
                }
            };
            i += c.len_utf8();
            continue;
        }
        if c.is_alphanumeric() {
            let end = scan_run(text, i);
            let (kind, case) = classify(&text[i..end]);
            toks.push(Tok {
                start: i,
                end,
                kind,
                case,
                gap,
            });
            i = end;
        } else {
            let end = i + c.len_utf8();
            toks.push(Tok {
                start: i,
                end,
                kind: Kind::Punct,
                case: Case::Other,
                gap,
            });
            i = end;
        }
        gap = Gap::None;
    }
    toks
}

/// The end of the alphanumeric run starting at `start`; an apostrophe stays inside only after
/// one or two letters and before a capital (O'Brien, D'Angelo), never in `Isaac's`.
fn scan_run(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let c = if b < 0x80 {
            b as char
        } else {
            text[i..].chars().next().unwrap_or(' ')
        };
        if c.is_alphanumeric() {
            i += c.len_utf8();
            continue;
        }
        if is_apostrophe(c) && (1..=2).contains(&text[start..i].chars().count()) {
            let after = i + c.len_utf8();
            if text[after..].chars().next().is_some_and(char::is_uppercase) {
                i = after;
                continue;
            }
        }
        break;
    }
    i
}

fn classify(s: &str) -> (Kind, Case) {
    let (mut letters, mut digits, mut upper, mut lower) = (0u32, 0u32, 0u32, 0u32);
    let mut first_upper = None;
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits += 1;
        } else if c.is_alphabetic() {
            letters += 1;
            let up = c.is_uppercase();
            if first_upper.is_none() {
                first_upper = Some(up);
            }
            if up {
                upper += 1;
            } else if c.is_lowercase() {
                lower += 1;
            }
        } else if c.is_numeric() {
            digits += 1;
        }
    }
    let kind = match (letters > 0, digits > 0) {
        (true, false) => Kind::Word,
        (false, true) => Kind::Num,
        _ => Kind::Alnum,
    };
    let case = if letters == 0 {
        Case::Other
    } else if upper == letters {
        Case::Upper
    } else if lower == letters {
        Case::Lower
    } else if first_upper == Some(true) {
        Case::Cap
    } else {
        Case::Other
    };
    (kind, case)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text)
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn possessive_ending_is_its_own_tokens_but_irish_names_stay_whole() {
        assert_eq!(words("Isaac's O'Brien"), ["Isaac", "'", "s", "O'Brien"]);
        assert_eq!(words("Isaac\u{2019}s"), ["Isaac", "\u{2019}", "s"]);
    }

    #[test]
    fn kinds_cases_and_gaps_are_recorded() {
        let t = tokenize("Dr. DBT  x9\nJosé 42");
        let kinds: Vec<_> = t.iter().map(|t| (t.kind, t.case, t.gap)).collect();
        assert_eq!(
            kinds,
            [
                (Kind::Word, Case::Cap, Gap::Line),
                (Kind::Punct, Case::Other, Gap::None),
                (Kind::Word, Case::Upper, Gap::Space),
                (Kind::Alnum, Case::Lower, Gap::Wide),
                (Kind::Word, Case::Cap, Gap::Line),
                (Kind::Num, Case::Other, Gap::Space),
            ]
        );
    }
}
