//! Signing in: password, then a second factor (TOTP, enrolled at first sign-in, a passkey, or a
//! single-use recovery code), then a server-side session with idle and absolute timeouts. Repeated
//! failures slow down and lock the account for a while. Every failure is audited — never the
//! secret that was tried.
//!
//! Tokens (challenge, session, CSRF) are random and stored only as digests; the TOTP secret is
//! sealed under the root key.

use std::time::Duration;

use confidant_crypto::ApiTokenSecret;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::actor::{Actor, Credential};
use crate::audit::{Access, Action, Event, Outcome, Purpose};
use crate::auth::password::{StaffPassword, verify_password};
use crate::auth::recovery::RecoveryCodes;
use crate::auth::totp::{self, TotpSecret};
use crate::error::{CoreError, CoreResult};
use crate::ids::{ActorId, PasskeyId};
use crate::policy::StaffRole;
use crate::ports::{ChallengeRow, SessionRow, UnixMillis, UserRow, to_millis};
use crate::staff::{ACTIVE, normalise_email};
use crate::vault::Vault;

/// Sign-in limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// A session ends after this long without a request.
    pub idle: Duration,
    /// A session ends this long after sign-in, whatever happens.
    pub absolute: Duration,
    /// Failures allowed before delays and locking start.
    pub free_failures: u32,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(15 * 60),
            absolute: Duration::from_secs(12 * 3600),
            free_failures: 5,
        }
    }
}

/// How long a password-checked sign-in waits for its second factor.
const CHALLENGE_TTL: Duration = Duration::from_secs(5 * 60);
/// First lock after `free_failures`; doubles with each further failure, up to `MAX_LOCK`.
const BASE_LOCK: Duration = Duration::from_secs(30);
const MAX_LOCK: Duration = Duration::from_secs(3600);
/// Label binding sealed TOTP secrets to their purpose.
const TOTP_LABEL: &str = "totp-secret";
/// Sessions are touched at most this often, so reads do not all turn into writes.
const TOUCH_EVERY_MS: i64 = 30_000;

/// What comes after a correct password.
#[derive(Debug)]
pub enum LoginStep {
    /// Enter the current code from the authenticator app.
    Totp {
        /// Token for the second step.
        challenge: ApiTokenSecret,
    },
    /// First sign-in: add this secret to an authenticator app, then enter a code.
    Enroll {
        /// Token for the second step.
        challenge: ApiTokenSecret,
        /// `otpauth://` URI (for a QR code).
        uri: Zeroizing<String>,
        /// The same secret in base32, to type in.
        secret_base32: Zeroizing<String>,
    },
}

/// The second factor presented.
#[derive(Debug)]
pub enum SecondFactor {
    /// A 6-digit TOTP code.
    Totp(String),
    /// One of the single-use recovery codes.
    Recovery(String),
    /// A passkey's signature: the `PublicKeyCredential` the browser returned from
    /// `navigator.credentials.get()` for the options of `Vault::passkey_login_start`, as JSON.
    Passkey(serde_json::Value),
}

/// A new session, handed to the browser once.
#[derive(Debug)]
pub struct NewSession {
    /// The session cookie's value.
    pub token: ApiTokenSecret,
    /// The CSRF token to send back with every state-changing request.
    pub csrf: ApiTokenSecret,
    /// Recovery codes, shown once, when this sign-in completed enrolment.
    pub recovery_codes: Option<Vec<Zeroizing<String>>>,
}

/// The account a session belongs to, for `whoami`.
#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    /// Account id.
    pub id: ActorId,
    /// Role.
    pub role: String,
}

impl Vault {
    fn audit_auth(
        &self,
        user: Option<&UserRow>,
        action: Action,
        outcome: Outcome,
        source: Option<std::net::IpAddr>,
    ) -> CoreResult<()> {
        self.audit_auth_by(user, action, outcome, source, None)
    }

    /// Like `audit_auth`, naming the passkey that signed in, if one did.
    fn audit_auth_by(
        &self,
        user: Option<&UserRow>,
        action: Action,
        outcome: Outcome,
        source: Option<std::net::IpAddr>,
        passkey: Option<PasskeyId>,
    ) -> CoreResult<()> {
        let actor = user.and_then(|u| {
            StaffRole::parse(&u.role).map(|role| Actor {
                id: u.id,
                role,
                credential: Credential::Session,
            })
        });
        let event = Event {
            at: self.clock.now(),
            actor,
            action,
            resource: if passkey.is_some() {
                "passkey"
            } else {
                "session"
            },
            resource_id: passkey.map(|id| id.to_string()),
            client: None,
            purpose: Some(Purpose::Operations),
            outcome,
            source,
            flagged: false,
        };
        self.audit.record(vec![event]).map(drop)
    }

