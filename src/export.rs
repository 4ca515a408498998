//! `tadqiq export`: the gold set in the formats the next tools read — JSONL for notebooks and
//! training, CSV for spreadsheets, a YAML stream for archiving.
//!
//! The export streams: the sorted list of (article, analyst) pairs is cut into chunks, each
//! chunk's files are read, validated and rendered in parallel, and the chunks are written in
//! order. Memory holds one chunk, whatever the corpus size, and two runs give the same bytes.
//! A gold file that does not load stops the export, and nothing is written, to `--out` or to
//! stdout ([`export_whole`]), unless the caller asked to skip invalid files.
//!
//! What is written is safe where it goes: CSV cells a spreadsheet would evaluate are quoted as
//! text ([`spreadsheet_cell`]), CSV shown on a terminal has its controls made visible, and JSON
//! escapes every control and bidi char ([`crate::text::sanitize::JsonEscapes`]).

use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::index::Reader;
use crate::model::{
    Article, Evidence, Extracted, FieldReview, Gold, Schema, Severity, Status, Value,
};
use crate::store::{ADJUDICATED, Diagnostic, LoadError, Store, atomic::AtomicFile};
use crate::text::sanitize::sanitize_inline;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per gold file.
    Jsonl,
    /// Comma-separated values (RFC 4180).
    Csv,
    /// One YAML document per gold file.
    Yaml,
}

/// How CSV rows are cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvLayout {
    /// One row per reviewed field.
    Long,
    /// One row per gold file, one column per field.
    Wide,
}

/// Which gold files by status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    /// Only this status.
    Only(Status),
    /// Every status.
    Any,
}

/// What to export and how.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The format.
    pub format: Format,
    /// Only these analysts (empty: every analyst but the adjudicated set).
    pub analysts: Vec<String>,
    /// The adjudicated set instead of the analysts.
    pub adjudicated: bool,
    /// Which statuses.
    pub status: StatusFilter,
    /// Add the article text and the evidence texts (JSONL).
    pub with_text: bool,
    /// Start a CSV with a UTF-8 byte order mark, for spreadsheet programs.
    pub bom: bool,
    /// CSV layout.
    pub layout: CsvLayout,
    /// Export the valid files and report the others, instead of stopping at the first.
    pub skip_invalid: bool,
    /// CSV cells exactly as they are, formulas included ([`spreadsheet_cell`] not applied).
    pub raw_cells: bool,
    /// The output is a terminal: CSV cells and YAML lines are shown through [`sanitize_inline`],
    /// so no escape sequence nor bidi control reaches it.
    pub terminal: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            format: Format::Jsonl,
            analysts: Vec::new(),
            adjudicated: false,
            status: StatusFilter::Only(Status::Done),
            with_text: false,
            bom: false,
            layout: CsvLayout::Long,
            skip_invalid: false,
            raw_cells: false,
            terminal: false,
        }
    }
}

/// What an export did.
#[derive(Debug, Default)]
pub struct ExportSummary {
    /// Gold files written.
    pub exported: usize,
    /// Gold files left out by their status.
    pub filtered: usize,
    /// Problems of the files skipped (with `skip_invalid`).
    pub skipped: Vec<Diagnostic>,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Files that do not load, or articles missing for `--with-text`.
    #[error("{} invalid file(s)", .0.len())]
    Invalid(Vec<Diagnostic>),
    /// Reading a folder or writing the output failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Pairs read and rendered at once: enough work for every core between two waits for the
/// slowest file, and a few MiB of output held.
const CHUNK: usize = 512;

/// The (article, analyst) pairs to export, sorted by article then analyst. Kept compact (an
/// id and an analyst's number, about 32 bytes a pair): the list grows with the gold set, and
/// it is all an export holds besides the chunk being written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Units {
    /// The analysts, sorted.
    analysts: Vec<String>,
    /// Article id and index into `analysts`, sorted.
    pairs: Vec<(Box<str>, u16)>,
}

impl Units {
    /// How many pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|p| self.pair(p))
    }

    fn pair<'a>(&'a self, (id, a): &'a (Box<str>, u16)) -> (&'a str, &'a str) {
        (id, &self.analysts[usize::from(*a)])
    }
}

