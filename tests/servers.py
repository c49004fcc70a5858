"""Start and stop real engines on loopback for tests: Oxigraph server, Virtuoso, Streamlit.

Standard library only, so it can be imported from any conftest or script. Every server:

* binds 127.0.0.1 on a free port (never 0.0.0.0),
* writes its output to a log file in its own temporary directory,
* is waited for with a timeout; if it does not come up, ``ServerStartError`` carries the log tail,
* is stopped with SIGTERM, then SIGKILL after a timeout, and its temporary directory removed.

A missing binary raises ``MissingDependency`` (a RuntimeError) naming the Debian/PyPI package.
Tests using these helpers therefore fail, never skip, when the machine lacks the engine
(``scripts/install-system-deps.sh`` installs the Debian ones).

Usage::

    with OxigraphServer() as oxi:
        oxi.put_turtle("http://example.org/g", "<urn:a> <urn:b> <urn:c> .")
        SPARQLWrapper(oxi.query_url) ...
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = [
    "MissingDependency",
    "ServerStartError",
    "IsqlError",
    "free_port",
    "wait_until",
    "process_gone",
    "venv_bin",
    "require_binary",
    "http_status",
    "http_request",
    "OxigraphServer",
    "VirtuosoServer",
    "StreamlitServer",
    "CHROMIUM_PATH",
    "CHROMIUM_ARGS",
    "chromium_launch_args",
    "is_loopback_url",
    "route_loopback_only",
]

LOOPBACK = "127.0.0.1"

CHROMIUM_PATH = "/usr/bin/chromium"
# From /work/shared/TOOLING.md: without the background-networking flags Chromium keeps trying
# to reach Google hosts, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Loopback requests must never go through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class MissingDependency(RuntimeError):
    """A binary a real-engine test needs is not installed (tests fail; they do not skip)."""


class ServerStartError(RuntimeError):
    """A server did not become ready in time, or exited while starting."""


class IsqlError(ServerStartError):
    """``isql-vt`` reported a SQL error (``sql_error``) or could not connect."""

    def __init__(self, sql_error: bool, message: str) -> None:
        super().__init__(message)
        self.sql_error = sql_error


# --------------------------------------------------------------------------- helpers


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
        return s.getsockname()[1]


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


def http_status(url: str, *, timeout: float = 2.0, headers: Mapping[str, str] | None = None) -> int | None:
    """HTTP status of a GET to ``url``; None if nothing answers."""
    req = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return None


def http_request(
    method: str, url: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None, timeout: float = 30.0
) -> tuple[int, bytes]:
    """(status, body) of a request; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"<no log: {e}>"
    return "\n".join(text.splitlines()[-lines:]) or "<empty log>"


# --------------------------------------------------------------------------- base


