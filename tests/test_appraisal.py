"""The appraisal: risk of bias per study on the real data, the GRADE certainty the build writes into the graph,
the rules themselves without a graph, the direction-of-effect summary and the pooling.
"""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import URIRef

from kg import KnowledgeGraph, load
from kg.appraisal import (
    BodyOfEvidence,
    Estimate,
    Line,
    Result,
    RiskOfBias,
    direction_summary,
    pool,
    pool_groups,
    rate_certainty,
)
from kg.appraisal.direction import sign_test
from kg.appraisal.grade import design_kind, events_ois, i_squared
from kg.ingest.appraise import bodies
from kg.ingest.build import DataSources, assemble
from tests.support.concepts import concept

RESOURCES = Path(__file__).parent / "resources"
C = "https://w3id.org/hipspine/concept/"
CLAIM = "https://w3id.org/hipspine/id/claim/"
# The tool each design calls for, by the root of its study-design concept.
TOOL_FOR = {"accuracy study": {"QUADAS-2"}, "cohort": {"ROBINS-E", "ROBINS-I"}, "systematic review": {"ROBIS"},
            "review of studies": {"ROBIS"},
            "laboratory": {"no risk-of-bias tool applies"}, "narrative review": {"no risk-of-bias tool applies"}}


@pytest.fixture(scope="module")
def real_bodies() -> list[BodyOfEvidence]:
    return bodies(assemble(DataSources.resolve()).store)


# --------------------------------------------------------------------------- risk of bias on the real data

def test_every_study_has_one_assessment_with_the_tool_its_design_calls_for(real_kg: KnowledgeGraph) -> None:
    rows = real_kg.select("""
        SELECT ?key ?design ?tool (COUNT(DISTINCT ?rob) AS ?n) WHERE {
          ?p a fabio:JournalArticle ; hs:bibKey ?key ; hs:studyDesign ?design .
          OPTIONAL { ?rob hs:assessesStudy ?p ; a ?cls . ?cls rdfs:subClassOf hs:RiskOfBiasAssessment ;
                     rdfs:label ?tool }
        } GROUP BY ?key ?design ?tool""")
    concepts = bodies(assemble(DataSources.resolve()).store)[0].concepts
    assert len(rows) == 13
    for r in rows:
        kind = design_kind(Line("e", "s", r["key"], "supports", design_iri=r["design"]), concepts)
        assert r["n"] == 1, f"{r['key']}: {r['n']} assessments"
        assert r["tool"] in TOOL_FOR[kind], f"{r['key']} ({kind}) is assessed with {r['tool']}"


def test_each_tool_judges_all_its_domains_and_the_overall_is_never_better_than_the_worst(
        real_kg: KnowledgeGraph) -> None:
    order = {"low": 0, "some concerns": 1, "no information": 1, "high": 2, "very high": 3}
    rows = real_kg.select("""
        SELECT ?rob ?tool ?overall (COUNT(?dj) AS ?domains) (MAX(?rank) AS ?worst) WHERE {
          ?rob a ?cls ; hs:overallJudgement/rdfs:label ?overall . ?cls rdfs:subClassOf hs:RiskOfBiasAssessment ;
               rdfs:label ?tool .
          ?rob hs:domainJudgement ?dj . ?dj hs:judgement/rdfs:label ?j
          VALUES (?j ?rank) { ("low" 0) ("some concerns" 1) ("no information" 1) ("high" 2) ("very high" 3) }
        } GROUP BY ?rob ?tool ?overall""")
    assert len(rows) == 9
    for r in rows:
        assert r["domains"] == {"QUADAS-2": 4, "ROBIS": 4, "ROBINS-E": 7}[r["tool"]], r["rob"]
        assert order[r["overall"]] >= r["worst"], f"{r['rob']}: overall {r['overall']} is better than a domain"


def test_every_judgement_has_its_reason_and_source(real_kg: KnowledgeGraph) -> None:
    missing = real_kg.select("""
        SELECT ?x WHERE { { ?x a hs:DomainJudgement } UNION { ?x a ?c . ?c rdfs:subClassOf hs:RiskOfBiasAssessment }
                          FILTER NOT EXISTS { ?x hs:reason ?r ; hs:sourceSection ?s } }""")
    assert missing == []


# --------------------------------------------------------------------------- the certainty in the built graph

