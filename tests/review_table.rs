//! The article table and the review queues on the review screen's state: rows, sort, filters,
//! a queue chosen on the command line or in the table, `n`, `p` and `d` following it, and the
//! status bar naming it — without the index and with it.

mod common;

use std::path::Path;

use common::{corpus, ctrl, key, press, store};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tadqiq::model::Status;
use tadqiq::model::summary::{Column, Queue};
use tadqiq::text::BidiMode;
use tadqiq::tui::app::{Overlay, TABLE_FIRST};
use tadqiq::tui::theme::Theme;
use tadqiq::tui::{App, Config, IndexUse, Side, views};

const A0: &str = "000_f130585a628a6cea";
const A1: &str = "001_ac28270826723f34";
const A2: &str = "002_d7ac58148a78377f";
const A3: &str = "003_e6ed9219a86417b6";
const A4: &str = "004_7d07bd42072f3ba6";

/// The samples' lowest extractor confidences (read off annotations/extracted/): 000 0.32,
/// 003 0.44 (source), 002 0.47, 004 0.55 (event_type), 001 0.72 (organizations).
const BY_CONFIDENCE: [&str; 5] = [A0, A3, A2, A4, A1];

fn open(dir: &Path, queue: Option<Queue>, index: Option<&Path>) -> App {
    let mut app = App::new(Config {
        store: store(dir),
        analyst: "amina".into(),
        article_side: Side::Right,
        shape: true,
        bidi: BidiMode::App,
        theme: Theme { color: false },
        index: index.map_or(IndexUse::Off, |i| IndexUse::Folder(i.to_path_buf())),
        queue,
        keymap: Default::default(),
    })
    .unwrap();
    app.finish_scan();
    app
}

/// Done reviews by karim and salma that disagree on one field of 002 and two of 004.
fn reviews_that_disagree(dir: &Path) {
    let write = |analyst: &str, id: &str, fields: &str| {
        let folder = dir.join("annotations/gold").join(analyst);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join(format!("{id}.yaml")),
            format!("article: {id}\nanalyst: {analyst}\nstatus: done\nfields:\n{fields}"),
        )
        .unwrap();
    };
    write(
        "karim",
        A2,
        "  event_type: {value: meeting, verdict: corrected, was: visit}\n",
    );
    write(
        "salma",
        A2,
        "  event_type: {value: visit, verdict: confirmed}\n",
    );
    write(
        "karim",
        A4,
        "  event_type: {value: meeting, verdict: corrected, was: reception}\n  headline: {value: null, verdict: rejected}\n",
    );
    write(
        "salma",
        A4,
        "  event_type: {value: reception, verdict: confirmed}\n  headline: {value: عنوان, verdict: corrected, was: x}\n",
    );
}

fn screen(app: &mut App) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(140, 30)).unwrap();
    t.draw(|f| views::draw(f, app)).unwrap();
    let buffer = t.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

fn status_bar(app: &mut App) -> String {
    let lines = screen(app);
    lines[lines.len() - 2].clone()
}

fn shown(app: &App) -> Vec<String> {
    let Some(Overlay::List(list)) = &app.overlay else {
        panic!("no table")
    };
    list.shown.iter().map(|&i| app.ids[i].clone()).collect()
}

#[test]
fn the_low_confidence_queue_opens_the_lowest_first_and_n_and_d_follow_it() {
    for indexed in [false, true] {
        let dir = corpus();
        let index = tempfile::tempdir().unwrap();
        let mut app = open(
            dir.path(),
            Some(Queue::LowConfidence),
            indexed.then(|| index.path()),
        );
        assert_eq!(app.id(), BY_CONFIDENCE[0], "indexed: {indexed}");
        assert!(
            status_bar(&mut app).contains("low-confidence 1/5"),
            "{}",
            status_bar(&mut app)
        );
        press(&mut app, "n");
        assert_eq!(app.id(), BY_CONFIDENCE[1]);
        assert!(status_bar(&mut app).contains("low-confidence 2/5"));
        // Done: saved, and the next of the queue, not the next id.
        press(&mut app, "A");
        press(&mut app, "d");
        assert_eq!(app.id(), BY_CONFIDENCE[2]);
        press(&mut app, "p");
        assert_eq!(
            app.id(),
            BY_CONFIDENCE[1],
            "a reviewed article stays in the queue"
        );
        press(&mut app, "nnn");
        assert_eq!(app.id(), BY_CONFIDENCE[4]);
        press(&mut app, "n");
        assert_eq!(app.id(), BY_CONFIDENCE[4]);
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, _)| m.contains("last article of the queue low-confidence")),
            "{:?}",
            app.message
        );
        // The table shows the queue followed, as it was taken.
        press(&mut app, "g");
        assert_eq!(shown(&app), BY_CONFIDENCE);
        // Chosen again (in the table: disagreements, stale, twins, none, not-reviewed,
        // low-confidence), it leaves out the article now reviewed whole.
        for _ in 0..6 {
            ctrl(&mut app, 'n');
        }
        let expected: Vec<&str> = BY_CONFIDENCE
            .iter()
            .copied()
            .filter(|id| *id != BY_CONFIDENCE[1])
            .collect();
        assert_eq!(shown(&app), expected, "indexed: {indexed}");
        assert_eq!(app.queue.as_ref().unwrap().ids, expected);
    }
}

