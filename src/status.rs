//! `tadqiq status`: where the team is, for a daily look: per analyst (and the adjudicated set
//! apart) how many articles are done, in progress, skipped, stale or not reviewed yet, and a
//! one-line agreement headline.
//!
//! It has to stay fast on 100 000 articles, so it reads only what it needs, once: the article
//! folder is listed, not read; each gold file is loaded as `check`, `export` and `agree` load
//! it (a file they refuse is counted invalid, never done), a chunk of articles at a time on
//! every core — those of articles two analysts reviewed by [`crate::agree::agree_seeing`] for
//! the agreement headline, which shows each file it loads to the count, the others here; and an
//! article is hashed once per pass, and only when a gold file refers to it. Memory holds the
//! folders' listings, not what was read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;

use crate::agree::{GoldSummary, OwnedGoldSummary, Seen};
use crate::index::Reader;
use crate::model::{Schema, Severity, Status};
use crate::store::{ADJUDICATED, Diagnostic, LoadError, Store};
use crate::text::sanitize::sanitize_inline;

/// One gold set's counts. `done + in_progress + skipped + invalid` is the number of gold
/// files; `not_reviewed` the articles with none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// `status: done`.
    pub done: usize,
    /// `status: in_progress`.
    pub in_progress: usize,
    /// `status: skipped`.
    pub skipped: usize,
    /// Gold files whose article changed since they were saved (any status).
    pub stale: usize,
    /// Articles of the corpus with no gold file in this set.
    pub not_reviewed: usize,
    /// Gold files for an article that is not in the corpus.
    pub no_article: usize,
    /// Gold files whose status could not be read (`tadqiq check` says why).
    pub invalid: usize,
}

/// An analyst's pace, from the `review_seconds` of their `done` gold files of articles in the
/// corpus (files without it are not timed and left out).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pace {
    /// Done files with a review time.
    pub timed: usize,
    /// Their review time together.
    pub seconds: u64,
    /// The median review time of one, in seconds.
    pub median_seconds: Option<f64>,
    /// Articles of the corpus this analyst has not finished: not reviewed or in progress.
    pub remaining: usize,
}

impl Pace {
    /// From the review times of the timed files and the articles left.
    fn of(mut times: Vec<u64>, remaining: usize) -> Pace {
        times.sort_unstable();
        let n = times.len();
        let median_seconds = (n > 0).then(|| {
            if n % 2 == 1 {
                times[n / 2] as f64
            } else {
                (times[n / 2 - 1] + times[n / 2]) as f64 / 2.0
            }
        });
        Pace {
            timed: n,
            seconds: times.iter().sum(),
            median_seconds,
            remaining,
        }
    }

    /// Done articles per hour of active review.
    pub fn articles_per_hour(&self) -> Option<f64> {
        (self.seconds > 0).then(|| self.timed as f64 * 3600.0 / self.seconds as f64)
    }

    /// The median minutes per article.
    pub fn median_minutes(&self) -> Option<f64> {
        self.median_seconds.map(|s| s / 60.0)
    }

    /// Hours the remaining articles would take at this pace.
    pub fn remaining_hours(&self) -> Option<f64> {
        self.articles_per_hour().map(|r| self.remaining as f64 / r)
    }
}

/// The agreement headline.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    /// The analysts compared (those sharing at least one item).
    pub analysts: Vec<String>,
    /// Articles at least two analysts marked done.
    pub articles: usize,
    /// Items: (article, field) pairs with at least two done values, all fields together.
    pub items: usize,
    /// The mean of Krippendorff's alpha over the fields where it is defined.
    pub mean_alpha: Option<f64>,
    /// How many fields have a defined alpha.
    pub fields_with_alpha: usize,
    /// The field with the lowest alpha, and its alpha.
    pub weakest: Option<(String, f64)>,
}

