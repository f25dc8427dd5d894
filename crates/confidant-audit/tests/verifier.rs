//! Property tests of the log verifier: an untouched log passes, and every way of tampering with
//! it (changing, deleting, reordering, inserting, truncating) fails and names where.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use confidant_audit::{Frontier, Hash, LogVerifier, VerifyError, leaf_hash};
use proptest::prelude::*;
use proptest::sample::Index;

/// A synthetic audit log: events carry their own number, as real ones do, so no two are equal.
fn arb_log() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 1..48).prop_map(
        |bodies| {
            bodies
                .into_iter()
                .enumerate()
                .map(|(i, body)| {
                    let mut e = format!("{i}:").into_bytes();
                    e.extend(body);
                    e
                })
                .collect()
        },
    )
}

#[derive(Clone, Debug)]
enum Tamper {
    /// XOR one byte of one event with a non-zero value.
    ChangeByte { event: Index, pos: Index, xor: u8 },
    /// Remove an event, leaving the numbers of the rest alone.
    Delete { at: Index },
    /// Remove an event and renumber the rest so the numbers look unbroken.
    DeleteAndRenumber { at: Index },
    /// Swap two events, each keeping its number.
    Swap { a: Index, b: Index },
    /// Swap the contents of two events, numbers staying in order.
    SwapContents { a: Index, b: Index },
    /// Insert a forged event before an existing one and renumber the rest.
    Insert { at: Index, event: Vec<u8> },
    /// Insert a forged event reusing the number of the one it precedes.
    InsertReusingNumber { at: Index, event: Vec<u8> },
    /// Drop events from the end.
    Truncate { keep: Index },
}

fn arb_tamper() -> impl Strategy<Value = Tamper> {
    let forged = proptest::collection::vec(any::<u8>(), 0..200).prop_map(|b| {
        let mut e = b"forged:".to_vec();
        e.extend(b);
        e
    });
    prop_oneof![
        (any::<Index>(), any::<Index>(), 1..=255u8)
            .prop_map(|(event, pos, xor)| Tamper::ChangeByte { event, pos, xor }),
        any::<Index>().prop_map(|at| Tamper::Delete { at }),
        any::<Index>().prop_map(|at| Tamper::DeleteAndRenumber { at }),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Tamper::Swap { a, b }),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Tamper::SwapContents { a, b }),
        (any::<Index>(), forged.clone()).prop_map(|(at, event)| Tamper::Insert { at, event }),
        (any::<Index>(), forged).prop_map(|(at, event)| Tamper::InsertReusingNumber { at, event }),
        any::<Index>().prop_map(|keep| Tamper::Truncate { keep }),
    ]
}

/// Two distinct positions below n (n ≥ 2), smaller first.
fn pair(a: &Index, b: &Index, n: usize) -> (usize, usize) {
    let i = a.index(n);
    let j = (i + 1 + b.index(n - 1)) % n;
    (i.min(j), i.max(j))
}

fn numbered(log: &[Vec<u8>]) -> Vec<(u64, Vec<u8>)> {
    log.iter()
        .cloned()
        .enumerate()
        .map(|(i, e)| (i as u64, e))
        .collect()
}

