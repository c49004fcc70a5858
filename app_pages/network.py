"""Network page: studies, claims, concepts and source articles as one interactive graph (kg.analysis.network), with
filters, a focus node and its neighbourhood, and a node cap that says what it left out. Drawn offline.

A small graph (resources.network_limit) is drawn from its whole evidence network. A large one is never built
whole: the network is built around the best-evidenced claims (the network_claims query), or around the focus
node (network_neighbourhood), just enough of them for the node cap, and the page says so.

URL: `types`, `stance`, `intervention`, `outcome`, `design` (comma-separated), `years=FROM-TO`, `focus=IRI`,
`depth`, `cap`. A filter set shared as a URL reopens the same view.
"""
from __future__ import annotations

from typing import Any

import networkx as nx
import streamlit as st

from app_pages import resources
from app_pages.cite import as_of_filter
from app_pages.widgets import literal, param, param_list, seed, set_params, widget_value
from kg.analysis.network import claims_around

KINDS = ["study", "claim", "concept", "source"]
STANCES = ["supports", "contradicts", "qualifies", "inconclusive"]
DEFAULT_CAP = 150
NETWORK_HEIGHT = 760  # px
DEPTHS = [1, 2, 3]


def cap_from(text: str | None) -> int:
    """The node cap a URL asks for (5 to 500), DEFAULT_CAP when it says nothing usable."""
    return max(5, min(500, int(text))) if text and text.isdigit() else DEFAULT_CAP


def options(G: nx.Graph[str]) -> dict[str, Any]:
    """What the filters can offer, read from the study nodes of the full network."""
    meta = G.graph.get("concepts", {})
    studies = [d for _, d in G.nodes(data=True) if d.get("kind") == "study"]

    def concepts(attr: str) -> dict[str, str]:
        iris = {c for d in studies for c in d.get(attr, ())}
        return dict(sorted(((c, str(meta.get(c, {}).get("label", c))) for c in iris), key=lambda kv: kv[1].lower()))

    years = sorted(d["year"] for d in studies if "year" in d)
    return {
        "interventions": concepts("interventions"),
        "outcomes": concepts("outcomes"),
        "designs": sorted({d["design"] for d in studies if d.get("design")}),
        "years": (years[0], years[-1]) if years else (0, 0),
        "nodes": {n: f"{d.get('label', n)} ({d.get('kind', 'node')})" for n, d in
                  sorted(((n, d) for n, d in G.nodes(data=True)), key=_node_order)},
    }


def _node_order(node: tuple[str, dict[str, Any]]) -> tuple[int, str]:
    """Nodes by kind (in KINDS order, other kinds last), then label."""
    n, d = node
    kind = d.get("kind")
    return (KINDS.index(kind) if kind in KINDS else 9, str(d.get("label", n)))


def url_state(opts: dict[str, Any]) -> dict[str, Any]:
    """The widget values the URL asks for (defaults where it says nothing or something unknown)."""
    lo, hi = opts["years"]
    try:
        years = tuple(int(y) for y in (param("years") or "").split("-"))
        chosen = (max(lo, years[0]), min(hi, years[1]))
    except (ValueError, IndexError):
        chosen = (lo, hi)
    focus, depth = param("focus"), param("depth") or "1"
    return {
        "net_types": [k for k in param_list("types") if k in KINDS] or list(KINDS),
        "net_stance": [s for s in param_list("stance") if s in STANCES] or list(STANCES),
        "net_intervention": [c for c in param_list("intervention") if c in opts["interventions"]],
        "net_outcome": [c for c in param_list("outcome") if c in opts["outcomes"]],
        "net_design": [d for d in param_list("design") if d in opts["designs"]],
        "net_years": chosen if chosen[0] <= chosen[1] else (lo, hi),
        "net_focus": focus if focus in opts["nodes"] else None,
        "net_depth": int(depth) if depth.isdigit() and int(depth) in DEPTHS else 1,
        "net_cap": cap_from(param("cap")),
    }


