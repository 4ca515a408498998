//! Every byte of YAML tadqiq reads or writes goes through here, so the YAML crate can be
//! swapped in one place.
//!
//! Parsing is `serde_yaml` (with its limits on nesting and alias expansion, which keep a
//! "billion laughs" file from hanging `check`) behind a size limit. `serde_yaml` does not say
//! where a node is, so when a model reports problems, the document is parsed once more with
//! `yaml-rust2`'s event parser to find each problem's `line:col`. That second pass only runs
//! when there is something to report.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_yaml::Value as Yaml;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::model::problem::{At, Problem, Problems, Severity, YamlPath};
use crate::text::sanitize::sanitize_inline;

/// Annotation files larger than this are refused unread: a gold file is a few kilobytes, and a
/// 100 MB file is a mistake that should not make `check` or the review screen crawl.
pub const MAX_YAML_BYTES: usize = 16 << 20;

/// One finding about one file, printed as `path:line:col: message`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A finding about a whole file (no position: line 1, column 1).
    pub fn file(path: &Path, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: path.to_path_buf(),
            line: 1,
            col: 1,
            severity,
            message: message.into(),
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let warning = if self.is_error() { "" } else { "warning: " };
        // Messages quote untrusted YAML: never let a control character through.
        write!(
            f,
            "{}:{}:{}: {warning}{}",
            sanitize_inline(&self.path.display().to_string()),
            self.line,
            self.col,
            sanitize_inline(&self.message)
        )
    }
}

/// A parsed YAML file and its text (kept to locate problems later).
pub struct Parsed {
    /// The file's bytes, valid UTF-8.
    bytes: Vec<u8>,
    /// The document.
    pub doc: Yaml,
}

impl Parsed {
    /// The file's text.
    pub fn text(&self) -> &str {
        // Validated by `parse`: this cannot fail, and SIMD validation takes well under a
        // microsecond for a gold file. (Kept as bytes so that no unsafe code is needed to
        // avoid validating twice while parsing.)
        simdutf8::basic::from_utf8(&self.bytes).unwrap_or_default()
    }
}

/// Parses a YAML file's bytes. A file that is not a YAML document — too large, not UTF-8,
/// empty, or with a syntax error — is one diagnostic with the position of the fault.
pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<Parsed, Diagnostic> {
    if bytes.len() > MAX_YAML_BYTES {
        return Err(Diagnostic::file(
            path,
            Severity::Error,
            format!(
                "the file is {} MiB; annotation files are at most {} MiB",
                bytes.len() >> 20,
                MAX_YAML_BYTES >> 20
            ),
        ));
    }
    // UTF-8 validation was a twentieth of the time of reading a gold set (Arabic text is
    // mostly two-byte sequences, std's slow path): simdutf8 checks it at memory speed.
    let text = match simdutf8::basic::from_utf8(&bytes) {
        Ok(t) => t,
        Err(_) => {
            let e = std::str::from_utf8(&bytes).err();
            let valid = &bytes[..e.map_or(0, |e| e.valid_up_to())];
            let valid = std::str::from_utf8(valid).unwrap_or("");
            let line = valid.matches('\n').count() + 1;
            let col = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Err(Diagnostic {
                path: path.to_path_buf(),
                line,
                col,
                severity: Severity::Error,
                message: "not UTF-8 text (a binary file?)".into(),
            });
        }
    };
    match serde_yaml::from_str::<Yaml>(text) {
        Ok(Yaml::Null) if text.trim().is_empty() || !has_content(text) => {
            Err(Diagnostic::file(path, Severity::Error, "the file is empty"))
        }
        Ok(doc) => Ok(Parsed { bytes, doc }),
        Err(e) => {
            let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let mut message = e.to_string();
            // serde_yaml appends the position we already print in front.
            if let Some(i) = message.find(" at line ") {
                message.truncate(i);
            }
            Err(Diagnostic {
                path: path.to_path_buf(),
                line,
                col,
                severity: Severity::Error,
                message: format!("YAML syntax: {message}"),
            })
        }
    }
}

/// Whether a text has anything but comments and blank lines.
fn has_content(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with('#') && l != "---" && l != "..."
    })
}

