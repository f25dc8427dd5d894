//! Single-use recovery codes: the way back in for a staff member who has lost their
//! authenticator. Owns generating a set (shown once), the form stored in its place (a SHA-256
//! digest per code) and matching a typed code against the stored set.
//!
//! It must never store, log or format a code in the clear, and it does not enforce single use
//! itself: the caller deletes or marks the redeemed code in the same transaction that accepts it.

use std::fmt;

use aws_lc_rs::{constant_time, digest};
use zeroize::Zeroizing;

/// How many codes a set has unless the caller asks otherwise.
pub const DEFAULT_COUNT: usize = 10;
/// The most codes one set may have.
pub const MAX_COUNT: usize = 100;
/// Characters per code: 16 of a 32-letter alphabet, 80 random bits.
const CODE_CHARS: usize = 16;
/// Characters between dashes when a code is shown.
const GROUP_CHARS: usize = 4;
/// Crockford's base32 alphabet, lowercase: no i, l, o or u to misread.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Why a set of recovery codes could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryProblem {
    /// Zero codes, or more than [`MAX_COUNT`].
    #[error("ask for between 1 and {max} recovery codes")]
    Count {
        /// The most codes a set may have.
        max: usize,
    },
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed; try again, and report it if it persists")]
    Random,
}

/// What is stored in place of one recovery code: the SHA-256 digest of its normalised text.
///
/// A fast unsalted hash is enough here, unlike for passwords, because each code is 80 random
/// bits: finding one from its digest means about 2^79 SHA-256 trials, out of reach however many
/// digests a thief holds. That also lets storage look a code up by its digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoredCode([u8; 32]);

impl StoredCode {
    /// Rebuilds a stored code from the digest kept in storage.
    pub fn from_digest(digest: [u8; 32]) -> Self {
        Self(digest)
    }

    /// The digest to keep in storage.
    pub fn digest(&self) -> [u8; 32] {
        self.0
    }
}

/// A fresh set of recovery codes: the text to show once and the digests to store.
pub struct RecoveryCodes {
    shown: Vec<Zeroizing<String>>,
    stored: Vec<StoredCode>,
}

impl RecoveryCodes {
    /// Makes `count` codes (usually [`DEFAULT_COUNT`]), each `xxxx-xxxx-xxxx-xxxx` in lowercase
    /// Crockford base32: 80 random bits, far above the 50 a code needs to resist online guessing.
    pub fn generate(count: usize) -> Result<Self, RecoveryProblem> {
        if !(1..=MAX_COUNT).contains(&count) {
            return Err(RecoveryProblem::Count { max: MAX_COUNT });
        }
        let mut shown = Vec::with_capacity(count);
        let mut stored = Vec::with_capacity(count);
        for _ in 0..count {
            let mut random = Zeroizing::new([0u8; CODE_CHARS]);
            aws_lc_rs::rand::fill(random.as_mut()).map_err(|_| RecoveryProblem::Random)?;
            // 256 is a multiple of 32, so keeping the low five bits of each byte stays uniform.
            let plain: Zeroizing<String> = Zeroizing::new(
                random
                    .iter()
                    .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
                    .collect(),
            );
            stored.push(StoredCode(sha256(&plain)));
            shown.push(group(&plain));
        }
        Ok(Self { shown, stored })
    }

    /// The codes as shown to their owner, once, at enrolment; never to be stored or logged.
    pub fn reveal(&self) -> &[Zeroizing<String>] {
        &self.shown
    }

    /// The stored forms, in the same order as [`RecoveryCodes::reveal`].
    pub fn stored(&self) -> &[StoredCode] {
        &self.stored
    }

    /// The stored forms as raw digests, for a store that keys codes by digest.
    pub fn digests(&self) -> Vec<[u8; 32]> {
        self.stored.iter().map(StoredCode::digest).collect()
    }

    /// The digest a typed code would be stored under, after normalising it as [`redeem`] does,
    /// for a store that looks codes up by digest. A malformed code gets a digest that matches none.
    pub fn digest_of(code: &str) -> [u8; 32] {
        sha256(&normalise(code))
    }
}

impl fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Finds the stored code a typed code matches, returning its index in `stored`.
///
/// Pass only the account's unused codes; on a match the caller must delete or mark that code
/// in the same transaction that lets the person in, which is what makes each code single-use.
/// Case, spaces and dashes do not matter, and `o`, `i` and `l` read as `0`, `1` and `1`. Every
/// stored digest is compared, each in constant time, whether or not an earlier one matched.
pub fn redeem(code: &str, stored: &[StoredCode]) -> Option<usize> {
    let typed = RecoveryCodes::digest_of(code);
    let mut found = None;
    for (index, candidate) in stored.iter().enumerate() {
        let matches = constant_time::verify_slices_are_equal(&candidate.0, &typed).is_ok();
        if matches && found.is_none() {
            found = Some(index);
        }
    }
    found
}

