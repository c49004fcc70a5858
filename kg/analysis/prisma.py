"""The counts of a PRISMA 2020 flow diagram, from the graph itself (kg/query/rq/prisma_*.rq).

Identification: the records each source contributed (each imported file, by its import runs; the entries of
references.bib without an import record as one group: the source articles' citations and entries added by
hand). Removed before screening: duplicates (on import, and marked duplicate-of on review) and records no
import could read. Screening: records screened (included + excluded), excluded with their reasons, awaiting
screening; included. The diagram is drawn by kg.render.prisma.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.query.named import get_query

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

HAND_ADDED = "references.bib entries without an import record (the source articles' citations, or added by hand)"


@dataclass(frozen=True)
class Source:
    """One box line of the identification stage."""

    name: str  # the file as imported; "" for entries without an import record
    format: str
    records: int

    @property
    def label(self) -> str:
        if not self.name:
            return HAND_ADDED
        return f"{self.name} ({self.format})" if self.format else self.name


@dataclass(frozen=True)
class PrismaFlow:
    """Every number the flow diagram shows."""

    sources: list[Source] = field(default_factory=list)
    duplicates_on_import: int = 0
    duplicates_on_review: int = 0
    unreadable: int = 0
    possible_duplicates: int = 0
    awaiting: int = 0
    excluded: int = 0
    included: int = 0
    exclusions: list[tuple[str, int]] = field(default_factory=list)  # (reason, records), most frequent first

    @property
    def identified(self) -> int:
        return sum(s.records for s in self.sources)

    @property
    def duplicates(self) -> int:
        return self.duplicates_on_import + self.duplicates_on_review

    @property
    def removed(self) -> int:
        """Records removed before screening: duplicates and unreadable records."""
        return self.duplicates + self.unreadable

    @property
    def screened(self) -> int:
        return self.included + self.excluded


def prisma_flow(kg: KnowledgeGraph) -> PrismaFlow:
    """The flow diagram's counts from the graph (three SELECTs, each a handful of rows)."""
    sources = [Source(str(r["source"] or ""), str(r["format"] or ""), int(r["records"] or 0))
               for r in kg.select(get_query("prisma_sources").text)]
    stages = {str(r["stage"]): int(r["count"] or 0) for r in kg.select(get_query("prisma_counts").text)}
    exclusions = [(str(r["reason"]), int(r["count"])) for r in kg.select(get_query("prisma_exclusions").text)]
    return PrismaFlow(
        sources=sources,
        duplicates_on_import=stages.get("duplicates removed on import", 0),
        duplicates_on_review=stages.get("duplicates marked on review", 0),
        unreadable=stages.get("records not readable", 0),
        possible_duplicates=stages.get("possible duplicates to review", 0),
        awaiting=stages.get("awaiting screening", 0),
        excluded=stages.get("excluded", 0),
        included=stages.get("included", 0),
        exclusions=exclusions,
    )
