//! The two annotation documents: what the extractor delivered (`extracted/<id>.yaml`) and one
//! analyst's review of it (`gold/<analyst>/<id>.yaml`, the gold set).
//!
//! Both are read by hand from a parsed YAML tree so that every problem is reported with its
//! path, and both are written back with a fixed key order, so that gold files diff cleanly in
//! git and a file loaded and saved unchanged stays byte-identical.

use std::fmt;

use serde_yaml::{Mapping, Value as Yaml};

use super::problem::{Problems, YamlPath};
use super::read::{MapReader, describe, mapping};
use super::schema::{Schema, show};
use super::value::{Evidence, Value};

/// The extractor's output for one field.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtractedField {
    /// What it found.
    pub value: Value,
    /// How sure it was, 0 to 1.
    pub confidence: Option<f64>,
    /// Where it found it.
    pub evidence: Option<Evidence>,
}

/// `annotations/extracted/<id>.yaml`: machine pre-annotations of one article.
#[derive(Clone, Debug, PartialEq)]
pub struct Extracted {
    /// The article id (the file stem).
    pub article: String,
    /// Which extractor, as given (`{name, version}`), kept for display.
    pub extractor: Option<String>,
    /// When, as given.
    pub extracted_at: Option<String>,
    /// Fields it delivered, in schema order.
    pub fields: Vec<(String, ExtractedField)>,
}

impl Extracted {
    /// The extractor's output for field `name`, if it delivered one.
    pub fn field(&self, name: &str) -> Option<&ExtractedField> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// Reads an extracted document against `schema`. Fields that don't fit are left out and
    /// reported; the rest is usable.
    pub fn from_yaml(doc: &Yaml, schema: &Schema, problems: &mut Problems) -> Option<Extracted> {
        let root = YamlPath::root();
        let m = mapping(doc, &root, problems)?;
        let mut r = MapReader::new(m, root.clone(), problems);
        let article = r.required_string("article", problems);
        let extractor = r.get("extractor").map(|v| match v {
            Yaml::Mapping(m) => m
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        show(k).trim_matches('`'),
                        show(v).trim_matches('`')
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            other => show(other).trim_matches('`').to_string(),
        });
        let extracted_at = r
            .get("extracted_at")
            .map(|v| show(v).trim_matches('`').to_string());
        let mut fields = Vec::new();
        if let Some(v) = r.required("fields", problems) {
            let path = root.key("fields");
            if let Some(fm) = mapping(v, &path, problems) {
                let mut fr = MapReader::new(fm, path.clone(), problems);
                for def in &schema.fields {
                    let Some(fv) = fr.get(&def.name) else {
                        continue;
                    };
                    let fp = path.key(&def.name);
                    if let Some(f) = read_extracted_field(schema, &def.name, fv, &fp, problems) {
                        fields.push((def.name.clone(), f));
                    }
                }
                for (k, _) in fr.unused() {
                    problems.key_error(&path.key(k), unknown_field(k, schema));
                }
            }
        }
        r.deny_unknown("an extracted file", problems);
        Some(Extracted {
            article: article?,
            extractor,
            extracted_at,
            fields,
        })
    }
}

fn read_extracted_field(
    schema: &Schema,
    name: &str,
    v: &Yaml,
    path: &YamlPath,
    problems: &mut Problems,
) -> Option<ExtractedField> {
    let def = schema.field(name)?;
    let m = match v {
        Yaml::Mapping(m) if m.contains_key("value") => m,
        other => {
            problems.error(
                path,
                format!(
                    "expected {{value, confidence, evidence}}, found {}",
                    describe(other)
                ),
            );
            return None;
        }
    };
    let mut r = MapReader::new(m, path.clone(), problems);
    let value = r
        .get("value")
        .and_then(|v| Value::read(def, v, &path.key("value"), problems));
    let confidence = r
        .get("confidence")
        .and_then(|v| read_confidence(v, &path.key("confidence"), problems));
    let evidence = r
        .get("evidence")
        .filter(|v| !v.is_null())
        .and_then(|v| Evidence::read(v, &path.key("evidence"), problems));
    r.deny_unknown("an extracted field", problems);
    Some(ExtractedField {
        value: value?,
        confidence,
        evidence,
    })
}

fn read_confidence(v: &Yaml, path: &YamlPath, problems: &mut Problems) -> Option<f64> {
    match v {
        Yaml::Null => None,
        Yaml::Number(n) => match n.as_f64() {
            Some(x) if (0.0..=1.0).contains(&x) => Some(x),
            _ => {
                problems.error(path, format!("confidence {n} is not between 0 and 1"));
                None
            }
        },
        other => {
            problems.error(
                path,
                format!("confidence must be a number, found {}", show(other)),
            );
            None
        }
    }
}

