"""HTTP content negotiation: which of the endpoint's media types a client's Accept header prefers.

Written out here because the details matter to SPARQL clients and are easy to get wrong: the most specific
matching range decides an offer's q (`*/*, text/csv;q=0` excludes CSV), q=0 means "not this", and ties go to
the client's order, then to ours.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    index: int


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header with their q-values (bad q-values count as 1, like browsers)."""
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        main, _, sub = fields[0].lower().partition("/")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(main, sub or "*", q, index))
    return ranges


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers: highest q, then the most specific matching range, then the client's
    order, then ours. No Accept header (or an empty one) means our first offer; None means 406.
    A more specific range decides an offer's q (`*/*, text/csv;q=0` excludes CSV)."""
    if header is None or not header.strip():
        return offers[0]
    ranges = parse_accept(header)
    best: tuple[tuple[float, int, int, int], str] | None = None
    for ours, offer in enumerate(offers):
        main, sub = offer.split("/")
        match: tuple[int, float, int] | None = None
        for r in ranges:
            if r.type == main and r.subtype == sub:
                specificity = 3
            elif r.type == main and r.subtype == "*":
                specificity = 2
            elif r.type == "*":
                specificity = 1
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, r.q, r.index)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -match[2], -ours)
        if best is None or key > best[0]:
            best = (key, offer)
    return best[1] if best else None
