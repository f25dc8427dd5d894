//! People's names: runs of capitalised words judged by the dictionaries (a given name or
//! surname that is not an everyday word is a name anywhere) and by context (a title, a header
//! such as `Name:`, a greeting, a relation word, a credential after, a verb such as `said`).
//!
//! Names that are also words (Hope, Will, Grace) count only where capitals mean something: not
//! at a sentence start unless the context says so. Titles, credentials and possessive endings
//! stay outside the span.

use crate::detect::Ctx;
use crate::lexicon::{Entry, NEVER, REGION};
use crate::places::{LOC_PREPS, strong_place_context};
use crate::tokens::{Case, Gap, Kind};
use crate::vocab::List;
use crate::{Label, vocab};

/// Capitalised words in a run that make it a term, not a person (`Beck Depression Inventory`).
#[rustfmt::skip]
pub(crate) static EPONYM_HEADS: List = List {
    bit: 1 << 16,
    words: &[
    "inventory", "scale", "method", "approach", "model", "protocol", "questionnaire", "test",
    "syndrome", "disease", "index", "checklist", "technique", "assessment", "screening", "criteria",
    "effect", "theory", "hierarchy", "scales", "disorder", "reflex", "maneuver",
    ],
};

/// Greetings before a name on the same line.
#[rustfmt::skip]
pub(crate) static GREETINGS: List = List {
    bit: 1 << 17,
    words: &[
    "hi", "hello", "dear", "hey", "morning", "afternoon", "evening", "attn",
    ],
};

/// Closings before a name (the name may be on the next line).
#[rustfmt::skip]
pub(crate) static CLOSINGS: List = List {
    bit: 1 << 18,
    words: &[
    "thanks", "thank", "regards", "best", "sincerely", "cheers", "warmly", "respectfully", "love",
    "gratefully", "cordially", "yours", "warm", "kindly", "appreciatively",
    ],
};

/// How a token in a run looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// A single capital letter, with its dot.
    Initial,
    /// Never part of a name (months, faiths, medicines, acronyms).
    Never,
    /// A given name or surname that is not an everyday word.
    Strong,
    /// A popular name that is also a word (Grace, Bush).
    Popular,
    /// A place that is not a name.
    Place,
    /// Not in any dictionary.
    Unknown,
    /// An everyday word.
    Word,
}

/// Runs the pass.
pub(crate) fn find(cx: &mut Ctx) {
    let mut i = 0;
    while i < cx.len() {
        if let Some(e) = initials(cx, i) {
            cx.claim(i, e, Label::Name);
            i = e;
            continue;
        }
        if cx.free(i) && run_token(cx, i) {
            let e = run_end(cx, i);
            i = decide(cx, i, e).max(i + 1);
        } else {
            i += 1;
        }
    }
}

/// Dotted abbreviations of two or three capitals that are not initials (beyond the never-names,
/// credentials and English words the dictionaries know).
const DOTTED_ABBREVIATIONS: &[&str] = &[
    "am", "pm", "us", "usa", "uk", "eu", "un", "dc", "la", "ny", "nyc", "bc", "ad", "ce", "bce",
    "ok", "vs", "eg", "ie", "id", "iq", "cv", "dv", "ipv", "si", "hi", "er", "ed", "icu", "bp",
    "hr", "iv", "im", "po", "ot", "pt", "st", "pe", "iep", "ged", "gpa", "dui", "dwi", "dmv", "tv",
    "pc", "pr", "dj", "rv", "suv", "atv", "vip", "fyi", "aka", "rip", "cps", "dcf", "dss", "dhs",
    "va", "gi", "std", "sti", "hiv", "mri", "ct", "ekg", "ecg", "eeg", "ob", "ent", "lpn", "cna",
    "ceo", "cfo", "coo", "hq", "llc", "inc", "ps", "pps", "nb", "re", "ss", "sos", "ga", "na",
    "aa", "ca", "oa", "mia", "pow", "ret", "usmc", "usn", "usaf", "wwii", "ww",
];

