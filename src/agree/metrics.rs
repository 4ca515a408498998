//! Agreement coefficients on plain reliability data: percent agreement, Krippendorff's alpha,
//! Cohen's and Fleiss' kappa, and the MASI distance between sets. No files, no terminal.
//!
//! Reliability data is a table with one row per unit (an article's field) and one column per
//! coder (an analyst); a cell is `None` when that coder did not code that unit. Every function
//! here returns `None` when the coefficient is undefined (no unit to measure, or no variation
//! at all, where the formulas divide by zero): never NaN.

use std::hash::Hash;

use indexmap::IndexMap;
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};

/// Above this many pairs of distinct values, the expected disagreement of `alpha` under a
/// non-nominal distance is estimated from a sample of pairs instead of every pair.
pub const EXACT_PAIRS: u64 = 1 << 23;

/// How many pairs of distinct values the estimate draws (see [`alpha`]).
pub const SAMPLED_PAIRS: u64 = 1 << 20;

/// The values present in a row.
fn present<T>(row: &[Option<T>]) -> impl Iterator<Item = &T> {
    row.iter().flatten()
}

/// The distinct values of a row with their counts.
pub fn tally<T: PartialEq>(row: &[Option<T>]) -> Vec<(&T, u64)> {
    tally_of(present(row))
}

/// The distinct values among `values` with their counts, in order of first appearance. A unit
/// holds one value per analyst, so a linear scan beats a hash map.
pub fn tally_of<K: PartialEq>(values: impl IntoIterator<Item = K>) -> Vec<(K, u64)> {
    let mut out: Vec<(K, u64)> = Vec::new();
    for v in values {
        match out.iter_mut().find(|(c, _)| *c == v) {
            Some((_, n)) => *n += 1,
            None => out.push((v, 1)),
        }
    }
    out
}

/// How many values a unit's tally holds (`m_u`).
fn size<K>(tally: &[(K, u64)]) -> u64 {
    tally.iter().map(|(_, c)| c).sum()
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
    let mut acc = PercentAgreement::default();
    for row in units {
        acc.add(&tally(row.as_ref()));
    }
    acc.value()
}

/// Krippendorff's alpha with the nominal distance (0 for equal values, 1 otherwise); see
/// [`NominalAlpha`].
pub fn alpha_nominal<T: Eq + Hash, R: AsRef<[Option<T>]>>(units: &[R]) -> Option<f64> {
    let mut acc = NominalAlpha::default();
    for row in units {
        acc.add(tally(row.as_ref()));
    }
    acc.value()
}

/// Krippendorff's alpha with any distance `δ` (symmetric, `δ(c, c) = 0`), e.g. [`masi`]; see
/// [`Alpha`].
pub fn alpha<T, R, D>(units: &[R], distance: D) -> Option<f64>
where
    T: Eq + Hash + Sync,
    R: AsRef<[Option<T>]>,
    D: Fn(&T, &T) -> f64 + Sync,
{
    let distance = |a: &&T, b: &&T| distance(a, b);
    let mut acc = Alpha::default();
    for row in units {
        acc.add(tally(row.as_ref()), &distance);
    }
    acc.value(&distance)
}

/// Cohen's kappa of coders `a` and `b` on the units both coded; see [`CohenKappa`].
pub fn cohen_kappa<T: Eq + Hash, R: AsRef<[Option<T>]>>(
    units: &[R],
    a: usize,
    b: usize,
) -> Option<f64> {
    let mut acc = CohenKappa::default();
    for row in units {
        let row = row.as_ref();
        if let (Some(Some(x)), Some(Some(y))) = (row.get(a), row.get(b)) {
            acc.add(x, y);
        }
    }
    acc.value()
}

/// Fleiss' kappa on the units coded by every coder (the others are left out); see
/// [`FleissKappa`].
pub fn fleiss_kappa<T: Eq + Hash, R: AsRef<[Option<T>]>>(units: &[R]) -> Option<f64> {
    let mut acc = FleissKappa::default();
    for row in units {
        let row = row.as_ref();
        if row.len() >= 2 && row.iter().all(Option::is_some) {
            acc.add(tally(row));
        }
    }
    acc.value()
}

// The coefficients, accumulated one unit at a time. `tadqiq agree` feeds them as it reads the
// gold set, so its memory holds a count per distinct value, never the reliability table; the
// functions above feed them from a table. Each `add` takes a unit's tally (distinct values
// with their counts, as [`tally`] makes).

/// The mean share of agreeing pairs of coders, over units with at least two values.
#[derive(Clone, Debug, Default)]
pub struct PercentAgreement {
    sum: f64,
    units: usize,
}

