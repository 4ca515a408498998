//! One field's items kept compactly for the figures that need them all at the end: the
//! bootstrap of alpha (articles resampled), Gwet's AC1 and its variance (two passes over the
//! items), the coincidence matrix, and interval alpha on dates. Pure: no files.
//!
//! An item is its article's number and a tally of value numbers (one number per distinct
//! value; values are 64-bit digests, never texts), with its share of the observed
//! disagreement: about 30 bytes per item, 36 MB for 100 000 articles × 12 fields.

use indexmap::IndexMap;
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::metrics::{self, Ac1, SplitMix64};

/// The alpha thresholds whose bootstrap probability `agree` reports: Krippendorff's 0.667
/// (tentative conclusions) and 0.8 (reliable).
pub const ALPHA_THRESHOLDS: [f64; 2] = [0.667, 0.8];

/// Above this many distinct set values, the bootstrap holds a set field's expected
/// disagreement at its value on all articles: recomputing it costs the square of the values
/// per sample.
pub const EXACT_SETS: usize = 300;

/// The distinct values of a field, numbered in order of first appearance.
enum Values {
    /// Digests of scalar values, with the day number of those that are dates.
    Scalar {
        ids: FxHashMap<u64, u32>,
        digests: Vec<u64>,
        days: Vec<Option<i32>>,
    },
    /// Sets, as their items' sorted digests.
    Set(IndexMap<Box<[u64]>, (), FxBuildHasher>),
}

/// One field's items (units with at least two values).
pub struct FieldUnits {
    values: Values,
    /// Per item: its article's number.
    article: Vec<u32>,
    /// Per item: where its tally starts in `entries`; one more at the end.
    start: Vec<u32>,
    /// The tallies: value number, and how many analysts gave it.
    entries: Vec<(u32, u32)>,
    /// Per item: `Σ_{c≠k} n_c·n_k·δ(c,k) / (m − 1)` (ordered pairs), nominal or MASI.
    observed: Vec<f64>,
}

/// A bootstrap's outcome for one field.
#[derive(Clone, Debug, PartialEq)]
pub struct AlphaInterval {
    /// The 2.5 % and 97.5 % percentiles of the samples' alpha.
    pub ci95: (f64, f64),
    /// For each of [`ALPHA_THRESHOLDS`], the share of samples whose alpha is below it.
    pub p_below: [f64; 2],
    /// The samples where alpha was defined (a sample with no variation has none).
    pub defined: usize,
}

impl FieldUnits {
    /// Units of a scalar field.
    pub fn scalar() -> FieldUnits {
        FieldUnits::with(Values::Scalar {
            ids: FxHashMap::default(),
            digests: Vec::new(),
            days: Vec::new(),
        })
    }

    /// Units of a set field (MASI distance).
    pub fn set() -> FieldUnits {
        FieldUnits::with(Values::Set(IndexMap::default()))
    }

    fn with(values: Values) -> FieldUnits {
        FieldUnits {
            values,
            article: Vec::new(),
            start: vec![0],
            entries: Vec::new(),
            observed: Vec::new(),
        }
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.article.len()
    }

