//! `tadqiq agree` and `tadqiq score`: how far analysts agree, field by field, and how the
//! extractor measures up against the gold set.
//!
//! - [`metrics`]: the coefficients on plain reliability data (pure);
//! - [`items`]: values reduced to comparable keys, one article's fields side by side (pure);
//! - this module: reading the gold set into compact units and measuring each field;
//! - [`score`]: the extractor against a reference gold set;
//! - [`report`]: the table and JSON outputs.
//!
//! An item is an (article, field) pair; only `status: done` reviews count, and only articles
//! at least two of the chosen analysts reviewed are read at all (the others cannot hold an
//! item). Files are read and parsed in parallel, one article per task, and each value is kept
//! as a 64-bit digest of its key ([`Key::digest`]): memory grows with the number of items,
//! not with the size of the texts. Only disagreements keep their values, to be listed.
//!
//! A gold file that is not valid fails the whole run (exit 1, its problems listed as
//! `path:line:col: message`): agreement computed while silently leaving files out would
//! mislead. `tadqiq check` reports every problem of the corpus.

pub mod items;
pub mod metrics;
pub mod report;
pub mod score;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use items::{FieldComparison, Key, Kind, compare};

use crate::model::{FieldDef, Gold, Schema, Severity, Status};
use crate::store::{Diagnostic, LoadError, Store};

/// Analysts' values that differ on one item.
#[derive(Clone, Debug, PartialEq)]
pub struct Disagreement {
    /// The article id.
    pub article: String,
    /// The field.
    pub field: String,
    /// Each analyst who reviewed the field, with the value as compared.
    pub values: Vec<(String, Key)>,
}

/// Agreement on one field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldAgreement {
    /// The field.
    pub field: String,
    /// Scalar or set.
    pub kind: Kind,
    /// Items with at least two values.
    pub items: usize,
    /// Mean share of agreeing analyst pairs per item.
    pub percent_agreement: Option<f64>,
    /// Krippendorff's alpha: nominal for scalar fields, MASI for set fields.
    pub alpha: Option<f64>,
    /// Cohen's kappa of each pair of analysts (`"a|b"`, names sorted), scalar fields only.
    pub cohen_kappa: Vec<(String, Option<f64>)>,
    /// Fleiss' kappa on the items every analyst coded, scalar fields only.
    pub fleiss_kappa: Option<f64>,
    /// Items where the analysts' values differ.
    pub disagreements: usize,
}

/// What `agree` measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    /// The analysts compared, sorted: those chosen who share at least one item with another
    /// (a field of an article both reviewed, `done`). An analyst with none would only make
    /// Fleiss' kappa undefined.
    pub analysts: Vec<String>,
    /// Articles with at least two done reviews.
    pub articles: usize,
    /// One entry per field, in schema order.
    pub fields: Vec<FieldAgreement>,
    /// Every item where the analysts differ, by article then field.
    pub disagreements: Disagreements,
}

/// The disagreements, by article then field, kept in a temporary file as JSON lines as they
/// are found: their texts (a summary each, often) grow with the corpus, and only the JSON
/// report reads them, once, in order.
#[derive(Clone, Debug, Default)]
pub struct Disagreements {
    file: Option<std::sync::Arc<std::fs::File>>,
    count: usize,
}

impl PartialEq for Disagreements {
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count
    }
}

/// Writes the spool while `agree` reads the gold set.
#[derive(Default)]
struct Spool {
    file: Option<std::io::BufWriter<std::fs::File>>,
    count: usize,
}

