//! Storage ports for people and their access: staff accounts, invitations, login challenges,
//! sessions, recovery codes, care teams, supervision shares and break-glass grants.
//!
//! Secrets never cross this boundary in the clear: invitation, challenge, session and recovery
//! tokens are stored as SHA-256 digests, passwords as Argon2id PHC strings, TOTP secrets and
//! break-glass reasons sealed under the practice root key. Every method is atomic and durable.

use confidant_crypto::Sealed;

use super::{StoreResult, UnixMillis};
use crate::ids::{ActorId, ClientId};

/// Digest of a bearer secret (SHA-256 of the token text).
pub type Digest = [u8; 32];

/// A staff account.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    /// Account id (the actor id in audit events).
    pub id: ActorId,
    /// Lower-cased e-mail, unique; `None` only for the bootstrap owner until they set one.
    pub email: Option<String>,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Staff role name (`owner`, `clinician`, …).
    pub role: String,
    /// `invited`, `active` or `deactivated`.
    pub status: String,
    /// Argon2id PHC string, once a password is set.
    pub password_phc: Option<String>,
    /// TOTP secret sealed under the root key, once enrolled.
    pub totp: Option<Sealed<[u8]>>,
    /// Last TOTP time step accepted (replay protection).
    pub totp_last_step: Option<u64>,
    /// Consecutive failed logins.
    pub failed_logins: u32,
    /// Locked until this time after repeated failures.
    pub locked_until: Option<UnixMillis>,
    /// Trainee: the supervisor they act under.
    pub supervisor: Option<ActorId>,
    /// Virtual assistant: when their NDA was recorded.
    pub nda_at: Option<UnixMillis>,
    /// Virtual assistant: start of their access window.
    pub window_start: Option<UnixMillis>,
    /// Virtual assistant: end of their access window.
    pub window_end: Option<UnixMillis>,
    /// When the account was created.
    pub created_at: UnixMillis,
}

impl UserRow {
    /// A new account with no password, second factor, lock or assistant terms yet.
    pub fn new(
        id: ActorId,
        email: Option<String>,
        display_name: String,
        role: &str,
        status: &str,
        created_at: UnixMillis,
    ) -> Self {
        Self {
            id,
            email,
            display_name,
            role: role.to_owned(),
            status: status.to_owned(),
            password_phc: None,
            totp: None,
            totp_last_step: None,
            failed_logins: 0,
            locked_until: None,
            supervisor: None,
            nda_at: None,
            window_start: None,
            window_end: None,
            created_at,
        }
    }
}

/// A one-time invitation link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    /// Digest of the link's token.
    pub digest: Digest,
    /// The invited account.
    pub user: ActorId,
    /// When it was issued.
    pub created_at: UnixMillis,
    /// When it stops working.
    pub expires_at: UnixMillis,
}

/// A login half done: password checked, second factor still due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRow {
    /// Digest of the challenge token.
    pub digest: Digest,
    /// Whose login.
    pub user: ActorId,
    /// When it stops working (a few minutes).
    pub expires_at: UnixMillis,
}

/// A signed-in browser or client session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Digest of the session cookie's value.
    pub digest: Digest,
    /// Whose session.
    pub user: ActorId,
    /// Digest of the session's CSRF token.
    pub csrf_digest: Digest,
    /// When it began (absolute timeout counts from here).
    pub created_at: UnixMillis,
    /// Last request (idle timeout counts from here).
    pub last_seen: UnixMillis,
}

/// A client's care team member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareTeamRow {
    /// The client.
    pub client: ClientId,
    /// The staff member.
    pub user: ActorId,
    /// Whether they are the primary clinician.
    pub primary: bool,
    /// Who added them.
    pub added_by: ActorId,
    /// When.
    pub added_at: UnixMillis,
}

/// A client a supervisee shared with their supervisor for supervision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRow {
    /// The client.
    pub client: ClientId,
    /// The care-team member who shared.
    pub supervisee: ActorId,
    /// Their supervisor.
    pub supervisor: ActorId,
    /// When.
    pub shared_at: UnixMillis,
}

/// An emergency access grant outside the care team.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakGlassRow {
    /// Grant id.
    pub id: uuid::Uuid,
    /// Who broke the glass.
    pub user: ActorId,
    /// Whose record.
    pub client: ClientId,
    /// The stated reason, sealed under the root key.
    pub reason: Sealed<[u8]>,
    /// When it was granted.
    pub granted_at: UnixMillis,
    /// When it lapses.
    pub expires_at: UnixMillis,
    /// The privacy officer (or owner) who reviewed it.
    pub reviewed_by: Option<ActorId>,
    /// When it was reviewed.
    pub reviewed_at: Option<UnixMillis>,
}

/// Staff accounts and everything that signs them in.
pub trait StaffStore {
    /// Adds an account; `Conflict` if the id or e-mail is taken.
    fn insert_user(&self, row: &UserRow) -> StoreResult<()>;
    /// One account.
    fn user(&self, id: ActorId) -> StoreResult<Option<UserRow>>;
    /// The account with this (lower-cased) e-mail.
    fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>>;
    /// Every account, by creation time.
    fn users(&self) -> StoreResult<Vec<UserRow>>;
    /// Replaces an account's row; `Conflict` if the e-mail is taken by another account.
    fn update_user(&self, row: &UserRow) -> StoreResult<()>;
    /// Deactivates an account and, in the same transaction, deletes its sessions, challenges
    /// and API tokens: nothing it held keeps working.
    fn deactivate_user(&self, id: ActorId) -> StoreResult<()>;

