//! The states of editing a value on the review screen, and the pure rules between a value and
//! what the analyst types: which editor a field type gets, how typed text becomes a value, what
//! keeps it from being committed.
//!
//! `app.rs` owns the flow (which key opens what, where the result goes); this module owns the
//! pieces it is made of, so they are tested alone.

use std::ops::Range;

use crate::model::{FieldDef, FieldType, Record, Value, check_date};
use crate::text::LayoutOptions;
use crate::text::editor::Editor;
use crate::text::fold::{fold, fold_query};
use crate::tui::keymap::Action;

/// A line editor with the problem that keeps its text from being committed, if any.
#[derive(Clone, Debug)]
pub struct LineEdit {
    /// The text being typed.
    pub editor: Editor,
    /// Why the text cannot be kept as it is (shown under the box).
    pub problem: Option<String>,
    /// The field's note is typed, not its value.
    pub note: bool,
}

impl LineEdit {
    /// An editor on `text`; several lines for long texts.
    pub fn new(text: &str, multiline: bool) -> LineEdit {
        LineEdit {
            editor: Editor::new(text, multiline),
            problem: None,
            note: false,
        }
    }
}

/// What a key did to a line editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditOutcome {
    /// Still editing.
    Editing,
    /// The analyst wants the value kept.
    Commit,
    /// The analyst left without changes.
    Cancel,
}

/// Applies an editor action (or typed text) to `editor` drawn `width` columns wide.
pub fn apply(
    editor: &mut Editor,
    action: Option<Action>,
    typed: Option<char>,
    width: u16,
    options: &LayoutOptions,
) -> EditOutcome {
    match action {
        Some(Action::Commit) => return EditOutcome::Commit,
        Some(Action::Cancel) => return EditOutcome::Cancel,
        Some(Action::Newline) if editor.multiline() => editor.insert("\n"),
        Some(Action::ClearLine) => editor.clear_line(),
        Some(Action::DeleteWordBack) => editor.delete_word_back(),
        Some(Action::Home) => editor.home(),
        Some(Action::End) => editor.end(),
        Some(Action::Left) => editor.left(width, options),
        Some(Action::Right) => editor.right(width, options),
        Some(Action::WordLeft) => editor.word_left(width, options),
        Some(Action::WordRight) => editor.word_right(width, options),
        Some(Action::Up) => editor.up(width, options),
        Some(Action::Down) => editor.down(width, options),
        Some(Action::Backspace) => editor.backspace(),
        Some(Action::Delete) => editor.delete(),
        Some(_) => {}
        None => {
            if let Some(c) = typed {
                let mut buf = [0u8; 4];
                editor.insert(c.encode_utf8(&mut buf));
            }
        }
    }
    EditOutcome::Editing
}

/// The text an editor opens with for a text-like value.
pub fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::Text(s)) => s.clone(),
        _ => String::new(),
    }
}

/// Checks typed text against a text-like field (text, long_text, date, or a record's
/// sub-field); returns the trimmed text to keep.
pub fn validate(def: &FieldDef, text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    match def.kind {
        FieldType::Date => check_date(t).map(|_| t.to_string()),
        FieldType::Choice if !def.allows(t) => Err(format!(
            "not one of: {}",
            def.values
                .iter()
                .map(|c| c.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => Ok(t.to_string()),
    }
}

/// The choice picker: the schema's values, filtered by what is typed.
#[derive(Clone, Debug)]
pub struct Picker {
    /// The filter typed.
    pub filter: LineEdit,
    /// Indices into the field's values of those shown.
    pub shown: Vec<usize>,
    /// The selected entry of `shown`.
    pub selected: usize,
}

impl Picker {
    /// A picker on `def`'s values with `current` selected.
    pub fn new(def: &FieldDef, current: Option<&str>) -> Picker {
        let mut p = Picker {
            filter: LineEdit::new("", false),
            shown: Vec::new(),
            selected: 0,
        };
        p.refilter(def);
        if let Some(c) = current {
            p.selected = def.values.iter().position(|v| v.value == c).unwrap_or(0);
        }
        p
    }

    /// Shows the values whose name or labels contain the filter (folded: hamza, harakat…).
    pub fn refilter(&mut self, def: &FieldDef) {
        let q = fold_query(self.filter.editor.text());
        self.shown = (0..def.values.len())
            .filter(|&i| {
                let c = &def.values[i];
                let hay = format!(
                    "{} {} {}",
                    c.value,
                    c.label.en.as_deref().unwrap_or(""),
                    c.label.ar.as_deref().unwrap_or("")
                );
                q.is_empty() || !fold(&hay).find_all(&q).is_empty()
            })
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    /// The value picked, if any is shown.
    pub fn picked<'a>(&self, def: &'a FieldDef) -> Option<&'a str> {
        self.shown
            .get(self.selected)
            .map(|&i| def.values[i].value.as_str())
    }
}

/// The multi_choice checklist.
#[derive(Clone, Debug)]
pub struct Checklist {
    /// Whether each of the field's values is ticked.
    pub checked: Vec<bool>,
    /// The selected value.
    pub selected: usize,
    /// Values of the current value the schema does not list: kept as they are.
    pub others: Vec<String>,
}

impl Checklist {
    /// A checklist on `def`'s values, ticked as `current`.
    pub fn new(def: &FieldDef, current: &[String]) -> Checklist {
        Checklist {
            checked: def
                .values
                .iter()
                .map(|c| current.contains(&c.value))
                .collect(),
            selected: 0,
            others: current.iter().filter(|v| !def.allows(v)).cloned().collect(),
        }
    }

    /// The value ticked, in schema order (unknown values last, as they were).
    pub fn value(&self, def: &FieldDef) -> Value {
        let mut items: Vec<String> = def
            .values
            .iter()
            .zip(&self.checked)
            .filter(|(_, c)| **c)
            .map(|(v, _)| v.value.clone())
            .collect();
        items.extend(self.others.iter().cloned());
        if items.is_empty() {
            Value::Null
        } else {
            Value::List(items)
        }
    }
}

/// The items of a list or the records of a record_list, being edited one by one. Every
/// change goes to the review at once (and can be undone), so closing never loses anything.
#[derive(Clone, Debug)]
pub struct Items {
    /// The selected item.
    pub selected: usize,
    /// The item being typed, if any: its index and editor; `new` when it was just added (and
    /// goes away if left empty).
    pub editing: Option<(usize, LineEdit, bool)>,
    /// The record whose sub-fields are open (record_list), if any.
    pub form: Option<Form>,
}

/// One record's sub-fields.
#[derive(Clone, Debug)]
pub struct Form {
    /// Which record.
    pub record: usize,
    /// The selected sub-field.
    pub selected: usize,
    /// The sub-field being typed.
    pub editing: Option<LineEdit>,
    /// Added just now: removed again if closed empty.
    pub new: bool,
}

/// The items of a list value (empty for null or another type).
pub fn list_items(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::List(v)) => v.clone(),
        _ => Vec::new(),
    }
}

