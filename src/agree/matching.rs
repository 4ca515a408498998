//! How `score` judges one of the extractor's values against the reference value, MUC-style:
//! each part of a value is correct, partial or incorrect, and a part only one side has is
//! missing (the reference's) or spurious (the extractor's).
//!
//! Pure: values in, [`Counts`] out.
//!
//! - Texts (text, long_text, list items, text sub-fields) are equal once trimmed and in NFC;
//!   equal after the search's Arabic folding ([`crate::text::fold`]: harakat, tatweel, hamza
//!   forms, ى/ي, ة/ه, digits) is correct under [`MatchMode::Normalized`] and partial under
//!   [`MatchMode::Exact`]; otherwise a similarity (1 − Levenshtein distance / the longer
//!   length, on the folded texts) of at least the schema's `fuzzy_threshold` is partial.
//! - Dates in the same month and year are partial; choices are equal or not; spans that
//!   overlap are partial.
//! - List, multi_choice and record_list items are paired one to one: as many correct pairs as
//!   can be, then the highest total similarity of the partial ones (Kuhn–Munkres, [`assign`]),
//!   up to [`MAX_MATCHED`] items a side; a record pairs
//!   with another only when their key sub-field (`name`, else the first) matches at least
//!   partially, and is also counted sub-field by sub-field.
//!
//! Fuzzy similarity costs the product of the two lengths; each value gets a budget of
//! [`FUZZY_CELLS`] (a hostile file of long near-equal texts cannot make `score` crawl): once it
//! is spent, texts are compared only as equal or folded-equal.

use super::items::normalize;
use crate::model::{FieldDef, FieldType, Record, Span, Value};
use crate::text::fold::fold_query;

/// Whether two texts that are equal only after Arabic folding count as correct or partial.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MatchMode {
    /// Folded-equal is correct (the default).
    #[default]
    Normalized,
    /// Only equal (trimmed, NFC) is correct; folded-equal is partial.
    Exact,
}

impl MatchMode {
    /// `normalized` or `exact`, as in `score`'s JSON.
    pub fn name(self) -> &'static str {
        match self {
            MatchMode::Normalized => "normalized",
            MatchMode::Exact => "exact",
        }
    }
}

/// How one part of a value compares, when both sides have it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The same value.
    Correct,
    /// Close: folded-equal (exact mode), fuzzy-equal, same month, overlapping span.
    Partial,
    /// Not the same.
    Incorrect,
}

/// MUC-style counts of the parts of values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Both sides, the same.
    pub correct: usize,
    /// Both sides, close.
    pub partial: usize,
    /// Both sides, different (scalars only: list items without a counterpart are missing
    /// and spurious instead).
    pub incorrect: usize,
    /// Only the reference has it.
    pub missing: usize,
    /// Only the extractor has it.
    pub spurious: usize,
}

impl Counts {
    /// Counts one compared part.
    pub fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Correct => self.correct += 1,
            Outcome::Partial => self.partial += 1,
            Outcome::Incorrect => self.incorrect += 1,
        }
    }

    /// Adds `other` to these counts.
    pub fn merge(&mut self, other: &Counts) {
        self.correct += other.correct;
        self.partial += other.partial;
        self.incorrect += other.incorrect;
        self.missing += other.missing;
        self.spurious += other.spurious;
    }

    /// Everything the reference holds (MUC's POS).
    pub fn possible(&self) -> usize {
        self.correct + self.partial + self.incorrect + self.missing
    }

    /// Everything the extractor delivered (MUC's ACT).
    pub fn actual(&self) -> usize {
        self.correct + self.partial + self.incorrect + self.spurious
    }

    /// Whether every part is correct (nothing partial, wrong, missing or spurious).
    pub fn all_correct(&self) -> bool {
        self.partial + self.incorrect + self.missing + self.spurious == 0
    }

    /// Correct over delivered; `None` when nothing was delivered.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.correct as f64, self.actual())
    }

    /// Correct over what the reference holds; `None` when it holds nothing.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.correct as f64, self.possible())
    }

    /// Strict F1 (partial counts as wrong): 2·correct / (delivered + held), the harmonic mean
    /// of precision and recall where both are defined, 0 where only one is; `None` when both
    /// sides are empty.
    pub fn f1(&self) -> Option<f64> {
        ratio(2.0 * self.correct as f64, self.actual() + self.possible())
    }

    /// Lenient F1: a partial counts half.
    pub fn f1_lenient(&self) -> Option<f64> {
        ratio(
            2.0 * self.correct as f64 + self.partial as f64,
            self.actual() + self.possible(),
        )
    }
}

fn ratio(num: f64, den: usize) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

