//! Passkeys (WebAuthn), the stronger second factor beside TOTP: a signed-in staff member
//! registers one from their browser, and at sign-in, after the password, the browser signs the
//! server's challenge with it instead of the person typing a code. A passkey cannot be phished:
//! the browser signs only for this server's origin.
//!
//! This module owns the relying-party configuration, both ceremonies and the passkey list. The
//! state of a ceremony under way is kept in the store (so any server instance can finish it),
//! sealed under the root key and bound to its account and to the session or login challenge it
//! belongs to; it answers one response and expires within minutes. Stored credentials are
//! sealed and bound to their account and id. Nothing here logs or returns a credential, a
//! challenge or a browser's response, and every registration, deletion and use is audited.

use std::time::Duration;

use confidant_crypto::ApiTokenSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use webauthn_rs::prelude::{
    CredentialID, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Webauthn, WebauthnBuilder,
};

pub use webauthn_rs::prelude::Url;

use crate::actor::Credential;
use crate::audit::{Access, Action, Event, Outcome};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, PasskeyId};
use crate::ports::{
    CeremonyKind, Digest, PasskeyCeremonyRow, PasskeyRow, StoreError, UnixMillis, UserRow,
    from_millis, to_millis,
};
use crate::staff::ACTIVE;
use crate::text::{Limit, required};
use crate::vault::Vault;

/// How long a ceremony waits for the browser: WebAuthn's recommended five minutes.
const CEREMONY_TTL: Duration = Duration::from_secs(5 * 60);
/// A passkey's label: one line, like an API token's.
const LABEL: Limit = Limit {
    max_chars: 100,
    multiline: false,
};

/// Where the server is reached, which passkeys are bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyConfig {
    /// Relying party id: the host name passkeys are bound to. Changing it orphans every passkey.
    pub rp_id: String,
    /// The origin browsers load the server from (`https://host[:port]`).
    pub origin: Url,
}

impl PasskeyConfig {
    /// From the server's public URL, e.g. `https://confidant.example.org`: the origin is its
    /// scheme, host and port, the relying party id its host. It must be `https` and name a
    /// host (browsers offer passkeys nowhere else), except `http://localhost` for development.
    pub fn from_public_url(url: &str) -> Result<Self, Invalid> {
        const FIELD: &str = "public_url";
        let url = Url::parse(url.trim()).map_err(|_| {
            Invalid::new(
                FIELD,
                "must be an absolute URL such as https://confidant.example.org",
            )
        })?;
        let host = url.domain().ok_or_else(|| {
            Invalid::new(
                FIELD,
                "must name the server by a host name, not an IP address: browsers do not offer \
                 passkeys to an IP address",
            )
        })?;
        let secure = url.scheme() == "https" || (url.scheme() == "http" && host == "localhost");
        if !secure {
            return Err(Invalid::new(
                FIELD,
                "must start with https:// (plain http only for localhost, in development)",
            ));
        }
        let rp_id = host.to_ascii_lowercase();
        let origin = Url::parse(&url.origin().ascii_serialization())
            .map_err(|_| Invalid::new(FIELD, "has no usable origin"))?;
        Ok(Self { rp_id, origin })
    }

    /// The relying party this configuration describes.
    pub(crate) fn relying_party(&self) -> Result<Webauthn, Invalid> {
        WebauthnBuilder::new(&self.rp_id, &self.origin)
            .and_then(|b| b.rp_name("Confidant").timeout(CEREMONY_TTL).build())
            .map_err(|_| {
                Invalid::new(
                    "public_url",
                    "the relying party id must be the public URL's host or a parent domain of it",
                )
            })
    }
}

/// A passkey as listed to its owner (never the credential).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PasskeyView {
    /// Passkey id (to delete it).
    pub id: PasskeyId,
    /// The owner's name for it.
    pub label: String,
    /// Registered.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last used to sign in.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

fn credential_label(user: ActorId, id: PasskeyId) -> String {
    format!("passkey-credential:{user}:{id}")
}

fn ceremony_label(kind: CeremonyKind, user: ActorId) -> String {
    format!("passkey-ceremony:{}:{user}", kind.as_str())
}

