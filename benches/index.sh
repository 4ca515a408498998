#!/usr/bin/env bash
# The corpus index, side by side with reading every file, in one run on one machine:
#
#   status, agree --format json, export --format jsonl   with --no-index (every file read)
#   tadqiq index --rebuild                               building the index from nothing
#   the same three commands through the index            nothing changed since
#   the same three commands through the index            after CHANGED gold files changed
#   tadqiq index --check                                 the index against a full read
#   benches/export_pyyaml.py --load-only                 the PyYAML C loader (--with-python)
#
# Usage: benches/index.sh BIN CORPUS [--changed N] [--with-python]
#   BIN      the tadqiq binary (target/release/tadqiq)
#   CORPUS   a folder with samples/ and annotations/ (benches/gen_corpus.py makes one); it is
#            copied, since the run changes gold files
#   --changed N    gold files changed between runs (default 1000)
#
# Each command is timed best of 3 (the host is shared); peak memory is /usr/bin/time's maximum
# RSS. The index goes to a folder of its own (TADQIQ_INDEX_DIR), deleted at the end.
set -euo pipefail
bin="$(realpath "$1")"
corpus="$(realpath "$2")"
shift 2
changed=1000
python=0
while [ $# -gt 0 ]; do
    case "$1" in
        --changed) changed="$2"; shift 2 ;;
        --with-python) python=1; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/tadqiq-index-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export TADQIQ_INDEX_DIR="$work/index"
cp -r "$corpus" "$work/corpus"
cd "$work/corpus"
find . -type f -print0 | xargs -0 cat > /dev/null

# best of 3: "<wall s> <max RSS KiB>"
best() {
    local best_wall="" best_rss=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2> "$work/stderr" || true
        read -r wall rss < "$work/time"
        if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then
            best_wall=$wall
            best_rss=$rss
        fi
    done
    echo "$best_wall $best_rss"
}

row() { printf '| %-52s | %8s s | %6s MiB |\n' "$1" "$2" "$(( $3 / 1024 ))"; }

echo "| run | wall | max RSS |"
echo "|---|---|---|"
commands=("status" "agree --format json" "export --format jsonl")
for c in "${commands[@]}"; do
    read -r w r < <(best "$bin" --no-index $c --articles samples)
    row "\`$c --no-index\`" "$w" "$r"
done
/usr/bin/time -f "%e %M" -o "$work/time" "$bin" index --rebuild --articles samples 2> "$work/stderr"
read -r w r < "$work/time"
row "\`index --rebuild\`" "$w" "$r"
size=$(du -sm "$TADQIQ_INDEX_DIR" | cut -f1)
for c in "${commands[@]}"; do
    read -r w r < <(best "$bin" $c --articles samples)
    row "\`$c\`, nothing changed" "$w" "$r"
done
# Change N gold files: a confirmed value becomes corrected (the files keep their names).
find annotations/gold -name '*.yaml' | sort | awk -v n="$changed" 'NR % 300 == 1 && c < n { print; c++ }' \
    | xargs sed -i 's/"verdict": "confirmed"/"verdict": "corrected"/'
sleep 3 # past the racily-clean margin
for c in "${commands[@]}"; do
    # The first run after the change re-reads the files; the next ones find them indexed.
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin" $c --articles samples > /dev/null 2>&1
    read -r w r < "$work/time"
    row "\`$c\`, first run after $changed gold files changed" "$w" "$r"
done
for c in "${commands[@]}"; do
    cmp <("$bin" $c --articles samples 2>/dev/null) <("$bin" --no-index $c --articles samples 2>/dev/null) \
        || { echo "$c: output differs from --no-index" >&2; exit 1; }
done
/usr/bin/time -f "%e %M" -o "$work/time" "$bin" index --check --articles samples 2> "$work/stderr"
read -r w r < "$work/time"
row "\`index --check\`" "$w" "$r"
echo
echo "index size on disk: $size MiB; outputs equal --no-index byte for byte"
if [ "$python" = 1 ]; then
    /usr/bin/time -f "%e %M" -o "$work/time" python3 "$repo/benches/export_pyyaml.py" --load-only annotations > /dev/null
    read -r w r < "$work/time"
    row "\`export_pyyaml.py --load-only\` (PyYAML C loader)" "$w" "$r"
fi
