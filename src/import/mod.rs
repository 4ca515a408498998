//! `tadqiq import`: bring a pipeline's output into the corpus, as article files
//! ([`articles`]) and extracted files ([`extracted`]).
//!
//! This module owns what both share: reading a JSONL or CSV file record by record
//! ([`records`]), turning an id into a file name that is safe and its own ([`file_id`],
//! [`record_id`]), and writing a record's
//! files so that nothing is lost ([`put`]): atomically, never over a different file without
//! `--force`, and not at all when the content is already there, so that running the same
//! import twice changes nothing. The files of many records are saved together in a
//! [`Batch`] ([`put_in`], [`in_batches`]): flushing each file to disk on its own made
//! an import a few megabytes a second.
//!
//! Input files are read one record at a time with a bound on a line's length, so a file of
//! several gigabytes imports in constant memory (only the ids seen, to report duplicates, grow
//! with it). Nothing here prints: what happens is told to a [`Sink`], which the command line
//! turns into a progress bar and `FILE:LINE: message` lines.

pub mod articles;
pub mod extracted;
pub mod records;

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::store::Store;
use crate::store::atomic::Batch;

pub use records::{Format, HeaderError, Record, Records};

/// The longest file name an id becomes, in bytes: file systems allow 255, and
/// `<id>.meta.yaml` must fit too.
pub const MAX_ID_BYTES: usize = 200;

/// How bad a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something done on the user's behalf worth knowing (an id renamed, a duplicate skipped).
    Info,
    /// Imported, but worth a look.
    Warning,
    /// The record was rejected.
    Error,
}

/// Something to tell the user about one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The record's first line in the input file, from 1.
    pub line: u64,
    /// The column, in characters from 1, when the problem is at one place of the line.
    pub col: Option<u64>,
    /// How bad it is.
    pub level: Level,
    /// What happened.
    pub message: String,
}

/// Where an import reports as it goes, so that a long import shows its progress and its
/// problems at once instead of at the end.
pub trait Sink {
    /// `bytes` of the input file have been read.
    fn progress(&mut self, bytes: u64);
    /// A notice about one record.
    fn notice(&mut self, notice: Notice);
}

/// A sink that keeps the notices: for tests and callers that print at the end.
#[derive(Debug, Default)]
pub struct Collect {
    /// The notices, in input order.
    pub notices: Vec<Notice>,
}

impl Sink for Collect {
    fn progress(&mut self, _bytes: u64) {}
    fn notice(&mut self, notice: Notice) {
        self.notices.push(notice);
    }
}

/// What an import did, record by record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records written (new files, or replaced with `--force`).
    pub imported: u64,
    /// Records whose files already held exactly this content: nothing written.
    pub unchanged: u64,
    /// Records skipped because a different file exists (`--force` replaces it).
    pub existing: u64,
    /// Records skipped because an earlier record had the same id (the first is kept).
    pub duplicates: u64,
    /// Records that could not be imported (broken line, missing id, invalid value, an id whose
    /// file name is another id's).
    pub rejected: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} imported, {} unchanged, {} skipped as existing, {} duplicate{}, {} rejected",
            self.imported,
            self.unchanged,
            self.existing,
            self.duplicates,
            if self.duplicates == 1 { "" } else { "s" },
            self.rejected
        )
    }
}

