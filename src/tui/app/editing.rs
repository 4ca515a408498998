//! Editing values: the inline editor of text fields, the choice picker, the multi_choice
//! checklist, the list and record editors, `$EDITOR` for long texts, and the search prompt's
//! keys. Every committed value goes through [`App::change`], so it is undoable and kept for
//! recovery like a verdict.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, ExternalEdit, Focus, Level, Overlay};
use crate::model::review::Review;
use crate::model::{FieldDef, FieldType, Record, Schema, Value};
use crate::tui::edit::{
    self, Checklist, EditOutcome, EditorKind, Form, Items, LineEdit, Picker, editor_kind,
    list_items, list_value, records, records_value, text_of, validate,
};
use crate::tui::keymap::{Action, Context, Keymap};

/// A key for a line editor: its editor action, or the char it types.
fn editor_key(keymap: &Keymap, key: &KeyEvent) -> (Option<Action>, Option<char>) {
    let action = keymap.lookup(Context::Editor, key);
    let typed = match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    };
    (action, typed)
}

/// Sets field `name` to none: rejected when the extractor had a value, else confirmed as none.
pub(super) fn clear_value(review: &mut Review, schema: &Schema, name: &str) {
    let had = review
        .field(name)
        .extracted
        .is_some_and(|e| !e.value.is_null());
    if had {
        review.reject(schema, name);
    } else {
        review.confirm(schema, name);
    }
}

/// Sets field `name` to `value`, or to none when the value is none.
fn put(review: &mut Review, schema: &Schema, name: &str, value: Value) {
    if value.is_null() {
        clear_value(review, schema, name);
    } else {
        review.set_value(schema, name, value);
    }
}

impl App {
    /// Keys for whatever editor is open; returns whether one was.
    pub(super) fn handle_editing_key(&mut self, key: &KeyEvent) -> bool {
        let width = self.editor_width;
        let options = self.text;
        if self.editing.is_some() && self.keymap.lookup(Context::Fields, key) == Some(Action::Save)
        {
            // Ctrl-S while typing keeps the value (if it can be kept) and saves.
            self.commit_field_edit();
            if self.editing.is_none() {
                self.update(Action::Save);
            }
            return true;
        }
        if let Some(edit) = &mut self.editing {
            let (action, typed) = editor_key(&self.keymap, key);
            match edit::apply(&mut edit.editor, action, typed, width, &options) {
                EditOutcome::Commit => self.commit_field_edit(),
                EditOutcome::Cancel => self.editing = None,
                EditOutcome::Editing => self.revalidate(),
            }
            return true;
        }
        if let Some(prompt) = &mut self.prompt {
            let (action, typed) = editor_key(&self.keymap, key);
            match edit::apply(&mut prompt.editor, action, typed, width, &options) {
                EditOutcome::Commit => {
                    let query = prompt.editor.text().to_string();
                    self.prompt = None;
                    self.start_search(&query);
                }
                EditOutcome::Cancel => self.prompt = None,
                EditOutcome::Editing => {}
            }
            return true;
        }
        match self.overlay.take() {
            Some(Overlay::Picker(p)) => self.picker_key(p, key),
            Some(Overlay::Checklist(c)) => self.checklist_key(c, key),
            Some(Overlay::Items(items)) => self.items_key(items, key),
            other => {
                self.overlay = other;
                return false;
            }
        }
        true
    }

    /// Pasted text goes to the open editor (bracketed paste: one event, newlines and all).
    pub fn handle_paste(&mut self, text: &str) {
        self.active.touch(self.clock.now());
        let editor = if let Some(e) = &mut self.editing {
            Some(&mut e.editor)
        } else if let Some(p) = &mut self.prompt {
            Some(&mut p.editor)
        } else {
            match &mut self.overlay {
                Some(Overlay::Picker(p)) => Some(&mut p.filter.editor),
                Some(Overlay::Items(Items {
                    editing: Some((_, e, _)),
                    ..
                })) => Some(&mut e.editor),
                Some(Overlay::Items(Items {
                    form:
                        Some(Form {
                            editing: Some(e), ..
                        }),
                    ..
                })) => Some(&mut e.editor),
                _ => None,
            }
        };
        if let Some(e) = editor {
            e.insert(text);
        }
        if let Some(Overlay::Picker(mut p)) = self.overlay.take() {
            let def = self.field_def().clone();
            p.refilter(&def);
            self.overlay = Some(Overlay::Picker(p));
        }
        self.revalidate();
    }

