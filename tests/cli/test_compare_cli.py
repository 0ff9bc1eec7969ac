"""``domesim compare RUN_A RUN_B``: two real runs of nk-1 (a few trials each), and bad folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NK1 = REPO / "examples" / "nk-1.toml"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "domesim.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=dict(os.environ),
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_compare_not_a_run_folder_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    result = _cli("compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.returncode == 2
    assert "not a run folder" in result.stderr and "domesim run --out" in result.stderr


def test_compare_summaries_only(tmp_path: Path) -> None:
    """Folders holding only summary.json (no tables, no scenario): metrics without intervals, and the
    scenario hashes instead of the keys."""
    for name, p in (("a", 0.9), ("b", 0.8)):
        (tmp_path / name).mkdir()
        summary = {"scenario": "x", "trials": 10, "seed": 1, "scenario_hash": name, "expected_leakers": 1 - p}
        (tmp_path / name / "summary.json").write_text(json.dumps(summary))
    result = _cli("compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["identical"] is False and data["scenario_keys"] is None
    assert data["metrics"][0]["diff"] == pytest.approx(0.1)
    assert "hashes differ" in data["verdict"]


@pytest.mark.slow
def test_compare_end_to_end(tmp_path: Path) -> None:
    """nk-1 with and without Canadian sensors (nk-1 fields none: no difference, and the key is named),
    and with another seed (the metrics that moved, with their intervals)."""
    no_canada = tmp_path / "nk-1-no-canada.toml"
    no_canada.write_text(NK1.read_text() + "\n[norad]\ncanada_sensors = false\n")
    runs = {
        "base": (str(NK1),),
        "no_canada": (str(no_canada),),
        "seed": (str(NK1), "--seed", "7"),
    }
    for name, args in runs.items():
        done = _cli("run", *args, "--trials", "10", "--out", str(tmp_path / name), "--json")
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "base" / "scenario.toml").read_text() == NK1.read_text()
    assert json.loads((tmp_path / "base" / "scenario.json").read_text())["montecarlo"]["trials"] == 10

    same = _cli("compare", str(tmp_path / "base"), str(tmp_path / "no_canada"))
    assert same.returncode == 0, same.stderr
    assert "no difference in any metric" in same.stdout
    assert "norad.canada_sensors" in same.stdout
    assert "same 5 sensors, 2 interceptor sites and 1 defended asset" in same.stdout

    moved = json.loads(_cli("compare", str(tmp_path / "base"), str(tmp_path / "seed"), "--json").stdout)
    assert [k["key"] for k in moved["scenario_keys"]] == ["montecarlo.seed"]
    rows = {(m["section"], m["metric"]): m for m in moved["metrics"]}
    p = rows["headline", "P(no leaker)"]
    assert p["a_ci95"][0] <= p["a"] <= p["a_ci95"][1] and p["ci_overlap"] in (True, False)
    assert ("kills by layer (mean)", "midcourse") in rows and ("assets", "seattle: P(hit)") in rows
    for m in moved["metrics"]:
        if m["a"] is not None and m["b"] is not None:
            assert m["diff"] == pytest.approx(m["b"] - m["a"])
