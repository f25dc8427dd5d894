//! Appointments: when (a start and a duration, so it cannot end before it starts), what (a
//! service code), where (a place or a telehealth link, sealed), whether it happened
//! (attendance), and a note (sealed); how a request for a new one or a change is validated.
//!
//! Attendance moves only out of `scheduled`, once: `attended` and `no_show` only after the
//! start, `cancelled` at any time. Only a scheduled appointment can be moved.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Place, utf8};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, AppointmentId, ClientId, EpisodeId};
use crate::ports::{AppointmentRow, from_millis, to_millis};
use crate::text::{self, Limit};

/// Shortest appointment, in minutes.
pub const MIN_DURATION_MINUTES: u16 = 5;
/// Longest appointment, in minutes (an eight-hour intensive).
pub const MAX_DURATION_MINUTES: u16 = 480;
/// How far from now an appointment may start, either way (guards against typos in the year).
const HORIZON: Duration = Duration::from_secs(10 * 366 * 86_400);

/// Whether the appointment happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    /// Booked; nothing recorded yet.
    Scheduled,
    /// The client came.
    Attended,
    /// Called off (by the client or the practice).
    Cancelled,
    /// The client did not come.
    NoShow,
}

impl Attendance {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Attended => "attended",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
        }
    }

    pub(crate) fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "scheduled" => Ok(Self::Scheduled),
            "attended" => Ok(Self::Attended),
            "cancelled" => Ok(Self::Cancelled),
            "no_show" => Ok(Self::NoShow),
            _ => Err(CoreError::Integrity),
        }
    }
}

/// Where an appointment happens; either way the text is sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Location {
    /// In person, at a place (a room, an address).
    InPerson {
        /// The place.
        place: String,
    },
    /// By video, at a link.
    Telehealth {
        /// The `https://` link to the session.
        link: String,
    },
}

const PLACE: Limit = Limit {
    max_chars: 200,
    multiline: false,
};
const LINK: Limit = Limit {
    max_chars: 2000,
    multiline: false,
};
const NOTE: Limit = Limit {
    max_chars: 2000,
    multiline: true,
};

impl Location {
    fn validate(self) -> Result<Self, Invalid> {
        Ok(match self {
            Self::InPerson { place } => Self::InPerson {
                place: text::required("location", place, PLACE)?,
            },
            Self::Telehealth { link } => {
                let link = text::required("location", link, LINK)?;
                let ok = link
                    .get(..8)
                    .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
                    && link.len() > 8
                    && !link.contains(char::is_whitespace);
                if !ok {
                    return Err(Invalid::new(
                        "location",
                        "a telehealth link must be an https:// address without spaces",
                    ));
                }
                Self::Telehealth { link }
            }
        })
    }

    /// Tag byte, then the text: which kind it is is sealed along with it.
    fn encode(&self) -> Vec<u8> {
        let (tag, text) = match self {
            Self::InPerson { place } => (1, place),
            Self::Telehealth { link } => (2, link),
        };
        let mut v = Vec::with_capacity(text.len() + 1);
        v.push(tag);
        v.extend_from_slice(text.as_bytes());
        v
    }

    fn decode(bytes: &[u8]) -> CoreResult<Self> {
        match bytes.split_first() {
            Some((1, rest)) => Ok(Self::InPerson { place: utf8(rest)? }),
            Some((2, rest)) => Ok(Self::Telehealth { link: utf8(rest)? }),
            _ => Err(CoreError::Integrity),
        }
    }
}

/// A new appointment as a request states it: a duration or an end, not both.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentInput {
    /// Start, RFC 3339 (`2026-03-02T09:00:00Z`, `2026-03-02T10:00:00+01:00`).
    pub starts_at: String,
    /// Length in minutes, 5 to 480; or give `ends_at`.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// End, RFC 3339, after the start by a whole number of minutes; or give `duration_minutes`.
    #[serde(default)]
    pub ends_at: Option<String>,
    /// Service code: five digits (CPT, e.g. `90834`) or up to ten letters and digits.
    pub service_code: String,
    /// In person or telehealth.
    pub location: Location,
    /// The client's episode of care it belongs to; their open episode when absent.
    #[serde(default)]
    pub episode: Option<EpisodeId>,
    /// A scheduling note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A validated new appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppointment {
    /// Start (UTC, whole milliseconds).
    pub starts_at: OffsetDateTime,
    /// Length in minutes.
    pub duration_minutes: u16,
    /// Service code, upper case.
    pub service_code: String,
    /// Where.
    pub location: Location,
    /// The episode asked for, if any (the service checks it is the client's and open).
    pub episode: Option<EpisodeId>,
    /// Note.
    pub note: Option<String>,
}

