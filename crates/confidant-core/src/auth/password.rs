//! Staff passwords: the rules a new password must pass (NIST SP 800-63B §5.1.1.2: length, a
//! list of common and breached passwords, nothing about the person), a rough strength estimate
//! for feedback, and Argon2id hashing as PHC strings.
//!
//! Owns `StaffPassword`, the bundled common-password list and the hash parameters. It must never
//! log, format, store or echo a password (not even in an error message), and never add
//! composition rules ("a digit and a symbol"): NIST advises against them.

use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::sync::LazyLock;

use argon2::password_hash::{self, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Shortest password accepted, in characters (NIST's floor is 8; these guard clinical records).
pub const MIN_CHARS: usize = 12;
/// Longest password accepted, in characters: room for any passphrase, none for abuse.
pub const MAX_CHARS: usize = 256;

/// Argon2id memory cost in KiB (64 MiB), iterations and lanes, as hashed today.
const ARGON2_M_KIB: u32 = 64 * 1024;
const ARGON2_T: u32 = 3;
const ARGON2_P: u32 = 1;
const SALT_LEN: usize = 16;
/// Ceilings on a stored hash's cost, so a corrupted row cannot make a sign-in allocate gigabytes.
const MAX_M_KIB: u32 = 1024 * 1024;
const MAX_T: u32 = 20;
const MAX_P: u32 = 16;

/// A valid hash, with today's parameters, of a random password nobody knows: verifying against
/// it costs what a real check costs, so a sign-in for an unknown account takes as long as one
/// for a known account with a wrong password.
pub const DUMMY_PHC: &str = "$argon2id$v=19$m=65536,t=3,p=1$bFIu0crQBuak1kUwHPGWRQ$QTOc6+aEsLrkDaXBtXPvnhgEl+9uz5N5hmz6hFomAb0";

/// A staff member's password as typed, NFKC-normalised; zeroized on drop, never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct StaffPassword(String);

impl StaffPassword {
    /// Wraps a typed password, normalised to NFKC so that the same password typed on any device
    /// checks and hashes the same (NIST SP 800-63B §5.1.1.2).
    pub fn new(text: String) -> Self {
        let mut text = text;
        if unicode_normalization::is_nfkc(&text) {
            return Self(text);
        }
        let normalised = text.nfkc().collect();
        text.zeroize();
        Self(normalised)
    }

    /// The normalised text, for the policy check and the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for StaffPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Why a new password was refused; each message says what to do instead and never quotes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer characters than `min`.
    #[error(
        "use at least {min} characters; a few unrelated words make a long password that is easy to remember"
    )]
    TooShort {
        /// The minimum, in characters.
        min: usize,
    },
    /// More characters than `max`.
    #[error("use at most {max} characters")]
    TooLong {
        /// The maximum, in characters.
        max: usize,
    },
    /// Contains a part of the person's name.
    #[error("leave your name out of your password")]
    ContainsName,
    /// Contains the person's e-mail address or the part before the `@`.
    #[error("leave your e-mail address out of your password")]
    ContainsEmail,
    /// A common or breached password, or one with a few digits or symbols added, or repeated.
    #[error(
        "this password, or the word at its heart, is on a list of common or breached passwords; choose another, such as a few unrelated words"
    )]
    Common,
    /// One to three characters repeated over and over.
    #[error("this password repeats a short pattern; choose another, such as a few unrelated words")]
    Repetitive,
    /// The bundled list could not be decoded, so no password can be checked (fail closed).
    #[error(
        "the common-password list could not be read, so no password can be set; this build is broken, report it"
    )]
    ListUnavailable,
}

/// Feedback on a password that passed the rules, for a meter beside the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Strength {
    /// 0 (easy to guess) to 4 (very hard to guess).
    pub score: u8,
    /// One short sentence for the person choosing it.
    pub hint: &'static str,
}

