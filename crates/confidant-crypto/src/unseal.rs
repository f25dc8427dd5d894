//! Unseal slots: the root key sealed under each way an operator can open the practice.
//!
//! A passphrase goes through Argon2id (m=64 MiB, t=3, p=1, random salt) because people choose
//! guessable ones; a key file or recovery code already carries 256/128 random bits, so HKDF is
//! enough. Each slot is bound to its practice id, so slots cannot be swapped between practices.

use std::fmt;
use std::str::FromStr;

use aws_lc_rs::hkdf;
use zeroize::Zeroizing;

use crate::CryptoError;
use crate::aead::{Sealed, encode_aad, open_bytes, seal_bytes};
use crate::keys::RootKey;
use crate::secret::{Key256, KeyFileSecret, Passphrase, RecoveryCode, random_bytes};

const SALT_LEN: usize = 16;

/// Argon2id cost parameters, stored with the slot so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Argon2Cost {
    /// The design's cost: m=64 MiB, t=3, p=1.
    pub const DEFAULT: Self = Self {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };
    /// Refuse stored costs above this, so a tampered slot cannot exhaust memory at unseal.
    const MAX_M_KIB: u32 = 4 * 1024 * 1024;
}

/// How a slot is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsealMethod {
    /// A passphrase stretched with Argon2id.
    Passphrase(Argon2Cost),
    /// A key file kept outside the data directory.
    KeyFile,
    /// The one-time recovery code printed at `init`.
    RecoveryCode,
}

impl fmt::Display for UnsealMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Passphrase(c) => {
                write!(f, "passphrase:argon2id:m={},t={},p={}", c.m_kib, c.t, c.p)
            }
            Self::KeyFile => f.write_str("key-file"),
            Self::RecoveryCode => f.write_str("recovery-code"),
        }
    }
}

impl FromStr for UnsealMethod {
    type Err = CryptoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "key-file" => return Ok(Self::KeyFile),
            "recovery-code" => return Ok(Self::RecoveryCode),
            _ => {}
        }
        let params = s
            .strip_prefix("passphrase:argon2id:")
            .ok_or(CryptoError::UnknownSlot)?;
        let mut cost = [None; 3];
        for kv in params.split(',') {
            let (k, v) = kv.split_once('=').ok_or(CryptoError::UnknownSlot)?;
            let v: u32 = v.parse().map_err(|_| CryptoError::UnknownSlot)?;
            let i = ["m", "t", "p"]
                .iter()
                .position(|n| *n == k)
                .ok_or(CryptoError::UnknownSlot)?;
            cost[i] = Some(v);
        }
        let [Some(m_kib), Some(t), Some(p)] = cost else {
            return Err(CryptoError::UnknownSlot);
        };
        Ok(Self::Passphrase(Argon2Cost { m_kib, t, p }))
    }
}

/// A secret an operator presents to unseal.
#[derive(Debug)]
pub enum UnsealSecret {
    /// A passphrase.
    Passphrase(Passphrase),
    /// A key file's contents.
    KeyFile(KeyFileSecret),
    /// The recovery code.
    RecoveryCode(RecoveryCode),
}

/// The root key sealed under one unseal method; safe to store.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsealSlot {
    /// How this slot opens.
    pub method: UnsealMethod,
    /// Random salt for the key derivation.
    pub salt: Vec<u8>,
    /// The root key, sealed.
    pub wrapped: Sealed<Key256>,
}

fn slot_aad(practice_id: &str, method: &UnsealMethod) -> Vec<u8> {
    encode_aad(
        "confidant.unseal-slot.v1",
        &[practice_id.as_bytes(), method.to_string().as_bytes()],
    )
}

fn argon2_kek(pass: &Passphrase, salt: &[u8], cost: Argon2Cost) -> Result<Key256, CryptoError> {
    if cost.m_kib > Argon2Cost::MAX_M_KIB || cost.t > 100 || cost.p > 64 {
        return Err(CryptoError::UnknownSlot);
    }
    let params = argon2::Params::new(cost.m_kib, cost.t, cost.p, Some(32))
        .map_err(|_| CryptoError::UnknownSlot)?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(pass.as_bytes(), salt, out.as_mut())
        .map_err(|_| CryptoError::UnknownSlot)?;
    Key256::from_slice(out.as_ref())
}

fn hkdf_kek(ikm: &[u8], salt: &[u8], label: &[u8]) -> Result<Key256, CryptoError> {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    let info = [label];
    let okm = prk
        .expand(&info, hkdf::HKDF_SHA256)
        .map_err(|_| CryptoError::Random)?;
    let mut out = Zeroizing::new([0u8; 32]);
    okm.fill(out.as_mut()).map_err(|_| CryptoError::Random)?;
    Key256::from_slice(out.as_ref())
}

fn derive_kek(
    secret: &UnsealSecret,
    method: &UnsealMethod,
    salt: &[u8],
) -> Result<Key256, CryptoError> {
    match (secret, method) {
        (UnsealSecret::Passphrase(p), UnsealMethod::Passphrase(cost)) => argon2_kek(p, salt, *cost),
        (UnsealSecret::KeyFile(k), UnsealMethod::KeyFile) => {
            hkdf_kek(k.key().as_bytes(), salt, b"confidant unseal key-file v1")
        }
        (UnsealSecret::RecoveryCode(r), UnsealMethod::RecoveryCode) => {
            hkdf_kek(r.as_bytes(), salt, b"confidant unseal recovery-code v1")
        }
        _ => Err(CryptoError::WrongSecret),
    }
}

