//! The review screen's article list and search, from the index: the corpus's article ids as
//! last seen, and the folded text of every article and field value in an FTS5 table, so that a
//! query is answered across the whole corpus at once.
//!
//! What a search answers is what reading every article answers: article `id` is a hit of a
//! folded query `q` (see [`crate::text::fold`]) for analyst `A` when `q` occurs in the folded
//! text of the article, or in one folded item of a field value of A's review of it, which shows
//! A's gold value for the fields A reviewed and the extractor's value for the others. So the
//! index keeps, for each article, one row per source and field:
//!
//! - the article's text (source [`TEXT`]);
//! - each field value of the extracted file ([`EXTRACTED`]);
//! - each field of each analyst's gold file (a source per gold set, from [`FIRST_GOLD_SET`]),
//!   a reviewed field with a null value included, with an empty text, so that the index knows
//!   it hides the extracted value;
//!
//! and a hit for `A` is a matching text row, a matching row of A's gold set, or a matching
//! extracted row of a field A has no row for. Most reviews confirm what was extracted: a gold
//! row whose value equals the extracted one is kept without its text (a match of the extracted
//! row is the same match), and only the rows of values that differ are marked as overriding the
//! extracted one; this halves the rows a common word matches.
//!
//! A row's text is folded, each whitespace run made one space (a space in a folded query
//! matches any run, so both sides then match char for char), and its items joined by a line
//! feed, which a folded query never holds (it makes every whitespace a space), so that a match
//! never spans two items. The text is indexed by SQLite's trigram tokenizer, case-sensitive
//! (folding has already lowered the case): a MATCH of a quoted phrase of at least three chars is
//! then exactly a substring test. The table is contentless (the texts are in the files; the
//! index would double in size to keep them), so shorter queries are not answered here: the
//! review screen searches the files for them, as without an index.
//!
//! Freshness, as for every entry of the index: each article's row records the identity of the
//! files its rows were read from (the text, the extracted file, the gold files there are) and
//! is trusted only while they are unchanged and it is not racily clean. [`refresh`] lists the
//! corpus, stats every file, reads again only the articles whose files changed, and removes the
//! articles that are gone; [`refresh_article`] reads one article again (after a save).

use std::collections::{HashMap, HashSet};
use std::io;

use rayon::prelude::*;
use rusqlite::{OptionalExtension, Transaction, params};

use super::summaries;
use super::{Index, Inputs, Reader, Stat, now_ns};
use crate::model::summary::ArticleSummary;
use crate::model::{Gold, Schema};
use crate::store::{LoadError, Store};

/// The source of an article's text rows.
pub const TEXT: i64 = 0;
/// The source of the extracted file's rows.
pub const EXTRACTED: i64 = 1;
/// The source of the first gold set; each gold set has its own, in `gold_set`.
pub const FIRST_GOLD_SET: i64 = 2;

/// The shortest folded query the trigrams answer.
pub const MIN_QUERY_CHARS: usize = 3;

/// Articles stat'ed and read per batch; each batch is written in one transaction.
const CHUNK: usize = 512;

