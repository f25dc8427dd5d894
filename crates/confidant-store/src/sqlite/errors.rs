//! Turns SQLite failures into the port's `StoreError`, which a caller can act on.
//!
//! Messages name the operation, and SQLite's own code and text (which name tables and columns,
//! never values). This module must never format a stored value, a parameter or a row.

use confidant_core::ports::StoreError;
use rusqlite::ffi;

/// Maps a failure of operation `op` (e.g. `insert note`).
pub(crate) fn db_error(op: &'static str, e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) => sqlite_failure(op, f, msg.as_deref()),
        // A column that does not decode: the row is not what the schema promises. The
        // variants' own text can carry the value, so only its position is named.
        rusqlite::Error::FromSqlConversionFailure(i, ..)
        | rusqlite::Error::InvalidColumnType(i, ..)
        | rusqlite::Error::IntegralValueOutOfRange(i, _) => StoreError::Corrupt(format!(
            "{op}: column {i} has the wrong type, size or range"
        )),
        rusqlite::Error::QueryReturnedNoRows => {
            StoreError::Corrupt(format!("{op}: expected a row, found none"))
        }
        _ => StoreError::Unavailable(format!("{op}: the SQLite driver failed")),
    }
}

fn sqlite_failure(op: &'static str, f: ffi::Error, msg: Option<&str>) -> StoreError {
    let detail = msg.unwrap_or("no detail");
    match f.extended_code {
        ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
            StoreError::Conflict(format!("{op}: that row already exists ({detail})"))
        }
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => StoreError::Conflict(format!("{op}: no such client")),
        code => StoreError::Unavailable(format!("{op}: SQLite error {code} ({detail})")),
    }
}

/// A failure that is not SQLite's, e.g. a poisoned lock or a file the OS refused.
pub(crate) fn unavailable(op: &'static str, why: &str) -> StoreError {
    StoreError::Unavailable(format!("{op}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(extended_code: i32, msg: &str) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(extended_code), Some(msg.to_owned()))
    }

    #[test]
    fn duplicate_keys_and_missing_clients_are_conflicts() {
        let dup = db_error(
            "insert note",
            failure(ffi::SQLITE_CONSTRAINT_PRIMARYKEY, "x"),
        );
        assert!(matches!(dup, StoreError::Conflict(_)));
        let fk = db_error(
            "insert note",
            failure(ffi::SQLITE_CONSTRAINT_FOREIGNKEY, "x"),
        );
        assert_eq!(
            fk.to_string(),
            "conflicting write: insert note: no such client"
        );
    }

    #[test]
    fn engine_failures_are_unavailable_with_code_and_text() {
        let e = db_error(
            "insert note",
            failure(ffi::SQLITE_FULL, "database or disk is full"),
        );
        assert!(matches!(e, StoreError::Unavailable(_)));
        assert!(
            e.to_string()
                .contains("insert note: SQLite error 13 (database or disk is full)")
        );
    }

    #[test]
    fn out_of_range_columns_are_corrupt_without_the_value() {
        let e = db_error(
            "read client",
            rusqlite::Error::IntegralValueOutOfRange(1, 987_654_321_987),
        );
        assert!(matches!(e, StoreError::Corrupt(_)));
        assert!(!e.to_string().contains("987654321987"));
    }
}
