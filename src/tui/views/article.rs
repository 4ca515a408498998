//! The article pane: the article as the layout engine lays it out at the pane's width, the
//! boilerplate outside `body_span` dimmed, and the focused field's evidence highlighted at its
//! visual columns (a span across a direction change shows as several pieces).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};

use super::rows::draw_row;
use crate::model::{Span, Value};
use crate::text::sanitize::sanitize_inline;
use crate::tui::app::{App, Focus};

/// The schema field whose span is the article proper.
pub const BODY_FIELD: &str = "body_span";

/// Draws the pane.
pub fn draw(buf: &mut Buffer, area: Rect, app: &mut App) {
    let focused = app.focus == Focus::Article && app.overlay.is_none();
    // The id, and what the pipeline said of the article: outlet and date on top, url below.
    let mut title = sanitize_inline(app.id()).into_owned();
    if let Some(meta) = &app.current.meta {
        // Each part in a first-strong isolate, so that an Arabic outlet and a date beside it
        // do not reorder each other (UAX #9 X5c).
        for part in [&meta.outlet, &meta.published_at].into_iter().flatten() {
            title.push_str(&format!(" · \u{2068}{}\u{2069}", sanitize_inline(part)));
        }
    }
    let title = format!(" {} ", super::rows::visual(&title, &app.text));
    let title_width = crate::text::width::str_width(&title);
    let mut block = Block::new()
        .borders(Borders::ALL)
        .border_style(app.theme.border(focused))
        .title(Line::from(title).style(app.theme.border(focused)));
    // The twin on the right of the border: its id isolated, so that an id in Arabic letters
    // cannot move the similarity beside it; the whole line left to right, as written.
    // Where the pane is too narrow for both, the id stays whole and the twin's is left out.
    if let Some(twin) = app.twin_title() {
        let (head, rest) = twin.split_at("twin of ".len());
        let (id, tail) = rest.rsplit_once(" (").unwrap_or((rest, ""));
        let full = format!(
            " {} ",
            super::rows::visual(&format!("{head}\u{2068}{id}\u{2069} ({tail}"), &app.text)
        );
        let short = format!(" twin ({tail} ");
        let room = (area.width as usize).saturating_sub(title_width + 3);
        if let Some(text) = [full, short]
            .into_iter()
            .find(|t| crate::text::width::str_width(t) <= room)
        {
            block = block.title(
                Line::from(text)
                    .style(app.theme.border(focused))
                    .right_aligned(),
            );
        }
    }
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let layout = app.article_layout(inner.width);
    let rows = layout.rows();
    let height = inner.height as usize;
    app.article_height = height;
    app.article_width = inner.width;
    let hits = app.search_hits();
    let selection = if app.anchor.is_some() {
        app.selection()
    } else {
        None
    };
    let word = app.word.clone();

    let review = &app.current.review;
    let evidence: Option<Span> = review
        .field(&app.field_def().name)
        .evidence()
        .and_then(|e| review.article.resolve(e));
    let body: Option<Span> = match review.field(BODY_FIELD).value() {
        Some(Value::Span(s)) => Some(*s),
        _ => None,
    };

    if app.follow_evidence {
        app.follow_evidence = false;
        if let Some(span) = evidence
            && let Some((first, _)) = layout.spans(span.range()).first()
        {
            let last = layout
                .spans(span.range())
                .last()
                .map_or(*first, |(r, _)| *r);
            if *first < app.scroll || last >= app.scroll + height {
                app.scroll = first.saturating_sub(2);
            }
        }
    }
    if app.follow_word {
        app.follow_word = false;
        if let Some(w) = &word
            && let Some(row) = layout.row_of(w.start)
            && (row < app.scroll || row >= app.scroll + height)
        {
            app.scroll = row.saturating_sub(height / 3);
        }
    }
    app.scroll = app.scroll.min(rows.len().saturating_sub(height));

    let theme = app.theme;
    for (i, row) in rows.iter().skip(app.scroll).take(height).enumerate() {
        let y = inner.y + i as u16;
        draw_row(buf, inner.x, y, inner.width, row, |cell| {
            let inside = |s: &Span| cell.source.start < s.end && s.start < cell.source.end;
            let within =
                |r: &std::ops::Range<u32>| cell.source.start < r.end && r.start < cell.source.end;
            let base = if selection.as_ref().is_some_and(within) {
                theme.selection()
            } else if evidence.as_ref().is_some_and(inside) {
                theme.evidence()
            } else if hits.iter().any(within) {
                theme.hit()
            } else if body.as_ref().is_some_and(|b| !inside(b)) {
                theme.boilerplate()
            } else {
                theme.text()
            };
            if word.as_ref().is_some_and(within) {
                base.patch(theme.word_cursor())
            } else {
                base
            }
        });
    }

    if let Some(url) = app.current.meta.as_ref().and_then(|m| m.url.as_deref()) {
        let url = format!(" {} ", sanitize_inline(url));
        let room = area.width.saturating_sub(12) as usize;
        buf.set_stringn(
            area.x + 1,
            area.bottom() - 1,
            &url,
            room,
            app.theme.border(focused),
        );
    }

    // Where we are in the article, on the bottom border.
    if rows.len() > height {
        let pct = (app.scroll + height).min(rows.len()) * 100 / rows.len();
        let label = format!(" {pct}% ");
        let x = area.right().saturating_sub(label.len() as u16 + 1);
        buf.set_string(x, area.bottom() - 1, label, app.theme.border(focused));
    }
}
