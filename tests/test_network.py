"""Network projections, ranking, filters, GraphML, the claim budget and the vis-network page, checked against
SPARQL counts."""
from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg import KnowledgeGraph, load
from kg.analysis.network import (
    claims_around,
    coauthor_graph,
    concept_graph,
    evidence_network,
    graphml_text,
    project,
    rank_nodes,
    study_claim_graph,
    subgraph,
    triples_graph,
    write_graphml,
)
from kg.model.vocab import STANCE_COLOUR
from kg.query.guard.policy import QueryLimits
from kg.query.named import run_named
from kg.render.vis import to_vis_html, vis_assets

RESOURCES = Path(__file__).parent / "resources"
KANG = "https://w3id.org/hipspine/id/person/kang-jd"
DEVIN = "https://doi.org/10.5435/jaaos-20-07-434"
MGB = "https://w3id.org/hipspine/id/work/kangmgbhipspine"
HAUSER = "https://w3id.org/hipspine/id/work/hauser2021hipspine"
LUMBAR = "https://w3id.org/hipspine/id/claim/lumbar-disease-worsens-hip-surgery"
LABRAL = "https://w3id.org/hipspine/id/claim/mri-detects-labral-tears"  # supported, contradicted and inconclusive
HOSTILE = "<script>alert(1)</script>"


def count(kg: KnowledgeGraph, sparql: str) -> int:
    return int(kg.select(sparql)[0]["n"])


@pytest.fixture(scope="module")
def ev(real_kg: KnowledgeGraph) -> nx.Graph:
    return evidence_network(real_kg)


def page_data(page: str) -> tuple[list[dict], list[dict]]:
    """The nodes and edges JSON embedded in a to_vis_html page."""
    nodes = json.loads(re.search(r"var nodes = (\[.*?\]);\n", page).group(1))  # type: ignore[union-attr]
    edges = json.loads(re.search(r"var edges = (\[.*?\]);\n", page).group(1))  # type: ignore[union-attr]
    return nodes, edges


# --------------------------------------------------------------------------- projections vs SPARQL

def test_study_claim_graph_matches_sparql_counts_and_signs_stances(real_kg: KnowledgeGraph) -> None:
    G = study_claim_graph(real_kg)
    papers = count(real_kg, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a fabio:JournalArticle "
                            "FILTER NOT EXISTS { ?p a hs:SourceArticle } }")
    claims = count(real_kg, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a mp:Claim }")
    lines = count(real_kg, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a hs:Evidence }")
    assert G.number_of_nodes() == papers + claims
    assert G.number_of_edges() == lines
    by_stance = Counter(d["stance"] for _, _, d in G.edges(data=True))
    assert by_stance["supports"] == count(real_kg, "SELECT (COUNT(*) AS ?n) WHERE { ?s mp:supports ?c }")
    assert by_stance["contradicts"] == count(real_kg, "SELECT (COUNT(*) AS ?n) WHERE { ?s mp:challenges ?c }")
    assert by_stance["qualifies"] == count(real_kg, "SELECT (COUNT(*) AS ?n) WHERE { ?s hs:qualifies ?c }")
    assert all(d["sign"] == {"supports": 1, "contradicts": -1, "qualifies": 0, "inconclusive": 0}[d["stance"]]
               for _, _, d in G.edges(data=True))
    lee, annabell = "https://doi.org/10.4055/cios.2019.11.1.21", "https://doi.org/10.1186/s13018-018-0832-z"
    assert G.edges[lee, LABRAL]["sign"] == -1
    assert (G.edges[annabell, LABRAL]["stance"], G.edges[annabell, LABRAL]["sign"]) == ("inconclusive", 0)
    unbacked = [n for n, d in G.nodes(data=True) if d.get("unbacked")]
    assert unbacked and all(G.degree(n) == 0 for n in unbacked)


