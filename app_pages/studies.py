"""Studies page: a searchable table of the cited studies, a page of PAGE_SIZE at a time, and a page per study with
its reference, DOI, BibTeX, PICO, design, sample size, risk of bias (a traffic-light table), measured results,
the claims it bears on, and how each source article characterised it (with the discrepancies found against its
record).

Every part is one bounded named query (studies, study_record, study_pico, study_risk_of_bias, study_results, study_claims,
source_citations, characterisation_discrepancies), so the page costs the same at 13 studies and at 100,000.

URL: `?study=BIBKEY` opens a study; `?search=WORDS` filters the table.
"""
from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import curate, resources
from app_pages.widgets import (
    NETWORK_PAGE,
    STUDIES_PAGE,
    link_claim,
    literal,
    md_table,
    param,
    seed,
    set_params,
    short_id,
    table_height,
    text,
)
from kg.model.vocab import LEVEL_LABELS

SEARCH_KEY = "studies_search"
PAGES_KEY = "studies_pages"  # session state: (search, [first key of each page seen]) for Previous/Next
DOI_BASE = "https://doi.org/"
PAGE_SIZE = 200  # rows per page of the table; the `studies` query returns one more to tell that more follow
DESIGN_KEYS_SHOWN = 8  # keys listed per design in the design table
DESIGNS_AUTO_MAX_STUDIES = 2000  # above this, the design table is counted on request
DESIGNS_KEY = "studies_show_designs"
ROLE_NAMES = {"population": "Population / condition", "intervention": "Intervention or index test",
              "comparator": "Comparator or reference standard", "outcome": "Outcomes"}


def study_page(search: str, after: str | None) -> pd.DataFrame:
    """One page of the study table (the `studies` query) with a DOI link column."""
    frame = resources.query("studies", {"search": search.strip() or None, "after": after})
    frame["doi"] = [iri if str(iri).startswith(DOI_BASE) else None for iri in frame["iri"]]
    return frame


def pager(search: str) -> tuple[list[str | None], int]:
    """The `after` key of each page seen for this search (None for the first) and the current page number."""
    state = st.session_state.get(PAGES_KEY)
    if not state or state[0] != search:
        state = (search, [None], 0)
        st.session_state[PAGES_KEY] = state
    pages: list[str | None] = list(state[1])
    return pages, int(state[2])


def move(search: str, afters: list[str | None], page: int, last_key: str | None) -> None:
    """Go to page `page`; `last_key` (the last key of the current page) starts the next one."""
    if page >= len(afters):
        afters = [*afters, last_key]
    st.session_state[PAGES_KEY] = (search, afters, page)


