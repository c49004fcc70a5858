"""A pasted reference list in Vancouver/NLM or AMA style, one reference per numbered item or per line:

    1. Devin CJ, McCullough KA, Morris BJ, Yates AJ, Kang JD. Hip-spine syndrome. J Am Acad Orthop Surg.
       2012 Jul;20(7):434-42. doi:10.5435/JAAOS-20-07-434

Read as: authors (up to the first '. ' after a name's initials, or 'et al.'), then title and journal (the
sentences before the date; the journal is the last of them), then `year[ month[ day]][;volume][(issue)][:pages]`.
A DOI, PMID or PMCID is taken only where the reference labels it ('doi:', 'https://doi.org/', 'PMID:',
'PMCID:'); a field that cannot be read is left out, never guessed.
"""
from __future__ import annotations

import re

from kg.ingest.importers.record import Record, Unreadable, clean_doi, clean_pages, clean_pmcid, clean_pmid, initials_given, person

# '1 ', '1. ', '1) ', '[1] ', '(1) ' at the start of a line begins a reference.
NUMBER = re.compile(r"^\s*(?:\[(\d{1,4})\]|\((\d{1,4})\)|(\d{1,4})[.)]?)\s+(?=\S)")
HEADING = re.compile(r"^\s*(references?|bibliography|works cited|literature cited|sources)\s*:?\s*$", re.IGNORECASE)
# Links that reference lists on the web append: [Google Scholar], [PubMed], [CrossRef], [PMC free article] ...
LINKS = re.compile(r"\s*\[(?:Google Scholar|PubMed|CrossRef|Crossref|PMC free article|Ref list|Free full text|"
                   r"Full text|Web of Science|Scopus|Medline|Abstract)\]", re.IGNORECASE)
DOI = re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/\S+)", re.IGNORECASE)
PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
PMCID = re.compile(r"\bPMCID:?\s*(PMC\d+)\b")
PUBLISHED = re.compile(r"\s*(?:Published|Epub|Accessed)(?: online| ahead of print)?\s*:?\s*[^.]*\.", re.IGNORECASE)
URL = re.compile(r"https?://\S+")
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
SEASON = r"(?:Spring|Summer|Fall|Autumn|Winter)"
# '. 2012 Jul 1;20(7):434-42.' / '. 2017 May 31.' / '. 2020 Oct 26:1-8.' / '. 2020;32(2):173-91.' / '. 2017:1-7.'
SOURCE = re.compile(
    r"(?:^|[.?!]\s+)(?P<year>(?:1[89]|20)\d\d)[a-z]?"
    rf"(?:\s+(?:{MONTH}|{SEASON})(?:\s*[-–/]\s*{MONTH})?(?:\s+\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?)?)?"
    r"(?P<rest>\s*(?:;|:|\.|,|$).*)$")
PAGES = r"[A-Za-z]?\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]?\d+[A-Za-z]?)?(?:\.e\d+)?"
# ';20(7):434-42' / ';99-B(6):759-65' / ';31(9 Suppl):227-232.e1' / ';20 Suppl 5:686-698' / ';(419):280-284'
VOLUME = re.compile(r"^\s*;\s*(?P<volume>[A-Za-z0-9-]+)?(?:\s+(?P<supplement>Suppl\.?\s*\d*))?\s*"
                    rf"(?:\((?P<issue>[^)]{{1,20}})\))?\s*(?::\s*(?P<pages>{PAGES}))?")
NOVOLUME = re.compile(rf"^\s*:\s*(?P<pages>{PAGES})")
# One Vancouver author: 'Devin CJ', 'Van Dillen L', 'Gómez-Hoyos J', 'Smith JA Jr', 'Smith JA 3rd'.
AUTHOR = re.compile(r"^(?P<family>[^\W\d_][\w'’\-]*(?:\s+[\w'’\-]+)*?)\s+(?P<initials>[A-Z]{1,4})"
                    r"(?:\s+(?P<suffix>Jr|Sr|II|III|IV|2nd|3rd))?$")
AUTHORS_END = re.compile(r"(?:\b[A-Z]{1,4}(?:\s+(?:Jr|Sr|II|III|IV|2nd|3rd))?|\bet al|\bCollaborators|\bGroup)\.\s+")


