//! Reading an import file one record at a time: a JSON object per line (JSONL), or a CSV row
//! under a header. Either way a record is a JSON object, a CSV row's values being strings.
//!
//! Input is untrusted: a line that is not JSON, not an object, not UTF-8, or longer than
//! [`MAX_LINE_BYTES`] is a record with a problem, never a panic, and reading goes on with the
//! next line. A UTF-8 byte order mark and CRLF line ends are accepted.
//!
//! CSV rows are split here rather than by the `csv` crate, which reads a quote that is never
//! closed as a value running to the end of the file: every later row would become one article,
//! held whole in memory. Here a row is bounded like a JSONL line, and a quote still open at the
//! end of the file is a problem reported where it was opened. Within those bounds rows are read
//! as the `csv` crate reads them (RFC 4180, `""` for a quote inside a quoted value).

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use serde_json::{Map, Value as Json};

/// The longest line (JSONL) read: an article is at most 64 MiB, and a line with no end in
/// sight must not take all memory. Longer lines are skipped and reported.
pub const MAX_LINE_BYTES: u64 = 80 << 20;

/// The layout of an import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    Jsonl,
    /// Comma-separated values with a header row (`.csv`).
    Csv,
}

impl Format {
    /// The format a file name's extension says, if it says one.
    pub fn of_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// One record of an import file.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The line it starts on, from 1 (for a CSV quote never closed, the line of that quote).
    pub line: u64,
    /// The column, in characters from 1, when a problem has one (the quote never closed).
    pub col: Option<u64>,
    /// Its keys and values, or what is wrong with it.
    pub fields: Result<Map<String, Json>, String>,
}

/// Counts the bytes read through it, for the progress bar.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

enum Inner<R: Read> {
    Jsonl {
        reader: BufReader<Counting<R>>,
        line: u64,
        buf: Vec<u8>,
    },
    Csv {
        rows: CsvRows<BufReader<Counting<R>>>,
        headers: Vec<String>,
    },
}

/// The records of an import file, in order.
pub struct Records<R: Read> {
    inner: Inner<R>,
    read: Rc<Cell<u64>>,
    done: bool,
}

impl<R: Read> Records<R> {
    /// Starts reading `input` as `format`. For CSV the header is read now: an unreadable
    /// header is an error (there is nothing to import without it).
    pub fn new(input: R, format: Format) -> Result<Records<R>, HeaderError> {
        let read = Rc::new(Cell::new(0));
        let counting = Counting {
            inner: input,
            read: Rc::clone(&read),
        };
        let inner = match format {
            Format::Jsonl => Inner::Jsonl {
                reader: BufReader::with_capacity(1 << 16, counting),
                line: 0,
                buf: Vec::new(),
            },
            Format::Csv => {
                let mut rows = CsvRows::new(BufReader::with_capacity(1 << 16, counting));
                let header = loop {
                    match rows
                        .next_row()
                        .map_err(|e| HeaderError::Io(e.to_string()))?
                    {
                        None => break Vec::new(),
                        Some(row) if row.is_blank() => continue,
                        Some(row) => break row.values.map_err(HeaderError::Row)?,
                    }
                };
                let headers = header
                    .iter()
                    .enumerate()
                    .map(|(i, h)| {
                        let h = String::from_utf8_lossy(h);
                        let h = if i == 0 {
                            h.trim_start_matches('\u{feff}')
                        } else {
                            &h
                        };
                        h.trim().to_string()
                    })
                    .collect();
                Inner::Csv { rows, headers }
            }
        };
        Ok(Records {
            inner,
            read,
            done: false,
        })
    }

    /// The CSV header's column names (empty for JSONL).
    pub fn columns(&self) -> &[String] {
        match &self.inner {
            Inner::Csv { headers, .. } => headers,
            Inner::Jsonl { .. } => &[],
        }
    }

    /// Bytes of the input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read.get()
    }
}

