"""GRADE-style certainty of the body of evidence on a claim, with the working: pure functions of plain data.

rate_certainty takes a BodyOfEvidence (the claim's evidence lines and what the graph says around them) and
returns the rating with one step per domain, each with its reason. Nothing here reads the graph.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kg.analysis.evidence.model import (
    Certainty,
    CertaintyStep,
    ConceptInfo,
    Disagreement,
    NullInterval,
    PicoConcepts,
    ReportedInterval,
    StudyEvidence,
)
from kg.model.vocab import GRADES, HS, OBO, C

NO_EVIDENCE = "No evidence"
# GRADE's rule-of-thumb optimal information size for continuous outcomes: fewer participants than this across the
# body of evidence is imprecise whatever the point estimates say.
OPTIMAL_INFORMATION_SIZE = 400
# Sample units that count participants (or their joints/specimens); articles and studies count publications.
PARTICIPANT_UNITS = {"patients", "participants", "people", "persons", "subjects", "hips", "knees", "specimens", "cases"}
# Null value of an effect estimate by result class: a CI that contains it does not exclude "no effect".
NULL_BY_CLASS = {OBO + "STATO_0000182": 1.0, HS + "RegressionCoefficient": 0.0,
                 HS + "StandardizedRegressionCoefficient": 0.0}
# Outcome branches measured on patients; a claim whose subjects are only other outcomes (facet load, arthritis
# severity, range of motion) and conditions is mechanistic, which lab studies answer directly.
PATIENT_OUTCOME_ROOTS = {C + "patient-reported-outcome", C + "adverse-outcome", C + "diagnostic-accuracy",
                         C + "differential-diagnosis"}
DESIGN_ROOT_EXPERT = {C + "narrative-review"}
DESIGN_ROOT_LAB = {C + "laboratory-study"}
DESIGN_ROOT_SYSTEMATIC = {C + "systematic-review"}
INTERVENTION_SCHEMES = {C + "interventions", C + "diagnostic-tests"}
CONDITION_SCHEME = C + "conditions"
OUTCOME_SCHEME = C + "outcomes"


@dataclass(frozen=True)
class BodyOfEvidence:
    """What rate_certainty weighs: a claim's evidence lines and what the graph says around them."""

    studies: list[StudyEvidence]  # the claim's evidence lines, any stance
    subjects: list[str] = field(default_factory=list)  # the claim's subject concept IRIs
    concepts: Mapping[str, ConceptInfo] = field(default_factory=dict)  # the concept index (read.concept_index)
    pico: PicoConcepts = field(default_factory=dict)  # per evidence line, its PICO concepts by role
    null_intervals: list[NullInterval] = field(default_factory=list)  # reported intervals containing their null
    disagreements: list[Disagreement] = field(default_factory=list)  # the opposing pairs (explain_disagreements)
    asserted_by: list[str] = field(default_factory=list)  # the source articles asserting the claim


def rate_certainty(body: BodyOfEvidence) -> Certainty:
    """GRADE-style certainty of the body of evidence on a claim, showing each step.

    Start: from the best design among the studies (any stance). High for randomised trials, Level I studies and
    systematic reviews of Level I-II studies; Low for observational designs (cohorts, cross-sectional and
    diagnostic accuracy studies) and for systematic reviews that pool them, because JBJS grades a review at the
    level of its included studies; Very low for narrative reviews, expert opinion and laboratory, cadaveric or
    osteological work (Level V).
    Then rate down, each step with its reason (-1 serious when some studies are affected, -2 very serious when
    all of several are; the grade never goes below Very low):
      risk of bias   a study is Level IV/V, or its record is unverified (hs:verificationStatus hs:Unverified)
      inconsistency  -1 when studies both support and contradict the claim (the reason says how many of the
                     pairs explain_disagreements judges to be different questions rather than a real conflict)
      indirectness   a study's PICO intervention/index test, or its population, is unrelated (not the same, broader
                     or narrower in the concept hierarchy) to the claim's subjects, or a laboratory/cadaveric/
                     osteological study bears on a clinical claim
      imprecision    fewer than 400 participants in total (GRADE's rule-of-thumb optimal information size;
                     articles and studies are not participants; an unknown total counts as too few), and/or a
                     reported confidence interval that contains the null (1 for odds ratios, 0 for coefficients);
                     -2 when both
    No rating up (large effect, dose-response) is attempted. A claim no study bears on gets "No evidence".
    """
    studies, concepts = body.studies, body.concepts
    if not studies:
        who = f" it rests on the word of {', '.join(body.asserted_by)}" if body.asserted_by else ""
        return Certainty(NO_EVIDENCE, None, [CertaintyStep("evidence", 0, f"no cited study bears on this claim;{who}"
                                                           if who else "no cited study bears on this claim")])
    # Ties go to the better-appraised study: lower level, verified record, larger sample.
    best = min(studies, key=lambda s: (-design_tier(s, concepts)[0], s.level or 9, s.verification == "unverified",
                                       -(s.sample_size or 0), s.key))
    start, why = design_tier(best, concepts)
    unique = list({s.study: s for s in studies}.values())  # a study on two lines is judged once
    steps = [CertaintyStep("start", 0, f"{GRADES[start]}, from the best design: {why}"),
             risk_of_bias(unique), inconsistency(studies, body.disagreements),
             indirectness(studies, body.pico, body.subjects, concepts), imprecision(unique, body.null_intervals)]
    final = max(1, start + sum(s.change for s in steps))
    return Certainty(GRADES[final], GRADES[start], steps)