/// Initials standing for a person (`K.B.`, `R.N.'s`, `J.W.T.`): two or three capitals, each
/// with its dot, not followed by a surname (the run handles `J.R. Achterberg`). A pair that is
/// also an abbreviation, a credential or a word (`A.M.`, `U.S.`, `R.N.`, `O.K.`) is a person only
/// before a verb only a person does or a possessive, or after a relation word or a title.
fn initials(cx: &Ctx, i: usize) -> Option<usize> {
    let letter = |k: usize| {
        cx.tok(k).is_some_and(|t| {
            t.kind == Kind::Word && t.case == Case::Upper && cx.s(k).chars().count() == 1
        })
    };
    if !cx.free(i) || !letter(i) || (i > 0 && cx.touches(i) && !matches!(cx.s(i - 1), "(" | "\"")) {
        return None;
    }
    let mut e = i;
    let mut n = 0;
    while n < 3 && letter(e) && (e == i || cx.touches(e)) && cx.s(e + 1) == "." && cx.touches(e + 1)
    {
        e += 2;
        n += 1;
    }
    // More glued on (`U.S.A.F.`, `A.B.C.D.`, `J.R.R`), or not yet two.
    if n < 2 || (cx.touches(e) && cx.kind(e, Kind::Word)) || !cx.all_free(i, e) {
        return None;
    }
    // `J.R. Achterberg`: a name follows; the run decides.
    if run_token(cx, e)
        && cx.tok(e).is_some_and(|t| t.gap == Gap::Space)
        && (cx.entry(e).is_name() || !cx.entry(e).is_word(50))
    {
        return None;
    }
    let joined: String = (0..n)
        .map(|m| cx.s(i + 2 * m).to_ascii_lowercase())
        .collect();
    let entry = cx.lex.get(&joined);
    let known = vocab::is_in(DOTTED_ABBREVIATIONS, &joined)
        || entry.has(NEVER)
        || entry.lists & vocab::CREDENTIALS.bit != 0
        || entry.is_word(60);
    if known {
        let before = i > 0
            && cx.same_line(i)
            && (cx.has(i - 1, &vocab::RELATIONS)
                || (cx.s(i - 1) == "." && i > 1 && cx.has(i - 2, &vocab::TITLES))
                || header_value(cx, i) == Header::Person);
        // `R.N. arrived`, `R.N.'s`; not `A.A. and N.A.`.
        let (_, strong_verb, _) = context_after(cx, e);
        let strong_verb = strong_verb && !cx.is(e, "and");
        let after_name =
            i > 1 && cx.s(i - 1) == "," && cx.tok(i - 2).is_some_and(|t| t.is_capitalised());
        if !(before || strong_verb) || after_name {
            return None;
        }
    }
    Some(e)
}

fn run_token(cx: &Ctx, i: usize) -> bool {
    cx.tok(i)
        .is_some_and(|t| t.kind == Kind::Word && matches!(t.case, Case::Cap | Case::Upper))
}

/// The end of the run of capitalised words (with initials' dots and hyphens) from `i`.
fn run_end(cx: &Ctx, i: usize) -> usize {
    let mut e = i + 1;
    loop {
        // `Per A.K. (front desk)`: initials standing alone start their own run.
        if !cx.free(e) || initials(cx, e).is_some() {
            return e;
        }
        let s = cx.s(e);
        // The dot of an initial or a title: `J. R. Smith`, `Dr. Day`.
        if s == "."
            && cx.touches(e)
            && is_initial_or_title(cx, e - 1)
            && run_token(cx, e + 1)
            && cx.free(e + 1)
            && cx.tok(e + 1).is_some_and(|t| t.gap <= Gap::Space)
        {
            e += 2;
            continue;
        }
        if s == "-" && cx.touches(e) && cx.touches(e + 1) && run_token(cx, e + 1) && cx.free(e + 1)
        {
            e += 2;
            continue;
        }
        // `Hye-jin Park`: a lower-case second half that is no English word, before a surname.
        if s == "-"
            && cx.touches(e)
            && cx.touches(e + 1)
            && cx.free(e + 1)
            && cx
                .tok(e + 1)
                .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Lower)
            && !cx.entry(e + 1).is_word(60)
            && run_token(cx, e + 2)
            && cx.tok(e + 2).is_some_and(|t| t.gap == Gap::Space)
        {
            e += 2;
            continue;
        }
        if run_token(cx, e) && cx.tok(e).is_some_and(|t| t.gap == Gap::Space) {
            e += 1;
            continue;
        }
        return e;
    }
}

fn is_initial_or_title(cx: &Ctx, i: usize) -> bool {
    cx.tok(i).is_some_and(|t| {
        t.kind == Kind::Word && t.case == Case::Upper && cx.s(i).chars().count() == 1
    }) || cx.has(i, &vocab::TITLES)
}

