//! Comparing analysts and adjudicating on the review screen, without a terminal: three analysts
//! review the first samples, then one adjudicates.

mod common;

use common::{FIRST, app, corpus, ctrl, gold_text, key, press, team};
use crossterm::event::KeyCode;
use tadqiq::model::{Value, Verdict};
use tadqiq::tui::App;
use tadqiq::tui::app::Overlay;

fn focus(app: &mut App, name: &str) {
    app.field = app.schema.position(name).unwrap();
}

#[test]
fn adjudicating_takes_values_records_sources_and_saves_the_adjudicated_gold() {
    let dir = corpus();
    team(dir.path());
    let mut a = app(dir.path(), "amina");
    press(&mut a, "c");
    let adj = a.adjudication.as_ref().expect("adjudicating");
    assert_eq!(a.analyst, "_adjudicated");
    let names: Vec<&str> = adj.reviews.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["amina", "karim", "youssef"]);
    assert_eq!(adj.disagreements(), 1, "only event_type differs");
    assert!(adj.disagrees(a.schema.position("event_type").unwrap()));

    // Enter takes the majority; the verdict is relative to the extraction.
    focus(&mut a, "event_type");
    key(&mut a, KeyCode::Enter);
    let r = a.current.review.field("event_type").review.unwrap();
    assert_eq!(
        (&r.value, r.verdict),
        (&Value::Text("visit".into()), Verdict::Corrected)
    );
    // A reason for the choice.
    press(&mut a, "r");
    press(&mut a, "two of three");
    key(&mut a, KeyCode::Enter);
    assert_eq!(
        a.current
            .review
            .field("event_type")
            .review
            .unwrap()
            .note
            .as_deref(),
        Some("two of three")
    );
    // 3 takes youssef's value instead; u undoes it.
    press(&mut a, "3");
    assert_eq!(
        a.current.review.field("event_type").review.unwrap().value,
        Value::Text("reception".into())
    );
    press(&mut a, "u");
    // 0 takes the extractor's value of `source`.
    focus(&mut a, "source");
    press(&mut a, "0");
    let sources = &a.current.review.gold.sources;
    assert_eq!(
        sources,
        &vec![
            (
                "source".to_string(),
                vec![
                    "extractor".to_string(),
                    "amina".into(),
                    "karim".into(),
                    "youssef".into()
                ]
            ),
            (
                "event_type".to_string(),
                vec!["amina".to_string(), "karim".into()]
            ),
        ]
    );
    // The rest as extracted (which the analysts all confirmed), done: saved in the
    // adjudicated gold set.
    press(&mut a, "A");
    press(&mut a, "d");
    let path = dir
        .path()
        .join("annotations/gold/_adjudicated")
        .join(format!("{FIRST}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("analyst: _adjudicated"), "{text}");
    assert!(
        text.contains("\n  source:\n  - extractor\n  - amina\n"),
        "{text}"
    );
    assert!(
        text.contains("event_type:\n    value: visit\n    verdict: corrected\n    was: reception\n    evidence: استقبل المدير العام للأمن الوطني\n    note: two of three"),
        "{text}"
    );
    // `check` accepts the adjudicated file.
    let report = tadqiq::check::check(&common::store(dir.path()), &|_| None);
    assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);

    // Back to reviewing as amina.
    press(&mut a, "c");
    assert!(a.adjudication.is_none());
    assert_eq!(a.analyst, "amina");
}

#[test]
fn n_goes_to_the_next_article_with_a_disagreement() {
    let dir = corpus();
    team(dir.path());
    let mut a = app(dir.path(), "karim");
    press(&mut a, "c");
    press(&mut a, "n");
    assert_eq!(a.index, 2, "the second article has no disagreement");
    let adj = a.adjudication.as_ref().unwrap();
    assert_eq!(adj.disagreements(), 1);
    // Three ways: no majority.
    focus(&mut a, "event_type");
    key(&mut a, KeyCode::Enter);
    assert!(a.current.review.field("event_type").review.is_none());
    assert!(matches!(&a.message, Some((m, _)) if m.contains("no value has a majority")));
    press(&mut a, "n");
    assert_eq!(a.index, 2, "no disagreement after");
    press(&mut a, "p");
    assert_eq!(a.index, 0);
}

#[test]
fn the_overview_shows_the_corpus_agreement() {
    let dir = corpus();
    team(dir.path());
    let mut a = app(dir.path(), "amina");
    press(&mut a, "c");
    press(&mut a, "o");
    let Some(Overlay::Overview(agreement)) = &a.overlay else {
        panic!("overview expected, {:?}", a.message)
    };
    assert_eq!(agreement.analysts, ["amina", "karim", "youssef"]);
    let event = agreement
        .fields
        .iter()
        .find(|f| f.field == "event_type")
        .unwrap();
    assert_eq!(event.items, 3);
    assert!(event.alpha.unwrap() < 1.0);
    key(&mut a, KeyCode::Esc);
    assert!(a.overlay.is_none());
}

#[test]
fn only_one_adjudicator_at_a_time() {
    let dir = corpus();
    team(dir.path());
    let mut first = app(dir.path(), "amina");
    press(&mut first, "c");
    assert!(first.adjudication.is_some());
    let mut second = app(dir.path(), "karim");
    press(&mut second, "c");
    assert!(second.adjudication.is_none());
    assert!(matches!(&second.message, Some((m, _)) if m.contains("cannot adjudicate")));
}

#[test]
fn unsaved_adjudication_comes_back_after_a_session_ends_without_saving() {
    let dir = corpus();
    team(dir.path());
    {
        let mut a = app(dir.path(), "amina");
        press(&mut a, "c");
        focus(&mut a, "event_type");
        press(&mut a, "3"); // youssef's value, not saved
        assert!(a.current.dirty());
        // The session ends here without saving: a closed terminal, a crash.
    }
    assert!(
        gold_text(dir.path(), "_adjudicated", FIRST).is_none(),
        "nothing was saved"
    );

    let mut b = app(dir.path(), "karim");
    assert!(
        b.overlay.is_none(),
        "karim has nothing of his own to recover"
    );
    press(&mut b, "c");
    assert_eq!(b.analyst, "_adjudicated");
    assert!(
        matches!(&b.message, Some((m, _)) if m.contains("restored the unsaved edits")),
        "{:?}",
        b.message
    );
    assert_eq!(
        b.current.review.field("event_type").review.unwrap().value,
        Value::Text("reception".into())
    );
    ctrl(&mut b, 's');
    let saved = gold_text(dir.path(), "_adjudicated", FIRST).unwrap();
    assert!(saved.contains("value: reception"), "{saved}");
    // Back to reviewing: karim's own document, untouched.
    press(&mut b, "c");
    assert_eq!(b.analyst, "karim");
    assert!(!b.current.dirty());
}
