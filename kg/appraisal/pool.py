"""Random-effects pooling of comparable results (statsmodels stats.meta_analysis), and why others do not pool.

Results pool when two or more studies report the same measure of the same index test (or exposure) for the
same target condition and outcome against the same reference standard, each with a confidence interval that
gives its variance. Ratios pool on the log scale. A study with several results in one group (two observers
reading the same hips) is not independent of itself: it is left out of that pool, and the page says so.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from kg.appraisal.model import Line, Result

Z95 = 1.959964
RATIO_KINDS = {"odds ratio", "risk ratio", "hazard ratio"}
GroupKey = tuple[str, frozenset[str], frozenset[str], frozenset[str], frozenset[str]]


@dataclass(frozen=True)
class Estimate:
    """One study's result as it enters a pool."""

    study: str
    label: str
    value: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Pooled:
    """A random-effects pooled estimate (Paule-Mandel between-study variance) with its heterogeneity; I² and
    tau² are floored at 0, as usual (a Q below its degrees of freedom means no detectable heterogeneity)."""

    kind: str
    estimates: tuple[Estimate, ...]
    value: float
    lower: float
    upper: float
    i2: float  # percent
    tau2: float  # on the pooling scale (log for ratios)
    q: float
    log_scale: bool


@dataclass(frozen=True)
class PoolGroup:
    """Results that measure the same thing, and their pool, or why they do not pool."""

    description: str
    results: tuple[tuple[str, Result], ...]  # (study label, result)
    pooled: Pooled | None
    why_not: str | None


def _key(r: Result) -> GroupKey:
    return r.kind, r.index_tests, r.targets, r.references, r.outcomes


def pool(kind: str, estimates: list[Estimate]) -> Pooled:
    """Pool two or more estimates with their 95% intervals: random effects, with the between-study variance by
    Paule-Mandel (statsmodels "pm"), which the Cochrane Handbook prefers to DerSimonian-Laird and which, unlike
    statsmodels' one-step DL, never goes below zero."""
    import numpy as np
    from statsmodels.stats.meta_analysis import combine_effects  # heavy: imported only to pool

    log = kind in RATIO_KINDS
    scale = math.log if log else (lambda x: x)
    effects = [scale(e.value) for e in estimates]
    variances = [((scale(e.upper) - scale(e.lower)) / (2 * Z95)) ** 2 for e in estimates]
    res = combine_effects(np.asarray(effects), np.asarray(variances), method_re="pm")
    lower, upper = res.conf_int(use_t=False)[1]  # (fixed, random, ...): the random-effects interval
    back = math.exp if log else (lambda x: x)
    return Pooled(kind, tuple(estimates), back(float(res.mean_effect_re)), back(float(lower)), back(float(upper)),
                  max(0.0, 100 * float(res.i2)), max(0.0, float(res.tau2)), float(res.q), log)


def pool_groups(lines: list[Line], names: dict[str, str] | None = None) -> list[PoolGroup]:
    """Every group of results with the same measure, test, target, reference and outcome from two or more
    studies: pooled where the intervals allow, else the reason. `names` gives concept labels for the text."""
    names = names or {}

    def said(items: frozenset[str]) -> str:
        return ", ".join(sorted(names.get(c, c.rsplit("/", 1)[-1]) for c in items)) or "not recorded"

    groups: dict[GroupKey, list[tuple[Line, Result]]] = defaultdict(list)
    for line in lines:
        for r in line.results:
            groups[_key(r)].append((line, r))
    found = []
    for key, members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        studies = {line.study for line, _ in members}
        if len(studies) < 2:
            continue
        kind, tests, targets, refs, outcomes = key
        description = (f"{kind} of {said(tests)} for {said(targets)} against {said(refs)}" if tests or targets
                       else f"{kind} for {said(outcomes)}")
        shown = tuple((line.label, r) for line, r in members)
        per_study: dict[str, list[tuple[Line, Result]]] = defaultdict(list)
        for line, r in members:
            per_study[line.study].append((line, r))
        usable = [rs[0] for rs in per_study.values() if len(rs) == 1 and rs[0][1].interval]
        repeated = sorted({rs[0][0].label for rs in per_study.values() if len(rs) > 1})
        if len(usable) < 2:
            why = ("fewer than two studies give an interval or counts, so their variances are unknown"
                   + (f"; {', '.join(repeated)} report several results for the same hips (not independent)"
                      if repeated else ""))
            found.append(PoolGroup(description, shown, None, why))
            continue
        estimates = [Estimate(line.study, line.label, r.value, r.lower or 0.0, r.upper or 0.0) for line, r in usable]
        found.append(PoolGroup(description, shown, pool(kind, estimates),
                               f"left out: {', '.join(repeated)} (several results for the same hips)"
                               if repeated else None))
    return found
