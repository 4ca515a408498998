//! The article table's summaries in the index, so that sorting and filtering a million
//! articles is one SQL query, not a read of every file.
//!
//! Each article's summary ([`crate::model::summary::ArticleSummary`]) is a row of `summary`,
//! keyed by the article's number in `article`, with one row of `summary_gold` per analyst
//! whose gold file loads. Both are written with the article's search rows, by the same
//! freshness pass and after each save, and so trusted exactly while that article's files keep
//! their identities (see [`super::articles`]); an article removed takes its summaries with it.
//!
//! The queries answer what [`crate::model::summary`] answers over rows made from the files:
//! the same filters, the same orders, ties broken by id. Strings compare as bytes on both
//! sides (SQLite's BINARY collation and Rust's `str` order agree on UTF-8).

use rusqlite::types::Value as Sql;
use rusqlite::{OptionalExtension, Transaction, params, params_from_iter};

use super::{Index, Reader};
use crate::model::summary::{
    ArticleSummary, Column, Queue, Row, Sort, StatusFilter, TableFilter, searchable, status_rank,
};
use crate::model::{Schema, Status};

/// The tables, created with the index's others.
pub(super) const TABLES: &str = "
    CREATE TABLE IF NOT EXISTS summary (
        article INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        headline TEXT NOT NULL,
        outlet TEXT NOT NULL,
        date TEXT NOT NULL,
        low INTEGER NOT NULL,
        lowest REAL,
        disagreements INTEGER NOT NULL,
        folded TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS summary_by_id ON summary (id);
    CREATE INDEX IF NOT EXISTS summary_by_headline ON summary (headline, id);
    CREATE INDEX IF NOT EXISTS summary_by_outlet ON summary (outlet, id);
    CREATE INDEX IF NOT EXISTS summary_by_date ON summary (date, id);
    CREATE INDEX IF NOT EXISTS summary_by_low ON summary (low, id);
    CREATE INDEX IF NOT EXISTS summary_by_lowest ON summary (lowest, id);
    CREATE INDEX IF NOT EXISTS summary_by_disagreements ON summary (disagreements, id);
    CREATE TABLE IF NOT EXISTS summary_gold (
        source INTEGER NOT NULL,
        article INTEGER NOT NULL,
        status INTEGER NOT NULL,
        stale INTEGER NOT NULL,
        reviewed INTEGER NOT NULL,
        lowest REAL,
        headline TEXT,
        folded TEXT,
        PRIMARY KEY (source, article)
    );
    CREATE INDEX IF NOT EXISTS summary_gold_of ON summary_gold (article);
";

/// The summary of article `id` read from the files (through `reader`): its text, `.meta.yaml`,
/// extracted file, and the gold files of `analysts` that load as `status` loads them (a file
/// `check` refuses is not a review here).
pub fn summarize(
    reader: &Reader,
    schema: &Schema,
    analysts: &[String],
    id: &str,
) -> ArticleSummary {
    let store = reader.store();
    let article = store.read_article(id).ok();
    let meta = store.read_article_meta(id);
    let extracted = reader.read_extracted(id, schema).ok().flatten();
    let golds: Vec<(&str, crate::model::Gold)> = analysts
        .iter()
        .filter_map(|a| Some((a.as_str(), reader.read_gold(a, id, schema).ok()??)))
        .collect();
    let golds: Vec<(&str, &crate::model::Gold)> = golds.iter().map(|(a, g)| (*a, g)).collect();
    ArticleSummary::of(
        schema,
        id,
        article.as_ref().map(|a| a.text.as_str()),
        article.as_ref().map(|a| a.sha256.as_str()),
        meta.as_ref(),
        extracted.as_ref(),
        &golds,
    )
}

/// Writes article `num`'s summary in place of the one it had.
pub(super) fn write(
    tx: &Transaction,
    num: i64,
    summary: &ArticleSummary,
    source_of: &mut dyn FnMut(&Transaction, &str) -> rusqlite::Result<i64>,
) -> rusqlite::Result<()> {
    delete(tx, num)?;
    tx.prepare_cached(
        "INSERT INTO summary
             (article, id, headline, outlet, date, low, lowest, disagreements, folded)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        num,
        summary.id,
        summary.headline,
        summary.outlet,
        summary.date,
        summary.low,
        summary.lowest,
        summary.disagreements,
        searchable(&summary.id, &summary.headline, &summary.outlet),
    ])?;
    for r in &summary.reviews {
        let source = source_of(tx, &r.analyst)?;
        let folded = r
            .headline
            .as_ref()
            .map(|h| searchable(&summary.id, h, &summary.outlet));
        tx.prepare_cached(
            "INSERT INTO summary_gold
                 (source, article, status, stale, reviewed, lowest, headline, folded)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            source,
            num,
            status_rank(Some(r.status)),
            r.stale,
            r.reviewed,
            r.lowest_unreviewed,
            r.headline,
            folded,
        ])?;
    }
    Ok(())
}

