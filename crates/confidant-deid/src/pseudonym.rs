//! Consistent pseudonyms across a set of documents: each name part (given name, surname,
//! initial) maps to one pseudonym, keyed by its lower-case form, so `Isaac Dorsey`, `Isaac`,
//! `Dorsey, Isaac` and `Mr. Dorsey` stay one person. Given names keep their usual sex.
//!
//! The table holds real names: it lives in memory only and its `Debug` shows just a count.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hasher as _;

use crate::lexicon::{Fx, FxSet, Lexicon};

/// Which part of a name a word is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Given,
    Surname,
    Initial,
}

/// The mapping from real name parts to pseudonyms for one set of documents.
pub struct PseudonymTable {
    seed: u64,
    map: HashMap<String, String>,
    used: FxSet<String>,
}

impl fmt::Debug for PseudonymTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PseudonymTable({} names)", self.map.len())
    }
}

impl PseudonymTable {
    /// An empty table; `seed` picks which pseudonyms are handed out (use a random one per set,
    /// so pseudonyms do not repeat across sets).
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            map: HashMap::new(),
            used: FxSet::default(),
        }
    }

    /// How many name parts have a pseudonym.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no name has been seen yet.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn hash(&self, key: &str, attempt: u64) -> u64 {
        let mut h = Fx::default();
        h.write_u64(self.seed);
        h.write(key.as_bytes());
        h.write_u64(attempt);
        // Fx mixes weakly in its low bits; fold the high bits down.
        let v = h.finish();
        v ^ (v >> 29) ^ (v >> 47)
    }

    /// The pseudonym of one name part, chosen on first sight.
    pub(crate) fn pseudonym(&mut self, lex: &Lexicon, word: &str, role: Role) -> String {
        let key = word.to_lowercase();
        if let Some(p) = self.map.get(&key) {
            return cased(p, word);
        }
        let pick = match role {
            Role::Initial => self.pick_initial(&key),
            Role::Given => {
                let sex = lex.get(word).sex;
                let pool: Vec<&str> = lex
                    .pool_given
                    .iter()
                    .filter(|(_, s)| sex == 0 || *s == sex || sex == b'U')
                    .map(|(n, _)| &**n)
                    .collect();
                self.pick(&key, &pool)
            }
            Role::Surname => {
                let pool: Vec<&str> = lex.pool_surnames.iter().map(|n| &**n).collect();
                self.pick(&key, &pool)
            }
        };
        self.used.insert(pick.to_lowercase());
        self.map.insert(key, pick.clone());
        cased(&pick, word)
    }

    /// Whether `word` already has a pseudonym (so its role is settled).
    pub(crate) fn knows(&self, word: &str) -> bool {
        self.map.contains_key(&word.to_lowercase())
    }

    fn pick(&self, key: &str, pool: &[&str]) -> String {
        if pool.is_empty() {
            return "[NAME]".to_string();
        }
        for attempt in 0..64 {
            let c = pool[(self.hash(key, attempt) % pool.len() as u64) as usize];
            let lc = c.to_lowercase();
            // Never the real name, never a pseudonym given to someone else, never a real name
            // already seen in the set.
            if lc != key && !self.used.contains(&lc) && !self.map.contains_key(&lc) {
                return c.to_string();
            }
        }
        // Every try collided: a numbered placeholder keeps people apart.
        format!("Person{}", self.map.len() + 1)
    }

    fn pick_initial(&self, key: &str) -> String {
        const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTW";
        for attempt in 0..32 {
            let c = LETTERS[(self.hash(key, attempt) % LETTERS.len() as u64) as usize] as char;
            if !key.eq_ignore_ascii_case(&c.to_string()) {
                return c.to_string();
            }
        }
        "X".to_string()
    }
}

/// `pseudo` in the case of `original` (`DORSEY` → `KIM`).
fn cased(pseudo: &str, original: &str) -> String {
    let letters = original.chars().filter(|c| c.is_alphabetic()).count();
    if letters > 1 && original.chars().all(|c| !c.is_lowercase()) {
        pseudo.to_uppercase()
    } else {
        pseudo.to_string()
    }
}
