"""Frame rate of the globe viewer: a run's scene.czml played in headless Chromium.

Set-up: ``domesim view``'s app (``domesim.web.view.view_app``) serves the run folder on 127.0.0.1; Debian's
Chromium (Playwright, never a downloaded browser) opens it in a 1280 x 800 page, waits for the scene
and the first view's imagery, presses play and counts ``requestAnimationFrame`` callbacks over
``PLAY_S`` seconds (``QUICK_PLAY_S`` in quick mode), with the frames CesiumJS actually rendered
(``scene.postRender``). Headless Chromium has no GPU here: WebGL runs on SwiftShader, on the CPU, so
the figure is a floor; a desktop browser on a GPU draws far faster.

Usage: ``python benchmarks/bench_globe.py [RUN_DIR] [--quick] [--screenshot PNG]``; RUN_DIR defaults to
``out/golden-dome`` (``make demo`` writes it, scene.czml included).
Skipped, with a message, without that scene or without chromium. ``--screenshot`` also writes a
picture of the viewer part-way through the scene (docs/img/globe.png is made so).
"""

from __future__ import annotations

import argparse
import io
import shutil
import threading
import time
from pathlib import Path

import harness

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RUN = REPO / "out" / "golden-dome"
PLAY_S, QUICK_PLAY_S = 10.0, 3.0
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]
LOAD_TIMEOUT_MS = 180_000
SCREENSHOT_AT = 0.55  # fraction of the scene's clock interval shown in the screenshot
PICTURE_WIDTH = 960

# Counts animation frames (and CesiumJS's renders) in the page for `ms` milliseconds of wall time.
COUNT_FRAMES = """async (ms) => {
  const viewer = window.domesimViewer;
  let frames = 0, renders = 0;
  const stop = viewer.scene.postRender.addEventListener(() => { renders += 1; });
  const t0 = performance.now();
  await new Promise((resolve) => {
    function tick() {
      frames += 1;
      if (performance.now() - t0 < ms) requestAnimationFrame(tick); else resolve();
    }
    requestAnimationFrame(tick);
  });
  stop();
  return { frames, renders, seconds: (performance.now() - t0) / 1000 };
}"""

SCENE_FACTS = """() => {
  const viewer = window.domesimViewer;
  let entities = 0;
  for (let i = 0; i < viewer.dataSources.length; i++) {
    entities += viewer.dataSources.get(i).entities.values.length;
  }
  const gl = viewer.scene.context._gl;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  return { entities, renderer: String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) };
}"""

ELAPSED = (
    "Cesium.JulianDate.secondsDifference(domesimViewer.clock.currentTime, domesimViewer.clock.startTime)"
)


def serve(run_dir: Path) -> tuple[str, object]:
    """The view app of ``run_dir`` on a free port of 127.0.0.1, in a daemon thread."""
    import uvicorn

    from domesim.web.view import listen, view_app

    sock = listen(0)
    server = uvicorn.Server(uvicorn.Config(view_app(run_dir), log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{sock.getsockname()[1]}/", server


def save_picture(png: bytes, path: Path) -> None:
    """The page's screenshot at ``PICTURE_WIDTH`` pixels wide in 256 colours: small enough for the README
    (the starfield alone makes a full-colour PNG of the page about 1 MB)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    height = round(image.height * PICTURE_WIDTH / image.width)
    image = image.resize((PICTURE_WIDTH, height), Image.Resampling.LANCZOS)
    image.quantize(colors=256).save(path, optimize=True)
    print(f"globe: wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")


def measure(run_dir: Path, quick: bool, screenshot: Path | None = None) -> dict | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not (run_dir / "scene.czml").is_file():
        print(f"globe: skipped, no {run_dir / 'scene.czml'} (make demo; domesim export czml {run_dir})")
        return None
    if chromium is None:
        print("globe: skipped, no chromium executable")
        return None
    from playwright.sync_api import sync_playwright

    url, server = serve(run_dir)
    play_s = QUICK_PLAY_S if quick else PLAY_S
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            t0 = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("body[data-globe]", state="attached", timeout=LOAD_TIMEOUT_MS)
            if page.evaluate("document.body.dataset.globe") != "ready":
                raise RuntimeError(page.inner_text("#globe-status"))
            page.wait_for_function("domesimViewer.scene.globe.tilesLoaded", timeout=LOAD_TIMEOUT_MS)
            load_s = time.perf_counter() - t0
            facts = page.evaluate(SCENE_FACTS)
            if screenshot is not None:
                page.evaluate(
                    f"""() => {{ const c = domesimViewer.clock;
                    c.currentTime = Cesium.JulianDate.addSeconds(c.startTime,
                        {SCREENSHOT_AT} * Cesium.JulianDate.secondsDifference(c.stopTime, c.startTime),
                        new Cesium.JulianDate());
                    domesimViewer.scene.requestRender(); }}"""
                )
                page.wait_for_function("domesimViewer.scene.globe.tilesLoaded", timeout=LOAD_TIMEOUT_MS)
                page.wait_for_timeout(1000)
                save_picture(page.screenshot(), screenshot)
            psi_before = harness.cpu_psi()
            played_from = page.evaluate(ELAPSED)
            page.evaluate("domesimViewer.animation.viewModel.playForwardViewModel.command()")
            counts = page.evaluate(COUNT_FRAMES, play_s * 1000)
            played_s = page.evaluate(ELAPSED) - played_from
            psi_after = harness.cpu_psi()
            browser.close()
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
    result = dict(facts, **counts, load_s=load_s, played_scene_s=played_s)
    fps, rendered = counts["frames"] / counts["seconds"], counts["renders"] / counts["seconds"]
    print(
        f"globe: {run_dir} in headless Chromium, {VIEWPORT['width']} x {VIEWPORT['height']}, "
        f"WebGL on {facts['renderer']}"
    )
    print(
        f"  {facts['entities']} entities; page to first view {load_s:.1f} s; "
        f"played {counts['seconds']:.1f} s ({played_s:.0f} s of scene time)"
    )
    print(
        f"  {harness.fmt(fps)} frames/s (requestAnimationFrame), "
        f"{harness.fmt(rendered)} rendered by CesiumJS/s"
    )
    if psi_before and psi_after:
        stall = (psi_after["total"] - psi_before["total"]) / 1e6
        print(
            f"  CPU PSI some: avg10 {psi_before['avg10']:.2f} -> {psi_after['avg10']:.2f} %, "
            f"stall {stall:.2f} s"
        )
    return result


def main(quick: bool, run_dir: Path = DEFAULT_RUN, screenshot: Path | None = None) -> dict | None:
    return measure(run_dir, quick, screenshot)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Frame rate of the globe viewer in headless Chromium.")
    parser.add_argument(
        "run_dir", nargs="?", type=Path, default=DEFAULT_RUN, help="run folder with scene.czml"
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"play {QUICK_PLAY_S:g} s instead of {PLAY_S:g} s"
    )
    parser.add_argument("--screenshot", type=Path, help="also write a PNG of the viewer")
    args = parser.parse_args()
    main(args.quick, args.run_dir, args.screenshot)
