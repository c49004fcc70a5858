"""`kg import` at scale: 10,000 records into a 10,000-record library, with deduplication.

    .venv/bin/python -m benchmarks.import_speed [--library 10k] [--records 10k] [--runs 3]

The library is `kg synth --papers 10k --seed 42`. The import file is RIS, written here from three kinds of record:
10% are library records again with their DOI (exact duplicates: reported, not added), 10% are library records
without identifiers and with the title changed as exports change it (the subtitle dropped, or lower-cased with
its punctuation gone: probable duplicates the fuzzy match must link), and 80% are new studies (a second
synthetic corpus, seed 7, its identifiers renumbered so none repeats the library's). Each run imports into a
fresh copy of the library with the `kg` command, timed end to end (process start to exit), and checks what the
report says: how many exact duplicates were found, how many of the changed titles were linked to the right
record, and how many new records were flagged as possible duplicates (false alarms to review).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import machine
from kg.ingest.bibtex import BibRecord, parse_bib
from kg.synth import generate, parse_size

KG = Path(sys.executable).with_name("kg")


def ris(record: BibRecord, doi: str | None, pmid: str | None, title: str) -> str:
    """One record as RIS, the way Zotero writes a journal article."""
    lines = ["TY  - JOUR", f"TI  - {title}"]
    lines += [f"AU  - {name.printed}" for name in record.authors]
    for tag, name in (("T2", "journal"), ("PY", "year"), ("VL", "volume"), ("IS", "number")):
        if record.fields.get(name):
            lines.append(f"{tag}  - {record.fields[name]}")
    if record.fields.get("pages"):
        first, _, last = record.fields["pages"].partition("--")
        lines += [f"SP  - {first}"] + ([f"EP  - {last}"] if last else [])
    if doi:
        lines.append(f"DO  - {doi}")
    if pmid:
        lines += [f"AN  - {pmid}", "DB  - PubMed"]
    return "\n".join([*lines, "ER  - ", ""])


def changed_title(title: str, rng: random.Random) -> str:
    main, sep, _ = title.partition(": ")
    if sep and len(main.split()) >= 3 and rng.random() < 0.5:
        return main  # the subtitle dropped
    return re.sub(r"[^\w\s]", " ", title).lower()  # lower-cased, punctuation gone


def make_inputs(root: Path, library_size: int, records: int) -> tuple[Path, Path, dict[str, int]]:
    library = root / "library"
    generate(library_size, 42, library)
    others = root / "others"
    new_count = records - 2 * (records // 10)
    generate(new_count, 7, others)
    rng = random.Random(1)
    existing = [r for r in parse_bib(library / "references.bib") if r.entry_type == "article"]
    fresh = parse_bib(others / "references.bib")
    exact = rng.sample([r for r in existing if r.fields.get("doi")], records // 10)
    near = rng.sample([r for r in existing if r not in exact], records // 10)
    parts = [ris(r, r.fields["doi"], r.fields.get("pmid"), r.fields["title"]) for r in exact]
    parts += [ris(r, None, None, changed_title(r.fields["title"], rng)) for r in near]
    parts += [ris(r, f"10.5555/import.{i}", None, r.fields["title"]) for i, r in enumerate(fresh)]
    rng.shuffle(parts)
    source = root / "import.ris"
    source.write_text("\n".join(parts), encoding="utf-8")
    truth = {"records": len(parts), "exact": len(exact), "near": len(near)}
    (root / "near.json").write_text(json.dumps([r.key for r in near]))
    return library, source, truth


def run_once(library: Path, source: Path, work: Path) -> tuple[float, dict[str, Any]]:
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(library, data)
    start = time.perf_counter()
    result = subprocess.run([str(KG), "import", str(source), "--data", str(data), "--format", "json"],
                            capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"kg import failed ({result.returncode}):\n{result.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(result.stdout)
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--library", default="10k")
    parser.add_argument("--records", default="10k")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        library, source, truth = make_inputs(root, parse_size(args.library), parse_size(args.records))
        near = set(json.loads((root / "near.json").read_text()))
        times = []
        for _ in range(args.runs):
            elapsed, report = run_once(library, source, root)
            times.append(elapsed)
        entry: dict[str, Any] = report["sources"][0]
        linked = entry["possible_duplicates"]
        right = len({p["matched"] for p in linked} & near)  # planted records found (each counted once)
        print(json.dumps({
            "date": dt.date.today().isoformat(), "machine": machine(), "library": parse_size(args.library),
            "import_records": truth["records"], "seconds": [round(t, 2) for t in times], "best": round(min(times), 2),
            "added": report["added"], "exact_duplicates_found": len(entry["duplicates"]),
            "exact_duplicates_planted": truth["exact"], "changed_titles_planted": truth["near"],
            "changed_titles_linked_to_their_record": right,
            "other_records_flagged": len(linked) - right,
        }, indent=2))


if __name__ == "__main__":
    main()
