"""Typed literals checked against their datatype: `"abc"^^xsd:decimal` is an error, not a silent value.

Oxigraph keeps an ill-typed literal as written and rdflib later fails on it deep inside SHACL, so the build
checks every numeric, date, year and boolean literal of the claims against the XSD lexical space itself.
Unquoted Turtle numbers and booleans are well-typed by the grammar: only a `"..."^^type` can be wrong, so a
file without `^^` skips the scan.
"""
from __future__ import annotations

import datetime
import re

import pyoxigraph as ox

from kg.ingest.claims_ttl import ClaimsFile
from kg.ingest.errors import Problem
from kg.model.namespace import PREFIXES, compact
from kg.query.named import internal_query

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = r"[+-]?\d+"
_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_DOUBLE = r"(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN)"
_ZONE = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{4,}|\d{4})"
# The integer types: (smallest, largest) value, None where unbounded.
_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "negativeInteger": (None, -1), "nonPositiveInteger": (None, 0), "long": (-2**63, 2**63 - 1),
    "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}
_PATTERNS = {
    "decimal": re.compile(_DECIMAL), "double": re.compile(_DOUBLE), "float": re.compile(_DOUBLE),
    "boolean": re.compile(r"true|false|1|0"),
    "gYear": re.compile(_YEAR + _ZONE), "gYearMonth": re.compile(_YEAR + r"-(?:0[1-9]|1[0-2])" + _ZONE),
    "date": re.compile(rf"({_YEAR})-(\d\d)-(\d\d){_ZONE}"),
    "dateTime": re.compile(rf"({_YEAR})-(\d\d)-(\d\d)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?{_ZONE}"
                           rf"|({_YEAR})-(\d\d)-(\d\d)T24:00:00(?:\.0+)?{_ZONE}"),
}
EXAMPLES = {
    "decimal": "12.5", "double": "1.5e3", "float": "1.5e3", "boolean": "true or false", "gYear": "2021",
    "gYearMonth": "2021-07", "date": "2021-07-31", "dateTime": "2021-07-31T12:00:00Z",
}
# The datatypes whose lexical form is checked (IRIs): the integer types, and those with a pattern.
CHECKED = frozenset(XSD + name for name in (*_RANGES, *_PATTERNS))
MESSAGE = "ill-typed literal"  # every message starts so: kg.quality.validate skips SHACL on such a graph


def well_typed(lexical: str, datatype: str) -> bool:
    """True when `lexical` is in the lexical space of xsd:`datatype` (XSD 1.1, whitespace collapsed)."""
    text = lexical.strip(" \t\r\n")
    if datatype in _RANGES:
        if not re.fullmatch(_INTEGER, text):
            return False
        low, high = _RANGES[datatype]
        value = int(text)
        return (low is None or value >= low) and (high is None or value <= high)
    match = _PATTERNS[datatype].fullmatch(text)
    if match is None:
        return False
    if datatype in ("date", "dateTime"):
        year, month, day = (g for g in match.groups() if g is not None)
        return _real_day(int(year), int(month), int(day))
    return True


def _real_day(year: int, month: int, day: int) -> bool:
    """Whether the month has that day (year 0 and negative years count as leap years the way XSD counts)."""
    try:
        datetime.date(year if 1 <= year <= 9999 else 2000 if year % 4 == 0 else 2001, month, day)
    except ValueError:
        return False
    return True


def literal_problems(store: ox.Store, claims: ClaimsFile) -> list[Problem]:
    """Every literal in the store whose lexical form its XSD datatype does not allow, located in the claims."""
    if "^^" not in claims.text:
        return []
    solutions = store.query(internal_query("integrity_typed_literals").text, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    problems = []
    for row in solutions:
        subject, prop, literal = row["s"], row["p"], row["o"]
        assert isinstance(literal, ox.Literal)
        datatype = literal.datatype.value
        if datatype not in CHECKED or well_typed(literal.value, datatype.removeprefix(XSD)):
            continue
        datatype = datatype.removeprefix(XSD)
        problems.append(Problem(
            claims.shown, f'{MESSAGE}: "{literal.value}" is not a valid xsd:{datatype}',
            line=_line_of_literal(claims, literal.value),
            record=compact(subject.value) if isinstance(subject, ox.NamedNode) else None,
            prop=compact(prop.value) if isinstance(prop, ox.NamedNode) else None,
            fix=_fix(datatype)))
    problems += _text_problems(claims, {(p.line, p.message) for p in problems})
    return sorted(problems, key=lambda p: (p.line or 0, p.record or "", p.prop or ""))


_TYPED_IN_TEXT = re.compile(r'"([^"\\\n]*)"\s*\^\^\s*(?:xsd:|<' + re.escape(XSD) + r')(\w+)>?')


def _text_problems(claims: ClaimsFile, found: set[tuple[int | None, str]]) -> list[Problem]:
    """Ill-typed literals as written in the text: Oxigraph drops the datatype of some (an out-of-range
    xsd:byte) and rewrites others ("Infinity" becomes INF), so the store alone misses them."""
    problems = []
    for number, line in enumerate(claims.text.splitlines(), 1):
        if "^^" not in line:
            continue
        for match in _TYPED_IN_TEXT.finditer(line):
            lexical, datatype = match.groups()
            if datatype not in _RANGES and datatype not in _PATTERNS or well_typed(lexical, datatype):
                continue
            message = f'{MESSAGE}: "{lexical}" is not a valid xsd:{datatype}'
            if (number, message) not in found:
                problems.append(Problem(claims.shown, message, line=number, fix=_fix(datatype)))
    return problems


def _fix(datatype: str) -> str:
    example = EXAMPLES.get(datatype, "42")
    return f'write an xsd:{datatype} such as "{example}"^^xsd:{datatype}, or drop the ^^xsd:{datatype} to keep it as text'


def _line_of_literal(claims: ClaimsFile, lexical: str) -> int | None:
    """The first line holding the literal as a quoted string followed by ^^."""
    pattern = re.compile(r"[\"']" + re.escape(lexical) + r"[\"']\s*\^\^")
    for number, line in enumerate(claims.text.splitlines(), 1):
        if pattern.search(line):
            return number
    return None
