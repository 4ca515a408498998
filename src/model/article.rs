//! An article: its id, its text as read from the file, and the fingerprint of its bytes.
//!
//! Offsets into an article (evidence ranges, `body_span`) count Unicode scalar values, as
//! Python's `str` does, so that the extractor's and the analysts' scripts agree with tadqiq.

use sha2::{Digest, Sha256};
use unicode_segmentation::UnicodeSegmentation;

use super::value::{Evidence, Span};
use crate::text::sanitize::{DecodeWarning, decode};

/// One article of the corpus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    /// The id: the file stem.
    pub id: String,
    /// The text (invalid UTF-8 replaced by U+FFFD).
    pub text: String,
    /// SHA-256 of the file's bytes, in hex: what gold files remember as `article_sha256`.
    pub sha256: String,
    /// Set when the file was not valid UTF-8.
    pub decode_warning: Option<DecodeWarning>,
    chars: u32,
}

impl Article {
    /// An article from its file's bytes.
    pub fn from_bytes(id: &str, bytes: &[u8]) -> Article {
        let (text, decode_warning) = decode(bytes);
        let text = text.into_owned();
        Article {
            id: id.to_string(),
            chars: text.chars().count() as u32,
            text,
            sha256: sha256_hex(bytes),
            decode_warning,
        }
    }

    /// Length in Unicode scalar values.
    pub fn char_len(&self) -> u32 {
        self.chars
    }

    /// Byte offset of char offset `offset` (clamped to the end).
    fn byte_of(&self, offset: u32) -> usize {
        self.text
            .char_indices()
            .nth(offset as usize)
            .map_or(self.text.len(), |(b, _)| b)
    }

    /// The text of a span, if it lies within the article.
    pub fn slice(&self, span: Span) -> Option<&str> {
        if span.end > self.chars || span.start > span.end {
            return None;
        }
        let start = self.byte_of(span.start);
        let end = start
            + self.text[start..]
                .char_indices()
                .nth(span.len() as usize)
                .map_or(self.text.len() - start, |(b, _)| b);
        Some(&self.text[start..end])
    }

    /// Where a quote first occurs, as a span.
    pub fn find(&self, quote: &str) -> Option<Span> {
        if quote.is_empty() {
            return None;
        }
        let byte = self.text.find(quote)?;
        let start = self.text[..byte].chars().count() as u32;
        Some(Span {
            start,
            end: start + quote.chars().count() as u32,
        })
    }

    /// The span evidence points at; `None` for a quote that is not in the article or a range
    /// that is outside it.
    pub fn resolve(&self, evidence: &Evidence) -> Option<Span> {
        match evidence {
            Evidence::Quote(q) => self.find(q),
            Evidence::Range(s) => (s.end <= self.chars).then_some(*s),
        }
    }

    /// Whether a char offset falls between two grapheme clusters (not between a letter and
    /// its haraka): a range that cuts a cluster cuts a letter from its mark.
    pub fn is_cluster_boundary(&self, offset: u32) -> bool {
        if offset == 0 || offset >= self.chars {
            return offset <= self.chars;
        }
        let byte = self.byte_of(offset);
        let mut cursor = unicode_segmentation::GraphemeCursor::new(byte, self.text.len(), true);
        cursor.is_boundary(&self.text, 0).unwrap_or(true)
    }

    /// The whole text's grapheme clusters, as char offsets of their starts: for checks of many
    /// spans at once.
    pub fn cluster_starts(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut offset = 0u32;
        for g in self.text.graphemes(true) {
            out.push(offset);
            offset += g.chars().count() as u32;
        }
        out
    }
}

impl Article {
    /// What is wrong with a piece of evidence for this article, if anything.
    pub fn evidence_problem(&self, evidence: &Evidence) -> Option<String> {
        match evidence {
            Evidence::Quote(q) => self
                .find(q)
                .is_none()
                .then(|| format!("the quote «{}» is not in the article", shorten(q, 60))),
            Evidence::Range(s) => self.span_problem(*s),
        }
    }

    /// What is wrong with a range of this article, if anything: outside the text, or cutting a
    /// letter from its mark.
    pub fn span_problem(&self, span: Span) -> Option<String> {
        if span.end > self.chars {
            return Some(format!(
                "range {span} is outside the article ({} characters)",
                self.chars
            ));
        }
        for (what, offset) in [("start", span.start), ("end", span.end)] {
            if !self.is_cluster_boundary(offset) {
                return Some(format!(
                    "range {span}: {what} {offset} cuts a character from its mark"
                ));
            }
        }
        None
    }
}

/// What the pipeline knew about an article besides its text (`<id>.meta.yaml`, written by
/// `tadqiq import articles`): shown on the review screen, never needed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArticleMeta {
    /// The id as the pipeline gave it, when the file name differs.
    pub id: Option<String>,
    /// Where it was published.
    pub url: Option<String>,
    /// The outlet.
    pub outlet: Option<String>,
    /// The publication date, as given.
    pub published_at: Option<String>,
}

