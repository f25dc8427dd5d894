//! Who may see a client: care teams (assigned by the owner or the client's primary clinician,
//! never by oneself), shares for supervision, restriction, and break-glass — emergency access
//! outside the care team, with a stated reason (sealed), time-boxed, flagged in the audit log
//! and listed for the privacy officer's review.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::audit::{Access, Action, Event, Purpose};
use crate::error::{CoreError, CoreResult, Invalid};
use crate::ids::{ActorId, ClientId};
use crate::policy::{AdminOp, Facts, StaffRole};
use crate::ports::{BreakGlassRow, CareTeamRow, ShareRow, from_millis, to_millis};
use crate::staff::ACTIVE;
use crate::vault::Vault;

/// How long a break-glass grant lasts unless configured otherwise.
pub const BREAK_GLASS_TTL: Duration = Duration::from_secs(60 * 60);
/// Label binding sealed break-glass reasons to their purpose.
const REASON_LABEL: &str = "break-glass-reason";

/// A care team member as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    /// Staff account.
    pub user: ActorId,
    /// Primary clinician?
    pub primary: bool,
    /// Added by.
    pub added_by: ActorId,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// A break-glass grant as the reviewer sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrantView {
    /// Grant id.
    pub id: uuid::Uuid,
    /// Who.
    pub user: ActorId,
    /// Whose record.
    pub client: ClientId,
    /// The reason they gave.
    pub reason: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub granted_at: OffsetDateTime,
    /// Until when.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Reviewed by.
    pub reviewed_by: Option<ActorId>,
}

/// Roles that can be on a care team.
fn clinical(role: &str) -> bool {
    [
        StaffRole::Clinician,
        StaffRole::Supervisor,
        StaffRole::Trainee,
        StaffRole::Owner,
    ]
    .iter()
    .any(|r| r.as_str() == role)
}

impl Vault {
    fn client_exists(&self, client: ClientId) -> CoreResult<()> {
        self.store
            .client(client)?
            .map(drop)
            .ok_or(CoreError::NotFound("client"))
    }

    fn admin_facts_for(
        &self,
        access: &Access,
        client: ClientId,
        target: ActorId,
    ) -> CoreResult<Facts> {
        let mut facts = self.facts(&access.actor, client, None)?;
        facts.self_target = target == access.actor.id;
        Ok(facts)
    }

    /// Adds a clinician to a client's care team (owner or primary clinician; never oneself).
    pub fn assign_care_team(
        &self,
        access: &Access,
        client: ClientId,
        user: ActorId,
        primary: bool,
    ) -> CoreResult<()> {
        self.client_exists(client)?;
        self.require_visible(access, client)?;
        let facts = self.admin_facts_for(access, client, user)?;
        self.authorize_admin(access, AdminOp::AssignCareTeam, facts)?;
        let member = self
            .store
            .user(user)?
            .ok_or(CoreError::NotFound("staff member"))?;
        if member.status != ACTIVE || !clinical(&member.role) {
            return Err(Invalid::new(
                "user",
                "must be an active clinician, supervisor, trainee or owner",
            )
            .into());
        }
        let event = Event::of(
            access,
            self.clock.now(),
            Action::CareTeamAdd,
            "care_team",
            Some(user.to_string()),
            Some(client),
        );
        self.audit.record(vec![event])?;
        self.store
            .add_to_care_team(&CareTeamRow {
                client,
                user,
                primary,
                added_by: access.actor.id,
                added_at: to_millis(self.clock.now()),
            })
            .map_err(|e| match e {
                crate::ports::StoreError::Conflict(_) => {
                    Invalid::new("user", "is already on this care team").into()
                }
                other => other.into(),
            })
    }

    /// Takes someone off a care team.
    pub fn unassign_care_team(
        &self,
        access: &Access,
        client: ClientId,
        user: ActorId,
    ) -> CoreResult<()> {
        self.client_exists(client)?;
        self.require_visible(access, client)?;
        let facts = self.admin_facts_for(access, client, user)?;
        // Leaving a team oneself is not escalation.
        let facts = Facts {
            self_target: false,
            ..facts
        };
        self.authorize_admin(access, AdminOp::AssignCareTeam, facts)?;
        let event = Event::of(
            access,
            self.clock.now(),
            Action::CareTeamRemove,
            "care_team",
            Some(user.to_string()),
            Some(client),
        );
        self.audit.record(vec![event])?;
        if !self.store.remove_from_care_team(client, user)? {
            return Err(CoreError::NotFound("care team member"));
        }
        Ok(())
    }

    /// A client's care team.
    pub fn care_team(&self, access: &Access, client: ClientId) -> CoreResult<Vec<Member>> {
        self.authorize(
            access,
            crate::access::Request {
                op: crate::policy::Op::Read,
                class: crate::policy::RecordClass::Demographics,
                client,
                author: None,
            },
        )?;
        let rows = self.store.care_team(client)?;
        rows.iter()
            .map(|r| {
                Ok(Member {
                    user: r.user,
                    primary: r.primary,
                    added_by: r.added_by,
                    added_at: from_millis(r.added_at)?,
                })
            })
            .collect()
    }