/// Whether agreement could be measured.
#[derive(Clone, Debug, PartialEq)]
pub enum Agreement {
    /// Measured.
    Measured(Headline),
    /// Fewer than two analysts have gold folders.
    TooFewAnalysts,
    /// Gold files that agreement would read are invalid: nothing measured.
    InvalidFiles {
        /// How many.
        files: usize,
    },
}

/// What `status` found.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamStatus {
    /// Articles in the corpus.
    pub articles: usize,
    /// Each analyst's counts, by name.
    pub analysts: Vec<(String, Counts)>,
    /// Each analyst's pace, in the order of `analysts`.
    pub paces: Vec<Pace>,
    /// The adjudicated set's counts, when there is one.
    pub adjudicated: Option<Counts>,
    /// The agreement headline.
    pub agreement: Agreement,
    /// Gold files whose status could not be read.
    pub problems: Vec<Diagnostic>,
}

/// What one gold file adds to its set's counts.
struct Outcome {
    /// Its set (an index into the sets listed).
    set: usize,
    /// Whether its article is in the corpus.
    in_corpus: bool,
    /// Its status, whether its article changed since it was saved and its review time, or why
    /// its status could not be read.
    read: Result<(Status, bool, Option<u64>), Diagnostic>,
}

/// The counts as files are read.
struct Tally {
    counts: Vec<Counts>,
    /// Per set, its gold files whose article is in the corpus.
    reviewed: Vec<usize>,
    /// Per set, the review times of its done files of articles in the corpus.
    times: Vec<Vec<u64>>,
    problems: Vec<Diagnostic>,
}

impl Tally {
    fn add(&mut self, outcomes: Vec<Outcome>) {
        for o in outcomes {
            let c = &mut self.counts[o.set];
            if o.in_corpus {
                self.reviewed[o.set] += 1;
            }
            match o.read {
                Err(d) => {
                    c.invalid += 1;
                    self.problems.push(d);
                }
                Ok((status, stale, seconds)) => {
                    if let (Status::Done, true, Some(s)) = (status, o.in_corpus, seconds) {
                        self.times[o.set].push(s);
                    }
                    match status {
                        Status::Done => c.done += 1,
                        Status::InProgress => c.in_progress += 1,
                        Status::Skipped => c.skipped += 1,
                    }
                    if o.in_corpus {
                        c.stale += usize::from(stale);
                    } else {
                        c.no_article += 1;
                    }
                }
            }
        }
    }
}

