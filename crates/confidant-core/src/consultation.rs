//! "Prepare for consultation": a note de-identified for supervision, peer consultation or
//! research, shown beside the original with every replacement marked, corrected by the
//! clinician (more to redact, detections to undo), and only then shared — a disclosure of
//! de-identified information, recorded in the audit log with its purpose.
//!
//! The client's own identifiers from the chart (legal and preferred name, emergency contact,
//! address, phone, e-mail) are always removed. Dates move by one offset per client and names
//! get the same pseudonyms each time for the same client and purpose, both derived from the
//! client's data key (so nothing about them is stored, and shredding the client forgets them).
//! Nothing here logs or stores the texts; offsets in requests and answers count characters.

use std::sync::LazyLock;

use confidant_deid::{
    CharIndex, DatePolicy, Deidentifier, Edits, KnownIdentifiers, Label, Options, PseudonymTable,
    Span, revise,
};
use serde::{Deserialize, Serialize};

use crate::audit::{Access, Action, Event, Purpose};
use crate::client::Client;
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ClientId, NoteId};
use crate::vault::Vault;

/// Why de-identified text leaves the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisclosurePurpose {
    /// Discussing the case with one's clinical supervisor.
    Supervision,
    /// Consulting peers.
    Consultation,
    /// Research or writing.
    Research,
}

impl DisclosurePurpose {
    fn purpose(self) -> Purpose {
        match self {
            Self::Supervision => Purpose::Supervision,
            Self::Consultation => Purpose::Consultation,
            Self::Research => Purpose::Research,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Supervision => "supervision",
            Self::Consultation => "consultation",
            Self::Research => "research",
        }
    }
}

/// How dates are treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DateChoice {
    /// Shifted by the client's offset; intervals kept.
    #[default]
    Shift,
    /// Only the year kept.
    Year,
}

/// A stretch of the original text, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CharRange {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// A clinician's extra redaction: a stretch of the original and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// `NAME`, `DATE`, `AGE`, `LOCATION`, `PHONE`, `EMAIL`, `ID`, `URL`, `IP` or
    /// `ORGANIZATION`.
    #[schema(value_type = String)]
    pub label: Label,
}

/// What the clinician asks for: the date treatment, and corrections to what was detected.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepareInput {
    /// What it will be shared for; names get other pseudonyms for each purpose, so the preview
    /// shows what sharing for this purpose will give. Supervision when absent.
    #[serde(default)]
    pub purpose: Option<DisclosurePurpose>,
    /// `shift` (the default) or `year`.
    #[serde(default)]
    pub dates: DateChoice,
    /// More to redact.
    #[serde(default)]
    pub add: Vec<Redaction>,
    /// Detections to undo: every one overlapping a range is kept as written.
    #[serde(default)]
    pub remove: Vec<CharRange>,
}

/// The clinician's final version, and why it leaves.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// Supervision, consultation or research.
    pub purpose: DisclosurePurpose,
    /// `shift` (the default) or `year`.
    #[serde(default)]
    pub dates: DateChoice,
    /// More to redact.
    #[serde(default)]
    pub add: Vec<Redaction>,
    /// Detections to undo.
    #[serde(default)]
    pub remove: Vec<CharRange>,
}

/// One replacement, placed in both texts for highlighting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Marked {
    /// Where it was in the original (characters).
    pub original: CharRange,
    /// Where its replacement is in the de-identified text (characters).
    pub output: CharRange,
    /// What kind of identifier.
    #[schema(value_type = String)]
    pub label: Label,
    /// What replaced it.
    pub replacement: String,
}

/// The preview: the original beside the de-identified text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Prepared {
    /// The note.
    pub note_id: NoteId,
    /// The note as written.
    pub original: String,
    /// The note de-identified.
    pub deidentified: String,
    /// Every replacement, in order.
    pub replacements: Vec<Marked>,
}

/// What was shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Shared {
    /// The note it came from.
    pub note_id: NoteId,
    /// Why it left.
    pub purpose: DisclosurePurpose,
    /// The de-identified text, to hand on.
    pub text: String,
    /// How many identifiers were replaced.
    pub replaced: usize,
}

static ENGINE: LazyLock<Option<Deidentifier>> =
    LazyLock::new(|| Deidentifier::new(Options::default()).ok());

/// The client's own identifiers, always removed.
fn known_of(client: &Client) -> KnownIdentifiers {
    let mut known = KnownIdentifiers::new();
    known.name(&client.legal_name);
    if let Some(p) = &client.preferred_name {
        known.name(p);
    }
    if let Some(a) = &client.address {
        known.address(a);
    }
    if let Some(p) = &client.phone {
        known.other(Label::Phone, p);
    }
    if let Some(e) = &client.email {
        known.other(Label::Email, e);
    }
    if let Some(c) = &client.emergency_contact {
        // Free text such as "Jane Doe (sister) 555 0100": its words before any bracket or
        // digit are a name.
        let name: String = c
            .split(['(', ',', ';'])
            .next()
            .unwrap_or_default()
            .chars()
            .take_while(|ch| !ch.is_ascii_digit() && *ch != '+')
            .collect();
        if !name.trim().is_empty() {
            known.name(name.trim());
        }
    }
    known
}

/// A day offset in ±30..=365, never 0, from 32 derived bytes.
fn shift_days(bytes: &[u8; 32]) -> i32 {
    let n = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let magnitude = 30 + (n % 336) as i32;
    if bytes[4] & 1 == 0 {
        magnitude
    } else {
        -magnitude
    }
}

