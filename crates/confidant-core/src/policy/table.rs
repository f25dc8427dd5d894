//! The access policy as data: every grant any role has, one row each. Reading this file
//! should be enough to answer "who can see what"; `decide` only evaluates it.
//!
//! Intent, in the words of the design's promises 2 and 3 (minimum necessary):
//! - Anything not granted here is denied. A role with no row reaching a client gets
//!   `NotVisible` (the client looks nonexistent); a role that reaches the client through some
//!   row but not for this class or operation gets `Forbidden`.
//! - Restricted clients (staff who are clients) are hidden from everyone off their care team,
//!   owner and privacy officer included: `Unhidden` is false for them. Only break-glass, and
//!   only for clinicians and supervisors, reaches past that.
//! - Clinicians, supervisors and trainees see clients on their care team; a trainee only while a
//!   supervisor is assigned. A supervisor also reads what a supervisee shares for supervision.
//! - Psychotherapy notes are read, listed and changed by their author alone (on the care team);
//!   anyone doing clinical work on the team may write a new one. No other row names them, so
//!   break-glass and supervision never open them, and the owner only as their on-team author.
//! - Break-glass reads (never writes) the clinical record outside the care team, for the
//!   emergency purpose only, and every such access is flagged for the privacy officer.
//! - Front desk, biller and virtual assistant reach unrestricted clients for their own classes
//!   only; the virtual assistant needs an NDA on file and an open access window.
//!
//! This file must never hold logic beyond the enums: no conditions in code, no exceptions by
//! role. A new grant is a new row.

use super::{AdminOp, Op, RecordClass, StaffRole};

use AdminOp as A;
use Op::{Create, List, Read, Update};
use RecordClass::{
    Appointments, Audit, Billing, Consents, Demographics, Documents, Messages, ProgressNotes,
    PsychotherapyNotes,
};
use StaffRole::{
    Biller, Clinician, FrontDesk, Owner, PrivacyOfficer, Supervisor, Trainee, VirtualAssistant,
};

/// The actor's relationship to the client that a rule requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    /// The client is not restricted, or the actor is on their care team.
    Unhidden,
    /// The actor is on the client's care team.
    CareTeam,
    /// The actor is on the care team and wrote this record.
    CareTeamAuthor,
    /// A supervisee shared this (unhidden) client with the actor for supervision.
    SharedForSupervision,
    /// The actor holds an active break-glass grant and is not on the care team (flagged).
    BreakGlass,
}

/// What must also be true, beyond the relationship, for a rule to allow; a failed gate is
/// the denial's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gate {
    /// Nothing more.
    None,
    /// A supervisor is assigned (else `NeedsSupervisor`).
    Supervised,
    /// An NDA is on file (else `NdaMissing`) and the access window is open (else
    /// `OutsideAccessWindow`).
    NdaAndWindow,
    /// The purpose is `Emergency` (else `NeedsReason`).
    Emergency,
}

/// One grant: these roles may do these operations on these classes when the relationship
/// holds and the gate passes.
#[derive(Debug)]
pub(super) struct Rule {
    pub roles: &'static [StaffRole],
    pub classes: &'static [RecordClass],
    pub ops: &'static [Op],
    pub when: When,
    pub gate: Gate,
}

const RW: &[Op] = &[Read, List, Create, Update];
const RO: &[Op] = &[Read, List];

/// The clinical record a care-team member works with (psychotherapy notes and audit apart).
const CLINICAL_RECORD: &[RecordClass] = &[
    Demographics,
    Appointments,
    ProgressNotes,
    Documents,
    Billing,
    Consents,
    Messages,
];
/// The owner's clinical classes, open only while on the care team.
const OWNER_CLINICAL: &[RecordClass] = &[ProgressNotes, Documents, Consents, Messages, Billing];
/// What break-glass opens: no billing, no psychotherapy notes, no audit.
const EMERGENCY_VIEW: &[RecordClass] = &[
    Demographics,
    Appointments,
    ProgressNotes,
    Documents,
    Consents,
    Messages,
];
/// What a supervisor reads of a client shared for supervision.
const SUPERVISION_VIEW: &[RecordClass] = &[Demographics, ProgressNotes, Documents, Consents];

