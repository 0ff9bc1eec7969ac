"""Helpers of the web tests: a uvicorn server on a free port of 127.0.0.1, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread; yields its base URL; stops it on exit."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/api/limits", timeout=2)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def wait_for(client: Any, run_id: str, timeout_s: float = 600.0, **params: str) -> dict[str, Any]:
    """Poll a run until it leaves queued/running; its view."""
    deadline = time.monotonic() + timeout_s
    while True:
        view = client.get(f"/api/runs/{run_id}", params=params).json()
        if view["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return view
        time.sleep(0.1)


@pytest.fixture(scope="session")
def serve() -> Any:
    """``with serve(app) as url:`` the app served by uvicorn on 127.0.0.1 (a free port)."""
    return serving


@pytest.fixture(scope="session")
def wait_run() -> Any:
    """``wait_run(client, run_id, timeout_s=600, **params)``: the run's view once it has finished."""
    return wait_for
