"""Comparing query results across engines: as sets of rows, numeric forms and GROUP_CONCAT order normalised."""
from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd


def concat_columns(text: str) -> dict[str, str]:
    """GROUP_CONCAT result columns and their separators: SPARQL leaves the order inside them to the engine."""
    found = {}
    for m in re.finditer(r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?separator\s*=\s*([\"'])(.*?)\1\s*\)\s*AS\s*\?(\w+)",
                         text, re.I | re.S):
        found[m.group(3)] = m.group(2)
    for m in re.finditer(r"GROUP_CONCAT\s*\((?:(?!separator)[^()])*\)\s*AS\s*\?(\w+)", text, re.I):
        found.setdefault(m.group(1), " ")
    return found


def _cell(value: Any, separator: str | None) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) or hasattr(value, "__float__") and not isinstance(value, str):
        return round(float(value), 9)  # 85.920 vs 85.92, "2"^^xsd:int vs 2.0: numeric forms differ by engine
    if separator is not None and isinstance(value, str):
        return separator.join(sorted(value.split(separator)))
    return value


def as_set(frame: pd.DataFrame, text: str) -> set[tuple[Any, ...]]:
    """A result as a set of tuples, numeric forms and GROUP_CONCAT order normalised."""
    concat = concat_columns(text)
    seps = [concat.get(c) for c in frame.columns]
    return {tuple(_cell(v, s) for v, s in zip(row, seps, strict=True)) for row in frame.astype(object).itertuples(index=False)}