/// A YAML document as text, with a stable key order (the order of the mapping) and UTF-8 as
/// is (Arabic is never `\u`-escaped), so gold files diff cleanly.
///
/// Strings that a YAML 1.1 reader would take for something else are single-quoted. serde_yaml
/// writes YAML 1.2, where `2023-12-15`, `yes`, `on`, `1_000` or `1:20` are plain strings, but
/// PyYAML, what most scripts that read gold files use, implements YAML 1.1 and reads them as a
/// date, `True` or a number. Quoted, every reader gets the same text back.
pub fn to_string(doc: &Yaml) -> String {
    // serde_yaml chooses each scalar's style itself; so each such string is written as a
    // placeholder it leaves plain, then the placeholder is replaced by the quoted string. The
    // placeholders' prefix is one no text of the document contains.
    let prefix = (0u32..)
        .map(|n| format!("tadqiq-quote-{n}-"))
        .find(|p| !contains_text(doc, p))
        .unwrap_or_default();
    let mut quoted = Vec::new();
    let marked = mark_ambiguous(doc, &prefix, &mut quoted);
    // Serializing a `Value` cannot fail: its keys are YAML values and it holds no non-finite
    // float a model would write.
    let mut text = serde_yaml::to_string(&marked).unwrap_or_default();
    // Last first, so that `…-1` is never found inside `…-10`.
    for (i, original) in quoted.iter().enumerate().rev() {
        let quoted = format!("'{}'", original.replace('\'', "''"));
        text = text.replacen(&format!("{prefix}{i}"), &quoted, 1);
    }
    text
}

/// Whether any string of `doc` (key or value) contains `needle`.
fn contains_text(doc: &Yaml, needle: &str) -> bool {
    match doc {
        Yaml::String(s) => s.contains(needle),
        Yaml::Sequence(items) => items.iter().any(|v| contains_text(v, needle)),
        Yaml::Mapping(m) => m
            .iter()
            .any(|(k, v)| contains_text(k, needle) || contains_text(v, needle)),
        Yaml::Tagged(t) => t.tag.to_string().contains(needle) || contains_text(&t.value, needle),
        _ => false,
    }
}

/// `doc` with each string [`yaml11_ambiguous`] replaced by `prefix` and its index in
/// `quoted`, where it goes.
fn mark_ambiguous(doc: &Yaml, prefix: &str, quoted: &mut Vec<String>) -> Yaml {
    match doc {
        Yaml::String(s) if yaml11_ambiguous(s) => {
            quoted.push(s.clone());
            Yaml::String(format!("{prefix}{}", quoted.len() - 1))
        }
        Yaml::Sequence(items) => Yaml::Sequence(
            items
                .iter()
                .map(|v| mark_ambiguous(v, prefix, quoted))
                .collect(),
        ),
        Yaml::Mapping(m) => Yaml::Mapping(
            m.iter()
                .map(|(k, v)| {
                    (
                        mark_ambiguous(k, prefix, quoted),
                        mark_ambiguous(v, prefix, quoted),
                    )
                })
                .collect(),
        ),
        Yaml::Tagged(t) => Yaml::Tagged(Box::new(serde_yaml::value::TaggedValue {
            tag: t.tag.clone(),
            value: mark_ambiguous(&t.value, prefix, quoted),
        })),
        other => other.clone(),
    }
}

/// Whether a YAML 1.1 reader could resolve this string, written plain, to something other than
/// a string: its booleans (`yes`, `No`, `ON`…), the merge and value keys (`<<`, `=`), and any
/// number-like text, dates, times and sexagesimal numbers included (a digit, sign or dot
/// first, then only digits and `_ : . + - e E t T z Z` and spaces). Erring on the side of
/// quoting costs two characters.
fn yaml11_ambiguous(s: &str) -> bool {
    const WORDS: [&str; 22] = [
        "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
    ];
    if WORDS.contains(&s) || s == "<<" || s == "=" {
        return true;
    }
    let mut bytes = s.bytes();
    match bytes.next() {
        Some(b'0'..=b'9' | b'+' | b'-' | b'.') => bytes.all(|b| {
            b.is_ascii_digit()
                || matches!(
                    b,
                    b'_' | b':'
                        | b'.'
                        | b'+'
                        | b'-'
                        | b'e'
                        | b'E'
                        | b't'
                        | b'T'
                        | b'z'
                        | b'Z'
                        | b' '
                )
        }),
        _ => false,
    }
}

/// Turns a model's problems into diagnostics with positions in `text`.
pub fn diagnostics(path: &Path, text: &str, problems: &Problems) -> Vec<Diagnostic> {
    if problems.is_empty() {
        return Vec::new();
    }
    let positions = Positions::of(text);
    problems
        .0
        .iter()
        .map(|p| {
            let (line, col) = positions.locate(p);
            Diagnostic {
                path: path.to_path_buf(),
                line,
                col,
                severity: p.severity,
                message: p.message.clone(),
            }
        })
        .collect()
}

