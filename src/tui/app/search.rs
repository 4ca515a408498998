//! Searching the corpus from the review screen (`/`, then `n` and `N`): article text and field
//! values, matched after folding (see [`crate::text::fold`]); the stored text is never changed.
//!
//! With the corpus index (see [`crate::index::articles`]), one query gives every article with
//! a hit at once: the status bar says how many, and `n`/`N` go through the hits of the open
//! article, then straight to the next (previous) article with a hit, in id order, wrapping.
//! Where in an article the hits are always comes from the article as open. While the index is
//! being brought up to date its answer may be behind the files: the status bar says so and the
//! query is asked again when the update ends. A query too short for the index (fewer than three
//! chars, folded), no index, or an index that failed: the files are searched as follows.
//!
//! Hits are found lazily: in the open article first, then article by article in id order,
//! reading each from disk only when the search gets there, so a corpus of any size costs
//! nothing until `n` is pressed. One key press reads at most [`SEARCH_BUDGET`] articles, so
//! that the screen always answers within about a second: when they hold no hit, it says how far
//! the search got, and `n` (or `N`) goes on from there.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use super::{App, Level};
use crate::index::articles;
use crate::model::Schema;
use crate::model::review::Review;
use crate::store::Store;
use crate::text::fold::{fold, fold_query};

/// Articles read at once when the search moves on: enough for every core, few enough that a
/// hit in the next article is found at once.
const SEARCH_CHUNK: usize = 64;

/// Articles one key press reads at most before the screen answers (about a second on two
/// cores): a query with no hit in a corpus of 100 000 articles must not freeze the screen.
pub const SEARCH_BUDGET: usize = 2048;

/// Where a hit is in an article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// In the text, at these chars.
    Text(Range<u32>),
    /// In the value of the field with this index in the schema.
    Field(usize),
}

/// A hit: which article and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The article's index in `App::ids`.
    pub article: usize,
    /// Where in it.
    pub place: Place,
}

/// The active search.
#[derive(Clone, Debug)]
pub struct Search {
    /// The query as typed.
    pub query: String,
    folded: Vec<char>,
    /// The hit shown now.
    pub hit: Option<Hit>,
    /// The hits in the open article's text (for highlighting), and which article they are of.
    pub text_hits: (usize, Vec<Range<u32>>),
    /// How far a scan without hits got: from which article, in which direction, how many
    /// articles on. The next key press in that direction from that article goes on from there.
    scanned: Option<Scanned>,
    /// The ids (sorted) of the articles with a hit, from the corpus index; `None` when the
    /// files are searched.
    pub articles: Option<Arc<Vec<String>>>,
}

impl Search {
    /// The open article moved from `before` to `after` in `App::ids` (a new article list).
    pub(super) fn article_moved(&mut self, before: usize, after: usize) {
        if let Some(hit) = &mut self.hit {
            if hit.article == before {
                hit.article = after;
            } else {
                self.hit = None;
            }
        }
        self.text_hits.0 = if self.text_hits.0 == before {
            after
        } else {
            usize::MAX
        };
        self.scanned = None;
    }
}

/// See [`Search::scanned`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Scanned {
    from: usize,
    forward: bool,
    steps: usize,
}

/// Every hit in a review: text hits in order, then fields in schema order.
pub fn places(review: &Review, schema: &Schema, query: &[char]) -> (Vec<Range<u32>>, Vec<Place>) {
    let text_hits = fold(&review.article.text).find_all(query);
    let mut out: Vec<Place> = text_hits.iter().cloned().map(Place::Text).collect();
    for (i, def) in schema.fields.iter().enumerate() {
        let state = review.field(&def.name);
        let found = state.value().is_some_and(|v| {
            v.items()
                .iter()
                .any(|item| !fold(item).find_all(query).is_empty())
        });
        if found {
            out.push(Place::Field(i));
        }
    }
    (text_hits, out)
}

impl App {
    /// Starts a search for `query` and shows its first hit.
    pub(super) fn start_search(&mut self, query: &str) {
        let folded = fold_query(query);
        if folded.is_empty() {
            self.search = None;
            return;
        }
        let articles = self.indexed_hits(&folded);
        self.search = Some(Search {
            query: query.trim().to_string(),
            folded,
            hit: None,
            text_hits: (usize::MAX, Vec::new()),
            scanned: None,
            articles,
        });
        self.next_hit(true);
    }