/// Applies the tampering; returns the tampered (number, event) stream and the error the verifier
/// must report: with only the final checkpoint, and with a checkpoint at every size.
fn tamper(log: &[Vec<u8>], t: &Tamper) -> (Vec<(u64, Vec<u8>)>, VerifyError, VerifyError) {
    use VerifyError::*;
    let n = log.len();
    let size = n as u64;
    let mut out = numbered(log);
    match t {
        Tamper::ChangeByte { event, pos, xor } => {
            let k = event.index(n);
            let p = pos.index(out[k].1.len());
            out[k].1[p] ^= xor;
            let k = k as u64;
            (
                out,
                CheckpointMismatch { size },
                CheckpointMismatch { size: k + 1 },
            )
        }
        Tamper::Delete { at } => {
            let k = at.index(n);
            out.remove(k);
            let k = k as u64;
            let e = if k + 1 < size {
                OutOfSequence {
                    expected: k,
                    found: k + 1,
                }
            } else {
                Truncated { size, log_size: k }
            };
            (out, e.clone(), e)
        }
        Tamper::DeleteAndRenumber { at } => {
            let k = at.index(n);
            let mut rest = log.to_vec();
            rest.remove(k);
            let k = k as u64;
            let every = if k + 1 < size {
                CheckpointMismatch { size: k + 1 }
            } else {
                Truncated { size, log_size: k }
            };
            (
                numbered(&rest),
                Truncated {
                    size,
                    log_size: size - 1,
                },
                every,
            )
        }
        Tamper::Swap { a, b } => {
            let (i, j) = pair(a, b, n);
            out.swap(i, j);
            let e = OutOfSequence {
                expected: i as u64,
                found: j as u64,
            };
            (out, e.clone(), e)
        }
        Tamper::SwapContents { a, b } => {
            let (i, j) = pair(a, b, n);
            let mut swapped = log.to_vec();
            swapped.swap(i, j);
            let every = CheckpointMismatch { size: i as u64 + 1 };
            (numbered(&swapped), CheckpointMismatch { size }, every)
        }
        Tamper::Insert { at, event } => {
            let k = at.index(n);
            let mut grown = log.to_vec();
            grown.insert(k, event.clone());
            let every = CheckpointMismatch { size: k as u64 + 1 };
            (numbered(&grown), CheckpointMismatch { size }, every)
        }
        Tamper::InsertReusingNumber { at, event } => {
            let k = at.index(n);
            out.insert(k, (k as u64, event.clone()));
            let k = k as u64;
            // The forged event takes number k unnoticed; the real event k then comes late —
            // unless the forged one already completes the checkpointed size.
            let last_only = if k + 1 == size {
                CheckpointMismatch { size }
            } else {
                OutOfSequence {
                    expected: k + 1,
                    found: k,
                }
            };
            (out, last_only, CheckpointMismatch { size: k + 1 })
        }
        Tamper::Truncate { keep } => {
            let t = keep.index(n);
            out.truncate(t);
            let t = t as u64;
            (
                out,
                Truncated { size, log_size: t },
                Truncated {
                    size: t + 1,
                    log_size: t,
                },
            )
        }
    }
}

fn roots_by_size(log: &[Vec<u8>]) -> Vec<Hash> {
    let mut f = Frontier::new();
    let mut roots = vec![f.root()];
    for e in log {
        f.append(leaf_hash(e)).unwrap();
        roots.push(f.root());
    }
    roots
}

/// Runs the verifier to its first error (or its summary).
fn verify(
    stream: &[(u64, Vec<u8>)],
    checkpoints: &[(u64, Hash)],
) -> Result<confidant_audit::Summary, VerifyError> {
    let mut v = LogVerifier::new();
    for &(size, root) in checkpoints {
        v.expect_root_at(size, root)?;
    }
    for (seq, event) in stream {
        v.push(*seq, event)?;
    }
    v.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn an_untouched_log_verifies_against_its_checkpoints(log in arb_log()) {
        let roots = roots_by_size(&log);
        let n = log.len();
        let every: Vec<_> = (1..=n).map(|s| (s as u64, roots[s])).collect();
        let summary = verify(&numbered(&log), &every).unwrap();
        prop_assert_eq!(summary.size, n as u64);
        prop_assert_eq!(summary.root, roots[n]);
        prop_assert_eq!(summary.checkpoints_checked, n);
    }

    #[test]
    fn any_tampering_fails_and_names_the_first_bad_event_or_checkpoint(
        log in arb_log(),
        t in arb_tamper(),
    ) {
        let n = log.len();
        prop_assume!(n >= 2 || !matches!(t, Tamper::Swap { .. } | Tamper::SwapContents { .. }));
        let roots = roots_by_size(&log);
        let (stream, want_last, want_every) = tamper(&log, &t);

        let last = [(n as u64, roots[n])];
        prop_assert_eq!(verify(&stream, &last).unwrap_err(), want_last);

        let every: Vec<_> = (1..=n).map(|s| (s as u64, roots[s])).collect();
        prop_assert_eq!(verify(&stream, &every).unwrap_err(), want_every);
    }
}

#[test]
fn a_checkpoint_at_size_zero_is_checked_at_once() {
    let mut v = LogVerifier::new();
    assert_eq!(
        v.expect_root_at(0, leaf_hash(b"not empty")),
        Err(VerifyError::CheckpointMismatch { size: 0 })
    );
}

#[test]
fn an_event_numbered_from_one_is_reported_as_out_of_sequence() {
    let mut v = LogVerifier::new();
    assert_eq!(
        v.push(1, b"first"),
        Err(VerifyError::OutOfSequence {
            expected: 0,
            found: 1
        })
    );
}