/// Where each node of a document is: for each path, the position of its key (in a mapping)
/// and of its value.
#[derive(Default)]
struct Positions {
    map: HashMap<YamlPath, (Option<Marker>, Marker)>,
}

enum Frame {
    Mapping {
        path: YamlPath,
        key: Option<(String, Marker)>,
        start: usize,
    },
    Sequence {
        path: YamlPath,
        next: usize,
    },
}

struct Builder {
    positions: Positions,
    stack: Vec<Frame>,
}

impl Builder {
    /// The path of the node an event starts, and the position of its key; `None` when the
    /// event is a mapping key.
    fn place(&mut self, text: Option<&str>, mark: Marker) -> Option<(YamlPath, Option<Marker>)> {
        match self.stack.last_mut() {
            None => Some((YamlPath::root(), None)),
            Some(Frame::Sequence { path, next }) => {
                let p = path.index(*next);
                *next += 1;
                Some((p, None))
            }
            Some(Frame::Mapping { path, key, .. }) => match key.take() {
                Some((k, key_mark)) => Some((path.key(&k), Some(key_mark))),
                None => {
                    // A key: remember it (complex keys count as their text, or nothing).
                    *key = Some((text.unwrap_or_default().to_string(), mark));
                    None
                }
            },
        }
    }

