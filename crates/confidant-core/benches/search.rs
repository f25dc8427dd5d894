//! Search index figures at practice scale: build time for 10,000 clients and 200,000 notes,
//! then latency of 2,000 type-ahead queries filtered as a clinician's policy would (about 10%
//! of clients visible), the cost of updates, and the index's memory. Then the same practice in
//! a real SQLite store, written through the services (sealed, audited): the time to unseal it,
//! which reads, decrypts and indexes every record, and the latency of searches through the
//! access policy, each audited. Every name and note is generated from small built-in word
//! lists: fictional, never real data.
//! Run with `cargo bench -p confidant-core --bench search`.

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use confidant_core::auth::password::StaffPassword;
use confidant_core::ports::SystemClock;
use confidant_core::search::{Doc, DocId, DocKind, Hit, Query, SearchIndex};
use confidant_core::staff::{INVITATION_TTL, NewStaff};
use confidant_core::{
    Access, Actor, ActorId, ClientId, ClientInput, Credential, NoteId, NoteInput, NoteKind,
    Purpose, StaffRole, Vault,
};
use confidant_crypto::{KeyFileSecret, UnsealSecret};
use confidant_store::SqliteStore;

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

const CLIENTS: usize = 10_000;
const NOTES: usize = 200_000;
const CLINICIANS: usize = 200;
const QUERIES: usize = 2_000;
const LIMIT: usize = 20;

const SYLLABLES: [&str; 32] = [
    "an", "bel", "cor", "da", "el", "fi", "ga", "hel", "is", "jo", "ka", "li", "ma", "no", "or",
    "pe", "ra", "si", "ta", "vi", "wen", "ya", "zo", "lé", "mü", "sø", "ber", "quin", "tor", "ul",
    "ness", "dri",
];
const SURNAME_ENDINGS: [&str; 8] = ["son", "ez", "berg", "ski", "ford", "ari", "ström", "ton"];

const VOCABULARY: &str = "session client reported feeling anxious anxiety depressed depression \
    mood sleep sleeping insomnia appetite energy motivation stress stressful work job family \
    partner relationship conflict argument support supportive friends social isolation lonely \
    grief loss bereavement trauma memory memories flashback nightmare panic attack breathing \
    exercise homework practice mindfulness meditation grounding technique coping strategy skills \
    cognitive behavioral thoughts thought record distortion catastrophizing rumination worry \
    worries avoidance exposure hierarchy values goals progress plan treatment review assessment \
    score questionnaire medication prescriber referral psychiatrist doctor school children \
    parenting boundaries assertive communication anger irritability frustration guilt shame \
    self esteem confidence identity body image eating alcohol drinking substance cravings \
    relapse prevention safety risk harm ideation denied protective factors crisis line \
    discussed explored processed validated reflected encouraged agreed scheduled next week \
    weeks month follow up improvement improved worsened stable calm tearful engaged \
    distracted tired fatigue pain chronic illness health appointment missed cancelled late \
    insight motivation ambivalence change readiness journaling gratitude routine morning \
    evening weekend holiday travel move housing finances money debt unemployment career \
    studies exam deadline pressure perfectionism procrastination overwhelmed burnout rest \
    relaxation hobby music walking nature dog cat sibling mother father grandmother divorce \
    separation custody wedding pregnancy baby newborn postpartum attachment early childhood";

/// SplitMix64: a small deterministic generator, so every run indexes the same synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// Skewed towards the front of a list of `n`, as word use is.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * n as f64) as usize).min(n - 1)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A word of `min` to `max` syllables.
fn made_up_word(rng: &mut Rng, min: usize, max: usize) -> String {
    let syllables = min + rng.below(max - min + 1);
    (0..syllables).map(|_| rng.pick(&SYLLABLES)).collect()
}

struct Person {
    id: ClientId,
    first: String,
    last: String,
}

