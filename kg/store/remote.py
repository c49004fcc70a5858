"""The evidence graph in a remote SPARQL 1.1 store (Oxigraph server, Virtuoso, Fuseki, GraphDB, …).

`RemoteBackend` runs queries over the SPARQL Protocol and hands back the same pyoxigraph result objects the
embedded store gives (`QuerySolutions`, `QueryBoolean`, triples), so `KnowledgeGraph.select`, the named
queries and everything built on them run unchanged. `push` loads the built graph into a named graph through
the Graph Store Protocol and swaps it in only after the upload has been checked.

Why the details are as they are (shared/TOOLING.md):

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
import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox

from kg.model.namespace import PREFIXES

if TYPE_CHECKING:
    import requests

    from kg.query.guard import QueryLimits, UserQueryResult

DEFAULT_GRAPH_IRI = "https://w3id.org/hipspine/graph"
# Environment variables read by `from_env` (and so by `kg.store.graph.connect`, the CLI's --endpoint options and the app).
ENV_ENDPOINT = "KG_SPARQL_ENDPOINT"
ENV_UPDATE = "KG_SPARQL_UPDATE"
ENV_STORE = "KG_GRAPH_STORE"
ENV_GRAPH = "KG_GRAPH_IRI"

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Tokens of a query that can hide a keyword: comments, strings, IRIs, variables, prefixed names.
_TOKENS = re.compile(
    r"""\#[^\n]*
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
      | <[^\s<>"{}|^`\\]*>
      | [?$][\w]+
      | [A-Za-z_][\w\-.]*(?::[\w\-.%]*)? | :[\w\-.%]*""",
    re.X,
)
_DECLARED_PREFIX = re.compile(r"\bPREFIX\s+([A-Za-z][\w\-.]*)?:", re.I)


class RemoteError(OSError):
    """The remote store refused or failed a request; carries the HTTP status and the server's message.
    An OSError, like pyoxigraph's evaluation errors, so callers catch both the same way."""

    def __init__(self, message: str, status: int | None = None, body: str = ""):
        self.status = status
        self.body = body
        super().__init__(message)


class RemoteSyntaxError(SyntaxError):
    """The remote store rejected the query text (HTTP 400); a SyntaxError, like the embedded store's."""


class PushError(RuntimeError):
    """`kg push` stopped before the swap; the previous graph is untouched."""


@dataclass(frozen=True)
class PushReport:
    """What a push did: the graph replaced, how many triples it now holds, and how long it took."""

    graph: str
    triples: int
    previous: int
    seconds: float
    method: str  # "gsp" or "update"


class RemoteTriples(list):  # type: ignore[type-arg]
    """CONSTRUCT/DESCRIBE triples from a remote store: a list of pyoxigraph Triples, serialisable like
    the embedded store's QueryTriples."""

    def serialize(self, output: Any = None, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> bytes | None:
        return ox.serialize(self, output, format=format)


def query_form(sparql: str) -> str:
    """'select', 'ask', 'construct' or 'describe': the query's first form keyword outside comments, strings
    and IRIs (a plain scan, so a SERVICE clause is never evaluated just to learn the form)."""
    for match in _TOKENS.finditer(sparql):
        word = match.group(0)
        if word[0] in "#\"'<?$:" or ":" in word:
            continue
        upper = word.upper()
        if upper in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return upper.lower()
    raise RemoteSyntaxError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")


def with_prefixes(sparql: str) -> str:
    """The query with PREFIX lines for the project prefixes it does not declare itself (the embedded store
    predeclares them through pyoxigraph's `prefixes=`; a remote store needs them in the text)."""
    declared = {m.group(1) or "" for m in _DECLARED_PREFIX.finditer(sparql)}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared]
    return "\n".join(lines) + "\n" + sparql if lines else sparql


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


class RemoteBackend:
    """A SPARQL 1.1 store reached over HTTP, holding the evidence graph in the named graph `graph`.

    `graph=None` queries the endpoint's own default graph (no `default-graph-uri`), e.g. a store the data
    was loaded into by other means. `timeout` is the HTTP read timeout for ordinary calls, in seconds.
    """

    def __init__(self, query_url: str, update_url: str | None = None, store_url: str | None = None, *,
                 graph: str | None = DEFAULT_GRAPH_IRI, timeout: float = 60.0,
                 session: requests.Session | None = None):
        import requests

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

    def execute(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """Like KnowledgeGraph.execute on the embedded store: project prefixes predeclared, `bindings`
        bound as VALUES terms; returns QuerySolutions, QueryBoolean or RemoteTriples."""
        from kg.query.binding import bind_values
        from kg.store.graph import to_ox

        terms = {k: to_ox(v) for k, v in (bindings or {}).items()}
        return self.query(with_prefixes(bind_values(sparql, terms)))

    def query(self, sparql: str, *, dataset: bool = True, timeout: float | None = None) -> Any:
        """Send `sparql` as is (no prefixes added). With `dataset`, the backend's graph is the default graph.
        Raises RemoteSyntaxError for a query the store rejects (400), RemoteError for anything else."""
        import requests

        form = query_form(sparql)
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
            fmt = _RESULT_FORMATS.get(mime)
            if fmt is None:
                raise RemoteError(f"{self.query_url} answered a {form.upper()} with '{mime}', not SPARQL results")
            return ox.parse_query_results(response.content, format=fmt)
        rdf = _GRAPH_FORMATS.get(mime)
        if rdf is None:
            raise RemoteError(f"{self.query_url} answered a {form.upper()} with '{mime}', not RDF")
        return RemoteTriples(q.triple for q in ox.parse(response.content, format=rdf))

    def select(self, sparql: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """SELECT rows as dicts of plain Python values, exactly as KnowledgeGraph.select gives them."""
        from kg.store.graph import to_python

        result = self.execute(sparql, bindings)
        names = [v.value for v in result.variables]
        return [{n: to_python(row[n]) for n in names} for row in result]

    def count(self, graph: str | None = None) -> int:
        """Triples in the named graph `graph`; without it, in the backend's dataset (its graph given as
        default-graph-uri, which also works on endpoints that serve the graph as their default graph)."""
        if graph:
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ox.NamedNode(graph).value}> {{ ?s ?p ?o }} }}"
            rows = list(self.query(text, dataset=False))
        else:
            rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
        return int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0

    def snapshot(self) -> ox.Store:
        """A local in-memory copy of the graph (for exports); the whole graph crosses the network."""
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object)
                     for t in self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
        return store

    def rdflib_graph(self) -> Any:
        """A read-only rdflib Graph over the remote graph (rdflib's SPARQLStore, with a fixed Accept order:
        rdflib builds it from a set, and Virtuoso honours whichever type comes first)."""
        import rdflib
        from rdflib.plugins.stores.sparqlstore import SPARQLStore

        store = SPARQLStore(self.query_url, method="POST_FORM")
        store.response_mime_types = lambda: "application/sparql-results+xml, application/rdf+xml;q=0.9"  # type: ignore[method-assign]
        graph = rdflib.Graph(store=store, identifier=rdflib.URIRef(self.graph) if self.graph else None)
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        return graph

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

    def push(self, ntriples: bytes, expected: int, *, graph: str | None = None,
             chunk_lines: int = 200_000) -> PushReport:
        """Replace `graph` with the N-Triples `ntriples` (which hold `expected` distinct triples), safely:

        1. upload into a fresh temporary graph (GSP PUT, then POSTs of further chunks; or INSERT DATA when
           no Graph Store URL is known),
        2. count the triples there and compare with `expected`,
        3. swap in one update request: `DROP SILENT GRAPH <g>; MOVE <tmp> TO <g>`. Oxigraph runs an update
           request as one transaction, so readers see the old graph or the new one.

        Any failure before the swap drops the temporary graph and raises PushError; the previous graph is
        never touched until the upload has been checked.
        """
        target = graph or self.graph
        if not target:
            raise PushError("push needs a named graph to replace (--graph IRI)")
        target = ox.NamedNode(target).value
        tmp = f"{target}/.push-{uuid.uuid4().hex}"
        start = time.perf_counter()
        lines = [line for line in ntriples.splitlines() if line.strip() and not line.lstrip().startswith(b"#")]
        # Chunks must not split blank-node scopes: with blank nodes, upload in one request.
        chunks = ([lines] if b"_:" in ntriples else
                  [lines[i:i + chunk_lines] for i in range(0, len(lines), chunk_lines)] or [[]])
        method = "gsp" if self.store_url else "update"
        try:
            previous = self.count(target)
            for i, chunk in enumerate(chunks):
                body = b"\n".join(chunk) + b"\n"
                if method == "gsp":
                    self.gsp_put(tmp, body, replace=(i == 0))
                elif chunk:
                    self.update(f"INSERT DATA {{ GRAPH <{tmp}> {{\n{body.decode('utf-8')}}} }}")
            got = self.count(tmp)
            if got != expected:
                raise PushError(f"the upload into the temporary graph <{tmp}> holds {got} triples, "
                                f"{expected} were sent; <{target}> was left as it was")
            self.update(f"DROP SILENT GRAPH <{target}> ;\nMOVE SILENT GRAPH <{tmp}> TO GRAPH <{target}>")
        except (RemoteError, PushError, RemoteSyntaxError) as exc:
            self._discard(tmp)
            if isinstance(exc, PushError):
                raise
            raise PushError(f"push to <{target}> failed, the previous graph is unchanged: {exc}") from exc
        except BaseException:
            self._discard(tmp)
            raise
        return PushReport(target, self.count(target), previous, time.perf_counter() - start, method)

    def _discard(self, tmp: str) -> None:
        """Best-effort removal of a temporary graph after a failed push (the failure is what gets reported)."""
        try:
            self.drop(tmp)
        except Exception:
            pass

    def temporary_graphs(self, graph: str | None = None) -> list[str]:
        """Temporary graphs left by pushes to `graph` (normally none: a failed push removes its own)."""
        prefix = f"{graph or self.graph}/.push-"
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False)
        return sorted(r["g"].value for r in rows if r["g"].value.startswith(prefix))


