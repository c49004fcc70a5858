"""Network views of the evidence graph: networkx projections built from SPARQL results, centrality rankings,
GraphML export (Gephi, Cytoscape) and the self-contained vis-network HTML the app embeds.

Projections are built from a handful of SELECTs (never from all triples, and never through pyvis `from_nx`,
which is quadratic: shared/PERFORMANCE-ANCHORS.md). Node ids are the nodes' IRIs.
"""
from __future__ import annotations

import functools
import html
import importlib.util
import json
import math
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.evidence import ConceptInfo, concept_index
from kg.model.vocab import (
    CLAIM,
    NETWORK_KINDS,
    NODE_STYLE,
    OTHER_EDGE_COLOUR,
    STANCE_COLOUR,
    STANCE_NAMES,
    STANCE_SIGN,
    UNBACKED_COLOUR,
    VERIFICATION_NAMES,
)
from kg.query.binding import bind_rows

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

KINDS = NETWORK_KINDS
# Brandes' betweenness costs about nodes x edges steps; past this many it samples pivots instead (~1-2 s).
BETWEENNESS_BUDGET = 1_500_000
_CSS_LENGTH = re.compile(r"^\d{1,5}(\.\d+)?(px|%|em|rem|vh|vw)$")

# ----------------------------------------------------------------------------------------------------------
# Queries: one question each; the projections join their rows in Python
# ----------------------------------------------------------------------------------------------------------

_STUDIES = """
# Cited studies (papers, not source articles) with what the hover text and the filters need
SELECT ?study ?key ?family ?title ?year ?design ?designLabel ?notation ?n ?unit ?status WHERE {
  ?study a fabio:JournalArticle .
  FILTER NOT EXISTS { ?study a hs:SourceArticle }
  OPTIONAL { ?study hs:bibKey ?key }
  OPTIONAL { ?study bibo:authorList/rdf:first/foaf:familyName ?family }
  OPTIONAL { ?study dcterms:title ?title }
  OPTIONAL { ?study dcterms:issued ?year }
  OPTIONAL { ?study hs:studyDesign ?design . OPTIONAL { ?design skos:prefLabel ?designLabel } }
  OPTIONAL { ?study hs:levelOfEvidence/skos:notation ?notation }
  OPTIONAL { ?study hs:sampleSize ?n }
  OPTIONAL { ?study hs:sampleUnit ?unit }
  OPTIONAL { ?study hs:verificationStatus ?status }
}
"""

_CLAIMS = """
# Claims, and whether no cited study bears on them
SELECT ?claim ?label ?statement ?unbacked WHERE {
  ?claim a mp:Claim .
  OPTIONAL { ?claim rdfs:label ?label }
  OPTIONAL { ?claim mp:statement ?statement }
  BIND(EXISTS { ?claim a hs:UnbackedAssertion } AS ?unbacked)
}
"""

_EVIDENCE = """
# One row per evidence line: study -> claim with its stance
SELECT ?e ?study ?claim ?stance ?rationale WHERE {
  ?e hs:evidenceFrom ?study ; hs:evidenceFor ?claim ; hs:stance ?stance .
  OPTIONAL { ?e hs:rationale ?rationale }
}
"""

_STUDY_PICO = """
# The PICO concepts each study's evidence lines use, by role
SELECT DISTINCT ?study ?role ?concept WHERE {
  ?e hs:evidenceFrom ?study ; hs:pico ?pf .
  { ?pf pico:population/pico:condition ?concept BIND("population" AS ?role) }
  UNION { ?pf pico:interventionGroup/pico:intervention ?concept BIND("intervention" AS ?role) }
  UNION { ?pf pico:comparatorGroup/pico:intervention ?concept BIND("comparator" AS ?role) }
  UNION { ?pf pico:outcomeGroup/pico:outcome ?concept BIND("outcome" AS ?role) }
  # FILTER EXISTS, not a join: Oxigraph 0.5 plans a type pattern after a UNION as a scan (1.7 s at 1k papers)
  FILTER EXISTS { ?concept a skos:Concept }
}
"""