fn people(rng: &mut Rng) -> (Vec<Person>, Vec<Doc>) {
    let mut people = Vec::with_capacity(CLIENTS);
    let mut docs = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let first = capitalized(&made_up_word(rng, 2, 3));
        let last = capitalized(&format!(
            "{}{}",
            made_up_word(rng, 1, 2),
            rng.pick(&SURNAME_ENDINGS)
        ));
        let mut text = format!("{first} {last}");
        if rng.chance(30) {
            text.push(' ');
            text.push_str(&capitalized(&made_up_word(rng, 2, 2)));
        }
        let id = ClientId::random();
        docs.push(Doc {
            id: DocId::Client(id),
            client: id,
            kind: DocKind::ClientName,
            author: None,
            text,
        });
        people.push(Person { id, first, last });
    }
    (people, docs)
}

fn note_text(rng: &mut Rng, words: &[&str], person: &Person) -> String {
    let count = 60 + rng.below(61);
    let mut text = String::with_capacity(count * 9);
    for n in 0..count {
        if n % 12 == 0 && n > 0 {
            text.push_str(". ");
        } else if n > 0 {
            text.push(' ');
        }
        if rng.chance(2) {
            text.push_str(&person.first);
        } else {
            text.push_str(words[rng.skewed(words.len())]);
        }
    }
    text
}

fn notes(rng: &mut Rng, people: &[Person], clinicians: &[ActorId], words: &[&str]) -> Vec<Doc> {
    (0..NOTES)
        .map(|_| {
            let person = &people[rng.below(people.len())];
            let kind = if rng.chance(10) {
                DocKind::PsychotherapyNote
            } else {
                DocKind::ProgressNote
            };
            Doc {
                id: DocId::Note(NoteId::random()),
                client: person.id,
                kind,
                author: Some(clinicians[rng.below(clinicians.len())]),
                text: note_text(rng, words, person),
            }
        })
        .collect()
}

/// A prefix of at least two characters, as someone still typing.
fn typing(word: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = word.chars().collect();
    let keep = 2 + rng.below(chars.len().saturating_sub(1).max(1));
    chars.into_iter().take(keep).collect()
}

