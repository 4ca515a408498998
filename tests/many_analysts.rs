//! `agree` and `status` on a team of hundreds of analyst folders: what they hold grows with
//! the pairs of analysts that reviewed an article together, not with every pair of folders.

mod common;

use common::run;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// Who reviews which articles.
#[derive(Clone, Copy)]
enum Shape {
    /// Analyst `i` reviews article `x<i>`.
    Own,
    /// Analyst `i` reviews `x<i>` and `x<i+1 mod n>`.
    Chain,
    /// Everyone reviews `x0`.
    Same,
}

/// `n` analysts `an000`…, reviewing articles as `shape` says, saying `meeting` or `visit` by
/// the parity of `i`.
fn team(n: usize, shape: Shape) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/agree/annotations");
    let annotations = dir.path().join("annotations");
    fs::create_dir_all(annotations.join("gold")).unwrap();
    fs::copy(fixture.join("schema.yaml"), annotations.join("schema.yaml")).unwrap();
    let template = fs::read_to_string(fixture.join("gold/amina/a1.yaml")).unwrap();
    let articles = dir.path().join("articles");
    fs::create_dir_all(&articles).unwrap();
    for i in 0..n {
        fs::write(articles.join(format!("x{i}.txt")), "نص المقال").unwrap();
        let analyst = format!("an{i:03}");
        let folder = annotations.join("gold").join(&analyst);
        fs::create_dir_all(&folder).unwrap();
        let event = if i % 2 == 0 { "meeting" } else { "visit" };
        let ids = match shape {
            Shape::Own => vec![i],
            Shape::Chain => vec![i, (i + 1) % n],
            Shape::Same => vec![0],
        };
        for j in ids {
            let text = template
                .replace("article: a1", &format!("article: x{j}"))
                .replace("analyst: amina", &format!("analyst: {analyst}"))
                .replace("{value: meeting,", &format!("{{value: {event},"));
            fs::write(folder.join(format!("x{j}.yaml")), text).unwrap();
        }
    }
    dir
}

const QUICK: Duration = Duration::from_secs(60);

#[test]
fn three_hundred_analysts_each_with_their_own_article_are_quick() {
    let dir = team(300, Shape::Own);
    let start = Instant::now();
    let (code, stdout, stderr) = run(dir.path(), &["status", "--articles", "articles"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("300 articles\n"), "{stdout}");
    assert!(stdout.contains("an299 "), "{stdout}");
    assert!(
        stdout.ends_with("agreement: no article is done by two analysts yet\n"),
        "{stdout}"
    );
    let (code, stdout, stderr) = run(dir.path(), &["agree", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["articles"], 0);
    assert!(start.elapsed() < QUICK, "{:?}", start.elapsed());
}

#[test]
fn cohen_kappa_lists_only_the_pairs_that_reviewed_together_in_a_large_team() {
    let n = 300;
    let dir = team(n, Shape::Chain);
    let start = Instant::now();
    let (code, stdout, stderr) = run(dir.path(), &["agree", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(start.elapsed() < QUICK, "{:?}", start.elapsed());
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["analysts"].as_array().unwrap().len(), n);
    assert_eq!(json["articles"], n);
    let cohen = json["fields"]["event_type"]["cohen_kappa"]
        .as_object()
        .unwrap();
    // Neighbours in the chain, not the 44 850 pairs of 300 analysts.
    assert_eq!(cohen.len(), n);
    assert!(cohen.contains_key("an000|an001"));
    assert!(cohen.contains_key("an000|an299"));
    assert!(!cohen.contains_key("an000|an002"));
    // The table reads the same pairs.
    let (code, table, stderr) = run(dir.path(), &["agree"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        table.contains("agreement of 300 analysts on 300 articles"),
        "{table}"
    );
    let (code, status, stderr) = run(dir.path(), &["status", "--articles", "articles"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(status.contains("agreement (300 analysts): "), "{status}");
}

#[test]
fn cohen_kappa_is_left_out_when_too_many_pairs_reviewed_together() {
    // 500 analysts on one article: 124 750 pairs, more than MAX_PAIRS.
    let n = 500;
    assert!(n * (n - 1) / 2 > tadqiq::agree::MAX_PAIRS);
    let dir = team(n, Shape::Same);
    let start = Instant::now();
    let (code, stdout, stderr) = run(dir.path(), &["agree", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(start.elapsed() < QUICK, "{:?}", start.elapsed());
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let event = &json["fields"]["event_type"];
    assert_eq!(event["cohen_kappa"], serde_json::Value::Null);
    assert_eq!(event["items"], 1);
    assert!(event["alpha"].is_number());
    let (code, table, _) = run(dir.path(), &["agree"]);
    assert_eq!(code, Some(0));
    assert!(table.contains("too many pairs"), "{table}");
}
