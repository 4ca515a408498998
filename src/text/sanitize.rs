//! Untrusted text in, text that is safe to hand a terminal out.
//!
//! Article text is scraped from the web and YAML values come from an extractor: either can hold
//! an escape sequence that would recolour the screen, move the cursor or (OSC 52) write to the
//! analyst's clipboard. Every C0 and C1 control and DEL is therefore replaced by a visible
//! symbol before layout. What is *not* removed here: the explicit bidi formatting characters
//! (they take part in the bidi algorithm and are dropped from the output after reordering), and
//! ZWJ, ZWNJ and U+061C ARABIC LETTER MARK, which change how Arabic is joined and ordered.
//!
//! Short strings printed as they are — names, ids, paths, messages on the command line and in
//! the review screen's labels — go through [`sanitize_inline`], which also shows the bidi
//! controls as escapes: outside a paragraph laid out by tadqiq, a U+202E RIGHT-TO-LEFT OVERRIDE
//! in a file name would reorder the rest of the terminal line around it (`txt.exe` shown as
//! `exe.txt`), so there it must be seen, not obeyed.
//!
//! Sanitizing changes lengths (a tab becomes several spaces, a C1 control four symbols), so the
//! result carries, for each of its chars, the offset of the source char it came from: offsets in
//! the gold set always refer to the article file's own text.

use std::borrow::Cow;

/// Tab stops every this many columns, counted in the paragraph's logical order.
pub const TAB_WIDTH: usize = 8;

/// A paragraph (one source line) made safe for the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sanitized<'a> {
    /// The text to lay out: no control characters except the bidi formatting ones.
    pub text: Cow<'a, str>,
    /// For each char of `text`, the char offset of its source char relative to the start of the
    /// source line. `None` when the text was already safe and offsets are the identity.
    source: Option<Vec<u32>>,
}

impl Sanitized<'_> {
    /// The source char offset (relative to the line) of the `i`-th char of [`Self::text`].
    #[inline]
    pub fn source_of(&self, i: usize) -> u32 {
        match &self.source {
            None => i as u32,
            Some(map) => map[i],
        }
    }

    /// How many chars of [`Self::text`] come from source chars before `source` (relative to the
    /// start of the source line).
    pub fn chars_before(&self, source: u32) -> usize {
        match &self.source {
            None => source as usize,
            Some(map) => map.partition_point(|&s| s < source),
        }
    }

    /// Whether sanitizing changed anything.
    pub fn is_identity(&self) -> bool {
        self.source.is_none()
    }
}

/// Whether `c` must not reach a terminal raw: C0 controls (but not newline, which separates
/// paragraphs before we get here), DEL and C1 controls.
#[inline]
pub fn is_unsafe_control(c: char) -> bool {
    matches!(c, '\0'..='\u{1F}' | '\u{7F}'..='\u{9F}')
}

/// Whether `c` is an invisible bidi control: the embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), the marks LRM, RLM (U+200E, U+200F) and ALM (U+061C).
/// Inside an article they are part of the text; in a name or a message they are hidden
/// instructions to the terminal.
#[inline]
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether `s` holds a char that [`is_unsafe_control`] rejects. Scans bytes rather than chars,
/// without early exit so that it vectorises: every line of an article goes through here. In
/// UTF-8 a C0 control or DEL is that byte itself, and a C1 control (U+0080..U+009F) is 0xC2
/// followed by 0x80..=0x9F (0xC2 followed by 0xA0..=0xBF is NBSP, «, » and the like).
#[inline]
fn has_unsafe_control(s: &str) -> bool {
    let b = s.as_bytes();
    let c0 = b.iter().fold(false, |a, &x| a | (x < 0x20) | (x == 0x7F));
    let c1 = b
        .windows(2)
        .fold(false, |a, w| a | ((w[0] == 0xC2) & (w[1] < 0xA0)));
    c0 || c1
}

