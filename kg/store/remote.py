"""The evidence graph in a remote SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, GraphDB, …).

`RemoteBackend` runs queries over the SPARQL Protocol and hands back the same pyoxigraph result objects the
embedded store gives (`QuerySolutions`, `QueryBoolean`, triples), so `KnowledgeGraph.select`, the named
queries and everything built on them run unchanged. kg.store.push loads the built graph into a named graph
through the Graph Store Protocol and swaps it in only after the upload has been checked.

Why the details are as they are:

* Always an explicit `Accept` that fits the query form: Virtuoso answers with the *first* type listed even
  when it does not fit (a SELECT as RDF/XML), and an ASK with no Accept as an HTML page.
* Queries carry `default-graph-uri=<graph>`: Oxigraph's default graph is its own (empty) default graph, not
  the union, and Virtuoso's is the union of every graph plus ~2.5k system triples. Naming the graph gives
  the same dataset on both.
* Virtuoso's JSON results use the pre-REC `"typed-literal"`; pyoxigraph's results parser accepts it, so a
  Virtuoso literal arrives with its datatype (tests/test_remote.py checks the raw JSON and the parsed term).
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import rdflib

from kg.model.namespace import PREFIXES
from kg.model.terms import ResultTerm, to_ox, to_python
from kg.query.binding import bind_values
from kg.query.guard.policy import (
    QueryFailedError,
    QueryLimits,
    QueryTimeoutError,
    UserQueryResult,
    check_read_only,
    syntax_error,
)
from kg.query.media_types import GRAPH_FORMATS, READABLE_RESULT_FORMATS
from kg.query.named import internal_query
from kg.query.text import QueryForm, query_form, with_prefixes
from kg.store.backend import Backend, QueryResult

if TYPE_CHECKING:
    import requests

DEFAULT_GRAPH_IRI = "https://w3id.org/hipspine/graph"
# Environment variables read by `from_env` (and so by `kg.api.connect`, the CLI's --endpoint options and the app).
ENV_ENDPOINT = "KG_SPARQL_ENDPOINT"
ENV_UPDATE = "KG_SPARQL_UPDATE"
ENV_STORE = "KG_GRAPH_STORE"
ENV_GRAPH = "KG_GRAPH_IRI"

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class RemoteError(OSError):
    """The remote store refused or failed a request; carries the HTTP status and the server's message.
    An OSError, like pyoxigraph's evaluation errors, so callers catch both the same way."""

    def __init__(self, message: str, status: int | None = None, body: str = ""):
        self.status = status
        self.body = body
        super().__init__(message)


class RemoteSyntaxError(SyntaxError):
    """The remote store rejected the query text (HTTP 400); a SyntaxError, like the embedded store's."""


class RemoteTriples(list[ox.Triple]):
    """CONSTRUCT/DESCRIBE triples from a remote store: a list of pyoxigraph Triples, serialisable like
    the embedded store's QueryTriples (N-Triples unless a format is given)."""

    def serialize(self, output: IO[bytes] | str | os.PathLike[str] | None = None,
                  format: ox.RdfFormat | None = None) -> bytes | None:
        return ox.serialize(self, output, format=format or ox.RdfFormat.N_TRIPLES)


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _reason(exc: Exception) -> str:
    """A short cause for a failed HTTP call (requests' own messages run to several nested reprs)."""
    import requests

    if isinstance(exc, requests.ConnectionError):
        return "connection refused or host unreachable"
    return type(exc).__name__ + (f": {str(exc)[:200]}" if str(exc) else "")


def derive_urls(query_url: str) -> tuple[str, str | None]:
    """(update URL, Graph Store URL) guessed from a query URL: Oxigraph's /query → /update and /store,
    Virtuoso's /sparql → /sparql and /sparql-graph-crud; otherwise the query URL itself and no GSP (push
    then uses SPARQL Update). Set KG_SPARQL_UPDATE / KG_GRAPH_STORE (or the CLI options) where they differ."""
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if path.endswith("/query"):
        base = path[: -len("/query")]
        return (urlunsplit(parts._replace(path=base + "/update", query="")),
                urlunsplit(parts._replace(path=base + "/store", query="")))
    if path.endswith("/sparql"):
        return query_url, urlunsplit(parts._replace(path=path + "-graph-crud", query=""))
    return query_url, None


