"""`kg curate …` (checked writes to claims.ttl, one record per command or a batch of JSON lines) and `kg history`."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import click
import pyoxigraph as ox

from kg.cli.options import data_options, fail, load_graph, settings
from kg.curate import (
    MEASURES,
    NOT_APPLICABLE,
    STANCES,
    TOOLS,
    UNITS,
    Applied,
    Arm,
    Claim,
    Curation,
    DomainJudgement,
    EventCounts,
    EvidenceLine,
    NewConcept,
    Operation,
    Pico,
    Refusal,
    Result,
    RiskOfBias,
    StudyFacts,
    TwoByTwo,
    history,
)
from kg.curate.operations import FieldError, from_dict
from kg.curate.store import update_persistent
from kg.ingest.build import DataSources
from kg.ingest.errors import display_path
from kg.store.persistent import is_current

R = TypeVar("R")
MODES = click.Choice(["add", "edit", "save"])


def change_options(default_mode: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """--data/--bib/--claims, --curator, --mode and --diff, shared by every `kg curate` command."""

    def decorate(func: Callable[..., R]) -> Callable[..., R]:
        @data_options
        @click.option("--curator", envvar="KG_CURATOR", required=True,
                      help="Your name, written as prov:wasAttributedTo on every record you change (env KG_CURATOR).")
        @click.option("--mode", type=MODES, default=default_mode, show_default=True,
                      help="add: a new record (refused if it exists); edit: an existing one (refused if it is gone); "
                           "save: either.")
        @click.option("--diff/--no-diff", "show_diff", default=False, help="Print the change to claims.ttl as a diff.")
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            return func(*args, **kwargs)

        return wrapper

    return decorate


def _curation(curator: str, sources: DataSources) -> Curation:
    """With `kg --store DIR` built from these files, changes are checked against that store (kg.curate.local);
    otherwise by building the candidate file."""
    store = settings().store
    if store is not None and is_current(store, sources):
        return Curation(curator, sources, context=ox.Store.read_only(str(store)))
    return Curation(curator, sources)


def _run(sources: DataSources, curator: str, op: Operation | None, mode: str, show_diff: bool,
         delete: str | None = None) -> Applied:
    """Apply one change, print what happened (or the refusal, by field, and exit 1)."""
    cur = _curation(curator, sources)
    try:
        applied = cur.delete(delete) if delete else getattr(cur, mode)(op)
    except Refusal as refusal:
        lines = [f"refused: nothing written to {display_path(sources.claims)}"]
        lines += [f"  {name}: {message}" for name, messages in refusal.messages.items() for message in messages]
        if delete and "iri" in refusal.messages:
            try:
                orphans = cur.orphans_of(delete)
            except Refusal:
                orphans = []
            lines += [f"  would orphan: {o}" for o in orphans]
        fail("\n".join(lines))
    _report(applied, sources, show_diff)
    return applied


def _report(applied: Applied, sources: DataSources, show_diff: bool) -> None:
    from kg.model.namespace import compact

    names = ", ".join(compact(r) for r in applied.records)
    click.echo(f"{applied.action}: {names} ({display_path(sources.claims)}, by {applied.curator} at {applied.at})")
    if show_diff:
        click.echo(applied.diff, nl=False)
    group = settings()
    if group.endpoint:
        _report_remote(applied, sources, group.endpoint, group.graph)
    store = group.store
    if store is not None:
        update = update_persistent(store, sources, applied.before_bytes, applied.after_bytes, applied.records)
        if update.updated:
            click.echo(f"store {store}: -{update.removed} +{update.added} triples in {update.seconds:.2f} s (no rebuild)")
        else:
            click.echo(f"store {store}: {update.reason}")


def _report_remote(applied: Applied, sources: DataSources, endpoint: str, graph: str | None) -> None:
    """With `kg --endpoint URL`: send the change to that remote graph when it takes SPARQL Update."""
    from kg.curate.remote import accepts_updates, apply_remote
    from kg.store.remote import RemoteBackend, RemoteError

    backend = RemoteBackend.from_env(endpoint, graph=graph)
    assert backend is not None
    if not accepts_updates(backend):
        click.echo(f"remote {endpoint}: does not take SPARQL Update; run `kg push` to send it the changed data")
        return
    try:
        update = apply_remote(backend, applied, sources)
    except RemoteError as exc:
        fail(f"written to {display_path(sources.claims)}, but the remote store refused the update: {exc}; "
             "run `kg push`")
    click.echo(f"remote <{update.graph or 'default graph'}>: -{update.removed} +{update.added} triples "
               f"in {update.seconds:.2f} s (no push)")


def _tuple(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v for v in values if v.strip())


def _counts(text: str | None, option: str) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        events, total = (int(x) for x in text.split("/"))
    except ValueError:
        fail(f"{option}: give events/total, e.g. 11/35")
    return events, total


@click.group()
def curate() -> None:
    """Add, edit and delete curated records in claims.ttl, each checked like `kg validate` before it is written.

    A refused change writes nothing and prints its reasons by field; exit status 1. With `kg --store DIR` the
    change is also applied to that persistent store (no rebuild)."""


@curate.command("study")
@change_options("save")
@click.argument("study")
@click.option("--design", help="A concept of c:study-designs, e.g. c:retrospective-matched-cohort.")
@click.option("--level", help="c:loe-1 .. c:loe-5.")
@click.option("--basis", "level_basis", help="Why this level (the appraisal, in your words).")
@click.option("--size", "sample_size", type=int, help="Sample size (a positive whole number).")
@click.option("--unit", "sample_unit", help="What the sample counts: patients, hips, specimens ...")
def study_command(sources: DataSources, curator: str, mode: str, show_diff: bool, study: str, **fields: Any) -> None:
    """A study's design, level of evidence and sample size (STUDY: its BibTeX key)."""
    _run(sources, curator, StudyFacts(study=study, **fields), mode, show_diff)


