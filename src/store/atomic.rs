//! Saving without ever leaving a truncated file: write a temporary file in the target's own
//! folder, flush it to disk, rename it over the target, then flush the folder.
//!
//! A crash or kill at any instant leaves either the old file or the new one. A full disk fails
//! the write of the temporary file, which is removed, and the old file is untouched. The
//! temporary files are named `.<name>.<random>.tmp` so that listings skip them.
//!
//! [`write()`] and [`AtomicFile`] pay two flushes per file (the file's and the folder's), a few
//! milliseconds each; [`Batch`] saves many files with the same guarantee and a fixed number of
//! flushes for all of them, for imports of millions of files. [`Output`] is where a command's
//! output goes: standard output, a FIFO or a device written straight, a file atomically.
//!
//! A new file's mode follows the umask, as any program's would (files of a team's shared
//! corpus stay readable by the team); a replaced file keeps its mode.
//!
//! The temporary file of an [`AtomicFile`] is locked (`flock`) while it is written, so that a
//! later [`AtomicFile`] for the same target can tell a live write from one that was killed,
//! and removes the latter's temporary file (an export can leave a full-size one).

use std::collections::{BTreeSet, HashSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically, creating its folder if needed.
///
/// Leaves other temporary files alone: this is the path of every save of the review screen,
/// and listing a folder of 100 000 gold files per save would cost more than a killed save's
/// small leftover (which `check` reports).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::start(path, false)?;
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
    /// Starts writing `path` (its folder is created if needed), first removing the temporary
    /// files a killed write of the same path left (those nobody holds locked).
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        AtomicFile::start(path, true)
    }

    fn start(path: &Path, clean: bool) -> io::Result<AtomicFile> {
        let dir = folder(path);
        fs::create_dir_all(dir)?;
        if clean {
            remove_stale_temporaries(dir, path);
        }
        let tmp = temporary(dir, path)?;
        // Held until the file is closed (renamed or removed): a write in progress.
        tmp.as_file().try_lock().map_err(io::Error::from)?;
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

/// Where a command writes what the user asked for with `--out PATH`.
///
/// - `-`, `/dev/stdout` and `/dev/fd/1`: standard output, as it is (a terminal, a pipe, a
///   redirected file);
/// - a FIFO, a character device or a socket: written straight, as `>` would, never replaced by
///   a regular file (which would lose the output and, as root, a device node);
/// - a symbolic link: refused, since replacing it would not write where it points and writing
///   through it would write somewhere the command line does not say;
/// - anything else: an [`AtomicFile`], so the file appears whole or not at all.
pub enum Output {
    /// Standard output.
    Stdout(io::BufWriter<io::Stdout>),
    /// A FIFO or device, written as it is read.
    Straight(io::BufWriter<File>),
    /// A regular file, replaced on commit.
    Atomic(AtomicFile),
}

impl Output {
    /// Opens `path` as the type's documentation says.
    pub fn open(path: &Path) -> io::Result<Output> {
        let stdout = Output::stdout;
        if path == Path::new("-")
            || path == Path::new("/dev/stdout")
            || path == Path::new("/dev/fd/1")
        {
            return Ok(stdout());
        }
        match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => Err(io::Error::other(
                "is a symbolic link: give the file it points to (or `-` for standard output)",
            )),
            Ok(m) if m.is_dir() => Err(io::Error::other("is a folder")),
            Ok(m) if !m.is_file() => {
                // A FIFO waits here for its reader, as a shell's `>` does.
                let file = fs::OpenOptions::new().write(true).open(path)?;
                Ok(Output::Straight(io::BufWriter::with_capacity(
                    1 << 16,
                    file,
                )))
            }
            _ => Ok(Output::Atomic(AtomicFile::create(path)?)),
        }
    }

    /// Standard output.
    pub fn stdout() -> Output {
        Output::Stdout(io::BufWriter::with_capacity(1 << 16, io::stdout()))
    }

    /// Whether what is written appears only on [`Output::commit`] (a file), rather than as it
    /// is written (a stream).
    pub fn is_atomic(&self) -> bool {
        matches!(self, Output::Atomic(_))
    }

    /// Whether the output is a terminal, where text must be made safe to show.
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        match self {
            Output::Stdout(_) => io::stdout().is_terminal(),
            Output::Straight(w) => w.get_ref().is_terminal(),
            Output::Atomic(_) => false,
        }
    }

    /// Finishes the output: flushes it, and for a file, puts it in place.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::Straight(mut w) => w.flush(),
            Output::Atomic(f) => f.commit(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Straight(w) => w.write(buf),
            Output::Atomic(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Straight(w) => w.flush(),
            Output::Atomic(f) => f.flush(),
        }
    }
}

