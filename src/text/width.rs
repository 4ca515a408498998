//! How many terminal cells a grapheme cluster takes.
//!
//! Widths are measured per cluster, never per string: `unicode-width` gives the string «لا»
//! (lam + alef) one cell because a shaping renderer ligates it, but a terminal gives each of the
//! two code points a cell, and a row measured as a string loses a cell on almost every Arabic
//! line. Shaping, when on, produces the ligature itself and the layout measures *that*.

use std::sync::LazyLock;

use unicode_width::UnicodeWidthStr;

/// Cells taken by one grapheme cluster as a terminal draws it: 1 or 2.
///
/// Zero-width clusters (a lone combining mark, an invisible format character) are the caller's
/// business: this returns at least 1 so that a malformed cluster still occupies a cell and stays
/// selectable, as helix does.
#[inline]
pub fn cluster_width(cluster: &str) -> u8 {
    let bytes = cluster.as_bytes();
    if bytes.len() == 1 && bytes[0] < 0x80 {
        return 1;
    }
    cluster.width().clamp(1, 2) as u8
}

/// Code points whose per-char facts are kept in [`TABLE`]: U+0000..U+07FF (Latin, Arabic and
/// neighbours), General Punctuation (U+2000..U+207F) and the Arabic presentation forms that
/// shaping produces (U+FB50..U+FEFF).
const LOW: u32 = 0x800;
const PUNCTUATION: std::ops::Range<u32> = 0x2000..0x2080;
const PRESENTATION: std::ops::Range<u32> = 0xFB50..0xFF00;

/// The char is a grapheme cluster by itself between two such chars, draws one cell, and is not
/// invisible, a mark, a control or a line separator.
const SIMPLE: u8 = 1;
/// [`cluster_width`] of the char alone is 2.
const WIDE: u8 = 2;
/// The char has a mirrored glyph (BidiMirroring.txt), which rule L4 shows at RTL levels.
const MIRRORED: u8 = 4;

/// Per-char facts the layout needs for every char, computed once from the same functions it
/// would otherwise call per cluster (`unicode-segmentation`, `unicode-width`), so they cannot
/// disagree with them: segmenting and measuring each cluster was a sixth of the layout's time.
static TABLE: LazyLock<Box<[u8]>> = LazyLock::new(|| {
    (0..LOW)
        .chain(PUNCTUATION)
        .chain(PRESENTATION)
        .map(|u| {
            let Some(c) = char::from_u32(u) else {
                return 0;
            };
            let mut buf = [0u8; 4];
            let alone: &str = c.encode_utf8(&mut buf);
            let width = cluster_width(alone);
            let mut flags = if width == 2 { WIDE } else { 0 };
            if is_simple(c, width) {
                flags |= SIMPLE;
            }
            if unicode_bidi_mirroring::get_mirrored(c).is_some() {
                flags |= MIRRORED;
            }
            flags
        })
        .collect()
});

/// Whether `c` is [`SIMPLE`]. UAX #29 puts a boundary between two chars A and B unless a rule
/// says otherwise, and every such rule (GB3–GB9c, GB11–GB13) needs A or B to be CR, LF, a
/// Hangul jamo or syllable, Extend, ZWJ, SpacingMark, Prepend or a regional indicator, or
/// looks back through Extend and ZWJ chars. A char that a following letter does not join
/// (not Prepend), that does not join a preceding letter (not Extend, ZWJ or SpacingMark) and
/// that is none of the others is therefore a cluster of its own between two such chars,
/// whatever surrounds them.
fn is_simple(c: char, width: u8) -> bool {
    use unicode_segmentation::UnicodeSegmentation;
    let hangul =
        matches!(c, '\u{1100}'..='\u{11FF}' | '\u{A960}'..='\u{A97F}' | '\u{AC00}'..='\u{D7FF}');
    let regional = matches!(c, '\u{1F1E6}'..='\u{1F1FF}');
    // A letter on each side: three clusters when `c` neither joins the letter before it
    // (Extend, ZWJ, SpacingMark) nor the one after it (Prepend). One segmentation, run last:
    // this is most of the table's one-time cost.
    let stands_alone = || {
        let mut buf = [b'a'; 6];
        let n = c.encode_utf8(&mut buf[1..]).len();
        std::str::from_utf8(&buf[..n + 2]).is_ok_and(|s| s.graphemes(true).count() == 3)
    };
    width == 1
        && !c.is_control()
        && !is_default_ignorable(c)
        && c != '\u{2028}'
        && c != '\u{2029}'
        && !hangul
        && !regional
        && stands_alone()
}

