"""Assemble references.bib, claims.ttl and the ontology into one graph in the embedded Oxigraph store.

Stages: parse the BibTeX, load the ontology, stream claims.ttl (rewriting ref:KEY to the paper's IRI and
naming blank nodes deterministically), add the bibliographic triples, derive the direct triples analysts
query (stances, citations, provenance), and check referential integrity.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import paths
from kg.bib import BibRecord, check_records, parse_bib, record_triples
from kg.errors import InputError, Problem, display_path
from kg.namespace import BASE, PREFIXES, REF

NODE_BASE = BASE + "id/node/"  # blank nodes that hang off no named parent


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
    """The assembled store, the records it came from, and every problem found on the way."""

    store: ox.Store
    records: list[BibRecord]
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

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


def assemble(sources: DataSources, store: ox.Store | None = None) -> BuildResult:
    """Build the graph; raise InputError for input that cannot be read, collect the rest as problems."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    records = parse_bib(sources.bib)
    problems = check_records(records)
    timings["parse_bib"] = time.perf_counter() - t0

    store = store if store is not None else ox.Store()
    t0 = time.perf_counter()
    for path in paths.ontology_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    timings["load_ontology"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    keys = {r.key: r.iri for r in records}
    claims = ClaimsLoader(sources.claims, keys)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in claims.triples())
    problems += claims.problems
    timings["load_claims"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in record_triples(records))
    timings["add_records"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    store.update(DERIVATIONS)
    timings["derive"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    problems += integrity_problems(store, sources.claims)
    timings["integrity"] = time.perf_counter() - t0
    return BuildResult(store, records, problems, timings)


class ClaimsLoader:
    """Streams claims.ttl into triples: ref:KEY becomes the paper's IRI, blank nodes get stable IRIs.

    Blank nodes (PICO populations, arms, outcome groups) are named after the node that holds them,
    e.g. <…/pico/eneqvist2017/population>, so every build writes the same IRIs and the same bytes.
    """

    def __init__(self, path: Path, keys: dict[str, str]):
        self.path = path
        self.shown = display_path(path)
        self.keys = keys
        self.problems: list[Problem] = []
        self._unknown: set[str] = set()
        self._text: str | None = None

    def _read(self) -> str:
        if self._text is None:
            try:
                self._text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise InputError([Problem(self.shown, "file not found", fix="pass --claims PATH or --data DIR")]) from None
            except UnicodeDecodeError as exc:
                raise InputError([Problem(self.shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
        return self._text

    def triples(self) -> Iterator[ox.Triple]:
        text = self._read()
        try:
            parsed = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=BASE))
        except SyntaxError as exc:
            line = exc.args[1][1] if len(exc.args) > 1 and exc.args[1] else None
            fix = "fix the Turtle at that line (a missing '.', ';' or quote is the usual cause)"
            raise InputError([Problem(self.shown, f"Turtle syntax error: {exc.args[0]}", line=line, fix=fix)]) from None
        held: list[ox.Triple] = []
        for quad in parsed:
            t = ox.Triple(quad.subject, quad.predicate, quad.object)
            if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
                held.append(t)
            else:
                yield self._resolve(t)
        names = self._name_blank_nodes(held)
        for t in held:
            s = ox.NamedNode(names[t.subject.value]) if isinstance(t.subject, ox.BlankNode) else t.subject
            o = ox.NamedNode(names[t.object.value]) if isinstance(t.object, ox.BlankNode) else t.object
            yield self._resolve(ox.Triple(s, t.predicate, o))
        for key in sorted(self._unknown):
            self.problems.append(
                Problem(self.shown, f"unknown BibTeX key '{key}' (ref:{key}): references.bib has no such entry",
                        line=self.line_of(f"ref:{key}") or self.line_of(str(REF) + key), record=key,
                        fix="add the study to references.bib, or correct the key")
            )

    def _resolve(self, t: ox.Triple) -> ox.Triple:
        s, o = t.subject, t.object
        if isinstance(s, ox.NamedNode) and s.value.startswith(str(REF)):
            s = self._ref(s)
        if isinstance(o, ox.NamedNode) and o.value.startswith(str(REF)):
            o = self._ref(o)
        return ox.Triple(s, t.predicate, o) if (s is not t.subject or o is not t.object) else t

    def _ref(self, node: ox.NamedNode) -> ox.NamedNode:
        key = node.value[len(str(REF)):]
        iri = self.keys.get(key)
        if iri is None:
            self._unknown.add(key)
            return node
        return ox.NamedNode(iri)

    @staticmethod
    def _name_blank_nodes(held: list[ox.Triple]) -> dict[str, str]:
        parent: dict[str, tuple[object, str]] = {}
        for t in held:
            if isinstance(t.object, ox.BlankNode) and t.object.value not in parent:
                parent[t.object.value] = (t.subject, re.split(r"[/#]", t.predicate.value)[-1])
        names: dict[str, str] = {}
        used: set[str] = set()

        def name(bnode: str) -> str:
            if bnode in names:
                return names[bnode]
            holder = parent.get(bnode)
            if holder is None:
                content = "|".join(sorted(f"{t.predicate.value} {t.object}" for t in held if str(t.subject) == f"_:{bnode}"))
                candidate = NODE_BASE + hashlib.sha1(content.encode()).hexdigest()[:16]
            else:
                subject, local = holder
                base = name(subject.value) if isinstance(subject, ox.BlankNode) else subject.value  # type: ignore[attr-defined]
                candidate = f"{base}/{local}"
            unique, n = candidate, 2
            while unique in used:
                unique, n = f"{candidate}-{n}", n + 1
            used.add(unique)
            names[bnode] = unique
            return unique

        # Name in document order, so repeated predicates number their objects the same way each build.
        for t in held:
            for term in (t.subject, t.object):
                if isinstance(term, ox.BlankNode):
                    name(term.value)
        return names

    def line_of(self, needle: str) -> int | None:
        """First line of claims.ttl that mentions needle as a whole token, for error messages."""
        pattern = re.compile(re.escape(needle) + r"(?![\w\-.]*\w)")
        for number, line in enumerate(self._read().splitlines(), 1):
            if pattern.search(line.split("#", 1)[0] if not line.lstrip().startswith('"') else line):
                return number
        return None


INTEGRITY_CHECKS: list[tuple[str, str, str]] = [
    # (query selecting ?node [?value], message, fix)
    (
        """SELECT DISTINCT ?node WHERE { ?x ?p ?node . FILTER(isIRI(?node) && STRSTARTS(STR(?node), STR(c:)))
             FILTER NOT EXISTS { ?node a skos:Concept } FILTER NOT EXISTS { ?node a skos:ConceptScheme } }""",
        "concept is used but not defined",
        "define it as a skos:Concept in kg/ontology/concepts.ttl (or in your claims file), or fix the name",
    ),
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
    (
        """SELECT DISTINCT ?node WHERE { ?d hs:inCharacterisation ?node FILTER NOT EXISTS { ?node a hs:Characterisation } }""",
        "discrepancy points at a characterisation that is not defined",
        "declare the hs:Characterisation or fix its name",
    ),
]


def integrity_problems(store: ox.Store, claims_path: Path) -> list[Problem]:
    """Referential integrity over the assembled graph: everything that is pointed at exists."""
    shown = display_path(claims_path)
    loader = ClaimsLoader(claims_path, {})
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    problems = []
    for query, message, fix in INTEGRITY_CHECKS:
        for row in store.query(prefixes + query):  # type: ignore[union-attr]
            node = row["node"].value
            short = _short(node)
            problems.append(Problem(shown, message, line=loader.line_of(short) if short != node else None,
                                    record=short, fix=fix))
    return problems


def _short(iri: str) -> str:
    """A prefixed name for messages (c:foo, claim:bar), or the IRI itself."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, f"{prefix}:{iri[len(ns):]}"
    return name if best else iri

