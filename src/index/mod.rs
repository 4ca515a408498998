//! The corpus index: a derived SQLite cache of what reading each corpus file gave, so that a
//! command re-reads only the files that changed since.
//!
//! The YAML files and the article texts stay the only source of truth. The index is a memo:
//! an entry holds what a read produced (a gold document or why it is invalid, an article's
//! hash, a group of `check` findings) together with the identity of every file that read
//! looked at, as `stat` shows it: device, inode, type and mode, size, modification and change
//! times to the nanosecond. Before an entry is used, those files are stat'ed again (nothing is
//! parsed) and the entry is used only when every identity is the same. That is how git's index
//! decides that a file is unchanged, with the same two safeguards:
//!
//! - the change time (`ctime`) and the inode are compared too, so a file rewritten in place
//!   with its size kept and its modification time set back is read again (`touch -d` cannot
//!   set `ctime`, and a rename gives another inode);
//! - an entry recorded less than [`RACY_NS`] after one of its files last changed is "racily
//!   clean": the file may have changed again within the timestamp's granularity without its
//!   identity changing, so such an entry is not trusted and the file is read again (and the
//!   entry recorded anew, to be trusted once the file has aged).
//!
//! An entry also records the context its read depended on (the schema's bytes; for `check`, the
//! corpus's paths as spelled, which appear in its messages), and a checksum of its payload.
//! Whatever fails (a different tadqiq format, a file SQLite does not recognise, a corrupt page,
//! a payload that does not decode) makes the index answer "not known", and the file is read:
//! the index can only ever cost a re-read, never a different answer. An index that cannot be
//! opened is deleted and built again; deleting it by hand is always safe.
//!
//! Where it lives: outside the corpus, in the user's cache folder
//! (`$XDG_CACHE_HOME/tadqiq/index/`, else `~/.cache/tadqiq/index/`, or `$TADQIQ_INDEX_DIR`),
//! one file per corpus named after its canonical paths, so git never sees it and a read-only
//! corpus can have one. Several processes share it through SQLite's WAL mode: readers never see
//! a half-written state, one writer at a time, and a writer killed at any moment leaves the
//! last committed state. New entries are written in batches, in one transaction each; a batch
//! that cannot get the write lock in time is dropped (the next run reads those files again).

pub mod articles;
pub mod build;
pub mod codec;
mod reader;
pub mod summaries;

use std::fs;
use std::hash::Hasher;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sha2::{Digest, Sha256};

pub use reader::Reader;

use crate::model::Schema;
use crate::store::Store;

/// What the index stores and how: an index of another format is deleted and built again.
pub const FORMAT: i64 = 6;

/// How long after a file's last change an entry about it must have been recorded to be
/// trusted: more than the coarsest timestamp granularity tadqiq may meet (FAT's 2 s).
pub const RACY_NS: i64 = 3_000_000_000;

/// How many new entries are kept before they are written in one transaction.
const BATCH_ENTRIES: usize = 2048;
/// How many bytes of new entries are kept before they are written.
const BATCH_BYTES: usize = 16 << 20;

/// How long a writer waits for another process's write to finish before dropping its batch.
const WRITE_WAIT: Duration = Duration::from_secs(5);

/// A file's identity as `lstat` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
    mode: u32,
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
}

/// What is at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    /// Nothing.
    Absent,
    /// A regular file.
    File(FileId),
    /// Something else (a link, a FIFO, a folder), or a path that could not be stat'ed: never
    /// cached, always read by the store, which says what is wrong with it.
    Other,
}

impl Stat {
    /// What is at `path`, without following a link.
    pub fn of(path: &Path) -> Stat {
        match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_file() => Stat::File(FileId {
                dev: m.dev(),
                ino: m.ino(),
                mode: m.mode(),
                size: m.size(),
                mtime_ns: m.mtime().saturating_mul(1_000_000_000) + m.mtime_nsec(),
                ctime_ns: m.ctime().saturating_mul(1_000_000_000) + m.ctime_nsec(),
            }),
            Ok(_) => Stat::Other,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Stat::Absent,
            Err(_) => Stat::Other,
        }
    }
}