    /// Opens the editor the focused field's type calls for.
    pub(super) fn edit_field(&mut self) {
        if self.refuse_change() {
            return;
        }
        let def = self.field_def().clone();
        let state = self.current.review.field(&def.name);
        // A value offered from a twin is where the editing starts.
        let value = match self.suggestion(&def.name) {
            Some(s) => Some(s.value.clone()),
            None => state.value().cloned(),
        };
        match editor_kind(&def) {
            EditorKind::Line { multiline } => {
                self.editing = Some(LineEdit::new(&text_of(value.as_ref()), multiline));
            }
            EditorKind::Picker => {
                let current = match &value {
                    Some(Value::Text(s)) => Some(s.as_str()),
                    _ => None,
                };
                self.overlay = Some(Overlay::Picker(Picker::new(&def, current)));
            }
            EditorKind::Checklist => {
                let items = list_items(value.as_ref());
                self.overlay = Some(Overlay::Checklist(Checklist::new(&def, &items)));
            }
            EditorKind::Items => {
                // The items are edited in place: a twin's offered list becomes the value
                // first, an edit of the analyst's own (no `from_twin`).
                if let Some(s) = self.suggestion(&def.name).cloned() {
                    self.change(|r, schema| {
                        r.set_value(schema, &def.name, s.value);
                        None
                    });
                }
                self.overlay = Some(Overlay::Items(Items {
                    selected: 0,
                    editing: None,
                    form: None,
                }))
            }
            EditorKind::Selection => {
                self.focus = Focus::Article;
                self.say(
                    "select the span in the article: w/b move, v starts a selection, Enter sets it",
                    Level::Info,
                );
            }
        }
    }

    /// Re-checks the open editor's text once a problem is shown, so it goes when fixed.
    fn revalidate(&mut self) {
        let def = self.field_def().clone();
        if let Some(edit) = &mut self.editing
            && edit.problem.is_some()
            && !edit.note
        {
            edit.problem = validate(&def, edit.editor.text()).err();
        }
    }

    fn commit_field_edit(&mut self) {
        let def = self.field_def().clone();
        let Some(edit) = &mut self.editing else {
            return;
        };
        if edit.note {
            let note = edit.editor.text().to_string();
            self.editing = None;
            self.change(|r, s| {
                r.set_note(s, &def.name, &note);
                None
            });
            return;
        }
        match validate(&def, edit.editor.text()) {
            Err(problem) => edit.problem = Some(problem),
            Ok(text) => {
                self.editing = None;
                let name = def.name.clone();
                let value = if text.is_empty() {
                    Value::Null
                } else {
                    Value::Text(text)
                };
                self.change(|r, s| {
                    put(r, s, &name, value);
                    None
                });
            }
        }
    }

    fn picker_key(&mut self, mut p: Picker, key: &KeyEvent) {
        let def = self.field_def().clone();
        match self.keymap.lookup(Context::Picker, key) {
            Some(Action::Next) => {
                p.selected = (p.selected + 1).min(p.shown.len().saturating_sub(1))
            }
            Some(Action::Prev) => p.selected = p.selected.saturating_sub(1),
            Some(Action::Cancel) => return,
            Some(Action::Commit) => {
                let Some(v) = p.picked(&def).map(str::to_string) else {
                    self.say("nothing matches: Backspace, or Esc", Level::Error);
                    self.overlay = Some(Overlay::Picker(p));
                    return;
                };
                let name = def.name.clone();
                self.change(|r, s| {
                    r.set_value(s, &name, Value::Text(v));
                    None
                });
                return;
            }
            _ => {
                let (action, typed) = editor_key(&self.keymap, key);
                let (width, options) = (self.editor_width, self.text);
                edit::apply(&mut p.filter.editor, action, typed, width, &options);
                p.refilter(&def);
            }
        }
        self.overlay = Some(Overlay::Picker(p));
    }

