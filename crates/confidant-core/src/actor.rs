//! Who is acting: an authenticated staff member, how they proved it (a session, a scoped API
//! token, or the server console), and the personal API tokens scripts use.
//!
//! Tokens are stored only as SHA-256 digests; the token text exists once, when issued. A
//! token acts with its account's *current* role and status, so a role change or deactivation
//! takes effect on the next request.

use std::time::Duration;

use confidant_crypto::ApiTokenSecret;
use serde::Serialize;
use time::OffsetDateTime;

use crate::audit::{Access, Action, Event};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, TokenId};
use crate::policy::StaffRole;
use crate::ports::{TokenRow, UnixMillis, from_millis, to_millis};
use crate::staff::ACTIVE;
use crate::vault::Vault;

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read and list only.
    Read,
    /// Read and write records.
    Write,
    /// Everything the account may do, administration included.
    Admin,
}

impl Scope {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    /// Parses a scope name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// How the actor authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A signed-in session (password and second factor).
    Session,
    /// A personal API token.
    Token {
        /// Which token (for the audit trail).
        id: TokenId,
        /// What it may do.
        scope: Scope,
    },
    /// The server's console (`confidant user …`), run by someone holding the unseal secret.
    Console,
}

/// An authenticated caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub id: ActorId,
    /// In which role (the account's current one).
    pub role: StaffRole,
    /// How they proved it.
    pub credential: Credential,
}

impl Actor {
    /// The token used, if any (for audit events).
    pub fn token(&self) -> Option<TokenId> {
        match self.credential {
            Credential::Token { id, .. } => Some(id),
            _ => None,
        }
    }
}

/// Longest an API token may live.
pub const MAX_TOKEN_TTL: Duration = Duration::from_secs(366 * 86_400);

/// Issues a new token for `actor`; returns the stored row and the secret to hand over once.
pub(crate) fn issue(
    actor: ActorId,
    role: &str,
    scope: Scope,
    label: &str,
    now: UnixMillis,
    expires_at: Option<UnixMillis>,
) -> CoreResult<(TokenRow, ApiTokenSecret)> {
    let secret = ApiTokenSecret::generate()?;
    let row = TokenRow {
        id: TokenId::random(),
        digest: secret.digest(),
        actor,
        role: role.to_owned(),
        scope: scope.as_str().to_owned(),
        label: label.to_owned(),
        created_at: now,
        expires_at,
    };
    Ok((row, secret))
}

/// A token as listed to its owner (never the secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Token id.
    pub id: TokenId,
    /// Label.
    pub label: String,
    /// Scope.
    pub scope: String,
    /// Issued.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Expires.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

impl Vault {
    /// Resolves an API token to the actor it speaks for: unexpired, its account active, with
    /// the account's current role. One read and no write, so the server may call it on its
    /// async workers; keep it that way.
    pub fn authenticate(&self, token: &ApiTokenSecret) -> CoreResult<Actor> {
        let (row, account) = self
            .store
            .token_and_account(&token.digest())?
            .ok_or(CoreError::Unauthenticated)?;
        let now = to_millis(self.clock.now());
        if row.expires_at.is_some_and(|e| e <= now) {
            return Err(CoreError::Unauthenticated);
        }
        let user = account
            .filter(|u| u.status == ACTIVE && u.id == row.actor)
            .ok_or(CoreError::Unauthenticated)?;
        let role = StaffRole::parse(&user.role).ok_or(CoreError::Unauthenticated)?;
        let scope = Scope::parse(&row.scope).ok_or(CoreError::Unauthenticated)?;
        Ok(Actor {
            id: user.id,
            role,
            credential: Credential::Token { id: row.id, scope },
        })
    }

    /// Issues a personal API token for the caller, no broader than the credential in use.
    pub fn create_token(
        &self,
        access: &Access,
        label: &str,
        scope: &str,
        ttl: Duration,
    ) -> CoreResult<(TokenId, ApiTokenSecret, OffsetDateTime)> {
        let scope = Scope::parse(scope)
            .ok_or_else(|| Invalid::new("scope", "must be read, write or admin"))?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 100 || label.chars().any(char::is_control) {
            return Err(
                Invalid::new("label", "is required: one line of at most 100 characters").into(),
            );
        }
        if ttl.is_zero() || ttl > MAX_TOKEN_TTL {
            return Err(Invalid::new("expires_in_days", "must be from 1 to 366 days").into());
        }
        if let Credential::Token { scope: mine, .. } = access.actor.credential
            && (mine as u8) < (scope as u8)
        {
            return Err(CoreError::Forbidden(
                "a token cannot issue a token broader than itself".into(),
            ));
        }
        let now = self.clock.now();
        let expires_at = now + ttl;
        if let Credential::Token { id, .. } = access.actor.credential {
            // A token cannot outlive the token that issues it.
            let parent = self
                .store
                .tokens_of(access.actor.id)?
                .into_iter()
                .find(|t| t.id == id);
            let limit = parent.and_then(|t| t.expires_at);
            if limit.is_some_and(|l| to_millis(expires_at) > l) {
                return Err(Invalid::new(
                    "expires_in_days",
                    "must not outlast the token used to create it",
                )
                .into());
            }
        }
        let (row, secret) = issue(
            access.actor.id,
            access.actor.role.as_str(),
            scope,
            label,
            to_millis(now),
            Some(to_millis(expires_at)),
        )?;
        let event = Event::of(
            access,
            now,
            Action::TokenCreate,
            "token",
            Some(row.id.to_string()),
            None,
        );
        self.audit.record(vec![event])?;
        self.store.insert_token(&row)?;
        Ok((row.id, secret, expires_at))
    }

    /// The caller's own tokens.
    pub fn tokens(&self, access: &Access) -> CoreResult<Vec<TokenView>> {
        self.store
            .tokens_of(access.actor.id)?
            .into_iter()
            .map(|t| {
                Ok(TokenView {
                    id: t.id,
                    label: t.label,
                    scope: t.scope,
                    created_at: from_millis(t.created_at)?,
                    expires_at: t.expires_at.map(from_millis).transpose()?,
                })
            })
            .collect()
    }

    /// Revokes one of the caller's own tokens; it stops working at once.
    pub fn revoke_token(&self, access: &Access, id: TokenId) -> CoreResult<()> {
        let event = Event::of(
            access,
            self.clock.now(),
            Action::TokenRevoke,
            "token",
            Some(id.to_string()),
            None,
        );
        self.audit.record(vec![event])?;
        if !self.store.revoke_token(access.actor.id, id)? {
            return Err(CoreError::NotFound("token"));
        }
        Ok(())
    }
}
