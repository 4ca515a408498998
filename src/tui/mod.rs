//! The review screen (`tadqiq review`): the only part of tadqiq that talks to the terminal.
//!
//! - [`app`]: the state and `update(action)`, testable without a screen;
//! - [`keymap`]: the keys, as data, from which the help screen is generated;
//! - [`views`]: drawing the state;
//! - [`terminal`]: taking the terminal over and giving it back, whatever happens;
//! - [`scan`]: reading review statuses in the background;
//! - [`background`]: the passes over the corpus started after the first frame;
//! - [`indexing`]: the article list and the search from the corpus index, kept fresh in the
//!   background.

pub mod app;
pub mod background;
pub mod edit;
pub mod indexing;
pub mod keyfile;
pub mod keymap;
pub mod layouts;
pub mod scan;
pub mod summarizing;
pub mod terminal;
pub mod theme;
pub mod twins;
pub mod views;

use std::time::Duration;

use anyhow::{Context as _, Result};
use crossterm::event::{self, Event, KeyEventKind};

pub use app::{App, Config, Side};
pub use indexing::IndexUse;

/// Runs the review screen until the analyst quits or a termination signal arrives.
pub fn run(config: Config) -> Result<()> {
    let bidi = config.bidi;
    let mut app = App::new(config)?;
    let flag = terminal::termination_flag().context("cannot watch for termination signals")?;
    let stop = terminal::suspension_flag().context("cannot watch for SIGTSTP")?;
    let mut tui = terminal::Tui::enter(bidi).context("cannot take over the terminal")?;
    let heartbeat = terminal::Heartbeat::new();
    terminal::spawn_watchdog(std::sync::Arc::clone(&flag), heartbeat.clone(), bidi);
    let result = (|| -> Result<()> {
        loop {
            heartbeat.beat();
            tui.terminal.draw(|f| views::draw(f, &mut app))?;
            if app.quit {
                return Ok(());
            }
            // Wake up now and then: for the background scan and for signals.
            let timeout = Duration::from_millis(if app.scanning() { 50 } else { 250 });
            let mut changed = false;
            while event::poll(if changed { Duration::ZERO } else { timeout })? {
                changed = true;
                match event::read()? {
                    // Some platforms report releases and repeats too: act on presses only.
                    Event::Key(k) if k.kind == KeyEventKind::Press => app.handle_key(k),
                    Event::Mouse(m) => app.handle_mouse(m),
                    Event::Paste(text) => app.handle_paste(&text),
                    _ => {}
                }
                if app.quit {
                    break;
                }
            }
            if let Some(request) = app.external.take() {
                let result = tui
                    .suspend(|| external_editor(&request.text))
                    .map_err(|e| format!("cannot give the terminal to the editor: {e}"))
                    .and_then(|r| r);
                app.finish_external_edit(request, result);
            }
            app.tick();
            if stop.swap(false, std::sync::atomic::Ordering::Relaxed) {
                // Suspended (`kill -TSTP`): the terminal goes back to the shell until `fg`.
                tui.suspend(terminal::stop_self)?;
            }
            if terminal::terminated(&flag) {
                // Unsaved edits are already in the recovery file; just leave cleanly.
                return Ok(());
            }
        }
    })();
    tui.exit();
    result
}

/// Edits `text` in `$VISUAL`, else `$EDITOR`, else `vi`, through a temporary file; returns
/// the text the editor left (without the newline editors add at the end).
fn external_editor(text: &str) -> Result<String, String> {
    use std::io::Write as _;
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    let mut file = tempfile::Builder::new()
        .prefix("tadqiq-")
        .suffix(".txt")
        .tempfile()
        .map_err(|e| format!("cannot make a temporary file: {e}"))?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.flush())
        .map_err(|e| format!("cannot write the temporary file: {e}"))?;
    // Through the shell, so that `EDITOR="code -w"` works as it does for git.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .map_err(|e| format!("cannot run {editor}: {e}"))?;
    if !status.success() {
        return Err(format!("{editor} exited with {status}"));
    }
    let back = std::fs::read(file.path()).map_err(|e| format!("cannot read the edit back: {e}"))?;
    let back = String::from_utf8(back).map_err(|_| "the edit is not UTF-8 text".to_string())?;
    Ok(back.strip_suffix('\n').unwrap_or(&back).to_string())
}
