//! Agreement coefficients on plain reliability data: percent agreement, Krippendorff's alpha
//! and its coincidence matrix, Cohen's and Fleiss' kappa, Gwet's AC1 with its standard error,
//! and the MASI distance between sets. No files, no terminal.
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
        let expected = self.expected_sum(distance)?;
        Some(1.0 - (self.n - 1) as f64 * self.observed / expected)
    }

    /// The expected disagreement `D_e = Σ_{c≠k} n_c·n_k·δ(c,k) / (n(n − 1))`, `None` when
    /// there is no variation.
    pub fn expected_disagreement<D: Fn(&K, &K) -> f64 + Sync>(&self, distance: &D) -> Option<f64> {
        let expected = self.expected_sum(distance)?;
        Some(expected / (self.n as f64 * (self.n - 1) as f64))
    }

    /// `Σ_{c≠k} n_c·n_k·δ(c,k)`, exact or sampled; `None` when it is not positive.
    fn expected_sum<D: Fn(&K, &K) -> f64 + Sync>(&self, distance: &D) -> Option<f64> {
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
        (expected > 0.0).then_some(expected)
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
                let (i, j) = (pick(rng.next_u64()), pick(rng.next_u64()));
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

/// Steele's SplitMix64: a tiny, good-enough generator for reproducible sampling (and the
/// bootstrap's resampling of articles).
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by Lemire's multiply-shift: the bias is below n/2⁶⁴.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
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

/// Gwet's AC1 with its standard error and 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ac1 {
    /// The coefficient.
    pub value: f64,
    /// Its standard error (finite population correction off).
    pub se: f64,
    /// `value ± t(0.975, n − 1)·se`, the upper bound at most 1.
    pub ci95: (f64, f64),
}

/// Gwet's AC1 of plain reliability data (units with no value are left out), as the `irrCAC`
/// package's `CAC(ratings).gwet()` computes it with its defaults; see [`gwet_ac1_of`].
pub fn gwet_ac1<T: Eq + Hash, R: AsRef<[Option<T>]>>(units: &[R]) -> Option<Ac1> {
    let mut ids: FxHashMap<&T, usize> = FxHashMap::default();
    let tallies: Vec<Vec<(usize, u64)>> = units
        .iter()
        .map(|row| {
            tally(row.as_ref())
                .into_iter()
                .map(|(v, c)| {
                    let next = ids.len();
                    (*ids.entry(v).or_insert(next), c)
                })
                .collect()
        })
        .collect();
    gwet_ac1_of(ids.len(), |f| tallies.iter().for_each(|t| f(t)))
}

