"""KnowledgeGraph: the evidence graph, whichever store holds it, and the report of the build that made it.

Every operation goes to the graph's kg.store.backend.Backend (kg.store.embedded in this process, kg.store.remote
over HTTP); KnowledgeGraph never asks which one it has. kg.api.load and kg.api.connect make one.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.query.guard.policy import QueryLimits, UserQueryResult
from kg.query.named import query as run_query
from kg.store.backend import Backend, QueryResult

if TYPE_CHECKING:
    import pandas as pd
    import rdflib

    from kg.ingest.build import BuildResult


@dataclass
class KnowledgeGraph:
    """The evidence graph in `backend`, with the BuildResult when it was built in this process (None when it was
    reopened from a persistent store or lives in a remote one)."""

    backend: Backend
    build: BuildResult | None = None

    @property
    def graph(self) -> rdflib.Graph:
        """The same triples as an rdflib Graph (over the store itself, not a copy)."""
        return self.backend.rdflib_graph()

    def __len__(self) -> int:
        return self.backend.count()

    def execute(self, sparql: str, bindings: Mapping[str, object] | None = None) -> QueryResult:
        """Run SPARQL with the project prefixes predeclared; values in `bindings` are bound as RDF terms
        (kg.query.binding), never pasted into the text. QuerySolutions for SELECT, QueryBoolean for ASK,
        triples for CONSTRUCT and DESCRIBE."""
        return self.backend.execute(sparql, bindings)

    def select(self, sparql: str, bindings: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
        """SELECT rows as dicts of plain Python values (str, int, float, bool; None for unbound)."""
        return self.backend.select(sparql, bindings)

    def query(self, name_or_sparql: str, **params: Any) -> pd.DataFrame | bool | rdflib.Graph:
        """A named query (kg/query/rq/NAME.rq) with its parameters as keywords, as a pandas DataFrame:
        `load().query("claim_evidence", claim="claim:treatment-order-matters")`. Other text runs as ad-hoc
        SPARQL (a DataFrame for SELECT, a bool for ASK, an rdflib Graph for CONSTRUCT). See kg.query.named."""
        return run_query(self, name_or_sparql, **params)

    def run_user_query(self, text: str, limits: QueryLimits | None = None) -> UserQueryResult:
        """SPARQL typed by a user, under `limits` (default QueryLimits()): read-only, no SERVICE, time-limited,
        row-capped (kg.query.guard). Raises kg.query.guard.policy.QueryError."""
        return self.backend.run_user_query(text, limits or QueryLimits())

    def snapshot(self) -> ox.Store:
        """The graph as a pyoxigraph Store here (the store itself when embedded, a copy when remote)."""
        return self.backend.snapshot()
