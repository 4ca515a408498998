//! What the article table shows of each article, and the review queues: an article's summary
//! made from its files already read ([`ArticleSummary::of`]), one analyst's row of it
//! ([`ArticleSummary::row`]), and the table's filters, sort orders and queues over rows.
//!
//! Pure: the corpus index stores the same summaries and answers the same filters, sorts and
//! queues in SQL (`index::summaries`); a test compares both after random edits. Every order
//! ends with the article id, so that both give the same rows in the same order.

use std::cmp::Ordering;

use super::items::compare;
use super::{ArticleMeta, Extracted, FieldDef, Gold, Schema, Status, Value};
use crate::text::fold::fold_query;

/// The schema field whose value is an article's headline, when there is one.
pub const HEADLINE_FIELD: &str = "headline";
/// The extracted field that stands in for the outlet when the article has no `.meta.yaml`.
pub const OUTLET_FIELD: &str = "source";
/// The extracted field that stands in for the date when the article has no `.meta.yaml`.
pub const DATE_FIELD: &str = "published_at";

/// One analyst's part of an article's summary (only for an analyst with a gold file that
/// loads).
#[derive(Clone, Debug, PartialEq)]
pub struct AnalystSummary {
    /// The analyst.
    pub analyst: String,
    /// The gold file's status.
    pub status: Status,
    /// The article changed since the review (its SHA-256 differs from the gold file's).
    pub stale: bool,
    /// How many fields the analyst reviewed.
    pub reviewed: u32,
    /// The lowest extractor confidence among the fields the analyst has not reviewed.
    pub lowest_unreviewed: Option<f64>,
    /// The analyst's reviewed headline, when it is a text that is not empty.
    pub headline: Option<String>,
}

/// What the table knows of one article, for every analyst.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleSummary {
    /// The article.
    pub id: String,
    /// The extracted headline, else the article's first line that is not blank.
    pub headline: String,
    /// The outlet (`.meta.yaml`, else the extracted `source`).
    pub outlet: String,
    /// The publication date as given (`.meta.yaml`, else the extracted `published_at`).
    pub date: String,
    /// How many extracted fields have a confidence below the schema's `low_confidence`.
    pub low: u32,
    /// The lowest extractor confidence of all fields (the lowest unreviewed for an analyst
    /// with no review).
    pub lowest: Option<f64>,
    /// How many fields analysts disagree on: `done` reviews of two analysts or more, compared
    /// as `agree` compares them.
    pub disagreements: u32,
    /// The analysts' parts, sorted by analyst.
    pub reviews: Vec<AnalystSummary>,
}

/// One analyst's row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The article.
    pub id: String,
    /// The analyst's status; `None`: not reviewed.
    pub status: Option<Status>,
    /// Reviewed, and the article changed since.
    pub stale: bool,
    /// The analyst's reviewed headline, else the summary's.
    pub headline: String,
    /// The outlet.
    pub outlet: String,
    /// The date.
    pub date: String,
    /// Fields below `low_confidence`.
    pub low: u32,
    /// Fields the analyst reviewed.
    pub reviewed: u32,
    /// The lowest confidence among the fields the analyst has not reviewed.
    pub lowest_unreviewed: Option<f64>,
    /// Fields analysts disagree on.
    pub disagreements: u32,
}