fn classify(cx: &Ctx, i: usize, strong_ctx: bool) -> (Class, Entry) {
    let w = cx.s(i);
    let t = cx.toks[i];
    if t.case == Case::Upper && w.chars().count() == 1 {
        return (Class::Initial, Entry::default());
    }
    let e = cx.entry(i);
    if e.has(NEVER)
        || vocab::is_weekday(w)
        || cx.has(i, &vocab::CALENDAR)
        || cx.has(i, &vocab::HOLIDAYS)
        || cx.has(i, &vocab::TITLES)
        || (vocab::month(w).is_some() && !strong_ctx)
        || (e.has(REGION) && !strong_ctx)
        || (t.case == Case::Upper && (!strong_ctx || cx.has(i, &vocab::CREDENTIALS)))
    {
        return (Class::Never, e);
    }
    let class = if e.is_name() && !e.is_word(50) {
        Class::Strong
    } else if e.is_name() && e.is_popular_name() {
        Class::Popular
    } else if e.is_place() && !e.is_word(50) {
        Class::Place
    } else if !e.is_name() && !e.is_word(60) {
        Class::Unknown
    } else {
        Class::Word
    };
    (class, e)
}

/// Why the words before a run make it a name: a title, a greeting, a relation word, a header.
fn context_before(cx: &Ctx, i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let mut p = i - 1;
    // `Dr. Day`, `Dr Day`.
    if cx.s(p) == "." && p > 0 && cx.touches(p) {
        if cx.has(p - 1, &vocab::TITLES) && cx.tok(p - 1).is_some_and(|t| t.case != Case::Lower) {
            return true;
        }
        return false;
    }
    if cx.same_line(i)
        && cx.has(p, &vocab::TITLES)
        && cx.tok(p).is_some_and(|t| t.case == Case::Cap)
    {
        return true;
    }
    if cx.same_line(i) && cx.has(p, &GREETINGS) {
        return true;
    }
    if cx.s(p) == "," && p > 0 {
        // `Thanks,\nAna`, `her sister, Ana`, `the parent, Leon Dorsey`.
        let closing = (cx.has(p - 1, &CLOSINGS) && cx.sentence_start(p - 1))
            || (cx.is(p - 1, "you") && p > 1 && cx.is(p - 2, "thank") && cx.sentence_start(p - 2));
        if closing {
            return true;
        }
        if cx.same_line(i) && cx.has(p - 1, &vocab::RELATIONS) {
            return true;
        }
        p -= 1;
        let _ = p;
        return header_value(cx, i) == Header::Person;
    }
    if cx.same_line(i) && cx.has(p, &vocab::RELATIONS) {
        return true;
    }
    // `Mother (May Fraser)`.
    if cx.s(p) == "(" && p > 0 && cx.same_line(i) && cx.has(p - 1, &vocab::RELATIONS) {
        return true;
    }
    // `Halvard,` alone on the first line of a message: whom it is written to.
    if salutation(cx, i) {
        return true;
    }
    // `- Ana`: a signature line after a closing.
    header_value(cx, i) == Header::Person
}

/// A line that holds only one or two capitalised words and a comma (`Halvard,` opening an
/// e-mail): the person addressed, unless the words are a closing or everyday words (`Thanks,`,
/// `Team,`).
fn salutation(cx: &Ctx, i: usize) -> bool {
    if cx.tok(i).is_none_or(|t| t.gap != Gap::Line) {
        return false;
    }
    let mut e = i + 1;
    while e < i + 2 && run_token(cx, e) && cx.tok(e).is_some_and(|t| t.gap == Gap::Space) {
        e += 1;
    }
    cx.s(e) == ","
        && cx.touches(e)
        && cx.tok(e + 1).is_none_or(|t| t.gap == Gap::Line)
        && (i..e).all(|k| {
            let en = cx.entry(k);
            !cx.has(k, &CLOSINGS)
                && !cx.has(k, &GREETINGS)
                && !en.has(NEVER)
                && (en.is_name() || !en.is_word(50))
        })
}

#[derive(PartialEq, Eq)]
enum Header {
    None,
    Person,
}

/// Whether token `i` is in the value of a `Label:` header naming a person (`Member: Ali, Lars`).
fn header_value(cx: &Ctx, i: usize) -> Header {
    let mut k = i;
    while k > 0 && cx.same_line(k) {
        let p = k - 1;
        let s = cx.s(p);
        if s == ":" {
            return label_before(cx, p);
        }
        let ok = matches!(s, "," | "." | "&" | ";" | "/" | "-" | "'" | "\u{2019}")
            || cx.is(p, "and")
            || cx
                .tok(p)
                .is_some_and(|t| t.kind == Kind::Word && t.case != Case::Lower);
        if !ok || cx.tok(k).is_some_and(|t| t.gap == Gap::Wide) {
            return Header::None;
        }
        k = p;
    }
    Header::None
}

