"""The project's own vocabulary: the closed namespace matches the ontology file, every term is documented."""
from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from kg.model import paths
from kg.model.namespace import HS


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths.ontology_files():
        graph.parse(path)
    return graph


def declared_terms(graph: rdflib.Graph) -> set[str]:
    ns = str(HS._NS)
    return {str(s)[len(ns):] for s in graph.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(ns)}


def test_closed_namespace_matches_the_ontology(ontology: rdflib.Graph) -> None:
    in_code = {name for name in HS.__annotations__}
    assert in_code == declared_terms(ontology)


def test_a_typo_in_a_term_fails() -> None:
    with pytest.raises(AttributeError):
        HS.evidenceFro  # noqa: B018  (the point is that the attribute does not exist)


def test_every_term_has_label_and_comment(ontology: rdflib.Graph) -> None:
    for name in declared_terms(ontology):
        term = HS[name]
        assert ontology.value(term, RDFS.label), f"hs:{name} has no rdfs:label"
        assert ontology.value(term, RDFS.comment), f"hs:{name} has no rdfs:comment"


def test_properties_and_classes_are_typed(ontology: rdflib.Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    for name in declared_terms(ontology):
        types = set(ontology.objects(HS[name], RDF.type))
        assert types, f"hs:{name} has no rdf:type"
        assert types & kinds or any(str(t).startswith(str(HS._NS)) or "qudt" in str(t) or t == PROV.Agent
                                    for t in types), name


def test_concepts_are_in_schemes_with_labels(ontology: rdflib.Graph) -> None:
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 80
    schemes = set(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    for concept in concepts:
        assert ontology.value(concept, SKOS.prefLabel), concept
        assert set(ontology.objects(concept, SKOS.inScheme)) <= schemes, concept
    broader_targets = set(ontology.objects(None, SKOS.broader))
    assert broader_targets <= concepts  # no dangling hierarchy


def test_no_cycles_in_the_concept_hierarchy(ontology: rdflib.Graph) -> None:
    for concept in ontology.subjects(RDF.type, SKOS.Concept):
        seen, frontier = set(), {concept}
        while frontier:
            nxt = {b for c in frontier for b in ontology.objects(c, SKOS.broader)}
            assert concept not in nxt, f"{concept} is its own ancestor"
            frontier = nxt - seen
            seen |= nxt
