//! Published RFC 6962/9162 test vectors: our hashes, roots and proofs must match them bit for bit.
//!
//! Source: repository transparency-dev/merkle, file `proof/verify_test.go` (as stored at commit
//! 02194e9afb6c1d95b5381350007963aa70fff472): its `leaves`, `roots`, `inclusionProofs`,
//! `consistencyProofs` tables and `sha256EmptyTreeHash`. Those tables number leaves from 1; here
//! indices start at 0.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{hex, hex_bytes};
use confidant_audit::{
    Frontier, MemoryNodes, ProofError, consistency_proof, empty_root, inclusion_proof, leaf_hash,
    root_at, verify_consistency, verify_inclusion,
};

const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Roots of the trees of sizes 1..=8 over `LEAVES`.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// (0-based leaf index, tree size, proof).
const INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        3,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (old size, new size, proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn vector_tree() -> MemoryNodes {
    let mut t = MemoryNodes::new();
    for leaf in LEAVES {
        t.append(leaf_hash(&hex_bytes(leaf))).unwrap();
    }
    t
}

fn root(size: u64) -> confidant_audit::Hash {
    hex(ROOTS[size as usize - 1])
}

#[test]
fn the_empty_tree_root_is_the_sha256_of_nothing() {
    assert_eq!(
        empty_root(),
        hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert_eq!(Frontier::new().root(), empty_root());
}

#[test]
fn frontier_roots_match_the_published_roots_for_sizes_one_to_eight() {
    let mut f = Frontier::new();
    for (i, leaf) in LEAVES.iter().enumerate() {
        f.append(leaf_hash(&hex_bytes(leaf))).unwrap();
        assert_eq!(f.root(), hex(ROOTS[i]), "size {}", i + 1);
    }
}

#[test]
fn roots_at_earlier_sizes_match_the_published_roots() {
    let t = vector_tree();
    for size in 1..=8 {
        assert_eq!(root_at(&t, size).unwrap(), root(size), "size {size}");
    }
}

#[test]
fn inclusion_proofs_match_the_published_proofs_and_verify() {
    let t = vector_tree();
    for (index, size, want) in INCLUSION {
        let want: Vec<_> = want.iter().map(|h| hex(h)).collect();
        let got = inclusion_proof(&t, index, size).unwrap();
        assert_eq!(got, want, "index {index} size {size}");
        let leaf = leaf_hash(&hex_bytes(LEAVES[index as usize]));
        verify_inclusion(&leaf, index, size, &want, &root(size)).unwrap();
    }
}

#[test]
fn consistency_proofs_match_the_published_proofs_and_verify() {
    let t = vector_tree();
    for (old, new, want) in CONSISTENCY {
        let want: Vec<_> = want.iter().map(|h| hex(h)).collect();
        let got = consistency_proof(&t, old, new).unwrap();
        assert_eq!(got, want, "{old} -> {new}");
        verify_consistency(old, new, &root(old), &root(new), &want).unwrap();
    }
}

#[test]
fn the_published_proofs_fail_against_the_wrong_root_or_index() {
    let (index, size, proof) = INCLUSION[2];
    let proof: Vec<_> = proof.iter().map(|h| hex(h)).collect();
    let leaf = leaf_hash(&hex_bytes(LEAVES[index as usize]));
    assert_eq!(
        verify_inclusion(&leaf, index, size, &proof, &root(7)),
        Err(ProofError::RootMismatch)
    );
    assert_eq!(
        verify_inclusion(&leaf, index - 1, size, &proof, &root(size)),
        Err(ProofError::RootMismatch)
    );
    let (old, new, proof) = CONSISTENCY[2];
    let proof: Vec<_> = proof.iter().map(|h| hex(h)).collect();
    assert_eq!(
        verify_consistency(old, new, &root(new), &root(old), &proof),
        Err(ProofError::RootMismatch)
    );
}

#[test]
fn trivially_consistent_sizes_need_an_empty_proof() {
    let some = root(3);
    verify_consistency(0, 5, &empty_root(), &root(5), &[]).unwrap();
    verify_consistency(3, 3, &some, &some, &[]).unwrap();
    assert_eq!(
        verify_consistency(3, 3, &some, &some, &[some]),
        Err(ProofError::WrongProofLength {
            expected: 0,
            actual: 1
        })
    );
    assert_eq!(
        verify_consistency(3, 3, &some, &root(4), &[]),
        Err(ProofError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(0, 5, &some, &root(5), &[]),
        Err(ProofError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(5, 3, &root(5), &root(3), &[]),
        Err(ProofError::SizesOutOfOrder {
            old_size: 5,
            new_size: 3
        })
    );
    assert_eq!(
        verify_consistency(1, 2, &root(1), &root(2), &[]),
        Err(ProofError::WrongProofLength {
            expected: 1,
            actual: 0
        })
    );
}

#[test]
fn inclusion_in_an_empty_or_too_small_tree_is_out_of_range() {
    let leaf = leaf_hash(b"");
    assert_eq!(
        verify_inclusion(&leaf, 0, 0, &[], &empty_root()),
        Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        verify_inclusion(&leaf, 2, 1, &[], &leaf),
        Err(ProofError::IndexOutOfRange { index: 2, size: 1 })
    );
}
