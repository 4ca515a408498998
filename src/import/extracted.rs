//! `tadqiq import extracted`: a JSONL file of extractor output, one article per line →
//! `annotations/extracted/<id>.yaml`.
//!
//! A line holds the article's id and its fields, either flat (`"location": ["الرباط"]`) or as
//! `{"value", "confidence", "evidence"}`, at the top level or under `"fields"`; `extractor` and
//! `extracted_at` may come along. The YAML document built from it is read back with
//! [`Extracted::from_yaml`], so a line is held to exactly the rules `tadqiq check` applies, and
//! its evidence is checked against the article when the article is there. A line with any
//! error is rejected whole: an extracted file missing a field the extractor delivered would
//! look like the extractor found nothing.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value as Json};
use serde_yaml::{Mapping, Value as Yaml};

use super::records::kind;
use super::{
    Format, ImportError, Level, Notice, Records, Seen, Sink, Summary, count, in_batches, put_in,
    record_id, reject,
};
use crate::model::problem::{Problems, YamlPath};
use crate::model::{Article, Extracted, Schema, Severity, Value};
use crate::store::{Store, yaml};

/// Top-level keys of a line that are not fields.
const EXTRACTOR: &str = "extractor";
const EXTRACTED_AT: &str = "extracted_at";
const FIELDS: &str = "fields";

/// How to read the lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The key holding the article id.
    pub id_field: String,
    /// The extractor, `NAME` or `NAME@VERSION`, for lines that do not say.
    pub extractor: Option<String>,
    /// Replace extracted files that exist with other content.
    pub force: bool,
}

/// Imports the extracted annotations of `input` (the file `path`, named in messages) into the
/// store's `extracted/` folder, against `schema`.
pub fn import<R: Read>(
    path: &Path,
    input: R,
    store: &Store,
    schema: &Schema,
    options: &Options,
    sink: &mut dyn Sink,
) -> Result<Summary, ImportError> {
    let input_error = |message: String| ImportError::Input {
        path: path.to_path_buf(),
        message,
    };
    let mut records =
        Records::new(input, Format::Jsonl).map_err(|e| ImportError::header(path, e))?;
    let default_extractor = options.extractor.as_deref().map(extractor);
    in_batches(|batch| {
        let mut summary = Summary::default();
        let mut seen = Seen::default();
        while let Some(record) = records.next() {
            let record = record.map_err(|e| input_error(e.to_string()))?;
            let line = record.line;
            let mut fields = match record.fields {
                Ok(f) => f,
                Err(message) => {
                    reject(line, message, &mut summary, sink);
                    continue;
                }
            };
            let raw_id = match fields.remove(&options.id_field) {
                Some(Json::String(s)) => Some(s),
                Some(Json::Number(n)) => Some(n.to_string()),
                None | Some(Json::Null) => None,
                Some(other) => {
                    let message = format!(
                        "`{}` (the id) must be a string, found {}",
                        options.id_field,
                        kind(&other)
                    );
                    reject(line, message, &mut summary, sink);
                    continue;
                }
            };
            let content = serde_json::to_vec(&fields).unwrap_or_default();
            let Some(id) = record_id(
                raw_id.as_deref(),
                &options.id_field,
                line,
                super::digest([content.as_slice()]),
                store,
                &mut seen,
                &mut summary,
                sink,
            ) else {
                continue;
            };
            let id = id.stem;
            let doc = match document(&id, fields, schema, default_extractor.as_ref()) {
                Ok(doc) => doc,
                Err(message) => {
                    reject(line, message, &mut summary, sink);
                    continue;
                }
            };
            let article = store.read_article(&id).ok();
            let problems = validate(&doc, schema, article.as_ref());
            let mut errors = Vec::new();
            for p in &problems.0 {
                let message = if p.path.0.is_empty() {
                    p.message.clone()
                } else {
                    format!("{}: {}", p.path, p.message)
                };
                match p.severity {
                    Severity::Error => errors.push(message),
                    Severity::Warning => sink.notice(Notice {
                        line,
                        col: None,
                        level: Level::Warning,
                        message,
                    }),
                }
            }
            if article.is_none() {
                sink.notice(Notice {
                    line,
                    col: None,
                    level: Level::Warning,
                    message: format!(
                        "no article `{id}` in {}: evidence not checked",
                        store.articles_dir().display()
                    ),
                });
            }
            if !errors.is_empty() {
                reject(line, errors.join("; "), &mut summary, sink);
                continue;
            }
            let bytes = yaml::to_string(&doc).into_bytes();
            let files = [(store.extracted_path(&id), Some(bytes))];
            count(
                put_in(batch, &files, options.force)?,
                line,
                &mut summary,
                sink,
            );
            sink.progress(records.bytes_read());
        }
        sink.progress(records.bytes_read());
        Ok(summary)
    })
}

