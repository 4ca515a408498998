//! Agreement coefficients on plain reliability data: percent agreement, Krippendorff's alpha,
//! Cohen's and Fleiss' kappa, and the MASI distance between sets. No files, no terminal.
//!
//! Reliability data is a table with one row per unit (an article's field) and one column per
//! coder (an analyst); a cell is `None` when that coder did not code that unit. Every function
//! here returns `None` when the coefficient is undefined (no unit to measure, or no variation
//! at all, where the formulas divide by zero): never NaN.

use std::collections::HashMap;
use std::hash::Hash;

use rayon::prelude::*;

/// Above this many pairs of distinct values, the expected disagreement of `alpha` under a
/// non-nominal distance is estimated from a sample of pairs instead of every pair.
pub const EXACT_PAIRS: u64 = 1 << 23;

/// How many pairs of distinct values the estimate draws (see [`alpha`]).
pub const SAMPLED_PAIRS: u64 = 1 << 20;

/// The values present in a row.
fn present<T>(row: &[Option<T>]) -> impl Iterator<Item = &T> {
    row.iter().flatten()
}

/// The distinct values of a row with their counts. Rows are short (one cell per analyst), so
/// a linear scan beats a hash map.
fn tally<T: PartialEq>(row: &[Option<T>]) -> Vec<(&T, u64)> {
    let mut out: Vec<(&T, u64)> = Vec::new();
    for v in present(row) {
        match out.iter_mut().find(|(c, _)| *c == v) {
            Some((_, n)) => *n += 1,
            None => out.push((v, 1)),
        }
    }
    out
}

/// The number of units coded by at least two coders (the units every coefficient uses).
pub fn pairable_units<T, R: AsRef<[Option<T>]>>(units: &[R]) -> usize {
    units
        .iter()
        .filter(|r| present(r.as_ref()).nth(1).is_some())
        .count()
}

