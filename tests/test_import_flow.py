"""The whole flow as a user runs it, on a copy of data/: `kg import` a RIS, a MEDLINE and a CSL-JSON export (the
installed `kg`, as subprocesses), `kg build`, `kg validate` (warnings only), `kg prisma` with the counts the import
log holds; then the app on that directory lists the new records on the Screening page and draws the PRISMA
diagram on the Overview; including one and excluding one with a reason changes those two entries of
references.bib only, and the diagram follows. With a persistent store, the load after `kg import` updates the
store incrementally and the app sees the imported records."""
from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from kg import load
from kg.ingest.bib_edit import resolve_duplicate
from kg.ingest.bibtex import parse_bib
from kg.store.persistent import read_manifest
from tests.support.apptest import ok, open_page, plain

REPO = Path(__file__).resolve().parents[1]
EXPORTS = ("zotero.ris", "pubmed.nbib", "zotero.json")
KG = Path(sys.executable).with_name("kg")  # the console script the package installs
CURATED = 13  # studies of data/references.bib (its two @online entries are the source articles)
CHAPTER, SCRIPT = "fixture2019book", "fixture2021script"  # what the three exports add to data/


def kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KG), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def imported_library(root: Path, store: Path | None = None) -> Path:
    """root/data: a copy of data/ with the three exports imported from root/exports (named as a user gives them);
    with `store`, a persistent store is built from the copy first (`kg --store STORE build`)."""
    shutil.copytree(REPO / "data", root / "data")
    if store is not None:
        built = kg("--store", str(store), "build", "--data", str(root / "data"), cwd=root)
        assert built.returncode == 0, built.stderr
    (root / "exports").mkdir()
    for name in EXPORTS:
        shutil.copy(REPO / "tests" / "resources" / "import" / name, root / "exports" / name)
    result = kg("import", *EXPORTS, "--data", "../data", "--format", "json", cwd=root / "exports")
    assert result.returncode == 0, result.stderr
    (root / "report.json").write_text(result.stdout, encoding="utf-8")
    return root / "data"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported_library(tmp_path_factory.mktemp("flow"))


def log(directory: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (directory / "import-log.jsonl").read_text(encoding="utf-8").splitlines()]


def counts(text: str) -> dict[str, int]:
    """'label (n = 3)' and 'label: n = 3' lines of the PRISMA text (kg prisma, or the SVG's text) as a dict."""
    found = re.findall(r"^\s*(.+?)(?: \(n = |: n = )(\d+)\)?:?$", text, flags=re.MULTILINE)
    return {label.strip(): int(n) for label, n in found}


def test_cli_flow_counts_agree_with_the_import_log(library: Path) -> None:
    runs = log(library)
    report = json.loads((library.parent / "report.json").read_text(encoding="utf-8"))
    assert [r["source"] for r in runs] == list(EXPORTS)  # one line per file, the name as given
    # The log line of each file is what the printed report said of it.
    assert runs == [{name: source[name] for name in runs[0]} for source in report["sources"]]
    assert sorted(k for r in runs for k in r["added"]) == [CHAPTER, SCRIPT]  # type: ignore[attr-defined]
    assert kg("build", "--data", str(library), cwd=library).returncode == 0
    validated = kg("validate", "--data", str(library), cwd=library)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    summary = (validated.stdout + validated.stderr).strip().splitlines()[-1]
    assert re.match(r"OK: 0 error\(s\), \d+ warning\(s\)", summary), summary
    prisma = kg("prisma", "--data", str(library), cwd=library)
    assert prisma.returncode == 0, prisma.stderr
    shown = counts(prisma.stdout)
    for run in runs:
        assert shown[f"{run['source']} ({run['format']})"] == run["records"]
    duplicates = sum(len(r["duplicates"]) for r in runs)  # type: ignore[arg-type]
    added = sum(len(r["added"]) for r in runs)  # type: ignore[arg-type]
    assert shown["Records identified"] == sum(r["records"] for r in runs) + CURATED  # type: ignore[misc]
    assert (shown["found on import"], shown["Records that could not be read"]) == (duplicates, 0)
    assert (shown["Records awaiting screening"], shown["Studies included in review"]) == (added, CURATED)


