""""Cite this view" and the as-of year under AppTest: every page offers a citation that reopens it, a reopened
view says whether the graph changed since, and the as-of year narrows the claim, network and evidence-map pages."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app import PAGES, AppPage
from kg import load
from kg.export.snapshot import SHORT, graph_hash, view_id
from tests.support.apptest import ok, open_page, plain

REPO = Path(__file__).resolve().parent.parent
CLAIM = "lumbar-disease-worsens-hip-surgery"  # three studies, published 2017-2020


@pytest.fixture(autouse=True)
def real_data(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("KG_DATA_DIR", raising=False)
    monkeypatch.delenv("KG_SPARQL_ENDPOINT", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="module")
def digest() -> str:
    return graph_hash(load())


def citation(at: AppTest) -> tuple[str, str, str]:
    """(identifier, reopening URL, citation text) from the sidebar's "Cite this view"."""
    box = next(e for e in at.sidebar.expander if e.label == "Cite this view")
    ident = next(m.value for m in box.markdown if m.value.startswith("**Snapshot**")).split("`")[1]
    url, text = (c.value for c in box.code)
    return ident, url, text


@pytest.mark.parametrize("shown", PAGES, ids=lambda p: p.name)
def test_every_page_can_be_cited(shown: AppPage, digest: str) -> None:
    at = open_page(shown.name)
    ident, url, text = citation(at)
    assert ident.startswith(digest[:SHORT] + "-")
    assert dict(parse_qsl(urlsplit(url).query))["snapshot"] == digest[:SHORT]
    assert ident in text and url in text and digest in text


def test_a_cited_view_reopens_with_the_same_identifier(digest: str) -> None:
    at = open_page("claims", claim=CLAIM)
    ident, url, _ = citation(at)
    assert urlsplit(url).path == "/claims"
    params = dict(parse_qsl(urlsplit(url).query))
    assert ident == view_id(digest, "claims", params)
    again = open_page("claims", claim=params["claim"], snapshot=params["snapshot"])
    assert citation(again)[0] == ident
    assert plain(again.title[0].value) == plain(at.title[0].value)
    assert any("unchanged since it was cited" in s.value for s in again.sidebar.success)


def test_a_view_cited_against_another_graph_says_so() -> None:
    at = open_page("claims", claim=CLAIM, snapshot="0123456789abcdef")
    assert any("has changed since" in w.value for w in at.sidebar.warning)


def supporting_and_contradicting(at: AppTest) -> tuple[int, int]:
    metrics = {m.label: m.value for m in at.metric}
    return int(metrics["Supporting studies"]), int(metrics["Contradicting studies"])


def test_as_of_narrows_a_claim_and_is_kept_in_the_url() -> None:
    at = open_page("claims", claim=CLAIM)
    now = supporting_and_contradicting(at)
    year = at.sidebar.selectbox(key="as_of_year")
    assert year.value == "all evidence"
    year.select("2016").run()
    ok(at)
    assert supporting_and_contradicting(at) == (0, 0)
    assert at.query_params["as_of"] == "2016"
    assert "as_of=2016" in citation(at)[1]
    at.sidebar.selectbox(key="as_of_year").select("all evidence").run()
    assert supporting_and_contradicting(at) == now and "as_of" not in at.query_params
    reopened = open_page("claims", claim=CLAIM, as_of="2016")
    assert reopened.sidebar.selectbox(key="as_of_year").value == "2016"
    assert supporting_and_contradicting(reopened) == (0, 0)


def test_as_of_on_the_claim_list_keeps_the_search() -> None:
    at = open_page("claims", search="lumbar", as_of="2016")
    assert at.text_input(key="claims_search").value == "lumbar"
    assert at.query_params["as_of"] == "2016" and at.query_params["search"] == "lumbar"
    frame = at.dataframe[0].value
    assert len(frame) and frame["supporting"].sum() + frame["contradicting"].sum() == 0


def test_as_of_narrows_the_network_and_the_evidence_map() -> None:
    def nodes(at: AppTest) -> int:
        return int(next(c.value for c in at.caption if "nodes match" in c.value).split()[0])

    assert nodes(open_page("network", as_of="2011")) < nodes(open_page("network"))
    now = open_page("overview")
    before = open_page("overview", as_of="2011")
    assert not any("No evidence line has a PICO frame" in i.value for i in now.info)
    assert any("No evidence line has a PICO frame" in i.value for i in before.info)
