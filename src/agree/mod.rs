//! `tadqiq agree` and `tadqiq score`: how far analysts agree, field by field, and how the
//! extractor measures up against the gold set.
//!
//! - [`metrics`]: the coefficients on plain reliability data (pure);
//! - [`items`] (in `model`, so that the index counts disagreements with it too): values
//!   reduced to comparable keys, one article's fields side by side (pure);
//! - [`units`]: a field's items kept compactly for the figures computed at the end (the
//!   bootstrap of alpha, AC1, the coincidence matrix, interval alpha on dates) (pure);
//! - this module: reading the gold set into compact units and measuring each field;
//! - [`score`]: the extractor against a reference gold set, each value judged by
//!   [`matching`];
//! - [`report`]: the table and JSON outputs;
//! - [`html`]: the HTML page drawn from the JSON.
//!
//! An item is an (article, field) pair; only `status: done` reviews count, and only articles
//! at least two of the chosen analysts reviewed are read at all (the others cannot hold an
//! item). Files are read and parsed in parallel, a chunk of articles at a time, one article per
//! task; each value becomes a 64-bit digest of its key ([`Key::digest`]) and goes at once into
//! the coefficients' running counts ([`metrics`]): memory holds a count per distinct value
//! (and per pair of analysts for Cohen's kappa), not the items, nor the texts. Disagreements,
//! whose values are listed, go to a temporary file. The bootstrap, AC1's variance and the
//! coincidence matrices need the items: each is kept as its article's number and a tally of
//! value numbers ([`units`]), about 30 bytes, never a text; `status`, which needs alpha only,
//! keeps none ([`Options::point_values`]).
//!
//! A gold file that is not valid fails the whole run (exit 1, its problems listed as
//! `path:line:col: message`): agreement computed while silently leaving files out would
//! mislead. `tadqiq check` reports every problem of the corpus.

pub mod html;
pub use crate::model::items;
pub mod matching;
mod memo;
pub mod metrics;
pub mod report;
pub mod score;
pub mod units;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use items::{FieldComparison, Key, Kind, compare};

use metrics::{Ac1, Alpha, CohenKappa, FleissKappa, NominalAlpha, PercentAgreement, tally_of};
use units::FieldUnits;

use crate::index::Reader;
use crate::model::{FieldDef, FieldType, Gold, Schema, Severity, Status};
use crate::store::{Diagnostic, LoadError};

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
    /// Cohen's kappa of each pair of analysts (`"a|b"`, names sorted), scalar fields only:
    /// every pair of a team of up to [`EVERY_PAIR_UP_TO`] analysts, only the pairs that
    /// reviewed an item of the field together in a larger one.
    pub cohen_kappa: Vec<(String, Option<f64>)>,
    /// More than [`MAX_PAIRS`] pairs of analysts reviewed an item of the field together:
    /// Cohen's kappa was not computed and `cohen_kappa` is empty.
    pub cohen_omitted: bool,
    /// Fleiss' kappa on the items every analyst coded, scalar fields only.
    pub fleiss_kappa: Option<f64>,
    /// Items where the analysts' values differ.
    pub disagreements: usize,
    /// The field's type in the schema.
    pub field_type: FieldType,
    /// The percentile bootstrap's 95 % interval of `alpha` ([`units::bootstrap`]); `None`
    /// without a bootstrap or without alpha.
    pub alpha_ci95: Option<(f64, f64)>,
    /// The share of bootstrap samples whose alpha is below each of
    /// [`units::ALPHA_THRESHOLDS`]; `None` as `alpha_ci95`.
    pub p_alpha_below: Option<[f64; 2]>,
    /// Gwet's AC1, each distinct value a category (scalar fields).
    pub ac1: Option<Ac1>,
    /// Multi_choice fields: Gwet's AC1 of each of the schema's values as a yes/no judgement
    /// (did the analyst pick it?), in schema order.
    pub ac1_per_value: Vec<(String, Option<Ac1>)>,
    /// Choice and multi_choice fields: Krippendorff's coincidence matrix of the values.
    pub coincidence: Option<Coincidence>,
    /// Date fields: interval alpha on the dates, differences in days.
    pub alpha_interval: Option<f64>,
}

