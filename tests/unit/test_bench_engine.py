"""The raid builder of ``benchmarks/bench_engine.py``: golden-dome's raid scaled to about 10 ... 5,000
objects validates, has the objects asked for and launches no later than the file's launch window. No
timings here: those are the benchmark's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from domesim.scenario.loader import load_scenario, load_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # bench modules: plain names
import bench_engine  # noqa: E402

# examples/golden-dome.toml: its last block launches 4 missiles from 120 s, 20 s apart
GOLDEN_DOME_LAST_LAUNCH_S = 180.0


def test_apportion_keeps_the_total_and_one_each():
    assert bench_engine.apportion(33, [2, 2, 2, 4]) == [7, 7, 6, 13]
    assert bench_engine.apportion(4, [2, 2, 2, 4]) == [1, 1, 1, 1]
    assert sum(bench_engine.apportion(1250, [2, 2, 2, 4])) == 1250


@pytest.mark.parametrize("objects", [10, 100, 1_000, 5_000])
def test_raid_has_the_objects_asked_and_validates(objects):
    edits, count = bench_engine.raid_edits(objects)
    assert abs(count - objects) <= max(6, objects // 100)
    threats = load_spec(bench_engine.GOLDEN_DOME, edits=edits).spec.threat
    per_missile = [2 + len(t.payload.rv_aim_assets) + t.payload.decoys for t in threats]  # bus, RVs, decoys
    assert sum(t.count * k for t, k in zip(threats, per_missile, strict=True)) == count
    last_launch = max(t.launch_time_s + (t.count - 1) * t.launch_interval_s for t in threats)
    assert last_launch <= GOLDEN_DOME_LAST_LAUNCH_S + 1e-6


@pytest.mark.slow
def test_built_raid_has_the_objects_counted():
    edits, count = bench_engine.raid_edits(100)
    world = load_scenario(bench_engine.GOLDEN_DOME, edits=edits).world
    assert len(world.objects) == count