/// How many files a [`Batch`] holds before [`Batch::is_full`] says to commit it.
pub const BATCH_FILES: usize = 512;

/// How many bytes a [`Batch`] holds before [`Batch::is_full`] says to commit it.
pub const BATCH_BYTES: u64 = 16 << 20;

/// Many files saved together, each with the guarantee of [`write()`], for a fixed number of
/// flushes per batch instead of two per file.
///
/// [`Batch::add`] writes the bytes to a temporary file beside the target without flushing it.
/// [`Batch::commit`] then:
///
/// 1. makes the data of all the temporary files durable at once: on Linux with one
///    `syncfs(2)` per file system touched; elsewhere `add` has flushed each file already;
/// 2. renames each temporary file over its target, in the order added;
/// 3. flushes each folder touched once, so that the renames are durable;
/// 4. only then removes the files given to [`Batch::remove`] (and flushes their folders), so
///    that a crash cannot leave a file removed while the files written with it are lost.
///
/// At every instant each target holds either its old content or the whole new one. A batch
/// dropped without commit (a failed write, a panic) removes its temporary files and leaves
/// every target as it was; a kill leaves them as hidden `.<name>.<random>.tmp` files.
///
/// A path is in a batch at most once: a second `add` or `remove` of it is refused
/// (`InvalidInput`). "The later wins" would have to undo the earlier temporary file and would
/// hide a caller's mistake; a caller that means it commits first.
///
/// `syncfs` flushes every dirty file of the file system, not only the batch's, so a commit on
/// a file system busy with other writes waits for those too. It reports write-back errors
/// (a disk found full only then, a failing device) since Linux 5.8, for errors that happened
/// after the folder was opened: the folder is opened when its first file is added.
pub struct Batch {
    entries: Vec<Entry>,
    /// The targets of `entries`, to refuse a second entry for one path.
    paths: HashSet<PathBuf>,
    /// The folders written to since the last commit, created and (on Linux) opened once.
    dirs: HashSet<PathBuf>,
    /// One open folder per file system written to (by device number), for `syncfs`.
    #[cfg(target_os = "linux")]
    filesystems: Vec<(u64, PathBuf, File)>,
    bytes: u64,
    max_files: usize,
    max_bytes: u64,
}

struct Entry {
    path: PathBuf,
    op: Op,
}

enum Op {
    /// A temporary file to rename over the target (removed when dropped); `replace` false
    /// when the target must not exist by then.
    Write {
        tmp: tempfile::TempPath,
        replace: bool,
    },
    Remove,
}

/// A batch's file that could not be saved, or the folder that could not be flushed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct BatchError {
    /// The file or folder.
    pub path: PathBuf,
    /// What failed.
    #[source]
    pub source: io::Error,
}

