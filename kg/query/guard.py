"""Run SPARQL typed by a user (the app's query page, the HTTP endpoint, `kg query -`) without letting it
change the graph, call out to the network, or run for ever.

How the time limit is enforced, and why this way (measured on the real graph, 3,748 triples, 2 cores):

* pyoxigraph (0.5) has no timeout or cancellation in its Python API (oxigraph/oxigraph#1926; the Rust
  CancellationToken of oxigraph#1409 is not exposed). `Store.query()` evaluates aggregates and sorts
  before it returns, so a check between result rows never runs for `SELECT (COUNT(*) …)` over a cartesian
  product. pyoxigraph releases the GIL while it works, so a watchdog thread *can* return to the caller on
  time, but the abandoned query keeps a core busy until it finishes (for a three-way cartesian product:
  effectively never). A thread does not bound the work, only the wait.
* So each user query runs in a child process that is killed when the time is up. With the `fork` start
  method (Linux, the default here) the child shares the already-loaded store copy-on-write: a small query
  costs ~14 ms end to end (median of 20; 7 ms at best). Where fork does not exist it falls back to a fresh
  interpreter fed an N-Quads dump of the graph: ~0.4 s a query, counted inside the time limit.
* The parent waits on the result pipe with `poll(remaining time)`, then SIGKILLs the child. Measured
  overshoot of the wall time beyond `timeout_s` (timeout 1 s, the cartesian COUNT above): median 12 ms,
  worst 23 ms in 8 runs with fork; ~5 ms with the subprocess fallback. tests/test_safety.py asserts it
  stays under one second. The row cap is applied in the child, which stops reading results at
  `max_rows + 1`, and on Linux the child's address space is capped (`max_memory_mb`) so a huge sort is
  stopped (in ~0.2 s at 200 MB) before it can exhaust the machine.
* Forking a process that has other threads (Streamlit, uvicorn) copies only the calling thread; the child
  touches nothing but the store and the pipe, and if it ever hung the time limit would still kill it.
* A fork per query costs ~20 ms of CPU under load (page tables copied, pages faulted, the process torn
  down: mostly kernel time), which capped the HTTP endpoint at ~50 queries/s on 2 cores however many
  clients. `QueryPool` (used by kg.serve.server) forks its workers once and keeps them: same checks and limits,
  a query costs the evaluation plus ~0.3 ms of pipe traffic, and only a worker that ran past the time
  limit, died or hit the memory cap is killed and forked again. The app and `kg query` keep the one-off
  child of `run_user_query`: one query at a time needs no resident processes.

Read-only is guaranteed by the engine call itself: the child only ever calls `Store.query`, whose grammar
has no update operations. `check_read_only` exists to give a clear message first, and to refuse SERVICE
(pyoxigraph would otherwise make the HTTP request).
"""
from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import re
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.model.namespace import PREFIXES
from kg.query.text import keywords

if TYPE_CHECKING:
    import pandas as pd

    from kg.store.graph import KnowledgeGraph

QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH"})
_LOCATED = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


class QueryError(Exception):
    """Anything that stops a user query from giving an answer; the app and endpoint catch this one class."""


