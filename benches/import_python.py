#!/usr/bin/env python3
"""What an analyst would write instead of `tadqiq import articles`: read the JSONL line by
line and write `<id>.txt` (title, then text) and `<id>.meta.yaml` (PyYAML's C dumper) for
each record. Plain writes: no fsync, no temporary file, no check of what is already there,
ids taken as they are — less work and fewer guarantees than tadqiq, so a lower bound.

    python3 benches/import_python.py FILE.jsonl OUT_DIR
"""

import json
import os
import sys

import yaml


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    n = 0
    with open(src, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            rid = str(r["id"])
            text = r.get("text", "")
            if r.get("title"):
                text = r["title"] + "\n" + text
            with open(os.path.join(out, rid + ".txt"), "w", encoding="utf-8") as t:
                t.write(text)
            meta = {k: r[k] for k in ("url", "source", "published_at") if r.get(k)}
            if meta:
                with open(os.path.join(out, rid + ".meta.yaml"), "w", encoding="utf-8") as m:
                    yaml.dump(meta, m, Dumper=yaml.CSafeDumper, allow_unicode=True)
            n += 1
    print(f"{n} records", file=sys.stderr)


if __name__ == "__main__":
    main()
