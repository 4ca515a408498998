//! `tadqiq score` run as a user runs it, on a small corpus built here (two articles, one
//! analyst's reference), with the figures worked out by hand:
//!
//! - `place`: b1 مراكش الان for مراكش الآن (correct folded, partial under `--match exact`),
//!   its quoted evidence inside the reference's range; b2 الرباط where the reference says none
//!   (spurious);
//! - `event_date`: 2023-12-15 for 2023-12-14, the same month: partial;
//! - `people`: حموشي paired with الحموشي (name partial, role correct), بوريطة missed;
//! - `countries`: فرنسا right, إسبانيا spurious; المغرب missed (b2, nothing extracted);
//! - calibration: seven values with a confidence, one per bin.

mod common;

use std::path::Path;

use common::run;
use serde_json::{Value, json};

const ARTICLE_B1: &str = "استقبل عبد اللطيف حموشي، المدير العام، في مراكش الآن وفدا من فرنسا.";
const ARTICLE_B2: &str = "زيارة إلى الرباط.";

/// Char offsets of `part` in `text`.
fn chars_of(text: &str, part: &str) -> (usize, usize) {
    let byte = text.find(part).unwrap();
    let start = text[..byte].chars().count();
    (start, start + part.chars().count())
}

fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in [
        "articles",
        "annotations/extracted",
        "annotations/gold/amina",
    ] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    let write = |path: &str, text: &str| std::fs::write(root.join(path), text).unwrap();
    write("articles/b1.txt", ARTICLE_B1);
    write("articles/b2.txt", ARTICLE_B2);
    write(
        "annotations/schema.yaml",
        "version: 1\n\
         low_confidence: 0.6\n\
         score: {fuzzy_threshold: 0.85}\n\
         fields:\n\
         \x20 - {name: place, type: text}\n\
         \x20 - {name: event_date, type: date}\n\
         \x20 - {name: event_type, type: choice, values: [meeting, visit]}\n\
         \x20 - name: people\n\
         \x20   type: record_list\n\
         \x20   fields: [{name: name, type: text, required: true}, {name: role, type: text}]\n\
         \x20 - {name: countries, type: list}\n",
    );
    write(
        "annotations/extracted/b1.yaml",
        "article: b1\n\
         fields:\n\
         \x20 place: {value: مراكش الان, confidence: 0.95, evidence: مراكش الآن}\n\
         \x20 event_date: {value: '2023-12-15', confidence: 0.45}\n\
         \x20 event_type: {value: meeting, confidence: 0.85}\n\
         \x20 people: {value: [{name: عبد اللطيف حموشي, role: المدير العام}], confidence: 0.7}\n\
         \x20 countries: {value: [فرنسا, إسبانيا], confidence: 0.35}\n",
    );
    let (start, end) = chars_of(ARTICLE_B1, "في مراكش الآن");
    write(
        "annotations/gold/amina/b1.yaml",
        &format!(
            "article: b1\n\
             analyst: amina\n\
             status: done\n\
             fields:\n\
             \x20 place: {{value: مراكش الآن, verdict: corrected, was: مراكش الان, evidence: {{start: {start}, end: {end}}}}}\n\
             \x20 event_date: {{value: '2023-12-14', verdict: corrected, was: '2023-12-15'}}\n\
             \x20 event_type: {{value: meeting, verdict: confirmed}}\n\
             \x20 people:\n\
             \x20   value:\n\
             \x20     - {{name: عبد اللطيف الحموشي, role: المدير العام}}\n\
             \x20     - {{name: ناصر بوريطة}}\n\
             \x20   verdict: corrected\n\
             \x20 countries: {{value: [فرنسا], verdict: corrected, was: [فرنسا, إسبانيا]}}\n"
        ),
    );
    write(
        "annotations/extracted/b2.yaml",
        "article: b2\n\
         fields:\n\
         \x20 place: {value: الرباط, confidence: 0.15}\n\
         \x20 event_type: {value: visit, confidence: 0.62}\n",
    );
    write(
        "annotations/gold/amina/b2.yaml",
        "article: b2\n\
         analyst: amina\n\
         status: done\n\
         fields:\n\
         \x20 place: {value: null, verdict: rejected}\n\
         \x20 event_type: {value: visit, verdict: confirmed}\n\
         \x20 countries: {value: [المغرب], verdict: added}\n",
    );
    dir
}