/// The files a read looked at, stat'ed just before it, with the context it depended on: what
/// an entry must match to be used.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Context and identities, as stored.
    bytes: Vec<u8>,
    /// The latest change among the files, in nanoseconds since the epoch.
    newest_ns: i64,
    /// When the files were stat'ed.
    stat_at_ns: i64,
    /// Whether every file is absent or regular.
    cacheable: bool,
}

impl Inputs {
    /// Stats `paths` now, for a read that depended on `context` too.
    pub fn stat(context: &[u8], paths: &[&Path]) -> Inputs {
        let stat_at_ns = now_ns();
        Inputs::of(context, stat_at_ns, paths.iter().map(|p| Stat::of(p)))
    }

    /// The inputs of files already stat'ed, the first of them at `stat_at_ns` (taken before,
    /// so that a change made while they were stat'ed is never older than the entry).
    pub(crate) fn of(
        context: &[u8],
        stat_at_ns: i64,
        stats: impl IntoIterator<Item = Stat>,
    ) -> Inputs {
        let mut bytes = Vec::with_capacity(8 + context.len() + 4 * 49);
        bytes.extend_from_slice(&(context.len() as u64).to_le_bytes());
        bytes.extend_from_slice(context);
        let mut newest_ns = i64::MIN;
        let mut cacheable = true;
        for stat in stats {
            match stat {
                Stat::Absent => bytes.push(0),
                Stat::Other => {
                    cacheable = false;
                    bytes.push(2);
                }
                Stat::File(id) => {
                    bytes.push(1);
                    for n in [id.dev, id.ino, u64::from(id.mode), id.size] {
                        bytes.extend_from_slice(&n.to_le_bytes());
                    }
                    for n in [id.mtime_ns, id.ctime_ns] {
                        bytes.extend_from_slice(&n.to_le_bytes());
                    }
                    newest_ns = newest_ns.max(id.mtime_ns).max(id.ctime_ns);
                }
            }
        }
        Inputs {
            bytes,
            newest_ns,
            stat_at_ns,
            cacheable,
        }
    }

    /// Whether a read of these files may be remembered and an entry about them trusted.
    pub fn cacheable(&self) -> bool {
        self.cacheable
    }

    /// Whether an entry recorded at `recorded_at` for the inputs `stored` may be used now: the
    /// same files with the same identities, recorded long enough after their last change not
    /// to be racily clean.
    fn trust(&self, stored: &[u8], recorded_at: i64) -> bool {
        self.cacheable
            && stored == self.bytes.as_slice()
            && self.newest_ns.saturating_add(RACY_NS) < recorded_at
    }
}

/// Why the index could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No cache folder: no `$TADQIQ_INDEX_DIR`, `$XDG_CACHE_HOME` nor `$HOME`.
    #[error("no cache folder (set XDG_CACHE_HOME or TADQIQ_INDEX_DIR)")]
    NoCacheFolder,
    /// The corpus's folders could not be resolved.
    #[error("{path}: {source}")]
    Corpus {
        /// The folder.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The cache folder could not be created.
    #[error("{path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// SQLite refused, even after the index was deleted.
    #[error("{path}: {source}")]
    Sqlite {
        /// The index.
        path: PathBuf,
        /// What failed.
        source: rusqlite::Error,
    },
}

/// One new entry, waiting to be written.
struct Entry {
    key: String,
    inputs: Vec<u8>,
    recorded_at: i64,
    payload: Vec<u8>,
}

/// The corpus index of one corpus, shared by the threads of a command.
pub struct Index {
    path: PathBuf,
    /// A digest of the schema: gold and extracted readings depend on it.
    schema: [u8; 32],
    /// The corpus's folders as this run spells them (for `check`'s messages).
    spelling: Vec<u8>,
    /// Reading connections, one per thread that needs one, reused.
    readers: Mutex<Vec<Connection>>,
    /// Entries not written yet, and their size.
    pending: Mutex<(Vec<Entry>, usize)>,
    /// The connection that writes.
    writer: Mutex<Option<Connection>>,
    /// Set when SQLite reported something other than a busy lock: the index is no longer used
    /// in this run, and it is deleted when dropped so the next run builds it again.
    broken: AtomicBool,
}

impl Index {
    /// Where the index of the corpus in `store` lives.
    pub fn location(store: &Store) -> Result<PathBuf, IndexError> {
        let folder = cache_folder().ok_or(IndexError::NoCacheFolder)?;
        Ok(Index::location_of(&folder, store)?.0)
    }

