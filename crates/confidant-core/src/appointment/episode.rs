//! Episodes of care: a stretch of treatment that opens on a day and, once over, closes on a
//! day no earlier; a client has at most one open at a time. The reason for the episode is
//! sealed; the dates are scheduling metadata.

use serde::{Deserialize, Serialize, Serializer};
use time::{Date, OffsetDateTime};

use super::Place;
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, ClientId, EpisodeId};
use crate::ports::{EpisodeRow, UnixMillis, from_millis};
use crate::text::{self, Limit, ymd};

/// A new episode as a request states it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EpisodeInput {
    /// The day it opened, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub opened_on: Option<String>,
    /// Why the client came.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Closing an episode as a request states it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseEpisodeInput {
    /// The day it closed, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub closed_on: Option<String>,
}

/// A validated new episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEpisode {
    /// The day it opened.
    pub opened_on: Date,
    /// Why the client came.
    pub reason: Option<String>,
}

const REASON: Limit = Limit {
    max_chars: 1000,
    multiline: true,
};

/// Earliest day an episode may open (guards against typos like 0202).
const EARLIEST: Date = time::macros::date!(1900 - 01 - 01);

/// A day of an episode: a real date in `YYYY-MM-DD`, not in the future, not before 1900.
fn day(field: &'static str, value: Option<&str>, today: Date) -> Result<Date, Invalid> {
    let Some(value) = value else {
        return Ok(today);
    };
    let date = ymd::parse(value.trim()).map_err(|()| {
        Invalid::new(
            field,
            "must be a real calendar date written YYYY-MM-DD, e.g. 2026-03-02",
        )
    })?;
    if date > today {
        return Err(Invalid::new(field, "must not be in the future"));
    }
    if date < EARLIEST {
        return Err(Invalid::new(field, "must not be before 1900-01-01"));
    }
    Ok(date)
}

impl NewEpisode {
    /// Checks the opening day and the reason; `today` bounds the day.
    pub fn validate(input: EpisodeInput, today: Date) -> Result<Self, Invalid> {
        Ok(Self {
            opened_on: day("opened_on", input.opened_on.as_deref(), today)?,
            reason: text::optional("reason", input.reason, REASON)?,
        })
    }
}

/// The day an episode that opened on `opened_on` may close, as the request states it.
pub(crate) fn closing_day(
    input: &CloseEpisodeInput,
    opened_on: Date,
    today: Date,
) -> Result<Date, Invalid> {
    let closed_on = day("closed_on", input.closed_on.as_deref(), today)?;
    if closed_on < opened_on {
        return Err(Invalid::new(
            "closed_on",
            "must not be before the day the episode opened",
        ));
    }
    Ok(closed_on)
}

/// An episode of care, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Episode {
    /// Episode id.
    pub id: EpisodeId,
    /// Whose episode.
    pub client_id: ClientId,
    /// The day it opened.
    #[serde(with = "crate::text::ymd")]
    pub opened_on: Date,
    /// The day it closed; `null` while open.
    #[serde(serialize_with = "optional_day")]
    pub closed_on: Option<Date>,
    /// Why the client came.
    pub reason: Option<String>,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Episode {
    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }
}

fn optional_day<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => ymd::serialize(d, s),
        None => s.serialize_none(),
    }
}

const KIND: &str = "episode";
const REASON_FIELD: &str = "reason";

fn julian(day: i32) -> CoreResult<Date> {
    Date::from_julian_day(day).map_err(|_| CoreError::Integrity)
}

/// Seals an episode into a row under the client's key.
pub(crate) fn seal(
    e: &Episode,
    opened_by: ActorId,
    key: &confidant_crypto::ClientKey,
) -> CoreResult<EpisodeRow> {
    let (id, client) = (e.id.to_string(), e.client_id.to_string());
    let place = Place {
        kind: KIND,
        record_id: &id,
        client_id: &client,
    };
    Ok(EpisodeRow {
        id: e.id,
        client_id: e.client_id,
        key_version: key.version(),
        opened_on: e.opened_on.to_julian_day(),
        closed_on: e.closed_on.map(Date::to_julian_day),
        reason: place.seal_optional(key, REASON_FIELD, e.reason.as_deref())?,
        opened_by,
        created_at: crate::ports::to_millis(e.created_at),
    })
}