class QuerySyntaxError(QueryError):
    """The text is not valid SPARQL. `line` and `column` count from 1, as editors do; they are where
    pyoxigraph's parser gave up, which is at or just after the mistake (for a missing term, often the
    next token)."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None, source_line: str | None = None):
        self.detail = detail
        self.line = line
        self.column = column
        self.source_line = source_line
        where = f"line {line}, column {column}: " if line is not None else ""
        text = f"SPARQL syntax error at {where}{detail}"
        if source_line is not None and column is not None:
            text += f"\n    {source_line}\n    {' ' * (column - 1)}^"
        super().__init__(text)


class ForbiddenQueryError(QueryError):
    """A query this interface will not run: a SPARQL Update, or one that calls a remote SERVICE."""


class QueryTimeoutError(QueryError):
    """The query ran past its time limit and was stopped."""

    def __init__(self, timeout_s: float, elapsed: float):
        self.timeout_s = timeout_s
        self.elapsed = elapsed
        super().__init__(f"the query was stopped after {elapsed:.2f} s: the time limit is {timeout_s:g} s "
                         "(narrow the pattern, add LIMIT, or avoid unconnected triple patterns)")


class QueryFailedError(QueryError):
    """The engine failed while evaluating the query (or the query process died, e.g. out of memory)."""


@dataclass(frozen=True)
class QueryLimits:
    """Limits for one user query. `max_memory_mb` caps the query process's extra address space (Linux only);
    `start_method` picks how the query process starts: 'fork' (shares the loaded graph) or 'subprocess'
    (a fresh interpreter loads a dump); None uses fork where the platform has it."""

    timeout_s: float = 10.0
    max_rows: int = 10_000
    max_memory_mb: int | None = 2048
    start_method: str | None = None


@dataclass
class UserQueryResult:
    """What a user query returned, already capped.

    `rows` hold plain Python values (str, int, float, bool; None when unbound) for tables; `terms` hold the
    same cells as pyoxigraph terms (None when unbound), for serialisers that need datatypes (the HTTP
    endpoint). For CONSTRUCT and DESCRIBE, `rows` are (subject, predicate, object) and `graph_nt` is the
    N-Triples text.
    """

    kind: str  # "select", "ask", "construct" or "describe"
    columns: list[str]
    rows: list[tuple[Any, ...]]
    graph_nt: str | None = None
    truncated: bool = False
    elapsed: float = 0.0
    boolean: bool | None = None
    terms: list[tuple[Any, ...]] = field(default_factory=list, repr=False)

    def dataframe(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (for ASK: one column 'result')."""
        import pandas as pd

        if self.kind == "ask":
            return pd.DataFrame({"result": [self.boolean]})
        return pd.DataFrame(self.rows, columns=self.columns)


# ------------------------------------------------------------------------------------------- checking

def check_read_only(text: str, *, parse_timeout_s: float = 2.0) -> str:
    """Check that `text` is one read-only SPARQL query and return its form ('select', 'ask', 'construct',
    'describe').

    Raises ForbiddenQueryError for SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, COPY, MOVE,
    ADD) and for SERVICE, and QuerySyntaxError (with line and column) for anything pyoxigraph cannot parse.
    The project prefixes (kg.model.namespace.PREFIXES) count as declared.

    pyoxigraph has no parse-only call: `Store.query` also evaluates, and even over an empty store a few KB
    of VALUES blocks make a cross product that runs for minutes (3 x 300 values: 2 s). So the parse runs
    in a child process too; one still running after `parse_timeout_s` has parsed (a syntax error shows in
    milliseconds) and is only being evaluated, so it is stopped and the query passes the check.
    """
    first = _refuse(text)
    try:
        status, payload = _isolated(None, text, QueryLimits(timeout_s=parse_timeout_s, max_rows=0))
    except (QueryTimeoutError, QueryFailedError):
        status, payload = "ok", None  # parsed; evaluation over no data was what took the time or memory
    if status == "syntax":
        raise syntax_error(SyntaxError(payload), text)
    if first in QUERY_FORMS:
        return QUERY_FORMS[first]
    return str(payload[0]) if status == "ok" and payload else "select"


def _refuse(text: str) -> str:
    """Refuse updates and SERVICE from the query's words alone (no parsing, no evaluation); return the
    first keyword after the prologue."""
    words = keywords(text)
    body = [w for w in words if w not in ("PREFIX", "BASE")]
    first = body[0] if body else ""
    if first in UPDATE_KEYWORDS:
        raise ForbiddenQueryError(
            f"SPARQL Update ({first}) is not allowed here: the graph is read-only. "
            "Only SELECT, ASK, CONSTRUCT and DESCRIBE queries can be run."
        )
    if "SERVICE" in words:  # pyoxigraph would make the HTTP request
        raise ForbiddenQueryError("SERVICE (federated queries to other endpoints) is not allowed here: "
                                  "queries run against this graph only.")
    return first


# Whitespace, comments and PREFIX/BASE declarations, then the query form's keyword. Atomic groups and
# possessive quantifiers: no backtracking, so any text is matched or rejected in linear time.
_LEADING_FORM = re.compile(
    r"(?>\s|#[^\n]*+|PREFIX\s*+[\w.\-]*+:\s*+<[^\s<>\"{}|^`\\]*+>|BASE\s*+<[^\s<>\"{}|^`\\]*+>)*+"
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:.-])", re.I)


