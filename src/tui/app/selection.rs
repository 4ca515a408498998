//! The article pane's word cursor and selection: evidence is chosen in the article itself.
//!
//! The cursor moves word by word in logical order (`w`, `b`): in a right-to-left line, the
//! next word is on the left, and across a Latin name inside Arabic text the order is the one
//! the sentence is read in. A selection runs from the word where `v` was pressed to the word
//! cursor, as a logical range; the view highlights it at its visual columns, in several pieces
//! when it crosses a direction change.

use std::ops::Range;

use super::{App, Level};
use crate::model::{FieldType, Span, Value};
use crate::tui::edit::{list_items, validate, words};

impl App {
    /// The words of the open article (computed on first use).
    fn article_words(&mut self) -> &[Range<u32>] {
        if self.words.is_none() {
            self.words = Some(words(&self.current.review.article.text));
        }
        self.words.as_deref().unwrap_or(&[])
    }

    /// The selection: from the anchor word to the word cursor; without an anchor, the word
    /// under the cursor.
    pub fn selection(&self) -> Option<Range<u32>> {
        let word = self.word.clone()?;
        Some(match &self.anchor {
            Some(a) => a.start.min(word.start)..a.end.max(word.end),
            None => word,
        })
    }

    /// Moves the word cursor to the next (or previous) word; the first press puts it on the
    /// first word of the rows in view.
    pub(super) fn move_word(&mut self, forward: bool) {
        let first_visible = {
            let layout = self.article_layout(self.article_width);
            layout.rows().get(self.scroll).map_or(0, |r| r.source.start)
        };
        let current = self.word.clone();
        let words = self.article_words();
        if words.is_empty() {
            return;
        }
        let i = match current {
            None => words.partition_point(|w| w.end <= first_visible),
            Some(w) => {
                let i = words.partition_point(|x| x.start < w.start);
                if forward { i + 1 } else { i.saturating_sub(1) }
            }
        };
        let next = words[i.min(words.len() - 1)].clone();
        self.word = Some(next);
        self.follow_word = true;
    }

    /// With a word cursor: moves it `rows` rows down (up when negative), to the first word of
    /// that row in reading order, so that a long span is selected a row or a page at a time.
    pub(super) fn move_word_rows(&mut self, rows: isize) {
        let Some(word) = self.word.clone() else {
            return;
        };
        let target_start = {
            let layout = self.article_layout(self.article_width);
            let Some(row) = layout.row_of(word.start) else {
                return;
            };
            let last = layout.rows().len().saturating_sub(1) as isize;
            let target = (row as isize + rows).clamp(0, last) as usize;
            layout.rows()[target].source.start
        };
        let words = self.article_words();
        let i = words.partition_point(|w| w.end <= target_start);
        if let Some(next) = words.get(i.min(words.len().saturating_sub(1))).cloned() {
            self.word = Some(next);
            self.follow_word = true;
        }
    }

    /// Starts a selection at the word cursor, or drops the one being made.
    pub(super) fn toggle_selection(&mut self) {
        if self.anchor.take().is_some() {
            return;
        }
        if self.word.is_none() {
            self.move_word(true);
        }
        self.anchor = self.word.clone();
        if self.anchor.is_some() {
            self.say(
                "selecting: w/b extend, Enter → evidence, V → evidence and value, Esc drops",
                Level::Info,
            );
        }
    }

    /// Makes the selection the focused field's evidence (a span field's value); with
    /// `copy`, its text becomes the value too.
    pub(super) fn use_selection(&mut self, copy: bool) {
        let Some(range) = self.selection() else {
            self.say(
                "no selection: w/b put the word cursor on a word, v starts a selection",
                Level::Error,
            );
            return;
        };
        let span = Span {
            start: range.start,
            end: range.end,
        };
        let def = self.field_def().clone();
        let text = self
            .current
            .review
            .article
            .slice(span)
            .unwrap_or("")
            .to_string();
        let name = def.name.clone();
        if def.kind == FieldType::Span {
            self.change(|r, s| {
                r.set_value(s, &name, Value::Span(span));
                Some(format!("{name}: {span}"))
            });
        } else if !copy {
            self.change(|r, s| {
                r.set_evidence(s, &name, span);
                Some(format!("evidence of {name}: {span}"))
            });
        } else {
            let value = match def.kind {
                FieldType::List => {
                    let mut items = list_items(self.current.review.field(&name).value());
                    items.push(text.clone());
                    Ok(Value::List(items))
                }
                FieldType::Text | FieldType::LongText | FieldType::Date => {
                    validate(&def, &text).map(Value::Text)
                }
                _ => Err(format!(
                    "V copies text into text, date and list fields; {name} is a {}",
                    def.kind.name()
                )),
            };
            match value {
                Err(e) => {
                    self.say(e, Level::Error);
                    return;
                }
                Ok(value) => self.change(|r, s| {
                    r.set_value(s, &name, value);
                    r.set_evidence(s, &name, span);
                    Some(format!("{name}: value and evidence from the selection"))
                }),
            }
        }
        self.anchor = None;
        self.follow_evidence = true;
    }
}