/// The similarity scale of the pairing: a similarity of 1 weighs this much.
const FULL: i64 = 1000;

/// The pairing weight of a correct pair: more than any number of partial pairs together
/// ([`PARTIAL_MAX`] each, at most [`MAX_MATCHED`] of them), so that the pairing makes as many
/// correct pairs as there can be, and only then the closest partial ones (two partial pairs
/// never displace a correct one).
const CORRECT: i64 = 1 << 40;

/// The most a partial pair weighs.
const PARTIAL_MAX: i64 = CORRECT / (2 * MAX_MATCHED as i64);

/// The most items a side of a list is paired for the best total similarity. Beyond, items are
/// paired when equal, then when folded-equal, in order, and never fuzzily (pairing n items
/// costs n³).
pub const MAX_MATCHED: usize = 256;

/// Fuzzy comparisons one value may spend, in Levenshtein cells (the product of two texts'
/// lengths): about a tenth of a second. Two summaries of 4 000 letters cost all of it.
pub const FUZZY_CELLS: u64 = 1 << 24;

/// How values are judged: the match mode and the schema's fuzzy threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Matcher {
    /// Folded-equal: correct or partial.
    pub mode: MatchMode,
    /// The similarity from which two texts are partial.
    pub fuzzy_threshold: f64,
}

/// One value's judgement.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Judgement {
    /// The value's parts: one for a scalar, one per item for a list.
    pub counts: Counts,
    /// record_list: per sub-field of the schema, in its order, each record's sub-field.
    pub subfields: Vec<Counts>,
    /// Whether the extractor's value is right as a whole (every part correct; for a scalar,
    /// also when both are none).
    pub right: bool,
}

/// A text made ready for comparing: trimmed and in NFC, and folded.
struct Prepared {
    exact: String,
    folded: Vec<char>,
}

impl Prepared {
    fn of(s: &str) -> Prepared {
        Prepared {
            exact: normalize(s).into_owned(),
            folded: fold_query(s),
        }
    }
}

/// What is left of a value's fuzzy budget.
struct Budget(u64);

impl Matcher {
    /// Judges `extracted` (`None`: the extractor delivered nothing) against `reference`, both
    /// values of field `def`.
    pub fn judge(&self, def: &FieldDef, extracted: Option<&Value>, reference: &Value) -> Judgement {
        let got = extracted.unwrap_or(&Value::Null);
        let mut budget = Budget(FUZZY_CELLS);
        match def.kind {
            FieldType::Text
            | FieldType::LongText
            | FieldType::Date
            | FieldType::Choice
            | FieldType::Span => {
                let mut counts = Counts::default();
                match (scalar(got), scalar(reference)) {
                    (None, None) => {}
                    (None, Some(_)) => counts.missing += 1,
                    (Some(_), None) => counts.spurious += 1,
                    (Some(g), Some(r)) => {
                        counts.add(self.scalar(def.kind, &g, &r, &mut budget).0);
                    }
                }
                Judgement {
                    right: counts.all_correct(),
                    counts,
                    subfields: Vec::new(),
                }
            }
            FieldType::List | FieldType::MultiChoice => {
                let kind = if def.kind == FieldType::List {
                    FieldType::Text
                } else {
                    FieldType::Choice
                };
                let (g, r) = (texts(got), texts(reference));
                let pairs = if g.len() > MAX_MATCHED || r.len() > MAX_MATCHED {
                    self.in_order(&g, &r, kind != FieldType::Choice, |p: &Prepared| Some(p))
                } else {
                    self.pair(&g, &r, &mut budget, |a, b, budget| {
                        self.text_like(kind, a, b, budget)
                    })
                };
                let mut counts = Counts::default();
                for (_, _, o) in &pairs {
                    counts.add(*o);
                }
                counts.spurious += g.len() - pairs.len();
                counts.missing += r.len() - pairs.len();
                Judgement {
                    right: counts.all_correct(),
                    counts,
                    subfields: Vec::new(),
                }
            }
            FieldType::RecordList => self.records(def, records(got), records(reference), budget),
        }
    }

    /// Compares two scalar values of a field of type `kind`: the outcome and its pairing
    /// weight.
    fn scalar(
        &self,
        kind: FieldType,
        got: &Scalar<'_>,
        want: &Scalar<'_>,
        budget: &mut Budget,
    ) -> (Outcome, i64) {
        match (got, want) {
            (Scalar::Span(a), Scalar::Span(b)) => {
                if a == b {
                    (Outcome::Correct, FULL)
                } else {
                    let o = span_overlap(*a, *b);
                    if o > 0.0 {
                        (Outcome::Partial, weight(o))
                    } else {
                        (Outcome::Incorrect, 0)
                    }
                }
            }
            (Scalar::Text(a), Scalar::Text(b)) => {
                self.text_like(kind, &Prepared::of(a), &Prepared::of(b), budget)
            }
            _ => (Outcome::Incorrect, 0),
        }
    }

