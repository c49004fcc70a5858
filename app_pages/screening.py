"""Screening page: the study records with their title and abstract, a page at a time, filtered by status;
include or exclude each (with a reason), and decide the possible duplicates an import found, both records side by
side. Every decision is written to references.bib by kg.ingest.bib_edit (only that entry's field lines change,
atomically, under the file's lock); the graph is then built again from the file.

URL: `?status=to screen|included|excluded|all` and `?search=WORDS`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.widgets import link_study, literal, param, seed, set_params, text

STATUSES = ("to screen", "included", "excluded", "all")
STATUS_KEY = "screening_status"
SEARCH_KEY = "screening_search"
PAGES_KEY = "screening_pages"  # session state: (status, search, [after key of each page seen], page)
PAGE_SIZE = 50  # records per page; the `screening_records` query returns one more to tell that more follow
ABSTRACT_CHARS = 1500  # an abstract longer than this is cut, with its length said
REASONS = ("not about the hip or spine", "not a primary study", "wrong population", "wrong intervention or test",
           "wrong outcome", "not in English")


def writable() -> Path | None:
    """references.bib when the app reads the data files (decisions can be written), None for a remote store."""
    bib, _claims, endpoint = resources.data_files()
    return None if endpoint else Path(bib)


def show_counts() -> None:
    flow = resources.prisma()
    columns = st.columns(4)
    columns[0].metric("To screen", f"{flow.awaiting:,}")
    columns[1].metric("Included", f"{flow.included:,}")
    columns[2].metric("Excluded", f"{flow.excluded:,}")
    columns[3].metric("Possible duplicates", f"{flow.possible_duplicates:,}")


def decide(action: str, key: str, **kwargs: object) -> None:
    """Write a decision into references.bib, then rebuild the graph; a refused one is shown, not raised."""
    from kg.ingest.bib_edit import EntryNotFound, resolve_duplicate, screen

    bib = writable()
    if bib is None:
        return
    try:
        if action == "screen":
            screen(bib, key, str(kwargs["status"]), str(kwargs.get("reason") or "") or None)
        else:
            resolve_duplicate(bib, key, same=bool(kwargs["same"]))
    except (ValueError, EntryNotFound, OSError) as exc:  # refused, or the file cannot be written: say so
        st.session_state["screening_error"] = f"{key}: {exc}"
        return
    st.session_state["screening_done"] = f"{key}: " + (
        f"marked {kwargs['status']}" if action == "screen" else
        ("marked as a duplicate" if kwargs["same"] else "kept as a different study"))
    resources.after_change()


def show_record(row: pd.Series, can_write: bool) -> None:
    key = str(row["key"])
    status = text(row["status"])
    with st.container(border=True):
        head = " · ".join(p for p in (text(row["author"]), text(row["year"]), text(row["journal"])) if p)
        st.markdown(f"**{literal(row['title'] or key)}**  \n{literal(head)} · `{literal(key)}`")
        abstract = text(row["abstract"])
        if abstract:
            cut = len(abstract) > ABSTRACT_CHARS
            st.markdown(literal(abstract[:ABSTRACT_CHARS] + ("…" if cut else "")))
            if cut:
                st.caption(f"Abstract cut at {ABSTRACT_CHARS:,} of {len(abstract):,} characters.")
        else:
            st.caption("No abstract in the record.")
        notes = [f"Status: {status}"]
        if text(row["reason"]):
            notes.append(f"reason: {text(row['reason'])}")
        if text(row["possible_duplicate_of"]):
            notes.append(f"possible duplicate of {text(row['possible_duplicate_of'])}")
        if text(row["import_source"]):
            notes.append(f"imported from {text(row['import_source'])}")
        st.caption(literal("; ".join(notes)))
        if not can_write:
            return
        include, exclude, reason_col = st.columns([1, 1, 3])
        reason = reason_col.selectbox("Reason for excluding", (*REASONS, "other (type it)"), key=f"reason_{key}",
                                      label_visibility="collapsed", index=None, placeholder="reason for excluding")
        other = ""
        if reason == "other (type it)":
            other = reason_col.text_input("Reason", key=f"other_{key}", placeholder="why it is excluded")
        if include.button("Include", key=f"include_{key}", icon=":material/check:", disabled=status == "included"):
            decide("screen", key, status="included")
            st.rerun()
        chosen = other if reason == "other (type it)" else (reason or "")
        if exclude.button("Exclude", key=f"exclude_{key}", icon=":material/block:", disabled=not chosen.strip(),
                          help="Choose or type a reason first."):
            decide("screen", key, status="excluded", reason=chosen)
            st.rerun()


def show_records(can_write: bool) -> None:
    seed("screening", {STATUS_KEY: param("status", "to screen") if param("status") in STATUSES else "to screen",
                       SEARCH_KEY: param("search", "")})
    left, right = st.columns([1, 2])
    status = left.selectbox("Status", STATUSES, key=STATUS_KEY)
    search = right.text_input("Search", key=SEARCH_KEY, placeholder="text from the title, abstract or key").strip()
    set_params("screening", {"status": status, "search": search})
    state = st.session_state.get(PAGES_KEY)
    if not state or state[:2] != (status, search):
        state = (status, search, [None], 0)
    afters, page = list(state[2]), int(state[3])
    frame = resources.query("screening_records", {"status": None if status == "all" else status,
                                                  "search": search or None, "after": afters[page]})
    more = len(frame) > PAGE_SIZE
    frame = frame.head(PAGE_SIZE)
    first = page * PAGE_SIZE
    st.caption(f"Records {first + 1:,}–{first + len(frame):,}" + (" (more follow)" if more else "")
               if len(frame) else "No record matches.")
    for _, row in frame.iterrows():
        show_record(row, can_write)
    if more or page:
        back, _, forward = st.columns([1, 4, 1])
        if back.button("Previous page", icon=":material/arrow_back:", disabled=page == 0, key="screening_prev"):
            st.session_state[PAGES_KEY] = (status, search, afters, page - 1)
            st.rerun()
        if forward.button("Next page", icon=":material/arrow_forward:", disabled=not more, key="screening_next"):
            if page + 1 >= len(afters):
                afters.append(str(frame.iloc[-1]["key"]))
            st.session_state[PAGES_KEY] = (status, search, afters, page + 1)
            st.rerun()
    else:
        st.session_state[PAGES_KEY] = (status, search, afters, page)


def show_duplicates(can_write: bool) -> None:
    pairs = resources.query("possible_duplicates")
    if pairs.empty:
        st.caption("No possible duplicate awaits a decision.")
        return
    st.caption("Records an import matched to an earlier one by title, year and first author. Nothing is merged "
               "until you decide: the same study makes the new record a duplicate (duplicate-of), a different "
               "one removes the link.")
    fields = (("title", "Title"), ("author", "First author"), ("year", "Year"), ("journal", "Journal"),
              ("doi", "DOI"), ("pmid", "PMID"))
    for _, row in pairs.iterrows():
        key, matched = str(row["key"]), str(row["matched"])
        with st.container(border=True):
            st.markdown(f"**`{literal(key)}`** may be **`{literal(matched)}`** ({literal(text(row['how']))})")
            table = pd.DataFrame({"": [label for _, label in fields],
                                  key: [text(row[name]) for name, _ in fields],
                                  matched: [text(row[f"matched_{name}"]) for name, _ in fields]})
            st.dataframe(table, hide_index=True, width="stretch")
            if not can_write:
                continue
            same, different, _ = st.columns([1, 1, 2])
            if same.button("Same study", key=f"same_{key}", icon=":material/join:"):
                decide("duplicate", key, same=True)
                st.rerun()
            if different.button("Different studies", key=f"different_{key}", icon=":material/call_split:"):
                decide("duplicate", key, same=False)
                st.rerun()
            link_study(matched, f"Open {matched}")


def render() -> None:
    st.title("Screening")
    can_write = writable() is not None
    st.caption("Include or exclude the imported records by title and abstract; each decision is written to "
               "references.bib (its `screening` and `screening-reason` fields) and the graph is rebuilt."
               if can_write else "The graph comes from a remote store: decisions are made where the data files are.")
    for name, show in (("screening_done", st.success), ("screening_error", st.error)):
        message = st.session_state.pop(name, None)
        if message:
            show(literal(message))
    show_counts()
    records, duplicates = st.tabs(["Records", f"Possible duplicates ({resources.prisma().possible_duplicates:,})"])
    with records:
        show_records(can_write)
    with duplicates:
        show_duplicates(can_write)


if __name__ == "__main__":
    render()
