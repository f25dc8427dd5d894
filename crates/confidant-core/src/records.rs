//! The record services: the only way to create or read a client or a note. Each write seals
//! before it stores; each read opens after it loads.
//!
//! Every method takes the `Access` (who, why, from where) and asks the access policy first
//! (`access.rs`); what the policy hides is answered exactly like a nonexistent id, and is absent
//! from listings. Each access is recorded durably before data is returned (reads) or stored
//! (writes); if it cannot be recorded, the call fails and nothing is returned or written.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::access::Request;
use crate::audit::{Access, Action, Event};
use crate::client::{self, Client, ClientInput, NewClient};
use crate::error::{CoreError, CoreResult};
use crate::ids::{ActorId, ClientId, NoteId};
use crate::note::{self, Note, NoteInput, NoteKind};
use crate::policy::{AdminOp, Facts, Op, RecordClass, StaffRole};
use crate::ports::{CareTeamRow, StoreError, to_millis};
use crate::vault::Vault;

/// Most clients returned by one page of a listing.
pub const MAX_PAGE: usize = 500;

/// One page of clients, and where the next starts.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClientPage {
    /// The clients on this page, ordered by id.
    pub clients: Vec<Client>,
    /// Pass as `after` to get the next page; `null` on the last.
    pub next: Option<ClientId>,
}

pub(crate) fn not_found_on_conflict(what: &'static str) -> impl Fn(StoreError) -> CoreError {
    move |e| match e {
        StoreError::Conflict(_) => CoreError::NotFound(what),
        other => other.into(),
    }
}

/// The record class of a note kind.
pub(crate) fn class_of(kind: NoteKind) -> RecordClass {
    match kind {
        NoteKind::Progress => RecordClass::ProgressNotes,
        NoteKind::Psychotherapy => RecordClass::PsychotherapyNotes,
    }
}

pub(crate) fn request(
    op: Op,
    class: RecordClass,
    client: ClientId,
    author: Option<ActorId>,
) -> Request {
    Request {
        op,
        class,
        client,
        author,
    }
}

impl Vault {
    /// Adds a client: validates, seals every field under a fresh client key, stores both at
    /// once. A clinician (or owner, or supervisor) who adds a client becomes their primary
    /// clinician.
    pub fn create_client(&self, access: &Access, input: ClientInput) -> CoreResult<ClientId> {
        self.authorize_admin(access, AdminOp::CreateClient, Facts::default())?;
        let now = self.clock.now();
        let new = NewClient::validate(input, now.date())?;
        let id = ClientId::random();
        self.record(
            access,
            Action::ClientCreate,
            "client",
            id.to_string(),
            id,
            false,
        )?;
        self.with_new_client_key(id, |key, key_row| {
            let row = client::seal(id, key, to_millis(now), &new)?;
            self.store.insert_client(&row, &key_row)?;
            Ok(())
        })?;
        self.index_client(id, &new);
        let role = access.actor.role;
        if matches!(
            role,
            StaffRole::Owner | StaffRole::Clinician | StaffRole::Supervisor
        ) {
            self.store.add_to_care_team(&CareTeamRow {
                client: id,
                user: access.actor.id,
                primary: true,
                added_by: access.actor.id,
                added_at: to_millis(now),
            })?;
        }
        Ok(id)
    }

    /// One client's demographics.
    pub fn client(&self, access: &Access, id: ClientId) -> CoreResult<Client> {
        let row = self.client_row(id)?;
        let flagged = self.authorize(
            access,
            request(Op::Read, RecordClass::Demographics, id, None),
        )?;
        let key = self.client_key(id, row.key_version)?;
        let client = client::open(&row, &key)?;
        self.record(
            access,
            Action::ClientRead,
            "client",
            id.to_string(),
            id,
            flagged,
        )?;
        Ok(client)
    }

