"""The media types of SPARQL results and RDF graphs, each with the pyoxigraph format that reads or writes it.

One table for both ends of the SPARQL Protocol: the endpoint (kg.serve) answers in these types and
negotiates among RESULT_OFFERS / GRAPH_OFFERS; a client of a remote store reads a response by its
Content-Type through the same dictionaries.
"""
from __future__ import annotations

import pyoxigraph as ox

# SELECT/ASK results. The endpoint offers them in this order of preference (it breaks ties in a client's Accept).
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
}
# CSV results can be written but not read back: the format drops datatypes and pyoxigraph refuses to parse it.
READABLE_RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    media_type: fmt for media_type, fmt in RESULT_FORMATS.items() if fmt != ox.QueryResultsFormat.CSV
}

# CONSTRUCT/DESCRIBE graphs: the endpoint's offers first, in its order of preference, then types only read.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}

# What the endpoint answers in, in its order of preference.
RESULT_OFFERS: tuple[str, ...] = tuple(RESULT_FORMATS)
GRAPH_OFFERS: tuple[str, ...] = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
                                 "text/plain", "application/json")
