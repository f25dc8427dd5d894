//! The access policy: who may do what to which record class of which client, and which
//! administrative actions each role may take. The rules themselves are the table in `table`;
//! this module holds the vocabulary (roles, classes, operations, facts, decisions) and the two
//! functions that evaluate the table.
//!
//! It is pure: it must never read storage, the clock or the environment, never log, and never
//! panic. The caller establishes the `Facts` from storage and records the decision in the audit
//! log; this module only decides.

mod table;

use std::fmt;

use crate::audit::Purpose;

use table::{ADMIN_RULES, AdminWhen, Gate, RULES, Rule, When};

/// A staff member's role; each role sees only the record classes its work needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffRole {
    /// The practice administrator: staff, care teams, scheduling, the audit log.
    Owner,
    /// Audit, disclosures and incidents; no clinical content.
    PrivacyOfficer,
    /// Treats the clients on whose care team they are.
    Clinician,
    /// A clinician who also reviews what supervisees share for supervision.
    Supervisor,
    /// A supervised clinician: acts only while a supervisor is assigned.
    Trainee,
    /// Demographics and scheduling.
    FrontDesk,
    /// Demographics and billing, never notes.
    Biller,
    /// Scheduling only, inside an access window, with an NDA on file.
    VirtualAssistant,
}

impl StaffRole {
    /// Every role, for validating input and for enumerating the policy in tests.
    pub const ALL: [Self; 8] = [
        Self::Owner,
        Self::PrivacyOfficer,
        Self::Clinician,
        Self::Supervisor,
        Self::Trainee,
        Self::FrontDesk,
        Self::Biller,
        Self::VirtualAssistant,
    ];

    /// The stored and wire name, e.g. `privacy_officer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::PrivacyOfficer => "privacy_officer",
            Self::Clinician => "clinician",
            Self::Supervisor => "supervisor",
            Self::Trainee => "trainee",
            Self::FrontDesk => "front_desk",
            Self::Biller => "biller",
            Self::VirtualAssistant => "virtual_assistant",
        }
    }

    /// Parses a stored or submitted role name; `None` for anything unknown.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == s)
    }
}

impl fmt::Display for StaffRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A class of client record; access is granted class by class (minimum necessary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordClass {
    /// Name, contact details, date of birth.
    Demographics,
    /// Scheduled and past sessions.
    Appointments,
    /// Progress notes: part of the clinical record.
    ProgressNotes,
    /// Psychotherapy notes: the author's private process notes, kept apart from the record.
    PsychotherapyNotes,
    /// Scans, letters, recordings and other attachments.
    Documents,
    /// Service codes, invoices, payments.
    Billing,
    /// Consents and authorizations.
    Consents,
    /// Messages with the client.
    Messages,
    /// The client's access history in the audit log.
    Audit,
}

impl RecordClass {
    /// Every class, for enumerating the policy in tests.
    pub const ALL: [Self; 9] = [
        Self::Demographics,
        Self::Appointments,
        Self::ProgressNotes,
        Self::PsychotherapyNotes,
        Self::Documents,
        Self::Billing,
        Self::Consents,
        Self::Messages,
        Self::Audit,
    ];

    /// A stable snake_case name, for messages and audit resource kinds.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Demographics => "demographics",
            Self::Appointments => "appointments",
            Self::ProgressNotes => "progress_notes",
            Self::PsychotherapyNotes => "psychotherapy_notes",
            Self::Documents => "documents",
            Self::Billing => "billing",
            Self::Consents => "consents",
            Self::Messages => "messages",
            Self::Audit => "audit",
        }
    }
}

/// What is done to a client record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// Open one record.
    Read,
    /// The client or record appears in a listing or a search result.
    List,
    /// Add a record.
    Create,
    /// Change a record.
    Update,
}

impl Op {
    /// Every operation, for enumerating the policy in tests.
    pub const ALL: [Self; 4] = [Self::Read, Self::List, Self::Create, Self::Update];

    /// Whether the operation changes data (break-glass never allows these).
    pub fn is_write(self) -> bool {
        matches!(self, Self::Create | Self::Update)
    }
}

/// An administrative action: not about one record class of one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminOp {
    /// Invite, change the role of, or deactivate staff accounts.
    ManageUsers,
    /// Read the practice-wide audit log.
    ReadAudit,
    /// Review break-glass grants.
    ReviewBreakGlass,
    /// Add someone to, or take someone off, a client's care team.
    AssignCareTeam,
    /// Add a new client.
    CreateClient,
    /// Take an emergency grant on a client outside one's care team.
    BreakGlass,
}

impl AdminOp {
    /// Every administrative action, for enumerating the policy in tests.
    pub const ALL: [Self; 6] = [
        Self::ManageUsers,
        Self::ReadAudit,
        Self::ReviewBreakGlass,
        Self::AssignCareTeam,
        Self::CreateClient,
        Self::BreakGlass,
    ];
}

/// What is true about this actor and this client, established by the caller from storage.
///
/// The default is "knows nothing about this client": every relationship false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// The actor is on the client's care team.
    pub on_care_team: bool,
    /// The actor is the client's primary clinician (implies `on_care_team`).
    pub primary_clinician: bool,
    /// The actor wrote this record (matters for psychotherapy notes).
    pub author: bool,
    /// The actor supervises a care-team member who shared this client for supervision.
    pub shared_for_supervision: bool,
    /// The actor holds an active (unexpired) break-glass grant for this client.
    pub break_glass: bool,
    /// The client is restricted (e.g. a staff member who is also a client).
    pub restricted: bool,
    /// Virtual assistant: now is inside their access window.
    pub access_window_open: bool,
    /// Virtual assistant: a confidentiality agreement is recorded.
    pub nda_on_file: bool,
    /// Trainee: a supervisor is assigned.
    pub has_supervisor: bool,
    /// `AssignCareTeam` / `ManageUsers`: the actor is acting on themself.
    pub self_target: bool,
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; a flagged access (break-glass) is marked in the audit log for review.
    Allow {
        /// Break-glass access: flag the audit event for the privacy officer.
        flagged: bool,
    },
    /// Refused, with the reason the caller turns into an error.
    Deny(DenyReason),
}