/// Why an import stopped before the end of its input.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input could not be opened or read, or its header is unusable.
    #[error("{}: {message}", path.display())]
    Input {
        /// The input file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The CSV header row is broken (a quote never closed, a row too long).
    #[error("{}:{line}:{}{message}", path.display(), col.map(|c| format!("{c}: ")).unwrap_or_else(|| " ".into()))]
    InputAt {
        /// The input file.
        path: PathBuf,
        /// Where, from 1.
        line: u64,
        /// The column, in characters from 1, if there is one.
        col: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// Writing a file failed (full disk, permissions). Files saved before it are complete;
    /// the files of the batch it was in ([`in_batches`]) are not written at all.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
}

impl ImportError {
    /// The error for a CSV header that could not be read.
    pub fn header(path: &std::path::Path, e: HeaderError) -> ImportError {
        match e {
            HeaderError::Io(message) => ImportError::Input {
                path: path.to_path_buf(),
                message: format!("cannot read the CSV header: {message}"),
            },
            HeaderError::Row(problem) => {
                let (line, col) = problem.at(1);
                ImportError::InputAt {
                    path: path.to_path_buf(),
                    line,
                    col,
                    message: format!("the CSV header: {problem}"),
                }
            }
        }
    }
}

/// An id as the corpus knows it: without surrounding blanks, in Unicode NFC, so that the
/// composed and decomposed spellings of one Arabic id are one id.
pub fn normalize_id(id: &str) -> String {
    id.trim().nfc().collect()
}

/// An id made into a file name of its own.
///
/// The id is first normalised ([`normalize_id`]). An id that already is a safe file name, and
/// short enough, is its own file name. Safe means: letters and digits of any script (Arabic
/// included), `-`, `_` and `.`, with no `..`, no leading `.` and no trailing `.` (Windows
/// drops it). Any other id keeps a readable prefix, where the characters a file name cannot
/// safely hold (`/`, `\`, spaces, control characters…) became `_`, followed by `_` and 32 hex
/// digits (128 bits) of the SHA-256 of the whole id: `news:123`, `news/123` and `news 123`
/// are three files, and so are two long ids that share their first 200 bytes. `None` for an id
/// with nothing usable in it.
pub fn file_id(id: &str) -> Option<String> {
    let id = normalize_id(id);
    let safe = safe_chars(&id)?;
    if safe == id && safe.len() <= MAX_ID_BYTES {
        return Some(safe);
    }
    Some(with_hash(safe, &id, 16))
}

/// The file name an id had before file names carried a full hash: what [`file_id`] gave for
/// safe short ids, the sanitized id (or a 32-bit hash for a long one) for the others. Only
/// for finding articles imported then.
fn legacy_file_id(id: &str) -> Option<String> {
    let id = id.trim();
    let safe = safe_chars(id)?;
    if safe.len() <= MAX_ID_BYTES {
        return Some(safe);
    }
    Some(with_hash(safe, id, 4))
}

/// `id` with the characters a file name cannot safely hold replaced by `_`; `None` when
/// nothing usable is left.
fn safe_chars(id: &str) -> Option<String> {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
        out.push(if keep { c } else { '_' });
    }
    while out.contains("..") {
        out = out.replace("..", "_");
    }
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out.ends_with('.') {
        // Windows drops a trailing dot, which would make two ids one file there.
        out.pop();
        out.push('_');
    }
    if out.is_empty() || out.chars().all(|c| c == '_') {
        return None;
    }
    Some(out)
}

/// `prefix`, cut so that the result fits [`MAX_ID_BYTES`], then `_` and the first `bytes`
/// bytes of the SHA-256 of `id` in hex.
fn with_hash(mut prefix: String, id: &str, bytes: usize) -> String {
    let hash: String = Sha256::digest(id.as_bytes())[..bytes]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut cut = (MAX_ID_BYTES - hash.len() - 1).min(prefix.len());
    while !prefix.is_char_boundary(cut) {
        cut -= 1;
    }
    prefix.truncate(cut);
    // A cut that leaves a dot before the `_` is harmless; one that leaves nothing is not
    // possible (the hash is always there).
    prefix.push('_');
    prefix.push_str(&hash);
    prefix
}

/// The ids an import has seen, by file name, to keep the first record of each id, to refuse
/// a second id that would take the same file, and to tell a repeated record from another
/// record under the same id (by a digest of its content).
#[derive(Debug, Default)]
pub struct Seen(HashMap<String, (String, u64, ContentDigest)>);

/// 128 bits of the SHA-256 of what a record holds besides its id: two records with the same
/// id and digest are one record given twice.
pub type ContentDigest = [u8; 16];

