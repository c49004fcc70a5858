"""Write the graph to a file: format from the extension, same input gives the same bytes, written atomically."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.ingest.files import write_atomic
from kg.model.namespace import PREFIXES

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".trig": "trig"}


def format_for(path: Path) -> str:
    """The rdflib format name for a file extension; ValueError names the extensions that work."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: unknown output format '{path.suffix}'; use one of {', '.join(sorted(FORMATS))}")
    return fmt


def sorted_ntriples(store: ox.Store) -> bytes:
    """The default graph as N-Triples, lines sorted: the canonical form (the graph has no blank nodes)."""
    raw = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    lines = sorted(set(raw.splitlines()))
    return b"\n".join(lines) + b"\n" if lines else b""


def to_rdflib(store: ox.Store) -> rdflib.Graph:
    """A plain in-memory rdflib copy, filled in sorted order so every serializer walks it the same way."""
    graph = rdflib.Graph()
    graph.parse(data=sorted_ntriples(store).decode("utf-8"), format="nt")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def serialize(store: ox.Store, fmt: str) -> bytes:
    """The graph in one of rdflib's formats ('turtle', 'nt', 'json-ld', 'trig'), deterministically."""
    if fmt == "nt":
        return sorted_ntriples(store)
    graph = to_rdflib(store)
    if fmt == "trig":
        dataset = rdflib.Dataset()
        for prefix, ns in PREFIXES.items():
            dataset.bind(prefix, ns, override=True, replace=True)
        default = dataset.default_context
        for triple in graph:
            default.add(triple)
        return dataset.serialize(format="trig").encode("utf-8")
    if fmt == "json-ld":
        context = {p: ns for p, ns in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, auto_compact=True, sort_keys=True).encode("utf-8")
    return graph.serialize(format=fmt).encode("utf-8")


def write_graph(store: ox.Store, path: Path) -> None:
    """Serialize the store to `path` in the format its extension names."""
    write_atomic(path, serialize(store, format_for(Path(path))))
