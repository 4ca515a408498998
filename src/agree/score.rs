//! `tadqiq score`: the extractor's values measured against a reference gold set (the
//! adjudicated one, or one analyst's), field by field: MUC-style counts of correct, partial,
//! incorrect, missing and spurious values (and list items, and record sub-fields), with strict
//! and lenient precision, recall and F1 ([`super::matching`] judges each value); accuracy (the
//! share of values right as a whole); how far the extractor's evidence coincides with the
//! reference's in the article; and how well its confidence is calibrated, field by field
//! (below and above the schema's `low_confidence`) and over all fields (ten bins, ECE).
//!
//! A field the extractor left out is its "none" (null, or the empty set): the extractor never
//! writes `value: null`. Only the fields the reference reviewed (`status: done`) are scored.
//! Articles are read only for evidence given as a quote (to find where it is).

use rayon::prelude::*;

use super::items::{Key, Kind, normalize};
use super::matching::{Counts, Judgement, MatchMode, Matcher, span_overlap};
use crate::index::Reader;
use crate::model::{Article, Evidence, FieldDef, FieldType, Schema, Severity, Status, Value};
use crate::store::{Diagnostic, LoadError};

/// How many values, and how many of them wrong.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Values counted.
    pub values: usize,
    /// Of which not right as a whole.
    pub wrong: usize,
}

impl Tally {
    /// The share of wrong values; `None` when there are none.
    pub fn wrong_rate(&self) -> Option<f64> {
        (self.values > 0).then(|| self.wrong as f64 / self.values as f64)
    }
}

/// How far the extractor's evidence coincides with the reference's.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EvidenceOverlap {
    /// Items where both give evidence that could be placed in the article.
    pub items: usize,
    /// The sum of their overlaps (chars in both spans over chars in either).
    pub sum: f64,
}

impl EvidenceOverlap {
    /// The mean overlap; `None` without items.
    pub fn mean(&self) -> Option<f64> {
        (self.items > 0).then(|| self.sum / self.items as f64)
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
    /// Items where the extractor's value is right as a whole.
    pub right: usize,
    /// The values' parts (a scalar, or each list item), MUC-style.
    pub counts: Counts,
    /// record_list: each sub-field's counts, in schema order.
    pub subfields: Vec<(String, Counts)>,
    /// The extractor's evidence against the reference's.
    pub evidence: EvidenceOverlap,
    /// Values delivered with a confidence below the schema's `low_confidence`.
    pub low_confidence: Tally,
    /// Values delivered with a confidence at or above it.
    pub confident: Tally,
}

impl FieldScore {
    /// No item yet.
    pub fn new(def: &FieldDef) -> FieldScore {
        FieldScore {
            field: def.name.clone(),
            kind: Kind::of(def.kind),
            items: 0,
            right: 0,
            counts: Counts::default(),
            subfields: def
                .fields
                .iter()
                .map(|s| (s.name.clone(), Counts::default()))
                .collect(),
            evidence: EvidenceOverlap::default(),
            low_confidence: Tally::default(),
            confident: Tally::default(),
        }
    }

    /// Adds one item's judgement, with the confidence the extractor delivered its value with
    /// (`None`: no value, or none given), below `low` or not.
    pub fn add(&mut self, j: &Judgement, confidence: Option<f64>, low: f64) {
        self.items += 1;
        self.right += usize::from(j.right);
        self.counts.merge(&j.counts);
        for ((_, total), c) in self.subfields.iter_mut().zip(&j.subfields) {
            total.merge(c);
        }
        if let Some(confidence) = confidence {
            let tally = if confidence < low {
                &mut self.low_confidence
            } else {
                &mut self.confident
            };
            tally.values += 1;
            tally.wrong += usize::from(!j.right);
        }
    }

    /// Share of items right as a whole; `None` without items.
    pub fn accuracy(&self) -> Option<f64> {
        (self.items > 0).then(|| self.right as f64 / self.items as f64)
    }
}

/// How many confidence bins calibration has: `[0, 0.1)`, `[0.1, 0.2)`, … `[0.9, 1]`.
pub const BINS: usize = 10;

/// One confidence bin.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bin {
    /// Values delivered with a confidence in the bin.
    pub count: usize,
    /// The sum of their confidences.
    pub confidence_sum: f64,
    /// Of which right as a whole.
    pub right: usize,
}

