#!/usr/bin/env python3
"""A corpus for tadqiq's benchmarks: N articles built from the paragraphs of samples/, each with
the extractor's file of the sample it grew from, and K analysts' gold files that agree and
disagree the way a real team does. The same seed gives the same corpus.

    python3 benches/gen_corpus.py --articles 100000 --analysts 3 --seed 1 --out /tmp/corpus

Writes OUT/samples/<id>.txt, OUT/annotations/schema.yaml, OUT/annotations/extracted/<id>.yaml
and OUT/annotations/gold/<analyst>/<id>.yaml. Needs PyYAML (to read the templates once).

With --articles-only, writes the articles and the schema alone (no YAML read or written, no
PyYAML needed), fast enough for a corpus of a million articles:

    python3 benches/gen_corpus.py --articles 1000000 --articles-only --out /tmp/c1m

How the analysts behave, per article and field: the extraction is right 85 % of the time, and
then each analyst confirms it, except for a 5 % slip to another value; when it is wrong, each
analyst corrects it to the same right value 85 % of the time and confirms the wrong one
otherwise. 3 % of fields are left unreviewed; 10 % of reviews are still in progress.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import sys

try:
    import yaml
except ImportError:  # --articles-only does without
    yaml = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANALYSTS = ["amina", "karim", "youssef", "salma", "omar", "nadia", "hamza", "leila", "yassin"]


def load_texts():
    """The samples' texts, and their paragraphs."""
    texts, paragraphs = [], []
    for name in sorted(f for f in os.listdir(os.path.join(ROOT, "samples")) if f.endswith(".txt")):
        with open(os.path.join(ROOT, "samples", name), encoding="utf-8") as f:
            text = f.read()
        texts.append(text)
        paragraphs.extend(p for p in text.split("\n") if len(p.strip()) > 40)
    return texts, paragraphs


def articles_only(n, seed, out):
    """The articles as `main` writes them, and the schema: nothing else."""
    texts, paragraphs = load_texts()
    os.makedirs(os.path.join(out, "samples"), exist_ok=True)
    os.makedirs(os.path.join(out, "annotations"), exist_ok=True)
    shutil.copy(os.path.join(ROOT, "annotations", "schema.yaml"), os.path.join(out, "annotations"))
    rng = random.Random(seed)
    width = len(str(n))
    samples = os.path.join(out, "samples")
    for i in range(n):
        extra = rng.sample(paragraphs, rng.randint(0, 5))
        body = texts[i % len(texts)].rstrip("\n") + "\n" + "\n".join(extra) + "\n"
        with open(os.path.join(samples, f"a{i:0{width}d}.txt"), "wb") as f:
            f.write(body.encode("utf-8"))
    print(f"{n} articles, no annotations, in {out}")


