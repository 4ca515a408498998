//! Hostile files in a corpus, through the real binary: an alias bomb, a FIFO, a huge sparse
//! file, a dangling symbolic link, a byte order mark, a file where a folder should be. Every
//! command ends (the binary is killed and the test fails if it does not within a bound), says
//! what is wrong once, as `path:line:col: message` or `path: message`, and never aborts.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{FIRST, corpus, store};

const CORPUS: [&str; 4] = ["--articles", "samples", "--annotations", "annotations"];

/// Runs the binary in `dir` with the corpus arguments after `args`; fails the test if it has
/// not ended within 30 s (a hang), or ended by a signal (an abort).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let args: Vec<&str> = args.iter().chain(CORPUS.iter()).copied().collect();
    run_bounded(dir, &args)
}

/// [`run`] with `args` only.
fn run_bounded(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .env("TADQIQ_INDEX_DIR", common::index_dir())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("tadqiq {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    let code = status
        .code()
        .unwrap_or_else(|| panic!("tadqiq {args:?} was killed by a signal: {status:?}\n{err}"));
    assert!(!err.contains("panicked"), "{err}");
    (code, out, err)
}

fn gold_path(dir: &Path, analyst: &str) -> std::path::PathBuf {
    let path = store(dir).gold_path(analyst, FIRST);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    path
}

fn gold(status: &str) -> String {
    format!("article: {FIRST}\nanalyst: amina\nstatus: {status}\nfields: {{}}\n")
}

fn mkfifo(path: &Path) {
    let _ = fs::remove_file(path);
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success());
}

/// One 1 000-item anchor referenced 100 000 times (300 KB, 10⁸ nodes expanded), as two
/// top-level keys; the aliases are on the second line.
fn bomb() -> String {
    format!(
        "bomb_anchor: &a [{}]\nbomb: [{}]\n",
        vec!["x"; 1000].join(","),
        vec!["*a"; 100_000].join(",")
    )
}

/// The first line of a report about `path` that says `what`, as `(line, col, message)`.
fn finding<'a>(report: &'a str, path: &str, what: &str) -> (usize, usize, &'a str) {
    let line = report
        .lines()
        .filter(|l| l.contains(what))
        .find_map(|l| l.strip_prefix(&format!("{path}:")))
        .unwrap_or_else(|| panic!("no finding for {path} in {report}"));
    let mut parts = line.splitn(3, ':');
    let l = parts.next().unwrap().parse().unwrap();
    let c = parts.next().unwrap().parse().unwrap();
    (l, c, parts.next().unwrap().trim())
}

#[test]
fn an_alias_bomb_is_refused_at_its_alias_in_every_kind_of_file() {
    let cases = [
        ("annotations/schema.yaml", None),
        (
            "annotations/extracted/000_f130585a628a6cea.yaml",
            Some(false),
        ),
        (
            "annotations/gold/amina/000_f130585a628a6cea.yaml",
            Some(true),
        ),
    ];
    for (file, gold_file) in cases {
        let dir = corpus();
        let path = dir.path().join(file);
        let before = match gold_file {
            Some(true) => {
                gold_path(dir.path(), "amina");
                gold("done")
            }
            _ => fs::read_to_string(&path).unwrap(),
        };
        fs::write(&path, format!("{before}{}", bomb())).unwrap();
        let aliases_line = before.lines().count() + 2;
        let (code, stdout, _) = run(dir.path(), &["check"]);
        assert_eq!(code, 1, "{stdout}");
        let (line, col, message) = finding(&stdout, file, "aliases");
        assert_eq!(line, aliases_line, "{stdout}");
        assert!(col > 7, "at an alias: {stdout}");
        assert!(message.starts_with("too many aliases"), "{stdout}");
        for cmd in [
            &["status"][..],
            &["export", "--format", "jsonl"],
            &["agree"],
        ] {
            run(dir.path(), cmd);
        }
    }
    // An article's metadata, read by the review screen.
    let dir = corpus();
    let store = store(dir.path());
    fs::write(
        store.article_meta_path(FIRST),
        format!("url: https://example.com/a\n{}", bomb()),
    )
    .unwrap();
    assert!(store.read_article_meta(FIRST).is_none());
}

