//! `tadqiq twins`: articles that report the same event, found across the corpus, for the
//! command line and the review screen.
//!
//! An article's text for this purpose is its body: the extractor's `body_span` when its
//! extracted file gives one inside the article, else the whole text, so that «إقرأ أيضاً»
//! lists and comment footers do not make unrelated articles alike. The extractor's span is used
//! rather than an analyst's, so that every analyst sees the same twins. [`sketch`] turns each
//! body into a MinHash signature (kept in the corpus index, keyed by the article and its
//! extracted file, so an unchanged corpus is not read again), finds candidate pairs by LSH,
//! and measures each candidate exactly on its shingle sets, read again for the purpose (a few
//! thousand kept at a time: memory does not grow with the corpus).

pub mod sketch;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;

use rayon::prelude::*;
use serde::Serialize;

use crate::index::Reader;
use crate::model::{FieldType, Schema, Span, Value};
use crate::store::LoadError;
use crate::text::sanitize::sanitize_inline;
use sketch::Signature;

/// The schema field whose extracted value bounds an article's body.
pub const BODY_FIELD: &str = "body_span";

/// Groups of at most this many articles have every pair measured, for the review screen's
/// "twin of … (0.83)"; a larger group shows its own similarity for each pair.
pub const PAIRWISE_LIMIT: usize = 32;

/// How many shingle sets the exact comparisons keep at a time.
const SET_CACHE: usize = 4096;

/// One group of twins.
#[derive(Clone, Debug, PartialEq)]
pub struct TwinGroup {
    /// The articles' ids, sorted.
    pub articles: Vec<String>,
    /// The lowest similarity among the pairs that linked the group.
    pub similarity: f64,
    /// Measured pairs, as positions in `articles` (lower first) and their similarity: every
    /// pair in a group of at most [`PAIRWISE_LIMIT`] articles, else the pairs that linked it.
    pub pairs: Vec<(usize, usize, f64)>,
}

impl TwinGroup {
    /// The similarity of articles `i` and `j` (positions): measured, or the group's.
    pub fn pair(&self, i: usize, j: usize) -> f64 {
        let (lo, hi) = (i.min(j), i.max(j));
        self.pairs
            .iter()
            .find(|(a, b, _)| (*a, *b) == (lo, hi))
            .map_or(self.similarity, |(_, _, s)| *s)
    }
}

/// What `twins` found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Twins {
    /// The groups, in the order of their first article.
    pub groups: Vec<TwinGroup>,
    /// Articles compared.
    pub articles: usize,
    /// The threshold used.
    pub threshold: f64,
    /// Articles that could not be read (`path: why`), left out.
    pub problems: Vec<String>,
}

impl Twins {
    /// For each article with twins, its twins and the similarity of each pair, most similar
    /// first (ties in id order).
    pub fn by_article(&self) -> HashMap<String, Vec<(String, f32)>> {
        let mut out: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        for g in &self.groups {
            for (i, id) in g.articles.iter().enumerate() {
                let mut twins: Vec<(String, f32)> = g
                    .articles
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(j, other)| (other.clone(), g.pair(i, j) as f32))
                    .collect();
                twins.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                out.insert(id.clone(), twins);
            }
        }
        out
    }
}

/// The span of the article's body the extractor gives, if any.
fn body_span(reader: &Reader, schema: &Schema, id: &str) -> Option<Span> {
    let def = schema
        .field(BODY_FIELD)
        .filter(|d| d.kind == FieldType::Span)?;
    let extracted = reader.read_extracted(id, schema).ok()??;
    match extracted.field(&def.name)?.value {
        Value::Span(s) => Some(s),
        _ => None,
    }
}

/// The shingles of article `id`'s body.
fn body_shingles(reader: &Reader, schema: &Schema, id: &str) -> Result<Vec<u64>, LoadError> {
    let article = reader.store().read_article(id)?;
    let body = body_span(reader, schema, id).and_then(|s| article.slice(s));
    Ok(sketch::shingles(body.unwrap_or(&article.text)))
}

/// What the index remembers of an article: its signature, or that it has none.
fn encode(signature: &Option<Signature>) -> Vec<u8> {
    match signature {
        None => vec![0],
        Some(s) => [vec![1], s.to_bytes()].concat(),
    }
}

fn decode(bytes: &[u8]) -> Option<Result<Option<Signature>, String>> {
    match bytes.split_first()? {
        (0, []) => Some(Ok(None)),
        (1, rest) => Some(Ok(Some(Signature::from_bytes(rest)?))),
        _ => None,
    }
}

