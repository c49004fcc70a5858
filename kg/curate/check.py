"""Checks before a write: the domain rules of each operation, then the candidate file built and validated.

A change is refused with a `Refusal` whose messages are keyed by the operation's field names (`{"interval":
["the interval 90.0 to 95.0 does not contain the value 97.0"]}`), so a form shows each one beside its field.
The candidate check is `kg validate`'s own: the candidate claims file is assembled with the references
(kg.ingest.build.assemble: parse, integrity checks) and run through the SHACL shapes (kg.quality.validate); only
problems the current file does not already have count against the change.
"""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from kg.appraisal.grade import DESIGN_ROOTS  # the rating's own mapping, so curation and rating agree
from kg.curate.operations import (
    JUDGEMENT_RANK,
    P_RELATIONS,
    PROPORTIONS,
    RATIOS,
    SCHEMES,
    TOOL_FOR_DESIGN,
    TOOLS,
    UNITS,
    Operation,
    Result,
    RiskOfBias,
    StudyFacts,
    applicability_name,
    concept,
    domain_iri,
    judgement_name,
    study_key,
    tool_named,
)
from kg.ingest.build import DataSources, assemble
from kg.ingest.errors import InputError, Problem
from kg.model.namespace import PREFIXES, compact, expand
from kg.quality.validate import shacl_stage

Messages = dict[str, list[str]]
GENERAL = "record"  # the key of a message that concerns no one field


class Refusal(Exception):
    """A change that was not written, with its reasons keyed by field (GENERAL for the record as a whole)."""

    def __init__(self, messages: Messages) -> None:
        self.messages = {k: list(v) for k, v in messages.items() if v}
        super().__init__("; ".join(f"{k}: {m}" for k, ms in self.messages.items() for m in ms))

    def __str__(self) -> str:
        return "\n".join(f"{k}: {m}" for k, ms in self.messages.items() for m in ms)


def _add(messages: Messages, field: str, text: str) -> None:
    messages.setdefault(field, [])
    if text not in messages[field]:
        messages[field].append(text)


# ---- domain rules ------------------------------------------------------------------------------------------

def domain_messages(op: Operation) -> Messages:
    """What an operation's values say is wrong before any graph is built (numbers, ranges, names)."""
    messages: Messages = {}
    if isinstance(op, Result):
        _result_rules(op, messages)
    elif isinstance(op, RiskOfBias):
        _rob_rules(op, messages)
    elif isinstance(op, StudyFacts):
        if op.sample_size is not None and (not isinstance(op.sample_size, int) or op.sample_size < 1):
            _add(messages, "sample_size", f"sample size must be a positive whole number, not {op.sample_size!r}")
        if op.sample_size is not None and not (op.sample_unit or "").strip():
            _add(messages, "sample_unit", "say what the sample counts (patients, hips, specimens ...)")
    for extra in op.extra_records():
        for field, texts in domain_messages(extra).items():
            for text in texts:
                _add(messages, f"new_claim.{field}", text)
    return messages


def _result_rules(op: Result, messages: Messages) -> None:
    n = op.numbers()
    value, lower, upper = n["value"], n["lower"], n["upper"]
    assert value is not None
    measure = op.measure.strip().lower()
    unit = UNITS.get(op.unit.strip().lower(), "")
    if (lower is None) != (upper is None):
        _add(messages, "interval", "give both ends of the interval, or neither")
    if lower is not None and upper is not None:
        if lower > upper:
            _add(messages, "interval", f"the lower bound {lower} is above the upper bound {upper}")
        elif not lower <= value <= upper:
            _add(messages, "interval", f"the interval {lower} to {upper} does not contain the value {value}")
    if measure in PROPORTIONS:
        top = Decimal(100) if unit.endswith("PERCENT") else Decimal(1) if unit.endswith("FRACTION") else None
        if top is not None:
            shown = "%" if top == 100 else ""
            for name, number in (("value", value), ("interval", lower), ("interval", upper)):
                if number is not None and not 0 <= number <= top:
                    _add(messages, name, f"a {measure} of {number}{shown} is impossible: it must lie between 0 and {top}{shown}")
    if measure in RATIOS:
        for name, number in (("value", value), ("interval", lower), ("interval", upper)):
            if number is not None and number <= 0:
                _add(messages, name, f"an {measure} must be above 0, not {number}" if measure[0] in "aeiou"
                     else f"a {measure} must be above 0, not {number}")
    p = n["p_value"]
    if p is not None and not 0 <= p <= 1:
        _add(messages, "p_value", f"a p-value lies between 0 and 1, not {p}")
    if op.p_value_relation is not None and op.p_value_relation.strip() not in P_RELATIONS:
        _add(messages, "p_value_relation", f"use one of {' '.join(P_RELATIONS)}")
    if op.p_value_relation and p is None:
        _add(messages, "p_value", "a relation without a p-value")
    level = n["confidence_level"]
    if level is not None and not 0 < level < 100:
        _add(messages, "confidence_level", f"a confidence level is a percentage above 0 and below 100, not {level}")
    if level is not None and lower is None:
        _add(messages, "interval", "a confidence level without an interval")
    if op.events is not None:
        e = op.events
        pairs: list[tuple[int | None, int | None]] = [(e.events, e.total)]
        if e.comparator_events is not None or e.comparator_total is not None:
            pairs.append((e.comparator_events, e.comparator_total))
        for events, total in pairs:
            if events is None or total is None:
                _add(messages, "events", "give both the events and the number in the group")
            elif events < 0 or total < 1:
                _add(messages, "events", "counts must be whole numbers: events 0 or more, group size 1 or more")
            elif events > total:
                _add(messages, "events", f"{events} events cannot happen in a group of {total}")
    if op.two_by_two is not None:
        _two_by_two_rules(op, measure, value, unit, messages)


