//! Taking the terminal over and giving it back, whatever happens: a normal quit, an error, a
//! panic, an abort, SIGTERM or SIGHUP (a closed SSH session), SIGINT, SIGQUIT, SIGALRM, SIGUSR1,
//! SIGUSR2; and for SIGTSTP, until the analyst brings tadqiq back.
//!
//! Restoring turns raw mode off first (so that a panic message prints readably), leaves the
//! alternate screen, shows the cursor, and gives bidi reordering back to terminals that do it
//! (`CSI 8 h`): tadqiq draws in visual order and asks them for explicit mode (`CSI 8 l`).

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::text::BidiMode;

/// Explicit mode of the terminal-wg BiDi recommendation: the terminal must not reorder.
const BIDI_EXPLICIT: &[u8] = b"\x1b[8l";
/// Implicit mode, the default: the terminal may reorder again.
const BIDI_IMPLICIT: &[u8] = b"\x1b[8h";

/// The terminal while tadqiq owns it; dropping it gives the terminal back.
pub struct Tui {
    /// The ratatui terminal.
    pub terminal: Terminal<CrosstermBackend<io::Stdout>>,
    bidi: BidiMode,
    restored: bool,
}

/// The signals that end a review cleanly (terminal restored, unsaved edits kept for recovery)
/// instead of killing tadqiq with the terminal left raw: whatever sends them, `kill`, `timeout`,
/// a closed SSH session, a batch system's warning.
pub const TERMINATING: [i32; 7] = {
    use signal_hook::consts::*;
    [SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2]
};

/// Set by any of the [`TERMINATING`] signals; the event loop checks it.
pub fn termination_flag() -> io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in TERMINATING {
        signal_hook::flag::register(signal, Arc::clone(&flag))?;
    }
    Ok(flag)
}

/// Set by SIGTSTP (`kill -TSTP`; in raw mode Ctrl-Z sends nothing); the event loop then gives
/// the terminal back, stops, and takes the terminal again when continued.
pub fn suspension_flag() -> io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTSTP, Arc::clone(&flag))?;
    Ok(flag)
}

/// Stops the process as SIGTSTP would have by default; returns when it is continued.
pub fn stop_self() {
    let _ = signal_hook::low_level::raise(signal_hook::consts::SIGSTOP);
}

/// Whether a termination signal arrived.
pub fn terminated(flag: &AtomicBool) -> bool {
    flag.load(Ordering::Relaxed)
}

/// The event loop's pulse: the time of its last turn, which the watchdog reads.
#[derive(Clone, Debug)]
pub struct Heartbeat(Arc<AtomicU64>);

impl Heartbeat {
    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    /// A pulse now.
    pub fn new() -> Heartbeat {
        Heartbeat(Arc::new(AtomicU64::new(Heartbeat::now())))
    }

    /// The event loop went round once more.
    pub fn beat(&self) {
        self.0.store(Heartbeat::now(), Ordering::Relaxed);
    }

    fn silent_for(&self) -> Duration {
        Duration::from_millis(Heartbeat::now().saturating_sub(self.0.load(Ordering::Relaxed)))
    }
}

impl Default for Heartbeat {
    fn default() -> Self {
        Heartbeat::new()
    }
}

/// Ends the process when the event loop cannot: crossterm 0.29 reads a terminal that has gone
/// away (a closed SSH session, a killed tmux pane) in a loop that never returns, so neither the
/// termination flag nor the loop's own checks are ever reached (crossterm issue #793). Unsaved
/// edits are already in the recovery file, and the analyst's lock goes with the process.
///
/// - The terminal is gone (stdin no longer a terminal: the kernel hung it up): exit at once.
/// - A termination signal arrived and the loop has not gone round for a second: give the
///   terminal back as well as can be done, and exit.
///
/// A loop that is busy for a long time on a live terminal (`$EDITOR`, a long search) is left
/// alone.
pub fn spawn_watchdog(flag: Arc<AtomicBool>, heartbeat: Heartbeat, bidi: BidiMode) {
    use std::io::IsTerminal;
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(250));
            if !io::stdin().is_terminal() {
                std::process::exit(129);
            }
            if terminated(&flag) && heartbeat.silent_for() > Duration::from_secs(1) {
                restore(bidi);
                std::process::exit(143);
            }
        }
    });
}

