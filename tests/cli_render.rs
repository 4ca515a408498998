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

/// `render` reads its file a block of lines at a time; what it prints must be what laying out
/// the whole text at once gives, whatever falls on a block's edge: a line longer than a block,
/// CRLF, U+2029, blank lines, invalid bytes, a paragraph with no strong character (its
/// direction comes from the whole text) and no final newline.
#[test]
fn streamed_render_equals_the_whole_text_laid_out() {
    use tadqiq::text::LayoutOptions;
    use tadqiq::text::bidi::dominant_direction;
    use tadqiq::text::layout::{Layouter, paragraphs};

    let sample = std::fs::read_to_string("samples/000_f130585a628a6cea.txt").unwrap();
    let mut bytes = Vec::new();
    while bytes.len() < 3 << 20 {
        bytes.extend_from_slice(sample.as_bytes());
        bytes.extend_from_slice("\r\n2023-12-15\u{2029}\n\n".as_bytes());
        bytes.extend_from_slice(b"bad \xff\xfe bytes\n");
    }
    // One line of 1.5 MiB, longer than a block.
    bytes.extend(
        sample
            .replace('\n', " ")
            .repeat((3 << 19) / sample.len() + 1)
            .into_bytes(),
    );
    bytes.extend_from_slice("\n12 34 \u{2029}Nicolas Lerner".as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    std::fs::write(&path, &bytes).unwrap();

    let out = tadqiq(&["render", path.to_str().unwrap(), "--width", "57"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid UTF-8"));

    let text = String::from_utf8_lossy(&bytes);
    let mut layouter = Layouter::with_fallback(LayoutOptions::new(57), dominant_direction(&text));
    let mut expected = String::new();
    let mut rows = Vec::new();
    for p in paragraphs(&text) {
        rows.clear();
        layouter.paragraph(p, &mut rows);
        for row in &rows {
            expected.extend(std::iter::repeat_n(' ', usize::from(row.indent)));
            expected.push_str(row.text());
            expected.push('\n');
        }
    }
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed.len(), expected.len());
    assert!(printed == expected, "the streamed render differs");
}

#[test]
fn a_line_longer_than_a_read_block_renders_as_laid_out_whole() {
    // More than the 1 MiB `render` reads at a time, in one line with a paragraph separator, a
    // tab and a CRLF: handed to the layout in parts, it gives the rows of the whole text.
    let words = "استقبل المدير (العام) Nicolas Lerner في 2023/12/15 بنسبة 50% ";
    let text = format!(
        "{}\u{2029}{}\t{}\r\nآخر\n",
        words.repeat(9000),
        words.repeat(14000),
        words.repeat(3000)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.txt");
    std::fs::write(&path, &text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .args(["render", path.to_str().unwrap(), "--width", "60"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let layout = tadqiq::text::Layout::new(&text, tadqiq::text::LayoutOptions::new(60));
    let expected: String = layout.rows().iter().map(|r| r.to_line() + "\n").collect();
    assert!(String::from_utf8(out.stdout).unwrap() == expected);
}
