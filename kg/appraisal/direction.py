"""A direction-of-effect summary of a claim's evidence, in the spirit of SWiM (synthesis without meta-analysis).

Where results cannot be pooled, SWiM (Campbell et al., BMJ 2020) asks for the direction of each study's effect,
shown with the study's design and risk of bias, and for a sign test over the studies that have a direction,
rather than a count of "significant" studies or a weighted score. Each study counts once: its direction is
its stance (towards the claim, against it, or no clear direction for a qualifying or inconclusive line), and
a line that reports no results (only the authors' conclusion) is shown but left out of the test.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from kg.appraisal.model import Line

ARROWS = {"towards": "▲", "against": "▼", "unclear": "◆"}


@dataclass(frozen=True)
class DirectionRow:
    """One study's direction of effect on the claim."""

    study: str
    label: str
    design: str
    risk_of_bias: str  # "QUADAS-2: no information", "no tool applies", "not assessed"
    direction: str  # towards | against | unclear
    basis: str  # "results" | "conclusion only"

    @property
    def arrow(self) -> str:
        return ARROWS[self.direction]


@dataclass(frozen=True)
class DirectionSummary:
    """The rows, the counts over studies with results, and the sign test."""

    rows: tuple[DirectionRow, ...]
    towards: int
    against: int
    unclear: int
    sign_test_p: float | None  # two-sided, over studies with results and a clear direction

    @property
    def verdict(self) -> str:
        n = self.towards + self.against
        if not self.rows:
            return "no study bears on the claim"
        if n == 0:
            return "no study with results points clearly either way"
        lead = "towards" if self.towards >= self.against else "against"
        k = max(self.towards, self.against)
        p = f"sign test p = {self.sign_test_p:.2g}" if self.sign_test_p is not None else "no sign test"
        caveat = " (too few studies to rule out chance)" if self.sign_test_p is not None and self.sign_test_p >= 0.05 else ""
        return f"{k} of {n} studies with results and a clear direction point {lead} the claim; {p}{caveat}"


def sign_test(k: int, n: int) -> float:
    """Two-sided exact binomial test of k successes in n at p = 0.5."""
    tail = sum(math.comb(n, i) for i in range(0, min(k, n - k) + 1)) / 2 ** n
    return float(min(1.0, 2 * tail))


def direction_summary(lines: list[Line]) -> DirectionSummary:
    """One row per study (a study's lines with results come first), and the sign test."""
    by_study: dict[str, Line] = {}
    for line in sorted(lines, key=lambda x: (not x.results, x.label)):
        by_study.setdefault(line.study, line)
    rows = []
    for line in sorted(by_study.values(), key=lambda x: x.label):
        way = {"supports": "towards", "contradicts": "against"}.get(line.stance, "unclear")
        if line.rob is None:
            rob = "not assessed"
        elif line.rob.overall is None:
            rob = "no tool applies"
        else:
            rob = f"{line.rob.tool}: {line.rob.overall}"
        rows.append(DirectionRow(line.study, line.label, line.design or "design not recorded", rob, way,
                                 "results" if line.results else "conclusion only"))
    counted = [r for r in rows if r.basis == "results"]
    towards = sum(1 for r in counted if r.direction == "towards")
    against = sum(1 for r in counted if r.direction == "against")
    unclear = sum(1 for r in counted if r.direction == "unclear")
    n = towards + against
    return DirectionSummary(tuple(rows), towards, against, unclear, sign_test(towards, n) if n else None)
