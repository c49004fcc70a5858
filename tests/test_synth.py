"""The synthetic corpus generator (kg.synth, `kg synth`): valid against the project's own checks, deterministic, realistic."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import KnowledgeGraph, load
from kg.cli.synth import synth
from kg.ingest.build import DataSources
from kg.quality.validate import validate
from kg.synth import DOI_PREFIX, generate, parse_size

N = 1000
SEED = 42


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth1k")
    generate(N, SEED, out)
    return out


@pytest.fixture(scope="module")
def synth_kg(corpus: Path) -> KnowledgeGraph:
    return load(corpus)


def count(kg: KnowledgeGraph, where: str) -> int:
    return int(kg.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])


def test_1k_corpus_passes_the_real_validator(corpus: Path) -> None:
    """Parse, referential integrity and SHACL shapes: the same `kg validate` the curated data passes."""
    report = validate(DataSources.resolve(corpus))
    assert report.ok, report.text()[-3000:]
    assert report.problems == [], report.text()[-3000:]
    assert "shacl" in report.timings


def test_generation_is_deterministic(corpus: Path, tmp_path: Path) -> None:
    generate(N, SEED, tmp_path / "again")
    for name in ("references.bib", "claims.ttl"):
        assert (tmp_path / "again" / name).read_bytes() == (corpus / name).read_bytes(), name
    generate(N, SEED + 1, tmp_path / "other")
    assert (tmp_path / "other" / "claims.ttl").read_bytes() != (corpus / "claims.ttl").read_bytes()


def test_both_stances_and_about_a_fifth_contested(synth_kg: KnowledgeGraph) -> None:
    supports = count(synth_kg, "?p mp:supports ?c")
    challenges = count(synth_kg, "?p mp:challenges ?c")
    qualifies = count(synth_kg, "?p hs:qualifies ?c")
    assert supports > 0 and challenges > 0 and qualifies > 0
    backed = count(synth_kg, "?c a mp:Claim FILTER NOT EXISTS { ?c a hs:UnbackedAssertion }")
    contested = count(synth_kg, "{ SELECT DISTINCT ?c WHERE { ?a mp:supports ?c . ?b mp:challenges ?c } }")
    assert 0.12 <= contested / backed <= 0.30, (contested, backed)


def test_every_part_of_the_model_is_present(synth_kg: KnowledgeGraph) -> None:
    for where in (
        "?p a fabio:JournalArticle ; hs:verificationStatus hs:Unverified ; hs:unverifiedField ?f",
        "?p hs:verificationStatus hs:PartlyVerified", "?p hs:onlineDate ?d", "?p fabio:hasPubMedCentralId ?x",
        "?p a fabio:SystematicReview", "?p hs:sampleSize ?n ; hs:sampleUnit ?u", "?p bibo:authorList ?l",
        "?f a pico:PICO ; pico:comparatorGroup ?g", "?pop a pico:Population ; pico:numberOfParticipants ?n",
        "?r a obo:STATO_0000233", "?r a obo:STATO_0000134", "?r a obo:STATO_0000415",
        "?r a obo:STATO_0000182 ; hs:lowerBound ?l ; hs:upperBound ?u", "?r a hs:EventRate ; hs:pValue ?p",
        "?r a hs:Prevalence", "?r a hs:MeanScore", "?r a hs:RegressionCoefficient",
        "?r a hs:StandardizedRegressionCoefficient", "?c a hs:UnbackedAssertion", "?c hs:assertedBy ?s",
        "?s a hs:SourceArticle ; cito:citesAsEvidence ?p", "?x a hs:Characterisation",
        "?d hs:discrepancyKind hs:Misreport", "?d hs:discrepancyKind hs:StaleCitation",
        "?d hs:discrepancyKind hs:CharacterisationGap", "?e hs:followUp ?f",
        # the shipped vocabulary and the generated extension are both used
        "?e hs:evidenceFor ?c . ?c dcterms:subject c:total-hip-arthroplasty",
        "?k skos:broader ?b ; skos:inScheme ?s FILTER NOT EXISTS { ?k skos:definition ?d } ?x pico:intervention ?k",
    ):
        assert count(synth_kg, where) > 0, where


def test_bibliography_is_realistic(synth_kg: KnowledgeGraph, corpus: Path) -> None:
    bib = (corpus / "references.bib").read_text(encoding="utf-8")
    assert "\\&" in bib and "{\\'" in bib and "ö" in bib  # LaTeX escapes and plain Unicode both occur
    assert count(synth_kg, "?j a fabio:Journal") >= 150
    assert count(synth_kg, "?a a foaf:Person") >= N // 4
    # LaTeX reached the graph decoded; the same person spelled two ways is one node
    assert count(synth_kg, '?a foaf:name ?n FILTER(CONTAINS(?n, "\\\\") || CONTAINS(?n, "{"))') == 0
    assert count(synth_kg, '?a foaf:familyName ?n FILTER(REGEX(?n, "[^\\\\x00-\\\\x7F]"))') > 0
    dois = synth_kg.select("SELECT ?d WHERE { ?p prism:doi ?d }")
    assert dois and all(row["d"].startswith(DOI_PREFIX + "/") for row in dois)
    years = synth_kg.select("SELECT (MIN(?y) AS ?lo) (MAX(?y) AS ?hi) WHERE { ?p a fabio:JournalArticle ; dcterms:issued ?y }")[0]
    assert 1990 <= int(years["lo"]) and int(years["hi"]) <= 2025


def test_no_blank_nodes_and_size_per_paper(corpus: Path, synth_kg: KnowledgeGraph) -> None:
    quads = ox.parse(path=str(corpus / "claims.ttl"), format=ox.RdfFormat.TURTLE)
    assert not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads)
    per_paper = len(synth_kg) / N
    # The model's floor is ~45 (see BENCHMARKS.md); each study's risk-of-bias assessment (25-40 triples) and each
    # claim's certainty with its working (about 40-80) come on top.
    assert 80 <= per_paper <= 150, per_paper


def test_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(synth, ["--papers", "60", "--seed", "3", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "evidence_lines" in result.output
    assert (tmp_path / "references.bib").stat().st_size > 0 and (tmp_path / "claims.ttl").stat().st_size > 0
    assert not list(tmp_path.glob(".synth-*"))
    assert [parse_size(s) for s in ("1000", "10k", "1.5k", "1m")] == [1000, 10_000, 1500, 1_000_000]
    for bad in ("many", "0"):
        refused = CliRunner().invoke(synth, ["--papers", bad, "--out", str(tmp_path / "no")])
        assert refused.exit_code == 2 and "--papers" in refused.output, refused.output


def test_kg_synth_writes_what_generate_writes(tmp_path: Path) -> None:
    """The installed `kg synth` command: same options, same bytes as generate()."""
    kg = Path(sys.executable).with_name("kg")
    run = subprocess.run([str(kg), "synth", "--papers", "1k", "--seed", "5", "--out", str(tmp_path / "cli")],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "claims_bytes" in run.stdout
    generate(1000, 5, tmp_path / "api")
    for name in ("references.bib", "claims.ttl"):
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "api" / name).read_bytes(), name


def test_tiny_corpus_still_validates(tmp_path: Path) -> None:
    generate(5, 7, tmp_path)
    report = validate(DataSources.resolve(tmp_path))
    assert report.ok, report.text()
