//! The article table (`g`) and the review queues: where the rows come from (the corpus
//! index's summaries, or, without it, summaries read from the files in the background), the
//! table's filters and sort, and a queue chosen on the command line or in the table, which
//! `n`, `p`, `d` and `s` then follow.
//!
//! A queue is a snapshot taken when it is chosen: an article reviewed meanwhile stays in it
//! (so that `p` goes back to it) until the queue is chosen again.

use std::collections::HashMap;

use super::{App, ListState, Overlay};
use crate::index::{Reader, summaries};
use crate::model::summary::{ArticleSummary, Queue, Row, Sort, TableFilter, searchable, select};

/// The table is the first screen when the corpus has more articles than this: past a few
/// hundred, an analyst picks where to start rather than paging article by article.
pub const TABLE_FIRST: usize = 300;

/// A queue being followed.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueState {
    /// Which queue.
    pub queue: Queue,
    /// Its articles, in its order, as they were when it was chosen.
    pub ids: Vec<String>,
    /// The open article's place in it, if it is in it.
    pub pos: Option<usize>,
}

/// The summaries read from the files, without the index.
#[derive(Default)]
pub(super) struct Summaries {
    /// Per article.
    pub map: HashMap<String, ArticleSummary>,
    /// The reading in progress.
    pub reading: Option<std::sync::mpsc::Receiver<Vec<ArticleSummary>>>,
    /// Whether the reading was started.
    pub started: bool,
    /// When the open table was last filled again with what arrived.
    pub refreshed: Option<std::time::Instant>,
}

/// While the summaries are read, an open table is sorted and filtered again with what arrived
/// at most this often (a sort of 100 000 rows at every batch would take the CPU).
const REFRESH_WHILE_READING: std::time::Duration = std::time::Duration::from_secs(1);

