//! The review screen (`tadqiq review`): the only part of tadqiq that talks to the terminal.
//!
//! - [`app`]: the state and `update(action)`, testable without a screen;
//! - [`keymap`]: the keys, as data, from which the help screen is generated;
//! - [`views`]: drawing the state;
//! - [`terminal`]: taking the terminal over and giving it back, whatever happens;
//! - [`scan`]: reading review statuses in the background.

pub mod app;
pub mod keymap;
pub mod scan;
pub mod terminal;
pub mod theme;
pub mod views;

use std::time::Duration;

use anyhow::{Context as _, Result};
use crossterm::event::{self, Event, KeyEventKind};

pub use app::{App, Config, Side};

/// Runs the review screen until the analyst quits or a termination signal arrives.
pub fn run(config: Config) -> Result<()> {
    let bidi = config.bidi;
    let mut app = App::new(config)?;
    let flag = terminal::termination_flag().context("cannot watch for SIGTERM and SIGHUP")?;
    let mut tui = terminal::Tui::enter(bidi).context("cannot take over the terminal")?;
    let result = (|| -> Result<()> {
        loop {
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
                    _ => {}
                }
                if app.quit {
                    break;
                }
            }
            app.tick();
            if terminal::terminated(&flag) {
                // Unsaved edits are already in the recovery file; just leave cleanly.
                return Ok(());
            }
        }
    })();
    tui.exit();
    result
}
