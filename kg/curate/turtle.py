"""One record as Turtle in the claims file's style, and a written block read back as triples.

A record is its subject, its classes and its (predicate, objects) pairs in reading order; an object is an rdflib
term or a nested record (written inline as `[ ... ]`, as the PICO frames' parts are). Predicates that share a
line in the file's style (`qudt:value 84.0 ; qudt:hasUnit unit:PERCENT ;`) are grouped by `LINE_GROUPS`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import rdflib
from rdflib import RDF, XSD, BNode, Literal, URIRef

from kg.model.namespace import PREFIXES

INDENT = "    "
# Predicates written on one line together, as the file does.
LINE_GROUPS: tuple[tuple[str, ...], ...] = (
    (PREFIXES["hs"] + "evidenceFrom", PREFIXES["hs"] + "evidenceFor", PREFIXES["hs"] + "stance"),
    (PREFIXES["hs"] + "pico", PREFIXES["hs"] + "followUp"),
    (PREFIXES["qudt"] + "value", PREFIXES["qudt"] + "hasUnit"),
    (PREFIXES["hs"] + "sampleSize", PREFIXES["hs"] + "sampleUnit"),
    (PREFIXES["prov"] + "wasAttributedTo", PREFIXES["prov"] + "generatedAtTime"),
)
_GROUP_OF = {p: g for g in LINE_GROUPS for p in g}
# Predicates whose inline nodes each get a line of their own, as the risk-of-bias domains do in the file.
NODE_PER_LINE = frozenset({PREFIXES["hs"] + "domainJudgement"})

Obj = "rdflib.term.Node | Record"


@dataclass
class Record:
    """A subject (None for an inline `[ ... ]` node), its classes and its properties in reading order."""

    subject: URIRef | None
    types: list[URIRef] = field(default_factory=list)
    props: list[tuple[URIRef, list[rdflib.term.Node | Record]]] = field(default_factory=list)

    def add(self, predicate: str, *objects: rdflib.term.Node | Record | None) -> None:
        """Append `predicate` with the objects that are not None (nothing when all are None)."""
        kept = [o for o in objects if o is not None]
        if kept:
            self.props.append((URIRef(predicate), kept))

    def get(self, predicate: str) -> list[rdflib.term.Node | Record]:
        return next((objs for p, objs in self.props if str(p) == predicate), [])

    def without(self, predicates: set[str] | frozenset[str]) -> list[tuple[URIRef, list[rdflib.term.Node | Record]]]:
        return [(p, o) for p, o in self.props if str(p) not in predicates]


class Writer:
    """Terms as the file writes them: CURIEs with the file's own prefixes, numbers bare, strings quoted."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        # Longest namespace first, so res: wins over a shorter prefix of the same base.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def iri(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns):
                local = iri[len(ns):]
                if local and all(ch.isalnum() or ch in "-_." for ch in local) and not local.endswith("."):
                    return f"{prefix}:{local}"
        return f"<{iri}>"

    def term(self, node: rdflib.term.Node | Record) -> str:
        if isinstance(node, Record):
            return self.inline(node)
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, Literal):
            return self.literal(node)
        raise TypeError(f"cannot write {node!r} in a block")

    def literal(self, lit: Literal) -> str:
        dt = lit.datatype
        text = str(lit)
        if dt == XSD.integer and text.lstrip("-").isdigit():
            return text
        if dt == XSD.decimal and "." in text and text.replace(".", "", 1).lstrip("-").isdigit():
            return text
        quoted = json.dumps(text, ensure_ascii=False)  # JSON string escapes are valid Turtle string escapes
        if lit.language:
            return f"{quoted}@{lit.language}"
        if dt is not None and dt != XSD.string:
            return f"{quoted}^^{self.iri(str(dt))}"
        return quoted

    def _pairs(self, record: Record) -> list[str]:
        parts = []
        if record.types:
            parts.append("a " + " , ".join(self.iri(str(t)) for t in record.types))
        for predicate, objects in record.props:
            parts.append(f"{self.iri(str(predicate))} " + " , ".join(self.term(o) for o in objects))
        return parts

    def inline(self, record: Record) -> str:
        return "[ " + " ; ".join(self._pairs(record)) + " ]"

    def node_lines(self, node: rdflib.term.Node | Record) -> str:
        """An inline node with its terms on the first line and each text on a line of its own, as the file
        writes a risk-of-bias domain."""
        if not isinstance(node, Record):
            return self.term(node)
        pairs = self._pairs(node)
        split = next((k for k, pair in enumerate(pairs) if '"' in pair), len(pairs))
        first = "[ " + " ; ".join(pairs[:split])
        rest = "".join(f" ;\n{INDENT * 2}  {pair}" for pair in pairs[split:])
        return first + rest + " ]"

    def block(self, record: Record) -> str:
        """The record as a top-level block: classes on the subject's line, then one line per predicate group."""
        assert record.subject is not None
        head = self.iri(str(record.subject))
        lines: list[list[str]] = []
        if record.types:
            head += " a " + " , ".join(self.iri(str(t)) for t in record.types)
        previous_group: tuple[str, ...] | None = None
        for predicate, objects in record.props:
            text = f"{self.iri(str(predicate))} " + " , ".join(self.term(o) for o in objects)
            if str(predicate) in NODE_PER_LINE:
                text = self.iri(str(predicate)) + "".join(
                    f"\n{INDENT * 2}{self.node_lines(o)}" + (" ," if k < len(objects) - 1 else "")
                    for k, o in enumerate(objects))
            group = _GROUP_OF.get(str(predicate))
            if group is not None and group == previous_group and lines:
                lines[-1].append(text)
            else:
                lines.append([text])
            previous_group = group
        if not record.types and lines:
            head += " " + " ; ".join(lines.pop(0))
        out = [head] + [INDENT + " ; ".join(line) for line in lines]
        return " ;\n".join(out) + " .\n"


def read_block(text: str, prefix_block: str, subject: str) -> Record:
    """A block of the file (with the file's prefixes) as a Record of `subject`, nested `[ ... ]` nodes included."""
    graph = rdflib.Graph()
    graph.parse(data=prefix_block + text, format="turtle")
    return _record(graph, URIRef(subject), order=text)


def _record(graph: rdflib.Graph, node: URIRef | BNode, order: str) -> Record:
    record = Record(node if isinstance(node, URIRef) else None)
    record.types = sorted((o for o in graph.objects(node, RDF.type) if isinstance(o, URIRef)), key=str)
    by_predicate: dict[URIRef, list[rdflib.term.Node | Record]] = {}
    for p, o in graph.predicate_objects(node):
        if p == RDF.type:
            continue
        value: rdflib.term.Node | Record = _record(graph, o, order) if isinstance(o, BNode) else o
        by_predicate.setdefault(URIRef(str(p)), []).append(value)
    writer = Writer({k: str(v) for k, v in graph.namespaces()})
    # Reading order: where each predicate first appears in the block's text (rdflib does not keep order).
    def position(p: URIRef) -> int:
        at = order.find(writer.iri(str(p)) + " ")
        return at if at >= 0 else len(order)
    for p in sorted(by_predicate, key=position):
        objs = by_predicate[p]
        objs.sort(key=lambda o: order.find(writer.term(o)) if not isinstance(o, Record) else 0)
        record.props.append((p, objs))
    return record
