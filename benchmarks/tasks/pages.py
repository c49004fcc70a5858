"""One page of the Streamlit app (app.PAGES) under AppTest, in a process of its own."""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, Recorder, current_rss_mb
from benchmarks.tasks.shared import limit_memory


def task_app_page(a: argparse.Namespace, rec: Recorder) -> None:
    """One page of the Streamlit app under streamlit.testing.v1.AppTest: the app starts on its default page (graph
    opened from KG_STORE when that store exists, else built from KG_DATA_DIR), st.cache_data is cleared, then the
    page's first render is timed, then a rerun (its data cached). The graph and the network (st.cache_resource)
    stay built, as they are for a visitor of a running app."""
    os.environ["KG_DATA_DIR"] = str(a.data)
    os.environ.pop("KG_SPARQL_ENDPOINT", None)
    if a.store and Path(a.store).exists():
        os.environ["KG_STORE"] = str(a.store)
        rec["source"] = f"KG_STORE={a.store}"
    else:
        os.environ.pop("KG_STORE", None)
        rec["source"] = "KG_DATA_DIR (graph built in memory at start)"
    limit_memory(a.mem_cap, rec)

    t0 = time.perf_counter()
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app import PAGES

    rec["imports_s"] = time.perf_counter() - t0
    page = next(p for p in PAGES if p.path == a.page)
    rec["page"] = page.path
    rec["title"] = page.title
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=a.cap or 600)

    def run(what: str) -> bool:
        t0 = time.perf_counter()
        try:
            at.run()
        except Exception as exc:  # AppTest raises RuntimeError when the script outlives its timeout
            seconds = time.perf_counter() - t0
            stopped = "timed out" in str(exc).lower() or "timeout" in str(exc).lower()
            rec[what] = {"seconds": a.cap if stopped else seconds, "stopped": stopped,
                         "error": None if stopped else f"{type(exc).__name__}: {exc}"[:500]}
            return False
        entry: dict[str, Any] = {"seconds": time.perf_counter() - t0, "rss_mb": round(current_rss_mb(), 1)}
        errors = [str(getattr(e, "value", e))[:500] for e in at.exception]
        if errors:
            entry["error"] = "; ".join(errors)[:1000]
        entry["titles"] = [t.value for t in at.title][:3]
        rec[what] = entry
        return not errors

    if not run("start") and page.default:
        return
    st.cache_data.clear()
    if not page.default:
        at.switch_page(page.path)
    if run("first_render"):
        run("rerun")
