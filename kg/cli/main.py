"""The `kg` command line: build, validate, query, analyse, export and serve the evidence graph.

This module is the group and nothing else: its options (--endpoint, --graph, --store, kept in a
kg.cli.options.Settings) and one `add_command` line per command. The commands live in their own modules
(build, query, analysis, serve, synth), none of which imports this one.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.cli import analysis, build, curate, importer, query, review, serve, snapshot, synth
from kg.cli.options import Settings, fail
from kg.store.remote import DEFAULT_GRAPH_IRI, ENV_ENDPOINT, ENV_GRAPH, RemoteError


class KgGroup(click.Group):
    """Turns an unreachable or failing remote store into a one-line error instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RemoteError as exc:
            fail(f"error: {exc}")


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hipspine-kg")
@click.option("--endpoint", envvar=ENV_ENDPOINT, metavar="URL",
              help="Read the graph from this remote SPARQL query URL instead of the data files "
                   "(env KG_SPARQL_ENDPOINT); used by query, queries, stats, export, summary, explain, fidelity, "
                   "network, rank and serve.")
@click.option("--graph", "graph_iri", envvar=ENV_GRAPH, metavar="IRI",
              help="The named graph holding the evidence graph in that store (env KG_GRAPH_IRI; default "
                   f"{DEFAULT_GRAPH_IRI}; 'default' for the store's default graph).")
@click.option("--store", "store_path", envvar="KG_STORE", metavar="DIR", type=click.Path(path_type=Path),
              help="Keep the built graph in a persistent on-disk store here (env KG_STORE): built once, then "
                   "reopened in a fraction of a second until references.bib, claims.ttl or the ontology change.")
@click.pass_context
def main(ctx: click.Context, endpoint: str | None, graph_iri: str | None, store_path: Path | None) -> None:
    """Hip-spine evidence graph: studies, claims, evidence and results as one RDF graph."""
    ctx.obj = Settings(endpoint=endpoint, graph=graph_iri, store=store_path)


main.add_command(build.build)
main.add_command(build.validate)
main.add_command(query.queries_command)
main.add_command(query.query_command)
main.add_command(query.export_command)
main.add_command(query.stats_command)
main.add_command(analysis.summary)
main.add_command(analysis.explain)
main.add_command(analysis.fidelity)
main.add_command(analysis.network)
main.add_command(analysis.rank)
main.add_command(review.prisma)
main.add_command(serve.serve)
main.add_command(serve.push)
main.add_command(synth.synth)
main.add_command(importer.import_command)
main.add_command(curate.curate)
main.add_command(curate.history_command)
main.add_command(snapshot.snapshot)
