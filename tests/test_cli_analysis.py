"""The analysis commands through click's CliRunner: summary, explain, fidelity, network, rank."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner, Result

from kg.cli.main import main

RESOURCES = Path(__file__).parent / "resources"
LUMBAR = "claim:lumbar-disease-worsens-hip-surgery"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_the_commands_are_registered() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("summary", "explain", "fidelity", "network", "rank"):
        assert command in result.output


@pytest.mark.parametrize("claim", [LUMBAR, "lumbar-disease-worsens-hip-surgery",
                                   "https://w3id.org/hipspine/id/claim/lumbar-disease-worsens-hip-surgery"])
def test_summary_prints_the_evidence_and_the_certainty_working(claim: str) -> None:
    result = run("summary", claim)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Supporting (2):" in out and "Contradicting (0):" in out and "Qualifying (0):" in out
    assert "Eneqvist 2017 (eneqvist2017lumbar)" in out and "Barry 2017" in out
    assert "Haskel 2020" not in out  # a study of hip arthroscopy does not bear on a hip replacement claim
    assert "Balance" not in out  # no level-weighted vote count any more
    assert "Certainty: " in out and " certainty that the claim " in out and "(prognostic factor question)" in out
    for domain in ("start", "risk of bias", "inconsistency", "indirectness", "imprecision", "publication bias",
                   "large effect", "dose-response"):
        assert f"  {domain} " in out
    assert "Direction of effect (SWiM):" in out and "sign test" in out and "Pooling:" in out


def test_an_unknown_claim_is_a_clear_error_with_close_matches() -> None:
    for command in ("summary", "explain"):
        result = run(command, "lumbar-disease-worsens")
        assert result.exit_code == 1
        assert "unknown claim 'lumbar-disease-worsens'" in result.stderr
        assert LUMBAR in result.stderr
        assert "Traceback" not in result.output


def test_explain_shows_the_intervention_difference() -> None:
    result = run("explain", "claim:mri-detects-chondral-lesions")
    assert result.exit_code == 0, result.output
    assert "1 opposing pair(s) on claim:mri-detects-chondral-lesions" in result.output
    assert "Annabell 2018 (supports) vs Rajeev 2017 (contradicts): different questions" in result.output
    assert "* index test: non-arthrographic MRI" in result.output and "|  MR arthrography" in result.output
    quiet = run("explain", "prior-lumbar-surgery-worse-proms")
    assert quiet.exit_code == 0 and "No disagreement" in quiet.output


def test_fidelity_lists_misreports_and_filters_by_source() -> None:
    result = run("fidelity")
    assert result.exit_code == 0, result.output
    assert result.output.count("[misreport]") == 6
    assert "Total: 6 misreport" in result.output
    assert "article says: Gives 60/80/64% and 65/70/69%" in result.output
    assert "record says:  Those figures are MRI's" in result.output
    assert run("fidelity", "--source", "hauser2021hipspine").output == result.output
    none = run("fidelity", "--source", "kangmgbhipspine")
    assert none.exit_code == 0 and "No departures" in none.output
    bad = run("fidelity", "--source", "nobody")
    assert bad.exit_code == 1 and "unknown source article 'nobody'" in bad.stderr


@pytest.mark.parametrize("kind", ["evidence", "coauthor", "concept", "study-claim"])
def test_network_writes_graphml_that_reimports(tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.graphml"
    result = run("network", "--kind", kind, "--output", str(out))
    assert result.exit_code == 0, result.output
    G = nx.read_graphml(out)
    assert f"({G.number_of_nodes()} nodes, {G.number_of_edges()} edges)" in result.output
    assert G.number_of_nodes() > 0


def test_network_writes_an_html_page_and_reports_the_cap(tmp_path: Path) -> None:
    out = tmp_path / "ev.html"
    result = run("network", "-o", str(out), "--max-nodes", "30")
    assert result.exit_code == 0, result.output
    assert "node(s) left out by the cap of 30" in result.output
    assert "new vis.Network(" in out.read_text(encoding="utf-8")
    bad = run("network", "-o", str(tmp_path / "x.txt"))
    assert bad.exit_code == 1 and ".graphml or .html" in bad.stderr
    assert not (tmp_path / "x.txt").exists()


def test_rank_prints_the_top_nodes() -> None:
    result = run("rank", "--top", "3")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 4 and "betweenness" in lines[0]
    assert "Caring Medical" in lines[1]  # the article gives only its update date, so its label has no year
    by_degree = run("rank", "--kind", "coauthor", "--by", "degree", "--top", "2")
    assert by_degree.exit_code == 0 and len(by_degree.output.strip().splitlines()) == 3


def test_the_data_options_select_another_data_set() -> None:
    mini = str(RESOURCES / "mini")
    result = run("summary", LUMBAR, "--data", mini)
    assert result.exit_code == 0, result.output
    assert "Supporting (1):" in result.output and "Contradicting (1):" in result.output
    explicit = run("summary", LUMBAR, "--bib", str(RESOURCES / "mini" / "references.bib"),
                   "--claims", str(RESOURCES / "mini" / "claims.ttl"))
    assert explicit.output == result.output
    assert "claim:hip-oa-predicts-lumbar-oa" not in run("rank", "--kind", "study-claim", "--data", mini).output


def test_broken_data_is_reported_not_a_traceback() -> None:
    result = run("summary", LUMBAR, "--data", str(RESOURCES / "broken" / "unknown-cited-key"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "error" in result.stderr


def test_the_module_can_be_imported_before_kg_cli() -> None:
    """kg.cli.analysis never imports kg.cli.main (which registers its commands), so either can come first."""
    import subprocess
    import sys

    code = "import kg.cli.analysis, kg.cli.main; assert 'summary' in kg.cli.main.main.commands"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
