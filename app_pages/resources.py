"""Cached resources for the app's pages: the graph (built once per process) and cached calls into kg/.

The only module under app_pages/ that loads the graph or caches anything. `KG_DATA_DIR` points the app at
another data directory (tests use tests/resources/mini); `KG_SPARQL_ENDPOINT` at a remote SPARQL store.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

if TYPE_CHECKING:  # the heavy modules load inside the cached functions, on first use
    import networkx as nx
    import pandas as pd

    from kg.evidence import ClaimSummary, Disagreement, FidelityItem
    from kg.queries import NamedQuery
    from kg.store import KnowledgeGraph
    from kg.validate import ValidationReport

# (data directory, SPARQL endpoint): what the graph is built from; also the key of every cached result.
Source = tuple[str | None, str | None]


def source() -> Source:
    """Where the graph comes from, read from the environment on every run (so tests can switch it)."""
    return os.environ.get("KG_DATA_DIR") or None, os.environ.get("KG_SPARQL_ENDPOINT") or None


@st.cache_resource(show_spinner="Building the evidence graph…")
def _graph(src: Source) -> KnowledgeGraph:
    from kg.store import load

    data_dir, endpoint = src
    # strict=False: a curator's half-finished data still opens; the Data quality page lists its problems.
    return load(data_dir, strict=False, endpoint=endpoint)


def graph() -> KnowledgeGraph:
    """The evidence graph, built once per process and data source."""
    return _graph(source())


# ----------------------------------------------------------------------------- named queries


def _frozen(params: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """Arguments as a sorted tuple of pairs (lists as tuples): one cache key per distinct set."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))


@st.cache_data(show_spinner=False)
def _named(src: Source, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    from kg.queries import run_named

    return run_named(_graph(src), name, dict(params))


def query(name: str, params: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """A named query's rows (kg.queries.run_named), cached per data source and parameters (each call gets its
    own copy, as st.cache_data returns)."""
    return _named(source(), name, _frozen(params))


@st.cache_data(show_spinner=False)
def named_queries() -> list[NamedQuery]:
    """The named queries shipped in kg/queries (kg.queries.list_queries)."""
    from kg.queries import list_queries

    return list(list_queries())


# ----------------------------------------------------------------------------- evidence summaries


@st.cache_data(show_spinner=False)
def _claims_overview(src: Source) -> pd.DataFrame:
    from kg.evidence import claims_overview

    return claims_overview(_graph(src))


def claims_overview() -> pd.DataFrame:
    """One row per claim with counts by stance, balance and certainty (kg.evidence.claims_overview), cached."""
    return _claims_overview(source())


@st.cache_data(show_spinner=False)
def _evidence_table(src: Source) -> pd.DataFrame:
    from kg.evidence import evidence_table

    return evidence_table(_graph(src))


def evidence_table() -> pd.DataFrame:
    """Every evidence line with its study, year, claim and stance (kg.evidence.evidence_table), cached."""
    return _evidence_table(source())


@st.cache_data(show_spinner=False)
def _claim_summary(src: Source, claim: str) -> ClaimSummary:
    from kg.evidence import claim_summary

    return claim_summary(_graph(src), claim)


def claim_summary(claim: str) -> ClaimSummary:
    """kg.evidence.claim_summary for one claim (slug, claim:slug or IRI), cached; UnknownClaimError if none."""
    return _claim_summary(source(), claim)


@st.cache_data(show_spinner=False)
def _disagreements(src: Source, claim: str) -> list[Disagreement]:
    from kg.evidence import explain_disagreements

    return explain_disagreements(_graph(src), claim)


def disagreements(claim: str) -> list[Disagreement]:
    """kg.evidence.explain_disagreements for one claim, cached."""
    return _disagreements(source(), claim)


@st.cache_data(show_spinner=False)
def _fidelity(src: Source) -> list[FidelityItem]:
    from kg.evidence import fidelity_report

    return fidelity_report(_graph(src))


def fidelity() -> list[FidelityItem]:
    """kg.evidence.fidelity_report, cached."""
    return _fidelity(source())


# ----------------------------------------------------------------------------- network


@st.cache_resource(show_spinner="Building the evidence network…")
def _network(src: Source) -> nx.Graph:
    from kg.network import evidence_network

    return evidence_network(_graph(src))


def network() -> nx.Graph:
    """The networkx evidence network (kg.network.evidence_network), built once per data source; shared, so
    read it, never change it."""
    return _network(source())


@st.cache_data(show_spinner="Drawing the network…")
def _network_html(src: Source, filters: tuple[tuple[str, Any], ...], max_nodes: int, focus: str | None,
                  depth: int, height: int) -> tuple[str, int, int]:
    from kg.network import subgraph, to_vis_html

    sub = subgraph(_network(src), **dict(filters))
    page, omitted = to_vis_html(sub, max_nodes=max_nodes, focus=focus, depth=depth, height=f"{height}px")
    return page, omitted, sub.number_of_nodes()


def network_html(filters: Mapping[str, Any], *, max_nodes: int, focus: str | None, depth: int,
                 height: int = 650) -> tuple[str, int, int]:
    """(self-contained vis-network HTML, nodes left out by the cap, nodes passing the filters), cached.

    `filters` are kg.network.subgraph keyword arguments; a focus missing from the filtered graph raises
    ValueError (from kg.network.to_vis_html)."""
    return _network_html(source(), _frozen(filters), max_nodes, focus, depth, height)


# ----------------------------------------------------------------------------- validation and downloads


@st.cache_data(show_spinner="Running the SHACL validation…")
def _validation(src: Source) -> ValidationReport:
    from kg.build import DataSources
    from kg.validate import validate

    return validate(DataSources.resolve(Path(src[0]) if src[0] else None), shacl=True)


def data_files() -> tuple[str, str, str | None]:
    """(BibTeX file, claims file, SPARQL endpoint or None): what the app was pointed at."""
    from kg.build import DataSources

    data_dir, endpoint = source()
    files = DataSources.resolve(Path(data_dir) if data_dir else None)
    return str(files.bib), str(files.claims), endpoint


def validation() -> ValidationReport:
    """kg.validate.validate with SHACL, run only when the Data quality page asks, then cached."""
    return _validation(source())


@st.cache_data(show_spinner=False)
def _export(src: Source, fmt: str) -> bytes:
    from kg.export import export_bytes

    return export_bytes(_graph(src), fmt)


def export(fmt: str) -> bytes:
    """The graph exported by kg.export.export_bytes ('ttl', 'nt', 'jsonld', 'graphml', 'bib', 'csv'), cached."""
    return _export(source(), fmt)
