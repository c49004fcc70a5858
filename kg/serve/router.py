"""The endpoint's routes as one mountable FastAPI router: `SparqlRouter(kg, limits)` serves `/sparql`,
`/queries`, `/queries/{name}` and `/`, and can be included in any FastAPI app, under a prefix if wanted
(`app.include_router(SparqlRouter(kg), prefix="/kg")`). Its lifespan starts and stops the query workers
(FastAPI merges an included router's lifespan into the app's).

The router holds what the closure used to capture: the graph, the limits, the query pool, the limiter
bounding the requests in flight, and the one mapping from a QueryError to an HTTP status (`status_for`).
"""
from __future__ import annotations

import atexit
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from kg.query.guard.policy import (
    ForbiddenQueryError,
    QueryError,
    QueryLimits,
    QuerySyntaxError,
    QueryTimeoutError,
    check_read_only,
)
from kg.query.guard.pool import PoolBusyError, QueryPool, RenderedResult
from kg.query.media_types import GRAPH_OFFERS, RESULT_OFFERS
from kg.query.named import UnknownQueryError, get_query, list_queries
from kg.query.text import QueryForm, query_form
from kg.serve.description import SD_PREFIXES, describe_service, named_query_json
from kg.serve.negotiation import negotiate
from kg.serve.results import render_body, serialize_graph
from kg.store.remote import DEFAULT_GRAPH_IRI

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

MAX_QUERY_BYTES = 1_000_000  # a query longer than this is refused (413) before it is parsed
READ_ONLY = ("this endpoint is read-only: SPARQL Update is not accepted. Only SELECT, ASK, CONSTRUCT and "
             "DESCRIBE queries can be run (use `kg push` to load the graph into a store you manage).")
RETRY_AFTER = {"Retry-After": "5"}
ROOT_ROUTE = "sparql_root"  # route name of `/`: links are built from it, so they hold under any mount prefix

# The status of a query that gave no answer, most specific class first; any other QueryError is 500.
_STATUSES: tuple[tuple[type[QueryError], int], ...] = (
    (QuerySyntaxError, 400), (ForbiddenQueryError, 403), (PoolBusyError, 503), (QueryTimeoutError, 504))


class Refusal(Exception):
    """A request answered with an error status and a plain-text message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        self.status = status
        self.message = message
        self.headers = headers or {}
        super().__init__(message)

    def response(self) -> Response:
        return Response(self.message.rstrip("\n") + "\n", status_code=self.status, media_type="text/plain",
                        headers=self.headers)


def status_for(exc: QueryError) -> int:
    """The HTTP status for a query that gave no answer: bad SPARQL 400, update or SERVICE 403, no free
    query worker 503, past the time limit 504, and 500 for a query the engine failed on."""
    return next((status for kind, status in _STATUSES if isinstance(exc, kind)), 500)


def refusal_for(exc: QueryError, limits: QueryLimits) -> Refusal:
    """The response to a query that gave no answer: status_for's status and a message saying what to do."""
    status = status_for(exc)
    if isinstance(exc, QueryTimeoutError):
        return Refusal(status, f"query exceeded the {limits.timeout_s:g} s time limit and was stopped after "
                               f"{exc.elapsed:.2f} s (narrow the pattern, add LIMIT, or avoid unconnected "
                               "triple patterns)")
    if status == 503:  # a slot without a worker: only while a replacement could not be forked
        return Refusal(status, f"the server is busy: {exc}", RETRY_AFTER)
    if status == 500:
        return Refusal(status, f"the query failed: {exc}")
    return Refusal(status, str(exc))


def offers_for(kind: str) -> tuple[str, ...]:
    """The media types a query of this form can be answered in, in the endpoint's order of preference."""
    return RESULT_OFFERS if kind in ("select", "ask") else GRAPH_OFFERS


