//! Finds out, in the background, where the analyst is with each article (the status in each
//! gold file, and whether the article changed since), so that the first frame never waits for
//! 100 000 files to be read. Files are read as `tadqiq status` reads them, through the corpus
//! index when there is one, so both count the same.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

use crate::index::{Index, Reader};
use crate::model::{Schema, Status};
use crate::store::Store;

/// What the scan found about one article.
#[derive(Debug)]
pub enum ScanEvent {
    /// The status of the analyst's gold file.
    Status {
        /// The article.
        id: String,
        /// Its status.
        status: Status,
    },
    /// Whether the article changed since the review.
    Stale {
        /// The article.
        id: String,
        /// True when its SHA-256 differs from the gold file's.
        stale: bool,
    },
    /// Nothing more will come.
    Done,
}

/// Starts scanning the analyst's gold files; results arrive on the receiver.
pub fn spawn(
    store: Store,
    analyst: String,
    schema: Schema,
    index: Option<Arc<Index>>,
) -> Receiver<ScanEvent> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("tadqiq-scan".into())
        .spawn(move || {
            let reader = Reader::new(&store, index.as_deref());
            run(&reader, &analyst, &schema, &tx);
        })
        .map_err(|_| ())
        .ok();
    rx
}

fn run(reader: &Reader, analyst: &str, schema: &Schema, tx: &Sender<ScanEvent>) {
    let ids = reader.store().list_gold(analyst).unwrap_or_default();
    let mut hashes = Vec::new();
    // Statuses first: they feed the counts in the status bar. Each file is read as `status`
    // reads it (through the index when there is one), so that a file `check` refuses is never
    // counted done here.
    for id in ids {
        let Ok(Some(gold)) = reader.read_gold(analyst, &id, schema) else {
            continue;
        };
        if tx
            .send(ScanEvent::Status {
                id: id.clone(),
                status: gold.status,
            })
            .is_err()
        {
            return;
        }
        if let Some(sha) = gold.article_sha256 {
            hashes.push((id, sha));
        }
    }
    // Then staleness, which hashes every reviewed article (or finds its hash in the index).
    for (id, sha) in hashes {
        let Some(now) = reader.article_sha256(&id) else {
            continue;
        };
        if tx
            .send(ScanEvent::Stale {
                id,
                stale: now != sha,
            })
            .is_err()
        {
            return;
        }
    }
    let _ = tx.send(ScanEvent::Done);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn a_file_status_refuses_is_never_counted() {
        let dir = tempfile::tempdir().unwrap();
        let articles = dir.path().join("articles");
        let gold = dir.path().join("annotations/gold/amina");
        std::fs::create_dir_all(&articles).unwrap();
        std::fs::create_dir_all(&gold).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(
            root.join("annotations/schema.yaml"),
            dir.path().join("annotations/schema.yaml"),
        )
        .unwrap();
        for id in ["a", "b"] {
            std::fs::write(articles.join(format!("{id}.txt")), "نص").unwrap();
        }
        let ok = "article: a\nanalyst: amina\nstatus: done\nfields: {}\n";
        std::fs::write(gold.join("a.yaml"), ok).unwrap();
        // `status: done` on a line of its own, in a file that is not valid: a duplicate key.
        let bad = "article: b\nanalyst: amina\nstatus: done\nstatus: done\nfields: {}\n";
        std::fs::write(gold.join("b.yaml"), bad).unwrap();
        let store = Store::new(&articles, dir.path().join("annotations"));
        let schema = store.load_schema().unwrap().value;
        let (tx, rx) = mpsc::channel();
        run(&Reader::files(&store), "amina", &schema, &tx);
        let counted: Vec<(String, Status)> = rx
            .try_iter()
            .filter_map(|e| match e {
                ScanEvent::Status { id, status } => Some((id, status)),
                _ => None,
            })
            .collect();
        assert_eq!(counted, [("a".to_string(), Status::Done)]);
    }
}
