//! The practice's keys in use: `init` creates them, `unseal` opens them, and the open `Vault`
//! hands each service the client key it needs. Rotation and crypto-shredding live here too.
//!
//! Unwrapped keys exist only in this process's memory (zeroized on drop); nothing here writes a
//! key in the clear or logs anything about one.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use confidant_crypto::{
    ApiTokenSecret, ClientKey, PracticeKey, RecoveryCode, RootKey, UnsealSecret, UnsealSlot, unseal,
};

use confidant_audit::AuditSigningKey;
use webauthn_rs::prelude::Webauthn;

use crate::actor::{self, Scope};
use crate::audit::{AuditConfig, AuditLog};
use crate::error::{CoreError, CoreResult};
use crate::ids::{ActorId, ClientId, PracticeId};
use crate::login::SessionLimits;
use crate::passkey::PasskeyConfig;
use crate::policy::StaffRole;
use crate::ports::{
    AuditKeyRow, ClientKeyRow, Clock, NewPractice, PracticeKeyRow, PracticeRow, Store, StoreError,
    UserRow, to_millis,
};
use crate::search::SearchIndex;

/// Label binding the sealed audit signing key to its purpose.
const AUDIT_KEY_LABEL: &str = "audit-signing-key";

/// What `init` hands back, once: the recovery code and the owner's token.
#[derive(Debug)]
pub struct Initialized {
    /// The new practice's id.
    pub practice_id: PracticeId,
    /// Opens the practice if every other unseal method is lost; shown once.
    pub recovery_code: RecoveryCode,
    /// The owner's bootstrap API token; shown once.
    pub owner_token: ApiTokenSecret,
}

/// Creates a practice: root key, practice key v1, an unseal slot per method plus the recovery
/// code, and the owner's token — all in one atomic write.
pub fn init(
    store: &dyn Store,
    clock: &dyn Clock,
    methods: &[UnsealSecret],
) -> CoreResult<Initialized> {
    if methods.is_empty() {
        return Err(CoreError::Crypto(
            confidant_crypto::CryptoError::NoSlotForMethod,
        ));
    }
    if store.practice()?.is_some() {
        return Err(CoreError::AlreadyInitialized);
    }
    let now = to_millis(clock.now());
    let practice_id = PracticeId::random();
    let pid = practice_id.to_string();
    let root = RootKey::generate()?;
    let recovery_code = RecoveryCode::generate()?;
    let mut slots = methods
        .iter()
        .map(|m| UnsealSlot::create(&pid, &root, m))
        .collect::<Result<Vec<_>, _>>()?;
    slots.push(UnsealSlot::create(
        &pid,
        &root,
        &UnsealSecret::RecoveryCode(recovery_code.clone()),
    )?);
    let first = PracticeKey::generate(1)?;
    let owner_id = ActorId::random();
    let (owner_token, owner_secret) = actor::issue(
        owner_id,
        StaffRole::Owner.as_str(),
        Scope::Admin,
        "bootstrap owner token",
        now,
        None,
    )?;
    let new = NewPractice {
        practice: PracticeRow {
            id: practice_id,
            created_at: now,
        },
        slots,
        first_key: PracticeKeyRow {
            version: 1,
            wrapped: root.wrap_practice_key(&first)?,
            created_at: now,
        },
        owner_token,
        owner: UserRow::new(
            owner_id,
            None,
            "Practice owner".to_owned(),
            StaffRole::Owner.as_str(),
            crate::staff::ACTIVE,
            now,
        ),
    };
    store.create_practice(&new).map_err(|e| match e {
        StoreError::Conflict(_) => CoreError::AlreadyInitialized,
        other => other.into(),
    })?;
    Ok(Initialized {
        practice_id,
        recovery_code,
        owner_token: owner_secret,
    })
}

/// Practice key versions in memory; the highest version is current.
struct Keyring {
    root: RootKey,
    versions: BTreeMap<u32, PracticeKey>,
}

impl Keyring {
    fn current(&self) -> CoreResult<&PracticeKey> {
        self.versions
            .values()
            .next_back()
            .ok_or(CoreError::Integrity)
    }
}

/// An unsealed practice: the services' way to every client key.
pub struct Vault {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    practice_id: PracticeId,
    keyring: RwLock<Keyring>,
    pub(crate) audit: AuditLog,
    pub(crate) limits: SessionLimits,
    /// The WebAuthn relying party, when passkeys are on.
    pub(crate) passkeys: Option<Webauthn>,
    /// The in-memory search index (built at unseal, never written anywhere).
    pub(crate) search: RwLock<SearchIndex>,
    /// Where attachments' encrypted bytes go; `None` until `with_attachments`.
    pub(crate) attachments: Option<crate::attachment::AttachmentStorage>,
    verifier_key: String,
}

