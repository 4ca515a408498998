//! Saving without ever leaving a truncated file: write a temporary file in the target's own
//! folder, flush it to disk, rename it over the target, then flush the folder.
//!
//! A crash or kill at any instant leaves either the old file or the new one. A full disk fails
//! the write of the temporary file, which is removed, and the old file is untouched. The
//! temporary files are named `.<name>.<random>.tmp` so that listings skip them.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically, creating its folder if needed.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// A file written as a stream (an export) that appears at its path, whole, only when
/// [`AtomicFile::commit`] is called; dropped without it, it leaves nothing behind.
pub struct AtomicFile {
    tmp: io::BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
    dir: PathBuf,
}

impl AtomicFile {
    /// Starts writing `path` (its folder is created if needed).
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        fs::create_dir_all(dir)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)?;
        Ok(AtomicFile {
            tmp: io::BufWriter::with_capacity(1 << 16, tmp),
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
        })
    }

    /// Flushes the file to disk and renames it over its path.
    pub fn commit(self) -> io::Result<()> {
        let tmp = self.tmp.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        sync_dir(&self.dir)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Windows cannot open a folder as a file; its renames are journaled by NTFS.
        let _ = dir;
        Ok(())
    }
}

/// Whether a file name is one of our temporary files (left over if a save was killed).
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.yaml");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["x.yaml"]);
        assert!(is_temporary(".x.yaml.a8Xk2.tmp"));
        assert!(!is_temporary("x.yaml"));
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_write_keeps_the_old_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.yaml");
        write(&path, b"old").unwrap();
        // A folder we cannot write to stands for a full disk: the temporary file can't exist.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
        let result = write(&path, b"new");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        if result.is_ok() {
            // Running as root ignores permissions; nothing to learn here.
            return;
        }
        assert_eq!(fs::read(&path).unwrap(), b"old");
    }
}
