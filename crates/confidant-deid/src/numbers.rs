//! Phone and fax numbers, SSNs, ages over 89 and the other numeric identifiers (chart, plan,
//! licence, plate, case numbers), each validated by shape and, where the shape is not enough,
//! by a keyword before it.
//!
//! Must leave alone what looks numeric but identifies no one: years, ages up to 89, ICD-10 and
//! CPT codes, doses, scores, times and durations.

use crate::detect::Ctx;
use crate::tokens::{Gap, Kind};
use crate::vocab::List;
use crate::{Label, vocab};

/// Runs SSN and phone detection.
pub(crate) fn find_phones(cx: &mut Ctx) {
    let n = cx.len();
    let mut i = 0;
    while i < n {
        if !cx.free(i) {
            i += 1;
            continue;
        }
        if let Some(j) = ssn(cx, i) {
            cx.claim(type_abbreviation_before(cx, i), j, Label::Id);
            i = j;
            continue;
        }
        if let Some(j) = phone(cx, i) {
            let j = extension(cx, j);
            if cx.all_free(i, j) {
                cx.claim(i, j, Label::Phone);
                i = j;
                continue;
            }
        }
        i += 1;
    }
}

/// A separator inside a phone number or SSN: `-`, `.` or a single space.
fn sep(cx: &Ctx, i: usize) -> Option<usize> {
    match cx.s(i) {
        "-" | "." | "\u{2010}" | "\u{2011}" | "\u{2013}" if cx.touches(i) && cx.touches(i + 1) => {
            Some(i + 1)
        }
        _ if cx.tok(i).is_some_and(|t| t.gap == Gap::Space) => Some(i),
        _ => None,
    }
}

/// Whether a number run ends at `j` (no further digit group glued on).
fn ends(cx: &Ctx, j: usize) -> bool {
    !(cx.touches(j) && (cx.kind(j, Kind::Num) || cx.kind(j, Kind::Alnum)))
        && !(cx.touches(j)
            && matches!(cx.s(j), "-" | "/")
            && cx.touches(j + 1)
            && cx.kind(j + 1, Kind::Num))
}

fn starts(cx: &Ctx, i: usize) -> bool {
    i == 0
        || !(cx.touches(i)
            && (cx.kind(i - 1, Kind::Num)
                || cx.kind(i - 1, Kind::Alnum)
                || matches!(cx.s(i - 1), "-" | "/" | "." | "$")))
}

fn ssn(cx: &Ctx, i: usize) -> Option<usize> {
    if !starts(cx, i) || !cx.digits(i, 3, 3) {
        return None;
    }
    let a = sep(cx, i + 1)?;
    if !cx.digits(a, 2, 2) {
        return None;
    }
    let b = sep(cx, a + 1)?;
    if !cx.digits(b, 4, 4) || !ends(cx, b + 1) {
        return None;
    }
    // Separators must match: `123-45-6789` or `123 45 6789`.
    (cx.s(i + 1) == cx.s(a + 1) || (a == i + 1 && b == a + 1)).then_some(b + 1)
}

/// A phone number starting at token `i`; returns the end token.
fn phone(cx: &Ctx, i: usize) -> Option<usize> {
    if !starts(cx, i) {
        return None;
    }
    let mut k = i;
    // Country code: `+1`, `1-`, `1 `.
    if cx.s(k) == "+" && cx.touches(k + 1) && cx.digits(k + 1, 1, 3) {
        k = sep(cx, k + 2).unwrap_or(k + 2);
    } else if cx.s(k) == "1" && cx.digits(k + 2, 3, 3) || (cx.s(k) == "1" && cx.s(k + 1) == "(") {
        if let Some(a) = sep(cx, k + 1) {
            k = a;
        } else if cx.s(k + 1) == "(" && cx.touches(k + 1) {
            k += 1;
        }
    }
    // Area code: `(555)`, `555`.
    let area_paren = cx.s(k) == "("
        && cx.digits(k + 1, 3, 3)
        && cx.s(k + 2) == ")"
        && cx.touches(k + 1)
        && cx.touches(k + 2);
    let after_area = if area_paren {
        let next = k + 3;
        if cx.tok(next).is_none_or(|t| t.gap > Gap::Space) {
            return None;
        }
        next
    } else if cx.digits(k, 3, 3) {
        // `406/555-0134`: a slash may follow the area code only.
        let slash = cx.s(k + 1) == "/" && cx.touches(k + 1) && cx.touches(k + 2);
        match if slash { Some(k + 2) } else { sep(cx, k + 1) } {
            Some(a) if cx.digits(a, 3, 3) => a,
            _ => {
                // Ten digits run together, only after a phone word.
                if cx.digits(k, 10, 10) && phone_word_before(cx, i) && ends(cx, k + 1) {
                    return Some(k + 1);
                }
                // Seven digits `555-1234` without an area code.
                return local_number(cx, i, k);
            }
        }
    } else if cx.digits(k, 10, 10) && phone_word_before(cx, i) && ends(cx, k + 1) {
        return Some(k + 1);
    } else {
        return None;
    };
    if !cx.digits(after_area, 3, 3) {
        return None;
    }
    let b = sep(cx, after_area + 1)?;
    if !cx.digits(b, 4, 4) || !ends(cx, b + 1) {
        return None;
    }
    Some(b + 1)
}

