"""GraphML (Gephi, Cytoscape) of a network projection: attributes made GraphML-safe, text from networkx."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.analysis.network.projections import project
from kg.ingest.files import write_atomic

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


def _safe(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        if not value:
            return None  # an empty list is an absent value, as None is
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return "; ".join(str(v) for v in items)
    return str(value)


def graphml_safe(G: nx.Graph[str]) -> nx.Graph[str]:
    """A copy whose attributes GraphML can hold (str, int, float, bool): sequences joined with '; ', None and
    empty sequences dropped, graph-level attributes other than scalars (the concept index) left out."""
    H = G.__class__()
    H.graph.update({k: v for k, v in G.graph.items() if isinstance(v, (str, int, float, bool))})
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: s for k, v in d.items() if (s := _safe(v)) is not None})
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, **{k: s for k, val in d.items() if (s := _safe(val)) is not None})
    return H


def _safe_graph(source: KnowledgeGraph | nx.Graph[str], kind: str) -> nx.Graph[str]:
    return graphml_safe(source if isinstance(source, nx.Graph) else project(source, kind))


def _document(H: nx.Graph[str]) -> str:
    return "\n".join(nx.generate_graphml(H, encoding="utf-8", prettyprint=True)) + "\n"


def graphml_text(source: KnowledgeGraph | nx.Graph[str], *, kind: str = "evidence") -> str:
    """A network as GraphML text: `source` is a graph, or a KnowledgeGraph whose projection `kind` is written."""
    return _document(_safe_graph(source, kind))


def write_graphml(source: KnowledgeGraph | nx.Graph[str], path: Path | str, *, kind: str = "evidence") -> nx.Graph[str]:
    """Write a network as GraphML (as graphml_text), atomically; returns the graph written."""
    H = _safe_graph(source, kind)
    write_atomic(Path(path), _document(H).encode("utf-8"))
    return H
