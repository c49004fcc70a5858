"""Screening and duplicate decisions written back to references.bib: only the decided entry's field lines
change (a clean git diff), atomically, and a change another writer made meanwhile is kept."""
from __future__ import annotations

import difflib
import threading
from pathlib import Path

import pytest

from kg.ingest.bib_edit import EntryNotFound, resolve_duplicate, screen, set_fields
from kg.ingest.bibtex import parse_bib
from kg.ingest.files import ConcurrentChange, digest, file_lock
from kg.model import paths
from tests.support.review_data import review_data


@pytest.fixture()
def bib(tmp_path: Path) -> Path:
    return review_data(tmp_path / "data") / paths.BIB_NAME


def _diff(before: str, after: str) -> list[str]:
    """The changed lines only (+/-)."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_exclude_adds_two_aligned_lines_and_nothing_else(bib: Path) -> None:
    before = bib.read_text(encoding="utf-8")
    screen(bib, "barry2017early", "excluded", "  not about\nthe hip  ")  # whitespace is normalised
    after = bib.read_text(encoding="utf-8")
    # data/references.bib aligns its values: the new lines do too; the last field (no comma) is not touched.
    assert _diff(before, after) == ["+  screening        = {excluded},", "+  screening-reason = {not about the hip},"]
    record = {r.key: r for r in parse_bib(bib)}["barry2017early"]
    assert (record.fields["screening"], record.fields["screening-reason"]) == ("excluded", "not about the hip")
    screen(bib, "barry2017early", "included")  # the reason goes with the exclusion
    assert _diff(before, bib.read_text(encoding="utf-8")) == ["+  screening        = {included},"]


def test_an_existing_field_is_changed_in_place(bib: Path) -> None:
    before = bib.read_text(encoding="utf-8")
    screen(bib, "lee2020mri", "excluded", "wrong population")
    assert _diff(before, bib.read_text(encoding="utf-8")) == [
        "-\tscreening = {included},", "+\tscreening = {excluded},", "+\tscreening-reason = {wrong population},"]
    screen(bib, "kim2021gait", "to screen")
    assert "+\tscreening = {to screen}," in _diff(before, bib.read_text(encoding="utf-8"))
    assert "not about the hip or spine" not in bib.read_text(encoding="utf-8")


def test_bad_decisions_leave_the_file_byte_identical(bib: Path) -> None:
    before = bib.read_bytes()
    with pytest.raises(ValueError, match="needs a reason"):
        screen(bib, "smith2019hipspine", "excluded", "   ")
    with pytest.raises(ValueError, match="not one of"):
        screen(bib, "smith2019hipspine", "maybe")
    with pytest.raises(ValueError, match="braces"):
        screen(bib, "smith2019hipspine", "excluded", "a {b}")
    with pytest.raises(EntryNotFound):
        screen(bib, "nosuchkey", "included")
    with pytest.raises(ValueError, match="not marked as a possible duplicate"):
        resolve_duplicate(bib, "smith2019hipspine", same=True)
    assert bib.read_bytes() == before


def test_duplicate_decisions(bib: Path) -> None:
    before = bib.read_text(encoding="utf-8")
    resolve_duplicate(bib, "lee2020mriagain", same=True)
    assert _diff(before, bib.read_text(encoding="utf-8")) == [
        "-\tpossible-duplicate-of = {lee2020mri},", "+\tduplicate-of = {lee2020mri},"]
    bib.write_text(before, encoding="utf-8")
    resolve_duplicate(bib, "lee2020mriagain", same=False)
    assert _diff(before, bib.read_text(encoding="utf-8")) == [
        "-\tpossible-duplicate-of = {lee2020mri},", "-\tduplicate-match = {title 91, year, first author},"]


def test_a_concurrent_change_is_kept(bib: Path) -> None:
    """Another writer appends an entry while the decision waits for the lock: both end up in the file."""
    read = digest(bib.read_bytes())
    appended = "\n@article{late2024,\n  author = {Late, L.},\n  title = {Late},\n  journal = {J},\n  year = {2024}\n}\n"
    started = threading.Event()

    def decide() -> None:
        started.set()
        screen(bib, "smith2019hipspine", "included")

    with file_lock(bib):
        worker = threading.Thread(target=decide)
        worker.start()
        started.wait()
        with open(bib, "a", encoding="utf-8") as handle:  # the other writer, holding the lock
            handle.write(appended)
    worker.join()
    text = bib.read_text(encoding="utf-8")
    assert text.endswith(appended)
    assert {r.key: r for r in parse_bib(bib)}["smith2019hipspine"].fields["screening"] == "included"
    with pytest.raises(ConcurrentChange):  # a caller that asks for the file it read is refused instead
        screen(bib, "smith2019hipspine", "excluded", "x", expected_digest=read)


def test_set_fields_handles_entry_styles() -> None:
    one_line = "@article{a, title = {T}, year = {2020}}\n"
    assert set_fields(one_line, "a", {"screening": "included"}) == \
        "@article{a, title = {T}, screening = {included}, year = {2020}}\n"
    quoted = '@article{b,\n  title = "A {B} c",\n  year = 2020,\n}\n'
    out = set_fields(quoted, "b", {"screening": "to screen"})
    assert out == '@article{b,\n  title = "A {B} c",\n  year = 2020,\n  screening = {to screen},\n}\n'
    assert set_fields(out, "b", {"screening": None}) == quoted
    braces = "@article{c,\n  title = {Hip {\\}} and {spine}},\n  note = {x}\n}\n@article{cc,\n  note = {y}\n}\n"
    changed = set_fields(braces, "c", {"note": "z"})
    assert changed == braces.replace("{x}", "{z}")
