"""Evidence summaries, certainty, disagreements and fidelity: on the real data, on small fixtures, and the pure
rules (balance, grade, disagreement, fidelity) on plain dataclasses without a graph."""
from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from kg import KnowledgeGraph, load
from kg.analysis.evidence import (
    NO_EVIDENCE,
    BodyOfEvidence,
    UnknownClaimError,
    claim_names,
    claim_summary,
    claims_overview,
    evidence_table,
    explain_disagreements,
    fidelity_report,
    rate_certainty,
    resolve_claim,
)
from kg.analysis.evidence.balance import balance, verdict, weigh
from kg.analysis.evidence.disagreement import disagreements
from kg.analysis.evidence.fidelity import fidelity_items, source_iri
from kg.analysis.evidence.grade import design_tier, is_clinical, null_intervals, rate, study_indirectness
from kg.analysis.evidence.model import (
    ConceptInfo,
    DiscrepancyRow,
    LevelCount,
    NullInterval,
    Pico,
    ReportedInterval,
    StudyEvidence,
    UnverifiedFieldRow,
)
from kg.analysis.evidence.resolve import suggestions
from kg.model.vocab import GRADES, LEVEL_LABELS, LOE_WEIGHTS
from kg.render.text import render_balance, render_disagreement, render_summary, step_change

RESOURCES = Path(__file__).parent / "resources"
CLAIM = "https://w3id.org/hipspine/id/claim/"
LUMBAR = "claim:lumbar-disease-worsens-hip-surgery"


def step(summary, domain: str):  # type: ignore[no-untyped-def]
    return next(s for s in summary.certainty.steps if s.domain == domain)


def pair(disagreements, first: str, second: str):  # type: ignore[no-untyped-def]
    return next(d for d in disagreements if d.first.key == first and d.second.key == second)


# --------------------------------------------------------------------------- claim resolution

@pytest.mark.parametrize("text", [LUMBAR, "lumbar-disease-worsens-hip-surgery",
                                  CLAIM + "lumbar-disease-worsens-hip-surgery",
                                  f"<{CLAIM}lumbar-disease-worsens-hip-surgery>"])
def test_a_claim_is_named_by_curie_slug_or_iri(real_kg: KnowledgeGraph, text: str) -> None:
    assert resolve_claim(real_kg, text) == CLAIM + "lumbar-disease-worsens-hip-surgery"


def test_an_unknown_claim_lists_close_matches(real_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownClaimError) as err:
        resolve_claim(real_kg, "lumbar-disease-worsens-hip")
    assert LUMBAR in err.value.suggestions
    assert "unknown claim 'lumbar-disease-worsens-hip'" in str(err.value)
    with pytest.raises(UnknownClaimError) as err:
        claim_summary(real_kg, "claim:no-such-thing-at-all")
    assert err.value.suggestions == []


# --------------------------------------------------------------------------- summaries

def test_lumbar_claim_has_two_supporters_and_no_arthroscopy_study(real_kg: KnowledgeGraph) -> None:
    s = claim_summary(real_kg, LUMBAR)
    assert sorted(x.key for x in s.supporters) == ["barry2017early", "eneqvist2017lumbar"]
    assert s.contradictors == [] and s.qualifiers == []  # Haskel studied hip arthroscopy: its own claim
    eneqvist = next(x for x in s.supporters if x.key == "eneqvist2017lumbar")
    assert (eneqvist.label, eneqvist.year, eneqvist.level, eneqvist.sample_size, eneqvist.sample_unit) == \
        ("Eneqvist 2017", 2017, 3, 1994, "patients")
    assert eneqvist.design == "register-based matched cohort" and eneqvist.level_label == "Level III"
    assert eneqvist.rationale.startswith("Patients with lumbar surgery before THA")
    assert step(s, "inconsistency").change == 0
    assert "Certainty:" in render_summary(s)


def test_a_contested_claim_is_rated_down_for_inconsistency(real_kg: KnowledgeGraph) -> None:
    s = claim_summary(real_kg, "mri-detects-chondral-lesions")
    inconsistency = step(s, "inconsistency")
    assert inconsistency.change == -1
    assert "Annabell 2018" in inconsistency.reason and "Rajeev 2017" in inconsistency.reason
    assert "different questions" in inconsistency.reason
    assert s.certainty.grade == "Very low" and "inconsistency" in render_summary(s)


