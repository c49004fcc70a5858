"""BibTeX records: parse references.bib (bibtexparser 2), check them, and turn them into RDF triples.

LaTeX is decoded only in the fields that are shown to people (title, names, journal) and only when a field
holds LaTeX at all: pylatexenc on every field is ~40x slower than the parse itself.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import bibtexparser
import pyoxigraph as ox
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from kg.errors import InputError, Problem, display_path
from kg.namespace import AUTHORS, BIBO, DOI, FABIO, FRBR, HS, JOURNAL, PERSON, PRISM, WORK

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/[^\s\"<>{}|\\^`]+$")
PMID_PATTERN = re.compile(r"^\d{1,9}$")
PMCID_PATTERN = re.compile(r"^PMC\d+$")
YEAR_PATTERN = re.compile(r"^\d{4}$")
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
LATEX_FIELDS = frozenset({"title", "author", "contributor", "journal", "organization", "note"})
VERIFICATION = {"verified": HS.Verified, "partly": HS.PartlyVerified, "unverified": HS.Unverified}
ENTRY_TYPES = {"article", "online"}
KNOWN_FIELDS = frozenset(
    {
        "author", "contributor", "title", "journal", "shortjournal", "year", "onlinedate", "updated", "volume",
        "number", "pages", "doi", "pmid", "pmcid", "url", "organization", "note", "verification", "unverified",
        "verificationnote",
    }
)
REQUIRED = {"article": ("author", "title", "journal", "year", "verification"), "online": ("title", "verification")}

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDF_FIRST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
RDF_REST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
RDF_NIL = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"


@dataclass(frozen=True)
class Name:
    """A person's name split into family name and given names (initials or full)."""

    family: str
    given: str

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in re.split(r"[\s.\-]+", self.given) if part)

    @property
    def person_id(self) -> str:
        """Family name plus initials: merges 'Kang, J. D.' and 'Kang, James D.' into one person."""
        return f"{slug(self.family)}-{self.initials.lower()}" if self.initials else slug(self.family)

    @property
    def display(self) -> str:
        return f"{self.given} {self.family}".strip()


@dataclass
class BibRecord:
    """One entry of references.bib, with LaTeX decoded and names split."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int
    path: str
    authors: list[Name] = field(default_factory=list)
    contributors: list[Name] = field(default_factory=list)

    @property
    def doi(self) -> str | None:
        value = self.fields.get("doi")
        return value if value and DOI_PATTERN.match(value) else None

    @property
    def iri(self) -> str:
        """The paper's IRI: its DOI resolver IRI (lower-cased) when a valid DOI is given, else a project IRI."""
        if self.doi:
            return str(DOI) + quote(self.doi.lower(), safe="/:;()._-")
        return str(WORK[self.key])

    @property
    def unverified(self) -> list[str]:
        raw = self.fields.get("unverified", "")
        return [f.strip().lower() for f in raw.split(",") if f.strip()]