# ----------------------------------------------------------------------------------------------------------
# The domains
# ----------------------------------------------------------------------------------------------------------

def rate(domain: str, affected: list[str], total: int, what: str) -> CertaintyStep:
    """-1 when some studies are affected (serious), -2 when all are (very serious)."""
    if not affected:
        return CertaintyStep(domain, 0, f"no study {what}")
    change = -2 if len(affected) == total and total > 1 else -1
    severity = "very serious" if change == -2 else "serious"
    return CertaintyStep(domain, change, f"{severity}: {'; '.join(affected)}")


def risk_of_bias(unique: list[StudyEvidence]) -> CertaintyStep:
    """Level IV/V studies and unverified records, over the distinct studies."""
    flagged = []
    for s in unique:
        why_bias = []
        if s.level in (4, 5):
            why_bias.append(s.level_label or f"Level {s.level}")
        if s.verification == "unverified":
            why_bias.append("unverified record")
        if why_bias:
            flagged.append(f"{s.label} ({', '.join(why_bias)})")
    return rate("risk of bias", flagged, len(unique), "is Level IV/V or unverified")


def inconsistency(studies: list[StudyEvidence], disagreements: list[Disagreement]) -> CertaintyStep:
    """-1 when studies both support and contradict the claim; the reason says whether they ask one question."""
    pro = [s.label for s in studies if s.stance == "supports"]
    con = [s.label for s in studies if s.stance == "contradicts"]
    if not (pro and con):
        return CertaintyStep("inconsistency", 0, "no study contradicts another")
    different = sum(1 for d in disagreements if d.verdict == "different questions")
    note = (f"; {different} of {len(disagreements)} opposing pair(s) ask different questions "
            f"(intervention, population or outcome differ), so part of the conflict may be indirectness"
            if different else "; the opposing studies ask the same question")
    return CertaintyStep("inconsistency", -1,
                         f"serious: supported by {', '.join(pro)} but contradicted by {', '.join(con)}{note}")


def indirectness(studies: list[StudyEvidence], pico: PicoConcepts, subjects: list[str],
                 concepts: Mapping[str, ConceptInfo]) -> CertaintyStep:
    """The studies that answer a different question from the claim's (study_indirectness), over all lines."""
    clinical = is_clinical(subjects, concepts)
    indirect = []
    for s in studies:
        reasons = study_indirectness(s, pico.get(s.evidence, {}), subjects, clinical, concepts)
        if reasons:
            indirect.append(f"{s.label} ({'; '.join(reasons)})")
    return rate("indirectness", indirect, len(studies), "answers a different question")


def imprecision(unique: list[StudyEvidence], intervals: list[NullInterval]) -> CertaintyStep:
    """Too few participants in total and/or intervals across the null: -1 for either, -2 for both."""
    counted = [s for s in unique if s.sample_size is not None and (s.sample_unit or "").lower() in PARTICIPANT_UNITS]
    total_n = sum(s.sample_size or 0 for s in counted)
    problems = []
    if not counted:
        problems.append("no study records how many participants it had")
    elif total_n < OPTIMAL_INFORMATION_SIZE:
        problems.append(f"{total_n} participants in total ({', '.join(f'{s.label} {s.sample}' for s in counted)}), "
                        f"fewer than the {OPTIMAL_INFORMATION_SIZE} GRADE suggests")
    for iv in intervals:
        problems.append(f"the confidence interval of {iv.label} ({iv.lower:g} to {iv.upper:g}) "
                        f"contains the null value {iv.null:g}")
    if not problems:
        return CertaintyStep("imprecision", 0, f"{total_n} participants in total and no interval contains the null")
    change = -2 if (len(problems) > 1 and intervals and (not counted or total_n < OPTIMAL_INFORMATION_SIZE)) else -1
    severity = "very serious" if change == -2 else "serious"
    return CertaintyStep("imprecision", change, f"{severity}: {'; '.join(problems)}")


# ----------------------------------------------------------------------------------------------------------
# What the domains look at
# ----------------------------------------------------------------------------------------------------------