impl Strength {
    /// Maps estimated bits of guessing work to a score, like zxcvbn's 0–4 but coarser.
    fn from_bits(bits: f64) -> Self {
        let (score, hint) = if bits < 40.0 {
            (
                0,
                "Easy to guess: it is mostly common words or patterns. Try a few unrelated words.",
            )
        } else if bits < 50.0 {
            (1, "Weak: add another uncommon word or two.")
        } else if bits < 65.0 {
            (2, "Fair: a longer passphrase would be stronger.")
        } else if bits < 80.0 {
            (3, "Strong: hard to guess.")
        } else {
            (4, "Very strong.")
        };
        Self { score, hint }
    }
}

/// Checks a new password against the rules, returning feedback on its strength if it passes.
///
/// The rules (NIST SP 800-63B §5.1.1.2, no composition rules):
/// - after NFKC normalisation, [`MIN_CHARS`] to [`MAX_CHARS`] characters (not bytes);
/// - no part of `name` of three or more characters, no `email`, and no e-mail local part of
///   three or more characters (all compared case-insensitively);
/// - not one to three characters repeated (`aaaaaaaaaaaa`, `abcabcabcabc`, `12121212121212`),
///   also once digits, symbols and spaces are stripped from the ends;
/// - not on the bundled common-password list, compared lowercased. So that trivial variations
///   of a listed password fail too, the list is also asked about the candidate with digits,
///   symbols and spaces stripped from the end, or from both ends (`Password2024!` →
///   `password`), those forms with common letter substitutions undone (`p@ssw0rd` →
///   `password`), and the unit of any of these made of one unit repeated (`letmeinletmein` →
///   `letmein`); these derived forms count only when four characters or longer.
pub fn check_password(
    candidate: &str,
    name: &str,
    email: &str,
) -> Result<Strength, PasswordProblem> {
    // NFKC cannot shrink text by more than 3x in bytes, nor a char exceed 4 bytes: longer than
    // this can only normalise to more than MAX_CHARS, so refuse it before doing any work.
    if candidate.len() > MAX_CHARS * 4 * 3 {
        return Err(PasswordProblem::TooLong { max: MAX_CHARS });
    }
    let normalised = Zeroizing::new(candidate.nfkc().collect::<String>());
    let chars = normalised.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort { min: MIN_CHARS });
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong { max: MAX_CHARS });
    }
    let lower = Zeroizing::new(normalised.to_lowercase());
    check_personal(&lower, name, email)?;
    let list = common_list()?;
    check_predictable(&lower, list)?;
    Ok(estimate(&normalised, &lower, list))
}

fn fold(text: &str) -> String {
    text.trim().nfkc().collect::<String>().to_lowercase()
}

fn check_personal(lower: &str, name: &str, email: &str) -> Result<(), PasswordProblem> {
    let name = fold(name);
    let mut parts = name.split(|c: char| !c.is_alphanumeric());
    if parts.any(|part| part.chars().count() >= 3 && lower.contains(part)) {
        return Err(PasswordProblem::ContainsName);
    }
    let email = fold(email);
    if email.is_empty() {
        return Ok(());
    }
    let local = email
        .rsplit_once('@')
        .map_or(email.as_str(), |(local, _)| local);
    if lower.contains(email.as_str()) || (local.chars().count() >= 3 && lower.contains(local)) {
        return Err(PasswordProblem::ContainsEmail);
    }
    Ok(())
}

/// Derived forms shorter than this say nothing: the list holds every one- to three-letter string.
const MIN_DERIVED_CHARS: usize = 4;
/// A repeated unit this short makes the whole password a pattern.
const MAX_PATTERN_CHARS: usize = 3;