impl<R: Read> Iterator for Records<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<io::Result<Record>> {
        if self.done {
            return None;
        }
        let next = match &mut self.inner {
            Inner::Jsonl { reader, line, buf } => next_line(reader, line, buf),
            Inner::Csv { rows, headers } => next_row(rows, headers),
        };
        match next {
            Ok(None) => {
                self.done = true;
                None
            }
            Ok(Some(r)) => Some(Ok(r)),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

fn next_line<R: BufRead>(
    reader: &mut R,
    line: &mut u64,
    buf: &mut Vec<u8>,
) -> io::Result<Option<Record>> {
    loop {
        buf.clear();
        let n = reader
            .by_ref()
            .take(MAX_LINE_BYTES)
            .read_until(b'\n', buf)?;
        if n == 0 {
            return Ok(None);
        }
        *line += 1;
        if !buf.ends_with(b"\n") && n as u64 == MAX_LINE_BYTES {
            // Skip the rest of the line without keeping it.
            loop {
                let chunk = reader.fill_buf()?;
                if chunk.is_empty() {
                    break;
                }
                if let Some(i) = chunk.iter().position(|&b| b == b'\n') {
                    reader.consume(i + 1);
                    break;
                }
                let len = chunk.len();
                reader.consume(len);
            }
            buf.clear();
            return Ok(Some(Record {
                line: *line,
                col: None,
                fields: Err(format!(
                    "line longer than {} MiB: skipped",
                    MAX_LINE_BYTES >> 20
                )),
            }));
        }
        let mut bytes = buf.as_slice();
        if *line == 1 {
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        let trimmed = bytes.trim_ascii();
        if trimmed.is_empty() {
            // Blank lines (a trailing newline, a separator) hold no record.
            continue;
        }
        let fields = match serde_json::from_slice::<Json>(trimmed) {
            Ok(Json::Object(m)) => Ok(m),
            Ok(other) => Err(format!("expected a JSON object, found {}", kind(&other))),
            Err(e) => Err(format!("not JSON: {e}")),
        };
        return Ok(Some(Record {
            line: *line,
            col: None,
            fields,
        }));
    }
}

fn next_row<R: BufRead>(rows: &mut CsvRows<R>, headers: &[String]) -> io::Result<Option<Record>> {
    loop {
        let Some(row) = rows.next_row()? else {
            return Ok(None);
        };
        if row.is_blank() {
            continue;
        }
        let values = match row.values {
            Ok(v) => v,
            Err(problem) => {
                let (line, col) = problem.at(row.line);
                return Ok(Some(Record {
                    line,
                    col,
                    fields: Err(problem.to_string()),
                }));
            }
        };
        let mut fields = Map::new();
        let mut problem = None;
        if values.len() != headers.len() {
            let lines = if row.last_line > row.line {
                format!(
                    " (the row runs to line {}: is a quote not closed?)",
                    row.last_line
                )
            } else {
                String::new()
            };
            problem = Some(format!(
                "{} values for {} columns{lines}",
                values.len(),
                headers.len()
            ));
        }
        for (i, value) in values.into_iter().enumerate() {
            match String::from_utf8(value) {
                Ok(v) => {
                    if let Some(h) = headers.get(i) {
                        fields.insert(h.clone(), Json::String(v));
                    }
                }
                Err(_) => {
                    problem.get_or_insert_with(|| {
                        format!(
                            "column `{}` is not UTF-8",
                            headers.get(i).map_or("?", String::as_str)
                        )
                    });
                }
            }
        }
        return Ok(Some(Record {
            line: row.line,
            col: None,
            fields: problem.map_or(Ok(fields), Err),
        }));
    }
}

/// Why the CSV header could not be read.
#[derive(Debug)]
pub enum HeaderError {
    /// Reading the input failed.
    Io(String),
    /// The header row itself is broken.
    Row(RowProblem),
}

/// What makes a CSV row unreadable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowProblem {
    /// The row is longer than [`MAX_LINE_BYTES`] (its quotes all closed): skipped.
    TooLong(u64),
    /// A quoted value opened at `line`, `col` is still open at the end of the file: the rest
    /// of the file would be that one value.
    Unclosed {
        /// The line of the opening quote, from 1.
        line: u64,
        /// Its column in characters, from 1.
        col: u64,
        /// The file's last line.
        last_line: u64,
    },
    /// A quoted value is followed by text before the next `,` or line end (`"a"b`): the sign
    /// of a quote left open, closed by the next quote of the file however far down.
    TextAfterQuote {
        /// Line and column of the value's opening quote.
        opened: (u64, u64),
        /// Line and column of the quote that closed it.
        closed: (u64, u64),
        /// The row's first and last lines.
        rows: (u64, u64),
    },
}

impl RowProblem {
    /// Where to report it: the opening quote, or the row's first line.
    pub fn at(&self, row_line: u64) -> (u64, Option<u64>) {
        match *self {
            RowProblem::TooLong(_) => (row_line, None),
            RowProblem::Unclosed { line, col, .. } => (line, Some(col)),
            RowProblem::TextAfterQuote { opened, .. } => (opened.0, Some(opened.1)),
        }
    }
}

impl RowProblem {
    /// Whether rows cannot be told apart from here on: the quotes do not pair up.
    pub fn misplaced_quote(&self) -> bool {
        !matches!(self, RowProblem::TooLong(_))
    }

    /// What is wrong, without what became of the rows.
    fn what(&self) -> String {
        match *self {
            RowProblem::TooLong(max) if max >= 1 << 20 => {
                format!("row longer than {} MiB", max >> 20)
            }
            RowProblem::TooLong(max) => format!("row longer than {max} bytes"),
            RowProblem::Unclosed {
                line, last_line, ..
            } if last_line > line => format!(
                "unterminated quote opened here: it runs to the end of the file (line \
                 {last_line})"
            ),
            RowProblem::Unclosed { .. } => {
                "unterminated quote opened here: it runs to the end of the file".into()
            }
            RowProblem::TextAfterQuote { opened, closed, .. } if closed.0 == opened.0 => format!(
                "the value quoted here is followed by text after its closing quote (column {}; \
                 a quote inside a quoted value is written \"\")",
                closed.1
            ),
            RowProblem::TextAfterQuote { closed, .. } => format!(
                "the quote opened here is closed on line {}, column {}, and followed by text \
                 (a quote left open? a quote inside a quoted value is written \"\")",
                closed.0, closed.1
            ),
        }
    }

    /// The message when the file's other rows are not imported either.
    pub fn nothing_imported(&self) -> String {
        format!(
            "{}: nothing was imported from this file, whose rows cannot be told apart until \
             its quotes pair up",
            self.what()
        )
    }
}

/// The message when the other rows are imported.
impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = self.what();
        match *self {
            RowProblem::TooLong(_) => write!(f, "{what}: skipped"),
            RowProblem::Unclosed {
                line, last_line, ..
            } if last_line > line => write!(
                f,
                "{what}, so this row and the {} lines after it were not imported",
                last_line - line
            ),
            RowProblem::Unclosed { .. } => write!(f, "{what}, so this row was not imported"),
            RowProblem::TextAfterQuote {
                rows: (first, last),
                ..
            } if last > first => write!(
                f,
                "{what}: lines {first}–{last} were read as one row, not imported"
            ),
            RowProblem::TextAfterQuote { .. } => write!(f, "{what}: the row was not imported"),
        }
    }
}

