//! Enforcing the access policy: gathers the facts about an actor and a client from storage,
//! asks `policy::decide`, records denials in the audit log, and turns a denial into the error a
//! handler must show (404 when the client must stay invisible, 403 otherwise).
//!
//! This is the only place services consult the policy; it never decides anything itself.

use std::collections::HashSet;

use crate::actor::{Actor, Credential, Scope};
use crate::audit::{Access, Action, Event, Outcome, Purpose};
use crate::error::{CoreError, CoreResult};
use crate::ids::{ActorId, ClientId};
use crate::policy::{self, AdminOp, Decision, DenyReason, Facts, Op, RecordClass, StaffRole};
use crate::ports::{UnixMillis, UserRow, to_millis};
use crate::vault::Vault;

/// What a service wants to do to which record of which client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request {
    pub op: Op,
    pub class: RecordClass,
    pub client: ClientId,
    /// The record's author, when the class cares (psychotherapy notes).
    pub author: Option<ActorId>,
}

/// What the token's scope allows: read-only tokens cannot write, only admin tokens administer.
fn scope_allows(actor: &Actor, op: Op) -> bool {
    match actor.credential {
        Credential::Session | Credential::Console => true,
        Credential::Token { scope, .. } => match op {
            Op::Read | Op::List => true,
            Op::Create | Op::Update => matches!(scope, Scope::Write | Scope::Admin),
        },
    }
}

fn scope_allows_admin(actor: &Actor) -> bool {
    match actor.credential {
        Credential::Session | Credential::Console => true,
        Credential::Token { scope, .. } => scope == Scope::Admin,
    }
}

/// The error a denial becomes.
pub(crate) fn denial_error(reason: DenyReason) -> CoreError {
    match reason {
        DenyReason::NotVisible => CoreError::NotFound("client"),
        DenyReason::Forbidden => {
            CoreError::Forbidden("your role may not do this with this record".into())
        }
        DenyReason::SelfEscalation => CoreError::Forbidden(
            "nobody may change their own role or add themselves to a care team; ask the owner"
                .into(),
        ),
        DenyReason::OutsideAccessWindow => {
            CoreError::Forbidden("outside your access window".into())
        }
        DenyReason::NdaMissing => {
            CoreError::Forbidden("no confidentiality agreement (NDA) is on file for you".into())
        }
        DenyReason::NeedsSupervisor => {
            CoreError::Forbidden("trainees act under a supervisor; none is assigned".into())
        }
        DenyReason::NeedsReason => CoreError::Forbidden(
            "emergency access needs the emergency purpose and a stated reason (break-glass)".into(),
        ),
    }
}

/// Which of many clients the caller may see, for one search: the caller's account, care teams
/// and supervision shares read once, so a client the caller has no way to reach is ruled out
/// without a read; every other client is decided exactly as `Vault::visible` does, from its
/// own facts read fresh.
///
/// Ruling out is sound because the policy is monotone in what is assumed here for a client off
/// the caller's care teams: unrestricted (a restriction only hides), and a break-glass grant
/// whenever the purpose is emergency (a grant only opens). So it can only hide what the exact
/// decision would also hide, as of the moment the caller's relationships were read.
pub(crate) struct Visibility<'v> {
    vault: &'v Vault,
    access: Access,
    /// What the caller's account gives (supervisor, NDA, access window) at the time of reading.
    account: Facts,
    team: HashSet<ClientId>,
    shared: HashSet<ClientId>,
}

impl Visibility<'_> {
    /// Like `Vault::visible` for `req`: `None` if hidden, else whether the access is flagged.
    pub(crate) fn visible(&self, req: Request) -> CoreResult<Option<bool>> {
        let actor = &self.access.actor;
        if !scope_allows(actor, req.op) {
            return Ok(None);
        }
        if !self.team.contains(&req.client) {
            let most = Facts {
                author: req.author == Some(actor.id),
                shared_for_supervision: self.shared.contains(&req.client),
                break_glass: self.access.purpose == Purpose::Emergency,
                ..self.account
            };
            let decision =
                policy::decide(actor.role, req.op, req.class, &most, self.access.purpose);
            if !decision.is_allowed() {
                return Ok(None);
            }
        }
        self.vault.visible(&self.access, req)
    }
}

