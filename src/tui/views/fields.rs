//! The fields panel: one entry per schema field, in schema order: verdict mark, label,
//! extractor confidence (low ones stand out), and the value — each value laid out as its own
//! bidi paragraph, so an Arabic value next to a Latin label cannot disturb the panel. Long
//! values are cut with an ellipsis; the detail view shows them whole.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};

use super::rows::{draw_line, draw_row, ellipsis, layout, visual};
use crate::model::article::shorten;
use crate::model::{FieldDef, FieldType, Value};
use crate::text::layout::Row;
use crate::text::{Direction, DirectionPolicy};
use crate::tui::app::{App, Focus};

/// At most this many rows of one text value in the panel.
const TEXT_ROWS: usize = 2;
/// At most this many items of a list in the panel.
const LIST_ITEMS: usize = 4;
/// Rows of the editor of a long text.
const LONG_TEXT_ROWS: usize = 5;
/// Values are indented under their label by this much.
const INDENT: u16 = 3;
/// LEFT-TO-RIGHT ISOLATE and POP DIRECTIONAL ISOLATE: keep a range like `0..989` in order
/// inside Arabic text (the layout drops them from the output).
const LRI: char = '\u{2066}';
const PDI: char = '\u{2069}';

/// One line of an entry.
enum Piece {
    /// The label line.
    Label,
    /// A row of a laid-out value; `cut` when more of it does not show.
    Value { row: Row, style: Style, cut: bool },
    /// A line of the panel's own text.
    Note(String, Style),
    /// Line `0` of the inline editor, which takes `1` lines.
    Editor(usize, usize),
}

/// Draws the panel; returns where the terminal cursor goes when a value is being typed.
pub fn draw(buf: &mut Buffer, area: Rect, app: &mut App) -> Option<Position> {
    let focused = app.focus == Focus::Fields && app.overlay.is_none();
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(app.theme.border(focused))
        .title(Line::from(visual(" Fields · الحقول ", &app.text)).style(app.theme.border(focused)));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width <= INDENT + 4 || inner.height == 0 {
        return None;
    }
    let value_width = inner.width - INDENT;
    let entries: Vec<Vec<Piece>> = app
        .schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, def)| {
            if i == app.field
                && let Some(edit) = &app.editing
            {
                editing_entry(app, edit)
            } else {
                entry(app, def, value_width)
            }
        })
        .collect();
    let mut cursor = None;

    // The window of lines that shows the focused entry, as much of it as fits.
    let height = inner.height as usize;
    let focus_start: usize = entries[..app.field].iter().map(Vec::len).sum();
    let focus_end = focus_start + entries[app.field].len();
    let top = focus_end.saturating_sub(height).min(focus_start);

    let lines = app
        .schema
        .fields
        .iter()
        .enumerate()
        .zip(&entries)
        .flat_map(|((i, def), pieces)| pieces.iter().map(move |p| (i, def, p)));
    for (line, (i, def, piece)) in lines.enumerate().skip(top).take(height) {
        let y = inner.y + (line - top) as u16;
        let row_area = Rect {
            y,
            height: 1,
            ..inner
        };
        let value_area = Rect {
            x: inner.x + INDENT,
            width: value_width,
            ..row_area
        };
        match piece {
            Piece::Label => label_line(buf, row_area, app, def, i == app.field, focused),
            Piece::Value { row, style, cut } => {
                draw_row(buf, value_area.x, y, value_area.width, row, |_| *style);
                if *cut {
                    ellipsis(buf, value_area, row, *style);
                }
            }
            Piece::Note(text, style) => {
                buf.set_stringn(value_area.x, y, text, value_area.width as usize, *style);
            }
            Piece::Editor(k, n) => {
                if *k == 0 || line == top {
                    let bottom = inner.bottom().min(y + (*n - *k) as u16);
                    let box_area = Rect {
                        height: bottom - y,
                        ..value_area
                    };
                    app.editor_width = value_area.width;
                    let options = app.text;
                    let style = app.theme.input();
                    if let Some(edit) = &mut app.editing {
                        cursor =
                            super::editor::draw(buf, box_area, &mut edit.editor, &options, style);
                    }
                }
            }
        }
    }
    cursor
}

/// The lines of the focused entry while its value is typed: the label, the editor, and the
/// problem that keeps the value from being kept, or the keys.
fn editing_entry(app: &App, edit: &crate::tui::edit::LineEdit) -> Vec<Piece> {
    let theme = app.theme;
    let rows = if edit.editor.multiline() {
        LONG_TEXT_ROWS
    } else {
        1
    };
    let mut pieces = vec![Piece::Label];
    pieces.extend((0..rows).map(|k| Piece::Editor(k, rows)));
    match &edit.problem {
        Some(p) => pieces.push(Piece::Note(format!("⚠ {}", shorten(p, 80)), theme.error())),
        None => {
            let keys = if edit.editor.multiline() {
                "Enter keeps · Esc cancels · Alt-Enter new line"
            } else {
                "Enter keeps · Esc cancels"
            };
            pieces.push(Piece::Note(keys.into(), theme.dim()));
        }
    }
    pieces
}