/// Krippendorff's coincidence matrix of a choice or multi_choice field: how often each value
/// is paired with each other across analysts of the same item, each pair of analysts' values
/// counting `1/(m − 1)` in an item of `m` values. A multi_choice set splits its weight evenly
/// among its values; the empty set and a choice left null are [`NONE_LABEL`].
#[derive(Clone, Debug, PartialEq)]
pub struct Coincidence {
    /// The schema's values in its order, then [`NONE_LABEL`] if some item has it.
    pub labels: Vec<String>,
    /// Rows and columns in `labels` order.
    pub matrix: Vec<Vec<f64>>,
}

impl Coincidence {
    /// Each label's agreement: the share of its pairs whose other value is the same label
    /// (`o_cc / n_c`); `None` for a label no analyst gave.
    pub fn per_category(&self) -> Vec<(String, Option<f64>)> {
        self.labels
            .iter()
            .cloned()
            .zip(metrics::per_category_agreement(&self.matrix))
            .collect()
    }
}

/// The label of "no value" in a coincidence matrix: a choice left null, an empty multi_choice.
pub const NONE_LABEL: &str = "(none)";

/// How one analyst agrees with the others.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalystAgreement {
    /// The analyst.
    pub analyst: String,
    /// Per field, in schema order: Krippendorff's alpha (nominal, MASI for set fields) of the
    /// pairs of values this analyst and another gave on the same item, every other analyst
    /// of the item making one pair.
    pub alpha_with_rest: Vec<(String, Option<f64>)>,
    /// Items (article and field) this analyst shares with at least one other.
    pub items: usize,
}

/// What `agree` computes beyond the point values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Bootstrap samples for alpha's interval; 0: none.
    pub bootstrap: usize,
    /// The bootstrap's seed: the same seed, the same interval.
    pub seed: u64,
    /// Whether to keep the items for the bootstrap, AC1, the coincidence matrices, interval
    /// alpha and the per-analyst figures.
    pub detail: bool,
}

/// The bootstrap's seed unless one is given.
pub const DEFAULT_SEED: u64 = 20_070_416;

/// Bootstrap samples unless told.
pub const DEFAULT_BOOTSTRAP: usize = 1000;

/// The most bootstrap samples `--bootstrap` takes: every sample's alpha of every field is kept
/// until the percentiles are taken, so the count bounds memory (100 000 samples of a dozen
/// fields is some 30 MB); past ten thousand the interval no longer moves at three decimals.
pub const MAX_BOOTSTRAP: u64 = 100_000;

impl Default for Options {
    fn default() -> Options {
        Options {
            bootstrap: DEFAULT_BOOTSTRAP,
            seed: DEFAULT_SEED,
            detail: true,
        }
    }
}

impl Options {
    /// The point values only (percent agreement, the alphas and kappas): no item is kept.
    pub fn point_values() -> Options {
        Options {
            bootstrap: 0,
            seed: DEFAULT_SEED,
            detail: false,
        }
    }
}

/// Up to this many analysts compared, `cohen_kappa` lists every pair, `null` for a pair that
/// never reviewed the same item. Beyond, only the pairs that did: the others carry no
/// information, and with n analysts there are n(n−1)/2 pairs (2 000 analysts, two million
/// pairs per field), where the pairs that share an item grow with the items.
pub const EVERY_PAIR_UP_TO: usize = 50;

