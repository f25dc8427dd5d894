//! The inverted index: a term dictionary, one posting list per term, and a slab of document
//! slots, with the ranked and policy-filtered search over them.
//!
//! It owns the memory layout and the search passes. It must never keep document text (only
//! terms and counts), never do I/O, and never let a document the caller's filter hides change
//! which visible documents are returned or how they score.
//!
//! Layout. Each term has an id, its text (in a sorted `BTreeMap`, so the last query term can be
//! range-scanned as a prefix), a document frequency and a posting list of `(slot, tf)` kept as
//! two parallel vectors (6 bytes an entry). Each document lives in a slot of a slab: its ids,
//! and the ids of its distinct terms, which is what makes removal cheap. Each slot's length
//! normalization and name boost sit in a dense array of their own, read in the hot loop.
//!
//! Removal is lazy. A removed document's slot becomes a tombstone at once: it never matches
//! again, its client and text are forgotten, and a term no other document uses leaves the
//! dictionary (its text wiped) immediately. What lingers is its slot number in the posting
//! lists of terms other documents still use; once tombstones reach an eighth of the live
//! documents (at least 32), one pass drops them from every posting list and their slots are
//! reused. That pass is linear in the index size (under a tenth of a second at 200,000 notes,
//! holding the caller's write lock) and so rare that it costs O(1) per removal.
//!
//! Search is term-at-a-time over per-query dense arrays (one score and one counter per slot):
//! the prefix's completions first, keeping each document's best, then each whole-word term,
//! which only counts for documents that matched every term before it. Work is the total
//! length of the query terms' posting lists plus one pass over the slots, whatever the query;
//! then only documents whose score could still enter the results are looked at, and only
//! those are shown to the caller's filter.
//!
//! Ranking (see `rank`): BM25 term-frequency weights with a fixed length pivot, a name
//! boost, and no statistic over other documents.
//!
//! Prefixes are not capped: every dictionary term starting with the last query term counts.
//! The work above is already bounded by the index size, and a cap chosen by global frequency
//! would let hidden records decide which visible ones are found.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::mem;
use std::ops::Bound;

use zeroize::Zeroize;

use super::rank::{COMPLETION_WEIGHT, NAME_BOOST, TopK, norm, tf_weight};
use super::tokens;
use super::{Doc, DocId, DocKind, Hit, Query};
use crate::ids::{ActorId, ClientId};

type TermId = u32;
type Slot = u32;

/// Tombstones tolerated before a cleanup pass, at the least.
const MIN_DEAD_BEFORE_SWEEP: usize = 32;
/// Tombstones tolerated before a cleanup pass, as a fraction (1/n) of live documents.
const SWEEP_FRACTION: usize = 8;
/// Below one candidate in this many slots, candidates are listed rather than found by a scan.
const SPARSE: usize = 16;

/// An in-memory inverted index of client names and note text; counts only in `Debug`.
///
/// Used behind the caller's `RwLock`: searches take `&self`, writes `&mut self`. It holds at
/// most `u32::MAX` documents and distinct terms (far beyond any memory); a document past that
/// is not indexed, and a term past that is not indexed for its document.
#[derive(Default)]
pub struct SearchIndex {
    /// Term text to id, sorted for prefix scans.
    dictionary: BTreeMap<Box<str>, TermId>,
    /// By term id; a retired id has empty text, zero `df` and waits in `free_terms`.
    terms: Vec<TermInfo>,
    free_terms: Vec<TermId>,
    /// By slot number.
    slots: Vec<SlotState>,
    /// By slot number: what scoring reads for every posting, kept dense.
    hot: Vec<Hot>,
    /// Slots whose number appears in no posting list, ready for reuse.
    free_slots: Vec<Slot>,
    /// Tombstones: slots removed whose number may still appear in posting lists.
    dead: usize,
    ids: HashMap<DocId, Slot>,
    by_client: HashMap<ClientId, Vec<Slot>>,
}

