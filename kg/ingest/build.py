"""Assemble references.bib, claims.ttl and the ontology into one graph in the embedded Oxigraph store.

Stages: parse the BibTeX (in a forked child for a large file, kg.ingest.parallel) while the parent loads the
ontology and claims.ttl (kg.ingest.claims_ttl: Oxigraph parses the Turtle, blank nodes get stable IRIs, ref:KEY becomes
the paper's IRI), add the bibliographic triples as N-Triples, derive the direct triples analysts query
(stances, citations, provenance), and check referential integrity.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import SKOS

from kg.ingest.bibtex import BibRecord
from kg.ingest.claims_ttl import ClaimsFile, load_claims, name_blank_nodes, rewrite_refs
from kg.ingest.errors import InputError, Problem
from kg.ingest.parallel import BibJob
from kg.model import paths
from kg.model.namespace import CONCEPT, PREFIXES

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


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


# Direct triples the build writes from the richer records, so simple SPARQL works with standard terms.
DERIVATIONS = """
PREFIX hs: <https://w3id.org/hipspine/vocab#>
PREFIX mp: <http://purl.org/mp/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT { ?study mp:supports ?claim } WHERE { ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Supporting } ;
INSERT { ?study mp:challenges ?claim } WHERE { ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Contradicting } ;
INSERT { ?study hs:qualifies ?claim } WHERE { ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance hs:Qualifying } ;
INSERT { ?source cito:citesAsEvidence ?study } WHERE {
  ?c cito:hasCitingEntity ?source ; cito:hasCitedEntity ?study ; cito:hasCitationCharacterization cito:citesAsEvidence } ;
INSERT { ?x prov:wasDerivedFrom ?study } WHERE { ?x hs:evidenceFrom|hs:resultOf ?study }
"""


# The stages `assemble` reports to its progress callback, in order, with what each does.
STAGES = {
    "parse_bib": "parsing references.bib",
    "load_claims": "loading claims.ttl",
    "derive": "deriving stances and citations",
    "integrity": "checking references between records",
    "add_records": "adding the bibliographic records",
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
        name_blank_nodes(store, claims)
        timings["name_blank_nodes"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        keys, problems = bib.keys()
        timings["wait_bib"] = time.perf_counter() - t0
        problems = list(problems)
        t0 = time.perf_counter()
        problems += rewrite_refs(store, claims, keys)
        timings["rewrite_refs"] = time.perf_counter() - t0

        # Everything that needs only the claims runs now, while a forked parser may still be writing records.
        step("derive")
        t0 = time.perf_counter()
        store.update(DERIVATIONS)
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
        bib.finish()  # the child's last message, so no process outlives the build
    finally:
        bib.close()
    timings.update(bib.timings)  # parse_bib and records_ntriples, measured where they ran
    timings["total"] = time.perf_counter() - started
    return BuildResult(store, bib.records, problems, timings)


def _bib_problems(bib: BibJob) -> list[Problem]:
    """The BibTeX's own fatal problems, to report together with a broken claims file."""
    try:
        bib.keys()
    except InputError as exc:
        return exc.problems
    return []


CONCEPT_MESSAGE = "concept is used but not defined"
CONCEPT_FIX = "define it as a skos:Concept in kg/ontology/concepts.ttl (or in your claims file), or fix the name"

# (query selecting ?node, message, fix). The first group needs only the claims and ontology; the second
# needs the bibliographic records, so the build runs it after they are loaded.
CLAIM_CHECKS: list[tuple[str, str, str]] = [
    (
        """SELECT DISTINCT ?node WHERE { ?e hs:evidenceFor ?node FILTER NOT EXISTS { ?node a mp:Claim } }""",
        "evidence points at a claim that is not defined",
        "declare the claim (a mp:Claim with mp:statement) or fix its name",
    ),
    (
        """SELECT DISTINCT ?node WHERE { ?e hs:hasResult ?node FILTER NOT EXISTS { ?node a hs:MeasuredResult } }""",
        "evidence points at a measured result that is not defined",
        "declare the result (a hs:MeasuredResult with qudt:value) or fix its name",
    ),
    (
        """SELECT DISTINCT ?node WHERE { ?e hs:pico ?node FILTER NOT EXISTS { ?node a pico:PICO } }""",
        "evidence points at a PICO frame that is not defined",
        "declare the frame (a pico:PICO) or fix its name",
    ),
    (
        """SELECT DISTINCT ?node WHERE { ?d hs:inCharacterisation ?node FILTER NOT EXISTS { ?node a hs:Characterisation } }""",
        "discrepancy points at a characterisation that is not defined",
        "declare the hs:Characterisation or fix its name",
    ),
]
RECORD_CHECKS: list[tuple[str, str, str]] = [
    (
        """SELECT DISTINCT ?node WHERE { { ?x hs:evidenceFrom|hs:resultOf|hs:aboutStudy|cito:hasCitedEntity ?node }
             FILTER NOT EXISTS { ?node hs:bibKey ?k } FILTER(!STRSTARTS(STR(?node), STR(ref:))) }""",
        "points at a study that references.bib does not define",
        "refer to studies as ref:KEY with a key from references.bib",
    ),
    (
        """SELECT DISTINCT ?node WHERE { { ?x hs:assertedBy|cito:hasCitingEntity ?node }
             FILTER NOT EXISTS { ?node a hs:SourceArticle } FILTER(!STRSTARTS(STR(?node), STR(ref:))) }""",
        "source is not a source article in references.bib",
        "add the source as an @online entry in references.bib and refer to it as ref:KEY",
    ),
]
_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def concept_problems(store: ox.Store, claims: ClaimsFile) -> list[Problem]:
    """Concepts the claims use (as objects) that no skos:Concept or scheme defines.

    The candidates come from the text (kg.ingest.claims_ttl.local_names) and are looked up by index: a SPARQL scan
    over every object in the graph costs ~0.4 s at 10k papers.
    """
    problems = []
    kinds = {ox.NamedNode(str(SKOS.Concept)), ox.NamedNode(str(SKOS.ConceptScheme))}
    for local in sorted(claims.local_names(str(CONCEPT))):
        node = ox.NamedNode(str(CONCEPT) + local)
        if next(store.quads_for_pattern(None, None, node), None) is None:
            continue  # not used as an object (or only mentioned in a string)
        if any(q.object in kinds for q in store.quads_for_pattern(node, RDF_TYPE, None)):
            continue
        short = f"c:{local}"
        problems.append(Problem(claims.shown, CONCEPT_MESSAGE, line=claims.line_of(short), record=short, fix=CONCEPT_FIX))
    return problems


def integrity_problems(store: ox.Store, claims: ClaimsFile,
                       checks: list[tuple[str, str, str]] | None = None) -> list[Problem]:
    """Referential integrity over the assembled graph: everything that is pointed at exists."""
    problems = []
    for query, message, fix in checks if checks is not None else CLAIM_CHECKS + RECORD_CHECKS:
        for row in store.query(_PREFIXES + query):  # type: ignore[union-attr]
            node = row["node"].value
            short = _short(node)
            problems.append(Problem(claims.shown, message, line=claims.line_of(short) if short != node else None,
                                    record=short, fix=fix))
    return problems


def _short(iri: str) -> str:
    """A prefixed name for messages (c:foo, claim:bar), or the IRI itself."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, f"{prefix}:{iri[len(ns):]}"
    return name if best else iri

