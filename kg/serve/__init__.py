"""The read-only SPARQL endpoint: `create_app` (a whole FastAPI app) or `SparqlRouter` (its routes, to include
in another FastAPI app). negotiation, results and description are its parts; kg.query.media_types its formats."""
from __future__ import annotations

from kg.serve.router import SparqlRouter
from kg.serve.server import create_app

__all__ = ["SparqlRouter", "create_app"]
