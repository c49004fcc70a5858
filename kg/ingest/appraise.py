"""The build's appraisal stage: rate the certainty of the evidence on every claim and write it into the graph.

Reads, once for the whole graph (kg/query/rq/internal/appraisal_*.rq and the evidence queries), each claim's
evidence lines, their studies' risk-of-bias assessments, PICO frames and results; hands each claim's
BodyOfEvidence to the pure rules (kg.appraisal.rate_certainty); writes the result as a hs:CertaintyAssessment
(cert:SLUG) with one hs:CertaintyStep per step of the working (cert:SLUG/N), so SPARQL can filter on it.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterator
from typing import Any

import pyoxigraph as ox

from kg.appraisal import BodyOfEvidence, Certainty, ConceptInfo, Line, Result, RiskOfBias, rate_certainty
from kg.appraisal.model import RESULT_KINDS as KINDS
from kg.ingest.records_nt import nt_literal
from kg.model.namespace import HS, PREFIXES
from kg.query.binding import bind_rows, bind_rows_in_branches
from kg.query.named import internal_query

CLAIM_BASE = PREFIXES["claim"]
CERT_BASE = PREFIXES["cert"]
C = PREFIXES["c"]
LEVELS = {4: HS.HighCertainty, 3: HS.ModerateCertainty, 2: HS.LowCertainty, 1: HS.VeryLowCertainty}
DIRECTIONS = {"holds": HS.ClaimHolds, "does not hold": HS.ClaimDoesNotHold, "unclear": HS.DirectionUnclear}
DOMAINS = {"start": HS.GradeStart, "risk of bias": HS.GradeRiskOfBias, "inconsistency": HS.GradeInconsistency,
           "indirectness": HS.GradeIndirectness, "imprecision": HS.GradeImprecision,
           "publication bias": HS.GradePublicationBias, "large effect": HS.GradeLargeEffect,
           "dose-response": HS.GradeDoseResponse}
# The stance IRI -> its name; "inconclusive" is the SEPIO stance for a result that settles nothing either way.
STANCES = {str(HS.Supporting): "supports", str(HS.Contradicting): "contradicts", str(HS.Qualifying): "qualifies",
           str(HS._NS) + "Inconclusive": "inconclusive"}
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SKOS_CONCEPT = PREFIXES["skos"] + "Concept"


def _rows(store: ox.Store, name: str, claims: Collection[str] | None = None,
          var: str = "claim") -> Iterator[dict[str, Any]]:
    """The rows of an internal query, each value as a Python string (None where unbound); with `claims` (IRIs), the
    query's ?var (?claim by default) bound to them (a VALUES table)."""
    text = internal_query(name).text
    if claims is not None:
        text = bind_rows(text, var, [ox.NamedNode(c) for c in sorted(claims)])
    solutions = store.query(text, prefixes=PREFIXES)
    variables = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    for solution in solutions:  # type: ignore[union-attr]
        # Unpacked by position: looking a solution up by name costs several times more on a large graph.
        yield dict(zip(variables, [t.value if t is not None else None for t in solution], strict=True))


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _set(value: str | None) -> frozenset[str]:
    return frozenset((value or "").split())


def concept_index(store: ox.Store) -> dict[str, ConceptInfo]:
    """Every concept's label, scheme (not the levels scheme) and ancestors."""
    labels: dict[str, str] = {}
    schemes: dict[str, str] = {}
    ancestors: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, "evidence_concepts"):
        labels.setdefault(r["c"], r["label"] or r["c"].rsplit("/", 1)[-1])
        if r["scheme"] and r["scheme"] != C + "levels-of-evidence":
            schemes.setdefault(r["c"], r["scheme"])
        ancestors[r["c"]].add(r["ancestor"])
    return {c: ConceptInfo(labels[c], schemes.get(c), frozenset(ancestors[c] | {c})) for c in labels}


