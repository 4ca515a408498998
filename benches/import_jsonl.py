#!/usr/bin/env python3
"""Input files for the `tadqiq import` benchmark (BENCHMARKS.md, "Import"), from a corpus made
by gen_corpus.py:

- OUT/articles.jsonl: one {"id", "text", "url", "source", "published_at"} per article of
  CORPUS/samples/, the metadata taken from `<id>.meta.yaml` when there is one and made up from
  the id otherwise, so that every article has a metadata file to write too;
- OUT/extracted.jsonl: one {"id", "extractor", "extracted_at", "fields"} per file of
  CORPUS/annotations/extracted/, the shape `tadqiq import extracted` reads.

Usage: import_jsonl.py CORPUS OUT
"""

import json
import sys
from pathlib import Path

import yaml

OUTLETS = ["هسبريس", "اليوم 24", "مراكش الان", "le360", "الأيام 24"]


def articles(corpus: Path, out: Path) -> int:
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for txt in sorted((corpus / "samples").glob("*.txt")):
            aid = txt.stem
            meta_path = txt.with_name(aid + ".meta.yaml")
            meta = {}
            if meta_path.exists():
                meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
            k = sum(map(ord, aid))
            line = {
                "id": aid,
                "text": txt.read_text(encoding="utf-8"),
                "url": meta.get("url", f"https://news.example.ma/{k % 97}/{aid}"),
                "source": meta.get("outlet", OUTLETS[k % len(OUTLETS)]),
                "published_at": str(
                    meta.get("published_at", f"2023-{k % 12 + 1:02}-{k % 28 + 1:02}")
                ),
            }
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            n += 1
    return n


def extracted(corpus: Path, out: Path) -> int:
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for path in sorted((corpus / "annotations" / "extracted").glob("*.yaml")):
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            line = {"id": doc.pop("article", path.stem), **doc}
            # `extracted_at` loads as a datetime; default=str writes it back as YAML had it.
            f.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
            n += 1
    return n


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    a = articles(corpus, out / "articles.jsonl")
    e = extracted(corpus, out / "extracted.jsonl")
    print(f"{a} articles, {e} extracted files in {out}")


if __name__ == "__main__":
    main()
