//! What the review tests share: a copy of the bundled corpus, an app on it, and keys.
//!
//! Each test binary uses part of it.
#![allow(dead_code)]

pub mod pty;

use std::path::Path;
use std::process::Command;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tadqiq::store::Store;
use tadqiq::text::BidiMode;
use tadqiq::tui::theme::Theme;
use tadqiq::tui::{App, Config, IndexUse, Side};

/// A copy of the bundled samples and annotations (schema and extracted files, no gold) in a
/// temporary folder.
pub fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["samples", "annotations", "annotations/extracted"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(sub).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    dir
}

/// The store over a corpus made by [`corpus`].
pub fn store(dir: &Path) -> Store {
    Store::new(dir.join("samples"), dir.join("annotations"))
}

/// The review screen's state on a corpus, article pane on `side`, after the status scan.
pub fn app_with(dir: &Path, analyst: &str, side: Side, color: bool) -> App {
    let mut app = App::new(Config {
        store: store(dir),
        analyst: analyst.into(),
        article_side: side,
        shape: true,
        bidi: BidiMode::App,
        theme: Theme { color },
        index: IndexUse::Off,
        keymap: Default::default(),
        queue: None,
    })
    .unwrap();
    app.finish_scan();
    app
}

/// [`app_with`] the article on the right, without colours.
pub fn app(dir: &Path, analyst: &str) -> App {
    app_with(dir, analyst, Side::Right, false)
}

/// Types each char as a key press.
pub fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

/// Ctrl and a letter.
pub fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// A key without modifiers.
pub fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// The analyst's gold file of an article, if saved.
pub fn gold_text(dir: &Path, analyst: &str, id: &str) -> Option<String> {
    std::fs::read_to_string(store(dir).gold_path(analyst, id)).ok()
}

/// A corpus with no article yet: `samples/`, `annotations/extracted/`, a gold folder for each
/// of `analysts`, and the bundled schema.
pub fn empty_corpus(analysts: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("samples")).unwrap();
    std::fs::create_dir_all(dir.path().join("annotations/extracted")).unwrap();
    for a in analysts {
        std::fs::create_dir_all(dir.path().join("annotations/gold").join(a)).unwrap();
    }
    std::fs::copy(
        "annotations/schema.yaml",
        dir.path().join("annotations/schema.yaml"),
    )
    .unwrap();
    dir
}

/// The first and second sample.
pub const FIRST: &str = "000_f130585a628a6cea";
pub const SECOND: &str = "001_ac28270826723f34";

/// `analyst` reviews article `index`: everything as extracted, `event_type` set to `event`
/// with the picker, then done.
pub fn review(dir: &Path, analyst: &str, index: usize, event: &str) {
    let mut a = app(dir, analyst);
    let focus = |a: &mut App, name: &str| a.field = a.schema.position(name).unwrap();
    for _ in 0..index {
        press(&mut a, "n");
    }
    press(&mut a, "A");
    focus(&mut a, "event_type");
    key(&mut a, KeyCode::Enter);
    press(&mut a, event);
    key(&mut a, KeyCode::Enter);
    press(&mut a, "d");
}

/// Three analysts: on the first article two say `visit`, one keeps `reception`; on the second
/// they all keep what was extracted; on the third they split three ways.
pub fn team(dir: &Path) {
    review(dir, "amina", 0, "visit");
    review(dir, "karim", 0, "visit");
    review(dir, "youssef", 0, "reception");
    for a in ["amina", "karim", "youssef"] {
        let mut s = app(dir, a);
        press(&mut s, "n");
        press(&mut s, "Ad");
    }
    review(dir, "amina", 2, "meeting");
    review(dir, "karim", 2, "visit");
    review(dir, "youssef", 2, "call");
}

/// Where the binary run by the tests keeps its corpus indexes: in the build folder, not in the
/// user's cache.
pub fn index_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("index")
}

/// Runs the `tadqiq` binary in `dir`: exit code, stdout, stderr.
pub fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .env("TADQIQ_INDEX_DIR", index_dir())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A copy of `tests/data/agree` (three analysts and an adjudicated set) with its eight
/// articles, `articles/a1.txt` … `a8.txt`.
pub fn agree_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/agree");
    copy_dir(&fixture, dir.path());
    let articles = dir.path().join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    for i in 1..=8 {
        std::fs::write(
            articles.join(format!("a{i}.txt")),
            format!("نص المقال a{i}"),
        )
        .unwrap();
    }
    dir
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