fn check_predictable(lower: &str, list: &HashSet<Box<str>>) -> Result<(), PasswordProblem> {
    let not_letter = |c: char| !c.is_alphabetic();
    let end = lower.trim_end_matches(not_letter);
    let both = lower.trim_matches(not_letter);
    for form in [lower, end, both] {
        if repeated_unit(form).is_some_and(|(unit, _)| unit.chars().count() <= MAX_PATTERN_CHARS) {
            return Err(PasswordProblem::Repetitive);
        }
    }
    if list.contains(lower) {
        return Err(PasswordProblem::Common);
    }
    // Substitutions are undone after stripping only the end too, so a leading `$` or `@` that
    // stands for a letter survives (`$unsh1ne2024!` → `$unsh1ne` → `sunshine`).
    let undone: Vec<Zeroizing<String>> = [end, both]
        .into_iter()
        .flat_map(|form| ['i', 'l'].map(|one| Zeroizing::new(undo_substitutions(form, one))))
        .collect();
    let mut forms: Vec<&str> = vec![end, both];
    forms.extend(undone.iter().map(|form| form.as_str()));
    let units: Vec<&str> = [lower]
        .into_iter()
        .chain(forms.iter().copied())
        .filter_map(|form| repeated_unit(form).map(|(unit, _)| unit))
        .collect();
    forms.extend(units);
    let listed = forms
        .into_iter()
        .any(|form| form.chars().count() >= MIN_DERIVED_CHARS && list.contains(form));
    if listed {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// Undoes the usual letter-for-digit/symbol substitutions; `one` is what `1` stands for.
fn undo_substitutions(text: &str, one: char) -> String {
    text.chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '3' => 'e',
            '0' => 'o',
            '1' => one,
            '!' => 'i',
            '$' | '5' => 's',
            '7' => 't',
            other => other,
        })
        .collect()
}

/// The shortest unit that `text` is two or more copies of, with the number of copies.
fn repeated_unit(text: &str) -> Option<(&str, usize)> {
    let len = text.len();
    (1..=len / 2)
        .filter(|&n| len % n == 0 && text.is_char_boundary(n))
        .find_map(|n| {
            let unit = text.get(..n)?;
            // Compared in place: building `unit.repeat(..)` would copy the password.
            let repeats = text
                .as_bytes()
                .chunks(n)
                .all(|chunk| chunk == unit.as_bytes());
            repeats.then_some((unit, len / n))
        })
}

static COMMON_GZ: &[u8] = include_bytes!("../../data/common-passwords.txt.gz");

/// The bundled list, lowercased, decoded once on first use; `None` if it could not be decoded.
static COMMON: LazyLock<Option<HashSet<Box<str>>>> = LazyLock::new(|| load_list(COMMON_GZ));

fn load_list(gz: &[u8]) -> Option<HashSet<Box<str>>> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .ok()?;
    let set: HashSet<Box<str>> = text
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.to_lowercase().into_boxed_str())
        .collect();
    (!set.is_empty()).then_some(set)
}

fn common_list() -> Result<&'static HashSet<Box<str>>, PasswordProblem> {
    COMMON.as_ref().ok_or(PasswordProblem::ListUnavailable)
}

/// Listed words shorter or longer than these are not looked for inside a password.
const MIN_WORD_CHARS: usize = 3;
const MAX_WORD_CHARS: usize = 32;

/// A rough estimate of guessing work, in bits, documented rather than clever: each character
/// costs log2 of the alphabet the password draws from (lowercase 26, uppercase 26, digits 10,
/// ASCII symbols and space 33, anything else 100), except that any run of three or more
/// characters found on the common list costs only log2 of the list's size, choosing the
/// cheapest split; a password made of one unit repeated costs its unit plus log2 of the copies.
fn estimate(normalised: &str, lower: &str, list: &HashSet<Box<str>>) -> Strength {
    let per_char = f64::from(alphabet_size(normalised)).log2();
    let per_word = (list.len().max(2) as f64).log2();
    let bits = match repeated_unit(lower) {
        Some((unit, copies)) => {
            cheapest_split(unit, per_char, per_word, list) + (copies as f64).log2()
        }
        None => cheapest_split(lower, per_char, per_word, list),
    };
    Strength::from_bits(bits)
}

fn alphabet_size(text: &str) -> u32 {
    let has = |f: fn(char) -> bool| text.chars().any(f);
    let classes: [(bool, u32); 5] = [
        (has(|c| c.is_ascii_lowercase()), 26),
        (has(|c| c.is_ascii_uppercase()), 26),
        (has(|c| c.is_ascii_digit()), 10),
        (has(|c| c.is_ascii() && !c.is_ascii_alphanumeric()), 33),
        (has(|c| !c.is_ascii()), 100),
    ];
    classes
        .iter()
        .filter(|(present, _)| *present)
        .map(|(_, size)| size)
        .sum::<u32>()
        .max(1)
}

