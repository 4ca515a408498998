//! End to end: the real `tadqiq` binary in a pseudo-terminal, keys typed, the screen read back
//! through a terminal emulator (vt100), gold files and the terminal's state checked after.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::corpus;
use common::pty::{Session, assert_terminal_restored};

fn gold(dir: &Path, id: &str) -> PathBuf {
    dir.join("annotations/gold/e2e").join(format!("{id}.yaml"))
}

const FIRST: &str = "000_f130585a628a6cea";

#[test]
fn review_confirm_save_help_quit() {
    let dir = corpus();
    let mut s = Session::review(dir.path(), 120, 50);
    s.wait_for(FIRST);
    s.wait_for("Headline");
    // The article reads right to left, shaped: «استقبل المدير العام» in visual order.
    s.wait_for("ﻡﺎﻌﻟﺍ ﺮﻳﺪﻤﻟﺍ ﻞﺒﻘﺘﺳﺍ");
    // …and in the fields panel: the source «مراكش الان».
    s.wait_for("ﻥﻻﺍ ﺶﻛﺍﺮﻣ");

    // Location: its evidence «بمدينة الرباط» is highlighted (yellow) in the article pane.
    s.send("jjjjj");
    s.wait_for("▸");
    {
        let parser = s.screen.lock().unwrap();
        let screen = parser.screen();
        let mut highlighted = String::new();
        for row in 0..48 {
            for col in 49..120 {
                if let Some(cell) = screen.cell(row, col)
                    && cell.bgcolor() == vt100::Color::Idx(3)
                {
                    highlighted.push_str(cell.contents());
                }
            }
        }
        assert_eq!(highlighted, "ﻁﺎﺑﺮﻟﺍ ﺔﻨﻳﺪﻤﺑ");
    }

    // Confirm it and save.
    s.send("a");
    s.wait_for("● unsaved");
    s.send("\x13"); // Ctrl-S
    s.wait_for("saved annotations/"); // not the "unsaved" of the status bar
    let text = std::fs::read_to_string(gold(dir.path(), FIRST)).unwrap();
    assert!(
        text.contains("location:\n    value:\n    - الرباط\n    verdict: confirmed"),
        "{text}"
    );
    assert!(text.contains("analyst: e2e"));

    // Help lists every key of the keymap, page after page.
    s.send("?");
    s.wait_for("Keys");
    let mut seen = s.contents();
    for _ in 0..12 {
        s.send("\x1b[6~"); // PgDn
        std::thread::sleep(Duration::from_millis(150));
        seen.push_str(&s.contents());
    }
    for b in tadqiq::tui::keymap::DEFAULT {
        assert!(seen.contains(b.help), "help lacks {:?}", b.help);
    }
    s.send("\x1b");
    std::thread::sleep(Duration::from_millis(200)); // Esc alone: wait out the escape timeout
    s.send("q");
    s.wait_success();
    assert_terminal_restored(dir.path(), &s, "the review");
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_unsaved_edits() {
    let dir = corpus();
    let mut s = Session::review(dir.path(), 100, 30);
    s.wait_for("Headline");
    s.send("jjx"); // reject published_at, unsaved
    s.wait_for("● unsaved");
    let tadqiq_pid = {
        // The pty runs `sh -c`; tadqiq is its child.
        let out = std::process::Command::new("pgrep")
            .args(["-P", &s.pid().to_string()])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert!(!tadqiq_pid.is_empty());
    std::process::Command::new("kill")
        .args(["-TERM", &tadqiq_pid])
        .status()
        .unwrap();
    s.wait_success();
    assert_terminal_restored(dir.path(), &s, "the review");
    assert!(!gold(dir.path(), FIRST).exists(), "nothing was saved");

    // The next start offers the edits back.
    std::fs::remove_file(dir.path().join("stty.txt")).unwrap();
    let mut s = Session::review(dir.path(), 100, 30);
    s.wait_for("Recover unsaved edits?");
    s.send("r");
    s.wait_for("restored the unsaved edits");
    s.send("\x13");
    s.wait_for("saved annotations/"); // not the "unsaved" of the status bar
    let text = std::fs::read_to_string(gold(dir.path(), FIRST)).unwrap();
    assert!(
        text.contains("published_at:\n    value: null\n    verdict: rejected"),
        "{text}"
    );
    s.send("q");
    s.wait_success();
}

#[test]
fn a_second_instance_is_read_only() {
    let dir = corpus();
    let mut first = Session::review(dir.path(), 100, 30);
    first.wait_for("Headline");
    let mut second = Session::start(dir.path(), 100, 30, "\"$TADQIQ\"");
    second.wait_for("read-only");
    second.send("a");
    second.wait_for("another tadqiq is reviewing as this analyst");
    second.send("q");
    second.wait_success();
    first.send("q");
    first.wait_success();
}

#[test]
fn a_tiny_terminal_gets_a_notice_and_resizes_back() {
    let dir = corpus();
    let mut s = Session::start(dir.path(), 30, 8, "\"$TADQIQ\"");
    s.wait_for("terminal too small");
    s.send("q");
    s.wait_success();
}

impl Session {
    /// The terminal cursor: (row, column).
    fn cursor(&self) -> (u16, u16) {
        self.screen.lock().unwrap().screen().cursor_position()
    }

    /// The screen row holding `text`, and the columns of its first and last cell.
    fn find_on_screen(&self, text: &str) -> Option<(u16, u16, u16)> {
        let parser = self.screen.lock().unwrap();
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        let (rows, cols) = (rows.get(), cols.get());
        let wanted: Vec<char> = text.chars().collect();
        for row in 0..rows {
            let cells: Vec<(u16, String)> = (0..cols)
                .filter_map(|c| {
                    screen
                        .cell(row, c)
                        .map(|cell| (c, cell.contents().to_string()))
                })
                .collect();
            for start in 0..cells.len() {
                let mut k = 0;
                let mut col = start;
                while k < wanted.len() && col < cells.len() {
                    let s: Vec<char> = cells[col].1.chars().collect();
                    let c = if s.is_empty() { ' ' } else { s[0] };
                    if c != wanted[k] {
                        break;
                    }
                    k += 1;
                    col += 1;
                }
                if k == wanted.len() {
                    return Some((row, cells[start].0, cells[col - 1].0));
                }
            }
        }
        None
    }
}

/// Waits until `f` holds, or fails after 5 s with `what`.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(5), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn arabic_typed_into_a_field_reads_right_to_left_with_the_cursor_where_a_reader_expects_it() {
    let dir = corpus();
    let mut s = Session::review(dir.path(), 120, 40);
    s.wait_for("Headline");

    // The headline (the first sample has none): Enter opens the editor; Arabic typed in it
    // shows in visual order, shaped, right-aligned in the box.
    s.send("\r");
    s.wait_for("Enter keeps");
    s.send("عنوان تجريبي");
    let shown = "ﻲﺒﻳﺮﺠﺗ ﻥﺍﻮﻨﻋ";
    s.wait_for(shown);
    let (row, left, right) = s.find_on_screen(shown).unwrap();
    // After typing, the cursor is at the text's left edge: on the cell just left of it.
    eventually("cursor left of the text after typing", || {
        s.cursor() == (row, left - 1)
    });
    // After Home, the logical start is the right edge: on the first letter, rightmost.
    s.send("\x1b[H");
    eventually("cursor on the rightmost letter after Home", || {
        s.cursor() == (row, right)
    });
    // ← moves left on screen, one letter into the word.
    s.send("\x1b[D");
    eventually("cursor one cell left after ←", || {
        s.cursor() == (row, right - 1)
    });
    s.send("\r");
    s.wait_for("+ Headline");

    // Undo, redo.
    s.send("u");
    s.wait_for("undone");
    s.wait_for("· Headline");
    s.send("\x12"); // Ctrl-R
    s.wait_for("redone");
    s.wait_for("+ Headline");

    // The source came from the extractor: a correction.
    s.send("j\r");
    s.wait_for("Enter keeps");
    s.send("\x15"); // Ctrl-U
    s.send("هسبريس");
    s.wait_for("ﺲﻳﺮﺒﺴﻫ");
    s.send("\r");
    s.wait_for("✎ Source");
    s.send("\x13"); // Ctrl-S
    s.wait_for("saved annotations/"); // not the "unsaved" of the status bar
    let text = std::fs::read_to_string(gold(dir.path(), FIRST)).unwrap();
    assert!(
        text.contains("headline:\n    value: عنوان تجريبي\n    verdict: added\n"),
        "{text}"
    );
    assert!(
        text.contains("source:\n    value: هسبريس\n    verdict: corrected\n    was: مراكش الان\n"),
        "{text}"
    );
    s.send("q");
    s.wait_success();
}

#[test]
fn a_long_text_is_edited_in_editor_and_the_screen_comes_back() {
    let dir = corpus();
    // An "editor" that rewrites the file as an analyst would, and records the terminal's
    // settings while it runs: tadqiq must have given the terminal back in cooked mode.
    std::fs::write(
        dir.path().join("ed.sh"),
        "#!/bin/sh\nstty -a > editor-stty.txt\nprintf 'ملخص جديد\\nسطر ثان\\n' > \"$1\"\n",
    )
    .unwrap();
    let mut s = Session::start(
        dir.path(),
        120,
        40,
        "EDITOR=\"sh ./ed.sh\" \"$TADQIQ\"; sleep 0.2",
    );
    s.wait_for("Summary");
    // summary is the 11th field.
    s.send("jjjjjjjjjj");
    std::thread::sleep(Duration::from_millis(200));
    s.send("e");
    s.wait_for("value from $EDITOR");
    s.wait_for("Summary"); // the screen is drawn again
    s.send("\x13");
    s.wait_for("saved annotations/"); // not the "unsaved" of the status bar
    let text = std::fs::read_to_string(gold(dir.path(), FIRST)).unwrap();
    assert!(
        text.contains(
            "summary:\n    value: |-\n      ملخص جديد\n      سطر ثان\n    verdict: corrected"
        ),
        "{text}"
    );
    let stty = std::fs::read_to_string(dir.path().join("editor-stty.txt")).unwrap();
    assert!(stty.contains(" icanon") && stty.contains(" echo"), "{stty}");
    s.send("q");
    s.wait_success();
}

#[test]
fn a_terminal_that_goes_away_ends_the_review_and_keeps_the_edits() {
    let dir = corpus();
    let s = Session::start(dir.path(), 100, 30, "exec \"$TADQIQ\"");
    s.wait_for("Headline");
    let mut s = s;
    s.send("jja"); // confirm published_at: an unsaved change
    s.wait_for("● unsaved");
    // The terminal goes away (a closed SSH session): the master side of the pty is closed.
    let Session {
        mut child,
        writer,
        _master,
        stop,
        ..
    } = s;
    // Every descriptor of the master side closes: ours, and the reader thread's when it
    // wakes up for the next output.
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    drop(writer);
    drop(_master);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("tadqiq kept running after its terminal went away");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success());
    // The unsaved edit is in the recovery file, for the next start.
    let recovery = dir
        .path()
        .join("annotations/gold/e2e")
        .join(format!(".{FIRST}.recovery.yaml"));
    let text = std::fs::read_to_string(&recovery).unwrap();
    assert!(text.contains("published_at"), "{text}");
}

