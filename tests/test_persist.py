"""The persistent store (kg.store.persistent): reuse on the same inputs, atomic rebuild on changed ones."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.ingest.build import DataSources
from kg.ingest.errors import InputError
from kg.store.persistent import MANIFEST, fingerprint, is_current, open_or_build, read_manifest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def data(tmp_path: Path) -> DataSources:
    for name in ("references.bib", "claims.ttl"):
        shutil.copy(REPO / "data" / name, tmp_path / name)
    return DataSources.resolve(tmp_path)


def test_builds_once_then_reuses(data: DataSources, tmp_path: Path) -> None:
    store = tmp_path / "stores" / "kg"
    first = open_or_build(store, data)
    assert first.build is not None and not first.build.errors
    n = len(first)
    manifest = read_manifest(store)
    assert manifest and manifest["triples"] == n and manifest["fingerprint"] == fingerprint(data).digest
    again = open_or_build(store, data)
    assert again.build is None  # reused, not rebuilt
    assert len(again) == n
    assert again.select("SELECT (COUNT(*) AS ?n) WHERE { ?c a mp:Claim }")[0]["n"] == 31


def test_changed_input_rebuilds_and_swaps(data: DataSources, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    old = open_or_build(store, data)
    target = os.readlink(store)
    with open(data.claims, "a", encoding="utf-8") as handle:
        handle.write("\n# a comment changes the bytes, so the fingerprint\n")
    assert not is_current(store, data)
    new = open_or_build(store, data)
    assert new.build is not None and os.readlink(store) != target
    assert len(old) == len(new)  # the old handle still reads its own generation


def test_failed_build_keeps_the_previous_store(data: DataSources, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    good = len(open_or_build(store, data))
    target = os.readlink(store)
    with open(data.claims, "a", encoding="utf-8") as handle:
        handle.write("\nev:broken a hs:Evidence ; hs:evidenceFor claim:no-such-claim .\n")
    with pytest.raises(InputError):
        open_or_build(store, data)
    assert os.readlink(store) == target
    generations = store.parent / ".kg.stores"
    assert len([p for p in generations.iterdir() if not p.name.startswith(".")]) == 1  # temp dir removed
    data.claims.write_text((REPO / "data" / "claims.ttl").read_text(encoding="utf-8"), encoding="utf-8")
    assert len(open_or_build(store, data)) == good


def test_refuses_a_directory_that_is_not_a_store(data: DataSources, tmp_path: Path) -> None:
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError):
        open_or_build(precious, data)
    assert (precious / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert not (precious / MANIFEST).exists()
