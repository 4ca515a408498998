//! The article list from the corpus index: taking in the list its freshness pass sends (the
//! open article kept open), and the index updated after each save, so that a search finds what
//! the files now say.

use std::sync::mpsc::TryRecvError;

use super::{App, Overlay};
use crate::index::articles;
use crate::tui::indexing::Refreshed;

impl App {
    /// Takes in the end of the index's freshness pass; returns whether it came.
    pub(super) fn tick_index(&mut self) -> bool {
        if let Some(start) = self.start_indexing.take() {
            let _ = start.send(());
        }
        let Some(rx) = &self.indexing else {
            return false;
        };
        let end = match rx.try_recv() {
            Ok(end) => end,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => Refreshed::Failed("the pass stopped".into()),
        };
        self.indexing = None;
        match end {
            Refreshed::Ids(ids) => {
                self.index_listed = true;
                self.swap_ids(ids);
                // The pass may have read these before they were saved.
                for id in std::mem::take(&mut self.saved_while_indexing) {
                    self.reindex(&id);
                }
            }
            Refreshed::Failed(_) => {
                // The index is not used any more in this session: the files are.
                self.corpus_index = None;
                self.index_listed = false;
                if let Ok(ids) = self.store.list_articles() {
                    self.swap_ids(ids);
                }
            }
        }
        self.requery(true);
        true
    }

    /// Replaces the article list by `ids` (sorted), keeping the open article open (and in the
    /// list, even if its file is gone: the screen shows why it cannot be read).
    fn swap_ids(&mut self, mut ids: Vec<String>) {
        let id = self.id().to_string();
        let listed = match &self.overlay {
            Some(Overlay::List(list)) => {
                list.shown.get(list.selected).map(|&i| self.ids[i].clone())
            }
            _ => None,
        };
        let at = match ids.binary_search(&id) {
            Ok(i) => i,
            Err(i) => {
                ids.insert(i, id);
                i
            }
        };
        let before = self.index;
        self.ids = ids;
        self.index = at;
        if let Some(search) = &mut self.search {
            search.article_moved(before, at);
        }
        // Another overlay (a recovery question) stays as it is.
        if matches!(self.overlay, Some(Overlay::List(_)))
            && let Some(Overlay::List(mut list)) = self.overlay.take()
        {
            self.refilter(&mut list);
            if let Some(listed) = listed {
                list.selected = list
                    .shown
                    .iter()
                    .position(|&i| self.ids[i] == listed)
                    .unwrap_or(list.selected);
            }
            self.overlay = Some(Overlay::List(list));
        }
    }

    /// Reads article `id` into the index again (its gold file was just saved).
    pub(super) fn reindex(&mut self, id: &str) {
        let Some(index) = &self.corpus_index else {
            return;
        };
        if self.indexing.is_some() {
            // The pass holds the write lock a batch at a time: the save would wait for it.
            // Read again when the pass ends (until then, answers say the index is updating).
            self.saved_while_indexing.insert(id.to_string());
            return;
        }
        // A failure sets the index aside; searches then read the files.
        let _ = articles::refresh_article(index, &self.store, &self.schema, id);
        self.requery(false);
    }
}
