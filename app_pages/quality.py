"""Data quality page: the SHACL validation report, where source articles misreport studies (fidelity), and the
bibliographic fields nobody has verified.

SHACL runs only here (it is the slow check), once per process, through resources.validation(): when the page
opens on a small graph, and on a large one (resources.SHACL_AUTO_MAX_TRIPLES) only when asked, with a button.
The lists are bounded (DISCREPANCIES_SHOWN, TABLE_ROWS) and say when they leave rows out.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.widgets import link_study, literal
from kg.quality.validate import problems_frame

RUN_KEY = "quality_run_shacl"
DISCREPANCIES_SHOWN = 50  # discrepancy cards drawn; the rest are counted
TABLE_ROWS = 1000  # rows of the problem and unverified-field tables


def show_validation() -> None:
    """Parse, integrity and SHACL problems, errors first."""
    st.subheader("Validation (parsing, references, SHACL shapes)")
    bib, claims, endpoint = resources.data_files()
    where = f"Checks the data files {bib} and {claims}."
    if endpoint:
        where += f" The other pages read the graph from {endpoint}; these files are what `kg push` would load."
    st.caption(literal(where))
    triples = resources.triples()
    if triples > resources.SHACL_AUTO_MAX_TRIPLES and not st.session_state.get(RUN_KEY):
        st.info(f"The graph holds {triples:,} triples: the full validation (parsing, references and every SHACL "
                "shape) takes a while at this size (about a minute at 10,000 papers), so it runs only when you "
                "ask. Its result is then kept for everyone using this app until it restarts.",
                icon=":material/schedule:")
        if st.button("Run the validation", type="primary", key="quality_run"):
            st.session_state[RUN_KEY] = True
            st.rerun()
        return
    report = resources.validation()
    errors, warnings = len(report.errors), len(report.problems) - len(report.errors)
    verdict, n_err, n_warn = st.columns(3)
    verdict.metric("Verdict", "OK" if report.ok else "FAILED")
    n_err.metric("Errors", errors)
    n_warn.metric("Warnings", warnings)
    if report.timings:
        st.caption("Stage times: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in report.timings.items()))
    if report.problems:
        frame = problems_frame(report.problems).sort_values(["severity", "file", "line"], na_position="last")
        if len(frame) > TABLE_ROWS:
            st.warning(f"Showing the first {TABLE_ROWS:,} of {len(frame):,} problems (errors first); "
                       "`kg validate` lists them all.")
            frame = frame.head(TABLE_ROWS)
        st.dataframe(frame, hide_index=True, width="stretch",
                     column_config={"line": st.column_config.NumberColumn(format="%d"),
                                    "problem": st.column_config.TextColumn(width="large")})
    else:
        st.success(f"The data conforms to every shape ({report.triples:,} triples checked).")


def show_fidelity() -> None:
    """Discrepancies between what source articles say and the studies' records, then unverified fields."""
    items = resources.fidelity()
    discrepancies = [i for i in items if i.kind != "unverified fields"]
    unverified = [i for i in items if i.kind == "unverified fields"]

    st.subheader(f"Fidelity: where a source article departs from the record ({len(discrepancies)})")
    if not discrepancies:
        st.caption("No discrepancy is recorded.")
    kinds = sorted({i.kind for i in discrepancies})
    chosen = st.multiselect("Kinds", kinds, default=kinds, key="quality_kinds") if kinds else []
    picked = [i for i in discrepancies if i.kind in chosen]
    if len(picked) > DISCREPANCIES_SHOWN:
        st.info(f"Showing the first {DISCREPANCIES_SHOWN} of {len(picked):,} discrepancies of these kinds (by "
                "source article and reference number); narrow the kinds, or run `kg fidelity` for all of them.",
                icon=":material/filter_list:")
    for item in picked[:DISCREPANCIES_SHOWN]:
        with st.container(border=True):
            ref = f", reference {item.reference}" if item.reference is not None else ""
            st.markdown(f"**{literal(item.kind.capitalize())}** · {literal(item.aspect)} · "
                        f"{literal(item.source)}{literal(ref)}")
            link_study(item.study)
            said, record = st.columns(2)
            said.markdown("**The article says**  \n" + literal(item.article_says))
            record.markdown("**The record says**  \n" + literal(item.record_says))
            st.caption("Checked against: " + literal(item.checked_against))

    st.subheader(f"Unverified fields ({len(unverified)} studies)")
    st.caption("Bibliographic fields taken from the citing article only, not checked against the publisher's "
               "record.")
    if unverified:
        if len(unverified) > TABLE_ROWS:
            st.info(f"Showing the first {TABLE_ROWS:,} of {len(unverified):,} studies.", icon=":material/filter_list:")
        frame = pd.DataFrame([{"study": i.study, "source": i.source, "ref": i.reference,
                               "fields": ", ".join(i.fields), "as cited": i.article_says, "note": i.record_says}
                              for i in unverified[:TABLE_ROWS]])
        st.dataframe(frame, hide_index=True, width="stretch")


def render() -> None:
    """The Data quality page."""
    st.title("Data quality")
    show_validation()
    show_fidelity()


if __name__ == "__main__":
    render()
