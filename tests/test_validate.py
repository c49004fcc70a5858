"""`kg validate` on good data and on one broken fixture per kind of defect."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli.main import main
from kg.ingest.build import DataSources
from kg.quality.validate import validate

RESOURCES = Path(__file__).parent / "resources"

# fixture directory -> (file the message must name, record it must name, words the message must contain)
BROKEN = {
    "bad-turtle": ("claims.ttl:34", None, "Turtle syntax error"),
    "unknown-cited-key": ("claims.ttl:42", "nosuch2019", "unknown BibTeX key"),
    "claim-without-statement": ("claims.ttl:26", "claim:fusion-raises-dislocation", "statement"),
    "invalid-doi": ("references.bib:2", "smith2020hip", "invalid DOI"),
    "duplicate-bib-key": ("references.bib:14", "smith2020hip", "duplicate BibTeX key"),
    "malformed-bib-entry": ("references.bib:2", "smith2020hip", "malformed entry"),
    "unknown-concept": ("claims.ttl:28", "c:lumbar-fusoin", "concept is used but not defined"),
}


def test_real_data_validates() -> None:
    report = validate(DataSources.resolve())
    assert report.ok, report.text()
    assert report.problems == []  # not even warnings on the curated data
    assert report.triples > 3000


def test_valid_fixture_validates() -> None:
    result = CliRunner().invoke(main, ["validate", "--data", str(RESOURCES / "valid")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("OK")


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_fixture_fails_with_located_message(case: str) -> None:
    where, record, words = BROKEN[case]
    result = CliRunner().invoke(main, ["validate", "--data", str(RESOURCES / "broken" / case)])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if words in line]
    assert lines, f"no message containing {words!r}:\n{result.output}"
    assert any(where in line for line in lines), result.output
    if record:
        assert any(f"[{record}]" in line for line in lines), result.output
    assert "fix:" in result.output  # every report says how to fix it
    assert result.output.rstrip().splitlines()[-1].startswith("FAILED")


def test_every_broken_fixture_is_tested() -> None:
    on_disk = {p.name for p in (RESOURCES / "broken").iterdir() if p.is_dir()}
    assert on_disk == set(BROKEN)


def test_build_refuses_broken_input_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "graph.ttl"
    result = CliRunner().invoke(main, ["build", "--data", str(RESOURCES / "broken" / "unknown-cited-key"), "-o", str(out)])
    assert result.exit_code == 1
    assert "nosuch2019" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no half-written temporary file either


def test_missing_file_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--bib", str(tmp_path / "nope.bib"),
                                       "--claims", str(RESOURCES / "valid" / "claims.ttl")])
    assert result.exit_code == 1
    assert "nope.bib" in result.output and "file not found" in result.output


def test_shacl_catches_interval_and_decimal_errors(tmp_path: Path) -> None:
    claims = (RESOURCES / "valid" / "claims.ttl").read_text()
    claims = claims.replace("qudt:value 7.5 ;", 'qudt:value "seven" ; hs:lowerBound 9.0 ; hs:upperBound 2.0 ;')
    (tmp_path / "claims.ttl").write_text(claims)
    (tmp_path / "references.bib").write_text((RESOURCES / "valid" / "references.bib").read_text())
    report = validate(DataSources.resolve(tmp_path))
    messages = " | ".join(p.message for p in report.errors)
    assert "decimal value" in messages
    assert "lower bound is above its upper bound" in messages
    assert all(p.record == "res:smith2020-dislocation" for p in report.errors), messages


@pytest.mark.parametrize("case", ["claim-without-statement", "bad-interval"])
def test_shacl_split_over_processes_finds_the_same_problems(case: str, tmp_path: Path) -> None:
    """kg.quality.shacl splits the shapes into groups, one forked process each: same problems as one pySHACL run."""
    from kg.ingest.build import assemble
    from kg.quality.validate import shacl_stage

    data = RESOURCES / "broken" / case
    if case == "bad-interval":
        claims = (RESOURCES / "valid" / "claims.ttl").read_text()
        claims = claims.replace("qudt:value 7.5 ;", 'qudt:value "seven" ; hs:lowerBound 9.0 ; hs:upperBound 2.0 ;')
        (tmp_path / "claims.ttl").write_text(claims)
        (tmp_path / "references.bib").write_text((RESOURCES / "valid" / "references.bib").read_text())
        data = tmp_path
    sources = DataSources.resolve(data)
    result = assemble(sources)
    one = shacl_stage(result.store, sources, result.records, workers=1)
    stage_report: dict[str, float] = {}  # shacl_stage records how many worker processes it used here
    split = shacl_stage(result.store, sources, result.records, stage_report, workers=3)
    assert one, "the fixture must violate a shape"
    assert sorted(map(str, split)) == sorted(map(str, one))
    assert stage_report["shacl_workers"] >= 2


def test_shacl_copy_holds_only_what_the_shapes_can_see(real_kg) -> None:
    from kg.quality.shacl import data_graph
    from kg.quality.validate import shapes_graph

    data = data_graph(real_kg.snapshot(), shapes_graph())
    assert 0 < len(data) < len(real_kg)
    predicates = {str(p) for p in data.predicates()}
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#first" not in predicates  # author list cells stay out
    assert {"http://purl.org/dc/terms/title", "https://w3id.org/hipspine/vocab#bibKey"} <= predicates


def test_flattened_shapes_find_what_the_nested_ones_find(tmp_path: Path) -> None:
    """kg.quality.shacl.flatten gives each property shape its node shape's targets: same results, fewer passes."""
    from kg.ingest.build import assemble
    from kg.quality.shacl import _pyshacl, data_graph, flatten
    from kg.quality.validate import shapes_graph

    claims = (RESOURCES / "valid" / "claims.ttl").read_text()
    claims = claims.replace("qudt:value 7.5 ;", 'qudt:value "seven" ; hs:lowerBound 9.0 ; hs:upperBound 2.0 ;')
    claims = claims.replace("mp:statement", "rdfs:comment", 1)
    (tmp_path / "claims.ttl").write_text(claims)
    (tmp_path / "references.bib").write_text((RESOURCES / "valid" / "references.bib").read_text())
    shapes = shapes_graph()
    data = data_graph(assemble(DataSources.resolve(tmp_path)).store, shapes)
    sh = "http://www.w3.org/ns/shacl#"

    def found(results):  # (focus, path, message) of each result
        return sorted((str(results.value(r, rdflib.URIRef(sh + "focusNode"))),
                       str(results.value(r, rdflib.URIRef(sh + "resultPath"))),
                       str(results.value(r, rdflib.URIRef(sh + "resultMessage"))))
                      for r in results.subjects(rdflib.RDF.type, rdflib.URIRef(sh + "ValidationResult")))

    nested, flat = found(_pyshacl(data, shapes)), found(_pyshacl(data, flatten(shapes)))
    assert len(nested) >= 3 and flat == nested
    assert not any(True for _ in flatten(shapes).subject_objects(rdflib.URIRef(sh + "property")))
