//! Drawing a line editor: its text laid out in visual order in a box, and where the terminal
//! cursor goes. The editor model ([`crate::text::editor`]) decides both; this only paints.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

use crate::text::LayoutOptions;
use crate::text::editor::Editor;

/// Draws `editor` in `area` (one row, or all of its rows for several lines), the box filled
/// with `style`; returns the terminal cursor's position.
pub fn draw(
    buf: &mut Buffer,
    area: Rect,
    editor: &mut Editor,
    options: &LayoutOptions,
    style: Style,
) -> Option<Position> {
    if area.width == 0 || area.height == 0 {
        return None;
    }
    buf.set_style(area, style);
    let view = editor.view(area.width, area.height, options);
    for (i, (row, origin)) in view.rows.iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.bottom() {
            break;
        }
        for cell in row.cells() {
            let x = origin + cell.col as i32;
            if x < 0 || x + cell.width as i32 > area.width as i32 {
                continue;
            }
            let x = area.x + x as u16;
            buf[(x, y)].set_symbol(row.cell_text(cell)).set_style(style);
            for k in 1..cell.width as u16 {
                buf[(x + k, y)].reset();
            }
        }
    }
    Some(Position {
        x: area.x + view.cursor.1,
        y: area.y + view.cursor.0,
    })
}
