//! Editing on the review screen, without a terminal: every field type of the shipped schema
//! corrected from the keyboard, evidence chosen in the article, undo and redo, search.

mod common;

use common::{FIRST, SECOND, app, corpus, ctrl, gold_text, key, press};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tadqiq::model::{Evidence, Record, Span, Value, Verdict};
use tadqiq::tui::App;
use tadqiq::tui::app::{Focus, Overlay, Place};

/// Focuses the field called `name`.
fn focus(app: &mut App, name: &str) {
    app.field = app.schema.position(name).unwrap();
}

fn review(app: &App, name: &str) -> (Value, Verdict, Option<Value>) {
    let r = app.current.review.field(name).review.cloned().unwrap();
    (r.value, r.verdict, r.was)
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

#[test]
fn typing_into_an_extracted_field_corrects_it_and_keeps_was() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    focus(&mut app, "source");
    key(&mut app, KeyCode::Enter);
    assert!(app.editing.is_some());
    ctrl(&mut app, 'u');
    press(&mut app, "هسبريس");
    key(&mut app, KeyCode::Enter);
    assert!(app.editing.is_none());
    assert_eq!(
        review(&app, "source"),
        (text("هسبريس"), Verdict::Corrected, Some(text("مراكش الان")))
    );
    ctrl(&mut app, 's');
    let gold = gold_text(dir.path(), "amina", FIRST).unwrap();
    assert!(
        gold.contains("source:\n    value: هسبريس\n    verdict: corrected\n    was: مراكش الان"),
        "{gold}"
    );
}

#[test]
fn typing_into_an_empty_field_adds_and_esc_changes_nothing() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    // headline: not extracted.
    key(&mut app, KeyCode::Enter);
    press(&mut app, "عنوان");
    key(&mut app, KeyCode::Esc);
    assert!(app.current.review.field("headline").review.is_none());
    assert!(!app.current.dirty());
    key(&mut app, KeyCode::Enter);
    press(&mut app, "عنوان تجريبي");
    // Ctrl-S while typing keeps the value and saves.
    ctrl(&mut app, 's');
    assert!(app.editing.is_none());
    assert_eq!(
        review(&app, "headline"),
        (text("عنوان تجريبي"), Verdict::Added, None)
    );
    assert!(!app.current.dirty());
    assert!(
        gold_text(dir.path(), "amina", FIRST)
            .unwrap()
            .contains("عنوان تجريبي")
    );
}

#[test]
fn a_date_that_is_not_iso_8601_cannot_be_kept() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    focus(&mut app, "event_date");
    key(&mut app, KeyCode::Enter);
    press(&mut app, "15/12/2023");
    key(&mut app, KeyCode::Enter);
    let problem = app.editing.as_ref().and_then(|e| e.problem.clone());
    assert!(problem.unwrap().contains("YYYY-MM-DD"));
    assert!(app.current.review.field("event_date").review.is_none());
    // Fixed, the problem goes as soon as the text is right, and Enter keeps it.
    ctrl(&mut app, 'u');
    press(&mut app, "2023-12-14");
    assert!(app.editing.as_ref().unwrap().problem.is_none());
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        review(&app, "event_date"),
        (text("2023-12-14"), Verdict::Added, None)
    );
}

#[test]
fn choice_picker_filters_and_picks() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    focus(&mut app, "event_type");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Some(Overlay::Picker(_))));
    press(&mut app, "زيار"); // the Arabic label of `visit`
    key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert_eq!(
        review(&app, "event_type"),
        (text("visit"), Verdict::Corrected, Some(text("reception")))
    );
    // Esc leaves the value as it was.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Esc);
    assert_eq!(review(&app, "event_type").0, text("visit"));
}

#[test]
fn checklist_toggles_topics() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    focus(&mut app, "topics");
    key(&mut app, KeyCode::Enter);
    // counter_terrorism is first: tick it; untick technical_assistance (8th).
    press(&mut app, " ");
    press(&mut app, "jjjjjjj ");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        review(&app, "topics").0,
        Value::List(vec![
            "counter_terrorism".into(),
            "intelligence_sharing".into()
        ])
    );
    assert_eq!(review(&app, "topics").1, Verdict::Corrected);
}

#[test]
fn list_items_are_added_edited_moved_and_deleted() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    focus(&mut app, "location");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay, Some(Overlay::Items(_))));
    press(&mut app, "o");
    press(&mut app, "المغرب");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        review(&app, "location").0,
        Value::List(vec!["الرباط".into(), "المغرب".into()])
    );
    press(&mut app, "K"); // move المغرب up
    assert_eq!(
        review(&app, "location").0,
        Value::List(vec!["المغرب".into(), "الرباط".into()])
    );
    // Edit the first item.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::End);
    press(&mut app, "ية");
    key(&mut app, KeyCode::Enter);
    press(&mut app, "jD");
    assert_eq!(
        review(&app, "location").0,
        Value::List(vec!["المغربية".into()])
    );
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    // Deleting the last item makes the value none.
    key(&mut app, KeyCode::Enter);
    press(&mut app, "D");
    key(&mut app, KeyCode::Esc);
    assert_eq!(review(&app, "location").0, Value::Null);
    assert_eq!(review(&app, "location").1, Verdict::Rejected);
}