/// The most pairs of analysts whose Cohen's kappa a field keeps counts for (about 25 MB).
/// Pairs that review together grow with the square of an article's reviewers: 2 000 analysts
/// on one article are two million pairs. Beyond this, the field's kappa is not computed.
pub const MAX_PAIRS: usize = 100_000;

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
    /// Each compared analyst against the others, in name order (empty without
    /// [`Options::detail`]).
    pub analysts_agreement: Vec<AnalystAgreement>,
    /// The bootstrap's samples and seed.
    pub options: Options,
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
    /// Adds one disagreement, as its JSON line ([`disagreement_line`]).
    fn push(&mut self, line: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        if self.file.is_none() {
            self.file = Some(std::io::BufWriter::new(tempfile::tempfile()?));
        }
        if let Some(f) = &mut self.file {
            f.write_all(line)?;
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

/// A field's values in compact form: a digest for a scalar, with its day number for a date,
/// sorted item digests for a set.
enum Code {
    Scalar(u64),
    Date(u64, i32),
    Set(Box<[u64]>),
}

impl Code {
    /// A scalar's digest and day number.
    fn scalar(&self) -> (u64, Option<i32>) {
        match self {
            Code::Scalar(d) => (*d, None),
            Code::Date(d, days) => (*d, Some(*days)),
            Code::Set(_) => unreachable!("a scalar field holds scalar codes"),
        }
    }

    /// A set's item digests (a scalar is the set of itself).
    fn set(&self) -> Box<[u64]> {
        match self {
            Code::Set(s) => s.clone(),
            Code::Scalar(d) | Code::Date(d, _) => Box::new([*d]),
        }
    }
}

/// One article's items, compact: (field, analyst, value), grouped by field, in one
/// allocation.
struct ArticleItems {
    values: Vec<(u16, u16, Code)>,
    /// The fields the analysts disagree on (their values go to the spool).
    disagreeing: Vec<u16>,
    /// Each disagreement as its JSON line, made on the worker thread.
    disagreements: Vec<Vec<u8>>,
}

/// Measures the agreement of `analysts` (names of gold folders) on `fields`.
///
/// Fails with the problems of the gold files that could not be read or are invalid.
pub fn agree(
    reader: &Reader,
    schema: &Schema,
    analysts: &[String],
    fields: &[&FieldDef],
    options: Options,
) -> Result<Agreement, Vec<Diagnostic>> {
    agree_seeing(reader, schema, analysts, fields, options, &|_, _| {})
}

/// What [`agree_seeing`] shows of each article it reads: the article's id, and each of its
/// gold files as loaded (analyst index, the file's status and remembered article hash, or why
/// it did not load).
pub type Seen<'a> =
    &'a (dyn Fn(&str, &[(u16, Result<Option<GoldSummary<'_>>, &LoadError>)]) + Sync);

/// What `status` needs of a gold file `agree` loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GoldSummary<'a> {
    /// Its status.
    pub status: Status,
    /// The hash of the article it remembers.
    pub article_sha256: Option<&'a str>,
    /// Its active review time.
    pub review_seconds: Option<u64>,
}

impl GoldSummary<'_> {
    /// The summary of `gold`.
    pub fn of(gold: &Gold) -> GoldSummary<'_> {
        GoldSummary {
            status: gold.status,
            article_sha256: gold.article_sha256.as_deref(),
            review_seconds: gold.review_seconds,
        }
    }

    /// The summary owning its hash, to be kept (in the index, in `status`'s counts).
    pub fn to_owned(&self) -> OwnedGoldSummary {
        OwnedGoldSummary {
            status: self.status,
            article_sha256: self.article_sha256.map(str::to_string),
            review_seconds: self.review_seconds,
        }
    }
}

/// A [`GoldSummary`] that owns its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedGoldSummary {
    /// Its status.
    pub status: Status,
    /// The hash of the article it remembers.
    pub article_sha256: Option<String>,
    /// Its active review time.
    pub review_seconds: Option<u64>,
}

impl OwnedGoldSummary {
    /// The summary, borrowing the hash.
    pub fn as_summary(&self) -> GoldSummary<'_> {
        GoldSummary {
            status: self.status,
            article_sha256: self.article_sha256.as_deref(),
            review_seconds: self.review_seconds,
        }
    }
}

