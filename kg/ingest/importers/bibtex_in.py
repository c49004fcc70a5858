"""BibTeX and BibLaTeX as Zotero, Better BibTeX, JabRef and Mendeley export them.

bibtexparser reads the blocks and resolves a value that is a bare @string name; what it leaves as written is
resolved here: concatenation with `#`, month macros (`month = jun`) and strings used inside a concatenation.
LaTeX is decoded with the project's decoder and names are split with its name splitting, so braced corporate
authors stay one name. BibLaTeX's `journaltitle` and `date` stand in for `journal` and `year`.
"""
from __future__ import annotations

import logging
import re

from bibtexparser.entrypoint import parse_string
from bibtexparser.model import Entry, ParsingFailedBlock

from kg.ingest.bibtex import split_name_list
from kg.ingest.importers.record import Record, Unreadable, clean_doi, clean_pages, clean_pmcid, clean_pmid, year_of
from kg.ingest.latex import decode_latex

MONTHS = {m: str(i) for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                           "dec"), start=1)}
# BibTeX field -> Record attribute, for the fields read as plain text.
PLAIN = {"title": "title", "journal": "journal", "journaltitle": "journal", "shortjournal": "shortjournal",
         "volume": "volume", "number": "number", "issue": "number", "url": "url", "issn": "issn",
         "language": "language", "langid": "language", "abstract": "abstract"}
# Reference managers' own bookkeeping: not a property of the work, not kept.
DROPPED = frozenset({"file", "timestamp", "owner", "groups", "ranking", "readstatus", "priority", "qualityassured",
                     "creationdate", "modificationdate", "urldate", "mendeley-groups", "mendeley-tags", "_jabref_shared"})
HANDLED = frozenset({*PLAIN, "author", "year", "date", "month", "pages", "doi", "pmid", "pmcid", "keywords", "mesh"})
TYPES = {"article": "article", "online": "online", "misc": "misc", "book": "book", "inbook": "incollection",
         "incollection": "incollection", "inproceedings": "inproceedings", "conference": "inproceedings",
         "phdthesis": "phdthesis", "mastersthesis": "mastersthesis", "thesis": "thesis", "report": "report",
         "techreport": "report", "unpublished": "unpublished", "preprint": "online", "electronic": "online",
         "www": "online", "webpage": "online"}
_BARE = re.compile(r"[A-Za-z0-9_][\w:.+/-]*")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


