"""Shared fixtures: the real graph (built once per session) and paths to test resources."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg import KnowledgeGraph, load

RESOURCES = Path(__file__).parent / "resources"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def real_kg() -> KnowledgeGraph:
    """The graph built from the repository's data/ (the curated data is tested as data)."""
    return load()


@pytest.fixture(scope="session")
def resources() -> Path:
    return RESOURCES
