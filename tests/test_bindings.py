"""User values are bound as RDF terms, never pasted: attempts to break out of the slot find nothing."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.query.binding import BindingError, bind_values, where_brace

HOSTILE = ['"} ; DROP', '> } UNION { ?s ?p ?o', 'x" } UNION { ?s ?p ?o } #', "'''", "\\", "\n}\n"]


def test_values_go_into_the_where_group() -> None:
    q = 'PREFIX a: <http://a/#{x}>\nSELECT ?s # a { brace in a comment\nWHERE { ?s ?p "{" }'
    assert q[where_brace(q)] == "{" and q[where_brace(q):].startswith('{ ?s ?p "{" }')
    c = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert where_brace(c) == c.index("WHERE {") + 6


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_literal_finds_nothing_extra(real_kg, value: str) -> None:
    rows = real_kg.select("SELECT ?p WHERE { ?p hs:bibKey ?key }", {"key": value})
    assert rows == []


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_iri_is_refused_or_matches_nothing(real_kg, value: str) -> None:
    from pyoxigraph import NamedNode

    try:
        node = NamedNode("http://x/" + value)
    except ValueError:
        return  # characters that could end an IRI are rejected before any query is built
    assert real_kg.select("SELECT ?t WHERE { ?p dcterms:title ?t }", {"p": node}) == []


def test_bad_variable_name_is_refused(real_kg) -> None:
    with pytest.raises(BindingError):
        real_kg.select("SELECT ?t WHERE { ?p dcterms:title ?t }", {"p } ?s": "x"})


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_value_is_one_literal(real_kg, value: str) -> None:
    """Whatever the text, the query still parses and matches only that exact key."""
    rows = real_kg.select("SELECT ?p WHERE { ?p hs:bibKey ?key }", {"key": value})
    assert rows == ([] if value != "lee2019accuracy" else rows)
    sparql = bind_values("SELECT ?p WHERE { ?p ?q ?key }", {"key": ox.Literal(value)})
    assert sparql.count("VALUES") == 1


def test_rows_of_values_match_each_term(real_kg) -> None:
    from kg.query.binding import bind_rows

    keys = ["lee2019accuracy", "onggo2021comparable", "no-such-key"]
    text = bind_rows("SELECT ?p WHERE { ?p hs:bibKey ?k }", "k", [ox.Literal(k) for k in keys])
    assert "VALUES ?k {" in text
    assert len(real_kg.select(text)) == 2
    assert real_kg.select(bind_rows("SELECT ?p WHERE { ?p hs:bibKey ?k }", "k", [])) == []
    with pytest.raises(BindingError):
        bind_rows("SELECT ?p WHERE { ?p hs:bibKey ?k }", "k } UNION {", [ox.Literal("x")])
    with pytest.raises(BindingError):
        bind_rows("SELECT ?p WHERE { ?p hs:bibKey ?k }", "k", ["} UNION { ?s ?p ?o"])  # type: ignore[list-item]


def test_rows_bound_in_each_branch_of_a_union(real_kg) -> None:
    from kg.query.binding import bind_rows_in_branches

    query = ('SELECT ?p WHERE { { ?p hs:bibKey ?k } UNION { ?p dcterms:identifier ?k } '
             'OPTIONAL { ?p dcterms:title ?t } }')
    keys = [ox.Literal("lee2019accuracy"), ox.Literal('x" } UNION { ?p ?q ?r } #')]
    text = bind_rows_in_branches(query, "k", keys)
    # Each branch of the union starts with the VALUES block; the OPTIONAL group does not.
    assert text.count("VALUES ?k {") == 2 and "OPTIONAL { ?p" in text and text.index("VALUES") > text.index("{ {")
    assert [r["p"] for r in real_kg.select(text)] == [r["p"] for r in real_kg.select(bind_rows_of(query, keys))]
    assert len(real_kg.select(text)) == 1
    with pytest.raises(BindingError):
        bind_rows_in_branches("SELECT ?p WHERE { ?p hs:bibKey ?k }", "k", keys)  # no branch to bind into
    with pytest.raises(BindingError):
        bind_rows_in_branches("SELECT ?p WHERE { { SELECT ?p WHERE { ?p ?q ?k } } }", "k", keys)  # a subquery
    with pytest.raises(BindingError):
        bind_rows_in_branches(query, "k } UNION {", keys)


def bind_rows_of(query: str, terms: list[ox.Literal]) -> str:
    from kg.query.binding import bind_rows

    return bind_rows(query, "k", terms)
