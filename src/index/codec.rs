//! The bytes the index stores for a corpus file: what reading it gave (the document, its
//! warnings, or why it is invalid), so that a file whose stat identity is unchanged is decoded
//! instead of parsed again.
//!
//! The format is private to the index and versioned by the index's format number: a change
//! here is a new format number there, never a migration. Any decode failure (unknown tag, bad
//! UTF-8, a length past the end, trailing bytes) means "not cached", and the file is read again;
//! so decoding never panics and never allocates more than its input could hold. Encoding gives
//! `None` where an exact round trip cannot be guaranteed, and the file is then not cached.
//!
//! Layout: little-endian, integers and lengths as LEB128 varints, strings as length and UTF-8
//! bytes, an optional string as `len + 1` (`0` for none). A diagnostic naming the file being
//! read is stored without its path, and decoded with the path the current run uses, so that
//! `./annotations` and `/abs/annotations` print their own.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde_yaml::Mapping;

use crate::model::{
    Evidence, Extracted, ExtractedField, FieldReview, Gold, Record, Severity, Span, Status, Value,
    Verdict,
};
use crate::store::Diagnostic;
use crate::store::yaml::{mapping_from_text, mapping_to_text};

/// A gold file as `Store::read_gold` reads it: the document, or why it is invalid.
pub type GoldReading = Result<Gold, Vec<Diagnostic>>;
/// An extracted file as `Store::load_extracted` reads it: the document and its warnings, or why it is invalid.
pub type ExtractedReading = Result<(Extracted, Vec<Diagnostic>), Vec<Diagnostic>>;

const OK: u8 = 0;
const ERR: u8 = 1;

/// Diagnostic flags: the path is the file's own (not stored); the severity is an error.
const OWN_PATH: u8 = 1;
const IS_ERROR: u8 = 2;

/// The encoding of a gold reading; `None` when it would not decode to the same reading.
pub fn encode_gold(r: &GoldReading, path: &Path) -> Option<Vec<u8>> {
    let mut w = Writer::with_capacity(256);
    match r {
        Ok(g) => {
            w.byte(OK);
            w.gold(g)?;
        }
        Err(d) => {
            w.byte(ERR);
            w.diagnostics(d, path);
        }
    }
    Some(w.0)
}

/// The gold reading `bytes` encode, with `path` for the file's own diagnostics; `None` for
/// anything [`encode_gold`] did not write.
pub fn decode_gold(bytes: &[u8], path: &Path) -> Option<GoldReading> {
    let mut r = Reader::new(bytes);
    let reading = match r.byte()? {
        OK => Ok(r.gold()?),
        ERR => Err(r.diagnostics(path)?),
        _ => return None,
    };
    r.finish(reading)
}

/// The encoding of an extracted reading; `None` when it would not decode to the same reading.
pub fn encode_extracted(r: &ExtractedReading, path: &Path) -> Option<Vec<u8>> {
    let mut w = Writer::with_capacity(256);
    match r {
        Ok((e, warnings)) => {
            w.byte(OK);
            w.extracted(e);
            w.diagnostics(warnings, path);
        }
        Err(d) => {
            w.byte(ERR);
            w.diagnostics(d, path);
        }
    }
    Some(w.0)
}

/// The extracted reading `bytes` encode, with `path` for the file's own diagnostics; `None`
/// for anything [`encode_extracted`] did not write.
pub fn decode_extracted(bytes: &[u8], path: &Path) -> Option<ExtractedReading> {
    let mut r = Reader::new(bytes);
    let reading = match r.byte()? {
        OK => {
            let e = r.extracted()?;
            Ok((e, r.diagnostics(path)?))
        }
        ERR => Err(r.diagnostics(path)?),
        _ => return None,
    };
    r.finish(reading)
}

/// The encoding of a list of diagnostics about the file at `path`.
pub fn encode_diagnostics(d: &[Diagnostic], path: &Path) -> Vec<u8> {
    let mut w = Writer::with_capacity(16 + 64 * d.len());
    w.diagnostics(d, path);
    w.0
}

