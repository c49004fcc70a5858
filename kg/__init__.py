"""The hip-spine evidence graph: studies, claims, evidence and results as one RDF graph.

    from kg import load
    g = load()                       # builds the curated data into the embedded Oxigraph store
    g.query("contested_claims")      # a named query (kg/query/rq/) as a pandas DataFrame
"""
from __future__ import annotations

from kg.api import connect, load
from kg.store.graph import KnowledgeGraph

__all__ = ["KnowledgeGraph", "__version__", "connect", "load"]
__version__ = "0.1.0"