impl Bin {
    /// The mean confidence; `None` when empty.
    pub fn mean_confidence(&self) -> Option<f64> {
        (self.count > 0).then(|| self.confidence_sum / self.count as f64)
    }

    /// The share right; `None` when empty.
    pub fn accuracy(&self) -> Option<f64> {
        (self.count > 0).then(|| self.right as f64 / self.count as f64)
    }
}

/// How often the extractor was right at each confidence, over every field scored.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Calibration {
    /// The bins, lowest confidence first.
    pub bins: [Bin; BINS],
}

impl Calibration {
    /// The bounds of bin `i`: `i/10` and `(i+1)/10`.
    pub fn bounds(i: usize) -> (f64, f64) {
        (i as f64 / BINS as f64, (i + 1) as f64 / BINS as f64)
    }

    /// Counts a value delivered with `confidence` (0 to 1), right or not.
    pub fn add(&mut self, confidence: f64, right: bool) {
        // The last bin whose lower bound is at or below the confidence (bounds are computed
        // as the schema's decimals are read, so 0.3 falls in [0.3, 0.4)); 1 is in the last.
        let i = (0..BINS)
            .rev()
            .find(|&i| confidence >= Calibration::bounds(i).0)
            .unwrap_or(0);
        let b = &mut self.bins[i];
        b.count += 1;
        b.confidence_sum += confidence;
        b.right += usize::from(right);
    }

    /// Values counted.
    pub fn count(&self) -> usize {
        self.bins.iter().map(|b| b.count).sum()
    }

    /// The expected calibration error: Σ (count/N)·|accuracy − mean confidence| over the
    /// bins; `None` without values.
    pub fn ece(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| {
            self.bins
                .iter()
                .filter_map(|b| {
                    let gap = (b.accuracy()? - b.mean_confidence()?).abs();
                    Some(b.count as f64 / n as f64 * gap)
                })
                .sum()
        })
    }
}

/// One item the extractor got wrong (not right as a whole).
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
    /// How texts were matched.
    pub matcher: Matcher,
    /// One entry per field, in schema order.
    pub fields: Vec<FieldScore>,
    /// Every field's delivered values by confidence.
    pub calibration: Calibration,
    /// Every item the extractor got wrong, by article then field.
    pub mistakes: Vec<Mistake>,
}

/// One judged item of an article.
struct Item {
    field: usize,
    judgement: Judgement,
    /// The extractor delivered a value.
    delivered: bool,
    confidence: Option<f64>,
    overlap: Option<f64>,
    /// When not right: the extractor's and the reference's values, as shown.
    mistake: Option<(Option<Key>, Key)>,
}

