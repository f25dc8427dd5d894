//! The record services: the only way to create or read a client or a note. Each write seals
//! before it stores; each read opens after it loads.
//!
//! Every method takes the `Access` (who, why, from where), so the access policy and the audit
//! log apply here, in one place, rather than in handlers. Each access is recorded durably
//! before data is returned (reads) or stored (writes); if it cannot be recorded, the call
//! fails and nothing is returned or written.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::audit::{Access, Action, Event};
use crate::client::{self, Client, ClientInput, NewClient};
use crate::error::{CoreError, CoreResult};
use crate::ids::{ClientId, NoteId};
use crate::note::{self, NewNote, Note, NoteInput};
use crate::ports::{StoreError, to_millis};
use crate::vault::Vault;

/// Most clients returned by one page of a listing.
pub const MAX_PAGE: usize = 500;

/// One page of clients, and where the next starts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClientPage {
    /// The clients on this page, ordered by id.
    pub clients: Vec<Client>,
    /// Pass as `after` to get the next page; `None` on the last.
    pub next: Option<ClientId>,
}

fn not_found_on_conflict(what: &'static str) -> impl Fn(StoreError) -> CoreError {
    move |e| match e {
        StoreError::Conflict(_) => CoreError::NotFound(what),
        other => other.into(),
    }
}

impl Vault {
    /// Adds a client: validates, seals every field under a fresh client key, stores both at once.
    pub fn create_client(&self, access: &Access, input: ClientInput) -> CoreResult<ClientId> {
        let now = self.clock.now();
        let new = NewClient::validate(input, now.date())?;
        let id = ClientId::random();
        self.record(access, Action::ClientCreate, "client", id.to_string(), id)?;
        self.with_new_client_key(id, |key, key_row| {
            let row = client::seal(id, key, to_millis(now), &new)?;
            self.store.insert_client(&row, &key_row)?;
            Ok(id)
        })
    }

    /// One client's demographics.
    pub fn client(&self, access: &Access, id: ClientId) -> CoreResult<Client> {
        let row = self
            .store
            .client(id)?
            .ok_or(CoreError::NotFound("client"))?;
        let key = self.client_key(id, row.key_version)?;
        let client = client::open(&row, &key)?;
        self.record(access, Action::ClientRead, "client", id.to_string(), id)?;
        Ok(client)
    }

    /// A page of clients, skipping any that were crypto-shredded.
    pub fn clients(
        &self,
        access: &Access,
        after: Option<ClientId>,
        limit: usize,
    ) -> CoreResult<ClientPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = self.store.clients(after, limit + 1)?;
        let more = rows.len() > limit;
        let mut clients = Vec::with_capacity(limit);
        for row in rows.iter().take(limit) {
            match self.client_key(row.id, row.key_version) {
                Ok(key) => clients.push(client::open(row, &key)?),
                Err(CoreError::Shredded) => continue,
                Err(e) => return Err(e),
            }
        }
        let next = if more {
            rows.get(limit - 1).map(|r| r.id)
        } else {
            None
        };
        // Each client shown is a disclosure of their name to this reader: one event each (and
        // one for the listing itself when it is empty, so every request leaves a trace).
        let now = self.clock.now();
        let mut events: Vec<Event> = clients
            .iter()
            .map(|c| {
                Event::of(
                    access,
                    now,
                    Action::ClientList,
                    "client",
                    Some(c.id.to_string()),
                    Some(c.id),
                )
            })
            .collect();
        if events.is_empty() {
            events.push(Event::of(
                access,
                now,
                Action::ClientList,
                "client",
                None,
                None,
            ));
        }
        self.audit.record(events)?;
        Ok(ClientPage { clients, next })
    }

    /// Writes a note in a client's record.
    pub fn create_note(
        &self,
        access: &Access,
        client_id: ClientId,
        input: NoteInput,
    ) -> CoreResult<NoteId> {
        let new = NewNote::validate(input)?;
        let client = self
            .store
            .client(client_id)?
            .ok_or(CoreError::NotFound("client"))?;
        let key = self.client_key(client_id, client.key_version)?;
        let id = NoteId::random();
        self.record(
            access,
            Action::NoteCreate,
            "note",
            id.to_string(),
            client_id,
        )?;
        let row = note::seal(
            id,
            client_id,
            access.actor.id,
            &key,
            to_millis(self.clock.now()),
            &new,
        )?;
        self.store
            .insert_note(&row)
            .map_err(not_found_on_conflict("client"))?;
        Ok(id)
    }

    /// Every note in a client's record, oldest first.
    pub fn notes_of_client(&self, access: &Access, client_id: ClientId) -> CoreResult<Vec<Note>> {
        let client = self
            .store
            .client(client_id)?
            .ok_or(CoreError::NotFound("client"))?;
        let mut keys = BTreeMap::new();
        keys.insert(
            client.key_version,
            self.client_key(client_id, client.key_version)?,
        );
        let rows = self.store.notes_of_client(client_id)?;
        let mut notes = Vec::with_capacity(rows.len());
        for row in &rows {
            let key = match keys.entry(row.key_version) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.client_key(client_id, row.key_version)?),
            };
            notes.push(note::open(row, key)?);
        }
        let now = self.clock.now();
        let mut events: Vec<Event> = notes
            .iter()
            .map(|n| {
                Event::of(
                    access,
                    now,
                    Action::NoteList,
                    "note",
                    Some(n.id.to_string()),
                    Some(client_id),
                )
            })
            .collect();
        if events.is_empty() {
            events.push(Event::of(
                access,
                now,
                Action::NoteList,
                "note",
                None,
                Some(client_id),
            ));
        }
        self.audit.record(events)?;
        Ok(notes)
    }

    /// One note.
    pub fn note(&self, access: &Access, id: NoteId) -> CoreResult<Note> {
        let row = self.store.note(id)?.ok_or(CoreError::NotFound("note"))?;
        let key = self.client_key(row.client_id, row.key_version)?;
        let note = note::open(&row, &key)?;
        self.record(
            access,
            Action::NoteRead,
            "note",
            id.to_string(),
            row.client_id,
        )?;
        Ok(note)
    }

    /// Records one allowed access to one resource of one client, durably.
    fn record(
        &self,
        access: &Access,
        action: Action,
        resource: &'static str,
        resource_id: String,
        client: ClientId,
    ) -> CoreResult<()> {
        let event = Event::of(
            access,
            self.clock.now(),
            action,
            resource,
            Some(resource_id),
            Some(client),
        );
        self.audit.record(vec![event]).map(drop)
    }
}