/// A start time: RFC 3339, within ten years of now; kept in UTC to the millisecond, as stored.
fn start(field: &'static str, value: &str, now: OffsetDateTime) -> Result<OffsetDateTime, Invalid> {
    let t = instant(field, value)?;
    if t < now - HORIZON || t > now + HORIZON {
        return Err(Invalid::new(field, "must be within ten years of today"));
    }
    Ok(t)
}

fn instant(field: &'static str, value: &str) -> Result<OffsetDateTime, Invalid> {
    let t = OffsetDateTime::parse(value.trim(), &Rfc3339).map_err(|_| {
        Invalid::new(
            field,
            "must be an RFC 3339 time such as 2026-03-02T09:00:00Z or 2026-03-02T10:00:00+01:00",
        )
    })?;
    from_millis(to_millis(t)).map_err(|_| Invalid::new(field, "is out of range"))
}

fn duration(field: &'static str, minutes: i64) -> Result<u16, Invalid> {
    u16::try_from(minutes)
        .ok()
        .filter(|m| (MIN_DURATION_MINUTES..=MAX_DURATION_MINUTES).contains(m))
        .ok_or_else(|| {
            Invalid::new(
                field,
                format!("must be from {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes"),
            )
        })
}

/// The length of an appointment given by its end.
fn duration_until(starts_at: OffsetDateTime, ends_at: &str) -> Result<u16, Invalid> {
    let field = "ends_at";
    let end = instant(field, ends_at)?;
    let length = end - starts_at;
    if !length.is_positive() {
        return Err(Invalid::new(field, "must be after starts_at"));
    }
    if length.whole_seconds() % 60 != 0 || length.subsec_nanoseconds() != 0 {
        return Err(Invalid::new(
            field,
            "must be a whole number of minutes after starts_at",
        ));
    }
    duration(field, length.whole_minutes()).map_err(|_| {
        Invalid::new(
            field,
            format!(
                "must be {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes after starts_at"
            ),
        )
    })
}

/// A service code: five digits (CPT), or one to ten letters and digits with at least one
/// letter (HCPCS and the practice's own codes); stored upper case.
fn service_code(value: &str) -> Result<String, Invalid> {
    let code = value.trim().to_ascii_uppercase();
    let alnum =
        !code.is_empty() && code.len() <= 10 && code.bytes().all(|b| b.is_ascii_alphanumeric());
    let digits_only = code.bytes().all(|b| b.is_ascii_digit());
    if !alnum || (digits_only && code.len() != 5) {
        return Err(Invalid::new(
            "service_code",
            "must be a five-digit code such as 90834, or up to ten letters and digits",
        ));
    }
    Ok(code)
}

impl NewAppointment {
    /// Checks every field against its rule; `now` bounds the start.
    pub fn validate(input: AppointmentInput, now: OffsetDateTime) -> Result<Self, Invalid> {
        let starts_at = start("starts_at", &input.starts_at, now)?;
        let duration_minutes = match (input.duration_minutes, input.ends_at.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(Invalid::new(
                    "ends_at",
                    "give either duration_minutes or ends_at, not both",
                ));
            }
            (None, None) => {
                return Err(Invalid::new(
                    "duration_minutes",
                    "is required (or give ends_at instead)",
                ));
            }
            (Some(minutes), None) => duration("duration_minutes", minutes)?,
            (None, Some(end)) => duration_until(starts_at, end)?,
        };
        Ok(Self {
            starts_at,
            duration_minutes,
            service_code: service_code(&input.service_code)?,
            location: input.location.validate()?,
            episode: input.episode,
            note: text::optional("note", input.note, NOTE)?,
        })
    }
}

