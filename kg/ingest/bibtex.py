"""BibTeX records: parse references.bib (bibtexparser 2) into BibRecords and check their fields.

LaTeX is decoded only in the fields that are shown to people (title, names, journal), only when a field
holds LaTeX at all, and mostly by table (kg.ingest.latex): pylatexenc on every field is ~40x slower than the parse.
Name lists are split the way BibTeX splits them (bibtexparser's name functions) before any LaTeX is decoded,
so a braced name such as `{GBD 2019 Collaborators}` stays one author. kg.ingest.records_nt writes the records
as N-Triples.
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

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from kg.ingest.errors import CONTROL_CHARACTER, InputError, Problem, closest_hint, display_path
from kg.ingest.latex import decode_latex
from kg.model.namespace import DOI, FABIO, HS, WORK

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/[^\s\"<>{}|\\^`]+$")
PMID_PATTERN = re.compile(r"^\d{1,9}$")
PMCID_PATTERN = re.compile(r"^PMC\d+$")
YEAR_PATTERN = re.compile(r"^\d{4}$")
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Fields shown to people: LaTeX is decoded on reading and written back on export (kg.export.bibtex).
LATEX_FIELDS = frozenset({"title", "author", "contributor", "journal", "booktitle", "organization", "note", "abstract",
                          "keywords"})
VERIFICATION = {"verified": HS.Verified, "partly": HS.PartlyVerified, "unverified": HS.Unverified}
# The FaBiO class of each entry type the build reads (every class below is a fabio:Expression in FaBiO 2.x:
# a report is fabio:ReportDocument, since fabio:Report is the work it realises). Every type but @online is a
# study to screen: reference managers export chapters, books, conference papers and reports as such.
ENTRY_CLASSES = {
    "article": FABIO.JournalArticle, "online": FABIO.WebContent,
    "incollection": FABIO.BookChapter, "inbook": FABIO.BookChapter, "book": FABIO.Book,
    "inproceedings": FABIO.ConferencePaper, "conference": FABIO.ConferencePaper,
    "report": FABIO.ReportDocument, "techreport": FABIO.ReportDocument,
    "thesis": FABIO.Thesis, "phdthesis": FABIO.DoctoralThesis, "mastersthesis": FABIO.MastersThesis,
    "unpublished": FABIO.Manuscript, "misc": FABIO.Expression,
}
ENTRY_TYPES = frozenset(ENTRY_CLASSES)
MAX_FIELD_CHARS = 1_000_000
KNOWN_FIELDS = frozenset(
    {
        "author", "contributor", "title", "journal", "shortjournal", "booktitle", "year", "onlinedate", "updated", "volume",
        "number", "pages", "doi", "pmid", "pmcid", "url", "organization", "note", "verification", "unverified",
        "verificationnote",
        # What reference managers and PubMed exports carry, and what `kg import` and screening write.
        "abstract", "keywords", "mesh", "language", "issn", "screening", "screening-reason", "import-source",
        "import-format", "import-date", "possible-duplicate-of", "duplicate-match", "duplicate-of",
    }
)
# Project fields such as `verification` are optional: a record without it is unverified (an honest default).
# What each type needs to be cited and screened: a title always; a year for anything published; the container of
# a part (journal, book, proceedings); an author where the type has one by definition (an edited book may not).
REQUIRED = {
    "article": ("author", "title", "journal", "year"), "online": ("title",),
    "incollection": ("author", "title", "booktitle", "year"), "inbook": ("author", "title", "year"),
    "book": ("title", "year"), "inproceedings": ("author", "title", "year"), "conference": ("author", "title", "year"),
    "report": ("title", "year"), "techreport": ("title", "year"),
    "thesis": ("author", "title", "year"), "phdthesis": ("author", "title", "year"),
    "mastersthesis": ("author", "title", "year"), "unpublished": ("title",), "misc": ("title",),
}
SCREENING = ("to screen", "included", "excluded")
IMPORT_FORMATS = ("bibtex", "ris", "csl-json", "medline", "reference-list")
DUPLICATE_FIELDS = ("possible-duplicate-of", "duplicate-of")


@dataclass(frozen=True)
class Name:
    """A name as BibTeX splits it: family name (with its von part: 'van Beethoven'), given names (initials
    or full) and a suffix ('Jr.'). A corporate author ('{GBD 2019 Collaborators}') is all family name."""

    family: str
    given: str
    suffix: str = ""

    @cached_property
    def initials(self) -> str:
        return "".join(part[0] for part in re.split(r"[\s.\-]+", self.given) if part)

    @cached_property
    def person_id(self) -> str:
        """Family name (and suffix) plus initials: merges 'Kang, J. D.' and 'Kang, James D.' into one person,
        and keeps 'Smith, Jr., John' apart from 'Smith, John'."""
        family = slug(f"{self.family} {self.suffix}" if self.suffix else self.family)
        return f"{family}-{self.initials.lower()}" if self.initials else family

    @property
    def display(self) -> str:
        """First name first: 'Ludwig van Beethoven', 'John Smith Jr.'."""
        return " ".join(part for part in (self.given, self.family, self.suffix) if part)

    @property
    def printed(self) -> str:
        """BibTeX's 'von Last, Jr, First' order: 'van Beethoven, Ludwig', 'Smith, Jr., John'."""
        return ", ".join(part for part in (self.family, self.suffix, self.given) if part)


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
    name_problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message) of names read leniently

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
    """A BibTeX name list ('Kang, J. D. and Ross Hauser') as names, in either 'Family, Given' or 'Given Family'
    form (see split_name_list for the rules)."""
    return [name for name, _ in split_name_list(value)]


