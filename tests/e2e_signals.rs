//! End to end: every way a review can be ended or stopped from outside (signals, an abort)
//! gives the terminal back and keeps unsaved edits for recovery. The real `tadqiq` binary runs
//! in a pseudo-terminal; its screen is read back through a terminal emulator (vt100).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::corpus;
use common::pty::{Session, assert_terminal_restored};

/// The pid of tadqiq, the child of the `sh -c` the pty runs.
fn tadqiq_pid(s: &Session) -> String {
    let start = Instant::now();
    loop {
        let out = std::process::Command::new("pgrep")
            .args(["-P", &s.pid().to_string()])
            .output()
            .unwrap();
        let pid = String::from_utf8(out.stdout).unwrap().trim().to_string();
        if !pid.is_empty() || start.elapsed() > Duration::from_secs(10) {
            assert!(!pid.is_empty(), "tadqiq is not running");
            return pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(signal: &str, pid: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), pid])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The process's state letter in `/proc/PID/stat` (`T` when stopped).
fn state(pid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(") ").next()?.chars().next()
}

fn recovery(dir: &Path, id: &str) -> PathBuf {
    dir.join("annotations/gold/e2e")
        .join(format!(".{id}.recovery.yaml"))
}

fn gold(dir: &Path, id: &str) -> PathBuf {
    dir.join("annotations/gold/e2e").join(format!("{id}.yaml"))
}

const FIRST: &str = "000_f130585a628a6cea";

/// Starts a review, rejects a field without saving, sends `signal` to tadqiq, and checks that
/// tadqiq ended, gave the terminal back and kept the edit for recovery.
fn signal_ends_the_review(signal: &str) {
    let dir = corpus();
    let mut s = Session::review(dir.path(), 100, 30);
    s.wait_for("Headline");
    s.send("jjx"); // reject published_at, unsaved
    s.wait_for("● unsaved");
    let pid = tadqiq_pid(&s);
    kill(signal, &pid);
    s.wait_exit();
    assert_terminal_restored(dir.path(), &s, signal);
    assert!(
        !gold(dir.path(), FIRST).exists(),
        "{signal}: nothing was saved"
    );
    let kept = std::fs::read_to_string(recovery(dir.path(), FIRST))
        .unwrap_or_else(|e| panic!("{signal}: no recovery file: {e}"));
    assert!(
        kept.contains("published_at:\n      value: null\n      verdict: rejected"),
        "{signal}: {kept}"
    );
}

#[test]
fn sigint_ends_the_review_cleanly() {
    signal_ends_the_review("INT");
}

#[test]
fn sigquit_ends_the_review_cleanly() {
    signal_ends_the_review("QUIT");
}

#[test]
fn sigusr1_sigusr2_and_sigalrm_end_the_review_cleanly() {
    for signal in ["USR1", "USR2", "ALRM"] {
        signal_ends_the_review(signal);
    }
}

#[test]
fn an_abort_gives_the_terminal_back() {
    // SIGABRT is what a failed allocation raises: tadqiq dies of it, but not before its
    // handler has restored the terminal; the edit was already kept.
    signal_ends_the_review("ABRT");
}

#[test]
fn sigtstp_gives_the_terminal_back_until_continued() {
    let dir = corpus();
    let mut s = Session::review(dir.path(), 100, 30);
    s.wait_for("Headline");
    let pid = tadqiq_pid(&s);
    kill("TSTP", &pid);
    let start = Instant::now();
    while state(&pid) != Some('T') {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "tadqiq did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    {
        let screen = s.screen.lock().unwrap();
        assert!(
            !screen.screen().alternate_screen(),
            "stopped on the alternate screen"
        );
        assert!(
            !screen.screen().hide_cursor(),
            "stopped with the cursor hidden"
        );
    }
    kill("CONT", &pid);
    let start = Instant::now();
    while !s.screen.lock().unwrap().screen().alternate_screen() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the screen did not come back"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    s.wait_for("Headline");
    s.send("q");
    s.wait_exit();
    assert_terminal_restored(dir.path(), &s, "TSTP");
}
