//! API tokens, stored only as the SHA-256 digest of the token text.
//!
//! Lookup is by digest, which is unique; an actor's tokens are listed and revoked through an
//! index on the actor. Revoking checks the owner in the same statement, so one actor can never
//! delete another's token. This module must never store or receive the token text itself.

use std::sync::LazyLock;

use confidant_core::ids::{ActorId, TokenId};
use confidant_core::ports::{StoreResult, TokenRow, TokenStore, UserRow};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::columns::uuid;
use super::errors::db_error;
use super::staff::{USER_COLUMNS, user_row, write_error};

const TOKEN_COLUMNS: &str = "id, digest, actor, role, scope, label, created_at, expires_at";

/// A token and its account in one read: the account's columns (all NULL without one), then the
/// token's. Both tables name columns alike, hence the prefixes.
static TOKEN_AND_ACCOUNT: LazyLock<String> = LazyLock::new(|| {
    let prefixed = |table: &str, columns: &str| {
        columns
            .split(',')
            .map(|c| format!("{table}.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "SELECT {}, {} FROM api_tokens AS t LEFT JOIN users AS u ON u.id = t.actor \
         WHERE t.digest = ?1",
        prefixed("u", USER_COLUMNS),
        prefixed("t", TOKEN_COLUMNS)
    )
});

impl TokenStore for SqliteStore {
    fn insert_token(&self, row: &TokenRow) -> StoreResult<()> {
        self.write("insert token", |tx| insert(tx, row))
    }

    fn token_by_digest(&self, digest: &[u8; 32]) -> StoreResult<Option<TokenRow>> {
        let op = "read token";
        self.read(op, |c| {
            c.prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE digest = ?1"
            ))
            .and_then(|mut s| s.query_row([digest], token_row).optional())
            .map_err(|e| db_error(op, e))
        })
    }

    fn token_and_account(
        &self,
        digest: &[u8; 32],
    ) -> StoreResult<Option<(TokenRow, Option<UserRow>)>> {
        let op = "read token and account";
        self.read_token(op, |c| {
            c.prepare_cached(&TOKEN_AND_ACCOUNT)
                .and_then(|mut s| {
                    s.query_row([digest], |r| {
                        let account = match r.get_ref(0)? {
                            rusqlite::types::ValueRef::Null => None,
                            _ => Some(user_row(r)?),
                        };
                        Ok((token_row_at(r, USER_COLUMNS.split(',').count())?, account))
                    })
                    .optional()
                })
                .map_err(|e| db_error(op, e))
        })
    }

    fn tokens_of(&self, actor: ActorId) -> StoreResult<Vec<TokenRow>> {
        let op = "list tokens of actor";
        self.read(op, |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE actor = ?1 \
                     ORDER BY created_at, id"
                ))
                .map_err(|e| db_error(op, e))?;
            let rows = stmt
                .query_map([actor.as_uuid().as_bytes()], token_row)
                .map_err(|e| db_error(op, e))?;
            rows.collect::<Result<_, _>>().map_err(|e| db_error(op, e))
        })
    }

    fn revoke_token(&self, actor: ActorId, id: TokenId) -> StoreResult<bool> {
        let op = "revoke token";
        self.write(op, |tx| {
            tx.prepare_cached("DELETE FROM api_tokens WHERE id = ?1 AND actor = ?2")
                .and_then(|mut s| {
                    s.execute(params![id.as_uuid().as_bytes(), actor.as_uuid().as_bytes()])
                })
                .map(|deleted| deleted == 1)
                .map_err(|e| db_error(op, e))
        })
    }
}

/// Inserts a token; shared with `create_practice`, which writes the owner's token.
pub(crate) fn insert(c: &Connection, row: &TokenRow) -> StoreResult<()> {
    c.prepare_cached(&format!(
        "INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))
    .and_then(|mut s| {
        s.execute(params![
            row.id.as_uuid().as_bytes(),
            row.digest,
            row.actor.as_uuid().as_bytes(),
            row.role,
            row.scope,
            row.label,
            row.created_at,
            row.expires_at,
        ])
    })
    .map(drop)
    // No foreign key here: a refused write is a taken id or digest, or a scope the schema
    // does not know.
    .map_err(|e| write_error("insert token", "actor", e))
}

fn token_row(r: &Row<'_>) -> rusqlite::Result<TokenRow> {
    token_row_at(r, 0)
}

/// A token from `TOKEN_COLUMNS` starting at column `at`.
fn token_row_at(r: &Row<'_>, at: usize) -> rusqlite::Result<TokenRow> {
    Ok(TokenRow {
        id: TokenId::from_uuid(uuid(r, at)?),
        digest: r.get(at + 1)?,
        actor: ActorId::from_uuid(uuid(r, at + 2)?),
        role: r.get(at + 3)?,
        scope: r.get(at + 4)?,
        label: r.get(at + 5)?,
        created_at: r.get(at + 6)?,
        expires_at: r.get(at + 7)?,
    })
}
