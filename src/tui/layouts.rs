//! Keyboard layouts, so that command keys work whichever layout is active: the Arabic (PC)
//! layout's chars by the key they sit on, and the Latin layout the keyboard is labelled in
//! (US QWERTY or French AZERTY).
//!
//! A physical key is named by the char it types on US QWERTY (`a` for the key right of Caps
//! Lock). Command keys are by label, as printed on the analyst's keyboard: `a` confirms on
//! QWERTY and on AZERTY alike, wherever the key sits, because the keys are mnemonics (`a`
//! accept, `d` done, `q` quit). An Arabic char typed where a command is expected acts as the
//! label of its key in the keyboard's Latin layout: `ش` sits on the key labelled `a` on QWERTY
//! and `q` on AZERTY.

/// The Latin layout the analyst's keyboard is labelled in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keyboard {
    /// US QWERTY (the default).
    #[default]
    Qwerty,
    /// French AZERTY (France, Belgium, and the Maghreb's usual Latin layout).
    Azerty,
}

impl Keyboard {
    /// Its name in the keymap file and the help screen.
    pub fn name(self) -> &'static str {
        match self {
            Keyboard::Qwerty => "qwerty",
            Keyboard::Azerty => "azerty",
        }
    }

    /// The layout called `name`.
    pub fn from_name(name: &str) -> Option<Keyboard> {
        match name {
            "qwerty" => Some(Keyboard::Qwerty),
            "azerty" => Some(Keyboard::Azerty),
            _ => None,
        }
    }

    /// The label (the char typed) of the key that types `qwerty` on US QWERTY.
    pub fn label_at(self, qwerty: char) -> char {
        match self {
            Keyboard::Qwerty => qwerty,
            Keyboard::Azerty => AZERTY
                .iter()
                .find(|(q, _)| *q == qwerty)
                .map_or(qwerty, |(_, a)| *a),
        }
    }

    /// A char typed on this layout that stands for another where a command is expected: the
    /// unshifted digit row of AZERTY (`&` is the key labelled `1`), so that an adjudicator picks
    /// analyst 1 without Shift.
    pub fn command_char(self, c: char) -> Option<char> {
        match self {
            Keyboard::Qwerty => None,
            Keyboard::Azerty => AZERTY_DIGIT_ROW
                .iter()
                .find(|(symbol, _)| *symbol == c)
                .map(|(_, digit)| *digit),
        }
    }
}

/// The Arabic (PC, "101") layout: each char with the US QWERTY key in its place, unshifted
/// then shifted. Lam-alef (`b`, `T`, `G`, `B`) types two chars and has no entry, and a key that
/// types an ASCII char there (Shift-Z, `~`; the Latin punctuation) is that char already.
pub const ARABIC_PC: &[(char, char)] = &[
    ('ذ', '`'),
    ('ض', 'q'),
    ('ص', 'w'),
    ('ث', 'e'),
    ('ق', 'r'),
    ('ف', 't'),
    ('غ', 'y'),
    ('ع', 'u'),
    ('ه', 'i'),
    ('خ', 'o'),
    ('ح', 'p'),
    ('ج', '['),
    ('د', ']'),
    ('ش', 'a'),
    ('س', 's'),
    ('ي', 'd'),
    ('ب', 'f'),
    ('ل', 'g'),
    ('ا', 'h'),
    ('ت', 'j'),
    ('ن', 'k'),
    ('م', 'l'),
    ('ك', ';'),
    ('ط', '\''),
    ('ئ', 'z'),
    ('ء', 'x'),
    ('ؤ', 'c'),
    ('ر', 'v'),
    ('ى', 'n'),
    ('ة', 'm'),
    ('و', ','),
    ('ز', '.'),
    ('ظ', '/'),
    ('ّ', '~'),
    ('َ', 'Q'),
    ('ً', 'W'),
    ('ُ', 'E'),
    ('ٌ', 'R'),
    ('إ', 'Y'),
    ('‘', 'U'),
    ('÷', 'I'),
    ('×', 'O'),
    ('؛', 'P'),
    ('ِ', 'A'),
    ('ٍ', 'S'),
    ('أ', 'H'),
    ('ـ', 'J'),
    ('،', 'K'),
    ('ْ', 'X'),
    ('آ', 'N'),
    ('’', 'M'),
    ('؟', '?'),
    ('٠', '0'),
    ('١', '1'),
    ('٢', '2'),
    ('٣', '3'),
    ('٤', '4'),
    ('٥', '5'),
    ('٦', '6'),
    ('٧', '7'),
    ('٨', '8'),
    ('٩', '9'),
];