#[test]
fn records_are_edited_in_a_form() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    focus(&mut app, "participants");
    key(&mut app, KeyCode::Enter);
    // The third record is the duplicate «Nicolas Lerner»: delete it.
    press(&mut app, "jjD");
    // The second record's role: open the form, go to `role`, replace it.
    press(&mut app, "k");
    key(&mut app, KeyCode::Enter);
    press(&mut app, "jj");
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'u');
    press(&mut app, "مدير الأمن الداخلي");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc); // back to the records
    // A new record, added after the last one.
    press(&mut app, "jo");
    press(&mut app, "فلان");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    let Value::Records(records) = review(&app, "participants").0 else {
        panic!("records expected")
    };
    let names: Vec<&str> = records.iter().map(|r| r.get("name").unwrap()).collect();
    assert_eq!(
        names,
        [
            "عبد اللطيف حموشي",
            "نيكولا لورنر",
            "عبدالله بن عامر السواحه",
            "فلان"
        ]
    );
    assert_eq!(records[1].get("role"), Some("مدير الأمن الداخلي"));
    assert_eq!(records[3], Record(vec![("name".into(), "فلان".into())]));
    assert_eq!(review(&app, "participants").1, Verdict::Corrected);
}

#[test]
fn a_selection_in_the_article_becomes_evidence_or_value() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    focus(&mut app, "location");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Focus::Article);
    // The first words: «استقبل المدير العام…»; select words 2 and 3.
    press(&mut app, "w");
    assert_eq!(app.word, Some(0..6));
    press(&mut app, "wvw");
    let selection = app.selection().unwrap();
    let article = &app.current.review.article;
    assert_eq!(
        article.slice(Span {
            start: selection.start,
            end: selection.end
        }),
        Some("المدير العام")
    );
    key(&mut app, KeyCode::Enter);
    let r = app.current.review.field("location").review.unwrap();
    assert_eq!(
        r.evidence,
        Some(Evidence::Range(Span {
            start: selection.start,
            end: selection.end
        }))
    );
    assert!(app.anchor.is_none(), "the selection is used up");

    // V on a text field: the text becomes the value too.
    focus(&mut app, "headline");
    press(&mut app, "bbvwwV");
    let r = app.current.review.field("headline").review.unwrap();
    assert_eq!(r.value, text("استقبل المدير العام"));
    assert_eq!(r.verdict, Verdict::Added);
    assert!(matches!(r.evidence, Some(Evidence::Range(_))));

    // A span field takes the selection as its value.
    focus(&mut app, "body_span");
    press(&mut app, "bbbvw");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(
        review(&app, "body_span").0,
        Value::Span(Span { start: 0, .. })
    ));
}

#[test]
fn undo_and_redo_go_through_edits_verdicts_and_saves() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    focus(&mut app, "source");
    press(&mut app, "a"); // confirm source
    press(&mut app, "x"); // reject published_at
    ctrl(&mut app, 's');
    assert!(!app.current.dirty());
    press(&mut app, "u");
    assert!(app.current.review.field("published_at").review.is_none());
    assert!(app.current.dirty(), "undone past the save");
    press(&mut app, "u");
    assert!(app.current.review.field("source").review.is_none());
    press(&mut app, "u");
    assert!(
        matches!(&app.message, Some((m, _)) if m == "nothing to undo"),
        "{:?}",
        app.message
    );
    ctrl(&mut app, 'r');
    ctrl(&mut app, 'r');
    assert_eq!(review(&app, "published_at").1, Verdict::Rejected);
    assert!(!app.current.dirty(), "redone back to what is saved");
    // A new change drops what could be redone.
    press(&mut app, "u");
    focus(&mut app, "headline");
    press(&mut app, "a");
    ctrl(&mut app, 'r');
    assert!(matches!(&app.message, Some((m, _)) if m == "nothing to redo"));
}

#[test]
fn search_folds_arabic_and_moves_across_articles() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    // «الامن» without hamza finds «الأمن».
    press(&mut app, "/");
    assert!(app.prompt.is_some());
    press(&mut app, "للامن");
    key(&mut app, KeyCode::Enter);
    let search = app.search.clone().unwrap();
    let hit = search.hit.unwrap();
    assert_eq!(hit.article, 0);
    let Place::Text(r) = hit.place else {
        panic!("a text hit first")
    };
    let article = &app.current.review.article;
    assert_eq!(
        article.slice(Span {
            start: r.start,
            end: r.end
        }),
        Some("للأمن")
    );
    // n goes through the hits of this article, then on to the next article with one.
    let mut seen_second = false;
    for _ in 0..200 {
        press(&mut app, "n");
        if app.id() == SECOND {
            seen_second = true;
            break;
        }
    }
    assert!(seen_second, "n reached the second article");
    press(&mut app, "N");
    assert_eq!(app.id(), FIRST, "N goes back");
    key(&mut app, KeyCode::Esc);
    assert!(app.search.is_none());
    press(&mut app, "n");
    assert_eq!(app.id(), SECOND, "n is next article again");
}

