//! The parts of the Unicode Bidirectional Algorithm (UAX #9) that `unicode-bidi` leaves to us.
//!
//! `unicode-bidi` resolves the embedding levels of a paragraph (rules P, X, W, N, I); this
//! module chooses the paragraph direction and does the per-line rules: L1 (reset trailing
//! whitespace to the paragraph level) and L2 (reverse runs). The layout calls them on grapheme
//! clusters rather than chars, which is rule L3 (a haraka stays on its letter); the conformance
//! test calls them on chars, as `BidiCharacterTest.txt` expects.
//!
//! L2 is ours rather than `unicode_bidi::BidiInfo::reorder_visual` because that one panics
//! ("Level error") on a line whose lowest level is 126, which deeply nested isolates reach;
//! untrusted text must never panic the layout.

use std::sync::LazyLock;

use unicode_bidi::data_source::BidiMatchedOpeningBracket;
use unicode_bidi::{BidiClass, BidiDataSource, HardcodedBidiData, ParagraphBidiInfo};

/// A paragraph's base direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Left to right.
    Ltr,
    /// Right to left: Arabic, and the default when text gives no clue.
    #[default]
    Rtl,
}

impl Direction {
    /// The paragraph embedding level: 0 or 1.
    pub fn level(self) -> u8 {
        match self {
            Direction::Ltr => 0,
            Direction::Rtl => 1,
        }
    }

    /// Whether this is right to left.
    pub fn is_rtl(self) -> bool {
        self == Direction::Rtl
    }
}

/// Rules P2–P3: the direction of the first strong character outside isolates, if any.
pub fn first_strong_direction(paragraph: &str) -> Option<Direction> {
    match unicode_bidi::get_base_direction_with_data_source(&TableBidiData, paragraph) {
        unicode_bidi::Direction::Ltr => Some(Direction::Ltr),
        unicode_bidi::Direction::Rtl => Some(Direction::Rtl),
        unicode_bidi::Direction::Mixed => None,
    }
}

/// Rules P2–P3 over chars read one at a time, as [`first_strong_direction`] decides: for a
/// paragraph too long to decode whole, scanned piece by piece.
pub fn first_strong_direction_of(chars: impl IntoIterator<Item = char>) -> Option<Direction> {
    let table = BidiTable::get();
    let mut isolates = 0usize;
    for c in chars {
        match table.class(c) {
            BidiClass::LRI | BidiClass::RLI | BidiClass::FSI => isolates += 1,
            BidiClass::PDI if isolates > 0 => isolates -= 1,
            BidiClass::L if isolates == 0 => return Some(Direction::Ltr),
            BidiClass::R | BidiClass::AL if isolates == 0 => return Some(Direction::Rtl),
            BidiClass::B => break,
            _ => {}
        }
    }
    None
}

/// The direction most of a text's strong characters have: the fallback for paragraphs with no
/// strong character at all (a date line, a list of numbers). Right to left on a tie, since the
/// articles are Arabic.
pub fn dominant_direction(text: &str) -> Direction {
    let mut count = StrongCount::default();
    count.add(text);
    count.dominant()
}

/// The strong characters of a text read in pieces (a file streamed line by line), for
/// [`dominant_direction`] without holding the whole text.
#[derive(Clone, Copy, Debug, Default)]
pub struct StrongCount {
    counts: [usize; 3],
}

impl StrongCount {
    /// Counts the strong characters of `text`.
    pub fn add(&mut self, text: &str) {
        // This reads the whole article before the first row is laid out, so it decodes by
        // hand: ASCII and two-byte sequences (every code point below U+0800, Arabic included)
        // go straight to the table's `strong` column, counted without a branch; only the rest
        // is decoded as chars.
        let table: &[CharBidi] = &TABLE;
        let counts = &mut self.counts;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let code_point = if b < 0x80 {
                i += 1;
                u32::from(b)
            } else if b < 0xE0 {
                // A lead byte 0xC2..=0xDF and one continuation byte (`text` is valid UTF-8).
                let cont = bytes.get(i + 1).copied().unwrap_or(0x80);
                i += 2;
                (u32::from(b) & 0x1F) << 6 | (u32::from(cont) & 0x3F)
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                i += c.len_utf8();
                counts[strength(bidi_table_class(table, c)) as usize] += 1;
                continue;
            };
            counts[table[code_point as usize].strong as usize] += 1;
        }
    }

    /// The direction most of the strong characters counted have; right to left on a tie.
    pub fn dominant(&self) -> Direction {
        if self.counts[STRONG_LTR as usize] > self.counts[STRONG_RTL as usize] {
            Direction::Ltr
        } else {
            Direction::Rtl
        }
    }
}

