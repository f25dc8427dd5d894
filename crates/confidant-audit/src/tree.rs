//! The growing Merkle tree: the frontier (compact range) a log needs to append in O(log n).
//!
//! A tree of size n is fully described, for appending and for its root, by the roots of the perfect
//! subtrees its size decomposes into (one per set bit of n, largest on the left, at most 64). This
//! module owns that frontier, the nodes each append completes (so storage can keep them for
//! proofs) and the frontier's byte encoding. It never stores leaves or does I/O.

use crate::hash::{HASH_LEN, Hash, empty_root, node_hash};

/// A perfect-subtree node: (level, index) covers leaves [index·2^level, (index+1)·2^level).
///
/// Level 0 is a leaf hash. Storage keeps these so proofs can look any perfect subtree up at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeAt {
    /// Height above the leaves: the node covers 2^level leaves.
    pub level: u8,
    /// Position among the nodes of its level, counting from 0 on the left.
    pub index: u64,
    /// The node's hash.
    pub hash: Hash,
}

/// What went wrong growing, saving or loading a tree.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TreeError {
    /// The tree already holds 2^64 − 1 leaves, the most a size can count.
    #[error("the audit tree is full (2^64 - 1 events); start a new log")]
    Full,
    /// Stored frontier bytes are not a frontier this crate wrote: storage is damaged or altered.
    #[error("stored frontier is malformed ({reason}); rebuild it from the stored tree nodes")]
    MalformedFrontier {
        /// Which check failed.
        reason: &'static str,
    },
}

/// First byte of the frontier encoding, so a later format can be told apart.
const FRONTIER_VERSION: u8 = 1;

/// The compact range of a tree of size n: what appending and computing the root need.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// Roots of the perfect subtrees, left (largest) to right (smallest): one per set bit of size.
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree, where every log starts.
    pub fn new() -> Self {
        Self {
            size: 0,
            hashes: Vec::with_capacity(64),
        }
    }

    /// Builds a frontier from its parts; `hashes` must hold one hash per set bit of `size`.
    pub(crate) fn from_parts(size: u64, hashes: Vec<Hash>) -> Self {
        debug_assert_eq!(hashes.len(), size.count_ones() as usize);
        Self { size, hashes }
    }

    /// Number of leaves in the tree, which is also the index the next leaf will get.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The roots of the perfect subtrees, left to right, for callers that persist them their way.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Adds a leaf hash and returns the nodes (level ≥ 1) it completed, for storage to keep.
    ///
    /// At most 64 nodes; O(log n) hashing.
    pub fn append(&mut self, leaf: Hash) -> Result<Vec<NodeAt>, TreeError> {
        let mut completed = Vec::new();
        self.append_with(leaf, |node| completed.push(node))?;
        Ok(completed)
    }

    /// [`Frontier::append`] without allocating: each completed node goes to `on_node`.
    pub fn append_with(
        &mut self,
        leaf: Hash,
        mut on_node: impl FnMut(NodeAt),
    ) -> Result<(), TreeError> {
        let index = self.size;
        let new_size = index.checked_add(1).ok_or(TreeError::Full)?;
        // Each trailing one bit of the old size is a perfect subtree, smallest on the right, that
        // the new leaf completes into one twice its size.
        let merges = index.trailing_ones() as usize;
        let keep = self.hashes.len().saturating_sub(merges);
        let mut hash = leaf;
        let mut level = 0u8;
        for left in self.hashes.drain(keep..).rev() {
            hash = node_hash(&left, &hash);
            level += 1;
            on_node(NodeAt {
                level,
                index: index >> level,
                hash,
            });
        }
        self.hashes.push(hash);
        self.size = new_size;
        Ok(())
    }

    /// The tree's root (RFC 9162 MTH), folding the perfect subtrees from the right.
    pub fn root(&self) -> Hash {
        fold_root(&self.hashes)
    }

    /// Encodes the frontier for storage: version byte, size (u64 big-endian), then the hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 8 + self.hashes.len() * HASH_LEN);
        out.push(FRONTIER_VERSION);
        out.extend_from_slice(&self.size.to_be_bytes());
        for h in &self.hashes {
            out.extend_from_slice(h.as_bytes());
        }
        out
    }

    /// Decodes [`Frontier::to_bytes`] output, refusing anything not exactly in that form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TreeError> {
        let malformed = |reason| TreeError::MalformedFrontier { reason };
        let (&version, rest) = bytes.split_first().ok_or(malformed("empty"))?;
        if version != FRONTIER_VERSION {
            return Err(malformed("unknown version"));
        }
        let (size_bytes, rest) = rest
            .split_first_chunk::<8>()
            .ok_or(malformed("too short for a size"))?;
        let size = u64::from_be_bytes(*size_bytes);
        if rest.len() != size.count_ones() as usize * HASH_LEN {
            return Err(malformed("hash count does not match the size"));
        }
        let hashes = rest
            .chunks_exact(HASH_LEN)
            .filter_map(Hash::from_slice)
            .collect();
        Ok(Self::from_parts(size, hashes))
    }
}

