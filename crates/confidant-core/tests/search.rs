//! The in-memory search index through its public API: matching, removal, ranking, and the
//! policy filter that must hide records without letting them crowd out or colour visible ones.
//! Synthetic people only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use confidant_core::search::{Doc, DocId, DocKind, Hit, Query, SearchIndex};
use confidant_core::{
    ActorId, Client, ClientId, ClientStatus, Note, NoteId, NoteKind, NoteStatus, Template,
};
use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::date;
use uuid::Uuid;

fn client(legal: &str, preferred: Option<&str>) -> Client {
    Client {
        id: ClientId::random(),
        legal_name: legal.to_owned(),
        preferred_name: preferred.map(str::to_owned),
        date_of_birth: date!(1990 - 01 - 01),
        phone: None,
        email: None,
        address: None,
        emergency_contact: None,
        created_at: OffsetDateTime::UNIX_EPOCH,
        status: ClientStatus::Active,
        discharged_at: None,
    }
}

fn note(client: ClientId, kind: NoteKind, body: &str) -> Note {
    Note {
        id: NoteId::random(),
        client_id: client,
        kind,
        template: Template::Free,
        sections: BTreeMap::from([("body".to_owned(), body.to_owned())]),
        body: body.to_owned(),
        status: NoteStatus::Draft,
        version: 1,
        author: ActorId::random(),
        created_at: OffsetDateTime::UNIX_EPOCH,
        updated_at: None,
        occurred_at: None,
        late_entry: false,
        addendum_of: None,
        signature: None,
        cosignature: None,
    }
}

fn ids(index: &SearchIndex, text: &str) -> Vec<DocId> {
    index
        .search(&Query::new(text, 100))
        .into_iter()
        .map(|h| h.id)
        .collect()
}

/// Two clients with names and a note each.
struct Practice {
    index: SearchIndex,
    zoe: Client,
    sam: Client,
    zoe_note: Note,
    sam_note: Note,
}

fn practice() -> Practice {
    let zoe = client("Zoë Ångström-Müller", Some("Zo"));
    let sam = client("Samuel Okafor", Some("Sam"));
    let zoe_note = note(
        zoe.id,
        NoteKind::Progress,
        "Sleep improved; worry about work.",
    );
    let sam_note = note(
        sam.id,
        NoteKind::Progress,
        "Discussed work stress and sleep.",
    );
    let mut index = SearchIndex::new();
    index.insert_or_replace(Doc::client_name(&zoe));
    index.insert_or_replace(Doc::client_name(&sam));
    index.insert_or_replace(Doc::note(&zoe_note, None));
    index.insert_or_replace(Doc::note(&sam_note, None));
    Practice {
        index,
        zoe,
        sam,
        zoe_note,
        sam_note,
    }
}

#[test]
fn finds_a_client_by_any_part_of_the_name_ignoring_case_and_accents() {
    let p = practice();
    let zoe = vec![DocId::Client(p.zoe.id)];
    assert_eq!(ids(&p.index, "zoe"), zoe);
    assert_eq!(ids(&p.index, "ZOË"), zoe);
    assert_eq!(ids(&p.index, "angstrom"), zoe);
    assert_eq!(ids(&p.index, "Müller"), zoe);
    assert_eq!(ids(&p.index, "mueller"), Vec::<DocId>::new());
    assert_eq!(
        ids(&p.index, "okafor samuel"),
        vec![DocId::Client(p.sam.id)]
    );
    assert_eq!(ids(&p.index, "Sam"), vec![DocId::Client(p.sam.id)]);
}

#[test]
fn the_last_term_matches_as_a_prefix_and_earlier_terms_only_whole() {
    let p = practice();
    assert_eq!(ids(&p.index, "okafor sa"), vec![DocId::Client(p.sam.id)]);
    assert_eq!(ids(&p.index, "ångs"), vec![DocId::Client(p.zoe.id)]);
    // "sa" is not the last term here, so it must be a whole word, and it is not one.
    assert!(ids(&p.index, "sa okafor").is_empty());
}

