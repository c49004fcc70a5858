"""The Streamlit app on a 10,000-paper synthetic corpus (kg.synth, the project's model at scale), under AppTest.

The corpus is generated and built into a persistent store once per session (KG_STORE), as a large deployment
would run it. Every page must render without an exception, and show bounded views with a notice where it leaves
something out: the network built around part of the graph and capped, the study table a page at a time, the
claim list and the diagnostic table capped, the Data quality page waiting for a click before SHACL. Deep links to
a study, a claim, a map cell and a network focus must open. No timings here: speed is measured by benchmarks/.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app import PAGES, AppPage
from kg import KnowledgeGraph, load
from kg.query.named import run_named
from kg.synth import generate
from tests.support import apptest
from tests.support.apptest import assert_claim_page, ok, plain, start_app

PAPERS = 10_000
TIMEOUT_S = 120  # AppTest's per-run limit: a page on 10k papers in a busy CI must not be cut off


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(data directory, store directory): 10k synthetic papers, built once into a persistent store."""
    root = tmp_path_factory.mktemp("scale")
    data, store = root / "data", root / "store"
    stats = generate(PAPERS, 42, data)
    assert stats.papers == PAPERS
    load(data, strict=False, store_path=store)  # later opens (the app's) reuse it
    return data, store


@pytest.fixture(scope="module")
def big(corpus: tuple[Path, Path]) -> Iterator[KnowledgeGraph]:
    """The app pointed at the corpus through KG_DATA_DIR and KG_STORE, with empty caches; the graph for checks."""
    data, store = corpus
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KG_DATA_DIR", str(data))
        mp.setenv("KG_STORE", str(store))
        mp.delenv("KG_SPARQL_ENDPOINT", raising=False)
        st.cache_resource.clear()
        st.cache_data.clear()
        yield load(data, strict=False, store_path=store)
        st.cache_resource.clear()
        st.cache_data.clear()


def open_page(name: str, **query: str) -> AppTest:
    """Run the app on page `name` (a module of app_pages/) with these URL query parameters; fail on any exception."""
    return apptest.open_page(name, timeout=TIMEOUT_S, **query)


def notices(at: AppTest) -> list[str]:
    """The text of every info, warning and caption on the page, as read."""
    return [plain(e.value) for kind in ("info", "warning", "caption") for e in at.get(kind)]


def has_notice(at: AppTest, pattern: str) -> bool:
    return any(re.search(pattern, text) for text in notices(at))


# ------------------------------------------------------------------------------------------- every page


def test_the_app_opens_on_the_store_with_the_corpus_counts(big: KnowledgeGraph) -> None:
    at = start_app(TIMEOUT_S)
    assert at.title[0].value == next(p for p in PAGES if p.default).heading
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Studies"] == f"{PAPERS:,}"
    counts = dict(zip(*(run_named(big, "graph_counts")[c] for c in ("kind", "count")), strict=True))
    assert metrics["Claims"] == f"{counts['claims']:,}"


@pytest.mark.parametrize("shown", PAGES, ids=lambda p: p.name)
def test_every_page_renders(big: KnowledgeGraph, shown: AppPage) -> None:
    at = open_page(shown.name)
    assert [plain(t.value) for t in at.title] == [shown.heading]


# ------------------------------------------------------------------------------------------- bounded views


def test_overview_caps_contested_claims_and_the_evidence_map(big: KnowledgeGraph) -> None:
    from app_pages.overview import CONTESTED_SHOWN, MAP_AXIS_MAX

    at = open_page("overview")
    assert has_notice(at, rf"Showing the {CONTESTED_SHOWN} contested claims with the most studies")
    assert has_notice(at, rf"The map shows the {MAP_AXIS_MAX} interventions and {MAP_AXIS_MAX} outcomes")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    drawn = spec["encoding"]["x"]["sort"], spec["encoding"]["y"]["sort"]
    assert [len(axis) for axis in drawn] == [MAP_AXIS_MAX, MAP_AXIS_MAX]
    cells = run_named(big, "evidence_map")
    assert cells["intervention"].nunique() > MAP_AXIS_MAX  # the corpus really is larger than the map


def test_network_is_built_around_part_of_the_graph_and_capped(big: KnowledgeGraph) -> None:
    from app_pages.network import DEFAULT_CAP

    at = open_page("network")
    assert has_notice(at, r"the network is built around part of it: the \d+ claims with the most evidence")
    assert any("Node cap reached" in w.value for w in at.warning)
    html = at.get("iframe")[0].proto.srcdoc
    assert html.count('"id":') == DEFAULT_CAP
    assert len(at.selectbox(key="net_focus").options) < 5_000  # the focus list holds the part, not the corpus


