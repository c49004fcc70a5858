"""Evidence summaries, certainty, disagreements and fidelity: on the real data, on small fixtures, and the pure
rules (balance, grade, disagreement, fidelity) on plain dataclasses without a graph."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg import KnowledgeGraph, load
from kg.analysis.evidence import (
    UnknownClaimError,
    claim_names,
    claim_summary,
    claims_overview,
    evidence_table,
    explain_disagreements,
    fidelity_report,
    resolve_claim,
)
from kg.analysis.evidence.disagreement import disagreements
from kg.analysis.evidence.fidelity import fidelity_items, source_iri
from kg.analysis.evidence.model import (
    DiscrepancyRow,
    Pico,
    StudyEvidence,
    UnverifiedFieldRow,
)
from kg.analysis.evidence.resolve import suggestions
from kg.model.vocab import LEVEL_LABELS
from kg.render.text import render_disagreement, render_summary
from tests.support.concepts import concept

RESOURCES = Path(__file__).parent / "resources"
CLAIM = "https://w3id.org/hipspine/id/claim/"
LUMBAR = "claim:lumbar-disease-worsens-hip-surgery"


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

def test_lumbar_claim_lists_its_studies_and_the_certainty_the_build_wrote(real_kg: KnowledgeGraph) -> None:
    s = claim_summary(real_kg, LUMBAR)
    assert sorted(x.key for x in s.supporters) == ["barry2017early", "eneqvist2017lumbar"]
    assert s.contradictors == [] and s.qualifiers == []  # Haskel studied hip arthroscopy: its own claim
    eneqvist = next(x for x in s.supporters if x.key == "eneqvist2017lumbar")
    assert (eneqvist.label, eneqvist.year, eneqvist.level, eneqvist.sample_size, eneqvist.sample_unit) == \
        ("Eneqvist 2017", 2017, 3, 1994, "patients")
    assert eneqvist.design == "register-based matched cohort" and eneqvist.level_label == "Level III"
    assert eneqvist.rationale.startswith("Patients with lumbar surgery before THA")
    assert s.certainty is not None and s.certainty.question == "prognostic factor"
    assert [x.domain for x in s.certainty.steps][:6] == ["start", "risk of bias", "inconsistency", "indirectness",
                                                          "imprecision", "publication bias"]
    text = render_summary(s)
    assert f"Certainty: {s.certainty.grade} certainty" in text and "Direction of effect (SWiM)" in text
    assert "sign test" in text and "Pooling:" in text


def test_an_unbacked_assertion_says_no_study_bears_on_it(real_kg: KnowledgeGraph) -> None:
    s = claim_summary(real_kg, "prolotherapy-treats-hip-and-spine")
    assert s.unbacked and s.studies == [] and s.asserted_by == ["hauser2021hipspine"]
    assert s.certainty is None and s.direction.rows == () and s.pools == []
    assert "Certainty: no evidence" in render_summary(s)


def test_claims_overview_has_a_row_per_claim(real_kg: KnowledgeGraph) -> None:
    frame = claims_overview(real_kg)
    assert len(frame) == len(claim_names(real_kg))
    row = frame.set_index("claim").loc[LUMBAR]
    assert (row["supporters"], row["certainty"]) == (2, claim_summary(real_kg, LUMBAR).certainty.grade)  # type: ignore[union-attr]
    assert frame.set_index("claim").loc["claim:prolotherapy-treats-hip-and-spine", "certainty"] == "no evidence"


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
    assert s.certainty is not None
    steps = {x.domain: x for x in s.certainty.steps}
    # Neither line records results: opposite conclusions alone are not rated as inconsistency, and the claim
    # stays Very low (GRADE rates estimates, not conclusions).
    assert s.certainty.grade == "Very low" and not steps["inconsistency"].assessable
    assert steps["indirectness"].change == 0 and s.direction.verdict == "no study with results points clearly either way"


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
    assert s.certainty is not None  # the build rates fixture data too, without risk-of-bias records
    assert all(d.verdict == "different questions" for d in explain_disagreements(kg, LUMBAR))
    assert claim_summary(kg, "prolotherapy-treats-hip-and-spine").certainty is None
    assert any(i.kind == "misreport" for i in fidelity_report(kg))


# --------------------------------------------------------------------------- the pure rules, without a graph

C = "https://w3id.org/hipspine/concept/"
HS = "https://w3id.org/hipspine/vocab#"


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
                         verification=verification)














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
