//! `tadqiq import articles`: a JSONL or CSV file of articles → `<articles>/<id>.txt`, with the
//! metadata (url, outlet, publication date) in `<articles>/<id>.meta.yaml` beside it.
//!
//! The text is written as given, byte for byte (CRLF kept, nothing normalised), after the
//! title and a newline when there is a title: offsets computed on that text stay right.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::{Map, Value as Json};
use serde_yaml::{Mapping, Value as Yaml};

use super::records::{kind, scan_quotes};
use super::{
    Format, ImportError, Level, Notice, Records, Seen, Sink, Summary, count, in_batches, put_in,
    record_id, reject, reject_at,
};
use crate::model::article::check_published_at;
use crate::store::{Store, yaml};

/// Which keys (JSONL) or columns (CSV) hold what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    /// The article's id (becomes the file name).
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its title, written as the first line.
    pub title: String,
    /// Where it was published.
    pub url: String,
    /// When it was published.
    pub date: String,
    /// The outlet that published it.
    pub outlet: String,
}

impl Default for Columns {
    fn default() -> Columns {
        Columns {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            url: "url".into(),
            date: "published_at".into(),
            outlet: "source".into(),
        }
    }
}

/// Imports the articles of `input` (the file `path`, named in messages) into the store's
/// articles folder. `force` replaces files that exist with other content.
///
/// A CSV file is read twice: first to find quotes that do not pair up, since then its rows
/// cannot be told apart (a value would run over the rows after it), and nothing is imported
/// from it; then to import it.
pub fn import<R: Read + Seek>(
    path: &Path,
    mut input: R,
    format: Format,
    store: &Store,
    columns: &Columns,
    force: bool,
    sink: &mut dyn Sink,
) -> Result<Summary, ImportError> {
    let input_error = |message: String| ImportError::Input {
        path: path.to_path_buf(),
        message,
    };
    let scan = if format == Format::Csv {
        let scan = scan_quotes(BufReader::with_capacity(1 << 16, &mut input))
            .and_then(|scan| input.seek(SeekFrom::Start(0)).map(|_| scan))
            .map_err(|e| input_error(e.to_string()))?;
        Some(scan)
    } else {
        None
    };
    let mut records = Records::new(input, format).map_err(|e| ImportError::header(path, e))?;
    if format == Format::Csv {
        let have = records.columns();
        for (column, option) in [(&columns.id, "--id-field"), (&columns.text, "--text-field")] {
            if !have.iter().any(|h| h == column) {
                return Err(input_error(format!(
                    "no column `{column}` in the header (columns: {}): give {option} NAME",
                    have.join(", ")
                )));
            }
        }
    }
    if let Some(scan) = scan.filter(|s| !s.problems.is_empty()) {
        let mut summary = Summary::default();
        let listed = scan.problems.len();
        for (i, (line, col, problem)) in scan.problems.into_iter().enumerate() {
            let mut message = problem.nothing_imported();
            if i + 1 == listed && scan.more > 0 {
                message += &format!(
                    " (and {} more quotes out of place after this one)",
                    scan.more
                );
            }
            sink.notice(Notice {
                line,
                col,
                level: Level::Error,
                message,
            });
        }
        summary.rejected = scan.records;
        sink.progress(records.bytes_read());
        return Ok(summary);
    }
    in_batches(|batch| {
        let mut summary = Summary::default();
        let mut seen = Seen::default();
        while let Some(record) = records.next() {
            let record = record.map_err(|e| input_error(e.to_string()))?;
            let line = record.line;
            let fields = match record.fields {
                Ok(f) => f,
                Err(message) => {
                    reject_at(line, record.col, message, &mut summary, sink);
                    continue;
                }
            };
            match article(&fields, columns) {
                Ok(a) => {
                    let Some(id) = record_id(
                        a.id.as_deref(),
                        &columns.id,
                        line,
                        a.digest(),
                        store,
                        &mut seen,
                        &mut summary,
                        sink,
                    ) else {
                        continue;
                    };
                    let meta = a
                        .meta(&id.id, &id.stem)
                        .map(|m| yaml::to_string(&m).into_bytes());
                    let files = [
                        (
                            store.article_path(&id.stem),
                            Some(a.contents().into_bytes()),
                        ),
                        (store.article_meta_path(&id.stem), meta),
                    ];
                    count(put_in(batch, &files, force)?, line, &mut summary, sink);
                }
                Err(message) => reject(line, message, &mut summary, sink),
            }
            sink.progress(records.bytes_read());
        }
        sink.progress(records.bytes_read());
        Ok(summary)
    })
}

/// One article as read from a record.
#[derive(Debug, Default, PartialEq)]
struct Article {
    id: Option<String>,
    text: String,
    title: Option<String>,
    url: Option<String>,
    date: Option<String>,
    outlet: Option<String>,
}

