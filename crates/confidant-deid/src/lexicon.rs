//! The bundled dictionaries (given names, surnames, places, common English words), decompressed
//! once on first use into one hash map keyed by the lower-case word.
//!
//! The data are compiled in (`include_bytes!`), so nothing is read from disk or the network.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read as _;
use std::sync::LazyLock;

use crate::tokens::{Kind, tokenize};
use crate::vocab;

static GIVEN_GZ: &[u8] = include_bytes!("../data/given-names.txt.gz");
static SURNAMES_GZ: &[u8] = include_bytes!("../data/surnames.txt.gz");
static PLACES_GZ: &[u8] = include_bytes!("../data/places.txt.gz");
static WORDS_GZ: &[u8] = include_bytes!("../data/english-words.txt.gz");

/// A surname.
pub(crate) const SURNAME: u8 = 1;
/// A US city or town.
pub(crate) const PLACE: u8 = 2;
/// A large city elsewhere.
pub(crate) const CITY_ABROAD: u8 = 4;
/// A US state or a country: never an identifier by itself.
pub(crate) const REGION: u8 = 8;
/// A capitalised word that is never an identifier (see [`vocab::NEVER`]).
pub(crate) const NEVER: u8 = 16;
/// The first word of a place name of several words.
pub(crate) const PLACE_HEAD: u8 = 32;

/// What the dictionaries know about one lower-case word.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Entry {
    /// Babies given this name in the US, 1880–2024 (0: not a given name).
    pub births: u32,
    /// Rank among 1990 Census surnames (0: unranked or not a surname).
    pub surname_rank: u32,
    /// The SCOWL level of the word as an ordinary English word (0: not one; 10 most common).
    pub word_level: u8,
    /// `F`, `M` or `U` for a given name.
    pub sex: u8,
    /// [`SURNAME`], [`PLACE`], and the other flags.
    pub flags: u8,
    /// One bit per list of [`vocab::indexed`] the word is in.
    pub lists: u32,
}

impl Entry {
    pub fn is_given(&self) -> bool {
        self.births > 0
    }
    pub fn is_surname(&self) -> bool {
        self.flags & SURNAME != 0
    }
    pub fn is_name(&self) -> bool {
        self.is_given() || self.is_surname()
    }
    pub fn is_place(&self) -> bool {
        self.flags & (PLACE | CITY_ABROAD) != 0
    }
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
    /// An everyday English word at SCOWL level `level` or more common.
    pub fn is_word(&self, level: u8) -> bool {
        self.word_level != 0 && self.word_level <= level
    }
    /// A name common enough that, capitalised mid-sentence, it is a name even though it is
    /// also a word (Grace, Bush, Day), unlike rare surnames that are words (Session, Plan).
    pub fn is_popular_name(&self) -> bool {
        self.births >= 5_000 || (1..=3_000).contains(&self.surname_rank)
    }
}

/// FxHash: the maps are built from our own data, so a fast non-keyed hash is fine.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map with [`Fx`].
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
/// A hash set with [`Fx`].
pub(crate) type FxSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

/// The dictionaries.
pub(crate) struct Lexicon {
    map: FxMap<Box<str>, Entry>,
    /// Place names of several words, as lower-case tokens joined by one space.
    multi_places: FxSet<Box<str>>,
    /// Common given names and surnames for pseudonyms, sorted: (name, sex).
    pub pool_given: Vec<(Box<str>, u8)>,
    /// Common surnames for pseudonyms, sorted.
    pub pool_surnames: Vec<Box<str>>,
}

static LEXICON: LazyLock<Option<Lexicon>> = LazyLock::new(|| Lexicon::load().ok());

/// The shared dictionaries, or `None` if the bundled data could not be read.
pub(crate) fn get() -> Option<&'static Lexicon> {
    LEXICON.as_ref()
}

fn gunzip(gz: &[u8]) -> std::io::Result<String> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(gz).read_to_string(&mut s)?;
    Ok(s)
}

/// Lower-case tokens of a name joined by one space (`St. Louis` → `st louis`).
pub(crate) fn normalize_phrase(s: &str) -> String {
    let mut out = String::new();
    for t in tokenize(s) {
        if t.kind == Kind::Punct {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&s[t.start..t.end].to_lowercase());
    }
    out
}