impl ArticleMeta {
    /// Reads the keys it knows from a YAML mapping; anything else is ignored (the file is a
    /// courtesy, not a contract).
    pub fn from_yaml(doc: &serde_yaml::Value) -> ArticleMeta {
        let get = |k: &str| match doc.get(k) {
            Some(serde_yaml::Value::String(s)) => Some(s.clone()),
            Some(serde_yaml::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        ArticleMeta {
            id: get("id"),
            url: get("url"),
            outlet: get("outlet"),
            published_at: get("published_at"),
        }
    }
}

/// The keys of a `.meta.yaml` and whether each is well formed: `published_at` must be a
/// real date ([`check_published_at`]). `import` refuses a record that breaks this and
/// `check` reports a file that does, with the same function.
pub fn meta_problems(doc: &serde_yaml::Value, problems: &mut super::Problems) {
    let root = super::YamlPath::root();
    match doc.get("published_at") {
        None | Some(serde_yaml::Value::Null) => {}
        Some(serde_yaml::Value::String(s)) => {
            if let Err(m) = check_published_at(s) {
                problems.error(&root.key("published_at"), m);
            }
        }
        Some(other) => problems.error(
            &root.key("published_at"),
            format!(
                "`published_at` must be a date such as 2023-12-15, found {}",
                super::read::describe(other)
            ),
        ),
    }
}

/// Checks a publication date: an ISO 8601 calendar date `YYYY-MM-DD` (a real day), a month
/// `YYYY-MM`, or a date and time (`2023-12-15T08:30:00Z`, `2023-12-15 08:30`, with or without
/// an offset) on a real day at a real time.
pub fn check_published_at(s: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "`{s}` is not a date: write YYYY-MM-DD, or a date and time such as \
             2023-12-15T08:30:00Z"
        )
    };
    let shaped = |b: &[u8]| {
        b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
    };
    if s.len() <= 10 {
        // A date's shape with a wrong day or month says which; any other text, what to write.
        return if matches!(s.len(), 7 | 10) && shaped(s.as_bytes()) {
            super::check_date(s)
        } else {
            Err(bad())
        };
    }
    let Some((day, time)) = s.split_at_checked(10) else {
        return Err(bad());
    };
    if !shaped(day.as_bytes()) || !time.starts_with(['T', 't', ' ']) {
        return Err(bad());
    }
    // A date and time on a day that does not exist: say it is the day.
    super::check_date(day)?;
    let ok = s.parse::<jiff::Timestamp>().is_ok() || s.parse::<jiff::civil::DateTime>().is_ok();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not a time of that day: write for example 2023-12-15T08:30:00Z"
        ))
    }
}

/// At most `n` chars of `s`, with an ellipsis when cut.
pub fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n).collect();
        out.push('…');
        out
    }
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_dates_are_real_days_and_times() {
        for ok in [
            "2023-12-15",
            "2023-12",
            "2024-02-29",
            "2023-12-15T08:30:00Z",
            "2023-12-15T08:30:00+01:00",
            "2023-12-15 08:30",
            "2023-12-15T08:30:00.123",
        ] {
            assert_eq!(check_published_at(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            check_published_at("2023-02-30"),
            Err("`2023-02-30` is not a day of the calendar".into())
        );
        assert_eq!(
            check_published_at("2023-02-30T08:00:00Z"),
            Err("`2023-02-30` is not a day of the calendar".into())
        );
        for bad in [
            "15/12/2023",
            "2023-13",
            "2023-12-15T25:00:00Z",
            "2023-12-15x",
            "الخميس 24 سبتمبر",
            "الخميس 24",
            "2023-12-١٥T08:00",
            "",
        ] {
            assert!(check_published_at(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn meta_files_with_a_bad_date_have_a_problem() {
        let problems = |yaml: &str| {
            let doc: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
            let mut p = super::super::Problems::default();
            meta_problems(&doc, &mut p);
            p.0.into_iter().map(|p| p.message).collect::<Vec<_>>()
        };
        assert!(problems("url: x\npublished_at: '2023-12-15'\n").is_empty());
        assert!(problems("url: x\n").is_empty());
        assert_eq!(
            problems("published_at: 2023-02-30\n"),
            ["`2023-02-30` is not a day of the calendar"]
        );
        assert_eq!(problems("published_at: [1]\n").len(), 1);
    }

    #[test]
    fn offsets_count_scalar_values() {
        let a = Article::from_bytes("x", "استقبل حموشي، بمدينة الرباط".as_bytes());
        let span = a.find("الرباط").unwrap();
        assert_eq!(span, Span { start: 21, end: 27 });
        assert_eq!(a.slice(span), Some("الرباط"));
        assert_eq!(a.resolve(&Evidence::Quote("باريس".into())), None);
        assert_eq!(
            a.resolve(&Evidence::Range(Span { start: 0, end: 99 })),
            None
        );
        assert_eq!(a.slice(Span { start: 0, end: 6 }), Some("استقبل"));
        assert_eq!(a.char_len(), 27);
    }

    #[test]
    fn cluster_boundaries_keep_marks_with_letters() {
        let a = Article::from_bytes("x", "بَاب".as_bytes());
        assert!(a.is_cluster_boundary(0));
        assert!(!a.is_cluster_boundary(1), "between beh and its fatha");
        assert!(a.is_cluster_boundary(2));
        assert!(a.is_cluster_boundary(4));
        assert!(!a.is_cluster_boundary(5));
        assert_eq!(a.cluster_starts(), [0, 2, 3]);
    }

    #[test]
    fn evidence_problems_name_the_fault() {
        let a = Article::from_bytes("x", "بَاب مفتوح".as_bytes());
        assert_eq!(a.evidence_problem(&Evidence::Quote("مفتوح".into())), None);
        assert!(
            a.evidence_problem(&Evidence::Quote("مغلق".into()))
                .unwrap()
                .contains("not in the article")
        );
        assert!(
            a.span_problem(Span { start: 0, end: 99 })
                .unwrap()
                .contains("outside")
        );
        assert!(
            a.span_problem(Span { start: 1, end: 4 })
                .unwrap()
                .contains("start 1 cuts")
        );
        assert_eq!(a.span_problem(Span { start: 0, end: 4 }), None);
    }

    #[test]
    fn fingerprint_is_of_the_bytes() {
        let a = Article::from_bytes("x", b"abc");
        assert_eq!(
            a.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