/// The facts an account gives at `now` (supervisor, NDA, access window), relationships false.
fn account_facts(user: Option<&UserRow>, now: UnixMillis) -> Facts {
    let window_open = user.is_some_and(|u| match (u.window_start, u.window_end) {
        (Some(start), Some(end)) => start <= now && now < end,
        _ => false,
    });
    Facts {
        access_window_open: window_open,
        nda_on_file: user.is_some_and(|u| u.nda_at.is_some()),
        has_supervisor: user.is_some_and(|u| u.supervisor.is_some()),
        ..Facts::default()
    }
}

impl Vault {
    /// The facts of `actor` about `client` that the policy needs.
    pub(crate) fn facts(
        &self,
        actor: &Actor,
        client: ClientId,
        author: Option<ActorId>,
    ) -> CoreResult<Facts> {
        let now = to_millis(self.clock.now());
        // One read for every fact, so they all describe the same moment.
        let row = self.store.access_facts(actor.id, client)?;
        Ok(Facts {
            on_care_team: row.care_team.is_some(),
            primary_clinician: row.care_team == Some(true),
            author: author == Some(actor.id),
            shared_for_supervision: actor.role == StaffRole::Supervisor
                && row.shared_for_supervision,
            break_glass: row.break_glass_until.is_some_and(|until| until > now),
            restricted: row.restricted,
            ..account_facts(row.account.as_ref(), now)
        })
    }

    /// The facts about `actor` alone (supervisor, NDA, access window); every relationship to a
    /// client is false.
    fn actor_facts(&self, actor: &Actor) -> CoreResult<Facts> {
        let now = to_millis(self.clock.now());
        Ok(account_facts(self.store.user(actor.id)?.as_ref(), now))
    }

    /// Asks the policy about a client record; a denial is audited and returned as the error
    /// to show. On allow, returns whether the access must be flagged (break-glass).
    pub(crate) fn authorize(&self, access: &Access, req: Request) -> CoreResult<bool> {
        let facts = self.facts(&access.actor, req.client, req.author)?;
        let decision = if scope_allows(&access.actor, req.op) {
            policy::decide(access.actor.role, req.op, req.class, &facts, access.purpose)
        } else {
            Decision::Deny(DenyReason::Forbidden)
        };
        match decision {
            Decision::Allow { flagged } => Ok(flagged),
            Decision::Deny(reason) => {
                self.record_denial(
                    access,
                    Action::Denied,
                    "client",
                    Some(req.client.to_string()),
                    Some(req.client),
                )?;
                Err(denial_error(reason))
            }
        }
    }

    /// Like `authorize`, but a denial is only a `false` (for filtering listings and search,
    /// where what is hidden must simply be absent).
    pub(crate) fn visible(&self, access: &Access, req: Request) -> CoreResult<Option<bool>> {
        if !scope_allows(&access.actor, req.op) {
            return Ok(None);
        }
        let facts = self.facts(&access.actor, req.client, req.author)?;
        Ok(
            match policy::decide(access.actor.role, req.op, req.class, &facts, access.purpose) {
                Decision::Allow { flagged } => Some(flagged),
                Decision::Deny(_) => None,
            },
        )
    }

