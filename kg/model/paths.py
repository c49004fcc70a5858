"""Where the package's own files (ontology, shapes, queries) and the default data live.

Everything that reads a shipped file finds it through this module, so the layout can change in one place.
"""
from __future__ import annotations

from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = MODEL_DIR.parent
ONTOLOGY_DIR = MODEL_DIR / "ontology"
SHAPES_DIR = MODEL_DIR / "shapes"
QUERIES_DIR = PACKAGE_DIR / "query" / "rq"
INTERNAL_QUERIES_DIR = QUERIES_DIR / "internal"
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_DATA_DIR = REPO_DIR / "data"
BIB_NAME = "references.bib"
CLAIMS_NAME = "claims.ttl"


def ontology_files() -> list[Path]:
    """The ontology Turtle files, in a stable order."""
    return sorted(ONTOLOGY_DIR.glob("*.ttl"))


def shape_files() -> list[Path]:
    """The SHACL shape files, in a stable order."""
    return sorted(SHAPES_DIR.glob("*.ttl"))


def query_files() -> list[Path]:
    """The named SPARQL query files, in a stable order."""
    return sorted(QUERIES_DIR.glob("*.rq"))


def internal_query_files() -> list[Path]:
    """The library's own SPARQL (queries and updates it runs itself, not published as named queries)."""
    return sorted([*INTERNAL_QUERIES_DIR.glob("*.rq"), *INTERNAL_QUERIES_DIR.glob("*.ru")])