fn unknown_field(name: &str, schema: &Schema) -> String {
    let known: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
    format!(
        "`{name}` is not a field of the schema; fields: {}",
        known.join(", ")
    )
}

/// Where an analyst is with an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Started, not finished.
    InProgress,
    /// Reviewed: counts in agreement and export.
    Done,
    /// Set aside (off-topic, duplicate, unreadable).
    Skipped,
}

impl Status {
    /// Every status with its name in gold files.
    pub const ALL: [(Status, &'static str); 3] = [
        (Status::InProgress, "in_progress"),
        (Status::Done, "done"),
        (Status::Skipped, "skipped"),
    ];

    /// The name used in gold files.
    pub fn name(self) -> &'static str {
        Status::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("?", |(_, n)| n)
    }

    /// The status called `name`.
    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(s, _)| *s)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An analyst's judgement of one extracted field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The extracted value is right.
    Confirmed,
    /// The extracted value was wrong; `value` is the right one.
    Corrected,
    /// The extractor had nothing; the analyst added a value.
    Added,
    /// The extracted value was wrong and the article has no such value (value null).
    Rejected,
}

impl Verdict {
    /// Every verdict with its name in gold files.
    pub const ALL: [(Verdict, &'static str); 4] = [
        (Verdict::Confirmed, "confirmed"),
        (Verdict::Corrected, "corrected"),
        (Verdict::Added, "added"),
        (Verdict::Rejected, "rejected"),
    ];

    /// The name used in gold files.
    pub fn name(self) -> &'static str {
        Verdict::ALL
            .iter()
            .find(|(v, _)| *v == self)
            .map_or("?", |(_, n)| n)
    }

    fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(v, _)| *v)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One reviewed field in a gold file.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldReview {
    /// The right value, in the analyst's judgement (null: the article has none).
    pub value: Value,
    /// How it relates to the extraction.
    pub verdict: Verdict,
    /// The extracted value, when the analyst's differs.
    pub was: Option<Value>,
    /// Where in the article the value is.
    pub evidence: Option<Evidence>,
    /// The analyst's note.
    pub note: Option<String>,
    /// The twin article whose reviewed value was offered and kept here (`T` on the review
    /// screen), if it came from one.
    pub from_twin: Option<String>,
}

/// The most `review_seconds` a gold file may say: ten years. More is a typo or a forged file,
/// and would overflow the sums `status` makes.
pub const MAX_REVIEW_SECONDS: u64 = 10 * 366 * 24 * 3600;

/// `annotations/gold/<analyst>/<id>.yaml`: one analyst's review of one article.
#[derive(Clone, Debug, PartialEq)]
pub struct Gold {
    /// The article id; equals the file stem.
    pub article: String,
    /// The analyst; equals the folder name.
    pub analyst: String,
    /// Where the analyst is with the article.
    pub status: Status,
    /// When last saved (RFC 3339, UTC).
    pub reviewed_at: Option<String>,
    /// SHA-256 of the article file's bytes when reviewed; a mismatch means the article changed.
    pub article_sha256: Option<String>,
    /// Active review time, in seconds, summed over every session that saved the file: the
    /// clock runs while the article is open and stops after two minutes without a key.
    pub review_seconds: Option<u64>,
    /// Adjudicated gold only: for each field, whose values were chosen (analysts, and
    /// `extractor` when the extraction had the same value), in schema order.
    pub sources: Vec<(String, Vec<String>)>,
    /// Reviewed fields in schema order; a field absent was not reviewed.
    pub fields: Vec<(String, FieldReview)>,
    /// Fields the schema does not know (it changed since): kept as they are, never dropped.
    pub other_fields: Mapping,
    /// Top-level keys tadqiq does not know, kept as they are.
    pub other_keys: Mapping,
}

impl Gold {
    /// An empty review of `article` by `analyst`.
    pub fn new(article: &str, analyst: &str) -> Gold {
        Gold {
            article: article.to_string(),
            analyst: analyst.to_string(),
            status: Status::InProgress,
            reviewed_at: None,
            article_sha256: None,
            review_seconds: None,
            sources: Vec::new(),
            fields: Vec::new(),
            other_fields: Mapping::new(),
            other_keys: Mapping::new(),
        }
    }

