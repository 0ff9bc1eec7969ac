"""The builder in a real browser: Debian's headless Chromium (Playwright, no browser download) drives the
page that uvicorn serves on 127.0.0.1: pick nk-10-space, change the SBIs per plane, run, see P(no leak) and
the cost; run again with another value and see a second point on the cost-effectiveness plot; download
the scenario and validate it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # builds nk-10-space twice and runs it in a browser (conftest: `browser`)
playwright_api = pytest.importorskip("playwright.sync_api")

from domesim.scenario.loader import load_spec  # noqa: E402
from domesim.web.app import create_app  # noqa: E402

PER_PLANE = "constellation[sbi_cbo_2026].walker.per_plane"


def run_build(page: Any, per_plane: int, trials: int) -> dict[str, str]:
    """Set the SBIs per plane, press Run, wait for the answer; what the page then shows."""
    runs = int(page.locator("body").get_attribute("data-runs") or 0)
    page.locator(f'#form input[data-key="{PER_PLANE}"]').fill(str(per_plane))
    page.locator("#trials").fill(str(trials))
    page.locator("#run").click()
    playwright_api.expect(page.locator("body")).to_have_attribute("data-runs", str(runs + 1), timeout=600_000)
    return {
        "p": page.locator("#p-no-leak").inner_text(),
        "ci": page.locator("#p-ci").inner_text(),
        "cost": page.locator("#cost-total").inner_text(),
        "layers": page.locator("#layers tbody").inner_text(),
        "causes": page.locator("#causes tbody").inner_text(),
    }


def test_build_run_compare_and_download(serve: Any, browser: Any, trap_proxy: Any, tmp_path: Path) -> None:
    app = create_app(runs_dir=tmp_path / "runs", max_trials=200)
    before = len(trap_proxy.attempts)
    with serve(app) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url + "/")
            page.locator("#base").select_option("example:nk-10-space")
            page.wait_for_selector(f'#form input[data-key="{PER_PLANE}"]')
            assert page.locator(f'#form input[data-key="{PER_PLANE}"]').input_value() == "100"

            first = run_build(page, 20, 20)
            assert first["p"].endswith("%") and "95% interval" in first["ci"]
            assert first["cost"].startswith("$") and "boost" in first["layers"]
            assert page.locator("#plot circle.point").count() == 1

            second = run_build(page, 40, 20)
            assert second["cost"] != first["cost"]  # twice the SBIs: a different bill
            assert page.locator("#plot circle.point").count() == 2
            # the globe of the last run: the viewer's page on this run's scene, from this server
            playwright_api.expect(page.locator("#globe-box")).to_be_visible()
            assert "scene.czml" in (page.locator("#globe-box iframe").get_attribute("src") or "")

            with page.expect_download() as download:
                page.locator("#download").click()
            path = tmp_path / "built.toml"
            download.value.save_as(path)
            spec = load_spec(path).spec
            (sbi,) = [c for c in spec.constellation if c.constellation == "sbi_cbo_2026"]
            assert sbi.walker is not None and sbi.walker.per_plane == 40 and sbi.walker.planes == 78
            assert not errors, errors
            assert trap_proxy.page_attempts(before) == []  # the builder and its globe stay on this machine
        finally:
            page.close()
