//! Arabic contextual shaping for a terminal.
//!
//! A terminal draws code points, one glyph per cell, and does not shape: the
//! letters of «سلام» would come out as four disconnected isolated letters. So
//! we shape ourselves: each Arabic letter is replaced by its Unicode
//! presentation form (U+FB50..U+FDFF, U+FE70..U+FEFF) for its place in the
//! joined group (isolated, final, initial, medial), and lam followed by alef
//! becomes one lam-alef ligature glyph, as print shows it.
//!
//! Shaping works on the LOGICAL text, before bidi reordering, because joining
//! is defined between logical neighbours (Unicode chapter 9.2, ArabicShaping.txt;
//! UAX #9 leaves it to us). The output has exactly one entry per input char,
//! so every offset computed on the logical text (wrapping, cursor, selection,
//! bidi levels) stays valid for the shaped text.
//!
//! What is not done here: optional ligatures beyond lam-alef, mark positioning,
//! and joining *into* letters that Unicode gave no presentation form (they
//! stay nominal; their neighbours still take their joined forms).

use std::sync::LazyLock;

use unicode_joining_type::{JoiningType, get_joining_type};

use super::shape_table::{FIRST, FORMS, LAM_ALEF, LAST};

/// Where a letter sits in its joined group.
///
/// The order is the column order of the generated form table, so a `Form`
/// indexes a table row directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// Joins neither neighbour.
    Isolated,
    /// Joins only its logical predecessor (the letter to its right).
    Final,
    /// Joins only its logical successor (the letter to its left).
    Initial,
    /// Joins both neighbours.
    Medial,
}

/// What one input char becomes.
///
/// One `Shaped` per input char, so that offsets into the logical text stay
/// valid after shaping; the ligature is the only case where two chars share
/// one glyph, and it is expressed by `Ligature` + `Absorbed` rather than by
/// shortening the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shaped {
    /// Shown as this char (a presentation form, or the input char unchanged when it has no form).
    Char(char),
    /// A lam that starts a lam-alef ligature: show this ligature glyph (one terminal cell) here.
    Ligature(char),
    /// The alef of a lam-alef ligature: already drawn by the preceding `Ligature`; show nothing.
    Absorbed,
}

const LAM: char = '\u{0644}';

/// Joining class of a char (Joining_Type of ArabicShaping.txt), as the shaper uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// T: marks and most invisible format controls (LRM, RLM, ALM, the embeddings):
    /// skipped when looking for neighbours, never change.
    Transparent,
    /// U: breaks joining (spaces, digits, Latin, ZWNJ, hamza, the bidi isolates).
    NonJoining,
    /// R: joins its predecessor only (alef, dal, reh, waw…).
    Right,
    /// L: joins its successor only (none in Arabic; Manichaean, Phags-pa…).
    Left,
    /// D: joins both sides (beh, seen, lam…).
    Dual,
    /// C: forces joining on both sides without changing itself (tatweel, ZWJ).
    Causing,
}

impl Class {
    /// Can this char connect to the char before it?
    #[inline]
    fn joins_back(self) -> bool {
        matches!(self, Class::Right | Class::Dual | Class::Causing)
    }

    /// Can this char connect to the char after it?
    #[inline]
    fn joins_forward(self) -> bool {
        matches!(self, Class::Left | Class::Dual | Class::Causing)
    }
}

/// The joining class of `c`, from `unicode-joining-type` (Unicode 16 data).
///
/// The crate's values for the chars that matter were checked (and are pinned by
/// a test): ZWJ is C, ZWNJ is U, tatweel is C, ALM/LRM/RLM/LRE..RLO and the
/// harakat and U+0670 are T, as ArabicShaping.txt says. The bidi isolates
/// LRI/RLI/FSI/PDI are U, because ArabicShaping.txt lists them so on purpose:
/// an isolate's content is laid out as a separate run, so a letter must not join
/// across its boundary. We keep that. No override is needed.
#[inline]
fn class(c: char) -> Class {
    // ASCII never joins and has no transparent char: skip the table.
    if c.is_ascii() {
        return Class::NonJoining;
    }
    match get_joining_type(c) {
        JoiningType::Transparent => Class::Transparent,
        JoiningType::RightJoining => Class::Right,
        JoiningType::LeftJoining => Class::Left,
        JoiningType::DualJoining => Class::Dual,
        JoiningType::JoinCausing => Class::Causing,
        // NonJoining, and any value a future version of the (non-exhaustive) enum adds.
        _ => Class::NonJoining,
    }
}

