"""import-log.jsonl (beside references.bib): one JSON object per `kg import` run, read into the graph as
PROV activities (hs:ImportRun) with their counts, so the PRISMA flow diagram can count from the graph.

    {"date": "2026-12-01", "source": "search.ris", "format": "ris", "records": 120, "added": ["key", ...],
     "duplicates": [{"record": 3, "title": "...", "matched": "key", "by": "doi"}],
     "possible_duplicates": [{"key": "newkey", "matched": "key", "score": 93.1}],
     "unreadable": [{"record": 7, "line": 40, "why": "..."}]}

Run n (the n-th line) is `import:n`; each key it added that references.bib still has is linked with
hs:importedIn. A line that is not such an object is an error naming the file and line.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib.namespace import PROV

from kg.ingest.bibtex import ISO_DATE
from kg.ingest.errors import InputError, Problem, display_path
from kg.model.namespace import HS, IMPORT

LOG_NAME = "import-log.jsonl"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
DCT_DATE = "<http://purl.org/dc/terms/date>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class ImportRun:
    """One line of the import log."""

    number: int  # the line, from 1: the run's IRI is import:<number>
    date: str
    source: str
    format: str
    records: int
    added: list[str] = field(default_factory=list)
    duplicates: int = 0
    possible_duplicates: int = 0
    unreadable: int = 0

    @property
    def iri(self) -> str:
        return f"{IMPORT}{self.number}"


def log_path(bib: Path) -> Path:
    """Where the import log of a references.bib lives: beside it."""
    return Path(bib).parent / LOG_NAME


def read_log(path: Path) -> list[ImportRun]:
    """The runs in the log (none when there is no log); InputError naming the line for a malformed one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as exc:
        raise InputError([Problem(display_path(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    runs, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            runs.append(_run(number, json.loads(line)))
        except (ValueError, TypeError, KeyError) as exc:
            why = f"missing '{exc.args[0]}'" if isinstance(exc, KeyError) else str(exc)
            problems.append(Problem(display_path(path), f"not an import record: {why}", line=number,
                                    fix="each line is one JSON object as `kg import` writes it; remove or repair it"))
    if problems:
        raise InputError(problems)
    return runs


def _run(number: int, data: Any) -> ImportRun:
    if not isinstance(data, dict):
        raise ValueError("the line is not a JSON object")
    date = str(data["date"])
    if not ISO_DATE.match(date):
        raise ValueError(f"date '{date}' is not YYYY-MM-DD")
    records = data["records"]
    if not isinstance(records, int) or isinstance(records, bool) or records < 0:
        raise ValueError(f"records '{records}' is not a count")
    lists = {name: data.get(name) or [] for name in ("added", "duplicates", "possible_duplicates", "unreadable")}
    for name, value in lists.items():
        if not isinstance(value, list):
            raise ValueError(f"'{name}' is not a list")
    return ImportRun(number, date, str(data["source"]), str(data.get("format", "")), records,
                     [str(k) for k in lists["added"]], len(lists["duplicates"]), len(lists["possible_duplicates"]),
                     len(lists["unreadable"]))


def _lit(value: str, datatype: str | None = None) -> str:
    text = '"' + value.translate(_NT_ESCAPES) + '"'
    return f"{text}^^<{XSD}{datatype}>" if datatype else text


def write_log_ntriples(runs: list[ImportRun], iris: Mapping[str, str], add: Callable[[str], object]) -> None:
    """The runs as N-Triples: a prov:Activity each with its source, format, date and counts; the records it
    added (those still in references.bib, by `iris`: key -> paper IRI) hs:importedIn it."""
    for run in runs:
        s = f"<{run.iri}>"
        add(f"{s} {RDF_TYPE} <{HS.ImportRun}> .\n{s} {RDF_TYPE} <{PROV.Activity}> .\n"
            f"{s} {RDFS_LABEL} {_lit(f'import of {run.source} on {run.date}')} .\n"
            f"{s} <{HS.importSource}> {_lit(run.source)} .\n{s} {DCT_DATE} {_lit(run.date, 'date')} .\n")
        if run.format:
            add(f"{s} <{HS.importFormat}> {_lit(run.format)} .\n")
        for prop, count in ((HS.recordsRead, run.records), (HS.recordsAdded, len(run.added)),
                            (HS.duplicatesRemoved, run.duplicates), (HS.possibleDuplicates, run.possible_duplicates),
                            (HS.recordsUnreadable, run.unreadable)):
            add(f"{s} <{prop}> {_lit(str(count), 'integer')} .\n")
        for key in run.added:
            paper = iris.get(key)
            if paper is not None:
                add(f"<{paper}> <{HS.importedIn}> {s} .\n")


def log_ntriples(runs: list[ImportRun], iris: Mapping[str, str]) -> str:
    out: list[str] = []
    write_log_ntriples(runs, iris, out.append)
    return "".join(out)
