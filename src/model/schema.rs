//! The fields analysts review (`annotations/schema.yaml`): data, not code, so a team changes its
//! fields without recompiling.

use std::fmt;

use serde_yaml::{Mapping, Value as Yaml};

use super::problem::{Problems, YamlPath};
use super::read::{MapReader, describe, mapping, string};

/// The type of a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// One line of text.
    Text,
    /// Text that may span lines (a summary).
    LongText,
    /// ISO 8601 `YYYY-MM-DD`, or `YYYY-MM` when only the month is known.
    Date,
    /// One of the schema's values.
    Choice,
    /// Any number of the schema's values.
    MultiChoice,
    /// A list of texts.
    List,
    /// A list of records with the field's sub-fields (participants).
    RecordList,
    /// A range of the article, in Unicode scalar values, end exclusive.
    Span,
}

impl FieldType {
    /// Every type, with its name in the schema.
    pub const ALL: [(FieldType, &'static str); 8] = [
        (FieldType::Text, "text"),
        (FieldType::LongText, "long_text"),
        (FieldType::Date, "date"),
        (FieldType::Choice, "choice"),
        (FieldType::MultiChoice, "multi_choice"),
        (FieldType::List, "list"),
        (FieldType::RecordList, "record_list"),
        (FieldType::Span, "span"),
    ];

    /// The name used in `schema.yaml`.
    pub fn name(self) -> &'static str {
        FieldType::ALL
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("?", |(_, n)| n)
    }

    fn from_name(name: &str) -> Option<FieldType> {
        FieldType::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(t, _)| *t)
    }

    /// Whether the value is a single string (text, long_text, date, choice).
    pub fn is_scalar(self) -> bool {
        matches!(
            self,
            FieldType::Text | FieldType::LongText | FieldType::Date | FieldType::Choice
        )
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A label or help text, in Arabic and/or English.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Label {
    /// Arabic.
    pub ar: Option<String>,
    /// English.
    pub en: Option<String>,
}

impl Label {
    /// Both languages, Arabic first, separated by " · "; or whichever exists.
    pub fn both(&self) -> String {
        match (&self.ar, &self.en) {
            (Some(a), Some(e)) => format!("{a} · {e}"),
            (Some(a), None) => a.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => String::new(),
        }
    }

    /// The English text if any, else the Arabic.
    pub fn en_or_ar(&self) -> &str {
        self.en.as_deref().or(self.ar.as_deref()).unwrap_or("")
    }

    /// The Arabic text if any, else the English.
    pub fn ar_or_en(&self) -> &str {
        self.ar.as_deref().or(self.en.as_deref()).unwrap_or("")
    }

    fn read(v: &Yaml, path: &YamlPath, problems: &mut Problems) -> Label {
        match v {
            Yaml::String(s) => Label {
                ar: None,
                en: Some(s.clone()),
            },
            Yaml::Mapping(m) => {
                let mut r = MapReader::new(m, path.clone(), problems);
                let label = Label {
                    ar: r.string("ar", problems),
                    en: r.string("en", problems),
                };
                r.deny_unknown("a label (use `ar` and `en`)", problems);
                label
            }
            other => {
                problems.error(
                    path,
                    format!("expected a text or {{ar, en}}, found {}", describe(other)),
                );
                Label::default()
            }
        }
    }
}

/// One allowed value of a choice or multi_choice field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The value stored in the gold set.
    pub value: String,
    /// How it is shown.
    pub label: Label,
}

/// One field of the schema (or a sub-field of a record_list).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    /// The key in extracted and gold files.
    pub name: String,
    /// How it is shown.
    pub label: Label,
    /// The type of its value.
    pub kind: FieldType,
    /// Whether a reviewed article must have a value (not enforced on null: null is a judgement).
    pub required: bool,
    /// What to put there, for the analyst.
    pub help: Label,
    /// Allowed values (choice, multi_choice).
    pub values: Vec<Choice>,
    /// Sub-fields (record_list).
    pub fields: Vec<FieldDef>,
}

