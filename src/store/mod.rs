//! The corpus on disk: listing articles, reading articles and annotations, saving gold files
//! safely.
//!
//! ```text
//! <articles>/<id>.txt                          the articles (UTF-8; id = file stem)
//! <articles>/<id>.meta.yaml                    url, outlet, date of an imported article
//! <annotations>/schema.yaml                    the fields to review
//! <annotations>/extracted/<id>.yaml            machine pre-annotations
//! <annotations>/gold/<analyst>/<id>.yaml       one analyst's review of one article
//! ```
//!
//! Listing is a directory listing; nothing is read until an article is opened, so a corpus of
//! 100 000 articles opens as fast as its folder lists and memory does not grow with it.
//! Every file is read by [`read_corpus_file`], which never waits on a FIFO and reads only a
//! regular file within its size limit. Saving never overwrites a gold file that changed on disk since it was read (another
//! instance, a `git pull`): it reports the conflict instead.

pub mod atomic;
pub mod lock;
pub mod recovery;
pub mod yaml;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::{Article, Extracted, Gold, Problems, Schema, Severity};
pub use lock::{AnalystLock, LockError};
pub use yaml::Diagnostic;

/// The adjudicated gold set lives beside the analysts' folders under this name.
pub const ADJUDICATED: &str = "_adjudicated";

/// Articles larger than this are refused: nobody reviews a 64 MiB article, and reading one
/// would stall the review screen.
pub const MAX_ARTICLE_BYTES: u64 = 64 << 20;

/// What a file held when it was read: the SHA-256 of its bytes, or nothing if it did not
/// exist. Compared again before saving, to detect changes made behind our back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Fingerprint(Option<[u8; 32]>);

impl Fingerprint {
    /// The fingerprint of a file that does not exist.
    pub const ABSENT: Fingerprint = Fingerprint(None);

    fn of(bytes: &[u8]) -> Fingerprint {
        Fingerprint(Some(Sha256::digest(bytes).into()))
    }

    /// Whether the file existed.
    pub fn exists(&self) -> bool {
        self.0.is_some()
    }

    /// The hash in hex, if the file existed.
    pub fn to_hex(&self) -> Option<String> {
        self.0
            .map(|h| h.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A fingerprint from `to_hex`'s output.
    pub fn from_hex(hex: &str) -> Option<Fingerprint> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Fingerprint(Some(out)))
    }
}

/// A document read from a file, with what is needed to save it back safely.
#[derive(Clone, Debug)]
pub struct Loaded<T> {
    /// The model.
    pub value: T,
    /// The file's fingerprint when read.
    pub fingerprint: Fingerprint,
    /// Warnings about the file (errors make the load fail).
    pub warnings: Vec<Diagnostic>,
}

/// Why a file could not be read into a model.
///
/// Printed once, `path: what failed`: the I/O error is part of the message, not also its
/// `source` (an error chain printed as `a: b` would repeat it).
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The file breaks the format or the schema: one diagnostic per line.
    Invalid(Vec<Diagnostic>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            LoadError::Invalid(d) => f.write_str(&lines(d)),
        }
    }
}

impl std::error::Error for LoadError {}

