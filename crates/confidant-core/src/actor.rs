//! Who is acting: an authenticated person or script, and the API tokens that prove it.
//!
//! Tokens are stored only as SHA-256 digests; the token text exists once, when issued.

use std::fmt;

use confidant_crypto::ApiTokenSecret;

use crate::error::{CoreError, CoreResult};
use crate::ids::{ActorId, TokenId};
use crate::ports::{TokenRow, UnixMillis};

/// A staff role. Only the practice owner exists until staff accounts arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The practice administrator, created at `init`.
    Owner,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
        }
    }

    /// Parses a stored role name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Self::Owner),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub id: ActorId,
    /// In which role.
    pub role: Role,
    /// Through which token (for the audit trail).
    pub token: TokenId,
}

/// Issues a new token for `actor`; returns the stored row and the secret to hand over once.
pub(crate) fn issue(
    actor: ActorId,
    role: Role,
    scope: &str,
    label: &str,
    now: UnixMillis,
    expires_at: Option<UnixMillis>,
) -> CoreResult<(TokenRow, ApiTokenSecret)> {
    let secret = ApiTokenSecret::generate()?;
    let row = TokenRow {
        id: TokenId::random(),
        digest: secret.digest(),
        actor,
        role: role.as_str().to_owned(),
        scope: scope.to_owned(),
        label: label.to_owned(),
        created_at: now,
        expires_at,
    };
    Ok((row, secret))
}

/// Turns a stored token row into an actor, if it is still valid at `now`.
pub(crate) fn actor_for(row: &TokenRow, now: UnixMillis) -> CoreResult<Actor> {
    if row.expires_at.is_some_and(|e| e <= now) {
        return Err(CoreError::Unauthenticated);
    }
    let role = Role::parse(&row.role).ok_or(CoreError::Unauthenticated)?;
    Ok(Actor {
        id: row.actor,
        role,
        token: row.id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_token_authenticates_no_one() {
        let (row, _secret) =
            issue(ActorId::random(), Role::Owner, "read", "t", 0, Some(1_000)).unwrap();
        assert!(actor_for(&row, 999).is_ok());
        assert!(matches!(
            actor_for(&row, 1_000),
            Err(CoreError::Unauthenticated)
        ));
    }

    #[test]
    fn the_stored_row_holds_the_digest_not_the_token() {
        let (row, secret) = issue(ActorId::random(), Role::Owner, "read", "t", 0, None).unwrap();
        assert_eq!(row.digest, secret.digest());
        assert!(!format!("{row:?}").contains(secret.reveal()));
    }
}