def bodies(store: ox.Store, claims: Collection[str] | None = None) -> list[BodyOfEvidence]:
    """Every claim that an evidence line bears on (or only those of `claims`), with its lines as the rules read
    them."""
    concepts = concept_index(store)
    line_rows = list(_rows(store, "appraisal_lines", claims))
    # Rating some claims only (a change to a large store): read only their lines' studies and frames too.
    studies = {r["study"] for r in line_rows} if claims is not None else None
    evidence = {r["e"] for r in line_rows} if claims is not None else None
    robs: dict[str, RiskOfBias] = {}
    for r in _rows(store, "appraisal_rob", studies, "study"):
        robs.setdefault(r["study"], RiskOfBias(r["rob"], r["toolLabel"], r["overallLabel"] if r["overall"] else None,
                                               r["reason"] or ""))
    results: dict[str, list[Result]] = defaultdict(list)
    for r in _rows(store, "appraisal_results", claims):
        value = _float(r["value"])
        if value is None:
            continue
        kind = next((KINDS[t] for t in sorted(_set(r["types"])) if t in KINDS), "measure")
        results[r["e"]].append(Result(
            r["res"], r["label"] or r["res"].rsplit("/", 1)[-1], kind, value, _float(r["lower"]), _float(r["upper"]),
            _float(r["p"]), r["prel"], _set(r["tests"]), _set(r["targets"]), _set(r["refs"]), _set(r["outcomes"]),
            r["observer"], r["group"]))
    pico: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _rows(store, "appraisal_pico", evidence, "e"):
        pico[r["e"]][r["role"]].add(r["concept"])
    lines: dict[str, dict[str, Line]] = defaultdict(dict)
    for r in line_rows:
        if r["e"] in lines[r["claim"]]:
            continue
        key = r["key"] or r["study"].rsplit("/", 1)[-1]
        year = (r["year"] or "")[:4]
        family = r["family"] or key
        lines[r["claim"]][r["e"]] = Line(
            r["e"], r["study"], f"{family} {year}".strip(), STANCES.get(r["stance"], r["stance"].rsplit("#", 1)[-1]),
            r["designLabel"], r["design"], _int(r["n"]), r["unit"], robs.get(r["study"]),
            tuple(sorted(results.get(r["e"], []), key=lambda x: x.iri)),
            {role: frozenset(cs) for role, cs in pico.get(r["e"], {}).items()})
    found = []
    for r in _rows(store, "appraisal_claims", claims):
        claim_lines = tuple(sorted(lines.get(r["claim"], {}).values(), key=lambda x: x.evidence))
        found.append(BodyOfEvidence(r["claim"], claim_lines, r["question"], tuple(sorted(_set(r["subjects"]))),
                                    concepts))
    return sorted(found, key=lambda b: b.claim)


def certainty_iri(claim: str) -> str:
    """cert:SLUG for claim:SLUG; a claim outside the namespace gets a digest of its IRI."""
    if claim.startswith(CLAIM_BASE):
        return CERT_BASE + claim[len(CLAIM_BASE):]
    return CERT_BASE + "iri-" + hashlib.sha256(claim.encode()).hexdigest()[:16]


def _iri(term: object) -> str:
    return f"<{term}>"


P_CERTAINTY, P_LEVEL, P_START = _iri(HS.certainty), _iri(HS.certaintyLevel), _iri(HS.startingLevel)
P_DIRECTION, P_OUTCOME, P_STEP = _iri(HS.certaintyDirection), _iri(HS.certaintyOutcome), _iri(HS.certaintyStep)
P_ORDER, P_DOMAIN, P_CHANGE = _iri(HS.stepOrder), _iri(HS.gradeDomain), _iri(HS.levelChange)
P_ASSESSABLE, P_REASON, P_BASED = _iri(HS.assessable), _iri(HS.reason), _iri(HS.basedOn)
P_TYPE, T_CERTAINTY = f"<{RDF_TYPE.value}>", _iri(HS.CertaintyAssessment)
LEVEL_IRIS = {k: _iri(v) for k, v in LEVELS.items()}
DIRECTION_IRIS = {k: _iri(v) for k, v in DIRECTIONS.items()}
DOMAIN_IRIS = {k: _iri(v) for k, v in DOMAINS.items()}
BOOLEANS = {True: nt_literal("true", "boolean"), False: nt_literal("false", "boolean")}


