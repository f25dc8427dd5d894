//! The scheduling services: the only way to open or close an episode of care and to book,
//! change, read or list appointments.
//!
//! Every method asks the access policy about record class `Appointments` first (`access.rs`):
//! what it hides is answered exactly like a nonexistent id, and is absent from listings and the
//! schedule. Each access is recorded durably before data is returned or stored; if it cannot
//! be recorded, the call fails and nothing is returned or written.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::iter;

use confidant_crypto::ClientKey;
use time::OffsetDateTime;

use super::booking::{self, Appointment, AppointmentInput, AppointmentPatch, NewAppointment};
use super::episode::{self, CloseEpisodeInput, Episode, EpisodeInput, NewEpisode};
use crate::access::Request;
use crate::audit::{Access, Action};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{AppointmentId, ClientId, EpisodeId};
use crate::policy::{Op, RecordClass};
use crate::ports::{EpisodeRow, StoreError, from_millis, to_millis};
use crate::vault::Vault;

/// Longest window one schedule request may span, in days.
pub const MAX_SCHEDULE_DAYS: i64 = 31;

fn request(op: Op, client: ClientId) -> Request {
    Request {
        op,
        class: RecordClass::Appointments,
        client,
        author: None,
    }
}

/// A hidden client's record answers exactly like a nonexistent record of that kind.
fn hidden_as(what: &'static str) -> impl Fn(CoreError) -> CoreError {
    move |e| match e {
        CoreError::NotFound(_) => CoreError::NotFound(what),
        other => other,
    }
}

/// Client keys by (client, version), opened once per call.
#[derive(Default)]
struct Keys(BTreeMap<(ClientId, u32), ClientKey>);

impl Keys {
    fn get(&mut self, vault: &Vault, client: ClientId, version: u32) -> CoreResult<&ClientKey> {
        Ok(match self.0.entry((client, version)) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(vault.client_key(client, version)?),
        })
    }
}

fn already_open() -> CoreError {
    Invalid::new(
        "episode",
        "this client already has an open episode of care; close it before opening another",
    )
    .into()
}

impl Vault {
    /// Opens an episode of care for a client who has none open.
    pub fn open_episode(
        &self,
        access: &Access,
        client: ClientId,
        input: EpisodeInput,
    ) -> CoreResult<EpisodeId> {
        let row = self.client_row(client)?;
        let flagged = self.authorize(access, request(Op::Create, client))?;
        let now = self.clock.now();
        let new = NewEpisode::validate(input, now.date())?;
        if row.discharged_at.is_some() {
            return Err(CoreError::State(
                "this client is discharged; readmit them (PUT /api/v1/clients/{id}/status, \
                 \"active\") before opening an episode of care",
            ));
        }
        if self.store.open_episode_of(client)?.is_some() {
            return Err(already_open());
        }
        let key = self.client_key(client, row.key_version)?;
        let e = episode::new(client, new, to_millis(now))?;
        self.record_one(
            access,
            Action::EpisodeOpen,
            "episode",
            e.id.to_string(),
            client,
            flagged,
        )?;
        let sealed = episode::seal(&e, access.actor.id, &key)?;
        self.store.insert_episode(&sealed).map_err(|e| match e {
            // Another request opened one first.
            StoreError::Conflict(_) => already_open(),
            other => other.into(),
        })?;
        Ok(e.id)
    }

    /// Closes an open episode on a day no earlier than it opened; returns it closed.
    pub fn close_episode(
        &self,
        access: &Access,
        id: EpisodeId,
        input: CloseEpisodeInput,
    ) -> CoreResult<Episode> {
        let row = self
            .store
            .episode(id)?
            .ok_or(CoreError::NotFound("episode"))?;
        let flagged = self
            .authorize(access, request(Op::Update, row.client_id))
            .map_err(hidden_as("episode"))?;
        let key = self.client_key(row.client_id, row.key_version)?;
        let mut e = episode::open(&row, &key)?;
        if !e.is_open() {
            return Err(Invalid::new("closed_on", "this episode is already closed").into());
        }
        e.closed_on = Some(episode::closing_day(
            &input,
            e.opened_on,
            self.clock.now().date(),
        )?);
        self.record_one(
            access,
            Action::EpisodeClose,
            "episode",
            id.to_string(),
            row.client_id,
            flagged,
        )?;
        let sealed = episode::seal(&e, row.opened_by, &key)?;
        if !self.store.update_episode(&sealed)? {
            // Closed by another request since it was read.
            return Err(Invalid::new("closed_on", "this episode is already closed").into());
        }
        Ok(e)
    }