/// The records of a record_list value.
pub fn records(value: Option<&Value>) -> Vec<Record> {
    match value {
        Some(Value::Records(v)) => v.clone(),
        _ => Vec::new(),
    }
}

/// A list as a value: none when empty.
pub fn list_value(items: Vec<String>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::List(items)
    }
}

/// Records as a value: none when empty.
pub fn records_value(records: Vec<Record>) -> Value {
    if records.is_empty() {
        Value::Null
    } else {
        Value::Records(records)
    }
}

/// The editor a field type gets on Enter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditorKind {
    /// The inline line editor (several lines for long texts).
    Line {
        /// Long text.
        multiline: bool,
    },
    /// The choice picker.
    Picker,
    /// The multi_choice checklist.
    Checklist,
    /// The list or record editor.
    Items,
    /// A span is set from a selection in the article.
    Selection,
}

/// Which editor `def` gets.
pub fn editor_kind(def: &FieldDef) -> EditorKind {
    match def.kind {
        FieldType::Text | FieldType::Date => EditorKind::Line { multiline: false },
        FieldType::LongText => EditorKind::Line { multiline: true },
        FieldType::Choice => EditorKind::Picker,
        FieldType::MultiChoice => EditorKind::Checklist,
        FieldType::List | FieldType::RecordList => EditorKind::Items,
        FieldType::Span => EditorKind::Selection,
    }
}

/// The words of a text as char ranges: runs of letters, digits and marks (the word cursor of
/// the article pane steps through them in logical order).
pub fn words(text: &str) -> Vec<Range<u32>> {
    let mut out = Vec::new();
    let mut start: Option<u32> = None;
    let mut i = 0u32;
    for c in text.chars() {
        let word = c.is_alphanumeric() || crate::text::width::is_mark(c) || c == '\u{0640}';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(s) = start {
        out.push(s..i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;
    use crate::model::problem::Problems;

    fn schema() -> Schema {
        let text = std::fs::read_to_string("annotations/schema.yaml").unwrap();
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        Schema::from_yaml(&doc, &mut Problems::default()).unwrap()
    }

    #[test]
    fn dates_must_be_iso_8601_to_be_kept() {
        let s = schema();
        let def = s.field("event_date").unwrap();
        assert_eq!(validate(def, " 2023-12-15 "), Ok("2023-12-15".into()));
        assert_eq!(validate(def, "2023-12"), Ok("2023-12".into()));
        assert!(validate(def, "15/12/2023").is_err());
        assert!(validate(def, "2023-02-30").is_err());
        assert_eq!(validate(def, ""), Ok(String::new()));
    }

    #[test]
    fn the_picker_filters_by_value_and_label_folded() {
        let s = schema();
        let def = s.field("event_type").unwrap();
        let mut p = Picker::new(def, Some("visit"));
        assert_eq!(p.picked(def), Some("visit"));
        p.filter.editor.insert("conf");
        p.refilter(def);
        assert_eq!(p.picked(def), Some("conference"));
        p.filter = LineEdit::new("xyz", false);
        p.refilter(def);
        assert_eq!(p.picked(def), None);
    }

    #[test]
    fn the_checklist_keeps_schema_order_and_unknown_values() {
        let s = schema();
        let def = s.field("topics").unwrap();
        let mut c = Checklist::new(def, &["training".into(), "old_topic".into()]);
        c.checked[0] = true;
        assert_eq!(
            c.value(def),
            Value::List(vec![
                "counter_terrorism".into(),
                "training".into(),
                "old_topic".into()
            ])
        );
        let none = Checklist::new(def, &[]);
        assert_eq!(none.value(def), Value::Null);
    }

    #[test]
    fn words_are_letters_digits_and_marks() {
        let text = "قال: «الأَمن» 2023-12";
        let w: Vec<String> = words(text)
            .into_iter()
            .map(|r| text.chars().skip(r.start as usize).take(r.len()).collect())
            .collect();
        assert_eq!(w, ["قال", "الأَمن", "2023", "12"]);
    }
}
