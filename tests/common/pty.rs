//! The real `tadqiq` binary in a pseudo-terminal, its screen read back through a terminal
//! emulator (vt100): what the end-to-end tests share.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// A shell running in a pseudo-terminal, and what it has drawn.
pub struct Session {
    pub screen: Arc<Mutex<vt100::Parser>>,
    /// Tells the reader thread to stop, closing its side of the terminal.
    pub stop: Arc<std::sync::atomic::AtomicBool>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    /// Runs `sh -c SCRIPT` in a pty of `cols`×`rows` in `dir`; `$TADQIQ` is the binary.
    pub fn start(dir: &Path, cols: u16, rows: u16, script: &str) -> Session {
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
        cmd.env("TADQIQ_INDEX_DIR", super::index_dir());
        cmd.env("TERM", "xterm-256color");
        // The keymap file of whoever runs the tests is not read: `config/` in the corpus is.
        cmd.env("XDG_CONFIG_HOME", dir.join("config"));
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
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        Session {
            screen,
            stop,
            raw,
            writer,
            child,
            _master: pty.master,
        }
    }

    pub fn review(dir: &Path, cols: u16, rows: u16) -> Session {
        // After tadqiq exits, record the terminal's settings: raw mode must be off.
        Session::start(
            dir,
            cols,
            rows,
            "\"$TADQIQ\"; stty -a > stty.txt; sleep 0.2",
        )
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    #[track_caller]
    pub fn wait_for(&self, text: &str) {
        let start = Instant::now();
        while !self.contents().contains(text) {
            if start.elapsed() > Duration::from_secs(20) {
                panic!("{text:?} never showed; the screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let the app draw before the next key, as a person would.
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Waits for the `sh -c` around tadqiq to end (it runs `stty` after tadqiq, however
    /// tadqiq ended), and checks that it ended well.
    #[track_caller]
    pub fn wait_success(&mut self) {
        let status = self.wait_exit();
        assert!(status.success(), "exit status {status:?}");
    }

    /// Waits for the `sh -c` around tadqiq to end; its exit status.
    #[track_caller]
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = self.child.kill();
                panic!("did not exit; the screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().unwrap()
    }
}

/// The terminal is back to normal: raw mode off (recorded by `stty -a` after tadqiq), the
/// alternate screen left, the cursor shown, bidi given back to the terminal.
#[track_caller]
pub fn assert_terminal_restored(dir: &Path, session: &Session, what: &str) {
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

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}