const STRONG_LTR: u8 = 1;
const STRONG_RTL: u8 = 2;

/// What a class counts for in [`dominant_direction`]: 0 (not strong), [`STRONG_LTR`] or
/// [`STRONG_RTL`].
fn strength(class: BidiClass) -> u8 {
    match class {
        BidiClass::L => STRONG_LTR,
        BidiClass::R | BidiClass::AL => STRONG_RTL,
        _ => 0,
    }
}

#[inline]
fn bidi_table_class(table: &[CharBidi], c: char) -> BidiClass {
    match table_entry_in(table, c) {
        Some(e) => e.class,
        None => unicode_bidi::bidi_class(c),
    }
}

/// Code points whose bidi data is kept in [`TABLE`]: U+0000..U+07FF (Latin, Arabic, Syriac,
/// Thaana, N'Ko), General Punctuation U+2000..U+207F (dashes, quotes, LRM and RLM, isolates),
/// and the Arabic presentation forms U+FB50..U+FEFF that shaping produces (and mirroring then
/// looks up). News text is almost entirely made of these.
const LOW: u32 = 0x800;
const PUNCTUATION: std::ops::Range<u32> = 0x2000..0x2080;
const PRESENTATION: std::ops::Range<u32> = 0xFB50..0xFF00;

/// A char's bidi data: its class and whether it may be a paired bracket or have a mirror.
#[derive(Clone, Copy)]
struct CharBidi {
    class: BidiClass,
    /// [`strength`] of the class.
    strong: u8,
    bracket: bool,
    mirrored: bool,
}

/// `unicode-bidi` finds a char's class by binary search over ~1,400 ranges, its brackets by a
/// linear scan, and `unicode-bidi-mirroring` a mirror by two binary searches: the profile of
/// `tadqiq render` had them at a quarter of the time, since every char is looked up several
/// times. This table holds the same answers for the common blocks, computed once from those
/// same functions, so it cannot disagree with them.
static TABLE: LazyLock<Box<[CharBidi]>> = LazyLock::new(|| {
    (0..LOW)
        .chain(PUNCTUATION)
        .chain(PRESENTATION)
        .map(|u| {
            let c = char::from_u32(u).unwrap_or('\u{FFFD}');
            let class = unicode_bidi::bidi_class(c);
            CharBidi {
                class,
                strong: strength(class),
                bracket: HardcodedBidiData.bidi_matched_opening_bracket(c).is_some(),
                mirrored: unicode_bidi_mirroring::get_mirrored(c).is_some(),
            }
        })
        .collect()
});

#[inline]
fn table_entry(c: char) -> Option<CharBidi> {
    table_entry_in(&TABLE, c)
}

/// [`table_entry`] with the table already at hand (a hot loop dereferences the lazy static
/// once rather than per char).
#[inline]
fn table_entry_in(table: &[CharBidi], c: char) -> Option<CharBidi> {
    let u = c as u32;
    let i = if u < LOW {
        u
    } else if PUNCTUATION.contains(&u) {
        u - PUNCTUATION.start + LOW
    } else if PRESENTATION.contains(&u) {
        u - PRESENTATION.start + LOW + PUNCTUATION.len() as u32
    } else {
        return None;
    };
    table.get(i as usize).copied()
}

/// The Bidi_Class of `c`: `unicode_bidi::bidi_class`, through the table for common chars.
#[inline]
pub fn bidi_class(c: char) -> BidiClass {
    match table_entry(c) {
        Some(e) => e.class,
        None => unicode_bidi::bidi_class(c),
    }
}

/// The mirrored glyph of `c` (rule L4): `unicode_bidi_mirroring::get_mirrored`, skipped for
/// the common chars that have none.
#[inline]
pub fn mirrored(c: char) -> Option<char> {
    BidiTable::get().mirrored(c)
}

/// [`TABLE`] for a caller that looks up every char of a text: it takes this handle once and
/// skips the lazy static's check on each lookup.
#[derive(Clone, Copy)]
pub struct BidiTable(&'static [CharBidi]);

impl std::fmt::Debug for BidiTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BidiTable")
    }
}

impl BidiTable {
    /// The table (built on first use).
    pub fn get() -> Self {
        BidiTable(&TABLE)
    }

    /// [`bidi_class`].
    #[inline]
    pub fn class(self, c: char) -> BidiClass {
        match table_entry_in(self.0, c) {
            Some(e) => e.class,
            None => unicode_bidi::bidi_class(c),
        }
    }