def test_the_graph_holds_what_the_rules_compute(real_kg: KnowledgeGraph, real_bodies: list[BodyOfEvidence]) -> None:
    from kg.analysis.evidence import read_certainty

    rated = [b for b in real_bodies if b.lines]
    assert len(rated) == 22
    for body in rated:
        computed = rate_certainty(body)
        assert computed is not None
        # The graph keeps each step's records as hs:basedOn triples (checked below); the reader leaves them out.
        assert read_certainty(real_kg, body.claim) == replace(
            computed, steps=tuple(replace(s, based_on=()) for s in computed.steps))


def test_sparql_filters_claims_on_their_certainty(real_kg: KnowledgeGraph,
                                                  real_bodies: list[BodyOfEvidence]) -> None:
    rows = real_kg.select("""
        SELECT ?claim WHERE { ?claim hs:certainty ?c . ?c hs:certaintyLevel/hs:rank ?rank ;
                              hs:certaintyDirection hs:ClaimHolds . FILTER(?rank >= 2) }""")
    expected = set()
    for b in real_bodies:
        c = rate_certainty(b)
        if c and c.level >= 2 and c.direction == "holds":
            expected.add(b.claim)
    assert {r["claim"] for r in rows} == expected and expected


def test_no_rating_rests_on_a_domain_without_data_behind_it(real_kg: KnowledgeGraph) -> None:
    steps = real_kg.select("""
        SELECT ?step ?domain ?change ?assessable ?reason (COUNT(?b) AS ?based) WHERE {
          ?c a hs:CertaintyAssessment ; hs:certaintyStep ?step .
          ?step hs:gradeDomain/rdfs:label ?domain ; hs:levelChange ?change ; hs:assessable ?assessable ;
                hs:reason ?reason .
          OPTIONAL { ?step hs:basedOn ?b }
        } GROUP BY ?step ?domain ?change ?assessable ?reason""")
    assert len(steps) == 22 * 8
    for s in steps:
        if s["assessable"]:
            assert s["based"] > 0, f"{s['step']} judges {s['domain']} without records behind it"
        else:
            assert s["reason"].startswith(("cannot be assessed", "not considered")), s["step"]
            assert s["change"] <= 0, f"{s['step']}: a domain that cannot be judged never raises the rating"
        if s["domain"] == "imprecision" and not s["assessable"]:
            assert s["change"] < 0, "precision that cannot be shown is never counted as precise"


def test_a_conclusion_only_line_never_raises_a_claim_above_one_with_results(
        real_bodies: list[BodyOfEvidence]) -> None:
    only_conclusions, with_results = [], []
    for body in real_bodies:
        c = rate_certainty(body)
        if c is None:
            continue
        (with_results if any(line.results for line in body.lines) else only_conclusions).append(c.level)
    assert only_conclusions and with_results
    assert max(only_conclusions) <= min(with_results)


def test_the_working_agrees_with_itself(real_bodies: list[BodyOfEvidence]) -> None:
    for body in real_bodies:
        c = rate_certainty(body)
        if c is None:
            continue
        domains = [s.domain for s in c.steps]
        assert domains == ["start", "risk of bias", "inconsistency", "indirectness", "imprecision",
                           "publication bias", "large effect", "dose-response"]
        assert c.level == max(1, min(4, c.start + sum(s.change for s in c.steps))) or c.level == 1
        assert c.steps[0].reason.startswith(c.starting_grade)
        ups = [s for s in c.steps if s.change > 0]
        assert not ups or (c.start == 2 and c.steps[1].change == 0 and c.steps[4].change == 0)
        rated = [line for line in body.lines if line.results] or list(body.lines)
        summary = direction_summary(rated)
        towards, against = summary.towards, summary.against
        if any(line.results for line in body.lines):
            assert c.direction == ("holds" if towards > against else "does not hold" if against > towards
                                   else "unclear"), body.claim
        # Inconsistency is judged only where two studies report a comparable figure, and then it says which.
        if c.steps[2].assessable:
            assert "(" in c.steps[2].reason and "," in c.steps[2].reason.split("(")[1]


