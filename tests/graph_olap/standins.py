"""Serve a small ASGI app on loopback (uvicorn in a thread) for SDK tests that need real HTTP.

The apps served this way are stand-ins for the platform's wrapper and control plane, written
from the contracts in docs/instances.md and the specs; they exist only until the integration
tests against the real servers do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from tests.support.net import free_port


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` on ``127.0.0.1`` on a free port; yields its base URL; stops it on exit."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"standin-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"stand-in server on port {port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
