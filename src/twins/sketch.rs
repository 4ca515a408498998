//! The pure core of twin detection: a text's word shingles, their MinHash signature, LSH
//! banding to find candidate pairs without comparing every pair, the exact similarity of a
//! candidate, and the groups (connected components) of the pairs at or above a threshold.
//!
//! Nothing here reads a file; [`super`] feeds it the articles. Every hash is a fixed function
//! of its input (FNV-1a and the SplitMix64 finalizer, with constants written below), never
//! std's randomly seeded hasher, so a corpus gives the same groups on every run and machine.
//!
//! Why these choices:
//! - **words after Arabic folding** ([`crate::text::fold`]): two outlets copying one
//!   communiqué differ in hamza, harakat, tatweel and digits more often than in words;
//! - **shingles of [`SHINGLE_WORDS`] words**: single words make every article about the same
//!   officials look alike (the samples' 003 and 004); three-word runs keep the wording;
//! - **overlap coefficient**, |A ∩ B| / min(|A|, |B|), as the exact similarity: an outlet that
//!   reposts an article with paragraphs dropped keeps a subset of its shingles, which Jaccard
//!   (|A ∩ B| / |A ∪ B|) would punish and the overlap does not. A text of fewer than
//!   [`MIN_SHINGLES`] shingles is nobody's twin: a few words contained in a long article are
//!   not the same event;
//! - **MinHash with [`BANDS`] bands of [`ROWS`] rows** to find candidates: a pair whose
//!   Jaccard similarity is J shares a band with probability 1 − (1 − J^ROWS)^BANDS, 0.97 at
//!   J = 0.23 (the samples' twins), 0.9966 at J = 0.3, 0.77 at J = 0.15; a reposted article
//!   that keeps less than about a fifth of the other's shingles may be missed.

use crate::text::fold::fold_char;

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 3;
/// Hash functions in a signature.
pub const HASHES: usize = 128;
/// LSH bands.
pub const BANDS: usize = 64;
/// Signature rows per band.
pub const ROWS: usize = HASHES / BANDS;
/// A word longer than this (in folded chars) is hashed by its start: a 60 MB line without a
/// space costs one pass and no memory.
pub const MAX_WORD_CHARS: usize = 64;
/// Words read from one text; the rest is not: memory stays bounded whatever the article.
pub const MAX_WORDS: usize = 200_000;
/// A text with fewer shingles than this is nobody's twin.
pub const MIN_SHINGLES: usize = 20;
/// In a bucket shared by many articles (a template the body span did not cut off), each
/// article is compared with at most this many before it, so the work stays linear.
pub const BUCKET_WINDOW: usize = 16;

