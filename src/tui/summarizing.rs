//! Without the corpus index, the article table's summaries are read from the files in the
//! background, a batch of articles at a time, so that the first frame never waits for them:
//! the table shows what has arrived and says how far the reading got.

use std::sync::mpsc::{self, Receiver};

use rayon::prelude::*;

use crate::index::{Reader, summaries};
use crate::model::Schema;
use crate::model::summary::ArticleSummary;
use crate::store::Store;

/// Articles summarized per batch sent.
const BATCH: usize = 256;

/// Starts summarizing `ids`; batches arrive on the receiver, which closes at the end (or
/// stops the reading when dropped).
pub fn spawn(store: Store, schema: Schema, ids: Vec<String>) -> Receiver<Vec<ArticleSummary>> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("tadqiq-summaries".into())
        .spawn(move || {
            let analysts = store.list_analysts().unwrap_or_default();
            let reader = Reader::files(&store);
            for chunk in ids.chunks(BATCH) {
                let batch: Vec<ArticleSummary> = chunk
                    .par_iter()
                    .map(|id| summaries::summarize(&reader, &schema, &analysts, id))
                    .collect();
                if tx.send(batch).is_err() {
                    return;
                }
            }
        })
        .map_err(|_| ())
        .ok();
    rx
}