/// Article `id`'s signature, from the index when its files are unchanged.
fn signature(reader: &Reader, schema: &Schema, id: &str) -> Result<Option<Signature>, String> {
    let store = reader.store();
    let (article, extracted) = (store.article_path(id), store.extracted_path(id));
    reader.memo(
        &format!("twins/{id}"),
        &[&article, &extracted],
        // The sketch's parameters: another tadqiq's signatures are not these.
        format!(
            "twins 1 {} {} {}",
            sketch::SHINGLE_WORDS,
            sketch::HASHES,
            sketch::MAX_WORDS
        )
        .as_bytes(),
        decode,
        || match body_shingles(reader, schema, id) {
            Ok(shingles) => {
                let s = Signature::of(&shingles);
                (Ok(s), Some(encode(&s)))
            }
            Err(e) => (Err(sanitize_inline(&e.to_string()).into_owned()), None),
        },
    )
}

/// The twins among articles `ids` (sorted), with the schema's threshold.
pub fn find(reader: &Reader, schema: &Schema, ids: &[String]) -> Twins {
    let threshold = schema.twins.threshold;
    let signatures: Vec<Result<Option<Signature>, String>> = ids
        .par_iter()
        .with_min_len(64)
        .map(|id| signature(reader, schema, id))
        .collect();
    let mut problems = Vec::new();
    let signatures: Vec<Option<Signature>> = signatures
        .into_iter()
        .map(|s| {
            s.unwrap_or_else(|e| {
                problems.push(e);
                None
            })
        })
        .collect();
    let mut cache: HashMap<usize, Rc<Vec<u64>>> = HashMap::new();
    let mut set = |i: usize| -> Rc<Vec<u64>> {
        if let Some(s) = cache.get(&i) {
            return s.clone();
        }
        if cache.len() >= SET_CACHE {
            cache.clear();
        }
        // Read since its signature was made: a failure now measures as nothing shared.
        let s = Rc::new(body_shingles(reader, schema, &ids[i]).unwrap_or_default());
        cache.insert(i, s.clone());
        s
    };
    let found = sketch::group(&signatures, threshold, |i, j| {
        let (a, b) = (set(i), set(j));
        sketch::overlap(&a, &b)
    });
    let groups = found
        .into_iter()
        .map(|g| {
            let position = |i: usize| g.members.binary_search(&i).unwrap_or(0);
            let pairs = if g.members.len() <= PAIRWISE_LIMIT {
                let mut pairs = Vec::new();
                for (x, &i) in g.members.iter().enumerate() {
                    for (y, &j) in g.members.iter().enumerate().skip(x + 1) {
                        pairs.push((x, y, sketch::overlap(&set(i), &set(j))));
                    }
                }
                pairs
            } else {
                g.links
                    .iter()
                    .map(|&(i, j, s)| (position(i), position(j), s))
                    .collect()
            };
            TwinGroup {
                articles: g.members.iter().map(|&i| ids[i].clone()).collect(),
                similarity: g.similarity,
                pairs,
            }
        })
        .collect();
    Twins {
        groups,
        articles: ids.len(),
        threshold,
        problems,
    }
}

/// A similarity as shown and written: three decimals.
fn rounded(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The JSON document: `{"groups": [{"articles": [ids], "similarity": x}]}`.
pub fn json(t: &Twins) -> impl Serialize {
    #[derive(Serialize)]
    struct Group<'a> {
        articles: &'a [String],
        similarity: f64,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        groups: Vec<Group<'a>>,
    }
    Doc {
        groups: t
            .groups
            .iter()
            .map(|g| Group {
                articles: &g.articles,
                similarity: rounded(g.similarity),
            })
            .collect(),
    }
}

/// The table: one block per group, its articles one per line.
pub fn table(t: &Twins) -> String {
    let mut out = String::new();
    let with_twins: usize = t.groups.iter().map(|g| g.articles.len()).sum();
    let _ = writeln!(
        out,
        "{} of {} articles have twins, in {} group{} (threshold {:.2}; similarity: the lowest overlap of word shingles among the pairs that link a group)",
        with_twins,
        t.articles,
        t.groups.len(),
        if t.groups.len() == 1 { "" } else { "s" },
        t.threshold
    );
    for (n, g) in t.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "\ngroup {} · {} articles · similarity {:.2}",
            n + 1,
            g.articles.len(),
            rounded(g.similarity)
        );
        for id in &g.articles {
            let _ = writeln!(out, "  {}", sanitize_inline(id));
        }
    }
    out
}