#[test]
fn a_fifo_in_place_of_a_corpus_file_is_named_never_waited_on() {
    for file in [
        "annotations/schema.yaml",
        "annotations/extracted/000_f130585a628a6cea.yaml",
        "annotations/gold/amina/000_f130585a628a6cea.yaml",
        "samples/000_f130585a628a6cea.txt",
    ] {
        let dir = corpus();
        // A gold file that remembers its article's hash, so `status` reads the article.
        fs::write(
            gold_path(dir.path(), "amina"),
            gold("done") + &format!("article_sha256: {}\n", "0".repeat(64)),
        )
        .unwrap();
        mkfifo(&dir.path().join(file));
        let (code, stdout, _) = run(dir.path(), &["check"]);
        assert_eq!(code, 1, "{file}: {stdout}");
        let (_, _, message) = finding(&stdout, file, "FIFO");
        assert!(
            message.contains("a FIFO (named pipe), not a regular file"),
            "{stdout}"
        );
        run(dir.path(), &["status"]);
        run(dir.path(), &["export", "--format", "jsonl", "--with-text"]);
    }
}

#[test]
fn render_reads_a_fifo_or_a_pipe_named_on_the_command_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("article");
    mkfifo(&fifo);
    let child = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .env("TADQIQ_INDEX_DIR", common::index_dir())
        .args(["render", "--width", "40"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    fs::write(&fifo, "abc def\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "abc def");
    // A pipe on stdin, which was read once and then found empty.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .env("TADQIQ_INDEX_DIR", common::index_dir())
        .args(["render", "--width", "40", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"ghi\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "ghi");
}

fn status_json(dir: &Path) -> serde_json::Value {
    let (code, stdout, stderr) = run(dir, &["status", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// `check` (exit code, stdout) and `status --format json` of a corpus where amina's gold file
/// is `text`, beside, with `karim`, karim's review of the article with that status.
fn check_and_status(text: &str, karim: Option<&str>) -> (i32, String, serde_json::Value) {
    let dir = corpus();
    fs::write(gold_path(dir.path(), "amina"), text).unwrap();
    if let Some(status) = karim {
        let other = gold(status).replace("analyst: amina", "analyst: karim");
        fs::write(gold_path(dir.path(), "karim"), other).unwrap();
    }
    let (code, stdout, _) = run(dir.path(), &["check"]);
    (code, stdout, status_json(dir.path()))
}

#[test]
fn status_counts_as_invalid_what_check_refuses_and_reads_what_it_accepts() {
    let refused = [
        gold("done") + "status: skipped\n",
        gold("done").replace("fields", "note: \"a\0b\"\nfields"),
        gold("skipped") + "---\n" + &gold("done"),
        gold("done") + &bomb(),
        gold("done").replace("fields: {}", "fields: {nope: {value: 1}}"),
    ];
    // Alone, and beside another analyst's review of the article (then `agree` loads it).
    for (text, karim) in refused.iter().flat_map(|t| [(t, false), (t, true)]) {
        let (code, stdout, j) = check_and_status(text, karim.then_some("done"));
        assert_eq!(code, 1, "{text:.200}: {stdout}");
        let counts = &j["analysts"]["amina"];
        assert_eq!(counts["invalid"], 1, "{text:.200}: {j}");
        assert_eq!(counts["done"], 0);
        assert_eq!(counts["skipped"], 0);
        if karim {
            assert_eq!(j["analysts"]["karim"]["done"], 1, "{j}");
            assert_eq!(j["agreement"], serde_json::json!({"invalid_files": 1}));
        }
    }
    let accepted = [
        gold("!!str done"),
        format!("\u{feff}{}", gold("done")),
        format!("{{article: {FIRST}, analyst: amina, fields: {{}}, status: done}}"),
    ];
    for (text, karim) in accepted.iter().flat_map(|t| [(t, false), (t, true)]) {
        let (code, stdout, j) = check_and_status(text, karim.then_some("skipped"));
        assert_eq!(code, 0, "{text}: {stdout}");
        assert_eq!(j["analysts"]["amina"]["done"], 1, "{text}: {j}");
        assert_eq!(j["analysts"]["amina"]["invalid"], 0, "{text}: {j}");
    }
}

#[test]
fn a_huge_file_is_refused_with_its_size_unread() {
    let dir = corpus();
    let path = gold_path(dir.path(), "amina");
    fs::File::create(&path).unwrap().set_len(200 << 20).unwrap();
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    let (_, _, message) = finding(
        &stdout,
        "annotations/gold/amina/000_f130585a628a6cea.yaml",
        "",
    );
    assert_eq!(
        message,
        "the file is 200 MiB; annotation files are at most 16 MiB"
    );
    assert_eq!(status_json(dir.path())["analysts"]["amina"]["invalid"], 1);
}

#[test]
fn a_dangling_symbolic_link_is_named_as_such() {
    let dir = corpus();
    let path = gold_path(dir.path(), "amina");
    std::os::unix::fs::symlink("elsewhere.yaml", &path).unwrap();
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    let (_, _, message) = finding(
        &stdout,
        "annotations/gold/amina/000_f130585a628a6cea.yaml",
        "",
    );
    assert_eq!(
        message,
        "cannot read: a symbolic link to elsewhere.yaml, which does not exist"
    );
    assert_eq!(status_json(dir.path())["analysts"]["amina"]["invalid"], 1);
}

/// Whether `needle` is in `text` exactly once.
fn once(text: &str, needle: &str) -> bool {
    text.matches(needle).count() == 1
}

#[test]
fn errors_are_said_once() {
    // The schema is a folder.
    let dir = corpus();
    let schema = dir.path().join("annotations/schema.yaml");
    fs::remove_file(&schema).unwrap();
    fs::create_dir(&schema).unwrap();
    for cmd in ["status", "agree"] {
        let (code, _, stderr) = run(dir.path(), &[cmd]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(
            stderr,
            "tadqiq: annotations/schema.yaml: a directory, not a regular file; not read\n"
        );
    }
    // The gold set is a file.
    let dir = corpus();
    fs::write(dir.path().join("annotations/gold"), "").unwrap();
    for cmd in [&["status"][..], &["export", "--format", "jsonl"]] {
        let (code, _, stderr) = run(dir.path(), cmd);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.starts_with("tadqiq: annotations/gold: "), "{stderr}");
        assert!(once(&stderr, "annotations/gold"), "{stderr}");
        assert!(once(&stderr.to_lowercase(), "not a directory"), "{stderr}");
    }
}

#[test]
fn a_gold_set_that_is_a_file_is_an_error_for_check() {
    let dir = corpus();
    fs::write(dir.path().join("annotations/gold"), "").unwrap();
    let (code, stdout, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stdout}");
    let (line, col, message) = finding(&stdout, "annotations/gold", "");
    assert_eq!((line, col), (1, 1));
    assert!(
        message.starts_with("cannot list the gold set: "),
        "{stdout}"
    );
    assert!(!message.contains("annotations/gold"), "{stdout}");
}

#[test]
fn an_articles_folder_that_is_a_file_is_not_called_missing() {
    let dir = corpus();
    fs::remove_dir_all(dir.path().join("samples")).unwrap();
    fs::write(dir.path().join("samples"), "").unwrap();
    for cmd in ["check", "status"] {
        let (code, _, stderr) = run(dir.path(), &[cmd]);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(
            stderr,
            "tadqiq: samples: not a folder (a file is in its place)\n"
        );
    }
}

#[test]
fn the_review_screen_opens_on_a_fifo_and_an_alias_bomb_without_waiting() {
    let dir = corpus();
    mkfifo(&gold_path(dir.path(), "amina"));
    fs::write(
        gold_path(dir.path(), "amina").with_file_name(format!("{}.yaml", common::SECOND)),
        format!(
            "{{status: done, {}",
            bomb()
                .replace('\n', ", ")
                .trim_end_matches(", ")
                .to_string()
                + "}"
        ),
    )
    .unwrap();
    let path = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut app = common::app(&path, "amina");
        common::press(&mut app, "n");
        tx.send(()).unwrap();
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the review screen waited on a FIFO");
}

#[cfg(unix)]
#[test]
fn import_refuses_a_fifo_where_it_would_write_instead_of_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    std::fs::create_dir_all(&articles).unwrap();
    let jsonl = dir.path().join("in.jsonl");
    std::fs::write(&jsonl, "{\"id\": \"a1\", \"text\": \"خبر\"}\n").unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(articles.join("a1.txt"))
            .status()
            .unwrap()
            .success()
    );
    let jsonl = jsonl.to_str().unwrap().to_string();
    let articles_arg = articles.to_str().unwrap().to_string();
    let (code, _, err) = run_bounded(
        dir.path(),
        &["import", "articles", &jsonl, "--articles", &articles_arg],
    );
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
}