def load_templates():
    samples = sorted(f for f in os.listdir(os.path.join(ROOT, "samples")) if f.endswith(".txt"))
    templates = []
    paragraphs = []
    for name in samples:
        stem = name[:-4]
        with open(os.path.join(ROOT, "samples", name), encoding="utf-8") as f:
            text = f.read()
        paragraphs.extend(p for p in text.split("\n") if len(p.strip()) > 40)
        extracted_path = os.path.join(ROOT, "annotations", "extracted", stem + ".yaml")
        with open(extracted_path, encoding="utf-8") as f:
            extracted = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        templates.append((stem, text, extracted))
    with open(os.path.join(ROOT, "annotations", "schema.yaml"), encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    return templates, paragraphs, schema


def q(v):
    """A value as YAML: JSON is YAML's flow style (and keeps dates as strings)."""
    return json.dumps(v, ensure_ascii=False)


def variant(field, value, rng):
    """Another plausible value of the field: what a slip or a correction gives."""
    kind = field["type"]
    if value is None:
        return {"text": "قيمة مضافة", "date": "2023-12-14", "list": ["الرباط"]}.get(kind)
    if kind == "choice":
        others = [c if isinstance(c, str) else c["value"] for c in field["values"]]
        others = [c for c in others if c != value]
        return rng.choice(others)
    if kind == "date":
        day = int(value[8:10]) if len(value) >= 10 else 10
        return f"{value[:8]}{(day % 28) + 1:02d}" if len(value) >= 10 else value + "-01"
    if kind == "list":
        return value[:-1] if len(value) > 1 else value + ["المغرب"]
    if kind == "multi_choice":
        return value[:-1] if len(value) > 1 else value + ["training"]
    if kind == "record_list":
        return value[:-1] if len(value) > 1 else value
    if kind == "span":
        return {"start": value["start"], "end": max(value["start"] + 1, value["end"] - 10)}
    return value + " (مصحح)"


def field_yaml(name, value, extracted_value, evidence):
    if value == extracted_value:
        verdict, was = "confirmed", None
    elif value is None:
        verdict, was = "rejected", extracted_value
    elif extracted_value is None:
        verdict, was = "added", None
    else:
        verdict, was = "corrected", extracted_value
    parts = [f'"value": {q(value)}', f'"verdict": "{verdict}"']
    if was is not None:
        parts.append(f'"was": {q(was)}')
    if evidence is not None and verdict == "confirmed":
        parts.append(f'"evidence": {q(evidence)}')
    return f"  {name}: {{{', '.join(parts)}}}\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--analysts", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--articles-only", action="store_true", help="articles and schema only")
    args = ap.parse_args()
    if args.articles_only:
        articles_only(args.articles, args.seed, args.out)
        return
    if yaml is None:
        sys.exit("needs PyYAML (or --articles-only)")
    if not 1 <= args.analysts <= len(ANALYSTS):
        sys.exit(f"--analysts: 1 to {len(ANALYSTS)}")
    templates, paragraphs, schema = load_templates()
    fields = {f["name"]: f for f in schema["fields"]}
    analysts = ANALYSTS[: args.analysts]
    out = args.out
    for d in ["samples", "annotations/extracted"] + [f"annotations/gold/{a}" for a in analysts]:
        os.makedirs(os.path.join(out, d), exist_ok=True)
    shutil.copy(os.path.join(ROOT, "annotations", "schema.yaml"), os.path.join(out, "annotations"))
    rng = random.Random(args.seed)
    width = len(str(args.articles))
    for i in range(args.articles):
        aid = f"a{i:0{width}d}"
        stem, text, extracted = templates[i % len(templates)]
        # The sample, then a few paragraphs of the others: quotes and spans still point right.
        extra = rng.sample(paragraphs, rng.randint(0, 5))
        body = text.rstrip("\n") + "\n" + "\n".join(extra) + "\n"
        raw = body.encode("utf-8")
        with open(os.path.join(out, "samples", aid + ".txt"), "wb") as f:
            f.write(raw)
        sha = hashlib.sha256(raw).hexdigest()
        ext = dict(extracted)
        ext["article"] = aid
        with open(os.path.join(out, "annotations/extracted", aid + ".yaml"), "w", encoding="utf-8") as f:
            yaml.dump(ext, f, allow_unicode=True, sort_keys=False, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
        ex_fields = extracted.get("fields") or {}
        # The truth of each field: the extraction, or a correction of it.
        truth = {}
        for name, fdef in fields.items():
            ev = (ex_fields.get(name) or {}).get("value")
            truth[name] = ev if rng.random() < 0.85 else variant(fdef, ev, rng)
        for a in analysts:
            status = "done" if rng.random() < 0.9 else "in_progress"
            lines = [
                f"article: {aid}\n",
                f"analyst: {a}\n",
                f"status: {status}\n",
                "reviewed_at: 2026-11-20T10:00:00Z\n",
                f"article_sha256: {sha}\n",
                "fields:\n",
            ]
            for name, fdef in fields.items():
                if rng.random() < 0.03:
                    continue
                ex = ex_fields.get(name) or {}
                ev = ex.get("value")
                t = truth[name]
                if t == ev:
                    value = ev if rng.random() >= 0.05 else variant(fdef, ev, rng)
                else:
                    value = t if rng.random() < 0.85 else ev
                lines.append(field_yaml(name, value, ev, ex.get("evidence")))
            with open(os.path.join(out, "annotations/gold", a, aid + ".yaml"), "w", encoding="utf-8") as f:
                f.writelines(lines)
    print(f"{args.articles} articles, {args.articles * len(analysts)} gold files in {out}")


if __name__ == "__main__":
    main()
