//! The outputs of `agree` and `score`: JSON for scripts (a stable shape, `null` where a
//! coefficient is undefined) and a table for people (one row per field, the weakest first,
//! with a short legend).

use std::fmt::Write as _;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value as Json, json};

use super::matching::Counts;
use super::metrics::Ac1;
use super::score::{Calibration, FieldScore, Mistake, Score, Tally};
use super::units::ALPHA_THRESHOLDS;
use super::{Agreement, Disagreement, FieldAgreement};
use crate::model::FieldType;
use crate::text::sanitize::sanitize_inline;

fn number(x: Option<f64>) -> Json {
    x.map_or(Json::Null, Json::from)
}

/// `agree --format json`, serialized as it is written (the disagreements of a large corpus
/// are never all built as one JSON tree):
/// `{"analysts": [..], "articles": n, "fields": {"<field>": {"kind", "items",
/// "percent_agreement", "alpha", "cohen_kappa": {"a|b": k}, "fleiss_kappa", "disagreements",
/// "alpha_ci95": [lo, hi], "p_alpha_below": {"0.667": p, "0.8": p}, "ac1": {"value", "se",
/// "ci95": [lo, hi]}}}, "disagreements": [{"article", "field", "values": {"<analyst>":
/// value}}], "analysts_agreement": {"<analyst>": {"alpha_with_rest": {"<field>": x},
/// "items": n}}, "bootstrap": {"samples": n, "seed": s}}`, with `"cohen_kappa": null` when too
/// many pairs reviewed the field together ([`super::MAX_PAIRS`]); choice and multi_choice
/// fields add `"coincidence": {"labels": [..], "matrix": [[..]]}` and `"per_category":
/// {"<label>": x}`, multi_choice fields `"ac1_per_value": {"<value>": {"value", "se",
/// "ci95"}}`, date fields `"alpha_interval"`.
pub struct AgreementJson<'a>(pub &'a Agreement);

impl Serialize for AgreementJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut fields = Map::new();
        for f in &a.fields {
            let cohen: Json = if f.cohen_omitted {
                Json::Null
            } else {
                f.cohen_kappa
                    .iter()
                    .map(|(pair, k)| (pair.clone(), number(*k)))
                    .collect::<Map<String, Json>>()
                    .into()
            };
            let mut field = json!({
                "kind": f.kind.name(),
                "items": f.items,
                "percent_agreement": number(f.percent_agreement),
                "alpha": number(f.alpha),
                "cohen_kappa": cohen,
                "fleiss_kappa": number(f.fleiss_kappa),
                "disagreements": f.disagreements,
                "alpha_ci95": f.alpha_ci95.map_or(Json::Null, |(lo, hi)| json!([lo, hi])),
                "p_alpha_below": f.p_alpha_below.map_or(Json::Null, |p| {
                    ALPHA_THRESHOLDS
                        .iter()
                        .zip(p)
                        .map(|(t, p)| (threshold(*t), Json::from(p)))
                        .collect::<Map<String, Json>>()
                        .into()
                }),
                "ac1": ac1_json(f.ac1),
            });
            let extra = field.as_object_mut().expect("an object");
            if f.field_type == FieldType::MultiChoice {
                let per_value: Map<String, Json> = f
                    .ac1_per_value
                    .iter()
                    .map(|(v, a)| (v.clone(), ac1_json(*a)))
                    .collect();
                extra.insert("ac1_per_value".into(), per_value.into());
            }
            if let Some(c) = &f.coincidence {
                extra.insert(
                    "coincidence".into(),
                    json!({"labels": c.labels, "matrix": c.matrix}),
                );
                let per: Map<String, Json> = c
                    .per_category()
                    .into_iter()
                    .map(|(l, x)| (l, number(x)))
                    .collect();
                extra.insert("per_category".into(), per.into());
            }
            if f.field_type == FieldType::Date {
                extra.insert("alpha_interval".into(), number(f.alpha_interval));
            }
            fields.insert(f.field.clone(), field);
        }
        let analysts: Map<String, Json> = a
            .analysts_agreement
            .iter()
            .map(|x| {
                let alphas: Map<String, Json> = x
                    .alpha_with_rest
                    .iter()
                    .map(|(f, v)| (f.clone(), number(*v)))
                    .collect();
                (
                    x.analyst.clone(),
                    json!({"alpha_with_rest": alphas, "items": x.items}),
                )
            })
            .collect();
        let mut m = s.serialize_map(Some(6))?;
        m.serialize_entry("analysts", &a.analysts)?;
        m.serialize_entry("articles", &a.articles)?;
        m.serialize_entry("fields", &fields)?;
        m.serialize_entry("disagreements", &Spooled(&a.disagreements))?;
        m.serialize_entry("analysts_agreement", &analysts)?;
        m.serialize_entry(
            "bootstrap",
            &json!({"samples": a.options.bootstrap, "seed": a.options.seed}),
        )?;
        m.end()
    }
}

