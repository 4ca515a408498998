//! `tadqiq twins` run as a user runs it: on the bundled samples (000 and 001 report one visit;
//! 003 and 004 name the same officials at another event), and on `tests/data/twins/`, built
//! for the cases a corpus meets:
//!
//! - `report` and `repost`: one article, and another outlet's copy of it with its own
//!   «إقرأ أيضاً» list and comment footer, a paragraph dropped and spellings changed — twins;
//! - `other_event`: the same officials, the same opening formula, another visit — not a twin;
//! - `market` and `flood`: two unrelated events on pages that share a long related-articles
//!   list and comment footer — not twins while their extracted `body_span` cuts that off.

mod common;

use std::fs;
use std::path::Path;

use common::{copy_dir, run};
use serde_json::{Value, json};

fn twins_json(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["twins", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(dir, &args);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// The groups' article lists.
fn groups(v: &Value) -> Vec<Vec<String>> {
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g["articles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

fn twin_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/twins"),
        dir.path(),
    );
    dir
}

#[test]
fn in_the_samples_000_and_001_are_twins_and_no_other_pair_is() {
    let dir = common::corpus();
    let v = twins_json(dir.path(), &[]);
    assert_eq!(
        groups(&v),
        [["000_f130585a628a6cea", "001_ac28270826723f34"]]
    );
    // Exactly the agreed shape: groups of articles and one similarity each.
    let g = &v["groups"][0];
    assert_eq!(
        g.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["articles", "similarity"]
    );
    let s = g["similarity"].as_f64().unwrap();
    assert!((0.3..1.0).contains(&s), "{s}");
    assert_eq!(v, twins_json(dir.path(), &["--no-index"]));
    // Again, from what the index remembered.
    assert_eq!(v, twins_json(dir.path(), &[]));

    let (code, table, _) = run(dir.path(), &["twins"]);
    assert_eq!(code, Some(0));
    assert!(
        table.starts_with("2 of 5 articles have twins, in 1 group (threshold 0.30"),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "group 1 · 2 articles · similarity {s:.2}\n  000_f130585a628a6cea\n  001_ac28270826723f34\n"
        )),
        "{table}"
    );
}

#[test]
fn a_repost_is_a_twin_and_another_event_by_the_same_officials_is_not() {
    let dir = twin_corpus();
    let v = twins_json(dir.path(), &["--articles", "samples"]);
    assert_eq!(groups(&v), [["report", "repost"]]);
    // The repost kept most of the report's wording.
    assert!(v["groups"][0]["similarity"].as_f64().unwrap() > 0.8, "{v}");
    assert_eq!(v, twins_json(dir.path(), &["--no-index"]));
}

#[test]
fn boilerplate_outside_the_body_span_does_not_make_twins() {
    let dir = twin_corpus();
    assert_eq!(groups(&twins_json(dir.path(), &[])), [["report", "repost"]]);
    // Without the extractor's spans the shared footer is all the two pages have in common,
    // and it is enough.
    for id in ["market", "flood"] {
        fs::remove_file(dir.path().join(format!("annotations/extracted/{id}.yaml"))).unwrap();
    }
    let v = twins_json(dir.path(), &[]);
    assert_eq!(
        groups(&v),
        [vec!["flood", "market"], vec!["report", "repost"]]
    );
    assert_eq!(v, twins_json(dir.path(), &["--no-index"]));
}

#[test]
fn the_threshold_comes_from_the_schema() {
    let dir = twin_corpus();
    let schema = dir.path().join("annotations/schema.yaml");
    let text = fs::read_to_string(&schema).unwrap();
    fs::write(&schema, text.replace("threshold: 0.3", "threshold: 0.99")).unwrap();
    assert_eq!(twins_json(dir.path(), &[]), json!({"groups": []}));
    fs::write(&schema, text.replace("threshold: 0.3", "threshold: 2")).unwrap();
    let (code, _, stderr) = run(dir.path(), &["twins"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("schema.yaml:3:20: expected a number above 0 and at most 1, found 2"),
        "{stderr}"
    );
}

#[test]
fn the_index_follows_edits_and_answers_as_the_files_do() {
    let dir = twin_corpus();
    assert_eq!(groups(&twins_json(dir.path(), &[])), [["report", "repost"]]);
    // The repost rewritten as something else: the remembered signature must not be used.
    let repost = dir.path().join("samples/repost.txt");
    let other = fs::read_to_string(dir.path().join("samples/flood.txt")).unwrap();
    fs::write(&repost, other.replace("تطوان", "طنجة")).unwrap();
    fs::remove_file(dir.path().join("annotations/extracted/repost.yaml")).unwrap();
    let v = twins_json(dir.path(), &[]);
    assert_eq!(v, twins_json(dir.path(), &["--no-index"]));
    assert_eq!(groups(&v), [["flood", "repost"]]);
}

#[test]
fn an_unreadable_article_is_named_and_the_rest_are_grouped() {
    let dir = twin_corpus();
    fs::create_dir(dir.path().join("samples/folder.txt")).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["twins", "--format", "json"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("folder.txt"), "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(groups(&v), [["report", "repost"]]);
}

/// The largest resident set of the children waited for so far, in bytes.
fn children_max_rss() -> u64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as u64 * 1024
}

#[test]
fn a_hostile_article_stays_bounded() {
    let dir = twin_corpus();
    // One 60 MB line without a space, and 40 MB of one-letter words.
    fs::write(dir.path().join("samples/line.txt"), "ش".repeat(30 << 20)).unwrap();
    fs::write(dir.path().join("samples/words.txt"), "ب ".repeat(20 << 20)).unwrap();
    let v = twins_json(dir.path(), &["--no-index"]);
    assert_eq!(groups(&v), [["report", "repost"]]);
    // Reading a 60 MB file holds it twice (bytes and text); the shingles add little.
    let rss = children_max_rss();
    assert!(rss < 400 << 20, "{} MB", rss >> 20);
}