/// The mean, over units with at least two values, of the share of pairs of coders that agree.
pub fn percent_agreement<T: PartialEq, R: AsRef<[Option<T>]>>(units: &[R]) -> Option<f64> {
    let mut sum = 0.0;
    let mut n = 0usize;
    for row in units {
        let t = tally(row.as_ref());
        let m: u64 = t.iter().map(|(_, c)| c).sum();
        if m < 2 {
            continue;
        }
        let agreeing: u64 = t.iter().map(|(_, c)| c * (c - 1) / 2).sum();
        sum += agreeing as f64 / (m * (m - 1) / 2) as f64;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

/// Krippendorff's alpha with the nominal distance (0 for equal values, 1 otherwise).
///
/// The coincidence-matrix form of Krippendorff (2011), "Computing Krippendorff's
/// Alpha-Reliability", section C: with `n_uc` the count of value `c` in unit `u`, `m_u` the
/// values in unit `u` (units with `m_u < 2` are left out), `n_c = Σ_u n_uc` and `n = Σ_c n_c`,
///
/// ```text
/// alpha = 1 − (n − 1) · Σ_u (m_u² − Σ_c n_uc²) / (m_u − 1)  /  (n² − Σ_c n_c²)
/// ```
///
/// (the sums over `c ≠ k` of `o_ck` and of `n_c·n_k`, written without the matrix).
pub fn alpha_nominal<T: Eq + Hash, R: AsRef<[Option<T>]>>(units: &[R]) -> Option<f64> {
    let mut observed = 0.0;
    let mut totals: HashMap<&T, u64> = HashMap::new();
    let mut n = 0u64;
    for row in units {
        let t = tally(row.as_ref());
        let m: u64 = t.iter().map(|(_, c)| c).sum();
        if m < 2 {
            continue;
        }
        let same: u64 = t.iter().map(|(_, c)| c * c).sum();
        observed += (m * m - same) as f64 / (m - 1) as f64;
        for (v, c) in t {
            *totals.entry(v).or_default() += c;
        }
        n += m;
    }
    let same: u128 = totals
        .values()
        .map(|&c| u128::from(c) * u128::from(c))
        .sum();
    let expected = u128::from(n) * u128::from(n) - same;
    if expected == 0 {
        return None;
    }
    Some(1.0 - (n - 1) as f64 * observed / expected as f64)
}

/// Krippendorff's alpha with any distance `δ` (symmetric, `δ(c, c) = 0`), e.g. [`masi`].
///
/// Krippendorff (2011), section C, in coincidence form: `D_o = (1/n) Σ_u Σ_{c≠k} n_uc·n_uk·δ(c,k)
/// / (m_u − 1)`, `D_e = Σ_{c≠k} n_c·n_k·δ(c,k) / (n(n − 1))`, `alpha = 1 − D_o / D_e`.
///
/// `D_e` sums over every pair of distinct values in the data. When there are more than
/// [`EXACT_PAIRS`] such pairs (over four thousand distinct sets), it is estimated instead
/// from [`SAMPLED_PAIRS`] pairs of value occurrences drawn from the data with a fixed seed (so
/// the result is reproducible): the standard error of the mean distance (in [0, 1]) is below
/// 0.0005.
pub fn alpha<T, R, D>(units: &[R], distance: D) -> Option<f64>
where
    T: Eq + Hash + Sync,
    R: AsRef<[Option<T>]>,
    D: Fn(&T, &T) -> f64 + Sync,
{
    let mut observed = 0.0;
    // Distinct values in order of first appearance, so that sums of floats run in the same
    // order on every run (a hash map's order changes from run to run).
    let mut index: HashMap<&T, usize> = HashMap::new();
    let mut values: Vec<(&T, u64)> = Vec::new();
    let mut n = 0u64;
    for row in units {
        let t = tally(row.as_ref());
        let m: u64 = t.iter().map(|(_, c)| c).sum();
        if m < 2 {
            continue;
        }
        let mut sum = 0.0;
        for (i, (a, na)) in t.iter().enumerate() {
            for (b, nb) in &t[i + 1..] {
                sum += 2.0 * (na * nb) as f64 * distance(a, b);
            }
        }
        observed += sum / (m - 1) as f64;
        for (v, c) in t {
            let i = *index.entry(v).or_insert_with(|| {
                values.push((v, 0));
                values.len() - 1
            });
            values[i].1 += c;
        }
        n += m;
    }
    drop(index);
    let v = values.len() as u64;
    if v < 2 {
        return None;
    }
    let expected = if v * (v - 1) / 2 <= EXACT_PAIRS {
        // Rows in parallel, their sums added in order: the same result on any number of cores.
        let rows: Vec<f64> = values
            .par_iter()
            .enumerate()
            .map(|(i, (a, na))| {
                values[i + 1..]
                    .iter()
                    .map(|(b, nb)| 2.0 * (na * nb) as f64 * distance(a, b))
                    .sum::<f64>()
            })
            .collect();
        rows.iter().sum::<f64>()
    } else {
        sampled_expected(&values, n, &distance)
    };
    if expected <= 0.0 {
        return None;
    }
    Some(1.0 - (n - 1) as f64 * observed / expected)
}

/// Estimates `Σ_{c≠k} n_c·n_k·δ(c,k)` as `(n² − Σ n_c²)` times the mean distance of pairs of
/// occurrences of distinct values, drawn in proportion to their counts.
fn sampled_expected<T: Sync, D>(values: &[(&T, u64)], n: u64, distance: &D) -> f64
where
    D: Fn(&T, &T) -> f64 + Sync,
{
    let mut cumulative = Vec::with_capacity(values.len());
    let mut acc = 0u64;
    for (_, c) in values {
        acc += c;
        cumulative.push(acc);
    }
    let pick = |r: u64| cumulative.partition_point(|&c| c <= r % n);
    const CHUNKS: u64 = 64;
    let per_chunk = SAMPLED_PAIRS / CHUNKS;
    let sums: Vec<f64> = (0..CHUNKS)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = SplitMix64(0x7461_6471_6971 ^ chunk.wrapping_mul(0x9E37_79B9));
            let mut sum = 0.0;
            let mut drawn = 0;
            while drawn < per_chunk {
                let (i, j) = (pick(rng.next()), pick(rng.next()));
                if i != j {
                    sum += distance(values[i].0, values[j].0);
                    drawn += 1;
                }
            }
            sum
        })
        .collect();
    let sum: f64 = sums.iter().sum();
    let same: u128 = values
        .iter()
        .map(|(_, c)| u128::from(*c) * u128::from(*c))
        .sum();
    let different = (u128::from(n) * u128::from(n) - same) as f64;
    different * sum / (per_chunk * CHUNKS) as f64
}