@curate.command("pico")
@change_options("save")
@click.argument("study")
@click.option("--label", required=True, help="One line naming the frame.")
@click.option("--frame", help="The frame's name (pf:NAME; default: the study's key).")
@click.option("--population", required=True, help="The population, in your words.")
@click.option("--condition", multiple=True, help="A condition or target condition concept (repeatable).")
@click.option("--participants", type=int, help="Number of participants.")
@click.option("--intervention", required=True, help="The intervention or index test, in your words.")
@click.option("--intervention-concept", multiple=True, help="Its concept (repeatable).")
@click.option("--comparator", help="The comparator or reference standard, in your words.")
@click.option("--comparator-concept", multiple=True, help="Its concept (repeatable).")
@click.option("--outcomes", required=True, help="The outcomes, in your words.")
@click.option("--outcome-concept", multiple=True, help="An outcome concept (repeatable).")
def pico_command(sources: DataSources, curator: str, mode: str, show_diff: bool, study: str, label: str,
                 frame: str | None, population: str, condition: tuple[str, ...], participants: int | None,
                 intervention: str, intervention_concept: tuple[str, ...], comparator: str | None,
                 comparator_concept: tuple[str, ...], outcomes: str, outcome_concept: tuple[str, ...]) -> None:
    """A study's PICO frame: population, intervention or index test, comparator or reference standard, outcomes."""
    op = Pico(study=study, label=label, frame=frame, participants=participants,
              population=Arm(population, _tuple(condition)), intervention=Arm(intervention, _tuple(intervention_concept)),
              comparator=Arm(comparator, _tuple(comparator_concept)) if comparator or comparator_concept else None,
              outcomes=Arm(outcomes, _tuple(outcome_concept)))
    _run(sources, curator, op, mode, show_diff)