impl Decision {
    /// Whether the access may go ahead.
    pub fn is_allowed(self) -> bool {
        matches!(self, Self::Allow { .. })
    }
}

/// Why an access was refused; each maps to a different answer to the person asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// The actor may not know the client exists: answer exactly as for a nonexistent id (404).
    NotVisible,
    /// The actor may know the client exists but may not do this (403).
    Forbidden,
    /// Changing one's own role or joining a care team oneself always needs someone else.
    SelfEscalation,
    /// A virtual assistant acting outside their access window.
    OutsideAccessWindow,
    /// A virtual assistant without a confidentiality agreement on file.
    NdaMissing,
    /// A trainee with no supervisor assigned.
    NeedsSupervisor,
    /// Break-glass access needs the emergency purpose (and a stated reason).
    NeedsReason,
}

/// Decides whether `role` may do `op` on a record of class `class` of the client described by
/// `facts`, for `purpose`.
///
/// Allowed when some rule of the table matches and its gate passes; a break-glass allow is
/// flagged, and an unflagged allow wins over a flagged one. Otherwise denied: `NotVisible`
/// when no rule gives this role any access to this client at all, the gate's reason when the
/// only rule that would allow this failed its gate, and `Forbidden` otherwise.
pub fn decide(
    role: StaffRole,
    op: Op,
    class: RecordClass,
    facts: &Facts,
    purpose: Purpose,
) -> Decision {
    let mut gate_failure = None;
    let mut flagged_allow = false;
    for rule in RULES
        .iter()
        .filter(|r| r.roles.contains(&role) && r.when.holds(facts))
    {
        if !rule.covers(class, op) {
            continue;
        }
        match rule.gate.check(facts, purpose) {
            Ok(()) if rule.when.flagged() => flagged_allow = true,
            Ok(()) => return Decision::Allow { flagged: false },
            Err(reason) => gate_failure = gate_failure.or(Some(reason)),
        }
    }
    if flagged_allow {
        return Decision::Allow { flagged: true };
    }
    if let Some(reason) = gate_failure {
        return Decision::Deny(reason);
    }
    if sees_client(role, facts) {
        Decision::Deny(DenyReason::Forbidden)
    } else {
        Decision::Deny(DenyReason::NotVisible)
    }
}

/// Whether any rule gives `role` some access to this client (gates aside): if none does, the
/// client must look nonexistent to them.
fn sees_client(role: StaffRole, facts: &Facts) -> bool {
    RULES
        .iter()
        .any(|r| r.roles.contains(&role) && r.when.holds(facts))
}

/// Decides whether `role` may take the administrative action `op`.
///
/// Acting on oneself (`facts.self_target`) for `ManageUsers` or `AssignCareTeam` is refused
/// for every role, the owner included; otherwise allowed when an admin rule matches.
pub fn decide_admin(role: StaffRole, op: AdminOp, facts: &Facts) -> Decision {
    if facts.self_target && matches!(op, AdminOp::ManageUsers | AdminOp::AssignCareTeam) {
        return Decision::Deny(DenyReason::SelfEscalation);
    }
    let allowed = ADMIN_RULES
        .iter()
        .any(|r| r.roles.contains(&role) && r.ops.contains(&op) && r.when.holds(facts));
    if allowed {
        Decision::Allow { flagged: false }
    } else {
        Decision::Deny(DenyReason::Forbidden)
    }
}

impl Rule {
    fn covers(&self, class: RecordClass, op: Op) -> bool {
        self.classes.contains(&class) && self.ops.contains(&op)
    }
}

impl When {
    /// Whether the actor stands in this relationship to the client.
    fn holds(self, f: &Facts) -> bool {
        // A restricted client is hidden from everyone off the care team; only break-glass
        // reaches past that.
        let unhidden = !f.restricted || f.on_care_team;
        match self {
            Self::Unhidden => unhidden,
            Self::CareTeam => f.on_care_team,
            Self::CareTeamAuthor => f.on_care_team && f.author,
            Self::SharedForSupervision => f.shared_for_supervision && unhidden,
            Self::BreakGlass => f.break_glass && !f.on_care_team,
        }
    }

    /// Whether an access allowed through this relationship is flagged in the audit log.
    fn flagged(self) -> bool {
        matches!(self, Self::BreakGlass)
    }
}

impl Gate {
    /// What must also be true of the actor (or the purpose) for the rule to allow.
    fn check(self, f: &Facts, purpose: Purpose) -> Result<(), DenyReason> {
        match self {
            Self::None => Ok(()),
            Self::Supervised if !f.has_supervisor => Err(DenyReason::NeedsSupervisor),
            Self::Supervised => Ok(()),
            Self::NdaAndWindow if !f.nda_on_file => Err(DenyReason::NdaMissing),
            Self::NdaAndWindow if !f.access_window_open => Err(DenyReason::OutsideAccessWindow),
            Self::NdaAndWindow => Ok(()),
            Self::Emergency if purpose != Purpose::Emergency => Err(DenyReason::NeedsReason),
            Self::Emergency => Ok(()),
        }
    }
}

impl AdminWhen {
    fn holds(self, f: &Facts) -> bool {
        match self {
            Self::Always => true,
            Self::PrimaryClinician => f.primary_clinician,
        }
    }
}

#[cfg(test)]
mod matrix_tests;
#[cfg(test)]
mod tests;
