"""The wheel is self-contained: installed outside the checkout, `kg.load()` builds the shipped data/."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of the sources, so setuptools' build/ and egg-info never land in (or come stale from)
    # the checkout; the copy follows kg/data, the link to data/, as the wheel does.
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT / "kg", source / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(source)], check=True, cwd=out)
    (built,) = out.glob("hipspine_kg-*.whl")
    return built


def test_wheel_ships_data_ontology_shapes_queries_and_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"kg/data/references.bib", "kg/data/claims.ttl", "kg/model/ontology/hipspine.ttl",
                "kg/model/ontology/concepts.ttl", "kg/model/shapes/evidence-shapes.ttl",
                "kg/query/rq/claim_evidence.rq", "kg/py.typed"}
    assert expected <= names
    shipped_queries = {n for n in names if n.startswith("kg/query/rq/") and n.endswith((".rq", ".ru"))}
    in_tree = {p.relative_to(ROOT).as_posix() for p in (ROOT / "kg/query/rq").rglob("*.r[qu]")}
    assert shipped_queries == in_tree
    modules = {n for n in names if n.endswith(".py")}
    assert modules == {p.relative_to(ROOT).as_posix() for p in (ROOT / "kg").rglob("*.py")}
    assert {"kg/render/templates/network.html"} <= names and any(n.startswith("kg/render/static/") for n in names)
    assert not any(n.startswith(("tests/", "app_pages/", "benchmarks/")) for n in names)


def test_installed_wheel_loads_its_own_data_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True)
    probe = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); import kg; from kg.model import paths; "
        "g = kg.load(); "
        "print(json.dumps({'file': kg.__file__, 'data': str(paths.DEFAULT_DATA_DIR), 'triples': len(g), "
        "'studies': int(g.query('graph_counts').set_index('kind').loc['studies', 'count'])}))"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(target)], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert Path(info["file"]).is_relative_to(target)
    assert Path(info["data"]).is_relative_to(target)
    assert info["studies"] == 13
    assert info["triples"] > 3000
