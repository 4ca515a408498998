//! `agree --format html` and `score --format html` in a real browser: headless Chromium opens
//! each page from disk with no console message (a blocked load, a script error, a violation of
//! the page's no-network policy), and every number of the rendered DOM (its `data-key` and
//! `data-value`, and the text shown) equals the JSON's.
//!
//! The pages are drawn from the JSON of the corpus of `tests/data/agree` with, where that JSON
//! lacks them, the keys agreed for the report (intervals, AC1, coincidence matrices, MUC counts,
//! calibration, per-analyst agreement) filled in by hand, and a field whose labels are Arabic
//! and hostile. That the binary prints the renderer's page of its own JSON is checked without a
//! browser.
//!
//! Needs the `chromium` command (Debian: chromium). Without it the browser tests are skipped
//! with a message, unless `TADQIQ_REQUIRE_CHROMIUM=1` (set by `.ci/run`), where they fail.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use tadqiq::agree::html::{LIST_LIMIT, agreement_page, score_page};

use common::{agree_corpus, run};

fn chromium_available() -> bool {
    let found = Command::new("chromium")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("TADQIQ_REQUIRE_CHROMIUM").is_none(),
            "TADQIQ_REQUIRE_CHROMIUM is set but `chromium` is not installed"
        );
        eprintln!("chromium is not installed (apt-get install chromium): browser test skipped");
    }
    found
}