    /// Reads what the caller can reach once, to decide many clients' visibility quickly.
    pub(crate) fn visibility(&self, access: &Access) -> CoreResult<Visibility<'_>> {
        let actor = &access.actor;
        let now = to_millis(self.clock.now());
        let shared = if actor.role == StaffRole::Supervisor {
            let shares = self.store.shares_to(actor.id)?;
            shares.into_iter().map(|s| s.client).collect()
        } else {
            HashSet::new()
        };
        Ok(Visibility {
            vault: self,
            access: *access,
            account: account_facts(self.store.user(actor.id)?.as_ref(), now),
            team: self.store.clients_of(actor.id)?.into_iter().collect(),
            shared,
        })
    }

    /// Asks the policy whether the caller may do `op` on `class` for any client at all (an
    /// unrestricted client on their care team: the most a relationship gives), before a
    /// listing that spans clients, such as the schedule. It only refuses, audited, a caller
    /// whose role or lapsed terms rule out every client; each client is still filtered with
    /// `visible`.
    pub(crate) fn authorize_across_clients(
        &self,
        access: &Access,
        op: Op,
        class: RecordClass,
    ) -> CoreResult<()> {
        let best = Facts {
            on_care_team: true,
            primary_clinician: true,
            ..self.actor_facts(&access.actor)?
        };
        let decision = if scope_allows(&access.actor, op) {
            policy::decide(access.actor.role, op, class, &best, access.purpose)
        } else {
            Decision::Deny(DenyReason::Forbidden)
        };
        match decision {
            Decision::Allow { .. } => Ok(()),
            Decision::Deny(reason) => {
                self.record_denial(access, Action::Denied, class.as_str(), None, None)?;
                Err(match reason {
                    DenyReason::NotVisible => {
                        CoreError::Forbidden("your role may not do this".into())
                    }
                    other => denial_error(other),
                })
            }
        }
    }

    /// Asks the policy about an administrative action; a denial is audited.
    pub(crate) fn authorize_admin(
        &self,
        access: &Access,
        op: AdminOp,
        facts: Facts,
    ) -> CoreResult<()> {
        // Adding a client, or breaking the glass, writes a record: a write-scope token may do
        // it; a read-scope token may not.
        let writes = matches!(op, AdminOp::CreateClient | AdminOp::BreakGlass)
            && scope_allows(&access.actor, Op::Create);
        let decision = if scope_allows_admin(&access.actor) || writes {
            policy::decide_admin(access.actor.role, op, &facts)
        } else {
            Decision::Deny(DenyReason::Forbidden)
        };
        match decision {
            Decision::Allow { .. } => Ok(()),
            Decision::Deny(reason) => {
                self.record_denial(
                    access,
                    Action::Denied,
                    "admin",
                    Some(format!("{op:?}")),
                    None,
                )?;
                Err(match reason {
                    DenyReason::NotVisible | DenyReason::Forbidden => {
                        CoreError::Forbidden("your role may not do this".into())
                    }
                    other => denial_error(other),
                })
            }
        }
    }

    /// Answers exactly as for a nonexistent id (404, audited) when the client is invisible to
    /// the actor, so administering a hidden client reveals nothing.
    pub(crate) fn require_visible(&self, access: &Access, client: ClientId) -> CoreResult<()> {
        let facts = self.facts(&access.actor, client, None)?;
        let decision = policy::decide(
            access.actor.role,
            Op::Read,
            RecordClass::Demographics,
            &facts,
            access.purpose,
        );
        if decision == Decision::Deny(DenyReason::NotVisible) {
            self.record_denial(
                access,
                Action::Denied,
                "client",
                Some(client.to_string()),
                Some(client),
            )?;
            return Err(CoreError::NotFound("client"));
        }
        Ok(())
    }

    /// Records a refused access (durably; if that fails the request fails too).
    pub(crate) fn record_denial(
        &self,
        access: &Access,
        action: Action,
        resource: &'static str,
        resource_id: Option<String>,
        client: Option<ClientId>,
    ) -> CoreResult<()> {
        let mut event = Event::of(
            access,
            self.clock.now(),
            action,
            resource,
            resource_id,
            client,
        );
        event.outcome = Outcome::Denied;
        self.audit.record(vec![event]).map(drop)
    }
}
