"""One query in a child process that is killed when its time is up, under an address-space cap.

The process mechanics only: what a query process answers (`Answer`, with a `Status`), how it evaluates and reads a
result into plain cells (`evaluate`), how it is started (`run_isolated`: forked, sharing the loaded store
copy-on-write, or a fresh interpreter fed an N-Quads dump where there is no fork) and how its memory is capped
(`cap_memory`). Which queries may run and what an answer means to a caller is kg.query.guard.policy's business;
the pre-forked workers of a server are kg.query.guard.pool.
"""
from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import pickle
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from enum import Enum
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from kg.model.namespace import PREFIXES
from kg.model.terms import Cell, to_cell
from kg.query.text import QueryForm, leading_keyword


class Status(Enum):
    """What became of a query in its process."""

    OK = "ok"  # evaluated: `Answer.evaluation` holds the result
    SYNTAX = "syntax"  # the parser's message
    FORBIDDEN = "forbidden"  # refused before it ran (pool workers check each query themselves)
    ERROR = "error"  # the engine's message, or the memory cap's
    RENDERED = "rendered"  # evaluated and written out by the caller's function (pool workers): `Answer.body`
    TIMEOUT = "timeout"  # still running at the time limit: killed
    DIED = "died"  # ended without answering (the engine aborted at the memory cap, a crash)


@dataclass(frozen=True)
class Evaluation:
    """A result read into plain cells (kg.model.terms), at most `max_rows` of them; `truncated` when there were more.
    CONSTRUCT and DESCRIBE cells are (subject, predicate, object) and `ntriples` their N-Triples text."""

    kind: QueryForm
    columns: list[str]
    cells: list[tuple[Cell | None, ...]] = field(default_factory=list)
    truncated: bool = False
    boolean: bool | None = None
    ntriples: str | None = None


@dataclass(frozen=True)
class Answer:
    """A query process's reply. Only plain tuples and strings cross the pipe inside it: pickling pyoxigraph terms
    costs ~6x more. For RENDERED the evaluation carries only the kind and `truncated` (no cells)."""

    status: Status
    message: str = ""  # SYNTAX, FORBIDDEN, ERROR, DIED: what went wrong
    evaluation: Evaluation | None = None  # OK, RENDERED
    body: bytes = b""  # RENDERED
    retire: bool = False  # a pool worker that exits after this answer (memory cap hit, or grown too large)


def run_isolated(store: ox.Store | None, text: str, *, timeout_s: float, max_rows: int, max_memory_mb: int | None,
                 start_method: str | None = None) -> Answer:
    """Parse and evaluate `text` in a child process (over an empty store when `store` is None), killed when
    `timeout_s` is up. `start_method`: 'fork' (shares the loaded graph), 'subprocess' (a fresh interpreter loads a
    dump), or None for fork where the platform has it."""
    method = start_method or ("fork" if "fork" in mp.get_all_start_methods() else "subprocess")
    start = time.perf_counter()
    if method == "fork":
        return _run_forked(store, text, timeout_s, max_rows, max_memory_mb, start)
    if method == "subprocess":
        return _run_subprocess(store, text, timeout_s, max_rows, max_memory_mb, start)
    raise ValueError(f"start_method must be 'fork' or 'subprocess', not {method!r}")


def _run_forked(store: ox.Store | None, text: str, timeout_s: float, max_rows: int, max_memory_mb: int | None,
                start: float) -> Answer:
    """Evaluate in a forked child that shares the loaded store; kill it when the time is up."""
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(store, text, max_rows, max_memory_mb, sender),
                          daemon=True, name="kg-user-query")
    process.start()
    sender.close()  # so a child that dies leaves us an EOF instead of a pipe that never answers
    try:
        if not receiver.poll(max(0.0, timeout_s - (time.perf_counter() - start))):
            process.kill()
            process.join()
            return Answer(Status.TIMEOUT)
        try:
            answer: Answer = receiver.recv()
        except EOFError:
            process.join()
            return Answer(Status.DIED, death_message(process.exitcode, max_memory_mb))
        return answer
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()


