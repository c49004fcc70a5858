"""Validation: parse errors, referential integrity and SHACL shapes, as one readable report.

Every problem names the file, the line where it can be found, the record (BibTeX key or node), the
property at fault, what is wrong and how to fix it. SHACL is a stage of its own (it costs seconds at
10k papers), run by `kg validate` and CI, never on the app's start path.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from kg.ingest.bibtex import BibRecord
from kg.ingest.build import DataSources, assemble
from kg.ingest.claims_ttl import ClaimsFile
from kg.ingest.errors import InputError, Problem, display_path
from kg.ingest.literals import MESSAGE as LITERAL_MESSAGE
from kg.model import paths
from kg.model.namespace import HS, compact
from kg.quality import shacl

if TYPE_CHECKING:
    import pandas as pd

PROBLEM_COLUMNS = ["severity", "file", "line", "record", "property", "problem", "fix"]


@dataclass
class ValidationReport:
    """All problems found, plus stage timings."""

    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    triples: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        lines = [str(p) for p in sorted(self.problems, key=_order)]
        n_err, n_warn = len(self.errors), len(self.problems) - len(self.errors)
        verdict = "OK" if self.ok else "FAILED"
        lines.append(f"{verdict}: {n_err} error(s), {n_warn} warning(s) in {self.triples} triples")
        return "\n".join(lines)


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table, one row each (the Data quality page shows it)."""
    import pandas as pd

    return pd.DataFrame([{"severity": p.severity, "file": p.source, "line": p.line, "record": p.record,
                          "property": p.prop, "problem": p.message, "fix": p.fix} for p in problems],
                        columns=PROBLEM_COLUMNS)


def _order(p: Problem) -> tuple[int, str, int, str]:
    return (0 if p.severity == "error" else 1, p.source, p.line or 0, p.message)


def validate(sources: DataSources, shacl: bool = True) -> ValidationReport:
    """Run every check on the given files and return the report (never raises for bad data)."""
    report = ValidationReport()
    try:
        result = assemble(sources)
    except InputError as exc:
        report.problems = exc.problems
        return report
    report.problems = list(result.problems)
    report.timings.update(result.timings)
    report.triples = len(result.store)
    if shacl and not any(p.message.startswith(LITERAL_MESSAGE) for p in report.problems):
        # rdflib cannot turn an ill-typed literal into a value: SHACL would only add its traceback.
        t0 = time.perf_counter()
        report.problems += shacl_stage(result.store, sources, result.records, report.timings)
        report.timings["shacl"] = time.perf_counter() - t0
    return report


def shapes_graph() -> rdflib.Graph:
    """All SHACL shapes shipped in kg/shapes/."""
    graph = rdflib.Graph()
    for path in paths.shape_files():
        graph.parse(path, format="turtle")
    return graph


def shacl_stage(store: ox.Store, sources: DataSources, records: list[BibRecord],
                timings: dict[str, float] | None = None, workers: int | None = None) -> list[Problem]:
    """The SHACL stage over a built store (kg.quality.shacl: partial rdflib copies, pySHACL split over processes)."""
    return shacl.validate(store, shapes_graph(), functools.partial(_located, sources=sources, records=records),
                          workers=workers, timings=timings)


def _located(results: rdflib.Graph, data: rdflib.Graph, *, sources: DataSources, records: list[BibRecord]) -> list[Problem]:
    """Each validation result as a Problem located in references.bib or the claims file."""
    if next(results.subjects(rdflib.RDF.type, SH.ValidationResult), None) is None:
        return []
    by_iri = {r.iri: r for r in records}
    loader = ClaimsFile(sources.claims)
    problems = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = str(results.value(result, SH.resultMessage) or "does not conform")
        severity = "warning" if results.value(result, SH.resultSeverity) == SH.Warning else "error"
        prop = _path_text(results, path)
        record = by_iri.get(str(focus))
        if record is not None:
            problems.append(Problem(record.path, message, line=record.line, record=record.key, prop=prop,
                                    severity=severity, fix=_fix_for_record(message)))
            continue
        name = compact(str(focus))
        key = data.value(focus, HS.bibKey) if isinstance(focus, rdflib.URIRef) else None
        line = loader.line_of(name) if name != str(focus) else None
        problems.append(Problem(display_path(sources.claims), message, line=line, record=str(key or name),
                                prop=prop, severity=severity, fix="edit this record in the claims file"))
    return problems


def _path_text(results: rdflib.Graph, path: object) -> str | None:
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return _curie(path)
    inverse = results.value(path, SH.inversePath)  # type: ignore[call-overload]
    if isinstance(inverse, rdflib.URIRef):
        return "^" + _curie(inverse)
    return "(complex path)"


def _curie(iri: rdflib.URIRef) -> str:
    """foaf:name for an IRI in a project namespace, else <IRI>."""
    name = compact(str(iri))
    return name if name != str(iri) else f"<{iri}>"


def _fix_for_record(message: str) -> str:
    if "DOI" in message:
        return "correct the doi field in references.bib, or remove it if it is not verified"
    if "risk-of-bias" in message:
        return "add its risk-of-bias assessment to the claims file (section 8: hs:assessesStudy ref:KEY)"
    if "claim" in message or "evidence" in message:
        return "add an evidence line for this study in the claims file"
    return "edit this entry in references.bib"