#[derive(Default)]
struct TermInfo {
    /// The term again, to take it out of the dictionary when its last document goes.
    text: Box<str>,
    /// Live documents containing the term.
    df: u32,
    /// Slots of documents containing the term, possibly tombstones, never twice.
    slots: Vec<Slot>,
    /// The term's frequency in each of those documents, same order.
    tfs: Vec<u16>,
}

enum SlotState {
    Live(DocMeta),
    Dead,
    Free,
}

struct DocMeta {
    id: DocId,
    client: ClientId,
    kind: DocKind,
    author: Option<ActorId>,
    /// Distinct terms, to release them when the document goes.
    terms: Box<[TermId]>,
}

/// A slot's scoring inputs: BM25 length normalization and boost; zero boost when not live.
#[derive(Clone, Copy, Default)]
struct Hot {
    norm: f32,
    boost: f32,
}

/// Sizes of the index, for benchmarks and health checks; counts only, never content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexStats {
    /// Documents searchable.
    pub docs: usize,
    /// Distinct terms in the dictionary.
    pub terms: usize,
    /// Entries across all posting lists, tombstones included.
    pub postings: usize,
    /// Removed documents not yet swept from the posting lists.
    pub tombstones: usize,
    /// Rough heap footprint in bytes (allocated capacities plus estimated map overheads).
    pub approx_bytes: usize,
}

impl SearchIndex {
    /// An empty index, to be filled at unseal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of searchable documents, to check a rebuild against the store.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing is indexed (a sealed vault, or a practice with no clients yet).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Indexes a record, replacing what was indexed under its id: called on every write.
    ///
    /// The document's text is read, split into terms and dropped (wiped) here.
    pub fn insert_or_replace(&mut self, doc: Doc) {
        self.remove(doc.id);
        let Some(slot) = self.allocate_slot() else {
            return;
        };
        let mut all: Vec<TermId> = Vec::new();
        tokens::for_each_term(&doc.text, |term| {
            if let Some(id) = self.intern(term) {
                all.push(id);
            }
        });
        let len = all.len();
        all.sort_unstable();
        let mut terms: Vec<TermId> = Vec::new();
        for run in all.chunk_by(|a, b| a == b) {
            let Some(&id) = run.first() else {
                continue;
            };
            let Some(info) = self.terms.get_mut(id as usize) else {
                continue;
            };
            info.df += 1;
            info.slots.push(slot);
            info.tfs.push(u16::try_from(run.len()).unwrap_or(u16::MAX));
            terms.push(id);
        }
        let boost = if doc.kind == DocKind::ClientName {
            NAME_BOOST
        } else {
            1.0
        };
        if let Some(hot) = self.hot.get_mut(slot as usize) {
            *hot = Hot {
                norm: norm(len),
                boost,
            };
        }
        if let Some(state) = self.slots.get_mut(slot as usize) {
            *state = SlotState::Live(DocMeta {
                id: doc.id,
                client: doc.client,
                kind: doc.kind,
                author: doc.author,
                terms: terms.into_boxed_slice(),
            });
        }
        self.ids.insert(doc.id, slot);
        self.by_client.entry(doc.client).or_default().push(slot);
    }

    /// Gives back the spare capacity posting lists grew while the index was built; call it once
    /// after the bulk build at unseal (updates afterwards grow lists again as needed).
    pub fn shrink_to_fit(&mut self) {
        for info in &mut self.terms {
            info.slots.shrink_to_fit();
            info.tfs.shrink_to_fit();
        }
    }

    /// Forgets one record (deleted, or no longer searchable); false if it was not indexed.
    pub fn remove(&mut self, id: DocId) -> bool {
        let Some(slot) = self.ids.remove(&id) else {
            return false;
        };
        if let Some(meta) = self.kill(slot) {
            if let Some(slots) = self.by_client.get_mut(&meta.client) {
                if let Some(at) = slots.iter().position(|&s| s == slot) {
                    slots.swap_remove(at);
                }
                if slots.is_empty() {
                    self.by_client.remove(&meta.client);
                }
            }
        }
        self.maybe_sweep();
        true
    }