    /// Counts a failure: after the free ones, each further failure locks the account for twice
    /// as long as the last, up to an hour.
    fn count_failure(
        &self,
        mut user: UserRow,
        source: Option<std::net::IpAddr>,
    ) -> CoreResult<CoreError> {
        let now = to_millis(self.clock.now());
        user.failed_logins = user.failed_logins.saturating_add(1);
        // The `free_failures`-th failure is the one that locks (five failures lock for 30 s).
        let over = user
            .failed_logins
            .saturating_add(1)
            .saturating_sub(self.limits.free_failures);
        if over > 0 {
            let lock = BASE_LOCK
                .saturating_mul(1 << over.min(16).saturating_sub(1))
                .min(MAX_LOCK);
            user.locked_until = Some(now + lock.as_millis() as i64);
        }
        self.audit_auth(Some(&user), Action::AuthFail, Outcome::Denied, source)?;
        self.store.update_user(&user)?;
        Ok(CoreError::LoginFailed)
    }

    fn check_lock(&self, user: &UserRow, source: Option<std::net::IpAddr>) -> CoreResult<()> {
        let now = to_millis(self.clock.now());
        if let Some(until) = user.locked_until
            && until > now
        {
            self.audit_auth(Some(user), Action::AuthLocked, Outcome::Denied, source)?;
            return Err(CoreError::Locked {
                seconds: ((until - now) / 1000 + 1) as u64,
            });
        }
        Ok(())
    }

    /// First step: e-mail and password. Answers the same way for an unknown e-mail, a wrong
    /// password and an inactive account.
    pub fn begin_login(
        &self,
        email: &str,
        password: &StaffPassword,
        source: Option<std::net::IpAddr>,
    ) -> CoreResult<LoginStep> {
        let user = match normalise_email(email) {
            Ok(e) => self.store.user_by_email(&e)?,
            Err(_) => None,
        };
        let Some(user) = user.filter(|u| u.status == ACTIVE) else {
            // Spend the same time as a real check so timing does not reveal accounts.
            let _ = verify_password(password, crate::auth::password::DUMMY_PHC);
            self.audit_auth(None, Action::AuthFail, Outcome::Denied, source)?;
            return Err(CoreError::LoginFailed);
        };
        self.check_lock(&user, source)?;
        let phc = user.password_phc.as_deref().ok_or(CoreError::LoginFailed)?;
        let ok = verify_password(password, phc).map_err(|_| CoreError::Integrity)?;
        if !ok {
            return Err(self.count_failure(user, source)?);
        }
        let challenge = ApiTokenSecret::generate()?;
        let expires_at = to_millis(self.clock.now() + CHALLENGE_TTL);
        self.store.insert_challenge(&ChallengeRow {
            digest: challenge.digest(),
            user: user.id,
            expires_at,
        })?;
        if user.totp_last_step.is_some() {
            return Ok(LoginStep::Totp { challenge });
        }
        // First sign-in (or after an MFA reset): a fresh secret, confirmed by the first code.
        let secret = TotpSecret::generate().map_err(|_| CoreError::Integrity)?;
        let mut enrolling = user.clone();
        enrolling.totp = Some(self.seal_root_secret(TOTP_LABEL, secret.as_bytes())?);
        self.store.update_user(&enrolling)?;
        let account = user.email.clone().unwrap_or_else(|| user.id.to_string());
        Ok(LoginStep::Enroll {
            challenge,
            uri: secret.otpauth_uri(&account),
            secret_base32: secret.to_base32(),
        })
    }

    /// A sign-in waiting for its second factor: the unexpired challenge and its active account.
    pub(crate) fn pending_login(
        &self,
        challenge: &ApiTokenSecret,
        source: Option<std::net::IpAddr>,
    ) -> CoreResult<(ChallengeRow, UserRow)> {
        let row = self.store.challenge(&challenge.digest())?;
        let Some(row) = row.filter(|r| r.expires_at > to_millis(self.clock.now())) else {
            // Unknown, used or expired: a failure like any other, audited without the token.
            self.store.delete_challenge(&challenge.digest())?;
            self.audit_auth(None, Action::AuthFail, Outcome::Denied, source)?;
            return Err(CoreError::LoginFailed);
        };
        let user = self
            .store
            .user(row.user)?
            .filter(|u| u.status == ACTIVE)
            .ok_or(CoreError::LoginFailed)?;
        Ok((row, user))
    }

