"""One benchmark task in its own process (so peak memory is per engine): `python -m benchmarks.worker TASK ...`.

Each task writes its results as JSON to --out after every step; the runner (benchmarks.run) starts the
workers, enforces the outer timeout and collects the files.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

T_START = time.perf_counter()

from benchmarks.common import (  # noqa: E402
    Recorder,
    Stopped,
    api_params,
    bound_sparql,
    cap,
    choose_params,
    count_rows,
    current_rss_mb,
    named_queries,
    proc_peak_rss_mb,
    query_api,
    timed,
)


def _sources(data: Path):  # type: ignore[no-untyped-def]
    from kg.build import DataSources

    return DataSources.resolve(data)


# ------------------------------------------------------------------------------------------------ tasks

def task_generate(a: argparse.Namespace, rec: Recorder) -> None:
    from kg.synth import generate

    stats = generate(a.papers, a.seed, a.data)
    rec["stats"] = stats.__dict__


def task_build(a: argparse.Namespace, rec: Recorder) -> None:
    """kg.build.assemble into an in-memory store (the app's start path): total and per-stage timings."""
    import pyoxigraph as ox

    from kg.build import assemble

    rec["rss_after_imports_mb"] = round(current_rss_mb(), 1)
    runs = []
    for i in range(a.repeat):
        t0 = time.perf_counter()
        result = assemble(_sources(a.data))
        total = time.perf_counter() - t0
        runs.append({"total": total, **result.timings})
        rec["runs"] = runs
        rec["triples"] = len(result.store)
        rec["errors"] = len(result.errors)
        rec["rss_after_build_mb"] = round(current_rss_mb(), 1)
        if i == 0 and a.nt:  # rewritten every run: the graph follows kg/build.py and kg/bib.py, not just the corpus
            tmp = Path(str(a.nt) + ".tmp")
            result.store.dump(output=str(tmp), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
            os.replace(tmp, a.nt)
        del result
        if total > 60:
            break


def task_raw_bib(a: argparse.Namespace, rec: Recorder) -> None:
    """bibtexparser's own parse of the same .bib: default stack, no LaTeX middleware (the target's first term)."""
    import bibtexparser

    t = timed(lambda: len(bibtexparser.parse_file(str(a.bib)).entries), repeat=a.repeat)
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
    """The SHACL stage of kg validate: the rdflib copy of the graph, then pySHACL over it."""
    from kg.build import assemble
    from kg.serialize import to_rdflib
    from kg.validate import shacl_problems

    sources = _sources(a.data)
    result = assemble(sources)
    rec["triples"] = len(result.store)
    _limit_memory(a.mem_cap, rec)
    t0 = time.perf_counter()
    try:
        with cap(a.cap):
            graph = to_rdflib(result.store)
            t1 = time.perf_counter()
            rec["to_rdflib_s"] = t1 - t0
            problems = shacl_problems(graph, sources, result.records)
            t2 = time.perf_counter()
    except Stopped:
        rec["stopped"] = True
        rec["shacl_stage_s"] = a.cap
        return
    except MemoryError:
        rec["error"] = f"MemoryError at the {a.mem_cap:g} MiB cap after {time.perf_counter() - t0:.1f} s"
        return
    rec["pyshacl_s"] = t2 - t1
    rec["shacl_stage_s"] = t2 - t0
    rec["problems"] = len(problems)
    rec["errors"] = sum(1 for p in problems if p.severity == "error")


def _run_queries(rec: Recorder, queries: list[dict[str, Any]], runner, repeat: int, cap_s: float | None) -> None:  # type: ignore[no-untyped-def]
    out: dict[str, Any] = {}
    for q in queries:
        t = timed(lambda q=q: count_rows(runner(q)), repeat=repeat, cap_s=cap_s, single_if_over=5.0)
        out[q["name"]] = {**t.as_dict(), "rows": t.value}
        rec["queries"] = out


def task_ox_mem(a: argparse.Namespace, rec: Recorder) -> None:
    """Embedded Oxigraph in memory: load the graph, choose the query parameters (written for the other
    engines), run every named query raw (store.query) and through kg.queries.run_named when it exists."""
    import pyoxigraph as ox

    from kg.store import KnowledgeGraph

    base = current_rss_mb()
    t0 = time.perf_counter()
    store = ox.Store()
    store.load(path=str(a.nt), format=ox.RdfFormat.N_TRIPLES)
    rec["load_s"] = time.perf_counter() - t0
    rec["graph_rss_mb"] = round(current_rss_mb() - base, 1)
    kg = KnowledgeGraph(store)
    cache: dict[str, str] = {}
    prepared = []
    for q in named_queries():
        params = choose_params(q, kg.select, cache)
        prepared.append({"name": q.name, "params": params, "aggregate": q.aggregate(params),
                         "sparql": bound_sparql(q, params)})
    Path(a.queries).write_text(json.dumps(prepared, indent=1), encoding="utf-8")
    rec["prepared"] = [{k: v for k, v in p.items() if k != "sparql"} for p in prepared]
    _run_queries(rec, prepared, lambda q: store.query(q["sparql"]), a.repeat, a.cap)
    api = query_api()
    rec["api_present"] = api is not None
    if api is not None:
        out: dict[str, Any] = {}
        for q in prepared:
            t = timed(lambda q=q: count_rows(api.run_named(kg, q["name"], api_params(q["params"]))),
                      repeat=a.repeat, cap_s=a.cap, single_if_over=5.0)
            out[q["name"]] = {**t.as_dict(), "rows": t.value}
            rec["api_queries"] = out


def task_ox_disk(a: argparse.Namespace, rec: Recorder) -> None:
    """The persistent store (kg.persist): cold build into RocksDB, then every named query on it."""
    from kg.persist import is_current, open_or_build, read_manifest

    sources = _sources(a.data)
    shutil.rmtree(a.store, ignore_errors=True)
    for sibling in (a.store.parent / f".{a.store.name}.stores", a.store.parent / f".{a.store.name}.lock"):
        if sibling.is_dir():
            shutil.rmtree(sibling, ignore_errors=True)
        else:
            sibling.unlink(missing_ok=True)
    t0 = time.perf_counter()
    kg = open_or_build(a.store, sources)
    rec["cold_build_s"] = time.perf_counter() - t0
    rec["build_timings"] = kg.build.timings if kg.build else None
    rec["triples"] = len(kg)
    rec["current"] = is_current(a.store, sources)
    rec["disk_mb"] = round(sum(f.stat().st_size for f in Path(a.store).resolve().rglob("*") if f.is_file()) / 2**20, 1)
    rec["manifest_build_s"] = (read_manifest(a.store) or {}).get("build_seconds")
    rec["rss_after_build_mb"] = round(current_rss_mb(), 1)
    prepared = json.loads(Path(a.queries).read_text(encoding="utf-8"))
    _run_queries(rec, prepared, lambda q: kg.store.query(q["sparql"]), a.repeat, a.cap)


def task_restart(a: argparse.Namespace, rec: Recorder) -> None:
    """A new process on an existing persistent store: imports, fingerprint check, open, first query."""
    t_imports = time.perf_counter()
    from kg.persist import fingerprint, open_or_build

    rec["imports_s"] = time.perf_counter() - t_imports + (t_imports - T_START)
    sources = _sources(a.data)
    t0 = time.perf_counter()
    fingerprint(sources)
    rec["fingerprint_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    kg = open_or_build(a.store, sources)
    rec["open_s"] = time.perf_counter() - t0
    rec["rebuilt"] = kg.build is not None
    prepared = json.loads(Path(a.queries).read_text(encoding="utf-8"))
    first = next((q for q in prepared if q["name"] == a.first_query), prepared[0] if prepared else None)
    if first is not None:
        t0 = time.perf_counter()
        rows = count_rows(kg.store.query(first["sparql"]))
        rec["first_query"] = {"name": first["name"], "seconds": time.perf_counter() - t0, "rows": rows}
    else:  # no named queries yet: a claim count stands in
        t0 = time.perf_counter()
        kg.select("SELECT (COUNT(*) AS ?n) WHERE { ?c a mp:Claim }")
        rec["first_query"] = {"name": "count-claims", "seconds": time.perf_counter() - t0, "rows": 1}
    rec["to_first_answer_s"] = time.perf_counter() - T_START


def _limit_memory(mb: float | None, rec: Recorder) -> None:
    """Cap this process's address space, so a runaway pure-Python query raises MemoryError instead of
    starving the machine (other people's work runs on it too)."""
    if mb:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (int(mb * 2**20), int(mb * 2**20)))
        rec["memory_cap_mb"] = mb


def task_rdflib(a: argparse.Namespace, rec: Recorder) -> None:
    """rdflib's Memory store: parse the same N-Triples (capped), then the same SPARQL text."""
    import rdflib

    _limit_memory(a.mem_cap, rec)

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
    prepared = json.loads(Path(a.queries).read_text(encoding="utf-8"))
    _run_queries(rec, prepared, lambda q: graph.query(q["sparql"]), a.repeat, a.cap)


def _http_query(url: str, sparql: str, timeout: float) -> int:
    req = urllib.request.Request(url, data=sparql.encode("utf-8"), method="POST", headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=timeout) as resp:
        body = json.loads(resp.read())
    return len(body["results"]["bindings"])


def task_server(a: argparse.Namespace, rec: Recorder) -> None:
    """Oxigraph server: `oxigraph load` into a stopped store, `oxigraph serve` on loopback, queries over HTTP
    (SPARQL-JSON parsed by json.loads, as a client would)."""
    import socket

    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        rec["error"] = "oxigraph CLI not found (pip install oxigraph)"
        return
    work = Path(tempfile.mkdtemp(prefix="oxserver-", dir=a.work))
    location = work / "store"
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen([binary, "load", "--location", str(location), "--file", str(a.nt)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        rec["cli_load"] = {"seconds": time.perf_counter() - t0, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                           "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "returncode": proc.returncode}
        if proc.returncode != 0:
            rec["error"] = (proc.stderr.read().decode(errors="replace") if proc.stderr else "")[-2000:]
            return
        rec["disk_mb"] = round(sum(f.stat().st_size for f in location.rglob("*") if f.is_file()) / 2**20, 1)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = open(work / "serve.log", "wb")
        server = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                                  stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/query"
        try:
            t0 = time.perf_counter()
            while True:
                try:
                    _http_query(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", 2)
                    break
                except (urllib.error.URLError, OSError):
                    if server.poll() is not None or time.perf_counter() - t0 > 60:
                        rec["error"] = (work / "serve.log").read_text(errors="replace")[-2000:]
                        return
                    time.sleep(0.1)
            rec["startup_s"] = time.perf_counter() - t0
            prepared = json.loads(Path(a.queries).read_text(encoding="utf-8"))
            _run_queries(rec, prepared, lambda q: _http_query(url, q["sparql"], a.cap or 600), a.repeat, a.cap)
            rec["server_peak_rss_mb"] = proc_peak_rss_mb(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def task_network(a: argparse.Namespace, rec: Recorder) -> None:
    """The evidence network projection and its pyvis HTML (kg.network), when that module exists."""
    import importlib

    try:
        network = importlib.import_module("kg.network")
    except ModuleNotFoundError as exc:
        if exc.name != "kg.network":
            raise
        rec["present"] = False
        return
    rec["present"] = True
    import pyoxigraph as ox

    from kg.store import KnowledgeGraph

    store = ox.Store()
    store.load(path=str(a.nt), format=ox.RdfFormat.N_TRIPLES)
    kg = KnowledgeGraph(store)
    if not hasattr(network, "evidence_network"):
        rec["error"] = "kg.network has no evidence_network"
        return
    base = current_rss_mb()
    t = timed(lambda: network.evidence_network(kg), repeat=a.repeat, cap_s=a.cap, single_if_over=10.0)
    rec["evidence_network"] = t.as_dict()
    graph = t.value
    if graph is None:
        return
    rec["nodes"] = graph.number_of_nodes()
    rec["edges"] = graph.number_of_edges()
    rec["network_rss_mb"] = round(current_rss_mb() - base, 1)
    if hasattr(network, "to_vis_html"):
        html_out: dict[str, Any] = {}
        for max_nodes in a.max_nodes:
            t = timed(lambda m=max_nodes: network.to_vis_html(graph, max_nodes=m), repeat=a.repeat, cap_s=a.cap)
            html, omitted = (t.value if isinstance(t.value, tuple) else (t.value, None))
            size = len(html.encode("utf-8")) if isinstance(html, str) else None
            html_out[str(max_nodes)] = {**t.as_dict(), "html_bytes": size, "omitted_nodes": omitted}
            rec["to_vis_html"] = html_out


TASKS = {
    "generate": task_generate, "build": task_build, "raw_bib": task_raw_bib, "raw_load": task_raw_load,
    "shacl": task_shacl, "ox_mem": task_ox_mem, "ox_disk": task_ox_disk, "restart": task_restart,
    "rdflib": task_rdflib, "server": task_server, "network": task_network,
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    p.add_argument("task", choices=sorted(TASKS))
    p.add_argument("--out", type=Path)
    p.add_argument("--data", type=Path)
    p.add_argument("--bib", type=Path)
    p.add_argument("--nt", type=Path)
    p.add_argument("--queries", type=Path)
    p.add_argument("--store", type=Path)
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    p.add_argument("--papers", type=int)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cap", type=float, default=None, help="per-operation time cap, seconds")
    p.add_argument("--load-cap", type=float, default=180.0)
    p.add_argument("--mem-cap", type=float, default=None, help="address-space cap, MiB (rdflib, shacl)")
    p.add_argument("--first-query", default="claim_evidence")
    p.add_argument("--max-nodes", type=int, nargs="*", default=[500, 2000])
    a = p.parse_args(argv)
    rec = Recorder(a.out)
    rec["task"] = a.task
    try:
        TASKS[a.task](a, rec)
    except Exception as exc:
        import traceback

        rec["error"] = f"{type(exc).__name__}: {exc}"
        rec["traceback"] = traceback.format_exc()[-4000:]
        rec.save()
        print(rec.data["traceback"], file=sys.stderr)
        return 1
    rec["wall_s"] = time.perf_counter() - T_START
    rec.save()
    if a.out is None:
        print(json.dumps(rec.data, indent=1, default=str))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
