//! A note's life after it is first written: edits of a draft (every version kept), the author's
//! signature (which ends the draft), a supervisor's co-signature of a trainee's note, addenda
//! (the only way to correct a signed note), the version history, and a client's discharge.
//!
//! Every call asks the access policy first and records the access before it writes or returns.
//! A lifecycle refusal (a signed note edited, someone else's note signed, an addendum on a
//! draft) is a `State` or `Forbidden` error and writes nothing but the audit trace.

use time::OffsetDateTime;

use crate::audit::{Access, Action};
use crate::client::{self, Client, ClientInput, ClientStatus, NewClient};
use crate::error::{CoreError, CoreResult};
use crate::ids::{ClientId, NoteId};
use crate::note::{
    self, AddendumInput, Content, ContentInput, Note, NoteEditInput, NoteKind, NoteStatus,
    NoteVersion,
};
use crate::policy::{Op, RecordClass, StaffRole};
use crate::ports::{CosignatureRow, NoteEdit, NoteRow, SignatureRow, to_millis};
use crate::records::{class_of, request};
use crate::vault::Vault;

const SIGNED: &str = "this note is signed and can no longer change; correct it with an addendum";
const CHANGED: &str =
    "the note has changed since that version was read; reload it and make the change again";
const DRAFT_PARENT: &str =
    "addenda correct signed notes; this note is still a draft, so edit it instead";
const NOT_AWAITING: &str = "only a signed trainee's note awaiting co-signature can be co-signed";

impl Vault {
    /// Loads a note and asks the policy for `op` on it; a note the caller may not know of is
    /// answered like a nonexistent one.
    fn note_for(&self, access: &Access, id: NoteId, op: Op) -> CoreResult<(NoteRow, bool)> {
        let row = self.store.note(id)?.ok_or(CoreError::NotFound("note"))?;
        let kind = NoteKind::parse(&row.kind)?;
        let class = class_of(kind);
        // Whoever may not read the note may not learn it exists, whatever they ask to do.
        if op != Op::Read
            && self
                .visible(
                    access,
                    request(Op::Read, class, row.client_id, Some(row.author)),
                )?
                .is_none()
        {
            return Err(CoreError::NotFound("note"));
        }
        let flagged = self
            .authorize(access, request(op, class, row.client_id, Some(row.author)))
            .map_err(|e| match e {
                CoreError::NotFound(_) => CoreError::NotFound("note"),
                other => other,
            })?;
        Ok((row, flagged))
    }

    /// Refuses, and audits the refusal, when the caller is not the note's author.
    fn require_author(&self, access: &Access, row: &NoteRow, why: &str) -> CoreResult<()> {
        if row.author == access.actor.id {
            return Ok(());
        }
        self.record_denial(
            access,
            Action::Denied,
            "note",
            Some(row.id.to_string()),
            Some(row.client_id),
        )?;
        Err(CoreError::Forbidden(why.to_owned()))
    }

    /// Signs a row in memory as its author: the hash of its current content, and the status
    /// it moves to (a trainee's note awaits the supervisor's co-signature).
    pub(crate) fn sign_row(
        &self,
        access: &Access,
        row: &mut NoteRow,
        key: &confidant_crypto::ClientKey,
        now: OffsetDateTime,
    ) -> CoreResult<()> {
        self.require_author(access, row, "only a note's author can sign it")?;
        let status = if access.actor.role == StaffRole::Trainee {
            NoteStatus::Signed
        } else {
            NoteStatus::Locked
        };
        row.signature = Some(SignatureRow {
            by: access.actor.id,
            at: to_millis(now),
            content_hash: note::seal_signature_hash(row, key)?,
        });
        row.status = status.as_str().to_owned();
        Ok(())
    }