    /// Second step: the code or passkey. On success the account's failures reset and a session
    /// starts; a wrong one counts as a failed sign-in.
    pub fn complete_login(
        &self,
        challenge: &ApiTokenSecret,
        factor: SecondFactor,
        source: Option<std::net::IpAddr>,
    ) -> CoreResult<NewSession> {
        let now = self.clock.now();
        let (row, mut user) = self.pending_login(challenge, source)?;
        self.check_lock(&user, source)?;
        let enrolling = user.totp_last_step.is_none();
        let mut passkey = None;
        let accepted = match factor {
            SecondFactor::Totp(code) => {
                let sealed = user.totp.clone().ok_or(CoreError::LoginFailed)?;
                let bytes = self.open_root_secret(TOTP_LABEL, &sealed)?;
                let secret = TotpSecret::from_bytes(&bytes).map_err(|_| CoreError::Integrity)?;
                match totp::verify(
                    &secret,
                    &code,
                    now.unix_timestamp().max(0) as u64,
                    user.totp_last_step,
                ) {
                    Ok(step) => {
                        user.totp_last_step = Some(step);
                        true
                    }
                    Err(_) => false,
                }
            }
            SecondFactor::Recovery(code) if !enrolling => {
                let digest = RecoveryCodes::digest_of(&code);
                self.store.use_recovery_code(user.id, &digest)?
            }
            SecondFactor::Recovery(_) => false,
            // Enrolment confirms the new TOTP secret, so it takes a code.
            SecondFactor::Passkey(response) if !enrolling => {
                passkey = self.verify_passkey(&row.digest, user.id, response)?;
                passkey.is_some()
            }
            SecondFactor::Passkey(_) => false,
        };
        if !accepted {
            return Err(self.count_failure(user, source)?);
        }
        let recovery_codes = if enrolling {
            let codes = RecoveryCodes::generate(10).map_err(|_| CoreError::Integrity)?;
            self.store
                .replace_recovery_codes(user.id, &codes.digests())?;
            Some(codes.reveal().to_vec())
        } else {
            None
        };
        user.failed_logins = 0;
        user.locked_until = None;
        self.store.update_user(&user)?;
        self.store.delete_challenge(&row.digest)?;
        let token = ApiTokenSecret::generate()?;
        let csrf = ApiTokenSecret::generate()?;
        let at = to_millis(now);
        self.audit_auth_by(
            Some(&user),
            Action::AuthLogin,
            Outcome::Allowed,
            source,
            passkey,
        )?;
        self.store.insert_session(&SessionRow {
            digest: token.digest(),
            user: user.id,
            csrf_digest: csrf.digest(),
            created_at: at,
            last_seen: at,
        })?;
        Ok(NewSession {
            token,
            csrf,
            recovery_codes,
        })
    }

    /// Resolves a session cookie to its actor, ending it if it idled out or grew too old, or if
    /// the account is no longer active. Returns the session's CSRF digest too.
    pub fn authenticate_session(&self, token: &ApiTokenSecret) -> CoreResult<(Actor, [u8; 32])> {
        let now = to_millis(self.clock.now());
        let session = self
            .store
            .session(&token.digest())?
            .ok_or(CoreError::Unauthenticated)?;
        let idle_out = now - session.last_seen > self.limits.idle.as_millis() as UnixMillis;
        let too_old = now - session.created_at > self.limits.absolute.as_millis() as UnixMillis;
        let user = self
            .store
            .user(session.user)?
            .filter(|u| u.status == ACTIVE);
        let Some(user) = user.filter(|_| !idle_out && !too_old) else {
            self.store.delete_session(&session.digest)?;
            return Err(CoreError::Unauthenticated);
        };
        if now - session.last_seen > TOUCH_EVERY_MS {
            self.store.touch_session(&session.digest, now)?;
        }
        let role = StaffRole::parse(&user.role).ok_or(CoreError::Unauthenticated)?;
        Ok((
            Actor {
                id: user.id,
                role,
                credential: Credential::Session,
            },
            session.csrf_digest,
        ))
    }

    /// Ends a session.
    pub fn logout(&self, access: &Access, token: &ApiTokenSecret) -> CoreResult<()> {
        let event = Event::of(
            access,
            self.clock.now(),
            Action::AuthLogout,
            "session",
            None,
            None,
        );
        self.audit.record(vec![event])?;
        self.store.delete_session(&token.digest())?;
        Ok(())
    }
}