/// `NAME@VERSION` as `{name, version}`.
fn extractor(s: &str) -> Yaml {
    let mut m = Mapping::new();
    match s.rsplit_once('@') {
        Some((name, version)) if !name.is_empty() && !version.is_empty() => {
            m.insert("name".into(), name.into());
            m.insert("version".into(), version.into());
        }
        _ => {
            m.insert("name".into(), s.into());
        }
    }
    Yaml::Mapping(m)
}

/// The extracted document a line stands for, fields in schema order. The message says what
/// makes the line unusable as a whole; the fields themselves are judged by [`validate`].
fn document(
    id: &str,
    mut line: Map<String, Json>,
    schema: &Schema,
    default_extractor: Option<&Yaml>,
) -> Result<Yaml, String> {
    let to_yaml = |v: &Json| serde_yaml::to_value(v).map_err(|e| e.to_string());
    let mut doc = Mapping::new();
    doc.insert("article".into(), id.into());
    match line.remove(EXTRACTOR) {
        Some(Json::Null) | None => {
            if let Some(e) = default_extractor {
                doc.insert(EXTRACTOR.into(), e.clone());
            }
        }
        Some(e) => {
            doc.insert(EXTRACTOR.into(), to_yaml(&e)?);
        }
    }
    if let Some(at) = line.remove(EXTRACTED_AT).filter(|v| !v.is_null()) {
        doc.insert(EXTRACTED_AT.into(), to_yaml(&at)?);
    }
    let fields = match line.remove(FIELDS) {
        Some(Json::Object(f)) => {
            if let Some(k) = line.keys().next() {
                return Err(format!(
                    "`{k}` beside `fields`: fields go under `fields`, or all at the top level"
                ));
            }
            f
        }
        Some(other) => {
            return Err(format!(
                "`fields` must be an object, found {}",
                kind(&other)
            ));
        }
        None => line,
    };
    let mut out = Mapping::new();
    let mut entries: Vec<(String, Json)> = fields.into_iter().collect();
    // Schema order, unknown names last (they are reported by the reader).
    entries.sort_by_key(|(k, _)| schema.position(k).unwrap_or(usize::MAX));
    for (name, v) in entries {
        let entry = match v {
            Json::Object(mut m) if m.contains_key("value") => {
                if m.get("value").is_some_and(Json::is_null) {
                    // Nothing found: the extractor's files leave the field out.
                    continue;
                }
                // A null confidence or evidence says nothing; leave it out.
                m.retain(|_, v| !v.is_null());
                let mut e = Mapping::new();
                for key in ["value", "confidence", "evidence"] {
                    if let Some(v) = m.remove(key) {
                        e.insert(key.into(), to_yaml(&v)?);
                    }
                }
                for (k, v) in m {
                    e.insert(k.into(), to_yaml(&v)?);
                }
                e
            }
            Json::Null => continue,
            flat => {
                let mut e = Mapping::new();
                e.insert("value".into(), to_yaml(&flat)?);
                e
            }
        };
        out.insert(name.into(), Yaml::Mapping(entry));
    }
    doc.insert(FIELDS.into(), Yaml::Mapping(out));
    Ok(Yaml::Mapping(doc))
}

