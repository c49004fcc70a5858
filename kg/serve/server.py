"""A read-only SPARQL 1.1 Protocol endpoint over the evidence graph: `create_app(kg, limits)` gives a FastAPI app
with `/sparql` (queries, and the service description), `/queries` (the named queries) and `/`.

Why a thin FastAPI layer over the embedded store (issue 5; 2 CPUs, loopback clients): it is the only candidate
that enforces the project's query limits per request. Queries run on a kg.query.guard.QueryPool: worker processes
forked once the graph is loaded (one per CPU, `kg serve --workers N`), sharing it copy-on-write; each checks the
query (no update, no SERVICE), caps its memory, evaluates, applies the row cap and writes the response body, and
a worker past the time limit is killed and replaced. The event loop only reads the query's leading keyword to
pick the response format; nothing on it waits for a process. Measured on 1k synthetic papers (2026-11-21,
benchmarks task serve_load, `claim_evidence` alone): 360-440 queries/s at 1-8 clients, p50 2.6-18 ms, Oxigraph's
server 490-590/s in the same run (270-460 and 490-930/s over three runs on this shared machine). Before the
pool, every query forked a parse-check child on the event loop and then a query child (~20 ms of CPU a query,
mostly the kernel's fork and exit): 42-55 queries/s however many clients. Oxigraph's server's `--timeout-s`
answers 200 with the JSON cut off by an error text, it has no row cap, no predeclared prefixes and no list of
the named queries; rdflib-endpoint (110-210/s here, 35-45/s on the 33-row evidence_table) has no limits at all,
no TSV, and labels Turtle as text/csv.

Behaviour a client can rely on:

* GET `/sparql?query=…`, POST form (`query=…`) and POST `application/sparql-query`. The project prefixes
  (hs:, claim:, c:, … see docs/MODEL.md) are predeclared. `default-graph-uri` may name only the graph itself
  (https://w3id.org/hipspine/graph), so kg.store.remote.RemoteBackend can point at this endpoint too.
* Content negotiation with q-values: SELECT/ASK as JSON (default), XML, CSV, TSV; CONSTRUCT/DESCRIBE as Turtle
  (default), N-Triples, JSON-LD, RDF/XML. A combination that cannot be served is 406, naming what can.
* Read-only: `update=`, `application/sparql-update` and an update sent as `query=` are refused with 403.
* Limits: a query past the time limit is stopped and answered 504 ("query exceeded the 10 s time limit…").
  A result longer than the row cap is cut to the cap and answered 200 with `X-Result-Truncated: true`
  (always present, `false` otherwise) and `X-Result-Limit: N`: clients keep the rows and can page with
  LIMIT/OFFSET. A request waits for a free query worker up to the time limit, then gets 503 with
  Retry-After (also at once when too many are already waiting).
* Errors are text/plain: 400 with the parser's message (line and column) for bad SPARQL.
* GET `/sparql` without a query: a SPARQL Service Description (Turtle by default) whose examples are the
  named queries (SHACL `sh:SPARQLExecutable`, the convention of the SIB/UniProt example sets).
* CORS is off unless `cors_origins` is given.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from kg.model.namespace import PREFIXES
from kg.query.guard import (
    ForbiddenQueryError,
    PoolBusyError,
    QueryError,
    QueryLimits,
    QueryPool,
    QuerySyntaxError,
    QueryTimeoutError,
    RenderedResult,
    UserQueryResult,
    check_read_only,
    query_form,
)
from kg.store.remote import DEFAULT_GRAPH_IRI

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

MAX_QUERY_BYTES = 1_000_000  # a query longer than this is refused (413) before it is parsed
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# What the endpoint offers, in its own order of preference (used to break ties in the client's Accept).
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/json": ox.RdfFormat.JSON_LD,
}
_FORMAT_IRIS = {  # http://www.w3.org/ns/formats/ names for the service description
    "application/sparql-results+json": "SPARQL_Results_JSON", "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle", "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}
SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
VOID = "http://rdfs.org/ns/void#"
_SD_PREFIXES = {"sd": SD, "sh": SH, "schema": SCHEMA, "void": VOID, "formats": "http://www.w3.org/ns/formats/",
                "rdfs": PREFIXES["rdfs"], "dcterms": PREFIXES["dcterms"], "xsd": PREFIXES["xsd"]}


# ------------------------------------------------------------------------------------ content negotiation

@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    index: int


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header with their q-values (bad q-values count as 1, like browsers)."""
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        main, _, sub = fields[0].lower().partition("/")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(main, sub or "*", q, index))
    return ranges


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers: highest q, then the most specific matching range, then the client's
    order, then ours. No Accept header (or an empty one) means our first offer; None means 406.
    A more specific range decides an offer's q (`*/*, text/csv;q=0` excludes CSV)."""
    if header is None or not header.strip():
        return offers[0]
    ranges = parse_accept(header)
    best: tuple[tuple[float, int, int, int], str] | None = None
    for ours, offer in enumerate(offers):
        main, sub = offer.split("/")
        match: tuple[int, float, int] | None = None
        for r in ranges:
            if r.type == main and r.subtype == sub:
                specificity = 3
            elif r.type == main and r.subtype == "*":
                specificity = 2
            elif r.type == "*":
                specificity = 1
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, r.q, r.index)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -match[2], -ours)
        if best is None or key > best[0]:
            best = (key, offer)
    return best[1] if best else None