def _rob_rules(op: RiskOfBias, messages: Messages) -> None:
    """The tool's own rules: each of its domains once, its scale, the overall no better than the worst domain."""
    if not op.reason.strip():
        _add(messages, "reason", "say why: the reason for the overall judgement, or why no tool applies")
    if not op.section.strip():
        _add(messages, "section", "name the part of the study's record the assessment rests on")
    if op.not_applicable():
        if op.domains:
            _add(messages, "domains", "an assessment saying no tool applies has no domain judgements")
        if op.overall:
            _add(messages, "overall", "an assessment saying no tool applies has no overall judgement")
        return
    tool = tool_named(op.tool)
    if tool is None:
        _add(messages, "tool", f"'{op.tool}' is not a tool: use one of {', '.join(TOOLS)}, or 'not applicable'")
        return
    seen: dict[str, int] = {}
    worst: tuple[int, str] | None = None
    for k, d in enumerate(op.domains):
        iri = domain_iri(tool, d.domain)
        if iri is None:
            _add(messages, f"domains[{k}].domain", f"'{d.domain}' is not a {tool.name} domain: use one of "
                 f"{', '.join(label for label, _ in tool.domains)}")
        elif iri in seen:
            _add(messages, f"domains[{k}].domain", f"{d.domain} is judged twice (also domains[{seen[iri]}])")
        else:
            seen[iri] = k
        judgement = judgement_name(d.judgement)
        if judgement not in tool.scale:
            _add(messages, f"domains[{k}].judgement", f"'{d.judgement}' is not on {tool.name}'s scale: use one of "
                 f"{', '.join(tool.scale)}")
        elif worst is None or JUDGEMENT_RANK[judgement] > worst[0]:
            worst = (JUDGEMENT_RANK[judgement], judgement)
        concern = (d.applicability or "").strip()
        if concern and (iri is None or iri not in tool.applicability):
            _add(messages, f"domains[{k}].applicability",
                 "applicability concerns belong to QUADAS-2's patient selection, index test and reference standard")
        elif concern and not applicability_name(concern):
            _add(messages, f"domains[{k}].applicability", f"'{concern}' is not a concern: use low concern, "
                 "high concern or no information")
        elif iri is not None and iri in tool.applicability and not concern:
            _add(messages, f"domains[{k}].applicability", f"QUADAS-2 asks for the applicability concern of {d.domain}")
        if len(d.reason.strip()) < 10:
            _add(messages, f"domains[{k}].reason", "give the reason for the judgement, in your words")
        if not d.section.strip():
            _add(messages, f"domains[{k}].section", "name the part of the study's record the judgement rests on")
    missing = [label for label, iri in tool.domains if iri not in seen]
    if missing:
        _add(messages, "domains", f"{tool.name} judges every one of its {len(tool.domains)} domains: "
             f"missing {', '.join(missing)}")
    overall = judgement_name(op.overall or "")
    if not (op.overall or "").strip():
        _add(messages, "overall", "give the overall judgement")
    elif overall not in tool.scale:
        _add(messages, "overall", f"'{op.overall}' is not on {tool.name}'s scale: use one of {', '.join(tool.scale)}")
    elif worst is not None and JUDGEMENT_RANK[overall] < worst[0]:
        _add(messages, "overall", f"the overall judgement cannot be better than the worst domain: "
             f"{overall} is better than {worst[1]}")


