//! From an article's logical text to screen rows in visual order: the bridge between the text
//! and the terminal.
//!
//! Per paragraph (one source line), in this order:
//! 1. [sanitize](super::sanitize) the line;
//! 2. choose its direction (P2–P3, else the article's dominant one) and resolve its levels
//!    (`unicode-bidi`), once for the whole paragraph;
//! 3. [shape](super::shape) its Arabic letters in logical order and mirror brackets at RTL
//!    levels (L4), per grapheme cluster, so that harakat stay on their letter (L3);
//! 4. wrap the *logical* units at UAX #14 opportunities to the width, measuring each cluster as a
//!    terminal draws it; a word is split only when it alone is wider than the row;
//! 5. reorder each line with the paragraph's levels ([L1 and L2](super::bidi));
//! 6. right-align RTL rows.
//!
//! A paragraph longer than [`PIECE_BYTES`] goes through these steps a piece at a time, with
//! the direction decided over the whole of it, so that its memory stays bounded; its rows are
//! those of a whole layout for ordinary text (see [`Layouter::paragraph_rows`]).
//!
//! Every cell keeps the source offsets (Unicode scalar values into the article text) it came
//! from, so that the review screen can highlight an evidence span and place a cursor.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::ops::Range;
use std::sync::Arc;

use unicode_bidi::{BidiClass, BidiDataSource};
use unicode_linebreak::BreakOpportunity;
use unicode_segmentation::UnicodeSegmentation;

use super::bidi::{self, BidiTable, Direction, ParagraphLevels};
use super::sanitize::{Sanitized, TAB_WIDTH, is_unsafe_control, sanitize_line, sanitize_part};
use super::shape::{self, Shaped};
use super::width::{CharFacts, cluster_width, extends_cluster, is_default_ignorable, is_invisible};

/// The most chars one cell draws: a cluster of a letter and hundreds of marks ("zalgo" text)
/// would otherwise reach the terminal whole.
const MAX_CLUSTER_CHARS: usize = 16;

/// Paragraphs longer than this many bytes are laid out a piece at a time: laying one out costs
/// tens of bytes of memory per byte of text, and an article may be one 60 MB line.
pub const PIECE_BYTES: usize = 64 * 1024;

/// Drawn in front of a mark that has no letter to sit on, as typographers do.
const DOTTED_CIRCLE: char = '\u{25CC}';

/// How a paragraph's base direction is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum DirectionPolicy {
    /// UAX #9 P2–P3 per paragraph; paragraphs with no strong character take the article's
    /// dominant direction.
    #[default]
    Auto,
    /// Every paragraph in this direction.
    Forced(Direction),
}

/// Who puts characters in visual order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum BidiMode {
    /// tadqiq reorders and mirrors; the terminal must draw cells as given (the "explicit mode"
    /// of the terminal-wg BiDi recommendation).
    #[default]
    App,
    /// The terminal reorders by itself (Konsole, mlterm): cells stay in logical order.
    Terminal,
}

/// Everything that changes a layout besides the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayoutOptions {
    /// Row width in terminal cells (at least 1).
    pub width: u16,
    /// Arabic contextual shaping into presentation forms.
    pub shape: bool,
    /// How each paragraph's direction is chosen.
    pub direction: DirectionPolicy,
    /// Who reorders.
    pub bidi: BidiMode,
}

impl LayoutOptions {
    /// Defaults for a row `width` cells wide: shaping on, automatic direction, app reordering.
    pub fn new(width: u16) -> Self {
        LayoutOptions {
            width: width.max(1),
            shape: true,
            direction: DirectionPolicy::Auto,
            bidi: BidiMode::App,
        }
    }
}

/// One drawn cluster: a terminal cell, or two for a wide character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// Column of the cell's left edge within the row, padding included.
    pub col: u16,
    /// Cells taken: 1 or 2.
    pub width: u8,
    /// Whether the cluster sits at an odd (right-to-left) level.
    pub rtl: bool,
    /// The source chars it stands for, as offsets into the article text.
    pub source: Range<u32>,
    text: Range<u32>,
}

/// One screen row of a laid-out text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The cells' text in visual order, left to right, without the padding.
    text: String,
    cells: Vec<Cell>,
    /// Blank columns on the left: right-to-left rows are right-aligned.
    pub indent: u16,
    /// Columns taken by the cells.
    pub width: u16,
    /// Index of the paragraph (source line) the row belongs to.
    pub paragraph: u32,
    /// The source chars of the row's line, in logical order, including whitespace that was not
    /// drawn at its ends.
    pub source: Range<u32>,
    /// The paragraph's base direction.
    pub direction: Direction,
}

impl Row {
    /// A row with nothing drawn, for an empty line starting at char offset `at`.
    pub fn empty(at: u32, direction: Direction) -> Row {
        Row {
            text: String::new(),
            cells: Vec::new(),
            indent: 0,
            width: 0,
            paragraph: 0,
            source: at..at,
            direction,
        }
    }

    /// The row's cells, in visual order.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// What a cell draws.
    pub fn cell_text(&self, cell: &Cell) -> &str {
        &self.text[cell.text.start as usize..cell.text.end as usize]
    }

    /// The row's text in visual order, without padding.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The row as a terminal line: padding, then the visual text.
    pub fn to_line(&self) -> String {
        let mut s = String::with_capacity(self.indent as usize + self.text.len());
        s.extend(std::iter::repeat_n(' ', self.indent as usize));
        s.push_str(&self.text);
        s
    }

    /// The cell that covers column `col`, if any.
    pub fn cell_at(&self, col: u16) -> Option<&Cell> {
        let i = self
            .cells
            .partition_point(|c| c.col + c.width as u16 <= col);
        self.cells.get(i).filter(|c| c.col <= col)
    }

    /// The column ranges covering the source range `span`, left to right: a span that crosses a
    /// direction change shows as several pieces.
    pub fn columns_of(&self, span: &Range<u32>) -> Vec<Range<u16>> {
        let mut out: Vec<Range<u16>> = Vec::new();
        for c in &self.cells {
            if c.source.start < span.end && span.start < c.source.end {
                let r = c.col..c.col + c.width as u16;
                match out.last_mut() {
                    Some(last) if last.end == r.start => last.end = r.end,
                    _ => out.push(r),
                }
            }
        }
        out
    }
}

/// A whole text laid out at one width.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    rows: Vec<Row>,
}

impl Layout {
    /// Lays out `text` (an article: paragraphs separated by newlines).
    pub fn new(text: &str, options: LayoutOptions) -> Layout {
        let mut rows = Vec::new();
        let mut layouter = Layouter::new(options, text);
        for p in paragraphs(text) {
            layouter.paragraph(p, &mut rows);
        }
        Layout { rows }
    }

    /// All rows, top to bottom.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The row whose line holds the source offset, or, for an offset between lines (a newline),
    /// the next row.
    pub fn row_of(&self, offset: u32) -> Option<usize> {
        let i = self
            .rows
            .partition_point(|r| r.source.end <= offset && r.source.start < offset);
        (i < self.rows.len()).then_some(i)
    }

    /// Where the source range `span` shows: for each row it touches, the column ranges, left to
    /// right. Empty when nothing of it is drawn.
    pub fn spans(&self, span: Range<u32>) -> Vec<(usize, Vec<Range<u16>>)> {
        if span.start >= span.end {
            return Vec::new();
        }
        let first = self.rows.partition_point(|r| r.source.end <= span.start);
        let mut out = Vec::new();
        for (i, row) in self.rows.iter().enumerate().skip(first) {
            if row.source.start >= span.end && !row.source.is_empty() {
                break;
            }
            let cols = row.columns_of(&span);
            if !cols.is_empty() {
                out.push((i, cols));
            }
        }
        out
    }

    /// The source offset drawn at a screen position, if any.
    pub fn offset_at(&self, row: usize, col: u16) -> Option<u32> {
        self.rows.get(row)?.cell_at(col).map(|c| c.source.start)
    }
}