/// The [`ContentDigest`] of a record's content, given as the parts that make it up.
pub fn digest<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> ContentDigest {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        // Each part's length first, so that parts cannot run into each other.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let full = hasher.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

impl Seen {
    /// The id that took the file name `stem` earlier in the import, on which line, and the
    /// digest of that record's content.
    fn get(&self, stem: &str) -> Option<(&str, u64, ContentDigest)> {
        self.0
            .get(stem)
            .map(|(id, line, digest)| (id.as_str(), *line, *digest))
    }

    /// Records that `id` takes the file name `stem` at `line`, with content `digest`.
    fn insert(&mut self, stem: &str, id: &str, line: u64, digest: ContentDigest) {
        self.0
            .insert(stem.to_string(), (id.to_string(), line, digest));
    }
}

/// A record's id, normalised, and the file name it is saved under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecordId {
    /// The id, in NFC ([`normalize_id`]).
    pub id: String,
    /// Its file name in the corpus (without extension).
    pub stem: String,
}

/// The id of a record and its file name, with the notices that go with it: a renamed id is
/// reported; a missing or unusable id, a repeated record (the first is kept), and an id whose
/// file name holds another id already, in this import or in the corpus, end the record
/// (`None`). A second record under an id with other content (`digest`) is rejected, not
/// skipped: it was not imported as itself. Nothing is ever merged into another id's files.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_id(
    raw: Option<&str>,
    id_field: &str,
    line: u64,
    digest: ContentDigest,
    store: &Store,
    seen: &mut Seen,
    summary: &mut Summary,
    sink: &mut dyn Sink,
) -> Option<RecordId> {
    let Some(raw) = raw else {
        reject(
            line,
            format!("no `{id_field}` (the id; --id-field names another key)"),
            summary,
            sink,
        );
        return None;
    };
    let id = normalize_id(raw);
    if id.is_empty() {
        reject(
            line,
            format!("`{id_field}` (the id) is empty"),
            summary,
            sink,
        );
        return None;
    }
    let Some(mut stem) = file_id(&id) else {
        reject(
            line,
            format!("id `{raw}` has nothing usable as a file name"),
            summary,
            sink,
        );
        return None;
    };
    // An article imported before file names carried a full hash, or before ids were
    // normalised, keeps its name.
    if !store.article_path(&stem).exists()
        && let Some(legacy) = legacy_file_id(raw).filter(|l| *l != stem)
        && store.article_path(&legacy).exists()
        && corpus_id(store, &legacy) == id
    {
        stem = legacy;
    }
    if let Some((first_id, first, first_digest)) = seen.get(&stem) {
        if first_id == id && first_digest != digest {
            let message = format!(
                "duplicate id `{raw}` with other content than line {first}: not imported \
                 (the first record of an id is kept)"
            );
            reject(line, message, summary, sink);
        } else if first_id == id {
            summary.duplicates += 1;
            let spelled = if raw.trim() == id {
                String::new()
            } else {
                " (the same id once in Unicode NFC)".to_string()
            };
            sink.notice(Notice {
                line,
                col: None,
                level: Level::Info,
                message: format!("duplicate id `{raw}`{spelled}, first on line {first}: skipped"),
            });
        } else {
            let message = format!(
                "id `{raw}` would be saved as `{stem}`, the file of id `{first_id}` (line \
                 {first}): not imported"
            );
            reject(line, message, summary, sink);
        }
        return None;
    }
    if store.article_path(&stem).exists() {
        let existing = corpus_id(store, &stem);
        if existing != id {
            let message = format!(
                "id `{raw}` would be saved as `{stem}`, but {} is the article of id \
                 `{existing}`: not imported",
                store.article_path(&stem).display()
            );
            reject(line, message, summary, sink);
            return None;
        }
    }
    seen.insert(&stem, &id, line, digest);
    if stem != raw {
        sink.notice(Notice {
            line,
            col: None,
            level: Level::Info,
            message: format!("id `{raw}` saved as `{stem}`"),
        });
    }
    Some(RecordId { id, stem })
}

/// The id of the corpus's article `stem`: the one its `.meta.yaml` gives, else the file name
/// itself; normalised, so that a file named in NFD before ids were normalised is found.
fn corpus_id(store: &Store, stem: &str) -> String {
    let id = store.read_article_meta(stem).and_then(|m| m.id);
    normalize_id(id.as_deref().unwrap_or(stem))
}

