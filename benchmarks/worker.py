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
    percentile,
    proc_peak_rss_mb,
    query_api,
    timed,
)


def _sources(data: Path):  # type: ignore[no-untyped-def]
    from kg.ingest.build import DataSources

    return DataSources.resolve(data)


# ------------------------------------------------------------------------------------------------ tasks

def task_generate(a: argparse.Namespace, rec: Recorder) -> None:
    from kg.synth.generator import generate

    stats = generate(a.papers, a.seed, a.data)
    rec["stats"] = stats.__dict__


def task_build(a: argparse.Namespace, rec: Recorder) -> None:
    """kg.ingest.build.assemble into an in-memory store (the app's start path): total and per-stage timings."""
    import pyoxigraph as ox

    from kg.ingest.build import assemble

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
    """The SHACL stage of kg validate (kg.quality.validate.shacl_stage): the partial rdflib copies, then pySHACL, split
    over forked workers as kg validate runs it."""
    from kg.ingest.build import assemble
    from kg.quality.validate import shacl_stage

    sources = _sources(a.data)
    result = assemble(sources)
    rec["triples"] = len(result.store)
    _limit_memory(a.mem_cap, rec)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        with cap(a.cap):
            problems = shacl_stage(result.store, sources, result.records, timings)
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


def _run_queries(rec: Recorder, queries: list[dict[str, Any]], runner, repeat: int, cap_s: float | None) -> None:  # type: ignore[no-untyped-def]
    out: dict[str, Any] = {}
    for q in queries:
        t = timed(lambda q=q: count_rows(runner(q)), repeat=repeat, cap_s=cap_s, single_if_over=5.0)
        out[q["name"]] = {**t.as_dict(), "rows": t.value}
        rec["queries"] = out


def task_ox_mem(a: argparse.Namespace, rec: Recorder) -> None:
    """Embedded Oxigraph in memory: load the graph, choose the query parameters (written for the other
    engines), run every named query raw (store.query) and through kg.query.named.run_named when it exists."""
    import pyoxigraph as ox

    from kg.store.graph import KnowledgeGraph

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
    """The persistent store (kg.store.persistent): cold build into RocksDB, then every named query on it."""
    from kg.store.persistent import is_current, open_or_build, read_manifest

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
    from kg.store.persistent import fingerprint, open_or_build

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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[Any]) -> None:
    """Stop a server this worker started (SIGTERM, then SIGKILL after 10 s)."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_ready(url: str, proc: subprocess.Popen[Any], limit: float, probe: str = "ASK { ?s ?p ?o }") -> float | None:
    """Seconds until `url` answers a query with 200, or None if the server exits or `limit` passes first."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        if proc.poll() is not None:
            return None
        with contextlib.suppress(OSError):
            if _post(url, probe, 5)[0] == 200:
                return time.perf_counter() - t0
        time.sleep(0.1)
    return None


