"""Apply a curation change to the claims file: plan it on the current text, check it, write it atomically.

The plan runs inside kg.ingest.files.update_text, on the file as it is at that moment and under its lock: a
change another writer made meanwhile is kept (the operation is re-applied on top of it), and an edit or delete
whose record has gone is refused. A refused change raises before anything is written, so the file stays
byte-identical. Each changed record carries `prov:wasAttributedTo` an inline hs:Curator node (the curator's name) and
`prov:generatedAtTime` (an xsd:dateTime).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal as TypingLiteral

import pyoxigraph as ox
import rdflib
from rdflib import RDFS, XSD, Literal, URIRef

from kg.curate.check import (
    GENERAL,
    Messages,
    Refusal,
    check_candidate,
    domain_messages,
    field_messages,
    problem_key,
    scheme_messages,
    tool_first,
)
from kg.curate.diff import unified
from kg.curate.layout import Edit, Layout
from kg.curate.local import local_problems
from kg.curate.operations import PROV, FieldError, Operation
from kg.curate.turtle import Record, Writer, read_block
from kg.ingest.build import DataSources
from kg.ingest.files import update_bytes
from kg.model.namespace import PREFIXES, expand

CURATOR = PREFIXES["hs"] + "Curator"

Mode = TypingLiteral["add", "edit", "save"]
KEY_FIELD = {"StudyFacts": "study", "Pico": "study", "NewConcept": "name", "Claim": "name",
             "EvidenceLine": "claim", "Result": "name", "RiskOfBias": "study"}


@dataclass
class Applied:
    """An accepted change: what was written where, by whom and when, and the graph that now holds it."""

    action: str  # add | edit | delete
    records: list[str]  # IRIs of the records written or removed
    curator: str
    at: str  # xsd:dateTime
    diff: str  # unified diff of the claims file
    before_bytes: bytes = field(repr=False, default=b"")  # the claims file before and after the change
    after_bytes: bytes = field(repr=False, default=b"")
    store: ox.Store | None = field(repr=False, default=None)  # the validated build of the new file

    @property
    def before(self) -> str:
        """The claims file before the change, as text (a full decode: for small files; a store update takes the
        bytes)."""
        return self.before_bytes.decode("utf-8")

    @property
    def after(self) -> str:
        return self.after_bytes.decode("utf-8")


def now() -> str:
    """The current time as an xsd:dateTime in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def is_curator(node: object) -> bool:
    """True for the inline curator node a change writes ([ a hs:Curator ; rdfs:label "name" ]), or a bare name."""
    return isinstance(node, Literal) or (isinstance(node, Record) and URIRef(CURATOR) in node.types)


def _provenance(record: Record, curator: str, at: str) -> None:
    """Who curated the record and when. The curator is an inline hs:Curator node, never an IRI: a claim's other
    prov:wasAttributedTo values (the paper or article that asserts it) are its origin and are kept."""
    kept: list[tuple[URIRef, list[rdflib.term.Node | Record]]] = []
    for p, objs in record.props:
        if str(p) == PROV + "generatedAtTime":
            continue
        if str(p) == PROV + "wasAttributedTo":
            objs = [o for o in objs if not is_curator(o)]
            if not objs:
                continue
        kept.append((p, objs))
    record.props = kept
    agent = Record(None, [URIRef(CURATOR)], [(RDFS.label, [Literal(curator)])])
    record.add(PROV + "wasAttributedTo", agent)
    record.add(PROV + "generatedAtTime", Literal(at, datatype=XSD.dateTime, normalize=False))