fn label_before(cx: &Ctx, colon: usize) -> Header {
    if colon == 0 || !cx.touches(colon) {
        return Header::None;
    }
    let l = colon - 1;
    if cx.has(l, &vocab::PERSON_LABELS) {
        // `Referred by:`, `Emergency contact:`, `Name:`; but not `Contact:` mid-sentence words.
        return Header::Person;
    }
    Header::None
}

/// Whether what follows the run at `e` says it is a person: a credential, a verb of speech, a
/// possessive, an age.
fn context_after(cx: &Ctx, e: usize) -> (bool, bool, bool) {
    let mut k = e;
    if cx.s(k) == "," {
        k += 1;
    }
    let cred = cx.same_line(k)
        && cx
            .tok(k)
            .is_some_and(|t| t.kind == Kind::Word && t.case != Case::Lower)
        && cx.has(k, &vocab::CREDENTIALS)
        && !cx.is_in(k, &["jr", "sr", "ii", "iii", "iv", "ma", "ms", "pa", "do"])
        || (cx.same_line(k)
            && cx.is_in(k, &["ma", "ms", "pa", "do"])
            && cx.tok(k).is_some_and(|t| t.case == Case::Upper)
            && k != e);
    // `Link used:`, `Time spent:`: a label, not a person doing something.
    let lower_next = cx.same_line(e)
        && cx
            .tok(e)
            .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Lower)
        && !(cx.s(e + 1) == ":" && cx.touches(e + 1));
    let person = (matches!(cx.s(e), "'" | "\u{2019}") && cx.is(e + 1, "s") && cx.touches(e))
        || (cx.s(e) == "," && cx.digits(e + 1, 1, 2) && matches!(cx.s(e + 2), "," | ")" | ";"))
        || (cx.s(e) == "(" && cx.digits(e + 1, 1, 2) && cx.s(e + 2) == ")");
    // `Faith has attended`, `Will later said`: an auxiliary or adverb before the verb.
    let aux = lower_next
        && cx.is_in(
            e,
            &[
                "has",
                "had",
                "was",
                "is",
                "will",
                "would",
                "did",
                "does",
                "also",
                "then",
                "never",
                "often",
                "still",
                "now",
                "recently",
                "again",
                "later",
                "just",
                "again",
                "first",
                "initially",
            ],
        )
        && cx.tok(e + 1).is_some_and(|t| t.gap <= Gap::Space)
        && cx.has(e + 1, &vocab::STRONG_NAME_VERBS);
    let strong_verb = person || aux || (lower_next && cx.has(e, &vocab::STRONG_NAME_VERBS));
    let any_verb = strong_verb || (lower_next && cx.has(e, &vocab::NAME_VERBS));
    (cred, strong_verb, any_verb)
}

