"""The `kg` command line: build, validate, query and export the evidence graph.

Options used by several commands (--data, --bib, --claims) are defined once in `data_options`.
Commands that belong to other features live in their own modules and are registered at the bottom.
"""
from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.ingest.build import DataSources
from kg.ingest.errors import InputError

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph


def data_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--data DIR, --bib PATH, --claims PATH; the command receives `sources: DataSources`."""

    @click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                  help="Directory holding references.bib and claims.ttl (default: the repository's data/).")
    @click.option("--bib", type=click.Path(dir_okay=False, path_type=Path), help="BibTeX file (overrides --data).")
    @click.option("--claims", type=click.Path(dir_okay=False, path_type=Path), help="Claims Turtle file (overrides --data).")
    @functools.wraps(func)
    def wrapper(*args: Any, data_dir: Path | None, bib: Path | None, claims: Path | None, **kwargs: Any) -> Any:
        return func(*args, sources=DataSources.resolve(data_dir, bib, claims), **kwargs)

    return wrapper


def fail(problems_or_message: InputError | str) -> None:
    """Print an input error to stderr and exit 1."""
    click.echo(str(problems_or_message), err=True)
    sys.exit(1)


class KgGroup(click.Group):
    """Turns an unreachable or failing remote store into a one-line error instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from kg.store.remote import RemoteError

        try:
            return super().invoke(ctx)
        except RemoteError as exc:
            fail(f"error: {exc}")


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hipspine-kg")
@click.option("--endpoint", envvar="KG_SPARQL_ENDPOINT", metavar="URL",
              help="Read the graph from this remote SPARQL query URL instead of the data files "
                   "(env KG_SPARQL_ENDPOINT); used by query, queries, stats, export, summary, explain, fidelity, "
                   "network, rank and serve.")
@click.option("--graph", "graph_iri", envvar="KG_GRAPH_IRI", metavar="IRI",
              help="The named graph holding the evidence graph in that store (env KG_GRAPH_IRI).")
@click.option("--store", "store_path", envvar="KG_STORE", metavar="DIR", type=click.Path(path_type=Path),
              help="Keep the built graph in a persistent on-disk store here (env KG_STORE): built once, then "
                   "reopened in a fraction of a second until references.bib, claims.ttl or the ontology change.")
@click.pass_context
def main(ctx: click.Context, endpoint: str | None, graph_iri: str | None, store_path: Path | None) -> None:
    """Hip-spine evidence graph: studies, claims, evidence and results as one RDF graph."""
    ctx.obj = {"endpoint": endpoint, "graph": graph_iri, "store": store_path}


def root_settings() -> dict[str, object]:
    """The group's options (--endpoint, --graph, --store) as seen from any subcommand."""
    return (click.get_current_context(silent=True) or click.Context(main)).find_root().obj or {}


def stage_printer(enabled: bool | None) -> Callable[[str], None] | None:
    """A progress callback for kg.ingest.build.assemble: '[2/5 0.4 s] loading claims.ttl' on stderr."""
    from kg.ingest.build import STAGES

    if enabled is False or (enabled is None and not sys.stderr.isatty()):
        return None
    start = time.perf_counter()
    order = list(STAGES)

    def show(stage: str) -> None:
        number = order.index(stage) + 1 if stage in order else "?"
        click.echo(f"[{number}/{len(order)} {time.perf_counter() - start:.1f} s] {STAGES.get(stage, stage)}", err=True)

    return show


def load_graph(sources: DataSources) -> KnowledgeGraph:
    """The graph a reading command works on: the remote store given to `kg --endpoint` (or
    KG_SPARQL_ENDPOINT), else the one built from the data files. Bad input prints its problems, exits 1."""
    from kg.store.graph import connect, load

    settings = root_settings()
    try:
        if settings.get("endpoint"):
            return connect(str(settings["endpoint"]), graph=settings.get("graph"))  # type: ignore[arg-type]
        return load(bib=sources.bib, claims=sources.claims, store_path=settings.get("store"))  # type: ignore[arg-type]
    except InputError as exc:
        fail(exc)
        raise  # unreachable: fail() exits


@main.command()
@data_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the graph here; the format follows the extension (.ttl, .nt, .jsonld, .trig).")
@click.option("--progress/--no-progress", default=None,
              help="Print each build stage on stderr as it starts (default: when stderr is a terminal).")
def build(sources: DataSources, output: Path | None, progress: bool | None) -> None:
    """Assemble references, claims and ontology into one graph and print its summary."""
    from kg.store.graph import load
    from kg.store.serialize import format_for, write_graph

    if output is not None:
        try:
            format_for(output)
        except ValueError as exc:
            fail(str(exc))
    start = time.perf_counter()
    try:
        kg = load(bib=sources.bib, claims=sources.claims, store_path=root_settings().get("store"),  # type: ignore[arg-type]
                  rebuild=True, progress=stage_printer(progress))
    except InputError as exc:
        fail(exc)
        return
    for warning in kg.build.problems if kg.build else []:
        click.echo(str(warning), err=True)
    if output is not None:
        write_graph(kg.store, output)
    counts = kg.select("""SELECT
        (COUNT(DISTINCT ?paper) AS ?papers) (COUNT(DISTINCT ?claim) AS ?claims)
        (COUNT(DISTINCT ?ev) AS ?evidence) (COUNT(DISTINCT ?res) AS ?results)
        WHERE { { ?paper a fabio:JournalArticle } UNION { ?claim a mp:Claim } UNION { ?ev a hs:Evidence }
                UNION { ?res a hs:MeasuredResult } }""")[0]
    click.echo(f"Built {len(kg)} triples: {counts['papers']} papers, {counts['claims']} claims, "
               f"{counts['evidence']} evidence lines, {counts['results']} measured results "
               f"in {time.perf_counter() - start:.2f} s" + (f"; wrote {output}" if output else ""))


@main.command()
@data_options
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL stage (parse and integrity checks only).")
def validate(sources: DataSources, no_shacl: bool) -> None:
    """Check the data: parsing, referential integrity and SHACL shapes. Exits 1 on any error."""
    from kg.quality.validate import validate as run_validation

    report = run_validation(sources, shacl=not no_shacl)
    click.echo(report.text())
    if not report.ok:
        sys.exit(1)


def _register_feature_commands() -> None:
    """Attach the commands defined in feature modules (queries, analysis, serving) when present."""
    import importlib

    for module in ("kg.cli.query", "kg.cli.analysis", "kg.cli.serve"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        mod.register(main)


_register_feature_commands()
