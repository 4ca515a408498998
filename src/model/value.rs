//! Field values, evidence and spans: what extracted and gold files hold for one field, read
//! against the field's definition and written back as YAML.

use std::fmt;

use serde_yaml::{Mapping, Value as Yaml};

use super::problem::{Problems, YamlPath};
use super::read::{MapReader, describe, string};
use super::schema::{FieldDef, FieldType, choice_value, show};

/// A range of an article in Unicode scalar values (Python `str` indices), end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First char.
    pub start: u32,
    /// One past the last char.
    pub end: u32,
}

impl Span {
    /// Chars covered.
    pub fn len(&self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// Whether it covers nothing.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// As a `Range`.
    pub fn range(&self) -> std::ops::Range<u32> {
        self.start..self.end
    }

    pub(crate) fn read(v: &Yaml, path: &YamlPath, problems: &mut Problems) -> Option<Span> {
        let Yaml::Mapping(m) = v else {
            problems.error(
                path,
                format!("expected {{start, end}}, found {}", describe(v)),
            );
            return None;
        };
        let mut r = MapReader::new(m, path.clone(), problems);
        let mut offset = |key: &'static str, r: &mut MapReader<'_>| -> Option<u32> {
            let p = path.key(key);
            match r.required(key, problems)? {
                Yaml::Number(n) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => Some(n),
                    None => {
                        problems.error(&p, format!("`{key}` must be a whole number ≥ 0, not {n}"));
                        None
                    }
                },
                other => {
                    problems.error(
                        &p,
                        format!("`{key}` must be a number, found {}", show(other)),
                    );
                    None
                }
            }
        };
        let start = offset("start", &mut r);
        let end = offset("end", &mut r);
        r.deny_unknown("a range", problems);
        let (start, end) = (start?, end?);
        if start > end {
            problems.error(path, format!("start {start} is after end {end}"));
            return None;
        }
        Some(Span { start, end })
    }

    pub(crate) fn to_yaml(self) -> Yaml {
        let mut m = Mapping::new();
        m.insert("start".into(), Yaml::Number(self.start.into()));
        m.insert("end".into(), Yaml::Number(self.end.into()));
        Yaml::Mapping(m)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Where in the article a value comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// A verbatim quote of the article (the first occurrence is meant).
    Quote(String),
    /// A range of the article.
    Range(Span),
}

impl Evidence {
    pub(crate) fn read(v: &Yaml, path: &YamlPath, problems: &mut Problems) -> Option<Evidence> {
        match v {
            Yaml::String(s) if s.is_empty() => {
                problems.error(path, "an empty quote is no evidence");
                None
            }
            Yaml::String(s) => Some(Evidence::Quote(s.clone())),
            Yaml::Mapping(_) => Span::read(v, path, problems).map(Evidence::Range),
            other => {
                problems.error(
                    path,
                    format!(
                        "evidence is a quote or {{start, end}}, found {}",
                        describe(other)
                    ),
                );
                None
            }
        }
    }

    pub(crate) fn to_yaml(&self) -> Yaml {
        match self {
            Evidence::Quote(q) => Yaml::String(q.clone()),
            Evidence::Range(s) => s.to_yaml(),
        }
    }
}

/// One record of a record_list: sub-field name → text, in the schema's sub-field order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Record(pub Vec<(String, String)>);

impl Record {
    /// The value of sub-field `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets sub-field `name` (an empty text removes it), keeping `def`'s order.
    pub fn set(&mut self, def: &FieldDef, name: &str, value: &str) {
        self.0.retain(|(k, _)| k != name);
        if !value.is_empty() {
            self.0.push((name.to_string(), value.to_string()));
        }
        let order = |k: &str| {
            def.fields
                .iter()
                .position(|f| f.name == k)
                .unwrap_or(usize::MAX)
        };
        self.0.sort_by_key(|(k, _)| order(k));
    }

    /// A one-line summary: the name, then the rest in parentheses.
    pub fn summary(&self) -> String {
        let mut it = self.0.iter().map(|(_, v)| v.as_str());
        match it.next() {
            None => String::new(),
            Some(first) => {
                let rest: Vec<&str> = it.collect();
                if rest.is_empty() {
                    first.to_string()
                } else {
                    format!("{first} ({})", rest.join("، "))
                }
            }
        }
    }
}

/// A field's value. `Null` is a judgement: the article has no such value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// There is none.
    Null,
    /// text, long_text, date, choice.
    Text(String),
    /// list, multi_choice.
    List(Vec<String>),
    /// record_list.
    Records(Vec<Record>),
    /// span.
    Span(Span),
}