def query_form(text: str) -> str | None:
    """The query form ('select', 'ask', 'construct', 'describe') named by the first keyword after the
    prologue, read with one regular expression (microseconds), for choosing a response format before the
    query runs; None when the text does not plainly start with one (then ask check_read_only).

    It refuses nothing and parses nothing: run_user_query and QueryPool check every query (updates,
    SERVICE) before it reaches the engine, and the engine's own parse has the last word."""
    m = _LEADING_FORM.match(text)
    return QUERY_FORMS[m.group(1).upper()] if m else None


def syntax_error(exc: SyntaxError, text: str) -> QuerySyntaxError:
    """pyoxigraph's 'error at L:C: expected …' as a QuerySyntaxError with a readable message."""
    message = str(exc.args[0]) if exc.args else str(exc)
    m = _LOCATED.match(message)
    if not m:
        return QuerySyntaxError(" ".join(message.split()))
    line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else None
    return QuerySyntaxError(_readable(detail), line, column, source)


def _readable(detail: str) -> str:
    """Trim the parser's expectation list: drop Unicode character classes, name the usual mistakes."""
    if "Prefix not found" in detail:
        return ("undeclared prefix: declare it with PREFIX, or use one the graph predeclares "
                "(hs:, c:, claim:, ev:, pf:, res:, char:, disc:, work:, person:, … see docs/MODEL.md)")
    if "variable that is unbound" in detail:
        return "the SELECT names a variable that the GROUP BY does not keep (group by it or aggregate it)"
    detail = re.sub(r"\[[^\]]*(?:\.\.=|\\u\{)[^\]]*\]", "", detail)
    detail = re.sub(r"\[_\]", "", detail)
    detail = re.sub(r"(,\s*)+", ", ", " ".join(detail.split())).strip(" ,")
    return detail or "unexpected text"


# ------------------------------------------------------------------------------------------- running

def run_user_query(kg: KnowledgeGraph, text: str, limits: QueryLimits | None = None) -> UserQueryResult:
    """Refuse updates and SERVICE, then parse and run `text` in a child process under `limits` (one child:
    a syntax error comes back from it with its line and column).

    Raises QuerySyntaxError, ForbiddenQueryError, QueryTimeoutError or QueryFailedError (all QueryError).
    The wall time is bounded by `limits.timeout_s` plus the time to kill the child (milliseconds). A graph
    held in a remote store (kg.connect) goes to kg.store.remote.run_user_query, which applies the same checks.
    """
    limits = limits or QueryLimits()
    backend = getattr(kg, "backend", None)
    if backend is not None:  # a graph in a remote store: its server does the work
        from kg.store.remote import run_user_query as run_remote

        return run_remote(backend, text, limits)
    first = _refuse(text)
    start = time.perf_counter()
    status, payload = _isolated(kg.store, text, limits)
    return _finish(text, first, status, payload, time.perf_counter() - start)


def _finish(text: str, first: str, status: str, payload: Any, elapsed: float) -> UserQueryResult:
    """A query process's answer as a UserQueryResult, or the QueryError it stands for."""
    if status == "syntax":
        raise syntax_error(SyntaxError(payload), text)
    if status == "forbidden":
        raise ForbiddenQueryError(payload)
    if status == "error":
        raise QueryFailedError(payload)
    kind = "describe" if first == "DESCRIBE" and payload[0] == "construct" else str(payload[0])
    result = _result(kind, payload)
    result.elapsed = elapsed
    return result


def _isolated(store: ox.Store | None, text: str, limits: QueryLimits) -> tuple[str, Any]:
    """Parse and evaluate `text` in a child process (over an empty store when `store` is None), killed when
    `limits.timeout_s` is up. Returns ('ok', payload), ('syntax', message) or ('error', message); raises
    QueryTimeoutError or QueryFailedError (the child died)."""
    method = limits.start_method or ("fork" if "fork" in mp.get_all_start_methods() else "subprocess")
    start = time.perf_counter()
    if method == "fork":
        return _run_forked(store, text, limits, start)
    if method == "subprocess":
        return _run_subprocess(store, text, limits, start)
    raise ValueError(f"start_method must be 'fork' or 'subprocess', not {method!r}")