impl Spool {
    fn push(&mut self, d: &Disagreement) -> std::io::Result<()> {
        use std::io::Write;
        if self.file.is_none() {
            self.file = Some(std::io::BufWriter::new(tempfile::tempfile()?));
        }
        if let Some(f) = &mut self.file {
            serde_json::to_writer(&mut *f, &report::disagreement_json(d))?;
            f.write_all(b"\n")?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> std::io::Result<Disagreements> {
        let file = match self.file {
            Some(w) => Some(std::sync::Arc::new(
                w.into_inner().map_err(|e| e.into_error())?,
            )),
            None => None,
        };
        Ok(Disagreements {
            file,
            count: self.count,
        })
    }
}

impl Disagreements {
    /// How many.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Each disagreement as its JSON object, in order.
    pub fn each(
        &self,
        mut f: impl FnMut(serde_json::Value) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        use std::io::{BufRead, Seek};
        let Some(file) = &self.file else {
            return Ok(());
        };
        let mut file = file.try_clone()?;
        file.seek(std::io::SeekFrom::Start(0))?;
        for line in std::io::BufReader::new(file).lines() {
            f(serde_json::from_str(&line?)?)?;
        }
        Ok(())
    }
}

/// A field's values in compact form: a digest for a scalar, sorted item digests for a set.
enum Code {
    Scalar(u64),
    Set(Box<[u64]>),
}

/// One article's items, compact: (field, analyst, value), grouped by field, in one
/// allocation.
struct ArticleItems {
    values: Vec<(u16, u16, Code)>,
    /// The fields the analysts disagree on (their values go to the spool).
    disagreeing: Vec<u16>,
    disagreements: Vec<Disagreement>,
}

/// Measures the agreement of `analysts` (names of gold folders) on `fields`.
///
/// Fails with the problems of the gold files that could not be read or are invalid.
pub fn agree(
    store: &Store,
    schema: &Schema,
    analysts: &[String],
    fields: &[&FieldDef],
) -> Result<Agreement, Vec<Diagnostic>> {
    if analysts.len() > usize::from(u16::MAX) || fields.len() > usize::from(u16::MAX) {
        return Err(vec![Diagnostic::file(
            &store.gold_root(),
            Severity::Error,
            "more than 65 535 analysts or fields",
        )]);
    }
    // Which analysts reviewed each article: a listing of folders, nothing read yet.
    let mut by_article: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, analyst) in analysts.iter().enumerate() {
        match store.list_gold(analyst) {
            Ok(ids) => {
                for id in ids {
                    by_article.entry(id).or_default().push(i as u16);
                }
            }
            Err(e) => problems.push(Diagnostic::file(
                &store.gold_dir(analyst),
                Severity::Error,
                format!("cannot list: {e}"),
            )),
        }
    }
    let shared: Vec<(String, Vec<u16>)> = by_article
        .into_iter()
        .filter(|(_, who)| who.len() >= 2)
        .collect();
    // A chunk of articles at a time, read in parallel; each article's disagreements go to the
    // spool at once, so memory holds digests, not texts.
    // Each chunk's items go into the tables at once: memory holds the tables, never every
    // article's items besides.
    let mut tables = Tables::new(analysts.len(), fields.len());
    let mut spool = Spool::default();
    let spool_error = |e: std::io::Error| {
        vec![Diagnostic::file(
            &store.gold_root(),
            Severity::Error,
            format!("cannot keep the disagreements in a temporary file: {e}"),
        )]
    };
    for chunk in shared.chunks(1024) {
        let read: Vec<Result<Option<ArticleItems>, Vec<Diagnostic>>> = chunk
            .par_iter()
            .map(|(id, who)| read_article(store, schema, analysts, fields, id, who))
            .collect();
        for r in read {
            match r {
                Ok(Some(mut a)) => {
                    if problems.is_empty() {
                        for d in std::mem::take(&mut a.disagreements) {
                            spool.push(&d).map_err(spool_error)?;
                        }
                    }
                    tables.add(a);
                }
                Ok(None) => {}
                Err(d) => problems.extend(d),
            }
        }
    }
    let disagreements = spool.finish().map_err(spool_error)?;
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    Ok(measure(analysts, fields, tables, disagreements))
}

/// The reliability tables of every field as they are filled: one row per item, one column per
/// analyst given (in the order given); `finish` keeps the analysts who share an item.
struct Tables {
    width: usize,
    scalar: Vec<Vec<Option<u64>>>,
    sets: Vec<Vec<Option<Box<[u64]>>>>,
    per_field: Vec<usize>,
    active: Vec<bool>,
    articles: usize,
}

impl Tables {
    fn new(analysts: usize, fields: usize) -> Tables {
        Tables {
            width: analysts,
            scalar: vec![Vec::new(); fields],
            sets: (0..fields).map(|_| Vec::new()).collect(),
            per_field: vec![0; fields],
            active: vec![false; analysts],
            articles: 0,
        }
    }