/// What a first reading of a CSV file found: how many records it holds and where its quotes
/// do not pair up ([`RowProblem::misplaced_quote`]), its header aside.
#[derive(Debug, Default)]
pub struct QuoteScan {
    /// Records (rows that are not blank), the header aside.
    pub records: u64,
    /// The first misplaced quotes: where, and what.
    pub problems: Vec<(u64, Option<u64>, RowProblem)>,
    /// How many more there were.
    pub more: u64,
}

/// The most misplaced quotes a [`QuoteScan`] lists.
const MAX_LISTED: usize = 100;

/// Reads a whole CSV file to find where its quotes do not pair up, keeping no row longer than
/// 64 KiB: in constant memory, before anything is imported from it.
pub fn scan_quotes<R: BufRead>(reader: R) -> io::Result<QuoteScan> {
    let mut rows = CsvRows::with_limit(reader, 1 << 16);
    let mut scan = QuoteScan::default();
    let mut header = true;
    while let Some(row) = rows.next_row()? {
        if row.is_blank() {
            continue;
        }
        if std::mem::take(&mut header) {
            // Reported by `Records::new`, which stops the import.
            continue;
        }
        scan.records += 1;
        if let Err(p) = row.values
            && p.misplaced_quote()
        {
            if scan.problems.len() < MAX_LISTED {
                let (line, col) = p.at(row.line);
                scan.problems.push((line, col, p));
            } else {
                scan.more += 1;
            }
        }
    }
    Ok(scan)
}

