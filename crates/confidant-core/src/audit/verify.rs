//! Checking a stored audit log end to end, and serving Merkle proofs from the stored nodes.
//!
//! Verification trusts nothing in the database but the events themselves: every stored
//! checkpoint must carry a valid signature and match the rebuilt tree, and checkpoints kept
//! elsewhere (exported earlier) must too. With a pinned verifier key, even someone holding the
//! database and able to re-sign cannot pass. Reads only; never logs.

use confidant_audit::{
    AuditVerifierKey, Checkpoint, Hash, LogVerifier, NodeSource, ProofError, VerifyError, open,
};
use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::ports::{AuditStore, Store, StoreError};

/// Events read from the store per page while verifying.
const PAGE: usize = 10_000;

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Events verified.
    pub size: u64,
    /// Root over all of them.
    pub root: Hash,
    /// Stored checkpoints whose signature and root matched.
    pub stored_checkpoints: usize,
    /// External checkpoints that matched.
    pub external_checkpoints: usize,
    /// Whether signatures were checked against a key given by the caller, not the stored one.
    pub key_pinned: bool,
}

/// The first thing found wrong, naming where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyFailure {
    /// The events themselves disagree with the checkpoints or their own numbering.
    #[error("{0}")]
    Log(#[from] VerifyError),
    /// A stored checkpoint's signature does not verify.
    #[error("the stored checkpoint for size {size} is not signed by the audit key: {why}")]
    BadStoredCheckpoint {
        /// Its size.
        size: u64,
        /// Why it failed.
        why: String,
    },
    /// An external checkpoint does not verify against the audit key.
    #[error("external checkpoint #{index} is not signed by this practice's audit key: {why}")]
    BadExternalCheckpoint {
        /// Position among the checkpoints given (1-based).
        index: usize,
        /// Why it failed.
        why: String,
    },
    /// An event's bytes no longer hash to the leaf recorded when it was appended, and the
    /// checkpoint covering it no longer matches.
    #[error(
        "event {seq} was altered: it no longer hashes to its recorded leaf, and the signed \
         checkpoint for size {checkpoint} no longer matches"
    )]
    Altered {
        /// The first altered event.
        seq: u64,
        /// The checkpoint that caught it.
        checkpoint: u64,
    },
    /// There is no key to check signatures with.
    #[error("no audit verifier key stored or given; the log cannot be checked")]
    NoKey,
}

impl VerifyFailure {
    /// The first bad sequence number, when the failure points at one.
    pub fn first_bad_seq(&self) -> Option<u64> {
        match self {
            Self::Log(VerifyError::OutOfSequence { expected, .. }) => Some(*expected),
            Self::Log(VerifyError::Truncated { log_size, .. }) => Some(*log_size),
            Self::Altered { seq, .. } => Some(*seq),
            _ => None,
        }
    }
}

/// Verifies the whole stored log. `progress(done, total)` is called as events are read.
pub fn verify_log(
    store: &dyn Store,
    pinned: Option<&AuditVerifierKey>,
    external: &[String],
    progress: &mut dyn FnMut(u64, u64),
) -> CoreResult<Result<VerifyReport, VerifyFailure>> {
    let stored_key = match store.audit_key()? {
        Some(row) => {
            Some(AuditVerifierKey::parse(&row.verifier_key).map_err(|_| CoreError::Integrity)?)
        }
        None => None,
    };
    let Some(key) = pinned.or(stored_key.as_ref()) else {
        return Ok(Err(VerifyFailure::NoKey));
    };
    let mut expected: Vec<Checkpoint> = Vec::new();
    let stored = store.checkpoints()?;
    for row in &stored {
        match open(&row.note, key) {
            Ok(cp) if cp.size == row.size => expected.push(cp),
            Ok(_) => {
                let why = "its size differs from the row it is stored in".to_owned();
                return Ok(Err(VerifyFailure::BadStoredCheckpoint {
                    size: row.size,
                    why,
                }));
            }
            Err(e) => {
                return Ok(Err(VerifyFailure::BadStoredCheckpoint {
                    size: row.size,
                    why: e.to_string(),
                }));
            }
        }
    }
    for (i, text) in external.iter().enumerate() {
        match open(text, key) {
            Ok(cp) => expected.push(cp),
            Err(e) => {
                return Ok(Err(VerifyFailure::BadExternalCheckpoint {
                    index: i + 1,
                    why: e.to_string(),
                }));
            }
        }
    }
    expected.sort_by_key(|c| c.size);
    let mut verifier = LogVerifier::new();
    for cp in &expected {
        if let Err(e) = verifier.expect_checkpoint(cp) {
            return Ok(Err(e.into()));
        }
    }
    let total = store.audit_size()?;
    let mut from = 0;
    loop {
        let page = store.audit_events(from, PAGE)?;
        let Some(last) = page.last() else { break };
        from = last.seq.saturating_add(1);
        for row in &page {
            if let Err(e) = verifier.push(row.seq, &row.event) {
                if let VerifyError::CheckpointMismatch { size } = e {
                    let after = expected
                        .iter()
                        .map(|c| c.size)
                        .filter(|s| *s < size)
                        .max()
                        .unwrap_or(0);
                    if let Some(seq) = locate_altered(store, after, size)? {
                        return Ok(Err(VerifyFailure::Altered {
                            seq,
                            checkpoint: size,
                        }));
                    }
                }
                return Ok(Err(e.into()));
            }
        }
        progress(verifier.size(), total);
        if page.len() < PAGE {
            break;
        }
    }
    Ok(verifier
        .finish()
        .map(|s| VerifyReport {
            size: s.size,
            root: s.root,
            stored_checkpoints: stored.len(),
            external_checkpoints: external.len(),
            key_pinned: pinned.is_some(),
        })
        .map_err(VerifyFailure::from))
}