fn decide(cx: &mut Ctx, start: usize, end: usize) -> usize {
    // Leading titles, relation words and greetings (`Dr.`, `Peer`, `Aunt`, `Hi`) stay outside
    // and make the rest a name.
    let mut i = start;
    let mut strong_ctx = false;
    // `CLIENT NAME:`, `Emergency Contact:`: a label, not a person (but `Callum:` opening a
    // line of a transcript is the speaker).
    if cx.s(end) == ":" && cx.touches(end) {
        let last = cx.entry(end - 1);
        let label_word = cx.has(end - 1, &vocab::PERSON_LABELS)
            || cx.has(end - 1, &vocab::ORG_LABELS)
            || cx.tok(end - 1).is_some_and(|t| t.case == Case::Upper)
            || (last.is_word(50) && !last.is_popular_name());
        if speaker(cx, start, end) {
            strong_ctx = true;
        } else if label_word {
            return end;
        }
    }
    // `Puerto Rico`, `South Carolina`: a state or country is not an identifier.
    let phrase: Vec<String> = (start..end)
        .filter(|&k| cx.kind(k, Kind::Word))
        .map(|k| cx.s(k).to_lowercase())
        .collect();
    if phrase.len() > 1 && vocab::is_in(vocab::STATES, &phrase.join(" "))
        || vocab::is_in(vocab::REGION_PHRASES, &phrase.join(" "))
    {
        cx.settle(start, end);
        return end;
    }
    while i < end
        && cx
            .tok(i)
            .is_some_and(|t| t.case != Case::Upper || cx.s(i).len() < 3)
        && (cx.has(i, &vocab::TITLES) || cx.has(i, &vocab::RELATIONS) || cx.has(i, &GREETINGS))
    {
        i += 1;
        if cx.s(i) == "." {
            i += 1;
        }
        strong_ctx = true;
    }
    if i >= end {
        return end;
    }
    // `Dr. K.L.`: initials after a title.
    if i > start {
        if let Some(e) = initials(cx, i) {
            cx.claim(i, e, Label::Name);
            return e;
        }
    }
    // `Co-facilitator`, `Ex-wife`: a prefix, not a name.
    if end == i + 1
        && cx.s(end) == "-"
        && cx.touches(end)
        && cx.touches(end + 1)
        && cx.tok(end + 1).is_some_and(|t| t.case == Case::Lower)
    {
        return end;
    }
    strong_ctx = strong_ctx || context_before(cx, i);
    let (cred, strong_verb, verb) = context_after(cx, end);
    strong_ctx = strong_ctx || cred;
    // A term named after someone: `Beck Depression Inventory`.
    if !strong_ctx && (i..end).any(|k| cx.has(k, &EPONYM_HEADS)) {
        return end;
    }
    let mut is_name = vec![false; end - i];
    let mut classes = Vec::with_capacity(end - i);
    for k in i..end {
        classes.push(if cx.kind(k, Kind::Word) {
            classify(cx, k, strong_ctx).0
        } else {
            Class::Never
        });
    }
    for (n, k) in (i..end).enumerate() {
        let start_of_sentence = n == 0 && cx.sentence_start(k);
        is_name[n] = match classes[n] {
            Class::Strong => true,
            // A word that is also a name (Hope, Will) opens a sentence as a name only before a
            // verb that needs a person (`Hope said`, not `Hope remains`).
            // Among capitalised everyday words (`Insight Fair, Judgment Good`, `Faith, Family
            // and Friends`) it is a word too.
            // `Will will try`, `May may call`: a modal name before a modal verb.
            Class::Popular
                if cx.is_in(k, &["will", "may"]) && modal_after(cx, end) && k + 1 == end =>
            {
                true
            }
            // `Dawn will call the school`, `Colt can bring his log`: a given name that is also
            // a word, as the subject of a modal and a verb only a person does.
            Class::Popular | Class::Word
                if k + 1 == end && cx.entry(k).is_given() && modal_person_verb(cx, end) =>
            {
                true
            }
            // `Counselor: Good morning.`, `Therapist: Sure thing`: an everyday word opening a
            // line's message before another everyday word, not a person doing something.
            Class::Popular
                if start_of_sentence
                    && k + 1 == end
                    && cx.entry(k).is_word(20)
                    && cx.same_line(end)
                    && cx
                        .tok(end)
                        .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Lower)
                    && !verb =>
            {
                false
            }
            Class::Popular => {
                let beside_word = (n > 0 && classes[n - 1] == Class::Word)
                    || classes.get(n + 1) == Some(&Class::Word);
                strong_ctx
                    || (!start_of_sentence
                        && !beside_word
                        && !title_case_around(cx, i, end, &classes)
                        && !only_word_names_after_start(cx, i, &classes))
                    || (strong_verb && k + 1 == end)
            }
            Class::Unknown => strong_ctx || !start_of_sentence || (verb && k + 1 == end),
            Class::Word => {
                let e = cx.entry(k);
                // A rare word that is also a name (Florin) reads as a name where capitals count;
                // a common one (`No`) only after a title or in a header, never a greeting's reply.
                e.is_name()
                    && ((strong_ctx && (e.word_level > 20 || !start_of_sentence))
                        || (e.word_level >= 40
                            && (!start_of_sentence || (strong_verb && k + 1 == end))))
            }
            Class::Place => strong_ctx,
            Class::Initial | Class::Never => false,
        };
    }
    // Words next to a name that are names too (`Vera Day`, `Grace Park said`), and initials.
    let mut changed = true;
    while changed {
        changed = false;
        for n in 0..is_name.len() {
            if is_name[n] {
                continue;
            }
            // Neighbours are the nearest words, across an initial's dot or a hyphen.
            let left = (0..n).rev().find(|&m| cx.kind(i + m, Kind::Word));
            let right = (n + 1..is_name.len()).find(|&m| cx.kind(i + m, Kind::Word));
            let next_to = left.is_some_and(|m| is_name[m]) || right.is_some_and(|m| is_name[m]);
            if !next_to {
                continue;
            }
            let k = i + n;
            let ok = match classes[n] {
                Class::Initial => true,
                // `April Nguyen`: a month that is also a given name, beside a surname; `Phan Thi
                // Thu`: a weekday's abbreviation that is also a given name, after a name.
                Class::Never => {
                    (vocab::month(cx.s(k)).is_some()
                        && vocab::is_full_month(cx.s(k))
                        && right.is_some_and(|m| is_name[m] && classes[m] == Class::Strong))
                        || (vocab::is_weekday(cx.s(k))
                            && cx.s(k).len() == 3
                            && cx.tok(k).is_some_and(|t| t.case == Case::Cap)
                            && left.is_some_and(|m| is_name[m])
                            && right.is_none())
                }
                Class::Popular | Class::Unknown | Class::Place => true,
                Class::Word => cx.entry(k).is_name() && !cx.entry(k).is_word(20),
                _ => false,
            };
            if ok {
                is_name[n] = true;
                changed = true;
            }
        }
    }
    // Initials may lead a run: `N. Amundsen`.
    let mut n = 0;
    let len = is_name.len();
    let mut consumed_end = end;
    while n < len {
        if !is_name[n] || !cx.kind(i + n, Kind::Word) {
            n += 1;
            continue;
        }
        let s = n;
        while n < len && (is_name[n] || !cx.kind(i + n, Kind::Word)) {
            n += 1;
        }
        // Do not end on a dot or a hyphen.
        let mut e = i + n;
        while e > i + s && !cx.kind(e - 1, Kind::Word) {
            e -= 1;
        }
        // An initial alone is not enough.
        if (i + s..e).all(|k| classes[k - i] == Class::Initial || !cx.kind(k, Kind::Word)) {
            continue;
        }
        let mut span_end = e;
        // An initial's dot belongs to it.
        if cx.s(span_end) == "."
            && cx.touches(span_end)
            && classes.get(span_end - 1 - i) == Some(&Class::Initial)
        {
            span_end += 1;
        }
        // `Amundsen, Amir`: surname, comma, given name, in a header or alone on its line.
        if let Some(last) = last_first(cx, i + s, span_end, strong_ctx) {
            cx.claim(i + s, last, Label::Name);
            consumed_end = consumed_end.max(last);
            continue;
        }
        let label = label_for(cx, i + s, span_end);
        cx.claim(i + s, span_end, label);
    }
    consumed_end
}