    /// The review of field `name`, if any.
    pub fn field(&self, name: &str) -> Option<&FieldReview> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    /// Sets (or with `None`, removes) the review of `name`, keeping schema order.
    pub fn set_field(&mut self, schema: &Schema, name: &str, review: Option<FieldReview>) {
        self.fields.retain(|(n, _)| n != name);
        if let Some(r) = review {
            self.fields.push((name.to_string(), r));
        }
        self.fields
            .sort_by_key(|(n, _)| schema.position(n).unwrap_or(usize::MAX));
    }

    /// Reads a gold document against `schema`.
    ///
    /// Keys and fields tadqiq does not know are kept (in `other_*`) and reported; a field that
    /// breaks the schema is reported and left out of `fields`, so callers must not save a
    /// document read with errors over its file.
    pub fn from_yaml(doc: &Yaml, schema: &Schema, problems: &mut Problems) -> Option<Gold> {
        let root = YamlPath::root();
        let m = mapping(doc, &root, problems)?;
        let mut r = MapReader::new(m, root.clone(), problems);
        let article = r.required_string("article", problems);
        let analyst = r.required_string("analyst", problems);
        let status = r.required_string("status", problems).and_then(|s| {
            let st = Status::from_name(&s);
            if st.is_none() {
                problems.error(
                    &root.key("status"),
                    format!("status `{s}` is not one of: in_progress, done, skipped"),
                );
            }
            st
        });
        let reviewed_at = r.get("reviewed_at").and_then(|v| match v {
            Yaml::String(s) if s.parse::<jiff::Timestamp>().is_ok() => Some(s.clone()),
            other => {
                problems.error(
                    &root.key("reviewed_at"),
                    format!(
                        "expected an RFC 3339 time such as 2026-11-22T10:15:00Z, found {}",
                        show(other)
                    ),
                );
                None
            }
        });
        let article_sha256 = r.string("article_sha256", problems).filter(|s| {
            let ok = s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                problems.error(
                    &root.key("article_sha256"),
                    "expected 64 hexadecimal digits",
                );
            }
            ok
        });
        let review_seconds = r.get("review_seconds").and_then(|v| match v {
            Yaml::Number(n) if n.as_u64().is_some_and(|s| s <= MAX_REVIEW_SECONDS) => n.as_u64(),
            other => {
                problems.error(
                    &root.key("review_seconds"),
                    format!(
                        "expected a whole number of seconds from 0 to {MAX_REVIEW_SECONDS}, found {}",
                        show(other)
                    ),
                );
                None
            }
        });
        let sources = r
            .get("sources")
            .map(|v| read_sources(v, schema, &root.key("sources"), problems))
            .unwrap_or_default();
        let mut fields = Vec::new();
        let mut other_fields = Mapping::new();
        if let Some(v) = r.required("fields", problems) {
            let path = root.key("fields");
            match v {
                // An article opened but not yet reviewed has no fields.
                Yaml::Null => {}
                v => {
                    if let Some(fm) = mapping(v, &path, problems) {
                        let mut fr = MapReader::new(fm, path.clone(), problems);
                        for def in &schema.fields {
                            let Some(fv) = fr.get(&def.name) else {
                                continue;
                            };
                            if let Some(f) =
                                read_review(schema, &def.name, fv, &path.key(&def.name), problems)
                            {
                                fields.push((def.name.clone(), f));
                            }
                        }
                        for (k, v) in fr.unused() {
                            problems.key_error(&path.key(k), unknown_field(k, schema));
                            other_fields.insert(Yaml::String(k.to_string()), v.clone());
                        }
                    }
                }
            }
        }
        let mut other_keys = Mapping::new();
        for (k, v) in r.unused() {
            problems.key_error(&root.key(k), format!("unknown key `{k}` in a gold file"));
            other_keys.insert(Yaml::String(k.to_string()), v.clone());
        }
        Some(Gold {
            article: article?,
            analyst: analyst?,
            status: status?,
            reviewed_at,
            article_sha256,
            review_seconds,
            sources,
            fields,
            other_fields,
            other_keys,
        })
    }

    /// The YAML document, keys in a fixed order.
    pub fn to_yaml(&self) -> Yaml {
        let mut m = Mapping::new();
        m.insert("article".into(), Yaml::String(self.article.clone()));
        m.insert("analyst".into(), Yaml::String(self.analyst.clone()));
        m.insert("status".into(), Yaml::String(self.status.name().into()));
        if let Some(t) = &self.reviewed_at {
            m.insert("reviewed_at".into(), Yaml::String(t.clone()));
        }
        if let Some(h) = &self.article_sha256 {
            m.insert("article_sha256".into(), Yaml::String(h.clone()));
        }
        if let Some(s) = self.review_seconds {
            m.insert("review_seconds".into(), Yaml::Number(s.into()));
        }
        for (k, v) in &self.other_keys {
            m.insert(k.clone(), v.clone());
        }
        if !self.sources.is_empty() {
            let mut sources = Mapping::new();
            for (field, who) in &self.sources {
                let who = who.iter().map(|w| Yaml::String(w.clone())).collect();
                sources.insert(Yaml::String(field.clone()), Yaml::Sequence(who));
            }
            m.insert("sources".into(), Yaml::Mapping(sources));
        }
        let mut fields = Mapping::new();
        for (name, review) in &self.fields {
            fields.insert(Yaml::String(name.clone()), review.to_yaml());
        }
        for (k, v) in &self.other_fields {
            fields.insert(k.clone(), v.clone());
        }
        m.insert("fields".into(), Yaml::Mapping(fields));
        Yaml::Mapping(m)
    }
}