impl ArticleSummary {
    /// The summary of article `id` from what was read of it: its text (`None`: unreadable),
    /// SHA-256, `.meta.yaml`, extracted file, and the gold files that loaded, by analyst.
    pub fn of(
        schema: &Schema,
        id: &str,
        text: Option<&str>,
        sha256: Option<&str>,
        meta: Option<&ArticleMeta>,
        extracted: Option<&Extracted>,
        golds: &[(&str, &Gold)],
    ) -> ArticleSummary {
        let extracted_text = |name: &str| match extracted.and_then(|e| e.field(name)) {
            Some(f) => text_of(&f.value),
            None => None,
        };
        let has = |name: &str| schema.field(name).is_some();
        let headline = (if has(HEADLINE_FIELD) {
            extracted_text(HEADLINE_FIELD)
        } else {
            None
        })
        .or_else(|| {
            text.and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()))
                .map(str::to_string)
        })
        .unwrap_or_default();
        let outlet = meta
            .and_then(|m| m.outlet.clone())
            .filter(|s| !s.trim().is_empty())
            .or_else(|| extracted_text(OUTLET_FIELD))
            .unwrap_or_default();
        let date = meta
            .and_then(|m| m.published_at.clone())
            .filter(|s| !s.trim().is_empty())
            .or_else(|| extracted_text(DATE_FIELD))
            .unwrap_or_default();
        let confidence = |def: &FieldDef| {
            extracted
                .and_then(|e| e.field(&def.name))
                .and_then(|f| f.confidence)
        };
        let low = schema
            .fields
            .iter()
            .filter_map(confidence)
            .filter(|c| *c < schema.low_confidence)
            .count() as u32;
        let lowest = min(schema.fields.iter().filter_map(confidence));
        let done: Vec<(&str, &Gold)> = golds
            .iter()
            .filter(|(_, g)| g.status == Status::Done)
            .copied()
            .collect();
        let fields: Vec<&FieldDef> = schema.fields.iter().collect();
        let disagreements = if done.len() >= 2 {
            compare(&fields, &done)
                .iter()
                .filter(|f| f.is_disagreement())
                .count() as u32
        } else {
            0
        };
        let mut reviews: Vec<AnalystSummary> = golds
            .iter()
            .map(|(analyst, gold)| AnalystSummary {
                analyst: analyst.to_string(),
                status: gold.status,
                stale: matches!((&gold.article_sha256, sha256), (Some(a), Some(b)) if a != b),
                reviewed: schema
                    .fields
                    .iter()
                    .filter(|d| gold.field(&d.name).is_some())
                    .count() as u32,
                lowest_unreviewed: min(schema
                    .fields
                    .iter()
                    .filter(|d| gold.field(&d.name).is_none())
                    .filter_map(confidence)),
                headline: if has(HEADLINE_FIELD) {
                    gold.field(HEADLINE_FIELD).and_then(|r| text_of(&r.value))
                } else {
                    None
                },
            })
            .collect();
        reviews.sort_by(|a, b| a.analyst.cmp(&b.analyst));
        ArticleSummary {
            id: id.to_string(),
            headline,
            outlet,
            date,
            low,
            lowest,
            disagreements,
            reviews,
        }
    }

    /// `analyst`'s row.
    pub fn row(&self, analyst: &str) -> Row {
        let mine = self.reviews.iter().find(|r| r.analyst == analyst);
        Row {
            id: self.id.clone(),
            status: mine.map(|r| r.status),
            stale: mine.is_some_and(|r| r.stale),
            headline: mine
                .and_then(|r| r.headline.clone())
                .unwrap_or_else(|| self.headline.clone()),
            outlet: self.outlet.clone(),
            date: self.date.clone(),
            low: self.low,
            reviewed: mine.map_or(0, |r| r.reviewed),
            lowest_unreviewed: match mine {
                Some(r) => r.lowest_unreviewed,
                None => self.lowest,
            },
            disagreements: self.disagreements,
        }
    }
}

/// A value's text when it is a text that is not blank (trimmed).
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

fn min(values: impl Iterator<Item = f64>) -> Option<f64> {
    values.fold(None, |m, c| Some(m.map_or(c, |m: f64| m.min(c))))
}

/// The text the table's text filter looks in: the id, the headline and the outlet, each folded
/// (see [`crate::text::fold`]) with its whitespace runs made one space, joined by a line feed
/// (which a folded query never holds).
pub fn searchable(id: &str, headline: &str, outlet: &str) -> String {
    crate::text::fold::searchable([id, headline, outlet])
}

/// Which articles the table shows, by the analyst's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every article.
    All,
    /// No gold file yet.
    NotReviewed,
    /// Started.
    InProgress,
    /// Finished.
    Done,
    /// Set aside.
    Skipped,
    /// Reviewed, but the article changed since.
    Stale,
}

impl StatusFilter {
    /// The filters in the order a key cycles them.
    pub const ORDER: [StatusFilter; 6] = [
        StatusFilter::All,
        StatusFilter::NotReviewed,
        StatusFilter::InProgress,
        StatusFilter::Done,
        StatusFilter::Skipped,
        StatusFilter::Stale,
    ];

    /// Its name in the table's title.
    pub fn name(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::NotReviewed => "not reviewed",
            StatusFilter::InProgress => "in progress",
            StatusFilter::Done => "done",
            StatusFilter::Skipped => "skipped",
            StatusFilter::Stale => "stale",
        }
    }

    /// The next one in [`StatusFilter::ORDER`].
    pub fn next(self) -> StatusFilter {
        let i = Self::ORDER.iter().position(|f| *f == self).unwrap_or(0);
        Self::ORDER[(i + 1) % Self::ORDER.len()]
    }

    /// Whether it accepts a status (`None`: not reviewed) and staleness.
    pub fn accepts(self, status: Option<Status>, stale: bool) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::NotReviewed => status.is_none(),
            StatusFilter::InProgress => status == Some(Status::InProgress),
            StatusFilter::Done => status == Some(Status::Done),
            StatusFilter::Skipped => status == Some(Status::Skipped),
            StatusFilter::Stale => stale,
        }
    }
}

