//! What is compared when analysts are compared: each reviewed field's value reduced to a
//! [`Key`] (text trimmed and in NFC, lists as sets, records by name), and one article's fields
//! side by side across analysts ([`compare`]), with their majority and whether they disagree.
//!
//! Pure: it takes gold documents already read. `agree` builds its statistics from these keys,
//! and a screen that compares and adjudicates reviews can use [`compare`] as it is.

use std::borrow::Cow;
use std::hash::{DefaultHasher, Hash, Hasher};

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::model::{FieldDef, FieldType, Gold, Span, Value};

/// How a field's values are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// One category per value: text, long_text, date, choice, span. Null is the category
    /// "none".
    Scalar,
    /// A set of items: list, multi_choice, record_list (the set of its records' names). Null
    /// is the empty set.
    Set,
}

impl Kind {
    /// How fields of type `t` are compared.
    pub fn of(t: FieldType) -> Kind {
        match t {
            FieldType::List | FieldType::MultiChoice | FieldType::RecordList => Kind::Set,
            FieldType::Text
            | FieldType::LongText
            | FieldType::Date
            | FieldType::Choice
            | FieldType::Span => Kind::Scalar,
        }
    }

    /// `scalar` or `set`, as in `agree`'s JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Scalar => "scalar",
            Kind::Set => "set",
        }
    }
}

/// A value as analysts' values are compared: two values are the same judgement exactly when
/// their keys are equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// A scalar field's `value: null`: the article has none.
    None,
    /// A scalar text, trimmed and in NFC.
    Text(String),
    /// A span, compared exactly.
    Span(Span),
    /// A set field's items, trimmed, in NFC, sorted, without repeats (null: empty).
    Set(Vec<String>),
}

impl Key {
    /// The key of `value`, a value of field `def`.
    pub fn of(def: &FieldDef, value: &Value) -> Key {
        match Kind::of(def.kind) {
            Kind::Scalar => match value {
                Value::Null => Key::None,
                Value::Text(s) => Key::Text(normalize(s).into_owned()),
                Value::Span(s) => Key::Span(*s),
                // Not produced by the loaders for a scalar field; compared as a set rather
                // than lost.
                Value::List(_) | Value::Records(_) => set_key(value),
            },
            Kind::Set => set_key(value),
        }
    }

