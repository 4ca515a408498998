//! What is drawn over the main screen: help (generated from the keymap), a field's details,
//! the article table (drawn by `table`), and the quit and recovery questions.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::fields::display_lines;
use super::rows::{draw_row, layout};
use crate::model::FieldType;
use crate::model::{Evidence, Value};
use crate::text::Direction;
use crate::text::DirectionPolicy;
use crate::text::layout::Row;
use crate::text::sanitize::sanitize_inline;
use crate::tui::app::{App, Overlay};
use crate::tui::edit::{Checklist, Items, LineEdit, Picker, records};

/// Draws the open overlay, if any, in `area`; returns the terminal cursor when something is
/// being typed in it.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &mut App) -> Option<Position> {
    let overlay = app.overlay.clone()?;
    let buf = frame.buffer_mut();
    match overlay {
        Overlay::Picker(p) => return draw_picker(buf, area, app, p),
        Overlay::Checklist(c) => draw_checklist(buf, area, app, &c),
        Overlay::Items(items) => return draw_items(buf, area, app, items),
        Overlay::Overview(agreement) => draw_overview(buf, area, app, &agreement),
        Overlay::Help { scroll } => {
            let lines = help_lines(app);
            let inner = frame_box(buf, area, " Keys · ? or Esc closes ", app);
            let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
            set_scroll(app, scroll);
            draw_lines(buf, inner, &lines, scroll);
        }
        Overlay::Detail { scroll } => {
            let inner = frame_box(buf, area, " Field · Esc closes, j/k scroll ", app);
            let lines = detail_lines(app, inner.width);
            let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
            set_scroll(app, scroll);
            draw_lines(buf, inner, &lines, scroll);
        }
        Overlay::List(list) => super::table::draw(buf, area, app, &list),
        Overlay::Quit => {
            let text = format!(
                "Unsaved changes to {}.\n\n  s  save and quit\n  k  quit, keeping them for recovery (offered at the next start)\n  d  discard them (deletes them for good) and quit\n  Esc  go back",
                sanitize_inline(app.id())
            );
            dialog(buf, area, " Quit? ", &text, app);
        }
        Overlay::NotItsPlace { problem } => {
            let text = format!(
                "The gold file of {} is not in its place: {}.\n\nIt may be a copy of a colleague's review. It is shown unchanged.\n\n  a  adopt it as {}'s review of {} (rewrites those keys; Ctrl-S saves)\n  Esc  leave it as it is (read-only)",
                sanitize_inline(app.id()),
                sanitize_inline(&problem),
                sanitize_inline(&app.analyst),
                sanitize_inline(app.id()),
            );
            dialog(buf, area, " Not this analyst's review ", &text, app);
        }
        Overlay::Recovery { ids } => {
            let shown: Vec<String> = ids
                .iter()
                .take(8)
                .map(|i| format!("  {}", sanitize_inline(i)))
                .collect();
            let more = if ids.len() > 8 {
                format!("\n  … and {} more", ids.len() - 8)
            } else {
                String::new()
            };
            let text = format!(
                "An earlier session ended with unsaved edits, kept for:\n{}{more}\n\n  r  restore them (then Ctrl-S saves each)\n  d  discard them",
                shown.join("\n")
            );
            dialog(buf, area, " Recover unsaved edits? ", &text, app);
        }
    }
    None
}