@curate.command("concept")
@change_options("add")
@click.argument("name")
@click.option("--label", required=True, help="Preferred label.")
@click.option("--scheme", required=True, help="c:interventions, c:diagnostic-tests, c:conditions, c:outcomes, ...")
@click.option("--synonym", multiple=True, help="A synonym (repeatable).")
@click.option("--broader", help="The broader concept.")
@click.option("--definition", help="A one-sentence definition.")
def concept_command(sources: DataSources, curator: str, mode: str, show_diff: bool, name: str, label: str,
                    scheme: str, synonym: tuple[str, ...], broader: str | None, definition: str | None) -> None:
    """A new concept (NAME: c:slug), deliberately added to a concept scheme."""
    op = NewConcept(name=name, label=label, scheme=scheme, synonyms=_tuple(synonym), broader=broader, definition=definition)
    _run(sources, curator, op, mode, show_diff)


@curate.command("claim")
@change_options("add")
@click.argument("name")
@click.option("--label", required=True, help="A short label.")
@click.option("--statement", required=True, help="The claim in your own words.")
@click.option("--source", "sources_", multiple=True, required=True, help="BibTeX key it was taken from (repeatable).")
@click.option("--section", required=True, help="The section of the source.")
@click.option("--subject", multiple=True, help="A concept the claim is about (repeatable).")
@click.option("--asserted-by", multiple=True, help="A source article that states it itself (repeatable).")
def claim_command(sources: DataSources, curator: str, mode: str, show_diff: bool, name: str, label: str,
                  statement: str, sources_: tuple[str, ...], section: str, subject: tuple[str, ...],
                  asserted_by: tuple[str, ...]) -> None:
    """A claim (NAME: claim:slug) with its source and section."""
    op = Claim(name=name, label=label, statement=statement, sources=_tuple(sources_), section=section,
               subjects=_tuple(subject), asserted_by=_tuple(asserted_by))
    _run(sources, curator, op, mode, show_diff)


@curate.command("evidence")
@change_options("add")
@click.option("--study", required=True, help="The study's BibTeX key.")
@click.option("--claim", default="", help="The claim (claim:slug); leave out with --new-claim.")
@click.option("--stance", required=True, type=click.Choice(list(STANCES)), help="The study's stance on the claim.")
@click.option("--section", required=True, help="The section of the study the stance rests on.")
@click.option("--rationale", required=True, help="Why the stance holds, in your words.")
@click.option("--pico", help="The PICO frame (pf:NAME; default pf:STUDYKEY).")
@click.option("--follow-up", help="Follow-up, e.g. '1 year'.")
@click.option("--result", "results", multiple=True, help="A result the line rests on (res:NAME, repeatable).")
@click.option("--name", help="The line's name (ev:NAME); default STUDYKEY--CLAIM.")
@click.option("--new-claim", help="Name of a new claim (claim:slug) to add with the line.")
@click.option("--new-claim-label", help="The new claim's label.")
@click.option("--new-claim-statement", help="The new claim in your own words.")
@click.option("--new-claim-source", multiple=True, help="Where the new claim was taken from (BibTeX key; default the study).")
@click.option("--new-claim-section", help="The section of that source.")
def evidence_command(sources: DataSources, curator: str, mode: str, show_diff: bool, study: str, claim: str,
                     stance: str, section: str, rationale: str, pico: str | None, follow_up: str | None,
                     results: tuple[str, ...], name: str | None, new_claim: str | None, new_claim_label: str | None,
                     new_claim_statement: str | None, new_claim_source: tuple[str, ...],
                     new_claim_section: str | None) -> None:
    """An evidence line: one study's stance on one claim (existing, or a new one with --new-claim)."""
    fresh = None
    if new_claim:
        fresh = Claim(name=new_claim, label=new_claim_label or "", statement=new_claim_statement or "",
                      sources=_tuple(new_claim_source) or (study,), section=new_claim_section or section)
        claim = claim or ""
    elif not claim:
        fail("give --claim, or --new-claim with its label and statement")
    op = EvidenceLine(study=study, claim=claim, stance=stance, section=section, rationale=rationale, pico=pico,
                      follow_up=follow_up, results=_tuple(results), new_claim=fresh, name=name)
    _run(sources, curator, op, mode, show_diff)


