"""`kg serve` (the read-only SPARQL endpoint) and `kg push` (load the built graph into a remote store).

`kg serve` reads the graph as the other reading commands do: from the data files, or from the remote store
given to the group (`kg --endpoint URL --graph IRI serve`, or KG_SPARQL_ENDPOINT / KG_GRAPH_IRI).
`kg push` takes its own --endpoint and --graph: the store and graph it writes into.
"""
from __future__ import annotations

import sys
import time

import click

from kg.cli.options import data_options, fail, settings
from kg.ingest.build import DataSources
from kg.ingest.errors import InputError
from kg.store.remote import DEFAULT_GRAPH_IRI, ENV_ENDPOINT, ENV_GRAPH, ENV_STORE, ENV_UPDATE

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@click.command()
@data_options
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
def serve(sources: DataSources, host: str, port: int, timeout_s: float, max_rows: int, workers: int | None,
          cors_origins: tuple[str, ...], log_level: str) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql.

    With `kg --endpoint URL serve` the endpoint stands in front of that remote store instead."""
    import uvicorn

    from kg.api import load
    from kg.query.guard.policy import QueryLimits
    from kg.query.guard.pool import QueryPool
    from kg.serve.server import create_app

    group = settings()
    endpoint = group.endpoint
    try:
        kg = load(bib=sources.bib, claims=sources.claims, endpoint=endpoint, graph=group.graph)
    except (InputError, ValueError) as exc:
        fail(exc)
    for warning in kg.build.problems if kg.build else []:
        click.echo(str(warning), err=True)
    # The query workers are forked here, with the graph loaded and before uvicorn starts any thread.
    store = kg.backend.pool_store()  # None for a remote store, or where there is no fork
    pool = QueryPool(store, workers) if store is not None else None
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


@click.command()
@data_options
@click.option("--endpoint", required=True, envvar=ENV_ENDPOINT, metavar="URL",
              help=f"The store's SPARQL query URL, e.g. http://127.0.0.1:7878/query (env {ENV_ENDPOINT}).")
@click.option("--graph", default=DEFAULT_GRAPH_IRI, show_default=True, envvar=ENV_GRAPH, metavar="IRI",
              help=f"The named graph to replace (env {ENV_GRAPH}).")
@click.option("--update-url", envvar=ENV_UPDATE, metavar="URL",
              help=f"SPARQL Update URL, if not derivable from --endpoint (env {ENV_UPDATE}).")
@click.option("--store-url", envvar=ENV_STORE, metavar="URL",
              help=f"Graph Store Protocol URL, if not derivable from --endpoint (env {ENV_STORE}).")
def push(sources: DataSources, endpoint: str, graph: str, update_url: str | None, store_url: str | None) -> None:
    """Load the built graph into a remote store, replacing GRAPH only after the upload checks out.

    The graph goes into a temporary named graph first; its triple count is checked; then one update
    request drops the old graph and moves the new one in. A failed push leaves the old graph as it was.
    """
    from kg.api import load
    from kg.store.push import PushError, push
    from kg.store.remote import RemoteBackend
    from kg.store.serialize import sorted_ntriples

    start = time.perf_counter()
    try:
        kg = load(bib=sources.bib, claims=sources.claims)
    except InputError as exc:
        fail(exc)
    backend = RemoteBackend(endpoint, update_url, store_url, graph=graph)
    try:
        report = push(backend, sorted_ntriples(kg.snapshot()), expected=len(kg))
    except PushError as exc:
        fail(f"kg push: {exc}")
    how = f"Graph Store Protocol at {backend.store_url}" if report.method == "gsp" else "SPARQL Update"
    click.echo(f"Pushed {report.triples} triples into <{report.graph}> at {endpoint} via {how} "
               f"(replacing {report.previous}) in {time.perf_counter() - start:.2f} s")
    if report.triples != len(kg):
        click.echo(f"warning: the store now counts {report.triples} triples, {len(kg)} were pushed", err=True)
        sys.exit(1)
