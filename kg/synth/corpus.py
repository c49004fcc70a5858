"""The corpus-wide cast, drawn once per run before any paper: the concept vocabulary (the shipped SKOS concepts
plus generated narrower ones) with Zipf popularity, the shared author pool, the journals and the source articles.
"""
from __future__ import annotations

import bisect
import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import pyoxigraph as ox

from kg.ingest.bibtex import slug
from kg.model import paths
from kg.model.namespace import PREFIXES
from kg.query.named import internal_query
from kg.synth.pools import (
    ABBREVIATIONS,
    FAMILIES,
    GIVEN,
    JOURNAL_PREFIXES,
    JOURNAL_SUBJECTS,
    MODIFIERS,
    ORGANISATIONS,
    SOURCE_TOPICS,
)

T = TypeVar("T")
SCHEMES = ("interventions", "diagnostic-tests", "conditions", "outcomes")  # the schemes papers draw topics from


def zipf_cum(n: int, s: float = 0.9) -> list[float]:
    """Cumulative Zipf weights for ranks 1..n (for bisect sampling)."""
    return list(itertools.accumulate(1.0 / (r ** s) for r in range(1, n + 1)))


@dataclass(frozen=True)
class Popular(Generic[T]):
    """Items drawn with Zipf popularity over their order: the first is the most popular."""

    items: Sequence[T]
    cum: list[float]

    @classmethod
    def zipf(cls, items: Sequence[T], s: float) -> Popular[T]:
        return cls(items, zipf_cum(len(items), s))

    def draw(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass(frozen=True)
class Concept:
    slug: str
    label: str
    scheme: str


@dataclass(frozen=True)
class GeneratedConcept:
    """A concept the run adds to the vocabulary: a modifier plus a shipped concept, narrower than it."""

    concept: Concept
    broader: str  # the shipped concept's slug
    alt_label: bool  # also written with its hyphens as spaces, as skos:altLabel


@dataclass(frozen=True)
class Vocabulary:
    generated: list[GeneratedConcept]
    pools: dict[str, Popular[Concept]]  # scheme -> shipped concepts (shuffled) then the generated ones
    by_slug: dict[str, Concept]

    def draw(self, rng: random.Random, scheme: str) -> Concept:
        return self.pools[scheme].draw(rng)


@dataclass(frozen=True)
class Person:
    family: str
    family_tex: str | None  # the LaTeX spelling some reference managers export, or None
    given: str
    given_tex: str | None
    middle: str  # one upper-case initial or ""

    def initials_given(self) -> str:
        """'Jean-Pierre' with middle 'K' -> 'J.-P. K.'."""
        parts = [p for p in re.split(r"[\s.\-]+", self.given) if p]
        ini = "-".join(p[0] + "." for p in parts) if "-" in self.given else " ".join(p[0] + "." for p in parts)
        return f"{ini} {self.middle}." if self.middle else ini

    def short(self) -> str:
        """Vancouver style, as source articles print citations: 'Gómez-Hoyos J'."""
        ini = "".join(p[0] for p in re.split(r"[\s.\-]+", self.given) if p) + self.middle
        return f"{self.family} {ini}"


@dataclass(frozen=True)
class Journal:
    title: str  # as in references.bib ('\\&' for an ampersand)
    short: str  # ISO-4-like abbreviation
    code: str  # unique, part of the DOIs
    first_year: int  # volume 1 appeared in this year


@dataclass(frozen=True)
class Source:
    """A patient-facing web article that cites studies and makes assertions of its own."""

    key: str
    title: str
    org: str
    year: int
    updated: str
    people: tuple[Person, ...]
    as_contributor: bool  # named as contributor rather than author


@dataclass(frozen=True)
class Cast:
    vocabulary: Vocabulary
    people: Popular[Person]
    journals: Popular[Journal]
    sources: tuple[Source, ...]


def shipped_concepts() -> dict[str, list[Concept]]:
    """The shipped SKOS concepts by scheme, in a stable order."""
    store = ox.Store()
    for path in paths.ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    schemes: dict[str, list[Concept]] = {}
    seen: set[str] = set()
    solutions = store.query(internal_query("synth_shipped_concepts").text, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        concept = row["c"].value.rsplit("/", 1)[1]
        if concept in seen:
            continue
        seen.add(concept)
        scheme = row["scheme"].value.rsplit("/", 1)[1]
        schemes.setdefault(scheme, []).append(Concept(concept, row["label"].value, scheme))
    return schemes


def draw_cast(rng: random.Random, n_papers: int) -> Cast:
    """Everything the papers draw from, in the order the draws are made (it is part of the output)."""
    vocabulary = draw_vocabulary(rng, n_papers, shipped_concepts())
    people = draw_people(rng, n_papers)
    journals = draw_journals(rng)
    return Cast(vocabulary, people, journals, draw_sources(rng, n_papers, people))


def draw_vocabulary(rng: random.Random, n_papers: int, shipped: dict[str, list[Concept]]) -> Vocabulary:
    """Generated concepts (modifier + shipped concept) and Zipf popularity per scheme: shipped concepts first
    (the core vocabulary, in a shuffled order), then the generated ones."""
    candidates: list[Concept] = []
    known = {c.slug for cs in shipped.values() for c in cs}
    broader: dict[str, str] = {}
    for scheme, mods in MODIFIERS.items():
        for base in shipped[scheme]:
            for mod in mods:
                label = f"{mod} {base.label}"
                s = slug(label)
                if s in known:
                    continue
                known.add(s)
                candidates.append(Concept(s, label, scheme))
                broader[s] = base.slug
    chosen = rng.sample(candidates, min(len(candidates), 150 + n_papers // 20))
    chosen.sort(key=lambda c: (c.scheme, c.slug))
    generated = [GeneratedConcept(c, broader[c.slug], rng.random() < 0.25) for c in chosen]
    pools: dict[str, Popular[Concept]] = {}
    for scheme in SCHEMES:
        items = list(shipped[scheme])
        rng.shuffle(items)
        items += [c for c in chosen if c.scheme == scheme]
        pools[scheme] = Popular.zipf(items, 0.85)
    by_slug = {c.slug: c for cs in shipped.values() for c in cs}
    by_slug.update({c.slug: c for c in chosen})
    return Vocabulary(generated, pools, by_slug)


def draw_people(rng: random.Random, n_papers: int) -> Popular[Person]:
    """The shared author pool: distinct family name + initials, skewed productivity."""
    size = max(40, int(n_papers * 0.42))
    seen: set[tuple[str, str]] = set()
    people: list[Person] = []
    families = Popular.zipf(FAMILIES, 0.6)
    givens = Popular.zipf(GIVEN, 0.4)
    letters = "ABCDEFGHJKLMNPRSTW"
    attempts = 0
    while len(people) < size and attempts < size * 20:
        attempts += 1
        fam = families.draw(rng)
        giv = givens.draw(rng)
        middle = rng.choice(letters) if rng.random() < 0.55 else ""
        p = Person(fam[0], fam[1], giv[0], giv[1], middle)
        ident = (slug(p.family), p.initials_given())
        if ident in seen:
            continue
        seen.add(ident)
        people.append(p)
    return Popular.zipf(people, 0.55)


def draw_journals(rng: random.Random) -> Popular[Journal]:
    """200 journal titles from prefix + subject (distinct once '\\&' reads 'and')."""
    combos = [(p, s) for p in JOURNAL_PREFIXES for s in JOURNAL_SUBJECTS]
    journals: list[Journal] = []
    seen: set[str] = set()
    for prefix, subject in rng.sample(combos, 200):
        title = f"{prefix} {subject}"
        s = slug(title.replace("\\&", "and"))
        if s in seen:
            continue
        seen.add(s)
        short = " ".join(abbreviate(w) for w in title.replace("\\&", "&").split() if w.lower() not in {"of", "in", "and", "&"})
        code = "".join(w[0] for w in title.replace("\\&", "").split() if w[0].isalpha()).lower()
        journals.append(Journal(title, short, code + str(len(journals)), rng.randint(1965, 2015)))
    return Popular.zipf(journals, 0.8)


def abbreviate(word: str) -> str:
    """ISO-4-like abbreviation: 'Orthopaedic' -> 'Orthop', short words kept."""
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if len(word) <= 5 or not word[0].isalpha():
        return word
    cut = 6 if word[5] not in "aeiou" else 5
    return word[:cut]


def draw_sources(rng: random.Random, n_papers: int, people: Popular[Person]) -> tuple[Source, ...]:
    """One source article per 250 papers (at least two), from the organisations in turn."""
    sources = []
    for j in range(max(2, round(n_papers / 250))):
        org = ORGANISATIONS[j % len(ORGANISATIONS)]
        year = rng.randint(2012, 2025)
        topic = rng.choice(SOURCE_TOPICS)
        as_contributor = rng.random() < 0.3
        authors = [people.draw(rng) for _ in range(1 if as_contributor else rng.randint(1, 2))]
        if len(authors) == 2 and authors[0] is authors[1]:
            authors.pop()
        key = f"{slug(org).replace('-', '')}{year}web{j}"
        title = f"{topic[0].upper()}{topic[1:]}: what patients should know ({org}, part {j + 1})"
        updated = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        sources.append(Source(key, title, org, year, updated, tuple(authors), as_contributor))
    return tuple(sources)