impl BatchError {
    fn new(path: &Path, source: io::Error) -> BatchError {
        BatchError {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl Default for Batch {
    fn default() -> Batch {
        Batch::new()
    }
}

impl Batch {
    /// An empty batch, full at [`BATCH_FILES`] files or [`BATCH_BYTES`] bytes.
    pub fn new() -> Batch {
        Batch::with_limits(BATCH_FILES, BATCH_BYTES)
    }

    /// An empty batch, full at `files` files or `bytes` bytes, whichever comes first.
    pub fn with_limits(files: usize, bytes: u64) -> Batch {
        Batch {
            entries: Vec::new(),
            paths: HashSet::new(),
            dirs: HashSet::new(),
            #[cfg(target_os = "linux")]
            filesystems: Vec::new(),
            bytes: 0,
            max_files: files,
            max_bytes: bytes,
        }
    }

    /// Saves `bytes` at `path` on commit, replacing what is there then (its folder is created
    /// now if needed).
    pub fn add(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.write(path, bytes, true)
    }

    /// Saves `bytes` at `path` on commit, which fails (`AlreadyExists`) and leaves the file
    /// alone if `path` exists by then: for a caller that saw no file there, so that a file
    /// made meanwhile (by another program, or by a twin name on a case-insensitive file
    /// system) is never overwritten.
    pub fn add_new(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.write(path, bytes, false)
    }

    /// Removes `path` on commit, after the batch's files are saved and durable; a file that is
    /// gone by then is fine.
    pub fn remove(&mut self, path: &Path) -> io::Result<()> {
        self.claim(path)?;
        self.entries.push(Entry {
            path: path.to_path_buf(),
            op: Op::Remove,
        });
        Ok(())
    }

    /// Whether `path` is in the batch (added or to be removed).
    pub fn contains(&self, path: &Path) -> bool {
        self.paths.contains(path)
    }

    /// Whether the batch holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the batch has reached its number of files or bytes: time to commit.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_files || self.bytes >= self.max_bytes
    }

    /// Saves and removes the batch's files as the type's documentation says, and leaves the
    /// batch empty for more. On an error the files not yet renamed are left as they were and
    /// their temporary files removed; files renamed before it stay saved, and no file is
    /// removed.
    pub fn commit(&mut self) -> Result<(), BatchError> {
        let entries = std::mem::take(&mut self.entries);
        self.paths.clear();
        self.dirs.clear();
        self.bytes = 0;
        // A failure returns here, before any rename: dropping `entries` removes the
        // temporary files.
        #[cfg(target_os = "linux")]
        for (_, dir, handle) in std::mem::take(&mut self.filesystems) {
            rustix::fs::syncfs(&handle).map_err(|e| BatchError::new(&dir, e.into()))?;
        }
        let mut renamed = BTreeSet::new();
        let mut removals = Vec::new();
        let mut failed = None;
        for Entry { path, op } in entries {
            match op {
                Op::Remove => removals.push(path),
                // After a failure, the rest are dropped: their temporary files removed.
                Op::Write { .. } if failed.is_some() => {}
                Op::Write { tmp, replace } => {
                    let result = if replace {
                        tmp.persist(&path)
                    } else {
                        tmp.persist_noclobber(&path)
                    };
                    match result {
                        Ok(()) => {
                            renamed.insert(folder(&path).to_path_buf());
                        }
                        Err(e) if !replace && e.error.kind() == io::ErrorKind::AlreadyExists => {
                            let message = "appeared while this was being saved: left as it is";
                            let source = io::Error::new(io::ErrorKind::AlreadyExists, message);
                            failed = Some(BatchError::new(&path, source));
                        }
                        Err(e) => failed = Some(BatchError::new(&path, e.error)),
                    }
                }
            }
        }
        // The renames done are made durable even when a later one failed.
        let synced = sync_dirs(&renamed);
        if let Some(e) = failed {
            return Err(e);
        }
        synced?;
        let mut emptied = BTreeSet::new();
        let mut failed = None;
        for path in removals {
            match fs::remove_file(&path) {
                Ok(()) => {
                    emptied.insert(folder(&path).to_path_buf());
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    failed = Some(BatchError::new(&path, e));
                    break;
                }
            }
        }
        let synced = sync_dirs(&emptied);
        match failed {
            Some(e) => Err(e),
            None => synced,
        }
    }

    fn write(&mut self, path: &Path, bytes: &[u8], replace: bool) -> io::Result<()> {
        self.claim(path)?;
        let dir = folder(path);
        self.watch(dir)?;
        let mut tmp = temporary(dir, path)?;
        // A failure from here drops `tmp`, which removes the temporary file.
        tmp.write_all(bytes)?;
        #[cfg(not(target_os = "linux"))]
        tmp.as_file().sync_all()?;
        self.entries.push(Entry {
            path: path.to_path_buf(),
            // Closes the file (a batch must not hold hundreds open); the path keeps removing
            // it when dropped.
            op: Op::Write {
                tmp: tmp.into_temp_path(),
                replace,
            },
        });
        self.paths.insert(path.to_path_buf());
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// Refuses a second entry for `path`.
    fn claim(&self, path: &Path) -> io::Result<()> {
        if self.paths.contains(path) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is already in this batch", path.display()),
            ));
        }
        Ok(())
    }