/// The diagnostics `bytes` encode, with `path` for the file's own; `None` for anything
/// [`encode_diagnostics`] did not write.
pub fn decode_diagnostics(bytes: &[u8], path: &Path) -> Option<Vec<Diagnostic>> {
    let mut r = Reader::new(bytes);
    let d = r.diagnostics(path)?;
    r.finish(d)
}

/// Writes the format's primitives; other memos of the index (`agree`'s) are written with them
/// too.
pub(crate) struct Writer(Vec<u8>);

impl Writer {
    pub(crate) fn with_capacity(n: usize) -> Writer {
        Writer(Vec::with_capacity(n))
    }

    /// What was written.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    pub(crate) fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    /// Eight bytes, little-endian: for digests, which a varint would only lengthen.
    pub(crate) fn u64_fixed(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub(crate) fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    fn len(&mut self, n: usize) {
        self.varint(n as u64);
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.varint(0),
            Some(s) => {
                self.varint(s.len() as u64 + 1);
                self.0.extend_from_slice(s.as_bytes());
            }
        }
    }

    fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }

    /// An empty mapping is one byte and no YAML; any other is its text, if it reads back.
    fn mapping(&mut self, m: &Mapping) -> Option<()> {
        if m.is_empty() {
            self.varint(0);
        } else {
            self.opt_str(Some(&mapping_to_text(m)?));
        }
        Some(())
    }

    fn span(&mut self, s: Span) {
        self.varint(s.start.into());
        self.varint(s.end.into());
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.byte(0),
            Value::Text(s) => {
                self.byte(1);
                self.str(s);
            }
            Value::List(items) => {
                self.byte(2);
                self.strs(items);
            }
            Value::Records(records) => {
                self.byte(3);
                self.len(records.len());
                for Record(pairs) in records {
                    self.len(pairs.len());
                    for (k, v) in pairs {
                        self.str(k);
                        self.str(v);
                    }
                }
            }
            Value::Span(s) => {
                self.byte(4);
                self.span(*s);
            }
        }
    }

    fn evidence(&mut self, e: Option<&Evidence>) {
        match e {
            None => self.byte(0),
            Some(Evidence::Quote(q)) => {
                self.byte(1);
                self.str(q);
            }
            Some(Evidence::Range(s)) => {
                self.byte(2);
                self.span(*s);
            }
        }
    }

    fn gold(&mut self, g: &Gold) -> Option<()> {
        self.str(&g.article);
        self.str(&g.analyst);
        self.byte(match g.status {
            Status::InProgress => 0,
            Status::Done => 1,
            Status::Skipped => 2,
        });
        self.opt_str(g.reviewed_at.as_deref());
        self.opt_str(g.article_sha256.as_deref());
        match g.review_seconds {
            None => self.byte(0),
            Some(s) => {
                self.byte(1);
                self.varint(s);
            }
        }
        self.len(g.sources.len());
        for (field, who) in &g.sources {
            self.str(field);
            self.strs(who);
        }
        self.len(g.fields.len());
        for (name, f) in &g.fields {
            self.str(name);
            self.value(&f.value);
            self.byte(match f.verdict {
                Verdict::Confirmed => 0,
                Verdict::Corrected => 1,
                Verdict::Added => 2,
                Verdict::Rejected => 3,
            });
            match &f.was {
                None => self.byte(0),
                Some(v) => {
                    self.byte(1);
                    self.value(v);
                }
            }
            self.evidence(f.evidence.as_ref());
            self.opt_str(f.note.as_deref());
            self.opt_str(f.from_twin.as_deref());
        }
        self.mapping(&g.other_fields)?;
        self.mapping(&g.other_keys)
    }

    fn extracted(&mut self, e: &Extracted) {
        self.str(&e.article);
        self.opt_str(e.extractor.as_deref());
        self.opt_str(e.extracted_at.as_deref());
        self.len(e.fields.len());
        for (name, f) in &e.fields {
            self.str(name);
            self.value(&f.value);
            match f.confidence {
                None => self.byte(0),
                Some(c) => {
                    self.byte(1);
                    self.0.extend_from_slice(&c.to_bits().to_le_bytes());
                }
            }
            self.evidence(f.evidence.as_ref());
        }
    }

    fn diagnostics(&mut self, d: &[Diagnostic], path: &Path) {
        self.len(d.len());
        for d in d {
            let own = d.path.as_os_str() == path.as_os_str();
            let mut flags = 0;
            if own {
                flags |= OWN_PATH;
            }
            if d.severity == Severity::Error {
                flags |= IS_ERROR;
            }
            self.byte(flags);
            if !own {
                self.bytes(d.path.as_os_str().as_encoded_bytes());
            }
            self.len(d.line);
            self.len(d.col);
            self.str(&d.message);
        }
    }
}