def _run_forked(store: ox.Store | None, text: str, limits: QueryLimits, start: float) -> tuple[str, Any]:
    """Evaluate in a forked child that shares the loaded store; kill it when the time is up."""
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(store, text, limits.max_rows, limits.max_memory_mb, sender),
                          daemon=True, name="kg-user-query")
    process.start()
    sender.close()  # so a child that dies leaves us an EOF instead of a pipe that never answers
    try:
        if not receiver.poll(max(0.0, limits.timeout_s - (time.perf_counter() - start))):
            process.kill()
            process.join()
            raise QueryTimeoutError(limits.timeout_s, time.perf_counter() - start)
        try:
            answer: tuple[str, Any] = receiver.recv()
        except EOFError:
            process.join()
            raise QueryFailedError(_death_message(process.exitcode, limits)) from None
        return answer
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()


def _run_subprocess(store: ox.Store | None, text: str, limits: QueryLimits, start: float) -> tuple[str, Any]:
    """Evaluate in a fresh interpreter fed an N-Quads dump (where fork does not exist); kill it on time-out.
    A plain subprocess, not multiprocessing's spawn, so the caller's __main__ is never re-imported."""
    import pickle
    import subprocess
    from pathlib import Path

    dump = store.dump(format=ox.RdfFormat.N_QUADS) if store is not None else b""
    request = pickle.dumps((dump, text, limits.max_rows, limits.max_memory_mb))
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    process = subprocess.Popen([sys.executable, "-c", "from kg.query.guard import _worker_main; _worker_main()"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = process.communicate(request, timeout=max(0.0, limits.timeout_s - (time.perf_counter() - start)))
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise QueryTimeoutError(limits.timeout_s, time.perf_counter() - start) from None
    if not out:
        detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise QueryFailedError(_death_message(process.returncode, limits) + (f": {detail[0]}" if detail[0] else ""))
    answer: tuple[str, Any] = pickle.loads(out)  # our own child's reply
    return answer


def _worker_main() -> None:
    """Entry point of the subprocess runner: a pickled request on stdin, a pickled answer on stdout."""
    import pickle

    dump, text, max_rows, max_memory_mb = pickle.loads(sys.stdin.buffer.read())
    _cap_memory(max_memory_mb)
    store = ox.Store()
    store.load(dump, format=ox.RdfFormat.N_QUADS)
    sys.stdout.buffer.write(pickle.dumps(_evaluate(store, text, max_rows, max_memory_mb)))
    sys.stdout.buffer.flush()


def _death_message(exitcode: int | None, limits: QueryLimits) -> str:
    memory = f" (did it need more than the {limits.max_memory_mb} MB memory limit?)" if limits.max_memory_mb else ""
    return f"the query process ended without an answer, exit code {exitcode}{memory}"


def _child(store: ox.Store | None, text: str, max_rows: int, max_memory_mb: int | None, conn: Any) -> None:
    """Forked child: cap memory, evaluate, send one message back."""
    try:
        # The engine aborts with a message on stderr when it hits the memory cap; the parent reports that
        # itself, so keep the child's stderr (and an inherited faulthandler's traceback dump) out of the
        # caller's terminal or log.
        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        _cap_memory(max_memory_mb)
        conn.send(_evaluate(store if store is not None else ox.Store(), text, max_rows, max_memory_mb))
    finally:
        conn.close()


def _evaluate(store: ox.Store, text: str, max_rows: int, max_memory_mb: int | None) -> tuple[str, Any]:
    """Run the query and read at most max_rows + 1 results: ('ok', (kind, columns, cells, truncated, nt or
    boolean)), ('syntax', message) or ('error', message). Only plain tuples and strings cross the pipe:
    pickling pyoxigraph terms costs ~6x more (0.27 s against 0.04 s for 10,000 rows of 9 terms)."""
    try:
        return "ok", _collect(store.query(text, prefixes=PREFIXES), max_rows)
    except SyntaxError as exc:
        return "syntax", str(exc.args[0]) if exc.args else str(exc)
    except MemoryError:
        return "error", f"the query needed more than the {max_memory_mb} MB memory limit"
    except Exception as exc:  # the engine's own message (OSError for evaluation errors)
        return "error", f"{type(exc).__name__}: {exc}"


# ("uri", iri) | ("bnode", id) | ("literal", value, datatype or None, language or None) | ("triple", N-Triples)
Cell = tuple[Any, ...]
XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"))
_FLOATS = frozenset(XSD + t for t in ("decimal", "double", "float"))


def _cell(term: Any) -> Cell | None:
    """A pyoxigraph term as a plain tuple shaped like a SPARQL JSON results binding (None when unbound)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return ("literal", term.value, None, term.language)
        return ("literal", term.value, sys.intern(term.datatype.value), None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    return ("triple", str(term))


def _cell_to_python(c: Cell | None) -> Any:
    """A cell as the plain Python value kg.store.graph.to_python would give (numbers and booleans typed)."""
    if c is None:
        return None
    if c[0] == "literal" and c[2] is not None:
        try:
            if c[2] in _INTEGERS:
                return int(c[1])
            if c[2] in _FLOATS:
                return float(c[1])
        except ValueError:
            return c[1]
        if c[2] == XSD + "boolean":
            return c[1] == "true"
    return c[1]


def _cell_to_term(c: Cell | None) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """A cell back as a pyoxigraph term (quoted triples come back as their N-Triples text in a literal)."""
    if c is None:
        return None
    if c[0] == "uri":
        return ox.NamedNode(c[1])
    if c[0] == "bnode":
        return ox.BlankNode(c[1])
    if c[0] == "literal":
        return ox.Literal(c[1], language=c[3]) if c[3] else ox.Literal(c[1], datatype=ox.NamedNode(c[2]))
    return ox.Literal(c[1])


def _collect(result: Any, max_rows: int) -> tuple[str, list[str], list[tuple[Any, ...]], bool, Any]:
    """Read a pyoxigraph result into plain tuples, stopping at max_rows + 1 rows."""
    if isinstance(result, ox.QueryBoolean):
        return "ask", [], [], False, bool(result)
    truncated = False
    cells: list[tuple[Any, ...]] = []
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        for solution in result:
            if len(cells) >= max_rows:
                truncated = True  # a (max_rows + 1)th row exists: stop reading and say so
                break
            cells.append(tuple(map(_cell, solution)))  # a solution iterates its values in column order
        return "select", columns, cells, truncated, None
    lines: list[str] = []
    for triple in result:
        if len(cells) >= max_rows:
            truncated = True
            break
        cells.append((_cell(triple.subject), _cell(triple.predicate), _cell(triple.object)))
        lines.append(f"{triple} .\n")
    return "construct", ["subject", "predicate", "object"], cells, truncated, "".join(lines)


def _result(kind: str, payload: tuple[str, list[str], list[tuple[Any, ...]], bool, Any]) -> UserQueryResult:
    _, columns, cells, truncated, extra = payload
    if kind == "ask":
        return UserQueryResult("ask", [], [], boolean=bool(extra))
    rows = [tuple(_cell_to_python(c) for c in row) for row in cells]
    terms = [tuple(_cell_to_term(c) for c in row) for row in cells]  # ~50 ms for 10,000 rows of 9 cells
    return UserQueryResult(kind, columns, rows, graph_nt=extra if kind in ("construct", "describe") else None,
                           truncated=truncated, terms=terms)


def _mapped_bytes() -> int:
    """This process's address space now (VmSize), the quantity RLIMIT_AS limits."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _cap_memory(max_memory_mb: int | None, *, soft_only: bool = False) -> None:
    """Limit this (child) process's address space to what it maps now plus max_memory_mb (Linux only).

    `soft_only` (pool workers, which serve many queries with their own caps) sets only the soft limit, so the
    next query can be given a different one; None then lifts it back to the hard limit. SPARQL has no way to
    call setrlimit, so the query cannot lift it itself."""
    if not max_memory_mb and not soft_only:
        return
    try:
        import resource

        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        if not max_memory_mb:
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
            return
        limit = _mapped_bytes() + max_memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard if soft_only else limit))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimits on this platform: only the time limit applies