/// A box of at most `width` × `height` centred in `area`.
fn smaller(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A choice with its Arabic label, laid out as one bidi paragraph.
fn choice_text(app: &App, i: usize) -> String {
    let c = &app.field_def().values[i];
    match c.label.ar.as_deref().or(c.label.en.as_deref()) {
        Some(l) => format!("{} · {l}", c.value),
        None => c.value.clone(),
    }
}

/// One line of user text at `x`, `y`, laid out, `width` wide, in `style`.
fn text_line(buf: &mut Buffer, x: u16, y: u16, width: u16, text: &str, app: &App, style: Style) {
    let l = layout(text, width, DirectionPolicy::Auto, &app.text);
    if let Some(row) = l.rows().first() {
        draw_row(buf, x, y, width, row, |_| style);
        if l.rows().len() > 1 {
            super::rows::ellipsis(
                buf,
                Rect {
                    x,
                    y,
                    width,
                    height: 1,
                },
                row,
                style,
            );
        }
    }
}

/// An editor on one line of an overlay; returns the cursor.
fn editor_line(
    buf: &mut Buffer,
    area: Rect,
    app: &mut App,
    edit: &mut LineEdit,
) -> Option<Position> {
    app.editor_width = area.width;
    let options = app.text;
    super::editor::draw(buf, area, &mut edit.editor, &options, app.theme.input())
}

fn draw_picker(buf: &mut Buffer, area: Rect, app: &mut App, mut p: Picker) -> Option<Position> {
    let n = app.field_def().values.len() as u16;
    let title = format!(
        " {} · type to filter · Enter picks · Esc ",
        sanitize_inline(&app.field_def().name)
    );
    let inner = frame_box(buf, smaller(area, 64, n + 4), &title, app);
    if inner.height < 2 {
        return None;
    }
    let filter_area = Rect { height: 1, ..inner };
    let cursor = editor_line(buf, filter_area, app, &mut p.filter);
    let theme = app.theme;
    let height = (inner.height - 1) as usize;
    let top = p.selected.saturating_sub(height.saturating_sub(1));
    if p.shown.is_empty() {
        buf.set_stringn(
            inner.x + 1,
            inner.y + 1,
            "nothing matches",
            inner.width as usize - 1,
            theme.dim(),
        );
    }
    for (k, &i) in p.shown.iter().enumerate().skip(top).take(height) {
        let y = inner.y + 1 + (k - top) as u16;
        let style = if k == p.selected {
            theme.selected()
        } else {
            theme.text()
        };
        if k == p.selected {
            buf.set_style(
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
                style,
            );
        }
        text_line(
            buf,
            inner.x + 2,
            y,
            inner.width.saturating_sub(2),
            &choice_text(app, i),
            app,
            style,
        );
    }
    // The filter's cursor is the editor's own state: keep what the draw scrolled.
    if let Some(Overlay::Picker(open)) = &mut app.overlay {
        open.filter = p.filter;
    }
    cursor
}

fn draw_checklist(buf: &mut Buffer, area: Rect, app: &mut App, c: &Checklist) {
    let n = c.checked.len() as u16 + c.others.len() as u16;
    let title = format!(
        " {} · Space ticks · Enter keeps · Esc ",
        sanitize_inline(&app.field_def().name)
    );
    let inner = frame_box(buf, smaller(area, 64, n + 2), &title, app);
    let theme = app.theme;
    let height = inner.height as usize;
    let top = c.selected.saturating_sub(height.saturating_sub(1));
    for (k, checked) in c.checked.iter().enumerate().skip(top).take(height) {
        let y = inner.y + (k - top) as u16;
        let style = if k == c.selected {
            theme.selected()
        } else {
            theme.text()
        };
        if k == c.selected {
            buf.set_style(
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
                style,
            );
        }
        buf.set_string(inner.x, y, if *checked { "[x]" } else { "[ ]" }, style);
        text_line(
            buf,
            inner.x + 4,
            y,
            inner.width.saturating_sub(4),
            &choice_text(app, k),
            app,
            style,
        );
    }
    let shown = c.checked.len().saturating_sub(top).min(height);
    for (k, other) in c.others.iter().enumerate() {
        let y = inner.y + (shown + k) as u16;
        if y >= inner.bottom() {
            break;
        }
        let line = format!("[x] {} (not in the schema: kept)", sanitize_inline(other));
        buf.set_stringn(inner.x, y, line, inner.width as usize, theme.dim());
    }
}

fn draw_items(buf: &mut Buffer, area: Rect, app: &mut App, mut items: Items) -> Option<Position> {
    let def = app.field_def().clone();
    let theme = app.theme;
    if let Some(form) = &mut items.form {
        let title = " Record · Enter edits · j/k · Esc back to the records ";
        let inner = frame_box(
            buf,
            smaller(area, 72, def.fields.len() as u16 * 2 + 4),
            title,
            app,
        );
        let value = app.current.review.field(&def.name).value().cloned();
        let recs = records(value.as_ref());
        let record = recs
            .get(form.record)
            .filter(|_| !form.new)
            .cloned()
            .unwrap_or_default();
        let mut cursor = None;
        let mut y = inner.y;
        for (k, sub) in def.fields.iter().enumerate() {
            if y + 1 >= inner.bottom() {
                break;
            }
            let selected = k == form.selected;
            let label_style = if selected {
                theme.selected()
            } else {
                theme.label()
            };
            let label = format!("{} · {}", sub.label.en_or_ar(), sub.label.ar_or_en());
            buf.set_stringn(inner.x, y, if selected { "▸" } else { " " }, 1, label_style);
            text_line_ltr(
                buf,
                inner.x + 2,
                y,
                inner.width.saturating_sub(2),
                &label,
                app,
                label_style,
            );
            y += 1;
            let value_area = Rect {
                x: inner.x + 4,
                y,
                width: inner.width.saturating_sub(4),
                height: 1,
            };
            match (&mut form.editing, selected) {
                (Some(edit), true) => {
                    cursor = editor_line(buf, value_area, app, edit);
                    if let Some(p) = &edit.problem
                        && y + 1 < inner.bottom()
                    {
                        y += 1;
                        buf.set_stringn(
                            value_area.x,
                            y,
                            format!("⚠ {p}"),
                            value_area.width as usize,
                            theme.error(),
                        );
                    }
                }
                _ => match record.get(&sub.name) {
                    Some(v) => {
                        text_line(buf, value_area.x, y, value_area.width, v, app, theme.text())
                    }
                    None => {
                        buf.set_stringn(value_area.x, y, "—", 1, theme.dim());
                    }
                },
            }
            y += 1;
        }
        if let Some(Overlay::Items(open)) = &mut app.overlay {
            open.form = items.form;
        }
        return cursor;
    }

    let lines = app.item_lines();
    let what = if def.kind == FieldType::RecordList {
        "records"
    } else {
        "items"
    };
    let title = format!(
        " {} {what} · Enter edits · o adds · D deletes · J/K move · Esc ",
        sanitize_inline(&def.name)
    );
    let inner = frame_box(buf, smaller(area, 76, lines.len() as u16 + 5), &title, app);
    let height = inner.height as usize;
    // The rows: the items, with the one being added or edited replaced by the editor.
    let mut entries: Vec<Option<&str>> = lines.iter().map(|l| Some(l.as_str())).collect();
    let editing_at = items.editing.as_ref().map(|(i, _, new)| (*i, *new));
    if let Some((i, true)) = editing_at {
        entries.insert(i.min(entries.len()), None);
    }
    if entries.is_empty() {
        buf.set_stringn(
            inner.x + 1,
            inner.y,
            "no items: o adds one",
            inner.width as usize - 1,
            theme.dim(),
        );
    }
    let focus_row = editing_at.map_or(items.selected, |(i, _)| i);
    let top = focus_row.saturating_sub(height.saturating_sub(1));
    let mut cursor = None;
    for (k, entry) in entries.iter().enumerate().skip(top).take(height) {
        let y = inner.y + (k - top) as u16;
        let number = format!("{:>2}.", k + 1);
        let is_edited = editing_at.is_some_and(|(i, _)| i == k);
        let selected = editing_at.is_none() && k == items.selected;
        let style = if selected {
            theme.selected()
        } else {
            theme.text()
        };
        if selected {
            buf.set_style(
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
                style,
            );
        }
        buf.set_string(inner.x, y, &number, theme.dim().patch(style));
        let value_area = Rect {
            x: inner.x + 4,
            y,
            width: inner.width.saturating_sub(4),
            height: 1,
        };
        match (&mut items.editing, is_edited) {
            (Some((_, edit, _)), true) => cursor = editor_line(buf, value_area, app, edit),
            _ => {
                if let Some(text) = entry {
                    text_line(buf, value_area.x, y, value_area.width, text, app, style);
                }
            }
        }
    }
    if let Some(Overlay::Items(open)) = &mut app.overlay {
        open.editing = items.editing;
    }
    cursor
}

/// Like [`text_line`], for the panel's own labels: left to right whatever their first letter.
fn text_line_ltr(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    width: u16,
    text: &str,
    app: &App,
    style: Style,
) {
    let l = layout(
        text,
        width,
        DirectionPolicy::Forced(Direction::Ltr),
        &app.text,
    );
    if let Some(row) = l.rows().first() {
        draw_row(buf, x, y, width, row, |_| style);
    }
}

fn set_scroll(app: &mut App, value: usize) {
    if let Some(Overlay::Help { scroll } | Overlay::Detail { scroll }) = &mut app.overlay {
        *scroll = value;
    }
}

/// A cleared, bordered box; returns its inside.
pub(super) fn frame_box(buf: &mut Buffer, area: Rect, title: &str, app: &App) -> Rect {
    Clear.render(area, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(app.theme.border(true))
        .title(Line::from(title.to_string()).style(app.theme.border(true)));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

fn dialog(buf: &mut Buffer, area: Rect, title: &str, text: &str, app: &App) {
    let w = (text.lines().map(|l| l.chars().count()).max().unwrap_or(20) as u16 + 4)
        .clamp(30, area.width);
    // The rows the text takes once wrapped inside the frame, so that its last line (the way
    // out) is never cut off on a narrow screen.
    let inner_width = usize::from(w.saturating_sub(2)).max(1);
    let rows: usize = text.lines().map(|l| wrapped_rows(l, inner_width)).sum();
    let h = (rows as u16).saturating_add(2).min(area.height);
    let small = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    let inner = frame_box(buf, small, title, app);
    Paragraph::new(text.to_string())
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// How many rows `line` takes when wrapped at words to `width` columns (as the dialog's
/// paragraph wraps it; a word longer than the width is cut).
fn wrapped_rows(line: &str, width: usize) -> usize {
    let mut rows = 1;
    let mut used = 0;
    for word in line.split(' ') {
        let len = word.chars().count();
        let needed = if used == 0 { len } else { used + 1 + len };
        if needed <= width {
            used = needed;
        } else if used == 0 {
            rows += (len - 1) / width;
            used = (len - 1) % width + 1;
        } else {
            rows += 1 + len.saturating_sub(1) / width;
            used = if len == 0 { 0 } else { (len - 1) % width + 1 };
        }
    }
    rows
}

/// A line of an overlay: the panel's own text, or a laid-out row of user text.
enum OverlayLine {
    Plain(String, Style),
    Laid(Row, Style),
}

fn draw_lines(buf: &mut Buffer, inner: Rect, lines: &[OverlayLine], scroll: usize) {
    for (i, line) in lines
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .enumerate()
    {
        let y = inner.y + i as u16;
        match line {
            OverlayLine::Plain(t, s) => {
                buf.set_stringn(inner.x, y, t, inner.width as usize, *s);
            }
            OverlayLine::Laid(row, s) => draw_row(buf, inner.x, y, inner.width, row, |_| *s),
        }
    }
}

fn help_lines(app: &App) -> Vec<OverlayLine> {
    let theme = app.theme;
    let mut out = vec![
        OverlayLine::Plain(
            format!(
                "Keyboard: {} (keymap file: keyboard = …); on the Arabic layout a letter acts as the key it is on",
                app.keymap.keyboard.name().to_uppercase()
            ),
            theme.dim(),
        ),
        OverlayLine::Plain(String::new(), theme.text()),
    ];
    for (context, bindings) in app.keymap.help() {
        out.push(OverlayLine::Plain(
            context.title().to_string(),
            theme.label(),
        ));
        for (keys, what) in bindings {
            out.push(OverlayLine::Plain(
                format!("  {keys:<18} {what}"),
                theme.text(),
            ));
        }
        out.push(OverlayLine::Plain(String::new(), theme.text()));
    }
    out.push(OverlayLine::Plain(
        "Verdicts: · not reviewed  ✓ confirmed  ✎ corrected  + added  ✗ rejected   !0.41 low confidence".into(),
        theme.dim(),
    ));
    out
}

/// Everything about the focused field, each text laid out whole.
fn detail_lines(app: &App, width: u16) -> Vec<OverlayLine> {
    let theme = app.theme;
    let def = app.field_def();
    let state = app.current.review.field(&def.name);
    let mut out = Vec::new();
    let text = |out: &mut Vec<OverlayLine>, s: &str, style: Style| {
        for row in layout(s, width.saturating_sub(2), DirectionPolicy::Auto, &app.text).rows() {
            let mut row = row.clone();
            row.indent += 2;
            out.push(OverlayLine::Laid(row, style));
        }
    };
    let heading = |out: &mut Vec<OverlayLine>, s: &str| {
        out.push(OverlayLine::Plain(s.to_string(), theme.label()))
    };

    heading(
        &mut out,
        &format!(
            "{} ({}, {})",
            def.name,
            def.kind,
            if def.required { "required" } else { "optional" }
        ),
    );
    text(&mut out, &def.label.both(), theme.text());
    for h in [&def.help.ar, &def.help.en].into_iter().flatten() {
        text(&mut out, h, theme.dim());
    }
    let value_lines = |out: &mut Vec<OverlayLine>, v: &Value| {
        if v.is_null() {
            out.push(OverlayLine::Plain("  — none".into(), theme.dim()));
        }
        for l in display_lines(app, def, v) {
            text(out, &l, theme.text());
        }
    };
    out.push(OverlayLine::Plain(String::new(), theme.text()));
    match state.extracted {
        Some(e) => {
            let conf = e
                .confidence
                .map_or(String::new(), |c| format!(" · confidence {c:.2}"));
            heading(&mut out, &format!("Extracted{conf}"));
            value_lines(&mut out, &e.value);
        }
        None => heading(&mut out, "Extracted: nothing"),
    }
    if let Some(ev) = state.evidence() {
        out.push(OverlayLine::Plain(String::new(), theme.text()));
        let article = &app.current.review.article;
        match (ev, article.resolve(ev)) {
            (Evidence::Quote(q), Some(s)) => {
                heading(&mut out, &format!("Evidence: a quote, at {s}"));
                text(&mut out, q, theme.evidence());
            }
            (Evidence::Range(r), Some(s)) => {
                heading(&mut out, &format!("Evidence: the range {r}"));
                text(&mut out, article.slice(s).unwrap_or(""), theme.evidence());
            }
            (_, None) => {
                heading(&mut out, "Evidence");
                if let Some(p) = article.evidence_problem(ev) {
                    text(&mut out, &p, theme.error());
                }
            }
        }
    }
    out.push(OverlayLine::Plain(String::new(), theme.text()));
    match state.review {
        Some(r) => {
            let (mark, style) = theme.verdict(Some(r.verdict));
            out.push(OverlayLine::Plain(
                format!("Review: {mark} {}", r.verdict),
                style,
            ));
            value_lines(&mut out, &r.value);
            if let Some(was) = &r.was {
                heading(&mut out, "was");
                value_lines(&mut out, was);
            }
            if let Some(n) = &r.note {
                heading(&mut out, "note");
                text(&mut out, n, theme.text());
            }
        }
        None => out.push(OverlayLine::Plain(
            "Review: not reviewed".into(),
            theme.dim(),
        )),
    }
    out
}

/// The agreement overview: alpha per field as a bar with its bootstrap interval, then Cohen's
/// kappa per pair of analysts for the scalar fields.
fn draw_overview(buf: &mut Buffer, area: Rect, app: &App, a: &crate::agree::Agreement) {
    let theme = app.theme;
    let title = format!(
        " Agreement · {} analysts · {} articles reviewed by two or more · Esc closes ",
        a.analysts.len(),
        a.articles
    );
    let inner = frame_box(buf, area, &title, app);
    let mut y = inner.y;
    let bottom = inner.bottom();
    let fmt = |v: Option<f64>| v.map_or("  —  ".to_string(), |v| format!("{v:>5.2}"));
    let bar_width = inner.width.saturating_sub(54).clamp(5, 40) as usize;
    let line = |buf: &mut Buffer, y: &mut u16, text: &str, style: Style| {
        if *y < bottom {
            buf.set_stringn(inner.x, *y, text, inner.width as usize, style);
            *y += 1;
        }
    };
    line(
        buf,
        &mut y,
        "Krippendorff's alpha per field (1 = full agreement, 0 = chance) [95% interval]",
        theme.label(),
    );
    for f in &a.fields {
        let filled = f.alpha.map_or(0, |v| {
            (v.clamp(0.0, 1.0) * bar_width as f64).round() as usize
        });
        let bar = format!("{}{}", "█".repeat(filled), "·".repeat(bar_width - filled));
        let interval = f.alpha_ci95.map_or_else(
            || " ".repeat(13),
            |(lo, hi)| format!("[{lo:>5.2}–{hi:>5.2}]"),
        );
        let text = format!(
            "  {:<14} {bar} {} {interval} {:>4} items",
            f.field,
            fmt(f.alpha),
            f.items
        );
        let style = match f.alpha {
            Some(v) if v < 0.667 => theme.unsaved(),
            None => theme.dim(),
            _ => theme.text(),
        };
        line(buf, &mut y, &text, style);
    }
    line(buf, &mut y, "", theme.text());
    let pairs: Vec<&String> = a
        .fields
        .iter()
        .flat_map(|f| f.cohen_kappa.iter().map(|(p, _)| p))
        .fold(Vec::new(), |mut v, p| {
            if !v.contains(&p) {
                v.push(p);
            }
            v
        });
    if pairs.is_empty() {
        line(
            buf,
            &mut y,
            "Cohen's kappa: no pair of analysts shares a scalar field",
            theme.dim(),
        );
        return;
    }
    line(
        buf,
        &mut y,
        "Cohen's kappa per pair of analysts (scalar fields)",
        theme.label(),
    );
    let header: String = pairs
        .iter()
        .map(|p| format!(" {:>12}", shorten(&sanitize_inline(p), 12)))
        .collect();
    line(
        buf,
        &mut y,
        &format!("  {:<14}{header}", "field"),
        theme.dim(),
    );
    for f in a.fields.iter().filter(|f| !f.cohen_kappa.is_empty()) {
        let cells: String = pairs
            .iter()
            .map(|p| {
                let k = f
                    .cohen_kappa
                    .iter()
                    .find(|(q, _)| q == *p)
                    .and_then(|(_, k)| *k);
                format!(" {:>12}", fmt(k))
            })
            .collect();
        line(
            buf,
            &mut y,
            &format!("  {:<14}{cells}", f.field),
            theme.text(),
        );
    }
}

/// At most `n` chars of `s`, with an ellipsis when cut.
fn shorten(s: &str, n: usize) -> String {
    crate::model::article::shorten(s, n)
}

#[cfg(test)]
mod tests {
    use super::wrapped_rows;

    #[test]
    fn a_dialog_counts_the_rows_its_lines_wrap_to() {
        assert_eq!(wrapped_rows("", 10), 1);
        assert_eq!(wrapped_rows("one two", 10), 1);
        assert_eq!(wrapped_rows("one two three", 10), 2);
        assert_eq!(wrapped_rows("abcdefghijklmnopqrstuvwxy", 10), 3);
        assert_eq!(wrapped_rows("a abcdefghijklmnopqrstuvwxy", 10), 4);
    }
}
