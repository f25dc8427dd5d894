//! The assessment services: the only way to record, read or list a client's PHQ-9 and GAD-7.
//!
//! An assessment is clinical record: every method asks the access policy about record class
//! `ProgressNotes` first (`access.rs`), so exactly who may see a client's progress notes may
//! see their assessments. What the policy hides is answered exactly like a nonexistent id. Each
//! access is recorded durably before data is returned or stored; if it cannot be recorded, the
//! call fails and nothing is returned or written.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::iter;

use super::record::{self, Assessment, NewAssessment, RecordAssessmentInput};
use crate::access::Request;
use crate::audit::{Access, Action};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, AssessmentId, ClientId, EpisodeId};
use crate::policy::{Op, RecordClass};
use crate::ports::{StoreError, to_millis};
use crate::vault::Vault;

const RESOURCE: &str = "assessment";

fn request(op: Op, client: ClientId, author: Option<ActorId>) -> Request {
    Request {
        op,
        class: RecordClass::ProgressNotes,
        client,
        author,
    }
}

fn episode_refused() -> CoreError {
    Invalid::new("episode", "must be an episode of care of this client").into()
}

impl Vault {
    /// Records a completed questionnaire in a client's record; returns its id. Nothing is
    /// written unless every answer, the day, the episode and the comment pass.
    pub fn record_assessment(
        &self,
        access: &Access,
        client: ClientId,
        input: RecordAssessmentInput,
    ) -> CoreResult<AssessmentId> {
        let row = self.client_row(client)?;
        let flagged = self.authorize(access, request(Op::Create, client, Some(access.actor.id)))?;
        let now = self.clock.now();
        let new = NewAssessment::validate(input, now)?;
        if let Some(episode) = new.episode {
            self.check_episode(client, episode)?;
        }
        let key = self.client_key(client, row.key_version)?;
        let id = AssessmentId::random();
        self.record_assessment_access(access, Action::AssessmentCreate, id, client, flagged)?;
        let sealed = record::seal(id, client, access.actor.id, to_millis(now), &new, &key)?;
        self.store.insert_assessment(&sealed).map_err(|e| match e {
            // The episode stopped being this client's in the meantime.
            StoreError::Conflict(_) if new.episode.is_some() => episode_refused(),
            StoreError::Conflict(_) => CoreError::NotFound("client"),
            other => other.into(),
        })?;
        Ok(id)
    }

    /// One assessment, scored. One the caller may not see is answered exactly like a
    /// nonexistent one.
    pub fn assessment(&self, access: &Access, id: AssessmentId) -> CoreResult<Assessment> {
        let row = self
            .store
            .assessment(id)?
            .ok_or(CoreError::NotFound(RESOURCE))?;
        let flagged = self
            .authorize(access, request(Op::Read, row.client_id, Some(row.author)))
            .map_err(|e| match e {
                CoreError::NotFound(_) => CoreError::NotFound(RESOURCE),
                other => other,
            })?;
        let key = self.client_key(row.client_id, row.key_version)?;
        let assessment = record::open(&row, &key)?;
        self.record_assessment_access(access, Action::AssessmentRead, id, row.client_id, flagged)?;
        Ok(assessment)
    }

    /// A client's assessments, scored, by the day they were given.
    pub fn assessments_of_client(
        &self,
        access: &Access,
        client: ClientId,
    ) -> CoreResult<Vec<Assessment>> {
        self.client_row(client)?;
        let flagged = self.authorize(access, request(Op::List, client, None))?;
        let mut keys = BTreeMap::new();
        let rows = self.store.assessments_of(client)?;
        let mut assessments = Vec::with_capacity(rows.len());
        for row in &rows {
            let key = match keys.entry(row.key_version) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.client_key(client, row.key_version)?),
            };
            assessments.push(record::open(row, key)?);
        }
        let shown = assessments
            .iter()
            .map(|a| (a.id.to_string(), Some(client), flagged));
        self.record_listing(
            access,
            Action::AssessmentList,
            RESOURCE,
            Some(client),
            shown,
        )?;
        Ok(assessments)
    }

    /// Refuses an episode that is not one of this client's (open or closed: an assessment may
    /// be entered after its episode closed).
    fn check_episode(&self, client: ClientId, episode: EpisodeId) -> CoreResult<()> {
        match self.store.episode(episode)? {
            Some(row) if row.client_id == client => Ok(()),
            _ => Err(episode_refused()),
        }
    }

    /// Records one allowed access to one assessment, durably.
    fn record_assessment_access(
        &self,
        access: &Access,
        action: Action,
        id: AssessmentId,
        client: ClientId,
        flagged: bool,
    ) -> CoreResult<()> {
        let one = iter::once((id.to_string(), Some(client), flagged));
        self.record_listing(access, action, RESOURCE, Some(client), one)
    }
}