    fn record(&mut self, path: YamlPath, key: Option<Marker>, value: Marker) {
        self.positions.map.entry(path).or_insert((key, value));
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(ref s, ..) => {
                if let Some((path, key)) = self.place(Some(s), mark) {
                    self.record(path, key, mark);
                }
            }
            Event::Alias(_) => {
                if let Some((path, key)) = self.place(None, mark) {
                    self.record(path, key, mark);
                }
            }
            Event::MappingStart(..) => {
                if let Some((path, key)) = self.place(None, mark) {
                    self.record(path.clone(), key, mark);
                    self.stack.push(Frame::Mapping {
                        path,
                        key: None,
                        start: mark.index(),
                    });
                }
            }
            Event::SequenceStart(..) => {
                if let Some((path, key)) = self.place(None, mark) {
                    self.record(path.clone(), key, mark);
                    self.stack.push(Frame::Sequence { path, next: 0 });
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
        // A block mapping's start mark lies one column past its first key: place the
        // mapping at that key instead.
        if let Some(Frame::Mapping {
            path,
            key: Some((_, key_mark)),
            start,
        }) = self.stack.last()
            && key_mark.index() < *start
            && let Some(entry) = self.positions.map.get_mut(path)
            && entry.1.index() == *start
        {
            entry.1 = *key_mark;
        }
    }
}

impl Positions {
    fn of(text: &str) -> Positions {
        let mut builder = Builder {
            positions: Positions::default(),
            stack: Vec::new(),
        };
        // A document serde_yaml accepted parses here too; if not, positions stay partial and
        // problems fall back to their nearest known ancestor.
        let _ = Parser::new_from_str(text).load(&mut builder, false);
        builder.positions
    }

    /// The 1-based line and column of a problem: its node, else its nearest known ancestor.
    fn locate(&self, problem: &Problem) -> (usize, usize) {
        let mut path = problem.path.clone();
        loop {
            if let Some((key, value)) = self.map.get(&path) {
                let m = match (problem.at, key) {
                    (At::Key, Some(k)) if path == problem.path => k,
                    _ => value,
                };
                return (m.line().max(1), m.col() + 1);
            }
            if path.0.pop().is_none() {
                return (1, 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::problem::Seg;

    #[test]
    fn strings_a_yaml_1_1_reader_would_misread_are_quoted_and_read_back_the_same() {
        let doc: Yaml = serde_yaml::from_str(
            "a: '2023-12-15'\nb: 'yes'\nc: ['on', 'off', '1_000', '1:20', '<<', 'No']\n\
             d: 2023\ne: الرباط\nf: 'tadqiq-quote-0-0'\ng: '2023-12-15T10:15:00Z'\n\
             'on': x\nh: \"it's\"\n",
        )
        .unwrap();
        let text = to_string(&doc);
        for quoted in [
            "'2023-12-15'",
            "'yes'",
            "'on'",
            "'off'",
            "'1_000'",
            "'1:20'",
            "'<<'",
            "'No'",
            "'2023-12-15T10:15:00Z'",
            "'on': x",
        ] {
            assert!(text.contains(quoted), "{quoted} in {text}");
        }
        assert!(
            text.contains("d: 2023\n") && text.contains("e: الرباط\n"),
            "{text}"
        );
        let back: Yaml = serde_yaml::from_str(&text).unwrap();
        assert_eq!(back, doc);
        // Nothing to quote: serde_yaml's text as it is.
        let plain: Yaml = serde_yaml::from_str("a: الرباط\nb: [1, true]\n").unwrap();
        assert_eq!(to_string(&plain), serde_yaml::to_string(&plain).unwrap());
    }

    proptest::proptest! {
        #[test]
        fn any_strings_read_back_the_same(
            items in proptest::collection::vec("[0-9a-zA-Z:._+ -]{0,12}|\\PC{0,8}", 0..8)
        ) {
            let doc = Yaml::Mapping(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (Yaml::String(format!("k{i}")), Yaml::String(s.clone())))
                    .collect(),
            );
            let back: Yaml = serde_yaml::from_str(&to_string(&doc)).unwrap();
            proptest::prop_assert_eq!(back, doc);
        }
    }

    fn path_of(segments: &[&str]) -> YamlPath {
        YamlPath(segments.iter().map(|s| Seg::Key(s.to_string())).collect())
    }

    fn located(text: &str, path: YamlPath, at: At) -> (usize, usize) {
        let problems = Problems(vec![Problem {
            path,
            at,
            severity: Severity::Error,
            message: "x".into(),
        }]);
        let d = diagnostics(Path::new("f.yaml"), text, &problems);
        (d[0].line, d[0].col)
    }

    const DOC: &str = "article: a\nfields:\n  event_type: {value: party, verdict: confirmed}\n  countries:\n    value:\n      - Morocco\n      - 12\n";

    #[test]
    fn problems_get_the_line_and_column_of_their_node() {
        let v = |p: &[&str]| path_of(p);
        assert_eq!(
            located(DOC, v(&["fields", "event_type", "value"]), At::Value),
            (3, 23)
        );
        assert_eq!(located(DOC, v(&["fields", "event_type"]), At::Key), (3, 3));
        assert_eq!(located(DOC, v(&["fields", "countries"]), At::Value), (5, 5));
        assert_eq!(
            located(
                DOC,
                v(&["fields", "countries", "value"]).index(1),
                At::Value
            ),
            (7, 9)
        );
        // An unknown path falls back to its nearest ancestor.
        assert_eq!(
            located(DOC, v(&["fields", "event_type", "nope"]), At::Value),
            (3, 15)
        );
        assert_eq!(located(DOC, YamlPath::root(), At::Value), (1, 1));
    }

    #[test]
    fn syntax_errors_have_positions_and_no_duplicate_suffix() {
        let e = parse(Path::new("g.yaml"), b"a: 1\nb: [1, 2\nc: 3\n".to_vec())
            .err()
            .unwrap();
        assert_eq!(e.line, 3);
        assert!(e.to_string().starts_with("g.yaml:3:"), "{e}");
        assert!(!e.message.contains(" at line "), "{e}");
    }

    #[test]
    fn hostile_files_are_refused_with_a_reason() {
        let refuse = |bytes: Vec<u8>| parse(Path::new("h.yaml"), bytes).err().unwrap().message;
        assert!(refuse(Vec::new()).contains("empty"));
        assert!(refuse(b"# only a comment\n".to_vec()).contains("empty"));
        assert!(refuse(b"a: \xff\xfe\x00\x01".to_vec()).contains("not UTF-8"));
        assert!(refuse("[".repeat(10_000).into_bytes()).contains("recursion limit"));
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert!(refuse(bomb.as_bytes().to_vec()).contains("repetition limit"));
        assert!(refuse(vec![b' '; MAX_YAML_BYTES + 1]).contains("at most"));
    }

    #[test]
    fn diagnostics_print_as_path_line_col() {
        let d = Diagnostic {
            path: "annotations/gold/amina/x.yaml".into(),
            line: 4,
            col: 7,
            severity: Severity::Warning,
            message: "stale\u{1b}[2J".into(),
        };
        assert_eq!(
            d.to_string(),
            "annotations/gold/amina/x.yaml:4:7: warning: stale\u{241B}[2J"
        );
    }
}