/// One CSV row as split: its first line and its values (bytes, the `\r` of a CRLF line end
/// taken off the last one), or what makes it unreadable.
#[derive(Debug)]
pub struct Row {
    /// The line it starts on, from 1.
    pub line: u64,
    /// The line it ends on (a quoted value may hold line breaks).
    pub last_line: u64,
    /// Its values.
    pub values: Result<Vec<Vec<u8>>, RowProblem>,
}

impl Row {
    /// A line with nothing on it but blanks: no record.
    fn is_blank(&self) -> bool {
        matches!(&self.values, Ok(v) if v.len() == 1 && v[0].trim_ascii().is_empty())
    }
}

/// Where the CSV reader is within a row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// At the start of a value: a `"` here opens a quoted value.
    Start,
    /// In a value that is not quoted (a `"` here is a plain character).
    Plain,
    /// In a quoted value: `,` and line ends are part of it.
    Quoted,
    /// Just after a `"` in a quoted value: `"` again is a quote, anything else closes it.
    QuoteInQuoted,
}

/// Splits CSV (`,` between values, `"` around them, `""` for a quote inside one, rows ending
/// at `\n`) into rows, each bounded by [`MAX_LINE_BYTES`], counting lines and columns so that
/// a quote never closed is reported where it was opened.
pub struct CsvRows<R> {
    reader: R,
    /// The line of the next byte, from 1.
    line: u64,
    /// The column of the next character, from 1.
    col: u64,
    /// Whether the start of the input (and a byte order mark) is still to be read.
    at_start: bool,
    /// The longest row kept, in bytes.
    max: u64,
}

impl<R: BufRead> CsvRows<R> {
    /// Rows of `reader`, from its start.
    pub fn new(reader: R) -> CsvRows<R> {
        CsvRows::with_limit(reader, MAX_LINE_BYTES)
    }

    /// Rows of `reader`, each at most `max` bytes long.
    pub fn with_limit(reader: R, max: u64) -> CsvRows<R> {
        CsvRows {
            reader,
            line: 1,
            col: 1,
            at_start: true,
            max,
        }
    }