/// Makes one source line (no `\n` inside) safe for the terminal.
///
/// - a CR at the end of the line (the CR of CRLF) is dropped;
/// - a tab becomes spaces up to the next [`TAB_WIDTH`] stop;
/// - other C0 controls become their Control Pictures symbol (ESC → ␛, U+241B), DEL becomes ␡;
/// - C1 controls, which have no picture, become `\x85`-style escapes.
pub fn sanitize_line(line: &str) -> Sanitized<'_> {
    sanitize_part(line.strip_suffix('\r').unwrap_or(line), 0)
}

/// [`sanitize_line`] for a part of a line that starts `column` chars into the line's sanitized
/// text (which places its tab stops), and whose final CR is kept: a paragraph too long to
/// sanitize whole, in pieces.
pub fn sanitize_part(line: &str, column: usize) -> Sanitized<'_> {
    if !has_unsafe_control(line) {
        return Sanitized {
            text: Cow::Borrowed(line),
            source: None,
        };
    }
    let mut text = String::with_capacity(line.len() + 16);
    let mut source = Vec::with_capacity(line.len());
    for (i, c) in line.chars().enumerate() {
        let i = i as u32;
        let before = text.len();
        match c {
            '\t' => {
                let column = column + source.len();
                text.extend(std::iter::repeat_n(' ', TAB_WIDTH - column % TAB_WIDTH));
            }
            '\0'..='\u{1F}' => text.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7F}' => text.push('\u{2421}'),
            '\u{80}'..='\u{9F}' => {
                use std::fmt::Write;
                let _ = write!(text, "\\x{:02X}", c as u32);
            }
            _ => text.push(c),
        }
        // Every char just written comes from source char `i`.
        let written = text[before..].chars().count();
        source.extend(std::iter::repeat_n(i, written));
    }
    Sanitized {
        text: Cow::Owned(text),
        source: Some(source),
    }
}

/// Makes a short, single-line string (YAML value, file name, analyst, message) safe to print:
/// newlines and other controls become visible symbols, bidi controls ([`is_bidi_control`])
/// become `\u{202E}`-style escapes; nothing is reordered. For labels, ids, paths and every
/// message the command line prints.
pub fn sanitize_inline(s: &str) -> Cow<'_, str> {
    if !has_unsafe_control(s) && !s.chars().any(is_bidi_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for line in s.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, true),
            None => (line, false),
        };
        for c in sanitize_line(body).text.chars() {
            if is_bidi_control(c) {
                use std::fmt::Write;
                let _ = write!(out, "\\u{{{:04X}}}", c as u32);
            } else {
                out.push(c);
            }
        }
        if newline {
            out.push('\u{2424}');
        }
    }
    Cow::Owned(out)
}

/// JSON whose strings hold no char a terminal would act on. serde_json escapes only `"`, `\\`
/// and C0 controls; this also escapes DEL, the C1 controls (U+0080–U+009F: U+009B is a
/// one-char CSI) and the bidi controls as `\\u009b`-style escapes, so that JSON output (export,
/// `agree`, `score`, `status`) can be printed or `cat` safely and parses to the same strings.
pub struct JsonEscapes<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for JsonEscapes<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // Every char escaped here has one of these bytes in its UTF-8 (C0 and DEL are
        // themselves; C1 starts with 0xC2, the marks and isolates with 0xE2, ALM ends with
        // 0x9C): most fragments have none and are written whole. Without early exit, so that
        // the scan vectorises.
        let maybe = fragment.bytes().fold(false, |m, b| {
            m | (b < 0x20) | (b == 0x7F) | (b == 0xC2) | (b == 0xE2) | (b == 0x9C)
        });
        if !maybe {
            return self.0.write_string_fragment(writer, fragment);
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe_control(c) || is_bidi_control(c) {
                self.0.write_string_fragment(writer, &fragment[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        self.0.write_string_fragment(writer, &fragment[start..])
    }

    // Everything else as the wrapped formatter writes it (compact or pretty).
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as compact JSON through [`JsonEscapes`].
pub fn write_json<W: std::io::Write, T: ?Sized + serde::Serialize>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        writer,
        JsonEscapes(serde_json::ser::CompactFormatter),
    );
    value.serialize(&mut ser)
}

/// Writes `value` as indented JSON through [`JsonEscapes`].
pub fn write_json_pretty<W: std::io::Write, T: ?Sized + serde::Serialize>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    let formatter = JsonEscapes(serde_json::ser::PrettyFormatter::new());
    let mut ser = serde_json::Serializer::with_formatter(writer, formatter);
    value.serialize(&mut ser)
}