impl Lexicon {
    fn load() -> std::io::Result<Self> {
        let mut map: FxMap<Box<str>, Entry> = FxMap::default();
        map.reserve(400_000);
        let mut pool_given: Vec<(Box<str>, u8)> = Vec::new();
        for line in gunzip(GIVEN_GZ)?.lines() {
            let mut f = line.split('\t');
            let (Some(name), Some(births), Some(sex)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let births: u32 = births.parse().unwrap_or(0);
            let sex = sex.bytes().next().unwrap_or(b'U');
            let e = map.entry(name.to_lowercase().into()).or_default();
            e.births = e.births.saturating_add(births);
            e.sex = sex;
            if births >= 150_000 {
                pool_given.push((name.into(), sex));
            }
        }
        let mut pool_surnames: Vec<Box<str>> = Vec::new();
        for line in gunzip(SURNAMES_GZ)?.lines() {
            let mut f = line.split('\t');
            let (Some(name), Some(rank)) = (f.next(), f.next()) else {
                continue;
            };
            let rank: u32 = rank.parse().unwrap_or(0);
            let e = map.entry(name.to_lowercase().into()).or_default();
            e.flags |= SURNAME;
            e.surname_rank = rank;
            if (1..=1_500).contains(&rank) {
                pool_surnames.push(name.into());
            }
        }
        for line in gunzip(WORDS_GZ)?.lines() {
            let mut f = line.split('\t');
            let (Some(word), Some(level)) = (f.next(), f.next()) else {
                continue;
            };
            if word.len() < 2 {
                continue;
            }
            let level: u8 = level.parse().unwrap_or(0);
            map.entry(word.into()).or_default().word_level = level;
        }
        let mut multi_places = FxSet::default();
        for line in gunzip(PLACES_GZ)?.lines() {
            let mut f = line.split('\t');
            let (Some(name), Some(kind)) = (f.next(), f.next()) else {
                continue;
            };
            let flag = match kind {
                "C" => PLACE,
                "W" => CITY_ABROAD,
                _ => REGION,
            };
            let norm = normalize_phrase(name);
            if norm.is_empty() {
                continue;
            }
            match norm.split_once(' ') {
                None => map.entry(norm.into()).or_default().flags |= flag,
                Some((head, _)) => {
                    if flag != REGION {
                        map.entry(head.into()).or_default().flags |= PLACE_HEAD;
                        multi_places.insert(norm.into());
                    }
                }
            }
        }
        for s in vocab::STATES {
            if !s.contains(' ') {
                map.entry((*s).into()).or_default().flags |= REGION;
            }
        }
        for w in vocab::NEVER {
            map.entry((*w).into()).or_default().flags |= NEVER;
        }
        for list in vocab::indexed() {
            for w in list.words {
                map.entry(w.to_lowercase().into()).or_default().lists |= list.bit;
            }
        }
        // Pools must not hand out a word as a name (`Will`, `Young`).
        pool_given.retain(|(n, _)| {
            map.get(&*n.to_lowercase())
                .is_some_and(|e| e.word_level == 0)
        });
        pool_surnames.retain(|n| {
            map.get(&*n.to_lowercase())
                .is_some_and(|e| e.word_level == 0)
        });
        pool_given.sort();
        pool_surnames.sort();
        Ok(Self {
            map,
            multi_places,
            pool_given,
            pool_surnames,
        })
    }

    /// What is known of `word` (any case).
    pub fn get(&self, word: &str) -> Entry {
        let mut buf = [0u8; 40];
        if word.len() <= buf.len() && word.is_ascii() {
            let b = &mut buf[..word.len()];
            b.copy_from_slice(word.as_bytes());
            b.make_ascii_lowercase();
            return match std::str::from_utf8(b) {
                Ok(k) => self.map.get(k).copied().unwrap_or_default(),
                Err(_) => Entry::default(),
            };
        }
        self.map
            .get(word.to_lowercase().as_str())
            .copied()
            .unwrap_or_default()
    }

    /// Whether `phrase` (lower-case tokens joined by one space) is a place of several words.
    pub fn is_multi_place(&self, phrase: &str) -> bool {
        self.multi_places.contains(phrase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries_load_and_know_names_places_and_words() {
        let lex = get().expect("bundled data loads");
        assert!(lex.get("Isabella").is_given());
        assert!(lex.get("GARCIA").is_surname());
        assert!(lex.get("hope").is_word(20) && lex.get("hope").is_given());
        assert!(lex.get("Tulsa").is_place());
        assert!(lex.is_multi_place("salt lake city"));
        assert!(lex.get("zoloft").has(NEVER));
        assert!(lex.get("Ohio").has(REGION));
        assert!(!lex.get("qzxv").is_name());
        assert!(lex.pool_given.len() > 200 && lex.pool_surnames.len() > 200);
    }
}
