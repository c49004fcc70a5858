"""What a synthetic paper is: its record, design, PICO, measured results, evidence lines and citation.

Plain dataclasses, drawn by kg.synth.sample and formatted by kg.synth.bibtex and kg.synth.turtle.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.synth.corpus import Concept, Journal, Person, Source
from kg.synth.pools import Design
from kg.synth.results import Result

SUPPORTING, CONTRADICTING, QUALIFYING = "Supporting", "Contradicting", "Qualifying"  # hs: stance names


@dataclass(slots=True)
class Topic:
    """The paper's PICO: the index intervention or test (also what its claims are mainly about), the condition,
    the outcome and the comparator (None: no comparator group)."""

    index: Concept
    condition: Concept
    outcome: Concept
    comparator: Concept | None


@dataclass(slots=True)
class Record:
    """The bibliographic record, as references.bib gives it."""

    title: str  # the title as exported (a few protect acronyms with braces)
    journal: Journal
    short_journal: bool  # the record has `shortjournal`
    full_names: bool  # authors as 'Family, Given M.' (else initials only)
    latex: bool  # names spelled with LaTeX escapes where they have them
    volume: str | None
    number: str | None
    pages: str | None
    online: str  # online-first date ('YYYY-MM-DD' or 'YYYY'), or ""
    doi: str | None
    pmid: str | None
    pmcid: str | None
    status: str  # verified, partly, unverified
    unverified: str | None  # the fields taken from the citing article only
    note: str | None  # verificationnote


@dataclass(slots=True)
class Study:
    """Study-level facts: design, level of evidence, sample size and which optional facts the paper states."""

    design: Design
    level: int
    sample: int  # 0: none drawn
    sample_known: bool  # the sample size is stated
    publication_type: bool  # the MeSH publication type is stated
    level_basis: str | None  # how the level of evidence was appraised, if the paper says
    condition_subject: bool  # the condition is a dcterms:subject of the study


@dataclass(eq=False, slots=True)
class Claim:
    """A claim, introduced by one paper; later papers' evidence lines may agree or disagree with it."""

    slug: str
    primary: str  # concept slug the claim is mainly about
    stance0: str  # the introducing paper's stance
    contested: bool  # drawn at creation: later evidence disagrees half the time
    label: str
    statement: str
    subjects: tuple[str, ...]  # concept slugs
    asserted_by: str | None  # key of a source article that makes the claim too
    source_section: str
    has_support: bool = False
    has_contra: bool = False


@dataclass(slots=True)
class EvidenceLine:
    """One paper's stance on one claim (`new`: the paper introduces the claim)."""

    claim: Claim
    new: bool
    stance: str
    follow_up: str | None
    rationale: str
    source_section: str


@dataclass(slots=True)
class Discrepancy:
    kind: str  # StaleCitation, Misreport, CharacterisationGap
    aspect: str
    article_says: str
    record_says: str


@dataclass(slots=True)
class Characterisation:
    """How a source article cites the paper (its `number`-th reference), and what it gets wrong if anything."""

    source: Source
    number: int
    cited_as: str
    says: str
    discrepancy: Discrepancy | None


@dataclass(slots=True)
class Paper:
    number: int  # 0-based position in the corpus
    key: str  # BibTeX key
    year: int
    authors: tuple[Person, ...]
    title: str
    topic: Topic
    record: Record
    study: Study
    results: tuple[Result, ...]
    lines: tuple[EvidenceLine, ...]
    citation: Characterisation | None


@dataclass(slots=True)
class Assertion:
    """A claim a source article makes on its own authority (no cited study)."""

    slug: str
    concept: Concept
    condition: Concept
    label: str
    statement: str


@dataclass(slots=True)
class SourceEnding:
    """What is drawn for a source article once every paper is: how its people's names are spelled and its own assertions."""

    source: Source
    cites: int
    latex: tuple[bool, ...]  # per person: names spelled with LaTeX escapes
    assertions: tuple[Assertion, ...]