#[test]
fn a_search_finds_field_values_and_digits_of_both_scripts() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    // The extracted published_at is 2023-12-08; typed with Arabic-Indic digits.
    press(&mut app, "/");
    press(&mut app, "٢٠٢٣-١٢-٠٨");
    key(&mut app, KeyCode::Enter);
    let hit = app.search.clone().unwrap().hit.unwrap();
    assert_eq!(
        hit.place,
        Place::Field(app.schema.position("published_at").unwrap())
    );
    assert_eq!(app.field_def().name, "published_at");
}

#[test]
fn pasted_text_goes_into_the_editor_with_newlines_folded() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    key(&mut app, KeyCode::Enter);
    app.handle_paste("سطر أول\nسطر ثان\u{1b}[2J");
    key(&mut app, KeyCode::Enter);
    assert_eq!(review(&app, "headline").0, text("سطر أول سطر ثان[2J"));
    // In a long text, newlines stay; Alt-Enter types one.
    focus(&mut app, "summary");
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'u');
    app.handle_paste("أ\nب");
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
    press(&mut app, "ج");
    key(&mut app, KeyCode::Enter);
    assert_eq!(review(&app, "summary").0, text("أ\nب\nج"));
}

#[test]
fn nothing_is_edited_in_a_read_only_session() {
    let dir = corpus();
    let _first = app(dir.path(), "amina");
    let mut second = app(dir.path(), "amina");
    assert!(second.read_only.is_some());
    key(&mut second, KeyCode::Enter);
    assert!(second.editing.is_none());
    assert!(second.current.review.gold.fields.is_empty());
}

#[test]
fn a_long_span_is_selected_a_row_at_a_time() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    // Draw once so the app knows the pane's size.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    t.draw(|f| tadqiq::tui::views::draw(f, &mut app)).unwrap();
    focus(&mut app, "body_span");
    key(&mut app, KeyCode::Tab);
    press(&mut app, "wv");
    press(&mut app, &"j".repeat(40));
    t.draw(|f| tadqiq::tui::views::draw(f, &mut app)).unwrap();
    assert!(app.scroll > 0, "the view follows the word cursor");
    key(&mut app, KeyCode::Enter);
    let Value::Span(span) = review(&app, "body_span").0 else {
        panic!("a span")
    };
    assert_eq!(span.start, 0);
    assert!(span.end > 500, "{span:?}");
    // Esc drops the word cursor: j scrolls again.
    key(&mut app, KeyCode::Esc);
    let before = app.scroll;
    press(&mut app, "j");
    assert_eq!(app.scroll, before + 1);
}

#[test]
fn e_exports_the_analysts_finished_reviews() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    press(&mut app, "Ad"); // the first article done
    press(&mut app, "Ad"); // the second
    press(&mut app, "a"); // the third, in progress (and unsaved)
    press(&mut app, "E");
    let path = dir.path().join("annotations/exports/amina.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.starts_with(r#"{"article":"000_f130585a628a6cea","analyst":"amina","status":"done""#)
    );
    assert!(matches!(&app.message, Some((m, _)) if m.starts_with("exported 2 finished reviews")));
    assert!(!app.current.dirty(), "saved first");
}

#[test]
fn a_search_reads_a_bounded_number_of_articles_per_key_and_goes_on_from_there() {
    let dir = corpus();
    let mut app = app(dir.path(), "amina");
    app.search_budget = 1; // one article per key press (2 048 on screen)
    press(&mut app, "/");
    press(&mut app, "معرض الدفاع العالمي"); // only in the third article
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.index, 0, "not found in the one article read");
    assert!(
        matches!(&app.message, Some((m, _)) if m.contains("no hit in the next 1 of 4 articles · n searches on")),
        "{:?}",
        app.message
    );
    press(&mut app, "n");
    assert_eq!(
        app.index, 2,
        "the next press goes on from where the first stopped"
    );
    assert!(app.search.as_ref().unwrap().hit.is_some());

    // A query with no hit anywhere: four presses to read the other articles, then the end.
    key(&mut app, KeyCode::Esc);
    press(&mut app, "/");
    press(&mut app, "zzqq");
    key(&mut app, KeyCode::Enter);
    for read in 2..=4 {
        press(&mut app, "n");
        let expected = format!("no hit in the next {read} of 4 articles");
        assert!(
            matches!(&app.message, Some((m, _)) if m.contains(&expected)),
            "{:?}",
            app.message
        );
    }
    press(&mut app, "n");
    assert!(
        matches!(&app.message, Some((m, _)) if m == "no hits for «zzqq»"),
        "{:?}",
        app.message
    );
    assert_eq!(app.index, 2, "no move without a hit");
}
