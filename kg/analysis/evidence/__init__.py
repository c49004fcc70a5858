"""Evidence summaries over the graph: who supports or contradicts a claim, how much that weighs, how certain
the body of evidence is (GRADE-style, with its working), why studies disagree, and where an article misreports.

The modules follow the data: `read` runs the queries (kg/query/rq/internal/evidence_*.rq, values bound, never
pasted) and returns the plain dataclasses of `model`; `resolve` finds the claim a user means; `balance`,
`grade`, `disagreement` and `fidelity` are the judgement rules, pure functions of those dataclasses; `summary`
and `tables` put them together. kg.render.text writes the results as text.
"""
from __future__ import annotations

from kg.analysis.evidence.balance import verdict
from kg.analysis.evidence.disagreement import explain_disagreements
from kg.analysis.evidence.fidelity import fidelity_report
from kg.analysis.evidence.grade import NO_EVIDENCE, BodyOfEvidence, rate_certainty
from kg.analysis.evidence.model import (
    Balance,
    Certainty,
    CertaintyStep,
    ClaimSummary,
    ConceptInfo,
    Disagreement,
    FidelityItem,
    PicoDifference,
    StudyEvidence,
)
from kg.analysis.evidence.read import claim_names, concept_index
from kg.analysis.evidence.resolve import UnknownClaimError, resolve_claim
from kg.analysis.evidence.summary import claim_summaries, claim_summary
from kg.analysis.evidence.tables import claims_overview, evidence_table

__all__ = [
    "NO_EVIDENCE",
    "Balance",
    "BodyOfEvidence",
    "Certainty",
    "CertaintyStep",
    "ClaimSummary",
    "ConceptInfo",
    "Disagreement",
    "FidelityItem",
    "PicoDifference",
    "StudyEvidence",
    "UnknownClaimError",
    "claim_names",
    "claim_summaries",
    "claim_summary",
    "claims_overview",
    "concept_index",
    "evidence_table",
    "explain_disagreements",
    "fidelity_report",
    "rate_certainty",
    "resolve_claim",
    "verdict",
]
