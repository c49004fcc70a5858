"""The graph in a pyoxigraph Store in this process (built in memory, or opened from disk by kg.store.persistent).

Measured (benchmarks/): at 10k papers rdflib's Memory store loads ~14x slower and runs aggregates ~60x slower than
Oxigraph, so the graph lives in a pyoxigraph Store; `rdflib_graph` gives the same data through rdflib's API
(oxrdflib) for code that wants it. User queries run in a child process that shares the store copy-on-write
(kg.query.guard.sandbox), or on the endpoint's pre-forked workers over `pool_store` (kg.query.guard.pool).
"""
from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Mapping

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.model.namespace import PREFIXES
from kg.model.terms import to_ox
from kg.query.binding import bind_values
from kg.query.guard.policy import QueryLimits, UserQueryResult, refuse, result_of
from kg.query.guard.sandbox import run_isolated
from kg.store.backend import Backend, QueryResult


class EmbeddedBackend(Backend):
    """A pyoxigraph Store holding the graph in its default graph."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"EmbeddedBackend({self.store!r})"

    def execute(self, sparql: str, bindings: Mapping[str, object] | None = None) -> QueryResult:
        terms = {k: to_ox(v) for k, v in (bindings or {}).items()}
        return self.store.query(bind_values(sparql, terms), prefixes=PREFIXES)

    def count(self) -> int:
        return len(self.store)

    def run_user_query(self, text: str, limits: QueryLimits) -> UserQueryResult:
        """Refuse updates and SERVICE, then parse and run `text` in a child process under `limits` (one child: a
        syntax error comes back from it with its line and column). The wall time is bounded by
        `limits.timeout_s` plus the time to kill the child (milliseconds)."""
        refuse(text)
        start = time.perf_counter()
        answer = run_isolated(self.store, text, timeout_s=limits.timeout_s, max_rows=limits.max_rows,
                              max_memory_mb=limits.max_memory_mb, start_method=limits.start_method)
        return result_of(answer, text, limits, time.perf_counter() - start)

    def snapshot(self) -> ox.Store:
        return self.store

    def rdflib_graph(self) -> rdflib.Graph:
        """The same triples as an rdflib Graph, backed by the Oxigraph store (not a copy)."""
        from oxrdflib import OxigraphStore  # rdflib's plugin machinery: loaded only when asked for

        graph = rdflib.Graph(store=OxigraphStore(store=self.store), identifier=DATASET_DEFAULT_GRAPH_ID)
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        return graph

    def pool_store(self) -> ox.Store | None:
        return self.store if "fork" in mp.get_all_start_methods() else None
