//! Properties of the layout on arbitrary, hostile text: it never panics, every row fits the
//! width, no control character reaches a row, and every drawable source char shows exactly once.

use proptest::prelude::*;
use tadqiq::text::bidi::is_bidi_control;
use tadqiq::text::layout::{Layouter, Row, paragraphs};
use tadqiq::text::width::{is_default_ignorable, str_width};
use tadqiq::text::{BidiMode, Direction, DirectionPolicy, Layout, LayoutOptions};

/// Text made of the pieces that make layout hard, in any mix.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            "استقبل", "حموشي", "السلام", "الله", "لا", "لَا", "بَاب", "ـ", "‍", "‌", "؟", "،",
        ]).prop_map(str::to_string),
        2 => prop::sample::select(vec![
            "Nicolas", "Lerner", "2023/12/15", "٢٠٢٣/١٢/١٥", "50%", "-5", "(", ")", "«", "»",
            "[", "]", "\"", "https://example.com/a?b=1&c=2", "中文", "😀", "👨‍👩‍👧", "e\u{301}",
        ]).prop_map(str::to_string),
        3 => prop::sample::select(vec![" ", " ", "  ", "\t", "\n", "\r\n", "\u{a0}", "\u{3000}"])
            .prop_map(str::to_string),
        1 => prop::sample::select(vec![
            "\u{1b}[31m", "\u{1b}]52;c;ZXZpbA==\u{7}", "\u{9b}", "\u{7f}", "\r", "\u{0}",
            "\u{202a}", "\u{202b}", "\u{202c}", "\u{202d}", "\u{202e}", "\u{2066}", "\u{2067}",
            "\u{2068}", "\u{2069}", "\u{200e}", "\u{200f}", "\u{61c}", "\u{200b}", "\u{feff}",
            "\u{2028}", "\u{2029}", "\u{64e}", "\u{651}", "\u{fffd}",
        ]).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// Long text with no explicit embedding, isolate or override: the text a long paragraph is laid
/// out in pieces for, in the same rows as whole.
fn ordinary_long_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        150 => prop::sample::select(vec![
            "استقبل", "حموشي", "السلام", "الله", "لا", "لَا", "بَاب", "ـ", "‍", "‌", "؟", "،",
            "Nicolas", "Lerner", "2023/12/15", "٢٠٢٣/١٢/١٥", "50%", "-5", "«", "»", "\"",
            "https://example.com/a?b=1&c=2", "中文", "😀", "👨‍👩‍👧", "e\u{301}", "(الوزير)",
            "(France)", "[هنا]", "\u{200e}", "\u{200f}", "\u{61c}", "\u{64e}", "\u{1b}[31m",
            "\u{9b}", "\u{7f}", "\u{2028}",
        ]).prop_map(str::to_string),
        120 => prop::sample::select(vec![" ", " ", "  ", "\t", "\u{a0}", "\u{3000}"])
            .prop_map(str::to_string),
        // Rare enough that most paragraphs are longer than a piece.
        1 => Just("\n".to_string()),
    ];
    prop::collection::vec(piece, 0..1200).prop_map(|v| v.concat())
}

/// The rows of `text`, laid out in pieces of about `piece_bytes` bytes.
fn rows_in_pieces(text: &str, options: LayoutOptions, piece_bytes: usize) -> Vec<Row> {
    let mut layouter = Layouter::new(options, text).piece_bytes(piece_bytes);
    let mut rows = Vec::new();
    for p in paragraphs(text) {
        layouter.paragraph(p, &mut rows);
    }
    rows
}

fn options() -> impl Strategy<Value = LayoutOptions> {
    (
        1u16..100,
        any::<bool>(),
        prop::sample::select(vec![
            DirectionPolicy::Auto,
            DirectionPolicy::Forced(Direction::Rtl),
            DirectionPolicy::Forced(Direction::Ltr),
        ]),
        prop::sample::select(vec![BidiMode::App, BidiMode::Terminal]),
    )
        .prop_map(|(width, shape, direction, bidi)| LayoutOptions {
            width,
            shape,
            direction,
            bidi,
        })
}

/// Whether `c` clings to the char after it in a grapheme cluster (Grapheme_Cluster_Break=Prepend).
fn is_prepend(c: char) -> bool {
    use unicode_segmentation::UnicodeSegmentation;
    !c.is_control() && format!("{c}a").graphemes(true).count() == 1
}