def test_balance_weights_by_level_of_evidence(real_kg: KnowledgeGraph) -> None:
    b = claim_summary(real_kg, "mri-detects-chondral-lesions").balance
    assert (b.n_support, b.n_contradict, b.n_qualify) == (1, 1, 0)
    assert b.support == pytest.approx(LOE_WEIGHTS[2]) and b.contradict == pytest.approx(LOE_WEIGHTS[3])
    assert b.score == pytest.approx(0.2 / 1.4)


def test_the_sparql_balance_agrees_with_the_studies_listed_for_every_claim(real_kg: KnowledgeGraph) -> None:
    for iri in claim_names(real_kg):
        s = claim_summary(real_kg, iri)
        assert s.balance.support == pytest.approx(sum(x.weight for x in s.supporters))
        assert s.balance.contradict == pytest.approx(sum(x.weight for x in s.contradictors))
        assert s.balance.qualify == pytest.approx(sum(x.weight for x in s.qualifiers))
        assert s.certainty.grade in (*GRADES.values(), NO_EVIDENCE)
        # a claim with any evidence line is rated, an inconclusive one included
        lines = real_kg.select("SELECT ?e WHERE { ?e hs:evidenceFor ?c }", {"c": NamedNode(iri)})
        assert (s.certainty.grade == NO_EVIDENCE) == (not lines)


def test_an_unbacked_assertion_says_no_study_bears_on_it(real_kg: KnowledgeGraph) -> None:
    s = claim_summary(real_kg, "prolotherapy-treats-hip-and-spine")
    assert s.unbacked and s.studies == [] and s.asserted_by == ["hauser2021hipspine"]
    assert s.certainty.grade == NO_EVIDENCE and s.certainty.start is None
    assert "no cited study bears on this claim" in s.certainty.steps[0].reason
    assert s.balance.score is None and s.balance.verdict == "no evidence"


def test_a_confidence_interval_across_the_null_is_imprecise(real_kg: KnowledgeGraph) -> None:
    s = claim_summary(real_kg, "fusion-order-changes-tha-risk")
    imprecision = step(s, "imprecision")
    assert imprecision.change == -1
    assert "0.48 to 1.54" in imprecision.reason and "0.25 to 2.72" in imprecision.reason
    assert "null value 1" in imprecision.reason
    # a meta-analysis of Level III studies starts where its studies start
    assert s.certainty.start == "Low" and "pooling observational" in step(s, "start").reason


def test_a_large_precise_direct_cohort_is_not_rated_down(real_kg: KnowledgeGraph) -> None:
    s = claim_summary(real_kg, "prior-lumbar-surgery-worse-proms")
    assert [x.change for x in s.certainty.steps] == [0, 0, 0, 0, 0]
    assert s.certainty.grade == "Low"
    assert "1994 participants" in step(s, "imprecision").reason


def test_indirectness_lab_studies_for_clinical_claims_and_other_populations(real_kg: KnowledgeGraph) -> None:
    skeletons = step(claim_summary(real_kg, "hip-oa-predicts-lumbar-oa"), "indirectness")
    assert skeletons.change == -1 and "osteological collection study" in skeletons.reason
    # the facet-load claim is mechanistic: the cadaveric study answers it directly
    assert step(claim_summary(real_kg, "limited-hip-extension-loads-facets"), "indirectness").change == 0
    overlap = step(claim_summary(real_kg, "hip-spine-symptoms-overlap"), "indirectness")
    assert overlap.change == -1 and "Prather 2017 (population low back pain" in overlap.reason


def test_claims_overview_has_a_row_per_claim(real_kg: KnowledgeGraph) -> None:
    frame = claims_overview(real_kg)
    assert len(frame) == len(claim_names(real_kg))
    row = frame.set_index("claim").loc[LUMBAR]
    assert (row["supporters"], row["contradictors"]) == (2, 0)


# --------------------------------------------------------------------------- disagreements