/// Scores the extractor against the done reviews in `gold/<against>/`, matching texts as
/// `mode` says.
pub fn score(
    reader: &Reader,
    schema: &Schema,
    against: &str,
    fields: &[&FieldDef],
    mode: MatchMode,
) -> Result<Score, Vec<Diagnostic>> {
    let store = reader.store();
    let ids = store.list_gold(against).map_err(|e| {
        vec![Diagnostic::file(
            &store.gold_dir(against),
            Severity::Error,
            format!("cannot list: {}", crate::store::reason(&e)),
        )]
    })?;
    let matcher = Matcher {
        mode,
        fuzzy_threshold: schema.score.fuzzy_threshold,
    };
    let read: Vec<Result<Option<Vec<Item>>, Vec<Diagnostic>>> = ids
        .par_iter()
        .map(|id| read_article(reader, schema, &matcher, against, fields, id))
        .collect();
    let mut out = Score {
        against: against.to_string(),
        articles: 0,
        low_confidence: schema.low_confidence,
        matcher,
        fields: fields.iter().map(|d| FieldScore::new(d)).collect(),
        calibration: Calibration::default(),
        mistakes: Vec::new(),
    };
    let mut problems = Vec::new();
    for (id, r) in ids.iter().zip(read) {
        match r {
            Ok(Some(items)) => {
                out.articles += 1;
                for item in items {
                    let f = &mut out.fields[item.field];
                    let confidence = item.confidence.filter(|_| item.delivered);
                    f.add(&item.judgement, confidence, schema.low_confidence);
                    if let Some(o) = item.overlap {
                        f.evidence.items += 1;
                        f.evidence.sum += o;
                    }
                    if let Some(c) = confidence {
                        out.calibration.add(c, item.judgement.right);
                    }
                    if let Some((extracted, reference)) = item.mistake {
                        out.mistakes.push(Mistake {
                            article: id.clone(),
                            field: fields[item.field].name.clone(),
                            extracted,
                            confidence,
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
    matcher: &Matcher,
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
    // Read once, and only when an evidence is a quote to be found in it.
    let mut article: Option<Option<Article>> = None;
    let mut items = Vec::new();
    for (f, def) in fields.iter().enumerate() {
        let Some(review) = gold.field(&def.name) else {
            continue;
        };
        let e = extracted.as_ref().and_then(|e| e.field(&def.name));
        let judgement = matcher.judge(def, e.map(|e| &e.value), &review.value);
        let overlap = match (e.and_then(|e| e.evidence.as_ref()), &review.evidence) {
            (Some(a), Some(b)) => {
                let mut place = |ev: &Evidence| match ev {
                    Evidence::Range(s) => Some(*s),
                    Evidence::Quote(_) => article
                        .get_or_insert_with(|| reader.store().read_article(id).ok())
                        .as_ref()?
                        .resolve(ev),
                };
                match (place(a), place(b)) {
                    (Some(a), Some(b)) => Some(span_overlap(a, b)),
                    _ => None,
                }
            }
            _ => None,
        };
        let mistake = (!judgement.right)
            .then(|| (e.map(|e| shown(def, &e.value)), shown(def, &review.value)));
        items.push(Item {
            field: f,
            judgement,
            delivered: e.is_some(),
            confidence: e.and_then(|e| e.confidence),
            overlap,
            mistake,
        });
    }
    Ok(Some(items))
}

/// A value as a mistake shows it: as compared in `agree` ([`Key`]), but a record whole (its
/// summary, `name (role)`), since a record can be wrong in any sub-field.
fn shown(def: &FieldDef, value: &Value) -> Key {
    match value {
        Value::Records(records) if def.kind == FieldType::RecordList => {
            let mut items: Vec<String> = records
                .iter()
                .map(|r| normalize(&r.summary()).into_owned())
                .collect();
            items.sort_unstable();
            items.dedup();
            Key::Set(items)
        }
        _ => Key::of(def, value),
    }
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

    #[test]
    fn calibration_bins_by_the_decimal_bounds_and_weighs_the_gap() {
        let mut c = Calibration::default();
        for (confidence, right) in [
            (0.0, false),
            (0.3, true),
            (0.3, false),
            (0.35, true),
            (0.9, true),
            (1.0, true),
            (0.99, false),
        ] {
            c.add(confidence, right);
        }
        let counts: Vec<usize> = c.bins.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 0, 0, 3, 0, 0, 0, 0, 0, 3]);
        assert_eq!(c.bins[3].accuracy(), Some(2.0 / 3.0));
        assert_eq!(c.bins[1].accuracy(), None);
        // |0 − 0|·1/7 + |2/3 − 0.95/3|·3/7 + |2/3 − 2.89/3|·3/7
        let expected = (2.0f64 / 3.0 - 0.95 / 3.0).abs() * 3.0 / 7.0
            + (2.0f64 / 3.0 - 2.89 / 3.0).abs() * 3.0 / 7.0;
        assert!((c.ece().unwrap() - expected).abs() < 1e-12);
        assert_eq!(Calibration::default().ece(), None);
        assert_eq!(Calibration::bounds(3), (0.3, 0.4));
    }

    #[test]
    fn a_field_tallies_confidence_by_whole_rightness() {
        let def = FieldDef {
            name: "t".into(),
            label: Default::default(),
            kind: FieldType::Text,
            required: false,
            help: Default::default(),
            values: Vec::new(),
            fields: Vec::new(),
        };
        let mut s = FieldScore::new(&def);
        let right = Judgement {
            right: true,
            ..Judgement::default()
        };
        s.add(&right, Some(0.3), 0.6);
        s.add(&Judgement::default(), Some(0.6), 0.6);
        s.add(&right, None, 0.6);
        assert_eq!(s.accuracy(), Some(2.0 / 3.0));
        assert_eq!(s.low_confidence.wrong_rate(), Some(0.0));
        assert_eq!(s.confident.wrong_rate(), Some(1.0), "0.6 is not below 0.6");
        assert_eq!(FieldScore::new(&def).accuracy(), None);
    }
}
