//! Drawing the review screen from the app's state: one module per part of the screen.
//!
//! Every piece of text that comes from an article, a YAML file or a file name reaches the
//! buffer through the layout engine (`rows`) or `sanitize_inline`, never raw: it is untrusted,
//! and right-to-left text must be in visual order before ratatui sees it.

mod article;
mod compare;
mod editor;
mod fields;
mod overlay;
mod rows;
mod status;
mod table;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Focus, Side};

/// The smallest screen the review works on.
pub const MIN_WIDTH: u16 = 40;
/// The smallest screen height the review works on.
pub const MIN_HEIGHT: u16 = 12;
/// Below this width only the focused pane shows.
pub const TWO_PANES: u16 = 70;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &mut App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "terminal too small: {MIN_WIDTH}×{MIN_HEIGHT} at least, this one is {}×{}",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(Style::new()),
            area,
        );
        return;
    }
    let [main, bar] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(area);
    // The terminal cursor shows only where something is being typed.
    let mut cursor = None;
    if app.adjudication.is_some() {
        // The compare table needs the width; Tab shows the article instead.
        match app.focus {
            Focus::Fields => cursor = compare::draw(frame.buffer_mut(), main, app),
            Focus::Article => article::draw(frame.buffer_mut(), main, app),
        }
    } else if main.width < TWO_PANES {
        // Too narrow for both panes to be useful: the focused one takes the width; Tab
        // switches.
        match app.focus {
            Focus::Fields => cursor = fields::draw(frame.buffer_mut(), main, app),
            Focus::Article => article::draw(frame.buffer_mut(), main, app),
        }
    } else {
        let fields_width = (main.width * 2 / 5).clamp(30, 72);
        let (fields_area, article_area) = match app.article_side {
            Side::Right => {
                let [f, a] =
                    Layout::horizontal([Constraint::Length(fields_width), Constraint::Min(10)])
                        .areas(main);
                (f, a)
            }
            Side::Left => {
                let [a, f] =
                    Layout::horizontal([Constraint::Min(10), Constraint::Length(fields_width)])
                        .areas(main);
                (f, a)
            }
        };
        article::draw(frame.buffer_mut(), article_area, app);
        cursor = fields::draw(frame.buffer_mut(), fields_area, app);
    }
    cursor = status::draw(frame.buffer_mut(), bar, app).or(cursor);
    // The article table takes the whole screen above the status bar: it is a screen of its
    // own, with as many rows as fit.
    let overlay_area = if matches!(app.overlay, Some(super::app::Overlay::List(_))) {
        main
    } else {
        centered(area)
    };
    cursor = overlay::draw(frame, overlay_area, app).or(cursor);
    if let Some(c) = cursor {
        frame.set_cursor_position(c);
    }
}

/// The area of an overlay: most of the screen, centred.
fn centered(area: Rect) -> Rect {
    let w = (area.width * 9 / 10).max(MIN_WIDTH.min(area.width));
    let h = (area.height * 8 / 10).max(MIN_HEIGHT.min(area.height));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
