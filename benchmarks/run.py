"""Benchmark runner: `python -m benchmarks.run --sizes 1k,10k,100k`.

For each size: generate the synthetic corpus (kg.synth, cached), then run every task in its own worker process
(benchmarks.worker) with an outer timeout, recording its peak RSS (wait4) and the machine's load average.
Writes benchmarks/results/<date>-<commit>.json (sizes merge into the day's file) and the Markdown tables next
to it (benchmarks.report).
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import CACHE, REPO, RESULTS, machine

PY = sys.executable
ALL_TASKS = ("build", "raw_bib", "raw_load", "cli_build", "shacl", "ox_mem", "ox_disk", "restart", "rdflib",
             "server", "network", "evidence", "app", "serve_load")
NEEDS_QUERIES = {"ox_disk", "restart", "rdflib", "server", "serve_load"}  # read queries.json, which ox_mem writes


def parse_size(text: str) -> int:
    from kg.synth import parse_size as ps

    return ps(text)


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


@dataclass
class Finished:
    """How a capped process ended: exit status, wall time, its peak RSS (wait4), whether it was killed, its output."""

    exit: int
    wall_s: float
    peak_rss_mb: float
    killed: bool
    stdout: str
    stderr: str


def run_capped(argv: list[str], timeout: float) -> Finished:
    """Run `argv` from the repository root in a session of its own; SIGKILL its whole process group (the servers a
    worker started included) after `timeout` seconds. Output goes through files, so a chatty process never
    blocks on a full pipe."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=REPO, start_new_session=True, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        killed = False
        while True:  # wait4, not Popen.wait: the rusage of this child is the peak RSS
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Finished(proc.returncode, wall, usage.ru_maxrss / 1024, killed, out.read().decode(errors="replace"),
                        err.read().decode(errors="replace"))


def run_worker(args: list[str], out: Path, timeout: float) -> dict[str, Any]:
    """Run one worker with a hard timeout; its JSON (partial if killed), peak RSS, wall time and load."""
    out.unlink(missing_ok=True)
    load_before = os.getloadavg()[0]
    done = run_capped([PY, "-m", "benchmarks.worker", *args, "--out", str(out)], timeout)
    data: dict[str, Any]
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data["process"] = {"wall_s": round(done.wall_s, 3), "peak_rss_mb": round(done.peak_rss_mb, 1), "exit": done.exit,
                       "killed_after_s": timeout if done.killed else None, "loadavg_before": round(load_before, 2),
                       "loadavg_after": round(os.getloadavg()[0], 2)}
    if done.stderr.strip() and done.exit != 0:
        data.setdefault("stderr", done.stderr[-3000:])
    return data


def time_cli(argv: list[str], repeat: int, timeout: float) -> dict[str, Any]:
    """Wall time of a cold `kg ...` process (imports included): median of `repeat`, with its peak RSS."""
    runs, rss, rc, summary = [], 0.0, 0, ""
    for _ in range(repeat):
        done = run_capped(argv, timeout)
        if done.killed:
            return {"seconds": timeout, "stopped": True}
        runs.append(done.wall_s)
        rc = done.exit
        rss = max(rss, done.peak_rss_mb)
        text = done.stdout.strip()
        summary = text.splitlines()[-1] if text else ""
    runs.sort()
    return {"seconds": runs[len(runs) // 2], "runs": [round(r, 4) for r in runs], "returncode": rc,
            "peak_rss_mb": round(rss, 1), "summary": summary}


def corpus(n: int, seed: int, timeout: float) -> tuple[Path, dict[str, Any]]:
    """The cached corpus for (n, seed), regenerated when kg/synth/ changed."""
    synth_hash = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((REPO / "kg" / "synth").glob("*.py")))).hexdigest()[:16]
    directory = CACHE / f"{label(n)}-seed{seed}"
    stamp = directory / "stamp.json"
    want = {"papers": n, "seed": seed, "synth": synth_hash}
    if stamp.exists() and json.loads(stamp.read_text()).get("key") == want:
        return directory, json.loads(stamp.read_text())["generate"]
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.iterdir():
        if stale.is_file():
            stale.unlink()
    data = run_worker(["generate", "--papers", str(n), "--seed", str(seed), "--data", str(directory)],
                      directory / "generate.json", timeout)
    stamp.write_text(json.dumps({"key": want, "generate": data}, indent=1))
    return directory, data


