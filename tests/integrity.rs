//! What keeps the gold set whole when files are copied, moved or planted by hand: a review is
//! saved where it was read from, attributed to the folder it is in, and the analyst is never
//! trapped with edits that cannot be saved.

mod common;

use std::fs;
use std::path::Path;

use common::{FIRST, SECOND, app, ctrl, key, press, review, run, store};
use crossterm::event::KeyCode;
use tadqiq::store::recovery;
use tadqiq::tui::app::{Level, Overlay};

/// Every path under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            out.push(p.strip_prefix(root).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_copy_of_a_colleagues_review_is_shown_then_adopted_never_saved_over_theirs() {
    let dir = common::corpus();
    review(dir.path(), "karim", 0, "visit");
    let s = store(dir.path());
    let karims = s.gold_path("karim", FIRST);
    let before = fs::read(&karims).unwrap();
    fs::create_dir_all(s.gold_dir("amina")).unwrap();
    fs::copy(&karims, s.gold_path("amina", FIRST)).unwrap();

    let mut a = app(dir.path(), "amina");
    assert!(
        matches!(&a.overlay, Some(Overlay::NotItsPlace { problem }) if problem.contains("`analyst: karim`")),
        "{:?}",
        a.overlay
    );
    // Leaving it: the article is read-only, and trying to change it asks again.
    key(&mut a, KeyCode::Esc);
    assert!(a.overlay.is_none());
    assert!(a.blocked().is_some());
    press(&mut a, "x");
    assert!(matches!(a.overlay, Some(Overlay::NotItsPlace { .. })));
    // Adopting it: rewritten with amina's name, saved in amina's folder.
    press(&mut a, "a");
    assert!(a.overlay.is_none());
    assert!(a.blocked().is_none());
    assert!(a.current.dirty());
    press(&mut a, "x");
    ctrl(&mut a, 's');
    assert!(
        matches!(&a.message, Some((m, Level::Info)) if m.starts_with("saved ")),
        "{:?}",
        a.message
    );
    let amina = fs::read_to_string(s.gold_path("amina", FIRST)).unwrap();
    assert!(amina.contains("analyst: amina\n"), "{amina}");
    assert_eq!(
        fs::read(&karims).unwrap(),
        before,
        "karim's review untouched"
    );
    assert!(recovery::list(&s, "karim").is_empty());
    assert_eq!(
        fs::read_dir(s.gold_dir("karim")).unwrap().count(),
        // karim's review and his (released) lock file.
        2
    );
}

#[test]
fn an_article_key_that_climbs_out_steers_nothing() {
    let dir = common::corpus();
    let s = store(dir.path());
    fs::create_dir_all(s.gold_dir("amina")).unwrap();
    fs::write(
        s.gold_path("amina", FIRST),
        "article: ../../../../escape\nanalyst: amina\nstatus: in_progress\nfields: {}\n",
    )
    .unwrap();
    let mut a = app(dir.path(), "amina");
    assert!(
        matches!(&a.overlay, Some(Overlay::NotItsPlace { problem }) if problem.contains("`article: ../../../../escape`")),
        "{:?} {:?}",
        a.overlay,
        a.message
    );
    press(&mut a, "a");
    press(&mut a, "x"); // an unsaved change: kept for recovery, in amina's folder
    assert_eq!(recovery::list(&s, "amina"), [FIRST]);
    ctrl(&mut a, 's');
    let saved = fs::read_to_string(s.gold_path("amina", FIRST)).unwrap();
    assert!(saved.starts_with(&format!("article: {FIRST}\n")), "{saved}");
    // Nothing appeared outside the corpus, nor inside it under that name.
    for folder in dir.path().ancestors().take(6) {
        for e in fs::read_dir(folder).unwrap() {
            let name = e.unwrap().file_name();
            assert!(!name.to_string_lossy().contains("escape"), "{folder:?}");
        }
    }
    assert!(!tree(dir.path()).iter().any(|p| p.contains("escape")));
}

#[test]
fn after_a_refused_save_quitting_keeps_the_edits_for_recovery() {
    let dir = common::corpus();
    let s = store(dir.path());
    let mut a = app(dir.path(), "amina");
    press(&mut a, "x");
    ctrl(&mut a, 's');
    press(&mut a, "jx");
    // Someone else rewrites the file meanwhile: the save is refused.
    let path = s.gold_path("amina", FIRST);
    let theirs = fs::read_to_string(&path)
        .unwrap()
        .replace("in_progress", "skipped");
    fs::write(&path, &theirs).unwrap();
    press(&mut a, "q");
    assert!(matches!(a.overlay, Some(Overlay::Quit)));
    press(&mut a, "s");
    assert!(!a.quit);
    assert!(
        matches!(a.overlay, Some(Overlay::Quit)),
        "the dialog stays, with its other ways out"
    );
    assert!(matches!(&a.message, Some((m, Level::Error)) if m.contains("changed on disk")));
    press(&mut a, "k");
    assert!(a.quit);
    assert_eq!(fs::read_to_string(&path).unwrap(), theirs);
    let kept = recovery::load(&s, "amina", FIRST, &a.schema).unwrap();
    assert_eq!(kept.gold, a.current.review.gold);
    assert!(!kept.base_unchanged);
    drop(a);

    // `d` does delete them.
    let mut b = app(dir.path(), "amina");
    press(&mut b, "r");
    press(&mut b, "q");
    assert!(
        matches!(b.overlay, Some(Overlay::Quit)),
        "{:?} {:?}",
        b.overlay,
        b.message
    );
    press(&mut b, "d");
    assert!(b.quit);
    assert!(recovery::list(&s, "amina").is_empty());
}

