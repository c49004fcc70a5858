"""Claims page: a searchable list of claims (contested first, at most LIST_SIZE), and a page per claim with the
studies for and against side by side, the certainty rating with its working and why the studies disagree.

The list is one named query (`claims`: counts, weighted balance, capped), so it costs the same at 30 claims and
at 40,000; the certainty rating, which needs a claim's whole evidence, is on each claim's page.

URL: `?claim=SLUG` opens a claim; `?search=WORDS` filters the list.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from app_pages import curate, resources
from app_pages.cite import as_of_filter
from app_pages.widgets import (
    CLAIMS_PAGE,
    NETWORK_PAGE,
    link_study,
    literal,
    md_table,
    param,
    seed,
    set_params,
    short_id,
    table_height,
)

if TYPE_CHECKING:
    from kg.analysis.evidence import StudyEvidence

SEARCH_KEY = "claims_search"
LIST_SIZE = 200  # claims listed; the `claims` query returns one more to tell that more follow


def claim_list(search: str, as_of: int | None = None) -> pd.DataFrame:
    """The claims matching `search` (the `claims` query: contested first, then most studies), with the balance in
    words (kg.analysis.evidence.verdict) and each claim's slug."""
    from kg.analysis.evidence import verdict

    frame = resources.query("claims", {"search": search.strip() or None}, as_of=as_of)
    frame["slug"] = [short_id(c) for c in frame["claim"]]
    frame["verdict"] = [verdict(None if pd.isna(b) else float(b), int(q))
                        for b, q in zip(frame["balance"], frame["qualifying"], strict=True)]
    return frame


def show_list(as_of: int | None = None) -> None:
    """Searchable claim list; choosing a row opens the claim page."""
    st.title("Claims")
    st.caption("Each claim in the project's words, with how many studies support, contradict or qualify it and "
               "the balance of that evidence weighted by level of evidence. Contested claims (evidence both "
               "ways) come first. Select a row to open the claim and its certainty rating.")
    seed("claims", {SEARCH_KEY: param("search", "")})
    text = st.text_input("Search claims", key=SEARCH_KEY, placeholder="words from the label or the slug")
    set_params("claims", {"search": text})
    frame = claim_list(text, as_of)
    more = len(frame) > LIST_SIZE
    frame = frame.head(LIST_SIZE)
    if more:
        total = resources.count("claims")
        st.caption(f"The first {LIST_SIZE} claims" + ("" if text else f" of {total:,}"))
        st.info(f"The list stops at {LIST_SIZE} claims (contested ones first, then those with the most studies): "
                "search to find the others.", icon=":material/filter_list:")
    else:
        st.caption(f"{len(frame)} claim{'s' if len(frame) != 1 else ''}")
    columns = ["label", "contested", "supporting", "contradicting", "qualifying", "balance", "verdict", "unbacked"]
    picked = st.dataframe(
        frame[columns], hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key="claims_table", height=table_height(len(frame)),
        column_config={
            "label": st.column_config.TextColumn("Claim", width="large"),
            "contested": st.column_config.CheckboxColumn("Contested"),
            "supporting": st.column_config.NumberColumn("For"),
            "contradicting": st.column_config.NumberColumn("Against"),
            "qualifying": st.column_config.NumberColumn("Qualifying"),
            "balance": st.column_config.NumberColumn(
                "Balance", format="%+.2f",
                help="(weighted for − weighted against) / (for + against); weights by level of evidence"),
            "verdict": "Verdict",
            "unbacked": st.column_config.CheckboxColumn("No study"),
        })
    rows = picked.selection.rows if picked is not None else []
    if rows:
        st.query_params.from_dict({"claim": frame.iloc[rows[0]]["slug"]})
        st.rerun()


def show_study(study: StudyEvidence) -> None:
    """One study's stance on the claim: link, design line, rationale."""
    from kg.render.text import render_study_line

    link_study(study.key, study.label)
    st.caption(literal(study.title))
    st.caption(literal(render_study_line(study)))
    if study.rationale:
        st.markdown(literal(study.rationale))


def show_claim(slug: str, as_of: int | None = None) -> None:
    """The page of one claim."""
    from kg.analysis.evidence import UnknownClaimError
    from kg.render.text import step_change

    st.page_link(CLAIMS_PAGE, label="All claims", icon=":material/arrow_back:")
    try:
        summary = resources.claim_summary(slug, as_of=as_of)
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
                         [(s.domain, step_change(s), s.reason) for s in summary.certainty.steps]))
    st.markdown(f"**Rating: {literal(summary.certainty.grade)}**")

    st.subheader("Why the studies disagree")
    pairs = resources.disagreements(slug, as_of=as_of)
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
    curate.claim_panel(slug)


def render() -> None:
    """The Claims page: the list, or one claim when the URL names it."""
    slug, as_of = param("claim"), as_of_filter()
    if slug:
        show_claim(slug, as_of)
    else:
        show_list(as_of)


if __name__ == "__main__":
    render()