/// SplitMix64's finalizer: a fixed, well-mixing bijection of 64-bit words.
const fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The MinHash family: h_i(x) = (a_i · x + b_i) mod 2^64, top 32 bits, with odd a_i; the
/// constants come from SplitMix64 seeded with a fixed number.
const PERMUTATIONS: [(u64, u64); HASHES] = {
    let mut out = [(0u64, 0u64); HASHES];
    let mut state: u64 = 0x7461_6471_6971_7477; // "tadqiqtw"
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let a = mix64(state) | 1;
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let b = mix64(state);
        out[i] = (a, b);
        i += 1;
    }
    out
};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The shingles of `text`: hashes of every run of [`SHINGLE_WORDS`] consecutive words (a
/// word is a run of letters and digits after folding), sorted, without repeats. A text of
/// fewer words than a shingle gives one shingle of them all; a text without a word, none.
pub fn shingles(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut window = [0u64; SHINGLE_WORDS];
    let mut words = 0usize;
    let mut word: u64 = FNV_OFFSET;
    let mut word_chars = 0usize;
    let mut end_word = |word: &mut u64, word_chars: &mut usize, words: &mut usize| {
        if *word_chars == 0 {
            return;
        }
        window.rotate_left(1);
        window[SHINGLE_WORDS - 1] = mix64(*word);
        *words += 1;
        if *words >= SHINGLE_WORDS {
            out.push(shingle_hash(&window));
        }
        *word = FNV_OFFSET;
        *word_chars = 0;
    };
    for c in text.chars() {
        if words >= MAX_WORDS {
            break;
        }
        fold_char(c, &mut |d: char| {
            if d.is_alphanumeric() {
                if word_chars < MAX_WORD_CHARS {
                    word = (word ^ u64::from(u32::from(d))).wrapping_mul(FNV_PRIME);
                }
                word_chars += 1;
            } else {
                end_word(&mut word, &mut word_chars, &mut words);
            }
        });
    }
    end_word(&mut word, &mut word_chars, &mut words);
    if (1..SHINGLE_WORDS).contains(&words) {
        out.push(shingle_hash(&window[SHINGLE_WORDS - words..]));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// One shingle's hash: order-sensitive, so «قال الوزير إن» and «إن الوزير قال» differ.
fn shingle_hash(words: &[u64]) -> u64 {
    words.iter().fold(SHINGLE_WORDS as u64, |h, w| mix64(h ^ w))
}

/// A text's MinHash signature: for each hash function, the least hash of its shingles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature(pub [u32; HASHES]);

impl Signature {
    /// The signature of a shingle set; `None` when it is too small to be anyone's twin.
    pub fn of(shingles: &[u64]) -> Option<Signature> {
        if shingles.len() < MIN_SHINGLES {
            return None;
        }
        let mut mins = [u32::MAX; HASHES];
        for &s in shingles {
            for (m, (a, b)) in mins.iter_mut().zip(PERMUTATIONS.iter()) {
                let h = (a.wrapping_mul(s).wrapping_add(*b) >> 32) as u32;
                if h < *m {
                    *m = h;
                }
            }
        }
        Some(Signature(mins))
    }

    /// The share of hash functions on which two signatures agree: an estimate of the Jaccard
    /// similarity of their shingle sets.
    pub fn estimate_jaccard(&self, other: &Signature) -> f64 {
        let same = self
            .0
            .iter()
            .zip(other.0.iter())
            .filter(|(a, b)| a == b)
            .count();
        same as f64 / HASHES as f64
    }

    /// The key of each band: two signatures share a band's key when they agree on all its
    /// rows (up to a 64-bit hash collision, which only adds a candidate to check exactly).
    pub fn band_keys(&self) -> [u64; BANDS] {
        let mut keys = [0u64; BANDS];
        for (band, key) in keys.iter_mut().enumerate() {
            let rows = &self.0[band * ROWS..(band + 1) * ROWS];
            *key = rows
                .iter()
                .fold(mix64(band as u64), |h, r| mix64(h ^ u64::from(*r)));
        }
        keys
    }

    /// The signature as bytes (little-endian words), for the corpus index.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// A signature from [`Signature::to_bytes`]; `None` when the length is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        if bytes.len() != HASHES * 4 {
            return None;
        }
        let mut words = [0u32; HASHES];
        for (w, chunk) in words.iter_mut().zip(bytes.chunks_exact(4)) {
            *w = u32::from_le_bytes(chunk.try_into().ok()?);
        }
        Some(Signature(words))
    }
}

/// How many elements two sorted sets without repeats share.
fn common(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The overlap coefficient of two shingle sets (sorted, without repeats): |A ∩ B| divided by
/// the size of the smaller; 0 when either is smaller than [`MIN_SHINGLES`].
pub fn overlap(a: &[u64], b: &[u64]) -> f64 {
    if a.len() < MIN_SHINGLES || b.len() < MIN_SHINGLES {
        return 0.0;
    }
    common(a, b) as f64 / a.len().min(b.len()) as f64
}

/// The Jaccard similarity of two shingle sets (sorted, without repeats).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let n = common(a, b);
    let union = a.len() + b.len() - n;
    if union == 0 {
        0.0
    } else {
        n as f64 / union as f64
    }
}

/// A group of twins: texts linked by pairs at or above the threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The texts' positions, ascending.
    pub members: Vec<usize>,
    /// The lowest similarity among the pairs that linked the group (a spanning tree of it).
    pub similarity: f64,
    /// Those pairs, as (lower position, higher position, similarity), in the order found.
    pub links: Vec<(usize, usize, f64)>,
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

/// The groups of twins among texts with these signatures (`None`: nobody's twin).
///
/// Candidates are the pairs that share a band's key; each is measured by `similarity`
/// (positions, lower first; the exact measure, [`overlap`] of the shingle sets), once, and
/// only when the two are not already in one group: pairs at or above `threshold` join their
/// groups. Bands are taken in order and a band's buckets in key order, so the result depends
/// on the signatures alone. Groups come in the order of their first member.
pub fn group(
    signatures: &[Option<Signature>],
    threshold: f64,
    mut similarity: impl FnMut(usize, usize) -> f64,
) -> Vec<Group> {
    let n = signatures.len();
    let mut sets = UnionFind::new(n);
    let mut links: Vec<(usize, usize, f64)> = Vec::new();
    let mut measured: rustc_hash::FxHashSet<(u32, u32)> = Default::default();
    let keys: Vec<(u32, [u64; BANDS])> = signatures
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.as_ref().map(|s| (i as u32, s.band_keys())))
        .collect();
    let mut bucket: Vec<(u64, u32)> = Vec::with_capacity(keys.len());
    for band in 0..BANDS {
        bucket.clear();
        bucket.extend(keys.iter().map(|(i, k)| (k[band], *i)));
        bucket.sort_unstable();
        let mut start = 0;
        for p in 0..bucket.len() {
            if bucket[p].0 != bucket[start].0 {
                start = p;
            }
            let hi = bucket[p].1;
            let before = &bucket[start.max(p.saturating_sub(BUCKET_WINDOW))..p];
            for &(_, lo) in before {
                if sets.find(lo) == sets.find(hi) || !measured.insert((lo, hi)) {
                    continue;
                }
                let s = similarity(lo as usize, hi as usize);
                if s >= threshold {
                    sets.union(lo, hi);
                    links.push((lo as usize, hi as usize, s));
                }
            }
        }
    }
    let mut by_root: rustc_hash::FxHashMap<u32, usize> = Default::default();
    let mut groups: Vec<Group> = Vec::new();
    for i in 0..n as u32 {
        let root = sets.find(i);
        if sets.size[root as usize] < 2 {
            continue;
        }
        let g = *by_root.entry(root).or_insert_with(|| {
            groups.push(Group {
                members: Vec::new(),
                similarity: f64::INFINITY,
                links: Vec::new(),
            });
            groups.len() - 1
        });
        groups[g].members.push(i as usize);
    }
    for (lo, hi, s) in links {
        let g = by_root[&sets.find(lo as u32)];
        groups[g].similarity = groups[g].similarity.min(s);
        groups[g].links.push((lo, hi, s));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic text of `n` distinct made-up words, starting at word `from`.
    fn words(from: usize, n: usize) -> String {
        (from..from + n)
            .map(|i| format!("كلمة{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn folding_makes_spellings_one_shingle() {
        assert_eq!(
            shingles("الأمن الوطني والإقليمي"),
            shingles("الامن الوطنى والاقليمي")
        );
        assert_eq!(shingles("أَمْـــن ٢٠٢٣ عام"), shingles("امن 2023 عام"));
        // Punctuation and spacing are not words.
        assert_eq!(shingles("قال، الوزير: إن"), shingles("قال الوزير إن"));
        assert_ne!(shingles("قال الوزير إن"), shingles("إن الوزير قال"));
    }

    #[test]
    fn short_texts_have_few_shingles_and_no_signature() {
        assert!(shingles("").is_empty());
        assert!(shingles(" ،.! ").is_empty());
        assert_eq!(shingles("كلمة").len(), 1);
        assert_eq!(shingles("كلمتان اثنتان").len(), 1);
        assert_eq!(shingles(&words(0, 10)).len(), 8);
        assert!(Signature::of(&shingles(&words(0, 21))).is_none());
        assert!(Signature::of(&shingles(&words(0, 22))).is_some());
    }

    #[test]
    fn a_line_without_spaces_is_one_bounded_word() {
        let line = "ب".repeat(2_000_000);
        let s = shingles(&line);
        assert_eq!(s.len(), 1);
        // Only the word's start is hashed: a longer run of the same letter is the same word.
        assert_eq!(s, shingles(&"ب".repeat(3_000_000)));
    }

    #[test]
    fn words_past_the_limit_are_not_read() {
        let many = words(0, MAX_WORDS + 500);
        assert_eq!(shingles(&many).len(), MAX_WORDS - SHINGLE_WORDS + 1);
    }

    #[test]
    fn signatures_are_deterministic_and_round_trip() {
        let s = shingles(&words(0, 300));
        let a = Signature::of(&s).unwrap();
        assert_eq!(a, Signature::of(&s).unwrap());
        assert_eq!(Signature::from_bytes(&a.to_bytes()), Some(a));
        assert_eq!(Signature::from_bytes(&[0; 7]), None);
        // Fixed constants: the first hash of this set never changes between builds.
        assert_eq!(a.0[0], Signature::of(&s).unwrap().0[0]);
        assert_eq!(a.estimate_jaccard(&a), 1.0);
    }

    #[test]
    fn the_estimate_is_close_to_the_exact_jaccard() {
        // Sets of 400 words overlapping by 0 … 400 words: J from 0 to 1.
        for shared in [0, 50, 100, 200, 300, 350, 400] {
            let a = shingles(&words(0, 400));
            let b = shingles(&words(400 - shared, 400));
            let exact = jaccard(&a, &b);
            let est = Signature::of(&a)
                .unwrap()
                .estimate_jaccard(&Signature::of(&b).unwrap());
            // The estimate's standard deviation is at most 0.5/√128 ≈ 0.044.
            assert!(
                (est - exact).abs() < 0.15,
                "shared {shared}: exact {exact:.3}, estimate {est:.3}"
            );
        }
    }

    #[test]
    fn overlap_sees_a_shortened_copy_whole_and_jaccard_does_not() {
        let whole = shingles(&words(0, 300));
        let half = shingles(&words(0, 150));
        assert_eq!(overlap(&whole, &half), 1.0);
        assert!(jaccard(&whole, &half) < 0.51);
        assert_eq!(overlap(&whole, &shingles(&words(1000, 300))), 0.0);
        // Too short to be compared.
        assert_eq!(overlap(&whole, &shingles(&words(0, 10))), 0.0);
    }

    fn exact_groups(texts: &[String], threshold: f64) -> Vec<Group> {
        let sets: Vec<Vec<u64>> = texts.iter().map(|t| shingles(t)).collect();
        let sigs: Vec<Option<Signature>> = sets.iter().map(|s| Signature::of(s)).collect();
        group(&sigs, threshold, |i, j| overlap(&sets[i], &sets[j]))
    }

    #[test]
    fn groups_are_connected_components_of_pairs_above_the_threshold() {
        let texts = vec![
            words(0, 200),                                      // 0
            words(5000, 200),                                   // 1: alone
            format!("{} {}", words(0, 120), words(9000, 40)),   // 2: most of 0
            words(0, 200),                                      // 3: 0 again
            format!("{} {}", words(50, 150), words(7000, 100)), // 4: most of 0, then more
            words(20000, 5),                                    // 5: too short
        ];
        let groups = exact_groups(&texts, 0.6);
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0].members, [0, 2, 3, 4]);
        assert!(groups[0].similarity >= 0.6 && groups[0].similarity < 1.0);
        assert_eq!(groups[0].links.len(), 3);
        // A threshold above 2's and 4's overlap leaves 0 and 3.
        let strict = exact_groups(&texts, 0.999);
        assert_eq!(strict.len(), 1);
        assert_eq!(strict[0].members, [0, 3]);
        assert_eq!(strict[0].similarity, 1.0);
    }

    #[test]
    fn a_crowded_bucket_still_links_its_twins_in_linear_work() {
        // 2 000 copies of one text: every band is one bucket of 2 000.
        let texts: Vec<String> = (0..2000).map(|_| words(0, 60)).collect();
        let sets: Vec<Vec<u64>> = texts.iter().map(|t| shingles(t)).collect();
        let sigs: Vec<Option<Signature>> = sets.iter().map(|s| Signature::of(s)).collect();
        let mut calls = 0;
        let groups = group(&sigs, 0.5, |i, j| {
            calls += 1;
            overlap(&sets[i], &sets[j])
        });
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members.len(), 2000);
        assert!(calls <= 2000 * BUCKET_WINDOW, "{calls} comparisons");
        assert_eq!(calls, 1999);
    }

    #[test]
    fn grouping_is_deterministic() {
        let texts: Vec<String> = (0..50)
            .map(|i| format!("{} {}", words(i * 30, 100), words(100_000 + i, 30)))
            .collect();
        assert_eq!(exact_groups(&texts, 0.5), exact_groups(&texts, 0.5));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// A text of words drawn from a small vocabulary, so that texts share shingles.
        fn text() -> impl Strategy<Value = String> {
            prop::collection::vec(0u16..60, 0..400).prop_map(|ws| {
                ws.iter()
                    .map(|w| format!("ك{w}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            #[test]
            fn the_estimate_is_near_the_exact_jaccard(a in text(), b in text()) {
                let (sa, sb) = (shingles(&a), shingles(&b));
                if let (Some(x), Some(y)) = (Signature::of(&sa), Signature::of(&sb)) {
                    // Five standard deviations of a 128-hash estimate at worst (J = 0.5).
                    let (est, exact) = (x.estimate_jaccard(&y), jaccard(&sa, &sb));
                    prop_assert!((est - exact).abs() < 0.23, "estimate {est}, exact {exact}");
                    prop_assert_eq!(Signature::of(&sa), Some(x));
                }
            }

            #[test]
            fn overlap_is_symmetric_bounded_and_at_least_jaccard(a in text(), b in text()) {
                let (sa, sb) = (shingles(&a), shingles(&b));
                let o = overlap(&sa, &sb);
                prop_assert_eq!(o, overlap(&sb, &sa));
                prop_assert!((0.0..=1.0).contains(&o));
                if sa.len() >= MIN_SHINGLES && sb.len() >= MIN_SHINGLES {
                    prop_assert!(o >= jaccard(&sa, &sb));
                }
            }

            #[test]
            fn groups_are_disjoint_and_linked_above_the_threshold(
                texts in prop::collection::vec(text(), 0..12),
                threshold in 0.05f64..1.0,
            ) {
                let groups = exact_groups(&texts, threshold);
                let mut seen = std::collections::HashSet::new();
                for g in &groups {
                    prop_assert!(g.members.len() >= 2);
                    prop_assert_eq!(g.links.len(), g.members.len() - 1, "a spanning tree");
                    for m in &g.members {
                        prop_assert!(seen.insert(*m), "{} in two groups", m);
                    }
                    for (lo, hi, s) in &g.links {
                        prop_assert!(lo < hi && *s >= threshold);
                        prop_assert!(g.members.contains(lo) && g.members.contains(hi));
                    }
                    prop_assert!(g.links.iter().any(|l| l.2 == g.similarity));
                }
            }
        }
    }
}