#[test]
fn the_disagreements_queue_puts_the_most_disagreements_first() {
    for indexed in [false, true] {
        let dir = corpus();
        reviews_that_disagree(dir.path());
        let index = tempfile::tempdir().unwrap();
        let mut app = open(
            dir.path(),
            Some(Queue::Disagreements),
            indexed.then(|| index.path()),
        );
        assert_eq!(app.id(), A4, "indexed: {indexed}");
        assert!(status_bar(&mut app).contains("disagreements 1/2"));
        press(&mut app, "n");
        assert_eq!(app.id(), A2);
        // The table marks them, and filters them.
        press(&mut app, "g");
        assert_eq!(shown(&app), [A4, A2], "the table shows the queue followed");
        for _ in 0..3 {
            ctrl(&mut app, 'n'); // stale, twins, none
        }
        assert!(app.queue.is_none());
        assert_eq!(shown(&app).len(), 5);
        ctrl(&mut app, 'd');
        assert_eq!(shown(&app), [A2, A4]);
        let rows = app.table_rows(&[A4.to_string()]);
        assert_eq!(rows[0].disagreements, 2);
        let text = screen(&mut app).join("\n");
        assert!(text.contains('≠'), "{text}");
    }
}

#[test]
fn the_table_sorts_by_any_column_and_filters() {
    for indexed in [false, true] {
        let dir = corpus();
        std::fs::write(
            dir.path().join(format!("samples/{A4}.meta.yaml")),
            "outlet: Hespress\npublished_at: \"2024-03-07\"\n",
        )
        .unwrap();
        let index = tempfile::tempdir().unwrap();
        let mut app = open(dir.path(), None, indexed.then(|| index.path()));
        press(&mut app, "A");
        press(&mut app, "d"); // 000 done
        press(&mut app, "g");
        assert_eq!(shown(&app), [A0, A1, A2, A3, A4]);
        let rows = app.table_rows(&[A0.to_string(), A4.to_string()]);
        assert_eq!(rows[0].status, Some(Status::Done));
        assert!(rows[0].reviewed > 0 && rows[1].reviewed == 0);
        assert_eq!(
            rows[1].headline,
            "السيد الحموشي يتباحث بالرباط مع المديرة العامة للأمن الداخلي الفرنسي"
        );
        assert_eq!(
            (rows[1].outlet.as_str(), rows[1].date.as_str()),
            ("Hespress", "2024-03-07"),
            "from the article's .meta.yaml"
        );
        assert_eq!(rows[0].date, "2023-12-08", "from the extraction");
        // Sort: status (not reviewed first, done last), then reversed.
        ctrl(&mut app, 'o');
        let Some(Overlay::List(list)) = &app.overlay else {
            panic!()
        };
        assert_eq!(list.sort.column, Column::Status);
        assert_eq!(shown(&app), [A1, A2, A3, A4, A0]);
        ctrl(&mut app, 'r');
        assert_eq!(shown(&app), [A0, A1, A2, A3, A4], "ties stay in id order");
        let header = screen(&mut app).join("\n");
        assert!(header.contains("sort: status ▼"), "{header}");
        // Filters: a date range typed, then low confidence only.
        press(&mut app, "date:2023-12..2023-12");
        assert_eq!(shown(&app), [A0, A1]);
        for _ in 0.."date:2023-12..2023-12".len() {
            key(&mut app, KeyCode::Backspace);
        }
        // Text, folded as search is (أ as ا, ة as ه): a piece of 004's headline.
        press(&mut app, "الحموشي يتباحث");
        assert_eq!(shown(&app), [A4]);
        for _ in 0.."الحموشي يتباحث".chars().count() {
            key(&mut app, KeyCode::Backspace);
        }
        press(&mut app, "outlet:Hespress");
        assert_eq!(shown(&app), [A4]);
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.id(), A4);
    }
}

#[test]
fn a_big_corpus_opens_on_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("samples");
    std::fs::create_dir_all(&samples).unwrap();
    std::fs::create_dir_all(dir.path().join("annotations")).unwrap();
    std::fs::copy(
        "annotations/schema.yaml",
        dir.path().join("annotations/schema.yaml"),
    )
    .unwrap();
    for i in 0..=TABLE_FIRST {
        std::fs::write(
            samples.join(format!("{i:04}.txt")),
            format!("خبر رقم {i}\nنص"),
        )
        .unwrap();
    }
    let app = open(dir.path(), None, None);
    assert_eq!(shown(&app).len(), TABLE_FIRST + 1);
    let rows = app.table_rows(&["0007".to_string()]);
    assert_eq!(
        rows[0].headline, "خبر رقم 7",
        "the first line, without a headline field"
    );
    // One article fewer: the review opens on the first article.
    std::fs::remove_file(samples.join("0000.txt")).unwrap();
    let app = open(dir.path(), None, None);
    assert!(app.overlay.is_none());
}

#[test]
fn the_twins_queue_takes_each_group_together_and_the_table_shows_the_similarity() {
    // The samples: 000 and 001 report one event; no other pair does.
    let dir = common::corpus();
    let mut app = open(dir.path(), Some(Queue::Twins), None);
    app.finish_scan();
    for _ in 0..200 {
        if app.queue.is_some() {
            break;
        }
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let q = app.queue.as_ref().expect("the twins queue");
    assert_eq!(q.ids, [common::FIRST, common::SECOND]);
    assert_eq!(app.id(), common::FIRST);
    assert_eq!(app.queue_position().map(|(_, k, n)| (k, n)), Some((1, 2)));
    assert_eq!(app.twins_label(common::FIRST), "0.52");
    assert_eq!(app.twins_label("002_d7ac58148a78377f"), "");
    press(&mut app, "n");
    assert_eq!(app.id(), common::SECOND);
    // The end of the queue: n stays and says so.
    press(&mut app, "n");
    assert_eq!(app.id(), common::SECOND);
}