    /// Forgets a client's name and all their notes, as their data key is destroyed
    /// (crypto-shredding); returns how many documents went.
    pub fn remove_client(&mut self, client: ClientId) -> usize {
        let Some(slots) = self.by_client.remove(&client) else {
            return 0;
        };
        for &slot in &slots {
            if let Some(meta) = self.kill(slot) {
                self.ids.remove(&meta.id);
            }
        }
        self.maybe_sweep();
        slots.len()
    }

    /// Every match, best first, up to the limit, with no policy applied: for tests and tools
    /// that may see everything. A service answering a user must use `search_filtered`.
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        self.search_filtered(query, |_| true)
    }

    /// The best `query.limit` matches among those `allow` accepts, best first (score, then id).
    ///
    /// `allow` stands for the access policy: a rejected hit takes no place in the limit and
    /// changes no other hit's score, so what is hidden can neither crowd out nor be inferred
    /// from what is shown. It is asked only about matches that could still make the results,
    /// so it may be called fewer times than there are matches.
    pub fn search_filtered(&self, query: &Query, mut allow: impl FnMut(&Hit) -> bool) -> Vec<Hit> {
        if query.limit == 0 {
            return Vec::new();
        }
        let Some(plan) = self.plan(&query.text) else {
            return Vec::new();
        };
        let matches = self.accumulate(&plan);
        let mut top = TopK::new(query.limit);
        let mut consider = |slot: Slot| {
            let Some(score) = matches.score(slot, &self.hot) else {
                return;
            };
            if !top.might_take(score) {
                return;
            }
            let Some(SlotState::Live(doc)) = self.slots.get(slot as usize) else {
                return;
            };
            let hit = Hit {
                id: doc.id,
                client: doc.client,
                kind: doc.kind,
                author: doc.author,
                score,
            };
            if top.would_take(&hit) && allow(&hit) {
                top.push(hit);
            }
        };
        match &matches.listed {
            Some(candidates) => candidates.iter().for_each(|&slot| consider(slot)),
            None => (0..matches.counts.len())
                .filter_map(|n| Slot::try_from(n).ok())
                .for_each(consider),
        }
        top.into_sorted()
    }

    /// Runs the plan's terms over their posting lists into per-slot scores and match counts.
    fn accumulate(&self, plan: &Plan) -> Matches {
        let n = self.slots.len();
        let mut scores = vec![0f32; n];
        let mut counts = vec![0u32; n];
        let prefix_postings: usize = plan
            .prefix
            .iter()
            .filter_map(|(id, _)| self.terms.get(*id as usize))
            .map(|t| t.slots.len())
            .sum();
        let mut listed = (prefix_postings < n / SPARSE).then(Vec::new);
        // Every match has a completion of the prefix, so its pass finds all candidates.
        for &(id, factor) in &plan.prefix {
            for (slot, tf) in self.postings(id) {
                let s = slot as usize;
                let (Some(score), Some(count), Some(hot)) =
                    (scores.get_mut(s), counts.get_mut(s), self.hot.get(s))
                else {
                    continue;
                };
                let w = tf_weight(tf, hot.norm) * factor;
                if *count == 0 {
                    *count = 1;
                    *score = w;
                    if let Some(list) = listed.as_mut() {
                        list.push(slot);
                    }
                } else if w > *score {
                    *score = w;
                }
            }
        }
        let mut round = 1u32;
        for &id in &plan.exact {
            for (slot, tf) in self.postings(id) {
                let s = slot as usize;
                let (Some(score), Some(count), Some(hot)) =
                    (scores.get_mut(s), counts.get_mut(s), self.hot.get(s))
                else {
                    continue;
                };
                if *count == round {
                    *count = round + 1;
                    *score += tf_weight(tf, hot.norm);
                }
            }
            round += 1;
        }
        Matches {
            scores,
            counts,
            need: round,
            listed,
        }
    }

    fn postings(&self, id: TermId) -> impl Iterator<Item = (Slot, u16)> + '_ {
        self.terms
            .get(id as usize)
            .into_iter()
            .flat_map(|t| t.slots.iter().copied().zip(t.tfs.iter().copied()))
    }

    /// Sizes of the index; counts only.
    pub fn stats(&self) -> IndexStats {
        let postings = self.terms.iter().map(|t| t.slots.len()).sum();
        IndexStats {
            docs: self.ids.len(),
            terms: self.dictionary.len(),
            postings,
            tombstones: self.dead,
            approx_bytes: self.approx_bytes(),
        }
    }

    fn approx_bytes(&self) -> usize {
        // Map entries: key, value and about two words of node or table overhead each.
        let map_overhead = 2 * mem::size_of::<usize>();
        let term_bytes: usize = self
            .terms
            .iter()
            .map(|t| {
                2 * t.text.len()
                    + t.slots.capacity() * mem::size_of::<Slot>()
                    + t.tfs.capacity() * mem::size_of::<u16>()
                    + mem::size_of::<(Box<str>, TermId)>()
                    + map_overhead
            })
            .sum();
        let doc_bytes: usize = self
            .slots
            .iter()
            .map(|s| match s {
                SlotState::Live(d) => d.terms.len() * mem::size_of::<TermId>(),
                SlotState::Dead | SlotState::Free => 0,
            })
            .sum();
        term_bytes
            + doc_bytes
            + self.terms.capacity() * mem::size_of::<TermInfo>()
            + self.slots.capacity() * mem::size_of::<SlotState>()
            + self.hot.capacity() * mem::size_of::<Hot>()
            + self.ids.capacity() * (mem::size_of::<(DocId, Slot)>() + 1)
            + self.by_client.len() * (mem::size_of::<(ClientId, Vec<Slot>)>() + map_overhead)
            + self.ids.len() * mem::size_of::<Slot>()
    }

    /// The id of `term`, adding it to the dictionary if new; `None` only when ids run out.
    fn intern(&mut self, term: &str) -> Option<TermId> {
        if let Some(&id) = self.dictionary.get(term) {
            return Some(id);
        }
        let id = match self.free_terms.pop() {
            Some(id) => id,
            None => {
                let id = TermId::try_from(self.terms.len()).ok()?;
                self.terms.push(TermInfo::default());
                id
            }
        };
        if let Some(info) = self.terms.get_mut(id as usize) {
            info.text = term.into();
        }
        self.dictionary.insert(term.into(), id);
        Some(id)
    }

    /// Gives up one document's use of a term; the last use takes the term out, text wiped.
    fn release_term(&mut self, id: TermId) {
        let Some(info) = self.terms.get_mut(id as usize) else {
            return;
        };
        info.df = info.df.saturating_sub(1);
        if info.df > 0 {
            return;
        }
        if let Some((mut key, _)) = self.dictionary.remove_entry(&*info.text) {
            key.zeroize();
        }
        info.text.zeroize();
        info.text = Box::default();
        // Its posting list holds only tombstones now; a reused id starts empty.
        info.slots = Vec::new();
        info.tfs = Vec::new();
        self.free_terms.push(id);
    }

    fn allocate_slot(&mut self) -> Option<Slot> {
        if let Some(slot) = self.free_slots.pop() {
            return Some(slot);
        }
        let slot = Slot::try_from(self.slots.len()).ok()?;
        self.slots.push(SlotState::Free);
        self.hot.push(Hot::default());
        Some(slot)
    }

    /// Turns a live slot into a tombstone and releases its terms; the caller updates `ids` and
    /// `by_client`.
    fn kill(&mut self, slot: Slot) -> Option<DocMeta> {
        let state = self.slots.get_mut(slot as usize)?;
        let SlotState::Live(meta) = mem::replace(state, SlotState::Dead) else {
            return None;
        };
        if let Some(hot) = self.hot.get_mut(slot as usize) {
            *hot = Hot::default();
        }
        self.dead += 1;
        for &term in meta.terms.iter() {
            self.release_term(term);
        }
        Some(meta)
    }

    fn maybe_sweep(&mut self) {
        if self.dead >= MIN_DEAD_BEFORE_SWEEP.max(self.ids.len() / SWEEP_FRACTION) {
            self.sweep();
        }
    }

    /// Drops tombstones from every posting list, then frees their slots for reuse.
    fn sweep(&mut self) {
        // Only live slots have a boost; the dense array keeps this pass in cache.
        let hot = &self.hot;
        let live = |s: Slot| hot.get(s as usize).is_some_and(|h| h.boost > 0.0);
        for info in &mut self.terms {
            let mut kept = 0;
            for at in 0..info.slots.len() {
                if let (Some(&slot), Some(&tf)) = (info.slots.get(at), info.tfs.get(at)) {
                    if live(slot) {
                        info.slots[kept] = slot;
                        info.tfs[kept] = tf;
                        kept += 1;
                    }
                }
            }
            info.slots.truncate(kept);
            info.tfs.truncate(kept);
            if info.slots.capacity() > 2 * kept + 16 {
                info.slots.shrink_to_fit();
                info.tfs.shrink_to_fit();
            }
        }
        for (n, state) in self.slots.iter_mut().enumerate() {
            if matches!(state, SlotState::Dead) {
                *state = SlotState::Free;
                if let Ok(slot) = Slot::try_from(n) {
                    self.free_slots.push(slot);
                }
            }
        }
        self.dead = 0;
    }

    /// Looks the query's terms up; `None` when it cannot match anything.
    fn plan(&self, text: &str) -> Option<Plan> {
        let mut words = tokens::terms(text);
        let plan = self.plan_words(&words);
        words.iter_mut().for_each(Zeroize::zeroize);
        plan
    }

    fn plan_words(&self, words: &[String]) -> Option<Plan> {
        let (last, rest) = words.split_last()?;
        let mut exact: Vec<&str> = rest.iter().map(String::as_str).collect();
        exact.sort_unstable();
        exact.dedup();
        let exact = exact
            .into_iter()
            .map(|word| self.dictionary.get(word).copied())
            .collect::<Option<Vec<TermId>>>()?;
        let prefix: Vec<(TermId, f32)> = self
            .dictionary
            .range::<str, _>((Bound::Included(last.as_str()), Bound::Unbounded))
            .take_while(|(term, _)| term.starts_with(last.as_str()))
            .map(|(term, &id)| {
                let whole = **term == **last;
                (id, if whole { 1.0 } else { COMPLETION_WEIGHT })
            })
            .collect();
        if prefix.is_empty() {
            return None;
        }
        Some(Plan { exact, prefix })
    }
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stats = self.stats();
        f.debug_struct("SearchIndex")
            .field("docs", &stats.docs)
            .field("terms", &stats.terms)
            .field("postings", &stats.postings)
            .field("tombstones", &stats.tombstones)
            .finish_non_exhaustive()
    }
}

