"""User SPARQL is read-only, located when wrong, stopped on time and capped in rows (kg.safety)."""
from __future__ import annotations

import multiprocessing
import time

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph
from kg.safety import (
    ForbiddenQueryError,
    QueryFailedError,
    QueryLimits,
    QuerySyntaxError,
    QueryTimeoutError,
    check_read_only,
    run_user_query,
)

CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CARTESIAN_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "delete where { ?s ?p ?o }",
    "PREFIX ex: <http://x/>\n# a comment\nDELETE { ?s ?p ?o } WHERE { ?s ex:p ?o }",
    "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR DEFAULT",
    "DROP ALL",
    "CREATE GRAPH <http://x/g>",
    "COPY DEFAULT TO <http://x/g>",
    "MOVE DEFAULT TO <http://x/g>",
    "ADD DEFAULT TO <http://x/g>",
])
def test_update_is_refused(real_kg: KnowledgeGraph, update: str) -> None:
    before = len(real_kg)
    with pytest.raises(ForbiddenQueryError, match="SPARQL Update .* is not allowed"):
        run_user_query(real_kg, update)
    assert len(real_kg) == before


def test_a_query_followed_by_an_update_is_a_syntax_error(real_kg: KnowledgeGraph) -> None:
    before = len(real_kg)
    with pytest.raises(QuerySyntaxError):
        run_user_query(real_kg, "SELECT * WHERE { ?s ?p ?o } ; DROP ALL")
    assert len(real_kg) == before


def test_service_is_refused() -> None:
    for text in ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
                 "SELECT * WHERE { ?a ?b ?c FILTER(?a < 1)SERVICE<http://127.0.0.1:1/>{?s ?p ?o} }",
                 "select * { service silent ?endpoint { ?s ?p ?o } }"):
        with pytest.raises(ForbiddenQueryError, match="SERVICE"):
            check_read_only(text)


def test_the_word_service_elsewhere_is_fine() -> None:
    text = 'PREFIX ex: <http://x/SERVICE>\nSELECT ?SERVICE WHERE { ?SERVICE ex:SERVICE "SERVICE" } # SERVICE'
    assert check_read_only(text) == "select"


def test_query_forms() -> None:
    assert check_read_only("SELECT ?s WHERE { ?s ?p ?o }") == "select"
    assert check_read_only("ASK { ?s ?p ?o }") == "ask"
    assert check_read_only("CONSTRUCT WHERE { ?s ?p ?o }") == "construct"
    assert check_read_only("DESCRIBE claim:x") == "describe"  # project prefixes are predeclared


def test_checking_never_runs_unbounded() -> None:
    """pyoxigraph cannot parse without evaluating, and 3 KB of VALUES make a cross product that takes
    seconds even over no data: the check must still come back on time, and say the query is well formed."""
    block = "{ " + " ".join(str(i) for i in range(1000)) + " }"
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {block} VALUES ?b {block} VALUES ?c {block} }}"
    start = time.perf_counter()
    assert check_read_only(text, parse_timeout_s=0.5) == "select"
    assert time.perf_counter() - start < 1.5


def test_syntax_error_gives_line_and_column(real_kg: KnowledgeGraph) -> None:
    text = "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(?x = )\n  ?s ?q\n"
    with pytest.raises(QuerySyntaxError) as caught:
        run_user_query(real_kg, text)
    error = caught.value
    assert error.line is not None and 4 <= error.line <= 6 and error.column is not None and error.column >= 1
    assert f"line {error.line}, column {error.column}" in str(error)
    with pytest.raises(QuerySyntaxError) as caught:
        check_read_only("SELECT * WHERE {\n  ?s foo:bar ?o\n}")
    assert caught.value.line == 2 and "undeclared prefix" in str(caught.value)
    assert caught.value.source_line == "  ?s foo:bar ?o"
    with pytest.raises(QuerySyntaxError) as caught:
        check_read_only("SELEC ?s WHERE { ?s ?p ?o }")
    assert caught.value.line == 1