@contextlib.contextmanager
def _oxigraph_server(a: argparse.Namespace, rec: Recorder, key: str | None = None):  # type: ignore[no-untyped-def]
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

    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if binary is None:
        note("error", "oxigraph CLI not found (pip install oxigraph)")
        yield None
        return
    work = Path(tempfile.mkdtemp(prefix="oxserver-", dir=a.work))
    location = work / "store"
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen([binary, "load", "--location", str(location), "--file", str(a.nt)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        note("cli_load", {"seconds": time.perf_counter() - t0, "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                          "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "returncode": proc.returncode})
        if proc.returncode != 0:
            note("error", (proc.stderr.read().decode(errors="replace") if proc.stderr else "")[-2000:])
            yield None
            return
        note("disk_mb", round(sum(f.stat().st_size for f in location.rglob("*") if f.is_file()) / 2**20, 1))
        port = _free_port()
        with open(work / "serve.log", "wb") as log:
            server = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                                      stdout=log, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}/query"
            try:
                ready = _wait_ready(url, server, 60)
                if ready is None:
                    note("error", (work / "serve.log").read_text(errors="replace")[-2000:] or "did not start")
                    yield None
                    return
                note("startup_s", ready)
                yield url
                note("server_peak_rss_mb", proc_peak_rss_mb(server.pid))
            finally:
                _stop(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def task_server(a: argparse.Namespace, rec: Recorder) -> None:
    """Oxigraph server: `oxigraph load` into a stopped store, `oxigraph serve` on loopback, queries over HTTP
    (SPARQL-JSON parsed by json.loads, as a client would)."""
    with _oxigraph_server(a, rec) as url:
        if url is None:
            return
        prepared = json.loads(Path(a.queries).read_text(encoding="utf-8"))
        _run_queries(rec, prepared, lambda q: _http_query(url, q["sparql"], a.cap or 600), a.repeat, a.cap)


def _load_kg(nt: Path):  # type: ignore[no-untyped-def]
    """The built graph (its N-Triples dump) in an in-memory Oxigraph store, as a KnowledgeGraph."""
    import pyoxigraph as ox

    from kg.store.graph import KnowledgeGraph

    store = ox.Store()
    store.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    return KnowledgeGraph(store)


def task_network(a: argparse.Namespace, rec: Recorder) -> None:
    """The evidence network projection (kg.analysis.network.evidence_network) and the self-contained vis-network page
    (to_vis_html, which inlines the vis-network that pyvis ships) for the capped graph: the app's default cap
    and larger ones; the first read of pyvis's bundled script is timed on its own."""
    import importlib

    try:
        network = importlib.import_module("kg.analysis.network")
    except ModuleNotFoundError as exc:
        if exc.name != "kg.analysis.network":
            raise
        rec["present"] = False
        return
    rec["present"] = True
    kg = _load_kg(a.nt)
    if not hasattr(network, "evidence_network"):
        rec["error"] = "kg.analysis.network has no evidence_network"
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
    assets = getattr(network, "_vis_assets", None)
    if assets is not None and hasattr(assets, "cache_clear"):  # pyvis's vis-network.min.js + css, read once per process
        assets.cache_clear()
        t = timed(lambda: sum(len(x) for x in assets()), repeat=1, cap_s=a.cap)
        rec["vis_assets"] = {**t.as_dict(), "chars": t.value}
    if hasattr(network, "to_vis_html"):
        html_out: dict[str, Any] = {}
        for max_nodes in sorted(set(a.max_nodes) | set(_app_caps())):
            t = timed(lambda m=max_nodes: network.to_vis_html(graph, max_nodes=m), repeat=a.repeat, cap_s=a.cap)
            html, omitted = (t.value if isinstance(t.value, tuple) else (t.value, None))
            size = len(html.encode("utf-8")) if isinstance(html, str) else None
            html_out[str(max_nodes)] = {**t.as_dict(), "html_bytes": size, "omitted_nodes": omitted,
                                        "app_default": max_nodes in _app_caps()}
            rec["to_vis_html"] = html_out


def _app_caps() -> list[int]:
    """The Network page's default node cap (DEFAULT_CAP in app_pages/network.py), read from the source."""
    import re

    path = Path(__file__).resolve().parent.parent / "app_pages" / "network.py"
    m = re.search(r"^DEFAULT_CAP\s*=\s*(\d+)", path.read_text(encoding="utf-8"), re.M) if path.exists() else None
    return [int(m.group(1))] if m else []


# ------------------------------------------------------------------------------------------ evidence summaries

def _evidence_claims(kg) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A few claims to summarise: the one with the most evidence lines, the most contested one (most studies
    on both sides) and one with a single evidence line."""
    chosen: dict[str, str] = {}
    rows = kg.select("""SELECT ?claim (COUNT(?e) AS ?n) WHERE { ?e hs:evidenceFor ?claim } GROUP BY ?claim
                        ORDER BY DESC(?n) ?claim LIMIT 1""")
    if rows:
        chosen["most evidence"] = rows[0]["claim"]
    rows = kg.select("""SELECT ?claim (COUNT(DISTINCT ?s) AS ?sup) (COUNT(DISTINCT ?c) AS ?con) WHERE {
                          { ?e hs:evidenceFor ?claim ; hs:stance hs:Supporting ; hs:evidenceFrom ?s }
                          UNION { ?e hs:evidenceFor ?claim ; hs:stance hs:Contradicting ; hs:evidenceFrom ?c } }
                        GROUP BY ?claim HAVING (COUNT(DISTINCT ?s) > 0 && COUNT(DISTINCT ?c) > 0)
                        ORDER BY DESC(?sup + ?con) ?claim LIMIT 2""")
    contested = [r["claim"] for r in rows if r["claim"] not in chosen.values()]
    if contested:
        chosen["most contested"] = contested[0]
    rows = kg.select("""SELECT ?claim WHERE { ?e hs:evidenceFor ?claim } GROUP BY ?claim HAVING (COUNT(?e) = 1)
                        ORDER BY ?claim LIMIT 1""")
    if rows:
        chosen["one line"] = rows[0]["claim"]
    return chosen


def task_evidence(a: argparse.Namespace, rec: Recorder) -> None:
    """kg.analysis.evidence, as the CLI (kg summary/explain/fidelity) and the app's Claims, Timeline and Data quality
    pages call it: evidence_table, fidelity_report, claim_summary and explain_disagreements for a few claims,
    then claims_overview (a summary of every claim), each on the graph loaded into an in-memory store."""
    from kg.analysis import evidence

    t0 = time.perf_counter()
    kg = _load_kg(a.nt)
    rec["load_s"] = time.perf_counter() - t0
    claims = _evidence_claims(kg)
    rec["claims"] = claims
    ops: dict[str, Any] = {}

    def measure(name: str, func, count, single_if_over: float = 5.0) -> None:  # type: ignore[no-untyped-def]
        t = timed(func, repeat=a.repeat, cap_s=a.cap, single_if_over=single_if_over)
        items = count(t.value) if t.value is not None and not t.error and not t.stopped else None
        ops[name] = {**t.as_dict(), "items": items}
        rec["ops"] = ops

    measure("evidence_table", lambda: evidence.evidence_table(kg), len)
    measure("fidelity_report", lambda: evidence.fidelity_report(kg), len)
    for role, iri in claims.items():
        measure(f"claim_summary ({role})", lambda iri=iri: evidence.claim_summary(kg, iri), lambda s: len(s.studies))
        measure(f"explain_disagreements ({role})", lambda iri=iri: evidence.explain_disagreements(kg, iri), len)
    measure("claims_overview", lambda: evidence.claims_overview(kg), len, single_if_over=2.0)


# ----------------------------------------------------------------------------------------------- app pages

def task_app_page(a: argparse.Namespace, rec: Recorder) -> None:
    """One page of the Streamlit app under streamlit.testing.v1.AppTest, in a process of its own: the app
    starts on its default page (graph built from KG_DATA_DIR, or opened from KG_STORE when the app reads
    it), st.cache_data is cleared, then the page's first render is timed, then a rerun (its data cached).
    The graph and the network (st.cache_resource) stay built, as they are for a visitor of a running app."""
    os.environ["KG_DATA_DIR"] = str(a.data)
    os.environ.pop("KG_SPARQL_ENDPOINT", None)
    resources = Path(__file__).resolve().parent.parent / "app_pages" / "resources.py"
    if a.store and Path(a.store).exists() and "KG_STORE" in resources.read_text(encoding="utf-8"):
        os.environ["KG_STORE"] = str(a.store)
        rec["source"] = f"KG_STORE={a.store}"
    else:
        os.environ.pop("KG_STORE", None)
        rec["source"] = "KG_DATA_DIR (graph built in memory at start)"
    _limit_memory(a.mem_cap, rec)
    from benchmarks.common import REPO, app_pages

    t0 = time.perf_counter()
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    rec["imports_s"] = time.perf_counter() - t0
    pages = app_pages()
    default = next((p["path"] for p in pages if p["default"]), None)
    rec["page"] = a.page
    rec["title"] = next((p["title"] for p in pages if p["path"] == a.page), a.page)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=a.cap or 600)

    def run(what: str) -> bool:
        t0 = time.perf_counter()
        try:
            at.run()
        except Exception as exc:  # AppTest raises RuntimeError when the script outlives its timeout
            seconds = time.perf_counter() - t0
            stopped = "timed out" in str(exc).lower() or "timeout" in str(exc).lower()
            rec[what] = {"seconds": a.cap if stopped else seconds, "stopped": stopped,
                         "error": None if stopped else f"{type(exc).__name__}: {exc}"[:500]}
            return False
        entry: dict[str, Any] = {"seconds": time.perf_counter() - t0, "rss_mb": round(current_rss_mb(), 1)}
        errors = [str(getattr(e, "value", e))[:500] for e in at.exception]
        if errors:
            entry["error"] = "; ".join(errors)[:1000]
        entry["titles"] = [t.value for t in at.title][:3]
        rec[what] = entry
        return not errors

    if not run("start") and a.page == default:
        return
    st.cache_data.clear()
    if a.page != default:
        at.switch_page(a.page)
    if run("first_render"):
        run("rerun")


# ---------------------------------------------------------------------------------- endpoints under load

def _post(url: str, sparql: str, timeout: float) -> tuple[int, dict[str, str], bytes]:
    """POST application/sparql-query on a new loopback connection, asking for SPARQL-JSON; the whole body is
    read, not parsed. (status, lower-cased headers, body)."""
    import http.client
    from urllib.parse import urlsplit

    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=timeout)
    try:
        conn.request("POST", u.path or "/", body=sparql.encode("utf-8"),
                     headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def _client(url: str, queries: list[dict[str, Any]], offset: int, start_at: float, stop_at: float, timeout: float,
            pipe: Any) -> None:
    """One closed-loop client (a forked process): sends the next query of the mix as soon as the last answer
    is read, from start_at until stop_at (CLOCK_MONOTONIC, shared by the processes), then reports its
    samples (name, start, latency, status, truncated, bytes) through the pipe."""
    samples = []
    i = offset
    delay = start_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    while time.monotonic() < stop_at:
        q = queries[i % len(queries)]
        i += 1
        t0 = time.monotonic()
        try:
            status, headers, body = _post(url, q["sparql"], timeout)
            sample = (q["name"], t0, time.monotonic() - t0, status, headers.get("x-result-truncated") == "true",
                      len(body))
        except Exception as exc:
            sample = (q["name"], t0, time.monotonic() - t0, type(exc).__name__, False, 0)
        samples.append(sample)
    pipe.send(samples)
    pipe.close()


def _load_run(url: str, queries: list[dict[str, Any]], clients: int, duration: float, timeout: float) -> dict[str, Any]:
    """`clients` closed-loop clients for `duration` seconds: queries/s, latency percentiles, errors."""
    import multiprocessing as mp
    from collections import Counter

    ctx = mp.get_context("fork")
    start_at = time.monotonic() + 0.5
    stop_at = start_at + duration
    procs, pipes = [], []
    for c in range(clients):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_client, args=(url, queries, c * max(1, len(queries) // clients), start_at, stop_at,
                                                 timeout, send), daemon=True)
        proc.start()
        send.close()
        procs.append(proc)
        pipes.append(receive)
    samples: list[tuple[Any, ...]] = []
    lost = 0
    for proc, pipe in zip(procs, pipes, strict=True):
        if pipe.poll(duration + timeout + 30):
            samples += pipe.recv()
        else:
            lost += 1
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
    if not samples:
        return {"clients": clients, "error": "no client reported", "lost_clients": lost}
    ok = sorted(s[2] for s in samples if s[3] == 200)
    end = max(s[1] + s[2] for s in samples)
    elapsed = end - start_at
    errors = Counter(str(s[3]) for s in samples if s[3] != 200)
    error_queries = Counter(s[0] for s in samples if s[3] != 200)
    return {"clients": clients, "duration_s": duration, "elapsed_s": round(elapsed, 3), "requests": len(samples),
            "ok": len(ok), "qps": round(len(ok) / elapsed, 2) if elapsed > 0 else None,
            "p50_s": percentile(ok, 50), "p95_s": percentile(ok, 95), "max_s": ok[-1] if ok else None,
            "mean_s": sum(ok) / len(ok) if ok else None, "errors": sum(errors.values()),
            "errors_by_status": dict(errors), "errors_by_query": dict(error_queries),
            "truncated": sum(1 for s in samples if s[4]), "mb_received": round(sum(s[5] for s in samples) / 2**20, 2),
            "lost_clients": lost}


def _query_json(url: str, sparql: str, timeout: float) -> int:
    """One query over HTTP, its SPARQL-JSON parsed (as the server task does); an HTTP error raises."""
    status, headers, body = _post(url, sparql, timeout)
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:200].decode(errors='replace').strip()}")
    return len(json.loads(body)["results"]["bindings"])


def task_serve_load(a: argparse.Namespace, rec: Recorder) -> None:
    """The project's endpoint (`kg serve`, a subprocess on a loopback port, its graph built from --data at
    start) and Oxigraph's server on the same graph, each under 1, 4, 8... concurrent closed-loop clients
    (forked processes) for a fixed time, with the same mixes of named queries: one cheap lookup alone
    (claim_evidence, the query behind the README's endpoint figures), every lookup, every query; reported as
    queries/s, p50/p95 latency, errors. Each named query is also timed alone over `kg serve` (SPARQL-JSON parsed)."""
    prepared = json.loads(Path(a.queries).read_text(encoding="utf-8"))
    mixes = {"point": [q for q in prepared if q["name"] == a.point_query],
             "lookup": [q for q in prepared if not q.get("aggregate")], "all": prepared}
    mixes = {name: qs for name, qs in mixes.items() if qs and name in a.mixes}
    rec["mixes"] = {name: [q["name"] for q in qs] for name, qs in mixes.items()}
    rec["settings"] = {"clients": a.clients, "duration_s": a.duration, "request_timeout_s": a.request_timeout,
                       "kg_serve": "default limits: 10 s and 10,000 rows a query, one pre-forked query worker per CPU",
                       "client": "one new loopback connection per query; body read, not parsed"}
    kg_bin = Path(sys.executable).parent / "kg"
    work = Path(tempfile.mkdtemp(prefix="kgserve-", dir=a.work))
    kg_out: dict[str, Any] = {}
    try:
        port = _free_port()
        url = f"http://127.0.0.1:{port}/sparql"
        with open(work / "serve.log", "wb") as log:
            # In this worker's process group (not a session of its own), so the runner's kill reaches it too.
            t0 = time.perf_counter()
            server = subprocess.Popen([str(kg_bin), "serve", "--data", str(a.data), "--host", "127.0.0.1",
                                       "--port", str(port), "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT)
            try:
                if _wait_ready(url, server, a.load_cap) is None:
                    log_text = (work / "serve.log").read_text(errors="replace")[-1500:]
                    kg_out["error"] = f"kg serve did not answer within {a.load_cap:g} s: {log_text}"
                    rec["kg_serve"] = kg_out
                else:
                    kg_out["startup_s"] = time.perf_counter() - t0
                    kg_out["rss_after_start_mb"] = _proc_rss_mb(server.pid)
                    rec["kg_serve"] = kg_out
                    _run_queries(rec, prepared, lambda q: _query_json(url, q["sparql"], a.request_timeout),
                                 a.repeat, a.cap)
                    kg_out["load"] = {}
                    for mix, qs in mixes.items():
                        for n in a.clients:
                            kg_out["load"][f"{mix}/{n}"] = {"mix": mix, **_load_run(url, qs, n, a.duration,
                                                                                      a.request_timeout)}
                            rec["kg_serve"] = kg_out
                    kg_out["server_peak_rss_mb"] = proc_peak_rss_mb(server.pid)
                    rec["kg_serve"] = kg_out
            finally:
                _stop(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with _oxigraph_server(a, rec, key="oxigraph") as ox_url:
        if ox_url is None:
            return
        ox_out = rec.data["oxigraph"]
        ox_out["load"] = {}
        for mix, qs in mixes.items():
            for n in a.clients:
                ox_out["load"][f"{mix}/{n}"] = {"mix": mix, **_load_run(ox_url, qs, n, a.duration, a.request_timeout)}
                rec["oxigraph"] = ox_out


def _proc_rss_mb(pid: int) -> float | None:
    """Current RSS (VmRSS) of another process, MiB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


TASKS = {
    "generate": task_generate, "build": task_build, "raw_bib": task_raw_bib, "raw_load": task_raw_load,
    "shacl": task_shacl, "ox_mem": task_ox_mem, "ox_disk": task_ox_disk, "restart": task_restart,
    "rdflib": task_rdflib, "server": task_server, "network": task_network, "evidence": task_evidence,
    "app_page": task_app_page, "serve_load": task_serve_load,
}


def _int_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


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
    p.add_argument("--max-nodes", type=int, nargs="*", default=[500, 2000],
                   help="vis-network caps besides the app's default (app_pages/network.py DEFAULT_CAP)")
    p.add_argument("--page", help="app_page: the page module, e.g. app_pages/claims.py")
    p.add_argument("--clients", type=_int_list, default=[1, 4, 8], help="serve_load: concurrent clients, e.g. 1,4,8")
    p.add_argument("--duration", type=float, default=10.0, help="serve_load: seconds per load level")
    p.add_argument("--request-timeout", type=float, default=60.0, help="serve_load: client timeout per request")
    p.add_argument("--mixes", type=lambda t: t.split(","), default=["point", "lookup", "all"],
                   help="serve_load: query mixes: point (--point-query alone), lookup (every query not counted as an "
                        "aggregate), all (every named query)")
    p.add_argument("--point-query", default="claim_evidence", help="serve_load: the query of the point mix")
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