/// A source line and where it starts, in chars and in lines.
#[derive(Clone, Copy, Debug)]
pub struct Paragraph<'a> {
    /// The line without its newline.
    pub text: &'a str,
    /// Char offset of its first char in the whole text.
    pub start: u32,
    /// Its index among the text's lines.
    pub index: u32,
}

/// The paragraphs of a text: one per line, split at `\n` and U+2029 PARAGRAPH SEPARATOR.
/// A final newline does not start an empty paragraph.
pub fn paragraphs(text: &str) -> impl Iterator<Item = Paragraph<'_>> {
    let mut rest = text;
    let mut start = 0u32;
    let mut index = 0u32;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, sep_len) = match find_separator(rest) {
            Some(i) => (
                &rest[..i],
                rest[i..].chars().next().map_or(0, char::len_utf8),
            ),
            None => (rest, 0),
        };
        let p = Paragraph {
            text: line,
            start,
            index,
        };
        start += count_chars(line) as u32 + (sep_len > 0) as u32;
        index += 1;
        rest = &rest[line.len() + sep_len..];
        Some(p)
    })
}

/// The byte offset of the first `\n` or U+2029 in `s`. The same as `s.find(['\n', '\u{2029}'])`,
/// which decodes every char, but scans bytes: `\n` is its own byte and U+2029 is E2 80 A9.
fn find_separator(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let candidate = |b: u8| b == b'\n' || b == 0xE2;
    let mut from = 0;
    loop {
        // Skip 32-byte chunks with neither byte: a test without early exit vectorises, where a
        // byte-by-byte search does not, and lines are hundreds of bytes long.
        while let Some(chunk) = bytes.get(from..from + 32)
            && !chunk.iter().fold(false, |any, &b| any | candidate(b))
        {
            from += 32;
        }
        let i = from + bytes[from..].iter().position(|&b| candidate(b))?;
        // 0xE2 also leads the dashes, quotes and ellipsis of General Punctuation.
        if bytes[i] == b'\n' || bytes[i..].starts_with("\u{2029}".as_bytes()) {
            return Some(i);
        }
        from = i + 1;
    }
}

/// Chars in a string, counting lead bytes (faster than `chars().count()` on long lines).
fn count_chars(s: &str) -> usize {
    s.bytes().filter(|&b| (b as i8) >= -0x40).count()
}

/// What a unit is to wrapping and drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Drawn.
    Visible,
    /// Whitespace (bidi class WS): drawn between words, not at the ends of a row.
    Space,
    /// Takes part in L1–L2 (isolates, LRM/RLM/ALM, invisible format characters) but draws
    /// nothing.
    Hidden,
    /// Removed by rule X9 (embeddings, overrides, boundary neutrals): takes part in nothing.
    Removed,
}

/// A grapheme cluster of a paragraph, after shaping and mirroring, in logical order.
#[derive(Clone, Debug)]
struct Unit {
    /// Byte offset of the cluster in the sanitized paragraph.
    byte: u32,
    /// What it draws: a range of `Layouter::display`, or `one`.
    text: Range<u32>,
    source: Range<u32>,
    level: u8,
    class: BidiClass,
    width: u8,
    kind: Kind,
    /// A line break is allowed (or required) before this unit.
    break_before: Option<BreakOpportunity>,
    /// What it draws when that is one char, which is then not written to `display` (`text`
    /// is empty): the common case costs one char write, into the row, instead of two plus a
    /// byte copy.
    one: Option<char>,
}

/// Lays out paragraphs one at a time, reusing its buffers: `render` streams a text of any size
/// through one of these with flat memory.
pub struct Layouter {
    options: LayoutOptions,
    fallback: Direction,
    /// The per-char tables, looked up for every char.
    facts: CharFacts,
    bidi_table: BidiTable,
    chars: Vec<char>,
    bidi: ParagraphLevels,
    shaped: Vec<Shaped>,
    units: Vec<Unit>,
    display: String,
    lines: Vec<Range<usize>>,
    line_classes: Vec<BidiClass>,
    line_levels: Vec<u8>,
    line_units: Vec<usize>,
    order: Vec<usize>,
    /// Whether the current paragraph has units removed by X9.
    has_removed: bool,
    /// Paragraphs longer than this many bytes are laid out a piece at a time.
    piece_bytes: usize,
}

impl Layouter {
    /// A layouter for `text`, whose dominant direction serves paragraphs with no strong
    /// character. `text` is only read for that.
    pub fn new(options: LayoutOptions, text: &str) -> Self {
        Self::with_fallback(options, bidi::dominant_direction(text))
    }

    /// A layouter whose paragraphs with no strong character take `fallback`.
    pub fn with_fallback(options: LayoutOptions, fallback: Direction) -> Self {
        Layouter {
            options: LayoutOptions {
                width: options.width.max(1),
                ..options
            },
            fallback,
            facts: CharFacts::get(),
            bidi_table: BidiTable::get(),
            chars: Vec::new(),
            bidi: ParagraphLevels::default(),
            shaped: Vec::new(),
            units: Vec::new(),
            display: String::new(),
            lines: Vec::new(),
            line_classes: Vec::new(),
            line_levels: Vec::new(),
            line_units: Vec::new(),
            order: Vec::new(),
            has_removed: false,
            piece_bytes: PIECE_BYTES,
        }
    }

    /// Lays out one paragraph and appends its rows (at least one) to `out`.
    pub fn paragraph(&mut self, p: Paragraph<'_>, out: &mut Vec<Row>) {
        let pushed: Result<(), std::convert::Infallible> = self.paragraph_rows(p, |row| {
            out.push(row);
            Ok(())
        });
        let Ok(()) = pushed;
    }

    /// Lays out one paragraph and hands its rows (at least one), top to bottom, to `emit`,
    /// stopping at its first error. A paragraph longer than the piece bound (64 KiB) is laid out
    /// a piece at a time, so that memory stays bounded whatever its length: see
    /// [`Layouter::piece_bytes`].
    pub fn paragraph_rows<E>(
        &mut self,
        p: Paragraph<'_>,
        mut emit: impl FnMut(Row) -> Result<(), E>,
    ) -> Result<(), E> {
        let bound = self.piece_bound();
        if p.text.len() > bound {
            return self.pieces(p, bound, &mut emit);
        }
        let sanitized = sanitize_line(p.text);
        // The source line's length in chars: the chars about to be decoded, unless sanitizing
        // changed the text (then count the source's own).
        let source_chars = if sanitized.is_identity() && sanitized.text.len() == p.text.len() {
            None
        } else {
            Some(count_chars(p.text) as u32)
        };
        let piece = Piece {
            rows_from: p.start,
            first_row_from: p.start,
            end: source_chars.map(|n| p.start + n),
            hold_from: None,
        };
        self.piece(p, &sanitized, None, piece, &mut emit)?;
        Ok(())
    }

    /// Sets the piece bound: paragraphs longer than `bytes` are laid out in pieces of at most
    /// about that many bytes (and at least 32 bytes per cell of the row width, so that a piece
    /// holds several rows). 64 KiB unless set; tests make it small.
    pub fn piece_bytes(mut self, bytes: usize) -> Self {
        self.piece_bytes = bytes.max(16);
        self
    }

    fn piece_bound(&self) -> usize {
        self.piece_bytes.max(self.options.width as usize * 32)
    }