impl FieldDef {
    /// Whether `value` is one of this field's choices.
    pub fn allows(&self, value: &str) -> bool {
        self.values.iter().any(|c| c.value == value)
    }

    /// The sub-field called `name`.
    pub fn sub_field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn read(v: &Yaml, path: &YamlPath, nested: bool, problems: &mut Problems) -> Option<FieldDef> {
        let m = mapping(v, path, problems)?;
        let mut r = MapReader::new(m, path.clone(), problems);
        let name = r.required_string("name", problems);
        let kind_path = path.key("type");
        let kind =
            r.required_string("type", problems)
                .and_then(|t| match FieldType::from_name(&t) {
                    Some(k) => Some(k),
                    None => {
                        let names: Vec<_> = FieldType::ALL.iter().map(|(_, n)| *n).collect();
                        problems.error(
                            &kind_path,
                            format!("unknown type `{t}`; one of: {}", names.join(", ")),
                        );
                        None
                    }
                });
        let label = r
            .get("label")
            .map(|v| Label::read(v, &path.key("label"), problems))
            .unwrap_or_default();
        let help = r
            .get("help")
            .map(|v| Label::read(v, &path.key("help"), problems))
            .unwrap_or_default();
        let required = match r.get("required") {
            None => false,
            Some(Yaml::Bool(b)) => *b,
            Some(other) => {
                problems.error(
                    &path.key("required"),
                    format!("expected true or false, found {}", describe(other)),
                );
                false
            }
        };
        let values = match r.get("values") {
            None => Vec::new(),
            Some(v) => read_choices(v, &path.key("values"), problems),
        };
        let fields = match r.get("fields") {
            None => Vec::new(),
            Some(v) => read_fields(v, &path.key("fields"), true, problems),
        };
        r.deny_unknown("a field", problems);

        let (name, kind) = (name?, kind?);
        if let Some(n) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            problems.error(
                &path.key("name"),
                format!("`{name}`: field names are ASCII letters, digits and `_` (found {n:?})"),
            );
        }
        let choice = matches!(kind, FieldType::Choice | FieldType::MultiChoice);
        if choice && values.is_empty() {
            problems.error(path, format!("a {kind} field needs `values`"));
        }
        if !choice && !values.is_empty() {
            problems.error(
                &path.key("values"),
                format!("a {kind} field has no `values`"),
            );
        }
        if kind == FieldType::RecordList && fields.is_empty() {
            problems.error(path, "a record_list field needs `fields` (its sub-fields)");
        }
        if kind != FieldType::RecordList && !fields.is_empty() {
            problems.error(
                &path.key("fields"),
                format!("a {kind} field has no sub-fields"),
            );
        }
        if nested && !matches!(kind, FieldType::Text | FieldType::Date | FieldType::Choice) {
            problems.error(&kind_path, "sub-fields are text, date or choice");
        }
        Some(FieldDef {
            name,
            label,
            kind,
            required,
            help,
            values,
            fields,
        })
    }
}

fn read_choices(v: &Yaml, path: &YamlPath, problems: &mut Problems) -> Vec<Choice> {
    let Yaml::Sequence(items) = v else {
        problems.error(path, format!("expected a list, found {}", describe(v)));
        return Vec::new();
    };
    let mut out: Vec<Choice> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let choice = match item {
            Yaml::String(s) => Some(Choice {
                value: s.clone(),
                label: Label::default(),
            }),
            Yaml::Mapping(m) => {
                let mut r = MapReader::new(m, p.clone(), problems);
                let value = r.required_string("value", problems);
                let label = r
                    .get("label")
                    .map(|v| Label::read(v, &p.key("label"), problems))
                    .unwrap_or_default();
                r.deny_unknown("a choice", problems);
                value.map(|value| Choice { value, label })
            }
            other => {
                problems.error(
                    &p,
                    format!(
                        "expected a value or {{value, label}}, found {}",
                        describe(other)
                    ),
                );
                None
            }
        };
        if let Some(c) = choice {
            if out.iter().any(|o| o.value == c.value) {
                problems.error(&p, format!("`{}` is listed twice", c.value));
            } else {
                out.push(c);
            }
        }
    }
    out
}

