"""The same named queries on every engine: embedded Oxigraph in memory and on disk (also a restart on that
store), Oxigraph server over HTTP, and rdflib's Memory store."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Recorder,
    Stopped,
    aggregate,
    api_params,
    bound_sparql,
    cap,
    choose_params,
    count_rows,
    current_rss_mb,
    named_queries,
)
from benchmarks.tasks.shared import limit_memory, run_queries, sources
from tests.support.servers import OxigraphServer, require_binary, sparql_query


def prepared_queries(a: argparse.Namespace) -> list[dict[str, Any]]:
    """The named queries with their parameters bound, as task_ox_mem wrote them to --queries."""
    queries: list[dict[str, Any]] = json.loads(Path(a.queries).read_text(encoding="utf-8"))
    return queries


def http_rows(url: str, sparql: str, timeout: float) -> int:
    """One query over HTTP, its SPARQL-JSON parsed as a client would; an HTTP error raises."""
    status, _, body = sparql_query(url, sparql, timeout=timeout)
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:200].decode(errors='replace').strip()}")
    return len(json.loads(body)["results"]["bindings"])


def _disk_mb(directory: Path) -> float:
    return round(sum(f.stat().st_size for f in directory.resolve().rglob("*") if f.is_file()) / 2**20, 1)


def task_ox_mem(a: argparse.Namespace, rec: Recorder) -> None:
    """Embedded Oxigraph in memory: load the graph, choose the query parameters (written for the other
    engines), run every named query raw (store.query) and through kg.query.named.run_named."""
    import pyoxigraph as ox

    from kg.query.named import run_named
    from kg.store.embedded import EmbeddedBackend
    from kg.store.graph import KnowledgeGraph

    base = current_rss_mb()
    t0 = time.perf_counter()
    store = ox.Store()
    store.load(path=str(a.nt), format=ox.RdfFormat.N_TRIPLES)
    rec["load_s"] = time.perf_counter() - t0
    rec["graph_rss_mb"] = round(current_rss_mb() - base, 1)
    kg = KnowledgeGraph(EmbeddedBackend(store))
    cache: dict[str, str] = {}
    prepared = []
    for q in named_queries():
        params = choose_params(q, kg.select, cache)
        prepared.append({"name": q.name, "params": params, "aggregate": aggregate(q, params),
                         "sparql": bound_sparql(q, params)})
    Path(a.queries).write_text(json.dumps(prepared, indent=1), encoding="utf-8")
    rec["prepared"] = [{k: v for k, v in p.items() if k != "sparql"} for p in prepared]
    run_queries(rec, prepared, lambda q: store.query(q["sparql"]), a.repeat, a.cap)
    run_queries(rec, prepared, lambda q: run_named(kg, q["name"], api_params(q["params"])), a.repeat, a.cap,
                key="api_queries")


def task_ox_disk(a: argparse.Namespace, rec: Recorder) -> None:
    """The persistent store (kg.store.persistent): cold build into RocksDB, then every named query on it."""
    from kg.store.persistent import is_current, open_or_build, read_manifest

    data = sources(a.data)
    shutil.rmtree(a.store, ignore_errors=True)
    for sibling in (a.store.parent / f".{a.store.name}.stores", a.store.parent / f".{a.store.name}.lock"):
        if sibling.is_dir():
            shutil.rmtree(sibling, ignore_errors=True)
        else:
            sibling.unlink(missing_ok=True)
    t0 = time.perf_counter()
    kg = open_or_build(a.store, data)
    rec["cold_build_s"] = time.perf_counter() - t0
    rec["build_timings"] = kg.build.timings if kg.build else None
    rec["triples"] = len(kg)
    rec["current"] = is_current(a.store, data)
    rec["disk_mb"] = _disk_mb(Path(a.store))
    rec["manifest_build_s"] = (read_manifest(a.store) or {}).get("build_seconds")
    rec["rss_after_build_mb"] = round(current_rss_mb(), 1)
    run_queries(rec, prepared_queries(a), lambda q: kg.snapshot().query(q["sparql"]), a.repeat, a.cap)


def task_restart(a: argparse.Namespace, rec: Recorder) -> None:
    """A new process on an existing persistent store: imports, fingerprint check, open, first query."""
    from kg.store.persistent import fingerprint, open_or_build

    rec["imports_s"] = time.perf_counter() - a.t_start  # the worker's own imports, then these
    data = sources(a.data)
    t0 = time.perf_counter()
    fingerprint(data)
    rec["fingerprint_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    kg = open_or_build(a.store, data)
    rec["open_s"] = time.perf_counter() - t0
    rec["rebuilt"] = kg.build is not None
    prepared = prepared_queries(a)
    first = next((q for q in prepared if q["name"] == a.first_query), prepared[0])
    t0 = time.perf_counter()
    rows = count_rows(kg.snapshot().query(first["sparql"]))
    rec["first_query"] = {"name": first["name"], "seconds": time.perf_counter() - t0, "rows": rows}
    rec["to_first_answer_s"] = time.perf_counter() - a.t_start


def task_rdflib(a: argparse.Namespace, rec: Recorder) -> None:
    """rdflib's Memory store: parse the same N-Triples (capped), then the same SPARQL text."""
    import rdflib

    limit_memory(a.mem_cap, rec)
    base = current_rss_mb()
    graph = rdflib.Graph()
    t0 = time.perf_counter()
    try:
        with cap(a.load_cap):
            graph.parse(str(a.nt), format="nt")
    except Stopped:
        rec["load"] = {"seconds": a.load_cap, "stopped": True, "triples_loaded": len(graph)}
        rec["graph_rss_mb"] = round(current_rss_mb() - base, 1)
        return
    except MemoryError:
        rec["load"] = {"seconds": time.perf_counter() - t0, "error": f"MemoryError at the {a.mem_cap:g} MiB cap",
                       "triples_loaded": len(graph)}
        return
    rec["load"] = {"seconds": time.perf_counter() - t0, "triples": len(graph)}
    rec["graph_rss_mb"] = round(current_rss_mb() - base, 1)
    run_queries(rec, prepared_queries(a), lambda q: graph.query(q["sparql"]), a.repeat, a.cap)


