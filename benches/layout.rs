//! Layout benchmarks: how fast `src/text/` turns Arabic articles into terminal rows.
//!
//! Run with `cargo bench --bench layout`; results and how to read them are in BENCHMARKS.md.
//!
//! - `stream/*`: throughput of the streaming path `tadqiq render` uses (a `Layouter` fed one
//!   paragraph at a time, rows dropped after each), on 1 MiB and 10 MiB of Arabic news built
//!   by repeating `samples/*.txt`, at width 80, shaping on and off. Output I/O is left out;
//!   `benches/render_vs_fribidi.sh` measures the whole process.
//! - `review_screen/*`: `Layout::new` of one typical sample at widths 40 and 80, what the
//!   review screen does when an article is opened or the terminal resized.
//! - `layout_new/50KiB`: `Layout::new` (every row kept) of a ~50 KiB article.
//!
//! Every input is built the same way as `benches/render_vs_fribidi.sh` builds its file: the
//! samples in name order, each followed by a newline, cycled until the size is reached.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use tadqiq::text::layout::{Layouter, paragraphs};
use tadqiq::text::{Layout, LayoutOptions, Row, bidi};

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;

/// The sample articles, in name order.
fn samples() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("samples/ is readable")
        .map(|e| e.expect("samples/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no samples in {}", dir.display());
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("sample is UTF-8");
            (p, text)
        })
        .collect()
}

/// The samples, each followed by a newline, cycled until at least `bytes` long (whole samples
/// only, so every paragraph is a real one).
fn corpus(samples: &[(PathBuf, String)], bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 8 * KIB);
    for (_, sample) in samples.iter().cycle() {
        if text.len() >= bytes {
            break;
        }
        text.push_str(sample);
        text.push('\n');
    }
    text
}

fn options(width: u16, shape: bool) -> LayoutOptions {
    LayoutOptions {
        shape,
        ..LayoutOptions::new(width)
    }
}

/// What `tadqiq render` does minus the output: one `Layouter`, one paragraph at a time, the
/// rows of a paragraph dropped before the next. Returns a checksum so nothing is optimised out.
fn stream(text: &str, options: LayoutOptions) -> usize {
    let mut layouter = Layouter::with_fallback(options, bidi::dominant_direction(text));
    let mut rows: Vec<Row> = Vec::new();
    let mut sum = 0usize;
    for p in paragraphs(text) {
        rows.clear();
        layouter.paragraph(p, &mut rows);
        for row in &rows {
            sum += row.indent as usize + row.text().len();
        }
    }
    sum
}

fn bench_stream(c: &mut Criterion) {
    let samples = samples();
    for (name, bytes) in [("1MiB", MIB), ("10MiB", 10 * MIB)] {
        let text = corpus(&samples, bytes);
        let mut group = c.benchmark_group(format!("stream/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        if bytes >= 10 * MIB {
            // Around a second an iteration before optimisation: few, flat samples keep
            // `cargo bench` to about a minute for this group.
            group
                .sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .measurement_time(Duration::from_secs(20));
        } else {
            group
                .sample_size(30)
                .measurement_time(Duration::from_secs(10));
        }
        for shape in [true, false] {
            let id = BenchmarkId::new("w80", if shape { "shape_on" } else { "shape_off" });
            group.bench_with_input(id, &text, |b, text| {
                b.iter(|| stream(black_box(text), options(80, shape)))
            });
        }
        group.finish();
    }
}

fn bench_review_screen(c: &mut Criterion) {
    let samples = samples();
    // The first sample: the one a bare `tadqiq` opens, 5.6 KiB in 36 paragraphs.
    let (path, text) = &samples[0];
    let mut group = c.benchmark_group("review_screen");
    group.throughput(Throughput::Bytes(text.len() as u64));
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("sample");
    for width in [40u16, 80] {
        let id = BenchmarkId::new(format!("w{width}"), stem);
        group.bench_with_input(id, text, |b, text| {
            b.iter(|| Layout::new(black_box(text), options(width, true)))
        });
    }
    group.finish();
}

fn bench_layout_new(c: &mut Criterion) {
    let text = corpus(&samples(), 50 * KIB);
    let mut group = c.benchmark_group("layout_new");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("50KiB_w80", |b| {
        b.iter(|| Layout::new(black_box(&text), options(80, true)))
    });
    group.finish();
}

criterion_group!(benches, bench_stream, bench_review_screen, bench_layout_new);
criterion_main!(benches);
