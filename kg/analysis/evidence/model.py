"""The evidence analysis's data: rows as read from the graph, and the results handed to callers.

Plain frozen dataclasses with no behaviour beyond derived values; kg.render.text turns the results into text.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Per evidence line (its IRI): the PICO concepts by role (population, intervention, comparator, outcome).
PicoConcepts = Mapping[str, Mapping[str, set[str]]]


# ----------------------------------------------------------------------------------------------------------
# Rows read from the graph (kg.analysis.evidence.read)
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConceptInfo:
    """A SKOS concept's label, scheme and ancestors (itself included), for hierarchy-aware matching."""

    label: str
    scheme: str | None
    ancestors: frozenset[str]  # itself included


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


@dataclass(frozen=True)
class ClaimRecord:
    """What the graph says about a claim itself: its words, subjects and who asserts it."""

    label: str | None
    statement: str | None
    unbacked: bool
    subjects: list[str]  # subject concept IRIs, in the order read
    subject_labels: list[str]
    asserted_by: list[str]  # source article keys (IRIs where a key is missing), in the order read


@dataclass(frozen=True)
class Pico:
    """The PICO frames of a claim's evidence lines, by line IRI and role: concepts and the curated wording."""

    concepts: dict[str, dict[str, set[str]]]
    wording: dict[str, dict[str, list[str]]]


@dataclass(frozen=True)
class LevelCount:
    """How many of a claim's evidence lines of one stance come from one study at one level of evidence."""

    stance: str  # supports | contradicts | qualifies (the IRI when it is none of these)
    study: str
    level: str | None  # the level-of-evidence concept's IRI; None when not recorded
    lines: int


@dataclass(frozen=True)
class ReportedInterval:
    """A result on an evidence line that reports a confidence interval, read once per class of the result."""

    evidence: str  # the evidence line's IRI
    result: str  # the result's IRI
    label: str | None
    lower: float
    upper: float
    type: str  # a class of the result (STATO odds ratio, regression coefficient, ...)


@dataclass(frozen=True)
class NullInterval:
    """A reported confidence interval that contains the null value of its effect measure."""

    label: str
    lower: float
    upper: float
    null: float


@dataclass(frozen=True)
class DiscrepancyRow:
    """A recorded discrepancy between a source article's account of a study and the study's record."""

    iri: str
    kind: str  # the discrepancy kind's IRI
    source: str  # the source article's IRI
    source_key: str | None
    study_key: str | None
    reference: int | None
    aspect: str | None
    article_says: str | None
    record_says: str | None
    checked_against: str | None


@dataclass(frozen=True)
class UnverifiedFieldRow:
    """One record field of a cited study that only the citing source article vouches for."""

    source: str  # the source article's IRI
    source_key: str | None
    study_key: str | None
    reference: int | None
    cited_as: str | None
    status: str | None  # the study's verification status IRI
    note: str | None
    field: str


# ----------------------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------------------

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
