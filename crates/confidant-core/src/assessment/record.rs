//! A stored assessment: what a request to record one states, how it is validated, and how it is
//! sealed into a row and opened again.
//!
//! The answers (with the questionnaire they answer, so a row whose instrument was changed fails
//! to open) and the comment are sealed under the client's key, bound to this assessment of this
//! client. Which questionnaire, the day it was given, the episode and the author are metadata.
//! The total, the band and the self-harm flag are never sealed nor stored: they are scored from
//! the answers each time the row is opened.

use confidant_crypto::{ClientKey, FieldContext, Sealed};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime};

use super::{AssessmentInput, Instrument, Scored, score};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, AssessmentId, ClientId, EpisodeId};
use crate::ports::{AssessmentRow, UnixMillis, from_millis};
use crate::text::{self, Limit, ymd};

/// Longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// How many years back an assessment may have been given: older is a typo in the year.
pub const MAX_AGE_YEARS: i32 = 10;

/// The furthest ahead of UTC any time zone runs (UTC+14): a clinician there may record today's
/// assessment while it is still yesterday in UTC.
const AHEAD_OF_UTC: Duration = Duration::hours(14);

const COMMENT: Limit = Limit {
    max_chars: MAX_COMMENT_CHARS,
    multiline: true,
};

/// A completed questionnaire to record, as a request states it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAssessmentInput {
    /// Which questionnaire.
    pub instrument: Instrument,
    /// One answer per item, in order, each 0 ("not at all") to 3 ("nearly every day").
    pub items: Vec<i64>,
    /// How difficult these problems have made things, 0–3, if asked.
    #[serde(default)]
    pub difficulty: Option<i64>,
    /// The day it was given, `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    #[schema(format = Date)]
    pub administered_on: Option<String>,
    /// The client's episode of care it was given in, if any.
    #[serde(default)]
    pub episode: Option<EpisodeId>,
    /// A comment (circumstances, who filled it in).
    #[serde(default)]
    pub comment: Option<String>,
}

/// A validated assessment, scored, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    /// The answers, scored.
    pub scored: Scored,
    /// The day it was given.
    pub administered_on: Date,
    /// The episode asked for, if any (the service checks it is the client's).
    pub episode: Option<EpisodeId>,
    /// The comment, trimmed; blank is none.
    pub comment: Option<String>,
}

/// An answer as the scorer takes it; anything outside a byte is as out of range as 4 is.
fn answer(value: i64) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

/// The same day `years` earlier (28 February for a 29th in a common year).
fn years_before(day: Date, years: i32) -> Option<Date> {
    let year = day.year().checked_sub(years)?;
    day.replace_year(year)
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .ok()
}

/// The day it was given: a real date in `YYYY-MM-DD`, not after today anywhere on Earth, and
/// within the last ten years.
fn administered_on(value: Option<&str>, now: OffsetDateTime) -> Result<Date, Invalid> {
    let field = "administered_on";
    let Some(value) = value else {
        return Ok(now.date());
    };
    let day = ymd::parse(value.trim()).map_err(|()| {
        Invalid::new(
            field,
            "must be a real calendar date written YYYY-MM-DD, e.g. 2026-03-02",
        )
    })?;
    let latest = now.checked_add(AHEAD_OF_UTC).unwrap_or(now).date();
    if day > latest {
        return Err(Invalid::new(field, "must not be in the future"));
    }
    if years_before(now.date(), MAX_AGE_YEARS).is_none_or(|earliest| day < earliest) {
        return Err(Invalid::new(
            field,
            format!("must not be more than {MAX_AGE_YEARS} years ago"),
        ));
    }
    Ok(day)
}

impl NewAssessment {
    /// Checks every answer, the day and the comment, and scores the answers; `now` bounds the
    /// day. The first refusal names its field, never the value.
    pub fn validate(input: RecordAssessmentInput, now: OffsetDateTime) -> Result<Self, Invalid> {
        let scored = score(AssessmentInput {
            instrument: input.instrument,
            items: input.items.into_iter().map(answer).collect(),
            difficulty: input.difficulty.map(answer),
        })?;
        Ok(Self {
            scored,
            administered_on: administered_on(input.administered_on.as_deref(), now)?,
            episode: input.episode,
            comment: text::optional("comment", input.comment, COMMENT)?,
        })
    }
}

/// A stored assessment, opened and scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    /// Assessment id.
    pub id: AssessmentId,
    /// Whose assessment.
    pub client_id: ClientId,
    /// The episode of care it was given in, if any.
    pub episode_id: Option<EpisodeId>,
    /// Questionnaire, answers, total, band and self-harm flag.
    #[serde(flatten)]
    pub scored: Scored,
    /// The day it was given.
    #[serde(with = "crate::text::ymd")]
    pub administered_on: Date,
    /// The comment, if any.
    pub comment: Option<String>,
    /// Who recorded it.
    pub author: ActorId,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

