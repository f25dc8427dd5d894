//! Dates: every element but the year is an identifier. Finds them in a dozen shapes (ISO, US
//! numeric, `Jul 14, 2016`, `14 July`, `the 3rd`, `Tuesday the 14th`, `July 2016`, `in March`),
//! and parses a found date again so it can be shifted by a number of days, keeping its shape, or
//! cut down to its year.
//!
//! A year alone is left alone, and so are times, scores (`7/10`) and durations.

use crate::Label;
use crate::detect::Ctx;
use crate::tokens::{Case, Gap, Kind};
use crate::vocab;
use crate::vocab::List;

/// How a date was written, so a shifted date can be written the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Digits: `order` is the field order, e.g. `b"ymd"`, with its separator.
    Numeric {
        order: [u8; 3],
        fields: u8,
        sep: char,
        year_digits: u8,
        pad: bool,
    },
    /// A month name with or without a day (`Jul 14, 2016`, `the 8th of September`, `July`).
    Words {
        month_first: bool,
        abbr: bool,
        dot: bool,
        ordinal: bool,
        the: bool,
        of: bool,
        comma: bool,
    },
    /// Something that cannot be shifted by itself (`the 3rd`, `Christmas`).
    Opaque,
}

/// The parts of a date that was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DateParts {
    pub year: Option<i32>,
    pub month: Option<u8>,
    pub day: Option<u8>,
    pub weekday: bool,
    pub style: Style,
}

/// Words after which `3/14` or a month alone is a date.
#[rustfmt::skip]
pub(crate) static DATE_CONTEXT: List = List {
    bit: 1 << 20,
    words: &[
    "on", "since", "by", "until", "till", "til", "from", "through", "thru", "to", "dated", "date",
    "due", "starting", "beginning", "effective", "before", "after", "dob", "born", "admitted",
    "discharged", "seen", "next", "last", "returned", "scheduled", "rescheduled", "appointment",
    "appt", "session", "intake", "visit", "dos", "admit", "discharge", "start", "end", "ending",
    "during", "in", "early", "mid", "late", "this", "of", "around", "until", "followup",
    "follow-up", "reviewed", "signed", "sent", "received", "as", "effective", "between", "and",
    "appointments", "sessions", "visits", "dates", "drawn", "cancelled", "canceled", "expires",
    "expired", "deadline", "week", "weekend", "meeting", "meetings", "hearing", "conference",
    "consult", "consultation", "supervision", "note", "notes",
    ],
};

/// Runs the pass.
pub(crate) fn find(cx: &mut Ctx) {
    let mut i = 0;
    let mut slashed = false;
    while i < cx.len() {
        if cx.free(i) {
            if let Some((e, p)) = match_at(cx, i, false) {
                if cx.all_free(i, e) {
                    cx.claim(i, e, Label::Date);
                    slashed |= matches!(p.style, Style::Numeric { sep: '/', .. });
                    i = e;
                    continue;
                }
            }
        }
        i += 1;
    }
    if slashed {
        month_days_among_dates(cx);
    }
}

