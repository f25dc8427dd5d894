//! File-system checks for `init`: the data directory must be new or empty, and secrets (key
//! file, token file) must live outside it so a copy of the data directory never carries them.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, Result, bail};

/// An absolute, normalised form of `path`, resolving symlinks of whatever part exists already.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    let absolute =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let mut existing = absolute.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for part in rest.into_iter().rev() {
        out.push(part);
    }
    // `absolute` keeps `..`; fold them so the containment check is honest.
    let mut folded = PathBuf::new();
    for c in out.components() {
        match c {
            Component::ParentDir => {
                folded.pop();
            }
            Component::CurDir => {}
            other => folded.push(other),
        }
    }
    Ok(folded)
}

/// Refuses a secret file placed inside the data directory.
pub fn check_outside(flag: &str, file: &Path, data_dir: &Path) -> Result<()> {
    if resolve(file)?.starts_with(resolve(data_dir)?) {
        bail!(
            "{flag} {} is inside the data directory {}; keep it elsewhere so backups and copies of the data never carry it",
            file.display(),
            data_dir.display()
        );
    }
    Ok(())
}

/// Refuses a data directory that exists and holds anything (or is not a directory).
pub fn check_empty_or_missing(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let mut entries = fs::read_dir(dir)
        .with_context(|| format!("cannot read {} as a directory", dir.display()))?;
    if entries.next().is_some() {
        bail!(
            "{} is not empty; init needs a new or empty directory",
            dir.display()
        );
    }
    Ok(())
}

/// Makes sure `dir` is a new or empty directory (mode 0700); returns whether it was created.
pub fn prepare_empty_dir(dir: &Path) -> Result<bool> {
    if dir.exists() {
        check_empty_or_missing(dir)?;
        restrict(dir, 0o700)?;
        return Ok(false);
    }
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    restrict(dir, 0o700)?;
    Ok(true)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot restrict permissions of {}", path.display()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// A secret file created exclusively (mode 0600), removed again unless it is written and kept.
pub struct NewFile {
    path: PathBuf,
    file: Option<File>,
}

impl NewFile {
    /// Creates `path`, refusing to overwrite anything.
    pub fn create(path: &Path) -> Result<Self> {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let file = opts.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                anyhow::anyhow!("{} already exists; choose a new path", path.display())
            } else {
                anyhow::Error::from(e)
            }
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            file: Some(file),
        })
    }

    /// Writes `contents`, syncs, and keeps the file.
    pub fn write_all_and_keep(&mut self, contents: &[u8]) -> Result<()> {
        let mut file = self.file.take().context("file already written")?;
        file.write_all(contents)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_inside_the_data_dir_is_refused_however_it_is_spelled() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        assert!(check_outside("--key-file", &data.join("k"), &data).is_err());
        assert!(check_outside("--key-file", &data.join("sub/../k"), &data).is_err());
        assert!(check_outside("--key-file", &tmp.path().join("k"), &data).is_ok());
        assert!(check_outside("--key-file", &tmp.path().join("data2/k"), &data).is_ok());
    }

    #[test]
    fn an_unwritten_new_file_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("t");
        drop(NewFile::create(&p).unwrap());
        assert!(!p.exists());
        let mut f = NewFile::create(&p).unwrap();
        f.write_all_and_keep(b"x").unwrap();
        drop(f);
        assert!(p.exists());
        assert!(NewFile::create(&p).is_err());
    }
}
