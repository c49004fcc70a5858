"""Shared fixtures: the real graph (built once per session), a writable copy of data/, paths to test resources,
and the browser's launch."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from kg import KnowledgeGraph, load
from kg.ingest.build import DataSources
from kg.model import paths
from tests.support.browser import chromium_launch_args

RESOURCES = Path(__file__).parent / "resources"


@pytest.fixture(scope="session")
def real_kg() -> KnowledgeGraph:
    """The graph built from the repository's data/ (the curated data is tested as data)."""
    return load()


@pytest.fixture
def data(tmp_path: Path) -> DataSources:
    """A copy of the curated data/ in the test's own folder, for tests that write to it (a module may override)."""
    for name in ("references.bib", "claims.ttl"):
        shutil.copy(paths.DEFAULT_DATA_DIR / name, tmp_path / name)
    return DataSources(tmp_path / "references.bib", tmp_path / "claims.ttl")


@pytest.fixture(scope="session")
def resources() -> Path:
    return RESOURCES


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], browser_name: str,
                             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium (never ``playwright install``).

    Every browser test uses pytest-playwright's session-scoped browser: a second ``sync_playwright()``
    inside the same session fails, because the plugin's event loop is already running.
    """
    if browser_name != "chromium":  # handing chromium's binary to --browser firefox hangs
        return browser_type_launch_args
    # Chromium writes ~/.config and ~/.cache; `make test` exports XDG_* to a temp dir, otherwise do it here.
    xdg = None if os.environ.get("XDG_CONFIG_HOME") else tmp_path_factory.mktemp("chromium-xdg")
    return {**browser_type_launch_args, **chromium_launch_args(xdg_dir=xdg)}
