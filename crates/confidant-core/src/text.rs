//! Validation of free text and dates coming from requests. Every refusal says which field and
//! which rule, never the value, so it is safe to show, log and return.

use time::{Date, Month};

use crate::error::Invalid;

/// Length and shape rules for one text field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    pub max_chars: usize,
    pub multiline: bool,
}

fn check(field: &'static str, value: &str, limit: Limit) -> Result<(), Invalid> {
    if value.chars().count() > limit.max_chars {
        return Err(Invalid::new(
            field,
            format!("must be at most {} characters", limit.max_chars),
        ));
    }
    let bad = |c: char| c.is_control() && !(limit.multiline && matches!(c, '\n' | '\r' | '\t'));
    if value.chars().any(bad) {
        return Err(Invalid::new(field, "contains control characters"));
    }
    Ok(())
}

/// A required, non-blank field, trimmed.
pub(crate) fn required(
    field: &'static str,
    value: String,
    limit: Limit,
) -> Result<String, Invalid> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Invalid::new(field, "is required and must not be blank"));
    }
    check(field, trimmed, limit)?;
    Ok(trimmed.to_owned())
}

/// An optional field, trimmed; blank counts as absent.
pub(crate) fn optional(
    field: &'static str,
    value: Option<String>,
    limit: Limit,
) -> Result<Option<String>, Invalid> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            check(field, v, limit)?;
            Ok(Some(v.to_owned()))
        }
    }
}

/// A phone number: digits with the usual separators, at least 3 digits.
pub(crate) fn phone(field: &'static str, value: &str) -> Result<(), Invalid> {
    let allowed = |c: char| c.is_ascii_digit() || " +-().x/".contains(c);
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !value.chars().all(allowed) || digits < 3 {
        return Err(Invalid::new(
            field,
            "must be a phone number: digits, spaces and + - ( ) . / x only, at least 3 digits",
        ));
    }
    Ok(())
}

/// An e-mail address: one `@` with something on both sides and a dot in the domain.
pub(crate) fn email(field: &'static str, value: &str) -> Result<(), Invalid> {
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        return Err(Invalid::new(
            field,
            "must be an e-mail address like name@example.org",
        ));
    }
    Ok(())
}

/// Earliest date of birth accepted (guards against typos like 0990).
const EARLIEST_BIRTH: Date = time::macros::date!(1900 - 01 - 01);

/// A date of birth: a real calendar date in `YYYY-MM-DD`, not in the future, not before 1900.
pub(crate) fn date_of_birth(
    field: &'static str,
    value: &str,
    today: Date,
) -> Result<Date, Invalid> {
    let date = ymd::parse(value).map_err(|()| {
        Invalid::new(
            field,
            "must be a real calendar date written YYYY-MM-DD, e.g. 1984-07-21",
        )
    })?;
    if date > today {
        return Err(Invalid::new(field, "must not be in the future"));
    }
    if date < EARLIEST_BIRTH {
        return Err(Invalid::new(field, "must not be before 1900-01-01"));
    }
    Ok(date)
}

/// `YYYY-MM-DD` dates, strictly: four-digit year, two-digit month and day.
pub mod ymd {
    use super::{Date, Month};
    use serde::Serializer;

    /// Parses `YYYY-MM-DD`; anything else (or an impossible date) is refused.
    pub fn parse(s: &str) -> Result<Date, ()> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(());
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u16>().map_err(|_| ());
        let month = Month::try_from(num(5..7)? as u8).map_err(|_| ())?;
        Date::from_calendar_date(i32::from(num(0..4)?), month, num(8..10)? as u8).map_err(|_| ())
    }

    /// Formats as `YYYY-MM-DD`.
    pub fn format(d: Date) -> String {
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }

    /// Serde helper: serializes a date as `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn only_real_dates_in_iso_form_are_dates_of_birth() {
        let today = date!(2026 - 11 - 23);
        assert_eq!(
            date_of_birth("d", "1984-07-21", today).unwrap(),
            date!(1984 - 07 - 21)
        );
        assert_eq!(
            date_of_birth("d", "2000-02-29", today).unwrap(),
            date!(2000 - 02 - 29)
        );
        for bad in [
            "2023-02-30",
            "1999-02-29",
            "12/01/1990",
            "1990-1-01",
            "90-01-01",
            "1990-13-01",
            "1990-00-10",
            "",
            "1990-01-01T00:00:00Z",
            "+990-01-01",
            "１９９０-01-01",
        ] {
            assert!(date_of_birth("d", bad, today).is_err(), "{bad} accepted");
        }
        assert!(date_of_birth("d", "2026-11-24", today).is_err());
        assert!(date_of_birth("d", "1899-12-31", today).is_err());
        assert_eq!(ymd::format(date!(0987 - 03 - 04)), "0987-03-04");
    }

    #[test]
    fn blank_required_text_and_control_characters_are_refused() {
        let l = Limit {
            max_chars: 5,
            multiline: false,
        };
        assert!(required("f", "   ".into(), l).is_err());
        assert!(required("f", "a\u{0}b".into(), l).is_err());
        assert!(required("f", "abcdef".into(), l).is_err());
        assert_eq!(required("f", " abc ".into(), l).unwrap(), "abc");
        assert_eq!(optional("f", Some("  ".into()), l).unwrap(), None);
        let ml = Limit {
            max_chars: 50,
            multiline: true,
        };
        assert!(optional("f", Some("line one\nline two".into()), ml).is_ok());
    }

    #[test]
    fn phone_and_email_shapes() {
        for ok in ["555-0100", "+44 20 7946 0958", "(555) 010-0199 x12"] {
            assert!(phone("p", ok).is_ok(), "{ok}");
        }
        for bad in ["call me", "12", "555-0100; DROP"] {
            assert!(phone("p", bad).is_err(), "{bad}");
        }
        for ok in ["a@example.org", "first.last+tag@sub.example.co.uk"] {
            assert!(email("e", ok).is_ok(), "{ok}");
        }
        for bad in [
            "plain",
            "@example.org",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@.org",
        ] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }
}