/// What [`put`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Put {
    /// Files written.
    Written,
    /// Every file already held this content: nothing written.
    Unchanged,
    /// This file exists with other content and `force` was off: nothing written.
    Exists(PathBuf),
}

/// Writes a record's files together: each `(path, Some(bytes))` atomically, each
/// `(path, None)` removed. When every file already is as wanted, nothing is touched; when one
/// differs and `force` is off, nothing is touched either, so a record is never half imported
/// over someone's files.
pub fn put(files: &[(PathBuf, Option<Vec<u8>>)], force: bool) -> Result<Put, ImportError> {
    let mut batch = Batch::new();
    let put = put_in(&mut batch, files, force)?;
    commit(&mut batch)?;
    Ok(put)
}

/// [`put`] for one record of many: the files go into `batch`, to be saved with the other
/// records' when it is full (committed here) or when the import ends ([`in_batches`]). The
/// decision is [`put`]'s, taken on what the files will hold once the batch is saved; after
/// an error the batch must be dropped, not committed.
pub fn put_in(
    batch: &mut Batch,
    files: &[(PathBuf, Option<Vec<u8>>)],
    force: bool,
) -> Result<Put, ImportError> {
    // A file still in the batch is not on disk yet: save the batch, so that the check below
    // sees it. Ids are unique within an import, so this is for callers that repeat a path.
    if files.iter().any(|(path, _)| batch.contains(path)) {
        commit(batch)?;
    }
    // For each file, whether it exists and whether it already holds what is wanted.
    let mut found = Vec::with_capacity(files.len());
    for (path, want) in files {
        // Read as every corpus file is: a FIFO or device in its place is refused, not waited
        // on; a file over the articles' limit cannot hold what is wanted, so it differs.
        let current = match crate::store::read_corpus_file(path, crate::store::Limit::ARTICLE) {
            Ok(Some(b)) => Some(Some(b)),
            Ok(None) => None,
            Err(crate::store::LoadError::Invalid(_)) => Some(None),
            Err(crate::store::LoadError::Io { source, .. }) => {
                return Err(ImportError::Write {
                    path: path.clone(),
                    source,
                });
            }
        };
        let same = match &current {
            Some(Some(bytes)) => Some(bytes) == want.as_ref(),
            Some(None) => false,
            None => want.is_none(),
        };
        if !same && current.is_some() && !force {
            return Ok(Put::Exists(path.clone()));
        }
        found.push((current.is_some(), same));
    }
    if found.iter().all(|&(_, same)| same) {
        return Ok(Put::Unchanged);
    }
    for ((path, want), (exists, same)) in files.iter().zip(found) {
        if same {
            continue;
        }
        let result = match want {
            // A file that was not there must still not be there when the batch is saved: one
            // made meanwhile is someone's, and fails the import instead of being replaced.
            Some(bytes) if !exists => batch.add_new(path, bytes),
            Some(bytes) => batch.add(path, bytes),
            // Removed only once the batch's new files are on disk.
            None => batch.remove(path),
        };
        result.map_err(|source| ImportError::Write {
            path: path.clone(),
            source,
        })?;
    }
    if batch.is_full() {
        commit(batch)?;
    }
    Ok(Put::Written)
}

/// Runs an import's loop (`body`) with a batch for [`put_in`], and saves what is left in the
/// batch when the loop ends: at the end of the input, and also when the input broke off, so
/// that the records before stay imported. After a failed write the batch is dropped instead:
/// its temporary files are removed and the error is reported; files saved by earlier batches
/// are complete, and a second run of the import, which is idempotent, does the rest.
pub fn in_batches<F>(body: F) -> Result<Summary, ImportError>
where
    F: FnOnce(&mut Batch) -> Result<Summary, ImportError>,
{
    let mut batch = Batch::new();
    match body(&mut batch) {
        Err(e @ ImportError::Write { .. }) => Err(e),
        other => {
            commit(&mut batch)?;
            other
        }
    }
}

/// Saves a batch, its failure as the import's.
fn commit(batch: &mut Batch) -> Result<(), ImportError> {
    batch.commit().map_err(|e| ImportError::Write {
        path: e.path,
        source: e.source,
    })
}