fn query_text(rng: &mut Rng, people: &[Person], words: &[&str]) -> String {
    let person = &people[rng.below(people.len())];
    let word = |rng: &mut Rng| words[rng.below(words.len())].to_owned();
    match rng.below(6) {
        0 => typing(&person.first, rng),
        1 => format!("{} {}", person.first, typing(&person.last, rng)),
        2 => word(rng),
        3 => format!("{} {}", word(rng), typing(&word(rng), rng)),
        4 => format!("{} {} {}", word(rng), word(rng), typing(&word(rng), rng)),
        _ => format!("{} {}", person.first, word(rng)),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() -> BenchResult<()> {
    let mut rng = Rng(0x5EED_C0FF_EE00_0001);
    let words: Vec<&str> = VOCABULARY.split_whitespace().collect();
    let clinicians: Vec<ActorId> = (0..CLINICIANS).map(|_| ActorId::random()).collect();
    let (people, names) = people(&mut rng);
    let notes = notes(&mut rng, &people, &clinicians, &words);
    let text_bytes: usize = names.iter().chain(&notes).map(|d| d.text.len()).sum();
    println!(
        "generated {} names and {} notes ({:.0} MB of text, vocabulary {} words)",
        names.len(),
        notes.len(),
        text_bytes as f64 / 1e6,
        words.len()
    );

    // Kept for the real store below.
    let stored: Vec<(ClientId, DocKind, String)> = notes
        .iter()
        .map(|d| (d.client, d.kind, d.text.clone()))
        .collect();

    let start = Instant::now();
    let mut index = SearchIndex::new();
    for doc in names.into_iter().chain(notes) {
        index.insert_or_replace(doc);
    }
    let build = start.elapsed();
    let grown = index.stats().approx_bytes;
    let start = Instant::now();
    index.shrink_to_fit();
    let shrink = start.elapsed();
    let stats = index.stats();
    println!(
        "build {} documents                 {:>10.2} s   (target ≤ 20 s), then shrink {:.2} s",
        stats.docs,
        build.as_secs_f64(),
        shrink.as_secs_f64()
    );
    println!(
        "index: {} terms, {} postings × 6 B (slot u32 + tf u16) = {:.0} MB",
        stats.terms,
        stats.postings,
        (stats.postings * 6) as f64 / 1e6,
    );
    println!(
        "  estimated total {:.0} MB after shrink ({:.0} MB before): postings, per-document term \
         ids (4 B each), slots, maps",
        stats.approx_bytes as f64 / 1e6,
        grown as f64 / 1e6
    );

    // A clinician: about 10% of clients on their care team, and their own psychotherapy notes.
    let me = clinicians[0];
    let mine: HashSet<ClientId> = people
        .iter()
        .filter(|_| rng.chance(10))
        .map(|p| p.id)
        .collect();
    let allow = |hit: &Hit| {
        mine.contains(&hit.client)
            && (hit.kind != DocKind::PsychotherapyNote || hit.author == Some(me))
    };

    let queries: Vec<String> = (0..QUERIES)
        .map(|_| query_text(&mut rng, &people, &words))
        .collect();
    let mut times = Vec::with_capacity(QUERIES);
    let mut returned = 0usize;
    for text in &queries {
        let query = Query::new(text.as_str(), LIMIT);
        let start = Instant::now();
        let hits = index.search_filtered(&query, allow);
        times.push(start.elapsed());
        returned += hits.len();
    }
    times.sort_unstable();
    let mean = times.iter().sum::<Duration>() / QUERIES as u32;
    println!(
        "{QUERIES} filtered queries (limit {LIMIT}, {} of {CLIENTS} clients visible), {:.1} hits each",
        mine.len(),
        returned as f64 / QUERIES as f64
    );
    println!(
        "  latency mean {:.3} ms, p50 {:.3} ms, p99 {:.3} ms (target ≤ 20 ms), max {:.3} ms",
        ms(mean),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(times[times.len() - 1])
    );

    // Writes: replacing an edited note, and crypto-shredding clients.
    let edits = 1_000;
    let start = Instant::now();
    for _ in 0..edits {
        let person = &people[rng.below(people.len())];
        index.insert_or_replace(Doc {
            id: DocId::Note(NoteId::random()),
            client: person.id,
            kind: DocKind::ProgressNote,
            author: Some(me),
            text: note_text(&mut rng, &words, person),
        });
    }
    println!(
        "insert a note                        {:>10.1} µs each",
        start.elapsed().as_secs_f64() * 1e6 / edits as f64
    );
    // Enough clients that tombstones pass 1/8 of the live documents: the slowest removal is
    // the one that ran the cleanup pass over every posting list.
    let shredded = 2_000;
    let mut gone = 0;
    let mut times = Vec::with_capacity(shredded);
    for person in people.iter().take(shredded) {
        let start = Instant::now();
        gone += index.remove_client(person.id);
        times.push(start.elapsed());
    }
    let total: Duration = times.iter().sum();
    times.sort_unstable();
    println!(
        "remove a client ({:.0} documents each): mean {:.1} µs, p50 {:.1} µs, max {:.1} ms \
         (the cleanup pass)",
        gone as f64 / shredded as f64,
        total.as_secs_f64() * 1e6 / shredded as f64,
        percentile(&times, 0.5).as_secs_f64() * 1e6,
        ms(times[times.len() - 1])
    );
    println!("after: {:?}", index);
    drop(index);
    real_store(&people, &stored, &queries)
}

/// Runs `f` over `items` on `THREADS` threads, returning the results in order.
fn parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> BenchResult<R> + Sync,
) -> BenchResult<Vec<R>> {
    const THREADS: usize = 32;
    let chunk = items.len().div_ceil(THREADS).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<BenchResult<Vec<R>>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            out.extend(h.join().map_err(|_| "a writer thread panicked")??);
        }
        Ok(out)
    })
}