@contextlib.contextmanager
def oxigraph_server(a: argparse.Namespace, rec: Recorder, key: str | None = None) -> Iterator[str | None]:
    """`oxigraph load` the N-Triples into a fresh store, `oxigraph serve` it on a free loopback port; yields the
    query URL (None after recording an error). Load time, disk size, startup and the server's peak RSS go into
    rec (under rec[key] when given)."""
    out: dict[str, Any] = {}

    def note(name: str, value: Any) -> None:
        out[name] = value
        if key:
            rec[key] = out
        else:
            rec[name] = value

    binary = require_binary("oxigraph", "oxigraph", venv=True)
    work = Path(tempfile.mkdtemp(prefix="oxserver-", dir=a.work))
    location = work / "store"
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(binary), "load", "--location", str(location), "--file", str(a.nt)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)  # wait4, not wait(): the loader's own peak RSS and CPU time
        proc.returncode = os.waitstatus_to_exitcode(status)
        note("cli_load", {"seconds": time.perf_counter() - t0, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                          "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "returncode": proc.returncode})
        if proc.returncode != 0:
            note("error", (proc.stderr.read().decode(errors="replace") if proc.stderr else "")[-2000:])
            yield None
            return
        note("disk_mb", _disk_mb(location))
        # In this worker's process group, so the runner's kill of the worker reaches the server too.
        server = OxigraphServer(location=location, start_timeout=60, new_session=False)
        try:
            server.start()
        except RuntimeError as exc:  # ServerStartError, with the log tail
            note("error", str(exc)[-2000:])
            yield None
            return
        try:
            note("startup_s", server.startup_seconds)
            yield server.query_url
        finally:
            server.stop()
        note("server_peak_rss_mb", server.peak_rss_mb)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def task_server(a: argparse.Namespace, rec: Recorder) -> None:
    """Oxigraph server: `oxigraph load` into a stopped store, `oxigraph serve` on loopback, queries over HTTP
    (SPARQL-JSON parsed by json.loads, as a client would)."""
    with oxigraph_server(a, rec) as url:
        if url is None:
            return
        run_queries(rec, prepared_queries(a), lambda q: http_rows(url, q["sparql"], a.cap or 600), a.repeat, a.cap)
