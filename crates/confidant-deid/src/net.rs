//! E-mail addresses, URLs (with or without a scheme), IPv4 and IPv6 addresses and social
//! handles, found by scanning the bytes: they have exact shapes, so this pass runs first.

use crate::Label;
use crate::detect::Ctx;
use crate::tokens::Kind;

/// Top-level domains a bare host name (`portal.example.org`) must end in to count as a URL.
const TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "mil", "int", "io", "co", "us", "uk", "ca", "au", "de",
    "fr", "nl", "ie", "nz", "info", "biz", "me", "app", "dev", "health", "care", "clinic", "ly",
    "tv", "ai", "online", "site", "xyz", "page", "link", "care", "life", "family", "church",
    "school", "academy", "law", "legal", "today", "world", "email", "cloud", "tech", "space",
    "website", "blog", "social", "chat", "zoom", "ms", "gg", "fm", "to", "be", "in", "mx",
];

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_host(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

fn is_url_char(b: u8) -> bool {
    b > b' '
        && !matches!(
            b,
            b'<' | b'>' | b'"' | b'`' | b'{' | b'}' | b'|' | b'\\' | b'^'
        )
}

/// Trims sentence punctuation that follows a URL or address rather than belonging to it.
fn trim_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start
        && matches!(
            bytes[end - 1],
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b')' | b']' | b'\''
        )
    {
        end -= 1;
    }
    end
}

/// Whether `host` (without a trailing dot) ends in a known top-level domain after a label.
fn host_has_tld(host: &[u8]) -> bool {
    let Some(dot) = host.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    if dot == 0 {
        return false;
    }
    let tld = &host[dot + 1..];
    TLDS.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(tld))
}

/// Runs the pass.
pub(crate) fn find(cx: &mut Ctx) {
    emails_and_handles(cx);
    urls(cx);
    ipv4(cx);
    ipv6(cx);
}

fn emails_and_handles(cx: &mut Ctx) {
    let bytes = cx.text.as_bytes();
    let mut from = 0;
    while let Some(off) = bytes[from..].iter().position(|&b| b == b'@') {
        let at = from + off;
        from = at + 1;
        let mut s = at;
        while s > 0 && is_local(bytes[s - 1]) {
            s -= 1;
        }
        while s < at && bytes[s] == b'.' {
            s += 1;
        }
        let mut e = at + 1;
        while e < bytes.len() && is_host(bytes[e]) {
            e += 1;
        }
        let e = trim_end(bytes, at + 1, e);
        if s < at {
            if host_like(&bytes[at + 1..e]) {
                cx.claim_bytes(s, e, Label::Email);
                from = e;
            }
            continue;
        }
        // A handle: `@name` at the start of a word.
        let word_start = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let mut h = at + 1;
        while h < bytes.len()
            && (bytes[h].is_ascii_alphanumeric() || matches!(bytes[h], b'_' | b'.' | b'-'))
        {
            h += 1;
        }
        let h = trim_end(bytes, at + 1, h);
        if word_start && h - at > 2 && bytes[at + 1..h].iter().any(u8::is_ascii_alphabetic) {
            cx.claim_bytes(at, h, Label::Id);
            from = h;
        }
    }
}

/// A host name with at least one dot and letters in its last label.
fn host_like(host: &[u8]) -> bool {
    let Some(dot) = host.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    dot > 0 && host.len() - dot > 2 && host[dot + 1..].iter().all(u8::is_ascii_alphabetic)
}