/// The problems `check` would find in the document: the schema's, and evidence or spans that
/// do not fit the article when it is there.
fn validate(doc: &Yaml, schema: &Schema, article: Option<&Article>) -> Problems {
    let mut problems = Problems::default();
    let extracted = Extracted::from_yaml(doc, schema, &mut problems);
    if let (Some(e), Some(a)) = (extracted, article) {
        let root = YamlPath::root().key(FIELDS);
        for (name, f) in &e.fields {
            let path = root.key(name);
            if let Value::Span(s) = &f.value
                && let Some(m) = a.span_problem(*s)
            {
                problems.error(&path.key("value"), m);
            }
            if let Some(m) = f.evidence.as_ref().and_then(|ev| a.evidence_problem(ev)) {
                problems.error(&path.key("evidence"), m);
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::import::Collect;

    const SCHEMA: &str = "fields:
- {name: event_type, type: choice, values: [meeting, visit]}
- {name: location, type: list}
- {name: event_date, type: date}
- {name: body_span, type: span}
";

    fn setup() -> (tempfile::TempDir, Store, Schema) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("articles"), dir.path().join("annotations"));
        fs::create_dir_all(store.articles_dir()).unwrap();
        fs::create_dir_all(store.annotations_dir()).unwrap();
        fs::write(store.schema_path(), SCHEMA).unwrap();
        fs::write(store.article_path("a"), "زيارة إلى الرباط").unwrap();
        let schema = store.load_schema().unwrap().value;
        (dir, store, schema)
    }

    fn run(input: &str, store: &Store, schema: &Schema) -> (Summary, Vec<String>) {
        let mut sink = Collect::default();
        let options = Options {
            id_field: "id".into(),
            extractor: Some("khabar-extract@2.3.1".into()),
            force: false,
        };
        let summary = import(
            Path::new("x.jsonl"),
            input.as_bytes(),
            store,
            schema,
            &options,
            &mut sink,
        )
        .unwrap();
        let notes = sink
            .notices
            .into_iter()
            .map(|n| format!("{}: {}", n.line, n.message))
            .collect();
        (summary, notes)
    }

    #[test]
    fn flat_and_detailed_lines_make_the_same_kind_of_file() {
        let (_dir, store, schema) = setup();
        let input = concat!(
            r#"{"id": "a", "location": ["الرباط"], "event_type": "visit", "event_date": null}"#,
            "\n",
            r#"{"id": "b", "fields": {"event_type": {"value": "meeting", "confidence": 0.5, "evidence": null}, "body_span": {"value": {"start": 0, "end": 3}}}}"#,
            "\n"
        );
        let (s, notes) = run(input, &store, &schema);
        assert_eq!((s.imported, s.rejected), (2, 0), "{notes:?}");
        assert_eq!(
            notes,
            ["2: no article `b` in ".to_string()
                + &store.articles_dir().display().to_string()
                + ": evidence not checked"]
        );
        assert_eq!(
            fs::read_to_string(store.extracted_path("a")).unwrap(),
            "article: a\nextractor:\n  name: khabar-extract\n  version: '2.3.1'\nfields:\n  event_type:\n    value: visit\n  location:\n    value:\n    - الرباط\n"
        );
        let loaded = store.load_extracted("b", &schema).unwrap().unwrap().value;
        assert_eq!(loaded.field("event_type").unwrap().confidence, Some(0.5));
        let (s, _) = run(input, &store, &schema);
        assert_eq!((s.imported, s.unchanged), (0, 2));
    }

    #[test]
    fn lines_that_break_the_schema_or_the_article_are_rejected_whole() {
        let (_dir, store, schema) = setup();
        let input = concat!(
            r#"{"id": "a", "event_type": "party", "location": ["الرباط"]}"#,
            "\n",
            r#"{"id": "a2", "colour": "red"}"#,
            "\n",
            r#"{"id": "a3", "event_type": {"value": "visit", "confidence": 1.5}}"#,
            "\n",
            r#"{"id": "a", "event_type": {"value": "visit", "evidence": "غير موجود"}}"#,
            "\n",
            r#"{"id": "a4", "fields": [], "x": 1}"#,
            "\n",
        );
        let (s, notes) = run(input, &store, &schema);
        assert_eq!(
            (s.imported, s.rejected, s.duplicates),
            (0, 5, 0),
            "{notes:?}"
        );
        assert!(
            notes[0]
                .starts_with("1: fields.event_type.value: `party` is not a value of `event_type`"),
            "{notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("2: fields.colour: `colour` is not a field of the schema")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.contains(
                "3: fields.event_type.confidence: confidence 1.5 is not between 0 and 1"
            )),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n
                .starts_with("4: duplicate id `a` with other content than line 1: not imported")),
            "{notes:?}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n == "5: `fields` must be an object, found a list"),
            "{notes:?}"
        );
        assert!(!store.extracted_path("a").exists());
    }

    #[test]
    fn evidence_must_be_in_the_article() {
        let (_dir, store, schema) = setup();
        let (s, notes) = run(
            r#"{"id": "a", "event_type": {"value": "visit", "evidence": "غير موجود"}}"#,
            &store,
            &schema,
        );
        assert_eq!(s.rejected, 1);
        assert!(
            notes[0].starts_with("1: fields.event_type.evidence: "),
            "{notes:?}"
        );
    }
}