/// Passkeys are added and removed by the person at their browser, never by a script's token.
fn require_session(access: &Access) -> CoreResult<()> {
    if access.actor.credential != Credential::Session {
        return Err(CoreError::Forbidden(
            "passkeys are managed from a signed-in browser session, not with an API token".into(),
        ));
    }
    Ok(())
}

/// Parses a browser's JSON answer; a wrong shape is the caller's mistake, not an attack.
fn parse_response<T: DeserializeOwned>(response: serde_json::Value) -> CoreResult<T> {
    serde_json::from_value(response).map_err(|_| {
        Invalid::new(
            "credential",
            "must be the PublicKeyCredential the browser returned, as JSON",
        )
        .into()
    })
}

impl Vault {
    fn relying_party(&self) -> CoreResult<&Webauthn> {
        self.passkeys.as_ref().ok_or(CoreError::PasskeysDisabled)
    }

    /// The active account behind a signed-in session that `access` came through.
    fn session_owner(&self, access: &Access, session: &ApiTokenSecret) -> CoreResult<UserRow> {
        require_session(access)?;
        let row = self
            .store
            .session(&session.digest())?
            .filter(|s| s.user == access.actor.id)
            .ok_or(CoreError::Unauthenticated)?;
        self.store
            .user(row.user)?
            .filter(|u| u.status == ACTIVE)
            .ok_or(CoreError::Unauthenticated)
    }

    /// Opens a stored passkey's credential.
    fn open_passkey(&self, row: &PasskeyRow) -> CoreResult<Passkey> {
        let bytes = self.open_root_secret(&credential_label(row.user, row.id), &row.credential)?;
        serde_json::from_slice(&bytes).map_err(|_| CoreError::Integrity)
    }

    fn seal_passkey(
        &self,
        user: ActorId,
        id: PasskeyId,
        key: &Passkey,
    ) -> CoreResult<confidant_crypto::Sealed<[u8]>> {
        let bytes =
            zeroize::Zeroizing::new(serde_json::to_vec(key).map_err(|_| CoreError::Integrity)?);
        self.seal_root_secret(&credential_label(user, id), &bytes)
    }

    fn put_ceremony<S: Serialize>(
        &self,
        kind: CeremonyKind,
        digest: Digest,
        user: ActorId,
        state: &S,
        expires_at: UnixMillis,
    ) -> CoreResult<()> {
        let bytes =
            zeroize::Zeroizing::new(serde_json::to_vec(state).map_err(|_| CoreError::Integrity)?);
        let row = PasskeyCeremonyRow {
            digest,
            kind,
            user,
            state: self.seal_root_secret(&ceremony_label(kind, user), &bytes)?,
            expires_at,
        };
        self.store
            .put_passkey_ceremony(&row, to_millis(self.clock.now()))?;
        Ok(())
    }

