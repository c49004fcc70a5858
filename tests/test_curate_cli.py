"""`kg curate …` and `kg history` through click's CliRunner: accepted, refused (exit 1, nothing written), batch."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.main import main
from kg.model import paths


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    for name in ("references.bib", "claims.ttl"):
        shutil.copy(paths.DEFAULT_DATA_DIR / name, tmp_path / name)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"KG_CURATOR": "CLI Curator"})
    return result.exit_code, result.stdout, result.stderr


def test_an_evidence_line_with_a_new_claim_then_the_history(data_dir: Path) -> None:
    code, out, err = run("curate", "evidence", "--data", str(data_dir), "--study", "lee2019accuracy",
                         "--new-claim", "claim:cta-finds-tears", "--new-claim-label", "CT arthrography finds tears",
                         "--new-claim-statement", "CT arthrography finds most labral tears.",
                         "--stance", "supports", "--section", "Abstract (results)", "--pico", "pf:lee2019-cta",
                         "--rationale", "Sensitivity of 85% and 92%.", "--diff")
    assert code == 0, err
    assert out.startswith("add: claim:cta-finds-tears, ev:lee2019accuracy--cta-finds-tears")
    assert "+ev:lee2019accuracy--cta-finds-tears a hs:Evidence ;" in out
    code, out, _ = run("history", "--data", str(data_dir))
    assert code == 0
    assert "CLI Curator  evidence line  ev:lee2019accuracy--cta-finds-tears" in out
    assert "claim:cta-finds-tears  CT arthrography finds tears" in out


@pytest.mark.parametrize(("args", "expected"), [
    (["result", "--study", "lee2019accuracy", "--name", "x", "--measure", "sensitivity", "--value", "140",
      "--unit", "percent", "--section", "Abstract"], "value: a sensitivity of 140% is impossible"),
    (["result", "--study", "lee2019accuracy", "--name", "x", "--measure", "odds ratio", "--value", "3",
      "--interval", "1", "2", "--unit", "ratio", "--section", "Abstract"],
     "interval: the interval 1 to 2 does not contain the value 3"),
    (["evidence", "--study", "nosuch2019", "--claim", "claim:mri-detects-labral-tears", "--stance", "supports",
      "--section", "Abstract", "--rationale", "A study that is not there."], "study: unknown BibTeX key 'nosuch2019'"),
])
def test_a_refused_change_exits_1_and_writes_nothing(data_dir: Path, args: list[str], expected: str) -> None:
    before = (data_dir / "claims.ttl").read_bytes()
    code, out, err = run("curate", args[0], "--data", str(data_dir), *args[1:])
    assert code == 1 and out == ""
    assert err.startswith("refused: nothing written") and expected in err
    assert "Traceback" not in err
    assert (data_dir / "claims.ttl").read_bytes() == before


def test_a_delete_that_would_orphan_lists_the_orphans(data_dir: Path) -> None:
    code, _, err = run("curate", "delete", "--data", str(data_dir), "claim:negative-mri-rules-out")
    assert code == 1
    assert "would orphan: ev:lee2019--negative-mri-rules-out (hs:Evidence) points at it through hs:evidenceFor" in err


def test_study_pico_and_result_commands(data_dir: Path) -> None:
    code, out, err = run("curate", "study", "--data", str(data_dir), "barry2017early", "--design",
                         "c:retrospective-matched-cohort", "--level", "c:loe-3", "--basis", "Checked again.",
                         "--size", "105", "--unit", "patients")
    assert code == 0 and out.startswith("edit: ref:barry2017early"), err
    code, out, err = run("curate", "pico", "--data", str(data_dir), "barry2017early", "--frame", "barry2017-test",
                         "--label", "Barry 2017: a test frame", "--population", "THA patients", "--condition",
                         "c:prior-lumbar-fusion", "--intervention", "THA after fusion", "--intervention-concept",
                         "c:total-hip-arthroplasty", "--outcomes", "Complications", "--outcome-concept", "c:complications")
    assert code == 0 and out.startswith("add: pf:barry2017-test"), err
    code, out, err = run("curate", "result", "--data", str(data_dir), "--study", "barry2017early", "--name",
                         "barry2017-test-rate", "--measure", "rate", "--value", "31.4", "--unit", "percent",
                         "--section", "Abstract (results)", "--events", "11/35", "--group", "prior lumbar fusion (n = 35)")
    assert code == 0 and out.startswith("add: res:barry2017-test-rate"), err
    assert "hs:eventCount 11 ;" in (data_dir / "claims.ttl").read_text(encoding="utf-8")


def test_batch_applies_json_lines_and_reports_refused_ones(data_dir: Path, tmp_path: Path) -> None:
    lines = [
        {"op": "concept", "name": "c:test-scan", "label": "Test scan", "scheme": "c:diagnostic-tests"},
        {"op": "result", "study": "lee2019accuracy", "name": "lee2019-batch", "measure": "specificity", "value": 81.0,
         "unit": "percent", "section": "Abstract", "index_test": "c:test-scan"},
        {"op": "result", "study": "lee2019accuracy", "name": "lee2019-bad", "measure": "specificity", "value": 181.0,
         "unit": "percent", "section": "Abstract"},
        {"op": "delete", "iri": "res:lee2019-batch"},
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    code, out, err = run("curate", "batch", "--data", str(data_dir), "--keep-going", str(batch))
    assert code == 1
    assert f"{batch}:1: add: c:test-scan" in out and f"{batch}:2: add: res:lee2019-batch" in out
    assert f"{batch}:4: delete: res:lee2019-batch" in out
    assert f"{batch}:3: refused:" in err and "value: a specificity of 181.0% is impossible" in err
    text = (data_dir / "claims.ttl").read_text(encoding="utf-8")
    assert "c:test-scan a skos:Concept" in text and "lee2019-batch" not in text and "lee2019-bad" not in text


def test_with_a_persistent_store_the_change_is_applied_to_it(data_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, _, err = run("--store", str(store), "build", "--data", str(data_dir))
    assert code == 0, err
    code, out, err = run("--store", str(store), "curate", "concept", "--data", str(data_dir), "c:test-scan",
                         "--label", "Test scan", "--scheme", "c:diagnostic-tests")
    assert code == 0, err
    assert f"store {store}: -0 +" in out and "(no rebuild)" in out


def test_a_batch_on_a_persistent_store_checks_each_line_against_the_updated_store(data_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run("--store", str(store), "build", "--data", str(data_dir))[0] == 0
    lines = [{"op": "concept", "name": "c:test-scan", "label": "Test scan", "scheme": "c:diagnostic-tests"},
             {"op": "result", "study": "lee2019accuracy", "name": "lee2019-batch", "measure": "specificity",
              "value": 81.0, "unit": "percent", "section": "Abstract", "index_test": "c:test-scan"}]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    code, out, err = run("--store", str(store), "curate", "batch", "--data", str(data_dir), str(batch))
    assert code == 0, err
    assert out.count("(no rebuild)") == 2


def test_a_risk_of_bias_assessment_from_the_command_line_and_a_batch(data_dir: Path) -> None:
    reason = "Reported in enough detail to judge."
    domains = [("patient selection", "high"), ("index test", "low"), ("reference standard", "low"),
               ("flow and timing", "low")]
    args = ["curate", "rob", "--data", str(data_dir), "lee2019accuracy", "--tool", "QUADAS-2",
            "--reason", "Patient selection is at high risk.", "--section", "Abstract", "--diff"]
    for name, judgement in domains:
        args += ["--domain", name, judgement, reason, "Abstract (methods)"]
    args += ["--applicability", "patient selection", "high concern", "--applicability", "index test", "low",
             "--applicability", "reference standard", "low"]
    before = (data_dir / "claims.ttl").read_bytes()
    code, out, err = run(*args, "--overall", "low")
    assert code == 1 and "overall: the overall judgement cannot be better than the worst domain" in err
    assert (data_dir / "claims.ttl").read_bytes() == before
    code, out, err = run(*args, "--overall", "high")
    assert code == 0, err
    assert out.startswith("edit: rob:lee2019")
    assert "+    hs:overallJudgement hs:HighRisk ;" in out
    line = {"op": "rob", "mode": "edit", "study": "devin2012hipspine", "tool": "QUADAS-2", "overall": "low",
            "reason": "Four domains, all at low risk.", "section": "Abstract",
            "domains": [{"domain": n, "judgement": "low", "reason": reason, "section": "Abstract",
                         **({"applicability": "low concern"} if n != "flow and timing" else {})} for n, _ in domains]}
    batch = data_dir / "batch.jsonl"
    batch.write_text(json.dumps(line) + "\n", encoding="utf-8")
    before = (data_dir / "claims.ttl").read_bytes()
    code, out, err = run("curate", "batch", "--data", str(data_dir), str(batch))
    assert code == 1
    assert "tool: devin2012hipspine is a narrative review (c:narrative-review): no risk-of-bias tool applies" in err
    assert (data_dir / "claims.ttl").read_bytes() == before