    /// Compares two texts of a field (or item) of type `kind`.
    fn text_like(
        &self,
        kind: FieldType,
        a: &Prepared,
        b: &Prepared,
        budget: &mut Budget,
    ) -> (Outcome, i64) {
        if a.exact == b.exact {
            return (Outcome::Correct, FULL);
        }
        match kind {
            FieldType::Choice | FieldType::MultiChoice => (Outcome::Incorrect, 0),
            FieldType::Date => {
                let month = |s: &str| s.get(..7).filter(|m| m.len() == 7).map(str::to_owned);
                match (month(&a.exact), month(&b.exact)) {
                    (Some(x), Some(y)) if x == y => (Outcome::Partial, FULL / 2),
                    _ => (Outcome::Incorrect, 0),
                }
            }
            _ => {
                if a.folded == b.folded {
                    return match self.mode {
                        MatchMode::Normalized => (Outcome::Correct, FULL),
                        // Below an equal pair, so that pairing prefers it.
                        MatchMode::Exact => (Outcome::Partial, FULL - 1),
                    };
                }
                match similarity(&a.folded, &b.folded, self.fuzzy_threshold, budget) {
                    Some(s) if s >= self.fuzzy_threshold => (Outcome::Partial, weight(s)),
                    _ => (Outcome::Incorrect, 0),
                }
            }
        }
    }

    /// Pairs the items of `got` with those of `want`, one to one: the most correct pairs, then
    /// the highest total weight of `judge`'s partial ones; a pair judged incorrect is no pair. Returns (got index, want index,
    /// outcome) for each pair.
    fn pair<T>(
        &self,
        got: &[T],
        want: &[T],
        budget: &mut Budget,
        judge: impl Fn(&T, &T, &mut Budget) -> (Outcome, i64),
    ) -> Vec<(usize, usize, Outcome)> {
        if got.is_empty() || want.is_empty() {
            return Vec::new();
        }
        let mut outcomes = vec![vec![Outcome::Incorrect; want.len()]; got.len()];
        let mut weights = vec![vec![0i64; want.len()]; got.len()];
        for (i, g) in got.iter().enumerate() {
            for (j, w) in want.iter().enumerate() {
                let (o, wt) = judge(g, w, budget);
                outcomes[i][j] = o;
                weights[i][j] = match o {
                    Outcome::Correct => CORRECT,
                    Outcome::Partial => wt.clamp(1, PARTIAL_MAX),
                    Outcome::Incorrect => 0,
                };
            }
        }
        assign(&weights)
            .into_iter()
            .enumerate()
            .filter_map(|(i, j)| {
                let j = j?;
                (weights[i][j] > 0).then_some((i, j, outcomes[i][j]))
            })
            .collect()
    }

