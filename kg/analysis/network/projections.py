"""networkx projections of the evidence graph, built from a handful of SELECTs (never from all triples).

Node ids are the nodes' IRIs. Each projection keeps the concept index in G.graph["concepts"] (where it has
concepts), which subgraph()'s hierarchy-aware filters and the vis page's hover text read.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis.evidence import concept_index
from kg.analysis.network.nodes import (
    PICO_ATTRS,
    claim_nodes,
    concept_attrs,
    concept_meta,
    select,
    source_nodes,
    study_nodes,
)
from kg.model.namespace import compact
from kg.model.vocab import NETWORK_KINDS, STANCE_NAMES, STANCE_SIGN

if TYPE_CHECKING:
    from collections.abc import Callable

    from kg.query.guard.policy import UserQueryResult
    from kg.store.graph import KnowledgeGraph


def _add_evidence_edges(G: nx.Graph[str], rows: list[dict[str, Any]]) -> None:
    for r in rows:
        if r["study"] not in G or r["claim"] not in G:
            continue
        stance = STANCE_NAMES.get(r["stance"], r["stance"].rsplit("#", 1)[-1].lower())
        G.add_edge(r["study"], r["claim"], relation="evidence", stance=stance, sign=STANCE_SIGN.get(stance, 0),
                   evidence=r["e"], rationale=r["rationale"] or "")


def study_claim_graph(kg: KnowledgeGraph) -> nx.Graph[str]:
    """Bipartite studies-claims: one edge per evidence line, `stance` and `sign` (+1 supports, -1 contradicts,
    0 qualifies). Every cited study and every claim is a node, so claims no study bears on show as isolates."""
    G: nx.Graph[str] = nx.Graph(name="study-claim")
    G.add_nodes_from(study_nodes(kg).items())
    G.add_nodes_from(claim_nodes(kg).items())
    _add_evidence_edges(G, select(kg, "network_evidence_lines"))
    G.graph["concepts"] = concept_meta(concept_index(kg))  # for subgraph()'s intervention/outcome filters
    return G


def concept_graph(kg: KnowledgeGraph) -> nx.Graph[str]:
    """Concepts that appear together on a claim (its subjects) or in a PICO frame; edge `weight` = the number of
    claims and frames they share, node `uses` = the number they appear in. Counted by the engine."""
    concepts = concept_index(kg)
    G: nx.Graph[str] = nx.Graph(name="concept")
    for r in select(kg, "network_concept_uses"):
        G.add_node(r["a"], **concept_attrs(r["a"], concepts), uses=r["uses"])
    for r in select(kg, "network_concept_pairs"):
        G.add_edge(r["a"], r["b"], weight=r["weight"])
    G.graph["concepts"] = concept_meta(concepts)
    return G


def coauthor_graph(kg: KnowledgeGraph, *, with_works: bool = False) -> nx.Graph[str]:
    """People linked by the works they share (authors and source-article contributors alike).

    Default: person-person, edge `weight` = shared works (counted in SPARQL), node `works` = the keys of the
    person's works, so James D. Kang (person:kang-jd) carries both Devin 2012 and the Mass General Brigham article.
    with_works=True: the bipartite person-work authorship graph, in which Kang is the node joining those two works.
    """
    G: nx.Graph[str] = nx.Graph(name="coauthor-works" if with_works else "coauthor")
    works: dict[str, set[str]] = defaultdict(set)
    for r in select(kg, "network_authorship"):
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
        for r in select(kg, "network_coauthor_pairs"):
            shared = sorted(works[r["a"]] & works[r["b"]])
            G.add_edge(r["a"], r["b"], weight=r["shared"], works=tuple(shared))
    return G


def evidence_network(kg: KnowledgeGraph, *, people: bool = False, claims: Collection[str] | None = None) -> nx.Graph[str]:
    """Studies, claims, concepts and source articles in one graph.

    Node `kind` (study | claim | concept | source [| person]) and `label`; studies carry title, year, design,
    level, n, verification and their PICO concept IRIs (interventions, populations, comparators, outcomes);
    claims their statement and `unbacked`. Edge `relation`: evidence (study-claim, with `stance` and `sign`),
    subject (claim-concept), pico (study-concept, `roles`), cites (source-study), asserts (source-claim),
    and with people=True author/contributor (person-study or person-source).

    With `claims` (claim IRIs) the network holds only those claims, the studies with evidence on them, the
    concepts those name and the source articles citing or asserting them: a bounded part of a large graph
    (the app draws one around the claims that the network_claims or network_neighbourhood query picks).
    """
    concepts = concept_index(kg)
    G: nx.Graph[str] = nx.Graph(name="evidence")
    if claims is None:
        evidence_rows = select(kg, "network_evidence_lines")
        studies = study_nodes(kg)
        claim_attrs = claim_nodes(kg)
    else:
        evidence_rows = select(kg, "network_evidence_lines", ("claim", claims))
        studies = study_nodes(kg, {r["study"] for r in evidence_rows})
        claim_attrs = claim_nodes(kg, claims)
    G.add_nodes_from(studies.items())
    G.add_nodes_from(claim_attrs.items())
    links = select(kg, "network_source_links", None if claims is None else ("target", set(studies) | set(claim_attrs)))
    G.add_nodes_from(source_nodes(kg, None if claims is None else {r["source"] for r in links}).items())
    _add_evidence_edges(G, evidence_rows)

    for r in select(kg, "network_claim_subjects", None if claims is None else ("claim", claim_attrs)):
        if r["concept"] not in G:
            G.add_node(r["concept"], **concept_attrs(r["concept"], concepts))
        G.add_edge(r["claim"], r["concept"], relation="subject")
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for study, attrs in studies.items():
        for role, plural in PICO_ATTRS:
            for concept in attrs[plural]:
                roles[(study, concept)].add(role)
    for (study, concept), rs in roles.items():
        if concept not in G:
            G.add_node(concept, **concept_attrs(concept, concepts))
        G.add_edge(study, concept, relation="pico", roles=tuple(sorted(rs)))
    for r in links:
        if r["target"] in G:
            G.add_edge(r["source"], r["target"], relation=r["relation"])
    if people:
        works = None if claims is None else ("work", {n for n, d in G.nodes(data=True)
                                                      if d.get("kind") in ("study", "source")})
        for r in select(kg, "network_authorship", works):
            if r["work"] not in G:
                continue
            if r["person"] not in G:
                G.add_node(r["person"], kind="person", label=r["name"] or r["person"].rsplit("/", 1)[-1])
            G.add_edge(r["person"], r["work"], relation=r["relation"])
    G.graph["concepts"] = concept_meta(concepts)
    return G


def project(kg: KnowledgeGraph, kind: str = "evidence") -> nx.Graph[str]:
    """The projection named `kind`: evidence | study-claim | concept | coauthor."""
    builders: dict[str, Callable[[KnowledgeGraph], nx.Graph[str]]] = {
        "evidence": evidence_network, "study-claim": study_claim_graph, "concept": concept_graph,
        "coauthor": coauthor_graph}
    if kind not in builders:
        raise ValueError(f"unknown network kind '{kind}'; use one of {', '.join(NETWORK_KINDS)}")
    return builders[kind](kg)


def triples_graph(result: UserQueryResult) -> nx.MultiDiGraph[str]:
    """A CONSTRUCT or DESCRIBE result's triples as a graph: IRIs and literals are nodes (each literal its own),
    predicates label the edges, IRIs are labelled by their CURIEs."""
    G: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for i, ((s, p, o), (_, _, o_term)) in enumerate(zip(result.rows, result.terms, strict=True)):
        literal_object = isinstance(o_term, ox.Literal)
        target = f"literal:{i}" if literal_object else str(o)
        G.add_node(str(s), kind="resource", label=compact(str(s)))
        G.add_node(target, kind="literal" if literal_object else "resource",
                   label=str(o) if literal_object else compact(str(o)))
        G.add_edge(str(s), target, relation=compact(str(p)))
    return G