/// Roles that do clinical work on a care team without further conditions.
const CLINICIANS: &[StaffRole] = &[Clinician, Supervisor];
/// Who may keep psychotherapy notes on their care team: clinicians, and the owner of a practice
/// who is also its therapist.
const NOTE_AUTHORS: &[StaffRole] = &[Owner, Clinician, Supervisor];

const fn rule(
    roles: &'static [StaffRole],
    classes: &'static [RecordClass],
    ops: &'static [Op],
    when: When,
    gate: Gate,
) -> Rule {
    Rule {
        roles,
        classes,
        ops,
        when,
        gate,
    }
}

/// Every grant on client records. (Kept one grant per line.)
#[rustfmt::skip]
pub(super) const RULES: &[Rule] = &[
    // Owner: runs the practice; clinical content only as a care-team member.
    rule(&[Owner], &[Demographics, Appointments], RW, When::Unhidden, Gate::None),
    rule(&[Owner], OWNER_CLINICAL, RW, When::CareTeam, Gate::None),
    rule(&[Owner], &[Audit], RO, When::Unhidden, Gate::None),
    // Privacy officer: who the client is, what they consented to, who looked.
    rule(&[PrivacyOfficer], &[Demographics, Consents, Audit], RO, When::Unhidden, Gate::None),
    // Clinicians and supervisors on the care team.
    rule(CLINICIANS, CLINICAL_RECORD, RW, When::CareTeam, Gate::None),
    rule(NOTE_AUTHORS, &[PsychotherapyNotes], &[Create], When::CareTeam, Gate::None),
    rule(NOTE_AUTHORS, &[PsychotherapyNotes], &[Read, List, Update], When::CareTeamAuthor, Gate::None),
    rule(CLINICIANS, EMERGENCY_VIEW, RO, When::BreakGlass, Gate::Emergency),
    // Supervisors, for what a supervisee shares.
    rule(&[Supervisor], SUPERVISION_VIEW, RO, When::SharedForSupervision, Gate::None),
    // Trainees: as a clinician on the care team, while supervised; no break-glass.
    rule(&[Trainee], CLINICAL_RECORD, RW, When::CareTeam, Gate::Supervised),
    rule(&[Trainee], &[PsychotherapyNotes], &[Create], When::CareTeam, Gate::Supervised),
    rule(&[Trainee], &[PsychotherapyNotes], &[Read, List, Update], When::CareTeamAuthor, Gate::Supervised),
    // Front desk: who and when.
    rule(&[FrontDesk], &[Demographics, Appointments], RW, When::Unhidden, Gate::None),
    // Biller: who, and what is owed.
    rule(&[Biller], &[Demographics], RO, When::Unhidden, Gate::None),
    rule(&[Biller], &[Billing], RW, When::Unhidden, Gate::None),
    // Virtual assistant: scheduling only, time-boxed, under NDA.
    rule(&[VirtualAssistant], &[Appointments], RW, When::Unhidden, Gate::NdaAndWindow),
];

/// What an administrative grant requires of the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AdminWhen {
    /// Nothing more.
    Always,
    /// The actor is the client's primary clinician.
    PrimaryClinician,
}

/// One administrative grant. Acting on oneself is refused before this table is consulted.
#[derive(Debug)]
pub(super) struct AdminRule {
    pub roles: &'static [StaffRole],
    pub ops: &'static [AdminOp],
    pub when: AdminWhen,
}

/// Every administrative grant. (Kept one grant per line.)
#[rustfmt::skip]
pub(super) const ADMIN_RULES: &[AdminRule] = &[
    AdminRule {
        roles: &[Owner],
        ops: &[A::ManageUsers, A::ReadAudit, A::ReviewBreakGlass, A::AssignCareTeam, A::CreateClient],
        when: AdminWhen::Always,
    },
    AdminRule { roles: &[PrivacyOfficer], ops: &[A::ReadAudit, A::ReviewBreakGlass], when: AdminWhen::Always },
    AdminRule { roles: &[Clinician, Supervisor], ops: &[A::CreateClient, A::BreakGlass], when: AdminWhen::Always },
    AdminRule { roles: &[Clinician, Supervisor], ops: &[A::AssignCareTeam], when: AdminWhen::PrimaryClinician },
    AdminRule { roles: &[FrontDesk], ops: &[A::CreateClient], when: AdminWhen::Always },
];