/// A change to an appointment as a request states it; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentPatch {
    /// New start, RFC 3339 (moves a scheduled appointment).
    #[serde(default)]
    pub starts_at: Option<String>,
    /// New length in minutes.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// Attendance to record.
    #[serde(default)]
    pub attendance: Option<Attendance>,
    /// New note; `null` or blank removes it.
    #[serde(default, deserialize_with = "present")]
    pub note: Option<Option<String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// An appointment, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Appointment {
    /// Appointment id.
    pub id: AppointmentId,
    /// Whose appointment.
    pub client_id: ClientId,
    /// The episode of care it belongs to.
    pub episode_id: Option<EpisodeId>,
    /// Start (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// End (UTC): the start plus the duration.
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    /// Length in minutes.
    pub duration_minutes: u16,
    /// Service code.
    pub service_code: String,
    /// Where.
    pub location: Location,
    /// Whether it happened.
    pub attendance: Attendance,
    /// Note.
    pub note: Option<String>,
    /// When it was booked.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn end(starts_at: OffsetDateTime, minutes: u16) -> OffsetDateTime {
    starts_at + time::Duration::minutes(i64::from(minutes))
}

impl Appointment {
    /// A new, scheduled appointment of `client` in `episode`.
    pub(crate) fn new(
        client: ClientId,
        episode: Option<EpisodeId>,
        a: NewAppointment,
        created_at: OffsetDateTime,
    ) -> Self {
        Self {
            id: AppointmentId::random(),
            client_id: client,
            episode_id: episode,
            starts_at: a.starts_at,
            ends_at: end(a.starts_at, a.duration_minutes),
            duration_minutes: a.duration_minutes,
            service_code: a.service_code,
            location: a.location,
            attendance: Attendance::Scheduled,
            note: a.note,
            created_at,
        }
    }

    /// This appointment with `patch` applied at `now`, or why the change is refused.
    pub fn changed(&self, patch: AppointmentPatch, now: OffsetDateTime) -> Result<Self, Invalid> {
        let AppointmentPatch {
            starts_at,
            duration_minutes,
            attendance,
            note,
        } = patch;
        if starts_at.is_none()
            && duration_minutes.is_none()
            && attendance.is_none()
            && note.is_none()
        {
            return Err(Invalid::new(
                "body",
                "give at least one of starts_at, duration_minutes, attendance or note",
            ));
        }
        let mut next = self.clone();
        let moving = [
            ("starts_at", starts_at.is_some()),
            ("duration_minutes", duration_minutes.is_some()),
        ];
        if let Some((field, _)) = moving.iter().find(|(_, given)| *given)
            && self.attendance != Attendance::Scheduled
        {
            return Err(Invalid::new(
                field,
                format!(
                    "only a scheduled appointment can be moved; this one is {}",
                    self.attendance.as_str()
                ),
            ));
        }
        if let Some(s) = starts_at {
            next.starts_at = start("starts_at", &s, now)?;
        }
        if let Some(m) = duration_minutes {
            next.duration_minutes = duration("duration_minutes", m)?;
        }
        next.ends_at = end(next.starts_at, next.duration_minutes);
        if let Some(a) = attendance {
            next.attendance = self.record(a, next.starts_at, now)?;
        }
        if let Some(n) = note {
            next.note = text::optional("note", n, NOTE)?;
        }
        Ok(next)
    }