    /// Takes a ceremony's state, once; `None` if there is none for this account, or it expired.
    fn take_ceremony<S: DeserializeOwned>(
        &self,
        kind: CeremonyKind,
        digest: &Digest,
        user: ActorId,
    ) -> CoreResult<Option<S>> {
        let Some(row) = self.store.take_passkey_ceremony(digest, kind)? else {
            return Ok(None);
        };
        if row.user != user || row.expires_at <= to_millis(self.clock.now()) {
            return Ok(None);
        }
        let bytes = self.open_root_secret(&ceremony_label(kind, user), &row.state)?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| CoreError::Integrity)
    }

    fn audit_passkey(
        &self,
        access: &Access,
        action: Action,
        id: Option<PasskeyId>,
        outcome: Outcome,
    ) -> CoreResult<()> {
        let mut event = Event::of(
            access,
            self.clock.now(),
            action,
            "passkey",
            id.map(|i| i.to_string()),
            None,
        );
        event.outcome = outcome;
        self.audit.record(vec![event]).map(drop)
    }

    /// Starts registering a passkey for the signed-in caller: returns the options to pass to
    /// the browser's `navigator.credentials.create()` (a `CreationChallengeResponse`). A new
    /// start replaces one still under way in the same session.
    pub fn passkey_registration_start(
        &self,
        access: &Access,
        session: &ApiTokenSecret,
    ) -> CoreResult<serde_json::Value> {
        let rp = self.relying_party()?;
        let user = self.session_owner(access, session)?;
        // The browser refuses to register an authenticator that already holds one of these.
        let exclude = self
            .store
            .passkeys_of(user.id)?
            .into_iter()
            .map(|row| CredentialID::from(row.credential_id))
            .collect();
        let name = user.email.clone().unwrap_or_else(|| user.id.to_string());
        let (options, state) = rp
            .start_passkey_registration(
                *user.id.as_uuid(),
                &name,
                &user.display_name,
                Some(exclude),
            )
            .map_err(|_| CoreError::Integrity)?;
        let expires_at = to_millis(self.clock.now() + CEREMONY_TTL);
        self.put_ceremony(
            CeremonyKind::Registration,
            session.digest(),
            user.id,
            &state,
            expires_at,
        )?;
        serde_json::to_value(options).map_err(|_| CoreError::Integrity)
    }

    /// Finishes a registration with the browser's answer (the `PublicKeyCredential` from
    /// `navigator.credentials.create()`, as JSON) and stores the passkey under `label`. The
    /// registration started in this session answers one attempt, right or wrong.
    pub fn passkey_registration_finish(
        &self,
        access: &Access,
        session: &ApiTokenSecret,
        label: &str,
        response: serde_json::Value,
    ) -> CoreResult<PasskeyId> {
        let rp = self.relying_party()?;
        let user = self.session_owner(access, session)?;
        let label = required("label", label.to_owned(), LABEL)?;
        let response: RegisterPublicKeyCredential = parse_response(response)?;
        let state: PasskeyRegistration = self
            .take_ceremony(CeremonyKind::Registration, &session.digest(), user.id)?
            .ok_or(CoreError::Expired(
                "passkey registration (or it was already used); start it again",
            ))?;
        let Ok(key) = rp.finish_passkey_registration(&response, &state) else {
            self.audit_passkey(access, Action::PasskeyRegister, None, Outcome::Denied)?;
            return Err(Invalid::new(
                "credential",
                "the browser's answer does not match this registration; start it again",
            )
            .into());
        };
        let id = PasskeyId::random();
        let row = PasskeyRow {
            id,
            user: user.id,
            credential_id: key.cred_id().as_ref().to_vec(),
            label,
            credential: self.seal_passkey(user.id, id, &key)?,
            created_at: to_millis(self.clock.now()),
            last_used_at: None,
        };
        self.audit_passkey(access, Action::PasskeyRegister, Some(id), Outcome::Allowed)?;
        self.store.insert_passkey(&row).map_err(|e| match e {
            StoreError::Conflict(_) => CoreError::from(Invalid::new(
                "credential",
                "this passkey is already registered to an account",
            )),
            other => other.into(),
        })?;
        Ok(id)
    }

    /// The caller's own passkeys.
    pub fn passkeys(&self, access: &Access) -> CoreResult<Vec<PasskeyView>> {
        self.store
            .passkeys_of(access.actor.id)?
            .into_iter()
            .map(|p| {
                Ok(PasskeyView {
                    id: p.id,
                    label: p.label,
                    created_at: from_millis(p.created_at)?,
                    last_used_at: p.last_used_at.map(from_millis).transpose()?,
                })
            })
            .collect()
    }

    /// Deletes one of the caller's own passkeys; it stops working at once, even in a sign-in
    /// already under way.
    pub fn delete_passkey(&self, access: &Access, id: PasskeyId) -> CoreResult<()> {
        require_session(access)?;
        self.audit_passkey(access, Action::PasskeyDelete, Some(id), Outcome::Allowed)?;
        if !self.store.delete_passkey(access.actor.id, id)? {
            return Err(CoreError::NotFound("passkey"));
        }
        Ok(())
    }

    /// After a correct password: the options to pass to the browser's
    /// `navigator.credentials.get()` (a `RequestChallengeResponse`), listing the account's
    /// passkeys. Answer with `complete_login(challenge, SecondFactor::Passkey(..))`. An
    /// unknown, used or expired challenge is audited as a failed sign-in from `source`.
    pub fn passkey_login_start(
        &self,
        challenge: &ApiTokenSecret,
        source: Option<std::net::IpAddr>,
    ) -> CoreResult<serde_json::Value> {
        let rp = self.relying_party()?;
        let (row, user) = self.pending_login(challenge, source)?;
        let keys = self
            .store
            .passkeys_of(user.id)?
            .iter()
            .map(|row| self.open_passkey(row))
            .collect::<CoreResult<Vec<_>>>()?;
        if keys.is_empty() {
            return Err(Invalid::new(
                "challenge",
                "this account has no passkey; enter the code from the authenticator app",
            )
            .into());
        }
        let (options, state) = rp
            .start_passkey_authentication(&keys)
            .map_err(|_| CoreError::Integrity)?;
        let expires_at = row
            .expires_at
            .min(to_millis(self.clock.now() + CEREMONY_TTL));
        self.put_ceremony(
            CeremonyKind::Authentication,
            row.digest,
            user.id,
            &state,
            expires_at,
        )?;
        serde_json::to_value(options).map_err(|_| CoreError::Integrity)
    }

    /// Checks a browser's signature against the sign-in ceremony begun for `challenge`, which it
    /// uses up. On success updates the passkey's counter and last use and returns its id; `None`
    /// for anything that does not verify, or a passkey deleted meanwhile.
    pub(crate) fn verify_passkey(
        &self,
        challenge: &Digest,
        user: ActorId,
        response: serde_json::Value,
    ) -> CoreResult<Option<PasskeyId>> {
        let rp = self.relying_party()?;
        let state: Option<PasskeyAuthentication> =
            self.take_ceremony(CeremonyKind::Authentication, challenge, user)?;
        let Some(state) = state else {
            return Ok(None);
        };
        let Ok(response) = serde_json::from_value::<PublicKeyCredential>(response) else {
            return Ok(None);
        };
        // Signature, challenge, origin, user verification, and a counter that only moves up.
        let Ok(result) = rp.finish_passkey_authentication(&response, &state) else {
            return Ok(None);
        };
        // The ceremony listed the passkeys of its start; only one still stored counts.
        let Some(row) = self
            .store
            .passkeys_of(user)?
            .into_iter()
            .find(|row| row.credential_id.as_slice() == result.cred_id().as_ref())
        else {
            return Ok(None);
        };
        let mut key = self.open_passkey(&row)?;
        // `None`: the sealed credential is another one than its row says.
        if key.update_credential(&result).is_none() {
            return Err(CoreError::Integrity);
        }
        let sealed = self.seal_passkey(user, row.id, &key)?;
        let used =
            self.store
                .record_passkey_use(user, row.id, &sealed, to_millis(self.clock.now()))?;
        Ok(used.then_some(row.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_gives_its_origin_and_host_as_relying_party() {
        let c = PasskeyConfig::from_public_url(" https://Confidant.Example.org:8443/app/?x=1 ")
            .unwrap();
        assert_eq!(c.rp_id, "confidant.example.org");
        assert_eq!(c.origin.as_str(), "https://confidant.example.org:8443/");
        assert!(c.relying_party().is_ok());
        let dev = PasskeyConfig::from_public_url("http://localhost:8080").unwrap();
        assert_eq!(dev.rp_id, "localhost");
    }

    #[test]
    fn public_url_must_be_https_and_name_a_host() {
        for bad in [
            "confidant.example.org",
            "http://confidant.example.org",
            "https://192.0.2.7",
            "https://[2001:db8::1]",
            "ftp://confidant.example.org",
            "",
        ] {
            let e = PasskeyConfig::from_public_url(bad).unwrap_err();
            assert_eq!(e.field, "public_url", "{bad}");
        }
    }

    #[test]
    fn a_relying_party_id_outside_the_origin_is_refused() {
        let c = PasskeyConfig {
            rp_id: "elsewhere.example".into(),
            origin: Url::parse("https://confidant.example.org").unwrap(),
        };
        assert!(c.relying_party().is_err());
    }
}
