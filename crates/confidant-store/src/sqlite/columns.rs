//! Conversions between the port's types and SQLite column values, shared by every table.
//!
//! Ids are stored as their 16 UUID bytes and sealed values as their bytes, unchanged. This
//! module must never interpret sealed bytes.

use confidant_crypto::Sealed;
use rusqlite::Row;
use uuid::Uuid;

/// Reads a 16-byte id column.
pub(crate) fn uuid(row: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    row.get::<_, [u8; 16]>(i).map(Uuid::from_bytes)
}

/// Reads a nullable 16-byte id column.
pub(crate) fn optional_uuid(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    row.get::<_, Option<[u8; 16]>>(i)
        .map(|id| id.map(Uuid::from_bytes))
}

/// Reads a sealed column as the opaque bytes it is.
pub(crate) fn sealed<T: ?Sized>(row: &Row<'_>, i: usize) -> rusqlite::Result<Sealed<T>> {
    row.get::<_, Vec<u8>>(i).map(Sealed::from_bytes)
}

/// A row limit as SQLite takes it; anything beyond `i64` means "no limit" anyway.
pub(crate) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
