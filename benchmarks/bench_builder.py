"""The architecture builder (``domesim serve``) from a user's seat: the time from a click on Run to the
answer on the page, at ``TRIALS`` trials, for nk-10-space and golden-dome.

Set-up: the builder's app served by uvicorn on 127.0.0.1 in this process (a thread), driven by Debian's
headless Chromium through Playwright. Each scenario is run once first, not timed (imports, numba's cache,
the page). Then each timed sample changes one count (SBIs per plane on nk-10-space, the GBIs at Fort
Greely on golden-dome, a different value each time, so that every build is new) and clicks Run; the page
itself records the milliseconds from the click to the result drawn (``data-last-result-ms``). Scenarios
alternate (A B A B ...), ``REPEATS`` samples each, median [min - max]. The server's split of each run
(validate and build the world, the Monte Carlo, the cost) is printed beside it: the rest is the page's
polling (every 200 ms) and drawing.

Skipped (a line says so) without chromium or playwright.
"""

from __future__ import annotations

import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import harness

TRIALS = 200
REPEATS = 3
CASES = {  # scenario -> (the control changed, its values in turn)
    "nk-10-space": ("constellation[sbi_cbo_2026].walker.per_plane", [100, 99, 98, 97]),
    "golden-dome": ("interceptor_site[gbi_fort_greely].inventory", [40, 39, 38, 37]),
}


def _serve(app: Any) -> tuple[str, Any, threading.Thread]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def _click_to_result(page: Any, base: str, key: str, value: int) -> tuple[float, dict[str, Any]]:
    """Pick the base (if not shown), set the control, click Run; (ms from click to result, run view)."""
    from playwright.sync_api import expect

    if page.locator("#base").input_value() != base:
        page.locator("#base").select_option(base)
    page.wait_for_selector(f'#form input[data-key="{key}"]')
    expect(page.locator("#form")).to_have_attribute("data-base", base)
    runs = int(page.locator("body").get_attribute("data-runs") or 0)
    page.locator(f'#form input[data-key="{key}"]').fill(str(value))
    page.locator("#trials").fill(str(TRIALS))
    page.locator("#run").click()
    expect(page.locator("body")).to_have_attribute("data-runs", str(runs + 1), timeout=1_800_000)
    ms = float(page.locator("body").get_attribute("data-last-result-ms") or "nan")
    view = page.request.get(page.url.rstrip("/") + "/api/runs").json()["runs"][-1]  # the page's cookie
    return ms, view


def main(quick: bool) -> None:
    print(f"== builder: click on Run to the answer on the page, {TRIALS} trials (headless Chromium) ==")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if chromium is None or sync_playwright is None:
        print("skipped: needs chromium and playwright")
        return
    from domesim.web.app import create_app

    repeats = 1 if quick else REPEATS
    psi_start = harness.cpu_psi()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(runs_dir=Path(tmp), max_trials=TRIALS, max_concurrent=1)
        url, server, thread = _serve(app)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url + "/")
                page.wait_for_selector("#base option", state="attached")
                samples: dict[str, list[tuple[float, dict[str, Any]]]] = {name: [] for name in CASES}
                warm: dict[str, float] = {}
                for name, (key, values) in CASES.items():  # warm-up, not timed
                    warm[name] = _click_to_result(page, f"example:{name}", key, values[0])[0]
                for r in range(repeats):
                    for name, (key, values) in CASES.items():
                        time.sleep(0.3)
                        samples[name].append(_click_to_result(page, f"example:{name}", key, values[1 + r]))
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=120)
    psi_end = harness.cpu_psi()
    if psi_start and psi_end:
        print(f"CPU PSI some avg10: {psi_start['avg10']} at start, {psi_end['avg10']} at end (others' load)")
    for name, runs in samples.items():
        ms = [m for m, _ in runs]
        split = {
            k: statistics.median(v["timings"].get(k, float("nan")) for _, v in runs)
            for k in ("load_s", "run_s", "cost_s")
        }
        print(
            f"{name:12s}: {statistics.median(ms) / 1e3:6.1f} s  [{min(ms) / 1e3:.1f} - {max(ms) / 1e3:.1f}]"
            f"  (n={len(ms)}; warm-up {warm[name] / 1e3:.1f} s); server: build {split['load_s']:.1f} s, "
            f"Monte Carlo {split['run_s']:.1f} s, cost {split['cost_s']:.2f} s"
        )


if __name__ == "__main__":
    main(harness.parse_quick("Click-to-result time of the builder."))