fn read_fields(v: &Yaml, path: &YamlPath, nested: bool, problems: &mut Problems) -> Vec<FieldDef> {
    let Yaml::Sequence(items) = v else {
        problems.error(
            path,
            format!("expected a list of fields, found {}", describe(v)),
        );
        return Vec::new();
    };
    let mut out: Vec<FieldDef> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(f) = FieldDef::read(item, &path.index(i), nested, problems) {
            if out.iter().any(|o| o.name == f.name) {
                problems.error(
                    &path.index(i).key("name"),
                    format!("field `{}` is defined twice", f.name),
                );
            } else {
                out.push(f);
            }
        }
    }
    out
}

/// The ordered list of fields to review.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// Format version (1).
    pub version: u32,
    /// Extractor confidences below this stand out on the review screen.
    pub low_confidence: f64,
    /// The fields, in the order they are reviewed.
    pub fields: Vec<FieldDef>,
    /// Twin detection (`twins:`).
    pub twins: TwinsConfig,
    /// How `tadqiq score` compares the extractor's values with the reference (`score:`).
    pub score: ScoreSettings,
}

/// The confidence under which a value stands out, when the schema does not say.
pub const DEFAULT_LOW_CONFIDENCE: f64 = 0.6;

/// The similarity from which two articles are twins, when the schema does not say: the
/// overlap of their three-word shingles (see `crate::twins`). The samples' two reports of one
/// visit overlap by 0.52; their other pairs by 0.08 at most.
pub const DEFAULT_TWINS_THRESHOLD: f64 = 0.3;

/// `twins:` in the schema: when two articles count as reports of one event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TwinsConfig {
    /// The least similarity (overlap coefficient of word shingles, 0 to 1) of a twin pair.
    pub threshold: f64,
}

impl Default for TwinsConfig {
    fn default() -> TwinsConfig {
        TwinsConfig {
            threshold: DEFAULT_TWINS_THRESHOLD,
        }
    }
}

/// The schema's `score:` settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreSettings {
    /// Two texts whose similarity (1 − Levenshtein distance / the longer length, on the
    /// folded texts) is at least this count as a partial match (`score.fuzzy_threshold`).
    pub fuzzy_threshold: f64,
}

/// The similarity from which two texts match partially, when the schema does not say: one
/// letter off in seven (1 − 1/7 = 0.857) matches partially, one in six (الرباط / الرياط,
/// 0.833) does not.
pub const DEFAULT_FUZZY_THRESHOLD: f64 = 0.85;

impl Default for ScoreSettings {
    fn default() -> ScoreSettings {
        ScoreSettings {
            fuzzy_threshold: DEFAULT_FUZZY_THRESHOLD,
        }
    }
}

impl TwinsConfig {
    fn read(v: &Yaml, path: &YamlPath, problems: &mut Problems) -> TwinsConfig {
        let mut config = TwinsConfig::default();
        let Some(m) = mapping(v, path, problems) else {
            return config;
        };
        let mut r = MapReader::new(m, path.clone(), problems);
        match r.get("threshold") {
            None => {}
            // 0 would make every pair of articles twins.
            Some(Yaml::Number(n)) if n.as_f64().is_some_and(|x| x > 0.0 && x <= 1.0) => {
                config.threshold = n.as_f64().unwrap_or(DEFAULT_TWINS_THRESHOLD);
            }
            Some(other) => problems.error(
                &path.key("threshold"),
                format!(
                    "expected a number above 0 and at most 1, found {}",
                    show(other)
                ),
            ),
        }
        r.deny_unknown("`twins` (use `threshold`)", problems);
        config
    }
}

