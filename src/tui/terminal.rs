//! Taking the terminal over and giving it back, whatever happens: a normal quit, an error, a
//! panic, SIGTERM or SIGHUP (a closed SSH session).
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

/// Set by SIGTERM or SIGHUP; the event loop checks it.
pub fn termination_flag() -> io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&flag))?;
    }
    Ok(flag)
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