/// Reads what [`Writer`] wrote; every length is checked against what is left, so damaged bytes
/// give `None`, never a panic nor a huge allocation.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    /// `value` if the whole input was read.
    pub(crate) fn finish<T>(&self, value: T) -> Option<T> {
        self.rest.is_empty().then_some(value)
    }

    pub(crate) fn u64_fixed(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// What [`Writer::bytes`] wrote.
    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.usize()?;
        self.take(n)
    }

    pub(crate) fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(b)
    }

    pub(crate) fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            // The tenth byte may only hold the 64th bit.
            if shift == 63 && bits > 1 {
                return None;
            }
            n |= bits << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.varint()?).ok()
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.varint()?).ok()
    }

    /// A count of items of at least `min_bytes` each: no more than what is left could hold.
    pub(crate) fn count(&mut self, min_bytes: usize) -> Option<usize> {
        let n = self.usize()?;
        (n <= self.rest.len() / min_bytes).then_some(n)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn text(&mut self, n: usize) -> Option<String> {
        let b = self.take(n)?;
        let s = if b.len() < 64 {
            std::str::from_utf8(b).ok()?
        } else {
            simdutf8::basic::from_utf8(b).ok()?
        };
        Some(s.to_owned())
    }

    fn str(&mut self) -> Option<String> {
        let n = self.usize()?;
        self.text(n)
    }

    pub(crate) fn opt_str(&mut self) -> Option<Option<String>> {
        match self.usize()? {
            0 => Some(None),
            n => self.text(n - 1).map(Some),
        }
    }

    fn strs(&mut self) -> Option<Vec<String>> {
        let n = self.count(1)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.str()?);
        }
        Some(v)
    }

    fn mapping(&mut self) -> Option<Mapping> {
        match self.opt_str()? {
            None => Some(Mapping::new()),
            // An empty mapping is written as none: any other writing of it was not ours.
            Some(text) => mapping_from_text(&text).filter(|m| !m.is_empty()),
        }
    }

    fn span(&mut self) -> Option<Span> {
        Some(Span {
            start: self.u32()?,
            end: self.u32()?,
        })
    }

    fn value(&mut self) -> Option<Value> {
        Some(match self.byte()? {
            0 => Value::Null,
            1 => Value::Text(self.str()?),
            2 => Value::List(self.strs()?),
            3 => {
                let n = self.count(1)?;
                let mut records = Vec::with_capacity(n);
                for _ in 0..n {
                    let m = self.count(2)?;
                    let mut pairs = Vec::with_capacity(m);
                    for _ in 0..m {
                        pairs.push((self.str()?, self.str()?));
                    }
                    records.push(Record(pairs));
                }
                Value::Records(records)
            }
            4 => Value::Span(self.span()?),
            _ => return None,
        })
    }

    fn evidence(&mut self) -> Option<Option<Evidence>> {
        Some(match self.byte()? {
            0 => None,
            1 => Some(Evidence::Quote(self.str()?)),
            2 => Some(Evidence::Range(self.span()?)),
            _ => return None,
        })
    }

    fn gold(&mut self) -> Option<Gold> {
        let article = self.str()?;
        let analyst = self.str()?;
        let status = match self.byte()? {
            0 => Status::InProgress,
            1 => Status::Done,
            2 => Status::Skipped,
            _ => return None,
        };
        let reviewed_at = self.opt_str()?;
        let article_sha256 = self.opt_str()?;
        let review_seconds = match self.byte()? {
            0 => None,
            1 => Some(self.varint()?),
            _ => return None,
        };
        let n = self.count(2)?;
        let mut sources = Vec::with_capacity(n);
        for _ in 0..n {
            sources.push((self.str()?, self.strs()?));
        }
        // A field is at least its name, value, verdict, `was`, evidence, note and twin.
        let n = self.count(7)?;
        let mut fields = Vec::with_capacity(n);
        for _ in 0..n {
            let name = self.str()?;
            let value = self.value()?;
            let verdict = match self.byte()? {
                0 => Verdict::Confirmed,
                1 => Verdict::Corrected,
                2 => Verdict::Added,
                3 => Verdict::Rejected,
                _ => return None,
            };
            let was = match self.byte()? {
                0 => None,
                1 => Some(self.value()?),
                _ => return None,
            };
            let evidence = self.evidence()?;
            let note = self.opt_str()?;
            let from_twin = self.opt_str()?;
            fields.push((
                name,
                FieldReview {
                    value,
                    verdict,
                    was,
                    evidence,
                    note,
                    from_twin,
                },
            ));
        }
        let other_fields = self.mapping()?;
        let other_keys = self.mapping()?;
        Some(Gold {
            article,
            analyst,
            status,
            reviewed_at,
            article_sha256,
            review_seconds,
            sources,
            fields,
            other_fields,
            other_keys,
        })
    }

    fn extracted(&mut self) -> Option<Extracted> {
        let article = self.str()?;
        let extractor = self.opt_str()?;
        let extracted_at = self.opt_str()?;
        // A field is at least its name, value, confidence and evidence.
        let n = self.count(4)?;
        let mut fields = Vec::with_capacity(n);
        for _ in 0..n {
            let name = self.str()?;
            let value = self.value()?;
            let confidence = match self.byte()? {
                0 => None,
                1 => Some(f64::from_bits(u64::from_le_bytes(
                    self.take(8)?.try_into().ok()?,
                ))),
                _ => return None,
            };
            let evidence = self.evidence()?;
            fields.push((
                name,
                ExtractedField {
                    value,
                    confidence,
                    evidence,
                },
            ));
        }
        Some(Extracted {
            article,
            extractor,
            extracted_at,
            fields,
        })
    }

    fn diagnostics(&mut self, path: &Path) -> Option<Vec<Diagnostic>> {
        // A diagnostic is at least its flags, line, column and message.
        let n = self.count(4)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let flags = self.byte()?;
            if flags & !(OWN_PATH | IS_ERROR) != 0 {
                return None;
            }
            let path = if flags & OWN_PATH != 0 {
                path.to_path_buf()
            } else {
                let n = self.usize()?;
                path_from_bytes(self.take(n)?)?
            };
            v.push(Diagnostic {
                path,
                line: self.usize()?,
                col: self.usize()?,
                severity: if flags & IS_ERROR != 0 {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message: self.str()?,
            });
        }
        Some(v)
    }
}