/// Takes stock of the corpus.
pub fn status(reader: &Reader, schema: &Schema) -> io::Result<TeamStatus> {
    let store = reader.store();
    let articles: BTreeSet<String> = store.list_articles()?.into_iter().collect();
    let sets = store.list_analysts()?;
    // The gold files by article: an article is hashed once, for all the files that refer to
    // it, and a chunk of articles is read at a time, so memory holds the listing, not what
    // was read.
    let mut by_article: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, name) in sets.iter().enumerate() {
        for id in store.list_gold(name)? {
            by_article.entry(id).or_default().push(i);
        }
    }
    // The agreement first: `agree` loads the gold files of every article two analysts
    // reviewed, and shows each one loaded to the count, so that no file is loaded twice.
    let analyst_sets: Vec<usize> = (0..sets.len())
        .filter(|&i| sets[i] != ADJUDICATED)
        .collect();
    let names: Vec<String> = analyst_sets.iter().map(|&i| sets[i].clone()).collect();
    let shared = Mutex::new((
        Tally {
            counts: vec![Counts::default(); sets.len()],
            reviewed: vec![0; sets.len()],
            times: vec![Vec::new(); sets.len()],
            problems: Vec::new(),
        },
        HashMap::<String, Vec<usize>>::new(),
    ));
    let seen = |id: &str, files: &[(u16, Result<Option<GoldSummary<'_>>, &LoadError>)]| {
        let reads: Vec<(usize, Result<OwnedGoldSummary, Diagnostic>)> = files
            .iter()
            .filter_map(|(a, read)| {
                let set = *analyst_sets.get(usize::from(*a))?;
                Some((set, summary(store, &sets[set], id, *read)))
            })
            .collect();
        let who = reads.iter().map(|(set, _)| *set).collect();
        let outcomes = outcomes(reader, &articles, id, reads);
        let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
        shared.0.add(outcomes);
        shared.1.insert(id.to_string(), who);
    };
    let agreement = headline(reader, schema, &names, &seen);
    let (mut tally, loaded) = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    // Then every gold file `agree` did not load.
    let groups: Vec<(&String, Vec<usize>)> = by_article
        .iter()
        .map(|(id, who)| {
            let done = loaded.get(id.as_str());
            let rest = who
                .iter()
                .copied()
                .filter(|s| !done.is_some_and(|d| d.contains(s)))
                .collect();
            (id, rest)
        })
        .filter(|(_, rest): &(_, Vec<usize>)| !rest.is_empty())
        .collect();
    drop(loaded);
    for chunk in groups.chunks(1024) {
        let outcomes: Vec<Vec<Outcome>> = chunk
            .par_iter()
            .map(|(id, who)| {
                let reads = who
                    .iter()
                    .map(|&set| {
                        let read = reader.read_gold(&sets[set], id, schema);
                        let read = read.as_ref().map(|g| g.as_ref().map(GoldSummary::of));
                        (set, summary(store, &sets[set], id, read))
                    })
                    .collect();
                outcomes(reader, &articles, id, reads)
            })
            .collect();
        for o in outcomes {
            tally.add(o);
        }
    }
    drop(groups);
    drop(by_article);
    let Tally {
        mut counts,
        reviewed,
        times,
        mut problems,
    } = tally;
    for (c, r) in counts.iter_mut().zip(reviewed) {
        c.not_reviewed = articles.len() - r;
    }
    problems.sort();
    let article_count = articles.len();
    drop(articles);
    let mut analysts = Vec::new();
    let mut paces = Vec::new();
    let mut adjudicated = None;
    for ((name, c), times) in sets.into_iter().zip(counts).zip(times) {
        if name == ADJUDICATED {
            adjudicated = Some(c);
        } else {
            paces.push(Pace::of(times, c.not_reviewed + c.in_progress));
            analysts.push((name, c));
        }
    }
    Ok(TeamStatus {
        articles: article_count,
        analysts,
        paces,
        adjudicated,
        agreement,
        problems,
    })
}

/// A gold file's status and remembered hash as the loader `check`, `export` and `agree` use
/// read it, so that what they refuse (a duplicate key, two documents, an alias bomb, a FIFO)
/// is counted as invalid here too, never as done.
fn summary(
    store: &Store,
    set: &str,
    id: &str,
    read: Result<Option<GoldSummary<'_>>, &LoadError>,
) -> Result<OwnedGoldSummary, Diagnostic> {
    match read {
        Ok(Some(g)) => Ok(g.to_owned()),
        Ok(None) => Err(Diagnostic::file(
            &store.gold_path(set, id),
            Severity::Error,
            "vanished while reading",
        )),
        Err(LoadError::Io { path, source }) => Err(Diagnostic::file(
            path,
            Severity::Error,
            format!("cannot read: {source}"),
        )),
        Err(LoadError::Invalid(d)) => Err(d
            .iter()
            .find(|d| d.is_error())
            .or(d.first())
            .cloned()
            .unwrap_or_else(|| {
                Diagnostic::file(&store.gold_path(set, id), Severity::Error, "invalid")
            })),
    }
}