impl PercentAgreement {
    /// Adds a unit.
    pub fn add<K>(&mut self, tally: &[(K, u64)]) {
        let m = size(tally);
        if m < 2 {
            return;
        }
        let agreeing: u64 = tally.iter().map(|(_, c)| c * (c - 1) / 2).sum();
        self.sum += agreeing as f64 / (m * (m - 1) / 2) as f64;
        self.units += 1;
    }

    /// The units with at least two values so far (those every coefficient uses).
    pub fn units(&self) -> usize {
        self.units
    }

    /// The coefficient, `None` without a pairable unit.
    pub fn value(&self) -> Option<f64> {
        (self.units > 0).then(|| self.sum / self.units as f64)
    }
}

/// Krippendorff's alpha with the nominal distance.
///
/// The coincidence-matrix form of Krippendorff (2011), "Computing Krippendorff's
/// Alpha-Reliability", section C: with `n_uc` the count of value `c` in unit `u`, `m_u` the
/// values in unit `u` (units with `m_u < 2` are left out), `n_c = Σ_u n_uc` and `n = Σ_c n_c`,
///
/// ```text
/// alpha = 1 − (n − 1) · Σ_u (m_u² − Σ_c n_uc²) / (m_u − 1)  /  (n² − Σ_c n_c²)
/// ```
///
/// (the sums over `c ≠ k` of `o_ck` and of `n_c·n_k`, written without the matrix). Memory: one
/// count per distinct value.
#[derive(Clone, Debug)]
pub struct NominalAlpha<K> {
    observed: f64,
    totals: FxHashMap<K, u64>,
    n: u64,
}

impl<K> Default for NominalAlpha<K> {
    fn default() -> Self {
        NominalAlpha {
            observed: 0.0,
            totals: FxHashMap::default(),
            n: 0,
        }
    }
}

impl<K: Eq + Hash> NominalAlpha<K> {
    /// Adds a unit.
    pub fn add(&mut self, tally: Vec<(K, u64)>) {
        let m = size(&tally);
        if m < 2 {
            return;
        }
        let same: u64 = tally.iter().map(|(_, c)| c * c).sum();
        self.observed += (m * m - same) as f64 / (m - 1) as f64;
        for (v, c) in tally {
            *self.totals.entry(v).or_default() += c;
        }
        self.n += m;
    }

    /// The coefficient, `None` when there is no variation.
    pub fn value(&self) -> Option<f64> {
        let same: u128 = self
            .totals
            .values()
            .map(|&c| u128::from(c) * u128::from(c))
            .sum();
        let n = self.n;
        let expected = u128::from(n) * u128::from(n) - same;
        if expected == 0 {
            return None;
        }
        Some(1.0 - (n - 1) as f64 * self.observed / expected as f64)
    }
}

/// Krippendorff's alpha with any distance `δ` (symmetric, `δ(c, c) = 0`), e.g. [`masi`].
///
/// Krippendorff (2011), section C, in coincidence form: `D_o = (1/n) Σ_u Σ_{c≠k} n_uc·n_uk·δ(c,k)
/// / (m_u − 1)`, `D_e = Σ_{c≠k} n_c·n_k·δ(c,k) / (n(n − 1))`, `alpha = 1 − D_o / D_e`.
///
/// `D_e` sums over every pair of distinct values in the data, so the distinct values are
/// kept (with their counts, in order of first appearance, so that sums of floats run in the
/// same order on every run). When there are more than [`EXACT_PAIRS`] such pairs (over four
/// thousand distinct values), it is estimated instead from [`SAMPLED_PAIRS`] pairs of value
/// occurrences drawn from the data with a fixed seed (so the result is reproducible): the
/// standard error of the mean distance (in [0, 1]) is below 0.0005.
#[derive(Clone, Debug)]
pub struct Alpha<K> {
    observed: f64,
    values: IndexMap<K, u64, FxBuildHasher>,
    n: u64,
}

impl<K> Default for Alpha<K> {
    fn default() -> Self {
        Alpha {
            observed: 0.0,
            values: IndexMap::default(),
            n: 0,
        }
    }
}

impl<K: Eq + Hash + Sync> Alpha<K> {
    /// Adds a unit; `distance` must be the same at every call and in [`Alpha::value`].
    pub fn add<D: Fn(&K, &K) -> f64>(&mut self, tally: Vec<(K, u64)>, distance: &D) {
        let m = size(&tally);
        if m < 2 {
            return;
        }
        let mut sum = 0.0;
        for (i, (a, na)) in tally.iter().enumerate() {
            for (b, nb) in &tally[i + 1..] {
                sum += 2.0 * (na * nb) as f64 * distance(a, b);
            }
        }
        self.observed += sum / (m - 1) as f64;
        for (v, c) in tally {
            *self.values.entry(v).or_default() += c;
        }
        self.n += m;
    }