/// The (article, analyst) pairs to export.
pub fn units(store: &Store, options: &ExportOptions) -> io::Result<Units> {
    let mut analysts: Vec<String> = if options.adjudicated {
        vec![ADJUDICATED.to_string()]
    } else if options.analysts.is_empty() {
        store
            .list_analysts()?
            .into_iter()
            .filter(|a| a != ADJUDICATED)
            .collect()
    } else {
        options.analysts.clone()
    };
    analysts.sort();
    analysts.dedup();
    if analysts.len() > usize::from(u16::MAX) {
        return Err(io::Error::other("more than 65 535 analysts"));
    }
    let mut pairs = Vec::new();
    for (i, a) in analysts.iter().enumerate() {
        let ids = match store.list_gold(a) {
            Ok(ids) => ids,
            // An adjudicated set that does not exist yet is an empty one.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        pairs.extend(ids.into_iter().map(|id| (id.into_boxed_str(), i as u16)));
    }
    // Analysts are numbered in name order: sorting by number sorts by name.
    pairs.sort_unstable();
    pairs.shrink_to_fit();
    Ok(Units { analysts, pairs })
}

/// Writes the export of `units` to `out`; `progress` is told how many pairs are done.
pub fn export(
    reader: &Reader,
    schema: &Schema,
    options: &ExportOptions,
    units: &Units,
    out: &mut dyn Write,
    progress: &dyn Fn(usize),
) -> Result<ExportSummary, ExportError> {
    let mut summary = ExportSummary::default();
    match options.format {
        Format::Csv => {
            if options.bom {
                out.write_all("\u{feff}".as_bytes())?;
            }
            let mut w = csv::Writer::from_writer(Vec::new());
            match options.layout {
                CsvLayout::Long => write_cells(&mut w, options, LONG_HEADER),
                CsvLayout::Wide => {
                    let mut header = vec!["article", "analyst", "status"];
                    header.extend(schema.fields.iter().map(|f| f.name.as_str()));
                    write_cells(&mut w, options, header)
                }
            }
            .map_err(csv_error)?;
            out.write_all(&w.into_inner().map_err(|e| e.into_error())?)?;
        }
        Format::Jsonl | Format::Yaml => {}
    }
    // Chunks are rendered on the worker threads while this thread writes the one before:
    // the output keeps its order and writing never stops the parsing.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Rendered>)>(2);
        scope.spawn(move || {
            for chunk in units.pairs.chunks(CHUNK) {
                let rendered: Vec<Rendered> = chunk
                    .par_iter()
                    .map(|p| {
                        let (id, analyst) = units.pair(p);
                        render(reader, schema, options, id, analyst)
                    })
                    .collect();
                if tx.send((chunk.len(), rendered)).is_err() {
                    break; // the writer stopped
                }
            }
        });
        let mut done = 0;
        for (n, rendered) in rx {
            for r in rendered {
                match r {
                    Ok(Some(bytes)) => {
                        out.write_all(&bytes)?;
                        summary.exported += 1;
                    }
                    Ok(None) => summary.filtered += 1,
                    Err(problems) if options.skip_invalid => summary.skipped.extend(problems),
                    Err(problems) => return Err(ExportError::Invalid(problems)),
                }
            }
            done += n;
            progress(done);
        }
        out.flush()?;
        Ok(summary)
    })
}

/// One gold file rendered, or left out (`None`), or why it could not be.
type Rendered = Result<Option<Vec<u8>>, Vec<Diagnostic>>;

/// Writes the export of `units` to `out` only once every file is known to be valid: without
/// `skip_invalid`, the export goes to an unnamed temporary file first and is copied to `out`
/// when it is complete, so a failed export writes nothing at all (a pipe or a redirected stdout
/// cannot be taken back). With `skip_invalid` an invalid file cannot stop the export, and it
/// streams to `out` directly.
pub fn export_whole(
    reader: &Reader,
    schema: &Schema,
    options: &ExportOptions,
    units: &Units,
    out: &mut dyn Write,
    progress: &dyn Fn(usize),
) -> Result<ExportSummary, ExportError> {
    if options.skip_invalid {
        return export(reader, schema, options, units, out, progress);
    }
    use std::io::Seek;
    let mut spool = io::BufWriter::new(tempfile::tempfile()?);
    let summary = export(reader, schema, options, units, &mut spool, progress)?;
    let mut spool = spool.into_inner().map_err(|e| e.into_error())?;
    spool.rewind()?;
    io::copy(&mut spool, out)?;
    out.flush()?;
    Ok(summary)
}

