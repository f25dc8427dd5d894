//! A client's record as one document: demographics, episodes of care, appointments, progress
//! notes with their addenda, assessments and the list of attachments — for the client's right of
//! access, or for the next provider.
//!
//! Psychotherapy notes are never in it, whoever asks (the author included): they are kept apart
//! from the record, and leaving with it needs a client authorization that names them, which
//! arrives with consents and disclosures. An export is itself recorded in the audit log
//! (`record.export`), after every part of it has been read through the policy (and recorded)
//! and before it is handed back. An emergency (break-glass) grant never exports.

use serde::Serialize;
use time::OffsetDateTime;

use crate::appointment::{Appointment, Episode};
use crate::assessment::Assessment;
use crate::attachment::Attachment;
use crate::audit::{Access, Action};
use crate::client::Client;
use crate::error::{CoreError, CoreResult};
use crate::ids::{ActorId, ClientId};
use crate::note::{Note, NoteKind};
use crate::policy::{Op, RecordClass};
use crate::records::request;
use crate::vault::Vault;

/// Names this document's shape, so a reader knows what it holds.
pub const EXPORT_FORMAT: &str = "confidant.record-export.v1";

/// What an export never holds, said in every export so its reader knows.
pub const WITHHELD: &[&str] = &["psychotherapy_notes"];

/// A client's record, as exported.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordExport {
    /// `confidant.record-export.v1`.
    #[schema(value_type = String)]
    pub format: &'static str,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    /// Who made it.
    pub exported_by: ActorId,
    /// Demographics and status.
    pub client: Client,
    /// Episodes of care, oldest first.
    pub episodes: Vec<Episode>,
    /// Appointments, by start.
    pub appointments: Vec<Appointment>,
    /// Progress notes and their addenda, oldest first; never psychotherapy notes.
    pub notes: Vec<Note>,
    /// Scored assessments.
    pub assessments: Vec<Assessment>,
    /// What is attached (each downloads on its own).
    pub attachments: Vec<Attachment>,
    /// Record classes deliberately left out: `psychotherapy_notes`.
    #[schema(value_type = Vec<String>)]
    pub withheld: &'static [&'static str],
}

impl Vault {
    /// Exports a client's record for a caller who may read all of its clinical parts.
    pub fn export_record(&self, access: &Access, client: ClientId) -> CoreResult<RecordExport> {
        self.client_row(client)?;
        let mut flagged = false;
        for class in [RecordClass::Demographics, RecordClass::ProgressNotes] {
            flagged |= self.authorize(access, request(Op::Read, class, client, None))?;
        }
        if flagged {
            self.record_denial(
                access,
                Action::Denied,
                "client",
                Some(client.to_string()),
                Some(client),
            )?;
            return Err(CoreError::Forbidden(
                "an emergency grant is for reading in an emergency, not for exporting".to_owned(),
            ));
        }
        let demographics = self.client(access, client)?;
        let episodes = self.episodes_of_client(access, client)?;
        let appointments = self.appointments_of_client(access, client)?;
        let notes = self
            .notes_of_client(access, client)?
            .into_iter()
            .filter(|n| n.kind != NoteKind::Psychotherapy)
            .collect();
        let assessments = self.assessments_of_client(access, client)?;
        let attachments = self.attachments_of_client(access, client)?;
        let export = RecordExport {
            format: EXPORT_FORMAT,
            exported_at: self.clock.now(),
            exported_by: access.actor.id,
            client: demographics,
            episodes,
            appointments,
            notes,
            assessments,
            attachments,
            withheld: WITHHELD,
        };
        self.record(
            access,
            Action::RecordExport,
            "client",
            client.to_string(),
            client,
            false,
        )?;
        Ok(export)
    }
}
