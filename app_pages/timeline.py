"""Timeline page: when the evidence on each claim appeared, one mark per study, coloured by its stance.

URL: `?claim=SLUG` (repeatable or comma-separated) keeps only those claims.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.widgets import param_list, seed, set_params

CLAIMS_KEY = "timeline_claims"
STANCE_COLOURS = {"supports": "#2e7d32", "contradicts": "#c62828", "qualifies": "#f9a825"}


def timeline_chart(rows: pd.DataFrame) -> dict[str, Any]:
    """Vega-Lite spec: year on x, claim on y; one mark per claim, year and stance, sized by its studies."""
    marks = (rows.groupby(["claim_label", "year", "stance"], as_index=False)
             .agg(studies=("study", "count"), names=("label", lambda s: ", ".join(sorted(set(s))))))
    return {
        "data": {"values": marks.to_dict(orient="records")},
        "height": {"step": 28},
        "mark": {"type": "circle", "opacity": 0.85},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "Year of publication",
                  "axis": {"labelAngle": 0, "orient": "top", "grid": True}},
            "y": {"field": "claim_label", "type": "nominal", "title": None, "sort": "ascending",
                  "axis": {"labelLimit": 320, "grid": True}},
            # Within a year, supporting, contradicting and qualifying marks sit side by side.
            "xOffset": {"field": "stance", "type": "nominal", "scale": {"domain": list(STANCE_COLOURS)}},
            "size": {"field": "studies", "type": "quantitative", "title": "Studies",
                     "scale": {"domain": [1, 4], "range": [90, 360]},
                     "legend": {"orient": "bottom", "values": [1, 2, 3, 4], "format": "d"}},
            "color": {"field": "stance", "type": "nominal", "title": "Stance",
                      "scale": {"domain": list(STANCE_COLOURS), "range": list(STANCE_COLOURS.values())},
                      "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "claim_label", "title": "claim"}, {"field": "year"}, {"field": "stance"},
                        {"field": "names", "title": "studies"}],
        },
    }


def render() -> None:
    """The Timeline page."""
    st.title("Timeline")
    st.caption("Studies by year of publication for each claim: green supports, red contradicts, "
               "amber qualifies. Studies without a year are listed below the chart.")
    frame = resources.evidence_table()
    frame["slug"] = frame["claim"].str.removeprefix("claim:")
    labels = dict(zip(frame["slug"], frame["claim_label"].where(frame["claim_label"] != "", frame["slug"]), strict=True))
    slugs = sorted(labels, key=lambda s: labels[s].lower())
    seed("timeline", {CLAIMS_KEY: [s for s in param_list("claim") if s in labels]})
    chosen = st.multiselect("Claims (all when empty)", slugs, format_func=lambda s: labels[s], key=CLAIMS_KEY)
    set_params("timeline", {"claim": chosen})
    rows = frame[frame["slug"].isin(chosen)] if chosen else frame
    rows = rows.assign(claim_label=rows["slug"].map(labels))
    dated = rows.dropna(subset=["year"]).astype({"year": int})
    if dated.empty:
        st.info("No dated evidence for these claims.")
    else:
        st.vega_lite_chart(timeline_chart(dated), width="stretch")
    undated = rows[rows["year"].isna()]
    if not undated.empty:
        st.caption(f"{len(undated)} evidence line(s) without a year:")
        st.dataframe(undated[["study", "claim_label", "stance"]], hide_index=True)
    with st.expander("Evidence lines in this view"):
        st.dataframe(rows[["year", "study", "label", "claim_label", "stance", "design", "level", "n"]]
                     .sort_values(["year", "study"]), hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
