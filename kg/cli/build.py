"""`kg build` (assemble the graph, print its summary, optionally write it) and `kg validate`."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from kg.cli.options import data_options, fail, settings
from kg.ingest.build import DataSources
from kg.ingest.errors import InputError


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


@click.command()
@data_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the graph here; the format follows the extension (.ttl, .nt, .jsonld, .trig).")
@click.option("--progress/--no-progress", default=None,
              help="Print each build stage on stderr as it starts (default: when stderr is a terminal).")
def build(sources: DataSources, output: Path | None, progress: bool | None) -> None:
    """Assemble references, claims and ontology into one graph and print its summary."""
    from kg.api import load
    from kg.query.named import get_query
    from kg.store.serialize import format_for, write_graph

    if output is not None:
        try:
            format_for(output)
        except ValueError as exc:
            fail(exc)
    start = time.perf_counter()
    try:
        kg = load(bib=sources.bib, claims=sources.claims, store_path=settings().store, rebuild=True,
                  progress=stage_printer(progress))
    except InputError as exc:
        fail(exc)
    for warning in kg.build.problems if kg.build else []:
        click.echo(str(warning), err=True)
    if output is not None:
        write_graph(kg.snapshot(), output)
    # Plain rows, not run_named's DataFrame: importing pandas would triple a cold `kg build` on the curated data.
    counts = {str(r["kind"]): int(r["count"]) for r in kg.select(get_query("graph_counts").text)}
    click.echo(f"Built {len(kg)} triples: {counts['studies']} papers, {counts['claims']} claims, "
               f"{counts['evidence lines']} evidence lines, {counts['measured results']} measured results "
               f"in {time.perf_counter() - start:.2f} s" + (f"; wrote {output}" if output else ""))


@click.command()
@data_options
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL stage (parse and integrity checks only).")
def validate(sources: DataSources, no_shacl: bool) -> None:
    """Check the data: parsing, referential integrity and SHACL shapes. Exits 1 on any error."""
    from kg.quality.validate import validate as run_validation

    report = run_validation(sources, shacl=not no_shacl)
    click.echo(report.text())
    if not report.ok:
        sys.exit(1)
