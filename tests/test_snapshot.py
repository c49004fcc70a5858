"""`kg snapshot` and kg.export.snapshot: the graph's hash is stable and changes with the data, a view's identifier
names the graph and the view, the CITATION.cff is valid CFF 1.2.0, and the as-of copy leaves out later studies."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg import KnowledgeGraph, load
from kg.analysis.asof import as_of, later_studies, publication_years
from kg.analysis.evidence import claim_summary
from kg.cli.main import main
from kg.export.snapshot import SHORT, cite_view, graph_hash, view_id

REPO = Path(__file__).resolve().parent.parent
CFF_REQUIRED = ("cff-version", "message", "title", "authors")
CFF_TYPES = {"software", "dataset"}
IDENTIFIER_TYPES = {"doi", "url", "swh", "other"}


def snapshot(out: Path, data: Path | None = None) -> str:
    args = ["snapshot", str(out)] + (["--data", str(data)] if data else [])
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_snapshot_files_hash_and_citation(tmp_path: Path, real_kg: KnowledgeGraph) -> None:
    out = snapshot(tmp_path / "a")
    graph = (tmp_path / "a" / "graph.nt").read_bytes()
    digest = hashlib.sha256(graph).hexdigest()
    assert f"sha256:{digest}" in out
    assert (tmp_path / "a" / "graph.nt.sha256").read_text() == f"{digest}  graph.nt\n"
    assert digest == graph_hash(real_kg)  # the hash the app's "Cite this view" shows
    lines = graph.decode().splitlines()
    assert lines == sorted(lines) and len(lines) == len(real_kg)

    cff = yaml.safe_load((tmp_path / "a" / "CITATION.cff").read_text())
    assert all(key in cff for key in CFF_REQUIRED)
    assert cff["cff-version"] == "1.2.0" and cff["type"] in CFF_TYPES
    assert all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in cff["authors"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cff["date-released"])
    assert {i["type"] for i in cff["identifiers"]} <= IDENTIFIER_TYPES
    assert {"type": "other", "value": f"sha256:{digest}"}.items() <= cff["identifiers"][0].items()
    assert digest[:SHORT] in cff["title"]


def test_snapshot_is_stable_and_follows_the_data(tmp_path: Path) -> None:
    snapshot(tmp_path / "a")
    snapshot(tmp_path / "b")
    for name in ("graph.nt", "graph.nt.sha256"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    snapshot(tmp_path / "c", data)
    assert (tmp_path / "c" / "graph.nt.sha256").read_bytes() == (tmp_path / "a" / "graph.nt.sha256").read_bytes()
    claims = data / "claims.ttl"
    claims.write_text(claims.read_text() + "\n# a comment changes no triple\n")
    snapshot(tmp_path / "d", data)
    assert (tmp_path / "d" / "graph.nt.sha256").read_bytes() == (tmp_path / "a" / "graph.nt.sha256").read_bytes()
    claims.write_text(claims.read_text() + '\nclaim:physical-therapy-first rdfs:comment "one more triple" .\n')
    snapshot(tmp_path / "e", data)
    assert (tmp_path / "e" / "graph.nt.sha256").read_bytes() != (tmp_path / "a" / "graph.nt.sha256").read_bytes()


def test_a_bad_output_directory_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["snapshot", str(tmp_path / "file")])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_view_identifier_names_graph_and_view() -> None:
    digest = "ab" * 32
    first = view_id(digest, "claims", {"claim": "x", "as_of": "2017"})
    assert first.startswith(digest[:SHORT] + "-")
    assert first == view_id(digest, "/claims/", {"as_of": "2017", "claim": "x", "snapshot": digest[:SHORT]})
    assert first != view_id(digest, "claims", {"claim": "x"})
    assert first != view_id(digest, "network", {"claim": "x", "as_of": "2017"})
    assert first != view_id("cd" * 32, "claims", {"claim": "x", "as_of": "2017"})
    cited = cite_view(digest, base="http://127.0.0.1:8501/", page="claims", title="Claims",
                      params={"claim": "x y"}, accessed=dt.date(2026, 1, 2), version="0.1.0")
    assert cited.url == f"http://127.0.0.1:8501/claims?claim=x+y&snapshot={digest[:SHORT]}"
    assert cited.identifier in cited.text and cited.url in cited.text and "Accessed 2026-01-02" in cited.text


def test_as_of_leaves_out_later_studies(real_kg: KnowledgeGraph) -> None:
    first, last = publication_years(real_kg) or (0, 0)
    assert first < last
    assert later_studies(real_kg, last) == []
    assert len(later_studies(real_kg, first - 1)) > len(later_studies(real_kg, first)) > 0
    before = as_of(real_kg, first - 1)
    assert not before.select("SELECT ?e WHERE { ?e hs:evidenceFrom ?s }")
    assert not before.select("SELECT ?r WHERE { ?r hs:resultOf ?s }")
    assert not before.select("SELECT ?s WHERE { ?s mp:supports ?c }")
    assert before.select("SELECT ?c WHERE { ?c a mp:Claim }")  # the claims stay
    everything = as_of(real_kg, last)
    assert len(everything) == len(real_kg)
    middle = as_of(real_kg, first)
    years = {int(r["y"]) for r in middle.select(
        "SELECT ?y WHERE { ?e hs:evidenceFrom ?s . ?s dcterms:issued ?y }")}
    assert years and max(years) <= first
    assert len(real_kg) == len(load())  # the original graph is untouched


@pytest.mark.parametrize("year", [2011, 2017])
def test_as_of_claim_summary_counts_only_earlier_studies(real_kg: KnowledgeGraph, year: int) -> None:
    rows = real_kg.select("SELECT ?c ?y WHERE { ?e hs:evidenceFor ?c ; hs:evidenceFrom ?s . ?s dcterms:issued ?y }")
    claim = max({r["c"] for r in rows}, key=lambda c: sum(1 for r in rows if r["c"] == c))
    expected = sum(1 for r in rows if r["c"] == claim and int(r["y"]) <= year)
    summary = claim_summary(as_of(real_kg, year), claim)
    assert len(summary.supporters) + len(summary.contradictors) + len(summary.qualifiers) == expected
