"""The appraisal rules: the GRADE-style certainty of the evidence on a claim (grade), a direction-of-effect
summary in the spirit of SWiM (direction), and random-effects pooling of comparable results (pool).

Pure functions of the plain dataclasses in `model`: no graph, no I/O. The build (kg.ingest.appraise) fills a
BodyOfEvidence per claim from the graph and writes the certainty back into it; the analysis and the pages read it.
"""
from __future__ import annotations

from kg.appraisal.direction import DirectionRow, DirectionSummary, direction_summary
from kg.appraisal.grade import rate_certainty
from kg.appraisal.model import GRADES, BodyOfEvidence, Certainty, ConceptInfo, Line, Result, RiskOfBias, Step
from kg.appraisal.pool import Estimate, Pooled, PoolGroup, pool, pool_groups

__all__ = ["GRADES", "BodyOfEvidence", "Certainty", "ConceptInfo", "DirectionRow", "DirectionSummary", "Estimate",
           "Line", "PoolGroup", "Pooled", "Result", "RiskOfBias", "Step", "direction_summary", "pool",
           "pool_groups", "rate_certainty"]