/// The table's filters, all of which a row must pass.
#[derive(Clone, Debug, PartialEq)]
pub struct TableFilter {
    /// By status.
    pub status: StatusFilter,
    /// Only this outlet (compared exactly).
    pub outlet: Option<String>,
    /// Only dates from this one on (compared as text: ISO dates sort as dates; an article
    /// without a date is left out when a bound is set).
    pub from: Option<String>,
    /// Only dates up to this one (a `YYYY-MM` bound takes the whole month).
    pub to: Option<String>,
    /// Only articles with a field below `low_confidence`.
    pub low_only: bool,
    /// Only articles analysts disagree on.
    pub disagreements_only: bool,
    /// A text the id, headline or outlet holds, folded (see [`fold_query`]); empty: any.
    pub text: String,
}

impl Default for TableFilter {
    fn default() -> Self {
        TableFilter {
            status: StatusFilter::All,
            outlet: None,
            from: None,
            to: None,
            low_only: false,
            disagreements_only: false,
            text: String::new(),
        }
    }
}

impl TableFilter {
    /// Reads what was typed in the table's filter line: words `outlet:NAME`, `from:DATE`,
    /// `to:DATE` and `date:FROM..TO` set those filters, the rest is the text filter.
    pub fn parse_typed(&mut self, typed: &str) {
        self.outlet = None;
        self.from = None;
        self.to = None;
        let mut text = Vec::new();
        for word in typed.split_whitespace() {
            if let Some(v) = word.strip_prefix("outlet:") {
                self.outlet = Some(v.to_string());
            } else if let Some(v) = word.strip_prefix("from:") {
                self.from = Some(v.to_string()).filter(|s| !s.is_empty());
            } else if let Some(v) = word.strip_prefix("to:") {
                self.to = Some(v.to_string()).filter(|s| !s.is_empty());
            } else if let Some(v) = word.strip_prefix("date:") {
                let (from, to) = v.split_once("..").unwrap_or((v, v));
                self.from = Some(from.to_string()).filter(|s| !s.is_empty());
                self.to = Some(to.to_string()).filter(|s| !s.is_empty());
            } else {
                text.push(word);
            }
        }
        self.text = fold_query(&text.join(" ")).into_iter().collect();
    }

    /// The upper date bound as compared: a bound that is a prefix (`2024-03`) takes every date
    /// that starts with it.
    pub fn to_bound(&self) -> Option<String> {
        self.to.as_ref().map(|t| format!("{t}\u{10FFFF}"))
    }

    /// Whether `row` passes (`folded`: its [`searchable`] text).
    pub fn accepts(&self, row: &Row, folded: &str) -> bool {
        self.status.accepts(row.status, row.stale)
            && self.outlet.as_ref().is_none_or(|o| row.outlet == *o)
            && self
                .from
                .as_ref()
                .is_none_or(|f| !row.date.is_empty() && row.date.as_str() >= f.as_str())
            && self
                .to_bound()
                .is_none_or(|t| !row.date.is_empty() && row.date.as_str() <= t.as_str())
            && (!self.low_only || row.low > 0)
            && (!self.disagreements_only || row.disagreements > 0)
            && (self.text.is_empty() || folded.contains(self.text.as_str()))
    }
}

/// A column the table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// The article id (the files' order).
    Id,
    /// The status: not reviewed, in progress, skipped, done.
    Status,
    /// The headline.
    Headline,
    /// The outlet.
    Outlet,
    /// The date.
    Date,
    /// Fields below `low_confidence`.
    Low,
    /// Fields reviewed.
    Reviewed,
    /// Fields analysts disagree on.
    Disagreements,
}

impl Column {
    /// The columns in the order a key cycles them.
    pub const ORDER: [Column; 8] = [
        Column::Id,
        Column::Status,
        Column::Headline,
        Column::Outlet,
        Column::Date,
        Column::Low,
        Column::Reviewed,
        Column::Disagreements,
    ];