#[test]
fn every_query_term_must_match() {
    let p = practice();
    assert_eq!(ids(&p.index, "worry sleep").len(), 1);
    assert_eq!(ids(&p.index, "work sleep").len(), 2);
    assert!(ids(&p.index, "samuel sleep").is_empty());
    assert!(ids(&p.index, "work nonexistent").is_empty());
}

#[test]
fn an_empty_or_too_short_query_finds_nothing() {
    let p = practice();
    assert!(ids(&p.index, "").is_empty());
    assert!(ids(&p.index, "  ,.;  ").is_empty());
    assert!(ids(&p.index, "s").is_empty());
    assert!(p.index.search(&Query::new("sleep", 0)).is_empty());
}

#[test]
fn names_rank_above_notes_that_mention_the_name() {
    let mut p = practice();
    let mention = note(
        p.sam.id,
        NoteKind::Progress,
        "Okafor Okafor okafor, said Okafor.",
    );
    p.index.insert_or_replace(Doc::note(&mention, None));
    assert_eq!(
        ids(&p.index, "okafor"),
        vec![DocId::Client(p.sam.id), DocId::Note(mention.id)]
    );
}

#[test]
fn a_typed_whole_word_ranks_above_its_longer_completions() {
    let mut index = SearchIndex::new();
    let client = ClientId::random();
    // Same length, and the completion has the smaller id, so only the ranking can order them.
    let completion = DocId::Note(NoteId::from_uuid(Uuid::from_u128(1)));
    let whole = DocId::Note(NoteId::from_uuid(Uuid::from_u128(2)));
    for (id, text) in [(completion, "annabel"), (whole, "anna")] {
        index.insert_or_replace(Doc {
            id,
            client,
            kind: DocKind::ProgressNote,
            author: None,
            text: text.to_owned(),
        });
    }
    assert_eq!(ids(&index, "anna"), vec![whole, completion]);
}

#[test]
fn results_are_ordered_by_score_then_id() {
    let mut index = SearchIndex::new();
    let client = ClientId::random();
    for _ in 0..20 {
        index.insert_or_replace(Doc::note(&note(client, NoteKind::Progress, "calm"), None));
    }
    index.insert_or_replace(Doc::note(
        &note(client, NoteKind::Progress, "calm calm calm"),
        None,
    ));
    let hits = index.search(&Query::new("calm", 100));
    assert_eq!(hits.len(), 21);
    assert!(hits[0].score > hits[1].score);
    for pair in hits.windows(2) {
        assert!(
            pair[0].score > pair[1].score
                || (pair[0].score == pair[1].score && pair[0].id < pair[1].id)
        );
    }
}

#[test]
fn a_removed_document_is_no_longer_found() {
    let mut p = practice();
    assert!(p.index.remove(DocId::Note(p.zoe_note.id)));
    assert!(!p.index.remove(DocId::Note(p.zoe_note.id)));
    assert!(ids(&p.index, "worry").is_empty());
    assert_eq!(ids(&p.index, "sleep"), vec![DocId::Note(p.sam_note.id)]);
    assert_eq!(p.index.len(), 3);
}

#[test]
fn a_replaced_document_is_found_by_its_new_text_only() {
    let mut p = practice();
    let mut edited = p.zoe_note.clone();
    edited.body = "Grief after a bereavement.".to_owned();
    p.index.insert_or_replace(Doc::note(&edited, None));
    assert!(ids(&p.index, "worry").is_empty());
    assert_eq!(ids(&p.index, "sleep"), vec![DocId::Note(p.sam_note.id)]);
    assert_eq!(ids(&p.index, "bereave"), vec![DocId::Note(edited.id)]);
    assert_eq!(p.index.len(), 4);

    let mut renamed = p.zoe.clone();
    renamed.legal_name = "Zoë Lindqvist".to_owned();
    renamed.preferred_name = None;
    p.index.insert_or_replace(Doc::client_name(&renamed));
    assert!(ids(&p.index, "angstrom").is_empty());
    assert!(ids(&p.index, "muller").is_empty());
    assert_eq!(ids(&p.index, "lindq"), vec![DocId::Client(p.zoe.id)]);
}

