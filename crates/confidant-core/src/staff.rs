//! Staff accounts: invitations by one-time link, activation with a password, roles, trainees'
//! supervisors, virtual assistants' NDA and access window, deactivation and second-factor
//! resets. Every change goes through the policy and the audit log.
//!
//! Staff names and e-mails are staff data, not client data; passwords are stored only as
//! Argon2id hashes and invitation links only as digests. Nothing here logs.

use std::time::Duration;

use confidant_crypto::ApiTokenSecret;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::audit::{Access, Action, Event};
use crate::auth::password::{StaffPassword, check_password, hash_password};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::ActorId;
use crate::policy::{AdminOp, Facts, StaffRole};
use crate::ports::{InvitationRow, UserRow, to_millis};
use crate::vault::Vault;

/// How long an invitation link works unless the owner says otherwise.
pub const INVITATION_TTL: Duration = Duration::from_secs(72 * 3600);

/// Account states, as stored.
pub(crate) const INVITED: &str = "invited";
pub(crate) const ACTIVE: &str = "active";

/// A new staff member as the owner describes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    /// Work e-mail (their sign-in name).
    pub email: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Role name, e.g. `clinician`.
    pub role: String,
}

/// An invitation to hand to the new staff member, once.
#[derive(Debug)]
pub struct Invitation {
    /// The new account.
    pub user: ActorId,
    /// The link's secret token.
    pub token: ApiTokenSecret,
    /// When the link stops working.
    pub expires_at: OffsetDateTime,
}

/// A staff account as shown to administrators (no secrets).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffView {
    /// Account id.
    pub id: ActorId,
    /// E-mail.
    pub email: Option<String>,
    /// Name.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// `invited`, `active` or `deactivated`.
    pub status: String,
    /// Whether a second factor is enrolled.
    pub mfa_enrolled: bool,
    /// Trainee's supervisor.
    pub supervisor: Option<ActorId>,
    /// Whether an NDA is on file.
    pub nda_on_file: bool,
}

impl From<&UserRow> for StaffView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
            status: u.status.clone(),
            mfa_enrolled: u.totp_last_step.is_some(),
            supervisor: u.supervisor,
            nda_on_file: u.nda_at.is_some(),
        }
    }
}

/// Lower-cases and checks an e-mail address.
pub(crate) fn normalise_email(email: &str) -> Result<String, Invalid> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && !e.contains(char::is_whitespace)
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
    if ok {
        Ok(e)
    } else {
        Err(Invalid::new(
            "email",
            "must be an e-mail address like name@example.org",
        ))
    }
}

fn parse_role(role: &str) -> Result<StaffRole, Invalid> {
    StaffRole::parse(role).ok_or_else(|| {
        let names: Vec<&str> = StaffRole::ALL.iter().map(|r| r.as_str()).collect();
        Invalid::new("role", format!("must be one of {}", names.join(", ")))
    })
}

fn admin_facts(actor: ActorId, target: ActorId) -> Facts {
    Facts {
        self_target: actor == target,
        ..Facts::default()
    }
}

impl Vault {
    fn audit_admin(&self, access: &Access, action: Action, target: ActorId) -> CoreResult<()> {
        let event = Event::of(
            access,
            self.clock.now(),
            action,
            "user",
            Some(target.to_string()),
            None,
        );
        self.audit.record(vec![event]).map(drop)
    }

    fn user_or_404(&self, id: ActorId) -> CoreResult<UserRow> {
        self.store
            .user(id)?
            .ok_or(CoreError::NotFound("staff member"))
    }