    /// Lays out a paragraph longer than `bound` bytes a piece at a time.
    ///
    /// The direction is decided once, over the whole paragraph (P2–P3, a streaming scan), and
    /// forced on every piece. Each piece is laid out with some of the text before its rows as
    /// context, starting at a strong character outside any embedding (from there on, levels
    /// resolve as in the whole paragraph), which also gives the first row's letters their
    /// shapes and break opportunities. The rows after the piece's last strong character are
    /// held back (their neutrals are resolved by what follows), and so is the last row, whose
    /// wrapping depends on what follows: they are laid out again as the start of the next piece.
    /// The rows are therefore those of the whole paragraph, except where a bracket pair, or an
    /// explicit embedding or isolate, spans a piece's context, or no strong character comes for
    /// an eighth of the bound (then a piece starts and holds back an eighth of the bound
    /// whatever is there), or one row alone holds more than a piece (then it is cut at the
    /// piece's end; whitespace and invisible text after it go to the next row drawn): bounded
    /// memory wins over those.
    fn pieces<E>(
        &mut self,
        p: Paragraph<'_>,
        bound: usize,
        emit: &mut impl FnMut(Row) -> Result<(), E>,
    ) -> Result<(), E> {
        let line = p.text.strip_suffix('\r').unwrap_or(p.text);
        let paragraph_end = p.start + count_chars(p.text) as u32;
        let mut scan = DirectionScan::default();
        if matches!(self.options.direction, DirectionPolicy::Auto) {
            scan.add(line);
        }
        let mut state = self.piece_state(p.start, p.index, scan.direction());
        let mut ctx = 0;
        loop {
            let window = &line[ctx..];
            let end = (window.len() <= bound).then_some(paragraph_end);
            match self.piece_step(&mut state, window, end, bound, emit)? {
                Some(next) => ctx += next,
                None => return Ok(()),
            }
        }
    }

    fn piece_state(&self, start: u32, index: u32, first_strong: Option<Direction>) -> PieceState {
        PieceState {
            start,
            index,
            direction: match self.options.direction {
                DirectionPolicy::Forced(d) => d,
                DirectionPolicy::Auto => first_strong.unwrap_or(self.fallback),
            },
            ctx_char: 0,
            ctx_column: 0,
            ctx_depth: 0,
            start_byte: 0,
            start_char: 0,
            first_row_from: start,
            strong: Vec::new(),
        }
    }

    /// Lays out the next piece of a long paragraph: `window` is its text from the piece's
    /// context on (more than `bound` bytes of it, unless it runs to the paragraph's end, whose
    /// source offset `paragraph_end` then is). Returns how many bytes of the window the next
    /// piece no longer needs, or `None` after the paragraph's last piece.
    fn piece_step<E>(
        &mut self,
        st: &mut PieceState,
        window: &str,
        paragraph_end: Option<u32>,
        bound: usize,
        emit: &mut impl FnMut(Row) -> Result<(), E>,
    ) -> Result<Option<usize>, E> {
        let line = window;
        let context = bound / 8;
        let table = self.bidi_table;
        let last = paragraph_end.filter(|_| line.len() <= bound);
        let end = match last {
            Some(_) => line.len(),
            None => cut_point(line, st.start_byte, bound),
        };
        let text = &line[..end];
        // Where the strong chars outside any embedding and any bracket pair (N0 pairs
        // brackets across any distance) are, as byte offsets into the window.
        let strong = &mut st.strong;
        strong.clear();
        let mut brackets = 0u32;
        let end_depth = explicit_depth(text, st.ctx_depth, |at, c| match table.class(c) {
            BidiClass::L | BidiClass::R | BidiClass::AL if brackets == 0 => strong.push(at),
            BidiClass::ON => match bidi::TableBidiData.bidi_matched_opening_bracket(c) {
                Some(b) if b.is_open => brackets += 1,
                Some(_) => brackets = brackets.saturating_sub(1),
                None => {}
            },
            _ => {}
        });
        let sanitized = sanitize_part(text, st.ctx_column);
        let piece_start = st.start + st.ctx_char;
        let text_chars = count_chars(text) as u32;
        let char_of = |byte: usize| piece_start + count_chars(&text[..byte]) as u32;
        // Rows that end after the last strong char are held back; without one near the
        // end, those that end in the last `context` bytes.
        let hold_from = last.is_none().then(|| match st.strong.last() {
            Some(&at) if at + 2 * context >= end => char_of(at),
            _ => char_of(floor_char_boundary(
                text,
                text.len().saturating_sub(context),
            )),
        });
        let piece = Piece {
            rows_from: st.start + st.start_char,
            first_row_from: st.first_row_from,
            end: Some(last.unwrap_or(piece_start + text_chars)),
            hold_from,
        };
        let (held, drew) = self.piece(
            Paragraph {
                text,
                start: piece_start,
                index: st.index,
            },
            &sanitized,
            Some(st.direction),
            piece,
            emit,
        )?;
        if last.is_some() {
            return Ok(None);
        }
        // The next piece's rows start where this one's held-back rows did, or at its end.
        let next_char = held.map_or(text_chars, |at| at - piece_start);
        let next = char_to_byte(text, next_char as usize);
        // Its context starts at the last strong char before its rows, if that is no more
        // than `2 * context` bytes before them; else `context` bytes before them.
        let lowest = next.saturating_sub(2 * context);
        let at_strong = st
            .strong
            .iter()
            .rev()
            .find(|&&at| at < next)
            .filter(|&&at| at >= lowest)
            .copied();
        let new_ctx =
            at_strong.unwrap_or_else(|| floor_char_boundary(line, next.saturating_sub(context)));
        let new_depth = if at_strong == Some(new_ctx) {
            0
        } else if new_ctx == end {
            end_depth
        } else {
            explicit_depth(&line[..new_ctx], st.ctx_depth, |_, _| {})
        };
        st.start_char = st.ctx_char + next_char;
        if drew {
            st.first_row_from = st.start + st.start_char;
        }
        let skipped = count_chars(&line[..new_ctx]) as u32;
        st.ctx_column = (st.ctx_column + sanitized.chars_before(skipped)) % TAB_WIDTH;
        st.ctx_char += skipped;
        st.ctx_depth = new_depth;
        st.start_byte = next - new_ctx;
        Ok(Some(new_ctx))
    }

    /// Starts a paragraph whose text will come in parts ([`Layouter::paragraph_part`], then
    /// [`Layouter::paragraph_end`]): a line of a file too long to hold whole. It starts at char
    /// `start` of the text, is paragraph `index`, and `first_strong` is the direction of its
    /// first strong char (P2–P3, found by a [`DirectionScan`] over all of it beforehand).
    pub fn paragraph_in_parts(
        &self,
        start: u32,
        index: u32,
        first_strong: Option<Direction>,
    ) -> ParagraphInParts {
        ParagraphInParts {
            state: self.piece_state(start, index, first_strong),
            pending: String::new(),
        }
    }

    /// Adds `text` to a paragraph begun with [`Layouter::paragraph_in_parts`], and hands `emit`
    /// the rows that are now certain. Holds at most about a piece of the text.
    pub fn paragraph_part<E>(
        &mut self,
        paragraph: &mut ParagraphInParts,
        text: &str,
        mut emit: impl FnMut(Row) -> Result<(), E>,
    ) -> Result<(), E> {
        let bound = self.piece_bound();
        paragraph.pending.push_str(text);
        let mut ctx = 0;
        while paragraph.pending.len() - ctx > bound {
            let window = &paragraph.pending[ctx..];
            match self.piece_step(&mut paragraph.state, window, None, bound, &mut emit)? {
                Some(next) => ctx += next,
                None => break,
            }
        }
        paragraph.pending.drain(..ctx);
        Ok(())
    }

    /// Adds the last of a paragraph's text (`text`, without its newline) and hands `emit` the
    /// rest of its rows.
    pub fn paragraph_end<E>(
        &mut self,
        mut paragraph: ParagraphInParts,
        text: &str,
        mut emit: impl FnMut(Row) -> Result<(), E>,
    ) -> Result<(), E> {
        let bound = self.piece_bound();
        paragraph.pending.push_str(text);
        let st = &mut paragraph.state;
        let paragraph_end = st.start + st.ctx_char + count_chars(&paragraph.pending) as u32;
        if paragraph.pending.ends_with('\r') {
            paragraph.pending.pop();
        }
        let mut ctx = 0;
        loop {
            let window = &paragraph.pending[ctx..];
            let end = (window.len() <= bound).then_some(paragraph_end);
            match self.piece_step(st, window, end, bound, &mut emit)? {
                Some(next) => ctx += next,
                None => return Ok(()),
            }
        }
    }

