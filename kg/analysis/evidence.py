"""Evidence summaries over the graph: who supports or contradicts a claim, how much that weighs, how certain
the body of evidence is (GRADE-style, with its working), why studies disagree, and where an article misreports.

Pure functions of a KnowledgeGraph: every question is one SPARQL query with its values bound (never pasted),
counting and summing happen in SPARQL, and the judgement rules (weights, certainty steps) live here in Python.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:  # pandas is heavy: imported inside evidence_table only
    import pandas as pd

    from kg.store.graph import KnowledgeGraph

from kg.model.vocab import (  # noqa: F401  (re-exported: the names callers used to import from here)
    CLAIM,
    GRADES,
    HS,
    KIND_NAMES,
    LOE_WEIGHTS,
    OBO,
    STANCE_NAMES,
    VERIFICATION_NAMES,
    C,
)

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
DIAGNOSTIC_SCHEME = C + "diagnostic-tests"
UNVERIFIED_FIELD_ORDER = ["author", "title", "journal", "year", "volume", "number", "pages", "doi"]


class UnknownClaimError(LookupError):
    """A claim reference that matches no claim; carries the closest claim names."""

    def __init__(self, text: str, suggestions: list[str]):
        self.text = text
        self.suggestions = suggestions
        hint = f"; close matches: {', '.join(suggestions)}" if suggestions else "; no claim has a similar name"
        super().__init__(f"unknown claim '{text}'{hint}")


# ----------------------------------------------------------------------------------------------------------
# Result types
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StudyEvidence:
    """One study's stance on one claim, with what the graph knows about the study."""

    evidence: str  # the evidence line's IRI
    claim: str  # the claim's IRI
    study: str  # the paper's IRI
    key: str  # BibTeX key
    label: str  # "Eneqvist 2017"
    title: str
    year: int | None
    design: str | None  # design label, e.g. "register-based matched cohort"
    design_iri: str | None
    level: int | None  # 1..5 (Level I..V)
    level_label: str | None  # "Level III"
    sample_size: int | None
    sample_unit: str | None
    stance: str  # supports | contradicts | qualifies
    rationale: str
    follow_up: str | None
    verification: str | None  # verified | partly verified | unverified
    weight: float  # LOE_WEIGHTS for its level

    @property
    def sample(self) -> str:
        """'1994 patients', or 'size not recorded'."""
        if self.sample_size is None:
            return "size not recorded"
        return f"{self.sample_size} {self.sample_unit or ''}".strip()

    def line(self) -> str:
        """One line for listings: label, design, level, sample, verification."""
        parts = [self.design or "design not recorded", self.level_label or "level not recorded", self.sample]
        if self.verification == "unverified":
            parts.append("UNVERIFIED record")
        return f"{self.label} ({self.key}): {'; '.join(parts)}"


@dataclass(frozen=True)
class Balance:
    """Design-weighted sums of the evidence for and against a claim (qualifying evidence is counted apart)."""

    support: float
    contradict: float
    qualify: float
    n_support: int
    n_contradict: int
    n_qualify: int
    score: float | None  # (support - contradict) / (support + contradict), None without either
    verdict: str

    def text(self) -> str:
        score = "n/a" if self.score is None else f"{self.score:+.2f}"
        return (f"for {self.support:.1f} ({self.n_support} studies), against {self.contradict:.1f} "
                f"({self.n_contradict}), qualifying {self.qualify:.1f} ({self.n_qualify}); "
                f"score {score}: {self.verdict}")


@dataclass(frozen=True)
class CertaintyStep:
    """One step of the certainty rating: the domain, the change in levels (0, -1, -2) and why."""

    domain: str  # start | risk of bias | inconsistency | indirectness | imprecision | evidence
    change: int
    reason: str


