"""`kg serve` (the read-only SPARQL endpoint) and `kg push` (load the built graph into a remote store).

Also `endpoint_options`, the --endpoint/--graph options (with their environment variables) that data-reading
commands add to run against a remote store through `kg.store.graph.load(endpoint=…, graph=…)`.
"""
from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from kg.store.remote import DEFAULT_GRAPH_IRI, ENV_ENDPOINT, ENV_GRAPH, ENV_STORE, ENV_UPDATE

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def endpoint_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--endpoint URL (env KG_SPARQL_ENDPOINT) and --graph IRI (env KG_GRAPH_IRI); the command receives
    `endpoint: str | None` and `graph: str | None`, to pass on as `load(..., endpoint=endpoint, graph=graph)`."""

    @click.option("--endpoint", envvar=ENV_ENDPOINT, metavar="URL",
                  help=f"Query a remote SPARQL store at this query URL instead of building from data files "
                       f"(env {ENV_ENDPOINT}).")
    @click.option("--graph", envvar=ENV_GRAPH, metavar="IRI",
                  help=f"The named graph holding the evidence graph in that store (env {ENV_GRAPH}; default "
                       f"{DEFAULT_GRAPH_IRI}; 'default' for the store's default graph).")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def register(main: click.Group) -> None:
    """Add `serve` and `push` to the `kg` group (called by kg.cli.main; commands are built here so that importing
    this module does not import kg.cli.main)."""
    from kg.cli.main import data_options, fail

    @main.command()
    @data_options
    @endpoint_options
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Interface to bind. Anything but loopback exposes the endpoint to the network.")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
    @click.option("--timeout", "timeout_s", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
                  help="Seconds a query may run before it is stopped (answered 504).")
    @click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1),
                  help="Rows (or triples) returned at most; a longer result is cut, with X-Result-Truncated: true.")
    @click.option("--workers", default=None, type=click.IntRange(min=1),
                  help="Query worker processes, forked once the graph is loaded; each runs one query at a time "
                       "[default: one per CPU]. With --endpoint: queries in flight to the store [default: 2 per CPU].")
    @click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
                  help="Allow browser pages from ORIGIN to query (repeatable; '*' for any). Off by default.")
    @click.option("--log-level", default="info", show_default=True,
                  type=click.Choice(["critical", "error", "warning", "info", "debug"]))
    def serve(sources: Any, endpoint: str | None, graph: str | None, host: str, port: int, timeout_s: float,
              max_rows: int, workers: int | None, cors_origins: tuple[str, ...], log_level: str) -> None:
        """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql."""
        import uvicorn

        from kg.ingest.errors import InputError
        from kg.query.guard import QueryLimits, QueryPool
        from kg.serve.server import create_app
        from kg.store.graph import load

        try:
            kg = load(bib=sources.bib, claims=sources.claims, endpoint=endpoint, graph=graph)
        except InputError as exc:
            fail(exc)
            return
        except ValueError as exc:
            fail(str(exc))
            return
        for warning in kg.build.problems if kg.build else []:
            click.echo(str(warning), err=True)
        # The query workers are forked here, with the graph loaded and before uvicorn starts any thread.
        pool = QueryPool(kg.store, workers) if kg.backend is None and hasattr(os, "fork") else None
        try:
            app = create_app(kg, QueryLimits(timeout_s=timeout_s, max_rows=max_rows), list(cors_origins) or None,
                             max_concurrent=workers, pool=pool)
            if host not in LOOPBACK_HOSTS:
                click.echo(f"warning: binding {host}: the endpoint is reachable from other machines", err=True)
            where = f"the remote store {endpoint}" if endpoint else f"{len(kg)} triples"
            shown = f"[{host}]" if ":" in host else host
            how = f"{pool.size} query workers" if pool else "queries sent to the store" if endpoint else "a process a query"
            click.echo(f"Serving {where} at http://{shown}:{port}/sparql (time limit {timeout_s:g} s, "
                       f"at most {max_rows} rows, {how}; Ctrl+C stops)", err=True)
            uvicorn.run(app, host=host, port=port, log_level=log_level)
        finally:
            if pool is not None:
                pool.close()

    @main.command()
    @data_options
    @click.option("--endpoint", required=True, envvar=ENV_ENDPOINT, metavar="URL",
                  help=f"The store's SPARQL query URL, e.g. http://127.0.0.1:7878/query (env {ENV_ENDPOINT}).")
    @click.option("--graph", default=DEFAULT_GRAPH_IRI, show_default=True, envvar=ENV_GRAPH, metavar="IRI",
                  help=f"The named graph to replace (env {ENV_GRAPH}).")
    @click.option("--update-url", envvar=ENV_UPDATE, metavar="URL",
                  help=f"SPARQL Update URL, if not derivable from --endpoint (env {ENV_UPDATE}).")
    @click.option("--store-url", envvar=ENV_STORE, metavar="URL",
                  help=f"Graph Store Protocol URL, if not derivable from --endpoint (env {ENV_STORE}).")
    def push(sources: Any, endpoint: str, graph: str, update_url: str | None, store_url: str | None) -> None:
        """Load the built graph into a remote store, replacing GRAPH only after the upload checks out.

        The graph goes into a temporary named graph first; its triple count is checked; then one update
        request drops the old graph and moves the new one in. A failed push leaves the old graph as it was.
        """
        import time

        from kg.ingest.errors import InputError
        from kg.store.graph import load
        from kg.store.remote import PushError, RemoteBackend
        from kg.store.serialize import sorted_ntriples

        start = time.perf_counter()
        try:
            kg = load(bib=sources.bib, claims=sources.claims)
        except InputError as exc:
            fail(exc)
            return
        backend = RemoteBackend(endpoint, update_url, store_url, graph=graph)
        try:
            report = backend.push(sorted_ntriples(kg.store), expected=len(kg))
        except PushError as exc:
            fail(f"kg push: {exc}")
            return
        how = f"Graph Store Protocol at {backend.store_url}" if report.method == "gsp" else "SPARQL Update"
        click.echo(f"Pushed {report.triples} triples into <{report.graph}> at {endpoint} via {how} "
                   f"(replacing {report.previous}) in {time.perf_counter() - start:.2f} s")
        if report.triples != len(kg):
            click.echo(f"warning: the store now counts {report.triples} triples, {len(kg)} were pushed", err=True)
            sys.exit(1)
