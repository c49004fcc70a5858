"""Evidence summaries over the graph: who supports or contradicts a claim, how certain the body of evidence is
(GRADE, written into the graph by the build), each study's direction of effect, why studies disagree, and where an
article misreports.

The modules follow the data: `read` runs the queries (kg/query/rq/internal/*.rq, values bound, never pasted) and
returns plain dataclasses (`model`, and kg.appraisal.model for the appraisal's own); `resolve` finds the claim a
user means; `disagreement` and `fidelity` are judgement rules, pure functions of those dataclasses, beside the
appraisal rules of kg.appraisal; `summary` and `tables` put them together. kg.render.text writes them as text.
"""
from __future__ import annotations

from kg.analysis.evidence.disagreement import explain_disagreements
from kg.analysis.evidence.fidelity import fidelity_report
from kg.analysis.evidence.model import (
    ClaimSummary,
    Disagreement,
    FidelityItem,
    PicoDifference,
    StudyEvidence,
)
from kg.analysis.evidence.read import claim_names, concept_index, read_certainty, risk_of_bias
from kg.analysis.evidence.resolve import UnknownClaimError, resolve_claim
from kg.analysis.evidence.summary import claim_summaries, claim_summary
from kg.analysis.evidence.tables import claims_overview, evidence_table
from kg.appraisal import Certainty, ConceptInfo, DirectionSummary, PoolGroup, Step

__all__ = [
    "Certainty",
    "ClaimSummary",
    "ConceptInfo",
    "Disagreement",
    "DirectionSummary",
    "FidelityItem",
    "PicoDifference",
    "PoolGroup",
    "Step",
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
    "read_certainty",
    "resolve_claim",
    "risk_of_bias",
]
