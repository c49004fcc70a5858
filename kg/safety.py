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

Read-only is guaranteed by the engine call itself: the child only ever calls `Store.query`, whose grammar
has no update operations. `check_read_only` exists to give a clear message first, and to refuse SERVICE
(pyoxigraph would otherwise make the HTTP request).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import re
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.namespace import PREFIXES

if TYPE_CHECKING:
    import pandas as pd

    from kg.store import KnowledgeGraph

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

def _keywords(text: str) -> list[str]:
    """Bare words of the query, upper-cased, outside comments, strings and IRIs; prefixed names and
    variables are skipped, so `ex:SERVICE` or `?service` are not mistaken for the keyword."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch in "\"'":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif ch == "<" and (m := re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:])):
            i += len(m.group(0))
        elif ch in "?$":
            m = re.match(r"[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*", text[i:])
            i += len(m.group(0)) if m else 1
        elif ch.isalpha() or ch == "_":
            m = re.match(r"[\w\-.]*(:[\w\-.:%\\]*)?", text[i:])
            assert m is not None
            word = m.group(0)
            if ":" not in word:
                words.append(word.rstrip(".").upper())
            i += max(len(word), 1)
        else:
            i += 1
    return words


def check_read_only(text: str, *, parse_timeout_s: float = 2.0) -> str:
    """Check that `text` is one read-only SPARQL query and return its form ('select', 'ask', 'construct',
    'describe').

    Raises ForbiddenQueryError for SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, COPY, MOVE,
    ADD) and for SERVICE, and QuerySyntaxError (with line and column) for anything pyoxigraph cannot parse.
    The project prefixes (kg.namespace.PREFIXES) count as declared.

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
    words = _keywords(text)
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
    held in a remote store (kg.connect) goes to kg.remote.run_user_query, which applies the same checks.
    """
    limits = limits or QueryLimits()
    backend = getattr(kg, "backend", None)
    if backend is not None:  # a graph in a remote store: its server does the work
        from kg.remote import run_user_query as run_remote

        return run_remote(backend, text, limits)
    first = _refuse(text)
    start = time.perf_counter()
    status, payload = _isolated(kg.store, text, limits)
    elapsed = time.perf_counter() - start
    if status == "syntax":
        raise syntax_error(SyntaxError(payload), text)
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
    process = subprocess.Popen([sys.executable, "-c", "from kg.safety import _worker_main; _worker_main()"],
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
        import faulthandler

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
    """A cell as the plain Python value kg.store.to_python would give (numbers and booleans typed)."""
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


def _cap_memory(max_memory_mb: int | None) -> None:
    """Limit this (child) process's address space to what it maps now plus max_memory_mb (Linux only)."""
    if not max_memory_mb:
        return
    try:
        import resource

        with open("/proc/self/statm") as handle:
            current = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = current + max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimits on this platform: only the time limit applies
