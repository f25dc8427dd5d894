//! Ranking: the score of one document for one query, and the best hits kept so far.
//!
//! It owns the scoring formula. It must never use a statistic over other documents.
//!
//! A hit's score is the sum, over query terms, of BM25's term-frequency weight
//! `tf·(k1+1) / (tf + k1·(1 − b + b·len/pivot))` with `k1 = 1.2`, `b = 0.75` and a fixed
//! `pivot` of 100 terms; the prefix term scores its best completion in the document, a
//! completion that is not the typed word itself at 0.8 of the weight. Name documents count
//! three times. There is deliberately no inverse document frequency and no corpus-average
//! length: both are statistics over every record, hidden ones included, so they would let a
//! record the user may not see change the ranking of ones they may. A score depends only on
//! the document and the query.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::Hit;

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;
/// BM25 length normalization strength.
const B: f32 = 0.75;
/// The document length (in terms) at which length normalization is neutral: a typical note.
const PIVOT_LEN: f32 = 100.0;
/// Names outrank notes that merely mention them.
pub(super) const NAME_BOOST: f32 = 3.0;
/// A completion of the typed prefix counts a little less than the typed word itself.
pub(super) const COMPLETION_WEIGHT: f32 = 0.8;

/// BM25's length normalization for a document of `len` terms.
pub(super) fn norm(len: usize) -> f32 {
    1.0 - B + B * (len as f32) / PIVOT_LEN
}

/// BM25's saturating term-frequency weight.
pub(super) fn tf_weight(tf: u16, norm: f32) -> f32 {
    let tf = f32::from(tf);
    tf * (K1 + 1.0) / (tf + K1 * norm)
}

/// The best `limit` hits so far, the worst on top so it can be displaced.
pub(super) struct TopK {
    limit: usize,
    heap: BinaryHeap<Ranked>,
}

impl TopK {
    pub(super) fn new(limit: usize) -> Self {
        Self {
            limit,
            heap: BinaryHeap::new(),
        }
    }

    /// Whether a hit with this score could enter the results (ties are decided by id).
    pub(super) fn might_take(&self, score: f32) -> bool {
        self.heap.len() < self.limit || self.heap.peek().is_some_and(|worst| score >= worst.0.score)
    }

    /// Whether `hit` would enter the results if allowed.
    pub(super) fn would_take(&self, hit: &Hit) -> bool {
        self.heap.len() < self.limit || self.heap.peek().is_some_and(|worst| Ranked(*hit) < *worst)
    }

    pub(super) fn push(&mut self, hit: Hit) {
        if self.heap.len() >= self.limit {
            self.heap.pop();
        }
        self.heap.push(Ranked(hit));
    }

    pub(super) fn into_sorted(self) -> Vec<Hit> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.0)
            .collect()
    }
}

/// Orders hits best first: higher score, then smaller id.
struct Ranked(Hit);

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .score
            .total_cmp(&self.0.score)
            .then_with(|| self.0.id.cmp(&other.0.id))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}
