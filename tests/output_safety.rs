//! Nothing raw reaches a terminal or a spreadsheet, through the binary: folder and file names
//! in `status`, `check` and `render` messages are shown sanitized (controls as symbols, bidi
//! controls as `\u{202E}`), CSV cells a spreadsheet would evaluate are quoted as text, JSON
//! escapes C1 and bidi controls, and a failed export writes nothing to stdout.

mod common;

use common::{agree_corpus as corpus, run};

use std::fs;
use std::path::{Path, PathBuf};

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

/// Amina's `a1` with a note and a source value a spreadsheet would evaluate, and C1 and bidi
/// controls in the event type's note.
fn hostile_values(dir: &Path) {
    let path = gold(dir, "amina", "a1");
    let text = fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            "source: {value: أش واقع, verdict: confirmed}",
            "source: {value: '=HYPERLINK(\"http://x\",\"y\")', verdict: corrected, note: '@SUM(A1)'}",
        )
        .replace(
            "event_type: {value: meeting, verdict: confirmed}",
            "event_type: {value: meeting, verdict: confirmed, note: \"meet\\x9B31m\\u202Eing\"}",
        );
    assert!(text.contains("HYPERLINK") && text.contains("\\x9B"));
    fs::write(&path, text).unwrap();
}

fn export(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec![
        "export",
        "--annotations",
        "annotations",
        "--analyst",
        "amina",
    ];
    all.extend_from_slice(args);
    run(dir, &all)
}

