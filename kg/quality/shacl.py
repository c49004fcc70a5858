"""The SHACL stage: pySHACL over an rdflib copy of the triples the shapes can see, split across processes.

Two costs dominate at 10k papers, and both are cut here:

* the copy: rdflib's N-Triples parser takes ~10 s for 700k triples. The copy here holds only the predicates
  the shapes name (plus rdf:type and rdfs:subClassOf, which sh:class follows), about 60% of the graph,
  and builds rdflib terms straight from Oxigraph's, each distinct IRI and literal once;
* pySHACL checks a node shape's `sh:property` shapes focus node by focus node (building each constraint
  anew for every node), but a property shape with targets of its own once over all its focus nodes. So
  each property shape gets its node shape's targets (`flatten`: the same constraints, the same results,
  3x faster), and the shapes are split into groups of about equal work (focus nodes x checks), one forked
  process per group and core, each copying just what its shapes see.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from kg.model.namespace import HS, PREFIXES

T = TypeVar("T")

ALWAYS_COPIED = (RDF.type, RDFS.subClassOf, HS.bibKey)
PAIR_CONSTRAINTS = (SH.lessThan, SH.lessThanOrEquals, SH.equals, SH.disjoint)
PARALLEL_MIN_TRIPLES = 50_000  # below this, starting processes costs more than it saves
MAX_WORKERS = 4

# What a forked pool worker validates: set just before the pool forks, read by _validate_group.
_SHARED: dict[str, Any] = {}


def shape_predicates(shapes: rdflib.Graph) -> set[str] | None:
    """The predicates the shapes' paths and pair constraints follow, plus rdf:type and rdfs:subClassOf (which
    sh:class follows) and the keys problems are named by; None (copy everything) if a shape uses SPARQL."""
    if any(True for _ in shapes.subject_objects(SH.sparql)) or any(True for _ in shapes.subject_objects(SH.select)):
        return None
    found = {str(p) for p in ALWAYS_COPIED}
    # A target by predicate (sh:targetSubjectsOf, sh:targetObjectsOf) needs that predicate's triples to find its nodes.
    todo = [o for prop in (SH.path, *PAIR_CONSTRAINTS, SH.targetSubjectsOf, SH.targetObjectsOf)
            for o in shapes.objects(None, prop)]
    while todo:  # walk path expressions: inverse, alternative and sequence paths, zero-or-more...
        node = todo.pop()
        if isinstance(node, rdflib.URIRef):
            found.add(str(node))
        elif isinstance(node, rdflib.BNode):
            for p, o in shapes.predicate_objects(node):
                if p in (RDF.first, RDF.rest) or str(p).startswith(str(SH)):
                    todo.append(o)
    found.discard(str(RDF.nil))
    return found


def data_graph(store: ox.Store, shapes: rdflib.Graph) -> rdflib.Graph:
    """An rdflib copy of the default graph's triples whose predicate the shapes may follow."""
    graph = rdflib.Graph()
    iris: dict[str, rdflib.URIRef] = {}
    literals: dict[tuple[str, str, str | None], rdflib.Literal] = {}

    def term(node: Any) -> Any:
        if isinstance(node, ox.NamedNode):
            found = iris.get(node.value)
            if found is None:
                found = iris[node.value] = rdflib.URIRef(node.value)
            return found
        if isinstance(node, ox.Literal):
            key = (node.value, node.datatype.value, node.language)
            lit = literals.get(key)
            if lit is None:
                datatype = None if node.language else rdflib.URIRef(node.datatype.value)
                lit = literals[key] = rdflib.Literal(node.value, lang=node.language, datatype=datatype)
            return lit
        return rdflib.BNode(node.value)

    predicates = shape_predicates(shapes)
    if predicates is None:
        graph.addN((term(q.subject), term(q.predicate), term(q.object), graph)
                   for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for predicate in sorted(predicates or ()):
        p = ox.NamedNode(predicate)
        rp = term(p)
        graph.addN((term(q.subject), rp, term(q.object), graph)
                   for q in store.quads_for_pattern(None, p, None, ox.DefaultGraph()))
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def flatten(shapes: rdflib.Graph) -> rdflib.Graph:
    """The same shapes with each node shape's `sh:property` shapes standing alone, carrying its targets.

    Validation results are the same (focus node, path, message, severity); only sh:sourceShape changes."""
    flat = rdflib.Graph()
    for triple in shapes:
        flat.add(triple)
    for node in sorted(set(flat.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = [(p, o) for p in TARGETS for o in flat.objects(node, p)]
        if not targets:
            continue  # a shape used through sh:node or sh:or: its property shapes must stay attached
        for prop in list(flat.objects(node, SH.property)):
            flat.remove((node, SH.property, prop))
            flat.add((prop, RDF.type, SH.PropertyShape))
            for p, o in targets:
                flat.add((prop, p, o))
    return flat


def node_shape_groups(shapes: rdflib.Graph, store: ox.Store, groups: int) -> list[rdflib.Graph]:
    """The shapes graph cut into `groups` graphs of whole shapes (those with targets), balanced by estimated
    work; a shape without targets (reached through another) goes with every group."""
    node_shapes = sorted({s for p in TARGETS for s in shapes.subjects(p, None)}, key=str)
    work = sorted(((_estimated_work(shapes, store, s), str(s), s) for s in node_shapes), reverse=True)
    bins: list[tuple[int, list[rdflib.term.Node]]] = [(0, []) for _ in range(groups)]
    for cost, _, shape in work:  # largest first into the lightest bin
        bins.sort(key=lambda b: b[0])
        bins[0] = (bins[0][0] + cost, bins[0][1] + [shape])
    targeted = set(node_shapes)
    helpers = sorted({s for kind in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, kind)
                      if isinstance(s, rdflib.URIRef) and s not in targeted}, key=str)
    out = []
    for _, members in bins:
        if not members:
            continue
        graph = rdflib.Graph()
        for shape in [*members, *helpers]:
            for triple in _bounded_description(shapes, shape):
                graph.add(triple)
        out.append(graph)
    return out


def _estimated_work(shapes: rdflib.Graph, store: ox.Store, shape: rdflib.term.Node) -> int:
    """Focus nodes times checks: what pySHACL's time grows with."""
    rdf_type = ox.NamedNode(str(RDF.type))
    focus = sum(_count(store.quads_for_pattern(None, rdf_type, ox.NamedNode(str(c)), ox.DefaultGraph()))
                for c in shapes.objects(shape, SH.targetClass))
    focus += sum(_count(store.quads_for_pattern(None, ox.NamedNode(str(p)), None, ox.DefaultGraph()))
                 for p in shapes.objects(shape, SH.targetSubjectsOf))
    focus += sum(_count(store.quads_for_pattern(None, ox.NamedNode(str(p)), None, ox.DefaultGraph()))
                 for p in shapes.objects(shape, SH.targetObjectsOf))  # an upper bound: objects may repeat
    checks = 1 + sum(1 for _ in shapes.objects(shape, SH.property)) + sum(1 for _ in shapes.predicate_objects(shape))
    return max(focus, 1) * checks


def _count(items: Iterable[object]) -> int:
    return sum(1 for _ in items)


def _bounded_description(graph: rdflib.Graph, node: rdflib.term.Node) -> Iterable[tuple[Any, Any, Any]]:
    """The node's triples and, recursively, those of the blank nodes they reach (property shapes, lists)."""
    seen, todo = {node}, [node]
    while todo:
        subject = todo.pop()
        for triple in graph.triples((subject, None, None)):
            yield triple
            obj = triple[2]
            if isinstance(obj, rdflib.BNode) and obj not in seen:
                seen.add(obj)
                todo.append(obj)


def validate(store: ox.Store, shapes: rdflib.Graph, convert: Callable[[rdflib.Graph, rdflib.Graph], list[T]], *,
             workers: int | None = None, timings: dict[str, float] | None = None) -> list[T]:
    """Validate the store's default graph; `convert(results, data)` turns each pySHACL results graph (with the
    rdflib data it was checked on) into items, which are returned together.

    workers=None: one process per core (at most MAX_WORKERS) when the graph is large and the system can fork;
    each worker copies only the triples its group of shapes can see, validates and converts."""
    if workers is None:
        can_fork = "fork" in mp.get_all_start_methods()
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if can_fork and len(store) >= PARALLEL_MIN_TRIPLES else 1
    timings = timings if timings is not None else {}
    shapes = flatten(shapes)
    if workers <= 1:
        t0 = time.perf_counter()
        data = data_graph(store, shapes)
        timings["shacl_copy"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        results = _pyshacl(data, shapes)
        timings["shacl_pyshacl"] = time.perf_counter() - t0
        return convert(results, data)
    groups = node_shape_groups(shapes, store, workers)
    _SHARED.update(store=store, groups=groups, convert=convert)
    try:
        with mp.get_context("fork").Pool(processes=len(groups)) as pool:
            answers = pool.map(_validate_group, range(len(groups)))
    finally:
        _SHARED.clear()
    timings["shacl_copy"] = max(a[1] for a in answers)
    timings["shacl_pyshacl"] = max(a[2] for a in answers)
    timings["shacl_workers"] = len(groups)
    return [item for items, _, _ in answers for item in items]


def _validate_group(index: int) -> tuple[list[Any], float, float]:
    """In a forked worker: copy, validate and convert for one group of shapes (the store is the parent's)."""
    shapes = _SHARED["groups"][index]
    t0 = time.perf_counter()
    data = data_graph(_SHARED["store"], shapes)
    t1 = time.perf_counter()
    results = _pyshacl(data, shapes)
    t2 = time.perf_counter()
    return _SHARED["convert"](results, data), t1 - t0, t2 - t1


def _pyshacl(data: rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    from pyshacl import validate as shacl_validate

    # inplace: the copy is ours, pySHACL need not clone it again.
    _, results, _ = shacl_validate(data, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True)
    assert isinstance(results, rdflib.Graph)  # pySHACL is untyped: the report graph, since abort_on_first is off
    return results