fn lines(d: &[Diagnostic]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why a gold file was not saved. Printed once, as [`LoadError`] is.
#[derive(Debug)]
pub enum SaveError {
    /// The file changed on disk since it was read; neither version was touched.
    Conflict {
        /// The file.
        path: PathBuf,
    },
    /// The document is not the review of this analyst and article (its `analyst:` or
    /// `article:` disagrees with where it would be saved): nothing was written. Where a file
    /// goes is decided by its name and the analyst, never by what it holds.
    NotItsPlace {
        /// The file it would have been saved to.
        path: PathBuf,
        /// Which key disagrees.
        problem: String,
    },
    /// Writing failed (full disk, permissions, a link where tadqiq writes); the old file is
    /// intact.
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Conflict { path } => write!(
                f,
                "{}: changed on disk since it was opened (another instance, or a git pull?); not overwritten",
                path.display()
            ),
            SaveError::NotItsPlace { path, problem } => {
                write!(f, "{}: {problem}; not saved", path.display())
            }
            SaveError::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for SaveError {}

/// The corpus: where articles and annotations are.
#[derive(Clone, Debug)]
pub struct Store {
    articles: PathBuf,
    annotations: PathBuf,
}

impl Store {
    /// A store over `articles` (the `.txt` files) and `annotations`.
    pub fn new(articles: impl Into<PathBuf>, annotations: impl Into<PathBuf>) -> Store {
        Store {
            articles: articles.into(),
            annotations: annotations.into(),
        }
    }

    /// The articles folder.
    pub fn articles_dir(&self) -> &Path {
        &self.articles
    }

    /// The annotations folder.
    pub fn annotations_dir(&self) -> &Path {
        &self.annotations
    }

    /// `annotations/schema.yaml`.
    pub fn schema_path(&self) -> PathBuf {
        self.annotations.join("schema.yaml")
    }

    /// `articles/<id>.txt`.
    pub fn article_path(&self, id: &str) -> PathBuf {
        self.articles.join(format!("{id}.txt"))
    }

    /// `articles/<id>.meta.yaml`: what `tadqiq import articles` knew about the article besides
    /// its text (url, outlet, publication date). Not an article: listings take `*.txt` only.
    pub fn article_meta_path(&self, id: &str) -> PathBuf {
        self.articles.join(format!("{id}.meta.yaml"))
    }

    /// The article's `.meta.yaml`, if there is a readable one.
    pub fn read_article_meta(&self, id: &str) -> Option<crate::model::ArticleMeta> {
        let path = self.article_meta_path(id);
        let bytes = read_corpus_file(&path, Limit::META).ok()??;
        let parsed = yaml::parse(&path, bytes).ok()?;
        Some(crate::model::ArticleMeta::from_yaml(&parsed.doc))
    }

    /// `annotations/extracted/`.
    pub fn extracted_dir(&self) -> PathBuf {
        self.annotations.join("extracted")
    }

    /// `annotations/extracted/<id>.yaml`.
    pub fn extracted_path(&self, id: &str) -> PathBuf {
        self.extracted_dir().join(format!("{id}.yaml"))
    }

    /// `annotations/gold/`.
    pub fn gold_root(&self) -> PathBuf {
        self.annotations.join("gold")
    }

    /// `annotations/gold/<analyst>/`.
    pub fn gold_dir(&self, analyst: &str) -> PathBuf {
        self.gold_root().join(analyst)
    }

    /// `annotations/gold/<analyst>/<id>.yaml`.
    pub fn gold_path(&self, analyst: &str, id: &str) -> PathBuf {
        self.gold_dir(analyst).join(format!("{id}.yaml"))
    }

    /// The ids of the articles, sorted. Reads the folder listing only.
    pub fn list_articles(&self) -> io::Result<Vec<String>> {
        list_stems(&self.articles, "txt").map_err(|e| with_path(e, &self.articles))
    }

    /// The ids of the extracted files, sorted.
    pub fn list_extracted(&self) -> io::Result<Vec<String>> {
        list_or_empty(&self.extracted_dir(), "yaml")
    }

    /// The analysts with a gold folder (the adjudicated set included), sorted.
    pub fn list_analysts(&self) -> io::Result<Vec<String>> {
        let root = self.gold_root();
        let entries = match fs::read_dir(&root) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(with_path(e, &root)),
        };
        let mut out = Vec::new();
        for e in entries {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type()?.is_dir() && !name.starts_with('.') {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// The ids an analyst has gold files for, sorted.
    pub fn list_gold(&self, analyst: &str) -> io::Result<Vec<String>> {
        list_or_empty(&self.gold_dir(analyst), "yaml")
    }

    /// Reads an article.
    pub fn read_article(&self, id: &str) -> Result<Article, LoadError> {
        let path = self.article_path(id);
        let bytes = read_corpus_file(&path, Limit::ARTICLE)?.ok_or_else(|| LoadError::Io {
            path: path.clone(),
            source: io::Error::new(io::ErrorKind::NotFound, "no such file"),
        })?;
        Ok(Article::from_bytes(id, &bytes))
    }

    /// Reads and validates the schema.
    pub fn load_schema(&self) -> Result<Loaded<Schema>, LoadError> {
        let path = self.schema_path();
        let (bytes, fingerprint) = read_file(&path)?.ok_or_else(|| LoadError::Io {
            path: path.clone(),
            source: io::Error::new(
                io::ErrorKind::NotFound,
                "no schema (annotations/schema.yaml)",
            ),
        })?;
        let parsed = yaml::parse(&path, bytes).map_err(|d| LoadError::Invalid(vec![d]))?;
        let mut problems = Problems::default();
        let schema = Schema::from_yaml(&parsed.doc, &mut problems);
        finish(&path, parsed.text(), problems, schema, fingerprint)
    }

    /// Reads an article's extracted annotations; `None` when the extractor delivered none.
    pub fn load_extracted(
        &self,
        id: &str,
        schema: &Schema,
    ) -> Result<Option<Loaded<Extracted>>, LoadError> {
        let path = self.extracted_path(id);
        let Some((bytes, fingerprint)) = read_file(&path)? else {
            return Ok(None);
        };
        let parsed = yaml::parse(&path, bytes).map_err(|d| LoadError::Invalid(vec![d]))?;
        let mut problems = Problems::default();
        let e = Extracted::from_yaml(&parsed.doc, schema, &mut problems);
        finish(&path, parsed.text(), problems, e, fingerprint).map(Some)
    }

    /// Reads an analyst's gold file for an article; `None` when there is none yet.
    ///
    /// For the review screen, which shows a file whose `article:` or `analyst:` disagrees with
    /// its path (see [`identity_problem`]) and lets the analyst decide; other readers use
    /// [`Store::read_gold`]. A file that breaks the schema fails to load (rather than loading without the broken
    /// fields), so that a later save cannot drop what the analyst wrote.
    pub fn load_gold(
        &self,
        analyst: &str,
        id: &str,
        schema: &Schema,
    ) -> Result<Option<Loaded<Gold>>, LoadError> {
        let path = self.gold_path(analyst, id);
        let Some((bytes, fingerprint)) = read_file(&path)? else {
            return Ok(None);
        };
        let parsed = yaml::parse(&path, bytes).map_err(|d| LoadError::Invalid(vec![d]))?;
        let mut problems = Problems::default();
        let gold = Gold::from_yaml(&parsed.doc, schema, &mut problems);
        finish(&path, parsed.text(), problems, gold, fingerprint).map(Some)
    }

    /// Reads an analyst's gold file for an article, for readers that never save it back
    /// (export, agreement, scores, status): as [`Store::load_gold`] without the fingerprint,
    /// which would hash every file of a corpus for nothing. A file whose `article:` or
    /// `analyst:` disagrees with its path is invalid here, so that every command attributes a
    /// review to the folder it is in, as `check` does.
    pub fn read_gold(
        &self,
        analyst: &str,
        id: &str,
        schema: &Schema,
    ) -> Result<Option<Gold>, LoadError> {
        let path = self.gold_path(analyst, id);
        let Some(bytes) = read_corpus_file(&path, Limit::YAML)? else {
            return Ok(None);
        };
        let parsed = yaml::parse(&path, bytes).map_err(|d| LoadError::Invalid(vec![d]))?;
        let mut problems = Problems::default();
        let gold = Gold::from_yaml(&parsed.doc, schema, &mut problems);
        if let Some(g) = &gold {
            identity_problems(g, analyst, id, &mut problems);
        }
        finish(&path, parsed.text(), problems, gold, Fingerprint::ABSENT).map(|l| Some(l.value))
    }

    /// The current fingerprint of an analyst's gold file.
    pub fn gold_fingerprint(&self, analyst: &str, id: &str) -> io::Result<Fingerprint> {
        let path = self.gold_path(analyst, id);
        match read_corpus_file(&path, Limit::YAML) {
            Ok(bytes) => Ok(bytes.map_or(Fingerprint::ABSENT, |b| Fingerprint::of(&b))),
            Err(e) => Err(io::Error::other(e.to_string())),
        }
    }

    /// Saves `gold` as `analyst`'s review of article `id`, atomically, unless the file on disk
    /// is no longer the one read (`expected`). Returns the new fingerprint. Writes nothing when
    /// the bytes are unchanged.
    ///
    /// The path comes from `analyst` and `id` only, both checked to name a file inside
    /// `gold/<analyst>/`; a document whose `analyst:` or `article:` says otherwise is refused
    /// ([`SaveError::NotItsPlace`]), and so is a gold folder or file that is a symbolic link.
    pub fn save_gold(
        &self,
        analyst: &str,
        id: &str,
        gold: &Gold,
        expected: Fingerprint,
    ) -> Result<Fingerprint, SaveError> {
        let path = self.gold_path(analyst, id);
        if let Some(problem) = identity_problem(gold, analyst, id) {
            return Err(SaveError::NotItsPlace { path, problem });
        }
        let io_err = |source| SaveError::Io {
            path: path.clone(),
            source,
        };
        check_id(id).map_err(io_err)?;
        self.writable_gold_dir(analyst).map_err(io_err)?;
        refuse_link(&path).map_err(io_err)?;
        let current = match read_corpus_file(&path, Limit::YAML) {
            Ok(bytes) => bytes,
            Err(LoadError::Io { source, .. }) => return Err(io_err(source)),
            Err(e) => return Err(io_err(io::Error::other(e.to_string()))),
        };
        let on_disk = current
            .as_deref()
            .map_or(Fingerprint::ABSENT, Fingerprint::of);
        if on_disk != expected {
            return Err(SaveError::Conflict { path });
        }
        let text = yaml::to_string(&gold.to_yaml());
        if current.as_deref() == Some(text.as_bytes()) {
            return Ok(on_disk);
        }
        atomic::write(&path, text.as_bytes()).map_err(io_err)?;
        Ok(Fingerprint::of(text.as_bytes()))
    }

    /// `gold/<analyst>/`, created if needed, once it is known to be a real folder of this
    /// corpus: `analyst` a valid folder name, and neither `gold/` nor `gold/<analyst>/` a
    /// symbolic link. A link there (even to a colleague's folder) would send an analyst's saves
    /// somewhere else, so nothing is written through one.
    pub fn writable_gold_dir(&self, analyst: &str) -> io::Result<PathBuf> {
        if !valid_analyst(analyst) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a valid analyst name",
            ));
        }
        let root = self.gold_root();
        let dir = self.gold_dir(analyst);
        for folder in [&root, &dir] {
            match fs::create_dir(folder) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir_all(folder)?;
                }
                Err(e) => return Err(e),
            }
            let meta = fs::symlink_metadata(folder)?;
            if meta.file_type().is_symlink() {
                return Err(io::Error::other(format!(
                    "{} is a symbolic link; tadqiq writes only into real folders of the corpus",
                    folder.display()
                )));
            }
            if !meta.is_dir() {
                return Err(io::Error::other(format!(
                    "{} is not a folder",
                    folder.display()
                )));
            }
        }
        Ok(dir)
    }

    /// Takes the lock that says this analyst is reviewing.
    pub fn lock_analyst(&self, analyst: &str) -> Result<AnalystLock, LockError> {
        let dir = self
            .writable_gold_dir(analyst)
            .map_err(|source| LockError::Io {
                path: self.gold_dir(analyst).join(lock::LOCK_FILE),
                source,
            })?;
        lock::lock(&dir)
    }
}

