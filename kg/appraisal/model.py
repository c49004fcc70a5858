"""The appraisal's plain data: what the rules weigh (a claim's body of evidence) and what they return.

Frozen dataclasses only; kg.ingest.appraise fills them from the graph at build time, the tests by hand.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.model.namespace import PREFIXES

GRADES = {4: "High", 3: "Moderate", 2: "Low", 1: "Very low"}
_OBO, _HS = PREFIXES["obo"], PREFIXES["hs"]
# A measured result's class -> the measure's name in the rules (kg.appraisal.grade); unknown classes: "measure".
RESULT_KINDS = {_OBO + "STATO_0000233": "sensitivity", _OBO + "STATO_0000134": "specificity",
                _OBO + "STATO_0000415": "accuracy", _OBO + "STATO_0000182": "odds ratio",
                _HS + "RegressionCoefficient": "coefficient", _HS + "StandardizedRegressionCoefficient":
                "standardized coefficient", _HS + "EventRate": "event rate", _HS + "Prevalence": "prevalence",
                _HS + "MeanScore": "mean score"}


@dataclass(frozen=True)
class ConceptInfo:
    """A SKOS concept's label, scheme and ancestors (itself included), for hierarchy-aware matching."""

    label: str
    scheme: str | None
    ancestors: frozenset[str]  # itself included


@dataclass(frozen=True)
class Result:
    """One measured figure on an evidence line, with what it measures and, where reported, its interval."""

    iri: str
    label: str
    kind: str  # sensitivity | specificity | accuracy | odds ratio | risk ratio | coefficient | event rate | ...
    value: float
    lower: float | None = None
    upper: float | None = None
    p_value: float | None = None
    p_relation: str | None = None  # "=" | "<" | ...
    index_tests: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()
    outcomes: frozenset[str] = frozenset()
    observer: str | None = None
    group: str | None = None

    @property
    def interval(self) -> bool:
        return self.lower is not None and self.upper is not None


@dataclass(frozen=True)
class RiskOfBias:
    """A study's risk-of-bias assessment as the certainty rules read it."""

    iri: str
    tool: str  # QUADAS-2 | ROBINS-E | ROBIS | not applicable
    overall: str | None  # low | some concerns | high | very high | no information; None when no tool applies
    reason: str


@dataclass(frozen=True)
class Line:
    """One study's evidence line on the claim."""

    evidence: str
    study: str
    label: str  # "Eneqvist 2017"
    stance: str  # supports | contradicts | qualifies | inconclusive
    design: str | None = None  # design label
    design_iri: str | None = None
    sample_size: int | None = None
    sample_unit: str | None = None
    rob: RiskOfBias | None = None
    results: tuple[Result, ...] = ()
    pico: Mapping[str, frozenset[str]] = field(default_factory=dict)  # role -> concepts


@dataclass(frozen=True)
class BodyOfEvidence:
    """What rate_certainty weighs: a claim, the question it asks, and its evidence lines."""

    claim: str
    lines: tuple[Line, ...]
    question: str | None = None  # diagnostic accuracy | prognostic factor | intervention | exposure or association | mechanism
    subjects: tuple[str, ...] = ()  # the claim's subject concepts
    concepts: Mapping[str, ConceptInfo] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One step of the working: a GRADE domain, the change in levels, and why."""

    # start | risk of bias | inconsistency | indirectness | imprecision | publication bias | large effect | dose-response
    domain: str
    change: int
    reason: str
    assessable: bool = True  # False: the data do not let the domain be judged (the reason says so)
    based_on: tuple[str, ...] = ()  # IRIs of the records the step rests on


@dataclass(frozen=True)
class Certainty:
    """The certainty of the body of evidence on a claim: level, what it is certainty of, and the working."""

    level: int  # 4 High .. 1 Very low
    start: int
    direction: str  # holds | does not hold | unclear
    outcome: str
    question: str
    steps: tuple[Step, ...]

    @property
    def grade(self) -> str:
        return GRADES[self.level]

    @property
    def starting_grade(self) -> str:
        return GRADES[self.start]