def test_studies_of_different_index_tests_ask_different_questions(real_kg: KnowledgeGraph) -> None:
    pairs = explain_disagreements(real_kg, "mri-detects-labral-tears")
    assert {(d.first.key, d.second.key) for d in pairs} == {("rajeev2017validity", "lee2019accuracy")}
    d = pair(pairs, "rajeev2017validity", "lee2019accuracy")
    assert d.verdict == "different questions"
    test = next(x for x in d.differences if x.aspect == "index test")
    assert test.question_defining
    assert test.first.startswith("MR arthrography") and test.second.startswith("magnetic resonance imaging")
    assert "index test" in d.reason
    assert "MR arthrography" in render_disagreement(d)


def test_annabell_vs_lee_and_rajeev_differ_in_index_test(real_kg: KnowledgeGraph) -> None:
    reliable = explain_disagreements(real_kg, "mri-reliable-intra-articular")
    test = next(x for x in pair(reliable, "annabell2018hip", "lee2019accuracy").differences if x.aspect == "index test")
    assert test.first.startswith("non-arthrographic MRI") and test.second.startswith("magnetic resonance imaging")
    rajeev_lee = pair(reliable, "rajeev2017validity", "lee2019accuracy")  # Rajeev qualifies this claim
    assert rajeev_lee.first.stance == "qualifies"
    assert next(x for x in rajeev_lee.differences if x.aspect == "index test").first.startswith("MR arthrography")
    chondral = pair(explain_disagreements(real_kg, "mri-detects-chondral-lesions"), "annabell2018hip",
                    "rajeev2017validity")
    test = next(x for x in chondral.differences if x.aspect == "index test")
    assert (test.first.split(" (")[0], test.second.split(" (")[0]) == ("non-arthrographic MRI", "MR arthrography")
    assert chondral.verdict == "different questions" and "comparator" in chondral.same  # both against arthroscopy


def test_a_claim_without_contradiction_has_no_disagreements(real_kg: KnowledgeGraph) -> None:
    assert explain_disagreements(real_kg, "prior-lumbar-surgery-worse-proms") == []
    assert explain_disagreements(real_kg, "prolotherapy-treats-hip-and-spine") == []


BIB = """
@article{same2019a, author = {One, A.}, title = {Study A}, journal = {J}, year = {2019}, verification = {verified}}
@article{same2020b, author = {Two, B.}, title = {Study B}, journal = {J}, year = {2020}, verification = {verified}}
"""

CLAIMS = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix mp: <http://purl.org/mp/> . @prefix pico: <http://data.cochrane.org/ontologies/pico/> .
@prefix hs: <https://w3id.org/hipspine/vocab#> . @prefix c: <https://w3id.org/hipspine/concept/> .
@prefix ref: <https://w3id.org/hipspine/ref/> . @prefix claim: <https://w3id.org/hipspine/id/claim/> .
@prefix ev: <https://w3id.org/hipspine/id/evidence/> . @prefix pf: <https://w3id.org/hipspine/id/pico/> .
ref:same2019a hs:studyDesign c:retrospective-matched-cohort ; hs:levelOfEvidence c:loe-3 ;
    hs:sampleSize 300 ; hs:sampleUnit "patients" .
ref:same2020b hs:studyDesign c:register-matched-cohort ; hs:levelOfEvidence c:loe-2 ;
    hs:sampleSize 900 ; hs:sampleUnit "patients" .
pf:a a pico:PICO ; pico:population [ a pico:Population ; pico:condition c:prior-lumbar-fusion ] ;
    pico:interventionGroup [ a pico:InterventionGroup ; pico:intervention c:total-hip-arthroplasty ] ;
    pico:outcomeGroup [ a pico:OutcomeGroup ; pico:outcome c:dislocation ] .
pf:b a pico:PICO ; pico:population [ a pico:Population ; pico:condition c:prior-lumbar-fusion ] ;
    pico:interventionGroup [ a pico:InterventionGroup ; pico:intervention c:total-hip-arthroplasty ] ;
    pico:outcomeGroup [ a pico:OutcomeGroup ; pico:outcome c:dislocation ] .
claim:fusion-dislocation a mp:Claim ; rdfs:label "Fusion raises dislocation" ;
    mp:statement "A prior fusion raises THA dislocation." ;
    dcterms:subject c:lumbar-fusion , c:total-hip-arthroplasty , c:dislocation ; hs:sourceSection "Test" .
ev:a--fusion-dislocation a hs:Evidence ; hs:evidenceFrom ref:same2019a ; hs:evidenceFor claim:fusion-dislocation ;
    hs:stance hs:Supporting ; hs:pico pf:a ; hs:followUp "1 year" ; hs:rationale "More dislocations." ;
    hs:sourceSection "Abstract" .
