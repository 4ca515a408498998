//! Comparing the analysts' reviews of an article and adjudicating them into the adjudicated
//! gold set (`annotations/gold/_adjudicated/`), on the review screen (`c`).
//!
//! Adjudicating is reviewing as the analyst `_adjudicated`: the screen switches its working
//! document (and lock) to the adjudicated gold file of the article, so saving, recovery, undo
//! and every editor work as they do for an analyst. What changes is the fields panel, which
//! shows each field's value from the extractor and from every analyst who finished the article,
//! and the keys that take one of them. `sources:` in the adjudicated file records whose values
//! were chosen; it is recomputed after every change from the values themselves, so an edited
//! value that happens to equal an analyst's is credited to them too.

use std::collections::{BTreeMap, HashSet};

use super::{App, Focus, Level, Overlay};
use crate::agree::items::{FieldComparison, Key, compare};
use crate::model::{FieldDef, Gold, Status};
use crate::store::{ADJUDICATED, AnalystLock, recovery};

/// The name `sources:` uses for the extraction.
pub const EXTRACTOR: &str = "extractor";

/// The adjudication in progress.
pub struct Adjudication {
    /// The analyst who opened it; the screen returns to them.
    pub reviewer: String,
    reviewer_lock: Option<AnalystLock>,
    /// The reviewer's articles with unsaved edits still to restore, set aside meanwhile
    /// (`App::recovered` holds the adjudicated set's).
    reviewer_recovered: HashSet<String>,
    /// The analysts whose finished reviews of the open article are compared, with them.
    pub reviews: Vec<(String, Gold)>,
    /// The open article's fields across those analysts, in schema order.
    pub comparison: Vec<FieldComparison>,
    /// Indices (into `App::ids`) of the articles at least two analysts reviewed.
    candidates: Vec<usize>,
}

impl Adjudication {
    /// Whether the analysts disagree on field `i`.
    pub fn disagrees(&self, i: usize) -> bool {
        self.comparison.get(i).is_some_and(|c| c.is_disagreement())
    }

    /// How many fields the analysts disagree on.
    pub fn disagreements(&self) -> usize {
        self.comparison
            .iter()
            .filter(|c| c.is_disagreement())
            .count()
    }
}

impl App {
    /// Starts adjudicating the open article, or goes back to reviewing.
    pub(super) fn toggle_adjudication(&mut self) {
        if self.adjudication.is_some() {
            self.stop_adjudicating();
        } else {
            self.start_adjudicating();
        }
    }

