"""The self-contained vis-network page for a network projection (kg.analysis.network): the page is the
template templates/network.html, and vis-network's script and stylesheet (static/, vendored with their
licence) are inlined, so the page needs no network access.

Every string from the data is HTML-escaped: labels and hover titles inside the node and edge data (the page's
script decodes them), the rest by the template's autoescaping. The data JSON cannot close its script element.
"""
from __future__ import annotations

import functools
import html
import json
import math
import re
import textwrap
from collections import Counter
from collections.abc import Mapping
from importlib import resources
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup

from kg.model.vocab import NODE_STYLE, OTHER_EDGE_COLOUR, STANCE_COLOUR, UNBACKED_COLOUR

CSS_LENGTH = re.compile(r"^\d{1,5}(\.\d+)?(px|%|em|rem|vh|vw)$")
DEFAULT_NODE_STYLE = ("#79706e", "dot")


@functools.lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, read once from this package's static/ folder."""
    static = resources.files(__package__) / "static"
    js = (static / "vis-network.min.js").read_text(encoding="utf-8")
    css = (static / "vis-network.css").read_text(encoding="utf-8")
    # An inline script ends at the first "</script"; the library has none, but never let one through.
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


def script_json(data: Any) -> Markup:
    """JSON for an inline script: '<' and '>' are written as \\u003c and \\u003e, so no string in the data can
    close the script (nor U+2028/U+2029 end a line in older engines)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)  # escaped for a script context above; HTML escaping would corrupt the JSON


_ENV = jinja2.Environment(loader=jinja2.PackageLoader(__package__, "templates"), autoescape=True,
                          keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
_ENV.filters["script_json"] = script_json


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _short(text: str, width: int = 26, lines: int = 3) -> str:
    """A canvas label: wrapped to a few short lines (vis draws \\n as a line break)."""
    wrapped = textwrap.wrap(text, width=width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1] + "…"
    return "\n".join(wrapped)


def _node_title(n: str, d: Mapping[str, Any], meta: Mapping[str, Mapping[str, Any]]) -> str:
    """Hover text as HTML: every value escaped, the tags are ours."""
    kind = str(d.get("kind", ""))
    rows = [f"<b>{_esc(d.get('label', n))}</b> <i>({_esc(kind or 'node')})</i>"]
    if kind == "study":
        rows.append(_esc(d.get("title", "")))
        facts = [d.get("year"), d.get("design"), f"Level {d['level']}" if "level" in d else None,
                 f"{d['n']} {d.get('unit', '')}".strip() if "n" in d else None, d.get("verification")]
        rows.append(_esc(" · ".join(str(f) for f in facts if f)))
        for plural, word in (("interventions", "intervention/test"), ("outcomes", "outcomes")):
            names = [str(meta.get(c, {}).get("label", c)) for c in d.get(plural, ())]
            if names:
                rows.append(f"{word}: {_esc(', '.join(names))}")
    elif kind == "claim":
        rows.append(_esc(d.get("statement", "")))
        if d.get("unbacked"):
            rows.append("<i>unbacked assertion: no cited study bears on it</i>")
    elif kind == "concept":
        rows.append(_esc(d.get("scheme", "")))
    elif kind in ("source", "work"):
        rows.append(_esc(d.get("title", d.get("key", ""))))
    elif kind == "person" and d.get("works"):
        rows.append("works: " + _esc(", ".join(str(w) for w in d["works"])))
    rows.append(f"<small>{_esc(n)}</small>")
    return "<br>".join(r for r in rows if r)


def _edge_title(d: Mapping[str, Any]) -> str:
    relation = str(d.get("relation", ""))
    parts = [f"<b>{_esc(d.get('stance', relation) or 'link')}</b>"]
    if d.get("rationale"):
        parts.append(_esc(textwrap.shorten(str(d["rationale"]), 400)))
    if d.get("roles"):
        parts.append("PICO " + _esc(", ".join(str(r) for r in d["roles"])))
    if d.get("weight") is not None and relation != "evidence":
        parts.append(f"shared: {_esc(d['weight'])}")
    return "<br>".join(parts)


def _resolve_focus(G: nx.Graph[str], focus: str) -> str:
    if focus in G:
        return focus
    wanted = focus.strip().lower()
    for n, d in G.nodes(data=True):
        if wanted in (str(d.get("label", "")).lower(), str(d.get("curie", "")).lower(), str(d.get("key", "")).lower()):
            return str(n)
    raise ValueError(f"focus node '{focus}' is not in the network")


def _vis_nodes(H: nx.Graph[str], degree: Mapping[Any, int], label: Mapping[Any, str], focus_id: str | None,
               meta: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    nodes = []
    for n, d in H.nodes(data=True):
        kind = str(d.get("kind", ""))
        colour, shape = NODE_STYLE.get(kind, DEFAULT_NODE_STYLE)
        if kind == "claim" and d.get("unbacked"):
            colour = UNBACKED_COLOUR
        size = round(10 + 4 * math.sqrt(degree[n]), 1)
        node: dict[str, Any] = {"id": str(n), "label": _esc(_short(label[n])), "title": _node_title(str(n), d, meta),
                                "color": colour, "shape": shape, "size": size}
        if kind == "concept":  # many and secondary: quieter labels keep studies and claims readable
            node["font"] = {"size": 11, "color": "#555555"}
        if n == focus_id:
            node.update(size=size + 12, borderWidth=4, color={"background": colour, "border": "#000000"})
        nodes.append(node)
    return nodes


def _vis_edges(H: nx.Graph[str]) -> list[dict[str, Any]]:
    edges = []
    for u, v, d in H.edges(data=True):
        stance = d.get("stance")
        edge: dict[str, Any] = {"from": str(u), "to": str(v), "title": _edge_title(d),
                                "color": STANCE_COLOUR.get(str(stance), OTHER_EDGE_COLOUR),
                                "width": 2.5 if stance else 1}
        if stance == "qualifies":
            edge["dashes"] = True
        elif stance == "inconclusive":  # a result that settles nothing either way: dotted, as faint as its weight
            edge["dashes"] = [2, 4]
        edges.append(edge)
    return edges


def to_vis_html(G: nx.Graph[str], *, max_nodes: int = 300, focus: str | None = None, depth: int | None = None,
                height: str = "650px") -> tuple[str, int]:
    """A self-contained vis-network page for the graph, and how many nodes the cap left out.

    Without `focus` the view is the whole graph; with it, the focus node's neighbourhood to `depth` hops
    (1 by default), the focus drawn larger. If the view has more than `max_nodes` nodes, the best-connected are
    kept (nearest the focus first) and the page says how many of each kind were left out. Colour and shape show
    the node kind, edge colour the stance (supports green, contradicts red, qualifies amber and dashed, inconclusive grey and
    dotted).
    vis-network is inlined (no network access needed); the layout is computed once (seeded physics) and then
    frozen. Every string from the data is HTML-escaped and the data JSON cannot close its script element.
    """
    if not CSS_LENGTH.match(height):
        raise ValueError(f"height must be a CSS length such as '650px' or '80vh', not {height!r}")
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    focus_id = _resolve_focus(G, focus) if focus is not None else None
    degree = dict(G.degree())
    label = {n: str(d.get("label", n)) for n, d in G.nodes(data=True)}
    if focus_id is not None:
        distance = nx.single_source_shortest_path_length(G, focus_id, cutoff=1 if depth is None else max(depth, 0))
        candidates = sorted(distance, key=lambda n: (distance[n], -degree[n], label[n], str(n)))
    else:
        candidates = sorted(G, key=lambda n: (-degree[n], label[n], str(n)))
    kept = candidates[:max_nodes]
    left_out = Counter(str(G.nodes[n].get("kind", "node")) for n in candidates[max_nodes:])
    omitted = sum(left_out.values())
    H = G.subgraph(kept)
    meta: Mapping[str, Mapping[str, Any]] = G.graph.get("concepts", {})
    nodes = _vis_nodes(H, degree, label, focus_id, meta)
    options = {
        "physics": {"enabled": True, "solver": "forceAtlas2Based",
                    "stabilization": {"enabled": True, "iterations": 400, "fit": True}},
        "layout": {"randomSeed": 7, "improvedLayout": len(nodes) <= 150},
        "interaction": {"hover": True, "tooltipDelay": 120},
        "edges": {"smooth": False},
        "nodes": {"font": {"size": 13, "face": "sans-serif"}},
    }
    shown_kinds = {str(d.get("kind")) for _, d in H.nodes(data=True)}
    js, css = vis_assets()
    page = _ENV.get_template("network.html").render(
        vis_js=Markup(js), vis_css=Markup(css), height=height,  # the vendored library, not data
        nodes=nodes, edges=_vis_edges(H), options=options,
        shown=len(nodes), omitted=omitted, max_nodes=max_nodes,
        left_out=", ".join(f"{count} {kind}" for kind, count in sorted(left_out.items())),
        kind_legend=[(k, c) for k, (c, _) in NODE_STYLE.items() if k in shown_kinds],
        stance_legend=list(STANCE_COLOUR.items()))
    return page, omitted