    /// Invites a staff member: creates the account (inactive) and a one-time link.
    pub fn invite_staff(
        &self,
        access: &Access,
        new: NewStaff,
        ttl: Duration,
    ) -> CoreResult<Invitation> {
        let id = ActorId::random();
        self.authorize_admin(
            access,
            AdminOp::ManageUsers,
            admin_facts(access.actor.id, id),
        )?;
        let email = normalise_email(&new.email)?;
        let name = new.display_name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(Invalid::new(
                "display_name",
                "is required, at most 200 characters, one line",
            )
            .into());
        }
        let role = parse_role(&new.role)?;
        if self.store.user_by_email(&email)?.is_some() {
            return Err(Invalid::new("email", "is already used by another account").into());
        }
        let now = self.clock.now();
        let expires_at = now + ttl;
        let token = ApiTokenSecret::generate()?;
        self.audit_admin(access, Action::UserInvite, id)?;
        self.store.insert_user(&UserRow::new(
            id,
            Some(email),
            name.to_owned(),
            role.as_str(),
            INVITED,
            to_millis(now),
        ))?;
        self.store.insert_invitation(&InvitationRow {
            digest: token.digest(),
            user: id,
            created_at: to_millis(now),
            expires_at: to_millis(expires_at),
        })?;
        Ok(Invitation {
            user: id,
            token,
            expires_at,
        })
    }

    /// Accepts an invitation: the link works once, before it expires; the password must pass
    /// the password rules. The second factor is enrolled at first sign-in.
    pub fn accept_invitation(
        &self,
        token: &ApiTokenSecret,
        password: &StaffPassword,
    ) -> CoreResult<ActorId> {
        let invitation = self
            .store
            .take_invitation(&token.digest())?
            .ok_or(CoreError::NotFound("invitation"))?;
        let now = self.clock.now();
        let mut user = self.user_or_404(invitation.user)?;
        if invitation.expires_at <= to_millis(now) || user.status != INVITED {
            return Err(CoreError::Expired(
                "invitation; ask the practice owner for a new one",
            ));
        }
        let email = user.email.clone().unwrap_or_default();
        if let Err(p) = check_password(password.expose(), &user.display_name, &email) {
            // A refused password is not an acceptance: the link stays usable for another try.
            self.store.insert_invitation(&invitation)?;
            return Err(Invalid::new("password", p.to_string()).into());
        }
        user.password_phc =
            Some(hash_password(password).map_err(|e| CoreError::Audit(e.to_string()))?);
        user.status = ACTIVE.to_owned();
        let me = self.system_access(user.id)?;
        let event = Event::of(
            &me,
            now,
            Action::UserActivate,
            "user",
            Some(user.id.to_string()),
            None,
        );
        self.audit.record(vec![event])?;
        self.store.update_user(&user)?;
        Ok(user.id)
    }

    /// Every staff account.
    pub fn staff(&self, access: &Access) -> CoreResult<Vec<StaffView>> {
        self.authorize_admin(access, AdminOp::ManageUsers, Facts::default())?;
        let users = self.store.users()?;
        self.audit_admin(access, Action::UserList, access.actor.id)?;
        Ok(users.iter().map(StaffView::from).collect())
    }

    /// Deactivates an account: its sessions and tokens stop working at once.
    pub fn deactivate_staff(&self, access: &Access, user: ActorId) -> CoreResult<()> {
        self.authorize_admin(
            access,
            AdminOp::ManageUsers,
            admin_facts(access.actor.id, user),
        )?;
        self.user_or_404(user)?;
        self.audit_admin(access, Action::UserDeactivate, user)?;
        self.store.deactivate_user(user)?;
        Ok(())
    }

    /// Clears an account's second factors (TOTP secret, passkeys) and recovery codes and ends its
    /// sessions; the person enrols again at next sign-in.
    pub fn reset_mfa(&self, access: &Access, user: ActorId) -> CoreResult<()> {
        self.authorize_admin(
            access,
            AdminOp::ManageUsers,
            admin_facts(access.actor.id, user),
        )?;
        let mut row = self.user_or_404(user)?;
        self.audit_admin(access, Action::UserResetMfa, user)?;
        row.totp = None;
        row.totp_last_step = None;
        self.store.replace_recovery_codes(user, &[])?;
        self.store.delete_passkeys_of(user)?;
        self.store.update_user(&row)?;
        self.store.delete_sessions_of(user)?;
        Ok(())
    }

    /// Changes an account's role (never one's own).
    pub fn set_role(&self, access: &Access, user: ActorId, role: &str) -> CoreResult<()> {
        self.authorize_admin(
            access,
            AdminOp::ManageUsers,
            admin_facts(access.actor.id, user),
        )?;
        let role = parse_role(role)?;
        let mut row = self.user_or_404(user)?;
        self.audit_admin(access, Action::UserSetRole, user)?;
        row.role = role.as_str().to_owned();
        self.store.update_user(&row)?;
        self.store.delete_sessions_of(user)?;
        Ok(())
    }

    /// Assigns the supervisor a trainee (or clinician) acts under.
    pub fn set_supervisor(
        &self,
        access: &Access,
        user: ActorId,
        supervisor: Option<ActorId>,
    ) -> CoreResult<()> {
        self.authorize_admin(
            access,
            AdminOp::ManageUsers,
            admin_facts(access.actor.id, user),
        )?;
        let mut row = self.user_or_404(user)?;
        if let Some(s) = supervisor {
            let sup = self.user_or_404(s)?;
            if sup.role != StaffRole::Supervisor.as_str() || sup.status != ACTIVE || s == user {
                return Err(Invalid::new(
                    "supervisor",
                    "must be another active staff member with the supervisor role",
                )
                .into());
            }
        }
        self.audit_admin(access, Action::UserUpdate, user)?;
        row.supervisor = supervisor;
        self.store.update_user(&row).map_err(Into::into)
    }

    /// Records a virtual assistant's signed NDA and the window in which they may work.
    pub fn set_assistant_terms(
        &self,
        access: &Access,
        user: ActorId,
        nda_on_file: bool,
        window: Option<(OffsetDateTime, OffsetDateTime)>,
    ) -> CoreResult<()> {
        self.authorize_admin(
            access,
            AdminOp::ManageUsers,
            admin_facts(access.actor.id, user),
        )?;
        let mut row = self.user_or_404(user)?;
        if let Some((start, end)) = window
            && start >= end
        {
            return Err(Invalid::new("window", "must end after it starts").into());
        }
        self.audit_admin(access, Action::UserUpdate, user)?;
        row.nda_at = nda_on_file.then(|| to_millis(self.clock.now()));
        row.window_start = window.map(|w| to_millis(w.0));
        row.window_end = window.map(|w| to_millis(w.1));
        self.store.update_user(&row).map_err(Into::into)
    }

    /// Changes one's own password; every session of the account ends.
    pub fn change_password(
        &self,
        access: &Access,
        current: &StaffPassword,
        new: &StaffPassword,
    ) -> CoreResult<()> {
        let mut row = self.user_or_404(access.actor.id)?;
        let ok = row
            .password_phc
            .as_deref()
            .map(|phc| crate::auth::password::verify_password(current, phc))
            .transpose()
            .map_err(|e| CoreError::Audit(e.to_string()))?
            .unwrap_or(false);
        if !ok {
            self.record_denial(
                access,
                Action::UserSetPassword,
                "user",
                Some(row.id.to_string()),
                None,
            )?;
            return Err(CoreError::LoginFailed);
        }
        let email = row.email.clone().unwrap_or_default();
        check_password(new.expose(), &row.display_name, &email)
            .map_err(|p| Invalid::new("password", p.to_string()))?;
        row.password_phc = Some(hash_password(new).map_err(|e| CoreError::Audit(e.to_string()))?);
        self.audit_admin(access, Action::UserSetPassword, row.id)?;
        self.store.update_user(&row)?;
        self.store.delete_sessions_of(row.id)?;
        Ok(())
    }

    /// The server console acting as the practice's first active owner (for `confidant user …`
    /// run by whoever holds the unseal secret); audited as that owner, through the console.
    pub fn console_access(&self) -> CoreResult<Access> {
        let owner = self
            .store
            .users()?
            .into_iter()
            .find(|u| u.status == ACTIVE && u.role == StaffRole::Owner.as_str())
            .ok_or(CoreError::NotFound("active owner account"))?;
        Ok(Access {
            actor: crate::actor::Actor {
                id: owner.id,
                role: StaffRole::Owner,
                credential: crate::actor::Credential::Console,
            },
            purpose: crate::audit::Purpose::Operations,
            source: None,
        })
    }

    /// An `Access` for the system acting on behalf of `user` (activation, sign-in), so those
    /// events have an actor.
    pub(crate) fn system_access(&self, user: ActorId) -> CoreResult<Access> {
        let row = self.user_or_404(user)?;
        let role = StaffRole::parse(&row.role).ok_or(CoreError::Integrity)?;
        Ok(Access {
            actor: crate::actor::Actor {
                id: user,
                role,
                credential: crate::actor::Credential::Session,
            },
            purpose: crate::audit::Purpose::Operations,
            source: None,
        })
    }
}
