//! The review screen's speed: the redraw after a key press on a 50 KB article at 160×45, and
//! the first frame on a corpus of 100 000 articles (listing, opening the first article, drawing).
//!
//! `cargo bench --bench review`; results in BENCHMARKS.md.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tadqiq::store::Store;
use tadqiq::text::BidiMode;
use tadqiq::tui::theme::Theme;
use tadqiq::tui::{App, Config, IndexUse, Side, views};

/// A corpus in `dir`: the schema, and articles made by `article(i)` for `n` ids, each with the
/// first sample's extracted file.
fn corpus(dir: &Path, n: usize, big: bool) {
    let samples = dir.join("samples");
    let ann = dir.join("annotations/extracted");
    std::fs::create_dir_all(&samples).unwrap();
    std::fs::create_dir_all(&ann).unwrap();
    std::fs::copy(
        "annotations/schema.yaml",
        dir.join("annotations/schema.yaml"),
    )
    .unwrap();
    let first = std::fs::read_to_string("samples/000_f130585a628a6cea.txt").unwrap();
    let text = if big {
        // At least 50 KiB: whole samples, in name order, cycled.
        let mut paths: Vec<_> = std::fs::read_dir("samples")
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        let mut text = String::new();
        for path in paths.iter().cycle() {
            if text.len() >= 50 * 1024 {
                break;
            }
            text += &(std::fs::read_to_string(path).unwrap() + "\n");
        }
        text
    } else {
        first
    };
    let source = samples.join("000000.txt");
    std::fs::write(&source, &text).unwrap();
    let extracted =
        std::fs::read_to_string("annotations/extracted/000_f130585a628a6cea.yaml").unwrap();
    std::fs::write(
        ann.join("000000.yaml"),
        extracted.replace("000_f130585a628a6cea", "000000"),
    )
    .unwrap();
    // Hard links: a real folder of n entries without n copies of the text (a new source file
    // every 50 000, under ext4's limit of 65 000 links per file).
    let mut source = source;
    for i in 1..n {
        let path = samples.join(format!("{i:06}.txt"));
        if i % 50_000 == 0 {
            std::fs::write(&path, &text).unwrap();
            source = path;
        } else {
            std::fs::hard_link(&source, path).unwrap();
        }
    }
}

fn app(dir: &Path) -> App {
    App::new(Config {
        store: Store::new(dir.join("samples"), dir.join("annotations")),
        analyst: "bench".into(),
        article_side: Side::Right,
        shape: true,
        bidi: BidiMode::App,
        theme: Theme { color: true },
        // What is measured here is drawing and listing, not the corpus index.
        index: IndexUse::Off,
        keymap: Default::default(),
        queue: None,
    })
    .unwrap()
}

fn redraw(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 1, true);
    let size = std::fs::metadata(dir.path().join("samples/000000.txt"))
        .unwrap()
        .len();
    let mut app = app(dir.path());
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
    terminal.draw(|f| views::draw(f, &mut app)).unwrap();
    let mut down = true;
    c.bench_function(
        &format!("redraw after a key, {} KB article, 160x45", size / 1024),
        |b| {
            b.iter(|| {
                // Alternate j and k so the focus moves (and the evidence highlight with it).
                let key = if down { 'j' } else { 'k' };
                down = !down;
                app.handle_key(KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE));
                terminal.draw(|f| views::draw(f, &mut app)).unwrap();
            })
        },
    );
    let text = app.current.review.article.text.clone();
    c.bench_function(
        "layout of the 50 KB article at the pane's width (a cache miss)",
        |b| b.iter(|| tadqiq::text::Layout::new(&text, tadqiq::text::LayoutOptions::new(94))),
    );
}

fn first_frame(c: &mut Criterion) {
    let n = 100_000;
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), n, false);
    let mut group = c.benchmark_group("first frame");
    group.sample_size(10);
    group.bench_function(format!("{n} articles: open and draw, 160x45"), |b| {
        b.iter(|| {
            let mut app = app(dir.path());
            let mut terminal = Terminal::new(TestBackend::new(160, 45)).unwrap();
            terminal.draw(|f| views::draw(f, &mut app)).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, redraw, first_frame);
criterion_main!(benches);