impl FieldReview {
    fn to_yaml(&self) -> Yaml {
        let mut m = Mapping::new();
        m.insert("value".into(), self.value.to_yaml());
        m.insert("verdict".into(), Yaml::String(self.verdict.name().into()));
        if let Some(was) = &self.was {
            m.insert("was".into(), was.to_yaml());
        }
        if let Some(e) = &self.evidence {
            m.insert("evidence".into(), e.to_yaml());
        }
        if let Some(n) = &self.note {
            m.insert("note".into(), Yaml::String(n.clone()));
        }
        if let Some(t) = &self.from_twin {
            m.insert("from_twin".into(), Yaml::String(t.clone()));
        }
        Yaml::Mapping(m)
    }
}

/// `sources:` of an adjudicated gold file: field → the names whose value was chosen.
fn read_sources(
    v: &Yaml,
    schema: &Schema,
    path: &YamlPath,
    problems: &mut Problems,
) -> Vec<(String, Vec<String>)> {
    let Some(m) = mapping(v, path, problems) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in m {
        let Some(field) = k.as_str() else {
            problems.error(path, "`sources` is keyed by field names");
            continue;
        };
        let p = path.key(field);
        if schema.field(field).is_none() {
            problems.key_error(&p, unknown_field(field, schema));
            continue;
        }
        let who: Vec<String> = match v {
            Yaml::Sequence(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| super::read::string(item, &p.index(i), problems))
                .collect(),
            Yaml::Null => Vec::new(),
            _ => {
                problems.error(&p, "expected a list of analysts");
                continue;
            }
        };
        out.push((field.to_string(), who));
    }
    out.sort_by_key(|(f, _)| schema.position(f).unwrap_or(usize::MAX));
    out
}

