"""Pieces several tasks use: the corpus's data sources, the built graph, a memory cap, timing every named query."""
from __future__ import annotations

import argparse
import functools
import resource
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.common import Recorder, count_rows, timed

if TYPE_CHECKING:
    from kg.ingest.build import DataSources
    from kg.store.graph import KnowledgeGraph

Task = Callable[[argparse.Namespace, Recorder], None]


def sources(data: Path) -> DataSources:
    from kg.ingest.build import DataSources

    return DataSources.resolve(data)


def load_kg(nt: Path) -> KnowledgeGraph:
    """The built graph (its N-Triples dump) in an in-memory Oxigraph store, as a KnowledgeGraph."""
    import pyoxigraph as ox

    from kg.store.embedded import EmbeddedBackend
    from kg.store.graph import KnowledgeGraph

    store = ox.Store()
    store.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    return KnowledgeGraph(EmbeddedBackend(store))


def limit_memory(mb: float | None, rec: Recorder) -> None:
    """Cap this process's address space, so a runaway pure-Python query raises MemoryError instead of
    starving the machine (other people's work runs on it too)."""
    if mb:
        resource.setrlimit(resource.RLIMIT_AS, (int(mb * 2**20), int(mb * 2**20)))
        rec["memory_cap_mb"] = mb


def run_queries(rec: Recorder, queries: list[dict[str, Any]], runner: Callable[[dict[str, Any]], Any], repeat: int,
                cap_s: float | None, key: str = "queries") -> None:
    """Time `runner` on every prepared query (its rows counted), into rec[key] as it goes."""
    def rows(q: dict[str, Any]) -> int:
        return count_rows(runner(q))

    out: dict[str, Any] = {}
    for q in queries:
        t = timed(functools.partial(rows, q), repeat=repeat, cap_s=cap_s, single_if_over=5.0)
        out[q["name"]] = {**t.as_dict(), "rows": t.value}
        rec[key] = out
