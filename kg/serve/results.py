"""A user query's answer as the bytes of one media type (kg.query.media_types): SPARQL 1.1 results for
SELECT/ASK, an RDF serialisation for CONSTRUCT/DESCRIBE.

SELECT/ASK results are written as SPARQL JSON here (datatypes and languages kept) and converted to the
other result formats by pyoxigraph's own writers, so no CSV/TSV/XML is written by hand.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from kg.model.namespace import PREFIXES
from kg.query.guard.policy import UserQueryResult
from kg.query.media_types import GRAPH_FORMATS, RESULT_FORMATS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def term_json(term: object) -> dict[str, Any] | None:
    """A pyoxigraph term as a SPARQL 1.1 JSON results binding (None for an unbound cell)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def results_json(result: UserQueryResult) -> bytes:
    """SELECT/ASK results as SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode()
    bindings = [{c: b for c, t in zip(result.columns, row, strict=True) if (b := term_json(t)) is not None}
                for row in result.terms]
    return json.dumps({"head": {"vars": list(result.columns)}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")


def serialize_results(result: UserQueryResult, media_type: str) -> bytes:
    """SELECT/ASK results in one of RESULT_FORMATS: written as JSON, converted by pyoxigraph's writers."""
    body = results_json(result)
    fmt = RESULT_FORMATS[media_type]
    if fmt == ox.QueryResultsFormat.JSON:
        return body
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt) or b""


def used_prefixes(terms: Iterable[object], prefixes: Mapping[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI in `terms` is in, so Turtle output stays short."""
    iris: set[str] = set()
    for t in terms:
        if isinstance(t, ox.NamedNode):
            iris.add(t.value)
        elif isinstance(t, ox.Literal):
            iris.add(t.datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}


def serialize_graph(triples: Sequence[ox.Triple], media_type: str, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Triples in one of GRAPH_FORMATS (Turtle and RDF/XML with the prefixes the data uses)."""
    fmt = GRAPH_FORMATS[media_type]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        terms = [t for triple in triples for t in (triple.subject, triple.predicate, triple.object)]
        return ox.serialize(triples, format=fmt, prefixes=used_prefixes(terms, prefixes or PREFIXES)) or b""
    return ox.serialize(triples, format=fmt) or b""


def render_body(result: UserQueryResult, media_type: str) -> bytes:
    """A query's answer in `media_type`: a result format for SELECT/ASK, a graph format for CONSTRUCT/DESCRIBE.
    Runs in the query worker for the embedded graph (QueryPool.run_rendered pickles it by name)."""
    if result.kind in ("select", "ask"):
        return serialize_results(result, media_type)
    return serialize_graph([ox.Triple(*t) for t in result.terms], media_type)
