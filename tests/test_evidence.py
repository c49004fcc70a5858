"""Evidence summaries, certainty, disagreements and fidelity: on the real data and on small fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg import KnowledgeGraph, load
from kg.analysis.evidence import (
    GRADES,
    LOE_WEIGHTS,
    NO_EVIDENCE,
    StudyEvidence,
    UnknownClaimError,
    claim_names,
    claim_summary,
    claims_overview,
    concept_index,
    evidence_table,
    explain_disagreements,
    fidelity_report,
    rate_certainty,
    resolve_claim,
)

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

def test_lumbar_claim_has_two_supporters_one_contradictor_and_is_rated_down_for_inconsistency(
        real_kg: KnowledgeGraph) -> None:
    s = claim_summary(real_kg, LUMBAR)
    assert sorted(x.key for x in s.supporters) == ["barry2017early", "eneqvist2017lumbar"]
    assert [x.key for x in s.contradictors] == ["haskel2020concomitant"]
    assert s.qualifiers == []
    eneqvist = next(x for x in s.supporters if x.key == "eneqvist2017lumbar")
    assert (eneqvist.label, eneqvist.year, eneqvist.level, eneqvist.sample_size, eneqvist.sample_unit) == \
        ("Eneqvist 2017", 2017, 3, 1994, "patients")
    assert eneqvist.design == "register-based matched cohort" and eneqvist.level_label == "Level III"
    assert eneqvist.rationale.startswith("Patients with lumbar surgery before THA")
    inconsistency = step(s, "inconsistency")
    assert inconsistency.change == -1
    assert "Haskel 2020" in inconsistency.reason and "Eneqvist 2017" in inconsistency.reason
    assert "different questions" in inconsistency.reason
    bias = step(s, "risk of bias")
    assert bias.change == -1 and "Haskel 2020 (unverified record)" in bias.reason
    assert s.certainty.start == "Low" and s.certainty.grade == "Very low"
    assert "inconsistency" in s.text() and "Certainty: Very low" in s.text()


def test_balance_weights_by_level_of_evidence(real_kg: KnowledgeGraph) -> None:
    b = claim_summary(real_kg, LUMBAR).balance
    assert (b.n_support, b.n_contradict, b.n_qualify) == (2, 1, 0)
    assert b.support == pytest.approx(2 * LOE_WEIGHTS[3]) and b.contradict == pytest.approx(LOE_WEIGHTS[3])
    assert b.score == pytest.approx(1 / 3) and b.verdict == "leans towards the claim"


def test_the_sparql_balance_agrees_with_the_studies_listed_for_every_claim(real_kg: KnowledgeGraph) -> None:
    for iri in claim_names(real_kg):
        s = claim_summary(real_kg, iri)
        assert s.balance.support == pytest.approx(sum(x.weight for x in s.supporters))
        assert s.balance.contradict == pytest.approx(sum(x.weight for x in s.contradictors))
        assert s.balance.qualify == pytest.approx(sum(x.weight for x in s.qualifiers))
        assert s.certainty.grade in (*GRADES.values(), NO_EVIDENCE)
        assert (s.certainty.grade == NO_EVIDENCE) == (not s.studies)


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


def _study(key: str, *, level: int, verification: str = "verified", n: int | None = 500,
           stance: str = "supports") -> StudyEvidence:
    return StudyEvidence(evidence=f"urn:ev:{key}", claim="urn:claim", study=f"urn:{key}", key=key, label=key,
                         title=key, year=2020, design="randomised controlled trial", design_iri=None, level=level,
                         level_label=f"Level {level}", sample_size=n, sample_unit="patients", stance=stance,
                         rationale="", follow_up=None, verification=verification, weight=LOE_WEIGHTS[level])


def test_certainty_rules_start_high_for_trials_and_rate_down_very_serious_when_all_are_affected(
        real_kg: KnowledgeGraph) -> None:
    concepts = concept_index(real_kg)
    kwargs = dict(subjects=[], concepts=concepts, pico={}, intervals=[], disagreements=[], asserted_by=[])
    clean = rate_certainty([_study("a", level=1), _study("b", level=1)], **kwargs)  # type: ignore[arg-type]
    assert clean.start == "High" and clean.grade == "High"
    shaky = rate_certainty([_study("a", level=1, verification="unverified"),
                            _study("b", level=2, verification="unverified", stance="contradicts")],
                           **kwargs)  # type: ignore[arg-type]
    changes = {x.domain: x.change for x in shaky.steps}
    assert changes["risk of bias"] == -2 and changes["inconsistency"] == -1
    assert shaky.grade == "Very low"  # High - 3, and never below Very low
    small = rate_certainty([_study("a", level=1, n=120)], **kwargs)  # type: ignore[arg-type]
    assert small.grade == "Moderate" and "120 participants in total" in small.steps[-1].reason


def test_claims_overview_has_a_row_per_claim(real_kg: KnowledgeGraph) -> None:
    frame = claims_overview(real_kg)
    assert len(frame) == len(claim_names(real_kg))
    row = frame.set_index("claim").loc[LUMBAR]
    assert (row["supporters"], row["contradictors"], row["certainty"]) == (2, 1, "Very low")


# --------------------------------------------------------------------------- disagreements

def test_eneqvist_vs_haskel_differ_in_intervention_so_they_ask_different_questions(real_kg: KnowledgeGraph) -> None:
    pairs = explain_disagreements(real_kg, LUMBAR)
    assert {(d.first.key, d.second.key) for d in pairs} == {("eneqvist2017lumbar", "haskel2020concomitant"),
                                                            ("barry2017early", "haskel2020concomitant")}
    d = pair(pairs, "eneqvist2017lumbar", "haskel2020concomitant")
    assert d.verdict == "different questions"
    intervention = next(x for x in d.differences if x.aspect == "intervention")
    assert intervention.question_defining
    assert intervention.first.startswith("total hip arthroplasty") and intervention.second.startswith("hip arthroscopy")
    aspects = {x.aspect for x in d.differences}
    assert {"population", "outcome", "follow-up", "design", "sample size"} <= aspects
    assert "level" in d.same  # both Level III
    assert "intervention" in d.reason
    assert "total hip arthroplasty" in pair(pairs, "barry2017early", "haskel2020concomitant").text()


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
    assert chondral.verdict == "different questions" and "population" in chondral.same


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

MISREPORTS = {"haskel2020-intervention", "haskel2020-back-pain-relief", "lee2019-test-swap", "rajeev2017-merged-range"}


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
    assert sorted(lumbar["stance"]) == ["contradicts", "supports", "supports"]
    assert lumbar.set_index("study").loc["eneqvist2017lumbar", "n"] == 1994


@pytest.mark.skipif(not (RESOURCES / "mini" / "claims.ttl").exists(), reason="mini fixture not present")
def test_the_mini_fixture_summaries(tmp_path: Path) -> None:
    kg = load(RESOURCES / "mini")
    s = claim_summary(kg, LUMBAR)
    assert len(s.supporters) == 1 and len(s.contradictors) == 1
    assert step(s, "inconsistency").change == -1
    assert all(d.verdict == "different questions" for d in explain_disagreements(kg, LUMBAR))
    assert claim_summary(kg, "prolotherapy-treats-hip-and-spine").certainty.grade == NO_EVIDENCE
    assert any(i.kind == "misreport" for i in fidelity_report(kg))
