//! Streaming verification of a whole audit log against its signed checkpoints.
//!
//! Events are fed in order with their sequence numbers; the verifier rebuilds the tree with a
//! [`Frontier`] and, whenever the tree reaches the size of an expected checkpoint, compares roots.
//! It owns only that bookkeeping: it never reads storage, never opens notes (the caller passes
//! checkpoints already opened with the audit verifier key) and stops at the first failure, which it
//! names by sequence number or checkpoint size.

use std::collections::BTreeMap;

use crate::checkpoint::Checkpoint;
use crate::hash::{Hash, leaf_hash};
use crate::tree::{Frontier, TreeError};

/// The first thing found wrong in a log; every variant names where.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// An event's sequence number is not the next one: events were removed, repeated or reordered.
    #[error(
        "event {found} came where event {expected} was due: events from {expected} on are missing, \
         repeated or out of order"
    )]
    OutOfSequence {
        /// The sequence number that was due (the first bad one).
        expected: u64,
        /// The sequence number that came instead.
        found: u64,
    },
    /// The rebuilt root differs from the checkpoint's at its size: an earlier event was changed.
    #[error(
        "the log's root after {size} events differs from the signed checkpoint for that size: \
         an event before it was altered, inserted or removed"
    )]
    CheckpointMismatch {
        /// Size of the checkpoint that failed.
        size: u64,
    },
    /// The log ends before a checkpoint's size: events were removed from its end.
    #[error(
        "the log ends after {log_size} events but a signed checkpoint covers {size}: it was truncated"
    )]
    Truncated {
        /// Size of the checkpoint not reached.
        size: u64,
        /// Events the log actually has.
        log_size: u64,
    },
    /// Two checkpoints for one size disagree: the log signed two different histories.
    #[error("two signed checkpoints for size {size} have different roots: the log forked")]
    ConflictingCheckpoints {
        /// The size both checkpoints claim.
        size: u64,
    },
    /// A checkpoint was given after the log had already grown past its size.
    #[error(
        "checkpoint for size {size} given after {log_size} events were read; give checkpoints \
         before the events they cover"
    )]
    CheckpointTooLate {
        /// Size of the late checkpoint.
        size: u64,
        /// Events read so far.
        log_size: u64,
    },
    /// The tree cannot grow further.
    #[error(transparent)]
    Tree(#[from] TreeError),
}

/// What a successful verification established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Number of events verified.
    pub size: u64,
    /// Root of the tree over all of them.
    pub root: Hash,
    /// How many checkpoints matched.
    pub checkpoints_checked: usize,
}

/// Rebuilds the tree from events in order and checks it against expected checkpoints.
#[derive(Clone, Debug, Default)]
pub struct LogVerifier {
    frontier: Frontier,
    /// Checkpoints not yet reached, by size.
    pending: BTreeMap<u64, Hash>,
    /// Checkpoints matched so far.
    checked: usize,
    /// The first failure; once set, every later call reports it again.
    failed: Option<VerifyError>,
}

