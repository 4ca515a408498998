//! `tadqiq agree` and `tadqiq score` run as a user runs them, on the corpus of
//! `tests/data/agree/` (3 analysts and an adjudicated set, 7 articles), with the figures worked
//! out by hand from the files:
//!
//! - `event_type`, 5 items (a1, a2, a3, a4, a6; a5 has one review, youssef's a6 is in
//!   progress, karim skipped a7): meeting ×5, visit ×2, reception ×4, call ×2, one unit split
//!   2–1 → α = 1 − 12·2/(169 − 49) = 0.8; Fleiss on a1–a3 = 34/52; Cohen 1, 2/3, 1/2;
//! - `countries` (MASI): a1 equal once trimmed and as sets, a2 {M} {M,S} {} → α = 0.5;
//! - `source`: one text typed with a combining hamza and spaces, one precomposed: equal.

mod common;

use common::{copy_dir, run};

use std::path::Path;

use serde_json::Value;

const CORPUS: &str = "tests/data/agree";

fn json(dir: &Path, args: &[&str]) -> Value {
    let (code, stdout, stderr) = run(dir, args);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

#[track_caller]
fn assert_close(v: &Value, expected: f64) {
    let x = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((x - expected).abs() < 1e-9, "{x} ≠ {expected}");
}

#[test]
fn agree_json_has_the_hand_computed_figures() {
    let j = json(
        Path::new(CORPUS),
        &["agree", "--annotations", "annotations", "--format", "json"],
    );
    assert_eq!(
        j["analysts"],
        serde_json::json!(["amina", "karim", "youssef"])
    );
    assert_eq!(j["articles"], 5);
    let e = &j["fields"]["event_type"];
    assert_eq!(e["kind"], "scalar");
    assert_eq!(e["items"], 5);
    assert_close(&e["percent_agreement"], (4.0 + 1.0 / 3.0) / 5.0);
    assert_close(&e["alpha"], 0.8);
    assert_close(&e["fleiss_kappa"], 34.0 / 52.0);
    assert_close(&e["cohen_kappa"]["amina|karim"], 1.0);
    assert_close(&e["cohen_kappa"]["amina|youssef"], 2.0 / 3.0);
    assert_close(&e["cohen_kappa"]["karim|youssef"], 0.5);

    let c = &j["fields"]["countries"];
    assert_eq!(c["kind"], "set");
    assert_eq!(c["items"], 3);
    assert_close(&c["alpha"], 0.5);
    assert_close(&c["percent_agreement"], 2.0 / 3.0);
    assert_eq!(c["fleiss_kappa"], Value::Null);

    // Same text once trimmed and in NFC; no variation: alpha undefined, null, not NaN.
    let s = &j["fields"]["source"];
    assert_close(&s["percent_agreement"], 1.0);
    assert_eq!(s["alpha"], Value::Null);
    assert_eq!(s["cohen_kappa"]["amina|karim"], Value::Null);
    // Records compare by name.
    assert_close(&j["fields"]["participants"]["percent_agreement"], 1.0);

    let d = j["disagreements"].as_array().unwrap();
    let found: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d["article"].as_str().unwrap(), d["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("a1", "published_at"),
            ("a1", "body_span"),
            ("a2", "event_type"),
            ("a2", "countries")
        ]
    );
    assert_eq!(d[0]["values"]["youssef"], Value::Null);
    assert_eq!(
        d[1]["values"]["youssef"],
        serde_json::json!({"start": 0, "end": 990})
    );
    assert_eq!(
        d[3]["values"],
        serde_json::json!({"amina": ["Morocco"], "karim": ["Morocco", "Spain"], "youssef": []})
    );
}

