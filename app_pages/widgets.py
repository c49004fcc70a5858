"""Small UI helpers shared by the pages: literal text in Markdown, links between pages, URL state.

Data strings (titles, statements) are shown through `literal()` or plain st.write/st.dataframe, never as HTML.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import streamlit as st

STUDIES_PAGE = "app_pages/studies.py"
CLAIMS_PAGE = "app_pages/claims.py"
NETWORK_PAGE = "app_pages/network.py"
_URL_KEY = "_url_seen:"  # session-state prefix: the URL a page last read or wrote
STICKY_PARAMS = ("as_of",)  # URL state that is not the page's own (app_pages.cite's year): set_params keeps it

# CommonMark lets a backslash escape any ASCII punctuation: escaping all of it (< > & " included) leaves
# nothing in a data string that Markdown or HTML could read as markup.
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def literal(text: Any) -> str:
    """`text` for st.markdown/st.page_link labels so it renders exactly as written (no Markdown, no HTML)."""
    s = "" if text is None else " ".join(str(text).split())
    return _PUNCT.sub(r"\\\1", s)


def text(value: Any) -> str:
    """A cell as text: '' for None and for pandas' missing values (NA, NaN), which have no truth value."""
    if value is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # list-like cells: not missing
        pass
    return str(value)


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table whose cells are literal text (wraps long text, unlike st.dataframe)."""
    lines = ["| " + " | ".join(literal(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(literal(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def link_study(key: str, label: str | None = None, icon: str | None = ":material/article:") -> None:
    """A link to the study page of BibTeX key `key`."""
    st.page_link(STUDIES_PAGE, label=literal(label or key), icon=icon, query_params={"study": key})


def link_claim(slug: str, label: str | None = None, icon: str | None = ":material/fact_check:") -> None:
    """A link to the page of claim `slug`."""
    st.page_link(CLAIMS_PAGE, label=literal(label or slug), icon=icon, query_params={"claim": slug})


def short_id(iri: object) -> str:
    """The last path segment of an IRI (claim slug, concept slug, BibTeX-keyed work)."""
    if not iri:
        return ""
    return re.split(r"[/#]", str(iri).rstrip("/"))[-1]


# ----------------------------------------------------------------------------- URL state


def param(name: str, default: str | None = None) -> str | None:
    """One query parameter of the page URL."""
    value = st.query_params.get(name)
    return value if value not in (None, "") else default


def param_list(name: str) -> list[str]:
    """A list-valued query parameter, written either repeated (?a=x&a=y) or comma-separated (?a=x,y)."""
    out: list[str] = []
    for v in st.query_params.get_all(name):
        out += [p for p in v.split(",") if p]
    return out


def seed(scope: str, values: dict[str, Any]) -> bool:
    """Set widget states from the URL when the page opens, or when its URL changed from outside the page (a link
    or a pasted address); otherwise the widgets keep what the user chose. Returns True when it seeded."""
    current = st.query_params.to_dict()
    if st.session_state.get(_URL_KEY + scope) == current and all(k in st.session_state for k in values):
        return False
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[_URL_KEY + scope] = current
    return True


def widget_value(scope: str, key: str, url_value: Any) -> Any:
    """What a widget seeded by seed(scope, ...) will hold on this run, before it is drawn: the user's choice
    while the URL is the one the page last saw, else `url_value` (read from the new URL)."""
    if st.session_state.get(_URL_KEY + scope) == st.query_params.to_dict() and key in st.session_state:
        return st.session_state[key]
    return url_value


def set_params(scope: str, values: dict[str, Any]) -> None:
    """Write the page's shareable state to the URL (empty values dropped, lists joined by commas)."""
    wanted: dict[str, str] = {k: st.query_params[k] for k in STICKY_PARAMS if k not in values and k in st.query_params}
    for k, v in values.items():
        if v is None or v == "" or (isinstance(v, (list, tuple, set)) and not v):
            continue
        wanted[k] = ",".join(map(str, v)) if isinstance(v, (list, tuple, set)) else str(v)
    # Written on every run, even when unchanged here: after a link to the same page the browser can still show
    # the old query string while the script already sees the new one.
    st.query_params.from_dict(wanted)
    st.session_state[_URL_KEY + scope] = wanted


def table_height(rows: int, limit: int = 40) -> int:
    """Pixels for st.dataframe to show `rows` rows (up to `limit`) without an inner scroll bar."""
    return 35 * (min(rows, limit) + 1) + 3
