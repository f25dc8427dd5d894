//! The audit trail: what an access event says and how it is encoded; `commit` makes events
//! durable and signs checkpoints, `verify` checks a stored log and serves proofs.
//!
//! Events carry ids and codes only — never names, note text or secrets. A caller that needs an
//! event recorded waits until it is durable; if it cannot be written, the caller fails (the
//! services then return nothing: fail closed).

mod commit;
mod service;
mod verify;

use std::net::IpAddr;

use serde::Serialize;
use time::OffsetDateTime;

use crate::actor::Actor;
use crate::error::{CoreError, CoreResult};
use crate::ids::ClientId;

pub use commit::AuditConfig;
pub(crate) use commit::AuditLog;
pub use service::{AuditEntry, AuditPage, MAX_AUDIT_PAGE};
pub use verify::{Proof, VerifyFailure, VerifyReport, verify_log};

/// Whether this is a `bench-insecure-plaintext` build, which records no audit events so a
/// benchmark can measure what auditing costs. Off by default; never ship a binary with it.
pub const AUDIT_OFF: bool = cfg!(feature = "bench-insecure-plaintext");

macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// What was done.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Action {
            $($(#[$doc])* $variant,)*
        }

        impl Action {
            /// The stored name, e.g. `note.read`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// Every action, for validating filters.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];
        }
    };
}

actions! {
    /// A client was added.
    ClientCreate => "client.create",
    /// A client's demographics were read.
    ClientRead => "client.read",
    /// A client appeared in a listing.
    ClientList => "client.list",
    /// A client was marked restricted or unrestricted.
    ClientRestrict => "client.restrict",
    /// A note was written.
    NoteCreate => "note.create",
    /// A note was read.
    NoteRead => "note.read",
    /// A client's notes were listed (and so read).
    NoteList => "note.list",
    /// A draft note was edited (a new version; the old one kept).
    NoteUpdate => "note.update",
    /// A note was signed by its author.
    NoteSign => "note.sign",
    /// A trainee's note was co-signed by their supervisor.
    NoteCosign => "note.cosign",
    /// An addendum was added to a signed note.
    NoteAddendum => "note.addendum",
    /// A note's earlier versions were read.
    NoteHistory => "note.history",
    /// A client's demographics were changed.
    ClientUpdate => "client.update",
    /// A client was discharged or readmitted.
    ClientStatus => "client.status",
    /// A client's record was exported (psychotherapy notes withheld).
    RecordExport => "record.export",
    /// A de-identified note was shared (for supervision, consultation or research: the
    /// event's purpose).
    DeidDisclose => "deid.disclose",
    /// An episode of care was opened.
    EpisodeOpen => "episode.open",
    /// An episode of care was closed.
    EpisodeClose => "episode.close",
    /// An episode of care was read (alone or in a client's list).
    EpisodeRead => "episode.read",
    /// An appointment was booked.
    AppointmentCreate => "appointment.create",
    /// An appointment was read.
    AppointmentRead => "appointment.read",
    /// An appointment was moved, its attendance recorded or its note changed.
    AppointmentUpdate => "appointment.update",
    /// An appointment appeared in a client's list or in the schedule (and so was read).
    AppointmentList => "appointment.list",
    /// A PHQ-9 or GAD-7 was recorded in a client's record.
    AssessmentCreate => "assessment.create",
    /// An assessment was read.
    AssessmentRead => "assessment.read",
    /// An assessment appeared in a client's list (and so was read).
    AssessmentList => "assessment.list",
    /// A file was attached to a client's record.
    AttachmentCreate => "attachment.create",
    /// An attachment's content was read.
    AttachmentRead => "attachment.read",
    /// An attachment appeared in a client's list (its name and type were read).
    AttachmentList => "attachment.list",
    /// The audit log itself was read.
    AuditRead => "audit.read",
    /// A request presented no valid credentials, or a sign-in step failed.
    AuthFail => "auth.fail",
    /// A sign-in was refused because the account is locked.
    AuthLocked => "auth.locked",
    /// A sign-in completed.
    AuthLogin => "auth.login",
    /// A session was ended.
    AuthLogout => "auth.logout",
    /// The policy refused an access.
    Denied => "access.denied",
    /// A staff member was invited.
    UserInvite => "user.invite",
    /// An invitation was accepted.
    UserActivate => "user.activate",
    /// Staff accounts were listed.
    UserList => "user.list",
    /// An account's details changed.
    UserUpdate => "user.update",
    /// An account's role changed.
    UserSetRole => "user.set_role",
    /// A password changed.
    UserSetPassword => "user.set_password",
    /// An account's second factor was reset.
    UserResetMfa => "user.reset_mfa",
    /// An account was deactivated.
    UserDeactivate => "user.deactivate",
    /// An API token was issued.
    TokenCreate => "token.create",
    /// An API token was revoked.
    TokenRevoke => "token.revoke",
    /// A passkey was registered (or a registration failed to verify).
    PasskeyRegister => "passkey.register",
    /// A passkey was deleted.
    PasskeyDelete => "passkey.delete",
    /// Someone was added to a care team.
    CareTeamAdd => "care_team.add",
    /// Someone was removed from a care team.
    CareTeamRemove => "care_team.remove",
    /// A client was shared with a supervisor for supervision.
    Share => "supervision.share",
    /// Emergency access outside the care team was granted.
    BreakGlass => "break_glass",
    /// Break-glass grants were reviewed.
    BreakGlassReview => "break_glass.review",
    /// Records matched a search (one event per hit shown).
    Search => "search",
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Why data is being accessed (HIPAA purposes of use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Care of the client.
    Treatment,
    /// Billing and payment.
    Payment,
    /// Running the practice.
    Operations,
    /// An emergency.
    Emergency,
    /// A legal obligation.
    Legal,
    /// At the client's own request.
    ClientRequest,
    /// Discussing a case with one's clinical supervisor (de-identified).
    Supervision,
    /// Consulting peers (de-identified).
    Consultation,
    /// Research or writing (de-identified).
    Research,
}

impl Purpose {
    /// Parses a purpose name as sent by a client (`treatment`, `client_request`, …).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "treatment" => Self::Treatment,
            "payment" => Self::Payment,
            "operations" => Self::Operations,
            "emergency" => Self::Emergency,
            "legal" => Self::Legal,
            "client_request" => Self::ClientRequest,
            "supervision" => Self::Supervision,
            "consultation" => Self::Consultation,
            "research" => Self::Research,
            _ => return None,
        })
    }
}