/// Walks `chars` once and calls `f(index, char, class, form)` for every char
/// that is not transparent, in logical order, once its form is known (one
/// non-transparent char later). Transparent chars are skipped both as
/// neighbours and as callees.
#[inline]
fn for_each_form(chars: &[char], mut f: impl FnMut(usize, char, Class, Form)) {
    // The last non-transparent char not yet reported: (index, class, joins its predecessor).
    let mut pending: Option<(usize, Class, bool)> = None;
    for (i, &c) in chars.iter().enumerate() {
        let cls = class(c);
        if cls == Class::Transparent {
            continue;
        }
        let joins_prev = cls.joins_back() && pending.is_some_and(|(_, p, _)| p.joins_forward());
        if let Some((pi, pcls, pjoined)) = pending {
            f(pi, chars[pi], pcls, form_of(pjoined, joins_prev));
        }
        pending = Some((i, cls, joins_prev));
    }
    if let Some((pi, pcls, pjoined)) = pending {
        f(pi, chars[pi], pcls, form_of(pjoined, false));
    }
}

#[inline]
fn form_of(joins_prev: bool, joins_next: bool) -> Form {
    match (joins_prev, joins_next) {
        (false, false) => Form::Isolated,
        (true, false) => Form::Final,
        (false, true) => Form::Initial,
        (true, true) => Form::Medial,
    }
}

/// The table row of `c`, if `c` is in the span of base letters that have forms.
#[inline]
fn row(c: char) -> Option<&'static [u16; 4]> {
    FORMS.get((c as u32).wrapping_sub(FIRST as u32) as usize)
}

/// The form in column `form` of a table row (0 in the table means none).
#[inline]
fn cell(row: &[u16; 4], form: Form) -> Option<char> {
    match row[form as usize] {
        0 => None,
        v => char::from_u32(u32::from(v)),
    }
}

/// `c` shown in `form`, falling back to the form Unicode does have: a letter
/// that joins both sides but has no medial form shows its final form (it keeps
/// the connection to the right, where the word comes from), then isolated;
/// a missing initial or final shows the isolated form; no form at all, `c` itself.
#[inline]
fn display(c: char, form: Form) -> char {
    let Some(row) = row(c) else { return c };
    if let Some(p) = cell(row, form) {
        return p;
    }
    let fallbacks: &[Form] = match form {
        Form::Medial => &[Form::Final, Form::Initial, Form::Isolated],
        Form::Final | Form::Initial => &[Form::Isolated],
        Form::Isolated => &[],
    };
    fallbacks.iter().find_map(|&f| cell(row, f)).unwrap_or(c)
}

/// The lam-alef ligature for `alef`, in its isolated or final form.
#[inline]
fn lam_alef(alef: char, lam_joins_prev: bool) -> Option<char> {
    LAM_ALEF
        .iter()
        .find(|&&(a, _, _)| a == alef)
        .map(|&(_, iso, fin)| if lam_joins_prev { fin } else { iso })
}

/// Shape one logical paragraph (or line); returns one entry per input char.
///
/// Give it a whole paragraph (or at least a whole line) in logical order:
/// joining depends on both neighbours, so shaping a fragment would turn the
/// letters at its edges isolated. Marks and other transparent chars come back
/// unchanged and do not break joining; so do chars with no presentation form.
/// Non-joining chars come back unchanged too, hamza included (its isolated
/// form U+FE80 is the same glyph).
/// Lam + alef (U+0627, U+0623, U+0625, U+0622), with only marks between them,
/// gives `Ligature` on the lam and `Absorbed` on the alef.
///
/// Text with no Arabic letter costs one scan and no table lookup.
pub fn shape(chars: &[char]) -> Vec<Shaped> {
    let mut out = Vec::new();
    shape_into(chars, &mut out);
    out
}

/// [`shape`] into `out` (cleared first), so that a caller shaping paragraph after paragraph
/// reuses one allocation.
pub fn shape_into(chars: &[char], out: &mut Vec<Shaped>) {
    let mut any_arabic = false;
    out.clear();
    out.extend(chars.iter().map(|&c| {
        any_arabic |= (FIRST..=LAST).contains(&c);
        Shaped::Char(c)
    }));
    if !any_arabic {
        // Nothing outside FIRST..=LAST has a presentation form.
        return;
    }
    // `for_each_form` with `place` as its callback, written out: every paragraph of an
    // article is shaped, and the closure was not inlined (a call per char).
    let letters: &[Letter] = &LETTERS;
    // The last non-transparent char not yet placed (usize::MAX: none), whether it can join
    // the next char, and whether it joins the one before it.
    let mut pending = usize::MAX;
    let mut pending_forward = false;
    let mut pending_joined = false;
    for (i, &c) in chars.iter().enumerate() {
        let cls = match letters.get(c as usize) {
            Some(l) => l.class,
            None => class(c),
        };
        if cls == Class::Transparent {
            continue;
        }
        let joins_prev = cls.joins_back() && pending_forward;
        if pending != usize::MAX {
            place(
                letters,
                chars,
                out,
                pending,
                form_of(pending_joined, joins_prev),
            );
        }
        pending = i;
        pending_forward = cls.joins_forward();
        pending_joined = joins_prev;
    }
    if pending != usize::MAX {
        place(letters, chars, out, pending, form_of(pending_joined, false));
    }
}