/// MTH of a tree given its perfect-subtree roots left to right (largest first).
pub(crate) fn fold_root(parts: &[Hash]) -> Hash {
    let mut it = parts.iter().rev();
    let Some(last) = it.next() else {
        return empty_root();
    };
    it.fold(*last, |acc, left| node_hash(left, &acc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    fn frontier_of(n: u64) -> Frontier {
        let mut f = Frontier::new();
        for i in 0..n {
            f.append(leaf_hash(&i.to_be_bytes())).unwrap();
        }
        f
    }

    #[test]
    fn the_empty_frontier_has_the_empty_root() {
        assert_eq!(Frontier::new().root(), empty_root());
        assert_eq!(Frontier::new().size(), 0);
    }

    #[test]
    fn a_single_leaf_is_its_own_root() {
        let leaf = leaf_hash(b"only");
        assert_eq!(frontier_of(0).root(), empty_root());
        let mut f = Frontier::new();
        assert!(f.append(leaf).unwrap().is_empty());
        assert_eq!(f.root(), leaf);
    }

    #[test]
    fn append_reports_exactly_the_nodes_it_completes() {
        let mut f = frontier_of(7);
        let leaf = leaf_hash(&7u64.to_be_bytes());
        let done = f.append(leaf).unwrap();
        let levels: Vec<(u8, u64)> = done.iter().map(|n| (n.level, n.index)).collect();
        assert_eq!(levels, vec![(1, 3), (2, 1), (3, 0)]);
        assert_eq!(done[2].hash, f.root());
        assert_eq!(f.hashes().len(), 1);
    }

    #[test]
    fn frontier_bytes_round_trip() {
        for n in [0, 1, 2, 3, 63, 64, 1000] {
            let f = frontier_of(n);
            assert_eq!(Frontier::from_bytes(&f.to_bytes()).unwrap(), f);
        }
    }

    #[test]
    fn malformed_frontier_bytes_are_refused() {
        let good = frontier_of(5).to_bytes();
        let malformed = |b: &[u8]| {
            matches!(
                Frontier::from_bytes(b),
                Err(TreeError::MalformedFrontier { .. })
            )
        };
        assert!(malformed(&[]));
        assert!(malformed(&good[..5]));
        assert!(malformed(&good[..good.len() - 1]));
        let mut longer = good.clone();
        longer.push(0);
        assert!(malformed(&longer));
        let mut other_version = good.clone();
        other_version[0] = 2;
        assert!(malformed(&other_version));
        // Size 6 has two set bits like 5, but size 7 needs three hashes.
        let mut wrong_size = good;
        wrong_size[8] = 7;
        assert!(malformed(&wrong_size));
    }

    #[test]
    fn a_full_tree_refuses_another_leaf() {
        let mut f = Frontier::from_parts(u64::MAX, vec![empty_root(); 64]);
        assert_eq!(f.append(empty_root()), Err(TreeError::Full));
        assert_eq!(f.size(), u64::MAX);
    }
}
