"""The corpus and the build: generate, kg.ingest.build.assemble by stage, the raw parse and load it is held
against, and the SHACL stage of kg validate."""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks.common import Recorder, Stopped, cap, current_rss_mb, timed
from benchmarks.tasks.shared import limit_memory, sources


def task_generate(a: argparse.Namespace, rec: Recorder) -> None:
    from kg.synth import generate

    rec["stats"] = asdict(generate(a.papers, a.seed, a.data))


def task_build(a: argparse.Namespace, rec: Recorder) -> None:
    """kg.ingest.build.assemble into an in-memory store (the app's start path): total and per-stage timings."""
    import pyoxigraph as ox

    from kg.ingest.build import assemble

    rec["rss_after_imports_mb"] = round(current_rss_mb(), 1)
    runs = []
    for i in range(a.repeat):
        t0 = time.perf_counter()
        result = assemble(sources(a.data))
        total = time.perf_counter() - t0
        runs.append({"total": total, **result.timings})
        rec["runs"] = runs
        rec["triples"] = len(result.store)
        rec["errors"] = len(result.errors)
        rec["rss_after_build_mb"] = round(current_rss_mb(), 1)
        if i == 0 and a.nt:  # rewritten every run: the graph follows kg/ingest, not just the corpus
            tmp = Path(str(a.nt) + ".tmp")
            result.store.dump(output=str(tmp), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
            os.replace(tmp, a.nt)
        del result
        if total > 60:
            break


def task_raw_bib(a: argparse.Namespace, rec: Recorder) -> None:
    """bibtexparser's own parse of the same .bib: default stack, no LaTeX middleware (the target's first term)."""
    from bibtexparser.entrypoint import parse_file

    t = timed(lambda: len(parse_file(str(a.bib)).entries), repeat=a.repeat)
    rec["parse_file"] = {**t.as_dict(), "entries": t.value}


def task_raw_load(a: argparse.Namespace, rec: Recorder) -> None:
    """pyoxigraph Store().load of the built graph's N-Triples (the target's second term)."""
    import pyoxigraph as ox

    def load() -> int:
        store = ox.Store()
        store.load(path=str(a.nt), format=ox.RdfFormat.N_TRIPLES)
        return len(store)

    t = timed(load, repeat=a.repeat)
    rec["store_load"] = {**t.as_dict(), "triples": t.value}


def task_shacl(a: argparse.Namespace, rec: Recorder) -> None:
    """The SHACL stage of kg validate (kg.quality.validate.shacl_stage): the partial rdflib copies, then pySHACL, split
    over forked workers as kg validate runs it."""
    from kg.ingest.build import assemble
    from kg.quality.validate import shacl_stage

    data = sources(a.data)
    result = assemble(data)
    rec["triples"] = len(result.store)
    limit_memory(a.mem_cap, rec)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        with cap(a.cap):
            problems = shacl_stage(result.store, data, result.records, timings)
    except Stopped:
        rec["stopped"] = True
        rec["shacl_stage_s"] = a.cap
        return
    except MemoryError:
        rec["error"] = f"MemoryError at the {a.mem_cap:g} MiB cap after {time.perf_counter() - t0:.1f} s"
        return
    rec["shacl_stage_s"] = time.perf_counter() - t0
    rec["to_rdflib_s"] = timings.get("shacl_copy")  # the partial copy (slowest worker when split)
    rec["pyshacl_s"] = timings.get("shacl_pyshacl")
    rec["workers"] = timings.get("shacl_workers", 1)
    rec["problems"] = len(problems)
    rec["errors"] = sum(1 for p in problems if p.severity == "error")
