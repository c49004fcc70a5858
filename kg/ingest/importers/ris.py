"""RIS (EndNote, Zotero, Mendeley, PubMed, Scopus, Web of Science), parsed by rispy one record at a time.

rispy skips what it cannot read without a word; so the file is first cut into records here, each checked to
open with `TY  -` and close with `ER  -`, and a record that does not is named with its line instead.
"""
from __future__ import annotations

import re
from typing import Any

import rispy

from kg.ingest.importers.names import parse_name
from kg.ingest.importers.record import Record, Unreadable, clean_doi, clean_pages, clean_pmid, year_of

TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
TYPES = {"JOUR": "article", "EJOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article",
         "BOOK": "book", "EBOOK": "book", "CHAP": "incollection", "ECHAP": "incollection", "CONF": "inproceedings",
         "CPAPER": "inproceedings", "THES": "phdthesis", "RPRT": "report", "ELEC": "online", "WEB": "online",
         "BLOG": "online", "UNPB": "unpublished", "GEN": "misc"}
# rispy's names of the tags kept in references.bib under a BibTeX name.
EXTRA = {"notes": "note", "note": "note", "publisher": "publisher", "place_published": "address", "edition": "edition",
         "type_of_work": "type", "section": "section", "short_title": "shorttitle", "translated_title": "titleaddon",
         "secondary_authors": "editor", "tertiary_title": "series", "number_of_volumes": "volumes",
         "custom1": "custom1", "custom2": "custom2", "custom3": "custom3", "custom4": "custom4", "custom5": "custom5",
         "custom6": "custom6", "custom7": "custom7", "custom8": "custom8", "caption": "caption",
         "research_notes": "annotation", "reprint_edition": "reprint", "original_publication": "origtitle",
         "translated_author": "translator", "author_address": "affiliation"}
# Bookkeeping of the exporting tool: not kept.
DROPPED = {"id": "ID", "file_attachments1": "L1", "file_attachments2": "L2", "figure": "L4", "label": "LB",
           "call_number": "CN", "access_date": "Y2", "name_of_database": "DB", "database_provider": "DP",
           "reviewed_item": "RI"}
USED = {"type_of_reference", "authors", "first_authors", "title", "primary_title", "secondary_title",
        "journal_name", "alternate_title1", "alternate_title2", "alternate_title3", "year", "publication_year",
        "date", "volume", "number", "start_page", "end_page", "doi", "issn", "urls", "language", "abstract",
        "notes_abstract", "keywords", "accession_number", "end_of_reference", "unknown_tag", "subsidiary_authors",
        "tertiary_authors"}


def read(text: str, source: str) -> tuple[list[Record], list[Unreadable]]:
    records: list[Record] = []
    unreadable: list[Unreadable] = []
    chunk: list[str] = []
    start = 0
    index = 0
    for number, line in enumerate(text.splitlines(), start=1):
        match = TAG.match(line.rstrip())
        if not chunk:
            if not line.strip():
                continue
            if match and match.group(1) == "TY":
                chunk, start = [line], number
                index += 1
                continue
            index += 1
            unreadable.append(Unreadable(source, _outside(line), index, number))
            # skip to the end of this stray block (its ER, or a blank line before the next TY)
            chunk, start = ["\0stray"], number
            continue
        if chunk[0] == "\0stray":
            if match and match.group(1) == "TY":
                chunk, start = [line], number
                index += 1
            elif match and match.group(1) == "ER":
                chunk = []
            continue
        if match and match.group(1) == "TY":
            unreadable.append(Unreadable(source, "record has no 'ER  -' line before the next 'TY  -' (truncated?)",
                                         index, start))
            chunk, start = [line], number
            index += 1
            continue
        chunk.append(line)
        if match and match.group(1) == "ER":
            _one("\n".join(chunk), source, index, start, records, unreadable)
            chunk = []
    if chunk and chunk[0] != "\0stray":
        unreadable.append(Unreadable(source, "record has no 'ER  -' line (the file ends inside it: truncated?)", index,
                                     start))
    return records, unreadable


def _outside(line: str) -> str:
    shown = line.strip()[:40]
    if TAG.match(line.rstrip()):
        return f"'{shown}' is outside a record (a record starts with 'TY  - ')"
    return f"'{shown}' is not a RIS line (a tag of two characters, two spaces, a hyphen and a space, as 'TI  - ')"


