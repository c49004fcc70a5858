"""The data-file writer: atomic replacement, and locked read-modify-write that keeps concurrent changes."""
from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from kg.ingest.files import ConcurrentChange, digest, update_text, write_atomic


def _append_lines(path: str, tag: str, count: int) -> None:
    for i in range(count):
        update_text(Path(path), lambda text, i=i: text + f"{tag}{i}\n")


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    target = tmp_path / "claims.ttl"
    target.write_text("# head\n")
    ctx = mp.get_context("fork")
    workers = [ctx.Process(target=_append_lines, args=(str(target), tag, 40)) for tag in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    lines = target.read_text().splitlines()
    assert lines[0] == "# head"
    assert sorted(lines[1:]) == sorted([f"a{i}" for i in range(40)] + [f"b{i}" for i in range(40)])


def test_stale_digest_is_refused_and_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "references.bib"
    target.write_bytes(b"@article{a,\n}\n")
    seen = digest(target.read_bytes())
    target.write_bytes(b"@article{a,\n}\n@article{b,\n}\n")  # another writer
    with pytest.raises(ConcurrentChange):
        update_text(target, lambda text: text + "x", expected_digest=seen)
    assert target.read_bytes() == b"@article{a,\n}\n@article{b,\n}\n"


def test_failing_transform_leaves_file_byte_identical(tmp_path: Path) -> None:
    target = tmp_path / "claims.ttl"
    target.write_bytes(b"keep\r\n")

    def broken(text: str) -> str:
        raise ValueError("refused")

    with pytest.raises(ValueError):
        update_text(target, broken)
    assert target.read_bytes() == b"keep\r\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_write_atomic_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "x.bib"
    target.write_text("old")
    target.chmod(0o644)
    write_atomic(target, b"new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o644
