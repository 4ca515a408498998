//! How many terminal cells a grapheme cluster takes.
//!
//! Widths are measured per cluster, never per string: `unicode-width` gives the string «لا»
//! (lam + alef) one cell because a shaping renderer ligates it, but a terminal gives each of the
//! two code points a cell, and a row measured as a string loses a cell on almost every Arabic
//! line. Shaping, when on, produces the ligature itself and the layout measures *that*.

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