class RemoteBackend(Backend):
    """A SPARQL 1.1 store reached over HTTP, holding the evidence graph in the named graph `graph`.

    `graph=None` queries the endpoint's own default graph (no `default-graph-uri`), e.g. a store the data
    was loaded into by other means. `timeout` is the HTTP read timeout for ordinary calls, in seconds.
    """

    def __init__(self, query_url: str, update_url: str | None = None, store_url: str | None = None, *,
                 graph: str | None = DEFAULT_GRAPH_IRI, timeout: float = 60.0,
                 session: requests.Session | None = None):
        import requests  # an HTTP client is only needed, and only loaded, for a remote store

        derived_update, derived_store = derive_urls(query_url)
        self.query_url = query_url
        self.update_url = update_url or derived_update
        self.store_url = store_url if store_url is not None else derived_store
        self.graph = graph or None
        self.timeout = timeout
        self.session = session or requests.Session()
        if urlsplit(query_url).hostname in _LOOPBACK:
            self.session.trust_env = False  # a proxy from the environment must never see loopback traffic

    @classmethod
    def from_env(cls, endpoint: str | None = None, *, update_url: str | None = None, store_url: str | None = None,
                 graph: str | None = None, env: Mapping[str, str] | None = None) -> RemoteBackend | None:
        """A backend from explicit values, else KG_SPARQL_ENDPOINT, KG_SPARQL_UPDATE, KG_GRAPH_STORE and
        KG_GRAPH_IRI; None when no endpoint is configured. KG_GRAPH_IRI='' or 'default' queries the
        endpoint's default graph."""
        env = os.environ if env is None else env
        endpoint = endpoint or env.get(ENV_ENDPOINT) or None
        if not endpoint:
            return None
        graph_iri = graph if graph is not None else env.get(ENV_GRAPH, DEFAULT_GRAPH_IRI)
        return cls(endpoint, update_url or env.get(ENV_UPDATE) or None, store_url or env.get(ENV_STORE) or None,
                   graph=None if graph_iri in ("", "default") else graph_iri)

    def __repr__(self) -> str:
        return f"RemoteBackend({self.query_url!r}, graph={self.graph!r})"

    # ------------------------------------------------------------------------------------------ reading

    def execute(self, sparql: str, bindings: Mapping[str, object] | None = None) -> QueryResult:
        """Like the embedded store: project prefixes predeclared (added to the text), `bindings` bound as VALUES
        terms; returns QuerySolutions, QueryBoolean or RemoteTriples."""
        terms = {k: to_ox(v) for k, v in (bindings or {}).items()}
        return self.query(with_prefixes(bind_values(sparql, terms)))

    def query(self, sparql: str, *, dataset: bool = True, timeout: float | None = None) -> QueryResult:
        """Send `sparql` as is (no prefixes added). With `dataset`, the backend's graph is the default graph.
        Raises RemoteSyntaxError for a query the store rejects (400) or that names no query form, RemoteError
        for anything else."""
        import requests

        form = query_form(sparql)
        if form is None:
            raise RemoteSyntaxError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue")
        data = {"query": sparql}
        if dataset and self.graph:
            data["default-graph-uri"] = self.graph
        accept = RESULTS_ACCEPT if form in ("select", "ask") else GRAPH_ACCEPT
        try:
            # POST form: no URL-length limit; every SPARQL 1.1 server takes it.
            response = self.session.post(self.query_url, data=data, headers={"Accept": accept},
                                         timeout=(10.0, timeout or self.timeout))
        except requests.Timeout:
            raise RemoteError(f"{self.query_url} gave no answer within {timeout or self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise RemoteError(f"cannot reach the SPARQL endpoint {self.query_url}: {_reason(exc)}") from None
        if response.status_code != 200:
            body = response.text[:2000]
            if response.status_code == 400:
                raise RemoteSyntaxError(f"{self.query_url} rejected the query (400): {body.strip()}")
            raise RemoteError(f"{self.query_url} answered {response.status_code}: {body.strip()}",
                              response.status_code, body)
        mime = _media_type(response)
        if form in ("select", "ask"):
            fmt = READABLE_RESULT_FORMATS.get(mime)
            if fmt is None:
                raise RemoteError(f"{self.query_url} answered a {form.upper()} with '{mime}', not SPARQL results")
            return ox.parse_query_results(response.content, format=fmt)
        rdf = GRAPH_FORMATS.get(mime)
        if rdf is None:
            raise RemoteError(f"{self.query_url} answered a {form.upper()} with '{mime}', not RDF")
        return RemoteTriples(q.triple for q in ox.parse(response.content, format=rdf))

    def count(self, graph: str | None = None) -> int:
        """Triples in the named graph `graph`; without it, in the backend's dataset (its graph given as
        default-graph-uri, which also works on endpoints that serve the graph as their default graph)."""
        if graph:
            text = bind_values(internal_query("graph_triple_count").text, {"g": ox.NamedNode(graph)})
            result = self.query(text, dataset=False)
        else:
            result = self.query(internal_query("triple_count").text)
        rows = list(result) if isinstance(result, ox.QuerySolutions) else []
        return int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0

    def snapshot(self) -> ox.Store:
        """A local in-memory copy of the graph (for exports); the whole graph crosses the network."""
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object)
                     for t in self._triples(self.query(internal_query("all_triples").text)))
        return store

    def rdflib_graph(self) -> rdflib.Graph:
        """A read-only rdflib Graph over the remote graph (rdflib's SPARQLStore, with a fixed Accept order:
        rdflib builds it from a set, and Virtuoso honours whichever type comes first)."""
        from rdflib.plugins.stores.sparqlstore import SPARQLStore

        store = SPARQLStore(self.query_url, method="POST_FORM")
        store.response_mime_types = lambda: "application/sparql-results+xml, application/rdf+xml;q=0.9"  # type: ignore[method-assign]
        graph = rdflib.Graph(store=store, identifier=rdflib.URIRef(self.graph) if self.graph else None)
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        return graph

    def pool_store(self) -> None:
        """None: the remote store runs the queries itself."""
        return None

    def run_user_query(self, text: str, limits: QueryLimits) -> UserQueryResult:
        """The same read-only check as for the embedded store (update and SERVICE refused, syntax errors
        located), the time limit as the HTTP read timeout, and the row cap applied on arrival. The project
        prefixes are predeclared, as on the embedded store."""
        kind = check_read_only(text)
        start = time.perf_counter()
        try:
            result = self.query(with_prefixes(text), timeout=limits.timeout_s)
        except RemoteSyntaxError as exc:
            raise syntax_error(exc, text) from None
        except RemoteError as exc:
            elapsed = time.perf_counter() - start
            if exc.status is None and elapsed >= limits.timeout_s:
                raise QueryTimeoutError(limits.timeout_s, elapsed) from None
            raise QueryFailedError(str(exc)) from None
        return _capped_result(result, kind, limits.max_rows, time.perf_counter() - start)

    @staticmethod
    def _triples(result: QueryResult) -> Iterable[ox.Triple]:
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            raise RemoteError("the store answered a CONSTRUCT with query results, not triples")
        return result

    # ------------------------------------------------------------------------------------------ writing

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        """Run a SPARQL Update (form `update=`); Oxigraph answers 204, Virtuoso 200 with a report."""
        import requests

        try:
            response = self.session.post(self.update_url, data={"update": sparql}, headers={"Accept": "*/*"},
                                         timeout=(10.0, timeout or self.timeout))
        except requests.RequestException as exc:
            raise RemoteError(f"cannot reach the SPARQL update endpoint {self.update_url}: {_reason(exc)}") from None
        if response.status_code not in (200, 204):
            raise RemoteError(f"update at {self.update_url} failed ({response.status_code}): "
                              f"{response.text[:2000].strip()}", response.status_code, response.text[:2000])

    def gsp_put(self, graph: str, data: bytes, content_type: str = "application/n-triples",
                *, replace: bool = True) -> int:
        """Graph Store Protocol PUT (replace) or POST (append) of `data` into `graph`; returns the status."""
        import requests

        if not self.store_url:
            raise RemoteError("no Graph Store Protocol URL is configured (set --store-url or KG_GRAPH_STORE)")
        try:
            response = self.session.request("PUT" if replace else "POST", self.store_url, params={"graph": graph},
                                            data=data, headers={"Content-Type": content_type},
                                            timeout=(10.0, max(self.timeout, 300.0)))
        except requests.RequestException as exc:
            raise RemoteError(f"cannot reach the Graph Store endpoint {self.store_url}: {_reason(exc)}") from None
        if response.status_code not in (200, 201, 204):
            raise RemoteError(f"Graph Store {'PUT' if replace else 'POST'} of <{graph}> at {self.store_url} failed "
                              f"({response.status_code}): {response.text[:2000].strip()}",
                              response.status_code, response.text[:2000])
        return response.status_code

    def drop(self, graph: str) -> None:
        """DROP SILENT GRAPH (no error if it does not exist)."""
        self.update(f"DROP SILENT GRAPH <{ox.NamedNode(graph).value}>")

    def graphs(self) -> list[str]:
        """The named graphs that hold triples in the store."""
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False)
        return [r["g"].value for r in result] if isinstance(result, ox.QuerySolutions) else []


def _capped_result(result: QueryResult, kind: QueryForm, max_rows: int, elapsed: float) -> UserQueryResult:
    """A whole answer from the store as a UserQueryResult, cut at `max_rows` (read no further than one more)."""
    if isinstance(result, ox.QueryBoolean):
        return UserQueryResult("ask", [], [], boolean=bool(result), elapsed=elapsed)
    rows_in: Iterable[tuple[ResultTerm | None, ...]]
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        rows_in = (tuple(solution) for solution in result)
    else:
        columns = ["subject", "predicate", "object"]
        rows_in = ((t.subject, t.predicate, t.object) for t in result)
    terms: list[tuple[ResultTerm | None, ...]] = []
    for row in rows_in:
        terms.append(row)
        if len(terms) > max_rows:
            break
    truncated = len(terms) > max_rows
    kept = terms[:max_rows]
    rows = [tuple(map(to_python, row)) for row in kept]
    nt = "".join(f"{s} {p} {o} .\n" for s, p, o in kept) if kind in ("construct", "describe") else None
    return UserQueryResult(kind, columns, rows, graph_nt=nt, truncated=truncated, elapsed=elapsed, terms=kept)
