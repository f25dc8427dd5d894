//! Inclusion and consistency proofs, made and checked exactly as RFC 9162 §2.1.3 and §2.1.4 say.
//!
//! Proofs are built from stored perfect-subtree nodes through [`NodeSource`]: a perfect subtree is
//! one lookup, an imperfect right-edge subtree is folded from its O(log n) perfect parts, so every
//! proof costs O(log n) lookups whatever the tree size. This module owns proof generation,
//! verification and the in-memory node store used by tests and benches; it never does I/O itself
//! and never trusts a proof it has not recomputed to the expected root.

use crate::hash::{Hash, empty_root, node_hash};
use crate::tree::{Frontier, TreeError, fold_root};

/// Why a proof could not be made or did not verify.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    /// The leaf asked about is not in a tree of that size.
    #[error("leaf index {index} is outside a tree of {size} leaves; ask about a leaf below {size}")]
    IndexOutOfRange {
        /// The leaf index asked about.
        index: u64,
        /// The tree size it was asked against.
        size: u64,
    },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("old tree size {old_size} is larger than new size {new_size}; swap them")]
    SizesOutOfOrder {
        /// The size said to be older.
        old_size: u64,
        /// The size said to be newer.
        new_size: u64,
    },
    /// The proof has the wrong number of hashes for these sizes and index.
    #[error("the proof has {actual} hashes where {expected} are needed; it is not for these sizes")]
    WrongProofLength {
        /// Hashes a correct proof has.
        expected: usize,
        /// Hashes this proof has.
        actual: usize,
    },
    /// The proof does not lead to the given root(s): altered data, proof or root.
    #[error("the proof does not lead to the expected root; the log or the proof was altered")]
    RootMismatch,
    /// The node store lacks a node a proof needs (not yet written, or lost).
    #[error("tree node at level {level}, index {index} is missing from the store")]
    MissingNode {
        /// Level of the missing node.
        level: u8,
        /// Index of the missing node within its level.
        index: u64,
    },
}

/// Where proofs read perfect-subtree nodes from: storage implements it, [`MemoryNodes`] in memory.
///
/// `node(level, index)` returns the node covering leaves [index·2^level, (index+1)·2^level);
/// level 0 is the leaf hashes. The error type must accept a [`ProofError`] so a bad request (index
/// out of range) and a storage failure travel the same way.
pub trait NodeSource {
    /// The store's error, able to carry a [`ProofError`].
    type Error: From<ProofError>;

    /// The hash of the perfect-subtree node at (level, index).
    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error>;
}

/// Largest power of two strictly below `n` (n ≥ 2): RFC 9162's split point k.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The perfect subtrees that leaves [start, start + len) decompose into, largest first.
///
/// `start` must be a multiple of the largest of them, as every MTH subtree's start is.
fn perfect_parts<S: NodeSource>(src: &S, start: u64, len: u64) -> Result<Vec<Hash>, S::Error> {
    let mut parts = Vec::with_capacity(len.count_ones() as usize);
    let mut pos = start;
    for level in (0..64u8).rev() {
        if (len >> level) & 1 == 1 {
            parts.push(src.node(level, pos >> level)?);
            pos += 1 << level;
        }
    }
    Ok(parts)
}

/// MTH of leaves [start, end): one lookup if perfect, else a fold of its perfect parts.
fn subtree_root<S: NodeSource>(src: &S, start: u64, end: u64) -> Result<Hash, S::Error> {
    Ok(fold_root(&perfect_parts(src, start, end - start)?))
}

/// The root of the tree as it was at `size` leaves, in O(log n) lookups.
pub fn root_at<S: NodeSource>(src: &S, size: u64) -> Result<Hash, S::Error> {
    if size == 0 {
        return Ok(empty_root());
    }
    subtree_root(src, 0, size)
}

/// The frontier of the tree as it was at `size` leaves, e.g. to resume appending after a restart.
pub fn frontier_at<S: NodeSource>(src: &S, size: u64) -> Result<Frontier, S::Error> {
    Ok(Frontier::from_parts(size, perfect_parts(src, 0, size)?))
}

