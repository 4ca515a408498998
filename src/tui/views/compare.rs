//! The compare panel of adjudication: one row per field, one column per source — the extractor
//! (0), each analyst who finished the article (1…), and the adjudicated value — so that
//! agreeing fields fade and disagreeing ones stand out, and a digit takes a column's value.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};

use super::fields::display_lines;
use super::rows::{draw_row, ellipsis, layout};
use crate::model::{FieldDef, Value};
use crate::text::DirectionPolicy;
use crate::text::sanitize::sanitize_inline;
use crate::tui::app::App;

/// Width of the field names' column.
const LABEL: u16 = 16;

/// Draws the panel in `area`; returns the terminal cursor when the adjudicated value is typed.
pub fn draw(buf: &mut Buffer, area: Rect, app: &mut App) -> Option<Position> {
    let Some(adjudication) = &app.adjudication else {
        return None;
    };
    let theme = app.theme;
    let disagreements = adjudication.disagreements();
    let title = format!(
        " Adjudicating · {} analyst{} · {} field{} to settle · 0-9 take · Enter majority · e edit · r reason · o overview · c back ",
        adjudication.reviews.len(),
        if adjudication.reviews.len() == 1 {
            ""
        } else {
            "s"
        },
        disagreements,
        if disagreements == 1 { "" } else { "s" },
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Line::from(title).style(theme.border(true)));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width <= LABEL + 10 || inner.height < 2 {
        return None;
    }

    // Columns: the extractor, the analysts, the adjudicated value.
    let mut heads = vec!["0 extractor".to_string()];
    heads.extend(
        adjudication
            .reviews
            .iter()
            .enumerate()
            .map(|(i, (name, _))| format!("{} {}", i + 1, sanitize_inline(name))),
    );
    heads.push("→ adjudicated".into());
    let columns = heads.len() as u16;
    let col_width = ((inner.width - LABEL) / columns).max(6);
    let x_of = |c: u16| inner.x + LABEL + c * col_width;

    buf.set_stringn(inner.x, inner.y, "field", LABEL as usize, theme.label());
    for (c, head) in heads.iter().enumerate() {
        buf.set_stringn(
            x_of(c as u16),
            inner.y,
            head,
            col_width.saturating_sub(1) as usize,
            theme.label(),
        );
    }

    let height = (inner.height - 1) as usize;
    let top = app.field.saturating_sub(height.saturating_sub(1));
    let mut cursor = None;
    let fields: Vec<FieldDef> = app.schema.fields.clone();
    for (i, def) in fields.iter().enumerate().skip(top).take(height) {
        let y = inner.y + 1 + (i - top) as u16;
        let adjudication = app.adjudication.as_ref()?;
        let disagrees = adjudication.disagrees(i);
        let row_style = if disagrees {
            theme.unsaved()
        } else {
            theme.dim()
        };
        let focused = i == app.field;
        let label_style = if focused {
            theme.selected()
        } else if disagrees {
            theme.label().patch(theme.unsaved())
        } else {
            theme.dim()
        };
        let mark = if disagrees { "≠" } else { " " };
        buf.set_stringn(
            inner.x,
            y,
            format!("{mark}{}", def.name),
            LABEL.saturating_sub(1) as usize,
            label_style,
        );

        // The extractor's value, each analyst's, the adjudicated one.
        let state = app.current.review.field(&def.name);
        let mut cells: Vec<(Option<Value>, Style)> =
            vec![(state.extracted.map(|e| e.value.clone()), row_style)];
        for (_, gold) in &adjudication.reviews {
            cells.push((gold.field(&def.name).map(|r| r.value.clone()), row_style));
        }
        let (_, verdict_style) = theme.verdict(state.verdict());
        cells.push((
            state.review.map(|r| r.value.clone()),
            verdict_style.patch(theme.text()),
        ));
        let last = cells.len() - 1;
        for (c, (value, style)) in cells.into_iter().enumerate() {
            let area = Rect {
                x: x_of(c as u16),
                y,
                width: col_width.saturating_sub(1),
                height: 1,
            };
            if c == last && focused && app.editing.is_some() {
                let options = app.text;
                let input = theme.input();
                app.editor_width = area.width;
                if let Some(edit) = &mut app.editing {
                    cursor = super::editor::draw(buf, area, &mut edit.editor, &options, input);
                }
                continue;
            }
            value_cell(buf, area, app, def, value.as_ref(), style);
        }
    }
    // Below the table, the focused field's values whole, one source after another: long
    // texts (a summary) cannot be judged from a cell.
    let table_end = inner.y + 1 + (fields.len().saturating_sub(top).min(height)) as u16;
    if table_end + 3 < inner.bottom() {
        whole_values(
            buf,
            Rect {
                y: table_end + 1,
                height: inner.bottom() - table_end - 1,
                ..inner
            },
            app,
        );
    }
    cursor
}

/// The focused field's value from each source, each laid out whole (as far as it fits).
fn whole_values(buf: &mut Buffer, area: Rect, app: &App) {
    let Some(adjudication) = &app.adjudication else {
        return;
    };
    let theme = app.theme;
    let def = app.field_def();
    let state = app.current.review.field(&def.name);
    let mut sources: Vec<(String, Option<Value>)> = vec![(
        "0 extractor".into(),
        state.extracted.map(|e| e.value.clone()),
    )];
    for (i, (name, gold)) in adjudication.reviews.iter().enumerate() {
        sources.push((
            format!("{} {}", i + 1, sanitize_inline(name)),
            gold.field(&def.name).map(|r| r.value.clone()),
        ));
    }
    sources.push((
        "→ adjudicated".into(),
        state.review.map(|r| r.value.clone()),
    ));
    let mut y = area.y;
    buf.set_stringn(
        area.x,
        y,
        format!("{} — whole values", def.name),
        area.width as usize,
        theme.label(),
    );
    y += 1;
    let width = area.width.saturating_sub(LABEL);
    for (name, value) in sources {
        if y >= area.bottom() {
            break;
        }
        buf.set_stringn(
            area.x,
            y,
            &name,
            LABEL.saturating_sub(1) as usize,
            theme.dim(),
        );
        let text = match &value {
            None => "—".to_string(),
            Some(Value::Null) => "none".to_string(),
            Some(v) => display_lines(app, def, v).join(" | "),
        };
        let l = layout(&text, width, DirectionPolicy::Auto, &app.text);
        for row in l.rows().iter().take(4) {
            if y >= area.bottom() {
                break;
            }
            draw_row(buf, area.x + LABEL, y, width, row, |_| theme.text());
            y += 1;
        }
        if l.rows().is_empty() {
            y += 1;
        }
    }
}

/// One value, on one line of a cell: laid out as its own paragraph, cut with an ellipsis.
fn value_cell(
    buf: &mut Buffer,
    area: Rect,
    app: &App,
    def: &FieldDef,
    v: Option<&Value>,
    style: Style,
) {
    let text = match v {
        None => {
            buf.set_stringn(area.x, area.y, "—", 1, app.theme.dim());
            return;
        }
        Some(Value::Null) => {
            buf.set_stringn(area.x, area.y, "none", area.width as usize, style);
            return;
        }
        Some(v) => display_lines(app, def, v).join(" | "),
    };
    let l = layout(&text, area.width, DirectionPolicy::Auto, &app.text);
    if let Some(row) = l.rows().first() {
        draw_row(buf, area.x, area.y, area.width, row, |_| style);
        if l.rows().len() > 1 {
            ellipsis(buf, area, row, style);
        }
    }
}
