"""Where the package's own files (ontology, shapes, queries, the curated data) live.

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
PUBLIC_QUERIES_DIR = QUERIES_DIR / "public"
# The curated data ships inside the package (kg/data, a link to the checkout's data/ that the wheel turns into
# copies), so `kg.load()` and `kg build` work from an installed wheel as well as from a checkout.
# Resolved, so messages name data/claims.ttl in a checkout rather than the link.
DEFAULT_DATA_DIR = (PACKAGE_DIR / "data").resolve()
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


def public_query_files() -> list[Path]:
    """The analyst questions written in public vocabularies only (SEPIO, IAO, STATO, PICO, PROV, CiTO, ...): the
    proof that the graph answers without the project glossary."""
    return sorted(PUBLIC_QUERIES_DIR.glob("*.rq"))
