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
            vec![
                "agree",
                "--annotations",
                "annotations",
                "--bootstrap",
                "100001",
            ],
            "100001 is not in 0..=100000",
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

#[track_caller]
fn assert_near(v: &Value, expected: f64, tolerance: f64) {
    let x = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((x - expected).abs() <= tolerance, "{x} ≠ {expected}");
}

#[test]
fn agree_json_has_intervals_ac1_coincidences_and_each_analyst() {
    let j = json(
        Path::new(CORPUS),
        &["agree", "--annotations", "annotations", "--format", "json"],
    );
    assert_eq!(
        j["bootstrap"],
        serde_json::json!({"samples": 1000, "seed": 20070416})
    );
    let e = &j["fields"]["event_type"];
    // event_type's items: a1 meeting ×3; a2 visit, visit, reception; a3 reception ×3; a4 call
    // ×2 (karim left it out); a6 meeting ×2 (youssef's is in progress).
    let ci = e["alpha_ci95"].as_array().unwrap();
    let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert!((lo..=hi).contains(&0.8) && hi <= 1.0, "{ci:?}");
    let below = &e["p_alpha_below"];
    let (p667, p8) = (
        below["0.667"].as_f64().unwrap(),
        below["0.8"].as_f64().unwrap(),
    );
    assert!(
        (0.0..=1.0).contains(&p667) && p667 <= p8 && p8 <= 1.0,
        "{below}"
    );
    // irrCAC 0.4.4, `CAC(df, digits=17).gwet()` on these five items; the interval's t quantile
    // is exact here, SciPy's is off by 4·10⁻⁹ (see metrics' tests).
    assert_close(&e["ac1"]["value"], 0.8252427184466018);
    assert_close(&e["ac1"]["se"], 0.17909663589228667);
    assert_near(&e["ac1"]["ci95"][0], 0.32799074036607007, 1e-8);
    assert_close(&e["ac1"]["ci95"][1], 1.0);
    // The coincidences, by hand: meeting 3·2/2 + 2 = 5; a2 pairs visit–visit 2/2, visit–reception
    // 2·2/2; a3 reception 3; a4 call 2.
    assert_eq!(
        e["coincidence"],
        serde_json::json!({
            "labels": ["meeting", "visit", "reception", "call"],
            "matrix": [[5.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 3.0, 0.0], [0.0, 0.0, 0.0, 2.0]]
        })
    );
    assert_eq!(
        e["per_category"],
        serde_json::json!({"meeting": 1.0, "visit": 0.5, "reception": 0.75, "call": 1.0})
    );
    // Not a choice field: no matrix; not a date: no interval alpha.
    assert!(j["fields"]["countries"].get("coincidence").is_none());
    assert!(e.get("alpha_interval").is_none());
    assert!(j["fields"]["published_at"].get("alpha_interval").is_some());
    assert_eq!(j["fields"]["countries"]["ac1"], Value::Null, "a set field");
    // Each analyst's pairs with the others on event_type, alpha by krippendorff 0.9.0 on them
    // as two-coder data (amina 8 pairs, karim 7, youssef 7).
    let each = &j["analysts_agreement"];
    for (who, alpha) in [
        ("amina", 0.8351648351648352),
        ("karim", 0.7936507936507937),
        ("youssef", 0.6176470588235294),
    ] {
        assert_close(&each[who]["alpha_with_rest"]["event_type"], alpha);
    }
    assert_eq!(each["amina"]["items"], 12);
    assert_eq!(each.as_object().unwrap().len(), 3);
}

#[test]
fn the_bootstrap_follows_its_seed_and_can_be_turned_off() {
    let dir = Path::new(CORPUS);
    let with = |extra: &[&str]| {
        let mut args = vec!["agree", "--annotations", "annotations", "--format", "json"];
        args.extend_from_slice(extra);
        json(dir, &args)
    };
    let a = with(&["--seed", "7", "--bootstrap", "300"]);
    let b = with(&["--seed", "7", "--bootstrap", "300"]);
    let c = with(&["--seed", "8", "--bootstrap", "300"]);
    assert_eq!(a, b);
    assert_eq!(
        a["bootstrap"],
        serde_json::json!({"samples": 300, "seed": 7})
    );
    assert_ne!(
        a["fields"]["event_type"]["p_alpha_below"],
        c["fields"]["event_type"]["p_alpha_below"]
    );
    let off = with(&["--bootstrap", "0"]);
    assert_eq!(off["fields"]["event_type"]["alpha_ci95"], Value::Null);
    assert_eq!(off["fields"]["event_type"]["p_alpha_below"], Value::Null);
    assert_close(&off["fields"]["event_type"]["alpha"], 0.8);
    assert_eq!(
        off["fields"]["event_type"]["ac1"],
        a["fields"]["event_type"]["ac1"]
    );
    // A field without alpha has no interval.
    assert_eq!(a["fields"]["source"]["alpha_ci95"], Value::Null);
    let (code, stdout, _) = run(
        dir,
        &["agree", "--annotations", "annotations", "--bootstrap", "0"],
    );
    assert_eq!(code, Some(0));
    assert!(stdout.contains("bootstrap: none"), "{stdout}");
}

