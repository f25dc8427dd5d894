//! Signed checkpoints: exact text format, round trips, and every forgery or alteration refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{data, naive_mth};
use confidant_audit::{
    AuditSigningKey, AuditVerifierKey, Checkpoint, CheckpointError, Hash, leaf_hash, open,
};
use proptest::prelude::*;

const NAME: &str = "audit.confidant.example/practice-1";

fn key() -> AuditSigningKey {
    AuditSigningKey::from_seed(NAME, &[42; 32]).unwrap()
}

fn checkpoint() -> Checkpoint {
    Checkpoint {
        origin: NAME.into(),
        size: 20,
        root: naive_mth(&data(20)),
    }
}

#[test]
fn the_body_is_origin_size_and_base64_root_one_per_line() {
    let cp = Checkpoint {
        origin: "example.com/log".into(),
        size: 1,
        root: leaf_hash(b""),
    };
    assert_eq!(
        cp.body().unwrap(),
        "example.com/log\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n"
    );
    let empty = Checkpoint {
        origin: "example.com/log".into(),
        size: 0,
        root: confidant_audit::empty_root(),
    };
    assert_eq!(
        empty.body().unwrap(),
        "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    );
}

#[test]
fn a_signed_note_is_the_body_a_blank_line_and_one_em_dash_signature_line() {
    let k = key();
    let cp = checkpoint();
    let note = k.sign(&cp).unwrap();
    let body = cp.body().unwrap();
    let sig_line = note.strip_prefix(&format!("{body}\n")).unwrap();
    let rest = sig_line.strip_prefix(&format!("\u{2014} {NAME} ")).unwrap();
    let b64 = rest.strip_suffix('\n').unwrap();
    assert!(!b64.contains('\n'));
    let raw = STANDARD.decode(b64).unwrap();
    assert_eq!(raw.len(), 4 + 64);
    assert_eq!(raw[..4], k.verifier_key().key_id().to_be_bytes());
}

#[test]
fn a_signed_checkpoint_opens_to_itself() {
    let k = key();
    let note = k.sign(&checkpoint()).unwrap();
    assert_eq!(open(&note, k.verifier_key()).unwrap(), checkpoint());
}

#[test]
fn any_single_byte_change_of_a_signed_note_fails_to_open() {
    let k = key();
    let vkey = k.verifier_key();
    let note = k.sign(&checkpoint()).unwrap().into_bytes();
    let mut changed = note.clone();
    for i in 0..note.len() {
        for b in 0..=255u8 {
            if b == note[i] {
                continue;
            }
            changed[i] = b;
            assert!(
                open(&changed, vkey).is_err(),
                "byte {i} changed to {b:#04x} still opens"
            );
        }
        changed[i] = note[i];
    }
}

#[test]
fn a_note_with_anything_after_its_signature_fails_to_open() {
    let k = key();
    let note = k.sign(&checkpoint()).unwrap();
    for tail in ["x", "\n", "garbage\n", " ", "\u{2014}"] {
        let longer = format!("{note}{tail}");
        assert!(
            matches!(
                open(&longer, k.verifier_key()),
                Err(CheckpointError::MalformedNote { .. })
            ),
            "accepted trailing {tail:?}"
        );
    }
    let truncated = &note[..note.len() - 1];
    assert!(open(truncated, k.verifier_key()).is_err());
}

#[test]
fn a_checkpoint_signed_by_another_key_fails_to_open_even_under_the_same_name() {
    let real = key();
    let impostor = AuditSigningKey::generate(NAME).unwrap();
    let note = impostor.sign(&checkpoint()).unwrap();
    assert!(matches!(
        open(&note, real.verifier_key()),
        Err(CheckpointError::UnknownKey { .. })
    ));
    let renamed = AuditSigningKey::from_seed("someone.else/log", &[42; 32]).unwrap();
    let note = renamed.sign(&checkpoint()).unwrap();
    assert!(matches!(
        open(&note, real.verifier_key()),
        Err(CheckpointError::UnknownKey { .. })
    ));
}

#[test]
fn a_forged_body_under_the_real_signature_line_fails_to_open() {
    let k = key();
    let note = k.sign(&checkpoint()).unwrap();
    let sig_line = &note[note.rfind("\n\n").unwrap() + 2..];
    let mut forged_log = data(20);
    forged_log[3] = b"rewritten".to_vec();
    let forged = Checkpoint {
        root: naive_mth(&forged_log),
        ..checkpoint()
    };
    let forged_note = format!("{}\n{sig_line}", forged.body().unwrap());
    assert_eq!(
        open(&forged_note, k.verifier_key()),
        Err(CheckpointError::BadSignature)
    );
}

#[test]
fn cosignatures_from_unknown_keys_are_ignored() {
    let k = key();
    let witness = AuditSigningKey::generate("witness.example/w1").unwrap();
    let note = k.sign(&checkpoint()).unwrap();
    let witness_line = {
        let w = witness.sign(&checkpoint()).unwrap();
        w[w.rfind("\n\n").unwrap() + 2..].to_string()
    };
    let cosigned = format!("{note}{witness_line}");
    assert_eq!(open(&cosigned, k.verifier_key()).unwrap(), checkpoint());
    assert_eq!(
        open(&cosigned, witness.verifier_key()).unwrap(),
        checkpoint()
    );
}

#[test]
fn a_bad_signature_by_the_known_key_rejects_the_note_even_beside_a_good_one() {
    let k = key();
    let note = k.sign(&checkpoint()).unwrap();
    let other = k
        .sign(&Checkpoint {
            size: 21,
            ..checkpoint()
        })
        .unwrap();
    let other_line = &other[other.rfind("\n\n").unwrap() + 2..];
    let both = format!("{note}{other_line}");
    assert_eq!(
        open(&both, k.verifier_key()),
        Err(CheckpointError::BadSignature)
    );
}

#[test]
fn a_note_without_signatures_fails_to_open() {
    let k = key();
    let body = checkpoint().body().unwrap();
    for note in [body.clone(), format!("{body}\n"), String::new()] {
        assert!(matches!(
            open(&note, k.verifier_key()),
            Err(CheckpointError::MalformedNote { .. })
        ));
    }
}

#[test]
fn the_signing_key_prints_redacted() {
    let k = key();
    assert_eq!(format!("{k:?}"), "[REDACTED]");
    assert!(!format!("{k:?}").contains("42"));
}

#[test]
fn a_key_rebuilt_from_its_seed_signs_identically() {
    let k = AuditSigningKey::generate(NAME).unwrap();
    let seed = k.to_seed();
    let again = AuditSigningKey::from_seed(NAME, &seed).unwrap();
    assert_eq!(again.verifier_key(), k.verifier_key());
    assert_eq!(
        again.sign(&checkpoint()).unwrap(),
        k.sign(&checkpoint()).unwrap()
    );
    assert_ne!(
        AuditSigningKey::generate(NAME).unwrap().verifier_key(),
        k.verifier_key()
    );
}

#[test]
fn the_verifier_key_text_round_trips() {
    let k = key();
    let text = k.verifier_key().to_string();
    assert!(text.starts_with(&format!("{NAME}+")));
    let parsed: AuditVerifierKey = text.parse().unwrap();
    assert_eq!(&parsed, k.verifier_key());
    assert_eq!(parsed.name(), NAME);
    assert_eq!(parsed.public_key(), k.verifier_key().public_key());
}

#[test]
fn a_verifier_key_with_a_wrong_key_id_or_algorithm_is_refused() {
    let text = key().verifier_key().to_string();
    let parts: Vec<&str> = text.splitn(3, '+').collect();
    let (name, id, b64) = (parts[0], parts[1], parts[2]);
    AuditVerifierKey::parse(&format!("{name}+{id}+{b64}")).unwrap();

    let mut raw = STANDARD.decode(b64).unwrap();
    raw[0] = 0x02;
    let other_alg = format!("{name}+{id}+{}", STANDARD.encode(&raw));
    assert!(AuditVerifierKey::parse(&other_alg).is_err());

    let id_num = u32::from_str_radix(id, 16).unwrap();
    let wrong_id = format!("{name}+{:08x}+{b64}", id_num ^ 1);
    assert!(AuditVerifierKey::parse(&wrong_id).is_err());

    let upper_id = format!("{name}+{:08X}+{b64}", id_num);
    if upper_id != text {
        assert!(AuditVerifierKey::parse(&upper_id).is_err());
    }
    let other_name = format!("someone.else+{id}+{b64}");
    assert!(AuditVerifierKey::parse(&other_name).is_err());
    assert!(AuditVerifierKey::parse(&format!("{text}=")).is_err());
    assert!(AuditVerifierKey::parse("").is_err());
}

fn arb_checkpoint() -> impl Strategy<Value = Checkpoint> {
    (
        "[a-z0-9./-]{1,40}( [a-z]{1,8})?",
        any::<u64>(),
        any::<[u8; 32]>(),
    )
        .prop_map(|(origin, size, root)| Checkpoint {
            origin,
            size,
            root: Hash::from_bytes(root),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_checkpoint_round_trips_through_a_signed_note(cp in arb_checkpoint()) {
        let k = key();
        let note = k.sign(&cp).unwrap();
        prop_assert_eq!(open(&note, k.verifier_key()).unwrap(), cp);
    }

    #[test]
    fn a_rewritten_history_cannot_be_given_a_valid_checkpoint_without_the_key(
        cp in arb_checkpoint(),
        other_root in any::<[u8; 32]>(),
        other_size in any::<u64>(),
    ) {
        let real = key();
        let genuine = real.sign(&cp).unwrap();
        let rewritten = Checkpoint { size: other_size, root: Hash::from_bytes(other_root), ..cp.clone() };
        prop_assume!(rewritten != cp);
        // The attacker's own key, even under the practice's key name, is not the practice's key.
        let attacker = AuditSigningKey::generate(NAME).unwrap();
        let forged = attacker.sign(&rewritten).unwrap();
        let is_unknown_key = matches!(
            open(&forged, real.verifier_key()),
            Err(CheckpointError::UnknownKey { .. })
        );
        prop_assert!(is_unknown_key);
        // Nor can the genuine signature be moved onto the rewritten body.
        let sig_line = &genuine[genuine.rfind("\n\n").unwrap() + 2..];
        let moved = format!("{}\n{sig_line}", rewritten.body().unwrap());
        prop_assert_eq!(open(&moved, real.verifier_key()), Err(CheckpointError::BadSignature));
    }
}