/// Builds a `Loaded` from a model read with problems: errors fail the load.
fn finish<T>(
    path: &Path,
    text: &str,
    problems: Problems,
    value: Option<T>,
    fingerprint: Fingerprint,
) -> Result<Loaded<T>, LoadError> {
    let diagnostics = yaml::diagnostics(path, text, &problems);
    match value {
        Some(value) if !problems.has_errors() => Ok(Loaded {
            value,
            fingerprint,
            warnings: diagnostics,
        }),
        _ => {
            let mut d = diagnostics;
            if d.is_empty() {
                d.push(Diagnostic::file(path, Severity::Error, "unusable file"));
            }
            Err(LoadError::Invalid(d))
        }
    }
}

/// Why `gold` is not `analyst`'s review of article `id`, if it is not: what its `article:` or
/// `analyst:` says differs from where the file is. The one rule behind `check`, the readers
/// and saving.
pub fn identity_problem(gold: &Gold, analyst: &str, id: &str) -> Option<String> {
    let mut problems = Problems::default();
    identity_problems(gold, analyst, id, &mut problems);
    let messages: Vec<String> = problems.0.into_iter().map(|p| p.message).collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// [`identity_problem`], as problems at the keys that disagree.
pub fn identity_problems(gold: &Gold, analyst: &str, id: &str, problems: &mut Problems) {
    use crate::model::YamlPath;
    use crate::text::sanitize::sanitize_inline as clean;
    let root = YamlPath::root();
    if gold.article != id {
        problems.error(
            &root.key("article"),
            format!(
                "`article: {}` but the file is for `{}`",
                clean(&gold.article),
                clean(id)
            ),
        );
    }
    if gold.analyst != analyst {
        problems.error(
            &root.key("analyst"),
            format!(
                "`analyst: {}` but the file is in the folder of `{}`",
                clean(&gold.analyst),
                clean(analyst)
            ),
        );
    }
}

/// Refuses a path that is a symbolic link: a save replaces the file, and a link there would
/// either be replaced by a file or, written through, change a file elsewhere.
pub fn refuse_link(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::other(
            "is a symbolic link; tadqiq does not write through links",
        )),
        Ok(m) if !m.is_file() => Err(io::Error::other("is not a regular file")),
        _ => Ok(()),
    }
}

