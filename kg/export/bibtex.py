"""The graph's works as BibTeX, written by bibtexparser from the graph alone (not from the .bib it was built
from), so it also works for a graph loaded from Turtle.

It round-trips references.bib field by field: a person node keeps the fullest spelling of a name, and each
author-list cell keeps the name as that entry printed it (rdfs:label), which is what the export writes back.
A name BibTeX would read differently (a corporate author such as 'Barnes and Noble') is braced again.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox
from bibtexparser.model import Block, Entry, Field, ImplicitComment

from kg.ingest.bibtex import ENTRY_CLASSES, LATEX_FIELDS
from kg.ingest.bibtex_text import bibtex_name, latex, write_blocks
from kg.query.named import internal_query

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

HEADER = "% Exported from the hip-spine evidence graph by `kg export --format bib`."
# BibTeX fields in the order they are written (the order data/references.bib uses).
FIELD_ORDER = ("author", "contributor", "title", "journal", "shortjournal", "booktitle", "organization", "year", "updated",
               "volume", "number", "pages", "onlinedate", "doi", "pmid", "pmcid", "url", "note", "verification",
               "unverified", "verificationnote", "abstract", "keywords", "mesh", "language", "issn", "screening",
               "screening-reason", "import-source", "import-format", "import-date", "possible-duplicate-of",
               "duplicate-match", "duplicate-of")
# Fields with several values in the graph, joined as `kg import` writes them (keywords come back sorted).
LIST_FIELDS = ("keywords", "mesh")
NAME_FIELDS = ("author", "contributor")
VERIFICATION = {"Verified": "verified", "PartlyVerified": "partly", "Unverified": "unverified"}
# A study's entry type from its FaBiO class (the first type the build reads as that class: @incollection for a
# chapter, @inproceedings for a conference paper, @report ...); a journal article is @article.
ENTRY_TYPE = {str(cls): entry_type for entry_type, cls in reversed(ENTRY_CLASSES.items())}


def _write(blocks: list[Block]) -> str:
    """The entries as data/references.bib writes them (the library is ours, so the writer may change it).
    Values align after `verificationnote` as in data/references.bib; longer field names push past it."""
    return write_blocks(blocks, len("verificationnote") + len(" = "))


def _names(rows: list[dict[str, object]]) -> str:
    return " and ".join(bibtex_name(str(r["family"]), _text(r.get("given")), _text(r.get("printed"))) for r in rows)


def _text(value: object) -> str | None:
    return str(value) if value else None


def to_bibtex(kg: KnowledgeGraph) -> str:
    """The graph's works as BibTeX: studies as their entry type (@article, @incollection ...), @online for source
    articles, sorted by key."""
    return _write([ImplicitComment(HEADER), *_entries(kg)])


def bibtex_entry(kg: KnowledgeGraph, key: str) -> str | None:
    """One work's entry, exactly as to_bibtex writes it, looked up by its BibTeX key alone (a study page needs
    one entry, not the whole export); None when no work has that key."""
    entries = _entries(kg, key)
    return _write(entries) if entries else None


def _entries(kg: KnowledgeGraph, key: str | None = None) -> list[Block]:
    """The BibTeX entries of every work, or of the work with BibTeX key `key` (bound, never pasted)."""
    works = kg.select(internal_query("export_works").text, {"key": ox.Literal(key)} if key is not None else None)
    if key is not None and not works:
        return []
    # For one work, the author and contributor queries are bound to its IRI too.
    bound = {"work": ox.NamedNode(works[0]["work"])} if key is not None else None
    names: dict[str, dict[str, list[dict[str, object]]]] = {name: {} for name in NAME_FIELDS}
    for name, query in (("author", "export_authors"), ("contributor", "export_contributors")):
        for row in kg.select(internal_query(query).text, bound):
            names[name].setdefault(row["work"], []).append(row)
    review: dict[str, dict[str, list[str]]] = {}
    for row in kg.select(internal_query("export_review_fields").text, bound):
        review.setdefault(row["work"], {}).setdefault(row["field"], []).append(str(row["value"]))
    return [_entry(row, {name: names[name].get(row["work"], []) for name in NAME_FIELDS}, review.get(row["work"], {}))
            for row in works]


def _entry(row: dict[str, object], people: dict[str, list[dict[str, object]]],
           review: dict[str, list[str]]) -> Entry:
    fields: dict[str, str] = {name: _names(rows) for name, rows in people.items() if rows}
    for name, values in review.items():
        fields[name] = "; ".join(values) if name in LIST_FIELDS else values[0]
        if name in LATEX_FIELDS:
            fields[name] = latex(fields[name])
    for name in ("title", "journal", "shortjournal", "booktitle", "organization", "year", "updated", "volume", "number",
                 "onlinedate", "doi", "pmid", "pmcid", "url", "note", "verificationnote"):
        if row[name] is not None:
            value = str(row[name])
            fields[name] = latex(value) if name in LATEX_FIELDS else value
    if row["pages"] is not None:
        first, _, last = str(row["pages"]).partition("-")
        fields["pages"] = f"{first}--{last}" if last else first  # the build stored 'a--b' as 'a-b'
    elif row["first"] is not None:
        fields["pages"] = str(row["first"])
    if row["status"] is not None:
        fields["verification"] = VERIFICATION[str(row["status"]).rsplit("#", 1)[-1]]
    if row["unverified"]:
        listed = sorted(str(row["unverified"]).split(","),
                        key=lambda f: (FIELD_ORDER.index(f) if f in FIELD_ORDER else len(FIELD_ORDER), f))
        fields["unverified"] = ", ".join(listed)
    entry_type = "online" if row["online"] else ENTRY_TYPE.get(str(row["class"]), "article")
    return Entry(entry_type, str(row["key"]), [Field(name, fields[name]) for name in FIELD_ORDER if name in fields])
