"""Assemble references.bib, claims.ttl and the ontology into one graph in the embedded Oxigraph store.

Stages: parse the BibTeX (in a forked child for a large file, kg.ingest.parallel) while the parent loads the
ontology and claims.ttl (kg.ingest.claims_ttl: Oxigraph parses the Turtle, blank nodes get stable IRIs, ref:KEY becomes
the paper's IRI), add the bibliographic triples as N-Triples, derive the direct triples analysts query
(stances, citations, provenance: kg/query/rq/internal/build_derivations.ru), check referential integrity
(kg.ingest.integrity), and rate the certainty of the evidence on each claim into the graph (kg.ingest.appraise).
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.ingest.appraise import appraise
from kg.ingest.bibtex import BibRecord
from kg.ingest.claims_ttl import ClaimsFile, load_claims, name_blank_nodes, rewrite_refs
from kg.ingest.errors import InputError, Problem
from kg.ingest.import_log import log_ntriples, log_path, read_log
from kg.ingest.integrity import CLAIM_CHECKS, RECORD_CHECKS, concept_problems, integrity_problems, uncurated_problems
from kg.ingest.literals import literal_problems
from kg.ingest.parallel import BibJob
from kg.model import paths
from kg.model.namespace import PREFIXES
from kg.query.named import internal_query


@dataclass(frozen=True)
class DataSources:
    """The two curated input files."""

    bib: Path
    claims: Path

    @classmethod
    def resolve(cls, data_dir: Path | None = None, bib: Path | None = None, claims: Path | None = None) -> DataSources:
        """--bib/--claims win over --data DIR, which wins over the repository's data/."""
        base = Path(data_dir) if data_dir else paths.DEFAULT_DATA_DIR
        return cls(Path(bib) if bib else base / paths.BIB_NAME, Path(claims) if claims else base / paths.CLAIMS_NAME)

    @property
    def import_log(self) -> Path:
        """import-log.jsonl beside references.bib (kg import writes it; it may not exist)."""
        return log_path(self.bib)


@dataclass
class BuildResult:
    """The assembled store, the records it came from, and every problem found on the way.

    `records` may be given as a function: a large build leaves its records pickled until someone asks.
    """

    store: ox.Store
    records_source: list[BibRecord] | Callable[[], list[BibRecord]]
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def records(self) -> list[BibRecord]:
        if callable(self.records_source):
            self.records_source = self.records_source()
        return self.records_source

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


# The stages `assemble` reports to its progress callback, in order, with what each does.
STAGES = {
    "parse_bib": "parsing references.bib",
    "load_claims": "loading claims.ttl",
    "derive": "deriving stances and citations",
    "integrity": "checking references between records",
    "add_records": "adding the bibliographic records",
    "appraise": "rating the certainty of the evidence on each claim",
}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a build creates millions of objects that all survive it (the
    collector's full passes grow with the heap: ~20% of a 100k-paper parse)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def assemble(sources: DataSources, store: ox.Store | None = None, *, parallel: bool | None = None,
             progress: Callable[[str], None] | None = None, bulk: bool = False) -> BuildResult:
    """Build the graph; raise InputError for input that cannot be read, collect the rest as problems.

    parallel: parse the BibTeX in a forked child (None: only for a large file). progress: called with the
    name of each stage as it starts (the CLI shows it on long builds). bulk: load with Oxigraph's bulk
    loader, for a fresh on-disk store that is thrown away if the build fails (kg.store.persistent).
    """
    with _collector_paused():
        return _assemble(sources, store, parallel=parallel, progress=progress, bulk=bulk)


def _assemble(sources: DataSources, store: ox.Store | None, *, parallel: bool | None,
              progress: Callable[[str], None] | None, bulk: bool) -> BuildResult:
    timings: dict[str, float] = {}
    step = progress or (lambda _stage: None)
    started = time.perf_counter()
    step("parse_bib")
    bib = BibJob(sources.bib, parallel=parallel)
    try:
        store = store if store is not None else ox.Store()
        t0 = time.perf_counter()
        for path in paths.ontology_files():
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        timings["load_ontology"] = time.perf_counter() - t0

        step("load_claims")
        t0 = time.perf_counter()
        try:
            claims = ClaimsFile(sources.claims)
            load_claims(store, claims, bulk=bulk)
        except InputError as exc:
            raise InputError(_bib_problems(bib) + exc.problems) from None
        timings["load_claims"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        try:
            name_blank_nodes(store, claims)
        except InputError as exc:  # blank nodes nested too deep
            raise InputError(_bib_problems(bib) + exc.problems) from None
        timings["name_blank_nodes"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        keys, problems = bib.keys()
        timings["wait_bib"] = time.perf_counter() - t0
        problems = list(problems)
        t0 = time.perf_counter()
        problems += literal_problems(store, claims)
        timings["check_literals"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        problems += rewrite_refs(store, claims, keys)
        timings["rewrite_refs"] = time.perf_counter() - t0

        # Everything that needs only the claims runs now, while a forked parser may still be writing records.
        step("derive")
        t0 = time.perf_counter()
        store.update(internal_query("build_derivations").text, prefixes=PREFIXES)
        timings["derive"] = time.perf_counter() - t0
        step("integrity")
        t0 = time.perf_counter()
        problems += concept_problems(store, claims) + integrity_problems(store, claims, CLAIM_CHECKS)
        timings["integrity"] = time.perf_counter() - t0

        step("add_records")
        t0 = time.perf_counter()
        timings["wait_records"] = bib.load_into(store, bulk=bulk)
        timings["add_records"] = time.perf_counter() - t0 - timings["wait_records"]
        t0 = time.perf_counter()
        problems += integrity_problems(store, claims, RECORD_CHECKS)
        timings["integrity"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        problems += add_review_data(store, sources, keys)
        timings["screening"] = time.perf_counter() - t0
        # The certainty needs the whole graph (risk of bias, results, study names), so it comes last.
        step("appraise")
        t0 = time.perf_counter()
        appraise(store)
        timings["appraise"] = time.perf_counter() - t0
        bib.finish()  # the child's last message, so no process outlives the build
    finally:
        bib.close()
    timings.update(bib.timings)  # parse_bib and records_ntriples, measured where they ran
    timings["total"] = time.perf_counter() - started
    return BuildResult(store, bib.records, problems, timings)


def add_review_data(store: ox.Store, sources: DataSources, keys: dict[str, str]) -> list[Problem]:
    """The import log as PROV activities, each study's default screening status, and a warning for each
    included study that is not curated yet (nothing for one to screen or excluded)."""
    problems: list[Problem] = []
    try:
        runs = read_log(sources.import_log)
    except InputError as exc:
        runs, problems = [], exc.problems
    if runs:
        store.load(input=log_ntriples(runs, keys).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    store.update(internal_query("build_screening_defaults").text, prefixes=PREFIXES)
    return problems + uncurated_problems(store, sources.bib)


def _bib_problems(bib: BibJob) -> list[Problem]:
    """The BibTeX's own fatal problems, to report together with a broken claims file."""
    try:
        bib.keys()
    except InputError as exc:
        return exc.problems
    return []