class _ProcessServer:
    """A subprocess server with a private temp dir, a log file and an HTTP readiness check."""

    name = "server"
    start_timeout = 60.0
    stop_timeout = 10.0
    # When the process dies while starting (e.g. another process took the free port in the
    # gap between free_port() and bind), try again on new ports this many times.
    start_attempts = 3

    def __init__(self, *, start_timeout: float | None = None, keep_tmp: bool = False) -> None:
        if start_timeout is not None:
            self.start_timeout = start_timeout
        self.keep_tmp = keep_tmp
        self.tmpdir: Path | None = None
        self.log_path: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None
        self._log_fh = None

    # subclasses implement these ---------------------------------------------
    def _prepare(self) -> None:
        """Choose ports and write config files into self.tmpdir (called per attempt)."""

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
    def start(self) -> _ProcessServer:
        if self.proc is not None:
            raise RuntimeError(f"{self.name} already started")
        self.tmpdir = Path(tempfile.mkdtemp(prefix=f"test-{self.name}-"))
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
        self.proc = subprocess.Popen(
            cmd,
            cwd=self._cwd(),
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop() kills it and its children only
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
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
        """SIGTERM the process group, SIGKILL after ``stop_timeout``, then reap the leader.

        The leader is only reaped (``wait``) after the group has been signalled, so its PID
        (= the group id) cannot have been reused by an unrelated process when we signal it.
        """
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.returncode is None:
                self._signal_group(proc, signal.SIGTERM)
                if not self._wait_exited(proc, self.stop_timeout):
                    self._signal_group(proc, signal.SIGKILL)
                    self._wait_exited(proc, 10.0)
                # leader exited (zombie, not yet reaped): kill any child it left in its group
                self._signal_group(proc, signal.SIGKILL)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None

    @staticmethod
    def _signal_group(proc: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    @staticmethod
    def _wait_exited(proc: subprocess.Popen, timeout: float) -> bool:
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

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- Oxigraph


class OxigraphServer(_ProcessServer):
    """``oxigraph serve`` (PyPI ``oxigraph``, the binary next to sys.executable) on a fresh store.

    Attributes after start: ``port``, ``base_url``, ``query_url`` (/query), ``update_url`` (/update),
    ``store_url`` (/store, Graph Store Protocol), ``location`` (the RocksDB dir), ``startup_seconds``.
    The default graph is not the union of named graphs unless ``union_default_graph=True``.
    """

    name = "oxigraph"
    start_timeout = 30.0

    def __init__(self, *, union_default_graph: bool = False, **kw) -> None:
        super().__init__(**kw)
        self.binary = require_binary("oxigraph", "oxigraph", venv=True)
        self.union_default_graph = union_default_graph
        self.port: int | None = None

    def _prepare(self) -> None:
        assert self.tmpdir is not None
        self.port = free_port()
        self.location = self.tmpdir / "store"
        shutil.rmtree(self.location, ignore_errors=True)
        self.location.mkdir()

    def _command(self) -> list[str]:
        cmd = [str(self.binary), "serve", "--location", str(self.location), "--bind", f"{LOOPBACK}:{self.port}"]
        if self.union_default_graph:
            cmd.append("--union-default-graph")
        return cmd

    def _ready_url(self) -> str:
        return f"{self.base_url}/query?query=ASK%7B%7D"

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/store"

    def put_turtle(self, graph: str, turtle: str | bytes) -> int:
        """GSP PUT of Turtle into named graph ``graph``; returns the status (201/204), raises otherwise."""
        return _gsp_put(self.store_url, graph, turtle)


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


class VirtuosoServer(_ProcessServer):
    """A private Virtuoso OSE (Debian ``virtuoso-opensource``) with its own DB dir and ini.

    Both listeners are on 127.0.0.1 free ports. After HTTP ``/sparql`` answers, ``isql-vt`` runs
    ``GRANT SPARQL_UPDATE TO "SPARQL"`` (and SPARQL_LOAD_SERVICE_DATA) so anonymous GSP and
    SPARQL Update work. Login is dba/dba (a fresh private DB).

    Attributes after start: ``sql_port``, ``http_port``, ``port`` (= http_port), ``base_url``,
    ``query_url`` (/sparql), ``update_url`` (/sparql), ``store_url`` (/sparql-graph-crud),
    ``db_dir``, ``ini_path``, ``startup_seconds``.

    Gotchas (TOOLING.md): always send an explicit Accept; the default graph is the union of all
    graphs incl. ~2.5k system triples; ``INSERT DATA`` needs GRAPH; typed literals come back in
    JSON as ``"typed-literal"``; ``isql-vt`` exits 0 on SQL errors (``isql()`` checks the output).
    """

    name = "virtuoso"
    start_timeout = 120.0
    stop_timeout = 20.0

    # Only SPARQL_UPDATE: granting SPARQL_LOAD_SERVICE_DATA *after* it made anonymous GSP
    # POST/PUT answer 403 again (SR575 ... TTLP_RL_NEW_GRAPH) in 2 of 2 tries here (7.2.5.1);
    # SPARQL_UPDATE alone gives GSP POST/PUT/DELETE and SPARQL Update (LOAD included).
    GRANTS = ('GRANT SPARQL_UPDATE TO "SPARQL";',)

    def __init__(self, *, dirs_allowed: Sequence[str | os.PathLike] = (), **kw) -> None:
        super().__init__(**kw)
        self.binary = require_binary("virtuoso-t", "virtuoso-opensource")
        self.isql_binary = require_binary("isql-vt", "virtuoso-opensource")
        self.extra_dirs = [str(Path(d).resolve()) for d in dirs_allowed]
        self.sql_port: int | None = None
        self.http_port: int | None = None

    def _prepare(self) -> None:
        assert self.tmpdir is not None
        self.sql_port = free_port()
        self.http_port = free_port()
        while self.http_port == self.sql_port:
            self.http_port = free_port()
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
                http_port=self.http_port,
                dirs_allowed=", ".join(dirs),
            )
        )

    def _command(self) -> list[str]:
        # +foreground: the PID we hold is the server itself
        return [str(self.binary), "+foreground", "+configfile", str(self.ini_path)]

    def _cwd(self) -> Path | None:
        return self.db_dir

    def _ready_url(self) -> str:
        return f"{self.base_url}/sparql?query=ASK%7B%7D"

    def _is_ready(self) -> bool:
        status = http_status(self._ready_url(), headers={"Accept": "application/sparql-results+json"})
        return status == 200

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
        err_log = getattr(self, "db_dir", None)
        if err_log is not None and (err_log / "virtuoso.log").exists():
            out += f"\n--- virtuoso.log:\n{_tail(err_log / 'virtuoso.log', lines)}"
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

    @property
    def port(self) -> int | None:
        return self.http_port

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.http_port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/sparql-graph-crud"

    def put_turtle(self, graph: str, turtle: str | bytes) -> int:
        """GSP PUT of Turtle into named graph ``graph``; returns the status (201/200/204), raises otherwise."""
        return _gsp_put(self.store_url, graph, turtle)


