//! Property tests: sealing round-trips, and every tampering or misplacement is detected.

use confidant_crypto::{ClientKey, CryptoError, FieldContext, PracticeKey, RootKey, Sealed};
use proptest::prelude::*;

fn ctx<'a>(kind: &'a str, record: &'a str, client: &'a str, field: &'a str) -> FieldContext<'a> {
    FieldContext {
        kind,
        record_id: record,
        client_id: client,
        field,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sealing_round_trips(pt in proptest::collection::vec(any::<u8>(), 0..2048),
                           record in "[a-z0-9-]{1,36}", field in "[a-z_]{1,20}") {
        let key = ClientKey::generate(1).unwrap();
        let c = ctx("note", &record, "client-1", &field);
        let sealed: Sealed<[u8]> = key.seal(&c, &pt).unwrap();
        let opened = key.open(&c, &sealed).unwrap();
        prop_assert_eq!(opened.as_slice(), pt.as_slice());
    }

    #[test]
    fn any_single_byte_change_of_a_ciphertext_fails_to_open(
        pt in proptest::collection::vec(any::<u8>(), 0..300),
        pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let key = ClientKey::generate(1).unwrap();
        let c = ctx("client", "r1", "c1", "legal_name");
        let sealed: Sealed<[u8]> = key.seal(&c, &pt).unwrap();
        let mut bytes = sealed.into_bytes();
        // Covers the format byte, the nonce, the body and the tag alike.
        let i = pos.index(bytes.len());
        bytes[i] ^= flip;
        let tampered: Sealed<[u8]> = Sealed::from_bytes(bytes);
        prop_assert_eq!(key.open(&c, &tampered).unwrap_err(), CryptoError::Integrity);
    }

    #[test]
    fn truncated_or_extended_ciphertext_fails_to_open(pt in proptest::collection::vec(any::<u8>(), 0..300),
                                                      cut in any::<prop::sample::Index>(), extra in any::<u8>()) {
        let key = ClientKey::generate(1).unwrap();
        let c = ctx("client", "r1", "c1", "phone");
        let bytes = key.seal::<[u8]>(&c, &pt).unwrap().into_bytes();
        let short = Sealed::<[u8]>::from_bytes(bytes[..cut.index(bytes.len())].to_vec());
        prop_assert!(key.open(&c, &short).is_err());
        let mut long = bytes.clone();
        long.push(extra);
        prop_assert!(key.open(&c, &Sealed::<[u8]>::from_bytes(long)).is_err());
    }

    #[test]
    fn any_single_byte_change_of_associated_data_fails_to_open(
        which in 0usize..4, pos in any::<prop::sample::Index>(), flip in 1u8..=127) {
        let key = ClientKey::generate(1).unwrap();
        let mut parts = ["note".to_string(), "rec-123".to_string(), "client-9".to_string(), "body".to_string()];
        let sealed: Sealed<[u8]> = key.seal(&ctx(&parts[0], &parts[1], &parts[2], &parts[3]), b"secret words").unwrap();
        let mut bytes = parts[which].clone().into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= flip;
        parts[which] = String::from_utf8_lossy(&bytes).into_owned();
        let moved = ctx(&parts[0], &parts[1], &parts[2], &parts[3]);
        prop_assert_eq!(key.open(&moved, &sealed).unwrap_err(), CryptoError::Integrity);
    }

    #[test]
    fn any_single_byte_change_of_a_wrapped_key_fails_to_unwrap(pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let pk = PracticeKey::generate(1).unwrap();
        let ck = ClientKey::generate(1).unwrap();
        let mut bytes = pk.wrap_client_key("c1", &ck).unwrap().into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= flip;
        prop_assert!(pk.unwrap_client_key("c1", 1, &Sealed::from_bytes(bytes)).is_err());

        let root = RootKey::generate().unwrap();
        let mut bytes = root.wrap_practice_key(&pk).unwrap().into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= flip;
        prop_assert!(root.unwrap_practice_key(1, &Sealed::from_bytes(bytes)).is_err());
    }
}

#[test]
fn a_ciphertext_copied_to_another_field_row_client_or_key_version_fails_to_open() {
    let key = ClientKey::generate(1).unwrap();
    let home = ctx("client", "row-1", "client-1", "legal_name");
    let sealed: Sealed<[u8]> = key.seal(&home, b"Marker Name").unwrap();
    for elsewhere in [
        ctx("client", "row-1", "client-1", "preferred_name"),
        ctx("client", "row-2", "client-1", "legal_name"),
        ctx("client", "row-1", "client-2", "legal_name"),
        ctx("note", "row-1", "client-1", "legal_name"),
    ] {
        assert_eq!(
            key.open(&elsewhere, &sealed).unwrap_err(),
            CryptoError::Integrity
        );
    }
    // The same key bytes under another version number is another place too.
    let pk = PracticeKey::generate(1).unwrap();
    let wrapped = pk.wrap_client_key("client-1", &key).unwrap();
    assert!(pk.unwrap_client_key("client-1", 2, &wrapped).is_err());
    assert!(pk.unwrap_client_key("client-2", 1, &wrapped).is_err());
    // Another client's key never opens it.
    let other = ClientKey::generate(1).unwrap();
    assert!(other.open(&home, &sealed).is_err());
}

#[test]
fn rotation_keeps_every_record_readable_and_retires_the_old_version() {
    let root = RootKey::generate().unwrap();
    let v1 = PracticeKey::generate(1).unwrap();
    let stored_v1 = root.wrap_practice_key(&v1).unwrap();
    let clients: Vec<(String, ClientKey)> = (0..20)
        .map(|i| (format!("client-{i}"), ClientKey::generate(1).unwrap()))
        .collect();
    let records: Vec<(String, Sealed<[u8]>)> = clients
        .iter()
        .map(|(id, ck)| {
            (
                id.clone(),
                ck.seal(&ctx("note", "n", id, "body"), id.as_bytes())
                    .unwrap(),
            )
        })
        .collect();
    let mut wrapped: Vec<_> = clients
        .iter()
        .map(|(id, ck)| v1.wrap_client_key(id, ck).unwrap())
        .collect();
    drop(clients);

    let v2 = PracticeKey::generate(2).unwrap();
    let stored_v2 = root.wrap_practice_key(&v2).unwrap();
    let old = root.unwrap_practice_key(1, &stored_v1).unwrap();
    for (w, (id, _)) in wrapped.iter_mut().zip(&records) {
        let ck = old.unwrap_client_key(id, 1, w).unwrap();
        *w = v2.wrap_client_key(id, &ck).unwrap();
    }
    drop(old);

    let current = root.unwrap_practice_key(2, &stored_v2).unwrap();
    for (w, (id, sealed)) in wrapped.iter().zip(&records) {
        let ck = current.unwrap_client_key(id, 1, w).unwrap();
        assert_eq!(
            ck.open(&ctx("note", "n", id, "body"), sealed)
                .unwrap()
                .as_slice(),
            id.as_bytes()
        );
        assert!(
            v1.unwrap_client_key(id, 1, w).is_err(),
            "old version no longer opens rewrapped keys"
        );
    }
    assert!(
        root.unwrap_practice_key(1, &stored_v2).is_err(),
        "versions are bound to their number"
    );
}

#[test]
fn a_root_sealed_secret_opens_only_under_its_label_and_root() {
    let root = RootKey::generate().unwrap();
    let sealed = root
        .seal_secret("audit-signing-key", b"seed bytes")
        .unwrap();
    assert_eq!(
        root.open_secret("audit-signing-key", &sealed)
            .unwrap()
            .as_slice(),
        b"seed bytes"
    );
    assert!(root.open_secret("other", &sealed).is_err());
    assert!(
        RootKey::generate()
            .unwrap()
            .open_secret("audit-signing-key", &sealed)
            .is_err()
    );
}