fn cheapest_split(text: &str, per_char: f64, per_word: f64, list: &HashSet<Box<str>>) -> f64 {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    // best[i]: the cheapest way to produce the first i characters.
    let mut best = vec![0.0_f64; bounds.len()];
    for i in 1..bounds.len() {
        let mut cost = best[i - 1] + per_char;
        for len in MIN_WORD_CHARS..=MAX_WORD_CHARS.min(i) {
            let j = i - len;
            if text
                .get(bounds[j]..bounds[i])
                .is_some_and(|word| list.contains(word))
            {
                cost = cost.min(best[j] + per_word);
            }
        }
        best[i] = cost;
    }
    best.last().copied().unwrap_or(0.0)
}

/// Why a password could not be hashed or checked against its stored hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashProblem {
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed; try again, and report it if it persists")]
    Random,
    /// Argon2 refused to hash (should not happen with our parameters).
    #[error("the password could not be hashed; try again, and report it if it persists")]
    Hashing,
    /// The stored hash is not a well-formed PHC string.
    #[error("the stored password hash is malformed; reset this account's password")]
    Malformed,
    /// The stored hash is not Argon2id, or asks for more work than Confidant allows.
    #[error(
        "the stored password hash uses an algorithm or cost Confidant does not accept; reset this account's password"
    )]
    Unsupported,
}

fn hasher() -> Result<Argon2<'static>, HashProblem> {
    let params =
        Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, None).map_err(|_| HashProblem::Hashing)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password for storage: Argon2id, m=64 MiB, t=3, p=1, a fresh random 16-byte salt,
/// as a PHC string (`$argon2id$v=19$m=65536,t=3,p=1$salt$hash`).
pub fn hash_password(password: &StaffPassword) -> Result<String, HashProblem> {
    let mut salt = Zeroizing::new([0u8; SALT_LEN]);
    aws_lc_rs::rand::fill(salt.as_mut()).map_err(|_| HashProblem::Random)?;
    let salt = SaltString::encode_b64(salt.as_ref()).map_err(|_| HashProblem::Hashing)?;
    let hash = hasher()?
        .hash_password(password.expose().as_bytes(), &salt)
        .map_err(|_| HashProblem::Hashing)?;
    Ok(hash.to_string())
}

/// Checks a password against a stored PHC string, in constant time (argon2's verifier compares
/// the outputs with `subtle`); `Ok(false)` for a wrong password, an error for a bad hash.
pub fn verify_password(password: &StaffPassword, phc: &str) -> Result<bool, HashProblem> {
    let hash = PasswordHash::new(phc).map_err(|_| HashProblem::Malformed)?;
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(HashProblem::Malformed);
    }
    if hash.algorithm != argon2::ARGON2ID_IDENT {
        return Err(HashProblem::Unsupported);
    }
    let params = Params::try_from(&hash).map_err(|_| HashProblem::Malformed)?;
    if params.m_cost() > MAX_M_KIB || params.t_cost() > MAX_T || params.p_cost() > MAX_P {
        return Err(HashProblem::Unsupported);
    }
    match hasher()?.verify_password(password.expose().as_bytes(), &hash) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::Password) => Ok(false),
        Err(_) => Err(HashProblem::Malformed),
    }
}

