"""Which claims a drawing of a large graph is built around: never the whole graph, just enough claims for the
node cap, those nearest a focus node or else the best-evidenced."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from kg.query.named import NamedQueryError

if TYPE_CHECKING:
    import pandas as pd

BUDGET_PER_CAP = 2  # a large graph's network holds about this many studies and claims per node drawn


class NamedQueryRunner(Protocol):
    """Runs a named query with its parameters (kg.query.named.run_named bound to a graph, or a cached one)."""

    def __call__(self, name: str, params: Mapping[str, str | None] | None = None) -> pd.DataFrame: ...


def claims_around(run: NamedQueryRunner, focus: str | None, cap: int) -> tuple[list[str], str]:
    """The claims a large graph's network is built around, and what they are (for a notice): those nearest the
    focus node (the network_neighbourhood query), else the best-evidenced (network_claims), taken in order until
    they bring about BUDGET_PER_CAP x cap studies."""
    rows = None
    if focus:
        try:
            near = run("network_neighbourhood", {"focus": focus})
        except NamedQueryError:  # not an IRI: the focus is simply not found
            near = None
        if near is not None and not near.empty:
            rows, what = list(zip(near["claim"], near["evidence_lines"], strict=True)), "nearest the focus node"
    if rows is None:
        top = run("network_claims")
        rows, what = list(zip(top["claim"], top["studies"], strict=True)), "with the most evidence"
    chosen: list[str] = []
    size = 0
    for claim, weight in rows:
        if chosen and size >= BUDGET_PER_CAP * cap:
            break
        chosen.append(str(claim))
        size += 1 + int(weight)
    return chosen, what