impl ScoreSettings {
    /// Reads `score: {fuzzy_threshold}`; what is wrong is reported and its default kept.
    fn read(v: &Yaml, path: &YamlPath, problems: &mut Problems) -> ScoreSettings {
        let mut out = ScoreSettings::default();
        let Some(m) = mapping(v, path, problems) else {
            return out;
        };
        let mut r = MapReader::new(m, path.clone(), problems);
        match r.get("fuzzy_threshold") {
            None => {}
            Some(Yaml::Number(n)) if n.as_f64().is_some_and(|x| x > 0.0 && x <= 1.0) => {
                out.fuzzy_threshold = n.as_f64().unwrap_or(DEFAULT_FUZZY_THRESHOLD);
            }
            Some(other) => problems.error(
                &path.key("fuzzy_threshold"),
                format!(
                    "expected a number above 0 and at most 1, found {}",
                    show(other)
                ),
            ),
        }
        r.deny_unknown("the score settings (`fuzzy_threshold`)", problems);
        out
    }
}

impl Schema {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The position of field `name` in review order.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// Reads a schema document; `None` when it is unusable (problems say why).
    pub fn from_yaml(doc: &Yaml, problems: &mut Problems) -> Option<Schema> {
        let root = YamlPath::root();
        let m: &Mapping = mapping(doc, &root, problems)?;
        let mut r = MapReader::new(m, root.clone(), problems);
        let version = match r.get("version") {
            None => 1,
            Some(Yaml::Number(n)) if n.as_u64() == Some(1) => 1,
            Some(other) => {
                problems.error(
                    &root.key("version"),
                    format!("this tadqiq reads schema version 1, found {}", show(other)),
                );
                1
            }
        };
        let low_confidence = match r.get("low_confidence") {
            None => DEFAULT_LOW_CONFIDENCE,
            Some(Yaml::Number(n)) if n.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x)) => {
                n.as_f64().unwrap_or(DEFAULT_LOW_CONFIDENCE)
            }
            Some(other) => {
                problems.error(
                    &root.key("low_confidence"),
                    format!("expected a number between 0 and 1, found {}", show(other)),
                );
                DEFAULT_LOW_CONFIDENCE
            }
        };
        let twins = r
            .get("twins")
            .map(|v| TwinsConfig::read(v, &root.key("twins"), problems))
            .unwrap_or_default();
        let fields = match r.required("fields", problems) {
            Some(v) => read_fields(v, &root.key("fields"), false, problems),
            None => Vec::new(),
        };
        let score = r
            .get("score")
            .map(|v| ScoreSettings::read(v, &root.key("score"), problems))
            .unwrap_or_default();
        r.deny_unknown("the schema", problems);
        if fields.is_empty() {
            problems.error(&root, "the schema has no fields");
            return None;
        }
        Some(Schema {
            version,
            low_confidence,
            fields,
            twins,
            score,
        })
    }
}

/// A short rendering of a scalar for messages.
pub(crate) fn show(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => format!("`{s}`"),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        other => describe(other).to_string(),
    }
}