    /// Lays out `p` (a paragraph, or a piece of one with context before its rows), sanitized
    /// as `sanitized`, in `direction` (else its own), and hands `emit` the rows `piece` asks
    /// for. Returns where the rows it held back start, if it held some back, and whether it
    /// handed `emit` any row (a piece that is not the paragraph's last, with nothing to draw,
    /// leaves its text to the next piece's first row).
    fn piece<E>(
        &mut self,
        p: Paragraph<'_>,
        sanitized: &Sanitized<'_>,
        direction: Option<Direction>,
        piece: Piece,
        emit: &mut impl FnMut(Row) -> Result<(), E>,
    ) -> Result<(Option<u32>, bool), E> {
        let text: &str = &sanitized.text;
        self.chars.clear();
        self.chars.extend(text.chars());
        // One class lookup per char serves both the direction (P2–P3) and the levels.
        self.bidi.classify(&self.chars);
        let direction = match (direction, self.options.direction) {
            (Some(d), _) | (None, DirectionPolicy::Forced(d)) => d,
            (None, DirectionPolicy::Auto) => self
                .bidi
                .first_strong_direction(text)
                .unwrap_or(self.fallback),
        };
        let end = piece.end.unwrap_or(p.start + self.chars.len() as u32);
        let whole = piece.first_row_from..end;
        let reorder = self.options.bidi == BidiMode::App;
        if reorder {
            // Levels only matter to reordering and mirroring, which terminal mode leaves to the
            // terminal; the classes (all it uses) are the same either way for what it asks of
            // them (X9 removal, whitespace).
            self.bidi.resolve(text, &self.chars, direction.level());
        }

        let shaping = self.options.shape && self.chars.iter().any(|&c| is_arabic(c));
        self.shaped.clear();
        if shaping {
            shape::shape_into(&self.chars, &mut self.shaped);
        }

        self.units.clear();
        self.display.clear();
        let n = self.chars.len();
        let mut char_index = 0usize;
        let mut byte = 0usize;
        let facts = self.facts;
        let mut mandatory_break = false;
        let mut simple_here = n > 0 && facts.is_simple(self.chars[0]);
        while char_index < n {
            let first_char = char_index;
            let first = self.chars[first_char];
            // Most clusters are one simple char next to another (letters, digits, spaces,
            // punctuation): the boundary after it is certain without running UAX #29, and
            // nothing about it needs measuring (see `CharFacts::is_simple`). Such a `single`
            // cluster is `first` alone, and `g` is left empty (nothing below reads it then).
            let next_simple = first_char + 1 == n || facts.is_simple(self.chars[first_char + 1]);
            let single = simple_here && next_simple;
            let cluster_byte = byte;
            let g = if single {
                byte += first.len_utf8();
                char_index += 1;
                simple_here = next_simple;
                ""
            } else {
                let g = text[byte..].graphemes(true).next().unwrap_or("");
                byte += g.len();
                char_index += g.chars().count();
                simple_here = char_index < n && facts.is_simple(self.chars[char_index]);
                // (A simple char never forces a line break.)
                mandatory_break |= g.chars().any(forces_break);
                g
            };
            let source = p.start + sanitized.source_of(first_char)
                ..p.start + sanitized.source_of(char_index - 1) + 1;
            if shaping
                && self.shaped[first_char] == Shaped::Absorbed
                && let Some(lam) = self.units.last_mut().filter(|u| u.kind == Kind::Visible)
            {
                // The alef of a lam-alef ligature: the lam's cell already draws it; only its
                // own marks (a madda, a hamza) are added there.
                lam.source.end = source.end;
                if let Some(c) = lam.one.take() {
                    lam.text = self.display.len() as u32..self.display.len() as u32;
                    self.display.push(c);
                }
                self.display
                    .extend(g.chars().skip(1).take(MAX_CLUSTER_CHARS));
                lam.text.end = self.display.len() as u32;
                let merged = &self.display[lam.text.start as usize..];
                lam.width = cluster_width(merged);
                if lam.width as u16 > self.options.width {
                    self.display.truncate(lam.text.start as usize);
                    self.display.push('…');
                    lam.text.end = self.display.len() as u32;
                    lam.width = 1;
                }
                continue;
            }
            let class = self.bidi.classes[first_char];
            let level = if reorder {
                self.bidi.levels[first_char]
            } else {
                0
            };
            // A simple char is never invisible nor U+2028, and is its own whole cluster.
            let kind = if !single && (is_invisible(g) || first == '\u{2028}') {
                if bidi::removed_by_x9(class) {
                    Kind::Removed
                } else {
                    Kind::Hidden
                }
            } else if class == BidiClass::WS
                && if single {
                    first.is_whitespace()
                } else {
                    g.chars().all(char::is_whitespace)
                }
            {
                Kind::Space
            } else {
                Kind::Visible
            };
            let start = self.display.len();
            let mirror = reorder && level % 2 == 1;
            let mut one = None;
            let width = match kind {
                Kind::Visible if single => {
                    // The general case below, for one char that is no mark and no joiner.
                    let c = if shaping {
                        match self.shaped[first_char] {
                            Shaped::Char(c) | Shaped::Ligature(c) => c,
                            Shaped::Absorbed => first,
                        }
                    } else {
                        first
                    };
                    if matches!(c, '\u{200C}' | '\u{200D}') {
                        // Dropped, as below; an empty cluster still takes a cell.
                        1
                    } else {
                        // A letter the shaper changed is one of its presentation forms or
                        // lam-alef ligatures, which all take one cell and have no mirror
                        // (checked by a test): no lookup, which would wait on the shaper's
                        // output. Otherwise one lookup answers both questions; only a char
                        // that has a mirror, at an RTL level, needs a second.
                        let (width, may_mirror) = if c != first {
                            (1, false)
                        } else {
                            facts.width_and_mirror(c)
                        };
                        let mirrored = if mirror && may_mirror {
                            self.bidi_table.mirrored(c)
                        } else {
                            None
                        };
                        match mirrored {
                            Some(m) => {
                                one = Some(m);
                                facts.width(m)
                            }
                            None => {
                                one = Some(c);
                                width
                            }
                        }
                    }
                }
                Kind::Visible => {
                    // A cluster that does not start with a base (a mark at the start of a line
                    // or after a control, or after a ZWJ) would draw on whatever cell precedes
                    // it on screen. Only there can segmentation produce one.
                    let lead = g.chars().take_while(|&c| is_default_ignorable(c)).count();
                    let after_break = self.units.last().is_none_or(|u| u.kind != Kind::Visible);
                    // (A simple char never extends a cluster: skip that segmentation for it.)
                    if lead > 0
                        || (after_break && !facts.is_simple(first) && extends_cluster(first))
                    {
                        self.display.push(DOTTED_CIRCLE);
                    }
                    let shaped = &self.shaped;
                    let drawn = g.chars().enumerate().skip(lead).filter_map(|(k, c)| {
                        let c = if shaping {
                            match shaped[first_char + k] {
                                Shaped::Char(c) | Shaped::Ligature(c) => c,
                                // An alef the shaper ligated but that has no lam cell before
                                // it: draw it as it is rather than lose it.
                                Shaped::Absorbed if k == 0 => c,
                                Shaped::Absorbed => return None,
                            }
                        } else {
                            c
                        };
                        if shaping && matches!(c, '\u{200C}' | '\u{200D}') && is_arabic(first) {
                            // The joiner did its work in the shaping; a terminal needs no more.
                            return None;
                        }
                        // Looked up only at RTL levels, where it is used.
                        Some(if mirror {
                            self.bidi_table.mirrored(c).unwrap_or(c)
                        } else {
                            c
                        })
                    });
                    self.display.extend(drawn.take(MAX_CLUSTER_CHARS));
                    // A joiner at the end of a cluster joins across clusters, which in visual
                    // order would glue the wrong neighbours (two emoji into one sequence).
                    while self.display.len() > start
                        && self.display.ends_with(['\u{200C}', '\u{200D}'])
                    {
                        self.display.pop();
                    }
                    cluster_width(&self.display[start..])
                }
                Kind::Space => {
                    let w = if single {
                        facts.width(first)
                    } else {
                        cluster_width(g)
                    };
                    if w == 1 {
                        one = Some(' ');
                    } else {
                        self.display.extend(std::iter::repeat_n(' ', w as usize));
                    }
                    w
                }
                Kind::Hidden | Kind::Removed => 0,
            };
            let width = if width as u16 > self.options.width {
                // A wide character in a one-cell pane: show that something is there.
                self.display.truncate(start);
                one = Some('…');
                1
            } else {
                width
            };
            self.units.push(Unit {
                byte: cluster_byte as u32,
                text: start as u32..self.display.len() as u32,
                source,
                level,
                class,
                width,
                kind,
                break_before: None,
                one,
            });
        }
        // Units before `first` are context for the piece's own, which start its rows.
        let first = self
            .units
            .partition_point(|u| u.source.start < piece.rows_from);
        let (mut total_width, mut visible, mut removed) = (0usize, false, false);
        for u in &self.units[first..] {
            total_width += u.width as usize;
            visible |= u.kind == Kind::Visible;
        }
        for u in &self.units {
            removed |= u.kind == Kind::Removed;
        }
        if !visible {
            if piece.hold_from.is_some() {
                return Ok((None, false));
            }
            emit(empty_row(p, direction, whole))?;
            return Ok((None, true));
        }
        self.has_removed = removed;

        if total_width <= self.options.width as usize && !mandatory_break {
            // The whole paragraph fits on one row and nothing forces a break: `wrap` would
            // make one line of it whatever the break opportunities, so skip finding them
            // (UAX #14 costs as much as the rest of a short paragraph's layout).
            self.lines.clear();
            self.lines.push(first..self.units.len());
        } else {
            self.mark_breaks(text);
            self.wrap(first);
        }
        let mut lines = std::mem::take(&mut self.lines);
        // A piece that is not the paragraph's last holds its last row back for the next one,
        // which lays it out again with the text that follows.
        // So is every row that ends after `hold_from`: the levels of the text there depend on
        // what follows it. At least one row goes out, for progress.
        let held = match piece.hold_from {
            Some(hold_from) if lines.len() > 1 => {
                let mut keep = lines[1..]
                    .iter()
                    .position(|next| self.units[next.start].source.start > hold_from)
                    .unwrap_or(lines.len() - 1)
                    .max(1);
                // The held rows must start at a source char of their own, not inside what one
                // char became (a tab, a control's escape): held earlier if need be.
                let units = &self.units;
                let own = |i: usize| units[i - 1].source.start < units[i].source.start;
                while keep > 1 && !own(lines[keep].start) {
                    keep -= 1;
                }
                if own(lines[keep].start) {
                    let held = units[lines[keep].start].source.start;
                    lines.truncate(keep);
                    Some(held)
                } else {
                    None
                }
            }
            _ => None,
        };
        let mut result = Ok((held, true));
        for (i, line) in lines.iter().enumerate() {
            // A row's source runs to the start of the next one, so that rows partition the
            // paragraph and whitespace trimmed at a wrap still belongs somewhere.
            let start = if i == 0 {
                whole.start
            } else {
                self.units[line.start].source.start
            };
            let end = match lines.get(i + 1) {
                Some(next) => self.units[next.start].source.start,
                None => held.unwrap_or(whole.end),
            };
            let row = self.line_row(p, direction, line.clone(), start..end);
            if let Err(e) = emit(row) {
                result = Err(e);
                break;
            }
        }
        self.lines = lines;
        result
    }

