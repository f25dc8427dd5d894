//! The audit log's read side for the API: searching events, the latest checkpoint, proofs, and
//! recording failed authentication. Reading the log is itself an audited access.

use std::net::IpAddr;

use serde::Serialize;

use super::verify::{self, Proof};
use super::{Access, Action, Event, Outcome};
use crate::error::{CoreError, CoreResult};
use crate::policy::{AdminOp, Facts};
use crate::ports::{AuditFilter, CheckpointRow};
use crate::vault::Vault;

/// Most events returned by one page of an audit search.
pub const MAX_AUDIT_PAGE: usize = 1000;

/// One stored event as served: its sequence number and its canonical JSON.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Sequence number (leaf index).
    pub seq: u64,
    /// The event exactly as hashed.
    pub event: serde_json::Value,
}

/// A page of audit events, and where the next starts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    /// Events, ascending by sequence number.
    pub events: Vec<AuditEntry>,
    /// Pass as `after` for the next page; `null` on the last.
    pub next: Option<u64>,
}

impl Vault {
    /// Only the owner and the privacy officer read the audit log (a refusal is itself audited).
    fn may_read_audit(&self, access: &Access) -> CoreResult<()> {
        self.authorize_admin(access, AdminOp::ReadAudit, Facts::default())
    }

    fn record_audit_read(&self, access: &Access, what: &str) -> CoreResult<()> {
        let event = Event::of(
            access,
            self.clock.now(),
            Action::AuditRead,
            "audit",
            Some(what.to_owned()),
            None,
        );
        self.audit.record(vec![event]).map(drop)
    }

    /// Searches the audit log.
    pub fn audit_events(
        &self,
        access: &Access,
        filter: &AuditFilter,
        limit: usize,
    ) -> CoreResult<AuditPage> {
        self.may_read_audit(access)?;
        let limit = limit.clamp(1, MAX_AUDIT_PAGE);
        let rows = self.store.audit_search(filter, limit + 1)?;
        let more = rows.len() > limit;
        let mut events = Vec::with_capacity(limit.min(rows.len()));
        for row in rows.iter().take(limit) {
            let event = serde_json::from_slice(&row.event).map_err(|_| CoreError::Integrity)?;
            events.push(AuditEntry {
                seq: row.seq,
                event,
            });
        }
        let next = if more {
            events.last().map(|e| e.seq)
        } else {
            None
        };
        self.record_audit_read(access, "events")?;
        Ok(AuditPage { events, next })
    }

    /// The latest signed checkpoint, signing one first so it covers every event so far.
    pub fn audit_checkpoint(&self, access: &Access) -> CoreResult<Option<CheckpointRow>> {
        self.may_read_audit(access)?;
        self.record_audit_read(access, "checkpoint")?;
        self.audit.checkpoint()?;
        Ok(self.store.latest_checkpoint()?)
    }

    /// Proof that event `index` is in the log of size `size`.
    pub fn inclusion_proof(&self, access: &Access, index: u64, size: u64) -> CoreResult<Proof> {
        self.may_read_audit(access)?;
        let proof = verify::inclusion(self.store.as_ref(), index, size)?;
        self.record_audit_read(access, "proof")?;
        Ok(proof)
    }

    /// Proof that the log at size `to` extends the log at size `from`.
    pub fn consistency_proof(&self, access: &Access, from: u64, to: u64) -> CoreResult<Proof> {
        self.may_read_audit(access)?;
        let proof = verify::consistency(self.store.as_ref(), from, to)?;
        self.record_audit_read(access, "proof")?;
        Ok(proof)
    }

    /// Records a request that presented no valid credentials (never the credential itself).
    pub fn record_auth_failure(&self, source: Option<IpAddr>) -> CoreResult<()> {
        let event = Event {
            at: self.clock.now(),
            actor: None,
            action: Action::AuthFail,
            resource: "session",
            resource_id: None,
            client: None,
            purpose: None,
            outcome: Outcome::Denied,
            source,
            flagged: false,
        };
        self.audit.record(vec![event]).map(drop)
    }

    /// Signs a checkpoint of everything so far (e.g. at shutdown); returns its size.
    pub fn checkpoint_now(&self) -> CoreResult<u64> {
        self.audit.checkpoint()
    }
}