def test_the_certainty_of_some_claims(real_bodies: list[BodyOfEvidence]) -> None:
    by_slug = {b.claim.removeprefix(CLAIM): rate_certainty(b) for b in real_bodies}
    order = by_slug["fusion-order-changes-tha-risk"]
    assert order is not None and order.question == "intervention" and order.start == 2
    imprecision = order.steps[4]
    assert imprecision.change == -2 and "0.25 to 2.72" in imprecision.reason and "appreciable" in imprecision.reason
    labral = by_slug["mri-detects-labral-tears"]
    assert labral is not None and labral.start == 4  # diagnostic accuracy studies start High
    assert labral.steps[2].change == -1 and "60% (Lee 2019) to 84% (Rajeev 2017)" in labral.steps[2].reason
    skeletons = by_slug["hip-oa-predicts-lumbar-oa"]
    assert skeletons is not None and "specimens, not patients" in skeletons.steps[3].reason


# --------------------------------------------------------------------------- the rules, without a graph

CONCEPTS = dict([
    concept("hip-surgery", "hip surgery", "interventions"),
    concept("tha", "total hip arthroplasty", "interventions", "hip-surgery"),
    concept("arthroscopy", "hip arthroscopy", "interventions", "hip-surgery"),
    concept("mri", "MRI", "diagnostic-tests"),
    concept("labral-tear", "labral tear", "conditions"),
    concept("chondral", "chondral lesion", "conditions"),
    concept("dislocation", "dislocation", "outcomes"),
    concept("cohort", "cohort", "study-designs", "cohort-study"),
    concept("dta", "accuracy study", "study-designs", "diagnostic-accuracy-study"),
    concept("cadaveric", "cadaveric study", "study-designs", "laboratory-study"),
    concept("narrative", "narrative review", "study-designs", "narrative-review"),
])
LOW = RiskOfBias("urn:rob", "ROBINS-E", "low", "")
HIGH = RiskOfBias("urn:rob", "ROBINS-E", "high", "")


def line(key: str, *results: Result, stance: str = "supports", design: str = "cohort", n: int | None = 500,
         unit: str = "patients", rob: RiskOfBias | None = LOW, pico: dict[str, set[str]] | None = None) -> Line:
    return Line(f"urn:ev:{key}", f"urn:{key}", key, stance, design, C + design, n, unit, rob, results,
                {role: frozenset(C + c for c in cs) for role, cs in (pico or {}).items()})


def odds(iri: str, value: float, lower: float | None = None, upper: float | None = None) -> Result:
    return Result(iri, iri, "odds ratio", value, lower, upper, outcomes=frozenset({C + "dislocation"}))


def body(*lines: Line, question: str = "prognostic factor", subjects: tuple[str, ...] = ()) -> BodyOfEvidence:
    return BodyOfEvidence("urn:claim", lines, question, tuple(C + s for s in subjects), CONCEPTS)


def rated(b: BodyOfEvidence) -> dict[str, tuple[int, bool, str]]:
    c = rate_certainty(b)
    assert c is not None
    return {s.domain: (s.change, s.assessable, s.reason) for s in c.steps}


@pytest.mark.parametrize(("design", "question", "start"), [
    ("dta", "diagnostic accuracy", 4), ("cohort", "prognostic factor", 4), ("cohort", "intervention", 2),
    ("cohort", "exposure or association", 2), ("cadaveric", "mechanism", 2), ("narrative", "intervention", 1)])
def test_the_start_comes_from_question_type_and_design(design: str, question: str, start: int) -> None:
    c = rate_certainty(body(line("a", odds("r", 2.0, 1.5, 2.7), design=design), question=question))
    assert c is not None and c.start == start and c.question == question


def test_a_body_of_conclusions_stays_very_low_and_beside_results_is_not_rated() -> None:
    c = rate_certainty(body(line("a"), line("b")))
    assert c is not None and (c.start, c.level) == (1, 1) and "GRADE rates estimates" in c.steps[0].reason
    mixed = rate_certainty(body(line("a"), line("b", odds("r", 2.0, 1.5, 2.7))))
    assert mixed is not None and "not rated: a (the authors' conclusion" in mixed.steps[0].reason
    assert rate_certainty(body()) is None


