#!/usr/bin/env bash
# The whole `tadqiq render FILE --width 80` process against `fribidi --width 80 FILE` on the
# same 10 MiB of Arabic news: wall time (hyperfine if installed, else a loop with
# /usr/bin/time) and peak RSS (/usr/bin/time -v). Results go in BENCHMARKS.md.
#
# The input is built from samples/*.txt exactly as benches/layout.rs builds its corpus: the
# samples in name order, each followed by a newline, cycled until the file reaches the size.
#
# Not the same work: FriBidi reorders and shapes too, but breaks a line at the width wherever
# it falls, in the middle of a word; tadqiq wraps at UAX #14 opportunities, measures every
# grapheme cluster as a terminal draws it, and keeps harakat on their letter.
#
# Usage: benches/render_vs_fribidi.sh [--bin PATH] [--mib N] [--runs N] [--keep]
#   --bin PATH   the tadqiq binary to measure (default: build target/release/tadqiq)
#   --mib N      input size in MiB (default 10)
#   --runs N     timed runs of each command (default 10)
#   --keep       keep the generated file and outputs (in $TMPDIR) and print where they are
set -euo pipefail
cd "$(dirname "$0")/.."

bin=""
mib=10
runs=10
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) bin="$2"; shift 2 ;;
        --mib) mib="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

for tool in fribidi /usr/bin/time; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "missing $tool: apt-get install -y libfribidi-bin time" >&2
        exit 1
    fi
done

if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin="target/release/tadqiq"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/render_vs_fribidi.XXXXXX")"
if [ "$keep" -eq 0 ]; then
    trap 'rm -rf "$work"' EXIT
fi
input="$work/arabic_${mib}MiB.txt"

benches/arabic_text.sh "$mib" "$input"
size=$(wc -c <"$input")
lines=$(wc -l <"$input")
echo "input: $input: $size bytes, $lines lines, sha256 $(sha256sum "$input" | cut -c1-16)"
echo "tadqiq: $bin ($("$bin" --version))"
echo "fribidi: $(command -v fribidi) ($(fribidi --version | head -n1))"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n1)"
echo

tadqiq_cmd="$bin render $input --width 80"
fribidi_cmd="fribidi --width 80 $input"

# Both outputs, once: sizes and row counts show the two do comparable work.
$tadqiq_cmd >"$work/tadqiq.out"
$fribidi_cmd >"$work/fribidi.out"
printf '%-8s output: %10d bytes, %8d rows\n' \
    tadqiq "$(wc -c <"$work/tadqiq.out")" "$(wc -l <"$work/tadqiq.out")" \
    fribidi "$(wc -c <"$work/fribidi.out")" "$(wc -l <"$work/fribidi.out")"
echo

echo "== wall time (output to /dev/null) =="
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 2 --runs "$runs" --style basic \
        --export-markdown "$work/hyperfine.md" \
        -n tadqiq "$tadqiq_cmd" -n fribidi "$fribidi_cmd"
else
    echo "(hyperfine not installed: apt-get install -y hyperfine; using /usr/bin/time)"
    for name in tadqiq fribidi; do
        cmd="${name}_cmd"
        $cmd >/dev/null 2>&1 || true # warm the page cache
        best=""
        total=0
        for _ in $(seq "$runs"); do
            t=$( { /usr/bin/time -f '%e' ${!cmd} >/dev/null; } 2>&1 | tail -n1)
            total=$(echo "$total + $t" | bc -l)
            if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" -eq 1 ]; then best="$t"; fi
        done
        printf '%-8s mean %.3f s, best %.3f s over %d runs\n' \
            "$name" "$(echo "$total / $runs" | bc -l)" "$best" "$runs"
    done
fi
echo

echo "== peak RSS (/usr/bin/time -v, output to /dev/null) =="
for name in tadqiq fribidi; do
    cmd="${name}_cmd"
    rss=$( { /usr/bin/time -v ${!cmd} >/dev/null; } 2>&1 |
        sed -n 's/.*Maximum resident set size (kbytes): *//p')
    printf '%-8s %8d KiB (%.1f MiB)\n' "$name" "$rss" "$(echo "$rss / 1024" | bc -l)"
done

if [ "$keep" -eq 1 ]; then
    echo
    echo "kept: $work"
fi