    /// A client's episodes of care, oldest first.
    pub fn episodes_of_client(
        &self,
        access: &Access,
        client: ClientId,
    ) -> CoreResult<Vec<Episode>> {
        self.client_row(client)?;
        let flagged = self.authorize(access, request(Op::List, client))?;
        let mut keys = Keys::default();
        let rows = self.store.episodes_of(client)?;
        let episodes = rows
            .iter()
            .map(|row| episode::open(row, keys.get(self, client, row.key_version)?))
            .collect::<CoreResult<Vec<_>>>()?;
        let shown = episodes
            .iter()
            .map(|e| (e.id.to_string(), Some(client), flagged));
        self.record_listing(access, Action::EpisodeRead, "episode", Some(client), shown)?;
        Ok(episodes)
    }

    /// Books an appointment for a client, in the episode named or else the client's open one.
    pub fn create_appointment(
        &self,
        access: &Access,
        client: ClientId,
        input: AppointmentInput,
    ) -> CoreResult<AppointmentId> {
        let row = self.client_row(client)?;
        let flagged = self.authorize(access, request(Op::Create, client))?;
        let now = self.clock.now();
        let new = NewAppointment::validate(input, now)?;
        let episode = self.episode_for(client, new.episode)?;
        let key = self.client_key(client, row.key_version)?;
        let a = Appointment::new(client, episode, new, from_millis(to_millis(now))?);
        self.record_one(
            access,
            Action::AppointmentCreate,
            "appointment",
            a.id.to_string(),
            client,
            flagged,
        )?;
        let sealed = booking::seal(&a, access.actor.id, 0, &key)?;
        self.store
            .insert_appointment(&sealed)
            .map_err(|e| match e {
                // The episode stopped being this client's in the meantime.
                StoreError::Conflict(_) if episode.is_some() => CoreError::from(episode_refused()),
                other => other.into(),
            })?;
        Ok(a.id)
    }

    /// One appointment. One the caller may not see is answered exactly like a nonexistent one.
    pub fn appointment(&self, access: &Access, id: AppointmentId) -> CoreResult<Appointment> {
        let row = self
            .store
            .appointment(id)?
            .ok_or(CoreError::NotFound("appointment"))?;
        let flagged = self
            .authorize(access, request(Op::Read, row.client_id))
            .map_err(hidden_as("appointment"))?;
        let key = self.client_key(row.client_id, row.key_version)?;
        let a = booking::open(&row, &key)?;
        self.record_one(
            access,
            Action::AppointmentRead,
            "appointment",
            id.to_string(),
            row.client_id,
            flagged,
        )?;
        Ok(a)
    }

    /// Changes an appointment — moves it, records attendance, rewrites its note — and returns
    /// it as changed. Two changes at once cannot both land: the later one is a conflict.
    pub fn update_appointment(
        &self,
        access: &Access,
        id: AppointmentId,
        patch: AppointmentPatch,
    ) -> CoreResult<Appointment> {
        let row = self
            .store
            .appointment(id)?
            .ok_or(CoreError::NotFound("appointment"))?;
        let flagged = self
            .authorize(access, request(Op::Update, row.client_id))
            .map_err(hidden_as("appointment"))?;
        let key = self.client_key(row.client_id, row.key_version)?;
        let changed = booking::open(&row, &key)?.changed(patch, self.clock.now())?;
        let next = row.revision.checked_add(1).ok_or(CoreError::Integrity)?;
        self.record_one(
            access,
            Action::AppointmentUpdate,
            "appointment",
            id.to_string(),
            row.client_id,
            flagged,
        )?;
        let sealed = booking::seal(&changed, row.created_by, next, &key)?;
        if !self.store.update_appointment(&sealed, row.revision)? {
            return Err(CoreError::Store(StoreError::Conflict(
                "update appointment: changed by another request since it was read".into(),
            )));
        }
        Ok(changed)
    }