    /// The next row, `None` at the end of the input. A row longer than [`MAX_LINE_BYTES`] is
    /// read to its end without being kept; a quote open at the end of the input makes the
    /// last row an [`RowProblem::Unclosed`].
    pub fn next_row(&mut self) -> io::Result<Option<Row>> {
        if self.at_start {
            self.at_start = false;
            if self.reader.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
                self.reader.consume(3);
            }
        }
        let first_line = self.line;
        let mut values: Vec<Vec<u8>> = Vec::new();
        let mut value: Vec<u8> = Vec::new();
        let mut at = At::Start;
        let mut size: u64 = 0;
        let mut too_long = false;
        // Where the last quoted value opened and closed, and the first one followed by text.
        let mut quote = (0, 0);
        let mut closed = (0, 0);
        let mut text_after: Option<((u64, u64), (u64, u64))> = None;
        let mut started = false;
        loop {
            let buf = self.reader.fill_buf()?;
            let eof = buf.is_empty();
            if eof && !started {
                return Ok(None);
            }
            started = true;
            let mut used = 0;
            let mut ended = eof;
            while used < buf.len() {
                // Inside a value, the bytes up to the next one that may end it go in whole.
                if matches!(at, At::Quoted | At::Plain) {
                    let rest = &buf[used..];
                    let n = if at == At::Quoted {
                        rest.iter().position(|&b| b == b'"' || b == b'\n')
                    } else {
                        rest.iter().position(|&b| b == b',' || b == b'\n')
                    }
                    .unwrap_or(rest.len());
                    if n > 0 {
                        let run = &rest[..n];
                        self.col += run.iter().filter(|&&b| b & 0xc0 != 0x80).count() as u64;
                        size += n as u64;
                        if size > self.max && !too_long {
                            too_long = true;
                            values = Vec::new();
                            value = Vec::new();
                        }
                        if !too_long {
                            value.extend_from_slice(run);
                        }
                        used += n;
                        continue;
                    }
                }
                let b = buf[used];
                used += 1;
                let (line, col) = (self.line, self.col);
                if b == b'\n' {
                    self.line += 1;
                    self.col = 1;
                } else if b & 0xc0 != 0x80 {
                    self.col += 1;
                }
                // What the byte does: `Some(b)` is kept in the value.
                let keep = match (at, b) {
                    (At::Start, b'"') => {
                        at = At::Quoted;
                        quote = (line, col);
                        None
                    }
                    (At::Quoted, b'"') => {
                        at = At::QuoteInQuoted;
                        closed = (line, col);
                        None
                    }
                    (At::QuoteInQuoted, b'"') => {
                        at = At::Quoted;
                        Some(b'"')
                    }
                    (At::Quoted, b) => Some(b),
                    (_, b',') => {
                        if !too_long {
                            values.push(std::mem::take(&mut value));
                        }
                        at = At::Start;
                        None
                    }
                    (_, b'\n') => {
                        ended = true;
                        break;
                    }
                    (At::QuoteInQuoted, b) => {
                        // `"a"b`: the csv crate reads `ab`, but this is how a quote left open
                        // further up shows, the next quote in the file closing it.
                        if b != b'\r' {
                            text_after.get_or_insert((quote, closed));
                        }
                        at = At::Plain;
                        Some(b)
                    }
                    (_, b) => {
                        at = At::Plain;
                        Some(b)
                    }
                };
                size += 1;
                if size > self.max && !too_long {
                    too_long = true;
                    values = Vec::new();
                    value = Vec::new();
                }
                if let (Some(b), false) = (keep, too_long) {
                    value.push(b);
                }
            }
            self.reader.consume(used);
            if ended {
                // The row's last line: the one its `\n` ends, or the file's last.
                let last_line = self.line - u64::from(self.col == 1);
                let values = if eof && at == At::Quoted {
                    Err(RowProblem::Unclosed {
                        line: quote.0,
                        col: quote.1,
                        last_line,
                    })
                } else if let Some((opened, closed)) = text_after {
                    Err(RowProblem::TextAfterQuote {
                        opened,
                        closed,
                        rows: (first_line, last_line),
                    })
                } else if too_long {
                    Err(RowProblem::TooLong(self.max))
                } else {
                    values.push(value);
                    Ok(values)
                };
                return Ok(Some(Row {
                    line: first_line,
                    last_line,
                    values: values.map(strip_cr),
                }));
            }
        }
    }
}

/// Takes the `\r` of a CRLF line end off a row's last value.
fn strip_cr(mut values: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    if let Some(last) = values.last_mut()
        && last.last() == Some(&b'\r')
    {
        last.pop();
    }
    values
}

