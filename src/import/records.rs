//! Reading an import file one record at a time: a JSON object per line (JSONL), or a CSV row
//! under a header. Either way a record is a JSON object, a CSV row's values being strings.
//!
//! Input is untrusted: a line that is not JSON, not an object, not UTF-8, or longer than
//! [`MAX_LINE_BYTES`] is a record with a problem, never a panic, and reading goes on with the
//! next line. A UTF-8 byte order mark and CRLF line ends are accepted.

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
    /// The line it starts on, from 1.
    pub line: u64,
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
        reader: Box<csv::Reader<Counting<R>>>,
        headers: Vec<String>,
        row: csv::ByteRecord,
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
    pub fn new(input: R, format: Format) -> Result<Records<R>, String> {
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
                // Rows end at `\n` only, the `\r` of CRLF being taken off the last value: with
                // the default terminator a CRLF file's rows are counted from the wrong line.
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .terminator(csv::Terminator::Any(b'\n'))
                    .from_reader(counting);
                let headers = reader
                    .byte_headers()
                    .map_err(|e| format!("cannot read the CSV header: {e}"))?
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
                Inner::Csv {
                    reader: Box::new(reader),
                    headers,
                    row: csv::ByteRecord::new(),
                }
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
            Inner::Csv {
                reader,
                headers,
                row,
            } => next_row(reader, headers, row),
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
            fields,
        }));
    }
}

fn next_row<R: Read>(
    reader: &mut csv::Reader<R>,
    headers: &[String],
    row: &mut csv::ByteRecord,
) -> io::Result<Option<Record>> {
    loop {
        match reader.read_byte_record(row) {
            Ok(false) => return Ok(None),
            Ok(true) => {
                let line = row.position().map_or(0, |p| p.line());
                if row.len() == 1 && row.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                    // A blank line: no record.
                    continue;
                }
                let mut fields = Map::new();
                let mut problem = None;
                if row.len() != headers.len() {
                    problem = Some(format!(
                        "{} values for {} columns",
                        row.len(),
                        headers.len()
                    ));
                }
                let last = row.len() - 1;
                for (i, value) in row.iter().enumerate() {
                    let value = match value {
                        [rest @ .., b'\r'] if i == last => rest,
                        _ => value,
                    };
                    match std::str::from_utf8(value) {
                        Ok(v) => {
                            if let Some(h) = headers.get(i) {
                                fields.insert(h.clone(), Json::String(v.to_string()));
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
                    line,
                    fields: problem.map_or(Ok(fields), Err),
                }));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return match e.into_kind() {
                    csv::ErrorKind::Io(e) => Err(e),
                    other => Ok(Some(Record {
                        line,
                        fields: Err(format!("not CSV: {other:?}")),
                    })),
                };
            }
        }
    }
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
