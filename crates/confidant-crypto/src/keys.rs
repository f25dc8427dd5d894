//! The key hierarchy: root key → versioned practice keys → per-client data keys.
//!
//! The root key is what the unseal methods (passphrase, key file, recovery code) seal; it wraps
//! each version of the practice key, and the current practice key wraps every client's data key.
//! Rotating the practice key rewraps client keys without touching the unseal slots; destroying a
//! client's wrapped key crypto-shreds that client. Unwrapped keys live only in memory.

use std::fmt;

use aws_lc_rs::hkdf;
use zeroize::Zeroizing;

use crate::CryptoError;
use crate::aead::{
    FieldContext, Sealed, encode_aad, open_bytes, open_field, seal_bytes, seal_field,
};
use crate::secret::Key256;

/// A key sealed under another key; safe to store.
pub type WrappedKey = Sealed<Key256>;

/// The practice's root key: opened by an unseal method, it opens the practice keys.
pub struct RootKey(Key256);

impl RootKey {
    /// A fresh root key for a new practice.
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Self(Key256::generate()?))
    }

    pub(crate) fn from_key(key: Key256) -> Self {
        Self(key)
    }

    pub(crate) fn key(&self) -> &Key256 {
        &self.0
    }

    fn aad(version: u32) -> Vec<u8> {
        encode_aad("confidant.practice-key.v1", &[&version.to_be_bytes()])
    }

    /// Wraps a practice key version for storage.
    pub fn wrap_practice_key(&self, pk: &PracticeKey) -> Result<WrappedKey, CryptoError> {
        seal_bytes(&self.0, &Self::aad(pk.version), pk.key.as_bytes()).map(Sealed::from_bytes)
    }

    /// Seals a practice-wide secret (such as the audit signing key) under the root key, bound
    /// to `label` so it cannot be swapped for another secret.
    pub fn seal_secret(&self, label: &str, secret: &[u8]) -> Result<Sealed<[u8]>, CryptoError> {
        let aad = encode_aad("confidant.root-secret.v1", &[label.as_bytes()]);
        seal_bytes(&self.0, &aad, secret).map(Sealed::from_bytes)
    }

    /// Opens a secret sealed by `seal_secret` with the same label.
    pub fn open_secret(
        &self,
        label: &str,
        sealed: &Sealed<[u8]>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let aad = encode_aad("confidant.root-secret.v1", &[label.as_bytes()]);
        open_bytes(&self.0, &aad, sealed.as_bytes())
    }

    /// Opens a stored practice key; fails if it was stored under another version number.
    pub fn unwrap_practice_key(
        &self,
        version: u32,
        wrapped: &WrappedKey,
    ) -> Result<PracticeKey, CryptoError> {
        let bytes = open_bytes(&self.0, &Self::aad(version), wrapped.as_bytes())?;
        Ok(PracticeKey {
            version,
            key: Key256::from_slice(&bytes)?,
        })
    }
}

/// One version of the practice key, which wraps client data keys.
pub struct PracticeKey {
    version: u32,
    key: Key256,
}

impl PracticeKey {
    /// A fresh practice key with the given version number.
    pub fn generate(version: u32) -> Result<Self, CryptoError> {
        Ok(Self {
            version,
            key: Key256::generate()?,
        })
    }

    /// This key's version, stored beside every client key it wraps.
    pub fn version(&self) -> u32 {
        self.version
    }

    fn aad(&self, client_id: &str, client_key_version: u32) -> Vec<u8> {
        encode_aad(
            "confidant.client-key.v1",
            &[
                client_id.as_bytes(),
                &client_key_version.to_be_bytes(),
                &self.version.to_be_bytes(),
            ],
        )
    }

    /// Wraps a client's data key for storage, bound to that client and both key versions.
    pub fn wrap_client_key(
        &self,
        client_id: &str,
        ck: &ClientKey,
    ) -> Result<WrappedKey, CryptoError> {
        seal_bytes(
            &self.key,
            &self.aad(client_id, ck.version),
            ck.key.as_bytes(),
        )
        .map(Sealed::from_bytes)
    }

    /// Opens a client's stored data key.
    pub fn unwrap_client_key(
        &self,
        client_id: &str,
        client_key_version: u32,
        wrapped: &WrappedKey,
    ) -> Result<ClientKey, CryptoError> {
        let bytes = open_bytes(
            &self.key,
            &self.aad(client_id, client_key_version),
            wrapped.as_bytes(),
        )?;
        Ok(ClientKey {
            version: client_key_version,
            key: Key256::from_slice(&bytes)?,
        })
    }
}

/// A client's data key: seals every field of that client's records.
pub struct ClientKey {
    version: u32,
    key: Key256,
}

impl ClientKey {
    /// A fresh data key for a new client.
    pub fn generate(version: u32) -> Result<Self, CryptoError> {
        Ok(Self {
            version,
            key: Key256::generate()?,
        })
    }

    /// This key's version, stored beside every record it seals.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Seals one field of one record of this client.
    pub fn seal<T: ?Sized>(
        &self,
        ctx: &FieldContext<'_>,
        plaintext: &[u8],
    ) -> Result<Sealed<T>, CryptoError> {
        seal_field(&self.key, &ctx.aad(self.version), plaintext).map(Sealed::from_bytes)
    }

    /// Opens one field; fails if the ciphertext was changed or moved from another place.
    pub fn open<T: ?Sized>(
        &self,
        ctx: &FieldContext<'_>,
        sealed: &Sealed<T>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        open_field(&self.key, &ctx.aad(self.version), sealed.as_bytes())
    }

    /// 32 bytes derived from this key for one named purpose (HKDF-SHA256), such as a client's
    /// stable de-identification date shift: the same for the same key and label, unrelated
    /// across labels, revealing nothing of the key, and gone when the key is shredded.
    pub fn derive(&self, label: &str) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"confidant client-key derive v1")
            .extract(self.key.as_bytes());
        let info = [label.as_bytes()];
        let okm = prk
            .expand(&info, hkdf::HKDF_SHA256)
            .map_err(|_| CryptoError::Random)?;
        let mut out = Zeroizing::new([0u8; 32]);
        okm.fill(out.as_mut()).map_err(|_| CryptoError::Random)?;
        Ok(out)
    }
}

macro_rules! redacted {
    ($($ty:ty),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[REDACTED]")
            }
        }
    )*};
}
redacted!(RootKey, PracticeKey, ClientKey);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn derived_values_are_stable_per_key_and_label_and_differ_otherwise() {
        let a = ClientKey::generate(1).unwrap();
        let b = ClientKey::generate(1).unwrap();
        let once = a.derive("deid date shift").unwrap();
        assert_eq!(*once, *a.derive("deid date shift").unwrap());
        assert_ne!(*once, *a.derive("another purpose").unwrap());
        assert_ne!(*once, *b.derive("deid date shift").unwrap());
        assert_ne!(&once[..], a.key.as_bytes().as_slice());
    }
}