def merge(op: Operation, new: Record, old: Record | None) -> Record:
    """The operation's record, keeping the old record's properties it does not manage (in their old places)."""
    if old is None:
        return new
    # prov:wasAttributedTo is not replaced wholesale: a claim's origin (an IRI) stays; _provenance swaps the curator.
    managed = op.MANAGED | {PROV + "generatedAtTime"}
    if not op.MANAGES_TYPES:
        new.types = list(old.types)
    kept = old.without(managed)
    if not kept:
        return new
    # Unmanaged properties go back where they were: after the managed property that preceded them in the old record.
    out: list[tuple[URIRef, list[rdflib.term.Node | Record]]] = []
    new_by_pred = dict(new.props)
    placed: set[str] = set()
    for p, objs in old.props:
        if str(p) in managed:
            if p in new_by_pred and str(p) not in placed:
                out.append((p, new_by_pred[p]))
                placed.add(str(p))
        else:
            out.append((p, objs))
    for p, objs in new.props:
        if str(p) not in placed:
            out.append((p, objs))
    new.props = out
    return new


def _declare_prefixes(block: str, layout: Layout, edits: list[Edit]) -> bytes:
    """Add @prefix lines for project prefixes a new block uses that the file does not declare yet."""
    missing = [p for p in PREFIXES if p not in layout.prefixes and f" {p}:" in " " + block.replace("\n", " ")]
    if not missing:
        return layout.data
    width = max(len(p) for p in layout.prefixes) + 1 if layout.prefixes else len(max(missing, key=len)) + 1
    added = "".join(f"@prefix {(p + ':').ljust(width)} <{PREFIXES[p]}> .\n" for p in missing)
    text = layout.insert_at(layout.last_prefix_end(), added)
    assert layout.edit is not None
    edits.append(layout.edit)
    return text


def _writer_with(layout: Layout) -> Writer:
    """A writer that knows the file's prefixes and the project's (which _declare_prefixes then adds)."""
    return Writer({**PREFIXES, **layout.prefixes})


def plan(text: bytes, op: Operation, mode: Mode, curator: str, at: str,
         edits: list[Edit] | None = None, existed: list[str] | None = None) -> tuple[bytes, list[str]]:
    """The claims file (its bytes) with `op` applied (its extra records first), and the IRIs it wrote; raises Refusal.
    The edits made are appended to `edits` (for the diff), the IRIs of records that were there to `existed`."""
    written = []
    edits = edits if edits is not None else []
    existed = existed if existed is not None else []
    parts: list[tuple[Operation, Mode]] = [(x, "save") for x in op.extra_records()] + [(op, mode)]
    for part, part_mode in parts:
        text, iri = _plan_one(text, part, part_mode, curator, at, edits, existed)
        written.append(iri)
    return text, written


def _plan_one(text: bytes, op: Operation, mode: Mode, curator: str, at: str, edits: list[Edit],
              existed: list[str]) -> tuple[bytes, str]:
    layout = Layout(text)
    op, existing = op.located(layout)
    key = KEY_FIELD.get(type(op).__name__, GENERAL)
    if mode == "add" and existing is not None:
        raise Refusal({key: [f"{layout.block_text(existing).split()[0]} already exists: edit it instead"]})
    if mode == "edit" and existing is None:
        raise Refusal({GENERAL: [f"<{op.iri}> is no longer in the claims file (deleted by another curator?)"]})
    new = op.record()
    if existing is not None:
        old = read_block(layout.block_text(existing), layout.prefix_block(), op.iri)
        new = merge(op, new, old)
    _provenance(new, curator, at)
    block = _writer_with(layout).block(new)
    if existing is not None:
        existed.append(op.iri)
        text = layout.replace_block(existing, block)
    else:
        pattern, title = op.target_section()
        section = layout.section_for(pattern)
        text = layout.insert_in_section(section, block) if section else layout.append_section(title, block)
    assert layout.edit is not None
    edits.append(layout.edit)
    return _declare_prefixes(block, Layout(text), edits), op.iri