def test_study_table_pages_through_the_corpus(big: KnowledgeGraph) -> None:
    from app_pages.studies import PAGE_SIZE

    at = open_page("studies")
    assert has_notice(at, rf"The table shows {PAGE_SIZE} studies at a time")
    first = at.dataframe[0].value
    assert len(first) == PAGE_SIZE
    assert has_notice(at, rf"Studies 1–{PAGE_SIZE} of {PAPERS:,}")
    at.button(key="studies_next").click().run()
    second = ok(at).dataframe[0].value
    assert len(second) == PAGE_SIZE and second["key"].iloc[0] > first["key"].iloc[-1]
    assert has_notice(at, rf"Studies {PAGE_SIZE + 1:,}–{2 * PAGE_SIZE:,} of {PAPERS:,}")
    at.button(key="studies_prev").click().run()
    assert list(ok(at).dataframe[0].value["key"]) == list(first["key"])


def test_study_search_narrows_the_table(big: KnowledgeGraph) -> None:
    key = run_named(big, "studies").iloc[150]["key"]
    at = open_page("studies", search=key)
    shown = at.dataframe[0].value
    assert key in set(shown["key"]) and len(shown) < 10


def test_claim_list_is_capped_with_a_notice(big: KnowledgeGraph) -> None:
    from app_pages.claims import LIST_SIZE

    at = open_page("claims")
    assert has_notice(at, rf"The list stops at {LIST_SIZE} claims")
    table = at.dataframe[0].value
    assert len(table) == LIST_SIZE and table["contested"].iloc[0]  # contested claims first
    at.text_input(key="claims_search").input("lumbar").run()
    expected = run_named(big, "claims", {"search": "lumbar"}).head(LIST_SIZE)
    assert list(ok(at).dataframe[0].value["label"]) == list(expected["label"])
    assert all("lumbar" in f"{r.label} {r.claim}".lower() for r in expected.itertuples())


def test_diagnostic_table_is_capped_with_a_notice(big: KnowledgeGraph) -> None:
    from app_pages.diagnostic import TABLE_ROWS

    at = open_page("diagnostic")
    assert len(run_named(big, "diagnostic_accuracy")) > TABLE_ROWS
    assert has_notice(at, rf"The table shows the first {TABLE_ROWS} of")
    assert len(at.dataframe[0].value) == TABLE_ROWS


def test_timeline_draws_the_best_evidenced_claims(big: KnowledgeGraph) -> None:
    from app_pages.timeline import DEFAULT_CLAIMS

    at = open_page("timeline")
    assert has_notice(at, rf"Showing the {DEFAULT_CLAIMS} contested and best-evidenced claims")
    assert at.get("vega_lite_chart")


def test_data_quality_waits_for_a_click_before_shacl(big: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.quality.validate

    calls: list[int] = []
    monkeypatch.setattr(kg.quality.validate, "validate", lambda *a, **k: calls.append(1))
    at = open_page("quality")
    assert calls == []
    assert at.button(key="quality_run")  # SHACL is one click away
    assert has_notice(at, r"Showing the first \d+ of [\d,]+ discrepancies")


# ------------------------------------------------------------------------------------------- deep links


def test_study_deep_link_opens_the_study(big: KnowledgeGraph) -> None:
    row = run_named(big, "study_results", {"study": ""}).iloc[0]  # a study with measured results
    at = open_page("studies", study=row["study"])
    record = run_named(big, "study_record", {"study": row["study"]}).iloc[0]
    assert plain(at.title[0].value) == record["title"]
    assert any(row["study"] in c.value for c in at.code)  # its BibTeX entry
    subheaders = [s.value for s in at.subheader]
    assert "PICO" in subheaders and any(s.startswith("Measured results (") for s in subheaders)
    assert any(s.startswith("Claims it bears on") for s in subheaders)
    links = [e for e in at.get("page_link") if "focus=" in e.proto.query_string]
    assert links, "no link to the study in the network"


def test_claim_deep_link_opens_the_claim(big: KnowledgeGraph) -> None:
    row = run_named(big, "claims").iloc[0]  # the most-evidenced contested claim
    at = open_page("claims", claim=row["claim"].rsplit("/", 1)[-1])
    assert_claim_page(at, row["label"], row["supporting"], row["contradicting"])


def test_overview_cell_deep_link_lists_its_studies(big: KnowledgeGraph) -> None:
    cell = run_named(big, "evidence_map").iloc[0]
    at = open_page("overview", intervention=cell["intervention"], outcome=cell["outcome"])
    assert any(f"{cell['supporting']} evidence line(s) for" in plain(m.value) for m in at.markdown)
    links = [e for e in at.get("page_link") if "study=" in e.proto.query_string]
    assert 0 < len(links)


def test_network_focus_deep_link_builds_around_the_study(big: KnowledgeGraph) -> None:
    study = run_named(big, "study_claims", {"study": ""}).iloc[0]["study"]
    iri = run_named(big, "study_record", {"study": study}).iloc[0]["iri"]
    at = open_page("network", focus=iri, depth="2")
    assert at.selectbox(key="net_focus").value == iri
    assert has_notice(at, r"claims nearest the focus node")
    assert "borderWidth" in at.get("iframe")[0].proto.srcdoc  # the focus is drawn