/// Exports to a file, atomically: the file appears whole, or not at all when the export
/// fails. For the review screen's export of the analyst's own work.
pub fn export_to_file(
    reader: &Reader,
    schema: &Schema,
    options: &ExportOptions,
    path: &Path,
) -> Result<ExportSummary, ExportError> {
    let store = reader.store();
    let units = units(store, options)?;
    // A name tadqiq chose: only a regular file (or none) is replaced there; a link or a FIFO
    // planted in its place is refused rather than followed or waited on.
    crate::store::refuse_link(path).map_err(|e| {
        ExportError::Io(io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    })?;
    let mut file = AtomicFile::create(path)?;
    let summary = export(reader, schema, options, &units, &mut file, &|_| {})?;
    file.commit()?;
    Ok(summary)
}

/// The long CSV layout's columns.
pub const LONG_HEADER: [&str; 10] = [
    "article",
    "analyst",
    "field",
    "value",
    "verdict",
    "was",
    "confidence",
    "evidence_start",
    "evidence_end",
    "note",
];

fn diagnostics(e: LoadError) -> Vec<Diagnostic> {
    match e {
        LoadError::Invalid(d) => d.into_iter().filter(Diagnostic::is_error).collect(),
        LoadError::Io { path, source } => vec![Diagnostic::file(
            &path,
            Severity::Error,
            format!("cannot read: {source}"),
        )],
    }
}

/// One gold file rendered in the export's format; `None` when its status is not wanted.
fn render(
    reader: &Reader,
    schema: &Schema,
    options: &ExportOptions,
    id: &str,
    analyst: &str,
) -> Result<Option<Vec<u8>>, Vec<Diagnostic>> {
    let store = reader.store();
    let gold = match reader.read_gold(analyst, id, schema) {
        Ok(Some(g)) => g,
        // Gone since the listing: nothing to export.
        Ok(None) => return Ok(None),
        Err(e) => return Err(diagnostics(e)),
    };
    if let StatusFilter::Only(s) = options.status
        && gold.status != s
    {
        return Ok(None);
    }
    let needs_article = options.with_text
        || (options.format == Format::Csv
            && gold
                .fields
                .iter()
                .any(|(_, f)| matches!(f.evidence, Some(Evidence::Quote(_)))));
    let article = if needs_article {
        match store.read_article(id) {
            Ok(a) => Some(a),
            Err(e) if options.with_text => return Err(diagnostics(e)),
            Err(_) => None,
        }
    } else {
        None
    };
    let mut out = Vec::with_capacity(2048);
    match options.format {
        Format::Jsonl => {
            let record = JsonRecord {
                gold: &gold,
                article: article.as_ref().filter(|_| options.with_text),
            };
            crate::text::sanitize::write_json(&mut out, &record).map_err(|e| {
                vec![Diagnostic::file(
                    &store.gold_path(analyst, id),
                    Severity::Error,
                    e.to_string(),
                )]
            })?;
            out.push(b'\n');
        }
        Format::Yaml => {
            out.extend_from_slice(b"---\n");
            let text = crate::store::yaml::to_string(&gold.to_yaml());
            let text = text.strip_prefix("---\n").unwrap_or(&text);
            if options.terminal {
                // The YAML writer escapes controls but not bidi controls: shown, not obeyed.
                for line in text.lines() {
                    out.extend_from_slice(sanitize_inline(line).as_bytes());
                    out.push(b'\n');
                }
            } else {
                out.extend_from_slice(text.as_bytes());
            }
        }
        Format::Csv => {
            // Confidence comes from the extractor's file; a broken one only loses it.
            let extracted = reader.read_extracted(id, schema).ok().flatten();
            let mut w = csv::Writer::from_writer(out);
            let result = match options.layout {
                CsvLayout::Long => {
                    long_rows(&mut w, options, &gold, extracted.as_ref(), article.as_ref())
                }
                CsvLayout::Wide => wide_row(&mut w, options, &gold, schema),
            };
            let path = store.gold_path(analyst, id);
            let fail = |e: String| vec![Diagnostic::file(&path, Severity::Error, e)];
            result.map_err(|e| fail(e.to_string()))?;
            out = w.into_inner().map_err(|e| fail(e.to_string()))?;
        }
    }
    Ok(Some(out))
}

fn csv_error(e: csv::Error) -> ExportError {
    ExportError::Io(io::Error::other(e.to_string()))
}

/// A value as one CSV cell: text as it is, list items joined with ` | `, records as compact
/// JSON, a span as `{"start":…,"end":…}`, none as an empty cell.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Text(s) => s.clone(),
        Value::List(items) => items.join(" | "),
        Value::Records(_) | Value::Span(_) => {
            serde_json::to_string(&JsonValue(v)).unwrap_or_default()
        }
    }
}