/// French AZERTY where it differs from US QWERTY: the US char of a key, and the AZERTY char
/// of the same key, unshifted then shifted. The digit row types symbols without Shift; dead
/// keys (`^`, `¨`) have no char of their own and are left out.
const AZERTY: &[(char, char)] = &[
    ('`', '²'),
    ('1', '&'),
    ('2', 'é'),
    ('3', '"'),
    ('4', '\''),
    ('5', '('),
    ('6', '-'),
    ('7', 'è'),
    ('8', '_'),
    ('9', 'ç'),
    ('0', 'à'),
    ('-', ')'),
    ('q', 'a'),
    ('w', 'z'),
    (']', '$'),
    ('a', 'q'),
    (';', 'm'),
    ('\'', 'ù'),
    ('\\', '*'),
    ('z', 'w'),
    ('m', ','),
    (',', ';'),
    ('.', ':'),
    ('/', '!'),
    ('!', '1'),
    ('@', '2'),
    ('#', '3'),
    ('$', '4'),
    ('%', '5'),
    ('^', '6'),
    ('&', '7'),
    ('*', '8'),
    ('(', '9'),
    (')', '0'),
    ('_', '°'),
    ('Q', 'A'),
    ('W', 'Z'),
    ('}', '£'),
    ('A', 'Q'),
    (':', 'M'),
    ('"', '%'),
    ('|', 'µ'),
    ('Z', 'W'),
    ('M', '?'),
    ('<', '.'),
    ('>', '/'),
    ('?', '§'),
];

/// AZERTY's digit row without Shift, and the digit on each key.
const AZERTY_DIGIT_ROW: &[(char, char)] = &[
    ('&', '1'),
    ('é', '2'),
    ('"', '3'),
    ('\'', '4'),
    ('(', '5'),
    ('-', '6'),
    ('è', '7'),
    ('_', '8'),
    ('ç', '9'),
    ('à', '0'),
];

/// The US QWERTY char typed by the key that types `c` on the Arabic (PC) layout.
pub fn qwerty_of_arabic(c: char) -> Option<char> {
    ARABIC_PC.iter().find(|(a, _)| *a == c).map(|(_, q)| *q)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each entry once on each side.
    fn is_bijection(table: &[(char, char)]) -> bool {
        let mut left: Vec<char> = table.iter().map(|(l, _)| *l).collect();
        let mut right: Vec<char> = table.iter().map(|(_, r)| *r).collect();
        left.sort_unstable();
        left.dedup();
        right.sort_unstable();
        right.dedup();
        left.len() == table.len() && right.len() == table.len()
    }

    #[test]
    fn the_tables_are_bijections() {
        assert!(is_bijection(ARABIC_PC));
        assert!(is_bijection(AZERTY));
        assert!(is_bijection(AZERTY_DIGIT_ROW));
        assert!(ARABIC_PC.iter().all(|(a, q)| !a.is_ascii() && q.is_ascii()));
    }

    #[test]
    fn azerty_swaps_a_q_z_w_and_moves_m() {
        let k = Keyboard::Azerty;
        assert_eq!(
            ['a', 'q', 'z', 'w', ';', 'm', 'j', 'k', '/', '?'].map(|c| k.label_at(c)),
            ['q', 'a', 'w', 'z', 'm', ',', 'j', 'k', '!', '§']
        );
        assert_eq!(Keyboard::Qwerty.label_at('a'), 'a');
        assert_eq!(k.command_char('&'), Some('1'));
        assert_eq!(k.command_char('à'), Some('0'));
        assert_eq!(k.command_char('a'), None);
        assert_eq!(Keyboard::Qwerty.command_char('&'), None);
    }

    #[test]
    fn an_arabic_char_is_the_label_of_its_key_on_the_keyboard() {
        // ش sits on the key right of Caps Lock: `a` on QWERTY, `q` on AZERTY.
        let key = qwerty_of_arabic('ش').unwrap();
        assert_eq!(Keyboard::Qwerty.label_at(key), 'a');
        assert_eq!(Keyboard::Azerty.label_at(key), 'q');
        // ض sits on the key labelled `q` on QWERTY and `a` on AZERTY.
        assert_eq!(
            Keyboard::Azerty.label_at(qwerty_of_arabic('ض').unwrap()),
            'a'
        );
        // ت is `j` on both.
        assert_eq!(
            Keyboard::Azerty.label_at(qwerty_of_arabic('ت').unwrap()),
            'j'
        );
        for name in ["qwerty", "azerty"] {
            assert_eq!(Keyboard::from_name(name).unwrap().name(), name);
        }
        assert_eq!(Keyboard::from_name("dvorak"), None);
    }
}
