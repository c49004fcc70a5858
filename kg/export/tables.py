"""Flat tables of the graph for spreadsheets: the evidence table as CSV."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kg.query.named import run_named

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


def evidence_csv(kg: KnowledgeGraph) -> str:
    """The flat evidence table (study, claim, stance, design, n, year) as CSV, from the evidence_table query."""
    return str(run_named(kg, "evidence_table").to_csv(index=False, lineterminator="\n"))
