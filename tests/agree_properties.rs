//! The agreement coefficients against independent brute-force versions, on random
//! multi-analyst data with missing values:
//!
//! - alpha from its pairwise-disagreement definition: every ordered pair of values within a
//!   unit (weighted 1/(m_u − 1)) against every ordered pair of values in the whole data, with
//!   no coincidence matrix and no counts;
//! - Cohen's kappa from the raw contingency table of the two coders;
//! - Fleiss' kappa from the per-subject agreements `P_i` and category shares `p_j`;
//! - percent agreement by enumerating pairs of coders.

use proptest::prelude::*;
use tadqiq::agree::metrics;

type Units<T> = Vec<Vec<Option<T>>>;

fn values_of<T: Clone>(units: &Units<T>) -> Vec<Vec<T>> {
    units
        .iter()
        .map(|r| r.iter().flatten().cloned().collect::<Vec<T>>())
        .filter(|v| v.len() >= 2)
        .collect()
}

fn brute_alpha<T: Clone>(units: &Units<T>, d: impl Fn(&T, &T) -> f64) -> Option<f64> {
    let units = values_of(units);
    let all: Vec<&T> = units.iter().flatten().collect();
    let n = all.len() as f64;
    let mut observed = 0.0;
    for u in &units {
        let m = u.len() as f64;
        for i in 0..u.len() {
            for j in 0..u.len() {
                if i != j {
                    observed += d(&u[i], &u[j]) / (m - 1.0);
                }
            }
        }
    }
    let mut expected = 0.0;
    for i in 0..all.len() {
        for j in 0..all.len() {
            if i != j {
                expected += d(all[i], all[j]);
            }
        }
    }
    let (d_o, d_e) = (observed / n, expected / (n * (n - 1.0)));
    (d_e > 1e-12).then(|| 1.0 - d_o / d_e)
}

fn brute_cohen(units: &Units<u8>, a: usize, b: usize) -> Option<f64> {
    let mut table = [[0f64; 8]; 8];
    let mut n = 0.0;
    for r in units {
        if let (Some(x), Some(y)) = (r[a], r[b]) {
            table[x as usize][y as usize] += 1.0;
            n += 1.0;
        }
    }
    if n == 0.0 {
        return None;
    }
    let p_o: f64 = (0..8).map(|i| table[i][i]).sum::<f64>() / n;
    let p_e: f64 = (0..8)
        .map(|i| {
            let row: f64 = table[i].iter().sum();
            let col: f64 = (0..8).map(|j| table[j][i]).sum();
            row * col
        })
        .sum::<f64>()
        / (n * n);
    ((1.0 - p_e).abs() > 1e-12).then(|| (p_o - p_e) / (1.0 - p_e))
}

fn brute_fleiss(units: &Units<u8>) -> Option<f64> {
    let full: Vec<Vec<u8>> = units
        .iter()
        .filter(|r| r.iter().all(Option::is_some))
        .map(|r| r.iter().flatten().copied().collect())
        .collect();
    if full.is_empty() {
        return None;
    }
    let r = full[0].len() as f64;
    let big_n = full.len() as f64;
    let mut p_bar = 0.0;
    let mut p = [0f64; 256];
    for s in &full {
        let mut counts = [0f64; 256];
        for &v in s {
            counts[v as usize] += 1.0;
            p[v as usize] += 1.0 / (big_n * r);
        }
        let agreeing: f64 = counts.iter().map(|c| c * (c - 1.0)).sum();
        p_bar += agreeing / (r * (r - 1.0)) / big_n;
    }
    let p_e: f64 = p.iter().map(|x| x * x).sum();
    ((1.0 - p_e).abs() > 1e-12).then(|| (p_bar - p_e) / (1.0 - p_e))
}

fn brute_percent(units: &Units<u8>) -> Option<f64> {
    let units = values_of(units);
    let shares: Vec<f64> = units
        .iter()
        .map(|u| {
            let (mut same, mut all) = (0.0, 0.0);
            for i in 0..u.len() {
                for j in i + 1..u.len() {
                    all += 1.0;
                    if u[i] == u[j] {
                        same += 1.0;
                    }
                }
            }
            same / all
        })
        .collect();
    (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64)
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() < 1e-9 && x.is_finite(),
        _ => false,
    }
}

/// Reliability data: 2 to 5 coders, up to 40 units, a few categories, about a third missing.
fn units(categories: u8) -> impl Strategy<Value = Units<u8>> {
    (2usize..=5).prop_flat_map(move |coders| {
        prop::collection::vec(
            prop::collection::vec(
                prop_oneof![1 => Just(None), 2 => (0..categories).prop_map(Some)],
                coders,
            ),
            0..40,
        )
    })
}

