//! Time-based one-time passwords (RFC 6238, built on HOTP, RFC 4226): the second factor every
//! staff account enrols. Owns the secret type, code generation, verification with one time
//! step of clock skew either way and refusal of replays, and the enrolment URI.
//!
//! It keeps no state and reads no clock: the caller passes the Unix time and the last step it
//! accepted for the account, and stores the step returned. It must never log or format a secret
//! or a code, and never compute HMAC itself (aws-lc-rs does; the dynamic truncation here is
//! protocol, not a primitive).

use std::fmt;
use std::num::NonZeroU64;

use aws_lc_rs::{constant_time, hmac};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Bytes in a generated secret: 160 bits, the length RFC 4226 §4 recommends.
pub const SECRET_LEN: usize = 20;
/// Shortest secret accepted: RFC 4226 §4 requires at least 128 bits.
const MIN_SECRET_LEN: usize = 16;
/// Longest secret accepted: the RFC 6238 SHA-512 test seed.
const MAX_SECRET_LEN: usize = 64;
/// Steps either side of now that are still accepted, for clocks that drift (RFC 6238 §5.2).
const SKEW_STEPS: u64 = 1;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Confidant";

/// The HMAC behind the codes; authenticator apps all support SHA-1, the RFC 6238 default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-SHA-1 (what Confidant enrols).
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl Algorithm {
    fn hmac(self) -> hmac::Algorithm {
        match self {
            // SHA-1's collision weakness does not touch HMAC; RFC 6238 and every app use it.
            Self::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => hmac::HMAC_SHA256,
            Self::Sha512 => hmac::HMAC_SHA512,
        }
    }

    fn uri_name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

/// How codes are made: algorithm, digits and time step, checked once so code generation cannot fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    algorithm: Algorithm,
    digits: u8,
    step: NonZeroU64,
}

impl Params {
    /// What Confidant enrols and verifies: HMAC-SHA-1, 6 digits, 30-second steps.
    pub const CONFIDANT: Self = Self {
        algorithm: Algorithm::Sha1,
        digits: 6,
        // 30, built without a fallible constructor.
        step: NonZeroU64::MIN.saturating_add(29),
    };

    /// Other parameters, for tests and compatibility: 6 to 8 digits, a step of one second or more.
    pub fn new(algorithm: Algorithm, digits: u8, step_seconds: u64) -> Result<Self, TotpProblem> {
        let step = NonZeroU64::new(step_seconds).ok_or(TotpProblem::BadParams)?;
        if !(6..=8).contains(&digits) {
            return Err(TotpProblem::BadParams);
        }
        Ok(Self {
            algorithm,
            digits,
            step,
        })
    }

    /// The HMAC algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Digits in a code.
    pub fn digits(&self) -> u8 {
        self.digits
    }

    /// Seconds in a time step.
    pub fn step_seconds(&self) -> u64 {
        self.step.get()
    }

    /// The time step that `unix_time` falls in (RFC 6238 §4.2, T0 = 0).
    pub fn step_of(&self, unix_time: u64) -> u64 {
        unix_time / self.step
    }
}

/// Why a TOTP secret, parameters or code were refused; messages never quote a code or secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpProblem {
    /// Not the right number of digits, or something other than digits.
    #[error("enter the {digits}-digit code from your authenticator app, digits only")]
    Malformed {
        /// How many digits a code has.
        digits: u8,
    },
    /// A well-formed code that is not the one for now (or a step either side).
    #[error(
        "that code is not right; check that your device's clock is correct, then enter the code it shows now"
    )]
    Wrong,
    /// The right code for a step already used: a replay, or the same code sent twice.
    #[error("that code has already been used; wait for the next one")]
    Replayed,
    /// A secret of the wrong length.
    #[error(
        "a TOTP secret must be {MIN_SECRET_LEN} to {MAX_SECRET_LEN} bytes; this one is damaged, so reset the account's second factor"
    )]
    BadSecret,
    /// Digits outside 6 to 8, or a zero time step.
    #[error("TOTP codes need 6 to 8 digits and a time step of at least one second")]
    BadParams,
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed; try again, and report it if it persists")]
    Random,
}

