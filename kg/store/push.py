"""`kg push`: replace a named graph in a remote store with the built graph, safely.

The upload goes into a fresh temporary graph (Graph Store Protocol, or SPARQL Update where the store has no
Graph Store URL), its triple count is checked, and only then one update request swaps it in. A failure before the
swap drops the temporary graph and leaves the previous graph as it was.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from kg.store.remote import RemoteBackend, RemoteError, RemoteSyntaxError


class PushError(RuntimeError):
    """`kg push` stopped before the swap; the previous graph is untouched."""


@dataclass(frozen=True)
class PushReport:
    """What a push did: the graph replaced, how many triples it now holds, and how long it took."""

    graph: str
    triples: int
    previous: int
    seconds: float
    method: Literal["gsp", "update"]


def push(backend: RemoteBackend, ntriples: bytes, expected: int, *, graph: str | None = None,
         chunk_lines: int = 200_000) -> PushReport:
    """Replace `graph` (default: the backend's) with the N-Triples `ntriples`, which hold `expected` distinct
    triples:

    1. upload into a fresh temporary graph (GSP PUT, then POSTs of further chunks; or INSERT DATA when
       no Graph Store URL is known),
    2. count the triples there and compare with `expected`,
    3. swap in one update request: `DROP SILENT GRAPH <g>; MOVE <tmp> TO <g>`. Oxigraph runs an update
       request as one transaction, so readers see the old graph or the new one.

    Any failure before the swap drops the temporary graph and raises PushError; the previous graph is
    never touched until the upload has been checked.
    """
    target = graph or backend.graph
    if not target:
        raise PushError("push needs a named graph to replace (--graph IRI)")
    target = ox.NamedNode(target).value
    tmp = f"{target}/.push-{uuid.uuid4().hex}"
    start = time.perf_counter()
    lines = [line for line in ntriples.splitlines() if line.strip() and not line.lstrip().startswith(b"#")]
    # Chunks must not split blank-node scopes: with blank nodes, upload in one request.
    chunks = ([lines] if b"_:" in ntriples else
              [lines[i:i + chunk_lines] for i in range(0, len(lines), chunk_lines)] or [[]])
    method: Literal["gsp", "update"] = "gsp" if backend.store_url else "update"
    try:
        previous = backend.count(target)
        for i, chunk in enumerate(chunks):
            body = b"\n".join(chunk) + b"\n"
            if method == "gsp":
                backend.gsp_put(tmp, body, replace=(i == 0))
            elif chunk:
                # Data and graph names, not a query: INSERT DATA carries the chunk itself, and SPARQL Update has no
                # way to bind a graph name, so these two operations are the only SPARQL built in code (the graph
                # IRIs were validated by ox.NamedNode; the chunk is N-Triples from pyoxigraph's serialiser).
                backend.update(f"INSERT DATA {{ GRAPH <{tmp}> {{\n{body.decode('utf-8')}}} }}")
        got = backend.count(tmp)
        if got != expected:
            raise PushError(f"the upload into the temporary graph <{tmp}> holds {got} triples, "
                            f"{expected} were sent; <{target}> was left as it was")
        backend.update(f"DROP SILENT GRAPH <{target}> ;\nMOVE SILENT GRAPH <{tmp}> TO GRAPH <{target}>")
    except (RemoteError, PushError, RemoteSyntaxError) as exc:
        _discard(backend, tmp)
        if isinstance(exc, PushError):
            raise
        raise PushError(f"push to <{target}> failed, the previous graph is unchanged: {exc}") from exc
    except BaseException:
        _discard(backend, tmp)
        raise
    return PushReport(target, backend.count(target), previous, time.perf_counter() - start, method)


def _discard(backend: RemoteBackend, tmp: str) -> None:
    """Best-effort removal of a temporary graph after a failed push (the failure is what gets reported)."""
    try:
        backend.drop(tmp)
    except Exception:
        pass


def temporary_graphs(backend: RemoteBackend, graph: str | None = None) -> list[str]:
    """Temporary graphs left by pushes to `graph` (default: the backend's); normally none, as a failed push
    removes its own."""
    prefix = f"{graph or backend.graph}/.push-"
    return sorted(g for g in backend.graphs() if g.startswith(prefix))