/// A path from the bytes `OsStr::as_encoded_bytes` gave: any bytes on Unix; elsewhere only
/// UTF-8 (another path is then not cached).
fn path_from_bytes(b: &[u8]) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(PathBuf::from(OsStr::from_bytes(b)))
    }
    #[cfg(not(unix))]
    {
        Some(PathBuf::from(OsStr::new(std::str::from_utf8(b).ok()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;
    use crate::store::{LoadError, Store};
    use proptest::prelude::*;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    fn gold_reading(store: &Store, analyst: &str, id: &str, schema: &Schema) -> GoldReading {
        match store.read_gold(analyst, id, schema) {
            Ok(g) => Ok(g.expect("listed")),
            Err(LoadError::Invalid(d)) => Err(d),
            Err(e) => panic!("{e}"),
        }
    }

    fn extracted_reading(store: &Store, id: &str, schema: &Schema) -> ExtractedReading {
        match store.load_extracted(id, schema) {
            Ok(l) => {
                let l = l.expect("listed");
                Ok((l.value, l.warnings))
            }
            Err(LoadError::Invalid(d)) => Err(d),
            Err(e) => panic!("{e}"),
        }
    }

    fn gold_round_trip(r: &GoldReading, path: &Path) -> Vec<u8> {
        let bytes = encode_gold(r, path).expect("encodable");
        assert_eq!(decode_gold(&bytes, path).as_ref(), Some(r));
        bytes
    }

    fn extracted_round_trip(r: &ExtractedReading, path: &Path) -> Vec<u8> {
        let bytes = encode_extracted(r, path).expect("encodable");
        assert_eq!(decode_extracted(&bytes, path).as_ref(), Some(r));
        bytes
    }

    /// Every gold and extracted file of the corpora in the repository: the samples, the
    /// agreement fixture and the `check` fixtures (some valid, some not).
    #[test]
    fn corpus_files_round_trip() {
        let corpora = [
            (root().join("samples"), root().join("annotations")),
            (
                root().join("samples"),
                root().join("tests/data/agree/annotations"),
            ),
            (
                root().join("samples"),
                root().join("tests/check/types/annotations"),
            ),
            (
                root().join("samples"),
                root().join("tests/check/syntax/annotations"),
            ),
            (
                root().join("samples"),
                root().join("tests/check/article/annotations"),
            ),
            (
                root().join("samples"),
                root().join("tests/check/hostile/annotations"),
            ),
        ];
        let (mut golds, mut extracted, mut invalid) = (0, 0, 0);
        for (articles, annotations) in corpora {
            let store = Store::new(articles, annotations);
            let Ok(schema) = store.load_schema() else {
                continue;
            };
            let schema = schema.value;
            for id in store.list_extracted().unwrap_or_default() {
                let r = extracted_reading(&store, &id, &schema);
                invalid += usize::from(r.is_err());
                extracted_round_trip(&r, &store.extracted_path(&id));
                extracted += 1;
            }
            for analyst in store.list_analysts().unwrap_or_default() {
                for id in store.list_gold(&analyst).unwrap() {
                    let r = gold_reading(&store, &analyst, &id, &schema);
                    invalid += usize::from(r.is_err());
                    gold_round_trip(&r, &store.gold_path(&analyst, &id));
                    golds += 1;
                }
            }
        }
        assert!(
            golds >= 20 && extracted >= 5,
            "{golds} gold, {extracted} extracted"
        );
        assert!(invalid > 0, "no invalid file was read");
    }

    #[test]
    fn sizes_of_a_sample_gold_file() {
        let store = Store::new(
            root().join("samples"),
            root().join("tests/data/agree/annotations"),
        );
        let schema = store.load_schema().unwrap().value;
        for (analyst, id) in [("_adjudicated", "a1"), ("amina", "a2")] {
            let path = store.gold_path(analyst, id);
            let r = gold_reading(&store, analyst, id, &schema);
            let bytes = gold_round_trip(&r, &path);
            let yaml = std::fs::metadata(&path).unwrap().len();
            eprintln!(
                "{analyst}/{id}: {yaml} bytes of YAML, {} encoded",
                bytes.len()
            );
            assert!((bytes.len() as u64) < yaml);
        }
    }

    fn diagnostics(own: &Path) -> Vec<Diagnostic> {
        vec![
            Diagnostic {
                path: own.to_path_buf(),
                line: 3,
                col: 14,
                severity: Severity::Error,
                message: "`countries` must be a list".into(),
            },
            Diagnostic::file(own, Severity::Warning, "المقال تغيّر منذ المراجعة"),
            Diagnostic {
                path: PathBuf::from("annotations/schema.yaml"),
                line: 1_000_000,
                col: 1,
                severity: Severity::Error,
                message: String::new(),
            },
        ]
    }

    #[test]
    fn invalid_readings_round_trip_with_the_current_path() {
        let then = Path::new("./annotations/gold/amina/a1.yaml");
        let now = Path::new("/abs/annotations/gold/amina/a1.yaml");
        let d = diagnostics(then);
        let moved = |d: &[Diagnostic]| -> Vec<Diagnostic> {
            d.iter()
                .cloned()
                .map(|mut x| {
                    if x.path == then {
                        x.path = now.to_path_buf();
                    }
                    x
                })
                .collect()
        };

        let bytes = encode_diagnostics(&d, then);
        assert_eq!(decode_diagnostics(&bytes, then), Some(d.clone()));
        let back = decode_diagnostics(&bytes, now).unwrap();
        assert_eq!(back, moved(&d));
        assert_eq!(back[2].path, Path::new("annotations/schema.yaml"));
        // The file's own path is not stored.
        assert!(!bytes.windows(5).any(|w| w == b"amina"));

        let g: GoldReading = Err(d.clone());
        let bytes = gold_round_trip(&g, then);
        assert_eq!(decode_gold(&bytes, now), Some(Err(moved(&d))));

        let e: ExtractedReading = Err(d.clone());
        let bytes = extracted_round_trip(&e, then);
        assert_eq!(decode_extracted(&bytes, now), Some(Err(moved(&d))));

        let store = Store::new(root().join("samples"), root().join("annotations"));
        let schema = store.load_schema().unwrap().value;
        let (doc, _) = extracted_reading(&store, "000_f130585a628a6cea", &schema).unwrap();
        let e: ExtractedReading = Ok((doc.clone(), d.clone()));
        let bytes = extracted_round_trip(&e, then);
        assert_eq!(decode_extracted(&bytes, now), Some(Ok((doc, moved(&d)))));
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_round_trips() {
        use std::os::unix::ffi::OsStrExt;
        let other = PathBuf::from(OsStr::from_bytes(b"gold/\xff\xfe.yaml"));
        let d = vec![Diagnostic::file(&other, Severity::Error, "x")];
        let bytes = encode_diagnostics(&d, Path::new("a.yaml"));
        assert_eq!(decode_diagnostics(&bytes, Path::new("b.yaml")), Some(d));
    }

    #[test]
    fn unknown_keys_and_fields_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("articles"), dir.path().join("annotations"));
        std::fs::create_dir_all(store.gold_dir("amina")).unwrap();
        std::fs::write(
            store.schema_path(),
            "fields:\n- {name: event_type, type: choice, values: [meeting, visit]}\n",
        )
        .unwrap();
        let schema = store.load_schema().unwrap().value;
        std::fs::write(
            store.gold_path("amina", "a"),
            "article: a\nanalyst: amina\nstatus: done\nlegacy: {x: [1, 2.5, true, null]}\n\
             ملاحظة: نص\nfields:\n  event_type: {value: visit, verdict: confirmed}\n  \
             old_field: {value: '2023-12-15', verdict: added}\n",
        )
        .unwrap();
        let path = store.gold_path("amina", "a");
        // Unknown keys are errors for `read_gold`; `from_yaml` keeps them, as the editor does.
        let text = std::fs::read(&path).unwrap();
        let parsed = crate::store::yaml::parse(&path, text).unwrap();
        let mut problems = crate::model::Problems::default();
        let gold = Gold::from_yaml(&parsed.doc, &schema, &mut problems).unwrap();
        assert_eq!(gold.other_keys.len(), 2);
        assert_eq!(gold.other_fields.len(), 1);
        let empty = gold_round_trip(&Ok(Gold::new("a", "amina")), &path);
        let full = gold_round_trip(&Ok(gold), &path);
        assert!(full.len() > empty.len() + 20);
        // An empty mapping costs one byte each.
        assert_eq!(empty.len(), 1 + 2 + 6 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1);

        let r = gold_reading(&store, "amina", "a", &schema);
        assert!(r.is_err());
        gold_round_trip(&r, &path);
    }

    #[test]
    fn mappings_that_do_not_read_back_are_not_encoded() {
        let mut g = Gold::new("a", "amina");
        g.other_keys.insert(
            serde_yaml::Value::String("x".into()),
            serde_yaml::Value::Number(f64::NAN.into()),
        );
        // Whatever the YAML crate makes of NaN, what is encoded decodes to what was read.
        if let Some(bytes) = encode_gold(&Ok(g.clone()), Path::new("a.yaml")) {
            assert_eq!(decode_gold(&bytes, Path::new("a.yaml")), Some(Ok(g)));
        }
    }

    #[test]
    fn odd_inputs_are_refused() {
        let p = Path::new("a.yaml");
        let good = encode_gold(&Ok(Gold::new("a", "amina")), p).unwrap();
        assert!(decode_gold(&good, p).is_some());
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(decode_gold(&trailing, p), None);
        let mut tag = good.clone();
        tag[0] = 7;
        assert_eq!(decode_gold(&tag, p), None);
        // A count of 2^63 items in a few bytes allocates nothing.
        let mut huge = vec![ERR];
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        assert_eq!(decode_gold(&huge, p), None);
        // An overlong varint (more than 64 bits) is refused.
        let mut long = vec![ERR];
        long.extend_from_slice(&[0xff; 10]);
        long.push(0);
        assert_eq!(decode_gold(&long, p), None);
        // Bad UTF-8 in a string.
        assert_eq!(decode_gold(&[OK, 1, 0xff], p), None);
        assert_eq!(decode_diagnostics(&[], p), None);
        assert_eq!(decode_diagnostics(&[0], p), Some(vec![]));
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z_0-9]{0,12}",
            "[\u{0600}-\u{06FF} ]{0,24}",
            ".{0,16}",
            Just(String::new()),
        ]
    }

    fn span() -> impl Strategy<Value = Span> {
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| Span {
            start: a.min(b),
            end: a.max(b),
        })
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            text().prop_map(Value::Text),
            prop::collection::vec(text(), 0..4).prop_map(Value::List),
            prop::collection::vec(
                prop::collection::vec((text(), text()), 0..3).prop_map(Record),
                0..3
            )
            .prop_map(Value::Records),
            span().prop_map(Value::Span),
        ]
    }

    fn evidence() -> impl Strategy<Value = Option<Evidence>> {
        prop_oneof![
            Just(None),
            text().prop_map(|q| Some(Evidence::Quote(q))),
            span().prop_map(|s| Some(Evidence::Range(s))),
        ]
    }

    fn review() -> impl Strategy<Value = FieldReview> {
        (
            value(),
            prop::sample::select(Verdict::ALL.map(|(v, _)| v).to_vec()),
            prop::option::of(value()),
            evidence(),
            prop::option::of(text()),
            prop::option::of(text()),
        )
            .prop_map(
                |(value, verdict, was, evidence, note, from_twin)| FieldReview {
                    value,
                    verdict,
                    was,
                    evidence,
                    note,
                    from_twin,
                },
            )
    }

    fn mapping() -> impl Strategy<Value = Mapping> {
        prop_oneof![
            3 => Just(Mapping::new()),
            1 => prop::collection::vec(("[a-z]{1,8}", text()), 1..3).prop_map(|kv| {
                kv.into_iter()
                    .map(|(k, v)| (serde_yaml::Value::String(k), serde_yaml::Value::String(v)))
                    .collect()
            }),
        ]
    }

    fn gold() -> impl Strategy<Value = Gold> {
        (
            (text(), text()),
            prop::sample::select(Status::ALL.map(|(s, _)| s).to_vec()),
            prop::option::of(text()),
            (
                prop::option::of("[0-9a-f]{64}"),
                prop::option::of(0..=crate::model::annotation::MAX_REVIEW_SECONDS),
            ),
            prop::collection::vec((text(), prop::collection::vec(text(), 0..3)), 0..3),
            prop::collection::vec((text(), review()), 0..6),
            mapping(),
            mapping(),
        )
            .prop_map(
                |(
                    (article, analyst),
                    status,
                    reviewed_at,
                    (article_sha256, review_seconds),
                    sources,
                    fields,
                    other_fields,
                    other_keys,
                )| Gold {
                    article,
                    analyst,
                    status,
                    reviewed_at,
                    article_sha256,
                    review_seconds,
                    sources,
                    fields,
                    other_fields,
                    other_keys,
                },
            )
    }

    fn confidence() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            Just(None),
            (0.0..=1.0f64).prop_map(Some),
            any::<f64>().prop_map(Some),
            Just(Some(f64::NAN)),
            Just(Some(f64::INFINITY)),
            Just(Some(-0.0)),
        ]
    }

    fn extracted() -> impl Strategy<Value = Extracted> {
        (
            text(),
            prop::option::of(text()),
            prop::option::of(text()),
            prop::collection::vec((text(), value(), confidence(), evidence()), 0..6),
        )
            .prop_map(|(article, extractor, extracted_at, fields)| Extracted {
                article,
                extractor,
                extracted_at,
                fields: fields
                    .into_iter()
                    .map(|(n, value, confidence, evidence)| {
                        (
                            n,
                            ExtractedField {
                                value,
                                confidence,
                                evidence,
                            },
                        )
                    })
                    .collect(),
            })
    }

    fn diagnostic() -> impl Strategy<Value = Diagnostic> {
        (
            prop_oneof![Just("a.yaml".to_string()), text()],
            any::<usize>(),
            any::<usize>(),
            any::<bool>(),
            text(),
        )
            .prop_map(|(path, line, col, error, message)| Diagnostic {
                path: PathBuf::from(path),
                line,
                col,
                severity: if error {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message,
            })
    }

    /// Bit-exact equality of confidences (NaN included), the rest by `==`.
    fn same_extracted(a: &Extracted, b: &Extracted) -> bool {
        a.article == b.article
            && a.extractor == b.extractor
            && a.extracted_at == b.extracted_at
            && a.fields.len() == b.fields.len()
            && a.fields.iter().zip(&b.fields).all(|((na, fa), (nb, fb))| {
                na == nb
                    && fa.value == fb.value
                    && fa.evidence == fb.evidence
                    && fa.confidence.map(f64::to_bits) == fb.confidence.map(f64::to_bits)
            })
    }

    /// Every strict prefix of `bytes` decodes to nothing.
    fn prefixes_refused<T>(bytes: &[u8], decode: impl Fn(&[u8]) -> Option<T>) {
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_none(), "prefix of {n} bytes decoded");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let p = Path::new("a.yaml");
            let _ = decode_gold(&bytes, p);
            let _ = decode_extracted(&bytes, p);
            let _ = decode_diagnostics(&bytes, p);
        }

        #[test]
        fn golds_round_trip(g in gold(), d in prop::collection::vec(diagnostic(), 0..3)) {
            let p = Path::new("a.yaml");
            for r in [Ok(g), Err(d)] {
                // A mapping the YAML crate cannot give back is not encoded; the rest always is.
                let Some(bytes) = encode_gold(&r, p) else {
                    let g = r.as_ref().unwrap();
                    prop_assert!(!g.other_fields.is_empty() || !g.other_keys.is_empty());
                    continue;
                };
                prop_assert_eq!(decode_gold(&bytes, p), Some(r));
                prefixes_refused(&bytes, |b| decode_gold(b, p));
            }
        }

        #[test]
        fn extracted_round_trip_bit_exact(
            e in extracted(),
            w in prop::collection::vec(diagnostic(), 0..3),
        ) {
            let p = Path::new("a.yaml");
            let r: ExtractedReading = Ok((e.clone(), w.clone()));
            let bytes = encode_extracted(&r, p).unwrap();
            let Some(Ok((e2, w2))) = decode_extracted(&bytes, p) else {
                panic!("did not decode");
            };
            prop_assert!(same_extracted(&e, &e2), "{:?} != {:?}", e, e2);
            prop_assert_eq!(&w, &w2);
            prefixes_refused(&bytes, |b| decode_extracted(b, p));

            let bytes = encode_diagnostics(&w, p);
            prop_assert_eq!(decode_diagnostics(&bytes, p), Some(w));
            prefixes_refused(&bytes, |b| decode_diagnostics(b, p));
        }
    }

    /// `cargo test --release --lib codec -- --ignored --nocapture`
    #[test]
    #[ignore = "a timing, for release builds"]
    fn decode_time() {
        let store = Store::new(
            root().join("samples"),
            root().join("tests/data/agree/annotations"),
        );
        let schema = store.load_schema().unwrap().value;
        let path = store.gold_path("amina", "a2");
        let r = gold_reading(&store, "amina", "a2", &schema);
        let bytes = encode_gold(&r, &path).unwrap();
        let n = 10_000;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(decode_gold(std::hint::black_box(&bytes), &path));
        }
        let each = t.elapsed() / n;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(store.read_gold("amina", "a2", &schema).unwrap());
        }
        let parse = t.elapsed() / n;
        eprintln!(
            "{} bytes: decode {each:?} per file; read and parse {parse:?}",
            bytes.len()
        );
    }
}
