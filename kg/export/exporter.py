"""Export the graph: RDF (Turtle, N-Triples, JSON-LD), GraphML, BibTeX rebuilt from the graph
(kg.export.bibtex) and the flat evidence table as CSV (kg.export.tables). Files are written atomically
(kg.ingest.files.write_atomic).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.export.bibtex import to_bibtex
from kg.export.tables import evidence_csv
from kg.ingest.files import write_atomic
from kg.store.serialize import serialize

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

FORMATS = ("ttl", "nt", "jsonld", "graphml", "bib", "csv")
RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
EXTENSIONS = {"ttl": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "graphml": ".graphml", "bib": ".bib", "csv": ".csv"}


def export_bytes(kg: KnowledgeGraph, fmt: str) -> bytes:
    """The graph in one of FORMATS, as bytes (GraphML is the evidence network, kg.analysis.network)."""
    if fmt in RDF_FORMATS:
        return serialize(kg.snapshot(), RDF_FORMATS[fmt])  # a graph in a remote store is copied here first
    if fmt == "bib":
        return to_bibtex(kg).encode("utf-8")
    if fmt == "csv":
        return evidence_csv(kg).encode("utf-8")
    if fmt == "graphml":
        from kg.analysis.network import graphml_text  # networkx, imported only when asked

        return graphml_text(kg).encode("utf-8")
    raise ValueError(f"unknown export format '{fmt}'; use one of {', '.join(FORMATS)}")


def export(kg: KnowledgeGraph, fmt: str, path: Path | str) -> Path:
    """Write the export to `path` atomically (readers never see half a file) and return the path."""
    path = Path(path)
    write_atomic(path, lambda: export_bytes(kg, fmt))
    return path