    fn records(
        &self,
        def: &FieldDef,
        got: &[Record],
        want: &[Record],
        mut budget: Budget,
    ) -> Judgement {
        let subs = &def.fields;
        let key = subs
            .iter()
            .position(|s| s.name == "name")
            .unwrap_or_default();
        let prepared = |records: &[Record]| -> Vec<Vec<Option<Prepared>>> {
            records
                .iter()
                .map(|r| {
                    subs.iter()
                        .map(|s| r.get(&s.name).map(Prepared::of))
                        .collect()
                })
                .collect()
        };
        let (g, w) = (prepared(got), prepared(want));
        let compare = |a: &Option<Prepared>,
                       b: &Option<Prepared>,
                       kind: FieldType,
                       budget: &mut Budget|
         -> Option<(Outcome, i64)> {
            match (a, b) {
                (Some(a), Some(b)) => Some(self.text_like(kind, a, b, budget)),
                _ => None,
            }
        };
        let key_kind = subs.get(key).map_or(FieldType::Text, |d| d.kind);
        let pairs = if g.len() > MAX_MATCHED || w.len() > MAX_MATCHED {
            self.in_order(&g, &w, key_kind != FieldType::Choice, |r| {
                r.get(key)?.as_ref()
            })
        } else {
            self.pair(&g, &w, &mut budget, |a, b, budget| {
                let Some(sub) = subs.get(key) else {
                    return (Outcome::Incorrect, 0);
                };
                match compare(&a[key], &b[key], sub.kind, budget) {
                    Some((key_outcome @ (Outcome::Correct | Outcome::Partial), kw)) => {
                        // The key's weight first, then the other sub-fields', so that the
                        // pairing of equal names is settled by the rest of the record.
                        let mut every_correct = key_outcome == Outcome::Correct;
                        let mut rest: i64 = 0;
                        for (s, d) in subs.iter().enumerate().filter(|(s, _)| *s != key) {
                            match (&a[s], &b[s]) {
                                (None, None) => rest += FULL,
                                _ => match compare(&a[s], &b[s], d.kind, budget) {
                                    Some((o, w)) => {
                                        every_correct &= o == Outcome::Correct;
                                        rest += w;
                                    }
                                    None => every_correct = false,
                                },
                            }
                        }
                        if every_correct {
                            (Outcome::Correct, CORRECT)
                        } else {
                            let scale = FULL.saturating_mul(subs.len() as i64);
                            (
                                Outcome::Partial,
                                kw.saturating_mul(scale).saturating_add(rest),
                            )
                        }
                    }
                    _ => (Outcome::Incorrect, 0),
                }
            })
        };
        let mut counts = Counts::default();
        let mut subfields = vec![Counts::default(); subs.len()];
        let mut paired_got = vec![false; g.len()];
        let mut paired_want = vec![false; w.len()];
        for &(i, j, _) in &pairs {
            paired_got[i] = true;
            paired_want[j] = true;
            let mut record = Counts::default();
            for (s, d) in subs.iter().enumerate() {
                let mut one = Counts::default();
                match (&g[i][s], &w[j][s]) {
                    (None, None) => {}
                    (None, Some(_)) => one.missing += 1,
                    (Some(_), None) => one.spurious += 1,
                    (Some(a), Some(b)) => one.add(self.text_like(d.kind, a, b, &mut budget).0),
                }
                record.merge(&one);
                subfields[s].merge(&one);
            }
            counts.add(if record.all_correct() {
                Outcome::Correct
            } else {
                Outcome::Partial
            });
        }
        for r in g
            .iter()
            .enumerate()
            .filter(|(i, _)| !paired_got[*i])
            .map(|(_, r)| r)
        {
            counts.spurious += 1;
            for (s, v) in r.iter().enumerate() {
                subfields[s].spurious += usize::from(v.is_some());
            }
        }
        for r in w
            .iter()
            .enumerate()
            .filter(|(j, _)| !paired_want[*j])
            .map(|(_, r)| r)
        {
            counts.missing += 1;
            for (s, v) in r.iter().enumerate() {
                subfields[s].missing += usize::from(v.is_some());
            }
        }
        Judgement {
            right: counts.all_correct(),
            counts,
            subfields,
        }
    }

    /// Pairs items by equal texts (`key`), then, when `fold`, by folded-equal texts, each in
    /// order: the pairing beyond [`MAX_MATCHED`] items. Items without a text pair with
    /// nothing.
    fn in_order<T>(
        &self,
        got: &[T],
        want: &[T],
        fold: bool,
        key: impl Fn(&T) -> Option<&Prepared>,
    ) -> Vec<(usize, usize, Outcome)> {
        use std::collections::HashMap;
        let mut pairs = Vec::new();
        let mut used_got = vec![false; got.len()];
        let mut used_want = vec![false; want.len()];
        // Equal texts first, so that a folded-equal pair never takes an item's equal partner.
        let mut exact: HashMap<&str, Vec<usize>> = HashMap::new();
        for (j, w) in want.iter().enumerate().rev() {
            if let Some(w) = key(w) {
                exact.entry(w.exact.as_str()).or_default().push(j);
            }
        }
        for (i, g) in got.iter().enumerate() {
            if let Some(j) = key(g).and_then(|g| exact.get_mut(g.exact.as_str())?.pop()) {
                used_got[i] = true;
                used_want[j] = true;
                pairs.push((i, j, Outcome::Correct));
            }
        }
        if fold {
            let outcome = match self.mode {
                MatchMode::Normalized => Outcome::Correct,
                MatchMode::Exact => Outcome::Partial,
            };
            let mut folded: HashMap<&[char], Vec<usize>> = HashMap::new();
            for (j, w) in want.iter().enumerate().rev() {
                if let Some(w) = key(w).filter(|_| !used_want[j]) {
                    folded.entry(w.folded.as_slice()).or_default().push(j);
                }
            }
            for (i, g) in got.iter().enumerate() {
                if used_got[i] {
                    continue;
                }
                if let Some(j) = key(g).and_then(|g| folded.get_mut(g.folded.as_slice())?.pop()) {
                    used_want[j] = true;
                    pairs.push((i, j, outcome));
                }
            }
        }
        pairs.sort_unstable_by_key(|&(i, j, _)| (i, j));
        pairs
    }
}

/// A scalar value as compared.
enum Scalar<'a> {
    Text(&'a str),
    Span(Span),
}

