"""The design-weighted balance of the evidence on a claim, and its verdict in words.

Each evidence line weighs as its study's level of evidence (kg.model.vocab.LOE_WEIGHTS: Level I 1.0, II 0.8,
III 0.6, IV 0.4, V 0.2; a study without a recorded level weighs as Level V). The weights are summed as decimals,
so a sum is exact (three Level III lines weigh 1.8, not 1.7999999999999998) before it becomes a float.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from kg.analysis.evidence.model import Balance, LevelCount
from kg.model.vocab import LOE_WEIGHTS, C

# Level-of-evidence concept -> weight; a level outside this table (not c:loe-1..5) weighs nothing and its
# study is not counted.
LEVEL_WEIGHTS: dict[str | None, Decimal] = {C + f"loe-{level}": Decimal(str(w)) for level, w in LOE_WEIGHTS.items()}
LEVEL_WEIGHTS[None] = LEVEL_WEIGHTS[C + "loe-5"]  # unappraised studies weigh as Level V


def weigh(counts: Iterable[LevelCount]) -> dict[str, tuple[int, float]]:
    """Per stance: how many studies take it, and the summed weight of their evidence lines."""
    studies: dict[str, set[str]] = defaultdict(set)
    weights: dict[str, Decimal] = defaultdict(Decimal)
    for c in counts:
        weight = LEVEL_WEIGHTS.get(c.level)
        if weight is None:
            continue
        studies[c.stance].add(c.study)
        weights[c.stance] += weight * c.lines
    return {stance: (len(studies[stance]), float(weights[stance])) for stance in studies}


def balance(per_stance: Mapping[str, tuple[int, float]]) -> Balance:
    """The balance from weigh()'s counts and weights: qualifying evidence is counted but takes no side."""
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
