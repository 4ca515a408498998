//! What is drawn over the main screen: help (generated from the keymap), a field's details,
//! the article list, and the quit and recovery questions.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::fields::display_lines;
use super::rows::{draw_row, layout};
use crate::model::{Evidence, Value};
use crate::text::DirectionPolicy;
use crate::text::layout::Row;
use crate::text::sanitize::sanitize_inline;
use crate::tui::app::{App, Filter, ListState, Overlay};
use crate::tui::keymap;

/// Draws the open overlay, if any, in `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &mut App) {
    let Some(overlay) = app.overlay.clone() else {
        return;
    };
    let buf = frame.buffer_mut();
    match overlay {
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
        Overlay::List(list) => draw_list(buf, area, app, &list),
        Overlay::Quit => {
            let text = format!(
                "Unsaved changes to {}.\n\n  s  save and quit\n  d  discard them and quit\n  Esc  go back",
                sanitize_inline(app.id())
            );
            dialog(buf, area, " Quit? ", &text, app);
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
}

fn set_scroll(app: &mut App, value: usize) {
    if let Some(Overlay::Help { scroll } | Overlay::Detail { scroll }) = &mut app.overlay {
        *scroll = value;
    }
}

/// A cleared, bordered box; returns its inside.
fn frame_box(buf: &mut Buffer, area: Rect, title: &str, app: &App) -> Rect {
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
    let h = (text.lines().count() as u16 + 2).min(area.height);
    let w = (text.lines().map(|l| l.chars().count()).max().unwrap_or(20) as u16 + 4)
        .clamp(30, area.width);
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
    let mut out = Vec::new();
    for (context, bindings) in keymap::help() {
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

fn draw_list(buf: &mut Buffer, area: Rect, app: &mut App, list: &ListState) {
    let title = format!(
        " Articles · {} of {} · filter: {} (Tab) · search: {}▏ ",
        list.shown.len(),
        app.ids.len(),
        list.filter.name(),
        sanitize_inline(&list.query)
    );
    let inner = frame_box(buf, area, &title, app);
    let height = inner.height as usize;
    app.list_height = height;
    let top = list.selected.saturating_sub(height.saturating_sub(1));
    let theme = app.theme;
    if list.shown.is_empty() {
        let why = if app.scanning() && list.filter != Filter::All {
            "no article matches yet (statuses are still being read)"
        } else {
            "no article matches"
        };
        buf.set_stringn(
            inner.x + 1,
            inner.y,
            why,
            inner.width as usize - 1,
            theme.dim(),
        );
    }
    for (k, &i) in list.shown.iter().enumerate().skip(top).take(height) {
        let id = &app.ids[i];
        let info = app.info.get(id);
        let status = info.and_then(|x| x.status).map_or("·", |s| match s {
            crate::model::Status::Done => "✓",
            crate::model::Status::InProgress => "…",
            crate::model::Status::Skipped => "↷",
        });
        let stale = if info.and_then(|x| x.stale) == Some(true) {
            " stale"
        } else {
            ""
        };
        let here = if i == app.index { " ◂ open" } else { "" };
        let line = format!(
            " {status} {:>6}  {}{stale}{here}",
            i + 1,
            sanitize_inline(id)
        );
        let style = if k == list.selected {
            theme.selected()
        } else {
            theme.text()
        };
        let y = inner.y + (k - top) as u16;
        if k == list.selected {
            buf.set_style(
                Rect {
                    y,
                    height: 1,
                    ..inner
                },
                style,
            );
        }
        buf.set_stringn(inner.x, y, line, inner.width as usize, style);
    }
}
