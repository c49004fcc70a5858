"""The bad-input corpus for `kg import`: every broken export fails with a located message, no traceback, and
references.bib untouched; good-but-unusual exports import and keep their text.

Each file in tests/resources/bad/import/ is imported on its own into a copy of data/ (EXPECT says what its
message must contain); the cases that are bytes rather than text (NUL, invalid UTF-8, a 50 MB field, deep JSON
nesting) are generated here. Every case runs `kg import` as a subprocess, a few at a time, each with a timeout
(a bound against a hang, not a timed assertion). tests/resources/bad/import/good/ holds unusual inputs that
must import: LaTeX accents, string macros, `<script>` titles, Unicode; CRLF and a BOM are generated.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.ingest.bibtex import parse_bib
from kg.model import paths

BAD = Path(__file__).parent / "resources" / "bad" / "import"
GOOD = BAD / "good"
FIXTURES = Path(__file__).parent / "resources" / "import"
KG = Path(sys.executable).with_name("kg")
TIMEOUT = 120  # seconds per command: a bound against a hang, far above the second a case takes
WORKERS = 3

# What each file's message must say, beyond naming the file with a line or a record number.
EXPECT = {
    "ris-one-space-tags.ris": r":1: record 1 'TY - JOUR' is not a RIS line",
    "ris-truncated.ris": r":1: record 1 record has no 'ER  -' line \(the file ends inside it",
    "ris-no-type-line.ris": r":1: record 1 'TI  - A title before any TY' is outside a record",
    "ris-no-title.ris": r":1: record 1 record has no title",
    "ris-malformed-tag.ris": r":3: record 1 'AU - Doe, J\.' is a malformed tag line",
    "csl-truncated.json": r":2: not valid JSON: Expecting",
    "csl-not-items.json": r": record 1 item is a JSON str, not an object",
    "csl-no-title.json": r": record 1 item '' has no title",
    "csl-author-not-object.json": r": record 1 item '' cannot be read: an author is not an object",
    "csl-title-object.json": r": record 1 item '' cannot be read: a text value is an object",
    "medline-no-title.nbib": r":1: record 1 record \(PMID 0\) has no title \(TI\)",
    "medline-stray-line.nbib": r":3: record 1 'this line has no tag' is not a MEDLINE line",
    "medline-no-pmid.nbib": r":1: record 1 record does not start with a 'PMID- ' line",
    "bibtex-unclosed.bib": r":1: record 1 entry 'unclosed2020' is malformed",
    "bibtex-undefined-macro.bib": r":1: record 1 entry 'macro2020': @string 'undefinedjournal' is used but not defined",
    "reflist-no-references.txt": r":1: record 1 reference 'Some notes about .*' cannot be read: no author list",
    "reflist-no-authors.txt": r":1: record 1 reference .* cannot be read: no author list",
    "reflist-no-year.txt": r":1: record 1 reference .* cannot be read: no publication year",
    "empty.ris": r": is empty",
    "blank.nbib": r": is empty",
}


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], Path]  # writes the input file into a directory, returns its path
    expect: str


def _copy(path: Path) -> Callable[[Path], Path]:
    def write(directory: Path) -> Path:
        return Path(shutil.copyfile(path, directory / path.name))
    return write


def _bytes(name: str, data: Callable[[], bytes]) -> Callable[[Path], Path]:
    def write(directory: Path) -> Path:
        (directory / name).write_bytes(data())
        return directory / name
    return write


GENERATED = [
    Case("nul-byte.ris", _bytes("nul-byte.ris", lambda: b"TY  - JOUR\nTI  - A \x00 title\nER  - \n"),
         r"nul-byte\.ris:2: holds a NUL byte"),
    Case("invalid-utf8.nbib", _bytes("invalid-utf8.nbib", lambda: b"PMID- 0\nTI  - A \xff\xfe title\n"),
         r"invalid-utf8\.nbib:2: is not UTF-8 text \(byte 0xff\)"),
    Case("huge-field.ris", _bytes("huge-field.ris", lambda: b"TY  - JOUR\nTI  - Huge\nAB  - " + b"x" * 50_000_000
                                  + b"\nER  - \n"), r"huge-field\.ris:1: record 1 field 'abstract' is over 1,000,000"),
    Case("huge-field.bib", _bytes("huge-field.bib", lambda: b"@article{huge2020, title = {Huge}, note = {" + b"x" * 50_000_000
                                  + b"}}\n"), r"huge-field\.bib:1: record 1 field 'note' is over 1,000,000"),
    Case("deep-nesting.json", _bytes("deep-nesting.json", lambda: b"[" * 100_000 + b"]" * 100_000),
         r"deep-nesting\.json: nested too deeply"),
    Case("bom-garbage.ris", _bytes("bom-garbage.ris", lambda: b"\xef\xbb\xbfnot a RIS file at all\n"),
         r"bom-garbage\.ris:1: record 1 'not a RIS file at all' is not a RIS line"),
]
CASES = [Case(p.name, _copy(p), re.escape(p.name) + EXPECT[p.name]) for p in sorted(BAD.iterdir()) if p.is_file()] + GENERATED
# A file named with a line, a record number, or (for a whole-file problem) what is wrong with it.
LOCATED = re.compile(r"error: \S+(:\d+: |: record \d+ |: (is empty|holds|is not|nested|file not found))")


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KG), *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT, errors="replace")


def _library(directory: Path) -> Path:
    directory.mkdir(parents=True)
    shutil.copyfile(paths.DEFAULT_DATA_DIR / paths.BIB_NAME, directory / paths.BIB_NAME)
    return directory


Outcome = tuple[subprocess.CompletedProcess[str], Path]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("bad-import")

    def one(index: int, case: Case) -> tuple[str, Outcome]:
        data = _library(root / f"case{index}" / "data")
        source = case.write(root / f"case{index}")
        return case.name, (_run("import", source, "--data", data), data)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(lambda pair: one(*pair), enumerate(CASES)))


def test_every_bad_file_has_an_expectation() -> None:
    assert {p.name for p in BAD.iterdir() if p.is_file()} == set(EXPECT)
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_import_fails_located_without_traceback_or_change(case: Case, outcomes: dict[str, Outcome]) -> None:
    result, data = outcomes[case.name]
    text = result.stdout + result.stderr
    assert result.returncode == 1, f"kg import accepted {case.name}:\n{text[:2000]}"
    assert "Traceback" not in text, text[:4000]
    assert LOCATED.search(text), f"no file with a line or record in:\n{text[:2000]}"
    assert re.search(case.expect, text), f"{case.expect!r} not in:\n{text[:2000]}"
    assert (data / paths.BIB_NAME).read_bytes() == (paths.DEFAULT_DATA_DIR / paths.BIB_NAME).read_bytes()
    assert sorted(p.name for p in data.iterdir()) == [paths.BIB_NAME]  # no log, no temporary file left


def _good_cases() -> list[tuple[str, Callable[[Path], Path], str]]:
    titles = {
        "latex-accents.bib": "Étude de la hanche et du rachis: ça marche à łódź",
        "string-macros.bib": "A title in two parts",
        "script-title.ris": '<script>alert("x")</script> & <b>bold</b> claims about the hip',
        "unicode-title.nbib": "Hüft-Wirbelsäulen-Syndrom: Ergebnisse nach Hüftendoprothetik – eine Übersicht über 10 Jahre.",
    }
    assert {p.name for p in GOOD.iterdir()} == set(titles)
    cases = [(name, _copy(GOOD / name), title) for name, title in titles.items()]
    crlf = (FIXTURES / "zotero.ris").read_bytes().replace(b"\n", b"\r\n")
    bom = b"\xef\xbb\xbf" + (FIXTURES / "pubmed.nbib").read_bytes()
    cases += [("crlf.ris", _bytes("crlf.ris", lambda: crlf), "Hip pathology: the diagnostic accuracy of magnetic "
               "resonance imaging"),
              ("bom.nbib", _bytes("bom.nbib", lambda: bom), "Does low back pain or leg pain in gluteus medius syndrome "
               "contribute to lumbar degenerative disease and hip osteoarthritis and vice versa? A literature review.")]
    return cases


@pytest.mark.parametrize(("name", "write", "title"), _good_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_unusual_but_good_exports_import_and_keep_their_text(name: str, write: Callable[[Path], Path], title: str,
                                                             tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / paths.BIB_NAME).write_bytes(b"")
    result = _run("import", write(tmp_path), "--data", data)
    assert result.returncode == 0, result.stdout + result.stderr
    records = parse_bib(data / paths.BIB_NAME)
    assert title in {r.fields["title"] for r in records}
