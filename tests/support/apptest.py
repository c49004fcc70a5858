"""app.py under Streamlit's AppTest: open a page with URL parameters, fail on any exception, read text as shown."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app import PAGES, AppPage

APP = Path(__file__).resolve().parents[2] / "app.py"
_BY_NAME = {p.name: p for p in PAGES}


def page(name: str) -> AppPage:
    """The page whose module is app_pages/<name>.py (a KeyError names the known pages)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no page {name!r} in app.PAGES; pages: {sorted(_BY_NAME)}") from None


@contextmanager
def app_data(directory: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`directory` as the app's local data (no remote, no persistent store, writable), with empty caches before
    and after."""
    monkeypatch.setenv("KG_DATA_DIR", str(directory))
    for name in ("KG_SPARQL_ENDPOINT", "KG_STORE", "KG_READ_ONLY"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield directory
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def plain(markdown: str) -> str:
    """Markdown as the reader sees it: backslash escapes removed (the pages escape every data string)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def ok(at: AppTest) -> AppTest:
    """Assert the last run raised nothing."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def start_app(timeout: float = 60) -> AppTest:
    """The app run once on its default page, which must not raise."""
    return ok(AppTest.from_file(str(APP), default_timeout=timeout).run())


def open_page(name: str, *, timeout: float = 60, **query: str) -> AppTest:
    """Run the app on page `name` (a module of app_pages/) with these URL query parameters; fail on any exception."""
    at = start_app(timeout)
    at.switch_page(page(name).path)
    at.query_params.clear()
    for key, value in query.items():
        at.query_params[key] = value
    return ok(at.run())


def assert_claim_page(at: AppTest, label: str, supporting: int, contradicting: int) -> None:
    """A claim's page: its label as the heading, the two sides with their counts, and a certainty rating."""
    assert plain(at.title[0].value) == label
    subheaders = [s.value for s in at.subheader]
    assert f"Supporting ({supporting})" in subheaders
    assert f"Contradicting ({contradicting})" in subheaders
    assert any(m.label == "Certainty" for m in at.metric)