/// What the shaper needs of a char: its joining class, what it shows as in each form, and
/// whether it is the lam of a possible lam-alef.
#[derive(Clone, Copy)]
struct Letter {
    class: Class,
    /// `display` in each form for a joining char in FIRST..=LAST; the char itself otherwise
    /// (a non-joining char keeps its nominal code point even where it has a form, like hamza
    /// U+0621 and its FE80: same glyph, and `shape` then changes exactly the chars
    /// `joining_forms` gives a form to, as FriBidi does).
    shown: [char; 4],
    lam: bool,
}

/// [`Letter`] for U+0000..U+06FF (ASCII and the Arabic block, around FIRST..=LAST), computed
/// once from `class` and `display`: every char of a paragraph goes through here, and the table
/// saves, per char, the joining-type lookup, the tests of the char's range and class, and the
/// form lookup with its fallbacks.
static LETTERS: LazyLock<Box<[Letter]>> = LazyLock::new(|| {
    ('\0'..'\u{0700}')
        .map(|c| {
            let class = class(c);
            let has_forms = class != Class::NonJoining && (FIRST..=LAST).contains(&c);
            Letter {
                class,
                shown: [Form::Isolated, Form::Final, Form::Initial, Form::Medial]
                    .map(|f| if has_forms { display(c, f) } else { c }),
                lam: c == LAM,
            }
        })
        .collect()
});

/// Gives `chars[i]` its shape for `form` in `out`. Inlined into the loop (a call per letter
/// cost more than the work), with the rarer lam case kept apart.
#[inline(always)]
fn place(letters: &[Letter], chars: &[char], out: &mut [Shaped], i: usize, form: Form) {
    let c = chars[i];
    if out[i] == Shaped::Absorbed {
        return;
    }
    // Beyond the table (past LAST), nothing has a form.
    let Some(l) = letters.get(c as usize) else {
        return;
    };
    if l.lam && place_lam_alef(chars, out, i, form) {
        return;
    }
    out[i] = Shaped::Char(l.shown[form as usize]);
}

/// Makes the lam at `chars[i]` and the alef after it a ligature, if there is such an alef.
#[inline(never)]
fn place_lam_alef(chars: &[char], out: &mut [Shaped], i: usize, form: Form) -> bool {
    // Lam is dual-joining and every alef right-joining, so a lam whose next
    // non-transparent char is an alef always joins it; the ligature takes the
    // lam's place and only the lam's right side matters.
    // Only marks may sit between the two: they stay in the lam's grapheme cluster,
    // so the ligature is one cell. An invisible control between them (LRM, an
    // embedding) is a cluster of its own and would split that cell.
    let next = chars[i + 1..]
        .iter()
        .position(|&n| class(n) != Class::Transparent || !super::width::is_mark(n))
        .map(|k| i + 1 + k);
    if let Some(j) = next {
        let joins_prev = matches!(form, Form::Final | Form::Medial);
        if let Some(lig) = lam_alef(chars[j], joins_prev) {
            out[i] = Shaped::Ligature(lig);
            // The alef is right-joining, so the char after it already does not
            // join it: the ligature's left side is closed, as it should be.
            out[j] = Shaped::Absorbed;
            return true;
        }
    }
    false
}

/// The joining form of every char (None for chars that don't join: Latin, digits, spaces, marks…).
///
/// This is the contextual form by the joining rules alone, for chars that can
/// join (joining types R, L, D and C, so tatweel and ZWJ get one too); it knows
/// nothing of presentation forms or of the lam-alef ligature (a lam before an
/// alef is `Initial` or `Medial` here). Non-joining (U) and transparent (T)
/// chars get `None`. Useful to callers that need to know whether a letter
/// connects, e.g. where a line may be cut without breaking a joined group.
pub fn joining_forms(chars: &[char]) -> Vec<Option<Form>> {
    let mut out = vec![None; chars.len()];
    // Nothing below U+0620 (the first joining letter) joins.
    if chars.iter().all(|&c| c < '\u{0620}') {
        return out;
    }
    for_each_form(chars, |i, _, cls, form| {
        if cls != Class::NonJoining {
            out[i] = Some(form);
        }
    });
    out
}