    /// Records the UAX #14 break opportunities on the units they precede.
    fn mark_breaks(&mut self, text: &str) {
        let mut u = 0;
        for (byte, opportunity) in unicode_linebreak::linebreaks(text) {
            let byte = byte as u32;
            while u < self.units.len() && self.units[u].byte < byte {
                u += 1;
            }
            match self.units.get_mut(u) {
                // A break inside a cluster (or a merged lam-alef) is not a place to break.
                Some(unit) if unit.byte == byte => unit.break_before = Some(opportunity),
                Some(_) => {}
                None => break,
            }
        }
    }

    /// Greedy first-fit wrapping of the logical units into `self.lines`.
    ///
    /// The text between two break opportunities is a word plus the whitespace after it; a word
    /// goes to the next line when it does not fit after the words already there, and is split
    /// cell by cell only when it alone is wider than a row. Whitespace at the ends of a line
    /// takes no room (it is not drawn there).
    fn wrap(&mut self, from: usize) {
        let width = self.options.width as usize;
        let units = &self.units;
        let lines = &mut self.lines;
        lines.clear();
        let mut line_start = from;
        let mut line_width = 0usize; // drawn width so far, without trailing whitespace
        let mut pending_space = 0usize; // whitespace after the last word on the line
        let mut seg_start = from;
        while seg_start < units.len() {
            // One segment: up to the next break opportunity. Its word runs to its last drawn
            // unit and the rest is whitespace; both widths are summed in the same single pass.
            let mut seg_end = seg_start;
            let mut sum = 0usize;
            let mut word = 0usize;
            let mut word_end = seg_start;
            loop {
                let u = &units[seg_end];
                sum += u.width as usize;
                seg_end += 1;
                if u.kind == Kind::Visible {
                    word = sum;
                    word_end = seg_end;
                }
                if seg_end == units.len() || units[seg_end].break_before.is_some() {
                    break;
                }
            }
            let space = sum - word;

            if line_width > 0 && line_width + pending_space + word > width {
                lines.push(line_start..seg_start);
                line_start = seg_start;
                line_width = 0;
            }
            if line_width == 0 && word > width {
                // A word wider than a row: fill rows cell by cell.
                let mut filled = 0usize;
                for (i, unit) in units.iter().enumerate().take(word_end).skip(seg_start) {
                    let w = unit.width as usize;
                    if filled > 0 && filled + w > width {
                        lines.push(line_start..i);
                        line_start = i;
                        filled = 0;
                    }
                    filled += w;
                }
                line_width = filled;
            } else if line_width == 0 {
                line_width = word;
            } else {
                line_width += pending_space + word;
            }
            pending_space = space;

            if seg_end < units.len()
                && units[seg_end].break_before == Some(BreakOpportunity::Mandatory)
            {
                lines.push(line_start..seg_end);
                line_start = seg_end;
                line_width = 0;
                pending_space = 0;
            }
            seg_start = seg_end;
        }
        if line_start < units.len() {
            lines.push(line_start..units.len());
        }
    }