# ------------------------------------------------------------------------------------------- worker pool

class PoolBusyError(QueryError):
    """Every worker of a QueryPool stayed busy for the whole wait, so the query was not started."""

    def __init__(self, workers: int, waited_s: float):
        self.workers = workers
        self.waited_s = waited_s
        super().__init__(f"all {workers} query workers stayed busy for {waited_s:g} s; try again later")


# A worker whose address space has grown by more than this since it started (allocator caches, fragmentation)
# is replaced after its answer: each query's memory cap counts from what the worker maps when it starts the
# query, so without this a long-lived worker's footprint could creep up query after query.
RECYCLE_GROWTH_MB = 256
PARENT_CHECK_S = 0.5  # how often a worker checks that the process that forked it is still there


@dataclass
class RenderedResult:
    """A query's answer already written out by the worker that ran it (QueryPool.run_rendered)."""

    kind: str  # "select", "ask", "construct" or "describe"
    body: bytes
    truncated: bool = False
    elapsed: float = 0.0


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Any  # the parent's end of the worker's socket pair (multiprocessing.connection.Connection)
    exitcode: int | None = None
    reaped: bool = False


class QueryPool:
    """Pre-forked query processes for a server that runs many user queries: the same limits as
    run_user_query (time limit, row cap, memory cap, read-only), without a fork per query.

    Each worker is forked once the graph is loaded, so it shares `store` copy-on-write; it reads
    (query text, row cap, memory cap) from its own socket pair, refuses updates and SERVICE itself (the same
    check as run_user_query, made in the process that runs the query), caps its address space (soft
    RLIMIT_AS: what it maps now plus the cap), evaluates with `Store.query` (no update grammar) and sends the
    answer back as plain tuples, or (run_rendered) as the bytes a caller's function wrote, so a server's
    serialising runs in the workers too, in parallel and inside the limits. `run` takes an idle worker
    (waiting up to the time limit: PoolBusyError after that), and:

    * past the time limit, SIGKILLs the worker, reaps it, forks a replacement and raises QueryTimeoutError;
    * if the worker dies without answering (the engine aborts at the memory cap, a crash), reaps it, forks a
      replacement and raises QueryFailedError naming the exit code and the memory cap;
    * a worker that hit a MemoryError or whose address space grew by RECYCLE_GROWTH_MB is replaced after
      answering.

    Workers end with the pool: `close()` (or leaving the `with` block) kills and reaps them; a worker whose
    parent died (killed outright, so close() never ran) notices within PARENT_CHECK_S and exits, and one
    whose socket is closed exits at once. Thread-safe: any number of threads may call `run` at once; at most
    `size` queries run at a time. Needs os.fork (where there is none, use run_user_query).
    """

    def __init__(self, store: ox.Store, workers: int | None = None) -> None:
        if "fork" not in mp.get_all_start_methods():
            raise RuntimeError("QueryPool needs os.fork; run_user_query works without it (a subprocess a query)")
        self.store = store
        self.size = max(1, workers or os.cpu_count() or 1)
        self.replaced = 0  # workers killed (time limit), lost (died) or recycled, each replaced by a new one
        self._owner = os.getpid()
        self._forking = threading.Lock()  # one fork at a time: each child then knows every sibling's socket
        self._cond = threading.Condition()  # guards the fields below
        self._workers: dict[int, _Worker] = {}
        self._idle: list[_Worker] = []
        self._missing = 0  # replacements that could not be forked yet (tried again when a query needs one)
        self._closed = False
        try:
            for _ in range(self.size):
                self._idle.append(self._spawn())
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> QueryPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pids(self) -> list[int]:
        """Process ids of the live workers (busy or idle)."""
        with self._cond:
            return sorted(self._workers)

    def busy(self) -> int:
        """How many workers are running a query now."""
        with self._cond:
            return len(self._workers) - len(self._idle)

    @property
    def closed(self) -> bool:
        return self._closed

    def run(self, text: str, limits: QueryLimits | None = None, *, wait_s: float | None = None) -> UserQueryResult:
        """run_user_query on a pool worker: refuse updates and SERVICE, then parse and run `text` under
        `limits` (its start_method is ignored). Waits up to `wait_s` (default: the time limit) for a free
        worker. Raises QuerySyntaxError, ForbiddenQueryError, QueryTimeoutError, QueryFailedError or
        PoolBusyError (all QueryError)."""
        limits = limits or QueryLimits()
        status, payload, elapsed = self.execute(text, limits, wait_s=wait_s)
        return _finish(text, "", status, payload, elapsed)

    def run_rendered(self, text: str, limits: QueryLimits, render: Callable[..., bytes], *args: Any,
                     wait_s: float | None = None) -> RenderedResult:
        """Like `run`, but the worker also writes the answer out: `render(result, *args)` gets the
        UserQueryResult and returns bytes. `render` must be a module-level function (it is pickled by name)
        and `args` picklable; it runs in the worker, under the memory cap and within the time limit. An
        exception from it is a QueryFailedError."""
        limits = limits or QueryLimits()
        status, payload, elapsed = self.execute(text, limits, render=(render, args), wait_s=wait_s)
        if status != "rendered":
            _finish(text, "", status, payload, elapsed)  # raises the error the status stands for
            raise QueryFailedError(f"the query process answered {status!r} instead of a rendered result")
        kind, body, truncated = payload
        return RenderedResult(kind, body, truncated, elapsed)

    def execute(self, text: str, limits: QueryLimits, *, render: tuple[Callable[..., bytes], tuple[Any, ...]] | None = None,
                wait_s: float | None = None) -> tuple[str, Any, float]:
        """Check and evaluate `text` on a worker: (status, payload, seconds), status being 'ok', 'syntax',
        'forbidden', 'error' or (with `render`) 'rendered', timed from the moment the worker has the query;
        raises QueryTimeoutError, QueryFailedError or PoolBusyError."""
        wait_s = limits.timeout_s if wait_s is None else wait_s
        deadline = time.monotonic() + wait_s
        worker = self._acquire(deadline, wait_s)
        while not self._alive(worker):  # died while idle (killed from outside): take another
            self._discard(worker)
            self._refill()
            worker = self._acquire(deadline, wait_s)
        start = time.perf_counter()
        healthy = False
        try:
            try:
                worker.conn.send((text, limits.max_rows, limits.max_memory_mb, render))
                if not worker.conn.poll(max(0.0, limits.timeout_s - (time.perf_counter() - start))):
                    raise QueryTimeoutError(limits.timeout_s, time.perf_counter() - start)
                status, payload, retire = worker.conn.recv()
            except (EOFError, OSError):  # died without answering: memory cap, a crash, or close() meanwhile
                exitcode = self._discard(worker)
                if self._closed:
                    raise QueryFailedError("the query pool was closed while the query ran") from None
                raise QueryFailedError(_death_message(exitcode, limits)) from None
            healthy = not retire
            return status, payload, time.perf_counter() - start
        finally:
            if healthy:
                self._release(worker)
            else:  # timed out, died, retiring, or interrupted mid-query: its state is unknown, never reuse it
                self._discard(worker)
                self._refill()

    def close(self) -> None:
        """Kill and reap every worker (a query running on one fails with QueryFailedError). Idempotent."""
        if os.getpid() != self._owner:
            return  # a forked copy of the pool object: the workers are not this process's children
        with self._cond:
            self._closed = True
            workers = list(self._workers.values())
            self._idle.clear()
            self._cond.notify_all()
        for worker in workers:
            self._discard(worker)

    # -------------------------------------------------------------------------------- internals

    def _acquire(self, deadline: float, wait_s: float) -> _Worker:
        """An idle worker, waiting until `deadline` (time.monotonic()) for one."""
        with self._cond:
            while True:
                if self._closed:
                    raise QueryFailedError("the query pool is closed")
                if self._idle:
                    return self._idle.pop()  # the most recently used: its pages are warm
                if self._missing:
                    self._missing -= 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PoolBusyError(self.size, wait_s)
                self._cond.wait(remaining)
        try:
            return self._spawn()
        except OSError as exc:
            with self._cond:
                self._missing += 1
            raise QueryFailedError(f"could not start a query process: {exc}") from None

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if not self._closed and worker.pid in self._workers:
                self._idle.append(worker)
                self._cond.notify()
                return
        self._discard(worker)

    def _refill(self) -> None:
        """Fork a replacement for a discarded worker (or remember to, if forking fails now)."""
        if self._closed:
            return
        try:
            worker = self._spawn()
        except OSError:
            with self._cond:
                self._missing += 1
                self._cond.notify()
            return
        with self._cond:
            self.replaced += 1
        self._release(worker)

    def _spawn(self) -> _Worker:
        with self._forking:
            with self._cond:
                siblings = [w.conn.fileno() for w in self._workers.values()]
            parent_end, child_end = mp.Pipe(duplex=True)
            parent_pid = os.getpid()
            pid = os.fork()
            if pid == 0:  # the worker; it never returns into the caller's code
                code = 70
                try:
                    _close_inherited(child_end.fileno(), (*siblings, parent_end.fileno()))
                    code = _pool_worker(self.store, child_end, parent_pid)
                finally:
                    os._exit(code)
            child_end.close()
            worker = _Worker(pid, parent_end)
            with self._cond:
                self._workers[pid] = worker
            return worker

    def _alive(self, worker: _Worker) -> bool:
        """Whether `worker` is still running; one that has exited is reaped here (its exit code kept)."""
        try:
            pid, status = os.waitpid(worker.pid, os.WNOHANG)
        except ChildProcessError:
            worker.reaped = True
            return False
        if pid == 0:
            return True
        worker.exitcode, worker.reaped = os.waitstatus_to_exitcode(status), True
        return False

    def _discard(self, worker: _Worker) -> int | None:
        """Kill and reap `worker` if it is still in the pool (once); its exit code (-signal when killed).
        The pid is signalled only while it is still our unreaped child, so never a reused pid."""
        with self._cond:
            mine = self._workers.get(worker.pid) is worker
            if mine:
                del self._workers[worker.pid]
        if mine:
            if not worker.reaped:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                try:
                    _, status = os.waitpid(worker.pid, 0)
                    worker.exitcode = os.waitstatus_to_exitcode(status)
                except ChildProcessError:
                    pass
                worker.reaped = True
            worker.conn.close()
        return worker.exitcode