    /// A client's appointments, by start time.
    pub fn appointments_of_client(
        &self,
        access: &Access,
        client: ClientId,
    ) -> CoreResult<Vec<Appointment>> {
        self.client_row(client)?;
        let flagged = self.authorize(access, request(Op::List, client))?;
        let mut keys = Keys::default();
        let rows = self.store.appointments_of(client)?;
        let appointments = rows
            .iter()
            .map(|row| booking::open(row, keys.get(self, client, row.key_version)?))
            .collect::<CoreResult<Vec<_>>>()?;
        let shown = appointments
            .iter()
            .map(|a| (a.id.to_string(), Some(client), flagged));
        self.record_listing(
            access,
            Action::AppointmentList,
            "appointment",
            Some(client),
            shown,
        )?;
        Ok(appointments)
    }

    /// Every appointment starting in `[from, to)` (at most 31 days) of the clients the caller
    /// may see, by start time; the others are simply absent, as are those of destroyed records.
    pub fn schedule(
        &self,
        access: &Access,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> CoreResult<Vec<Appointment>> {
        if to <= from {
            return Err(Invalid::new("to", "must be after from").into());
        }
        if to - from > time::Duration::days(MAX_SCHEDULE_DAYS) {
            return Err(Invalid::new(
                "to",
                format!("must be at most {MAX_SCHEDULE_DAYS} days after from"),
            )
            .into());
        }
        // A role that may never list appointments (or whose terms have lapsed) is refused
        // outright rather than shown an empty day.
        self.authorize_across_clients(access, Op::List, RecordClass::Appointments)?;
        let rows = self
            .store
            .appointments_between(to_millis(from), to_millis(to))?;
        let mut seen: BTreeMap<ClientId, Option<bool>> = BTreeMap::new();
        let mut keys = Keys::default();
        let mut shown = Vec::new();
        for row in &rows {
            let visible = match seen.entry(row.client_id) {
                Entry::Occupied(e) => *e.get(),
                Entry::Vacant(e) => {
                    *e.insert(self.visible(access, request(Op::List, row.client_id))?)
                }
            };
            let Some(flagged) = visible else { continue };
            let key = match keys.get(self, row.client_id, row.key_version) {
                Ok(key) => key,
                Err(CoreError::Shredded) => continue,
                Err(e) => return Err(e),
            };
            shown.push((booking::open(row, key)?, flagged));
        }
        let events = shown
            .iter()
            .map(|(a, flagged)| (a.id.to_string(), Some(a.client_id), *flagged));
        self.record_listing(access, Action::AppointmentList, "appointment", None, events)?;
        Ok(shown.into_iter().map(|(a, _)| a).collect())
    }

    /// The episode a new appointment joins: the one named, if it is this client's and open;
    /// else the client's open episode, if any.
    fn episode_for(
        &self,
        client: ClientId,
        asked: Option<EpisodeId>,
    ) -> CoreResult<Option<EpisodeId>> {
        let Some(id) = asked else {
            return Ok(self.store.open_episode_of(client)?.map(|e| e.id));
        };
        match self.store.episode(id)? {
            Some(EpisodeRow {
                client_id,
                closed_on: None,
                ..
            }) if client_id == client => Ok(Some(id)),
            _ => Err(episode_refused().into()),
        }
    }

    /// Records one allowed access to one record of one client, durably.
    fn record_one(
        &self,
        access: &Access,
        action: Action,
        resource: &'static str,
        id: String,
        client: ClientId,
        flagged: bool,
    ) -> CoreResult<()> {
        let one = iter::once((id, Some(client), flagged));
        self.record_listing(access, action, resource, Some(client), one)
    }
}

fn episode_refused() -> Invalid {
    Invalid::new("episode", "must be an open episode of care of this client")
}
