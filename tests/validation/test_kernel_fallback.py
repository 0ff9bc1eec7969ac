"""The numba kernels have a plain-Python path with the same API: the same source run with
``NUMBA_DISABLE_JIT=1`` (design.md section 5: keep a non-compiled path and test both).

Source of truth: the interpreted run. Tolerance: identical engagement decisions and kill outcomes, and
trajectories within 1e-6 m (compiled code may fuse multiply-adds; the interpreted path does not).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# The interpreted run takes tens of seconds: left out of `make check`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys, numpy as np
from domesim.scenario.loader import load_scenario
from domesim.engine.simulate import simulate_chunk
from domesim.threats.ballistic import fly_threats
from domesim.core.rng import stream
world = load_scenario(sys.argv[1]).world
log = simulate_chunk(world, 0, 4, 11)
truth = fly_threats(world.threats, world.grid, stream(11, 0, "threat"), 4)
np.savez(sys.argv[2], r_ecef=truth.r_ecef, **log)
"""


def _run(tmp_path: Path, jit: bool) -> dict[str, np.ndarray]:
    out = tmp_path / f"jit-{jit}.npz"
    env = dict(os.environ)
    env.pop("NUMBA_DISABLE_JIT", None)
    if not jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT / "examples" / "nk-1.toml"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with np.load(out) as data:
        return {name: data[name] for name in data.files}


def test_interpreted_kernels_match_compiled(tmp_path: Path, side_by_side) -> None:
    compiled, interpreted = side_by_side(lambda jit: _run(tmp_path, jit), (True, False), first_alone=False)
    np.testing.assert_allclose(compiled["r_ecef"], interpreted["r_ecef"], rtol=0, atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(compiled["impact_t_s"], interpreted["impact_t_s"], rtol=0, atol=1e-9)
    for name in (
        "killed",
        "kill_battery",
        "shots_fired",
        "eng_trial",
        "eng_object",
        "eng_battery",
        "eng_shots",
        "eng_killed",
        "eng_launch_t_s",
        "eng_intercept_t_s",
    ):
        np.testing.assert_array_equal(compiled[name], interpreted[name], err_msg=name)
    assert compiled["eng_trial"].size > 0  # the case engages, so the comparison means something
