"""Start and stop real servers on loopback, for tests and benchmarks: Oxigraph, Virtuoso, `kg serve`, Streamlit.

Standard library only, so any test module, conftest or benchmark can import it. Every server:

* binds 127.0.0.1 on a free port (never 0.0.0.0),
* writes its output to a log file in its own temporary directory,
* is waited for with a timeout; if it does not come up, ``ServerStartError`` carries the log tail,
* is stopped with SIGTERM, then SIGKILL after a timeout, and its temporary directory removed; once reaped,
  ``rusage`` holds what the kernel counted for it (``peak_rss_mb`` is its peak resident memory).

A missing binary raises ``MissingDependency`` (a RuntimeError) naming the Debian/PyPI package.
Tests using these helpers therefore fail, never skip, when the machine lacks the engine
(``scripts/install-system-deps.sh`` installs the Debian ones).

Usage::

    with OxigraphServer() as oxi:
        oxi.put_turtle("http://example.org/g", "<urn:a> <urn:b> <urn:c> .")
        sparql_query(oxi.query_url, "SELECT * WHERE { ?s ?p ?o }")
"""
from __future__ import annotations

import http.client
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, NamedTuple, Self

LOOPBACK = "127.0.0.1"
SPARQL_JSON = "application/sparql-results+json"


class MissingDependency(RuntimeError):
    """A binary a real-engine test needs is not installed (tests fail; they do not skip)."""


class ServerStartError(RuntimeError):
    """A server did not become ready in time, or exited while starting."""


class IsqlError(ServerStartError):
    """``isql-vt`` reported a SQL error (``sql_error``) or could not connect."""

    def __init__(self, sql_error: bool, message: str) -> None:
        super().__init__(message)
        self.sql_error = sql_error


