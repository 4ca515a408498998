//! Unicode's own conformance data for the bidi algorithm, `BidiCharacterTest.txt` (vendored,
//! gzip-compressed, from the Unicode 15.0 UCD), run through the same level resolution, L1 and L2
//! that the layout uses, for every paragraph direction in the file: LTR, RTL and auto.
//!
//! `unicode-bidi`'s own conformance test only runs the auto-LTR cases; this one runs all ~91 000.

use std::io::Read;

use tadqiq::text::bidi::{self, Direction};
use unicode_bidi::ParagraphBidiInfo;

const DATA: &[u8] = include_bytes!("data/BidiCharacterTest-15.0.0.txt.gz");

struct Case {
    line: usize,
    text: String,
    direction: u8,
    paragraph_level: u8,
    levels: Vec<Option<u8>>,
    order: Vec<usize>,
}

fn cases() -> Vec<Case> {
    let mut data = String::new();
    flate2::read::GzDecoder::new(DATA)
        .read_to_string(&mut data)
        .expect("the vendored test data decompresses");
    let mut out = Vec::new();
    for (i, line) in data.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(';').collect();
        assert_eq!(f.len(), 5, "line {}: five fields", i + 1);
        let text = f[0]
            .split_whitespace()
            .map(|h| char::from_u32(u32::from_str_radix(h, 16).unwrap()).unwrap())
            .collect();
        out.push(Case {
            line: i + 1,
            text,
            direction: f[1].parse().unwrap(),
            paragraph_level: f[2].parse().unwrap(),
            levels: f[3]
                .split_whitespace()
                .map(|l| {
                    if l == "x" {
                        None
                    } else {
                        Some(l.parse().unwrap())
                    }
                })
                .collect(),
            order: f[4]
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect(),
        });
    }
    out
}

/// What our pipeline gives for one case: the paragraph level, each char's level (None when X9
/// removes it) and the visual order of the remaining chars.
fn run(case: &Case) -> (u8, Vec<Option<u8>>, Vec<usize>) {
    let direction = match case.direction {
        0 => Direction::Ltr,
        1 => Direction::Rtl,
        // auto-LTR: P2–P3, defaulting to LTR (the layout defaults to the article's direction).
        _ => bidi::first_strong_direction(&case.text).unwrap_or(Direction::Ltr),
    };
    let info = ParagraphBidiInfo::new(
        &case.text,
        Some(unicode_bidi::Level::from(direction.level())),
    );
    let mut kept = Vec::new();
    let mut classes = Vec::new();
    let mut levels = Vec::new();
    for (i, (byte, _)) in case.text.char_indices().enumerate() {
        let class = info.original_classes[byte];
        if !bidi::removed_by_x9(class) {
            kept.push(i);
            classes.push(class);
            levels.push(info.levels[byte].number());
        }
    }
    let mut order = Vec::new();
    bidi::reorder_line(&classes, &mut levels, direction.level(), &mut order);
    let mut all = vec![None; case.text.chars().count()];
    for (k, &i) in kept.iter().enumerate() {
        all[i] = Some(levels[k]);
    }
    let visual = order.iter().map(|&k| kept[k]).collect();
    (info.paragraph_level.number(), all, visual)
}

#[test]
fn bidi_character_test_every_paragraph_direction() {
    let cases = cases();
    assert!(cases.len() > 90_000, "the whole file is there");
    let mut failures = Vec::new();
    let mut per_direction = [0usize; 3];
    for case in &cases {
        per_direction[case.direction as usize] += 1;
        let (level, levels, order) = run(case);
        if level != case.paragraph_level || levels != case.levels || order != case.order {
            failures.push(format!(
                "line {}: {:?} dir {}\n  levels want {:?}\n         got  {:?}\n  order  want {:?}\n         got  {:?}",
                case.line, case.text, case.direction, case.levels, levels, case.order, order
            ));
        }
    }
    assert!(per_direction.iter().all(|&n| n > 0), "{per_direction:?}");
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}