/// The tables, created with the index's others.
pub(super) const TABLES: &str = "
    CREATE TABLE IF NOT EXISTS article (
        num INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        inputs BLOB NOT NULL,
        recorded_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS article_list (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        ids BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS gold_set (
        source INTEGER PRIMARY KEY,
        analyst TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS search_row (
        num INTEGER PRIMARY KEY,
        article INTEGER NOT NULL,
        source INTEGER NOT NULL,
        field INTEGER NOT NULL,
        overrides INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS search_row_of ON search_row (article, source, field);
    CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5 (
        text,
        content = '',
        contentless_delete = 1,
        tokenize = 'trigram case_sensitive 1'
    );
";

/// Where a row's text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RowSource {
    Text,
    Extracted,
    /// The gold set with this index in the analysts listed.
    Gold(usize),
}

/// One row: a source, a field (its index in the schema; 0 for the text) and the text.
#[derive(Debug)]
struct Row {
    source: RowSource,
    field: i64,
    /// A gold value other than the extracted one: a match of the extracted value does not
    /// count for this analyst, a match of this text does. A gold value equal to the extracted
    /// one has no text and does not override.
    overrides: bool,
    text: String,
}

/// What reading one article gave, with the identity of the files read.
struct Fresh {
    id: String,
    inputs: Inputs,
    rows: Vec<Row>,
    summary: ArticleSummary,
}

/// What [`refresh`] did.
#[derive(Debug, Default)]
pub struct Refreshed {
    /// The article ids, sorted.
    pub ids: Vec<String>,
    /// Articles read again (new or changed).
    pub read: usize,
    /// Articles removed (gone from the corpus).
    pub removed: usize,
}

pub use crate::text::fold::searchable;

/// The identity of article `id`'s files now: the text, its `.meta.yaml` (the table's outlet
/// and date), the extracted file, and the gold files
/// of `analysts` that exist (only those, so that a new analyst's folder does not make every
/// article be read again). Returns the indexes of the analysts with a gold file too.
fn stat(store: &Store, context: &[u8], analysts: &[String], id: &str) -> (Inputs, Vec<usize>) {
    let stat_at_ns = now_ns();
    let mut stats = vec![
        Stat::of(&store.article_path(id)),
        Stat::of(&store.article_meta_path(id)),
        Stat::of(&store.extracted_path(id)),
    ];
    let mut context = context.to_vec();
    let mut gold_sets = Vec::new();
    for (i, a) in analysts.iter().enumerate() {
        // Each gold file is stat'ed once: its identity is the one recorded.
        let stat = Stat::of(&store.gold_path(a, id));
        if stat != Stat::Absent {
            context.extend_from_slice(a.as_bytes());
            context.push(0);
            stats.push(stat);
            gold_sets.push(i);
        }
    }
    (Inputs::of(&context, stat_at_ns, stats), gold_sets)
}

/// Reads article `id` (after [`stat`]): the rows of its text and of its fields, as the review
/// screen reads them (a gold file it would show is used, one it cannot is not).
fn read(
    reader: &Reader,
    schema: &Schema,
    analysts: &[String],
    id: &str,
    inputs: Inputs,
    gold_sets: &[usize],
) -> Fresh {
    let store = reader.store();
    let mut rows = Vec::new();
    // The table's summary counts the gold files that load as `status` loads them.
    let mut reviews: Vec<(&str, Gold)> = Vec::new();
    let article = store.read_article(id);
    let extracted = reader.read_extracted(id, schema).ok().flatten();
    // An article that cannot be read has no hits at all: the screen cannot show them.
    if let Ok(article) = &article {
        let text = searchable([article.text.as_str()]);
        if !text.is_empty() {
            rows.push(Row {
                source: RowSource::Text,
                field: 0,
                overrides: false,
                text,
            });
        }
        if let Some(extracted) = &extracted {
            for (f, def) in schema.fields.iter().enumerate() {
                let Some(e) = extracted.field(&def.name) else {
                    continue;
                };
                let text = searchable(e.value.items().iter().map(String::as_str));
                if !text.is_empty() {
                    rows.push(Row {
                        source: RowSource::Extracted,
                        field: f as i64,
                        overrides: false,
                        text,
                    });
                }
            }
        }
        for &a in gold_sets {
            let analyst = &analysts[a];
            let gold = match reader.read_gold(analyst, id, schema) {
                Ok(Some(g)) => {
                    reviews.push((analyst, g.clone()));
                    Some(g)
                }
                Ok(None) => None,
                // The screen shows a file whose `article:` or `analyst:` is not its place
                // (the commands do not): read it as the screen does.
                Err(LoadError::Invalid(_)) => store
                    .load_gold(analyst, id, schema)
                    .ok()
                    .flatten()
                    .map(|l| l.value),
                Err(_) => None,
            };
            let Some(gold) = gold else { continue };
            for (f, def) in schema.fields.iter().enumerate() {
                let Some(r) = gold.field(&def.name) else {
                    continue;
                };
                let as_extracted = extracted
                    .as_ref()
                    .and_then(|e| e.field(&def.name))
                    .is_some_and(|e| e.value == r.value);
                rows.push(Row {
                    source: RowSource::Gold(a),
                    field: f as i64,
                    overrides: !as_extracted,
                    text: if as_extracted {
                        String::new()
                    } else {
                        searchable(r.value.items().iter().map(String::as_str))
                    },
                });
            }
        }
    } else {
        for &a in gold_sets {
            if let Ok(Some(g)) = reader.read_gold(&analysts[a], id, schema) {
                reviews.push((&analysts[a], g));
            }
        }
    }
    let reviews: Vec<(&str, &Gold)> = reviews.iter().map(|(a, g)| (*a, g)).collect();
    let article = article.ok();
    let summary = ArticleSummary::of(
        schema,
        id,
        article.as_ref().map(|a| a.text.as_str()),
        article.as_ref().map(|a| a.sha256.as_str()),
        store.read_article_meta(id).as_ref(),
        extracted.as_ref(),
        &reviews,
    );
    Fresh {
        id: id.to_string(),
        inputs,
        rows,
        summary,
    }
}

/// Brings the article list and the search rows up to date with the corpus: lists it, stats
/// every file, reads again only the articles whose files changed, removes the articles gone.
/// `progress` is told how many articles are done of how many. Callable from any thread.
pub fn refresh(
    index: &Index,
    store: &Store,
    schema: &Schema,
    progress: &dyn Fn(usize, usize),
) -> io::Result<Refreshed> {
    let analysts = store.list_analysts()?;
    let ids = store.list_articles()?;
    let reader = Reader::new(store, Some(index));
    let context = index.schema_context().to_vec();
    let mut out = Refreshed::default();
    let chunks: Vec<&[String]> = ids.chunks(CHUNK).collect();
    for (k, chunk) in chunks.iter().enumerate() {
        // The stored articles from this chunk's first id to the next's: those not listed are
        // gone. The first chunk starts at the smallest id, the last goes to the end.
        let from = if k == 0 { "" } else { chunk[0].as_str() };
        let to = chunks.get(k + 1).map(|c| c[0].as_str());
        let stored = stored_between(index, from, to).ok_or_else(index_failed)?;
        let listed: HashSet<&str> = chunk.iter().map(String::as_str).collect();
        let gone: Vec<i64> = stored
            .iter()
            .filter(|(id, _)| !listed.contains(id.as_str()))
            .map(|(_, (num, _, _))| *num)
            .collect();
        let fresh: Vec<Fresh> = chunk
            .par_iter()
            .filter_map(|id| {
                let (inputs, gold_sets) = stat(store, &context, &analysts, id);
                let trusted = stored
                    .get(id)
                    .is_some_and(|(_, bytes, at)| inputs.trust(bytes, *at));
                (!trusted).then(|| read(&reader, schema, &analysts, id, inputs, &gold_sets))
            })
            .collect();
        out.read += fresh.len();
        out.removed += gone.len();
        if !fresh.is_empty() || !gone.is_empty() {
            write(index, &analysts, &fresh, &gone).ok_or_else(index_failed)?;
        }
        progress((k * CHUNK + chunk.len()).min(ids.len()), ids.len());
    }
    if ids.is_empty() {
        let stored = stored_between(index, "", None).ok_or_else(index_failed)?;
        let gone: Vec<i64> = stored.values().map(|(num, _, _)| *num).collect();
        out.removed += gone.len();
        write(index, &analysts, &[], &gone).ok_or_else(index_failed)?;
    }
    let list = ids.join("\0").into_bytes();
    index
        .write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO article_list (one, ids) VALUES (1, ?1)",
                [list],
            )
        })
        .ok_or_else(index_failed)?;
    index.flush();
    out.ids = ids;
    Ok(out)
}

