"""Fixtures for end-to-end tests in a real browser: pytest-playwright driving Debian's Chromium.

* ``browser_type_launch_args`` (in tests/conftest.py, shared with every browser test):
  points pytest-playwright at /usr/bin/chromium. A missing Chromium fails the test.
* ``browser_context_args``: a tall 1280x1500 viewport (Streamlit scrolls an inner container, so
  ``full_page=True`` screenshots do not grow).
* ``context`` (and so ``page``): every non-loopback request is aborted; ``blocked_requests`` lists them.
* ``artifacts_dir``: tests/artifacts/, where screenshots go (git-ignored).
* ``streamlit_server``: a session-scoped factory, ``streamlit_server(app_path, env=None)`` starts
  a ``StreamlitServer`` (stopped at session end); ``app_url`` is the repository's app.py.

Usage in a test module here::

    @pytest.mark.browser
    def test_home(page, app_url, artifacts_dir):
        page.goto(app_url)
        page.get_by_role("heading", name="...").wait_for()
        page.screenshot(path=artifacts_dir / "home.png")
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from tests.support.browser import route_loopback_only
from tests.support.servers import StreamlitServer

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
APP_PATH = REPO / "app.py"
ARTIFACTS = TESTS / "artifacts"
VIEWPORT = {"width": 1280, "height": 1500}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": dict(VIEWPORT)}


@pytest.fixture
def blocked_requests() -> list[str]:
    """Non-loopback URLs the page tried to load (aborted by the ``context`` fixture)."""
    return []


@pytest.fixture
def context(context: BrowserContext, blocked_requests: list[str]) -> BrowserContext:
    """pytest-playwright's context, with every request off 127.0.0.1/localhost aborted."""
    route_loopback_only(context, blocked_requests)
    return context


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[Callable[..., StreamlitServer]]:
    """Factory: ``streamlit_server(app_path=REPO/'app.py', env=None)`` -> a started StreamlitServer.

    Servers are started once per (app_path, env) and stopped at the end of the session.
    """
    started: dict[tuple[str, tuple[tuple[str, str], ...]], StreamlitServer] = {}

    def start(app_path: str | os.PathLike = APP_PATH, env: Mapping[str, str] | None = None) -> StreamlitServer:
        key = (str(Path(app_path).resolve()), tuple(sorted((env or {}).items())))
        if key not in started:
            started[key] = StreamlitServer(app_path, env=env).start()
        return started[key]

    yield start
    for server in started.values():
        server.stop()


@pytest.fixture(scope="session")
def app_server(streamlit_server: Callable[..., StreamlitServer]) -> StreamlitServer:
    """The repository's app.py served by Streamlit (fails, not skips, if it cannot start)."""
    return streamlit_server(APP_PATH)


@pytest.fixture(scope="session")
def app_url(app_server: StreamlitServer) -> str:
    return app_server.url
