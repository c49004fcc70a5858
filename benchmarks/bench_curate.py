"""How long a curation change takes to show, against a full rebuild: `python -m benchmarks.bench_curate`.

Two settings, as a curator meets them:

* the curated data (data/, copied): a change is checked by building the candidate file and running the SHACL
  shapes (kg.curate.check), written, and then shown either from the validated build the change returns or by
  updating the app's embedded store in place (kg.curate.store.apply_delta); against `kg validate` and a rebuild;
* a persistent store of a synthetic corpus (default 100k papers, `kg synth`): the change is checked against the
  store (kg.curate.local), written to the 220 MB claims file, and applied to the store in place
  (update_persistent), which `load(store_path=...)` then reopens without rebuilding; against the full rebuild of
  the store.

Prints one line per figure and writes them as JSON (`--out`). Figures are wall-clock medians on whatever machine
runs this (quote them with its description and the date).
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.common import machine, rss_mb
from kg import load
from kg.curate import Curation, EvidenceLine, Result
from kg.curate.check import problems_of
from kg.curate.store import apply_delta, delta, update_persistent
from kg.ingest.build import DataSources, assemble
from kg.model import paths
from kg.model.namespace import PREFIXES

FIGURES: dict[str, Any] = {}


def timed(name: str, func: Callable[[], Any], repeat: int = 1) -> Any:
    """Run `func` `repeat` times; record the median seconds under `name`; return the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        seconds.append(time.perf_counter() - t0)
    FIGURES[name] = round(statistics.median(seconds), 3)
    print(f"{name:<58} {FIGURES[name]:>9.3f} s" + (f"  (median of {repeat})" if repeat > 1 else ""), flush=True)
    return result