/// `555-1234` or `555.1234`, with no area code; a space is not enough here.
fn local_number(cx: &Ctx, i: usize, k: usize) -> Option<usize> {
    if k != i || !cx.digits(k, 3, 3) {
        return None;
    }
    if !(matches!(cx.s(k + 1), "-" | ".") && cx.touches(k + 1) && cx.touches(k + 2)) {
        return None;
    }
    (cx.digits(k + 2, 4, 4) && ends(cx, k + 3)).then_some(k + 3)
}

/// Words that make ten digits run together a phone number.
#[rustfmt::skip]
pub(crate) static PHONE_WORDS: List = List {
    bit: 1 << 24,
    words: &[
    "phone", "tel", "telephone", "cell", "mobile", "fax", "call", "called", "text", "number",
    "home", "work", "ph", "contact", "at", "pager", "voicemail",
    ],
};

fn phone_word_before(cx: &Ctx, i: usize) -> bool {
    (1..=3).any(|d| i >= d && cx.has(i - d, &PHONE_WORDS))
}

/// Adds an extension (`x204`, `ext. 12`) after a phone number ending at `j`.
fn extension(cx: &Ctx, j: usize) -> usize {
    let mut k = j;
    if cx.s(k) == "," && cx.touches(k) {
        k += 1;
    }
    let w = cx.s(k);
    if let Some(rest) = w.strip_prefix(['x', 'X']) {
        if cx.kind(k, Kind::Alnum) && !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            return k + 1;
        }
    }
    if vocab::is_in(&["x", "ext", "extension", "ex"], w) {
        let mut v = k + 1;
        if cx.s(v) == "." && cx.touches(v) {
            v += 1;
        }
        if cx.s(v) == "#" {
            v += 1;
        }
        if cx.digits(v, 1, 6) {
            return v + 1;
        }
    }
    j
}

/// Ages over 89: the number only (`92-year-old`, `aged 95`, `age: 91`, `in her 90s`).
pub(crate) fn find_ages(cx: &mut Ctx) {
    for i in 0..cx.len() {
        if !cx.free(i) {
            continue;
        }
        let w = cx.s(i);
        // `90s`, `90's`, `nineties`.
        if cx.kind(i, Kind::Alnum) && matches!(w, "90s" | "100s") {
            if i >= 2
                && cx.is_in(
                    i - 1,
                    &["her", "his", "their", "early", "mid", "late", "the"],
                )
            {
                cx.claim(i, i + 1, Label::Age);
            }
            continue;
        }
        // `her 100th birthday`.
        if cx.kind(i, Kind::Alnum) && cx.is_in(i + 1, &["birthday", "birthdays", "bday"]) {
            let n: String = w.chars().take_while(char::is_ascii_digit).collect();
            let suffix = &w[n.len()..];
            if vocab::is_in(&["st", "nd", "rd", "th"], suffix)
                && n.parse::<u32>().is_ok_and(|v| (90..=125).contains(&v))
            {
                cx.claim(i, i + 1, Label::Age);
            }
            continue;
        }
        if let Some(e) = age_in_words(cx, i) {
            cx.claim(i, e, Label::Age);
            continue;
        }
        let Some(v) = cx.num(i) else { continue };
        if !(90..=125).contains(&v) || !cx.digits(i, 2, 3) {
            continue;
        }
        if age_after(cx, i + 1) || age_before(cx, i) || age_of_person(cx, i) {
            cx.claim(i, i + 1, Label::Age);
        }
    }
}

