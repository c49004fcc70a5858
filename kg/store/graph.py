"""The embedded evidence store: Oxigraph for speed, rdflib as the API.

Measured (shared/PERFORMANCE-ANCHORS.md, and benchmarks/): at 10k papers rdflib's Memory store loads ~14x
slower and runs aggregates ~60x slower than Oxigraph, so the graph lives in a pyoxigraph Store; `.graph`
gives the same data as an rdflib Graph (oxrdflib) for code that wants rdflib.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Identifier

from kg.ingest.build import BuildResult, DataSources, assemble
from kg.ingest.errors import InputError
from kg.model.namespace import PREFIXES
from kg.query.binding import bind_values

if TYPE_CHECKING:
    from kg.store.remote import RemoteBackend

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}
_DECIMAL = {XSD + t for t in ("decimal", "double", "float")}


@dataclass
class KnowledgeGraph:
    """The built evidence graph and the build report that came with it.

    With `backend` set (kg.store.remote.RemoteBackend, see `connect`), execute/select/len go to that remote SPARQL
    store instead, and `store` is a placeholder that explains itself when used.
    """

    store: ox.Store
    build: BuildResult | None = None
    backend: RemoteBackend | None = None

    @property
    def graph(self) -> rdflib.Graph:
        """The same triples as an rdflib Graph (backed by the Oxigraph store, not a copy)."""
        from oxrdflib import OxigraphStore

        if self.backend is not None:
            return cast(rdflib.Graph, self.backend.rdflib_graph())
        g = rdflib.Graph(store=OxigraphStore(store=self.store), identifier=DATASET_DEFAULT_GRAPH_ID)
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, override=True)
        return g

    def __len__(self) -> int:
        if self.backend is not None:
            return self.backend.count()
        return len(self.store)

    def execute(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """Run SPARQL with the project prefixes predeclared; values in `bindings` are bound as RDF terms
        (kg.query.binding), never pasted into the text."""
        if self.backend is not None:
            return self.backend.execute(sparql, bindings)
        terms = {k: to_ox(v) for k, v in (bindings or {}).items()}
        return self.store.query(bind_values(sparql, terms), prefixes=PREFIXES)

    def select(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """SELECT rows as dicts of plain Python values (str, int, float; None for unbound)."""
        result = self.execute(sparql, bindings)
        names = [v.value for v in result.variables]
        return [{n: to_python(row[n]) for n in names} for row in result]

    def query(self, name_or_sparql: str, **params: Any) -> Any:
        """A named query (kg/queries/NAME.rq) with its parameters as keywords, as a pandas DataFrame:
        `load().query("claim_evidence", claim="claim:treatment-order-matters")`. Other text runs as ad-hoc
        SPARQL (a DataFrame for SELECT, a bool for ASK, an rdflib Graph for CONSTRUCT). See kg.query.named."""
        from kg.query.named import query

        return query(self, name_or_sparql, **params)


def to_ox(value: Any) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    """An rdflib term, pyoxigraph term or plain Python value as a pyoxigraph term (strings become literals)."""
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, rdflib.URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, rdflib.BNode):
        return ox.BlankNode(str(value))
    if isinstance(value, rdflib.Literal):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype))) if value.datatype else ox.Literal(str(value))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if isinstance(value, Identifier):
        return ox.Literal(str(value))
    return ox.Literal(str(value))


def to_python(term: Any) -> Any:
    """A pyoxigraph result term as a plain Python value (IRIs as strings)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _NUMERIC:
                return int(term.value)
            if dt in _DECIMAL:
                return float(term.value)
        except ValueError:
            return term.value
        if dt == XSD + "boolean":
            return term.value == "true"
        return term.value
    return term.value


def load(data_dir: Path | str | None = None, *, bib: Path | str | None = None, claims: Path | str | None = None,
         strict: bool = True, endpoint: str | None = None, graph: str | None = None,
         store_path: Path | str | None = None, rebuild: bool = False,
         progress: Callable[[str], None] | None = None) -> KnowledgeGraph:
    """Build the graph from data files (the repository's data/ by default).

    With strict=True an input with integrity errors raises InputError listing them; strict=False keeps
    the partial graph and leaves the problems in `.build.problems` (the validator's view).
    With `store_path` the graph lives in a persistent on-disk store there (kg.store.persistent.open_or_build): built
    once, reopened read-only while the input files are unchanged (`rebuild=True` forces a new build).
    `progress` is called with each build stage's name as it starts (kg.ingest.build.STAGES).
    With `endpoint` (a SPARQL query URL) nothing is built: the graph is the one `kg push` put in that store
    (see `connect`). The environment is not consulted here, so building and exporting stay local.
    """
    if endpoint:
        return connect(endpoint, graph=graph)
    sources = DataSources.resolve(Path(data_dir) if data_dir else None,
                                  Path(bib) if bib else None, Path(claims) if claims else None)
    if store_path:
        from kg.store.persistent import open_or_build

        return open_or_build(Path(store_path), sources, strict=strict, rebuild=rebuild, progress=progress)
    result = assemble(sources, progress=progress)
    if strict and result.errors:
        raise InputError(result.errors)
    return KnowledgeGraph(result.store, result)


def connect(endpoint: str | None = None, *, update_url: str | None = None, store_url: str | None = None,
            graph: str | None = None) -> KnowledgeGraph:
    """The graph in a remote SPARQL 1.1 store; unset arguments come from KG_SPARQL_ENDPOINT, KG_SPARQL_UPDATE,
    KG_GRAPH_STORE and KG_GRAPH_IRI (default graph https://w3id.org/hipspine/graph). See kg/remote.py."""
    from kg.store.remote import NoEmbeddedStore, RemoteBackend

    backend = RemoteBackend.from_env(endpoint, update_url=update_url, store_url=store_url, graph=graph)
    if backend is None:
        raise ValueError("no SPARQL endpoint given: pass one, or set KG_SPARQL_ENDPOINT")
    return KnowledgeGraph(cast(ox.Store, NoEmbeddedStore(backend)), None, backend)
