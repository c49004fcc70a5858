"""`kg synth`: write a synthetic corpus for benchmarks with kg.synth.generate."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click


class PaperCount(click.ParamType[int]):
    """A number of papers: 1000, 10k, 1.5k, 1m."""

    name = "count"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        from kg.synth import parse_size  # the generator and its pools load only for `kg synth` (~40 ms)

        try:
            count = parse_size(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a number of papers (1000, 10k, 100k)", param, ctx)
        if count < 1:
            self.fail("at least one paper is needed", param, ctx)
        return count


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--papers", type=PaperCount(), required=True, help="Number of studies (1000, 10k, 100k).")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed: the same seed gives the same bytes.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory for references.bib and claims.ttl (created if missing).")
def synth(papers: int, seed: int, out: Path) -> None:
    """Write a synthetic hip-spine corpus (references.bib + claims.ttl) in the project's model, for benchmarks.

    Every record is invented; DOIs use the DOI Handbook's example prefix. Check it with `kg validate --data OUT`.
    """
    from kg.synth import generate

    stats = generate(papers, seed, out)
    for name, value in asdict(stats).items():
        click.echo(f"{name:20} {value:.2f}" if isinstance(value, float) else f"{name:20} {value}")