    /// [`bidi_class`], and whether `c` may be a paired bracket (false only when it is not).
    #[inline]
    fn class_and_bracket(self, c: char) -> (BidiClass, bool) {
        match table_entry_in(self.0, c) {
            Some(e) => (e.class, e.bracket),
            None => (unicode_bidi::bidi_class(c), true),
        }
    }

    /// [`mirrored`].
    #[inline]
    pub fn mirrored(self, c: char) -> Option<char> {
        match table_entry_in(self.0, c) {
            Some(e) if !e.mirrored => None,
            _ => unicode_bidi_mirroring::get_mirrored(c),
        }
    }
}

/// `unicode-bidi`'s own data, answered from [`TABLE`] where it can.
pub struct TableBidiData;

impl BidiDataSource for TableBidiData {
    #[inline]
    fn bidi_class(&self, c: char) -> BidiClass {
        bidi_class(c)
    }

    #[inline]
    fn bidi_matched_opening_bracket(&self, c: char) -> Option<BidiMatchedOpeningBracket> {
        match table_entry(c) {
            Some(e) if !e.bracket => None,
            _ => HardcodedBidiData.bidi_matched_opening_bracket(c),
        }
    }
}

/// [`is_implicit_class`] as a bit set of `BidiClass as u32`.
const IMPLICIT_CLASSES: u32 = {
    use BidiClass::*;
    1 << L as u32
        | 1 << R as u32
        | 1 << AL as u32
        | 1 << EN as u32
        | 1 << ES as u32
        | 1 << ET as u32
        | 1 << AN as u32
        | 1 << CS as u32
        | 1 << NSM as u32
        | 1 << ON as u32
        | 1 << WS as u32
};

/// Whether a paragraph made only of chars of this class can be resolved by
/// [`ParagraphLevels`]'s own implicit-only path: no explicit formatting character (embeddings,
/// overrides, isolates), no boundary neutral (removed by X9), no separator. Such a paragraph
/// is a single level run at the paragraph level and a single isolating run sequence, so rules
/// X1–X10 do nothing and only W1–W7, N0–N2 and I1–I2 remain.
#[inline]
pub fn is_implicit_class(class: BidiClass) -> bool {
    use BidiClass::*;
    matches!(class, L | R | AL | EN | ES | ET | AN | CS | NSM | ON | WS)
}

/// A paragraph's original bidi classes and resolved embedding levels, one per char, with the
/// buffers kept from one paragraph to the next.
///
/// `unicode_bidi::ParagraphBidiInfo` works per byte (three vectors the size of the text, two of
/// them allocated per paragraph) and was the largest single cost of a layout. Paragraphs that
/// contain no explicit formatting character (nearly all of them) go through a per-char port of
/// its implicit rules instead: [`ParagraphLevels::resolve`] gives the same classes and levels
/// either way, which the tests check against `unicode-bidi` and `BidiCharacterTest.txt`.
#[derive(Debug, Default)]
pub struct ParagraphLevels {
    /// Original class of each char (as `ParagraphBidiInfo::original_classes`: an FSI reads as
    /// the LRI or RLI it resolves to).
    pub classes: Vec<BidiClass>,
    /// Resolved level of each char.
    pub levels: Vec<u8>,
    /// The classes that occur, as a bit set of `BidiClass as u32`.
    seen: u32,
    /// Whether some char may be a paired bracket (BD14, BD15).
    brackets: bool,
    /// Whether some char's class is not [`is_implicit_class`].
    explicit: bool,
    /// The first strong class (L, R, AL) when `explicit` is false.
    first_strong: Option<BidiClass>,
    work: Vec<BidiClass>,
    pairs: Vec<(usize, usize)>,
    stack: Vec<(char, usize)>,
}

impl ParagraphLevels {
    /// Looks up the original class of every char of `chars` (the chars of one paragraph).
    pub fn classify(&mut self, chars: &[char]) {
        let table = BidiTable::get();
        self.classes.clear();
        // Which classes occur, as a bit set, and whether there may be a paired bracket: the
        // rules that cannot apply to this paragraph are skipped.
        let mut seen = 0u32;
        let mut brackets = false;
        self.classes.extend(chars.iter().map(|&c| {
            let (class, bracket) = table.class_and_bracket(c);
            seen |= 1 << class as u32;
            brackets |= bracket;
            class
        }));
        self.seen = seen;
        self.brackets = brackets;
        self.explicit = seen & !IMPLICIT_CLASSES != 0;
        self.first_strong = self
            .classes
            .iter()
            .copied()
            .find(|c| matches!(c, BidiClass::L | BidiClass::R | BidiClass::AL));
    }