    /// Creates `dir` if needed and, the first time it is written to, remembers it: on Linux,
    /// an open folder for `syncfs` per file system, opened before any of its files is written
    /// so that `syncfs` reports their write-back errors.
    fn watch(&mut self, dir: &Path) -> io::Result<()> {
        if self.dirs.contains(dir) {
            return Ok(());
        }
        fs::create_dir_all(dir)?;
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::MetadataExt;
            let handle = File::open(dir)?;
            let device = handle.metadata()?.dev();
            if !self.filesystems.iter().any(|(d, _, _)| *d == device) {
                self.filesystems.push((device, dir.to_path_buf(), handle));
            }
        }
        self.dirs.insert(dir.to_path_buf());
        Ok(())
    }
}

/// Flushes each folder of `dirs`, all of them even when one fails; the first failure.
fn sync_dirs(dirs: &BTreeSet<PathBuf>) -> Result<(), BatchError> {
    let mut first = Ok(());
    for dir in dirs {
        if let Err(e) = sync_dir(dir)
            && first.is_ok()
        {
            first = Err(BatchError::new(dir, e));
        }
    }
    first
}

/// The folder `path` is saved in.
fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A new temporary file for `path` in its folder `dir`, named `.<name>.<random>.tmp`, with
/// the mode `path` has if it exists, else the umask's.
fn temporary(dir: &Path, path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let prefix = temporary_prefix(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Filtered by the umask when the file is created, as for any new file.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir)?;
    if let Ok(old) = fs::symlink_metadata(path)
        && old.is_file()
    {
        tmp.as_file().set_permissions(old.permissions())?;
    }
    Ok(tmp)
}

/// `.<name>.`: how the temporary files of `path` start.
fn temporary_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

