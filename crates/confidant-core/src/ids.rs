//! Opaque identifiers. They are random (UUID v4), so an id reveals nothing about a client, and
//! they are the only thing about a client that may appear in logs and error messages.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// Parses an id from its text form; anything else is simply not an id.
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::try_parse(text).ok().map(Self)
            }

            /// Wraps an id loaded from storage.
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID, for storage.
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }
    )*};
}

id_type!(
    /// Identifies a practice (one data directory).
    PracticeId,
    /// Identifies a client.
    ClientId,
    /// Identifies a note.
    NoteId,
    /// Identifies a person or script acting on the system.
    ActorId,
    /// Identifies an API token (never the token itself).
    TokenId,
    /// Identifies a registered passkey (ours, not the authenticator's credential id).
    PasskeyId,
    /// Identifies an episode of care.
    EpisodeId,
    /// Identifies an appointment.
    AppointmentId,
    /// Identifies an attachment (a scanned document or a session recording) and its blob.
    AttachmentId,
    /// Identifies a stored assessment (a completed PHQ-9 or GAD-7).
    AssessmentId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_reject_garbage() {
        let id = ClientId::random();
        assert_eq!(ClientId::parse(&id.to_string()), Some(id));
        assert_eq!(ClientId::parse("not-an-id"), None);
        assert_ne!(ClientId::random(), ClientId::random());
    }
}
