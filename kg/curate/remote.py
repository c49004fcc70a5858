"""Apply an accepted curation change to a remote store that takes SPARQL Update, beside the local claims file.

The claims file stays the record of curation (kg.curate writes it as always); the remote graph, pushed from those
files by `kg push`, then gets the change's triple difference in one update request, `DELETE DATA` then `INSERT
DATA` in the backend's named graph (Oxigraph runs one request as one transaction, so readers see the graph before
or after the change). The difference is the change's records (kg.curate.store.delta, with a derived stance kept
while the new build still derives it) and the certainty ratings, compared with the new build's: the rating
follows the changed evidence, as a rebuild would rate it.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.curate.store import delta
from kg.curate.write import Applied
from kg.ingest.build import DataSources, assemble
from kg.model.namespace import PREFIXES
from kg.query.named import internal_query
from kg.store.remote import RemoteBackend, RemoteError


@dataclass(frozen=True)
class RemoteUpdate:
    """What a change did to the remote graph."""

    graph: str | None
    removed: int
    added: int
    seconds: float


def accepts_updates(backend: RemoteBackend) -> bool:
    """Whether the endpoint takes SPARQL Update here: an empty INSERT DATA (which changes nothing) is sent to its
    update URL; a read-only server, a missing update service or a refused request answers otherwise."""
    if not backend.update_url:
        return False
    try:
        backend.update(_in_graph(backend.graph, "INSERT DATA", ""), timeout=10.0)
    except RemoteError:
        return False
    return True


def _in_graph(graph: str | None, operation: str, ntriples: str) -> str:
    if graph:
        return f"{operation} {{ GRAPH <{ox.NamedNode(graph).value}> {{\n{ntriples}}} }}"
    return f"{operation} {{\n{ntriples}}}"


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    return "".join(f"{t} .\n" for t in sorted(triples, key=str))


def _ratings(triples: Iterable[ox.Triple] | ox.QuerySolutions | ox.QueryBoolean) -> set[ox.Triple]:
    if isinstance(triples, ox.QuerySolutions | ox.QueryBoolean):
        raise RemoteError("the store answered a CONSTRUCT with query results, not triples")
    return set(triples)


def remote_change(backend: RemoteBackend, applied: Applied, sources: DataSources) -> tuple[set[ox.Triple], set[ox.Triple]]:
    """(triples to delete, triples to insert) that take the remote graph from before the change to after it."""
    new = applied.store if applied.store is not None else assemble(sources).store  # the build of the changed files
    change = delta(applied.before_bytes, applied.after_bytes, applied.records, new)
    # A derived stance another line still implies stays (the new build holds it); so does anything it holds.
    removed = {t for t in change.removed if ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) not in new}
    added = set(change.added)
    query = internal_query("appraisal_triples").text
    before = _ratings(backend.execute(query))
    after = _ratings(new.query(query, prefixes=PREFIXES))
    return removed | (before - after), added | (after - before)


def apply_remote(backend: RemoteBackend, applied: Applied, sources: DataSources) -> RemoteUpdate:
    """Send the change to the remote graph as one update request (DELETE DATA ; INSERT DATA)."""
    started = time.perf_counter()
    removed, added = remote_change(backend, applied, sources)
    parts = []
    if removed:
        parts.append(_in_graph(backend.graph, "DELETE DATA", _ntriples(removed)))
    if added:
        parts.append(_in_graph(backend.graph, "INSERT DATA", _ntriples(added)))
    if parts:
        backend.update(" ;\n".join(parts))
    return RemoteUpdate(backend.graph, len(removed), len(added), time.perf_counter() - started)