/// The lines of one field's entry.
fn entry(app: &App, def: &FieldDef, width: u16) -> Vec<Piece> {
    let theme = app.theme;
    let state = app.current.review.field(&def.name);
    let mut pieces = vec![Piece::Label];
    // A value offered from a twin shows in place of the extracted one until kept or edited.
    let suggestion = app.suggestion(&def.name);
    match suggestion.map(|s| &s.value).or(state.value()) {
        None => pieces.push(Piece::Note("not extracted".into(), theme.dim())),
        Some(Value::Null) => pieces.push(Piece::Note("— none".into(), theme.dim())),
        Some(v) => {
            let lines = display_lines(app, def, v);
            // A single text may take two rows; list items take one each.
            let (items, rows_each) = if lines.len() == 1 {
                (1, TEXT_ROWS)
            } else {
                (LIST_ITEMS, 1)
            };
            for line in lines.iter().take(items) {
                let l = layout(line, width, DirectionPolicy::Auto, &app.text);
                let shown = l.rows().len().min(rows_each);
                for (k, row) in l.rows().iter().take(shown).enumerate() {
                    pieces.push(Piece::Value {
                        row: row.clone(),
                        style: theme.text(),
                        cut: k + 1 == shown && l.rows().len() > shown,
                    });
                }
            }
            if lines.len() > items {
                let more = format!("+{} more (Space shows all)", lines.len() - items);
                pieces.push(Piece::Note(more, theme.dim()));
            }
        }
    }
    if let Some(s) = suggestion {
        // Isolated, so that an Arabic analyst name does not reorder the line.
        let note = format!(
            "≈ from twin \u{2068}{}\u{2069} (\u{2068}{}\u{2069})",
            crate::text::sanitize::sanitize_inline(&s.twin),
            crate::text::sanitize::sanitize_inline(&s.analyst)
        );
        pieces.push(Piece::Note(visual(&note, &app.text), theme.dim()));
    }
    if let Some(e) = state.evidence()
        && let Some(problem) = app.current.review.article.evidence_problem(e)
    {
        pieces.push(Piece::Note(
            format!("⚠ {}", shorten(&problem, 80)),
            theme.error(),
        ));
    }
    pieces
}

/// A value as display lines: one per list item or record; choices with their Arabic label;
/// a span with the start of its text.
pub fn display_lines(app: &App, def: &FieldDef, v: &Value) -> Vec<String> {
    let with_label = |s: &str| match def.values.iter().find(|c| c.value == s) {
        Some(c) if c.label.ar.is_some() => format!("{s} · {}", c.label.ar_or_en()),
        _ => s.to_string(),
    };
    match (def.kind, v) {
        (FieldType::Choice, Value::Text(s)) => vec![with_label(s)],
        (FieldType::MultiChoice, Value::List(items)) => {
            items.iter().map(|s| with_label(s)).collect()
        }
        (_, Value::Span(s)) => {
            let text = app.current.review.article.slice(*s).unwrap_or("");
            let words: Vec<&str> = text.split_whitespace().take(6).collect();
            // The range stays left to right (an isolate) whatever the text around it.
            vec![format!("«{}…» {LRI}{s}{PDI}", words.join(" "))]
        }
        (_, v) => v.items(),
    }
}

fn label_line(
    buf: &mut Buffer,
    row: Rect,
    app: &App,
    def: &FieldDef,
    focused_entry: bool,
    panel_focused: bool,
) {
    let theme = app.theme;
    let state = app.current.review.field(&def.name);
    let base = match (focused_entry, panel_focused) {
        (true, true) => theme.selected(),
        (true, false) => theme.label().add_modifier(Modifier::UNDERLINED),
        (false, _) => theme.label(),
    };
    if focused_entry {
        buf.set_style(row, base);
    }
    buf.set_string(row.x, row.y, if focused_entry { "▸" } else { " " }, base);
    let (mark, mark_style) = match app.suggestion(&def.name) {
        Some(_) => ("≈", theme.dim()),
        None => theme.verdict(state.verdict()),
    };
    let mark_style = if focused_entry {
        mark_style.patch(base)
    } else {
        mark_style
    };
    buf.set_string(row.x + 1, row.y, mark, mark_style);

    // The extractor's confidence on the right; low ones stand out.
    let mut right = 0u16;
    if let Some(c) = state.extracted.and_then(|e| e.confidence) {
        let low = c < app.schema.low_confidence;
        let text = if low {
            format!("!{c:.2}")
        } else {
            format!("{c:.2}")
        };
        right = text.len() as u16 + 1;
        let style = if low {
            base.patch(theme.low_confidence())
        } else {
            base
        };
        buf.set_string(row.right().saturating_sub(right), row.y, &text, style);
    }
    let label_area = Rect {
        x: row.x + 3,
        width: row.width.saturating_sub(4 + right),
        ..row
    };
    // Both languages if they fit, else the Arabic, else the English, else the name.
    let candidates = [
        match (&def.label.en, &def.label.ar) {
            (Some(en), Some(ar)) => Some(format!("{en} · {ar}")),
            _ => None,
        },
        def.label.ar.clone(),
        def.label.en.clone(),
        Some(def.name.clone()),
    ];
    let label = candidates
        .iter()
        .flatten()
        .find(|l| crate::text::width::str_width(l) <= label_area.width as usize)
        .or(candidates.iter().flatten().last())
        .cloned()
        .unwrap_or_default();
    // Labels read left to right, whatever their first letter: the panel's chrome is LTR.
    draw_line(
        buf,
        label_area,
        &label,
        DirectionPolicy::Forced(Direction::Ltr),
        &app.text,
        base,
    );
}
