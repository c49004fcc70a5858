"""The evidence as of a year: a copy of the graph without the studies published after it.

A claim, the network and the evidence map read from the copy exactly as from the whole graph, so every rating,
count and edge is the one a reader would have seen then. The claims and the source articles stay: the question
is today's, the evidence is what had been published by the year. A study without a recorded year stays too.
The year is bound into the queries (kg.query.binding), never pasted.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.ingest.appraise import reappraise
from kg.model.namespace import PREFIXES
from kg.query.binding import bind_rows
from kg.query.named import internal_query
from kg.store.embedded import EmbeddedBackend
from kg.store.graph import KnowledgeGraph

if TYPE_CHECKING:
    from collections.abc import Iterable

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
CHUNK = 2000  # studies bound per update (Oxigraph's transactions grow with the VALUES table)


def later_studies(kg: KnowledgeGraph, year: int) -> list[str]:
    """IRIs of the cited studies published after `year`."""
    rows = kg.select(internal_query("asof_later_studies").text, {"asOf": ox.Literal(str(int(year)), datatype=XSD_INTEGER)})
    return sorted(str(r["study"]) for r in rows)


def _drop(store: ox.Store, studies: Iterable[str]) -> None:
    iris = [ox.NamedNode(s) for s in studies]
    for i in range(0, len(iris), CHUNK):
        chunk = iris[i:i + CHUNK]
        for update in ("asof_drop_evidence", "asof_drop_studies"):  # lines first: they are found through the study
            store.update(bind_rows(internal_query(update).text, "study", chunk), prefixes=PREFIXES)


def as_of(kg: KnowledgeGraph, year: int) -> KnowledgeGraph:
    """A new in-memory graph holding `kg` without the studies published after `year`, their evidence lines,
    results and the stances derived from them, with each claim's certainty rated again on what is left. `kg` itself
    is not changed."""
    later = later_studies(kg, year)
    store = ox.Store()
    store.bulk_extend(kg.snapshot().quads_for_pattern(None, None, None, ox.DefaultGraph()))
    _drop(store, later)
    if later:  # the certainty the build wrote rests on the later studies too: rate the claims again without them
        reappraise(store)
    return KnowledgeGraph(EmbeddedBackend(store))


def publication_years(kg: KnowledgeGraph) -> tuple[int, int] | None:
    """(earliest, latest) publication year of the cited studies, None when no study has a year."""
    rows = kg.select(internal_query("asof_year_range").text)
    if not rows or rows[0].get("first") is None:
        return None
    return int(rows[0]["first"]), int(rows[0]["last"])
