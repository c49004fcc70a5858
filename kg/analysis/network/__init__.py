"""Network views of the evidence graph: networkx projections built from SPARQL results (projections), the
app's filters (filters), centrality rankings (ranking), GraphML export (graphml) and the claim budget that
bounds a drawing of a large graph (budget). The vis-network page that draws them is kg.render.vis.

Projections are built from a handful of SELECTs (kg/query/rq/internal/network_*.rq), never from all triples
and never through pyvis `from_nx`, which is quadratic. Node ids are the nodes' IRIs.
"""
from __future__ import annotations

from kg.analysis.network.budget import claims_around
from kg.analysis.network.filters import subgraph
from kg.analysis.network.graphml import graphml_text, write_graphml
from kg.analysis.network.projections import (
    coauthor_graph,
    concept_graph,
    evidence_network,
    project,
    study_claim_graph,
    triples_graph,
)
from kg.analysis.network.ranking import RankedNode, rank_nodes

__all__ = [
    "RankedNode",
    "claims_around",
    "coauthor_graph",
    "concept_graph",
    "evidence_network",
    "graphml_text",
    "project",
    "rank_nodes",
    "study_claim_graph",
    "subgraph",
    "triples_graph",
    "write_graphml",
]