/// Reads an annotation file and its fingerprint; `None` when it does not exist.
pub(crate) fn read_file(path: &Path) -> Result<Option<(Vec<u8>, Fingerprint)>, LoadError> {
    Ok(read_corpus_file(path, Limit::YAML)?.map(|bytes| {
        let f = Fingerprint::of(&bytes);
        (bytes, f)
    }))
}

/// How much of a kind of file is read, and what the message calls such files.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    bytes: u64,
    files: &'static str,
}

impl Limit {
    /// Gold, extracted and schema files.
    pub const YAML: Limit = Limit {
        bytes: yaml::MAX_YAML_BYTES as u64,
        files: "annotation files",
    };
    /// Articles.
    pub const ARTICLE: Limit = Limit {
        bytes: MAX_ARTICLE_BYTES,
        files: "articles",
    };
    /// An article's `.meta.yaml`: a few lines.
    pub const META: Limit = Limit {
        bytes: 1 << 20,
        files: "article metadata files",
    };
}

/// Reads a file of the corpus — article, metadata, schema, extracted or gold file; every
/// reader of one goes through here. `None` when there is no such file; a symbolic link to
/// nothing is an error, not an absent file.
///
/// The file is opened without blocking and the open handle's type is checked before anything
/// is read: a FIFO in place of a gold file would otherwise stall `check`, `status` or the
/// review screen until something wrote to it, and a device could be read without end. Only a
/// regular file is read, and only if its size is within `limit`; a larger one is refused,
/// unread, with its size.
pub fn read_corpus_file(path: &Path, limit: Limit) -> Result<Option<Vec<u8>>, LoadError> {
    use std::io::Read;
    let io_err = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return match fs::symlink_metadata(path) {
                Ok(m) if m.file_type().is_symlink() => {
                    let target = fs::read_link(path).unwrap_or_default();
                    Err(io_err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!(
                            "a symbolic link to {}, which does not exist",
                            target.display()
                        ),
                    )))
                }
                _ => Ok(None),
            };
        }
        Err(e) => {
            // A socket cannot be opened at all: say what it is rather than `ENXIO`.
            return Err(io_err(match fs::metadata(path) {
                Ok(m) if !m.is_file() => not_regular(&m),
                _ => e,
            }));
        }
    };
    let meta = file.metadata().map_err(io_err)?;
    if !meta.is_file() {
        return Err(io_err(not_regular(&meta)));
    }
    let too_large = |size: u64| {
        LoadError::Invalid(vec![Diagnostic::file(
            path,
            Severity::Error,
            format!(
                "the file is {}; {} are at most {}",
                mib(size),
                limit.files,
                mib(limit.bytes)
            ),
        )])
    };
    if meta.len() > limit.bytes {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow after it was measured: never read more than one byte past the limit.
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// Opens a file for reading without waiting for a writer (a FIFO) or a carrier (a device).
fn open_nonblocking(path: &Path) -> io::Result<fs::File> {
    without_waiting(fs::OpenOptions::new().read(true), Links::Follow).open(path)
}

/// Whether opening a path may go through a symbolic link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Links {
    /// Reading: a link to a file is that file.
    Follow,
    /// Where tadqiq writes, or takes a lock: a link is refused (`ELOOP`), never followed.
    Refuse,
}