#[test]
fn removing_a_client_removes_their_name_and_all_their_notes() {
    let mut p = practice();
    let therapy = note(p.zoe.id, NoteKind::Psychotherapy, "Dream about the sea.");
    p.index
        .insert_or_replace(Doc::note(&therapy, Some(ActorId::random())));
    let terms_before = p.index.stats().terms;

    assert_eq!(p.index.remove_client(p.zoe.id), 3);
    assert_eq!(p.index.remove_client(p.zoe.id), 0);
    assert!(ids(&p.index, "zoe").is_empty());
    assert!(ids(&p.index, "worry").is_empty());
    assert!(ids(&p.index, "dream").is_empty());
    assert_eq!(ids(&p.index, "sleep"), vec![DocId::Note(p.sam_note.id)]);
    assert_eq!(p.index.len(), 2);
    // Words only Zoë's records used are gone from memory, not merely unreachable.
    assert!(p.index.stats().terms < terms_before);
    assert!(!format!("{:?}", p.index).is_empty());
}

#[test]
fn hidden_records_neither_take_places_in_the_limit_nor_change_visible_scores() {
    let visible_client = ClientId::random();
    let hidden_client = ClientId::random();
    let visible: Vec<Note> = (0..5)
        .map(|n| {
            note(
                visible_client,
                NoteKind::Progress,
                &format!("panic episode {n}"),
            )
        })
        .collect();

    let mut only_visible = SearchIndex::new();
    let mut everything = SearchIndex::new();
    for v in &visible {
        only_visible.insert_or_replace(Doc::note(v, None));
        everything.insert_or_replace(Doc::note(v, None));
    }
    // Hidden notes that match better (more occurrences) and add many documents, so any
    // corpus statistic or a limit applied before the filter would show.
    for _ in 0..200 {
        let hidden = note(
            hidden_client,
            NoteKind::Progress,
            "panic panic panicky episode",
        );
        everything.insert_or_replace(Doc::note(&hidden, None));
    }

    for text in ["panic", "panic episode", "episode pan", "pa"] {
        let query = Query::new(text, 3);
        let filtered = everything.search_filtered(&query, |h| h.client == visible_client);
        let plain = only_visible.search(&query);
        assert_eq!(filtered.len(), 3, "{text}");
        assert_eq!(filtered, plain, "{text}");
    }
}

#[test]
fn the_filter_sees_the_record_class_and_author_of_each_hit() {
    let mut index = SearchIndex::new();
    let client = ClientId::random();
    let me = ActorId::random();
    let colleague = ActorId::random();
    let mine = note(client, NoteKind::Psychotherapy, "transference");
    let theirs = note(client, NoteKind::Psychotherapy, "transference");
    let progress = note(client, NoteKind::Progress, "transference");
    index.insert_or_replace(Doc::note(&mine, Some(me)));
    index.insert_or_replace(Doc::note(&theirs, Some(colleague)));
    index.insert_or_replace(Doc::note(&progress, Some(colleague)));

    let hits = index.search_filtered(&Query::new("transference", 10), |h| {
        h.kind != DocKind::PsychotherapyNote || h.author == Some(me)
    });
    let found: BTreeSet<DocId> = hits.iter().map(|h| h.id).collect();
    let expected = BTreeSet::from([DocId::Note(mine.id), DocId::Note(progress.id)]);
    assert_eq!(found, expected);
}

#[test]
fn debug_output_never_contains_indexed_words() {
    let p = practice();
    let printed = format!(
        "{:?} {:?} {:?} {:?}",
        p.index,
        Doc::client_name(&p.zoe),
        Query::new("Okafor", 5),
        p.index.search(&Query::new("okafor", 5)),
    );
    for word in [
        "zo",
        "ångström",
        "angstrom",
        "müller",
        "muller",
        "okafor",
        "samuel",
        "sleep",
        "worry",
    ] {
        assert!(
            !printed.to_lowercase().contains(word),
            "{word} in {printed}"
        );
    }
    assert!(printed.contains("docs: 4"), "{printed}");
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}

// ---- Property: the filtered search agrees with a naive scan ------------------------------

