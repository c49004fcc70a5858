"""Shared pieces of the benchmark scripts: time caps, timing, memory, the named queries and their parameters.

Standard library plus the project's own packages; nothing here is a test.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import signal
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.model.namespace import PREFIXES
from kg.query.binding import bind_values
from kg.query.named import NamedQuery, list_queries, parse_iri
from kg.query.text import keywords, with_prefixes

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache"
RESULTS = REPO / "benchmarks" / "results"


class Stopped(Exception):
    """An operation hit its time cap."""


@contextlib.contextmanager
def cap(seconds: float | None) -> Iterator[None]:
    """Raise Stopped after `seconds` (SIGALRM). Interrupts Python code; a long call inside Rust (pyoxigraph)
    is only stopped when it returns to Python, so the runner also kills the whole worker at its own timeout."""
    if not seconds:
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise Stopped(f"stopped after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss), MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb(pid: int | str = "self") -> float:
    """Current resident set size (VmRSS) of this process or of `pid`, MiB; NaN once that process is gone. (The peak
    of a server a task started is its ru_maxrss, which the harness reads when it reaps it.)"""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class Timing:
    """Median of the runs made; `stopped` when the first run hit its cap (then `seconds` is the cap, a bound)."""

    seconds: float
    runs: list[float] = field(default_factory=list)
    stopped: bool = False
    error: str | None = None
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"seconds": round(self.seconds, 6), "runs": [round(r, 6) for r in self.runs]}
        if self.stopped:
            d["stopped"] = True
        if self.error:
            d["error"] = self.error
        return d


def timed(func: Callable[[], Any], *, repeat: int = 3, cap_s: float | None = None, single_if_over: float = 30.0,
          setup: Callable[[], None] | None = None) -> Timing:
    """Run `func` up to `repeat` times (fewer if the first run is slow) and keep the median wall time.

    The value returned by the last run is kept in `.value` (for row counts), then dropped by the caller.
    """
    runs: list[float] = []
    value: Any = None
    for i in range(repeat):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        try:
            with cap(cap_s):
                value = func()
        except Stopped:
            if not runs:
                return Timing(cap_s or 0.0, [], stopped=True)
            break
        except MemoryError:
            return Timing(float("nan"), runs, error="MemoryError (address-space cap reached)")
        except Exception as exc:  # a broken query or a missing feature: recorded, not fatal
            return Timing(float("nan"), runs, error=f"{type(exc).__name__}: {exc}"[:500])
        runs.append(time.perf_counter() - t0)
        if i == 0 and runs[0] > single_if_over:
            break
    return Timing(statistics.median(runs), runs, value=value)


class Recorder:
    """Results of one worker, rewritten to its JSON file after every step (a killed worker keeps its partial
    results)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.data: dict[str, Any] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.save()

    def save(self) -> None:
        self.data["peak_rss_mb"] = round(rss_mb(), 1)
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, self.path)


# ------------------------------------------------------------------------------------------- named queries

def named_queries() -> list[NamedQuery]:
    """Every named query (kg.query.named.list_queries), with its parsed header."""
    return list_queries()


def aggregate(query: NamedQuery, bound: dict[str, Any]) -> bool:
    """Collection-wide aggregation: GROUP BY/COUNT/SUM with no parameter bound to narrow it."""
    return bool({"GROUP", "COUNT", "SUM"} & set(keywords(query.text))) and not bound


def _sample_values(select: Callable[[str], list[dict[str, Any]]]) -> dict[str, str]:
    """Representative values from the graph at hand: the most-evidenced claim and study, a broad concept."""
    values: dict[str, str] = {}
    rows = select("""SELECT ?claim (COUNT(?e) AS ?n) WHERE { ?e hs:evidenceFor ?claim } GROUP BY ?claim
                     ORDER BY DESC(?n) ?claim LIMIT 1""")
    if rows:
        values["claim"] = rows[0]["claim"]
    rows = select("""SELECT ?key (COUNT(?e) AS ?n) WHERE { ?e hs:evidenceFrom ?p . ?p hs:bibKey ?key }
                     GROUP BY ?key ORDER BY DESC(?n) ?key LIMIT 1""")
    if rows:
        values["study"] = rows[0]["key"]
    rows = select("""SELECT ?person (COUNT(?w) AS ?n) WHERE { ?w dcterms:creator ?person } GROUP BY ?person
                     ORDER BY DESC(?n) ?person LIMIT 1""")
    if rows:
        values["person"] = rows[0]["person"]
    rows = select("""SELECT ?key (COUNT(?c) AS ?n) WHERE { ?s a hs:SourceArticle ; hs:bibKey ?key .
                     OPTIONAL { ?c cito:hasCitingEntity ?s } } GROUP BY ?key ORDER BY DESC(?n) ?key LIMIT 1""")
    if rows:
        values["source"] = rows[0]["key"]
    return values