def _one(chunk: str, source: str, index: int, line: int, records: list[Record], unreadable: list[Unreadable]) -> None:
    for offset, text in enumerate(chunk.splitlines()):
        stripped = text.rstrip()
        if stripped and not TAG.match(stripped) and re.match(r"^[A-Z][A-Z0-9]\s*-", stripped):
            unreadable.append(Unreadable(source, f"'{stripped[:40]}' is a malformed tag line (two spaces, a hyphen, a "
                                                 "space, as 'TI  - ')", index, line + offset))
            return
    try:
        entries = rispy.loads(chunk)
    except Exception as exc:  # rispy raises plain exceptions on a line it cannot read: the record is named instead
        unreadable.append(Unreadable(source, f"record cannot be read: {exc}", index, line))
        return
    if len(entries) != 1:
        unreadable.append(Unreadable(source, "record cannot be read", index, line))
        return
    record = _record(entries[0], source, index, line)
    if not record.title:
        unreadable.append(Unreadable(source, "record has no title (TI or T1)", index, line))
        return
    records.append(record)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    text = " ".join(str(value).split())
    return text or None


def _record(entry: dict[str, Any], source: str, index: int, line: int) -> Record:
    kind = str(entry.get("type_of_reference", "")).strip().upper()
    record = Record(source, "ris", index, line, entry_type=TYPES.get(kind, "misc"))
    if kind not in TYPES:
        record.extra["ristype"] = kind
    names = [*entry.get("authors", []), *entry.get("first_authors", [])]
    record.authors = [n for n in (parse_name(str(a)) for a in names) if n]
    record.title = _text(entry.get("title") or entry.get("primary_title"))
    secondary = _text(entry.get("secondary_title"))
    if record.entry_type in ("incollection", "inproceedings") and secondary:
        record.extra["booktitle"] = secondary
        secondary = None
    record.journal = _text(entry.get("alternate_title3")) or secondary or _text(entry.get("journal_name"))
    short = _text(entry.get("alternate_title1")) or _text(entry.get("alternate_title2")) or _text(entry.get("journal_name"))
    record.shortjournal = short if short and short != record.journal else None
    record.year = year_of(_text(entry.get("year"))) or year_of(_text(entry.get("publication_year"))) or year_of(
        _text(entry.get("date")))
    date = _text(entry.get("date")) or _text(entry.get("publication_year")) or ""
    month = re.match(r"^\d{4}[/-](\d{1,2})", date)
    record.month = str(int(month.group(1))) if month and 1 <= int(month.group(1)) <= 12 else None
    record.volume = _text(entry.get("volume"))
    record.number = _text(entry.get("number"))
    first, last = _text(entry.get("start_page")), _text(entry.get("end_page"))
    record.pages = clean_pages(f"{first}-{last}" if first and last and first != last else first or last)
    clean_doi(record, _text(entry.get("doi")))
    issn = entry.get("issn")
    record.issn = _text(issn[0] if isinstance(issn, list) and issn else issn)
    urls = entry.get("urls") or []
    record.url = _text(urls[0]) if urls else None
    record.language = _text(entry.get("language"))
    abstract = entry.get("abstract") or entry.get("notes_abstract")
    record.abstract = "\n".join(abstract) if isinstance(abstract, list) else (str(abstract) if abstract else None)
    keywords = entry.get("keywords") or []
    record.keywords = [k for k in (_text(k) for k in (keywords if isinstance(keywords, list) else [keywords])) if k]
    accession = _text(entry.get("accession_number"))
    database = " ".join(str(entry.get(k, "")) for k in ("name_of_database", "database_provider")).lower()
    if accession and ("pubmed" in database or "medline" in database or "nlm" in database):
        clean_pmid(record, accession)  # AN is the PMID only in a record from PubMed or MEDLINE
    elif accession:
        record.extra["accession"] = accession
    for name, value in entry.items():
        if name in USED:
            continue
        if name in DROPPED:
            record.dropped.add(DROPPED[name])
        elif name in EXTRA and _text(value):
            field_name = EXTRA[name]
            text = " and ".join(map(str, value)) if name in ("secondary_authors", "translated_author") else (
                "; ".join(map(str, value)) if isinstance(value, list) else str(value))
            record.extra[field_name] = text.strip()
        elif _text(value):
            record.extra[name.replace("_", "-")] = _text(value) or ""
    for tag, values in dict(entry.get("unknown_tag") or {}).items():
        record.extra[f"ris-{tag.lower()}"] = "; ".join(values)
    return record
