"""Analysis commands of the `kg` CLI: summary, explain, fidelity, network and rank.

Thin wrappers over kg.analysis.evidence and kg.analysis.network.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.options import data_options, fail, load_graph
from kg.ingest.build import DataSources
from kg.model.vocab import NETWORK_KINDS

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


def _claim(kg: KnowledgeGraph, text: str) -> str:
    """The claim's IRI, or exit 1 with the close matches."""
    from kg.analysis.evidence import UnknownClaimError, resolve_claim

    try:
        return resolve_claim(kg, text)
    except UnknownClaimError as exc:
        fail(f"Error: {exc}")


@click.command()
@data_options
@click.argument("claim")
def summary(sources: DataSources, claim: str) -> None:
    """Supporters, contradictors and qualifiers of CLAIM, its certainty (with the working), direction of effect and pooling.

    CLAIM is claim:slug, the slug alone, or the full IRI."""
    from kg.analysis.evidence import claim_summary
    from kg.render.text import render_summary

    kg = load_graph(sources)
    click.echo(render_summary(claim_summary(kg, _claim(kg, claim))))


@click.command()
@data_options
@click.argument("claim")
def explain(sources: DataSources, claim: str) -> None:
    """Why studies disagree on CLAIM: how each supporting/contradicting pair differs, and the verdict.

    '*' marks the differences that make it a different question (intervention or index test, population,
    outcome); '-' marks the others."""
    from kg.analysis.evidence import explain_disagreements
    from kg.model.namespace import compact
    from kg.render.text import render_disagreement

    kg = load_graph(sources)
    iri = _claim(kg, claim)
    pairs = explain_disagreements(kg, iri)
    name = compact(iri)
    if not pairs:
        click.echo(f"No disagreement on {name}: no study contradicts one that supports or qualifies it.")
        return
    click.echo(f"{len(pairs)} opposing pair(s) on {name}:")
    for pair in pairs:
        click.echo(render_disagreement(pair))


@click.command()
@data_options
@click.option("--source", "source", metavar="KEY", help="Only this source article (its BibTeX key).")
def fidelity(sources: DataSources, source: str | None) -> None:
    """Where source articles misreport, cite stale forms of, or mischaracterise the studies they cite, and the
    record fields that only an article's citation vouches for."""
    from kg.analysis.evidence import fidelity_report
    from kg.render.text import render_fidelity_item

    kg = load_graph(sources)
    try:
        items = fidelity_report(kg, source)
    except LookupError as exc:
        fail(f"Error: {exc.args[0]}")
    if not items:
        click.echo("No departures from the records found" + (f" for {source}." if source else "."))
        return
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
        click.echo(render_fidelity_item(item))
    order = ["misreport", "stale citation", "characterisation gap", "unverified fields"]
    kinds = sorted(counts, key=lambda k: order.index(k) if k in order else len(order))
    click.echo("Total: " + ", ".join(f"{counts[k]} {k}" for k in kinds))


@click.command()
@data_options
@click.option("--kind", type=click.Choice(NETWORK_KINDS), default="evidence", show_default=True,
              help="Which projection to build.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.graphml (Gephi, Cytoscape) or FILE.html (interactive vis-network page).")
@click.option("--max-nodes", type=click.IntRange(min=1), default=300, show_default=True,
              help="Node cap for the HTML view.")
def network(sources: DataSources, kind: str, output: Path, max_nodes: int) -> None:
    """Build a network projection and write it as GraphML or as an HTML page."""
    from kg.analysis.network import project, write_graphml
    from kg.ingest.files import write_atomic
    from kg.render.vis import to_vis_html

    suffix = output.suffix.lower()
    if suffix not in (".graphml", ".html", ".htm"):
        fail(f"Error: {output}: use a .graphml or .html file name")
    kg = load_graph(sources)
    start = time.perf_counter()
    G = project(kg, kind)
    if suffix == ".graphml":
        write_graphml(G, output)
        extra = ""
    else:
        page, omitted = to_vis_html(G, max_nodes=max_nodes)
        write_atomic(output, page.encode("utf-8"))
        extra = f"; {omitted} node(s) left out by the cap of {max_nodes}" if omitted else ""
    click.echo(f"Wrote the {kind} network ({G.number_of_nodes()} nodes, {G.number_of_edges()} edges) to {output}"
               f" in {time.perf_counter() - start:.2f} s{extra}")


@click.command()
@data_options
@click.option("--kind", type=click.Choice(NETWORK_KINDS), default="evidence", show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--by", type=click.Choice(["betweenness", "degree"]), default="betweenness", show_default=True)
def rank(sources: DataSources, kind: str, top: int, by: str) -> None:
    """The most central nodes of a network projection (degree and betweenness centrality)."""
    from kg.analysis.network import project, rank_nodes

    kg = load_graph(sources)
    ranked = rank_nodes(project(kg, kind), top, by=by)
    click.echo(f"{'#':>3}  {'betweenness':>11}  {'degree':>6}  {'kind':<8}  label")
    for i, r in enumerate(ranked, 1):
        click.echo(f"{i:>3}  {r.betweenness:>11.3f}  {r.degree:>6}  {r.kind:<8}  {r.label}")