/// `options` made to open without waiting on what is not a regular file (`O_NONBLOCK`: a FIFO
/// with no writer, a device; `O_NOCTTY`: never a controlling terminal) and, with
/// [`Links::Refuse`], without following a link (`O_NOFOLLOW`). Every file tadqiq opens that a
/// file name alone could have put there is opened this way, then its type checked on the
/// handle.
pub(crate) fn without_waiting(options: &mut fs::OpenOptions, links: Links) -> &mut fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    #[cfg(not(unix))]
    let _ = links;
    options
}

/// The error for a file that is not a regular file.
fn not_regular(meta: &fs::Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}, not a regular file; not read", file_kind(meta)),
    )
}

/// What a file that is not a regular file is, for a message.
fn file_kind(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// A size in MiB, with a decimal when it is not whole.
fn mib(bytes: u64) -> String {
    let m = bytes as f64 / (1u64 << 20) as f64;
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{m:.1} MiB")
    }
}

/// An I/O error about a file or folder of the store, printed `path: error` once.
#[derive(Debug)]
struct PathError {
    path: PathBuf,
    error: io::Error,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for PathError {}

/// `e` with the path it is about in front, for the listings' callers.
fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(
        e.kind(),
        PathError {
            path: path.to_path_buf(),
            error: e,
        },
    )
}