    /// Its name in the table's header.
    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Status => "status",
            Column::Headline => "headline",
            Column::Outlet => "outlet",
            Column::Date => "date",
            Column::Low => "low",
            Column::Reviewed => "reviewed",
            Column::Disagreements => "≠",
        }
    }

    /// The next one in [`Column::ORDER`].
    pub fn next(self) -> Column {
        let i = Self::ORDER.iter().position(|c| *c == self).unwrap_or(0);
        Self::ORDER[(i + 1) % Self::ORDER.len()]
    }
}

/// How the table is sorted: by a column, then by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub column: Column,
    /// Descending instead of ascending (the id that breaks ties stays ascending).
    pub reverse: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: Column::Id,
            reverse: false,
        }
    }
}

/// A status's place when sorted by status.
pub fn status_rank(status: Option<Status>) -> i64 {
    match status {
        None => 0,
        Some(Status::InProgress) => 1,
        Some(Status::Skipped) => 2,
        Some(Status::Done) => 3,
    }
}

impl Sort {
    /// How two rows compare.
    pub fn cmp(&self, a: &Row, b: &Row) -> Ordering {
        let by = match self.column {
            Column::Id => Ordering::Equal,
            Column::Status => status_rank(a.status).cmp(&status_rank(b.status)),
            Column::Headline => a.headline.cmp(&b.headline),
            Column::Outlet => a.outlet.cmp(&b.outlet),
            Column::Date => a.date.cmp(&b.date),
            Column::Low => a.low.cmp(&b.low),
            Column::Reviewed => a.reviewed.cmp(&b.reviewed),
            Column::Disagreements => a.disagreements.cmp(&b.disagreements),
        };
        let by = if self.reverse { by.reverse() } else { by };
        by.then_with(|| {
            let ids = a.id.cmp(&b.id);
            if self.reverse && self.column == Column::Id {
                ids.reverse()
            } else {
                ids
            }
        })
    }
}

/// The ids of the rows `filter` passes, in `sort`'s order (`rows` with their [`searchable`]
/// texts).
pub fn select(rows: &[(Row, String)], filter: &TableFilter, sort: Sort) -> Vec<String> {
    let mut shown: Vec<&Row> = rows
        .iter()
        .filter(|(r, folded)| filter.accepts(r, folded))
        .map(|(r, _)| r)
        .collect();
    shown.sort_by(|a, b| sort.cmp(a, b));
    shown.into_iter().map(|r| r.id.clone()).collect()
}

/// A review queue: which articles, in which order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Not reviewed by the analyst, in id order.
    NotReviewed,
    /// With a field the analyst has not reviewed, by the lowest confidence among those,
    /// lowest first.
    LowConfidence,
    /// Analysts disagree on a field, most disagreements first.
    Disagreements,
    /// Reviewed, and the article changed since, in id order.
    Stale,
    /// Articles with a twin, each group together (the review screen orders them: twins are
    /// not in the summaries).
    Twins,
}

impl Queue {
    /// The queues in the order a key cycles them.
    pub const ORDER: [Queue; 5] = [
        Queue::NotReviewed,
        Queue::LowConfidence,
        Queue::Disagreements,
        Queue::Stale,
        Queue::Twins,
    ];

