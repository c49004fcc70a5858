"""What the endpoint says about itself: the SPARQL Service Description (GET /sparql without a query) and
the named queries as JSON (/queries).

The description's examples are the named queries as SHACL `sh:SPARQLExecutable`s with `schema:target` the
endpoint (the convention of the SIB and UniProt example sets), and its `sh:declare` blocks are the
predeclared prefixes, so a client can read both from one document.
"""
from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.model.namespace import PREFIXES
from kg.query.guard.policy import QueryLimits
from kg.query.named import NamedQuery, list_queries

SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
# The prefixes the description itself is written with (Turtle and RDF/XML).
SD_PREFIXES = {"sd": SD, "sh": SH, "schema": SCHEMA, "void": VOID, "formats": FORMATS,
               "rdfs": PREFIXES["rdfs"], "dcterms": PREFIXES["dcterms"], "xsd": PREFIXES["xsd"]}
# The http://www.w3.org/ns/formats/ names of the result and graph formats the endpoint answers in.
FORMAT_NAMES = {
    "application/sparql-results+json": "SPARQL_Results_JSON", "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle", "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}


def named_query_json(query: NamedQuery, base_url: str) -> dict[str, Any]:
    """A named query as JSON for `/queries`; `base_url` is where the endpoint's routes start (ends with '/')."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "params": [{"name": p.name, "type": p.type, "default": p.default, "optional": p.optional, "help": p.help}
                   for p in query.params],
        "columns": list(query.columns),
        "text": query.text,
        "url": f"{base_url}queries/{query.name}",
    }


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _lit(value: object, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(datatype)) if datatype else ox.Literal(str(value))


def describe_service(endpoint: str, base_url: str, limits: QueryLimits, graph_iri: str,
                     triples: int) -> list[ox.Triple]:
    """The SPARQL Service Description: the endpoint, its formats and dataset, the predeclared prefixes, and
    the named queries as SHACL SPARQL executables (with schema:target this endpoint)."""
    a = _iri(PREFIXES["rdf"] + "type")
    rdfs, dcterms, xsd = PREFIXES["rdfs"], PREFIXES["dcterms"], PREFIXES["xsd"]
    service, graph, dataset = _iri(endpoint), _iri(graph_iri), ox.BlankNode()
    prefixes = _iri(endpoint + "#prefixes")
    out = [
        ox.Triple(service, a, _iri(SD + "Service")),
        ox.Triple(service, _iri(SD + "endpoint"), service),
        ox.Triple(service, _iri(SD + "supportedLanguage"), _iri(SD + "SPARQL11Query")),
        ox.Triple(service, _iri(dcterms + "title"), _lit("Hip-spine evidence graph: read-only SPARQL endpoint")),
        ox.Triple(service, _iri(rdfs + "comment"), _lit(
            f"Read-only (updates get 403). Each query stops after {limits.timeout_s:g} s (504) and returns at most "
            f"{limits.max_rows} rows; a cut result carries the header X-Result-Truncated: true. The project "
            "prefixes are predeclared. The named queries are listed below and at " + base_url + "queries.")),
        ox.Triple(service, _iri(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, a, _iri(SD + "Dataset")),
        ox.Triple(dataset, _iri(SD + "defaultGraph"), graph),
        ox.Triple(graph, a, _iri(SD + "Graph")),
        ox.Triple(graph, _iri(VOID + "triples"), _lit(triples, xsd + "integer")),
        ox.Triple(service, _iri(rdfs + "seeAlso"), _iri(base_url + "queries")),
    ]
    out += [ox.Triple(service, _iri(SD + "resultFormat"), _iri(FORMATS + name)) for name in FORMAT_NAMES.values()]
    for prefix, namespace in PREFIXES.items():
        decl = ox.BlankNode()
        out += [ox.Triple(prefixes, _iri(SH + "declare"), decl),
                ox.Triple(decl, _iri(SH + "prefix"), _lit(prefix)),
                ox.Triple(decl, _iri(SH + "namespace"), _lit(namespace, xsd + "anyURI"))]
    for query in list_queries():
        example = _iri(f"{base_url}queries/{query.name}")
        out += [
            ox.Triple(example, a, _iri(SH + "SPARQLExecutable")),
            ox.Triple(example, a, _iri(SH + "SPARQLSelectExecutable")),
            ox.Triple(example, _iri(rdfs + "label"), _lit(query.title)),
            ox.Triple(example, _iri(rdfs + "comment"), _lit(query.description)),
            ox.Triple(example, _iri(SH + "select"), _lit(query.text)),
            ox.Triple(example, _iri(SH + "prefixes"), prefixes),
            ox.Triple(example, _iri(SCHEMA + "target"), service),
        ]
    return out