/// Words before a number, in its sentence, that make it a measure, a score or a place, not an
/// age (`weight now 96`, `PCL-5 is 92`, `room 96`, `HR was 94`).
const MEASURES: &[&str] = &[
    "score",
    "scores",
    "scored",
    "scoring",
    "weight",
    "weighs",
    "weighed",
    "lbs",
    "lb",
    "pounds",
    "kg",
    "bp",
    "hr",
    "pulse",
    "heart",
    "temp",
    "temperature",
    "fever",
    "level",
    "levels",
    "glucose",
    "sugar",
    "a1c",
    "iq",
    "percent",
    "percentile",
    "pcl",
    "phq",
    "gad",
    "points",
    "room",
    "rm",
    "suite",
    "unit",
    "apt",
    "bed",
    "floor",
    "building",
    "highway",
    "route",
    "hwy",
    "interstate",
    "exit",
    "mile",
    "miles",
    "minutes",
    "mins",
    "hours",
    "days",
    "dollars",
    "cost",
    "costs",
    "paid",
    "owes",
    "balance",
    "bill",
    "copay",
    "number",
    "no",
    "grade",
    "page",
    "speed",
    "mph",
    "saturation",
    "sats",
    "spo2",
    "o2",
    "bmi",
    "count",
    "total",
    "raw",
    "scale",
    "rate",
    "rated",
    "rating",
    "item",
    "items",
    "question",
    "questions",
    "percentage",
    "bus",
    "channel",
    "lot",
    "mg",
    "ml",
    "units",
    "degrees",
    "f",
    "c",
    "volume",
];

/// What may follow an age (`who is 94 and`, `now 96,`, `died at 101 in`).
const AFTER_AN_AGE: &[&str] = &[
    "and",
    "but",
    "so",
    "or",
    "this",
    "next",
    "last",
    "in",
    "on",
    "at",
    "with",
    "when",
    "yet",
    "now",
    "today",
    "soon",
    "he",
    "she",
    "they",
    "who",
    "lives",
    "living",
    "still",
    "has",
    "had",
    "is",
    "was",
    "since",
    "after",
    "before",
    "as",
    "though",
    "although",
    "because",
    "per",
    "according",
    "going",
    "already",
    "himself",
    "herself",
    "alone",
    "too",
    "also",
];