def test_concept_graph_matches_the_co_occurrences(real_kg: KnowledgeGraph) -> None:
    # Independent of the aggregate query: list every (context, concept) and pair them up in Python.
    rows = real_kg.select("""SELECT DISTINCT ?ctx ?c WHERE {
        { ?ctx a mp:Claim ; dcterms:subject ?c }
        UNION { ?ctx a pico:PICO ; pico:population ?g . ?g pico:condition ?c }
        UNION { ?ctx a pico:PICO ; pico:interventionGroup ?g . ?g pico:intervention ?c }
        UNION { ?ctx a pico:PICO ; pico:comparatorGroup ?g . ?g pico:intervention ?c }
        UNION { ?ctx a pico:PICO ; pico:outcomeGroup ?g . ?g pico:outcome ?c }
        ?c a skos:Concept }""")
    by_ctx: dict[str, set[str]] = {}
    for r in rows:
        by_ctx.setdefault(r["ctx"], set()).add(r["c"])
    pairs: Counter[tuple[str, str]] = Counter()
    for concepts in by_ctx.values():
        pairs.update(itertools.combinations(sorted(concepts), 2))
    G = concept_graph(real_kg)
    assert G.number_of_nodes() == len({r["c"] for r in rows})
    assert G.number_of_edges() == len(pairs)
    assert all(G.edges[a, b]["weight"] == w for (a, b), w in pairs.items())
    concept = "https://w3id.org/hipspine/concept/"
    tha, fusion = concept + "total-hip-arthroplasty", concept + "lumbar-fusion"
    assert G.edges[tha, fusion]["weight"] >= 3 and G.nodes[tha]["label"] == "total hip arthroplasty"


