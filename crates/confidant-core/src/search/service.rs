//! Search as a service: the vault's in-memory index is built at unseal from the opened records,
//! kept current on every write and shred, and queried only through the access policy — a hit
//! the caller may not see is never returned, never counted, and never changes a visible score.
//!
//! The index exists only in this process's memory; nothing here writes it anywhere. Each hit
//! returned is audited, like a listing.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde::Serialize;

use super::{Doc, DocId, DocKind, Hit, Query, SearchIndex};
use crate::access::Request;
use crate::audit::{Access, Action};
use crate::client;
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ClientId, NoteId};
use crate::note;
use crate::policy::{Op, RecordClass};
use crate::vault::Vault;

/// Most results one search returns.
pub const MAX_RESULTS: usize = 100;

/// One search result: where the words were found (ids only; fetching the record is a read).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    /// `client_name`, `progress_note` or `psychotherapy_note`.
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// Whose record.
    pub client_id: ClientId,
    /// The note, for note hits.
    pub note_id: Option<NoteId>,
    /// Relevance (higher first).
    pub score: f32,
}

fn class_of(kind: DocKind) -> RecordClass {
    match kind {
        DocKind::ClientName => RecordClass::Demographics,
        DocKind::ProgressNote => RecordClass::ProgressNotes,
        DocKind::PsychotherapyNote => RecordClass::PsychotherapyNotes,
    }
}

fn kind_name(kind: DocKind) -> &'static str {
    match kind {
        DocKind::ClientName => "client_name",
        DocKind::ProgressNote => "progress_note",
        DocKind::PsychotherapyNote => "psychotherapy_note",
    }
}

impl Vault {
    /// Builds the index from every record that can be opened (shredded clients are skipped).
    pub(crate) fn build_search_index(&self) -> CoreResult<SearchIndex> {
        let mut index = SearchIndex::new();
        let mut after = None;
        loop {
            let rows = self.store.clients(after, 500)?;
            let Some(last) = rows.last() else { break };
            after = Some(last.id);
            for row in &rows {
                let key = match self.client_key(row.id, row.key_version) {
                    Ok(key) => key,
                    Err(CoreError::Shredded) => continue,
                    Err(e) => return Err(e),
                };
                index.insert_or_replace(Doc::client_name(&client::open(row, &key)?));
                let mut older = BTreeMap::new();
                for note_row in self.store.notes_of_client(row.id)? {
                    let note_key = if note_row.key_version == row.key_version {
                        &key
                    } else {
                        match older.entry(note_row.key_version) {
                            Entry::Occupied(e) => e.into_mut(),
                            Entry::Vacant(e) => {
                                e.insert(self.client_key(row.id, note_row.key_version)?)
                            }
                        }
                    };
                    let opened = note::open(&note_row, note_key)?;
                    index.insert_or_replace(Doc::note(&opened, Some(note_row.author)));
                }
            }
            if rows.len() < 500 {
                break;
            }
        }
        index.shrink_to_fit();
        Ok(index)
    }

    /// Adds or replaces a document in the live index.
    pub(crate) fn index(&self, doc: Doc) {
        if let Ok(mut index) = self.search.write() {
            index.insert_or_replace(doc);
        }
    }

    /// Indexes (or re-indexes) a note's text as written by its author.
    pub(crate) fn index_note(
        &self,
        id: crate::ids::NoteId,
        client: ClientId,
        kind: crate::note::NoteKind,
        author: crate::ids::ActorId,
        text: String,
    ) {
        self.index(Doc {
            id: DocId::Note(id),
            client,
            kind: kind.into(),
            author: Some(author),
            text,
        });
    }

    /// Indexes (or re-indexes) a client's names.
    pub(crate) fn index_client(&self, id: ClientId, client: &crate::client::NewClient) {
        self.index(Doc {
            id: DocId::Client(id),
            client: id,
            kind: DocKind::ClientName,
            author: None,
            text: crate::client::search_name(client),
        });
    }

    /// Drops everything of a client from the live index.
    pub(crate) fn unindex_client(&self, client: ClientId) {
        if let Ok(mut index) = self.search.write() {
            index.remove_client(client);
        }
    }

    /// Searches client names and note text, returning only what the caller may see.
    pub fn search(
        &self,
        access: &Access,
        text: &str,
        limit: usize,
    ) -> CoreResult<Vec<SearchResult>> {
        if text.chars().count() > 200 {
            return Err(Invalid::new("q", "must be at most 200 characters").into());
        }
        let query = Query::new(text, limit.clamp(1, MAX_RESULTS));
        let mut failure = None;
        let mut flags = Vec::new();
        // The caller's relationships, read once: most hits are ruled out without a read.
        let visibility = self.visibility(access)?;
        let hits: Vec<Hit> = {
            let index = self.search.read().map_err(|_| CoreError::Integrity)?;
            index.search_filtered(&query, |hit| {
                let req = Request {
                    op: Op::List,
                    class: class_of(hit.kind),
                    client: hit.client,
                    author: hit.author,
                };
                match visibility.visible(req) {
                    Ok(Some(flagged)) => {
                        flags.push((hit.id, flagged));
                        true
                    }
                    Ok(None) => false,
                    Err(e) => {
                        failure.get_or_insert(e);
                        false
                    }
                }
            })
        };
        if let Some(e) = failure {
            return Err(e);
        }
        let shown = hits.iter().map(|h| {
            let flagged = flags.iter().any(|(id, f)| *id == h.id && *f);
            (doc_id(h.id), Some(h.client), flagged)
        });
        self.record_listing(access, Action::Search, "search", None, shown)?;
        Ok(hits
            .into_iter()
            .map(|h| SearchResult {
                kind: kind_name(h.kind),
                client_id: h.client,
                note_id: match h.id {
                    DocId::Note(n) => Some(n),
                    DocId::Client(_) => None,
                },
                score: h.score,
            })
            .collect())
    }
}

fn doc_id(id: DocId) -> String {
    match id {
        DocId::Client(c) => c.to_string(),
        DocId::Note(n) => n.to_string(),
    }
}