/// What decoding a file's bytes found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeWarning {
    /// How many invalid sequences became U+FFFD.
    pub replaced: usize,
    /// Byte offset of the first invalid sequence.
    pub first_byte: usize,
}

impl std::fmt::Display for DecodeWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid UTF-8: {} sequence(s) shown as U+FFFD, the first at byte {}",
            self.replaced, self.first_byte
        )
    }
}

/// Decodes an article's bytes as UTF-8; invalid sequences become U+FFFD and are reported, never
/// a panic or an error: an analyst still wants to read the rest of the article.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Option<DecodeWarning>) {
    // simdutf8: an article is validated at memory speed (std's check is slow on Arabic).
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), None),
        Err(_) => {
            let first_byte = std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to());
            let mut replaced = 0;
            for chunk in bytes[first_byte..].utf8_chunks() {
                if !chunk.invalid().is_empty() {
                    replaced += 1;
                }
            }
            (
                Cow::Owned(String::from_utf8_lossy(bytes).into_owned()),
                Some(DecodeWarning {
                    replaced,
                    first_byte,
                }),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars_and_sources(s: &Sanitized<'_>) -> Vec<(char, u32)> {
        s.text
            .chars()
            .enumerate()
            .map(|(i, c)| (c, s.source_of(i)))
            .collect()
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_unsafe_controls() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for s in [format!("{c}"), format!("aب{c}«"), format!("{c}\u{a0}»")] {
                assert_eq!(
                    has_unsafe_control(&s),
                    s.chars().any(is_unsafe_control),
                    "U+{:04X}",
                    c as u32
                );
            }
        }
        assert!(!has_unsafe_control("«نعم» \u{a0}\u{bf}"));
        assert!(has_unsafe_control("«\u{9f}»"));
    }

    #[test]
    fn clean_text_is_borrowed_with_identity_offsets() {
        let s = sanitize_line("استقبل حموشي Nicolas Lerner\u{200C}\u{200D}\u{061C}\u{202B}");
        assert!(s.is_identity());
        assert!(matches!(s.text, Cow::Borrowed(_)));
        assert_eq!(s.source_of(3), 3);
    }

    #[test]
    fn escape_sequences_become_visible() {
        let s = sanitize_line("a\u{1b}[31mb\u{1b}]52;c;ZXZpbA==\u{7}");
        assert_eq!(s.text, "a\u{241B}[31mb\u{241B}]52;c;ZXZpbA==\u{2407}");
        assert!(!s.text.chars().any(is_unsafe_control));
    }

    #[test]
    fn c1_controls_and_del_become_visible() {
        let s = sanitize_line("x\u{9B}31m\u{85}\u{7F}");
        assert_eq!(s.text, "x\\x9B31m\\x85\u{2421}");
        let map = chars_and_sources(&s);
        // the four chars of "\x9B" all come from source char 1
        assert!(map[1..5].iter().all(|&(_, src)| src == 1));
        assert_eq!(map[5], ('3', 2));
    }

    #[test]
    fn a_line_sanitized_in_parts_is_the_line_sanitized_whole() {
        let line = "ab\tc\u{1b}\td\u{9b}\t\tسلام\t";
        let whole = sanitize_line(line);
        for cut in 0..=line.chars().count() {
            let at = line.char_indices().nth(cut).map_or(line.len(), |(i, _)| i);
            let first = sanitize_part(&line[..at], 0);
            let column = first.text.chars().count();
            let second = sanitize_part(&line[at..], column);
            assert_eq!(
                format!("{}{}", first.text, second.text),
                whole.text,
                "cut at {cut}"
            );
            assert_eq!(first.chars_before(cut as u32), column);
        }
    }

    #[test]
    fn tabs_expand_to_the_next_stop_and_keep_their_source() {
        let s = sanitize_line("ab\tc\t");
        assert_eq!(s.text, format!("ab{}c{}", " ".repeat(6), " ".repeat(7)));
        let map = chars_and_sources(&s);
        assert_eq!(map[2..8].iter().map(|m| m.1).collect::<Vec<_>>(), [2; 6]);
        assert_eq!(map[8], ('c', 3));
    }

    #[test]
    fn carriage_return_before_newline_is_dropped_and_a_lone_one_shown() {
        assert_eq!(sanitize_line("abc\r").text, "abc");
        assert_eq!(sanitize_line("a\rb\r").text, "a\u{240D}b");
    }

    #[test]
    fn inline_makes_newlines_visible() {
        assert_eq!(sanitize_inline("a\nb\u{1b}"), "a\u{2424}b\u{241B}");
        assert_eq!(sanitize_inline("حموشي"), "حموشي");
    }

    #[test]
    fn inline_shows_bidi_controls_as_escapes() {
        assert_eq!(
            sanitize_inline("invoice\u{202E}txt.exe"),
            "invoice\\u{202E}txt.exe"
        );
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let shown = sanitize_inline(&format!("a{c}ب")).into_owned();
            assert!(
                !shown
                    .chars()
                    .any(|c| is_bidi_control(c) || is_unsafe_control(c)),
                "U+{:04X}",
                c as u32
            );
        }
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{2066}', '\u{2069}',
        ] {
            assert!(is_bidi_control(c));
        }
        // Joiners shape Arabic; they are not controls.
        assert_eq!(sanitize_inline("لا\u{200C}\u{200D}"), "لا\u{200C}\u{200D}");
    }

    #[test]
    fn json_escapes_every_control_and_bidi_char_and_reads_back_the_same() {
        let text = "a\u{1b}]52;c;eA==\u{7}\u{9b}31m\u{7f}\u{202e}ب\u{2066}\u{61c}«»\u{a0}";
        let mut out = Vec::new();
        write_json(&mut out, &serde_json::json!({ text: [text] })).unwrap();
        let json = String::from_utf8(out).unwrap();
        assert!(
            !json
                .chars()
                .any(|c| is_unsafe_control(c) || is_bidi_control(c)),
            "{json:?}"
        );
        for escape in [
            "\\u009b", "\\u202e", "\\u007f", "\\u2066", "\\u061c", "\\u001b",
        ] {
            assert!(json.contains(escape), "{escape} in {json}");
        }
        assert!(json.contains("«»\u{a0}"));
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, serde_json::json!({ text: [text] }));
        let mut pretty = Vec::new();
        write_json_pretty(&mut pretty, &serde_json::json!({"k": [1, "\u{85}"]})).unwrap();
        assert_eq!(
            String::from_utf8(pretty).unwrap(),
            "{\n  \"k\": [\n    1,\n    \"\\u0085\"\n  ]\n}"
        );
    }

    #[test]
    fn json_escapes_a_control_or_bidi_char_wherever_it_stands_among_arabic() {
        // Every char of the planes tadqiq meets, between Arabic letters: the byte scan that
        // lets most text through unexamined must never let one of them through.
        for c in (0..0x3000u32).filter_map(char::from_u32) {
            let text = format!("مراكش{c}الان");
            let mut out = Vec::new();
            write_json(&mut out, &text).unwrap();
            let json = String::from_utf8(out).unwrap();
            let inner = &json[1..json.len() - 1];
            let raw = inner.contains(c);
            if is_unsafe_control(c) || is_bidi_control(c) {
                // serde_json writes \b, \n and the like itself; the rest as \u00XX.
                assert!(!raw, "{c:?}: {json}");
            } else if c != '"' && c != '\\' {
                assert!(raw, "{c:?}: {json}");
            }
            assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text);
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_and_reported() {
        let (text, warning) = decode(b"ab\xFF\xFEcd\xC3");
        assert_eq!(text, "ab\u{FFFD}\u{FFFD}cd\u{FFFD}");
        let w = warning.unwrap();
        assert_eq!(w.first_byte, 2);
        assert!(w.replaced >= 2);
        assert!(decode("سلام".as_bytes()).1.is_none());
    }
}