def filters(opts: dict[str, Any]) -> dict[str, Any]:
    """The sidebar filters; returns kg.analysis.network.subgraph keyword arguments (only the filters that narrow)."""
    s = st.session_state
    with st.sidebar:
        st.header("Network filters")
        st.multiselect("Node types", KINDS, key="net_types")
        st.multiselect("Stance of evidence", STANCES, key="net_stance")
        st.multiselect("Intervention or test", list(opts["interventions"]), key="net_intervention",
                       format_func=opts["interventions"].get, placeholder="any")
        st.multiselect("Outcome", list(opts["outcomes"]), key="net_outcome", format_func=opts["outcomes"].get,
                       placeholder="any")
        st.multiselect("Study design", opts["designs"], key="net_design", placeholder="any")
        lo, hi = opts["years"]
        if lo < hi:
            st.slider("Publication year", lo, hi, key="net_years")
        st.divider()
        st.selectbox("Focus on", list(opts["nodes"]), key="net_focus", format_func=opts["nodes"].get,
                     index=None, placeholder="the whole network")
        st.select_slider("Neighbourhood depth", DEPTHS, key="net_depth", disabled=s["net_focus"] is None)
        st.number_input("Node cap", min_value=5, max_value=500, step=5, key="net_cap",
                        help="At most this many nodes are drawn; the least connected are left out first.")
    chosen: dict[str, Any] = {}
    if set(s["net_types"]) != set(KINDS):
        chosen["kinds"] = sorted(s["net_types"])
    if set(s["net_stance"]) != set(STANCES):
        chosen["stances"] = sorted(s["net_stance"])
    if s["net_intervention"]:
        chosen["interventions"] = sorted(s["net_intervention"])
    if s["net_outcome"]:
        chosen["outcomes"] = sorted(s["net_outcome"])
    if s["net_design"]:
        chosen["designs"] = sorted(s["net_design"])
    if tuple(s["net_years"]) != tuple(opts["years"]):
        chosen["year_range"] = tuple(s["net_years"])
    return chosen


def share(chosen: dict[str, Any]) -> None:
    """Mirror the view in the URL so it can be shared."""
    s = st.session_state
    years = chosen.get("year_range")
    set_params("network", {"types": chosen.get("kinds"), "stance": chosen.get("stances"),
                "intervention": chosen.get("interventions"), "outcome": chosen.get("outcomes"),
                "design": chosen.get("designs"), "years": f"{years[0]}-{years[1]}" if years else None,
                "focus": s["net_focus"], "depth": s["net_depth"] if s["net_focus"] else None,
                "cap": s["net_cap"] if s["net_cap"] != DEFAULT_CAP else None})


def render() -> None:
    """The Network page."""
    st.title("Evidence network")
    st.caption("Studies (blue dots), claims (purple diamonds), concepts (brown triangles) and source articles "
               "(orange squares). Edges from studies to claims are coloured by stance: green supports, red "
               "contradicts, amber (dashed) qualifies, grey (dotted) inconclusive. Hover for details; drag to "
               "move; scroll to zoom.")
    claims, around = None, ""
    if resources.network_limit() is not None:
        focus = widget_value("network", "net_focus", param("focus"))
        cap = int(widget_value("network", "net_cap", cap_from(param("cap"))))
        claims, around = claims_around(resources.query, focus, cap)
    as_of = as_of_filter()
    G = resources.network(claims, as_of=as_of)
    opts = options(G)
    seed("network", url_state(opts))
    chosen = filters(opts)
    share(chosen)
    s = st.session_state
    focus, depth, cap = s["net_focus"], int(s["net_depth"]), int(s["net_cap"])
    if claims is not None:
        st.info(f"The graph is large ({resources.count('claims'):,} claims, {resources.count('studies'):,} "
                f"studies), so the network is built around part of it: the {len(claims)} claims {around}, with "
                "their studies, concepts and source articles. Filters apply within that part; choose a focus "
                "node to move to another.", icon=":material/filter_list:")
    try:
        page, omitted, n_nodes = resources.network_html(chosen, max_nodes=cap, focus=focus, depth=depth,
                                                        height=NETWORK_HEIGHT, claims=claims, as_of=as_of)
    except ValueError:  # the focus node was filtered out
        st.warning("The focus node is not in the filtered network; showing the filtered network without it.")
        focus = None
        page, omitted, n_nodes = resources.network_html(chosen, max_nodes=cap, focus=None, depth=depth,
                                                        height=NETWORK_HEIGHT, claims=claims, as_of=as_of)
    shown = n_nodes - omitted if focus is None else None
    if omitted:
        st.warning(f"Node cap reached: {omitted} node{'s' if omitted != 1 else ''} left out (the least "
                   f"connected; the note above the graph lists them by type). Raise the cap or narrow the "
                   f"filters to see them.")
    summary = f"{n_nodes} nodes match the filters" + (f"; {shown} drawn" if shown is not None else "")
    if focus is not None:
        summary += f"; neighbourhood of {opts['nodes'].get(focus, focus)} to depth {depth}"
    st.caption(literal(summary))
    if n_nodes == 0:
        st.info("No node matches these filters.")
        return
    st.iframe(page, height=NETWORK_HEIGHT + 90)  # the legend and the cap note sit above the canvas


if __name__ == "__main__":
    render()