/// Things a person does, in the base form after a modal (`will call`, `can bring`).
const PERSON_ACTIONS: &[&str] = &[
    "bring", "call", "text", "email", "e-mail", "phone", "try", "practice", "practise", "attend",
    "ask", "tell", "talk", "speak", "complete", "schedule", "meet", "write", "read", "sign",
    "contact", "share", "log", "track", "journal", "walk", "visit", "invite", "join", "apply",
    "drive", "discuss", "review", "identify", "explore", "reach", "check", "send", "pick", "sleep",
    "eat", "exercise", "research", "decide", "update", "fill", "plan", "list", "record", "notify",
    "let", "ride", "stay", "come", "go", "return", "follow", "teach", "show", "consider",
];

/// A modal and then a verb only a person does, then an object or a preposition (`will bring
/// his log`, `can call the school`, `should text back`): what follows a name as subject, not
/// the word (`Hope will continue`, `Faith can bring clarity`).
fn modal_person_verb(cx: &Ctx, e: usize) -> bool {
    let modal = cx
        .tok(e)
        .is_some_and(|t| t.gap == Gap::Space && t.case == Case::Lower)
        && cx.is_in(
            e,
            &[
                "will", "would", "can", "could", "should", "may", "might", "must", "shall",
            ],
        );
    if !modal {
        return false;
    }
    let mut v = e + 1;
    if cx.is_in(
        v,
        &["also", "then", "still", "now", "again", "first", "probably"],
    ) {
        v += 1;
    }
    let verb = cx.same_line(v) && cx.is_in(v, PERSON_ACTIONS);
    let object = cx
        .tok(v + 1)
        .is_none_or(|t| t.kind == Kind::Punct || t.gap == Gap::Line)
        || cx.is_in(
            v + 1,
            &[
                "his", "her", "their", "him", "them", "the", "a", "an", "to", "in", "at", "for",
                "with", "back", "up", "on", "me", "us", "my", "our", "out", "over", "about",
            ],
        );
    verb && object
}

