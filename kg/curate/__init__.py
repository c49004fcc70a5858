"""Curating the evidence graph: typed, checked writes to claims.ttl, for the app's forms and `kg curate`.

    from kg.curate import Curation, Result, EvidenceLine, Refusal
    cur = Curation(curator="A. Curator")                  # the repository's data/, or Curation(sources=...)
    try:
        applied = cur.add(Result(study="lee2019accuracy", name="lee2019-x", measure="sensitivity",
                                 value=60.0, unit="percent", section="Abstract (results)"))
        print(applied.diff)                               # one hunk, at the end of the results section
    except Refusal as refusal:
        refusal.messages                                  # {"value": ["a sensitivity of 140% is impossible ..."]}

Every change is checked (kg.curate.check: domain rules, then the candidate file built and validated like
`kg validate`), then written under the file's lock (kg.curate.write); `orphans_of` lists what a delete would
leave dangling; `history` lists recent changes from the data's provenance; kg.curate.store applies a change to a
persistent store without rebuilding it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.curate.check import (
    GENERAL,
    Refusal,
    check_candidate,
    domain_messages,
    field_messages,
    problem_key,
    scheme_messages,
    tool_first,
)
from kg.curate.local import local_problems
from kg.curate.operations import (
    MEASURES,
    NOT_APPLICABLE,
    OPERATIONS,
    STANCES,
    TOOLS,
    UNITS,
    Arm,
    Claim,
    DomainJudgement,
    EventCounts,
    EvidenceLine,
    FieldError,
    NewConcept,
    Operation,
    Pico,
    Result,
    RiskOfBias,
    StudyFacts,
    TwoByTwo,
)
from kg.curate.write import Applied, apply, now, plan, resolve
from kg.ingest.build import DataSources, assemble
from kg.model.namespace import PREFIXES, compact
from kg.query.named import internal_query, run_named
from kg.store.embedded import EmbeddedBackend
from kg.store.graph import KnowledgeGraph

__all__ = ["GENERAL", "MEASURES", "NOT_APPLICABLE", "OPERATIONS", "STANCES", "TOOLS", "UNITS", "Applied", "Arm",
           "Claim", "Curation", "DomainJudgement", "EventCounts", "EvidenceLine", "NewConcept", "Operation", "Orphan",
           "Pico", "Refusal", "Result", "RiskOfBias", "StudyFacts", "TwoByTwo", "history", "orphans_of"]


@dataclass(frozen=True)
class Orphan:
    """A record a delete would leave pointing at nothing (or, for `property` None, a claim left without evidence)."""

    record: str  # CURIE or IRI
    property: str | None  # the property that points at the deleted record
    kind: str  # its class, as a CURIE

    def __str__(self) -> str:
        if self.property is None:
            return f"{self.record} would be left without evidence"
        return f"{self.record} ({self.kind}) points at it through {self.property}"


class Curation:
    """Checked writes to one pair of data files by one curator (the name every changed record is attributed to)."""

    def __init__(self, curator: str, sources: DataSources | None = None, context: ox.Store | None = None) -> None:
        """context: a store built from these files (a large persistent store, opened read-only): changes are then
        checked against it (kg.curate.local) instead of by building the candidate file (kg.curate.check)."""
        self.curator = curator
        self.sources = sources or DataSources.resolve()
        self.context = context

    def add(self, op: Operation) -> Applied:
        """Write a new record; refused if it exists (edit it instead) or if any check fails."""
        return apply(self.sources, op, self.curator, mode="add", context=self.context)

    def edit(self, op: Operation) -> Applied:
        """Rewrite an existing record (properties the operation does not manage are kept); refused if it is gone."""
        return apply(self.sources, op, self.curator, mode="edit", context=self.context)

    def save(self, op: Operation) -> Applied:
        """Add the record, or edit it when it exists (a study's facts, a PICO frame)."""
        return apply(self.sources, op, self.curator, mode="save", context=self.context)

    def delete(self, iri: str) -> Applied:
        """Remove the record `iri` (CURIE or IRI); refused while other records still point at it (see orphans_of)."""
        return apply(self.sources, None, self.curator, delete=resolve(iri), context=self.context)

    def check(self, op: Operation) -> dict[str, list[str]]:
        """The messages a save of `op` would be refused with ({} when it would be accepted); writes nothing."""
        try:
            messages = domain_messages(op)
            if messages:
                return tool_first(op, messages, self.sources, self.context)
            current = Path(self.sources.claims).read_bytes()
            existed: list[str] = []
            candidate, records = plan(current, op, "save", self.curator or "check", now(), existed=existed)
        except FieldError as exc:
            return {exc.field: [exc.message]}
        except Refusal as refusal:
            return refusal.messages
        schemes: ox.Store | None
        if self.context is not None:  # as apply checks it: against the store, not by building the candidate
            known = {problem_key(p) for p in local_problems(self.context, current, existed)} if existed else set()
            errors = [p for p in local_problems(self.context, candidate, records) if problem_key(p) not in known]
            schemes = self.context
        else:
            checked = check_candidate(self.sources, candidate.decode("utf-8"), current.decode("utf-8"))
            errors, schemes = checked.errors, checked.store
        messages = field_messages(op, errors, op.extra_records())
        for k, v in scheme_messages(op, schemes).items():
            messages.setdefault(k, []).extend(v)
        return {k: v for k, v in messages.items() if v}

    def graph(self) -> KnowledgeGraph:
        """The graph built from the files as they are now."""
        result = assemble(self.sources)
        return KnowledgeGraph(EmbeddedBackend(result.store), result)

    def orphans_of(self, iri: str, graph: KnowledgeGraph | None = None) -> list[Orphan]:
        """What deleting `iri` would orphan, in `graph` (default: a fresh build of the files)."""
        return orphans_of(resolve(iri), graph or self.graph())


def orphans_of(iri: str, graph: KnowledgeGraph) -> list[Orphan]:
    """The records that point at `iri` (evidence lines at a claim, PICO frame or result) and the claims an
    evidence line is the last evidence of: what a delete of `iri` would leave dangling or unbacked."""
    full = resolve(iri)
    if full.startswith(PREFIXES["ref"]):
        return []  # a study's facts: the paper itself stays (it comes from references.bib)
    target = {"target": ox.NamedNode(full)}
    found = []
    rows = graph.select(internal_query("curate_referrers").text, target)
    for row in rows:
        if row["property"] == PREFIXES["prov"] + "wasDerivedFrom" and not str(row["record"]).startswith(PREFIXES["claim"]):
            continue  # derived by the build from hs:evidenceFrom / hs:resultOf
        found.append(Orphan(compact(str(row["record"])), compact(str(row["property"])),
                            compact(str(row["class"])) if row["class"] else ""))
    for row in graph.select(internal_query("curate_last_evidence").text, target):
        found.append(Orphan(compact(str(row["claim"])), None, "mp:Claim"))
    return found


def history(graph: KnowledgeGraph, curator: str | None = None) -> list[dict[str, object]]:
    """Recent curation changes (the named query curation_history): at, curator, record, kind, label; newest first."""
    frame = run_named(graph, "curation_history", {"curator": curator} if curator else None)
    return [{str(k): (None if v != v else v) for k, v in row.items()} for row in frame.to_dict("records")]
