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

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Action {
    /// A client was added.
    #[serde(rename = "client.create")]
    ClientCreate,
    /// A client's demographics were read.
    #[serde(rename = "client.read")]
    ClientRead,
    /// A client appeared in a listing.
    #[serde(rename = "client.list")]
    ClientList,
    /// A note was written.
    #[serde(rename = "note.create")]
    NoteCreate,
    /// A note was read.
    #[serde(rename = "note.read")]
    NoteRead,
    /// A client's notes were listed (and so read).
    #[serde(rename = "note.list")]
    NoteList,
    /// The audit log itself was read.
    #[serde(rename = "audit.read")]
    AuditRead,
    /// A request presented no valid credentials.
    #[serde(rename = "auth.fail")]
    AuthFail,
}

impl Action {
    /// The stored name, e.g. `note.read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientCreate => "client.create",
            Self::ClientRead => "client.read",
            Self::ClientList => "client.list",
            Self::NoteCreate => "note.create",
            Self::NoteRead => "note.read",
            Self::NoteList => "note.list",
            Self::AuditRead => "audit.read",
            Self::AuthFail => "auth.fail",
        }
    }

    /// Every action, for validating filters.
    pub const ALL: [Self; 8] = [
        Self::ClientCreate,
        Self::ClientRead,
        Self::ClientList,
        Self::NoteCreate,
        Self::NoteRead,
        Self::NoteList,
        Self::AuditRead,
        Self::AuthFail,
    ];
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
            token: self.actor.map(|a| a.token.to_string()),
            action: self.action,
            resource: self.resource,
            resource_id: self.resource_id.as_deref(),
            client: self.client.map(|c| c.to_string()),
            purpose: self.purpose,
            outcome: self.outcome,
            source: self.source.map(|s| s.to_string()),
        };
        serde_json::to_vec(&e).map_err(|_| CoreError::Integrity)
    }
}
