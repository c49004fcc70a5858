"""Cached resources for the app's pages: the graph (built or opened once per process) and cached calls into kg/.

The only module under app_pages/ that loads the graph or caches anything. Where the graph comes from:

* `KG_DATA_DIR`: another data directory (tests use tests/resources/mini); the repository's data/ by default;
* `KG_STORE`: a persistent on-disk store directory (kg.store.persistent): built from the data there on first use, then
  reopened in well under a second while the data files are unchanged, so a large corpus starts at once;
* `KG_SPARQL_ENDPOINT`: a remote SPARQL store (`kg push` filled it); the data files are then only validated.

Pages ask for bounded results (named queries with a cap, a page of rows, one study or claim): nothing here holds
a whole-corpus Python structure except the evidence network of a small graph (`network_limit`).
"""
from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

if TYPE_CHECKING:  # the heavy modules load inside the cached functions, on first use
    import networkx as nx
    import pandas as pd

    from kg.analysis.evidence import ClaimSummary, Disagreement, FidelityItem
    from kg.analysis.prisma import PrismaFlow
    from kg.quality.validate import ValidationReport
    from kg.query.named import NamedQuery
    from kg.store.graph import KnowledgeGraph

# (data directory, SPARQL endpoint, store directory): what the graph comes from; also the key of every cached
# result.
Source = tuple[str | None, str | None, str | None]

# A graph with more claims than this is drawn on the Network page around some of its claims (network_around),
# never built whole as a networkx graph.
NETWORK_WHOLE_MAX_CLAIMS = 100
# Above this many triples the Data quality page waits for a click before running SHACL (tens of seconds at
# 10k papers); the curated data (about 4,000 triples) and fixtures validate when the page opens.
SHACL_AUTO_MAX_TRIPLES = 100_000


def source() -> Source:
    """Where the graph comes from, read from the environment on every run (so tests can switch it)."""
    return (os.environ.get("KG_DATA_DIR") or None, os.environ.get("KG_SPARQL_ENDPOINT") or None,
            os.environ.get("KG_STORE") or None)


@st.cache_resource(show_spinner="Opening the evidence graph…")
def _graph(src: Source) -> KnowledgeGraph:
    from kg.api import load

    data_dir, endpoint, store = src
    # strict=False: a curator's half-finished data still opens; the Data quality page lists its problems.
    return load(data_dir, strict=False, endpoint=endpoint, store_path=store)


def graph() -> KnowledgeGraph:
    """The evidence graph, built (or opened from KG_STORE) once per process and data source."""
    return _graph(source())


@st.cache_resource(show_spinner="Leaving out the studies published later…", max_entries=8)
def _graph_as_of(src: Source, year: int) -> KnowledgeGraph:
    from kg.analysis.asof import as_of

    return as_of(_graph(src), year)


def _at(src: Source, as_of: int | None) -> KnowledgeGraph:
    """The graph, or its copy without the studies published after `as_of` (kg.analysis.asof)."""
    return _graph(src) if as_of is None else _graph_as_of(src, as_of)


# ----------------------------------------------------------------------------- named queries