/// What an error of the store's listings says without the path it puts in front, for a
/// message that names the path itself (`path:1:1: …`).
pub fn reason(e: &io::Error) -> String {
    match e.get_ref().and_then(|e| e.downcast_ref::<PathError>()) {
        Some(p) => p.error.to_string(),
        None => e.to_string(),
    }
}

fn list_or_empty(dir: &Path, ext: &str) -> io::Result<Vec<String>> {
    match list_stems(dir, ext) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        other => other.map_err(|e| with_path(e, dir)),
    }
}

/// The stems of the files `*.ext` in `dir` (not hidden, not our temporary files), sorted.
fn list_stems(dir: &Path, ext: &str) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        if let Some(stem) = name.strip_suffix(ext).and_then(|s| s.strip_suffix('.'))
            && !stem.is_empty()
        {
            out.push(stem.to_string());
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Whether a name is a usable analyst name: a folder name that cannot escape `gold/` or hide.
pub fn valid_analyst(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Whether an analyst name is one tadqiq keeps for itself (the adjudicated set, and any
/// name starting with `_`), which nobody may review as.
pub fn reserved_analyst(name: &str) -> bool {
    name.starts_with('_')
}

/// [`valid_id`] as an error for writers: nothing is written under an id that is not one.
pub(crate) fn check_id(id: &str) -> io::Result<()> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a valid article id for a file name",
        ))
    }
}

