"""Reading the evidence: each function runs one query of kg/query/rq/internal/evidence_*.rq, values bound (never
pasted), and turns its rows into the plain dataclasses of kg.analysis.evidence.model.

The only module of the evidence analysis that talks to the graph; the rules that judge the rows are pure
functions in the modules beside it.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.analysis.evidence.model import (
    ClaimRecord,
    ConceptInfo,
    DiscrepancyRow,
    LevelCount,
    Pico,
    ReportedInterval,
    StudyEvidence,
    UnverifiedFieldRow,
)
from kg.model.vocab import LOE_WEIGHTS, STANCE_NAMES, VERIFICATION_NAMES, C
from kg.query.named import internal_query

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

LEVELS_SCHEME = C + "levels-of-evidence"


@functools.cache
def _sparql(name: str) -> str:
    """The text of an internal query, read once: a summary runs seven of them, a few hundred summaries a page."""
    return internal_query(name).text


def _select(kg: KnowledgeGraph, name: str, **bound: str | None) -> list[dict[str, Any]]:
    """Rows of the internal query `name`, with each given IRI bound to its variable (None leaves it open)."""
    bindings = {var: ox.NamedNode(iri) for var, iri in bound.items() if iri is not None}
    return kg.select(_sparql(name), bindings or None)


# ----------------------------------------------------------------------------------------------------------
# Claims
# ----------------------------------------------------------------------------------------------------------

def claim_names(kg: KnowledgeGraph) -> dict[str, str]:
    """Every claim IRI with its label."""
    return {r["claim"]: r["label"] or "" for r in _select(kg, "claim_labels")}


def is_claim(kg: KnowledgeGraph, iri: str) -> bool:
    """Whether `iri` names a claim (one bound look-up); False for text that is not an IRI at all."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return bool(_select(kg, "claim_labels", claim=iri))


def claim_record(kg: KnowledgeGraph, claim: str) -> ClaimRecord:
    """The claim's label, statement, subject concepts and asserting source articles (`claim` must be a claim)."""
    info = _select(kg, "claim_labels", claim=claim)[0]
    subjects: list[str] = []
    subject_labels: list[str] = []
    asserted: list[str] = []
    for r in _select(kg, "evidence_claim_links", claim=claim):
        if r["what"] == "subject":
            subjects.append(r["node"])
            subject_labels.append(r["text"] or r["node"].rsplit("/", 1)[-1])
        else:
            asserted.append(r["text"] or r["node"])
    return ClaimRecord(info["label"], info["statement"], bool(info["unbacked"]), subjects, subject_labels, asserted)


# ----------------------------------------------------------------------------------------------------------
# Evidence lines
# ----------------------------------------------------------------------------------------------------------

def _level(notation: Any) -> int | None:
    try:
        return int(notation)
    except (TypeError, ValueError):
        return None


def _year(value: Any) -> int | None:
    try:
        return int(str(value)[:4])
    except (TypeError, ValueError):
        return None


def _study_row(row: Mapping[str, Any]) -> StudyEvidence:
    key = row["key"] or row["study"].rsplit("/", 1)[-1]
    year = _year(row["year"])
    family = row["family"] or key
    level = _level(row["notation"])
    return StudyEvidence(
        evidence=row["e"], claim=row["claim"], study=row["study"], key=key,
        label=f"{family} {year}" if year else family,
        title=row["title"] or key, year=year,
        design=row["designLabel"], design_iri=row["design"],
        level=level, level_label=row["levelLabel"],
        sample_size=row["n"] if isinstance(row["n"], int) else None, sample_unit=row["unit"],
        stance=STANCE_NAMES.get(row["stance"], row["stance"].rsplit("#", 1)[-1].lower()),
        rationale=row["rationale"] or "", follow_up=row["followUp"],
        verification=VERIFICATION_NAMES.get(row["status"]) if row["status"] else None,
        weight=LOE_WEIGHTS[level] if level in LOE_WEIGHTS else LOE_WEIGHTS[5],
    )


