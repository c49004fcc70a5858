"""The build: deterministic output, every format, atomic writes, round trips."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.cli.main import main
from kg.ingest.files import write_atomic
from kg.store.serialize import to_rdflib

FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".trig": "trig"}


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_build_twice_gives_identical_bytes_and_reparses_isomorphic(tmp_path: Path, ext: str, real_kg) -> None:
    first, second = tmp_path / f"a{ext}", tmp_path / f"b{ext}"
    for out in (first, second):
        result = CliRunner().invoke(main, ["build", "--output", str(out)])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    parsed = rdflib.Dataset() if ext == ".trig" else rdflib.Graph()
    parsed.parse(first, format=FORMATS[ext])
    reparsed = rdflib.Graph()
    for s, p, o, *_ in (parsed.quads() if ext == ".trig" else parsed):
        reparsed.add((s, p, o))
    assert isomorphic(canonical(reparsed), canonical(to_rdflib(real_kg.snapshot())))


def canonical(graph: rdflib.Graph) -> rdflib.Graph:
    """Numeric literals in canonical lexical form: Turtle writes 86 as 86.0, N-Triples keeps "86"."""
    out = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.datatype == rdflib.XSD.decimal:
            o = rdflib.Literal(format(Decimal(str(o)).normalize(), "f"), datatype=rdflib.XSD.decimal)
        out.add((s, p, o))
    return out


def test_unknown_extension_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--output", str(tmp_path / "g.xyz")])
    assert result.exit_code == 1
    assert ".ttl" in result.output and not (tmp_path / "g.xyz").exists()


def test_build_summary_counts() -> None:
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0
    assert "13 papers" in result.output and "45 measured results" in result.output


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"old")

    def explode() -> bytes:
        raise RuntimeError("serializer failed")

    with pytest.raises(RuntimeError):
        write_atomic(target, explode)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]


def test_blank_nodes_get_stable_names(real_kg) -> None:
    rows = real_kg.select("SELECT ?pop WHERE { pf:eneqvist2017 pico:population ?pop }")
    assert rows == [{"pop": "https://w3id.org/hipspine/id/pico/eneqvist2017/population"}]
    assert real_kg.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }")[0]["n"] == 0


def test_rdflib_view_shares_the_store(real_kg) -> None:
    graph = real_kg.graph
    title = graph.value(rdflib.URIRef("https://doi.org/10.4055/cios.2019.11.1.21"), rdflib.DCTERMS.title)
    assert str(title).startswith("Accuracy of Magnetic Resonance Imaging")