# --------------------------------------------------------------------------- waiting, ports, binaries


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll `condition` until it holds or `timeout` passes (a wait for an event, not a timed assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def process_gone(pid: int) -> bool:
    """The process has exited: no /proc entry, or a zombie nobody has reaped yet."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def venv_bin(name: str) -> Path | None:
    """The console script ``name`` next to the running interpreter, else on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def require_binary(name: str, package: str, *, venv: bool = False) -> Path:
    """Path of ``name`` or ``MissingDependency`` naming ``package`` (never a skip, also in CI)."""
    path = venv_bin(name) if venv else (Path(p) if (p := shutil.which(name)) else None)
    if path is None:
        where = (
            f"pip install '{package}' into the venv ({Path(sys.executable).parent})"
            if venv
            else f"apt-get install -y --no-install-recommends {package}  (or run scripts/install-system-deps.sh as root)"
        )
        ci = " [CI is set: real-engine tests never skip in CI]" if os.environ.get("CI") else ""
        raise MissingDependency(f"'{name}' not found; install it with: {where}{ci}")
    return path


# --------------------------------------------------------------------------- HTTP


class HttpResponse(NamedTuple):
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes


def http_request(
    method: str, url: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None, timeout: float = 30.0
) -> HttpResponse:
    """One request on a new connection, never through a proxy; an HTTP error status is returned, not raised.

    A connection that fails raises OSError (or http.client.HTTPException for a malformed answer).
    """
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = connection(parts.hostname or LOOPBACK, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, target, body=data, headers=dict(headers or {}))
        resp = conn.getresponse()
        return HttpResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def http_status(url: str, *, timeout: float = 2.0, headers: Mapping[str, str] | None = None) -> int | None:
    """HTTP status of a GET to ``url``; None if nothing answers."""
    try:
        return http_request("GET", url, headers=headers, timeout=timeout).status
    except (OSError, http.client.HTTPException):
        return None


def sparql_query(url: str, query: str, *, timeout: float = 60.0, accept: str = SPARQL_JSON) -> HttpResponse:
    """POST ``query`` as application/sparql-query to a SPARQL endpoint on a new connection (Oxigraph, `kg serve`;
    Virtuoso 7 never answers such a POST: send it a GET with ``?query=``)."""
    return http_request("POST", url, data=query.encode("utf-8"), timeout=timeout,
                        headers={"Content-Type": "application/sparql-query", "Accept": accept})


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"<no log: {e}>"
    return "\n".join(text.splitlines()[-lines:]) or "<empty log>"


# --------------------------------------------------------------------------- base


class ProcessServer:
    """A subprocess server on a loopback port, with a private temp dir, a log file and an HTTP readiness check.

    ``new_session`` (the default) starts it in a process group of its own, so stop() also ends whatever it
    spawned. A benchmark passes ``new_session=False`` to keep it in its own group, where the runner's kill of
    that group reaches the server too.
    """

    name = "server"
    start_timeout = 60.0
    stop_timeout = 10.0
    # When the process dies while starting (e.g. another process took the free port in the
    # gap between free_port() and bind), try again on new ports this many times.
    start_attempts = 3

    def __init__(self, *, start_timeout: float | None = None, keep_tmp: bool = False, new_session: bool = True) -> None:
        if start_timeout is not None:
            self.start_timeout = start_timeout
        self.keep_tmp = keep_tmp
        self.new_session = new_session
        self.port: int | None = None
        self.tmpdir: Path | None = None
        self.log_path: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None
        self.rusage: resource.struct_rusage | None = None
        self._log_fh: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def peak_rss_mb(self) -> float | None:
        """Peak resident memory of the server process (ru_maxrss), MiB, once it has been stopped."""
        return round(self.rusage.ru_maxrss / 1024, 1) if self.rusage else None

    # subclasses implement these ---------------------------------------------
    def _prepare(self) -> None:
        """Choose ports and write config files into self.tmpdir (called per attempt)."""
        self.port = free_port()

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _ready_url(self) -> str:
        raise NotImplementedError

    def _cwd(self) -> Path | None:
        return self.tmpdir

    def _env(self) -> dict[str, str] | None:
        return None

    def _is_ready(self) -> bool:
        status = http_status(self._ready_url())
        return status is not None and 200 <= status < 300

    def _after_ready(self) -> None:
        """Post-start setup (e.g. Virtuoso GRANTs)."""

    # lifecycle -----------------------------------------------------------------
    def start(self) -> Self:
        if self.proc is not None:
            raise RuntimeError(f"{self.name} already started")
        self.tmpdir = Path(tempfile.mkdtemp(prefix=f"kg-{self.name}-"))
        self.log_path = self.tmpdir / f"{self.name}.log"
        t0 = time.monotonic()
        try:
            for attempt in range(1, self.start_attempts + 1):
                self._prepare()
                if self._launch_and_wait(attempt):
                    break
            self._after_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _launch_and_wait(self, attempt: int) -> bool:
        assert self.tmpdir is not None and self.log_path is not None
        cmd = self._command()
        self._log_fh = open(self.log_path, "ab")
        self._log_fh.write(f"--- attempt {attempt}: {' '.join(cmd)}\n".encode())
        self._log_fh.flush()
        self.proc = proc = subprocess.Popen(
            cmd,
            cwd=self._cwd(),
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            start_new_session=self.new_session,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                code = proc.returncode
                self._reap()
                if attempt < self.start_attempts:
                    return False  # retry on fresh ports
                raise ServerStartError(
                    f"{self.name} exited with code {code} while starting ({' '.join(cmd)}).\n"
                    f"Log tail:\n{self.log_tail()}"
                )
            if self._is_ready():
                return True
            time.sleep(0.1)
        raise ServerStartError(
            f"{self.name} not ready after {self.start_timeout:.0f} s at {self._ready_url()} "
            f"({' '.join(cmd)}).\nLog tail:\n{self.log_tail()}"
        )

    def _reap(self) -> None:
        """SIGTERM the server (its group, with a session of its own), SIGKILL after ``stop_timeout``, then reap it.

        The leader is only reaped after it has been signalled, so its PID (= the group id) cannot have been reused
        by an unrelated process when we signal it.
        """
        proc, self.proc = self.proc, None
        if proc is not None and proc.returncode is None:
            self._signal(proc, signal.SIGTERM)
            if not self._wait_exited(proc, self.stop_timeout):
                self._signal(proc, signal.SIGKILL)
                self._wait_exited(proc, 10.0)
            if self.new_session:  # leader exited (zombie, not yet reaped): kill any child it left in its group
                self._signal(proc, signal.SIGKILL)
            self._wait_reaped(proc)
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None

    def _signal(self, proc: subprocess.Popen[bytes], sig: int) -> None:
        try:
            if self.new_session:
                os.killpg(proc.pid, sig)
            else:
                os.kill(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _wait_reaped(self, proc: subprocess.Popen[bytes]) -> None:
        """Reap the exited leader with wait4, keeping its resource usage."""
        try:
            pid, status, usage = os.wait4(proc.pid, 0 if self._wait_exited(proc, 10.0) else os.WNOHANG)
        except ChildProcessError:
            return  # reaped elsewhere (e.g. by the test that killed it)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            self.rusage = usage

    @staticmethod
    def _wait_exited(proc: subprocess.Popen[bytes], timeout: float) -> bool:
        """Wait until the leader has exited, without reaping it (WNOWAIT)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                info = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return True  # already reaped
            if info is not None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def stop(self) -> None:
        self._reap()
        if self.tmpdir is not None and not self.keep_tmp:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines) if self.log_path else "<not started>"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SparqlServer(ProcessServer):
    """A SPARQL engine: query, update and Graph Store Protocol endpoints at fixed paths under ``base_url``."""

    query_path = "/sparql"
    update_path = "/sparql"
    store_path = "/sparql-graph-crud"

    @property
    def query_url(self) -> str:
        return self.base_url + self.query_path

    @property
    def update_url(self) -> str:
        return self.base_url + self.update_path

    @property
    def store_url(self) -> str:
        return self.base_url + self.store_path

    def _ready_url(self) -> str:
        return f"{self.query_url}?query=ASK%7B%7D"

    def put_turtle(self, graph: str, turtle: str | bytes) -> int:
        """GSP PUT of Turtle into named graph ``graph``; returns the status (200/201/204), raises otherwise."""
        data = turtle.encode() if isinstance(turtle, str) else turtle
        url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"
        status, _, body = http_request("PUT", url, data=data, headers={"Content-Type": "text/turtle"})
        if status not in (200, 201, 204):
            raise RuntimeError(f"GSP PUT {url} -> {status}: {body[:500]!r}")
        return status


# --------------------------------------------------------------------------- Oxigraph


class OxigraphServer(SparqlServer):
    """``oxigraph serve`` (PyPI ``oxigraph``, the binary next to sys.executable) on a fresh store, or on the
    existing store at ``location`` (which is then left in place).

    Attributes after start: ``port``, ``base_url``, ``query_url`` (/query), ``update_url`` (/update),
    ``store_url`` (/store, Graph Store Protocol), ``location`` (the RocksDB dir), ``startup_seconds``.
    The default graph is not the union of named graphs unless ``union_default_graph=True``.
    """

    name = "oxigraph"
    start_timeout = 30.0
    query_path = "/query"
    update_path = "/update"
    store_path = "/store"

    def __init__(self, *, union_default_graph: bool = False, location: Path | None = None,
                 start_timeout: float | None = None, keep_tmp: bool = False, new_session: bool = True) -> None:
        super().__init__(start_timeout=start_timeout, keep_tmp=keep_tmp, new_session=new_session)
        self.binary = require_binary("oxigraph", "oxigraph", venv=True)
        self.union_default_graph = union_default_graph
        self.given_location = location
        self.location: Path | None = location

    def _prepare(self) -> None:
        assert self.tmpdir is not None
        super()._prepare()
        if self.given_location is None:
            self.location = self.tmpdir / "store"
            shutil.rmtree(self.location, ignore_errors=True)
            self.location.mkdir()

    def _command(self) -> list[str]:
        cmd = [str(self.binary), "serve", "--location", str(self.location), "--bind", f"{LOOPBACK}:{self.port}"]
        if self.union_default_graph:
            cmd.append("--union-default-graph")
        return cmd


# --------------------------------------------------------------------------- Virtuoso

_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {dirs_allowed}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10

[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""


class VirtuosoServer(SparqlServer):
    """A private Virtuoso OSE (Debian ``virtuoso-opensource``) with its own DB dir and ini.

    Both listeners are on 127.0.0.1 free ports. After HTTP ``/sparql`` answers, ``isql-vt`` runs
    ``GRANT SPARQL_UPDATE TO "SPARQL"`` so anonymous GSP and SPARQL Update work. Login is dba/dba (a fresh
    private DB).

    Attributes after start: ``port`` (HTTP), ``sql_port``, ``base_url``, ``query_url`` and ``update_url``
    (/sparql), ``store_url`` (/sparql-graph-crud), ``db_dir``, ``ini_path``, ``startup_seconds``.

    Gotchas: always send an explicit Accept; the default graph is the union of all graphs incl. ~2.5k system
    triples; ``INSERT DATA`` needs GRAPH; typed literals come back in JSON as ``"typed-literal"``; ``isql-vt``
    exits 0 on SQL errors (``isql()`` checks the output).
    """

    name = "virtuoso"
    start_timeout = 120.0
    stop_timeout = 20.0

    # Only SPARQL_UPDATE: granting SPARQL_LOAD_SERVICE_DATA *after* it made anonymous GSP
    # POST/PUT answer 403 again (SR575 ... TTLP_RL_NEW_GRAPH) in 2 of 2 tries here (7.2.5.1);
    # SPARQL_UPDATE alone gives GSP POST/PUT/DELETE and SPARQL Update (LOAD included).
    GRANTS = ('GRANT SPARQL_UPDATE TO "SPARQL";',)

    def __init__(self, *, dirs_allowed: Sequence[str | os.PathLike[str]] = (), start_timeout: float | None = None,
                 keep_tmp: bool = False) -> None:
        super().__init__(start_timeout=start_timeout, keep_tmp=keep_tmp)
        self.binary = require_binary("virtuoso-t", "virtuoso-opensource")
        self.isql_binary = require_binary("isql-vt", "virtuoso-opensource")
        self.extra_dirs = [str(Path(d).resolve()) for d in dirs_allowed]
        self.sql_port: int | None = None
        self.db_dir: Path | None = None
        self.ini_path: Path | None = None

    def _prepare(self) -> None:
        assert self.tmpdir is not None
        self.sql_port = free_port()
        self.port = free_port()
        while self.port == self.sql_port:
            self.port = free_port()
        self.db_dir = self.tmpdir / "db"
        shutil.rmtree(self.db_dir, ignore_errors=True)  # a failed attempt may have left files
        self.db_dir.mkdir()
        dirs = [".", str(self.tmpdir), *self.extra_dirs, "/usr/share/virtuoso-opensource-7/vad"]
        self.ini_path = self.db_dir / "virtuoso.ini"
        self.ini_path.write_text(
            _VIRTUOSO_INI.format(
                db=self.db_dir,
                host=LOOPBACK,
                sql_port=self.sql_port,
                http_port=self.port,
                dirs_allowed=", ".join(dirs),
            )
        )

    def _command(self) -> list[str]:
        # +foreground: the PID we hold is the server itself
        return [str(self.binary), "+foreground", "+configfile", str(self.ini_path)]

    def _cwd(self) -> Path | None:
        return self.db_dir

    def _is_ready(self) -> bool:
        return http_status(self._ready_url(), headers={"Accept": SPARQL_JSON}) == 200

    def _after_ready(self) -> None:
        # HTTP can answer a moment before the SQL listener logs "Server online": retry while
        # isql-vt cannot connect (exit != 0); a SQL error ("*** Error") fails at once.
        deadline = time.monotonic() + 30
        while True:
            try:
                self.isql("\n".join(self.GRANTS))
                return
            except IsqlError as e:
                if e.sql_error or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def log_tail(self, lines: int = 40) -> str:
        out = super().log_tail(lines)
        if self.db_dir is not None and (self.db_dir / "virtuoso.log").exists():
            out += f"\n--- virtuoso.log:\n{_tail(self.db_dir / 'virtuoso.log', lines)}"
        return out

    def isql(self, sql: str, *, timeout: float = 60.0) -> str:
        """Run SQL statements through ``isql-vt``; raise if the output contains ``*** Error``."""
        assert self.tmpdir is not None
        script = self.tmpdir / f"isql-{time.monotonic_ns()}.sql"
        script.write_text(sql if sql.endswith("\n") else sql + "\n")
        try:
            res = subprocess.run(
                [str(self.isql_binary), f"{LOOPBACK}:{self.sql_port}", "dba", "dba", str(script)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                text=True,
            )
        finally:
            script.unlink(missing_ok=True)
        # isql-vt exits 0 on SQL errors; non-zero only when it cannot connect/log in
        if res.returncode != 0 or "*** Error" in res.stdout:
            raise IsqlError(
                "*** Error" in res.stdout,
                f"isql-vt failed (exit {res.returncode}) on:\n{sql}\nOutput:\n{res.stdout}\n"
                f"Server log tail:\n{self.log_tail(20)}"
            )
        return res.stdout


# --------------------------------------------------------------------------- kg serve


class KgServe(SparqlServer):
    """The project's endpoint, ``kg serve ARGS`` (the console script next to sys.executable), on a free port.

    Query answers at ``query_url`` (/sparql); ``args`` are passed on (e.g. ``--data DIR``, ``--workers 2``).
    """

    name = "kg-serve"
    start_timeout = 60.0

    def __init__(self, *args: str, start_timeout: float | None = None, new_session: bool = True) -> None:
        super().__init__(start_timeout=start_timeout, new_session=new_session)
        binary = venv_bin("kg")
        if binary is None:
            raise MissingDependency("the `kg` console script is not installed: pip install -e . into the venv")
        self.binary = binary
        self.args = list(args)

    def _command(self) -> list[str]:
        return [str(self.binary), "serve", "--port", str(self.port), "--log-level", "warning", *self.args]


# --------------------------------------------------------------------------- Streamlit


class StreamlitServer(ProcessServer):
    """``streamlit run APP`` headless on a 127.0.0.1 free port; ready when ``/_stcore/health`` is ok.

    ``env`` entries are added to (not replacing) os.environ. Attributes after start: ``port``,
    ``url`` (= ``base_url``), ``app_path``, ``startup_seconds``.
    """

    name = "streamlit"
    start_timeout = 60.0

    def __init__(
        self,
        app_path: str | os.PathLike[str],
        env: Mapping[str, str] | None = None,
        *,
        cwd: str | os.PathLike[str] | None = None,
        extra_args: Sequence[str] = (),
        start_timeout: float | None = None,
    ) -> None:
        super().__init__(start_timeout=start_timeout)
        self.binary = require_binary("streamlit", "streamlit", venv=True)
        self.app_path = Path(app_path).resolve()
        if not self.app_path.is_file():
            raise FileNotFoundError(f"Streamlit app not found: {self.app_path}")
        self.extra_env = dict(env or {})
        self.work_dir = Path(cwd).resolve() if cwd else self.app_path.parent
        self.extra_args = list(extra_args)

    def _command(self) -> list[str]:
        return [
            str(self.binary), "run", str(self.app_path),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", LOOPBACK,
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
            *self.extra_args,
        ]  # fmt: skip

    def _cwd(self) -> Path | None:
        return self.work_dir

    def _env(self) -> dict[str, str] | None:
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.update(self.extra_env)
        return env

    def _ready_url(self) -> str:
        return f"{self.base_url}/_stcore/health"

    @property
    def url(self) -> str:
        return self.base_url
