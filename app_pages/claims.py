"""Claims page: a searchable list of claims (contested first, at most LIST_SIZE), and a page per claim with the
studies for and against side by side, the certainty of the evidence (GRADE, as the build wrote it into the
graph) with each step's reason, the direction of effect of each study (SWiM), the pooled results with a forest
plot where results pool, and why the studies disagree.

The list is one named query (`claims`: counts and the certainty the build wrote, capped), so it costs the same
at 30 claims and at 40,000.

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
    import altair as alt

    from kg.analysis.evidence import ClaimSummary, StudyEvidence
    from kg.appraisal import Pooled

SEARCH_KEY = "claims_search"
LIST_SIZE = 200  # claims listed; the `claims` query returns one more to tell that more follow


def claim_list(search: str, as_of: int | None = None) -> pd.DataFrame:
    """The claims matching `search` (the `claims` query: contested first, then most studies) as of a publication
    year, with each claim's slug."""
    frame = resources.query("claims", {"search": search.strip() or None}, as_of=as_of)
    frame["slug"] = [short_id(c) for c in frame["claim"]]
    frame["certainty"] = frame["certainty"].fillna("no evidence")
    return frame


def show_list(as_of: int | None = None) -> None:
    """Searchable claim list; choosing a row opens the claim page."""
    st.title("Claims")
    st.caption("Each claim in the project's words, with how many studies support, contradict, qualify it or leave "
               "it inconclusive, and the certainty of that evidence (GRADE: High, Moderate, Low, Very low) with "
               "what it is certainty of. Contested claims (evidence both ways) come first. Select a row to open "
               "the claim and the working behind its certainty.")
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
    columns = ["label", "contested", "supporting", "contradicting", "qualifying", "inconclusive", "certainty",
               "direction", "unbacked"]
    picked = st.dataframe(
        frame[columns], hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key="claims_table", height=table_height(len(frame)),
        column_config={
            "label": st.column_config.TextColumn("Claim", width="large"),
            "contested": st.column_config.CheckboxColumn("Contested"),
            "supporting": st.column_config.NumberColumn("For"),
            "contradicting": st.column_config.NumberColumn("Against"),
            "qualifying": st.column_config.NumberColumn("Qualifying"),
            "inconclusive": st.column_config.NumberColumn("Inconclusive"),
            "certainty": st.column_config.TextColumn(
                "Certainty", help="GRADE certainty of the evidence, as the build rated it (see the claim's page)"),
            "direction": st.column_config.TextColumn("Certainty of what"),
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

    from kg.render.text import DIRECTION_WORDS, certainty_headline

    grade, what, n_for, n_against = st.columns(4)
    grade.metric("Certainty", summary.certainty.grade if summary.certainty else "no evidence")
    what.metric("Certainty of what", summary.certainty.direction if summary.certainty else "n/a",
                help="holds: certainty that the claim holds; does not hold: that it does not; unclear: the "
                     "studies do not point one way")
    n_for.metric("Supporting studies", len(summary.supporters))
    n_against.metric("Contradicting studies", len(summary.contradictors))
    if summary.certainty:
        st.caption(literal(certainty_headline(summary.certainty)))

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
    for title, group in (("Qualifying", summary.qualifiers), ("Inconclusive", summary.inconclusive)):
        if group:
            with st.container(border=True):
                st.subheader(f"{title} ({len(group)})")
                for study in group:
                    show_study(study)

    show_certainty(summary, DIRECTION_WORDS)
    show_direction(summary)
    show_pooling(summary)

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


def show_certainty(summary: ClaimSummary, words: dict[str, str]) -> None:
    """The certainty with its direction and outcome, and each step of the working with its reason."""
    from kg.render.text import step_change

    st.subheader("Certainty of the evidence")
    certainty = summary.certainty
    if certainty is None:
        st.caption("No cited study bears on this claim, so there is no evidence to rate.")
        return
    st.caption("Rated the GRADE way when the graph is built: start from the question type and the designs, rate "
               "down for risk of bias, inconsistency, indirectness, imprecision and publication bias, and rate "
               "observational evidence up for a large effect or a dose-response gradient. A step the data cannot "
               "judge says so; it never counts as fine by default.")
    st.markdown(md_table(["Step", "Change", "Judged from data", "Why"],
                         [(s.domain, step_change(s), "yes" if s.assessable else "no: cannot be assessed", s.reason)
                          for s in certainty.steps]))
    st.markdown(f"**{literal(certainty.grade)} certainty {literal(words[certainty.direction])}**, for "
                f"{literal(certainty.outcome)} ({literal(certainty.question)} question; started "
                f"{literal(certainty.starting_grade)}).")


def show_direction(summary: ClaimSummary) -> None:
    """Each study's direction of effect with its design and risk of bias, and the sign test (SWiM)."""
    st.subheader("Direction of effect")
    st.caption("Synthesis without meta-analysis (SWiM): each study's direction, with its design and risk of bias, "
               "and a sign test over the studies with results. Not a weighted vote: a count of studies says "
               "nothing about how large or how certain their effects are.")
    rows = summary.direction.rows
    if rows:
        st.markdown(md_table(["Study", "Direction", "Design", "Risk of bias", "Basis"],
                             [(r.label, f"{r.arrow} {r.direction}", r.design, r.risk_of_bias, r.basis)
                              for r in rows]))
    st.caption(literal(summary.direction.verdict))


def forest_plot(pooled: Pooled) -> alt.LayerChart:
    """Each study's estimate with its interval, and the pooled estimate, on a log axis for ratios."""
    import altair as alt

    rows = [{"study": e.label, "value": e.value, "lower": e.lower, "upper": e.upper, "kind": "study"}
            for e in pooled.estimates]
    rows.append({"study": "Pooled", "value": pooled.value, "lower": pooled.lower, "upper": pooled.upper,
                 "kind": "pooled"})
    data = pd.DataFrame(rows)
    scale = alt.Scale(type="log") if pooled.log_scale else alt.Scale(zero=False)
    order = list(data["study"])
    y = alt.Y("study:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    bars = alt.Chart(data).mark_rule().encode(x=alt.X("lower:Q", scale=scale, title=pooled.kind), x2="upper:Q", y=y)
    points = alt.Chart(data).mark_point(filled=True, size=80).encode(
        x="value:Q", y=y, shape=alt.Shape("kind:N", scale=alt.Scale(range=["diamond", "square"]), legend=None),
        tooltip=["study", "value", "lower", "upper"])
    null = alt.Chart(pd.DataFrame({"x": [1.0 if pooled.log_scale else 0.0]})).mark_rule(strokeDash=[4, 4]).encode(
        x="x:Q")
    height = 40 * len(rows) + 20
    return alt.LayerChart(layer=[layer.properties(height=height) for layer in (bars, points, null)])


def show_pooling(summary: ClaimSummary) -> None:
    """Comparable results pooled (forest plot, I², tau²), or why they do not pool."""
    st.subheader("Pooled results")
    if not summary.pools:
        st.caption("Nothing pools on this claim: no two studies report the same measure of the same test or "
                   "exposure for the same target and outcome against the same reference standard, with the "
                   "intervals or counts that give their variance.")
        return
    for group in summary.pools:
        st.markdown(f"**{literal(group.description)}**")
        if group.pooled is None:
            st.caption("Not pooled: " + literal(group.why_not))
            continue
        p = group.pooled
        st.altair_chart(forest_plot(p), width="stretch")
        st.caption(literal(f"Random effects (Paule-Mandel) over {len(p.estimates)} studies: {p.value:.3g} "
                           f"({p.lower:.3g} to {p.upper:.3g}); heterogeneity I² {p.i2:.0f}%, tau² {p.tau2:.3g}"
                           + (f"; {group.why_not}" if group.why_not else "")))


def render() -> None:
    """The Claims page: the list, or one claim when the URL names it."""
    slug, as_of = param("claim"), as_of_filter()
    if slug:
        show_claim(slug, as_of)
    else:
        show_list(as_of)


if __name__ == "__main__":
    render()