impl App {
    /// Starts reading the summaries from the files when there is no index (after the first
    /// frame), and takes in what arrived; chooses a queue waiting for them. Returns whether
    /// anything changed.
    pub(super) fn tick_table(&mut self) -> bool {
        let mut changed = false;
        if self.corpus_index.is_none() && !self.summaries.started {
            self.summaries.started = true;
            self.summaries.reading = Some(crate::tui::summarizing::spawn(
                self.store.clone(),
                self.schema.clone(),
                self.ids.clone(),
            ));
        }
        if let Some(rx) = &self.summaries.reading {
            loop {
                match rx.try_recv() {
                    Ok(batch) => {
                        for s in batch {
                            // An article saved in this session was summarized after its save.
                            self.summaries.map.entry(s.id.clone()).or_insert(s);
                        }
                        changed = true;
                    }
                    Err(std::sync::mpsc::TryRecvError::Empty) => break,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                        self.summaries.reading = None;
                        changed = true;
                        break;
                    }
                }
            }
        }
        let due = self.summaries.reading.is_none()
            || self
                .summaries
                .refreshed
                .is_none_or(|t| t.elapsed() >= REFRESH_WHILE_READING);
        if changed && due && matches!(self.overlay, Some(Overlay::List(_))) {
            self.summaries.refreshed = Some(std::time::Instant::now());
            self.refresh_table();
        }
        // The twins queue waits for the twins, the others for the summaries.
        let ready = match self.pending_queue {
            Some(Queue::Twins) => self.twins_known(),
            _ => self.summaries_ready(),
        };
        if ready && let Some(q) = self.pending_queue.take() {
            // Chosen on the command line: open its first article, unless the analyst has
            // moved or started editing meanwhile.
            let untouched = self.index == 0 && !self.current.dirty() && self.overlay.is_none();
            self.choose_queue(q, untouched);
            changed = true;
        }
        changed
    }

    /// Whether every article's summary is known (the index is up to date, or the files were
    /// all read).
    pub fn summaries_ready(&self) -> bool {
        match &self.corpus_index {
            Some(_) => self.indexing.is_none(),
            None => self.summaries.started && self.summaries.reading.is_none(),
        }
    }

    /// How many summaries were read from the files, of how many articles, while they are
    /// still being read (`None` with the index, or when all are read).
    pub fn summaries_reading(&self) -> Option<(usize, usize)> {
        (self.corpus_index.is_none() && !self.summaries_ready())
            .then_some((self.summaries.map.len(), self.ids.len()))
    }

    /// Every article's row from the summaries read from the files (an article not read yet
    /// has a row with what the status scan knows), with its folded text.
    fn memory_rows(&self) -> Vec<(Row, String)> {
        self.ids
            .iter()
            .map(|id| {
                let row = match self.summaries.map.get(id) {
                    Some(s) => s.row(&self.analyst),
                    None => self.placeholder(id),
                };
                let folded = searchable(&row.id, &row.headline, &row.outlet);
                (row, folded)
            })
            .collect()
    }

    fn placeholder(&self, id: &str) -> Row {
        let info = self.info.get(id);
        Row {
            id: id.to_string(),
            status: info.and_then(|i| i.status),
            stale: info.and_then(|i| i.stale) == Some(true),
            headline: String::new(),
            outlet: String::new(),
            date: String::new(),
            low: 0,
            reviewed: 0,
            lowest_unreviewed: None,
            disagreements: 0,
        }
    }

    /// The ids `filter` passes, in `sort`'s order: a query of the index, or the rows read.
    fn table_ids(&self, filter: &TableFilter, sort: Sort) -> Vec<String> {
        if let Some(index) = &self.corpus_index
            && let Some(ids) = summaries::select(index, &self.analyst, filter, sort)
        {
            return ids;
        }
        select(&self.memory_rows(), filter, sort)
    }

    /// The ids of `queue`, in its order.
    fn queue_ids(&self, queue: Queue) -> Vec<String> {
        if queue == Queue::Twins {
            return self.twins_queue();
        }
        if let Some(index) = &self.corpus_index
            && let Some(ids) = summaries::queue(index, &self.analyst, queue)
        {
            return ids;
        }
        let rows = self.memory_rows();
        queue.order(rows.iter().map(|(r, _)| r))
    }

    /// The rows of articles `ids` (the table's visible ones), in that order.
    pub fn table_rows(&self, ids: &[String]) -> Vec<Row> {
        let mut indexed: HashMap<String, Row> = match &self.corpus_index {
            Some(index) => summaries::rows(index, &self.analyst, ids)
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.id.clone(), r))
                .collect(),
            None => HashMap::new(),
        };
        ids.iter()
            .map(
                |id| match (indexed.remove(id), self.summaries.map.get(id)) {
                    (Some(r), _) => r,
                    (None, Some(s)) => s.row(&self.analyst),
                    // Not read yet (or new since the index's last pass).
                    (None, None) => self.placeholder(id),
                },
            )
            .collect()
    }

    /// The position of article `id` in `ids`.
    pub(super) fn position(&self, id: &str) -> Option<usize> {
        self.ids.binary_search_by(|x| x.as_str().cmp(id)).ok()
    }

    /// Fills `list.shown` from its filters, sort and queue.
    pub(super) fn refilter(&self, list: &mut ListState) {
        let filter = list.table_filter();
        if filter == TableFilter::default() && list.sort == Sort::default() && list.queue.is_none()
        {
            // Every article in id order: the list itself, with no query (the first frame of a
            // large corpus opens on this).
            list.shown = (0..self.ids.len()).collect();
            list.selected = list.selected.min(list.shown.len().saturating_sub(1));
            return;
        }
        let mut ids = self.table_ids(&filter, list.sort);
        if let Some(q) = list.queue {
            let passed: std::collections::HashSet<String> = ids.into_iter().collect();
            // The queue followed is shown as it was taken (the snapshot `n` follows).
            let queue = match &self.queue {
                Some(s) if s.queue == q => s.ids.clone(),
                _ => self.queue_ids(q),
            };
            ids = queue.into_iter().filter(|id| passed.contains(id)).collect();
        }
        list.shown = ids.iter().filter_map(|id| self.position(id)).collect();
        list.selected = list.selected.min(list.shown.len().saturating_sub(1));
    }

    /// Fills the open table again (its rows changed).
    pub(super) fn refresh_table(&mut self) {
        if let Some(Overlay::List(mut list)) = self.overlay.take() {
            let selected = list.shown.get(list.selected).copied();
            self.refilter(&mut list);
            if let Some(i) = selected {
                list.selected = list
                    .shown
                    .iter()
                    .position(|&x| x == i)
                    .unwrap_or(list.selected);
            }
            self.overlay = Some(Overlay::List(list));
        }
    }

    /// Takes `queue` as it is now; opens its first article when `open_first`.
    pub fn choose_queue(&mut self, queue: Queue, open_first: bool) {
        let ids = self.queue_ids(queue);
        if ids.is_empty() {
            let why = if queue == Queue::Twins && !self.twins_known() {
                "the twins are still being found"
            } else if queue == Queue::Twins {
                "no article has a twin"
            } else {
                "no article"
            };
            self.say(format!("queue {}: {why}", queue.name()), super::Level::Info);
            self.queue = None;
            return;
        }
        let pos = ids.iter().position(|i| i == self.id());
        let first = ids[0].clone();
        self.queue = Some(QueueState { queue, ids, pos });
        if open_first && let Some(i) = self.position(&first) {
            // Saves the open article first; stays (saying why) if that fails.
            self.go(i);
            if self.id() == first
                && let Some(q) = &mut self.queue
            {
                q.pos = Some(0);
            }
        }
    }

    /// The queue and the open article's place in it (1-based) of how many, for the status
    /// bar; `None` without a queue. A queue waiting for the summaries has place 0.
    pub fn queue_position(&self) -> Option<(Queue, usize, usize)> {
        if let Some(q) = self.pending_queue {
            return Some((q, 0, 0));
        }
        let q = self.queue.as_ref()?;
        Some((q.queue, q.pos.map_or(0, |p| p + 1), q.ids.len()))
    }

    /// The article `n` (or `p`) opens: the next in the queue when one is followed, else the
    /// next id. `Err` says why there is none.
    pub(super) fn step(&self, forward: bool) -> Result<usize, String> {
        if let Some(q) = &self.queue {
            let next = match (q.pos, forward) {
                (Some(p), true) => p + 1,
                (Some(0), false) => usize::MAX,
                (Some(p), false) => p - 1,
                // Not in the queue (opened from the table): its first article either way.
                (None, _) => 0,
            };
            return match q.ids.get(next).and_then(|id| self.position(id)) {
                Some(i) => Ok(i),
                None => Err(format!(
                    "that was the {} article of the queue {}",
                    if forward { "last" } else { "first" },
                    q.queue.name()
                )),
            };
        }
        if forward && self.index + 1 < self.ids.len() {
            Ok(self.index + 1)
        } else if !forward && self.index > 0 {
            Ok(self.index - 1)
        } else if forward {
            Err("this is the last article".into())
        } else {
            Err("this is the first article".into())
        }
    }

    /// Keeps the queue's place on the article just opened.
    pub(super) fn follow_queue(&mut self) {
        let id = self.ids[self.index].clone();
        if let Some(q) = &mut self.queue
            && q.pos.and_then(|p| q.ids.get(p)) != Some(&id)
        {
            // Next to the place it had first (n and p step by one), else anywhere.
            let near = q.pos.map_or(0, |p| p.saturating_sub(1));
            q.pos = q.ids[near.min(q.ids.len())..]
                .iter()
                .take(3)
                .position(|x| *x == id)
                .map(|k| near + k)
                .or_else(|| q.ids.iter().position(|x| *x == id));
        }
    }

    /// What the table's twins column shows for article `id`: the similarity of its closest
    /// twin, `+` when it has more than one; empty when it has none (or they are not found yet).
    pub fn twins_label(&self, id: &str) -> String {
        match self.twins_of(id) {
            [] => String::new(),
            [(_, x)] => format!("{x:.2}"),
            [(_, x), ..] => format!("{x:.2}+"),
        }
    }

    /// The `twins` queue: articles with a twin, each group together (in the order of its first
    /// article's id, then its twins by similarity), so that a twin reviewed helps the next.
    fn twins_queue(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for id in &self.ids {
            if self.twins_of(id).is_empty() || !seen.insert(id.clone()) {
                continue;
            }
            out.push(id.clone());
            // Breadth first through the group, most similar first.
            let mut k = out.len() - 1;
            while k < out.len() {
                for (twin, _) in self.twins_of(&out[k]).to_vec() {
                    if seen.insert(twin.clone()) {
                        out.push(twin);
                    }
                }
                k += 1;
            }
        }
        out
    }

    /// Reads article `id`'s summary again after a save (without the index; with it, the
    /// index is updated by the save).
    pub(super) fn summarize_saved(&mut self, id: &str) {
        if self.corpus_index.is_some() {
            return;
        }
        let analysts = self.store.list_analysts().unwrap_or_default();
        let s = summaries::summarize(&Reader::files(&self.store), &self.schema, &analysts, id);
        self.summaries.map.insert(id.to_string(), s);
    }
}

impl ListState {
    /// The filters as the table's query takes them.
    pub fn table_filter(&self) -> TableFilter {
        let mut f = TableFilter {
            status: self.filter,
            low_only: self.low_only,
            disagreements_only: self.disagreements_only,
            ..TableFilter::default()
        };
        f.parse_typed(&self.query);
        f
    }
}
