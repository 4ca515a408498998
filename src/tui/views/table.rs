//! The article table (`g`): one row per article — status, headline, outlet, date, fields of low
//! confidence, fields reviewed, `≠` when analysts disagree, twins — with the filters, sort and
//! queue in force above it.
//!
//! Each cell is laid out as its own bidi paragraph (an isolate of its own), so that a Latin
//! outlet, a date or a count next to an Arabic headline reads as written and the headline,
//! cut at its cell's width, stays in visual order. With the article pane on the right (the
//! default, right to left), the columns run from the right edge: status first.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::rows::draw_line;
use crate::model::Status;
use crate::model::summary::{Column, Row};
use crate::text::sanitize::sanitize_inline;
use crate::text::{Direction, DirectionPolicy, LayoutOptions};
use crate::tui::app::{App, ListState, Side};

/// The table's columns in reading order, with their widths (0: the rest).
const COLUMNS: [(Cell, u16); 8] = [
    (Cell::Status, 2),
    (Cell::Headline, 0),
    (Cell::Outlet, 14),
    (Cell::Date, 10),
    (Cell::Low, 3),
    (Cell::Reviewed, 3),
    (Cell::Disagree, 1),
    (Cell::Twins, 6),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    Status,
    Headline,
    Outlet,
    Date,
    Low,
    Reviewed,
    Disagree,
    Twins,
}

impl Cell {
    fn header(self) -> &'static str {
        match self {
            Cell::Status => "",
            Cell::Headline => "headline",
            Cell::Outlet => "outlet",
            Cell::Date => "date",
            Cell::Low => "low",
            Cell::Reviewed => "rev",
            Cell::Disagree => "≠",
            Cell::Twins => "twins",
        }
    }

    fn column(self) -> Option<Column> {
        Some(match self {
            Cell::Status => Column::Status,
            Cell::Headline => Column::Headline,
            Cell::Outlet => Column::Outlet,
            Cell::Date => Column::Date,
            Cell::Low => Column::Low,
            Cell::Reviewed => Column::Reviewed,
            Cell::Disagree => Column::Disagreements,
            Cell::Twins => return None,
        })
    }
}

/// Where each column goes in a row `width` wide: `x` offsets, in reading order.
fn placement(width: u16, rtl: bool) -> Vec<(Cell, u16, u16)> {
    let fixed: u16 = COLUMNS.iter().map(|(_, w)| w + 1).sum();
    let rest = width.saturating_sub(fixed).max(4);
    let mut out = Vec::new();
    let mut at = 0u16;
    for (cell, w) in COLUMNS {
        let w = if w == 0 { rest } else { w };
        let x = if rtl {
            width.saturating_sub(at + w)
        } else {
            at
        };
        if at + w <= width {
            out.push((cell, x, w));
        }
        at += w + 1;
    }
    out
}

/// The status mark: `·` not reviewed, `…` in progress, `✓` done, `↷` skipped; `*` after it
/// when the article changed since the review.
fn status_mark(row: &Row) -> String {
    let mark = match row.status {
        None => "·",
        Some(Status::InProgress) => "…",
        Some(Status::Done) => "✓",
        Some(Status::Skipped) => "↷",
    };
    format!("{mark}{}", if row.stale { "*" } else { "" })
}

/// The text of a row's cell.
fn cell_text(cell: Cell, row: &Row, twins: &str) -> String {
    match cell {
        Cell::Status => status_mark(row),
        Cell::Headline => row.headline.clone(),
        Cell::Outlet => row.outlet.clone(),
        Cell::Date => row.date.clone(),
        Cell::Low => format!("{:>3}", row.low),
        Cell::Reviewed => format!("{:>3}", row.reviewed),
        Cell::Disagree => if row.disagreements > 0 { "≠" } else { "" }.to_string(),
        Cell::Twins => twins.to_string(),
    }
}

/// Draws one row of the table in `area` (one line), each cell its own paragraph, through the
/// sanitizer.
pub fn draw_table_row(
    buf: &mut Buffer,
    area: Rect,
    row: &Row,
    twins: &str,
    rtl: bool,
    options: &LayoutOptions,
    style: Style,
) {
    for (cell, x, w) in placement(area.width, rtl) {
        let text = cell_text(cell, row, twins);
        let direction = match cell {
            // A count or a date reads left to right wherever it is.
            Cell::Status | Cell::Low | Cell::Reviewed | Cell::Date => {
                DirectionPolicy::Forced(Direction::Ltr)
            }
            _ => DirectionPolicy::Auto,
        };
        let cell_area = Rect {
            x: area.x + x,
            width: w,
            height: 1,
            ..area
        };
        draw_line(
            buf,
            cell_area,
            &sanitize_inline(&text),
            direction,
            options,
            style,
        );
    }
}