fn read_review(
    schema: &Schema,
    name: &str,
    v: &Yaml,
    path: &YamlPath,
    problems: &mut Problems,
) -> Option<FieldReview> {
    let def = schema.field(name)?;
    let m = mapping(v, path, problems)?;
    let mut r = MapReader::new(m, path.clone(), problems);
    let value = r
        .required("value", problems)
        .and_then(|v| Value::read(def, v, &path.key("value"), problems));
    let verdict = r.required_string("verdict", problems).and_then(|s| {
        let v = Verdict::from_name(&s);
        if v.is_none() {
            problems.error(
                &path.key("verdict"),
                format!("verdict `{s}` is not one of: confirmed, corrected, added, rejected"),
            );
        }
        v
    });
    let was = r
        .get("was")
        .and_then(|v| Value::read(def, v, &path.key("was"), problems));
    let evidence = r
        .get("evidence")
        .filter(|v| !v.is_null())
        .and_then(|v| Evidence::read(v, &path.key("evidence"), problems));
    let note = r.string("note", problems);
    let from_twin = r.string("from_twin", problems);
    r.deny_unknown("a reviewed field", problems);
    let (value, verdict) = (value?, verdict?);
    if verdict == Verdict::Rejected && !value.is_null() {
        problems.error(&path.key("value"), "a rejected field has `value: null`");
    }
    Some(FieldReview {
        value,
        verdict,
        was,
        evidence,
        note,
        from_twin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::Span;

    fn schema() -> Schema {
        let doc: Yaml = serde_yaml::from_str(
            "fields:\n\
             - {name: event_type, type: choice, values: [meeting, visit]}\n\
             - {name: event_date, type: date}\n\
             - {name: countries, type: list}\n",
        )
        .unwrap();
        Schema::from_yaml(&doc, &mut Problems::default()).unwrap()
    }

    const GOLD: &str = "article: 000_x
analyst: amina
status: done
reviewed_at: 2026-11-22T10:15:00Z
article_sha256: 3b1f000000000000000000000000000000000000000000000000000000000000
fields:
  event_type:
    value: meeting
    verdict: confirmed
    from_twin: 001_y
  event_date:
    value: 2023-12-14
    verdict: corrected
    was: 2023-12-15
    evidence:
      start: 380
      end: 391
    note: «أمس الخميس» relative to the 15 December publication
  countries:
    value: null
    verdict: rejected
";

    #[test]
    fn gold_reads_and_writes_back_byte_for_byte() {
        let doc: Yaml = serde_yaml::from_str(GOLD).unwrap();
        let mut p = Problems::default();
        let gold = Gold::from_yaml(&doc, &schema(), &mut p).unwrap();
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(gold.status, Status::Done);
        // A value taken from a twin's review says which twin; the others do not.
        assert_eq!(
            gold.field("event_type").unwrap().from_twin.as_deref(),
            Some("001_y")
        );
        assert_eq!(gold.field("event_date").unwrap().from_twin, None);
        let date = gold.field("event_date").unwrap();
        assert_eq!(date.verdict, Verdict::Corrected);
        assert_eq!(date.was, Some(Value::Text("2023-12-15".into())));
        assert_eq!(
            date.evidence,
            Some(Evidence::Range(Span {
                start: 380,
                end: 391
            }))
        );
        assert_eq!(serde_yaml::to_string(&gold.to_yaml()).unwrap(), GOLD);
    }

    #[test]
    fn unknown_fields_and_keys_are_reported_and_kept() {
        let text = GOLD.replace(
            "fields:\n",
            "flagged: yes\nfields:\n  mood: {value: calm, verdict: added}\n",
        );
        let doc: Yaml = serde_yaml::from_str(&text).unwrap();
        let mut p = Problems::default();
        let gold = Gold::from_yaml(&doc, &schema(), &mut p).unwrap();
        let paths: Vec<String> = p.0.iter().map(|p| p.path.to_string()).collect();
        assert_eq!(paths, ["fields.mood", "flagged"]);
        let back = serde_yaml::to_string(&gold.to_yaml()).unwrap();
        assert!(
            back.contains("mood:") && back.contains("flagged: yes"),
            "{back}"
        );
    }

    #[test]
    fn broken_reviews_are_reported() {
        let text = GOLD
            .replace("verdict: confirmed", "verdict: ok")
            .replace(
                "value: null\n    verdict: rejected",
                "value: [Morocco]\n    verdict: rejected",
            )
            .replace("status: done", "status: finished");
        let doc: Yaml = serde_yaml::from_str(&text).unwrap();
        let mut p = Problems::default();
        Gold::from_yaml(&doc, &schema(), &mut p);
        let all: Vec<String> =
            p.0.iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect();
        assert!(
            all.iter()
                .any(|m| m.starts_with("status: status `finished`")),
            "{all:?}"
        );
        assert!(
            all.iter()
                .any(|m| m.starts_with("fields.event_type.verdict:")),
            "{all:?}"
        );
        assert!(
            all.iter()
                .any(|m| m.starts_with("fields.countries.value: a rejected field")),
            "{all:?}"
        );
    }

    #[test]
    fn extracted_files_read_with_confidence_and_evidence() {
        let doc: Yaml = serde_yaml::from_str(
            "article: a\nextractor: {name: x, version: 1.0}\nextracted_at: 2026-11-20T08:00:00Z\nfields:\n  event_type: {value: visit, confidence: 0.41, evidence: \"زيارة عمل\"}\n  countries: {value: [Morocco], confidence: 1.5}\n  weather: {value: sunny}\n",
        )
        .unwrap();
        let mut p = Problems::default();
        let e = Extracted::from_yaml(&doc, &schema(), &mut p).unwrap();
        assert_eq!(e.field("event_type").unwrap().confidence, Some(0.41));
        assert_eq!(
            e.field("event_type").unwrap().evidence,
            Some(Evidence::Quote("زيارة عمل".into()))
        );
        assert_eq!(e.extractor.as_deref(), Some("name: x, version: 1.0"));
        let paths: Vec<String> = p.0.iter().map(|p| p.path.to_string()).collect();
        assert_eq!(paths, ["fields.countries.confidence", "fields.weather"]);
    }
}