fn char_span(
    index: &CharIndex,
    start: usize,
    end: usize,
    field: &'static str,
) -> CoreResult<(usize, usize)> {
    match (index.byte_of(start), index.byte_of(end)) {
        (Some(s), Some(e)) if s < e => Ok((s, e)),
        _ => Err(Invalid::new(
            field,
            "each range must lie within the note, start before end",
        )
        .into()),
    }
}

impl Vault {
    /// The note, de-identified beside the original, with the clinician's corrections applied.
    /// Reading the note and the client's identifiers goes through the policy and the audit log
    /// as any read does; nothing leaves yet.
    pub fn prepare_for_consultation(
        &self,
        access: &Access,
        id: NoteId,
        input: PrepareInput,
    ) -> CoreResult<Prepared> {
        self.deidentify_note(access, id, input)
            .map(|(prepared, _)| prepared)
    }

    /// Shares the clinician's final de-identified version for a purpose: recorded as a
    /// disclosure of de-identified information (`deid.disclose`, with that purpose).
    pub fn share_deidentified(
        &self,
        access: &Access,
        id: NoteId,
        input: ShareInput,
    ) -> CoreResult<Shared> {
        let prepare = PrepareInput {
            purpose: Some(input.purpose),
            dates: input.dates,
            add: input.add,
            remove: input.remove,
        };
        let (prepared, client) = self.deidentify_note(access, id, prepare)?;
        let disclosure = Access {
            purpose: input.purpose.purpose(),
            ..*access
        };
        let event = Event::of(
            &disclosure,
            self.clock.now(),
            Action::DeidDisclose,
            "note",
            Some(id.to_string()),
            Some(client),
        );
        self.audit.record(vec![event])?;
        Ok(Shared {
            note_id: id,
            purpose: input.purpose,
            replaced: prepared.replacements.len(),
            text: prepared.deidentified,
        })
    }

    fn deidentify_note(
        &self,
        access: &Access,
        id: NoteId,
        input: PrepareInput,
    ) -> CoreResult<(Prepared, ClientId)> {
        let purpose = input.purpose.unwrap_or(DisclosurePurpose::Supervision);
        let note = self.note(access, id)?;
        let client = self.client(access, note.client_id)?;
        let engine = ENGINE.as_ref().ok_or(CoreError::Integrity)?;
        let row = self.client_row(note.client_id)?;
        let key = self.client_key(note.client_id, row.key_version)?;
        let shift = key.derive("deid date shift v1")?;
        let seed_bytes = key.derive(&format!("deid pseudonyms v1 {}", purpose.label()))?;
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&seed_bytes[..8]);

        let text = note.body;
        let index = CharIndex::new(&text);
        let mut edits = Edits::default();
        for r in &input.add {
            let (start, end) = char_span(&index, r.start, r.end, "add")?;
            edits.add.push(Span {
                start,
                end,
                label: r.label,
            });
        }
        for r in &input.remove {
            let (start, end) = char_span(&index, r.start, r.end, "remove")?;
            edits.remove.push(start..end);
        }
        let detected = engine.detect(&text, &known_of(&client));
        let spans = revise(&detected, &edits);
        let dates = match input.dates {
            DateChoice::Shift => DatePolicy::Shift {
                days: shift_days(&shift),
            },
            DateChoice::Year => DatePolicy::Year,
        };
        let mut table = PseudonymTable::new(u64::from_le_bytes(seed));
        let redacted = engine
            .apply(&text, &spans, &mut table, dates)
            .map_err(|_| {
                Invalid::new("add", "a range splits a character or lies outside the note")
            })?;
        let out_index = CharIndex::new(&redacted.text);
        let replacements = redacted
            .replacements
            .iter()
            .map(|r| Marked {
                original: CharRange {
                    start: index.char_of(r.original.start),
                    end: index.char_of(r.original.end),
                },
                output: CharRange {
                    start: out_index.char_of(r.output.start),
                    end: out_index.char_of(r.output.end),
                },
                label: r.label,
                replacement: r.replacement.clone(),
            })
            .collect();
        let prepared = Prepared {
            note_id: id,
            original: text,
            deidentified: redacted.text,
            replacements,
        };
        Ok((prepared, note.client_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_shifts_are_never_zero_nor_beyond_a_year() {
        for b in 0..=255u8 {
            let mut bytes = [b; 32];
            bytes[4] = b;
            let d = shift_days(&bytes);
            assert!((30..=365).contains(&d.abs()), "{d}");
        }
    }

    #[test]
    fn an_emergency_contacts_name_is_taken_from_its_free_text() {
        let client = Client {
            id: crate::ids::ClientId::random(),
            legal_name: "Test Person".into(),
            preferred_name: None,
            date_of_birth: time::macros::date!(1990 - 01 - 01),
            phone: None,
            email: None,
            address: None,
            emergency_contact: Some("Jordan Example (sister) +1 555 0100".into()),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            status: crate::client::ClientStatus::Active,
            discharged_at: None,
        };
        let engine = ENGINE.as_ref().unwrap();
        let text = "Jordan called; Test was present.";
        let spans = engine.detect(text, &known_of(&client));
        let covered: Vec<&str> = spans.iter().map(|s| &text[s.range()]).collect();
        assert!(covered.contains(&"Jordan"), "{covered:?}");
        assert!(covered.contains(&"Test"), "{covered:?}");
    }
}