fn scalar(v: &Value) -> Option<Scalar<'_>> {
    match v {
        Value::Null => None,
        Value::Text(s) => Some(Scalar::Text(s)),
        Value::Span(s) => Some(Scalar::Span(*s)),
        // Not produced by the loaders for a scalar field.
        Value::List(_) | Value::Records(_) => None,
    }
}

/// A list's items, prepared, without repeats (a list is a set, as in `agree`), in sorted
/// order so that the pairing does not depend on how the list was ordered.
fn texts(v: &Value) -> Vec<Prepared> {
    let mut items: Vec<String> = match v {
        Value::Text(s) => vec![normalize(s).into_owned()],
        Value::List(items) => items.iter().map(|s| normalize(s).into_owned()).collect(),
        _ => Vec::new(),
    };
    items.sort_unstable();
    items.dedup();
    items.iter().map(|s| Prepared::of(s)).collect()
}

fn records(v: &Value) -> &[Record] {
    match v {
        Value::Records(r) => r,
        _ => &[],
    }
}

/// A similarity in `0..=1` as a pairing weight below [`FULL`].
fn weight(s: f64) -> i64 {
    ((s * FULL as f64).round() as i64).clamp(1, FULL - 1)
}

/// 1 − Levenshtein distance / the longer length, of two folded texts; `None` when it cannot
/// reach `threshold` (its length ratio is below it: the distance is at least the difference
/// of lengths) or the budget does not cover it.
fn similarity(a: &[char], b: &[char], threshold: f64, budget: &mut Budget) -> Option<f64> {
    let (short, long) = (a.len().min(b.len()), a.len().max(b.len()));
    if long == 0 {
        return Some(1.0);
    }
    if (short as f64) < threshold * long as f64 {
        return None;
    }
    let cells = (short as u64).saturating_mul(long as u64);
    if cells > budget.0 {
        return None;
    }
    budget.0 -= cells;
    let distance = strsim::generic_levenshtein(&Chars(a), &Chars(b));
    Some(1.0 - distance as f64 / long as f64)
}

/// Folded chars as `strsim` iterates them.
struct Chars<'a>(&'a [char]);