impl Drop for SearchIndex {
    fn drop(&mut self) {
        for (mut term, _) in mem::take(&mut self.dictionary) {
            term.zeroize();
        }
        for info in &mut self.terms {
            info.text.zeroize();
        }
    }
}

/// A query resolved against the dictionary: a document must hold every `exact` term and one
/// of the `prefix` completions (each with its weight factor).
struct Plan {
    exact: Vec<TermId>,
    prefix: Vec<(TermId, f32)>,
}

/// Per-slot results of one query's posting-list passes.
struct Matches {
    scores: Vec<f32>,
    /// How many of the query's terms (prefix first) each slot matched, in order.
    counts: Vec<u32>,
    /// The count of a slot that matched every term.
    need: u32,
    /// The candidate slots, when few enough to list.
    listed: Option<Vec<Slot>>,
}

impl Matches {
    /// The final score of a live slot that matched every term.
    fn score(&self, slot: Slot, hot: &[Hot]) -> Option<f32> {
        let s = slot as usize;
        let boost = hot.get(s)?.boost;
        if self.counts.get(s) != Some(&self.need) || boost == 0.0 {
            return None;
        }
        Some(self.scores.get(s)? * boost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NoteId;

    fn note(client: ClientId, text: &str) -> Doc {
        Doc {
            id: DocId::Note(NoteId::random()),
            client,
            kind: DocKind::ProgressNote,
            author: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn a_word_leaves_the_dictionary_with_its_last_document() {
        let mut index = SearchIndex::new();
        let client = ClientId::random();
        let first = note(client, "shared uniqueword");
        let first_id = first.id;
        index.insert_or_replace(first);
        index.insert_or_replace(note(client, "shared other"));
        assert!(index.dictionary.contains_key("uniqueword"));

        assert!(index.remove(first_id));
        assert!(!index.dictionary.contains_key("uniqueword"));
        assert!(index.terms.iter().all(|t| &*t.text != "uniqueword"));
        assert!(index.dictionary.contains_key("shared"));
        assert_eq!(index.stats().terms, 2);
    }

    #[test]
    fn swept_slots_are_reused_without_stale_matches() {
        let mut index = SearchIndex::new();
        let client = ClientId::random();
        index.insert_or_replace(note(client, "common keeper"));
        let ids: Vec<DocId> = (0..100)
            .map(|_| {
                let doc = note(client, "common alpha");
                let id = doc.id;
                index.insert_or_replace(doc);
                id
            })
            .collect();
        for id in ids {
            index.remove(id);
        }
        // The cleanup ran: the shared word's posting list lost most of its tombstones.
        assert!(index.dead < MIN_DEAD_BEFORE_SWEEP);
        assert!(index.stats().postings < 40);
        let slots_before = index.slots.len();
        for _ in 0..50 {
            index.insert_or_replace(note(client, "beta"));
        }
        assert_eq!(index.slots.len(), slots_before, "freed slots are reused");

        let count = |text: &str| index.search(&Query::new(text, 1000)).len();
        assert_eq!(count("alpha"), 0);
        assert_eq!(count("beta"), 50);
        assert_eq!(
            count("common"),
            1,
            "a reused slot must not inherit old words"
        );
        assert_eq!(count("keeper"), 1);
    }

    #[test]
    fn a_prefix_scores_the_best_completion_in_each_document() {
        let mut index = SearchIndex::new();
        index.insert_or_replace(note(ClientId::random(), "anxiety anxiety anxiety anxious"));
        let hits = index.search(&Query::new("anx", 10));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].score, tf_weight(3, norm(4)) * COMPLETION_WEIGHT);
    }

    #[test]
    fn ties_go_to_the_smaller_id_whatever_the_insertion_order() {
        let mut index = SearchIndex::new();
        let client = ClientId::random();
        for n in (1..=10u128).rev() {
            let mut doc = note(client, "calm");
            doc.id = DocId::Note(NoteId::from_uuid(uuid::Uuid::from_u128(n)));
            index.insert_or_replace(doc);
        }
        let hits = index.search(&Query::new("calm", 3));
        let expected: Vec<DocId> = (1..=3u128)
            .map(|n| DocId::Note(NoteId::from_uuid(uuid::Uuid::from_u128(n))))
            .collect();
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_prefix_with_many_completions_matches_each_of_them() {
        let mut index = SearchIndex::new();
        let client = ClientId::random();
        let words: Vec<String> = (0..40).map(|n| format!("worry{n:02}")).collect();
        for word in &words {
            index.insert_or_replace(note(client, word));
        }
        let plan = index.plan("wor");
        assert_eq!(plan.map(|p| p.prefix.len()), Some(40));
        assert_eq!(index.search(&Query::new("wor", 100)).len(), 40);
        assert_eq!(index.search(&Query::new("worry1", 100)).len(), 10);
    }
}