/// What each gold file of one article adds to the counts (`reads`: their sets and
/// summaries), hashing the article once if a file remembers a hash.
fn outcomes(
    reader: &Reader,
    articles: &BTreeSet<String>,
    id: &str,
    reads: Vec<(usize, Result<OwnedGoldSummary, Diagnostic>)>,
) -> Vec<Outcome> {
    let in_corpus = articles.contains(id);
    let remembers_hash = reads
        .iter()
        .any(|(_, r)| r.as_ref().is_ok_and(|s| s.article_sha256.is_some()));
    let now = (in_corpus && remembers_hash)
        .then(|| reader.article_sha256(id))
        .flatten();
    reads
        .into_iter()
        .map(|(set, read)| Outcome {
            set,
            in_corpus,
            read: read.map(|s| {
                let stale = matches!((&s.article_sha256, &now), (Some(h), Some(now)) if h != now);
                (s.status, stale, s.review_seconds)
            }),
        })
        .collect()
}

fn headline(reader: &Reader, schema: &Schema, analysts: &[String], seen: Seen<'_>) -> Agreement {
    if analysts.len() < 2 {
        return Agreement::TooFewAnalysts;
    }
    let fields: Vec<_> = schema.fields.iter().collect();
    match crate::agree::agree_seeing(
        reader,
        schema,
        analysts,
        &fields,
        crate::agree::Options::point_values(),
        seen,
    ) {
        Ok(a) => {
            let alphas: Vec<(&str, f64)> = a
                .fields
                .iter()
                .filter_map(|f| f.alpha.map(|x| (f.field.as_str(), x)))
                .collect();
            let weakest = alphas
                .iter()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(f, x)| (f.to_string(), *x));
            Agreement::Measured(Headline {
                analysts: a.analysts.clone(),
                articles: a.articles,
                items: a.fields.iter().map(|f| f.items).sum(),
                mean_alpha: (!alphas.is_empty())
                    .then(|| alphas.iter().map(|(_, x)| x).sum::<f64>() / alphas.len() as f64),
                fields_with_alpha: alphas.len(),
                weakest,
            })
        }
        Err(problems) => Agreement::InvalidFiles {
            files: problems
                .iter()
                .map(|d| &d.path)
                .collect::<BTreeSet<_>>()
                .len(),
        },
    }
}