@curate.command("result")
@change_options("add")
@click.option("--study", required=True, help="The study's BibTeX key.")
@click.option("--name", required=True, help="The result's name (res:NAME).")
@click.option("--measure", required=True, help=f"One of: {', '.join(MEASURES)}; or a class CURIE.")
@click.option("--value", required=True, help="The value as reported (a percentage as 84.0).")
@click.option("--unit", required=True, help=f"One of: {', '.join(UNITS)}; or a unit CURIE.")
@click.option("--section", required=True, help="The section of the study it comes from.")
@click.option("--label", help="One line saying what was measured.")
@click.option("--interval", nargs=2, help="Lower and upper bound.")
@click.option("--confidence-level", help="The interval's confidence level in percent (95).")
@click.option("--p-value", help="The p-value.")
@click.option("--p-value-relation", type=click.Choice(["=", "<", "<=", ">"]), help="'=' exact, '<' a threshold.")
@click.option("--index-test", help="The index test concept.")
@click.option("--reference-standard", help="The reference standard concept.")
@click.option("--target", "target_conditions", multiple=True, help="A target condition concept (repeatable).")
@click.option("--outcome", help="The outcome concept.")
@click.option("--observer", help="The observer, e.g. 'observer 1'.")
@click.option("--group", help="The group the figure is for.")
@click.option("--compared-with", help="The group it is compared with.")
@click.option("--events", help="Events/total in the group, e.g. 11/35.")
@click.option("--comparator-events", help="Events/total in the group compared with.")
@click.option("--table", help="A 2x2 table as TP,FP,FN,TN.")
@click.option("--note", help="A curation note.")
def result_command(sources: DataSources, curator: str, mode: str, show_diff: bool, events: str | None,
                   comparator_events: str | None, table: str | None, interval: tuple[str, str] | None,
                   target_conditions: tuple[str, ...], **fields: Any) -> None:
    """A measured result: measure, value, unit, interval, p-value, tests or groups, observer, counts."""
    counts = _counts(events, "--events")
    other = _counts(comparator_events, "--comparator-events")
    two = None
    if table:
        try:
            tp, fp, fn, tn = (int(x) for x in table.split(","))
        except ValueError:
            fail("--table: give four whole numbers TP,FP,FN,TN")
        two = TwoByTwo(tp, fp, fn, tn)
    op = Result(interval=tuple(interval) if interval else None, target_conditions=_tuple(target_conditions),  # type: ignore[arg-type]
                events=EventCounts(counts[0], counts[1], other[0] if other else None, other[1] if other else None)
                if counts else None, two_by_two=two, **fields)
    _run(sources, curator, op, mode, show_diff)


@curate.command("rob")
@change_options("save")
@click.argument("study")
@click.option("--tool", required=True, type=click.Choice([*TOOLS, NOT_APPLICABLE], case_sensitive=False),
              help="The tool the study's design calls for (QUADAS-2: diagnostic accuracy; ROBINS-E: non-randomised "
                   "cohort; ROBIS: review), or 'not applicable' with --reason.")
@click.option("--domain", "domains", multiple=True, type=(str, str, str, str),
              metavar="DOMAIN JUDGEMENT REASON SECTION",
              help="One domain of the tool (repeat for each): its name, judgement, reason and the section it rests on.")
@click.option("--applicability", multiple=True, type=(str, str), metavar="DOMAIN CONCERN",
              help="QUADAS-2: a domain's applicability concern (low concern, high concern, no information).")
