"""The asking commands of `kg`: queries, query, export and stats.

Commands are thin: they parse options, load the graph, call kg.query.named / kg.query.guard / kg.export.exporter
and print.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kg.cli.options import data_options, fail, load_graph
from kg.model.namespace import compact as compact_iri

if TYPE_CHECKING:
    import pandas as pd

    from kg.ingest.build import DataSources
    from kg.query.guard.policy import UserQueryResult

OUTPUT_FORMATS = ("table", "csv", "json", "tsv")
CELL_WIDTH = 80  # the table format is for reading: longer cells are cut (csv, tsv and json keep everything)


# ------------------------------------------------------------------------------------------ formatting

PUBLIC = "public/"  # `kg query public/NAME` runs kg/query/rq/public/NAME.rq

def compact(value: Any) -> Any:
    """A table cell that is an IRI as a prefixed name (claim:x, c:mri) when a project prefix covers it;
    anything else unchanged."""
    return compact_iri(value) if isinstance(value, str) else value


def _plain(value: Any) -> Any:
    """A DataFrame cell as a JSON-ready Python value (pd.NA and NaN become None, numpy scalars Python ones)."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def format_frame(frame: pd.DataFrame, fmt: str) -> str:
    """A query result in one of OUTPUT_FORMATS."""
    if fmt == "csv":
        return str(frame.to_csv(index=False, lineterminator="\n"))
    if fmt == "tsv":
        return str(frame.to_csv(index=False, sep="\t", lineterminator="\n"))
    records = [{c: _plain(v) for c, v in zip(frame.columns, row, strict=True)} for row in frame.itertuples(index=False)]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if not records:
        return "(no rows)\n"
    shown = frame.astype(object).map(lambda v: _cut(compact(_plain(v))))
    return str(shown.to_string(index=False)) + "\n"


def _cut(value: Any) -> Any:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def format_user_result(result: UserQueryResult, fmt: str) -> str:
    """An ad-hoc query's result: rows like a named query's, ASK as true/false, CONSTRUCT as N-Triples
    (JSON-LD with --format json)."""
    if result.kind == "ask":
        answer = "true" if result.boolean else "false"
        return json.dumps({"boolean": bool(result.boolean)}) + "\n" if fmt == "json" else (
            answer + "\n" if fmt == "table" else f"result\n{answer}\n")
    if result.kind in ("construct", "describe"):
        if fmt != "json":
            return result.graph_nt or ""
        import rdflib

        graph = rdflib.Graph()
        if result.graph_nt:
            graph.parse(data=result.graph_nt, format="nt")
        return str(graph.serialize(format="json-ld")) + "\n"
    from kg.query.named import typed_frame

    return format_frame(typed_frame(result.rows, result.columns), fmt)


def parse_param_options(values: tuple[str, ...]) -> dict[str, str]:
    """--param key=value options as a dict; a value may itself contain '='."""
    params: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"--param takes key=value, not '{item}'")
        params[key.strip()] = value
    return params