fn method_for(secret: &UnsealSecret) -> UnsealMethod {
    match secret {
        UnsealSecret::Passphrase(_) => UnsealMethod::Passphrase(Argon2Cost::DEFAULT),
        UnsealSecret::KeyFile(_) => UnsealMethod::KeyFile,
        UnsealSecret::RecoveryCode(_) => UnsealMethod::RecoveryCode,
    }
}

impl UnsealSlot {
    /// Seals `root` under `secret` for the practice `practice_id`.
    pub fn create(
        practice_id: &str,
        root: &RootKey,
        secret: &UnsealSecret,
    ) -> Result<Self, CryptoError> {
        let method = method_for(secret);
        let mut salt = vec![0u8; SALT_LEN];
        random_bytes(&mut salt)?;
        let kek = derive_kek(secret, &method, &salt)?;
        let wrapped = seal_bytes(&kek, &slot_aad(practice_id, &method), root.key().as_bytes())?;
        Ok(Self {
            method,
            salt,
            wrapped: Sealed::from_bytes(wrapped),
        })
    }

    /// Whether `secret` is the kind of secret this slot takes.
    pub fn accepts(&self, secret: &UnsealSecret) -> bool {
        std::mem::discriminant(&self.method) == std::mem::discriminant(&method_for(secret))
    }

    /// Opens the root key, or says the secret is wrong (never which part).
    pub fn open(&self, practice_id: &str, secret: &UnsealSecret) -> Result<RootKey, CryptoError> {
        let kek = derive_kek(secret, &self.method, &self.salt)?;
        let bytes = open_bytes(
            &kek,
            &slot_aad(practice_id, &self.method),
            self.wrapped.as_bytes(),
        )
        .map_err(|_| CryptoError::WrongSecret)?;
        Ok(RootKey::from_key(Key256::from_slice(&bytes)?))
    }
}

/// Tries each slot that takes this kind of secret; the first that opens wins.
pub fn unseal(
    practice_id: &str,
    slots: &[UnsealSlot],
    secret: &UnsealSecret,
) -> Result<RootKey, CryptoError> {
    let mut candidates = slots.iter().filter(|s| s.accepts(secret)).peekable();
    if candidates.peek().is_none() {
        return Err(CryptoError::NoSlotForMethod);
    }
    for slot in candidates {
        if let Ok(root) = slot.open(practice_id, secret) {
            return Ok(root);
        }
    }
    Err(CryptoError::WrongSecret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> Argon2Cost {
        Argon2Cost {
            m_kib: 64,
            t: 1,
            p: 1,
        }
    }

    #[test]
    fn method_text_round_trips() {
        for m in [
            UnsealMethod::Passphrase(Argon2Cost::DEFAULT),
            UnsealMethod::KeyFile,
            UnsealMethod::RecoveryCode,
        ] {
            assert_eq!(m.to_string().parse::<UnsealMethod>().unwrap(), m);
        }
        assert!("passphrase:argon2id:m=1".parse::<UnsealMethod>().is_err());
        assert!("rot13".parse::<UnsealMethod>().is_err());
    }

    #[test]
    fn each_method_opens_its_slot_and_only_with_the_right_secret() {
        let root = RootKey::generate().unwrap();
        let pass =
            UnsealSecret::Passphrase(Passphrase::new("a long enough passphrase".into()).unwrap());
        let file = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
        let code = UnsealSecret::RecoveryCode(RecoveryCode::generate().unwrap());
        let slots: Vec<_> = [&pass, &file, &code]
            .iter()
            .map(|s| UnsealSlot::create("p1", &root, s).unwrap())
            .collect();
        assert_eq!(
            slots[0].method,
            UnsealMethod::Passphrase(Argon2Cost::DEFAULT)
        );
        for s in [&pass, &file, &code] {
            let opened = unseal("p1", &slots, s).unwrap();
            assert_eq!(opened.key().as_bytes(), root.key().as_bytes());
            assert!(matches!(
                unseal("p2", &slots, s),
                Err(CryptoError::WrongSecret)
            ));
        }
        let wrong =
            UnsealSecret::Passphrase(Passphrase::for_unseal("a long enough passphrasE".into()));
        assert!(matches!(
            unseal("p1", &slots, &wrong),
            Err(CryptoError::WrongSecret)
        ));
        let other_file = UnsealSecret::KeyFile(KeyFileSecret::generate().unwrap());
        assert!(matches!(
            unseal("p1", &slots, &other_file),
            Err(CryptoError::WrongSecret)
        ));
        assert!(matches!(
            unseal("p1", &slots[1..], &pass),
            Err(CryptoError::NoSlotForMethod)
        ));
    }

    #[test]
    fn absurd_stored_cost_is_refused_not_attempted() {
        let pass = Passphrase::for_unseal("whatever".into());
        let cost = Argon2Cost {
            m_kib: u32::MAX,
            t: 1,
            p: 1,
        };
        assert!(argon2_kek(&pass, &[0; 16], cost).is_err());
        assert!(argon2_kek(&pass, &[0; 16], fast()).is_ok());
    }
}