def plan_delete(text: bytes, iri: str, edits: list[Edit] | None = None) -> bytes:
    layout = Layout(text)
    block = layout.block_of(iri)
    if block is None:
        raise Refusal({"iri": [f"<{iri}> is not a record of the claims file (already deleted?)"]})
    # A record may have a second block elsewhere (a claim's question type in the risk-of-bias section): all go.
    while block is not None:
        text = layout.remove_block(block)
        if edits is not None and layout.edit is not None:
            edits.append(layout.edit)
        layout = Layout(text)
        block = layout.block_of(iri)
    return text


def resolve(iri: str) -> str:
    """A CURIE (`ev:x--y`) or <IRI> or IRI as a full IRI."""
    iri = iri.strip()
    if iri.startswith("<") and iri.endswith(">"):
        return iri[1:-1]
    if "://" in iri:
        return iri
    full = expand(iri)
    if full is None:
        raise Refusal({"iri": [f"'{iri}' is neither an IRI nor a CURIE with a known prefix"]})
    return full


def _messages_of(op: Operation, exc: FieldError) -> Messages:
    return {exc.field: [exc.message]}


def apply(sources: DataSources, op: Operation | None, curator: str, *, mode: Mode = "save",
          delete: str | None = None, at: str | None = None, validate: bool = True,
          context: ox.Store | None = None, transform_hook: Callable[[bytes], None] | None = None) -> Applied:
    """Write `op` (or delete the record `delete`) to the claims file after checking it; raise Refusal otherwise.

    context: a store built from the files as they are (a large persistent store): the change is then checked
    against it (kg.curate.local) instead of by a build of the candidate file.

    transform_hook: called with the current file (bytes) inside the lock, before planning (tests use it to interleave
    writers)."""
    if not curator or not curator.strip():
        raise Refusal({"curator": ["name the curator (set once per session)"]})
    at = at or now()
    if op is not None:
        try:
            messages = domain_messages(op)
            op.record()  # a value that cannot be read at all is refused here, by field
            for extra in op.extra_records():
                extra.record()
        except FieldError as exc:
            raise Refusal(tool_first(op, _messages_of(op, exc), sources, context)) from None
        if messages:
            raise Refusal(tool_first(op, messages, sources, context))
    before: list[bytes] = []
    written: list[str] = []
    built: list[ox.Store | None] = []
    edits: list[Edit] = []
    existed: list[str] = []

    def transform(current: bytes) -> bytes:
        if transform_hook is not None:
            transform_hook(current)
        edits.clear()  # the transform may run again on a newer file
        existed.clear()
        if op is not None:
            candidate, records = plan(current, op, mode, curator.strip(), at, edits, existed)
        else:
            assert delete is not None
            candidate, records = plan_delete(current, delete, edits), [delete]
            existed.append(delete)
        store: ox.Store | None = None
        schemes: ox.Store | None
        if validate:
            if context is not None:
                # What the records that were there already had wrong does not count against the change.
                known = {problem_key(p) for p in local_problems(context, current, existed)} if existed else set()
                found = local_problems(context, candidate, records)
                errors, schemes = [p for p in found if problem_key(p) not in known], context
            else:
                # A full build of the candidate: the small-file path, where decoding the text costs nothing.
                checked = check_candidate(sources, candidate.decode("utf-8"), current.decode("utf-8"))
                errors, schemes = checked.errors, checked.store
                store = checked.store
            if op is not None:
                problems = field_messages(op, errors, op.extra_records())
                for k, v in scheme_messages(op, schemes).items():
                    problems.setdefault(k, []).extend(v)
            else:
                problems = {"iri": [f"{p.record}: {p.message}" if p.record else p.message for p in errors]}
            if any(problems.values()):
                raise Refusal(problems)
        before[:], written[:], built[:] = [current], records, [store]
        return candidate

    after = update_bytes(sources.claims, transform)
    action = "delete" if op is None else ("edit" if written[-1] in existed else "add")
    return Applied(action, written, curator.strip(), at, unified(before[0], edits), before[0], after, built[0])