def _frozen(params: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """Arguments as a sorted tuple of pairs (lists as tuples): one cache key per distinct set."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))


@st.cache_data(show_spinner=False, max_entries=2000)
def _named(src: Source, name: str, params: tuple[tuple[str, Any], ...], as_of: int | None = None) -> pd.DataFrame:
    from kg.query.named import run_named

    return run_named(_at(src, as_of), name, dict(params))


def query(name: str, params: Mapping[str, str | None] | None = None, *, as_of: int | None = None) -> pd.DataFrame:
    """A named query's rows (kg.query.named.run_named), cached per data source and parameters (each call gets its
    own copy, as st.cache_data returns); with `as_of`, over the evidence published by that year."""
    return _named(source(), name, _frozen(params), as_of)


def count(kind: str) -> int:
    """How many things of one kind the graph holds ('studies', 'claims', …: the graph_counts query)."""
    counts = query("graph_counts")
    found = counts.loc[counts["kind"] == kind, "count"]
    return int(found.iloc[0]) if len(found) else 0


@st.cache_data(show_spinner=False)
def named_queries() -> list[NamedQuery]:
    """The named queries shipped in kg/queries (kg.query.named.list_queries)."""
    from kg.query.named import list_queries

    return list(list_queries())


@st.cache_data(show_spinner=False)
def _triples(src: Source) -> int:
    return len(_graph(src))


def triples() -> int:
    """How many triples the graph holds, counted once per data source."""
    return _triples(source())


# ----------------------------------------------------------------------------- evidence summaries


@st.cache_data(show_spinner=False, max_entries=500)
def _claim_summary(src: Source, claim: str, as_of: int | None = None) -> ClaimSummary:
    from kg.analysis.evidence import claim_summary

    return claim_summary(_at(src, as_of), claim)


def claim_summary(claim: str, *, as_of: int | None = None) -> ClaimSummary:
    """kg.analysis.evidence.claim_summary for one claim (slug, claim:slug or IRI), cached; UnknownClaimError if none.
    With `as_of`, from the evidence published by that year."""
    return _claim_summary(source(), claim, as_of)


@st.cache_data(show_spinner=False, max_entries=500)
def _disagreements(src: Source, claim: str, as_of: int | None = None) -> list[Disagreement]:
    from kg.analysis.evidence import explain_disagreements

    return explain_disagreements(_at(src, as_of), claim)


def disagreements(claim: str, *, as_of: int | None = None) -> list[Disagreement]:
    """kg.analysis.evidence.explain_disagreements for one claim, cached (with `as_of`, as of that year)."""
    return _disagreements(source(), claim, as_of)


@st.cache_data(show_spinner=False)
def _fidelity(src: Source) -> list[FidelityItem]:
    from kg.analysis.evidence import fidelity_report

    return fidelity_report(_graph(src))


def fidelity() -> list[FidelityItem]:
    """kg.analysis.evidence.fidelity_report, cached."""
    return _fidelity(source())


# ----------------------------------------------------------------------------- network


def network_limit() -> int | None:
    """None when the graph is small enough to draw from its whole evidence network, else the claim limit: the
    network is then built around at most that many claims (network_around)."""
    return None if count("claims") <= NETWORK_WHOLE_MAX_CLAIMS else NETWORK_WHOLE_MAX_CLAIMS


@st.cache_resource(show_spinner="Building the evidence network…", max_entries=20)
def _network(src: Source, claims: tuple[str, ...] | None, as_of: int | None = None) -> nx.Graph[str]:
    from kg.analysis.network import evidence_network

    return evidence_network(_at(src, as_of), claims=claims)


def network(claims: Collection[str] | None = None, *, as_of: int | None = None) -> nx.Graph[str]:
    """The networkx evidence network (kg.analysis.network.evidence_network): the whole graph's, or only around `claims`
    (a bounded part of a large graph), built once per data source and claim set; shared, so read it, never
    change it. With `as_of`, the network of the evidence published by that year."""
    return _network(source(), None if claims is None else tuple(sorted(claims)), as_of)


@st.cache_data(show_spinner="Drawing the network…", max_entries=50)
def _network_html(src: Source, claims: tuple[str, ...] | None, filters: tuple[tuple[str, Any], ...], max_nodes: int,
                  focus: str | None, depth: int, height: int, as_of: int | None = None) -> tuple[str, int, int]:
    from kg.analysis.network import subgraph
    from kg.render.vis import to_vis_html

    sub = subgraph(_network(src, claims, as_of), **dict(filters))
    page, omitted = to_vis_html(sub, max_nodes=max_nodes, focus=focus, depth=depth, height=f"{height}px")
    return page, omitted, sub.number_of_nodes()


def network_html(filters: Mapping[str, Any], *, max_nodes: int, focus: str | None, depth: int,
                 height: int = 650, claims: Collection[str] | None = None,
                 as_of: int | None = None) -> tuple[str, int, int]:
    """(self-contained vis-network HTML, nodes left out by the cap, nodes passing the filters), cached.

    `filters` are kg.analysis.network.subgraph keyword arguments applied to network(claims); a focus missing from the
    filtered graph raises ValueError (from kg.render.vis.to_vis_html)."""
    return _network_html(source(), None if claims is None else tuple(sorted(claims)), _frozen(filters),
                         max_nodes, focus, depth, height, as_of)


# ----------------------------------------------------------------------------- validation and downloads


@st.cache_data(show_spinner="Running the SHACL validation…")
def _validation(src: Source) -> ValidationReport:
    from kg.ingest.build import DataSources
    from kg.quality.validate import validate

    return validate(DataSources.resolve(Path(src[0]) if src[0] else None), shacl=True)


def data_files() -> tuple[str, str, str | None]:
    """(BibTeX file, claims file, SPARQL endpoint or None): what the app was pointed at."""
    from kg.ingest.build import DataSources

    data_dir, endpoint, _ = source()
    files = DataSources.resolve(Path(data_dir) if data_dir else None)
    return str(files.bib), str(files.claims), endpoint


@st.cache_resource(show_spinner=False, ttl=300)
def _remote_updates(src: Source) -> bool:
    from kg.curate.remote import accepts_updates
    from kg.store.remote import RemoteBackend

    backend = _graph(src).backend
    return isinstance(backend, RemoteBackend) and accepts_updates(backend)


def remote_updates() -> bool:
    """Whether the remote store the app reads takes SPARQL Update (probed with an empty INSERT DATA, once in five
    minutes); False without a remote store."""
    src = source()
    return bool(src[1]) and _remote_updates(src)


def validation() -> ValidationReport:
    """kg.quality.validate.validate with SHACL, run only when the Data quality page asks, then cached."""
    return _validation(source())


@st.cache_data(show_spinner=False, max_entries=500)
def _bibtex(src: Source, key: str) -> str | None:
    from kg.export.bibtex import bibtex_entry

    return bibtex_entry(_graph(src), key)


def bibtex(key: str) -> str | None:
    """One work's BibTeX entry as `kg export --format bib` writes it (kg.export.bibtex.bibtex_entry), or None."""
    return _bibtex(source(), key)


