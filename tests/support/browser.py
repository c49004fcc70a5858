"""Debian's Chromium for Playwright (never ``playwright install``), kept off every host but loopback."""
from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.support.servers import MissingDependency

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Route

CHROMIUM_PATH = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google hosts, which a closed network
# refuses (and which a test must not depend on).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def chromium_launch_args(xdg_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Playwright ``launch()`` kwargs for Debian's Chromium.

    Returns ``{"executable_path": "/usr/bin/chromium", "args": [...]}``. With ``xdg_dir``, also an
    ``env`` (os.environ plus XDG_CONFIG_HOME/XDG_CACHE_HOME under ``xdg_dir``), because Chromium
    writes ~/.config and ~/.cache even with Playwright's temporary profile.
    """
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        ci = " [CI is set: browser tests never skip in CI]" if os.environ.get("CI") else ""
        raise MissingDependency(
            f"{CHROMIUM_PATH} not found; install it with: apt-get install -y --no-install-recommends chromium "
            f"(or run scripts/install-system-deps.sh as root){ci}"
        )
    kwargs: dict[str, Any] = {"executable_path": CHROMIUM_PATH, "args": list(CHROMIUM_ARGS)}
    if xdg_dir is not None:
        base = Path(xdg_dir)
        (base / "config").mkdir(parents=True, exist_ok=True)
        (base / "cache").mkdir(parents=True, exist_ok=True)
        kwargs["env"] = {
            **os.environ,
            "XDG_CONFIG_HOME": str(base / "config"),
            "XDG_CACHE_HOME": str(base / "cache"),
        }
    return kwargs


def is_loopback_url(url: str) -> bool:
    """True for http(s)/ws(s) URLs on a loopback host, and for non-network schemes (data:, blob:, about:)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True
    host = (parts.hostname or "").lower()
    return host in _LOOPBACK_HOSTS or host.startswith("127.")


def route_loopback_only(target: BrowserContext | Page, blocked: list[str] | None = None) -> list[str]:
    """Abort every non-loopback request of a Playwright ``BrowserContext`` or ``Page``.

    Returns the list the aborted URLs are appended to (so a test can assert on or print them).
    Nothing then waits on CDNs a closed network refuses.
    """
    found: list[str] = [] if blocked is None else blocked

    def _handler(route: Route) -> None:
        url = route.request.url
        if is_loopback_url(url):
            route.continue_()
        else:
            found.append(url)
            route.abort("blockedbyclient")

    target.route("**/*", _handler)
    return found
