"""Incremental store update against a full rebuild, on a synthetic corpus (10k papers by default).

    .venv/bin/python -m benchmarks.incremental [--papers 10000] [--imports 100,1000] [--seed 42]

A persistent store (kg.store.persistent) is built from the corpus; then, for each batch size, that many records
are appended to references.bib as `kg import` writes them (contract fields: abstract, keywords, MeSH,
import-source/format/date, verification) with a line in import-log.jsonl, and the store is opened again: the
incremental update (kg.store.incremental) is timed, then a full rebuild of the same files (`rebuild=True`), and the
two graphs are compared triple by triple. Last, one screening decision (one entry changed) is timed the same way.
Results: benchmarks/results/incremental-<date>.json and a Markdown table on stdout.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import machine
from benchmarks.run import corpus
from kg.api import load
from kg.ingest.bib_edit import screen
from kg.model import paths
from kg.store.persistent import read_manifest

RESULTS = Path(__file__).resolve().parent / "results"
WORDS = ("hip", "spine", "lumbar", "arthroplasty", "fusion", "pain", "stenosis", "outcome", "cohort", "imaging",
         "pelvic", "tilt", "revision", "dislocation", "injection", "diagnosis", "labrum", "sacroiliac")
MESH = ("Low Back Pain", "Arthroplasty, Replacement, Hip", "Humans", "*Spinal Fusion/adverse effects", "Aged")


def imported_records(start: int, count: int, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """`count` records as `kg import` appends them, and the log line of that import."""
    source = f"search-{start}.ris"
    entries, keys = [], []
    for i in range(start, start + count):
        key = f"imported{i:06d}"
        keys.append(key)
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        entries.append(
            f"\n@article{{{key},\n  author = {{Importer{i}, A. and Second{i % 97}, B.}},\n  title = {{{title}}},\n"
            f"  journal = {{Imported Journal {i % 40}}},\n  year = {{{2000 + i % 24}}},\n"
            f"  abstract = {{{' '.join(rng.choice(WORDS) for _ in range(120))}.}},\n"
            f"  keywords = {{{'; '.join(rng.sample(WORDS, 3))}}},\n  mesh = {{{'; '.join(rng.sample(MESH, 2))}}},\n"
            f"  verification = {{unverified}},\n  import-source = {{{source}}},\n  import-format = {{ris}},\n"
            f"  import-date = {{2026-12-07}}\n}}\n")
    log = {"date": "2026-12-07", "source": source, "format": "ris", "records": count + 3, "added": keys,
           "duplicates": [{"record": 1, "title": "x", "matched": keys[0], "by": "doi"}] * 3,
           "possible_duplicates": [], "unreadable": []}
    return "".join(entries), log


def triples(kg: Any) -> set[str]:
    return {str(q.triple) for q in kg.snapshot()}


def timed_open(data: Path, store: Path, **kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    kg = load(data, store_path=store, **kwargs)
    return time.perf_counter() - t0, kg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--imports", default="100,1000")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    source, _ = corpus(args.papers, args.seed, 1200)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kg-incremental-"))
    rows: list[dict[str, Any]] = []
    try:
        data = work / "data"
        data.mkdir()
        for name in (paths.BIB_NAME, paths.CLAIMS_NAME):
            shutil.copyfile(source / name, data / name)
        store = work / "store"
        first, kg = timed_open(data, store)
        rows.append({"step": f"first build into the store ({args.papers:,} papers)", "seconds": round(first, 2),
                     "triples": len(kg)})
        start = 0
        for count in (int(c) for c in args.imports.split(",")):
            text, log = imported_records(start, count, rng)
            start += count
            with open(data / paths.BIB_NAME, "a", encoding="utf-8") as bib:
                bib.write(text)
            with open(data / "import-log.jsonl", "a", encoding="utf-8") as handle:
                handle.write(json.dumps(log) + "\n")
            rows.append(_compare(data, store, f"import of {count:,} records"))
        screen(data / paths.BIB_NAME, "imported000000", "excluded", "not about the hip or spine")
        rows.append(_compare(data, store, "one screening decision"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "papers": args.papers, "seed": args.seed,
              "machine": machine(), "rows": rows}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"incremental-{datetime.now(UTC).strftime('%Y-%m-%d')}.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("| step | incremental update | full rebuild | same graph |\n|---|---|---|---|")
    for row in rows:
        if "incremental" in row:
            print(f"| {row['step']} | {row['incremental']:.2f} s | {row['rebuild']:.2f} s | {row['same']} |")
        else:
            print(f"| {row['step']} | – | {row['seconds']:.2f} s | {row['triples']:,} triples |")
    print(f"\nwrote {out}")


def _compare(data: Path, store: Path, step: str) -> dict[str, Any]:
    incremental, kg = timed_open(data, store)
    updated = (read_manifest(store) or {}).get("updated")
    if kg.build is not None or not updated:
        raise SystemExit(f"{step}: the store was rebuilt, not updated")
    after_update = triples(kg)
    del kg
    rebuild, full = timed_open(data, store, rebuild=True)
    same = after_update == triples(full)
    return {"step": step, "incremental": round(incremental, 3), "rebuild": round(rebuild, 3), "same": same,
            "updated": updated, "triples": len(after_update)}


if __name__ == "__main__":
    main()
