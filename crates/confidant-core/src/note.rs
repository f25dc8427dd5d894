//! Notes: a kind (record class) and a free-text body sealed under the client's data key.
//!
//! The kind is stored in the clear because the access policy decides on it; the body never is.

use std::fmt;

use confidant_crypto::{ClientKey, FieldContext};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, ClientId, NoteId};
use crate::ports::{NoteRow, UnixMillis, from_millis};
use crate::text::{self, Limit};

/// Longest note body accepted, in characters (a long intake is a few thousand words).
pub const MAX_BODY_CHARS: usize = 200_000;

/// The record class of a note; psychotherapy notes are kept apart from the rest of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A progress note, part of the clinical record.
    Progress,
    /// A psychotherapy (process) note, the author's own.
    Psychotherapy,
}

impl NoteKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Progress => "progress",
            Self::Psychotherapy => "psychotherapy",
        }
    }

    pub(crate) fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "progress" => Ok(Self::Progress),
            "psychotherapy" => Ok(Self::Psychotherapy),
            _ => Err(CoreError::Integrity),
        }
    }
}

impl fmt::Display for NoteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A new note as a request states it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// Record class.
    pub kind: NoteKind,
    /// The note's text.
    pub body: String,
}

/// A validated new note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNote {
    /// Record class.
    pub kind: NoteKind,
    /// The note's text.
    pub body: String,
}

const BODY: Limit = Limit {
    max_chars: MAX_BODY_CHARS,
    multiline: true,
};

impl NewNote {
    /// Checks the body is present and within limits.
    pub fn validate(input: NoteInput) -> Result<Self, Invalid> {
        let body = text::required("body", input.body, BODY)?;
        Ok(Self {
            kind: input.kind,
            body,
        })
    }
}

/// A note, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Note id.
    pub id: NoteId,
    /// Whose record.
    pub client_id: ClientId,
    /// Record class.
    pub kind: NoteKind,
    /// The text.
    pub body: String,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

const KIND: &str = "note";
const BODY_FIELD: &str = "body";

/// Seals a new note into a row.
pub(crate) fn seal(
    id: NoteId,
    client_id: ClientId,
    author: ActorId,
    key: &ClientKey,
    created_at: UnixMillis,
    n: &NewNote,
) -> CoreResult<NoteRow> {
    let (id_text, client_text) = (id.to_string(), client_id.to_string());
    let ctx = FieldContext {
        kind: KIND,
        record_id: &id_text,
        client_id: &client_text,
        field: BODY_FIELD,
    };
    Ok(NoteRow {
        id,
        client_id,
        key_version: key.version(),
        kind: n.kind.as_str().to_owned(),
        author,
        created_at,
        body: key.seal(&ctx, n.body.as_bytes())?,
    })
}

/// Opens a stored note with its client's key.
pub(crate) fn open(row: &NoteRow, key: &ClientKey) -> CoreResult<Note> {
    let (id_text, client_text) = (row.id.to_string(), row.client_id.to_string());
    let ctx = FieldContext {
        kind: KIND,
        record_id: &id_text,
        client_id: &client_text,
        field: BODY_FIELD,
    };
    let body =
        String::from_utf8(key.open(&ctx, &row.body)?.to_vec()).map_err(|_| CoreError::Integrity)?;
    Ok(Note {
        id: row.id,
        client_id: row.client_id,
        kind: NoteKind::parse(&row.kind)?,
        body,
        created_at: from_millis(row.created_at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_moved_to_another_client_fails_to_open() {
        let key = ClientKey::generate(1).unwrap();
        let n = NewNote::validate(NoteInput {
            kind: NoteKind::Progress,
            body: "slept better".into(),
        })
        .unwrap();
        let mut row = seal(
            NoteId::random(),
            ClientId::random(),
            ActorId::random(),
            &key,
            0,
            &n,
        )
        .unwrap();
        assert_eq!(open(&row, &key).unwrap().body, "slept better");
        row.client_id = ClientId::random();
        assert!(matches!(open(&row, &key), Err(CoreError::Integrity)));
    }

    #[test]
    fn blank_and_oversized_bodies_are_refused() {
        let blank = NoteInput {
            kind: NoteKind::Progress,
            body: " \n ".into(),
        };
        assert_eq!(NewNote::validate(blank).unwrap_err().field, "body");
        let huge = NoteInput {
            kind: NoteKind::Progress,
            body: "x".repeat(MAX_BODY_CHARS + 1),
        };
        assert!(NewNote::validate(huge).is_err());
    }
}
