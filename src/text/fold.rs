//! Search folding: the forms of Arabic (and Latin) text that a reader takes for the same word,
//! made equal for matching.
//!
//! News text writes one word several ways: with or without harakat, stretched with tatweel,
//! hamza on the alef or not (أمن / امن), ى for ي at the end, ة or ه, Arabic-Indic or Latin
//! digits. An analyst searching «الامن» must find «الأمن». Folding is for matching only: the
//! stored text is never changed, and every folded char remembers which source char it came
//! from, so that a hit can be highlighted in the original.

use unicode_normalization::UnicodeNormalization;

/// Text folded for matching, with the source char offset of each folded char.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Folded {
    /// The folded chars.
    pub chars: Vec<char>,
    /// For each folded char, the char offset in the source it came from.
    pub source: Vec<u32>,
    /// The source's length in chars.
    pub len: u32,
}

/// Folds one char into what it matches as: nothing (a mark, tatweel, a bidi control), or one
/// or more chars. Public for readers that fold a text as a stream (twin detection), without
/// keeping the folded copy and its offsets.
pub fn fold_char(c: char, out: &mut impl FnMut(char)) {
    match c {
        // Harakat, Quranic annotation marks, superscript alef, tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0640}' => {}
        // Invisible format controls (bidi marks, ZWJ/ZWNJ, ALM) do not make a word different.
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061C}' => {}
        'أ' | 'إ' | 'آ' | 'ٱ' => out('ا'),
        'ى' => out('ي'),
        'ة' => out('ه'),
        '\u{0660}'..='\u{0669}' => out(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        '\u{06F0}'..='\u{06F9}' => out(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
        // Presentation forms (text shaped by its producer) fold to the letters they show.
        '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' => {
            for d in c.nfkc() {
                fold_char(d, out);
            }
        }
        c if c.is_uppercase() => c.to_lowercase().for_each(out),
        c => out(c),
    }
}

/// Folds `text`, keeping where each folded char came from.
pub fn fold(text: &str) -> Folded {
    let mut f = Folded::default();
    for (i, c) in text.chars().enumerate() {
        fold_char(c, &mut |d| {
            f.chars.push(d);
            f.source.push(i as u32);
        });
        f.len = i as u32 + 1;
    }
    f
}

/// Folds a query: the same folding, whitespace runs made one space, ends trimmed.
pub fn fold_query(query: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for c in fold(query).chars {
        if c.is_whitespace() {
            if out.last().is_some_and(|l| *l != ' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    while out.last() == Some(&' ') {
        out.pop();
    }
    out
}

impl Folded {
    /// Every match of `query` (already folded by [`fold_query`]) as a source char range, in
    /// order. A space in the query matches any whitespace run.
    pub fn find_all(&self, query: &[char]) -> Vec<std::ops::Range<u32>> {
        let mut hits = Vec::new();
        if query.is_empty() {
            return hits;
        }
        let mut i = 0;
        while i < self.chars.len() {
            if let Some(end) = self.match_at(i, query) {
                let start = self.source[i];
                // The marks folded away after the last letter belong to the hit: it ends where
                // the next folded char comes from.
                let stop = self.source.get(end).copied().unwrap_or(self.len);
                hits.push(start..stop);
                i = end;
            } else {
                i += 1;
            }
        }
        hits
    }

    /// The end (exclusive, in folded chars) of a match of `query` starting at `i`.
    fn match_at(&self, mut i: usize, query: &[char]) -> Option<usize> {
        for &q in query {
            if q == ' ' {
                if !self.chars.get(i)?.is_whitespace() {
                    return None;
                }
                while self.chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
            } else if *self.chars.get(i)? == q {
                i += 1;
            } else {
                return None;
            }
        }
        Some(i)
    }
}

/// The searchable text of `items`: each folded, whitespace runs made one space, joined by a line
/// feed (so that a match never spans two items). The index's search rows and the article
/// table's text filter are made of it.
pub fn searchable<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (k, item) in items.into_iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let mut in_space = false;
        for c in fold(item).chars {
            if c.is_whitespace() {
                if !in_space {
                    out.push(' ');
                }
                in_space = true;
            } else {
                out.push(c);
                in_space = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(text: &str, query: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        fold(text)
            .find_all(&fold_query(query))
            .into_iter()
            .map(|r| chars[r.start as usize..r.end as usize].iter().collect())
            .collect()
    }

    #[test]
    fn hamza_harakat_tatweel_and_final_forms_fold() {
        assert_eq!(hits("تعزيز الأمن الإقليمي", "الامن"), ["الأمن"]);
        assert_eq!(hits("الأَمْـــن", "الامن"), ["الأَمْـــن"]);
        assert_eq!(hits("مستشفى المدينة", "مستشفي المدينه"), ["مستشفى المدينة"]);
        assert_eq!(hits("إقرأ أيضاً", "اقرا ايضا"), ["إقرأ أيضاً"]);
        assert_eq!(hits("ٱلله", "الله"), ["ٱلله"]);
    }

    #[test]
    fn digits_of_both_scripts_and_latin_case_fold() {
        assert_eq!(hits("يوم ١٥ ديسمبر 2023", "15"), ["١٥"]);
        assert_eq!(hits("يوم ١٥ ديسمبر 2023", "٢٠٢٣"), ["2023"]);
        assert_eq!(hits("Abdellatif HAMMOUCHI", "hammouchi"), ["HAMMOUCHI"]);
    }

    #[test]
    fn whitespace_in_the_query_matches_any_run() {
        assert_eq!(
            hits("بمدينة   الرباط", "بمدينة الرباط"),
            ["بمدينة   الرباط"]
        );
        assert!(hits("بمدينةالرباط", "بمدينة الرباط").is_empty());
    }

    #[test]
    fn presentation_forms_match_their_letters() {
        // «سلام» as a shaper's output.
        assert_eq!(hits("\u{FEB3}\u{FEFC}\u{FEE1}", "سلام").len(), 1);
    }

    #[test]
    fn the_text_is_never_changed_and_ranges_are_source_chars() {
        let text = "قال: الأمن";
        let f = fold(text);
        let r = &f.find_all(&fold_query("امن"))[0];
        assert_eq!((r.start, r.end), (7, 10));
    }
}
