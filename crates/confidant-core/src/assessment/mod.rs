//! Standardised assessments entered item by item and scored: PHQ-9 (depression) and GAD-7
//! (anxiety). Scoring is pure and exact; the answers are client content and are sealed like
//! any other field wherever they are stored (`record`), and stored assessments are recorded,
//! read and listed only through the access policy as clinical record, every access audited
//! (`service`).
//!
//! Bands follow the instruments' published scoring (Kroenke, Spitzer & Williams 2001 for the
//! PHQ-9; Spitzer et al. 2006 for the GAD-7). A PHQ-9 item 9 answer above zero (thoughts of
//! self-harm) is always surfaced, whatever the total.
//!
//! Neither a total nor a band is ever stored: both are client health information, and both
//! follow from the sealed answers, so they are derived again each time an assessment is opened.

mod record;
mod service;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult, Invalid};

pub use record::{
    Assessment, MAX_AGE_YEARS, MAX_COMMENT_CHARS, NewAssessment, RecordAssessmentInput,
};

/// Which questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    /// Patient Health Questionnaire, 9 items, 0–27.
    Phq9,
    /// Generalized Anxiety Disorder scale, 7 items, 0–21.
    Gad7,
}

impl Instrument {
    /// The stored and wire name (`phq9`, `gad7`): a class, safe in the clear.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phq9 => "phq9",
            Self::Gad7 => "gad7",
        }
    }

    /// Reads a stored name; anything else means the row is corrupt.
    pub(crate) fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "phq9" => Ok(Self::Phq9),
            "gad7" => Ok(Self::Gad7),
            _ => Err(CoreError::Integrity),
        }
    }

    /// Number of scored items.
    pub fn items(self) -> usize {
        match self {
            Self::Phq9 => 9,
            Self::Gad7 => 7,
        }
    }

    /// The severity band for a total.
    fn band(self, total: u8) -> Severity {
        match (self, total) {
            (_, 0..=4) => Severity::Minimal,
            (_, 5..=9) => Severity::Mild,
            (_, 10..=14) => Severity::Moderate,
            (Self::Phq9, 15..=19) => Severity::ModeratelySevere,
            _ => Severity::Severe,
        }
    }
}

/// Severity band of a total score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Minimal symptoms.
    Minimal,
    /// Mild.
    Mild,
    /// Moderate.
    Moderate,
    /// Moderately severe (PHQ-9 only).
    ModeratelySevere,
    /// Severe.
    Severe,
}

/// A completed questionnaire as entered: one answer (0–3) per item, in order, and the optional
/// closing question on how difficult the problems made life (0–3).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// Which questionnaire.
    pub instrument: Instrument,
    /// Answers, 0 ("not at all") to 3 ("nearly every day").
    pub items: Vec<u8>,
    /// How difficult these problems have made things, 0–3, if asked.
    #[serde(default)]
    pub difficulty: Option<u8>,
}

/// A scored questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Scored {
    /// Which questionnaire.
    pub instrument: Instrument,
    /// The answers.
    pub items: Vec<u8>,
    /// Functional difficulty, if asked.
    pub difficulty: Option<u8>,
    /// Sum of the items.
    pub total: u8,
    /// Band of the total.
    pub severity: Severity,
    /// PHQ-9 item 9 (thoughts of self-harm) answered above zero: needs follow-up now.
    pub self_harm_flag: bool,
}

/// Checks every answer and scores the questionnaire.
pub fn score(input: AssessmentInput) -> Result<Scored, Invalid> {
    let expected = input.instrument.items();
    if input.items.len() != expected {
        return Err(Invalid::new(
            "items",
            format!("must have exactly {expected} answers, in order"),
        ));
    }
    if let Some(i) = input.items.iter().position(|&a| a > 3) {
        return Err(Invalid::new(
            "items",
            format!("answer {} must be 0, 1, 2 or 3", i + 1),
        ));
    }
    if input.difficulty.is_some_and(|d| d > 3) {
        return Err(Invalid::new("difficulty", "must be 0, 1, 2 or 3"));
    }
    let total: u8 = input.items.iter().sum();
    let self_harm_flag =
        input.instrument == Instrument::Phq9 && input.items.get(8).is_some_and(|&a| a > 0);
    Ok(Scored {
        instrument: input.instrument,
        severity: input.instrument.band(total),
        total,
        self_harm_flag,
        items: input.items,
        difficulty: input.difficulty,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phq9(items: [u8; 9]) -> Result<Scored, Invalid> {
        score(AssessmentInput {
            instrument: Instrument::Phq9,
            items: items.to_vec(),
            difficulty: None,
        })
    }

    fn gad7(items: [u8; 7]) -> Result<Scored, Invalid> {
        score(AssessmentInput {
            instrument: Instrument::Gad7,
            items: items.to_vec(),
            difficulty: Some(1),
        })
    }

    #[test]
    fn phq9_totals_fall_in_the_published_bands() {
        let cases = [
            ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, Severity::Minimal),
            ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, Severity::Minimal),
            ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, Severity::Mild),
            ([2, 2, 2, 2, 1, 0, 0, 0, 0], 9, Severity::Mild),
            ([2, 2, 2, 2, 2, 0, 0, 0, 0], 10, Severity::Moderate),
            ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, Severity::Moderate),
            ([3, 3, 3, 3, 3, 0, 0, 0, 0], 15, Severity::ModeratelySevere),
            ([3, 3, 3, 3, 3, 2, 2, 0, 0], 19, Severity::ModeratelySevere),
            ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, Severity::Severe),
            ([3, 3, 3, 3, 3, 3, 3, 3, 3], 27, Severity::Severe),
        ];
        for (items, total, band) in cases {
            let s = phq9(items).unwrap();
            assert_eq!((s.total, s.severity), (total, band), "{items:?}");
        }
    }

    #[test]
    fn gad7_has_no_moderately_severe_band() {
        assert_eq!(gad7([0; 7]).unwrap().severity, Severity::Minimal);
        assert_eq!(
            gad7([1, 1, 1, 1, 1, 0, 0]).unwrap().severity,
            Severity::Mild
        );
        assert_eq!(
            gad7([2, 2, 2, 2, 2, 0, 0]).unwrap().severity,
            Severity::Moderate
        );
        let s = gad7([3, 3, 3, 3, 3, 0, 0]).unwrap();
        assert_eq!((s.total, s.severity), (15, Severity::Severe));
        assert_eq!(gad7([3; 7]).unwrap().total, 21);
        assert!(!gad7([3; 7]).unwrap().self_harm_flag);
    }

    #[test]
    fn any_self_harm_answer_is_flagged_even_with_a_low_total() {
        let s = phq9([0, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap();
        assert_eq!(s.severity, Severity::Minimal);
        assert!(s.self_harm_flag);
        assert!(!phq9([3, 3, 3, 3, 3, 3, 3, 3, 0]).unwrap().self_harm_flag);
    }

    #[test]
    fn wrong_counts_and_out_of_range_answers_are_refused_by_position() {
        let short = score(AssessmentInput {
            instrument: Instrument::Phq9,
            items: vec![0; 8],
            difficulty: None,
        });
        assert_eq!(short.unwrap_err().field, "items");
        let err = phq9([0, 0, 4, 0, 0, 0, 0, 0, 0]).unwrap_err();
        assert!(err.problem.contains("answer 3"), "{err}");
        let bad = score(AssessmentInput {
            instrument: Instrument::Gad7,
            items: vec![0; 7],
            difficulty: Some(9),
        });
        assert_eq!(bad.unwrap_err().field, "difficulty");
    }
}