def curated(repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-curate-") as tmp:
        for name in (paths.BIB_NAME, paths.CLAIMS_NAME):
            shutil.copy(paths.DEFAULT_DATA_DIR / name, Path(tmp) / name)
        data = DataSources(Path(tmp) / paths.BIB_NAME, Path(tmp) / paths.CLAIMS_NAME)
        cur = Curation("Benchmark", data)
        timed("curated: full rebuild (assemble)", lambda: assemble(data), repeat)
        timed("curated: full check (assemble + SHACL, as kg validate)", lambda: problems_of(data), repeat)
        app_store = assemble(data).store  # the graph an app session holds

        def change() -> None:
            applied = cur.add(Result(study="lee2019accuracy", name="bench-result", measure="sensitivity", value=61.0,
                                     unit="percent", section="Abstract (results)", index_test="c:mri",
                                     target_conditions=("c:labral-tear",), interval=(50.0, 70.0)))
            t0 = time.perf_counter()
            apply_delta(app_store, delta(applied.before_bytes, applied.after_bytes, applied.records, app_store), applied.records)
            FIGURES.setdefault("_delta", []).append(time.perf_counter() - t0)
            removed = cur.delete("res:bench-result")
            apply_delta(app_store, delta(removed.before_bytes, removed.after_bytes, removed.records, app_store), removed.records)

        timed("curated: add + delete a result (each checked and written)", change, repeat)
        FIGURES["curated: app store updated in place (apply_delta)"] = round(statistics.median(FIGURES.pop("_delta")), 4)
        print(f"{'curated: app store updated in place (apply_delta)':<58} "
              f"{FIGURES['curated: app store updated in place (apply_delta)']:>9.4f} s", flush=True)
        adds = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            applied = cur.add(EvidenceLine(study="lee2019accuracy", claim="claim:mri-detects-chondral-lesions",
                                           stance="contradicts", section="Abstract (results)", pico="pf:lee2019-mri",
                                           rationale="A benchmark evidence line."))
            adds.append(time.perf_counter() - t0)
            cur.delete(applied.records[0])
        name = "curated: an evidence line checked and written"
        FIGURES[name] = round(statistics.median(adds), 3)
        print(f"{name:<58} {FIGURES[name]:>9.3f} s  (median of {repeat})", flush=True)


def large(papers: int, corpus: Path, store_path: Path, repeat: int) -> None:
    if not (corpus / paths.CLAIMS_NAME).exists():
        timed(f"{papers}: kg synth", lambda: subprocess.run(
            [str(Path(sys.executable).parent / "kg"), "synth", "--papers", str(papers), "--seed", "42", "--out", str(corpus)],
            check=True, stdout=subprocess.DEVNULL))
    data = DataSources(corpus / paths.BIB_NAME, corpus / paths.CLAIMS_NAME)
    shutil.rmtree(store_path, ignore_errors=True)
    timed(f"{papers}: full rebuild into the persistent store", lambda: load(bib=data.bib, claims=data.claims,
                                                                          store_path=store_path, rebuild=True))
    ctx = ox.Store.read_only(str(store_path))
    found = ctx.query(
        "SELECT ?key ?pico ?claim WHERE { ?e hs:evidenceFrom ?p ; hs:pico ?pico . ?p hs:bibKey ?key . "
        "?other hs:evidenceFor ?claim FILTER NOT EXISTS { ?x hs:evidenceFrom ?p ; hs:evidenceFor ?claim } } LIMIT 1",
        prefixes=PREFIXES)
    assert isinstance(found, ox.QuerySolutions)
    row = next(iter(found))
    key, pico, claim = (str(row[v].value) for v in ("key", "pico", "claim"))
    print(f"  (study {key}, frame <{pico}>, claim <{claim}>)")
    changes = []
    for i in range(repeat):
        cur = Curation("Benchmark", data, context=ctx)
        t0 = time.perf_counter()
        applied = cur.add(Result(study=key, name=f"bench-{i}", measure="odds ratio", value=1.8, unit="ratio",
                                 section="Abstract (results)", interval=(1.1, 2.9), confidence_level=95))
        t1 = time.perf_counter()
        del ctx, cur
        update = update_persistent(store_path, data, applied.before_bytes, applied.after_bytes, applied.records)
        assert update.updated, update.reason
        t2 = time.perf_counter()
        graph = load(bib=data.bib, claims=data.claims, store_path=store_path)
        assert graph.build is None, "reopened, not rebuilt"
        rows = graph.select("SELECT ?v WHERE { ?r qudt:value ?v }", {"r": ox.NamedNode(applied.records[0])})
        assert rows == [{"v": 1.8}], rows
        t3 = time.perf_counter()
        changes.append((t1 - t0, t2 - t1, t3 - t2, t3 - t0))
        del graph
        ctx = ox.Store.read_only(str(store_path))
    for n, name in enumerate(("check against the store + write claims.ttl", "store updated in place (no rebuild)",
                              "reopen the store + first answer", "change shown, in all")):
        FIGURES[f"{papers}: {name}"] = round(statistics.median(c[n] for c in changes), 3)
        print(f"{papers}: {name:<50} {FIGURES[f'{papers}: {name}']:>9.3f} s  (median of {repeat})", flush=True)
    cur = Curation("Benchmark", data, context=ctx)
    timed(f"{papers}: an evidence line on another study's claim, checked + written", lambda: cur.add(EvidenceLine(
        study=key, claim=claim, stance="supports", section="Abstract", pico=pico, rationale="A benchmark line.")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--corpus", type=Path, help="Synthetic corpus directory (made with kg synth if missing; "
                        "the benchmark writes to its claims.ttl)")
    parser.add_argument("--store", type=Path, help="Persistent store directory (rebuilt)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    FIGURES["machine"] = machine()
    FIGURES["date"] = datetime.now(UTC).date().isoformat()
    FIGURES["python"] = platform.python_version()
    curated(args.repeat)
    if not args.skip_large:
        base = Path(tempfile.gettempdir()) / "bench-curate"
        corpus = args.corpus or base / f"c{args.papers}"
        large(args.papers, corpus, args.store or base / f"store{args.papers}", max(1, args.repeat // 2 + 1))
    FIGURES["peak_rss_mb"] = round(rss_mb())
    if args.out:
        args.out.write_text(json.dumps(FIGURES, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"machine": FIGURES["machine"], "date": FIGURES["date"], "peak_rss_mb": FIGURES["peak_rss_mb"]}))


if __name__ == "__main__":
    main()