    /// Replaces a draft's text (and session time) with a new version; the version replaced is
    /// kept. Only the author edits a draft; a signed note never changes.
    pub fn update_note(
        &self,
        access: &Access,
        id: NoteId,
        input: NoteEditInput,
    ) -> CoreResult<Note> {
        let (row, flagged) = self.note_for(access, id, Op::Update)?;
        self.require_author(access, &row, "only a note's author can edit it")?;
        if NoteStatus::parse(&row.status)? != NoteStatus::Draft {
            return Err(CoreError::State(SIGNED));
        }
        if input.version != row.version {
            return Err(CoreError::State(CHANGED));
        }
        let now = self.clock.now();
        let content = Content::validate(ContentInput {
            template: input.template,
            body: input.body,
            sections: input.sections,
        })?;
        let occurred = match note::occurred_at(input.occurred_at.as_deref(), now)? {
            Some(at) => Some(to_millis(at)),
            None => row.occurred_at,
        };
        let key = self.current_client_key(row.client_id)?;
        let next = row
            .version
            .checked_add(1)
            .ok_or(CoreError::State(CHANGED))?;
        let edit = NoteEdit {
            id,
            from_version: row.version,
            key_version: key.version(),
            format: 1,
            body: note::seal_version(&row, &key, next, &content)?,
            occurred_at: occurred,
            late_entry: note::is_late(row.created_at, occurred),
            at: to_millis(now),
        };
        self.record(
            access,
            Action::NoteUpdate,
            "note",
            id.to_string(),
            row.client_id,
            flagged,
        )?;
        if !self.store.update_note_draft(&edit)? {
            return Err(CoreError::State(CHANGED));
        }
        self.index_note(
            id,
            row.client_id,
            NoteKind::parse(&row.kind)?,
            row.author,
            content.render(),
        );
        self.opened_note(id)
    }

    /// Signs a draft as its author, at the version the caller read: the signature records who,
    /// when, and the hash of exactly that content. Signed, the note can never change again.
    pub fn sign_note(&self, access: &Access, id: NoteId, version: u32) -> CoreResult<Note> {
        let (mut row, flagged) = self.note_for(access, id, Op::Update)?;
        self.require_author(access, &row, "only a note's author can sign it")?;
        if NoteStatus::parse(&row.status)? != NoteStatus::Draft {
            return Err(CoreError::State(SIGNED));
        }
        if version != row.version {
            return Err(CoreError::State(CHANGED));
        }
        let key = self.client_key(row.client_id, row.key_version)?;
        self.sign_row(access, &mut row, &key, self.clock.now())?;
        let signature = row.signature.clone().ok_or(CoreError::Integrity)?;
        self.record(
            access,
            Action::NoteSign,
            "note",
            id.to_string(),
            row.client_id,
            flagged,
        )?;
        if !self.store.sign_note(id, version, &row.status, &signature)? {
            return Err(CoreError::State(CHANGED));
        }
        self.opened_note(id)
    }

    /// Co-signs a trainee's signed note as their assigned supervisor, which locks it.
    pub fn cosign_note(&self, access: &Access, id: NoteId) -> CoreResult<Note> {
        let (row, flagged) = self.note_for(access, id, Op::Read)?;
        let supervisor = self.store.user(row.author)?.and_then(|u| u.supervisor);
        if supervisor != Some(access.actor.id) {
            self.record_denial(
                access,
                Action::Denied,
                "note",
                Some(id.to_string()),
                Some(row.client_id),
            )?;
            return Err(CoreError::Forbidden(
                "only the author's assigned supervisor can co-sign a note".to_owned(),
            ));
        }
        if NoteStatus::parse(&row.status)? != NoteStatus::Signed {
            return Err(CoreError::State(NOT_AWAITING));
        }
        let now = to_millis(self.clock.now());
        self.record(
            access,
            Action::NoteCosign,
            "note",
            id.to_string(),
            row.client_id,
            flagged,
        )?;
        let cosignature = CosignatureRow {
            by: access.actor.id,
            at: now,
        };
        if !self.store.cosign_note(id, cosignature)? {
            return Err(CoreError::State(NOT_AWAITING));
        }
        self.opened_note(id)
    }