    /// Whether the classified paragraph holds a segment or paragraph separator (class S or
    /// B), the only classes rule L1 looks for inside a line rather than at its end.
    pub fn has_separators(&self) -> bool {
        self.seen & (1 << BidiClass::S as u32 | 1 << BidiClass::B as u32) != 0
    }

    /// Rules P2–P3 on the classified paragraph `text`: as [`first_strong_direction`].
    pub fn first_strong_direction(&self, text: &str) -> Option<Direction> {
        if self.explicit {
            // Isolates are skipped by P2: leave them to unicode-bidi.
            return first_strong_direction(text);
        }
        match self.first_strong? {
            BidiClass::L => Some(Direction::Ltr),
            _ => Some(Direction::Rtl),
        }
    }

    /// Resolves the levels of the classified paragraph `text` (whose chars are `chars`) at
    /// `paragraph_level`, as `ParagraphBidiInfo::new` does.
    pub fn resolve(&mut self, text: &str, chars: &[char], paragraph_level: u8) {
        self.levels.clear();
        if self.explicit {
            let info = ParagraphBidiInfo::new_with_data_source(
                &TableBidiData,
                text,
                Some(unicode_bidi::Level::from(paragraph_level)),
            );
            for (k, (byte, _)) in text.char_indices().enumerate() {
                self.classes[k] = info.original_classes[byte];
                self.levels.push(info.levels[byte].number());
            }
            return;
        }
        self.levels.resize(chars.len(), paragraph_level);
        let rtl = 1 << BidiClass::R as u32 | 1 << BidiClass::AL as u32 | 1 << BidiClass::AN as u32;
        let rtl_free = self.seen & rtl == 0;
        if paragraph_level == 0 && rtl_free {
            // unicode-bidi's "pure LTR" shortcut: every level is the paragraph's.
            return;
        }
        let e = if paragraph_level % 2 == 1 {
            BidiClass::R
        } else {
            BidiClass::L
        };
        self.work.clear();
        self.work.extend_from_slice(&self.classes);
        let has = |class: BidiClass| self.seen & 1 << class as u32 != 0;
        // W7 turns EN into L after an L (or an L sos): without an EN, or without any L, it
        // has nothing to do (no earlier rule makes an EN or an L out of nothing).
        let w7 = has(BidiClass::EN) && (has(BidiClass::L) || e == BidiClass::L);
        resolve_weak(&mut self.work, e, w7);
        resolve_neutral(
            chars,
            &self.classes,
            &mut self.work,
            e,
            self.brackets,
            &mut self.pairs,
            &mut self.stack,
        );
        // I1–I2, by table rather than by branches on an unpredictable class.
        let raise = &RAISE[paragraph_level as usize % 2];
        for (level, &class) in self.levels.iter_mut().zip(&self.work) {
            *level += raise[class as usize];
        }
    }
}

/// Rules I1–I2: how much each resolved class raises the level, at an even and an odd level.
const RAISE: [[u8; 23]; 2] = {
    use BidiClass::*;
    let mut raise = [[0u8; 23]; 2];
    raise[0][R as usize] = 1;
    raise[0][AN as usize] = 2;
    raise[0][EN as usize] = 2;
    raise[1][L as usize] = 1;
    raise[1][EN as usize] = 1;
    raise[1][AN as usize] = 1;
    raise
};