    /// Stores an invitation.
    fn insert_invitation(&self, row: &InvitationRow) -> StoreResult<()>;
    /// Takes (deletes and returns) an invitation: each link works once.
    fn take_invitation(&self, digest: &Digest) -> StoreResult<Option<InvitationRow>>;

    /// Stores a login challenge.
    fn insert_challenge(&self, row: &ChallengeRow) -> StoreResult<()>;
    /// Reads a login challenge without using it up.
    fn challenge(&self, digest: &Digest) -> StoreResult<Option<ChallengeRow>>;
    /// Deletes a login challenge.
    fn delete_challenge(&self, digest: &Digest) -> StoreResult<()>;

    /// Stores a session.
    fn insert_session(&self, row: &SessionRow) -> StoreResult<()>;
    /// One session.
    fn session(&self, digest: &Digest) -> StoreResult<Option<SessionRow>>;
    /// Records activity on a session.
    fn touch_session(&self, digest: &Digest, at: UnixMillis) -> StoreResult<()>;
    /// Ends one session.
    fn delete_session(&self, digest: &Digest) -> StoreResult<()>;
    /// Ends every session (and pending challenge) of an account.
    fn delete_sessions_of(&self, user: ActorId) -> StoreResult<()>;

    /// Replaces an account's recovery codes (digests) with a fresh set.
    fn replace_recovery_codes(&self, user: ActorId, digests: &[Digest]) -> StoreResult<()>;
    /// Uses up one recovery code; `false` if it is not an unused code of this account.
    fn use_recovery_code(&self, user: ActorId, digest: &Digest) -> StoreResult<bool>;
}

/// What the access policy needs about one staff member and one client: read at once, because
/// every access to a record asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessFactsRow {
    /// The member's account, if it exists.
    pub account: Option<UserRow>,
    /// `Some(primary)` if the member is on the client's care team.
    pub care_team: Option<bool>,
    /// Whether the client was shared with the member (as supervisor) for supervision.
    pub shared_for_supervision: bool,
    /// When the member's latest break-glass grant for the client lapses, if they have one.
    pub break_glass_until: Option<UnixMillis>,
    /// Whether the client is restricted.
    pub restricted: bool,
}

/// Who may see which client: care teams, supervision shares, break-glass grants, restriction.
pub trait CareStore: StaffStore {
    /// Adds a care team member; `Conflict` if already on the team.
    fn add_to_care_team(&self, row: &CareTeamRow) -> StoreResult<()>;
    /// Removes a member (and any supervision share they made for this client); whether one was removed.
    fn remove_from_care_team(&self, client: ClientId, user: ActorId) -> StoreResult<bool>;
    /// A client's care team.
    fn care_team(&self, client: ClientId) -> StoreResult<Vec<CareTeamRow>>;
    /// The clients whose care team includes `user`.
    fn clients_of(&self, user: ActorId) -> StoreResult<Vec<ClientId>>;

    /// Records a supervision share; `Conflict` if it exists.
    fn add_share(&self, row: &ShareRow) -> StoreResult<()>;
    /// Withdraws a share; whether one was removed.
    fn remove_share(&self, client: ClientId, supervisee: ActorId) -> StoreResult<bool>;
    /// The shares made to a supervisor.
    fn shares_to(&self, supervisor: ActorId) -> StoreResult<Vec<ShareRow>>;

    /// Stores a break-glass grant.
    fn insert_break_glass(&self, row: &BreakGlassRow) -> StoreResult<()>;
    /// The grant of `user` for `client` still active at `now`, if any.
    fn active_break_glass(
        &self,
        user: ActorId,
        client: ClientId,
        now: UnixMillis,
    ) -> StoreResult<Option<BreakGlassRow>>;
    /// Grants, newest first; only unreviewed ones if asked.
    fn break_glass_grants(&self, unreviewed_only: bool) -> StoreResult<Vec<BreakGlassRow>>;
    /// Marks a grant reviewed; whether it existed and was unreviewed.
    fn review_break_glass(&self, id: uuid::Uuid, by: ActorId, at: UnixMillis) -> StoreResult<bool>;

    /// Marks a client restricted (or not).
    fn set_restricted(&self, client: ClientId, restricted: bool) -> StoreResult<()>;
    /// Whether a client is restricted.
    fn is_restricted(&self, client: ClientId) -> StoreResult<bool>;

    /// Everything the access policy reads about `user` and `client`, as of one moment. An
    /// engine answers it in one query; this default asks the methods above one by one.
    fn access_facts(&self, user: ActorId, client: ClientId) -> StoreResult<AccessFactsRow> {
        let member = self.care_team(client)?.into_iter().find(|m| m.user == user);
        let shared = self.shares_to(user)?.iter().any(|s| s.client == client);
        // The latest-lapsing grant: active ones sort first whatever the time.
        let grant = self.active_break_glass(user, client, UnixMillis::MIN)?;
        Ok(AccessFactsRow {
            account: self.user(user)?,
            care_team: member.map(|m| m.primary),
            shared_for_supervision: shared,
            break_glass_until: grant.map(|g| g.expires_at),
            restricted: self.is_restricted(client)?,
        })
    }
}