/// Reads article `id` again (its gold file was just saved, say) and updates its rows.
pub fn refresh_article(index: &Index, store: &Store, schema: &Schema, id: &str) -> io::Result<()> {
    let analysts = store.list_analysts()?;
    let reader = Reader::new(store, Some(index));
    let (inputs, gold_sets) = stat(store, index.schema_context(), &analysts, id);
    let fresh = read(&reader, schema, &analysts, id, inputs, &gold_sets);
    write(index, &analysts, &[fresh], &[]).ok_or_else(index_failed)?;
    index.flush();
    Ok(())
}

/// The article ids as the last [`refresh`] listed them, sorted; `None` when there is no list
/// (a new index) or the index failed. A hint for the first frame: the files may have changed.
pub fn ids(index: &Index) -> Option<Vec<String>> {
    let list: Vec<u8> = index.with_reader(|c| {
        c.query_row("SELECT ids FROM article_list WHERE one = 1", [], |r| {
            r.get(0)
        })
        .optional()
    })??;
    let list = String::from_utf8(list).ok()?;
    if list.is_empty() {
        return None;
    }
    Some(list.split('\0').map(str::to_string).collect())
}

/// The ids (sorted) of the articles where `query` (folded by
/// [`crate::text::fold::fold_query`]) is found for `analyst`, as indexed; `None` when the
/// query is shorter than [`MIN_QUERY_CHARS`] or the index failed.
pub fn search(index: &Index, query: &[char], analyst: &str) -> Option<Vec<String>> {
    if query.len() < MIN_QUERY_CHARS {
        return None;
    }
    let mut phrase = String::with_capacity(query.len() * 2 + 2);
    phrase.push('"');
    for &c in query {
        if c == '"' {
            phrase.push('"');
        }
        phrase.push(c);
    }
    phrase.push('"');
    let mut ids = index.with_reader(|c| {
        let gold_set: i64 = c
            .prepare_cached("SELECT source FROM gold_set WHERE analyst = ?1")?
            .query_row([analyst], |r| r.get(0))
            .optional()?
            .unwrap_or(-1);
        let mut s = c.prepare_cached(
            // The articles first, their ids after: one id lookup per article, not per row.
            "SELECT a.id FROM article a WHERE a.num IN (
                 SELECT r.article FROM search_text t
                   JOIN search_row r ON r.num = t.rowid
                  WHERE search_text MATCH ?1
                    AND (r.source = ?2 OR r.source = ?3
                         OR (r.source = ?4 AND NOT EXISTS (
                                SELECT 1 FROM search_row g
                                 WHERE g.article = r.article AND g.source = ?3
                                   AND g.field = r.field AND g.overrides))))",
        )?;
        let rows = s.query_map(params![phrase, TEXT, gold_set, EXTRACTED], |r| {
            r.get::<_, String>(0)
        })?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
    })?;
    ids.sort_unstable();
    Some(ids)
}