def _write_stdout(data: bytes) -> None:
    """Bytes to stdout as they are (click 8.5 deprecates get_binary_stream; sys.stdout.buffer is the same)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stdout (some notebooks): every export format is UTF-8 text
        sys.stdout.write(data.decode("utf-8"))
    else:
        buffer.write(data)
        buffer.flush()


def _run_adhoc(sources: DataSources, text: str, fmt: str, timeout: float | None, max_rows: int | None) -> None:
    """Ad-hoc SPARQL through kg.query.guard: read-only, time-limited, row-capped."""
    from dataclasses import replace

    from kg.query.guard.policy import QueryError, QueryLimits

    limits = QueryLimits()
    limits = replace(limits, timeout_s=timeout if timeout is not None else limits.timeout_s,
                     max_rows=max_rows if max_rows is not None else limits.max_rows)
    try:
        result = load_graph(sources).run_user_query(text, limits)
    except QueryError as exc:
        fail(f"Error: {exc}")
    click.echo(format_user_result(result, fmt), nl=False)
    if result.truncated:
        click.echo(f"note: only the first {len(result.rows)} rows are shown (--max-rows)", err=True)


# ------------------------------------------------------------------------------------------ commands

@click.command("queries")
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for reading, json for programs.")
def queries_command(sources: DataSources, fmt: str) -> None:
    """List the named queries with their parameters.

    Takes --data/--bib/--claims like every command, so scripts can pass them throughout; the list itself
    comes from kg/queries and does not depend on the data.
    """
    from kg.query.named import NamedQuery, list_queries, public_queries

    found = list_queries()
    public = [NamedQuery(PUBLIC + q.name, q.title, q.description, q.params, q.columns, q.text, q.path)
              for q in public_queries()]
    if fmt == "json":
        click.echo(json.dumps([
            {"name": q.name, "title": q.title, "description": q.description, "columns": list(q.columns),
             "params": [{"name": p.name, "type": p.type, "default": p.default, "help": p.help} for p in q.params]}
            for q in found + public], ensure_ascii=False, indent=2))
        return
    width = max(len(q.name) for q in found + public)
    for title, group in (("", found), ("\nThe same questions in public vocabularies only (no project terms):", public)):
        if title:
            click.echo(title)
        for q in group:
            click.echo(f"{q.name:<{width}}  {q.title}")
            for p in q.params:
                click.echo(f"{'':<{width}}    --param {p.describe()}")
    click.echo("\nRun one with: kg query NAME [--param key=value]; see its columns with kg queries --format json.")


@click.command("query")
@data_options
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the named query (repeat for several). An empty value means 'any'.")
@click.option("--file", "-f", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Run the SPARQL in this file instead of a named query.")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table", show_default=True,
              help="Output format.")
@click.option("--timeout", type=float, default=None,
              help="Time limit in seconds for ad-hoc SPARQL (default: kg.query.guard.QueryLimits).")
@click.option("--max-rows", type=int, default=None,
              help="Row cap for ad-hoc SPARQL (default: kg.query.guard.QueryLimits).")
def query_command(sources: DataSources, name: str | None, params: tuple[str, ...], query_file: Path | None,
                  fmt: str, timeout: float | None, max_rows: int | None) -> None:
    """Run a named query (see `kg queries`), or ad-hoc SPARQL from --file or from stdin (NAME '-').

    Ad-hoc SPARQL is read-only, time-limited and row-capped (kg.query.guard); the project prefixes are
    predeclared. A syntax error is reported with its line and column, and the exit status is 1.
    """
    if (name is None) == (query_file is None):
        raise click.UsageError("give a query NAME, '-' to read SPARQL from stdin, or --file Q.rq")
    if name == "-" or query_file is not None:
        if params:
            raise click.UsageError("--param works with named queries only; write the values into the SPARQL")
        text = query_file.read_text(encoding="utf-8") if query_file else sys.stdin.read()
        _run_adhoc(sources, text, fmt, timeout, max_rows)
        return
    assert name is not None
    from kg.query.named import NamedQueryError, get_query, public_queries, run_named, run_public

    try:
        if name.startswith(PUBLIC):  # a question in public vocabularies (kg/query/rq/public/)
            public = name.removeprefix(PUBLIC)
            if public not in {q.name for q in public_queries()}:
                raise NamedQueryError(f"no public query named '{public}'; known: "
                                      f"{', '.join(PUBLIC + q.name for q in public_queries())}")
            frame = run_public(load_graph(sources), public, parse_param_options(params))
        else:
            get_query(name)  # fail on a bad name before paying for the load
            frame = run_named(load_graph(sources), name, parse_param_options(params))
    except NamedQueryError as exc:
        fail(f"Error: {exc}")
    click.echo(format_frame(frame, fmt), nl=False)


@click.command("export")
@data_options
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "graphml", "bib", "csv"]),
              default=None, help="Output format (default: from the --output extension).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (atomically); without it the export goes to stdout.")
def export_command(sources: DataSources, fmt: str | None, output: Path | None) -> None:
    """Export the graph as RDF (ttl, nt, jsonld), GraphML, BibTeX, or the flat evidence table (csv)."""
    from kg.export.exporter import EXTENSIONS, export_bytes
    from kg.export.exporter import export as write_export

    if fmt is None:
        by_extension = {ext: f for f, ext in EXTENSIONS.items()}
        fmt = by_extension.get(output.suffix.lower()) if output is not None else None
        if fmt is None:
            raise click.UsageError("give --format (ttl, nt, jsonld, graphml, bib or csv), "
                                   "or an --output name ending in one of those extensions")
    kg = load_graph(sources)
    if output is None:
        _write_stdout(export_bytes(kg, fmt))
        return
    write_export(kg, fmt, output)
    click.echo(f"Wrote {output} ({fmt}, {output.stat().st_size} bytes)", err=True)


@click.command("stats")
@data_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table for reading, json for programs.")
def stats_command(sources: DataSources, fmt: str) -> None:
    """Counts by kind, coverage of the curation, and the contested claims."""
    from kg.query.named import run_named

    kg = load_graph(sources)
    sections = {"counts": run_named(kg, "graph_counts"), "coverage": run_named(kg, "graph_coverage"),
                "contested": run_named(kg, "contested_claims")}
    if fmt == "json":
        click.echo(json.dumps({k: json.loads(format_frame(v, "json")) for k, v in sections.items()},
                              ensure_ascii=False, indent=2))
        return
    click.echo("What the graph holds")
    for kind, count in zip(sections["counts"]["kind"], sections["counts"]["count"], strict=True):
        click.echo(f"  {kind:<22}{count:>6}")
    click.echo("\nCoverage")
    coverage = sections["coverage"]
    for measure, count, total in zip(coverage["measure"], coverage["count"], map(_plain, coverage["total"]), strict=True):
        share = f" of {total} ({100 * count / total:.0f}%)" if total else ""
        click.echo(f"  {measure:<32}{count:>6}{share}")
    contested = sections["contested"]
    click.echo(f"\nContested claims ({len(contested)})")
    for row in contested.itertuples(index=False):
        click.echo(f"  {compact(row.claim)}: {row.supporting} for ({row.supported_by}), "
                   f"{row.contradicting} against ({row.contradicted_by}), {row.qualifying} qualifying")
