//! The review screen's state machine, without a terminal: keys in, state and gold files out.

mod common;

use common::{FIRST, SECOND, app, corpus, ctrl, gold_text, key, press, store};
use crossterm::event::KeyCode;
use tadqiq::model::{Status, Value, Verdict};
use tadqiq::tui::app::{Focus, Level, Overlay};

#[test]
fn opens_on_the_first_field_of_the_first_article() {
    let dir = corpus();
    let app = app(dir.path(), "amina");
    assert_eq!(app.id(), FIRST);
    assert_eq!(app.focus, Focus::Fields);
    assert_eq!(app.field, 0);
    assert!(app.overlay.is_none());
    assert!(app.read_only.is_none());
    assert!(!app.current.dirty());
}

#[test]
fn fields_move_within_bounds_and_tab_switches_pane() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "k");
    assert_eq!(app.field, 0);
    press(&mut app, &"j".repeat(40));
    assert_eq!(app.field, app.schema.fields.len() - 1);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Article);
    press(&mut app, "jjj");
    assert_eq!(app.scroll, 3);
    assert_eq!(
        app.field,
        app.schema.fields.len() - 1,
        "j scrolls the article now"
    );
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Fields);
}

#[test]
fn confirm_then_save_writes_a_confirmed_verdict() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "jj"); // published_at
    press(&mut app, "a");
    assert_eq!(app.field, 3, "a moves on to the next field");
    assert!(app.current.dirty());
    assert!(
        gold_text(dir.path(), "amina", FIRST).is_none(),
        "nothing saved before Ctrl-S"
    );
    ctrl(&mut app, 's');
    assert!(!app.current.dirty());
    assert!(matches!(&app.message, Some((m, Level::Info)) if m.starts_with("saved ")));
    let text = gold_text(dir.path(), "amina", FIRST).unwrap();
    assert!(
        text.contains("published_at:\n    value: '2023-12-08'\n    verdict: confirmed\n"),
        "{text}"
    );
    assert!(text.contains("status: in_progress"));
    assert!(text.contains("article_sha256: "));
    assert!(text.contains("reviewed_at: '20"));
    // The check agrees the file is well-formed.
    let report = tadqiq::check::check(&store(dir.path()), &|_| None);
    assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);
}

#[test]
fn reject_keeps_the_extracted_value_as_was() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "jjjjjjjj"); // countries
    assert_eq!(app.field_def().name, "countries");
    press(&mut app, "x");
    let r = app.current.review.gold.field("countries").unwrap();
    assert_eq!(r.verdict, Verdict::Rejected);
    assert_eq!(r.value, Value::Null);
    assert!(matches!(&r.was, Some(Value::List(v)) if v.len() == 3));
}

#[test]
fn moving_to_another_article_saves_the_one_left() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "a");
    press(&mut app, "n");
    assert_eq!(app.id(), SECOND);
    assert!(gold_text(dir.path(), "amina", FIRST).is_some());
    press(&mut app, "p");
    assert_eq!(app.id(), FIRST);
    assert_eq!(
        app.current.review.gold.field("headline").unwrap().verdict,
        Verdict::Confirmed
    );
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.id(), SECOND);
    press(&mut app, "nnnn");
    assert_eq!(app.index, 4, "stops at the last article");
}

#[test]
fn done_needs_the_required_fields_then_moves_on() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "d");
    assert_eq!(app.id(), FIRST);
    assert!(
        matches!(&app.message, Some((m, Level::Error)) if m.contains("required fields not reviewed: headline"))
    );
    press(&mut app, "A");
    assert!(app.current.review.missing_required(&app.schema).is_empty());
    press(&mut app, "d");
    assert_eq!(app.id(), SECOND);
    let text = gold_text(dir.path(), "amina", FIRST).unwrap();
    assert!(text.contains("status: done"), "{text}");
    assert_eq!(app.counts(), (1, 0, 0));
    press(&mut app, "s");
    assert!(
        gold_text(dir.path(), "amina", SECOND)
            .unwrap()
            .contains("status: skipped")
    );
    assert_eq!(app.counts(), (1, 0, 1));
}

