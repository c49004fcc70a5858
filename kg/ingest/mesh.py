"""MeSH headings to descriptor IRIs, by exact heading or descriptor UI only (kg/model/ontology/mesh.ttl).

A MEDLINE heading such as `*Arthroplasty, Replacement, Hip/adverse effects` names the descriptor
`Arthroplasty, Replacement, Hip` (the star marks a major topic, the part after `/` a qualifier). It is linked
when that heading, ignoring case, is one of the descriptors the project lists, or when the value is a UI
such as `D019644` that the project lists; anything else stays text.
"""
from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from kg.model import paths

MESH_FILE = "mesh.ttl"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
IDENTIFIER = "http://purl.org/dc/terms/identifier"


@lru_cache(maxsize=1)
def descriptors() -> dict[str, str]:
    """Lower-cased heading and UI -> descriptor IRI, for the descriptors the project lists."""
    table: dict[str, str] = {}
    for triple in ox.parse(path=str(paths.ONTOLOGY_DIR / MESH_FILE), format=ox.RdfFormat.TURTLE):
        if isinstance(triple.object, ox.Literal) and triple.predicate.value in (LABEL, IDENTIFIER):
            table[triple.object.value.lower()] = triple.subject.value
    return table


def heading_name(heading: str) -> str:
    """The descriptor part of a MEDLINE heading: no major-topic star, no /qualifiers."""
    return heading.strip().lstrip("*").split("/", 1)[0].strip()


def descriptor_iri(heading: str) -> str | None:
    """The descriptor IRI a heading (or a UI) names exactly, or None."""
    return descriptors().get(heading_name(heading).lower())


def split_headings(value: str) -> list[str]:
    """A `mesh` field ('a; b; c') as its headings: a heading may contain commas, so only semicolons separate."""
    return [item.strip() for item in value.split(";") if item.strip()]


def split_keywords(value: str, imported: bool = False) -> list[str]:
    """A `keywords` field as its keywords: separated by semicolons (as `kg import` writes them), or by commas
    when there is no semicolon (as Zotero and JabRef export them). An `imported` entry (one with import-format)
    was written by `kg import`, so only semicolons separate: its one keyword 'pain, referred' stays one."""
    return [item.strip() for item in value.split(";" if imported or ";" in value else ",") if item.strip()]
