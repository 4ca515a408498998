//! One review session per analyst: an advisory lock on a file in the analyst's gold folder.
//!
//! A second instance for the same analyst learns that the first is running (and which process
//! on which machine holds it) and can open read-only. The lock is the operating system's
//! (`flock` on Unix), so it is released when the process ends, however it ends.
//!
//! The lock file is opened without following a symbolic link (`O_NOFOLLOW`) and must be a
//! regular file: taking the lock truncates it, and a link planted there would truncate its
//! target instead.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file's name inside `gold/<analyst>/`.
pub const LOCK_FILE: &str = ".tadqiq.lock";

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct AnalystLock {
    _file: File,
    path: PathBuf,
}

impl AnalystLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("another tadqiq is reviewing as this analyst ({holder})")]
    Busy {
        /// What the holder wrote in the lock file: its pid and host.
        holder: String,
    },
    /// The folder or file could not be used.
    #[error("{path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
}

/// Takes the lock of the gold folder `dir`, creating the folder if needed.
pub fn lock(dir: &Path) -> Result<AnalystLock, LockError> {
    let path = dir.join(LOCK_FILE);
    let io_err = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(dir).map_err(io_err)?;
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    // Not following a link, and not waiting on a FIFO planted there.
    super::without_waiting(&mut options, super::Links::Refuse);
    let mut file = options.open(&path).map_err(|e| {
        if is_link_refused(&e, &path) {
            io_err(io::Error::other(
                "is a symbolic link; tadqiq does not write through links",
            ))
        } else {
            io_err(e)
        }
    })?;
    if !file.metadata().map_err(io_err)?.is_file() {
        return Err(io_err(io::Error::other("is not a regular file")));
    }
    match file.try_lock() {
        Ok(()) => {
            let me = format!("pid {} on {}", std::process::id(), host());
            file.set_len(0).map_err(io_err)?;
            file.rewind().map_err(io_err)?;
            file.write_all(me.as_bytes()).map_err(io_err)?;
            Ok(AnalystLock { _file: file, path })
        }
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            Err(LockError::Busy {
                holder: if holder.is_empty() {
                    "unknown process".into()
                } else {
                    holder.to_string()
                },
            })
        }
        Err(TryLockError::Error(e)) => Err(io_err(e)),
    }
}

/// Whether opening `path` failed because it is a link (`ELOOP` under `O_NOFOLLOW`).
fn is_link_refused(e: &io::Error, path: &Path) -> bool {
    e.kind() != io::ErrorKind::NotFound
        && fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn host() -> String {
    fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "this machine".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path()).unwrap();
        match lock(dir.path()) {
            Err(LockError::Busy { holder }) => {
                assert!(holder.contains(&std::process::id().to_string()), "{holder}")
            }
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        lock(dir.path()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_the_lock_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.yaml");
        fs::write(&victim, "precious").unwrap();
        let gold = dir.path().join("gold");
        fs::create_dir(&gold).unwrap();
        std::os::unix::fs::symlink(&victim, gold.join(LOCK_FILE)).unwrap();
        let err = lock(&gold).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        // A dangling link is not followed to create its target either.
        let gone = dir.path().join("gone");
        fs::remove_file(gold.join(LOCK_FILE)).unwrap();
        std::os::unix::fs::symlink(&gone, gold.join(LOCK_FILE)).unwrap();
        assert!(lock(&gold).is_err());
        assert!(!gone.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_in_place_of_the_lock_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(dir.path().join(LOCK_FILE))
            .status()
            .unwrap();
        assert!(status.success());
        let err = lock(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }
}