impl Value {
    /// Reads a value of field `def`; `None` (with problems) when it does not fit the type.
    pub fn read(
        def: &FieldDef,
        v: &Yaml,
        path: &YamlPath,
        problems: &mut Problems,
    ) -> Option<Value> {
        if v.is_null() {
            return Some(Value::Null);
        }
        match def.kind {
            FieldType::Text | FieldType::LongText => {
                let s = string(v, path, problems)?;
                if def.kind == FieldType::Text && s.contains('\n') {
                    problems.error(path, format!("`{}` is one line of text", def.name));
                }
                Some(Value::Text(s))
            }
            FieldType::Date => {
                let s = string(v, path, problems)?;
                match check_date(&s) {
                    Ok(()) => Some(Value::Text(s)),
                    Err(msg) => {
                        problems.error(path, msg);
                        None
                    }
                }
            }
            FieldType::Choice => choice_value(def, v, path, problems).map(Value::Text),
            FieldType::List | FieldType::MultiChoice => {
                let Yaml::Sequence(items) = v else {
                    problems.error(path, format!("expected a list, found {}", describe(v)));
                    return None;
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let p = path.index(i);
                    let s = if def.kind == FieldType::MultiChoice {
                        choice_value(def, item, &p, problems)
                    } else {
                        string(item, &p, problems)
                    };
                    if let Some(s) = s {
                        if out.contains(&s) {
                            problems.warning(&p, format!("`{s}` is listed twice"));
                        }
                        out.push(s);
                    }
                }
                (out.len() == items.len()).then_some(Value::List(out))
            }
            FieldType::RecordList => {
                let Yaml::Sequence(items) = v else {
                    problems.error(
                        path,
                        format!("expected a list of records, found {}", describe(v)),
                    );
                    return None;
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    if let Some(r) = read_record(def, item, &path.index(i), problems) {
                        out.push(r);
                    }
                }
                (out.len() == items.len()).then_some(Value::Records(out))
            }
            FieldType::Span => Span::read(v, path, problems).map(Value::Span),
        }
    }

    /// The YAML form, as written to gold files.
    pub fn to_yaml(&self) -> Yaml {
        match self {
            Value::Null => Yaml::Null,
            Value::Text(s) => Yaml::String(s.clone()),
            Value::List(items) => {
                Yaml::Sequence(items.iter().map(|s| Yaml::String(s.clone())).collect())
            }
            Value::Records(records) => Yaml::Sequence(
                records
                    .iter()
                    .map(|r| {
                        let mut m = Mapping::new();
                        for (k, v) in &r.0 {
                            m.insert(Yaml::String(k.clone()), Yaml::String(v.clone()));
                        }
                        Yaml::Mapping(m)
                    })
                    .collect(),
            ),
            Value::Span(s) => s.to_yaml(),
        }
    }

    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as lines for display: one per list item or record; empty for null.
    pub fn items(&self) -> Vec<String> {
        match self {
            Value::Null => Vec::new(),
            Value::Text(s) => vec![s.clone()],
            Value::List(items) => items.clone(),
            Value::Records(records) => records.iter().map(Record::summary).collect(),
            Value::Span(s) => vec![s.to_string()],
        }
    }
}

fn read_record(
    def: &FieldDef,
    v: &Yaml,
    path: &YamlPath,
    problems: &mut Problems,
) -> Option<Record> {
    let Yaml::Mapping(m) = v else {
        problems.error(
            path,
            format!("expected a record (a mapping), found {}", describe(v)),
        );
        return None;
    };
    let mut r = MapReader::new(m, path.clone(), problems);
    let mut record = Record::default();
    let mut ok = true;
    for sub in &def.fields {
        let p = path.key(&sub.name);
        match r.get(&sub.name) {
            None | Some(Yaml::Null) => {
                if sub.required {
                    problems.error(path, format!("`{}` is missing from this record", sub.name));
                    ok = false;
                }
            }
            Some(v) => match Value::read(sub, v, &p, problems) {
                Some(Value::Text(s)) => record.0.push((sub.name.clone(), s)),
                _ => ok = false,
            },
        }
    }
    let known: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
    for (k, _) in r.unused() {
        problems.key_error(
            &path.key(k),
            format!(
                "unknown key `{k}` in a `{}` record; one of: {}",
                def.name,
                known.join(", ")
            ),
        );
        ok = false;
    }
    ok.then_some(record)
}

