"""The Streamlit app under AppTest: every page runs on the mini fixture and the real data, filters and deep links
change what is shown, the SPARQL page runs named queries and refuses what it must, and data never becomes markup.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from rdflib import URIRef
from streamlit.testing.v1 import AppTest

from app import PAGES, AppPage
from kg import load
from kg.query.named import run_named
from tests.support.apptest import assert_claim_page, ok, open_page, page, plain, start_app

REPO = Path(__file__).resolve().parent.parent
MINI = REPO / "tests" / "resources" / "mini"
HOSTILE = '<script>alert(1)</script> & "quotes"'
DATA = {"mini": MINI, "real": None}
DEFAULT = next(p for p in PAGES if p.default)


@pytest.fixture(params=sorted(DATA))
def data(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app at one data set (KG_DATA_DIR) with empty caches."""
    if DATA[request.param] is None:
        monkeypatch.delenv("KG_DATA_DIR", raising=False)
    else:
        monkeypatch.setenv("KG_DATA_DIR", str(DATA[request.param]))
    monkeypatch.delenv("KG_SPARQL_ENDPOINT", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield request.param
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def mini(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The mini fixture only (it holds the study with the hostile title)."""
    monkeypatch.setenv("KG_DATA_DIR", str(MINI))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def srcdoc(at: AppTest) -> str:
    frames = at.get("iframe")
    assert frames, "no iframe on the page"
    return frames[0].proto.srcdoc


def node_count(html: str) -> int:
    return html.count('"id":')


# ------------------------------------------------------------------------------------------- every page


def test_the_page_list_is_one_consistent_table() -> None:
    """app.PAGES, which the router, these tests and the benchmarks read: one default page, unique names and
    addresses, and a module behind every entry."""
    assert [p.name for p in PAGES if p.default] == ["overview"]
    assert len({p.name for p in PAGES}) == len({p.url_path for p in PAGES}) == len(PAGES)
    assert all((REPO / p.path).is_file() for p in PAGES)


@pytest.mark.parametrize("shown", PAGES, ids=lambda p: p.name)
def test_every_page_runs(data: str, shown: AppPage) -> None:
    at = open_page(shown.name)
    assert [t.value for t in at.title] == [shown.heading]


def test_app_starts_on_overview_with_counts(data: str) -> None:
    at = start_app()
    assert at.title[0].value == DEFAULT.heading
    metrics = {m.label: m.value for m in at.metric}
    kg = load(DATA[data])
    counts = dict(zip(*(run_named(kg, "graph_counts")[c] for c in ("kind", "count")), strict=True))
    assert metrics["Studies"] == f"{counts['studies']:,}"
    assert metrics["Claims"] == f"{counts['claims']:,}"


def test_every_claim_and_study_page_runs(data: str) -> None:
    kg = load(DATA[data])
    at = start_app()
    claims = [r["c"].rsplit("/", 1)[-1] for r in kg.select("SELECT ?c WHERE { ?c a mp:Claim }")]
    studies = [r["k"] for r in kg.select("SELECT ?k WHERE { ?s a fabio:JournalArticle ; hs:bibKey ?k "
                                         "FILTER NOT EXISTS { ?s a hs:SourceArticle } }")]
    assert claims and studies
    for name, key, values in (("claims", "claim", claims), ("studies", "study", studies)):
        at.switch_page(page(name).path)
        for value in values:
            at.query_params.clear()
            at.query_params[key] = value
            ok(at.run())
            assert at.title, f"{name}?{key}={value} shows no title"
            assert not at.error or name == "studies", [e.value for e in at.error]


def test_shacl_runs_only_on_the_data_quality_page(data: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.quality.validate

    calls: list[int] = []
    real = kg.quality.validate.validate

    def counted(*a: Any, **k: Any) -> Any:
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(kg.quality.validate, "validate", counted)
    at = start_app()
    for other in PAGES:
        if other.name != "quality":
            ok(at.switch_page(other.path).run())
    assert calls == []
    ok(at.switch_page(page("quality").path).run())
    ok(at.run())  # cached: a rerun does not validate again
    assert calls == [1]
    assert any(m.label == "Verdict" for m in at.metric)


# ------------------------------------------------------------------------------------------- filters


def test_network_filter_changes_what_is_drawn(data: str) -> None:
    at = open_page("network")
    everything = node_count(srcdoc(at))
    at.multiselect(key="net_types").set_value(["study"]).run()
    ok(at)
    studies_only = srcdoc(at)
    assert 0 < node_count(studies_only) < everything
    assert '"shape":"diamond"' not in studies_only  # no claims left
    assert at.query_params["types"] == "study"


def test_network_stance_filter_and_cap_notice(data: str) -> None:
    at = open_page("network", stance="contradicts")
    assert at.multiselect(key="net_stance").value == ["contradicts"]
    html = srcdoc(at)
    assert "#d62728" in html and "#2e8b3e" not in html.split("kg-legend")[-1].split("var options")[0].split(
        "var edges")[-1]
    capped = open_page("network", cap="5")
    assert any("left out" in w.value for w in capped.warning)
    assert node_count(srcdoc(capped)) == 5


def test_network_focus_deep_link(data: str) -> None:
    kg = load(DATA[data])
    claim = kg.select("SELECT ?c WHERE { ?e hs:evidenceFor ?c } LIMIT 1")[0]["c"]
    whole = node_count(srcdoc(open_page("network")))
    at = open_page("network", focus=claim, depth="1")
    assert at.selectbox(key="net_focus").value == claim
    assert node_count(srcdoc(at)) < whole
    assert "borderWidth" in srcdoc(at)


def test_claims_search_filters_the_list(data: str) -> None:
    at = open_page("claims")
    everything = len(at.dataframe[0].value)
    at.text_input(key="claims_search").input("hip").run()
    shown = at.dataframe[0].value
    assert 0 < len(shown) < everything
    assert all("hip" in label.lower() for label in shown["label"])
    assert at.query_params["search"] == "hip"


def test_diagnostic_test_filter(data: str) -> None:
    at = open_page("diagnostic")
    table = at.dataframe[0].value
    tests = sorted(set(table["test"]))
    assert tests
    at.multiselect(key="diag_tests").set_value([tests[0]]).run()
    assert set(ok(at).dataframe[0].value["test"]) == {tests[0]}


def test_overview_cell_deep_link_lists_its_studies(data: str) -> None:
    kg = load(DATA[data])
    cell = run_named(kg, "evidence_map").iloc[0]
    at = open_page("overview", intervention=cell["intervention"], outcome=cell["outcome"])
    assert any(f"{cell['supporting']} evidence line(s) for" in plain(m.value) for m in at.markdown)
    links = [e for e in at.get("page_link") if "study=" in e.proto.query_string]
    assert links, "the cell lists no study"


# ------------------------------------------------------------------------------------------- deep links


def test_claim_deep_link_opens_the_claim(data: str) -> None:
    kg = load(DATA[data])
    row = run_named(kg, "contested_claims").iloc[0]
    slug = row["claim"].rsplit("/", 1)[-1]
    at = open_page("claims", claim=slug)
    label = kg.select("SELECT ?l WHERE { ?c rdfs:label ?l }", {"c": URIRef(row["claim"])})
    assert_claim_page(at, label[0]["l"] if label else f"claim:{slug}", row["supporting"], row["contradicting"])


def test_unknown_claim_is_an_error_not_a_crash(data: str) -> None:
    at = open_page("claims", claim="no-such-claim")
    assert any("unknown claim" in plain(e.value) for e in at.error)


def test_study_deep_link_opens_the_study(data: str) -> None:
    kg = load(DATA[data])
    key = run_named(kg, "study_claims", {"study": ""}).iloc[0]["study"]
    at = open_page("studies", study=key)
    assert any(key in c.value for c in at.code)  # the BibTeX entry
    assert any(s.value.startswith("Claims it bears on") for s in at.subheader)


# ------------------------------------------------------------------------------------------- SPARQL


def test_sparql_editor_starts_with_the_prefixes(data: str) -> None:
    from kg.model.namespace import sparql_prefixes

    at = open_page("sparql")
    assert at.text_area(key="sparql_text").value.startswith(sparql_prefixes())


def test_sparql_named_query_loads_and_shows_its_rows(data: str) -> None:
    at = open_page("sparql")
    at.selectbox(key="sparql_example").select("evidence_table").run()
    at.button(key="sparql_load").click().run()
    assert "evidence_table" in ok(at).text_area(key="sparql_text").value or "Evidence table" in \
        at.text_area(key="sparql_text").value
    at.button(key="sparql_run").click().run()
    shown = ok(at).dataframe[0].value
    expected = run_named(load(DATA[data]), "evidence_table")
    assert len(shown) == len(expected) > 0
    assert list(shown.columns) == list(expected.columns)
    assert at.query_params["q"]  # the query is in the URL, ready to share


def test_sparql_update_is_refused_with_a_message(data: str) -> None:
    at = open_page("sparql")
    at.text_area(key="sparql_text").input("PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }").run()
    at.button(key="sparql_run").click().run()
    assert any("not allowed" in plain(e.value) and "INSERT" in plain(e.value) for e in ok(at).error)
    assert not at.dataframe


def test_sparql_syntax_error_shows_line_and_column(data: str) -> None:
    at = open_page("sparql")
    at.text_area(key="sparql_text").input("SELECT ?s\nWHERE {\n  ?s ?p\n}").run()
    at.button(key="sparql_run").click().run()
    errors = [plain(e.value) for e in ok(at).error]
    assert any("line 4" in e and "column" in e for e in errors), errors
    assert any("^" in c.value for c in at.code)  # the offending line with a caret


def test_sparql_row_cap_is_announced(data: str) -> None:
    from app_pages.sparql import MAX_ROWS

    assert len(load(DATA[data])) > MAX_ROWS  # the ontology alone has more triples than the cap
    at = open_page("sparql", q="SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert len(at.dataframe[0].value) == MAX_ROWS
    assert any("Row limit reached" in w.value for w in at.warning)


def test_sparql_deep_link_reruns_the_query_and_construct_draws(data: str) -> None:
    at = open_page("sparql", q="CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a mp:Claim ; rdfs:label ?l }")
    assert list(at.dataframe[0].value.columns) == ["subject", "predicate", "object"]
    assert node_count(srcdoc(at)) > 0
    ask = open_page("sparql", q="ASK { ?c a mp:Claim }")
    assert any("yes" in s.value for s in ask.success)


# ------------------------------------------------------------------------------------------- escaping


def _elements(at: AppTest) -> list:
    """Every element of the page (main and sidebar), recursively."""
    found, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children:
            stack.extend(children.values())
        else:
            found.append(node)
    return found


def _assert_no_markup(at: AppTest, where: str) -> int:
    """No element renders the hostile title as HTML; returns how many elements show it as text."""
    shown = 0
    for element in _elements(at):
        proto = getattr(element, "proto", None)
        if proto is None:
            continue
        text = str(proto)
        if "alert(1)" not in text:
            continue
        shown += 1
        assert not getattr(proto, "allow_html", False), f"{where}: data rendered with unsafe HTML: {text[:200]}"
        kind = proto.DESCRIPTOR.name
        if kind == "IFrame":
            assert "<script>alert" not in proto.srcdoc, f"{where}: raw <script> in the network page"
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in proto.srcdoc
        elif kind in ("Markdown", "Heading", "Alert", "PageLink"):
            body = getattr(proto, "body", "") or getattr(proto, "label", "")
            assert "<script>" not in body, f"{where}: unescaped <script> in {kind}: {body[:200]}"
    return shown


def test_hostile_title_is_text_on_every_page(mini: None) -> None:
    kg = load(MINI)
    claim = run_named(kg, "study_claims", {"study": "script2021test"}).iloc[0]["claim"].rsplit("/", 1)[-1]
    at = start_app()
    seen = 0
    for shown in PAGES:
        ok(at.switch_page(shown.path).run())
        seen += _assert_no_markup(at, shown.name)
    for name, key, value in (("studies", "study", "script2021test"), ("claims", "claim", claim)):
        at.switch_page(page(name).path)
        at.query_params.clear()
        at.query_params[key] = value
        ok(at.run())
        seen += _assert_no_markup(at, f"{name}?{key}={value}")
    study = open_page("studies", study="script2021test")
    assert plain(study.title[0].value) == HOSTILE  # shown as the text it is
    network = open_page("network", focus="https://w3id.org/hipspine/id/work/script2021test")
    seen += _assert_no_markup(network, "network focus")
    assert seen >= 3


# ------------------------------------------------------------------------------------------- appraisal

POOLING = REPO / "tests" / "resources" / "pooling"


def _html_blocks(at: AppTest) -> list[str]:
    return [m.proto.body for m in at.markdown if m.proto.allow_html]


def test_study_page_shows_the_risk_of_bias_traffic_lights_with_data_escaped(mini: None) -> None:
    at = open_page("studies", study="script2021test")
    assert "Risk of bias" in [s.value for s in at.subheader]
    [table] = [b for b in _html_blocks(at) if "rob-table" in b]
    assert "patient selection" in table and "high concern" in table and "flow and timing" in table
    assert "&lt;b&gt;hips&lt;/b&gt; &amp; &quot;quotes&quot;" in table and "<b>hips</b>" not in table
    unassessed = open_page("studies", study="beta2020arthroscopy")
    assert any("No risk-of-bias assessment is recorded" in c.value for c in unassessed.caption)


def test_study_page_names_the_tool_or_why_none_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_DATA_DIR", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    rajeev = open_page("studies", study="rajeev2017validity")
    assert any("Assessed with QUADAS-2" in plain(c.value) for c in rajeev.caption)
    assert any("rob-table" in b and "no information" in b for b in _html_blocks(rajeev))
    devin = open_page("studies", study="devin2012hipspine")
    assert any("narrative review" in plain(c.value) and "ROBIS" in plain(c.value) for c in devin.caption)
    st.cache_data.clear()


def test_claim_page_shows_certainty_of_what_each_step_and_the_direction_of_effect(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_DATA_DIR", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    from kg.analysis.evidence import claim_summary
    from kg.render.text import DIRECTION_WORDS

    expected = claim_summary(load(), "fusion-order-changes-tha-risk")
    assert expected.certainty is not None
    at = open_page("claims", claim="fusion-order-changes-tha-risk")
    subheaders = [s.value for s in at.subheader]
    assert {"Certainty of the evidence", "Direction of effect", "Pooled results"} <= set(subheaders)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Certainty"] == expected.certainty.grade
    assert metrics["Certainty of what"] == expected.certainty.direction
    body = "\n".join(plain(m.value) for m in at.markdown)
    assert "| imprecision | -2 | yes |" in body and "appreciable fall" in body  # Onggo's two wide intervals
    assert "| publication bias | no change | no: cannot be assessed |" in body
    assert f"{expected.certainty.grade} certainty {DIRECTION_WORDS[expected.certainty.direction]}" in body
    assert "| Onggo 2021 |" in body  # the direction-of-effect row
    captions = " ".join(plain(c.value) for c in at.caption)
    assert "Nothing pools on this claim" in captions and expected.direction.verdict in captions
    st.cache_data.clear()


def test_claim_page_draws_a_forest_plot_where_results_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_DATA_DIR", str(POOLING))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = open_page("claims", claim="fusion-raises-dislocation")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = charts[0].proto.spec
    assert '"log"' in spec and "Pooled" in str(charts[0].proto)
    captions = " ".join(plain(c.value) for c in at.caption)
    assert "Random effects (Paule-Mandel) over 2 studies: 2.4 (1.86 to 3.09); heterogeneity I² 0%, tau² 0" in captions
    assert "sign test p = 0.5" in captions
    st.cache_resource.clear()
    st.cache_data.clear()