    /// The key as JSON: null, a string, `{start, end}` or an array of strings.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Key::None => serde_json::Value::Null,
            Key::Text(s) => s.clone().into(),
            Key::Span(s) => serde_json::json!({"start": s.start, "end": s.end}),
            Key::Set(items) => items.clone().into(),
        }
    }

    /// A 64-bit digest of the key, which stands for it in the statistics so that a corpus's
    /// texts are not all kept in memory. Two different values share a digest with a
    /// probability near 2⁻⁶⁴ per pair: negligible next to any corpus tadqiq will see.
    pub fn digest(&self) -> u64 {
        digest(self)
    }

    /// The digests of a set's items, sorted and without repeats (for the MASI distance); a
    /// scalar key is the set of itself.
    pub fn item_digests(&self) -> Vec<u64> {
        let mut out: Vec<u64> = match self {
            Key::Set(items) => items.iter().map(digest).collect(),
            other => vec![digest(other)],
        };
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A date value's day number (days since 1970-01-01), for interval alpha: `YYYY-MM-DD` is its
/// day, a month alone (`YYYY-MM`) its 15th, the middle of the month; anything else `None`.
pub fn date_days(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = match b.len() {
        7 if b[4] == b'-' => (num(0..4)?, num(5..7)?, 15),
        10 if b[4] == b'-' && b[7] == b'-' => (num(0..4)?, num(5..7)?, num(8..10)?),
        _ => return None,
    };
    // Validated as a calendar date, then counted with Hinnant's days_from_civil.
    jiff::civil::Date::new(year as i16, month as i8, day as i8).ok()?;
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn digest<T: Hash + ?Sized>(t: &T) -> u64 {
    // `DefaultHasher::new()` has fixed keys: the same digest on every run.
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

fn set_key(value: &Value) -> Key {
    let mut items: Vec<String> = match value {
        Value::Null => Vec::new(),
        Value::Text(s) => vec![normalize(s).into_owned()],
        Value::List(items) => items.iter().map(|s| normalize(s).into_owned()).collect(),
        // Records are the same participant when they have the same name; a record without
        // `name` (a schema whose record_list has none) counts by its summary.
        Value::Records(records) => records
            .iter()
            .map(|r| normalize(r.get("name").unwrap_or(&r.summary())).into_owned())
            .collect(),
        Value::Span(s) => vec![s.to_string()],
    };
    items.sort_unstable();
    items.dedup();
    Key::Set(items)
}

/// A text as compared: trimmed, in Unicode NFC (so a letter typed with a combining hamza
/// equals the precomposed one). Borrowed when it is already so.
pub fn normalize(s: &str) -> Cow<'_, str> {
    let t = s.trim();
    if t.chars().all(always_nfc) || is_nfc_quick(t.chars()) == IsNormalized::Yes {
        Cow::Borrowed(t)
    } else {
        let n: String = t.nfc().collect();
        // Composition can expose no new outer whitespace, but trimming again is free.
        match n.trim() {
            trimmed if trimmed.len() == n.len() => Cow::Owned(n),
            trimmed => Cow::Owned(trimmed.to_string()),
        }
    }
}

/// Whether `c` is a starter that is in NFC whatever surrounds it: Latin-1, Arabic letters,
/// digits and punctuation without their marks, general punctuation. Text made only of such
/// chars is in NFC, which spares the quick check's table lookups on most news text (a unit
/// test checks every char of these ranges against the quick check).
fn always_nfc(c: char) -> bool {
    matches!(c, '\0'..='\u{2FF}' | '\u{600}'..='\u{60F}' | '\u{61B}'..='\u{64A}' | '\u{660}'..='\u{66F}' | '\u{671}'..='\u{6D5}' | '\u{2010}'..='\u{2027}')
}

/// One field of one article across analysts.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldComparison {
    /// The field's name.
    pub field: String,
    /// How its values compare.
    pub kind: Kind,
    /// Each analyst who reviewed the field, in the order given to [`compare`], with the value
    /// as compared. An analyst who did not review it is absent (missing, not "none").
    pub values: Vec<(String, Key)>,
}

impl FieldComparison {
    /// The distinct values, each with the analysts who gave it, the most frequent first (ties
    /// in order of first appearance).
    pub fn groups(&self) -> Vec<(&Key, Vec<&str>)> {
        let mut out: Vec<(&Key, Vec<&str>)> = Vec::new();
        for (analyst, key) in &self.values {
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some((_, who)) => who.push(analyst),
                None => out.push((key, vec![analyst])),
            }
        }
        out.sort_by_key(|(_, who)| std::cmp::Reverse(who.len()));
        out
    }

    /// The value more than half of the analysts who reviewed the field gave, if any.
    pub fn majority(&self) -> Option<&Key> {
        let groups = self.groups();
        let (key, who) = groups.first()?;
        (2 * who.len() > self.values.len()).then_some(*key)
    }

    /// Whether at least two analysts reviewed the field (it counts in agreement).
    pub fn is_item(&self) -> bool {
        self.values.len() >= 2
    }

    /// Whether at least two analysts reviewed the field and not all gave the same value.
    pub fn is_disagreement(&self) -> bool {
        self.is_item() && self.values.iter().any(|(_, k)| *k != self.values[0].1)
    }
}