/// Rules W1–W7 on one isolating run sequence with no BN in it, whose sos and eos are both `e`:
/// a per-char port of `unicode_bidi::implicit::resolve_weak`, which applies the rules in one
/// pass (keeping the classes the later rules need).
fn resolve_weak(t: &mut [BidiClass], e: BidiClass, w7: bool) {
    use BidiClass::*;
    let (sos, eos) = (e, e);
    let mut prev_class_before_w4 = sos;
    let mut prev_class_before_w5 = sos;
    let mut prev_class_before_w1 = sos;
    let mut last_strong_is_al = false;
    // The run of ETs just before the current char that W5 may still turn into EN. Without BN
    // the run is contiguous, so its start is enough.
    let mut et_run: Option<usize> = None;
    let mut i = 0;
    while i < t.len() {
        if matches!(t[i], L | R | AL | WS | ON) {
            // A run of letters, spaces and other neutrals (most of a paragraph) only carries
            // state forward: W3 turns AL into R and the last strong class is noted. Taken a
            // run at a time and without branching on each char's class, which the rules below
            // would do several times per char. This leaves exactly the state they would.
            if let Some(start) = et_run.take() {
                t[start..i].fill(ON);
            }
            let mut last = t[i];
            while i < t.len() && matches!(t[i], L | R | AL | WS | ON) {
                let c = t[i];
                let al = c == AL;
                last_strong_is_al = al | (last_strong_is_al & !matches!(c, L | R));
                t[i] = if al { R } else { c };
                last = c;
                i += 1;
            }
            prev_class_before_w1 = last;
            prev_class_before_w4 = if last == AL { R } else { last };
            prev_class_before_w5 = prev_class_before_w4;
            continue;
        }
        let mut w2_class = t[i];
        // W1 (there is no isolate before an NSM here).
        if t[i] == NSM {
            t[i] = prev_class_before_w1;
            w2_class = t[i];
        }
        prev_class_before_w1 = t[i];
        // W2, W3.
        match t[i] {
            EN if last_strong_is_al => t[i] = AN,
            AL => t[i] = R,
            _ => {}
        }
        match w2_class {
            L | R => last_strong_is_al = false,
            AL => last_strong_is_al = true,
            _ => {}
        }
        let class_before_w456 = t[i];
        match t[i] {
            EN => {
                // W5: ETs before an EN.
                if let Some(start) = et_run.take() {
                    t[start..i].fill(EN);
                }
            }
            ES | CS => {
                // W4, and W6 for separators.
                let mut next = t.get(i + 1).copied().unwrap_or(eos);
                if next == EN && last_strong_is_al {
                    next = AN;
                }
                t[i] = match (prev_class_before_w4, t[i], next) {
                    (EN, ES | CS, EN) => EN,
                    (AN, CS, AN) => AN,
                    _ => ON,
                };
            }
            ET => match prev_class_before_w5 {
                // W5: ETs after an EN.
                EN => t[i] = EN,
                _ => {
                    et_run.get_or_insert(i);
                }
            },
            _ => {}
        }
        prev_class_before_w5 = t[i];
        if prev_class_before_w5 != ET {
            // W6 for terminators that no EN claimed.
            if let Some(start) = et_run.take() {
                t[start..i].fill(ON);
            }
        }
        prev_class_before_w4 = class_before_w456;
        i += 1;
    }
    if let Some(start) = et_run {
        t[start..].fill(ON);
    }
    // W7 (skipped when the caller knows it changes nothing).
    if !w7 {
        return;
    }
    let mut last_strong_is_l = sos == L;
    for class in t.iter_mut() {
        // Branch-free form of: EN after L becomes L; L sets, R and AL clear the flag.
        let c = *class;
        *class = if c == EN && last_strong_is_l { L } else { c };
        last_strong_is_l = c == L || (last_strong_is_l && !matches!(c, R | AL));
    }
}

/// Rules N0–N2 on one isolating run sequence with no BN in it, whose sos and eos are both `e`:
/// a per-char port of `unicode_bidi::implicit::resolve_neutral`.
fn resolve_neutral(
    chars: &[char],
    original: &[BidiClass],
    t: &mut [BidiClass],
    e: BidiClass,
    brackets: bool,
    pairs: &mut Vec<(usize, usize)>,
    stack: &mut Vec<(char, usize)>,
) {
    use BidiClass::*;
    let (sos, eos) = (e, e);
    let not_e = if e == L { R } else { L };

    // BD16: the bracket pairs, among chars whose class is still ON (none without brackets).
    pairs.clear();
    stack.clear();
    if brackets {
        for (i, &c) in chars.iter().enumerate() {
            if t[i] != ON {
                continue;
            }
            let Some(bracket) = TableBidiData.bidi_matched_opening_bracket(c) else {
                continue;
            };
            if bracket.is_open {
                if stack.len() >= 63 {
                    break;
                }
                stack.push((bracket.opening, i));
            } else if let Some(k) = stack.iter().rposition(|&(o, _)| o == bracket.opening) {
                pairs.push((stack[k].1, i));
                stack.truncate(k);
            }
        }
    }
    pairs.sort_by_key(|&(start, _)| start);

    // N0.
    for &(start, end) in pairs.iter() {
        let mut found_e = false;
        let mut found_not_e = false;
        for &class in &t[start + 1..end] {
            if class == e {
                found_e = true;
            } else if class == not_e {
                found_not_e = true;
            } else if matches!(class, EN | AN) {
                // EN and AN count as R here.
                if e == L {
                    found_not_e = true;
                } else {
                    found_e = true;
                }
            }
            if found_e {
                break;
            }
        }
        let set = if found_e {
            e
        } else if found_not_e {
            let before = t[..start]
                .iter()
                .rev()
                .copied()
                .find(|c| matches!(c, L | R | EN | AN))
                .unwrap_or(sos);
            if matches!(before, EN | AN) { R } else { before }
        } else {
            continue;
        };
        t[start] = set;
        t[end] = set;
        // NSMs right after a bracket take its new class.
        for at in [start + 1, end + 1] {
            for k in at..t.len() {
                if original[k] != NSM {
                    break;
                }
                t[k] = set;
            }
        }
    }

    // N1, N2.
    let is_ni = |c: BidiClass| matches!(c, B | S | WS | ON | FSI | LRI | RLI | PDI);
    let mut prev = sos;
    let mut i = 0;
    while i < t.len() {
        if is_ni(t[i]) {
            let start = i;
            while i < t.len() && is_ni(t[i]) {
                i += 1;
            }
            let next = t.get(i).copied().unwrap_or(eos);
            let new = match (prev, next) {
                (L, L) => L,
                (R | AN | EN, R | AN | EN) => R,
                _ => e,
            };
            t[start..i].fill(new);
            if i == t.len() {
                break;
            }
        }
        prev = t[i];
        i += 1;
    }
}

