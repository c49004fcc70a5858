"""Overview page: what the graph holds, the contested claims, and the evidence map (interventions × outcomes)
whose cells open the studies behind them.

URL: `?intervention=LABEL&outcome=LABEL` opens one cell of the evidence map.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.widgets import link_claim, link_study, literal, param, seed, set_params, short_id

HEADLINE = ["studies", "claims", "evidence lines", "measured results", "source articles", "discrepancies"]
CELL_KEYS = ("overview_intervention", "overview_outcome")
MAP_KEY = "evidence_map"


def show_counts() -> None:
    """Headline counts (graph_counts), the rest in an expander."""
    counts = resources.query("graph_counts")
    by_kind = dict(zip(counts["kind"], counts["count"], strict=True))
    for column, kind in zip(st.columns(len(HEADLINE)), HEADLINE, strict=True):
        column.metric(kind.capitalize(), f"{int(by_kind.get(kind, 0)):,}")
    with st.expander("Everything the graph holds"):
        st.dataframe(counts, hide_index=True)
        st.dataframe(resources.query("graph_coverage"), hide_index=True)


def show_contested() -> None:
    """Claims with evidence both ways: the claim, the studies for, the studies against (one row each)."""
    contested = resources.query("contested_claims")
    st.subheader(f"Contested claims ({len(contested)})")
    st.caption("Claims that some studies support and others contradict. Open one to see why they disagree.")
    if contested.empty:
        st.caption("No claim has evidence both ways.")
        return
    for row in contested.itertuples():
        with st.container(border=True):
            claim, pro, con = st.columns([5, 3, 3])
            with claim:
                st.markdown(literal(row.statement))
                link_claim(short_id(row.claim), "Open the claim")
                if row.qualifying:
                    st.caption(f"{row.qualifying} more stud{'ies' if row.qualifying != 1 else 'y'} qualify it.")
            for column, title, keys in ((pro, f"For ({row.supporting})", row.supported_by),
                                        (con, f"Against ({row.contradicting})", row.contradicted_by)):
                with column:
                    st.caption(title)
                    for key in str(keys or "").split("; "):
                        if key:
                            link_study(key)


def heat_map(cells: pd.DataFrame) -> dict[str, Any]:
    """Vega-Lite spec of the outcome × intervention grid: colour by the balance of evidence lines, text
    'for+ against−'; a click selects a cell (the `cell` selection)."""
    tooltip = [{"field": "intervention"}, {"field": "outcome"},
               {"field": "supporting", "type": "quantitative", "title": "evidence lines for"},
               {"field": "contradicting", "type": "quantitative", "title": "evidence lines against"},
               {"field": "qualifying", "type": "quantitative", "title": "qualifying"},
               {"field": "studies", "type": "quantitative"}]
    return {
        "height": {"step": 26},
        "encoding": {
            "x": {"field": "intervention", "type": "nominal", "title": "Intervention or index test",
                  "sort": sorted(cells["intervention"].unique(), key=str.lower),
                  "axis": {"orient": "top", "labelAngle": -40, "labelLimit": 190, "labelOverlap": False}},
            "y": {"field": "outcome", "type": "nominal", "title": "Outcome",
                  "sort": sorted(cells["outcome"].unique(), key=str.lower), "axis": {"labelLimit": 220}},
        },
        "layer": [
            {"params": [{"name": "cell", "select": {"type": "point", "fields": ["intervention", "outcome"]}}],
             "mark": {"type": "rect", "cursor": "pointer"},
             "encoding": {
                 "color": {"field": "balance", "type": "quantitative", "title": "For − against",
                           "scale": {"scheme": "redyellowgreen", "domain": [-1, 1]},
                           "legend": {"orient": "bottom", "gradientLength": 220}},
                 # The chosen cell (from a click, the pickers or the URL) is outlined.
                 "stroke": {"condition": {"test": "datum.chosen", "value": "#000000"}, "value": "#ffffff"},
                 "strokeWidth": {"condition": {"test": "datum.chosen", "value": 3}, "value": 2},
                 "tooltip": tooltip}},
            {"mark": {"type": "text", "fontSize": 11, "fontWeight": "bold"},
             "encoding": {"text": {"field": "cell_text", "type": "nominal"}, "tooltip": tooltip,
                          "color": {"condition": {"test": "abs(datum.balance) > 0.6", "value": "white"},
                                    "value": "black"}}},
        ],
    }


def map_cells() -> pd.DataFrame:
    """evidence_map rows with the balance and the text shown in each cell."""
    cells = resources.query("evidence_map")
    lines = (cells["supporting"] + cells["contradicting"] + cells["qualifying"]).astype(float)
    cells["balance"] = ((cells["supporting"] - cells["contradicting"]).astype(float) / lines.where(lines > 0)).fillna(0)
    cells["cell_text"] = [f"{s}+ {c}−" for s, c in zip(cells["supporting"], cells["contradicting"], strict=True)]
    return cells


def cell_studies(intervention: str, outcome: str) -> list[dict[str, Any]]:
    """Study nodes of the evidence network whose PICO frames name this intervention and this outcome."""
    G = resources.network()
    labels = {str(m.get("label")): iri for iri, m in G.graph.get("concepts", {}).items()}
    i_iri, o_iri = labels.get(intervention), labels.get(outcome)
    found = [d for _, d in G.nodes(data=True)
             if d.get("kind") == "study" and i_iri in d.get("interventions", ()) and o_iri in d.get("outcomes", ())]
    return sorted(found, key=lambda d: str(d.get("label")))


def show_cell(cells: pd.DataFrame, intervention: str, outcome: str) -> None:
    """The counts behind one cell of the map, and links to its studies."""
    row = cells[(cells["intervention"] == intervention) & (cells["outcome"] == outcome)]
    if row.empty:
        st.info("No evidence line pairs this intervention with this outcome.")
        return
    r = row.iloc[0]
    st.markdown(f"**{literal(intervention)} × {literal(outcome)}**: {r['supporting']} evidence line(s) for, "
                f"{r['contradicting']} against, {r['qualifying']} qualifying, from {r['studies']} "
                f"stud{'ies' if r['studies'] != 1 else 'y'}.")
    for study in cell_studies(intervention, outcome):
        link_study(str(study.get("key")), str(study.get("label")))
        st.caption(literal(study.get("title", "")))


def pick_cell() -> None:
    """A click on the map (a change of its selection) moves the cell pickers, and so the URL, to that cell."""
    picked = st.session_state[MAP_KEY].selection.get("cell") or []
    if picked:
        st.session_state[CELL_KEYS[0]] = picked[0].get("intervention")
        st.session_state[CELL_KEYS[1]] = picked[0].get("outcome")


def show_map() -> None:
    """The evidence map with a selectable cell (click, or choose below)."""
    st.subheader("Evidence map: interventions × outcomes")
    st.caption("Each cell counts the evidence lines whose PICO frame names that intervention (or index test) "
               "and that outcome: green where they mostly support their claims, red where they mostly "
               "contradict. Click a cell, or pick one below, to see its studies.")
    cells = map_cells()
    if cells.empty:
        st.info("No evidence line has a PICO frame with both an intervention and an outcome.")
        return
    interventions = sorted(cells["intervention"].unique(), key=str.lower)
    outcomes = sorted(cells["outcome"].unique(), key=str.lower)
    seed("overview", {CELL_KEYS[0]: param("intervention") if param("intervention") in interventions else None,
                      CELL_KEYS[1]: param("outcome") if param("outcome") in outcomes else None})
    chosen = (st.session_state[CELL_KEYS[0]], st.session_state[CELL_KEYS[1]])
    cells["chosen"] = (cells["intervention"] == chosen[0]) & (cells["outcome"] == chosen[1])
    st.vega_lite_chart(cells, heat_map(cells), width="stretch", on_select=pick_cell, key=MAP_KEY)
    left, right = st.columns(2)
    chosen_i = left.selectbox("Intervention or index test", interventions, key=CELL_KEYS[0], index=None,
                              placeholder="choose…")
    chosen_o = right.selectbox("Outcome", outcomes, key=CELL_KEYS[1], index=None, placeholder="choose…")
    set_params("overview", {"intervention": chosen_i, "outcome": chosen_o})
    if chosen_i and chosen_o:
        show_cell(cells, chosen_i, chosen_o)


def render() -> None:
    """The Overview page."""
    st.title("Hip-spine evidence graph")
    st.caption("Studies of hip-spine syndrome, the claims they bear on, how strongly, and where source articles "
               "misreport them: one RDF graph, browsed here and queryable on the SPARQL page.")
    show_counts()
    show_contested()
    show_map()


if __name__ == "__main__":
    render()
