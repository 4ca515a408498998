//! Twins on the review screen: the twins of each article (found in the background, see
//! [`crate::tui::twins`]), `t` to the next twin, and `T`: a twin's reviewed values offered as
//! suggestions for the fields not reviewed yet, each kept (`a`) or edited (`Enter`) by the
//! analyst, one by one.
//!
//! Whose review is offered: the analyst's own review of a twin (the most similar twin that
//! has one, `done` or in progress), since it is their judgement being reused; else the
//! adjudicated set's; else another analyst's `done` review (analysts in name order). Span
//! fields (`body_span`) are never offered: offsets into one article mean nothing in another.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};

use super::{App, Level};
use crate::model::{FieldType, Gold, Status, Value};
use crate::store::ADJUDICATED;
use crate::twins::Twins;

/// A value offered from a twin's review, waiting for the analyst.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The twin article it comes from.
    pub twin: String,
    /// Whose review of the twin.
    pub analyst: String,
    /// The value.
    pub value: Value,
}

/// What the review screen knows of twins.
#[derive(Debug, Default)]
pub struct TwinState {
    /// Each article's twins, most similar first; `None` until the background pass ends.
    found: Option<HashMap<String, Vec<(String, f32)>>>,
    /// The pass, while it runs.
    pending: Option<Receiver<Twins>>,
    /// Starts the pass, at the first tick (after the first frame).
    start: Option<Sender<()>>,
    /// Suggestions for the open article's fields, by field name.
    pub suggestions: HashMap<String, Suggestion>,
}

impl TwinState {
    /// The state while the pass started by `start` runs.
    pub(super) fn new(start: Sender<()>, pending: Receiver<Twins>) -> TwinState {
        TwinState {
            found: None,
            pending: Some(pending),
            start: Some(start),
            suggestions: HashMap::new(),
        }
    }

    /// Whether the pass still runs.
    pub fn running(&self) -> bool {
        self.pending.is_some()
    }
}

impl App {
    /// Article `id`'s twins and the similarity of each pair, most similar first; none until
    /// the background pass has found them.
    pub fn twins_of(&self, id: &str) -> &[(String, f32)] {
        self.twins
            .found
            .as_ref()
            .and_then(|f| f.get(id))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether the twins are known yet.
    pub fn twins_known(&self) -> bool {
        self.twins.found.is_some()
    }

    /// What the article pane's border says of the open article's twins: "twin of 001 (0.83)",
    /// and how many more.
    pub fn twin_title(&self) -> Option<String> {
        let twins = self.twins_of(self.id());
        let (first, similarity) = twins.first()?;
        let more = match twins.len() {
            1 => String::new(),
            n => format!(" +{}", n - 1),
        };
        Some(format!(
            "twin of {} ({similarity:.2}){more}",
            crate::text::sanitize::sanitize_inline(first)
        ))
    }

    /// The suggestion waiting for field `name`, if it is not reviewed yet.
    pub fn suggestion(&self, name: &str) -> Option<&Suggestion> {
        if self.current.review.gold.field(name).is_some() {
            return None;
        }
        self.twins.suggestions.get(name)
    }

    /// Takes in the background pass's result; returns whether it came.
    pub(super) fn tick_twins(&mut self) -> bool {
        if let Some(start) = self.twins.start.take() {
            let _ = start.send(());
        }
        let Some(rx) = &self.twins.pending else {
            return false;
        };
        let found = match rx.try_recv() {
            Ok(found) => found,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => Twins::default(),
        };
        self.twins.pending = None;
        self.twins.found = Some(found.by_article());
        true
    }

    /// `t`: opens the open article's next twin, in id order, round the group.
    pub(super) fn next_twin(&mut self) {
        if !self.twins_known() {
            self.say("twins are still being found…", Level::Info);
            return;
        }
        let id = self.id().to_string();
        let mut group: Vec<&str> = self.twins_of(&id).iter().map(|(t, _)| t.as_str()).collect();
        if group.is_empty() {
            self.say(
                format!(
                    "no twin of {id} (threshold {:.2} in schema.yaml)",
                    self.schema.twins.threshold
                ),
                Level::Info,
            );
            return;
        }
        group.sort_unstable();
        let next = group
            .iter()
            .find(|t| **t > id.as_str())
            .or(group.first())
            .map(|t| t.to_string());
        match next.and_then(|t| self.ids.iter().position(|i| *i == t)) {
            Some(i) => self.go(i),
            None => self.say("the twin is not in the article list", Level::Error),
        }
    }

    /// Whose review of which twin `T` offers (see the module's doc).
    fn twin_review(&self) -> Option<(String, Gold)> {
        let twins: Vec<String> = self
            .twins_of(self.id())
            .iter()
            .map(|(t, _)| t.clone())
            .collect();
        let read = |analyst: &str, twin: &str| {
            self.store
                .read_gold(analyst, twin, &self.schema)
                .ok()
                .flatten()
                .filter(|g| g.status != Status::Skipped)
        };
        for twin in &twins {
            if let Some(g) = read(&self.analyst, twin) {
                return Some((twin.clone(), g));
            }
        }
        let mut others: Vec<String> = self.store.list_analysts().unwrap_or_default();
        others.retain(|a| *a != self.analyst && *a != ADJUDICATED);
        others.insert(0, ADJUDICATED.to_string());
        for twin in &twins {
            for analyst in &others {
                if let Some(g) = read(analyst, twin).filter(|g| g.status == Status::Done) {
                    return Some((twin.clone(), g));
                }
            }
        }
        None
    }

    /// `T`: offers the reviewed values of the open article's twin for its fields not reviewed
    /// yet.
    pub(super) fn offer_twin(&mut self) {
        if self.refuse_change() {
            return;
        }
        if !self.twins_known() {
            self.say("twins are still being found…", Level::Info);
            return;
        }
        if self.twins_of(self.id()).is_empty() {
            self.say(format!("no twin of {}", self.id()), Level::Info);
            return;
        }
        let Some((twin, gold)) = self.twin_review() else {
            self.say(
                "no review of a twin to offer yet (yours, adjudicated, or another analyst's done)",
                Level::Info,
            );
            return;
        };
        self.twins.suggestions.clear();
        for def in &self.schema.fields {
            if def.kind == FieldType::Span || self.current.review.gold.field(&def.name).is_some() {
                continue;
            }
            if let Some(r) = gold.field(&def.name) {
                self.twins.suggestions.insert(
                    def.name.clone(),
                    Suggestion {
                        twin: twin.clone(),
                        analyst: gold.analyst.clone(),
                        value: r.value.clone(),
                    },
                );
            }
        }
        let n = self.twins.suggestions.len();
        self.say(
            format!(
                "{n} value{} offered from {}'s review of twin {twin} (≈): a keeps one, Enter edits it",
                if n == 1 { "" } else { "s" },
                gold.analyst
            ),
            Level::Info,
        );
    }

    /// `a` on a field with a suggestion: keeps it, recording the twin; returns whether there
    /// was one.
    pub(super) fn keep_suggestion(&mut self) -> bool {
        let name = self.field_def().name.clone();
        let Some(s) = self.suggestion(&name).cloned() else {
            return false;
        };
        self.change(|r, schema| {
            r.keep_from_twin(schema, &name, s.value, &s.twin);
            Some(format!("{name}: kept from twin {}", s.twin))
        });
        true
    }
}
