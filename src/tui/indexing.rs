//! The review screen's use of the corpus index: opening it, and bringing its article list and
//! search rows up to date in the background, so that the first frame and every search are
//! answered from it without reading the corpus.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};

use crate::index::{Index, articles};
use crate::model::Schema;
use crate::store::Store;

/// Whether the review reads the corpus index, and where it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum IndexUse {
    /// Never (`--no-index`): the articles folder is listed and a search reads the files.
    Off,
    /// The index in the user's cache folder (see [`crate::index`]).
    #[default]
    CacheFolder,
    /// The index in this folder.
    Folder(PathBuf),
}

/// The index, opened for `store`; `None` when not used or when it cannot be opened (the files
/// are then read, as without it).
pub fn open(choice: &IndexUse, store: &Store, schema: &Schema) -> Option<Arc<Index>> {
    let index = match choice {
        IndexUse::Off => return None,
        IndexUse::CacheFolder => Index::open(store, schema),
        IndexUse::Folder(folder) => Index::open_in(folder, store, schema),
    };
    index.ok().map(Arc::new)
}

/// What the freshness pass ends with.
#[derive(Debug)]
pub enum Refreshed {
    /// The index is up to date with the corpus: its article ids, sorted.
    Ids(Vec<String>),
    /// The pass failed (the corpus could not be listed, or SQLite failed): the index is not
    /// to be trusted in this session.
    Failed(String),
}

/// Prepares the freshness pass: it starts when told on the sender (after the first frame, so
/// as not to compete with it), and its end arrives on the receiver.
pub fn spawn(index: Arc<Index>, store: Store, schema: Schema) -> (Sender<()>, Receiver<Refreshed>) {
    super::background::after_first_frame("tadqiq-index", move || {
        match articles::refresh(&index, &store, &schema, &|_, _| {}) {
            Ok(r) => Refreshed::Ids(r.ids),
            Err(e) => Refreshed::Failed(e.to_string()),
        }
    })
}