    /// The attendance after recording `a` for an appointment starting at `starts_at`.
    fn record(
        &self,
        a: Attendance,
        starts_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Attendance, Invalid> {
        let field = "attendance";
        if a == self.attendance {
            return Ok(a);
        }
        if self.attendance != Attendance::Scheduled {
            return Err(Invalid::new(
                field,
                format!(
                    "is already recorded as {} and cannot change",
                    self.attendance.as_str()
                ),
            ));
        }
        match a {
            Attendance::Scheduled | Attendance::Cancelled => Ok(a),
            Attendance::Attended | Attendance::NoShow if now < starts_at => Err(Invalid::new(
                field,
                "can be recorded only once the appointment has started",
            )),
            Attendance::Attended | Attendance::NoShow => Ok(a),
        }
    }
}

const KIND: &str = "appointment";
const LOCATION_FIELD: &str = "location";
const NOTE_FIELD: &str = "note";

/// Seals an appointment into a row under the client's key.
pub(crate) fn seal(
    a: &Appointment,
    created_by: ActorId,
    revision: u32,
    key: &confidant_crypto::ClientKey,
) -> CoreResult<AppointmentRow> {
    let (id, client) = (a.id.to_string(), a.client_id.to_string());
    let place = Place {
        kind: KIND,
        record_id: &id,
        client_id: &client,
    };
    Ok(AppointmentRow {
        id: a.id,
        client_id: a.client_id,
        episode: a.episode_id,
        key_version: key.version(),
        starts_at: to_millis(a.starts_at),
        duration_minutes: a.duration_minutes,
        service_code: a.service_code.clone(),
        attendance: a.attendance.as_str().to_owned(),
        location: place.seal(key, LOCATION_FIELD, &a.location.encode())?,
        note: place.seal_optional(key, NOTE_FIELD, a.note.as_deref())?,
        created_by,
        created_at: to_millis(a.created_at),
        revision,
    })
}

/// Opens a stored appointment with its client's key.
pub(crate) fn open(
    row: &AppointmentRow,
    key: &confidant_crypto::ClientKey,
) -> CoreResult<Appointment> {
    let (id, client) = (row.id.to_string(), row.client_id.to_string());
    let place = Place {
        kind: KIND,
        record_id: &id,
        client_id: &client,
    };
    let starts_at = from_millis(row.starts_at)?;
    Ok(Appointment {
        id: row.id,
        client_id: row.client_id,
        episode_id: row.episode,
        starts_at,
        ends_at: end(starts_at, row.duration_minutes),
        duration_minutes: row.duration_minutes,
        service_code: row.service_code.clone(),
        location: Location::decode(&place.open(key, LOCATION_FIELD, &row.location)?)?,
        attendance: Attendance::parse(&row.attendance)?,
        note: place.open_optional(key, NOTE_FIELD, &row.note)?,
        created_at: from_millis(row.created_at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use confidant_crypto::ClientKey;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-02 08:00 UTC);

    fn input() -> AppointmentInput {
        AppointmentInput {
            starts_at: "2026-03-02T09:00:00Z".into(),
            duration_minutes: Some(50),
            ends_at: None,
            service_code: "90834".into(),
            location: Location::InPerson {
                place: "Room 2".into(),
            },
            episode: None,
            note: None,
        }
    }

    fn field_of(input: AppointmentInput) -> &'static str {
        NewAppointment::validate(input, NOW).unwrap_err().field
    }

    fn booked() -> Appointment {
        let new = NewAppointment::validate(input(), NOW).unwrap();
        Appointment::new(ClientId::random(), None, new, NOW)
    }

    fn patch() -> AppointmentPatch {
        AppointmentPatch::default()
    }

    #[test]
    fn a_valid_request_is_normalised_to_utc_and_upper_case() {
        let a = NewAppointment::validate(
            AppointmentInput {
                starts_at: "2026-03-02T10:00:00.1234+01:00".into(),
                service_code: " h0004 ".into(),
                ..input()
            },
            NOW,
        )
        .unwrap();
        assert_eq!(a.starts_at, datetime!(2026-03-02 09:00:00.123 UTC));
        assert_eq!(a.starts_at.offset(), time::UtcOffset::UTC);
        assert_eq!(a.service_code, "H0004");
    }

    #[test]
    fn absurd_durations_are_refused() {
        for minutes in [0, 4, 481, 65_535, -50, 1 << 40] {
            let bad = AppointmentInput {
                duration_minutes: Some(minutes),
                ..input()
            };
            assert_eq!(field_of(bad), "duration_minutes", "{minutes}");
        }
        for minutes in [5, 480] {
            let ok = AppointmentInput {
                duration_minutes: Some(minutes),
                ..input()
            };
            assert!(NewAppointment::validate(ok, NOW).is_ok(), "{minutes}");
        }
    }

    #[test]
    fn an_end_must_come_after_the_start_by_a_sensible_whole_number_of_minutes() {
        let ends = |end: &str| AppointmentInput {
            duration_minutes: None,
            ends_at: Some(end.into()),
            ..input()
        };
        for bad in [
            "2026-03-02T08:59:00Z",   // before the start
            "2026-03-02T09:00:00Z",   // at the start
            "2026-03-02T09:04:00Z",   // too short
            "2026-03-02T17:01:00Z",   // too long
            "2026-03-02T09:50:30Z",   // not whole minutes
            "2026-03-02T09:50:00.5Z", // not whole minutes
            "2026-03-02 09:50",       // not RFC 3339
        ] {
            assert_eq!(field_of(ends(bad)), "ends_at", "{bad}");
        }
        let a = NewAppointment::validate(ends("2026-03-02T10:50:00+01:00"), NOW).unwrap();
        assert_eq!(a.duration_minutes, 50);
    }

    #[test]
    fn a_duration_and_an_end_together_or_neither_are_refused() {
        let both = AppointmentInput {
            ends_at: Some("2026-03-02T09:50:00Z".into()),
            ..input()
        };
        assert_eq!(field_of(both), "ends_at");
        let neither = AppointmentInput {
            duration_minutes: None,
            ..input()
        };
        assert_eq!(field_of(neither), "duration_minutes");
    }

    #[test]
    fn bad_service_codes_are_refused() {
        for bad in [
            "",
            "   ",
            "9083",
            "908345",
            "90 834",
            "90834-95",
            "ABCDEFGHIJK",
            "Ä1234",
            "<b>",
            "90834;",
            "1234567890",
        ] {
            let i = AppointmentInput {
                service_code: bad.into(),
                ..input()
            };
            assert_eq!(field_of(i), "service_code", "{bad:?}");
        }
        for ok in [
            "90834",
            "90791",
            "H0004",
            "0001F",
            "INTAKE",
            "G",
            "ABCDEFGHIJ",
        ] {
            assert_eq!(service_code(ok).unwrap(), ok.to_ascii_uppercase(), "{ok}");
        }
    }

    #[test]
    fn starts_far_from_now_and_unparseable_starts_are_refused() {
        for bad in [
            "2046-03-02T09:00:00Z",
            "2006-03-02T09:00:00Z",
            "9999-12-31T23:59:59Z",
            "next monday",
            "2026-03-02",
        ] {
            let i = AppointmentInput {
                starts_at: bad.into(),
                ..input()
            };
            assert_eq!(field_of(i), "starts_at", "{bad}");
        }
    }

    #[test]
    fn places_and_links_are_checked_and_never_quoted() {
        let at = |location| AppointmentInput {
            location,
            ..input()
        };
        for bad in [
            Location::InPerson { place: " ".into() },
            Location::InPerson {
                place: "x".repeat(201),
            },
            Location::Telehealth {
                link: "http://video.example/SecretRoom".into(),
            },
            Location::Telehealth {
                link: "https://video.example/Secret Room".into(),
            },
            Location::Telehealth {
                link: "https://".into(),
            },
        ] {
            let err = NewAppointment::validate(at(bad.clone()), NOW).unwrap_err();
            assert_eq!(err.field, "location", "{bad:?}");
            assert!(!err.to_string().contains("Secret"), "{err}");
        }
    }

    #[test]
    fn a_location_reads_as_tagged_json() {
        let json = r#"{"kind": "telehealth", "link": "https://video.example/r/1"}"#;
        let l: Location = serde_json::from_str(json).unwrap();
        assert_eq!(
            l,
            Location::Telehealth {
                link: "https://video.example/r/1".into()
            }
        );
        for bad in [
            r#"{"kind": "telehealth", "place": "Room 2"}"#,
            r#"{"kind": "phone", "link": "x"}"#,
            r#"{"kind": "in_person", "place": "Room 2", "link": "x"}"#,
        ] {
            assert!(serde_json::from_str::<Location>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn attendance_is_recorded_only_once_the_appointment_has_started() {
        let a = booked();
        for early in [Attendance::Attended, Attendance::NoShow] {
            let p = AppointmentPatch {
                attendance: Some(early),
                ..patch()
            };
            let err = a.changed(p, NOW).unwrap_err();
            assert_eq!(err.field, "attendance");
        }
        let at_start = a.starts_at;
        let p = AppointmentPatch {
            attendance: Some(Attendance::Attended),
            ..patch()
        };
        assert_eq!(
            a.changed(p, at_start).unwrap().attendance,
            Attendance::Attended
        );
        // Calling it off needs no waiting.
        let p = AppointmentPatch {
            attendance: Some(Attendance::Cancelled),
            ..patch()
        };
        assert_eq!(a.changed(p, NOW).unwrap().attendance, Attendance::Cancelled);
    }

    #[test]
    fn recorded_attendance_is_final_and_only_a_scheduled_appointment_moves() {
        let later = NOW + time::Duration::hours(3);
        for outcome in [
            Attendance::Attended,
            Attendance::Cancelled,
            Attendance::NoShow,
        ] {
            let a = Appointment {
                attendance: outcome,
                ..booked()
            };
            for other in [
                Attendance::Scheduled,
                Attendance::Attended,
                Attendance::Cancelled,
                Attendance::NoShow,
            ] {
                let p = AppointmentPatch {
                    attendance: Some(other),
                    ..patch()
                };
                let result = a.changed(p, later);
                if other == outcome {
                    assert_eq!(result.unwrap().attendance, outcome);
                } else {
                    assert_eq!(result.unwrap_err().field, "attendance", "{outcome:?}");
                }
            }
            let moved = AppointmentPatch {
                starts_at: Some("2026-03-03T09:00:00Z".into()),
                ..patch()
            };
            assert_eq!(a.changed(moved, later).unwrap_err().field, "starts_at");
            let longer = AppointmentPatch {
                duration_minutes: Some(80),
                ..patch()
            };
            assert_eq!(
                a.changed(longer, later).unwrap_err().field,
                "duration_minutes"
            );
            // Its note can still be written.
            let noted = AppointmentPatch {
                note: Some(Some("called to apologise".into())),
                ..patch()
            };
            assert!(a.changed(noted, later).is_ok());
        }
    }

    #[test]
    fn moving_keeps_the_end_after_the_start_and_an_empty_change_is_refused() {
        let a = booked();
        let p = AppointmentPatch {
            starts_at: Some("2026-03-04T15:30:00Z".into()),
            duration_minutes: Some(80),
            ..patch()
        };
        let moved = a.changed(p, NOW).unwrap();
        assert_eq!(moved.starts_at, datetime!(2026-03-04 15:30 UTC));
        assert_eq!(moved.ends_at, datetime!(2026-03-04 16:50 UTC));
        for minutes in [0, 4, 481, 65_535] {
            let p = AppointmentPatch {
                duration_minutes: Some(minutes),
                ..patch()
            };
            assert_eq!(a.changed(p, NOW).unwrap_err().field, "duration_minutes");
        }
        assert_eq!(a.changed(patch(), NOW).unwrap_err().field, "body");
    }

    #[test]
    fn a_note_sent_as_null_is_removed_and_one_left_out_is_kept() {
        let a = Appointment {
            note: Some("bring the form".into()),
            ..booked()
        };
        let cleared: AppointmentPatch = serde_json::from_str(r#"{"note": null}"#).unwrap();
        assert_eq!(a.changed(cleared, NOW).unwrap().note, None);
        let other: AppointmentPatch =
            serde_json::from_str(r#"{"attendance": "cancelled"}"#).unwrap();
        assert_eq!(
            a.changed(other, NOW).unwrap().note.as_deref(),
            Some("bring the form")
        );
    }

    #[test]
    fn a_sealed_appointment_opens_unchanged_and_fields_cannot_be_swapped_or_moved() {
        let key = ClientKey::generate(1).unwrap();
        let a = Appointment {
            note: Some("prefers the side door".into()),
            location: Location::Telehealth {
                link: "https://video.example/r/42".into(),
            },
            ..booked()
        };
        let row = seal(&a, ActorId::random(), 3, &key).unwrap();
        assert_eq!(row.revision, 3);
        assert_eq!(open(&row, &key).unwrap(), a);
        let swapped = AppointmentRow {
            note: row.location.clone(),
            ..row.clone()
        };
        assert!(matches!(open(&swapped, &key), Err(CoreError::Integrity)));
        let moved = AppointmentRow {
            client_id: ClientId::random(),
            ..row.clone()
        };
        assert!(matches!(open(&moved, &key), Err(CoreError::Integrity)));
        let other_key = ClientKey::generate(1).unwrap();
        assert!(open(&row, &other_key).is_err());
    }
}
