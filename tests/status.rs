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
               "no_article": 0, "invalid": 0})
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