def test_cartesian_query_is_stopped_by_the_time_limit(real_kg: KnowledgeGraph) -> None:
    """COUNT over a three-way cartesian product (3,748^3 rows) gives no row to check between: only killing
    the query process stops it. The wall time may overshoot the limit only by the time to kill it."""
    start = time.perf_counter()
    with pytest.raises(QueryTimeoutError) as caught:
        run_user_query(real_kg, CARTESIAN_COUNT, QueryLimits(timeout_s=1.0))
    wall = time.perf_counter() - start
    assert caught.value.elapsed >= 1.0 and wall < 2.0, f"stopped after {wall:.3f} s"
    assert "time limit is 1 s" in str(caught.value)
    assert not [p for p in multiprocessing.active_children() if p.name == "kg-user-query"]
    assert run_user_query(real_kg, "ASK { ?s ?p ?o }").boolean is True  # and the next query runs normally


def test_time_limit_without_fork(real_kg: KnowledgeGraph) -> None:
    """The fallback for platforms without fork: a fresh interpreter, killed on time all the same."""
    start = time.perf_counter()
    with pytest.raises(QueryTimeoutError):
        run_user_query(real_kg, CARTESIAN_COUNT, QueryLimits(timeout_s=3.0, start_method="subprocess"))
    assert time.perf_counter() - start < 4.0
    result = run_user_query(real_kg, "SELECT ?k WHERE { ?p hs:bibKey ?k } ORDER BY ?k LIMIT 2",
                            QueryLimits(timeout_s=30, start_method="subprocess"))
    assert result.rows == [("annabell2018hip",), ("barry2017early",)]


def test_big_result_is_truncated_at_the_row_cap(real_kg: KnowledgeGraph) -> None:
    result = run_user_query(real_kg, CARTESIAN_ROWS, QueryLimits(max_rows=10_000))
    assert result.truncated and len(result.rows) == 10_000 and len(result.columns) == 9
    assert result.elapsed < 5.0


def test_row_cap_boundary(real_kg: KnowledgeGraph) -> None:
    text = "SELECT ?k WHERE { ?p hs:bibKey ?k }"  # 15 works
    assert not run_user_query(real_kg, text, QueryLimits(max_rows=15)).truncated
    capped = run_user_query(real_kg, text, QueryLimits(max_rows=14))
    assert capped.truncated and len(capped.rows) == 14
    triples = run_user_query(real_kg, "CONSTRUCT WHERE { ?s ?p ?o }", QueryLimits(max_rows=50))
    assert triples.truncated and len(triples.rows) == 50 and triples.graph_nt.count("\n") == 50


def test_memory_cap_stops_a_huge_sort(real_kg: KnowledgeGraph) -> None:
    start = time.perf_counter()
    with pytest.raises(QueryFailedError, match="memory"):
        run_user_query(real_kg, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f",
                       QueryLimits(timeout_s=30, max_memory_mb=200))
    assert time.perf_counter() - start < 30


def test_results_carry_values_and_terms(real_kg: KnowledgeGraph) -> None:
    result = run_user_query(real_kg, """SELECT ?key ?n WHERE { ?p hs:bibKey ?key OPTIONAL { ?p hs:sampleSize ?n } }
                                        ORDER BY ?key LIMIT 3""")
    assert result.kind == "select" and result.columns == ["key", "n"] and not result.truncated
    assert result.rows == [("annabell2018hip", 71), ("barry2017early", 105), ("devin2012hipspine", None)]
    assert result.terms[0][1] == ox.Literal("71", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert result.terms[2][1] is None
    assert list(result.dataframe()["key"]) == ["annabell2018hip", "barry2017early", "devin2012hipspine"]
    ask = run_user_query(real_kg, "ASK { ?c a hs:UnbackedAssertion }")
    assert (ask.kind, ask.boolean) == ("ask", True) and ask.dataframe()["result"][0]
    described = run_user_query(real_kg, "DESCRIBE claim:treatment-order-matters")
    assert described.kind == "describe" and "treatment-order-matters" in (described.graph_nt or "")
    assert described.columns == ["subject", "predicate", "object"]


def test_engine_errors_are_reported(real_kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="start_method"):
        run_user_query(real_kg, "ASK {}", QueryLimits(start_method="thread"))
