"""User SPARQL is read-only, located when wrong, stopped on time and capped in rows (kg.query.guard).

Time limits are checked by what happens (the time-out error, the worker replaced, the next query answered), not by
wall-clock bounds: the machine running the tests may be busy.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph
from kg.query.guard.policy import (
    ForbiddenQueryError,
    QueryFailedError,
    QueryLimits,
    QuerySyntaxError,
    QueryTimeoutError,
    check_read_only,
)
from kg.query.guard.pool import PoolBusyError, QueryPool, Request
from kg.query.guard.sandbox import Status, run_isolated
from kg.query.text import query_form
from tests.support.servers import process_gone, wait_until

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
        real_kg.run_user_query(update)
    assert len(real_kg) == before


def test_a_query_followed_by_an_update_is_a_syntax_error(real_kg: KnowledgeGraph) -> None:
    before = len(real_kg)
    with pytest.raises(QuerySyntaxError):
        real_kg.run_user_query("SELECT * WHERE { ?s ?p ?o } ; DROP ALL")
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
    assert check_read_only("PREFIX : <http://x/>\nSELECT * WHERE { ?s :service ?o }") == "select"


def test_query_forms() -> None:
    assert check_read_only("SELECT ?s WHERE { ?s ?p ?o }") == "select"
    assert check_read_only("ASK { ?s ?p ?o }") == "ask"
    assert check_read_only("CONSTRUCT WHERE { ?s ?p ?o }") == "construct"
    assert check_read_only("DESCRIBE claim:x") == "describe"  # project prefixes are predeclared


def test_query_form_reads_the_leading_keyword() -> None:
    assert query_form("SELECT * {}") == "select"
    assert query_form(" prefix ex: <http://x/> # a comment\n base <http://y/>\nconstruct {} where {}") == "construct"
    assert query_form("PREFIX : <http://x/>ASK {}") == "ask"
    assert query_form("# SELECT\nDESCRIBE <http://x/a>") == "describe"
    for text in ("DELETE WHERE { ?s ?p ?o }", "PREFIX ex: <http://x/> INSERT DATA {}", "SELECTED", "", "  ?x",
                 "PREFIX ex: <http://x/{}> SELECT * {}"):
        assert query_form(text) is None, text
    assert query_form(" " * 200_000 + "#" * 200_000) is None  # one pass over the text, however long


@pytest.mark.parametrize("text, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "select"),
    ("# ASK in a comment\nPREFIX select: <urn:x:>\nCONSTRUCT WHERE { ?s select:ask ?o }", "construct"),
    ('DESCRIBE <urn:x> # "SELECT"', "describe"),
    ("prefix : <urn:x:> ask { :select ?p 'SELECT' }", "ask"),
    ("INSERT DATA {} ; SELECT * {}", None),  # the form after the prologue, not the first form word anywhere
])
def test_query_form_is_the_keyword_after_the_prologue(text: str, form: str | None) -> None:
    assert query_form(text) == form


def test_checking_never_runs_unbounded() -> None:
    """pyoxigraph cannot parse without evaluating, and 3 KB of VALUES make a cross product that takes
    seconds even over no data: the check must still come back on time, and say the query is well formed."""
    block = "{ " + " ".join(str(i) for i in range(1000)) + " }"
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {block} VALUES ?b {block} VALUES ?c {block} }}"
    parse = run_isolated(None, text, timeout_s=0.5, max_rows=0, max_memory_mb=None)
    assert parse.status is Status.TIMEOUT  # the parse child was still evaluating, and was stopped
    assert check_read_only(text, parse_timeout_s=0.5) == "select"
    assert not [p for p in multiprocessing.active_children() if p.name == "kg-user-query"]


def test_syntax_error_gives_line_and_column(real_kg: KnowledgeGraph) -> None:
    text = "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(?x = )\n  ?s ?q\n"
    with pytest.raises(QuerySyntaxError) as caught:
        real_kg.run_user_query(text)
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
    the query process stops it."""
    with pytest.raises(QueryTimeoutError) as caught:
        real_kg.run_user_query(CARTESIAN_COUNT, QueryLimits(timeout_s=1.0))
    assert "time limit is 1 s" in str(caught.value)
    assert not [p for p in multiprocessing.active_children() if p.name == "kg-user-query"]
    assert real_kg.run_user_query("ASK { ?s ?p ?o }").boolean is True  # and the next query runs normally


