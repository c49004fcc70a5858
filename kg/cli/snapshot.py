"""`kg snapshot`: write the graph as canonical N-Triples with its SHA-256 and a CITATION.cff, so a result can
cite exactly the data it came from."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import data_options, load_graph
from kg.ingest.build import DataSources


@click.command()
@data_options
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def snapshot(sources: DataSources, out_dir: Path) -> None:
    """Write OUT_DIR/graph.nt (sorted N-Triples), graph.nt.sha256 and CITATION.cff (CFF 1.2.0).

    The hash is the one the app's "Cite this view" shows: the same data gives the same hash on every run."""
    from kg.export.snapshot import write_snapshot

    kg = load_graph(sources)
    result = write_snapshot(kg, out_dir)
    for path in result.files:
        click.echo(f"wrote {path}")
    click.echo(f"snapshot sha256:{result.sha256} ({result.triples:,} triples)")