/// Counts a rejected record and says why.
pub(crate) fn reject(line: u64, message: String, summary: &mut Summary, sink: &mut dyn Sink) {
    reject_at(line, None, message, summary, sink);
}

/// [`reject`], at a column of the line.
pub(crate) fn reject_at(
    line: u64,
    col: Option<u64>,
    message: String,
    summary: &mut Summary,
    sink: &mut dyn Sink,
) {
    summary.rejected += 1;
    sink.notice(Notice {
        line,
        col,
        level: Level::Error,
        message,
    });
}

/// Counts what [`put`] did and reports a file left alone.
pub(crate) fn count(put: Put, line: u64, summary: &mut Summary, sink: &mut dyn Sink) {
    match put {
        Put::Written => summary.imported += 1,
        Put::Unchanged => summary.unchanged += 1,
        Put::Exists(path) => {
            summary.existing += 1;
            sink.notice(Notice {
                line,
                col: None,
                level: Level::Info,
                message: format!(
                    "{} exists with other content: skipped (--force replaces it)",
                    path.display()
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::atomic::tests::names;
    use std::fs;

    #[test]
    fn ids_become_safe_file_names() {
        // A safe short id is its own name: corpora imported before keep their files.
        for safe in ["001_ac28", "خبر-١٢", "a_b", "hespress-1", "a.b"] {
            assert_eq!(file_id(safe).as_deref(), Some(safe));
        }
        assert_eq!(file_id(" padded ").as_deref(), Some("padded"));
        // Any other id keeps a readable prefix and a hash of itself.
        let prefix = |id: &str| {
            let f = file_id(id).unwrap();
            let (prefix, hash) = f.rsplit_once('_').unwrap();
            assert_eq!(hash.len(), 32, "{f}");
            assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{f}");
            prefix.to_string()
        };
        assert_eq!(prefix("a/b"), "a_b");
        assert_eq!(prefix("a\\b"), "a_b");
        assert_eq!(prefix("../../etc/passwd"), "____etc_passwd");
        assert_eq!(prefix(".hidden"), "_hidden");
        assert_eq!(prefix("a...b"), "a_.b");
        assert_eq!(prefix("x\u{1b}[31m"), "x__31m");
        assert_eq!(prefix("end."), "end_");
        assert_eq!(
            prefix("https://hespress.com/x?id=1"),
            "https___hespress.com_x_id_1"
        );
        for bad in ["", "   ", "/", "..", "..\\..", "\u{0}"] {
            assert_eq!(file_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ids_that_differ_have_names_that_differ() {
        let ids = [
            "news:123",
            "news/123",
            "news 123",
            "news_123",
            "news\\123",
            "news?123",
        ];
        let names: std::collections::HashSet<String> =
            ids.iter().map(|id| file_id(id).unwrap()).collect();
        assert_eq!(names.len(), ids.len(), "{names:?}");
        assert_eq!(file_id("news_123").as_deref(), Some("news_123"));
    }

    #[test]
    fn composed_and_decomposed_spellings_are_one_id() {
        // آ (U+0622) is ا (U+0627) with a madda above (U+0653) composed.
        let nfc = "آخر-خبر";
        let nfd = "\u{0627}\u{0653}خر-خبر";
        assert_ne!(nfc, nfd);
        assert_eq!(normalize_id(nfd), nfc);
        assert_eq!(file_id(nfd).as_deref(), Some(nfc));
        assert_eq!(file_id(nfc).as_deref(), Some(nfc));
    }

    #[test]
    fn long_ids_are_cut_and_stay_apart() {
        let a = file_id(&"ب".repeat(300)).unwrap();
        let b = file_id(&format!("{}x", "ب".repeat(300))).unwrap();
        assert!(a.len() <= MAX_ID_BYTES, "{}", a.len());
        assert_ne!(a, b);
        // A 32-bit hash met its first collision after some 80 000 ids with a shared prefix.
        let prefix = "https://www.hespress.com/politique/".repeat(6);
        let names: std::collections::HashSet<String> = (0..100_000)
            .map(|i| file_id(&format!("{prefix}{i}")).unwrap())
            .collect();
        assert_eq!(names.len(), 100_000);
        assert!(names.iter().all(|n| n.len() <= MAX_ID_BYTES));
    }

    #[test]
    fn a_file_id_is_always_a_plain_file_name() {
        for id in ["a/../b", "./x", "a\u{202e}b", "\u{feff}id", "a\nb"] {
            let f = file_id(id).unwrap();
            assert!(!f.contains(['/', '\\']) && !f.contains("..") && !f.starts_with('.'));
            assert!(!f.chars().any(char::is_control), "{f:?}");
            assert_eq!(file_id(&f).as_deref(), Some(f.as_str()), "stable");
        }
    }

    #[test]
    fn put_writes_once_and_never_over_other_content() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let m = dir.path().join("a.meta.yaml");
        let files = vec![(a.clone(), Some(b"one".to_vec())), (m.clone(), None)];
        assert_eq!(put(&files, false).unwrap(), Put::Written);
        assert_eq!(put(&files, false).unwrap(), Put::Unchanged);
        let other = vec![(a.clone(), Some(b"two".to_vec())), (m.clone(), None)];
        assert_eq!(put(&other, false).unwrap(), Put::Exists(a.clone()));
        assert_eq!(fs::read(&a).unwrap(), b"one");
        assert_eq!(put(&other, true).unwrap(), Put::Written);
        assert_eq!(fs::read(&a).unwrap(), b"two");
        // A leftover file the record does not want is someone's too.
        fs::write(&m, "url: x\n").unwrap();
        assert_eq!(put(&other, false).unwrap(), Put::Exists(m.clone()));
        assert_eq!(put(&other, true).unwrap(), Put::Written);
        assert!(!m.exists());
    }

    #[test]
    fn put_in_sees_the_files_of_its_own_batch() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let mut batch = Batch::new();
        let one = vec![(a.clone(), Some(b"one".to_vec()))];
        assert_eq!(put_in(&mut batch, &one, false).unwrap(), Put::Written);
        assert!(!a.exists(), "saved with the batch, not before");
        assert_eq!(put_in(&mut batch, &one, false).unwrap(), Put::Unchanged);
        let two = vec![(a.clone(), Some(b"two".to_vec()))];
        assert_eq!(
            put_in(&mut batch, &two, false).unwrap(),
            Put::Exists(a.clone())
        );
        assert_eq!(put_in(&mut batch, &two, true).unwrap(), Put::Written);
        batch.commit().unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"two");
    }

    #[test]
    fn a_failed_write_drops_the_batch_and_a_broken_input_saves_it() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let files = vec![(a.clone(), Some(b"a".to_vec()))];
        let failed = in_batches(|batch| {
            put_in(batch, &files, false)?;
            Err(ImportError::Write {
                path: dir.path().join("b.txt"),
                source: io::Error::other("no space left on device"),
            })
        });
        assert!(matches!(failed, Err(ImportError::Write { .. })));
        assert_eq!(names(dir.path()), Vec::<String>::new(), "no temporary file");
        let broken = in_batches(|batch| {
            put_in(batch, &files, false)?;
            Err(ImportError::Input {
                path: "in.jsonl".into(),
                message: "line 2 is longer than 64 MiB".into(),
            })
        });
        assert!(matches!(broken, Err(ImportError::Input { .. })));
        assert_eq!(names(dir.path()), ["a.txt"]);
        assert_eq!(fs::read(&a).unwrap(), b"a");
    }

    proptest::proptest! {
        #[test]
        fn any_id_becomes_a_safe_name_or_none(id in "\\PC{0,80}|[./\\\\ب\u{0}-\u{1f}]{0,20}") {
            if let Some(f) = file_id(&id) {
                proptest::prop_assert!(!f.contains(['/', '\\']) && !f.contains("..") && !f.starts_with('.'));
                proptest::prop_assert!(!f.chars().any(char::is_control));
                proptest::prop_assert!(!f.is_empty() && f.len() <= MAX_ID_BYTES);
                proptest::prop_assert_eq!(file_id(&f), Some(f.clone()));
            }
        }
    }
}
