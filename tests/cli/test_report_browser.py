"""The run report in a real browser: Debian's headless Chromium loads report.html from disk.

Checks that the page renders what a reader needs (the outcome sentence, the tables) and that its
embedded figures decode: the screenshot of the figure area holds the coloured plot marks. CI installs
chromium (.ci/run); elsewhere the test is skipped when no chromium is found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="no chromium installed"),
    pytest.mark.slow,  # a `domesim run` and a headless browser per test
]


def _chromium(*args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None, "CI must install chromium (.ci/run)"
    base = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-extensions",
    ]
    return subprocess.run(base + list(args), capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser-run")
    env = dict(os.environ, DOMESIM_DATA_DIR=str(out / "data"))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "domesim.cli",
            "run",
            str(ROOT / "examples" / "nk-1.toml"),
            "--trials",
            "100",
            "--out",
            str(out / "nk-1"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return out / "nk-1" / "report.html"


def test_report_dom_has_outcome_and_tables(report: Path) -> None:
    result = _chromium("--dump-dom", report.as_uri())
    assert result.returncode == 0, result.stderr
    dom = result.stdout
    assert "Probability that no threat object leaks through" in dom
    assert "Interceptors used versus inventory" in dom
    assert dom.count("<img") >= 2
    assert "Parameters and their sources" in dom


def test_report_figures_render(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = _chromium("--window-size=1200,2400", f"--screenshot={shot}", report.as_uri())
    assert shot.exists(), result.stderr
    pixels = image.imread(shot)[..., :3]
    # Plot marks are saturated colours; text, rules and the page are grey. A page whose images failed to
    # decode has (almost) none.
    saturation = pixels.max(axis=-1) - pixels.min(axis=-1)
    assert np.count_nonzero(saturation > 0.3) > 2000
