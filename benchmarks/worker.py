"""One benchmark task in its own process (so peak memory is per engine): `python -m benchmarks.worker TASK ...`.

The tasks live in benchmarks/tasks/. Each writes its results as JSON to --out after every step; the runner
(benchmarks.run) starts the workers, enforces the outer timeout and collects the files.
"""
from __future__ import annotations

import time

T_START = time.perf_counter()  # before any other import: the restart task counts the worker's imports

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from benchmarks.common import Recorder  # noqa: E402
from benchmarks.tasks import analysis, build, engines, pages, serve  # noqa: E402
from benchmarks.tasks.shared import Task  # noqa: E402

TASKS: dict[str, Task] = {
    "generate": build.task_generate, "build": build.task_build, "raw_bib": build.task_raw_bib,
    "raw_load": build.task_raw_load, "shacl": build.task_shacl,
    "ox_mem": engines.task_ox_mem, "ox_disk": engines.task_ox_disk, "restart": engines.task_restart,
    "rdflib": engines.task_rdflib, "server": engines.task_server,
    "network": analysis.task_network, "evidence": analysis.task_evidence,
    "app_page": pages.task_app_page, "serve_load": serve.task_serve_load,
}


def _int_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    p.add_argument("task", choices=sorted(TASKS))
    p.add_argument("--out", type=Path)
    p.add_argument("--data", type=Path)
    p.add_argument("--bib", type=Path)
    p.add_argument("--nt", type=Path)
    p.add_argument("--queries", type=Path)
    p.add_argument("--store", type=Path)
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    p.add_argument("--papers", type=int)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--cap", type=float, default=None, help="per-operation time cap, seconds")
    p.add_argument("--load-cap", type=float, default=180.0)
    p.add_argument("--mem-cap", type=float, default=None, help="address-space cap, MiB (rdflib, shacl)")
    p.add_argument("--first-query", default="claim_evidence")
    p.add_argument("--max-nodes", type=int, nargs="*", default=[500, 2000],
                   help="network: vis-network caps besides the app's default (--app-cap)")
    p.add_argument("--app-cap", type=int, default=150,
                   help="network: the Network page's default node cap (DEFAULT_CAP in app_pages/network.py)")
    p.add_argument("--page", help="app_page: the page module, as in app.PAGES, e.g. app_pages/claims.py")
    p.add_argument("--clients", type=_int_list, default=[1, 4, 8], help="serve_load: concurrent clients, e.g. 1,4,8")
    p.add_argument("--duration", type=float, default=10.0, help="serve_load: seconds per load level")
    p.add_argument("--request-timeout", type=float, default=60.0, help="serve_load: client timeout per request")
    p.add_argument("--mixes", type=lambda t: t.split(","), default=["point", "lookup", "all"],
                   help="serve_load: query mixes: point (--point-query alone), lookup (every query not counted as an "
                        "aggregate), all (every named query)")
    p.add_argument("--point-query", default="claim_evidence", help="serve_load: the query of the point mix")
    return p


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    a.t_start = T_START
    rec = Recorder(a.out)
    rec["task"] = a.task
    try:
        TASKS[a.task](a, rec)
    except Exception as exc:
        rec["error"] = f"{type(exc).__name__}: {exc}"
        rec["traceback"] = traceback.format_exc()[-4000:]
        rec.save()
        print(rec.data["traceback"], file=sys.stderr)
        return 1
    rec["wall_s"] = time.perf_counter() - T_START
    rec.save()
    if a.out is None:
        print(json.dumps(rec.data, indent=1, default=str))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