    fn checklist_key(&mut self, mut c: Checklist, key: &KeyEvent) {
        let def = self.field_def().clone();
        let last = c.checked.len().saturating_sub(1);
        match self.keymap.lookup(Context::Checklist, key) {
            Some(Action::Next) => c.selected = (c.selected + 1).min(last),
            Some(Action::Prev) => c.selected = c.selected.saturating_sub(1),
            Some(Action::Toggle) => {
                if let Some(t) = c.checked.get_mut(c.selected) {
                    *t = !*t;
                }
            }
            Some(Action::Cancel) => return,
            Some(Action::Commit) => {
                let name = def.name.clone();
                let value = c.value(&def);
                self.change(|r, s| {
                    put(r, s, &name, value);
                    None
                });
                return;
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Checklist(c));
    }

    /// The items of the focused list field, or the summaries of its records.
    pub fn item_lines(&self) -> Vec<String> {
        let def = self.field_def();
        let value = self.current.review.field(&def.name).value().cloned();
        match def.kind {
            FieldType::RecordList => records(value.as_ref())
                .iter()
                .map(Record::summary)
                .collect(),
            _ => list_items(value.as_ref()),
        }
    }

    fn set_items(&mut self, def: &FieldDef, value: Value) {
        let name = def.name.clone();
        self.change(|r, s| {
            put(r, s, &name, value);
            None
        });
    }

    fn items_key(&mut self, mut items: Items, key: &KeyEvent) {
        let def = self.field_def().clone();
        let value = self.current.review.field(&def.name).value().cloned();
        let is_records = def.kind == FieldType::RecordList;
        let mut list = list_items(value.as_ref());
        let mut recs = records(value.as_ref());
        let len = if is_records { recs.len() } else { list.len() };
        let (width, options) = (self.editor_width, self.text);

        // Typing an item.
        if let Some((index, mut edit, new)) = items.editing.take() {
            let (action, typed) = editor_key(&self.keymap, key);
            match edit::apply(&mut edit.editor, action, typed, width, &options) {
                EditOutcome::Editing => items.editing = Some((index, edit, new)),
                EditOutcome::Cancel => {}
                EditOutcome::Commit => {
                    let text = edit.editor.text().trim().to_string();
                    match (text.is_empty(), new) {
                        (true, true) => {}
                        (true, false) => {
                            list.remove(index);
                            items.selected = items.selected.min(list.len().saturating_sub(1));
                            self.set_items(&def, list_value(list));
                        }
                        (false, true) => {
                            list.insert(index.min(list.len()), text);
                            items.selected = index.min(list.len() - 1);
                            self.set_items(&def, list_value(list));
                        }
                        (false, false) => {
                            list[index] = text;
                            self.set_items(&def, list_value(list));
                        }
                    }
                }
            }
            self.overlay = Some(Overlay::Items(items));
            return;
        }

        // A record's sub-fields.
        if let Some(mut form) = items.form.take() {
            let subs = &def.fields;
            if let Some(mut edit) = form.editing.take() {
                let sub = &subs[form.selected.min(subs.len().saturating_sub(1))];
                let (action, typed) = editor_key(&self.keymap, key);
                match edit::apply(&mut edit.editor, action, typed, width, &options) {
                    EditOutcome::Editing => {
                        if edit.problem.is_some() {
                            edit.problem = validate(sub, edit.editor.text()).err();
                        }
                        form.editing = Some(edit);
                    }
                    EditOutcome::Cancel => {}
                    EditOutcome::Commit => match validate(sub, edit.editor.text()) {
                        Err(p) => {
                            edit.problem = Some(p);
                            form.editing = Some(edit);
                        }
                        Ok(text) => {
                            if form.new {
                                if !text.is_empty() {
                                    let mut r = Record::default();
                                    r.set(&def, &sub.name, &text);
                                    let at = form.record.min(recs.len());
                                    recs.insert(at, r);
                                    form.record = at;
                                    form.new = false;
                                    items.selected = at;
                                    self.set_items(&def, records_value(recs));
                                }
                            } else if let Some(r) = recs.get_mut(form.record) {
                                r.set(&def, &sub.name, &text);
                                self.set_items(&def, records_value(recs));
                            }
                        }
                    },
                }
                items.form = Some(form);
            } else {
                match self.keymap.lookup(Context::Form, key) {
                    Some(Action::Next) => {
                        form.selected = (form.selected + 1).min(subs.len().saturating_sub(1));
                        items.form = Some(form);
                    }
                    Some(Action::Prev) => {
                        form.selected = form.selected.saturating_sub(1);
                        items.form = Some(form);
                    }
                    Some(Action::Edit) => {
                        let current = recs
                            .get(form.record)
                            .filter(|_| !form.new)
                            .and_then(|r| subs.get(form.selected).and_then(|s| r.get(&s.name)))
                            .unwrap_or("");
                        form.editing = Some(LineEdit::new(current, false));
                        items.form = Some(form);
                    }
                    Some(Action::Close) => {
                        // A record left with nothing in it is not a record.
                        if let Some(r) = recs.get(form.record)
                            && !form.new
                            && r.0.is_empty()
                        {
                            recs.remove(form.record);
                            self.set_items(&def, records_value(recs));
                        }
                    }
                    _ => items.form = Some(form),
                }
            }
            self.overlay = Some(Overlay::Items(items));
            return;
        }

        match self.keymap.lookup(Context::Items, key) {
            Some(Action::Next) => items.selected = (items.selected + 1).min(len.saturating_sub(1)),
            Some(Action::Prev) => items.selected = items.selected.saturating_sub(1),
            Some(Action::Close) => return,
            Some(Action::Undo) => {
                self.undo(false);
                items.selected = items
                    .selected
                    .min(self.item_lines().len().saturating_sub(1));
            }
            Some(Action::Edit) | Some(Action::AddItem) if self.blocked().is_some() => {
                self.refuse_change();
            }
            Some(Action::Edit) if len > 0 => {
                if is_records {
                    items.form = Some(Form {
                        record: items.selected,
                        selected: 0,
                        editing: None,
                        new: false,
                    });
                } else {
                    let e = LineEdit::new(&list[items.selected], false);
                    items.editing = Some((items.selected, e, false));
                }
            }
            Some(Action::Edit | Action::AddItem) => {
                let at = if len == 0 { 0 } else { items.selected + 1 };
                if is_records {
                    items.form = Some(Form {
                        record: at,
                        selected: 0,
                        editing: Some(LineEdit::new("", false)),
                        new: true,
                    });
                } else {
                    items.editing = Some((at, LineEdit::new("", false), true));
                }
            }
            Some(Action::DeleteItem) if len > 0 => {
                let i = items.selected;
                let value = if is_records {
                    recs.remove(i);
                    records_value(recs)
                } else {
                    list.remove(i);
                    list_value(list)
                };
                items.selected = i.min(len.saturating_sub(2));
                self.set_items(&def, value);
            }
            Some(a @ (Action::MoveDown | Action::MoveUp)) if len > 1 => {
                let i = items.selected;
                let j = if a == Action::MoveDown {
                    (i + 1).min(len - 1)
                } else {
                    i.saturating_sub(1)
                };
                if i != j {
                    let value = if is_records {
                        recs.swap(i, j);
                        records_value(recs)
                    } else {
                        list.swap(i, j);
                        list_value(list)
                    };
                    items.selected = j;
                    self.set_items(&def, value);
                }
            }
            _ => {}
        }
        self.overlay = Some(Overlay::Items(items));
    }

    /// Asks the event loop to edit the focused long text in `$EDITOR`.
    pub(super) fn external_edit(&mut self) {
        let def = self.field_def().clone();
        if def.kind != FieldType::LongText && def.kind != FieldType::Text {
            self.say(
                "$EDITOR edits text fields; Enter edits this one",
                Level::Error,
            );
            return;
        }
        if self.refuse_change() {
            return;
        }
        let text = text_of(self.current.review.field(&def.name).value());
        self.external = Some(ExternalEdit {
            field: def.name,
            text,
        });
    }

    /// Takes back what `$EDITOR` left (or why it failed).
    pub fn finish_external_edit(&mut self, edit: ExternalEdit, result: Result<String, String>) {
        match result {
            Err(e) => self.say(format!("value unchanged: {e}"), Level::Error),
            Ok(text) => {
                let Some(def) = self.schema.field(&edit.field).cloned() else {
                    return;
                };
                let multiline = def.kind == FieldType::LongText;
                let cleaned = edit::LineEdit::new(&text, multiline)
                    .editor
                    .text()
                    .to_string();
                match validate(&def, &cleaned) {
                    Err(p) => self.say(format!("value unchanged: {p}"), Level::Error),
                    Ok(t) if t == edit.text.trim() => self.say("value unchanged", Level::Info),
                    Ok(t) => {
                        let value = if t.is_empty() {
                            Value::Null
                        } else {
                            Value::Text(t)
                        };
                        self.change(|r, s| {
                            put(r, s, &def.name, value);
                            Some(format!("{}: value from $EDITOR", def.name))
                        });
                    }
                }
            }
        }
    }
}
