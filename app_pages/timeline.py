"""Timeline page: when the evidence on each claim appeared, one mark per study, coloured by its stance.

Bounded at any corpus size: the chart shows the claims chosen (at most CLAIMS_MAX), or else the DEFAULT_CLAIMS
best-evidenced ones, each read with the claim_evidence query; the claim picker offers the claims a search finds.

URL: `?claim=SLUG` (repeatable or comma-separated) keeps only those claims.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.widgets import literal, param_list, seed, set_params, short_id
from kg.model.vocab import STANCE_COLOUR

CLAIMS_KEY = "timeline_claims"
FIND_KEY = "timeline_find"
DEFAULT_CLAIMS = 30  # claims drawn when none is chosen: the contested and best-evidenced first
CLAIMS_MAX = 60  # claims that can be chosen at once


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
            "xOffset": {"field": "stance", "type": "nominal", "scale": {"domain": list(STANCE_COLOUR)}},
            "size": {"field": "studies", "type": "quantitative", "title": "Studies",
                     "scale": {"domain": [1, 4], "range": [90, 360]},
                     "legend": {"orient": "bottom", "values": [1, 2, 3, 4], "format": "d"}},
            "color": {"field": "stance", "type": "nominal", "title": "Stance",
                      "scale": {"domain": list(STANCE_COLOUR), "range": list(STANCE_COLOUR.values())},
                      "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "claim_label", "title": "claim"}, {"field": "year"}, {"field": "stance"},
                        {"field": "names", "title": "studies"}],
        },
    }


def claim_options(search: str, chosen: list[str]) -> dict[str, str]:
    """slug -> label of the claims with evidence that the `claims` query finds for `search` (contested and
    best-evidenced first), plus the claims already chosen."""
    frame = resources.query("claims", {"search": search.strip() or None})
    frame = frame[(frame["supporting"] + frame["contradicting"] + frame["qualifying"]) > 0]
    options = {short_id(c): str(label) for c, label in zip(frame["claim"], frame["label"], strict=True)}
    for slug in chosen:
        if slug not in options:
            found = resources.query("claims", {"search": slug})
            exact = found[[short_id(c) == slug for c in found["claim"]]]
            if not exact.empty:
                options[slug] = str(exact.iloc[0]["label"])
    return options


def evidence_rows(slugs: list[str], labels: dict[str, str]) -> pd.DataFrame:
    """The evidence lines of these claims (claim_evidence, one query per claim), with the claim's label."""
    frames = [resources.query("claim_evidence", {"claim": f"claim:{slug}"}).assign(slug=slug) for slug in slugs]
    rows = pd.concat(frames, ignore_index=True) if frames else resources.query("claim_evidence").head(0)
    return rows.assign(claim_label=rows["slug"].map(labels) if "slug" in rows else "", label=rows["study"])


def render() -> None:
    """The Timeline page."""
    st.title("Timeline")
    st.caption("Studies by year of publication for each claim: green supports, red contradicts, "
               "amber qualifies, grey inconclusive. Studies without a year are listed below the chart.")
    wanted = [s for s in param_list("claim")][:CLAIMS_MAX]
    find = st.text_input("Find claims", key=FIND_KEY, placeholder="words from a claim's label, to add it below")
    options = claim_options(find, [*wanted, *st.session_state.get(CLAIMS_KEY, [])])
    seed("timeline", {CLAIMS_KEY: [s for s in wanted if s in options]})
    chosen = st.multiselect("Claims (the best-evidenced when empty)", list(options),
                            format_func=lambda key: options.get(key, key), key=CLAIMS_KEY, max_selections=CLAIMS_MAX)
    set_params("timeline", {"claim": chosen})
    shown = chosen or list(options)[:DEFAULT_CLAIMS]
    if not chosen and len(options) > DEFAULT_CLAIMS:
        st.info(f"Showing the {DEFAULT_CLAIMS} contested and best-evidenced claims"
                + ("" if find.strip() else f" of the {resources.count('claims'):,}")
                + ": choose claims above to see others.", icon=":material/filter_list:")
    rows = evidence_rows(shown, options)
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
        st.caption(literal(f"{len(rows)} evidence line(s) on {len(shown)} claim(s)"))
        st.dataframe(rows[["year", "study", "claim_label", "stance", "design", "level", "sample_size"]]
                     .sort_values(["year", "study"]), hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