/// How an unsealed practice runs: audit checkpoints, sign-in limits, passkeys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// When audit checkpoints are signed.
    pub audit: AuditConfig,
    /// Session timeouts and sign-in failure limits.
    pub sessions: SessionLimits,
    /// Where browsers reach the server, which passkeys are bound to; `None` turns passkeys off.
    pub passkeys: Option<PasskeyConfig>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("practice_id", &self.practice_id)
            .finish_non_exhaustive()
    }
}

/// What a practice key rotation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// The new current practice key version.
    pub version: u32,
    /// Client keys rewrapped under it.
    pub rewrapped: usize,
}

impl Vault {
    /// Opens the practice with one unseal secret; a wrong secret changes nothing.
    pub fn unseal(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        secret: &UnsealSecret,
    ) -> CoreResult<Self> {
        Self::unseal_with(store, clock, secret, Options::default())
    }

    /// Like `unseal`, with explicit options.
    pub fn unseal_with(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        secret: &UnsealSecret,
        options: Options,
    ) -> CoreResult<Self> {
        let passkeys = options
            .passkeys
            .as_ref()
            .map(PasskeyConfig::relying_party)
            .transpose()?;
        let practice = store.practice()?.ok_or(CoreError::NotInitialized)?;
        let slots = store.unseal_slots()?;
        let root = unseal(&practice.id.to_string(), &slots, secret)?;
        let mut versions = BTreeMap::new();
        for row in store.practice_keys()? {
            versions.insert(
                row.version,
                root.unwrap_practice_key(row.version, &row.wrapped)?,
            );
        }
        if versions.is_empty() {
            return Err(CoreError::Integrity);
        }
        let key = audit_signing_key(store.as_ref(), &root, practice.id)?;
        let verifier_key = key.verifier_key().to_string();
        let origin = key.name().to_owned();
        let log = AuditLog::start(store.clone(), clock.clone(), key, origin, options.audit)?;
        let vault = Self {
            store,
            clock,
            practice_id: practice.id,
            keyring: RwLock::new(Keyring { root, versions }),
            audit: log,
            limits: options.sessions,
            passkeys,
            search: RwLock::new(SearchIndex::new()),
            attachments: None,
            verifier_key,
        };
        let index = vault.build_search_index()?;
        *vault.search.write().map_err(|_| CoreError::Integrity)? = index;
        Ok(vault)
    }

    /// The audit verifier key (`name+id+key`), to pin when verifying the log elsewhere.
    pub fn audit_verifier_key(&self) -> &str {
        &self.verifier_key
    }

    /// The practice's id.
    pub fn practice_id(&self) -> PracticeId {
        self.practice_id
    }

