"""The measured results a synthetic paper reports, by kind of study, and how they are drawn.

About a fifth to a third of the diagnostic, cohort, review, cross-sectional and laboratory studies report
results; each result class here becomes one hs:MeasuredResult (kg.synth.turtle writes them).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Accuracy:
    """Sensitivity, specificity or accuracy (per cent) of the index test against the reference standard."""

    measure: str  # sensitivity, specificity, accuracy
    stato: str  # the STATO class number
    value: float
    reference: str  # concept slug of the reference standard
    observer: bool  # reported for one named observer

    @property
    def suffix(self) -> str:
        return self.measure


@dataclass(frozen=True)
class OddsRatio:
    value: float
    lower: float
    upper: float  # 95 % confidence interval
    suffix: ClassVar[str] = "or"


@dataclass(frozen=True)
class EventRate:
    """An event rate (per cent) in one arm, with the p-value of the comparison with the other."""

    arm: str
    value: float
    other: str
    p: float

    @property
    def suffix(self) -> str:
        return f"rate-{self.arm}"

    @property
    def relation(self) -> str:
        return "<" if self.p == 0.001 else "="


@dataclass(frozen=True)
class Prevalence:
    value: float  # per cent of patients with the condition
    suffix: ClassVar[str] = "prevalence"


@dataclass(frozen=True)
class MeanScore:
    value: float
    suffix: ClassVar[str] = "mean-score"


@dataclass(frozen=True)
class Regression:
    standardized: bool
    value: float
    suffix: ClassVar[str] = "beta"


Result = Accuracy | OddsRatio | EventRate | Prevalence | MeanScore | Regression


def draw_results(rng: random.Random, kind: str, comparator: str) -> tuple[Result, ...]:
    """The results of one study of this kind (`comparator`: concept slug, or "")."""
    out: list[Result] = []
    if kind == "diagnostic" and rng.random() < 0.3:
        sens = rng.uniform(25, 99)
        spec = rng.uniform(40, 99)
        acc = (sens + spec) / 2 + rng.uniform(-5, 5)
        reference = comparator or "arthroscopic-findings"
        observer = rng.random() < 0.2
        for measure, stato, value in (("sensitivity", "0000233", sens), ("specificity", "0000134", spec),
                                      ("accuracy", "0000415", min(99.9, acc))):
            out.append(Accuracy(measure, stato, value, reference, observer))
    elif kind in ("cohort", "review") and rng.random() < 0.2:
        if rng.random() < 0.6:
            value = math.exp(rng.gauss(0.1, 0.5))
            spread = math.exp(rng.uniform(0.1, 0.9))
            lo, hi = value / spread, value * spread
            out.append(OddsRatio(value, lo, max(hi, lo)))
        else:
            p = rng.choice((0.001, 0.004, 0.008, 0.02, 0.04, 0.12, 0.35, 0.6))
            a, b = rng.uniform(1, 40), rng.uniform(1, 40)
            out.append(EventRate("exposed", a, "control", p))
            out.append(EventRate("control", b, "exposed", p))
    elif kind == "cross" and rng.random() < 0.3:
        out.append(Prevalence(rng.uniform(5, 90)))
        if rng.random() < 0.5:
            out.append(MeanScore(rng.uniform(5, 60)))
    elif kind == "lab" and rng.random() < 0.3:
        standardized = rng.random() < 0.5
        out.append(Regression(standardized, rng.uniform(-0.4, 0.6) if standardized else rng.uniform(-8, 8)))
    return tuple(out)
