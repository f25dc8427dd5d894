//! Attachment blobs as files: one file per attachment under `<data dir>/blobs/`, named by the
//! attachment's id and holding only the ciphertext of the attachment stream format.
//!
//! A blob is written to a temporary `<id>.<random>.part` file in the same directory, then
//! committed by syncing it, renaming it to `<id>` (atomic on one file system) and syncing the
//! directory, so after a crash a blob is either complete under its name or not there at all.
//! A writer dropped without committing deletes its temporary file; temporary files a crash
//! left behind are removed the next time the store opens, once nothing has written to them for
//! an hour. This module must never see a key or plaintext, and never hand out a temporary file.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use confidant_core::ids::AttachmentId;
use confidant_core::ports::{BlobStore, BlobWriter, StoreError, StoreResult};

/// Name of the blob directory inside the data directory; backups must include it.
pub const BLOB_DIR: &str = "blobs";
/// Suffix of blobs still being written.
const PART_SUFFIX: &str = ".part";
/// A temporary file untouched for this long belongs to no running upload.
const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// Attachment blobs in one directory on the local file system.
#[derive(Debug)]
pub struct FsBlobStore {
    dir: PathBuf,
}

fn unavailable(op: &'static str, e: &io::Error) -> StoreError {
    StoreError::Unavailable(format!("{op}: {e}"))
}

impl FsBlobStore {
    /// Opens (creating if needed, readable only by its owner) the blob directory `dir`, and
    /// removes temporary files abandoned by a crash.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        let op = "open blob directory";
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| unavailable(op, &e))?;
        let store = Self {
            dir: dir.to_path_buf(),
        };
        store.remove_stale_parts(SystemTime::now())?;
        Ok(store)
    }

    /// The blob store of a data directory: `<data>/blobs`.
    pub fn in_data_dir(data_dir: &Path) -> StoreResult<Self> {
        Self::open(&data_dir.join(BLOB_DIR))
    }

    /// The directory the blobs are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, id: AttachmentId) -> PathBuf {
        self.dir.join(id.to_string())
    }

    /// Deletes temporary files not modified for `STALE_AFTER` before `now`.
    fn remove_stale_parts(&self, now: SystemTime) -> StoreResult<()> {
        let op = "remove abandoned blob uploads";
        for entry in fs::read_dir(&self.dir).map_err(|e| unavailable(op, &e))? {
            let entry = entry.map_err(|e| unavailable(op, &e))?;
            if !entry.file_name().to_string_lossy().ends_with(PART_SUFFIX) {
                continue;
            }
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .map_err(|e| unavailable(op, &e))?;
            let idle = now.duration_since(modified).unwrap_or_default();
            if idle >= STALE_AFTER {
                match fs::remove_file(entry.path()) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => {
                        return Err(unavailable(op, &e));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

/// Makes a rename or removal in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl BlobStore for FsBlobStore {
    fn begin(&self, id: AttachmentId) -> StoreResult<Box<dyn BlobWriter>> {
        let op = "begin blob";
        let target = self.path_of(id);
        if target.exists() {
            return Err(StoreError::Conflict(format!(
                "{op}: that blob already exists"
            )));
        }
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let temp = self.dir.join(format!("{id}.{nonce}{PART_SUFFIX}"));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&temp).map_err(|e| unavailable(op, &e))?;
        Ok(Box::new(FsBlobWriter {
            file,
            temp,
            target,
            dir: self.dir.clone(),
            committed: false,
        }))
    }

    fn open(&self, id: AttachmentId) -> StoreResult<Option<Box<dyn Read + Send>>> {
        match File::open(self.path_of(id)) {
            Ok(file) => Ok(Some(Box::new(file))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable("open blob", &e)),
        }
    }

    fn delete(&self, id: AttachmentId) -> StoreResult<bool> {
        let op = "delete blob";
        match fs::remove_file(self.path_of(id)) {
            Ok(()) => {
                sync_dir(&self.dir).map_err(|e| unavailable(op, &e))?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(unavailable(op, &e)),
        }
    }
}

/// A blob being written to its temporary file.
struct FsBlobWriter {
    file: File,
    temp: PathBuf,
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Write for FsBlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl BlobWriter for FsBlobWriter {
    fn commit(mut self: Box<Self>) -> StoreResult<()> {
        let op = "commit blob";
        self.file.sync_all().map_err(|e| unavailable(op, &e))?;
        // Attachment ids are random, so this only catches a caller's mistake; the check and
        // the rename are not one step.
        if self.target.exists() {
            return Err(StoreError::Conflict(format!(
                "{op}: that blob already exists"
            )));
        }
        fs::rename(&self.temp, &self.target).map_err(|e| unavailable(op, &e))?;
        self.committed = true;
        sync_dir(&self.dir).map_err(|e| unavailable(op, &e))
    }
}

impl Drop for FsBlobWriter {
    fn drop(&mut self) {
        if !self.committed {
            // Nothing to report to: the upload has already failed, and a leftover is removed
            // at the next open.
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts_in(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(PART_SUFFIX))
            .collect()
    }

    #[test]
    fn temporary_files_idle_for_an_hour_are_removed_and_fresh_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        let old = store.begin(AttachmentId::random()).unwrap();
        let fresh = store.begin(AttachmentId::random()).unwrap();
        assert_eq!(parts_in(root.path()).len(), 2);
        // A crash leaves both behind; forget the writers so they do not clean up.
        std::mem::forget(old);
        std::mem::forget(fresh);
        let names = parts_in(root.path());
        let hour_ago = SystemTime::now() - STALE_AFTER - Duration::from_secs(5);
        File::options()
            .write(true)
            .open(root.path().join(&names[0]))
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        let reopened = FsBlobStore::open(root.path()).unwrap();
        assert_eq!(parts_in(reopened.dir()), vec![names[1].clone()]);
    }

    #[test]
    fn a_commit_over_an_existing_blob_is_a_conflict_and_keeps_the_first() {
        let root = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(root.path()).unwrap();
        let id = AttachmentId::random();
        let mut first = store.begin(id).unwrap();
        let mut second = store.begin(id).unwrap();
        first.write_all(b"first").unwrap();
        second.write_all(b"second").unwrap();
        first.commit().unwrap();
        assert!(matches!(second.commit(), Err(StoreError::Conflict(_))));
        let mut kept = Vec::new();
        store
            .open(id)
            .unwrap()
            .unwrap()
            .read_to_end(&mut kept)
            .unwrap();
        assert_eq!(kept, b"first");
        assert!(parts_in(root.path()).is_empty());
    }
}
