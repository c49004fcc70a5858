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

# Design-weighted balance: one weight per level of evidence (JBJS/Oxford, c:loe-1 .. c:loe-5).
# The scale is linear because each level down the hierarchy adds one more avenue for bias (randomisation lost,
# then prospective follow-up, then a comparison group, then patients altogether); a Level V opinion or lab study
# counts a fifth of a Level I trial. A study without a recorded level counts as Level V: an unappraised record
# should not outweigh an appraised one. kg/query/rq/claims.rq computes the same balance in SPARQL; a test
# checks that the two agree.
LOE_WEIGHTS: dict[int, float] = {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2}
LEVEL_LABELS = {1: "Level I", 2: "Level II", 3: "Level III", 4: "Level IV", 5: "Level V"}
GRADES = {4: "High", 3: "Moderate", 2: "Low", 1: "Very low"}

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