def test_coauthorship_links_kang_to_devin_2012_and_the_mass_general_brigham_article(real_kg: KnowledgeGraph) -> None:
    G = coauthor_graph(real_kg)
    assert G.nodes[KANG]["label"] == "James D. Kang"
    assert G.nodes[KANG]["works"] == ("devin2012hipspine", "kangmgbhipspine")
    devin = "https://w3id.org/hipspine/id/person/devin-cj"
    assert G.edges[KANG, devin]["weight"] == 1 and G.edges[KANG, devin]["works"] == ("devin2012hipspine",)
    people = count(real_kg, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?w dcterms:creator|dcterms:contributor ?p . "
                            "?p a foaf:Person }")
    shared = count(real_kg, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b WHERE { "
                            "?w dcterms:creator|dcterms:contributor ?a , ?b . ?a a foaf:Person . ?b a foaf:Person . "
                            "FILTER(STR(?a) < STR(?b)) } }")
    assert (G.number_of_nodes(), G.number_of_edges()) == (people, shared)
    works = coauthor_graph(real_kg, with_works=True)
    assert set(works.neighbors(KANG)) == {DEVIN, MGB}
    assert nx.has_path(works, DEVIN, MGB) and KANG in nx.shortest_path(works, DEVIN, MGB)


def test_evidence_network_counts_by_kind_and_relation(real_kg: KnowledgeGraph, ev: nx.Graph) -> None:
    kinds = Counter(d["kind"] for _, d in ev.nodes(data=True))
    assert kinds["study"] == count(real_kg, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a fabio:JournalArticle "
                                            "FILTER NOT EXISTS { ?p a hs:SourceArticle } }")
    assert kinds["claim"] == count(real_kg, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a mp:Claim }")
    assert kinds["source"] == count(real_kg, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a hs:SourceArticle }")
    assert kinds["concept"] == count(real_kg, """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
        { ?x a mp:Claim ; dcterms:subject ?c } UNION { ?e hs:evidenceFrom ?s ; hs:pico ?pf .
          ?pf (pico:population/pico:condition)|(pico:interventionGroup/pico:intervention)
              |(pico:comparatorGroup/pico:intervention)|(pico:outcomeGroup/pico:outcome) ?c }
        ?c a skos:Concept }""")
    relations = Counter(d["relation"] for _, _, d in ev.edges(data=True))
    assert relations["evidence"] == count(real_kg, "SELECT (COUNT(?e) AS ?n) WHERE { ?e a hs:Evidence }")
    assert relations["cites"] == count(real_kg, "SELECT (COUNT(*) AS ?n) WHERE { ?s cito:citesAsEvidence ?p }")
    assert relations["asserts"] == count(real_kg, "SELECT (COUNT(*) AS ?n) WHERE { ?c hs:assertedBy ?s }")
    assert relations["subject"] == count(real_kg, "SELECT (COUNT(*) AS ?n) WHERE { ?c a mp:Claim ; "
                                                  "dcterms:subject ?x . ?x a skos:Concept }")
    eneqvist = ev.nodes["https://w3id.org/hipspine/id/work/eneqvist2017lumbar"]
    assert (eneqvist["label"], eneqvist["year"], eneqvist["design"], eneqvist["n"]) == \
        ("Eneqvist 2017", 2017, "register-based matched cohort", 1994)
    assert ev.nodes[LUMBAR]["statement"].startswith("In people having a total hip replacement")
    people = evidence_network(real_kg, people=True)
    assert {DEVIN, MGB} <= set(people.neighbors(KANG))


def test_rank_nodes_orders_by_centrality(ev: nx.Graph) -> None:
    ranked = rank_nodes(ev, top=5)
    assert len(ranked) == 5
    assert [r.betweenness for r in ranked] == sorted((r.betweenness for r in ranked), reverse=True)
    assert ranked[0].node == HAUSER and ranked[0].kind == "source"  # the article citing all 13 studies is the hub
    by_degree = rank_nodes(ev, top=3, by="degree")
    assert by_degree[0].degree == max(d for _, d in ev.degree())
    assert rank_nodes(nx.Graph()) == []
    with pytest.raises(ValueError):
        rank_nodes(ev, by="pagerank")


# --------------------------------------------------------------------------- filters

def test_subgraph_filters_stances_interventions_years_designs_and_kinds(ev: nx.Graph) -> None:
    def studies(G: nx.Graph) -> set[str]:
        return {d["key"] for _, d in G.nodes(data=True) if d["kind"] == "study"}

    against = subgraph(ev, stances=["contradicts"])
    assert {d["stance"] for _, _, d in against.edges(data=True) if d["relation"] == "evidence"} == {"contradicts"}
    assert studies(against) == {"lee2019accuracy", "rajeev2017validity", "annabell2018hip"}
    assert all(against.degree(n) > 0 for n in against)
    # THA and arthroscopy are hip surgeries; Onggo's comparator arm is fusion before THA
    assert studies(subgraph(ev, interventions=["hip surgery"])) == {"eneqvist2017lumbar", "barry2017early",
                                                                     "haskel2020concomitant", "onggo2021comparable"}
    assert studies(subgraph(ev, interventions=["c:mri"])) == {"annabell2018hip", "lee2019accuracy",
                                                               "rajeev2017validity"}
    assert studies(subgraph(ev, year_range=(2018, 2019))) == {"annabell2018hip", "lee2019accuracy"}
    cohorts = subgraph(ev, designs=["cohort study"], year_range=(2017, 2017))
    assert studies(cohorts) == {"eneqvist2017lumbar", "barry2017early", "prather2017hip"}
    outcomes = subgraph(ev, outcomes=["reoperation"], kinds=["study", "claim"])
    assert {d["kind"] for _, d in outcomes.nodes(data=True)} == {"study", "claim"}
    # revision is a narrower reoperation, so Onggo's revision odds ratio counts
    assert studies(outcomes) == {"barry2017early", "haskel2020concomitant", "onggo2021comparable"}
    assert subgraph(ev).number_of_edges() == ev.number_of_edges()
    edges = ev.number_of_edges()
    assert subgraph(ev, stances=["supports"]).number_of_nodes() < ev.number_of_nodes()
    assert ev.number_of_edges() == edges  # a copy: the network itself is unchanged


def test_subgraph_works_on_the_study_claim_graph_with_generator_filters(real_kg: KnowledgeGraph) -> None:
    G = study_claim_graph(real_kg)
    tha = subgraph(G, interventions=(x for x in ["total hip arthroplasty"]), stances={"supports", "qualifies"})
    assert {d["key"] for _, d in tha.nodes(data=True) if d["kind"] == "study"} == {
        "eneqvist2017lumbar", "barry2017early", "onggo2021comparable"}
    assert {d["stance"] for *_, d in tha.edges(data=True)} <= {"supports", "qualifies"}
    assert all(tha.degree(n) > 0 for n in tha)


# --------------------------------------------------------------------------- GraphML

@pytest.mark.parametrize("kind", ["evidence", "study-claim", "concept", "coauthor"])
def test_graphml_reimports_with_the_same_counts(real_kg: KnowledgeGraph, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.graphml"
    written = write_graphml(real_kg, path, kind=kind)
    G = project(real_kg, kind)
    back = nx.read_graphml(path)
    assert (back.number_of_nodes(), back.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    assert (written.number_of_nodes(), written.number_of_edges()) == (G.number_of_nodes(), G.number_of_edges())
    for _, d in itertools.chain(back.nodes(data=True), ((None, d) for *_, d in back.edges(data=True))):
        assert all(isinstance(v, (str, int, float, bool)) for v in d.values())
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # atomic: no temporary file left behind


def test_graphml_keeps_types_and_joins_lists(real_kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "ev.graphml"
    write_graphml(real_kg, path)
    back = nx.read_graphml(path)
    eneqvist = back.nodes["https://w3id.org/hipspine/id/work/eneqvist2017lumbar"]
    assert eneqvist["year"] == 2017 and eneqvist["n"] == 1994 and eneqvist["kind"] == "study"
    assert "https://w3id.org/hipspine/concept/total-hip-arthroplasty" in eneqvist["interventions"]
    assert back.nodes[LUMBAR]["unbacked"] is False
    write_graphml(real_kg, tmp_path / "co.graphml", kind="coauthor")
    assert nx.read_graphml(tmp_path / "co.graphml").nodes[KANG]["works"] == "devin2012hipspine; kangmgbhipspine"


def test_graphml_text_is_what_write_graphml_writes(real_kg: KnowledgeGraph, tmp_path: Path) -> None:
    path = tmp_path / "concept.graphml"
    write_graphml(real_kg, path, kind="concept")
    assert graphml_text(real_kg, kind="concept").encode("utf-8") == path.read_bytes()


# --------------------------------------------------------------------------- vis-network page

def hostile_graph() -> nx.Graph:
    G = nx.Graph()
    G.add_node("s", kind="study", label=HOSTILE, title='"><img src=x onerror=alert(2)>', year=2020)
    G.add_node("c", kind="claim", label="A & B", statement="x < y")
    G.add_edge("s", "c", relation="evidence", stance="contradicts", sign=-1, rationale=f"{HOSTILE} & why")
    return G


def test_vis_page_escapes_every_data_string() -> None:
    page, omitted = to_vis_html(hostile_graph())
    assert omitted == 0
    assert HOSTILE not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    data_lines = [line for line in page.splitlines() if line.lstrip().startswith(("var nodes", "var edges"))]
    assert len(data_lines) == 2 and not any("<" in line for line in data_lines)  # cannot close its script
    nodes, edges = page_data(page)
    assert {n["label"] for n in nodes} == {"&lt;script&gt;alert(1)&lt;/script&gt;", "A &amp; B"}
    assert "&lt;script&gt;" in edges[0]["title"] and edges[0]["color"] == STANCE_COLOUR["contradicts"]


def test_vis_page_inlines_vis_network_and_loads_nothing_remote(ev: nx.Graph) -> None:
    page, _ = to_vis_html(ev)
    assert "new vis.Network(" in page and "vis-network" in page and len(page) > 400_000
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?:", page, re.I)
    assert "physics: false" in page  # laid out once, then frozen


def test_vis_page_caps_nodes_and_reports_what_was_left_out(ev: nx.Graph) -> None:
    page, omitted = to_vis_html(ev, max_nodes=20)
    assert omitted == ev.number_of_nodes() - 20
    nodes, edges = page_data(page)
    assert len(nodes) == 20
    ids = {n["id"] for n in nodes}
    assert all(e["from"] in ids and e["to"] in ids for e in edges)
    assert f"Showing 20 of {ev.number_of_nodes()} nodes" in page and f"left out {omitted}" in page
    assert HAUSER in ids  # the best-connected node survives the cap


def test_vis_page_focus_and_depth(ev: nx.Graph) -> None:
    page, omitted = to_vis_html(ev, focus="claim:mri-detects-labral-tears", depth=1)
    nodes, edges = page_data(page)
    assert omitted == 0 and {n["id"] for n in nodes} == {LABRAL, *ev.neighbors(LABRAL)}
    focus = next(n for n in nodes if n["id"] == LABRAL)
    assert focus["borderWidth"] == 4
    assert {e["color"] for e in edges if e["from"] == LABRAL or e["to"] == LABRAL} >= {
        STANCE_COLOUR["supports"], STANCE_COLOUR["contradicts"], STANCE_COLOUR["inconclusive"]}
    assert [e["dashes"] for e in edges if e["color"] == STANCE_COLOUR["inconclusive"]] == [[2, 4]]  # Annabell
    two, _ = to_vis_html(ev, focus=LABRAL, depth=2)
    assert len(page_data(two)[0]) == len(nx.single_source_shortest_path_length(ev, LABRAL, cutoff=2))
    capped, omitted = to_vis_html(ev, focus=LABRAL, depth=2, max_nodes=5)
    assert omitted == len(page_data(two)[0]) - 5 and LABRAL in {n["id"] for n in page_data(capped)[0]}
    with pytest.raises(ValueError, match="not in the network"):
        to_vis_html(ev, focus="claim:nothing")
    with pytest.raises(ValueError, match="CSS length"):
        to_vis_html(ev, height="1px;background:url(x)")


def test_the_mini_fixture_hostile_title_is_escaped_and_kang_links_two_works() -> None:
    kg = load(RESOURCES / "mini")
    page, _ = to_vis_html(evidence_network(kg))
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert len(coauthor_graph(kg).nodes[KANG]["works"]) == 2


@pytest.mark.browser
def test_vis_page_renders_text_not_markup_in_chromium(page: Any, tmp_path: Path) -> None:
    """The page draws in a real browser with no network, runs no injected script, and shows titles as text."""
    page_file = tmp_path / "net.html"
    page_file.write_text(to_vis_html(hostile_graph())[0], encoding="utf-8")
    dialogs: list[str] = []
    remote: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto(page_file.as_uri())
    page.wait_for_function("window.kgNetwork && kgNetwork.physics.options.enabled === false", timeout=15000)
    box = page.locator("#kg-network").bounding_box()
    pos = page.evaluate("kgNetwork.canvasToDOM(kgNetwork.getPositions(['s'])['s'])")
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert HOSTILE in tip.inner_text()  # shown as text ...
    assert tip.locator("script").count() == 0  # ... never as markup
    assert dialogs == [] and remote == []


def test_network_around_some_claims_is_the_part_of_the_whole(real_kg: KnowledgeGraph) -> None:
    whole = evidence_network(real_kg)
    claims = sorted(n for n, d in whole.nodes(data=True) if d["kind"] == "claim")
    everything = evidence_network(real_kg, claims=claims)
    assert set(everything) == set(whole) and everything.number_of_edges() == whole.number_of_edges()
    one = "https://w3id.org/hipspine/id/claim/lumbar-disease-worsens-hip-surgery"
    part = evidence_network(real_kg, claims=[one])
    kinds = Counter(d["kind"] for _, d in part.nodes(data=True))
    assert kinds["claim"] == 1 and kinds["study"] == 2  # Eneqvist and Barry (Haskel studied arthroscopy)
    assert set(part.neighbors(one)) <= set(whole.neighbors(one)) and whole.degree(one) == part.degree(one)
    for n, d in part.nodes(data=True):
        assert whole.nodes[n] == d  # the same attributes as in the whole network


# --------------------------------------------------------------------------- claim budget and triples


def test_claims_around_takes_claims_until_the_budget_is_spent(real_kg: KnowledgeGraph) -> None:
    def run(name: str, params: Any = None) -> Any:
        return run_named(real_kg, name, params)

    top = run("network_claims")
    chosen, what = claims_around(run, None, cap=5)
    assert what == "with the most evidence" and chosen == [str(c) for c in top["claim"][:len(chosen)]]
    size = [1 + int(s) for s in top["studies"]]
    assert sum(size[:len(chosen) - 1]) < 2 * 5 <= sum(size[:len(chosen)])  # stops once 2 x cap is reached
    near, what = claims_around(run, LUMBAR, cap=500)
    assert what == "nearest the focus node" and near[0] == LUMBAR
    assert near == [str(c) for c in run("network_neighbourhood", {"focus": LUMBAR})["claim"]]
    assert claims_around(run, "not an IRI", cap=5) == (chosen, "with the most evidence")
    assert claims_around(run, "https://example.org/nothing", cap=5) == (chosen, "with the most evidence")


def test_triples_graph_labels_iris_by_curie_and_keeps_each_literal_apart(real_kg: KnowledgeGraph) -> None:
    result = real_kg.run_user_query(f"CONSTRUCT {{ <{LUMBAR}> ?p ?o }} WHERE {{ <{LUMBAR}> ?p ?o }}",
                                    QueryLimits(timeout_s=10, max_rows=100))
    G = triples_graph(result)
    assert G.number_of_edges() == len(result.rows)
    assert G.nodes[LUMBAR]["label"] == "claim:lumbar-disease-worsens-hip-surgery"
    assert {d["relation"] for *_, d in G.edges(data=True)} >= {"rdf:type", "mp:statement"}
    literals = [n for n, d in G.nodes(data=True) if d["kind"] == "literal"]
    assert literals and all(G.in_degree(n) == 1 for n in literals)


def test_vendored_vis_network_is_the_build_pyvis_ships() -> None:
    """kg/render/static/ is a copy of pyvis's vis-network bundle: a pyvis upgrade that changes it shows up here."""
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    assert spec is not None and spec.origin is not None
    bundle = Path(spec.origin).parent / "templates" / "lib" / "vis-9.1.2"
    js, css = vis_assets()
    assert js == (bundle / "vis-network.min.js").read_text(encoding="utf-8")
    assert css == (bundle / "vis-network.css").read_text(encoding="utf-8")