#[test]
fn the_quit_dialog_says_what_each_key_does() {
    let dir = common::corpus();
    let mut a = app(dir.path(), "amina");
    press(&mut a, "x");
    press(&mut a, "q");
    let backend = ratatui::backend::TestBackend::new(100, 30);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal
        .draw(|f| tadqiq::tui::views::draw(f, &mut a))
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        screen.contains("k  quit, keeping them for recovery"),
        "{screen}"
    );
    assert!(screen.contains("d  discard them (deletes them for good) and quit"));
}

#[test]
fn every_command_attributes_a_review_to_its_folder() {
    let dir = common::corpus();
    review(dir.path(), "amina", 0, "visit");
    review(dir.path(), "karim", 0, "visit");
    review(dir.path(), "karim", 1, "visit");
    let s = store(dir.path());
    // In amina's folder, a file that says it is karim's.
    let text = fs::read_to_string(s.gold_path("karim", SECOND)).unwrap();
    fs::write(s.gold_path("amina", SECOND), text).unwrap();

    let (code, out, err) = run(dir.path(), &["export", "--format", "jsonl"]);
    assert_eq!(code, Some(1), "{err}");
    let karim_second = out
        .lines()
        .filter(|l| l.contains(SECOND) && l.contains("\"analyst\":\"karim\""))
        .count();
    assert!(
        karim_second <= 1,
        "karim's review of {SECOND} exported twice:\n{out}"
    );
    assert!(
        err.contains(&format!(
            "amina/{SECOND}.yaml:2:10: `analyst: karim` but the file is in the folder of `amina`"
        )),
        "{err}"
    );
    let (code, out, err) = run(dir.path(), &["check"]);
    let err = out + &err;
    assert_eq!(code, Some(1));
    assert!(
        err.contains("`analyst: karim` but the file is in the folder of `amina`"),
        "{err}"
    );
    let (_, out, err) = run(dir.path(), &["agree", "--format", "json"]);
    assert!(
        err.contains("`analyst: karim`") || out.contains("invalid"),
        "agree counts it invalid: {out}\n{err}"
    );
    let (_, out, _) = run(dir.path(), &["status", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["analysts"]["amina"]["invalid"], 1, "{out}");
}

#[test]
fn nobody_reviews_as_a_name_tadqiq_keeps() {
    let dir = common::corpus();
    for name in ["_adjudicated", "_x"] {
        let (code, _, err) = run(dir.path(), &["review", "--analyst", name]);
        assert_eq!(code, Some(2));
        assert!(err.contains("keeps for itself"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn export_out_writes_streams_straight_and_refuses_links() {
    let dir = common::corpus();
    review(dir.path(), "amina", 0, "visit");
    let (code, whole, _) = run(dir.path(), &["export", "--format", "jsonl"]);
    assert_eq!(code, Some(0));
    for stdout in ["-", "/dev/stdout"] {
        let (code, out, err) = run(
            dir.path(),
            &["export", "--format", "jsonl", "--out", stdout],
        );
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(out, whole, "--out {stdout}");
    }
    // A link is refused; what it points to is untouched.
    let target = dir.path().join("kept.jsonl");
    fs::write(&target, "kept").unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("link.jsonl")).unwrap();
    let (code, _, err) = run(
        dir.path(),
        &["export", "--format", "jsonl", "--out", "link.jsonl"],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "kept");
    // A FIFO is written straight, to its reader, and stays a FIFO.
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(&fifo).unwrap())
    };
    let (code, _, err) = run(
        dir.path(),
        &["export", "--format", "jsonl", "--out", "fifo"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(reader.join().unwrap(), whole);
    assert!(!fs::metadata(&fifo).unwrap().is_file());
    // An export that fails writes nothing to a stream either.
    fs::write(
        store(dir.path()).gold_path("amina", SECOND),
        "article: x\nanalyst: amina\nstatus: done\nfields: {}\n",
    )
    .unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(&fifo).unwrap())
    };
    let (code, _, _) = run(
        dir.path(),
        &["export", "--format", "jsonl", "--out", "fifo"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        reader.join().unwrap(),
        "",
        "the reader sees the FIFO closed, empty"
    );
}
