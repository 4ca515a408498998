//! The article table's summaries, filters, sorts and queues from the corpus index answer
//! exactly what reading every file answers: for random small corpora, and after the files
//! change (texts, `.meta.yaml`, extracted files, gold files, articles removed).

mod common;

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use tadqiq::index::{Index, Reader, articles, summaries};
use tadqiq::model::summary::{
    Column, Queue, Row, Sort, StatusFilter, TableFilter, searchable, select,
};
use tadqiq::store::Store;

const HEADLINES: &[&str] = &[
    "استقبال في الرباط",
    "Nicolas LERNER بالرباط",
    "الأَمْـن العام",
    "",
];
const OUTLETS: &[&str] = &["هسبريس", "Hespress", "Le360"];
const DATES: &[&str] = &["2024-03-07", "2024-03-20", "2023-12-31", "2024-04"];
const CHOICES: &[&str] = &["meeting", "visit", "reception"];
const CONFIDENCES: &[f64] = &[0.2, 0.45, 0.59, 0.6, 0.9];
const ANALYSTS: &[&str] = &["amina", "karim", "salma"];
const STATUSES: &[&str] = &["in_progress", "done", "skipped"];

/// A gold file: a status, a headline (reviewed or not) and an event type (reviewed or not).
type GoldFile = (usize, Option<usize>, Option<usize>);

#[derive(Clone, Debug)]
struct Article {
    /// First line of the text (blank ones before it), and whether there is a `.meta.yaml`.
    text: usize,
    meta: Option<(usize, usize)>,
    /// Extracted: headline, source, published_at, event_type, each with a confidence.
    extracted: Option<[Option<(usize, usize)>; 4]>,
    /// Per analyst: a status, a headline (reviewed or not) and an event type.
    gold: Vec<Option<GoldFile>>,
    /// Remember another article hash than the text's (the article changed since).
    stale: bool,
}

fn article() -> impl Strategy<Value = Article> {
    let field = || prop::option::of((0usize..3, 0..CONFIDENCES.len()));
    let gold = (
        0..STATUSES.len(),
        prop::option::of(0..HEADLINES.len()),
        prop::option::of(0..CHOICES.len()),
    );
    (
        0..HEADLINES.len(),
        prop::option::of((0..OUTLETS.len(), 0..DATES.len())),
        prop::option::of([field(), field(), field(), field()]),
        prop::collection::vec(prop::option::of(gold), ANALYSTS.len()),
        any::<bool>(),
    )
        .prop_map(|(text, meta, extracted, gold, stale)| Article {
            text,
            meta,
            extracted,
            gold,
            stale,
        })
}

fn write_article(dir: &Path, id: &str, a: &Article) {
    let text = format!("\n  \n{}\nالفقرة الثانية", HEADLINES[a.text]);
    fs::write(dir.join("samples").join(format!("{id}.txt")), &text).unwrap();
    let meta = dir.join("samples").join(format!("{id}.meta.yaml"));
    match a.meta {
        Some((o, d)) => fs::write(
            &meta,
            format!("outlet: {}\npublished_at: \"{}\"\n", OUTLETS[o], DATES[d]),
        )
        .unwrap(),
        None => {
            let _ = fs::remove_file(&meta);
        }
    }
    let ann = dir.join("annotations");
    let extracted = ann.join("extracted").join(format!("{id}.yaml"));
    match &a.extracted {
        Some(fields) => {
            let mut y = format!("article: {id}\nfields:\n");
            for (f, v) in fields.iter().enumerate() {
                let Some((v, c)) = v else { continue };
                let (name, value) = match f {
                    0 => ("headline", HEADLINES[*v]),
                    1 => ("source", OUTLETS[*v]),
                    2 => ("published_at", DATES[*v % 3]),
                    _ => ("event_type", CHOICES[*v]),
                };
                y.push_str(&format!(
                    "  {name}: {{value: \"{value}\", confidence: {}}}\n",
                    CONFIDENCES[*c]
                ));
            }
            fs::write(extracted, y).unwrap();
        }
        None => {
            let _ = fs::remove_file(extracted);
        }
    }
    let sha = tadqiq::model::article::sha256_hex(text.as_bytes());
    for (k, analyst) in ANALYSTS.iter().enumerate() {
        let path = ann.join("gold").join(analyst).join(format!("{id}.yaml"));
        match &a.gold[k] {
            Some((status, headline, choice)) => {
                let sha = if a.stale { "0".repeat(64) } else { sha.clone() };
                let mut y = format!(
                    "article: {id}\nanalyst: {analyst}\nstatus: {}\narticle_sha256: {sha}\nfields:\n",
                    STATUSES[*status]
                );
                if let Some(h) = headline {
                    y.push_str(&format!(
                        "  headline: {{value: \"{}\", verdict: added}}\n",
                        HEADLINES[*h]
                    ));
                }
                if let Some(c) = choice {
                    y.push_str(&format!(
                        "  event_type: {{value: {}, verdict: added}}\n",
                        CHOICES[*c]
                    ));
                }
                fs::write(path, y).unwrap();
            }
            None => {
                let _ = fs::remove_file(path);
            }
        }
    }
}