_CLAIM_SUBJECTS = """
SELECT ?claim ?concept WHERE { ?claim a mp:Claim ; dcterms:subject ?concept . ?concept a skos:Concept }
"""

_SOURCES = """
# Source articles: the secondary texts that cite studies and assert claims
SELECT ?source ?key ?title ?publisher ?year WHERE {
  ?source a hs:SourceArticle .
  OPTIONAL { ?source hs:bibKey ?key }
  OPTIONAL { ?source dcterms:title ?title }
  OPTIONAL { ?source dcterms:publisher ?publisher }
  OPTIONAL { ?source dcterms:issued ?year }
}
"""

_SOURCE_LINKS = """
# What each source article cites as evidence, and which claims it asserts
SELECT ?source ?relation ?target WHERE {
  ?source a hs:SourceArticle .
  { ?source cito:citesAsEvidence ?target BIND("cites" AS ?relation) }
  UNION { ?target hs:assertedBy ?source BIND("asserts" AS ?relation) }
}
"""

_AUTHORSHIP = """
# Who wrote or contributed to each work (papers and source articles alike)
SELECT ?work ?key ?person ?name ?relation WHERE {
  { ?work dcterms:creator ?person BIND("author" AS ?relation) }
  UNION { ?work dcterms:contributor ?person BIND("contributor" AS ?relation) }
  FILTER EXISTS { ?person a foaf:Person }
  OPTIONAL { ?person foaf:name ?name }
  OPTIONAL { ?work hs:bibKey ?key }
}
"""

_COAUTHOR_PAIRS = """
# People who share a work, with how many (authors and contributors both count)
SELECT ?a ?b (COUNT(DISTINCT ?work) AS ?shared) WHERE {
  ?work dcterms:creator|dcterms:contributor ?a , ?b .
  ?a a foaf:Person . ?b a foaf:Person .
  FILTER(STR(?a) < STR(?b))
}
GROUP BY ?a ?b
"""

def _context(v: str) -> str:
    """The pattern binding ?ctx to a claim (with its subject ?v) or a PICO frame (with any of its concepts ?v)."""
    return f"""
  {{ ?ctx a mp:Claim ; dcterms:subject ?{v} }}
  UNION
  {{ ?ctx a pico:PICO ;
      (pico:population/pico:condition)|(pico:interventionGroup/pico:intervention)
      |(pico:comparatorGroup/pico:intervention)|(pico:outcomeGroup/pico:outcome) ?{v} }}
  FILTER EXISTS {{ ?{v} a skos:Concept }}"""


_CONCEPT_USES = f"""
# How many claims and PICO frames use each concept
SELECT ?a (COUNT(DISTINCT ?ctx) AS ?uses) WHERE {{ {_context("a")}
}}
GROUP BY ?a
"""

_CONCEPT_PAIRS = f"""
# Concepts that appear together on a claim or in a PICO frame; weight = number of such contexts
SELECT ?a ?b (COUNT(DISTINCT ?ctx) AS ?weight) WHERE {{ {_context("a")} {_context("b")}
  FILTER(STR(?a) < STR(?b))
}}
GROUP BY ?a ?b
"""


# ----------------------------------------------------------------------------------------------------------
# Node attributes
# ----------------------------------------------------------------------------------------------------------

def _year(value: Any) -> int | None:
    try:
        return int(str(value)[:4])
    except (TypeError, ValueError):
        return None


def _scheme_name(iri: str | None) -> str:
    return iri.rsplit("/", 1)[-1] if iri else ""


def _select(kg: KnowledgeGraph, sparql: str, only: tuple[str, Collection[str]] | None = None) -> list[dict[str, Any]]:
    """Rows of `sparql`; with `only` = (variable, IRIs), just those whose variable is one of the IRIs."""
    if only is None:
        return kg.select(sparql)
    name, iris = only
    return kg.select(bind_rows(sparql, name, [ox.NamedNode(i) for i in sorted(iris)]))