@pytest.fixture
def app_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = imported_library(tmp_path)
    monkeypatch.setenv("KG_DATA_DIR", str(directory))
    for name in ("KG_SPARQL_ENDPOINT", "KG_STORE", "KG_READ_ONLY"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield directory
    st.cache_resource.clear()
    st.cache_data.clear()


def diagram(at: object) -> dict[str, int]:
    url = next(str(i.proto.imgs[0].url) for i in at.get("image"))  # type: ignore[attr-defined]
    svg = base64.b64decode(url.split(",", 1)[1]).decode("utf-8")
    return counts(re.sub(r"<[^>]+>", "\n", svg))


def entries(text: str) -> dict[str, str]:
    """Each entry's text by key (the file's head, before the first entry, under '')."""
    parts = re.split(r"^(?=@)", text, flags=re.MULTILINE)
    keyed = {}
    for part in parts:
        found = re.match(r"@\w+\{([^,]+),", part)
        keyed[found.group(1) if found else ""] = part
    return keyed


def test_app_screens_the_imported_records_and_the_diagram_follows(app_library: Path) -> None:
    bib = app_library / "references.bib"
    before = bib.read_text(encoding="utf-8")
    at = open_page("screening")
    assert {m.label: m.value for m in at.metric} == {"To screen": "2", "Included": str(CURATED), "Excluded": "0",
                                                      "Possible duplicates": "0"}
    shown = plain(" ".join(m.value for m in at.markdown))
    assert "A Book Chapter Record for the Tests" in shown and "a title that must keep its text" in shown
    overview = diagram(open_page("overview"))
    assert (overview["zotero.ris (ris)"], overview["pubmed.nbib (medline)"], overview["zotero.json (csl-json)"]) == \
        (3, 3, 3)
    assert (overview["Records awaiting screening"], overview["Studies included in review"]) == (2, CURATED)

    at.button(key=f"include_{CHAPTER}").click().run()
    ok(at)
    at.selectbox(key=f"reason_{SCRIPT}").set_value("not a primary study").run()
    at.button(key=f"exclude_{SCRIPT}").click().run()
    ok(at)
    assert {m.label: m.value for m in at.metric}["Excluded"] == "1"

    after = bib.read_text(encoding="utf-8")
    old, new = entries(before), entries(after)
    assert list(old) == list(new)
    assert [key for key in old if old[key] != new[key]] == [CHAPTER, SCRIPT]  # those two entries only
    fields = {r.key: r.fields for r in parse_bib(bib)}
    assert fields[CHAPTER]["screening"] == "included"
    assert (fields[SCRIPT]["screening"], fields[SCRIPT]["screening-reason"]) == ("excluded", "not a primary study")
    for key in (CHAPTER, SCRIPT):  # nothing but the screening lines moved
        changed = set(old[key].splitlines()) ^ set(new[key].splitlines())
        assert all(line.strip().startswith("screening") for line in changed), changed

    overview = diagram(open_page("overview"))
    assert (overview["Records screened"], overview["Records excluded"], overview["Studies included in review"],
            overview["Records awaiting screening"], overview["not a primary study"]) == (
                CURATED + 2, 1, CURATED + 1, 0, 1)
    printed = counts(kg("prisma", "--data", str(app_library), cwd=app_library).stdout)
    assert (printed["Records screened"], printed["Records excluded"], printed["Studies included in review"]) == (
        CURATED + 2, 1, CURATED + 1)


def test_a_persistent_store_takes_the_import_incrementally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    library = imported_library(tmp_path, store)
    graph = load(library, store_path=store)
    assert graph.build is None  # no rebuild: the store was updated in place
    assert read_manifest(store)["updated"] == {"added": 2, "changed": 0}  # type: ignore[index]
    rows = graph.select("SELECT ?key ?status WHERE { ?p hs:bibKey ?key ; hs:importSource ?source ; "
                        "hs:screeningStatus/rdfs:label ?status }")
    assert {(str(r["key"]), str(r["status"])) for r in rows} == {(CHAPTER, "to screen"), (SCRIPT, "to screen")}
    assert graph.select("SELECT ?p WHERE { ?p hs:bibKey ?key ; a fabio:BookChapter }", {"key": CHAPTER})
    assert {str(q.triple) for q in graph.snapshot()} == {str(q.triple) for q in load(library).snapshot()}
    # The app on that store (KG_STORE) lists them without a rebuild.
    monkeypatch.setenv("KG_DATA_DIR", str(library))
    monkeypatch.setenv("KG_STORE", str(store))
    monkeypatch.delenv("KG_SPARQL_ENDPOINT", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = open_page("screening")
        assert {m.label: m.value for m in at.metric}["To screen"] == "2"
        assert "A Book Chapter Record for the Tests" in plain(" ".join(m.value for m in at.markdown))
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


ONE_KEYWORD_RIS = """TY  - JOUR
AU  - Tester, Ann
TI  - A record for the tests with one keyword that holds a comma
T2  - Fixture Journal
PY  - 2022
KW  - pain, referred
ER  -{SPACE}
""".replace("{SPACE}", " ")


def test_keywords_and_mesh_reach_the_graph_as_imported(tmp_path: Path) -> None:
    """What the importer writes ('; '-joined keywords and MeSH headings) is what the build reads back, one by one."""
    for name in ("references.bib", "claims.ttl"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "one-keyword.ris").write_text(ONE_KEYWORD_RIS, encoding="utf-8")
    nbib = REPO / "tests" / "resources" / "import" / "pubmed.nbib"
    result = kg("import", str(nbib), "one-keyword.ris", "--data", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    graph = load(tmp_path)

    def values(key: str, prop: str) -> set[str]:
        rows = graph.select(f"SELECT ?v WHERE {{ ?p hs:bibKey ?key ; {prop} ?v }}", {"key": key})
        return {str(r["v"]) for r in rows}

    records = nbib.read_text(encoding="utf-8").split("\nPMID- ")
    first = records[0]
    headings = {line[6:].strip() for line in first.splitlines() if line.startswith("MH  - ")}
    keywords = {line[6:].strip() for line in first.splitlines() if line.startswith("OT  - ")}
    assert values("prather2017hip", "hs:meshHeading") == headings
    subjects = values("prather2017hip", "dcterms:subject")
    assert keywords <= subjects and "http://id.nlm.nih.gov/mesh/D017116" in subjects  # Low Back Pain/*diagnosis
    tester = next(r.key for r in parse_bib(tmp_path / "references.bib") if r.fields.get("import-format") == "ris")
    assert values(tester, "dcterms:subject") == {"pain, referred"}


def test_every_record_read_is_accounted_for(tmp_path: Path) -> None:
    """A partly unreadable export with probable duplicates, then a duplicate decision: identified = removed before
    screening + screened + awaiting, at each step, and each count is the log's."""
    library = imported_library(tmp_path)
    shutil.copy(REPO / "tests" / "resources" / "import" / "endnote.ris", tmp_path / "exports" / "endnote.ris")
    result = kg("import", "endnote.ris", "--data", "../data", cwd=tmp_path / "exports")
    assert result.returncode == 1 and "endnote.ris:17: record 2" in result.stdout  # named; the rest imported
    run = log(library)[-1]
    assert (run["records"], len(run["added"]), len(run["possible_duplicates"]), len(run["unreadable"])) == (  # type: ignore[arg-type]
        3, 2, 2, 1)

    def balanced() -> dict[str, int]:
        shown = counts(kg("prisma", "--data", str(library), cwd=library).stdout)
        assert shown["Records identified"] == (shown["Duplicate records"] + shown["Records that could not be read"]
                                               + shown["Records screened"] + shown["Records awaiting screening"])
        return shown

    shown = balanced()
    assert (shown["Records that could not be read"], shown["possible duplicates to review"]) == (1, 2)
    resolve_duplicate(library / "references.bib", run["added"][0], same=True)  # type: ignore[index]
    shown = balanced()
    assert (shown["marked on review"], shown["possible duplicates to review"]) == (1, 1)
