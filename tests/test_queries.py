"""Named queries: every .rq file runs and gives its declared columns; each question answers with the expected
rows on the real data; parameters are bound, never pasted.

Expected outputs live in tests/resources/expected/<name>.csv (the real data, default parameters). After a
deliberate change to the data or a query, regenerate them and review the diff:

    .venv/bin/python tests/test_queries.py --regenerate
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph, load
from kg.model import paths
from kg.query.guard.policy import QuerySyntaxError
from kg.query.named import (
    NamedQuery,
    ParamError,
    QueryDefinitionError,
    UnknownQueryError,
    bind_params,
    get_query,
    list_queries,
    parse_iri,
    parse_query,
    run_named,
    run_sparql,
)

RESOURCES = Path(__file__).parent / "resources"
EXPECTED = RESOURCES / "expected"
MINI = RESOURCES / "mini"
QUERY_NAMES = [p.stem for p in paths.query_files()]
HOSTILE = ['"} ; DROP', '> } UNION { ?s ?p ?o', '"} ; DROP ALL ; SELECT * { ?s ?p ?o', 'x" } UNION { ?s ?p ?o } #',
           "claim:x> } UNION { ?s ?p ?o", "<http://x/> } UNION { ?s ?p ?o } #", "\n}\n", "'''", "\\"]
CLAIM = "https://w3id.org/hipspine/id/claim/"


@pytest.fixture(scope="module")
def mini_kg() -> KnowledgeGraph:
    """The small fixture graph (tests/resources/mini): three studies, one source article."""
    return load(MINI)


def normalised_csv(frame: pd.DataFrame) -> str:
    """CSV text with the parts of list cells ('a; b') sorted: SPARQL fixes no order inside GROUP_CONCAT."""
    def cell(value: object) -> object:
        return "; ".join(sorted(value.split("; "))) if isinstance(value, str) and "; " in value else value

    return str(frame.astype(object).map(cell).to_csv(index=False, lineterminator="\n"))


# ------------------------------------------------------------------------------------ every query file

def test_there_are_queries_for_each_required_question() -> None:
    required = {"study_claims", "claim_evidence", "contested_claims", "intervention_evidence", "evidence_map",
                "diagnostic_accuracy", "studies_by_design", "source_citations", "characterisation_discrepancies",
                "claims_unbacked", "authors_shared", "authors_coauthorship", "evidence_timeline"}
    assert required <= set(QUERY_NAMES)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_header_is_complete(name: str) -> None:
    q = get_query(name)
    assert q.title and q.description and q.columns, f"{name}: title, description and columns are required"
    assert len(set(q.columns)) == len(q.columns)
    for p in q.params:
        assert p.help, f"{name}: parameter {p.name} has no help text"
        if p.type == "work":  # bound as ?name (BibTeX key) or ?name_iri (IRI), matched through hs:bibKey
            assert f"?{p.name}_iri hs:bibKey ?{p.name}" in q.text
        else:
            assert f"?{p.name}" in q.text
        if p.default is not None:
            bind_params(q, {})  # the defaults themselves are valid values
    body = [line for line in q.text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert body[0].startswith("PREFIX"), f"{name}: PREFIX lines come right after the header"


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_runs_on_the_fixture_with_its_declared_columns(mini_kg: KnowledgeGraph, name: str) -> None:
    q = get_query(name)
    raw = mini_kg.execute(q.text, bind_params(q, {}))
    assert [v.value for v in raw.variables] == list(q.columns), f"{name}: SELECT order differs from the header"
    frame = run_named(mini_kg, name)
    assert list(frame.columns) == list(q.columns)
    assert len(frame) > 0 or q.params, f"{name}: a query without parameters should find rows in the fixture"
    everything = run_named(mini_kg, name, {p.name: "" for p in q.params})  # every parameter left open
    assert list(everything.columns) == list(q.columns)
    assert len(everything) > 0, f"{name}: with its parameters left open it should find rows in the fixture"


def test_every_query_has_an_expected_output() -> None:
    missing = [n for n in QUERY_NAMES if not (EXPECTED / f"{n}.csv").exists()]
    stale = sorted(p.stem for p in EXPECTED.glob("*.csv") if p.stem not in QUERY_NAMES)
    assert not missing, (f"no expected output for {', '.join(missing)}: run "
                         "`.venv/bin/python tests/test_queries.py --regenerate` and review the new files")
    assert not stale, f"expected outputs for queries that no longer exist: {', '.join(stale)}"


@pytest.mark.parametrize("name", [n for n in QUERY_NAMES if (EXPECTED / f"{n}.csv").exists()])
def test_real_data_gives_the_expected_output(real_kg: KnowledgeGraph, name: str) -> None:
    expected = (EXPECTED / f"{name}.csv").read_text(encoding="utf-8")
    assert normalised_csv(run_named(real_kg, name)) == expected


# ------------------------------------------------------------------------------ the questions, by row

def test_contested_claim_lists_studies_for_and_against(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "contested_claims").set_index("claim")
    row = frame.loc[CLAIM + "mri-detects-labral-tears"]
    assert row["supported_by"] == "rajeev2017validity" and row["contradicted_by"] == "lee2019accuracy"
    assert (row["supporting"], row["contradicting"], row["qualifying"], row["inconclusive"]) == (1, 1, 0, 1)  # Annabell
    assert set(frame.index) == {CLAIM + "mri-detects-labral-tears", CLAIM + "mri-detects-chondral-lesions"}


def test_claim_evidence_gives_stance_design_size_and_year(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "claim_evidence", {"claim": "claim:lumbar-disease-worsens-hip-surgery"})
    rows = {r.study: r for r in frame.itertuples(index=False)}
    assert set(rows) == {"eneqvist2017lumbar", "barry2017early"}  # Haskel studied arthroscopy, not replacement
    eneqvist = rows["eneqvist2017lumbar"]
    assert (eneqvist.stance, eneqvist.sample_size, eneqvist.year) == ("supports", 1994, 2017)
    assert rows["barry2017early"].design == "retrospective matched cohort"
    haskel = run_named(real_kg, "claim_evidence", {"claim": "claim:arthroscopy-outcomes-comparable-with-lumbar-disease"})
    assert list(haskel["study"]) == ["haskel2020concomitant"] and pd.isna(haskel["sample_size"].iloc[0])
    onggo = run_named(real_kg, "claim_evidence", {"claim": "claim:fusion-order-changes-tha-risk"})
    assert list(onggo["stance"]) == ["inconclusive"]


def test_study_claims_by_key_iri_or_ref(real_kg: KnowledgeGraph) -> None:
    by_key = run_named(real_kg, "study_claims", {"study": "lee2019accuracy"})
    assert list(by_key["stance"]) == ["supports", "contradicts", "contradicts", "contradicts"]
    assert by_key.iloc[0]["claim"] == CLAIM + "cta-better-than-mri-labral"
    for same in ("https://doi.org/10.4055/cios.2019.11.1.21", "<https://doi.org/10.4055/cios.2019.11.1.21>",
                 "doi:10.4055/cios.2019.11.1.21", "ref:lee2019accuracy"):
        assert run_named(real_kg, "study_claims", {"study": same}).equals(by_key), same
    haskel = run_named(real_kg, "study_claims").set_index("claim")["stance"].to_dict()
    assert haskel == {CLAIM + "arthroscopy-outcomes-comparable-with-lumbar-disease": "supports"}


def test_intervention_includes_narrower_concepts(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "intervention_evidence", {"intervention": "c:hip-surgery"})
    matched = {m for cell in frame["matched"] for m in cell.split("; ")}
    assert {"total hip arthroplasty", "hip arthroscopy"} <= matched
    assert set(frame["study"]) == {"eneqvist2017lumbar", "barry2017early", "haskel2020concomitant",
                                   "onggo2021comparable"}
    only_tha = run_named(real_kg, "intervention_evidence", {"intervention": "c:total-hip-arthroplasty"})
    assert "haskel2020concomitant" not in set(only_tha["study"])


def test_evidence_map_counts_for_and_against(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "evidence_map").set_index(["intervention", "outcome"])
    row = frame.loc[("hip arthroscopy", "reoperation")]
    assert (row["supporting"], row["contradicting"], row["qualifying"], row["studies"]) == (1, 0, 0, 1)
    assert frame.loc[("magnetic resonance imaging", "diagnostic accuracy")]["contradicting"] == 3


def test_diagnostic_accuracy_gives_lee_mri_and_cta_as_separate_rows(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "diagnostic_accuracy")
    lee = frame[frame["study"] == "lee2019accuracy"]
    figures = {(r.test, r.observer): (r.sensitivity, r.specificity, r.accuracy) for r in lee.itertuples(index=False)}
    assert figures == {
        ("magnetic resonance imaging", "observer 1"): (60.0, 80.0, 64.0),
        ("magnetic resonance imaging", "observer 2"): (65.0, 70.0, 69.0),
        ("CT arthrography", "observer 1"): (85.0, 90.0, 86.0),
        ("CT arthrography", "observer 2"): (92.0, 80.0, 89.0),
    }
    assert set(lee["target_condition"]) == {"acetabular labral tear"}
    assert set(lee["reference_standard"]) == {"arthroscopic findings"}
    assert len(frame) == len(frame.drop_duplicates(["study", "test", "target_condition", "observer"]))
    mri = run_named(real_kg, "diagnostic_accuracy", {"index_test": "c:mri"})  # narrower tests included
    assert set(mri["test"]) == {"magnetic resonance imaging", "MR arthrography", "non-arthrographic MRI"}


def test_discrepancies_list_misreports_stale_citations_and_gaps(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "characterisation_discrepancies")
    kinds = frame.groupby("kind")["study"].apply(sorted).to_dict()
    assert kinds["misreport"] == ["eneqvist2017lumbar", "haskel2020concomitant", "haskel2020concomitant",
                                  "lee2019accuracy", "prather2017hip", "rajeev2017validity"]
    assert kinds["stale citation"] == ["barry2017early", "maldonado2020hipspine", "onggo2021comparable",
                                       "rajeev2017validity"]
    assert kinds["characterisation gap"] == ["gomezhoyos2017hipspine", "maldonado2020hipspine", "onggo2021comparable",
                                             "weinberg2017hipspine"]
    assert list(frame["kind"][:6]) == ["misreport"] * 6  # the serious ones first
    swap = frame[(frame["study"] == "lee2019accuracy")].iloc[0]
    assert swap["aspect"] == "index test" and swap["reference_number"] == 12
    assert "CT arthrography" in swap["article_says"] and swap["record_says"].startswith("Those figures are MRI's")
    assert frame["article_says"].notna().all() and frame["record_says"].notna().all()
    one = run_named(real_kg, "characterisation_discrepancies", {"study": "haskel2020concomitant"})
    assert set(one["study"]) == {"haskel2020concomitant"} and len(one) == 2
    assert all(text.startswith("Not checked against the study") for text in one["checked_against"])


def test_unbacked_assertions_are_the_nine_declared(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "claims_unbacked")
    declared = {r["c"] for r in real_kg.select("SELECT ?c WHERE { ?c a hs:UnbackedAssertion }")}
    assert len(declared) == 9 and set(frame["claim"]) == declared
    assert frame["declared"].all() and (frame["evidence_lines"] == 0).all()
    asserted = frame.set_index("claim")["asserted_by"]
    assert asserted[CLAIM + "prolotherapy-treats-hip-and-spine"] == "hauser2021hipspine"
    assert asserted[CLAIM + "smoking-cessation-for-back"] == "kangmgbhipspine"


def test_source_citations_in_reference_order(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "source_citations")
    assert list(frame["reference_number"]) == list(range(1, 14))
    assert frame.iloc[11]["study"] == "lee2019accuracy" and frame.iloc[11]["discrepancies"] == 1
    assert frame.set_index("study").loc["haskel2020concomitant", "discrepancies"] == 2
    assert run_named(real_kg, "source_citations", {"source": "kangmgbhipspine"}).empty  # it cites no studies


def test_shared_authors_link_devin_and_the_mgb_article(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "authors_shared").set_index("person")
    kang = frame.loc["https://w3id.org/hipspine/id/person/kang-jd"]
    assert kang["name"] == "James D. Kang" and kang["works"] == 2
    assert set(kang["linked_works"].split("; ")) == {"devin2012hipspine", "kangmgbhipspine"}
    assert set(kang["roles"].split("; ")) == {"author", "contributor"}
    coauthors = run_named(real_kg, "authors_coauthorship", {"person": "person:kang-jd"})
    assert set(coauthors["coauthor_name"]) == {"C. J. Devin", "K. A. McCullough", "B. J. Morris", "A. J. Yates"}


def test_timeline_and_designs_account_for_every_study(real_kg: KnowledgeGraph) -> None:
    timeline = run_named(real_kg, "evidence_timeline")
    assert timeline["studies"].sum() == 13 and timeline["evidence_lines"].sum() == 32
    assert (timeline["supporting"] + timeline["contradicting"] + timeline["qualifying"] + timeline["inconclusive"]
            == timeline["evidence_lines"]).all()
    assert timeline["inconclusive"].sum() == 2  # Onggo on the order of surgery, Annabell on labral sensitivity
    assert timeline.set_index("year").loc[2017, "studies"] == 6
    designs = run_named(real_kg, "studies_by_design")
    assert designs["studies"].sum() == 13
    assert designs.iloc[0]["level"] == "Level II"  # strongest level first


def test_counts_and_coverage(real_kg: KnowledgeGraph) -> None:
    counts = run_named(real_kg, "graph_counts").set_index("kind")["count"]
    kinds = ("studies", "claims", "evidence lines", "unbacked assertions")
    assert tuple(counts[k] for k in kinds) == (13, 31, 32, 9)
    coverage = run_named(real_kg, "graph_coverage").set_index("measure")
    assert tuple(coverage.loc["contested claims", ["count", "total"]]) == (2, 31)
    assert coverage.loc["studies with evidence lines", "count"] == 13


# ------------------------------------------------------------------------- the app's bounded questions

def test_studies_page_through_by_key_and_search(real_kg: KnowledgeGraph) -> None:
    everything = run_named(real_kg, "studies")
    assert len(everything) == 13 and list(everything["key"]) == sorted(everything["key"])
    assert everything.set_index("key").loc["lee2019accuracy", "label"] == "Lee 2019"
    after = run_named(real_kg, "studies", {"after": "haskel2020concomitant"})
    assert list(after["key"]) == [k for k in everything["key"] if k > "haskel2020concomitant"]
    assert run_named(real_kg, "studies", {"after": "not-a-key"}).empty  # a cursor must be a key shown
    by_design = run_named(real_kg, "studies", {"search": "Diagnostic Accuracy"})  # case-insensitive, any field
    assert set(by_design["key"]) == {"annabell2018hip", "lee2019accuracy", "rajeev2017validity"}
    assert list(run_named(real_kg, "studies", {"search": "gómez"})["key"]) == ["gomezhoyos2017hipspine"]


def test_study_record_pico_and_results(real_kg: KnowledgeGraph) -> None:
    record = run_named(real_kg, "study_record", {"study": "onggo2021comparable"})
    assert len(record) == 1
    r = record.iloc[0]
    assert (r["label"], r["year"], r["level"], r["n"], r["unit"]) == ("Onggo 2021", 2021, 3, 69438, "patients")
    assert r["iri"] == "https://doi.org/10.1007/s00586-020-06635-w"
    assert run_named(real_kg, "study_record", {"study": "hauser2021hipspine"}).empty  # a source article
    pico = run_named(real_kg, "study_pico", {"study": "lee2019accuracy"})
    assert pico["frame"].nunique() == 2  # MRI and CT arthrography, each against arthroscopy
    assert list(pico["role"][:4]) == ["population", "intervention", "comparator", "outcome"]
    results = run_named(real_kg, "study_results", {"study": "onggo2021comparable"})
    assert set(results["measure"]) == {"odds ratio"} and set(results["lower"]) == {0.25, 0.48}
    assert len(run_named(real_kg, "study_results", {"study": "lee2019accuracy"})) == 12


def test_source_citations_of_one_study(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "source_citations", {"source": "", "study": "lee2019accuracy"})
    assert list(frame["source"]) == ["hauser2021hipspine"] and list(frame["discrepancies"]) == [1]


def test_claims_list_counts_certainty_and_search(real_kg: KnowledgeGraph) -> None:
    frame = run_named(real_kg, "claims")
    assert len(frame) == 31 and frame["contested"].sum() == frame.head(frame["contested"].sum())["contested"].sum()
    assert frame["contested"].sum() >= 1 and frame["contested"].iloc[0]  # contested first
    from kg.analysis.evidence import claims_overview

    overview = {r.claim: r for r in claims_overview(real_kg).itertuples()}
    for r in frame.itertuples():
        expected = overview["claim:" + r.claim.removeprefix(CLAIM)]
        assert (r.supporting, r.contradicting, r.qualifying, r.inconclusive, bool(r.unbacked)) == \
            (expected.supporters, expected.contradictors, expected.qualifiers, expected.inconclusive,
             expected.unbacked)
        # The certainty column is the one the build wrote, the same the analysis reads back.
        assert (r.certainty if isinstance(r.certainty, str) else "no evidence") == expected.certainty
    assert set(run_named(real_kg, "claims", {"search": "MRI"})["claim"]) == {
        c for c in frame["claim"] if "mri" in c.lower() or "mri" in frame.set_index("claim").loc[c, "label"].lower()}


def test_evidence_map_studies_add_up_to_the_cell(real_kg: KnowledgeGraph) -> None:
    cells = run_named(real_kg, "evidence_map")
    for cell in cells.itertuples():
        studies = run_named(real_kg, "evidence_map_studies", {"intervention": cell.intervention, "outcome": cell.outcome})
        assert len(studies) == cell.studies, (cell.intervention, cell.outcome)
        assert (studies["supporting"].sum(), studies["contradicting"].sum(), studies["qualifying"].sum()) == \
            (cell.supporting, cell.contradicting, cell.qualifying)


def test_network_claims_and_neighbourhoods(real_kg: KnowledgeGraph) -> None:
    top = run_named(real_kg, "network_claims")
    assert len(top) == 22 and list(top["evidence_lines"]) == sorted(top["evidence_lines"], reverse=True)
    def near(focus: str) -> pd.DataFrame:
        return run_named(real_kg, "network_neighbourhood", {"focus": focus})

    lee = near("https://doi.org/10.4055/cios.2019.11.1.21")
    assert set(lee.loc[lee["distance"] == 1, "claim"]) == set(run_named(real_kg, "study_claims",
                                                                        {"study": "lee2019accuracy"})["claim"])
    claim = near("claim:lumbar-disease-worsens-hip-surgery")
    assert claim.iloc[0]["claim"] == CLAIM + "lumbar-disease-worsens-hip-surgery" and claim.iloc[0]["distance"] == 0
    assert CLAIM + "prior-fusion-early-complications" in set(claim["claim"])  # via Barry
    assert CLAIM + "smoking-cessation-for-back" in set(near("work:kangmgbhipspine")["claim"])  # it asserts it
    assert len(near("c:mri")) > 0


# ------------------------------------------------------------------------------------- Python API

def test_python_api_one_import() -> None:
    g = load()
    contested = g.query("contested_claims")
    assert isinstance(contested, pd.DataFrame)
    assert CLAIM + "mri-detects-labral-tears" in set(contested["claim"])
    assert list(g.query("claim_evidence", claim="claim:treatment-order-matters")["study"]) == ["devin2012hipspine"]
    assert g.query("ASK { ?c a hs:UnbackedAssertion }") is True
    graph = g.query("CONSTRUCT WHERE { ?d a hs:Discrepancy }")
    assert len(graph) == 14
    frame = g.query("SELECT ?k WHERE { ?p hs:bibKey ?k } ORDER BY ?k LIMIT 2")
    assert list(frame["k"]) == ["annabell2018hip", "barry2017early"]
    with pytest.raises(ParamError):
        g.query("SELECT ?k WHERE { ?p hs:bibKey ?k }", k="x")


def test_run_sparql_reports_syntax_errors_with_position(real_kg: KnowledgeGraph) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run_sparql(real_kg, "SELECT ?s WHERE {\n  ?s ?p\n}")
    assert caught.value.line == 3 and caught.value.column >= 1  # where pyoxigraph's parser gave up


# ------------------------------------------------------------------------------------------ errors

def test_unknown_query_lists_the_known_ones(real_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownQueryError) as caught:
        run_named(real_kg, "contested")
    assert "contested_claims" in str(caught.value) and "diagnostic_accuracy" in str(caught.value)


def test_unknown_and_badly_typed_parameters_are_rejected(real_kg: KnowledgeGraph) -> None:
    with pytest.raises(ParamError, match="no parameter 'studdy'"):
        run_named(real_kg, "study_claims", {"studdy": "lee2019accuracy"})
    with pytest.raises(ParamError, match="not an IRI"):
        run_named(real_kg, "claim_evidence", {"claim": "lumbar-disease-worsens-hip-surgery"})
    q = parse_query("# title: t\n# param: n (integer) = 1  -- a number\n# columns: x\n\n"
                    "SELECT ?x { BIND(?n AS ?x) }", "t")
    with pytest.raises(ParamError, match="whole number"):
        bind_params(q, {"n": "1.5"})
    assert bind_params(q, {"n": "+7"})["n"] == ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


@pytest.mark.parametrize("header, message", [
    ("# title: t\n# colums: x\n", "unknown header field 'colums'"),
    ("# description: d\n# columns: x\n", "no '# title:'"),
    ("# title: t\n", "no '# columns:'"),
    ("# title: t\n# param: x (uri) = a  -- h\n# columns: x\n", "unknown type 'uri'"),
    ("# title: t\n# param: x = a\n# columns: x\n", "cannot read parameter"),
])
def test_bad_headers_are_reported(header: str, message: str) -> None:
    with pytest.raises(QueryDefinitionError, match=message):
        parse_query(header + "\nSELECT ?x WHERE { ?x ?p ?o }", "bad")


def test_header_parsing() -> None:
    q = parse_query("# title: A\n#   long title\n# description: One\n#   two.\n"
                    "# param: claim (iri) = claim:x  -- the claim\n# param: who (work)  -- optional person\n"
                    "# columns: a, b,\n#   c\n# columns: d\n\nSELECT * {}", "demo")
    assert (q.title, q.description) == ("A long title", "One two.")
    assert [(p.name, p.type, p.default, p.optional) for p in q.params] == [("claim", "iri", "claim:x", False),
                                                                           ("who", "work", None, True)]
    assert q.columns == ("a", "b", "d") and isinstance(q, NamedQuery)


def test_iri_forms() -> None:
    assert parse_iri("claim:x").value == CLAIM + "x"
    assert parse_iri("<https://example.org/a>").value == "https://example.org/a"
    assert parse_iri("https://doi.org/10.1/x").value == "https://doi.org/10.1/x"
    for bad in ("plain words", "claim:x y", "https://a/b>c", "noscheme"):
        with pytest.raises(ParamError):
            parse_iri(bad)


# --------------------------------------------------------------------------------------- injection

@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name, param", [(q.name, p.name) for q in list_queries() for p in q.params])
def test_hostile_parameter_finds_nothing_extra(real_kg: KnowledgeGraph, name: str, param: str, value: str) -> None:
    before = len(real_kg)
    try:
        frame = run_named(real_kg, name, {param: value})
    except ParamError:
        frame = None  # refused before any query was built: nothing extra either
    if frame is not None:
        assert frame.empty, f"{name} with {param}={value!r} matched {len(frame)} rows"
    assert len(real_kg) == before


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_string_and_integer_values_stay_single_terms(real_kg: KnowledgeGraph, value: str) -> None:
    q = parse_query("# title: t\n# param: key (string)  -- a key\n# param: n (integer)  -- a number\n"
                    "# columns: p\n\nPREFIX hs: <https://w3id.org/hipspine/vocab#>\n"
                    "SELECT ?p WHERE { ?p hs:bibKey ?key OPTIONAL { ?p hs:sampleSize ?n } }", "t")
    rows = list(real_kg.execute(q.text, bind_params(q, {"key": value})))
    assert rows == []
    with pytest.raises(ParamError):
        bind_params(q, {"n": value})


if __name__ == "__main__" and "--regenerate" in sys.argv:
    EXPECTED.mkdir(parents=True, exist_ok=True)
    graph = load()
    for query_name in QUERY_NAMES:
        (EXPECTED / f"{query_name}.csv").write_text(normalised_csv(run_named(graph, query_name)), encoding="utf-8")
        print(f"wrote {EXPECTED / query_name}.csv")


def test_study_results_lists_figures_with_the_comparison_p_value_on_each_arm(real_kg: KnowledgeGraph) -> None:
    """A between-group comparison is not a figure of its own; its p-value shows on both arms it compares."""
    frame = run_named(real_kg, "study_results", {"study": "barry2017early"})
    assert frame["value"].notna().all() and len(frame) == 4
    assert sorted(frame["p_value"]) == ["= 0.008", "= 0.008", "= 0.04", "= 0.04"]
