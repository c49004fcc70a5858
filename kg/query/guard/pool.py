"""Pre-forked query processes for a server that runs many user queries, under the same limits as a one-off query.

A fork per query costs ~20 ms of CPU under load (page tables copied, pages faulted, the process torn down: mostly
kernel time), which capped the HTTP endpoint at ~50 queries/s on 2 cores however many clients. `QueryPool` forks
its workers once and keeps them: the same checks and limits, a query costs the evaluation plus ~0.3 ms of pipe
traffic, and only a worker that ran past the time limit, died or hit the memory cap is killed and forked again.

Parent and worker speak in two dataclasses over a socket pair: a `Request` (query text, row cap, memory cap, and
optionally the function that writes the answer out) and a kg.query.guard.sandbox `Answer` (a `Status` and its
payload).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from kg.query.guard.policy import (
    ForbiddenQueryError,
    QueryError,
    QueryFailedError,
    QueryLimits,
    UserQueryResult,
    refuse,
    result_of,
    user_result,
)
from kg.query.guard.sandbox import Answer, Evaluation, Status, cap_memory, death_message, evaluate, mapped_bytes, silence_stderr
from kg.query.text import QueryForm

# A worker whose address space has grown by more than this since it started (allocator caches, fragmentation)
# is replaced after its answer: each query's memory cap counts from what the worker maps when it starts the
# query, so without this a long-lived worker's footprint could creep up query after query.
RECYCLE_GROWTH_MB = 256
PARENT_CHECK_S = 0.5  # how often a worker checks that the process that forked it is still there

Render = Callable[..., bytes]  # render(result: UserQueryResult, *args) -> the answer's bytes


class PoolBusyError(QueryError):
    """Every worker of a QueryPool stayed busy for the whole wait, so the query was not started."""

    def __init__(self, workers: int, waited_s: float):
        self.workers = workers
        self.waited_s = waited_s
        super().__init__(f"all {workers} query workers stayed busy for {waited_s:g} s; try again later")


@dataclass(frozen=True)
class Request:
    """One query for a worker. `render` (a module-level function: it is pickled by name) and `render_args`
    write the answer out in the worker (QueryPool.run_rendered)."""

    text: str
    max_rows: int
    max_memory_mb: int | None
    render: Render | None = None
    render_args: tuple[Any, ...] = ()


@dataclass
class RenderedResult:
    """A query's answer already written out by the worker that ran it (QueryPool.run_rendered)."""

    kind: QueryForm
    body: bytes
    truncated: bool = False
    elapsed: float = 0.0


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Connection  # the parent's end of the worker's socket pair
    exitcode: int | None = None
    reaped: bool = False


class QueryPool:
    """Pre-forked query processes: the same limits as a one-off user query (time limit, row cap, memory cap,
    read-only), without a fork per query.

    Each worker is forked once the graph is loaded, so it shares `store` copy-on-write; it reads a Request
    from its own socket pair, refuses updates and SERVICE itself (the same check as every user query, made in
    the process that runs the query), caps its address space (soft RLIMIT_AS: what it maps now plus the cap),
    evaluates with `Store.query` (no update grammar) and sends back an Answer of plain tuples, or (run_rendered)
    the bytes a caller's function wrote, so a server's serialising runs in the workers too, in parallel and
    inside the limits. `run` takes an idle worker (waiting up to the time limit: PoolBusyError after that), and:

    * past the time limit, SIGKILLs the worker, reaps it, forks a replacement and raises QueryTimeoutError;
    * if the worker dies without answering (the engine aborts at the memory cap, a crash), reaps it, forks a
      replacement and raises QueryFailedError naming the exit code and the memory cap;
    * a worker that hit a MemoryError or whose address space grew by RECYCLE_GROWTH_MB is replaced after
      answering.

    Workers end with the pool: `close()` (or leaving the `with` block) kills and reaps them; a worker whose
    parent died (killed outright, so close() never ran) notices within PARENT_CHECK_S and exits, and one
    whose socket is closed exits at once. Thread-safe: any number of threads may call `run` at once; at most
    `size` queries run at a time. Needs os.fork (where there is none, run queries one at a time through
    KnowledgeGraph.run_user_query).
    """

    def __init__(self, store: ox.Store, workers: int | None = None) -> None:
        if "fork" not in mp.get_all_start_methods():
            raise RuntimeError("QueryPool needs os.fork; KnowledgeGraph.run_user_query works without it")
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
        """A user query on a pool worker: refuse updates and SERVICE, then parse and run `text` under `limits`
        (its start_method is ignored). Waits up to `wait_s` (default: the time limit) for a free worker. Raises
        QuerySyntaxError, ForbiddenQueryError, QueryTimeoutError, QueryFailedError or PoolBusyError (all
        QueryError)."""
        limits = limits or QueryLimits()
        answer, elapsed = self.execute(Request(text, limits.max_rows, limits.max_memory_mb), limits, wait_s=wait_s)
        return result_of(answer, text, limits, elapsed)

    def run_rendered(self, text: str, limits: QueryLimits, render: Render, *args: Any,
                     wait_s: float | None = None) -> RenderedResult:
        """Like `run`, but the worker also writes the answer out: `render(result, *args)` gets the
        UserQueryResult and returns bytes. `render` must be a module-level function (it is pickled by name)
        and `args` picklable; it runs in the worker, under the memory cap and within the time limit. An
        exception from it is a QueryFailedError."""
        limits = limits or QueryLimits()
        request = Request(text, limits.max_rows, limits.max_memory_mb, render, args)
        answer, elapsed = self.execute(request, limits, wait_s=wait_s)
        if answer.status is not Status.RENDERED or answer.evaluation is None:
            result_of(answer, text, limits, elapsed)  # raises the error the status stands for
            raise QueryFailedError(f"the query process answered {answer.status.value!r} instead of a rendered result")
        return RenderedResult(answer.evaluation.kind, answer.body, answer.evaluation.truncated, elapsed)

    def execute(self, request: Request, limits: QueryLimits, *, wait_s: float | None = None) -> tuple[Answer, float]:
        """Hand `request` to a worker, which checks and evaluates it: its Answer (TIMEOUT past `limits.timeout_s`,
        DIED if the worker ended without answering) and the seconds from the moment the worker had the query.
        Raises PoolBusyError (no worker free within `wait_s`) or QueryFailedError (the pool is closed)."""
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
                worker.conn.send(request)
                if not worker.conn.poll(max(0.0, limits.timeout_s - (time.perf_counter() - start))):
                    return Answer(Status.TIMEOUT), time.perf_counter() - start
                answer: Answer = worker.conn.recv()
            except (EOFError, OSError):  # died without answering: memory cap, a crash, or close() meanwhile
                exitcode = self._discard(worker)
                if self._closed:
                    raise QueryFailedError("the query pool was closed while the query ran") from None
                return Answer(Status.DIED, death_message(exitcode, limits.max_memory_mb)), time.perf_counter() - start
            healthy = not answer.retire
            return answer, time.perf_counter() - start
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
                    code = _worker_loop(self.store, child_end, parent_pid)
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