    /// The index's path in `folder`, and the corpus's canonical folders (one per line).
    fn location_of(folder: &Path, store: &Store) -> Result<(PathBuf, String), IndexError> {
        let mut h = Sha256::new();
        let mut corpus = String::new();
        for dir in [store.articles_dir(), store.annotations_dir()] {
            let canonical = fs::canonicalize(dir).map_err(|source| IndexError::Corpus {
                path: dir.to_path_buf(),
                source,
            })?;
            h.update(canonical.as_os_str().as_encoded_bytes());
            h.update([0]);
            corpus.push_str(&canonical.to_string_lossy());
            corpus.push('\n');
        }
        let digest = h.finalize();
        let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        Ok((folder.join(format!("{name}.sqlite")), corpus))
    }

    /// Opens (creating or rebuilding it if needed) the index of the corpus in `store`, for
    /// reads against `schema`.
    pub fn open(store: &Store, schema: &Schema) -> Result<Index, IndexError> {
        let folder = cache_folder().ok_or(IndexError::NoCacheFolder)?;
        Index::open_in(&folder, store, schema)
    }

    /// [`Index::open`], with the indexes kept in `folder` rather than the user's cache folder.
    pub fn open_in(folder: &Path, store: &Store, schema: &Schema) -> Result<Index, IndexError> {
        let (path, corpus) = Index::location_of(folder, store)?;
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(|source| IndexError::Folder {
                path: folder.to_path_buf(),
                source,
            })?;
        }
        let new = !path.exists();
        if new {
            // Beside each index, the corpus it is of: an index whose corpus is gone is deleted
            // when another is created, so the cache folder does not fill with them.
            sweep(path.parent().unwrap_or(Path::new(".")));
            // Atomically, by rename: a link planted in its place is replaced, not followed.
            let _ = crate::store::atomic::write(&sidecar(&path, ".corpus"), corpus.as_bytes());
        }
        let conn = match connect(&path) {
            Ok(c) => c,
            Err(_) => {
                remove(&path);
                connect(&path).map_err(|source| IndexError::Sqlite {
                    path: path.clone(),
                    source,
                })?
            }
        };
        let mut spelling = Vec::new();
        for dir in [store.articles_dir(), store.annotations_dir()] {
            spelling.extend_from_slice(dir.as_os_str().as_encoded_bytes());
            spelling.push(0);
        }
        // Every part of the schema that reading a file depends on is in its debug form; and
        // another version of tadqiq may read a file differently.
        let schema: [u8; 32] =
            Sha256::digest(format!("{FORMAT} {} {schema:?}", env!("CARGO_PKG_VERSION"))).into();
        Ok(Index {
            path,
            schema,
            spelling,
            readers: Mutex::new(vec![conn]),
            pending: Mutex::new((Vec::new(), 0)),
            writer: Mutex::new(None),
            broken: AtomicBool::new(false),
        })
    }

    /// The index's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema's digest, the context of gold and extracted readings.
    pub fn schema_context(&self) -> &[u8] {
        &self.schema
    }

    /// The context of `check`'s findings: the schema, and the corpus's folders as spelled.
    pub fn check_context(&self) -> Vec<u8> {
        let mut c = self.schema.to_vec();
        c.extend_from_slice(&self.spelling);
        c
    }

    /// What was recorded under `key` for exactly these inputs, if it can be trusted.
    pub fn lookup(&self, key: &str, inputs: &Inputs) -> Option<Vec<u8>> {
        if !inputs.cacheable || self.broken.load(Ordering::Relaxed) {
            return None;
        }
        let found = self.with_reader(|c| {
            c.prepare_cached(
                "SELECT key, inputs, recorded_at, sum, payload FROM entry WHERE key = ?1",
            )?
            .query_row([key], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                ))
            })
            .optional()
        })?;
        let (stored_key, stored, recorded_at, sum, payload) = found?;
        let trusted =
            stored_key == key && inputs.trust(&stored, recorded_at) && checksum(&payload) == sum;
        trusted.then_some(payload)
    }

    /// Remembers `payload` as what reading `inputs` gave under `key`. Written with the next
    /// batch.
    pub fn record(&self, key: String, inputs: &Inputs, payload: Vec<u8>) {
        if !inputs.cacheable || self.broken.load(Ordering::Relaxed) {
            return;
        }
        let full = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.1 += key.len() + inputs.bytes.len() + payload.len();
            pending.0.push(Entry {
                key,
                inputs: inputs.bytes.clone(),
                recorded_at: inputs.stat_at_ns,
                payload,
            });
            pending.0.len() >= BATCH_ENTRIES || pending.1 >= BATCH_BYTES
        };
        if full {
            self.flush();
        }
    }

    /// Writes the entries recorded so far, in one transaction.
    pub fn flush(&self) {
        let batch = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.1 = 0;
            std::mem::take(&mut pending.0)
        };
        if batch.is_empty() || self.broken.load(Ordering::Relaxed) {
            return;
        }
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO entry (key, inputs, recorded_at, sum, payload) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for e in &batch {
                insert.execute(params![
                    e.key,
                    e.inputs,
                    e.recorded_at,
                    checksum(&e.payload),
                    e.payload
                ])?;
            }
            Ok(())
        });
    }

    /// Deletes every entry whose key `live` rejects; returns how many.
    pub fn prune(&self, live: impl Fn(&str) -> bool) -> usize {
        self.flush();
        let keys: Vec<String> = self
            .with_reader(|c| {
                let mut s = c.prepare("SELECT key FROM entry")?;
                let rows = s.query_map([], |r| r.get::<_, String>(0))?;
                rows.collect()
            })
            .unwrap_or_default();
        let dead: Vec<&String> = keys.iter().filter(|k| !live(k)).collect();
        if dead.is_empty() {
            return 0;
        }
        self.write(|tx| {
            let mut delete = tx.prepare_cached("DELETE FROM entry WHERE key = ?1")?;
            for k in &dead {
                delete.execute([k])?;
            }
            Ok(dead.len())
        })
        .unwrap_or(0)
    }

    /// How many entries the index holds, and its size on disk in bytes (with its WAL).
    pub fn size(&self) -> (u64, u64) {
        self.flush();
        let entries = self
            .with_reader(|c| c.query_row("SELECT count(*) FROM entry", [], |r| r.get::<_, i64>(0)))
            .unwrap_or(0);
        let bytes = ["", "-wal"]
            .iter()
            .filter_map(|s| fs::metadata(sidecar(&self.path, s)).ok())
            .map(|m| m.len())
            .sum();
        (u64::try_from(entries).unwrap_or(0), bytes)
    }

    /// Whether SQLite failed during this run (the index was then set aside).
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    /// Runs `f` in one write transaction, committed when it succeeds; `None` when SQLite failed
    /// (a busy lock drops the work, anything else sets the index aside).
    fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>) -> Option<T> {
        if self.broken.load(Ordering::Relaxed) {
            return None;
        }
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let result = (|| {
            if writer.is_none() {
                *writer = Some(connect(&self.path)?);
            }
            let conn = writer.as_mut().expect("just opened");
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let t = f(&tx)?;
            tx.commit()?;
            Ok(t)
        })();
        match result {
            Ok(t) => Some(t),
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
        let conn = {
            let mut pool = self.readers.lock().unwrap_or_else(|e| e.into_inner());
            pool.pop()
        };
        let conn = match conn {
            Some(c) => c,
            None => match connect(&self.path) {
                Ok(c) => c,
                Err(e) => {
                    self.failed(&e);
                    return None;
                }
            },
        };
        let result = f(&conn);
        self.readers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
        match result {
            Ok(t) => Some(t),
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// SQLite failed: a busy lock only costs this batch; anything else sets the index aside.
    fn failed(&self, e: &rusqlite::Error) {
        let busy = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        if !busy {
            self.broken.store(true, Ordering::Relaxed);
        }
    }
}

impl Drop for Index {
    fn drop(&mut self) {
        self.flush();
        if self.broken.load(Ordering::Relaxed) {
            self.readers
                .get_mut()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
            *self.writer.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
            remove(&self.path);
        }
    }
}

/// Deletes the index of the corpus in `store` (and its WAL). Always safe: it is rebuilt.
pub fn delete(store: &Store) -> Result<PathBuf, IndexError> {
    let path = Index::location(store)?;
    remove(&path);
    Ok(path)
}

/// The folder indexes live in.
fn cache_folder() -> Option<PathBuf> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("TADQIQ_INDEX_DIR") {
        return Some(dir);
    }
    let cache = var("XDG_CACHE_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| var("HOME").map(|h| h.join(".cache")))?;
    Some(cache.join("tadqiq").join("index"))
}

/// Opens the index file, creating its tables when it is new; an error when it is not an index
/// of this format (the caller then deletes it).
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(WRITE_WAIT)?;
    // A gold file's entry is about 2 KiB: pages of 8 KiB hold three or four (4 KiB pages
    // would hold one and leave half of each empty). Only has effect on a new file, and only
    // before it is in WAL mode.
    conn.pragma_update(None, "page_size", 8192)?;
    // A cache: a crash may lose the last transactions, never leave a half-written one.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Commands read entries in the order files are listed, close to the order they were
    // written: 8 MiB of pages per connection keep the neighbours of the last read.
    conn.pragma_update(None, "cache_size", -8192)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == 0 {
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TABLE IF NOT EXISTS entry (
                 key TEXT PRIMARY KEY,
                 inputs BLOB NOT NULL,
                 recorded_at INTEGER NOT NULL,
                 sum INTEGER NOT NULL,
                 payload BLOB NOT NULL
             );",
        )?;
        conn.execute_batch(articles::TABLES)?;
        conn.execute_batch(summaries::TABLES)?;
        conn.pragma_update(None, "user_version", FORMAT)?;
        conn.execute_batch("COMMIT;")?;
    } else if version != FORMAT {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
            Some(format!("index format {version}, not {FORMAT}")),
        ));
    }
    // Reads the schema: a file that is not an index fails here.
    conn.query_row("SELECT count(*) FROM entry WHERE 0", [], |_| Ok(()))?;
    Ok(conn)
}