/// Whether the access was allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Allowed (and, for reads, data was returned).
    Allowed,
    /// Refused.
    Denied,
}

/// Who is asking, why, and from where: everything an access needs besides the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// The authenticated caller.
    pub actor: Actor,
    /// Purpose of use.
    pub purpose: Purpose,
    /// Network address the request came from.
    pub source: Option<IpAddr>,
}

/// One event before it has a sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When.
    pub at: OffsetDateTime,
    /// Who (absent when authentication failed).
    pub actor: Option<Actor>,
    /// What.
    pub action: Action,
    /// Kind of resource, e.g. `client`, `note`, `audit`.
    pub resource: &'static str,
    /// The resource's opaque id.
    pub resource_id: Option<String>,
    /// Whose record.
    pub client: Option<ClientId>,
    /// Purpose of use.
    pub purpose: Option<Purpose>,
    /// Allowed or denied.
    pub outcome: Outcome,
    /// Source address.
    pub source: Option<IpAddr>,
    /// Marked for the privacy officer's attention (break-glass access).
    pub flagged: bool,
}

/// The canonical encoding: JSON with fixed key order, ids and codes only.
#[derive(Serialize)]
struct Encoded<'a> {
    v: u8,
    seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    actor: Option<String>,
    role: Option<&'static str>,
    token: Option<String>,
    action: Action,
    resource: &'static str,
    resource_id: Option<&'a str>,
    client: Option<String>,
    purpose: Option<Purpose>,
    outcome: Outcome,
    source: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    flagged: bool,
}

impl Event {
    /// An event about `access` doing `action` to a resource of a client.
    pub fn of(
        access: &Access,
        at: OffsetDateTime,
        action: Action,
        resource: &'static str,
        resource_id: Option<String>,
        client: Option<ClientId>,
    ) -> Self {
        Self {
            at,
            actor: Some(access.actor),
            action,
            resource,
            resource_id,
            client,
            purpose: Some(access.purpose),
            outcome: Outcome::Allowed,
            source: access.source,
            flagged: false,
        }
    }

    /// The bytes hashed into the tree, given the event's sequence number.
    pub fn encode(&self, seq: u64) -> CoreResult<Vec<u8>> {
        let e = Encoded {
            v: 1,
            seq,
            at: self.at,
            actor: self.actor.map(|a| a.id.to_string()),
            role: self.actor.map(|a| a.role.as_str()),
            token: self.actor.and_then(|a| a.token()).map(|t| t.to_string()),
            action: self.action,
            resource: self.resource,
            resource_id: self.resource_id.as_deref(),
            client: self.client.map(|c| c.to_string()),
            purpose: self.purpose,
            outcome: self.outcome,
            source: self.source.map(|s| s.to_string()),
            flagged: self.flagged,
        };
        serde_json::to_vec(&e).map_err(|_| CoreError::Integrity)
    }
}
