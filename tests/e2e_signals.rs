//! End to end: every way a review can be ended or stopped from outside (signals, an abort)
//! gives the terminal back and keeps unsaved edits for recovery. The real `tadqiq` binary runs
//! in a pseudo-terminal; its screen is read back through a terminal emulator (vt100).

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::corpus;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Session {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    /// Runs `sh -c SCRIPT` in a pty of `cols`×`rows` in `dir`; `$TADQIQ` is the binary.
    fn start(dir: &Path, cols: u16, rows: u16, script: &str) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", script]);
        cmd.cwd(dir);
        cmd.env("TADQIQ", env!("CARGO_BIN_EXE_tadqiq"));
        cmd.env("TADQIQ_ANALYST", "e2e");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            rows.try_into().unwrap(),
            cols.try_into().unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let (s, r) = (Arc::clone(&screen), Arc::clone(&raw));
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        Session {
            screen,
            raw,
            writer,
            child,
            _master: pty.master,
        }
    }

    fn review(dir: &Path, cols: u16, rows: u16) -> Session {
        // After tadqiq exits, record the terminal's settings: raw mode must be off.
        Session::start(
            dir,
            cols,
            rows,
            "\"$TADQIQ\"; stty -a > stty.txt; sleep 0.2",
        )
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    #[track_caller]
    fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while !self.contents().contains(text) {
            if start.elapsed() > Duration::from_secs(20) {
                panic!("{text:?} never showed; the screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let the app draw before the next key, as a person would.
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits for the `sh -c` around tadqiq to end (it runs `stty` after tadqiq, however
    /// tadqiq ended).
    #[track_caller]
    fn wait_exit(&mut self) {
        let start = Instant::now();
        loop {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = self.child.kill();
                panic!("did not exit; the screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }
}

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

/// The terminal is back to normal: raw mode off (recorded by `stty -a` after tadqiq), the
/// alternate screen left, the cursor shown, bidi given back to the terminal.
#[track_caller]
fn assert_terminal_restored(dir: &Path, session: &Session, what: &str) {
    let start = Instant::now();
    while !dir.join("stty.txt").exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let stty = std::fs::read_to_string(dir.join("stty.txt")).expect("stty ran after tadqiq");
    let words: Vec<&str> = stty.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "{what}: still raw: {stty}"
    );
    let screen = session.screen.lock().unwrap();
    assert!(
        !screen.screen().alternate_screen(),
        "{what}: still on the alternate screen"
    );
    assert!(
        !screen.screen().hide_cursor(),
        "{what}: cursor still hidden"
    );
    let raw = session.raw.lock().unwrap();
    let explicit = find(&raw, b"\x1b[8l").expect("explicit bidi mode was asked for");
    let implicit = rfind(&raw, b"\x1b[8h");
    assert!(
        implicit.is_some_and(|i| i > explicit),
        "{what}: bidi mode not given back"
    );
    // Mouse reports and bracketed paste are off again.
    for off in [&b"\x1b[?1000l"[..], b"\x1b[?2004l"] {
        let on = [&off[..off.len() - 1], b"h"].concat();
        let last_on = rfind(&raw, &on).expect("turned on");
        assert!(
            rfind(&raw, off).is_some_and(|i| i > last_on),
            "{what}: {} left on",
            String::from_utf8_lossy(&on[1..])
        );
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
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
