"""Duplicates, found and linked, never deleted: by DOI, then PMID, then a fuzzy title, year and first author match.

* DOI: lower-case, without a resolver or `doi:` prefix. The same DOI is the same work (exact duplicate).
* PMID: the same PMID is the same work (exact duplicate).
* Otherwise a *probable* duplicate when all of these hold:
  - the titles score at least TITLE_THRESHOLD with rapidfuzz's `ratio` (normalised Indel similarity, 0-100) once
    both are normalised (accents stripped, lower-case, punctuation removed); or one title is the other without
    its subtitle (the part before ':', ' - ' or '. ', of at least three words), scored as its `ratio` to that part;
  - the years are the same or one apart (a preprint or online-first version and its issue);
  - the first authors' family names match after the same normalisation (a missing author or year counts as
    agreeing only when the titles score at least STRICT_THRESHOLD).

Comparisons are blocked so they are not quadratic: a record is compared only with the records that could pass the
rule, those with its first author in a year at most one apart, and (where one side has no author) those sharing
one of its RARE_TOKENS rarest title words.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kg.ingest.importers.keys import SKIP
from kg.ingest.importers.record import normalise_doi

TITLE_THRESHOLD = 90.0
STRICT_THRESHOLD = 97.0
RARE_TOKENS = 3
_SUBTITLE = re.compile(r"\s*(?::|\s-\s|\.\s|\?\s)")


def normalise_text(text: str) -> str:
    """'Hip-Spine Syndrome: a Cadaveric Analysis' -> 'hip spine syndrome a cadaveric analysis'."""
    text = re.sub(r"[\u2010-\u2015\u2212]", " ", text)  # Unicode hyphens and dashes, which ASCII folding would drop
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text).split())


def normalise_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


@dataclass
class Known:
    """What dedupe knows of one record of the library or of the batch."""

    key: str
    title: str  # normalised
    main: str | None  # normalised title without its subtitle, when it has one of 3+ words
    year: int | None
    author: str  # normalised first author family name, '' when none


@dataclass(frozen=True)
class Match:
    key: str
    by: str  # 'doi', 'pmid' or 'title'
    score: float = 100.0
    how: str = ""  # for a fuzzy match: 'title 94, year, first author'


def known(key: str, title: str | None, year: str | None, first_family: str | None) -> Known:
    norm = normalise_text(title or "")
    parts = _SUBTITLE.split(title or "", maxsplit=1)
    main = normalise_text(parts[0]) if len(parts) == 2 else None
    return Known(key, norm, main if main and len(main.split()) >= 3 else None,
                 int(year) if year and year.isdigit() else None, normalise_name(first_family or ""))


Block = tuple[str, int | None]


@dataclass
class Index:
    """The records seen so far (the library, then each accepted record of the batch), indexed for lookups.

    The rule needs the same first author, so candidates come from blocks of (first author, year), looked up for the
    record's year and the years either side; records without an author (or an item without one) by title word."""

    by_doi: dict[str, str] = field(default_factory=dict)
    by_pmid: dict[str, str] = field(default_factory=dict)
    records: list[Known] = field(default_factory=list)
    blocks: dict[Block, list[int]] = field(default_factory=dict)
    by_token: dict[str, list[int]] = field(default_factory=dict)  # records without an author, by title word
    all_tokens: dict[str, list[int]] = field(default_factory=dict)  # every record, by title word
    by_author: dict[str, list[int]] = field(default_factory=dict)  # every year, for an item without one

    def add(self, item: Known, doi: str | None = None, pmid: str | None = None) -> None:
        norm = normalise_doi(doi)
        if norm:
            self.by_doi.setdefault(norm, item.key)
        if pmid:
            self.by_pmid.setdefault(pmid.strip(), item.key)
        position = len(self.records)
        self.records.append(item)
        if item.author:
            self.blocks.setdefault((item.author, item.year), []).append(position)
            self.by_author.setdefault(item.author, []).append(position)
        else:  # no author: found by its title words
            for token in _tokens(item.title):
                self.by_token.setdefault(token, []).append(position)
        for token in _tokens(item.title):
            self.all_tokens.setdefault(token, []).append(position)

    def exact(self, doi: str | None, pmid: str | None) -> Match | None:
        norm = normalise_doi(doi)
        if norm and norm in self.by_doi:
            return Match(self.by_doi[norm], "doi")
        if pmid and pmid.strip() in self.by_pmid:
            return Match(self.by_pmid[pmid.strip()], "pmid")
        return None

    def candidates(self, item: Known) -> set[int]:
        """Positions of the records the rule could match: with the same first author, a year at most one apart (or
        none); and the records without an author that share one of the item's RARE_TOKENS rarest title words. An
        item without an author is looked up by its rarest title words among all records."""
        if not item.author:
            tokens = sorted(_tokens(item.title), key=lambda t: len(self.all_tokens.get(t, ())))
            return {p for t in tokens[:RARE_TOKENS] for p in self.all_tokens.get(t, ())}
        years = (item.year - 1, item.year, item.year + 1, None) if item.year is not None else None
        if years is None:
            found = set(self.by_author.get(item.author, ()))
        else:
            found = {p for y in years for p in self.blocks.get((item.author, y), ())}
        tokens = sorted(_tokens(item.title), key=lambda t: len(self.by_token.get(t, ())))
        found.update(p for t in tokens[:RARE_TOKENS] for p in self.by_token.get(t, ()))
        return found

    def fuzzy(self, item: Known) -> Match | None:
        """The best probable duplicate of `item` among the records seen, or None; of equal scores, the earliest
        record (the library's before the batch's), so a third copy links to the original, not to the second."""
        best: Match | None = None
        for position in sorted(self.candidates(item)):
            match = compare(item, self.records[position])
            if match and (best is None or match.score > best.score):
                best = match
        return best


def _tokens(title: str) -> set[str]:
    return {t for t in title.split() if len(t) > 2 and t not in SKIP}


def title_score(a: Known, b: Known, cutoff: float = 0) -> tuple[float, str]:
    """The titles' similarity (0-100) and how it was reached ('title 94' or 'title without subtitle 100'); a score
    below `cutoff` may come back as 0 (rapidfuzz stops early)."""
    score = fuzz.ratio(a.title, b.title, score_cutoff=cutoff)
    how = f"title {score:.0f}"
    for short, long in ((a, b), (b, a)):
        if long.main and not short.main and short.title:
            sub = fuzz.ratio(short.title, long.main, score_cutoff=cutoff)
            if sub > score:
                score, how = sub, f"title without subtitle {sub:.0f}"
    return score, how


def compare(a: Known, b: Known) -> Match | None:
    """A probable-duplicate Match of `a` with `b` under the rule in the module docstring, or None."""
    if not a.title or not b.title:
        return None
    parts: list[str] = []
    strict = False
    if a.year is not None and b.year is not None:
        if abs(a.year - b.year) > 1:
            return None
        parts.append("year" if a.year == b.year else f"year ±1 ({min(a.year, b.year)}/{max(a.year, b.year)})")
    else:
        strict = True
        parts.append("no year on one side")
    if a.author and b.author:
        if a.author != b.author:
            return None
        parts.append("first author")
    else:
        strict = True
        parts.append("no author on one side")
    threshold = STRICT_THRESHOLD if strict else TITLE_THRESHOLD
    score, how = title_score(a, b, threshold)
    if score < threshold:
        return None
    return Match(b.key, "title", round(score, 1), ", ".join([how, *parts]))
