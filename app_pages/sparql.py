"""SPARQL page: an editor with the project prefixes, the named queries as examples, and safe execution.

Every query goes through kg.query.guard (read-only, time-limited, row-capped). `?q=` reopens a query from a URL,
`?example=NAME` loads a named query.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from app_pages import resources
from app_pages.widgets import literal, param, seed, set_params

if TYPE_CHECKING:
    from kg.query.guard.policy import UserQueryResult

TIMEOUT_S = 10.0
MAX_ROWS = 1000
GRAPH_CAP = 200
EXAMPLE_KEY = "sparql_example"
TEXT_KEY = "sparql_text"
RESULT_KEY = "sparql_result"


def prefixes() -> str:
    """The PREFIX lines every query may use (kg.model.namespace.sparql_prefixes)."""
    from kg.model.namespace import sparql_prefixes

    return sparql_prefixes()


def default_text() -> str:
    """What the editor shows first: the prefixes and a small SELECT."""
    return prefixes() + "\nSELECT ?claim ?label WHERE {\n  ?claim a mp:Claim ; rdfs:label ?label .\n} ORDER BY ?label\n"


def example_text(name: str) -> str:
    """A named query's text for the editor (kg.query.named.get_query)."""
    from kg.query.named import get_query

    return get_query(name).text


def run(text: str) -> dict[str, Any]:
    """Run `text` through kg.query.guard and keep what the page shows: rows, graph, or the error."""
    from kg.query.guard import policy as safety

    limits = safety.QueryLimits(timeout_s=TIMEOUT_S, max_rows=MAX_ROWS)
    try:
        result = resources.graph().run_user_query(text, limits)
    except safety.QuerySyntaxError as exc:
        where = f" at line {exc.line}, column {exc.column}" if exc.line is not None else ""
        pointer = (f"{exc.source_line}\n{' ' * ((exc.column or 1) - 1)}^"
                   if exc.source_line is not None else None)
        return {"error": f"SPARQL syntax error{where}: {exc.detail}", "pointer": pointer}
    except safety.ForbiddenQueryError as exc:
        return {"error": f"Refused: {exc}"}
    except safety.QueryError as exc:  # time-out or engine failure
        return {"error": str(exc)}
    return {"result": result}


def show_result(result: UserQueryResult) -> None:
    """A SELECT as a table with downloads, an ASK as a yes/no, a CONSTRUCT as a graph and a table."""
    if result.truncated:
        st.warning(f"Row limit reached: only the first {MAX_ROWS} rows are shown. Add LIMIT or narrow the query.")
    if result.kind == "ask":
        st.success(f"ASK answered: {'yes' if result.boolean else 'no'}")
        return
    frame = result.dataframe()
    st.caption(f"{len(frame)} row{'s' if len(frame) != 1 else ''} in {result.elapsed:.2f} s")
    if result.kind in ("construct", "describe") and result.rows:
        draw_graph(result)
    st.dataframe(displayable(frame), hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button("Download CSV", frame.to_csv(index=False).encode("utf-8"), "query-result.csv",
                         "text/csv", key="dl_csv")
    right.download_button("Download JSON", frame.to_json(orient="records", force_ascii=False, indent=1).encode("utf-8"),
                          "query-result.json", "application/json", key="dl_json")


def displayable(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns that mix kinds (a CONSTRUCT object column holds IRIs and numbers) shown as text, as Arrow needs."""
    mixed = [c for c in frame.columns if frame[c].dtype == object
             and len({type(v) for v in frame[c] if v is not None}) > 1]
    return frame.astype({c: "string" for c in mixed}) if mixed else frame


def draw_graph(result: UserQueryResult) -> None:
    """A CONSTRUCT/DESCRIBE result as kg.analysis.network.triples_graph, drawn by kg.render.vis.to_vis_html (labels
    escaped, vis-network inlined)."""
    from kg.analysis.network import triples_graph
    from kg.render.vis import to_vis_html

    page, omitted = to_vis_html(triples_graph(result), max_nodes=GRAPH_CAP, height="480px")
    if omitted:
        st.warning(f"The drawing is capped at {GRAPH_CAP} nodes: {omitted} left out (the table has every triple).")
    st.iframe(page, height=560)


def render() -> None:
    """The SPARQL page."""
    st.title("SPARQL")
    st.caption("Read-only queries over the evidence graph. The project prefixes are declared; "
               f"queries stop after {TIMEOUT_S:g} s and return at most {MAX_ROWS} rows.")

    queries = resources.named_queries()
    names = [q.name for q in queries]
    titles = {q.name: q.title for q in queries}

    # A shared URL reopens its query (and runs it); ?example= loads a named query.
    url_text, url_example = param("q"), param("example")
    url_example = url_example if url_example in names else None
    text = url_text or (example_text(url_example) if url_example else default_text())
    if seed("sparql", {TEXT_KEY: text, EXAMPLE_KEY: url_example}):
        st.session_state.pop(RESULT_KEY, None)
        if url_text or url_example:
            st.session_state[RESULT_KEY] = run(text)

    pick, load = st.columns([4, 1], vertical_alignment="bottom")
    choice = pick.selectbox("Example queries", names, format_func=lambda n: f"{titles[n]}  ({n})",
                            key=EXAMPLE_KEY, index=None, placeholder="Choose a named query…")
    if load.button("Load example", disabled=choice is None, key="sparql_load") and choice is not None:
        st.session_state[TEXT_KEY] = example_text(choice)
        st.session_state.pop(RESULT_KEY, None)
        set_params("sparql", {"example": choice})
        st.rerun()
    if choice is not None:
        described = next(q for q in queries if q.name == choice)
        st.caption(described.description)

    text = st.text_area("Query", key=TEXT_KEY, height=560)
    if st.button("Run query", type="primary", key="sparql_run"):
        st.session_state[RESULT_KEY] = run(text)
        set_params("sparql", {"q": text})

    outcome = st.session_state.get(RESULT_KEY)
    if outcome is None:
        return
    if "error" in outcome:
        st.error(literal(outcome["error"]))
        if outcome.get("pointer"):
            st.code(outcome["pointer"], language=None)
        return
    show_result(outcome["result"])
    st.caption("Share this query: the page URL now carries it (?q=…).")


if __name__ == "__main__":
    render()