#[test]
fn quitting_with_unsaved_changes_asks_first() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "q");
    assert!(app.quit, "nothing to lose: quits at once");
    drop(app); // gives the analyst's lock back

    let mut app = self::app(dir.path(), "amina");
    press(&mut app, "a");
    press(&mut app, "q");
    assert!(!app.quit);
    assert!(matches!(app.overlay, Some(Overlay::Quit)));
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none() && !app.quit);
    press(&mut app, "q");
    press(&mut app, "s");
    assert!(app.quit);
    assert!(
        gold_text(dir.path(), "amina", FIRST)
            .unwrap()
            .contains("verdict: confirmed")
    );
}

#[test]
fn discarding_on_quit_leaves_no_file_and_no_recovery() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "a");
    let recovery = tadqiq::store::recovery::path(&store(dir.path()), "amina", FIRST);
    assert!(
        recovery.exists(),
        "unsaved edits are kept for recovery at once"
    );
    press(&mut app, "qd");
    assert!(app.quit);
    assert!(gold_text(dir.path(), "amina", FIRST).is_none());
    assert!(!recovery.exists());
}

#[test]
fn unsaved_edits_of_a_killed_session_are_offered_back() {
    let dir = corpus();
    {
        let mut app = app(dir.path(), "amina");
        press(&mut app, "jjx"); // reject published_at
        // The process dies here: no save, no quit.
    }
    let mut app = app(dir.path(), "amina");
    assert!(matches!(&app.overlay, Some(Overlay::Recovery { ids }) if ids == &[FIRST.to_string()]));
    press(&mut app, "r");
    assert!(app.overlay.is_none());
    assert!(app.current.dirty());
    assert_eq!(
        app.current
            .review
            .gold
            .field("published_at")
            .unwrap()
            .verdict,
        Verdict::Rejected
    );
    ctrl(&mut app, 's');
    assert!(
        gold_text(dir.path(), "amina", FIRST)
            .unwrap()
            .contains("verdict: rejected")
    );
    assert!(tadqiq::store::recovery::list(&store(dir.path()), "amina").is_empty());
}

#[test]
fn a_second_instance_of_the_same_analyst_is_read_only() {
    let dir = corpus();
    let first = app(dir.path(), "amina");
    let mut second = app(dir.path(), "amina");
    assert!(
        second
            .read_only
            .as_deref()
            .unwrap()
            .contains("another tadqiq")
    );
    press(&mut second, "a");
    assert!(!second.current.dirty());
    assert!(matches!(&second.message, Some((_, Level::Error))));
    // Another analyst is not affected.
    let other = app(dir.path(), "omar");
    assert!(other.read_only.is_none());
    drop(first);
}

#[test]
fn a_gold_file_changed_behind_our_back_is_not_overwritten() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "a");
    ctrl(&mut app, 's');
    let path = store(dir.path()).gold_path("amina", FIRST);
    let theirs = std::fs::read_to_string(&path)
        .unwrap()
        .replace("in_progress", "done");
    std::fs::write(&path, &theirs).unwrap();
    press(&mut app, "a");
    ctrl(&mut app, 's');
    assert!(matches!(&app.message, Some((m, Level::Error)) if m.contains("changed on disk")));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
    assert!(app.current.dirty(), "our edits are still here");
    press(&mut app, "n");
    assert_eq!(app.id(), FIRST, "not moved away from unsaved edits");
}

#[test]
fn a_broken_gold_file_makes_its_article_read_only() {
    let dir = corpus();
    let path = store(dir.path()).gold_path("amina", FIRST);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "article: [broken\n").unwrap();
    let mut app = app(dir.path(), "amina");
    assert!(
        app.current
            .blocked
            .as_deref()
            .unwrap()
            .contains("fix the gold file first")
    );
    press(&mut app, "a");
    ctrl(&mut app, 's');
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "article: [broken\n"
    );
    press(&mut app, "n");
    assert_eq!(app.id(), SECOND, "other articles are reviewable");
}

#[test]
fn the_list_filters_and_jumps() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "A");
    press(&mut app, "d"); // 000 done, now on 001
    press(&mut app, "g");
    let Some(Overlay::List(list)) = &app.overlay else {
        panic!("no list")
    };
    assert_eq!(list.shown.len(), 5);
    assert_eq!(list.selected, 1, "the open article is selected");
    key(&mut app, KeyCode::Tab); // not reviewed
    let Some(Overlay::List(list)) = &app.overlay else {
        panic!()
    };
    assert_eq!(list.shown.len(), 4);
    key(&mut app, KeyCode::Tab); // in progress
    key(&mut app, KeyCode::Tab); // done
    let Some(Overlay::List(list)) = &app.overlay else {
        panic!()
    };
    assert_eq!(list.shown, [0]);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab); // back to all
    press(&mut app, "003");
    let Some(Overlay::List(list)) = &app.overlay else {
        panic!()
    };
    assert_eq!(list.shown, [3]);
    key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert_eq!(app.index, 3);
}

