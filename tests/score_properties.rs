//! Properties of `score`'s matching: the one-to-one pairing is the best there is (against
//! every pairing of small lists), and hostile values (thousands of items, long near-equal
//! texts, lists past the pairing's cap) are judged without blowing up, every item counted
//! once.

use proptest::prelude::*;

use tadqiq::agree::matching::{Counts, MAX_MATCHED, MatchMode, Matcher, assign};
use tadqiq::model::{FieldDef, FieldType, Record, Value};

/// The best total weight of any one-to-one pairing, by trying them all.
fn best(weights: &[Vec<i64>], row: usize, used: &mut Vec<bool>) -> i64 {
    if row == weights.len() {
        return 0;
    }
    // The row may also stay unpaired (more rows than columns).
    let mut out = best(weights, row + 1, used);
    for c in 0..used.len() {
        if !used[c] {
            used[c] = true;
            out = out.max(weights[row][c] + best(weights, row + 1, used));
            used[c] = false;
        }
    }
    out
}

fn field(kind: FieldType, fields: Vec<FieldDef>) -> FieldDef {
    FieldDef {
        name: "f".into(),
        label: Default::default(),
        kind,
        required: false,
        help: Default::default(),
        values: Vec::new(),
        fields,
    }
}

fn matcher(exact: bool) -> Matcher {
    Matcher {
        mode: if exact {
            MatchMode::Exact
        } else {
            MatchMode::Normalized
        },
        fuzzy_threshold: 0.85,
    }
}

/// Texts close to one another: a few letters (Arabic with its variants, Latin, spaces).
fn near_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            'ا', 'أ', 'آ', 'ب', 'ة', 'ه', 'ى', 'ي', 'a', 'b', ' ', '\u{64E}',
        ]),
        0..max,
    )
    .prop_map(|c| c.into_iter().collect())
}

fn distinct(items: &[String]) -> usize {
    let mut v: Vec<String> = items
        .iter()
        .map(|s| tadqiq::agree::items::normalize(s).into_owned())
        .collect();
    v.sort();
    v.dedup();
    v.len()
}

#[track_caller]
fn consistent(c: &Counts, extracted: usize, reference: usize) {
    assert_eq!(
        c.correct + c.partial + c.incorrect + c.missing,
        reference,
        "{c:?}"
    );
    assert_eq!(
        c.correct + c.partial + c.incorrect + c.spurious,
        extracted,
        "{c:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_pairing_is_the_best_of_all(
        rows in 0usize..6,
        cols in 0usize..6,
        seed in proptest::collection::vec(0i64..20, 36),
    ) {
        let weights: Vec<Vec<i64>> =
            (0..rows).map(|r| (0..cols).map(|c| seed[r * 6 + c]).collect()).collect();
        let pairing = assign(&weights);
        prop_assert_eq!(pairing.len(), rows);
        let mut seen = vec![false; cols];
        let mut total = 0;
        for (r, c) in pairing.iter().enumerate() {
            if let Some(c) = *c {
                prop_assert!(!seen[c], "column {} twice", c);
                seen[c] = true;
                total += weights[r][c];
            }
        }
        prop_assert_eq!(total, best(&weights, 0, &mut vec![false; cols]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn lists_count_every_item_once(
        got in proptest::collection::vec(near_text(12), 0..40),
        want in proptest::collection::vec(near_text(12), 0..40),
        exact in any::<bool>(),
    ) {
        let def = field(FieldType::List, Vec::new());
        let j = matcher(exact).judge(&def, Some(&Value::List(got.clone())), &Value::List(want.clone()));
        consistent(&j.counts, distinct(&got), distinct(&want));
        prop_assert_eq!(j.counts.incorrect, 0);
        prop_assert_eq!(j.right, j.counts.all_correct());
    }

    #[test]
    fn records_count_every_record_and_sub_field_once(
        got in proptest::collection::vec((near_text(8), proptest::option::of(near_text(6))), 0..20),
        want in proptest::collection::vec((near_text(8), proptest::option::of(near_text(6))), 0..20),
    ) {
        let subs = vec![
            field(FieldType::Text, Vec::new()),
            field(FieldType::Text, Vec::new()),
        ];
        let mut def = field(FieldType::RecordList, subs);
        def.fields[0].name = "name".into();
        def.fields[1].name = "role".into();
        let records = |items: &[(String, Option<String>)]| {
            Value::Records(
                items
                    .iter()
                    .map(|(n, r)| {
                        let mut rec = vec![("name".to_string(), n.clone())];
                        if let Some(r) = r {
                            rec.push(("role".to_string(), r.clone()));
                        }
                        Record(rec)
                    })
                    .collect(),
            )
        };
        let j = matcher(false).judge(&def, Some(&records(&got)), &records(&want));
        consistent(&j.counts, got.len(), want.len());
        consistent(&j.subfields[0], got.len(), want.len());
        let roles = |items: &[(String, Option<String>)]| items.iter().filter(|(_, r)| r.is_some()).count();
        consistent(&j.subfields[1], roles(&got), roles(&want));
    }

    #[test]
    fn hostile_lists_past_the_cap_are_judged(
        n in MAX_MATCHED..3 * MAX_MATCHED,
        m in 0usize..3 * MAX_MATCHED,
        long in 1usize..400,
    ) {
        // Many long items alike but for their last letters: every pair is worth comparing.
        let item = |i: usize| format!("{}{i}", "ب".repeat(long));
        let got: Vec<String> = (0..n).map(item).collect();
        let want: Vec<String> = (0..m).map(|i| item(i * 2)).collect();
        let def = field(FieldType::List, Vec::new());
        let j = matcher(false).judge(&def, Some(&Value::List(got.clone())), &Value::List(want.clone()));
        consistent(&j.counts, n, m);
        // Past the cap only equal (or folded-equal) items pair.
        let common = (0..m).filter(|i| i * 2 < n).count();
        prop_assert_eq!(j.counts.correct, common);
    }
}

#[test]
fn the_largest_pairing_with_long_near_equal_items_is_judged() {
    // MAX_MATCHED items a side, each 303 letters, at most three apart: the fuzzy budget runs
    // out, and the rest are compared as equal or folded-equal only.
    let item = |i: usize| format!("{}{i:03}", "ت".repeat(300));
    let got: Vec<String> = (0..MAX_MATCHED).map(item).collect();
    let want: Vec<String> = (0..MAX_MATCHED).map(|i| item(i + 1)).collect();
    let def = field(FieldType::List, Vec::new());
    let j = matcher(false).judge(&def, Some(&Value::List(got)), &Value::List(want));
    consistent(&j.counts, MAX_MATCHED, MAX_MATCHED);
    assert_eq!(j.counts.correct, MAX_MATCHED - 1);
}