/// Deletes the indexes in `folder` whose corpus folders no longer exist.
fn sweep(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "corpus") {
            continue;
        }
        // Through the corpus's reader: a FIFO or a huge file there is passed over, not waited
        // on nor read whole.
        let Ok(Some(bytes)) = crate::store::read_corpus_file(&path, crate::store::Limit::META)
        else {
            continue;
        };
        let Ok(corpus) = String::from_utf8(bytes) else {
            continue;
        };
        if corpus.lines().any(|dir| !Path::new(dir).is_dir()) {
            // `<name>.sqlite.corpus` is beside `<name>.sqlite`.
            remove(&path.with_extension(""));
            let _ = fs::remove_file(&path);
        }
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn remove(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(sidecar(path, suffix));
    }
}

pub(crate) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// A fast checksum of a payload: a page damaged without SQLite noticing is not decoded as a
/// document.
fn checksum(bytes: &[u8]) -> i64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.write_usize(bytes.len());
    h.finish() as i64
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::time::Duration;

    use super::*;

    /// A corpus in a temporary folder, and an index of it in another.
    fn setup() -> (tempfile::TempDir, Store, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("articles")).unwrap();
        fs::create_dir_all(dir.path().join("annotations")).unwrap();
        let store = Store::new(dir.path().join("articles"), dir.path().join("annotations"));
        let index_dir = dir.path().join("cache");
        (dir, store, index_dir)
    }

    fn open(store: &Store, folder: &Path) -> Index {
        let schema = Store::new("samples", "annotations")
            .load_schema()
            .unwrap()
            .value;
        Index::open_in(folder, store, &schema).unwrap()
    }

    /// Inputs as if stat'ed `age` after the files last changed.
    fn aged(paths: &[&Path], age: Duration) -> Inputs {
        let mut i = Inputs::stat(b"ctx", paths);
        i.stat_at_ns = i.newest_ns + i64::try_from(age.as_nanos()).unwrap();
        i
    }

    #[test]
    fn an_entry_is_trusted_only_for_the_same_files_long_enough_after_they_changed() {
        let (dir, store, cache) = setup();
        let index = open(&store, &cache);
        let file = dir.path().join("articles/a.txt");
        fs::write(&file, "one").unwrap();
        let old = aged(&[&file], Duration::from_secs(10));
        index.record("k".into(), &old, b"payload".to_vec());
        index.flush();
        assert_eq!(index.lookup("k", &old).as_deref(), Some(&b"payload"[..]));
        // Racily clean: recorded within the margin of the file's last change.
        let racy = aged(&[&file], Duration::from_millis(10));
        index.record("r".into(), &racy, b"payload".to_vec());
        index.flush();
        assert_eq!(index.lookup("r", &racy), None);
        // Another context (another schema) is another entry.
        let mut other = old.clone();
        other.bytes[8] ^= 1;
        assert_eq!(index.lookup("k", &other), None);
    }

    #[test]
    fn a_file_rewritten_in_place_with_its_size_and_mtime_restored_is_another_file() {
        let (dir, _store, _cache) = setup();
        let file = dir.path().join("articles/a.txt");
        fs::write(&file, "status: done").unwrap();
        let mtime = fs::metadata(&file).unwrap().modified().unwrap();
        let before = Inputs::stat(b"", &[&file]);
        std::thread::sleep(Duration::from_millis(20));
        fs::write(&file, "status: skip").unwrap();
        File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let after = Inputs::stat(b"", &[&file]);
        assert_eq!(fs::metadata(&file).unwrap().modified().unwrap(), mtime);
        assert_ne!(before.bytes, after.bytes, "ctime tells them apart");
        // A rename over it gives another inode.
        let other = dir.path().join("articles/b.txt");
        fs::write(&other, "status: done").unwrap();
        fs::rename(&other, &file).unwrap();
        assert_ne!(after.bytes, Inputs::stat(b"", &[&file]).bytes);
    }

    #[test]
    fn links_fifos_and_folders_are_never_cached() {
        let (dir, store, cache) = setup();
        let index = open(&store, &cache);
        let target = dir.path().join("articles/a.txt");
        fs::write(&target, "x").unwrap();
        let link = dir.path().join("articles/l.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for path in [link.as_path(), dir.path()] {
            let i = aged(&[path], Duration::from_secs(10));
            assert!(!i.cacheable());
            index.record("k".into(), &i, b"p".to_vec());
            index.flush();
            assert_eq!(index.lookup("k", &i), None);
        }
    }

    #[test]
    fn a_damaged_payload_is_not_used() {
        let (dir, store, cache) = setup();
        let index = open(&store, &cache);
        let file = dir.path().join("articles/a.txt");
        fs::write(&file, "one").unwrap();
        let i = aged(&[&file], Duration::from_secs(10));
        index.record("k".into(), &i, b"payload".to_vec());
        index.flush();
        let conn = Connection::open(index.path()).unwrap();
        conn.execute("UPDATE entry SET payload = x'00' WHERE key = 'k'", [])
            .unwrap();
        assert_eq!(index.lookup("k", &i), None);
        assert!(!index.is_broken());
    }

    #[test]
    fn an_index_that_is_not_one_or_of_another_format_is_built_again() {
        let (dir, store, cache) = setup();
        let file = dir.path().join("articles/a.txt");
        fs::write(&file, "one").unwrap();
        let i = aged(&[&file], Duration::from_secs(10));
        let path = Index::location_of(&cache, &store).unwrap().0;
        fs::create_dir_all(&cache).unwrap();
        fs::write(&path, vec![0x42; 10_000]).unwrap();
        let index = open(&store, &cache);
        assert_eq!(index.lookup("k", &i), None);
        index.record("k".into(), &i, b"p".to_vec());
        drop(index);
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", FORMAT + 1)
            .unwrap();
        drop(conn);
        let index = open(&store, &cache);
        assert_eq!(index.lookup("k", &i), None, "another format starts empty");
    }

    #[test]
    fn an_index_whose_corpus_is_gone_is_swept_when_another_is_created() {
        let (_dir, store, cache) = setup();
        let gone = tempfile::tempdir().unwrap();
        fs::create_dir_all(gone.path().join("a")).unwrap();
        fs::create_dir_all(gone.path().join("b")).unwrap();
        let old = Store::new(gone.path().join("a"), gone.path().join("b"));
        let old_path = Index::location_of(&cache, &old).unwrap().0;
        drop(open(&old, &cache));
        assert!(old_path.exists());
        drop(gone);
        // A FIFO among the sidecars is passed over, not waited on.
        let fifo = std::ffi::CString::new(
            cache
                .join("fifo.sqlite.corpus")
                .as_os_str()
                .as_encoded_bytes(),
        )
        .unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        drop(open(&store, &cache));
        assert!(!old_path.exists());
    }
}
