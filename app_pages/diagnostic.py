"""Diagnostic accuracy page: each study/test/target/observer as a point in ROC space (sensitivity against
1 − specificity), with the table of reported figures beside it.

The table beside the plot shows at most TABLE_ROWS rows and says when it leaves some out; the plot has them all.

URL: `?test=LABEL` (repeatable or comma-separated) keeps only those index tests.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages import resources
from app_pages.widgets import param_list, seed, set_params, table_height

TESTS_KEY = "diag_tests"
ROC_HEIGHT = 400  # px of the plot; the legends below it need about 200 more
TABLE_ROWS = 500  # rows of the table beside the plot


def roc_chart(height: int = 0) -> dict[str, Any]:
    """Vega-Lite spec: points in ROC space over the chance diagonal; colour by test, shape by target."""
    axis = {"domain": [0, 100]}
    fields = ["study", "test", "target_condition", "observer", "sensitivity", "specificity", "accuracy"]
    return {
        "height": height or ROC_HEIGHT,
        "layer": [
            {"data": {"values": [{"x": 0, "y": 0}, {"x": 100, "y": 100}]},
             "mark": {"type": "line", "strokeDash": [4, 4], "color": "#999999"},
             "encoding": {"x": {"field": "x", "type": "quantitative", "scale": axis},
                          "y": {"field": "y", "type": "quantitative", "scale": axis}}},
            {"mark": {"type": "point", "size": 140, "filled": True, "opacity": 0.85},
             "encoding": {
                 "x": {"field": "false_positive_rate", "type": "quantitative", "title": "1 − specificity (%)",
                       "scale": axis},
                 "y": {"field": "sensitivity", "type": "quantitative", "title": "Sensitivity (%)", "scale": axis},
                 "color": {"field": "test", "type": "nominal", "title": "Index test",
                           "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 200}},
                 "shape": {"field": "target_condition", "type": "nominal", "title": "Target condition",
                           "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 150}},
                 "tooltip": [{"field": f} for f in fields]}},
        ],
    }


def render() -> None:
    """The Diagnostic accuracy page."""
    st.title("Diagnostic accuracy")
    st.caption("Each point is one study, index test, target condition and observer, placed by its reported "
               "sensitivity and specificity against the reference standard. Up and to the left is better; "
               "the dashed line is a test no better than chance.")
    frame = resources.query("diagnostic_accuracy")
    tests = sorted(frame["test"].dropna().unique())
    seed("diagnostic", {TESTS_KEY: [t for t in param_list("test") if t in tests] or tests})
    chosen = st.multiselect("Index tests", tests, key=TESTS_KEY)
    set_params("diagnostic", {"test": chosen if set(chosen) != set(tests) else []})
    shown = frame[frame["test"].isin(chosen)].copy()
    shown["false_positive_rate"] = 100 - shown["specificity"]
    plottable = shown.dropna(subset=["sensitivity", "specificity"])

    chart, table = st.columns([3, 2])
    with chart:
        if plottable.empty:
            st.info("No row has both a sensitivity and a specificity to plot.")
        else:
            st.vega_lite_chart(plottable, roc_chart(), width="stretch", height=ROC_HEIGHT + 200)
        missing = len(shown) - len(plottable)
        if missing:
            st.caption(f"{missing} row{'s' if missing != 1 else ''} without both sensitivity and specificity "
                       "(accuracy only, for instance) appear in the table but not in the plot.")
    with table:
        if len(shown) > TABLE_ROWS:
            st.info(f"The table shows the first {TABLE_ROWS} of {len(shown):,} rows (by study); the plot has them "
                    "all. Choose fewer index tests to see the others.", icon=":material/filter_list:")
        st.dataframe(shown.drop(columns=["false_positive_rate"]).head(TABLE_ROWS), hide_index=True, width="stretch",
                     height=table_height(min(len(shown), TABLE_ROWS)),
                     column_config={c: st.column_config.NumberColumn(format="%.1f")
                                    for c in ("sensitivity", "specificity", "accuracy")})


if __name__ == "__main__":
    render()