@dataclass(frozen=True)
class Certainty:
    """A GRADE-style rating of the body of evidence on a claim, with each step of the working."""

    grade: str  # High | Moderate | Low | Very low | No evidence
    start: str | None  # the grade the best design starts from
    steps: list[CertaintyStep]

    def working(self) -> str:
        """The rating as text, one step a line."""
        lines = []
        for step in self.steps:
            change = "start" if step.domain == "start" else ("no change" if step.change == 0 else f"{step.change:+d}")
            lines.append(f"  {step.domain:<14} {change:<9} {step.reason}")
        lines.append(f"  => {self.grade}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ClaimSummary:
    """Everything the graph says for and against one claim."""

    claim: str  # IRI
    curie: str  # claim:slug
    label: str
    statement: str
    unbacked: bool
    asserted_by: list[str]  # source article keys
    subjects: list[str]  # subject concept labels
    supporters: list[StudyEvidence]
    contradictors: list[StudyEvidence]
    qualifiers: list[StudyEvidence]
    balance: Balance
    certainty: Certainty

    @property
    def studies(self) -> list[StudyEvidence]:
        return self.supporters + self.contradictors + self.qualifiers

    def text(self) -> str:
        """A plain-text report (the CLI prints it; the app may show it verbatim)."""
        out = [f"{self.curie}: {self.label}", f"  {self.statement}"]
        if self.asserted_by:
            out.append(f"  asserted by: {', '.join(self.asserted_by)}")
        if self.subjects:
            out.append(f"  about: {', '.join(self.subjects)}")
        for title, group in (("Supporting", self.supporters), ("Contradicting", self.contradictors),
                             ("Qualifying", self.qualifiers)):
            out.append(f"{title} ({len(group)}):")
            for s in group:
                out.append(f"  - {s.line()}")
                out.append(f"      {s.rationale}")
        out.append(f"Balance (weights by level of evidence): {self.balance.text()}")
        out.append(f"Certainty: {self.certainty.grade}")
        out.append(self.certainty.working())
        return "\n".join(out)


@dataclass(frozen=True)
class PicoDifference:
    """One element in which two studies on the same claim differ."""

    # intervention | index test | population | comparator | outcome | follow-up | design | level | sample size
    aspect: str
    first: str  # the supporting or qualifying study's value
    second: str  # the contradicting study's value
    question_defining: bool  # True for intervention/index test, population and outcome


@dataclass(frozen=True)
class Disagreement:
    """A supporting (or qualifying) study against a contradicting one on the same claim."""

    claim: str
    first: StudyEvidence
    second: StudyEvidence
    differences: list[PicoDifference]
    same: list[str]  # aspects in which the two agree
    verdict: str  # "different questions" | "real conflict"
    reason: str

    def text(self) -> str:
        out = [f"{self.first.label} ({self.first.stance}) vs {self.second.label} ({self.second.stance}): "
               f"{self.verdict}",
               f"  {self.reason}"]
        for d in self.differences:
            out.append(f"  {'*' if d.question_defining else '-'} {d.aspect}: {d.first}  |  {d.second}")
        if self.same:
            out.append(f"  same: {', '.join(self.same)}")
        return "\n".join(out)


@dataclass(frozen=True)
class FidelityItem:
    """A place where a source article's account departs from (or cannot be checked against) a study's record."""

    kind: str  # misreport | stale citation | characterisation gap | unverified fields
    source: str  # source article key
    study: str  # study key
    reference: int | None  # the article's reference number for the study
    aspect: str
    article_says: str
    record_says: str
    checked_against: str
    iri: str | None = None  # the discrepancy's IRI (None for unverified fields)
    fields: list[str] = field(default_factory=list)  # the unverified BibTeX fields

    def text(self) -> str:
        ref = f"ref {self.reference}, " if self.reference is not None else ""
        return (f"[{self.kind}] {self.study} ({ref}{self.aspect})\n  article says: {self.article_says}\n"
                f"  record says:  {self.record_says}\n  checked against: {self.checked_against}")


# ----------------------------------------------------------------------------------------------------------
# Queries
# ----------------------------------------------------------------------------------------------------------

_CLAIMS = """
# Every claim with its label (for resolving what the user typed)
SELECT ?claim ?label WHERE { ?claim a mp:Claim . OPTIONAL { ?claim rdfs:label ?label } }
"""

_IS_CLAIM = """
# Whether the IRI names a claim
SELECT ?claim WHERE { ?claim a mp:Claim }
"""

_CLAIM = """
# One claim: label, statement, and whether no cited study bears on it
SELECT ?label ?statement ?unbacked WHERE {
  ?claim a mp:Claim .
  OPTIONAL { ?claim rdfs:label ?label }
  OPTIONAL { ?claim mp:statement ?statement }
  BIND(EXISTS { ?claim a hs:UnbackedAssertion } AS ?unbacked)
}
"""

_CLAIM_LINKS = """
# The claim's subject concepts and the source articles that assert it
SELECT ?what ?node ?text WHERE {
  { ?claim dcterms:subject ?node . OPTIONAL { ?node skos:prefLabel ?text } BIND("subject" AS ?what) }
  UNION
  { ?claim hs:assertedBy ?node . OPTIONAL { ?node hs:bibKey ?text } BIND("assertedBy" AS ?what) }
}
"""

# One row per evidence line; OPTIONALs because a curator's new study may lack any of these.
_EVIDENCE = """
SELECT ?e ?claim ?study ?key ?family ?title ?year ?design ?designLabel ?notation ?levelLabel ?n ?unit ?stance
       ?rationale ?followUp ?status WHERE {
  ?e hs:evidenceFor ?claim ; hs:evidenceFrom ?study ; hs:stance ?stance .
  OPTIONAL { ?e hs:rationale ?rationale }
  OPTIONAL { ?e hs:followUp ?followUp }
  OPTIONAL { ?study hs:bibKey ?key }
  OPTIONAL { ?study bibo:authorList/rdf:first/foaf:familyName ?family }
  OPTIONAL { ?study dcterms:title ?title }
  OPTIONAL { ?study dcterms:issued ?year }
  OPTIONAL { ?study hs:studyDesign ?design . OPTIONAL { ?design skos:prefLabel ?designLabel } }
  OPTIONAL { ?study hs:levelOfEvidence ?level .
             OPTIONAL { ?level skos:notation ?notation } OPTIONAL { ?level skos:prefLabel ?levelLabel } }
  OPTIONAL { ?study hs:sampleSize ?n }
  OPTIONAL { ?study hs:sampleUnit ?unit }
  OPTIONAL { ?study hs:verificationStatus ?status }
}
ORDER BY ?stance ?year ?key
"""


def _balance_query() -> str:
    """Counts and design-weighted sums per claim and stance, computed by the engine.

    The weight table is a VALUES block written from LOE_WEIGHTS (constants, not user input)."""
    table = " ".join(f"(c:loe-{level} {weight:.2f})" for level, weight in LOE_WEIGHTS.items())
    return f"""
SELECT ?claim ?stance (COUNT(DISTINCT ?study) AS ?studies) (SUM(?w) AS ?weight) WHERE {{
  ?e hs:evidenceFor ?claim ; hs:evidenceFrom ?study ; hs:stance ?stance .
  OPTIONAL {{ ?study hs:levelOfEvidence ?recorded }}
  BIND(COALESCE(?recorded, c:loe-5) AS ?level)   # unappraised studies weigh as Level V
  VALUES (?level ?w) {{ {table} }}
}}
GROUP BY ?claim ?stance
"""


_PICO_CONCEPTS = """
# The concepts of each evidence line's PICO frame, by role (intervention = intervention or index test)
SELECT ?e ?role ?concept WHERE {
  ?e hs:evidenceFor ?claim ; hs:pico ?pf .
  { ?pf pico:population/pico:condition ?concept BIND("population" AS ?role) }
  UNION { ?pf pico:interventionGroup/pico:intervention ?concept BIND("intervention" AS ?role) }
  UNION { ?pf pico:comparatorGroup/pico:intervention ?concept BIND("comparator" AS ?role) }
  UNION { ?pf pico:outcomeGroup/pico:outcome ?concept BIND("outcome" AS ?role) }
}
"""

_PICO_LABELS = """
# The curated wording of each PICO group, for showing what a study actually compared
SELECT ?e ?role ?text WHERE {
  ?e hs:evidenceFor ?claim ; hs:pico ?pf .
  { ?pf pico:population ?g BIND("population" AS ?role) }
  UNION { ?pf pico:interventionGroup ?g BIND("intervention" AS ?role) }
  UNION { ?pf pico:comparatorGroup ?g BIND("comparator" AS ?role) }
  UNION { ?pf pico:outcomeGroup ?g BIND("outcome" AS ?role) }
  ?g rdfs:label ?text .
}
"""

_INTERVALS = """
# Results on the claim's evidence lines that carry a confidence interval, with their classes
SELECT ?e ?res ?label ?value ?lower ?upper ?type WHERE {
  ?e hs:evidenceFor ?claim ; hs:hasResult ?res .
  ?res hs:lowerBound ?lower ; hs:upperBound ?upper ; a ?type .
  OPTIONAL { ?res qudt:value ?value }
  OPTIONAL { ?res rdfs:label ?label }
}
"""

_CONCEPTS = """
# Every concept with its label, scheme and ancestors (itself included), for hierarchy-aware matching
SELECT ?c ?label ?scheme ?ancestor WHERE {
  ?c a skos:Concept ; skos:broader* ?ancestor .
  OPTIONAL { ?c skos:prefLabel ?label }
  OPTIONAL { ?c skos:inScheme ?scheme }
}
"""

_DISCREPANCIES = """
# Every recorded discrepancy between a source article's account and a study's record
SELECT ?disc ?kind ?source ?sourceKey ?studyKey ?refNo ?aspect ?articleSays ?recordSays ?checked WHERE {
  ?disc a hs:Discrepancy ; hs:discrepancyKind ?kind ; hs:aboutStudy ?study ; hs:inCharacterisation ?char .
  ?char cito:hasCitingEntity ?source .
  OPTIONAL { ?char hs:referenceNumber ?refNo }
  OPTIONAL { ?source hs:bibKey ?sourceKey }
  OPTIONAL { ?study hs:bibKey ?studyKey }
  OPTIONAL { ?disc hs:aspect ?aspect }
  OPTIONAL { ?disc hs:articleSays ?articleSays }
  OPTIONAL { ?disc hs:recordSays ?recordSays }
  OPTIONAL { ?disc hs:checkedAgainst ?checked }
}
"""

_UNVERIFIED = """
# For each study a source article cites: the record's fields that only the article's citation vouches for
SELECT ?source ?sourceKey ?studyKey ?refNo ?citedAs ?status ?note ?field WHERE {
  ?char a hs:Characterisation ; cito:hasCitingEntity ?source ; cito:hasCitedEntity ?study .
  ?study hs:unverifiedField ?field .
  OPTIONAL { ?char hs:referenceNumber ?refNo }
  OPTIONAL { ?char hs:citedAs ?citedAs }
  OPTIONAL { ?source hs:bibKey ?sourceKey }
  OPTIONAL { ?study hs:bibKey ?studyKey }
  OPTIONAL { ?study hs:verificationStatus ?status }
  OPTIONAL { ?study hs:verificationNote ?note }
}
"""

_SOURCES = """
SELECT ?source ?key WHERE { ?source a hs:SourceArticle . OPTIONAL { ?source hs:bibKey ?key } }
"""


# ----------------------------------------------------------------------------------------------------------
# Claim resolution
# ----------------------------------------------------------------------------------------------------------

def claim_names(kg: KnowledgeGraph) -> dict[str, str]:
    """Every claim IRI with its label."""
    return {r["claim"]: r["label"] or "" for r in kg.select(_CLAIMS)}


def resolve_claim(kg: KnowledgeGraph, text: str) -> str:
    """The IRI of the claim named by `text`: a full IRI, `claim:slug`, or the slug alone.

    Raises UnknownClaimError with the closest slugs (by spelling, and by words of the label)."""
    text = text.strip()
    candidates = [text.removeprefix("<").removesuffix(">"), CLAIM + text.removeprefix("claim:")]
    for iri in candidates:  # one bound look-up each: a large graph's claims are read only to suggest some
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            continue
        if kg.select(_IS_CLAIM, {"claim": node}):
            return iri
    raise UnknownClaimError(text, _suggest(text, claim_names(kg)))


def _suggest(text: str, names: Mapping[str, str], limit: int = 5) -> list[str]:
    """Slugs containing what was typed, then slugs whose slug and label hold all its words; else near spellings."""
    slugs = {iri.removeprefix(CLAIM): iri for iri in names}
    typed = text.rsplit("/", 1)[-1].removeprefix("claim:").strip().lower()
    words = {w for w in typed.replace("-", " ").split() if len(w) > 2}
    contains = sorted((slug for slug in slugs if typed and typed in slug), key=len)
    by_words = sorted((slug for slug, iri in slugs.items()
                       if words and words <= set((slug + " " + names[iri].lower()).replace("-", " ").split())),
                      key=len)
    found = list(dict.fromkeys(contains + by_words))
    if not found:  # near spellings only when nothing matches literally: they are noisier
        found = difflib.get_close_matches(typed, list(slugs), n=limit, cutoff=0.6)
    found = found[:limit]
    return [f"claim:{slug}" for slug in found]


def curie(iri: str) -> str:
    """claim:slug for a claim IRI; other IRIs unchanged."""
    return "claim:" + iri.removeprefix(CLAIM) if iri.startswith(CLAIM) else iri


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


# ----------------------------------------------------------------------------------------------------------
# Reading the evidence
# ----------------------------------------------------------------------------------------------------------

def _level(notation: Any) -> int | None:
    try:
        return int(notation)
    except (TypeError, ValueError):
        return None


def _year(value: Any) -> int | None:
    try:
        return int(str(value)[:4])
    except (TypeError, ValueError):
        return None


def _study_row(row: Mapping[str, Any]) -> StudyEvidence:
    key = row["key"] or row["study"].rsplit("/", 1)[-1]
    year = _year(row["year"])
    family = row["family"] or key
    level = _level(row["notation"])
    return StudyEvidence(
        evidence=row["e"], claim=row["claim"], study=row["study"], key=key,
        label=f"{family} {year}" if year else family,
        title=row["title"] or key, year=year,
        design=row["designLabel"], design_iri=row["design"],
        level=level, level_label=row["levelLabel"],
        sample_size=row["n"] if isinstance(row["n"], int) else None, sample_unit=row["unit"],
        stance=STANCE_NAMES.get(row["stance"], row["stance"].rsplit("#", 1)[-1].lower()),
        rationale=row["rationale"] or "", follow_up=row["followUp"],
        verification=VERIFICATION_NAMES.get(row["status"]) if row["status"] else None,
        weight=LOE_WEIGHTS[level] if level in LOE_WEIGHTS else LOE_WEIGHTS[5],
    )


def _evidence(kg: KnowledgeGraph, claim: str | None = None) -> list[StudyEvidence]:
    """Evidence lines (of one claim, or all), one per line even where a study has two titles or levels."""
    rows = kg.select(_EVIDENCE, {"claim": _iri(claim)} if claim else None)
    seen: dict[str, StudyEvidence] = {}
    for row in rows:
        if row["e"] not in seen:
            seen[row["e"]] = _study_row(row)
    return list(seen.values())


@dataclass(frozen=True)
class ConceptInfo:
    """A SKOS concept's label, scheme and ancestors (itself included), for hierarchy-aware matching."""

    label: str
    scheme: str | None
    ancestors: frozenset[str]  # itself included


def concept_index(kg: KnowledgeGraph) -> dict[str, ConceptInfo]:
    """Every concept of the graph by IRI (one query: about 100 concepts, 200 rows)."""
    labels: dict[str, str] = {}
    schemes: dict[str, str | None] = {}
    ancestors: dict[str, set[str]] = defaultdict(set)
    for r in kg.select(_CONCEPTS):
        labels.setdefault(r["c"], r["label"] or r["c"].rsplit("/", 1)[-1])
        if r["scheme"] and r["scheme"] != C + "levels-of-evidence":
            schemes.setdefault(r["c"], r["scheme"])
        ancestors[r["c"]].add(r["ancestor"])
    return {c: ConceptInfo(labels[c], schemes.get(c), frozenset(ancestors[c] | {c})) for c in labels}


def _related(a: str, b: str, concepts: Mapping[str, ConceptInfo]) -> bool:
    """Same concept, or one is broader than the other (THA is a hip surgery; non-contrast MRI is an MRI)."""
    if a == b:
        return True
    ca, cb = concepts.get(a), concepts.get(b)
    return bool((ca and b in ca.ancestors) or (cb and a in cb.ancestors))


def _pico(kg: KnowledgeGraph, claim: str) -> tuple[dict[str, dict[str, set[str]]], dict[str, dict[str, list[str]]]]:
    """Per evidence line: concepts by PICO role, and the curated wording of each PICO group."""
    concepts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in kg.select(_PICO_CONCEPTS, {"claim": _iri(claim)}):
        concepts[r["e"]][r["role"]].add(r["concept"])
    texts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in kg.select(_PICO_LABELS, {"claim": _iri(claim)}):
        texts[r["e"]][r["role"]].append(r["text"])
    return concepts, texts


def _balance_rows(kg: KnowledgeGraph, claim: str | None = None) -> dict[str, dict[str, tuple[int, float]]]:
    out: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
    for r in kg.select(_balance_query(), {"claim": _iri(claim)} if claim else None):
        out[r["claim"]][STANCE_NAMES.get(r["stance"], r["stance"])] = (r["studies"], float(r["weight"] or 0.0))
    return out


def _balance(per_stance: Mapping[str, tuple[int, float]]) -> Balance:
    n_s, w_s = per_stance.get("supports", (0, 0.0))
    n_c, w_c = per_stance.get("contradicts", (0, 0.0))
    n_q, w_q = per_stance.get("qualifies", (0, 0.0))
    total = w_s + w_c
    score = None if total == 0 else (w_s - w_c) / total
    return Balance(round(w_s, 4), round(w_c, 4), round(w_q, 4), n_s, n_c, n_q, score, verdict(score, n_q))


def verdict(score: float | None, qualifying: int = 0) -> str:
    """The balance in words: `score` is (weighted for - weighted against) / (for + against), None when no
    study takes a side; `qualifying` counts the studies that only qualify the claim."""
    if score is None:
        return "qualified only: no study takes a side" if qualifying else "no evidence"
    if score >= 0.6:
        return "favours the claim"
    if score >= 0.2:
        return "leans towards the claim"
    if score > -0.2:
        return "evenly split"
    if score > -0.6:
        return "leans against the claim"
    return "against the claim"


# ----------------------------------------------------------------------------------------------------------
# Certainty
# ----------------------------------------------------------------------------------------------------------

def _design_ancestors(study: StudyEvidence, concepts: Mapping[str, ConceptInfo]) -> frozenset[str]:
    info = concepts.get(study.design_iri) if study.design_iri else None
    return info.ancestors if info else frozenset()


def _design_tier(study: StudyEvidence, concepts: Mapping[str, ConceptInfo]) -> tuple[int, str]:
    """The grade a study's design starts from, and the words for it."""
    ancestors = _design_ancestors(study, concepts)
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


def _is_clinical(subjects: Iterable[str], concepts: Mapping[str, ConceptInfo]) -> bool:
    """A claim is clinical unless it is about a mechanism: a non-patient outcome and no intervention, test or
    patient outcome among its subjects."""
    mechanistic = False
    for s in subjects:
        concept = concepts.get(s)
        if concept is None:
            continue
        if concept.scheme in INTERVENTION_SCHEMES or concept.ancestors & PATIENT_OUTCOME_ROOTS:
            return True
        if concept.scheme == C + "outcomes":
            mechanistic = True
    return not mechanistic


def _indirectness(study: StudyEvidence, pico: Mapping[str, set[str]], subjects: list[str], clinical: bool,
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
    same_intervention = any(_related(i, s, concepts) for i in interventions for s in claim_interventions)
    same_population = any(_related(p, s, concepts) for p in population for s in claim_conditions)
    if recorded and claim_interventions and not same_intervention:
        reasons.append(f"studied {labels(interventions)}, the claim is about {labels(claim_interventions)}")
    if recorded and claim_conditions and not same_population:
        reasons.append(f"population {labels(pico.get('population', set()))}, "
                       f"the claim is about {labels(claim_conditions)}")
    if clinical and _design_ancestors(study, concepts) & DESIGN_ROOT_LAB:
        reasons.append(f"{study.design or 'laboratory study'} on specimens, not patients, for a clinical claim")
    return reasons


def _rate(domain: str, affected: list[str], total: int, what: str) -> CertaintyStep:
    """-1 when some studies are affected (serious), -2 when all are (very serious)."""
    if not affected:
        return CertaintyStep(domain, 0, f"no study {what}")
    change = -2 if len(affected) == total and total > 1 else -1
    severity = "very serious" if change == -2 else "serious"
    return CertaintyStep(domain, change, f"{severity}: {'; '.join(affected)}")


def rate_certainty(studies: list[StudyEvidence], *, subjects: list[str], concepts: Mapping[str, ConceptInfo],
                   pico: Mapping[str, Mapping[str, set[str]]], intervals: list[dict[str, Any]],
                   disagreements: list[Disagreement], asserted_by: list[str]) -> Certainty:
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
    if not studies:
        who = f" it rests on the word of {', '.join(asserted_by)}" if asserted_by else ""
        return Certainty(NO_EVIDENCE, None, [CertaintyStep("evidence", 0, f"no cited study bears on this claim;{who}"
                                                           if who else "no cited study bears on this claim")])
    steps: list[CertaintyStep] = []
    # Ties go to the better-appraised study: lower level, verified record, larger sample.
    best = min(studies, key=lambda s: (-_design_tier(s, concepts)[0], s.level or 9, s.verification == "unverified",
                                       -(s.sample_size or 0), s.key))
    start, why = _design_tier(best, concepts)
    steps.append(CertaintyStep("start", 0, f"{GRADES[start]}, from the best design: {why}"))

    unique = list({s.study: s for s in studies}.values())
    flagged = []
    for s in unique:
        why_bias = []
        if s.level in (4, 5):
            why_bias.append(s.level_label or f"Level {s.level}")
        if s.verification == "unverified":
            why_bias.append("unverified record")
        if why_bias:
            flagged.append(f"{s.label} ({', '.join(why_bias)})")
    steps.append(_rate("risk of bias", flagged, len(unique), "is Level IV/V or unverified"))

    pro = [s.label for s in studies if s.stance == "supports"]
    con = [s.label for s in studies if s.stance == "contradicts"]
    if pro and con:
        different = sum(1 for d in disagreements if d.verdict == "different questions")
        note = (f"; {different} of {len(disagreements)} opposing pair(s) ask different questions "
                f"(intervention, population or outcome differ), so part of the conflict may be indirectness"
                if different else "; the opposing studies ask the same question")
        steps.append(CertaintyStep("inconsistency", -1,
                                   f"serious: supported by {', '.join(pro)} but contradicted by "
                                   f"{', '.join(con)}{note}"))
    else:
        steps.append(CertaintyStep("inconsistency", 0, "no study contradicts another"))

    clinical = _is_clinical(subjects, concepts)
    indirect = []
    for s in studies:
        reasons = _indirectness(s, pico.get(s.evidence, {}), subjects, clinical, concepts)
        if reasons:
            indirect.append(f"{s.label} ({'; '.join(reasons)})")
    steps.append(_rate("indirectness", indirect, len(studies), "answers a different question"))

    counted = [s for s in unique if s.sample_size is not None and (s.sample_unit or "").lower() in PARTICIPANT_UNITS]
    total_n = sum(s.sample_size or 0 for s in counted)
    problems = []
    if not counted:
        problems.append("no study records how many participants it had")
    elif total_n < OPTIMAL_INFORMATION_SIZE:
        problems.append(f"{total_n} participants in total ({', '.join(f'{s.label} {s.sample}' for s in counted)}), "
                        f"fewer than the {OPTIMAL_INFORMATION_SIZE} GRADE suggests")
    for iv in intervals:
        problems.append(f"the confidence interval of {iv['label']} ({iv['lower']:g} to {iv['upper']:g}) "
                        f"contains the null value {iv['null']:g}")
    if problems:
        change = -2 if (len(problems) > 1 and intervals and (not counted or total_n < OPTIMAL_INFORMATION_SIZE)) else -1
        severity = "very serious" if change == -2 else "serious"
        steps.append(CertaintyStep("imprecision", change, f"{severity}: {'; '.join(problems)}"))
    else:
        steps.append(CertaintyStep("imprecision", 0, f"{total_n} participants in total and no interval contains "
                                                     f"the null"))
    final = max(1, start + sum(s.change for s in steps))
    return Certainty(GRADES[final], GRADES[start], steps)


def _null_intervals(kg: KnowledgeGraph, claim: str, studies: list[StudyEvidence]) -> list[dict[str, Any]]:
    """Reported intervals on the claim's evidence that contain their null value."""
    labels = {s.evidence: s.label for s in studies}
    found: dict[str, dict[str, Any]] = {}
    for r in kg.select(_INTERVALS, {"claim": _iri(claim)}):
        null = NULL_BY_CLASS.get(r["type"])
        if null is None or r["res"] in found:
            continue
        if float(r["lower"]) <= null <= float(r["upper"]):
            # result labels name their study already ("Onggo 2021: odds ratio ..."); bare ones get it added
            label = r["label"] or f"{labels.get(r['e'], '')} {r['res'].rsplit('/', 1)[-1]}".strip()
            found[r["res"]] = {"label": label,
                               "lower": float(r["lower"]), "upper": float(r["upper"]), "null": null}
    return sorted(found.values(), key=lambda iv: iv["label"])


# ----------------------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------------------

def claim_summary(kg: KnowledgeGraph, claim: str) -> ClaimSummary:
    """Supporters, contradictors and qualifiers of a claim, its design-weighted balance and certainty.

    `claim` is an IRI, `claim:slug` or the slug; an unknown claim raises UnknownClaimError.
    The balance weighs each study by its level of evidence (LOE_WEIGHTS: Level I 1.0, II 0.8, III 0.6,
    IV 0.4, V 0.2, unrecorded as V): linear because each step down the hierarchy adds one avenue for bias.
    The certainty follows rate_certainty (GRADE-style, each step with its reason).
    """
    return _summary(kg, resolve_claim(kg, claim), concept_index(kg))


def _summary(kg: KnowledgeGraph, iri: str, concepts: Mapping[str, ConceptInfo]) -> ClaimSummary:
    bound = {"claim": _iri(iri)}
    info = kg.select(_CLAIM, bound)[0]
    subjects: list[str] = []
    subject_labels: list[str] = []
    asserted: list[str] = []
    for r in kg.select(_CLAIM_LINKS, bound):
        if r["what"] == "subject":
            subjects.append(r["node"])
            subject_labels.append(r["text"] or r["node"].rsplit("/", 1)[-1])
        else:
            asserted.append(r["text"] or r["node"])
    studies = _evidence(kg, iri)
    pico, texts = _pico(kg, iri)
    disagreements = _disagreements(iri, studies, pico, texts, concepts)
    certainty = rate_certainty(studies, subjects=subjects, concepts=concepts, pico=pico,
                               intervals=_null_intervals(kg, iri, studies), disagreements=disagreements,
                               asserted_by=sorted(asserted))
    return ClaimSummary(
        claim=iri, curie=curie(iri), label=info["label"] or curie(iri), statement=info["statement"] or "",
        unbacked=bool(info["unbacked"]), asserted_by=sorted(asserted), subjects=sorted(subject_labels),
        supporters=[s for s in studies if s.stance == "supports"],
        contradictors=[s for s in studies if s.stance == "contradicts"],
        qualifiers=[s for s in studies if s.stance == "qualifies"],
        balance=_balance(_balance_rows(kg, iri).get(iri, {})),
        certainty=certainty,
    )


def claim_summaries(kg: KnowledgeGraph) -> list[ClaimSummary]:
    """The summary of every claim, in IRI order (30 claims: a few tens of milliseconds); the concept index,
    which every summary needs, is read once."""
    concepts = concept_index(kg)
    return [_summary(kg, iri, concepts) for iri in sorted(claim_names(kg))]


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
    studies = _evidence(kg, iri)
    pico, texts = _pico(kg, iri)
    return _disagreements(iri, studies, pico, texts, concept_index(kg))


def _disagreements(claim: str, studies: list[StudyEvidence], pico: Mapping[str, Mapping[str, set[str]]],
                   texts: Mapping[str, Mapping[str, list[str]]],
                   concepts: Mapping[str, ConceptInfo]) -> list[Disagreement]:
    firsts = [s for s in studies if s.stance in ("supports", "qualifies")]
    seconds = [s for s in studies if s.stance == "contradicts"]
    return [_compare(claim, a, b, pico, texts, concepts) for a in firsts for b in seconds if a.study != b.study]


def _compare(claim: str, a: StudyEvidence, b: StudyEvidence, pico: Mapping[str, Mapping[str, set[str]]],
             texts: Mapping[str, Mapping[str, list[str]]], concepts: Mapping[str, ConceptInfo]) -> Disagreement:
    pa, pb = pico.get(a.evidence, {}), pico.get(b.evidence, {})
    ta, tb = texts.get(a.evidence, {}), texts.get(b.evidence, {})

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
    for role, aspect in (("intervention", "index test" if tests else "intervention"), ("population", "population"),
                         ("comparator", "comparator"), ("outcome", "outcome")):
        ca, cb = set(pa.get(role, set())), set(pb.get(role, set()))
        if ca != cb:
            differences.append(PicoDifference(aspect, show(ca, ta.get(role, [])), show(cb, tb.get(role, [])),
                                              role in ("intervention", "population", "outcome")))
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


def fidelity_report(kg: KnowledgeGraph, source: str | None = None) -> list[FidelityItem]:
    """Where a source article's account departs from the studies' records (misreports, stale citations,
    characterisation gaps), then, for each study it cites, the record's fields that only its citation vouches for.

    `source` limits the report to one article: its BibTeX key, `work:key` or IRI. An unknown source raises
    LookupError naming the known ones."""
    bound = None
    if source is not None:
        sources = {r["key"] or r["source"]: r["source"] for r in kg.select(_SOURCES)}
        wanted = source.strip().removeprefix("work:").rsplit("/", 1)[-1]
        if wanted not in sources:
            raise LookupError(f"unknown source article '{source}'; known: {', '.join(sorted(sources))}")
        bound = {"source": _iri(sources[wanted])}
    items = []
    for r in kg.select(_DISCREPANCIES, bound):
        items.append(FidelityItem(
            kind=KIND_NAMES.get(r["kind"], r["kind"].rsplit("#", 1)[-1]), source=r["sourceKey"] or r["source"],
            study=r["studyKey"] or "", reference=r["refNo"], aspect=r["aspect"] or "",
            article_says=r["articleSays"] or "", record_says=r["recordSays"] or "",
            checked_against=r["checked"] or "", iri=r["disc"]))
    unverified: dict[tuple[str, str], dict[str, Any]] = {}
    for r in kg.select(_UNVERIFIED, bound):
        entry = unverified.setdefault((r["source"], r["studyKey"] or ""), {**r, "fields": set()})
        entry["fields"].add(r["field"])
    for (src, study), r in unverified.items():
        fields = sorted(r["fields"], key=lambda f: (UNVERIFIED_FIELD_ORDER.index(f)
                                                    if f in UNVERIFIED_FIELD_ORDER else 99, f))
        status = VERIFICATION_NAMES.get(r["status"], "not recorded") if r["status"] else "not recorded"
        items.append(FidelityItem(
            kind="unverified fields", source=r["sourceKey"] or src, study=study, reference=r["refNo"],
            aspect=f"unverified fields: {', '.join(fields)}", article_says=r["citedAs"] or "",
            record_says=r["note"] or "", checked_against=f"the study's bibliographic record ({status})",
            fields=fields))
    order = {"misreport": 0, "stale citation": 1, "characterisation gap": 2, "unverified fields": 3}
    return sorted(items, key=lambda i: (i.source, i.reference if i.reference is not None else 10**6,
                                        order.get(i.kind, 9), i.aspect, i.iri or ""))


def evidence_table(kg: KnowledgeGraph) -> pd.DataFrame:
    """Every evidence line as a row: study, title, year, claim, stance, design, level, n, unit, verification."""
    import pandas as pd

    claims = claim_names(kg)
    rows = []
    for s in _evidence(kg):
        rows.append({"study": s.key, "label": s.label, "title": s.title, "year": s.year,
                     "claim": curie(s.claim), "claim_label": claims.get(s.claim, ""), "stance": s.stance,
                     "design": s.design, "level": s.level, "n": s.sample_size, "unit": s.sample_unit,
                     "verification": s.verification, "weight": s.weight})
    frame = pd.DataFrame(rows, columns=["study", "label", "title", "year", "claim", "claim_label", "stance",
                                        "design", "level", "n", "unit", "verification", "weight"])
    for col in ("year", "level", "n"):
        frame[col] = frame[col].astype("Int64")
    return frame.sort_values(["claim", "stance", "study"], ignore_index=True)


def claims_overview(kg: KnowledgeGraph) -> pd.DataFrame:
    """One row per claim: counts by stance, design-weighted balance and certainty grade."""
    import pandas as pd

    rows = []
    for s in claim_summaries(kg):
        rows.append({"claim": s.curie, "label": s.label, "supporters": len(s.supporters),
                     "contradictors": len(s.contradictors), "qualifiers": len(s.qualifiers),
                     "balance": s.balance.score, "verdict": s.balance.verdict, "certainty": s.certainty.grade,
                     "unbacked": s.unbacked})
    return pd.DataFrame(rows)
