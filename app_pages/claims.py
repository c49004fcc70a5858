"""Claims page: a searchable list of claims (contested first), and a page per claim with the studies for and
against side by side, the certainty rating with its working and why the studies disagree.

URL: `?claim=SLUG` opens a claim; `?search=WORDS` filters the list.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.widgets import (
    CLAIMS_PAGE,
    NETWORK_PAGE,
    link_study,
    literal,
    md_table,
    param,
    search_filter,
    seed,
    set_params,
    table_height,
)

if TYPE_CHECKING:
    from kg.evidence import StudyEvidence

SEARCH_KEY = "claims_search"


def claim_list() -> pd.DataFrame:
    """The claims with counts, contested ones (evidence both ways) first."""
    frame = resources.claims_overview()
    frame["slug"] = frame["claim"].str.removeprefix("claim:")
    frame["contested"] = (frame["supporters"] > 0) & (frame["contradictors"] > 0)
    frame["studies"] = frame["supporters"] + frame["contradictors"] + frame["qualifiers"]
    return frame.sort_values(["contested", "studies", "label"], ascending=[False, False, True], ignore_index=True)


def show_list() -> None:
    """Searchable claim list; choosing a row opens the claim page."""
    st.title("Claims")
    st.caption("Each claim in the project's words, with how many studies support, contradict or qualify it. "
               "Contested claims (evidence both ways) come first. Select a row to open the claim.")
    seed("claims", {SEARCH_KEY: param("search", "")})
    text = st.text_input("Search claims", key=SEARCH_KEY, placeholder="words from the label or statement")
    set_params("claims", {"search": text})
    frame = search_filter(claim_list(), text, ["label", "claim"])
    st.caption(f"{len(frame)} claim{'s' if len(frame) != 1 else ''}")
    columns = ["label", "contested", "supporters", "contradictors", "qualifiers", "certainty", "verdict", "unbacked"]
    picked = st.dataframe(
        frame[columns], hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key="claims_table", height=table_height(len(frame)),
        column_config={
            "label": st.column_config.TextColumn("Claim", width="large"),
            "contested": st.column_config.CheckboxColumn("Contested"),
            "supporters": st.column_config.NumberColumn("For"),
            "contradictors": st.column_config.NumberColumn("Against"),
            "qualifiers": st.column_config.NumberColumn("Qualifying"),
            "certainty": "Certainty", "verdict": "Balance",
            "unbacked": st.column_config.CheckboxColumn("No study"),
        })
    rows = picked.selection.rows if picked is not None else []
    if rows:
        st.query_params.from_dict({"claim": frame.iloc[rows[0]]["slug"]})
        st.rerun()


def show_study(study: StudyEvidence) -> None:
    """One study's stance on the claim: link, design line, rationale."""
    link_study(study.key, study.label)
    st.caption(literal(study.title))
    st.caption(literal(study.line()))
    if study.rationale:
        st.markdown(literal(study.rationale))


def show_claim(slug: str) -> None:
    """The page of one claim."""
    from kg.evidence import UnknownClaimError

    st.page_link(CLAIMS_PAGE, label="All claims", icon=":material/arrow_back:")
    try:
        summary = resources.claim_summary(slug)
    except UnknownClaimError as exc:
        st.error(literal(str(exc)))
        return
    st.title(literal(summary.label))
    st.markdown(literal(summary.statement))
    about = [f"**Claim** `{summary.curie}`"]
    if summary.subjects:
        about.append("**About** " + literal(", ".join(summary.subjects)))
    if summary.asserted_by:
        about.append("**Asserted by** " + literal(", ".join(summary.asserted_by)))
    st.markdown(" · ".join(about))
    if summary.unbacked:
        st.warning("No cited study bears on this claim: it rests on the source article's assertion alone.")

    grade, balance, n_for, n_against = st.columns(4)
    grade.metric("Certainty", summary.certainty.grade)
    balance.metric("Balance", "n/a" if summary.balance.score is None else f"{summary.balance.score:+.2f}",
                   help="(weighted for − weighted against) / (for + against); weights by level of evidence")
    n_for.metric("Supporting studies", len(summary.supporters))
    n_against.metric("Contradicting studies", len(summary.contradictors))
    st.caption(literal(summary.balance.verdict))

    left, right = st.columns(2, border=True)
    with left:
        st.subheader(f"Supporting ({len(summary.supporters)})")
        for study in summary.supporters:
            show_study(study)
        if not summary.supporters:
            st.caption("No supporting study.")
    with right:
        st.subheader(f"Contradicting ({len(summary.contradictors)})")
        for study in summary.contradictors:
            show_study(study)
        if not summary.contradictors:
            st.caption("No contradicting study.")
    if summary.qualifiers:
        with st.container(border=True):
            st.subheader(f"Qualifying ({len(summary.qualifiers)})")
            for study in summary.qualifiers:
                show_study(study)

    st.subheader("Certainty of the evidence")
    st.caption("GRADE-style: start from the best design, then step down for risk of bias, inconsistency, "
               "indirectness and imprecision.")
    st.markdown(md_table(["Domain", "Change", "Reason"],
                         [(s.domain, "start" if s.domain == "start" else
                           ("no change" if s.change == 0 else f"{s.change:+d}"), s.reason)
                          for s in summary.certainty.steps]))
    st.markdown(f"**Rating: {literal(summary.certainty.grade)}**")

    st.subheader("Why the studies disagree")
    pairs = resources.disagreements(slug)
    if not pairs:
        st.caption("No study contradicts another on this claim.")
    for pair in pairs:
        title = f"{pair.first.label} ({pair.first.stance}) vs {pair.second.label} ({pair.second.stance}): {pair.verdict}"
        with st.expander(literal(title), expanded=len(pairs) <= 2):
            st.markdown(literal(pair.reason))
            if pair.differences:
                st.markdown(md_table(["Aspect", pair.first.label, pair.second.label],
                                     [(d.aspect + (" (defines the question)" if d.question_defining else ""),
                                       d.first, d.second) for d in pair.differences]))
            if pair.same:
                st.caption("Same: " + literal(", ".join(pair.same)))

    st.page_link(NETWORK_PAGE, label="Show this claim in the network", icon=":material/hub:",
                 query_params={"focus": summary.claim, "depth": "2"})


def render() -> None:
    """The Claims page: the list, or one claim when the URL names it."""
    slug = param("claim")
    if slug:
        show_claim(slug)
    else:
        show_list()


if __name__ == "__main__":
    render()