#[test]
fn adjudicating_in_the_terminal_saves_the_adjudicated_gold() {
    let dir = corpus();
    common::team(dir.path());
    let mut s = Session::review(dir.path(), 150, 40);
    s.wait_for("Headline");
    s.send("c");
    s.wait_for("Adjudicating");
    s.wait_for("3 youssef");
    s.wait_for("≠event_type");
    // event_type: Enter takes the majority (visit), then the rest as extracted, done.
    s.send("jjj");
    s.send("\r");
    s.wait_for("event_type: amina's value");
    s.send("A");
    s.send("d");
    std::thread::sleep(Duration::from_millis(300));
    let path = dir
        .path()
        .join("annotations/gold/_adjudicated")
        .join(format!("{FIRST}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("status: done"), "{text}");
    assert!(text.contains("event_type:\n    value: visit\n"), "{text}");
    assert!(
        text.contains("  event_type:\n  - amina\n  - karim\n"),
        "{text}"
    );
    s.send("c");
    s.wait_for("back to reviewing");
    s.send("q");
    s.wait_success();
}

#[test]
fn the_arabic_layout_moves_rejects_and_saves_in_a_real_terminal() {
    let dir = corpus();
    let mut s = Session::review(dir.path(), 100, 30);
    s.wait_for("Headline");
    // ت ت ء on the Arabic (PC) layout are j j x on US QWERTY: reject published_at.
    s.send("تتء");
    s.wait_for("● unsaved");
    // Ctrl-S is a control key whatever the layout.
    s.send("\u{13}");
    s.wait_for("saved annotations/"); // not the "unsaved" of the status bar
    let gold = std::fs::read_to_string(
        dir.path()
            .join(format!("annotations/gold/e2e/{FIRST}.yaml")),
    )
    .unwrap();
    assert!(gold.contains("verdict: rejected"), "{gold}");
}

#[test]
fn the_time_spent_on_an_article_is_saved_with_its_review() {
    let dir = corpus();
    let mut s = Session::review(dir.path(), 100, 30);
    s.wait_for("Headline");
    // At least two seconds pass between opening the article and the save (the clock stops
    // only after two minutes without a key).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    s.send("a");
    s.wait_for("● unsaved");
    s.send("\u{13}");
    s.wait_for("saved annotations/");
    let gold = std::fs::read_to_string(
        dir.path()
            .join(format!("annotations/gold/e2e/{FIRST}.yaml")),
    )
    .unwrap();
    let seconds: u64 = gold
        .lines()
        .find_map(|l| l.strip_prefix("review_seconds: "))
        .unwrap_or_else(|| panic!("no review_seconds in {gold}"))
        .parse()
        .unwrap();
    assert!(seconds >= 2, "{gold}");
    s.send("q");
    s.wait_success();
}

#[test]
fn a_keymap_file_rebinds_keys_and_azerty_places_the_arabic_layout() {
    let dir = corpus();
    std::fs::create_dir_all(dir.path().join("config/tadqiq")).unwrap();
    std::fs::write(
        dir.path().join("config/tadqiq/keys.conf"),
        "# an AZERTY keyboard; confirm on y\nkeyboard = azerty\nfields.confirm = y\n",
    )
    .unwrap();
    let mut s = Session::review(dir.path(), 100, 30);
    s.wait_for("Headline");
    // Help is generated from the keymap in use.
    s.send("?");
    s.wait_for("confirm the field as extracted");
    assert!(
        s.contents()
            .lines()
            .any(|l| l.contains(" y ") && l.contains("confirm the field as extracted")),
        "{}",
        s.contents()
    );
    s.send("\x1b");
    std::thread::sleep(Duration::from_millis(200));
    // `a` confirms no more; `y` does. On the Arabic layout ت is `j` on AZERTY too, and ء
    // (the `x` key) rejects.
    s.send("a");
    s.send("y");
    s.wait_for("● unsaved");
    s.send("تء");
    s.send("\u{13}");
    s.wait_for("saved annotations/");
    let gold = std::fs::read_to_string(
        dir.path()
            .join(format!("annotations/gold/e2e/{FIRST}.yaml")),
    )
    .unwrap();
    assert!(
        gold.contains("headline:\n    value: null\n    verdict: confirmed"),
        "{gold}"
    );
    assert!(gold.contains("verdict: rejected"), "{gold}");
    // ش is on the key labelled `q` on AZERTY: it quits.
    s.send("ش");
    s.wait_success();
}

#[test]
fn a_bad_keymap_file_names_its_line_and_key_and_the_review_does_not_open() {
    let dir = corpus();
    std::fs::write(
        dir.path().join("keys.conf"),
        "fields.confirm = y\nfields.reject = y\n",
    )
    .unwrap();
    let (code, stdout, stderr) = common::run(dir.path(), &["review", "--keys", "keys.conf"]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert_eq!(
        stderr,
        "keys.conf:2:17: `y` is also bound on line 1 (`fields.confirm`), where this binding applies too\ntadqiq: the keymap file has problems; the review does not open\n"
    );
}

#[test]
fn review_queue_low_confidence_opens_the_lowest_first_and_n_follows_it() {
    let dir = corpus();
    let mut s = Session::start(
        dir.path(),
        140,
        40,
        "\"$TADQIQ\" review --queue low-confidence; stty -a > stty.txt; sleep 0.2",
    );
    // 000's published_at (0.32) is the lowest confidence of the samples; then 003's source
    // (0.44).
    s.wait_for("low-confidence 1/5");
    assert!(
        s.contents().contains(&format!("{FIRST}  1/5")),
        "{}",
        s.contents()
    );
    s.send("n");
    s.wait_for("low-confidence 2/5");
    assert!(
        s.contents().contains("003_e6ed9219a86417b6  4/5"),
        "{}",
        s.contents()
    );
    // The table shows the queue in its order, the open article's row selected.
    s.send("g");
    s.wait_for("queue: low-confidence");
    s.send("\x1b");
    std::thread::sleep(Duration::from_millis(200));
    s.send("q");
    s.wait_success();
    assert_terminal_restored(dir.path(), &s, "the review");
}

#[test]
fn an_unknown_queue_is_refused_with_exit_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tadqiq"))
        .args(["review", "--queue", "lowest"])
        .env("TADQIQ_INDEX_DIR", common::index_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value 'lowest'") && err.contains("low-confidence"),
        "{err}"
    );
}