/// Whether `id` can name a file of its own in a folder: a listed stem is one, and nothing
/// else is written. Not empty, not hidden, no `/` or NUL, short enough for a file name.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && !id.starts_with('.') && id.len() <= 240 && !id.contains(['/', '\0'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldReview, Status, Value, Verdict};

    fn fixture() -> (tempfile::TempDir, Store, Schema) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("articles"), dir.path().join("annotations"));
        fs::create_dir_all(store.articles_dir()).unwrap();
        fs::create_dir_all(store.annotations_dir()).unwrap();
        fs::write(store.article_path("b"), "خبر").unwrap();
        fs::write(store.article_path("a"), "استقبل حموشي").unwrap();
        fs::write(store.articles_dir().join(".hidden.txt"), "").unwrap();
        fs::write(store.articles_dir().join("notes.md"), "").unwrap();
        fs::write(
            store.schema_path(),
            "fields:\n- {name: event_type, type: choice, values: [meeting, visit]}\n",
        )
        .unwrap();
        let schema = store.load_schema().unwrap().value;
        (dir, store, schema)
    }

    fn gold(article: &str) -> Gold {
        let mut g = Gold::new(article, "amina");
        g.status = Status::Done;
        g.fields.push((
            "event_type".into(),
            FieldReview {
                value: Value::Text("visit".into()),
                verdict: Verdict::Corrected,
                was: Some(Value::Text("meeting".into())),
                evidence: None,
                note: None,
                from_twin: None,
            },
        ));
        g
    }

    #[test]
    fn lists_articles_by_id_only() {
        let (_dir, store, _) = fixture();
        assert_eq!(store.list_articles().unwrap(), ["a", "b"]);
        assert_eq!(store.list_analysts().unwrap(), Vec::<String>::new());
        assert_eq!(store.read_article("a").unwrap().text, "استقبل حموشي");
    }

    #[test]
    fn saves_load_back_and_an_unchanged_save_writes_nothing() {
        let (_dir, store, schema) = fixture();
        assert!(store.load_gold("amina", "a", &schema).unwrap().is_none());
        let f1 = store
            .save_gold("amina", "a", &gold("a"), Fingerprint::ABSENT)
            .unwrap();
        let loaded = store.load_gold("amina", "a", &schema).unwrap().unwrap();
        assert_eq!(loaded.value, gold("a"));
        assert_eq!(loaded.fingerprint, f1);
        let path = store.gold_path("amina", "a");
        let before = fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(
            store.save_gold("amina", "a", &loaded.value, f1).unwrap(),
            f1
        );
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
        assert_eq!(store.list_analysts().unwrap(), ["amina"]);
        assert_eq!(store.list_gold("amina").unwrap(), ["a"]);
    }

    #[test]
    fn a_file_changed_behind_our_back_is_not_overwritten() {
        let (_dir, store, schema) = fixture();
        let f1 = store
            .save_gold("amina", "a", &gold("a"), Fingerprint::ABSENT)
            .unwrap();
        let path = store.gold_path("amina", "a");
        let theirs = fs::read_to_string(&path)
            .unwrap()
            .replace("visit", "meeting");
        fs::write(&path, &theirs).unwrap();
        let mut mine = gold("a");
        mine.status = Status::InProgress;
        assert!(matches!(
            store.save_gold("amina", "a", &mine, f1),
            Err(SaveError::Conflict { .. })
        ));
        assert_eq!(fs::read_to_string(&path).unwrap(), theirs);
        // A file that appeared since we looked is a conflict too.
        assert!(matches!(
            store
                .save_gold("amina", "b", &gold("b"), Fingerprint::ABSENT)
                .and_then(|_| store.save_gold("amina", "b", &gold("b"), Fingerprint::ABSENT)),
            Err(SaveError::Conflict { .. })
        ));
        let _ = schema;
    }

    #[test]
    fn broken_files_fail_to_load_with_positions() {
        let (_dir, store, schema) = fixture();
        let path = store.gold_path("amina", "a");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "article: a\nanalyst: amina\nstatus: done\nfields:\n  event_type: {value: party, verdict: confirmed}\n").unwrap();
        let err = store
            .load_gold("amina", "a", &schema)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with(":5:23: `party` is not a value of `event_type`; one of: meeting, visit"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read_and_within_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero.yaml");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let message = |path: &Path, limit| read_corpus_file(path, limit).unwrap_err().to_string();
        assert_eq!(
            message(&zero, Limit::YAML),
            format!("{}: a device, not a regular file; not read", zero.display())
        );
        assert_eq!(
            message(dir.path(), Limit::YAML),
            format!(
                "{}: a directory, not a regular file; not read",
                dir.path().display()
            )
        );
        let socket = dir.path().join("socket.yaml");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        assert_eq!(
            message(&socket, Limit::YAML),
            format!(
                "{}: a socket, not a regular file; not read",
                socket.display()
            )
        );
        let big = dir.path().join("big.txt");
        fs::File::create(&big)
            .unwrap()
            .set_len(MAX_ARTICLE_BYTES + (3 << 19))
            .unwrap();
        assert_eq!(
            message(&big, Limit::ARTICLE),
            format!(
                "{}:1:1: the file is 65.5 MiB; articles are at most 64 MiB",
                big.display()
            )
        );
        assert!(
            read_corpus_file(&dir.path().join("none"), Limit::YAML)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn where_a_review_is_saved_comes_from_its_name_never_from_its_content() {
        let (dir, store, schema) = fixture();
        let karims = store.gold_path("karim", "a");
        let mut theirs = gold("a");
        theirs.analyst = "karim".into();
        store
            .save_gold("karim", "a", &theirs, Fingerprint::ABSENT)
            .unwrap();
        let before = fs::read(&karims).unwrap();
        // amina starts from a copy of karim's review.
        fs::create_dir_all(store.gold_dir("amina")).unwrap();
        fs::copy(&karims, store.gold_path("amina", "a")).unwrap();
        let copy = store.load_gold("amina", "a", &schema).unwrap().unwrap();
        let problem = identity_problem(&copy.value, "amina", "a").unwrap();
        assert!(problem.contains("`analyst: karim`"), "{problem}");
        // Readers that attribute reviews refuse it, at the key.
        let err = store
            .read_gold("amina", "a", &schema)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(":2:10: `analyst: karim` but the file is in the folder of `amina`"),
            "{err}"
        );
        // Saving it unchanged is refused; karim's file is untouched either way.
        let err = store
            .save_gold("amina", "a", &copy.value, copy.fingerprint)
            .unwrap_err();
        assert!(matches!(err, SaveError::NotItsPlace { .. }), "{err}");
        let mut adopted = copy.value.clone();
        adopted.analyst = "amina".into();
        store
            .save_gold("amina", "a", &adopted, copy.fingerprint)
            .unwrap();
        assert_eq!(fs::read(&karims).unwrap(), before);
        assert!(store.read_gold("amina", "a", &schema).unwrap().is_some());
        // An `article:` that climbs out is never a path.
        let mut climbing = gold("b");
        climbing.article = "../../../escape".into();
        assert!(matches!(
            store.save_gold("amina", "b", &climbing, Fingerprint::ABSENT),
            Err(SaveError::NotItsPlace { .. })
        ));
        for (analyst, id) in [
            ("amina", "../x"),
            ("amina", ".hidden"),
            ("..", "a"),
            ("a/b", "a"),
        ] {
            let mut g = gold(id);
            g.analyst = analyst.into();
            assert!(
                store
                    .save_gold(analyst, id, &g, Fingerprint::ABSENT)
                    .is_err(),
                "{analyst}/{id}"
            );
        }
        assert!(!dir.path().join("escape").exists());
    }

    #[cfg(unix)]
    #[test]
    fn nothing_is_written_through_a_link() {
        let (dir, store, _) = fixture();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir_all(&elsewhere).unwrap();
        fs::create_dir_all(store.gold_root()).unwrap();
        std::os::unix::fs::symlink(&elsewhere, store.gold_dir("amina")).unwrap();
        let err = store
            .save_gold("amina", "a", &gold("a"), Fingerprint::ABSENT)
            .unwrap_err()
            .to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert!(store.lock_analyst("amina").is_err());
        assert!(recovery::write(&store, "amina", "a", &gold("a"), Fingerprint::ABSENT).is_err());
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
        // A gold file that is a link is not replaced or written through either.
        fs::remove_file(store.gold_dir("amina")).unwrap();
        fs::create_dir_all(store.gold_dir("amina")).unwrap();
        let target = elsewhere.join("a.yaml");
        fs::write(&target, "precious").unwrap();
        std::os::unix::fs::symlink(&target, store.gold_path("amina", "a")).unwrap();
        let err = store
            .save_gold("amina", "a", &gold("a"), Fingerprint::ABSENT)
            .unwrap_err()
            .to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "precious");
    }

    #[test]
    fn analyst_names_cannot_escape_the_gold_folder() {
        assert!(valid_analyst("amina"));
        assert!(valid_analyst("أمينة"));
        assert!(valid_analyst("j.doe-2"));
        for bad in ["", "../x", "a/b", ".git", "a b", "x\u{1b}"] {
            assert!(!valid_analyst(bad), "{bad:?}");
        }
        assert!(reserved_analyst(ADJUDICATED));
        assert!(reserved_analyst("_anything"));
        assert!(!reserved_analyst("amina"));
        assert!(valid_id("000_f130585a628a6cea"));
        assert!(valid_id("خبر 1"));
        for bad in ["", ".x", "a/b", "../a", "a\0b", &"x".repeat(241)] {
            assert!(!valid_id(bad), "{bad:?}");
        }
    }
}
