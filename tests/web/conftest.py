"""Shared fixtures of the web tests: a run folder (the small fixture scene in ``data/``), an app served by
uvicorn on 127.0.0.1 in a thread (the viewer's, or the builder's: ``serve``), and Debian's Chromium driven
by Playwright with software WebGL (SwiftShader: no GPU needed)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

DATA = Path(__file__).resolve().parent / "data"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
# Headless Chromium has no GPU: WebGL runs on SwiftShader, which recent Chromium enables only on request.
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]


def copy_run(folder: Path) -> Path:
    """A run folder holding the fixture scene and summary, plus files the viewer must never serve."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("scene.czml", "summary.json"):
        shutil.copy(DATA / name, folder / name)
    (folder / "report.html").write_text("<p>not served</p>", encoding="utf-8")
    (folder / "secret.txt").write_text("not served", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_run(tmp_path_factory.mktemp("view-run") / "run")


def serve_in_thread(app) -> tuple[str, object]:
    """Start ``app`` on 127.0.0.1 on a free port in a daemon thread; its base URL and the server."""
    import uvicorn

    from domesim.web.view import listen

    sock = listen(0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread; yields its base URL; stops it on exit."""
    url, server = serve_in_thread(app)
    try:
        yield url
    finally:
        server.should_exit = True  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def serve() -> Any:
    """``with serve(app) as url:`` the app served by uvicorn on 127.0.0.1 (a free port)."""
    return serving


def wait_for(client: Any, run_id: str, timeout_s: float = 600.0, **params: str) -> dict[str, Any]:
    """Poll a builder run until it leaves queued/running; its view."""
    deadline = time.monotonic() + timeout_s
    while True:
        view = client.get(f"/api/runs/{run_id}", params=params).json()
        if view["status"] not in ("queued", "running") or time.monotonic() > deadline:
            return view
        time.sleep(0.1)


@pytest.fixture(scope="session")
def wait_run() -> Any:
    """``wait_run(client, run_id, timeout_s=600, **params)``: the run's view once it has finished."""
    return wait_for


@pytest.fixture(scope="module")
def view_url(run_dir: Path) -> Iterator[str]:
    """Base URL of ``domesim view``'s app on the fixture run."""
    from domesim.web.view import view_app

    url, server = serve_in_thread(view_app(run_dir))
    yield url
    server.should_exit = True  # type: ignore[attr-defined]


# Chromium's own traffic, made with or without a page (its component updater and Google sign-in; seen
# on about:blank): not the viewer's, so left out of the count. Exact hosts, so that a CesiumJS service on
# another Google host (photorealistic tiles: tile.googleapis.com) would still be counted.
# The builder's form also wakes Chromium's autofill service (content-autofill.googleapis.com).
BROWSER_OWN_HOSTS = {
    "update.googleapis.com", "accounts.google.com", "clients2.google.com", "content-autofill.googleapis.com",
}  # fmt: skip


class TrapProxy:
    """An HTTP proxy on 127.0.0.1 that forwards nothing: it records the first line of every request sent
    to it ("CONNECT example.com:443 HTTP/1.1") and answers 403. Chromium sends every request that is not
    for the loopback interface through its proxy, from the page and from its workers alike (Playwright
    does not report a dedicated worker's requests), so this counts every attempt to leave the machine."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            with conn:
                conn.settimeout(5)
                try:
                    line = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                    self.attempts.append(line)
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def page_attempts(self, since: int = 0) -> list[str]:
        """Attempts after the first ``since``, less the browser's own (``BROWSER_OWN_HOSTS``)."""
        return [a for a in self.attempts[since:] if _host(a) not in BROWSER_OWN_HOSTS]

    def close(self) -> None:
        self.sock.close()


def _host(request_line: str) -> str:
    """The host a proxy request line asks for: "CONNECT host:443 HTTP/1.1", "GET http://host/x HTTP/1.1"."""
    parts = request_line.split()
    target = parts[1] if len(parts) > 1 else ""
    return (urlsplit(target).hostname if "://" in target else target.rsplit(":", 1)[0]) or ""


@pytest.fixture(scope="module")
def trap_proxy() -> Iterator[TrapProxy]:
    proxy = TrapProxy()
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def browser(trap_proxy: TrapProxy) -> Iterator[object]:
    """Headless Chromium (Debian's, never one downloaded by `playwright install`), whose requests off the
    loopback interface all go to ``trap_proxy``."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium (.ci/run)")
        pytest.skip("no chromium executable on PATH (CI installs Debian's chromium: .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            proxy={"server": trap_proxy.url, "bypass": "127.0.0.1"},
        )
        yield browser
        browser.close()