def read(text: str, source: str) -> tuple[list[Record], list[Unreadable]]:
    """Every entry of a BibTeX file as a Record; each block bibtexparser could not parse as an Unreadable."""
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # its failed blocks are reported below, with file and line
    try:
        library = parse_string(text, parse_stack=[])  # values as written: braces, quotes, '#' and macros kept
    finally:
        logger.setLevel(level)
    strings: dict[str, str] = {}
    for string in sorted(library.strings, key=lambda b: b.start_line or 0):
        try:  # a string may use the ones defined before it
            strings[string.key.lower()] = resolve(str(string.value), strings)
        except ValueError:
            continue  # reported on the entries that use it
    records: list[Record] = []
    unreadable: list[Unreadable] = []
    blocks = sorted([*library.entries, *library.failed_blocks], key=lambda b: b.start_line or 0)
    for index, block in enumerate(blocks, start=1):
        line = (block.start_line or 0) + 1
        if isinstance(block, ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", None) or str(block.error) or "syntax error"
            key = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", block.raw or "")
            named = f" '{key.group(1)}'" if key else ""
            unreadable.append(Unreadable(source, f"entry{named} is malformed: {' '.join(reason.split())}", index, line))
            continue
        assert isinstance(block, Entry)
        try:
            records.append(_record(block, strings, source, index, line))
        except ValueError as exc:
            unreadable.append(Unreadable(source, f"entry '{block.key}': {exc}", index, line))
    return records, unreadable


def resolve(value: str, strings: dict[str, str]) -> str:
    """A field's value as written (`{a}`, `"a"`, `2017`, `jun`, `"a" # name # {b}`) as text, with @string names
    and month macros resolved; ValueError naming what cannot be read."""
    parts, pos, text = [], 0, value.strip()
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            raise ValueError(f"a value ends in '#': {text[:60]!r}")
        opener = text[pos]
        if opener in "{\"":
            depth, end = 0, pos
            for end in range(pos, len(text)):
                ch = text[end]
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if opener == "{" and depth == 0:
                        break
                    if depth < 0:
                        raise ValueError(f"unbalanced braces in {text[:60]!r}")
                elif ch == '"' and opener == '"' and depth == 0 and end > pos:
                    break
            else:
                raise ValueError(f"unbalanced braces or quotes in {text[:60]!r}")
            parts.append(text[pos + 1: end])
            pos = end + 1
        else:
            match = _BARE.match(text, pos)
            if not match:
                raise ValueError(f"cannot read the value {text[:60]!r}")
            word = match.group(0)
            if word.isdigit():
                parts.append(word)
            elif word.lower() in strings:
                parts.append(strings[word.lower()])
            elif word.lower() in MONTHS:
                parts.append(MONTH_NAMES[int(MONTHS[word.lower()]) - 1])
            else:
                raise ValueError(f"@string '{word}' is used but not defined")
            pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return "".join(parts)
        if text[pos] != "#":
            raise ValueError(f"cannot read the value {text[:60]!r} (a '#' or the end expected)")
        pos += 1


def _record(entry: Entry, strings: dict[str, str], source: str, index: int, line: int) -> Record:
    raw = {f.key.lower(): resolve(str(f.value), strings).strip() for f in entry.fields}
    record = Record(source, "bibtex", index, line, entry_type=TYPES.get(entry.entry_type.lower(), "misc"))
    if entry.entry_type.lower() not in TYPES:
        record.extra["entrytype"] = entry.entry_type.lower()
    record.authors = [name for name, _ in split_name_list(raw.get("author", ""))]
    for name, attribute in PLAIN.items():
        if raw.get(name) and getattr(record, attribute) is None:
            setattr(record, attribute, " ".join(decode_latex(raw[name]).split()) if name != "abstract"
                    else decode_latex(raw[name]))
    record.year = year_of(raw.get("year")) or year_of(raw.get("date"))
    month = raw.get("month", "").lower()
    record.month = MONTHS.get(month[:3], str(int(month)) if month.isdigit() and 1 <= int(month) <= 12 else None)
    if not record.month and raw.get("date") and re.match(r"^\d{4}-\d{2}", raw["date"]):
        record.month = str(int(raw["date"][5:7]))
    record.pages = clean_pages(raw.get("pages"))
    eprint = raw.get("eprinttype", "").lower()
    if eprint in ("doi", "pubmed") and raw.get("eprint"):  # BibLaTeX's way of giving a DOI or PMID
        raw.setdefault("doi" if eprint == "doi" else "pmid", raw.pop("eprint"))
        raw.pop("eprinttype")
    clean_doi(record, raw.get("doi"))
    clean_pmid(record, raw.get("pmid"))
    clean_pmcid(record, raw.get("pmcid"))
    record.keywords = _split_list(decode_latex(raw.get("keywords", "")), ",;")
    record.mesh = _split_list(decode_latex(raw.get("mesh", "")), ";")
    for name, value in raw.items():
        if name in DROPPED:
            record.dropped.add(name)
        elif name not in HANDLED and value:
            record.extra[name] = decode_latex(value)
    return record


def _split_list(value: str, separators: str) -> list[str]:
    """'a, b; c' -> ['a', 'b', 'c'] on the given separators (a MeSH heading keeps its commas)."""
    if not value.strip():
        return []
    items = re.split("[" + re.escape(separators) + "]", value)
    return [" ".join(item.split()) for item in items if item.strip()]