    /// Orders one line (L1, L2) and makes its row.
    fn line_row(
        &mut self,
        p: Paragraph<'_>,
        direction: Direction,
        line: Range<usize>,
        source: Range<u32>,
    ) -> Row {
        let units = &self.units[line.clone()];
        // Whitespace at either end of the line is not drawn.
        let first_drawn = units.iter().position(|u| u.kind == Kind::Visible);
        let last_drawn = units.iter().rposition(|u| u.kind == Kind::Visible);
        let (Some(first_drawn), Some(last_drawn)) = (first_drawn, last_drawn) else {
            return empty_row(p, direction, source);
        };

        self.line_units.clear();
        self.line_classes.clear();
        self.line_levels.clear();
        let removed = self.has_removed;
        if removed {
            for (i, u) in units.iter().enumerate() {
                if u.kind != Kind::Removed {
                    self.line_units.push(i);
                    self.line_classes.push(u.class);
                    self.line_levels.push(u.level);
                }
            }
            if self.options.bidi == BidiMode::App {
                bidi::reorder_line(
                    &self.line_classes,
                    &mut self.line_levels,
                    direction.level(),
                    &mut self.order,
                );
            } else {
                self.order.clear();
                self.order.extend(0..self.line_units.len());
            }
        } else {
            // The usual case, nothing removed by X9: every unit takes part, so unit `k` is
            // line unit `k`, and L1 reads the classes where they are instead of a copy.
            self.line_levels.extend(units.iter().map(|u| u.level));
            if self.options.bidi == BidiMode::App {
                let paragraph_level = direction.level();
                if self.bidi.has_separators() {
                    bidi::reset_whitespace_levels_by(
                        |i| units[i].class,
                        &mut self.line_levels,
                        paragraph_level,
                    );
                } else {
                    // L1 with no separator in the paragraph: only the whitespace (and
                    // isolate controls) at the end of the line goes back to its level.
                    for (u, level) in units.iter().zip(self.line_levels.iter_mut()).rev() {
                        use BidiClass::*;
                        if !matches!(u.class, WS | FSI | LRI | RLI | PDI) {
                            break;
                        }
                        *level = paragraph_level;
                    }
                }
                bidi::visual_order(&self.line_levels, &mut self.order);
            } else {
                self.order.clear();
                self.order.extend(0..units.len());
            }
        }

        // Units that draw nothing have no width and no text, so the row's width and text size
        // are known before ordering: the indent goes into each cell's column as it is made, and
        // the row's text and cells are allocated once (the text at most 3 bytes too large per
        // one-char cell, which saves measuring each char; a cell takes 20 bytes anyway).
        let drawn = &units[first_drawn..=last_drawn];
        let (mut width, mut text_len) = (0usize, 0usize);
        for u in drawn {
            width += u.width as usize;
            text_len += if u.one.is_some() { 4 } else { u.text.len() };
        }
        let width = width as u16;
        let indent = if direction.is_rtl() && self.options.bidi == BidiMode::App {
            self.options.width.saturating_sub(width)
        } else {
            0
        };
        let mut text = String::with_capacity(text_len);
        let mut cells = Vec::with_capacity(drawn.len());
        let mut col = indent;
        for &k in &self.order {
            let i = if removed { self.line_units[k] } else { k };
            let u = &units[i];
            if u.kind == Kind::Hidden || i < first_drawn || i > last_drawn {
                continue;
            }
            let start = text.len() as u32;
            match u.one {
                Some(c) => text.push(c),
                None => text.push_str(&self.display[u.text.start as usize..u.text.end as usize]),
            }
            cells.push(Cell {
                col,
                width: u.width,
                rtl: self.line_levels[k] % 2 == 1,
                source: u.source.clone(),
                text: start..text.len() as u32,
            });
            col += u.width as u16;
        }
        Row {
            text,
            cells,
            indent,
            width,
            paragraph: p.index,
            source,
            direction,
        }
    }
}

/// Where a paragraph laid out in pieces has got to.
#[derive(Debug)]
struct PieceState {
    /// The paragraph's first char (in the whole text), its index and its direction.
    start: u32,
    index: u32,
    direction: Direction,
    /// Chars of the paragraph before the next piece (its context included).
    ctx_char: u32,
    /// The sanitized column there, modulo the tab width, which places tab stops.
    ctx_column: usize,
    /// Explicit embeddings and isolates open there.
    ctx_depth: u32,
    /// Where the next piece's rows start: bytes after the piece's start, and chars into the
    /// paragraph.
    start_byte: usize,
    start_char: u32,
    /// Where the next row's source starts: before `start_char` when pieces drew nothing.
    first_row_from: u32,
    /// The strong chars of the piece being laid out (a buffer kept between pieces).
    strong: Vec<usize>,
}

/// A paragraph whose text comes in parts: see [`Layouter::paragraph_in_parts`].
#[derive(Debug)]
pub struct ParagraphInParts {
    state: PieceState,
    /// Its text from the next piece's context on.
    pending: String,
}

/// Rules P2–P3 over a paragraph read in parts, as its sanitized text would decide them (a C1
/// control is shown as `\x85`, whose `x` is strong; the other controls become neutral symbols).
#[derive(Clone, Debug, Default)]
pub struct DirectionScan {
    isolates: usize,
    found: Option<Direction>,
}

impl DirectionScan {
    /// Reads the next part of the paragraph.
    pub fn add(&mut self, text: &str) {
        if self.found.is_some() {
            return;
        }
        let table = BidiTable::get();
        for c in text.chars() {
            let c = match c {
                '\u{80}'..='\u{9F}' => 'x',
                c if is_unsafe_control(c) => continue,
                c => c,
            };
            match table.class(c) {
                BidiClass::LRI | BidiClass::RLI | BidiClass::FSI => self.isolates += 1,
                BidiClass::PDI => self.isolates = self.isolates.saturating_sub(1),
                BidiClass::L if self.isolates == 0 => {
                    self.found = Some(Direction::Ltr);
                    return;
                }
                BidiClass::R | BidiClass::AL if self.isolates == 0 => {
                    self.found = Some(Direction::Rtl);
                    return;
                }
                _ => {}
            }
        }
    }

    /// The direction of the first strong char outside isolates, if any came.
    pub fn direction(&self) -> Option<Direction> {
        self.found
    }
}

/// Which rows of a laid-out text to hand on.
#[derive(Clone, Copy, Debug)]
struct Piece {
    /// Source offset of the piece's own text: units before it are context.
    rows_from: u32,
    /// Source offset where the first row starts: `rows_from`, or before it when the pieces
    /// before had nothing to draw.
    first_row_from: u32,
    /// Source offset where the last row ends; the end of the text if `None`.
    end: Option<u32>,
    /// When the text does not end the paragraph: rows that end after this source offset are
    /// held back (the last one always is).
    hold_from: Option<u32>,
}

/// Where to end a piece of `line` that starts its rows at byte `start` and may reach `max`: after
/// a whitespace char if there is one in the last quarter before `max`, else before a char that
/// starts a grapheme cluster, else anywhere; always after `start` and on a char boundary.
fn cut_point(line: &str, start: usize, max: usize) -> usize {
    let max = floor_char_boundary(line, max);
    let floor = floor_char_boundary(line, start + max.saturating_sub(start) * 3 / 4).min(max);
    let mut fallback = None;
    for (i, c) in line[floor..max].char_indices().rev() {
        let at = floor + i;
        if c.is_whitespace() && at > start {
            return at + c.len_utf8();
        }
        if fallback.is_none() && at > start && !extends_cluster(c) && !is_default_ignorable(c) {
            fallback = Some(at);
        }
    }
    match fallback {
        Some(at) => at,
        None if max > start => max,
        // Not reached (the piece is longer than its bound); still move on.
        None => line[start..]
            .chars()
            .next()
            .map_or(line.len(), |c| start + c.len_utf8()),
    }
}

/// The char boundary of `s` at or before byte `i` (its length if `i` is past it).
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Calls `f` with the byte offset of each char of `s` that is outside any explicit embedding,
/// override or isolate, counting `depth` of them open before `s`; returns how many are open
/// after it. An approximation of rules X1–X8 (it does not tell a PDF from a PDI), good enough to
/// find a place where none is open.
fn explicit_depth(s: &str, mut depth: u32, mut f: impl FnMut(usize, char)) -> u32 {
    for (at, c) in s.char_indices() {
        match c {
            '\u{202A}' | '\u{202B}' | '\u{202D}' | '\u{202E}' | '\u{2066}'..='\u{2068}' => {
                depth += 1
            }
            '\u{202C}' | '\u{2069}' => depth = depth.saturating_sub(1),
            c if depth == 0 => f(at, c),
            _ => {}
        }
    }
    depth
}