#[test]
fn csv_cells_a_spreadsheet_would_evaluate_start_with_a_quote_unless_raw() {
    let dir = corpus();
    hostile_values(dir.path());
    let (code, csv, stderr) = export(dir.path(), &["--format", "csv"]);
    assert_eq!(code, Some(0), "{stderr}");
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let source = rows
        .iter()
        .find(|r| &r[0] == "a1" && &r[2] == "source")
        .unwrap();
    assert_eq!(&source[3], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(&source[9], "'@SUM(A1)");
    // Not a terminal: the cell is the value, controls and all.
    let event = rows
        .iter()
        .find(|r| &r[0] == "a1" && &r[2] == "event_type")
        .unwrap();
    assert_eq!(&event[9], "meet\u{9b}31m\u{202e}ing");

    let (code, raw, _) = export(dir.path(), &["--format", "csv", "--raw-cells"]);
    assert_eq!(code, Some(0));
    assert!(
        raw.contains("\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "{raw}"
    );
    assert!(raw.contains(",@SUM(A1)"), "{raw}");
    assert!(!raw.contains("'="));

    let (code, wide, _) = export(dir.path(), &["--format", "csv", "--layout", "wide"]);
    assert_eq!(code, Some(0));
    assert!(wide.contains("'=HYPERLINK"), "{wide}");

    let (code, _, stderr) = export(dir.path(), &["--format", "jsonl", "--raw-cells"]);
    assert_eq!(code, Some(2), "{stderr}");
}

#[test]
fn jsonl_escapes_c1_and_bidi_controls() {
    let dir = corpus();
    hostile_values(dir.path());
    let (code, jsonl, stderr) = export(dir.path(), &["--format", "jsonl"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!has_raw_control(&jsonl), "{jsonl:?}");
    assert!(jsonl.contains(r"meet\u009b31m\u202eing"), "{jsonl}");
    let a1: serde_json::Value = serde_json::from_str(
        jsonl
            .lines()
            .find(|l| l.contains(r#""article":"a1""#))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        a1["fields"]["event_type"]["note"],
        "meet\u{9b}31m\u{202e}ing"
    );
}

#[test]
fn an_export_to_stdout_that_meets_an_invalid_file_writes_nothing() {
    let dir = corpus();
    // Sorted last: every valid file comes before it.
    fs::write(
        gold(dir.path(), "youssef", "a8"),
        "article: a8\nanalyst: youssef\nstatus: done\nfields:\n  event_type: {value: party, verdict: corrected}\n",
    )
    .unwrap();
    for format in ["jsonl", "csv", "yaml"] {
        let (code, stdout, stderr) = run(
            dir.path(),
            &["export", "--annotations", "annotations", "--format", format],
        );
        assert_eq!(code, Some(1), "{stderr}");
        assert_eq!(stdout, "", "{format}: nothing on stdout");
        assert!(stderr.contains("gold/youssef/a8.yaml:5:"), "{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
    }
    let (code, stdout, stderr) = run(
        dir.path(),
        &[
            "export",
            "--annotations",
            "annotations",
            "--format",
            "jsonl",
            "--skip-invalid",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains(r#""analyst":"amina""#));
}

#[test]
fn csv_and_yaml_on_a_terminal_show_controls_as_symbols() {
    use tadqiq::export::{ExportOptions, Format, export, units};
    let dir = corpus();
    hostile_values(dir.path());
    let store =
        tadqiq::store::Store::new(dir.path().join("articles"), dir.path().join("annotations"));
    let schema = store.load_schema().unwrap().value;
    let options = ExportOptions {
        format: Format::Csv,
        analysts: vec!["amina".into()],
        terminal: true,
        ..Default::default()
    };
    let units = units(&store, &options).unwrap();
    let mut out = Vec::new();
    export(
        &tadqiq::index::Reader::files(&store),
        &schema,
        &options,
        &units,
        &mut out,
        &|_| {},
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!has_raw_control(&text), "{text:?}");
    assert!(text.contains("meet\\x9B31m\\u{202E}ing"), "{text}");
    assert!(text.contains("'=HYPERLINK"), "{text}");

    let options = ExportOptions {
        format: Format::Yaml,
        ..options
    };
    let mut out = Vec::new();
    export(
        &tadqiq::index::Reader::files(&store),
        &schema,
        &options,
        &units,
        &mut out,
        &|_| {},
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!has_raw_control(&text), "{text:?}");
    assert!(text.contains("meet\\x9B31m\\u{202E}ing"), "{text}");
}

#[test]
fn import_notices_show_bidi_controls_in_ids_and_file_names_as_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let input = "in\u{202e}lsonj.jsonl";
    fs::write(
        dir.path().join(input),
        "{\"id\":\"a\u{202e}b\",\"text\":\"x\"}\n{\"id\":\"c\\u001b]52;c;eA==\\u0007\",\"text\":\"y\"}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(
        dir.path(),
        &["import", "articles", input, "--articles", "articles"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!has_raw_control(&stdout), "{stdout:?}");
    assert!(!has_raw_control(&stderr), "{stderr:?}");
    assert!(stderr.contains("in\\u{202E}lsonj.jsonl:1: "), "{stderr}");
    assert!(stderr.contains("a\\u{202E}b"), "{stderr}");
    assert!(
        stdout.starts_with("in\\u{202E}lsonj.jsonl: 2 imported"),
        "{stdout}"
    );
}

/// Runs the binary in a pseudo-terminal in `dir` and returns all it wrote there.
fn on_a_terminal(dir: &Path, args: &[&str]) -> String {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 50,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_tadqiq"));
    cmd.env("TADQIQ_INDEX_DIR", common::index_dir());
    cmd.args(args);
    cmd.cwd(dir);
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let read = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 8192];
        // Ends with EOF or EIO once the child has exited.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    });
    assert!(child.wait().unwrap().success());
    drop(pty.master);
    String::from_utf8(read.join().unwrap()).unwrap()
}

#[test]
fn csv_and_yaml_exported_to_a_real_terminal_reach_it_sanitized() {
    let dir = corpus();
    hostile_values(dir.path());
    for format in ["csv", "yaml"] {
        let shown = on_a_terminal(
            dir.path(),
            &[
                "export",
                "--annotations",
                "annotations",
                "--analyst",
                "amina",
                "--format",
                format,
            ],
        );
        // The terminal turns each newline into CR LF.
        let shown = shown.replace("\r\n", "\n");
        assert!(!has_raw_control(&shown), "{format}: {shown:?}");
        assert!(shown.contains("\\u{202E}ing"), "{format}: {shown}");
    }
}
