"""What every `kg` command shares: the group's settings (`Settings`), the --data/--bib/--claims options
(`data_options`), the graph a reading command works on (`load_graph`), and `fail`."""
from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from kg.ingest.build import DataSources
from kg.ingest.errors import InputError

if TYPE_CHECKING:
    from kg.store.graph import KnowledgeGraph

R = TypeVar("R")


@dataclass(frozen=True)
class Settings:
    """The `kg` group's options (--endpoint, --graph, --store), kept as the root context's `obj`."""

    endpoint: str | None = None
    graph: str | None = None
    store: Path | None = None


def settings() -> Settings:
    """The group's options as seen from any subcommand (the defaults when a command runs on its own)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_root().obj if ctx is not None else None
    return found if isinstance(found, Settings) else Settings()


def fail(message: object) -> NoReturn:
    """Print `message` (an InputError prints its problems) to stderr and exit 1."""
    click.echo(str(message), err=True)
    sys.exit(1)


def data_options(func: Callable[..., R]) -> Callable[..., R]:
    """--data DIR, --bib PATH, --claims PATH; the command receives `sources: DataSources`."""

    @click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                  help="Directory holding references.bib and claims.ttl (default: the repository's data/).")
    @click.option("--bib", type=click.Path(dir_okay=False, path_type=Path), help="BibTeX file (overrides --data).")
    @click.option("--claims", type=click.Path(dir_okay=False, path_type=Path), help="Claims Turtle file (overrides --data).")
    @functools.wraps(func)
    def wrapper(*args: Any, data_dir: Path | None, bib: Path | None, claims: Path | None, **kwargs: Any) -> R:
        return func(*args, sources=DataSources.resolve(data_dir, bib, claims), **kwargs)

    return wrapper


def load_graph(sources: DataSources) -> KnowledgeGraph:
    """The graph a reading command works on: the remote store given to `kg --endpoint` (or
    KG_SPARQL_ENDPOINT), else the one built from the data files (in the --store directory, if given).
    Bad input prints its problems and exits 1."""
    from kg.api import connect, load

    group = settings()
    try:
        if group.endpoint:
            return connect(group.endpoint, graph=group.graph)
        return load(bib=sources.bib, claims=sources.claims, store_path=group.store)
    except InputError as exc:
        fail(exc)
