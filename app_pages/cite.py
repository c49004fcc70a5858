"""Citable views and the "as of" year, shared by every page.

* `run(page)` runs the page the navigation chose, then puts "Cite this view" in the sidebar: the view's snapshot
  identifier (kg.export.snapshot.view_id: the graph's canonical N-Triples hash, the page and its parameters), the
  address that reopens it and a plain-text citation. An address carrying `snapshot=` says whether the graph is
  still the one the view was cited against.
* `as_of_filter()` is the sidebar's "Evidence as of" year (URL `?as_of=YEAR`) for the claim, network and
  evidence-map pages; they pass the year on to app_pages.resources (kg.analysis.asof does the filtering).
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from app_pages import resources
from app_pages.widgets import literal, param
from kg.export.snapshot import SHORT, VIEW_PARAM, cite_view, package_version

AS_OF_PARAM = "as_of"
AS_OF_KEY = "as_of_year"
_AS_OF_SEEN = "_as_of_url"  # the as_of the URL held when the widget last read or wrote it
ALL = "all evidence"
LOCAL = "http://localhost:8501"  # the address when the browser's is unknown (a script run, AppTest)


# ----------------------------------------------------------------------------------------- as of


def as_of_filter() -> int | None:
    """The sidebar's "Evidence as of" choice: None for all the evidence, else a year (the page then shows only
    the studies published by the end of it). Kept in the URL as `?as_of=YEAR`."""
    years = resources.publication_years()
    url = param(AS_OF_PARAM)
    if years is None or resources.triples() > resources.AS_OF_MAX_TRIPLES:
        if url is not None:
            st.sidebar.caption("The as-of year is not available on a graph this large.")
        return None
    first, last = years
    options = [ALL] + [str(y) for y in range(last, first - 2, -1)]  # first - 1: before any study
    if url is not None and url.isdigit() and url not in options:
        options.insert(1, url)
    if st.session_state.get(_AS_OF_SEEN) != url or AS_OF_KEY not in st.session_state:  # opened, or a new link
        st.session_state[AS_OF_KEY] = url if url in options else ALL
        st.session_state[_AS_OF_SEEN] = url
    choice = st.sidebar.selectbox(
        "Evidence as of", options, key=AS_OF_KEY,
        help="Show only the evidence from studies published by the end of this year: what a reader could have "
             "known then. The claims stay; studies without a recorded year are kept.")
    year = None if choice == ALL else int(choice)
    if year is None:
        st.query_params.pop(AS_OF_PARAM, None)
    else:
        st.query_params[AS_OF_PARAM] = str(year)
        st.sidebar.caption(f"Evidence published by the end of {year}.")
    st.session_state[_AS_OF_SEEN] = None if year is None else str(year)
    return year


# ----------------------------------------------------------------------------------------- cite this view


def base_url(url_path: str) -> str:
    """The app's address in the browser without the page's own path (LOCAL when unknown)."""
    url = getattr(st.context, "url", None)
    if not url:
        return LOCAL
    parts = urlsplit(str(url))
    path = parts.path.rstrip("/")
    if url_path and path.endswith("/" + url_path):
        path = path[: -len(url_path) - 1]
    return f"{parts.scheme}://{parts.netloc}{path}"


def view_params() -> dict[str, str]:
    """The page's URL parameters as the page left them (the view), without the snapshot."""
    return {k: v for k, v in st.query_params.to_dict().items() if k != VIEW_PARAM}


def show_cited(cited: str | None) -> None:
    """Whether the graph is still the one a reopened view was cited against."""
    if not cited:
        return
    now = resources.graph_hash()[:SHORT]
    if cited == now:
        st.sidebar.success(f"Reopened view of snapshot {literal(cited)}: the graph is unchanged since it was cited.",
                           icon=":material/verified:")
    else:
        st.sidebar.warning(f"This view was cited against snapshot {literal(cited)}; the graph has changed since "
                           f"(now {now}), so what it shows may differ. `kg snapshot` files keep each version.",
                           icon=":material/history:")


def cite_box(page: Any) -> None:
    """The sidebar's "Cite this view": identifier, address and a citation to paste."""
    url_path = str(getattr(page, "url_path", "") or "")
    with st.sidebar.expander("Cite this view", icon=":material/format_quote:"):
        citation = cite_view(resources.graph_hash(), base=base_url(url_path), page=url_path,
                             title=str(getattr(page, "title", url_path)), params=view_params(),
                             accessed=dt.date.today(), version=package_version())
        st.markdown(f"**Snapshot** `{citation.identifier}`")
        st.caption("The first part names the graph (a hash of its canonical N-Triples), the second this page and "
                   "its settings. `kg snapshot DIR` writes that graph with its hash and a CITATION.cff.")
        st.markdown("**Reopen**")
        st.code(citation.url, language=None, wrap_lines=True)
        st.markdown("**Citation**")
        st.code(citation.text, language=None, wrap_lines=True)


def run(page: Any) -> None:
    """Run the navigation's page, then the sidebar's citation of what it shows."""
    cited = param(VIEW_PARAM)  # read first: a page may rewrite its URL
    page.run()
    show_cited(cited)
    cite_box(page)