/// What a JSON value is, for a message.
pub fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str, format: Format) -> Vec<(u64, Result<String, String>)> {
        Records::new(input.as_bytes(), format)
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                (r.line, r.fields.map(|m| Json::Object(m).to_string()))
            })
            .collect()
    }

    #[test]
    fn jsonl_lines_with_bom_crlf_blank_and_broken_lines() {
        let got = read(
            "\u{feff}{\"id\": \"a\"}\r\n\r\n{\"id\": \"ب\"}\n{broken\n[1]\n{\"id\": 3}",
            Format::Jsonl,
        );
        assert_eq!(got[0], (1, Ok(r#"{"id":"a"}"#.into())));
        assert_eq!(got[1], (3, Ok(r#"{"id":"ب"}"#.into())));
        assert_eq!(got[2].0, 4);
        assert!(got[2].1.as_ref().unwrap_err().starts_with("not JSON"));
        assert_eq!(
            got[3],
            (5, Err("expected a JSON object, found a list".into()))
        );
        assert_eq!(got[4], (6, Ok(r#"{"id":3}"#.into())));
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn csv_rows_with_bom_crlf_quoted_newlines_and_ragged_rows() {
        let got = read(
            "\u{feff}id,text\r\na,\"سطر\r\nثان\"\r\nb,x,extra\r\n\r\nc,\"قال \"\"نعم\"\"\"\r\n",
            Format::Csv,
        );
        assert_eq!(got[0], (2, Ok(r#"{"id":"a","text":"سطر\r\nثان"}"#.into())));
        assert_eq!(got[1], (4, Err("3 values for 2 columns".into())));
        assert_eq!(got[2], (6, Ok(r#"{"id":"c","text":"قال \"نعم\""}"#.into())));
        assert_eq!(got.len(), 3);
    }

    /// The rows of `input` as `CsvRows` splits them, values as text.
    fn rows(input: &str, max: u64) -> Vec<(u64, Result<Vec<String>, RowProblem>)> {
        let mut rows = CsvRows::with_limit(input.as_bytes(), max);
        let mut out = Vec::new();
        while let Some(row) = rows.next_row().unwrap() {
            let values = row.values.map(|v| {
                v.into_iter()
                    .map(|v| String::from_utf8(v).unwrap())
                    .collect()
            });
            out.push((row.line, values));
        }
        out
    }

    #[test]
    fn an_unterminated_quote_is_reported_where_it_opened() {
        let input = "id,text\na,\"سطر\nثان\"\nb,\"نص لم يغلق\nc,x\nd,y\n";
        let got = rows(input, MAX_LINE_BYTES);
        assert_eq!(got[1], (2, Ok(vec!["a".into(), "سطر\nثان".into()])));
        assert_eq!(
            got[2],
            (
                4,
                Err(RowProblem::Unclosed {
                    line: 4,
                    col: 3,
                    last_line: 6
                })
            )
        );
        assert_eq!(got.len(), 3);
        let records: Vec<Record> = Records::new(input.as_bytes(), Format::Csv)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(records.len(), 2);
        assert_eq!((records[1].line, records[1].col), (4, Some(3)));
        assert_eq!(
            records[1].fields,
            Err(
                "unterminated quote opened here: it runs to the end of the file (line 6), \
                 so this row and the 2 lines after it were not imported"
                    .into()
            )
        );
        // Columns count characters, not bytes; a quote on the last line says so too.
        let got = rows("id,text\nخبر,\"x", MAX_LINE_BYTES);
        assert_eq!(
            got[1].1,
            Err(RowProblem::Unclosed {
                line: 2,
                col: 5,
                last_line: 2
            })
        );
        // A header with an open quote is no header.
        let Err(HeaderError::Row(p)) = Records::new("id,\"text\na,b\n".as_bytes(), Format::Csv)
        else {
            panic!("a broken header")
        };
        assert_eq!(p.at(1), (1, Some(4)));
    }

    #[test]
    fn a_quote_left_open_and_closed_further_down_is_not_one_row() {
        // The quote of line 3 is never closed: the next quote in the file, line 6, closes it.
        let input = "id,text\na1,نص\nb1,\"نص لم يغلق\nc1,عادي\nc2,عادي\nd1,\"مقتبس\"\ne1,نص\n";
        let got = rows(input, MAX_LINE_BYTES);
        assert_eq!(
            got[2],
            (
                3,
                Err(RowProblem::TextAfterQuote {
                    opened: (3, 4),
                    closed: (6, 4),
                    rows: (3, 6)
                })
            )
        );
        assert_eq!(got[3], (7, Ok(vec!["e1".into(), "نص".into()])));
        let records: Vec<Record> = Records::new(input.as_bytes(), Format::Csv)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!((records[1].line, records[1].col), (3, Some(4)));
        assert_eq!(
            records[1].fields,
            Err(
                "the quote opened here is closed on line 6, column 4, and followed by text (a \
                 quote left open? a quote inside a quoted value is written \"\"): lines 3–6 \
                 were read as one row, not imported"
                    .into()
            )
        );
        assert_eq!(
            rows("a,\"x\"y,z\n", MAX_LINE_BYTES)[0].1,
            Err(RowProblem::TextAfterQuote {
                opened: (1, 3),
                closed: (1, 5),
                rows: (1, 1)
            })
        );
        // A row whose values do not fit the header says how far it ran.
        let records: Vec<Record> =
            Records::new("id,text\na,\"x\n\nb\",y\n".as_bytes(), Format::Csv)
                .unwrap()
                .map(Result::unwrap)
                .collect();
        assert_eq!(
            records[0].fields,
            Err("3 values for 2 columns (the row runs to line 4: is a quote not closed?)".into())
        );
    }

    #[test]
    fn a_scan_finds_every_misplaced_quote_but_the_headers() {
        let input = "id,\"text\"\na,\"x\"y\n\nb,z\nc,\"open\nd,w\n";
        let scan = scan_quotes(input.as_bytes()).unwrap();
        assert_eq!(scan.records, 3);
        let at: Vec<(u64, Option<u64>)> = scan.problems.iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(at, [(2, Some(3)), (5, Some(3))]);
        assert_eq!(
            scan.problems[1].2.nothing_imported(),
            "unterminated quote opened here: it runs to the end of the file (line 6): nothing \
             was imported from this file, whose rows cannot be told apart until its quotes pair up"
        );
        let many: String = (0..150).map(|i| format!("{i},\"a\"b\n")).collect();
        let scan = scan_quotes(format!("id,text\n{many}").as_bytes()).unwrap();
        assert_eq!((scan.problems.len(), scan.more), (100, 50));
    }

    #[test]
    fn a_row_is_bounded_and_reading_goes_on_after_it() {
        let long = "ب".repeat(100);
        let input = format!("id,text\na,\"{long}\n{long}\"\nb,قصير\nc,{long}\nd,\"{long}");
        let got = rows(&input, 64);
        assert_eq!(got[1], (2, Err(RowProblem::TooLong(64))));
        assert_eq!(got[2], (4, Ok(vec!["b".into(), "قصير".into()])));
        assert_eq!(got[3], (5, Err(RowProblem::TooLong(64))));
        // Past the bound, a quote never closed is still found (and nothing is kept).
        assert!(matches!(
            got[4],
            (
                6,
                Err(RowProblem::Unclosed {
                    line: 6,
                    col: 3,
                    ..
                })
            )
        ));
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn invalid_utf8_is_a_problem_not_a_panic() {
        let bytes: &[u8] = b"{\"id\": \"\xff\"}\n";
        let r: Vec<_> = Records::new(bytes, Format::Jsonl).unwrap().collect();
        assert!(r[0].as_ref().unwrap().fields.is_err());
        let bytes: &[u8] = b"id,text\na,\xff\n";
        let r: Vec<_> = Records::new(bytes, Format::Csv).unwrap().collect();
        assert_eq!(
            r[0].as_ref().unwrap().fields,
            Err("column `text` is not UTF-8".into())
        );
    }

    #[test]
    fn progress_counts_bytes() {
        let input = "{\"id\": 1}\n{\"id\": 2}\n";
        let mut r = Records::new(input.as_bytes(), Format::Jsonl).unwrap();
        while r.next().is_some() {}
        assert_eq!(r.bytes_read(), input.len() as u64);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            for format in [Format::Jsonl, Format::Csv] {
                if let Ok(records) = Records::new(bytes.as_slice(), format) {
                    let mut last = 0;
                    for r in records {
                        let r = r.unwrap();
                        // Lines only go forward.
                        proptest::prop_assert!(r.line >= last);
                        last = r.line;
                    }
                }
            }
        }

        /// Where every quote is closed, rows hold what the `csv` crate reads. (Not its line
        /// numbers: it does not count the empty lines it skips.)
        #[test]
        fn csv_rows_are_the_csv_crates(text in "[a,\"\n\r ب]{0,60}") {
            let mine = rows(&text, MAX_LINE_BYTES);
            if mine.iter().all(|(_, r)| r.is_ok()) {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_reader(text.as_bytes());
                let theirs: Vec<Vec<String>> = reader
                    .records()
                    .map(|r| {
                        let r = r.unwrap();
                        let mut v: Vec<String> = r.iter().map(String::from).collect();
                        if let Some(last) = v.last_mut() && last.ends_with('\r') {
                            last.pop();
                        }
                        v
                    })
                    .filter(|v| !(v.len() == 1 && v[0].is_empty()))
                    .collect();
                let mine: Vec<Vec<String>> = mine
                    .into_iter()
                    .map(|(_, r)| r.unwrap())
                    // The csv crate skips empty lines; a line of blanks is skipped later on.
                    .filter(|v| !(v.len() == 1 && v[0].is_empty()))
                    .collect();
                proptest::prop_assert_eq!(mine, theirs);
            }
        }

        #[test]
        fn lines_of_json_like_text_read_without_panic(text in "[{}\\[\\]\":, a-zب\r\n\u{feff}0-9]{0,200}") {
            for format in [Format::Jsonl, Format::Csv] {
                if let Ok(records) = Records::new(text.as_bytes(), format) {
                    for r in records {
                        r.unwrap();
                    }
                }
            }
        }
    }
}
