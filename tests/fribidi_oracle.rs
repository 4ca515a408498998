//! GNU FriBidi as an independent oracle: every row `tadqiq render` prints for the samples, at
//! several widths, with shaping on and off, must equal FriBidi's reordering (and shaping) of the
//! same logical slice, with the paragraph's base direction forced.
//!
//! Also checks what FriBidi cannot: no word that fits is broken, and RTL rows are flush right.
//!
//! Needs the `fribidi` command (Debian: libfribidi-bin). Without it the test is skipped with a
//! message, unless `TADQIQ_REQUIRE_FRIBIDI=1` (set by `.ci/run`), where it fails.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use tadqiq::text::width::str_width;
use tadqiq::text::{Direction, Layout, LayoutOptions};

fn fribidi_available() -> bool {
    let found = Command::new("fribidi")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("TADQIQ_REQUIRE_FRIBIDI").is_none(),
            "TADQIQ_REQUIRE_FRIBIDI is set but `fribidi` is not installed"
        );
        eprintln!("fribidi is not installed (apt-get install libfribidi-bin): comparison skipped");
    }
    found
}

/// FriBidi's visual order of each line, all with the same forced base direction.
fn fribidi(lines: &[String], direction: Direction, shape: bool) -> Vec<String> {
    if lines.is_empty() {
        return Vec::new();
    }
    let dir = if direction.is_rtl() { "--rtl" } else { "--ltr" };
    let mut child = Command::new("fribidi")
        .args(["--nopad", "--nobreak", "--clean", dir])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("fribidi runs");
    let mut input = lines.join("\n");
    input.push('\n');
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("fribidi output");
    writer.join().unwrap().unwrap();
    let text = String::from_utf8(out.stdout).expect("fribidi writes UTF-8");
    let rows: Vec<String> = text
        .lines()
        // FriBidi keeps the string length by writing U+FEFF after a lam-alef ligature.
        .map(|l| l.replace('\u{FEFF}', ""))
        .map(|l| if shape { l } else { unshape_lam_alef(&l) })
        .map(|l| l.trim_matches(' ').to_string())
        .collect();
    assert_eq!(rows.len(), lines.len(), "one output line per input line");
    rows
}

/// Without `--noshape` in FriBidi's command line tool, compare unshaped rows with FriBidi's
/// shaped output folded back to base letters.
fn unshape_lam_alef(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c as u32 {
            0xFEF5 | 0xFEF6 => out.push_str("\u{0622}\u{0644}"),
            0xFEF7 | 0xFEF8 => out.push_str("\u{0623}\u{0644}"),
            0xFEF9 | 0xFEFA => out.push_str("\u{0625}\u{0644}"),
            0xFEFB | 0xFEFC => out.push_str("\u{0627}\u{0644}"),
            0xFE70..=0xFEFF | 0xFB50..=0xFDFF => out.push(fold(c)),
            _ => out.push(c),
        }
    }
    out
}

/// A presentation form's base letter.
fn fold(c: char) -> char {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    use tadqiq::text::shape::{Form, presentation_form};
    static BASES: OnceLock<HashMap<char, char>> = OnceLock::new();
    let bases = BASES.get_or_init(|| {
        let mut m = HashMap::new();
        for base in '\u{0621}'..='\u{06FF}' {
            for form in [Form::Isolated, Form::Final, Form::Initial, Form::Medial] {
                if let Some(p) = presentation_form(base, form) {
                    m.insert(p, base);
                }
            }
        }
        m
    });
    bases.get(&c).copied().unwrap_or(c)
}

fn check_sample(path: &Path, width: u16, shape: bool, compared: &mut usize) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .arg("render")
        .arg(path)
        .args(["--width", &width.to_string()])
        .args(["--shape", if shape { "on" } else { "off" }])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        !printed.bytes().any(|b| b < 0x20 && b != b'\n' || b == 0x7f),
        "control byte in output"
    );
    let options = LayoutOptions {
        shape,
        ..LayoutOptions::new(width)
    };
    let layout = Layout::new(&text, options);
    let printed: Vec<&str> = printed.lines().collect();
    let ours: Vec<String> = layout.rows().iter().map(|r| r.to_line()).collect();
    assert_eq!(printed, ours, "render prints the library's rows");

    let chars: Vec<char> = text.chars().collect();
    let slice = |r: &std::ops::Range<u32>| -> String {
        chars[r.start as usize..r.end as usize]
            .iter()
            .collect::<String>()
            .trim_matches(' ')
            .to_string()
    };
    let mut problems = Vec::new();
    for direction in [Direction::Rtl, Direction::Ltr] {
        let rows: Vec<_> = layout
            .rows()
            .iter()
            .enumerate()
            .filter(|(_, r)| r.direction == direction && !r.text().is_empty())
            .collect();
        let logical: Vec<String> = rows.iter().map(|(_, r)| slice(&r.source)).collect();
        let expected = fribidi(&logical, direction, shape);
        for ((i, row), want) in rows.iter().zip(expected) {
            *compared += 1;
            let got = if shape {
                row.text().to_string()
            } else {
                unshape_lam_alef(row.text())
            };
            if got.trim_matches(' ') != want {
                problems.push(format!(
                    "{} w{width} shape {shape} row {i}:\n  ours    {:?}\n  fribidi {want:?}",
                    path.display(),
                    row.text()
                ));
            }
            if direction.is_rtl() && row.indent + row.width != width {
                problems.push(format!("row {i} is not flush right"));
            }
        }
    }
    // No word that fits is broken: where two rows of a paragraph meet between two non-space
    // chars, the word there must be wider than a row.
    for pair in layout.rows().windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.paragraph != b.paragraph || b.source.start == 0 {
            continue;
        }
        let at = b.source.start as usize;
        if chars[at - 1] != ' ' && chars[at] != ' ' {
            let start = chars[..at]
                .iter()
                .rposition(|&c| c == ' ')
                .map_or(0, |p| p + 1);
            let end = chars[at..]
                .iter()
                .position(|&c| c == ' ')
                .map_or(chars.len(), |p| at + p);
            let word: String = chars[start..end].iter().collect();
            let legal = "-–—/?&=_.".contains(chars[at - 1]) || "([".contains(chars[at]);
            if str_width(&word) <= width as usize && !legal {
                problems.push(format!("w{width}: word broken: {word:?}"));
            }
        }
    }
    problems
}

#[test]
fn samples_match_fribidi_row_by_row() {
    if !fribidi_available() {
        return;
    }
    let mut samples: Vec<_> = std::fs::read_dir("samples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    samples.sort();
    assert_eq!(samples.len(), 5);
    let mut problems = Vec::new();
    let mut compared = 0;
    for path in &samples {
        for width in [40, 57, 80] {
            for shape in [false, true] {
                problems.extend(check_sample(path, width, shape, &mut compared));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(compared > 1000, "only {compared} rows compared");
}