def _study_nodes(kg: KnowledgeGraph, only: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """Study IRI -> node attributes (GraphML-safe types; absent values are left out, never None); all studies,
    or only those IRIs."""
    restrict = None if only is None else ("study", only)
    nodes: dict[str, dict[str, Any]] = {}
    for r in _select(kg, _STUDIES, restrict):
        if r["study"] in nodes:
            continue
        key = r["key"] or r["study"].rsplit("/", 1)[-1]
        year = _year(r["year"])
        attrs: dict[str, Any] = {"kind": "study", "key": key, "title": r["title"] or key,
                                 "label": f"{r['family'] or key} {year}" if year else (r["family"] or key)}
        optional = {"year": year, "design": r["designLabel"], "design_iri": r["design"],
                    "level": int(r["notation"]) if str(r["notation"] or "").isdigit() else None,
                    "n": r["n"] if isinstance(r["n"], int) else None, "unit": r["unit"],
                    "verification": VERIFICATION_NAMES.get(r["status"]) if r["status"] else None}
        attrs.update({k: v for k, v in optional.items() if v is not None})
        nodes[r["study"]] = attrs
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _select(kg, _STUDY_PICO, restrict):
        roles[r["study"]][r["role"]].add(r["concept"])
    for study, attrs in nodes.items():
        for role, plural in (("intervention", "interventions"), ("population", "populations"),
                             ("comparator", "comparators"), ("outcome", "outcomes")):
            attrs[plural] = tuple(sorted(roles[study][role]))
    return nodes


def _claim_nodes(kg: KnowledgeGraph, only: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    nodes = {}
    for r in _select(kg, _CLAIMS, None if only is None else ("claim", only)):
        curie = "claim:" + r["claim"].removeprefix(CLAIM) if r["claim"].startswith(CLAIM) else r["claim"]
        nodes[r["claim"]] = {"kind": "claim", "label": r["label"] or curie, "curie": curie,
                             "statement": r["statement"] or "", "unbacked": bool(r["unbacked"])}
    return nodes


def _source_nodes(kg: KnowledgeGraph, only: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    nodes = {}
    for r in _select(kg, _SOURCES, None if only is None else ("source", only)):
        key = r["key"] or r["source"].rsplit("/", 1)[-1]
        year = _year(r["year"])
        label = r["publisher"] or key
        attrs: dict[str, Any] = {"kind": "source", "key": key, "title": r["title"] or key,
                                 "label": f"{label} {year}" if year else label}
        if r["publisher"]:
            attrs["publisher"] = r["publisher"]
        if year is not None:
            attrs["year"] = year
        nodes[r["source"]] = attrs
    return nodes


def _concept_attrs(iri: str, concepts: Mapping[str, ConceptInfo]) -> dict[str, Any]:
    info = concepts.get(iri)
    return {"kind": "concept", "label": info.label if info else iri.rsplit("/", 1)[-1],
            "scheme": _scheme_name(info.scheme if info else None)}


def _concept_meta(concepts: Mapping[str, ConceptInfo]) -> dict[str, dict[str, Any]]:
    """Labels and ancestors of every concept, kept in G.graph for subgraph()'s hierarchy-aware filters."""
    return {iri: {"label": c.label, "ancestors": c.ancestors} for iri, c in concepts.items()}


# ----------------------------------------------------------------------------------------------------------
# Projections
# ----------------------------------------------------------------------------------------------------------

def _add_evidence_edges(G: nx.Graph, kg: KnowledgeGraph, rows: list[dict[str, Any]] | None = None) -> None:
    for r in kg.select(_EVIDENCE) if rows is None else rows:
        if r["study"] not in G or r["claim"] not in G:
            continue
        stance = STANCE_NAMES.get(r["stance"], r["stance"].rsplit("#", 1)[-1].lower())
        G.add_edge(r["study"], r["claim"], relation="evidence", stance=stance, sign=STANCE_SIGN.get(stance, 0),
                   evidence=r["e"], rationale=r["rationale"] or "")


def study_claim_graph(kg: KnowledgeGraph) -> nx.Graph:
    """Bipartite studies-claims: one edge per evidence line, `stance` and `sign` (+1 supports, -1 contradicts,
    0 qualifies). Every cited study and every claim is a node, so claims no study bears on show as isolates."""
    G = nx.Graph(name="study-claim")
    G.add_nodes_from(_study_nodes(kg).items())
    G.add_nodes_from(_claim_nodes(kg).items())
    _add_evidence_edges(G, kg)
    G.graph["concepts"] = _concept_meta(concept_index(kg))  # for subgraph()'s intervention/outcome filters
    return G


def concept_graph(kg: KnowledgeGraph) -> nx.Graph:
    """Concepts that appear together on a claim (its subjects) or in a PICO frame; edge `weight` = the number of
    claims and frames they share, node `uses` = the number they appear in. Counted by the engine."""
    concepts = concept_index(kg)
    G = nx.Graph(name="concept")
    for r in kg.select(_CONCEPT_USES):
        G.add_node(r["a"], **_concept_attrs(r["a"], concepts), uses=r["uses"])
    for r in kg.select(_CONCEPT_PAIRS):
        G.add_edge(r["a"], r["b"], weight=r["weight"])
    G.graph["concepts"] = _concept_meta(concepts)
    return G


def coauthor_graph(kg: KnowledgeGraph, *, with_works: bool = False) -> nx.Graph:
    """People linked by the works they share (authors and source-article contributors alike).

    Default: person-person, edge `weight` = shared works (counted in SPARQL), node `works` = the keys of the
    person's works, so James D. Kang (person:kang-jd) carries both Devin 2012 and the Mass General Brigham article.
    with_works=True: the bipartite person-work authorship graph, in which Kang is the node joining those two works.
    """
    G = nx.Graph(name="coauthor-works" if with_works else "coauthor")
    works: dict[str, set[str]] = defaultdict(set)
    for r in kg.select(_AUTHORSHIP):
        key = r["key"] or r["work"].rsplit("/", 1)[-1]
        works[r["person"]].add(key)
        if r["person"] not in G:
            G.add_node(r["person"], kind="person", label=r["name"] or r["person"].rsplit("/", 1)[-1])
        if with_works:
            if r["work"] not in G:
                G.add_node(r["work"], kind="work", label=key, key=key)
            G.add_edge(r["person"], r["work"], relation=r["relation"])
    for person, keys in works.items():
        G.nodes[person]["works"] = tuple(sorted(keys))
        G.nodes[person]["n_works"] = len(keys)
    if not with_works:
        for r in kg.select(_COAUTHOR_PAIRS):
            shared = sorted(works[r["a"]] & works[r["b"]])
            G.add_edge(r["a"], r["b"], weight=r["shared"], works=tuple(shared))
    return G


def evidence_network(kg: KnowledgeGraph, *, people: bool = False, claims: Collection[str] | None = None) -> nx.Graph:
    """Studies, claims, concepts and source articles in one graph.

    Node `kind` (study | claim | concept | source [| person]) and `label`; studies carry title, year, design,
    level, n, verification and their PICO concept IRIs (interventions, populations, comparators, outcomes);
    claims their statement and `unbacked`. Edge `relation`: evidence (study-claim, with `stance` and `sign`),
    subject (claim-concept), pico (study-concept, `roles`), cites (source-study), asserts (source-claim),
    and with people=True author/contributor (person-study or person-source).

    With `claims` (claim IRIs) the network holds only those claims, the studies with evidence on them, the
    concepts those name and the source articles citing or asserting them: a bounded part of a large graph
    (the app draws one around the claims that kg/queries/network_claims.rq or network_neighbourhood.rq pick).
    """
    concepts = concept_index(kg)
    G = nx.Graph(name="evidence")
    if claims is None:
        evidence_rows = kg.select(_EVIDENCE)
        studies = _study_nodes(kg)
        claim_nodes = _claim_nodes(kg)
    else:
        evidence_rows = _select(kg, _EVIDENCE, ("claim", claims))
        studies = _study_nodes(kg, {r["study"] for r in evidence_rows})
        claim_nodes = _claim_nodes(kg, claims)
    G.add_nodes_from(studies.items())
    G.add_nodes_from(claim_nodes.items())
    links = _select(kg, _SOURCE_LINKS, None if claims is None else ("target", set(studies) | set(claim_nodes)))
    G.add_nodes_from(_source_nodes(kg, None if claims is None else {r["source"] for r in links}).items())
    _add_evidence_edges(G, kg, evidence_rows)

    for r in _select(kg, _CLAIM_SUBJECTS, None if claims is None else ("claim", claim_nodes)):
        if r["concept"] not in G:
            G.add_node(r["concept"], **_concept_attrs(r["concept"], concepts))
        G.add_edge(r["claim"], r["concept"], relation="subject")
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for study, attrs in studies.items():
        for role, plural in (("intervention", "interventions"), ("population", "populations"),
                             ("comparator", "comparators"), ("outcome", "outcomes")):
            for concept in attrs[plural]:
                roles[(study, concept)].add(role)
    for (study, concept), rs in roles.items():
        if concept not in G:
            G.add_node(concept, **_concept_attrs(concept, concepts))
        G.add_edge(study, concept, relation="pico", roles=tuple(sorted(rs)))
    for r in links:
        if r["target"] in G:
            G.add_edge(r["source"], r["target"], relation=r["relation"])
    if people:
        works = None if claims is None else ("work", {n for n, d in G.nodes(data=True)
                                                      if d.get("kind") in ("study", "source")})
        for r in _select(kg, _AUTHORSHIP, works):
            if r["work"] not in G:
                continue
            if r["person"] not in G:
                G.add_node(r["person"], kind="person", label=r["name"] or r["person"].rsplit("/", 1)[-1])
            G.add_edge(r["person"], r["work"], relation=r["relation"])
    G.graph["concepts"] = _concept_meta(concepts)
    return G


def project(kg: KnowledgeGraph, kind: str = "evidence") -> nx.Graph:
    """The projection named `kind`: evidence | study-claim | concept | coauthor."""
    builders = {"evidence": evidence_network, "study-claim": study_claim_graph, "concept": concept_graph,
                "coauthor": coauthor_graph}
    if kind not in builders:
        raise ValueError(f"unknown network kind '{kind}'; use one of {', '.join(KINDS)}")
    return builders[kind](kg)


# ----------------------------------------------------------------------------------------------------------
# Ranking
# ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RankedNode:
    """A node with its centralities."""

    node: str
    label: str
    kind: str
    degree: int
    degree_centrality: float
    betweenness: float


def rank_nodes(G: nx.Graph, top: int = 10, *, by: str = "betweenness") -> list[RankedNode]:
    """The `top` nodes by betweenness (default) or degree centrality, ties broken by the other, then label.

    Betweenness is unweighted (edge weights here count shared items, not distances). It is exact while
    nodes x edges stays under BETWEENNESS_BUDGET (the real graph: about 30 ms); above that it is estimated from
    seeded pivot nodes, as many as the budget allows (at least 32), so a ranking of a 10k-paper graph takes
    seconds, not minutes. The estimate is good at the top of the ranking, which is what this returns."""
    if by not in ("betweenness", "degree"):
        raise ValueError("by must be 'betweenness' or 'degree'")
    n, m = G.number_of_nodes(), max(G.number_of_edges(), 1)
    if n == 0:
        return []
    degree = nx.degree_centrality(G) if n > 1 else {node: 0.0 for node in G}
    k = None if n * m <= BETWEENNESS_BUDGET else min(n, max(32, BETWEENNESS_BUDGET // m))
    betweenness = nx.betweenness_centrality(G, k=k, seed=0 if k else None)
    ranked = [RankedNode(str(n), str(d.get("label", n)), str(d.get("kind", "")), G.degree(n), degree[n],
                         betweenness[n]) for n, d in G.nodes(data=True)]
    if by == "betweenness":
        ranked.sort(key=lambda r: (-r.betweenness, -r.degree, r.label))
    else:
        ranked.sort(key=lambda r: (-r.degree, -r.betweenness, r.label))
    return ranked[:top]


# ----------------------------------------------------------------------------------------------------------
# Filters
# ----------------------------------------------------------------------------------------------------------

def _matcher(wanted: Iterable[str], meta: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Concept IRIs named by IRIs, c:slug, slugs or labels (case-insensitive)."""
    base = "https://w3id.org/hipspine/concept/"
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


def subgraph(G: nx.Graph, *, kinds: Collection[str] | None = None, stances: Collection[str] | None = None,
             year_range: tuple[int | None, int | None] | None = None, interventions: Iterable[str] | None = None,
             outcomes: Iterable[str] | None = None, designs: Iterable[str] | None = None) -> nx.Graph:
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
    H = G.subgraph(keep).copy()
    H.remove_edges_from([e for e in dropped_edges if H.has_edge(*e)])
    return H


# ----------------------------------------------------------------------------------------------------------
# GraphML
# ----------------------------------------------------------------------------------------------------------

def _safe(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        if not value:
            return None  # an empty list is an absent value, as None is
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return "; ".join(str(v) for v in items)
    return str(value)


def graphml_safe(G: nx.Graph) -> nx.Graph:
    """A copy whose attributes GraphML can hold (str, int, float, bool): sequences joined with '; ', None and
    empty sequences dropped, graph-level attributes other than scalars (the concept index) left out."""
    H = G.__class__()
    H.graph.update({k: v for k, v in G.graph.items() if isinstance(v, (str, int, float, bool))})
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: s for k, v in d.items() if (s := _safe(v)) is not None})
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, **{k: s for k, val in d.items() if (s := _safe(val)) is not None})
    return H


def write_graphml(source: KnowledgeGraph | nx.Graph, path: Path | str, *, kind: str = "evidence") -> nx.Graph:
    """Write a network as GraphML (opens in Gephi and Cytoscape), atomically; returns the graph written.

    `source` is a graph, or a KnowledgeGraph whose projection `kind` is written."""
    from kg.store.serialize import write_atomic

    G = source if isinstance(source, nx.Graph) else project(source, kind)
    H = graphml_safe(G)
    data = "\n".join(nx.generate_graphml(H, encoding="utf-8", prettyprint=True)) + "\n"
    write_atomic(Path(path), data.encode("utf-8"))
    return H


# ----------------------------------------------------------------------------------------------------------
# vis-network HTML
# ----------------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, from the copy pyvis ships (read without importing pyvis)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the network view needs pyvis (pip install 'hipspine-kg[app]'), "
                                  "whose bundled vis-network is inlined into the page")
    lib = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # An inline script ends at the first "</script"; the library has none, but never let one through.
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _short(text: str, width: int = 26, lines: int = 3) -> str:
    """A canvas label: wrapped to a few short lines (vis draws \\n as a line break)."""
    wrapped = textwrap.wrap(text, width=width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1] + "…"
    return "\n".join(wrapped)


def _node_title(n: str, d: Mapping[str, Any], meta: Mapping[str, Mapping[str, Any]]) -> str:
    """Hover text as HTML: every value escaped, the tags are ours."""
    kind = str(d.get("kind", ""))
    rows = [f"<b>{_esc(d.get('label', n))}</b> <i>({_esc(kind or 'node')})</i>"]
    if kind == "study":
        rows.append(_esc(d.get("title", "")))
        facts = [d.get("year"), d.get("design"), f"Level {d['level']}" if "level" in d else None,
                 f"{d['n']} {d.get('unit', '')}".strip() if "n" in d else None, d.get("verification")]
        rows.append(_esc(" · ".join(str(f) for f in facts if f)))
        for plural, word in (("interventions", "intervention/test"), ("outcomes", "outcomes")):
            names = [str(meta.get(c, {}).get("label", c)) for c in d.get(plural, ())]
            if names:
                rows.append(f"{word}: {_esc(', '.join(names))}")
    elif kind == "claim":
        rows.append(_esc(d.get("statement", "")))
        if d.get("unbacked"):
            rows.append("<i>unbacked assertion: no cited study bears on it</i>")
    elif kind == "concept":
        rows.append(_esc(d.get("scheme", "")))
    elif kind in ("source", "work"):
        rows.append(_esc(d.get("title", d.get("key", ""))))
    elif kind == "person" and d.get("works"):
        rows.append("works: " + _esc(", ".join(str(w) for w in d["works"])))
    rows.append(f"<small>{_esc(n)}</small>")
    return "<br>".join(r for r in rows if r)


def _edge_title(d: Mapping[str, Any]) -> str:
    relation = str(d.get("relation", ""))
    parts = [f"<b>{_esc(d.get('stance', relation) or 'link')}</b>"]
    if d.get("rationale"):
        parts.append(_esc(textwrap.shorten(str(d["rationale"]), 400)))
    if d.get("roles"):
        parts.append("PICO " + _esc(", ".join(str(r) for r in d["roles"])))
    if d.get("weight") is not None and relation != "evidence":
        parts.append(f"shared: {_esc(d['weight'])}")
    return "<br>".join(parts)


def _resolve_focus(G: nx.Graph, focus: str) -> str:
    if focus in G:
        return focus
    wanted = focus.strip().lower()
    for n, d in G.nodes(data=True):
        if wanted in (str(d.get("label", "")).lower(), str(d.get("curie", "")).lower(), str(d.get("key", "")).lower()):
            return str(n)
    raise ValueError(f"focus node '{focus}' is not in the network")


def _json(data: Any) -> str:
    """JSON for an inline script: '<' is written as \\u003c, so no string in the data can close the script."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def to_vis_html(G: nx.Graph, *, max_nodes: int = 300, focus: str | None = None, depth: int | None = None,
                height: str = "650px") -> tuple[str, int]:
    """A self-contained vis-network page for the graph, and how many nodes the cap left out.

    Without `focus` the view is the whole graph; with it, the focus node's neighbourhood to `depth` hops
    (1 by default), the focus drawn larger. If the view has more than `max_nodes` nodes, the best-connected are
    kept (nearest the focus first) and the page says how many of each kind were left out. Colour and shape show
    the node kind, edge colour the stance (supports green, contradicts red, qualifies amber and dashed).
    vis-network is inlined (no network access needed); the layout is computed once (seeded physics) and then
    frozen. Every string from the data is HTML-escaped and the data JSON cannot close its script element.
    """
    if not _CSS_LENGTH.match(height):
        raise ValueError(f"height must be a CSS length such as '650px' or '80vh', not {height!r}")
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    focus_id = _resolve_focus(G, focus) if focus is not None else None
    degree = dict(G.degree())
    label = {n: str(d.get("label", n)) for n, d in G.nodes(data=True)}
    if focus_id is not None:
        distance = nx.single_source_shortest_path_length(G, focus_id, cutoff=1 if depth is None else max(depth, 0))
        candidates = sorted(distance, key=lambda n: (distance[n], -degree[n], label[n], str(n)))
    else:
        candidates = sorted(G, key=lambda n: (-degree[n], label[n], str(n)))
    kept = candidates[:max_nodes]
    left_out = Counter(str(G.nodes[n].get("kind", "node")) for n in candidates[max_nodes:])
    omitted = sum(left_out.values())
    H = G.subgraph(kept)
    meta: Mapping[str, Mapping[str, Any]] = G.graph.get("concepts", {})

    nodes = []
    for n, d in H.nodes(data=True):
        kind = str(d.get("kind", ""))
        colour, shape = NODE_STYLE.get(kind, ("#79706e", "dot"))
        if kind == "claim" and d.get("unbacked"):
            colour = UNBACKED_COLOUR
        size = round(10 + 4 * math.sqrt(degree[n]), 1)
        node: dict[str, Any] = {"id": str(n), "label": _esc(_short(label[n])), "title": _node_title(str(n), d, meta),
                                "color": colour, "shape": shape, "size": size}
        if kind == "concept":  # many and secondary: quieter labels keep studies and claims readable
            node["font"] = {"size": 11, "color": "#555555"}
        if n == focus_id:
            node.update(size=size + 12, borderWidth=4, color={"background": colour, "border": "#000000"})
        nodes.append(node)
    edges = []
    for u, v, d in H.edges(data=True):
        stance = d.get("stance")
        edge: dict[str, Any] = {"from": str(u), "to": str(v), "title": _edge_title(d),
                                "color": STANCE_COLOUR.get(str(stance), OTHER_EDGE_COLOUR),
                                "width": 2.5 if stance else 1}
        if stance == "qualifies":
            edge["dashes"] = True
        edges.append(edge)

    options = {
        "physics": {"enabled": True, "solver": "forceAtlas2Based",
                    "stabilization": {"enabled": True, "iterations": 400, "fit": True}},
        "layout": {"randomSeed": 7, "improvedLayout": len(nodes) <= 150},
        "interaction": {"hover": True, "tooltipDelay": 120},
        "edges": {"smooth": False},
        "nodes": {"font": {"size": 13, "face": "sans-serif"}},
    }
    shown = len(nodes)
    note = ""
    if omitted:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(left_out.items()))
        note = (f'<p class="kg-note">Showing {shown} of {shown + omitted} nodes (cap {max_nodes}); '
                f"left out {omitted}, the least connected: {_esc(kinds)}.</p>")
    shown_kinds = {str(d.get("kind")) for _, d in H.nodes(data=True)}
    legend = " ".join(f'<span><i style="background:{c}"></i>{_esc(k)}</span>' for k, (c, _) in NODE_STYLE.items()
                      if k in shown_kinds)
    legend += " " + " ".join(f'<span><i style="background:{c}"></i>{_esc(s)}</span>'
                             for s, c in STANCE_COLOUR.items())
    js, css = _vis_assets()
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Evidence network</title>
<style>{css}</style>
<style>
body {{ margin: 0; font-family: sans-serif; }}
#kg-network {{ width: 100%; height: {height}; border: 1px solid #ddd; }}
.kg-note {{ margin: 4px 0; font-size: 13px; color: #8a4b00; }}
.kg-legend {{ font-size: 12px; color: #444; margin: 4px 0; }}
.kg-legend span {{ margin-right: 10px; white-space: nowrap; }}
.kg-legend i {{ display: inline-block; width: 10px; height: 10px; margin-right: 3px; border-radius: 2px; }}
div.vis-tooltip {{ max-width: 420px; white-space: normal; }}
</style>
<script>{js}</script>
</head>
<body>
{note}<div class="kg-legend">{legend}</div>
<div id="kg-network"></div>
<script>
(function () {{
  // Data strings arrive HTML-escaped. Labels are drawn on the canvas, so they are decoded to plain text
  // (a textarea parses no tags); titles become elements whose only markup is ours.
  var decoder = document.createElement("textarea");
  function plain(s) {{ decoder.innerHTML = s; return decoder.value; }}
  function tip(s) {{ var div = document.createElement("div"); div.innerHTML = s; return div; }}
  var nodes = {_json(nodes)};
  var edges = {_json(edges)};
  nodes.forEach(function (n) {{ n.label = plain(n.label); n.title = tip(n.title); }});
  edges.forEach(function (e) {{ e.title = tip(e.title); }});
  var network = new vis.Network(document.getElementById("kg-network"),
      {{nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges)}}, {_json(options)});
  // Lay out once, then freeze: a still picture is easier to read and costs no CPU while it is open.
  network.once("stabilizationIterationsDone", function () {{ network.setOptions({{physics: false}}); }});
  window.kgNetwork = network;  // for browser tests and embedding pages
}})();
</script>
</body>
</html>
"""
    return page, omitted