/// The fields of `fields` across the analysts' reviews of one article, in the order of
/// `fields`; `reviews` pairs each analyst's name with their gold document (pass only the
/// reviews that should count, e.g. `status: done`).
pub fn compare(fields: &[&FieldDef], reviews: &[(&str, &Gold)]) -> Vec<FieldComparison> {
    fields
        .iter()
        .map(|def| FieldComparison {
            field: def.name.clone(),
            kind: Kind::of(def.kind),
            values: reviews
                .iter()
                .filter_map(|(analyst, gold)| {
                    let review = gold.field(&def.name)?;
                    Some((analyst.to_string(), Key::of(def, &review.value)))
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldReview, Problems, Record, Schema, Verdict};

    #[test]
    fn chars_taken_as_always_in_nfc_are_so_before_and_after_any_other() {
        let fast: Vec<char> = (0..=0x2027u32)
            .filter_map(char::from_u32)
            .filter(|&c| always_nfc(c))
            .collect();
        // A combining mark after one of them could compose with it only if it had a
        // decomposition starting there; the quick check says each is a starter that is Yes.
        for &c in &fast {
            assert_eq!(is_nfc_quick([c].into_iter()), IsNormalized::Yes, "{c:?}");
            assert_eq!(
                unicode_normalization::char::canonical_combining_class(c),
                0,
                "{c:?}"
            );
            for &d in &['a', 'ا', 'أ', '\u{64E}', '\u{301}'] {
                let s: String = [c, d].iter().collect();
                if always_nfc(d) {
                    assert_eq!(s.nfc().collect::<String>(), s, "{c:?}{d:?}");
                }
            }
        }
    }

    fn schema() -> Schema {
        let doc: serde_yaml::Value = serde_yaml::from_str(
            "fields:\n\
             - {name: t, type: text}\n\
             - {name: c, type: choice, values: [a, b]}\n\
             - {name: l, type: list}\n\
             - name: p\n  type: record_list\n  fields: [{name: name, type: text}, {name: role, type: text}]\n\
             - {name: s, type: span}\n",
        )
        .unwrap();
        Schema::from_yaml(&doc, &mut Problems::default()).unwrap()
    }

    fn key(field: &str, v: Value) -> Key {
        Key::of(schema().field(field).unwrap(), &v)
    }

    #[test]
    fn texts_compare_trimmed_and_in_nfc() {
        // أ as alef + combining hamza above (U+0627 U+0654) and precomposed (U+0623).
        let decomposed = key("t", Value::Text(" \u{627}\u{654}حمد\n".into()));
        let precomposed = key("t", Value::Text("\u{623}حمد".into()));
        assert_eq!(decomposed, precomposed);
        assert_eq!(precomposed, Key::Text("\u{623}حمد".into()));
        assert_ne!(key("t", Value::Null), key("t", Value::Text(String::new())));
    }

    #[test]
    fn dates_count_in_days() {
        assert_eq!(date_days("1970-01-01"), Some(0));
        assert_eq!(date_days("2000-03-01"), Some(11_017));
        assert_eq!(
            date_days("2024-02-29").unwrap() - date_days("2024-02-28").unwrap(),
            1
        );
        assert_eq!(date_days("2024-03"), date_days("2024-03-15"));
        assert_eq!(date_days("1969-12-31"), Some(-1));
        assert_eq!(date_days("2023-02-30"), None);
        assert_eq!(date_days("2023-13"), None);
        assert_eq!(date_days("soon"), None);
        assert_eq!(date_days("٢٠٢٤-٠١-٠١"), None);
    }

    #[test]
    fn lists_are_sets_and_null_is_empty() {
        let a = key("l", Value::List(vec!["b".into(), "a".into(), " a".into()]));
        assert_eq!(a, Key::Set(vec!["a".into(), "b".into()]));
        assert_eq!(key("l", Value::Null), Key::Set(vec![]));
        assert_eq!(a.item_digests().len(), 2);
    }

    #[test]
    fn records_compare_by_name_and_spans_exactly() {
        let rec =
            |n: &str, r: &str| Record(vec![("name".into(), n.into()), ("role".into(), r.into())]);
        let a = key(
            "p",
            Value::Records(vec![rec("حموشي", "مدير"), rec("لورنر", "x")]),
        );
        let b = key(
            "p",
            Value::Records(vec![rec("لورنر", "y"), rec("حموشي", "")]),
        );
        assert_eq!(a, b);
        let s = |start, end| key("s", Value::Span(Span { start, end }));
        assert_eq!(s(0, 9), Key::Span(Span { start: 0, end: 9 }));
        assert_ne!(s(0, 9), s(0, 10));
    }

    #[test]
    fn compare_finds_majority_and_disagreement() {
        let s = schema();
        let gold = |analyst: &str, c: Option<&str>| {
            let mut g = Gold::new("x", analyst);
            if let Some(c) = c {
                let value = if c == "-" {
                    Value::Null
                } else {
                    Value::Text(c.into())
                };
                g.set_field(
                    &s,
                    "c",
                    Some(FieldReview {
                        value,
                        verdict: Verdict::Added,
                        was: None,
                        evidence: None,
                        note: None,
                        from_twin: None,
                    }),
                );
            }
            g
        };
        let (a, b, c, d) = (
            gold("a", Some("a")),
            gold("b", Some("a")),
            gold("c", Some("-")),
            gold("d", None),
        );
        let fields: Vec<&FieldDef> = s.fields.iter().collect();
        let all = compare(&fields, &[("a", &a), ("b", &b), ("c", &c), ("d", &d)]);
        let f = all.iter().find(|f| f.field == "c").unwrap();
        assert_eq!(f.values.len(), 3, "d did not review it: missing");
        assert!(f.is_disagreement());
        assert_eq!(f.majority(), Some(&Key::Text("a".into())));
        assert_eq!(f.groups()[1], (&Key::None, vec!["c"]));
        let t = all.iter().find(|f| f.field == "t").unwrap();
        assert!(!t.is_item() && !t.is_disagreement() && t.majority().is_none());
        let two = compare(&fields, &[("a", &a), ("c", &c)]);
        assert_eq!(two[1].majority(), None, "one against one is no majority");
    }
}