def _run_subprocess(store: ox.Store | None, text: str, timeout_s: float, max_rows: int, max_memory_mb: int | None,
                    start: float) -> Answer:
    """Evaluate in a fresh interpreter fed an N-Quads dump (where fork does not exist); kill it on time-out.
    A plain subprocess, not multiprocessing's spawn, so the caller's __main__ is never re-imported."""
    dump = store.dump(format=ox.RdfFormat.N_QUADS) if store is not None else b""
    request = pickle.dumps((dump, text, max_rows, max_memory_mb))
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    process = subprocess.Popen([sys.executable, "-c", f"from {__name__} import worker_main; worker_main()"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        out, err = process.communicate(request, timeout=max(0.0, timeout_s - (time.perf_counter() - start)))
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return Answer(Status.TIMEOUT)
    if not out:
        detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        message = death_message(process.returncode, max_memory_mb) + (f": {detail[0]}" if detail[0] else "")
        return Answer(Status.DIED, message)
    answer: Answer = pickle.loads(out)  # our own child's reply
    return answer


def worker_main() -> None:
    """Entry point of the subprocess runner: a pickled request on stdin, a pickled Answer on stdout."""
    dump, text, max_rows, max_memory_mb = pickle.loads(sys.stdin.buffer.read())
    cap_memory(max_memory_mb)
    store = ox.Store()
    store.load(dump, format=ox.RdfFormat.N_QUADS)
    sys.stdout.buffer.write(pickle.dumps(evaluate(store, text, max_rows, max_memory_mb)))
    sys.stdout.buffer.flush()


def death_message(exitcode: int | None, max_memory_mb: int | None) -> str:
    memory = f" (did it need more than the {max_memory_mb} MB memory limit?)" if max_memory_mb else ""
    return f"the query process ended without an answer, exit code {exitcode}{memory}"


def silence_stderr() -> None:
    """In a query process: send stderr (and an inherited faulthandler's traceback dump) to /dev/null. The engine
    aborts with a message on stderr when it hits the memory cap; the parent reports that itself, so it stays out
    of the caller's terminal or log."""
    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _child(store: ox.Store | None, text: str, max_rows: int, max_memory_mb: int | None, conn: Connection) -> None:
    """Forked child: cap memory, evaluate, send one Answer back."""
    try:
        silence_stderr()
        cap_memory(max_memory_mb)
        conn.send(evaluate(store if store is not None else ox.Store(), text, max_rows, max_memory_mb))
    finally:
        conn.close()


def evaluate(store: ox.Store, text: str, max_rows: int, max_memory_mb: int | None) -> Answer:
    """Run the query (project prefixes predeclared) and read at most max_rows + 1 results: OK with the
    Evaluation, SYNTAX or ERROR with a message. A triples result of a DESCRIBE is named 'describe'."""
    try:
        evaluation = collect(store.query(text, prefixes=PREFIXES), max_rows)
    except SyntaxError as exc:
        return Answer(Status.SYNTAX, str(exc.args[0]) if exc.args else str(exc))
    except MemoryError:
        return Answer(Status.ERROR, f"the query needed more than the {max_memory_mb} MB memory limit")
    except Exception as exc:  # the engine's own message (OSError for evaluation errors)
        return Answer(Status.ERROR, f"{type(exc).__name__}: {exc}")
    if evaluation.kind == "construct" and leading_keyword(text) == "DESCRIBE":
        evaluation = replace(evaluation, kind="describe")
    return Answer(Status.OK, evaluation=evaluation)


def collect(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, max_rows: int) -> Evaluation:
    """Read a pyoxigraph result into plain cells, stopping at max_rows + 1 rows."""
    if isinstance(result, ox.QueryBoolean):
        return Evaluation("ask", [], boolean=bool(result))
    truncated = False
    cells: list[tuple[Cell | None, ...]] = []
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        for solution in result:
            if len(cells) >= max_rows:
                truncated = True  # a (max_rows + 1)th row exists: stop reading and say so
                break
            cells.append(tuple(map(to_cell, solution)))  # a solution iterates its values in column order
        return Evaluation("select", columns, cells, truncated)
    lines: list[str] = []
    for triple in result:
        if len(cells) >= max_rows:
            truncated = True
            break
        cells.append((to_cell(triple.subject), to_cell(triple.predicate), to_cell(triple.object)))
        lines.append(f"{triple} .\n")
    return Evaluation("construct", ["subject", "predicate", "object"], cells, truncated, ntriples="".join(lines))


def mapped_bytes() -> int:
    """This process's address space now (VmSize), the quantity RLIMIT_AS limits."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def cap_memory(max_memory_mb: int | None, *, soft_only: bool = False) -> None:
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
        limit = mapped_bytes() + max_memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard if soft_only else limit))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no rlimits on this platform: only the time limit applies
