"""The asking commands of `kg` (queries, query, export, stats), run through click's CliRunner."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner, Result

from kg.api import load
from kg.cli.main import main
from kg.cli.query import compact, parse_param_options
from kg.query.named import list_queries

MINI = str(Path(__file__).parent / "resources" / "mini")
CLAIM = "https://w3id.org/hipspine/id/claim/"


def kg(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


# ------------------------------------------------------------------------------------------- kg queries

def test_queries_lists_names_titles_and_params() -> None:
    result = kg("queries")
    assert result.exit_code == 0
    for q in list_queries():
        assert q.name in result.stdout and q.title in result.stdout
        for p in q.params:
            assert f"--param {p.name} ({p.type})" in result.stdout
    listed = json.loads(kg("queries", "--format", "json", "--data", MINI).stdout)
    contested = next(q for q in listed if q["name"] == "contested_claims")
    assert contested["columns"][:2] == ["claim", "statement"] and contested["params"] == []


# --------------------------------------------------------------------------------------------- kg query

def test_named_query_as_table_csv_tsv_and_json() -> None:
    table = kg("query", "contested_claims")
    assert table.exit_code == 0 and "claim:mri-detects-labral-tears" in table.stdout  # IRIs compacted
    rows = list(csv.DictReader(io.StringIO(kg("query", "contested_claims", "--format", "csv").stdout)))
    assert rows[0]["claim"] == CLAIM + "mri-detects-chondral-lesions" and rows[0]["supporting"] == "1"
    tsv = kg("query", "contested_claims", "--format", "tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:3] == ["claim", "statement", "supporting"] and len(tsv) == 3
    records = json.loads(kg("query", "contested_claims", "--format", "json").stdout)
    assert records[0]["contradicting"] == 1 and isinstance(records[0]["supporting"], int)


def test_named_query_with_params() -> None:
    result = kg("query", "claim_evidence", "--param", "claim=claim:mri-detects-labral-tears", "--format", "json")
    assert result.exit_code == 0
    studies = [r["study"] for r in json.loads(result.stdout)]
    assert studies == ["rajeev2017validity", "lee2019accuracy", "annabell2018hip"]  # Annabell: inconclusive
    cta = kg("query", "diagnostic_accuracy", "-p", "index_test=c:ct-arthrography", "--format", "json")
    lee = json.loads(cta.stdout)
    assert {(r["observer"], r["sensitivity"]) for r in lee} == {("observer 1", 85.0), ("observer 2", 92.0)}
    empty = kg("query", "study_claims", "-p", 'study="} ; DROP')
    assert empty.exit_code == 0 and empty.stdout == "(no rows)\n"


def test_query_on_the_fixture_with_data_option() -> None:
    result = kg("query", "contested_claims", "--data", MINI, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["supported_by"], r["contradicted_by"]) for r in rows] == [("alpha2019tha", "beta2020arthroscopy")]
    bib_and_claims = kg("query", "evidence_table", "--bib", f"{MINI}/references.bib", "--claims",
                        f"{MINI}/claims.ttl", "--format", "json")
    assert {r["study"] for r in json.loads(bib_and_claims.stdout)} == {"alpha2019tha", "beta2020arthroscopy",
                                                                         "script2021test"}


def test_unknown_query_and_parameter_fail_with_the_choices() -> None:
    unknown = kg("query", "contested")
    assert unknown.exit_code == 1 and "known queries:" in unknown.stderr and "contested_claims" in unknown.stderr
    bad_param = kg("query", "study_claims", "--param", "studdy=x")
    assert bad_param.exit_code == 1 and "its parameters: study" in bad_param.stderr
    bad_iri = kg("query", "claim_evidence", "--param", "claim=not an iri")
    assert bad_iri.exit_code == 1 and "not an IRI" in bad_iri.stderr
    assert kg("query", "study_claims", "--param", "no-equals-sign").exit_code == 2
    assert kg("query").exit_code == 2


def test_adhoc_sparql_from_stdin_and_file(tmp_path: Path) -> None:
    text = "SELECT ?key WHERE { ?p hs:bibKey ?key } ORDER BY ?key LIMIT 2"
    from_stdin = kg("query", "-", "--format", "csv", input=text)
    assert from_stdin.exit_code == 0 and from_stdin.stdout == "key\nannabell2018hip\nbarry2017early\n"
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    from_file = kg("query", "--file", str(path), "--format", "json", "--data", MINI)
    assert [r["key"] for r in json.loads(from_file.stdout)] == ["alpha2019tha", "beta2020arthroscopy"]
    assert kg("query", "-", input="ASK { ?c a hs:UnbackedAssertion }").stdout == "true\n"
    construct = kg("query", "-", input="CONSTRUCT WHERE { ?d a hs:Discrepancy }")
    assert len(rdflib.Graph().parse(data=construct.stdout, format="nt")) == 14
    assert kg("query", "contested_claims", "--file", str(path)).exit_code == 2
    assert kg("query", "-", "--param", "a=b", input=text).exit_code == 2


def test_adhoc_syntax_error_reports_line_and_column() -> None:
    result = kg("query", "-", input="SELECT ?s\nWHERE {\n  ?s foo:p ?o\n}")
    assert result.exit_code == 1
    assert "line 3, column" in result.stderr and "undeclared prefix" in result.stderr and result.stdout == ""


def test_adhoc_update_is_refused() -> None:
    result = kg("query", "-", input="DELETE WHERE { ?s ?p ?o }")
    assert result.exit_code == 1 and "not allowed" in result.stderr


def test_adhoc_limits() -> None:
    capped = kg("query", "-", "--max-rows", "3", "--format", "csv", input="SELECT ?s WHERE { ?s ?p ?o }")
    assert capped.exit_code == 0 and len(capped.stdout.splitlines()) == 4 and "first 3 rows" in capped.stderr
    slow = kg("query", "-", "--timeout", "0.5",
              input="SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert slow.exit_code == 1 and "time limit" in slow.stderr


# -------------------------------------------------------------------------------------------- kg export

@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_export_rdf_to_stdout(fmt: str) -> None:
    result = kg("export", "--format", fmt, "--data", MINI)
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.stdout, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    assert len(graph) == len(load(MINI)) > 1000


def test_export_to_files(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"  # format from the extension
    assert kg("export", "--data", MINI, "--output", str(bib)).exit_code == 0
    assert "@online{mini2022source," in bib.read_text(encoding="utf-8")
    table = tmp_path / "evidence.csv"
    kg("export", "--format", "csv", "-o", str(table))
    assert table.read_text(encoding="utf-8").startswith("study,claim,stance,design,n,year\n")
    graphml = tmp_path / "g.graphml"
    result = kg("export", "--format", "graphml", "--data", MINI, "-o", str(graphml))
    assert result.exit_code == 0 and "Wrote" in result.stderr
    assert nx.read_graphml(graphml).number_of_nodes() > 0
    assert kg("export", "--data", MINI).exit_code == 2  # neither --format nor a known extension


def test_export_bib_and_csv_to_stdout() -> None:
    assert "@article{script2021test," in kg("export", "--format", "bib", "--data", MINI).stdout
    lines = kg("export", "--format", "csv", "--data", MINI).stdout.splitlines()
    assert lines[0] == "study,claim,stance,design,n,year" and len(lines) == 4


# --------------------------------------------------------------------------------------------- kg stats

def test_stats_counts_coverage_and_contested() -> None:
    result = kg("stats")
    assert result.exit_code == 0
    assert "studies                   13" in result.stdout
    assert "claims with evidence lines          22 of 31 (71%)" in result.stdout
    assert "Contested claims (2)" in result.stdout
    assert "claim:mri-detects-labral-tears: 1 for" in result.stdout
    mini = json.loads(kg("stats", "--data", MINI, "--format", "json").stdout)
    counts = {r["kind"]: r["count"] for r in mini["counts"]}
    assert counts["studies"] == 4 and counts["source articles"] == 1  # three curated, one excluded record
    assert [r["claim"] for r in mini["contested"]] == [CLAIM + "lumbar-disease-worsens-hip-surgery"]


def test_missing_data_fails_cleanly(tmp_path: Path) -> None:
    result = kg("stats", "--data", str(tmp_path))
    assert result.exit_code == 1 and "file not found" in result.stderr


# ------------------------------------------------------------------------------------------- helpers

def test_helpers() -> None:
    assert compact(CLAIM + "x") == "claim:x" and compact("https://doi.org/10.1/x") == "doi:10.1/x"
    assert compact("plain") == "plain" and compact(3) == 3
    assert parse_param_options(("a=b=c", "d=")) == {"a": "b=c", "d": ""}
