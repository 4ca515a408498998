//! Every byte of YAML tadqiq reads or writes goes through here, so the YAML crate can be
//! swapped in one place.
//!
//! Parsing is `serde_yaml` behind limits on size, nesting, nodes and alias expansion, checked
//! first by a pass over `yaml-rust2`'s events that copies nothing (`check_shape`), so
//! that no file — an alias bomb, a million nested lists — can exhaust memory. `serde_yaml`
//! does not say where a node is, so when a model reports problems, the document is parsed once
//! more with `yaml-rust2`'s event parser to find each problem's `line:col`, keeping only the
//! nodes the problems name. That second pass only runs when there is something to report.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_yaml::Value as Yaml;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::model::problem::{At, Problem, Problems, Seg, Severity};
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
pub fn parse(path: &Path, mut bytes: Vec<u8>) -> Result<Parsed, Diagnostic> {
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
    // A byte order mark, as Notepad writes, is allowed at the start of a YAML stream; serde_yaml
    // would take what follows it for a second document. (Positions are unchanged: an editor
    // does not show it.)
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
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
    check_shape(path, text)?;
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

/// Nesting deeper than this is refused, as serde_yaml does (its recursion limit).
const MAX_DEPTH: usize = 128;

/// What aliases may add to a document, in bytes of text written out, at least; more if the
/// file is larger (see [`check_shape`]).
const MIN_ALIAS_BUDGET: u64 = 1 << 20;

/// Documents of more nodes than this (aliases expanded) are refused: serde_yaml keeps every
/// event of a file and then a tree of its values, several hundred bytes a node, so a 2 MB file
/// of a million empty lists took half a gigabyte. A gold file has a few hundred nodes, a large
/// schema a few thousand.
pub const MAX_NODES: u64 = 100_000;

/// Files smaller than this cannot hold [`MAX_NODES`] nodes without aliases (a node takes at
/// least two bytes of text), so [`check_shape`] does not read them unless they have one.
const SHAPE_CHECK_BYTES: usize = 2 * MAX_NODES as usize;

/// Refuses a document that would be too large once read: nested past [`MAX_DEPTH`], of more
/// than [`MAX_NODES`] nodes, or whose aliases would expand it past their budget — at the node
/// or alias that goes past.
///
/// serde_yaml expands every alias (`*name`) into a copy of its anchored node while it builds
/// the document, and its own limit counts jumps, not what they copy: one 1 000-item anchor
/// referenced 100 000 times in a 300 KB file is within it and makes 10⁸ nodes, and the
/// allocation failure aborts the process. Refusing aliases altogether would be simpler, as
/// tadqiq never writes them; but PyYAML writes an anchor and aliases for a list an extraction
/// script shares between two fields, and people reuse a list of values in a schema. So they
/// are allowed up to a budget: what aliases add, counted as the text of the nodes they copy
/// (a scalar's length plus two, a collection two), may be at most twice the file's size, and
/// at least [`MIN_ALIAS_BUDGET`] — no legitimate use comes near that, and a document then
/// takes at most about three times the memory of one without aliases. (Counting nodes alone
/// would let a long string be copied a million times.)
///
/// One pass over the events, which copies nothing: an anchor's size is what the document had
/// grown by when its node ended. Memory is two numbers per anchor and three per open anchored
/// collection (nesting is capped). Small files without both `&` and `*` are not looked at:
/// they cannot be too large, and this pass would cost as much as parsing them.
fn check_shape(path: &Path, text: &str) -> Result<(), Diagnostic> {
    let aliased = text.contains('&') && text.contains('*');
    if !aliased && text.len() < SHAPE_CHECK_BYTES {
        return Ok(());
    }
    let at = |mark: Marker, message: String| Diagnostic {
        path: path.to_path_buf(),
        line: mark.line().max(1),
        col: mark.col() + 1,
        severity: Severity::Error,
        message,
    };
    let budget = (2 * text.len() as u64).max(MIN_ALIAS_BUDGET);
    // What an anchored node weighs: its text and its nodes, expanded. Anchor ids count from 1
    // in the order anchors appear; `None` while the node is open.
    #[derive(Clone, Copy)]
    struct Weight {
        size: u64,
        nodes: u64,
    }
    let mut anchors: Vec<Option<Weight>> = Vec::new();
    // Open anchored collections: anchor id, the weight before it, its depth.
    let mut open: Vec<(usize, Weight, usize)> = Vec::new();
    let mut depth = 0usize;
    // The document so far, aliases expanded, and the text aliases added to it.
    let mut total = Weight { size: 0, nodes: 0 };
    let mut added = 0u64;
    let mut parser = Parser::new_from_str(text);
    let define = |anchors: &mut Vec<Option<Weight>>, id: usize, weight: Option<Weight>| {
        if id > 0 {
            if anchors.len() <= id {
                anchors.resize(id + 1, None);
            }
            anchors[id] = weight;
        }
    };
    let too_many_nodes = |mark| {
        at(
            mark,
            format!("more than {MAX_NODES} YAML nodes: annotation files are far smaller; not read"),
        )
    };
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            // What could not be counted is refused: serde_yaml's reading of it might expand
            // aliases past the budget.
            at(*e.marker(), format!("YAML syntax: {}", e.info()))
        })?;
        match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(s, _, id, _) => {
                let w = Weight {
                    size: s.len() as u64 + 2,
                    nodes: 1,
                };
                total.size += w.size;
                total.nodes += 1;
                define(&mut anchors, id, Some(w));
            }
            Event::SequenceStart(id, _) | Event::MappingStart(id, _) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(at(
                        mark,
                        format!(
                            "YAML syntax: recursion limit exceeded (more than {MAX_DEPTH} levels of nesting)"
                        ),
                    ));
                }
                if id > 0 {
                    define(&mut anchors, id, None);
                    open.push((id, total, depth));
                }
                total.size += 2;
                total.nodes += 1;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(&(id, before, d)) = open.last()
                    && d == depth
                {
                    open.pop();
                    let w = Weight {
                        size: total.size - before.size,
                        nodes: total.nodes - before.nodes,
                    };
                    define(&mut anchors, id, Some(w));
                }
                depth = depth.saturating_sub(1);
            }
            Event::Alias(id) => {
                let Some(w) = anchors.get(id).copied().flatten() else {
                    return Err(at(
                        mark,
                        "an alias inside the node it refers to (a cycle)".to_string(),
                    ));
                };
                total.size += w.size;
                total.nodes += w.nodes;
                added += w.size;
                if added > budget {
                    return Err(at(
                        mark,
                        format!(
                            "too many aliases: expanded, they would add more than {} KiB to this {} KiB file (aliases may add twice a file's size, or 1 MiB); write the values out",
                            budget >> 10,
                            text.len().div_ceil(1024)
                        ),
                    ));
                }
                if total.nodes > MAX_NODES {
                    return Err(at(
                        mark,
                        format!(
                            "too many aliases: expanded, they would make more than {MAX_NODES} YAML nodes; write the values out"
                        ),
                    ));
                }
            }
            _ => continue,
        }
        if total.nodes > MAX_NODES {
            return Err(too_many_nodes(mark));
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

/// A mapping as YAML text, for a store that keeps it apart from its file (the index): `None`
/// when the text would not read back as the same mapping (a non-finite float, a tag serde_yaml
/// writes otherwise), so that what is stored is always exactly what was read.
pub fn mapping_to_text(m: &serde_yaml::Mapping) -> Option<String> {
    let text = serde_yaml::to_string(m).ok()?;
    (mapping_from_text(&text)? == *m).then_some(text)
}

/// The mapping [`mapping_to_text`] wrote; `None` for any other text. The text passes the same
/// limits on nesting, nodes and aliases as a file does before serde_yaml sees it.
pub fn mapping_from_text(text: &str) -> Option<serde_yaml::Mapping> {
    if text.len() > MAX_YAML_BYTES {
        return None;
    }
    check_shape(Path::new(""), text).ok()?;
    serde_yaml::from_str(text).ok()
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
    let positions = Positions::of(text, problems);
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

/// Where the nodes the problems name are: their paths (and the paths' ancestors) as a tree,
/// each node with the position of its key (in a mapping) and of its value, once found.
///
/// Only the paths problems name are kept, so memory follows the problems, not the document:
/// keeping every node's full path made a 2 MB file of deep, wide nesting cost gigabytes.
struct Positions {
    /// The tree; the root is the first.
    nodes: Vec<Wanted>,
}

/// One node of [`Positions`].
#[derive(Default)]
struct Wanted {
    children: HashMap<Seg, usize>,
    /// The position of its key, if it is a mapping's value, and of its value.
    found: Option<(Option<Marker>, Marker)>,
}

enum Frame {
    Mapping {
        /// The mapping's node in [`Positions`], if a problem is in it.
        node: Option<usize>,
        /// The key just read: its node, if wanted, and its position.
        key: Option<(Option<usize>, Marker)>,
        start: usize,
    },
    Sequence {
        node: Option<usize>,
        next: usize,
    },
}

struct Builder {
    positions: Positions,
    stack: Vec<Frame>,
    /// Whether the root has been placed: later documents are not looked at.
    rooted: bool,
}

/// Where an event's node goes: `None` when the event is a mapping key, else the node's entry in
/// [`Positions`] (if wanted) and the position of its key.
type Place = Option<(Option<usize>, Option<Marker>)>;

impl Builder {
    /// Places the node an event starts; `text` is a scalar's.
    fn place(&mut self, text: Option<&str>, mark: Marker) -> Place {
        let nodes = &self.positions.nodes;
        match self.stack.last_mut() {
            None if self.rooted => Some((None, None)),
            None => {
                self.rooted = true;
                Some((Some(0), None))
            }
            Some(Frame::Sequence { node, next }) => {
                let child = node.and_then(|n| nodes[n].children.get(&Seg::Index(*next)).copied());
                *next += 1;
                Some((child, None))
            }
            Some(Frame::Mapping { node, key, .. }) => match key.take() {
                Some((child, key_mark)) => Some((child, Some(key_mark))),
                None => {
                    // A key: remember it (complex keys count as their text, or nothing).
                    let child = node.and_then(|n| {
                        nodes[n]
                            .children
                            .get(&Seg::Key(text.unwrap_or_default().to_string()))
                            .copied()
                    });
                    *key = Some((child, mark));
                    None
                }
            },
        }
    }

    fn record(&mut self, node: Option<usize>, key: Option<Marker>, value: Marker) {
        if let Some(n) = node {
            self.positions.nodes[n].found.get_or_insert((key, value));
        }
    }

    /// Places a collection's start and opens its frame (a collection used as a mapping key
    /// gets a frame too, so that its end closes it and not its mapping).
    fn open(&mut self, mark: Marker, mapping: bool) {
        let node = match self.place(None, mark) {
            Some((node, key)) => {
                self.record(node, key, mark);
                node
            }
            None => None,
        };
        self.stack.push(if mapping {
            Frame::Mapping {
                node,
                key: None,
                start: mark.index(),
            }
        } else {
            Frame::Sequence { node, next: 0 }
        });
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(ref s, ..) => {
                if let Some((node, key)) = self.place(Some(s), mark) {
                    self.record(node, key, mark);
                }
            }
            Event::Alias(_) => {
                if let Some((node, key)) = self.place(None, mark) {
                    self.record(node, key, mark);
                }
            }
            Event::MappingStart(..) => self.open(mark, true),
            Event::SequenceStart(..) => self.open(mark, false),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
        // A block mapping's start mark lies one column past its first key: place the
        // mapping at that key instead.
        if let Some(Frame::Mapping {
            node: Some(n),
            key: Some((_, key_mark)),
            start,
        }) = self.stack.last()
            && key_mark.index() < *start
            && let Some(found) = &mut self.positions.nodes[*n].found
            && found.1.index() == *start
        {
            found.1 = *key_mark;
        }
    }
}

impl Positions {
    /// The positions of the nodes `problems` name, in `text`.
    fn of(text: &str, problems: &Problems) -> Positions {
        let mut positions = Positions {
            nodes: vec![Wanted::default()],
        };
        for p in &problems.0 {
            let mut at = 0;
            for seg in &p.path.0 {
                at = match positions.nodes[at].children.get(seg) {
                    Some(&child) => child,
                    None => {
                        let child = positions.nodes.len();
                        positions.nodes.push(Wanted::default());
                        positions.nodes[at].children.insert(seg.clone(), child);
                        child
                    }
                };
            }
        }
        let mut builder = Builder {
            positions,
            stack: Vec::new(),
            rooted: false,
        };
        // A document serde_yaml accepted parses here too; if not, positions stay partial and
        // problems fall back to their nearest known ancestor.
        let _ = Parser::new_from_str(text).load(&mut builder, false);
        builder.positions
    }

    /// The 1-based line and column of a problem: its node, else its nearest known ancestor.
    fn locate(&self, problem: &Problem) -> (usize, usize) {
        let mut best = self.nodes[0].found.map(|f| (f, problem.path.0.is_empty()));
        let mut at = 0;
        for (depth, seg) in problem.path.0.iter().enumerate() {
            let Some(&child) = self.nodes[at].children.get(seg) else {
                break;
            };
            at = child;
            let Some(found) = self.nodes[at].found else {
                break;
            };
            best = Some((found, depth + 1 == problem.path.0.len()));
        }
        let Some(((key, value), exact)) = best else {
            return (1, 1);
        };
        let m = match (problem.at, key) {
            (At::Key, Some(k)) if exact => k,
            _ => value,
        };
        (m.line().max(1), m.col() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::problem::YamlPath;

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
        assert!(refuse(bomb.as_bytes().to_vec()).contains("too many aliases"));
        assert!(refuse(vec![b' '; MAX_YAML_BYTES + 1]).contains("at most"));
    }

    #[test]
    fn aliases_are_allowed_up_to_a_budget_and_refused_at_the_alias_past_it() {
        let parse = |text: String| parse(Path::new("h.yaml"), text.into_bytes());
        // One 1 000-item anchor referenced 2 000 times: small, but 6 MB expanded.
        let items = vec!["x"; 1000].join(",");
        let aliases = vec!["*a"; 2000].join(",");
        let wide = format!("a: &a [{items}]\nb: [{aliases}]\n");
        let e = parse(wide).err().unwrap();
        assert!(e.message.contains("too many aliases"), "{e}");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.col > 4, "at the alias past the budget: {e}");
        // A long string copied: its length counts, not only its nodes.
        let long = format!(
            "a: &a {}\nb: [{}]\n",
            "x".repeat(100_000),
            vec!["*a"; 30].join(",")
        );
        assert!(
            parse(long)
                .err()
                .unwrap()
                .message
                .contains("too many aliases")
        );
        // An alias inside the node it names.
        let cycle = parse("a: &a [1, *a]\n".into()).err().unwrap();
        assert!(
            cycle.message.contains("cycle") || cycle.message.contains("YAML"),
            "{cycle}"
        );
        // A list of values shared, as PyYAML writes it and people reuse one in a schema.
        let shared = "fields:\n- {name: a, type: choice, values: &v [x, y, z]}\n- {name: b, type: choice, values: *v}\n";
        let doc = parse(shared.into()).unwrap().doc;
        assert_eq!(doc["fields"][1]["values"][2], Yaml::String("z".into()));
        // Nesting past the limit is refused by the pass too, not walked without end.
        let deep = format!("a: &a 1\nb: *a\nc: {}", "[".repeat(200));
        assert!(
            parse(deep)
                .err()
                .unwrap()
                .message
                .contains("recursion limit")
        );
    }

    #[test]
    fn a_document_of_too_many_nodes_is_refused_at_the_node_past_the_limit() {
        let wide = format!("a: [{}]\n", vec!["[]"; 150_000].join(","));
        let e = parse(Path::new("w.yaml"), wide.into_bytes()).err().unwrap();
        assert!(e.message.starts_with("more than 100000 YAML nodes"), "{e}");
        // The root, `a` and its list are three nodes: the 99 998th `[]` is one too many.
        assert_eq!((e.line, e.col), (1, 5 + 3 * 99_997), "{e}");
        // Within the limit, and large: read.
        let fine = format!("a: [{}]\n", vec!["1"; 90_000].join(","));
        assert!(parse(Path::new("w.yaml"), fine.into_bytes()).is_ok());
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let p = parse(Path::new("b.yaml"), b"\xEF\xBB\xBFa: 1\nb: 2\n".to_vec()).unwrap();
        assert_eq!(p.doc["b"], Yaml::Number(2.into()));
        assert!(p.text().starts_with("a: 1"));
    }

    #[test]
    fn positions_of_a_wide_deep_file_are_found_and_only_named_nodes_kept() {
        // 200 keys of 100 levels each: the problem is in the last one.
        let mut text = String::new();
        for k in 0..200 {
            text.push_str(&format!("k{k}: "));
            text.push_str(&"[".repeat(100));
            text.push_str(&"]".repeat(100));
            text.push('\n');
        }
        text.push_str("last:\n  ? [complex, key]\n  : 1\n  value: 2\n");
        let mut path = path_of(&["last", "value"]);
        assert_eq!(located(&text, path.clone(), At::Value), (204, 10));
        assert_eq!(located(&text, path.clone(), At::Key), (204, 3));
        path.0.push(Seg::Index(3));
        assert_eq!(located(&text, path, At::Key), (204, 10));
        let problems = Problems(vec![Problem {
            path: path_of(&["k199"]).index(0),
            at: At::Value,
            severity: Severity::Error,
            message: "x".into(),
        }]);
        let positions = Positions::of(&text, &problems);
        assert_eq!(positions.nodes.len(), 3);
        assert_eq!(positions.locate(&problems.0[0]), (200, 8));
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