def test_time_limit_without_fork(real_kg: KnowledgeGraph) -> None:
    """The fallback for platforms without fork: a fresh interpreter, killed on time all the same."""
    with pytest.raises(QueryTimeoutError):
        real_kg.run_user_query(CARTESIAN_COUNT, QueryLimits(timeout_s=3.0, start_method="subprocess"))
    result = real_kg.run_user_query("SELECT ?k WHERE { ?p hs:bibKey ?k } ORDER BY ?k LIMIT 2",
                            QueryLimits(timeout_s=30, start_method="subprocess"))
    assert result.rows == [("annabell2018hip",), ("barry2017early",)]


def test_big_result_is_truncated_at_the_row_cap(real_kg: KnowledgeGraph) -> None:
    result = real_kg.run_user_query(CARTESIAN_ROWS, QueryLimits(max_rows=10_000))
    assert result.truncated and len(result.rows) == 10_000 and len(result.columns) == 9


def test_row_cap_boundary(real_kg: KnowledgeGraph) -> None:
    text = "SELECT ?k WHERE { ?p hs:bibKey ?k }"  # 15 works
    assert not real_kg.run_user_query(text, QueryLimits(max_rows=15)).truncated
    capped = real_kg.run_user_query(text, QueryLimits(max_rows=14))
    assert capped.truncated and len(capped.rows) == 14
    triples = real_kg.run_user_query("CONSTRUCT WHERE { ?s ?p ?o }", QueryLimits(max_rows=50))
    assert triples.truncated and len(triples.rows) == 50 and triples.graph_nt.count("\n") == 50


def test_memory_cap_stops_a_huge_sort(real_kg: KnowledgeGraph) -> None:
    with pytest.raises(QueryFailedError, match="memory"):  # the cap, well before the time limit
        real_kg.run_user_query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f",
                               QueryLimits(timeout_s=30, max_memory_mb=200))