/// The presentation form of `c` in `form`, if Unicode has one.
///
/// Exactly Unicode's table (single-letter compatibility decompositions
/// `<isolated>`, `<final>`, `<initial>`, `<medial>`), without the fallbacks
/// `shape` applies: `presentation_form('\u{0627}', Form::Initial)` is `None`.
pub fn presentation_form(c: char, form: Form) -> Option<char> {
    row(c).and_then(|r| cell(r, form))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_joining_type::{JoiningType, get_joining_type};

    use Shaped::{Absorbed, Char as C, Ligature as Lig};

    fn sh(s: &str) -> Vec<Shaped> {
        shape(&s.chars().collect::<Vec<_>>())
    }

    fn forms(s: &str) -> Vec<Option<Form>> {
        joining_forms(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn crate_joining_types_are_what_we_rely_on() {
        use JoiningType::*;
        let expect = [
            ('\u{200D}', JoinCausing),  // ZWJ
            ('\u{200C}', NonJoining),   // ZWNJ
            ('\u{0640}', JoinCausing),  // tatweel
            ('\u{061C}', Transparent),  // ALM
            ('\u{200E}', Transparent),  // LRM
            ('\u{200F}', Transparent),  // RLM
            ('\u{202B}', Transparent),  // RLE
            ('\u{202C}', Transparent),  // PDF
            ('\u{2067}', NonJoining),   // RLI: listed as U in ArabicShaping.txt
            ('\u{2069}', NonJoining),   // PDI: listed as U in ArabicShaping.txt
            ('\u{0670}', Transparent),  // superscript alef
            ('\u{064B}', Transparent),  // fathatan
            ('\u{064E}', Transparent),  // fatha
            ('\u{0651}', Transparent),  // shadda
            ('\u{0652}', Transparent),  // sukun
            ('\u{0621}', NonJoining),   // hamza
            ('\u{0627}', RightJoining), // alef
            ('\u{0644}', DualJoining),  // lam
            ('\u{06CC}', DualJoining),  // farsi yeh
            ('\u{0600}', NonJoining),   // number sign: a prepended mark, U
        ];
        for (c, jt) in expect {
            assert_eq!(get_joining_type(c), jt, "U+{:04X}", c as u32);
        }
        // The fast path of `joining_forms` relies on nothing below U+0620 joining.
        let joining_below =
            ('\0'..'\u{0620}').find(|&c| !matches!(get_joining_type(c), NonJoining | Transparent));
        assert_eq!(joining_below, None);
        for &(alef, _, _) in LAM_ALEF.iter() {
            assert_eq!(
                class(alef),
                Class::Right,
                "every lam-alef alef is right-joining"
            );
        }
    }

    #[test]
    fn empty_input() {
        assert_eq!(shape(&[]), vec![]);
        assert_eq!(joining_forms(&[]), vec![]);
    }

    #[test]
    fn non_arabic_is_unchanged() {
        let s = "Hello, world 123 — Ελληνικά עברית 中文 🦀";
        let chars: Vec<char> = s.chars().collect();
        assert_eq!(sh(s), chars.iter().map(|&c| C(c)).collect::<Vec<_>>());
        assert!(forms(s).iter().all(Option::is_none));
    }

    #[test]
    fn four_forms_of_beh() {
        assert_eq!(sh("ب"), [C('\u{FE8F}')]); // beh isolated
        assert_eq!(
            sh("ببب"),
            [
                C('\u{FE91}'), // beh initial
                C('\u{FE92}'), // beh medial
                C('\u{FE90}'), // beh final
            ]
        );
        assert_eq!(
            forms("ببب"),
            [Some(Form::Initial), Some(Form::Medial), Some(Form::Final)]
        );
    }

    #[test]
    fn right_joining_letter_never_joins_forward() {
        assert_eq!(
            sh("دب"),
            [
                C('\u{FEA9}'), // dal isolated
                C('\u{FE8F}'), // beh isolated
            ]
        );
        assert_eq!(
            sh("بدب"),
            [
                C('\u{FE91}'), // beh initial
                C('\u{FEAA}'), // dal final
                C('\u{FE8F}'), // beh isolated
            ]
        );
    }

    #[test]
    fn hamza_does_not_join_and_stays_nominal() {
        assert_eq!(
            sh("بء"),
            [
                C('\u{FE8F}'), // beh isolated
                C('\u{0621}'), // hamza, unchanged (FE80 would be the same glyph)
            ]
        );
        assert_eq!(forms("بء"), [Some(Form::Isolated), None]);
        // «الضوء»: the hamza after a right-joining waw.
        assert_eq!(
            sh("الضوء"),
            [
                C('\u{FE8D}'), // alef isolated
                C('\u{FEDF}'), // lam initial
                C('\u{FEC0}'), // dad medial
                C('\u{FEEE}'), // waw final
                C('\u{0621}'), // hamza
            ]
        );
        assert_eq!(presentation_form('ء', Form::Isolated), Some('\u{FE80}')); // hamza isolated
    }

    #[test]
    fn spaces_digits_and_latin_break_joining() {
        assert_eq!(
            sh("ب ب1بaب"),
            [
                C('\u{FE8F}'), // beh isolated
                C(' '),
                C('\u{FE8F}'), // beh isolated
                C('1'),
                C('\u{FE8F}'), // beh isolated
                C('a'),
                C('\u{FE8F}'), // beh isolated
            ]
        );
    }

    #[test]
    fn marks_are_transparent_and_unchanged() {
        assert_eq!(
            sh("بَّب"),
            [
                C('\u{FE91}'), // beh initial
                C('\u{064E}'), // fatha
                C('\u{0651}'), // shadda
                C('\u{FE90}'), // beh final
            ]
        );
        assert_eq!(forms("بَب"), [Some(Form::Initial), None, Some(Form::Final)]);
        // Superscript alef (U+0670) is a mark too.
        assert_eq!(
            sh("هٰذا"),
            [
                C('\u{FEEB}'), // heh initial
                C('\u{0670}'), // superscript alef
                C('\u{FEAC}'), // thal final
                C('\u{FE8D}'), // alef isolated
            ]
        );
    }

    #[test]
    fn bidi_marks_do_not_break_joining() {
        for mark in ['\u{200E}', '\u{200F}', '\u{061C}', '\u{202B}', '\u{202C}'] {
            let s: String = ['ب', mark, 'ب'].iter().collect();
            assert_eq!(
                sh(&s),
                [
                    C('\u{FE91}'), // beh initial
                    C(mark),
                    C('\u{FE90}'), // beh final
                ],
                "U+{:04X}",
                mark as u32
            );
        }
    }

    #[test]
    fn bidi_isolates_break_joining() {
        // ArabicShaping.txt makes LRI/RLI/FSI/PDI non-joining: an isolate is a separate run.
        assert_eq!(
            sh("ب\u{2067}ب\u{2069}ب"),
            [
                C('\u{FE8F}'), // beh isolated
                C('\u{2067}'),
                C('\u{FE8F}'), // beh isolated
                C('\u{2069}'),
                C('\u{FE8F}'), // beh isolated
            ]
        );
    }

    #[test]
    fn leading_and_lone_marks_stay() {
        assert_eq!(
            sh("\u{064E}ب"),
            [
                C('\u{064E}'), // fatha with no base
                C('\u{FE8F}'), // beh isolated
            ]
        );
        assert_eq!(sh("\u{064E}\u{0651}"), [C('\u{064E}'), C('\u{0651}')]);
        assert_eq!(sh(" \u{0652}"), [C(' '), C('\u{0652}')]);
        assert_eq!(forms("\u{064E}\u{0651}"), [None, None]);
    }

    #[test]
    fn zwnj_stops_the_join() {
        assert_eq!(
            sh("ب\u{200C}ب"),
            [
                C('\u{FE8F}'), // beh isolated
                C('\u{200C}'), // ZWNJ, unchanged
                C('\u{FE8F}'), // beh isolated
            ]
        );
        // Persian «می‌خواهم»: meem yeh | ZWNJ | khah waw alef heh meem.
        assert_eq!(
            sh("می\u{200C}خواهم"),
            [
                C('\u{FEE3}'), // meem initial
                C('\u{FBFD}'), // farsi yeh final
                C('\u{200C}'), // ZWNJ
                C('\u{FEA7}'), // khah initial
                C('\u{FEEE}'), // waw final
                C('\u{FE8D}'), // alef isolated
                C('\u{FEEB}'), // heh initial
                C('\u{FEE2}'), // meem final
            ]
        );
        assert_eq!(forms("ب\u{200C}"), [Some(Form::Isolated), None]);
    }

    #[test]
    fn zwj_forces_joining() {
        assert_eq!(
            sh("ب\u{200D}"),
            [
                C('\u{FE91}'), // beh initial
                C('\u{200D}'), // ZWJ, unchanged
            ]
        );
        assert_eq!(
            sh("\u{200D}ب"),
            [
                C('\u{200D}'), // ZWJ
                C('\u{FE90}'), // beh final
            ]
        );
        // Persian heh + ZWJ: the initial heh used as an abbreviation.
        assert_eq!(sh("ه\u{200D}"), [C('\u{FEEB}'), C('\u{200D}')]); // heh initial
        assert_eq!(forms("ب\u{200D}"), [Some(Form::Initial), Some(Form::Final)]);
    }

    #[test]
    fn tatweel_joins_both_sides() {
        assert_eq!(
            sh("بـ"),
            [
                C('\u{FE91}'), // beh initial
                C('\u{0640}'), // tatweel, unchanged
            ]
        );
        assert_eq!(
            sh("بـب"),
            [
                C('\u{FE91}'), // beh initial
                C('\u{0640}'), // tatweel
                C('\u{FE90}'), // beh final
            ]
        );
        assert_eq!(
            sh("ـد"),
            [
                C('\u{0640}'), // tatweel
                C('\u{FEAA}'), // dal final
            ]
        );
        assert_eq!(forms("بـ"), [Some(Form::Initial), Some(Form::Final)]);
    }

    #[test]
    fn lam_alef_alone() {
        assert_eq!(sh("لا"), [Lig('\u{FEFB}'), Absorbed]); // lam-alef isolated
        assert_eq!(sh("لأ"), [Lig('\u{FEF7}'), Absorbed]); // lam-alef hamza above isolated
        assert_eq!(sh("لإ"), [Lig('\u{FEF9}'), Absorbed]); // lam-alef hamza below isolated
        assert_eq!(sh("لآ"), [Lig('\u{FEF5}'), Absorbed]); // lam-alef madda isolated
        // joining_forms knows nothing of the ligature.
        assert_eq!(forms("لا"), [Some(Form::Initial), Some(Form::Final)]);
    }

    #[test]
    fn lam_alef_with_mark_between() {
        assert_eq!(
            sh("لَا"),
            [
                Lig('\u{FEFB}'), // lam-alef isolated
                C('\u{064E}'),   // fatha, unchanged
                Absorbed,
            ]
        );
    }

    #[test]
    fn lam_alef_final() {
        assert_eq!(
            sh("بلا"),
            [
                C('\u{FE91}'),   // beh initial
                Lig('\u{FEFC}'), // lam-alef final
                Absorbed,
            ]
        );
        assert_eq!(sh("بلأ")[1], Lig('\u{FEF8}')); // lam-alef hamza above final
        assert_eq!(sh("بلإ")[1], Lig('\u{FEFA}')); // lam-alef hamza below final
        assert_eq!(sh("بلآ")[1], Lig('\u{FEF6}')); // lam-alef madda final
        assert_eq!(
            sh("\u{200D}لا"),
            [C('\u{200D}'), Lig('\u{FEFC}'), Absorbed] // ZWJ makes the lam join: final
        );
    }

    #[test]
    fn lam_alef_does_not_join_forward() {
        assert_eq!(
            sh("سلام"),
            [
                C('\u{FEB3}'),   // seen initial
                Lig('\u{FEFC}'), // lam-alef final
                Absorbed,
                C('\u{FEE1}'), // meem isolated
            ]
        );
        assert_eq!(
            sh("لاب"),
            [
                Lig('\u{FEFB}'), // lam-alef isolated
                Absorbed,
                C('\u{FE8F}'), // beh isolated
            ]
        );
    }

    #[test]
    fn al_salam_and_allah() {
        assert_eq!(
            sh("السلام"),
            [
                C('\u{FE8D}'),   // alef isolated
                C('\u{FEDF}'),   // lam initial
                C('\u{FEB4}'),   // seen medial
                Lig('\u{FEFC}'), // lam-alef final
                Absorbed,
                C('\u{FEE1}'), // meem isolated
            ]
        );
        assert_eq!(
            sh("الله"),
            [
                C('\u{FE8D}'), // alef isolated
                C('\u{FEDF}'), // lam initial
                C('\u{FEE0}'), // lam medial
                C('\u{FEEA}'), // heh final
            ]
        );
    }

    #[test]
    fn no_ligature_across_a_joiner_or_a_non_joiner() {
        assert_eq!(
            sh("ل\u{200C}ا"),
            [
                C('\u{FEDD}'), // lam isolated
                C('\u{200C}'),
                C('\u{FE8D}'), // alef isolated
            ]
        );
        assert_eq!(
            sh("ل\u{200D}ا"),
            [
                C('\u{FEDF}'), // lam initial
                C('\u{200D}'),
                C('\u{FE8E}'), // alef final
            ]
        );
        // Alef wasla has no lam ligature in Unicode.
        assert_eq!(
            sh("لٱ"),
            [
                C('\u{FEDF}'), // lam initial
                C('\u{FB51}'), // alef wasla final
            ]
        );
        // A lam at the very end, or before a space.
        assert_eq!(sh("ل"), [C('\u{FEDD}')]); // lam isolated
        assert_eq!(sh("ل ا")[0], C('\u{FEDD}')); // lam isolated
    }

    #[test]
    fn persian_and_urdu_letters() {
        assert_eq!(
            sh("پچژگک"),
            [
                C('\u{FB58}'), // peh initial
                C('\u{FB7D}'), // tcheh medial
                C('\u{FB8B}'), // jeh final
                C('\u{FB94}'), // gaf initial
                C('\u{FB8F}'), // keheh final
            ]
        );
        assert_eq!(sh("ی"), [C('\u{FBFC}')]); // farsi yeh isolated
        assert_eq!(sh("یی"), [C('\u{FBFE}'), C('\u{FBFD}')]); // farsi yeh initial, final
        assert_eq!(sh("بۀ"), [C('\u{FE91}'), C('\u{FBA5}')]); // beh initial, heh with yeh above final
        assert_eq!(sh("بے"), [C('\u{FE91}'), C('\u{FBAF}')]); // beh initial, yeh barree final
    }

    #[test]
    fn missing_forms_fall_back() {
        // Noon ghunna is dual-joining but Unicode has only its isolated and final forms.
        assert_eq!(
            sh("بںب"),
            [
                C('\u{FE91}'), // beh initial
                C('\u{FB9F}'), // noon ghunna final (no medial form)
                C('\u{FE90}'), // beh final
            ]
        );
        assert_eq!(sh("ںب")[0], C('\u{FB9E}')); // noon ghunna isolated (no initial form)
        // U with hamza above has only an isolated form.
        assert_eq!(sh("بٷ"), [C('\u{FE91}'), C('\u{FBDD}')]); // beh initial, U+0677 isolated
        // Ae (U+06D5) has no presentation form at all: it stays itself.
        assert_eq!(sh("بە"), [C('\u{FE91}'), C('\u{06D5}')]); // beh initial, ae unchanged
    }

    #[test]
    fn presentation_form_is_exact() {
        assert_eq!(presentation_form('ب', Form::Initial), Some('\u{FE91}')); // beh initial
        assert_eq!(presentation_form('ب', Form::Medial), Some('\u{FE92}')); // beh medial
        assert_eq!(presentation_form('ه', Form::Final), Some('\u{FEEA}')); // heh final
        assert_eq!(presentation_form('ا', Form::Initial), None);
        assert_eq!(presentation_form('ں', Form::Medial), None);
        assert_eq!(presentation_form('\u{0640}', Form::Medial), None); // tatweel
        assert_eq!(presentation_form('a', Form::Isolated), None);
        assert_eq!(presentation_form('\u{0620}', Form::Isolated), None); // below the table
        assert_eq!(presentation_form('\u{06D4}', Form::Isolated), None); // above the table
    }

    #[test]
    fn table_rows_are_consistent() {
        for (i, r) in FORMS.iter().enumerate() {
            let base = char::from_u32(FIRST as u32 + i as u32).unwrap();
            let row: Vec<Option<char>> = [Form::Isolated, Form::Final, Form::Initial, Form::Medial]
                .iter()
                .map(|&f| cell(r, f))
                .collect();
            for p in row.iter().flatten() {
                assert!(
                    ('\u{FB50}'..='\u{FDFF}').contains(p) || ('\u{FE70}'..='\u{FEFF}').contains(p),
                    "U+{:04X} -> U+{:04X}",
                    base as u32,
                    *p as u32
                );
            }
            // A letter with a form always has an isolated one.
            if row.iter().any(Option::is_some) {
                assert!(row[0].is_some(), "U+{:04X}", base as u32);
            }
        }
        assert_eq!(presentation_form(FIRST, Form::Isolated), Some('\u{FE80}')); // hamza isolated
        assert_eq!(presentation_form(LAST, Form::Isolated), Some('\u{FBB0}')); // yeh barree hamza isolated
    }

    #[test]
    fn a_sentence() {
        // «في عام 2024» : feh yeh | space | ain alef meem | space | digits.
        assert_eq!(
            sh("في عام 2024"),
            [
                C('\u{FED3}'), // feh initial
                C('\u{FEF2}'), // yeh final
                C(' '),
                C('\u{FECB}'), // ain initial
                C('\u{FE8E}'), // alef final
                C('\u{FEE1}'), // meem isolated
                C(' '),
                C('2'),
                C('0'),
                C('2'),
                C('4'),
            ]
        );
    }

    fn is_transparent(c: char) -> bool {
        class(c) == Class::Transparent
    }

    fn interesting_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::sample::select(vec![
                'ل', 'ا', 'أ', 'إ', 'آ', 'ب', 'س', 'م', 'ه', 'د', 'ء', 'ی', 'پ', 'ں', 'ٷ', 'ە', 'ٱ',
                '\u{064E}', '\u{0651}', '\u{0670}', '\u{200C}', '\u{200D}', '\u{0640}',
                '\u{200E}', '\u{061C}', '\u{2067}', '\u{2069}', ' ', 'a', '1',
            ]),
            1 => prop::char::range('\u{0600}', '\u{06FF}'),
            1 => any::<char>(),
        ]
    }

    /// `shape` as it was before its loop was written out and its letters tabled: from
    /// `for_each_form`, `display` and the lam-alef rule.
    fn shape_reference(chars: &[char]) -> Vec<Shaped> {
        let mut out: Vec<Shaped> = chars.iter().map(|&c| Shaped::Char(c)).collect();
        for_each_form(chars, |i, c, cls, form| {
            if cls == Class::NonJoining || !(FIRST..=LAST).contains(&c) || out[i] == Absorbed {
                return;
            }
            if c == LAM {
                let next = chars[i + 1..]
                    .iter()
                    .position(|&n| {
                        class(n) != Class::Transparent || !super::super::width::is_mark(n)
                    })
                    .map(|k| i + 1 + k);
                if let Some(j) = next
                    && let Some(lig) =
                        lam_alef(chars[j], matches!(form, Form::Final | Form::Medial))
                {
                    out[i] = Lig(lig);
                    out[j] = Absorbed;
                    return;
                }
            }
            out[i] = C(display(c, form));
        });
        out
    }

    #[test]
    fn every_letter_shapes_as_the_reference_does() {
        let letters: Vec<char> = (FIRST..=LAST).collect();
        for &c in &letters {
            for s in [
                vec![c],
                vec!['ب', c],
                vec![c, 'ب'],
                vec!['ب', c, 'ب'],
                vec![LAM, c],
            ] {
                assert_eq!(shape(&s), shape_reference(&s), "{s:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn shape_is_the_reference(chars in prop::collection::vec(interesting_char(), 0..48)) {
            prop_assert_eq!(shape(&chars), shape_reference(&chars));
        }

        #[test]
        fn shape_keeps_one_entry_per_char(chars in prop::collection::vec(interesting_char(), 0..48)) {
            let out = shape(&chars);
            let jf = joining_forms(&chars);
            prop_assert_eq!(out.len(), chars.len());
            prop_assert_eq!(jf.len(), chars.len());
            for i in 0..chars.len() {
                // Only chars that join (have a joining form) are ever changed.
                if out[i] != Shaped::Char(chars[i]) {
                    prop_assert!(jf[i].is_some(), "U+{:04X} changed", chars[i] as u32);
                }
            }
            for (i, s) in out.iter().enumerate() {
                match *s {
                    Shaped::Absorbed => {
                        // Preceded, skipping transparent chars, by a Ligature.
                        let before = (0..i).rev().find(|&k| !is_transparent(chars[k]));
                        prop_assert!(matches!(before.map(|k| out[k]), Some(Shaped::Ligature(_))),
                            "Absorbed at {} in {:?}: {:?}", i, chars, out);
                    }
                    Shaped::Ligature(_) => {
                        prop_assert_eq!(chars[i], LAM);
                        let after = (i + 1..chars.len()).find(|&k| !is_transparent(chars[k]));
                        prop_assert_eq!(after.map(|k| out[k]), Some(Shaped::Absorbed));
                    }
                    Shaped::Char(c) => {
                        // Either unchanged, or one of the input's own presentation forms.
                        let input = chars[i];
                        prop_assert!(
                            c == input
                                || [Form::Isolated, Form::Final, Form::Initial, Form::Medial]
                                    .iter()
                                    .any(|&f| presentation_form(input, f) == Some(c)),
                            "U+{:04X} -> U+{:04X}", input as u32, c as u32
                        );
                        if is_transparent(input) {
                            prop_assert_eq!(c, input);
                        }
                    }
                }
            }
        }

        #[test]
        fn shape_never_panics_on_any_char(chars in prop::collection::vec(any::<char>(), 0..64)) {
            prop_assert_eq!(shape(&chars).len(), chars.len());
        }

        #[test]
        fn inserting_a_mark_changes_nothing_else(
            chars in prop::collection::vec(interesting_char(), 1..32),
            at in any::<prop::sample::Index>(),
        ) {
            // Transparency: a fatha inserted anywhere leaves every other entry as it was.
            let at = at.index(chars.len() + 1);
            let mut with = chars.clone();
            with.insert(at, '\u{064E}');
            let mut shaped_with = shape(&with);
            prop_assert_eq!(shaped_with.remove(at), Shaped::Char('\u{064E}'));
            prop_assert_eq!(shaped_with, shape(&chars));
        }
    }
}