/// Opens a stored episode with its client's key.
pub(crate) fn open(row: &EpisodeRow, key: &confidant_crypto::ClientKey) -> CoreResult<Episode> {
    let (id, client) = (row.id.to_string(), row.client_id.to_string());
    let place = Place {
        kind: KIND,
        record_id: &id,
        client_id: &client,
    };
    Ok(Episode {
        id: row.id,
        client_id: row.client_id,
        opened_on: julian(row.opened_on)?,
        closed_on: row.closed_on.map(julian).transpose()?,
        reason: place.open_optional(key, REASON_FIELD, &row.reason)?,
        created_at: from_millis(row.created_at)?,
    })
}

/// A new, open episode.
pub(crate) fn new(client: ClientId, e: NewEpisode, created_at: UnixMillis) -> CoreResult<Episode> {
    Ok(Episode {
        id: EpisodeId::random(),
        client_id: client,
        opened_on: e.opened_on,
        closed_on: None,
        reason: e.reason,
        created_at: from_millis(created_at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use confidant_crypto::ClientKey;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 02);

    fn input(opened_on: Option<&str>, reason: Option<&str>) -> EpisodeInput {
        EpisodeInput {
            opened_on: opened_on.map(Into::into),
            reason: reason.map(Into::into),
        }
    }

    #[test]
    fn an_episode_opens_today_unless_told_otherwise_and_never_in_the_future() {
        let e = NewEpisode::validate(input(None, Some("  low mood  ")), TODAY).unwrap();
        assert_eq!(
            (e.opened_on, e.reason.as_deref()),
            (TODAY, Some("low mood"))
        );
        let e = NewEpisode::validate(input(Some("2026-01-05"), Some(" ")), TODAY).unwrap();
        assert_eq!((e.opened_on, e.reason), (date!(2026 - 01 - 05), None));
        for bad in ["2026-03-03", "1899-12-31", "2026-02-30", "05/01/2026", ""] {
            let err = NewEpisode::validate(input(Some(bad), None), TODAY).unwrap_err();
            assert_eq!(err.field, "opened_on", "{bad}");
        }
        let long = "x".repeat(1001);
        let err = NewEpisode::validate(input(None, Some(&long)), TODAY).unwrap_err();
        assert_eq!(err.field, "reason");
    }

    #[test]
    fn an_episode_closes_no_earlier_than_it_opened_and_not_in_the_future() {
        let opened = date!(2026 - 02 - 01);
        let on = |d: Option<&str>| CloseEpisodeInput {
            closed_on: d.map(Into::into),
        };
        assert_eq!(closing_day(&on(None), opened, TODAY).unwrap(), TODAY);
        assert_eq!(
            closing_day(&on(Some("2026-02-01")), opened, TODAY).unwrap(),
            opened
        );
        for bad in ["2026-01-31", "2026-03-03", "tomorrow"] {
            let err = closing_day(&on(Some(bad)), opened, TODAY).unwrap_err();
            assert_eq!(err.field, "closed_on", "{bad}");
        }
    }

    #[test]
    fn a_sealed_episode_opens_unchanged_and_its_reason_cannot_move_to_another_episode() {
        let key = ClientKey::generate(1).unwrap();
        let client = ClientId::random();
        let new = NewEpisode::validate(input(Some("2026-01-05"), Some("grief")), TODAY).unwrap();
        let mut e = super::new(client, new, 1_767_000_000_000).unwrap();
        e.closed_on = Some(TODAY);
        let row = seal(&e, ActorId::random(), &key).unwrap();
        assert_eq!(open(&row, &key).unwrap(), e);
        let other = seal(
            &Episode {
                id: EpisodeId::random(),
                ..e.clone()
            },
            ActorId::random(),
            &key,
        )
        .unwrap();
        let moved = EpisodeRow {
            reason: row.reason.clone(),
            ..other
        };
        assert!(matches!(open(&moved, &key), Err(CoreError::Integrity)));
    }
}
