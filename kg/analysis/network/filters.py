"""The app's filters over an evidence or study-claim network: study year, design, PICO concepts (narrower
concepts included) and stance, then node kinds."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import networkx as nx

from kg.model.namespace import CONCEPT


def _matcher(wanted: Iterable[str], meta: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Concept IRIs named by IRIs, c:slug, slugs or labels (case-insensitive)."""
    base = str(CONCEPT)  # joined as text: CONCEPT[label] would warn that a label with spaces is not an IRI
    found = set()
    by_label = {str(m["label"]).lower(): iri for iri, m in meta.items()}
    for w in wanted:
        w = str(w).strip()
        if w.startswith(("http://", "https://")):
            found.add(w)
        elif base + w.removeprefix("c:") in meta:
            found.add(base + w.removeprefix("c:"))
        if w.lower() in by_label:
            found.add(by_label[w.lower()])
    return found


def _matches(concepts: Iterable[str], wanted: set[str], meta: Mapping[str, Mapping[str, Any]]) -> bool:
    """True if any concept is a wanted one or narrower (a filter on hip surgery keeps THA and arthroscopy)."""
    for c in concepts:
        ancestors = meta.get(c, {}).get("ancestors", frozenset({c}))
        if c in wanted or wanted & set(ancestors):
            return True
    return False


def subgraph(G: nx.Graph[str], *, kinds: Collection[str] | None = None, stances: Collection[str] | None = None,
             year_range: tuple[int | None, int | None] | None = None, interventions: Iterable[str] | None = None,
             outcomes: Iterable[str] | None = None, designs: Iterable[str] | None = None) -> nx.Graph[str]:
    """The part of an evidence or study-claim network that passes the app's filters (a copy; G is untouched).

    Study filters (year_range inclusive, designs, interventions/index tests in either PICO arm, outcomes;
    concepts match by IRI, c:slug or label and include narrower concepts) drop studies; stances drops evidence
    edges of other stances.
    When any of these is set, claims are kept only if a kept evidence edge reaches them, and concepts, sources
    and people only if they touch a kept study or claim. `kinds` finally keeps only nodes of those kinds.
    Studies without a year fail a year_range; non-study nodes are not filtered by year.
    """
    meta: Mapping[str, Mapping[str, Any]] = G.graph.get("concepts", {})
    # Materialise the filters once: they may be generators, and each is read more than once.
    interventions, outcomes, designs = (list(f) if f is not None else None for f in (interventions, outcomes, designs))
    kind_set = set(kinds) if kinds is not None else None
    study_filter = any(f is not None for f in (year_range, interventions, outcomes, designs))
    wanted_i = _matcher(interventions, meta) if interventions is not None else None
    wanted_o = _matcher(outcomes, meta) if outcomes is not None else None
    wanted_d = _matcher(designs, meta) if designs is not None else None

    def study_ok(d: Mapping[str, Any]) -> bool:
        if year_range is not None:
            lo, hi = year_range
            year = d.get("year")
            if year is None or (lo is not None and year < lo) or (hi is not None and year > hi):
                return False
        # either arm counts: Onggo compares fusion after THA with fusion before it, so it is THA evidence
        arms = (*d.get("interventions", ()), *d.get("comparators", ()))
        if wanted_i is not None and not _matches(arms, wanted_i, meta):
            return False
        if wanted_o is not None and not _matches(d.get("outcomes", ()), wanted_o, meta):
            return False
        if wanted_d is not None:
            design = d.get("design_iri")
            label_hit = str(d.get("design", "")).lower() in {str(x).lower() for x in designs or ()}
            if not label_hit and not (design and _matches([design], wanted_d, meta)):
                return False
        return True

    keep = {n for n, d in G.nodes(data=True) if d.get("kind") != "study" or study_ok(d)}
    stance_set = set(stances) if stances is not None else None
    dropped_edges = {(u, v) for u, v, d in G.edges(data=True)
                     if d.get("relation") == "evidence" and stance_set is not None
                     and d.get("stance") not in stance_set}
    if study_filter or stance_set is not None:
        evidence_ok = [(u, v) for u, v, d in G.edges(data=True) if d.get("relation") == "evidence"
                       and (u, v) not in dropped_edges and u in keep and v in keep]
        reached = {n for edge in evidence_ok for n in edge}
        keep = {n for n in keep if G.nodes[n].get("kind") not in ("study", "claim") or n in reached}
        core = {n for n in keep if G.nodes[n].get("kind") in ("study", "claim")}
        keep = {n for n in keep if n in core or any(m in core for m in G.neighbors(n))}
    if kind_set is not None:
        keep = {n for n in keep if G.nodes[n].get("kind") in kind_set}
    H: nx.Graph[str] = G.subgraph(keep).copy()
    H.remove_edges_from([e for e in dropped_edges if H.has_edge(*e)])
    return H