def show_list() -> None:
    """Searchable study table, a page at a time; choosing a row opens the study."""
    st.title("Studies")
    st.caption("The cited studies with their design, level of evidence (the project's appraisal, Level I "
               "strongest) and sample size, by BibTeX key. Click a column header to sort the page; select a row "
               "to open the study.")
    seed("studies", {SEARCH_KEY: param("search", "")})
    text = st.text_input("Search studies", key=SEARCH_KEY,
                         placeholder="text from the title, key, first author or design").strip()
    set_params("studies", {"search": text})
    afters, page = pager(text)
    frame = study_page(text, afters[page])
    more = len(frame) > PAGE_SIZE
    frame = frame.head(PAGE_SIZE)
    first = page * PAGE_SIZE
    if text:
        found = f"{len(frame)} stud{'ies' if len(frame) != 1 else 'y'} match" if page == 0 and not more else \
            f"studies {first + 1:,}–{first + len(frame):,} of those matching"
    else:
        found = f"studies {first + 1:,}–{first + len(frame):,} of {resources.count('studies'):,}" \
            if (more or page) else f"{len(frame)} stud{'ies' if len(frame) != 1 else 'y'}"
    st.caption(found[0].upper() + found[1:])
    if more or page:
        st.info(f"The table shows {PAGE_SIZE} studies at a time, in BibTeX-key order: use the buttons below it "
                "to page through, or search to narrow the list.", icon=":material/filter_list:")
    picked = st.dataframe(
        frame, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="studies_table",
        height=table_height(len(frame)),
        column_order=["label", "year", "title", "design", "level", "n", "unit", "verification", "screening", "doi",
                      "key"],
        column_config={
            "key": "BibTeX key", "label": "Study", "design": "Design", "unit": "Unit", "verification": "Record",
            "screening": "Screening",
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
    if more or page:
        back, _, forward = st.columns([1, 4, 1])
        if back.button("Previous page", icon=":material/arrow_back:", disabled=page == 0, key="studies_prev"):
            move(text, afters, page - 1, None)
            st.rerun()
        if forward.button("Next page", icon=":material/arrow_forward:", disabled=not more, key="studies_next"):
            move(text, afters, page + 1, str(frame.iloc[-1]["key"]))
            st.rerun()
    with st.expander("Studies by design and level of evidence"):
        if resources.count("studies") > DESIGNS_AUTO_MAX_STUDIES and not st.session_state.get(DESIGNS_KEY):
            if st.button("Count the studies by design", key="studies_designs",
                         help="Several seconds on a graph this large."):
                st.session_state[DESIGNS_KEY] = True
                st.rerun()
            return
        designs = resources.query("studies_by_design")
        designs["keys"] = [_first_keys(k) for k in designs["keys"]]
        st.dataframe(designs, hide_index=True, width="stretch")


def _first_keys(keys: Any) -> str:
    listed = [k for k in str(keys or "").split("; ") if k]
    shown = "; ".join(listed[:DESIGN_KEYS_SHOWN])
    return shown + (f"; … ({len(listed) - DESIGN_KEYS_SHOWN:,} more)" if len(listed) > DESIGN_KEYS_SHOWN else "")


def _value(row: pd.Series, column: str) -> Any:
    """A cell of a one-row result, None when missing."""
    value = row.get(column)
    return None if not text(value) else value


def show_facts(r: pd.Series) -> None:
    """Reference, DOI, design, level, sample size, verification, BibTeX."""
    key, iri = str(r["key"]), str(r["iri"])
    st.title(literal(_value(r, "title") or key))
    byline = [f"**{literal(_value(r, 'label') or key)}**", f"`{key}`"]
    journal = ", ".join(str(v) for v in (_value(r, "journal"), _value(r, "year")) if v)
    if journal:
        byline.append(literal(journal))
    if iri.startswith(DOI_BASE):
        byline.append(f"DOI [{literal(iri.removeprefix(DOI_BASE))}](<{iri}>)")  # <…>: DOIs may hold parentheses
    st.markdown(" · ".join(byline))
    n, unit, level = _value(r, "n"), _value(r, "unit"), _value(r, "level")
    facts = {
        "Design": _value(r, "design") or "not recorded",
        "Level of evidence": LEVEL_LABELS.get(int(level), f"Level {level}") if level else "not recorded",
        "Sample size": f"{int(n):,} {unit or ''}".strip() if n is not None else "not recorded",
        "Record": _value(r, "verification") or "not recorded",
    }
    for column, (name, value) in zip(st.columns(len(facts), border=True), facts.items(), strict=True):
        column.markdown(f"**{name}**  \n{literal(value)}")
    if _value(r, "level_basis"):
        st.caption("Level of evidence: " + literal(r["level_basis"]))
    if _value(r, "verification") == "unverified":
        st.warning("The bibliographic record is unverified: its fields come from the citing article only.")
    if _value(r, "unverified_fields"):
        st.caption("Fields taken from the citing article only: " + literal(r["unverified_fields"]))
    entry = resources.bibtex(key)
    if entry:
        st.markdown("**BibTeX** (copy with the button at the top right of the box)")
        st.code(entry, language="bibtex", wrap_lines=True)


def show_pico(key: str) -> None:
    """The study's PICO frames (study_pico): each element's concepts and the curators' wording."""
    rows = resources.query("study_pico", {"study": key})
    st.subheader("PICO")
    if rows.empty:
        st.caption("No PICO frame is recorded for this study.")
        return
    frames = list(dict.fromkeys(rows["frame"]))
    for frame in frames:
        part = rows[rows["frame"] == frame]
        if len(frames) > 1:
            st.markdown(f"**{literal(text(part.iloc[0]['frame_label']) or short_id(frame))}**")
        st.markdown(md_table(["Element", "Concepts", "As recorded"],
                             [(ROLE_NAMES.get(str(p.role), str(p.role)), text(p.concepts) or "—", text(p.wording))
                              for p in part.itertuples()]))


def show_results(key: str) -> None:
    """Every measured result the graph holds for the study (study_results)."""
    rows = resources.query("study_results", {"study": key})
    st.subheader(f"Measured results ({len(rows)})")
    if rows.empty:
        st.caption("No measured result is recorded for this study.")
        return
    shown = rows.drop(columns=["study", "result"]).dropna(axis="columns", how="all")
    st.dataframe(shown, hide_index=True, width="stretch", height=table_height(len(shown), 20),
                 column_config={"label": st.column_config.TextColumn("Result", width="large")})


# The risk-of-bias traffic light: colour and symbol per judgement (the symbols carry it without colour, as robvis's do).
LIGHTS = {"low": ("#2e8b3e", "+"), "low concern": ("#2e8b3e", "+"), "some concerns": ("#f0a30a", "!"),
          "high": ("#d62728", "−"), "high concern": ("#d62728", "−"), "very high": ("#7b0d0d", "×"),
          "no information": ("#8c8c8c", "?"), "not applicable": ("#bab0ac", "–")}


def light(judgement: str) -> str:
    """One coloured cell's content: a dot with the judgement's symbol and its word (escaped)."""
    colour, symbol = LIGHTS.get(judgement, ("#8c8c8c", "?"))
    return (f'<span style="display:inline-block;width:1.4em;height:1.4em;border-radius:50%;background:{colour};'
            f'color:#fff;text-align:center;font-weight:bold;line-height:1.4em">{html.escape(symbol)}</span> '
            f"{html.escape(judgement)}")


def rob_table(rows: pd.DataFrame) -> str:
    """The traffic-light table as HTML: every text from the data escaped."""
    applicability = rows["applicability"].notna().any()
    head = ["Domain", "Risk of bias"] + (["Applicability"] if applicability else []) + ["Why", "Rests on"]
    out = ['<table class="rob-table"><thead><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in head)
           + "</tr></thead><tbody>"]
    for r in rows.itertuples():
        cells = [f"<b>{html.escape(text(r.domain))}</b>" if r.domain == "overall" else html.escape(text(r.domain)),
                 light(text(r.judgement))]
        if applicability:
            cells.append(light(text(r.applicability)) if text(r.applicability) else "")
        cells += [html.escape(text(r.reason)), html.escape(text(r.section))]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def show_risk_of_bias(key: str) -> None:
    """The study's risk of bias, domain by domain, as the familiar traffic-light table (study_risk_of_bias)."""
    rows = resources.query("study_risk_of_bias", {"study": key})
    st.subheader("Risk of bias")
    if rows.empty:
        st.caption("No risk-of-bias assessment is recorded for this study; the certainty rating counts it as "
                   "no information.")
        return
    tool = text(rows.iloc[0]["tool"])
    if rows.iloc[0]["domain"] == "not applicable":
        st.caption(f"{literal(tool)}: " + literal(rows.iloc[0]["reason"]))
        return
    st.caption(f"Assessed with {literal(tool)}. Judgements rest on what the abstract and the record say; "
               "\"no information\" marks what they do not tell (the tool calls it unclear), never a guess.")
    st.markdown(rob_table(rows), unsafe_allow_html=True)


def show_claims(key: str) -> None:
    """The claims the study supports, contradicts or qualifies, with the curator's reason."""
    rows = resources.query("study_claims", {"study": key})
    st.subheader(f"Claims it bears on ({len(rows)})")
    for stance, group in rows.groupby("stance", sort=False):
        st.markdown(f"**{literal(str(stance).capitalize())}**")
        for r in group.itertuples():
            link_claim(short_id(r.claim), text(r.label) or short_id(r.claim))
            if text(r.rationale):
                st.caption(literal(r.rationale))


def show_characterisations(key: str) -> None:
    """How each source article presents the study, and where that departs from the record."""
    cites = resources.query("source_citations", {"source": "", "study": key})
    found = resources.query("characterisation_discrepancies", {"study": key})
    st.subheader("How source articles characterise it")
    if cites.empty:
        st.caption("No source article in the graph cites this study.")
    for r in cites.itertuples():
        with st.container(border=True):
            number = r.reference_number
            ref = f", reference {number!s}" if isinstance(number, int | float | str) and pd.notna(number) else ""
            st.markdown(f"**{literal(r.source)}**{literal(ref)}")
            if text(r.article_says):
                st.markdown(literal(r.article_says))
            if text(r.cited_as):
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
    from kg.query.named import NamedQueryError

    try:
        record = resources.query("study_record", {"study": key})
    except NamedQueryError:  # not a key, nor an IRI (a mistyped link)
        record = pd.DataFrame()
    if record.empty:
        st.error(literal(f"No study has the BibTeX key '{key}'."))
        return
    r = record.iloc[0]
    show_facts(r)
    left, right = st.columns(2)
    with left:
        show_pico(key)
    with right:
        show_claims(key)
    show_risk_of_bias(key)
    show_results(key)
    show_characterisations(key)
    st.page_link(NETWORK_PAGE, label="Show this study in the network", icon=":material/hub:",
                 query_params={"focus": str(r["iri"]), "depth": "1"})
    curate.study_panel(key, str(r["iri"]))


def render() -> None:
    """The Studies page: the table, or one study when the URL names it."""
    key = param("study")
    if key:
        show_study(key)
    else:
        show_list()


if __name__ == "__main__":
    render()
