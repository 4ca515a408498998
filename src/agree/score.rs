//! `tadqiq score`: the extractor's values measured against a reference gold set (the
//! adjudicated one, or one analyst's), field by field: accuracy for every field, micro-averaged
//! precision, recall and F1 of the items of set fields, and how often the values the extractor
//! was unsure of (confidence below the schema's `low_confidence`) were wrong, beside how often
//! its confident values were.
//!
//! Values are compared as in `agree` ([`Key`]). A field the extractor left out is its "none"
//! (null, or the empty set): the extractor never writes `value: null`. Only the fields the
//! reference reviewed (`status: done`) are scored.

use rayon::prelude::*;

use super::items::{Key, Kind};
use crate::index::Reader;
use crate::model::{FieldDef, Schema, Severity, Status};
use crate::store::{Diagnostic, LoadError};

/// How many values, and how many of them wrong.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Values counted.
    pub values: usize,
    /// Of which not the reference value.
    pub wrong: usize,
}

impl Tally {
    /// The share of wrong values; `None` when there are none.
    pub fn wrong_rate(&self) -> Option<f64> {
        (self.values > 0).then(|| self.wrong as f64 / self.values as f64)
    }
}

/// The extractor's results on one field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldScore {
    /// The field.
    pub field: String,
    /// Scalar or set.
    pub kind: Kind,
    /// Articles where the reference reviewed the field.
    pub items: usize,
    /// Items where the extractor's value is the reference value.
    pub correct: usize,
    /// Set fields: items in both the extractor's and the reference value, summed over items.
    pub true_positives: usize,
    /// Set fields: items only in the extractor's value.
    pub false_positives: usize,
    /// Set fields: items only in the reference value.
    pub false_negatives: usize,
    /// Values delivered with a confidence below the schema's `low_confidence`.
    pub low_confidence: Tally,
    /// Values delivered with a confidence at or above it.
    pub confident: Tally,
}

impl FieldScore {
    /// No item yet.
    pub fn new(field: &str, kind: Kind) -> FieldScore {
        FieldScore {
            field: field.to_string(),
            kind,
            items: 0,
            correct: 0,
            true_positives: 0,
            false_positives: 0,
            false_negatives: 0,
            low_confidence: Tally::default(),
            confident: Tally::default(),
        }
    }

    /// Adds one item: the extractor's value and confidence (`None`: it delivered nothing) and
    /// the reference value. Returns whether the extractor was right.
    pub fn add(
        &mut self,
        extracted: Option<(&Key, Option<f64>)>,
        reference: &Key,
        low: f64,
    ) -> bool {
        let kind = self.kind;
        let none = match kind {
            Kind::Scalar => Key::None,
            Kind::Set => Key::Set(Vec::new()),
        };
        let value = extracted.map_or(&none, |(k, _)| k);
        let right = value == reference;
        self.items += 1;
        self.correct += usize::from(right);
        if kind == Kind::Set {
            let items = |k: &Key| match k {
                Key::Set(s) => s.clone(),
                Key::None => Vec::new(),
                other => vec![format!("{other:?}")],
            };
            let (got, want) = (items(value), items(reference));
            let common = got.iter().filter(|g| want.binary_search(g).is_ok()).count();
            self.true_positives += common;
            self.false_positives += got.len() - common;
            self.false_negatives += want.len() - common;
        }
        if let Some((_, Some(confidence))) = extracted {
            let tally = if confidence < low {
                &mut self.low_confidence
            } else {
                &mut self.confident
            };
            tally.values += 1;
            tally.wrong += usize::from(!right);
        }
        right
    }

    /// Share of items right; `None` without items.
    pub fn accuracy(&self) -> Option<f64> {
        (self.items > 0).then(|| self.correct as f64 / self.items as f64)
    }

    /// Set fields: true positives over everything the extractor listed (micro-averaged).
    pub fn precision(&self) -> Option<f64> {
        ratio(
            self.kind,
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Set fields: true positives over everything the reference lists (micro-averaged).
    pub fn recall(&self) -> Option<f64> {
        ratio(
            self.kind,
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// Set fields: the harmonic mean of precision and recall.
    pub fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        Some(if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        })
    }
}

fn ratio(kind: Kind, num: usize, den: usize) -> Option<f64> {
    (kind == Kind::Set && den > 0).then(|| num as f64 / den as f64)
}

/// One item the extractor got wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Mistake {
    /// The article id.
    pub article: String,
    /// The field.
    pub field: String,
    /// What the extractor delivered (`None`: nothing), as compared.
    pub extracted: Option<Key>,
    /// Its confidence.
    pub confidence: Option<f64>,
    /// The reference value, as compared.
    pub reference: Key,
}

/// What `score` measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// The reference gold folder (`_adjudicated` or an analyst).
    pub against: String,
    /// Articles the reference reviewed (done).
    pub articles: usize,
    /// The schema's low-confidence threshold.
    pub low_confidence: f64,
    /// One entry per field, in schema order.
    pub fields: Vec<FieldScore>,
    /// Every item the extractor got wrong, by article then field.
    pub mistakes: Vec<Mistake>,
}

/// One reference item: field index, the extractor's key and confidence, the reference key.
type Item = (usize, Option<(Key, Option<f64>)>, Key);