/// A threshold as a JSON key: `0.667`, `0.8`.
fn threshold(t: f64) -> String {
    format!("{t}")
}

/// AC1 as JSON: `{"value", "se", "ci95": [lo, hi]}`, or null.
fn ac1_json(a: Option<Ac1>) -> Json {
    a.map_or(
        Json::Null,
        |a| json!({"value": a.value, "se": a.se, "ci95": [a.ci95.0, a.ci95.1]}),
    )
}

/// The spooled disagreements as a JSON array, read back one at a time as they are written.
struct Spooled<'a>(&'a super::Disagreements);

impl Serialize for Spooled<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        let mut error = None;
        let read = self.0.each(|d| match seq.serialize_element(&d) {
            Ok(()) => Ok(()),
            Err(e) => {
                error = Some(e);
                Err(std::io::Error::other("serialization failed"))
            }
        });
        if let Some(e) = error {
            return Err(e);
        }
        read.map_err(serde::ser::Error::custom)?;
        seq.end()
    }
}

/// One disagreement as JSON: `{"article", "field", "values": {"<analyst>": value}}`.
pub(super) fn disagreement_json(d: &Disagreement) -> Json {
    let values: Map<String, Json> = d
        .values
        .iter()
        .map(|(who, k)| (who.clone(), k.to_json()))
        .collect();
    json!({"article": d.article, "field": d.field, "values": values})
}

/// A JSON array whose elements are built one at a time as they are written.
struct Each<'a, T>(&'a [T], fn(&T) -> Json);

impl<T> Serialize for Each<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for x in self.0 {
            seq.serialize_element(&(self.1)(x))?;
        }
        seq.end()
    }
}

fn fixed(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{x:.3}"))
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{:.1}%", 100.0 * x))
}

