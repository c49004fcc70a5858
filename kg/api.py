"""Where a KnowledgeGraph comes from: built from the data files, reopened from a persistent store, or found in a
remote SPARQL store. The one module that wires sources, builds and backends together.

    from kg import load, connect
    g = load()                                   # built from the curated data into an in-memory Oxigraph store
    g = load(store_path="~/.cache/hipspine")     # built once into RocksDB, reopened while the inputs are unchanged
    g = connect("http://127.0.0.1:7878/query")   # the graph `kg push` put into a remote store
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.ingest.build import DataSources, assemble
from kg.ingest.errors import InputError
from kg.store.embedded import EmbeddedBackend
from kg.store.graph import KnowledgeGraph
from kg.store.persistent import open_or_build
from kg.store.remote import RemoteBackend


def load(data_dir: Path | str | None = None, *, bib: Path | str | None = None, claims: Path | str | None = None,
         strict: bool = True, endpoint: str | None = None, graph: str | None = None,
         store_path: Path | str | None = None, rebuild: bool = False,
         progress: Callable[[str], None] | None = None) -> KnowledgeGraph:
    """Build the graph from data files (the curated data shipped with the package by default).

    With strict=True an input with integrity errors raises InputError listing them; strict=False keeps
    the partial graph and leaves the problems in `.build.problems` (the validator's view).
    With `store_path` the graph lives in a persistent on-disk store there (kg.store.persistent.open_or_build):
    built once, reopened read-only while the input files are unchanged (`rebuild=True` forces a new build).
    `progress` is called with each build stage's name as it starts (kg.ingest.build.STAGES).
    With `endpoint` (a SPARQL query URL) nothing is built: the graph is the one `kg push` put in that store
    (see `connect`). The environment is not consulted here, so building and exporting stay local.
    """
    if endpoint:
        return connect(endpoint, graph=graph)
    sources = DataSources.resolve(Path(data_dir) if data_dir else None,
                                  Path(bib) if bib else None, Path(claims) if claims else None)
    if store_path:
        return open_or_build(Path(store_path), sources, strict=strict, rebuild=rebuild, progress=progress)
    result = assemble(sources, progress=progress)
    if strict and result.errors:
        raise InputError(result.errors)
    return KnowledgeGraph(EmbeddedBackend(result.store), result)


def connect(endpoint: str | None = None, *, update_url: str | None = None, store_url: str | None = None,
            graph: str | None = None) -> KnowledgeGraph:
    """The graph in a remote SPARQL 1.1 store; unset arguments come from KG_SPARQL_ENDPOINT, KG_SPARQL_UPDATE,
    KG_GRAPH_STORE and KG_GRAPH_IRI (default graph https://w3id.org/hipspine/graph). See kg.store.remote."""
    backend = RemoteBackend.from_env(endpoint, update_url=update_url, store_url=store_url, graph=graph)
    if backend is None:
        raise ValueError("no SPARQL endpoint given: pass one, or set KG_SPARQL_ENDPOINT")
    return KnowledgeGraph(backend)
