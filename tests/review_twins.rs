//! Twins on the review screen, without a terminal: the article pane's border names the twin,
//! `t` opens it, and `T` offers its reviewed values, which `a` keeps with `from_twin` and
//! `Enter` edits as the analyst's own.

mod common;

use common::{FIRST, SECOND, app, corpus, gold_text, key, press, store};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tadqiq::model::{Value, Verdict};
use tadqiq::tui::{App, views};

/// The screen's rows as text.
fn screen(app: &mut App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect()
}

#[test]
fn the_border_names_the_twin_with_its_similarity() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    assert!(app.twins_known(), "the pass ends before the scan is done");
    let twins = app.twins_of(FIRST).to_vec();
    assert_eq!(twins.len(), 1);
    assert_eq!(twins[0].0, SECOND);
    assert!((0.3..1.0).contains(&twins[0].1), "{twins:?}");
    assert_eq!(app.twins_of(SECOND)[0].0, FIRST);
    for other in [
        "002_d7ac58148a78377f",
        "003_e6ed9219a86417b6",
        "004_7d07bd42072f3ba6",
    ] {
        assert!(app.twins_of(other).is_empty(), "{other}");
    }
    let expected = format!("twin of {SECOND} ({:.2})", twins[0].1);
    assert_eq!(app.twin_title().as_deref(), Some(expected.as_str()));
    let top = &screen(&mut app, 160, 45)[0];
    assert!(top.contains(&expected), "{top}");
    // An article without twins says nothing of them.
    press(&mut app, "nn");
    assert_eq!(app.twin_title(), None);
    assert!(!screen(&mut app, 160, 45)[0].contains("twin of"));
}

#[test]
fn t_opens_the_next_twin_and_comes_back() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "t");
    assert_eq!(app.id(), SECOND);
    press(&mut app, "t");
    assert_eq!(app.id(), FIRST);
    // From the article pane too.
    key(&mut app, KeyCode::Tab);
    press(&mut app, "t");
    assert_eq!(app.id(), SECOND);
    key(&mut app, KeyCode::Tab);
    press(&mut app, "n");
    press(&mut app, "t");
    assert_eq!(app.id(), "002_d7ac58148a78377f", "no twin: it stays");
    assert!(
        matches!(&app.message, Some((m, _)) if m.starts_with("no twin of 002")),
        "{:?}",
        app.message
    );
}

/// amina reviews the first sample: everything as extracted, event_type `visit`, done.
fn review_first(dir: &std::path::Path, analyst: &str) {
    common::review(dir, analyst, 0, "visit");
}

#[test]
fn shift_t_offers_the_twins_values_and_a_keeps_them_with_from_twin() {
    let dir = corpus();
    review_first(dir.path(), "amina");
    let mut app = app(dir.path(), "amina");
    press(&mut app, "n");
    assert_eq!(app.id(), SECOND);
    // Reviewed before the offer: not offered.
    press(&mut app, "a");
    assert_eq!(app.field, 1);
    press(&mut app, "T");
    assert!(
        matches!(&app.message, Some((m, _)) if m.contains(&format!("from amina's review of twin {FIRST}"))),
        "{:?}",
        app.message
    );
    assert!(app.suggestion("headline").is_none(), "already reviewed");
    assert!(
        app.suggestion("body_span").is_none(),
        "spans are offsets into the twin"
    );
    let offered = app.suggestion("event_type").unwrap().clone();
    assert_eq!(offered.value, Value::Text("visit".into()));
    assert_eq!(offered.twin, FIRST);
    // The fields panel shows the offered value, marked.
    app.field = app.schema.position("event_type").unwrap();
    let rows = screen(&mut app, 160, 45).join("\n");
    assert!(
        rows.contains("≈ from twin 000_f130585a628a6cea (amina)"),
        "{rows}"
    );
    assert!(rows.contains("▸≈ Event type"), "{rows}");
    assert!(rows.contains("visit · "), "{rows}");

    // a keeps it, with the twin recorded.
    press(&mut app, "a");
    let r = app.current.review.gold.field("event_type").unwrap().clone();
    assert_eq!(r.value, Value::Text("visit".into()));
    assert_eq!(
        r.verdict,
        Verdict::Corrected,
        "001's extractor said reception"
    );
    assert_eq!(r.from_twin.as_deref(), Some(FIRST));
    assert!(app.suggestion("event_type").is_none());

    // Enter edits the offered value: the analyst's own, without from_twin.
    app.field = app.schema.position("source").unwrap();
    let source = match &app.suggestion("source").unwrap().value {
        Value::Text(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.editing.as_ref().unwrap().editor.text(), source);
    press(&mut app, " ب");
    key(&mut app, KeyCode::Enter);
    let r = app.current.review.gold.field("source").unwrap().clone();
    assert_eq!(r.value, Value::Text(format!("{source} ب")));
    assert_eq!(r.from_twin, None);

    // x still rejects, whatever was offered.
    app.field = app.schema.position("location").unwrap();
    press(&mut app, "x");
    let r = app.current.review.gold.field("location").unwrap();
    assert_eq!((r.verdict, r.from_twin.clone()), (Verdict::Rejected, None));

    common::ctrl(&mut app, 's');
    let text = gold_text(dir.path(), "amina", SECOND).unwrap();
    // In event_type's entry, and nowhere else.
    let event_type = text.find("  event_type:\n").unwrap();
    let twin = text.find(&format!("    from_twin: {FIRST}\n")).unwrap();
    let next = text.find("  location:\n").unwrap();
    assert!(event_type < twin && twin < next, "{text}");
    assert_eq!(text.matches("from_twin").count(), 1, "{text}");
    let report = tadqiq::check::check(&store(dir.path()), &|_| None);
    assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);
}

#[test]
fn another_analysts_done_review_is_offered_when_there_is_none_of_ones_own() {
    let dir = corpus();
    review_first(dir.path(), "amina");
    let mut app = app(dir.path(), "karim");
    press(&mut app, "nT");
    assert_eq!(
        app.suggestion("event_type").map(|s| s.analyst.as_str()),
        Some("amina")
    );
    // None on an article without twins.
    press(&mut app, "nT");
    assert!(app.suggestion("event_type").is_none());
}

#[test]
fn the_keys_are_in_the_help() {
    let help: Vec<String> = tadqiq::tui::keymap::DEFAULT
        .iter()
        .map(|b| b.help.to_string())
        .collect();
    assert!(help.iter().any(|h| h.starts_with("next twin")), "{help:?}");
    assert!(
        help.iter().any(|h| h.starts_with("offer a twin")),
        "{help:?}"
    );
}
