//! API tokens, stored only as the SHA-256 digest of the token text.
//!
//! Lookup is by digest, which is unique. This module must never store or receive the token
//! text itself.

use confidant_core::ids::{ActorId, TokenId};
use confidant_core::ports::{StoreResult, TokenRow, TokenStore};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::uuid;
use super::errors::db_error;

impl TokenStore for SqliteStore {
    fn insert_token(&self, row: &TokenRow) -> StoreResult<()> {
        self.write("insert token", |tx| insert(tx, row))
    }

    fn token_by_digest(&self, digest: &[u8; 32]) -> StoreResult<Option<TokenRow>> {
        let op = "read token";
        self.read(op, |c| {
            c.prepare_cached(
                "SELECT id, digest, actor, role, label, created_at, expires_at \
                 FROM api_tokens WHERE digest = ?1",
            )
            .and_then(|mut s| s.query_row([digest], token_row).optional())
            .map_err(|e| db_error(op, e))
        })
    }
}

/// Inserts a token; shared with `create_practice`, which writes the owner's token.
pub(crate) fn insert(c: &Connection, row: &TokenRow) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO api_tokens (id, digest, actor, role, label, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut s| {
        s.execute(params![
            row.id.as_uuid().as_bytes(),
            row.digest,
            row.actor.as_uuid().as_bytes(),
            row.role,
            row.label,
            row.created_at,
            row.expires_at,
        ])
    })
    .map(drop)
    .map_err(|e| db_error("insert token", e))
}

fn token_row(r: &Row<'_>) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        id: TokenId::from_uuid(uuid(r, 0)?),
        digest: r.get(1)?,
        actor: ActorId::from_uuid(uuid(r, 2)?),
        role: r.get(3)?,
        label: r.get(4)?,
        created_at: r.get(5)?,
        expires_at: r.get(6)?,
    })
}
