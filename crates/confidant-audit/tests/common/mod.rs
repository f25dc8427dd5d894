//! Helpers shared by the integration tests: hex, naive RFC 9162 reference functions, trees.
#![allow(dead_code)]

use confidant_audit::{Hash, MemoryNodes, empty_root, leaf_hash, node_hash};

pub fn hex(s: &str) -> Hash {
    assert_eq!(s.len(), 64, "a hash is 64 hex digits");
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    Hash::from_slice(&bytes).unwrap()
}

pub fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// RFC 9162's k: the largest power of two strictly below n, found by counting, not bit tricks.
fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]) straight from RFC 9162 §2.1.1, recursively over the leaf data.
pub fn naive_mth(d: &[Vec<u8>]) -> Hash {
    match d.len() {
        0 => empty_root(),
        1 => leaf_hash(&d[0]),
        n => {
            let k = k_of(n);
            node_hash(&naive_mth(&d[..k]), &naive_mth(&d[k..]))
        }
    }
}

/// PATH(m, D[n]) straight from RFC 9162 §2.1.3.1.
pub fn naive_path(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
    let n = d.len();
    if n == 1 {
        return Vec::new();
    }
    let k = k_of(n);
    if m < k {
        let mut p = naive_path(m, &d[..k]);
        p.push(naive_mth(&d[k..]));
        p
    } else {
        let mut p = naive_path(m - k, &d[k..]);
        p.push(naive_mth(&d[..k]));
        p
    }
}

/// PROOF(m, D[n]) = SUBPROOF(m, D[n], true) straight from RFC 9162 §2.1.4.1.
pub fn naive_proof(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
    fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { Vec::new() } else { vec![naive_mth(d)] };
        }
        let k = k_of(n);
        if m <= k {
            let mut p = subproof(m, &d[..k], b);
            p.push(naive_mth(&d[k..]));
            p
        } else {
            let mut p = subproof(m - k, &d[k..], false);
            p.push(naive_mth(&d[..k]));
            p
        }
    }
    subproof(m, d, true)
}

/// Distinct synthetic leaf data: the big-endian index.
pub fn data(n: u64) -> Vec<Vec<u8>> {
    (0..n).map(|i| i.to_be_bytes().to_vec()).collect()
}

pub fn nodes_of(d: &[Vec<u8>]) -> MemoryNodes {
    let mut t = MemoryNodes::new();
    for leaf in d {
        t.append(leaf_hash(leaf)).unwrap();
    }
    t
}

/// A copy of `h` with one bit flipped in byte `i`.
pub fn flipped(h: &Hash, i: usize) -> Hash {
    let mut b = *h.as_bytes();
    b[i % 32] ^= 0x10;
    Hash::from_bytes(b)
}

/// splitmix64: a fixed, cheap stream of test indices.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-enough in [lo, hi].
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}
