//! `tadqiq status` run as a user runs it, on the gold set of `tests/data/agree/` (three
//! analysts and an adjudicated set) with eight articles, one review stale (karim's a1: its
//! article changed since), one current (amina's a1) and one for an article that is not in the
//! corpus (youssef's a9).

mod common;

use common::run;

use std::fs;
use std::path::Path;

use serde_json::{Value, json};

fn corpus() -> tempfile::TempDir {
    let dir = common::agree_corpus();
    let articles = dir.path().join("articles");
    let gold = dir.path().join("annotations/gold");
    let hash = sha256(&fs::read(articles.join("a1.txt")).unwrap());
    add_hash(&gold.join("amina/a1.yaml"), &hash);
    add_hash(&gold.join("karim/a1.yaml"), &"0".repeat(64));
    let a4 = fs::read_to_string(gold.join("youssef/a4.yaml")).unwrap();
    fs::write(
        gold.join("youssef/a9.yaml"),
        a4.replace("article: a4", "article: a9"),
    )
    .unwrap();
    dir
}

fn add_hash(path: &Path, hash: &str) {
    let text = fs::read_to_string(path).unwrap();
    let text = text.replacen(
        "status: done\n",
        &format!("status: done\narticle_sha256: {hash}\n"),
        1,
    );
    fs::write(path, text).unwrap();
}

fn sha256(bytes: &[u8]) -> String {
    tadqiq::model::article::sha256_hex(bytes)
}

#[test]
fn the_table_counts_each_gold_set_and_gives_the_agreement_headline() {
    let dir = corpus();
    let (code, stdout, stderr) = run(dir.path(), &["status", "--articles", "articles"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout,
        "8 articles
analyst         done  in progress  skipped  stale  not reviewed
amina              7            0        0      0             1
karim              5            0        1      1             2
youssef            5            1        0      0             3
_adjudicated       3            1        0      0             4
youssef: 1 gold file(s) for articles not in the corpus
agreement (amina, karim, youssef): 12 items on 5 articles; mean alpha 0.325 over the 4 fields where alpha is defined; weakest: published_at 0.000
"
    );
}

/// Gives gold files a `review_seconds`.
fn time(dir: &Path, files: &[(&str, &str, u64)]) {
    for (analyst, id, seconds) in files {
        let path = dir.join(format!("annotations/gold/{analyst}/{id}.yaml"));
        let text = fs::read_to_string(&path).unwrap();
        let text = text.replacen(
            "reviewed_at:",
            &format!("review_seconds: {seconds}\nreviewed_at:"),
            1,
        );
        fs::write(path, text).unwrap();
    }
}

#[test]
fn the_pace_of_each_analyst_comes_from_the_review_time_of_their_done_articles() {
    let dir = corpus();
    time(
        dir.path(),
        &[
            ("amina", "a1", 120),
            ("amina", "a2", 300),
            ("amina", "a3", 180),
            ("amina", "a4", 600),
            ("karim", "a2", 90),
            // Not done: not part of the pace.
            ("youssef", "a6", 5000),
        ],
    );
    let (code, stdout, stderr) = run(dir.path(), &["status", "--articles", "articles"]);
    assert_eq!(code, Some(0), "{stderr}");
    // amina: 4 articles in 1 200 s is 12 an hour, median (180 + 300) / 2 s = 4 min, and her one
    // article left takes 5 min at that pace; karim: 40 an hour, his 2 left take 3 min.
    assert!(
        stdout.contains(
            "pace          per hour  min/article    rest  rest at pace
amina             12.0          4.0       1         5 min
karim             40.0          1.5       2         3 min
youssef              —            —       4             —
"
        ),
        "{stdout}"
    );
    let (code, stdout, stderr) = run(
        dir.path(),
        &["status", "--articles", "articles", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let j: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        j["analysts"]["amina"]["pace"],
        json!({"timed": 4, "review_seconds": 1200, "articles_per_hour": 12.0,
               "median_minutes": 4.0, "remaining": 1, "remaining_hours": 1.0 / 12.0})
    );
}

#[test]
fn json_has_the_same_figures() {
    let dir = corpus();
    let (code, stdout, stderr) = run(
        dir.path(),
        &["status", "--articles", "articles", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let j: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["articles"], 8);
    assert_eq!(
        j["analysts"]["karim"],
        json!({"done": 5, "in_progress": 0, "skipped": 1, "stale": 1, "not_reviewed": 2,
               "no_article": 0, "invalid": 0,
               "pace": {"timed": 0, "review_seconds": 0, "articles_per_hour": null,
                        "median_minutes": null, "remaining": 2, "remaining_hours": null}})
    );
    assert_eq!(j["adjudicated"]["done"], 3);
    let a = &j["agreement"];
    assert_eq!(a["items"], 12);
    assert_eq!(a["fields_with_alpha"], 4);
    // event_type 0.8, countries 0.5, published_at and body_span 0 (see tests/agree.rs).
    assert!((a["mean_alpha"].as_f64().unwrap() - 0.325).abs() < 1e-9);
    assert_eq!(a["weakest"], json!({"field": "published_at", "alpha": 0.0}));
}

#[test]
fn an_unreadable_gold_file_is_counted_and_agreement_not_measured() {
    let dir = corpus();
    let path = dir.path().join("annotations/gold/karim/a2.yaml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("status: done", "status: finished")).unwrap();
    let (code, stdout, _) = run(dir.path(), &["status", "--articles", "articles"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("\nkarim              4            0        1      1             2\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("karim: 1 gold file(s) with no readable status (tadqiq check)\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(
            "agreement: not measured, 1 invalid gold file(s) (tadqiq check lists the problems)\n"
        ),
        "{stdout}"
    );
}

#[test]
fn a_corpus_without_reviews_says_so() {
    let dir = corpus();
    fs::remove_dir_all(dir.path().join("annotations/gold")).unwrap();
    let (code, stdout, _) = run(dir.path(), &["status", "--articles", "articles"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        stdout,
        "8 articles\nno reviews yet\nagreement: needs two analysts\n"
    );
    let (code, _, stderr) = run(dir.path(), &["status", "--articles", "nowhere"]);
    assert_eq!(code, Some(2));
    assert_eq!(stderr, "tadqiq: nowhere: no such folder\n");
}