/// Steele's SplitMix64: a tiny, good-enough generator for reproducible sampling.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Cohen's kappa of coders `a` and `b` on the units both coded.
///
/// Cohen (1960): `κ = (p_o − p_e) / (1 − p_e)`, `p_o` the share of units where they agree,
/// `p_e = Σ_c p_a(c)·p_b(c)` from each coder's own marginals. Computed on counts as
/// `(N·agree − Σ_c a_c·b_c) / (N² − Σ_c a_c·b_c)`, so "no variation" is an exact zero.
pub fn cohen_kappa<T: Eq + Hash, R: AsRef<[Option<T>]>>(
    units: &[R],
    a: usize,
    b: usize,
) -> Option<f64> {
    let mut margins: HashMap<&T, (u64, u64)> = HashMap::new();
    let (mut n, mut agree) = (0u64, 0u64);
    for row in units {
        let row = row.as_ref();
        let (Some(Some(x)), Some(Some(y))) = (row.get(a), row.get(b)) else {
            continue;
        };
        n += 1;
        agree += u64::from(x == y);
        margins.entry(x).or_default().0 += 1;
        margins.entry(y).or_default().1 += 1;
    }
    let chance: u128 = margins
        .values()
        .map(|&(x, y)| u128::from(x) * u128::from(y))
        .sum();
    let n = u128::from(n);
    let denominator = n * n - chance;
    if denominator == 0 {
        return None;
    }
    Some(((n * u128::from(agree)) as f64 - chance as f64) / denominator as f64)
}

/// Fleiss' kappa on the units coded by every coder (the others are left out).
///
/// Fleiss (1971), "Measuring nominal scale agreement among many raters": with `r` coders, `N`
/// units, `n_ij` the coders who put unit `i` in category `j`, `P̄ = (Σ_ij n_ij² − N·r) /
/// (N·r·(r − 1))`, `p_j = Σ_i n_ij / (N·r)`, `P_e = Σ_j p_j²`, `κ = (P̄ − P_e) / (1 − P_e)`.
pub fn fleiss_kappa<T: Eq + Hash, R: AsRef<[Option<T>]>>(units: &[R]) -> Option<f64> {
    let mut totals: HashMap<&T, u64> = HashMap::new();
    let (mut n, mut squares) = (0u64, 0u64);
    let mut r = 0u64;
    for row in units {
        let row = row.as_ref();
        if row.len() < 2 || row.iter().any(Option::is_none) {
            continue;
        }
        r = row.len() as u64;
        n += 1;
        for (v, c) in tally(row) {
            squares += c * c;
            *totals.entry(v).or_default() += c;
        }
    }
    if n == 0 {
        return None;
    }
    let all = u128::from(n * r);
    let chance: u128 = totals
        .values()
        .map(|&t| u128::from(t) * u128::from(t))
        .sum();
    if chance == all * all {
        return None;
    }
    let p_bar = (squares - n * r) as f64 / (n * r * (r - 1)) as f64;
    let p_e = chance as f64 / (all * all) as f64;
    Some((p_bar - p_e) / (1.0 - p_e))
}