@click.option("--overall", help="The overall judgement (never better than the worst domain).")
@click.option("--reason", required=True, help="Why the overall judgement, or why no tool applies.")
@click.option("--section", required=True, help="The part of the study's record the assessment rests on.")
@click.option("--name", help="The record's name (rob:NAME); default the study's assessment, else its key.")
def rob_command(sources: DataSources, curator: str, mode: str, show_diff: bool, study: str, tool: str,
                domains: tuple[tuple[str, str, str, str], ...], applicability: tuple[tuple[str, str], ...],
                overall: str | None, reason: str, section: str, name: str | None) -> None:
    """A study's risk-of-bias assessment (STUDY: its BibTeX key), one --domain per domain of the tool."""
    concerns = {d.strip().lower(): c for d, c in applicability}
    known = {d.strip().lower() for d, *_ in domains}
    unmatched = sorted(set(concerns) - known)
    if unmatched:
        fail(f"--applicability {unmatched[0]}: no --domain of that name")
    judged = tuple(DomainJudgement(d, j, r, s, concerns.get(d.strip().lower())) for d, j, r, s in domains)
    op = RiskOfBias(study=study, tool=next((t for t in [*TOOLS, NOT_APPLICABLE] if t.lower() == tool.lower()), tool),
                    domains=judged, overall=overall, reason=reason, section=section, name=name)
    _run(sources, curator, op, mode, show_diff)


@curate.command("delete")
@change_options("edit")
@click.argument("iri")
def delete_command(sources: DataSources, curator: str, mode: str, show_diff: bool, iri: str) -> None:
    """Delete a record (IRI or CURIE such as ev:lee2019--negative-mri-rules-out); refused while others point at it."""
    _run(sources, curator, None, mode, show_diff, delete=iri)


@curate.command("batch")
@change_options("add")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--keep-going", is_flag=True, help="Apply the lines after a refused one (default: stop at it).")
def batch_command(sources: DataSources, curator: str, mode: str, show_diff: bool, file: Any, keep_going: bool) -> None:
    """Apply FILE ('-' for stdin): one JSON object per line, {"op": "result", "mode": "add", ...fields}, with
    op one of study, pico, concept, claim, evidence, result, rob (domains: a list of {"domain", "judgement",
    "reason", "section", "applicability"}), delete ({"op": "delete", "iri": "ev:x--y"}).
    Each line is checked and written on its own; exit 1 if any was refused."""
    cur = _curation(curator, sources)
    refused = 0
    for number, line in enumerate(file, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            kind = str(data.pop("op", ""))
            line_mode = str(data.pop("mode", mode))
            if kind == "delete":
                applied = cur.delete(str(data.get("iri", "")))
            else:
                if line_mode not in ("add", "edit", "save"):
                    raise FieldError("mode", f"'{line_mode}' is not a mode: add, edit or save")
                applied = getattr(cur, line_mode)(from_dict(kind, data))
        except (ValueError, FieldError, Refusal) as exc:
            refused += 1
            messages = exc.messages if isinstance(exc, Refusal) else {getattr(exc, "field", "line"): [str(exc)]}
            click.echo(f"{file.name}:{number}: refused:", err=True)
            for name, texts in messages.items():
                for text in texts:
                    click.echo(f"  {name}: {text}", err=True)
            if not keep_going:
                break
            continue
        click.echo(f"{file.name}:{number}: ", nl=False)
        _report(applied, sources, show_diff)
        if cur.context is not None:
            cur = _curation(curator, sources)  # the store now holds this change: check the next line against it
    if refused:
        fail(f"{refused} change(s) refused; the others were written")


@click.command("history")
@data_options
@click.option("--curator", help="Only this curator's changes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history_command(sources: DataSources, curator: str | None, fmt: str) -> None:
    """Recent curation changes, newest first, from the data's provenance: when, who, which record."""
    from kg.model.namespace import compact

    rows = history(load_graph(sources), curator)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        click.echo("no curation changes recorded (records carry prov:wasAttributedTo once curated)")
    for row in rows:
        click.echo(f"{row['at']}  {row['curator']}  {row['kind'] or '':<14} {compact(str(row['record']))}"
                   + (f"  {row['label']}" if row["label"] else ""))

