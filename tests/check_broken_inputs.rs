//! `tadqiq check` on folders of broken inputs (`tests/check/<case>/`), each run through the
//! binary: stdout must be exactly the case's `expected.txt`, one `path:line:col: message` per
//! problem, every problem in one run, and the exit code 1. The shipped annotations pass.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn check_in(dir: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .env(
            "TADQIQ_INDEX_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("index"),
        )
        .args([
            "check",
            "--articles",
            "articles",
            "--annotations",
            "annotations",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_broken_case_reports_what_is_expected() {
    let mut cases: Vec<_> = std::fs::read_dir("tests/check")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    for case in cases {
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let (code, stdout, stderr) = check_in(&case);
        assert_eq!(stdout, expected, "case {}", case.display());
        assert_eq!(code, Some(1), "case {}: {stderr}", case.display());
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            !stdout.bytes().any(|b| b < 0x20 && b != b'\n'),
            "a control byte in the report of {}",
            case.display()
        );
    }
}

#[test]
fn the_shipped_corpus_is_clean() {
    let out = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .env(
            "TADQIQ_INDEX_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("index"),
        )
        .arg("check")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
}

#[test]
fn a_huge_file_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("articles")).unwrap();
    std::fs::create_dir_all(root.join("annotations/gold/amina")).unwrap();
    std::fs::write(root.join("articles/a.txt"), "خبر").unwrap();
    std::fs::copy(
        "annotations/schema.yaml",
        root.join("annotations/schema.yaml"),
    )
    .unwrap();
    // 100 MB of a valid-looking YAML list.
    let big = "- x\n".repeat(25 << 20);
    std::fs::write(root.join("annotations/gold/amina/a.yaml"), big).unwrap();
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .env(
            "TADQIQ_INDEX_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("index"),
        )
        .args([
            "check",
            "--articles",
            "articles",
            "--annotations",
            "annotations",
        ])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(1));
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("check hung on a 100 MB file");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(out.contains("annotation files are at most 16 MiB"), "{out}");
}