/// Whether rule X9 removes characters of this class: embeddings, overrides, PDF and boundary
/// neutrals. They get no level of their own and are left out before L1 and L2.
#[inline]
pub fn removed_by_x9(class: BidiClass) -> bool {
    use BidiClass::*;
    matches!(class, RLE | LRE | RLO | LRO | PDF | BN)
}

/// Whether this class is drawn as nothing once the line is ordered: every explicit formatting
/// character, including the isolates and the marks LRM, RLM and ALM, which take part in L1–L2.
#[inline]
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Rule L1 on one line: segment and paragraph separators, and any run of whitespace or isolate
/// formatting characters before them or at the end of the line, go back to the paragraph level.
///
/// `classes` are the original classes of the line's units, in logical order, without the units
/// X9 removed; `levels` are their resolved levels, updated in place.
pub fn reset_whitespace_levels(classes: &[BidiClass], levels: &mut [u8], paragraph_level: u8) {
    debug_assert_eq!(classes.len(), levels.len());
    reset_whitespace_levels_by(|i| classes[i], levels, paragraph_level);
}

/// [`reset_whitespace_levels`] with the class of unit `i` given by `class_of(i)`, for a caller
/// that keeps classes in its own structures and would otherwise copy them per line.
#[inline]
pub fn reset_whitespace_levels_by(
    class_of: impl Fn(usize) -> BidiClass,
    levels: &mut [u8],
    paragraph_level: u8,
) {
    use BidiClass::*;
    // Walk backwards: `resetting` is true while we are in a run that ends at a separator or at
    // the end of the line.
    let mut resetting = true;
    for i in (0..levels.len()).rev() {
        match class_of(i) {
            S | B => {
                levels[i] = paragraph_level;
                resetting = true;
            }
            WS | FSI | LRI | RLI | PDI if resetting => levels[i] = paragraph_level,
            _ => resetting = false,
        }
    }
}

/// Rule L2: the visual order of a line, left to right, as indices into `levels`.
///
/// From the highest level down to the lowest odd one, every maximal run of units at that level
/// or above is reversed. `order` is cleared and filled (so callers can reuse its allocation).
pub fn visual_order(levels: &[u8], order: &mut Vec<usize>) {
    order.clear();
    order.extend(0..levels.len());
    if levels.is_empty() {
        return;
    }
    let (lowest, highest) = levels
        .iter()
        .fold((u8::MAX, 0), |(lo, hi), &l| (lo.min(l), hi.max(l)));
    let lowest_odd = lowest | 1;
    let mut level = highest;
    // When the lowest level is odd, the last pass (at that level) finds one run, the whole
    // line: reverse it without looking for runs. Most lines of an Arabic text are such lines.
    let last_pass_is_whole = lowest == lowest_odd;
    while level >= lowest_odd {
        if level == lowest_odd && last_pass_is_whole {
            order.reverse();
            break;
        }
        let mut i = 0;
        while i < levels.len() {
            if levels[order[i]] >= level {
                let start = i;
                while i < levels.len() && levels[order[i]] >= level {
                    i += 1;
                }
                order[start..i].reverse();
            } else {
                i += 1;
            }
        }
        level -= 1;
    }
}