/// A TOTP shared secret; zeroized on drop, never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// A fresh random secret of [`SECRET_LEN`] bytes, for enrolment.
    pub fn generate() -> Result<Self, TotpProblem> {
        let mut bytes = vec![0u8; SECRET_LEN];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| TotpProblem::Random)?;
        Ok(Self(bytes))
    }

    /// A secret as unsealed from storage; 16 to 64 bytes (RFC 4226 §4 asks for at least 128 bits).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TotpProblem> {
        if !(MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&bytes.len()) {
            return Err(TotpProblem::BadSecret);
        }
        Ok(Self(bytes.to_vec()))
    }

    /// The raw bytes, for the caller to seal before storing; never for display.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret in base32 (RFC 4648, no padding), for typing into an authenticator app.
    pub fn to_base32(&self) -> Zeroizing<String> {
        base32(&self.0)
    }

    /// The `otpauth://` URI an authenticator app reads from a QR code; it carries the secret, so
    /// it goes only to the person enrolling.
    pub fn otpauth_uri(&self, account: &str) -> Zeroizing<String> {
        let p = Params::CONFIDANT;
        let label = percent_encode(account);
        let secret = self.to_base32();
        let mut uri = Zeroizing::new(String::with_capacity(160 + label.len() + secret.len()));
        uri.push_str("otpauth://totp/");
        uri.push_str(ISSUER);
        uri.push(':');
        uri.push_str(&label);
        uri.push_str("?secret=");
        uri.push_str(&secret);
        uri.push_str("&issuer=");
        uri.push_str(ISSUER);
        uri.push_str("&algorithm=");
        uri.push_str(p.algorithm.uri_name());
        uri.push_str(&format!("&digits={}&period={}", p.digits, p.step));
        uri
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// The code for `unix_time` under `params` (RFC 6238 §4), zero-padded to `params.digits()`.
pub fn code_at(secret: &TotpSecret, unix_time: u64, params: Params) -> String {
    hotp(secret.as_bytes(), params.step_of(unix_time), params)
}

/// Checks a code typed at `unix_time` under [`Params::CONFIDANT`], returning the step it
/// matched, which the caller must store as the account's new `last_used_step`.
///
/// Accepts the current step and one either side (clock skew); refuses a code for any step at
/// or before `last_used_step`, so each code works once and an older one never does. Spaces in
/// the code are ignored ("123 456", as apps show it); anything else but digits is malformed.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    unix_time: u64,
    last_used_step: Option<u64>,
) -> Result<u64, TotpProblem> {
    verify_with(secret, code, unix_time, last_used_step, Params::CONFIDANT)
}

fn verify_with(
    secret: &TotpSecret,
    code: &str,
    unix_time: u64,
    last_used_step: Option<u64>,
    params: Params,
) -> Result<u64, TotpProblem> {
    let typed: String = code.chars().filter(|c| *c != ' ').collect();
    if typed.len() != usize::from(params.digits) || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TotpProblem::Malformed {
            digits: params.digits,
        });
    }
    let now = params.step_of(unix_time);
    let mut replayed = false;
    for step in now.saturating_sub(SKEW_STEPS)..=now.saturating_add(SKEW_STEPS) {
        let expected = hotp(secret.as_bytes(), step, params);
        if constant_time::verify_slices_are_equal(expected.as_bytes(), typed.as_bytes()).is_err() {
            continue;
        }
        if last_used_step.is_some_and(|last| step <= last) {
            replayed = true;
        } else {
            return Ok(step);
        }
    }
    Err(if replayed {
        TotpProblem::Replayed
    } else {
        TotpProblem::Wrong
    })
}

