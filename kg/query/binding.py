"""Bind user values into SPARQL without pasting text: each value becomes an RDF term, serialised and escaped
by pyoxigraph, inside a VALUES block at the start of the query's WHERE group.

pyoxigraph's own `substitutions` only accept variables that the SELECT projects, which rules out the
usual "filter by this study" parameter; a VALUES join binds any variable of the pattern and keeps the
value out of the query grammar (IRIs are validated by NamedNode, literals escaped by the N-Triples writer).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kg.query.text import tokens

VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class BindingError(ValueError):
    """A parameter name or a query shape that values cannot be bound into."""


def bind_values(sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode]) -> str:
    """The query with `VALUES ?name { term }` for each binding, joined at the top of its WHERE group."""
    if not bindings:
        return sparql
    for name in bindings:
        if not VARIABLE.match(name):
            raise BindingError(f"'{name}' is not a valid SPARQL variable name")
    brace = where_brace(sparql)
    block = " ".join(f"VALUES ?{name} {{ {term} }}" for name, term in bindings.items())
    return f"{sparql[:brace + 1]} {block} {sparql[brace + 1:]}"


def bind_rows(sparql: str, name: str, terms: Iterable[ox.NamedNode | ox.Literal | ox.BlankNode]) -> str:
    """The query with `VALUES ?name { term1 term2 ... }` at the top of its WHERE group: the pattern is then
    matched once per term (a set of IRIs the caller already holds, such as the claims a view is built around).
    Each term is serialised by pyoxigraph, as in bind_values."""
    block = _values_block(name, terms)
    brace = where_brace(sparql)
    return f"{sparql[:brace + 1]} {block} {sparql[brace + 1:]}"


def _values_block(name: str, terms: Iterable[ox.NamedNode | ox.Literal | ox.BlankNode]) -> str:
    if not VARIABLE.match(name):
        raise BindingError(f"'{name}' is not a valid SPARQL variable name")
    values = []
    for term in terms:
        if not isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
            raise BindingError(f"not an RDF term: {term!r}")
        values.append(str(term))
    return f"VALUES ?{name} {{ {' '.join(values)} }}"


def bind_rows_in_branches(sparql: str, name: str, terms: Iterable[ox.NamedNode | ox.Literal | ox.BlankNode]) -> str:
    """The query with `VALUES ?name { ... }` at the top of each group directly inside its WHERE group that is a
    branch of a UNION (or a group joined to another), for a union whose every branch starts from ?name.

    Oxigraph joins a VALUES block at the top of WHERE with a UNION only after evaluating each branch over the
    whole store (9 s on a 100k-paper store); inside each branch the evaluation starts from the bound terms."""
    values = _values_block(name, terms)
    brace = where_brace(sparql)
    depth, branches = 0, []
    found = [(i, text) for i, text in tokens(sparql) if i >= brace]
    for n, (i, text) in enumerate(found):
        if text == "{":
            depth += 1
            # A group of the WHERE group's own join or union (not OPTIONAL, MINUS, GRAPH, EXISTS: those read ?name
            # as the join around them binds it).
            if depth == 2 and found[n - 1][1].upper() in ("{", "}", "UNION"):
                if n + 1 < len(found) and found[n + 1][1].upper() == "SELECT":
                    raise BindingError("a branch of the query is a subquery: values cannot be bound at its top")
                branches.append(i)
        elif text == "}":
            depth -= 1
            if depth == 0:
                break
    if not branches:
        raise BindingError("the query's WHERE group has no inner groups to bind values into")
    for i in reversed(branches):
        sparql = f"{sparql[:i + 1]} {values} {sparql[i + 1:]}"
    return sparql


def bind_table(sparql: str, names: tuple[str, ...], rows: Iterable[tuple[ox.NamedNode | ox.Literal | ox.BlankNode, ...]]) -> str:
    """The query (or update) with `VALUES (?a ?b) { (t1 t2) ... }` at the top of its WHERE group: one row of
    terms per match, for pairs the caller holds (a placeholder and the IRI that replaces it)."""
    for name in names:
        if not VARIABLE.match(name):
            raise BindingError(f"'{name}' is not a valid SPARQL variable name")
    cells = []
    for row in rows:
        if len(row) != len(names) or not all(isinstance(t, (ox.NamedNode, ox.Literal, ox.BlankNode)) for t in row):
            raise BindingError(f"not a row of {len(names)} RDF terms: {row!r}")
        cells.append("(" + " ".join(str(t) for t in row) + ")")
    header = " ".join(f"?{n}" for n in names)
    brace = where_brace(sparql)
    return f"{sparql[:brace + 1]} VALUES ({header}) {{ {' '.join(cells)} }} {sparql[brace + 1:]}"


def where_brace(sparql: str) -> int:
    """Index of the '{' that opens the query's WHERE group, skipping comments, strings and IRIs."""
    found = list(tokens(sparql))
    words = [(i, text.upper()) for i, text in found if text[:1].isalpha()]
    braces = [i for i, text in found if text == "{"]
    if not braces:
        raise BindingError("the query has no WHERE group to bind values into")
    where = next((i for i, w in words if w == "WHERE"), None)
    if where is not None:
        return next(b for b in braces if b > where)
    construct = next((i for i, w in words if w == "CONSTRUCT"), None)
    if construct is not None and len(braces) > 1:  # CONSTRUCT { template } { pattern } without WHERE keyword
        return _after_group(sparql, braces[0])
    return braces[0]


def _after_group(sparql: str, open_index: int) -> int:
    depth = 0
    for i, text in tokens(sparql):
        if i < open_index:
            continue
        depth += {"{": 1, "}": -1}.get(text, 0)
        if depth == 0 and text == "}":
            return next(j for j, t in tokens(sparql) if j > i and t == "{")
    raise BindingError("unbalanced braces in the query")