/// Whether a spreadsheet would read `cell` as a formula: it starts with `=`, `+`, `-` or `@`,
/// or with a tab or a carriage return (which some programs skip before looking for one).
pub fn is_formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as a spreadsheet program will take it as text, never as a formula (OWASP's advice
/// on CSV injection): a cell that [`is_formula_like`] gets a leading `'`, which the program
/// shows as the text and does not evaluate. Every text cell is treated alike, a value like
/// `-3` included (it reads back as the text `'-3`); `--raw-cells` turns this off.
pub fn spreadsheet_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// One CSV record as the options want its cells: safe for a terminal when the output is one,
/// and safe for a spreadsheet unless raw cells were asked for.
fn write_cells<W: Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    options: &ExportOptions,
    cells: impl IntoIterator<Item = S>,
) -> csv::Result<()> {
    w.write_record(cells.into_iter().map(|cell| {
        let cell = cell.as_ref();
        let shown = if options.terminal {
            sanitize_inline(cell)
        } else {
            cell.into()
        };
        if options.raw_cells {
            shown.into_owned()
        } else {
            spreadsheet_cell(&shown).into_owned()
        }
    }))
}

fn long_rows<W: Write>(
    w: &mut csv::Writer<W>,
    options: &ExportOptions,
    gold: &Gold,
    extracted: Option<&Extracted>,
    article: Option<&Article>,
) -> csv::Result<()> {
    for (name, f) in &gold.fields {
        let confidence = extracted
            .and_then(|e| e.field(name))
            .and_then(|e| e.confidence)
            .map_or(String::new(), |c| c.to_string());
        let span = f.evidence.as_ref().and_then(|e| match e {
            Evidence::Range(s) => Some(*s),
            Evidence::Quote(_) => article.and_then(|a| a.resolve(e)),
        });
        write_cells(
            w,
            options,
            [
                gold.article.as_str(),
                gold.analyst.as_str(),
                name,
                &cell(&f.value),
                f.verdict.name(),
                &f.was.as_ref().map(cell).unwrap_or_default(),
                &confidence,
                &span.map_or(String::new(), |s| s.start.to_string()),
                &span.map_or(String::new(), |s| s.end.to_string()),
                f.note.as_deref().unwrap_or(""),
            ],
        )?;
    }
    Ok(())
}

fn wide_row<W: Write>(
    w: &mut csv::Writer<W>,
    options: &ExportOptions,
    gold: &Gold,
    schema: &Schema,
) -> csv::Result<()> {
    let mut row = vec![
        gold.article.clone(),
        gold.analyst.clone(),
        gold.status.name().to_string(),
    ];
    row.extend(schema.fields.iter().map(|def| {
        gold.field(&def.name)
            .map(|f| cell(&f.value))
            .unwrap_or_default()
    }));
    write_cells(w, options, row)
}

/// A value as JSON with the YAML's types: null, a string, a list, records as objects with
/// their sub-fields in schema order, a span as `{start, end}`.
pub struct JsonValue<'a>(pub &'a Value);

