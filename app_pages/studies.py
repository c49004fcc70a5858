"""Studies page: a searchable, sortable table of the cited studies, and a page per study with its reference,
DOI, BibTeX, PICO, design, sample size, measured results, the claims it bears on, and how each source article
characterised it (with the discrepancies found against its record).

URL: `?study=BIBKEY` opens a study; `?search=WORDS` filters the table.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.widgets import (
    NETWORK_PAGE,
    STUDIES_PAGE,
    link_claim,
    literal,
    md_table,
    param,
    search_filter,
    seed,
    set_params,
    short_id,
    table_height,
)

SEARCH_KEY = "studies_search"
DOI_BASE = "https://doi.org/"
PICO_ROLES = [("populations", "Population / condition"), ("interventions", "Intervention or index test"),
              ("comparators", "Comparator or reference standard"), ("outcomes", "Outcomes")]


def study_nodes() -> dict[str, dict[str, Any]]:
    """Study IRI -> attributes, from the evidence network (kg.network: title, year, design, level, n, PICO)."""
    G = resources.network()
    return {n: d for n, d in G.nodes(data=True) if d.get("kind") == "study"}


def study_table(nodes: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per study, for the list."""
    rows = [{"key": d.get("key"), "study": d.get("label"), "title": d.get("title"), "year": d.get("year"),
             "design": d.get("design"), "level": d.get("level"), "n": d.get("n"), "unit": d.get("unit"),
             "verification": d.get("verification"), "doi": n if n.startswith(DOI_BASE) else None}
            for n, d in nodes.items()]
    frame = pd.DataFrame(rows, columns=["key", "study", "title", "year", "design", "level", "n", "unit",
                                        "verification", "doi"])
    return frame.astype({"year": "Int64", "level": "Int64", "n": "Int64"}).sort_values(["year", "key"],
                                                                                       ignore_index=True)


def show_list() -> None:
    """Searchable, sortable study table; choosing a row opens the study page."""
    st.title("Studies")
    st.caption("The cited studies with their design, level of evidence (the project's appraisal, Level I "
               "strongest) and sample size. Click a column header to sort; select a row to open the study.")
    seed("studies", {SEARCH_KEY: param("search", "")})
    text = st.text_input("Search studies", key=SEARCH_KEY, placeholder="words from the title, key or design")
    set_params("studies", {"search": text})
    frame = search_filter(study_table(study_nodes()), text, ["key", "study", "title", "design", "verification"])
    st.caption(f"{len(frame)} stud{'ies' if len(frame) != 1 else 'y'}")
    picked = st.dataframe(
        frame, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="studies_table",
        height=table_height(len(frame)),
        column_order=["study", "year", "title", "design", "level", "n", "unit", "verification", "doi", "key"],
        column_config={
            "key": "BibTeX key", "study": "Study", "design": "Design", "unit": "Unit", "verification": "Record",
            "title": st.column_config.TextColumn("Title", width="large"),
            "year": st.column_config.NumberColumn("Year", format="%d"),
            "level": st.column_config.NumberColumn("Level", format="%d", help="Level of evidence, 1 (I) to 5 (V)"),
            "n": st.column_config.NumberColumn("Sample size", format="%d"),
            "doi": st.column_config.LinkColumn("DOI", display_text=r"https://doi\.org/(.*)"),
        })
    rows = picked.selection.rows if picked is not None else []
    if rows:
        st.query_params.from_dict({"study": frame.iloc[rows[0]]["key"]})
        st.rerun()
    with st.expander("Studies by design and level of evidence"):
        st.dataframe(resources.query("studies_by_design"), hide_index=True, width="stretch")


def find_study(key: str) -> tuple[str, dict[str, Any]] | None:
    """The study node whose BibTeX key is `key`."""
    for iri, d in study_nodes().items():
        if d.get("key") == key:
            return iri, d
    return None


def bibtex_entry(key: str) -> str | None:
    """The study's entry in the graph's BibTeX export (kg.export.to_bibtex writes one entry per blank-line block)."""
    text = resources.export("bib").decode("utf-8")
    for block in text.split("\n\n"):
        if block.lstrip().startswith("@") and block.split("{", 1)[1].split(",", 1)[0] == key:
            return block.strip() + "\n"
    return None