def design_ancestors(study: StudyEvidence, concepts: Mapping[str, ConceptInfo]) -> frozenset[str]:
    info = concepts.get(study.design_iri) if study.design_iri else None
    return info.ancestors if info else frozenset()


def design_tier(study: StudyEvidence, concepts: Mapping[str, ConceptInfo]) -> tuple[int, str]:
    """The grade (4 High .. 1 Very low) a study's design starts from, and the words for it."""
    ancestors = design_ancestors(study, concepts)
    design = study.design or "unrecorded design"
    randomised = any("random" in a.rsplit("/", 1)[-1] for a in ancestors) or "random" in design.lower()
    if randomised:
        return 4, f"{study.label}: {design} (randomised)"
    if ancestors & DESIGN_ROOT_SYSTEMATIC and study.level in (1, 2):
        return 4, f"{study.label}: {design} (systematic, of Level {'I' * study.level} studies)"
    if study.level == 1:
        return 4, f"{study.label}: {design} (Level I)"
    if ancestors & (DESIGN_ROOT_EXPERT | DESIGN_ROOT_LAB) or study.level == 5:
        return 1, f"{study.label}: {design} (expert opinion or laboratory work)"
    note = " pooling observational studies" if ancestors & DESIGN_ROOT_SYSTEMATIC else ""
    return 2, f"{study.label}: {design}{note} (observational)"


def is_clinical(subjects: Iterable[str], concepts: Mapping[str, ConceptInfo]) -> bool:
    """A claim is clinical unless it is about a mechanism: a non-patient outcome and no intervention, test or
    patient outcome among its subjects."""
    mechanistic = False
    for s in subjects:
        concept = concepts.get(s)
        if concept is None:
            continue
        if concept.scheme in INTERVENTION_SCHEMES or concept.ancestors & PATIENT_OUTCOME_ROOTS:
            return True
        if concept.scheme == OUTCOME_SCHEME:
            mechanistic = True
    return not mechanistic


def related(a: str, b: str, concepts: Mapping[str, ConceptInfo]) -> bool:
    """Same concept, or one is broader than the other (THA is a hip surgery; non-contrast MRI is an MRI)."""
    if a == b:
        return True
    ca, cb = concepts.get(a), concepts.get(b)
    return bool((ca and b in ca.ancestors) or (cb and a in cb.ancestors))


def study_indirectness(study: StudyEvidence, pico: Mapping[str, set[str]], subjects: list[str], clinical: bool,
                       concepts: Mapping[str, ConceptInfo]) -> list[str]:
    """Why a study answers a different question from the claim's (empty when it answers it directly)."""
    reasons: list[str] = []
    claim_interventions = [s for s in subjects if concepts.get(s) and concepts[s].scheme in INTERVENTION_SCHEMES]
    claim_conditions = [s for s in subjects if concepts.get(s) and concepts[s].scheme == CONDITION_SCHEME]
    interventions = pico.get("intervention", set())
    # Exposure studies record the exposure (a condition) as their "intervention", so both count for population.
    population = pico.get("population", set()) | interventions

    def labels(items: Iterable[str]) -> str:
        return ", ".join(sorted(concepts[c].label if c in concepts else c for c in items)) or "none recorded"

    # Without a recorded PICO frame there is nothing to compare: no judgement either way (the lab rule still holds).
    recorded = bool(pico.get("intervention") or pico.get("population"))
    same_intervention = any(related(i, s, concepts) for i in interventions for s in claim_interventions)
    same_population = any(related(p, s, concepts) for p in population for s in claim_conditions)
    if recorded and claim_interventions and not same_intervention:
        reasons.append(f"studied {labels(interventions)}, the claim is about {labels(claim_interventions)}")
    if recorded and claim_conditions and not same_population:
        reasons.append(f"population {labels(pico.get('population', set()))}, "
                       f"the claim is about {labels(claim_conditions)}")
    if clinical and design_ancestors(study, concepts) & DESIGN_ROOT_LAB:
        reasons.append(f"{study.design or 'laboratory study'} on specimens, not patients, for a clinical claim")
    return reasons


def null_intervals(reported: Iterable[ReportedInterval], studies: list[StudyEvidence]) -> list[NullInterval]:
    """The reported intervals that contain the null value of their result's class, by label."""
    labels = {s.evidence: s.label for s in studies}
    found: dict[str, NullInterval] = {}
    for r in reported:
        null = NULL_BY_CLASS.get(r.type)
        if null is None or r.result in found:
            continue
        if r.lower <= null <= r.upper:
            # result labels name their study already ("Onggo 2021: odds ratio ..."); bare ones get it added
            label = r.label or f"{labels.get(r.evidence, '')} {r.result.rsplit('/', 1)[-1]}".strip()
            found[r.result] = NullInterval(label, r.lower, r.upper, null)
    return sorted(found.values(), key=lambda iv: iv.label)