impl Article {
    /// What the record holds besides its id, to tell a record given twice from two records.
    fn digest(&self) -> super::ContentDigest {
        fn part(s: &Option<String>) -> &[u8] {
            // 0xFF never occurs in UTF-8: an absent value differs from every present one.
            s.as_deref().map_or(&b"\xff"[..], str::as_bytes)
        }
        super::digest([
            self.text.as_bytes(),
            part(&self.title),
            part(&self.url),
            part(&self.date),
            part(&self.outlet),
        ])
    }

    /// The article file: the title on the first line, then the text as given.
    fn contents(&self) -> String {
        match &self.title {
            Some(t) => format!("{t}\n{}", self.text),
            None => self.text.clone(),
        }
    }

    /// The metadata file, if there is anything to keep: the id (`id`, normalised) when the
    /// file name (`stem`) differs from it, url, outlet and publication date.
    fn meta(&self, id: &str, stem: &str) -> Option<Yaml> {
        let mut m = Mapping::new();
        if id != stem {
            m.insert("id".into(), id.into());
        }
        for (key, v) in [
            ("url", &self.url),
            ("outlet", &self.outlet),
            ("published_at", &self.date),
        ] {
            if let Some(v) = v {
                m.insert(key.into(), v.as_str().into());
            }
        }
        (!m.is_empty()).then_some(Yaml::Mapping(m))
    }
}