/// Lays out rows of cells in columns, the first left-aligned, the rest right-aligned.
fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = width[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad));
            } else {
                line.push_str("  ");
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Weakest first: lowest alpha, then lowest percent agreement; undefined values last.
fn weakness(f: &FieldAgreement) -> (bool, f64, bool, f64) {
    (
        f.alpha.is_none(),
        f.alpha.unwrap_or(0.0),
        f.percent_agreement.is_none(),
        f.percent_agreement.unwrap_or(0.0),
    )
}

/// The analysts compared, for a line of text: their names (sanitized) in a team of up to
/// [`super::EVERY_PAIR_UP_TO`], else how many they are (a line of 2 000 names reads as
/// nothing).
pub fn analyst_list(names: &[String]) -> String {
    if names.len() <= super::EVERY_PAIR_UP_TO {
        sanitize_inline(&names.join(", ")).into_owned()
    } else {
        format!("{} analysts", names.len())
    }
}

/// `agree --format table`.
pub fn agreement_table(a: &Agreement) -> String {
    let mut out = String::new();
    if a.articles == 0 {
        out.push_str(
            "no article has done reviews by two of these analysts yet: nothing to compare\n",
        );
        return out;
    }
    let _ = writeln!(
        out,
        "agreement of {} analysts{} on {} articles reviewed by at least two\n",
        a.analysts.len(),
        if a.analysts.len() <= super::EVERY_PAIR_UP_TO {
            format!(" ({})", analyst_list(&a.analysts))
        } else {
            String::new()
        },
        a.articles
    );
    let mut fields: Vec<&FieldAgreement> = a.fields.iter().collect();
    fields.sort_by(|x, y| {
        weakness(x)
            .partial_cmp(&weakness(y))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut rows = vec![
        [
            "field",
            "kind",
            "items",
            "agree",
            "alpha",
            "95% CI",
            "AC1",
            "fleiss",
            "cohen (min–max)",
            "disagree",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for f in fields {
        let kappas: Vec<f64> = f.cohen_kappa.iter().filter_map(|(_, k)| *k).collect();
        let cohen = match (
            kappas.iter().copied().reduce(f64::min),
            kappas.iter().copied().reduce(f64::max),
        ) {
            (Some(lo), Some(hi)) if f.cohen_kappa.len() == 1 => {
                debug_assert_eq!(lo, hi);
                format!("{lo:.3}")
            }
            (Some(lo), Some(hi)) => format!("{lo:.3}–{hi:.3}"),
            _ if f.cohen_omitted => "too many pairs".into(),
            _ => "—".into(),
        };
        rows.push(vec![
            f.field.clone(),
            f.kind.name().into(),
            f.items.to_string(),
            percent(f.percent_agreement),
            fixed(f.alpha),
            f.alpha_ci95
                .map_or_else(|| "—".to_string(), |(lo, hi)| format!("{lo:.3}–{hi:.3}")),
            fixed(f.ac1.map(|a| a.value)),
            fixed(f.fleiss_kappa),
            cohen,
            f.disagreements.to_string(),
        ]);
    }
    out.push_str(&columns(&rows));
    out.push_str(&analysts_table(a));
    out.push_str(
        "\nitems: articles where at least two analysts reviewed the field. agree: mean share of\n\
         analyst pairs giving the same value. alpha: Krippendorff's alpha (nominal; MASI for set\n\
         fields): 1 perfect, 0 chance level; at least 0.800 to rely on a field, 0.667 for\n\
         tentative conclusions (Krippendorff). 95% CI: alpha's percentile bootstrap interval.\n\
         AC1: Gwet's (scalar fields). fleiss: kappa of all analysts on the items all reviewed;\n\
         cohen: kappa of each pair, lowest–highest (scalar fields). —: undefined (no items, or\n\
         no variation). `--format json` adds AC1's interval, the coincidence matrices and the\n\
         disagreements.\n",
    );
    let _ = writeln!(
        out,
        "{}",
        if a.options.bootstrap > 0 {
            format!(
                "bootstrap: {} samples of the articles, seed {} (--bootstrap N, --seed S).",
                a.options.bootstrap, a.options.seed
            )
        } else {
            "bootstrap: none (--bootstrap 0).".to_string()
        }
    );
    out
}

/// Each analyst against the others: how many items they share, and their alpha with the
/// others on the two fields where it is lowest. Left out in a team of more than
/// [`super::EVERY_PAIR_UP_TO`] (`--format json` has them all).
fn analysts_table(a: &Agreement) -> String {
    if a.analysts_agreement.is_empty() || a.analysts_agreement.len() > super::EVERY_PAIR_UP_TO {
        return String::new();
    }
    let mut rows = vec![
        ["analyst", "items", "mean alpha with the others", "lowest"]
            .map(String::from)
            .to_vec(),
    ];
    for x in &a.analysts_agreement {
        let mut defined: Vec<(&str, f64)> = x
            .alpha_with_rest
            .iter()
            .filter_map(|(f, v)| v.map(|v| (f.as_str(), v)))
            .collect();
        let mean = (!defined.is_empty())
            .then(|| defined.iter().map(|(_, v)| v).sum::<f64>() / defined.len() as f64);
        defined.sort_by(|x, y| x.1.total_cmp(&y.1));
        let lowest: Vec<String> = defined
            .iter()
            .take(2)
            .map(|(f, v)| format!("{f} {v:.3}"))
            .collect();
        rows.push(vec![
            sanitize_inline(&x.analyst).into_owned(),
            x.items.to_string(),
            fixed(mean),
            if lowest.is_empty() {
                "—".into()
            } else {
                lowest.join(", ")
            },
        ]);
    }
    let mut out =
        String::from("\neach analyst against the others (alpha of their pairs of values):\n");
    out.push_str(&columns(&rows));
    out
}

fn tally_json(t: Tally) -> Json {
    json!({"values": t.values, "wrong": t.wrong, "wrong_rate": number(t.wrong_rate())})
}

/// `score --format json`, serialized as it is written:
/// `{"against", "articles", "low_confidence", "fuzzy_threshold", "fields": {"<field>":
/// {"kind", "match", "items", "accuracy", "correct", "partial", "incorrect", "missing",
/// "spurious", "precision", "recall", "f1", "f1_lenient", "evidence": {"items",
/// "mean_overlap"}, "low_confidence": {"values", "wrong", "wrong_rate"}, "confident": {..},
/// "subfields"?: {"<sub>": {"correct", .., "f1_lenient"}}}}, "calibration": {"bins": [{"lo",
/// "hi", "count", "mean_confidence", "accuracy"}], "ece"}, "mistakes": [{"article", "field",
/// "extracted", "confidence", "reference"}]}`; `subfields` for record_list fields only,
/// `extracted` is `null` when the extractor delivered nothing, and every ratio is `null`
/// when undefined.
pub struct ScoreJson<'a>(pub &'a Score);

impl Serialize for ScoreJson<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let s = self.0;
        let mut fields = Map::new();
        for f in &s.fields {
            let mut field = json!({
                "kind": f.kind.name(),
                "match": s.matcher.mode.name(),
                "items": f.items,
                "accuracy": number(f.accuracy()),
                "evidence": {
                    "items": f.evidence.items,
                    "mean_overlap": number(f.evidence.mean()),
                },
                "low_confidence": tally_json(f.low_confidence),
                "confident": tally_json(f.confident),
            });
            if let (Json::Object(m), Json::Object(c)) = (&mut field, counts_json(&f.counts)) {
                m.extend(c);
                if !f.subfields.is_empty() {
                    let subs: Map<String, Json> = f
                        .subfields
                        .iter()
                        .map(|(name, c)| (name.clone(), counts_json(c)))
                        .collect();
                    m.insert("subfields".into(), subs.into());
                }
            }
            fields.insert(f.field.clone(), field);
        }
        let mut m = ser.serialize_map(Some(7))?;
        m.serialize_entry("against", &s.against)?;
        m.serialize_entry("articles", &s.articles)?;
        m.serialize_entry("low_confidence", &s.low_confidence)?;
        m.serialize_entry("fuzzy_threshold", &s.matcher.fuzzy_threshold)?;
        m.serialize_entry("fields", &fields)?;
        m.serialize_entry("calibration", &calibration_json(&s.calibration))?;
        m.serialize_entry("mistakes", &Each(&s.mistakes, mistake_json))?;
        m.end()
    }
}

/// A field's (or sub-field's) MUC counts and the ratios made of them.
fn counts_json(c: &Counts) -> Json {
    json!({
        "correct": c.correct,
        "partial": c.partial,
        "incorrect": c.incorrect,
        "missing": c.missing,
        "spurious": c.spurious,
        "precision": number(c.precision()),
        "recall": number(c.recall()),
        "f1": number(c.f1()),
        "f1_lenient": number(c.f1_lenient()),
    })
}

fn calibration_json(c: &Calibration) -> Json {
    let bins: Vec<Json> = c
        .bins
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let (lo, hi) = Calibration::bounds(i);
            json!({
                "lo": lo,
                "hi": hi,
                "count": b.count,
                "mean_confidence": number(b.mean_confidence()),
                "accuracy": number(b.accuracy()),
            })
        })
        .collect();
    json!({"bins": bins, "ece": number(c.ece())})
}