/// Roles that speak in an exported thread (`Counselor: see you then`).
const SPEAKER_ROLES: &[&str] = &[
    "me",
    "therapist",
    "counselor",
    "counsellor",
    "clinician",
    "provider",
    "staff",
    "coach",
    "specialist",
    "advocate",
    "navigator",
    "worker",
    "you",
];

/// Whether the run `s..e`, a given name that is also a word (`Hope`, `Will`), opens a line of
/// a message thread as its speaker: a colon, a message in lower case (`Will: thx`), and another
/// line of the thread spoken by a role (`Counselor:`) or by the same name.
fn speaker(cx: &Ctx, s: usize, e: usize) -> bool {
    let line_start = |k: usize| {
        cx.tok(k).is_some_and(|t| t.gap == Gap::Line)
            || (k > 0 && cx.s(k - 1) == "]" && cx.same_line(k))
    };
    if e - s > 2 || !line_start(s) || !cx.entry(s).is_given() || !cx.same_line(e + 1) {
        return false;
    }
    let lower = cx
        .tok(e + 1)
        .is_some_and(|t| t.kind != Kind::Word || t.case == Case::Lower);
    if !lower || matches!(cx.s(e + 1), "/" | "\\") {
        return false;
    }
    // Nearby (a bounded look either way): the same speaker on another line, or a role speaking
    // in a text that says it is a thread (a form's `Faith: catholic` is a field).
    let same = cx.s(s);
    let lo = s.saturating_sub(400);
    let hi = (e + 400).min(cx.len());
    let speaks =
        |k: usize, w: usize| k != s && line_start(k) && cx.s(k + w) == ":" && cx.touches(k + w);
    if (lo..hi).any(|k| speaks(k, 1) && cx.s(k) == same) {
        return true;
    }
    let role = (lo..hi).any(|k| {
        (speaks(k, 1) && vocab::is_in(SPEAKER_ROLES, cx.s(k)))
            // `Peer Specialist:`, `Case Manager:`: a role of two words.
            || (speaks(k, 2) && vocab::is_in(SPEAKER_ROLES, cx.s(k + 1)))
    });
    let thread = (lo..hi).any(|k| {
        cx.is_in(
            k,
            &[
                "thread",
                "messages",
                "texts",
                "chat",
                "sms",
                "transcript",
                "exported",
                "imessage",
                "whatsapp",
            ],
        ) || (cx.s(k) == "[" && cx.tok(k).is_some_and(|t| t.gap == Gap::Line))
    });
    role && thread
}

/// Whether a lower-case modal or auxiliary verb follows at `e` (`Will will`, `May has`).
fn modal_after(cx: &Ctx, e: usize) -> bool {
    cx.tok(e)
        .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Lower && t.gap == Gap::Space)
        && cx.is_in(
            e,
            &[
                "will", "would", "can", "could", "should", "may", "might", "must", "has", "had",
                "is", "was", "does", "did", "needs", "wants",
            ],
        )
}

/// Whether the run from `i` opens a sentence and holds only names that are also words
/// (`Insurance: Blue Cross`): then no word in it is a name without more evidence.
fn only_word_names_after_start(cx: &Ctx, i: usize, classes: &[Class]) -> bool {
    cx.sentence_start(i)
        && classes
            .iter()
            .all(|c| matches!(c, Class::Popular | Class::Never))
}

/// Whether the run `i..end` stands among capitalised everyday words: inside the run, or as the
/// nearest word before or after it on the line (across a comma or `and`).
fn title_case_around(cx: &Ctx, i: usize, end: usize, classes: &[Class]) -> bool {
    if classes.contains(&Class::Word)
        && !classes
            .iter()
            .any(|c| *c == Class::Strong || *c == Class::Unknown)
    {
        return true;
    }
    let common_cap = |k: usize| {
        cx.tok(k)
            .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Cap)
            && !cx.sentence_start(k)
            && cx.entry(k).is_word(50)
            && !cx.entry(k).is_popular_name()
    };
    let mut p = i;
    while p > 0 && cx.same_line(p) && (matches!(cx.s(p - 1), "," | "&") || cx.is(p - 1, "and")) {
        p -= 1;
    }
    let before = p > 0 && p < i && cx.same_line(p) && common_cap(p - 1);
    let mut n = end;
    while cx.same_line(n) && (matches!(cx.s(n), "," | "&") || cx.is(n, "and")) {
        n += 1;
    }
    let after = n > end && cx.same_line(n) && common_cap(n);
    before || after || (p == i && i > 0 && cx.same_line(i) && common_cap(i - 1))
}

