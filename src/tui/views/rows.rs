//! Drawing laid-out rows into a ratatui buffer, cell by cell, at the columns the layout gave
//! them: ratatui would measure «لا» as one cell and re-segment clusters; the layout already
//! knows where every cluster goes.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::text::layout::{Cell, Row};
use crate::text::{Direction, DirectionPolicy, Layout, LayoutOptions};

/// Draws `row` at (`x`, `y`), clipped to `width` columns, each cell styled by `style`.
pub fn draw_row(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    width: u16,
    row: &Row,
    style: impl Fn(&Cell) -> Style,
) {
    let area = *buf.area();
    if y < area.y || y >= area.bottom() {
        return;
    }
    for cell in row.cells() {
        let end = cell.col + cell.width as u16;
        if end > width {
            break;
        }
        let cx = x + cell.col;
        if cx + cell.width as u16 > area.right() {
            break;
        }
        buf[(cx, y)]
            .set_symbol(row.cell_text(cell))
            .set_style(style(cell));
        // The column a wide character covers must not be drawn over.
        for k in 1..cell.width as u16 {
            buf[(cx + k, y)].reset();
        }
    }
}

/// Lays out a short text (a label, a value) as its own paragraphs at `width`.
pub fn layout(
    text: &str,
    width: u16,
    direction: DirectionPolicy,
    options: &LayoutOptions,
) -> Layout {
    Layout::new(
        text,
        LayoutOptions {
            width: width.max(1),
            direction,
            ..*options
        },
    )
}

/// Draws a short text on one line at `area`'s first row: laid out, clipped to one row, with an
/// ellipsis at its logical end when cut.
pub fn draw_line(
    buf: &mut Buffer,
    area: Rect,
    text: &str,
    direction: DirectionPolicy,
    options: &LayoutOptions,
    style: Style,
) {
    let l = layout(text, area.width, direction, options);
    if let Some(row) = l.rows().first() {
        draw_row(buf, area.x, area.y, area.width, row, |_| style);
        if l.rows().len() > 1 {
            ellipsis(buf, area, row, style);
        }
    }
}

/// Marks a row as cut: an ellipsis at its logical end (the left for right-to-left text).
pub fn ellipsis(buf: &mut Buffer, area: Rect, row: &Row, style: Style) {
    let col = match row.direction {
        Direction::Rtl => row.indent.saturating_sub(1),
        Direction::Ltr => (row.indent + row.width).min(area.width.saturating_sub(1)),
    };
    if col < area.width {
        buf[(area.x + col, area.y)].set_symbol("…").set_style(style);
    }
}

/// A short text (a title) in visual order, for places that take a string: its rows joined.
pub fn visual(text: &str, options: &LayoutOptions) -> String {
    let l = layout(text, 1000, DirectionPolicy::Forced(Direction::Ltr), options);
    let mut out = String::new();
    for row in l.rows() {
        out.push_str(row.text());
    }
    out
}