    fn add(&mut self, a: ArticleItems) {
        self.articles += 1;
        let width = self.width;
        // The values come grouped by field: a new row starts where the field changes.
        let mut last = None;
        for (f, who, code) in a.values {
            let (f, c) = (usize::from(f), usize::from(who));
            self.active[c] = true;
            let new_row = last != Some(f);
            last = Some(f);
            if new_row && a.disagreeing.contains(&(f as u16)) {
                self.per_field[f] += 1;
            }
            match code {
                Code::Scalar(d) => {
                    let rows = &mut self.scalar[f];
                    if new_row {
                        rows.resize(rows.len() + width, None);
                    }
                    let start = rows.len() - width;
                    rows[start + c] = Some(d);
                }
                Code::Set(d) => {
                    let rows = &mut self.sets[f];
                    if new_row {
                        rows.resize_with(rows.len() + width, || None);
                    }
                    let start = rows.len() - width;
                    rows[start + c] = Some(d);
                }
            }
        }
    }
}

/// The rows of `flat` (rows of `width` cells) with only the columns `order`, in that order.
fn select_columns<T>(flat: Vec<Option<T>>, width: usize, order: &[usize]) -> Vec<Option<T>> {
    if width == 0 || (order.len() == width && order.iter().enumerate().all(|(i, &c)| i == c)) {
        return flat;
    }
    let mut rows: Vec<Vec<Option<T>>> = Vec::with_capacity(flat.len() / width);
    let mut it = flat.into_iter();
    loop {
        let row: Vec<Option<T>> = it.by_ref().take(width).collect();
        if row.len() < width {
            break;
        }
        rows.push(row);
    }
    let mut out = Vec::with_capacity(rows.len() * order.len());
    for mut row in rows {
        out.extend(order.iter().map(|&c| row[c].take()));
    }
    out
}

/// Reads the done reviews of one article and reduces them to items.
fn read_article(
    store: &Store,
    schema: &Schema,
    analysts: &[String],
    fields: &[&FieldDef],
    id: &str,
    who: &[u16],
) -> Result<Option<ArticleItems>, Vec<Diagnostic>> {
    let mut golds: Vec<(u16, Gold)> = Vec::with_capacity(who.len());
    let mut problems = Vec::new();
    for &a in who {
        match store.read_gold(&analysts[usize::from(a)], id, schema) {
            Ok(Some(gold)) if gold.status == Status::Done => {
                golds.push((a, gold));
            }
            Ok(_) => {}
            Err(LoadError::Invalid(d)) => problems.extend(d.into_iter().filter(|d| d.is_error())),
            Err(LoadError::Io { path, source }) => problems.push(Diagnostic::file(
                &path,
                Severity::Error,
                format!("cannot read: {source}"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if golds.len() < 2 {
        return Ok(None);
    }
    let mut out = ArticleItems {
        values: Vec::with_capacity(fields.len() * golds.len()),
        disagreeing: Vec::new(),
        disagreements: Vec::new(),
    };
    for (f, def) in fields.iter().enumerate() {
        let values: Vec<(u16, Key)> = golds
            .iter()
            .filter_map(|(a, g)| Some((*a, Key::of(def, &g.field(&def.name)?.value))))
            .collect();
        if values.len() < 2 {
            continue;
        }
        if values.iter().any(|(_, k)| *k != values[0].1) {
            out.disagreeing.push(f as u16);
            out.disagreements.push(Disagreement {
                article: id.to_string(),
                field: def.name.clone(),
                values: values
                    .iter()
                    .map(|(a, k)| (analysts[usize::from(*a)].clone(), k.clone()))
                    .collect(),
            });
        }
        let kind = Kind::of(def.kind);
        out.values.extend(values.into_iter().map(|(a, k)| {
            let code = match kind {
                Kind::Scalar => Code::Scalar(k.digest()),
                Kind::Set => Code::Set(k.item_digests().into_boxed_slice()),
            };
            (f as u16, a, code)
        }));
    }
    out.values.shrink_to_fit();
    Ok(Some(out))
}

/// Turns the articles' items into reliability tables (one row per item, one column per
/// analyst who shares an article with another) and measures each field.
fn measure(
    analysts: &[String],
    fields: &[&FieldDef],
    tables: Tables,
    disagreements: Disagreements,
) -> Agreement {
    let Tables {
        width: all,
        scalar,
        sets,
        per_field,
        active,
        articles: articles_count,
    } = tables;
    // Columns in name order, so that `"a|b"` keys come out sorted.
    let mut order: Vec<usize> = (0..analysts.len()).filter(|&i| active[i]).collect();
    order.sort_by(|&x, &y| analysts[x].cmp(&analysts[y]));
    let names: Vec<String> = order.iter().map(|&i| analysts[i].clone()).collect();
    let width = names.len();
    let scalar: Vec<Vec<Option<u64>>> = scalar
        .into_iter()
        .map(|t| select_columns(t, all, &order))
        .collect();
    let sets: Vec<Vec<Option<Box<[u64]>>>> = sets
        .into_iter()
        .map(|t| select_columns(t, all, &order))
        .collect();

    let fields = fields
        .iter()
        .enumerate()
        .map(|(f, def)| {
            let kind = Kind::of(def.kind);
            let count = per_field[f];
            let mut m = match kind {
                Kind::Scalar => measure_scalar(&names, &rows(&scalar[f], width)),
                Kind::Set => measure_set(&rows(&sets[f], width)),
            };
            m.field = def.name.clone();
            m.disagreements = count;
            m
        })
        .collect();
    Agreement {
        analysts: names,
        articles: articles_count,
        fields,
        disagreements,
    }
}

fn rows<T>(flat: &[T], width: usize) -> Vec<&[T]> {
    if width == 0 {
        return Vec::new();
    }
    flat.chunks(width).collect()
}

/// Every coefficient of a scalar field; `analysts` names the columns.
pub fn measure_scalar<T: Eq + std::hash::Hash + Sync>(
    analysts: &[String],
    units: &[&[Option<T>]],
) -> FieldAgreement {
    let mut cohen = Vec::new();
    for a in 0..analysts.len() {
        for b in a + 1..analysts.len() {
            let (x, y) = (&analysts[a], &analysts[b]);
            let (key, first, second) = if x <= y {
                (format!("{x}|{y}"), a, b)
            } else {
                (format!("{y}|{x}"), b, a)
            };
            cohen.push((key, metrics::cohen_kappa(units, first, second)));
        }
    }
    cohen.sort_by(|p, q| p.0.cmp(&q.0));
    FieldAgreement {
        field: String::new(),
        kind: Kind::Scalar,
        items: metrics::pairable_units(units),
        percent_agreement: metrics::percent_agreement(units),
        alpha: metrics::alpha_nominal(units),
        cohen_kappa: cohen,
        fleiss_kappa: metrics::fleiss_kappa(units),
        disagreements: 0,
    }
}

/// Every coefficient of a set field: values are sorted slices without repeats.
pub fn measure_set<T: Ord + std::hash::Hash + Sync, S: AsRef<[T]> + Eq + std::hash::Hash + Sync>(
    units: &[&[Option<S>]],
) -> FieldAgreement {
    FieldAgreement {
        field: String::new(),
        kind: Kind::Set,
        items: metrics::pairable_units(units),
        percent_agreement: metrics::percent_agreement(units),
        alpha: metrics::alpha(units, |a: &S, b: &S| metrics::masi(a.as_ref(), b.as_ref())),
        cohen_kappa: Vec::new(),
        fleiss_kappa: None,
        disagreements: 0,
    }
}