/// Gwet's AC1 on units given as tallies of category numbers `0..q` (every one of them used by
/// some unit), `each_unit` handing every unit to its argument, in the same order at each of
/// its two calls.
///
/// Gwet (2008), "Computing inter-rater reliability and its variance in the presence of high
/// agreement", and `irrCAC`'s `gwet()` (Python 0.4.4; R's `gwet.ac1.raw` alike), unweighted:
/// with `n` units (those with at least one value), `r_i` values in unit `i`, `r_ik` of them
/// `k`, over the `n'` units with `r_i ≥ 2`: `p_a = (1/n') Σ_i Σ_k r_ik(r_ik − 1) / (r_i(r_i −
/// 1))`; `π_k = (1/n) Σ_i r_ik / r_i`; `p_e = Σ_k π_k(1 − π_k) / (q − 1)`; `AC1 = (p_a − p_e)
/// / (1 − p_e)`. Variance: `v = 1/(n(n − 1)) Σ_i (AC1*_i − AC1)²` with `AC1*_i = AC1_i − 2(1 −
/// AC1)(p_e|i − p_e)/(1 − p_e)`, `AC1_i = (n/n')(p_a|i − p_e·[r_i ≥ 2])/(1 − p_e)`, `p_e|i =
/// Σ_k r_ik(1 − π_k) / (r_i(q − 1))`; interval `AC1 ± t_{0.975, n−1}·√v`, the upper bound
/// capped at 1, and a zero standard error taken as 10⁻¹⁵ as `irrCAC` does.
///
/// `None` with fewer than two categories (where `irrCAC` divides by a stand-in for zero), no
/// unit with two values, or fewer than two units.
pub fn gwet_ac1_of<F>(q: usize, each_unit: F) -> Option<Ac1>
where
    F: Fn(&mut dyn FnMut(&[(usize, u64)])),
{
    if q < 2 {
        return None;
    }
    let mut n = 0u64;
    let mut pairable = 0u64;
    let mut pa_sum = 0.0;
    let mut pi = vec![0.0; q];
    each_unit(&mut |unit| {
        let r = size(unit);
        if r == 0 {
            return;
        }
        n += 1;
        for &(k, c) in unit {
            pi[k] += c as f64 / r as f64;
        }
        if r >= 2 {
            pairable += 1;
            pa_sum +=
                unit.iter().map(|&(_, c)| (c * (c - 1)) as f64).sum::<f64>() / (r * (r - 1)) as f64;
        }
    });
    if pairable == 0 || n < 2 {
        return None;
    }
    let nf = n as f64;
    for p in &mut pi {
        *p /= nf;
    }
    let pa = pa_sum / pairable as f64;
    let qf = q as f64;
    let pe = pi.iter().map(|p| p * (1.0 - p)).sum::<f64>() / (qf - 1.0);
    let ac1 = (pa - pe) / (1.0 - pe);
    let mut squares = 0.0;
    each_unit(&mut |unit| {
        let r = size(unit);
        if r == 0 {
            return;
        }
        let rf = r as f64;
        let (pa_i, pe_r2) = if r >= 2 {
            let same: f64 = unit.iter().map(|&(_, c)| (c * (c - 1)) as f64).sum();
            (same / (rf * (rf - 1.0)), pe)
        } else {
            (0.0, 0.0)
        };
        let ac1_i = (nf / pairable as f64) * (pa_i - pe_r2) / (1.0 - pe);
        let pe_i = unit
            .iter()
            .map(|&(k, c)| c as f64 * (1.0 - pi[k]))
            .sum::<f64>()
            / rf
            / (qf - 1.0);
        let x = ac1_i - 2.0 * (1.0 - ac1) * (pe_i - pe) / (1.0 - pe);
        squares += (x - ac1) * (x - ac1);
    });
    let mut se = (squares / (nf * (nf - 1.0))).sqrt();
    if se == 0.0 {
        se = 1e-15;
    }
    let t = student_t_quantile(0.975, nf - 1.0);
    Some(Ac1 {
        value: ac1,
        se,
        ci95: (ac1 - t * se, (ac1 + t * se).min(1.0)),
    })
}

/// The `p` quantile of Student's t distribution with `df` degrees of freedom (`0 < p < 1`,
/// `df > 0`): Newton's method on the distribution function, from the normal quantile, with
/// bisection as a guard. Agrees with SciPy's `t.ppf` to 2·10⁻¹¹ relative (SciPy's own error
/// at one degree of freedom, where the exact quantile is `tan(π(p − ½))`).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    // The root lies in (0, hi): widen hi until the distribution function passes p.
    let (mut lo, mut hi) = (0.0, 1.0);
    while student_t_cdf(hi, df) < p {
        lo = hi;
        hi *= 2.0;
        if hi > 1e300 {
            return f64::INFINITY;
        }
    }
    let mut x = (lo + hi) / 2.0;
    for _ in 0..200 {
        let f = student_t_cdf(x, df) - p;
        if f > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        if f == 0.0 {
            break;
        }
        let step = f / student_t_pdf(x, df);
        let next = x - step;
        x = if next > lo && next < hi {
            next
        } else {
            (lo + hi) / 2.0
        };
        if step.abs() <= 1e-15 * x.abs().max(1.0) || hi - lo <= 1e-15 * hi {
            break;
        }
    }
    x
}

/// Student's t density.
fn student_t_pdf(x: f64, df: f64) -> f64 {
    let ln = ln_gamma((df + 1.0) / 2.0)
        - ln_gamma(df / 2.0)
        - 0.5 * (df * std::f64::consts::PI).ln()
        - (df + 1.0) / 2.0 * (1.0 + x * x / df).ln();
    ln.exp()
}