def split_name_list(value: str) -> list[tuple[Name, str | None]]:
    """Each name of a BibTeX name list, with the reason it could only be read leniently (or None).

    bibtexparser splits the list on the `and`s outside braces and each name into its von, last, jr and first
    parts; LaTeX is decoded in each part afterwards, so braces still protect a corporate name."""
    return [n for n in (_name(text) for text in split_multiple_persons_names(value)) if n[0].family or n[0].given]


@lru_cache(maxsize=65536)  # the same people recur across entries
def _name(text: str) -> tuple[Name, str | None]:
    try:
        parts, problem = parse_single_name_into_parts(text), None
    except InvalidNameError as exc:  # too many commas, a trailing comma: read it as BibTeX would, and say so
        parts, problem = parse_single_name_into_parts(text, strict=False), exc.reason
    name = Name(decode_latex(" ".join(parts.von + parts.last)), decode_latex(" ".join(parts.first)),
                decode_latex(" ".join(parts.jr)))
    return name, problem


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
        library = parse_string(text)
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
    for entry in library.entries:
        for f in entry.fields:
            if len(str(f.value)) > MAX_FIELD_CHARS:  # the graph store refuses a line of 16 MiB or more
                problems.append(Problem(shown, f"field is {len(str(f.value)):,} characters long (at most {MAX_FIELD_CHARS:,})",
                                        line=(entry.start_line or 0) + 1, record=entry.key, prop=f.key,
                                        fix="shorten the field: references.bib holds citations, not full texts"))
    problems += _value_problems(library, shown)
    if problems:
        raise InputError(problems)
    return [_record(entry, shown) for entry in library.entries]


# BibTeX's standard styles predefine the month macros; any other bare word must be an @string of the file.
MONTH_MACROS = frozenset({"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"})
NAME_FIELDS = ("author", "contributor")
MAX_BRACE_DEPTH = 50
_BRACE = re.compile(r"(?<!\\)[{}]")  # an unescaped brace (\{ is a literal brace)
_MACRO_NAME = re.compile(r"[^\d\s\"#%'(),={}][^\s\"#%'(),={}]*")  # what BibTeX accepts as a macro name


def _value_problems(library: Library, shown: str) -> list[Problem]:
    """Values bibtexparser keeps silently wrong or that break on decoding: a control character (a NUL byte),
    braces nested deeper than MAX_BRACE_DEPTH, an unbraced word that no @string defines (it would reach the
    graph as the macro's name) and a name list with an empty name (`{ and }` would become a person 'and')."""
    macros = {key.lower() for key in library.strings_dict} | MONTH_MACROS
    problems = []
    for entry in library.entries:
        for f in entry.fields:
            line = (f.start_line if f.start_line is not None else entry.start_line or 0) + 1
            value = str(f.value)
            control = CONTROL_CHARACTER.search(value)
            if control:
                problems.append(Problem(
                    shown, f"control character U+{ord(control.group()):04X} in the value (binary data or a NUL byte)",
                    line=line + value.count("\n", 0, control.start()), record=entry.key, prop=f.key,
                    fix="remove it: references.bib is plain text"))
            elif (depth := _brace_depth(value)) > MAX_BRACE_DEPTH:  # the LaTeX decoder recurses per level
                problems.append(Problem(
                    shown, f"braces nested {depth} deep inside the value (at most {MAX_BRACE_DEPTH})", line=line,
                    record=entry.key, prop=f.key,
                    fix="remove the extra braces: {{Title}} protects a word's case; more levels add nothing"))
            elif f.enclosing == "no-enclosing" and not value.isdigit():  # neither braced, quoted, nor a number
                if _MACRO_NAME.fullmatch(value) and value.lower() not in macros:
                    defined = sorted(library.strings_dict)
                    hint = closest_hint(value, defined) or (f" (defined: {', '.join(defined)})" if defined else "")
                    problems.append(Problem(
                        shown, f"undefined @string macro '{value}'", line=line, record=entry.key, prop=f.key,
                        fix=f"define it before the entry as @string{{{value} = {{...}}}}, or write the value in braces: "
                            f"{f.key} = {{{value}}}" + hint))
                elif "#" in value:
                    problems.append(Problem(
                        shown, f"'#' concatenation is not supported here: {value}", line=line, record=entry.key,
                        prop=f.key, fix=f"write the whole value in braces: {f.key} = {{...}}"))
            elif f.key.lower() in NAME_FIELDS and _has_empty_name(value):
                problems.append(Problem(
                    shown, f"the {f.key.lower()} list has an empty name: {{{value}}}", line=line, record=entry.key,
                    prop=f.key, fix="write names separated by ' and ' with a name on each side, e.g. "
                                    "{Smith, John and Doe, Jane}; brace a corporate name: {{Barnes and Noble} and Doe, Jane}"))
    return problems


