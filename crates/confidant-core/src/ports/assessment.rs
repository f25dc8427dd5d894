//! Storage port for standardised assessments (PHQ-9, GAD-7) as administered to a client.
//!
//! The answers and any comment cross this boundary sealed under the client's key; so does
//! everything derived from them (a total or a severity band is client health information, so
//! neither is stored at all: the core scores the answers each time it opens them). Which
//! questionnaire it was, when it was given, by whom and in which episode are record metadata and
//! cross in the clear: the policy and the listings need them without a key. Every method is
//! atomic and durable.

use confidant_crypto::Sealed;

use super::{JulianDay, StoreResult, UnixMillis};
use crate::ids::{ActorId, AssessmentId, ClientId, EpisodeId};

/// One administered questionnaire; `answers` and `comment` are sealed, the rest is metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRow {
    /// Assessment id.
    pub id: AssessmentId,
    /// Whose assessment.
    pub client_id: ClientId,
    /// The episode of care it was given in, if any; always an episode of the same client.
    pub episode: Option<EpisodeId>,
    /// Client key version that sealed `answers` and `comment`.
    pub key_version: u32,
    /// Which questionnaire: `phq9` or `gad7` (a class, not content).
    pub instrument: String,
    /// The day it was administered.
    pub administered_on: JulianDay,
    /// Who recorded it.
    pub author: ActorId,
    /// When it was recorded.
    pub created_at: UnixMillis,
    /// The answers, sealed.
    pub answers: Sealed<[u8]>,
    /// A free-text comment, sealed (even when absent, so presence does not leak).
    pub comment: Sealed<str>,
}

/// Administered assessments. A stored assessment is never changed.
pub trait AssessmentStore {
    /// Adds an assessment; `Conflict` if the id exists, the client does not, or the episode is
    /// not one of that client's.
    fn insert_assessment(&self, row: &AssessmentRow) -> StoreResult<()>;
    /// One assessment.
    fn assessment(&self, id: AssessmentId) -> StoreResult<Option<AssessmentRow>>;
    /// Every assessment of one client, by administration day (ties by record time, then id).
    fn assessments_of(&self, client: ClientId) -> StoreResult<Vec<AssessmentRow>>;
}
