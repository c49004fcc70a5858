"""Node attributes of the network projections, read from the network_* internal queries.

Attributes are GraphML-safe (str, int, float, bool, tuples of str); an absent value is left out, never None.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.analysis.evidence import ConceptInfo
from kg.model.vocab import CLAIM, VERIFICATION_NAMES
from kg.query.binding import bind_rows
from kg.query.named import internal_query

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

# PICO role -> the study attribute listing its concepts
PICO_ATTRS = (("intervention", "interventions"), ("population", "populations"),
              ("comparator", "comparators"), ("outcome", "outcomes"))


def select(kg: KnowledgeGraph, name: str, only: tuple[str, Collection[str]] | None = None) -> list[dict[str, Any]]:
    """Rows of the internal query `name`; with `only` = (variable, IRIs), just those whose variable is one of
    the IRIs (bound through VALUES, never pasted)."""
    sparql = internal_query(name).text
    if only is None:
        return kg.select(sparql)
    variable, iris = only
    return kg.select(bind_rows(sparql, variable, [ox.NamedNode(i) for i in sorted(iris)]))


def year_of(value: Any) -> int | None:
    """The year of an xsd:gYear, date or year-like string; None when there is none."""
    try:
        return int(str(value)[:4])
    except (TypeError, ValueError):
        return None


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def study_nodes(kg: KnowledgeGraph, only: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """Study IRI -> node attributes, with the study's PICO concept IRIs by role; all studies, or only those IRIs."""
    restrict = None if only is None else ("study", only)
    nodes: dict[str, dict[str, Any]] = {}
    for r in select(kg, "network_study_nodes", restrict):
        if r["study"] in nodes:
            continue
        key = r["key"] or _local(r["study"])
        year = year_of(r["year"])
        attrs: dict[str, Any] = {"kind": "study", "key": key, "title": r["title"] or key,
                                 "label": f"{r['family'] or key} {year}" if year else (r["family"] or key)}
        optional = {"year": year, "design": r["designLabel"], "design_iri": r["design"],
                    "level": int(r["notation"]) if str(r["notation"] or "").isdigit() else None,
                    "n": r["n"] if isinstance(r["n"], int) else None, "unit": r["unit"],
                    "verification": VERIFICATION_NAMES.get(r["status"]) if r["status"] else None}
        attrs.update({k: v for k, v in optional.items() if v is not None})
        nodes[r["study"]] = attrs
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in select(kg, "network_study_pico", restrict):
        roles[r["study"]][r["role"]].add(r["concept"])
    for study, attrs in nodes.items():
        for role, plural in PICO_ATTRS:
            attrs[plural] = tuple(sorted(roles[study][role]))
    return nodes


def claim_nodes(kg: KnowledgeGraph, only: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """Claim IRI -> node attributes (label, claim: CURIE, statement, unbacked); all claims, or only those IRIs."""
    nodes = {}
    for r in select(kg, "claim_labels", None if only is None else ("claim", only)):
        curie = "claim:" + r["claim"].removeprefix(CLAIM) if r["claim"].startswith(CLAIM) else r["claim"]
        nodes[r["claim"]] = {"kind": "claim", "label": r["label"] or curie, "curie": curie,
                             "statement": r["statement"] or "", "unbacked": bool(r["unbacked"])}
    return nodes


def source_nodes(kg: KnowledgeGraph, only: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """Source article IRI -> node attributes (key, title, publisher, year); all of them, or only those IRIs."""
    nodes = {}
    for r in select(kg, "source_articles", None if only is None else ("source", only)):
        key = r["key"] or _local(r["source"])
        year = year_of(r["year"])
        label = r["publisher"] or key
        attrs: dict[str, Any] = {"kind": "source", "key": key, "title": r["title"] or key,
                                 "label": f"{label} {year}" if year else label}
        if r["publisher"]:
            attrs["publisher"] = r["publisher"]
        if year is not None:
            attrs["year"] = year
        nodes[r["source"]] = attrs
    return nodes


def concept_attrs(iri: str, concepts: Mapping[str, ConceptInfo]) -> dict[str, Any]:
    """A concept node's attributes: its label and the local name of its scheme."""
    info = concepts.get(iri)
    scheme = info.scheme if info else None
    return {"kind": "concept", "label": info.label if info else _local(iri), "scheme": _local(scheme) if scheme else ""}


def concept_meta(concepts: Mapping[str, ConceptInfo]) -> dict[str, dict[str, Any]]:
    """Labels and ancestors of every concept, kept in G.graph for subgraph()'s hierarchy-aware filters."""
    return {iri: {"label": c.label, "ancestors": c.ancestors} for iri, c in concepts.items()}