def test_risk_of_bias_from_the_assessments() -> None:
    r = odds("r", 2.0, 1.5, 2.7)
    assert rated(body(line("a", r), line("b", r)))["risk of bias"][0] == 0
    assert rated(body(line("a", r, rob=HIGH), line("b", r, rob=HIGH)))["risk of bias"][0] == -1
    very = RiskOfBias("urn:rob", "ROBINS-E", "very high", "")
    assert rated(body(line("a", r, rob=very), line("b", r, rob=very)))["risk of bias"][0] == -2
    unclear = RiskOfBias("urn:rob", "QUADAS-2", "no information", "")
    assert rated(body(line("a", r, rob=unclear)))["risk of bias"][0] == -1  # no information is not low risk
    lab = RiskOfBias("urn:rob", "no risk-of-bias tool applies", None, "cadaveric")
    change, assessable, reason = rated(body(line("a", r, design="cadaveric", rob=lab), question="mechanism"))[
        "risk of bias"]
    assert (change, assessable) == (0, False) and reason.startswith("cannot be assessed")
    # A cohort that some tool covers but that has no judgement counts as no information.
    assert rated(body(line("a", r, rob=None)))["risk of bias"][0] == -1


def test_inconsistency_from_estimates_and_intervals_never_from_stances() -> None:
    assert not rated(body(line("a", odds("r", 2.0, 1.5, 2.7))))["inconsistency"][1]  # one study: cannot judge
    apart = rated(body(line("a", odds("r1", 2.0, 1.5, 2.7)), line("b", odds("r2", 0.5, 0.3, 0.8))))
    assert apart["inconsistency"][0] == -1 and "do not overlap" in apart["inconsistency"][2]
    close = rated(body(line("a", odds("r1", 2.0, 1.5, 2.7)), line("b", odds("r2", 2.2, 1.6, 3.0),
                                                                   stance="contradicts")))
    assert close["inconsistency"][0] == 0  # opposite stances, same estimates: consistent
    sens = frozenset({C + "labral-tear"})

    def sensitivity(iri: str, value: float) -> Result:
        return Result(iri, iri, "sensitivity", value, targets=sens)

    spread = rated(body(line("a", sensitivity("s1", 60.0), design="dta"), line("b", sensitivity("s2", 84.0),
                                                                               design="dta"),
                        question="diagnostic accuracy"))
    assert spread["inconsistency"][0] == -1 and "more than 20 points" in spread["inconsistency"][2]
    near = rated(body(line("a", sensitivity("s1", 80.0), design="dta"), line("b", sensitivity("s2", 84.0),
                                                                             design="dta"),
                      question="diagnostic accuracy"))
    assert near["inconsistency"][0] == 0


def test_indirectness_from_the_pico_against_the_claim() -> None:
    r = odds("r", 2.0, 1.5, 2.7)
    scope = rated(body(line("a", r, pico={"intervention": {"arthroscopy"}}), subjects=("tha",)))
    assert scope["indirectness"][0] == -1 and "hip arthroscopy" in scope["indirectness"][2]
    assert rated(body(line("a", r, pico={"intervention": {"tha"}}), subjects=("hip-surgery",)))[
        "indirectness"][0] == 0  # narrower than the claim: direct
    specimens = rated(body(line("a", r, design="cadaveric"), question="exposure or association"))
    assert specimens["indirectness"][0] == -1 and "specimens, not patients" in specimens["indirectness"][2]
    composite = Result("acc", "acc", "accuracy", 85.9, targets=frozenset({C + "labral-tear", C + "chondral"}))
    mixed = rated(body(line("a", composite, design="dta"), subjects=("labral-tear",), question="diagnostic accuracy"))
    assert mixed["indirectness"][0] == -1 and "together" in mixed["indirectness"][2]


@pytest.mark.parametrize(("lower", "upper", "change"), [
    (0.25, 2.72, -2), (0.48, 1.10, -1), (0.80, 1.20, 0), (1.5, 2.7, 0)])
def test_imprecision_of_a_ratio_against_no_effect_and_appreciable_effects(lower: float, upper: float,
                                                                          change: int) -> None:
    assert rated(body(line("a", odds("r", 1.0 if lower < 1 < upper else 2.0, lower, upper))))[
        "imprecision"][0] == change


