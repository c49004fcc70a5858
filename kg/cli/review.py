"""`kg prisma`: the PRISMA 2020 flow diagram of the review, from the graph's own counts."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import data_options, load_graph
from kg.ingest.build import DataSources


@click.command()
@data_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the diagram as SVG here (atomically); without it the counts are printed.")
def prisma(sources: DataSources, output: Path | None) -> None:
    """The PRISMA 2020 flow diagram: records identified per source, duplicates and unreadable records removed,
    records screened, excluded (with reasons), awaiting screening and included."""
    from kg.analysis.prisma import prisma_flow
    from kg.ingest.files import write_atomic
    from kg.render.prisma import flow_boxes, prisma_svg

    flow = prisma_flow(load_graph(sources))
    if output is None:
        boxes, _phases, _arrows = flow_boxes(flow)
        for box in sorted(boxes, key=lambda b: (b.y, b.x)):
            click.echo("\n".join(line for line in box.lines if line) + "\n")
        return
    write_atomic(output, prisma_svg(flow).encode("utf-8"))
    click.echo(f"PRISMA flow: {flow.identified:,} identified, {flow.removed:,} removed before screening, "
               f"{flow.screened:,} screened, {flow.excluded:,} excluded, {flow.included:,} included, "
               f"{flow.awaiting:,} awaiting screening; wrote {output}")