/// The MASI distance of two sets, given as sorted slices without repeats.
///
/// Passonneau (2006), "Measuring Agreement on Set-valued Items (MASI) for Semantic and
/// Pragmatic Annotation": `δ = 1 − J·M`, `J = |A∩B| / |A∪B|` (Jaccard), `M` = 1 when the sets
/// are equal, 2/3 when one is a subset of the other, 1/3 when they overlap otherwise, 0 when
/// they are disjoint. Two empty sets are equal: distance 0.
pub fn masi<T: Ord>(a: &[T], b: &[T]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        return 0.0;
    }
    let m = if common == a.len() && common == b.len() {
        1.0
    } else if common == a.len() || common == b.len() {
        2.0 / 3.0
    } else if common > 0 {
        1.0 / 3.0
    } else {
        0.0
    };
    1.0 - common as f64 / union as f64 * m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64, tolerance: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= tolerance)
    }

    /// Krippendorff (2011), section C: 4 observers, 12 units, values 1–5, `.` missing.
    fn krippendorff_2011() -> Vec<Vec<Option<u8>>> {
        let rows = [
            "1 2 3 3 2 1 4 1 2 . . .",
            "1 2 3 3 2 2 4 1 2 5 . 3",
            ". 3 3 3 2 3 4 2 2 5 1 .",
            "1 2 3 3 2 4 4 1 2 5 1 .",
        ];
        let coders: Vec<Vec<Option<u8>>> = rows
            .iter()
            .map(|r| r.split(' ').map(|v| v.parse().ok()).collect())
            .collect();
        (0..12)
            .map(|u| coders.iter().map(|c| c[u]).collect())
            .collect()
    }

    #[test]
    fn alpha_matches_krippendorff_2011() {
        let units = krippendorff_2011();
        assert!(
            close(alpha_nominal(&units), 0.743, 5e-4),
            "{:?}",
            alpha_nominal(&units)
        );
        let nominal = alpha(&units, |a, b| f64::from(u8::from(a != b)));
        assert!((nominal.unwrap() - alpha_nominal(&units).unwrap()).abs() < 1e-12);
        // The same paper's interval alpha, 0.849, exercises the general form.
        let interval = alpha(&units, |a: &u8, b: &u8| {
            (f64::from(*a) - f64::from(*b)).powi(2)
        });
        assert!(close(interval, 0.849, 5e-4), "{interval:?}");
        assert_eq!(pairable_units(&units), 11);
    }

    #[test]
    fn alpha_matches_the_python_krippendorff_package() {
        // Recorded once with `krippendorff` 0.9.0 (pip): `krippendorff.alpha(reliability_data=
        // data, level_of_measurement='nominal')` on these 4 coders × 30 units, `.` = NaN.
        let rows = [
            ". 0 0 2 . 1 . 1 2 . 3 3 2 . 2 1 . 2 . . 0 . 2 3 1 1 . 3 . 2",
            ". 0 0 2 1 . 0 1 . 1 2 . 2 3 2 1 3 2 . . 0 3 2 . 1 2 1 . . 2",
            "3 . 0 . 1 . . . 0 0 . 3 2 2 2 0 1 2 0 0 0 . . 3 1 2 2 . 0 2",
            "3 0 0 2 1 . . 1 . . . 1 . . 2 1 3 2 3 3 0 3 2 3 1 1 . 3 . 2",
        ];
        let coders: Vec<Vec<Option<u8>>> = rows
            .iter()
            .map(|r| r.split(' ').map(|v| v.parse().ok()).collect())
            .collect();
        let units: Vec<Vec<Option<u8>>> = (0..30)
            .map(|u| coders.iter().map(|c| c[u]).collect())
            .collect();
        assert!(close(alpha_nominal(&units), 0.61615284411637, 1e-12));
    }

    #[test]
    fn cohen_matches_the_textbook_example() {
        // 50 units: both yes 20, a yes b no 5, a no b yes 10, both no 15: κ = 0.4.
        let mut units = Vec::new();
        for (a, b, count) in [(1, 1, 20), (1, 0, 5), (0, 1, 10), (0, 0, 15)] {
            units.extend((0..count).map(|_| vec![Some(a), Some(b)]));
        }
        assert!(close(cohen_kappa(&units, 0, 1), 0.4, 1e-12));
        assert!(close(cohen_kappa(&units, 1, 0), 0.4, 1e-12));
    }

    #[test]
    fn fleiss_matches_fleiss_1971_as_on_wikipedia() {
        // 10 subjects, 14 raters, 5 categories: the counts per category.
        let counts = [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ];
        let units: Vec<Vec<Option<usize>>> = counts
            .iter()
            .map(|c| {
                c.iter()
                    .enumerate()
                    .flat_map(|(j, &n)| std::iter::repeat_n(Some(j), n))
                    .collect()
            })
            .collect();
        assert!(
            close(fleiss_kappa(&units), 0.210, 5e-4),
            "{:?}",
            fleiss_kappa(&units)
        );
    }

    #[test]
    fn masi_matches_the_nltk_examples() {
        assert!((masi(&[1, 2], &[1, 2, 3, 4]) - 2.0 / 3.0).abs() < 1e-12);
        assert!((masi(&[1, 2, 3, 4], &[3, 4, 5]) - (1.0 - 2.0 / 15.0)).abs() < 1e-12);
        assert!((masi(&[1, 2, 3, 4], &[3, 4, 5]) - 0.8667).abs() < 1e-4);
        assert_eq!(masi::<u8>(&[], &[]), 0.0);
        assert_eq!(masi(&[], &[1]), 1.0);
        assert_eq!(masi(&[1, 2], &[1, 2]), 0.0);
        assert_eq!(masi(&[1], &[2]), 1.0);
    }

    #[test]
    fn no_variation_is_none_not_nan() {
        let same = vec![vec![Some("a"), Some("a")], vec![Some("a"), Some("a")]];
        assert_eq!(alpha_nominal(&same), None);
        assert_eq!(alpha(&same, |_, _| 1.0), None);
        assert_eq!(cohen_kappa(&same, 0, 1), None);
        assert_eq!(fleiss_kappa(&same), None);
        assert_eq!(percent_agreement(&same), Some(1.0));
        let none: Vec<Vec<Option<u8>>> = vec![vec![Some(1), None]];
        assert_eq!(percent_agreement(&none), None);
        assert_eq!(alpha_nominal(&none), None);
        assert_eq!(cohen_kappa(&none, 0, 1), None);
        assert_eq!(fleiss_kappa(&none), None);
        assert_eq!(cohen_kappa(&none, 0, 7), None);
    }

    #[test]
    fn percent_agreement_is_the_mean_share_of_agreeing_pairs() {
        let units = vec![
            vec![Some(1), Some(1), Some(2)], // 1 of 3 pairs
            vec![Some(1), Some(1), None],    // 1 of 1
            vec![Some(3), None, None],       // not pairable
        ];
        assert!(close(
            percent_agreement(&units),
            (1.0 / 3.0 + 1.0) / 2.0,
            1e-12
        ));
    }

    #[test]
    fn the_sampled_estimate_is_close_to_the_exact_sum() {
        // Sets over 40 elements, most of them distinct: the exact sum is cheap here, and the
        // estimate must land near it.
        let mut rng = SplitMix64(7);
        let values: Vec<(Vec<u64>, u64)> = (0..3000)
            .map(|_| {
                let mut s: Vec<u64> = (0..1 + rng.next() % 4).map(|_| rng.next() % 40).collect();
                s.sort_unstable();
                s.dedup();
                (s, 1 + rng.next() % 3)
            })
            .collect();
        let refs: Vec<(&Vec<u64>, u64)> = values.iter().map(|(s, c)| (s, *c)).collect();
        let n: u64 = refs.iter().map(|(_, c)| c).sum();
        let mut exact = 0.0;
        for (i, (a, na)) in refs.iter().enumerate() {
            for (b, nb) in &refs[i + 1..] {
                exact += 2.0 * (na * nb) as f64 * masi(a, b);
            }
        }
        let estimate = sampled_expected(&refs, n, &|a: &Vec<u64>, b: &Vec<u64>| masi(a, b));
        assert!(
            (estimate / exact - 1.0).abs() < 0.005,
            "{estimate} vs {exact}"
        );
    }
}