    /// The articles with a hit for `folded`, from the index; `None` when the files are to be
    /// searched (no index, no article list in it yet, a query too short, or a failure, after
    /// which the index is set aside).
    fn indexed_hits(&mut self, folded: &[char]) -> Option<Arc<Vec<String>>> {
        if !self.index_listed {
            return None;
        }
        let index = self.corpus_index.as_deref()?;
        let hits = articles::search(index, folded, &self.analyst);
        if index.is_broken() {
            self.corpus_index = None;
            self.index_listed = false;
            return None;
        }
        hits.map(Arc::new)
    }

    /// Asks the index again for the active search (it was updated); with `announce`, says the
    /// new count.
    pub(super) fn requery(&mut self, announce: bool) {
        let Some(search) = &self.search else {
            return;
        };
        if search.articles.is_none() && !announce {
            return;
        }
        let folded = search.folded.clone();
        let articles = self.indexed_hits(&folded);
        if let Some(s) = &mut self.search {
            s.articles = articles;
        }
        if !announce {
            return;
        }
        let Some(search) = self.search.clone() else {
            return;
        };
        let (_, here) = places(&self.current.review, &self.schema, &search.folded);
        let k = search
            .hit
            .as_ref()
            .filter(|h| h.article == self.index)
            .and_then(|h| here.iter().position(|p| *p == h.place));
        match k {
            Some(k) => {
                let text = self.hit_message(&search, k + 1, here.len());
                self.say(text, Level::Info);
            }
            None if search.articles.as_ref().is_some_and(|a| a.is_empty()) => {
                self.say(format!("no hits for «{}»", search.query), Level::Error);
            }
            None => {}
        }
    }

    /// What the status bar says at hit `k` of `of` in the open article.
    fn hit_message(&self, search: &Search, k: usize, of: usize) -> String {
        let mut text = format!("«{}»: ", search.query);
        if let Some(articles) = &search.articles {
            let n = articles.len().max(1);
            text.push_str(&format!("{n} article{} · ", if n == 1 { "" } else { "s" }));
        }
        text.push_str(&format!(
            "hit {k} of {of} in this article · n next, N previous, Esc ends"
        ));
        if search.articles.is_some() && self.indexing.is_some() {
            text.push_str(" · index updating");
        }
        text
    }

    /// The hits of the open article's text, for the view (recomputed when the article
    /// changed).
    pub fn search_hits(&mut self) -> Vec<Range<u32>> {
        let index = self.index;
        let Some(search) = &self.search else {
            return Vec::new();
        };
        if search.text_hits.0 != index {
            let (hits, _) = places(&self.current.review, &self.schema, &search.folded);
            if let Some(s) = &mut self.search {
                s.text_hits = (index, hits);
            }
        }
        self.search
            .as_ref()
            .map(|s| s.text_hits.1.clone())
            .unwrap_or_default()
    }

    /// Shows the next (or previous) hit, moving to another article when this one has no more.
    pub(super) fn next_hit(&mut self, forward: bool) {
        let Some(search) = self.search.clone() else {
            return;
        };
        let (_, here) = places(&self.current.review, &self.schema, &search.folded);
        let position = search
            .hit
            .as_ref()
            .filter(|h| h.article == self.index)
            .and_then(|h| here.iter().position(|p| *p == h.place));
        let in_here = match (position, forward) {
            (None, true) => here.first(),
            (None, false) => here.last(),
            (Some(i), true) => here.get(i + 1),
            (Some(i), false) => i.checked_sub(1).and_then(|i| here.get(i)),
        }
        .cloned();
        if let Some(place) = in_here {
            self.show_hit(place, &here);
            return;
        }
        if let Some(articles) = &search.articles {
            self.next_indexed_hit(forward, &search, articles, &here);
            return;
        }
        // The other articles, in order, wrapping around to this one; read a chunk at a time on
        // every core, the first hit in order wins; at most `search_budget` of them per press.
        let n = self.ids.len();
        let resumed = search
            .scanned
            .filter(|s| s.from == self.index && s.forward == forward)
            .map_or(0, |s| s.steps);
        if let Some(s) = &mut self.search {
            s.scanned = None;
        }
        let last = n.min(resumed + self.search_budget.max(1));
        let order: Vec<usize> = (resumed + 1..=last)
            .map(|step| {
                if forward {
                    (self.index + step) % n
                } else {
                    (self.index + n - step % n) % n
                }
            })
            .collect();
        let (store, schema, analyst) = (&self.store, &self.schema, self.analyst.as_str());
        for chunk in order.chunks(SEARCH_CHUNK) {
            let found: Vec<Vec<Place>> = chunk
                .par_iter()
                .map(|&i| {
                    if i == self.index {
                        here.clone()
                    } else {
                        places_in(store, schema, analyst, &self.ids[i], &search.folded)
                    }
                })
                .collect();
            let Some((i, found)) = chunk.iter().zip(found).find(|(_, f)| !f.is_empty()) else {
                continue;
            };
            let i = *i;
            let pick = if forward { found.first() } else { found.last() };
            if let Some(place) = pick.cloned() {
                if i != self.index {
                    self.go(i);
                    if self.index != i {
                        return; // not moved: the message says why
                    }
                }
                self.show_hit(place, &found);
                return;
            }
        }
        if last < n {
            if let Some(s) = &mut self.search {
                s.scanned = Some(Scanned {
                    from: self.index,
                    forward,
                    steps: last,
                });
            }
            let key = if forward { "n" } else { "N" };
            self.say(
                format!(
                    "«{}»: no hit in the next {last} of {} articles · {key} searches on, Esc ends",
                    search.query,
                    n - 1
                ),
                Level::Info,
            );
            return;
        }
        self.say(format!("no hits for «{}»", search.query), Level::Error);
    }

