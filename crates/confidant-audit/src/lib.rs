//! Confidant's tamper-evident audit log core: RFC 9162 Merkle tree hashing and appending.
//!
//! Events are leaves of an RFC 9162 Merkle tree; a [`Frontier`] appends in O(log n) and reports
//! the nodes storage should keep.
//!
//! Everything here is pure and synchronous: no files, no SQL, no logging, no clock. SHA-256 comes
//! from aws-lc-rs; nothing is hand-rolled.

mod hash;
mod tree;

pub use hash::{HASH_LEN, Hash, empty_root, leaf_hash, node_hash};
pub use tree::{Frontier, NodeAt, TreeError};