/// Deletes article `num`'s summary.
pub(super) fn delete(tx: &Transaction, num: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM summary WHERE article = ?1")?
        .execute([num])?;
    tx.prepare_cached("DELETE FROM summary_gold WHERE article = ?1")?
        .execute([num])?;
    Ok(())
}

/// The columns of a row, `s` the summary and `g` the analyst's part (absent: not reviewed).
const ROW: &str = "s.id, g.status, coalesce(g.stale, 0), coalesce(g.headline, s.headline),
    s.outlet, s.date, s.low, coalesce(g.reviewed, 0),
    CASE WHEN g.article IS NULL THEN s.lowest ELSE g.lowest END, s.disagreements";
/// The summaries with the analyst's parts (source `?1`).
const FROM: &str = "FROM summary s
    LEFT JOIN summary_gold g ON g.source = ?1 AND g.article = s.article";

fn row_of(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    let status: Option<i64> = r.get(1)?;
    Ok(Row {
        id: r.get(0)?,
        status: status.and_then(|s| match s {
            1 => Some(Status::InProgress),
            2 => Some(Status::Skipped),
            3 => Some(Status::Done),
            _ => None,
        }),
        stale: r.get(2)?,
        headline: r.get(3)?,
        outlet: r.get(4)?,
        date: r.get(5)?,
        low: r.get(6)?,
        reviewed: r.get(7)?,
        lowest_unreviewed: r.get(8)?,
        disagreements: r.get(9)?,
    })
}

/// The source number of `analyst`'s gold set, or one that no row has.
fn source(c: &rusqlite::Connection, analyst: &str) -> rusqlite::Result<i64> {
    Ok(
        c.prepare_cached("SELECT source FROM gold_set WHERE analyst = ?1")?
            .query_row([analyst], |r| r.get(0))
            .optional()?
            .unwrap_or(-1),
    )
}