impl Tui {
    /// Takes the terminal over: raw mode, alternate screen, mouse, bracketed paste, explicit
    /// bidi; and chains a panic hook that gives it back before the panic is printed.
    pub fn enter(bidi: BidiMode) -> io::Result<Tui> {
        install_panic_hook(bidi);
        install_abort_handler(bidi)?;
        terminal::enable_raw_mode()?;
        let mut stdout = io::stdout();
        let setup = (|| {
            execute!(
                stdout,
                EnterAlternateScreen,
                EnableMouseCapture,
                EnableBracketedPaste,
                cursor::Hide
            )?;
            if bidi == BidiMode::App {
                stdout.write_all(BIDI_EXPLICIT)?;
                stdout.flush()?;
            }
            Terminal::new(CrosstermBackend::new(io::stdout()))
        })();
        match setup {
            Ok(terminal) => Ok(Tui {
                terminal,
                bidi,
                restored: false,
            }),
            Err(e) => {
                restore(bidi);
                Err(e)
            }
        }
    }

    /// Gives the terminal back (also done on drop).
    pub fn exit(&mut self) {
        if !self.restored {
            self.restored = true;
            restore(self.bidi);
        }
    }

    /// Gives the terminal back for an outside program (`$EDITOR`) and takes it again after.
    pub fn suspend<T>(&mut self, f: impl FnOnce() -> T) -> io::Result<T> {
        restore(self.bidi);
        let out = f();
        terminal::enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste,
            cursor::Hide
        )?;
        if self.bidi == BidiMode::App {
            io::stdout().write_all(BIDI_EXPLICIT)?;
        }
        // The screen is blank again; make ratatui believe so with an empty frame, so that the
        // next draw paints everything. (`Terminal::clear` would ask the terminal where its
        // cursor is, and hang for seconds on one that does not answer.)
        execute!(io::stdout(), terminal::Clear(terminal::ClearType::All))?;
        self.terminal.draw(|_| {})?;
        Ok(out)
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        // During a panic the hook has already restored the terminal.
        if !std::thread::panicking() {
            self.exit();
        }
    }
}

/// Restores the terminal; every step is tried even if an earlier one fails.
pub fn restore(bidi: BidiMode) {
    let _ = terminal::disable_raw_mode();
    let mut stdout = io::stdout();
    let _ = execute!(
        stdout,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    if bidi == BidiMode::App {
        let _ = stdout.write_all(BIDI_IMPLICIT);
    }
    let _ = stdout.flush();
}

fn install_panic_hook(bidi: BidiMode) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore(bidi);
        previous(info);
    }));
}

/// What turns off everything [`Tui::enter`] turns on (bracketed paste, the mouse reports, the
/// alternate screen, the hidden cursor), as crossterm writes it.
const RESTORE: &[u8] =
    b"\x1b[?2004l\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?1049l\x1b[?25h";

/// Gives the terminal back when tadqiq aborts (SIGABRT: a failed allocation, `abort()`), which
/// neither the panic hook nor `Drop` sees: the handler sets the terminal's settings saved
/// before raw mode and writes [`RESTORE`], with nothing but `tcsetattr(3)` and `write(2)` (a
/// signal handler may not allocate or lock), then lets the abort go on. Unsaved edits are
/// already in the recovery file.
fn install_abort_handler(bidi: BidiMode) -> io::Result<()> {
    use std::sync::Once;
    static INSTALLED: Once = Once::new();
    let mut saved = std::mem::MaybeUninit::<libc::termios>::uninit();
    // SAFETY: tcgetattr fills `saved` when it returns 0, and only then is it read.
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, saved.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: initialised by the successful tcgetattr above.
    let saved = unsafe { saved.assume_init() };
    let implicit = bidi == BidiMode::App;
    let mut result = Ok(());
    INSTALLED.call_once(|| {
        // SAFETY: the action only calls async-signal-safe functions on data it owns.
        let registered = unsafe {
            signal_hook::low_level::register(signal_hook::consts::SIGABRT, move || {
                restore_from_signal_handler(&saved, implicit);
            })
        };
        result = registered.map(drop);
    });
    result
}

/// The terminal restored from inside a signal handler, then the signal's default action (end
/// the process, with a core dump if enabled): SIGABRT is blocked while its handler runs, so the
/// `raise` takes effect as the handler returns.
fn restore_from_signal_handler(saved: &libc::termios, bidi_implicit: bool) {
    fn write_all(mut bytes: &[u8]) {
        while !bytes.is_empty() {
            // SAFETY: write(2) on a valid buffer; async-signal-safe.
            let n = unsafe { libc::write(libc::STDOUT_FILENO, bytes.as_ptr().cast(), bytes.len()) };
            if n <= 0 {
                return;
            }
            bytes = &bytes[n as usize..];
        }
    }
    // SAFETY: tcsetattr, signal and raise are async-signal-safe; `saved` came from tcgetattr.
    unsafe {
        libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
    }
    write_all(RESTORE);
    if bidi_implicit {
        write_all(BIDI_IMPLICIT);
    }
    // SAFETY: as above.
    unsafe {
        libc::signal(libc::SIGABRT, libc::SIG_DFL);
        libc::raise(libc::SIGABRT);
    }
}