/// [`agree`], showing `seen` every gold file it loads, so that `status` counts them without
/// loading them a second time. Called from several threads, once per article read.
pub fn agree_seeing(
    reader: &Reader,
    schema: &Schema,
    analysts: &[String],
    fields: &[&FieldDef],
    options: Options,
    seen: Seen<'_>,
) -> Result<Agreement, Vec<Diagnostic>> {
    let store = reader.store();
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
                format!("cannot list: {}", crate::store::reason(&e)),
            )),
        }
    }
    let shared: Vec<(String, Vec<u16>)> = by_article
        .into_iter()
        .filter(|(_, who)| who.len() >= 2)
        .collect();
    // A chunk of articles at a time, read in parallel; each article's disagreements go to the
    // spool and its items into the running counts at once, so memory holds counts, not items
    // nor texts.
    let mut tallies = Tallies::new(analysts, fields, options.detail);
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
            .map(|(id, who)| read_article(reader, schema, analysts, fields, id, who, seen))
            .collect();
        for r in read {
            match r {
                Ok(Some(mut a)) => {
                    if problems.is_empty() {
                        for line in std::mem::take(&mut a.disagreements) {
                            spool.push(&line).map_err(spool_error)?;
                        }
                    }
                    tallies.add(a);
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
    Ok(measure(analysts, fields, tallies, disagreements, options))
}

/// Every field's coefficients as the gold set is read: counts per distinct value (see
/// [`metrics`]), never the items themselves, so memory grows with the variety of the values,
/// not with the number of articles.
struct Tallies {
    fields: Vec<FieldTally>,
    /// Each analyst's place in name order: an item's values are taken in that order, so that
    /// sums of floats run as they would over a table with columns in name order.
    rank: Vec<usize>,
    /// Analysts with a value in at least one item.
    active: Vec<bool>,
    articles: usize,
    /// Per field, the items, for the figures computed at the end; `None` for the point
    /// values only.
    units: Option<Vec<FieldUnits>>,
    /// Per field, per analyst: alpha of the pairs of the analyst's value with another's.
    with_rest: Vec<Vec<RestAlpha>>,
    /// Per analyst: items shared with another.
    shared_items: Vec<usize>,
}

/// One analyst's alpha against the others on one field.
enum RestAlpha {
    Nominal(NominalAlpha<u64>),
    Set(Alpha<Box<[u64]>>),
}

/// One field's coefficients being accumulated.
enum FieldTally {
    Scalar(ScalarTally),
    Set(SetTally),
}

struct ScalarTally {
    percent: PercentAgreement,
    alpha: NominalAlpha<u64>,
    /// Per pair of analysts, the first before the second in name order.
    cohen: BTreeMap<(u16, u16), CohenKappa<u64>>,
    /// More than [`MAX_PAIRS`] pairs: `cohen` was dropped and is no longer counted.
    cohen_omitted: bool,
    /// Fleiss' kappa counts the items every analyst compared coded, and which analysts those
    /// are is known only at the end (those with a value in some item). They are the union of
    /// every item's coders, so only items coded by the union of the coders seen so far are
    /// counted, and the count starts over when that union grows.
    fleiss_coders: Vec<u16>,
    fleiss: FleissKappa<u64>,
    disagreements: usize,
}

struct SetTally {
    percent: PercentAgreement,
    alpha: Alpha<Box<[u64]>>,
    disagreements: usize,
}

/// The tally of an item's scalar values: (digest, day number) and count, in first-appearance
/// order.
fn scalar_tally(item: &[(u16, Code)]) -> Vec<((u64, Option<i32>), u64)> {
    tally_of(item.iter().map(|(_, c)| c.scalar()))
}

/// The MASI distance of two item sets (sorted digests).
// `Alpha<Box<[u64]>>` hands its keys by reference: `&Box` is the type it calls with.
#[allow(clippy::borrowed_box)]
fn masi_distance(a: &Box<[u64]>, b: &Box<[u64]>) -> f64 {
    metrics::masi(a, b)
}

impl Tallies {
    fn new(analysts: &[String], fields: &[&FieldDef], detail: bool) -> Tallies {
        let mut by_name: Vec<usize> = (0..analysts.len()).collect();
        by_name.sort_by(|&x, &y| analysts[x].cmp(&analysts[y]));
        let mut rank = vec![0; analysts.len()];
        for (r, &i) in by_name.iter().enumerate() {
            rank[i] = r;
        }
        Tallies {
            fields: fields
                .iter()
                .map(|def| match Kind::of(def.kind) {
                    Kind::Scalar => FieldTally::Scalar(ScalarTally {
                        percent: PercentAgreement::default(),
                        alpha: NominalAlpha::default(),
                        cohen: BTreeMap::new(),
                        cohen_omitted: false,
                        fleiss_coders: Vec::new(),
                        fleiss: FleissKappa::default(),
                        disagreements: 0,
                    }),
                    Kind::Set => FieldTally::Set(SetTally {
                        percent: PercentAgreement::default(),
                        alpha: Alpha::default(),
                        disagreements: 0,
                    }),
                })
                .collect(),
            rank,
            active: vec![false; analysts.len()],
            articles: 0,
            units: detail.then(|| {
                fields
                    .iter()
                    .map(|def| match Kind::of(def.kind) {
                        Kind::Scalar => FieldUnits::scalar(),
                        Kind::Set => FieldUnits::set(),
                    })
                    .collect()
            }),
            with_rest: if detail {
                fields
                    .iter()
                    .map(|def| {
                        (0..analysts.len())
                            .map(|_| match Kind::of(def.kind) {
                                Kind::Scalar => RestAlpha::Nominal(NominalAlpha::default()),
                                Kind::Set => RestAlpha::Set(Alpha::default()),
                            })
                            .collect()
                    })
                    .collect()
            } else {
                Vec::new()
            },
            shared_items: vec![0; analysts.len()],
        }
    }

    fn add(&mut self, a: ArticleItems) {
        self.articles += 1;
        let mut values = a.values.into_iter().peekable();
        // The values come grouped by field: one item per group.
        while let Some((f, who, code)) = values.next() {
            let mut item = vec![(who, code)];
            while let Some((_, who, code)) = values.next_if(|v| v.0 == f) {
                item.push((who, code));
            }
            item.sort_by_key(|(who, _)| self.rank[usize::from(*who)]);
            for (who, _) in &item {
                self.active[usize::from(*who)] = true;
            }
            let disagrees = a.disagreeing.contains(&f);
            let article = (self.articles - 1) as u32;
            let fi = usize::from(f);
            if item.len() >= 2 {
                for (who, _) in &item {
                    self.shared_items[usize::from(*who)] += 1;
                }
            }
            if let Some(units) = &mut self.units {
                add_with_rest(&mut self.with_rest[fi], &item);
                if matches!(self.fields[fi], FieldTally::Scalar(_)) {
                    let t: Vec<(u64, Option<i32>, u64)> = scalar_tally(&item)
                        .into_iter()
                        .map(|((d, days), n)| (d, days, n))
                        .collect();
                    units[fi].add_scalar(article, &t);
                } else {
                    units[fi].add_set(article, &tally_of(item.iter().map(|(_, c)| c.set())));
                }
            }
            match &mut self.fields[fi] {
                FieldTally::Scalar(t) => t.add(&item, disagrees),
                FieldTally::Set(t) => t.add(item, disagrees),
            }
        }
    }
}

/// Adds an item's pairs of values of different analysts to each analyst's alpha against the
/// others: for analyst `a`, one unit of two values per other analyst of the item.
fn add_with_rest(rest: &mut [RestAlpha], item: &[(u16, Code)]) {
    for (i, (a, x)) in item.iter().enumerate() {
        for (j, (_, y)) in item.iter().enumerate() {
            if i == j {
                continue;
            }
            match &mut rest[usize::from(*a)] {
                RestAlpha::Nominal(alpha) => alpha.add(tally_of([x.scalar().0, y.scalar().0])),
                RestAlpha::Set(alpha) => alpha.add(tally_of([x.set(), y.set()]), &masi_distance),
            }
        }
    }
}

impl ScalarTally {
    /// Adds an item: its values in analysts' name order.
    fn add(&mut self, item: &[(u16, Code)], disagrees: bool) {
        let digest = |c: &Code| c.scalar().0;
        let tally = tally_of(item.iter().map(|(_, c)| digest(c)));
        self.percent.add(&tally);
        'pairs: for (i, (x, cx)) in item.iter().enumerate() {
            if self.cohen_omitted {
                break;
            }
            for (y, cy) in &item[i + 1..] {
                self.cohen
                    .entry((*x, *y))
                    .or_default()
                    .add(digest(cx), digest(cy));
                if self.cohen.len() > MAX_PAIRS {
                    self.cohen = BTreeMap::new();
                    self.cohen_omitted = true;
                    break 'pairs;
                }
            }
        }
        let mut coders: Vec<u16> = item.iter().map(|(who, _)| *who).collect();
        coders.sort_unstable();
        let mut grew = false;
        for &c in &coders {
            // Inserted in place rather than appended and sorted again: with many analysts
            // the union grows item after item.
            if let Err(at) = self.fleiss_coders.binary_search(&c) {
                self.fleiss_coders.insert(at, c);
                grew = true;
            }
        }
        if grew {
            self.fleiss = FleissKappa::default();
        }
        if coders == self.fleiss_coders {
            self.fleiss.add(tally.clone());
        }
        self.alpha.add(tally);
        self.disagreements += usize::from(disagrees);
    }
}

impl SetTally {
    fn add(&mut self, item: Vec<(u16, Code)>, disagrees: bool) {
        let tally = tally_of(item.into_iter().map(|(_, c)| match c {
            Code::Set(s) => s,
            Code::Scalar(d) | Code::Date(d, _) => Box::new([d]) as Box<[u64]>,
        }));
        self.percent.add(&tally);
        self.alpha.add(tally, &masi_distance);
        self.disagreements += usize::from(disagrees);
    }
}

/// Reads the done reviews of one article and reduces them to items, or takes them from the
/// index while none of the article's gold files changed (what it shows `seen` included).
fn read_article(
    reader: &Reader,
    schema: &Schema,
    analysts: &[String],
    fields: &[&FieldDef],
    id: &str,
    who: &[u16],
    seen: Seen<'_>,
) -> Result<Option<ArticleItems>, Vec<Diagnostic>> {
    let store = reader.store();
    let paths: Vec<std::path::PathBuf> = who
        .iter()
        .map(|&a| store.gold_path(&analysts[usize::from(a)], id))
        .collect();
    let paths: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    // The items depend on who is compared, on which fields, and in which numbering.
    // The version of the memo's encoding comes first: a date's day number came with version 2.
    let mut context = b"agree 2\0".to_vec();
    for a in analysts {
        context.extend_from_slice(a.as_bytes());
        context.push(0);
    }
    context.push(1);
    for f in fields {
        context.extend_from_slice(f.name.as_bytes());
        context.push(0);
    }
    context.push(1);
    for a in who {
        context.extend_from_slice(&a.to_le_bytes());
    }
    reader.memo(
        &format!("agree/{id}"),
        &paths,
        &context,
        |bytes| {
            let (summaries, items) = memo::decode(bytes)?;
            let shown: Vec<(u16, Result<Option<GoldSummary<'_>>, &LoadError>)> = summaries
                .iter()
                .map(|(a, s)| (*a, Ok(s.as_ref().map(OwnedGoldSummary::as_summary))))
                .collect();
            seen(id, &shown);
            Some(Ok(items))
        },
        || {
            let (result, summaries) =
                compute_article(reader, schema, analysts, fields, id, who, seen);
            let payload = match (&result, summaries) {
                (Ok(items), Some(summaries)) => Some(memo::encode(&summaries, items.as_ref())),
                _ => None,
            };
            (result, payload)
        },
    )
}

/// [`read_article`] from the files: the items, and what each gold file was (status and hash;
/// `None` when one could not be read, and then nothing is remembered).
fn compute_article(
    reader: &Reader,
    schema: &Schema,
    analysts: &[String],
    fields: &[&FieldDef],
    id: &str,
    who: &[u16],
    seen: Seen<'_>,
) -> (
    Result<Option<ArticleItems>, Vec<Diagnostic>>,
    Option<memo::Summaries>,
) {
    let loaded: Vec<(u16, Result<Option<Gold>, LoadError>)> = who
        .iter()
        .map(|&a| (a, reader.read_gold(&analysts[usize::from(a)], id, schema)))
        .collect();
    let shown: Vec<(u16, Result<Option<GoldSummary<'_>>, &LoadError>)> = loaded
        .iter()
        .map(|(a, r)| (*a, r.as_ref().map(|g| g.as_ref().map(GoldSummary::of))))
        .collect();
    seen(id, &shown);
    let summaries: Option<memo::Summaries> = shown
        .iter()
        .map(|(a, r)| {
            let s = r.as_ref().ok()?;
            Some((*a, s.map(|s| s.to_owned())))
        })
        .collect();
    drop(shown);
    let mut golds: Vec<(u16, Gold)> = Vec::with_capacity(who.len());
    let mut problems = Vec::new();
    for (a, read) in loaded {
        match read {
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
        return (Err(problems), None);
    }
    if golds.len() < 2 {
        return (Ok(None), summaries);
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
            out.disagreements.push(disagreement_line(&Disagreement {
                article: id.to_string(),
                field: def.name.clone(),
                values: values
                    .iter()
                    .map(|(a, k)| (analysts[usize::from(*a)].clone(), k.clone()))
                    .collect(),
            }));
        }
        let kind = Kind::of(def.kind);
        out.values.extend(values.into_iter().map(|(a, k)| {
            let code = match kind {
                Kind::Scalar if def.kind == FieldType::Date => match &k {
                    Key::Text(t) => match items::date_days(t) {
                        Some(days) => Code::Date(k.digest(), days),
                        None => Code::Scalar(k.digest()),
                    },
                    _ => Code::Scalar(k.digest()),
                },
                Kind::Scalar => Code::Scalar(k.digest()),
                Kind::Set => Code::Set(k.item_digests().into_boxed_slice()),
            };
            (f as u16, a, code)
        }));
    }
    out.values.shrink_to_fit();
    (Ok(Some(out)), summaries)
}

/// A disagreement as the spool keeps it: its JSON object on one line.
fn disagreement_line(d: &Disagreement) -> Vec<u8> {
    serde_json::to_vec(&report::disagreement_json(d)).expect("a JSON value always serialises")
}

/// The coefficients of each field from the counts.
fn measure(
    analysts: &[String],
    fields: &[&FieldDef],
    tallies: Tallies,
    disagreements: Disagreements,
    options: Options,
) -> Agreement {
    let defs = fields;
    let Tallies {
        fields: tallies,
        active,
        articles,
        units,
        with_rest,
        shared_items,
        ..
    } = tallies;
    // Names in order, so that `"a|b"` keys come out sorted.
    let mut compared: Vec<usize> = (0..analysts.len()).filter(|&i| active[i]).collect();
    compared.sort_by(|&x, &y| analysts[x].cmp(&analysts[y]));
    let names: Vec<String> = compared.iter().map(|&i| analysts[i].clone()).collect();
    // A set field with many distinct sets holds its expected disagreement in the bootstrap.
    let held: Vec<Option<f64>> = tallies
        .iter()
        .enumerate()
        .map(|(f, t)| match (t, &units) {
            (FieldTally::Set(t), Some(u))
                if options.bootstrap > 0 && u[f].distinct() > units::EXACT_SETS =>
            {
                t.alpha.expected_disagreement(&masi_distance)
            }
            _ => None,
        })
        .collect();
    let mut fields: Vec<FieldAgreement> = defs
        .iter()
        .zip(tallies)
        .map(|(def, tally)| match tally {
            FieldTally::Scalar(t) => {
                let pair = |a: usize, b: usize| {
                    let (a, b) = if analysts[a] <= analysts[b] {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    format!("{}|{}", analysts[a], analysts[b])
                };
                let mut cohen = Vec::new();
                if t.cohen_omitted {
                    // Too many pairs to count: none listed.
                } else if compared.len() <= EVERY_PAIR_UP_TO {
                    for (i, &a) in compared.iter().enumerate() {
                        for &b in &compared[i + 1..] {
                            let kappa = t
                                .cohen
                                .get(&(a as u16, b as u16))
                                .and_then(CohenKappa::value);
                            cohen.push((pair(a, b), kappa));
                        }
                    }
                } else {
                    // The tally holds exactly the pairs that reviewed an item together.
                    cohen.extend(
                        t.cohen
                            .iter()
                            .map(|(&(a, b), k)| (pair(usize::from(a), usize::from(b)), k.value())),
                    );
                }
                cohen.sort_by(|p, q| p.0.cmp(&q.0));
                let every_analyst = t.fleiss_coders.len() == compared.len();
                FieldAgreement {
                    field: def.name.clone(),
                    kind: Kind::Scalar,
                    items: t.percent.units(),
                    percent_agreement: t.percent.value(),
                    alpha: t.alpha.value(),
                    cohen_kappa: cohen,
                    cohen_omitted: t.cohen_omitted,
                    fleiss_kappa: if every_analyst {
                        t.fleiss.value()
                    } else {
                        None
                    },
                    disagreements: t.disagreements,
                    ..FieldAgreement::point(def, Kind::Scalar)
                }
            }
            FieldTally::Set(t) => FieldAgreement {
                items: t.percent.units(),
                percent_agreement: t.percent.value(),
                alpha: t.alpha.value(&masi_distance),
                disagreements: t.disagreements,
                ..FieldAgreement::point(def, Kind::Set)
            },
        })
        .collect();
    let mut analysts_agreement = Vec::new();
    if let Some(units) = units {
        let prepared: Vec<units::Prepared> = if options.bootstrap > 0 {
            units
                .iter()
                .zip(&held)
                .map(|(u, held)| u.prepare(*held))
                .collect()
        } else {
            Vec::new()
        };
        let pairs: Vec<(&FieldUnits, &units::Prepared)> = units.iter().zip(&prepared).collect();
        let intervals = if options.bootstrap > 0 {
            units::bootstrap(&pairs, articles, options.bootstrap, options.seed)
        } else {
            vec![None; units.len()]
        };
        for (((f, def), u), interval) in fields.iter_mut().zip(defs).zip(&units).zip(intervals) {
            if f.alpha.is_some()
                && let Some(interval) = interval
            {
                f.alpha_ci95 = Some(interval.ci95);
                f.p_alpha_below = Some(interval.p_below);
            }
            describe(f, def, u);
        }
        analysts_agreement = compared
            .iter()
            .map(|&a| AnalystAgreement {
                analyst: analysts[a].clone(),
                alpha_with_rest: defs
                    .iter()
                    .zip(&with_rest)
                    .map(|(def, rest)| {
                        let alpha = match &rest[a] {
                            RestAlpha::Nominal(alpha) => alpha.value(),
                            RestAlpha::Set(alpha) => alpha.value(&masi_distance),
                        };
                        (def.name.clone(), alpha)
                    })
                    .collect(),
                items: shared_items[a],
            })
            .collect();
    }
    Agreement {
        analysts: names,
        articles,
        fields,
        disagreements,
        analysts_agreement,
        options,
    }
}

impl FieldAgreement {
    /// A field's agreement with nothing measured yet.
    fn point(def: &FieldDef, kind: Kind) -> FieldAgreement {
        FieldAgreement {
            field: def.name.clone(),
            kind,
            items: 0,
            percent_agreement: None,
            alpha: None,
            cohen_kappa: Vec::new(),
            cohen_omitted: false,
            fleiss_kappa: None,
            disagreements: 0,
            field_type: def.kind,
            alpha_ci95: None,
            p_alpha_below: None,
            ac1: None,
            ac1_per_value: Vec::new(),
            coincidence: None,
            alpha_interval: None,
        }
    }
}

/// The most values a choice or multi_choice field may have for its coincidence matrix,
/// per-category agreement and per-value AC1 to be computed: the matrix is the square of the
/// count (a schema of 50 000 values would ask for 20 GB), and each item's label is looked up
/// among them. No guideline has that many categories; a schema that does is left without these.
pub const MAX_CATEGORIES: usize = 500;

/// The figures of a field computed from its items: AC1, the coincidence matrix, interval
/// alpha, as its type calls for.
fn describe(f: &mut FieldAgreement, def: &FieldDef, units: &FieldUnits) {
    let values: Vec<&str> = def.values.iter().map(|c| c.value.as_str()).collect();
    match def.kind {
        FieldType::Choice | FieldType::MultiChoice if values.len() > MAX_CATEGORIES => {}
        FieldType::Choice => {
            let digests: Vec<u64> = values
                .iter()
                .map(|v| Key::Text(items::normalize(v).into_owned()).digest())
                .collect();
            let none = Key::None.digest();
            f.coincidence = Some(coincidence(units, &values, |d| {
                if d == none {
                    Some(values.len())
                } else {
                    digests.iter().position(|&x| x == d)
                }
            }));
        }
        FieldType::MultiChoice => {
            let digests: Vec<u64> = values.iter().map(|v| item_digest(v)).collect();
            f.coincidence = Some(coincidence(units, &values, |d| {
                digests.iter().position(|&x| x == d)
            }));
            f.ac1_per_value = values
                .iter()
                .zip(&digests)
                .map(|(v, &d)| (v.to_string(), units.ac1_of_item(d)))
                .collect();
        }
        FieldType::Date => f.alpha_interval = units.interval_alpha(),
        _ => {}
    }
    if f.kind == Kind::Scalar {
        f.ac1 = units.ac1();
    }
}

/// The digest a set key gives one of its items.
fn item_digest(item: &str) -> u64 {
    Key::Set(vec![items::normalize(item).into_owned()]).item_digests()[0]
}

/// The coincidence matrix over a choice field's `values`, then [`NONE_LABEL`] (dropped when
/// no item has it); `label` numbers a value's digest (`values.len()` for none). A value the
/// schema does not list (a file checked against an older schema) counts as none.
fn coincidence(
    units: &FieldUnits,
    values: &[&str],
    label: impl Fn(u64) -> Option<usize>,
) -> Coincidence {
    let none = values.len();
    let mut matrix = units.coincidences(none + 1, |d| label(d).unwrap_or(none), none);
    let mut labels: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    if matrix[none].iter().all(|&x| x == 0.0) {
        matrix.pop();
        for row in &mut matrix {
            row.pop();
        }
    } else {
        labels.push(NONE_LABEL.to_string());
    }
    Coincidence { labels, matrix }
}