/// The ids of the articles `filter` passes for `analyst`, in `sort`'s order; `None` when the
/// index failed.
pub fn select(
    index: &Index,
    analyst: &str,
    filter: &TableFilter,
    sort: Sort,
) -> Option<Vec<String>> {
    let mut conds: Vec<&str> = Vec::new();
    let mut args: Vec<Sql> = Vec::new();
    conds.push(match filter.status {
        StatusFilter::All => "1",
        StatusFilter::NotReviewed => "g.article IS NULL",
        StatusFilter::InProgress => "g.status = 1",
        StatusFilter::Skipped => "g.status = 2",
        StatusFilter::Done => "g.status = 3",
        StatusFilter::Stale => "g.stale = 1",
    });
    if let Some(o) = &filter.outlet {
        conds.push("s.outlet = ?");
        args.push(Sql::Text(o.clone()));
    }
    if let Some(f) = &filter.from {
        conds.push("s.date <> '' AND s.date >= ?");
        args.push(Sql::Text(f.clone()));
    }
    if let Some(t) = filter.to_bound() {
        conds.push("s.date <> '' AND s.date <= ?");
        args.push(Sql::Text(t));
    }
    if filter.low_only {
        conds.push("s.low > 0");
    }
    if filter.disagreements_only {
        conds.push("s.disagreements > 0");
    }
    if !filter.text.is_empty() {
        conds.push("instr(coalesce(g.folded, s.folded), ?) > 0");
        args.push(Sql::Text(filter.text.clone()));
    }
    let key = match sort.column {
        Column::Id => None,
        Column::Status => Some("coalesce(g.status, 0)"),
        Column::Headline => Some("coalesce(g.headline, s.headline)"),
        Column::Outlet => Some("s.outlet"),
        Column::Date => Some("s.date"),
        Column::Low => Some("s.low"),
        Column::Reviewed => Some("coalesce(g.reviewed, 0)"),
        Column::Disagreements => Some("s.disagreements"),
    };
    let dir = if sort.reverse { "DESC" } else { "ASC" };
    let order = match key {
        None => format!("s.id {dir}"),
        Some(k) => format!("{k} {dir}, s.id ASC"),
    };
    let sql = format!(
        "SELECT s.id {FROM} WHERE {} ORDER BY {order}",
        conds
            .iter()
            .map(|c| format!("({c})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    );
    ids(index, analyst, &sql, args)
}

/// The ids of `queue` for `analyst`, in its order; `None` when the index failed.
pub fn queue(index: &Index, analyst: &str, queue: Queue) -> Option<Vec<String>> {
    let lowest = "CASE WHEN g.article IS NULL THEN s.lowest ELSE g.lowest END";
    let (cond, order) = match queue {
        Queue::NotReviewed => ("g.article IS NULL".to_string(), "s.id".to_string()),
        Queue::LowConfidence => (format!("{lowest} IS NOT NULL"), format!("{lowest}, s.id")),
        Queue::Disagreements => (
            "s.disagreements > 0".to_string(),
            "s.disagreements DESC, s.id".to_string(),
        ),
        Queue::Stale => ("g.stale = 1".to_string(), "s.id".to_string()),
        // Twins are not in the summaries: the review screen makes this queue itself.
        Queue::Twins => return Some(Vec::new()),
    };
    let sql = format!("SELECT s.id {FROM} WHERE {cond} ORDER BY {order}");
    ids(index, analyst, &sql, Vec::new())
}

fn ids(index: &Index, analyst: &str, sql: &str, args: Vec<Sql>) -> Option<Vec<String>> {
    index.with_reader(|c| {
        let src = source(c, analyst)?;
        let mut all = vec![Sql::Integer(src)];
        all.extend(args);
        // `?1` is the analyst's source; the others are numbered after it.
        let mut s = c.prepare_cached(sql)?;
        let rows = s.query_map(params_from_iter(all), |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
    })
}

/// `analyst`'s rows of the articles `ids` that have a summary, in that order; `None` when the
/// index failed.
pub fn rows(index: &Index, analyst: &str, ids: &[String]) -> Option<Vec<Row>> {
    index.with_reader(|c| {
        let src = source(c, analyst)?;
        let mut s = c.prepare_cached(&format!("SELECT {ROW} {FROM} WHERE s.id = ?2"))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = s.query_row(params![src, id], row_of).optional()? {
                out.push(r);
            }
        }
        Ok(out)
    })
}

/// Every row of `analyst`, in id order; `None` when the index failed.
pub fn all_rows(index: &Index, analyst: &str) -> Option<Vec<Row>> {
    index.with_reader(|c| {
        let src = source(c, analyst)?;
        let mut s = c.prepare_cached(&format!("SELECT {ROW} {FROM} ORDER BY s.id"))?;
        let rows = s.query_map([src], row_of)?;
        rows.collect()
    })
}
