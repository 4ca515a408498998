//! One analyst's review of one article in progress: the extraction, the working gold document,
//! and the operations a review consists of (confirm, reject, correct, mark done).
//!
//! Pure: no files, no terminal. The review screen drives it; the store saves `gold`.

use super::annotation::{Extracted, ExtractedField, FieldReview, Gold, Status, Verdict};
use super::article::Article;
use super::schema::Schema;
use super::value::{Evidence, Span, Value};

/// What the screen shows for one field: the extractor's output and the analyst's review.
#[derive(Clone, Copy, Debug)]
pub struct FieldState<'a> {
    /// What the extractor delivered, if anything.
    pub extracted: Option<&'a ExtractedField>,
    /// The analyst's review, if the field was reviewed.
    pub review: Option<&'a FieldReview>,
}

impl FieldState<'_> {
    /// The value that counts now: the reviewed one, else the extracted one.
    pub fn value(&self) -> Option<&Value> {
        self.review
            .map(|r| &r.value)
            .or(self.extracted.map(|e| &e.value))
    }

    /// The evidence that counts now.
    pub fn evidence(&self) -> Option<&Evidence> {
        match self.review {
            Some(r) if r.evidence.is_some() => r.evidence.as_ref(),
            _ => self.extracted.and_then(|e| e.evidence.as_ref()),
        }
    }

    /// The verdict, if reviewed.
    pub fn verdict(&self) -> Option<Verdict> {
        self.review.map(|r| r.verdict)
    }
}

/// The review of one article.
#[derive(Clone, Debug)]
pub struct Review {
    /// The article.
    pub article: Article,
    /// The extractor's annotations, if any.
    pub extracted: Option<Extracted>,
    /// The working gold document.
    pub gold: Gold,
}

impl Review {
    /// A review from what is on disk (`gold` is `None` when the article was never reviewed).
    pub fn new(
        article: Article,
        extracted: Option<Extracted>,
        gold: Option<Gold>,
        analyst: &str,
    ) -> Review {
        let gold = gold.unwrap_or_else(|| Gold::new(&article.id, analyst));
        Review {
            article,
            extracted,
            gold,
        }
    }

