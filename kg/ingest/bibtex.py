"""BibTeX records: parse references.bib (bibtexparser 2), check them, and turn them into RDF triples.

LaTeX is decoded only in the fields that are shown to people (title, names, journal), only when a field
holds LaTeX at all, and mostly by table (kg.ingest.latex): pylatexenc on every field is ~40x slower than the parse.
The records become N-Triples text that Oxigraph's parser loads: one Python object per term would cost
more than the parse itself on a large corpus.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import quote

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from kg.ingest.errors import InputError, Problem, display_path
from kg.ingest.latex import decode_latex
from kg.model.namespace import AUTHORS, BIBO, DOI, FABIO, FRBR, HS, JOURNAL, PERSON, PRISM, WORK

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

XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"


@dataclass(frozen=True)
class Name:
    """A person's name split into family name and given names (initials or full)."""

    family: str
    given: str

    @cached_property
    def initials(self) -> str:
        return "".join(part[0] for part in re.split(r"[\s.\-]+", self.given) if part)

    @cached_property
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
        return str(WORK) + key_segment(self.key)

    @property
    def unverified(self) -> list[str]:
        raw = self.fields.get("unverified", "")
        return [f.strip().lower() for f in raw.split(",") if f.strip()]


@lru_cache(maxsize=65536)  # family names and journals repeat across entries
def slug(text: str) -> str:
    """ASCII, lower-case, hyphenated: 'Gómez-Hoyos' -> 'gomez-hoyos'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


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

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
A = f"<{RDF}type>"
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_W = str(WORK)
_P = str(PERSON)
_J = str(JOURNAL)
_L = str(AUTHORS)
# Predicates as ready-made N-Triples terms (the hot loop below formats ~30 triples per paper).
T_NAME, T_FAMILY, T_GIVEN, T_PERSON = f"<{FOAF}name>", f"<{FOAF}familyName>", f"<{FOAF}givenName>", f"<{FOAF}Person>"
T_TITLE, T_ALT, T_ISSUED, T_MODIFIED = f"<{DCT}title>", f"<{DCT}alternative>", f"<{DCT}issued>", f"<{DCT}modified>"
T_CREATOR, T_CONTRIBUTOR, T_PUBLISHER, T_DESCRIPTION = (f"<{DCT}creator>", f"<{DCT}contributor>", f"<{DCT}publisher>",
                                                        f"<{DCT}description>")
T_FIRST, T_REST, T_NIL, T_LABEL = f"<{RDF}first>", f"<{RDF}rest>", f"<{RDF}nil>", "<http://www.w3.org/2000/01/rdf-schema#label>"
T_PART_OF, T_AUTHOR_LIST = f"<{FRBR.partOf}>", f"<{BIBO.authorList}>"
T_JOURNAL, T_ARTICLE, T_WEB = f"<{FABIO.Journal}>", f"<{FABIO.JournalArticle}>", f"<{FABIO.WebContent}>"
T_SOURCE, T_BIBKEY, T_ONLINE = f"<{HS.SourceArticle}>", f"<{HS.bibKey}>", f"<{HS.onlineDate}>"
T_STATUS, T_UNVERIFIED, T_NOTE = f"<{HS.verificationStatus}>", f"<{HS.unverifiedField}>", f"<{HS.verificationNote}>"
T_VOLUME, T_ISSUE, T_RANGE = f"<{PRISM.volume}>", f"<{PRISM.issueIdentifier}>", f"<{PRISM.pageRange}>"
T_START, T_END, T_DOI = f"<{PRISM.startingPage}>", f"<{PRISM.endingPage}>", f"<{PRISM.doi}>"
T_PMID, T_PMCID, T_URL = f"<{FABIO.hasPubMedId}>", f"<{FABIO.hasPubMedCentralId}>", f"<{FABIO.hasURL}>"
DATE_KINDS = {4: "gYear", 7: "gYearMonth", 10: "date"}


def _lit(value: str, datatype: str | None = None) -> str:
    """An N-Triples literal: quotes, backslashes and line breaks escaped."""
    text = '"' + value.translate(_NT_ESCAPES) + '"'
    return f"{text}^^<{XSD}{datatype}>" if datatype else text


def key_segment(key: str) -> str:
    """A BibTeX key as an IRI path segment (keys are usually plain; anything else is percent-encoded)."""
    return key if _PLAIN_KEY.match(key) else quote(key, safe="-._~:+")


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_.:+\-]+$")


def people(records: Iterable[BibRecord]) -> dict[str, Name]:
    """One Name per person id, keeping the fullest spelling seen (so 'James D. Kang' wins over 'J. D. Kang')."""
    best: dict[str, Name] = {}
    for r in records:
        for name in (*r.authors, *r.contributors):
            seen = best.get(name.person_id)
            if seen is None or len(name.given) > len(seen.given):
                best[name.person_id] = name
    return best


def record_ntriples(records: list[BibRecord]) -> str:
    """The RDF of the bibliographic records as N-Triples text (see write_record_ntriples)."""
    out: list[str] = []
    write_record_ntriples(records, out.append)
    return "".join(out)


def write_record_ntriples(records: list[BibRecord], add: Callable[[str], object]) -> None:
    """The RDF of the bibliographic records as N-Triples, in pieces to `add` (a list's append or a file's
    write): works, journals, people, author lists and verification marks. Every IRI is built from a slug,
    a quoted DOI or a key segment, so it is valid."""
    for pid, name in sorted(people(records).items()):
        s = f"<{_P}{pid}>"
        add(f"{s} {A} {T_PERSON} .\n{s} {T_NAME} {_lit(name.display)} .\n{s} {T_FAMILY} {_lit(name.family)} .\n")
        if name.given:
            add(f"{s} {T_GIVEN} {_lit(name.given)} .\n")
    journals: dict[str, tuple[str, str | None]] = {}
    for r in records:
        _work_ntriples(r, add)
        if r.fields.get("journal"):
            journals.setdefault(slug(r.fields["journal"]), (r.fields["journal"], r.fields.get("shortjournal")))
    for jid, (title, short) in sorted(journals.items()):
        s = f"<{_J}{jid}>"
        add(f"{s} {A} {T_JOURNAL} .\n{s} {T_TITLE} {_lit(title)} .\n")
        if short:
            add(f"{s} {T_ALT} {_lit(short)} .\n")


def _work_ntriples(r: BibRecord, add: Callable[[str], object]) -> None:
    s = f"<{r.iri}>"
    f = r.fields
    if r.entry_type == "online":
        add(f"{s} {A} {T_SOURCE} .\n{s} {A} {T_WEB} .\n")
    else:
        add(f"{s} {A} {T_ARTICLE} .\n")
    add(f"{s} {T_BIBKEY} {_lit(r.key)} .\n")
    if f.get("title"):
        add(f"{s} {T_TITLE} {_lit(f['title'])} .\n")
    if f.get("year") and YEAR_PATTERN.match(f["year"]):
        add(f"{s} {T_ISSUED} {_lit(f['year'], 'gYear')} .\n")
    for field_name, prop in (("onlinedate", T_ONLINE), ("updated", T_MODIFIED)):
        if f.get(field_name) and DATE_PATTERN.match(f[field_name]):
            add(f"{s} {prop} {_lit(f[field_name], DATE_KINDS[len(f[field_name])])} .\n")
    if f.get("journal"):
        add(f"{s} {T_PART_OF} <{_J}{slug(f['journal'])}> .\n")
    for field_name, prop in (("volume", T_VOLUME), ("number", T_ISSUE)):
        if f.get(field_name):
            add(f"{s} {prop} {_lit(f[field_name])} .\n")
    if f.get("pages"):
        pages = f["pages"].replace("--", "-")
        first, _, last = pages.partition("-")
        add(f"{s} {T_RANGE} {_lit(pages)} .\n{s} {T_START} {_lit(first.strip())} .\n")
        if last.strip():
            add(f"{s} {T_END} {_lit(last.strip())} .\n")
    if r.doi:
        add(f"{s} {T_DOI} {_lit(r.doi)} .\n")
    if f.get("pmid") and PMID_PATTERN.match(f["pmid"]):
        add(f"{s} {T_PMID} {_lit(f['pmid'])} .\n")
    if f.get("pmcid") and PMCID_PATTERN.match(f["pmcid"]):
        add(f"{s} {T_PMCID} {_lit(f['pmcid'])} .\n")
    if f.get("url"):
        add(f"{s} {T_URL} {_lit(f['url'], 'anyURI')} .\n")
    if f.get("organization"):
        add(f"{s} {T_PUBLISHER} {_lit(f['organization'])} .\n")
    if f.get("note"):
        add(f"{s} {T_DESCRIPTION} {_lit(f['note'])} .\n")
    status = VERIFICATION.get(f.get("verification", ""))
    if status is not None:
        add(f"{s} {T_STATUS} <{status}> .\n")
    for field_name in r.unverified:
        add(f"{s} {T_UNVERIFIED} {_lit(field_name)} .\n")
    if f.get("verificationnote"):
        add(f"{s} {T_NOTE} {_lit(f['verificationnote'])} .\n")
    for contributor in r.contributors:
        add(f"{s} {T_CONTRIBUTOR} <{_P}{contributor.person_id}> .\n")
    if r.authors:
        base = f"{_L}{key_segment(r.key)}/"
        n = len(r.authors)
        add(f"{s} {T_AUTHOR_LIST} <{base}1> .\n")
        for i, name in enumerate(r.authors, 1):
            cell = f"<{base}{i}>"
            person = f"<{_P}{name.person_id}>"
            rest = f"<{base}{i + 1}>" if i < n else T_NIL  # rdf:nil ends the list
            # The name as printed in this entry: one person node keeps the fullest spelling, the cell keeps
            # this paper's, so the BibTeX export gives back exactly what was imported.
            printed = f"{name.family}, {name.given}" if name.given else name.family
            add(f"{s} {T_CREATOR} {person} .\n{cell} {T_FIRST} {person} .\n{cell} {T_REST} {rest} .\n"
                f"{cell} {T_LABEL} {_lit(printed)} .\n")
