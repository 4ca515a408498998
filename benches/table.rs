//! The article table on a large corpus: how long its summaries take to read from the files
//! (what the review screen does in the background without the index), and how long a sort, a
//! filter and a queue take from the corpus index and from rows in memory.
//!
//!     cargo bench --bench table -- CORPUS_DIR [ANALYST]
//!
//! CORPUS_DIR holds samples/ and annotations/. The index is the one in `$TADQIQ_INDEX_DIR`
//! (else the user's cache), brought up to date first (its time is printed too). Each query is
//! run three times; the best is printed, in milliseconds.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use tadqiq::index::{Index, Reader, articles, summaries};
use tadqiq::model::summary::{
    Column, Queue, Row, Sort, StatusFilter, TableFilter, searchable, select,
};
use tadqiq::store::Store;

fn best<T>(f: impl Fn() -> T) -> (f64, T) {
    let mut out = None;
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        out = Some(r);
    }
    (best, out.unwrap())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo bench --bench table -- CORPUS_DIR [ANALYST]");
        return;
    };
    let analyst = args.get(1).map_or("amina", String::as_str);
    let dir = Path::new(dir);
    let store = Store::new(dir.join("samples"), dir.join("annotations"));
    let schema = store.load_schema().unwrap().value;
    let index = Index::open(&store, &schema).unwrap();
    let t = Instant::now();
    let r = articles::refresh(&index, &store, &schema, &|_, _| {}).unwrap();
    println!(
        "index refresh: {:.1} s ({} articles read)",
        t.elapsed().as_secs_f64(),
        r.read
    );
    let n = r.ids.len();

    let mut filters: Vec<(&str, TableFilter)> = vec![("no filter", TableFilter::default())];
    let mut f = TableFilter {
        status: StatusFilter::NotReviewed,
        ..TableFilter::default()
    };
    filters.push(("status: not reviewed", f.clone()));
    f = TableFilter {
        low_only: true,
        disagreements_only: true,
        ..TableFilter::default()
    };
    filters.push(("low and ≠ only", f));
    let mut f = TableFilter::default();
    f.parse_typed("date:2024-03..2024-03");
    filters.push(("date range", f));
    let mut f = TableFilter::default();
    f.parse_typed("الامن");
    filters.push(("text الامن", f));

    println!("\n{n} articles, analyst {analyst}; best of 3, ms\n");
    println!("| query | index | rows in memory |");
    println!("|---|---:|---:|");
    // Without the index: the summaries read from the files, then the rows made once.
    let t = Instant::now();
    let analysts = store.list_analysts().unwrap();
    let reader = Reader::files(&store);
    let all: Vec<_> = r
        .ids
        .par_iter()
        .map(|id| summaries::summarize(&reader, &schema, &analysts, id))
        .collect();
    let read_ms = t.elapsed().as_secs_f64() * 1000.0;
    // The review screen makes the rows again at each change of the table without the index.
    let (rows_ms, rows) = best(|| {
        all.iter()
            .map(|s| {
                let r = s.row(analyst);
                let f = searchable(&r.id, &r.headline, &r.outlet);
                (r, f)
            })
            .collect::<Vec<(Row, String)>>()
    });
    for (name, filter) in &filters {
        for column in [Column::Id, Column::Headline, Column::Date, Column::Low] {
            let sort = Sort {
                column,
                reverse: column != Column::Id,
            };
            let (i, a) = best(|| summaries::select(&index, analyst, filter, sort).unwrap());
            let (m, b) = best(|| select(&rows, filter, sort));
            assert_eq!(a, b, "{name} {column:?}");
            println!("| {name}, sort {} | {i:.0} | {m:.0} |", column.name());
        }
    }
    for q in [
        Queue::LowConfidence,
        Queue::Disagreements,
        Queue::NotReviewed,
    ] {
        let (i, a) = best(|| summaries::queue(&index, analyst, q).unwrap());
        let (m, b) = best(|| q.order(rows.iter().map(|(r, _)| r)));
        assert_eq!(a, b, "{q:?}");
        println!(
            "| queue {} ({} articles) | {i:.0} | {m:.0} |",
            q.name(),
            a.len()
        );
    }
    let page: Vec<String> = r
        .ids
        .iter()
        .step_by((n / 40).max(1))
        .take(40)
        .cloned()
        .collect();
    let (i, _) = best(|| summaries::rows(&index, analyst, &page).unwrap());
    println!("| a screen of 40 rows | {i:.1} | — |");
    println!(
        "| making the rows from the summaries (at each change, without the index) | — | {rows_ms:.0} |"
    );
    println!(
        "\nsummaries read from the files (2 threads): {:.1} s",
        read_ms / 1000.0
    );
}
