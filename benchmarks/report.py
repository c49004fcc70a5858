"""Markdown tables from a results JSON: `python -m benchmarks.report benchmarks/results/<date>-<commit>.json`.

Each size gets: the performance targets with the measured value and MET / MISSED, the build by stage against
(raw bibtexparser parse + raw Oxigraph load), SHACL, load time and memory per engine, every named query on
every engine side by side with the rdflib/Oxigraph ratio, the persistent-store restart, the network and its
vis-network page, the evidence summaries, the app's first render of each page, and the SPARQL endpoints
(`kg serve`, Oxigraph server) under concurrent clients.
"""
from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

STAGES = ("parse_bib", "load_ontology", "load_claims", "add_records", "derive", "integrity")
ENGINES = ("ox_mem", "api", "ox_disk", "server", "kg_serve", "rdflib")  # the per-query timings, table order


def fmt_s(value: Any, stopped: bool = False) -> str:
    """Seconds for people: 12.3 ms, 1.24 s; a capped run as '>N s (stopped)'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if stopped:
        return f">{value:g} s (stopped)"
    if value < 1:
        return f"{value * 1000:.1f} ms" if value >= 0.001 else f"{value * 1000:.2f} ms"
    return f"{value:.2f} s"


def fmt_mb(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value / 1024:.2f} GiB" if value >= 1024 else f"{value:.0f} MiB"


def timing(entry: dict[str, Any] | None) -> tuple[float | None, bool, str | None]:
    if not entry:
        return None, False, None
    return entry.get("seconds"), bool(entry.get("stopped")), entry.get("error")


def cell(entry: dict[str, Any] | None) -> str:
    seconds, stopped, error = timing(entry)
    if error:
        return "error"
    text = fmt_s(seconds, stopped)
    runs = (entry or {}).get("runs") or []
    if not stopped and seconds is not None and len(runs) == 1:
        text += " (n=1)"
    return text


def status(ok: bool | None) -> str:
    return "–" if ok is None else ("**MET**" if ok else "**MISSED**")


def build_medians(build: dict[str, Any]) -> dict[str, float]:
    runs = build.get("runs") or []
    if not runs:
        return {}
    return {k: statistics.median(r[k] for r in runs if k in r) for k in runs[0]}


def query_rows(size: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per named query with each engine's timing."""
    ox_mem = size.get("ox_mem", {})
    prepared = {p["name"]: p for p in ox_mem.get("prepared", [])}
    rows = []
    for name, entry in (ox_mem.get("queries") or {}).items():
        rows.append({
            "name": name,
            "aggregate": prepared.get(name, {}).get("aggregate"),
            "params": prepared.get(name, {}).get("params"),
            "rows": entry.get("rows"),
            "ox_mem": entry,
            "api": (ox_mem.get("api_queries") or {}).get(name),
            "ox_disk": (size.get("ox_disk", {}).get("queries") or {}).get(name),
            "server": (size.get("server", {}).get("queries") or {}).get(name),
            "kg_serve": (size.get("serve_load", {}).get("queries") or {}).get(name),
            "rdflib": (size.get("rdflib", {}).get("queries") or {}).get(name),
        })
    return rows


