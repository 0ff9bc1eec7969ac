"""Crashes the fuzzer found (tests/fuzz/campaign.py) and their fixes outside the scenario loader, schema,
TLE reader, CLI, run store and sweeps: each is now a clear problem, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from domesim.errors import ScenarioError
from domesim.scenario.loader import load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_fobs_launch_point_whose_aim_cannot_be_solved_is_a_problem(tmp_path: Path) -> None:
    """fobs-south.toml with launch_lon_deg = -63: the fractional-orbit targeting's Jacobian was singular and
    numpy's LinAlgError escaped; now the targeting stops and reports that it did not converge."""
    text = (EXAMPLES / "fobs-south.toml").read_text(encoding="utf-8")
    assert text.count("launch_lon_deg = 63.0") == 1
    path = tmp_path / "fobs.toml"
    path.write_text(text.replace("launch_lon_deg = 63.0", "launch_lon_deg = -63.0"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="did not converge|de-orbit"):
        load_scenario(path)
