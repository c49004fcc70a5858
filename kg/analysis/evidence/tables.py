"""The evidence as pandas tables: one row per evidence line, and one row per claim."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kg.analysis.evidence.read import claim_names, evidence_lines
from kg.analysis.evidence.summary import claim_summaries
from kg.model.namespace import compact

if TYPE_CHECKING:  # pandas is heavy: imported inside the functions
    import pandas as pd

    from kg.store.graph import KnowledgeGraph

EVIDENCE_COLUMNS = ["study", "label", "title", "year", "claim", "claim_label", "stance", "design", "level", "n", "unit",
                    "verification"]


def evidence_table(kg: KnowledgeGraph) -> pd.DataFrame:
    """Every evidence line as a row: study, title, year, claim, stance, design, level, n, unit, verification."""
    import pandas as pd

    claims = claim_names(kg)
    rows = []
    for s in evidence_lines(kg):
        rows.append({"study": s.key, "label": s.label, "title": s.title, "year": s.year,
                     "claim": compact(s.claim), "claim_label": claims.get(s.claim, ""), "stance": s.stance,
                     "design": s.design, "level": s.level, "n": s.sample_size, "unit": s.sample_unit,
                     "verification": s.verification})
    frame = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    for col in ("year", "level", "n"):
        frame[col] = frame[col].astype("Int64")
    return frame.sort_values(["claim", "stance", "study"], ignore_index=True)


def claims_overview(kg: KnowledgeGraph) -> pd.DataFrame:
    """One row per claim: counts by stance, the certainty with its direction, and the direction-of-effect verdict."""
    import pandas as pd

    rows = []
    for s in claim_summaries(kg):
        rows.append({"claim": s.curie, "label": s.label, "supporters": len(s.supporters),
                     "contradictors": len(s.contradictors), "qualifiers": len(s.qualifiers),
                     "inconclusive": len(s.inconclusive),
                     "certainty": s.certainty.grade if s.certainty else "no evidence",
                     "direction": s.certainty.direction if s.certainty else None,
                     "outcome": s.certainty.outcome if s.certainty else None,
                     "direction_of_effect": s.direction.verdict, "unbacked": s.unbacked})
    return pd.DataFrame(rows)
