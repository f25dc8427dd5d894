//! Confidant's domain core: practice, clients, notes, tokens, and the services that seal
//! before storing and open after loading.
//!
//! It knows nothing of HTTP or SQL: storage and the clock are ports (`ports`). It must never
//! hand plaintext client data to a port, and never put client content in an error.

pub mod ids;
pub mod ports;