fn score(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "score",
        "--articles",
        "articles",
        "--annotations",
        "annotations",
        "--against",
        "amina",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(dir, &args);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[track_caller]
fn assert_close(v: &Value, expected: f64) {
    let x = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((x - expected).abs() < 1e-9, "{x} ≠ {expected}");
}

/// (correct, partial, incorrect, missing, spurious) of a field's JSON.
fn five(f: &Value) -> [u64; 5] {
    ["correct", "partial", "incorrect", "missing", "spurious"]
        .map(|k| f[k].as_u64().unwrap_or_else(|| panic!("{k} in {f}")))
}

#[test]
fn score_json_has_the_hand_computed_counts() {
    let dir = corpus();
    let j = score(dir.path(), &[]);
    assert_eq!(j["fuzzy_threshold"], 0.85);

    let place = &j["fields"]["place"];
    assert_eq!(place["match"], "normalized");
    assert_eq!(five(place), [1, 0, 0, 0, 1]);
    assert_close(&place["precision"], 0.5);
    assert_close(&place["recall"], 1.0);
    assert_close(&place["f1"], 2.0 / 3.0);
    assert_close(&place["f1_lenient"], 2.0 / 3.0);
    assert_close(&place["accuracy"], 0.5);
    // The quote «مراكش الآن» (10 chars) inside the reference's «في مراكش الآن» (13).
    assert_eq!(place["evidence"]["items"], 1);
    assert_close(&place["evidence"]["mean_overlap"], 10.0 / 13.0);

    let date = &j["fields"]["event_date"];
    assert_eq!(five(date), [0, 1, 0, 0, 0]);
    assert_close(&date["f1"], 0.0);
    assert_close(&date["f1_lenient"], 0.5);
    assert_eq!(date["evidence"], json!({"items": 0, "mean_overlap": null}));

    let kind = &j["fields"]["event_type"];
    assert_eq!(five(kind), [2, 0, 0, 0, 0]);
    assert_close(&kind["f1"], 1.0);

    let people = &j["fields"]["people"];
    assert_eq!(five(people), [0, 1, 0, 1, 0]);
    assert_close(&people["recall"], 0.0);
    assert_close(&people["f1_lenient"], 1.0 / 3.0);
    assert_eq!(five(&people["subfields"]["name"]), [0, 1, 0, 1, 0]);
    assert_eq!(five(&people["subfields"]["role"]), [1, 0, 0, 0, 0]);
    assert_close(&people["subfields"]["role"]["f1"], 1.0);
    assert!(j["fields"]["place"].get("subfields").is_none());

    let countries = &j["fields"]["countries"];
    assert_eq!(five(countries), [1, 0, 0, 1, 1]);
    assert_close(&countries["precision"], 0.5);
    assert_close(&countries["recall"], 0.5);

    // One value a bin but in 0.2, 0.5: 0.15 ✗, 0.35 ✗, 0.45 ✗, 0.62 ✓, 0.7 ✗, 0.85 ✓, 0.95 ✓.
    let bins = j["calibration"]["bins"].as_array().unwrap();
    assert_eq!(bins.len(), 10);
    let counts: Vec<u64> = bins.iter().map(|b| b["count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [0, 1, 0, 1, 1, 0, 1, 1, 1, 1]);
    assert_eq!(bins[0]["lo"], 0.0);
    assert_eq!(bins[9]["hi"], 1.0);
    assert_eq!(bins[0]["accuracy"], Value::Null);
    assert_close(&bins[6]["mean_confidence"], 0.62);
    assert_close(&bins[6]["accuracy"], 1.0);
    let ece = (0.15 + 0.35 + 0.45 + (1.0 - 0.62) + 0.7 + (1.0 - 0.85) + (1.0 - 0.95)) / 7.0;
    assert_close(&j["calibration"]["ece"], ece);

    // Mistakes: every item not right as a whole; a record shown whole.
    let mistakes: Vec<(&str, &str)> = j["mistakes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["article"].as_str().unwrap(), m["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        mistakes,
        [
            ("b1", "event_date"),
            ("b1", "people"),
            ("b1", "countries"),
            ("b2", "place"),
            ("b2", "countries")
        ]
    );
    assert_eq!(
        j["mistakes"][1]["reference"],
        json!(["عبد اللطيف الحموشي (المدير العام)", "ناصر بوريطة"])
    );
}

#[test]
fn match_exact_makes_folded_equal_partial() {
    let dir = corpus();
    let j = score(dir.path(), &["--match", "exact"]);
    let place = &j["fields"]["place"];
    assert_eq!(place["match"], "exact");
    assert_eq!(five(place), [0, 1, 0, 0, 1]);
    assert_close(&place["f1"], 0.0);
    assert_close(&place["f1_lenient"], 1.0 / 3.0);
    assert_close(&place["accuracy"], 0.0);
}

#[test]
fn the_threshold_comes_from_the_schema() {
    let dir = corpus();
    let schema = dir.path().join("annotations/schema.yaml");
    let text = std::fs::read_to_string(&schema).unwrap();
    // حموشي / الحموشي is 0.889 alike: no longer partial at 0.9, so nothing pairs.
    std::fs::write(&schema, text.replace("0.85", "0.9")).unwrap();
    let j = score(dir.path(), &[]);
    assert_eq!(five(&j["fields"]["people"]), [0, 0, 0, 2, 1]);
    std::fs::write(&schema, text.replace("0.85", "2")).unwrap();
    let (code, stdout, _) = run(dir.path(), &["check", "--articles", "articles"]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("schema.yaml:3:26: expected a number above 0 and at most 1, found 2"),
        "{stdout}"
    );
}

#[test]
fn the_table_shows_counts_f1s_and_calibration() {
    let dir = corpus();
    let (code, stdout, stderr) = run(
        dir.path(),
        &["score", "--articles", "articles", "--against", "amina"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    for header in [
        "cor",
        "par",
        "inc",
        "mis",
        "spu",
        "F1 lenient",
        "expected calibration error",
    ] {
        assert!(stdout.contains(header), "{header}: {stdout}");
    }
    let people = stdout.lines().find(|l| l.starts_with("people ")).unwrap();
    let cells: Vec<&str> = people.split_whitespace().collect();
    assert_eq!(&cells[4..9], ["0", "1", "0", "1", "0"], "{people}");
    assert!(stdout.lines().any(|l| l.starts_with("  .name")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("0.6–0.7")), "{stdout}");
}

#[test]
fn the_index_answers_as_the_files() {
    let dir = corpus();
    let files = score(dir.path(), &["--no-index"]);
    for _ in 0..2 {
        assert_eq!(score(dir.path(), &[]), files);
    }
}