#[test]
fn agree_narrows_to_analysts_and_fields() {
    let j = json(
        Path::new(CORPUS),
        &[
            "agree",
            "--annotations",
            "annotations",
            "--format",
            "json",
            "--analyst",
            "youssef",
            "--analyst",
            "amina",
            "--field",
            "event_type",
        ],
    );
    assert_eq!(j["analysts"], serde_json::json!(["amina", "youssef"]));
    let fields = j["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["event_type"]);
    let e = &fields["event_type"];
    // a1, a2, a3, a4 (a6 has no done review by youssef): the pair's kappa is unchanged.
    assert_eq!(e["items"], 4);
    assert_close(&e["cohen_kappa"]["amina|youssef"], 2.0 / 3.0);
    assert_eq!(e["cohen_kappa"].as_object().unwrap().len(), 1);
}

#[test]
fn agree_table_puts_the_weakest_fields_first() {
    let (code, stdout, stderr) = run(
        Path::new(CORPUS),
        &["agree", "--annotations", "annotations"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let rows: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("field"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            "published_at",
            "body_span",
            "countries",
            "event_type",
            "source",
            "participants"
        ]
    );
    assert!(stdout.contains("Krippendorff"), "a legend: {stdout}");
}

#[test]
fn score_against_the_adjudicated_set() {
    let j = json(
        Path::new(CORPUS),
        &["score", "--annotations", "annotations", "--format", "json"],
    );
    assert_eq!(j["against"], "_adjudicated");
    assert_eq!(j["articles"], 3, "a4 is still in progress");
    let e = &j["fields"]["event_type"];
    assert_close(&e["accuracy"], 2.0 / 3.0);
    // Now defined for scalars too: 2 correct, 1 incorrect.
    assert_close(&e["precision"], 2.0 / 3.0);
    assert_eq!(
        (&e["correct"], &e["incorrect"], &e["partial"]),
        (&2.into(), &1.into(), &0.into())
    );
    // 2023-12-15 for 2023-12-14: the same month, partial.
    let p = &j["fields"]["published_at"];
    assert_eq!((&p["partial"], &p["correct"]), (&1.into(), &0.into()));
    assert_close(&p["f1"], 0.0);
    assert_close(&p["f1_lenient"], 0.5);
    assert_eq!(
        e["low_confidence"],
        serde_json::json!({"values": 1, "wrong": 0, "wrong_rate": 0.0})
    );
    assert_eq!(e["confident"]["wrong"], 1);
    let c = &j["fields"]["countries"];
    assert_close(&c["accuracy"], 1.0 / 3.0);
    for m in ["precision", "recall", "f1"] {
        assert_close(&c[m], 0.75);
    }
    assert_eq!(c["low_confidence"]["wrong"], 1);
    let mistakes: Vec<(&str, &str)> = j["mistakes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["article"].as_str().unwrap(), m["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        mistakes,
        [
            ("a1", "published_at"),
            ("a1", "countries"),
            ("a2", "countries"),
            ("a3", "event_type")
        ]
    );
    let missed = &j["mistakes"][2];
    assert_eq!(
        missed["extracted"],
        Value::Null,
        "the extractor left it out"
    );
    assert_eq!(missed["reference"], serde_json::json!(["Morocco"]));

    // Against one analyst instead.
    let k = json(
        Path::new(CORPUS),
        &[
            "score",
            "--annotations",
            "annotations",
            "--format",
            "json",
            "--against",
            "karim",
        ],
    );
    assert_eq!(k["against"], "karim");
    assert_eq!(k["articles"], 5);
}

/// A copy of the corpus to break.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(CORPUS).join("annotations"),
        &dir.path().join("annotations"),
    );
    dir
}