/// The per-char facts of [`TABLE`], for a caller that looks up every char of a text: it takes
/// this handle once and skips the lazy static's check on each lookup.
#[derive(Clone, Copy, Debug)]
pub struct CharFacts(&'static [u8]);

impl CharFacts {
    /// The table (built on first use).
    pub fn get() -> Self {
        CharFacts(&TABLE)
    }

    #[inline]
    fn flags(self, c: char) -> Option<u8> {
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
        self.0.get(i as usize).copied()
    }

    /// Whether `c` is a grapheme cluster of one cell by itself when the chars on both sides of
    /// it are such chars too (ASCII letters, Arabic letters and digits, most punctuation): the
    /// layout then needs no segmentation, no width measure and no invisibility test for it.
    /// False for everything the table does not cover, which the layout treats the long way.
    #[inline]
    pub fn is_simple(self, c: char) -> bool {
        self.flags(c).is_some_and(|f| f & SIMPLE != 0)
    }

    /// [`CharFacts::width`] of `c`, and whether `c` may have a mirrored glyph (false only
    /// when it has none): what the layout asks of every char it draws, in one lookup.
    #[inline]
    pub fn width_and_mirror(self, c: char) -> (u8, bool) {
        match self.flags(c) {
            Some(f) => (1 + (f & WIDE != 0) as u8, f & MIRRORED != 0),
            None => (char_width_uncached(c), true),
        }
    }

    /// [`cluster_width`] of the single char `c`.
    #[inline]
    pub fn width(self, c: char) -> u8 {
        match self.flags(c) {
            Some(f) => 1 + (f & WIDE != 0) as u8,
            None => char_width_uncached(c),
        }
    }
}

#[cold]
fn char_width_uncached(c: char) -> u8 {
    let mut buf = [0u8; 4];
    cluster_width(c.encode_utf8(&mut buf))
}

/// [`CharFacts::is_simple`].
pub fn is_simple_char(c: char) -> bool {
    CharFacts::get().is_simple(c)
}

/// [`cluster_width`] of the single char `c`: [`CharFacts::width`].
pub fn char_width(c: char) -> u8 {
    CharFacts::get().width(c)
}

/// Cells taken by a string drawn cluster by cluster, as [`cluster_width`] counts them.
pub fn str_width(s: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    if s.is_ascii() {
        return s.len();
    }
    s.graphemes(true)
        .map(|g| {
            if is_invisible(g) {
                0
            } else {
                cluster_width(g) as usize
            }
        })
        .sum()
}

/// Whether a cluster is nothing but characters that draw nothing (default ignorables such as
/// ZWSP, ZWJ, BOM or a bidi control): the layout keeps its offset but gives it no cell.
pub fn is_invisible(cluster: &str) -> bool {
    cluster.chars().all(is_default_ignorable)
}

/// The characters that draw nothing and take no cell (a subset of Default_Ignorable_Code_Point
/// that matters in text: format controls, joiners, the BOM, variation selectors).
#[inline]
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{034F}'                // combining grapheme joiner
        | '\u{061C}'                // Arabic letter mark
        | '\u{115F}'..='\u{1160}'
        | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'   // ZWSP, ZWNJ, ZWJ, LRM, RLM
        | '\u{202A}'..='\u{202E}'   // embeddings and overrides
        | '\u{2060}'..='\u{206F}'   // word joiner, isolates
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors
        | '\u{FEFF}'                // BOM / ZWNBSP
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// Whether `c` joins the cluster of the char before it (a mark, a spacing mark, an emoji
/// modifier): such a char may only start a cluster after a control or at the start of a line,
/// and then has no base of its own. Costs a segmentation: call it only there.
pub fn extends_cluster(c: char) -> bool {
    use unicode_segmentation::UnicodeSegmentation;
    if c.is_ascii() || is_default_ignorable(c) {
        return false;
    }
    let mut buf = [0u8; 5];
    buf[0] = b'a';
    let len = 1 + c.encode_utf8(&mut buf[1..]).len();
    let s = std::str::from_utf8(&buf[..len]).unwrap_or("a");
    s.graphemes(true).nth(1).is_none()
}

/// Whether `c` is a combining mark: a zero-width character that draws on the cell before it
/// (it extends a preceding base into one grapheme cluster).
#[inline]
pub fn is_mark(c: char) -> bool {
    use unicode_width::UnicodeWidthChar;
    if c.is_ascii() || c.width() != Some(0) || is_default_ignorable(c) {
        return false;
    }
    // Width 0 also covers unassigned code points and Hangul jamo, which are not marks.
    extends_cluster(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    fn table_chars() -> impl Iterator<Item = char> {
        (0..LOW)
            .chain(PUNCTUATION)
            .chain(PRESENTATION)
            .filter_map(char::from_u32)
    }

    #[test]
    fn char_facts_agree_with_what_they_cache() {
        let facts = CharFacts::get();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let (width, may_mirror) = facts.width_and_mirror(c);
            assert_eq!(width, facts.width(c), "U+{:04X}", c as u32);
            if unicode_bidi_mirroring::get_mirrored(c).is_some() {
                assert!(may_mirror, "U+{:04X}", c as u32);
            }
            let mut buf = [0u8; 4];
            assert_eq!(
                facts.width(c),
                cluster_width(c.encode_utf8(&mut buf)),
                "U+{:04X}",
                c as u32
            );
            if facts.is_simple(c) {
                assert!(!is_invisible(c.encode_utf8(&mut buf)), "U+{:04X}", c as u32);
                assert!(!extends_cluster(c) && !c.is_control(), "U+{:04X}", c as u32);
                assert_eq!(facts.width(c), 1, "U+{:04X}", c as u32);
            }
        }
        assert!(facts.is_simple('a') && facts.is_simple('ب') && facts.is_simple(' '));
        assert!(!facts.is_simple('\u{064E}'), "a haraka joins its letter");
        assert!(
            !facts.is_simple('\u{0600}'),
            "a prepended mark joins the next letter"
        );
        assert!(!facts.is_simple('\u{200D}') && !facts.is_simple('\u{2028}'));
    }

    /// The promise the layout relies on: two simple chars are two clusters, whatever is around
    /// them. Every simple char against a spread of others, with context on both sides.
    #[test]
    fn simple_chars_are_clusters_of_their_own() {
        let facts = CharFacts::get();
        let simple: Vec<char> = table_chars().filter(|&c| facts.is_simple(c)).collect();
        assert!(simple.len() > 1500, "{}", simple.len());
        let others: Vec<char> = simple.iter().copied().step_by(61).collect();
        let contexts = [
            ("", ""),
            ("a", "\u{064E}"),
            ("\u{0600}", "\u{200D}"),
            ("\u{094D}", "\u{1F1EB}"),
            ("\u{200D}", "\u{1161}"),
            ("\u{1F1EB}", ""),
            ("\r", ""),
            ("\u{1100}", ""),
        ];
        for &a in &simple {
            for &b in &others {
                for pair in [[a, b], [b, a]] {
                    for (before, after) in contexts {
                        let s = format!("{before}{}{}{after}", pair[0], pair[1]);
                        let at = before.len() + pair[0].len_utf8();
                        assert!(
                            s.grapheme_indices(true).any(|(i, _)| i == at),
                            "no boundary between U+{:04X} and U+{:04X} in {s:?}",
                            pair[0] as u32,
                            pair[1] as u32
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn clusters_take_one_or_two_cells() {
        assert_eq!(cluster_width("a"), 1);
        assert_eq!(cluster_width("ب"), 1);
        assert_eq!(cluster_width("بَ"), 1, "a haraka draws on its letter");
        assert_eq!(cluster_width("中"), 2);
        assert_eq!(cluster_width("😀"), 2);
        assert_eq!(
            cluster_width("\u{064E}"),
            1,
            "a lone mark still gets a cell"
        );
    }

    #[test]
    fn lam_alef_is_two_cells_when_not_ligated() {
        // The trap: unicode-width measures the *string* «لا» as 1.
        assert_eq!(UnicodeWidthStr::width("لا"), 1);
        assert_eq!(str_width("لا"), 2);
        assert_eq!(str_width("السلام"), 6);
    }

    #[test]
    fn invisible_clusters() {
        assert!(is_invisible("\u{200B}"));
        assert!(is_invisible("\u{202B}"));
        assert!(!is_invisible("\u{064E}"));
        assert!(!is_invisible(" "));
        assert!(is_mark('\u{064E}'));
        assert!(!is_mark('\u{200D}'));
        assert!(!is_mark('\u{1161}'), "a Hangul vowel jamo is a letter");
        assert!(extends_cluster('\u{1F3FB}'), "an emoji modifier");
        assert!(extends_cluster('\u{0AC9}'), "a spacing mark");
        assert!(!extends_cluster('ب'));
        assert_eq!(str_width("a\u{200B}b"), 2);
    }
}