/// Whether a stored hash was made with other parameters than today's, so the caller can re-hash
/// the password at the next successful sign-in. A hash that does not parse needs it too.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return true;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return true;
    };
    hash.salt.is_none()
        || hash.hash.is_none()
        || hash.algorithm != argon2::ARGON2ID_IDENT
        || hash.version != Some(Version::V0x13 as u32)
        || params.m_cost() != ARGON2_M_KIB
        || params.t_cost() != ARGON2_T
        || params.p_cost() != ARGON2_P
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "Ada Lovelace";
    const EMAIL: &str = "dr.who@example.org";

    fn check(candidate: &str) -> Result<Strength, PasswordProblem> {
        check_password(candidate, NAME, EMAIL)
    }

    fn password(text: &str) -> StaffPassword {
        StaffPassword::new(text.to_owned())
    }

    #[test]
    fn staff_password_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", password("quiet otter paints blue stairs")),
            "[REDACTED]"
        );
    }

    #[test]
    fn common_list_loads_with_at_least_100_000_entries() {
        let list = common_list().unwrap();
        assert!(list.len() >= 100_000, "only {} entries", list.len());
        assert!(list.contains("password"));
        assert!(list.contains("letmein"));
        assert!(
            list.iter().all(|p| p.to_lowercase() == **p),
            "entries are lowercased"
        );
    }

    #[test]
    fn garbage_list_loads_as_none_so_checks_fail_closed() {
        assert!(load_list(b"not gzip at all").is_none());
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // 11 characters, 22 bytes: too short.
        assert_eq!(
            check("żółćgęśląjź"),
            Err(PasswordProblem::TooShort { min: 12 })
        );
        // 12 characters.
        assert!(check("żółćgęśląjaź").is_ok());
        assert_eq!(check(""), Err(PasswordProblem::TooShort { min: 12 }));
    }

    #[test]
    fn password_over_256_characters_is_refused() {
        let long: String = "quiet otter paints blue stairs "
            .chars()
            .cycle()
            .take(257)
            .collect();
        assert_eq!(check(&long), Err(PasswordProblem::TooLong { max: 256 }));
        assert!(check(&long[..256]).is_ok());
        assert_eq!(
            check(&"x".repeat(1 << 20)),
            Err(PasswordProblem::TooLong { max: 256 })
        );
    }

    #[test]
    fn listed_password_is_refused_whatever_its_case() {
        for p in [
            "basketball123",
            "BASKETBALL123",
            "1q2w3e4r5t6y",
            "qwertyuiop123",
        ] {
            assert_eq!(check(p), Err(PasswordProblem::Common), "{p}");
        }
    }

    #[test]
    fn listed_password_with_digits_or_symbols_added_is_refused() {
        for p in [
            "password1234",
            "Password2024!",
            "!!letmein!!2024",
            "2024 sunshine 2024",
        ] {
            assert_eq!(check(p), Err(PasswordProblem::Common), "{p}");
        }
    }

    #[test]
    fn repeated_listed_password_is_refused() {
        for p in ["letmeinletmein", "monkeymonkey", "passwordpassword1234"] {
            assert_eq!(check(p), Err(PasswordProblem::Common), "{p}");
        }
    }

    #[test]
    fn listed_password_with_letters_swapped_for_symbols_is_refused() {
        for p in ["P@ssw0rd1234", "$unsh1ne2024!", "f00tb4ll!!!!"] {
            assert_eq!(check(p), Err(PasswordProblem::Common), "{p}");
        }
    }

    #[test]
    fn short_pattern_repeated_is_refused() {
        for p in [
            "aaaaaaaaaaaaaaaa",
            "xqzxqzxqzxqz",
            "1!1!1!1!1!1!",
            "!!qjqjqjqjqjqj!!",
        ] {
            assert_eq!(check(p), Err(PasswordProblem::Repetitive), "{p}");
        }
    }

    #[test]
    fn name_or_email_in_the_password_is_refused() {
        assert_eq!(
            check("lovelace rides at dawn"),
            Err(PasswordProblem::ContainsName)
        );
        assert_eq!(
            check("Quiet ADA paints stairs"),
            Err(PasswordProblem::ContainsName)
        );
        assert_eq!(
            check("quiet dr.who paints stairs"),
            Err(PasswordProblem::ContainsEmail)
        );
        // Name parts under three characters do not count.
        assert!(check_password("quiet otter jo paints", "Jo Ng", "").is_ok());
        // A short local part does not count alone, but the whole address does.
        assert!(check_password("quiet otter jo paints", "", "jo@example.org").is_ok());
        assert_eq!(
            check_password("quiet jo@example.org", "", "jo@example.org"),
            Err(PasswordProblem::ContainsEmail)
        );
    }

    #[test]
    fn long_passphrase_passes_without_any_composition_rule() {
        let strength = check("quiet otter paints blue stairs").unwrap();
        assert!(strength.score >= 3, "{strength:?}");
        assert!(check("all lowercase words and no digits at all").is_ok());
    }

    #[test]
    fn strength_grows_with_length_and_variety_and_drops_for_common_words() {
        let words = check("monkeydragon").unwrap();
        let random = check("vq8#Lm2!xR9t").unwrap();
        let long = check("quiet otter paints blue stairs at dawn").unwrap();
        assert!(words.score <= 1, "{words:?}");
        assert!(random.score >= 3, "{random:?}");
        assert_eq!(long.score, 4, "{long:?}");
        assert!(!words.hint.is_empty());
    }

    #[test]
    fn compatibility_forms_are_normalised_before_checking_and_hashing() {
        // Full-width letters normalise (NFKC) to ASCII, so this is "password1234".
        assert_eq!(
            check("ｐａｓｓｗｏｒｄ１２３４"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(password("ｑｕｉｅｔ ｏｔｔｅｒ").expose(), "quiet otter");
        // Composed and decomposed é are the same password.
        assert_eq!(
            password("caf\u{e9}").expose(),
            password("cafe\u{301}").expose()
        );
    }

    #[test]
    fn problems_never_quote_the_password() {
        let cases = [
            "short",
            "password1234",
            "aaaaaaaaaaaaaaaa",
            "lovelace rides at dawn",
            "quiet dr.who paints stairs",
        ];
        for candidate in cases {
            let problem = check(candidate).unwrap_err();
            let text = format!("{problem} {problem:?}");
            assert!(!text.contains(candidate), "{text}");
            assert!(!text.to_lowercase().contains("lovelace"), "{text}");
        }
    }

    #[test]
    fn hash_verifies_the_same_password_only() {
        let right = password("quiet otter paints blue stairs");
        let phc = hash_password(&right).unwrap();
        assert!(verify_password(&right, &phc).unwrap());
        assert!(!verify_password(&password("quiet otter paints blue stair"), &phc).unwrap());
    }

    #[test]
    fn hashes_are_argon2id_with_the_agreed_cost_and_a_fresh_salt() {
        let p = password("quiet otter paints blue stairs");
        let (a, b) = (hash_password(&p).unwrap(), hash_password(&p).unwrap());
        assert!(a.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(!needs_rehash(&a));
        let salt = PasswordHash::new(&a).unwrap().salt.unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(salt.decode_b64(&mut buf).unwrap().len(), 16);
    }

    #[test]
    fn malformed_or_foreign_hashes_are_errors_not_panics() {
        let p = password("quiet otter paints blue stairs");
        for bad in [
            "",
            "not a hash",
            "$argon2id$v=19$m=65536,t=3,p=1$",
            "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ",
        ] {
            assert_eq!(
                verify_password(&p, bad),
                Err(HashProblem::Malformed),
                "{bad:?}"
            );
            assert!(needs_rehash(bad));
        }
        let argon2i = "$argon2i$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$wDxKcDsnNsbkW/3TcmjGOwhddrLdUpCJF/nSPmOZ+v0";
        assert_eq!(verify_password(&p, argon2i), Err(HashProblem::Unsupported));
        let huge = "$argon2id$v=19$m=4194304,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$wDxKcDsnNsbkW/3TcmjGOwhddrLdUpCJF/nSPmOZ+v0";
        assert_eq!(verify_password(&p, huge), Err(HashProblem::Unsupported));
        let cheap = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$wDxKcDsnNsbkW/3TcmjGOwhddrLdUpCJF/nSPmOZ+v0";
        assert!(needs_rehash(cheap));
    }

    #[test]
    fn dummy_hash_is_valid_current_and_matches_nothing_typed() {
        assert!(!needs_rehash(DUMMY_PHC));
        for guess in ["", "password", "quiet otter paints blue stairs"] {
            assert!(!verify_password(&password(guess), DUMMY_PHC).unwrap());
        }
    }
}
