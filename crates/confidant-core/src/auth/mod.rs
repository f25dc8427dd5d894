//! Authentication primitives for staff: password policy and hashing (`password`), the TOTP
//! second factor (`totp`) and single-use recovery codes (`recovery`).
//!
//! Everything here is a pure function or a secret type: the caller passes the time, stores the
//! hashes, digests and last accepted TOTP step, and writes the audit events. Nothing here may
//! touch storage, the clock, HTTP or logs, format a secret anywhere but its one intended reader,
//! or implement a cryptographic primitive itself (Argon2id comes from `argon2`, HMAC, SHA-256 and
//! randomness from `aws-lc-rs`).

pub mod password;
pub mod recovery;
pub mod totp;