/// HOTP (RFC 4226 §5.3): HMAC of the big-endian counter, dynamic truncation, modulo 10^digits.
fn hotp(key: &[u8], counter: u64, params: Params) -> String {
    let key = hmac::Key::new(params.algorithm.hmac(), key);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    // Tags are 20, 32 or 64 bytes and the offset is at most 15, so these indices always exist.
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    // Params keeps digits within 6..=8, so the power fits a u32.
    let modulus = 10u32.pow(u32::from(params.digits));
    format!(
        "{:0width$}",
        binary % modulus,
        width = usize::from(params.digits)
    )
}

/// Base32 as in RFC 4648 §6, without the `=` padding authenticator apps do not want.
fn base32(bytes: &[u8]) -> Zeroizing<String> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Zeroizing::new(String::with_capacity(bytes.len().div_ceil(5) * 8));
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    buffer.zeroize();
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters (so `@` and `:` too).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B seeds: the ASCII digits "1234567890" repeated to each hash's size.
    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
    const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    fn secret(seed: &[u8]) -> TotpSecret {
        TotpSecret::from_bytes(seed).unwrap()
    }

    #[test]
    fn rfc_6238_appendix_b_test_vectors() {
        // RFC 6238 Appendix B: 8 digits, 30-second steps, T0 = 0.
        let table: [(u64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        let sha1 = Params::new(Algorithm::Sha1, 8, 30).unwrap();
        let sha256 = Params::new(Algorithm::Sha256, 8, 30).unwrap();
        let sha512 = Params::new(Algorithm::Sha512, 8, 30).unwrap();
        for (time, want1, want256, want512) in table {
            assert_eq!(
                code_at(&secret(SEED_SHA1), time, sha1),
                want1,
                "SHA1 at {time}"
            );
            assert_eq!(
                code_at(&secret(SEED_SHA256), time, sha256),
                want256,
                "SHA256 at {time}"
            );
            assert_eq!(
                code_at(&secret(SEED_SHA512), time, sha512),
                want512,
                "SHA512 at {time}"
            );
        }
    }

    #[test]
    fn rfc_4226_appendix_d_hotp_values() {
        // RFC 4226 Appendix D: HOTP of the SHA-1 seed "12345678901234567890", counters 0..9.
        let want = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, want) in (0u64..).zip(want) {
            assert_eq!(
                hotp(SEED_SHA1, counter, Params::CONFIDANT),
                want,
                "counter {counter}"
            );
        }
    }

    #[test]
    fn code_is_accepted_once_then_refused_as_a_replay() {
        let s = secret(SEED_SHA1);
        let now: u64 = 1_700_000_015;
        let code = code_at(&s, now, Params::CONFIDANT);
        let step = verify(&s, &code, now, None).unwrap();
        assert_eq!(step, now / 30);
        assert_eq!(
            verify(&s, &code, now + 5, Some(step)),
            Err(TotpProblem::Replayed)
        );
        // The next step's code still works.
        let next = code_at(&s, now + 30, Params::CONFIDANT);
        assert_eq!(verify(&s, &next, now + 30, Some(step)), Ok(step + 1));
    }

    #[test]
    fn code_older_than_the_last_used_step_is_refused() {
        let s = secret(SEED_SHA1);
        let now: u64 = 1_700_000_015;
        let previous = code_at(&s, now - 30, Params::CONFIDANT);
        // Within the skew window, but a later step was already used.
        assert_eq!(
            verify(&s, &previous, now, Some(now / 30)),
            Err(TotpProblem::Replayed)
        );
    }

    #[test]
    fn one_step_of_skew_either_way_is_accepted_two_are_not() {
        let s = secret(SEED_SHA1);
        let now: u64 = 1_700_000_015;
        let step = now / 30;
        for (offset, want) in [(-30i64, Ok(step - 1)), (30, Ok(step + 1)), (0, Ok(step))] {
            let code = code_at(&s, now.saturating_add_signed(offset), Params::CONFIDANT);
            assert_eq!(verify(&s, &code, now, None), want, "offset {offset}");
        }
        for offset in [-60i64, 60, -90, 90] {
            let code = code_at(&s, now.saturating_add_signed(offset), Params::CONFIDANT);
            // A fixed seed: with a random one, another step's code matches one time in a million.
            assert_eq!(
                verify(&s, &code, now, None),
                Err(TotpProblem::Wrong),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn skew_window_at_the_epoch_does_not_underflow() {
        let s = secret(SEED_SHA1);
        let code = code_at(&s, 0, Params::CONFIDANT);
        assert_eq!(verify(&s, &code, 0, None), Ok(0));
        assert_eq!(verify(&s, &code, 0, Some(0)), Err(TotpProblem::Replayed));
    }

    #[test]
    fn malformed_codes_are_refused_with_a_clear_error() {
        let s = secret(SEED_SHA1);
        for bad in [
            "",
            "12345",
            "1234567",
            "12a456",
            "١٢٣٤٥٦",
            "-12345",
            "12345\n",
            "123-456",
        ] {
            let problem = verify(&s, bad, 59, None).unwrap_err();
            assert_eq!(problem, TotpProblem::Malformed { digits: 6 }, "{bad:?}");
            assert!(problem.to_string().contains("6-digit"));
        }
        // Spaces as apps display them are fine.
        let code = code_at(&s, 59, Params::CONFIDANT);
        let spaced = format!(" {} {} ", &code[..3], &code[3..]);
        assert_eq!(verify(&s, &spaced, 59, None), Ok(1));
    }

    #[test]
    fn wrong_code_is_refused() {
        let s = secret(SEED_SHA1);
        let code = code_at(&s, 59, Params::CONFIDANT);
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(verify(&s, &wrong, 59, None), Err(TotpProblem::Wrong));
    }

    #[test]
    fn base32_matches_rfc_4648_without_padding() {
        let cases = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (input, want) in cases {
            assert_eq!(*base32(input.as_bytes()), want, "{input:?}");
        }
        assert_eq!(
            *secret(SEED_SHA1).to_base32(),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
    }

    #[test]
    fn enrolment_uri_names_issuer_account_and_parameters() {
        let uri = secret(SEED_SHA1).otpauth_uri("ada.l+work@example.org");
        assert_eq!(
            *uri,
            "otpauth://totp/Confidant:ada.l%2Bwork%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=Confidant&algorithm=SHA1&digits=6&period=30"
        );
    }

    #[test]
    fn generated_secrets_are_20_random_bytes_and_print_redacted() {
        let (a, b) = (
            TotpSecret::generate().unwrap(),
            TotpSecret::generate().unwrap(),
        );
        assert_eq!(a.as_bytes().len(), SECRET_LEN);
        assert_ne!(a.as_bytes(), b.as_bytes());
        assert_eq!(format!("{a:?}"), "[REDACTED]");
        assert_eq!(a.to_base32().len(), 32);
    }

    #[test]
    fn secrets_shorter_than_128_bits_or_longer_than_64_bytes_are_refused() {
        assert_eq!(
            TotpSecret::from_bytes(&[7; 15]).unwrap_err(),
            TotpProblem::BadSecret
        );
        assert_eq!(
            TotpSecret::from_bytes(&[7; 65]).unwrap_err(),
            TotpProblem::BadSecret
        );
        assert!(TotpSecret::from_bytes(&[7; 16]).is_ok());
    }

    #[test]
    fn params_outside_6_to_8_digits_or_with_a_zero_step_are_refused() {
        assert_eq!(
            Params::new(Algorithm::Sha1, 5, 30),
            Err(TotpProblem::BadParams)
        );
        assert_eq!(
            Params::new(Algorithm::Sha1, 9, 30),
            Err(TotpProblem::BadParams)
        );
        assert_eq!(
            Params::new(Algorithm::Sha1, 6, 0),
            Err(TotpProblem::BadParams)
        );
        assert_eq!(Params::new(Algorithm::Sha1, 6, 30), Ok(Params::CONFIDANT));
        assert_eq!(Params::CONFIDANT.step_seconds(), 30);
    }
}
