"""The globe viewer in real Chromium (Playwright, software WebGL): it loads with no request leaving
127.0.0.1, draws the globe, plays the timeline, and shows the run's numbers beside it, as text; on the
small fixture scene of ``data/`` and on the scene.czml a real ``domesim run`` writes.

One page is loaded for the module (a CesiumJS start on a software renderer takes seconds) and every
request of its browser context is recorded; anything not addressed to 127.0.0.1 is also blocked, so a
regression fails here and never reaches the network. Requests from CesiumJS's web workers, which
Playwright does not report, go through the browser's proxy, ``trap_proxy`` (conftest.py), which forwards
nothing and counts them.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from domesim.web.view import PAGE, view_app

from .conftest import serve_in_thread

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # a headless browser renders a WebGL globe in software (~20 s)

LOAD_TIMEOUT_MS = 120_000  # SwiftShader on a shared 2-core machine


def leaves_machine(url: str) -> bool:
    """Whether fetching ``url`` would leave this machine: data: and blob: URLs are made in the page."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return False
    if parts.scheme == "blob":
        return leaves_machine(url[len("blob:") :])
    return parts.hostname != "127.0.0.1"


@dataclass
class Loaded:
    page: object
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def open_viewer(browser, url: str) -> Loaded:
    context = browser.new_context(viewport={"width": 960, "height": 600})
    loaded = Loaded(page=None)
    context.on("request", lambda request: loaded.requests.append(request.url))

    def only_local(route) -> None:
        if leaves_machine(route.request.url):
            loaded.blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_local)
    # What the page's Content-Security-Policy refused: nothing, when the page is right.
    context.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"
    )
    loaded.page = page = context.new_page()
    page.goto(url)
    return loaded