def certainty_ntriples(claim: str, certainty: Certainty) -> list[str]:
    """The N-Triples lines of one claim's certainty and its working (text, not term objects: at 10k papers the
    build writes a few hundred thousand of them)."""
    node = f"<{certainty_iri(claim)}>"
    out = [f"<{claim}> {P_CERTAINTY} {node} .\n", f"{node} {P_TYPE} {T_CERTAINTY} .\n",
           f"{node} {P_LEVEL} {LEVEL_IRIS[certainty.level]} .\n", f"{node} {P_START} {LEVEL_IRIS[certainty.start]} .\n",
           f"{node} {P_DIRECTION} {DIRECTION_IRIS[certainty.direction]} .\n",
           f"{node} {P_OUTCOME} {nt_literal(certainty.outcome)} .\n"]
    for n, step in enumerate(certainty.steps, start=1):
        s = f"<{certainty_iri(claim)}/{n}>"
        out += [f"{node} {P_STEP} {s} .\n",
                f"{s} {P_ORDER} {nt_literal(str(n), 'integer')} .\n", f"{s} {P_DOMAIN} {DOMAIN_IRIS[step.domain]} .\n",
                f"{s} {P_CHANGE} {nt_literal(str(step.change), 'integer')} .\n",
                f"{s} {P_ASSESSABLE} {BOOLEANS[step.assessable]} .\n", f"{s} {P_REASON} {nt_literal(step.reason)} .\n"]
        if step.assessable:  # a step the data could not judge rests on nothing (its reason says so)
            out += [f"{s} {P_BASED} <{iri}> .\n" for iri in sorted(set(step.based_on))]
    return out


def reappraise(store: ox.Store, claims: Collection[str] | None = None) -> tuple[int, int]:
    """Drop the certainty of every claim (or of `claims`) and rate them again, after a change made to a built store
    (a curation applied in place, an as-of copy without later studies): a rating must follow the evidence the store
    now holds. Returns (triples removed, triples added)."""
    removed = int(next(iter(_rows(store, "appraisal_count", claims)))["n"] or 0)
    clear = internal_query("appraisal_clear").text
    if claims is not None:
        clear = bind_rows(clear, "claim", [ox.NamedNode(c) for c in sorted(claims)])
    store.update(clear, prefixes=PREFIXES)
    return removed, appraise(store, claims, count_triples=True)


def affected_claims(store: ox.Store, touched: Collection[str]) -> set[str] | None:
    """The claims whose certainty a change touching the IRIs `touched` can move; None (all) when a concept changed,
    since a concept's place in the hierarchy reaches every claim that uses it."""
    if not touched:
        return set()
    nodes = [ox.NamedNode(x) for x in sorted(touched)]
    concept = ox.NamedNode(str(SKOS_CONCEPT))
    if any(next(store.quads_for_pattern(n, RDF_TYPE, concept), None) is not None for n in nodes):
        return None
    # Bound in each branch of the union: bound once at the top, the union is evaluated over the whole store first.
    text = bind_rows_in_branches(internal_query("appraisal_affected").text, "x", nodes)
    solutions = store.query(text, prefixes=PREFIXES)
    return {s["claim"].value for s in solutions}  # type: ignore[union-attr]


def appraise(store: ox.Store, claims: Collection[str] | None = None, *, count_triples: bool = False) -> int:
    """Rate every claim with evidence (or only `claims`) and write the certainties into the store; returns how
    many were written (claims, or with `count_triples` the triples written)."""
    lines: list[str] = []
    written = 0
    if claims is not None and not claims:
        return 0
    for body in bodies(store, claims):
        certainty = rate_certainty(body)
        if certainty is not None:
            lines += certainty_ntriples(body.claim, certainty)
            written += 1
    # lenient: the IRIs are the graph's own (claims, results, lines) and the project's namespaces
    store.load(input="".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return len(lines) if count_triples else written