    fn start_adjudicating(&mut self) {
        if let Some(r) = &self.read_only {
            let r = r.clone();
            self.say(r, Level::Error);
            return;
        }
        if let Err(e) = self.save() {
            self.say(format!("not saved, so not adjudicating: {e}"), Level::Error);
            return;
        }
        let lock = match self.store.lock_analyst(ADJUDICATED) {
            Ok(l) => l,
            Err(e) => {
                self.say(format!("cannot adjudicate now: {e}"), Level::Error);
                return;
            }
        };
        let candidates = self.candidates();
        let reviewer = std::mem::replace(&mut self.analyst, ADJUDICATED.to_string());
        // Unsaved adjudication left by a session that ended without saving (a crash, a closed
        // terminal): with the lock now ours, nobody else is working on it, and each article's
        // edits come back as it is opened, as the reviewer's own do after a restart.
        let unsaved: HashSet<String> = recovery::list(&self.store, ADJUDICATED)
            .into_iter()
            .collect();
        let restoring = unsaved.len();
        let reviewer_recovered = std::mem::replace(&mut self.recovered, unsaved);
        self.adjudication = Some(Adjudication {
            reviewer,
            reviewer_lock: self._lock.replace(lock),
            reviewer_recovered,
            reviews: Vec::new(),
            comparison: Vec::new(),
            candidates,
        });
        self.focus = Focus::Fields;
        let restored_here = self.recovered.contains(self.id());
        self.open(self.index);
        if restored_here {
            // `open` said what it restored; say the rest of it. (The recovery file stays as it
            // is, base included, until the next change rewrites it.)
            if restoring > 1 {
                self.say(
                    format!(
                        "restored the unsaved adjudication of {}: Ctrl-S saves it; {} other article{} with unsaved adjudication come back when opened",
                        self.id(),
                        restoring - 1,
                        if restoring == 2 { "" } else { "s" }
                    ),
                    Level::Info,
                );
            }
            return;
        }
        let n = self.adjudication.as_ref().map_or(0, |a| a.reviews.len());
        let unsaved = if restoring > 0 {
            format!(
                " · unsaved adjudication of {restoring} article{} comes back when opened",
                if restoring == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        self.say(
            format!(
                "adjudicating: {n} finished review{} of this article · 0-9 take a value, Enter the majority, n next disagreement, c back{unsaved}",
                if n == 1 { "" } else { "s" }
            ),
            Level::Info,
        );
    }

    fn stop_adjudicating(&mut self) {
        if let Err(e) = self.save() {
            self.say(format!("not saved, still adjudicating: {e}"), Level::Error);
            return;
        }
        let Some(a) = self.adjudication.take() else {
            return;
        };
        self.analyst = a.reviewer;
        self._lock = a.reviewer_lock;
        // Adjudicated articles not opened keep their recovery files for the next time.
        self.recovered = a.reviewer_recovered;
        self.open(self.index);
        self.say("back to reviewing", Level::Info);
    }

    /// The articles at least two analysts reviewed (listing folders only).
    fn candidates(&self) -> Vec<usize> {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for analyst in self.analysts() {
            for id in self.store.list_gold(&analyst).unwrap_or_default() {
                *count.entry(id).or_default() += 1;
            }
        }
        (0..self.ids.len())
            .filter(|&i| count.get(&self.ids[i]).is_some_and(|&n| n >= 2))
            .collect()
    }

    /// The analysts of the corpus, without the adjudicated set.
    fn analysts(&self) -> Vec<String> {
        self.store
            .list_analysts()
            .unwrap_or_default()
            .into_iter()
            .filter(|a| a != ADJUDICATED)
            .collect()
    }

    /// The finished reviews of article `id`, by analyst.
    fn finished_reviews(&self, id: &str) -> Vec<(String, Gold)> {
        self.analysts()
            .into_iter()
            .filter_map(|a| {
                let gold = self.store.read_gold(&a, id, &self.schema).ok()??;
                (gold.status == Status::Done).then_some((a, gold))
            })
            .collect()
    }

    /// Reads the analysts' reviews of the open article (called when an article opens).
    pub(super) fn load_reviews(&mut self) {
        if self.adjudication.is_none() {
            return;
        }
        let reviews = self.finished_reviews(self.id());
        let fields: Vec<&FieldDef> = self.schema.fields.iter().collect();
        let refs: Vec<(&str, &Gold)> = reviews.iter().map(|(a, g)| (a.as_str(), g)).collect();
        let comparison = compare(&fields, &refs);
        if let Some(a) = &mut self.adjudication {
            a.reviews = reviews;
            a.comparison = comparison;
        }
    }

    /// Recomputes `sources:` from the adjudicated values: for each field, the analysts (and
    /// the extractor) whose value equals it.
    pub(super) fn update_sources(&mut self) {
        let Some(a) = &self.adjudication else {
            return;
        };
        let mut sources = Vec::new();
        for (i, def) in self.schema.fields.iter().enumerate() {
            let Some(review) = self.current.review.gold.field(&def.name) else {
                continue;
            };
            let chosen = Key::of(def, &review.value);
            let mut who: Vec<String> = Vec::new();
            if let Some(e) = self.current.review.field(&def.name).extracted
                && Key::of(def, &e.value) == chosen
            {
                who.push(EXTRACTOR.to_string());
            }
            if let Some(c) = a.comparison.get(i) {
                who.extend(
                    c.values
                        .iter()
                        .filter(|(_, k)| *k == chosen)
                        .map(|(name, _)| name.clone()),
                );
            }
            sources.push((def.name.clone(), who));
        }
        self.current.review.gold.sources = sources;
    }

    /// Takes the value of source `n` for the focused field: 0 the extractor, 1… the analysts
    /// in the order of the columns.
    pub(super) fn pick(&mut self, n: usize) {
        let name = self.field_def().name.clone();
        if n == 0 {
            if self.current.review.field(&name).extracted.is_none() {
                self.say("the extractor has no value for this field", Level::Error);
                return;
            }
            self.change(|r, s| {
                r.confirm(s, &name);
                Some(format!("{name}: the extractor's value"))
            });
            return;
        }
        let Some((analyst, review)) = self.adjudication.as_ref().and_then(|a| {
            let (analyst, gold) = a.reviews.get(n - 1)?;
            Some((analyst.clone(), gold.field(&name).cloned()))
        }) else {
            self.say(format!("there is no analyst {n}"), Level::Error);
            return;
        };
        let Some(review) = review else {
            self.say(format!("{analyst} did not review {name}"), Level::Error);
            return;
        };
        self.change(|r, s| {
            r.set_value(s, &name, review.value.clone());
            if let Some(crate::model::Evidence::Range(span)) = &review.evidence {
                r.set_evidence(s, &name, *span);
            }
            Some(format!("{name}: {analyst}'s value"))
        });
    }

    /// Takes the majority's value for the focused field.
    pub(super) fn accept_majority(&mut self) {
        let i = self.field;
        let Some(a) = &self.adjudication else {
            return;
        };
        let Some(c) = a.comparison.get(i) else {
            return;
        };
        let Some(majority) = c.majority().cloned() else {
            self.say(
                "no value has a majority here: take one with 0-9, or e to edit",
                Level::Error,
            );
            return;
        };
        let first = c
            .values
            .iter()
            .find(|(_, k)| *k == majority)
            .map(|(who, _)| who.clone());
        let n = first.and_then(|who| a.reviews.iter().position(|(r, _)| *r == who));
        if let Some(n) = n {
            self.pick(n + 1);
        }
    }

    /// Opens the next (or previous) article the analysts disagree on.
    pub(super) fn next_disagreement(&mut self, forward: bool) {
        let Some(a) = &self.adjudication else {
            return;
        };
        let candidates: Vec<usize> = if forward {
            a.candidates
                .iter()
                .copied()
                .filter(|&i| i > self.index)
                .collect()
        } else {
            a.candidates
                .iter()
                .rev()
                .copied()
                .filter(|&i| i < self.index)
                .collect()
        };
        let fields: Vec<&FieldDef> = self.schema.fields.iter().collect();
        for i in candidates {
            let reviews = self.finished_reviews(&self.ids[i]);
            let refs: Vec<(&str, &Gold)> = reviews.iter().map(|(a, g)| (a.as_str(), g)).collect();
            if compare(&fields, &refs).iter().any(|c| c.is_disagreement()) {
                self.go(i);
                if self.index == i {
                    let d = self
                        .adjudication
                        .as_ref()
                        .map_or(0, Adjudication::disagreements);
                    self.say(
                        format!("{} field{} to settle", d, if d == 1 { "" } else { "s" }),
                        Level::Info,
                    );
                }
                return;
            }
        }
        self.say(
            if forward {
                "no disagreement after this article"
            } else {
                "no disagreement before this article"
            },
            Level::Info,
        );
    }

    /// Opens the agreement overview of the whole corpus.
    pub(super) fn open_overview(&mut self) {
        let analysts = self.analysts();
        let fields: Vec<&FieldDef> = self.schema.fields.iter().collect();
        match crate::agree::agree(
            &crate::index::Reader::files(&self.store),
            &self.schema,
            &analysts,
            &fields,
            crate::agree::Options::default(),
        ) {
            Ok(agreement) => self.overlay = Some(Overlay::Overview(Box::new(agreement))),
            Err(problems) => {
                let first = problems.first().map(|d| d.to_string()).unwrap_or_default();
                self.say(
                    format!("no overview: {first} (tadqiq check lists every problem)"),
                    Level::Error,
                );
            }
        }
    }
}