/// Whether a source char must show in some cell.
fn drawable(c: char) -> bool {
    !(c.is_whitespace() || is_bidi_control(c) || is_default_ignorable(c) || c == '\n')
}

proptest! {
    // 2000 cases in `cargo test`; PROPTEST_CASES=100000 for a long run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn layout_is_safe_and_loses_nothing(text in hostile_text(), options in options()) {
        let layout = Layout::new(&text, options);
        let chars: Vec<char> = text.chars().collect();
        let mut shown = vec![0u32; chars.len()];
        for row in layout.rows() {
            prop_assert!(row.indent + row.width <= options.width.max(1), "row too wide: {:?}", row);
            // What a terminal shows is what we counted, unless a Prepend char (U+0600 ARABIC
            // NUMBER SIGN and a few others) now stands before another cell's letter and the
            // grapheme measure counts the two as one.
            if !row.text().chars().any(is_prepend) {
                prop_assert_eq!(str_width(row.text()), row.width as usize, "{:?}", row.text());
            }
            prop_assert!(
                !row.text().chars().any(|c| c.is_control() || is_bidi_control(c)),
                "control in {:?}", row.text()
            );
            let mut col = row.indent;
            for cell in row.cells() {
                prop_assert_eq!(cell.col, col);
                col += cell.width as u16;
                for i in cell.source.clone() {
                    shown[i as usize] += 1;
                }
            }
        }
        for (i, &c) in chars.iter().enumerate() {
            // A CR is dropped before a newline; everything else drawable shows exactly once.
            let dropped_cr = c == '\r' && matches!(chars.get(i + 1), Some('\n') | None);
            // Sanitizing writes a tab as spaces and a C1 control as four symbols (`\x9B`).
            let expands = c == '\t' || ('\u{80}'..='\u{9f}').contains(&c);
            if drawable(c) && !dropped_cr && !expands {
                prop_assert_eq!(shown[i], 1, "char {} {:?} of {:?}", i, c, text);
            } else if expands && c != '\t' {
                prop_assert_eq!(shown[i], 4, "char {} {:?} of {:?}", i, c, text);
            } else if !expands {
                prop_assert!(shown[i] <= 1);
            }
        }
    }

    #[test]
    fn rows_partition_each_paragraph(text in hostile_text(), width in 1u16..60) {
        let layout = Layout::new(&text, LayoutOptions::new(width));
        let mut previous_end = 0u32;
        for row in layout.rows() {
            prop_assert!(row.source.start >= previous_end);
            previous_end = row.source.end;
        }
    }
}

proptest! {
    // Long texts: 200 cases in `cargo test`; PROPTEST_CASES for a long run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
    ))]

    #[test]
    fn long_paragraphs_in_pieces_have_the_rows_of_whole_ones(
        text in ordinary_long_text(),
        width in 1u16..24,
        shape in any::<bool>(),
        direction in prop::sample::select(vec![
            DirectionPolicy::Auto,
            DirectionPolicy::Forced(Direction::Rtl),
            DirectionPolicy::Forced(Direction::Ltr),
        ]),
        // The context a piece is laid out with is an eighth of the bound: here tens of bytes
        // (8 KiB in use), still longer than this text's runs without a strong character.
        piece_bytes in 400usize..1500,
    ) {
        let options = LayoutOptions { shape, direction, ..LayoutOptions::new(width) };
        let whole = Layout::new(&text, options);
        let pieces = rows_in_pieces(&text, options, piece_bytes);
        prop_assert_eq!(whole.rows().len(), pieces.len(), "{:?}", text);
        for (a, b) in whole.rows().iter().zip(&pieces) {
            prop_assert_eq!(a, b, "{:?}", text);
        }
    }

    #[test]
    fn long_paragraphs_in_pieces_stay_safe(text in hostile_text(), width in 1u16..30, piece_bytes in 16usize..200) {
        // Hostile text repeated into long paragraphs: explicit embeddings across pieces may
        // order rows differently from a whole layout, but every row fits and rows still
        // partition the paragraph.
        let text = text.replace(['\n', '\u{2029}'], " ").repeat(8);
        let options = LayoutOptions::new(width);
        let rows = rows_in_pieces(&text, options, piece_bytes);
        let mut previous_end = 0u32;
        for row in &rows {
            prop_assert!(row.indent + row.width <= width);
            prop_assert_eq!(row.source.start, previous_end, "{:?}", text);
            previous_end = row.source.end;
        }
        prop_assert_eq!(previous_end as usize, text.chars().count());
    }
}
