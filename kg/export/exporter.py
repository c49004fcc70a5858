"""Export the graph: RDF (Turtle, N-Triples, JSON-LD), GraphML, BibTeX rebuilt from the graph, and the flat
evidence table as CSV. Files are written atomically (kg.store.serialize.write_atomic).

The BibTeX comes from the graph alone (not from the .bib it was built from), so it also works for a graph
loaded from Turtle. It round-trips references.bib field by field: a person node keeps the fullest spelling
of a name, and each author-list cell keeps the name as that entry printed it (rdfs:label), which is what
the export writes back.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from kg.ingest.bibtex import decode_latex
from kg.store.serialize import serialize, write_atomic

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

FORMATS = ("ttl", "nt", "jsonld", "graphml", "bib", "csv")
RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
EXTENSIONS = {"ttl": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "graphml": ".graphml", "bib": ".bib", "csv": ".csv"}

# BibTeX fields in the order they are written (the order data/references.bib uses).
FIELD_ORDER = ("author", "contributor", "title", "journal", "shortjournal", "organization", "year", "updated",
               "volume", "number", "pages", "onlinedate", "doi", "pmid", "pmcid", "url", "note", "verification",
               "unverified", "verificationnote")
LATEX_FIELDS = frozenset({"author", "contributor", "title", "journal", "organization", "note"})
VERIFICATION = {"Verified": "verified", "PartlyVerified": "partly", "Unverified": "unverified"}
_LATEX_SPECIALS = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                   "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}

# One row per work: every single-valued field the build writes from a BibTeX entry.
WORKS_SPARQL = """
SELECT ?work ?key ?online ?title ?journal ?shortjournal ?organization ?year ?updated ?onlinedate ?volume ?number
       ?pages ?first ?doi ?pmid ?pmcid ?url ?note ?status ?verificationnote
       (GROUP_CONCAT(DISTINCT ?field; separator=",") AS ?unverified)
WHERE {
  ?work hs:bibKey ?key .
  BIND(EXISTS { ?work a hs:SourceArticle } AS ?online)
  OPTIONAL { ?work dcterms:title ?title }
  OPTIONAL { ?work frbr:partOf ?j . ?j dcterms:title ?journal OPTIONAL { ?j dcterms:alternative ?shortjournal } }
  OPTIONAL { ?work dcterms:publisher ?organization }
  OPTIONAL { ?work dcterms:issued ?year }
  OPTIONAL { ?work dcterms:modified ?updated }
  OPTIONAL { ?work hs:onlineDate ?onlinedate }
  OPTIONAL { ?work prism:volume ?volume }
  OPTIONAL { ?work prism:issueIdentifier ?number }
  OPTIONAL { ?work prism:pageRange ?pages }
  OPTIONAL { ?work prism:startingPage ?first }
  OPTIONAL { ?work prism:doi ?doi }
  OPTIONAL { ?work fabio:hasPubMedId ?pmid }
  OPTIONAL { ?work fabio:hasPubMedCentralId ?pmcid }
  OPTIONAL { ?work fabio:hasURL ?url }
  OPTIONAL { ?work dcterms:description ?note }
  OPTIONAL { ?work hs:verificationStatus ?status }
  OPTIONAL { ?work hs:verificationNote ?verificationnote }
  OPTIONAL { ?work hs:unverifiedField ?field }
}
GROUP BY ?work ?key ?online ?title ?journal ?shortjournal ?organization ?year ?updated ?onlinedate ?volume ?number
         ?pages ?first ?doi ?pmid ?pmcid ?url ?note ?status ?verificationnote