/// Rules L1 and L2 together: the visual order of one line's units.
pub fn reorder_line(
    classes: &[BidiClass],
    levels: &mut [u8],
    paragraph_level: u8,
    order: &mut Vec<usize>,
) {
    reset_whitespace_levels(classes, levels, paragraph_level);
    visual_order(levels, order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `ParagraphLevels` must give what `ParagraphBidiInfo::new` gives, char by char.
    #[track_caller]
    fn assert_levels_match_unicode_bidi(text: &str, paragraph_level: u8) {
        let chars: Vec<char> = text.chars().collect();
        let mut ours = ParagraphLevels::default();
        ours.classify(&chars);
        ours.resolve(text, &chars, paragraph_level);
        let info = ParagraphBidiInfo::new(text, Some(unicode_bidi::Level::from(paragraph_level)));
        for (k, (byte, c)) in text.char_indices().enumerate() {
            assert_eq!(
                (ours.classes[k], ours.levels[k]),
                (info.original_classes[byte], info.levels[byte].number()),
                "char {k} (U+{:04X}) of {text:?} at paragraph level {paragraph_level}",
                c as u32
            );
        }
        assert_eq!(
            ours.first_strong_direction(text),
            match unicode_bidi::get_base_direction(text) {
                unicode_bidi::Direction::Ltr => Some(Direction::Ltr),
                unicode_bidi::Direction::Rtl => Some(Direction::Rtl),
                unicode_bidi::Direction::Mixed => None,
            },
            "{text:?}"
        );
    }

    #[test]
    fn levels_match_unicode_bidi_on_the_conformance_data() {
        use std::io::Read;
        let data: &[u8] = include_bytes!("../../tests/data/BidiCharacterTest-15.0.0.txt.gz");
        let mut text = String::new();
        flate2::read::GzDecoder::new(data)
            .read_to_string(&mut text)
            .expect("the vendored test data decompresses");
        let mut implicit_only = 0;
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let field = line.split(';').next().unwrap_or("");
            let case: String = field
                .split_whitespace()
                .map(|h| char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap())
                .collect();
            let chars: Vec<char> = case.chars().collect();
            let mut levels = ParagraphLevels::default();
            levels.classify(&chars);
            implicit_only += !levels.explicit as usize;
            // Every case at both paragraph levels: the fast path where it applies, the
            // fallback elsewhere.
            for paragraph_level in [0, 1] {
                assert_levels_match_unicode_bidi(&case, paragraph_level);
            }
        }
        assert!(
            implicit_only > 10_000,
            "{implicit_only} cases for the fast path"
        );
    }

    /// Chars of every class the fast path handles, in the mixes that exercise W1–W7 and N0:
    /// numbers and their separators and terminators, brackets (canonical equivalents too),
    /// marks after brackets; and a few explicit ones for the fallback.
    fn bidi_char() -> impl Strategy<Value = char> {
        prop_oneof![
            8 => prop::sample::select(vec![
                'a', 'Z', 'ب', 'ل', 'א', '1', '9', '٣', '۴', '+', '-', '#', '$', '%', '٪', '€',
                ',', '.', ':', '/', '،', '\u{a0}', '\u{64e}', '\u{301}', '(', ')', '[', ']',
                '{', '}', '«', '»', '\u{2329}', '\u{232a}', '\u{3008}', '\u{3009}', '!', '"',
                ' ', '\u{2003}', '\u{600}', '\u{6dd}', '\u{fe8d}', '\u{fefb}',
            ]),
            1 => prop::sample::select(vec![
                '\u{200e}', '\u{200f}', '\u{61c}', '\u{202a}', '\u{202b}', '\u{202c}',
                '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
                '\u{200b}', '\u{200d}', '\u{ad}', '\t', '\u{2029}', '\u{1f}',
            ]),
            1 => any::<char>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn levels_match_unicode_bidi(chars in prop::collection::vec(bidi_char(), 0..40)) {
            let text: String = chars.into_iter().collect();
            assert_levels_match_unicode_bidi(&text, 0);
            assert_levels_match_unicode_bidi(&text, 1);
        }

        #[test]
        fn dominant_direction_counts_strong_chars(text in any::<String>()) {
            let (mut ltr, mut rtl) = (0, 0);
            for c in text.chars() {
                match unicode_bidi::bidi_class(c) {
                    BidiClass::L => ltr += 1,
                    BidiClass::R | BidiClass::AL => rtl += 1,
                    _ => {}
                }
            }
            let expected = if ltr > rtl { Direction::Ltr } else { Direction::Rtl };
            prop_assert_eq!(dominant_direction(&text), expected);
        }
    }

    #[test]
    fn the_table_agrees_with_the_crates_it_caches() {
        let table = BidiTable::get();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                table.class(c),
                unicode_bidi::bidi_class(c),
                "U+{:04X}",
                c as u32
            );
            assert_eq!(
                table.mirrored(c),
                unicode_bidi_mirroring::get_mirrored(c),
                "U+{:04X}",
                c as u32
            );
            let ours = TableBidiData.bidi_matched_opening_bracket(c);
            let theirs = HardcodedBidiData.bidi_matched_opening_bracket(c);
            assert_eq!(
                ours.map(|b| (b.opening, b.is_open)),
                theirs.map(|b| (b.opening, b.is_open)),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn implicit_levels_table_is_rules_i1_and_i2() {
        use BidiClass::*;
        for class in [
            AL, AN, B, BN, CS, EN, ES, ET, FSI, L, LRE, LRI, LRO, NSM, ON, PDF, PDI, R, RLE, RLI,
            RLO, S, WS,
        ] {
            let even = match class {
                R => 1,
                AN | EN => 2,
                _ => 0,
            };
            let odd = match class {
                L | EN | AN => 1,
                _ => 0,
            };
            assert_eq!(
                [RAISE[0][class as usize], RAISE[1][class as usize]],
                [even, odd]
            );
        }
    }

    #[test]
    fn implicit_classes_bit_set() {
        use BidiClass::*;
        let all = [
            AL, AN, B, BN, CS, EN, ES, ET, FSI, L, LRE, LRI, LRO, NSM, ON, PDF, PDI, R, RLE, RLI,
            RLO, S, WS,
        ];
        for class in all {
            assert!((class as u32) < 32);
            assert_eq!(
                IMPLICIT_CLASSES & 1 << class as u32 != 0,
                is_implicit_class(class),
                "{class:?}"
            );
        }
    }

    fn order(levels: &[u8]) -> Vec<usize> {
        let mut o = Vec::new();
        visual_order(levels, &mut o);
        o
    }

    #[test]
    fn reverses_runs_from_the_highest_level_down() {
        assert_eq!(order(&[0, 0, 0]), [0, 1, 2]);
        assert_eq!(order(&[1, 1, 1]), [2, 1, 0]);
        // RTL paragraph with an embedded LTR word: the word keeps its inner order.
        assert_eq!(order(&[1, 2, 2, 1]), [3, 1, 2, 0]);
        assert_eq!(order(&[0, 1, 1, 0, 1]), [0, 2, 1, 3, 4]);
    }

    #[test]
    fn deepest_levels_do_not_panic() {
        // unicode-bidi's reorder_visual panics when the lowest level is 126.
        // Runs ≥126 reverse to [1,0,2,3]; then the whole line (≥125) reverses.
        assert_eq!(order(&[126, 126, 125, 126]), [3, 2, 0, 1]);
        assert_eq!(order(&[126]), [0]);
        assert_eq!(order(&[]), Vec::<usize>::new());
    }

    #[test]
    fn trailing_whitespace_goes_to_the_paragraph_level() {
        use BidiClass::*;
        let classes = [L, WS, L, WS, WS];
        let mut levels = [2, 2, 2, 2, 2];
        reset_whitespace_levels(&classes, &mut levels, 1);
        assert_eq!(levels, [2, 2, 2, 1, 1]);

        let classes = [R, WS, S, R, LRI, WS];
        let mut levels = [1, 1, 1, 1, 1, 1];
        reset_whitespace_levels(&classes, &mut levels, 0);
        assert_eq!(levels, [1, 0, 0, 1, 0, 0]);
    }

    #[test]
    fn paragraph_direction_comes_from_the_first_strong_character() {
        assert_eq!(
            first_strong_direction("123 حموشي abc"),
            Some(Direction::Rtl)
        );
        assert_eq!(
            first_strong_direction("«Lerner» نيكولا"),
            Some(Direction::Ltr)
        );
        // Inside an isolate does not count (P2).
        assert_eq!(
            first_strong_direction("\u{2067}abc\u{2069} حموشي"),
            Some(Direction::Rtl)
        );
        assert_eq!(first_strong_direction("2023/12/15 - 50%"), None);
        // The streaming scan, for paragraphs laid out in pieces, decides alike.
        for text in [
            "123 حموشي abc",
            "«Lerner» نيكولا",
            "\u{2067}abc\u{2069} حموشي",
            "\u{2066}\u{2067}abc\u{2069}\u{2069}\u{2069} abc",
            "2023/12/15 - 50%",
        ] {
            assert_eq!(
                first_strong_direction_of(text.chars()),
                first_strong_direction(text),
                "{text:?}"
            );
        }
        assert_eq!(dominant_direction("abc حموشي الرباط"), Direction::Rtl);
        assert_eq!(dominant_direction("Nicolas Lerner حموشي"), Direction::Ltr);
        assert_eq!(dominant_direction("123"), Direction::Rtl);
    }
}
