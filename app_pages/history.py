"""Change history page: the recent curation changes, from the data's own provenance (prov:wasAttributedTo, the
curator; prov:generatedAtTime, when), newest first, each with a link to the page that shows the changed record.

kg.curate.history reads them (the `curation_history` query, at most 200 rows); a record shows its last change
only, and a deleted record is gone from the graph and so from this list (the claims file's git log keeps both).

URL: `?curator=NAME` shows one curator's changes.
"""
from __future__ import annotations

import streamlit as st

from app_pages import resources
from app_pages.widgets import literal, param, seed, set_params, short_id, text

CURATOR_KEY = "history_curator"
EVERYONE = "everyone"


def show_change(row: dict[str, object], pages: dict[str, tuple[str | None, str | None]]) -> None:
    """One change: what, who, when, and a link to the record's page."""
    from app_pages.widgets import link_claim, link_study
    from kg.model.namespace import compact

    record = str(row["record"])
    kind, label = text(row.get("kind")) or "record", text(row.get("label"))
    key, claim = pages.get(record, (None, None))
    shown = f"{kind}: {label or compact(record)}"
    with st.container(border=True):
        if claim and (kind in ("claim", "evidence line") or not key):
            link_claim(short_id(claim), shown)
        elif key:
            link_study(key, shown)
        else:
            st.markdown(f"**{literal(shown)}**")
        st.caption(literal(f"{compact(record)} · {text(row.get('curator'))} · {text(row.get('at'))}"))


def render() -> None:
    """The Change history page."""
    st.title("Change history")
    st.caption("Curation changes, newest first, from the data's own provenance: who (prov:wasAttributedTo) "
               "changed each record and when (prov:generatedAtTime). A record shows its last change; the claims "
               "file's git history keeps every earlier one.")
    everything = resources.history()
    curators = sorted({text(r.get("curator")) for r in everything if text(r.get("curator"))})
    wanted = param("curator")
    seed("history", {CURATOR_KEY: wanted if wanted in curators else EVERYONE})
    chosen = st.selectbox("Curator", [EVERYONE, *curators], key=CURATOR_KEY)
    set_params("history", {"curator": None if chosen == EVERYONE else chosen})
    rows = everything if chosen == EVERYONE else resources.history(chosen)
    if not rows:
        st.info("No curated change is recorded yet: changes made in Curate mode (on a study's or a claim's page) "
                "or with `kg curate` appear here.", icon=":material/history:")
        return
    st.caption(f"{len(rows)} change{'s' if len(rows) != 1 else ''}" + (" (the most recent 200)" if len(rows) >= 200 else ""))
    pages = resources.record_pages([str(r["record"]) for r in rows])
    for row in rows:
        show_change(row, pages)


if __name__ == "__main__":
    render()
