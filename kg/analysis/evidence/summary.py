"""A claim's summary: its studies by stance, the certainty the build wrote (with its working), the direction of
effect of each study (SWiM), and the comparable results pooled or why they do not pool.

Reads the claim's evidence once (kg.analysis.evidence.read) and hands it to the pure rules of kg.appraisal.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kg.analysis.evidence.model import ClaimSummary
from kg.analysis.evidence.read import (
    claim_lines,
    claim_names,
    claim_record,
    concept_index,
    evidence_lines,
    read_certainty,
    read_pico,
)
from kg.analysis.evidence.resolve import resolve_claim
from kg.appraisal import direction_summary, pool_groups
from kg.appraisal.model import ConceptInfo
from kg.model.namespace import compact

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


def claim_summary(kg: KnowledgeGraph, claim: str) -> ClaimSummary:
    """Supporters, contradictors, qualifiers and inconclusive lines of a claim, its certainty and direction of
    effect. `claim` is an IRI, `claim:slug` or the slug; an unknown claim raises UnknownClaimError.

    The certainty is the one the build wrote into the graph (kg.ingest.appraise, rules in kg.appraisal.grade),
    so a remote store answers the same. The direction-of-effect summary replaces a weighted vote count: each
    study's direction with its design and risk of bias, and a sign test (kg.appraisal.direction).
    """
    return _summary(kg, resolve_claim(kg, claim), concept_index(kg))


def claim_summaries(kg: KnowledgeGraph) -> list[ClaimSummary]:
    """The summary of every claim, in IRI order; the concept index, which every summary needs, is read once."""
    concepts = concept_index(kg)
    return [_summary(kg, iri, concepts) for iri in sorted(claim_names(kg))]


def _summary(kg: KnowledgeGraph, iri: str, concepts: Mapping[str, ConceptInfo]) -> ClaimSummary:
    record = claim_record(kg, iri)
    studies = evidence_lines(kg, iri)
    lines = claim_lines(kg, iri, studies, read_pico(kg, iri)) if studies else []
    name = compact(iri)
    return ClaimSummary(
        claim=iri, curie=name, label=record.label or name, statement=record.statement or "",
        unbacked=record.unbacked, asserted_by=sorted(record.asserted_by), subjects=sorted(record.subject_labels),
        supporters=[s for s in studies if s.stance == "supports"],
        contradictors=[s for s in studies if s.stance == "contradicts"],
        qualifiers=[s for s in studies if s.stance == "qualifies"],
        inconclusive=[s for s in studies if s.stance not in ("supports", "contradicts", "qualifies")],
        certainty=read_certainty(kg, iri),
        direction=direction_summary(lines),
        pools=pool_groups(lines, {c: info.label for c, info in concepts.items()}),
        lines=lines,
    )