async def read_request(request: Request) -> tuple[dict[str, list[str]], str | None]:
    """Protocol parameters and, for `application/sparql-query`, the query in the body."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method != "POST":
        return params, None
    mime = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_QUERY_BYTES:
        raise Refusal(413, f"the request body is over the {MAX_QUERY_BYTES:,} byte limit")
    if not body and not mime:
        return params, None  # an empty POST: answered "no query given", like a bare GET
    if mime == "application/sparql-update":
        raise Refusal(403, READ_ONLY)
    if mime == "application/sparql-query":
        return params, body.decode("utf-8", errors="replace")
    if mime == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
        return params, None
    raise Refusal(415, f"unsupported Content-Type '{mime or 'none'}': POST a query as "
                       "application/x-www-form-urlencoded (query=…) or as application/sparql-query")


def check_dataset(params: dict[str, list[str]], graph_iri: str) -> None:
    """Only this graph can be named: the endpoint serves one graph and no named graphs."""
    for iri in params.get("default-graph-uri", []):
        if iri != graph_iri:
            raise Refusal(400, f"default-graph-uri <{iri}> is not served here; this endpoint holds one graph, "
                               f"<{graph_iri}> (leave default-graph-uri out, or name that graph)")
    if params.get("named-graph-uri"):
        raise Refusal(400, f"named-graph-uri is not supported: this endpoint holds one graph, <{graph_iri}>, "
                           "as its default graph")


class SparqlRouter(APIRouter):
    """The read-only SPARQL 1.1 Protocol endpoint over `kg` (embedded or remote) as a FastAPI router.

    `limits` bound every query (default 10 s, 10,000 rows). `max_concurrent` caps the queries running at
    once. For a graph in this process they run on a kg.query.guard.pool.QueryPool of that many pre-forked
    workers (default: one per CPU): `pool`, started and closed by the caller (`kg serve` forks it before
    the server starts its threads), or else one the router starts with the app (or at its first query)
    and closes when the app stops. For a remote store it caps the requests in flight to it (default: 2 per
    CPU). A request that finds every slot taken waits up to the time limit, then gets 503; `max_waiting`
    (default: 16 per slot) bounds how many wait, beyond which a request gets 503 at once.
    """

    def __init__(self, kg: KnowledgeGraph, limits: QueryLimits | None = None, *, graph_iri: str = DEFAULT_GRAPH_IRI,
                 max_concurrent: int | None = None, pool: QueryPool | None = None,
                 max_waiting: int | None = None) -> None:
        super().__init__(lifespan=self._lifespan)
        self.kg = kg
        self.limits = limits or QueryLimits()
        self.graph_iri = graph_iri
        self.pool_store = kg.backend.pool_store()  # None: the queries cannot run on forked workers here
        self.embedded = self.pool_store is not None
        if pool is not None:
            self.slots = pool.size
        elif self.embedded:
            self.slots = max_concurrent or os.cpu_count() or 1
        else:
            self.slots = max_concurrent or 2 * (os.cpu_count() or 1)
        self.queue_cap = max_waiting if max_waiting is not None else 16 * self.slots
        self.pool: QueryPool | None = pool  # the pool running the queries (None for a remote store, or until started)
        self.limiter: anyio.CapacityLimiter | None = None  # created on first use: it needs the running event loop
        self._given_pool = pool
        self._owns_pool = self.embedded and pool is None
        self._pool_lock = threading.Lock()
        self._triples: int | None = None  # counted once, for the service description
        self.add_api_route("/sparql", self.sparql, methods=["GET", "POST"], include_in_schema=False, name="sparql")
        self.add_api_route("/queries", self.queries, methods=["GET"], include_in_schema=False, name="sparql_queries")
        self.add_api_route("/queries/{name}", self.one_query, methods=["GET"], include_in_schema=False,
                           name="sparql_query")
        self.add_api_route("/", self.root, methods=["GET"], include_in_schema=False, name=ROOT_ROUTE)

    # ------------------------------------------------------------------------------ query workers

    def query_pool(self) -> QueryPool:
        """The router's pool, started on first use if the lifespan did not start it."""
        with self._pool_lock:
            if self.pool is None:
                if self.pool_store is None:
                    raise RuntimeError("this graph's queries do not run on forked workers (a remote store)")
                self.pool = QueryPool(self.pool_store, self.slots)
                atexit.register(self.pool.close)
            return self.pool

    @asynccontextmanager
    async def _lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        if self._owns_pool:
            self.query_pool()  # fork the workers before the first request rather than during it
        try:
            yield
        finally:
            with self._pool_lock:
                started, self.pool = self.pool, self._given_pool
            if self._owns_pool and started is not None:
                atexit.unregister(started.close)
                started.close()

    def run(self, text: str, media_type: str) -> RenderedResult:
        """The query and its answer in `media_type`, in a thread: for an embedded graph both on a pool
        worker; for a remote store through kg.store.remote, written here."""
        if self.embedded:
            return self.query_pool().run_rendered(text, self.limits, render_body, media_type)
        result = self.kg.run_user_query(text, self.limits)
        return RenderedResult(result.kind, render_body(result, media_type), result.truncated, result.elapsed)

    # ------------------------------------------------------------------------------ answering

    async def answer(self, request: Request, params: dict[str, list[str]], text: str) -> Response:
        check_dataset(params, self.graph_iri)
        if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
            raise Refusal(413, f"the query is over the {MAX_QUERY_BYTES:,} byte limit")
        # The form, for the response format, from the leading keyword alone (microseconds, on the event loop).
        # The process that runs the query checks it (update, SERVICE: 403) and parses it (400).
        form = query_form(text)
        accept = request.headers.get("accept")
        kind: QueryForm
        if form is None or negotiate(accept, offers_for(form)) is None:
            # Not plainly a query (an update, or bad SPARQL), or nothing the client accepts: check and parse
            # it first, so that 403 and 400 (with line and column) come before any 406.
            try:
                kind = await anyio.to_thread.run_sync(check_read_only, text)
            except QueryError as exc:
                raise refusal_for(exc, self.limits) from None
        else:
            kind = form
        offers = offers_for(kind)
        media_type = negotiate(accept, offers)
        if media_type is None:
            what = "SELECT/ASK results" if kind in ("select", "ask") else f"{kind.upper()} graphs"
            raise Refusal(406, f"cannot answer a {kind.upper()} query as '{accept}': {what} are available as "
                               f"{', '.join(offers)}")
        limiter = await self._wait_for_slot()
        try:
            result = await anyio.to_thread.run_sync(self.run, text, media_type)
        except QueryError as exc:
            raise refusal_for(exc, self.limits) from None
        finally:
            limiter.release()
        headers = {"X-Result-Truncated": "true" if result.truncated else "false", "Vary": "Accept"}
        if result.truncated:
            headers["X-Result-Limit"] = str(self.limits.max_rows)
        return Response(result.body, media_type=media_type, headers=headers)

    async def _wait_for_slot(self) -> anyio.CapacityLimiter:
        """A query slot, waited for up to the time limit; 503 when none frees up or too many already wait."""
        if self.limiter is None:
            self.limiter = anyio.CapacityLimiter(self.slots)
        limiter = self.limiter
        if limiter.available_tokens < 1 and limiter.statistics().tasks_waiting >= self.queue_cap:
            raise Refusal(503, f"the server is busy: all {self.slots} query slots are taken and {self.queue_cap} "
                               "requests are already waiting; try again later", RETRY_AFTER)
        with anyio.move_on_after(self.limits.timeout_s) as waiting:
            await limiter.acquire()
        if waiting.cancelled_caught:
            raise Refusal(503, f"the server is busy: all {self.slots} query slots stayed taken for "
                               f"{self.limits.timeout_s:g} s; try again later", RETRY_AFTER)
        return limiter

    # ------------------------------------------------------------------------------ routes

    async def sparql(self, request: Request) -> Response:
        """GET or POST /sparql: one query, or without one (GET) the service description."""
        try:
            params, body_query = await read_request(request)
            if params.get("update"):
                raise Refusal(403, READ_ONLY)
            queries = params.get("query", [])
            if body_query is not None:
                queries = [body_query, *queries]
            if len(queries) > 1:
                raise Refusal(400, "more than one query was given; send exactly one")
            if not queries:
                if request.method == "GET":
                    return self.service_description(request)
                raise Refusal(400, "no query given: send query=… (form or URL) or an application/sparql-query body")
            if not queries[0].strip():
                raise Refusal(400, "the query is empty")
            return await self.answer(request, params, queries[0])
        except Refusal as exc:
            return exc.response()

    def service_description(self, request: Request) -> Response:
        media_type = negotiate(request.headers.get("accept"), GRAPH_OFFERS)
        if media_type is None:
            raise Refusal(406, f"the service description is available as {', '.join(GRAPH_OFFERS)}")
        if self._triples is None:
            self._triples = len(self.kg)
        endpoint = str(request.url.replace(query="", fragment=""))
        triples = describe_service(endpoint, self._base(request), self.limits, self.graph_iri, self._triples)
        return Response(serialize_graph(triples, media_type, SD_PREFIXES), media_type=media_type,
                        headers={"Vary": "Accept"})

    def queries(self, request: Request) -> JSONResponse:
        """The named queries: name, title, description, parameters, columns and SPARQL text."""
        base = self._base(request)
        return JSONResponse([named_query_json(q, base) for q in list_queries()])

    def one_query(self, name: str, request: Request) -> Response:
        try:
            return JSONResponse(named_query_json(get_query(name), self._base(request)))
        except UnknownQueryError as exc:
            return Response(f"{exc}\n", status_code=404, media_type="text/plain")

    def root(self, request: Request) -> JSONResponse:
        base = self._base(request)
        return JSONResponse({"sparql": base + "sparql", "queries": base + "queries", "graph": self.graph_iri,
                             "time_limit_s": self.limits.timeout_s, "max_rows": self.limits.max_rows,
                             "read_only": True})

    @staticmethod
    def _base(request: Request) -> str:
        """Where the router's routes start (ends with '/'), wherever the router is mounted."""
        return str(request.url_for(ROOT_ROUTE))
