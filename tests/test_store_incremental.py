"""The persistent store takes imported records and screening decisions by an incremental update that gives the same
graph as a full rebuild, and rebuilds whenever the change is one it cannot make exactly."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import load
from kg.ingest.bib_edit import screen
from kg.model import paths
from kg.store.graph import KnowledgeGraph
from kg.store.incremental import bib_delta
from kg.store.persistent import read_manifest
from tests.support.review_data import RESOURCES, review_data

LATER = """
@article{quinn2023hip,
  author = {Smith, Janet and Newman, N.},
  title = {Hip and spine in one clinic},
  journal = {A New Journal},
  shortjournal = {New J},
  year = {2023},
  mesh = {Low Back Pain},
  import-source = {later.ris},
  import-format = {ris},
  import-date = {2026-12-03}
}
"""


def triples(kg: KnowledgeGraph) -> set[str]:
    return {str(q.triple) for q in kg.snapshot()}


def same_as_full_build(kg: KnowledgeGraph, data: Path) -> None:
    assert triples(kg) == triples(load(data))


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """The review data without its last two entries and import log: what was there before an import."""
    directory = review_data(tmp_path / "data", log=False)
    bib = directory / paths.BIB_NAME
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text[:text.index("@article{lee2020mriagain")], encoding="utf-8")
    return directory


def _store(data: Path) -> tuple[Path, KnowledgeGraph]:
    store = data.parent / "store"
    kg = load(data, store_path=store)
    assert kg.build is not None  # built
    return store, kg


def test_imported_records_update_the_store(data: Path) -> None:
    store, _ = _store(data)
    with open(data / paths.BIB_NAME, "a", encoding="utf-8") as bib:  # what `kg import` does: append, log
        bib.write((RESOURCES / "references-extra.bib").read_text(encoding="utf-8").split("@article{lee2020mriagain")[1]
                  .join(["\n@article{lee2020mriagain", ""]))
    shutil.copyfile(RESOURCES / "import-log.jsonl", data / "import-log.jsonl")
    kg = load(data, store_path=store)
    assert kg.build is None  # no build ran
    assert read_manifest(store)["updated"] == {"added": 2, "changed": 0}  # type: ignore[index]
    same_as_full_build(kg, data)
    # Again, with a person spelt more fully than before, a new journal and a linked MeSH heading.
    with open(data / paths.BIB_NAME, "a", encoding="utf-8") as bib:
        bib.write(LATER)
    kg = load(data, store_path=store)
    assert read_manifest(store)["updated"] == {"added": 1, "changed": 0}  # type: ignore[index]
    same_as_full_build(kg, data)
    names = kg.select("SELECT ?n WHERE { person:smith-j foaf:name ?n }")
    assert names == [{"n": "Janet Smith"}]  # the fuller spelling of smith-j (Jane before)


def test_a_screening_decision_updates_the_store(data: Path) -> None:
    store, _ = _store(data)
    screen(data / paths.BIB_NAME, "smith2019hipspine", "excluded", "not a primary study")
    kg = load(data, store_path=store)
    assert read_manifest(store)["updated"] == {"added": 0, "changed": 1}  # type: ignore[index]
    same_as_full_build(kg, data)
    screen(data / paths.BIB_NAME, "smith2019hipspine", "to screen")
    kg = load(data, store_path=store)
    same_as_full_build(kg, data)
    assert kg.select("SELECT ?r WHERE { ?p hs:bibKey 'smith2019hipspine' ; hs:screeningReason ?r }") == []


@pytest.mark.parametrize("change", ["curated", "authors", "removed", "claims"])
def test_changes_it_cannot_make_exactly_rebuild(data: Path, change: str) -> None:
    store, _ = _store(data)
    bib = data / paths.BIB_NAME
    text = bib.read_text(encoding="utf-8")
    if change == "curated":  # barry2017early is curated in claims.ttl
        screen(bib, "barry2017early", "excluded", "a test")
    elif change == "authors":
        bib.write_text(text.replace("Smith, Jane and Doe, John", "Smith, Jane and Doe, Jonathan"), encoding="utf-8")
    elif change == "removed":
        bib.write_text(text[:text.index("@article{kim2021gait")], encoding="utf-8")
    else:
        with open(data / paths.CLAIMS_NAME, "a", encoding="utf-8") as claims:
            claims.write("\n# a comment\n")
    kg = load(data, store_path=store)
    assert kg.build is not None, "expected a full rebuild"
    assert "updated" not in (read_manifest(store) or {})
    same_as_full_build(kg, data)


def test_bib_delta_finds_added_and_changed_entries() -> None:
    old = "% header\n@article{a,\n  title = {A}\n}\n\n@article{b,\n  title = {B}\n}\n"
    delta = bib_delta(old, old.replace("{B}", "{B2}") + "\n@article{c,\n  title = {C}\n}\n")
    assert delta is not None and (delta.added, delta.changed) == (["c"], ["b"])
    assert bib_delta(old, old.replace("% header", "@string{j = {J}}")) is None  # a macro could change any entry
    assert bib_delta(old, "@article{c,\n  title = {C}\n}\n" + old) is None  # not appended
    assert bib_delta(old, old + "@article{a,\n title = {again}\n}\n") is None  # a duplicate key


def test_the_store_stays_readable_by_an_open_reader(data: Path) -> None:
    store, first = _store(data)
    before = len(first)
    screen(data / paths.BIB_NAME, "smith2019hipspine", "included")
    load(data, store_path=store)
    assert len(first) == before  # the reader keeps its generation
    assert isinstance(ox.Store.read_only(str(store)), ox.Store)