const KIND: &str = "assessment";
const ANSWERS: &str = "answers";
const COMMENT_FIELD: &str = "comment";
/// Version of the sealed answers' layout: `[FORMAT, instrument, difficulty, items…]`.
const FORMAT: u8 = 1;
/// The difficulty byte when the closing question was not asked.
const NOT_ASKED: u8 = 0xFF;

fn instrument_tag(i: Instrument) -> u8 {
    match i {
        Instrument::Phq9 => 1,
        Instrument::Gad7 => 2,
    }
}

fn encode(s: &Scored) -> Vec<u8> {
    let mut v = Vec::with_capacity(3 + s.items.len());
    v.extend([
        FORMAT,
        instrument_tag(s.instrument),
        s.difficulty.unwrap_or(NOT_ASKED),
    ]);
    v.extend_from_slice(&s.items);
    v
}

/// Decodes and rescores sealed answers; anything but what `encode` wrote for `instrument` is an
/// integrity failure.
fn decode(instrument: Instrument, bytes: &[u8]) -> CoreResult<Scored> {
    let [format, tag, difficulty, items @ ..] = bytes else {
        return Err(CoreError::Integrity);
    };
    if *format != FORMAT || *tag != instrument_tag(instrument) {
        return Err(CoreError::Integrity);
    }
    score(AssessmentInput {
        instrument,
        items: items.to_vec(),
        difficulty: (*difficulty != NOT_ASKED).then_some(*difficulty),
    })
    .map_err(|_| CoreError::Integrity)
}

/// Where an assessment's sealed fields live.
struct Place {
    record_id: String,
    client_id: String,
}

impl Place {
    fn of(id: AssessmentId, client: ClientId) -> Self {
        Self {
            record_id: id.to_string(),
            client_id: client.to_string(),
        }
    }