/// A person's age said without `age` or `years`: `now 96`, `who is 94`, `she's 91`, `will be
/// 97`, `died at 101`, `at the age of 93`, `Fumiko, 98,`, `Ruth (91)`. The number must stand
/// alone (not `96%`, `96/100`, `96 lbs`) with no measure word before it in its sentence.
fn age_of_person(cx: &Ctx, i: usize) -> bool {
    if i == 0 || !cx.same_line(i) {
        return false;
    }
    let glued_before = cx.touches(i) && matches!(cx.s(i - 1), "-" | "/" | "." | "$" | "#" | "+");
    let n = i + 1;
    let glued_after = cx.touches(n)
        && (matches!(cx.s(n), "%" | "/" | ":" | "-" | "+")
            || (cx.s(n) == "." && cx.kind(n + 1, Kind::Num) && cx.touches(n + 1))
            || cx.kind(n, Kind::Word));
    let after_ok = match cx.tok(n) {
        None => true,
        Some(t) if t.gap == Gap::Line => true,
        Some(t) if t.kind == Kind::Punct => !glued_after,
        Some(t) if t.kind == Kind::Word && t.case == crate::tokens::Case::Lower => {
            cx.is_in(n, AFTER_AN_AGE)
        }
        Some(_) => false,
    };
    if glued_before || measure_near(cx, i) {
        return false;
    }
    let p = i - 1;
    let w = cx.s(p);
    // `a neighbor who is 97 checks in`: after a person as subject, any word but a unit.
    if vocab::is_in(&["is", "was", "be", "being", "s"], w) {
        let unit_after = cx.is_in(n, MEASURES)
            || cx.is_in(
                n,
                &["percent", "pounds", "years", "year", "yrs", "times", "out"],
            );
        return !glued_after && !unit_after && person_subject(cx, p);
    }
    if !after_ok {
        return false;
    }
    if vocab::is_in(&["now"], w) {
        return true;
    }
    if cx.is(p, "of") && p > 0 && cx.is(p - 1, "age") {
        return true;
    }
    if cx.is(p, "at") {
        // `died at 101`, `still drives at 92`, `At 93, she`.
        let life = (1..=3).any(|d| {
            p >= d
                && cx.same_line(p + 1 - d)
                && cx.is_in(
                    p - d,
                    &[
                        "died",
                        "passed",
                        "retired",
                        "married",
                        "remarried",
                        "widowed",
                        "still",
                        "even",
                        "stopped",
                        "quit",
                        "started",
                        "began",
                        "moved",
                        "lost",
                        "drove",
                        "drives",
                        "driving",
                        "lived",
                        "lives",
                        "graduated",
                        "diagnosed",
                        "death",
                        "dying",
                        "away",
                    ],
                )
        });
        let opening = cx.sentence_start(p) && cx.s(n) == ",";
        return life || opening;
    }
    // `Fumiko, 98, lives with them`, `Ruth Ann Kowalczyk (91)`.
    let beside_name = |k: usize| {
        cx.tok(k)
            .is_some_and(|t| t.kind == Kind::Word && t.case == crate::tokens::Case::Cap)
            && !cx.entry(k).is_place()
            && vocab::month(cx.s(k)).is_none()
            && !cx.is_in(k, MEASURES)
            && !cx.has(k, &vocab::ORG_HEADS)
            && !cx.has(k, &vocab::UNITS)
            && vocab::street_suffix(cx.s(k)).is_none()
    };
    // `my mom (96)`.
    if w == "("
        && cx.s(n) == ")"
        && p > 0
        && (beside_name(p - 1) || cx.has(p - 1, &vocab::RELATIONS))
    {
        return true;
    }
    w == "," && matches!(cx.s(n), "," | ")" | ";") && p > 0 && beside_name(p - 1)
}

/// A measure word up to five tokens before `i` in its sentence.
fn measure_near(cx: &Ctx, i: usize) -> bool {
    let mut k = i;
    let mut steps = 0;
    while k > 0 && steps < 5 && cx.same_line(k) {
        k -= 1;
        steps += 1;
        if matches!(cx.s(k), "." | "!" | "?" | ";") {
            return false;
        }
        if cx.is_in(k, MEASURES) {
            return true;
        }
    }
    false
}

/// Whether the verb at `p` (`is`, `was`, `be`, the `s` of `she's`) has a person for subject:
/// a pronoun, a relation word or a name (`who is`, `she's`, `her father is`, `Edna will be`).
fn person_subject(cx: &Ctx, p: usize) -> bool {
    let mut s = p;
    if cx.is(p, "s") {
        if p < 2 || !cx.touches(p) || !matches!(cx.s(p - 1), "'" | "\u{2019}") {
            return false;
        }
        s = p - 1;
    }
    // `will be`, `would have been` is not handled; `will soon be`.
    let mut steps = 0;
    while s > 0 && steps < 2 && cx.is_in(s - 1, &["will", "would", "soon", "now", "to", "ll"]) {
        s -= 1;
        steps += 1;
    }
    if s > 0 && matches!(cx.s(s - 1), "'" | "\u{2019}") {
        s -= 1;
    }
    if s == 0 {
        return false;
    }
    let mut subj = s - 1;
    // `his wife, Inger, is 91`.
    if cx.s(subj) == "," && subj > 0 {
        subj -= 1;
    }
    cx.is_in(
        subj,
        &[
            "he", "she", "who", "they", "i", "you", "mom", "dad", "grandma", "grandpa", "nana",
        ],
    ) || cx.has(subj, &vocab::RELATIONS)
        || (cx
            .tok(subj)
            .is_some_and(|t| t.kind == Kind::Word && t.case == crate::tokens::Case::Cap)
            && !cx.sentence_start(subj)
            && cx.entry(subj).is_name())
}

