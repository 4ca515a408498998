//! Nothing raw reaches a terminal or a spreadsheet, through the binary: folder and file names
//! in `status`, `check` and `render` messages are shown sanitized (controls as symbols, bidi
//! controls as `\u{202E}`), CSV cells a spreadsheet would evaluate are quoted as text, JSON
//! escapes C1 and bidi controls, and a failed export writes nothing to stdout.

mod common;

use common::{copy_dir, run};

use std::fs;
use std::path::{Path, PathBuf};

/// A copy of `tests/data/agree` (three analysts, an adjudicated set) with its eight articles.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/agree");
    copy_dir(&fixture, dir.path());
    let articles = dir.path().join("articles");
    fs::create_dir_all(&articles).unwrap();
    for i in 1..=8 {
        fs::write(
            articles.join(format!("a{i}.txt")),
            format!("نص المقال a{i}"),
        )
        .unwrap();
    }
    dir
}

fn gold(dir: &Path, analyst: &str, id: &str) -> PathBuf {
    dir.join("annotations/gold")
        .join(analyst)
        .join(format!("{id}.yaml"))
}

/// Whether `text` holds a char a terminal would act on: C0 (but newline), DEL, C1, or a bidi
/// control.
fn has_raw_control(text: &str) -> bool {
    text.chars().any(|c| {
        (c != '\n' && tadqiq::text::sanitize::is_unsafe_control(c))
            || tadqiq::text::sanitize::is_bidi_control(c)
    })
}

const OSC52: &str = "\u{1b}]52;c;ZXZpbA==\u{7}";

#[test]
fn status_shows_folder_names_with_their_escape_sequences_made_visible() {
    let dir = corpus();
    let name = format!("x{OSC52}\u{9b}31m\u{202e}");
    fs::create_dir_all(dir.path().join("annotations/gold").join(&name)).unwrap();
    fs::copy(
        gold(dir.path(), "amina", "a1"),
        gold(dir.path(), &name, "a1"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["status", "--articles", "articles"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!has_raw_control(&stdout), "{stdout:?}");
    assert!(!has_raw_control(&stderr), "{stderr:?}");
    assert!(
        stdout.contains("x\u{241b}]52;c;ZXZpbA==\u{2407}\\x9B31m\\u{202E}"),
        "{stdout}"
    );
    // The table's columns still line up: every row is as wide as the header.
    let rows: Vec<&str> = stdout.lines().skip(1).take(5).collect();
    let width = rows[0].chars().count();
    assert!(rows.iter().all(|r| r.chars().count() == width), "{stdout}");

    let (code, json, stderr) = run(
        dir.path(),
        &["status", "--articles", "articles", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!has_raw_control(&json), "{json:?}");
    assert!(
        json.contains(r"x\u001b]52;c;ZXZpbA==\u0007\u009b31m\u202e"),
        "{json}"
    );
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(back["analysts"].get(&name).is_some());
}

#[test]
fn check_shows_a_bidi_override_in_a_file_name_as_an_escape() {
    let dir = corpus();
    let id = "a1\u{202e}lmth.exe";
    fs::copy(
        gold(dir.path(), "amina", "a1"),
        gold(dir.path(), "amina", id),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check", "--articles", "articles"]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(!has_raw_control(&stdout), "{stdout:?}");
    assert!(
        stdout.contains("annotations/gold/amina/a1\\u{202E}lmth.exe.yaml:"),
        "{stdout}"
    );
}

#[test]
fn render_names_a_hostile_file_name_sanitized_in_its_utf8_warning() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("b{OSC52}\u{202e}.txt");
    fs::write(dir.path().join(&name), b"ok \xff\n").unwrap();
    let (code, _, stderr) = run(dir.path(), &["render", &name, "--width", "20"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("invalid UTF-8"), "{stderr}");
    assert!(!has_raw_control(&stderr), "{stderr:?}");
    assert!(stderr.contains("\\u{202E}.txt"), "{stderr}");
}
