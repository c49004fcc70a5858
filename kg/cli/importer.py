"""`kg import FILE…`: records from reference managers and PubMed appended to references.bib, deduplicated.

The files are read first (a file that cannot be read at all stops the run before anything is written); then
the plan is made and appended under references.bib's lock, on the file as it is at that moment
(kg.ingest.files.update_text), so a change made meanwhile by someone else is kept; then one line per file goes
to import-log.jsonl beside it. --dry-run plans and reports, and writes nothing.
"""
from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import click

from kg.cli.options import fail
from kg.ingest.errors import InputError, display_path
from kg.ingest.files import update_text
from kg.ingest.importers.record import FileError
from kg.ingest.importers.run import Plan, Source, SourceReport, appended, plan, read_source
from kg.model import paths

LOG_NAME = "import-log.jsonl"
SHOWN = 20  # items of a kind listed per file in the text report; --format json lists all


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--data", "data_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Directory holding references.bib (default: the repository's data/); import-log.jsonl goes beside it.")
@click.option("--dry-run", is_flag=True, help="Read, deduplicate and report; write nothing.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The report's format.")
def import_command(files: tuple[Path, ...], data_dir: Path | None, dry_run: bool, output_format: str) -> None:
    """Import BibTeX/BibLaTeX, RIS, CSL-JSON, PubMed MEDLINE (.nbib) or a pasted Vancouver/AMA reference list
    (FILE '-' reads standard input).

    New records are appended to references.bib as `verification = {unverified}`, `screening = {to screen}`;
    a record with a DOI or PMID already there is reported as a duplicate and not added; a probable duplicate
    (similar title, year and first author) is added with `possible-duplicate-of` for review. Exits 1 when a
    file or a record could not be read (the readable records of a readable file are still imported).
    """
    base = data_dir if data_dir else paths.DEFAULT_DATA_DIR
    bib, log = base / paths.BIB_NAME, base / LOG_NAME
    sources: list[Source] = []
    fatal: list[str] = []
    for path in files:
        try:  # '-' is standard input: a reference list pasted into the terminal, or another tool's output
            sources.append(read_source(path, "stdin", sys.stdin.buffer.read()) if str(path) == "-"
                           else read_source(path, str(path)))
        except FileError as exc:
            fatal.append(f"{exc.problem}")
    if fatal:
        fail("\n".join(f"error: {line}" for line in fatal) + f"\nnothing imported; {display_path(bib)} is unchanged")
    if not any(s.records for s in sources):
        lines = [f"error: {u}" for s in sources for u in s.unreadable]
        fail("\n".join(lines) + f"\nno record could be read; nothing imported; {display_path(bib)} is unchanged")
    today = datetime.date.today().isoformat()
    outcome: list[Plan] = []

    def transform(old: str) -> str:
        outcome.append(plan(sources, old, bib, today))
        return appended(old, outcome[-1].addition)

    try:
        if dry_run:
            transform(bib.read_text(encoding="utf-8") if bib.exists() else "")
        else:
            update_text(bib, transform)
    except InputError as exc:
        fail(f"{exc}\n{display_path(bib)} must be readable before records are added to it; nothing imported")
    except UnicodeDecodeError as exc:
        fail(f"{display_path(bib)}: error: not UTF-8 text ({exc.reason} at byte {exc.start}); nothing imported")
    except OSError as exc:
        fail(f"{display_path(bib)}: error: cannot write ({exc.strerror}); nothing imported, the file is unchanged")
    result = outcome[-1]
    log_error = None
    if not dry_run and result.log_text():
        try:
            update_text(log, lambda old: old + ("" if not old or old.endswith("\n") else "\n") + result.log_text())
        except (OSError, UnicodeDecodeError) as exc:
            log_error = f"{display_path(log)}: error: the import log could not be written ({exc})"
    if output_format == "json":
        click.echo(json.dumps({"target": display_path(bib), "dry_run": dry_run, "date": result.date,
                               "added": result.added, "sources": [r.as_json(result.date) for r in result.reports]},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(render(result, bib, log, dry_run))
    if log_error:
        fail(log_error)
    unreadable = [u for r in result.reports for u in r.unreadable]
    if unreadable:
        click.echo(f"error: {len(unreadable)} record(s) could not be read (listed above); the others were "
                   + ("checked" if dry_run else "imported"), err=True)
        sys.exit(1)


def _more(items: list[str], total: int) -> list[str]:
    return items[:SHOWN] + ([f"    … and {total - SHOWN} more (--format json lists all)"] if total > SHOWN else [])


def _source(report: SourceReport) -> list[str]:
    lines = [f"{report.source} ({report.format}): {report.records} record(s): {len(report.added)} added, "
             f"{len(report.duplicates)} duplicate(s) not added, {len(report.possible_duplicates)} possible "
             f"duplicate(s) added for review, {len(report.unreadable)} unreadable"]
    if report.added:
        more = len(report.added) - SHOWN
        shown = ", ".join(report.added[:SHOWN]) + (f" … and {more} more" if more > 0 else "")
        lines.append(f"  added: {shown}")
    lines += _more([f"  duplicate: record {d['record']} \"{_short(str(d['title']))}\" is {d['matched']} (same {d['by']})"
                    for d in report.duplicates], len(report.duplicates))
    lines += _more([f"  possible duplicate: {p['key']} may be {p['matched']} ({p['how']}): decide, then set duplicate-of "
                    "or remove possible-duplicate-of" for p in report.possible_duplicates], len(report.possible_duplicates))
    lines += _more([f"  unreadable: {u}" for u in report.unreadable], len(report.unreadable))
    if report.unmapped:
        lines.append(f"  kept in references.bib but not in the graph: {', '.join(sorted(report.unmapped))}")
    if report.dropped:
        lines.append(f"  not kept (the exporting tool's own bookkeeping): {', '.join(sorted(report.dropped))}")
    lines += _more([f"  note: {n}" for n in report.notes], len(report.notes))
    return lines


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render(result: Plan, bib: Path, log: Path, dry_run: bool) -> str:
    lines = [line for report in result.reports for line in _source(report)]
    target = display_path(bib)
    if dry_run:
        lines.append(f"Dry run: {result.added} record(s) would be added to {target}; nothing written.")
    else:
        lines.append(f"Added {result.added} record(s) to {target}" + (f"; logged in {display_path(log)}"
                                                                        if result.log_text() else "") + ".")
        if result.added:
            data = display_path(bib.parent)
            lines.append(f"Next: kg build --data {data} && kg validate --data {data}")
    return "\n".join(lines)