fn corpus(articles: &[Article]) -> tempfile::TempDir {
    let dir = common::empty_corpus(ANALYSTS);
    for (i, a) in articles.iter().enumerate() {
        write_article(dir.path(), &format!("a{i}"), a);
    }
    dir
}

/// Every analyst's rows from the files, with their folded texts.
fn rows_from_files(store: &Store, analyst: &str) -> Vec<(Row, String)> {
    let schema = store.load_schema().unwrap().value;
    let analysts = store.list_analysts().unwrap();
    let reader = Reader::files(store);
    store
        .list_articles()
        .unwrap()
        .iter()
        .map(|id| {
            let row = summaries::summarize(&reader, &schema, &analysts, id).row(analyst);
            let folded = searchable(&row.id, &row.headline, &row.outlet);
            (row, folded)
        })
        .collect()
}

fn filters() -> Vec<TableFilter> {
    let mut out = Vec::new();
    for status in StatusFilter::ORDER {
        out.push(TableFilter {
            status,
            ..TableFilter::default()
        });
    }
    for typed in [
        "outlet:Hespress",
        "outlet:هسبريس",
        "date:2024-03..2024-03",
        "from:2024-03-10",
        "to:2024",
        "الامن",
        "lerner",
        "a1",
        "بالرباط outlet:Le360",
    ] {
        let mut f = TableFilter::default();
        f.parse_typed(typed);
        out.push(f);
    }
    out.push(TableFilter {
        low_only: true,
        ..TableFilter::default()
    });
    out.push(TableFilter {
        disagreements_only: true,
        status: StatusFilter::Done,
        ..TableFilter::default()
    });
    out
}

fn assert_same(index: &Index, store: &Store) {
    for analyst in ["amina", "karim", "salma", "nobody"] {
        let files = rows_from_files(store, analyst);
        let plain: Vec<Row> = files.iter().map(|(r, _)| r.clone()).collect();
        assert_eq!(
            summaries::all_rows(index, analyst).unwrap(),
            plain,
            "rows of {analyst}"
        );
        for filter in filters() {
            for column in Column::ORDER {
                for reverse in [false, true] {
                    let sort = Sort { column, reverse };
                    assert_eq!(
                        summaries::select(index, analyst, &filter, sort).unwrap(),
                        select(&files, &filter, sort),
                        "{analyst} {filter:?} {sort:?}"
                    );
                }
            }
        }
        for queue in Queue::ORDER {
            assert_eq!(
                summaries::queue(index, analyst, queue).unwrap(),
                queue.order(&plain),
                "{analyst} {queue:?}"
            );
        }
        let ids: Vec<String> = plain.iter().rev().map(|r| r.id.clone()).collect();
        let mut backwards = plain.clone();
        backwards.reverse();
        assert_eq!(summaries::rows(index, analyst, &ids).unwrap(), backwards);
    }
}

fn index_of(dir: &Path, store: &Store) -> Index {
    let schema = store.load_schema().unwrap().value;
    Index::open_in(&dir.join("index"), store, &schema).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_index_table_equals_a_full_read(
        arts in prop::collection::vec(article(), 1..7),
        edits in prop::collection::vec((0usize..8, article()), 0..4),
    ) {
        let dir = corpus(&arts);
        let store = Store::new(dir.path().join("samples"), dir.path().join("annotations"));
        let index_dir = tempfile::tempdir().unwrap();
        let index = index_of(index_dir.path(), &store);
        let schema = store.load_schema().unwrap().value;
        articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
        assert_same(&index, &store);
        for (i, a) in &edits {
            write_article(dir.path(), &format!("a{i}"), a);
        }
        if edits.len() > 1 {
            let _ = fs::remove_file(dir.path().join("samples/a0.txt"));
        }
        articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
        assert_same(&index, &store);
    }
}

#[test]
fn a_meta_file_changed_alone_is_read_again() {
    let a = Article {
        text: 0,
        meta: Some((0, 0)),
        extracted: None,
        gold: vec![Some((1, Some(1), Some(0))), Some((1, None, Some(1))), None],
        stale: false,
    };
    let dir = corpus(std::slice::from_ref(&a));
    let store = Store::new(dir.path().join("samples"), dir.path().join("annotations"));
    let schema = store.load_schema().unwrap().value;
    let index_dir = tempfile::tempdir().unwrap();
    let index = index_of(index_dir.path(), &store);
    std::thread::sleep(std::time::Duration::from_millis(3_200));
    articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
    let rows = summaries::all_rows(&index, "amina").unwrap();
    assert_eq!(rows[0].outlet, "هسبريس");
    // The gold files load: a reviewed headline, and two done reviews that differ.
    assert_eq!(rows[0].status, Some(tadqiq::model::Status::Done));
    assert_eq!(rows[0].headline, HEADLINES[1]);
    assert_eq!((rows[0].reviewed, rows[0].disagreements), (2, 1));
    // The outlet changes in `.meta.yaml` only, keeping its size.
    fs::write(
        dir.path().join("samples/a0.meta.yaml"),
        "outlet: هسبريث\npublished_at: \"2024-03-07\"\n",
    )
    .unwrap();
    let r = articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
    assert_eq!(r.read, 1);
    assert_same(&index, &store);
}
