"""Download page: the whole graph as Turtle, JSON-LD or N-Triples, the network as GraphML, the works as BibTeX
and the evidence table as CSV. Each file is made by kg.export.exporter only when its button is pressed, then cached.
"""
from __future__ import annotations

import functools

import streamlit as st

from app_pages import resources

FILES = [
    # (label, kg.export.exporter format, file name, MIME type, what it is)
    ("Turtle", "ttl", "hipspine.ttl", "text/turtle", "The whole graph in Turtle, with the project prefixes."),
    ("JSON-LD", "jsonld", "hipspine.jsonld", "application/ld+json", "The whole graph as JSON-LD with a prefix context."),
    ("N-Triples", "nt", "hipspine.nt", "application/n-triples",
     "One triple a line, sorted: the canonical form, good for diffs."),
    ("GraphML", "graphml", "hipspine-network.graphml", "application/graphml+xml",
     "The evidence network (studies, claims, concepts, sources) for Gephi, Cytoscape or networkx."),
    ("BibTeX", "bib", "hipspine.bib", "application/x-bibtex",
     "The cited studies (@article) and source articles (@online), rebuilt from the graph."),
    ("Evidence table (CSV)", "csv", "hipspine-evidence.csv", "text/csv",
     "One row per evidence line: study, claim, stance, design, sample size, year."),
]


def render() -> None:
    """The Download page."""
    st.title("Download")
    st.caption(f"The graph as built from the curated data: {resources.triples():,} triples.")
    for label, fmt, name, mime, what in FILES:
        text, button = st.columns([3, 1], vertical_alignment="center")
        text.markdown(f"**{label}** · `{name}`  \n{what}")
        button.download_button(f"Download {label}", functools.partial(resources.export, fmt), file_name=name,
                               mime=mime, key=f"download_{fmt}", width="stretch", on_click="ignore")


if __name__ == "__main__":
    render()