    fn keyring(&self) -> CoreResult<RwLockReadGuard<'_, Keyring>> {
        self.keyring.read().map_err(|_| CoreError::Integrity)
    }

    /// A fresh client key, stored wrapped; `write` stores it with the client's first row while
    /// the keyring is held, so a rotation never misses a key wrapped under an old version.
    pub(crate) fn with_new_client_key<T>(
        &self,
        client: ClientId,
        write: impl FnOnce(&ClientKey, ClientKeyRow) -> CoreResult<T>,
    ) -> CoreResult<T> {
        let ring = self.keyring()?;
        let pk = ring.current()?;
        let key = ClientKey::generate(1)?;
        let row = ClientKeyRow {
            client_id: client,
            version: key.version(),
            practice_key_version: pk.version(),
            wrapped: pk.wrap_client_key(&client.to_string(), &key)?,
        };
        write(&key, row)
    }

    /// A client's data key; `Shredded` if it was destroyed.
    /// The client's row, or `NotFound` (asked before the policy, so a missing client and a
    /// hidden one answer alike).
    pub(crate) fn client_row(&self, client: ClientId) -> CoreResult<crate::ports::ClientRow> {
        self.store
            .client(client)?
            .ok_or(CoreError::NotFound("client"))
    }

    pub(crate) fn client_key(&self, client: ClientId, version: u32) -> CoreResult<ClientKey> {
        let row = self
            .store
            .client_key(client, version)?
            .ok_or(CoreError::Shredded)?;
        let ring = self.keyring()?;
        let pk = ring
            .versions
            .get(&row.practice_key_version)
            .ok_or(CoreError::Integrity)?;
        Ok(pk.unwrap_client_key(&client.to_string(), row.version, &row.wrapped)?)
    }

    /// Creates a new practice key version and rewraps every client key under it, online; old
    /// versions are deleted once nothing uses them.
    pub fn rotate_practice_key(&self) -> CoreResult<Rotation> {
        let version = {
            let mut ring = self.keyring.write().map_err(|_| CoreError::Integrity)?;
            let version = ring.current()?.version() + 1;
            let pk = PracticeKey::generate(version)?;
            let row = PracticeKeyRow {
                version,
                wrapped: ring.root.wrap_practice_key(&pk)?,
                created_at: to_millis(self.clock.now()),
            };
            self.store.add_practice_key(&row)?;
            ring.versions.insert(version, pk);
            version
        };
        // From here on every new client key is wrapped under `version`; rewrap the rest.
        let mut rewrapped = 0;
        loop {
            let batch = self.store.client_keys_not_under(version, 256)?;
            if batch.is_empty() {
                break;
            }
            let ring = self.keyring()?;
            let new = ring.versions.get(&version).ok_or(CoreError::Integrity)?;
            for row in batch {
                let old = ring
                    .versions
                    .get(&row.practice_key_version)
                    .ok_or(CoreError::Integrity)?;
                let id = row.client_id.to_string();
                let key = old.unwrap_client_key(&id, row.version, &row.wrapped)?;
                let moved = ClientKeyRow {
                    practice_key_version: version,
                    wrapped: new.wrap_client_key(&id, &key)?,
                    ..row
                };
                if self
                    .store
                    .rewrap_client_key(&moved, row.practice_key_version)?
                {
                    rewrapped += 1;
                }
            }
        }
        let mut ring = self.keyring.write().map_err(|_| CoreError::Integrity)?;
        let old: Vec<u32> = ring
            .versions
            .keys()
            .copied()
            .filter(|v| *v < version)
            .collect();
        for v in old {
            self.store.delete_practice_key(v)?;
            ring.versions.remove(&v);
        }
        Ok(Rotation { version, rewrapped })
    }

    /// Crypto-shreds a client: destroys their data key, so none of their records, in this
    /// database or any backup, can be opened again, and deletes their attachments (blobs and
    /// rows). Irreversible.
    pub fn shred_client(&self, client: ClientId) -> CoreResult<()> {
        if self.store.client(client)?.is_none() {
            return Err(CoreError::NotFound("client"));
        }
        self.store.shred_client_keys(client)?;
        self.unindex_client(client);
        self.shred_attachments(client)?;
        Ok(())
    }

    /// Seals a practice-wide secret (TOTP seeds, break-glass reasons) under the root key.
    pub(crate) fn seal_root_secret(
        &self,
        label: &str,
        secret: &[u8],
    ) -> CoreResult<confidant_crypto::Sealed<[u8]>> {
        Ok(self.keyring()?.root.seal_secret(label, secret)?)
    }

    /// Opens what `seal_root_secret` sealed under the same label.
    pub(crate) fn open_root_secret(
        &self,
        label: &str,
        sealed: &confidant_crypto::Sealed<[u8]>,
    ) -> CoreResult<zeroize::Zeroizing<Vec<u8>>> {
        Ok(self.keyring()?.root.open_secret(label, sealed)?)
    }

    /// The current practice key version.
    pub fn practice_key_version(&self) -> CoreResult<u32> {
        Ok(self.keyring()?.current()?.version())
    }
}

/// The practice's audit signing key: opened from storage, or made and stored on first unseal.
fn audit_signing_key(
    store: &dyn Store,
    root: &RootKey,
    practice: PracticeId,
) -> CoreResult<AuditSigningKey> {
    let name = format!("confidant/{practice}");
    let audit_err = |e: confidant_audit::CheckpointError| CoreError::Audit(e.to_string());
    if let Some(row) = store.audit_key()? {
        let seed = root.open_secret(AUDIT_KEY_LABEL, &row.wrapped_seed)?;
        let seed: &[u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| CoreError::Integrity)?;
        let key = AuditSigningKey::from_seed(&name, seed).map_err(audit_err)?;
        if key.verifier_key().to_string() != row.verifier_key {
            return Err(CoreError::Integrity);
        }
        return Ok(key);
    }
    let key = AuditSigningKey::generate(&name).map_err(audit_err)?;
    let row = AuditKeyRow {
        wrapped_seed: root.seal_secret(AUDIT_KEY_LABEL, key.to_seed().as_ref())?,
        verifier_key: key.verifier_key().to_string(),
    };
    match store.set_audit_key(&row) {
        Ok(()) => Ok(key),
        // Another process unsealed first and stored its key: use that one.
        Err(StoreError::Conflict(_)) => audit_signing_key(store, root, practice),
        Err(e) => Err(e.into()),
    }
}
