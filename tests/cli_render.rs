//! `tadqiq render` as scripts use it: hostile input, bad arguments, pipes.

use std::process::{Command, Output};

fn tadqiq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn width_of(line: &str) -> usize {
    tadqiq::text::width::str_width(line)
}

#[test]
fn hostile_text_renders_without_control_bytes_or_overflow() {
    for width in ["20", "40", "57", "80"] {
        for shape in ["on", "off"] {
            let out = tadqiq(&[
                "render",
                "tests/data/hostile.txt",
                "--width",
                width,
                "--shape",
                shape,
            ]);
            assert!(out.status.success());
            assert!(
                out.stderr.is_empty(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !out.stdout
                    .iter()
                    .any(|&b| (b < 0x20 && b != b'\n') || b == 0x7f),
                "a control byte reached stdout"
            );
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(!text.contains(['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}']));
            assert!(!text.contains(['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']));
            assert!(!text.contains(['\u{200e}', '\u{200f}', '\u{061c}']));
            assert!(!text.contains(['\u{85}', '\u{9b}']));
            let w: usize = width.parse().unwrap();
            for line in text.lines() {
                assert!(width_of(line) <= w, "{line:?} is wider than {w}");
            }
            // The escape sequences are shown, not obeyed.
            assert!(text.contains('\u{241B}'));
        }
    }
}

#[test]
fn invalid_utf8_is_replaced_with_a_warning() {
    let out = tadqiq(&["render", "tests/data/invalid-utf8.txt", "--width", "40"]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("invalid UTF-8"), "{stderr}");
    assert!(String::from_utf8(out.stdout).unwrap().contains('\u{FFFD}'));
}

#[track_caller]
fn assert_usage_error(args: &[&str], needle: &str) {
    let out = tadqiq(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_arguments_exit_2_with_one_clear_line() {
    assert_usage_error(&["render", "no/such/file.txt"], "no/such/file.txt");
    assert_usage_error(&["render", "samples"], "is a directory");
    assert_usage_error(
        &["render", "samples/000_f130585a628a6cea.txt", "--width", "0"],
        "width",
    );
    assert_usage_error(
        &[
            "render",
            "samples/000_f130585a628a6cea.txt",
            "--width",
            "99999",
        ],
        "width",
    );
    assert_usage_error(
        &[
            "render",
            "samples/000_f130585a628a6cea.txt",
            "--width",
            "abc",
        ],
        "width",
    );
    assert_usage_error(
        &[
            "render",
            "samples/000_f130585a628a6cea.txt",
            "--shape",
            "maybe",
        ],
        "shape",
    );
    assert_usage_error(&["render"], "FILE");
    assert_usage_error(&["frobnicate"], "frobnicate");
    let out = tadqiq(&["render", "no/such/file.txt"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    // Far more than a pipe buffer, so that render writes to a closed pipe.
    let sample = std::fs::read_to_string("samples/000_f130585a628a6cea.txt").unwrap();
    let mut big = tempfile::NamedTempFile::new().unwrap();
    for _ in 0..100 {
        big.write_all(sample.as_bytes()).unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .arg("render")
        .arg(big.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, as `| head` does
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status:?} {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}