ORDER BY ?online ?key
"""

# Authors in list order: a cell's position is the number of cells from the head of the list up to it.
AUTHORS_SPARQL = """
SELECT ?work ?family ?given ?printed (COUNT(DISTINCT ?mid) AS ?position)
WHERE {
  ?work bibo:authorList ?list .
  ?list rdf:rest* ?mid .
  ?mid rdf:rest* ?cell .
  ?cell rdf:first ?person .
  ?person foaf:familyName ?family .
  OPTIONAL { ?person foaf:givenName ?given }
  OPTIONAL { ?cell rdfs:label ?printed }
}
GROUP BY ?work ?cell ?family ?given ?printed
ORDER BY ?work ?position
"""

CONTRIBUTORS_SPARQL = """
SELECT ?work ?family ?given
WHERE { ?work dcterms:contributor ?person . ?person foaf:familyName ?family OPTIONAL { ?person foaf:givenName ?given } }
ORDER BY ?work ?family ?given
"""


def latex(value: str) -> str:
    """Text as BibTeX/LaTeX that kg.ingest.bibtex.decode_latex turns back into exactly the same text.

    Specials (& % $ # _ { } ~ ^ backslash) are escaped and accented letters written as LaTeX accents; if
    that encoding would not decode back to the same text (e.g. text holding '--', which LaTeX reads as a
    dash), the plain text is kept when it survives decoding as it is.
    """
    from pylatexenc.latexencode import unicode_to_latex

    parts = []
    for ch in value:
        if ch in _LATEX_SPECIALS:
            parts.append(_LATEX_SPECIALS[ch])
        elif ord(ch) > 127:
            encoded = unicode_to_latex(ch, non_ascii_only=True, unknown_char_policy="keep")
            encoded = encoded.strip()
            parts.append("{" + encoded + "}" if encoded != ch and decode_latex("{" + encoded + "}") == ch else ch)
        else:
            parts.append(ch)
    encoded = "".join(parts)
    if decode_latex(encoded) == value:
        return encoded
    return value if decode_latex(value) == value else encoded


def _names(rows: list[dict[str, object]]) -> str:
    def one(r: dict[str, object]) -> str:
        if r.get("printed"):
            return str(r["printed"])
        return f"{r['family']}, {r['given']}" if r.get("given") else str(r["family"])

    return " and ".join(one(r) for r in rows)


def to_bibtex(kg: KnowledgeGraph) -> str:
    """The graph's works as BibTeX: @article for studies, @online for source articles, sorted by key."""
    header = "% Exported from the hip-spine evidence graph by `kg export --format bib`.\n\n"
    return header + "\n\n".join(_entries(kg)) + "\n"


def bibtex_entry(kg: KnowledgeGraph, key: str) -> str | None:
    """One work's entry, exactly as to_bibtex writes it, looked up by its BibTeX key alone (a study page needs
    one entry, not the whole export); None when no work has that key."""
    entries = _entries(kg, key)
    return entries[0] + "\n" if entries else None


def _entries(kg: KnowledgeGraph, key: str | None = None) -> list[str]:
    """The BibTeX entries of every work, or of the work with BibTeX key `key` (bound, never pasted)."""
    import pyoxigraph as ox

    works = kg.select(WORKS_SPARQL, {"key": ox.Literal(key)} if key is not None else None)
    if key is not None and not works:
        return []
    # For one work, the author and contributor queries are bound to its IRI too.
    bound = {"work": ox.NamedNode(works[0]["work"])} if key is not None else None
    authors: dict[str, list[dict[str, object]]] = {}
    for row in kg.select(AUTHORS_SPARQL, bound):
        authors.setdefault(row["work"], []).append(row)
    contributors: dict[str, list[dict[str, object]]] = {}
    for row in kg.select(CONTRIBUTORS_SPARQL, bound):
        contributors.setdefault(row["work"], []).append(row)
    entries = []
    for row in works:
        fields: dict[str, str] = {}
        if row["work"] in authors:
            fields["author"] = _names(authors[row["work"]])
        if row["work"] in contributors:
            fields["contributor"] = _names(contributors[row["work"]])
        for name in ("title", "journal", "shortjournal", "organization", "year", "updated", "volume", "number",
                     "onlinedate", "doi", "pmid", "pmcid", "url", "note", "verificationnote"):
            if row[name] is not None:
                fields[name] = str(row[name])
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
        entries.append(_entry("online" if row["online"] else "article", str(row["key"]), fields))
    return entries


def _entry(entry_type: str, key: str, fields: dict[str, str]) -> str:
    names = [f for f in FIELD_ORDER if f in fields]
    width = max((len(n) for n in names), default=0)
    lines = [f"  {name:<{width}} = {{{latex(fields[name]) if name in LATEX_FIELDS else fields[name]}}}"
             for name in names]
    return f"@{entry_type}{{{key},\n" + ",\n".join(lines) + "\n}"


def evidence_csv(kg: KnowledgeGraph) -> str:
    """The flat evidence table (study, claim, stance, design, n, year) as CSV, from the evidence_table query."""
    from kg.query.named import run_named

    return str(run_named(kg, "evidence_table").to_csv(index=False, lineterminator="\n"))


def export_bytes(kg: KnowledgeGraph, fmt: str) -> bytes:
    """The graph in one of FORMATS, as bytes (GraphML goes through kg.analysis.network.write_graphml)."""
    if fmt in RDF_FORMATS:
        backend = getattr(kg, "backend", None)  # a graph in a remote store is copied here first
        return serialize(backend.snapshot() if backend is not None else kg.store, RDF_FORMATS[fmt])
    if fmt == "bib":
        return to_bibtex(kg).encode("utf-8")
    if fmt == "csv":
        return evidence_csv(kg).encode("utf-8")
    if fmt == "graphml":
        from kg.analysis.network import (
            write_graphml,  # networkx projection, owned by kg.analysis.network; imported only when asked
        )

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "graph.graphml"
            write_graphml(kg, path)
            return path.read_bytes()
    raise ValueError(f"unknown export format '{fmt}'; use one of {', '.join(FORMATS)}")


def export(kg: KnowledgeGraph, fmt: str, path: Path | str) -> Path:
    """Write the export to `path` atomically (readers never see half a file) and return the path."""
    path = Path(path)
    write_atomic(path, lambda: export_bytes(kg, fmt))
    return path
