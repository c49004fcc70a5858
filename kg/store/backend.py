"""What a store that holds the evidence graph must offer: the one interface KnowledgeGraph talks to.

Two implementations: kg.store.embedded.EmbeddedBackend (a pyoxigraph Store in this process, in memory or on disk)
and kg.store.remote.RemoteBackend (a SPARQL 1.1 store over HTTP). Code above the store (KnowledgeGraph, the named
queries, exports, the endpoint, the CLI) calls these methods and never asks which one it has.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from kg.model.terms import solution_rows

if TYPE_CHECKING:
    import rdflib

    from kg.query.guard.policy import QueryLimits, UserQueryResult


class Triples(Protocol):
    """What a CONSTRUCT or DESCRIBE gives: pyoxigraph's QueryTriples, or kg.store.remote.RemoteTriples."""

    def __iter__(self) -> Iterator[ox.Triple]: ...

    def serialize(self, output: IO[bytes] | str | os.PathLike[str] | None = None,
                  format: ox.RdfFormat | None = None) -> bytes | None: ...


QueryResult = ox.QuerySolutions | ox.QueryBoolean | Triples


class Backend(Protocol):
    """A store holding the graph. Implementations subclass this Protocol, so they share `select`."""

    def execute(self, sparql: str, bindings: Mapping[str, object] | None = None) -> QueryResult:
        """Run trusted SPARQL with the project prefixes predeclared; `bindings` are bound as RDF terms
        (kg.query.binding), never pasted into the text."""
        ...

    def select(self, sparql: str, bindings: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
        """SELECT rows as dicts of plain Python values (kg.model.terms.to_python; None for unbound). The
        values' types follow the query's columns, so rows are typed `Any`."""
        result = self.execute(sparql, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() runs SELECT queries; use execute() for ASK, CONSTRUCT and DESCRIBE")
        return solution_rows(result)

    def count(self) -> int:
        """How many triples the graph holds."""
        ...

    def run_user_query(self, text: str, limits: QueryLimits) -> UserQueryResult:
        """Untrusted SPARQL under kg.query.guard.policy: updates and SERVICE refused, syntax errors located,
        stopped at `limits.timeout_s`, cut at `limits.max_rows`."""
        ...

    def snapshot(self) -> ox.Store:
        """The graph as a pyoxigraph Store in this process, for exports: the store itself when it is embedded,
        a copy (the whole graph across the network) when it is remote."""
        ...

    def rdflib_graph(self) -> rdflib.Graph:
        """The graph through rdflib's API, with the project prefixes bound."""
        ...

    def pool_store(self) -> ox.Store | None:
        """The store a kg.query.guard.pool.QueryPool can fork its workers over, or None when queries cannot run
        in forked workers here (a remote store runs them itself; a platform without fork has none)."""
        ...