/// Set-valued data: each value a subset of {0..5} (as a bit mask), about a third missing.
fn set_units() -> impl Strategy<Value = Units<Vec<u8>>> {
    (2usize..=4).prop_flat_map(|coders| {
        prop::collection::vec(
            prop::collection::vec(
                prop_oneof![
                    1 => Just(None),
                    2 => (0u8..32).prop_map(|mask| Some((0..5).filter(|b| mask & (1 << b) != 0).collect())),
                ],
                coders,
            ),
            0..25,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn nominal_alpha_is_the_pairwise_definition(units in units(4)) {
        let nominal = |a: &u8, b: &u8| f64::from(u8::from(a != b));
        let brute = brute_alpha(&units, nominal);
        prop_assert!(same(metrics::alpha_nominal(&units), brute), "{:?} vs {brute:?}", metrics::alpha_nominal(&units));
        prop_assert!(same(metrics::alpha(&units, nominal), brute));
    }

    #[test]
    fn masi_alpha_is_the_pairwise_definition(units in set_units()) {
        let d = |a: &Vec<u8>, b: &Vec<u8>| metrics::masi(a, b);
        let brute = brute_alpha(&units, d);
        prop_assert!(same(metrics::alpha(&units, d), brute), "{:?} vs {brute:?}", metrics::alpha(&units, d));
    }

    #[test]
    fn kappas_and_percent_agreement_are_their_definitions(units in units(3)) {
        let coders = units.first().map_or(0, Vec::len);
        for a in 0..coders {
            for b in 0..coders {
                if a != b {
                    prop_assert!(same(metrics::cohen_kappa(&units, a, b), brute_cohen(&units, a, b)));
                }
            }
        }
        prop_assert!(same(metrics::fleiss_kappa(&units), brute_fleiss(&units)));
        prop_assert!(same(metrics::percent_agreement(&units), brute_percent(&units)));
    }

    #[test]
    fn masi_is_a_symmetric_distance_in_0_1(a in 0u8..32, b in 0u8..32) {
        let set = |m: u8| (0..5).filter(|i| m & (1 << i) != 0).collect::<Vec<u8>>();
        let (x, y) = (set(a), set(b));
        let d = metrics::masi(&x, &y);
        prop_assert!((0.0..=1.0).contains(&d));
        prop_assert_eq!(d, metrics::masi(&y, &x));
        prop_assert_eq!(d == 0.0, x == y);
    }
}

/// A done review drawn at random: an `event_type` (maybe absent) and a `countries` set.
type Review = (Option<u8>, Vec<u8>);

/// A gold set drawn at random: per article, per analyst, no file or a review.
type Drawn = Vec<Vec<Option<Review>>>;

const ANALYSTS: [&str; 3] = ["youssef", "amina", "karim"];
const EVENTS: [&str; 4] = ["meeting", "visit", "reception", "call"];
const COUNTRIES: [&str; 4] = ["Morocco", "Spain", "France", "Qatar"];

fn drawn() -> impl Strategy<Value = Drawn> {
    let review = proptest::option::weighted(
        0.8,
        (
            proptest::option::weighted(0.9, 0u8..4),
            proptest::collection::vec(0u8..4, 0..3),
        ),
    );
    proptest::collection::vec(proptest::collection::vec(review, 3), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// `agree` counts as it reads (one distinct value at a time, Fleiss' coders found as it
    /// goes); the same coefficients over the whole table, columns in name order, must come out.
    #[test]
    fn agree_on_files_equals_the_coefficients_of_the_table(drawn in drawn()) {
        let dir = tempfile::tempdir().unwrap();
        let annotations = dir.path().join("annotations");
        std::fs::create_dir_all(&annotations).unwrap();
        std::fs::copy("tests/data/agree/annotations/schema.yaml", annotations.join("schema.yaml")).unwrap();
        for (article, reviews) in drawn.iter().enumerate() {
            for (a, review) in reviews.iter().enumerate() {
                let Some((event, countries)) = review else { continue };
                let mut yaml = format!(
                    "article: a{article}\nanalyst: {}\nstatus: done\nfields:\n",
                    ANALYSTS[a]
                );
                if let Some(e) = event {
                    yaml += &format!("  event_type: {{value: {}, verdict: confirmed}}\n", EVENTS[usize::from(*e)]);
                }
                let list: Vec<&str> = countries.iter().map(|c| COUNTRIES[usize::from(*c)]).collect();
                yaml += &format!("  countries: {{value: [{}], verdict: confirmed}}\n", list.join(", "));
                let folder = annotations.join("gold").join(ANALYSTS[a]);
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(folder.join(format!("a{article}.yaml")), yaml).unwrap();
            }
        }
        let store = tadqiq::store::Store::new(dir.path().join("samples"), annotations);
        let schema = store.load_schema().unwrap().value;
        let fields: Vec<&tadqiq::model::FieldDef> = ["event_type", "countries"]
            .iter()
            .map(|f| schema.field(f).unwrap())
            .collect();
        let analysts: Vec<String> = ANALYSTS.iter().map(|a| a.to_string()).collect();
        let Ok(measured) = tadqiq::agree::agree(&tadqiq::index::Reader::files(&store), &schema, &analysts, &fields, OPTIONS) else {
            panic!("agree failed");
        };

        // The table: rows = articles with two reviews or more, columns = analysts who share an
        // item, in name order.
        // Every review has `countries`, so an analyst with a file in an article reviewed twice
        // shares an item.
        let rows: Vec<&Vec<Option<Review>>> = drawn
            .iter()
            .filter(|r| r.iter().flatten().count() >= 2)
            .collect();
        let mut active: Vec<usize> = (0..3)
            .filter(|&a| rows.iter().any(|r| r[a].is_some()))
            .collect();
        active.sort_by_key(|&a| ANALYSTS[a]);
        let names: Vec<String> = active.iter().map(|&a| ANALYSTS[a].to_string()).collect();
        prop_assert_eq!(&measured.analysts, &names);
        let events: Units<u8> = rows
            .iter()
            .map(|r| active.iter().map(|&a| r[a].as_ref().and_then(|v| v.0)).collect())
            .collect();
        let sets: Units<Vec<u8>> = rows
            .iter()
            .map(|r| {
                active
                    .iter()
                    .map(|&a| {
                        r[a].as_ref().map(|v| {
                            let mut s = v.1.clone();
                            s.sort_unstable();
                            s.dedup();
                            s
                        })
                    })
                    .collect()
            })
            .collect();
        let event = &measured.fields[0];
        prop_assert_eq!(event.items, metrics::pairable_units(&events));
        prop_assert!(same(event.alpha, metrics::alpha_nominal(&events)));
        prop_assert!(same(event.percent_agreement, metrics::percent_agreement(&events)));
        prop_assert!(same(event.fleiss_kappa, metrics::fleiss_kappa(&events)), "{:?} vs {:?}", event.fleiss_kappa, metrics::fleiss_kappa(&events));
        for (i, (pair, kappa)) in event.cohen_kappa.iter().enumerate() {
            let (a, b) = [(0, 1), (0, 2), (1, 2)][i];
            prop_assert_eq!(pair, &format!("{}|{}", names[a], names[b]));
            prop_assert!(same(*kappa, metrics::cohen_kappa(&events, a, b)));
        }
        let countries = &measured.fields[1];
        prop_assert_eq!(countries.items, metrics::pairable_units(&sets));
        // Item digests, not the letters, are compared: MASI depends only on the sets' overlap.
        let masi = |a: &Vec<u8>, b: &Vec<u8>| metrics::masi(a, b);
        prop_assert!(same(countries.alpha, metrics::alpha(&sets, masi)), "{:?} vs {:?}", countries.alpha, metrics::alpha(&sets, masi));

        // What is computed from the kept items equals the same on the table.
        let pairable: Units<u8> = events.iter().filter(|r| r.iter().flatten().count() >= 2).cloned().collect();
        let ac1 = metrics::gwet_ac1(&pairable);
        prop_assert_eq!(event.ac1.is_some(), ac1.is_some());
        if let (Some(x), Some(y)) = (event.ac1, ac1) {
            prop_assert!((x.value - y.value).abs() < 1e-9 && (x.se - y.se).abs() < 1e-9, "{:?} vs {:?}", x, y);
        }
        let (labels, o) = metrics::coincidence_matrix(&events);
        let matrix = &event.coincidence.as_ref().unwrap().matrix;
        for (i, &c) in labels.iter().enumerate() {
            for (j, &k) in labels.iter().enumerate() {
                prop_assert!((matrix[usize::from(c)][usize::from(k)] - o[i][j]).abs() < 1e-9);
            }
        }
        prop_assert!(event.alpha.is_none() || event.alpha_ci95.is_some());
        // Each analyst against the others: alpha of their pairs of values, as two-coder data.
        for (x, &a) in measured.analysts_agreement.iter().zip(&active) {
            prop_assert_eq!(&x.analyst, ANALYSTS[a]);
            let col = active.iter().position(|&b| b == a).unwrap();
            let pairs: Units<u8> = events
                .iter()
                .filter(|r| r[col].is_some())
                .flat_map(|r| {
                    (0..r.len())
                        .filter(move |&o| o != col && r[o].is_some())
                        .map(move |o| vec![r[col], r[o]])
                })
                .collect();
            prop_assert!(same(x.alpha_with_rest[0].1, metrics::alpha_nominal(&pairs)));
        }
    }
}

/// A short bootstrap: its figures are checked in `agree::units`; here, that it runs.
const OPTIONS: tadqiq::agree::Options = tadqiq::agree::Options {
    bootstrap: 20,
    seed: 1,
    detail: true,
};
