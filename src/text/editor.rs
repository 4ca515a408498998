//! A text editor model that keeps text in logical order and shows it in visual order: the
//! logical cursor, the edits, and where the cursor and the text sit on screen.
//!
//! Terminal line editors (readline, tui-textarea) assume that the n-th char is drawn in the
//! n-th column. In Arabic text with Latin names and digits inside, it is not: the layout engine
//! reorders every line. So the editor lays its text out with the same engine as the article and
//! derives every screen position from the layout's cells:
//!
//! - The cursor is a logical position between grapheme clusters. It is drawn at the edge of the
//!   cluster after it that faces the reading direction of that cluster: left of an LTR letter,
//!   right of an RTL letter; at the end of the text, at the far edge of the last cluster. This
//!   is the convention of browsers and GTK: after typing «عنوان» the cursor is at the left end
//!   of the word, after Home at its right end.
//! - ← and → move visually: left always goes left on screen, whatever the direction of the text
//!   under the cursor. Backspace, Delete and typing work in logical order.
//! - The layout engine does not draw whitespace at the ends of a row (a wrapped article must
//!   not start rows with a space), but an editor must show the space just typed; this module
//!   puts it back where UAX #9 puts it: at the paragraph's start side for leading whitespace and
//!   its end side for trailing whitespace (rule L1).
//!
//! Pure: no terminal. The review screen draws [`EditorView`] and places the terminal cursor.

use unicode_segmentation::UnicodeSegmentation;

use super::layout::{Layout, LayoutOptions, Row};
use super::sanitize::is_unsafe_control;
use super::width::is_mark;
use super::{Direction, DirectionPolicy};

/// One line of text, or several (`multiline`), being edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editor {
    text: String,
    /// The cursor, as a char offset; always on a grapheme cluster boundary.
    cursor: u32,
    multiline: bool,
    /// First visible column (one line) or row (several lines).
    scroll: usize,
}

/// The editor as drawn in a box: the visible rows and the terminal cursor.
#[derive(Clone, Debug)]
pub struct EditorView {
    /// The rows shown, top to bottom, with the box column of each row's column 0 (negative when
    /// scrolled: cells left of the box are not drawn).
    pub rows: Vec<(Row, i32)>,
    /// The terminal cursor: row and column inside the box.
    pub cursor: (u16, u16),
}

/// Where a cluster (or the whitespace the layout leaves out) sits on a row, in content
/// columns.
#[derive(Clone, Copy, Debug)]
struct Slot {
    start: u32,
    end: u32,
    x: i32,
    width: i32,
    rtl: bool,
    /// A cell of the layout's row (not whitespace put back).
    drawn: bool,
}

/// A cursor position on a row: the boundary column, and whether it belongs to right-to-left
/// text. The terminal cursor covers the cell after the boundary in reading order: right of it
/// for LTR, left of it for RTL, so that at the end of Arabic text it sits on the blank cell
/// left of the text, as it sits right of Latin text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Caret {
    x: i32,
    rtl: bool,
}

impl Caret {
    fn cell(self) -> i32 {
        self.x - self.rtl as i32
    }
}

/// One row of the editor's text with its slots, and where its content starts in the box.
struct RowSlots {
    row: Row,
    slots: Vec<Slot>,
    /// Columns taken, drawn cells and whitespace.
    width: i32,
    /// Box column of content column 0 (before scrolling).
    origin: i32,
}

impl Editor {
    /// An editor on `text` with the cursor at its logical end.
    pub fn new(text: &str, multiline: bool) -> Editor {
        let text = clean(text, multiline);
        Editor {
            cursor: text.chars().count() as u32,
            text,
            multiline,
            scroll: 0,
        }
    }

    /// The text, in logical order.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, as a char offset into the text.
    pub fn cursor(&self) -> u32 {
        self.cursor
    }

    /// Whether newlines are kept.
    pub fn multiline(&self) -> bool {
        self.multiline
    }

