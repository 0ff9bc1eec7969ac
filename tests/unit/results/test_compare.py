"""results.compare: two run folders side by side (synthetic folders: no simulation)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from domesim.errors import DomesimError
from domesim.results.compare import ABSENT, compare, flatten_keys
from domesim.results.store import write_tables

TRIALS = 40


def _run(
    folder: Path,
    leakers: list[int],
    *,
    seed: int = 1,
    sensors: tuple[str, ...] = ("uewr_clear",),
    spec: dict | None = None,
) -> Path:
    """A run folder: ``leakers[i]`` leakers in trial i (all aimed at seattle, missed in midcourse)."""
    per_trial = np.array(leakers + [0] * (TRIALS - len(leakers)), dtype=np.int32)
    trial_of_leaker = np.repeat(np.arange(TRIALS), per_trial)
    write_tables(
        folder,
        {
            "trials": {
                "trial": np.arange(TRIALS),
                "leakers": per_trial,
                "shots_gbi": np.full(TRIALS, 2, dtype=np.int32),
                "kills_midcourse": 1 - per_trial,
            },
            "leakers": {
                "trial": trial_of_leaker,
                "object": np.zeros(trial_of_leaker.size, dtype=np.int32),
                "cause": np.full(trial_of_leaker.size, "missed_midcourse"),
            },
            "objects": {"object": np.array([0], dtype=np.int32), "aim": np.array(["seattle"])},
            "assets": {"asset": np.array(["seattle"]), "warheads_aimed": np.array([1.0])},
        },
    )
    hit = float(np.count_nonzero(per_trial)) / TRIALS
    summary = {
        "scenario": "demo",
        "trials": TRIALS,
        "seed": seed,
        "version": "0.1.0",
        "scenario_hash": "h",
        "sensing": "full",
        "p_no_leak": {"mean": 1 - hit, "ci95": [max(0.0, 0.9 - hit), 1.0]},
        "expected_leakers": float(per_trial.mean()),
        "interceptors_fired": {"gbi": 2.0},
        "kills_by_layer": {"midcourse": float((1 - per_trial).mean())},
        "leak_causes": {"missed_midcourse": float(per_trial.mean())},
        "timeline": {"detect_after_launch_s": None},
        "sensors": {s: {"p_detects_warhead": 1.0} for s in sensors},
        "leakers_by_asset": {"seattle": {"mean_leakers": float(per_trial.mean()), "p_hit": hit}},
        "inventory": {"gbi_fort_greely": {"interceptor": "gbi", "inventory": 40, "mean_fired": 2.0}},
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    if spec is not None:
        (folder / "scenario.json").write_text(json.dumps(spec))
    return folder


SPEC = {"scenario": {"name": "demo"}, "norad": {"canada_sensors": True}, "threat": [{"class": "icbm"}]}


def test_identical_runs_say_no_difference_and_list_the_keys(tmp_path: Path) -> None:
    off = {**SPEC, "norad": {"canada_sensors": False}}
    a = _run(tmp_path / "a", [1, 0, 1], spec=SPEC)
    b = _run(tmp_path / "b", [1, 0, 1], spec=off)
    result = compare(a, b)
    assert result.identical
    assert [(k.key, k.a, k.b) for k in result.scenario_keys or []] == [("norad.canada_sensors", True, False)]
    assert "no difference in any metric" in result.verdict
    assert "norad.canada_sensors" in result.verdict
    assert "same 1 sensor, 1 interceptor site and 1 defended asset" in result.verdict
    data = result.to_dict()
    assert data["identical"] is True and data["changed"] == []
    json.dumps(data, allow_nan=False)  # a timing no run measured is null, not NaN


def test_differences_with_intervals(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", [1] * 30, spec=SPEC)
    b = _run(tmp_path / "b", [0] * 40, seed=2, spec=SPEC)
    result = compare(a, b)
    rows = {(m.section, m.metric): m for m in result.metrics}
    leak = rows["headline", "expected leakers"]
    assert leak.a == pytest.approx(0.75) and leak.b == 0.0 and leak.diff == pytest.approx(-0.75)
    assert leak.overlap is False  # 0.75 +- 0.14 against exactly 0
    assert rows["assets", "seattle: leakers (mean)"].overlap is False
    assert rows["assets", "seattle: warheads aimed"].a == 1.0
    assert rows["leakers by cause (mean)", "missed_midcourse"].a_ci is not None
    assert rows["interceptors fired (mean)", "gbi"].changed is False
    assert rows["timeline", "detect_after_launch_s"].changed is False  # NaN on both sides
    assert not result.identical and "do not overlap" in result.verdict
    assert [k.key for k in result.scenario_keys or []] == []
    assert any("different seeds" in n for n in result.notes)


def test_elements_in_one_run_only(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", [], sensors=("uewr_clear", "canada_radar"), spec=SPEC)
    b = _run(tmp_path / "b", [], spec={**SPEC, "sensor": [{"deployment": "x"}]})
    result = compare(a, b)
    assert result.identical
    assert [m.metric for m in result.only_in("a")] == ["canada_radar: p_detects_warhead"]
    assert "only in A: sensors canada_radar" in result.verdict
    assert [(k.key, k.a, k.b) for k in result.scenario_keys or []] == [("sensor#1.deployment", ABSENT, "x")]


def test_folders_without_scenario_compare_hashes(tmp_path: Path) -> None:
    result = compare(_run(tmp_path / "a", []), _run(tmp_path / "b", []))
    assert result.scenario_keys is None
    assert "hashes agree" in result.verdict


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(DomesimError, match="not a run folder"):
        compare(tmp_path, tmp_path / "missing")


def test_flatten_keys_numbers_blocks_from_one() -> None:
    data = {"a": {"b": 1, "c": [1, 2]}, "t": [{"x": 1}, {"x": 2, "o": {}}]}
    assert dict(flatten_keys(data)) == {"a.b": 1, "a.c": [1, 2], "t#1.x": 1, "t#2.x": 2}