def test_results_carry_values_and_terms(real_kg: KnowledgeGraph) -> None:
    result = real_kg.run_user_query("""SELECT ?key ?n WHERE { ?p hs:bibKey ?key OPTIONAL { ?p hs:sampleSize ?n } }
                                        ORDER BY ?key LIMIT 3""")
    assert result.kind == "select" and result.columns == ["key", "n"] and not result.truncated
    assert result.rows == [("annabell2018hip", 71), ("barry2017early", 105), ("devin2012hipspine", None)]
    assert result.terms[0][1] == ox.Literal("71", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert result.terms[2][1] is None
    assert list(result.dataframe()["key"]) == ["annabell2018hip", "barry2017early", "devin2012hipspine"]
    ask = real_kg.run_user_query("ASK { ?c a hs:UnbackedAssertion }")
    assert (ask.kind, ask.boolean) == ("ask", True) and ask.dataframe()["result"][0]
    described = real_kg.run_user_query("DESCRIBE claim:treatment-order-matters")
    assert described.kind == "describe" and "treatment-order-matters" in (described.graph_nt or "")
    assert described.columns == ["subject", "predicate", "object"]


def test_engine_errors_are_reported(real_kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="start_method"):
        real_kg.run_user_query("ASK {}", QueryLimits(start_method="thread"))


# ------------------------------------------------------------------------------ the pool of pre-forked workers

def start_pool(kg: KnowledgeGraph, workers: int) -> QueryPool:
    store = kg.backend.pool_store()
    assert store is not None, "an embedded graph on Linux can be served by forked workers"
    return QueryPool(store, workers)


@pytest.fixture()
def pool(real_kg: KnowledgeGraph) -> Iterator[QueryPool]:
    with start_pool(real_kg, 2) as started:
        yield started


KEYS = "SELECT ?k WHERE { ?p hs:bibKey ?k } ORDER BY ?k"


def test_pool_answers_concurrent_queries_correctly(real_kg: KnowledgeGraph, pool: QueryPool) -> None:
    texts = [KEYS, "SELECT ?c WHERE { ?c a mp:Claim } ORDER BY ?c", "ASK { ?c a hs:UnbackedAssertion }",
             "DESCRIBE claim:treatment-order-matters", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]
    expected = {t: real_kg.run_user_query(t) for t in texts}
    with ThreadPoolExecutor(8) as threads:
        answers = list(threads.map(lambda t: (t, pool.run(t)), texts * 8))
    assert len(answers) == 40
    for text, got in answers:
        want = expected[text]
        assert (got.kind, got.columns, got.rows, got.boolean) == (want.kind, want.columns, want.rows, want.boolean)
        assert got.terms == want.terms and got.graph_nt == want.graph_nt
    assert len(pool.pids()) == 2 and pool.replaced == 0


def test_pool_workers_run_in_parallel(pool: QueryPool) -> None:
    """Two runaway queries on a pool of two run at the same time, one on each worker; both workers are replaced."""
    before = set(pool.pids())
    with ThreadPoolExecutor(2) as threads:
        futures = [threads.submit(pool.run, CARTESIAN_COUNT, QueryLimits(timeout_s=3.0)) for _ in range(2)]
        assert wait_until(lambda: pool.busy() == 2)
        for future in futures:
            with pytest.raises(QueryTimeoutError):
                future.result()
    assert not before & set(pool.pids()) and len(pool.pids()) == 2 and pool.replaced == 2


def test_pool_time_limit_kills_and_replaces_the_worker(real_kg: KnowledgeGraph) -> None:
    with start_pool(real_kg, 1) as single:
        [old] = single.pids()
        with pytest.raises(QueryTimeoutError) as caught:
            single.run(CARTESIAN_COUNT, QueryLimits(timeout_s=1.0))
        assert "time limit is 1 s" in str(caught.value)
        [new] = single.pids()
        assert new != old and process_gone(old) and single.replaced == 1
        assert single.run(KEYS, QueryLimits(max_rows=2)).rows == [("annabell2018hip",), ("barry2017early",)]
        assert single.pids() == [new]


def test_pool_refuses_updates_and_service_in_the_worker(real_kg: KnowledgeGraph, pool: QueryPool) -> None:
    before = len(real_kg)
    for update in ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "DELETE WHERE { ?s ?p ?o }",
                   "PREFIX ex: <http://x/>\nDROP ALL"):
        with pytest.raises(ForbiddenQueryError, match="SPARQL Update .* is not allowed"):
            pool.run(update)
        # execute() hands the request over as it is: the refusal comes from the worker itself
        answer, _ = pool.execute(Request(update, 10, None), QueryLimits())
        assert answer.status is Status.FORBIDDEN and "read-only" in answer.message
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    answer, _ = pool.execute(Request(service, 10, None), QueryLimits())
    assert answer.status is Status.FORBIDDEN and "SERVICE" in answer.message
    with pytest.raises(QuerySyntaxError):
        pool.run("SELECT * WHERE { ?s ?p ?o } ; DROP ALL")
    assert len(real_kg) == before and pool.replaced == 0


def test_pool_row_cap(pool: QueryPool) -> None:
    text = "SELECT ?k WHERE { ?p hs:bibKey ?k }"  # 15 works
    assert not pool.run(text, QueryLimits(max_rows=15)).truncated
    capped = pool.run(text, QueryLimits(max_rows=14))
    assert capped.truncated and len(capped.rows) == 14
    triples = pool.run("CONSTRUCT WHERE { ?s ?p ?o }", QueryLimits(max_rows=50))
    assert triples.truncated and len(triples.rows) == 50 and triples.graph_nt.count("\n") == 50
    big = pool.run(CARTESIAN_ROWS, QueryLimits(max_rows=10_000))
    assert big.truncated and len(big.rows) == 10_000


