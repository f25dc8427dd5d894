//! Search over client names and note text: an inverted index held in memory only.
//!
//! It owns the index structure, the one definition of a search term (`tokens`) and the ranking.
//! The index is built at unseal from the opened records and updated on every write by its
//! caller; it keeps only terms and counts, never the text it was given.
//!
//! It must never:
//! - touch the file system, a store port or any other I/O (nothing here can reach the disk);
//! - log, or show words in `Debug` output (the index prints counts only, documents and queries
//!   print `[REDACTED]` for their text);
//! - decide who may see what. Every hit names its client, record class and author so the caller
//!   can ask the access policy about it; `SearchIndex::search_filtered` drops what the policy
//!   hides *before* the limit, so a hidden record (a restricted client, another clinician's
//!   psychotherapy note) never takes a place in the results, and nothing about hidden records
//!   enters a visible hit's score.

mod index;
mod rank;
mod service;
mod tokens;

use std::fmt;

use zeroize::Zeroize;

use crate::client::Client;
use crate::ids::{ActorId, ClientId, NoteId};
use crate::note::{Note, NoteKind};

pub use index::{IndexStats, SearchIndex};
pub use service::{MAX_RESULTS, SearchResult};

/// Which record a document stands for, so a hit can be opened (and audited) by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocId {
    /// The client's name (their demographics record).
    Client(ClientId),
    /// One note.
    Note(NoteId),
}

/// The record class of a document, so the caller can ask the policy about each hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocKind {
    /// Legal and preferred name: demographics.
    ClientName,
    /// A progress note: part of the clinical record.
    ProgressNote,
    /// A psychotherapy note: readable by its author alone.
    PsychotherapyNote,
}

impl From<NoteKind> for DocKind {
    fn from(kind: NoteKind) -> Self {
        match kind {
            NoteKind::Progress => Self::ProgressNote,
            NoteKind::Psychotherapy => Self::PsychotherapyNote,
        }
    }
}

/// One record's searchable text, handed to the index; its text is wiped when it is dropped.
pub struct Doc {
    /// Which record.
    pub id: DocId,
    /// Whose record, for the policy and for `SearchIndex::remove_client`.
    pub client: ClientId,
    /// Record class, for the policy.
    pub kind: DocKind,
    /// Who wrote it, for the policy (psychotherapy notes belong to their author).
    pub author: Option<ActorId>,
    /// The searchable text; the index keeps its terms, never the text.
    pub text: String,
}

impl Doc {
    /// A client's name document: legal and preferred name joined, so either finds them.
    pub fn client_name(client: &Client) -> Self {
        let mut text = client.legal_name.clone();
        if let Some(preferred) = &client.preferred_name {
            text.push(' ');
            text.push_str(preferred);
        }
        Self {
            id: DocId::Client(client.id),
            client: client.id,
            kind: DocKind::ClientName,
            author: None,
            text,
        }
    }

    /// A note's document; the author comes from the caller because the note does not carry it.
    pub fn note(note: &Note, author: Option<ActorId>) -> Self {
        Self {
            id: DocId::Note(note.id),
            client: note.client_id,
            kind: note.kind.into(),
            author,
            text: note.body.clone(),
        }
    }
}

impl fmt::Debug for Doc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Doc")
            .field("id", &self.id)
            .field("client", &self.client)
            .field("kind", &self.kind)
            .field("author", &self.author)
            .field("text", &"[REDACTED]")
            .finish()
    }
}

impl Drop for Doc {
    fn drop(&mut self) {
        self.text.zeroize();
    }
}

/// What a user typed and how many hits they want; the text is wiped when it is dropped.
///
/// Every term must match; the last one also matches as a prefix (type-ahead). Terms shorter
/// than two characters are ignored, and a query with no term left finds nothing.
#[derive(Clone)]
pub struct Query {
    /// The words typed.
    pub text: String,
    /// Most hits to return, counting only hits the caller's filter allows.
    pub limit: usize,
}

impl Query {
    /// A query for at most `limit` hits.
    pub fn new(text: impl Into<String>, limit: usize) -> Self {
        Self {
            text: text.into(),
            limit,
        }
    }
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("text", &"[REDACTED]")
            .field("limit", &self.limit)
            .finish()
    }
}

impl Drop for Query {
    fn drop(&mut self) {
        self.text.zeroize();
    }
}

/// One matching record, without its text: ids to ask the policy with and to open it by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Which record.
    pub id: DocId,
    /// Whose record.
    pub client: ClientId,
    /// Record class.
    pub kind: DocKind,
    /// Who wrote it.
    pub author: Option<ActorId>,
    /// Relevance; higher first. Depends only on this record and the query.
    pub score: f32,
}