/// Words as written, and as the index must understand them.
const WORDS: [(&str, &str); 12] = [
    ("Anna", "anna"),
    ("ANNABEL", "annabel"),
    ("Zoë", "zoe"),
    ("zoey", "zoey"),
    ("José", "jose"),
    ("anxiety", "anxiety"),
    ("Anxious", "anxious"),
    ("sleep", "sleep"),
    ("Sleepless", "sleepless"),
    ("work", "work"),
    ("worry", "worry"),
    ("Søren", "soren"),
];
const SEPARATORS: [&str; 4] = [" ", ", ", "-", ".\n"];
const CLIENTS: usize = 4;
const KINDS: [DocKind; 3] = [
    DocKind::ClientName,
    DocKind::ProgressNote,
    DocKind::PsychotherapyNote,
];
/// Index 0 is "no author".
const AUTHORS: usize = 3;

#[derive(Debug, Clone)]
struct Spec {
    client: usize,
    kind: usize,
    author: usize,
    words: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
enum Op {
    Replace {
        doc: usize,
        words: Vec<(usize, usize)>,
    },
    Remove {
        doc: usize,
    },
    RemoveClient {
        client: usize,
    },
}

fn words() -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((0..WORDS.len(), 0..SEPARATORS.len()), 0..8)
}

fn spec() -> impl Strategy<Value = Spec> {
    (0..CLIENTS, 0..KINDS.len(), 0..AUTHORS, words()).prop_map(|(client, kind, author, words)| {
        Spec {
            client,
            kind,
            author,
            words,
        }
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..64usize, words()).prop_map(|(doc, words)| Op::Replace { doc, words }),
        4 => (0..64usize).prop_map(|doc| Op::Remove { doc }),
        1 => (0..CLIENTS).prop_map(|client| Op::RemoveClient { client }),
    ]
}

fn client_id(n: usize) -> ClientId {
    ClientId::from_uuid(Uuid::from_u128(1 + n as u128))
}

fn author_id(n: usize) -> Option<ActorId> {
    (n > 0).then(|| ActorId::from_uuid(Uuid::from_u128(100 + n as u128)))
}

fn text(words: &[(usize, usize)]) -> String {
    words
        .iter()
        .map(|&(w, s)| format!("{}{}", WORDS[w].0, SEPARATORS[s]))
        .collect()
}

/// The oracle's view of one document.
#[derive(Clone)]
struct Model {
    client: usize,
    kind: usize,
    author: usize,
    text: String,
    terms: BTreeSet<&'static str>,
}

impl Model {
    fn doc(&self, id: DocId) -> Doc {
        Doc {
            id,
            client: client_id(self.client),
            kind: KINDS[self.kind],
            author: author_id(self.author),
            text: self.text.clone(),
        }
    }
}

fn model(spec: &Spec, words: &[(usize, usize)]) -> Model {
    Model {
        client: spec.client,
        kind: spec.kind,
        author: spec.author,
        text: text(words),
        terms: words.iter().map(|&(w, _)| WORDS[w].1).collect(),
    }
}

fn doc_id(n: usize, spec: &Spec) -> DocId {
    if spec.kind == 0 {
        DocId::Client(client_id(spec.client))
    } else {
        // Scrambled, so that ids do not follow insertion order and ties exercise the ranking.
        let scrambled = (n as u128 * 0x9E37_79B9_7F4A_7C15) % 1_000_003;
        DocId::Note(NoteId::from_uuid(Uuid::from_u128(1000 + scrambled)))
    }
}

fn visible_slot(client: usize, kind: usize, author: usize) -> usize {
    (client * KINDS.len() + kind) * AUTHORS + author
}

fn is_sorted_best_first(hits: &[Hit]) -> bool {
    hits.windows(2)
        .all(|w| w[0].score > w[1].score || (w[0].score == w[1].score && w[0].id < w[1].id))
}

