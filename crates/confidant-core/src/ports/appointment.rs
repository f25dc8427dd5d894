//! Storage port for scheduling: episodes of care and the appointments booked in them.
//!
//! What describes the client (an episode's reason, an appointment's place or telehealth link,
//! its note) crosses this boundary sealed under the client's key. What the schedule needs to
//! find and order rows without any key — client and episode ids, start times, durations,
//! service codes, attendance — is scheduling metadata and crosses in the clear. Every method is
//! atomic and durable.

use confidant_crypto::Sealed;

use super::{StoreResult, UnixMillis};
use crate::ids::{ActorId, AppointmentId, ClientId, EpisodeId};

/// A calendar date as a Julian day number (`time::Date::to_julian_day`): dates compare and sort
/// as numbers, and SQLite's `date()` reads them.
pub type JulianDay = i32;

/// An episode of care: a stretch of treatment with an opening and (once over) a closing date.
#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeRow {
    /// Episode id.
    pub id: EpisodeId,
    /// Whose episode.
    pub client_id: ClientId,
    /// Client key version that sealed the reason.
    pub key_version: u32,
    /// The day it opened.
    pub opened_on: JulianDay,
    /// The day it closed, on or after `opened_on`; `None` while open.
    pub closed_on: Option<JulianDay>,
    /// Why the client came, sealed (sealed even when absent, so presence does not leak).
    pub reason: Sealed<str>,
    /// Who opened it.
    pub opened_by: ActorId,
    /// When it was recorded.
    pub created_at: UnixMillis,
}

/// An appointment; `location` and `note` are sealed, the rest is scheduling metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentRow {
    /// Appointment id.
    pub id: AppointmentId,
    /// Whose appointment.
    pub client_id: ClientId,
    /// The episode of care it belongs to, if any; always an episode of the same client.
    pub episode: Option<EpisodeId>,
    /// Client key version that sealed `location` and `note`.
    pub key_version: u32,
    /// When it starts.
    pub starts_at: UnixMillis,
    /// How long it lasts, in minutes (1 to 1440 as stored; the core is stricter).
    pub duration_minutes: u16,
    /// Service code (CPT-like), 1 to 10 characters.
    pub service_code: String,
    /// `scheduled`, `attended`, `cancelled` or `no_show`.
    pub attendance: String,
    /// Where: in person at a place, or a telehealth link; sealed.
    pub location: Sealed<str>,
    /// A scheduling note; sealed (even when absent).
    pub note: Sealed<str>,
    /// Who booked it.
    pub created_by: ActorId,
    /// When it was booked.
    pub created_at: UnixMillis,
    /// Bumped by every change, so two changes at once cannot both land.
    pub revision: u32,
}

/// Episodes of care and appointments.
pub trait AppointmentStore {
    /// Adds an episode; `Conflict` if the id exists, the client does not, or the episode is
    /// open while the client already has an open one.
    fn insert_episode(&self, row: &EpisodeRow) -> StoreResult<()>;
    /// Replaces an open episode's closing date and reason (never its client or opening);
    /// `false` if no open episode of that client has this id. A closed episode stays closed.
    fn update_episode(&self, row: &EpisodeRow) -> StoreResult<bool>;
    /// One episode.
    fn episode(&self, id: EpisodeId) -> StoreResult<Option<EpisodeRow>>;
    /// Every episode of one client, by opening date (ties by record time, then id).
    fn episodes_of(&self, client: ClientId) -> StoreResult<Vec<EpisodeRow>>;
    /// The client's open episode, if any (there is at most one).
    fn open_episode_of(&self, client: ClientId) -> StoreResult<Option<EpisodeRow>>;

    /// Adds an appointment; `Conflict` if the id exists, the client does not, or the episode
    /// is not one of that client's.
    fn insert_appointment(&self, row: &AppointmentRow) -> StoreResult<()>;
    /// Replaces an appointment (all but its id, client, creator and creation time) if its
    /// stored revision is still `expected_revision`; whether it was replaced.
    fn update_appointment(&self, row: &AppointmentRow, expected_revision: u32)
    -> StoreResult<bool>;
    /// One appointment.
    fn appointment(&self, id: AppointmentId) -> StoreResult<Option<AppointmentRow>>;
    /// Every appointment of one client, by start time (ties by id).
    fn appointments_of(&self, client: ClientId) -> StoreResult<Vec<AppointmentRow>>;
    /// Every appointment of any client starting at or after `from` and before `to`, by start
    /// time (ties by id).
    fn appointments_between(
        &self,
        from: UnixMillis,
        to: UnixMillis,
    ) -> StoreResult<Vec<AppointmentRow>>;
}
