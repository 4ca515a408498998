#!/usr/bin/env python3
"""What an analyst would write instead of `tadqiq export --format jsonl`: walk the gold set,
load each file with PyYAML's C loader, keep the done ones, write one JSON object per file,
sorted by article then analyst. With --load-only it only loads every file (the floor of any
Python agreement script).

    python3 benches/export_pyyaml.py ANNOTATIONS_DIR > out.jsonl
    python3 benches/export_pyyaml.py --load-only ANNOTATIONS_DIR
"""

import json
import os
import sys

import yaml

Loader = yaml.CSafeLoader  # the C loader: PyYAML's fastest


def main():
    args = sys.argv[1:]
    load_only = "--load-only" in args
    args = [a for a in args if a != "--load-only"]
    gold = os.path.join(args[0], "gold")
    units = []
    for analyst in sorted(os.listdir(gold)):
        if analyst == "_adjudicated":
            continue
        for name in os.listdir(os.path.join(gold, analyst)):
            if name.endswith(".yaml") and not name.startswith("."):
                units.append((name[:-5], analyst))
    units.sort()
    out = sys.stdout
    n = 0
    for article, analyst in units:
        with open(os.path.join(gold, analyst, article + ".yaml"), "rb") as f:
            doc = yaml.load(f, Loader=Loader)
        if load_only or doc.get("status") != "done":
            continue
        out.write(json.dumps(doc, ensure_ascii=False, default=str))
        out.write("\n")
        n += 1
    print(f"{len(units)} files read, {n} exported", file=sys.stderr)


if __name__ == "__main__":
    main()
