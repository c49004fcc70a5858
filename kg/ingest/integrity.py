"""Referential integrity of an assembled graph: everything the claims point at exists.

Each check is a SELECT of ?node in kg/query/rq/internal/integrity_*.rq plus the message and fix a problem
gets. CLAIM_CHECKS need only the claims and the ontology, so the build runs them while a forked parser may
still be writing the bibliographic records; RECORD_CHECKS need those records and run after they are loaded.
Undefined concepts are found by index instead (concept_problems).
"""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import SKOS

from kg.ingest.claims_ttl import ClaimsFile
from kg.ingest.errors import Problem, closest_hint, display_path
from kg.model.namespace import BASE, CONCEPT, HS, MP, PREFIXES, compact
from kg.query.named import internal_query

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CONCEPT_MESSAGE = "concept is used but not defined"
CONCEPT_FIX = "define it as a skos:Concept in kg/ontology/concepts.ttl (or in your claims file), or fix the name"

BIB_KEY = ox.NamedNode(str(HS.bibKey))
CLAIM_TYPE = ox.NamedNode(str(MP.Claim))
CLAIM_BASE = BASE + "id/claim/"

# (internal query, message, fix[, what the closest known name is looked up among: "claim" or "paper"])
Check = tuple[str, str, str] | tuple[str, str, str, str]
CLAIM_CHECKS: list[Check] = [
    ("integrity_undefined_claims", "evidence points at a claim that is not defined",
     "declare the claim (a mp:Claim with mp:statement) or fix its name", "claim"),
    ("integrity_undefined_stance_claims", "a stance (mp:supports, mp:challenges or hs:qualifies) points at a claim "
     "that is not defined", "declare the claim (a mp:Claim with mp:statement) or fix its name", "claim"),
    ("integrity_undefined_results", "evidence points at a measured result that is not defined",
     "declare the result (a hs:MeasuredResult with qudt:value) or fix its name"),
    ("integrity_undefined_pico", "evidence points at a PICO frame that is not defined",
     "declare the frame (a pico:PICO) or fix its name"),
    ("integrity_undefined_characterisations", "discrepancy points at a characterisation that is not defined",
     "declare the hs:Characterisation or fix its name"),
    ("integrity_owl_imports", "owl:imports is not followed: the build reads no file but references.bib, the claims "
     "and the shipped ontology, and never the network",
     "copy the triples you need into the claims file and remove the owl:imports"),
]
RECORD_CHECKS: list[Check] = [
    ("integrity_unknown_studies", "points at a study that references.bib does not define",
     "refer to studies as ref:KEY with a key from references.bib", "paper"),
    ("integrity_unknown_sources", "source is not a source article in references.bib",
     "add the source as an @online entry in references.bib and refer to it as ref:KEY", "paper"),
    ("integrity_unknown_stance_subjects", "makes a stance (mp:supports, mp:challenges or hs:qualifies) but is no paper "
     "or source in references.bib", "make the stance from a study as ref:KEY with a key from references.bib "
     "(or write an hs:Evidence line, from which the build derives it)", "paper"),
]


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


def integrity_problems(store: ox.Store, claims: ClaimsFile, checks: list[Check]) -> list[Problem]:
    """The problems `checks` find, located in the claims file where the node is named."""
    problems = []
    known: dict[str, list[str]] = {}
    for name, message, fix, *among in checks:
        solutions = store.query(internal_query(name).text, prefixes=PREFIXES)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            node = row["node"]
            assert isinstance(node, ox.NamedNode | ox.BlankNode | ox.Literal)
            short = compact(node.value)
            # As the text names it: by prefix (res:x) or in full (<https://...>, also for a project IRI).
            line = (claims.line_of(short) if short != node.value else None) or claims.line_of(f"<{node.value}>")
            hint = ""
            if among:
                names = known.setdefault(among[0], _known_names(store, among[0]))
                hint = closest_hint(_local_name(node.value), names, "ref:" if among[0] == "paper" else "claim:")
            problems.append(Problem(claims.shown, message, line=line, record=short, fix=fix + hint))
    return problems


def _known_names(store: ox.Store, among: str) -> list[str]:
    """BibTeX keys of the loaded records ("paper") or local names of the declared claims ("claim")."""
    if among == "paper":
        return sorted({q.object.value for q in store.quads_for_pattern(None, BIB_KEY, None) if isinstance(q.object, ox.Literal)})
    return sorted({q.subject.value.removeprefix(CLAIM_BASE) for q in store.quads_for_pattern(None, RDF_TYPE, CLAIM_TYPE)
                   if isinstance(q.subject, ox.NamedNode)})


def _local_name(iri: str) -> str:
    """The last segment of an IRI or URN: 'ghostpaper' for urn:x:ghostpaper."""
    return re.split(r"[/#:]", iri.rstrip("/"))[-1]



UNCURATED_FIX = {
    "evidence": "add an evidence line (hs:Evidence with hs:evidenceFrom ref:KEY) to the claims file, or exclude it",
    "design": "add hs:studyDesign c:… for ref:KEY to the claims file",
    "level": "add hs:levelOfEvidence c:loe-N for ref:KEY to the claims file",
    "risk of bias": "appraise ref:KEY with the tool its design calls for (kg curate rob, or section 8 of the claims file)",
}
UNCURATED_MESSAGE = {
    "evidence": "included study bears on no claim yet (no evidence line)",
    "design": "included study has no design yet (hs:studyDesign)",
    "level": "included study has no level of evidence yet (hs:levelOfEvidence)",
    "risk of bias": "included study has no risk-of-bias assessment yet (hs:assessesStudy)",
}


def uncurated_problems(store: ox.Store, bib: Path) -> list[Problem]:
    """A warning for each part of the curation an included study still lacks (to-screen and excluded studies
    need none): curation follows screening, so this is work to do, not an error."""
    solutions = store.query(internal_query("integrity_included_uncurated").text, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    shown = display_path(bib)
    problems = []
    for row in solutions:
        key, missing = row["key"], row["missing"]
        assert isinstance(key, ox.Literal) and isinstance(missing, ox.Literal)
        problems.append(Problem(shown, UNCURATED_MESSAGE[missing.value], record=key.value, severity="warning",
                                fix=UNCURATED_FIX[missing.value].replace("KEY", key.value)))
    return problems
