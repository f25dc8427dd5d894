//! Confidant's tamper-evident audit log core: Merkle tree, proofs, signed checkpoints, verifier.
//!
//! Events are leaves of an RFC 9162 Merkle tree; a [`Frontier`] appends in O(log n) and reports
//! the nodes storage should keep; [`inclusion_proof`] and [`consistency_proof`] read those nodes
//! through [`NodeSource`] in O(log n) lookups; checkpoints are C2SP signed notes under the
//! practice's Ed25519 audit key; [`LogVerifier`] replays a whole log against them.
//!
//! Everything here is pure and synchronous: no files, no SQL, no logging, no clock. SHA-256 and
//! Ed25519 come from aws-lc-rs; nothing is hand-rolled. The only secret is the audit signing key's
//! seed, which zeroizes on drop and prints `[REDACTED]`.

mod checkpoint;
mod hash;
mod proof;
mod tree;
mod verify;

pub use checkpoint::{AuditSigningKey, AuditVerifierKey, Checkpoint, CheckpointError, open};
pub use hash::{HASH_LEN, Hash, empty_root, leaf_hash, node_hash};
pub use proof::{
    MemoryNodes, NodeSource, ProofError, consistency_proof, frontier_at, inclusion_proof, root_at,
    verify_consistency, verify_inclusion,
};
pub use tree::{Frontier, NodeAt, TreeError};
pub use verify::{LogVerifier, Summary, VerifyError};
