#!/usr/bin/env bash
# Every figure of the side-by-side table in BENCHMARKS.md, in one run on one machine: each
# tadqiq command next to what a user would use instead, with wall time and peak memory of
# both, and peak memory at two corpus sizes to show whether it stays flat.
#
#   render a 10 MiB Arabic text, width 80       vs  fribidi --width 80
#   export --format jsonl, N articles × K       vs  benches/export_pyyaml.py (PyYAML C loader)
#   agree --format json, N articles × K         vs  benches/export_pyyaml.py --load-only
#   import articles (a JSONL of N/5 articles)   vs  benches/import_python.py (plain writes)
#   review: first frame on N articles           (goal 100 ms; benches/first_frame.py, a pty)
#   review: redraw after a key, 50 KiB article  (goal 2 ms; criterion, benches/review.rs)
#
# Usage: benches/side_by_side.sh [--articles N] [--analysts K] [--work DIR] [--skip-python]
#   --articles N    corpus size (default 100000); a second corpus of N/5 shows memory growth
#   --analysts K    analysts per article (default 3)
#   --work DIR      where the corpora and outputs go (default /tmp/tadqiq-bench); corpora
#                   already there are reused (same seed, same files)
#   --skip-python   leave out the Python peers (minutes each at 100 000 articles)
#
# Files are read warm: every corpus is read once (cat) before the timed runs. tadqiq's
# commands are timed best of 3 (the host is shared; the best run is the least disturbed),
# the Python peers once. Peak memory is /usr/bin/time's maximum RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

articles=100000
analysts=3
work=/tmp/tadqiq-bench
python=1
while [ $# -gt 0 ]; do
    case "$1" in
        --articles) articles="$2"; shift 2 ;;
        --analysts) analysts="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --skip-python) python=0; shift ;;
        -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
small=$((articles / 5))

for tool in fribidi /usr/bin/time python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "missing $tool: apt-get install -y libfribidi-bin time python3" >&2
        exit 1
    fi
done
python3 -c 'import yaml; assert yaml.__with_libyaml__' 2>/dev/null ||
    { echo "PyYAML with libyaml is needed: pip install pyyaml" >&2; exit 1; }

cargo build --release --quiet
bin="$repo/target/release/tadqiq"
mkdir -p "$work"
results="$work/results.tsv"
: >"$results"

echo "tadqiq $("$bin" --version | cut -d' ' -f2) at $(git rev-parse --short HEAD)$(git diff --quiet || echo +changes)"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "fribidi $(fribidi --version | head -n1 | awk '{print $NF}'), python $(python3 -c 'import sys, yaml; print(sys.version.split()[0], "PyYAML", yaml.__version__)')"
echo

# time_of NAME DIR COMMAND...: runs COMMAND in DIR, output to /dev/null; appends
# "NAME<TAB>wall seconds<TAB>max RSS KiB" to the results.
time_of() {
    local name="$1" dir="$2"
    shift 2
    local t
    t="$(mktemp)"
    (cd "$dir" && /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>"$t.err") ||
        { echo "$name failed:" >&2; cat "$t.err" >&2; rm -f "$t" "$t.err"; return 1; }
    read -r wall rss <"$t"
    rm -f "$t" "$t.err"
    printf '%s\t%s\t%s\n' "$name" "$wall" "$rss" | tee -a "$results"
}

# best_of NAME DIR COMMAND...: the best of three runs (wall), with its RSS.
best_of() {
    local name="$1"
    shift
    local line best=""
    for _ in 1 2 3; do
        line="$(time_of "$name" "$@" | tail -n1)"
        if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN{split(a,x,"\t");split(b,y,"\t");exit !(x[2]<y[2])}'; then
            best="$line"
        fi
    done
    # Keep only the best line of the three in the results.
    grep -v "^$name	" "$results" >"$results.tmp" || true
    mv "$results.tmp" "$results"
    echo "$best" | tee -a "$results"
}

corpus() { # corpus DIR N
    if [ ! -d "$1/annotations/gold" ]; then
        echo "generating $2 articles × $analysts analysts in $1"
        python3 benches/gen_corpus.py --articles "$2" --analysts "$analysts" --seed 1 --out "$1"
    fi
    find "$1" -type f -print0 | xargs -0 cat >/dev/null # warm the page cache
}

big="$work/c$articles"
little="$work/c$small"
corpus "$big" "$articles"
corpus "$little" "$small"

echo "== render, 10 MiB, width 80 =="
text="$work/arabic_10MiB.txt"
[ -f "$text" ] || benches/arabic_text.sh 10 "$text"
text1="$work/arabic_1MiB.txt"
head -c $((1024 * 1024)) "$text" | sed '$d' >"$text1"
best_of "render 10MiB" "$work" "$bin" render "$text" --width 80
best_of "fribidi 10MiB" "$work" fribidi --width 80 "$text"
best_of "render 1MiB" "$work" "$bin" render "$text1" --width 80

echo "== export --format jsonl =="
best_of "export $articles" "$big" "$bin" export --format jsonl --out "$work/export.jsonl"
best_of "export $small" "$little" "$bin" export --format jsonl --out "$work/export_small.jsonl"
if [ "$python" -eq 1 ]; then
    time_of "export_pyyaml $articles" "$big" python3 "$repo/benches/export_pyyaml.py" annotations
fi

echo "== agree --format json =="
best_of "agree $articles" "$big" "$bin" agree --format json
best_of "agree $small" "$little" "$bin" agree --format json
if [ "$python" -eq 1 ]; then
    time_of "pyyaml_load $articles" "$big" python3 "$repo/benches/export_pyyaml.py" --load-only annotations
fi