def run_user_query(backend: RemoteBackend, text: str, limits: QueryLimits | None = None) -> UserQueryResult:
    """kg.query.guard.run_user_query for a remote store: the same read-only check (update and SERVICE refused,
    syntax errors located), the time limit as the HTTP read timeout, and the row cap applied on arrival.
    The project prefixes are predeclared, as on the embedded store."""
    from kg.query.guard import QueryFailedError, QueryLimits, QueryTimeoutError, UserQueryResult, check_read_only, syntax_error
    from kg.store.graph import to_python

    limits = limits or QueryLimits()
    kind = check_read_only(text)
    start = time.perf_counter()
    try:
        result = backend.query(with_prefixes(text), timeout=limits.timeout_s)
    except RemoteSyntaxError as exc:
        raise syntax_error(exc, text) from None
    except RemoteError as exc:
        elapsed = time.perf_counter() - start
        if exc.status is None and elapsed >= limits.timeout_s:
            raise QueryTimeoutError(limits.timeout_s, elapsed) from None
        raise QueryFailedError(str(exc)) from None
    elapsed = time.perf_counter() - start
    if isinstance(result, ox.QueryBoolean):
        return UserQueryResult("ask", [], [], boolean=bool(result), elapsed=elapsed)
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        terms = list(_capped((tuple(s[c] for c in columns) for s in result), limits.max_rows + 1))
    else:
        columns = ["subject", "predicate", "object"]
        terms = list(_capped(((t.subject, t.predicate, t.object) for t in result), limits.max_rows + 1))
    truncated = len(terms) > limits.max_rows
    terms = terms[: limits.max_rows]
    rows = [tuple(to_python(t) for t in row) for row in terms]
    nt = "".join(f"{s} {p} {o} .\n" for s, p, o in terms) if kind in ("construct", "describe") else None
    return UserQueryResult(kind, columns, rows, graph_nt=nt, truncated=truncated, elapsed=elapsed, terms=terms)


def _capped(items: Iterable[Any], n: int) -> Iterator[Any]:
    for i, item in enumerate(items):
        if i >= n:
            return
        yield item


class EmbeddedStoreUnavailable(AttributeError):
    """Code that needs the embedded pyoxigraph store was given a graph that lives in a remote store."""


class NoEmbeddedStore:
    """Stands in for `KnowledgeGraph.store` when the graph is remote, so code that reaches for the embedded
    store fails with a message that says what to do instead of "'NoneType' has no attribute …"."""

    def __init__(self, backend: RemoteBackend):
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        raise EmbeddedStoreUnavailable(
            f"this graph lives in the remote SPARQL store {self._backend.query_url} (graph "
            f"<{self._backend.graph or 'default'}>), so it has no embedded pyoxigraph store (.store.{name}): use "
            "KnowledgeGraph.execute()/select(), or kg.store.graph.load() without an endpoint for a local build "
            "(backend.snapshot() gives a local copy)")

    def __len__(self) -> int:
        return self._backend.count()

    def __repr__(self) -> str:
        return f"NoEmbeddedStore({self._backend!r})"