@st.cache_data(show_spinner=False)
def _export(src: Source, fmt: str) -> bytes:
    from kg.export.exporter import export_bytes

    return export_bytes(_graph(src), fmt)


def export(fmt: str) -> bytes:
    """The graph exported by kg.export.exporter.export_bytes ('ttl', 'nt', 'jsonld', 'graphml', 'bib', 'csv'), cached."""
    return _export(source(), fmt)


# ----------------------------------------------------------------------------- review (screening, PRISMA)


@st.cache_data(show_spinner=False)
def _prisma(src: Source) -> PrismaFlow:
    from kg.analysis.prisma import prisma_flow

    return prisma_flow(_graph(src))


def prisma() -> PrismaFlow:
    """kg.analysis.prisma.prisma_flow: the PRISMA 2020 counts, cached per data source."""
    return _prisma(source())


def prisma_svg() -> str:
    """The PRISMA 2020 flow diagram as SVG (kg.render.prisma)."""
    from kg.render.prisma import prisma_svg as draw

    return draw(prisma())


# ----------------------------------------------------------------------------- citable views and the as-of year

# Above this many triples the as-of filter is not offered: it copies the graph once per year asked for.
AS_OF_MAX_TRIPLES = 500_000


@st.cache_data(show_spinner="Hashing the graph…")
def _graph_hash(src: Source) -> str:
    from kg.export.snapshot import graph_hash

    return graph_hash(_graph(src))


def graph_hash() -> str:
    """SHA-256 of the graph's canonical N-Triples (kg.export.snapshot.graph_hash), once per data source."""
    return _graph_hash(source())


@st.cache_data(show_spinner=False)
def _years(src: Source) -> tuple[int, int] | None:
    from kg.analysis.asof import publication_years

    return publication_years(_graph(src))


def publication_years() -> tuple[int, int] | None:
    """(earliest, latest) publication year of the cited studies, None when none has a year."""
    return _years(source())


# ----------------------------------------------------------------------------- curation


@st.cache_data(show_spinner=False)
def _concepts(src: Source) -> list[dict[str, Any]]:
    from kg.query.named import internal_query

    return _graph(src).select(internal_query("curate_concepts").text)


def concepts(scheme: str | None = None) -> dict[str, str]:
    """SKOS concepts for a picker, IRI -> "label (curie)", optionally only those of `scheme` (an IRI)."""
    from kg.model.namespace import compact

    out: dict[str, str] = {}
    for r in _concepts(source()):
        if scheme is None or r["scheme"] == scheme:
            out.setdefault(r["concept"], f"{r['label'] or ''} ({compact(r['concept'])})".strip())
    return out


def concept_schemes() -> list[str]:
    """The IRIs of the concept schemes, sorted."""
    return sorted({str(r["scheme"]) for r in _concepts(source()) if r["scheme"]})


@st.cache_data(show_spinner=False)
def _source_articles(src: Source) -> list[dict[str, Any]]:
    from kg.query.named import internal_query

    return _graph(src).select(internal_query("source_articles").text)


def source_articles() -> dict[str, str]:
    """The source articles a new claim can come from, BibTeX key -> title."""
    return {str(r["key"]): str(r["title"] or r["key"]) for r in _source_articles(source()) if r["key"]}