/// `Last, First`: returns the end of the given name if the run `s..e` is one surname followed by
/// a comma and one given name that ends the list.
fn last_first(cx: &Ctx, s: usize, e: usize, strong_ctx: bool) -> Option<usize> {
    if e != s + 1
        || cx.s(e) != ","
        || !cx.same_line(e + 1)
        || !run_token(cx, e + 1)
        || !cx.free(e + 1)
    {
        return None;
    }
    let g = e + 1;
    let sur = cx.entry(s);
    let given = cx.entry(g);
    // The given name must end the list (`Ali, Lars` but not `Ali, Lars, and Ana`).
    let ends_list = !(cx.s(g + 1) == ","
        || cx.is(g + 1, "and")
        || cx.s(g + 1) == "&"
        || run_token(cx, g + 1) && cx.tok(g + 1).is_some_and(|t| t.gap == Gap::Space));
    let g_ok = given.is_given() && !given.has(NEVER) && vocab::month(cx.s(g)).is_none();
    let s_ok = (sur.is_surname() || !sur.is_name()) && (strong_ctx || !sur.is_word(50));
    let alone = cx.sentence_start(s) && cx.tok(g + 1).is_none_or(|t| t.gap == Gap::Line);
    (ends_list && g_ok && s_ok && (strong_ctx || alone) && !sur.is_given_only()).then_some(g + 1)
}

impl Entry {
    fn is_given_only(&self) -> bool {
        self.is_given() && !self.is_surname() && self.births > 50_000
    }
}

/// NAME, or LOCATION for a place named after `in`/`to`, before `police`, or before a state.
fn label_for(cx: &Ctx, s: usize, e: usize) -> Label {
    let words: Vec<Entry> = (s..e)
        .filter(|&k| cx.kind(k, Kind::Word))
        .map(|k| cx.entry(k))
        .collect();
    let all_places = words.iter().all(Entry::is_place);
    let unknown = words.iter().all(|w| !w.is_name());
    let prep =
        s > 0 && cx.has(s - 1, &LOC_PREPS) && cx.tok(s - 1).is_some_and(|t| t.case == Case::Lower);
    let after = cx.is_in(
        e,
        &[
            "police",
            "area",
            "resident",
            "residents",
            "native",
            "county",
            "city",
            "suburbs",
            "neighborhood",
        ],
    );
    if (all_places || unknown)
        && (prep || after || strong_place_context(cx, s))
        && !cx.is_in(s.saturating_sub(1), &["to"])
    {
        return Label::Location;
    }
    if all_places
        && (strong_place_context(cx, s)
            || after
            || (prep && !words.iter().any(|w| w.births > 1000)))
    {
        return Label::Location;
    }
    Label::Name
}

/// Once a word is a name somewhere in the text, its other capitalised occurrences are that name
/// too, even where the context alone would not say so (`Hope was tearful` after `met with
/// Hope`), except a word opening a sentence without a verb that needs a person.
pub(crate) fn propagate(cx: &mut Ctx) {
    let mut found: Vec<String> = Vec::new();
    for s in cx.spans.iter().filter(|s| s.label == Label::Name) {
        for t in crate::tokens::tokenize(&cx.text[s.start..s.end]) {
            let w = &cx.text[s.start + t.start..s.start + t.end];
            if t.kind == Kind::Word && w.chars().count() > 1 {
                found.push(w.to_lowercase());
            }
        }
    }
    if found.is_empty() {
        return;
    }
    found.sort();
    found.dedup();
    for i in 0..cx.len() {
        let Some(t) = cx.tok(i) else { break };
        if !cx.free(i) || t.kind != Kind::Word || t.case != Case::Cap {
            continue;
        }
        let w = cx.s(i);
        if !found.iter().any(|f| {
            f.as_str() == w
                || f.eq_ignore_ascii_case(w)
                || (!w.is_ascii() && *f == w.to_lowercase())
        }) {
            continue;
        }
        let (class, e) = classify(cx, i, false);
        if class == Class::Never {
            continue;
        }
        if e.is_word(50) && cx.sentence_start(i) && !context_after(cx, i + 1).1 {
            continue;
        }
        cx.claim(i, i + 1, Label::Name);
    }
}