    /// The coefficient, `None` when there is no variation.
    pub fn value<D: Fn(&K, &K) -> f64 + Sync>(&self, distance: &D) -> Option<f64> {
        let values: Vec<(&K, u64)> = self.values.iter().map(|(k, c)| (k, *c)).collect();
        let v = values.len() as u64;
        if v < 2 {
            return None;
        }
        let expected = if v * (v - 1) / 2 <= EXACT_PAIRS {
            // Rows in parallel, their sums added in order: the same result on any number of
            // cores.
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
            sampled_expected(&values, self.n, distance)
        };
        if expected <= 0.0 {
            return None;
        }
        Some(1.0 - (self.n - 1) as f64 * self.observed / expected)
    }
}

/// Cohen's kappa of two coders on the units both coded.
///
/// Cohen (1960): `κ = (p_o − p_e) / (1 − p_e)`, `p_o` the share of units where they agree,
/// `p_e = Σ_c p_a(c)·p_b(c)` from each coder's own marginals. Computed on counts as
/// `(N·agree − Σ_c a_c·b_c) / (N² − Σ_c a_c·b_c)`, so "no variation" is an exact zero.
/// Memory: the two marginal counts of each distinct value.
#[derive(Clone, Debug)]
pub struct CohenKappa<K> {
    n: u64,
    agree: u64,
    margins: FxHashMap<K, (u64, u64)>,
}

impl<K> Default for CohenKappa<K> {
    fn default() -> Self {
        CohenKappa {
            n: 0,
            agree: 0,
            margins: FxHashMap::default(),
        }
    }
}

impl<K: Eq + Hash> CohenKappa<K> {
    /// Adds a unit both coded: `x` the first coder's value, `y` the second's.
    pub fn add(&mut self, x: K, y: K) {
        self.n += 1;
        self.agree += u64::from(x == y);
        self.margins.entry(x).or_default().0 += 1;
        self.margins.entry(y).or_default().1 += 1;
    }

    /// The coefficient, `None` when there is no variation or no unit.
    pub fn value(&self) -> Option<f64> {
        let chance: u128 = self
            .margins
            .values()
            .map(|&(x, y)| u128::from(x) * u128::from(y))
            .sum();
        let n = u128::from(self.n);
        let denominator = n * n - chance;
        if denominator == 0 {
            return None;
        }
        Some(((n * u128::from(self.agree)) as f64 - chance as f64) / denominator as f64)
    }
}

/// Fleiss' kappa on units coded by every coder: each unit added must have the same number of
/// values `r`.
///
/// Fleiss (1971), "Measuring nominal scale agreement among many raters": with `r` coders, `N`
/// units, `n_ij` the coders who put unit `i` in category `j`, `P̄ = (Σ_ij n_ij² − N·r) /
/// (N·r·(r − 1))`, `p_j = Σ_i n_ij / (N·r)`, `P_e = Σ_j p_j²`, `κ = (P̄ − P_e) / (1 − P_e)`.
/// Memory: one count per distinct value.
#[derive(Clone, Debug)]
pub struct FleissKappa<K> {
    units: u64,
    squares: u64,
    r: u64,
    totals: FxHashMap<K, u64>,
}

impl<K> Default for FleissKappa<K> {
    fn default() -> Self {
        FleissKappa {
            units: 0,
            squares: 0,
            r: 0,
            totals: FxHashMap::default(),
        }
    }
}

impl<K: Eq + Hash> FleissKappa<K> {
    /// Adds a unit every coder coded.
    pub fn add(&mut self, tally: Vec<(K, u64)>) {
        self.r = size(&tally);
        self.units += 1;
        for (v, c) in tally {
            self.squares += c * c;
            *self.totals.entry(v).or_default() += c;
        }
    }

    /// The coefficient, `None` without a unit or without variation.
    pub fn value(&self) -> Option<f64> {
        let (n, r) = (self.units, self.r);
        if n == 0 || r < 2 {
            return None;
        }
        let all = u128::from(n * r);
        let chance: u128 = self
            .totals
            .values()
            .map(|&t| u128::from(t) * u128::from(t))
            .sum();
        if chance == all * all {
            return None;
        }
        let p_bar = (self.squares - n * r) as f64 / (n * r * (r - 1)) as f64;
        let p_e = chance as f64 / (all * all) as f64;
        Some((p_bar - p_e) / (1.0 - p_e))
    }
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
