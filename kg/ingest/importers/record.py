"""The one record every reader produces, and what a reader reports about a record it could not read."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ingest.bibtex import DOI_PATTERN, PMCID_PATTERN, PMID_PATTERN, Name

MAX_FIELD_CHARS = 1_000_000  # as kg.ingest.bibtex: the graph store refuses a line of 16 MiB or more
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)


@dataclass
class Record:
    """One bibliographic record as read from an export, with its fields as plain text (LaTeX decoded).

    `extra` holds the export's fields this project does not map, as BibTeX field -> text: they are kept in
    references.bib and named once in the report. `dropped` names source tags that are not kept at all
    (a database's own bookkeeping), and `notes` what was left out of a record and why.
    """

    source: str  # the file name as given on the command line
    format: str
    index: int  # 1-based position of the record in its file
    line: int | None = None  # 1-based line where the record starts, when the format has lines
    entry_type: str = "article"
    authors: list[Name] = field(default_factory=list)
    title: str | None = None
    journal: str | None = None
    shortjournal: str | None = None
    year: str | None = None
    month: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    issn: str | None = None
    url: str | None = None
    language: str | None = None
    abstract: str | None = None
    keywords: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else f"{self.source} record {self.index}"

    def too_long(self) -> str | None:
        """The name of a field longer than MAX_FIELD_CHARS, if any: such a record is refused, not cut."""
        for name in ("title", "journal", "abstract", "pages", "volume", "number"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_FIELD_CHARS:
                return name
        for name, value in self.extra.items():
            if len(value) > MAX_FIELD_CHARS:
                return name
        if sum(len(k) for k in self.keywords + self.mesh) > MAX_FIELD_CHARS:
            return "keywords"
        return None


@dataclass(frozen=True)
class Unreadable:
    """A record (or a whole file) that could not be read: where it is and why."""

    source: str
    why: str
    index: int | None = None  # record number in the file, when records could be told apart
    line: int | None = None

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        record = f" record {self.index}" if self.index else ""
        return f"{where}:{record} {self.why}" if record else f"{where}: {self.why}"


class FileError(Exception):
    """A file that cannot be imported at all (not text, no records, unknown format): nothing is written."""

    def __init__(self, problem: Unreadable):
        self.problem = problem
        super().__init__(str(problem))


def normalise_doi(value: str | None) -> str | None:
    """'https://doi.org/10.1/ABC' or 'doi:10.1/ABC.' -> '10.1/abc'; None when it is no DOI."""
    if not value:
        return None
    text = _DOI_PREFIX.sub("", value.strip()).strip().rstrip(".,;")
    return text.lower() if DOI_PATTERN.match(text) else None


def clean_doi(record: Record, value: str | None) -> None:
    """Set the record's DOI from an export's value (kept as written, less any resolver prefix), or say why not."""
    if not value or not value.strip():
        return
    text = _DOI_PREFIX.sub("", value.strip()).strip().rstrip(".,;")
    if DOI_PATTERN.match(text):
        record.doi = text
    else:
        record.notes.append(f"DOI {value.strip()!r} is not a DOI; left out")


def clean_pmid(record: Record, value: str | None) -> None:
    if not value or not value.strip():
        return
    text = value.strip()
    if PMID_PATTERN.match(text):
        record.pmid = text
    else:
        record.notes.append(f"PMID {text!r} is not a PMID; left out")


def clean_pmcid(record: Record, value: str | None) -> None:
    if not value or not value.strip():
        return
    text = value.strip().upper()
    text = text if text.startswith("PMC") else "PMC" + text
    if PMCID_PATTERN.match(text):
        record.pmcid = text
    else:
        record.notes.append(f"PMCID {value.strip()!r} is not a PMCID; left out")


_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def year_of(text: str | None) -> str | None:
    """The first four-digit year in a date ('2017 Jun 1', '2017/06/01/', '2017-06')."""
    if not text:
        return None
    match = _YEAR.search(text)
    return match.group(1) if match else None


_PAGES = re.compile(r"^\s*([A-Za-z]*)(\d+)\s*[-–—]+\s*([A-Za-z]*)(\d+)(\.e\d+)?\s*$")


def clean_pages(value: str | None) -> str | None:
    """'434-42' -> '434--442' (NLM's shortened end page written out), 'e65-e71' -> 'e65--e71', '127' -> '127'."""
    if not value or not value.strip():
        return None
    text = value.strip()
    match = _PAGES.match(text)
    if not match:
        return text
    prefix, first, prefix2, last, online = match.groups()
    if len(last) < len(first) and not prefix2:
        last = first[: len(first) - len(last)] + last
    return f"{prefix}{first}--{prefix2 or prefix}{last}{online or ''}"


def person(family: str, given: str = "", suffix: str = "") -> Name:
    return Name(" ".join(family.split()), " ".join(given.split()), suffix.strip())


def initials_given(initials: str) -> str:
    """'CJ' -> 'C. J.' (the way references.bib writes initials)."""
    return " ".join(f"{ch}." for ch in initials if ch.isalpha())
