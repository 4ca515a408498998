//! The review screen's twins: found in the background, as `tadqiq twins` finds them, so that
//! the first frame never waits for a pass over the corpus.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};

use crate::index::{Index, Reader};
use crate::model::Schema;
use crate::store::Store;
use crate::twins::{self, Twins};

/// Prepares the pass: it starts when told on the sender (after the first frame), and its
/// result arrives on the receiver. A corpus that cannot be listed gives no twins.
pub fn spawn(
    store: Store,
    schema: Schema,
    index: Option<Arc<Index>>,
) -> (Sender<()>, Receiver<Twins>) {
    super::background::after_first_frame("tadqiq-twins", move || match store.list_articles() {
        Ok(ids) => twins::find(&Reader::new(&store, index.as_deref()), &schema, &ids),
        Err(e) => Twins {
            problems: vec![e.to_string()],
            ..Twins::default()
        },
    })
}
