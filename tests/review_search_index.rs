//! The review screen with the corpus index: the article list comes from it, `/` answers across
//! the corpus at once with the number of articles, `n` visits each of them in order, and a
//! save is found by the next search.

mod common;

use std::path::Path;

use common::{corpus, ctrl, key, press, store};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tadqiq::model::review::Review;
use tadqiq::text::BidiMode;
use tadqiq::text::fold::fold_query;
use tadqiq::tui::theme::Theme;
use tadqiq::tui::{App, Config, IndexUse, Side, app::places, views};

fn indexed_app(dir: &Path, index: &Path) -> App {
    let mut app = App::new(Config {
        store: store(dir),
        analyst: "amina".into(),
        article_side: Side::Right,
        shape: true,
        bidi: BidiMode::App,
        theme: Theme { color: false },
        index: IndexUse::Folder(index.to_path_buf()),
        keymap: Default::default(),
        queue: None,
    })
    .unwrap();
    app.finish_scan();
    app
}

/// The articles with a hit, by reading each.
fn full_scan(dir: &Path, query: &str) -> Vec<String> {
    let store = store(dir);
    let schema = store.load_schema().unwrap().value;
    let folded = fold_query(query);
    store
        .list_articles()
        .unwrap()
        .into_iter()
        .filter(|id| {
            let article = store.read_article(id).unwrap();
            let extracted = store.load_extracted(id, &schema).unwrap().map(|l| l.value);
            let gold = store
                .load_gold("amina", id, &schema)
                .unwrap()
                .map(|l| l.value);
            let review = Review::new(article, extracted, gold, "amina");
            !places(&review, &schema, &folded).1.is_empty()
        })
        .collect()
}

fn status_line(app: &mut App) -> String {
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    t.draw(|f| views::draw(f, app)).unwrap();
    let buffer = t.backend().buffer();
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .filter(|line| line.contains("articles ·"))
        .collect()
}

#[test]
fn a_search_counts_the_articles_with_hits_and_n_visits_each_in_order() {
    let dir = corpus();
    let index = tempfile::tempdir().unwrap();
    let query = "فرنسا";
    let expected = full_scan(dir.path(), query);
    assert!(
        expected.len() >= 2,
        "hits in several articles: {expected:?}"
    );
    let mut app = indexed_app(dir.path(), index.path());
    press(&mut app, "/");
    press(&mut app, query);
    key(&mut app, KeyCode::Enter);
    let counted = format!("«{query}»: {} articles · hit 1 of", expected.len());
    assert!(
        matches!(&app.message, Some((m, _)) if m.starts_with(&counted)),
        "{:?}",
        app.message
    );
    assert!(
        status_line(&mut app).contains(&format!("{} articles ·", expected.len())),
        "the count is on screen"
    );
    assert_eq!(
        app.search.as_ref().unwrap().articles.as_deref(),
        Some(&expected)
    );
    // n goes through each article's hits, then to the next article with one, wrapping.
    let mut visited = vec![app.id().to_string()];
    for _ in 0..2000 {
        press(&mut app, "n");
        if app.id() != visited.last().unwrap() {
            if app.id() == visited[0] {
                break;
            }
            visited.push(app.id().to_string());
        }
    }
    let start = expected.iter().position(|id| *id == visited[0]).unwrap();
    let mut in_order = expected.clone();
    in_order.rotate_left(start);
    assert_eq!(visited, in_order);
    // Back at the first hit of the first article: N goes to the previous article with one.
    press(&mut app, "N");
    assert_eq!(app.id(), *visited.last().unwrap());
}

#[test]
fn a_saved_value_is_found_at_once_and_the_list_comes_from_the_index() {
    let dir = corpus();
    let index = tempfile::tempdir().unwrap();
    let mut app = indexed_app(dir.path(), index.path());
    // A headline only this analyst wrote, on the third article.
    press(&mut app, "nn");
    let third = app.id().to_string();
    app.field = app.schema.position("headline").unwrap();
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'u');
    press(&mut app, "عنوانٌ فريدٌ جدّاً");
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 's');
    press(&mut app, "/");
    press(&mut app, "عنوان فريد");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.search.as_ref().unwrap().articles.as_deref(),
        Some(&vec![third.clone()])
    );
    assert!(
        matches!(&app.message, Some((m, _)) if m.starts_with("«عنوان فريد»: 1 article · hit 1 of 1")),
        "{:?}",
        app.message
    );
    drop(app);
    // A new article: the next session opens on the index's list, then takes in the new one.
    std::fs::write(dir.path().join("samples/zz_new.txt"), "خبر جديد").unwrap();
    let ids = store(dir.path()).list_articles().unwrap();
    let again = indexed_app(dir.path(), index.path());
    assert_eq!(again.ids, ids);
}