echo "== status =="
best_of "status $articles" "$big" "$bin" status
best_of "status $small" "$little" "$bin" status

echo "== import articles =="
jsonl="$work/articles_$small.jsonl"
if [ ! -f "$jsonl" ]; then
    python3 - "$little/samples" "$jsonl" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
with open(out, "w", encoding="utf-8") as f:
    for name in sorted(os.listdir(src)):
        if not name.endswith(".txt"):
            continue
        rid = name[:-4]
        with open(os.path.join(src, name), encoding="utf-8") as t:
            text = t.read()
        f.write(json.dumps({"id": rid, "text": text, "url": f"https://example.org/{rid}",
                            "source": "هسبريس", "published_at": "2023-12-15"},
                           ensure_ascii=False) + "\n")
PY
fi
import_bytes=$(wc -c <"$jsonl")
rm -rf "$work/import_tadqiq" "$work/import_python"
time_of "import $small" "$work" "$bin" import articles "$jsonl" --articles "$work/import_tadqiq"
time_of "import again $small" "$work" "$bin" import articles "$jsonl" --articles "$work/import_tadqiq"
if [ "$python" -eq 1 ]; then
    time_of "import_python $small" "$work" python3 "$repo/benches/import_python.py" "$jsonl" "$work/import_python"
fi
rm -rf "$work/import_tadqiq" "$work/import_python"

echo "== review: first frame =="
ff="$(python3 benches/first_frame.py "$bin" "$big" --runs 5)"
echo "$ff"
ff_small="$(python3 benches/first_frame.py "$bin" "$little" --runs 5)"
echo "$ff_small"

echo "== review: redraw after a key (criterion) =="
redraw="$(cargo bench --quiet --bench review -- --warm-up-time 1 --measurement-time 5 'redraw after a key' 2>/dev/null |
    sed -n 's/.*time: *\[[^ ]* [^ ]* \([^ ]*\) \([^ ]*\) .*/\1 \2/p' | head -n1)"
echo "redraw median: $redraw"

# The table.
get() { awk -F'\t' -v n="$1" -v c="$2" '$1 == n { print $c }' "$results" | tail -n1; }
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "–"; else printf "%.0f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f", a / b }'; }
secs() { awk -v s="$1" 'BEGIN { if (s == "") print "–"; else if (s < 1) printf "%.0f ms", s * 1000; else printf "%.1f s", s }'; }
ff_ms="$(echo "$ff" | sed -n 's/.*first_frame_ms=\([0-9.]*\).*/\1/p')"
ff_rss="$(echo "$ff" | sed -n 's/.*max_rss_kib=\([0-9]*\).*/\1/p')"
ff_small_rss="$(echo "$ff_small" | sed -n 's/.*max_rss_kib=\([0-9]*\).*/\1/p')"
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s == "" || s == 0) print "–"; else printf "%.1f MB/s", b / s / 1e6 }'; }

{
    echo
    echo "| figure | tadqiq | peer | ratio (goal) | tadqiq peak memory, $small → $articles articles | peer memory |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| render 10 MiB, width 80 (peer: \`fribidi --width 80\`) | $(secs "$(get "render 10MiB" 2)") | $(secs "$(get "fribidi 10MiB" 2)") | $(ratio "$(get "render 10MiB" 2)" "$(get "fribidi 10MiB" 2)") (≤ 1) | $(mib "$(get "render 1MiB" 3)") (1 MiB) → $(mib "$(get "render 10MiB" 3)") (10 MiB) | $(mib "$(get "fribidi 10MiB" 3)") |"
    echo "| \`export --format jsonl\` (peer: \`export_pyyaml.py\`) | $(secs "$(get "export $articles" 2)") | $(secs "$(get "export_pyyaml $articles" 2)") | $(ratio "$(get "export $articles" 2)" "$(get "export_pyyaml $articles" 2)") (≤ 0.1) | $(mib "$(get "export $small" 3)") → $(mib "$(get "export $articles" 3)") | $(mib "$(get "export_pyyaml $articles" 3)") |"
    echo "| \`agree --format json\` (peer: \`export_pyyaml.py --load-only\`) | $(secs "$(get "agree $articles" 2)") | $(secs "$(get "pyyaml_load $articles" 2)") | $(ratio "$(get "agree $articles" 2)" "$(get "pyyaml_load $articles" 2)") (≤ 0.1) | $(mib "$(get "agree $small" 3)") → $(mib "$(get "agree $articles" 3)") | $(mib "$(get "pyyaml_load $articles" 3)") |"
    echo "| \`status\` (no peer) | $(secs "$(get "status $articles" 2)") | | | $(mib "$(get "status $small" 3)") → $(mib "$(get "status $articles" 3)") | |"
    echo "| \`import articles\`, $small articles, $((import_bytes / 1000000)) MB (peer: \`import_python.py\`) | $(mbps "$import_bytes" "$(get "import $small" 2)") ($(secs "$(get "import $small" 2)"); again: $(secs "$(get "import again $small" 2)")) | $(mbps "$import_bytes" "$(get "import_python $small" 2)") | $(ratio "$(get "import $small" 2)" "$(get "import_python $small" 2)") | $(mib "$(get "import $small" 3)") | $(mib "$(get "import_python $small" 3)") |"
    echo "| review: first frame, 160×45, in a pty | $ff_ms ms | | (≤ 100 ms) | $(mib "$ff_small_rss") → $(mib "$ff_rss") | |"
    echo "| review: redraw after a key, 50 KiB article | ${redraw:-–} | | (≤ 2 ms) | | |"
} | tee "$work/table.md"
echo
echo "raw figures: $results; table: $work/table.md"