/// The byte offset of char `n` of `s` (its length if `s` has fewer).
fn char_to_byte(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

fn empty_row(p: Paragraph<'_>, direction: Direction, source: Range<u32>) -> Row {
    Row {
        text: String::new(),
        cells: Vec::new(),
        indent: 0,
        width: 0,
        paragraph: p.index,
        source,
        direction,
    }
}

/// Whether UAX #14 puts a mandatory break after `c` (classes BK, CR, LF, NL).
fn forces_break(c: char) -> bool {
    use unicode_linebreak::BreakClass;
    matches!(
        unicode_linebreak::break_property(c as u32),
        BreakClass::Mandatory
            | BreakClass::CarriageReturn
            | BreakClass::LineFeed
            | BreakClass::NextLine
    )
}

/// Whether a char is in one of the Arabic blocks (shaping is skipped for paragraphs without).
#[inline]
fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Keeps recent layouts, keyed by whatever identifies a text (an article id and its version),
/// and the options: redrawing the review screen must not lay the article out again.
pub struct LayoutCache<K> {
    capacity: usize,
    map: HashMap<(K, LayoutOptions), Arc<Layout>>,
    order: VecDeque<(K, LayoutOptions)>,
}

impl<K: Clone + Eq + Hash> LayoutCache<K> {
    /// A cache holding at most `capacity` layouts.
    pub fn new(capacity: usize) -> Self {
        LayoutCache {
            capacity: capacity.max(1),
            map: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// The layout of `text` under `key` and `options`, computed on first use.
    pub fn get(&mut self, key: &K, options: LayoutOptions, text: &str) -> Arc<Layout> {
        let k = (key.clone(), options);
        if let Some(l) = self.map.get(&k) {
            let l = Arc::clone(l);
            if let Some(pos) = self.order.iter().position(|o| o == &k) {
                let o = self.order.remove(pos).expect("position is in range");
                self.order.push_back(o);
            }
            return l;
        }
        let layout = Arc::new(Layout::new(text, options));
        if self.map.len() >= self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.map.remove(&old);
        }
        self.map.insert(k.clone(), Arc::clone(&layout));
        self.order.push_back(k);
        layout
    }

    /// Forgets every layout of `key` (its text changed).
    pub fn invalidate(&mut self, key: &K) {
        self.map.retain(|(k, _), _| k != key);
        self.order.retain(|(k, _)| k != key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(width: u16, shape: bool) -> LayoutOptions {
        LayoutOptions {
            shape,
            ..LayoutOptions::new(width)
        }
    }

    /// The rows' visual text, without padding.
    fn visual(text: &str, width: u16) -> Vec<String> {
        Layout::new(text, options(width, false))
            .rows()
            .iter()
            .map(|r| r.text().to_string())
            .collect()
    }

    /// The rows as a terminal shows them, padding included.
    fn lines(text: &str, width: u16, shape: bool) -> Vec<String> {
        Layout::new(text, options(width, shape))
            .rows()
            .iter()
            .map(Row::to_line)
            .collect()
    }

    #[track_caller]
    fn assert_visual(text: &str, expected: &str) {
        assert_eq!(visual(text, 200), [expected], "logical: {text:?}");
    }

    #[test]
    fn shaped_letters_take_one_cell_and_have_no_mirror() {
        // `paragraph` relies on this for a char the shaper changed.
        let facts = CharFacts::get();
        let letters = ('\u{0600}'..='\u{06FF}').chain(['\u{200D}', '\u{0640}']);
        let mut contexts = Vec::new();
        for c in letters {
            for before in ['ب', 'ل', ' ', '\u{200D}'] {
                for after in ['ب', 'ا', 'أ', 'إ', 'آ', ' ', '\u{200D}'] {
                    contexts.push([before, c, after]);
                }
            }
        }
        for chars in contexts {
            for (k, s) in shape::shape(&chars).into_iter().enumerate() {
                if let Shaped::Char(c) | Shaped::Ligature(c) = s
                    && c != chars[k]
                {
                    assert_eq!(facts.width_and_mirror(c), (1, false), "U+{:04X}", c as u32);
                }
            }
        }
    }

    #[test]
    fn paragraphs_split_where_find_would() {
        for text in [
            "",
            "a\nb",
            "سلام\u{2029}عليكم\n",
            "“quoted” – dash\u{2028}\u{2029}\u{2026}\n\n",
            "\u{2000}\u{20AC}\u{2029}",
            "no separator at all",
        ] {
            let mut rest = text;
            while !rest.is_empty() {
                let expected = rest.find(['\n', '\u{2029}']);
                assert_eq!(find_separator(rest), expected, "{rest:?}");
                match expected {
                    Some(i) => {
                        rest = &rest[i..][rest[i..].chars().next().map_or(1, char::len_utf8)..]
                    }
                    None => break,
                }
            }
        }
        let p: Vec<_> = paragraphs("a\u{2029}ب\r\n\nc")
            .map(|p| (p.text, p.start))
            .collect();
        assert_eq!(p, [("a", 0), ("ب\r", 2), ("", 5), ("c", 6)]);
    }

    #[test]
    fn latin_name_inside_arabic_keeps_its_order() {
        assert_visual(
            "استقبل نيكولا لورنر Nicolas Lerner اليوم",
            "مويلا Nicolas Lerner رنرول الوكين لبقتسا",
        );
    }

    #[test]
    fn numbers_and_dates_read_left_to_right() {
        assert_visual(
            "في 2023/12/15 و ٢٠٢٣/١٢/١٥ تم",
            "مت ٢٠٢٣/١٢/١٥ و 2023/12/15 يف",
        );
        // W2: after an Arabic letter, European digits are Arabic numbers, so the percent sign
        // is not part of the number's run: it shows on the left, as FriBidi has it too.
        assert_visual("بنسبة 50% من", "نم %50 ةبسنب");
        assert_visual("rate 50% ok", "rate 50% ok");
        assert_visual("درجة -5 تحت", "تحت 5- ةجرد");
        assert_visual("ليصبح 132 مليار دولار", "رالود رايلم 132 حبصيل");
    }

    #[test]
    fn brackets_and_guillemets_mirror_at_rtl_levels() {
        assert_visual("قال (الوزير) «نعم» [هنا]", "[انه] «معن» (ريزولا) لاق");
        assert_visual("Paris (France) «x»", "Paris (France) «x»");
        assert_visual(
            "He said «مرحبا (يا) عالم» ok",
            "He said «ملاع (اي) ابحرم» ok",
        );
    }

    #[test]
    fn urls_stay_whole_inside_arabic() {
        assert_visual(
            "الموقع https://example.com/a?b=1 هنا",
            "انه https://example.com/a?b=1 عقوملا",
        );
    }

    #[test]
    fn harakat_stay_on_their_letter() {
        // L3: the fatha follows its beh in the output, so the terminal draws it on the beh.
        assert_visual("بَاب", "بابَ");
        let rows = Layout::new("بَاب", options(10, false));
        let row = &rows.rows()[0];
        assert_eq!(row.cells().len(), 3);
        assert_eq!(row.cell_text(&row.cells()[2]), "بَ");
        assert_eq!(row.cells()[2].source, 0..2);
    }

    #[test]
    fn a_line_that_starts_with_a_mark_gets_a_dotted_circle() {
        let rows = visual("\u{064E}باب", 10);
        assert_eq!(rows, ["باب\u{25CC}\u{064E}"]);
    }

    #[test]
    fn wide_characters_take_two_cells_at_rtl_levels() {
        let layout = Layout::new("مرحبا 😀 中文", options(20, false));
        let row = &layout.rows()[0];
        assert_eq!(row.text(), "中文 😀 ابحرم");
        assert_eq!(row.width, 4 + 1 + 2 + 1 + 5);
        assert_eq!(row.indent, 20 - 13);
        let emoji = &row.cells()[3];
        assert_eq!((emoji.col, emoji.width, emoji.rtl), (12, 2, true));
    }

    #[test]
    fn neutral_only_lines_take_the_articles_direction() {
        let text = "خبر عاجل\n2023/12/15 - 15:57\nالرباط";
        let layout = Layout::new(text, options(30, false));
        let row = &layout.rows()[1];
        assert_eq!(row.direction, Direction::Rtl);
        assert_eq!(row.text(), "15:57 - 2023/12/15");
        assert_eq!(row.indent, 30 - 18);
        // ...and in an English text, left to right.
        let layout = Layout::new("Breaking\n2023 - 15:57", options(30, false));
        assert_eq!(layout.rows()[1].direction, Direction::Ltr);
        assert_eq!(layout.rows()[1].indent, 0);
    }

    #[test]
    fn rtl_rows_are_right_aligned_and_ltr_rows_left_aligned() {
        assert_eq!(lines("سلام\nhello", 10, false), ["      مالس", "hello"]);
    }

    #[test]
    fn wrapping_never_breaks_a_word_that_fits() {
        let text = "المدير العام للأمن الوطني ولمراقبة التراب الوطني عبد اللطيف حموشي";
        for width in 8..40 {
            let layout = Layout::new(text, options(width, false));
            for row in layout.rows() {
                assert!(row.indent + row.width <= width);
                let logical: String = text
                    .chars()
                    .skip(row.source.start as usize)
                    .take(row.source.len())
                    .collect();
                // Each row holds whole words of the text.
                for word in logical.split_whitespace() {
                    assert!(
                        text.split_whitespace().any(|w| w == word),
                        "{word:?} at {width}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_word_wider_than_the_row_is_split() {
        let url = format!("https://example.com/{}", "a".repeat(150));
        let layout = Layout::new(&url, options(40, false));
        assert!(layout.rows().len() >= 5);
        for row in layout.rows() {
            assert!(row.width <= 40);
        }
        let joined: String = layout.rows().iter().map(|r| r.text()).collect();
        assert_eq!(joined, url);
    }

    #[test]
    fn empty_and_blank_lines_are_empty_rows() {
        let rows = lines("سلام\n\n   \nعليكم\n", 10, false);
        assert_eq!(rows, ["      مالس", "", "", "     مكيلع"]);
    }

    #[test]
    fn bidi_controls_order_text_and_are_not_drawn() {
        // RLO forces "abc" right to left; the override itself is drawn as nothing.
        assert_eq!(visual("x \u{202E}abc\u{202C} y", 20), ["x cba y"]);
        assert_eq!(visual("\u{2067}abc\u{2069} سلام", 20), ["مالس abc"]);
        assert_eq!(visual("a\u{200F}b\u{061C}c\u{200E}", 20), ["abc"]);
    }

    #[test]
    fn deeply_nested_isolates_do_not_panic() {
        let deep = format!(
            "{}abc سلام{}",
            "\u{2067}\u{2066}".repeat(80),
            "\u{2069}".repeat(160)
        );
        let layout = Layout::new(&deep, options(20, false));
        assert_eq!(
            layout.rows()[0]
                .text()
                .chars()
                .filter(|c| c.is_alphabetic())
                .count(),
            7
        );
        let deep = format!("{}x", "\u{202B}\u{202A}".repeat(100));
        Layout::new(&deep, options(20, false));
    }

    #[test]
    fn control_characters_never_reach_the_rows() {
        let text = "a\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\tb\u{9b}c\u{7f}\r\nسلام\u{1b}";
        for row in Layout::new(text, options(12, true)).rows() {
            assert!(
                !row.text().chars().any(|c| c.is_control()),
                "{:?}",
                row.text()
            );
            assert!(row.indent + row.width <= 12);
        }
    }

    #[test]
    fn maps_between_source_offsets_and_columns() {
        // «سلام abc»: logical 0..4 Arabic, 4 space, 5..8 Latin.
        let layout = Layout::new("سلام abc", options(10, false));
        let row = &layout.rows()[0];
        assert_eq!(row.to_line(), "  abc مالس");
        assert_eq!(
            layout.offset_at(0, 9),
            Some(0),
            "the first letter is rightmost"
        );
        assert_eq!(layout.offset_at(0, 2), Some(5));
        assert_eq!(layout.offset_at(0, 0), None, "padding");
        // A span across the direction change shows as two column ranges.
        assert_eq!(layout.spans(2..7), vec![(0, vec![2..4, 5..8])]);
        assert_eq!(layout.row_of(6), Some(0));
    }

    #[test]
    fn spans_cross_rows() {
        let text = "one two three four five six";
        let layout = Layout::new(text, options(10, false));
        assert_eq!(visual(text, 10), ["one two", "three four", "five six"]);
        let (first, second) = (4..7, 0..5);
        assert_eq!(layout.spans(4..13), [(0, vec![first]), (1, vec![second])]);
        assert_eq!(layout.row_of(8), Some(1));
        assert_eq!(
            layout.row_of(7),
            Some(0),
            "trailing space belongs to its row"
        );
    }

    #[test]
    fn source_offsets_skip_a_dropped_carriage_return() {
        let layout = Layout::new("ab\r\ncd", options(10, false));
        assert_eq!(layout.rows()[1].cells()[0].source, 4..5);
    }

    #[test]
    fn terminal_mode_keeps_logical_order() {
        let o = LayoutOptions {
            bidi: BidiMode::Terminal,
            ..options(20, false)
        };
        let layout = Layout::new("قال (نعم) abc", o);
        assert_eq!(layout.rows()[0].to_line(), "قال (نعم) abc");
    }

    /// The rows of `text` laid out in pieces of `piece_bytes`.
    fn in_pieces(text: &str, options: LayoutOptions, piece_bytes: usize) -> Vec<Row> {
        let mut layouter = Layouter::new(options, text).piece_bytes(piece_bytes);
        let mut rows = Vec::new();
        for p in paragraphs(text) {
            layouter.paragraph(p, &mut rows);
        }
        rows
    }

    #[test]
    fn long_paragraphs_in_pieces_are_the_rows_of_whole_ones() {
        let words = "استقبل المدير العام (للأمن) Nicolas Lerner في 2023/12/15 بنسبة 50% «نعم» ";
        for text in [
            words.repeat(100),
            format!("{}\n{}\r\n", words.repeat(60), words.repeat(40)),
            format!("Paris {}", words.repeat(80)),
            format!("a\t{}\tب\u{85}", "x\ty ".repeat(1000)),
        ] {
            for width in [7, 20, 31] {
                let o = options(width, true);
                let whole = Layout::new(&text, o);
                let pieces = in_pieces(&text, o, 1000);
                assert_eq!(whole.rows(), &pieces[..], "{text:?} at {width}");
            }
        }
        // Runs with nothing to draw, longer than a piece: the same rows, but what is not drawn
        // belongs to the row after it rather than the row before.
        let drawn = |rows: &[Row]| -> Vec<(String, u16)> {
            rows.iter()
                .map(|r| (r.text().to_string(), r.indent))
                .collect()
        };
        for text in [
            format!("a{}b", " ".repeat(5000)),
            format!("{}b", "\u{200d}".repeat(3000)),
            "\u{200b}".repeat(3000),
        ] {
            let o = options(20, true);
            let whole = Layout::new(&text, o);
            let pieces = in_pieces(&text, o, 1000);
            assert_eq!(drawn(whole.rows()), drawn(&pieces), "{text:?}");
        }
    }

    #[test]
    fn a_paragraph_given_in_parts_has_the_rows_of_a_whole_one() {
        let words = "استقبل المدير العام (للأمن) Nicolas Lerner في 2023/12/15 بنسبة 50% «نعم» ";
        let text = format!("{}\t\u{85}{}\r", words.repeat(70), words.repeat(50));
        for width in [9, 40] {
            let o = options(width, true);
            let whole = in_pieces(&text, o, 1000);
            let mut layouter = Layouter::new(o, &text).piece_bytes(1000);
            let mut scan = DirectionScan::default();
            scan.add(&text);
            let mut paragraph = layouter.paragraph_in_parts(0, 0, scan.direction());
            let mut rows = Vec::new();
            let mut push = |row| {
                rows.push(row);
                Ok::<(), ()>(())
            };
            let cuts: Vec<usize> = (1..text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let (mut at, mut k) = (0, 0usize);
            while let Some(&cut) = cuts.get(k * 97 + 300).filter(|&&c| c > at) {
                layouter
                    .paragraph_part(&mut paragraph, &text[at..cut], &mut push)
                    .unwrap();
                at = cut;
                k += 1;
            }
            layouter
                .paragraph_end(paragraph, &text[at..], &mut push)
                .unwrap();
            assert_eq!(whole, rows, "at {width}");
        }
    }

    #[test]
    fn cache_returns_the_same_layout_until_invalidated() {
        let mut cache = LayoutCache::new(2);
        let a = cache.get(&"a", options(10, false), "سلام");
        let b = cache.get(&"a", options(10, false), "سلام");
        assert!(Arc::ptr_eq(&a, &b));
        cache.invalidate(&"a");
        let c = cache.get(&"a", options(10, false), "سلام");
        assert!(!Arc::ptr_eq(&a, &c));
        cache.get(&"b", options(10, false), "x");
        cache.get(&"c", options(10, false), "y");
        let d = cache.get(&"a", options(10, false), "سلام");
        assert!(!Arc::ptr_eq(&c, &d), "evicted: capacity 2");
    }
}