def _two_by_two_rules(op: Result, measure: str, value: Decimal, unit: str, messages: Messages) -> None:
    t = op.two_by_two
    assert t is not None
    cells = (t.true_positives, t.false_positives, t.false_negatives, t.true_negatives)
    if any(c < 0 for c in cells):
        _add(messages, "two_by_two", "the cells of a 2×2 table are counts: 0 or more")
        return
    ratio = {"sensitivity": (t.true_positives, t.true_positives + t.false_negatives),
             "specificity": (t.true_negatives, t.true_negatives + t.false_positives),
             "accuracy": (t.true_positives + t.true_negatives, sum(cells)),
             "positive predictive value": (t.true_positives, t.true_positives + t.false_positives)}.get(measure)
    if ratio is None or ratio[1] == 0 or not (unit.endswith("PERCENT") or unit.endswith("FRACTION")):
        return
    scale = Decimal(100) if unit.endswith("PERCENT") else Decimal(1)
    implied = Decimal(ratio[0]) / Decimal(ratio[1]) * scale
    if abs(implied - value) > scale / 100:  # a reported figure is rounded; one point (0.01) is the tolerance
        _add(messages, "two_by_two", f"the table gives a {measure} of {implied:.1f}{'%' if scale == 100 else ''}, "
             f"not {value}")


# ---- the candidate graph -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """What the candidate file's build found: its new errors (against the current file's) and its store."""

    errors: list[Problem]
    store: ox.Store | None


_BASELINE: dict[tuple[str, str], frozenset[tuple[str, str | None, str | None]]] = {}


def problem_key(p: Problem) -> tuple[str, str | None, str | None]:
    return (p.message, p.record, p.prop)


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def problems_of(sources: DataSources, shacl: bool = True) -> tuple[list[Problem], ox.Store | None]:
    """Every error `kg validate` reports for these files (build problems, then SHACL), and the built store."""
    try:
        result = assemble(sources)
    except InputError as exc:
        return [p for p in exc.problems if p.severity == "error"], None
    problems = list(result.problems)
    if shacl:
        problems += shacl_stage(result.store, sources, result.records)
    return [p for p in problems if p.severity == "error"], result.store


def _remember(key: tuple[str, str], errors: list[Problem]) -> frozenset[tuple[str, str | None, str | None]]:
    if len(_BASELINE) > 8:  # a session edits one pair of files; keep the last few states
        _BASELINE.pop(next(iter(_BASELINE)))
    _BASELINE[key] = frozenset(problem_key(p) for p in errors)
    return _BASELINE[key]


def baseline(sources: DataSources, claims_text: str) -> frozenset[tuple[str, str | None, str | None]]:
    """The errors of the files as they are (cached by their digests): a change is judged only on what it adds.
    A candidate that was checked is remembered too, so the next change on the file it became costs one build."""
    key = (_file_digest(sources.bib), _text_digest(claims_text))
    if key not in _BASELINE:
        with tempfile.TemporaryDirectory(prefix="kg-curate-") as tmp:
            current = Path(tmp) / Path(sources.claims).name
            current.write_text(claims_text, encoding="utf-8")
            _remember(key, problems_of(DataSources(sources.bib, current))[0])
    return _BASELINE[key]


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_candidate(sources: DataSources, candidate_text: str, current_text: str) -> Candidate:
    """Build and validate `candidate_text` as the claims file beside the same references.bib."""
    known = baseline(sources, current_text)
    with tempfile.TemporaryDirectory(prefix="kg-curate-") as tmp:
        path = Path(tmp) / Path(sources.claims).name
        path.write_text(candidate_text, encoding="utf-8")
        errors, store = problems_of(DataSources(sources.bib, path))
    _remember((_file_digest(sources.bib), _text_digest(candidate_text)), errors)
    return Candidate([p for p in errors if problem_key(p) not in known], store)


def field_messages(op: Operation, problems: Iterable[Problem], extra: Iterable[Operation] = ()) -> Messages:
    """Each problem keyed to the field of `op` it concerns (by property, then by the node it names)."""
    messages: Messages = {}
    refs = {}
    for other in extra:
        refs.update({iri: f"new_claim.{f}" for iri, f in other.references().items()})
    refs.update(op.references())
    key = study_key(getattr(op, "study", "") or "x") if getattr(op, "study", None) else None
    for p in problems:
        record_iri = expand(p.record) if p.record and ":" in p.record else None
        prop_iri = expand(p.prop) if p.prop and not p.prop.startswith("^") else None
        own = record_iri in (op.iri, None) or (key is not None and p.record == key)
        field = None
        if own and prop_iri and prop_iri in op.FIELD_OF:
            field = op.FIELD_OF[prop_iri]
        if field is None and record_iri in refs and record_iri != op.iri:
            field = refs[record_iri]
        if field is None and key is not None and p.record == key:
            field = "study"
        if field is None and record_iri and record_iri.startswith(op.iri + "/"):
            part = record_iri[len(op.iri) + 1:]
            field = {"population": "population", "interventionGroup": "intervention",
                     "comparatorGroup": "comparator", "outcomeGroup": "outcomes"}.get(part.split("-")[0], GENERAL)
        text = p.message
        if p.fix and "did you mean" in p.fix:
            text += " (" + p.fix[p.fix.index("did you mean"):].rstrip(")") + ")"
        if field is None and p.record and p.record not in (compact(op.iri),):
            text = f"{p.record}: {text}"
        _add(messages, field or GENERAL, text)
    return messages