def test_imprecision_in_one_unit_per_study_and_never_precise_by_default() -> None:
    assert events_ois(0.086) == 4720  # 25% relative reduction from 8.6%, alpha 0.05, power 0.8, two groups
    rates = (Result("e1", "fusion", "event rate", 31.4, p_value=0.008, p_relation="=",
                    outcomes=frozenset({C + "dislocation"})),
             Result("e2", "controls", "event rate", 8.6, p_value=0.008, p_relation="=",
                    outcomes=frozenset({C + "dislocation"})))
    small = rated(body(line("a", *rates, n=105)))["imprecision"]
    assert small[0] == -1 and "105 patients against an optimal information size of 4720" in small[2]
    assert small[2].count("event rates 31.4% vs 8.6%") == 1  # the two arms of one contrast are judged once
    coefficient = Result("b", "B", "coefficient", 4.35, 2.57, 6.12)
    assert rated(body(line("a", coefficient, n=1994)))["imprecision"][0] == 0
    few = rated(body(line("a", coefficient, n=101, unit="hips")))["imprecision"]
    assert few[0] == -1 and "101 hips against the 400 hips" in few[2]
    bare = rated(body(line("a", Result("s", "sensitivity 84%", "sensitivity", 84.0), design="dta"),
                      question="diagnostic accuracy"))["imprecision"]
    assert bare[:2] == (-1, False) and "no figure has an interval or a p-value" in bare[2]


def test_the_precision_of_an_accuracy_figure_comes_from_its_interval() -> None:
    def sensitivity(lower: float, upper: float) -> Result:
        return Result("s", "sensitivity", "sensitivity", 84.0, lower, upper)

    q = "diagnostic accuracy"
    assert rated(body(line("a", sensitivity(78.0, 89.0), design="dta"), question=q))["imprecision"][0] == 0
    wide = rated(body(line("a", sensitivity(60.0, 95.0), design="dta"), question=q))["imprecision"]
    assert wide[:2] == (-1, True) and "more than 20 points" in wide[2]


def test_publication_bias_is_always_stated() -> None:
    change, assessable, reason = rated(body(line("a", odds("r", 2.0, 1.5, 2.7))))["publication bias"]
    assert (change, assessable) == (0, False) and "fewer than the 10" in reason


def test_large_effects_rate_observational_evidence_up() -> None:
    q = "exposure or association"
    assert rated(body(line("a", odds("r", 2.5, 2.1, 3.0)), question=q))["large effect"][0] == 1
    assert rated(body(line("a", odds("r", 6.0, 5.2, 7.0)), question=q))["large effect"][0] == 2
    assert rated(body(line("a", odds("r", 2.5, 2.1, 3.0), rob=HIGH), question=q))["large effect"][0] == 0
    c = rate_certainty(body(line("a", odds("r", 6.0, 5.2, 7.0)), question=q))
    assert c is not None and c.level == 4  # Low + 2
    assert not rated(body(line("a", odds("r", 6.0, 5.2, 7.0))))["large effect"][1]  # starts High: not considered


def test_direction_of_effect_counts_studies_with_results_and_tests_the_sign() -> None:
    r = odds("r", 2.0, 1.5, 2.7)
    summary = direction_summary([line("a", r), line("b", r), line("c", r), line("d", stance="contradicts"),
                                 line("e", r, stance="inconclusive")])
    assert (summary.towards, summary.against, summary.unclear) == (3, 0, 1)
    assert [row.basis for row in summary.rows] == ["results"] * 3 + ["conclusion only", "results"]
    assert summary.sign_test_p == pytest.approx(0.25) and "3 of 3" in summary.verdict
    assert sign_test(5, 10) == pytest.approx(1.0) and sign_test(0, 6) == pytest.approx(2 / 64)


# --------------------------------------------------------------------------- pooling

def test_pooling_two_odds_ratios_on_the_log_scale() -> None:
    pooled = pool("odds ratio", [Estimate("a", "A", 2.1, 1.4, 3.2), Estimate("b", "B", 2.6, 1.9, 3.6)])
    # Q is below its degrees of freedom: no heterogeneity, so random effects equal the fixed-effect estimate.
    se = [(math.log(u) - math.log(lo)) / (2 * 1.959964) for lo, u in ((1.4, 3.2), (1.9, 3.6))]
    w = [1 / s ** 2 for s in se]
    fixed = (w[0] * math.log(2.1) + w[1] * math.log(2.6)) / sum(w)
    assert pooled.value == pytest.approx(math.exp(fixed), rel=1e-6)
    assert pooled.lower == pytest.approx(math.exp(fixed - 1.959964 / math.sqrt(sum(w))), rel=1e-4)
    assert (pooled.i2, pooled.tau2) == (0.0, 0.0) and pooled.log_scale


