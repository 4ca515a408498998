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

use unicode_bidi::BidiClass;

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
    match unicode_bidi::get_base_direction(paragraph) {
        unicode_bidi::Direction::Ltr => Some(Direction::Ltr),
        unicode_bidi::Direction::Rtl => Some(Direction::Rtl),
        unicode_bidi::Direction::Mixed => None,
    }
}

/// The direction most of a text's strong characters have: the fallback for paragraphs with no
/// strong character at all (a date line, a list of numbers). Right to left on a tie, since the
/// articles are Arabic.
pub fn dominant_direction(text: &str) -> Direction {
    let (mut ltr, mut rtl) = (0usize, 0usize);
    for c in text.chars() {
        if c.is_ascii() {
            ltr += c.is_ascii_alphabetic() as usize;
            continue;
        }
        match unicode_bidi::bidi_class(c) {
            BidiClass::L => ltr += 1,
            BidiClass::R | BidiClass::AL => rtl += 1,
            _ => {}
        }
    }
    if ltr > rtl {
        Direction::Ltr
    } else {
        Direction::Rtl
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
    use BidiClass::*;
    debug_assert_eq!(classes.len(), levels.len());
    // Walk backwards: `resetting` is true while we are in a run that ends at a separator or at
    // the end of the line.
    let mut resetting = true;
    for i in (0..classes.len()).rev() {
        match classes[i] {
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
    let Some(&highest) = levels.iter().max() else {
        return;
    };
    let lowest_odd = levels.iter().min().map_or(1, |&l| l | 1);
    let mut level = highest;
    while level >= lowest_odd {
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
        assert_eq!(dominant_direction("abc حموشي الرباط"), Direction::Rtl);
        assert_eq!(dominant_direction("Nicolas Lerner حموشي"), Direction::Ltr);
        assert_eq!(dominant_direction("123"), Direction::Rtl);
    }
}
