//! The review screen drawn into ratatui's `TestBackend`: snapshots of whole screens at the sizes
//! analysts use (each read by eye before it was accepted), and checks of what a snapshot of
//! symbols cannot show (highlights, colours).

mod common;

use std::path::Path;

use common::{corpus, press};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use tadqiq::tui::{App, Side, views};

fn app(dir: &Path, side: Side, color: bool) -> App {
    common::app_with(dir, "amina", side, color)
}

fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app)).unwrap();
    t
}

#[test]
fn first_screen_at_80x24_and_160x45() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Right, true);
    insta::assert_snapshot!("first_80x24", draw(&mut app, 80, 24).backend());
    insta::assert_snapshot!("first_160x45", draw(&mut app, 160, 45).backend());
}

#[test]
fn reviewed_fields_show_their_verdicts() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Right, true);
    press(&mut app, "aajx"); // headline, source confirmed; event_type rejected
    insta::assert_snapshot!("verdicts_160x45", draw(&mut app, 160, 45).backend());
}

#[test]
fn article_on_the_left_and_the_smallest_screen() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Left, true);
    insta::assert_snapshot!("ltr_80x24", draw(&mut app, 80, 24).backend());
    insta::assert_snapshot!("smallest_40x12", draw(&mut app, 40, 12).backend());
    insta::assert_snapshot!("too_small_39x11", draw(&mut app, 39, 11).backend());
}

#[test]
fn overlays() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Right, true);
    press(&mut app, "?");
    insta::assert_snapshot!("help_100x40", draw(&mut app, 100, 40).backend());
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    press(&mut app, "jjjjjj "); // participants, detail
    insta::assert_snapshot!(
        "detail_participants_100x40",
        draw(&mut app, 100, 40).backend()
    );
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    press(&mut app, "g");
    insta::assert_snapshot!("list_80x24", draw(&mut app, 80, 24).backend());
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    press(&mut app, "aq");
    insta::assert_snapshot!("quit_80x24", draw(&mut app, 80, 24).backend());
}

#[test]
fn evidence_is_highlighted_at_its_visual_columns() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Right, false);
    press(&mut app, "jjjjj"); // location: evidence «بمدينة الرباط»
    assert_eq!(app.field_def().name, "location");
    let t = draw(&mut app, 160, 45);
    let buf = t.backend().buffer();
    let mut highlighted = Vec::new();
    // The article pane: right of the fields panel, above the status bar.
    for y in 0..43 {
        for x in 64..160 {
            let cell = &buf[(x, y)];
            if cell.modifier.contains(Modifier::REVERSED) {
                highlighted.push((y, x, cell.symbol().to_string()));
            }
        }
    }
    // «بمدينة الرباط»: 13 cells, all on one row, in visual order.
    assert_eq!(highlighted.len(), 13, "{highlighted:?}");
    assert!(highlighted.iter().all(|h| h.0 == highlighted[0].0));
    let text: String = highlighted.iter().map(|h| h.2.as_str()).collect();
    // Right to left on screen, shaped: the isolated tah that ends الرباط is leftmost.
    assert_eq!(text, "ﻁﺎﺑﺮﻟﺍ ﺔﻨﻳﺪﻤﺑ");
}

#[test]
fn no_color_means_no_colour() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Right, false);
    press(&mut app, "aajx");
    let t = draw(&mut app, 120, 40);
    let buf = t.backend().buffer();
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset);
        assert_eq!(cell.bg, Color::Reset);
    }
}

#[test]
fn scrolling_past_the_end_is_clamped() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Right, true);
    app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    app.handle_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    draw(&mut app, 80, 24);
    let bottom = app.scroll;
    assert!(bottom > 0);
    press(&mut app, "jjjj");
    draw(&mut app, 80, 24);
    assert_eq!(app.scroll, bottom);
}

#[test]
fn editors_pickers_and_lists() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Right, false);
    // The inline editor on the headline, Arabic typed with a Latin name inside; the cursor
    // after the last letter typed.
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    press(&mut app, "لقاء حموشي و Nicolas Lerner");
    let t = draw(&mut app, 100, 30);
    insta::assert_snapshot!("editor_headline", t.backend());
    let cursor = t.backend().cursor_position();
    insta::assert_snapshot!("editor_headline_cursor", format!("{cursor:?}"));
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));

    // The choice picker, filtered.
    app.field = app.schema.position("event_type").unwrap();
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    press(&mut app, "e");
    insta::assert_snapshot!("picker_event_type", draw(&mut app, 100, 30).backend());
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));

    // The checklist of topics.
    app.field = app.schema.position("topics").unwrap();
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    insta::assert_snapshot!("checklist_topics", draw(&mut app, 100, 30).backend());
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));

    // The records of participants, and one record's form.
    app.field = app.schema.position("participants").unwrap();
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    insta::assert_snapshot!("records_participants", draw(&mut app, 100, 30).backend());
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    insta::assert_snapshot!("record_form", draw(&mut app, 100, 30).backend());
}

#[test]
fn selection_and_search_in_the_article() {
    let dir = corpus();
    let mut app = app(dir.path(), Side::Right, true);
    app.field = app.schema.position("location").unwrap();
    app.handle_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    // A selection from «المدير» to «Nicolas»: it crosses into Latin text and wraps a row.
    press(&mut app, "wwv");
    press(&mut app, &"w".repeat(14));
    let t = draw(&mut app, 100, 30);
    let buf = t.backend().buffer();
    let mut selected = String::new();
    for y in 0..30 {
        for x in 40..100 {
            if buf[(x, y)].bg == Color::Blue {
                selected.push_str(buf[(x, y)].symbol());
            }
        }
        selected.push('|');
    }
    let selected = selected.trim_matches('|').replace("||", "|");
    insta::assert_snapshot!("selection_visual", selected);

    // The search prompt in the status bar.
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    press(&mut app, "/الامن");
    let t = draw(&mut app, 100, 30);
    insta::assert_snapshot!("search_prompt", t.backend());
}

#[test]
fn compare_view_and_agreement_overview() {
    let dir = corpus();
    common::team(dir.path());
    let mut app = app(dir.path(), Side::Right, false);
    press(&mut app, "cjjj");
    insta::assert_snapshot!("compare_140x36", draw(&mut app, 140, 36).backend());
    press(&mut app, "o");
    insta::assert_snapshot!("overview_100x30", draw(&mut app, 100, 30).backend());
}

#[test]
fn the_pipelines_metadata_shows_on_the_article_pane() {
    let dir = corpus();
    std::fs::write(
        dir.path().join("samples/000_f130585a628a6cea.meta.yaml"),
        "url: \"https://example.com/a\\e[2J\"\noutlet: هسبريس\npublished_at: '2023-12-15'\n",
    )
    .unwrap();
    let mut app = app(dir.path(), Side::Right, false);
    let t = draw(&mut app, 120, 30);
    let screen = format!("{:?}", t.backend());
    // The outlet in visual order, the date, and the url with its escape made harmless.
    assert!(
        screen.contains("000_f130585a628a6cea · ﺲﻳﺮﺒﺴﻫ · 2023-12-15"),
        "{screen}"
    );
    assert!(screen.contains("https://example.com/a␛[2J"), "{screen}");
}