    /// Goes to the first hit of the next (previous) article with one, in id order, wrapping
    /// around to the open article's own hits. The index says which articles; each is checked
    /// against its files before the screen moves there, in case they changed since.
    fn next_indexed_hit(
        &mut self,
        forward: bool,
        search: &Search,
        articles: &[String],
        here: &[Place],
    ) {
        let n = articles.len();
        let current = self.id().to_string();
        // Where the open article is, or would be, among the hit articles.
        let base = match articles.binary_search(&current) {
            Ok(i) => i as isize,
            Err(i) if forward => i as isize - 1,
            Err(i) => i as isize,
        };
        let step = if forward { 1 } else { -1 };
        for s in 1..=n as isize {
            let id = &articles[(base + s * step).rem_euclid(n as isize) as usize];
            if *id == current {
                continue;
            }
            let Ok(i) = self.ids.binary_search(id) else {
                continue;
            };
            let found = places_in(&self.store, &self.schema, &self.analyst, id, &search.folded);
            if found.is_empty() {
                continue;
            }
            self.go(i);
            if self.index != i {
                return; // not moved: the message says why
            }
            let (_, found) = places(&self.current.review, &self.schema, &search.folded);
            let pick = if forward { found.first() } else { found.last() };
            if let Some(place) = pick.cloned() {
                self.show_hit(place, &found);
                return;
            }
        }
        let pick = if forward { here.first() } else { here.last() };
        match pick.cloned() {
            Some(place) => self.show_hit(place, here),
            None => {
                let mut text = format!("no hits for «{}»", search.query);
                if self.indexing.is_some() {
                    text.push_str(" · index updating");
                }
                self.say(text, Level::Error);
            }
        }
    }

    fn show_hit(&mut self, place: Place, all: &[Place]) {
        let k = all.iter().position(|p| *p == place).map_or(0, |k| k + 1);
        let index = self.index;
        let search = match &mut self.search {
            Some(s) => {
                s.hit = Some(Hit {
                    article: index,
                    place: place.clone(),
                });
                s.clone()
            }
            None => return,
        };
        match &place {
            Place::Text(r) => {
                self.word = Some(r.clone());
                self.anchor = None;
                self.follow_word = true;
            }
            Place::Field(f) => {
                self.field = *f;
                self.follow_evidence = true;
            }
        }
        let text = self.hit_message(&search, k, all.len());
        self.say(text, Level::Info);
    }
}

/// The hits in article `id`, read from disk (the analyst's values over the extracted ones).
fn places_in(
    store: &Store,
    schema: &Schema,
    analyst: &str,
    id: &str,
    query: &[char],
) -> Vec<Place> {
    let Ok(article) = store.read_article(id) else {
        return Vec::new();
    };
    let extracted = store
        .load_extracted(id, schema)
        .ok()
        .flatten()
        .map(|l| l.value);
    let gold = store
        .load_gold(analyst, id, schema)
        .ok()
        .flatten()
        .map(|l| l.value);
    let review = Review::new(article, extracted, gold, analyst);
    places(&review, schema, query).1
}