def targets(label: str, size: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, status) for the performance targets that apply to this size."""
    out: list[tuple[str, str, str]] = []
    med = build_medians(size.get("build", {}))
    raw_bib, _, _ = timing((size.get("raw_bib") or {}).get("parse_file"))
    raw_load, _, _ = timing((size.get("raw_load") or {}).get("store_load"))
    rows = query_rows(size)
    if label == "10k":
        if med and raw_bib and raw_load:
            ratio = med["total"] / (raw_bib + raw_load)
            out.append(("build ≤ 1.5 × (raw bibtexparser parse + raw Oxigraph load)",
                        f"{fmt_s(med['total'])} = {ratio:.2f} × ({fmt_s(raw_bib)} + {fmt_s(raw_load)})", status(ratio <= 1.5)))
        if rows:
            worst = max(rows, key=lambda r: _primary(r)[0] or 0)
            t, stopped = _primary(worst)
            out.append(("every named query < 0.3 s", f"slowest: {worst['name']} {fmt_s(t, stopped)}",
                        status(t is not None and not stopped and t < 0.3)))
            aggs = [r for r in rows if r["aggregate"]]
            ratios = [(r, _ratio(r)) for r in aggs]
            known = [(r, x) for r, x in ratios if x is not None]
            if known:
                low = min(known, key=lambda rx: rx[1][0])
                text = ", ".join(f"{r['name']} {'≥' if x[1] else ''}{x[0]:.0f}×" for r, x in known)
                out.append(("aggregate queries ≥ 30× faster than rdflib Memory", text, status(low[1][0] >= 30)))
        shacl = size.get("shacl", {})
        if "shacl_stage_s" in shacl:
            t = shacl["shacl_stage_s"]
            out.append(("SHACL < 15 s", fmt_s(t, bool(shacl.get("stopped"))), status(not shacl.get("stopped") and t < 15)))
    if label == "100k":
        if med:
            peak = size.get("build", {}).get("process", {}).get("peak_rss_mb")
            out.append(("build < 60 s (in-memory, kg.ingest.build.assemble)", fmt_s(med["total"]), status(med["total"] < 60)))
            if peak:
                out.append(("build peak memory < 4 GB", fmt_mb(peak), status(peak < 4096)))
        disk = size.get("ox_disk", {})
        if "cold_build_s" in disk:
            peak = disk.get("process", {}).get("peak_rss_mb")
            out.append(("build < 60 s, < 4 GB (persistent store, kg.store.persistent)",
                        f"{fmt_s(disk['cold_build_s'])}, {fmt_mb(peak)}",
                        status(disk["cold_build_s"] < 60 and (peak or 0) < 4096)))
        elif disk.get("process", {}).get("killed_after_s"):
            out.append(("build < 60 s, < 4 GB (persistent store, kg.store.persistent)",
                        f">{disk['process']['killed_after_s']:g} s (killed)", status(False)))
        if rows:
            worst = max(rows, key=lambda r: _primary(r)[0] or 0)
            t, stopped = _primary(worst)
            out.append(("every named query < 3 s", f"slowest: {worst['name']} {fmt_s(t, stopped)}",
                        status(t is not None and not stopped and t < 3)))
        restart = size.get("restart", {})
        if "to_first_answer_s" in restart:
            out.append(("restart on the persistent store: first query < 5 s",
                        f"{fmt_s(restart['to_first_answer_s'])} (process start to first answer)",
                        status(restart["to_first_answer_s"] < 5)))
    return out


def _primary(row: dict[str, Any]) -> tuple[float | None, bool]:
    """The timing the targets use: kg.query.named.run_named when present, else the raw embedded query."""
    for key in ("api", "ox_mem"):
        seconds, stopped, error = timing(row.get(key))
        if seconds is not None and not error:
            return seconds, stopped
    return None, False


def _ratio(row: dict[str, Any]) -> tuple[float, bool] | None:
    """rdflib time / Oxigraph time (a lower bound when rdflib was stopped)."""
    ox, _, ox_err = timing(row.get("ox_mem"))
    rd, rd_stopped, rd_err = timing(row.get("rdflib"))
    if not ox or rd is None or ox_err or rd_err:
        return None
    return rd / ox, rd_stopped


def render(results: dict[str, Any]) -> str:
    meta = results.get("meta", {})
    m = meta.get("machine", {})
    lines = [f"# Benchmark results {meta.get('date', '')} (commit {meta.get('commit', '')}"
             f"{', uncommitted changes' if meta.get('dirty') else ''})", ""]
    lines.append(f"Machine: {m.get('nproc')} CPUs ({m.get('cpu', '?')}), {m.get('MemTotal', '?')} RAM, "
                 f"swap {m.get('SwapTotal', '?')}; Python {meta.get('python')}; "
                 + ", ".join(f"{k} {v}" for k, v in meta.get("packages", {}).items()) + ".")
    after = meta.get("machine_after", {})
    lines.append(f"Load average (1/5/15 min) at start: {_load(m)}; at end: {_load(after)}. "
                 "Each task's own load average is in the JSON.")
    lines.append(f"Command: `{meta.get('command', '')}`")
    lines.append("")
    real = (results.get("real") or {}).get("cli_build")
    if real:
        lines.append(f"**Curated data (`kg build`, cold process, median of {len(real.get('runs', []))}):** "
                     f"{fmt_s(real.get('seconds'), bool(real.get('stopped')))} wall, peak RSS {fmt_mb(real.get('peak_rss_mb'))} "
                     f"— target < 2 s: {status(not real.get('stopped') and real.get('seconds', 99) < 2)}. "
                     f"`{real.get('summary', '')}`")
        lines.append("")
    for label, size in results.get("sizes", {}).items():
        lines += render_size(label, size)
    return "\n".join(lines) + "\n"


def _load(m: dict[str, Any]) -> str:
    load = m.get("loadavg")
    return " / ".join(f"{x:.2f}" for x in load) if load else "?"


def render_size(label: str, size: dict[str, Any]) -> list[str]:
    build = size.get("build", {})
    triples = build.get("triples")
    papers = size.get("papers", 0)
    gen = (size.get("generate") or {})
    gen_s = (gen.get("stats") or {}).get("seconds")
    L = [f"## {label} papers: {triples or '?':,} triples ({(triples or 0) / max(papers, 1):.1f} per paper)" if triples
         else f"## {label} papers", ""]
    stats = gen.get("stats") or {}
    if stats:
        L.append(f"Corpus: {stats.get('papers')} papers, {stats.get('claims')} claims "
                 f"({stats.get('contested_claims')} contested), {stats.get('evidence_lines')} evidence lines, "
                 f"{stats.get('results')} results, {stats.get('persons')} persons, {stats.get('source_articles')} "
                 f"source articles; references.bib {size.get('bib_mb')} MiB, claims.ttl {size.get('claims_mb')} MiB; "
                 f"generated in {fmt_s(gen_s)}.")
        L.append("")
    tg = targets(label, size)
    if tg:
        L += ["| target | measured | |", "|---|---|---|"]
        L += [f"| {a} | {b} | {c} |" for a, b, c in tg]
        L.append("")
    med = build_medians(build)
    if med:
        proc = build.get("process", {})
        runs = len(build.get("runs", []))
        L += [f"**Build** (`kg.ingest.build.assemble`, in-memory store; median of {runs}; "
              f"peak RSS {fmt_mb(proc.get('peak_rss_mb'))}, "
              f"load avg {proc.get('loadavg_before')}→{proc.get('loadavg_after')})", "",
              "| " + " | ".join(STAGES) + " | **total** |", "|" + "---|" * (len(STAGES) + 1),
              "| " + " | ".join(fmt_s(med.get(s)) for s in STAGES) + f" | **{fmt_s(med.get('total'))}** |", ""]
    raw_bib, _, _ = timing((size.get("raw_bib") or {}).get("parse_file"))
    raw_load, _, _ = timing((size.get("raw_load") or {}).get("store_load"))
    if raw_bib or raw_load:
        total = med.get("total") if med else None
        ref = (raw_bib or 0) + (raw_load or 0)
        parse_cell = cell((size.get("raw_bib") or {}).get("parse_file"))
        load_cell = cell((size.get("raw_load") or {}).get("store_load"))
        L += ["| reference | time |", "|---|---|",
              f"| bibtexparser 2 `parse_file` of the same .bib (default stack, no LaTeX middleware) | {parse_cell} |",
              f"| pyoxigraph `Store().load` of the built graph's N-Triples | {load_cell} |",
              f"| sum | {fmt_s(ref)} |"]
        if total:
            L.append(f"| build / sum | {total / ref:.2f}× (target ≤ 1.5×) |")
        cli = size.get("cli_build")
        if cli:
            L.append(f"| `kg build --data DIR`, cold process (imports + build + summary query) | {cell(cli)} |")
        L.append("")
    shacl = size.get("shacl", {})
    if shacl.get("skipped"):
        L += [f"**SHACL:** not run ({shacl['skipped']}).", ""]
    elif shacl:
        shacl_result = (f"error: {str(shacl.get('error'))[:80]}" if shacl.get("error")
                        else f"{shacl.get('errors', '?')} errors")
        L += ["**SHACL stage** (`kg validate`: partial rdflib copy + pySHACL, split over forked workers)", "",
              "| rdflib copy of what the shapes see | pySHACL | stage total (workers) | peak RSS | result |",
              "|---|---|---|---|---|",
              f"| {fmt_s(shacl.get('to_rdflib_s'))} | {fmt_s(shacl.get('pyshacl_s'))} | "
              f"{fmt_s(shacl.get('shacl_stage_s'), bool(shacl.get('stopped')))} ({shacl.get('workers', 1)}) | "
              f"{fmt_mb(shacl.get('process', {}).get('peak_rss_mb'))} | {shacl_result} |", ""]
    L += engines_table(size)
    L += queries_table(size)
    L += restart_table(size)
    L += network_table(size)
    L += evidence_table(size)
    L += app_table(size)
    L += serve_table(size)
    return L


def engines_table(size: dict[str, Any]) -> list[str]:
    rows = []
    mem = size.get("ox_mem", {})
    if mem:
        rows.append(("Oxigraph embedded, in memory (`Store().load` N-Triples)", fmt_s(mem.get("load_s")),
                     fmt_mb(mem.get("graph_rss_mb")), fmt_mb(mem.get("process", {}).get("peak_rss_mb")), "–"))
    disk = size.get("ox_disk", {})
    if disk:
        killed = disk.get("process", {}).get("killed_after_s")
        rows.append(("Oxigraph embedded, persistent (`kg.store.persistent.open_or_build`, cold build)",
                     f">{killed:g} s (killed)" if killed and "cold_build_s" not in disk else fmt_s(disk.get("cold_build_s")),
                     fmt_mb(disk.get("rss_after_build_mb")), fmt_mb(disk.get("process", {}).get("peak_rss_mb")),
                     fmt_mb(disk.get("disk_mb"))))
    srv = size.get("server", {})
    if srv.get("cli_load"):
        rows.append(("Oxigraph server (`oxigraph load`, then `oxigraph serve`)", fmt_s(srv["cli_load"]["seconds"]),
                     f"server {fmt_mb(srv.get('server_peak_rss_mb'))}", f"load {fmt_mb(srv['cli_load'].get('peak_rss_mb'))}",
                     fmt_mb(srv.get("disk_mb"))))
    rd = size.get("rdflib", {})
    if rd.get("skipped"):
        rows.append(("rdflib `Graph()` Memory store", "not run", "–", "–", "–"))
    elif rd.get("load"):
        load = rd["load"]
        rows.append(("rdflib `Graph()` Memory store (`parse(format='nt')`)",
                     fmt_s(load.get("seconds"), bool(load.get("stopped")))
                     + (f", {load.get('triples_loaded'):,} triples loaded" if load.get("stopped") else ""),
                     fmt_mb(rd.get("graph_rss_mb")), fmt_mb(rd.get("process", {}).get("peak_rss_mb")), "–"))
    if not rows:
        return []
    L = ["**Load and memory per engine** (each engine in its own process)", "",
         "| engine | load | RSS of the graph | peak RSS of the process | on disk |", "|---|---|---|---|---|"]
    L += [f"| {' | '.join(r)} |" for r in rows]
    return L + [""]


def queries_table(size: dict[str, Any]) -> list[str]:
    rows = query_rows(size)
    if not rows:
        return []
    api = any(r["api"] for r in rows)
    kg_serve = any(r["kg_serve"] for r in rows)
    head = ["query", "kind", "rows", "Oxigraph in memory"] + (["kg.query.named.run_named"] if api else []) + \
           ["Oxigraph persistent (RocksDB)", "Oxigraph server (HTTP+JSON)"] + \
           (["`kg serve` (HTTP+JSON)"] if kg_serve else []) + ["rdflib Memory", "rdflib / Oxigraph"]
    L = ["**Named queries** (kg/query/rq/*.rq; median of 3, n=1 when a run took > 5 s; every row materialised; "
         "the same SPARQL text on every engine)", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ratio = _ratio(r)
        rtext = "–" if ratio is None else f"{'≥' if ratio[1] else ''}{ratio[0]:.0f}×"
        kind = "aggregate" if r["aggregate"] else "lookup"
        cells = [r["name"], kind, str(r["rows"]), cell(r["ox_mem"])] + ([cell(r["api"])] if api else []) + \
                [cell(r["ox_disk"]), cell(r["server"])] + ([cell(r["kg_serve"])] if kg_serve else []) + \
                [cell(r["rdflib"]), rtext]
        L.append("| " + " | ".join(cells) + " |")
    params = [f"`{r['name']}`: " + ", ".join(f"{k} = {v[1].rsplit('/', 1)[-1]}" for k, v in (r["params"] or {}).items())
              for r in rows if r["params"]]
    if params:
        L += ["", "Parameters: " + "; ".join(params) + "."]
    errors = [(r["name"], e, (r.get(e) or {}).get("error")) for r in rows for e in ENGINES if (r.get(e) or {}).get("error")]
    if errors:
        L += ["", "Errors: " + "; ".join(f"{n} on {e}: {str(msg)[:160]}" for n, e, msg in errors)]
    return L + [""]


def restart_table(size: dict[str, Any]) -> list[str]:
    r = size.get("restart", {})
    if "to_first_answer_s" not in r:
        return []
    fq = r.get("first_query", {})
    return ["**Restart on the persistent store** (new process; `open_or_build` finds the manifest current)", "",
            "| imports | fingerprint (sha256 of inputs) | open (read-only) | first query | process start → first answer "
            "| rebuilt? |",
            "|---|---|---|---|---|---|",
            f"| {fmt_s(r.get('imports_s'))} | {fmt_s(r.get('fingerprint_s'))} | {fmt_s(r.get('open_s'))} | "
            f"{fq.get('name')} {fmt_s(fq.get('seconds'))} ({fq.get('rows')} rows) | **{fmt_s(r.get('to_first_answer_s'))}** | "
            f"{'yes' if r.get('rebuilt') else 'no'} |", ""]


def network_table(size: dict[str, Any]) -> list[str]:
    n = size.get("network", {})
    if not n:
        return []
    if n.get("error"):
        return [f"**Evidence network:** error: {n['error'][:300]}", ""]
    L = ["**Evidence network** (`kg.analysis.network`)", "", "| step | time | size |", "|---|---|---|",
         f"| `evidence_network(kg)` | {cell(n.get('evidence_network'))} | {n.get('nodes')} nodes, {n.get('edges')} edges, "
         f"+{fmt_mb(n.get('network_rss_mb'))} |"]
    assets = n.get("vis_assets")
    if assets:
        L.append("| first read of the vis-network script and CSS (vendored in kg/render/static, inlined in every page) | "
                 f"{cell(assets)} | {(assets.get('chars') or 0) / 1024:.0f} KiB |")
    for cap_nodes, entry in (n.get("to_vis_html") or {}).items():
        size_b = entry.get("html_bytes")
        omitted = entry.get("omitted_nodes")
        what = f"`to_vis_html(G, max_nodes={cap_nodes})`"
        if entry.get("app_default"):
            what += " (the Network page's default cap)"
        L.append(f"| {what} | {cell(entry)} | {'–' if size_b is None else f'{size_b / 1024:.0f} KiB HTML'}"
                 f"{'' if omitted is None else f', {omitted} nodes left out'} |")
    return L + [""]


def evidence_table(size: dict[str, Any]) -> list[str]:
    ev = size.get("evidence", {})
    if not ev:
        return []
    proc = ev.get("process", {})
    L = [f"**Evidence summaries** (`kg.analysis.evidence` on the graph in an in-memory store; median of 3, n=1 when a run took "
         f"> 5 s, > 2 s for claims_overview; the first call, which also warms imports and caches, beside it; "
         f"peak RSS {fmt_mb(proc.get('peak_rss_mb'))})", ""]
    if ev.get("error") and not ev.get("ops"):
        return L + [f"error: {str(ev['error'])[:300]}", ""]
    claims = ev.get("claims") or {}
    L += ["| call | time | first call | result |", "|---|---|---|---|"]
    for name, entry in (ev.get("ops") or {}).items():
        runs = entry.get("runs") or []
        first = fmt_s(runs[0]) if len(runs) > 1 else "–"
        items = entry.get("items")
        unit = {"claim_summary": "studies", "explain_disagreements": "study pairs", "claims_overview": "claims",
                "fidelity_report": "items", "evidence_table": "rows"}.get(name.split(" ")[0], "items")
        if items == 1:
            unit = {"studies": "study", "study pairs": "study pair", "claims": "claim", "rows": "row"}.get(unit, unit)
        result = f"error: {str(entry['error'])[:120]}" if entry.get("error") else ("–" if items is None else f"{items:,} {unit}")
        if name == "claims_overview" and items and entry.get("seconds") and not entry.get("stopped"):
            result += f" ({entry['seconds'] / items * 1000:.1f} ms a claim)"
        L.append(f"| `{name}` | {cell(entry)} | {first} | {result} |")
    if claims:
        L += ["", "Claims: " + "; ".join(f"{role} = {iri.rsplit('/', 1)[-1]}" for role, iri in claims.items()) + "."]
    if ev.get("error"):
        L += ["", f"Error: {str(ev['error'])[:300]}"]
    return L + [""]


def app_table(size: dict[str, Any]) -> list[str]:
    app = size.get("app", {})
    pages = app.get("pages") or {}
    if not pages and not app.get("error"):
        return []
    L = ["**App pages** (`streamlit.testing.v1.AppTest` on app.py, each page in its own process: the app starts on "
         "its default page, `st.cache_data` is cleared, then the page's first render is timed; the graph and the "
         "network stay cached, as in a running app; then a rerun with the page's data cached)", ""]
    if app.get("error"):
        return L + [f"error: {app['error']}", ""]
    starts = [p.get("start") for p in pages.values() if (p.get("start") or {}).get("seconds") is not None]
    source = next((p.get("source") for p in pages.values() if p.get("source")), None)
    if starts:
        secs = sorted(x["seconds"] for x in starts)
        L.append(f"App start (imports, the graph, the network, the default page; graph: {source or 'KG_DATA_DIR'}): "
                 f"{fmt_s(statistics.median(secs))} (median of the {len(secs)} page processes; "
                 f"{fmt_s(secs[0])}–{fmt_s(secs[-1])}).")
        L.append("")
    L += ["| page | first render | rerun (cached) | peak RSS of the process | status |", "|---|---|---|---|---|"]
    for path, p in pages.items():
        proc = p.get("process", {})
        first, rerun = p.get("first_render") or {}, p.get("rerun") or {}
        problem = p.get("error") or first.get("error") or (p.get("start") or {}).get("error")
        if proc.get("killed_after_s"):
            status_text = f"killed after {proc['killed_after_s']:g} s"
        elif first.get("stopped"):
            status_text = "timed out"
        elif problem:
            status_text = f"**error**: {str(problem)[:160]}"
        elif proc.get("exit") not in (0, None):
            status_text = f"**error**: exit {proc.get('exit')}"
        elif not first:
            status_text = "**error**: no render recorded"
        else:
            status_text = "ok"
        title = p.get("title") or path
        L.append(f"| {title} (`{path}`){' (default)' if p.get('default') else ''} | {cell(first) if first else '–'} | "
                 f"{cell(rerun) if rerun else '–'} | {fmt_mb(proc.get('peak_rss_mb'))} | {status_text} |")
    return L + [""]


def serve_table(size: dict[str, Any]) -> list[str]:
    sl = size.get("serve_load", {})
    if not sl:
        return []
    settings = sl.get("settings") or {}
    kg, ox = sl.get("kg_serve") or {}, sl.get("oxigraph") or {}
    L = [f"**SPARQL endpoints under load** (loopback; closed-loop clients, each a process that sends the next named "
         f"query of its mix as soon as the last answer is read, for {settings.get('duration_s', '?')} s per level; "
         f"{settings.get('client', '')}; latencies of answered queries)", ""]
    if sl.get("error") and not (kg or ox):
        return L + [f"error: {str(sl['error'])[:300]}", ""]
    info = []
    if kg.get("error"):
        info.append(f"`kg serve`: error: {str(kg['error'])[:200]}")
    elif kg:
        info.append(f"`kg serve` with its {settings.get('kg_serve', '')}: up in {fmt_s(kg.get('startup_s'))} (graph "
                    f"built from the data files), RSS {fmt_mb(kg.get('rss_after_start_mb'))} after start, peak "
                    f"{fmt_mb(kg.get('server_peak_rss_mb'))} (ru_maxrss when it was reaped: the largest of the server "
                    "process and the query workers it forked and reaped)")
    if ox.get("error"):
        info.append(f"Oxigraph server: error: {str(ox['error'])[:200]}")
    elif ox:
        info.append(f"Oxigraph server: `oxigraph load` {fmt_s((ox.get('cli_load') or {}).get('seconds'))}, up in "
                    f"{fmt_s(ox.get('startup_s'))}, peak RSS {fmt_mb(ox.get('server_peak_rss_mb'))}")
    L += ["; ".join(info) + ".", ""]
    mixes = sl.get("mixes") or {}
    if mixes:
        what = {"point": "alone", "lookup": "every query the table above calls a lookup", "all": "every named query"}
        L += ["Mixes, each client going round its mix from its own starting point: "
              + "; ".join(f"*{m}* = " + (f"`{q[0]}` {what[m]}" if m == "point" and len(q) == 1
                                         else f"{len(q)} queries ({what.get(m, m)})")
                          for m, q in mixes.items()) + ".", ""]
    L += ["| server | mix | clients | queries/s | p50 | p95 | max | errors | truncated |", "|" + "---|" * 9]
    for name, out in (("`kg serve`", kg), ("Oxigraph server", ox)):
        for level in (out.get("load") or {}).values():
            if level.get("error"):
                L.append(f"| {name} | {level.get('mix')} | {level.get('clients')} | error: {level['error']} | | | | | |")
                continue
            errs = level.get("errors") or 0
            detail = ", ".join(f"{k}×{v}" for k, v in (level.get("errors_by_status") or {}).items())
            qps = level.get("qps")
            L.append(f"| {name} | {level.get('mix')} | {level.get('clients')} | {'–' if qps is None else f'{qps:.1f}'} | "
                     f"{fmt_s(level.get('p50_s'))} | {fmt_s(level.get('p95_s'))} | {fmt_s(level.get('max_s'))} | "
                     f"{errs}{f' ({detail})' if detail else ''} of {level.get('requests')} | {level.get('truncated', 0)} |")
    return L + [""]


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print("usage: python -m benchmarks.report RESULTS.json", file=sys.stderr)
        return 2
    print(render(json.loads(Path(args[0]).read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