/// The size of the search tables: articles and rows.
pub fn counts(index: &Index) -> Option<(u64, u64)> {
    index.with_reader(|c| {
        let articles: i64 = c.query_row("SELECT count(*) FROM article", [], |r| r.get(0))?;
        let rows: i64 = c.query_row("SELECT count(*) FROM search_row", [], |r| r.get(0))?;
        Ok((articles as u64, rows as u64))
    })
}

fn index_failed() -> io::Error {
    io::Error::other("SQLite failed on the corpus index")
}

/// The stored articles with `from <= id < to` (no upper bound without `to`): id to number,
/// inputs and time recorded.
#[allow(clippy::type_complexity)]
fn stored_between(
    index: &Index,
    from: &str,
    to: Option<&str>,
) -> Option<HashMap<String, (i64, Vec<u8>, i64)>> {
    index.with_reader(|c| {
        let mut s = c.prepare_cached(
            "SELECT id, num, inputs, recorded_at FROM article
              WHERE id >= ?1 AND (?2 IS NULL OR id < ?2)",
        )?;
        let rows = s.query_map(params![from, to], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })?;
        rows.collect()
    })
}

/// Writes `fresh` articles (their rows replacing the old ones) and removes the `gone` ones, in
/// one transaction.
fn write(index: &Index, analysts: &[String], fresh: &[Fresh], gone: &[i64]) -> Option<()> {
    index.write(|tx| {
        // FTS5 writes its pending terms out at every statement that changes it (each opens a
        // savepoint), and merges segments as it does: a statement per row made a batch cost
        // thousands of merges. The batch's texts and deletions are gathered in temporary
        // tables and applied by one statement each.
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS pending_text (num INTEGER PRIMARY KEY, text TEXT);
             CREATE TEMP TABLE IF NOT EXISTS pending_delete (num INTEGER PRIMARY KEY);
             DELETE FROM temp.pending_text;
             DELETE FROM temp.pending_delete;",
        )?;
        let mut sources: HashMap<usize, i64> = HashMap::new();
        for f in fresh {
            let num: i64 = tx
                .prepare_cached(
                    "INSERT INTO article (id, inputs, recorded_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO UPDATE
                        SET inputs = excluded.inputs, recorded_at = excluded.recorded_at
                     RETURNING num",
                )?
                .query_row(params![f.id, f.inputs.bytes, f.inputs.stat_at_ns], |r| {
                    r.get(0)
                })?;
            delete_rows(tx, num)?;
            summaries::write(tx, num, &f.summary, &mut |tx, analyst| {
                let a = analysts.iter().position(|x| x == analyst).unwrap_or(0);
                match sources.get(&a) {
                    Some(s) => Ok(*s),
                    None => {
                        let s = gold_set(tx, analyst)?;
                        sources.insert(a, s);
                        Ok(s)
                    }
                }
            })?;
            for row in &f.rows {
                let source = match row.source {
                    RowSource::Text => TEXT,
                    RowSource::Extracted => EXTRACTED,
                    RowSource::Gold(a) => match sources.get(&a) {
                        Some(s) => *s,
                        None => {
                            let s = gold_set(tx, &analysts[a])?;
                            sources.insert(a, s);
                            s
                        }
                    },
                };
                tx.prepare_cached(
                    "INSERT INTO search_row (article, source, field, overrides)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![num, source, row.field, row.overrides])?;
                // A gold value as extracted has no text: it is matched as the extracted one.
                if has_text(row.source, row.overrides) {
                    let row_num = tx.last_insert_rowid();
                    tx.prepare_cached("INSERT INTO temp.pending_text (num, text) VALUES (?1, ?2)")?
                        .execute(params![row_num, row.text])?;
                }
            }
        }
        for &num in gone {
            delete_rows(tx, num)?;
            summaries::delete(tx, num)?;
            tx.prepare_cached("DELETE FROM article WHERE num = ?1")?
                .execute([num])?;
        }
        tx.execute_batch(
            "DELETE FROM search_text WHERE rowid IN (SELECT num FROM temp.pending_delete);
             INSERT INTO search_text (rowid, text) SELECT num, text FROM temp.pending_text;
             DELETE FROM temp.pending_text;
             DELETE FROM temp.pending_delete;",
        )?;
        Ok(())
    })
}