impl LogVerifier {
    /// A verifier expecting event 0 first (sequence numbers are leaf indices).
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a checkpoint (already opened with the audit key) to check when its size is reached.
    pub fn expect_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), VerifyError> {
        self.expect_root_at(checkpoint.size, checkpoint.root)
    }

    /// Registers the root the tree must have at `size`; checked now if the tree is at that size.
    pub fn expect_root_at(&mut self, size: u64, root: Hash) -> Result<(), VerifyError> {
        self.ok()?;
        let log_size = self.frontier.size();
        if size < log_size {
            return self.fail(VerifyError::CheckpointTooLate { size, log_size });
        }
        if let Some(existing) = self.pending.get(&size) {
            if *existing != root {
                return self.fail(VerifyError::ConflictingCheckpoints { size });
            }
            return Ok(());
        }
        self.pending.insert(size, root);
        self.check_reached()
    }

    /// Adds the next event; `seq` must be exactly the number of events pushed so far.
    pub fn push(&mut self, seq: u64, event: &[u8]) -> Result<(), VerifyError> {
        self.ok()?;
        let expected = self.frontier.size();
        if seq != expected {
            return self.fail(VerifyError::OutOfSequence {
                expected,
                found: seq,
            });
        }
        if let Err(e) = self.frontier.append_with(leaf_hash(event), |_| {}) {
            return self.fail(e.into());
        }
        self.check_reached()
    }

    /// Events verified so far.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Root of the tree over the events so far.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// Ends the log: fails if any failure happened or a checkpoint lies beyond its end.
    pub fn finish(self) -> Result<Summary, VerifyError> {
        self.ok()?;
        let log_size = self.frontier.size();
        if let Some((&size, _)) = self.pending.first_key_value() {
            return Err(VerifyError::Truncated { size, log_size });
        }
        Ok(Summary {
            size: log_size,
            root: self.frontier.root(),
            checkpoints_checked: self.checked,
        })
    }

    fn ok(&self) -> Result<(), VerifyError> {
        match &self.failed {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, e: VerifyError) -> Result<(), VerifyError> {
        self.failed = Some(e.clone());
        Err(e)
    }

    /// Compares the root with the checkpoint for the current size, if one is pending.
    fn check_reached(&mut self) -> Result<(), VerifyError> {
        let size = self.frontier.size();
        match self.pending.first_key_value() {
            Some((&next, &root)) if next == size => {
                self.pending.remove(&size);
                if self.frontier.root() != root {
                    return self.fail(VerifyError::CheckpointMismatch { size });
                }
                self.checked += 1;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(n: u64) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("event {i}").into_bytes()).collect()
    }

    fn root_of(events: &[Vec<u8>]) -> Hash {
        let mut f = Frontier::new();
        for e in events {
            f.append(leaf_hash(e)).unwrap();
        }
        f.root()
    }

    #[test]
    fn an_untouched_log_verifies_against_its_checkpoints() {
        let log = events(10);
        let mut v = LogVerifier::new();
        v.expect_root_at(0, root_of(&[])).unwrap();
        v.expect_root_at(4, root_of(&log[..4])).unwrap();
        v.expect_root_at(10, root_of(&log)).unwrap();
        for (i, e) in log.iter().enumerate() {
            v.push(i as u64, e).unwrap();
        }
        let summary = v.finish().unwrap();
        assert_eq!(summary.size, 10);
        assert_eq!(summary.root, root_of(&log));
        assert_eq!(summary.checkpoints_checked, 3);
    }

    #[test]
    fn the_first_failure_sticks() {
        let mut v = LogVerifier::new();
        v.push(0, b"a").unwrap();
        let first = v.push(2, b"c").unwrap_err();
        assert_eq!(
            first,
            VerifyError::OutOfSequence {
                expected: 1,
                found: 2
            }
        );
        assert_eq!(v.push(1, b"b"), Err(first.clone()));
        assert_eq!(v.finish(), Err(first));
    }

    #[test]
    fn a_checkpoint_given_too_late_is_refused() {
        let mut v = LogVerifier::new();
        v.push(0, b"a").unwrap();
        v.push(1, b"b").unwrap();
        assert_eq!(
            v.expect_root_at(1, root_of(&[b"a".to_vec()])),
            Err(VerifyError::CheckpointTooLate {
                size: 1,
                log_size: 2
            })
        );
    }

    #[test]
    fn two_checkpoints_disagreeing_about_one_size_are_a_fork() {
        let mut v = LogVerifier::new();
        v.expect_root_at(3, root_of(&events(3))).unwrap();
        v.expect_root_at(3, root_of(&events(3))).unwrap();
        assert_eq!(
            v.expect_root_at(3, root_of(&events(2))),
            Err(VerifyError::ConflictingCheckpoints { size: 3 })
        );
    }
}
