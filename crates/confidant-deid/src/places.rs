//! Where a client lives and works: street addresses with unit numbers, PO boxes, ZIP codes,
//! counties, `City, ST`, streets named without a number, places from the gazetteer, and
//! organisations (by their head word, `St.`/`Saint`, or context such as `works at`).
//!
//! A state or country alone is not an identifier and is never labelled.

use crate::detect::Ctx;
use crate::lexicon::{NEVER, PLACE_HEAD, REGION};
use crate::tokens::{Case, Gap, Kind};
use crate::vocab::List;
use crate::{Label, vocab};

/// Words before a place name that make a capitalised word a place.
#[rustfmt::skip]
pub(crate) static LOC_PREPS: List = List {
    bit: 1 << 19,
    words: &[
    "in", "from", "near", "to", "outside", "around", "toward", "towards", "into", "via", "across",
    ],
};

/// Street addresses (`5763 Hillcrest Avenue`, `12 N. Oak St., Apt 4B`), PO boxes and units.
pub(crate) fn find_addresses(cx: &mut Ctx) {
    let mut i = 0;
    while i < cx.len() {
        if cx.free(i) {
            if let Some(e) = street_address(cx, i)
                .or_else(|| po_box(cx, i))
                .or_else(|| unit(cx, i, false))
            {
                if cx.all_free(i, e) {
                    cx.claim(i, e, Label::Location);
                    i = e;
                    continue;
                }
            }
        }
        i += 1;
    }
}

fn house_number(cx: &Ctx, i: usize) -> bool {
    let w = cx.s(i);
    let ok = match cx.tok(i).map(|t| t.kind) {
        Some(Kind::Num) => (1..=6).contains(&w.len()),
        // `221B`, but not `5th`.
        Some(Kind::Alnum) => {
            let d = w.bytes().take_while(u8::is_ascii_digit).count();
            d >= 1 && w.len() - d == 1 && w.as_bytes()[0].is_ascii_digit()
        }
        _ => false,
    };
    ok && !(i > 0 && cx.touches(i) && matches!(cx.s(i - 1), "-" | "/" | "." | "$" | "#" | ":"))
}

/// A word that can be part of a street's name: `Oak`, `MLK`, `5th`.
fn street_word(cx: &Ctx, i: usize) -> bool {
    let Some(t) = cx.tok(i) else { return false };
    if !cx.same_line(i) || t.gap == Gap::Wide {
        return false;
    }
    match t.kind {
        Kind::Word => matches!(t.case, Case::Cap | Case::Upper),
        Kind::Alnum => {
            let w = cx.s(i).to_ascii_lowercase();
            ["st", "nd", "rd", "th"].iter().any(|s| w.ends_with(s))
                && w.as_bytes()[0].is_ascii_digit()
        }
        _ => false,
    }
}

fn street_address(cx: &Ctx, i: usize) -> Option<usize> {
    if !house_number(cx, i) {
        return None;
    }
    let mut k = i + 1;
    // `12-14 Oak St`.
    if cx.s(k) == "-" && cx.touches(k) && cx.digits(k + 1, 1, 6) && cx.touches(k + 1) {
        k += 2;
    }
    let mut best = None;
    let mut words = 0;
    while words < 6 && street_word(cx, k) {
        let is_suffix = vocab::street_suffix(cx.s(k)).is_some();
        let is_dir = cx.has(k, &vocab::DIRECTIONS);
        k += 1;
        if cx.s(k) == "." && cx.touches(k) {
            k += 1;
        }
        if is_suffix && words >= 1 {
            best = Some(k);
        }
        if !is_dir {
            words += 1;
        }
    }
    let mut e = best?;
    // A trailing direction: `4 Elm St NW`.
    if cx.same_line(e)
        && cx.is_in(e, &["nw", "ne", "sw", "se", "n", "s", "e", "w"])
        && cx.tok(e).is_some_and(|t| t.case == Case::Upper)
    {
        e += 1;
    }
    Some(unit_after(cx, e))
}

/// A unit after an address: `, Apt 4B`, ` Unit 12`, ` #3`.
fn unit_after(cx: &Ctx, e: usize) -> usize {
    let k = if cx.s(e) == "," { e + 1 } else { e };
    if !cx.same_line(k) {
        return e;
    }
    unit(cx, k, true).unwrap_or(e)
}