/// `tadqiq <command> --format json` on the agree corpus.
fn json_of(dir: &Path, command: &str) -> Value {
    let (code, stdout, stderr) = run(
        dir,
        &[command, "--articles", "articles", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// Inserts into `to` what `from` has and `to` lacks, recursively through objects: the real
/// output keeps its values, the fixture adds the keys it does not have (yet).
fn fill(to: &mut Value, from: &Value) {
    if let (Value::Object(to), Value::Object(from)) = (to, from) {
        for (k, v) in from {
            match to.get_mut(k) {
                Some(existing) => fill(existing, v),
                None => {
                    to.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

const HOSTILE: &str = "<script>alert(1)</script>";

/// Every key agreed for `agree --format json`, with figures made up (they need only be shown
/// as they are), and a field of Arabic and hostile labels.
fn agree_fixture() -> Value {
    let ac1 = |v: f64| json!({"value": v, "se": 0.0712, "ci95": [v - 0.14, (v + 0.14).min(1.0)]});
    let scalar = |a: f64| {
        json!({
            "alpha_ci95": [a - 0.2134, (a + 0.1).min(1.0)],
            "p_alpha_below": {"0.667": 0.4213, "0.8": 0.7311},
            "ac1": ac1(0.6125),
        })
    };
    json!({
        "bootstrap": {"samples": 1000, "seed": 20240611},
        "analysts_agreement": {
            "amina": {"alpha_with_rest": {"event_type": 0.8571, "countries": 0.5}, "items": 5},
            "karim": {"alpha_with_rest": {"event_type": 0.9123, "countries": 0.4}, "items": 4},
            "youssef": {"alpha_with_rest": {"event_type": 0.6012, "countries": null}, "items": 5},
            "<img src=x onerror=alert(2)>": {"alpha_with_rest": {"event_type": -0.25}, "items": 1},
        },
        "fields": {
            "event_type": {
                "alpha_ci95": [0.5821, 1.0],
                "p_alpha_below": {"0.667": 0.1234, "0.8": 0.4567},
                "ac1": ac1(0.8235),
                "coincidence": {
                    "labels": ["call", "meeting", "reception", "visit"],
                    "matrix": [[2.0, 0.0, 0.0, 0.0], [0.0, 5.0, 0.0, 0.0],
                               [0.0, 0.0, 4.0, 0.5], [0.0, 0.0, 0.5, 1.5]],
                },
                "per_category": {"call": 1.0, "meeting": 1.0, "reception": 0.8889, "visit": 0.75},
            },
            "countries": {
                "alpha_ci95": null,
                "p_alpha_below": {"0.667": null, "0.8": null},
                "ac1": null,
                "ac1_per_value": {
                    "المغرب": {"value": 0.7021, "se": 0.1503, "ci95": [0.4075, 0.9967]},
                    "إسبانيا": {"value": -0.0588, "se": 0.2311, "ci95": [-0.5118, 0.3942]},
                    "France": {"value": null, "se": null, "ci95": null},
                },
                "coincidence": {
                    "labels": ["Morocco", "Spain"],
                    "matrix": [[3, 1], [1, 0]],
                },
                "per_category": {"Morocco": 0.75, "Spain": 0.0},
            },
            "published_at": {
                "alpha_ci95": [-0.5, 0.5],
                "p_alpha_below": {"0.667": 0.99, "0.8": 1.0},
                "ac1": ac1(0.1111),
                "alpha_interval": 0.9876,
            },
            "body_span": scalar(0.0),
            "source": scalar(0.75),
            "participants": {"alpha_ci95": null, "p_alpha_below": null, "ac1": null},
            "نوع_الحدث": {
                "kind": "scalar",
                "items": 6,
                "percent_agreement": 0.6667,
                "alpha": 0.4321,
                "cohen_kappa": {"<b>a</b>|ب": 0.3},
                "fleiss_kappa": null,
                "disagreements": 2,
                "alpha_ci95": [0.1, 0.7],
                "p_alpha_below": {"0.667": 0.97, "0.8": 0.999},
                "ac1": ac1(0.5),
                "coincidence": {
                    "labels": ["زيارة", "اجتماع", HOSTILE, "مراكش الآن"],
                    "matrix": [[4, 1, 0, 0], [1, 2, 0.5, 0], [0, 0.5, 0, 1], [0, 0, 1, 1]],
                },
                "per_category": {"زيارة": 0.8, "اجتماع": 0.5714, HOSTILE: 0.0, "مراكش الآن": 0.5},
            },
        },
        "disagreements": [
            {"article": HOSTILE, "field": "نوع_الحدث", "values": {"amina": "زيارة", "karim": HOSTILE}},
        ],
    })
}

/// Every key agreed for `score --format json`, figures made up.
fn score_fixture() -> Value {
    let muc = |c: u64, p: u64, i: u64, m: u64, s: u64| {
        json!({
            "correct": c, "partial": p, "incorrect": i, "missing": m, "spurious": s,
            "f1_lenient": 0.7142857142857143,
            "evidence": {"items": c + p, "mean_overlap": 0.6180339887},
            "match": "normalized",
        })
    };
    let bins: Vec<Value> = (0..10)
        .map(|i| {
            let lo = f64::from(i) / 10.0;
            let count = [0, 0, 1, 3, 2, 5, 8, 13, 21, 34][i as usize];
            json!({
                "lo": lo,
                "hi": f64::from(i + 1) / 10.0,
                "count": count,
                "mean_confidence": if count == 0 { Value::Null } else { json!(lo + 0.0437) },
                "accuracy": if count == 0 { Value::Null } else { json!((lo + 0.05) * 0.83) },
            })
        })
        .collect();
    json!({
        "calibration": {"bins": bins, "ece": 0.0912},
        "fields": {
            "event_type": muc(2, 0, 1, 0, 0),
            "countries": muc(1, 1, 0, 1, 1),
            "published_at": {"match": "exact", "partial": 1, "correct": 0, "incorrect": 0,
                             "missing": 0, "spurious": 0, "f1_lenient": 0.5,
                             "evidence": {"items": 0, "mean_overlap": null}},
            "participants": muc(0, 0, 0, 0, 0),
            "source": muc(0, 0, 0, 0, 0),
            "body_span": muc(0, 0, 0, 0, 0),
            HOSTILE: {
                "kind": "scalar", "items": 2, "accuracy": 0.5, "precision": 0.5, "recall": 0.5,
                "f1": 0.5, "f1_lenient": 0.75, "correct": 1, "partial": 1, "incorrect": 0,
                "missing": 0, "spurious": 0, "match": "exact",
                "evidence": {"items": 2, "mean_overlap": 0.25},
                "low_confidence": {"values": 1, "wrong": 1, "wrong_rate": 1.0},
                "confident": {"values": 1, "wrong": 0, "wrong_rate": 0.0},
            },
        },
        "mistakes": [
            {"article": "a9", "field": "countries", "extracted": [HOSTILE, "المغرب"],
             "confidence": 0.875, "reference": ["المغرب"]},
        ],
    })
}

/// What the binary's value for a page is: its JSON with each list's length as `<list>_total`.
fn with_total(mut v: Value, list: &str) -> Value {
    let n = v[list].as_array().unwrap().len();
    v[format!("{list}_total")] = n.into();
    v
}

#[test]
fn the_binary_prints_the_page_of_its_own_json() {
    let dir = agree_corpus();
    for (command, list, page) in [
        (
            "agree",
            "disagreements",
            agreement_page as fn(&Value) -> String,
        ),
        ("score", "mistakes", score_page),
    ] {
        let json = json_of(dir.path(), command);
        let (code, html, stderr) = run(
            dir.path(),
            &[command, "--articles", "articles", "--format", "html"],
        );
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(html, page(&with_total(json, list)), "{command}");
    }
}

#[test]
fn a_long_list_shows_its_first_entries_and_how_many_more() {
    let total = LIST_LIMIT + 1234;
    let list: Vec<Value> = (0..LIST_LIMIT)
        .map(
            |i| json!({"article": format!("art{i}"), "field": "f", "values": {"a": "x", "b": "y"}}),
        )
        .collect();
    let v = json!({"analysts": ["a", "b"], "articles": total, "fields": {},
                   "disagreements": list, "disagreements_total": total});
    let page = agreement_page(&v);
    assert_eq!(
        page.matches("<span class=\"chip\">").count(),
        2 * LIST_LIMIT
    );
    assert!(page.contains(&format!("Disagreements ({total})")));
    assert!(page.contains(&format!(
        "and 1234 more disagreements not shown here (the first {LIST_LIMIT} of {total})"
    )));
}

/// The page after Chromium loaded it (`--dump-dom`), and the console messages it logged.
fn in_chromium(html: &str, name: &str) -> (String, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.html"));
    std::fs::write(&file, html).unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    (String::from_utf8(out.stdout).unwrap(), console)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{A0}")
        .replace("&amp;", "&")
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Each element of the dumped DOM that carries `data-key`: its tag name, key, value and the
/// text it shows (up to its first child).
fn numbers(dom: &str) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(at) = rest.find(" data-key=\"") {
        let open = rest[..at].rfind('<').unwrap();
        let close = at + rest[at..].find('>').unwrap();
        let tag = &rest[open..close];
        let name = tag[1..].split([' ', '>']).next().unwrap().to_string();
        let text_end = close + 1 + rest[close + 1..].find('<').unwrap();
        out.push((
            name,
            unescape(attribute(tag, "data-key").unwrap()),
            unescape(attribute(tag, "data-value").unwrap()),
            unescape(&rest[close + 1..text_end]),
        ));
        rest = &rest[close..];
    }
    out
}

/// The JSON pointers of every number in `v` but those under `skip`.
fn number_pointers(v: &Value, at: String, skip: &[&str], out: &mut Vec<String>) {
    if skip.contains(&at.as_str()) {
        return;
    }
    let esc = |k: &str| k.replace('~', "~0").replace('/', "~1");
    match v {
        Value::Number(_) => out.push(at),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                number_pointers(x, format!("{at}/{i}"), skip, out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                number_pointers(x, format!("{at}/{}", esc(k)), skip, out);
            }
        }
        _ => {}
    }
}

/// Every number the DOM shows is the JSON's, and every number of the JSON (but `skip`) is shown.
fn assert_numbers_match(dom: &str, json: &Value, skip: &[&str]) {
    let shown = numbers(dom);
    assert!(shown.len() > 50, "only {} numbers in the page", shown.len());
    for (tag, key, data, text) in &shown {
        let expected = json.pointer(key).filter(|v| !v.is_null());
        let Some(expected) = expected else {
            assert_eq!(data, "", "{key}: absent or null in the JSON");
            if !text.is_empty() {
                assert_eq!(text, "—", "{key}");
            }
            continue;
        };
        let x = expected
            .as_f64()
            .unwrap_or_else(|| panic!("{key}: {expected} is not a number"));
        assert_eq!(data, &expected.to_string(), "{key}: data-value");
        assert_eq!(data.parse::<f64>().ok(), Some(x), "{key}: data-value");
        if matches!(tag.as_str(), "circle" | "path" | "rect") {
            continue;
        }
        let (digits, scale) = match text.strip_suffix('%') {
            Some(t) => (t, 100.0),
            None => (text.as_str(), 1.0),
        };
        let decimals = digits.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
        let shown: f64 = digits
            .parse()
            .unwrap_or_else(|_| panic!("{key}: {text:?} is not a number"));
        assert!(
            (shown - scale * x).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-9,
            "{key}: the page shows {text}, the JSON has {x}"
        );
    }
    let keys: std::collections::HashSet<&str> = shown.iter().map(|n| n.1.as_str()).collect();
    let mut all = Vec::new();
    number_pointers(json, String::new(), skip, &mut all);
    let missing: Vec<&String> = all.iter().filter(|p| !keys.contains(p.as_str())).collect();
    assert!(
        missing.is_empty(),
        "numbers of the JSON not in the page: {missing:?}"
    );
}

/// What a browser test checks of a page besides its numbers.
fn assert_sound(dom: &str, console: &[String]) {
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(dom.contains("<html lang=\"en\">"), "{dom}");
    assert!(
        !dom.contains("<script"),
        "markup from the data became an element"
    );
    assert!(
        !dom.contains("<img"),
        "markup from the data became an element"
    );
    assert!(
        !dom.contains("<b>a</b>"),
        "markup from the data became an element"
    );
}

#[test]
fn the_agreement_page_in_chromium_shows_the_json() {
    if !chromium_available() {
        return;
    }
    let dir = agree_corpus();
    let mut json = with_total(json_of(dir.path(), "agree"), "disagreements");
    fill(&mut json, &agree_fixture());
    let started = std::time::Instant::now();
    let (dom, console) = in_chromium(&agreement_page(&json), "agree");
    eprintln!("chromium: {:.1} s", started.elapsed().as_secs_f64());
    assert_sound(&dom, &console);
    assert_numbers_match(&dom, &json, &["/disagreements", "/disagreements_total"]);
    // The hostile label is text, in a right-to-left heat map marked Arabic.
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(dom.contains("<table class=\"heat\" dir=\"rtl\" lang=\"ar\">"));
    assert!(dom.contains("<bdi lang=\"ar\">مراكش الآن</bdi>"));
    assert!(dom.contains("<bdi>&lt;img src=x onerror=alert(2)&gt;</bdi>"));
    assert!(dom.contains("<meta charset=\"utf-8\">"));
}

#[test]
fn the_score_page_in_chromium_shows_the_json() {
    if !chromium_available() {
        return;
    }
    let dir = agree_corpus();
    let mut json = with_total(json_of(dir.path(), "score"), "mistakes");
    fill(&mut json, &score_fixture());
    let started = std::time::Instant::now();
    let (dom, console) = in_chromium(&score_page(&json), "score");
    eprintln!("chromium: {:.1} s", started.elapsed().as_secs_f64());
    assert_sound(&dom, &console);
    assert_numbers_match(&dom, &json, &["/mistakes_total"]);
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(dom.contains("aria-label=\"reliability diagram\""));
}
