"""The SPARQL endpoints under concurrent clients: `kg serve` and Oxigraph's server on the same graph."""
from __future__ import annotations

import argparse
import multiprocessing as mp
import time
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.common import Recorder, current_rss_mb, percentile
from benchmarks.tasks.engines import http_rows, oxigraph_server, prepared_queries
from benchmarks.tasks.shared import run_queries
from tests.support.servers import KgServe, ServerStartError, sparql_query

# (query name, start, latency, HTTP status or exception name, truncated, bytes received)
Sample = tuple[str, float, float, int | str, bool, int]


def _client(url: str, queries: list[dict[str, Any]], offset: int, start_at: float, stop_at: float, timeout: float,
            pipe: Connection) -> None:
    """One closed-loop client (a forked process): sends the next query of the mix as soon as the last answer
    is read, from start_at until stop_at (CLOCK_MONOTONIC, shared by the processes), then reports its
    samples through the pipe. One new loopback connection per query; the body is read, not parsed."""
    samples: list[Sample] = []
    i = offset
    delay = start_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    while time.monotonic() < stop_at:
        q = queries[i % len(queries)]
        i += 1
        t0 = time.monotonic()
        try:
            status, headers, body = sparql_query(url, q["sparql"], timeout=timeout)
            sample: Sample = (q["name"], t0, time.monotonic() - t0, status,
                              headers.get("x-result-truncated") == "true", len(body))
        except Exception as exc:
            sample = (q["name"], t0, time.monotonic() - t0, type(exc).__name__, False, 0)
        samples.append(sample)
    pipe.send(samples)
    pipe.close()


def _load_run(url: str, queries: list[dict[str, Any]], clients: int, duration: float, timeout: float) -> dict[str, Any]:
    """`clients` closed-loop clients for `duration` seconds: queries/s, latency percentiles, errors."""
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
    samples: list[Sample] = []
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


def _load_levels(url: str, mixes: dict[str, list[dict[str, Any]]], a: argparse.Namespace, out: dict[str, Any],
                 rec: Recorder, key: str) -> None:
    """Every mix at every load level against `url`, into out["load"] (saved under rec[key] as it goes)."""
    out["load"] = {}
    for mix, qs in mixes.items():
        for n in a.clients:
            out["load"][f"{mix}/{n}"] = {"mix": mix, **_load_run(url, qs, n, a.duration, a.request_timeout)}
            rec[key] = out


def task_serve_load(a: argparse.Namespace, rec: Recorder) -> None:
    """The project's endpoint (`kg serve`, a subprocess on a loopback port, its graph built from --data at
    start) and Oxigraph's server on the same graph, each under 1, 4, 8... concurrent closed-loop clients
    (forked processes) for a fixed time, with the same mixes of named queries: one cheap lookup alone
    (claim_evidence, the query behind the README's endpoint figures), every lookup, every query; reported as
    queries/s, p50/p95 latency, errors. Each named query is also timed alone over `kg serve` (SPARQL-JSON parsed)."""
    prepared = prepared_queries(a)
    mixes = {"point": [q for q in prepared if q["name"] == a.point_query],
             "lookup": [q for q in prepared if not q.get("aggregate")], "all": prepared}
    mixes = {name: qs for name, qs in mixes.items() if qs and name in a.mixes}
    rec["mixes"] = {name: [q["name"] for q in qs] for name, qs in mixes.items()}
    rec["settings"] = {"clients": a.clients, "duration_s": a.duration, "request_timeout_s": a.request_timeout,
                       "kg_serve": "default limits: 10 s and 10,000 rows a query, one pre-forked query worker per CPU",
                       "client": "one new loopback connection per query; body read, not parsed"}
    kg_out: dict[str, Any] = {}
    # In this worker's process group (not a session of its own), so the runner's kill reaches it too.
    server = KgServe("--data", str(a.data), "--host", "127.0.0.1", start_timeout=a.load_cap, new_session=False)
    try:
        server.start()
    except ServerStartError as exc:
        kg_out["error"] = f"kg serve did not answer within {a.load_cap:g} s: {str(exc)[-1500:]}"
        rec["kg_serve"] = kg_out
    else:
        try:
            assert server.proc is not None
            kg_out["startup_s"] = server.startup_seconds
            kg_out["rss_after_start_mb"] = current_rss_mb(server.proc.pid)
            rec["kg_serve"] = kg_out
            url = server.query_url
            run_queries(rec, prepared, lambda q: http_rows(url, q["sparql"], a.request_timeout), a.repeat, a.cap)
            _load_levels(url, mixes, a, kg_out, rec, "kg_serve")
        finally:
            server.stop()
        kg_out["server_peak_rss_mb"] = server.peak_rss_mb
        rec["kg_serve"] = kg_out
    with oxigraph_server(a, rec, key="oxigraph") as ox_url:
        if ox_url is None:
            return
        _load_levels(ox_url, mixes, a, rec.data["oxigraph"], rec, "oxigraph")