def _brace_depth(value: str) -> int:
    """How deep braces nest inside a value (the field's own braces are already removed)."""
    depth = deepest = 0
    for match in _BRACE.finditer(value):
        depth += 1 if match.group() == "{" else -1
        deepest = max(deepest, depth)
    return deepest


def _has_empty_name(value: str) -> bool:
    """Whether an 'and' of the name list (outside braces) lacks a name on one side: 'and', 'Smith, J. and'."""
    if not value.strip():
        return False  # an empty field is a missing field (check_records says so)
    outside, depth = [], 0
    for char in value:  # braced text (a corporate name, a protected word) is one opaque letter
        depth += (char == "{") - (char == "}")
        outside.append(char if depth == 0 and char != "}" else "x")
    names = re.split(r"(?:^|\s)and(?=\s|$)", "".join(outside), flags=re.IGNORECASE)
    return any(not name.strip(" \t\r\n,") for name in names)


def _guess_key(raw: str) -> str | None:
    match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", raw)
    return match.group(1) if match else None


def _record(entry: Entry, shown: str) -> BibRecord:
    fields, raw = {}, {}
    for f in entry.fields:
        name = f.key.lower()
        raw[name] = value = str(f.value).strip()
        fields[name] = decode_latex(value) if name in LATEX_FIELDS else value
    record = BibRecord(entry.key, entry.entry_type.lower(), fields, (entry.start_line or 0) + 1, shown)
    # Names are split before decoding: decoding removes the braces that protect '{Barnes and Noble}'.
    authors, contributors = split_name_list(raw.get("author", "")), split_name_list(raw.get("contributor", ""))
    record.authors = [n for n, _ in authors]
    record.contributors = [n for n, _ in contributors]
    record.name_problems = [(name_field, f"name '{n.printed}' read leniently: {why}")
                            for name_field, names in (("author", authors), ("contributor", contributors))
                            for n, why in names if why]
    return record


def check_records(records: list[BibRecord]) -> list[Problem]:
    """Field-level checks: required fields, identifier formats, duplicate DOIs, unknown fields."""
    problems: list[Problem] = []
    dois: dict[str, BibRecord] = {}
    unmapped: dict[str, list[BibRecord]] = {}
    for r in records:
        def add(message: str, prop: str | None = None, fix: str | None = None, severity: str = "error",
                r: BibRecord = r) -> None:
            problems.append(Problem(r.path, message, line=r.line, record=r.key, prop=prop, fix=fix, severity=severity))

        if r.entry_type not in ENTRY_TYPES:
            add(f"entry type @{r.entry_type} is not used here",
                fix=f"use one of {', '.join('@' + t for t in sorted(ENTRY_TYPES))} (@online for web articles)")
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
        for name, message in r.name_problems:
            add(message, prop=name, severity="warning",
                fix="write each name as 'Family, Given' or 'Family, Jr., Given', and brace a corporate name")
        screening_problems(r, add)
        for name in r.fields:
            if name not in KNOWN_FIELDS:
                unmapped.setdefault(name, []).append(r)
    keys = {r.key for r in records}
    for r in records:
        for name in DUPLICATE_FIELDS:
            other = r.fields.get(name)
            if other is not None and other not in keys:
                problems.append(Problem(r.path, f"{name} names '{other}', which references.bib does not define",
                                        line=r.line, record=r.key, prop=name, severity="warning",
                                        fix="correct the key, or remove the field"))
    for name, where in sorted(unmapped.items()):  # named once per field, not once per entry
        first = where[0]
        also = f" (and {len(where) - 1:,} more entries)" if len(where) > 1 else ""
        problems.append(Problem(first.path, f"field '{name}' is not mapped to the graph; it stays in the .bib "
                                f"only{also}", line=first.line, record=first.key, prop=name, severity="warning",
                                fix=f"known fields: {', '.join(sorted(KNOWN_FIELDS))}"))
    return problems


def screening_problems(r: BibRecord, add: Callable[..., None]) -> None:
    """The screening and import fields: known values, a reason for an exclusion, ISO dates."""
    status = r.fields.get("screening")
    if status is not None and status not in SCREENING:
        add(f"screening '{status}' is not one of {', '.join(SCREENING)}", prop="screening",
            fix="write screening = {to screen}, {included} or {excluded}")
    if status == "excluded" and not r.fields.get("screening-reason"):
        add("an excluded record needs a reason", prop="screening-reason",
            fix="add screening-reason = {...}, e.g. {not about the hip or spine}")
    fmt = r.fields.get("import-format")
    if fmt is not None and fmt not in IMPORT_FORMATS:
        add(f"import-format '{fmt}' is not one of {', '.join(IMPORT_FORMATS)}", prop="import-format",
            severity="warning")
    date = r.fields.get("import-date")
    if date is not None and not ISO_DATE.match(date):
        add(f"import-date '{date}' is not YYYY-MM-DD", prop="import-date")


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