impl Serialize for JsonValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Text(t) => s.serialize_str(t),
            Value::List(items) => items.serialize(s),
            Value::Records(records) => {
                let mut seq = s.serialize_seq(Some(records.len()))?;
                for r in records {
                    seq.serialize_element(&Ordered(&r.0))?;
                }
                seq.end()
            }
            Value::Span(span) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("start", &span.start)?;
                m.serialize_entry("end", &span.end)?;
                m.end()
            }
        }
    }
}

/// Key–value pairs as a JSON object, in their order.
struct Ordered<'a>(&'a [(String, String)]);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One gold file as a JSONL record.
struct JsonRecord<'a> {
    gold: &'a Gold,
    article: Option<&'a Article>,
}

impl Serialize for JsonRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.gold;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("article", &g.article)?;
        m.serialize_entry("analyst", &g.analyst)?;
        m.serialize_entry("status", g.status.name())?;
        m.serialize_entry("reviewed_at", &g.reviewed_at)?;
        m.serialize_entry("article_sha256", &g.article_sha256)?;
        if let Some(seconds) = g.review_seconds {
            m.serialize_entry("review_seconds", &seconds)?;
        }
        if !g.sources.is_empty() {
            m.serialize_entry("sources", &Sources(&g.sources))?;
        }
        if let Some(a) = self.article {
            m.serialize_entry("text", &a.text)?;
        }
        m.serialize_entry(
            "fields",
            &JsonFields {
                fields: &g.fields,
                article: self.article,
            },
        )?;
        m.end()
    }
}

struct Sources<'a>(&'a [(String, Vec<String>)]);

impl Serialize for Sources<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

struct JsonFields<'a> {
    fields: &'a [(String, FieldReview)],
    article: Option<&'a Article>,
}

impl Serialize for JsonFields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.fields.len()))?;
        for (name, f) in self.fields {
            m.serialize_entry(
                name,
                &JsonField {
                    f,
                    article: self.article,
                },
            )?;
        }
        m.end()
    }
}

struct JsonField<'a> {
    f: &'a FieldReview,
    article: Option<&'a Article>,
}

impl Serialize for JsonField<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.f;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("value", &JsonValue(&f.value))?;
        m.serialize_entry("verdict", f.verdict.name())?;
        if let Some(was) = &f.was {
            m.serialize_entry("was", &JsonValue(was))?;
        }
        if let Some(e) = &f.evidence {
            match e {
                Evidence::Quote(q) => m.serialize_entry("evidence", q)?,
                Evidence::Range(span) => {
                    m.serialize_entry("evidence", &JsonValue(&Value::Span(*span)))?
                }
            }
            if let Some(a) = self.article
                && let Some(text) = a.resolve(e).and_then(|span| a.slice(span))
            {
                m.serialize_entry("evidence_text", text)?;
            }
        }
        if let Some(n) = &f.note {
            m.serialize_entry("note", n)?;
        }
        if let Some(t) = &f.from_twin {
            m.serialize_entry("from_twin", t)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_quoted_as_text() {
        for formula in [
            "=1+1",
            "+33 6",
            "-3",
            "@SUM(A1)",
            "\tx",
            "\r=1",
            "=HYPERLINK(\"h\")",
        ] {
            assert!(is_formula_like(formula));
            assert_eq!(spreadsheet_cell(formula), format!("'{formula}"));
        }
        for text in ["الرباط", "1-2", "a=b", "", " =1", "'=1", "3"] {
            assert_eq!(spreadsheet_cell(text), text);
        }
    }

    #[test]
    fn cells_follow_the_csv_conventions() {
        assert_eq!(cell(&Value::Null), "");
        assert_eq!(cell(&Value::Text("الرباط".into())), "الرباط");
        assert_eq!(cell(&Value::List(vec!["a".into(), "ب".into()])), "a | ب");
        let r = Value::Records(vec![Record(vec![
            ("name".into(), "حموشي".into()),
            ("role".into(), "مدير".into()),
        ])]);
        assert_eq!(cell(&r), r#"[{"name":"حموشي","role":"مدير"}]"#);
        assert_eq!(
            cell(&Value::Span(crate::model::Span { start: 3, end: 9 })),
            r#"{"start":3,"end":9}"#
        );
    }
}