/// Scores the extractor against the done reviews in `gold/<against>/`.
pub fn score(
    reader: &Reader,
    schema: &Schema,
    against: &str,
    fields: &[&FieldDef],
) -> Result<Score, Vec<Diagnostic>> {
    let store = reader.store();
    let ids = store.list_gold(against).map_err(|e| {
        vec![Diagnostic::file(
            &store.gold_dir(against),
            Severity::Error,
            format!("cannot list: {}", crate::store::reason(&e)),
        )]
    })?;
    let read: Vec<Result<Option<Vec<Item>>, Vec<Diagnostic>>> = ids
        .par_iter()
        .map(|id| read_article(reader, schema, against, fields, id))
        .collect();
    let mut out = Score {
        against: against.to_string(),
        articles: 0,
        low_confidence: schema.low_confidence,
        fields: fields
            .iter()
            .map(|d| FieldScore::new(&d.name, Kind::of(d.kind)))
            .collect(),
        mistakes: Vec::new(),
    };
    let mut problems = Vec::new();
    for (id, r) in ids.iter().zip(read) {
        match r {
            Ok(Some(items)) => {
                out.articles += 1;
                for (f, extracted, reference) in items {
                    let e = extracted.as_ref().map(|(k, c)| (k, *c));
                    if !out.fields[f].add(e, &reference, schema.low_confidence) {
                        out.mistakes.push(Mistake {
                            article: id.clone(),
                            field: fields[f].name.clone(),
                            confidence: extracted.as_ref().and_then(|(_, c)| *c),
                            extracted: extracted.map(|(k, _)| k),
                            reference,
                        });
                    }
                }
            }
            Ok(None) => {}
            Err(d) => problems.extend(d),
        }
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    Ok(out)
}

fn read_article(
    reader: &Reader,
    schema: &Schema,
    against: &str,
    fields: &[&FieldDef],
    id: &str,
) -> Result<Option<Vec<Item>>, Vec<Diagnostic>> {
    let gold = match reader.read_gold(against, id, schema) {
        Ok(Some(g)) if g.status == Status::Done => g,
        Ok(_) => return Ok(None),
        Err(e) => return Err(load_problems(e)),
    };
    let extracted = reader.read_extracted(id, schema).map_err(load_problems)?;
    let mut items = Vec::new();
    for (f, def) in fields.iter().enumerate() {
        let Some(review) = gold.field(&def.name) else {
            continue;
        };
        let e = extracted
            .as_ref()
            .and_then(|e| e.field(&def.name))
            .map(|e| (Key::of(def, &e.value), e.confidence));
        items.push((f, e, Key::of(def, &review.value)));
    }
    Ok(Some(items))
}

fn load_problems(e: LoadError) -> Vec<Diagnostic> {
    match e {
        LoadError::Invalid(d) => d.into_iter().filter(|d| d.is_error()).collect(),
        LoadError::Io { path, source } => vec![Diagnostic::file(
            &path,
            Severity::Error,
            format!("cannot read: {source}"),
        )],
    }
}

/// Whether `gold/<analyst>/` holds at least one done review (invalid files are passed over
/// here; scoring reports them).
pub fn has_done(reader: &Reader, schema: &Schema, analyst: &str) -> bool {
    let ids = reader.store().list_gold(analyst).unwrap_or_default();
    ids.iter().any(|id| {
        matches!(reader.read_gold(analyst, id, schema), Ok(Some(g)) if g.status == Status::Done)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> Key {
        Key::Set(items.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn set_fields_count_items_micro_averaged() {
        let mut s = FieldScore::new("l", Kind::Set);
        // [a b c] for [a b]: 2 right, 1 extra; nothing for [d]: 1 missed.
        assert!(!s.add(
            Some((&set(&["a", "b", "c"]), Some(0.9))),
            &set(&["a", "b"]),
            0.6
        ));
        assert!(!s.add(None, &set(&["d"]), 0.6));
        assert!(s.add(Some((&set(&["e"]), Some(0.3))), &set(&["e"]), 0.6));
        assert_eq!(
            (s.true_positives, s.false_positives, s.false_negatives),
            (3, 1, 1)
        );
        assert_eq!(s.precision(), Some(0.75));
        assert_eq!(s.recall(), Some(0.75));
        assert_eq!(s.f1(), Some(0.75));
        assert_eq!(s.accuracy(), Some(1.0 / 3.0));
        assert_eq!(
            s.low_confidence,
            Tally {
                values: 1,
                wrong: 0
            }
        );
        assert_eq!(
            s.confident,
            Tally {
                values: 1,
                wrong: 1
            }
        );
    }

    #[test]
    fn scalar_fields_count_matches_and_absence_is_none() {
        let mut s = FieldScore::new("t", Kind::Scalar);
        let t = |x: &str| Key::Text(x.into());
        assert!(
            s.add(None, &Key::None, 0.6),
            "nothing extracted, nothing there"
        );
        assert!(!s.add(Some((&t("2023-12-08"), Some(0.32))), &Key::None, 0.6));
        assert!(
            s.add(Some((&t("x"), Some(0.6))), &t("x"), 0.6),
            "0.6 is not below 0.6"
        );
        assert_eq!(s.accuracy(), Some(2.0 / 3.0));
        assert_eq!(s.precision(), None);
        assert_eq!(s.low_confidence.wrong_rate(), Some(1.0));
        assert_eq!(s.confident.wrong_rate(), Some(0.0));
        assert_eq!(FieldScore::new("t", Kind::Scalar).accuracy(), None);
    }
}