/// After a checkpoint mismatch in events `after..size`, finds the first event whose bytes no
/// longer hash to the leaf stored at append time. `None` if the stored leaves were rewritten too
/// (then the mismatching checkpoint is all that can be named).
fn locate_altered(store: &dyn Store, after: u64, size: u64) -> CoreResult<Option<u64>> {
    let mut from = after;
    while from < size {
        let page = store.audit_events(from, PAGE.min((size - from) as usize))?;
        let Some(last) = page.last() else { break };
        for row in &page {
            let stored = AuditStore::audit_node(store, 0, row.seq)?;
            if stored != Some(*confidant_audit::leaf_hash(&row.event).as_bytes()) {
                return Ok(Some(row.seq));
            }
        }
        from = last.seq.saturating_add(1);
    }
    Ok(None)
}

/// A Merkle proof as served: the sizes, the root(s) and the hashes, all hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Proof {
    /// Leaf index (inclusion) or old size (consistency).
    pub from: u64,
    /// Tree size the proof is for.
    pub size: u64,
    /// Root at `size`.
    pub root: String,
    /// Root at `from` (consistency proofs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_root: Option<String>,
    /// Leaf hash of the event at `from` (inclusion proofs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf_hash: Option<String>,
    /// The proof's hashes, in RFC 9162 order.
    pub hashes: Vec<String>,
}

/// Reads tree nodes from the audit store.
pub(crate) struct StoreNodes<'a>(pub &'a dyn Store);

/// A node lookup failure: storage, or a node the store should have and does not.
#[derive(Debug)]
pub(crate) enum NodeError {
    Store(StoreError),
    Proof(ProofError),
}

impl From<ProofError> for NodeError {
    fn from(e: ProofError) -> Self {
        Self::Proof(e)
    }
}

impl From<NodeError> for CoreError {
    fn from(e: NodeError) -> Self {
        match e {
            NodeError::Store(s) => s.into(),
            NodeError::Proof(p) => {
                CoreError::Invalid(crate::error::Invalid::new("size", p.to_string()))
            }
        }
    }
}

impl NodeSource for StoreNodes<'_> {
    type Error = NodeError;
    fn node(&self, level: u8, index: u64) -> Result<Hash, NodeError> {
        match AuditStore::audit_node(self.0, level, index).map_err(NodeError::Store)? {
            Some(bytes) => Ok(Hash::from_bytes(bytes)),
            None => Err(NodeError::Store(StoreError::Corrupt(format!(
                "audit tree node ({level}, {index}) is missing"
            )))),
        }
    }
}

fn hex_all(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(Hash::to_hex).collect()
}

/// Checks `size` against the log and builds an inclusion proof for leaf `index`.
pub(crate) fn inclusion(store: &dyn Store, index: u64, size: u64) -> CoreResult<Proof> {
    check_size(store, size)?;
    if index >= size {
        return Err(CoreError::Invalid(crate::error::Invalid::new(
            "index",
            "must be less than size",
        )));
    }
    let nodes = StoreNodes(store);
    let hashes = confidant_audit::inclusion_proof(&nodes, index, size)?;
    Ok(Proof {
        from: index,
        size,
        root: confidant_audit::root_at(&nodes, size)?.to_hex(),
        old_root: None,
        leaf_hash: Some(nodes.node(0, index)?.to_hex()),
        hashes: hex_all(&hashes),
    })
}

/// Checks sizes against the log and builds a consistency proof from `old` to `new`.
pub(crate) fn consistency(store: &dyn Store, old: u64, new: u64) -> CoreResult<Proof> {
    check_size(store, new)?;
    if old == 0 || old > new {
        return Err(CoreError::Invalid(crate::error::Invalid::new(
            "from",
            "must be between 1 and `to`",
        )));
    }
    let nodes = StoreNodes(store);
    let hashes = confidant_audit::consistency_proof(&nodes, old, new)?;
    Ok(Proof {
        from: old,
        size: new,
        root: confidant_audit::root_at(&nodes, new)?.to_hex(),
        old_root: Some(confidant_audit::root_at(&nodes, old)?.to_hex()),
        leaf_hash: None,
        hashes: hex_all(&hashes),
    })
}

fn check_size(store: &dyn Store, size: u64) -> CoreResult<()> {
    let have = store.audit_size()?;
    if size == 0 || size > have {
        return Err(CoreError::Invalid(crate::error::Invalid::new(
            "size",
            format!("must be between 1 and the log's size ({have})"),
        )));
    }
    Ok(())
}