/// A code as typed, reduced to its 16 letters: lowercase, no separators, look-alikes mapped.
fn normalise(code: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(CODE_CHARS));
    for c in code.chars() {
        match c.to_ascii_lowercase() {
            ' ' | '-' | '\t' | '\r' | '\n' => {}
            'o' => out.push('0'),
            'i' | 'l' => out.push('1'),
            other => out.push(other),
        }
    }
    out
}

fn group(plain: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(CODE_CHARS + CODE_CHARS / GROUP_CHARS));
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && i % GROUP_CHARS == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

fn sha256(text: &str) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, text.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_codes_grouped_in_fours_from_the_alphabet_all_different() {
        let codes = RecoveryCodes::generate(DEFAULT_COUNT).unwrap();
        assert_eq!(codes.reveal().len(), 10);
        assert_eq!(codes.stored().len(), 10);
        for code in codes.reveal() {
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), 4, "{}", code.as_str());
            assert!(groups.iter().all(|g| g.len() == 4));
            assert!(code.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)));
        }
        let mut distinct: Vec<&str> = codes.reveal().iter().map(|c| c.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 10);
    }

    #[test]
    fn each_code_redeems_to_its_own_index() {
        let codes = RecoveryCodes::generate(DEFAULT_COUNT).unwrap();
        for (index, code) in codes.reveal().iter().enumerate() {
            assert_eq!(redeem(code, codes.stored()), Some(index));
        }
    }

    #[test]
    fn code_typed_in_capitals_with_spaces_or_look_alikes_still_redeems() {
        let codes = RecoveryCodes::generate(3).unwrap();
        let code = &codes.reveal()[1];
        let shouted = code.to_uppercase().replace('-', " ");
        assert_eq!(redeem(&shouted, codes.stored()), Some(1));
        let squashed = code.replace('-', "");
        assert_eq!(redeem(&squashed, codes.stored()), Some(1));
        let misread = code.replace('0', "O").replace('1', "l");
        assert_eq!(redeem(&misread, codes.stored()), Some(1));
    }

    #[test]
    fn wrong_or_malformed_code_matches_nothing() {
        let codes = RecoveryCodes::generate(DEFAULT_COUNT).unwrap();
        let other = RecoveryCodes::generate(1).unwrap();
        assert_eq!(redeem(&other.reveal()[0], codes.stored()), None);
        for bad in ["", "----", "not a recovery code", &codes.reveal()[0][..9]] {
            assert_eq!(redeem(bad, codes.stored()), None, "{bad:?}");
        }
        assert_eq!(redeem(&codes.reveal()[0], &[]), None);
    }

    #[test]
    fn redeemed_code_removed_by_the_caller_never_matches_again() {
        let codes = RecoveryCodes::generate(DEFAULT_COUNT).unwrap();
        let mut unused = codes.stored().to_vec();
        let code = &codes.reveal()[4];
        let index = redeem(code, &unused).unwrap();
        assert_eq!(index, 4);
        unused.remove(index);
        assert_eq!(redeem(code, &unused), None);
        assert_eq!(redeem(&codes.reveal()[5], &unused), Some(4));
    }

    #[test]
    fn digests_round_trip_and_match_what_a_typed_code_hashes_to() {
        let codes = RecoveryCodes::generate(2).unwrap();
        let digests = codes.digests();
        let back: Vec<StoredCode> = digests
            .iter()
            .copied()
            .map(StoredCode::from_digest)
            .collect();
        assert_eq!(back, codes.stored());
        let typed = codes.reveal()[0].to_uppercase();
        assert_eq!(RecoveryCodes::digest_of(&typed), digests[0]);
    }

    #[test]
    fn zero_or_too_many_codes_are_refused() {
        assert!(matches!(
            RecoveryCodes::generate(0),
            Err(RecoveryProblem::Count { max: 100 })
        ));
        assert!(matches!(
            RecoveryCodes::generate(101),
            Err(RecoveryProblem::Count { max: 100 })
        ));
    }

    #[test]
    fn code_sets_print_redacted() {
        let codes = RecoveryCodes::generate(2).unwrap();
        assert_eq!(format!("{codes:?}"), "[REDACTED]");
    }
}