def slug(text: str) -> str:
    """ASCII, lower-case, hyphenated: 'Gómez-Hoyos' -> 'gomez-hoyos'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@lru_cache(maxsize=1)
def _latex_decoder() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


def decode_latex(value: str) -> str:
    """LaTeX to Unicode, skipped for plain text (the common case, and the expensive one to decode)."""
    if "\\" not in value and "{" not in value and "~" not in value:
        return value
    text: str = _latex_decoder().latex_to_text(value)  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", text).strip()


def split_names(value: str) -> list[Name]:
    """Split a BibTeX name list ('A, B. and C, D.') into names; 'Given Family' form is accepted too."""
    names = []
    for part in re.split(r"\s+and\s+", value.strip()):
        part = part.strip()
        if not part:
            continue
        if "," in part:
            family, given = (s.strip() for s in part.split(",", 1))
        else:
            bits = part.rsplit(" ", 1)
            family, given = (bits[1], bits[0]) if len(bits) == 2 else (bits[0], "")
        names.append(Name(family, given))
    return names


def parse_bib(path: Path, text: str | None = None) -> list[BibRecord]:
    """Parse and check a .bib file; raise InputError naming file, line and key for anything unusable.

    Problems that leave the record usable (an unknown field) come back as warnings through check_records.
    """
    shown = display_path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError([Problem(shown, "file not found", fix="pass --bib PATH or --data DIR")]) from None
        except UnicodeDecodeError as exc:
            raise InputError([Problem(shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    # bibtexparser logs each failed block itself; we report them below with file, line and key instead.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text)
    finally:
        logger.setLevel(level)
    problems: list[Problem] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1  # bibtexparser counts from 0
        if isinstance(block, DuplicateBlockKeyBlock):
            first = next((e for e in library.entries if e.key == block.key), None)
            where = f" (first defined on line {(first.start_line or 0) + 1})" if first else ""
            problems.append(
                Problem(shown, f"duplicate BibTeX key '{block.key}'{where}", line=line, record=block.key,
                        fix="give each entry its own key; merge the two entries if they are the same work")
            )
        elif isinstance(block, ParsingFailedBlock):
            key = _guess_key(block.raw or "")
            reason = getattr(block.error, "abort_reason", None) or str(block.error) or "syntax error"
            reason = " ".join(reason.split())
            problems.append(
                Problem(shown, f"malformed entry: {reason}", line=line, record=key,
                        fix="check braces and commas: each field is name = {value}, and the entry ends with }")
            )
    if problems:
        raise InputError(problems)
    return [_record(entry, shown) for entry in library.entries]


def _guess_key(raw: str) -> str | None:
    match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", raw)
    return match.group(1) if match else None


def _record(entry: Entry, shown: str) -> BibRecord:
    fields = {}
    for f in entry.fields:
        name = f.key.lower()
        value = str(f.value).strip()
        fields[name] = decode_latex(value) if name in LATEX_FIELDS else value
    record = BibRecord(entry.key, entry.entry_type.lower(), fields, (entry.start_line or 0) + 1, shown)
    record.authors = split_names(fields.get("author", ""))
    record.contributors = split_names(fields.get("contributor", ""))
    return record


def check_records(records: list[BibRecord]) -> list[Problem]:
    """Field-level checks: required fields, identifier formats, duplicate DOIs, unknown fields."""
    problems: list[Problem] = []
    dois: dict[str, BibRecord] = {}
    for r in records:
        def add(message: str, prop: str | None = None, fix: str | None = None, severity: str = "error",
                r: BibRecord = r) -> None:
            problems.append(Problem(r.path, message, line=r.line, record=r.key, prop=prop, fix=fix, severity=severity))

        if r.entry_type not in ENTRY_TYPES:
            add(f"entry type @{r.entry_type} is not used here", fix="use @article for studies, @online for web articles")
            continue
        for name in REQUIRED[r.entry_type]:
            if not r.fields.get(name):
                add(f"missing required field '{name}'", prop=name, fix=f"add {name} = {{...}} to the entry")
        doi = r.fields.get("doi")
        if doi is not None:
            if not DOI_PATTERN.match(doi):
                add(f"invalid DOI '{doi}'", prop="doi",
                    fix="a DOI looks like 10.1234/abc (no https://doi.org/ prefix); remove it if it is not verified")
            elif doi.lower() in dois:
                add(f"DOI {doi} is also given to '{dois[doi.lower()].key}'", prop="doi",
                    fix="one work, one entry: merge or correct the DOIs")
            else:
                dois[doi.lower()] = r
        for name, pattern, example in (("pmid", PMID_PATTERN, "28158964"), ("pmcid", PMCID_PATTERN, "PMC8898168")):
            value = r.fields.get(name)
            if value is not None and not pattern.match(value):
                add(f"invalid {name.upper()} '{value}'", prop=name, fix=f"digits only, e.g. {example}" if name == "pmid"
                    else f"PMC followed by digits, e.g. {example}")
        year = r.fields.get("year")
        if year and not YEAR_PATTERN.match(year):
            add(f"year '{year}' is not a four-digit year", prop="year")
        for name in ("onlinedate", "updated"):
            value = r.fields.get(name)
            if value and not DATE_PATTERN.match(value):
                add(f"{name} '{value}' is not YYYY, YYYY-MM or YYYY-MM-DD", prop=name)
        status = r.fields.get("verification")
        if status and status not in VERIFICATION:
            add(f"verification '{status}' is not one of {', '.join(VERIFICATION)}", prop="verification")
        for name in r.unverified:
            if name not in r.fields:
                add(f"'unverified' lists field '{name}', which the entry does not have", prop="unverified",
                    severity="warning")
            if name in {"doi", "pmid", "pmcid"}:
                add(f"'{name}' is marked unverified: unverified identifiers must be left out", prop=name,
                    fix=f"remove the {name} field until it is verified")
        for name in r.fields:
            if name not in KNOWN_FIELDS:
                add(f"field '{name}' is not mapped to the graph; it stays in the .bib only", prop=name,
                    severity="warning", fix=f"known fields: {', '.join(sorted(KNOWN_FIELDS))}")
    return problems


# ---------------------------------------------------------------------------------------------- to RDF

def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)) if datatype else ox.Literal(value)


def _date_literal(value: str) -> ox.Literal:
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(value)]
    return _lit(value, kind)


def people(records: Iterable[BibRecord]) -> dict[str, Name]:
    """One Name per person id, keeping the fullest spelling seen (so 'James D. Kang' wins over 'J. D. Kang')."""
    best: dict[str, Name] = {}
    for r in records:
        for name in (*r.authors, *r.contributors):
            seen = best.get(name.person_id)
            if seen is None or len(name.given) > len(seen.given):
                best[name.person_id] = name
    return best


def record_triples(records: list[BibRecord]) -> Iterator[ox.Triple]:
    """The RDF of the bibliographic records: works, journals, people, author lists, verification marks."""
    persons = people(records)
    for pid, name in sorted(persons.items()):
        s = _nn(str(PERSON[pid]))
        yield ox.Triple(s, RDF_TYPE, _nn(FOAF + "Person"))
        yield ox.Triple(s, _nn(FOAF + "name"), _lit(name.display))
        yield ox.Triple(s, _nn(FOAF + "familyName"), _lit(name.family))
        if name.given:
            yield ox.Triple(s, _nn(FOAF + "givenName"), _lit(name.given))
    journals: dict[str, tuple[str, str | None]] = {}
    for r in records:
        yield from _work_triples(r)
        if r.fields.get("journal"):
            journals.setdefault(slug(r.fields["journal"]), (r.fields["journal"], r.fields.get("shortjournal")))
    for jid, (title, short) in sorted(journals.items()):
        s = _nn(str(JOURNAL[jid]))
        yield ox.Triple(s, RDF_TYPE, _nn(str(FABIO.Journal)))
        yield ox.Triple(s, _nn(DCT + "title"), _lit(title))
        if short:
            yield ox.Triple(s, _nn(DCT + "alternative"), _lit(short))


def _work_triples(r: BibRecord) -> Iterator[ox.Triple]:
    s = _nn(r.iri)
    f = r.fields
    if r.entry_type == "online":
        yield ox.Triple(s, RDF_TYPE, _nn(str(HS.SourceArticle)))
        yield ox.Triple(s, RDF_TYPE, _nn(str(FABIO.WebContent)))
    else:
        yield ox.Triple(s, RDF_TYPE, _nn(str(FABIO.JournalArticle)))
    yield ox.Triple(s, _nn(str(HS.bibKey)), _lit(r.key))
    if f.get("title"):
        yield ox.Triple(s, _nn(DCT + "title"), _lit(f["title"]))
    if f.get("year") and YEAR_PATTERN.match(f["year"]):
        yield ox.Triple(s, _nn(DCT + "issued"), _lit(f["year"], "gYear"))
    for key, date_prop in (("onlinedate", _nn(str(HS.onlineDate))), ("updated", _nn(DCT + "modified"))):
        if f.get(key) and DATE_PATTERN.match(f[key]):
            yield ox.Triple(s, date_prop, _date_literal(f[key]))
    if f.get("journal"):
        yield ox.Triple(s, _nn(str(FRBR.partOf)), _nn(str(JOURNAL[slug(f["journal"])])))
    for key, prism_prop in (("volume", PRISM.volume), ("number", PRISM.issueIdentifier)):
        if f.get(key):
            yield ox.Triple(s, _nn(str(prism_prop)), _lit(f[key]))
    if f.get("pages"):
        pages = f["pages"].replace("--", "-")
        first, _, last = pages.partition("-")
        yield ox.Triple(s, _nn(str(PRISM.pageRange)), _lit(pages))
        yield ox.Triple(s, _nn(str(PRISM.startingPage)), _lit(first.strip()))
        if last.strip():
            yield ox.Triple(s, _nn(str(PRISM.endingPage)), _lit(last.strip()))
    if r.doi:
        yield ox.Triple(s, _nn(str(PRISM.doi)), _lit(r.doi))
    if f.get("pmid") and PMID_PATTERN.match(f["pmid"]):
        yield ox.Triple(s, _nn(str(FABIO.hasPubMedId)), _lit(f["pmid"]))
    if f.get("pmcid") and PMCID_PATTERN.match(f["pmcid"]):
        yield ox.Triple(s, _nn(str(FABIO.hasPubMedCentralId)), _lit(f["pmcid"]))
    if f.get("url"):
        yield ox.Triple(s, _nn(str(FABIO.hasURL)), _lit(f["url"], "anyURI"))
    if f.get("organization"):
        yield ox.Triple(s, _nn(DCT + "publisher"), _lit(f["organization"]))
    if f.get("note"):
        yield ox.Triple(s, _nn(DCT + "description"), _lit(f["note"]))
    status = VERIFICATION.get(f.get("verification", ""))
    if status is not None:
        yield ox.Triple(s, _nn(str(HS.verificationStatus)), _nn(str(status)))
    for field_name in r.unverified:
        yield ox.Triple(s, _nn(str(HS.unverifiedField)), _lit(field_name))
    if f.get("verificationnote"):
        yield ox.Triple(s, _nn(str(HS.verificationNote)), _lit(f["verificationnote"]))
    for name in r.contributors:
        yield ox.Triple(s, _nn(DCT + "contributor"), _nn(str(PERSON[name.person_id])))
    if r.authors:
        cells = [_nn(str(AUTHORS[f"{r.key}/{i}"])) for i in range(1, len(r.authors) + 1)]
        yield ox.Triple(s, _nn(str(BIBO.authorList)), cells[0])
        for i, (cell, name) in enumerate(zip(cells, r.authors, strict=True)):
            person = _nn(str(PERSON[name.person_id]))
            yield ox.Triple(s, _nn(DCT + "creator"), person)
            yield ox.Triple(cell, RDF_FIRST, person)
            # The name as printed in this entry: one person node keeps the fullest spelling, the cell keeps
            # this paper's, so the BibTeX export gives back exactly what was imported.
            yield ox.Triple(cell, RDFS_LABEL, _lit(f"{name.family}, {name.given}" if name.given else name.family))
            yield ox.Triple(cell, RDF_REST, cells[i + 1] if i + 1 < len(cells) else RDF_NIL)
