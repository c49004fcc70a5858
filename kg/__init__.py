"""The hip-spine evidence graph: studies, claims, evidence and results as one RDF graph.

    from kg import load
    g = load()                       # builds from data/ into the embedded Oxigraph store
"""
from __future__ import annotations

from kg.store.graph import KnowledgeGraph, load

__all__ = ["KnowledgeGraph", "load"]
__version__ = "0.1.0"
