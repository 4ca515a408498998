//! The status bar: which article (k/N), who, how far the analyst is, unsaved changes; and a
//! line for messages, or key hints when there is none.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use crate::text::sanitize::sanitize_inline;
use crate::tui::app::{App, Focus, Level};
use crate::tui::keymap::{Action, Context};

/// Draws the two lines; returns the terminal cursor when a search is being typed.
pub fn draw(buf: &mut Buffer, area: Rect, app: &mut App) -> Option<Position> {
    let theme = app.theme;
    let bar = Rect { height: 1, ..area };
    buf.set_style(bar, theme.bar());

    let (done, in_progress, skipped) = app.counts();
    let this = match app.info.get(app.id()).and_then(|i| i.status) {
        Some(s) => s.name(),
        None => "not reviewed",
    };
    let scanning = if app.scanning() { " …" } else { "" };
    // Active review time on the article, once there is a minute of it.
    let minutes = app.review_time().as_secs() / 60;
    let time = if minutes > 0 {
        format!(" · {minutes} min")
    } else {
        String::new()
    };
    // The queue followed, and the open article's place in it ("low-confidence 3/812").
    let queue = match app.queue_position() {
        Some((q, _, 0)) => format!("{} reading… │ ", q.name()),
        Some((q, 0, n)) => format!("{} –/{n} │ ", q.name()),
        Some((q, k, n)) => format!("{} {k}/{n} │ ", q.name()),
        None => String::new(),
    };
    let left = format!(
        " {}  {}/{} │ {queue}{} │ this: {this}{time} │ done {done} · in progress {in_progress} · skipped {skipped}{scanning} ",
        sanitize_inline(app.id()),
        app.index + 1,
        app.ids.len(),
        match &app.adjudication {
            Some(a) => format!("{} adjudicating", sanitize_inline(&a.reviewer)),
            None => sanitize_inline(&app.analyst).into_owned(),
        },
    );
    let (right, right_style) = if let Some(r) = &app.read_only {
        let _ = r;
        (" read-only ".to_string(), theme.bar().patch(theme.error()))
    } else if app.current.blocked.is_some() {
        (" read-only ".to_string(), theme.bar().patch(theme.error()))
    } else if app.current.dirty() {
        (
            " ● unsaved ".to_string(),
            theme.bar().patch(theme.unsaved()),
        )
    } else {
        (String::new(), theme.bar())
    };
    let right_w = right.chars().count() as u16;
    buf.set_stringn(
        bar.x,
        bar.y,
        &left,
        bar.width.saturating_sub(right_w) as usize,
        theme.bar(),
    );
    if right_w > 0 && right_w < bar.width {
        buf.set_string(bar.right() - right_w, bar.y, &right, right_style);
    }

    if area.height < 2 {
        return None;
    }
    let y = area.y + 1;
    if app.prompt.is_some() {
        let label = "search /";
        let label_w = (label.chars().count() as u16 + 2).min(area.width / 2);
        buf.set_stringn(area.x + 1, y, label, label_w as usize - 1, theme.label());
        let box_area = Rect {
            x: area.x + label_w,
            y,
            width: area.width.saturating_sub(label_w + 1),
            height: 1,
        };
        app.editor_width = box_area.width;
        let options = app.text;
        let style = theme.input();
        return app
            .prompt
            .as_mut()
            .and_then(|p| super::editor::draw(buf, box_area, &mut p.editor, &options, style));
    }
    match &app.message {
        Some((text, level)) => {
            let style = match level {
                Level::Info => theme.info(),
                Level::Error => theme.error(),
            };
            buf.set_stringn(
                area.x + 1,
                y,
                sanitize_inline(text),
                area.width as usize - 1,
                style,
            );
        }
        None => {
            let context = match app.focus {
                Focus::Fields => Context::Fields,
                Focus::Article => Context::Article,
            };
            let hint = |a: Action, what: &str| format!("{} {what}", app.keymap.keys_of(context, a));
            // Most useful first: the line keeps as many as fit.
            let hints = match app.focus {
                _ if app.search.is_some() => [
                    hint(Action::NextHit, "next hit"),
                    hint(Action::PrevHit, "previous hit"),
                    hint(Action::EndSearch, "end search"),
                    hint(Action::NextField, "field"),
                    hint(Action::Confirm, "confirm"),
                    hint(Action::SwitchPane, "pane"),
                    hint(Action::Help, "help"),
                    hint(Action::Quit, "quit"),
                    hint(Action::OpenList, "table"),
                ],
                Focus::Fields => [
                    hint(Action::NextField, "field"),
                    hint(Action::Confirm, "confirm"),
                    hint(Action::Reject, "reject"),
                    hint(Action::NextArticle, "next article"),
                    hint(Action::MarkDone, "done"),
                    hint(Action::Help, "help"),
                    hint(Action::Quit, "quit"),
                    hint(Action::OpenList, "table"),
                    hint(Action::SwitchPane, "article"),
                ],
                Focus::Article => [
                    hint(Action::ScrollDown, "scroll"),
                    hint(Action::PageDown, "page"),
                    hint(Action::SwitchPane, "fields"),
                    hint(Action::NextArticle, "next article"),
                    hint(Action::MarkDone, "done"),
                    hint(Action::Help, "help"),
                    hint(Action::Quit, "quit"),
                    hint(Action::OpenList, "table"),
                    hint(Action::Top, "top"),
                ],
            };
            // As many hints as fit, whole.
            let mut line = String::new();
            for h in hints {
                let next = if line.is_empty() {
                    h
                } else {
                    format!("{line} · {h}")
                };
                if next.chars().count() + 1 > area.width as usize {
                    break;
                }
                line = next;
            }
            buf.set_stringn(area.x + 1, y, line, area.width as usize - 1, theme.dim());
        }
    }
    None
}