def test_pooling_heterogeneous_results_reports_i2_and_tau2_as_the_rules_do() -> None:
    estimates = [Estimate("a", "A", 0.86, 0.48, 1.54), Estimate("b", "B", 2.5, 1.5, 4.0)]
    pooled = pool("odds ratio", estimates)
    assert pooled.i2 == pytest.approx(86.7, abs=0.1) and pooled.tau2 > 0
    assert pooled.lower < pooled.value < pooled.upper
    same = i_squared([odds("r1", 0.86, 0.48, 1.54), odds("r2", 2.5, 1.5, 4.0)])
    assert same == pytest.approx(pooled.i2)


def test_results_pool_only_when_comparable_and_independent() -> None:
    r1, r2 = odds("r1", 2.1, 1.4, 3.2), odds("r2", 2.6, 1.9, 3.6)
    [group] = pool_groups([line("a", r1), line("b", r2)])
    assert group.pooled is not None and len(group.pooled.estimates) == 2
    [bare] = pool_groups([line("a", r1), line("b", odds("r2", 2.6))])
    assert bare.pooled is None and "fewer than two studies give an interval" in (bare.why_not or "")
    observers = pool_groups([line("a", r1, odds("r3", 2.0, 1.2, 3.0)), line("b", r2)])
    assert observers[0].pooled is None and "not independent" in (observers[0].why_not or "")
    other = Result("r4", "r4", "odds ratio", 2.0, 1.2, 3.0, outcomes=frozenset({C + "revision"}))
    assert pool_groups([line("a", r1), line("b", other)]) == []  # different outcomes: not comparable


def test_the_pooling_fixture_pools_in_the_built_graph_and_its_summary() -> None:
    from kg.analysis.evidence import claim_summary

    kg = load(RESOURCES / "pooling")
    s = claim_summary(kg, "fusion-raises-dislocation")
    [group] = s.pools
    assert group.pooled is not None and group.pooled.value == pytest.approx(2.40, abs=0.01)
    assert s.certainty is not None and "I² is 0%" in s.certainty.steps[2].reason
    [row] = kg.select("SELECT ?rank WHERE { ?c hs:certainty/hs:certaintyLevel/hs:rank ?rank }",
                      {"c": URIRef(CLAIM + "fusion-raises-dislocation")})
    assert row["rank"] == s.certainty.level


def test_every_claim_with_evidence_names_the_question_it_asks(real_kg: KnowledgeGraph) -> None:
    """The start of the rating depends on it; a claim without one would be rated as an association question."""
    missing = real_kg.select("""SELECT DISTINCT ?claim WHERE { ?e hs:evidenceFor ?claim .
                                FILTER NOT EXISTS { ?claim hs:questionType ?q } }""")
    assert missing == [], "add hs:questionType to these claims (claims.ttl, section 8)"


def test_an_as_of_view_rates_each_claim_again_on_the_earlier_evidence(real_kg: KnowledgeGraph) -> None:
    """The certainty the build wrote rests on every study; a view as of 2017 must not show a rating that the 2018
    and 2019 studies produced (Annabell's and Lee's lines on MRI for labral tears, Lee's CT-arthrography line)."""
    from kg.analysis.asof import as_of

    query = "SELECT ?c ?level WHERE { ?c hs:certainty ?x . ?x hs:certaintyLevel ?level }"
    earlier = as_of(real_kg, 2017)
    now = {r["c"]: r["level"] for r in real_kg.select(query)}
    then = {r["c"]: r["level"] for r in earlier.select(query)}
    assert CLAIM + "cta-better-than-mri-labral" in now and CLAIM + "cta-better-than-mri-labral" not in then
    assert set(then) < set(now)
    expected = {b.claim: c.level for b in bodies(earlier.snapshot()) if (c := rate_certainty(b)) is not None}
    levels = {4: "HighCertainty", 3: "ModerateCertainty", 2: "LowCertainty", 1: "VeryLowCertainty"}
    assert {c: str(v).rsplit("#", 1)[-1] for c, v in then.items()} == {c: levels[v] for c, v in expected.items()}
    assert then[CLAIM + "mri-detects-labral-tears"] != now[CLAIM + "mri-detects-labral-tears"]
