"""The analysis layer on the built graph: the evidence network and its vis-network page, the evidence summaries."""
from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from benchmarks.common import Recorder, current_rss_mb, timed
from benchmarks.tasks.shared import load_kg

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


def task_network(a: argparse.Namespace, rec: Recorder) -> None:
    """The evidence network projection (kg.analysis.network.evidence_network) and the self-contained vis-network page
    (kg.render.vis.to_vis_html, which inlines the vis-network vendored in kg/render/static) for the capped graph: the
    app's default cap (--app-cap) and larger ones; the first read of the vendored script is timed on its own."""
    from kg.analysis.network import evidence_network
    from kg.render.vis import to_vis_html, vis_assets

    kg = load_kg(a.nt)
    base = current_rss_mb()
    t = timed(lambda: evidence_network(kg), repeat=a.repeat, cap_s=a.cap, single_if_over=10.0)
    rec["evidence_network"] = t.as_dict()
    graph = t.value
    if graph is None:
        return
    rec["nodes"] = graph.number_of_nodes()
    rec["edges"] = graph.number_of_edges()
    rec["network_rss_mb"] = round(current_rss_mb() - base, 1)
    vis_assets.cache_clear()  # vis-network's script and stylesheet, read once per process
    t = timed(lambda: sum(len(x) for x in vis_assets()), repeat=1, cap_s=a.cap)
    rec["vis_assets"] = {**t.as_dict(), "chars": t.value}
    html_out: dict[str, Any] = {}
    for max_nodes in sorted({*a.max_nodes, a.app_cap}):
        t = timed(functools.partial(to_vis_html, graph, max_nodes=max_nodes), repeat=a.repeat, cap_s=a.cap)
        html, omitted = t.value if t.value is not None else (None, None)
        html_out[str(max_nodes)] = {**t.as_dict(), "html_bytes": len(html.encode("utf-8")) if html else None,
                                    "omitted_nodes": omitted, "app_default": max_nodes == a.app_cap}
        rec["to_vis_html"] = html_out


def _evidence_claims(kg: KnowledgeGraph) -> dict[str, str]:
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
    kg = load_kg(a.nt)
    rec["load_s"] = time.perf_counter() - t0
    claims = _evidence_claims(kg)
    rec["claims"] = claims
    ops: dict[str, Any] = {}

    def measure(name: str, func: Callable[[], Any], count: Callable[[Any], int], single_if_over: float = 5.0) -> None:
        t = timed(func, repeat=a.repeat, cap_s=a.cap, single_if_over=single_if_over)
        items = count(t.value) if t.value is not None and not t.error and not t.stopped else None
        ops[name] = {**t.as_dict(), "items": items}
        rec["ops"] = ops

    measure("evidence_table", lambda: evidence.evidence_table(kg), len)
    measure("fidelity_report", lambda: evidence.fidelity_report(kg), len)
    for role, iri in claims.items():
        measure(f"claim_summary ({role})", functools.partial(evidence.claim_summary, kg, iri), lambda s: len(s.studies))
        measure(f"explain_disagreements ({role})", functools.partial(evidence.explain_disagreements, kg, iri), len)
    measure("claims_overview", lambda: evidence.claims_overview(kg), len, single_if_over=2.0)