/// The inclusion proof (RFC 9162 §2.1.3.1 PATH) of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof<S: NodeSource>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, S::Error> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size }.into());
    }
    // Walk down from the root; each step's sibling is one proof hash, top first.
    let mut proof = Vec::with_capacity(64);
    let (mut start, mut end) = (0, size);
    while end - start > 1 {
        let k = split(end - start);
        if index < start + k {
            proof.push(subtree_root(src, start + k, end)?);
            end = start + k;
        } else {
            proof.push(subtree_root(src, start, start + k)?);
            start += k;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// The consistency proof (RFC 9162 §2.1.4.1 PROOF/SUBPROOF) that `new_size` extends `old_size`.
///
/// Empty when `old_size` is 0 or equals `new_size`: those are consistent by definition.
pub fn consistency_proof<S: NodeSource>(
    src: &S,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, S::Error> {
    if old_size > new_size {
        return Err(ProofError::SizesOutOfOrder { old_size, new_size }.into());
    }
    let mut proof = Vec::with_capacity(64);
    if old_size == 0 || old_size == new_size {
        return Ok(proof);
    }
    // SUBPROOF(m, D[start:end], b), unrolled: collect top-down, then reverse.
    let (mut start, mut end, mut whole_old_tree) = (0, new_size, true);
    loop {
        let (m, n) = (old_size - start, end - start);
        if m == n {
            if !whole_old_tree {
                proof.push(subtree_root(src, start, end)?);
            }
            break;
        }
        let k = split(n);
        if m <= k {
            proof.push(subtree_root(src, start + k, end)?);
            end = start + k;
        } else {
            proof.push(subtree_root(src, start, start + k)?);
            start += k;
            whole_old_tree = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

fn shift(fn_: &mut u64, sn: &mut u64) {
    *fn_ >>= 1;
    *sn >>= 1;
}

/// One step of RFC 9162's verification loops: is the proof hash on the left of the running hash?
/// Updates (fn, sn) as both algorithms do.
fn proof_step_is_left(fn_: &mut u64, sn: &mut u64) -> bool {
    let left = *fn_ & 1 == 1 || *fn_ == *sn;
    if left && *fn_ & 1 == 0 {
        while *fn_ & 1 == 0 && *fn_ != 0 {
            shift(fn_, sn);
        }
    }
    left
}

/// How many hashes the RFC 9162 loop consumes from (fn, sn) until sn reaches 0.
fn steps_until_root(mut fn_: u64, mut sn: u64) -> usize {
    let mut steps = 0;
    while sn != 0 {
        proof_step_is_left(&mut fn_, &mut sn);
        shift(&mut fn_, &mut sn);
        steps += 1;
    }
    steps
}

fn check_len(expected: usize, actual: usize) -> Result<(), ProofError> {
    if expected == actual {
        Ok(())
    } else {
        Err(ProofError::WrongProofLength { expected, actual })
    }
}

/// Checks that `leaf` is leaf `index` of the tree of `size` leaves with `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    check_len(steps_until_root(fn_, sn), proof.len())?;
    let mut r = *leaf;
    for p in proof {
        if proof_step_is_left(&mut fn_, &mut sn) {
            r = node_hash(p, &r);
        } else {
            r = node_hash(&r, p);
        }
        shift(&mut fn_, &mut sn);
    }
    if sn != 0 || r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `new_size` leaves with `new_root` extends the one of `old_size` with
/// `old_root` (RFC 9162 §2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots; old size 0 needs an empty proof and the
/// empty-tree root, since every tree extends the empty one.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::SizesOutOfOrder { old_size, new_size });
    }
    if old_size == new_size || old_size == 0 {
        check_len(0, proof.len())?;
        let expected_old = if old_size == 0 {
            empty_root()
        } else {
            *new_root
        };
        if *old_root != expected_old {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }
    // Step 2: a perfect old tree is its own first proof hash, so the verifier supplies it.
    let seeded = old_size.is_power_of_two();
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    // Step 4: skip the levels where the old tree's last leaf is a right child all the way up.
    while fn_ & 1 == 1 {
        shift(&mut fn_, &mut sn);
    }
    check_len(
        steps_until_root(fn_, sn) + usize::from(!seeded),
        proof.len(),
    )?;
    let (first, rest) = match (seeded, proof.split_first()) {
        (true, _) => (*old_root, proof),
        (false, Some((first, rest))) => (*first, rest),
        // Unreachable after the length check (a non-seeded proof has at least one hash).
        (false, None) => {
            return Err(ProofError::WrongProofLength {
                expected: 1,
                actual: 0,
            });
        }
    };
    let (mut fr, mut sr) = (first, first);
    for c in rest {
        if proof_step_is_left(&mut fn_, &mut sn) {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
        } else {
            sr = node_hash(&sr, c);
        }
        shift(&mut fn_, &mut sn);
    }
    if sn != 0 || fr != *old_root || sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The in-memory [`NodeSource`]: every perfect-subtree node by level, for tests and benches.
///
/// It is fed exactly as storage is: each leaf hash at level 0 plus what [`Frontier::append`]
/// reports, so it exercises the same path a real store takes.
#[derive(Clone, Debug, Default)]
pub struct MemoryNodes {
    levels: Vec<Vec<Hash>>,
    frontier: Frontier,
}

impl MemoryNodes {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty tree with room for `leaves` leaves, so building a big test tree does not reallocate.
    pub fn with_capacity(leaves: u64) -> Self {
        let mut levels = Vec::new();
        let mut n = leaves;
        while n > 0 {
            levels.push(Vec::with_capacity(usize::try_from(n).unwrap_or(0)));
            n /= 2;
        }
        Self {
            levels,
            frontier: Frontier::new(),
        }
    }

    /// Appends a leaf hash, keeping it and every node it completes.
    pub fn append(&mut self, leaf: Hash) -> Result<(), TreeError> {
        let levels = &mut self.levels;
        let mut keep = |level: u8, hash: Hash| {
            let level = usize::from(level);
            if levels.len() <= level {
                levels.resize_with(level + 1, Vec::new);
            }
            levels[level].push(hash);
        };
        self.frontier
            .append_with(leaf, |node| keep(node.level, node.hash))?;
        keep(0, leaf);
        Ok(())
    }

    /// Number of leaves held.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Root of the whole tree held.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The frontier of the whole tree held.
    pub fn frontier(&self) -> &Frontier {
        &self.frontier
    }
}

impl NodeSource for MemoryNodes {
    type Error = ProofError;

    fn node(&self, level: u8, index: u64) -> Result<Hash, ProofError> {
        let found = self
            .levels
            .get(usize::from(level))
            .zip(usize::try_from(index).ok())
            .and_then(|(nodes, i)| nodes.get(i));
        found
            .copied()
            .ok_or(ProofError::MissingNode { level, index })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    fn tree(n: u64) -> MemoryNodes {
        let mut t = MemoryNodes::new();
        for i in 0..n {
            t.append(leaf_hash(&i.to_be_bytes())).unwrap();
        }
        t
    }

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(1 << 40), 1 << 39);
        assert_eq!(split((1 << 40) + 1), 1 << 40);
    }

    #[test]
    fn root_at_every_earlier_size_matches_the_frontier_then() {
        let t = tree(40);
        let mut f = Frontier::new();
        assert_eq!(root_at(&t, 0).unwrap(), empty_root());
        for i in 0..40u64 {
            f.append(leaf_hash(&i.to_be_bytes())).unwrap();
            assert_eq!(root_at(&t, i + 1).unwrap(), f.root());
            assert_eq!(frontier_at(&t, i + 1).unwrap(), f);
        }
    }

    #[test]
    fn a_size_beyond_the_store_is_a_missing_node() {
        let t = tree(5);
        assert!(matches!(
            root_at(&t, 6),
            Err(ProofError::MissingNode { .. })
        ));
    }

    #[test]
    fn proofs_refuse_out_of_range_requests() {
        let t = tree(5);
        assert_eq!(
            inclusion_proof(&t, 5, 5),
            Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert_eq!(
            consistency_proof(&t, 4, 3),
            Err(ProofError::SizesOutOfOrder {
                old_size: 4,
                new_size: 3
            })
        );
    }
}
