"""Tables that give the graph's terms their names, weights and colours: written once, used by analysis, CLI and app.

Every key is a term of the project vocabulary (kg/model/ontology/hipspine.ttl) or a concept of
kg/model/ontology/concepts.ttl; the values are what a reader sees.
"""
from __future__ import annotations

from kg.model.namespace import PREFIXES

HS = PREFIXES["hs"]
C = PREFIXES["c"]
CLAIM = PREFIXES["claim"]
OBO = PREFIXES["obo"]

STANCE_NAMES = {HS + "Supporting": "supports", HS + "Contradicting": "contradicts", HS + "Qualifying": "qualifies",
                HS + "Inconclusive": "inconclusive"}
KIND_NAMES = {HS + "Misreport": "misreport", HS + "StaleCitation": "stale citation",
              HS + "CharacterisationGap": "characterisation gap"}
VERIFICATION_NAMES = {HS + "Verified": "verified", HS + "PartlyVerified": "partly verified",
                      HS + "Unverified": "unverified"}

LEVEL_LABELS = {1: "Level I", 2: "Level II", 3: "Level III", 4: "Level IV", 5: "Level V"}

# Network projections (kg.analysis.network) and how they are drawn.
NETWORK_KINDS = ("evidence", "study-claim", "concept", "coauthor")
STANCE_SIGN = {"supports": 1, "contradicts": -1, "qualifies": 0, "inconclusive": 0}
NODE_STYLE = {  # kind -> (colour, vis shape); colour-blind-safe Tableau 10 hues
    "study": ("#4e79a7", "dot"),
    "claim": ("#b07aa1", "diamond"),
    "concept": ("#9c755f", "triangle"),
    "source": ("#f28e2b", "square"),
    "person": ("#76b7b2", "star"),
    "work": ("#bab0ac", "square"),
}
UNBACKED_COLOUR = "#e8d2e2"  # claims no study bears on: a pale claim colour, so gaps stand out
# One palette for stances everywhere (network edges, timeline marks, tables).
STANCE_COLOUR = {"supports": "#2e8b3e", "contradicts": "#d62728", "qualifies": "#f0a30a", "inconclusive": "#7f7f7f"}
OTHER_EDGE_COLOUR = "#c7c7c7"