/// A writer who puts dates as `3/14` does so throughout: once a text holds a numeric date with a
/// slash, every other month/day in it is a date too, unless it reads as a score, a fraction or a
/// count (`6/10`, `1/2 of`, `4/5 items`).
fn month_days_among_dates(cx: &mut Ctx) {
    let mut i = 0;
    while i < cx.len() {
        if cx.free(i) && cx.kind(i, Kind::Num) && cx.s(i + 1) == "/" {
            if let Some(e) = month_day(cx, i) {
                if cx.all_free(i, e)
                    && !score_before(cx, i)
                    && !test_before(cx, i)
                    && !count_after(cx, e)
                    && !fraction(cx, i)
                    && !measure_before(cx, i)
                {
                    cx.claim(i, e, Label::Date);
                    i = e;
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// A date starting at token `i`: its end token and its parts. `lenient` accepts the forms that
/// need context (a month alone, `3/14`), for text already known to be a date.
pub(crate) fn match_at(cx: &Ctx, i: usize, lenient: bool) -> Option<(usize, DateParts)> {
    if weekday(cx, i) {
        let mut k = i + 1;
        if cx.s(k) == "." && cx.touches(k) {
            k += 1;
        }
        if cx.s(k) == "," {
            k += 1;
        }
        if !cx.same_line(k) {
            return None;
        }
        let (e, mut p) = core(cx, k, true)?;
        p.weekday = true;
        return Some((e, p));
    }
    core(cx, i, lenient)
}

fn weekday(cx: &Ctx, i: usize) -> bool {
    cx.tok(i).is_some_and(|t| t.is_capitalised()) && vocab::is_weekday(cx.s(i))
}

fn core(cx: &Ctx, i: usize, lenient: bool) -> Option<(usize, DateParts)> {
    let t = cx.tok(i)?;
    match t.kind {
        Kind::Word if t.is_capitalised() => month_first(cx, i, lenient).or_else(|| holiday(cx, i)),
        Kind::Word if cx.is(i, "the") => the_ordinal(cx, i),
        Kind::Num => numeric(cx, i, lenient).or_else(|| day_first(cx, i)),
        Kind::Alnum => day_first(cx, i),
        _ => None,
    }
}

/// A month name at `i` (capitalised): its number, and whether it was abbreviated.
fn month_tok(cx: &Ctx, i: usize) -> Option<(u8, bool)> {
    let t = cx.tok(i)?;
    if !t.is_capitalised() {
        return None;
    }
    let w = cx.s(i);
    let m = vocab::month(w)?;
    Some((m, !vocab::is_full_month(w)))
}

/// A day of the month: `14` or `14th`; returns (day, ordinal).
fn day_tok(cx: &Ctx, i: usize) -> Option<(u8, bool)> {
    let w = cx.s(i);
    let t = cx.tok(i)?;
    let (num, ordinal) = match t.kind {
        Kind::Num if w.len() <= 2 => (w, false),
        Kind::Alnum => {
            let d = w.find(|c: char| !c.is_ascii_digit())?;
            let suffix = &w[d..];
            if d == 0 || d > 2 || !vocab::is_in(&["st", "nd", "rd", "th"], suffix) {
                return None;
            }
            (&w[..d], true)
        }
        _ => return None,
    };
    let d: u8 = num.parse().ok()?;
    // `July 4:30` is a time, `July 14.5` a measure.
    if cx.touches(i + 1)
        && matches!(cx.s(i + 1), ":" | "." | "/" | "-")
        && cx.kind(i + 2, Kind::Num)
    {
        return None;
    }
    (1..=31).contains(&d).then_some((d, ordinal))
}

/// A four-digit year at `i` (1900–2099), or `'16`.
fn year_tok(cx: &Ctx, i: usize) -> Option<(i32, usize)> {
    if cx.digits(i, 4, 4) {
        let y = cx.num(i)? as i32;
        return (1900..=2099).contains(&y).then_some((y, i + 1));
    }
    if matches!(cx.s(i), "'" | "\u{2019}") && cx.digits(i + 1, 2, 2) && cx.touches(i + 1) {
        let y = cx.num(i + 1)? as i32;
        return Some((two_digit_year(y), i + 2));
    }
    None
}

fn two_digit_year(y: i32) -> i32 {
    if y < 50 { 2000 + y } else { 1900 + y }
}

/// `Jul 14, 2016`, `July 14th`, `July 2016`, `July of 2016`, `in March`.
fn month_first(cx: &Ctx, i: usize, lenient: bool) -> Option<(usize, DateParts)> {
    let (m, abbr) = month_tok(cx, i)?;
    let mut j = i + 1;
    let dot = cx.s(j) == "." && cx.touches(j) && abbr;
    if dot {
        j += 1;
    }
    let mut style = Style::Words {
        month_first: true,
        abbr,
        dot,
        ordinal: false,
        the: false,
        of: false,
        comma: false,
    };
    let mut parts = DateParts {
        year: None,
        month: Some(m),
        day: None,
        weekday: false,
        style,
    };
    if cx.same_line(j) {
        if let Some((d, ordinal)) = day_tok(cx, j) {
            // `May 2` but not `May 2023` or `May 12 sessions`.
            let mut e = j + 1;
            let mut comma = false;
            let mut y = None;
            let k = if cx.s(e) == "," { e + 1 } else { e };
            if cx.same_line(k) {
                if let Some((yy, ye)) = year_tok(cx, k) {
                    comma = k != e;
                    y = Some(yy);
                    e = ye;
                }
            }
            if let Style::Words {
                ordinal: o,
                comma: c,
                ..
            } = &mut style
            {
                *o = ordinal;
                *c = comma;
            }
            parts.day = Some(d);
            parts.year = y;
            parts.style = style;
            return valid(parts).then_some((e, parts));
        }
        let (k, of, comma) = match cx.s(j) {
            "of" => (j + 1, true, false),
            "," => (j + 1, false, true),
            _ => (j, false, false),
        };
        if cx.same_line(k) {
            if let Some((y, e)) = year_tok(cx, k) {
                if let Style::Words {
                    of: o, comma: c, ..
                } = &mut style
                {
                    *o = of;
                    *c = comma;
                }
                parts.year = Some(y);
                parts.style = style;
                return Some((e, parts));
            }
        }
    }
    // A month alone: only a full name, after a word that makes it a time.
    let context = i > 0
        && (cx.has(i - 1, &DATE_CONTEXT)
            || (cx.s(i - 1) == "-" && i > 1 && cx.is_in(i - 2, &["mid", "early", "late"])));
    let may_verb = cx.is(i, "may") && !context;
    if abbr || may_verb || !(context || lenient) {
        return None;
    }
    Some((j, parts))
}

/// `14 July`, `14th of July 2016`, `7 November`.
fn day_first(cx: &Ctx, i: usize) -> Option<(usize, DateParts)> {
    let (d, ordinal) = day_tok(cx, i)?;
    let mut j = i + 1;
    let of = cx.is(j, "of");
    if of {
        j += 1;
    }
    if !cx.same_line(j) {
        return None;
    }
    let (m, abbr) = month_tok(cx, j)?;
    j += 1;
    let dot = abbr && cx.s(j) == "." && cx.touches(j);
    if dot {
        j += 1;
    }
    let mut e = j;
    let mut year = None;
    let mut comma = false;
    let k = if cx.s(j) == "," { j + 1 } else { j };
    if cx.same_line(k) {
        if let Some((y, ye)) = year_tok(cx, k) {
            year = Some(y);
            comma = k != j;
            e = ye;
        }
    }
    let parts = DateParts {
        year,
        month: Some(m),
        day: Some(d),
        weekday: false,
        style: Style::Words {
            month_first: false,
            abbr,
            dot,
            ordinal,
            the: false,
            of,
            comma,
        },
    };
    valid(parts).then_some((e, parts))
}

/// `the 3rd`, `the 14th of July`.
fn the_ordinal(cx: &Ctx, i: usize) -> Option<(usize, DateParts)> {
    if !cx.kind(i + 1, Kind::Alnum) || !cx.same_line(i + 1) {
        return None;
    }
    let (d, ordinal) = day_tok(cx, i + 1)?;
    if !ordinal {
        return None;
    }
    if cx.is(i + 2, "of") && cx.same_line(i + 3) {
        if let Some((e, mut p)) = day_first(cx, i + 1) {
            if let Style::Words { the, .. } = &mut p.style {
                *the = true;
            }
            return Some((e, p));
        }
    }
    // `the 3rd session` is a count; `the 3rd at 2pm` or `the 3rd.` is a date.
    let next = cx.tok(i + 2);
    let next_ok = match next {
        None => true,
        Some(t) if t.kind == Kind::Punct => true,
        Some(t) if t.kind == Kind::Word && t.case == Case::Lower => cx.is_in(
            i + 2,
            &[
                "at", "and", "or", "to", "through", "thru", "until", "till", "from", "for", "when",
                "because", "but", "so", "then", "in", "on", "with", "after", "before", "is", "was",
                "we", "she", "he", "they", "i", "if", "as", "via", "by", "which", "where",
            ],
        ),
        // `the 1st 02:40`: a time after the day.
        Some(t) if t.kind == Kind::Num => cx.s(i + 3) == ":" || cx.is_in(i + 3, &["am", "pm"]),
        Some(t) => t.kind == Kind::Word && t.case != Case::Lower,
    };
    if !next_ok {
        return None;
    }
    let parts = DateParts {
        year: None,
        month: None,
        day: Some(d),
        weekday: false,
        style: Style::Opaque,
    };
    Some((i + 2, parts))
}

/// Digits: `2023/08/16`, `2023-08-16`, `4/16/25`, `7-2-2019`, `03/2021`, and `3/14` after a date
/// word.
fn numeric(cx: &Ctx, i: usize, lenient: bool) -> Option<(usize, DateParts)> {
    if i > 0
        && cx.touches(i)
        && (matches!(cx.s(i - 1), "/" | "-" | "." | "$" | "#") || cx.kind(i - 1, Kind::Alnum))
        && !(cx.s(i - 1) == "-" && i >= 4 && slash_pair(cx, i - 4))
    {
        return None;
    }
    let sep = cx.s(i + 1);
    if !matches!(sep, "/" | "-" | ".")
        || !cx.touches(i + 1)
        || !cx.touches(i + 2)
        || !cx.kind(i + 2, Kind::Num)
    {
        return None;
    }
    let sepc = sep.chars().next().unwrap_or('/');
    let a = cx.s(i);
    let b = cx.s(i + 2);
    let three =
        cx.s(i + 3) == sep && cx.touches(i + 3) && cx.touches(i + 4) && cx.kind(i + 4, Kind::Num);
    let end = if three { i + 5 } else { i + 3 };
    // Nothing glued on after (`1.2.3.4`, `12/3/4/5`), but for the other end of a range
    // (`2/3-2/9`).
    if cx.touches(end)
        && (matches!(cx.s(end), "/" | "-")
            || (cx.s(end) == "." && cx.kind(end + 1, Kind::Num) && cx.touches(end + 1)))
        && !(!three && sep == "/" && cx.s(end) == "-" && slash_pair(cx, end + 1))
    {
        return None;
    }
    // Zero-padded if the month and day were written with two digits (`2024-11-30`, `03/04`).
    let c_len = if three { cx.s(i + 4).len() } else { 0 };
    let (m_len, d_len) = if a.len() == 4 {
        (b.len(), c_len)
    } else {
        (a.len(), b.len())
    };
    let pad = (m_len == 2 && d_len == 2) || a.starts_with('0') || b.starts_with('0');
    let va: u32 = a.parse().ok()?;
    let vb: u32 = b.parse().ok()?;
    if three {
        let c = cx.s(i + 4);
        let vc: u32 = c.parse().ok()?;
        let mut p = if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
            parts_numeric(va as i32, vb, vc, *b"ymd", sepc, 4, pad)
        } else if a.len() <= 2 && b.len() <= 2 && (c.len() == 4 || c.len() == 2) {
            let y = if c.len() == 4 {
                vc as i32
            } else {
                two_digit_year(vc as i32)
            };
            if va <= 12 {
                parts_numeric(y, va, vb, *b"mdy", sepc, c.len() as u8, pad)
            } else {
                parts_numeric(y, vb, va, *b"dmy", sepc, c.len() as u8, pad)
            }
        } else {
            return None;
        };
        // `1.5.10` is more likely a version or a list number than a date.
        if sepc == '.' && c.len() == 2 && a.len() <= 2 {
            p.year = p.year.filter(|_| lenient);
            p.year?;
        }
        return (valid(p) && p.year.is_some_and(|y| (1900..=2099).contains(&y)))
            .then_some((end, p));
    }
    if sepc != '/' {
        return None;
    }
    // `03/2021`: a month and a year.
    if a.len() <= 2 && b.len() == 4 && (1..=12).contains(&va) && (1900..=2099).contains(&vb) {
        let mut p = parts_numeric(vb as i32, va, 1, *b"my_", sepc, 4, pad);
        p.day = None;
        if let Style::Numeric { fields, .. } = &mut p.style {
            *fields = 2;
        }
        return Some((end, p));
    }
    // `3/14`: only after a date word, and never a score out of 10.
    if a.len() > 2 || b.len() > 2 || !(1..=12).contains(&va) || !(1..=31).contains(&vb) {
        return None;
    }
    if !lenient && !month_day_is_date(cx, i, end) {
        return None;
    }
    let mut p = parts_numeric(2001, va, vb, *b"md_", sepc, 0, pad);
    p.year = None;
    if let Style::Numeric { fields, .. } = &mut p.style {
        *fields = 2;
    }
    valid(p).then_some((end, p))
}

/// Whether `m/d` at `i..end` (no year) is a date. The shape alone is as often a score (`6/10`),
/// a fraction (`1/2`) or a count (`3/4 sessions`), so what is around it decides: a weekday
/// before or a time after; no score word before it in the sentence; a date word before it
/// (`on`, `seen`, `follow-up`, `DOS:`); the end of a header line (`Group note, 11/14`); `moved
/// to`; or another month/day beside it in a range or list with a different day (`5/6 through
/// 5/10`, `4/24 or 4/29`), where scores share their scale (`8/10 to 5/10`).
fn month_day_is_date(cx: &Ctx, i: usize, end: usize) -> bool {
    if weekday_before(cx, i) || time_after(cx, end) {
        return true;
    }
    if test_before(cx, i) {
        return false;
    }
    if beside_another(cx, i, end) {
        return true;
    }
    if score_before(cx, i) {
        return false;
    }
    if anchored(cx, i) {
        return true;
    }
    if fraction(cx, i) || count_after(cx, end) {
        return false;
    }
    month_day_context(cx, i) || header_end(cx, i, end) || moved_to(cx, i)
}

/// A word right before (or before a colon) that only a date follows: `on`, `seen`, `DOS:`,
/// `follow-up`, `f/u`.
fn anchored(cx: &Ctx, i: usize) -> bool {
    if i == 0 || !cx.same_line(i) {
        return false;
    }
    let mut p = i - 1;
    if cx.s(p) == ":" && p > 0 {
        p -= 1;
    }
    if p >= 2
        && cx.touches(p)
        && matches!(cx.s(p - 1), "-" | "/")
        && cx.touches(p - 1)
        && ((cx.is(p, "up") && cx.is(p - 2, "follow")) || (cx.is(p, "u") && cx.is(p - 2, "f")))
    {
        return true;
    }
    // `next meeting 6/4`, `last supervision 7/22`: an event named after `next` or `last`.
    let event = p > 0
        && cx.kind(p, Kind::Word)
        && cx.same_line(p)
        && cx.is_in(
            p - 1,
            &["next", "last", "previous", "following", "upcoming", "prior"],
        );
    event || (cx.kind(p, Kind::Word) && vocab::is_in(DATE_ANCHORS, cx.s(p)))
}

/// Tokens `k..k + 3` are a bare `m/d` shape (one or two digits each side of a slash).
fn slash_pair(cx: &Ctx, k: usize) -> bool {
    cx.digits(k, 1, 2)
        && cx.s(k + 1) == "/"
        && cx.touches(k + 1)
        && cx.touches(k + 2)
        && cx.digits(k + 2, 1, 2)
}

/// The end of a month/day (no year) starting at `i`, whatever its context.
fn month_day(cx: &Ctx, i: usize) -> Option<usize> {
    let (e, p) = numeric(cx, i, true)?;
    (p.year.is_none() && p.day.is_some() && e == i + 3).then_some(e)
}

/// The month and day of the `m/d` at `i`.
fn md_values(cx: &Ctx, i: usize) -> Option<(u32, u32)> {
    Some((cx.num(i)?, cx.num(i + 2)?))
}

fn weekday_before(cx: &Ctx, i: usize) -> bool {
    if i == 0 || !cx.same_line(i) {
        return false;
    }
    let mut p = i - 1;
    if matches!(cx.s(p), "," | ".") && p > 0 {
        p -= 1;
    }
    weekday(cx, p)
}

/// A time right after (`12/28 11:47 pm`, `6/1 @ 3pm`, `4/2 at 10:00`, `3/9 10 am`).
fn time_after(cx: &Ctx, end: usize) -> bool {
    let k = if cx.is_in(end, &["@", "at", ","]) {
        end + 1
    } else {
        end
    };
    if !cx.same_line(k) {
        return false;
    }
    let w = cx.s(k);
    let clock = cx.kind(k, Kind::Alnum)
        && w.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && vocab::is_in(
            &["am", "pm", "a", "p"],
            w.trim_start_matches(|c: char| c.is_ascii_digit()),
        );
    // `11:47`, `8:12a`, `10 am`.
    let minutes = |m: usize| {
        cx.digits(m, 2, 2)
            || (cx.kind(m, Kind::Alnum)
                && cx.s(m).len() <= 4
                && cx.s(m).as_bytes().iter().take(2).all(u8::is_ascii_digit)
                && vocab::is_in(&["am", "pm", "a", "p"], &cx.s(m)[2..]))
    };
    let hm = cx.digits(k, 1, 2)
        && ((cx.s(k + 1) == ":" && cx.touches(k + 1) && minutes(k + 2))
            || cx.is_in(k + 1, &["am", "pm", "a", "p"]));
    // `3/11 at 10 or 3/13 at 2`: an hour alone after `at`.
    let hour = k > end
        && cx.is_in(k - 1, &["at", "@"])
        && cx.num(k).is_some_and(|h| (1..=12).contains(&h))
        && cx.digits(k, 1, 2)
        && !cx.touches(k + 1)
        && !cx.is_in(
            k + 1,
            &[
                "weeks", "week", "days", "day", "months", "month", "years", "year", "minutes",
                "min", "mins", "hours", "hrs", "times", "sessions", "mg", "percent", "points",
            ],
        );
    clock || hm || hour || (k > end && cx.is(k, "noon"))
}

/// Words in a sentence before a number that make it a rating (`rated anxiety 7/10`, `pain
/// 6/10`), not a date.
const SCORE_WORDS: &[&str] = &[
    "rate",
    "rates",
    "rated",
    "rating",
    "ratings",
    "score",
    "scores",
    "scored",
    "scoring",
    "scale",
    "pain",
    "anxiety",
    "mood",
    "distress",
    "suds",
    "sud",
    "craving",
    "cravings",
    "urge",
    "urges",
    "confidence",
    "motivation",
    "readiness",
    "importance",
    "stress",
    "energy",
    "depression",
    "anger",
    "irritability",
    "hopelessness",
    "worry",
    "fatigue",
    "intensity",
    "severity",
    "satisfaction",
    "happiness",
    "helpfulness",
    "quality",
    "vas",
    "nrs",
    "sleep",
    "appetite",
    "focus",
    "concentration",
    "loneliness",
    "shame",
    "guilt",
    "sadness",
    "fear",
    "panic",
    "baseline",
];

/// Words that tie a number to a date and end the search for a score word (`rated 7/10 on 3/4`).
const DATE_ANCHORS: &[&str] = &[
    "on",
    "since",
    "until",
    "till",
    "til",
    "by",
    "dated",
    "due",
    "seen",
    "next",
    "dos",
    "dob",
    "effective",
    "starting",
    "beginning",
    "scheduled",
    "rescheduled",
    "admitted",
    "discharged",
    "born",
    "appointment",
    "appt",
    "visit",
    "followup",
    "fu",
];

/// A score word earlier in the same sentence, with no date word between (`Rates anxiety 7/10,
/// down from 9/10`).
fn score_before(cx: &Ctx, i: usize) -> bool {
    let mut k = i;
    let mut steps = 0;
    while k > 0 && steps < 10 && cx.same_line(k) {
        k -= 1;
        steps += 1;
        let w = cx.s(k);
        // A date word stops the search only where a date follows it (`rated 7/10 on 3/4`, not
        // `8/10 on arrival, 4/10 at the end`).
        let anchor = (weekday(cx, k) || vocab::is_in(DATE_ANCHORS, w)) && cx.kind(k + 1, Kind::Num);
        if matches!(w, "." | "!" | "?" | ";") || anchor {
            return false;
        }
        if cx.kind(k, Kind::Word) && vocab::is_in(SCORE_WORDS, w) {
            return true;
        }
    }
    false
}

/// `1/2`, `2/3`, `3/4`: a fraction below one with a small denominator, a date only beside
/// another date.
fn fraction(cx: &Ctx, i: usize) -> bool {
    md_values(cx, i).is_none_or(|(m, d)| m < d && d <= 4)
}

/// A lower-case word right after `m/d` that is not a preposition or a conjunction: a count
/// (`6/9 items`, `3/4 sessions`), or a percentage.
fn count_after(cx: &Ctx, end: usize) -> bool {
    cx.s(end) == "%"
        || cx.tok(end).is_some_and(|t| {
            t.kind == Kind::Word
                && t.case == Case::Lower
                && t.gap <= Gap::Space
                && !cx.is_in(end, AFTER_A_DATE)
        })
}

/// A test's name right before `m/d`: a result (`MoCA 24/30`, `Mini-Cog 3/5`, `PHQ-9: 12/27`).
fn test_before(cx: &Ctx, i: usize) -> bool {
    let mut p = i;
    while p > 0 && matches!(cx.s(p - 1), ":" | "=" | "(" | ")") && cx.same_line(p) {
        p -= 1;
    }
    if p == 0 || !cx.same_line(p) {
        return false;
    }
    let q = p - 1;
    let acronym = cx
        .tok(q)
        .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Upper && cx.s(q).len() >= 2)
        && !cx.has(q, &DATE_CONTEXT);
    let hyphenated = q >= 2
        && cx.touches(q)
        && cx.s(q - 1) == "-"
        && cx.touches(q - 1)
        && (cx.tok(q).is_some_and(|t| t.is_capitalised()) || cx.kind(q, Kind::Num))
        && !cx.is(q, "up");
    acronym || hyphenated
}

/// Lower-case words that may follow a date (`seen 3/4 for`, `4/2 and`).
const AFTER_A_DATE: &[&str] = &[
    "at", "and", "or", "to", "through", "thru", "until", "till", "from", "for", "with", "by", "in",
    "when", "because", "but", "so", "then", "if", "as", "via", "after", "before", "was", "is",
    "we", "she", "he", "they", "i", "the", "this", "next", "per", "due", "vs", "versus", "around",
    "about", "unless", "while", "where", "which", "who", "instead", "since", "only", "again",
    "too", "also", "already", "yet", "still", "please", "pm", "am", "a", "p",
];

/// Words that say a number measures something (`grade 5/6`, `level 2/3`, `x 3/4`).
fn measure_before(cx: &Ctx, i: usize) -> bool {
    i > 0
        && cx.is_in(
            i - 1,
            &[
                "grade",
                "grades",
                "level",
                "levels",
                "step",
                "steps",
                "page",
                "pages",
                "chapter",
                "module",
                "lesson",
                "unit",
                "x",
                "ratio",
                "bp",
                "about",
                "nearly",
                "almost",
                "over",
                "under",
                "roughly",
                "approximately",
                "only",
                "took",
                "ate",
                "drank",
            ],
        )
}

/// The last thing on a header line: after a comma or dash (`BIRP note - group, 11/14`), or
/// after two to six words that open the line (`Treatment team meeting 5/29`).
fn header_end(cx: &Ctx, i: usize, end: usize) -> bool {
    if i == 0 || !cx.same_line(i) || cx.tok(end).is_some_and(|t| t.gap != Gap::Line) {
        return false;
    }
    if matches!(cx.s(i - 1), "," | "-" | "\u{2013}" | "\u{2014}") {
        return true;
    }
    let mut k = i;
    while k > 0 && i - k < 7 && cx.same_line(k) {
        k -= 1;
        if !cx.kind(k, Kind::Word) {
            return false;
        }
    }
    let words = i - k;
    (2..=6).contains(&words)
        && cx
            .tok(k)
            .is_some_and(|t| t.gap == Gap::Line && t.is_capitalised())
}

/// `move her session to 3/12`, `rescheduled him to 5/13`: `to` after a verb of moving in time.
fn moved_to(cx: &Ctx, i: usize) -> bool {
    if i == 0 || !cx.is(i - 1, "to") {
        return false;
    }
    let mut k = i - 1;
    let mut steps = 0;
    while k > 0 && steps < 6 && cx.same_line(k) {
        k -= 1;
        steps += 1;
        if matches!(cx.s(k), "." | "!" | "?" | ";") {
            return false;
        }
        if cx.is_in(
            k,
            &[
                "move",
                "moved",
                "moving",
                "moves",
                "reschedule",
                "rescheduled",
                "rescheduling",
                "push",
                "pushed",
                "change",
                "changed",
                "switch",
                "switched",
                "postpone",
                "postponed",
                "bump",
                "bumped",
                "shift",
                "shifted",
                "delay",
                "delayed",
                "extended",
                "extend",
                "back",
            ],
        ) {
            return true;
        }
    }
    false
}

/// Connectors inside a list or a range of dates.
const LIST_JOINS: &[&str] = &[
    ",", "and", "or", "&", "to", "through", "thru", "until", "till", "-", "\u{2013}", "\u{2014}",
    "/",
];

/// Another month/day joined to this one (before or after) with a different day: a range or a
/// list of dates (`5/6 through 5/10`, `3/4, 3/11 and 3/18`); scores share their scale.
fn beside_another(cx: &Ctx, i: usize, end: usize) -> bool {
    let Some((_, d)) = md_values(cx, i) else {
        return false;
    };
    let other_ok = |k: usize| {
        month_day(cx, k).is_some_and(|e| {
            e > k
                && md_values(cx, k).is_some_and(|(_, d2)| d2 != d)
                && !test_before(cx, k)
                && !(fraction(cx, k) && fraction(cx, i))
        })
    };
    // After: `5/6 through 5/10`, `3/4, 3/11`, `2/3-2/9`.
    let mut k = end;
    if cx.s(k) == "," && cx.is_in(k + 1, &["and", "or"]) {
        k += 1;
    }
    if cx.same_line(k) && cx.is_in(k, LIST_JOINS) && cx.s(k) != "/" && other_ok(k + 1) {
        return true;
    }
    // Before: `3/11 and 3/18`, `3/11, and 3/18`.
    if i == 0 || !cx.same_line(i) || !cx.is_in(i - 1, LIST_JOINS) || cx.s(i - 1) == "/" {
        return false;
    }
    let mut j = i - 1;
    if j > 0 && cx.is_in(j, &["and", "or"]) && cx.s(j - 1) == "," {
        j -= 1;
    }
    j >= 3 && slash_pair(cx, j - 3) && other_ok(j - 3)
}

fn month_day_context(cx: &Ctx, i: usize) -> bool {
    if i == 0 || !cx.same_line(i) {
        return false;
    }
    let p = i - 1;
    if cx.s(p) == ":" && p > 0 {
        return cx.has(p - 1, &DATE_CONTEXT);
    }
    if cx.s(p) == "," && p > 0 {
        return weekday(cx, p - 1);
    }
    // `from 7/1 to 7/7`: the end of a range after a date.
    let range_end = cx.is_in(
        p,
        &["to", "and", "through", "thru", "until", "-", "\u{2013}"],
    ) && p > 0
        && cx.kind(p - 1, Kind::Num)
        && !cx.free(p - 1);
    range_end
        || cx.has(p, &DATE_CONTEXT) && !cx.is_in(p, &["to", "of", "and", "in"])
        || weekday(cx, p)
}

fn parts_numeric(
    y: i32,
    m: u32,
    d: u32,
    order: [u8; 3],
    sep: char,
    year_digits: u8,
    pad: bool,
) -> DateParts {
    DateParts {
        year: Some(y),
        month: u8::try_from(m).ok(),
        day: u8::try_from(d).ok(),
        weekday: false,
        style: Style::Numeric {
            order,
            fields: 3,
            sep,
            year_digits,
            pad,
        },
    }
}

/// Christmas, Halloween, Thanksgiving: dates by another name.
fn holiday(cx: &Ctx, i: usize) -> Option<(usize, DateParts)> {
    if !cx.has(i, &vocab::HOLIDAYS) {
        return None;
    }
    let e = if cx.is_in(i + 1, &["eve", "day"]) && cx.same_line(i + 1) {
        i + 2
    } else {
        i + 1
    };
    Some((
        e,
        DateParts {
            year: None,
            month: None,
            day: None,
            weekday: false,
            style: Style::Opaque,
        },
    ))
}

fn valid(p: DateParts) -> bool {
    match (p.month, p.day) {
        (Some(m), Some(d)) => {
            (1..=12).contains(&m) && d >= 1 && d <= days_in_month(p.year.unwrap_or(2000), m)
        }
        (Some(m), None) => (1..=12).contains(&m),
        _ => true,
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m as u8, d as u8)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn ordinal_suffix(d: u8) -> &'static str {
    match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// Writes `p` moved by `days`, in the shape it was written; `None` if it cannot be moved.
pub(crate) fn shift(p: &DateParts, days: i32) -> Option<String> {
    let m = p.month?;
    // Without a day, move the middle of the month; without a year, a common (or leap) year.
    let ref_year = p.year.unwrap_or(if m == 2 && p.day == Some(29) {
        2000
    } else {
        2001
    });
    let day = p.day.unwrap_or(15);
    let z = days_from_civil(ref_year, m, day) + i64::from(days);
    let (y, m2, d2) = civil_from_days(z);
    let year = p.year.map(|_| y);
    let day = p.day.map(|_| d2);
    let wd = if p.weekday && p.year.is_some() && p.day.is_some() {
        Some(WEEKDAYS[(z + 3).rem_euclid(7) as usize])
    } else {
        None
    };
    let body = format_parts(&p.style, year, m2, day)?;
    Some(match wd {
        Some(w) => format!("{w}, {body}"),
        None => body,
    })
}

/// Writes the year of `p`, if it has one.
pub(crate) fn year_of(p: &DateParts) -> Option<String> {
    p.year.map(|y| y.to_string())
}

fn format_parts(style: &Style, year: Option<i32>, m: u8, day: Option<u8>) -> Option<String> {
    let mi = usize::from(m.checked_sub(1)?);
    match *style {
        Style::Opaque => None,
        Style::Numeric {
            order,
            fields,
            sep,
            year_digits,
            pad,
        } => {
            let fmt2 = |v: u32| {
                if pad {
                    format!("{v:02}")
                } else {
                    v.to_string()
                }
            };
            let ys = match (year, year_digits) {
                (Some(y), 2) => format!("{:02}", y.rem_euclid(100)),
                (Some(y), _) => y.to_string(),
                (None, _) => String::new(),
            };
            let mut out = String::new();
            for (n, f) in order.iter().take(usize::from(fields)).enumerate() {
                if n > 0 {
                    out.push(sep);
                }
                match f {
                    b'y' => out.push_str(&ys),
                    b'm' => out.push_str(&fmt2(u32::from(m))),
                    b'd' => out.push_str(&fmt2(u32::from(day?))),
                    _ => {}
                }
            }
            Some(out)
        }
        Style::Words {
            month_first,
            abbr,
            dot,
            ordinal,
            the,
            of,
            comma,
        } => {
            let full = MONTHS[mi];
            let month = if abbr {
                let mut s = full[..3].to_string();
                if dot {
                    s.push('.');
                }
                s
            } else {
                full.to_string()
            };
            let day_s = day.map(|d| {
                if ordinal {
                    format!("{d}{}", ordinal_suffix(d))
                } else {
                    d.to_string()
                }
            });
            let mut out = String::new();
            if the {
                out.push_str("the ");
            }
            match (month_first, day_s) {
                (true, Some(d)) => {
                    out.push_str(&month);
                    out.push(' ');
                    out.push_str(&d);
                }
                (false, Some(d)) => {
                    out.push_str(&d);
                    out.push(' ');
                    if of {
                        out.push_str("of ");
                    }
                    out.push_str(&month);
                }
                (_, None) => out.push_str(&month),
            }
            if let Some(y) = year {
                if comma {
                    out.push(',');
                } else if of && day.is_none() {
                    out.push_str(" of");
                }
                out.push(' ');
                out.push_str(&y.to_string());
            }
            Some(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_day_arithmetic_round_trips() {
        for z in [-800_000i64, -1, 0, 1, 11_016, 20_000, 400_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
    }

    #[test]
    fn ordinals_are_english() {
        let s: Vec<_> = [1u8, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31]
            .iter()
            .map(|&d| ordinal_suffix(d))
            .collect();
        assert_eq!(
            s,
            [
                "st", "nd", "rd", "th", "th", "th", "th", "st", "nd", "rd", "st"
            ]
        );
    }
}