/// Reads a string that must be one of `def`'s choices.
pub(crate) fn choice_value(
    def: &FieldDef,
    v: &Yaml,
    path: &YamlPath,
    problems: &mut Problems,
) -> Option<String> {
    let s = string(v, path, problems)?;
    if !def.allows(&s) {
        let allowed: Vec<_> = def.values.iter().map(|c| c.value.as_str()).collect();
        problems.error(
            path,
            format!(
                "`{s}` is not a value of `{}`; one of: {}",
                def.name,
                allowed.join(", ")
            ),
        );
        return None;
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> (Option<Schema>, Problems) {
        let doc: Yaml = serde_yaml::from_str(yaml).unwrap();
        let mut problems = Problems::default();
        let s = Schema::from_yaml(&doc, &mut problems);
        (s, problems)
    }

    #[test]
    fn reads_fields_in_order_with_labels_and_choices() {
        let (s, p) = read(
            "fields:\n\
             - {name: headline, type: text, required: true, label: {ar: العنوان, en: Headline}}\n\
             - name: event_type\n  type: choice\n  values: [meeting, {value: visit, label: {ar: زيارة}}]\n\
             - name: participants\n  type: record_list\n  fields: [{name: name, type: text}]\n",
        );
        assert!(p.is_empty(), "{p:?}");
        let s = s.unwrap();
        assert_eq!(s.fields.len(), 3);
        assert_eq!(s.fields[0].label.both(), "العنوان · Headline");
        assert!(s.field("event_type").unwrap().allows("visit"));
        assert_eq!(s.field("participants").unwrap().fields[0].name, "name");
        assert_eq!(s.low_confidence, DEFAULT_LOW_CONFIDENCE);
        assert_eq!(s.twins.threshold, DEFAULT_TWINS_THRESHOLD);
    }

    #[test]
    fn reads_the_twins_threshold_and_refuses_a_bad_one() {
        let (s, p) = read("twins: {threshold: 0.75}\nfields: [{name: a, type: text}]\n");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(s.unwrap().twins.threshold, 0.75);
        for bad in [
            "{threshold: 0}",
            "{threshold: 1.5}",
            "{threshold: high}",
            "0.5",
            "{limit: 3}",
        ] {
            let (_, p) = read(&format!(
                "twins: {bad}\nfields: [{{name: a, type: text}}]\n"
            ));
            let all: Vec<String> =
                p.0.iter()
                    .map(|p| format!("{}: {}", p.path, p.message))
                    .collect();
            assert!(all.iter().any(|m| m.starts_with("twins")), "{bad}: {all:?}");
        }
    }

    #[test]
    fn reports_every_mistake() {
        let (_, p) = read(
            "version: 2\nfields:\n\
             - {name: a, type: text}\n\
             - {name: x, type: txt}\n\
             - {name: b, type: choice}\n\
             - {name: a, type: text, colour: red}\n\
             - {name: r, type: record_list, fields: [{name: x, type: list}]}\n",
        );
        let messages: Vec<_> =
            p.0.iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect();
        let all = messages.join("\n");
        assert!(
            all.contains("version: this tadqiq reads schema version 1"),
            "{all}"
        );
        assert!(all.contains("fields[1].type: unknown type `txt`"), "{all}");
        assert!(
            all.contains("fields[2]: a choice field needs `values`"),
            "{all}"
        );
        assert!(
            all.contains("fields[3].colour: unknown key `colour`"),
            "{all}"
        );
        assert!(
            all.contains("fields[3].name: field `a` is defined twice"),
            "{all}"
        );
        assert!(all.contains("sub-fields are text, date or choice"), "{all}");
    }

    #[test]
    fn score_settings_have_a_default_and_a_range() {
        let (s, p) = read("fields: [{name: a, type: text}]\n");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(s.unwrap().score.fuzzy_threshold, DEFAULT_FUZZY_THRESHOLD);
        let (s, p) = read("score: {fuzzy_threshold: 0.9}\nfields: [{name: a, type: text}]\n");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(s.unwrap().score.fuzzy_threshold, 0.9);
        for bad in [
            "score: {fuzzy_threshold: 0}",
            "score: {fuzzy_threshold: 1.5}",
            "score: {fuzzy_threshold: high}",
            "score: {fuzzy: 0.9}",
            "score: 0.9",
        ] {
            let (_, p) = read(&format!("{bad}\nfields: [{{name: a, type: text}}]\n"));
            let all: Vec<String> =
                p.0.iter()
                    .map(|p| format!("{}: {}", p.path, p.message))
                    .collect();
            assert!(
                all.len() == 1 && all[0].starts_with("score"),
                "{bad}: {all:?}"
            );
        }
    }
}