    /// Adds an addendum to a signed note: a note of its own, of the same kind and client,
    /// pointing at the note it corrects; a draft until its author signs it (or at once).
    pub fn add_addendum(
        &self,
        access: &Access,
        parent: NoteId,
        input: AddendumInput,
    ) -> CoreResult<NoteId> {
        let (parent_row, _) = self.note_for(access, parent, Op::Read)?;
        let kind = NoteKind::parse(&parent_row.kind)?;
        let flagged = self.authorize(
            access,
            request(
                Op::Create,
                class_of(kind),
                parent_row.client_id,
                Some(access.actor.id),
            ),
        )?;
        if NoteStatus::parse(&parent_row.status)? == NoteStatus::Draft {
            return Err(CoreError::State(DRAFT_PARENT));
        }
        let content = Content::validate(ContentInput {
            template: input.template,
            body: input.body,
            sections: input.sections,
        })?;
        let now = self.clock.now();
        let key = self.current_client_key(parent_row.client_id)?;
        let id = NoteId::random();
        let mut row = note::seal(
            id,
            parent_row.client_id,
            access.actor.id,
            &key,
            to_millis(now),
            kind,
            &content,
        )?;
        row.addendum_of = Some(parent);
        row.occurred_at = parent_row.occurred_at;
        row.late_entry = note::is_late(row.created_at, row.occurred_at);
        let mut events = vec![Action::NoteAddendum];
        if input.sign {
            self.sign_row(access, &mut row, &key, now)?;
            events.push(Action::NoteSign);
        }
        for action in events {
            self.record(
                access,
                action,
                "note",
                id.to_string(),
                row.client_id,
                flagged,
            )?;
        }
        self.store.insert_note(&row)?;
        self.index_note(id, row.client_id, kind, access.actor.id, content.render());
        Ok(id)
    }

    /// The earlier versions of a note (its drafts before the current one), oldest first.
    pub fn note_versions(&self, access: &Access, id: NoteId) -> CoreResult<Vec<NoteVersion>> {
        let (row, flagged) = self.note_for(access, id, Op::Read)?;
        let mut versions = Vec::new();
        for v in self.store.note_versions(id)? {
            let key = self.client_key(row.client_id, v.key_version)?;
            versions.push(note::open_version(&v, row.client_id, &key)?);
        }
        self.record(
            access,
            Action::NoteHistory,
            "note",
            id.to_string(),
            row.client_id,
            flagged,
        )?;
        Ok(versions)
    }

    /// Replaces a client's demographics (a move, a new phone, a corrected name), sealed afresh
    /// under their current key; the search index follows at once.
    pub fn update_client(
        &self,
        access: &Access,
        id: ClientId,
        input: ClientInput,
    ) -> CoreResult<Client> {
        let row = self.client_row(id)?;
        let flagged = self.authorize(
            access,
            request(Op::Update, RecordClass::Demographics, id, None),
        )?;
        let new = NewClient::validate(input, self.clock.now().date())?;
        let key = self.client_key(id, row.key_version)?;
        let sealed = client::seal(id, &key, row.created_at, &new)?;
        self.record(
            access,
            Action::ClientUpdate,
            "client",
            id.to_string(),
            id,
            flagged,
        )?;
        if !self.store.update_client(&sealed)? {
            return Err(CoreError::NotFound("client"));
        }
        self.index_client(id, &new);
        let row = self.client_row(id)?;
        client::open(&row, &key)
    }

    /// Discharges a client, or readmits one; their record stays whole either way.
    pub fn set_client_status(
        &self,
        access: &Access,
        id: ClientId,
        status: ClientStatus,
    ) -> CoreResult<Client> {
        let row = self.client_row(id)?;
        let flagged = self.authorize(
            access,
            request(Op::Update, RecordClass::Demographics, id, None),
        )?;
        let at = match status {
            ClientStatus::Active => None,
            ClientStatus::Discharged => Some(
                row.discharged_at
                    .unwrap_or_else(|| to_millis(self.clock.now())),
            ),
        };
        self.record(
            access,
            Action::ClientStatus,
            "client",
            id.to_string(),
            id,
            flagged,
        )?;
        if !self.store.set_client_discharged(id, at)? {
            return Err(CoreError::NotFound("client"));
        }
        let row = self.client_row(id)?;
        let key = self.client_key(id, row.key_version)?;
        client::open(&row, &key)
    }

    /// A note just written by this call, opened to hand back (the access is already recorded).
    fn opened_note(&self, id: NoteId) -> CoreResult<Note> {
        let row = self.store.note(id)?.ok_or(CoreError::NotFound("note"))?;
        let key = self.client_key(row.client_id, row.key_version)?;
        note::open(&row, &key)
    }

    /// The client's current data key, for sealing something new.
    fn current_client_key(&self, client: ClientId) -> CoreResult<confidant_crypto::ClientKey> {
        let row = self.client_row(client)?;
        self.client_key(client, row.key_version)
    }
}