/// Student's t distribution function, through the regularized incomplete beta function.
fn student_t_cdf(x: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + x * x));
    if x >= 0.0 { 1.0 - tail } else { tail }
}

/// `ln Γ(x)` for `x > 0`: Lanczos' approximation (g = 7, nine terms), relative error near
/// 10⁻¹⁵.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularized incomplete beta function `I_x(a, b)`: its continued fraction by the modified
/// Lentz method (Numerical Recipes, `betacf`), on the side where it converges fast.
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + even * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + even / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + odd * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + odd / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Adds one unit to Krippendorff's coincidence matrix `o` (`k × k`, categories `0..k`).
///
/// Krippendorff (2011), section C: `o_ck = Σ_u (number of c–k pairs of values in unit u) /
/// (m_u − 1)`, the pairs ordered and made of values of different coders. A value is given as a
/// distribution over categories that sums to 1 (one category with weight 1 for a plain value;
/// a multi_choice set splits its weight among its labels), with how many coders gave it: the
/// pairs of unit `u` are then `Σ_{x≠y} w_x(c)·w_y(k)` over its values `x`, `y` of different
/// coders. Units with fewer than two values add nothing.
pub fn add_coincidences(o: &mut [Vec<f64>], unit: &[(&[(usize, f64)], u64)]) {
    let m: u64 = unit.iter().map(|(_, n)| n).sum();
    if m < 2 {
        return;
    }
    let scale = 1.0 / (m - 1) as f64;
    for (i, (x, nx)) in unit.iter().enumerate() {
        for (j, (y, ny)) in unit.iter().enumerate() {
            // Values of different coders: a value with itself pairs n(n − 1) times.
            let pairs = if i == j { nx * (nx - 1) } else { nx * ny };
            if pairs == 0 {
                continue;
            }
            let w = pairs as f64 * scale;
            for &(c, wc) in x.iter() {
                for &(k, wk) in y.iter() {
                    o[c][k] += w * wc * wk;
                }
            }
        }
    }
}

/// Krippendorff's coincidence matrix of plain reliability data: the distinct values, sorted,
/// and the matrix with rows and columns in their order.
pub fn coincidence_matrix<T: Ord + Clone, R: AsRef<[Option<T>]>>(
    units: &[R],
) -> (Vec<T>, Vec<Vec<f64>>) {
    let mut labels: Vec<T> = units
        .iter()
        .flat_map(|r| present(r.as_ref()).cloned())
        .collect();
    labels.sort();
    labels.dedup();
    let weights: Vec<[(usize, f64); 1]> = (0..labels.len()).map(|c| [(c, 1.0)]).collect();
    let mut o = vec![vec![0.0; labels.len()]; labels.len()];
    for row in units {
        let unit: Vec<(&[(usize, f64)], u64)> = tally(row.as_ref())
            .into_iter()
            .map(|(v, n)| {
                let c = labels.binary_search(v).unwrap_or_default();
                (weights[c].as_slice(), n)
            })
            .collect();
        add_coincidences(&mut o, &unit);
    }
    (labels, o)
}