    /// How many distinct values.
    pub fn distinct(&self) -> usize {
        match &self.values {
            Values::Scalar { digests, .. } => digests.len(),
            Values::Set(sets) => sets.len(),
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.article.is_empty()
    }

    fn push(&mut self, article: u32, entries: impl IntoIterator<Item = (u32, u32)>, observed: f64) {
        self.article.push(article);
        self.entries.extend(entries);
        self.start.push(self.entries.len() as u32);
        self.observed.push(observed);
    }

    fn item(&self, i: usize) -> &[(u32, u32)] {
        &self.entries[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// Adds an item of a scalar field: each distinct value's digest, its day number if it is
    /// a date, and how many analysts gave it. Fewer than two values: not an item.
    pub fn add_scalar(&mut self, article: u32, tally: &[(u64, Option<i32>, u64)]) {
        let Values::Scalar { ids, digests, days } = &mut self.values else {
            unreachable!("add_scalar on a set field");
        };
        let m: u64 = tally.iter().map(|t| t.2).sum();
        if m < 2 {
            return;
        }
        let same: u64 = tally.iter().map(|t| t.2 * t.2).sum();
        let observed = (m * m - same) as f64 / (m - 1) as f64;
        let entries: Vec<(u32, u32)> = tally
            .iter()
            .map(|&(digest, day, count)| {
                let next = digests.len() as u32;
                let id = *ids.entry(digest).or_insert_with(|| {
                    digests.push(digest);
                    days.push(day);
                    next
                });
                (id, count as u32)
            })
            .collect();
        self.push(article, entries, observed);
    }

    /// Adds an item of a set field: each distinct set (sorted item digests) with how many
    /// analysts gave it.
    pub fn add_set(&mut self, article: u32, tally: &[(Box<[u64]>, u64)]) {
        let Values::Set(sets) = &mut self.values else {
            unreachable!("add_set on a scalar field");
        };
        let m: u64 = tally.iter().map(|t| t.1).sum();
        if m < 2 {
            return;
        }
        let mut sum = 0.0;
        for (i, (a, na)) in tally.iter().enumerate() {
            for (b, nb) in &tally[i + 1..] {
                sum += 2.0 * (na * nb) as f64 * metrics::masi(a, b);
            }
        }
        let entries: Vec<(u32, u32)> = tally
            .iter()
            .map(|(set, count)| {
                let id = match sets.get_index_of(set) {
                    Some(id) => id,
                    None => sets.insert_full(set.clone(), ()).0,
                };
                (id as u32, *count as u32)
            })
            .collect();
        self.push(article, entries, sum / (m - 1) as f64);
    }

    /// What the bootstrap needs besides the items, worked out once. `expected_disagreement`
    /// is the field's `D_e` on all articles (used for set fields with more than
    /// [`EXACT_SETS`] distinct values).
    pub fn prepare(&self, expected_disagreement: Option<f64>) -> Prepared {
        match &self.values {
            Values::Scalar { digests, .. } => {
                // A value of a single item adds w²·n² to Σ n_c² in a sample: only values that
                // several items share need a running total.
                let mut items = vec![0u32; digests.len()];
                for &(v, _) in &self.entries {
                    items[v as usize] = items[v as usize].saturating_add(1);
                }
                let mut shared = vec![u32::MAX; digests.len()];
                let mut count = 0;
                for (v, &n) in items.iter().enumerate() {
                    if n > 1 {
                        shared[v] = count;
                        count += 1;
                    }
                }
                Prepared::Nominal {
                    shared,
                    count: count as usize,
                }
            }
            Values::Set(sets) if sets.len() <= EXACT_SETS => {
                let keys: Vec<&Box<[u64]>> = sets.keys().collect();
                let v = keys.len();
                let mut distance = vec![0.0; v * v];
                for i in 0..v {
                    for j in 0..v {
                        distance[i * v + j] = metrics::masi(keys[i], keys[j]);
                    }
                }
                Prepared::SetExact { distance, v }
            }
            Values::Set(_) => Prepared::SetFixed {
                expected: expected_disagreement,
            },
        }
    }

    /// Alpha on a sample of articles: article `a` counted `weights[a]` times. `None` when
    /// the sample has no variation.
    pub fn weighted_alpha(
        &self,
        prepared: &Prepared,
        weights: &[u32],
        totals: &mut Vec<u64>,
    ) -> Option<f64> {
        let mut n = 0u64;
        let mut observed = 0.0;
        match prepared {
            Prepared::Nominal { shared, count } => {
                totals.clear();
                totals.resize(*count, 0);
                let mut private = 0u128;
                for i in 0..self.len() {
                    let w = u64::from(weights[self.article[i] as usize]);
                    if w == 0 {
                        continue;
                    }
                    observed += w as f64 * self.observed[i];
                    for &(v, c) in self.item(i) {
                        let c = u64::from(c);
                        n += w * c;
                        match shared[v as usize] {
                            u32::MAX => private += u128::from(w * c) * u128::from(w * c),
                            s => totals[s as usize] += w * c,
                        }
                    }
                }
                let same = private
                    + totals
                        .iter()
                        .map(|&t| u128::from(t) * u128::from(t))
                        .sum::<u128>();
                let expected = u128::from(n) * u128::from(n) - same;
                if expected == 0 {
                    return None;
                }
                Some(1.0 - (n - 1) as f64 * observed / expected as f64)
            }
            Prepared::SetExact { distance, v } => {
                totals.clear();
                totals.resize(*v, 0);
                for i in 0..self.len() {
                    let w = u64::from(weights[self.article[i] as usize]);
                    if w == 0 {
                        continue;
                    }
                    observed += w as f64 * self.observed[i];
                    for &(s, c) in self.item(i) {
                        n += w * u64::from(c);
                        totals[s as usize] += w * u64::from(c);
                    }
                }
                let mut expected = 0.0;
                for a in 0..*v {
                    if totals[a] == 0 {
                        continue;
                    }
                    let row = &distance[a * v..(a + 1) * v];
                    let sum: f64 = (a + 1..*v).map(|b| totals[b] as f64 * row[b]).sum();
                    expected += 2.0 * totals[a] as f64 * sum;
                }
                if expected <= 0.0 {
                    return None;
                }
                Some(1.0 - (n - 1) as f64 * observed / expected)
            }
            Prepared::SetFixed { expected } => {
                let expected = (*expected)?;
                for i in 0..self.len() {
                    let w = u64::from(weights[self.article[i] as usize]);
                    if w == 0 {
                        continue;
                    }
                    observed += w as f64 * self.observed[i];
                    n += w * self.item(i).iter().map(|&(_, c)| u64::from(c)).sum::<u64>();
                }
                (n > 0).then(|| 1.0 - observed / n as f64 / expected)
            }
        }
    }

    /// Gwet's AC1 with each distinct value a category (a scalar field).
    pub fn ac1(&self) -> Option<Ac1> {
        let Values::Scalar { digests, .. } = &self.values else {
            return None;
        };
        metrics::gwet_ac1_of(digests.len(), |f| {
            let mut unit = Vec::new();
            for i in 0..self.len() {
                unit.clear();
                unit.extend(
                    self.item(i)
                        .iter()
                        .map(|&(v, c)| (v as usize, u64::from(c))),
                );
                f(&unit);
            }
        })
    }

    /// Gwet's AC1 of one item of a set field as a yes/no judgement: did the analyst include
    /// `item` (a digest of one of the set's items)?
    pub fn ac1_of_item(&self, item: u64) -> Option<Ac1> {
        let Values::Set(sets) = &self.values else {
            return None;
        };
        let has: Vec<bool> = sets
            .keys()
            .map(|s| s.binary_search(&item).is_ok())
            .collect();
        let yes_no = |i: usize| {
            let (mut yes, mut no) = (0u64, 0u64);
            for &(s, c) in self.item(i) {
                if has[s as usize] {
                    yes += u64::from(c);
                } else {
                    no += u64::from(c);
                }
            }
            (yes, no)
        };
        let (mut any_yes, mut any_no) = (false, false);
        for i in 0..self.len() {
            let (yes, no) = yes_no(i);
            any_yes |= yes > 0;
            any_no |= no > 0;
        }
        if !(any_yes && any_no) {
            // One category only: irrCAC divides by a stand-in for zero.
            return None;
        }
        metrics::gwet_ac1_of(2, |f| {
            for i in 0..self.len() {
                let (yes, no) = yes_no(i);
                let unit: Vec<(usize, u64)> = [(0, yes), (1, no)]
                    .into_iter()
                    .filter(|&(_, c)| c > 0)
                    .collect();
                f(&unit);
            }
        })
    }

    /// Krippendorff's coincidence matrix over `k` labels. A scalar value is the label
    /// `label(digest)`; a set splits its weight evenly among the labels `label(item digest)`
    /// of its items, and the empty set is the label `empty`.
    pub fn coincidences(
        &self,
        k: usize,
        label: impl Fn(u64) -> usize,
        empty: usize,
    ) -> Vec<Vec<f64>> {
        let weights: Vec<Vec<(usize, f64)>> = match &self.values {
            Values::Scalar { digests, .. } => {
                digests.iter().map(|&d| vec![(label(d), 1.0)]).collect()
            }
            Values::Set(sets) => sets
                .keys()
                .map(|s| {
                    if s.is_empty() {
                        return vec![(empty, 1.0)];
                    }
                    let share = 1.0 / s.len() as f64;
                    let mut w: Vec<(usize, f64)> = Vec::with_capacity(s.len());
                    for &d in s.iter() {
                        let l = label(d);
                        match w.iter_mut().find(|(x, _)| *x == l) {
                            Some((_, x)) => *x += share,
                            None => w.push((l, share)),
                        }
                    }
                    w
                })
                .collect(),
        };
        let mut o = vec![vec![0.0; k]; k];
        let mut unit: Vec<(&[(usize, f64)], u64)> = Vec::new();
        for i in 0..self.len() {
            unit.clear();
            unit.extend(
                self.item(i)
                    .iter()
                    .map(|&(v, c)| (weights[v as usize].as_slice(), u64::from(c))),
            );
            metrics::add_coincidences(&mut o, &unit);
        }
        o
    }

    /// Krippendorff's interval alpha on the values that are dates, their difference in days
    /// (`δ = (c − k)²`); other values (none) are left out. `None` without two dates in an item
    /// or without variation.
    pub fn interval_alpha(&self) -> Option<f64> {
        let Values::Scalar { days, .. } = &self.values else {
            return None;
        };
        // Days relative to the first date: the sums below lose no digits to a large origin.
        let origin = f64::from(days.iter().flatten().next().copied()?);
        let x = |v: u32| days[v as usize].map(|d| f64::from(d) - origin);
        let (mut n, mut s1, mut s2, mut observed) = (0.0, 0.0, 0.0, 0.0);
        let mut dates: Vec<(f64, f64)> = Vec::new();
        for i in 0..self.len() {
            dates.clear();
            dates.extend(
                self.item(i)
                    .iter()
                    .filter_map(|&(v, c)| Some((x(v)?, f64::from(c)))),
            );
            let m: f64 = dates.iter().map(|d| d.1).sum();
            if m < 2.0 {
                continue;
            }
            let mut sum = 0.0;
            for (a, (xa, na)) in dates.iter().enumerate() {
                for (xb, nb) in &dates[a + 1..] {
                    sum += 2.0 * na * nb * (xa - xb) * (xa - xb);
                }
                n += na;
                s1 += na * xa;
                s2 += na * xa * xa;
            }
            observed += sum / (m - 1.0);
        }
        // Σ_{c≠k} n_c·n_k·(x_c − x_k)² = 2(n·Σ n_c·x_c² − (Σ n_c·x_c)²).
        let expected = 2.0 * (n * s2 - s1 * s1);
        if n < 2.0 || expected <= 0.0 {
            return None;
        }
        Some(1.0 - (n - 1.0) * observed / expected)
    }
}

/// What [`FieldUnits::weighted_alpha`] needs beyond the items.
pub enum Prepared {
    /// Nominal distance: each value's number among the values several items share
    /// (`u32::MAX` for the others), and how many those are.
    Nominal { shared: Vec<u32>, count: usize },
    /// MASI on few distinct sets: the distances of every pair, `v × v`.
    SetExact { distance: Vec<f64>, v: usize },
    /// MASI on many: the expected disagreement on all articles, held.
    SetFixed { expected: Option<f64> },
}

/// The percentile bootstrap of alpha for several fields at once, resampling articles.
///
/// Each of `samples` samples draws `articles` articles with replacement (the same articles for
/// every field), and computes each field's alpha on the items of the drawn articles, an
/// article drawn twice counting twice (Hayes & Krippendorff 2007 resample units; the expected
/// disagreement is recomputed on each sample, except for set fields with more than
/// [`EXACT_SETS`] distinct values, where it is held at its value on all articles, as Hayes &
/// Krippendorff hold it for every field). Sample `b` draws from its own generator, seeded
/// from `seed` and `b`: the result does not depend on the number of threads.
///
/// The interval is the 2.5 % and 97.5 % percentiles of the samples' alpha (linear
/// interpolation between order statistics, as numpy's default); samples where alpha is
/// undefined are left out. `None` for a field when no sample has alpha defined.
pub fn bootstrap(
    fields: &[(&FieldUnits, &Prepared)],
    articles: usize,
    samples: usize,
    seed: u64,
) -> Vec<Option<AlphaInterval>> {
    if articles == 0 || samples == 0 {
        return vec![None; fields.len()];
    }
    let alphas: Vec<Vec<Option<f64>>> = (0..samples)
        .into_par_iter()
        .map_init(
            || (vec![0u32; articles], Vec::new()),
            |(weights, totals), b| {
                draw(weights, seed, b as u64);
                fields
                    .iter()
                    .map(|(units, prepared)| units.weighted_alpha(prepared, weights, totals))
                    .collect()
            },
        )
        .collect();
    (0..fields.len())
        .map(|f| {
            let mut defined: Vec<f64> = alphas.iter().filter_map(|s| s[f]).collect();
            if defined.is_empty() {
                return None;
            }
            defined.sort_by(f64::total_cmp);
            let below = |t: f64| defined.partition_point(|&a| a < t) as f64 / defined.len() as f64;
            Some(AlphaInterval {
                ci95: (percentile(&defined, 0.025), percentile(&defined, 0.975)),
                p_below: ALPHA_THRESHOLDS.map(below),
                defined: defined.len(),
            })
        })
        .collect()
}

/// Sample `b`'s weights: how many times each article is drawn, `weights.len()` draws.
fn draw(weights: &mut [u32], seed: u64, b: u64) {
    weights.fill(0);
    // Each sample's generator starts at a scrambled point: SplitMix64 streams from nearby
    // seeds would be shifted copies of each other.
    let mut rng = SplitMix64(seed ^ SplitMix64(b).next_u64());
    let n = weights.len() as u64;
    for _ in 0..n {
        weights[rng.below(n) as usize] += 1;
    }
}

/// The `p` quantile of sorted values, interpolating linearly between order statistics.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units of a scalar field from rows of coders (values separated by spaces, `.` missing),
    /// one article per unit.
    fn scalar_units(rows: &[&str]) -> (FieldUnits, Vec<Vec<Option<u64>>>) {
        let coders: Vec<Vec<Option<u64>>> = rows
            .iter()
            .map(|r| r.split(' ').map(|v| v.parse().ok()).collect())
            .collect();
        let table: Vec<Vec<Option<u64>>> = (0..coders[0].len())
            .map(|u| coders.iter().map(|c| c[u]).collect())
            .collect();
        let mut units = FieldUnits::scalar();
        for (a, row) in table.iter().enumerate() {
            let t: Vec<(u64, Option<i32>, u64)> = metrics::tally(row)
                .into_iter()
                .map(|(v, c)| (*v, Some(*v as i32), c))
                .collect();
            units.add_scalar(a as u32, &t);
        }
        (units, table)
    }

    const KRIPPENDORFF_2011: [&str; 4] = [
        "1 2 3 3 2 1 4 1 2 . . .",
        "1 2 3 3 2 2 4 1 2 5 . 3",
        ". 3 3 3 2 3 4 2 2 5 1 .",
        "1 2 3 3 2 4 4 1 2 5 1 .",
    ];

    #[test]
    fn unit_weights_give_back_alpha() {
        let (units, table) = scalar_units(&KRIPPENDORFF_2011);
        let prepared = units.prepare(None);
        let alpha = units.weighted_alpha(&prepared, &[1; 12], &mut Vec::new());
        let expected = metrics::alpha_nominal(&table).unwrap();
        assert!((alpha.unwrap() - expected).abs() < 1e-12);
        // Doubling every article changes the sample, not the estimate much; and an article
        // drawn twice is two items.
        let mut doubled = FieldUnits::scalar();
        let mut twice = table.clone();
        twice.extend(table.clone());
        for (a, row) in twice.iter().enumerate() {
            let t: Vec<(u64, Option<i32>, u64)> = metrics::tally(row)
                .into_iter()
                .map(|(v, c)| (*v, None, c))
                .collect();
            doubled.add_scalar(a as u32, &t);
        }
        let direct = metrics::alpha_nominal(&twice).unwrap();
        let weighted = units.weighted_alpha(&prepared, &[2; 12], &mut Vec::new());
        assert!((weighted.unwrap() - direct).abs() < 1e-12);
    }

    #[test]
    fn interval_alpha_matches_krippendorff_2011() {
        // Krippendorff's interval alpha of the example: 0.849 (krippendorff 0.9.0:
        // 0.8491071428571428).
        let (units, _) = scalar_units(&KRIPPENDORFF_2011);
        let a = units.interval_alpha().unwrap();
        assert!((a - 0.8491071428571428).abs() < 1e-12, "{a}");
    }

    #[test]
    fn ac1_from_units_matches_irrcac() {
        // The same as on the table without its units of one value (`agree` keeps only units of
        // two or more); `gwet_ac1` itself is checked against irrCAC in `metrics`.
        let (units, table) = scalar_units(&KRIPPENDORFF_2011);
        let pairable: Vec<Vec<Option<u64>>> = table
            .into_iter()
            .filter(|r| r.iter().flatten().count() >= 2)
            .collect();
        let from_table = metrics::gwet_ac1(&pairable).unwrap();
        assert_eq!(units.ac1(), Some(from_table));
    }

    #[test]
    fn set_items_as_yes_no_and_their_coincidences() {
        // Three analysts on two articles: {a, b} {a} {a}; {} {b} {}.
        let (a, b) = (1u64, 2u64);
        let mut units = FieldUnits::set();
        let set = |items: &[u64]| items.to_vec().into_boxed_slice();
        units.add_set(0, &[(set(&[a, b]), 1), (set(&[a]), 2)]);
        units.add_set(1, &[(set(&[]), 2), (set(&[b]), 1)]);
        // Item a: yes yes yes, no no no → full agreement, but one category per unit.
        // Item b: yes no no, no yes no.
        let ac1_a = units.ac1_of_item(a).unwrap();
        assert!((ac1_a.value - 1.0).abs() < 1e-12, "{ac1_a:?}");
        let b_units = vec![
            vec![Some(1), Some(0), Some(0)],
            vec![Some(0), Some(1), Some(0)],
        ];
        assert_eq!(units.ac1_of_item(b), metrics::gwet_ac1(&b_units));
        assert_eq!(units.ac1_of_item(99), None, "nobody chose it");
        // Labels: a = 0, b = 1, none = 2.
        let o = units.coincidences(3, |d| if d == a { 0 } else { 1 }, 2);
        let total: f64 = o.iter().flatten().sum();
        assert!((total - 6.0).abs() < 1e-12, "six pairable values: {o:?}");
        assert!((o[2][2] - 1.0).abs() < 1e-12, "{o:?}");
    }

    #[test]
    fn the_bootstrap_is_reproducible_and_its_interval_holds_alpha() {
        // 400 articles, 3 analysts, 4 categories, each analyst right 80 % of the time.
        let mut rng = SplitMix64(5);
        let rows: Vec<Vec<Option<u64>>> = (0..400)
            .map(|_| {
                let truth = rng.below(4);
                (0..3)
                    .map(|_| {
                        Some(if rng.below(10) < 8 {
                            truth
                        } else {
                            rng.below(4)
                        })
                    })
                    .collect()
            })
            .collect();
        let build = |rows: &[Vec<Option<u64>>]| {
            let mut u = FieldUnits::scalar();
            for (a, row) in rows.iter().enumerate() {
                let t: Vec<(u64, Option<i32>, u64)> = metrics::tally(row)
                    .into_iter()
                    .map(|(v, c)| (*v, None, c))
                    .collect();
                u.add_scalar(a as u32, &t);
            }
            u
        };
        let all = build(&rows);
        let few = build(&rows[..50]);
        let alpha = metrics::alpha_nominal(&rows).unwrap();
        let (pa, pf) = (all.prepare(None), few.prepare(None));
        let wide = bootstrap(&[(&few, &pf)], 50, 500, 1)[0].clone().unwrap();
        let narrow = bootstrap(&[(&all, &pa)], 400, 500, 1)[0].clone().unwrap();
        assert!(
            narrow.ci95.0 < alpha && alpha < narrow.ci95.1,
            "{narrow:?} {alpha}"
        );
        assert!(
            narrow.ci95.1 - narrow.ci95.0 < wide.ci95.1 - wide.ci95.0,
            "{narrow:?} {wide:?}"
        );
        for p in narrow.p_below.iter().chain(&wide.p_below) {
            assert!((0.0..=1.0).contains(p));
        }
        assert!(narrow.p_below[0] <= narrow.p_below[1]);
        assert_eq!(narrow.defined, 500);
        let again = bootstrap(&[(&all, &pa)], 400, 500, 1)[0].clone().unwrap();
        assert_eq!(again, narrow);
        let other = bootstrap(&[(&all, &pa)], 400, 500, 2)[0].clone().unwrap();
        assert_ne!(other, narrow);
        // The same in a pool of one thread.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| bootstrap(&[(&all, &pa)], 400, 500, 1));
        assert_eq!(one[0].as_ref(), Some(&narrow));
    }

    #[test]
    // `Alpha<Box<[u64]>>` hands its keys by reference.
    #[allow(clippy::borrowed_box)]
    fn set_samples_recompute_the_expected_disagreement() {
        let set = |items: &[u64]| items.to_vec().into_boxed_slice();
        let mut units = FieldUnits::set();
        let mut table: Vec<Vec<Option<Box<[u64]>>>> = Vec::new();
        let mut rng = SplitMix64(3);
        for a in 0..60u32 {
            let base: Vec<u64> = (0..1 + rng.below(3)).map(|_| rng.below(5)).collect();
            let row: Vec<Option<Box<[u64]>>> = (0..3)
                .map(|_| {
                    let mut s = base.clone();
                    if rng.below(4) == 0 {
                        s.push(rng.below(5));
                    }
                    s.sort_unstable();
                    s.dedup();
                    Some(set(&s))
                })
                .collect();
            let t: Vec<(Box<[u64]>, u64)> = metrics::tally(&row)
                .into_iter()
                .map(|(v, c)| (v.clone(), c))
                .collect();
            units.add_set(a, &t);
            table.push(row);
        }
        let direct =
            metrics::alpha(&table, |a: &Box<[u64]>, b: &Box<[u64]>| metrics::masi(a, b)).unwrap();
        let prepared = units.prepare(None);
        assert!(matches!(prepared, Prepared::SetExact { .. }));
        let weighted = units
            .weighted_alpha(&prepared, &[1; 60], &mut Vec::new())
            .unwrap();
        assert!((weighted - direct).abs() < 1e-12, "{weighted} {direct}");
        // Held expected disagreement: the same on all articles.
        let mut acc = metrics::Alpha::default();
        for row in &table {
            acc.add(
                metrics::tally(row)
                    .into_iter()
                    .map(|(v, c)| (v.clone(), c))
                    .collect(),
                &|a: &Box<[u64]>, b: &Box<[u64]>| metrics::masi(a, b),
            );
        }
        let d_e = acc.expected_disagreement(&|a: &Box<[u64]>, b: &Box<[u64]>| metrics::masi(a, b));
        let fixed = Prepared::SetFixed { expected: d_e };
        let held = units
            .weighted_alpha(&fixed, &[1; 60], &mut Vec::new())
            .unwrap();
        assert!((held - direct).abs() < 1e-12, "{held} {direct}");
    }
}