/// Ages over 89 in words after an age word or before `years`: `aged ninety-three`, `turned
/// ninety`, `ninety-one years old`.
fn age_in_words(cx: &Ctx, i: usize) -> Option<usize> {
    if !cx.is(i, "ninety") {
        return None;
    }
    const UNITS: &[&str] = &[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let e = if cx.s(i + 1) == "-" && cx.touches(i + 1) && cx.touches(i + 2) {
        if !cx.is_in(i + 2, UNITS) {
            return None;
        }
        i + 3
    } else {
        i + 1
    };
    let before = i > 0
        && cx.is_in(
            i - 1,
            &[
                "age", "aged", "turned", "turning", "turns", "is", "was", "be", "now", "at",
            ],
        );
    // `her father, ninety-one, lives at home`: set off after a person.
    let apposed = i > 1
        && cx.s(i - 1) == ","
        && matches!(cx.s(e), "," | ")" | ";")
        && (cx.has(i - 2, &vocab::RELATIONS)
            || cx
                .tok(i - 2)
                .is_some_and(|t| t.kind == Kind::Word && t.case == crate::tokens::Case::Cap));
    (before || apposed || age_after(cx, e)).then_some(e)
}

fn age_after(cx: &Ctx, j: usize) -> bool {
    let mut k = j;
    if matches!(cx.s(k), "-" | "\u{2010}") && cx.touches(k) {
        k += 1;
    }
    let w = cx.s(k);
    if vocab::is_in(&["yo", "y", "yrs", "yr", "years", "year", "yoa"], w) {
        return !(vocab::is_in(&["years", "year", "yrs", "yr"], w)
            && cx.is_in(
                k + 1,
                &["ago", "later", "earlier", "before", "after", "since"],
            ));
    }
    if cx.kind(k, Kind::Alnum)
        && vocab::is_in(
            &["yo", "yrs"],
            w.trim_start_matches(|c: char| c.is_ascii_digit()),
        )
    {
        return true;
    }
    false
}

fn age_before(cx: &Ctx, i: usize) -> bool {
    let mut k = i;
    if k > 0 && cx.s(k - 1) == ":" {
        k -= 1;
    }
    k > 0
        && cx.is_in(
            k - 1,
            &["age", "aged", "ages", "turned", "turning", "turns"],
        )
}

/// Chart, record, plan, account, licence, case numbers and the like, plus mixed codes that can
/// only be identifiers (`S9402024`, `8XRP846`).
pub(crate) fn find_ids(cx: &mut Ctx) {
    let n = cx.len();
    let mut i = 0;
    while i < n {
        if !cx.free(i) {
            i += 1;
            continue;
        }
        if let Some((s, e)) = keyed_id(cx, i) {
            cx.claim(type_abbreviation_before(cx, s), e, Label::Id);
            i = e;
            continue;
        }
        if let Some(e) = standalone_id(cx, i) {
            cx.claim(i, e, Label::Id);
            i = e;
            continue;
        }
        i += 1;
    }
}

/// Where an identifier starting at `v` begins when an abbreviation naming its kind comes right
/// before it (`SSN 512-44-9087`, `MRN: 448127`): the abbreviation goes with the number, as the
/// one thing it says is what the number is. Other keywords (`Chart #:`) stay outside.
fn type_abbreviation_before(cx: &Ctx, v: usize) -> usize {
    let mut k = v;
    while k > 0 && matches!(cx.s(k - 1), ":" | "#") && cx.same_line(k) {
        k -= 1;
    }
    let is_abbr = k > 0
        && cx.same_line(k)
        && cx.free(k - 1)
        && cx
            .tok(k - 1)
            .is_some_and(|t| t.kind == Kind::Word && t.case == crate::tokens::Case::Upper)
        && cx.is_in(
            k - 1,
            &["ssn", "mrn", "mbi", "npi", "dea", "vin", "ein", "itin"],
        );
    if is_abbr { k - 1 } else { v }
}

/// `KEY [filler] VALUE` or `# VALUE`; returns the value's token range.
fn keyed_id(cx: &Ctx, i: usize) -> Option<(usize, usize)> {
    let hash = cx.s(i) == "#" || cx.s(i) == "\u{2116}";
    let keyword = cx.kind(i, Kind::Word) && cx.has(i, &vocab::ID_KEYS);
    if !(hash || keyword) {
        return None;
    }
    let mut k = i + 1;
    let mut steps = 0;
    while steps < 4 && cx.same_line(k) && cx.has(k, &vocab::ID_FILLER) && !value_start(cx, k) {
        k += 1;
        steps += 1;
    }
    // A keyword must be close to its value.
    if k < cx.len() && !cx.same_line(k) {
        return None;
    }
    if !cx.free(k) || !value_start(cx, k) {
        return None;
    }
    let min = if hash { 3 } else { 4 };
    let first = if spaced_prefix(cx, k) && !value_start_glued(cx, k) {
        value_end(cx, k + 1)
    } else {
        value_end(cx, k)
    };
    let e = spaced_groups(cx, first);
    let len: usize = (k..e).map(|t| cx.s(t).len()).sum();
    if len < min || (k..e).all(|t| !has_digit(cx.s(t))) {
        return None;
    }
    // `MNX 4482 1903`: a letter prefix needs digits enough to be a number, not a year or a
    // count (`group DBT 12`, `plan CBT 2024`).
    if spaced_prefix(cx, k) {
        let digits: usize = (k..e)
            .filter(|&t| cx.kind(t, Kind::Num))
            .map(|t| cx.s(t).len())
            .sum();
        let year = e == k + 2 && cx.num(k + 1).is_some_and(|y| (1900..=2099).contains(&y));
        if digits < 3 || year {
            return None;
        }
    }
    // `plan` is everyday clinical language: its number needs a letter or a `#`/`number`.
    if cx.is(i, "plan")
        && !(i + 1..k).any(|t| cx.is_in(t, &["#", "number", "no", "num", "id", "code"]))
        && (k..e).all(|t| !cx.s(t).bytes().any(|b| b.is_ascii_alphabetic()))
    {
        return None;
    }
    // After `#`, a short number is a count or rank (`#2 priority`) unless a licence or chart word
    // precedes it.
    if hash && cx.digits(k, 1, 2) {
        return None;
    }
    Some((k, e))
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

fn value_start(cx: &Ctx, k: usize) -> bool {
    match cx.tok(k).map(|t| t.kind) {
        Some(Kind::Num) => true,
        Some(Kind::Alnum) => true,
        Some(Kind::Word) => value_start_glued(cx, k) || spaced_prefix(cx, k),
        _ => false,
    }
}

/// A letter prefix glued to its digits by a hyphen (`HMO-4471823`, `W-20417`).
fn value_start_glued(cx: &Ctx, k: usize) -> bool {
    cx.tok(k)
        .is_some_and(|t| t.kind == Kind::Word && t.case == crate::tokens::Case::Upper)
        && cx.s(k).len() <= 4
        && cx.touches(k + 1)
        && matches!(cx.s(k + 1), "-")
        && (cx.kind(k + 2, Kind::Num) || cx.kind(k + 2, Kind::Alnum))
}

/// A letter prefix set apart from its digits by one space (`MNX 4482 1903`, `PO 24-117`).
fn spaced_prefix(cx: &Ctx, k: usize) -> bool {
    // Code systems name a service or a diagnosis, not a person (`CPT 90847`, `ICD 10`).
    const CODE_SYSTEMS: &[&str] = &["cpt", "icd", "hcpcs", "dsm", "snomed", "loinc", "ndc"];
    !cx.is_in(k, CODE_SYSTEMS)
        && cx.tok(k).is_some_and(|t| {
            t.kind == Kind::Word
                && t.case == crate::tokens::Case::Upper
                && (1..=5).contains(&cx.s(k).len())
        })
        && cx.tok(k + 1).is_some_and(|t| t.gap == Gap::Space)
        && cx.free(k + 1)
        && (cx.digits(k + 1, 2, 12) || cx.kind(k + 1, Kind::Alnum) && has_digit(cx.s(k + 1)))
}

/// Extends a keyed value ending at `e` over further groups of digits set apart by one space
/// (`4482 1903`, `0071 3348 92`, `445 2210 9`): three digits or more, or fewer at the end of
/// the value (one only after another group).
fn spaced_groups(cx: &Ctx, mut e: usize) -> usize {
    let mut groups = 0;
    while groups < 4
        && e > 0
        && has_digit(cx.s(e - 1))
        && cx.tok(e).is_some_and(|t| t.gap == Gap::Space)
        && cx.free(e)
    {
        let group = (cx.kind(e, Kind::Num) || cx.kind(e, Kind::Alnum)) && has_digit(cx.s(e));
        let long = cx.s(e).len() >= 3;
        let last = cx
            .tok(e + 1)
            .is_none_or(|t| t.gap == Gap::Line || (t.kind == Kind::Punct && cx.s(e + 1) != "-"));
        if !group || !(long || (groups > 0 || cx.s(e).len() == 2) && last) {
            break;
        }
        e = value_end(cx, e);
        groups += 1;
    }
    e
}

/// The end of an identifier value: alphanumeric groups glued by `-`, `/` or `.`.
fn value_end(cx: &Ctx, k: usize) -> usize {
    let mut e = k + 1;
    loop {
        if matches!(cx.s(e), "-" | "/" | ".")
            && cx.touches(e)
            && cx.touches(e + 1)
            && matches!(
                cx.tok(e + 1).map(|t| t.kind),
                Some(Kind::Num | Kind::Alnum | Kind::Word)
            )
            && (cx.kind(e + 1, Kind::Num)
                || cx.kind(e + 1, Kind::Alnum)
                || cx
                    .tok(e + 1)
                    .is_some_and(|t| t.case == crate::tokens::Case::Upper))
        {
            e += 2;
        } else {
            return e;
        }
    }
}

/// Mixed codes and long numbers that can only be identifiers.
fn standalone_id(cx: &Ctx, i: usize) -> Option<usize> {
    let w = cx.s(i);
    let t = cx.tok(i)?;
    match t.kind {
        Kind::Alnum => {
            let digits = w.bytes().filter(u8::is_ascii_digit).count();
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            if w.len() >= 5 && digits >= 2 && letters >= 1 && !harmless_code(w) {
                return Some(value_end(cx, i));
            }
            None
        }
        Kind::Num => {
            if w.len() >= 6 && starts_clean(cx, i) {
                let e = value_end(cx, i);
                return Some(e);
            }
            // Groups like `123-456-789` that are not phones or dates.
            let e = value_end(cx, i);
            let digits: usize = (i..e)
                .filter(|&k| cx.kind(k, Kind::Num))
                .map(|k| cx.s(k).len())
                .sum();
            let groups = (i..e).filter(|&k| cx.kind(k, Kind::Num)).count();
            (groups >= 3 && digits >= 8 && starts_clean(cx, i)).then_some(e)
        }
        _ => None,
    }
}

fn starts_clean(cx: &Ctx, i: usize) -> bool {
    let money_before = i > 0 && cx.touches(i) && matches!(cx.s(i - 1), "$" | "." | ",");
    let thousands_after = cx.touches(i + 1) && cx.s(i + 1) == "," && cx.digits(i + 2, 3, 3);
    !(money_before || thousands_after)
}

/// Codes with letters and digits that are not identifiers: doses and units, ordinals, times,
/// ICD-10 codes, and instrument names.
fn harmless_code(w: &str) -> bool {
    let lower = w.to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    if digits_end > 0 {
        let unit = &lower[digits_end..];
        const UNITS: &[&str] = &[
            "mg", "mcg", "ug", "ml", "g", "kg", "lb", "lbs", "mm", "cm", "km", "m", "mi", "hr",
            "hrs", "h", "min", "mins", "sec", "s", "am", "pm", "st", "nd", "rd", "th", "x", "yo",
            "k", "mo", "mos", "wk", "wks", "d", "y", "yr", "yrs", "iu", "meq", "mmol", "bpm",
            "kcal", "cal", "oz", "ft", "in", "gb", "mb", "tb", "mph", "hz", "pct", "sessions",
            "days", "weeks", "months", "years", "minutes", "hours", "mgs", "units", "ss",
        ];
        if UNITS.contains(&unit) {
            return true;
        }
    }
    const CODES: &[&str] = &[
        "covid19", "sarscov2", "h1n1", "mp3", "mp4", "4x4", "ps4", "ps5", "cd4",
    ];
    CODES.contains(&lower.as_str())
}