#[test]
fn an_invalid_gold_file_fails_with_its_position() {
    let dir = copy();
    let gold = dir.path().join("annotations/gold/karim/a2.yaml");
    let text = std::fs::read_to_string(&gold).unwrap();
    std::fs::write(&gold, text.replace("value: visit", "value: vist")).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["agree", "--annotations", "annotations"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "nothing measured: {stdout}");
    assert!(
        stderr
            .contains("annotations/gold/karim/a2.yaml:6:23: `vist` is not a value of `event_type`"),
        "{stderr}"
    );
    assert!(stderr.contains("tadqiq check"), "{stderr}");

    std::fs::write(&gold, "article: a2\nfields: [\n").unwrap();
    let (code, _, stderr) = run(dir.path(), &["agree", "--annotations", "annotations"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("annotations/gold/karim/a2.yaml:3:1: YAML syntax"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2_with_one_clear_line() {
    let dir = Path::new(CORPUS);
    for (args, message) in [
        (
            vec!["agree", "--annotations", "nowhere"],
            "nowhere: no such folder",
        ),
        (
            vec!["agree", "--annotations", "annotations", "--field", "mood"],
            "--field mood: not a field of the schema",
        ),
        (
            vec!["agree", "--annotations", "annotations", "--analyst", "zaid"],
            "--analyst zaid: no folder",
        ),
        (
            vec![
                "agree",
                "--annotations",
                "annotations",
                "--analyst",
                "amina",
            ],
            "agreement needs at least two analysts",
        ),
        (
            vec!["agree", "--annotations", "annotations", "--format", "xml"],
            "invalid value 'xml'",
        ),
        (
            vec!["score", "--annotations", "annotations", "--against", "zaid"],
            "--against zaid: no folder",
        ),
    ] {
        let (code, stdout, stderr) = run(dir, &args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn score_says_what_to_pass_without_an_adjudicated_set() {
    let dir = copy();
    std::fs::remove_dir_all(dir.path().join("annotations/gold/_adjudicated")).unwrap();
    let (code, _, stderr) = run(dir.path(), &["score", "--annotations", "annotations"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("give --against NAME, one of: amina, karim, youssef"),
        "{stderr}"
    );
    // With a single analyst, that analyst is the reference, and stderr says so.
    for a in ["karim", "youssef"] {
        std::fs::remove_dir_all(dir.path().join("annotations/gold").join(a)).unwrap();
    }
    let (code, stdout, stderr) = run(
        dir.path(),
        &["score", "--annotations", "annotations", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("the only analyst, amina"), "{stderr}");
    let j: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["against"], "amina");
}

#[test]
fn agree_ignores_the_adjudicated_set_and_in_progress_reviews() {
    let dir = copy();
    // An adjudicator who disagrees with everyone changes nothing.
    let adjudicated = dir.path().join("annotations/gold/_adjudicated/a3.yaml");
    let text = std::fs::read_to_string(&adjudicated).unwrap();
    std::fs::write(
        &adjudicated,
        text.replace("value: reception", "value: call"),
    )
    .unwrap();
    let before = json(
        Path::new(CORPUS),
        &["agree", "--annotations", "annotations", "--format", "json"],
    );
    let after = json(
        dir.path(),
        &["agree", "--annotations", "annotations", "--format", "json"],
    );
    assert_eq!(before, after);
}

#[test]
fn score_fails_on_an_invalid_extracted_file() {
    let dir = copy();
    let extracted = dir.path().join("annotations/extracted/a3.yaml");
    let text = std::fs::read_to_string(&extracted).unwrap();
    std::fs::write(
        &extracted,
        text.replace("confidence: 0.9}", "confidence: 9}"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["score", "--annotations", "annotations"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("annotations/extracted/a3.yaml:6:45: confidence 9 is not between 0 and 1"),
        "{stderr}"
    );
}

#[test]
fn agree_with_nothing_shared_says_so() {
    let dir = copy();
    for a in ["karim", "youssef"] {
        std::fs::remove_dir_all(dir.path().join("annotations/gold").join(a)).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("annotations/gold/karim")).unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["agree", "--annotations", "annotations"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with("no article has done reviews by two"),
        "{stdout}"
    );
    let j = json(
        dir.path(),
        &["agree", "--annotations", "annotations", "--format", "json"],
    );
    assert_eq!(j["articles"], 0);
    assert_eq!(j["fields"]["event_type"]["items"], 0);
    assert_eq!(j["fields"]["event_type"]["alpha"], Value::Null);
}