fn urls(cx: &mut Ctx) {
    let bytes = cx.text.as_bytes();
    let mut done = 0;
    // Every URL has a dot in its host: look only around dots followed by a letter or digit.
    let mut from = 0;
    while let Some(off) = bytes[from..].iter().position(|&b| b == b'.') {
        let dot = from + off;
        from = dot + 1;
        if dot < done || !bytes.get(dot + 1).is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        // Back to the start of the host (or of the scheme).
        let mut i = dot;
        while i > 0 && is_host(bytes[i - 1]) {
            i -= 1;
        }
        if i >= 3 && &bytes[i - 3..i] == b"://" {
            let mut k = i - 3;
            while k > 0 && bytes[k - 1].is_ascii_alphabetic() {
                k -= 1;
            }
            let scheme = &bytes[k..i - 3];
            if ["http", "https", "ftp"]
                .iter()
                .any(|s| s.as_bytes().eq_ignore_ascii_case(scheme))
            {
                i = k;
            }
        }
        while i < dot && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'@' | b'.')) {
            continue;
        }
        let schemed = bytes[i..].windows(3).take(8).any(|w| w == b"://");
        let mut h = if schemed {
            i + bytes[i..].windows(3).position(|w| w == b"://").unwrap_or(0) + 3
        } else {
            i
        };
        while h < bytes.len() && is_host(bytes[h]) {
            h += 1;
        }
        let host_end = trim_end(bytes, i, h);
        let host_start = if schemed {
            host_end.min(i + bytes[i..].windows(3).position(|w| w == b"://").unwrap_or(0) + 3)
        } else {
            i
        };
        let host = &bytes[host_start..host_end];
        let www = starts_with_ci(&bytes[i..], b"www.");
        let ok = schemed || www || (host_has_tld(host) && host_is_words(host));
        if !ok || (h < bytes.len() && bytes[h] == b'@') {
            from = from.max(h);
            continue;
        }
        let mut e = h;
        if e < bytes.len() && matches!(bytes[e], b'/' | b':' | b'?' | b'#') {
            while e < bytes.len() && is_url_char(bytes[e]) {
                e += 1;
            }
        }
        let e = trim_end(bytes, i, e);
        if e > i + 3 {
            cx.claim_bytes(i, e, Label::Url);
        }
        done = e;
        from = from.max(e);
    }
}

/// Every label of a bare host name starts with a letter or digit and the host has a letter
/// (so `3.5.2` and `e.g` are not hosts).
fn host_is_words(host: &[u8]) -> bool {
    host.split(|&b| b == b'.')
        .all(|l| l.first().is_some_and(u8::is_ascii_alphanumeric))
        && host.iter().any(u8::is_ascii_alphabetic)
        && host.split(|&b| b == b'.').count() >= 2
}

fn starts_with_ci(s: &[u8], p: &[u8]) -> bool {
    s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p)
}

fn ipv4(cx: &mut Ctx) {
    let n = cx.len();
    let mut i = 0;
    while i + 6 < n {
        let shape = (0..4).all(|k| cx.kind(i + 2 * k, Kind::Num) && cx.s(i + 2 * k).len() <= 3)
            && (0..3).all(|k| cx.s(i + 2 * k + 1) == "." && cx.touches(i + 2 * k + 1))
            && (1..4).all(|k| cx.touches(i + 2 * k));
        let octets = shape && (0..4).all(|k| cx.num(i + 2 * k).is_some_and(|v| v <= 255));
        let before_ok = i == 0 || !(cx.touches(i) && matches!(cx.s(i - 1), "." | ":"));
        let after_ok = !(cx.touches(i + 7) && cx.s(i + 7) == "." && cx.kind(i + 8, Kind::Num));
        if octets && before_ok && after_ok && cx.all_free(i, i + 7) {
            cx.claim(i, i + 7, Label::Ip);
            i += 7;
        } else {
            i += 1;
        }
    }
}

fn ipv6(cx: &mut Ctx) {
    let bytes = cx.text.as_bytes();
    let is_part = |b: u8| b.is_ascii_hexdigit() || matches!(b, b':' | b'.');
    let mut from = 0;
    // Look only around colons.
    while let Some(off) = bytes[from..].iter().position(|&b| b == b':') {
        let colon = from + off;
        let mut i = colon;
        while i > 0 && is_part(bytes[i - 1]) {
            i -= 1;
        }
        let mut e = colon;
        while e < bytes.len() && is_part(bytes[e]) {
            e += 1;
        }
        from = e.max(colon + 1);
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after_ok = e >= bytes.len() || !bytes[e].is_ascii_alphanumeric();
        let e2 = trim_end(bytes, i, e);
        if before_ok && after_ok && looks_ipv6(&bytes[i..e2]) {
            cx.claim_bytes(i, e2, Label::Ip);
        }
    }
}

fn looks_ipv6(s: &[u8]) -> bool {
    let colons = s.iter().filter(|&&b| b == b':').count();
    if colons < 2 || s.windows(3).any(|w| w == b":::") {
        return false;
    }
    let groups: Vec<&[u8]> = s.split(|&b| b == b':').collect();
    if groups.iter().any(|g| g.len() > 4 && !g.contains(&b'.')) {
        return false;
    }
    let compressed = s.windows(2).any(|w| w == b"::");
    let hex_letter = s.iter().any(|b| b.is_ascii_alphabetic());
    (compressed
        && groups.iter().filter(|g| !g.is_empty()).count() >= 1
        && (hex_letter || colons >= 3))
        || groups.len() >= 6
}
