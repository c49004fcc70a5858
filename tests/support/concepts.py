"""Concepts for the graph-free tests of the appraisal and evidence rules: a slug, a label, a scheme, its broader."""
from __future__ import annotations

from kg.appraisal.model import ConceptInfo

C = "https://w3id.org/hipspine/concept/"


def concept(slug: str, label: str, scheme: str, *broader: str) -> tuple[str, ConceptInfo]:
    """(IRI, ConceptInfo) of c:slug in c:scheme, its ancestors being itself and c:broader…"""
    return C + slug, ConceptInfo(label, C + scheme, frozenset({C + slug, *(C + b for b in broader)}))