    /// Shares a client of one's care team with one's supervisor, for supervision.
    pub fn share_for_supervision(&self, access: &Access, client: ClientId) -> CoreResult<ActorId> {
        let facts = self.facts(&access.actor, client, None)?;
        if !facts.on_care_team {
            self.record_denial(
                access,
                Action::Share,
                "client",
                Some(client.to_string()),
                Some(client),
            )?;
            return Err(CoreError::NotFound("client"));
        }
        let me = self
            .store
            .user(access.actor.id)?
            .ok_or(CoreError::Unauthenticated)?;
        let supervisor = me
            .supervisor
            .ok_or_else(|| Invalid::new("supervisor", "you have no supervisor assigned"))?;
        let event = Event::of(
            access,
            self.clock.now(),
            Action::Share,
            "client",
            Some(client.to_string()),
            Some(client),
        );
        self.audit.record(vec![event])?;
        let row = ShareRow {
            client,
            supervisee: access.actor.id,
            supervisor,
            shared_at: to_millis(self.clock.now()),
        };
        match self.store.add_share(&row) {
            Ok(()) | Err(crate::ports::StoreError::Conflict(_)) => Ok(supervisor),
            Err(e) => Err(e.into()),
        }
    }

    /// Marks a client restricted: invisible, even by name, outside their care team.
    pub fn set_restricted(
        &self,
        access: &Access,
        client: ClientId,
        restricted: bool,
    ) -> CoreResult<()> {
        self.client_exists(client)?;
        self.require_visible(access, client)?;
        let facts = self.admin_facts_for(access, client, ActorId::random())?;
        self.authorize_admin(access, AdminOp::AssignCareTeam, facts)?;
        let event = Event::of(
            access,
            self.clock.now(),
            Action::ClientRestrict,
            "client",
            Some(client.to_string()),
            Some(client),
        );
        self.audit.record(vec![event])?;
        self.store
            .set_restricted(client, restricted)
            .map_err(Into::into)
    }

    /// Breaks the glass: emergency access to a client outside one's care team, for a limited
    /// time, with a reason that the privacy officer will review.
    pub fn break_glass(
        &self,
        access: &Access,
        client: ClientId,
        reason: &str,
        ttl: Duration,
    ) -> CoreResult<OffsetDateTime> {
        self.client_exists(client)?;
        let may_break_glass =
            crate::policy::decide_admin(access.actor.role, AdminOp::BreakGlass, &Facts::default())
                .is_allowed();
        if !may_break_glass {
            // Only those who may break the glass learn that a hidden client exists.
            self.require_visible(access, client)?;
        }
        self.authorize_admin(access, AdminOp::BreakGlass, Facts::default())?;
        let reason = reason.trim();
        if reason.chars().count() < 10 || reason.chars().count() > 2000 {
            return Err(
                Invalid::new("reason", "state the emergency in 10 to 2000 characters").into(),
            );
        }
        let now = self.clock.now();
        let expires_at = now + ttl;
        let emergency = Access {
            purpose: Purpose::Emergency,
            ..*access
        };
        let mut event = Event::of(
            &emergency,
            now,
            Action::BreakGlass,
            "client",
            Some(client.to_string()),
            Some(client),
        );
        event.flagged = true;
        self.audit.record(vec![event])?;
        self.store.insert_break_glass(&BreakGlassRow {
            id: uuid::Uuid::new_v4(),
            user: access.actor.id,
            client,
            reason: self.seal_root_secret(REASON_LABEL, reason.as_bytes())?,
            granted_at: to_millis(now),
            expires_at: to_millis(expires_at),
            reviewed_by: None,
            reviewed_at: None,
        })?;
        Ok(expires_at)
    }

    /// Break-glass grants for review (privacy officer, owner), with their reasons.
    pub fn break_glass_grants(
        &self,
        access: &Access,
        unreviewed_only: bool,
    ) -> CoreResult<Vec<GrantView>> {
        self.authorize_admin(access, AdminOp::ReviewBreakGlass, Facts::default())?;
        let rows = self.store.break_glass_grants(unreviewed_only)?;
        let event = Event::of(
            access,
            self.clock.now(),
            Action::BreakGlassReview,
            "break_glass",
            None,
            None,
        );
        self.audit.record(vec![event])?;
        rows.iter()
            .map(|r| {
                let reason = self.open_root_secret(REASON_LABEL, &r.reason)?;
                Ok(GrantView {
                    id: r.id,
                    user: r.user,
                    client: r.client,
                    reason: String::from_utf8(reason.to_vec()).map_err(|_| CoreError::Integrity)?,
                    granted_at: from_millis(r.granted_at)?,
                    expires_at: from_millis(r.expires_at)?,
                    reviewed_by: r.reviewed_by,
                })
            })
            .collect()
    }

    /// Marks a grant reviewed.
    pub fn review_break_glass(&self, access: &Access, id: uuid::Uuid) -> CoreResult<()> {
        self.authorize_admin(access, AdminOp::ReviewBreakGlass, Facts::default())?;
        let event = Event::of(
            access,
            self.clock.now(),
            Action::BreakGlassReview,
            "break_glass",
            Some(id.to_string()),
            None,
        );
        self.audit.record(vec![event])?;
        if !self
            .store
            .review_break_glass(id, access.actor.id, to_millis(self.clock.now()))?
        {
            return Err(CoreError::NotFound("unreviewed break-glass grant"));
        }
        Ok(())
    }
}
