"""Why studies disagree on a claim: each (supporting or qualifying, contradicting) pair compared by PICO and design.

`disagreements` is a pure function of the claim's evidence lines, their PICO frames and the concept index;
`explain_disagreements` reads those for one claim and applies it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from kg.analysis.evidence.model import Disagreement, Pico, PicoDifference, StudyEvidence
from kg.analysis.evidence.read import concept_index, evidence_lines, read_pico
from kg.analysis.evidence.resolve import resolve_claim
from kg.appraisal.model import ConceptInfo
from kg.model.vocab import C

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

DIAGNOSTIC_SCHEME = C + "diagnostic-tests"
# The PICO roles compared, in reading order; intervention (or index test), population and outcome define the
# question a study asks.
PICO_ROLES = ("intervention", "population", "comparator", "outcome")
QUESTION_ROLES = ("intervention", "population", "outcome")


def explain_disagreements(kg: KnowledgeGraph, claim: str) -> list[Disagreement]:
    """For each (supporting or qualifying study, contradicting study) pair on the claim: how their PICO and
    design differ, and whether they ask different questions or really conflict.

    Rule: intervention (or index test), population and outcome define the question a study asks, so a pair that
    differs in any of them gets "different questions": their results can both be right. A pair that agrees on all
    three gets "real conflict", even when comparator, follow-up, design, level or sample size differ: those
    change how well the same question was answered, which the certainty rating weighs, not what was asked.
    Concept sets are compared as recorded (a narrower test, e.g. non-contrast MRI vs MRI, is a difference);
    the curated PICO wording is shown beside the concept labels.
    """
    iri = resolve_claim(kg, claim)
    return disagreements(iri, evidence_lines(kg, iri), read_pico(kg, iri), concept_index(kg))


def disagreements(claim: str, studies: list[StudyEvidence], pico: Pico,
                  concepts: Mapping[str, ConceptInfo]) -> list[Disagreement]:
    """Every (supporting or qualifying, contradicting) pair of different studies among the claim's lines, compared."""
    firsts = [s for s in studies if s.stance in ("supports", "qualifies")]
    seconds = [s for s in studies if s.stance == "contradicts"]
    return [compare(claim, a, b, pico, concepts) for a in firsts for b in seconds if a.study != b.study]


def compare(claim: str, a: StudyEvidence, b: StudyEvidence, pico: Pico,
            concepts: Mapping[str, ConceptInfo]) -> Disagreement:
    """How study `a` (supporting or qualifying) and study `b` (contradicting) differ, and the verdict."""
    pa, pb = pico.concepts.get(a.evidence, {}), pico.concepts.get(b.evidence, {})
    ta, tb = pico.wording.get(a.evidence, {}), pico.wording.get(b.evidence, {})

    def show(items: set[str], wording: list[str]) -> str:
        names = ", ".join(sorted(concepts[c].label if c in concepts else c.rsplit("/", 1)[-1] for c in items))
        words = "; ".join(wording)
        if names and words:
            return f"{names} ({words})"
        return names or words or "not recorded"

    both = pa.get("intervention", set()) | pb.get("intervention", set())
    tests = bool(both) and all(concepts.get(c) and concepts[c].scheme == DIAGNOSTIC_SCHEME for c in both)
    differences: list[PicoDifference] = []
    same: list[str] = []
    for role in PICO_ROLES:
        aspect = "index test" if role == "intervention" and tests else role
        ca, cb = set(pa.get(role, set())), set(pb.get(role, set()))
        if ca != cb:
            differences.append(PicoDifference(aspect, show(ca, ta.get(role, [])), show(cb, tb.get(role, [])),
                                              role in QUESTION_ROLES))
        else:
            same.append(aspect)
    for aspect, va, vb in (("follow-up", a.follow_up, b.follow_up), ("design", a.design, b.design),
                           ("level", a.level_label, b.level_label), ("sample size", a.sample, b.sample)):
        if (va or "not recorded") != (vb or "not recorded"):
            differences.append(PicoDifference(aspect, va or "not recorded", vb or "not recorded", False))
        else:
            same.append(aspect)
    defining = [d.aspect for d in differences if d.question_defining]
    if defining:
        verdict = "different questions"
        reason = (f"they differ in {', '.join(defining)}: each may be right about the question it asked, "
                  f"so this is not a head-to-head conflict")
    else:
        other = [d.aspect for d in differences]
        verdict = "real conflict"
        reason = ("same intervention, population and outcome, opposite findings"
                  + (f"; weigh them by {', '.join(other)}" if other else ""))
    return Disagreement(claim, a, b, differences, same, verdict, reason)