def run_size(n: int, args: argparse.Namespace, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    big = n >= 100_000
    timeout = args.timeout or (300 if n <= 1000 else 1200 if n <= 10_000 else 2400)
    repeat = 1 if big else 3
    q_cap = 120.0 if not big else 300.0
    data_dir, gen = corpus(n, args.seed, timeout)
    nt = data_dir / "graph.nt"
    queries = data_dir / "queries.json"
    work = data_dir / "work"
    work.mkdir(exist_ok=True)
    size: dict[str, Any] = dict(previous or {})  # tasks not run this time keep their earlier figures
    size.update({"papers": n, "seed": args.seed, "generate": gen,
                            "bib_mb": round((data_dir / "references.bib").stat().st_size / 2**20, 2),
                 "claims_mb": round((data_dir / "claims.ttl").stat().st_size / 2**20, 2)})
    tasks = [t for t in ALL_TASKS if t in args.tasks]
    if not queries.exists() and NEEDS_QUERIES & set(tasks) and "ox_mem" not in tasks:
        tasks.insert(0, "ox_mem")
    if not nt.exists() and "build" not in tasks:
        tasks.insert(0, "build")

    def note(task: str, result: dict[str, Any]) -> None:
        size[task] = result
        proc = result.get("process", {})
        extra = f" rss {proc.get('peak_rss_mb')} MB" if proc else ""
        print(f"  {label(n):>5} {task:<10} {proc.get('wall_s', result.get('seconds', '')):>8}s{extra}"
              f"{'  ERROR ' + str(result.get('error'))[:200] if result.get('error') else ''}"
              f"{'  KILLED' if proc.get('killed_after_s') else ''}", flush=True)

    for task in tasks:
        out = work / f"{task}.json"
        common = ["--data", str(data_dir), "--nt", str(nt), "--queries", str(queries), "--work", str(work)]
        if task == "build":
            note(task, run_worker(["build", *common, "--repeat", str(repeat)], out, timeout))
        elif task == "raw_bib":
            note(task, run_worker(["raw_bib", "--bib", str(data_dir / "references.bib"), "--repeat", str(repeat)], out, timeout))
        elif task == "raw_load":
            note(task, run_worker(["raw_load", "--nt", str(nt), "--repeat", str(repeat)], out, timeout))
        elif task == "cli_build":
            note(task, time_cli([str(Path(PY).parent / "kg"), "build", "--data", str(data_dir)], repeat, timeout))
        elif task == "shacl":
            if n > args.shacl_max:
                size[task] = {"skipped": f"above --shacl-max {label(args.shacl_max)}"}
                continue
            note(task, run_worker(["shacl", *common, "--cap", str(args.shacl_cap), "--mem-cap", str(args.mem_cap)],
                                  out, max(timeout, args.shacl_cap + 600)))
        elif task == "ox_mem":
            note(task, run_worker(["ox_mem", *common, "--repeat", str(repeat), "--cap", str(q_cap)], out, timeout))
        elif task == "ox_disk":
            store = work / "store" / "kg"
            store.parent.mkdir(parents=True, exist_ok=True)
            note(task, run_worker(["ox_disk", *common, "--store", str(store), "--repeat", str(repeat),
                                   "--cap", str(q_cap)], out, timeout))
        elif task == "restart":
            store = work / "store" / "kg"
            os.sync()
            note(task, run_worker(["restart", *common, "--store", str(store)], out, timeout))
        elif task == "rdflib":
            if n > args.rdflib_max:
                size[task] = {"skipped": f"above --rdflib-max {label(args.rdflib_max)}"}
                continue
            n_queries = len(json.loads(queries.read_text())) if queries.exists() else 20
            outer = max(timeout, args.rdflib_load_cap + n_queries * max(args.rdflib_query_cap, 20) + 180)
            note(task, run_worker(["rdflib", *common, "--repeat", str(repeat), "--cap", str(args.rdflib_query_cap),
                                   "--load-cap", str(args.rdflib_load_cap), "--mem-cap", str(args.mem_cap)],
                                  out, outer))
        elif task == "server":
            note(task, run_worker(["server", *common, "--repeat", str(repeat), "--cap", str(q_cap)], out, timeout))
        elif task == "network":
            note(task, run_worker(["network", *common, "--repeat", str(repeat), "--cap", str(q_cap),
                                   "--app-cap", str(app_network_cap())], out, timeout))
        elif task == "evidence":
            note(task, run_worker(["evidence", *common, "--repeat", str(repeat), "--cap", str(q_cap)], out, timeout))
        elif task == "app":
            size[task] = run_app(label(n), common, work, args, q_cap, timeout)
        elif task == "serve_load":
            levels = ",".join(str(c) for c in args.clients)
            outer = timeout + 2 * 3 * len(args.clients) * (args.load_duration + 70)  # 2 servers x 3 mixes x levels
            note(task, run_worker(["serve_load", *common, "--repeat", str(repeat), "--cap", str(q_cap),
                                   "--clients", levels, "--duration", str(args.load_duration),
                                   "--load-cap", str(max(180.0, timeout / 2))], out, outer))
    return size


def app_network_cap() -> int:
    """The Network page's default node cap, read here so the network worker does not import streamlit (its RSS
    is measured). Outside `streamlit run` the page's cache decorators warn that no runtime exists, as expected:
    those warnings are silenced."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    from app_pages.network import DEFAULT_CAP

    return DEFAULT_CAP


def run_app(size_label: str, common: list[str], work: Path, args: argparse.Namespace, cap: float,
            timeout: float) -> dict[str, Any]:
    """Each page of app.py (app.PAGES) in a worker of its own (benchmarks.worker app_page): its first render under
    AppTest, its peak RSS, and its error if it fails (a failing page is reported, not dropped)."""
    from app import PAGES  # imports streamlit: only when the app is measured

    result: dict[str, Any] = {"pages": {}}
    store = work / "store" / "kg"
    for page in PAGES:
        stem = page.name
        data = run_worker(["app_page", *common, "--page", page.path, "--store", str(store), "--cap", str(cap),
                           "--mem-cap", str(args.mem_cap)], work / f"app-{stem}.json", timeout)
        data["default"] = page.default
        data.setdefault("title", page.title)  # a worker killed early never wrote it
        result["pages"][page.path] = data
        proc = data.get("process", {})
        first = data.get("first_render") or {}
        err = data.get("error") or first.get("error") or (data.get("start") or {}).get("error")
        print(f"  {size_label:>5} app {stem:<14} first render {fmt_seconds(first.get('seconds'))}, "
              f"rss {proc.get('peak_rss_mb')} MB{'  ERROR ' + str(err)[:160] if err else ''}"
              f"{'  KILLED' if proc.get('killed_after_s') else ''}", flush=True)
    return result


def fmt_seconds(value: Any) -> str:
    return f"{value:.3f} s" if isinstance(value, (int, float)) else "–"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1k,10k", help="comma-separated paper counts, e.g. 1k,10k,100k")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--tasks", default=",".join(ALL_TASKS), help=f"subset of {','.join(ALL_TASKS)}")
    p.add_argument("--timeout", type=float, default=None, help="outer timeout per worker, seconds")
    p.add_argument("--shacl-max", type=parse_size, default=10_000, help="largest size to run SHACL at")
    p.add_argument("--shacl-cap", type=float, default=600.0)
    p.add_argument("--rdflib-max", type=parse_size, default=100_000)
    p.add_argument("--rdflib-load-cap", type=float, default=180.0)
    p.add_argument("--rdflib-query-cap", type=float, default=60.0)
    p.add_argument("--mem-cap", type=float, default=10240.0,
                   help="address-space cap (MiB) for the pure-Python workers (rdflib, SHACL) and each app page")
    p.add_argument("--clients", default="1,4,8", type=lambda t: [int(x) for x in t.split(",") if x.strip()],
                   help="serve_load: concurrent loopback clients per load level")
    p.add_argument("--load-duration", type=float, default=10.0, help="serve_load: seconds per load level")
    p.add_argument("--no-real", action="store_true", help="skip `kg build` on the curated data/")
    p.add_argument("--out", type=Path, default=None, help="results JSON (default results/<date>-<commit>.json)")
    args = p.parse_args(argv)
    args.tasks = {t.strip() for t in args.tasks.split(",") if t.strip()}
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    commit = git("rev-parse", "--short", "HEAD") or "nocommit"
    dirty = bool(git("status", "--porcelain"))
    today = dt.date.today().isoformat()
    out = args.out or RESULTS / f"{today}-{commit}.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {"sizes": {}}
    from importlib.metadata import version

    results["meta"] = {
        "date": today, "commit": commit, "dirty": dirty, "machine": machine(), "python": sys.version.split()[0],
        "packages": {pkg: _version(version, pkg) for pkg in ("pyoxigraph", "oxigraph", "rdflib", "oxrdflib",
                                                            "bibtexparser", "pyshacl", "networkx", "pyvis")},
        "command": " ".join(["python -m benchmarks.run", *(argv if argv is not None else sys.argv[1:])]),
    }
    if not args.no_real:
        print("  real  kg build (curated data/)", flush=True)
        results["real"] = {"cli_build": time_cli([str(Path(PY).parent / "kg"), "build"], 5, 60)}
    for n in sizes:
        print(f"size {label(n)}", flush=True)
        previous = results["sizes"].get(label(n))
        if previous and previous.get("seed") != args.seed:
            previous = None
        results["sizes"][label(n)] = run_size(n, args, previous)
        results["meta"]["machine_after"] = machine()
        out.write_text(json.dumps(results, indent=1, default=str))
    from benchmarks.report import render

    md = render(results)
    out.with_suffix(".md").write_text(md, encoding="utf-8")
    print(md)
    print(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


def _version(version: Any, pkg: str) -> str:
    try:
        return str(version(pkg))
    except Exception:
        return "-"


if __name__ == "__main__":
    sys.exit(main())
