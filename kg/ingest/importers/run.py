"""One `kg import` run: read the files, deduplicate against the library and within the batch, and plan the
text to append to references.bib and the import log's lines. Nothing here writes; kg.cli.importer does, through
kg.ingest.files, with `plan` run on the file as it is under the lock.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bibtexparser.model import Entry

from kg.ingest.bibtex import ENTRY_TYPES, KNOWN_FIELDS, parse_bib
from kg.ingest.importers.dedupe import Index, known
from kg.ingest.importers.detect import READERS, detect
from kg.ingest.importers.keys import base_key, unique_key
from kg.ingest.importers.record import FileError, Record, Unreadable
from kg.ingest.importers.write import entries_text, entry

# Fields the graph build reads (besides the curated ones in KNOWN_FIELDS): anything else an import writes is kept
# in references.bib only, and named once in the report.
MAPPED = KNOWN_FIELDS | {"abstract", "keywords", "mesh", "language", "url", "issn", "pmcid", "pmid", "doi",
                         "screening", "screening-reason", "possible-duplicate-of", "duplicate-match", "duplicate-of",
                         "import-source", "import-format", "import-date"}


@dataclass
class Source:
    """One input file as read: its format, its records and what could not be read."""

    name: str  # as given on the command line
    format: str
    records: list[Record]
    unreadable: list[Unreadable]


@dataclass
class SourceReport:
    """What one file's import did; `log_entry` is its line in import-log.jsonl."""

    source: str
    format: str
    records: int
    added: list[str] = field(default_factory=list)
    duplicates: list[dict[str, object]] = field(default_factory=list)
    possible_duplicates: list[dict[str, object]] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    unmapped: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def log_entry(self, date: str) -> dict[str, object]:
        return {"date": date, "source": self.source, "format": self.format, "records": self.records,
                "added": self.added, "duplicates": self.duplicates, "possible_duplicates": self.possible_duplicates,
                "unreadable": [{"record": u.index, "line": u.line, "why": u.why} for u in self.unreadable]}

    def as_json(self, date: str) -> dict[str, object]:
        return {**self.log_entry(date), "unmapped_fields": sorted(self.unmapped), "dropped_fields": sorted(self.dropped),
                "notes": self.notes}


@dataclass
class Plan:
    """The run's outcome: the text to append to references.bib ('' when nothing is added) and the reports."""

    date: str
    reports: list[SourceReport]
    addition: str = ""

    @property
    def added(self) -> int:
        return sum(len(r.added) for r in self.reports)

    def log_text(self) -> str:
        """The run's lines for import-log.jsonl: one per file that held records."""
        return "".join(json.dumps(r.log_entry(self.date), ensure_ascii=False) + "\n" for r in self.reports if r.records)


def read_source(path: Path, name: str, data: bytes | None = None) -> Source:
    """A file's records (or those of `data`, text piped in); FileError when it cannot be read at all (nothing from
    it is imported)."""
    try:
        data = path.read_bytes() if data is None else data
    except FileNotFoundError:
        raise FileError(Unreadable(name, "file not found")) from None
    except IsADirectoryError:
        raise FileError(Unreadable(name, "is a directory, not a file")) from None
    except OSError as exc:
        raise FileError(Unreadable(name, f"cannot be read: {exc.strerror}")) from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise FileError(Unreadable(name, "holds a NUL byte: a binary file, not an export (re-export it as text)",
                                   line=line))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileError(Unreadable(name, f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); re-export it as UTF-8",
                                   line=line)) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise FileError(Unreadable(name, "is empty"))
    kind = detect(text, name)
    try:
        records, unreadable = READERS[kind](text, name)
    except RecursionError:
        raise FileError(Unreadable(name, f"nested too deeply to be read as {kind}")) from None
    if not records and not unreadable:
        raise FileError(Unreadable(name, f"holds no {kind} records"))
    kept: list[Record] = []
    for record in records:
        too_long = record.too_long()
        if too_long:
            unreadable.append(Unreadable(name, f"field '{too_long}' is over 1,000,000 characters (a citation, not a "
                                               "full text, belongs here)", record.index, record.line))
        else:
            kept.append(record)
    unreadable.sort(key=lambda u: (u.index or 0, u.line or 0))
    return Source(name, kind, kept, unreadable)


def library_index(bib_text: str, bib_path: Path) -> tuple[Index, set[str]]:
    """The library's records indexed for dedupe, and its keys (lower-case). InputError if it cannot be read."""
    index = Index()
    keys: set[str] = set()
    for record in parse_bib(bib_path, bib_text.removeprefix("\ufeff")):
        keys.add(record.key.lower())
        index.add(known(record.key, record.fields.get("title"), record.fields.get("year"),
                        record.authors[0].family if record.authors else None),
                  record.fields.get("doi"), record.fields.get("pmid"))
    return index, keys


def plan(sources: list[Source], bib_text: str, bib_path: Path, date: str) -> Plan:
    """Deduplicate every record against the library and the records before it in this run, and write the new ones.

    An exact duplicate (same DOI or PMID) is reported, not added. A probable duplicate (module dedupe) is added
    with `possible-duplicate-of` and `duplicate-match` for someone to decide; nothing is merged.
    """
    index, taken = library_index(bib_text, bib_path)
    entries: list[Entry] = []
    reports: list[SourceReport] = []
    for source in sources:
        report = SourceReport(source.name, source.format, len(source.records) + len(source.unreadable),
                              unreadable=list(source.unreadable))
        for record in source.records:
            exact = index.exact(record.doi, record.pmid)
            if exact:
                report.duplicates.append({"record": record.index, "title": record.title or "", "matched": exact.key,
                                          "by": exact.by})
                continue
            key = unique_key(base_key(record), taken)
            item = known(key, record.title, record.year, record.authors[0].family if record.authors else None)
            project = {"verification": "unverified", "screening": "to screen", "import-source": source.name,
                       "import-format": source.format, "import-date": date}
            fuzzy = index.fuzzy(item)
            if fuzzy:
                project["possible-duplicate-of"] = fuzzy.key
                project["duplicate-match"] = fuzzy.how
                report.possible_duplicates.append({"key": key, "matched": fuzzy.key, "score": fuzzy.score,
                                                   "how": fuzzy.how})
            index.add(item, record.doi, record.pmid)
            entries.append(entry(record, key, project))
            report.added.append(key)
            report.unmapped.update(f.key for f in entries[-1].fields if f.key not in MAPPED)
            report.dropped.update(record.dropped)
            report.notes.extend(f"{record.where()} ({key}): {note}" for note in record.notes)
            if record.entry_type not in ENTRY_TYPES:  # kept as what it is; the build says what it reads
                report.notes.append(f"{record.where()} ({key}): @{record.entry_type} is kept as such, but kg build reads "
                                    f"only {', '.join('@' + t for t in sorted(ENTRY_TYPES))} entries")
        reports.append(report)
    return Plan(date, reports, entries_text(entries))


def appended(old: str, addition: str) -> str:
    """`old` byte for byte, then a blank line and the new entries, in the file's own line endings."""
    if not addition:
        return old
    newline = "\r\n" if "\r\n" in old else "\n"
    prefix = old if not old or old.endswith(("\n", "\r")) else old + newline
    separator = newline if prefix.strip() else ""
    return prefix + separator + addition.replace("\n", newline)