/// Draws the table overlay.
pub fn draw(buf: &mut Buffer, area: Rect, app: &mut App, list: &ListState) {
    let theme = app.theme;
    let title = format!(
        " Articles · {} of {} · {}▏ ",
        list.shown.len(),
        app.ids.len(),
        sanitize_inline(&list.query)
    );
    let inner = super::overlay::frame_box(buf, area, &title, app);
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    let rtl = app.article_side == Side::Right;
    // What is in force, and how to change it.
    let sort = format!(
        "{} {}",
        list.sort.column.name(),
        if list.sort.reverse { "▼" } else { "▲" }
    );
    let mut state = format!(
        "status: {} (Tab) · sort: {sort} (^O ^R) · low{} (^L) · ≠{} (^D) · queue: {} (^N)",
        list.filter.name(),
        if list.low_only { " only" } else { ": any" },
        if list.disagreements_only {
            " only"
        } else {
            ": any"
        },
        list.queue.map_or("none", |q| q.name()),
    );
    if let Some((read, of)) = app.summaries_reading() {
        state.push_str(&format!(" · still reading {read}/{of}…"));
    } else if !app.summaries_ready() {
        state.push_str(" · updating…");
    }
    buf.set_stringn(inner.x, inner.y, &state, inner.width as usize, theme.dim());
    // The header: the sorted column marked.
    let header_y = inner.y + 1;
    for (cell, x, w) in placement(inner.width, rtl) {
        let mut name = cell.header().to_string();
        if cell.column() == Some(list.sort.column) {
            name.push(if list.sort.reverse { '▼' } else { '▲' });
        }
        draw_line(
            buf,
            Rect {
                x: inner.x + x,
                y: header_y,
                width: w,
                height: 1,
            },
            &sanitize_inline(&name),
            DirectionPolicy::Forced(Direction::Ltr),
            &app.text,
            theme.label(),
        );
    }
    let body = Rect {
        y: inner.y + 2,
        height: inner.height - 2,
        ..inner
    };
    let height = body.height as usize;
    app.list_height = height;
    if list.shown.is_empty() {
        let why = if !app.summaries_ready() {
            "no article matches yet (the summaries are still being read)"
        } else {
            "no article matches"
        };
        buf.set_stringn(
            body.x + 1,
            body.y,
            why,
            body.width as usize - 1,
            theme.dim(),
        );
        return;
    }
    let top = list.selected.saturating_sub(height.saturating_sub(1));
    let ids: Vec<String> = list
        .shown
        .iter()
        .skip(top)
        .take(height)
        .map(|&i| app.ids[i].clone())
        .collect();
    let rows = app.table_rows(&ids);
    for (k, row) in rows.iter().enumerate() {
        let y = body.y + k as u16;
        let selected = top + k == list.selected;
        let style = if selected {
            theme.selected()
        } else {
            theme.text()
        };
        let line = Rect {
            y,
            height: 1,
            ..body
        };
        if selected {
            buf.set_style(line, style);
        }
        draw_table_row(
            buf,
            line,
            row,
            &app.twins_label(&row.id),
            rtl,
            &app.text,
            style,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::BidiMode;

    /// A word of Arabic as it reads on screen, its letters in visual order (not shaped).
    fn visual(s: &str) -> String {
        s.chars().rev().collect()
    }

    fn line(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    #[test]
    fn dates_counts_and_latin_outlets_read_as_written_in_a_right_to_left_row() {
        let row = Row {
            id: "a".into(),
            status: Some(Status::Done),
            stale: false,
            headline: "استقبال في الرباط".into(),
            outlet: "Hespress".into(),
            date: "2024-03-07".into(),
            low: 12,
            reviewed: 7,
            lowest_unreviewed: None,
            disagreements: 1,
        };
        let options = LayoutOptions {
            width: 80,
            shape: false,
            direction: DirectionPolicy::Auto,
            bidi: BidiMode::App,
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 80, 1));
        let area = buf.area;
        draw_table_row(&mut buf, area, &row, "", true, &options, Style::new());
        let l = line(&buf, 0);
        let trimmed: Vec<&str> = l.split_whitespace().collect();
        // Read left to right on screen: the columns after the headline, then the headline in
        // visual order (its first word at the right), then the status at the right edge.
        let expected = [
            "≠".to_string(),
            "7".into(),
            "12".into(),
            "2024-03-07".into(),
            "Hespress".into(),
            visual("الرباط"),
            visual("في"),
            visual("استقبال"),
            "✓".into(),
        ];
        assert_eq!(trimmed, expected, "{l}");
        assert!(
            l.trim_end().ends_with('✓'),
            "the status is at the right edge: {l}"
        );
        // Left to right, the status comes first and the headline after it.
        let mut buf = Buffer::empty(Rect::new(0, 0, 80, 1));
        let area = buf.area;
        draw_table_row(&mut buf, area, &row, "", false, &options, Style::new());
        let l = line(&buf, 0);
        let trimmed: Vec<&str> = l.split_whitespace().collect();
        assert_eq!(trimmed[0], "✓");
        assert_eq!(
            &trimmed[4..],
            ["Hespress", "2024-03-07", "12", "7", "≠"],
            "{l}"
        );
    }

    #[test]
    fn a_long_headline_is_cut_at_its_cell_keeping_its_first_words_at_the_right() {
        let row = Row {
            id: "a".into(),
            status: None,
            stale: true,
            headline: "استقبل المدير العام للأمن الوطني وفدا أمنيا رفيع المستوى بالرباط".into(),
            outlet: "هسبريس".into(),
            date: "2024-03".into(),
            low: 0,
            reviewed: 0,
            lowest_unreviewed: None,
            disagreements: 0,
        };
        let options = LayoutOptions {
            width: 60,
            shape: false,
            direction: DirectionPolicy::Auto,
            bidi: BidiMode::App,
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, 1));
        let area = buf.area;
        draw_table_row(&mut buf, area, &row, "", true, &options, Style::new());
        let l = line(&buf, 0);
        assert!(l.ends_with(&format!("{} ·*", visual("استقبل"))), "{l}");
        assert!(l.contains('…'), "cut, with an ellipsis: {l}");
        assert!(!l.contains(&visual("بالرباط")), "{l}");
        assert!(
            l.contains(&visual("هسبريس")) && l.contains("2024-03"),
            "{l}"
        );
    }
}
