"""A claim's summary: its supporters, contradictors and qualifiers, their weighted balance and the certainty.

Reads the claim's evidence once (kg.analysis.evidence.read) and hands it to the pure rules: the balance,
the disagreements and the GRADE-style rating.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kg.analysis.evidence.balance import balance, weigh
from kg.analysis.evidence.disagreement import disagreements
from kg.analysis.evidence.grade import BodyOfEvidence, null_intervals, rate_certainty
from kg.analysis.evidence.model import ClaimSummary, ConceptInfo
from kg.analysis.evidence.read import (
    claim_names,
    claim_record,
    concept_index,
    evidence_lines,
    level_counts,
    read_pico,
    reported_intervals,
)
from kg.analysis.evidence.resolve import resolve_claim
from kg.model.namespace import compact

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


def claim_summary(kg: KnowledgeGraph, claim: str) -> ClaimSummary:
    """Supporters, contradictors and qualifiers of a claim, its design-weighted balance and certainty.

    `claim` is an IRI, `claim:slug` or the slug; an unknown claim raises UnknownClaimError.
    The balance weighs each study by its level of evidence (LOE_WEIGHTS: Level I 1.0, II 0.8, III 0.6,
    IV 0.4, V 0.2, unrecorded as V): linear because each step down the hierarchy adds one avenue for bias.
    The certainty follows rate_certainty (GRADE-style, each step with its reason).
    """
    return _summary(kg, resolve_claim(kg, claim), concept_index(kg))


def claim_summaries(kg: KnowledgeGraph) -> list[ClaimSummary]:
    """The summary of every claim, in IRI order (30 claims: a few tens of milliseconds); the concept index,
    which every summary needs, is read once."""
    concepts = concept_index(kg)
    return [_summary(kg, iri, concepts) for iri in sorted(claim_names(kg))]


def _summary(kg: KnowledgeGraph, iri: str, concepts: Mapping[str, ConceptInfo]) -> ClaimSummary:
    record = claim_record(kg, iri)
    studies = evidence_lines(kg, iri)
    pico = read_pico(kg, iri)
    asserted_by = sorted(record.asserted_by)
    certainty = rate_certainty(BodyOfEvidence(
        studies, subjects=record.subjects, concepts=concepts, pico=pico.concepts,
        null_intervals=null_intervals(reported_intervals(kg, iri), studies),
        disagreements=disagreements(iri, studies, pico, concepts), asserted_by=asserted_by))
    name = compact(iri)
    return ClaimSummary(
        claim=iri, curie=name, label=record.label or name, statement=record.statement or "",
        unbacked=record.unbacked, asserted_by=asserted_by, subjects=sorted(record.subject_labels),
        supporters=[s for s in studies if s.stance == "supports"],
        contradictors=[s for s in studies if s.stance == "contradicts"],
        qualifiers=[s for s in studies if s.stance == "qualifies"],
        balance=balance(weigh(level_counts(kg, iri))),
        certainty=certainty,
    )