#[test]
fn help_and_detail_open_and_close() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "?");
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    press(&mut app, "j");
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    press(&mut app, " ");
    assert!(matches!(app.overlay, Some(Overlay::Detail { .. })));
    press(&mut app, "q");
    assert!(app.overlay.is_none());
    assert!(!app.quit, "q closes the overlay, not the app");
}

#[test]
fn statuses_of_earlier_sessions_are_counted() {
    let dir = corpus();
    {
        let mut app = app(dir.path(), "amina");
        press(&mut app, "Ad"); // done
        press(&mut app, "s"); // skipped
        press(&mut app, "a");
        ctrl(&mut app, 's'); // in progress
    }
    let app = app(dir.path(), "amina");
    assert_eq!(app.counts(), (1, 1, 1));
    assert_eq!(
        app.info.get(FIRST).and_then(|i| i.status),
        Some(Status::Done)
    );
    assert_eq!(app.info.get(FIRST).and_then(|i| i.stale), Some(false));
}

#[test]
fn keys_work_with_the_arabic_layout_and_arabic_stays_text_where_it_is_typed() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    // ت is j, ن is k, ش is a: on the Arabic (PC) layout they sit where j, k and a do.
    press(&mut app, "تتن");
    assert_eq!(app.field, 1);
    press(&mut app, "ت");
    press(&mut app, "ش");
    assert_eq!(app.field, 3, "ش confirms and moves on, as a does");
    assert!(app.current.dirty());
    // In the article list, typed Arabic filters the list, as before.
    press(&mut app, "g");
    press(&mut app, "ت");
    assert!(
        matches!(&app.overlay, Some(Overlay::List(l)) if l.query == "ت"),
        "{:?}",
        app.overlay.is_some()
    );
}

#[test]
fn active_review_time_is_saved_in_the_gold_file_and_summed_across_sessions() {
    use std::time::Duration;
    use tadqiq::tui::app::clock::Clock;
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    let clock = Clock::manual();
    app.use_clock(clock.clone());
    clock.advance(Duration::from_secs(30));
    press(&mut app, "a");
    // An hour away from the keyboard counts as two minutes.
    clock.advance(Duration::from_secs(3600));
    press(&mut app, "j");
    assert_eq!(app.review_time(), Duration::from_secs(150));
    clock.advance(Duration::from_secs(10));
    // Looking at the next article without changing it: its time waits for its next save.
    press(&mut app, "n");
    let gold = gold_text(dir.path(), "amina", FIRST).unwrap();
    assert!(gold.contains("review_seconds: 160\n"), "{gold}");
    clock.advance(Duration::from_secs(20));
    press(&mut app, "p");
    assert!(
        gold_text(dir.path(), "amina", SECOND).is_none(),
        "nothing to save on the second article"
    );
    clock.advance(Duration::from_secs(5));
    press(&mut app, "x");
    ctrl(&mut app, 's');
    let gold = gold_text(dir.path(), "amina", FIRST).unwrap();
    assert!(gold.contains("review_seconds: 165\n"), "{gold}");
    // Undoing to what was saved is not a change: the time is the file's.
    press(&mut app, "u");
    assert!(app.current.dirty());
    ctrl(&mut app, 's');
    let gold = gold_text(dir.path(), "amina", FIRST).unwrap();
    assert!(gold.contains("review_seconds: 165\n"), "{gold}");
    drop(app);

    // A later session adds to it.
    let mut app = common::app(dir.path(), "amina");
    let clock = Clock::manual();
    app.use_clock(clock.clone());
    clock.advance(Duration::from_secs(7));
    press(&mut app, "j");
    press(&mut app, "a");
    ctrl(&mut app, 's');
    let gold = gold_text(dir.path(), "amina", FIRST).unwrap();
    assert!(gold.contains("review_seconds: 172\n"), "{gold}");
    press(&mut app, "n");
    clock.advance(Duration::from_secs(15));
    press(&mut app, "a");
    press(&mut app, "p");
    let gold = gold_text(dir.path(), "amina", SECOND).unwrap();
    assert!(
        gold.contains("review_seconds: 15\n"),
        "the 20 s of the ended session were never saved; 15 s now: {gold}"
    );
}