    /// A page of the clients the caller may see, skipping any that were crypto-shredded; the
    /// rest are simply absent.
    pub fn clients(
        &self,
        access: &Access,
        after: Option<ClientId>,
        limit: usize,
    ) -> CoreResult<ClientPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let mut clients = Vec::with_capacity(limit);
        let mut flags = Vec::with_capacity(limit);
        let mut cursor = after;
        let mut more = false;
        // Hidden clients are skipped, so keep reading until the page is full or rows run out.
        'pages: loop {
            let rows = self.store.clients(cursor, limit + 1)?;
            let exhausted = rows.len() <= limit;
            for (i, row) in rows.iter().take(limit).enumerate() {
                cursor = Some(row.id);
                let req = request(Op::List, RecordClass::Demographics, row.id, None);
                let Some(flagged) = self.visible(access, req)? else {
                    continue;
                };
                match self.client_key(row.id, row.key_version) {
                    Ok(key) => {
                        clients.push(client::open(row, &key)?);
                        flags.push(flagged);
                    }
                    Err(CoreError::Shredded) => continue,
                    Err(e) => return Err(e),
                }
                if clients.len() == limit {
                    // More rows may follow (some may turn out hidden; the next page says).
                    more = i + 1 < rows.len();
                    break 'pages;
                }
            }
            if exhausted {
                break;
            }
        }
        let next = if more {
            clients.last().map(|c| c.id)
        } else {
            None
        };
        // Each client shown is a disclosure of their name to this reader: one event each.
        let shown = clients
            .iter()
            .zip(&flags)
            .map(|(c, &f)| (c.id.to_string(), Some(c.id), f));
        self.record_listing(access, Action::ClientList, "client", None, shown)?;
        Ok(ClientPage { clients, next })
    }

    /// Writes a note in a client's record: a draft, or signed at once when the input asks.
    pub fn create_note(
        &self,
        access: &Access,
        client_id: ClientId,
        input: NoteInput,
    ) -> CoreResult<NoteId> {
        let client = self.client_row(client_id)?;
        let flagged = self.authorize(
            access,
            request(
                Op::Create,
                class_of(input.kind),
                client_id,
                Some(access.actor.id),
            ),
        )?;
        let now = self.clock.now();
        let (content, occurred) = input.validate(now)?;
        let key = self.client_key(client_id, client.key_version)?;
        let id = NoteId::random();
        let created_at = to_millis(now);
        let mut row = note::seal(
            id,
            client_id,
            access.actor.id,
            &key,
            created_at,
            input.kind,
            &content,
        )?;
        row.occurred_at = note::millis(occurred);
        row.late_entry = note::is_late(created_at, row.occurred_at);
        let mut events = vec![(Action::NoteCreate, flagged)];
        if input.sign {
            self.sign_row(access, &mut row, &key, now)?;
            events.push((Action::NoteSign, flagged));
        }
        for (action, flagged) in events {
            self.record(access, action, "note", id.to_string(), client_id, flagged)?;
        }
        self.store
            .insert_note(&row)
            .map_err(not_found_on_conflict("client"))?;
        self.index_note(id, client_id, input.kind, access.actor.id, content.render());
        Ok(id)
    }

    /// The notes in a client's record that the caller may read, oldest first; the others
    /// (someone else's psychotherapy notes, say) are simply absent.
    pub fn notes_of_client(&self, access: &Access, client_id: ClientId) -> CoreResult<Vec<Note>> {
        let client = self.client_row(client_id)?;
        self.authorize(
            access,
            request(Op::List, RecordClass::ProgressNotes, client_id, None),
        )
        .or_else(|e| match e {
            // A role that may list the client but not progress notes still may have
            // psychotherapy notes of its own; decide per note below.
            CoreError::Forbidden(_) => Ok(false),
            other => Err(other),
        })?;
        let mut keys = BTreeMap::new();
        let rows = self.store.notes_of_client(client_id)?;
        let mut notes = Vec::with_capacity(rows.len());
        let mut flags = Vec::with_capacity(rows.len());
        for row in &rows {
            let kind = NoteKind::parse(&row.kind)?;
            let req = request(Op::List, class_of(kind), client_id, Some(row.author));
            let Some(flagged) = self.visible(access, req)? else {
                continue;
            };
            let key = match keys.entry(row.key_version) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.client_key(client_id, row.key_version)?),
            };
            notes.push(note::open(row, key)?);
            flags.push(flagged);
        }
        let _ = client;
        let shown = notes
            .iter()
            .zip(&flags)
            .map(|(n, &f)| (n.id.to_string(), Some(client_id), f));
        self.record_listing(access, Action::NoteList, "note", Some(client_id), shown)?;
        Ok(notes)
    }

    /// One note. A note the caller may not read is answered exactly like a nonexistent one.
    pub fn note(&self, access: &Access, id: NoteId) -> CoreResult<Note> {
        let row = self.store.note(id)?.ok_or(CoreError::NotFound("note"))?;
        let kind = NoteKind::parse(&row.kind)?;
        let flagged = self
            .authorize(
                access,
                request(Op::Read, class_of(kind), row.client_id, Some(row.author)),
            )
            .map_err(|e| match e {
                CoreError::NotFound(_) => CoreError::NotFound("note"),
                other => other,
            })?;
        let key = self.client_key(row.client_id, row.key_version)?;
        let note = note::open(&row, &key)?;
        self.record(
            access,
            Action::NoteRead,
            "note",
            id.to_string(),
            row.client_id,
            flagged,
        )?;
        Ok(note)
    }

    /// Records a listing: one event per item shown (id, client, flagged), or one for the
    /// listing itself when nothing was shown, so every request leaves a trace.
    pub(crate) fn record_listing(
        &self,
        access: &Access,
        action: Action,
        resource: &'static str,
        scope: Option<ClientId>,
        shown: impl Iterator<Item = (String, Option<ClientId>, bool)>,
    ) -> CoreResult<()> {
        let now = self.clock.now();
        let mut events: Vec<Event> = shown
            .map(|(id, client, flagged)| {
                let mut e = Event::of(access, now, action, resource, Some(id), client);
                e.flagged = flagged;
                e
            })
            .collect();
        if events.is_empty() {
            events.push(Event::of(access, now, action, resource, None, scope));
        }
        self.audit.record(events).map(drop)
    }

    /// Records one allowed access to one resource of one client, durably.
    pub(crate) fn record(
        &self,
        access: &Access,
        action: Action,
        resource: &'static str,
        resource_id: String,
        client: ClientId,
        flagged: bool,
    ) -> CoreResult<()> {
        let mut event = Event::of(
            access,
            self.clock.now(),
            action,
            resource,
            Some(resource_id),
            Some(client),
        );
        event.flagged = flagged;
        self.audit.record(vec![event]).map(drop)
    }
}