    fn context(&self, field: &'static str) -> FieldContext<'_> {
        FieldContext {
            kind: KIND,
            record_id: &self.record_id,
            client_id: &self.client_id,
            field,
        }
    }
}

/// Seals a new assessment into a row under the client's key.
pub(crate) fn seal(
    id: AssessmentId,
    client: ClientId,
    author: ActorId,
    created_at: UnixMillis,
    new: &NewAssessment,
    key: &ClientKey,
) -> CoreResult<AssessmentRow> {
    let place = Place::of(id, client);
    let answers = zeroize::Zeroizing::new(encode(&new.scored));
    let comment = zeroize::Zeroizing::new(crate::client::encode(new.comment.as_deref()));
    let answers: Sealed<[u8]> = key.seal(&place.context(ANSWERS), &answers)?;
    Ok(AssessmentRow {
        id,
        client_id: client,
        episode: new.episode,
        key_version: key.version(),
        instrument: new.scored.instrument.as_str().to_owned(),
        administered_on: new.administered_on.to_julian_day(),
        author,
        created_at,
        answers,
        comment: key.seal(&place.context(COMMENT_FIELD), &comment)?,
    })
}

/// Opens a stored assessment with its client's key and scores it.
pub(crate) fn open(row: &AssessmentRow, key: &ClientKey) -> CoreResult<Assessment> {
    let place = Place::of(row.id, row.client_id);
    let instrument = Instrument::parse(&row.instrument)?;
    let answers = key.open(&place.context(ANSWERS), &row.answers)?;
    let comment = key.open(&place.context(COMMENT_FIELD), &row.comment)?;
    Ok(Assessment {
        id: row.id,
        client_id: row.client_id,
        episode_id: row.episode,
        scored: decode(instrument, &answers)?,
        administered_on: Date::from_julian_day(row.administered_on)
            .map_err(|_| CoreError::Integrity)?,
        comment: crate::client::decode(&comment)?,
        author: row.author,
        created_at: from_millis(row.created_at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::Severity;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-03-02 08:00 UTC);

    fn phq9(items: [i64; 9]) -> RecordAssessmentInput {
        RecordAssessmentInput {
            instrument: Instrument::Phq9,
            items: items.to_vec(),
            difficulty: None,
            administered_on: None,
            episode: None,
            comment: None,
        }
    }

    fn on(day: &str) -> RecordAssessmentInput {
        RecordAssessmentInput {
            administered_on: Some(day.into()),
            ..phq9([0; 9])
        }
    }

    #[test]
    fn a_valid_assessment_is_scored_and_given_today_unless_told_otherwise() {
        let new = NewAssessment::validate(phq9([2, 2, 2, 2, 2, 0, 0, 0, 1]), NOW).unwrap();
        assert_eq!(
            (
                new.scored.total,
                new.scored.severity,
                new.scored.self_harm_flag
            ),
            (11, Severity::Moderate, true)
        );
        assert_eq!(new.administered_on, date!(2026 - 03 - 02));
        let new = NewAssessment::validate(on("2016-03-02"), NOW).unwrap();
        assert_eq!(new.administered_on, date!(2016 - 03 - 02));
    }

    #[test]
    fn answers_outside_a_byte_are_out_of_range_like_any_other() {
        for bad in [4, 256, -1, i64::MIN, i64::MAX] {
            let mut items = [0; 9];
            items[4] = bad;
            let err = NewAssessment::validate(phq9(items), NOW).unwrap_err();
            assert_eq!(err.field, "items", "{bad}");
            assert!(err.problem.contains("answer 5"), "{err}");
            assert!(!err.problem.contains(&bad.to_string()), "{err}");
        }
        let bad = RecordAssessmentInput {
            difficulty: Some(-3),
            ..phq9([0; 9])
        };
        assert_eq!(
            NewAssessment::validate(bad, NOW).unwrap_err().field,
            "difficulty"
        );
    }

    #[test]
    fn the_day_is_not_in_the_future_anywhere_nor_over_ten_years_ago() {
        // 08:00 UTC on 2 March is already 22:00 in Kiritimati: still 2 March there.
        for bad in [
            "2026-03-03",
            "2016-03-01",
            "1926-03-02",
            "2026-02-30",
            "02/03/2026",
        ] {
            let err = NewAssessment::validate(on(bad), NOW).unwrap_err();
            assert_eq!(err.field, "administered_on", "{bad}");
        }
        // At 12:00 UTC it is 3 March in Kiritimati.
        let noon = datetime!(2026-03-02 12:00 UTC);
        let new = NewAssessment::validate(on("2026-03-03"), noon).unwrap();
        assert_eq!(new.administered_on, date!(2026 - 03 - 03));
        assert!(NewAssessment::validate(on("2026-03-04"), noon).is_err());
    }

    #[test]
    fn comments_are_trimmed_and_bounded() {
        let with = |c: &str| RecordAssessmentInput {
            comment: Some(c.into()),
            ..phq9([0; 9])
        };
        let new = NewAssessment::validate(with("  filled in at intake \n"), NOW).unwrap();
        assert_eq!(new.comment.as_deref(), Some("filled in at intake"));
        assert_eq!(
            NewAssessment::validate(with("  "), NOW).unwrap().comment,
            None
        );
        let long = "x".repeat(MAX_COMMENT_CHARS + 1);
        let err = NewAssessment::validate(with(&long), NOW).unwrap_err();
        assert_eq!(err.field, "comment");
    }

    #[test]
    fn a_sealed_assessment_opens_rescored_and_fails_once_moved_or_relabelled() {
        let key = ClientKey::generate(1).unwrap();
        let new = NewAssessment::validate(
            RecordAssessmentInput {
                instrument: Instrument::Gad7,
                items: vec![3, 3, 3, 3, 3, 0, 1],
                difficulty: Some(2),
                comment: Some("by phone".into()),
                ..phq9([0; 9])
            },
            NOW,
        )
        .unwrap();
        let (id, client) = (AssessmentId::random(), ClientId::random());
        let row = seal(id, client, ActorId::random(), 1_772_438_400_000, &new, &key).unwrap();
        let opened = open(&row, &key).unwrap();
        assert_eq!(opened.scored, new.scored);
        assert_eq!(
            (opened.scored.total, opened.scored.severity),
            (16, Severity::Severe)
        );
        assert_eq!(opened.comment.as_deref(), Some("by phone"));
        assert_eq!(opened.administered_on, date!(2026 - 03 - 02));

        let moved = AssessmentRow {
            client_id: ClientId::random(),
            ..row.clone()
        };
        assert!(matches!(open(&moved, &key), Err(CoreError::Integrity)));
        let relabelled = AssessmentRow {
            instrument: "phq9".into(),
            ..row.clone()
        };
        assert!(matches!(open(&relabelled, &key), Err(CoreError::Integrity)));
        let swapped = AssessmentRow {
            answers: Sealed::from_bytes(row.comment.as_bytes().to_vec()),
            ..row
        };
        assert!(matches!(open(&swapped, &key), Err(CoreError::Integrity)));
    }

    #[test]
    fn only_what_encode_writes_decodes() {
        let s = score(AssessmentInput {
            instrument: Instrument::Phq9,
            items: vec![1; 9],
            difficulty: None,
        })
        .unwrap();
        let bytes = encode(&s);
        assert_eq!(decode(Instrument::Phq9, &bytes).unwrap(), s);
        assert!(decode(Instrument::Gad7, &bytes).is_err());
        for bad in [&bytes[..bytes.len() - 1], &bytes[..2], &[2, 1, 0xFF][..]] {
            assert!(decode(Instrument::Phq9, bad).is_err());
        }
        let mut out_of_range = bytes.clone();
        out_of_range[3] = 4;
        assert!(decode(Instrument::Phq9, &out_of_range).is_err());
    }
}