def test_pool_memory_cap_stops_a_huge_sort(real_kg: KnowledgeGraph) -> None:
    with start_pool(real_kg, 1) as single:
        [old] = single.pids()
        with pytest.raises(QueryFailedError, match="memory"):
            single.run("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f",
                       QueryLimits(timeout_s=30, max_memory_mb=200))
        [new] = single.pids()
        assert new != old and process_gone(old)
        assert single.run("ASK { ?s ?p ?o }").boolean is True  # the replacement answers, with its own cap
        assert single.run(KEYS, QueryLimits(max_memory_mb=None)).rows[0] == ("annabell2018hip",)


def test_pool_replaces_a_worker_killed_while_idle(real_kg: KnowledgeGraph) -> None:
    with start_pool(real_kg, 1) as single:
        [old] = single.pids()
        os.kill(old, signal.SIGKILL)
        assert wait_until(lambda: process_gone(old))
        assert single.run("ASK { ?s ?p ?o }").boolean is True  # not an error: a dead idle worker is skipped
        assert single.pids() != [old]


def test_pool_busy_error_when_every_worker_stays_busy(real_kg: KnowledgeGraph) -> None:
    with start_pool(real_kg, 1) as single, ThreadPoolExecutor(1) as threads:
        runaway = threads.submit(single.run, CARTESIAN_COUNT, QueryLimits(timeout_s=3.0))
        assert wait_until(lambda: single.busy() == 1)
        with pytest.raises(PoolBusyError, match="all 1 query workers stayed busy for 0.2 s"):
            single.run("ASK {}", wait_s=0.2)
        with pytest.raises(QueryTimeoutError):
            runaway.result()
        assert single.run("ASK {}").boolean is True


def test_pool_workers_exit_with_the_pool(real_kg: KnowledgeGraph) -> None:
    with start_pool(real_kg, 2) as started:
        pids = started.pids()
        assert len(pids) == 2 and not any(process_gone(p) for p in pids)
    assert all(process_gone(p) for p in pids) and started.pids() == []
    with pytest.raises(QueryFailedError, match="closed"):
        started.run("ASK {}")


def test_pool_workers_do_not_keep_the_servers_sockets(real_kg: KnowledgeGraph) -> None:
    """A worker forked while a client connection is open must not hold it (the close would never reach the
    client): workers keep only their own socket."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        inode = os.fstat(listener.fileno()).st_ino
        with start_pool(real_kg, 1) as single:
            [pid] = single.pids()
            assert single.run("ASK {}").boolean is True  # the worker has set itself up
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            assert f"socket:[{inode}]" not in links
            assert sum(link.startswith("socket:") for link in links) == 1
    finally:
        listener.close()


ORPHAN_SCRIPT = """
import sys, threading
from kg import load
from kg.query.guard.policy import QueryLimits
from kg.query.guard.pool import QueryPool
pool = QueryPool(load().snapshot(), 2)
threading.Thread(target=pool.run, args=(sys.argv[1], QueryLimits(timeout_s=600)), daemon=True).start()
while pool.busy() < 1:
    pass
print(*pool.pids(), flush=True)
threading.Event().wait()
"""


def test_pool_workers_exit_when_their_parent_is_killed() -> None:
    """Killed outright, the parent never closes its pool: its workers, idle or in the middle of a runaway
    query, notice and exit by themselves."""
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT, CARTESIAN_COUNT], stdout=subprocess.PIPE,
                              text=True, cwd=Path(__file__).resolve().parent.parent, start_new_session=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2 and not any(process_gone(p) for p in pids)
        parent.kill()
        parent.wait()
        assert wait_until(lambda: all(process_gone(p) for p in pids), timeout=10), "orphaned query workers"
    finally:
        if parent.poll() is None:
            parent.kill()
        try:
            os.killpg(parent.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
