"""The evidence analysis's data: rows as read from the graph, and the results handed to callers (the appraisal's
own types, ConceptInfo, Certainty, Line, come from kg.appraisal.model).

Plain frozen dataclasses with no behaviour beyond derived values; kg.render.text turns the results into text.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.appraisal.direction import DirectionSummary
from kg.appraisal.model import Certainty, Line
from kg.appraisal.pool import PoolGroup

# Per evidence line (its IRI): the PICO concepts by role (population, intervention, comparator, outcome).
PicoConcepts = Mapping[str, Mapping[str, set[str]]]


# ----------------------------------------------------------------------------------------------------------
# Rows read from the graph (kg.analysis.evidence.read)
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
    stance: str  # supports | contradicts | qualifies | inconclusive
    rationale: str
    follow_up: str | None
    verification: str | None  # verified | partly verified | unverified

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
    inconclusive: list[StudyEvidence]  # lines whose results settle nothing either way (SEPIO "inconclusive")
    certainty: Certainty | None  # as the build wrote it into the graph; None when no study bears on the claim
    direction: DirectionSummary  # the direction of effect of each study, and the sign test (SWiM)
    pools: list[PoolGroup]  # comparable results: pooled, or why not
    lines: list[Line] = field(default_factory=list)  # the evidence lines as the appraisal rules read them

    @property
    def studies(self) -> list[StudyEvidence]:
        return self.supporters + self.contradictors + self.qualifiers + self.inconclusive


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