/// Per-category agreement of a coincidence matrix: `o_cc / n_c`, the share of the pairs with a
/// value `c` whose other value is `c` too; `None` for a category with no pairable value.
pub fn per_category_agreement(o: &[Vec<f64>]) -> Vec<Option<f64>> {
    o.iter()
        .enumerate()
        .map(|(c, row)| {
            let n: f64 = row.iter().sum();
            (n > 0.0).then(|| row[c] / n)
        })
        .collect()
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
                let mut s: Vec<u64> = (0..1 + rng.next_u64() % 4)
                    .map(|_| rng.next_u64() % 40)
                    .collect();
                s.sort_unstable();
                s.dedup();
                (s, 1 + rng.next_u64() % 3)
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

    /// Parses rows of coders (values separated by spaces, `.` missing) into units.
    fn units_of(rows: &[&str]) -> Vec<Vec<Option<String>>> {
        let coders: Vec<Vec<Option<String>>> = rows
            .iter()
            .map(|r| {
                r.split(' ')
                    .map(|v| (v != ".").then(|| v.to_string()))
                    .collect()
            })
            .collect();
        (0..coders[0].len())
            .map(|u| coders.iter().map(|c| c[u].clone()).collect())
            .collect()
    }

    #[track_caller]
    fn assert_ac1(units: &[Vec<Option<String>>], value: f64, se: f64, ci: (f64, f64)) {
        let a = gwet_ac1(units).unwrap();
        assert!((a.value - value).abs() < 1e-12, "{a:?}");
        assert!((a.se - se).abs() < 1e-12, "{a:?}");
        // SciPy's t quantile, which irrCAC uses, is good to 4·10⁻⁹ (see t_quantiles_match_mpmath).
        assert!((a.ci95.0 - ci.0).abs() < 1e-8 * a.se, "{a:?}");
        assert!((a.ci95.1 - ci.1).abs() < 1e-8 * a.se, "{a:?}");
    }

    #[test]
    fn ac1_matches_irrcac_on_its_example_datasets() {
        // Recorded with irrCAC 0.4.4 (pip): `CAC(ratings, digits=17).gwet()` on the package's
        // `datasets.raw_4raters()` (Krippendorff's 2011 data, Gwet's published AC1 0.7754),
        // `raw_ben_gerry()`, `raw_g1g2()` and `raw_5observers()`.
        let four = units_of(&[
            "1 2 3 3 2 1 4 1 2 . . .",
            "1 2 3 3 2 2 4 1 2 5 . .",
            ". 3 3 3 2 3 4 2 2 5 1 3",
            "1 2 3 3 2 4 4 1 2 5 1 .",
        ]);
        assert_ac1(
            &four,
            0.7754440681269948,
            0.1429499506407653,
            (0.4608133481320806, 1.0),
        );
        let ben_gerry = units_of(&["a a b b d c c c e d d a", "b a b b b c c c e . d d"]);
        assert_ac1(
            &ben_gerry,
            0.6614420062695925,
            0.18396215153031273,
            (0.2565440407344435, 1.0),
        );
        let g1g2 = units_of(&[
            "a b c c b a d a b . . . b b",
            "a b c c b b d a b e . . b a",
            ". c c c b c d b b e a c c c",
            "a b c c b d d a b e a . b b",
        ]);
        assert_ac1(
            &g1g2,
            0.6846038187477684,
            0.1335331734693052,
            (0.39612293618691014, 0.9730847013086267),
        );
        let five = units_of(&[
            "1 1 2 . 0 0 1 1 2 2 . 0 1 3 1",
            "1 1 3 0 0 0 0 . 2 1 1 0 2 3 1",
            "2 0 3 0 0 0 2 2 2 1 0 0 2 2 1",
            ". 1 3 . . . . 0 . 1 0 0 2 2 .",
            "2 . . 0 0 0 1 . 2 . . . . 3 1",
        ]);
        assert_ac1(
            &five,
            0.4966220548726144,
            0.12197336800529655,
            (0.23501519889446187, 0.7582289108507669),
        );
    }

    #[test]
    fn ac1_and_alpha_match_the_references_on_generated_data() {
        // 3 coders × 40 units, 4 categories, 15 % missing, each coder right 75 % of the time
        // (numpy's default_rng(16)); irrCAC 0.4.4 `gwet()` and krippendorff 0.9.0 `alpha()`.
        let units = units_of(&[
            "2 2 . 3 3 . 2 1 1 2 1 0 1 3 . 3 2 0 0 3 0 0 3 . 3 0 . . 1 . 1 . 1 . 0 0 3 1 3 2",
            "2 2 3 1 3 0 2 1 0 2 2 0 1 3 1 . 1 1 0 3 0 0 . 2 2 2 0 2 1 3 . 3 1 2 0 0 . 1 3 1",
            "0 2 3 1 . 0 . 1 0 . 1 0 1 . 0 3 . 0 0 . 0 . 3 . 2 0 3 . 1 3 1 3 2 1 0 0 . 1 3 .",
        ]);
        assert_ac1(
            &units,
            0.6279319425511581,
            0.09182148252183937,
            (0.4422054643522244, 0.8136584207500919),
        );
        assert!(close(alpha_nominal(&units), 0.6271820448877805, 1e-12));
        let interval = alpha(&units, |a: &String, b: &String| {
            let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
            (a - b).powi(2)
        });
        assert!(close(interval, 0.7553191489361701, 1e-12), "{interval:?}");
    }

    #[test]
    fn ac1_is_undefined_without_two_categories() {
        let same = units_of(&["a a", "a a"]);
        assert_eq!(gwet_ac1(&same), None);
    }

    #[test]
    fn t_quantiles_match_mpmath() {
        // The root of `1 − betainc(df/2, 1/2, 0, df/(df + x²), regularized=True)/2 = p` with
        // mpmath at 30 digits. SciPy 1.12's `t.ppf`, which irrCAC calls, is off by up to 4·10⁻⁹
        // relative (2.022690911734728 for df = 39): the intervals below differ from irrCAC's
        // by that much.
        for (p, df, t) in [
            (0.975, 1.0, 12.706204736174693),
            (0.975, 2.0, 4.302652729749462),
            (0.975, 10.0, 2.228138851986274),
            (0.975, 11.0, 2.200985160091639),
            (0.975, 39.0, 2.022690920036761),
            (0.975, 99999.0, 1.9599877077718444),
        ] {
            let x = student_t_quantile(p, df);
            // ln Γ of large arguments loses digits: 10⁻¹¹ at 10⁵ degrees of freedom.
            assert!((x - t).abs() < 2e-11 * t, "{p} {df}: {x} ≠ {t}");
            assert!((student_t_quantile(1.0 - p, df) + t).abs() < 2e-11 * t);
        }
        assert_eq!(student_t_quantile(0.5, 3.0), 0.0);
    }

    #[test]
    fn coincidences_match_the_krippendorff_package() {
        // `krippendorff.krippendorff._coincidences` (0.9.0) on the 2011 example, values 1–5.
        let units = krippendorff_2011();
        let (labels, o) = coincidence_matrix(&units);
        assert_eq!(labels, [1, 2, 3, 4, 5]);
        let third = 1.0 / 3.0;
        let expected = [
            [7.0, 4.0 * third, third, third, 0.0],
            [4.0 * third, 10.0, 4.0 * third, third, 0.0],
            [third, 4.0 * third, 8.0, third, 0.0],
            [third, third, third, 4.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 3.0],
        ];
        for (row, want) in o.iter().zip(expected) {
            for (x, y) in row.iter().zip(want) {
                assert!((x - y).abs() < 1e-12, "{o:?}");
            }
        }
        let per = per_category_agreement(&o);
        assert!((per[0].unwrap() - 7.0 / 9.0).abs() < 1e-12);
        assert_eq!(per[4], Some(1.0));
        // The nominal alpha from the matrix: 1 − (n − 1)·(n − Σ o_cc)/(n² − Σ n_c²).
        let n_c: Vec<f64> = o.iter().map(|r| r.iter().sum()).collect();
        let n: f64 = n_c.iter().sum();
        let diagonal: f64 = (0..5).map(|c| o[c][c]).sum();
        let from_matrix =
            1.0 - (n - 1.0) * (n - diagonal) / (n * n - n_c.iter().map(|x| x * x).sum::<f64>());
        assert!((from_matrix - alpha_nominal(&units).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn a_set_splits_its_weight_among_its_labels() {
        // Two coders: {0, 1} and {0}. Each coder's value weighs 1 in all.
        let both = [(0, 0.5), (1, 0.5)];
        let zero = [(0, 1.0)];
        let mut o = vec![vec![0.0; 2]; 2];
        add_coincidences(&mut o, &[(&both, 1), (&zero, 1)]);
        assert_eq!(o, vec![vec![1.0, 0.5], vec![0.5, 0.0]]);
        let total: f64 = o.iter().flatten().sum();
        assert_eq!(total, 2.0, "n pairable values");
    }
}