def choose_params(query: NamedQuery, select: Callable[[str], list[dict[str, Any]]],
                  cache: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Parameter values for `query` on this graph, as (kind, value) with kind 'iri' or 'literal': the declared
    default when it exists in the graph, otherwise a representative value of the same kind (the curated defaults
    name real studies and claims, which a synthetic corpus does not have). String and integer defaults are kept
    as they are; optional parameters without a default are left unbound."""
    if not cache:
        cache.update(_sample_values(select))
    chosen: dict[str, tuple[str, str]] = {}
    for p in query.params:
        if p.default is None:
            continue
        if p.type == "iri":
            iri = parse_iri(p.default).value
            exists = select(f"SELECT ?x WHERE {{ <{iri}> ?p ?x }} LIMIT 1")
            chosen[p.name] = ("iri", iri) if exists else _by_name(p.name, p.type, cache)
        elif p.type == "work":
            exists = select(f"""SELECT ?p WHERE {{ ?p hs:bibKey "{p.default}" }} LIMIT 1""")
            chosen[p.name] = ("literal", p.default) if exists else _by_name(p.name, p.type, cache)
        else:
            chosen[p.name] = ("literal", p.default)
    return chosen


def _by_name(name: str, kind: str, cache: dict[str, str]) -> tuple[str, str]:
    if "claim" in name:
        return ("iri", cache["claim"])
    if "person" in name or "author" in name:
        return ("iri", cache["person"])
    if "source" in name or "article" in name:
        return ("literal", cache["source"])
    if "study" in name or kind == "work" or "paper" in name:
        return ("literal", cache["study"])
    if "test" in name:
        return ("iri", PREFIXES["c"] + "mri")
    if "outcome" in name:
        return ("iri", PREFIXES["c"] + "pain")
    if "condition" in name:
        return ("iri", PREFIXES["c"] + "hip-osteoarthritis")
    return ("iri", PREFIXES["c"] + "hip-surgery")


def bound_sparql(query: NamedQuery, params: dict[str, tuple[str, str]]) -> str:
    """The query text with every project prefix it lacks declared and its parameters bound as VALUES,
    runnable unchanged by Oxigraph (embedded or server) and rdflib."""
    terms = {name: ox.NamedNode(v) if kind == "iri" else ox.Literal(v) for name, (kind, v) in params.items()}
    return with_prefixes(bind_values(query.text, terms))


def api_params(params: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The same parameter values as plain strings, for kg.query.named.run_named."""
    return {name: value for name, (_, value) in params.items()}


def count_rows(result: Any) -> int:
    """Materialise every row of a query result (pyoxigraph, rdflib, list or DataFrame) and count them."""
    if isinstance(result, int):
        return result
    if isinstance(result, tuple) and result and isinstance(result[0], str):  # (html, omitted)
        return len(result[0])
    if hasattr(result, "shape"):
        return int(result.shape[0])
    if isinstance(result, (list, tuple)):
        return len(result)
    if hasattr(result, "rows"):
        return len(result.rows)
    n = 0
    for row in result:
        if hasattr(row, "__iter__") and not isinstance(row, (str, bytes)):
            for _ in row:
                pass
        n += 1
    return n


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of an already sorted list; None when empty."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def machine() -> dict[str, Any]:
    """nproc, memory, CPU model, load average: the context every figure needs."""
    info: dict[str, Any] = {"nproc": os.cpu_count()}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(("MemTotal", "MemAvailable", "SwapTotal")):
                key, value = line.split(":", 1)
                info[key] = f"{int(value.split()[0]) / 1024 / 1024:.1f} GiB"
    info["loadavg"] = os.getloadavg()
    return info
