"""Field-by-field accuracy of the reference-list reader (kg.ingest.importers.reflist).

    .venv/bin/python -m benchmarks.reflist_accuracy

Three measurements:

1. the Caring Medical article's 13 references (tests/resources/import/seed-references.txt) against the records in
   data/references.bib, the verified final forms: this counts what the citation itself gets wrong or leaves out
   (online-first years and pages, abbreviated journals, a volume given as 99 for 99-B) as misses too;
2. the same 13 references against what they print (benchmarks/reflist/seed-as-printed.json): the reader's own
   accuracy;
3. 17 further references to real papers on the hip and spine in Vancouver/AMA and PubMed citation style
   (benchmarks/reflist/more-references.txt, truth in more-truth.json: what each reference prints; DOIs, PMIDs
   and PMCIDs only where data/references.bib has them verified). The reader was adjusted on this set (for
   supplements and '.e1' page ranges) after its first run;
4. 10 held-out references (held-out-references.txt, `[n]` numbering, wrapped lines, NLM-shortened page ranges,
   classic papers on the hip and spine), written after the reader and measured once, without changing it.

For each field: correct, wrong (read, but not the value), missed (not read), spurious (read where the reference
has none: an invented value). Values are compared case-insensitively, with white space, Unicode hyphens and
page-range dashes normalised; a journal counts as correct against references.bib when it matches its journal or
its short journal; authors are correct when the whole list matches (family names and initials, in order).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from kg.ingest.bibtex import parse_bib
from kg.ingest.importers.record import Record
from kg.ingest.importers.reflist import read
from kg.model import paths

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "reflist"
SEED = REPO / "tests" / "resources" / "import" / "seed-references.txt"
SEED_KEYS = ["devin2012hipspine", "weinberg2017hipspine", "haskel2020concomitant", "eneqvist2017lumbar", "barry2017early",
             "prather2017hip", "onggo2021comparable", "gomezhoyos2017hipspine", "kameda2020gluteus", "rajeev2017validity",
             "annabell2018hip", "lee2019accuracy", "maldonado2020hipspine"]
FIELDS = ("authors", "title", "journal", "year", "volume", "number", "pages", "doi", "pmid")


def norm(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = unicodedata.normalize("NFC", str(value)).replace("\u2010", "-").replace("\u2011", "-").replace("–", "-")
    text = text.replace("--", "-").replace("\\&", "&")
    return " ".join(text.split()).strip().rstrip(".").casefold()


def parsed_fields(record: Record) -> dict[str, Any]:
    return {"authors": [f"{a.family} {re.sub(r'[^A-Z]', '', a.given)}" for a in record.authors] or None,
            **{name: getattr(record, name) for name in FIELDS if name != "authors"}}


def bib_truth() -> list[dict[str, Any]]:
    records = {r.key: r for r in parse_bib(paths.DEFAULT_DATA_DIR / paths.BIB_NAME)}
    truth = []
    for key in SEED_KEYS:
        r = records[key]
        truth.append({"authors": [f"{a.family} {re.sub(r'[^A-Z]', '', a.given)}" for a in r.authors],
                      "journal": [r.fields.get("journal"), r.fields.get("shortjournal")],
                      **{name: r.fields.get(name) for name in FIELDS if name not in ("authors", "journal")}})
    return truth


def score(parsed: list[dict[str, Any]], truth: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    results = {name: Counter[str]() for name in FIELDS}
    for got, want in zip(parsed, truth, strict=True):
        for name in FIELDS:
            expected, value = want.get(name), got.get(name)
            if name == "authors":
                ok = value is not None and [norm(a) for a in value] == [norm(a) for a in expected or []]
            elif isinstance(expected, list):  # journal against references.bib: journal or short journal
                ok = norm(value) in {norm(e) for e in expected if e}
                expected = expected[0]
            else:
                ok = norm(value) == norm(expected)
            if not expected:
                results[name]["spurious" if value else "absent"] += 1
            elif ok:
                results[name]["correct"] += 1
            else:
                results[name]["missed" if not value else "wrong"] += 1
    return results


def table(title: str, results: dict[str, Counter[str]]) -> str:
    rows = [f"### {title}", "", "| field | correct | wrong | missed | spurious | accuracy |", "|---|---|---|---|---|---|"]
    total = Counter[str]()
    for name, counts in results.items():
        present = counts["correct"] + counts["wrong"] + counts["missed"]
        total.update(counts)
        rows.append(f"| {name} | {counts['correct']} | {counts['wrong']} | {counts['missed']} | {counts['spurious']} | "
                    + (f"{counts['correct'] / present:.0%} |" if present else "– |"))
    present = total["correct"] + total["wrong"] + total["missed"]
    rows.append(f"| **all** | {total['correct']} | {total['wrong']} | {total['missed']} | {total['spurious']} | "
                f"{total['correct'] / present:.1%} |")
    return "\n".join(rows)


def main() -> None:
    seed_records, seed_bad = read(SEED.read_text(encoding="utf-8"), SEED.name)
    more_text = (HERE / "more-references.txt").read_text(encoding="utf-8")
    more_records, more_bad = read(more_text, "more-references.txt")
    if seed_bad or more_bad or len(seed_records) != len(SEED_KEYS):
        raise SystemExit(f"references not read: {seed_bad + more_bad}")
    seed = [parsed_fields(r) for r in seed_records]
    more = [parsed_fields(r) for r in more_records]
    printed = json.loads((HERE / "seed-as-printed.json").read_text(encoding="utf-8"))
    more_truth = json.loads((HERE / "more-truth.json").read_text(encoding="utf-8"))
    print(table("Caring Medical's 13 references against data/references.bib (verified final forms)",
                score(seed, bib_truth())))
    print()
    print(table("The same 13 against what they print", score(seed, printed)))
    print()
    print(table(f"{len(more)} further Vancouver/AMA/PubMed references against what they print", score(more, more_truth)))
    held_text = (HERE / "held-out-references.txt").read_text(encoding="utf-8")
    held_records, held_bad = read(held_text, "held-out-references.txt")
    held_truth = json.loads((HERE / "held-out-truth.json").read_text(encoding="utf-8"))
    if held_bad or len(held_records) != len(held_truth):
        raise SystemExit(f"held-out references not read: {held_bad}")
    print()
    print(table(f"{len(held_records)} held-out references (written after the reader, never tuned on)",
                score([parsed_fields(r) for r in held_records], held_truth)))


if __name__ == "__main__":
    main()