/// `Apt 4B`, `Suite 300`, `#3`, `apartment 12`.
fn unit(cx: &Ctx, i: usize, after_address: bool) -> Option<usize> {
    let mut k = i;
    let hash_only = cx.s(k) == "#";
    if !hash_only && !cx.has(k, &vocab::UNITS) {
        return None;
    }
    if !hash_only {
        let t = cx.tok(k)?;
        let word = cx.s(k);
        let cap_word = t.kind == Kind::Word && t.case != Case::Lower && cx.has(k, &vocab::UNITS);
        let lower_ok = vocab::is_in(&["apt", "apartment", "suite"], word);
        if !(cap_word || lower_ok) || cx.is(k, "box") {
            return None;
        }
        k += 1;
        if cx.s(k) == "." && cx.touches(k) {
            k += 1;
        }
        if cx.s(k) == "#" {
            k += 1;
        }
    } else {
        k += 1;
        if !cx.touches(k) {
            return None;
        }
    }
    if !cx.same_line(k) {
        return None;
    }
    let w = cx.s(k);
    let t = cx.tok(k)?;
    let ok = match t.kind {
        Kind::Num => w.len() <= 5,
        Kind::Alnum => w.len() <= 6,
        Kind::Word => w.len() == 1 && t.case == Case::Upper && !hash_only,
        Kind::Punct => false,
    };
    if !ok {
        return None;
    }
    // `#3` is a unit only right after an address; elsewhere it is a rank, a count or a licence.
    if hash_only && !after_address {
        return None;
    }
    Some(k + 1)
}

fn po_box(cx: &Ctx, i: usize) -> Option<usize> {
    let k = if cx.is(i, "po") || cx.is(i, "pob") {
        i + 1
    } else if cx.is(i, "p") && cx.s(i + 1) == "." && cx.is(i + 2, "o") && cx.s(i + 3) == "." {
        i + 4
    } else {
        return None;
    };
    let k = if cx.is(k, "box") { k + 1 } else { return None };
    let k = if cx.s(k) == "#" { k + 1 } else { k };
    cx.digits(k, 1, 7).then_some(k + 1)
}

/// ZIP codes: after `zip`/`ZIP code`, or after a state.
pub(crate) fn find_zips(cx: &mut Ctx) {
    for i in 0..cx.len() {
        if !cx.free(i) || !cx.digits(i, 5, 5) {
            continue;
        }
        let mut p = i;
        if p > 0 && cx.s(p - 1) == ":" {
            p -= 1;
        }
        let keyed = p > 0
            && (cx.is_in(p - 1, &["zip", "zipcode", "postcode"])
                || (cx.is(p - 1, "code") && p > 1 && cx.is_in(p - 2, &["zip", "postal"])));
        // After a state that follows a city (`Boise, ID 83702`), not `student ID 12345`.
        let after_state = p > 1
            && state_ends_at(cx, p - 1)
            && (cx.s(p - 2) == ","
                || (cap(cx, p - 2) && cx.entry(p - 2).is_place())
                || state_name_len_ending(cx, p - 1).is_some());
        if !(keyed || after_state) {
            continue;
        }
        let e = if cx.s(i + 1) == "-" && cx.touches(i + 1) && cx.digits(i + 2, 4, 4) {
            i + 3
        } else {
            i + 1
        };
        cx.claim(i, e, Label::Location);
    }
}

/// Whether a state (code or name) ends at token `j`.
fn state_ends_at(cx: &Ctx, j: usize) -> bool {
    if cx
        .tok(j)
        .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Upper)
        && vocab::STATE_CODES.contains(&cx.s(j))
    {
        return true;
    }
    state_name_len_ending(cx, j).is_some()
}