def evidence_lines(kg: KnowledgeGraph, claim: str | None = None) -> list[StudyEvidence]:
    """Evidence lines (of one claim, or all), one per line even where a study has two titles or levels."""
    seen: dict[str, StudyEvidence] = {}
    for row in _select(kg, "evidence_lines", claim=claim):
        if row["e"] not in seen:
            seen[row["e"]] = _study_row(row)
    return list(seen.values())


def level_counts(kg: KnowledgeGraph, claim: str) -> list[LevelCount]:
    """The claim's evidence lines counted by stance, study and level of evidence (what the balance weighs)."""
    return [LevelCount(STANCE_NAMES.get(r["stance"], r["stance"]), r["study"], r["level"], r["lines"])
            for r in _select(kg, "evidence_balance", claim=claim)]


# ----------------------------------------------------------------------------------------------------------
# Concepts, PICO frames and results
# ----------------------------------------------------------------------------------------------------------

def concept_index(kg: KnowledgeGraph) -> dict[str, ConceptInfo]:
    """Every concept of the graph by IRI (one query: about 100 concepts, 200 rows)."""
    labels: dict[str, str] = {}
    schemes: dict[str, str | None] = {}
    ancestors: dict[str, set[str]] = defaultdict(set)
    for r in _select(kg, "evidence_concepts"):
        labels.setdefault(r["c"], r["label"] or r["c"].rsplit("/", 1)[-1])
        if r["scheme"] and r["scheme"] != LEVELS_SCHEME:
            schemes.setdefault(r["c"], r["scheme"])
        ancestors[r["c"]].add(r["ancestor"])
    return {c: ConceptInfo(labels[c], schemes.get(c), frozenset(ancestors[c] | {c})) for c in labels}


def read_pico(kg: KnowledgeGraph, claim: str) -> Pico:
    """Per evidence line of the claim: concepts by PICO role (declared or not), and the wording of each group."""
    concepts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _select(kg, "evidence_pico_concepts", claim=claim):
        concepts[r["e"]][r["role"]].add(r["concept"])
    wording: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in _select(kg, "evidence_pico_wording", claim=claim):
        wording[r["e"]][r["role"]].append(r["text"])
    return Pico({e: dict(roles) for e, roles in concepts.items()}, {e: dict(roles) for e, roles in wording.items()})


def reported_intervals(kg: KnowledgeGraph, claim: str) -> list[ReportedInterval]:
    """Results on the claim's evidence lines with a numeric confidence interval, once per class of the result."""
    found = []
    for r in _select(kg, "evidence_intervals", claim=claim):
        try:
            lower, upper = float(r["lower"]), float(r["upper"])
        except (TypeError, ValueError):  # a malformed bound (a non-strict build): nothing to compare
            continue
        found.append(ReportedInterval(r["e"], r["res"], r["label"], lower, upper, r["type"]))
    return found


# ----------------------------------------------------------------------------------------------------------
# Source articles and their accounts of the studies
# ----------------------------------------------------------------------------------------------------------

def source_articles(kg: KnowledgeGraph) -> dict[str, str]:
    """Every source article's IRI by its BibTeX key (by its IRI where it has no key)."""
    return {r["key"] or r["source"]: r["source"] for r in _select(kg, "source_articles")}


def discrepancies(kg: KnowledgeGraph, source: str | None = None) -> list[DiscrepancyRow]:
    """The recorded discrepancies (of one source article's IRI, or all)."""
    return [DiscrepancyRow(r["disc"], r["kind"], r["source"], r["sourceKey"], r["studyKey"], r["refNo"], r["aspect"],
                           r["articleSays"], r["recordSays"], r["checked"])
            for r in _select(kg, "evidence_discrepancies", source=source)]


def unverified_fields(kg: KnowledgeGraph, source: str | None = None) -> list[UnverifiedFieldRow]:
    """The unverified record fields of the studies source articles cite (of one source article's IRI, or all)."""
    return [UnverifiedFieldRow(r["source"], r["sourceKey"], r["studyKey"], r["refNo"], r["citedAs"], r["status"],
                               r["note"], r["field"])
            for r in _select(kg, "evidence_unverified_fields", source=source)]