def _close_inherited(keep: int, known: tuple[int, ...]) -> None:
    """In a new worker: close the sockets and pipes it inherited (the server's listening socket, its clients'
    connections, the other workers' sockets), except its own, `keep`. A client connection the server closes
    then really closes, and a worker sees EOF when the server is gone. Files stay open (an on-disk store's).
    Without a list of open descriptors, closes the `known` ones (the siblings' sockets)."""
    fds: list[int] = list(known)
    for listing in ("/proc/self/fd", "/dev/fd"):
        try:
            fds = [int(name) for name in os.listdir(listing)]
            break
        except (OSError, ValueError):
            continue
    for fd in fds:
        if fd <= 2 or fd == keep:
            continue
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode) or fd in known:
                os.close(fd)
        except OSError:
            pass  # the listing's own descriptor, already closed


def _pool_worker(store: ox.Store, conn: Any, parent_pid: int) -> int:
    """A pool worker's loop: one (text, max_rows, max_memory_mb) request at a time, one answer each, until
    its socket closes. Returns the exit code."""
    faulthandler.disable()  # as in _child: the engine's abort message at the memory cap is reported by the pool
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group: the server
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # stops its pool itself
    except ValueError:
        pass
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True, name="kg-parent-watch").start()
    baseline = _vm_size()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return 0  # the pool closed its end, or the server is gone
        text, max_rows, max_memory_mb, render = request
        _cap_memory(max_memory_mb, soft_only=True)
        status, payload = _checked_evaluate(store, text, max_rows, max_memory_mb, render)
        size = _vm_size() if baseline is not None else None
        retire = (status == "error" and "memory limit" in payload
                  or size is not None and baseline is not None and size - baseline > RECYCLE_GROWTH_MB * 1024 * 1024)
        conn.send((status, payload, retire))
        if retire:
            return 0


