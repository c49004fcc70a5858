"""The analyst questions in public vocabularies only (kg/query/rq/public/): each is free of project terms, runs on
the real built graph and gives the right answer, including the two a private-only graph got wrong (a claim that
a study only qualifies is not "unbacked"; Lee 2019's CT arthrography figures are never MRI figures)."""
from __future__ import annotations

import re

import pytest

from kg import KnowledgeGraph
from kg.model.namespace import PREFIXES
from kg.query.named import UnknownQueryError, bind_params, public_queries, run_public

CLAIM = PREFIXES["claim"]
HS = PREFIXES["hs"]
NAMES = [q.name for q in public_queries()]
# MeSH Publication Types (the catalogue schema:publicationType draws on) used in the data.
PUBLICATION_TYPES = {"D016454", "D017418", "D000078182", "D064888"}


def test_the_seven_questions_are_there() -> None:
    assert set(NAMES) == {"contested_claims", "claims_no_study_bears_on", "sensitivities", "odds_ratios",
                          "study_design_pico_size", "claim_attribution", "claims_only_qualified"}


@pytest.mark.parametrize("name", NAMES)
def test_a_public_query_uses_no_project_vocabulary(name: str) -> None:
    query = next(q for q in public_queries() if q.name == name)
    assert query.title and query.description and query.columns
    assert not re.search(r"(?<![\w-])hs:", query.text), f"{name} uses an hs: term"
    assert HS not in query.text and "hipspine/vocab" not in query.text
    declared = set(re.findall(r"^PREFIX (\w+):", query.text, re.M))
    assert declared <= {"obo", "mp", "dcterms", "prov", "pico", "skos", "rdfs", "qudt", "schema", "fabio", "cito"}


@pytest.mark.parametrize("name", NAMES)
def test_a_public_query_runs_with_its_declared_columns(real_kg: KnowledgeGraph, name: str) -> None:
    frame = run_public(real_kg, name)
    query = next(q for q in public_queries() if q.name == name)
    assert list(frame.columns) == list(query.columns) and len(frame) > 0


def test_an_unknown_public_query_names_the_known_ones(real_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownQueryError, match="sensitivities"):
        run_public(real_kg, "nothing")


def test_contested_claims_with_years(real_kg: KnowledgeGraph) -> None:
    frame = run_public(real_kg, "contested_claims")
    assert set(frame["claim"]) == {CLAIM + "mri-detects-labral-tears", CLAIM + "mri-detects-chondral-lesions"}
    labral = frame[frame["claim"] == CLAIM + "mri-detects-labral-tears"]
    years = {(r.direction, int(str(r.year))) for r in labral.itertuples()}
    assert years == {("supporting", 2017), ("disputing", 2019), ("inconclusive", 2018)}  # Rajeev, Lee, Annabell


def test_no_study_bears_on_the_declared_unbacked_assertions_only(real_kg: KnowledgeGraph) -> None:
    frame = run_public(real_kg, "claims_no_study_bears_on")
    declared = {r["c"] for r in real_kg.select("SELECT ?c WHERE { ?c a hs:UnbackedAssertion }")}
    assert set(frame["claim"]) == declared and len(declared) == 9
    assert CLAIM + "mra-helps-cam-impingement" not in set(frame["claim"])  # Rajeev 2017 qualifies it
    assert CLAIM + "fusion-order-changes-tha-risk" not in set(frame["claim"])  # Onggo 2021 bears on it, inconclusively
    assert frame["asserted_by"].str.len().gt(0).all()


def test_sensitivities_carry_their_own_index_test_and_target(real_kg: KnowledgeGraph) -> None:
    everything = run_public(real_kg, "sensitivities")
    assert everything["index_test"].notna().all() and everything["target_condition"].notna().all()
    for row in everything.itertuples():  # the test named in each figure's label is the test the graph gives it
        if "CT arthrography" in row.label:
            assert row.index_test == "CT arthrography"
        elif "MR arthrography" in row.label:
            assert row.index_test == "MR arthrography"
        elif "MRI" in row.label:
            assert row.index_test == "magnetic resonance imaging"
    assert len(everything) == len(everything.drop_duplicates("result"))  # one row per figure


@pytest.mark.parametrize("test_concept", ["c:mri", "mesh:D008279"])
def test_the_mri_sensitivities_hold_no_ct_arthrography_figure(real_kg: KnowledgeGraph, test_concept: str) -> None:
    mri = run_public(real_kg, "sensitivities", {"test_concept": test_concept})
    assert "CT arthrography" not in set(mri["index_test"])
    assert not any("lee2019-cta" in r for r in mri["result"])
    assert sorted(mri["value"]) == [7.0, 25.0, 34.0, 60.0, 65.0, 84.0]  # Rajeev's MR arthrography, Lee's MRI
    assert set(mri["index_test"]) == {"magnetic resonance imaging", "MR arthrography"}
    lee = mri[mri["study"] == "https://doi.org/10.4055/cios.2019.11.1.21"]
    assert set(lee["value"]) == {60.0, 65.0} and set(lee["reference_standard"]) == {"arthroscopic findings"}


def test_the_test_concept_is_bound_never_pasted() -> None:
    query = next(q for q in public_queries() if q.name == "sensitivities")
    bound = bind_params(query, {"test_concept": "c:mri"})
    assert set(bound) == {"test_concept"} and "concept/mri" not in query.text