proptest! {
    #[test]
    fn filtered_search_returns_exactly_the_allowed_matches_up_to_the_limit(
        specs in prop::collection::vec(spec(), 1..40),
        ops in prop::collection::vec(op(), 0..40),
        visible in prop::collection::vec(any::<bool>(), CLIENTS * KINDS.len() * AUTHORS),
        query_words in prop::collection::vec(0..WORDS.len(), 1..=3),
        cut in prop::option::of(2..6usize),
        limit in 0..8usize,
    ) {
        let mut index = SearchIndex::new();
        let mut oracle: BTreeMap<DocId, Model> = BTreeMap::new();
        let mut known: Vec<(DocId, Spec)> = Vec::new();
        for (n, spec) in specs.iter().enumerate() {
            let id = doc_id(n, spec);
            let m = model(spec, &spec.words);
            index.insert_or_replace(m.doc(id));
            oracle.insert(id, m);
            known.push((id, spec.clone()));
        }
        for op in &ops {
            match op {
                Op::Replace { doc, words } => {
                    let (id, spec) = &known[doc % known.len()];
                    let m = model(spec, words);
                    index.insert_or_replace(m.doc(*id));
                    oracle.insert(*id, m);
                }
                Op::Remove { doc } => {
                    let id = known[doc % known.len()].0;
                    prop_assert_eq!(index.remove(id), oracle.remove(&id).is_some());
                }
                Op::RemoveClient { client } => {
                    let before = oracle.len();
                    oracle.retain(|_, m| m.client != *client);
                    prop_assert_eq!(index.remove_client(client_id(*client)), before - oracle.len());
                }
            }
        }
        prop_assert_eq!(index.len(), oracle.len());

        // The query: words as written, the last one possibly cut to a prefix of its term.
        let (last, rest) = query_words.split_last().unwrap();
        let last_term = match cut {
            Some(n) => &WORDS[*last].1[..n.min(WORDS[*last].1.len())],
            None => WORDS[*last].1,
        };
        let mut query_text: Vec<&str> = rest.iter().map(|&w| WORDS[w].0).collect();
        query_text.push(if cut.is_some() { last_term } else { WORDS[*last].0 });
        let query_text = query_text.join(" ");

        let allowed = |client: usize, kind: usize, author: usize| {
            visible[visible_slot(client, kind, author)]
        };
        let expected: BTreeSet<DocId> = oracle
            .iter()
            .filter(|(_, m)| allowed(m.client, m.kind, m.author))
            .filter(|(_, m)| {
                rest.iter().all(|&w| m.terms.contains(WORDS[w].1))
                    && m.terms.iter().any(|t| t.starts_with(last_term))
            })
            .map(|(id, _)| *id)
            .collect();
        let index_of = |c: ClientId| (0..CLIENTS).find(|&n| client_id(n) == c).unwrap();
        let author_index = |a: Option<ActorId>| (0..AUTHORS).find(|&n| author_id(n) == a).unwrap();
        let kind_index = |k: DocKind| KINDS.iter().position(|&x| x == k).unwrap();
        let filter = |h: &Hit| allowed(index_of(h.client), kind_index(h.kind), author_index(h.author));

        let hits = index.search_filtered(&Query::new(query_text.clone(), limit), filter);
        prop_assert_eq!(hits.len(), limit.min(expected.len()));
        for hit in &hits {
            prop_assert!(filter(hit), "a hidden record was returned");
            prop_assert!(expected.contains(&hit.id), "a non-matching record was returned");
            let m = &oracle[&hit.id];
            prop_assert_eq!(hit.client, client_id(m.client));
            prop_assert_eq!(hit.kind, KINDS[m.kind]);
            prop_assert_eq!(hit.author, author_id(m.author));
        }

        // Without a limit, every allowed match comes back, ranked; the limited answer is its head.
        let all = index.search_filtered(&Query::new(query_text.clone(), usize::MAX), filter);
        prop_assert_eq!(all.iter().map(|h| h.id).collect::<BTreeSet<_>>(), expected.clone());
        prop_assert!(is_sorted_best_first(&all));
        prop_assert_eq!(&hits[..], &all[..hits.len()]);

        // Hidden records change nothing: an index of the visible records alone agrees exactly.
        let mut visible_only = SearchIndex::new();
        for (id, m) in oracle.iter().filter(|(_, m)| allowed(m.client, m.kind, m.author)) {
            visible_only.insert_or_replace(m.doc(*id));
        }
        prop_assert_eq!(visible_only.search(&Query::new(query_text, limit)), hits);
    }
}