/// The source number of `analyst`'s gold set, given one when it has none yet.
fn gold_set(tx: &Transaction, analyst: &str) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO gold_set (source, analyst)
         VALUES ((SELECT max(coalesce(max(source), 0) + 1, ?2) FROM gold_set), ?1)",
    )?
    .execute(params![analyst, FIRST_GOLD_SET])?;
    tx.prepare_cached("SELECT source FROM gold_set WHERE analyst = ?1")?
        .query_row([analyst], |r| r.get(0))
}

/// Whether a row has an entry in `search_text`: all but the gold values as extracted.
fn has_text(source: RowSource, overrides: bool) -> bool {
    overrides || !matches!(source, RowSource::Gold(_))
}

/// Deletes article `num`'s rows.
fn delete_rows(tx: &Transaction, num: i64) -> rusqlite::Result<()> {
    let rows: Vec<(i64, i64, bool)> = tx
        .prepare_cached("SELECT num, source, overrides FROM search_row WHERE article = ?1")?
        .query_map([num], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (row, source, overrides) in rows {
        let source = match source {
            TEXT => RowSource::Text,
            EXTRACTED => RowSource::Extracted,
            _ => RowSource::Gold(0),
        };
        if has_text(source, overrides) {
            tx.prepare_cached("INSERT OR IGNORE INTO temp.pending_delete (num) VALUES (?1)")?
                .execute([row])?;
        }
    }
    tx.prepare_cached("DELETE FROM search_row WHERE article = ?1")?
        .execute([num])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_folded_with_one_space_per_run_and_items_apart() {
        assert_eq!(searchable(["الأمنُ  \t العام"]), "الامن العام");
        assert_eq!(searchable(["أ", "ب ة"]), "ا\nب ه");
    }
}
