//! Every proof for every tree up to 64 leaves, checked against the RFC 9162 definitions written
//! naively; then random proofs on a tree of 1,000,000 leaves, with node lookups counted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::cell::Cell;

use common::{Rng, data, flipped, naive_mth, naive_path, naive_proof, nodes_of};
use confidant_audit::{
    Frontier, Hash, MemoryNodes, NodeSource, ProofError, consistency_proof, frontier_at,
    inclusion_proof, leaf_hash, root_at, verify_consistency, verify_inclusion,
};

const MAX: u64 = 64;

#[test]
fn frontier_roots_equal_the_naive_recursive_mth_for_every_size_up_to_64() {
    let d = data(MAX);
    let mut f = Frontier::new();
    assert_eq!(f.root(), naive_mth(&[]));
    for n in 1..=MAX as usize {
        f.append(leaf_hash(&d[n - 1])).unwrap();
        assert_eq!(f.root(), naive_mth(&d[..n]), "size {n}");
    }
}

#[test]
fn every_inclusion_proof_up_to_64_leaves_is_rfc_path_and_verifies() {
    let d = data(MAX);
    let t = nodes_of(&d);
    for n in 1..=MAX {
        let root = naive_mth(&d[..n as usize]);
        assert_eq!(root_at(&t, n).unwrap(), root);
        for i in 0..n {
            let proof = inclusion_proof(&t, i, n).unwrap();
            assert_eq!(
                proof,
                naive_path(i as usize, &d[..n as usize]),
                "{i} in {n}"
            );
            let leaf = leaf_hash(&d[i as usize]);
            verify_inclusion(&leaf, i, n, &proof, &root).unwrap();
        }
    }
}

#[test]
fn every_inclusion_proof_up_to_64_leaves_fails_when_anything_is_wrong() {
    let d = data(MAX);
    let t = nodes_of(&d);
    for n in 1..=MAX {
        let root = naive_mth(&d[..n as usize]);
        for i in 0..n {
            let proof = inclusion_proof(&t, i, n).unwrap();
            let leaf = leaf_hash(&d[i as usize]);
            for (p, byte) in (0..proof.len()).flat_map(|p| [(p, 0), (p, 31)]) {
                let mut bad = proof.clone();
                let mut bytes = *bad[p].as_bytes();
                bytes[byte] ^= 0x01;
                bad[p] = Hash::from_bytes(bytes);
                assert!(verify_inclusion(&leaf, i, n, &bad, &root).is_err());
            }
            for j in (0..n).filter(|&j| j != i) {
                assert!(
                    verify_inclusion(&leaf, j, n, &proof, &root).is_err(),
                    "leaf {i} passed as {j} in {n}"
                );
            }
            let other = leaf_hash(b"not in the log");
            assert_eq!(
                verify_inclusion(&other, i, n, &proof, &root),
                Err(ProofError::RootMismatch)
            );
            assert!(verify_inclusion(&leaf, i, n, &proof, &flipped(&root, 7)).is_err());
            // (A proof alone does not pin the size: a path can fit two sizes with equal shape.
            // The signed checkpoint binds size to root, so the size is not mutated here.)
            let mut longer = proof.clone();
            longer.push(root);
            assert!(verify_inclusion(&leaf, i, n, &longer, &root).is_err());
            if !proof.is_empty() {
                assert!(verify_inclusion(&leaf, i, n, &proof[1..], &root).is_err());
            }
        }
    }
}

#[test]
fn every_consistency_proof_up_to_64_leaves_is_rfc_proof_and_verifies() {
    let d = data(MAX);
    let t = nodes_of(&d);
    for n in 1..=MAX {
        let new_root = naive_mth(&d[..n as usize]);
        for m in 1..=n {
            let old_root = naive_mth(&d[..m as usize]);
            let proof = consistency_proof(&t, m, n).unwrap();
            let want = if m == n {
                Vec::new()
            } else {
                naive_proof(m as usize, &d[..n as usize])
            };
            assert_eq!(proof, want, "{m} -> {n}");
            verify_consistency(m, n, &old_root, &new_root, &proof).unwrap();
        }
    }
}