/// The practice in a real store: written through the services, unsealed again (which builds
/// the index from the opened records), searched by a clinician through the policy.
fn real_store(
    people: &[Person],
    notes: &[(ClientId, DocKind, String)],
    queries: &[String],
) -> BenchResult<()> {
    // Under target/, on the same disk as a real data directory would be (not a tmpfs).
    let dir = tempfile::Builder::new()
        .prefix("confidant-search-bench-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    let store = Arc::new(SqliteStore::open(dir.path())?);
    let key = UnsealSecret::KeyFile(KeyFileSecret::generate()?);
    let done = confidant_core::init(store.as_ref(), &SystemClock, std::slice::from_ref(&key))?;
    let vault = Vault::unseal(store.clone(), Arc::new(SystemClock), &key)?;
    let owner = Access {
        actor: vault.authenticate(&done.owner_token)?,
        purpose: Purpose::Treatment,
        source: None,
    };
    let new = NewStaff {
        email: "clinician@clinic.example".into(),
        display_name: "Bench Clinician".into(),
        role: "clinician".into(),
    };
    let invitation = vault.invite_staff(&owner, new, INVITATION_TTL)?;
    let password = StaffPassword::new("violet harbour quietly drifting".into());
    let clinician = Access {
        actor: Actor {
            id: vault.accept_invitation(&invitation.token, &password)?,
            role: StaffRole::Clinician,
            credential: Credential::Session,
        },
        ..owner
    };

    let start = Instant::now();
    let ids = parallel(people, |p| {
        let input = ClientInput {
            legal_name: format!("{} {}", p.first, p.last),
            preferred_name: None,
            date_of_birth: "1980-01-01".into(),
            phone: None,
            email: None,
            address: None,
            emergency_contact: None,
        };
        Ok(vault.create_client(&owner, input)?)
    })?;
    let real: HashMap<ClientId, ClientId> = people.iter().map(|p| p.id).zip(ids).collect();
    // The clinician joins about one care team in ten.
    let mut rng = Rng(0x5EED_C0FF_EE00_0002);
    let theirs: Vec<ClientId> = real.values().copied().filter(|_| rng.chance(10)).collect();
    parallel(&theirs, |&c| {
        Ok(vault.assign_care_team(&owner, c, clinician.actor.id, false)?)
    })?;
    parallel(notes, |(client, kind, text)| {
        let client = *real.get(client).ok_or("unknown client")?;
        let kind = match kind {
            DocKind::PsychotherapyNote => NoteKind::Psychotherapy,
            _ => NoteKind::Progress,
        };
        Ok(vault.create_note(&owner, client, NoteInput::free(kind, text.as_str()))?)
    })?;
    println!(
        "real store: wrote {} clients and {} notes through the services (sealed, audited, 32 \
         threads) in {:.0} s",
        people.len(),
        notes.len(),
        start.elapsed().as_secs_f64()
    );
    drop(vault);

    let start = Instant::now();
    let vault = Vault::unseal(store.clone(), Arc::new(SystemClock), &key)?;
    println!(
        "unseal: read, decrypt and index every record {:>10.2} s   (target ≤ 20 s)",
        start.elapsed().as_secs_f64()
    );

    let mut times = Vec::with_capacity(queries.len());
    let mut returned = 0usize;
    for text in queries {
        let start = Instant::now();
        let hits = vault.search(&clinician, text, LIMIT)?;
        times.push(start.elapsed());
        returned += hits.len();
    }
    times.sort_unstable();
    let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
    println!(
        "{} searches by a clinician on {} of {} care teams, through the policy, each audited \
         (durable): {:.1} hits each",
        queries.len(),
        theirs.len(),
        people.len(),
        returned as f64 / queries.len().max(1) as f64
    );
    println!(
        "  latency mean {:.3} ms, p50 {:.3} ms, p99 {:.3} ms (target ≤ 20 ms), max {:.3} ms",
        ms(mean),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(times.last().copied().unwrap_or_default())
    );
    Ok(())
}