ev:b--fusion-dislocation a hs:Evidence ; hs:evidenceFrom ref:same2020b ; hs:evidenceFor claim:fusion-dislocation ;
    hs:stance hs:Contradicting ; hs:pico pf:b ; hs:followUp "5 years" ; hs:rationale "No difference." ;
    hs:sourceSection "Abstract" .
"""


@pytest.fixture(scope="module")
def same_question_kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    """Two studies with the same PICO and opposite findings."""
    data = tmp_path_factory.mktemp("same-question")
    (data / "references.bib").write_text(BIB, encoding="utf-8")
    (data / "claims.ttl").write_text(CLAIMS, encoding="utf-8")
    return load(data)


def test_the_same_question_with_opposite_answers_is_a_real_conflict(same_question_kg: KnowledgeGraph) -> None:
    [d] = explain_disagreements(same_question_kg, "fusion-dislocation")
    assert d.verdict == "real conflict"
    assert {x.aspect for x in d.differences} == {"follow-up", "design", "level", "sample size"}
    assert not any(x.question_defining for x in d.differences)
    assert {"intervention", "population", "outcome"} <= set(d.same)
    s = claim_summary(same_question_kg, "fusion-dislocation")
    assert "the opposing studies ask the same question" in step(s, "inconsistency").reason
    assert step(s, "indirectness").change == 0 and step(s, "imprecision").change == 0


# --------------------------------------------------------------------------- fidelity

MISREPORTS = {"haskel2020-intervention", "haskel2020-back-pain-relief", "lee2019-test-swap", "rajeev2017-merged-range",
              "prather2017-population", "eneqvist2017-journal-name"}


def test_the_fidelity_report_lists_the_four_misreports_with_both_accounts(real_kg: KnowledgeGraph) -> None:
    items = fidelity_report(real_kg)
    misreports = {i.iri.rsplit("/", 1)[-1]: i for i in items if i.kind == "misreport" and i.iri}
    assert set(misreports) == MISREPORTS
    for item in misreports.values():
        assert item.source == "hauser2021hipspine"
        assert item.article_says and item.record_says and item.checked_against and item.reference
    swap = misreports["lee2019-test-swap"]
    assert swap.study == "lee2019accuracy" and swap.aspect == "index test" and swap.reference == 12
    assert "CT arthrography" in swap.article_says and "Those figures are MRI's" in swap.record_says
    assert "hip arthroscopy, not hip replacement" in misreports["haskel2020-intervention"].record_says
    [count] = real_kg.select("SELECT (COUNT(?d) AS ?n) WHERE { ?d a hs:Discrepancy }")
    assert sum(1 for i in items if i.iri) == count["n"]
    assert {i.kind for i in items} == {"misreport", "stale citation", "characterisation gap", "unverified fields"}


def test_the_fidelity_report_lists_unverified_fields_of_cited_studies(real_kg: KnowledgeGraph) -> None:
    fields = {i.study: i for i in fidelity_report(real_kg) if i.kind == "unverified fields"}
    assert fields["haskel2020concomitant"].fields == ["author", "title", "journal", "year", "volume", "number", "pages"]
    assert fields["barry2017early"].fields == ["volume", "number", "pages"]
    assert fields["barry2017early"].article_says.startswith("Barry JJ")  # the citation as the article prints it
    assert "partly verified" in fields["barry2017early"].checked_against


def test_the_fidelity_report_filters_by_source(real_kg: KnowledgeGraph) -> None:
    assert fidelity_report(real_kg, "kangmgbhipspine") == []
    assert fidelity_report(real_kg, "work:hauser2021hipspine") == fidelity_report(real_kg)
    with pytest.raises(LookupError, match="known: hauser2021hipspine, kangmgbhipspine"):
        fidelity_report(real_kg, "nobody2020")


# --------------------------------------------------------------------------- table and the mini fixture

def test_the_evidence_table_has_a_row_per_evidence_line(real_kg: KnowledgeGraph) -> None:
    table = evidence_table(real_kg)
    [count] = real_kg.select("SELECT (COUNT(?e) AS ?n) WHERE { ?e a hs:Evidence }")
    assert len(table) == count["n"]
    assert {"study", "claim", "stance", "design", "n", "year"} <= set(table.columns)
    lumbar = table[table["claim"] == LUMBAR]
    assert sorted(lumbar["stance"]) == ["supports", "supports"]
    assert lumbar.set_index("study").loc["eneqvist2017lumbar", "n"] == 1994


def test_the_mini_fixture_summaries() -> None:
    kg = load(RESOURCES / "mini")
    s = claim_summary(kg, LUMBAR)
    assert len(s.supporters) == 1 and len(s.contradictors) == 1
    assert step(s, "inconsistency").change == -1
    assert all(d.verdict == "different questions" for d in explain_disagreements(kg, LUMBAR))
    assert claim_summary(kg, "prolotherapy-treats-hip-and-spine").certainty.grade == NO_EVIDENCE
    assert any(i.kind == "misreport" for i in fidelity_report(kg))


# --------------------------------------------------------------------------- the pure rules, without a graph

C = "https://w3id.org/hipspine/concept/"
HS = "https://w3id.org/hipspine/vocab#"


def concept(slug: str, label: str, scheme: str, *broader: str) -> tuple[str, ConceptInfo]:
    return C + slug, ConceptInfo(label, C + scheme, frozenset({C + slug, *(C + b for b in broader)}))


CONCEPTS = dict([
    concept("hip-surgery", "hip surgery", "interventions"),
    concept("tha", "total hip arthroplasty", "interventions", "hip-surgery"),
    concept("arthroscopy", "hip arthroscopy", "interventions", "hip-surgery"),
    concept("mri", "MRI", "diagnostic-tests"),
    concept("mra", "MR arthrography", "diagnostic-tests", "mri"),
    concept("lumbar-fusion", "lumbar fusion", "conditions"),
    concept("low-back-pain", "low back pain", "conditions"),
    concept("dislocation", "dislocation", "outcomes", "adverse-outcome"),
    concept("facet-load", "facet load", "outcomes"),
    concept("cadaveric", "cadaveric study", "study-designs", "laboratory-study"),
])


def _study(key: str, *, level: int | None = 3, verification: str | None = "verified", n: int | None = 500,
           unit: str = "patients", stance: str = "supports", design: str = "retrospective cohort",
           design_iri: str | None = None, study: str | None = None, follow_up: str | None = None) -> StudyEvidence:
    """An evidence line of study `key` (its label is the key, its line urn:ev:KEY)."""
    return StudyEvidence(evidence=f"urn:ev:{key}", claim="urn:claim", study=study or f"urn:{key}", key=key, label=key,
                         title=key, year=2020, design=design, design_iri=design_iri, level=level,
                         level_label=LEVEL_LABELS.get(level) if level else None,
                         sample_size=n, sample_unit=unit, stance=stance, rationale="", follow_up=follow_up,
                         verification=verification, weight=LOE_WEIGHTS.get(level or 5, LOE_WEIGHTS[5]))


def steps(body: BodyOfEvidence) -> list[tuple[str, int, str]]:
    return [(s.domain, s.change, s.reason) for s in rate_certainty(body).steps]


def test_one_level_iv_study_is_rated_very_low_step_by_step() -> None:
    certainty = rate_certainty(BodyOfEvidence([_study("Case 2020", level=4, n=50, design="case series")]))
    assert (certainty.start, certainty.grade) == ("Low", "Very low")
    assert [(s.domain, s.change, s.reason) for s in certainty.steps] == [
        ("start", 0, "Low, from the best design: Case 2020: case series (observational)"),
        ("risk of bias", -1, "serious: Case 2020 (Level IV)"),
        ("inconsistency", 0, "no study contradicts another"),
        ("indirectness", 0, "no study answers a different question"),
        ("imprecision", -1, "serious: 50 participants in total (Case 2020 50 patients), fewer than the 400 GRADE suggests"),
    ]


def test_certainty_starts_high_for_trials_and_rates_down_very_serious_when_all_are_affected() -> None:
    trial = "randomised controlled trial"
    clean = rate_certainty(BodyOfEvidence([_study("a", level=1, design=trial), _study("b", level=1, design=trial)]))
    assert clean.start == "High" and clean.grade == "High"
    shaky = rate_certainty(BodyOfEvidence([_study("a", level=1, verification="unverified", design=trial),
                                           _study("b", level=2, verification="unverified", stance="contradicts",
                                                  design=trial)]))
    changes = {x.domain: x.change for x in shaky.steps}
    assert changes["risk of bias"] == -2 and changes["inconsistency"] == -1
    assert shaky.grade == "Very low"  # High - 3, and never below Very low
    small = rate_certainty(BodyOfEvidence([_study("a", level=1, n=120, design=trial)]))
    assert small.grade == "Moderate" and "120 participants in total" in small.steps[-1].reason


def test_a_claim_without_studies_rests_on_the_asserting_article() -> None:
    rated = rate_certainty(BodyOfEvidence([], asserted_by=["hauser2021hipspine"]))
    assert (rated.grade, rated.start) == (NO_EVIDENCE, None)
    assert [(s.domain, s.reason) for s in rated.steps] == [
        ("evidence", "no cited study bears on this claim; it rests on the word of hauser2021hipspine")]
    assert rate_certainty(BodyOfEvidence([])).steps[0].reason == "no cited study bears on this claim"


def test_the_start_comes_from_the_best_design() -> None:
    review = _study("review", level=1, design="systematic review", design_iri=C + "sr")
    concepts = {C + "sr": ConceptInfo("systematic review", None, frozenset({C + "sr", C + "systematic-review"}))}
    assert design_tier(review, concepts) == (4, "review: systematic review (systematic, of Level I studies)")
    pooled = _study("pooled", level=3, design="meta-analysis", design_iri=C + "sr")
    assert design_tier(pooled, concepts) == (2, "pooled: meta-analysis pooling observational studies (observational)")
    assert design_tier(_study("opinion", level=5, design="expert opinion"), {})[0] == 1
    # ties between equal designs go to the lower level, then the verified record, then the larger sample
    body = BodyOfEvidence([_study("small", n=100), _study("large", n=900), _study("unverified", n=5000,
                                                                                    verification="unverified")])
    assert rate_certainty(body).steps[0].reason == "Low, from the best design: large: retrospective cohort (observational)"


def test_imprecision_counts_participants_once_per_study_and_intervals_across_the_null() -> None:
    twice = [_study("a", n=300), _study("a2", n=300, study="urn:a")]  # one study on two lines
    assert steps(BodyOfEvidence(twice))[-1][1] == -1
    articles = [_study("review", n=900, unit="articles")]
    assert steps(BodyOfEvidence(articles))[-1] == (
        "imprecision", -1, "serious: no study records how many participants it had")
    interval = NullInterval("a: odds ratio", 0.48, 1.54, 1.0)
    both = steps(BodyOfEvidence([_study("a", n=120)], null_intervals=[interval]))[-1]
    assert both[:2] == ("imprecision", -2) and both[2].startswith("very serious: 120 participants in total")
    assert both[2].endswith("; the confidence interval of a: odds ratio (0.48 to 1.54) contains the null value 1")
    large = steps(BodyOfEvidence([_study("a", n=1994)], null_intervals=[interval]))[-1]
    assert large[1] == -1
    assert steps(BodyOfEvidence([_study("a", n=1994)]))[-1] == (
        "imprecision", 0, "1994 participants in total and no interval contains the null")


def test_null_intervals_keep_results_whose_interval_contains_their_null() -> None:
    odds, coefficient = "http://purl.obolibrary.org/obo/STATO_0000182", HS + "RegressionCoefficient"
    reported = [ReportedInterval("urn:ev:a", "urn:res/r1", "a: odds ratio", 0.48, 1.54, odds),
                ReportedInterval("urn:ev:a", "urn:res/r1", "a: odds ratio", 0.48, 1.54, HS + "MeasuredResult"),
                ReportedInterval("urn:ev:a", "urn:res/r2", None, 1.2, 2.0, odds),  # excludes 1
                ReportedInterval("urn:ev:b", "urn:res/r3", None, -0.5, 0.3, coefficient),
                ReportedInterval("urn:ev:b", "urn:res/r4", None, -0.5, 0.3, HS + "MeanScore")]  # no null
    found = null_intervals(reported, [_study("a"), _study("b")])
    assert found == [NullInterval("a: odds ratio", 0.48, 1.54, 1.0), NullInterval("b r3", -0.5, 0.3, 0.0)]


def test_indirectness_compares_the_pico_with_the_claim_subjects_through_the_hierarchy() -> None:
    subjects = [C + "tha", C + "lumbar-fusion"]
    pico = {"urn:ev:direct": {"intervention": {C + "hip-surgery"}, "population": {C + "lumbar-fusion"}},
            "urn:ev:other": {"intervention": {C + "arthroscopy"}, "population": {C + "low-back-pain"}}}
    body = BodyOfEvidence([_study("direct"), _study("other"), _study("unframed")], subjects=subjects,
                          concepts=CONCEPTS, pico=pico)
    assert steps(body)[3] == ("indirectness", -1, "serious: other (studied hip arthroscopy, the claim is about "
                                                  "total hip arthroplasty; population low back pain, the claim is "
                                                  "about lumbar fusion)")


def test_a_lab_study_is_indirect_for_a_clinical_claim_only() -> None:
    lab = _study("lab", level=5, design="cadaveric study", design_iri=C + "cadaveric")
    assert study_indirectness(lab, {}, [C + "tha"], True, CONCEPTS) == [
        "cadaveric study on specimens, not patients, for a clinical claim"]
    assert is_clinical([C + "tha"], CONCEPTS) and is_clinical([C + "dislocation"], CONCEPTS)
    assert is_clinical([], CONCEPTS) and is_clinical([C + "unknown"], CONCEPTS)
    assert not is_clinical([C + "facet-load", C + "lumbar-fusion"], CONCEPTS)
    mechanistic = BodyOfEvidence([lab], subjects=[C + "facet-load"], concepts=CONCEPTS)
    assert steps(mechanistic)[3] == ("indirectness", 0, "no study answers a different question")


def test_rate_is_serious_for_some_and_very_serious_for_all_of_several() -> None:
    assert rate("d", [], 3, "is odd") == rate("d", [], 0, "is odd")
    assert (rate("d", ["x"], 1, "").change, rate("d", ["x"], 2, "").change, rate("d", ["x", "y"], 2, "").change) == \
        (-1, -1, -2)
    assert rate("d", ["x", "y"], 2, "").reason == "very serious: x; y"


def test_the_balance_sums_level_weights_exactly_and_counts_each_study_once() -> None:
    counts = [LevelCount("supports", "urn:s1", C + "loe-3", 2), LevelCount("supports", "urn:s2", C + "loe-3", 1),
              LevelCount("contradicts", "urn:s3", None, 1),  # unappraised: weighs as Level V
              LevelCount("contradicts", "urn:s4", C + "not-a-level", 1)]  # outside the table: not counted
    weighed = weigh(counts)
    assert weighed == {"supports": (2, 1.8), "contradicts": (1, 0.2)}
    b = balance(weighed)
    assert (b.support, b.contradict, b.qualify, b.n_support, b.n_contradict, b.n_qualify) == (1.8, 0.2, 0, 2, 1, 0)
    assert b.score == pytest.approx(0.8) and b.verdict == "favours the claim"
    assert render_balance(b) == ("for 1.8 (2 studies), against 0.2 (1), qualifying 0.0 (0); "
                                 "score +0.80: favours the claim")
    qualified = balance(weigh([LevelCount("qualifies", "urn:s1", C + "loe-4", 1)]))
    assert qualified.score is None and render_balance(qualified).endswith("score n/a: qualified only: no study takes a side")


def test_the_verdict_in_words() -> None:
    assert [verdict(x) for x in (1.0, 0.6, 0.2, 0.19, -0.19, -0.2, -0.59, -0.6)] == [
        "favours the claim", "favours the claim", "leans towards the claim", "evenly split", "evenly split",
        "leans against the claim", "leans against the claim", "against the claim"]
    assert verdict(None) == "no evidence" and verdict(None, 2) == "qualified only: no study takes a side"


def test_pure_disagreements_same_question_index_tests_and_same_study_pairs() -> None:
    frame = {"intervention": {C + "tha"}, "population": {C + "lumbar-fusion"}, "outcome": {C + "dislocation"}}
    a, b = _study("a", follow_up="1 year"), _study("b", stance="contradicts", follow_up="5 years")
    [d] = disagreements("urn:claim", [a, b], Pico({a.evidence: frame, b.evidence: frame}, {}), CONCEPTS)
    assert (d.verdict, d.reason) == ("real conflict", "same intervention, population and outcome, opposite findings; "
                                                      "weigh them by follow-up")
    assert d.same == ["intervention", "population", "comparator", "outcome", "design", "level", "sample size"]
    assert d.differences[0].first == "1 year" and not d.differences[0].question_defining

    mri, mra = _study("mri", stance="qualifies"), _study("mra", stance="contradicts")
    pico = Pico({mri.evidence: {"intervention": {C + "mri"}}, mra.evidence: {"intervention": {C + "mra"}}},
                {mri.evidence: {"intervention": ["non-contrast 3T MRI"]}})
    [d] = disagreements("urn:claim", [mri, mra], pico, CONCEPTS)
    test = d.differences[0]
    assert (test.aspect, test.first, test.second, test.question_defining) == (
        "index test", "MRI (non-contrast 3T MRI)", "MR arthrography", True)
    assert d.verdict == "different questions" and d.reason.startswith("they differ in index test: ")
    assert render_disagreement(d).splitlines()[2] == "  * index test: MRI (non-contrast 3T MRI)  |  MR arthrography"

    same_study = [_study("x"), _study("x2", stance="contradicts", study="urn:x")]
    assert disagreements("urn:claim", same_study, Pico({}, {}), CONCEPTS) == []


def test_pure_fidelity_items_are_ordered_and_unverified_fields_grouped() -> None:
    def disc(iri: str, kind: str, ref: int | None, aspect: str, key: str | None = "hauser") -> DiscrepancyRow:
        return DiscrepancyRow(iri, HS + kind, "urn:src", key, "lee" if key else None, ref, aspect, "says", "record",
                              "PubMed")

    def field(name: str, cited: str) -> UnverifiedFieldRow:
        return UnverifiedFieldRow("urn:src", "hauser", "lee", 12, cited, HS + "PartlyVerified", "note", name)

    items = fidelity_items([disc("urn:d2", "StaleCitation", 12, "year"), disc("urn:d1", "Misreport", 12, "test"),
                            disc("urn:d3", "NewKind", None, "x", key=None), disc("urn:d0", "Misreport", 3, "n")],
                           [field("pages", "Lee JJ."), field("author", "other row"), field("zzz", "")])
    assert [(i.source, i.reference, i.kind, i.iri) for i in items] == [
        ("hauser", 3, "misreport", "urn:d0"), ("hauser", 12, "misreport", "urn:d1"),
        ("hauser", 12, "stale citation", "urn:d2"), ("hauser", 12, "unverified fields", None),
        ("urn:src", None, "NewKind", "urn:d3")]
    unverified = items[3]
    assert unverified.fields == ["author", "pages", "zzz"] and unverified.aspect == "unverified fields: author, pages, zzz"
    assert (unverified.article_says, unverified.record_says) == ("Lee JJ.", "note")  # the first row's citation
    assert unverified.checked_against == "the study's bibliographic record (partly verified)"
    assert items[4].study == "" and items[4].aspect == "x"


def test_a_source_article_is_named_by_key_work_curie_or_iri() -> None:
    sources = {"hauser": "urn:src", "kang": "urn:kang"}
    assert source_iri("hauser", sources) == source_iri(" work:hauser ", sources) == "urn:src"
    assert source_iri("https://w3id.org/hipspine/id/work/kang", sources) == "urn:kang"
    with pytest.raises(LookupError, match="unknown source article 'nobody'; known: hauser, kang"):
        source_iri("nobody", sources)


def test_suggestions_by_containment_words_then_spelling() -> None:
    names = {CLAIM + "mri-detects-chondral-lesions": "MRI finds cartilage damage",
             CLAIM + "fusion-raises-dislocation": "A prior fusion raises dislocation",
             CLAIM + "mri": "MRI"}
    assert suggestions("mri", names) == ["claim:mri", "claim:mri-detects-chondral-lesions"]
    assert suggestions("prior fusion", names) == ["claim:fusion-raises-dislocation"]
    assert suggestions("claim:fusion-raises-dislocaton", names) == ["claim:fusion-raises-dislocation"]
    assert suggestions("nothing like it", names) == []


def test_a_step_change_in_words() -> None:
    s = rate_certainty(BodyOfEvidence([_study("Case 2020", level=4, n=50)])).steps
    assert [step_change(x) for x in s] == ["start", "-1", "no change", "no change", "-1"]