@st.cache_data(show_spinner=False)
def _frames(src: Source) -> list[dict[str, Any]]:
    from kg.query.named import internal_query

    return _graph(src).select(internal_query("curate_frames").text)


def pico_frames() -> dict[str, str]:
    """Every PICO frame, IRI -> "label (curie)"."""
    from kg.model.namespace import compact

    return {str(r["frame"]): f"{r['label'] or ''} ({compact(str(r['frame']))})".strip() for r in _frames(source())}


@st.cache_data(show_spinner=False, max_entries=500)
def _study_records(src: Source, study_iri: str) -> list[dict[str, Any]]:
    import pyoxigraph as ox

    from kg.query.named import internal_query

    return _graph(src).select(internal_query("curate_study_records").text, {"study": ox.NamedNode(study_iri)})


def study_records(study_iri: str) -> list[dict[str, Any]]:
    """The evidence lines, results and PICO frames of one study (its work IRI): record, kind, label, claim."""
    return _study_records(source(), study_iri)


@st.cache_data(show_spinner=False, max_entries=500)
def _orphans(src: Source, iri: str) -> list[str]:
    from kg.curate import orphans_of

    return [str(o) for o in orphans_of(iri, _graph(src))]


def orphans(iri: str) -> list[str]:
    """What deleting the record `iri` would leave pointing at nothing, or a claim without evidence
    (kg.curate.orphans_of), each as a sentence."""
    return _orphans(source(), iri)


@st.cache_data(show_spinner=False)
def _history(src: Source, curator: str | None) -> list[dict[str, object]]:
    from kg.curate import history

    return history(_graph(src), curator)


def history(curator: str | None = None) -> list[dict[str, object]]:
    """Recent curation changes from the data's provenance (kg.curate.history): at, curator, record, kind, label."""
    return _history(source(), curator)


@st.cache_data(show_spinner=False, max_entries=50)
def _record_pages(src: Source, records: tuple[str, ...]) -> dict[str, tuple[str | None, str | None]]:
    import pyoxigraph as ox

    from kg.query.binding import bind_rows
    from kg.query.named import internal_query

    if not records:
        return {}
    sparql = bind_rows(internal_query("curate_record_pages").text, "record", [ox.NamedNode(r) for r in records])
    return {str(r["record"]): (r["key"], r["claim"]) for r in _graph(src).select(sparql)}


def record_pages(records: Collection[str]) -> dict[str, tuple[str | None, str | None]]:
    """For each record IRI: (BibTeX key of the study page that shows it, claim IRI of the claim page), or None."""
    return _record_pages(source(), tuple(sorted(records)))


@st.cache_data(show_spinner=False, max_entries=200)
def _record_values(src: Source, iri: str) -> dict[str, list[Any]]:
    import pyoxigraph as ox

    from kg.query.named import internal_query

    out: dict[str, list[Any]] = {}
    for r in _graph(src).select(internal_query("curate_record_values").text, {"record": ox.NamedNode(iri)}):
        out.setdefault(str(r["p"]), []).append(r["o"])
    return out


def record_values(iri: str) -> dict[str, list[Any]]:
    """The statements of one record, property IRI -> values (IRIs as text), for an edit form to start from."""
    return _record_values(source(), iri)


@st.cache_data(show_spinner=False, max_entries=200)
def _design_tool(src: Source, key: str) -> tuple[str, str | None, str | None]:
    from kg.curate.check import design_kind_of
    from kg.curate.operations import NOT_APPLICABLE, TOOL_FOR_DESIGN

    kind, design = design_kind_of(_graph(src).snapshot(), key)
    if kind not in TOOL_FOR_DESIGN:
        return kind, design, None
    return kind, design, TOOL_FOR_DESIGN[kind] or NOT_APPLICABLE


def design_tool(key: str) -> tuple[str, str | None, str | None]:
    """The kind of design of study `key`, the design's CURIE, and the risk-of-bias tool it calls for (or "not
    applicable"; None when its design is not recorded or no modelled tool covers it)."""
    return _design_tool(source(), key)


def after_change() -> None:
    """Forget everything read from the graph: the next read rebuilds it from the changed data files, so every page
    shows an accepted change on its next run (the list of named queries is kept)."""
    for cached in (_graph, _graph_as_of, _network):
        cached.clear()
    for data in (_named, _triples, _claim_summary, _disagreements, _fidelity, _network_html, _validation, _bibtex,
                 _export, _graph_hash, _years, _concepts, _source_articles, _frames, _study_records, _orphans, _history,
                 _record_pages, _record_values, _prisma, _design_tool):
        data.clear()