@pytest.fixture(scope="module")
def viewer(browser, view_url: str):
    loaded = open_viewer(browser, view_url + "/")
    page = loaded.page
    page.wait_for_selector("body[data-globe]", state="attached", timeout=LOAD_TIMEOUT_MS)
    assert page.evaluate("document.body.dataset.globe") == "ready", page.inner_text("#globe-status")
    # Let the imagery tiles of the first view arrive before counting requests or looking at pixels.
    page.wait_for_load_state("networkidle", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function("window.domesimViewer.scene.globe.tilesLoaded", timeout=LOAD_TIMEOUT_MS)
    yield loaded
    page.context.close()


def test_no_request_leaves_the_machine(viewer: Loaded, view_url: str, trap_proxy) -> None:
    external = [u for u in viewer.requests if leaves_machine(u)]
    assert external == [] and viewer.blocked == []
    assert trap_proxy.page_attempts() == []  # nor from CesiumJS's web workers
    assert viewer.page.evaluate("window.cspViolations") == []  # the page asked for nothing it refuses
    local = [u for u in viewer.requests if u.startswith(view_url)]
    assert len(local) > 10  # the page, CesiumJS, its workers' scripts, imagery tiles, the run's two files
    assert any(u.endswith("/run/scene.czml") for u in local)
    assert any("/cesium/Assets/Textures/NaturalEarthII/" in u for u in local)


def test_the_globe_is_drawn(viewer: Loaded) -> None:
    png = viewer.page.locator("#globe canvas").first.screenshot()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    # A canvas that drew nothing is one flat colour (or black sky with a few stars): the Earth's imagery
    # spreads the pixel values widely and covers a good part of the view with colour.
    assert pixels.std() > 25
    saturation = pixels.max(axis=-1) - pixels.min(axis=-1)
    assert np.mean(saturation > 40) > 0.1


def test_the_timeline_plays(viewer: Loaded) -> None:
    page = viewer.page
    clock = "domesimViewer.clock"
    elapsed = f"Cesium.JulianDate.secondsDifference({clock}.currentTime, {clock}.startTime)"
    assert page.evaluate("domesimViewer.clock.shouldAnimate") is False  # the scene opens paused
    before = page.evaluate(elapsed)
    # The animation widget's play button runs this command.
    page.evaluate("domesimViewer.animation.viewModel.playForwardViewModel.command()")
    page.wait_for_timeout(1000)
    # The clock moves when a frame is drawn; a software renderer on a busy machine may need longer.
    page.wait_for_function(f"{elapsed} > {before} + 1", timeout=LOAD_TIMEOUT_MS)
    page.evaluate("domesimViewer.animation.viewModel.pauseViewModel.command()")
    assert page.evaluate(elapsed) > before + 1  # the fixture's clock runs 60 s of scene per second
    assert page.locator(".cesium-timeline-main").is_visible()


def test_the_panel_shows_the_summary_as_text(viewer: Loaded, run_dir) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    page = viewer.page
    assert page.inner_text("#p-no-leak") == "0.813 (95 % interval 0.787 – 0.836)"
    assert page.inner_text("#trials").startswith("1,000")
    assert "of 3 threat objects" in page.inner_text("#leakers")
    assert "midcourse" in page.inner_text("#kills") and "no battery in reach" in page.inner_text("#causes")
    # The scenario name holds markup: it is shown as written, never parsed into the page.
    assert page.inner_text("#scenario") == summary["scenario"]
    assert page.locator("#panel script").count() == 0


def test_the_trap_proxy_sees_requests_from_workers(browser, view_url: str, trap_proxy) -> None:
    """The check above is worth something: a request off the machine from a worker reaches the trap."""
    page = browser.new_page()
    page.goto(view_url + "/run/summary.json")
    before = len(trap_proxy.attempts)
    page.evaluate(
        """() => new Promise((resolve) => {
            const code = "fetch('http://example.invalid/x').catch(() => 0).then(() => postMessage(1))";
            const worker = new Worker(URL.createObjectURL(new Blob([code])));
            worker.onmessage = resolve;
        })"""
    )
    assert any("example.invalid" in a for a in trap_proxy.page_attempts(before))
    page.close()


def test_the_page_refuses_other_origins(viewer: Loaded, trap_proxy) -> None:
    """Whatever a CZML names (an image on another server, say), the browser fetches nothing off the origin:
    the page's Content-Security-Policy refuses it."""
    page = viewer.page
    page.evaluate(
        """() => new Promise((resolve) => {
            const image = new Image();
            image.onerror = image.onload = resolve;
            image.src = "http://example.invalid/billboard.png";
        })"""
    )
    assert any("example.invalid" in v for v in page.evaluate("window.cspViolations"))
    # Playwright reports the request as made, but it never reached the network (nor the route handler).
    assert not [u for u in viewer.blocked if "example.invalid" in u]
    assert not [a for a in trap_proxy.page_attempts() if "example.invalid/billboard" in a]
    page.evaluate("window.cspViolations = []")


def test_a_scene_on_another_origin_is_refused(browser, view_url: str, trap_proxy) -> None:
    """A crafted link cannot make the page fetch elsewhere; the numbers still show without the globe."""
    url = view_url + PAGE.replace("czml=/run/scene.czml", "czml=https://example.com/scene.czml")
    loaded = open_viewer(browser, url)
    page = loaded.page
    page.wait_for_selector("#globe-status.problem", timeout=LOAD_TIMEOUT_MS)
    assert "not on this server" in page.inner_text("#globe-status")
    page.wait_for_selector("#headline:not([hidden])", timeout=LOAD_TIMEOUT_MS)
    assert page.inner_text("#p-no-leak").startswith("0.813")
    assert [u for u in loaded.requests if leaves_machine(u)] == []
    assert not [a for a in trap_proxy.page_attempts() if "example.com" in a]
    page.context.close()


def test_a_real_run_is_shown(browser, tmp_path, trap_proxy) -> None:
    """`domesim run` writes scene.czml; `domesim view`'s app shows it: the globe ready, nothing off the
    machine, the run's P(no leak) in the panel."""
    out = tmp_path / "nk-1"
    run = subprocess.run(
        [sys.executable, "-m", "domesim.cli", "run", str(REPO / "examples" / "nk-1.toml"),
         "--trials", "20", "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text())
    url, server = serve_in_thread(view_app(out))
    try:
        loaded = open_viewer(browser, url + "/")
        page = loaded.page
        page.wait_for_selector("body[data-globe]", state="attached", timeout=LOAD_TIMEOUT_MS)
        assert page.evaluate("document.body.dataset.globe") == "ready", page.inner_text("#globe-status")
        page.wait_for_function("window.domesimViewer.scene.globe.tilesLoaded", timeout=LOAD_TIMEOUT_MS)
        assert page.evaluate("domesimViewer.dataSources.get(0).entities.values.length") > 5
        assert page.inner_text("#p-no-leak").startswith(f"{summary['p_no_leak']['mean']:.3f}")
        assert [u for u in loaded.requests if leaves_machine(u)] == [] and loaded.blocked == []
        assert page.evaluate("window.cspViolations") == []
        page.context.close()
    finally:
        server.should_exit = True
