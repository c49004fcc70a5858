"""PubMed's MEDLINE text format (PubMed's "Save" as PubMed format, .nbib / .txt): `PMID- `, `TI  - ` …

Each record starts at a `PMID- ` line; a tag is four characters padded with spaces, then `- `; a value goes on
on lines that start with six spaces. DOIs come from `LID`/`AID` values marked `[doi]`, never from anything else.
"""
from __future__ import annotations

import re

from kg.ingest.importers.names import parse_name
from kg.ingest.importers.record import Record, Unreadable, clean_doi, clean_pages, clean_pmcid, clean_pmid, person, year_of

TAG = re.compile(r"^([A-Z][A-Z0-9 ]{1,3})- ?(.*)$")
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}
USED = {"PMID", "TI", "BTI", "AB", "FAU", "AU", "CN", "MH", "OT", "LID", "AID", "PMC", "IS", "LA", "DP", "VI", "IP",
        "PG", "JT", "TA", "PT", "DEP", "PL", "TT", "VTI", "ED", "FED", "PB", "CTI", "ISBN"}
# Any other tag (bookkeeping, affiliations, grants, statements, investigators) is not kept, and is named.


def read(text: str, source: str) -> tuple[list[Record], list[Unreadable]]:
    records: list[Record] = []
    unreadable: list[Unreadable] = []
    current: list[tuple[str, str, int]] = []
    index = 0
    start = 0

    def close() -> None:
        if current:
            _one(current, source, index, start, records, unreadable)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line:
            continue
        if line.startswith("      ") and current:  # a value goes on
            tag, value, at = current[-1]
            current[-1] = (tag, f"{value} {line.strip()}", at)
            continue
        match = TAG.match(line)
        if not match:
            if not current:
                index += 1
                start = number
                current = [("?", line, number)]
            else:
                current.append(("?", line, number))
            continue
        tag = match.group(1).strip()
        if tag == "PMID" and current:
            close()
            current = []
        if not current:
            index += 1
            start = number
        current.append((tag, match.group(2).strip(), number))
    close()
    return records, unreadable


def _one(lines: list[tuple[str, str, int]], source: str, index: int, start: int, records: list[Record],
         unreadable: list[Unreadable]) -> None:
    bad = next(((value, at) for tag, value, at in lines if tag == "?"), None)
    if bad:
        unreadable.append(Unreadable(source, f"'{bad[0][:40]}' is not a MEDLINE line (a tag padded to four characters, "
                                             "'- ', the value: 'TI  - ...')", index, bad[1]))
        return
    if lines[0][0] != "PMID":
        unreadable.append(Unreadable(source, "record does not start with a 'PMID- ' line", index, start))
        return
    values: dict[str, list[str]] = {}
    for tag, value, _ in lines:
        values.setdefault(tag, []).append(value)

    def one(tag: str) -> str | None:
        found = values.get(tag)
        return " ".join(found[0].split()) if found and found[0].strip() else None

    record = Record(source, "medline", index, start)
    clean_pmid(record, one("PMID"))
    record.title = one("TI") or one("BTI")
    if not record.title:
        unreadable.append(Unreadable(source, f"record (PMID {one('PMID')}) has no title (TI)", index, start))
        return
    if one("BTI") and not one("TI"):
        record.entry_type = "book"
    # FAU has the full names; AU the initials. Either, in order; a group author (CN) keeps its place at the end.
    people = values.get("FAU") or values.get("AU") or []
    record.authors = [n for n in (parse_name(p) for p in people) if n]
    record.authors += [person(group) for group in values.get("CN", [])]
    record.abstract = one("AB")
    record.mesh = [" ".join(m.split()) for m in values.get("MH", [])]
    record.keywords = [" ".join(k.split()) for k in values.get("OT", [])]
    for value in values.get("LID", []) + values.get("AID", []):
        if value.endswith("[doi]") and not record.doi:
            clean_doi(record, value.removesuffix("[doi]"))
    clean_pmcid(record, one("PMC"))
    issn = one("IS")
    record.issn = issn.split()[0] if issn else None
    record.language = one("LA")
    date = one("DP")
    record.year = year_of(date)
    month = re.match(r"^\d{4}\s+([A-Za-z]{3})", date or "")
    record.month = str(MONTHS[month.group(1).lower()]) if month and month.group(1).lower() in MONTHS else None
    record.volume = one("VI")
    record.number = one("IP")
    record.pages = clean_pages(one("PG"))
    record.journal = one("JT")
    record.shortjournal = one("TA")
    if values.get("PT"):
        record.extra["pubtype"] = "; ".join(values["PT"])
    dep = one("DEP")
    if dep and re.fullmatch(r"\d{8}", dep):
        record.extra["onlinedate"] = f"{dep[:4]}-{dep[4:6]}-{dep[6:]}"
    for tag, name in (("PL", "location"), ("TT", "titleaddon"), ("VTI", "volumetitle"), ("PB", "publisher"),
                      ("CTI", "collectiontitle"), ("ISBN", "isbn")):
        if one(tag):
            record.extra[name] = "; ".join(values[tag])
    editors = values.get("FED") or values.get("ED")
    if editors:
        record.extra["editor"] = " and ".join(editors)
    for tag in values:
        if tag not in USED:
            record.dropped.add(tag)
    records.append(record)
