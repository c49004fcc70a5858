"""An ASGI app (the SPARQL endpoint) served by uvicorn in a thread of the test process, on a free loopback port."""
from __future__ import annotations

import threading
import time
from typing import Any, Self

import uvicorn

from tests.support.servers import LOOPBACK, free_port


class ThreadedServer:
    """uvicorn serving an ASGI app in a daemon thread on a free loopback port (with its lifespan: the app
    starts its query workers when the server starts and stops them when it stops)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = free_port()
        config = uvicorn.Config(app, host=LOOPBACK, port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="kg-test-endpoint")

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/sparql"

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test endpoint did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)