# ------------------------------------------------------------------------------------------- in the worker

def _close_inherited(keep: int, known: tuple[int, ...]) -> None:
    """In a new worker: close the sockets and pipes it inherited (a server's listening socket, its clients'
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


def _worker_loop(store: ox.Store, conn: Connection, parent_pid: int) -> int:
    """A pool worker's loop: one Request at a time, one Answer each, until its socket closes. Returns the exit
    code."""
    silence_stderr()  # as in a one-off query process: the pool reports the engine's abort at the memory cap
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group: the server
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # stops its pool itself
    except ValueError:
        pass
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True, name="kg-parent-watch").start()
    baseline = _vm_size()
    while True:
        try:
            request: Request = conn.recv()
        except (EOFError, OSError):
            return 0  # the pool closed its end, or the server is gone
        cap_memory(request.max_memory_mb, soft_only=True)
        answer = _answer(store, request)
        size = _vm_size() if baseline is not None else None
        retire = (answer.status is Status.ERROR and "memory limit" in answer.message
                  or size is not None and baseline is not None and size - baseline > RECYCLE_GROWTH_MB * 1024 * 1024)
        conn.send(Answer(answer.status, answer.message, answer.evaluation, answer.body, retire))
        if retire:
            return 0


def _answer(store: ox.Store, request: Request) -> Answer:
    """In a pool worker: refuse updates and SERVICE, evaluate, and write the answer out with the request's
    render function if it has one."""
    try:
        refuse(request.text)
    except ForbiddenQueryError as exc:
        return Answer(Status.FORBIDDEN, str(exc))
    answer = evaluate(store, request.text, request.max_rows, request.max_memory_mb)
    if answer.status is not Status.OK or answer.evaluation is None or request.render is None:
        return answer
    evaluation = answer.evaluation
    try:
        body = request.render(user_result(evaluation), *request.render_args)
    except MemoryError:
        return Answer(Status.ERROR, f"writing the answer needed more than the {request.max_memory_mb} MB memory limit")
    except Exception as exc:
        return Answer(Status.ERROR, f"the answer could not be written: {type(exc).__name__}: {exc}")
    return Answer(Status.RENDERED, evaluation=Evaluation(evaluation.kind, [], truncated=evaluation.truncated), body=body)


def _vm_size() -> int | None:
    """mapped_bytes, or None where /proc/self/statm does not exist."""
    try:
        return mapped_bytes()
    except (OSError, ValueError):
        return None


def _exit_with_parent(parent_pid: int) -> None:
    """A worker's watchdog thread: exit when the process that forked it is gone (killed without closing its
    pool), even in the middle of a query."""
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent_pid:
            os._exit(0)