/// Checks an ISO 8601 calendar date `YYYY-MM-DD` (a real day) or month `YYYY-MM`.
pub fn check_date(s: &str) -> Result<(), String> {
    let bad = || {
        format!("`{s}` is not a date: write YYYY-MM-DD (or YYYY-MM when only the month is known)")
    };
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        7 if digits(0..4) && b[4] == b'-' && digits(5..7) => {
            let month: u32 = s[5..7].parse().map_err(|_| bad())?;
            if (1..=12).contains(&month) {
                Ok(())
            } else {
                Err(format!("`{s}`: there is no month {month}"))
            }
        }
        10 if digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) => s
            .parse::<jiff::civil::Date>()
            .map(|_| ())
            .map_err(|_| format!("`{s}` is not a day of the calendar")),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::Schema;

    fn schema() -> Schema {
        let doc: Yaml = serde_yaml::from_str(
            "fields:\n\
             - {name: t, type: text}\n\
             - {name: d, type: date}\n\
             - {name: c, type: choice, values: [meeting, visit]}\n\
             - {name: m, type: multi_choice, values: [a, b]}\n\
             - {name: l, type: list}\n\
             - name: p\n  type: record_list\n  fields: [{name: name, type: text, required: true}, {name: role, type: text}]\n\
             - {name: s, type: span}\n",
        )
        .unwrap();
        Schema::from_yaml(&doc, &mut Problems::default()).unwrap()
    }

    fn read(field: &str, yaml: &str) -> (Option<Value>, Vec<String>) {
        let s = schema();
        let v: Yaml = serde_yaml::from_str(yaml).unwrap();
        let mut p = Problems::default();
        let value = Value::read(
            s.field(field).unwrap(),
            &v,
            &YamlPath::root().key(field),
            &mut p,
        );
        (
            value,
            p.0.into_iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect(),
        )
    }

    #[test]
    fn values_of_each_type() {
        assert_eq!(read("t", "حموشي").0, Some(Value::Text("حموشي".into())));
        assert_eq!(read("t", "null").0, Some(Value::Null));
        assert_eq!(
            read("d", "'2023-12-14'").0,
            Some(Value::Text("2023-12-14".into()))
        );
        assert_eq!(read("d", "2023-12").0, Some(Value::Text("2023-12".into())));
        assert_eq!(read("c", "visit").0, Some(Value::Text("visit".into())));
        assert_eq!(
            read("m", "[a, b]").0,
            Some(Value::List(vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            read("l", "[الرباط]").0,
            Some(Value::List(vec!["الرباط".into()]))
        );
        assert_eq!(
            read("p", "[{role: مدير, name: حموشي}]").0,
            Some(Value::Records(vec![Record(vec![
                ("name".into(), "حموشي".into()),
                ("role".into(), "مدير".into())
            ])]))
        );
        assert_eq!(
            read("s", "{start: 3, end: 9}").0,
            Some(Value::Span(Span { start: 3, end: 9 }))
        );
    }

    #[test]
    fn wrong_values_are_reported_with_their_path() {
        assert_eq!(read("t", "12").1, ["t: expected a string, found a number"]);
        assert!(read("d", "2023-02-30").1[0].contains("not a day of the calendar"));
        assert!(read("d", "15/12/2023").1[0].contains("not a date"));
        assert!(read("d", "2023-13").1[0].contains("no month 13"));
        assert!(
            read("c", "party").1[0]
                .contains("`party` is not a value of `c`; one of: meeting, visit")
        );
        assert_eq!(read("m", "[a, z]").1.len(), 1);
        assert!(read("m", "[a, z]").1[0].starts_with("m[1]:"));
        assert!(read("p", "[{role: x}]").1[0].contains("`name` is missing"));
        assert!(read("p", "[{name: x, rank: y}]").1[0].starts_with("p[0].rank: unknown key"));
        assert!(read("s", "{start: 9, end: 3}").1[0].contains("after end"));
        assert!(read("s", "{start: -1, end: 3}").1[0].contains("whole number"));
        assert!(read("l", "x").1[0].contains("expected a list"));
    }

    #[test]
    fn values_round_trip_through_yaml() {
        for (field, yaml) in [
            ("t", "حموشي"),
            ("l", "[الرباط, باريس]"),
            ("p", "[{name: حموشي, role: مدير}]"),
            ("s", "{start: 3, end: 9}"),
            ("t", "null"),
        ] {
            let (v, _) = read(field, yaml);
            let v = v.unwrap();
            let back: Yaml = serde_yaml::from_str(yaml).unwrap();
            assert_eq!(v.to_yaml(), back);
        }
    }
}