impl<'a> IntoIterator for &Chars<'a> {
    type Item = &'a char;
    type IntoIter = std::slice::Iter<'a, char>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// How far two spans of the article coincide: the chars in both over the chars in either
/// (Jaccard). Two equal spans coincide fully, empty ones included.
pub fn span_overlap(a: Span, b: Span) -> f64 {
    if a == b {
        return 1.0;
    }
    let both = a.end.min(b.end).saturating_sub(a.start.max(b.start));
    let either = a.len() + b.len() - both;
    if either == 0 {
        0.0
    } else {
        f64::from(both) / f64::from(either)
    }
}

/// The pairing of rows with columns that maximizes the total weight (Kuhn–Munkres, with
/// potentials, O(n²·m) for n ≤ m): for each row, its column, or `None` when there are more
/// rows than columns and it got none.
pub fn assign(weights: &[Vec<i64>]) -> Vec<Option<usize>> {
    let rows = weights.len();
    let cols = weights.first().map_or(0, Vec::len);
    if rows == 0 || cols == 0 {
        return vec![None; rows];
    }
    if rows > cols {
        let transposed: Vec<Vec<i64>> = (0..cols)
            .map(|c| (0..rows).map(|r| weights[r][c]).collect())
            .collect();
        let mut out = vec![None; rows];
        for (c, r) in assign(&transposed).into_iter().enumerate() {
            if let Some(r) = r {
                out[r] = Some(c);
            }
        }
        return out;
    }
    // Minimizes the cost −weight; rows and columns numbered from 1, 0 a virtual column.
    let (n, m) = (rows, cols);
    let cost = |i: usize, j: usize| -weights[i - 1][j - 1];
    let mut u = vec![0i64; n + 1];
    let mut v = vec![0i64; m + 1];
    let mut p = vec![0usize; m + 1];
    let mut way = vec![0usize; m + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![i64::MAX; m + 1];
        let mut used = vec![false; m + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = i64::MAX;
            let mut j1 = 0;
            for j in 1..=m {
                if !used[j] {
                    let cur = cost(i0, j) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![None; n];
    for j in 1..=m {
        if p[j] != 0 {
            out[p[j] - 1] = Some(j - 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Problems, Schema};

    fn schema() -> Schema {
        let doc: serde_yaml::Value = serde_yaml::from_str(
            "fields:\n\
             - {name: t, type: text}\n\
             - {name: d, type: date}\n\
             - {name: c, type: choice, values: [a, b]}\n\
             - {name: m, type: multi_choice, values: [a, b, c]}\n\
             - {name: l, type: list}\n\
             - name: p\n  type: record_list\n  fields: [{name: name, type: text}, {name: role, type: text}]\n\
             - {name: s, type: span}\n",
        )
        .unwrap();
        Schema::from_yaml(&doc, &mut Problems::default()).unwrap()
    }

    const NORMALIZED: Matcher = Matcher {
        mode: MatchMode::Normalized,
        fuzzy_threshold: 0.85,
    };
    const EXACT: Matcher = Matcher {
        mode: MatchMode::Exact,
        fuzzy_threshold: 0.85,
    };

    fn judge(m: &Matcher, field: &str, got: Option<Value>, want: Value) -> Judgement {
        m.judge(schema().field(field).unwrap(), got.as_ref(), &want)
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| s.to_string()).collect())
    }

    /// (correct, partial, incorrect, missing, spurious)
    fn five(c: &Counts) -> (usize, usize, usize, usize, usize) {
        (c.correct, c.partial, c.incorrect, c.missing, c.spurious)
    }

    #[test]
    fn folded_equal_is_correct_normalized_and_partial_exact() {
        let j = judge(&NORMALIZED, "t", Some(text("مراكش الان")), text("مراكش الآن"));
        assert_eq!(five(&j.counts), (1, 0, 0, 0, 0));
        assert!(j.right);
        let j = judge(&EXACT, "t", Some(text("مراكش الان")), text("مراكش الآن"));
        assert_eq!(five(&j.counts), (0, 1, 0, 0, 0));
        assert!(!j.right);
        // Trimmed and NFC-equal is equal in both modes.
        let j = judge(
            &EXACT,
            "t",
            Some(text(" \u{627}\u{654}حمد ")),
            text("\u{623}حمد"),
        );
        assert_eq!(five(&j.counts), (1, 0, 0, 0, 0));
    }

    /// Similarities as `rapidfuzz.distance.Levenshtein.normalized_similarity` (3.14.6) gives
    /// them for the same (already folded) strings.
    #[test]
    fn similarity_is_rapidfuzz_normalized_levenshtein() {
        for (a, b, expected) in [
            ("عبد اللطيف حموشي", "عبد اللطيف الحموشي", 0.8888888888888888),
            ("الرباط", "الرياط", 0.8333333333333334),
            ("kitten", "sitting", 0.5714285714285714),
            ("مراكش", "مراكس", 0.8),
        ] {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let s = similarity(&a, &b, 0.0, &mut Budget(FUZZY_CELLS)).unwrap();
            assert!((s - expected).abs() < 1e-12, "{s} ≠ {expected}");
        }
    }

    #[test]
    fn fuzzy_equal_is_partial_from_the_threshold() {
        let name = |m: &Matcher, got: &str| {
            five(&judge(m, "t", Some(text(got)), text("عبد اللطيف الحموشي")).counts)
        };
        assert_eq!(name(&NORMALIZED, "عبد اللطيف حموشي"), (0, 1, 0, 0, 0));
        assert_eq!(name(&NORMALIZED, "ناصر بوريطة"), (0, 0, 1, 0, 0));
        let city = |m: &Matcher| five(&judge(m, "t", Some(text("الرياط")), text("الرباط")).counts);
        assert_eq!(city(&NORMALIZED), (0, 0, 1, 0, 0), "0.833 < 0.85");
        let loose = Matcher {
            fuzzy_threshold: 0.8,
            ..NORMALIZED
        };
        assert_eq!(city(&loose), (0, 1, 0, 0, 0));
    }

    #[test]
    fn a_scalar_only_one_side_has_is_missing_or_spurious() {
        let j = judge(&NORMALIZED, "t", None, text("x"));
        assert_eq!((five(&j.counts), j.right), ((0, 0, 0, 1, 0), false));
        let j = judge(&NORMALIZED, "t", Some(text("x")), Value::Null);
        assert_eq!((five(&j.counts), j.right), ((0, 0, 0, 0, 1), false));
        let j = judge(&NORMALIZED, "t", None, Value::Null);
        assert_eq!((five(&j.counts), j.right), ((0, 0, 0, 0, 0), true));
    }

    #[test]
    fn dates_in_the_same_month_are_partial_choices_never() {
        let d = |got: &str, want: &str| {
            five(&judge(&NORMALIZED, "d", Some(text(got)), text(want)).counts)
        };
        assert_eq!(d("2023-12-15", "2023-12-15"), (1, 0, 0, 0, 0));
        assert_eq!(d("2023-12-15", "2023-12-14"), (0, 1, 0, 0, 0));
        assert_eq!(d("2023-12", "2023-12-14"), (0, 1, 0, 0, 0));
        assert_eq!(d("2023-11-14", "2023-12-14"), (0, 0, 1, 0, 0));
        assert_eq!(d("2022-12-14", "2023-12-14"), (0, 0, 1, 0, 0));
        let c = five(&judge(&NORMALIZED, "c", Some(text("a")), text("b")).counts);
        assert_eq!(c, (0, 0, 1, 0, 0));
    }

    /// The span counts and ratios `nervaluate` 1.2.1 gives (its "partial" schema for lenient,
    /// "strict" for strict) on the same spans, one per document (its ends inclusive):
    /// strict P = R = F1 = 1/6, partial P = R = F1 = 0.4166666666666667. nervaluate counts a
    /// predicted span that overlaps nothing as spurious plus missed, where a scalar field
    /// counts it incorrect: the same precision and recall.
    #[test]
    fn spans_score_as_nervaluate() {
        let span = |s: (u32, u32)| {
            Value::Span(Span {
                start: s.0,
                end: s.1,
            })
        };
        let mut total = Counts::default();
        for (want, got) in [
            (Some((0, 10)), Some((0, 10))),
            (Some((0, 10)), Some((5, 15))),
            (Some((0, 10)), Some((20, 30))),
            (Some((0, 10)), None),
            (None, Some((3, 8))),
            (Some((100, 200)), Some((150, 160))),
            (Some((7, 9)), Some((7, 8))),
        ] {
            let j = judge(
                &NORMALIZED,
                "s",
                got.map(span),
                want.map_or(Value::Null, span),
            );
            total.merge(&j.counts);
        }
        assert_eq!(five(&total), (1, 3, 1, 1, 1));
        assert_eq!((total.possible(), total.actual()), (6, 6));
        assert!((total.precision().unwrap() - 1.0 / 6.0).abs() < 1e-12);
        assert!((total.f1().unwrap() - 1.0 / 6.0).abs() < 1e-12);
        assert!((total.f1_lenient().unwrap() - 0.4166666666666667).abs() < 1e-12);
    }

    #[test]
    fn overlap_is_chars_in_both_over_chars_in_either() {
        let s = |start, end| Span { start, end };
        assert_eq!(span_overlap(s(0, 10), s(5, 15)), 5.0 / 15.0);
        assert_eq!(span_overlap(s(0, 10), s(0, 10)), 1.0);
        assert_eq!(span_overlap(s(0, 10), s(10, 20)), 0.0);
        assert_eq!(span_overlap(s(4, 4), s(4, 4)), 1.0);
        assert_eq!(span_overlap(s(4, 4), s(0, 10)), 0.0);
        assert_eq!(span_overlap(s(2, 4), s(0, 10)), 0.2);
    }

    #[test]
    fn list_items_pair_for_the_best_total_not_greedily() {
        // A is closest to X (0.95), but pairing A with Y (0.9) frees X for B (0.9): two
        // partial pairs instead of one and a leftover each side.
        let x = "abcdefghijklmnopqrst";
        let a = "Zbcdefghijklmnopqrst";
        let y = "ZbcdefghijYZmnopqrst";
        let b = "abcdefghijklmnopqrZZ";
        let j = judge(&NORMALIZED, "l", Some(list(&[a, b])), list(&[x, y]));
        assert_eq!(five(&j.counts), (0, 2, 0, 0, 0));
        // Equal items, a repeat, order: a set.
        let j = judge(
            &NORMALIZED,
            "l",
            Some(list(&["المغرب", "فرنسا", " المغرب", "إسبانيا"])),
            list(&["اسبانيا", "المغرب", "البرتغال"]),
        );
        assert_eq!(five(&j.counts), (2, 0, 0, 1, 1));
        assert!(!j.right);
        let j = judge(&NORMALIZED, "l", None, list(&["a", "b"]));
        assert_eq!(five(&j.counts), (0, 0, 0, 2, 0));
    }

    #[test]
    fn two_partial_pairs_never_displace_a_correct_one() {
        // A–B and B–C are 0.91 alike, A–C only 0.82: pairing A with B and B with C would
        // total more similarity than the one equal pair, B.
        let (a, b, c) = ("abcdefghij0", "abcdefghij1", "Xbcdefghij1");
        let j = judge(&NORMALIZED, "l", Some(list(&[a, b])), list(&[b, c]));
        assert_eq!(five(&j.counts), (1, 0, 0, 1, 1));
    }

    #[test]
    fn multi_choice_values_are_equal_or_not() {
        let j = judge(&NORMALIZED, "m", Some(list(&["a", "b"])), list(&["b", "c"]));
        assert_eq!(five(&j.counts), (1, 0, 0, 1, 1));
    }

    #[test]
    fn records_pair_by_name_and_count_each_sub_field() {
        use crate::model::Record;
        let rec = |fields: &[(&str, &str)]| {
            Record(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let got = Value::Records(vec![
            rec(&[("name", "عبد اللطيف حموشي"), ("role", "المدير العام")]),
            rec(&[("name", "Lorenzo"), ("role", "x")]),
            rec(&[("name", "ناصر بوريطة"), ("role", "وزير")]),
        ]);
        let want = Value::Records(vec![
            rec(&[("name", "عبد اللطيف الحموشي"), ("role", "المدير العام")]),
            rec(&[("name", "ناصر بوريطة")]),
            rec(&[("name", "Laurent Nuñez"), ("role", "x")]),
        ]);
        let j = judge(&NORMALIZED, "p", Some(got), want);
        // حموشي: name partial, role correct → partial; بوريطة: name correct, role spurious →
        // partial; Lorenzo and Nuñez: names too far apart to pair (the same role does not
        // pair them).
        assert_eq!(five(&j.counts), (0, 2, 0, 1, 1));
        assert_eq!(five(&j.subfields[0]), (1, 1, 0, 1, 1));
        assert_eq!(five(&j.subfields[1]), (1, 0, 0, 1, 2));
        let same = Value::Records(vec![rec(&[("name", "أ"), ("role", "r")])]);
        let j = judge(&NORMALIZED, "p", Some(same.clone()), same);
        assert!(j.right);
        assert_eq!(five(&j.counts), (1, 0, 0, 0, 0));
    }

    #[test]
    fn counts_make_strict_and_lenient_ratios() {
        let c = Counts {
            correct: 3,
            partial: 2,
            incorrect: 1,
            missing: 2,
            spurious: 0,
        };
        assert_eq!((c.possible(), c.actual()), (8, 6));
        assert_eq!(c.precision(), Some(0.5));
        assert_eq!(c.recall(), Some(3.0 / 8.0));
        // Harmonic mean of 1/2 and 3/8 = 3/7; lenient: of 4/6 and 4/8 = 4/7.
        assert!((c.f1().unwrap() - 3.0 / 7.0).abs() < 1e-12);
        assert!((c.f1_lenient().unwrap() - 4.0 / 7.0).abs() < 1e-12);
        let nothing_delivered = Counts {
            missing: 2,
            ..Counts::default()
        };
        assert_eq!(nothing_delivered.precision(), None);
        assert_eq!(nothing_delivered.f1(), Some(0.0));
        assert_eq!(Counts::default().f1(), None);
    }

    #[test]
    fn beyond_the_cap_items_pair_when_equal_or_folded_equal() {
        let many: Vec<String> = (0..MAX_MATCHED + 10).map(|i| format!("بند {i}")).collect();
        let mut got: Vec<&str> = many.iter().map(String::as_str).collect();
        let mut want = got.clone();
        got.push("الآن");
        want.push("الان");
        got.push("عبد اللطيف حموشي");
        want.push("عبد اللطيف الحموشي");
        let j = judge(&EXACT, "l", Some(list(&got)), list(&want));
        // Folded-equal is still found (partial under exact); fuzzy-equal is not.
        assert_eq!(five(&j.counts), (MAX_MATCHED + 10, 1, 0, 1, 1));
        let j = judge(&NORMALIZED, "l", Some(list(&got)), list(&want));
        assert_eq!(five(&j.counts), (MAX_MATCHED + 11, 0, 0, 1, 1));
    }

    #[test]
    fn long_near_equal_texts_beyond_the_budget_are_not_compared_fuzzily() {
        let long: String = "ب".repeat(5000);
        let other = format!("{}ت", &long[..long.len() - 2]);
        let j = judge(&NORMALIZED, "t", Some(text(&other)), text(&long));
        assert_eq!(five(&j.counts), (0, 0, 1, 0, 0));
        let short: String = "ب".repeat(2000);
        let other = format!("{}ت", &short[..short.len() - 2]);
        let j = judge(&NORMALIZED, "t", Some(text(&other)), text(&short));
        assert_eq!(five(&j.counts), (0, 1, 0, 0, 0));
    }

    #[test]
    fn assign_maximizes_the_total_weight() {
        // Greedy takes 9 first and ends with 9 + 1; the best is 8 + 8.
        assert_eq!(assign(&[vec![9, 8], vec![8, 1]]), [Some(1), Some(0)]);
        assert_eq!(assign(&[vec![5], vec![7], vec![1]]), [None, Some(0), None]);
        assert_eq!(assign(&[vec![0, 3, 0]]), [Some(1)]);
        assert_eq!(assign(&[]), Vec::<Option<usize>>::new());
    }
}
