"""A read-only SPARQL 1.1 Protocol endpoint over the evidence graph: `create_app(kg, limits)` gives a FastAPI app
with `/sparql` (queries, and the service description), `/queries` (the named queries) and `/`. The routes are
kg.serve.router.SparqlRouter, which another FastAPI app can include under a prefix of its own.

Why a thin FastAPI layer over the embedded store (2 CPUs, loopback clients): it is the only candidate
that enforces the project's query limits per request. Queries run on a kg.query.guard.pool.QueryPool: worker processes
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

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from kg.query.guard.policy import QueryLimits
from kg.query.guard.pool import QueryPool
from kg.serve.router import SparqlRouter
from kg.store.remote import DEFAULT_GRAPH_IRI

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


def create_app(kg: KnowledgeGraph, limits: QueryLimits | None = None, cors_origins: Sequence[str] | None = None, *,
               graph_iri: str = DEFAULT_GRAPH_IRI, max_concurrent: int | None = None, pool: QueryPool | None = None,
               max_waiting: int | None = None) -> FastAPI:
    """The endpoint as a FastAPI app over `kg` (embedded or remote): a SparqlRouter (see it for `limits`,
    `max_concurrent`, `pool` and `max_waiting`) at the root, reachable as `app.state.sparql`.
    `cors_origins` enables CORS for those origins ("*" for any)."""
    router = SparqlRouter(kg, limits, graph_iri=graph_iri, max_concurrent=max_concurrent, pool=pool,
                          max_waiting=max_waiting)
    app = FastAPI(title="Hip-spine evidence graph: SPARQL endpoint", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(router)
    app.state.sparql = router
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Content-Type"],
                           expose_headers=["X-Result-Truncated", "X-Result-Limit"])
    return app