/// A corpus with a date and a multi_choice field: 8 articles, analysts a, b, c; `.` is a field
/// not reviewed, `~` null.
fn dates_and_tags() -> tempfile::TempDir {
    let days = [
        ["2024-01-10", "2024-01-10", "2024-01-11"],
        ["2024-02-01", "2024-02-03", "2024-02-01"],
        ["2024-03", "2024-03-15", "2024-03-20"],
        ["2024-04-01", "~", "2024-04-01"],
        ["2024-05-05", "2024-05-05", "2024-05-05"],
        ["2023-12-31", "2024-01-01", "2023-12-31"],
        ["2024-07-07", "2024-07-17", "2024-07-07"],
        ["2024-08-08", "2024-08-08", "."],
    ];
    let tags = [
        ["war", "war", "war, aid"],
        ["trade", "trade", "trade"],
        ["", "aid", ""],
        ["war, trade", "war", "trade"],
        ["aid", "aid", "aid"],
        ["war", "trade", "war"],
        ["trade, aid", "trade, aid", "aid"],
        ["war", "war", "war"],
    ];
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("annotations");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("schema.yaml"),
        "version: 1\nfields:\n  - {name: day, type: date}\n  - name: tags\n    type: multi_choice\n    values: [war, trade, aid]\n",
    )
    .unwrap();
    for (k, analyst) in ["a", "b", "c"].iter().enumerate() {
        let gold = root.join("gold").join(analyst);
        std::fs::create_dir_all(&gold).unwrap();
        for i in 0..8 {
            let mut text = format!(
                "article: art{i}\nanalyst: {analyst}\nstatus: done\nreviewed_at: 2026-11-22T10:15:00Z\nfields:\n"
            );
            match days[i][k] {
                "." => {}
                "~" => text.push_str("  day: {value: null, verdict: added}\n"),
                d => text.push_str(&format!("  day: {{value: '{d}', verdict: added}}\n")),
            }
            text.push_str(&format!(
                "  tags: {{value: [{}], verdict: added}}\n",
                tags[i][k]
            ));
            std::fs::write(gold.join(format!("art{i}.yaml")), text).unwrap();
        }
    }
    dir
}

#[test]
fn dates_get_interval_alpha_and_multi_choice_values_their_ac1() {
    let dir = dates_and_tags();
    let j = json(
        dir.path(),
        &["agree", "--annotations", "annotations", "--format", "json"],
    );
    // krippendorff 0.9.0, `alpha(level_of_measurement=...)` on the days since 1970 (a month
    // alone its 15th, null missing) and on the dates as categories (null one of them).
    let day = &j["fields"]["day"];
    assert_close(&day["alpha_interval"], 0.9989850854413439);
    assert_close(&day["alpha"], 0.41393442622950816);
    // irrCAC 0.4.4 with each date (and null) a category.
    assert_close(&day["ac1"]["value"], 0.4202282983806743);
    assert_close(&day["ac1"]["se"], 0.13471691802753274);
    assert_near(&day["ac1"]["ci95"][0], 0.10167340699140381, 1e-8);
    assert_near(&day["ac1"]["ci95"][1], 0.7387831897699448, 1e-8);
    assert!(day.get("coincidence").is_none());

    let tags = &j["fields"]["tags"];
    assert_eq!(tags["ac1"], Value::Null);
    // irrCAC 0.4.4 on each value as yes/no.
    for (value, ac1, se, lo) in [
        (
            "war",
            0.6756756756756759,
            0.22613882596452217,
            0.14094232370496929,
        ),
        (
            "trade",
            0.5499999999999999,
            0.263493019696104,
            -0.07306198434534206,
        ),
        (
            "aid",
            0.6999999999999997,
            0.2041008154249827,
            0.21737826219510864,
        ),
    ] {
        let a = &tags["ac1_per_value"][value];
        assert_close(&a["value"], ac1);
        assert_close(&a["se"], se);
        assert_near(&a["ci95"][0], lo, 1e-8);
        assert_close(&a["ci95"][1], 1.0);
    }
    // Each analyst's set splits its weight among its values ({war, aid}: ½ each, the empty set
    // is "(none)"), pairs of values of different analysts counting 1/(m − 1): worked out with
    // numpy on these sets.
    let expected = [
        [6.5, 2.0, 0.5, 0.0],
        [2.0, 3.75, 0.75, 0.0],
        [0.5, 0.75, 4.25, 1.0],
        [0.0, 0.0, 1.0, 1.0],
    ];
    assert_eq!(
        tags["coincidence"]["labels"],
        serde_json::json!(["war", "trade", "aid", "(none)"])
    );
    for (row, want) in tags["coincidence"]["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .zip(expected)
    {
        for (x, y) in row.as_array().unwrap().iter().zip(want) {
            assert_close(x, y);
        }
    }
    assert_close(&tags["per_category"]["war"], 6.5 / 9.0);
    assert_close(&tags["per_category"]["(none)"], 0.5);
}

#[test]
fn a_field_of_more_categories_than_a_matrix_can_hold_has_alpha_but_no_matrix() {
    let dir = dates_and_tags();
    // 501 values: the coincidence matrix would have 251 001 cells, and its size grows as the
    // square of the schema's list.
    let mut values = vec!["war".to_string(), "trade".into(), "aid".into()];
    values.extend((0..498).map(|i| format!("v{i}")));
    std::fs::write(
        dir.path().join("annotations/schema.yaml"),
        format!(
            "version: 1\nfields:\n  - {{name: day, type: date}}\n  - name: tags\n    type: multi_choice\n    values: [{}]\n",
            values.join(", ")
        ),
    )
    .unwrap();
    let j = json(
        dir.path(),
        &["agree", "--annotations", "annotations", "--format", "json"],
    );
    let tags = &j["fields"]["tags"];
    assert!(tags["alpha"].is_number(), "{tags}");
    for key in ["coincidence", "per_category", "ac1_per_value"] {
        assert!(
            tags.get(key)
                .is_none_or(|v| v.as_object().is_some_and(|m| m.is_empty())),
            "{key}: {tags}"
        );
    }
}
