//! `tadqiq import`: bring a pipeline's output into the corpus, as article files
//! ([`articles`]) and extracted files ([`extracted`]).
//!
//! This module owns what both share: reading a JSONL or CSV file record by record
//! ([`records`]), turning an id into a safe file name ([`file_id`]), and writing a record's
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
use std::fs;
use std::io;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::store::atomic::Batch;

pub use records::{Format, Record, Records};

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
    /// Records that could not be imported (broken line, missing id, invalid value).
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

/// An id made into a file name: the characters a file name cannot safely hold become `_`.
///
/// Letters and digits of any script (Arabic included), `-`, `_` and `.` are kept; `/`, `\`,
/// spaces, control characters and the rest become `_`; `..` and a leading `.` (a hidden file,
/// or a way out of the folder) become `_` too. An id longer than [`MAX_ID_BYTES`] is cut and
/// given a hash of the whole id, so that two long ids stay apart. `None` for an id with
/// nothing usable in it.
pub fn file_id(id: &str) -> Option<String> {
    let id = id.trim();
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
    if out.len() > MAX_ID_BYTES {
        let hash: String = Sha256::digest(id.as_bytes())[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut cut = MAX_ID_BYTES - hash.len() - 1;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('_');
        out.push_str(&hash);
    }
    Some(out)
}

/// The ids an import has seen, to keep the first record of each and report the others.
#[derive(Debug, Default)]
pub struct Seen(HashMap<String, u64>);

impl Seen {
    /// Records `id` at `line`; the line that had it first when it is a duplicate.
    pub fn first(&mut self, id: &str, line: u64) -> Option<u64> {
        if let Some(&first) = self.0.get(id) {
            return Some(first);
        }
        self.0.insert(id.to_string(), line);
        None
    }
}

/// The id of a record, made into a file name, with the notices that go with it: a renamed id
/// is reported, and a duplicate or unusable id ends the record (`None`).
pub(crate) fn record_id(
    raw: Option<&str>,
    id_field: &str,
    line: u64,
    seen: &mut Seen,
    summary: &mut Summary,
    sink: &mut dyn Sink,
) -> Option<String> {
    let Some(raw) = raw else {
        summary.rejected += 1;
        sink.notice(Notice {
            line,
            level: Level::Error,
            message: format!("no `{id_field}` (the id; --id-field names another key)"),
        });
        return None;
    };
    let Some(id) = file_id(raw) else {
        summary.rejected += 1;
        sink.notice(Notice {
            line,
            level: Level::Error,
            message: format!("id `{raw}` has nothing usable as a file name"),
        });
        return None;
    };
    if let Some(first) = seen.first(&id, line) {
        summary.duplicates += 1;
        let same = if id == raw {
            String::new()
        } else {
            format!(" (as `{id}`)")
        };
        sink.notice(Notice {
            line,
            level: Level::Info,
            message: format!("duplicate id `{raw}`{same}, first on line {first}: skipped"),
        });
        return None;
    }
    if id != raw {
        sink.notice(Notice {
            line,
            level: Level::Info,
            message: format!("id `{raw}` saved as `{id}`"),
        });
    }
    Some(id)
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
        let current = match fs::read(path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(ImportError::Write {
                    path: path.clone(),
                    source,
                });
            }
        };
        let same = current == *want;
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
    summary.rejected += 1;
    sink.notice(Notice {
        line,
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

    #[test]
    fn ids_become_safe_file_names() {
        assert_eq!(file_id("001_ac28").as_deref(), Some("001_ac28"));
        assert_eq!(file_id("خبر-١٢").as_deref(), Some("خبر-١٢"));
        assert_eq!(file_id("a/b").as_deref(), Some("a_b"));
        assert_eq!(file_id("a\\b").as_deref(), Some("a_b"));
        assert_eq!(
            file_id("../../etc/passwd").as_deref(),
            Some("____etc_passwd")
        );
        assert_eq!(file_id(".hidden").as_deref(), Some("_hidden"));
        assert_eq!(file_id("a...b").as_deref(), Some("a_.b"));
        assert_eq!(file_id("x\u{1b}[31m").as_deref(), Some("x__31m"));
        assert_eq!(file_id(" padded ").as_deref(), Some("padded"));
        assert_eq!(file_id("end.").as_deref(), Some("end_"));
        assert_eq!(
            file_id("https://hespress.com/x?id=1").as_deref(),
            Some("https___hespress.com_x_id_1")
        );
        for bad in ["", "   ", "/", "..", "..\\..", "\u{0}"] {
            assert_eq!(file_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn long_ids_are_cut_and_stay_apart() {
        let a = file_id(&"ب".repeat(300)).unwrap();
        let b = file_id(&format!("{}x", "ب".repeat(300))).unwrap();
        assert!(a.len() <= MAX_ID_BYTES, "{}", a.len());
        assert_ne!(a, b);
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
