"""Overview page: what the graph holds, the contested claims, and the evidence map (interventions × outcomes)
whose cells open the studies behind them.

Bounded at any corpus size: the most-evidenced contested claims (CONTESTED_SHOWN), the map's busiest rows and
columns (MAP_AXIS_MAX each), and a cell's first studies (CELL_STUDIES_SHOWN), each with a notice when it
leaves something out.

URL: `?intervention=LABEL&outcome=LABEL` opens one cell of the evidence map.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.cite import as_of_filter
from app_pages.widgets import CLAIMS_PAGE, link_claim, link_study, literal, param, seed, set_params, short_id, text

HEADLINE = ["studies", "claims", "evidence lines", "measured results", "source articles", "discrepancies"]
CELL_KEYS = ("overview_intervention", "overview_outcome")
MAP_KEY = "evidence_map"
CONTESTED_SHOWN = 10  # contested claims listed (the most-evidenced); the Claims page has them all
MAP_AXIS_MAX = 20  # interventions (columns) and outcomes (rows) drawn on the map, the most-evidenced
CELL_STUDIES_SHOWN = 50  # studies listed under a chosen cell
STUDY_LINKS_SHOWN = 8  # studies linked for and against each contested claim
CLAIMS_QUERY_ROWS = 200  # the `claims` query returns at most one more than this
COVERAGE_AUTO_MAX_STUDIES = 2000  # above this, the coverage table is measured on request
COVERAGE_KEY = "overview_show_coverage"
MAP_AUTO_MAX_STUDIES = 20_000  # above this, the evidence map is counted on request
MAP_SHOW_KEY = "overview_show_map"


def show_counts() -> None:
    """Headline counts (graph_counts), the rest in an expander (the coverage of a large graph on request)."""
    counts = resources.query("graph_counts")
    by_kind = dict(zip(counts["kind"], counts["count"], strict=True))
    for column, kind in zip(st.columns(len(HEADLINE)), HEADLINE, strict=True):
        column.metric(kind.capitalize(), f"{int(by_kind.get(kind, 0)):,}")
    with st.expander("Everything the graph holds"):
        st.dataframe(counts, hide_index=True)
        if int(by_kind.get("studies", 0)) <= COVERAGE_AUTO_MAX_STUDIES or st.session_state.get(COVERAGE_KEY):
            st.dataframe(resources.query("graph_coverage"), hide_index=True)
        elif st.button("Measure the coverage of the curation", key="overview_coverage",
                       help="Studies with evidence lines and results, claims with evidence, contested claims, "
                            "unverified fields: several seconds on a graph this large."):
            st.session_state[COVERAGE_KEY] = True
            st.rerun()


def show_contested() -> None:
    """Claims with evidence both ways (the first rows of the `claims` query): the claim, the studies for, the
    studies against (claim_evidence), the most-evidenced first."""
    rows = resources.query("claims")
    contested = rows[rows["contested"].fillna(False).astype(bool)]
    capped = len(rows) > CLAIMS_QUERY_ROWS and len(contested) == len(rows)
    st.subheader(f"Contested claims ({'more than ' if capped else ''}{min(len(contested), CLAIMS_QUERY_ROWS):,})")
    st.caption("Claims that some studies support and others contradict. Open one to see why they disagree.")
    if contested.empty:
        st.caption("No claim has evidence both ways.")
        return
    if len(contested) > CONTESTED_SHOWN:
        st.info(f"Showing the {CONTESTED_SHOWN} contested claims with the most studies. The Claims page lists "
                "them all, contested claims first.", icon=":material/filter_list:")
        st.page_link(CLAIMS_PAGE, label="All claims", icon=":material/fact_check:")
    for row in contested.head(CONTESTED_SHOWN).itertuples():
        lines = resources.query("claim_evidence", {"claim": str(row.claim)})
        with st.container(border=True):
            claim, pro, con = st.columns([5, 3, 3])
            with claim:
                st.markdown(literal(row.label))
                link_claim(short_id(row.claim), "Open the claim")
                if qualifying := int(str(row.qualifying)):
                    st.caption(f"{qualifying} more stud{'ies' if qualifying != 1 else 'y'} qualify it.")
            for column, title, stance in ((pro, f"For ({row.supporting})", "supports"),
                                          (con, f"Against ({row.contradicting})", "contradicts")):
                with column:
                    st.caption(title)
                    keys = list(dict.fromkeys(lines.loc[lines["stance"] == stance, "study"]))
                    for key in keys[:STUDY_LINKS_SHOWN]:
                        link_study(key)
                    if len(keys) > STUDY_LINKS_SHOWN:
                        st.caption(f"and {len(keys) - STUDY_LINKS_SHOWN} more: open the claim.")


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


def map_cells(as_of: int | None = None) -> pd.DataFrame:
    """evidence_map rows with the balance and the text shown in each cell."""
    cells = resources.query("evidence_map", as_of=as_of)
    lines = (cells["supporting"] + cells["contradicting"] + cells["qualifying"]).astype(float)
    cells["balance"] = ((cells["supporting"] - cells["contradicting"]).astype(float) / lines.where(lines > 0)).fillna(0)
    cells["cell_text"] = [f"{s}+ {c}−" for s, c in zip(cells["supporting"], cells["contradicting"], strict=True)]
    return cells


def busiest(cells: pd.DataFrame, axis: str, limit: int = MAP_AXIS_MAX) -> list[str]:
    """The `limit` values of one axis of the map whose cells count the most studies (ties by name)."""
    totals = cells.groupby(axis)["studies"].sum()
    ranked = sorted(totals.items(), key=lambda kv: (-int(kv[1]), str(kv[0]).lower()))
    return [str(name) for name, _ in ranked[:limit]]


def show_cell(cells: pd.DataFrame, intervention: str, outcome: str, as_of: int | None = None) -> None:
    """The counts behind one cell of the map, and links to its studies (evidence_map_studies)."""
    row = cells[(cells["intervention"] == intervention) & (cells["outcome"] == outcome)]
    if row.empty:
        st.info("No evidence line pairs this intervention with this outcome.")
        return
    r = row.iloc[0]
    st.markdown(f"**{literal(intervention)} × {literal(outcome)}**: {r['supporting']} evidence line(s) for, "
                f"{r['contradicting']} against, {r['qualifying']} qualifying, from {r['studies']} "
                f"stud{'ies' if r['studies'] != 1 else 'y'}.")
    studies = resources.query("evidence_map_studies", {"intervention": intervention, "outcome": outcome}, as_of=as_of)
    if len(studies) > CELL_STUDIES_SHOWN:
        st.caption(f"The first {CELL_STUDIES_SHOWN} of {len(studies):,} studies, by how they are cited.")
    for study in studies.head(CELL_STUDIES_SHOWN).itertuples():
        link_study(str(study.study), text(study.label) or str(study.study))
        st.caption(literal(text(study.title)))


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
    studies = resources.count("studies")
    asked = st.session_state.get(MAP_SHOW_KEY) or param("intervention") or param("outcome")  # a link to a cell
    if studies > MAP_AUTO_MAX_STUDIES and not asked:
        st.info(f"On a graph this large ({studies:,} studies) the map takes several seconds to count, so it is "
                "drawn on request; once counted it is kept until the app restarts.", icon=":material/schedule:")
        if st.button("Draw the evidence map", key="overview_draw_map"):
            st.session_state[MAP_SHOW_KEY] = True
            st.rerun()
        return
    as_of = as_of_filter()
    cells = map_cells(as_of)
    if cells.empty:
        st.info("No evidence line has a PICO frame with both an intervention and an outcome.")
        return
    interventions = sorted(cells["intervention"].unique(), key=str.lower)
    outcomes = sorted(cells["outcome"].unique(), key=str.lower)
    seed("overview", {CELL_KEYS[0]: param("intervention") if param("intervention") in interventions else None,
                      CELL_KEYS[1]: param("outcome") if param("outcome") in outcomes else None})
    chosen = (st.session_state[CELL_KEYS[0]], st.session_state[CELL_KEYS[1]])
    columns, rows = busiest(cells, "intervention"), busiest(cells, "outcome")
    drawn = cells[cells["intervention"].isin(columns) & cells["outcome"].isin(rows)].copy()
    if len(columns) < len(interventions) or len(rows) < len(outcomes):
        st.info(f"The map shows the {len(columns)} interventions and {len(rows)} outcomes with the most studies, "
                f"of {len(interventions):,} and {len(outcomes):,} ({len(drawn):,} of {len(cells):,} cells). "
                "Pick any other pair below to see its studies.", icon=":material/filter_list:")
    drawn["chosen"] = (drawn["intervention"] == chosen[0]) & (drawn["outcome"] == chosen[1])
    st.vega_lite_chart(drawn, heat_map(drawn), width="stretch", on_select=pick_cell, key=MAP_KEY)
    left, right = st.columns(2)
    chosen_i = left.selectbox("Intervention or index test", interventions, key=CELL_KEYS[0], index=None,
                              placeholder="choose…")
    chosen_o = right.selectbox("Outcome", outcomes, key=CELL_KEYS[1], index=None, placeholder="choose…")
    set_params("overview", {"intervention": chosen_i, "outcome": chosen_o})
    if chosen_i and chosen_o:
        show_cell(cells, chosen_i, chosen_o, as_of)


def show_prisma() -> None:
    """The PRISMA 2020 flow diagram of the review, from the graph's counts (kg.analysis.prisma), with its SVG."""
    st.subheader("Records through the review (PRISMA 2020)")
    st.caption("Records identified per source, removed as duplicates or unreadable, screened, excluded with "
               "their reasons, and included: counted from the graph (the Screening page records the decisions).")
    svg = resources.prisma_svg()
    st.image(svg, caption="PRISMA 2020 flow diagram")
    st.download_button("Download the diagram (SVG)", svg.encode("utf-8"), file_name="prisma-flow.svg",
                       mime="image/svg+xml", key="overview_prisma_svg", icon=":material/download:")


def render() -> None:
    """The Overview page."""
    st.title("Hip-spine evidence graph")
    st.caption("Studies of hip-spine syndrome, the claims they bear on, how strongly, and where source articles "
               "misreport them: one RDF graph, browsed here and queryable on the SPARQL page.")
    show_counts()
    show_contested()
    show_map()
    show_prisma()


if __name__ == "__main__":
    render()