def _checked_evaluate(store: ox.Store, text: str, max_rows: int, max_memory_mb: int | None,
                      render: tuple[Callable[..., bytes], tuple[Any, ...]] | None) -> tuple[str, Any]:
    """In a pool worker: refuse updates and SERVICE, evaluate, name DESCRIBE results, and write the answer
    out with `render` if given: ('rendered', (kind, body, truncated)) or what _evaluate returns, or
    ('forbidden', message)."""
    try:
        first = _refuse(text)
    except ForbiddenQueryError as exc:
        return "forbidden", str(exc)
    status, payload = _evaluate(store, text, max_rows, max_memory_mb)
    if status != "ok":
        return status, payload
    if first == "DESCRIBE" and payload[0] == "construct":
        payload = ("describe", *payload[1:])
    if render is None:
        return status, payload
    try:
        result = _result(payload[0], payload)
        function, args = render
        return "rendered", (result.kind, function(result, *args), result.truncated)
    except MemoryError:
        return "error", f"writing the answer needed more than the {max_memory_mb} MB memory limit"
    except Exception as exc:
        return "error", f"the answer could not be written: {type(exc).__name__}: {exc}"


def _vm_size() -> int | None:
    """_mapped_bytes, or None where /proc/self/statm does not exist."""
    try:
        return _mapped_bytes()
    except (OSError, ValueError):
        return None


def _exit_with_parent(parent_pid: int) -> None:
    """A worker's watchdog thread: exit when the process that forked it is gone (killed without closing its
    pool), even in the middle of a query."""
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent_pid:
            os._exit(0)