/// The number of tokens of a state name ending at `j`.
fn state_name_len_ending(cx: &Ctx, j: usize) -> Option<usize> {
    for n in [2usize, 1] {
        if j + 1 < n {
            continue;
        }
        let s = j + 1 - n;
        if (s..=j).all(|k| cx.tok(k).is_some_and(|t| t.is_capitalised())) {
            let phrase = (s..=j)
                .map(|k| cx.s(k).to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            if vocab::STATES.contains(&phrase.as_str()) {
                return Some(n);
            }
        }
    }
    None
}

/// The number of tokens of a state (code or name) starting at `i`.
fn state_starting(cx: &Ctx, i: usize) -> Option<usize> {
    if cx
        .tok(i)
        .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Upper)
        && vocab::STATE_CODES.contains(&cx.s(i))
    {
        return Some(1);
    }
    for n in [2usize, 1] {
        if (i..i + n).all(|k| cx.tok(k).is_some_and(|t| t.is_capitalised())) {
            let phrase = (i..i + n)
                .map(|k| cx.s(k).to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            if vocab::STATES.contains(&phrase.as_str()) {
                return Some(n);
            }
        }
    }
    None
}

fn cap(cx: &Ctx, i: usize) -> bool {
    cx.tok(i).is_some_and(|t| t.is_capitalised())
}

/// Organisations: a run of capitalised words ending in a head word (`Hilo Medical Center`),
/// `St. Jude`, and capitalised words after `works at`, `attends` or an `Employer:` label.
pub(crate) fn find_organizations(cx: &mut Ctx) {
    let mut i = 0;
    while i < cx.len() {
        if cx.free(i) {
            if let Some((s, e)) = org_by_context(cx, i) {
                cx.claim(s, e, Label::Organization);
                i = e;
                continue;
            }
            if let Some((s, e, label)) = saint(cx, i) {
                cx.claim(s, e, label);
                i = e;
                continue;
            }
            if let Some((s, e)) = ampersand_org(cx, i).or_else(|| org_by_head(cx, i)) {
                if cx.all_free(s, e) {
                    cx.claim(s, e, Label::Organization);
                    i = e;
                    continue;
                }
            }
        }
        i += 1;
    }
}

fn is_head(cx: &Ctx, i: usize) -> bool {
    cap(cx, i) && (cx.has(i, &vocab::ORG_HEADS) || compound_head(cx, i))
}

/// `Senior Living`, `Memory Care`: a facility type of two words whose last word alone is too
/// common to end an organisation's name.
fn compound_head(cx: &Ctx, i: usize) -> bool {
    const QUALIFIED: &[(&str, &[&str])] = &[
        (
            "living",
            &[
                "senior",
                "assisted",
                "independent",
                "supportive",
                "sober",
                "residential",
                "retirement",
                "supported",
                "community",
                "group",
            ],
        ),
        (
            "care",
            &[
                "memory",
                "home",
                "hospice",
                "respite",
                "urgent",
                "senior",
                "skilled",
                "foster",
                "elder",
                "continuing",
                "comfort",
                "adult",
                "child",
                "day",
                "primary",
                "health",
                "residential",
                "personal",
                "transitional",
                "convalescent",
            ],
        ),
    ];
    i > 0
        && cx.tok(i).is_some_and(|t| t.gap == Gap::Space)
        && cap(cx, i - 1)
        && QUALIFIED
            .iter()
            .any(|(head, before)| cx.is(i, head) && cx.is_in(i - 1, before))
}

/// `Feed & Grain`, `Tool & Die` after a head or a proper name: the end of the words after `&`
/// starting at `amp`, when they end in a head or an everyday word (a couple's names, `Jake &
/// Amy`, do not).
fn ampersand_tail(cx: &Ctx, amp: usize) -> Option<usize> {
    let and = cx.is(amp, "and");
    if !(cx.s(amp) == "&" || and) || !cx.same_line(amp) || cx.touches(amp) || !cap(cx, amp + 1) {
        return None;
    }
    let mut r = amp + 1;
    while r - amp <= 3
        && cap(cx, r)
        && cx.free(r)
        && cx.same_line(r)
        && cx.tok(r).is_some_and(|t| t.gap == Gap::Space)
    {
        r += 1;
    }
    let last = cx.entry(r - 1);
    // After `and`, only a head word ends a name (`Heating and Cooling`, not `Ana and Faith`).
    let ok = (is_head(cx, r - 1) || (!and && last.is_word(50) && !last.is_popular_name()))
        && !last.has(NEVER);
    ok.then_some(r)
}

/// `Bergstrom Feed & Seed`: capitalised words with a proper name among them, `&`, and words
/// ending in an everyday word or a head word; the whole is a business (`Pros & Cons`, `Mom &
/// Dad`, `Jake & Amy` are not).
fn ampersand_org(cx: &Ctx, i: usize) -> Option<(usize, usize)> {
    if !cap(cx, i) || (i > 0 && cap(cx, i - 1) && cx.free(i - 1) && cx.same_line(i)) {
        return None;
    }
    let mut k = i;
    while k - i < 4
        && cap(cx, k)
        && cx.free(k)
        && cx.same_line(k)
        && (k == i || cx.tok(k).is_some_and(|t| t.gap == Gap::Space))
    {
        k += 1;
    }
    if k == i || cx.s(k) != "&" {
        return None;
    }
    let proper = (i..k).any(|m| {
        let e = cx.entry(m);
        !cx.has(m, &vocab::TITLES)
            && (e.is_surname() || e.is_place() || !e.is_word(50))
            && !(m == i && cx.sentence_start(m) && e.is_word(20))
    });
    if !proper || (i..k).any(|m| cx.entry(m).has(NEVER)) {
        return None;
    }
    let r = ampersand_tail(cx, k)?;
    Some((i, extend_right(cx, r)))
}

/// Extends an organisation's name to the right from `e`: more heads, `of` + capitalised words,
/// and a legal suffix.
fn extend_right(cx: &Ctx, mut e: usize) -> usize {
    loop {
        if cx.same_line(e)
            && cx.free(e)
            && is_head(cx, e)
            && cx.tok(e).is_some_and(|t| t.gap <= Gap::Space)
        {
            e += 1;
            continue;
        }
        if let Some(r) = ampersand_tail(cx, e) {
            e = r;
            continue;
        }
        // `Lakeshore Manor Nursing Home`, `Yoder Brothers Feed & Grain`: more of the name up to
        // a later head word or an `&` tail.
        let mut k = e;
        while k - e < 2
            && cap(cx, k)
            && cx.free(k)
            && cx.same_line(k)
            && cx.tok(k).is_some_and(|t| t.gap == Gap::Space)
            && !cx.has(k, &vocab::TITLES)
            && !vocab::is_weekday(cx.s(k))
            && vocab::month(cx.s(k)).is_none()
        {
            k += 1;
            if is_head(cx, k - 1) {
                break;
            }
        }
        if k > e && is_head(cx, k - 1) {
            e = k;
            continue;
        }
        if k > e {
            if let Some(r) = ampersand_tail(cx, k) {
                e = r;
                continue;
            }
        }
        if cx.is_in(e, &["of", "for"])
            && cx.same_line(e + 1)
            && cap(cx, e + 1)
            && cx.free(e + 1)
            && !cx.is_in(e + 1, &["the"])
        {
            let mut k = e + 1;
            while cap(cx, k) && cx.free(k) && cx.same_line(k) && !cx.sentence_start(k) {
                k += 1;
                if cx.is_in(k, &["and", "&"]) && cap(cx, k + 1) {
                    k += 1;
                }
            }
            e = k;
            continue;
        }
        if cx.s(e) == "," && cx.is_in(e + 1, &["inc", "llc", "ltd", "llp", "pc", "pllc"]) {
            e += 2;
        }
        if cx.s(e) == "." && cx.touches(e) && cx.is_in(e - 1, &["inc", "co", "corp", "ltd"]) {
            e += 1;
        }
        return e;
    }
}

fn org_by_head(cx: &Ctx, h: usize) -> Option<(usize, usize)> {
    if !is_head(cx, h) {
        return None;
    }
    // Walk left over the organisation's capitalised words.
    let mut j = h;
    while j > 0 && cx.same_line(j) && cx.tok(j).is_some_and(|t| t.gap <= Gap::Space) {
        let p = j - 1;
        if !cx.free(p) {
            break;
        }
        if cap(cx, p) {
            let e = cx.entry(p);
            // `To Marquette County Circuit Court`: a function word opening a line is no part of
            // the name.
            if (cx.sentence_start(p) && e.is_word(20) && !e.is_name() && !is_head(cx, p))
                || cx.is_in(
                    p,
                    &[
                        "to", "from", "for", "at", "in", "on", "by", "with", "re", "dear", "attn",
                        "per", "via", "cc", "and", "or",
                    ],
                )
            {
                break;
            }
            if cx.has(p, &vocab::TITLES) {
                break;
            }
            j = p;
            continue;
        }
        // `University of Montana Medical Center`, `Fenwick & Hale Architects`; but not `Dr.
        // Sato of Bridger Psychiatry`: `of` and `for` join only after another head word.
        let connector = cx.is_in(p, &["and", "&", "de", "la", "the"])
            || (cx.is_in(p, &["of", "for"]) && p > 0 && is_head(cx, p - 1));
        if connector && p > 0 && cap(cx, p - 1) && cx.free(p - 1) {
            j = p;
            continue;
        }
        if cx.s(p) == "s"
            && cx.touches(p)
            && p >= 2
            && matches!(cx.s(p - 1), "'" | "\u{2019}")
            && cap(cx, p - 2)
        {
            j = p - 1;
            continue;
        }
        if (cx.s(p) == "." && cx.touches(p) && p > 0 && cx.is_in(p - 1, &["st", "mt", "ft"]))
            || (cx.s(p) == "-" && cx.touches(p) && cx.touches(j) && p > 0 && cap(cx, p - 1))
        {
            j = p;
            continue;
        }
        break;
    }
    while j < h
        && (cx.is_in(j, &["of", "for", "and", "&", "the"])
            || matches!(cx.s(j), "'" | "\u{2019}" | "-"))
    {
        j += 1;
    }
    let e = extend_right(cx, h + 1);
    // What names it: words that are neither heads nor generic.
    let distinct: Vec<usize> = (j..e)
        .filter(|&k| cx.kind(k, Kind::Word) && cx.s(k).len() > 1)
        .filter(|&k| !cx.has(k, &vocab::ORG_HEADS) && !cx.has(k, &vocab::GENERIC_ORG_WORDS))
        .filter(|&k| !vocab::is_weekday(cx.s(k)) && vocab::month(cx.s(k)).is_none())
        .filter(|&k| !cx.entry(k).has(REGION) || e - j > 2)
        .collect();
    if distinct.is_empty() {
        return None;
    }
    let weak = (j..e)
        .filter(|&k| is_head(cx, k))
        .all(|k| cx.has(k, &vocab::WEAK_ORG_HEADS));
    // Methods are not organisations: `Dialectical Behavior Therapy`, `Family Systems`.
    const METHODS: &[&str] = &["therapy", "therapies", "systems"];
    let method = (j..e)
        .filter(|&k| is_head(cx, k))
        .all(|k| cx.is_in(k, METHODS));
    if method
        && !distinct.iter().any(|&k| {
            !cx.entry(k).is_word(60) || cx.entry(k).is_popular_name() || cx.entry(k).is_place()
        })
    {
        return None;
    }
    if weak {
        let uncommon = distinct.iter().any(|&k| !cx.entry(k).is_word(35));
        let before_head = (j..h)
            .filter(|&k| cx.kind(k, Kind::Word) && !cx.is_in(k, &["of", "for", "and", "the"]))
            .count();
        if !uncommon && before_head < 2 {
            return None;
        }
    }
    Some((j, e))
}

/// `St. Jude` and `Saint Mary's` name churches, schools and hospitals; `St. Louis` is a city.
fn saint(cx: &Ctx, i: usize) -> Option<(usize, usize, Label)> {
    let mut k = i + 1;
    if cx.is(i, "st") || cx.is(i, "mt") {
        if cx.s(k) != "." || !cx.touches(k) {
            return None;
        }
        k += 1;
    } else if !(cx.is(i, "saint") || cx.is(i, "mount")) || !cap(cx, i) {
        return None;
    }
    if !cap(cx, k) || !cx.same_line(k) || !cx.free(k) {
        return None;
    }
    let mut e = k + 1;
    while cap(cx, e)
        && cx.free(e)
        && cx.tok(e).is_some_and(|t| t.gap == Gap::Space)
        && !cx.has(e, &vocab::NAME_VERBS)
    {
        e += 1;
    }
    let phrase = format!(
        "{} {}",
        if cx.is(i, "mt") || cx.is(i, "mount") {
            "mount"
        } else {
            "saint"
        },
        cx.s(k).to_lowercase()
    );
    let short = format!("{} {}", cx.s(i).to_lowercase(), cx.s(k).to_lowercase());
    if e == k + 1
        && (cx.lex.is_multi_place(&phrase) || cx.lex.is_multi_place(&short))
        && !is_head(cx, e)
    {
        return Some((i, e, Label::Location));
    }
    // `St. Jude's Parish`: the possessive and the head word belong to the name.
    if matches!(cx.s(e), "'" | "\u{2019}") && cx.is(e + 1, "s") && is_head(cx, e + 2) {
        e = extend_right(cx, e + 2);
    }
    Some((i, extend_right(cx, e), Label::Organization))
}

/// Capitalised words after `works at`, `attends`, `Employer:` and the like.
fn org_by_context(cx: &Ctx, i: usize) -> Option<(usize, usize)> {
    if !cap(cx, i) || !cx.same_line(i) || i == 0 {
        return None;
    }
    let mut p = i - 1;
    let mut labelled = false;
    if cx.s(p) == ":" && p > 0 {
        if !cx.has(p - 1, &vocab::ORG_LABELS) {
            return None;
        }
        labelled = true;
    } else {
        if cx.is(p, "the") && p > 0 {
            p -= 1;
        }
        let trig = org_trigger(cx, p);
        if !trig {
            return None;
        }
    }
    // `attends N.A. meetings`: a dotted abbreviation that names a program.
    let dotted_never = cx.s(i + 1) == "."
        && cx.touches(i + 1)
        && cx.s(i).len() == 1
        && cx.s(i + 2).len() == 1
        && cx.touches(i + 2)
        && cx
            .lex
            .get(&format!("{}{}", cx.s(i), cx.s(i + 2)))
            .has(NEVER);
    if cx.has(i, &vocab::TITLES)
        || cx.is(i, "i")
        || vocab::is_weekday(cx.s(i))
        || vocab::month(cx.s(i)).is_some()
        || dotted_never
    {
        return None;
    }
    let mut e = i;
    while e < cx.len() && e - i < 8 {
        if cap(cx, e) && cx.free(e) && (e == i || cx.tok(e).is_some_and(|t| t.gap <= Gap::Space)) {
            e += 1;
            continue;
        }
        if cx.is_in(e, &["of", "for", "and", "&"]) && cap(cx, e + 1) && cx.free(e + 1) {
            e += 1;
            continue;
        }
        if matches!(cx.s(e), "'" | "\u{2019}") && cx.is(e + 1, "s") && cx.touches(e) {
            // `Macy's` belongs to the name only when more of the name follows.
            if cap(cx, e + 2) && cx.free(e + 2) {
                e += 2;
                continue;
            }
            break;
        }
        if cx.s(e) == "." && cx.touches(e) && cx.is_in(e - 1, &["st", "mt", "co", "inc"]) {
            e += 1;
            continue;
        }
        if cx.s(e) == "-" && cx.touches(e) && cap(cx, e + 1) && cx.touches(e + 1) {
            e += 1;
            continue;
        }
        break;
    }
    if e == i {
        return None;
    }
    // Programs and services people attend are not employers (`attends AA`, `attends Mass`).
    let attend = i > 0 && cx.has(i - 1, &DIRECT);
    if (i..e).all(|k| {
        cx.entry(k).has(NEVER) && (attend || cx.tok(k).is_some_and(|t| t.case == Case::Upper))
    }) {
        return None;
    }
    // A lone capitalised word that is a place after `in` is a place, not an employer.
    if !labelled && e == i + 1 && cx.entry(i).has(REGION) {
        return None;
    }
    Some((i, extend_right(cx, e)))
}

/// Words for a job or a place of study: `at` after one introduces an employer or school.
#[rustfmt::skip]
pub(crate) static ROLE: List = List {
    bit: 1 << 21,
    words: &[
    "works", "work", "working", "worked", "employed", "job", "jobs", "position", "shift", "shifts",
    "hired", "volunteers", "volunteer", "volunteering", "volunteered", "interned", "internship",
    "intern", "coworker", "co-worker", "coworkers", "manager", "teacher", "nurse", "counselor",
    "student", "students", "employee", "boss", "supervisor", "staff", "senior", "junior",
    "freshman", "sophomore", "enrolled", "placement", "cashier", "clerk", "server", "waitress",
    "waiter", "bartender", "mechanic", "driver", "janitor", "aide", "assistant", "principal",
    "coach", "pastor", "member", "classes", "class", "program", "career", "role", "employer",
    "colleague", "colleagues", "layoff", "residency",
    ],
};

/// Verbs whose object is a school or employer.
#[rustfmt::skip]
pub(crate) static DIRECT: List = List {
    bit: 1 << 22,
    words: &[
    "attends", "attended", "attending", "attend", "joined", "quit", "left",
    ],
};

/// Verbs followed by `from` and an employer or school.
#[rustfmt::skip]
pub(crate) static FROM: List = List {
    bit: 1 << 23,
    words: &[
    "graduated", "expelled", "suspended", "fired", "dismissed", "transferred", "withdrew",
    "resigned",
    ],
};

/// Whether the words ending at `p` introduce an employer or school.
fn org_trigger(cx: &Ctx, p: usize) -> bool {
    if cx.has(p, &DIRECT) {
        return true;
    }
    if cx.is_in(p, &["at", "for", "with", "by", "in"]) && p > 0 {
        let q = p - 1;
        const IN_OK: &[&str] = &[
            "enrolled", "student", "students", "job", "position", "classes",
        ];
        let in_ok = !cx.is(p, "in") || cx.is_in(q, IN_OK);
        if cx.has(q, &ROLE) && in_ok {
            return true;
        }
        // `works part-time at`.
        if q >= 3 && cx.is(q, "time") && cx.s(q - 1) == "-" && cx.has(q - 3, &ROLE) {
            return true;
        }
        // `laid off from`, `works there at`.
        if q > 0
            && cx.has(q - 1, &ROLE)
            && cx.is_in(
                q,
                &[
                    "there",
                    "part-time",
                    "full-time",
                    "now",
                    "still",
                    "currently",
                ],
            )
        {
            return true;
        }
    }
    if cx.is_in(p, &["from"]) && p > 0 && (cx.has(p - 1, &FROM) || cx.is(p - 1, "off")) {
        return true;
    }
    false
}

/// Counties, `City, ST`, streets named without a number, and places of several words.
pub(crate) fn find_regions(cx: &mut Ctx) {
    let mut i = 0;
    while i < cx.len() {
        if cx.free(i) && cap(cx, i) {
            // Counties, cities before a state and streets start where a capitalised run does.
            let run_start = i == 0
                || !(cap(cx, i - 1)
                    && cx.free(i - 1)
                    && cx.tok(i).is_some_and(|t| t.gap <= Gap::Space));
            let found = if run_start {
                county(cx, i)
                    .or_else(|| city_state(cx, i))
                    .or_else(|| bare_street(cx, i))
            } else {
                None
            };
            if let Some(e) = found.or_else(|| multi_place(cx, i)) {
                if cx.all_free(i, e) {
                    cx.claim(i, e, Label::Location);
                    i = e;
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// Capitalised words on one line from `i`, at most `max`; returns the end.
fn cap_run(cx: &Ctx, i: usize, max: usize) -> usize {
    let mut e = i;
    while e - i < max
        && cap(cx, e)
        && cx.free(e)
        && (e == i || cx.tok(e).is_some_and(|t| t.gap <= Gap::Space))
    {
        e += 1;
        if cx.s(e) == "." && cx.touches(e) && cx.is_in(e - 1, &["st", "ft", "mt"]) && cap(cx, e + 1)
        {
            e += 1;
        }
    }
    e
}

fn county(cx: &Ctx, i: usize) -> Option<usize> {
    if cx.is(i, "county") && cx.is(i + 1, "of") && cap(cx, i + 2) {
        return Some(cap_run(cx, i + 2, 3));
    }
    if cx.sentence_start(i) && cx.entry(i).is_word(20) && !cx.entry(i).is_name() {
        return None;
    }
    let e = cap_run(cx, i, 4);
    (i + 1..e)
        .find(|&k| cx.is_in(k, &["county", "borough", "parish"]))
        .map(|k| k + 1)
}

fn city_state(cx: &Ctx, i: usize) -> Option<usize> {
    let e = cap_run(cx, i, 4);
    // `Bozeman MT 59715`: no comma, but a state code and a ZIP code.
    if e > i + 1
        && cx.s(e) != ","
        && cx.digits(e, 5, 5)
        && cx.tok(e - 1).is_some_and(|t| t.case == Case::Upper)
        && vocab::STATE_CODES.contains(&cx.s(e - 1))
    {
        return Some(e - 1);
    }
    if e == i || cx.s(e) != "," || !cx.same_line(e + 1) || e - i > 3 {
        return None;
    }
    let n = state_starting(cx, e + 1)?;
    let after = e + 1 + n;
    let code = cx.s(e + 1);
    const AMBIGUOUS: &[&str] = &[
        "MD", "PA", "MA", "MS", "IN", "OR", "ME", "OK", "HI", "CO", "DE", "LA", "AL", "ID", "MT",
        "NE", "DC", "PR", "SC", "NP",
    ];
    let zip_after = cx.digits(after, 5, 5);
    let known_place = if e == i + 1 {
        cx.entry(i).is_place()
    } else {
        let words: Vec<String> = (i..e)
            .filter(|&k| cx.kind(k, Kind::Word))
            .map(|k| cx.s(k).to_lowercase())
            .collect();
        cx.entry(i).has(PLACE_HEAD) && cx.lex.is_multi_place(&words.join(" "))
    };
    if n == 1 && AMBIGUOUS.contains(&code) && !zip_after && !known_place {
        return None;
    }
    // Skip a sentence-opening common word (`Yesterday, Ohio…` is not a city).
    let mut s = i;
    while s < e && cx.sentence_start(s) && cx.entry(s).is_word(20) && !cx.entry(s).is_place() {
        s += 1;
    }
    if s == e || s != i {
        return None;
    }
    Some(e)
}

fn bare_street(cx: &Ctx, i: usize) -> Option<usize> {
    let e = cap_run(cx, i, 4);
    let last = (i + 1..e)
        .rev()
        .find(|&k| vocab::street_suffix(cx.s(k)) == Some(true))?;
    if cx.has(last + 1, &vocab::ORG_HEADS) && cap(cx, last + 1) {
        return None;
    }
    let first = cx.entry(i);
    if cx.sentence_start(i) && first.is_word(20) && !first.is_name() && last == i + 1 {
        return None;
    }
    // `Father Darnell Pike`, `Dr. Ana Lane`: a title or a relation opens a person's name.
    if cx.is_in(i, &["the", "a", "this", "that", "my", "our"])
        || cx.has(i, &vocab::TITLES)
        || cx.has(i, &vocab::RELATIONS)
    {
        return None;
    }
    let mut e = last + 1;
    if cx.s(e) == "." && cx.touches(e) {
        e += 1;
    }
    Some(e)
}

fn multi_place(cx: &Ctx, i: usize) -> Option<usize> {
    if !cx.entry(i).has(PLACE_HEAD) {
        return None;
    }
    let e = cap_run(cx, i, 4);
    for end in (i + 2..=e).rev() {
        let words: Vec<String> = (i..end)
            .filter(|&k| cx.kind(k, Kind::Word))
            .map(|k| cx.s(k).to_lowercase())
            .collect();
        let phrase = words.join(" ");
        if cx.lex.is_multi_place(&phrase) && !vocab::STATES.contains(&phrase.as_str()) {
            return Some(end);
        }
    }
    None
}

/// Single-word places from the gazetteer, after names have had their turn.
pub(crate) fn find_places(cx: &mut Ctx) {
    for i in 0..cx.len() {
        if !cx.free(i)
            || !cx
                .tok(i)
                .is_some_and(|t| t.kind == Kind::Word && t.case == Case::Cap)
        {
            continue;
        }
        let e = cx.entry(i);
        if !e.is_place()
            || e.has(REGION)
            || e.has(NEVER)
            || vocab::month(cx.s(i)).is_some()
            || vocab::is_weekday(cx.s(i))
        {
            continue;
        }
        // An uncommon word (Flagstaff) after `in`/`to` is the place; a common one (Mobile,
        // Hope) needs more (`lives in`, `, Alabama`).
        let prep = i > 0
            && cx.has(i - 1, &LOC_PREPS)
            && cx.tok(i - 1).is_some_and(|t| t.case == Case::Lower);
        if !e.is_word(50) || (!e.is_word(20) && prep) || strong_place_context(cx, i) {
            cx.claim(i, i + 1, Label::Location);
        }
    }
}

/// `lives in X`, `moved to X`, `X, Ohio`, `town of X`: a place even if X is also a word.
pub(crate) fn strong_place_context(cx: &Ctx, i: usize) -> bool {
    if cx.s(i + 1) == "," && state_starting(cx, i + 2).is_some() {
        return true;
    }
    if i >= 2 {
        let (a, b) = (
            cx.s(i - 2).to_ascii_lowercase(),
            cx.s(i - 1).to_ascii_lowercase(),
        );
        let pairs = [
            ("lives", "in"),
            ("live", "in"),
            ("living", "in"),
            ("moved", "to"),
            ("moving", "to"),
            ("born", "in"),
            ("up", "in"),
            ("relocated", "to"),
            ("town", "of"),
            ("city", "of"),
            ("resident", "of"),
            ("raised", "in"),
            ("stays", "in"),
            ("staying", "in"),
        ];
        return pairs.iter().any(|(x, y)| *x == a && *y == b);
    }
    false
}
