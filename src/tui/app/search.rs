//! Searching the corpus from the review screen (`/`, then `n` and `N`): article text and field
//! values, matched after folding (see [`crate::text::fold`]); the stored text is never changed.
//!
//! Hits are found lazily: in the open article first, then article by article in id order,
//! reading each from disk only when the search gets there, so a corpus of any size costs
//! nothing until `n` is pressed. One key press reads at most [`SEARCH_BUDGET`] articles, so
//! that the screen always answers within about a second: when they hold no hit, it says how far
//! the search got, and `n` (or `N`) goes on from there.

use std::ops::Range;

use rayon::prelude::*;

use super::{App, Level};
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
        self.search = Some(Search {
            query: query.trim().to_string(),
            folded,
            hit: None,
            text_hits: (usize::MAX, Vec::new()),
            scanned: None,
        });
        self.next_hit(true);
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

    fn show_hit(&mut self, place: Place, all: &[Place]) {
        let k = all.iter().position(|p| *p == place).map_or(0, |k| k + 1);
        let index = self.index;
        let query = match &mut self.search {
            Some(s) => {
                s.hit = Some(Hit {
                    article: index,
                    place: place.clone(),
                });
                s.query.clone()
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
        self.say(
            format!(
                "«{query}»: hit {k} of {} in this article · n next, N previous, Esc ends",
                all.len()
            ),
            Level::Info,
        );
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
