"""The run report in a real browser: Debian's headless Chromium loads report.html from disk.

Checks that the page renders what a reader needs (the first paragraph with the answer and the largest
leak cause, the tables) and that its embedded figures decode: the screenshot of the figure area holds the
coloured plot marks; that no share used reads "0 %" beside a non-zero use; and that the leaker map draws
the same bubble for the same probability in two reports. CI installs chromium (.ci/run); elsewhere the
test is skipped when no chromium is found.
"""

from __future__ import annotations

import html
import json
import os
import re
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
    assert "Probability that no warhead leaks through" in dom
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


def _dom(path: Path) -> str:
    result = _chromium("--dump-dom", path.as_uri())
    assert result.returncode == 0, result.stderr
    return result.stdout


def _lead(dom: str) -> str:
    return re.sub(
        r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", dom.split('id="answer"', 1)[1].split("</p>")[0]))
    )


def _cells(dom: str, table_id: str) -> list[list[str]]:
    body = dom.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[html.unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def _assert_no_zero_share_beside_use(dom: str) -> None:
    rows = [r for r in _cells(dom, "inventory-table") if r]
    assert rows
    for site, _, _, fired, share in rows:
        if fired not in ("0", "—"):
            assert share != "0 %", (site, fired, share)


def test_first_paragraph_names_the_largest_leak_cause(report: Path) -> None:
    from domesim.report.html import _cause_text

    dom = _dom(report)
    summary = json.loads((report.parent / "summary.json").read_text())
    lead = _lead(dom)
    assert dom.index('id="answer"') < dom.index('id="outcome"')  # the answer comes first
    assert "how likely is it that none gets through" in lead and "95 % interval" in lead
    assert "years costs" in lead or "cost is not shown" in lead
    causes = {k: v for k, v in summary["leak_causes"].items() if v > 0}
    if causes:
        assert _cause_text(max(causes, key=causes.get)) in lead.split("The largest reason for leakage", 1)[1]
    else:
        assert "No warhead got through" in lead
    _assert_no_zero_share_beside_use(dom)


def _synthetic_report(path: Path, p_hit: list[float]) -> Path:
    """A report of a synthetic run (no simulation): two assets with the given chances of being hit, an SBI
    constellation of 7,800 interceptors firing 9.2 per trial, and a leak cause that dominates."""
    from domesim.report.html import render_report

    n = len(p_hit)
    summary = {
        "scenario": "synthetic", "description": "Synthetic run", "trials": 1000, "seed": 1, "version": "0",
        "git_hash": "0", "scenario_hash": "0", "p_no_leak": {"mean": 0.9, "ci95": [0.88, 0.92]},
        "expected_leakers": 0.2, "threat_objects": 2, "interceptors_fired": {"sbi": 9.2, "pac3_mse": 0.0},
        "kills_by_layer": {"boost": 1.8}, "wall_s": 1.0,
        "leak_causes": {"no_track": 0.05, "missed_boost": 0.15},
        "inventory": {
            "sbi_layer": {"interceptor": "sbi", "inventory": 7800, "mean_fired": 9.2},
            "pac3_mse_seattle": {"interceptor": "pac3_mse", "inventory": 72, "mean_fired": 0.0},
        },
    }  # fmt: skip
    assets = {
        "asset": np.array(["seattle", "anchorage"][:n]),
        "country": np.full(n, "US"),
        "lat_deg": np.array([47.6, 61.2][:n]),
        "lon_deg": np.array([-122.3, -149.9][:n]),
        "priority": np.ones(n, dtype=np.int32),
        "warheads_aimed": np.ones(n),
        "mean_leakers": np.array(p_hit),
        "p_hit": np.array(p_hit),
    }
    trials = {"trial": np.arange(3), "leakers": np.array([0, 1, 0], dtype=np.int32)}
    return render_report(path, summary, {"trials": trials, "assets": assets}, {}, "", [], cost=None)


def test_equal_probabilities_draw_equal_bubbles_in_two_reports(tmp_path: Path) -> None:
    """Seattle at 0.011 beside 0.02 in one report and beside 0.63 in another: the same bubble."""
    doms = [
        _dom(_synthetic_report(tmp_path / "a.html", [0.011, 0.02])),
        _dom(_synthetic_report(tmp_path / "b.html", [0.011, 0.63])),
    ]
    bubbles = []
    for dom in doms:
        img = re.search(r'<img id="leaker-map"[^>]*>', dom)
        assert img, "the leaker map is missing"
        data = json.loads(html.unescape(re.search(r'data-bubbles="([^"]*)"', img.group(0)).group(1)))
        bubbles.append({b["asset"]: b["area_pt2"] for b in data})
        assert 'src="data:image/png;base64,' in img.group(0)
        _assert_no_zero_share_beside_use(dom)
        assert "0.12 %" in dom  # the SBI constellation's share used
        lead = _lead(dom)
        assert (
            "The largest reason for leakage: the leakers were engaged, last by the boost phase layer" in lead
        )
    assert bubbles[0]["seattle"] == bubbles[1]["seattle"] > 0
    assert bubbles[1]["anchorage"] / bubbles[0]["anchorage"] == pytest.approx(0.63 / 0.02)