fn mistake_json(m: &Mistake) -> Json {
    json!({
        "article": m.article,
        "field": m.field,
        "extracted": m.extracted.as_ref().map_or(Json::Null, |k| k.to_json()),
        "confidence": number(m.confidence),
        "reference": m.reference.to_json(),
    })
}

fn wrong(t: Tally) -> String {
    match t.wrong_rate() {
        None => "—".into(),
        Some(r) => format!("{}/{} ({:.0}%)", t.wrong, t.values, 100.0 * r),
    }
}

/// `score --format table`.
pub fn score_table(s: &Score) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "the extractor against {} on {} articles (low confidence: below {})\n\
         texts matched {}, partially from a similarity of {}\n",
        sanitize_inline(&s.against),
        s.articles,
        s.low_confidence,
        s.matcher.mode.name(),
        s.matcher.fuzzy_threshold,
    );
    let mut fields: Vec<&FieldScore> = s.fields.iter().collect();
    fields.sort_by(|x, y| {
        let key = |f: &FieldScore| (f.counts.f1().is_none(), f.counts.f1().unwrap_or(0.0));
        key(x)
            .partial_cmp(&key(y))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut rows = vec![
        [
            "field",
            "kind",
            "items",
            "accuracy",
            "cor",
            "par",
            "inc",
            "mis",
            "spu",
            "P",
            "R",
            "F1",
            "F1 lenient",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let counts_cells = |c: &Counts| {
        vec![
            c.correct.to_string(),
            c.partial.to_string(),
            c.incorrect.to_string(),
            c.missing.to_string(),
            c.spurious.to_string(),
            fixed(c.precision()),
            fixed(c.recall()),
            fixed(c.f1()),
            fixed(c.f1_lenient()),
        ]
    };
    let mut evidence = vec![
        [
            "field",
            "evidence overlap",
            "low-conf wrong",
            "confident wrong",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for f in fields {
        let mut row = vec![
            f.field.clone(),
            f.kind.name().into(),
            f.items.to_string(),
            percent(f.accuracy()),
        ];
        row.extend(counts_cells(&f.counts));
        rows.push(row);
        evidence.push(vec![
            f.field.clone(),
            match f.evidence.mean() {
                Some(m) => format!("{m:.3} of {}", f.evidence.items),
                None => "—".into(),
            },
            wrong(f.low_confidence),
            wrong(f.confident),
        ]);
        for (name, c) in &f.subfields {
            let mut row = vec![
                format!("  .{name}"),
                String::new(),
                String::new(),
                String::new(),
            ];
            row.extend(counts_cells(c));
            rows.push(row);
        }
    }
    out.push_str(&columns(&rows));
    out.push('\n');
    out.push_str(&columns(&evidence));
    let c = &s.calibration;
    let _ = writeln!(
        out,
        "\ncalibration of {} values delivered with a confidence (expected calibration error {}):",
        c.count(),
        fixed(c.ece())
    );
    let mut bins = vec![
        ["confidence", "values", "mean conf", "right"]
            .map(String::from)
            .to_vec(),
    ];
    for (i, b) in c.bins.iter().enumerate() {
        let (lo, hi) = Calibration::bounds(i);
        bins.push(vec![
            format!("{lo:.1}–{hi:.1}"),
            b.count.to_string(),
            fixed(b.mean_confidence()),
            percent(b.accuracy()),
        ]);
    }
    out.push_str(&columns(&bins));
    out.push_str(
        "\nitems: articles whose reference review has the field. accuracy: share of items where the\n\
         extractor's value is right as a whole (a field it left out counts as none). cor, par,\n\
         inc, mis, spu: values (list items, records; `.sub` rows: a record's sub-fields) correct,\n\
         partial (folded-equal under --match exact, fuzzy-equal, same month, overlapping span),\n\
         incorrect, missing (only in the reference) and spurious (only extracted). P, R, F1:\n\
         strict, partial counts as wrong; F1 lenient: partial counts half. evidence overlap: mean\n\
         share of the chars of the extractor's evidence or the reference's that both cover, of\n\
         the items where both gave one. low-conf wrong: of the values\n\
         delivered with a confidence below the threshold, how many were not right; confident\n\
         wrong: the same for the others. `--format json` lists every mistake.\n",
    );
    out
}
