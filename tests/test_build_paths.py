"""The fast build: a forked BibTeX parser gives the same graph as the inline one, its errors come back located,
no child process outlives a build, and blank-node names do not depend on the order of the file."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.ingest.build import DataSources, assemble
from kg.ingest.errors import InputError
from kg.ingest.parallel import BibJob
from kg.store.serialize import sorted_ntriples

RESOURCES = Path(__file__).parent / "resources"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids BibJob forks during the test."""
    pids: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr("kg.ingest.parallel.os.fork", fork)
    return pids


def reaped(pids: list[int]) -> bool:
    """Every forked child has been waited for (none left running or as a zombie)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(pids)


@pytest.mark.parametrize("data", [REPO / "data", RESOURCES / "mini"], ids=["real", "mini"])
def test_forked_and_inline_builds_write_the_same_bytes(data: Path, forks: list[int]) -> None:
    sources = DataSources.resolve(data)
    inline = assemble(sources, parallel=False)
    forked = assemble(sources, parallel=True)
    assert sorted_ntriples(forked.store) == sorted_ntriples(inline.store)
    assert [r.key for r in forked.records] == [r.key for r in inline.records]
    assert forked.records[0].authors == inline.records[0].authors
    assert [str(p) for p in forked.problems] == [str(p) for p in inline.problems]
    assert reaped(forks)


def test_forked_parser_reports_a_malformed_entry_with_file_line_and_key(forks: list[int]) -> None:
    sources = DataSources.resolve(RESOURCES / "broken" / "malformed-bib-entry")
    with pytest.raises(InputError) as inline:
        assemble(sources, parallel=False)
    with pytest.raises(InputError) as forked:
        assemble(sources, parallel=True)
    assert [str(p) for p in forked.value.problems] == [str(p) for p in inline.value.problems]
    assert "references.bib" in str(forked.value) and "line" in str(forked.value)
    assert reaped(forks)


def test_a_broken_bib_and_a_broken_claims_file_are_reported_together(tmp_path: Path, forks: list[int]) -> None:
    shutil.copy(RESOURCES / "broken" / "malformed-bib-entry" / "references.bib", tmp_path / "references.bib")
    shutil.copy(RESOURCES / "broken" / "bad-turtle" / "claims.ttl", tmp_path / "claims.ttl")
    for parallel in (False, True):
        with pytest.raises(InputError) as caught:
            assemble(DataSources.resolve(tmp_path), parallel=parallel)
        text = str(caught.value)
        assert "malformed entry" in text and "Turtle syntax error" in text
    assert reaped(forks)


def test_bib_job_delivers_in_order_and_leaves_no_process_or_file(forks: list[int], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    job = BibJob(REPO / "data" / "references.bib", parallel=True)
    keys, problems = job.keys()
    assert "eneqvist2017lumbar" in keys and all(p.severity != "error" for p in problems)
    store = ox.Store()
    job.load_into(store)
    assert len(list(store.quads_for_pattern(None, None, ox.NamedNode("http://xmlns.com/foaf/0.1/Person")))) > 50
    job.finish()
    assert {r.key for r in job.records()} == set(keys)
    assert reaped(forks)
    assert list(tmp_path.iterdir()) == []  # the records' N-Triples file and its directory are gone


def test_an_abandoned_job_removes_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails after the child wrote its N-Triples (say, a bad claims file) leaves nothing in /tmp."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    job = BibJob(REPO / "data" / "references.bib", parallel=True)
    job.keys()
    job._receive("nt")  # the file exists now
    assert any(tmp_path.rglob("records.nt"))
    job.close()
    del job
    assert list(tmp_path.iterdir()) == []


FRAME = """@prefix pico: <http://data.cochrane.org/ontologies/pico/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/hipspine/id/pico/x> pico:outcomeGroup {first} , {second} .
[ rdfs:label "a node nothing holds" ] .
"""
ARM_A = '[ rdfs:label "pain" ; pico:outcome [ rdfs:label "VAS" ] ]'
ARM_B = '[ rdfs:label "function" ; pico:outcome [ rdfs:label "Harris hip score" ] ]'


def test_blank_node_names_do_not_depend_on_the_order_in_the_file(tmp_path: Path) -> None:
    """Sibling blank nodes under the same predicate, nested ones and a root one get the same IRIs whichever
    order the file lists them in; names follow the holder (…/pico/x/outcomeGroup, …-2)."""
    built = []
    for name, (first, second) in (("a", (ARM_A, ARM_B)), ("b", (ARM_B, ARM_A))):
        (tmp_path / name).mkdir()
        shutil.copy(REPO / "data" / "references.bib", tmp_path / name / "references.bib")
        (tmp_path / name / "claims.ttl").write_text(FRAME.format(first=first, second=second), encoding="utf-8")
        built.append(sorted_ntriples(assemble(DataSources.resolve(tmp_path / name)).store))
    assert built[0] == built[1]
    text = built[0].decode() if isinstance(built[0], bytes) else built[0]
    assert "_:" not in text
    assert "<https://w3id.org/hipspine/id/pico/x/outcomeGroup-2/outcome>" in text
    assert "<https://w3id.org/hipspine/id/node/" in text


@pytest.mark.parametrize(("turtle", "expected"), [
    ('<a> <b> "a [bracket] (and paren) in a string" .', False),
    ("<a> <b> <c> . # a [comment] (here)", False),
    ("<http://x/a(b)> <b> <c> .", False),
    ("<a> <b> [ <c> <d> ] .", True),
    ("<a> <b> ( <c> <d> ) .", True),
    ("_:n <b> <c> .", True),
    ('<a> <b> """long\n[string]""" .', True),  # conservative for multi-line strings
])
def test_blank_node_syntax_is_found_outside_strings_only(tmp_path: Path, turtle: str, expected: bool) -> None:
    from kg.ingest.claims_ttl import ClaimsFile

    path = tmp_path / "claims.ttl"
    path.write_text(turtle + "\n", encoding="utf-8")
    assert ClaimsFile(path).may_have_blank_nodes() is expected


def test_rewriting_keys_in_chunks_gives_the_same_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = DataSources.resolve(REPO / "data")
    whole = sorted_ntriples(assemble(sources).store)
    monkeypatch.setattr("kg.ingest.claims_ttl.REWRITE_CHUNK", 3)
    assert sorted_ntriples(assemble(sources).store) == whole


def test_bulk_loading_into_a_disk_store_gives_the_same_graph(tmp_path: Path) -> None:
    """kg.store.persistent builds a fresh on-disk store with Oxigraph's (non-transactional, faster) bulk loader."""
    sources = DataSources.resolve(REPO / "data")
    on_disk = assemble(sources, store=ox.Store(str(tmp_path / "store")), bulk=True)
    assert sorted_ntriples(on_disk.store) == sorted_ntriples(assemble(sources).store)
    with pytest.raises(InputError, match="Turtle syntax error"):
        assemble(DataSources.resolve(RESOURCES / "broken" / "bad-turtle"), store=ox.Store(str(tmp_path / "bad")),
                 bulk=True)