def scheme_messages(op: Operation, store: ox.Store | None) -> Messages:
    """A design or level of evidence must come from its own concept scheme."""
    messages: Messages = {}
    if isinstance(op, RiskOfBias) and store is not None:
        return tool_messages(op, store)
    if not isinstance(op, StudyFacts) or store is None:
        return messages
    in_scheme = ox.NamedNode(PREFIXES["skos"] + "inScheme")
    for name in ("design", "level"):
        value = getattr(op, name)
        if not value:
            continue
        node = ox.NamedNode(str(concept(value, name)))
        schemes = {str(q.object.value) for q in store.quads_for_pattern(node, in_scheme, None)
                   if isinstance(q.object, ox.NamedNode)}
        if schemes and SCHEMES[name] not in schemes:
            _add(messages, name, f"{compact(node.value)} is not in the {compact(SCHEMES[name])} scheme")
    return messages


def design_kind_of(store: ox.Store, study: str) -> tuple[str, str | None]:
    """The kind of design (kg.appraisal.grade.DESIGN_ROOTS) of a study in `store`, and the design's CURIE."""
    design_p = ox.NamedNode(PREFIXES["hs"] + "studyDesign")
    broader = ox.NamedNode(PREFIXES["skos"] + "broader")
    bib_key = ox.NamedNode(PREFIXES["hs"] + "bibKey")
    # The build names a paper by its DOI (or a work IRI); ref:KEY in the claims file is mapped to it by its key.
    papers = [q.subject for q in store.quads_for_pattern(None, bib_key, ox.Literal(study_key(study)))]
    designs = [q.object for paper in papers for q in store.quads_for_pattern(paper, design_p, None)
               if isinstance(q.object, ox.NamedNode)]
    if not designs:
        return "unknown", None
    seen, todo = set(), [designs[0]]
    while todo:  # the design and its ancestors (skos:broader, transitively)
        node = todo.pop()
        if node.value in seen:
            continue
        seen.add(node.value)
        todo += [q.object for q in store.quads_for_pattern(node, broader, None) if isinstance(q.object, ox.NamedNode)]
    if any("random" in iri.rsplit("/", 1)[-1] for iri in seen):
        return "randomised", compact(designs[0].value)
    kind = next((k for root, k in DESIGN_ROOTS.items() if root in seen), "unknown")
    return kind, compact(designs[0].value)


def tool_messages(op: RiskOfBias, store: ox.Store) -> Messages:
    """The tool must be the one the study's design calls for."""
    messages: Messages = {}
    kind, design = design_kind_of(store, op.study)
    if kind == "unknown":
        if design is None:
            _add(messages, "tool", f"{op.study} has no design yet: record it first (its design decides the tool)")
        return messages
    if kind not in TOOL_FOR_DESIGN:
        _add(messages, "tool", f"{op.study} is {kind} ({design}); the appraisal has no tool for it (RoB 2 is not "
             "modelled)")
        return messages
    wanted = TOOL_FOR_DESIGN[kind]
    given = None if op.not_applicable() else tool_named(op.tool)
    if wanted is None and given is not None:
        _add(messages, "tool", f"{op.study} is a {kind} ({design}): no risk-of-bias tool applies; use "
             "'not applicable' with the reason")
    elif wanted is not None and (given is None or given.name != wanted):
        _add(messages, "tool", f"{op.study} is a {kind} ({design}): its design calls for {wanted}, "
             f"not {op.tool}")
    return messages


def tool_first(op: Operation, messages: Messages, sources: DataSources, context: ox.Store | None) -> Messages:
    """A risk-of-bias assessment refused by its own rules is also told when its tool is not the design's: the
    domains of the wrong tool would otherwise be all it hears about. Read from `context` or a build of the files."""
    if not isinstance(op, RiskOfBias) or not messages or "tool" in messages:
        return messages
    try:
        store = context if context is not None else assemble(sources).store
    except InputError:
        return messages
    return {**tool_messages(op, store), **messages}
