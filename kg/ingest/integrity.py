"""Referential integrity of an assembled graph: everything the claims point at exists.

Each check is a SELECT of ?node in kg/query/rq/internal/integrity_*.rq plus the message and fix a problem
gets. CLAIM_CHECKS need only the claims and the ontology, so the build runs them while a forked parser may
still be writing the bibliographic records; RECORD_CHECKS need those records and run after they are loaded.
Undefined concepts are found by index instead (concept_problems).
"""
from __future__ import annotations

import pyoxigraph as ox
from rdflib.namespace import SKOS

from kg.ingest.claims_ttl import ClaimsFile
from kg.ingest.errors import Problem
from kg.model.namespace import CONCEPT, PREFIXES, compact
from kg.query.named import internal_query

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CONCEPT_MESSAGE = "concept is used but not defined"
CONCEPT_FIX = "define it as a skos:Concept in kg/ontology/concepts.ttl (or in your claims file), or fix the name"

# (internal query, message, fix)
Check = tuple[str, str, str]
CLAIM_CHECKS: list[Check] = [
    ("integrity_undefined_claims", "evidence points at a claim that is not defined",
     "declare the claim (a mp:Claim with mp:statement) or fix its name"),
    ("integrity_undefined_results", "evidence points at a measured result that is not defined",
     "declare the result (a hs:MeasuredResult with qudt:value) or fix its name"),
    ("integrity_undefined_pico", "evidence points at a PICO frame that is not defined",
     "declare the frame (a pico:PICO) or fix its name"),
    ("integrity_undefined_characterisations", "discrepancy points at a characterisation that is not defined",
     "declare the hs:Characterisation or fix its name"),
]
RECORD_CHECKS: list[Check] = [
    ("integrity_unknown_studies", "points at a study that references.bib does not define",
     "refer to studies as ref:KEY with a key from references.bib"),
    ("integrity_unknown_sources", "source is not a source article in references.bib",
     "add the source as an @online entry in references.bib and refer to it as ref:KEY"),
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
    for name, message, fix in checks:
        solutions = store.query(internal_query(name).text, prefixes=PREFIXES)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            node = row["node"]
            assert isinstance(node, ox.NamedNode | ox.BlankNode | ox.Literal)
            short = compact(node.value)
            problems.append(Problem(claims.shown, message, line=claims.line_of(short) if short != node.value else None,
                                    record=short, fix=fix))
    return problems

