//! Turns text into search terms, the same way for what is indexed and what is typed, so that a
//! query matches regardless of case and of accents on Latin letters.
//!
//! It owns the one definition of a term. It must never keep, log or return the text it reads
//! other than through the terms it hands to its caller.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use zeroize::Zeroize;

/// Terms shorter than this (in characters) carry too little to search on and are dropped.
pub(crate) const MIN_TERM_CHARS: usize = 2;

/// Longer terms are cut to this many characters, so a pasted blob cannot bloat the dictionary;
/// query terms are cut the same way, so they still match.
pub(crate) const MAX_TERM_CHARS: usize = 64;

/// Calls `emit` with each term of `text`, in order, repeats included.
///
/// A term is a run of letters and digits, lower-cased. Text is decomposed (NFKD) and the
/// combining marks that follow a Latin letter are dropped, so "Zoë" is "zoe" and "ＡＢＣ" is
/// "abc"; a few Latin letters that do not decompose are spelled out ("ß" is "ss", "ø" is "o").
/// Combining marks of other scripts stay inside their word and never split it.
pub(crate) fn for_each_term(text: &str, mut emit: impl FnMut(&str)) {
    let mut term = Term::default();
    if text.is_ascii() {
        // The common case, without the cost of normalization.
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() {
                term.push(char::from(byte.to_ascii_lowercase()));
            } else {
                term.end(&mut emit);
            }
        }
    } else {
        let mut after_latin = false;
        for c in text.nfkd() {
            if is_combining_mark(c) {
                if !after_latin {
                    term.push_mark(c);
                }
                continue;
            }
            if !c.is_alphanumeric() {
                term.end(&mut emit);
                after_latin = false;
                continue;
            }
            after_latin = is_latin(c);
            for lower in c.to_lowercase() {
                // Lower-casing can itself produce a mark ("İ" is "i" + U+0307).
                if is_combining_mark(lower) {
                    if !after_latin {
                        term.push_mark(lower);
                    }
                } else {
                    push_folded(&mut term, lower);
                }
            }
        }
    }
    term.end(&mut emit);
}

/// The terms of `text`, in order, for queries (indexing streams them instead).
pub(crate) fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |t| out.push(t.to_owned()));
    out
}

/// Latin letters that NFKD leaves alone but a person types without the stroke or ligature.
fn push_folded(term: &mut Term, c: char) {
    match c {
        'ß' => term.push_str("ss"),
        'æ' => term.push_str("ae"),
        'œ' => term.push_str("oe"),
        'þ' => term.push_str("th"),
        'ø' => term.push('o'),
        'đ' | 'ð' => term.push('d'),
        'ł' => term.push('l'),
        'ı' => term.push('i'),
        _ => term.push(c),
    }
}

/// Whether a base letter is Latin, whose diacritics are folded away.
fn is_latin(c: char) -> bool {
    matches!(c,
        'a'..='z' | 'A'..='Z'
        | '\u{00C0}'..='\u{024F}'
        | '\u{1E00}'..='\u{1EFF}'
        | '\u{2C60}'..='\u{2C7F}'
        | '\u{A720}'..='\u{A7FF}'
        | '\u{AB30}'..='\u{AB6F}')
}

/// The term being built, its length in characters, and the cut at `MAX_TERM_CHARS`.
#[derive(Default)]
struct Term {
    text: String,
    chars: usize,
}

impl Term {
    fn push(&mut self, c: char) {
        if self.chars < MAX_TERM_CHARS {
            self.text.push(c);
            self.chars += 1;
        }
    }

    fn push_str(&mut self, s: &str) {
        s.chars().for_each(|c| self.push(c));
    }

    /// A mark continues a word; it never starts one.
    fn push_mark(&mut self, c: char) {
        if !self.text.is_empty() {
            self.push(c);
        }
    }

    fn end(&mut self, emit: &mut impl FnMut(&str)) {
        if self.chars >= MIN_TERM_CHARS {
            emit(&self.text);
        }
        self.text.clear();
        self.chars = 0;
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        self.text.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lower_cased_words_split_on_anything_else() {
        assert_eq!(
            terms("Anna-Maria O'Brien, 2024: sleep/work!"),
            ["anna", "maria", "brien", "2024", "sleep", "work"]
        );
    }

    #[test]
    fn single_characters_are_dropped() {
        assert_eq!(terms("a b c de"), ["de"]);
        assert!(terms("").is_empty());
        assert!(terms(" ,. ").is_empty());
    }

    #[test]
    fn accents_on_latin_letters_fold_away_whether_composed_or_not() {
        assert_eq!(terms("Zoë José Müller"), ["zoe", "jose", "muller"]);
        assert_eq!(terms("Zoe\u{0308} Jose\u{0301}"), ["zoe", "jose"]);
        assert_eq!(terms("ÉCOLE"), ["ecole"]);
    }

    #[test]
    fn latin_letters_without_decomposition_are_spelled_out() {
        assert_eq!(
            terms("Straße Søren Łukasz Ægir"),
            ["strasse", "soren", "lukasz", "aegir"]
        );
        assert_eq!(terms("İSTANBUL ıstanbul"), ["istanbul", "istanbul"]);
    }

    #[test]
    fn compatibility_forms_match_their_plain_letters() {
        assert_eq!(terms("ＡＮＮＡ ﬁle"), ["anna", "file"]);
    }

    #[test]
    fn other_scripts_are_lower_cased_and_keep_their_marks_inside_the_word() {
        assert_eq!(terms("ΑΘΗΝΑ Москва"), ["αθηνα", "москва"]);
        // The virama (U+094D) is a mark, not a letter: it must not split the word.
        let hindi = terms("नमस्ते");
        assert_eq!(hindi.len(), 1);
        assert!(hindi[0].contains('\u{094D}'));
    }

    #[test]
    fn very_long_words_are_cut_to_the_same_term_wherever_they_appear() {
        let long = "x".repeat(500);
        let cut = terms(&long);
        assert_eq!(cut.len(), 1);
        assert_eq!(cut[0].chars().count(), MAX_TERM_CHARS);
        assert_eq!(terms(&format!("{long}y")), cut);
    }
}