def show_facts(iri: str, d: dict[str, Any], key: str) -> None:
    """Reference, DOI, design, level, sample size, verification."""
    st.title(literal(d.get("title", key)))
    byline = [f"**{literal(d.get('label', key))}**", f"`{key}`"]
    if iri.startswith(DOI_BASE):
        byline.append(f"DOI [{literal(iri.removeprefix(DOI_BASE))}](<{iri}>)")  # <…>: DOIs may hold parentheses
    st.markdown(" · ".join(byline))
    facts = {
        "Design": d.get("design") or "not recorded",
        "Level of evidence": f"Level {_roman(d['level'])}" if d.get("level") else "not recorded",
        "Sample size": f"{d['n']:,} {d.get('unit', '')}".strip() if d.get("n") is not None else "not recorded",
        "Record": d.get("verification") or "not recorded",
    }
    for column, (name, value) in zip(st.columns(len(facts), border=True), facts.items(), strict=True):
        column.markdown(f"**{name}**  \n{literal(value)}")
    if d.get("verification") == "unverified":
        st.warning("The bibliographic record is unverified: its fields come from the citing article only.")
    entry = bibtex_entry(key)
    if entry:
        st.markdown("**BibTeX** (copy with the button at the top right of the box)")
        st.code(entry, language="bibtex", wrap_lines=True)


def _roman(level: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}.get(int(level), str(level))


def show_pico(d: dict[str, Any]) -> None:
    """The PICO concepts the study's evidence lines use, by role."""
    meta = resources.network().graph.get("concepts", {})
    rows = [(name, ", ".join(str(meta.get(c, {}).get("label", short_id(c))) for c in d.get(attr, ())) or "—")
            for attr, name in PICO_ROLES]
    st.subheader("PICO")
    st.markdown(md_table(["Element", "Concepts"], rows))


def show_results(key: str) -> None:
    """Measured results the graph holds for the study (diagnostic figures from diagnostic_accuracy)."""
    rows = resources.query("diagnostic_accuracy")
    rows = rows[rows["study"] == key]
    st.subheader("Measured results")
    if rows.empty:
        st.caption("No diagnostic accuracy figures recorded for this study.")
        return
    st.dataframe(rows.drop(columns=["study"]), hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.1f %%")
                                for c in ("sensitivity", "specificity", "accuracy")})


def show_claims(key: str) -> None:
    """The claims the study supports, contradicts or qualifies, with the curator's reason."""
    rows = resources.query("study_claims", {"study": key})
    st.subheader(f"Claims it bears on ({len(rows)})")
    for stance, group in rows.groupby("stance", sort=False):
        st.markdown(f"**{literal(str(stance).capitalize())}**")
        for r in group.itertuples():
            link_claim(short_id(r.claim), r.label or short_id(r.claim))
            if r.rationale:
                st.caption(literal(r.rationale))


def show_characterisations(key: str) -> None:
    """How each source article presents the study, and where that departs from the record."""
    cites = resources.query("source_citations", {"source": ""})
    cites = cites[cites["study"] == key]
    found = resources.query("characterisation_discrepancies", {"study": key})
    st.subheader("How source articles characterise it")
    if cites.empty:
        st.caption("No source article in the graph cites this study.")
    for r in cites.itertuples():
        with st.container(border=True):
            ref = f", reference {r.reference_number}" if pd.notna(r.reference_number) else ""
            st.markdown(f"**{literal(r.source)}**{literal(ref)}")
            if r.article_says:
                st.markdown(literal(r.article_says))
            if r.cited_as:
                st.caption("Cited as: " + literal(r.cited_as))
            mine = found[found["source"] == r.source]
            if mine.empty:
                st.caption("No discrepancy found against the study's record.")
            for dsc in mine.itertuples():
                st.error(f"**{literal(dsc.kind)}** ({literal(dsc.aspect)}). The article says: "
                         f"{literal(dsc.article_says)} The record says: {literal(dsc.record_says)}",
                         icon=":material/report:")
                st.caption("Checked against: " + literal(dsc.checked_against))


def show_study(key: str) -> None:
    """The page of one study."""
    st.page_link(STUDIES_PAGE, label="All studies", icon=":material/arrow_back:")
    found = find_study(key)
    if found is None:
        st.error(literal(f"No study has the BibTeX key '{key}'."))
        return
    iri, d = found
    show_facts(iri, d, key)
    left, right = st.columns(2)
    with left:
        show_pico(d)
    with right:
        show_claims(key)
    show_results(key)
    show_characterisations(key)
    st.page_link(NETWORK_PAGE, label="Show this study in the network", icon=":material/hub:",
                 query_params={"focus": iri, "depth": "1"})


def render() -> None:
    """The Studies page: the table, or one study when the URL names it."""
    key = param("study")
    if key:
        show_study(key)
    else:
        show_list()


if __name__ == "__main__":
    render()
