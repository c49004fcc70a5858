"""Shared fixtures: the real graph (built once per session) and paths to test resources."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kg import KnowledgeGraph, load

RESOURCES = Path(__file__).parent / "resources"
REPO = Path(__file__).resolve().parent.parent
if str(Path(__file__).parent) not in sys.path:  # `servers` lives in tests/ (not a package)
    sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def real_kg() -> KnowledgeGraph:
    """The graph built from the repository's data/ (the curated data is tested as data)."""
    return load()


@pytest.fixture(scope="session")
def resources() -> Path:
    return RESOURCES


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name, tmp_path_factory):
    """pytest-playwright's launch arguments, pointed at Debian's Chromium (never ``playwright install``).

    Every browser test uses pytest-playwright's session-scoped browser: a second ``sync_playwright()``
    inside the same session fails, because the plugin's event loop is already running.
    """
    from servers import chromium_launch_args

    if browser_name != "chromium":  # handing chromium's binary to --browser firefox hangs
        return browser_type_launch_args
    # Chromium writes ~/.config and ~/.cache; `make test` exports XDG_* to a temp dir, otherwise do it here.
    xdg = None if os.environ.get("XDG_CONFIG_HOME") else tmp_path_factory.mktemp("chromium-xdg")
    return {**browser_type_launch_args, **chromium_launch_args(xdg_dir=xdg)}