# ------------------------------------------------------------------------------------ serialisation

def term_json(term: Any) -> dict[str, Any] | None:
    """A pyoxigraph term as a SPARQL 1.1 JSON results binding."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def results_json(result: UserQueryResult) -> bytes:
    """SELECT/ASK results as SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode()
    bindings = [{c: b for c, t in zip(result.columns, row, strict=True) if (b := term_json(t)) is not None}
                for row in result.terms]
    return json.dumps({"head": {"vars": list(result.columns)}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")


def serialize_results(result: UserQueryResult, media_type: str) -> bytes:
    """SELECT/ASK results in one of RESULT_TYPES: written as JSON, converted by pyoxigraph's writers."""
    body = results_json(result)
    fmt = RESULT_TYPES[media_type]
    if fmt == ox.QueryResultsFormat.JSON:
        return body
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt) or b""


def used_prefixes(terms: Sequence[Any], prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI in `terms` is in, so Turtle output stays short."""
    iris = {t.value for t in terms if isinstance(t, ox.NamedNode)}
    iris |= {t.datatype.value for t in terms if isinstance(t, ox.Literal)}
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def serialize_graph(triples: Sequence[ox.Triple], media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in one of GRAPH_TYPES (Turtle and RDF/XML with the prefixes the data uses)."""
    fmt = GRAPH_TYPES[media_type]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        terms = [t for triple in triples for t in (triple.subject, triple.predicate, triple.object)]
        return ox.serialize(triples, format=fmt, prefixes=used_prefixes(terms, prefixes or PREFIXES)) or b""
    return ox.serialize(triples, format=fmt) or b""


def render_body(result: UserQueryResult, media_type: str) -> bytes:
    """A query's answer in `media_type`: RESULT_TYPES for SELECT/ASK, GRAPH_TYPES for CONSTRUCT/DESCRIBE.
    Runs in the query worker for the embedded graph (QueryPool.run_rendered)."""
    if result.kind in ("select", "ask"):
        return serialize_results(result, media_type)
    return serialize_graph([ox.Triple(*t) for t in result.terms], media_type)


# ------------------------------------------------------------------------------------ running queries

def run_query(kg: KnowledgeGraph, text: str, limits: QueryLimits) -> UserQueryResult:
    """A user query under `limits` (kg.query.guard.run_user_query: a child process killed at the time limit for the
    embedded store; for a remote store, kg.store.remote.run_user_query with the limit as the HTTP timeout)."""
    from kg.query.guard import run_user_query

    return run_user_query(kg, text, limits)


class _Refusal(Exception):
    """A request answered with an error status and a plain-text message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        self.status = status
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


READ_ONLY = ("this endpoint is read-only: SPARQL Update is not accepted. Only SELECT, ASK, CONSTRUCT and "
             "DESCRIBE queries can be run (use `kg push` to load the graph into a store you manage).")


def create_app(kg: KnowledgeGraph, limits: QueryLimits | None = None, cors_origins: Sequence[str] | None = None, *,
               graph_iri: str = DEFAULT_GRAPH_IRI, max_concurrent: int | None = None, pool: QueryPool | None = None,
               max_waiting: int | None = None) -> FastAPI:
    """The endpoint as a FastAPI app over `kg` (embedded or remote). `limits` bound every query (default
    10 s, 10,000 rows); `cors_origins` enables CORS for those origins ("*" for any).

    `max_concurrent` caps the queries running at once. For a graph in this process they run on a
    kg.query.guard.QueryPool of that many pre-forked workers (default: one per CPU): `pool`, started and closed
    by the caller (`kg serve` forks it before the server starts its threads), or else one the app starts
    when it starts (or at its first query) and closes when it stops. For a remote store it caps the
    requests in flight to it (default: 2 per CPU). A request that finds every slot taken waits up to the
    time limit, then gets 503; `max_waiting` (default: 16 per slot) bounds how many wait, beyond which a
    request gets 503 at once."""
    limits = limits or QueryLimits()
    embedded = getattr(kg, "backend", None) is None and "fork" in mp.get_all_start_methods()
    if pool is not None:
        slots = pool.size
    elif embedded:
        slots = max_concurrent or os.cpu_count() or 1
    else:
        slots = max_concurrent or 2 * (os.cpu_count() or 1)
    queue_cap = max_waiting if max_waiting is not None else 16 * slots
    pool_lock = threading.Lock()
    own_pool = embedded and pool is None

    def query_pool() -> QueryPool:
        """The app's pool, started on first use if the app did not start it (lifespan off)."""
        with pool_lock:
            current: QueryPool | None = app.state.pool
            if current is None:
                import atexit

                current = app.state.pool = QueryPool(kg.store, slots)
                atexit.register(current.close)
            return current

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if own_pool:
            query_pool()  # fork the workers before the first request rather than during it
        try:
            yield
        finally:
            with pool_lock:
                started, app.state.pool = app.state.pool, pool
            if own_pool and started is not None:
                import atexit

                atexit.unregister(started.close)
                started.close()

    app = FastAPI(title="Hip-spine evidence graph: SPARQL endpoint", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    app.state.kg = kg
    app.state.limits = limits
    app.state.pool = pool  # the QueryPool running the queries (None for a remote store, or until started)
    app.state.limiter = None  # created on first use: anyio primitives need the running event loop
    triple_count: list[int] = []  # computed once, for the service description

    def run(text: str, media_type: str) -> RenderedResult:
        """The query and its answer in `media_type`, in a thread: for an embedded graph both on a pool
        worker; for a remote store through kg.store.remote, written here."""
        if embedded:
            return query_pool().run_rendered(text, limits, render_body, media_type)
        result = run_query(kg, text, limits)
        return RenderedResult(result.kind, render_body(result, media_type), result.truncated, result.elapsed)

    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Content-Type"],
                           expose_headers=["X-Result-Truncated", "X-Result-Limit"])

    def refusal_response(exc: _Refusal) -> Response:
        return Response(exc.message.rstrip("\n") + "\n", status_code=exc.status, media_type="text/plain",
                        headers=exc.headers)

    async def read_request(request: Request) -> tuple[dict[str, list[str]], str | None]:
        """Protocol parameters and, for `application/sparql-query`, the query in the body."""
        params = parse_qs(request.url.query, keep_blank_values=True)
        if request.method != "POST":
            return params, None
        mime = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if len(body) > MAX_QUERY_BYTES:
            raise _Refusal(413, f"the request body is over the {MAX_QUERY_BYTES:,} byte limit")
        if not body and not mime:
            return params, None  # an empty POST: answered "no query given" below, like a bare GET
        if mime == "application/sparql-update":
            raise _Refusal(403, READ_ONLY)
        if mime == "application/sparql-query":
            return params, body.decode("utf-8", errors="replace")
        if mime == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            return params, None
        raise _Refusal(415, f"unsupported Content-Type '{mime or 'none'}': POST a query as "
                            "application/x-www-form-urlencoded (query=…) or as application/sparql-query")

    def check_dataset(params: dict[str, list[str]]) -> None:
        """Only this graph can be named: the endpoint serves one graph and no named graphs."""
        for iri in params.get("default-graph-uri", []):
            if iri != graph_iri:
                raise _Refusal(400, f"default-graph-uri <{iri}> is not served here; this endpoint holds one graph, "
                                    f"<{graph_iri}> (leave default-graph-uri out, or name that graph)")
        if params.get("named-graph-uri"):
            raise _Refusal(400, f"named-graph-uri is not supported: this endpoint holds one graph, <{graph_iri}>, "
                                "as its default graph")

    def offers_for(kind: str) -> list[str]:
        return list(RESULT_TYPES) if kind in ("select", "ask") else list(GRAPH_TYPES)

    async def answer(request: Request, params: dict[str, list[str]], text: str) -> Response:
        import anyio

        check_dataset(params)
        if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
            raise _Refusal(413, f"the query is over the {MAX_QUERY_BYTES:,} byte limit")
        # The form, for the response format, from the leading keyword alone (microseconds, on the event loop).
        # The process that runs the query checks it (update, SERVICE: 403) and parses it (400).
        kind = query_form(text)
        accept = request.headers.get("accept")
        if kind is None or negotiate(accept, offers_for(kind)) is None:
            # Not plainly a query (an update, or bad SPARQL), or nothing the client accepts: check and parse
            # it first, so that 403 and 400 (with line and column) come before any 406.
            try:
                kind = await anyio.to_thread.run_sync(check_read_only, text)
            except QuerySyntaxError as exc:
                raise _Refusal(400, str(exc)) from None
            except ForbiddenQueryError as exc:
                raise _Refusal(403, str(exc)) from None
            except QueryError as exc:
                raise _Refusal(400, str(exc)) from None
        offers = offers_for(kind)
        media_type = negotiate(accept, offers)
        if media_type is None:
            what = "SELECT/ASK results" if kind in ("select", "ask") else f"{kind.upper()} graphs"
            raise _Refusal(406, f"cannot answer a {kind.upper()} query as '{accept}': {what} are available as "
                                f"{', '.join(offers)}")
        if app.state.limiter is None:
            app.state.limiter = anyio.CapacityLimiter(slots)
        limiter = app.state.limiter
        if limiter.available_tokens < 1 and limiter.statistics().tasks_waiting >= queue_cap:
            raise _Refusal(503, f"the server is busy: all {slots} query slots are taken and {queue_cap} "
                                "requests are already waiting; try again later", {"Retry-After": "5"})
        with anyio.move_on_after(limits.timeout_s) as waiting:
            await limiter.acquire()
        if waiting.cancelled_caught:
            raise _Refusal(503, f"the server is busy: all {slots} query slots stayed taken for "
                                f"{limits.timeout_s:g} s; try again later", {"Retry-After": "5"})
        try:
            result = await anyio.to_thread.run_sync(run, text, media_type)
        except PoolBusyError as exc:  # a slot without a worker: only while a replacement could not be forked
            raise _Refusal(503, f"the server is busy: {exc}", {"Retry-After": "5"}) from None
        except QueryTimeoutError as exc:
            raise _Refusal(504, f"query exceeded the {limits.timeout_s:g} s time limit and was stopped after "
                                f"{exc.elapsed:.2f} s (narrow the pattern, add LIMIT, or avoid unconnected "
                                "triple patterns)") from None
        except QuerySyntaxError as exc:
            raise _Refusal(400, str(exc)) from None
        except ForbiddenQueryError as exc:
            raise _Refusal(403, str(exc)) from None
        except QueryError as exc:
            raise _Refusal(500, f"the query failed: {exc}") from None
        finally:
            limiter.release()
        headers = {"X-Result-Truncated": "true" if result.truncated else "false", "Vary": "Accept"}
        if result.truncated:
            headers["X-Result-Limit"] = str(limits.max_rows)
        return Response(result.body, media_type=media_type, headers=headers)

    async def sparql(request: Request) -> Response:
        try:
            params, body_query = await read_request(request)
            if params.get("update"):
                raise _Refusal(403, READ_ONLY)
            queries = params.get("query", [])
            if body_query is not None:
                queries = [body_query, *queries]
            if len(queries) > 1:
                raise _Refusal(400, "more than one query was given; send exactly one")
            if not queries:
                if request.method == "GET":
                    return service_description(request)
                raise _Refusal(400, "no query given: send query=… (form or URL) or an application/sparql-query body")
            if not queries[0].strip():
                raise _Refusal(400, "the query is empty")
            return await answer(request, params, queries[0])
        except _Refusal as exc:
            return refusal_response(exc)

    app.add_api_route("/sparql", sparql, methods=["GET", "POST"], include_in_schema=False)

    def endpoint_url(request: Request) -> str:
        return str(request.url.replace(query="", fragment=""))

    def service_description(request: Request) -> Response:
        media_type = negotiate(request.headers.get("accept"), list(GRAPH_TYPES))
        if media_type is None:
            raise _Refusal(406, f"the service description is available as {', '.join(GRAPH_TYPES)}")
        if not triple_count:
            triple_count.append(len(kg))
        triples = describe_service(endpoint_url(request), str(request.base_url), limits, graph_iri, triple_count[0])
        return Response(serialize_graph(triples, media_type, _SD_PREFIXES), media_type=media_type,
                        headers={"Vary": "Accept"})

    @app.get("/queries", include_in_schema=False)
    def queries(request: Request) -> JSONResponse:
        """The named queries: name, title, description, parameters, columns and SPARQL text."""
        from kg.query.named import list_queries

        return JSONResponse([named_query_json(q, str(request.base_url)) for q in list_queries()])

    @app.get("/queries/{name}", include_in_schema=False)
    def one_query(name: str, request: Request) -> Response:
        from kg.query.named import UnknownQueryError, get_query

        try:
            return JSONResponse(named_query_json(get_query(name), str(request.base_url)))
        except UnknownQueryError as exc:
            return Response(f"{exc}\n", status_code=404, media_type="text/plain")

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> JSONResponse:
        base = str(request.base_url)
        return JSONResponse({"sparql": base + "sparql", "queries": base + "queries", "graph": graph_iri,
                             "time_limit_s": limits.timeout_s, "max_rows": limits.max_rows,
                             "read_only": True})

    return app


def named_query_json(query: Any, base_url: str) -> dict[str, Any]:
    """A kg.query.named.NamedQuery as JSON for `/queries`."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "params": [{"name": p.name, "type": p.type, "default": p.default, "optional": p.optional, "help": p.help}
                   for p in query.params],
        "columns": list(query.columns),
        "text": query.text,
        "url": f"{base_url}queries/{query.name}",
    }


def describe_service(endpoint: str, base_url: str, limits: QueryLimits, graph_iri: str,
                     triples: int) -> list[ox.Triple]:
    """The SPARQL Service Description: the endpoint, its formats and dataset, the predeclared prefixes, and
    the named queries as SHACL SPARQL executables (with schema:target this endpoint)."""
    from kg.query.named import list_queries

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def lit(value: Any, datatype: str | None = None) -> ox.Literal:
        return ox.Literal(str(value), datatype=iri(datatype)) if datatype else ox.Literal(str(value))

    a = iri(PREFIXES["rdf"] + "type")
    rdfs, dcterms, xsd = PREFIXES["rdfs"], PREFIXES["dcterms"], PREFIXES["xsd"]
    service, graph, dataset = iri(endpoint), iri(graph_iri), ox.BlankNode()
    prefixes = iri(endpoint + "#prefixes")
    out = [
        ox.Triple(service, a, iri(SD + "Service")),
        ox.Triple(service, iri(SD + "endpoint"), service),
        ox.Triple(service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        ox.Triple(service, iri(dcterms + "title"), lit("Hip-spine evidence graph: read-only SPARQL endpoint")),
        ox.Triple(service, iri(rdfs + "comment"), lit(
            f"Read-only (updates get 403). Each query stops after {limits.timeout_s:g} s (504) and returns at most "
            f"{limits.max_rows} rows; a cut result carries the header X-Result-Truncated: true. The project "
            "prefixes are predeclared. The named queries are listed below and at " + base_url + "queries.")),
        ox.Triple(service, iri(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, a, iri(SD + "Dataset")),
        ox.Triple(dataset, iri(SD + "defaultGraph"), graph),
        ox.Triple(graph, a, iri(SD + "Graph")),
        ox.Triple(graph, iri(VOID + "triples"), lit(triples, xsd + "integer")),
        ox.Triple(service, iri(rdfs + "seeAlso"), iri(base_url + "queries")),
    ]
    out += [ox.Triple(service, iri(SD + "resultFormat"), iri("http://www.w3.org/ns/formats/" + name))
            for name in _FORMAT_IRIS.values()]
    for prefix, namespace in PREFIXES.items():
        decl = ox.BlankNode()
        out += [ox.Triple(prefixes, iri(SH + "declare"), decl),
                ox.Triple(decl, iri(SH + "prefix"), lit(prefix)),
                ox.Triple(decl, iri(SH + "namespace"), lit(namespace, xsd + "anyURI"))]
    for query in list_queries():
        example = iri(f"{base_url}queries/{query.name}")
        out += [
            ox.Triple(example, a, iri(SH + "SPARQLExecutable")),
            ox.Triple(example, a, iri(SH + "SPARQLSelectExecutable")),
            ox.Triple(example, iri(rdfs + "label"), lit(query.title)),
            ox.Triple(example, iri(rdfs + "comment"), lit(query.description)),
            ox.Triple(example, iri(SH + "select"), lit(query.text)),
            ox.Triple(example, iri(SH + "prefixes"), prefixes),
            ox.Triple(example, iri(SCHEMA + "target"), service),
        ]
    return out