    /// Inserts typed or pasted text at the cursor. Control characters are dropped; tabs become
    /// spaces; newlines become spaces unless the editor is multi-line.
    pub fn insert(&mut self, s: &str) {
        let s = clean(s, self.multiline);
        let at = self.byte(self.cursor);
        self.text.insert_str(at, &s);
        // Text typed before a combining mark takes the mark: the cursor goes after the cluster.
        let after = self.cursor + s.chars().count() as u32;
        self.cursor = if self.boundaries().contains(&after) {
            after
        } else {
            self.next_boundary(after)
        };
    }

    /// Deletes back: a combining mark alone (a haraka typed by mistake), else the whole
    /// cluster before the cursor.
    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        let before = self.text[..self.byte(self.cursor)].chars().next_back();
        let from = match before {
            Some(c) if is_mark(c) && self.cursor > 0 => self.cursor - 1,
            _ => self.prev_boundary(self.cursor),
        };
        self.remove(from, self.cursor);
        self.cursor = self.snap(from);
    }

    /// Deletes the cluster after the cursor.
    pub fn delete(&mut self) {
        let to = self.next_boundary(self.cursor);
        self.remove(self.cursor, to);
        // What was on either side may now be one cluster (a letter and a mark).
        self.cursor = self.snap(self.cursor);
    }

    /// Clears the line the cursor is on (the whole text when it is one line).
    pub fn clear_line(&mut self) {
        let (start, end) = self.line_bounds();
        self.remove(start, end);
        self.cursor = self.snap(start);
    }

    /// Deletes the word before the cursor and the whitespace after it (readline's Ctrl-W).
    pub fn delete_word_back(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut from = self.cursor as usize;
        while from > 0 && chars[from - 1].is_whitespace() && chars[from - 1] != '\n' {
            from -= 1;
        }
        while from > 0 && !chars[from - 1].is_whitespace() {
            from -= 1;
        }
        let from = self.snap(from as u32);
        self.remove(from, self.cursor);
        self.cursor = self.snap(from);
    }

    /// To the logical start of the line.
    pub fn home(&mut self) {
        self.cursor = self.line_bounds().0;
    }

    /// To the logical end of the line.
    pub fn end(&mut self) {
        self.cursor = self.line_bounds().1;
    }

    /// Moves the cursor to char offset `at` (snapped to a cluster boundary).
    pub fn set_cursor(&mut self, at: u32) {
        self.cursor = self.snap(at.min(self.len()));
    }

    /// One position left on screen, at the box `width` and `options` it is drawn with.
    pub fn left(&mut self, width: u16, options: &LayoutOptions) {
        self.move_visually(width, options, false, false);
    }

    /// One position right on screen.
    pub fn right(&mut self, width: u16, options: &LayoutOptions) {
        self.move_visually(width, options, true, false);
    }

    /// To the next word boundary on the left of the screen.
    pub fn word_left(&mut self, width: u16, options: &LayoutOptions) {
        self.move_visually(width, options, false, true);
    }

    /// To the next word boundary on the right of the screen.
    pub fn word_right(&mut self, width: u16, options: &LayoutOptions) {
        self.move_visually(width, options, true, true);
    }

    /// One row up (several lines only), to the position nearest the same column.
    pub fn up(&mut self, width: u16, options: &LayoutOptions) {
        self.move_row(width, options, -1);
    }

    /// One row down (several lines only).
    pub fn down(&mut self, width: u16, options: &LayoutOptions) {
        self.move_row(width, options, 1);
    }

    /// The editor drawn in a box of `width` × `height`: scrolls so that the cursor shows.
    pub fn view(&mut self, width: u16, height: u16, options: &LayoutOptions) -> EditorView {
        let width = width.max(1);
        let height = height.max(1);
        let rows = self.rows(width, options);
        let (cursor_row, caret) = self.caret(&rows);
        let cell = caret.cell();
        if self.multiline {
            let h = height as usize;
            if cursor_row < self.scroll {
                self.scroll = cursor_row;
            } else if cursor_row >= self.scroll + h {
                self.scroll = cursor_row + 1 - h;
            }
            let shown = rows
                .iter()
                .skip(self.scroll)
                .take(h)
                .map(|r| (r.row.clone(), r.origin + r.shift()))
                .collect();
            let x = (rows[cursor_row].origin + cell).clamp(0, width as i32 - 1);
            EditorView {
                rows: shown,
                cursor: ((cursor_row - self.scroll) as u16, x as u16),
            }
        } else {
            let r = &rows[cursor_row];
            let w = width as i32;
            // The content column at the box's left edge: the content's alignment when it and
            // the cursor fit, else whatever keeps the cursor inside the box with the least
            // movement. The cursor's cell runs from -1 (left of RTL text) to the width (right of
            // LTR text).
            let left = if r.width < w {
                -r.origin
            } else {
                let mut left = self.scroll as i32 - 1;
                if cell < left {
                    left = cell;
                } else if cell > left + w - 1 {
                    left = cell - w + 1;
                }
                left.clamp(-1, r.width + 1 - w)
            };
            self.scroll = (left + 1) as usize;
            EditorView {
                rows: vec![(r.row.clone(), r.shift() - left)],
                cursor: (0, (cell - left).clamp(0, w - 1) as u16),
            }
        }
    }

    fn len(&self) -> u32 {
        self.text.chars().count() as u32
    }

    /// Byte index of char offset `at`.
    fn byte(&self, at: u32) -> usize {
        self.text
            .char_indices()
            .nth(at as usize)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn remove(&mut self, from: u32, to: u32) {
        if from < to {
            let (a, b) = (self.byte(from), self.byte(to));
            self.text.replace_range(a..b, "");
        }
    }

    /// Char offsets of the grapheme cluster boundaries, 0 and the end included.
    fn boundaries(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut chars = 0u32;
        for g in self.text.graphemes(true) {
            out.push(chars);
            chars += g.chars().count() as u32;
        }
        out.push(chars);
        out
    }

    fn snap(&self, at: u32) -> u32 {
        let b = self.boundaries();
        let i = b.partition_point(|&x| x <= at);
        b[i.saturating_sub(1)]
    }

    fn prev_boundary(&self, at: u32) -> u32 {
        let b = self.boundaries();
        let i = b.partition_point(|&x| x < at);
        b[i.saturating_sub(1)]
    }

    fn next_boundary(&self, at: u32) -> u32 {
        let b = self.boundaries();
        let i = b.partition_point(|&x| x <= at);
        b.get(i).copied().unwrap_or(at)
    }

    /// Char offsets of the start and end of the line the cursor is on.
    fn line_bounds(&self) -> (u32, u32) {
        if !self.multiline {
            return (0, self.len());
        }
        let chars: Vec<char> = self.text.chars().collect();
        let c = self.cursor as usize;
        let start = chars[..c]
            .iter()
            .rposition(|&ch| ch == '\n')
            .map_or(0, |i| i + 1);
        let end = chars[c..]
            .iter()
            .position(|&ch| ch == '\n')
            .map_or(chars.len(), |i| c + i);
        (start as u32, end as u32)
    }

    /// The text's rows with their slots. One line is laid out unwrapped; several lines wrap
    /// at the box width.
    fn rows(&self, width: u16, options: &LayoutOptions) -> Vec<RowSlots> {
        let layout_width = if self.multiline { width } else { u16::MAX };
        let options = LayoutOptions {
            width: layout_width,
            direction: DirectionPolicy::Auto,
            ..*options
        };
        let layout = Layout::new(&self.text, options);
        let chars: Vec<char> = self.text.chars().collect();
        let mut out: Vec<RowSlots> = Vec::new();
        let mut next_start = 0u32;
        for row in layout.rows() {
            // A paragraph the layout has no row for (an empty line) still takes one.
            while self.multiline && next_start < row.source.start {
                out.push(empty_row(next_start, row.direction, width));
                next_start += 1;
            }
            out.push(row_slots(row, &chars, width));
            next_start = row.source.end + 1;
        }
        let len = chars.len() as u32;
        if out.is_empty() || (self.multiline && next_start <= len && chars.last() == Some(&'\n')) {
            let direction = out.last().map_or(Direction::Ltr, |r| r.row.direction);
            out.push(empty_row(len, direction, width));
        }
        out
    }

    /// The cursor's row and its caret there.
    fn caret(&self, rows: &[RowSlots]) -> (usize, Caret) {
        let p = self.cursor;
        let i = rows
            .iter()
            .rposition(|r| r.row.source.start <= p && (p <= r.row.source.end))
            .unwrap_or(rows.len() - 1);
        // Between two rows of one paragraph, the cursor belongs to the later one.
        let i = if i + 1 < rows.len()
            && rows[i].row.source.end == p
            && rows[i + 1].row.source.start == p
        {
            i + 1
        } else {
            i
        };
        (i, x_of(&rows[i], p))
    }

    /// Every cursor position on the cursor's row with its content column, sorted left to
    /// right; positions drawn at the same column keep their logical order in the row's
    /// direction, so that each is reachable.
    fn stops(&self, rows: &[RowSlots], row: usize, words_only: bool) -> Vec<(i32, u32)> {
        let r = &rows[row];
        let chars: Vec<char> = self.text.chars().collect();
        let word = |i: u32| {
            chars
                .get(i as usize)
                .is_some_and(|c| c.is_alphanumeric() || is_mark(*c))
        };
        let mut stops: Vec<(Caret, u32)> = self
            .boundaries()
            .into_iter()
            .filter(|&p| r.row.source.start <= p && p <= r.row.source.end)
            .filter(|&p| {
                !words_only
                    || p == r.row.source.start
                    || p == r.row.source.end
                    || p == self.cursor
                    || (p > 0 && word(p) != word(p - 1))
            })
            .map(|p| (x_of(r, p), p))
            .collect();
        // Left to right by the cell the terminal cursor covers, so that → never moves it
        // left; then by boundary; then in logical order along the row's direction.
        let rtl = r.row.direction == Direction::Rtl;
        stops.sort_by_key(|&(c, p)| (c.cell(), c.x, if rtl { -(p as i64) } else { p as i64 }));
        stops.into_iter().map(|(c, p)| (c.x, p)).collect()
    }

    fn move_visually(&mut self, width: u16, options: &LayoutOptions, right: bool, words: bool) {
        let rows = self.rows(width.max(1), options);
        let (row, _) = self.caret(&rows);
        let stops = self.stops(&rows, row, words);
        let Some(i) = stops.iter().position(|&(_, p)| p == self.cursor) else {
            return;
        };
        let j = if right {
            (i + 1).min(stops.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        self.cursor = stops[j].1;
    }

    fn move_row(&mut self, width: u16, options: &LayoutOptions, delta: isize) {
        let rows = self.rows(width.max(1), options);
        let (row, caret) = self.caret(&rows);
        let target = row as isize + delta;
        if target < 0 || target as usize >= rows.len() {
            return;
        }
        let target = target as usize;
        let goal = rows[row].origin + caret.x;
        if let Some(&(_, p)) = self
            .stops(&rows, target, false)
            .iter()
            .min_by_key(|&&(sx, _)| (rows[target].origin + sx - goal).abs())
        {
            self.cursor = p;
        }
    }
}

impl RowSlots {
    /// Content column of the row's column 0 (where its drawn cells start, minus the indent).
    fn shift(&self) -> i32 {
        self.slots
            .iter()
            .find(|s| s.drawn)
            .zip(self.row.cells().first())
            .map_or(0, |(s, c)| s.x - c.col as i32)
    }
}

/// The slots of one row: its drawn cells in visual order, and the whitespace at its logical
/// ends that the layout left out, at the side UAX #9 puts it.
fn row_slots(row: &Row, chars: &[char], width: u16) -> RowSlots {
    let cells = row.cells();
    let drawn_start = cells
        .iter()
        .map(|c| c.source.start)
        .min()
        .unwrap_or(row.source.end);
    let drawn_end = cells
        .iter()
        .map(|c| c.source.end)
        .max()
        .unwrap_or(row.source.end);
    let is_space = |i: u32| chars.get(i as usize).is_some_and(|c| c.is_whitespace());
    let lead: Vec<u32> = (row.source.start..drawn_start)
        .filter(|&i| is_space(i))
        .collect();
    let trail: Vec<u32> = (drawn_end.max(row.source.start)..row.source.end)
        .filter(|&i| is_space(i))
        .collect();
    let rtl = row.direction == Direction::Rtl;
    let base = cells.first().map_or(0, |c| c.col as i32);
    let (before, after) = if rtl {
        (&trail, &lead)
    } else {
        (&lead, &trail)
    };
    let mut slots = Vec::new();
    let space = |i: u32, x: i32| Slot {
        start: i,
        end: i + 1,
        x,
        width: 1,
        rtl,
        drawn: false,
    };
    // On the left, in visual order: for RTL the trailing run, last char leftmost.
    let n_before = before.len() as i32;
    for (k, &i) in before.iter().enumerate() {
        let x = if rtl {
            n_before - 1 - k as i32
        } else {
            k as i32
        };
        slots.push(space(i, x));
    }
    for c in cells {
        slots.push(Slot {
            start: c.source.start,
            end: c.source.end,
            x: n_before + c.col as i32 - base,
            width: c.width as i32,
            rtl: c.rtl,
            drawn: true,
        });
    }
    let drawn = row.width as i32;
    for (k, &i) in after.iter().enumerate() {
        let x = if rtl {
            n_before + drawn + (after.len() - 1 - k) as i32
        } else {
            n_before + drawn + k as i32
        };
        slots.push(space(i, x));
    }
    let content = n_before + drawn + after.len() as i32;
    let box_width = width as i32;
    // Right-to-left rows are right-aligned in the box (one line: when they fit; else `view`
    // scrolls).
    let origin = if rtl { box_width - content } else { 0 };
    RowSlots {
        row: row.clone(),
        slots,
        width: content,
        origin,
    }
}

/// A row for an empty line at char offset `at`.
fn empty_row(at: u32, direction: Direction, width: u16) -> RowSlots {
    let row = Row::empty(at, direction);
    RowSlots {
        row,
        slots: Vec::new(),
        width: 0,
        origin: if direction == Direction::Rtl {
            width as i32
        } else {
            0
        },
    }
}

/// The caret of cursor position `p` on a row: at the reading-start edge of the cluster after
/// it, or at the reading-end edge of the cluster before it when none follows.
fn x_of(r: &RowSlots, p: u32) -> Caret {
    if let Some(s) = r.slots.iter().find(|s| s.start <= p && p < s.end) {
        let start_edge = if s.rtl { s.x + s.width } else { s.x };
        let end_edge = if s.rtl { s.x } else { s.x + s.width };
        let x = if p == s.start { start_edge } else { end_edge };
        return Caret { x, rtl: s.rtl };
    }
    // After the last cluster before `p` (an invisible char or the end of the row).
    match r.slots.iter().filter(|s| s.end <= p).max_by_key(|s| s.end) {
        Some(s) if s.rtl => Caret { x: s.x, rtl: true },
        Some(s) => Caret {
            x: s.x + s.width,
            rtl: false,
        },
        None => {
            let rtl = r.row.direction == Direction::Rtl;
            Caret {
                x: if rtl { r.width } else { 0 },
                rtl,
            }
        }
    }
}

/// Text as the editor keeps it: no control characters; tabs as spaces; newlines kept only in
/// several lines.
fn clean(s: &str, multiline: bool) -> String {
    let s = s.replace("\r\n", "\n");
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' if multiline => Some('\n'),
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\t' => Some(' '),
            c if is_unsafe_control(c) => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> LayoutOptions {
        LayoutOptions {
            shape: false,
            ..LayoutOptions::new(80)
        }
    }

    /// The box's line as drawn, and the cursor column.
    fn screen(e: &mut Editor, width: u16) -> (String, u16) {
        let v = e.view(width, 1, &options());
        let mut line = vec![' '; width as usize];
        for (row, origin) in &v.rows {
            for cell in row.cells() {
                let x = origin + cell.col as i32;
                if x >= 0 && (x as usize) < line.len() {
                    let t = row.cell_text(cell);
                    line[x as usize] = t.chars().next().unwrap_or(' ');
                }
            }
        }
        (line.into_iter().collect(), v.cursor.1)
    }

    #[test]
    fn arabic_typed_reads_right_to_left_with_the_cursor_at_its_left_end() {
        let mut e = Editor::new("", false);
        e.insert("عنوان تجريبي");
        let (line, cursor) = screen(&mut e, 20);
        // Right-aligned in the box, in visual order; the cursor after the last letter typed
        // is at the text's left edge.
        assert_eq!(line, "        يبيرجت ناونع");
        // The terminal cursor is on the blank cell left of the text, as it is right of Latin
        // text after typing.
        assert_eq!(cursor, 7);
        e.home();
        let (_, cursor) = screen(&mut e, 20);
        // After Home, the logical start: on the first letter, at the right edge of the text.
        assert_eq!(cursor, 19);
    }

    #[test]
    fn latin_text_behaves_as_in_any_line_editor() {
        let mut e = Editor::new("abc", false);
        assert_eq!(screen(&mut e, 10), ("abc       ".into(), 3));
        e.left(10, &options());
        assert_eq!(e.cursor(), 2);
        e.insert("X");
        assert_eq!(e.text(), "abXc");
        e.home();
        assert_eq!(screen(&mut e, 10).1, 0);
        e.end();
        e.backspace();
        assert_eq!(e.text(), "abX");
    }

    #[test]
    fn left_goes_left_on_screen_in_arabic() {
        let mut e = Editor::new("سلام", false);
        e.home();
        let start = screen(&mut e, 10).1;
        e.left(10, &options());
        let after = screen(&mut e, 10).1;
        assert!(after < start, "{after} < {start}");
        assert_eq!(e.cursor(), 1, "left in Arabic moves forward logically");
        e.right(10, &options());
        assert_eq!(e.cursor(), 0);
    }

    #[test]
    fn every_position_is_reachable_by_arrows_in_mixed_text() {
        for text in [
            "وزير الداخلية Abdelouafi Laftit في 2023",
            "meeting مع المدير 15 ديسمبر",
            "ab\u{62a}cd",
            "(الرباط) [x]",
        ] {
            let mut e = Editor::new(text, false);
            let o = options();
            // Leftmost stop, then walk right to the end of the row.
            for _ in 0..100 {
                e.left(60, &o);
            }
            let mut seen = std::collections::BTreeSet::new();
            let mut last_x = -1i32;
            for _ in 0..100 {
                seen.insert(e.cursor());
                let x = screen(&mut e, 60).1 as i32;
                assert!(x >= last_x, "{text:?}: right moved left ({last_x} → {x})");
                last_x = x;
                e.right(60, &o);
            }
            let all: std::collections::BTreeSet<u32> = e.boundaries().into_iter().collect();
            assert_eq!(seen, all, "{text:?}");
        }
    }

    #[test]
    fn digits_and_latin_inside_arabic_keep_the_cursor_on_their_cells() {
        // «في 2023»: the digits read left to right inside the RTL line.
        let mut e = Editor::new("في 2023", false);
        let (line, cursor) = screen(&mut e, 10);
        assert_eq!(line, "   2023 يف");
        // At the end: after the digits, which end the line logically: right of "3".
        assert_eq!(cursor, 7);
        // Before "2" (logical 3): "2" is at column 3, an LTR cell: the cursor is on it.
        e.set_cursor(3);
        assert_eq!(screen(&mut e, 10).1, 3);
        // Before "3" (logical 6): on it, column 6.
        e.set_cursor(6);
        assert_eq!(screen(&mut e, 10).1, 6);
        // Before the space (logical 2), an RTL position: left of «في», on the space.
        e.set_cursor(2);
        assert_eq!(screen(&mut e, 10).1, 7);
    }

    #[test]
    fn a_space_typed_at_the_end_shows() {
        let mut e = Editor::new("abc", false);
        e.insert(" ");
        assert_eq!(screen(&mut e, 10).1, 4);
        let mut e = Editor::new("سلام", false);
        let before = screen(&mut e, 10).1;
        e.insert(" ");
        let after = screen(&mut e, 10).1;
        assert_eq!(
            after + 1,
            before,
            "a trailing space in RTL sits left of the word"
        );
    }

    #[test]
    fn a_long_line_scrolls_to_keep_the_cursor_in_the_box() {
        let text = "abcdefghijklmnopqrstuvwxyz";
        let mut e = Editor::new(text, false);
        let (line, cursor) = screen(&mut e, 10);
        assert_eq!(cursor, 9);
        assert_eq!(line, "rstuvwxyz ");
        e.home();
        let (line, cursor) = screen(&mut e, 10);
        assert_eq!((line.as_str(), cursor), ("abcdefghij", 0));
        // Arabic: the logical start is on the right, the end on the left.
        let mut e = Editor::new("سلام ".repeat(6).trim_end(), false);
        e.home();
        let (line, cursor) = screen(&mut e, 10);
        assert_eq!((line.as_str(), cursor), (" مالس مالس", 9));
        e.end();
        let (line, cursor) = screen(&mut e, 10);
        assert_eq!((line.as_str(), cursor), (" مالس مالس", 0));
    }

    #[test]
    fn editing_keys() {
        let mut e = Editor::new("one two  three", false);
        e.delete_word_back();
        assert_eq!(e.text(), "one two  ");
        e.delete_word_back();
        assert_eq!(e.text(), "one ");
        e.clear_line();
        assert_eq!((e.text(), e.cursor()), ("", 0));
        // A haraka is deleted alone; a letter with its marks as one cluster by Delete.
        let mut e = Editor::new("بَ", false);
        e.backspace();
        assert_eq!(e.text(), "ب");
        let mut e = Editor::new("بَت", false);
        e.home();
        e.delete();
        assert_eq!(e.text(), "ت");
    }

    #[test]
    fn pasted_text_loses_controls_and_newlines_unless_multiline() {
        let mut e = Editor::new("", false);
        e.insert("a\u{1b}[31mb\nc\td");
        assert_eq!(e.text(), "a[31mb c d");
        let mut e = Editor::new("", true);
        e.insert("a\r\nb");
        assert_eq!(e.text(), "a\nb");
    }

    #[test]
    fn several_lines_wrap_and_move_by_rows() {
        let mut e = Editor::new("one two three four five six", true);
        let v = e.view(10, 5, &options());
        assert!(v.rows.len() >= 3);
        assert_eq!(v.cursor.0 as usize, v.rows.len() - 1);
        let o = options();
        e.up(10, &o);
        let v2 = e.view(10, 5, &o);
        assert_eq!(v2.cursor.0 + 1, v.cursor.0);
        let mut e = Editor::new("a\n\nb", true);
        e.set_cursor(2);
        let v = e.view(10, 5, &o);
        assert_eq!(v.cursor, (1, 0));
        e.end();
        e.insert("x");
        assert_eq!(e.text(), "a\nx\nb");
        let mut e = Editor::new("a\n", true);
        let v = e.view(10, 5, &o);
        assert_eq!(
            v.cursor,
            (1, 0),
            "after a final newline, on the empty line below"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Any text, any keys, any box: no panic, the cursor on a cluster boundary and inside
        /// the box.
        #[test]
        fn any_keys_keep_the_editor_consistent(
            text in "[a-z0-9 \u{627}-\u{64a}\u{64b}\u{650}\n\u{1b}\u{200f}()]{0,30}",
            keys in proptest::collection::vec(0u8..12, 0..40),
            width in 1u16..30,
            multiline in proptest::bool::ANY,
        ) {
            let o = options();
            let mut e = Editor::new(&text, multiline);
            for k in keys {
                match k {
                    0 => e.left(width, &o),
                    1 => e.right(width, &o),
                    2 => e.word_left(width, &o),
                    3 => e.word_right(width, &o),
                    4 => e.backspace(),
                    5 => e.delete(),
                    6 => e.home(),
                    7 => e.end(),
                    8 => e.insert("ب a"),
                    9 => e.delete_word_back(),
                    10 => e.up(width, &o),
                    _ => e.down(width, &o),
                }
                proptest::prop_assert!(e.boundaries().contains(&e.cursor()));
                let v = e.view(width, 3, &o);
                proptest::prop_assert!(v.cursor.1 < width && v.cursor.0 < 3);
            }
        }
    }
}
