"""Shared fixtures of the viewer tests: a run folder (the small fixture scene in ``data/``, until the
exporter's ``scene.czml`` can be used), the view app served by uvicorn on 127.0.0.1 in a thread, and
Debian's Chromium driven by Playwright with software WebGL (SwiftShader: no GPU needed)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(scope="module")
def view_url(run_dir: Path) -> Iterator[str]:
    """Base URL of ``domesim view``'s app on the fixture run."""
    from domesim.web.view import view_app

    url, server = serve_in_thread(view_app(run_dir))
    yield url
    server.should_exit = True  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's, never one downloaded by `playwright install`)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium (.ci/run)")
        pytest.skip("no chromium executable on PATH (CI installs Debian's chromium: .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
