#!/usr/bin/env bash
# Writes N MiB of Arabic news to OUT: the samples in name order, each followed by a newline,
# cycled until the file reaches the size (whole samples only), as benches/layout.rs builds its
# corpus. The render benchmarks share it, so that they all measure the same text.
#
# Usage: benches/arabic_text.sh MIB OUT   (run from the repository's root)
set -euo pipefail
mib="$1"
out="$2"
target=$((mib * 1024 * 1024))
samples=(samples/*.txt) # glob order is name order
: >"$out"
size=0
i=0
while [ "$size" -lt "$target" ]; do
    f="${samples[$((i % ${#samples[@]}))]}"
    cat "$f" >>"$out"
    printf '\n' >>"$out"
    size=$((size + $(wc -c <"$f") + 1))
    i=$((i + 1))
done
