//! `tadqiq index`: bring the whole index up to date at once, or compare it with a full read.
//!
//! Both walk every file the commands read (each analyst's gold files, the extracted files, the
//! articles' hashes) a chunk at a time on every core; memory holds the listing.

use std::io;
use std::path::Path;

use rayon::prelude::*;

use super::{Index, Reader};
use crate::model::Schema;
use crate::store::{LoadError, Store};

/// One file the index keeps an entry for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    /// `gold/<analyst>/<id>.yaml`, the analyst by index into [`Units::analysts`].
    Gold(u32, Box<str>),
    /// `extracted/<id>.yaml`.
    Extracted(Box<str>),
    /// `<articles>/<id>.txt`, for its hash.
    Article(Box<str>),
}

/// Every file of the corpus the index keeps an entry for.
#[derive(Debug, Default)]
pub struct Units {
    /// The gold sets, the adjudicated one included.
    pub analysts: Vec<String>,
    /// The files.
    pub units: Vec<Unit>,
}

/// Lists the corpus.
pub fn units(store: &Store) -> io::Result<Units> {
    let mut out = Units {
        analysts: store.list_analysts()?,
        units: Vec::new(),
    };
    for (i, a) in out.analysts.iter().enumerate() {
        let i = u32::try_from(i).map_err(|_| io::Error::other("too many gold sets"))?;
        for id in store.list_gold(a)? {
            out.units.push(Unit::Gold(i, id.into()));
        }
    }
    for id in store.list_extracted()? {
        out.units.push(Unit::Extracted(id.into()));
    }
    for id in store.list_articles()? {
        out.units.push(Unit::Article(id.into()));
    }
    Ok(out)
}

/// How many files one chunk reads on the worker threads.
const CHUNK: usize = 4096;

/// Reads every unit through `reader`, whose index records what it does not know yet.
/// `progress` is told how many units are done.
pub fn update(reader: &Reader, schema: &Schema, units: &Units, progress: &dyn Fn(usize)) {
    let mut done = 0;
    for chunk in units.units.chunks(CHUNK) {
        chunk.par_iter().for_each(|u| match u {
            Unit::Gold(a, id) => {
                let _ = reader.read_gold(&units.analysts[*a as usize], id, schema);
            }
            Unit::Extracted(id) => {
                let _ = reader.load_extracted(id, schema);
            }
            Unit::Article(id) => {
                let _ = reader.article_sha256(id);
            }
        });
        done += chunk.len();
        progress(done);
    }
    if let Some(index) = reader.index() {
        index.flush();
    }
}

/// What comparing the index with the files found.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Entries that answer what a full read answers.
    pub same: usize,
    /// Files with no entry the index would trust (new or changed since): a command would read
    /// them, so they are not differences.
    pub unknown: usize,
    /// Files whose trusted entry answers differently from a full read: `path: what`.
    pub differences: Vec<String>,
}

/// Compares what the index would answer for every unit with what reading the file answers,
/// without updating the index.
pub fn compare(
    index: &Index,
    store: &Store,
    schema: &Schema,
    units: &Units,
    progress: &dyn Fn(usize),
) -> Comparison {
    let reader = Reader::new(store, Some(index));
    let files = Reader::files(store);
    let mut out = Comparison::default();
    let mut done = 0;
    for chunk in units.units.chunks(CHUNK) {
        let found: Vec<Option<Result<(), String>>> = chunk
            .par_iter()
            .map(|u| match u {
                Unit::Gold(a, id) => {
                    let analyst = &units.analysts[*a as usize];
                    let path = store.gold_path(analyst, id);
                    let cached = reader.indexed_gold(analyst, id)?;
                    Some(same(&path, cached, files.read_gold(analyst, id, schema)))
                }
                Unit::Extracted(id) => {
                    let path = store.extracted_path(id);
                    let cached = reader.indexed_extracted(id)?;
                    Some(same(&path, cached, files.load_extracted(id, schema)))
                }
                Unit::Article(id) => {
                    let cached = reader.indexed_article_sha256(id)?;
                    let read = files.article_sha256(id);
                    Some(if read.as_deref() == Some(cached.as_str()) {
                        Ok(())
                    } else {
                        Err(format!(
                            "{}: hash {cached} in the index, {} on disk",
                            store.article_path(id).display(),
                            read.as_deref().unwrap_or("unreadable")
                        ))
                    })
                }
            })
            .collect();
        for f in found {
            match f {
                None => out.unknown += 1,
                Some(Ok(())) => out.same += 1,
                Some(Err(d)) => out.differences.push(d),
            }
        }
        done += chunk.len();
        progress(done);
    }
    out
}

/// Whether a cached reading equals a full read.
fn same<T: PartialEq>(
    path: &Path,
    cached: Result<T, LoadError>,
    read: Result<Option<T>, LoadError>,
) -> Result<(), String> {
    let differ = |what: &str| Err(format!("{}: {what}", path.display()));
    match (cached, read) {
        (Ok(c), Ok(Some(r))) if c == r => Ok(()),
        (Ok(_), Ok(Some(_))) => differ("the index holds another document"),
        (Err(LoadError::Invalid(c)), Err(LoadError::Invalid(r))) if c == r => Ok(()),
        (Err(_), Err(LoadError::Invalid(_))) => differ("the index holds other problems"),
        (Ok(_), Err(_)) => differ("valid in the index, not on disk"),
        (Err(_), Ok(_)) => differ("invalid in the index, valid on disk"),
        (_, Ok(None)) => differ("in the index, not on disk"),
        (_, Err(e)) => differ(&format!("in the index; on disk: {e}")),
    }
}

/// Deletes the entries of files that are gone; returns how many.
pub fn prune(index: &Index, store: &Store) -> usize {
    index.prune(|key| {
        let mut parts = key.splitn(3, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("gold"), Some(analyst), Some(id)) => store.gold_path(analyst, id).exists(),
            (Some("extracted"), Some(id), None) => store.extracted_path(id).exists(),
            (Some("sha"), Some(id), None) => store.article_path(id).exists(),
            (Some("check"), Some(id), None) => {
                store.extracted_path(id).exists() || store.article_path(id).exists()
            }
            (Some("meta"), Some(_), _) => Path::new(&key["meta/".len()..]).exists(),
            _ => false,
        }
    })
}