/// Reads an article from a record; the message says what is wrong.
fn article(fields: &Map<String, Json>, columns: &Columns) -> Result<Article, String> {
    let get = |key: &str| -> Result<Option<String>, String> {
        match fields.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(Json::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!("`{key}` must be a string, found {}", kind(other))),
        }
    };
    // An empty text is not a missing one: say which it is.
    let text = match fields.get(&columns.text) {
        Some(Json::String(s)) if s.trim().is_empty() => {
            return Err(format!(
                "`{}` is empty: an article needs a text",
                columns.text
            ));
        }
        _ => get(&columns.text)?.ok_or_else(|| {
            format!(
                "no `{}` (the article's text; --text-field names another key)",
                columns.text
            )
        })?,
    };
    // The id is passed on blank, for `record_id` to say that it is empty.
    let id = match fields.get(&columns.id) {
        Some(Json::String(s)) => Some(s.clone()),
        _ => get(&columns.id)?,
    };
    // The title is one line: a line break in it would move the text down a line.
    let title = get(&columns.title)?.map(|t| t.trim().replace(['\r', '\n'], " "));
    let one_line = |v: Option<String>| v.map(|s| s.trim().to_string());
    let date = one_line(get(&columns.date)?);
    if let Some(date) = &date {
        check_published_at(date).map_err(|m| format!("`{}`: {m}", columns.date))?;
    }
    Ok(Article {
        id,
        text,
        title,
        url: one_line(get(&columns.url)?),
        date,
        outlet: one_line(get(&columns.outlet)?),
    })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::import::{Collect, file_id};

    fn run(input: &str, format: Format, store: &Store, force: bool) -> (Summary, Vec<String>) {
        let mut sink = Collect::default();
        let summary = import(
            Path::new("in"),
            std::io::Cursor::new(input.as_bytes()),
            format,
            store,
            &Columns::default(),
            force,
            &mut sink,
        )
        .unwrap();
        let notes = sink
            .notices
            .into_iter()
            .map(|n| format!("{}: {}", n.line, n.message))
            .collect();
        (summary, notes)
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("articles"), dir.path().join("annotations"));
        (dir, store)
    }

    #[test]
    fn writes_text_and_metadata_and_is_idempotent() {
        let (_dir, store) = store();
        let input = concat!(
            r#"{"id": "a1", "title": "عنوان", "text": "نص\nالخبر", "url": "https://x.ma/1", "source": "هسبريس", "published_at": "2023-12-15"}"#,
            "\n",
            r#"{"id": "a/2", "text": "نص آخر"}"#,
            "\n"
        );
        let (s, notes) = run(input, Format::Jsonl, &store, false);
        assert_eq!((s.imported, s.rejected), (2, 0), "{notes:?}");
        let a2 = file_id("a/2").unwrap();
        assert_eq!(notes, [format!("2: id `a/2` saved as `{a2}`")]);
        assert_eq!(
            fs::read_to_string(store.article_path("a1")).unwrap(),
            "عنوان\nنص\nالخبر"
        );
        assert_eq!(
            fs::read_to_string(store.article_meta_path("a1")).unwrap(),
            "url: https://x.ma/1\noutlet: هسبريس\npublished_at: '2023-12-15'\n"
        );
        assert_eq!(
            fs::read_to_string(store.article_meta_path(&a2)).unwrap(),
            "id: a/2\n"
        );
        assert_eq!(store.list_articles().unwrap(), ["a1", a2.as_str()]);
        let (s, _) = run(input, Format::Jsonl, &store, false);
        assert_eq!((s.imported, s.unchanged), (0, 2));
    }

    #[test]
    fn a_changed_article_needs_force() {
        let (_dir, store) = store();
        run(
            r#"{"id": "a", "text": "قديم"}"#,
            Format::Jsonl,
            &store,
            false,
        );
        let changed = r#"{"id": "a", "text": "جديد"}"#;
        let (s, notes) = run(changed, Format::Jsonl, &store, false);
        assert_eq!(s.existing, 1);
        assert!(notes[0].ends_with("exists with other content: skipped (--force replaces it)"));
        assert_eq!(fs::read_to_string(store.article_path("a")).unwrap(), "قديم");
        let (s, _) = run(changed, Format::Jsonl, &store, true);
        assert_eq!(s.imported, 1);
        assert_eq!(fs::read_to_string(store.article_path("a")).unwrap(), "جديد");
    }

    #[test]
    fn many_records_span_batches_and_stay_idempotent() {
        let (_dir, store) = store();
        // 2 400 files: several batches, the last one partly full.
        let lines = |url: bool| -> String {
            (0..1200)
                .map(|i| {
                    let url = if url {
                        format!(r#", "url": "https://x.ma/{i}""#)
                    } else {
                        String::new()
                    };
                    format!("{{\"id\": \"a{i}\", \"text\": \"نص {i}\"{url}}}\n")
                })
                .collect()
        };
        let (s, _) = run(&lines(true), Format::Jsonl, &store, false);
        assert_eq!((s.imported, s.unchanged), (1200, 0));
        let names = || {
            let mut n: Vec<String> = fs::read_dir(store.articles_dir())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            n.sort();
            n
        };
        assert_eq!(names().len(), 2400, "no temporary file left");
        assert_eq!(
            fs::read_to_string(store.article_meta_path("a1199")).unwrap(),
            "url: https://x.ma/1199\n"
        );
        let (s, _) = run(&lines(true), Format::Jsonl, &store, false);
        assert_eq!((s.imported, s.unchanged), (0, 1200));
        // Without their url the metadata files are someone's to keep, unless --force.
        let (s, _) = run(&lines(false), Format::Jsonl, &store, false);
        assert_eq!((s.imported, s.existing), (0, 1200));
        let (s, _) = run(&lines(false), Format::Jsonl, &store, true);
        assert_eq!(s.imported, 1200);
        assert_eq!(names().len(), 1200);
        assert_eq!(store.list_articles().unwrap().len(), 1200);
        assert_eq!(
            fs::read_to_string(store.article_path("a7")).unwrap(),
            "نص 7"
        );
    }

    #[test]
    fn problems_are_per_record() {
        let (_dir, store) = store();
        let input = "{\"id\": \"a\", \"text\": \"x\"}\n{\"id\": \"a\", \"text\": \"y\"}\n{\"text\": \"z\"}\n{\"id\": \"b\"}\n{\"id\": \"c\", \"text\": [1]}\n{\"id\": \"..\", \"text\": \"w\"}\n{\"id\": \"a\", \"text\": \"x\"}\n";
        let (s, notes) = run(input, Format::Jsonl, &store, false);
        assert_eq!(
            s,
            Summary {
                imported: 1,
                duplicates: 1,
                rejected: 5,
                ..Summary::default()
            }
        );
        assert_eq!(
            notes,
            [
                "2: duplicate id `a` with other content than line 1: not imported (the first record of an id is kept)",
                "3: no `id` (the id; --id-field names another key)",
                "4: no `text` (the article's text; --text-field names another key)",
                "5: `text` must be a string, found a list",
                "6: id `..` has nothing usable as a file name",
                "7: duplicate id `a`, first on line 1: skipped",
            ]
        );
        assert_eq!(fs::read_to_string(store.article_path("a")).unwrap(), "x");
    }

    #[test]
    fn a_csv_with_many_quotes_out_of_place_lists_the_first_hundred() {
        let (_dir, store) = store();
        let rows: String = (0..130).map(|i| format!("a{i},\"x\"y\n")).collect();
        let (s, notes) = run(&format!("id,text\n{rows}"), Format::Csv, &store, false);
        assert_eq!((s.imported, s.rejected), (0, 130));
        assert_eq!(notes.len(), 100);
        assert!(
            notes[99].starts_with("101: the value quoted here is followed by text"),
            "{}",
            notes[99]
        );
        assert!(
            notes[99].ends_with("(and 30 more quotes out of place after this one)"),
            "{}",
            notes[99]
        );
        assert!(!store.articles_dir().exists());
    }

    #[test]
    fn csv_needs_its_columns() {
        let (_dir, store) = store();
        let err = import(
            Path::new("in.csv"),
            std::io::Cursor::new("id,body\na,x\n".as_bytes()),
            Format::Csv,
            &store,
            &Columns::default(),
            false,
            &mut Collect::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "in.csv: no column `text` in the header (columns: id, body): give --text-field NAME"
        );
    }
}