    /// The state of field `name`.
    pub fn field(&self, name: &str) -> FieldState<'_> {
        FieldState {
            extracted: self.extracted.as_ref().and_then(|e| e.field(name)),
            review: self.gold.field(name),
        }
    }

    fn extracted_field(&self, name: &str) -> Option<&ExtractedField> {
        self.extracted.as_ref().and_then(|e| e.field(name))
    }

    /// Confirms field `name` as extracted (no extraction: confirms that there is none).
    pub fn confirm(&mut self, schema: &Schema, name: &str) {
        let (value, evidence) = match self.extracted_field(name) {
            Some(e) => (e.value.clone(), e.evidence.clone()),
            None => (Value::Null, None),
        };
        let note = self.gold.field(name).and_then(|r| r.note.clone());
        self.set(
            schema,
            name,
            FieldReview {
                value,
                verdict: Verdict::Confirmed,
                was: None,
                evidence,
                note,
                from_twin: None,
            },
        );
    }

    /// Rejects field `name`: the article has no such value.
    pub fn reject(&mut self, schema: &Schema, name: &str) {
        let was = self
            .extracted_field(name)
            .map(|e| e.value.clone())
            .filter(|v| !v.is_null());
        let note = self.gold.field(name).and_then(|r| r.note.clone());
        self.set(
            schema,
            name,
            FieldReview {
                value: Value::Null,
                verdict: Verdict::Rejected,
                was,
                evidence: None,
                note,
                from_twin: None,
            },
        );
    }

    /// Sets the value of field `name` to the analyst's: `corrected` if the extractor had a
    /// different one (which is kept in `was`), `added` if it had none, `confirmed` if it is
    /// the extracted one.
    pub fn set_value(&mut self, schema: &Schema, name: &str, value: Value) {
        let extracted = self.extracted_field(name).map(|e| e.value.clone());
        let had = extracted.as_ref().is_some_and(|v| !v.is_null());
        let verdict = if extracted.as_ref() == Some(&value) {
            Verdict::Confirmed
        } else if had {
            Verdict::Corrected
        } else {
            Verdict::Added
        };
        let previous = self.gold.field(name).cloned();
        let evidence = previous
            .as_ref()
            .and_then(|r| r.evidence.clone())
            .or_else(|| self.extracted_field(name).and_then(|e| e.evidence.clone()));
        self.set(
            schema,
            name,
            FieldReview {
                was: extracted.filter(|v| had && *v != value),
                value,
                verdict,
                evidence,
                note: previous.and_then(|r| r.note),
                from_twin: None,
            },
        );
    }

    /// Keeps `value`, offered from the review of twin article `twin`, as field `name`'s value
    /// (as [`Review::set_value`] does; a null value as a rejection of the extracted one, or as
    /// the confirmation that there is none), and records the twin in `from_twin`.
    pub fn keep_from_twin(&mut self, schema: &Schema, name: &str, value: Value, twin: &str) {
        if value.is_null() {
            if self
                .extracted_field(name)
                .is_some_and(|e| !e.value.is_null())
            {
                self.reject(schema, name);
            } else {
                self.confirm(schema, name);
            }
        } else {
            self.set_value(schema, name, value);
        }
        if let Some(mut r) = self.gold.field(name).cloned() {
            r.from_twin = Some(twin.to_string());
            self.set(schema, name, r);
        }
    }

    /// Sets the evidence of field `name` (reviewing it as extracted first if it was not).
    pub fn set_evidence(&mut self, schema: &Schema, name: &str, span: Span) {
        if self.gold.field(name).is_none() {
            self.confirm(schema, name);
        }
        if let Some(mut r) = self.gold.field(name).cloned() {
            r.evidence = Some(Evidence::Range(span));
            self.set(schema, name, r);
        }
    }

    /// Sets the analyst's note on field `name` (an empty note removes it), reviewing the field
    /// as extracted first if it was not.
    pub fn set_note(&mut self, schema: &Schema, name: &str, note: &str) {
        if self.gold.field(name).is_none() {
            self.confirm(schema, name);
        }
        if let Some(mut r) = self.gold.field(name).cloned() {
            let note = note.trim();
            r.note = (!note.is_empty()).then(|| note.to_string());
            self.set(schema, name, r);
        }
    }

    /// Restores field `name` to a review, or to not reviewed.
    pub fn restore(&mut self, schema: &Schema, name: &str, review: Option<FieldReview>) {
        self.gold.set_field(schema, name, review);
        self.touch();
    }

    /// Confirms every field not reviewed yet; returns how many.
    pub fn confirm_unreviewed(&mut self, schema: &Schema) -> usize {
        let names: Vec<String> = schema
            .fields
            .iter()
            .filter(|f| self.gold.field(&f.name).is_none())
            .map(|f| f.name.clone())
            .collect();
        for n in &names {
            self.confirm(schema, n);
        }
        names.len()
    }

    /// Required fields without a verdict: what stands between the article and `done`.
    pub fn missing_required(&self, schema: &Schema) -> Vec<String> {
        schema
            .fields
            .iter()
            .filter(|f| f.required && self.gold.field(&f.name).is_none())
            .map(|f| f.name.clone())
            .collect()
    }

    /// Marks the article done, if every required field has a verdict; else returns them.
    pub fn mark_done(&mut self, schema: &Schema) -> Result<(), Vec<String>> {
        let missing = self.missing_required(schema);
        if !missing.is_empty() {
            return Err(missing);
        }
        self.gold.status = Status::Done;
        Ok(())
    }

    /// Marks the article skipped.
    pub fn skip(&mut self) {
        self.gold.status = Status::Skipped;
    }

    /// Stamps the document for saving: when, which version of the article, and `seconds` more
    /// of active review time.
    pub fn stamp(&mut self, now: &str, seconds: u64) {
        self.gold.reviewed_at = Some(now.to_string());
        self.gold.article_sha256 = Some(self.article.sha256.clone());
        if seconds > 0 || self.gold.review_seconds.is_some() {
            let total = self
                .gold
                .review_seconds
                .unwrap_or(0)
                .saturating_add(seconds);
            self.gold.review_seconds =
                Some(total.min(crate::model::annotation::MAX_REVIEW_SECONDS));
        }
    }

    fn set(&mut self, schema: &Schema, name: &str, review: FieldReview) {
        self.gold.set_field(schema, name, Some(review));
        self.touch();
    }

    /// A field changed: a finished article being changed is in progress again only if it
    /// was never done; `done` stays `done` (the analyst is correcting a finished review).
    fn touch(&mut self) {
        if self.gold.status == Status::Skipped {
            self.gold.status = Status::InProgress;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::problem::Problems;

    fn schema() -> Schema {
        let doc: serde_yaml::Value = serde_yaml::from_str(
            "fields:\n\
             - {name: event_type, type: choice, values: [meeting, visit], required: true}\n\
             - {name: event_date, type: date, required: true}\n\
             - {name: location, type: list}\n",
        )
        .unwrap();
        Schema::from_yaml(&doc, &mut Problems::default()).unwrap()
    }

    fn review() -> Review {
        let s = schema();
        let doc: serde_yaml::Value = serde_yaml::from_str(
            "article: a\nfields:\n  event_type: {value: meeting, confidence: 0.9, evidence: زيارة}\n  event_date: {value: '2023-12-15', confidence: 0.4}\n",
        )
        .unwrap();
        let e = Extracted::from_yaml(&doc, &s, &mut Problems::default()).unwrap();
        Review::new(
            Article::from_bytes("a", "زيارة عمل".as_bytes()),
            Some(e),
            None,
            "amina",
        )
    }

    #[test]
    fn confirming_takes_the_extracted_value_and_evidence() {
        let s = schema();
        let mut r = review();
        assert!(r.field("event_type").review.is_none());
        r.confirm(&s, "event_type");
        let f = r.field("event_type").review.unwrap();
        assert_eq!(
            (f.verdict, &f.value),
            (Verdict::Confirmed, &Value::Text("meeting".into()))
        );
        assert_eq!(f.evidence, Some(Evidence::Quote("زيارة".into())));
        r.confirm(&s, "location");
        assert_eq!(r.field("location").review.unwrap().value, Value::Null);
    }

    #[test]
    fn rejecting_keeps_what_was_extracted() {
        let s = schema();
        let mut r = review();
        r.reject(&s, "event_date");
        let f = r.field("event_date").review.unwrap();
        assert_eq!(f.value, Value::Null);
        assert_eq!(f.was, Some(Value::Text("2023-12-15".into())));
        assert_eq!(f.verdict, Verdict::Rejected);
    }

    #[test]
    fn setting_a_value_chooses_the_verdict() {
        let s = schema();
        let mut r = review();
        r.set_value(&s, "event_date", Value::Text("2023-12-14".into()));
        let f = r.field("event_date").review.unwrap();
        assert_eq!(f.verdict, Verdict::Corrected);
        assert_eq!(f.was, Some(Value::Text("2023-12-15".into())));
        r.set_value(&s, "location", Value::List(vec!["الرباط".into()]));
        assert_eq!(r.field("location").review.unwrap().verdict, Verdict::Added);
        r.set_value(&s, "event_type", Value::Text("meeting".into()));
        let f = r.field("event_type").review.unwrap();
        assert_eq!((f.verdict, &f.was), (Verdict::Confirmed, &None));
    }

    #[test]
    fn done_needs_every_required_field() {
        let s = schema();
        let mut r = review();
        r.confirm(&s, "event_type");
        assert_eq!(r.mark_done(&s), Err(vec!["event_date".to_string()]));
        assert_eq!(r.confirm_unreviewed(&s), 2);
        assert_eq!(r.mark_done(&s), Ok(()));
        assert_eq!(r.gold.status, Status::Done);
        // Fields stay in schema order in the document.
        let names: Vec<_> = r.gold.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["event_type", "event_date", "location"]);
    }
}