/// The status as a table for people. Folder names are printed sanitized: a folder can be
/// named anything, an escape sequence included.
pub fn table(s: &TeamStatus) -> String {
    let mut rows: Vec<(std::borrow::Cow<'_, str>, &Counts)> = s
        .analysts
        .iter()
        .map(|(n, c)| (sanitize_inline(n), c))
        .collect();
    if let Some(c) = &s.adjudicated {
        rows.push((ADJUDICATED.into(), c));
    }
    let mut out = String::new();
    let _ = writeln!(out, "{} articles", s.articles);
    if rows.is_empty() {
        out.push_str("no reviews yet\n");
    } else {
        let width = rows
            .iter()
            .map(|(n, _)| n.chars().count())
            .max()
            .unwrap_or(0)
            .max("analyst".len());
        let _ = writeln!(
            out,
            "{:<width$}  {:>6}  {:>11}  {:>7}  {:>5}  {:>12}",
            "analyst", "done", "in progress", "skipped", "stale", "not reviewed"
        );
        for (name, c) in &rows {
            let pad = width - name.chars().count();
            let _ = writeln!(
                out,
                "{name}{:pad$}  {:>6}  {:>11}  {:>7}  {:>5}  {:>12}",
                "", c.done, c.in_progress, c.skipped, c.stale, c.not_reviewed
            );
        }
        pace_table(&mut out, s, width);
        for (name, c) in &rows {
            if c.no_article > 0 {
                let _ = writeln!(
                    out,
                    "{name}: {} gold file(s) for articles not in the corpus",
                    c.no_article
                );
            }
            if c.invalid > 0 {
                let _ = writeln!(
                    out,
                    "{name}: {} gold file(s) with no readable status (tadqiq check)",
                    c.invalid
                );
            }
        }
    }
    out.push_str(&match &s.agreement {
        Agreement::Measured(h) if h.items == 0 => {
            "agreement: no article is done by two analysts yet\n".to_string()
        }
        Agreement::Measured(h) => {
            let mut line = format!(
                "agreement ({}): {} items on {} articles",
                crate::agree::report::analyst_list(&h.analysts),
                h.items,
                h.articles
            );
            match (h.mean_alpha, &h.weakest) {
                (Some(mean), Some((field, weakest))) => {
                    let n = h.fields_with_alpha;
                    let fields = if n == 1 { "field" } else { "fields" };
                    let _ = write!(
                        line,
                        "; mean alpha {mean:.3} over the {n} {fields} where alpha is defined; weakest: {field} {weakest:.3}"
                    );
                }
                _ => line.push_str("; alpha is not defined for any field yet"),
            }
            line + "\n"
        }
        Agreement::TooFewAnalysts => "agreement: needs two analysts\n".to_string(),
        Agreement::InvalidFiles { files } => format!(
            "agreement: not measured, {files} invalid gold file(s) (tadqiq check lists the problems)\n"
        ),
    });
    out
}

/// The analysts' pace, when any of them has timed reviews: done articles per hour of active
/// review, the median minutes per article, and how long the rest would take at that pace.
fn pace_table(out: &mut String, s: &TeamStatus, width: usize) {
    if s.paces.iter().all(|p| p.timed == 0) {
        return;
    }
    let _ = writeln!(
        out,
        "{:<width$}  {:>8}  {:>11}  {:>6}  {:>12}",
        "pace", "per hour", "min/article", "rest", "rest at pace"
    );
    let dash = || "—".to_string();
    for ((name, _), p) in s.analysts.iter().zip(&s.paces) {
        let name = sanitize_inline(name);
        let pad = width - name.chars().count();
        let _ = writeln!(
            out,
            "{name}{:pad$}  {:>8}  {:>11}  {:>6}  {:>12}",
            "",
            p.articles_per_hour()
                .map_or_else(dash, |r| format!("{r:.1}")),
            p.median_minutes().map_or_else(dash, |m| format!("{m:.1}")),
            p.remaining,
            p.remaining_hours().map_or_else(dash, duration),
        );
    }
}

/// Hours for people: `45 min`, `3.5 h`, `120 h`.
fn duration(hours: f64) -> String {
    if hours < 1.0 {
        format!("{:.0} min", hours * 60.0)
    } else if hours < 100.0 {
        format!("{hours:.1} h")
    } else {
        format!("{hours:.0} h")
    }
}

/// The status as JSON for scripts.
pub fn json(s: &TeamStatus) -> serde_json::Value {
    let analysts: serde_json::Map<String, serde_json::Value> = s
        .analysts
        .iter()
        .zip(&s.paces)
        .map(|((n, c), p)| {
            let mut v = serde_json::json!(c);
            v["pace"] = serde_json::json!({
                "timed": p.timed,
                "review_seconds": p.seconds,
                "articles_per_hour": p.articles_per_hour(),
                "median_minutes": p.median_minutes(),
                "remaining": p.remaining,
                "remaining_hours": p.remaining_hours(),
            });
            (n.clone(), v)
        })
        .collect();
    let agreement = match &s.agreement {
        Agreement::Measured(h) => serde_json::json!({
            "analysts": h.analysts,
            "articles": h.articles,
            "items": h.items,
            "mean_alpha": h.mean_alpha,
            "fields_with_alpha": h.fields_with_alpha,
            "weakest": h.weakest.as_ref().map(|(f, a)| serde_json::json!({"field": f, "alpha": a})),
        }),
        Agreement::TooFewAnalysts => serde_json::Value::Null,
        Agreement::InvalidFiles { files } => serde_json::json!({ "invalid_files": files }),
    };
    serde_json::json!({
        "articles": s.articles,
        "analysts": analysts,
        "adjudicated": s.adjudicated,
        "agreement": agreement,
    })
}