/// Removes the temporary files of `path` in `dir` that no live write holds locked: what a
/// killed [`AtomicFile`] left. Best effort: a file that cannot be opened or removed stays.
fn remove_stale_temporaries(dir: &Path, path: &Path) {
    let prefix = temporary_prefix(path);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(random) = name
            .strip_prefix(prefix.as_str())
            .and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        // Only our own naming: six random letters or digits.
        if random.len() != 6 || !random.bytes().all(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        if !e.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let stale = e.path();
        let mut options = fs::OpenOptions::new();
        options.read(true);
        let Ok(file) = super::without_waiting(&mut options, super::Links::Refuse).open(&stale)
        else {
            continue;
        };
        if file.try_lock().is_ok() {
            let _ = fs::remove_file(&stale);
        }
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
pub(crate) mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.yaml");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(names(path.parent().unwrap()), ["x.yaml"]);
        assert!(is_temporary(".x.yaml.a8Xk2.tmp"));
        assert!(!is_temporary("x.yaml"));
    }

    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // The umask of this process, read without changing it for other threads for long.
        let umask = {
            let probe = dir.path().join("probe");
            fs::write(&probe, "").unwrap();
            0o666 & !mode(&probe)
        };
        let new = dir.path().join("new.yaml");
        write(&new, b"x").unwrap();
        assert_eq!(mode(&new), 0o666 & !umask);
        let shared = dir.path().join("shared.yaml");
        fs::write(&shared, "old").unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o664)).unwrap();
        write(&shared, b"new").unwrap();
        assert_eq!(mode(&shared), 0o664);
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o600)).unwrap();
        write(&shared, b"newer").unwrap();
        assert_eq!(mode(&shared), 0o600);
    }

    #[test]
    fn a_killed_writes_temporary_is_removed_by_the_next_write_of_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("export.jsonl");
        // What a killed export leaves: its temporary file, unlocked once the process is gone.
        fs::write(dir.path().join(".export.jsonl.a8Xk2Z.tmp"), "half").unwrap();
        // Others' files that look alike are not ours to remove.
        fs::write(dir.path().join(".export.jsonl.notours.tmp"), "").unwrap();
        fs::write(dir.path().join(".other.jsonl.b8Xk2Z.tmp"), "").unwrap();
        // A write in progress holds its temporary file locked: left alone.
        let live = AtomicFile::create(&out).unwrap();
        let mut next = AtomicFile::create(&out).unwrap();
        next.write_all(b"whole").unwrap();
        next.commit().unwrap();
        let left = names(dir.path());
        assert!(
            !left.contains(&".export.jsonl.a8Xk2Z.tmp".to_string()),
            "{left:?}"
        );
        assert!(left.contains(&".export.jsonl.notours.tmp".to_string()));
        assert!(left.contains(&".other.jsonl.b8Xk2Z.tmp".to_string()));
        assert_eq!(
            left.iter()
                .filter(|n| n.starts_with(".export.jsonl.") && n.len() == 25)
                .count(),
            1,
            "the live write's temporary file stays: {left:?}"
        );
        drop(live);
        assert_eq!(fs::read(&out).unwrap(), b"whole");
    }

    #[cfg(unix)]
    #[test]
    fn output_never_replaces_a_fifo_a_device_or_a_link() {
        let dir = tempfile::tempdir().unwrap();
        // A device is written straight and stays a device.
        let mut null = Output::open(Path::new("/dev/null")).unwrap();
        assert!(matches!(null, Output::Straight(_)));
        null.write_all(b"x").unwrap();
        null.commit().unwrap();
        assert!(!fs::metadata("/dev/null").unwrap().is_file());
        // A link is refused, and what it points to untouched.
        let target = dir.path().join("target.csv");
        fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = Output::open(&link).err().unwrap().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A FIFO is written straight, to whoever reads it.
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(&fifo).unwrap())
        };
        let mut out = Output::open(&fifo).unwrap();
        out.write_all(b"rows").unwrap();
        out.commit().unwrap();
        assert_eq!(reader.join().unwrap(), b"rows");
        assert!(!fs::metadata(&fifo).unwrap().is_file());
        // `-` is standard output; a plain path is a file put in place whole.
        assert!(matches!(
            Output::open(Path::new("-")).unwrap(),
            Output::Stdout(_)
        ));
        let file = dir.path().join("out.csv");
        let mut out = Output::open(&file).unwrap();
        out.write_all(b"a,b\n").unwrap();
        assert!(!file.exists());
        out.commit().unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"a,b\n");
    }

    /// The names in `dir`, sorted (for the import's tests too).
    pub(crate) fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_batch_shows_its_files_only_at_commit() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("sub/b.txt");
        fs::write(&a, "old").unwrap();
        let mut batch = Batch::new();
        batch.add(&a, b"new").unwrap();
        batch.add_new(&b, b"b").unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"old");
        assert!(!b.exists());
        assert!(batch.contains(&a) && !batch.is_empty());
        batch.commit().unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"new");
        assert_eq!(fs::read(&b).unwrap(), b"b");
        assert!(batch.is_empty() && !batch.contains(&a));
        assert_eq!(names(dir.path()), ["a.txt", "sub"]);
        assert_eq!(names(&dir.path().join("sub")), ["b.txt"]);
        // A committed batch takes more.
        batch.add(&a, b"newer").unwrap();
        batch.commit().unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"newer");
        batch.commit().unwrap();
    }

    #[test]
    fn a_dropped_batch_leaves_every_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.txt"),
            dir.path().join("b.txt"),
            dir.path().join("c.txt"),
        );
        fs::write(&a, "old").unwrap();
        fs::write(&c, "c").unwrap();
        let mut batch = Batch::new();
        batch.add(&a, b"new").unwrap();
        batch.add_new(&b, b"b").unwrap();
        batch.remove(&c).unwrap();
        assert_eq!(names(dir.path()).len(), 4, "the two temporary files");
        drop(batch);
        assert_eq!(names(dir.path()), ["a.txt", "c.txt"]);
        assert_eq!(fs::read(&a).unwrap(), b"old");
    }

    #[test]
    fn a_failed_add_leaves_nothing_once_the_batch_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, "").unwrap();
        let mut batch = Batch::new();
        batch.add(&dir.path().join("a.txt"), b"a").unwrap();
        // No folder can be made under a file, even as root: stands for a full disk.
        assert!(batch.add(&blocker.join("b.txt"), b"b").is_err());
        drop(batch);
        assert_eq!(names(dir.path()), ["file"]);
    }

    #[test]
    fn a_path_is_in_a_batch_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let mut batch = Batch::new();
        batch.add(&a, b"first").unwrap();
        let again = batch.add(&a, b"second").unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            batch.remove(&a).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        batch.commit().unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"first");
        assert_eq!(names(dir.path()), ["a.txt"]);
    }

    #[test]
    fn add_new_never_overwrites_a_file_made_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, m) = (
            dir.path().join("a.txt"),
            dir.path().join("b.txt"),
            dir.path().join("a.meta.yaml"),
        );
        fs::write(&m, "url: x\n").unwrap();
        let mut batch = Batch::new();
        batch.add_new(&a, b"ours").unwrap();
        batch.add_new(&b, b"b").unwrap();
        batch.remove(&m).unwrap();
        fs::write(&a, "theirs").unwrap();
        let err = batch.commit().unwrap_err();
        assert_eq!(
            (err.path.as_path(), err.source.kind()),
            (a.as_path(), io::ErrorKind::AlreadyExists)
        );
        assert!(
            err.to_string()
                .ends_with("a.txt: appeared while this was being saved: left as it is")
        );
        assert_eq!(fs::read(&a).unwrap(), b"theirs");
        // Nothing after the failure is saved, and nothing is removed.
        assert_eq!(names(dir.path()), ["a.meta.yaml", "a.txt"]);
        assert!(batch.is_empty());
    }

    #[test]
    fn removals_are_done_after_the_files_are_saved() {
        let dir = tempfile::tempdir().unwrap();
        let (a, m) = (dir.path().join("a.txt"), dir.path().join("a.meta.yaml"));
        fs::write(&a, "old").unwrap();
        fs::write(&m, "url: x\n").unwrap();
        let mut batch = Batch::new();
        batch.add(&a, b"new").unwrap();
        batch.remove(&m).unwrap();
        batch.remove(&dir.path().join("gone.meta.yaml")).unwrap();
        assert!(m.exists());
        batch.commit().unwrap();
        assert_eq!(names(dir.path()), ["a.txt"]);
        assert_eq!(fs::read(&a).unwrap(), b"new");
    }

    #[test]
    fn a_batch_is_full_at_its_number_of_files_or_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut by_files = Batch::with_limits(2, 100);
        by_files.add(&dir.path().join("a"), b"abc").unwrap();
        assert!(!by_files.is_full());
        by_files.add(&dir.path().join("b"), b"abc").unwrap();
        assert!(by_files.is_full());
        let mut by_bytes = Batch::with_limits(100, 5);
        by_bytes.add(&dir.path().join("c"), b"abc").unwrap();
        assert!(!by_bytes.is_full());
        by_bytes.add(&dir.path().join("d"), b"abc").unwrap();
        assert!(by_bytes.is_full());
        by_files.commit().unwrap();
        assert!(!by_files.is_full());
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
