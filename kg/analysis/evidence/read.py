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
    DiscrepancyRow,
    Pico,
    StudyEvidence,
    UnverifiedFieldRow,
)
from kg.appraisal.model import RESULT_KINDS, Certainty, ConceptInfo, Line, Result, RiskOfBias, Step
from kg.model.namespace import PREFIXES
from kg.model.vocab import STANCE_NAMES, VERIFICATION_NAMES, C
from kg.query.named import internal_query

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

LEVELS_SCHEME = C + "levels-of-evidence"
PREFIXES_HS = PREFIXES["hs"]


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
    )


def evidence_lines(kg: KnowledgeGraph, claim: str | None = None) -> list[StudyEvidence]:
    """Evidence lines (of one claim, or all), one per line even where a study has two titles or levels."""
    seen: dict[str, StudyEvidence] = {}
    for row in _select(kg, "evidence_lines", claim=claim):
        if row["e"] not in seen:
            seen[row["e"]] = _study_row(row)
    return list(seen.values())


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


# ----------------------------------------------------------------------------------------------------------
# The appraisal: the lines as the rules read them, and the certainty the build wrote
# ----------------------------------------------------------------------------------------------------------

def _words(value: Any) -> frozenset[str]:
    return frozenset(str(value or "").split())


def risk_of_bias(kg: KnowledgeGraph, study: str) -> RiskOfBias | None:
    """The study's risk-of-bias assessment (tool, overall judgement, reason), or None if it has none."""
    for r in _select(kg, "appraisal_rob", study=study):
        return RiskOfBias(r["rob"], r["toolLabel"], r["overallLabel"] if r["overall"] else None, r["reason"] or "")
    return None


def claim_lines(kg: KnowledgeGraph, claim: str, studies: list[StudyEvidence], pico: Pico) -> list[Line]:
    """The claim's evidence lines with their results and risk of bias, as kg.appraisal's rules read them."""
    kinds = RESULT_KINDS
    results: dict[str, list[Result]] = defaultdict(list)
    for r in _select(kg, "appraisal_results", claim=claim):
        try:
            value = float(r["value"])
        except (TypeError, ValueError):
            continue
        kind = next((kinds[t] for t in sorted(_words(r["types"])) if t in kinds), "measure")

        def num(x: Any) -> float | None:
            try:
                return float(x) if x is not None else None
            except (TypeError, ValueError):
                return None

        results[r["e"]].append(Result(r["res"], r["label"] or r["res"].rsplit("/", 1)[-1], kind, value,
                                      num(r["lower"]), num(r["upper"]), num(r["p"]), r["prel"], _words(r["tests"]),
                                      _words(r["targets"]), _words(r["refs"]), _words(r["outcomes"]), r["observer"],
                                      r["group"]))
    robs = {s.study: risk_of_bias(kg, s.study) for s in studies}
    return [Line(s.evidence, s.study, s.label, s.stance, s.design, s.design_iri, s.sample_size, s.sample_unit,
                 robs[s.study], tuple(sorted(results.get(s.evidence, []), key=lambda x: x.iri)),
                 {role: frozenset(cs) for role, cs in pico.concepts.get(s.evidence, {}).items()})
            for s in studies]


DIRECTION_NAMES = {PREFIXES_HS + "ClaimHolds": "holds", PREFIXES_HS + "ClaimDoesNotHold": "does not hold",
                   PREFIXES_HS + "DirectionUnclear": "unclear"}


def _boolean(value: Any) -> bool:
    """An xsd:boolean read as its lexical form (certainty.rq selects STR(): Virtuoso's booleans do not come back
    as booleans)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def read_certainty(kg: KnowledgeGraph, claim: str) -> Certainty | None:
    """The certainty the build wrote for the claim, with its working in order; None for a claim without one."""
    rows = _select(kg, "certainty", claim=claim)
    if not rows:
        return None
    first = rows[0]
    steps = tuple(Step(r["domain"], int(r["change"]), r["reason"], _boolean(r["assessable"])) for r in rows)
    return Certainty(int(first["rank"]), int(first["startRank"]), DIRECTION_NAMES.get(first["direction"], "unclear"),
                     first["outcome"], first["question"] or "not recorded", steps)


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