#[test]
fn every_consistency_proof_up_to_64_leaves_fails_if_any_hash_is_altered() {
    let d = data(MAX);
    let t = nodes_of(&d);
    for n in 1..=MAX {
        let new_root = naive_mth(&d[..n as usize]);
        for m in 1..=n {
            let old_root = naive_mth(&d[..m as usize]);
            let proof = consistency_proof(&t, m, n).unwrap();
            for p in 0..proof.len() {
                let mut bad = proof.clone();
                bad[p] = flipped(&bad[p], p);
                assert!(
                    verify_consistency(m, n, &old_root, &new_root, &bad).is_err(),
                    "{m} -> {n} with proof[{p}] altered"
                );
            }
            let bad_old = flipped(&old_root, 3);
            let bad_new = flipped(&new_root, 3);
            assert!(verify_consistency(m, n, &bad_old, &new_root, &proof).is_err());
            assert!(verify_consistency(m, n, &old_root, &bad_new, &proof).is_err());
            if m < n {
                let other_old = naive_mth(&d[..m as usize - 1]);
                assert!(verify_consistency(m, n, &other_old, &new_root, &proof).is_err());
                let mut longer = proof.clone();
                longer.push(new_root);
                assert!(verify_consistency(m, n, &old_root, &new_root, &longer).is_err());
                assert!(
                    verify_consistency(m, n, &old_root, &new_root, &proof[1..]).is_err(),
                    "{m} -> {n} with the first hash dropped"
                );
            }
        }
    }
}

#[test]
fn a_log_that_rewrote_an_event_has_no_consistency_proof_from_before() {
    let honest = data(20);
    let mut forked = honest.clone();
    forked[4] = b"rewritten".to_vec();
    let forked_tree = nodes_of(&forked);
    let old_root = naive_mth(&honest[..10]);
    let proof = consistency_proof(&forked_tree, 10, 20).unwrap();
    assert_eq!(
        verify_consistency(10, 20, &old_root, &forked_tree.root(), &proof),
        Err(ProofError::RootMismatch)
    );
}

/// A node source that counts lookups, to hold proofs to O(log n).
struct Counting<'a> {
    inner: &'a MemoryNodes,
    lookups: Cell<u32>,
}

impl NodeSource for Counting<'_> {
    type Error = ProofError;

    fn node(&self, level: u8, index: u64) -> Result<Hash, ProofError> {
        self.lookups.set(self.lookups.get() + 1);
        self.inner.node(level, index)
    }
}

const BIG: u64 = 1_000_000;
/// ⌈log2(BIG)⌉: the tree's height.
const HEIGHT: u32 = 20;

#[test]
fn random_proofs_on_a_large_tree_verify_in_logarithmic_lookups() {
    let mut rng = Rng(0x5eed);
    // Sizes to check, with the root the frontier had when the tree reached each.
    let mut sizes: Vec<u64> = (0..300).map(|_| rng.range(1, BIG)).collect();
    sizes.extend([1, 2, BIG - 1, BIG, 1 << 19, (1 << 19) + 1, (1 << 18) - 1]);
    sizes.sort_unstable();
    sizes.dedup();
    let mut roots = std::collections::HashMap::new();
    let mut t = MemoryNodes::with_capacity(BIG);
    let mut next = sizes.iter().peekable();
    for i in 0..BIG {
        t.append(leaf_hash(&i.to_be_bytes())).unwrap();
        while next.peek().is_some_and(|&&s| s == i + 1) {
            roots.insert(i + 1, t.root());
            next.next();
        }
    }
    let src = Counting {
        inner: &t,
        lookups: Cell::new(0),
    };
    // A proof has ≤ HEIGHT hashes, and at most one sibling is folded from ≤ HEIGHT perfect
    // parts (plus the old-root lookup for consistency).
    let bound = 2 * HEIGHT + 1;
    for _ in 0..300 {
        let size = sizes[rng.range(0, sizes.len() as u64 - 1) as usize];
        let index = rng.range(0, size - 1);
        src.lookups.set(0);
        let proof = inclusion_proof(&src, index, size).unwrap();
        assert!(src.lookups.get() <= bound, "{} lookups", src.lookups.get());
        let leaf = leaf_hash(&index.to_be_bytes());
        verify_inclusion(&leaf, index, size, &proof, &roots[&size]).unwrap();
        assert!(verify_inclusion(&leaf, index, size, &proof, &roots[&sizes[0]]).is_err());
    }
    for _ in 0..300 {
        let a = sizes[rng.range(0, sizes.len() as u64 - 1) as usize];
        let b = sizes[rng.range(0, sizes.len() as u64 - 1) as usize];
        let (m, n) = (a.min(b), a.max(b));
        src.lookups.set(0);
        let proof = consistency_proof(&src, m, n).unwrap();
        assert!(src.lookups.get() <= bound, "{} lookups", src.lookups.get());
        verify_consistency(m, n, &roots[&m], &roots[&n], &proof).unwrap();
        if let Some(first) = proof.first() {
            let mut bad = proof.clone();
            bad[0] = flipped(first, 0);
            assert!(verify_consistency(m, n, &roots[&m], &roots[&n], &bad).is_err());
        }
    }
    for &size in &sizes {
        src.lookups.set(0);
        assert_eq!(root_at(&src, size).unwrap(), roots[&size]);
        assert!(src.lookups.get() <= HEIGHT);
        assert_eq!(frontier_at(&t, size).unwrap().root(), roots[&size]);
    }
}
