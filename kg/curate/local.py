"""The check of a change against a large built store, without building the candidate file.

On a corpus of 100k papers a candidate build takes the better part of a minute, and SHACL over it far longer.
Here the changed records' triples (made as the build makes them, kg.curate.store.record_triples) are put in a
small graph with the one-hop neighbourhood they point at, taken from the store; the build's integrity queries
and the SHACL shapes (focused on the changed records) run on that graph. A reference the store cannot resolve
(a BibTeX key it lacks, a concept no scheme defines) is a problem, as in the build; so is a delete that would
leave evidence pointing at nothing. Problems the records already had before the change do not count.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from kg.curate.layout import Layout
from kg.curate.store import record_triples
from kg.ingest.claims_ttl import ClaimsFile
from kg.ingest.errors import Problem
from kg.ingest.integrity import CLAIM_CHECKS, CONCEPT_FIX, CONCEPT_MESSAGE, RECORD_CHECKS, integrity_problems
from kg.model.namespace import PREFIXES, compact
from kg.quality.shacl import data_graph
from kg.quality.validate import shapes_graph
from kg.query.binding import bind_values
from kg.query.named import internal_query

DG = ox.DefaultGraph()
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
EVIDENCE_FOR = ox.NamedNode(PREFIXES["hs"] + "evidenceFor")
CONCEPT_TYPES = {ox.NamedNode(PREFIXES["skos"] + "Concept"), ox.NamedNode(PREFIXES["skos"] + "ConceptScheme")}
RECORD_PARTS = ("/population", "/interventionGroup", "/comparatorGroup", "/outcomeGroup")


def local_problems(context: ox.Store, text: bytes | str, records: list[str]) -> list[Problem]:
    """The errors of the records `records` as written in the claims file `text` (bytes or text), judged against
    `context`."""
    own = {ox.NamedNode(r) for r in records}
    new = record_triples(text, records, context)
    sub = ox.Store()
    sub.extend(ox.Quad(t.subject, t.predicate, t.object, DG) for t in new)
    focus = {t.subject for t in new if isinstance(t.subject, ox.NamedNode)
             and (t.subject in own or any(t.subject.value.startswith(r + "/") for r in records))}
    neighbours = {t.object for t in new if isinstance(t.object, ox.NamedNode)} - focus
    for node in neighbours:
        sub.extend(q for q in context.quads_for_pattern(node, None, None, DG))
    for record in own:  # what points at a claim (BackedClaimShape reads hs:evidenceFor backwards)
        sub.extend(q for q in context.quads_for_pattern(None, EVIDENCE_FOR, record, DG) if q.subject not in own)
    problems = _unresolved(new) + _concepts(sub, new) + _dangling(context, own, new)
    with tempfile.TemporaryDirectory(prefix="kg-curate-") as tmp:
        layout = Layout(text)
        blocks = [layout.block_text(b) for r in records if (b := layout.block_of(r)) is not None]
        path = Path(tmp) / "claims.ttl"
        path.write_text(layout.prefix_block() + "".join(blocks), encoding="utf-8")
        # Only about the change: the neighbours' own links (a paper's other stances) point outside the small graph.
        named = {compact(term.value) for t in new for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}
        problems += [p for p in integrity_problems(sub, ClaimsFile(path), CLAIM_CHECKS + RECORD_CHECKS) if p.record in named]
    return problems + _shacl(sub, focus)


def _unresolved(new: set[ox.Triple]) -> list[Problem]:
    ref = PREFIXES["ref"]
    # A key never holds "/" (kg.ingest.claims_ttl percent-encodes it): ref:KEY/... names a blank node of a study's record.
    keys = sorted({term.value.removeprefix(ref) for t in new for term in (t.subject, t.object)
                   if isinstance(term, ox.NamedNode) and term.value.startswith(ref)
                   and "/" not in term.value.removeprefix(ref)})
    return [Problem("store", f"unknown BibTeX key '{k}' (ref:{k}): references.bib has no such entry", record=k,
                    fix="add the study to references.bib, or correct the key") for k in keys]


def _concepts(sub: ox.Store, new: set[ox.Triple]) -> list[Problem]:
    base = PREFIXES["c"]
    # c:SLUG/... is a blank node of a concept's record (its curator), named by the build, not a concept.
    used = {t.object for t in new if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(base)
            and "/" not in t.object.value.removeprefix(base)}
    defined = {t.subject for t in new if t.predicate == RDF_TYPE and t.object in CONCEPT_TYPES}
    missing = [c for c in used - defined if not any(q.object in CONCEPT_TYPES for q in sub.quads_for_pattern(c, RDF_TYPE, None))]
    return [Problem("store", CONCEPT_MESSAGE, record=compact(c.value), fix=CONCEPT_FIX) for c in sorted(missing, key=str)]


def _dangling(context: ox.Store, own: set[ox.NamedNode], new: set[ox.Triple]) -> list[Problem]:
    """A record that is gone (deleted) while others still point at it, or a claim it leaves without evidence."""
    kept = {t.subject for t in new}
    problems = []
    for record in own - kept:
        target = {"target": record}
        rows = context.query(bind_values(internal_query("curate_referrers").text, target), prefixes=PREFIXES)
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            referrer = row["record"]
            if referrer in own or row["property"].value == PREFIXES["prov"] + "wasDerivedFrom":
                continue
            problems.append(Problem("store", f"{compact(referrer.value)} still points at it through "
                                    f"{compact(row['property'].value)}", record=compact(record.value)))
        last = context.query(bind_values(internal_query("curate_last_evidence").text, target), prefixes=PREFIXES)
        assert isinstance(last, ox.QuerySolutions)
        for row in last:
            problems.append(Problem("store", "a claim has no evidence line: add one, or type it hs:UnbackedAssertion "
                                    "if no study bears on it", record=compact(row["claim"].value)))
    return problems


def _shacl(sub: ox.Store, focus: set[ox.NamedNode]) -> list[Problem]:
    if not focus:
        return []
    from pyshacl import validate as shacl_validate

    shapes = shapes_graph()
    data = data_graph(sub, shapes)
    _, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True,
                                   focus_nodes=[rdflib.URIRef(f.value) for f in sorted(focus, key=str)])
    assert isinstance(results, rdflib.Graph)
    problems = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        node = str(results.value(result, SH.focusNode))
        path = results.value(result, SH.resultPath)
        prop = compact(str(path)) if isinstance(path, rdflib.URIRef) else None
        problems.append(Problem("store", str(results.value(result, SH.resultMessage) or "does not conform"),
                                record=compact(node), prop=prop))
    return problems
