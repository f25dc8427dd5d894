//! Scheduling: episodes of care, the appointments booked in them, and the services that open,
//! book, change and list them — every one through the access policy as record class
//! `Appointments`, and every access audited.
//!
//! What describes the client — an episode's reason, an appointment's place or telehealth link,
//! its note — is sealed under the client's own key exactly like the client's demographics,
//! bound to its record kind, record id, client and field. Dates and times, durations, service
//! codes and attendance are scheduling metadata and are stored in the clear: the schedule must
//! find a day's appointments by time across clients without opening every client's key, and
//! billing needs the codes; none of them names or describes the client, who appears only as an
//! opaque id. This module must never hand that metadata anything client-describing, and its
//! validation messages name the field and the rule, never the value.

mod booking;
mod episode;
mod service;

use confidant_crypto::{ClientKey, FieldContext, Sealed};

use crate::error::{CoreError, CoreResult};

pub use booking::{
    Appointment, AppointmentInput, AppointmentPatch, Attendance, Location, MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES, NewAppointment,
};
pub use episode::{CloseEpisodeInput, Episode, EpisodeInput, NewEpisode};
pub use service::MAX_SCHEDULE_DAYS;

/// Where a sealed field lives: what binds its ciphertext to this record of this client.
struct Place<'a> {
    kind: &'static str,
    record_id: &'a str,
    client_id: &'a str,
}

impl Place<'_> {
    fn context(&self, field: &'static str) -> FieldContext<'_> {
        FieldContext {
            kind: self.kind,
            record_id: self.record_id,
            client_id: self.client_id,
            field,
        }
    }

    fn seal(&self, key: &ClientKey, field: &'static str, bytes: &[u8]) -> CoreResult<Sealed<str>> {
        Ok(key.seal(&self.context(field), bytes)?)
    }

    fn open(
        &self,
        key: &ClientKey,
        field: &'static str,
        sealed: &Sealed<str>,
    ) -> CoreResult<zeroize::Zeroizing<Vec<u8>>> {
        Ok(key.open(&self.context(field), sealed)?)
    }

    /// Seals an optional text; absence is sealed too, so presence does not leak.
    fn seal_optional(
        &self,
        key: &ClientKey,
        field: &'static str,
        text: Option<&str>,
    ) -> CoreResult<Sealed<str>> {
        self.seal(key, field, &crate::client::encode(text))
    }

    fn open_optional(
        &self,
        key: &ClientKey,
        field: &'static str,
        sealed: &Sealed<str>,
    ) -> CoreResult<Option<String>> {
        crate::client::decode(&self.open(key, field, sealed)?)
    }
}

/// Text of opened bytes, or an integrity failure.
fn utf8(bytes: &[u8]) -> CoreResult<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| CoreError::Integrity)
}