def test_odds_ratios_with_their_intervals(real_kg: KnowledgeGraph) -> None:
    frame = run_public(real_kg, "odds_ratios")
    got = {r.outcome: (r.value, r.lower, r.upper, r.interval) for r in frame.itertuples()}
    assert got == {"revision of the arthroplasty": (0.86, 0.48, 1.54, "95% confidence interval"),
                   "dislocation of the arthroplasty": (0.82, 0.25, 2.72, "95% confidence interval")}


def test_each_study_has_a_design_pico_and_a_size_in_its_own_unit(real_kg: KnowledgeGraph) -> None:
    frame = run_public(real_kg, "study_design_pico_size")
    assert frame["study"].nunique() == 13 and frame["design"].notna().all() and frame["frame"].notna().all()
    by_frame = frame.set_index(frame["frame"].str.rsplit("/", n=1).str[1])
    for name in ("lee2019-mri", "lee2019-cta"):  # participants are people; the hips are the units of analysis
        assert (by_frame.loc[name, "participants"], by_frame.loc[name, "units"], by_frame.loc[name, "unit"]) == \
            (33, 36, "hips")
    assert (by_frame.loc["annabell2018", "participants"], by_frame.loc["annabell2018", "units"]) == (68, 71)
    weinberg = by_frame.loc["weinberg2017"]
    assert weinberg["participants"] is None or str(weinberg["participants"]) == "<NA>"
    assert (weinberg["units"], weinberg["unit"]) == (625, "specimens")
    assert (by_frame.loc["maldonado2020", "units"], by_frame.loc["maldonado2020", "unit"]) == (9, "studies")
    assert by_frame.loc["eneqvist2017", "participants"] == 1994
    types = {t.rsplit("/", 1)[1] for cell in frame["publication_types"].dropna() for t in cell.split("; ") if t}
    assert types and types <= PUBLICATION_TYPES  # MeSH Publication Types only, no design descriptors


def test_who_asserts_each_claim(real_kg: KnowledgeGraph) -> None:
    frame = run_public(real_kg, "claim_attribution").set_index("claim")
    assert frame["asserted_by"].str.len().gt(0).all()  # every claim is attributed to someone
    propositions = set(frame.index[frame["test_proposition"]])
    assert propositions == {CLAIM + n for n in ("negative-mri-rules-out", "mri-reliable-intra-articular",
                                                 "fusion-order-changes-tha-risk")}
    assert all(frame.loc[c, "asserted_by"] == HS + "curators" for c in propositions)
    risk = frame.loc[CLAIM + "lumbar-fusion-risk-factor-tha"]
    assert set(risk["asserted_by"].split("; ")) == {"https://doi.org/10.1007/s00586-020-06635-w",
                                                    PREFIXES["work"] + "hauser2021hipspine"}
    assert risk["quoted_from"] == PREFIXES["work"] + "hauser2021hipspine"
    # where a claim came from is never a study that disputes it
    disputing = real_kg.select("""SELECT ?c ?p WHERE { ?l obo:SEPIO_0000427 ?c ; obo:SEPIO_0000183 obo:SEPIO_0000404 ;
                                  obo:SEPIO_0000124 ?p . ?c prov:wasDerivedFrom ?p }""")
    assert disputing == []


def test_claims_only_qualified(real_kg: KnowledgeGraph) -> None:
    frame = run_public(real_kg, "claims_only_qualified")
    assert list(frame["claim"]) == [CLAIM + "mra-helps-cam-impingement"]
    assert list(frame["qualified_by"]) == [PREFIXES["work"] + "rajeev2017validity"]


def test_every_evidence_line_has_its_public_claim_direction_and_paper(real_kg: KnowledgeGraph) -> None:
    rows = real_kg.select("""SELECT ?e (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?d) AS ?directions)
                             (COUNT(DISTINCT ?p) AS ?papers) WHERE { ?e a hs:Evidence .
                             OPTIONAL { ?e obo:SEPIO_0000427 ?c } OPTIONAL { ?e obo:SEPIO_0000183 ?d }
                             OPTIONAL { ?e obo:SEPIO_0000124 ?p } } GROUP BY ?e""")
    assert len(rows) == 32 and all((r["claims"], r["directions"], r["papers"]) == (1, 1, 1) for r in rows)
    assert real_kg.execute("ASK { ?e a obo:SEPIO_0000002 ; obo:SEPIO_0000183 obo:SEPIO_0000405 }")
    # no SKOS mapping is left on a property: public terms are reached through rdfs:subPropertyOf
    assert real_kg.select("SELECT ?p WHERE { ?p a owl:ObjectProperty ; skos:closeMatch ?x }") == []


def test_the_cli_runs_a_public_question_and_lists_them() -> None:
    from click.testing import CliRunner

    from kg.cli.main import main as cli

    runner = CliRunner()
    result = runner.invoke(cli, ["query", "public/odds_ratios", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "0.25" in result.output and "95% confidence interval" in result.output
    mri = runner.invoke(cli, ["query", "public/sensitivities", "-p", "test_concept=mesh:D008279", "--format", "csv"])
    assert mri.exit_code == 0 and "lee2019-mri-obs1" in mri.output and "lee2019-cta" not in mri.output
    unknown = runner.invoke(cli, ["query", "public/nothing"])
    assert unknown.exit_code == 1 and "public/sensitivities" in unknown.output
    listed = runner.invoke(cli, ["queries"])
    assert "public/claims_only_qualified" in listed.output
