"""CSL-JSON, as Zotero, Better CSL JSON, citation.js and Mendeley export it: a list of items (or one item)."""
from __future__ import annotations

import json
from typing import Any

from kg.ingest.importers.names import parse_name
from kg.ingest.importers.record import (
    FileError,
    Record,
    Unreadable,
    clean_doi,
    clean_pages,
    clean_pmcid,
    clean_pmid,
    person,
    year_of,
)

TYPES = {"article-journal": "article", "article": "article", "article-magazine": "article",
         "article-newspaper": "article", "review": "article", "book": "book", "chapter": "incollection",
         "paper-conference": "inproceedings", "thesis": "phdthesis", "report": "report", "webpage": "online",
         "post-weblog": "online", "post": "online", "manuscript": "unpublished"}
EXTRA = {"note": "note", "publisher": "publisher", "publisher-place": "address", "edition": "edition",
         "collection-title": "series", "number-of-pages": "pagetotal", "ISBN": "isbn", "genre": "type",
         "original-title": "origtitle", "title-short": "shorttitle", "archive": "archive", "archive_location":
         "archivelocation", "event": "eventtitle", "event-place": "venue", "medium": "howpublished",
         "version": "version", "section": "section", "status": "pubstate", "number": "reportnumber"}
USED = {"type", "author", "title", "container-title", "container-title-short", "journalAbbreviation", "issued",
        "volume", "issue", "page", "DOI", "PMID", "PMCID", "ISSN", "URL", "language", "abstract", "keyword", "editor"}
DROPPED = {"id", "citation-key", "accessed", "source", "call-number", "note_html", "system_id", "dimensions",
           "collection-number", "citation-label", "references", "annote", "license", "_comment"}


def read(text: str, source: str) -> tuple[list[Record], list[Unreadable]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:  # the whole file is unusable: nothing from it can be trusted
        raise FileError(Unreadable(source, f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)) from None
    except RecursionError:
        raise FileError(Unreadable(source, "nested too deeply to be read as CSL-JSON")) from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    items = data if isinstance(data, list) else [data]
    records: list[Record] = []
    unreadable: list[Unreadable] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            unreadable.append(Unreadable(source, f"item is a JSON {type(item).__name__}, not an object", index))
            continue
        try:
            record = _record(item, source, index)
        except (TypeError, ValueError, AttributeError) as exc:
            unreadable.append(Unreadable(source, f"item '{item.get('id', '')}' cannot be read: {exc}", index))
            continue
        if not record.title:
            unreadable.append(Unreadable(source, f"item '{item.get('id', '')}' has no title", index))
            continue
        records.append(record)
    return records, unreadable


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        raise ValueError(f"a text value is an object: {json.dumps(value)[:60]}")
    text = " ".join(str(value).split())
    return text or None


def _record(item: dict[str, Any], source: str, index: int) -> Record:
    kind = str(item.get("type", ""))
    record = Record(source, "csl-json", index, entry_type=TYPES.get(kind, "misc"))
    if kind not in TYPES:
        record.extra["csltype"] = kind
    for name in item.get("author") or []:
        if not isinstance(name, dict):
            raise ValueError("an author is not an object")
        if name.get("literal"):
            record.authors.append(person(str(name["literal"])))
        elif name.get("family") or name.get("given"):
            family = " ".join(str(p) for p in (name.get("non-dropping-particle"), name.get("family")) if p)
            record.authors.append(person(family, str(name.get("given", "")), str(name.get("suffix", ""))))
    record.title = _text(item.get("title"))
    container = _text(item.get("container-title"))
    if record.entry_type in ("incollection", "inproceedings") and container:
        record.extra["booktitle"] = container
    else:
        record.journal = container
    short = _text(item.get("container-title-short")) or _text(item.get("journalAbbreviation"))
    record.shortjournal = short if short and short != record.journal else None
    record.year, record.month = _issued(item.get("issued"))
    record.volume = _text(item.get("volume"))
    record.number = _text(item.get("issue"))
    record.pages = clean_pages(_text(item.get("page")))
    clean_doi(record, _text(item.get("DOI")))
    clean_pmid(record, _text(item.get("PMID")))
    clean_pmcid(record, _text(item.get("PMCID")))
    record.issn = _text(item.get("ISSN"))
    record.url = _text(item.get("URL"))
    record.language = _text(item.get("language"))
    abstract = item.get("abstract")
    record.abstract = str(abstract).strip() or None if abstract is not None else None
    keywords = item.get("keyword")
    if isinstance(keywords, list):
        record.keywords = [" ".join(str(k).split()) for k in keywords if str(k).strip()]
    elif keywords:
        record.keywords = [" ".join(k.split()) for k in str(keywords).replace(";", ",").split(",") if k.strip()]
    editors = [parse_name(f"{e.get('family', '')}, {e.get('given', '')}" if e.get("family") else str(e.get("literal", "")))
               for e in item.get("editor") or [] if isinstance(e, dict)]
    if any(editors):
        record.extra["editor"] = " and ".join(e.printed for e in editors if e)
    for name, value in item.items():
        if name in USED:
            continue
        if name in DROPPED:
            record.dropped.add(name)
        elif name in EXTRA and _text(value):
            record.extra[EXTRA[name]] = _text(value) or ""
        elif isinstance(value, str | int | float) and str(value).strip():
            record.extra[name.lower().replace("_", "-")] = " ".join(str(value).split())
        elif value not in (None, "", [], {}):
            record.dropped.add(name)
    return record


def _issued(value: Any) -> tuple[str | None, str | None]:
    """CSL's date: {"date-parts": [[2017, 6, 1]]}, or {"raw": "2017-06"}, or {"literal": "Summer 2017"}."""
    if not isinstance(value, dict):
        return year_of(_text(value)), None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        year = year_of(str(parts[0][0]))
        month = str(int(parts[0][1])) if len(parts[0]) > 1 and str(parts[0][1]).isdigit() and 1 <= int(parts[0][1]) <= 12 \
            else None
        return year, month
    return year_of(_text(value.get("raw")) or _text(value.get("literal"))), None