    /// Its name, as `--queue` takes it and the status bar shows it.
    pub fn name(self) -> &'static str {
        match self {
            Queue::NotReviewed => "not-reviewed",
            Queue::LowConfidence => "low-confidence",
            Queue::Disagreements => "disagreements",
            Queue::Stale => "stale",
            Queue::Twins => "twins",
        }
    }

    /// The queue named `name`.
    pub fn from_name(name: &str) -> Option<Queue> {
        Self::ORDER.into_iter().find(|q| q.name() == name)
    }

    /// The next queue after `queue` (`None`: no queue), and none after the last.
    pub fn next(queue: Option<Queue>) -> Option<Queue> {
        match queue {
            None => Some(Self::ORDER[0]),
            Some(q) => {
                let i = Self::ORDER.iter().position(|o| *o == q).unwrap_or(0);
                Self::ORDER.get(i + 1).copied()
            }
        }
    }

    /// Whether `row` is in the queue.
    pub fn holds(self, row: &Row) -> bool {
        match self {
            Queue::NotReviewed => row.status.is_none(),
            Queue::LowConfidence => row.lowest_unreviewed.is_some(),
            Queue::Disagreements => row.disagreements > 0,
            Queue::Stale => row.stale,
            // Twins are not in the summaries: the review screen makes this queue itself.
            Queue::Twins => false,
        }
    }

    /// How two rows of the queue compare.
    pub fn cmp(self, a: &Row, b: &Row) -> Ordering {
        let by = match self {
            Queue::LowConfidence => {
                let (x, y) = (
                    a.lowest_unreviewed.unwrap_or(f64::INFINITY),
                    b.lowest_unreviewed.unwrap_or(f64::INFINITY),
                );
                x.total_cmp(&y)
            }
            Queue::Disagreements => b.disagreements.cmp(&a.disagreements),
            Queue::NotReviewed | Queue::Stale | Queue::Twins => Ordering::Equal,
        };
        by.then_with(|| a.id.cmp(&b.id))
    }

    /// The ids of the queue among `rows`, in its order.
    pub fn order<'a>(self, rows: impl IntoIterator<Item = &'a Row>) -> Vec<String> {
        let mut held: Vec<&Row> = rows.into_iter().filter(|r| self.holds(r)).collect();
        held.sort_by(|a, b| self.cmp(a, b));
        held.into_iter().map(|r| r.id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ExtractedField, FieldReview, Problems, Verdict};

    fn schema() -> Schema {
        let doc: serde_yaml::Value = serde_yaml::from_str(
            "low_confidence: 0.6\nfields:\n\
             - {name: headline, type: text}\n\
             - {name: source, type: text}\n\
             - {name: published_at, type: date}\n\
             - {name: c, type: choice, values: [a, b]}\n",
        )
        .unwrap();
        Schema::from_yaml(&doc, &mut Problems::default()).unwrap()
    }

    fn extracted(conf: &[(&str, &str, f64)]) -> Extracted {
        Extracted {
            article: "x".into(),
            extractor: None,
            extracted_at: None,
            fields: conf
                .iter()
                .map(|(n, v, c)| {
                    (
                        n.to_string(),
                        ExtractedField {
                            value: Value::Text(v.to_string()),
                            confidence: Some(*c),
                            evidence: None,
                        },
                    )
                })
                .collect(),
        }
    }

    fn gold(s: &Schema, analyst: &str, status: Status, fields: &[(&str, &str)]) -> Gold {
        let mut g = Gold::new("x", analyst);
        g.status = status;
        for (n, v) in fields {
            g.set_field(
                s,
                n,
                Some(FieldReview {
                    value: Value::Text(v.to_string()),
                    verdict: Verdict::Confirmed,
                    was: None,
                    evidence: None,
                    note: None,
                    from_twin: None,
                }),
            );
        }
        g
    }

    #[test]
    fn a_summary_counts_low_fields_reviews_and_disagreements() {
        let s = schema();
        let e = extracted(&[
            ("headline", "عنوان", 0.9),
            ("source", "هسبريس", 0.3),
            ("published_at", "2024-03-07", 0.5),
            ("c", "a", 0.8),
        ]);
        let a = gold(
            &s,
            "amina",
            Status::Done,
            &[("c", "a"), ("headline", "عنوان آخر")],
        );
        let b = gold(
            &s,
            "bilal",
            Status::Done,
            &[("c", "b"), ("headline", "عنوان آخر")],
        );
        let c = gold(&s, "chaima", Status::InProgress, &[("source", "x")]);
        let sum = ArticleSummary::of(
            &s,
            "x",
            Some("\n  سطر أول\nثان"),
            Some("abc"),
            None,
            Some(&e),
            &[("bilal", &b), ("amina", &a), ("chaima", &c)],
        );
        assert_eq!(sum.headline, "عنوان");
        assert_eq!(sum.outlet, "هسبريس");
        assert_eq!(sum.date, "2024-03-07");
        assert_eq!(sum.low, 2);
        assert_eq!(sum.lowest, Some(0.3));
        assert_eq!(
            sum.disagreements, 1,
            "c differs; the in-progress review does not count"
        );
        let r = sum.row("amina");
        assert_eq!(r.status, Some(Status::Done));
        assert_eq!(r.reviewed, 2);
        assert_eq!(r.lowest_unreviewed, Some(0.3));
        assert_eq!(r.headline, "عنوان آخر");
        let r = sum.row("chaima");
        assert_eq!(r.lowest_unreviewed, Some(0.5));
        assert_eq!(r.headline, "عنوان");
        let r = sum.row("nobody");
        assert_eq!(
            (r.status, r.reviewed, r.lowest_unreviewed),
            (None, 0, Some(0.3))
        );
    }

    #[test]
    fn without_extraction_the_headline_is_the_first_line_and_meta_gives_outlet_and_date() {
        let s = schema();
        let meta = ArticleMeta {
            id: None,
            url: None,
            outlet: Some("Hespress".into()),
            published_at: Some("2024-03-07".into()),
        };
        let mut g = gold(&s, "amina", Status::Done, &[]);
        g.article_sha256 = Some("old".into());
        let sum = ArticleSummary::of(
            &s,
            "x",
            Some("\n\n  السطر الأول  \nالثاني"),
            Some("new"),
            Some(&meta),
            None,
            &[("amina", &g)],
        );
        assert_eq!(sum.headline, "السطر الأول");
        assert_eq!(
            (sum.outlet.as_str(), sum.date.as_str()),
            ("Hespress", "2024-03-07")
        );
        assert_eq!((sum.low, sum.lowest, sum.disagreements), (0, None, 0));
        assert!(sum.row("amina").stale);
    }

    fn row(id: &str, status: Option<Status>, lowest: Option<f64>, dis: u32) -> Row {
        Row {
            id: id.into(),
            status,
            stale: false,
            headline: format!("h{id}"),
            outlet: if id < "c" { "A".into() } else { "B".into() },
            date: format!("2024-0{}-01", id.len()),
            low: u32::from(lowest.is_some_and(|l| l < 0.6)),
            reviewed: 0,
            lowest_unreviewed: lowest,
            disagreements: dis,
        }
    }

    #[test]
    fn queues_order_by_confidence_disagreements_or_id() {
        let rows = [
            row("a", None, Some(0.5), 0),
            row("b", Some(Status::Done), None, 2),
            row("c", Some(Status::InProgress), Some(0.2), 1),
            row("d", None, Some(0.5), 2),
            row("e", None, None, 0),
        ];
        assert_eq!(Queue::LowConfidence.order(&rows), ["c", "a", "d"]);
        assert_eq!(Queue::Disagreements.order(&rows), ["b", "d", "c"]);
        assert_eq!(Queue::NotReviewed.order(&rows), ["a", "d", "e"]);
        assert!(Queue::Twins.order(&rows).is_empty());
        assert_eq!(
            Queue::from_name("low-confidence"),
            Some(Queue::LowConfidence)
        );
        assert_eq!(Queue::next(Some(Queue::Twins)), None);
    }

    #[test]
    fn the_table_filters_and_sorts_with_ties_by_id() {
        let rows: Vec<(Row, String)> = [
            row("a", None, Some(0.5), 0),
            row("b", Some(Status::Done), None, 2),
            row("c", Some(Status::InProgress), Some(0.2), 1),
            row("d", None, Some(0.5), 2),
        ]
        .into_iter()
        .map(|r| {
            let f = searchable(&r.id, &r.headline, &r.outlet);
            (r, f)
        })
        .collect();
        let all = TableFilter::default();
        let by = |column, reverse| Sort { column, reverse };
        assert_eq!(
            select(&rows, &all, by(Column::Status, false)),
            ["a", "d", "c", "b"]
        );
        assert_eq!(
            select(&rows, &all, by(Column::Disagreements, true)),
            ["b", "d", "c", "a"]
        );
        assert_eq!(
            select(&rows, &all, by(Column::Id, true)),
            ["d", "c", "b", "a"]
        );
        let mut f = TableFilter::default();
        f.parse_typed("outlet:B");
        assert_eq!(select(&rows, &f, Sort::default()), ["c", "d"]);
        f.parse_typed("HD");
        assert_eq!(
            select(&rows, &f, Sort::default()),
            ["d"],
            "folded: lower case"
        );
        f.parse_typed("");
        f.low_only = true;
        assert_eq!(select(&rows, &f, Sort::default()), ["a", "c", "d"]);
        f.low_only = false;
        f.disagreements_only = true;
        f.status = StatusFilter::NotReviewed;
        assert_eq!(select(&rows, &f, Sort::default()), ["d"]);
    }

    #[test]
    fn a_date_range_takes_whole_months_and_leaves_out_undated_articles() {
        let mut f = TableFilter::default();
        f.parse_typed("date:2024-03..2024-03 مراكش");
        assert_eq!(f.from.as_deref(), Some("2024-03"));
        assert_eq!(f.text, "مراكش");
        let mut r = row("a", None, None, 0);
        for (date, ok) in [("2024-03-31", true), ("2024-04-01", false), ("", false)] {
            r.date = date.into();
            let folded = searchable("a", "في مُراكش", "");
            assert_eq!(f.accepts(&r, &folded), ok, "{date}");
        }
    }
}
