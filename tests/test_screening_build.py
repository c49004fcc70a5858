"""Uncurated records (a Zotero-style and a MEDLINE-derived entry) build into the graph with a screening status,
their abstract, keywords and MeSH headings, and validate with warnings for the included one only; the import
log becomes PROV activities; the PRISMA counts and the SVG diagram come from the graph."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import load
from kg.analysis.prisma import HAND_ADDED, PrismaFlow, Source, prisma_flow
from kg.cli.main import main
from kg.ingest.build import DataSources
from kg.quality.validate import validate
from kg.render.prisma import prisma_svg
from kg.store.graph import KnowledgeGraph
from tests.support.review_data import review_data

WORK = "https://w3id.org/hipspine/id/work/"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return review_data(tmp_path_factory.mktemp("review") / "data")


@pytest.fixture(scope="module")
def graph(data_dir: Path) -> KnowledgeGraph:
    return load(data_dir)


def _values(graph: KnowledgeGraph, key: str, prop: str) -> set[str]:
    rows = graph.select(f"SELECT ?v WHERE {{ ?p hs:bibKey ?key ; {prop} ?v }}", {"key": key})
    return {str(r["v"]) for r in rows}


def test_uncurated_records_have_a_screening_status(graph: KnowledgeGraph) -> None:
    status = {key: _values(graph, key, "hs:screeningStatus/rdfs:label")
              for key in ("smith2019hipspine", "lee2020mri", "kim2021gait", "barry2017early")}
    assert status == {"smith2019hipspine": {"to screen"}, "lee2020mri": {"included"}, "kim2021gait": {"excluded"},
                      "barry2017early": {"included"}}  # curated in claims.ttl: included without the field
    assert _values(graph, "kim2021gait", "hs:screeningReason") == {"not about the hip or spine"}
    assert _values(graph, "smith2019hipspine", "hs:verificationStatus") == {"https://w3id.org/hipspine/vocab#Unverified"}


def test_exported_fields_reach_the_graph(graph: KnowledgeGraph) -> None:
    assert _values(graph, "smith2019hipspine", "dcterms:abstract") == {
        "We followed patients with both hip osteoarthritis and lumbar stenosis. Pain fell by half after surgery."}
    assert _values(graph, "smith2019hipspine", "dcterms:subject") == {
        "hip-spine syndrome", "Low back pain", "total hip arthroplasty"}
    assert _values(graph, "smith2019hipspine", "dcterms:language") == {"en"}
    assert _values(graph, "smith2019hipspine", "hs:issn") == {"1234-5678"}
    assert _values(graph, "smith2019hipspine", "fabio:hasURL") == {"https://example.org/article/hip-spine"}
    # MeSH: exact headings link to the descriptor (the star and /qualifier aside); others stay text.
    assert _values(graph, "lee2020mri", "dcterms:subject") == {
        "http://id.nlm.nih.gov/mesh/D008279", "http://id.nlm.nih.gov/mesh/D015207", "Humans", "Hip Pain, Referred"}
    assert "*Magnetic Resonance Imaging/methods" in _values(graph, "lee2020mri", "hs:meshHeading")
    assert _values(graph, "lee2020mri", "hs:importSource") == {"pubmed-search.nbib"}
    assert _values(graph, "lee2020mri", "hs:importedIn") == {"https://w3id.org/hipspine/id/import/1"}
    assert _values(graph, "lee2020mriagain", "hs:possibleDuplicateOf") == {WORK + "lee2020mri"}
    assert _values(graph, "park2018review", "hs:duplicateOf") == {WORK + "smith2019hipspine"}


def test_import_runs_are_prov_activities(graph: KnowledgeGraph) -> None:
    rows = graph.select("SELECT ?source ?read ?dups WHERE { ?run a prov:Activity, hs:ImportRun ; hs:importSource ?source ;"
                        " hs:recordsRead ?read ; hs:duplicatesRemoved ?dups } ORDER BY ?source")
    assert rows == [{"source": "pubmed-search.nbib", "read": 5, "dups": 1},
                    {"source": "zotero-library.ris", "read": 2, "dups": 1}]


def test_validate_warns_only_for_the_included_uncurated_study(data_dir: Path) -> None:
    report = validate(DataSources.resolve(data_dir))
    assert report.ok, report.text()
    warned = {(p.record, p.message) for p in report.problems}
    assert {record for record, _ in warned if "included study" in _} == {"lee2020mri"}
    assert len([m for r, m in warned if r == "lee2020mri"]) == 4  # evidence, design, level, risk of bias
    # The unmapped field is named once, not once per entry.
    assert [m for _, m in warned if "month" in m] == ["field 'month' is not mapped to the graph; it stays in the .bib only"]


def test_prisma_counts(graph: KnowledgeGraph) -> None:
    flow = prisma_flow(graph)
    assert flow.sources == [Source("pubmed-search.nbib", "medline", 5), Source("zotero-library.ris", "ris", 2),
                            Source("", "", 14)]
    assert (flow.identified, flow.duplicates_on_import, flow.duplicates_on_review, flow.unreadable) == (21, 2, 1, 1)
    assert (flow.screened, flow.excluded, flow.included, flow.awaiting, flow.possible_duplicates) == (15, 1, 14, 2, 1)
    assert flow.exclusions == [("not about the hip or spine", 1)]
    # Every identified record is accounted for: removed, screened or awaiting screening.
    assert flow.identified == flow.removed + flow.screened + flow.awaiting


def test_curated_data_alone_counts_the_source_articles_citations() -> None:
    flow = prisma_flow(load())
    assert flow.sources == [Source("", "", 13)]
    assert (flow.included, flow.awaiting, flow.removed) == (13, 0, 0)


def test_svg_is_well_formed_escaped_and_has_the_counts(graph: KnowledgeGraph) -> None:
    svg = prisma_svg(prisma_flow(graph))
    root = ET.fromstring(svg)
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for expected in ("Records identified (n = 21)", "pubmed-search.nbib (medline): n = 5", "Duplicate records (n = 3)",
                     "Records screened (n = 15)", "Records excluded (n = 1)", "not about the hip or spine: n = 1",
                     "Studies included in review (n = 14)", "Records awaiting screening (n = 2)"):
        assert expected in texts
    tricky = PrismaFlow(sources=[Source("a<b>&c.ris", "ris", 1)], exclusions=[("<script>x</script>", 1)], excluded=1)
    odd = prisma_svg(tricky)
    assert "<script>" not in odd
    assert "a<b>&c.ris" in " ".join(t.text or "" for t in ET.fromstring(odd).iter("{http://www.w3.org/2000/svg}text"))
    assert HAND_ADDED.startswith("references.bib entries")


def test_kg_prisma_writes_the_svg(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "flow.svg"
    result = CliRunner().invoke(main, ["prisma", "--data", str(data_dir), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "21 identified" in result.output and "14 included" in result.output
    ET.parse(out)
    printed = CliRunner().invoke(main, ["prisma", "--data", str(data_dir)])
    assert "Records screened (n = 15)" in printed.output


def test_a_broken_import_log_is_a_located_error(tmp_path: Path) -> None:
    directory = review_data(tmp_path / "data")
    with open(directory / "import-log.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"date": "yesterday", "source": "x.ris", "records": 1}\n')
    report = validate(DataSources.resolve(directory), shacl=False)
    assert [(p.line, p.severity) for p in report.errors] == [(3, "error")]
    assert "not YYYY-MM-DD" in report.errors[0].message


def test_bibtex_export_keeps_the_review_fields(graph: KnowledgeGraph, tmp_path: Path) -> None:
    from kg.export.bibtex import to_bibtex
    from kg.ingest.bibtex import parse_bib

    exported = {r.key: r.fields for r in parse_bib(tmp_path / "x.bib", to_bibtex(graph))}
    lee = exported["lee2020mri"]
    assert lee["mesh"] == "*Magnetic Resonance Imaging/methods; Hip Pain, Referred; Humans; " \
                          "Osteoarthritis, Hip/diagnostic imaging"  # headings sorted: the graph keeps no order
    assert (lee["import-source"], lee["import-date"], lee["screening"]) == ("pubmed-search.nbib", "2026-12-01", "included")
    assert exported["smith2019hipspine"]["keywords"] == "Low back pain; hip-spine syndrome; total hip arthroplasty"
    assert "screening" not in exported["smith2019hipspine"]  # to screen and uncurated: the default, left out
    assert "screening" not in exported["barry2017early"]  # included and curated: the default
    assert exported["kim2021gait"]["screening-reason"] == "not about the hip or spine"
    assert exported["park2018review"]["duplicate-of"] == "smith2019hipspine"