def split_references(text: str) -> list[tuple[int, str]]:
    """The references of a list with the line each starts on: numbered items (wrapped lines joined), or one per
    non-empty line when the list is not numbered."""
    lines = text.splitlines()
    numbered = sum(1 for line in lines if NUMBER.match(line)) >= max(1, len([ln for ln in lines if ln.strip()]) // 3)
    found: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or HEADING.match(line):
            if not numbered and found and found[-1][1]:
                found.append((0, ""))  # a blank line ends an unnumbered reference
            continue
        if not numbered:
            if found and found[-1][0] and not _complete(found[-1][1]):
                found[-1] = (found[-1][0], f"{found[-1][1]} {line.strip()}")
            else:
                found.append((number, line.strip()))
            continue
        match = NUMBER.match(line)
        if match:
            found.append((number, line[match.end():].strip()))
        elif found:
            found[-1] = (found[-1][0], f"{found[-1][1]} {line.strip()}")
        else:
            found.append((number, line.strip()))
    return [(line, text) for line, text in found if line and text]


def _complete(text: str) -> bool:
    """An unnumbered reference is complete once it has its date and source part."""
    return bool(SOURCE.search(_clean(text)[0]))


def read(text: str, source: str) -> tuple[list[Record], list[Unreadable]]:
    records: list[Record] = []
    unreadable: list[Unreadable] = []
    for index, (line, reference) in enumerate(split_references(text), start=1):
        record = parse_reference(reference, source, index, line)
        if isinstance(record, str):
            unreadable.append(Unreadable(source, f"reference '{reference[:50]}…' cannot be read: {record}", index, line))
        else:
            records.append(record)
    return records, unreadable


def _clean(reference: str) -> tuple[str, dict[str, str]]:
    """The reference without its links and labelled identifiers, and the identifiers found."""
    ids: dict[str, str] = {}
    text = LINKS.sub("", reference)
    for name, pattern in (("doi", DOI), ("pmid", PMID), ("pmcid", PMCID)):
        match = pattern.search(text)
        if match:
            ids[name] = match.group(1).rstrip(".,;")
            text = text[: match.start()] + text[match.end():]
    text = re.sub(r"\s*(?:Available (?:at|from):?\s*)?" + URL.pattern, "", text)
    text = PUBLISHED.sub("", text)
    return " ".join(text.split()).strip().rstrip(".").strip() + ".", ids


def parse_reference(reference: str, source: str, index: int, line: int) -> Record | str:
    """One reference as a Record, or the reason it cannot be read."""
    text, ids = _clean(reference)
    record = Record(source, "reference-list", index, line)
    end = AUTHORS_END.search(text)
    if not end:
        return "no author list ending in initials and a full stop ('Devin CJ, Kang JD.')"
    authors_text, rest = text[: end.end()].strip().rstrip("."), text[end.end():]
    for part in re.split(r",\s*", authors_text):
        part = part.strip()
        if not part or part.lower() == "et al":
            continue
        match = AUTHOR.match(part)
        if match:
            record.authors.append(person(match["family"], initials_given(match["initials"]), match["suffix"] or ""))
        elif part.lower().endswith(("collaborators", "group")) or len(part.split()) > 3:
            record.authors.append(person(part))  # a group author
        else:
            return f"'{part}' is not an author as Vancouver writes one (family name and initials)"
    source_part = SOURCE.search(rest)
    if not source_part:
        return "no publication year after the title and journal"
    middle = rest[: source_part.start()].strip()
    if source_part.group(0)[:1] in ".?!":
        middle += source_part.group(0)[0]
    sentences = [s for s in re.split(r"(?<=[.?!])\s+(?=\S)", middle) if s]
    # The journal is the last sentence that ends in a full stop; what comes before it is the title.
    if len(sentences) < 2:
        return "title and journal cannot be told apart (one sentence before the year)"
    record.journal = sentences[-1].rstrip(".").strip()
    title = " ".join(sentences[:-1]).strip()
    record.title = title[:-1] if title.endswith(".") else title
    record.title = record.title.rstrip().removesuffix("?.") or record.title
    if title.endswith("?.") or title.endswith("?"):
        record.title = title.rstrip(".")
    record.year = source_part.group("year")
    tail = source_part.group("rest")
    volume = VOLUME.match(tail)
    if volume:
        record.volume = volume.group("volume")
        record.number = volume.group("issue") or (" ".join(volume.group("supplement").split())
                                                  if volume.group("supplement") else None)
        record.pages = clean_pages(volume.group("pages"))
    else:
        pages = NOVOLUME.match(tail)
        if pages:
            record.pages = clean_pages(pages.group("pages"))
    clean_doi(record, ids.get("doi"))
    clean_pmid(record, ids.get("pmid"))
    clean_pmcid(record, ids.get("pmcid"))
    if not record.title or not record.journal:
        return "no title or no journal"
    return record