def _gsp_put(store_url: str, graph: str, turtle: str | bytes) -> int:
    data = turtle.encode() if isinstance(turtle, str) else turtle
    url = f"{store_url}?{urllib.parse.urlencode({'graph': graph})}"
    status, body = http_request("PUT", url, data=data, headers={"Content-Type": "text/turtle"})
    if status not in (200, 201, 204):
        raise RuntimeError(f"GSP PUT {url} -> {status}: {body[:500]!r}")
    return status


# --------------------------------------------------------------------------- Streamlit


class StreamlitServer(_ProcessServer):
    """``streamlit run APP`` headless on a 127.0.0.1 free port; ready when ``/_stcore/health`` is ok.

    ``env`` entries are added to (not replacing) os.environ. Attributes after start: ``port``,
    ``url`` (= ``base_url``), ``app_path``, ``startup_seconds``.
    """

    name = "streamlit"
    start_timeout = 60.0

    def __init__(
        self,
        app_path: str | os.PathLike,
        env: Mapping[str, str] | None = None,
        *,
        cwd: str | os.PathLike | None = None,
        extra_args: Sequence[str] = (),
        **kw,
    ) -> None:
        super().__init__(**kw)
        self.binary = require_binary("streamlit", "streamlit", venv=True)
        self.app_path = Path(app_path).resolve()
        if not self.app_path.is_file():
            raise FileNotFoundError(f"Streamlit app not found: {self.app_path}")
        self.extra_env = dict(env or {})
        self.work_dir = Path(cwd).resolve() if cwd else self.app_path.parent
        self.extra_args = list(extra_args)
        self.port: int | None = None

    def _prepare(self) -> None:
        self.port = free_port()

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
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url


# --------------------------------------------------------------------------- Chromium


def chromium_launch_args(xdg_dir: str | os.PathLike | None = None) -> dict:
    """Playwright ``launch()`` kwargs for Debian's Chromium (never ``playwright install``).

    Returns ``{"executable_path": "/usr/bin/chromium", "args": [...]}``. With ``xdg_dir``, also an
    ``env`` (os.environ plus XDG_CONFIG_HOME/XDG_CACHE_HOME under ``xdg_dir``), because Chromium
    writes ~/.config and ~/.cache even with Playwright's temporary profile.
    """
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        ci = " [CI is set: browser tests never skip in CI]" if os.environ.get("CI") else ""
        raise MissingDependency(
            f"{CHROMIUM_PATH} not found; install it with: apt-get install -y --no-install-recommends chromium "
            f"(or run scripts/install-system-deps.sh as root){ci}"
        )
    kwargs: dict = {"executable_path": CHROMIUM_PATH, "args": list(CHROMIUM_ARGS)}
    if xdg_dir is not None:
        base = Path(xdg_dir)
        (base / "config").mkdir(parents=True, exist_ok=True)
        (base / "cache").mkdir(parents=True, exist_ok=True)
        kwargs["env"] = {
            **os.environ,
            "XDG_CONFIG_HOME": str(base / "config"),
            "XDG_CACHE_HOME": str(base / "cache"),
        }
    return kwargs


_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_loopback_url(url: str) -> bool:
    """True for http(s)/ws(s) URLs on a loopback host, and for non-network schemes (data:, blob:, about:)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True
    host = (parts.hostname or "").lower()
    return host in _LOOPBACK_HOSTS or host.startswith("127.")


def route_loopback_only(target, blocked: list[str] | None = None) -> list[str]:
    """Abort every non-loopback request of a Playwright ``BrowserContext`` or ``Page``.

    Returns the list the aborted URLs are appended to (so a test can assert on or print them).
    Nothing then waits on CDNs the closed network refuses (pyvis links bootstrap from jsdelivr).
    """
    blocked = [] if blocked is None else blocked

    def _handler(route) -> None:
        url = route.request.url
        if is_loopback_url(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    target.route("**/*", _handler)
    return blocked
